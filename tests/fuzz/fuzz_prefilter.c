/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the datagram pre-filter (prefilter.h), the way every UDP
 * datagram and every message on a TCP or TLS connection reaches it before
 * Sofia-SIP: sbc_prefilter_scan() with the default header cap (128,
 * sip.pike.max_headers), then what the B2BUA does with the result
 * (admission.c): sbc_prefilter_status_ok() on the input,
 * sbc_prefilter_method_known() on the scanned method, and the stateless
 * replies sbc_prefilter_reply() writes (400 with our To tag, 505 without
 * one) into a buffer of the B2BUA's size and into a small one.  Whatever
 * the input, it returns without a memory error, and: the scan's kind is
 * one of enum sbc_pf_kind, the method is NUL-terminated, every span lies
 * inside the input, a reply is never longer than its buffer, and a reply
 * written is a response our own scan and status check accept; else
 * abort().
 *
 *   fuzz_prefilter         libFuzzer (meson -Dfuzz=true): ./scripts/fuzz.sh prefilter SECONDS
 *   fuzz_prefilter_replay  tests/fuzz/corpus/prefilter/ once (meson test fuzz-prefilter-corpus)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"

#define FUZZ_MAX_HEADERS 128   /* sip.pike.max_headers' default */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz prefilter: %s\n", what);
	abort();
}

static bool span_ok(const struct sbc_pf_span *s, size_t size)
{
	return s->off <= size && s->len <= size - s->off;
}

static void check_msg(const struct sbc_pf_msg *m, size_t size)
{
	if ((unsigned int)m->kind > SBC_PF_BAD_VERSION)
		fail("scan returned an unknown kind");
	if (memchr(m->method, '\0', sizeof(m->method)) == NULL)
		fail("method not NUL-terminated");
	for (uint32_t i = 0; i < m->n_via && i < SBC_PF_VIA_MAX; i++)
		if (!span_ok(&m->via[i], size))
			fail("a Via span outside the input");
	if (!span_ok(&m->from, size) || !span_ok(&m->to, size) || !span_ok(&m->call_id, size) ||
	    !span_ok(&m->cseq, size))
		fail("a header span outside the input");
}

static void reply(const struct sbc_pf_msg *m, const char *buf, int status, const char *phrase,
		  const char *tag, char *out, size_t osize)
{
	static struct sbc_pf_msg r;
	size_t n = sbc_prefilter_reply(m, buf, status, phrase, tag, out, osize);

	if (n > osize)
		fail("a reply longer than its buffer");
	if (n == 0)
		return;
	if (!sbc_prefilter_status_ok(out, n))
		fail("our own reply fails the status check");
	if (sbc_prefilter_scan(out, n, FUZZ_MAX_HEADERS, &r) != SBC_PF_RESPONSE)
		fail("our own reply does not scan as a response");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sbc_pf_msg m;
	static char out[8192];    /* admission.c's reply buffer is the datagram's size class */
	char small[160];
	char *buf = malloc(size != 0 ? size : 1);   /* exact size: ASan sees a read past it */

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	(void)sbc_prefilter_scan(buf, size, FUZZ_MAX_HEADERS, &m);
	check_msg(&m, size);
	(void)sbc_prefilter_status_ok(buf, size);
	(void)sbc_prefilter_method_known(m.method);
	reply(&m, buf, 400, "Bad Request", "0123456789abcdef", out, sizeof(out));
	reply(&m, buf, 505, "Version Not Supported", NULL, out, sizeof(out));
	reply(&m, buf, 501, "Not Implemented", "0123456789abcdef", small, sizeof(small));
	free(buf);
	return 0;
}
