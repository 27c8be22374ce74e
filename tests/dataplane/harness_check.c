/* SPDX-License-Identifier: BSD-3-Clause
 * CUnit checks over the harness (harness.h), apart from harness.c so that
 * the benchmark, which links the harness without CUnit, does not need it.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "harness.h"

void h_expect_mbuf(struct rte_mbuf *m, const uint8_t *want, uint32_t len)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(m), len);
	if (rte_pktmbuf_pkt_len(m) == len &&
	    memcmp(rte_pktmbuf_mtod(m, uint8_t *), want, len) != 0) {
		const uint8_t *got = rte_pktmbuf_mtod(m, uint8_t *);

		for (uint32_t i = 0; i < len; i++) {
			if (got[i] != want[i]) {
				fprintf(stderr, "\nbyte %u: got %02x want %02x\n", i, got[i], want[i]);
				break;
			}
		}
		CU_FAIL("frame differs");
	}
	rte_pktmbuf_free(m);
}
