/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for dataplane/rtp.h's RFC 3550 receive statistics: loss over
 * a sequence wrap, jitter converging on a constant transit change, and the
 * regression of a first fuzzing run: a transit difference of INT32_MIN
 * (arrival and timestamp chosen by the sender) negated as a signed value,
 * undefined behaviour that UBSan stopped on (this suite runs under it in
 * the sanitizer build).
 */
#include <string.h>

#include "cunit_run.h"

#include "rtp.h"

static void pkt(uint8_t *p, uint16_t seq, uint32_t ts, uint32_t ssrc)
{
	memset(p, 0, SBC_RTP_HDR_LEN);
	p[0] = 0x80;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(ts >> 24);
	p[5] = (uint8_t)(ts >> 16);
	p[6] = (uint8_t)(ts >> 8);
	p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
}

static void test_loss_and_wrap(void)
{
	struct sbc_rtp_stats s = { 0 };
	uint8_t p[SBC_RTP_HDR_LEN];
	uint16_t seq = 65500;

	for (int i = 0; i < 100; i++, seq++) {
		if (i == 50 || i == 51)
			continue;          /* two lost, after the wrap */
		pkt(p, seq, 160u * (uint32_t)i, 7);
		sbc_rtp_stats_update(&s, p, 160u * (uint32_t)i);
	}
	CU_ASSERT_EQUAL(s.received, 98);
	CU_ASSERT_EQUAL(sbc_rtp_stats_lost(&s), 2);
	CU_ASSERT_EQUAL(sbc_rtp_stats_jitter(&s), 0);    /* constant transit */
}

static void test_jitter_converges(void)
{
	struct sbc_rtp_stats s = { 0 };
	uint8_t p[SBC_RTP_HDR_LEN];

	/* every packet 40 units late or early in turn: |D| = 40, J -> 40 */
	for (uint32_t i = 0; i < 2000; i++) {
		pkt(p, (uint16_t)i, 160u * i, 9);
		sbc_rtp_stats_update(&s, p, 160u * i + (i & 1u) * 40u);
	}
	CU_ASSERT(sbc_rtp_stats_jitter(&s) >= 38 && sbc_rtp_stats_jitter(&s) <= 40);
}

static void test_transit_int_min(void)
{
	struct sbc_rtp_stats s = { 0 };
	uint8_t p[SBC_RTP_HDR_LEN];

	/* transit 0, then 0x80000000: the difference is INT32_MIN */
	pkt(p, 1, 0, 5);
	sbc_rtp_stats_update(&s, p, 0);
	pkt(p, 2, 0, 5);
	sbc_rtp_stats_update(&s, p, 0x80000000u);
	CU_ASSERT_EQUAL(s.received, 2);
	/* |D| = 2^31, taken as unsigned: J = 2^31 / 16 */
	CU_ASSERT_EQUAL(sbc_rtp_stats_jitter(&s), 0x80000000u >> 4);
	pkt(p, 3, 0x80000000u, 5);
	sbc_rtp_stats_update(&s, p, 0);   /* and back: INT32_MIN again */
	CU_ASSERT_EQUAL(s.received, 3);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "loss across a sequence wrap", test_loss_and_wrap },
		{ "jitter converges on |D|", test_jitter_converges },
		{ "a transit difference of INT32_MIN (regression)", test_transit_int_min },
	};
	return SBC_TEST_RUN_SUITE("rtp_stats", NULL, NULL, tests);
}
