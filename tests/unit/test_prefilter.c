/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/prefilter.c: the datagram pre-filter's scan
 * (responses, in-dialog and new requests, keepalives and binary, the
 * header-line cap, Request-Lines with trailing spaces and other malformed
 * starts, missing or repeated mandatory headers, compact and folded
 * headers) and its stateless reply (every Via in order, From, To with our
 * tag, Call-ID, CSeq, nothing else; refused when it does not fit).
 */
#include <stdio.h>
#include <string.h>

#include "cunit_run.h"

#include "prefilter.h"

#define INVITE_HDRS \
	"Via: SIP/2.0/UDP 198.18.1.3:5060;branch=z9hG4bK-1\r\n" \
	"Via: SIP/2.0/UDP 198.18.9.9:5070;branch=z9hG4bK-0\r\n" \
	"From: <sip:a@198.18.1.3>;tag=f1\r\n" \
	"To: <sip:b@198.18.1.10>\r\n" \
	"Call-ID: c1@198.18.1.3\r\n" \
	"CSeq: 1 INVITE\r\n" \
	"Max-Forwards: 70\r\n" \
	"Content-Length: 0\r\n\r\n"

static enum sbc_pf_kind scan(const char *s, uint32_t max, struct sbc_pf_msg *m)
{
	return sbc_prefilter_scan(s, strlen(s), max, m);
}

static void test_kinds(void)
{
	struct sbc_pf_msg m;

	CU_ASSERT_EQUAL(scan("INVITE sip:b@198.18.1.10 SIP/2.0\r\n" INVITE_HDRS, 128, &m),
			SBC_PF_NEW);
	CU_ASSERT_STRING_EQUAL(m.method, "INVITE");
	CU_ASSERT_EQUAL(m.n_via, 2);
	CU_ASSERT_EQUAL(m.n_headers, 8);
	CU_ASSERT_EQUAL(scan("BYE sip:b@198.18.1.10 SIP/2.0\r\nv: SIP/2.0/UDP x;branch=z9hG4bK2\r\n"
			     "f: <sip:a@x>;tag=1\r\nt: <sip:b@y;tag=no>;tag=2\r\ni: c\r\n"
			     "CSeq: 2 BYE\r\n\r\n", 128, &m), SBC_PF_IN_DIALOG);
	/* ";tag=" inside the URI is not a To tag */
	CU_ASSERT_EQUAL(scan("OPTIONS sip:b@y SIP/2.0\r\nVia: SIP/2.0/UDP x;branch=z9hG4bK3\r\n"
			     "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y;tag=no>\r\nCall-ID: c\r\n"
			     "CSeq: 1 OPTIONS\r\n\r\n", 128, &m), SBC_PF_NEW);
	CU_ASSERT_EQUAL(scan("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP x\r\n\r\n", 128, &m),
			SBC_PF_RESPONSE);
	CU_ASSERT_EQUAL(scan("\r\n\r\n", 128, &m), SBC_PF_OTHER);
	CU_ASSERT_EQUAL(sbc_prefilter_scan("\x00\x01\x00\x08", 4, 128, &m), SBC_PF_OTHER);
	CU_ASSERT_EQUAL(scan("\xf8\x01", 128, &m), SBC_PF_OTHER);
	/* a folded header counts once and stays part of its header */
	CU_ASSERT_EQUAL(scan("INVITE sip:b@y SIP/2.0\r\nVia: SIP/2.0/UDP x\r\n ;branch=z9hG4bK4\r\n"
			     "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: c\r\n"
			     "CSeq: 1 INVITE\r\n\r\n", 128, &m), SBC_PF_NEW);
	CU_ASSERT_EQUAL(m.n_headers, 5);
}

static void test_malformed(void)
{
	static const char *const bad_start[] = {
		"INVITE sip:b@y SIP/2.0  \r\n",       /* trailing spaces (RFC 4475) */
		"INVITE sip:b@y SIP/2.0 \r\n",
		"INVITE  sip:b@y SIP/2.0\r\n",
		"INVITE sip:b@y  SIP/2.0\r\n",
		"INVITE sip:b@y\r\n",
		"INV<TE sip:b@y SIP/2.0\r\n",
		" INVITE sip:b@y SIP/2.0\r\n",
	};
	char buf[1024];
	struct sbc_pf_msg m;
	unsigned int i;

	for (i = 0; i < sizeof(bad_start) / sizeof(bad_start[0]); i++) {
		snprintf(buf, sizeof(buf), "%s" INVITE_HDRS, bad_start[i]);
		if (scan(buf, 128, &m) != SBC_PF_MALFORMED && bad_start[i][0] != ' ')
			fprintf(stderr, "\nnot refused: %s", bad_start[i]);
		CU_ASSERT(m.kind == SBC_PF_MALFORMED || (bad_start[i][0] == ' ' &&
							 m.kind == SBC_PF_OTHER));
	}
	/* another SIP version: 505 (RFC 4475 badvers), not 400 */
	snprintf(buf, sizeof(buf), "OPTIONS sip:b@y SIP/7.0\r\n" INVITE_HDRS);
	CU_ASSERT_EQUAL(scan(buf, 128, &m), SBC_PF_BAD_VERSION);
	CU_ASSERT(sbc_prefilter_reply(&m, buf, 505, "Version Not Supported", "t", buf + 600,
				      sizeof(buf) - 600) > 0);
	snprintf(buf, sizeof(buf), "OPTIONS sip:b@y SIP/7.x\r\n" INVITE_HDRS);
	CU_ASSERT_EQUAL(scan(buf, 128, &m), SBC_PF_MALFORMED);
	/* a repeated header (RFC 4475 multi01: two Call-IDs before From and
	 * To): malformed, and the From and To after it still read, for the 400 */
	snprintf(buf, sizeof(buf), "INVITE sip:b@y SIP/2.0\r\nVia: SIP/2.0/UDP x;branch=z9hG4bK5\r\n"
		 "Call-ID: a\r\nCall-ID: b\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\n"
		 "CSeq: 1 INVITE\r\n\r\n");
	CU_ASSERT_EQUAL(scan(buf, 128, &m), SBC_PF_MALFORMED);
	CU_ASSERT(m.from.len > 0 && m.to.len > 0);
	CU_ASSERT(sbc_prefilter_reply(&m, buf, 400, "Bad Request", "t", buf + 600,
				      sizeof(buf) - 600) > 0);
	/* no Call-ID; two To */
	CU_ASSERT_EQUAL(scan("INVITE sip:b@y SIP/2.0\r\nVia: SIP/2.0/UDP x\r\nFrom: <sip:a@x>;tag=1\r\n"
			     "To: <sip:b@y>\r\nCSeq: 1 INVITE\r\n\r\n", 128, &m), SBC_PF_MALFORMED);
	CU_ASSERT_EQUAL(scan("INVITE sip:b@y SIP/2.0\r\nVia: SIP/2.0/UDP x\r\nFrom: <sip:a@x>;tag=1\r\n"
			     "To: <sip:b@y>\r\nt: <sip:c@y>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n",
			     128, &m), SBC_PF_MALFORMED);
	/* a header line without a colon */
	CU_ASSERT_EQUAL(scan("INVITE sip:b@y SIP/2.0\r\nVia SIP/2.0/UDP x\r\n\r\n", 128, &m),
			SBC_PF_MALFORMED);
}

/* 10,000 Via lines (the quadratic parse of the attack): refused at the cap, early. */
static void test_header_cap(void)
{
	static char buf[1 << 20];
	struct sbc_pf_msg m;
	size_t n;
	int i;

	n = (size_t)snprintf(buf, sizeof(buf), "INVITE sip:b@y SIP/2.0\r\n");
	for (i = 0; i < 10000; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "Via: SIP/2.0/UDP 198.18.7.%d;branch=z9hG4bK%d\r\n", i % 250, i);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", INVITE_HDRS);
	CU_ASSERT_EQUAL(sbc_prefilter_scan(buf, n, 128, &m), SBC_PF_TOO_MANY_HEADERS);
	CU_ASSERT_EQUAL(m.n_headers, 129);
	/* responses too */
	memcpy(buf, "SIP/2.0 180 Ringing     \r\n", 26);
	CU_ASSERT_EQUAL(sbc_prefilter_scan(buf, n, 128, &m), SBC_PF_TOO_MANY_HEADERS);
	/* at the cap exactly: fine */
	CU_ASSERT_EQUAL(scan("INVITE sip:b@198.18.1.10 SIP/2.0\r\n" INVITE_HDRS, 8, &m), SBC_PF_NEW);
	CU_ASSERT_EQUAL(scan("INVITE sip:b@198.18.1.10 SIP/2.0\r\n" INVITE_HDRS, 7, &m),
			SBC_PF_TOO_MANY_HEADERS);
}

static void test_reply(void)
{
	static const char req[] = "INVITE sip:b@198.18.1.10 SIP/2.0\r\n" INVITE_HDRS;
	static const char want[] =
		"SIP/2.0 403 Forbidden\r\n"
		"Via: SIP/2.0/UDP 198.18.1.3:5060;branch=z9hG4bK-1\r\n"
		"Via: SIP/2.0/UDP 198.18.9.9:5070;branch=z9hG4bK-0\r\n"
		"From: <sip:a@198.18.1.3>;tag=f1\r\n"
		"To: <sip:b@198.18.1.10>;tag=0123abcd\r\n"
		"Call-ID: c1@198.18.1.3\r\n"
		"CSeq: 1 INVITE\r\n"
		"Content-Length: 0\r\n\r\n";
	struct sbc_pf_msg m;
	char out[1024];
	size_t n;

	CU_ASSERT_EQUAL_FATAL(scan(req, 128, &m), SBC_PF_NEW);
	n = sbc_prefilter_reply(&m, req, 403, "Forbidden", "0123abcd", out, sizeof(out));
	CU_ASSERT_EQUAL(n, strlen(want));
	CU_ASSERT_EQUAL(memcmp(out, want, n < sizeof(want) ? n : sizeof(want)), 0);
	/* a Request-Line with trailing spaces: malformed, but a 400 can name it */
	{
		static const char trail[] = "INVITE sip:b@198.18.1.10 SIP/2.0  \r\n" INVITE_HDRS;

		CU_ASSERT_EQUAL_FATAL(scan(trail, 128, &m), SBC_PF_MALFORMED);
		CU_ASSERT_STRING_EQUAL(m.method, "INVITE");
		n = sbc_prefilter_reply(&m, trail, 400, "Bad Request", "t1", out, sizeof(out));
		CU_ASSERT(n > 0 && memcmp(out, "SIP/2.0 400 Bad Request\r\n", 25) == 0);
		CU_ASSERT_PTR_NOT_NULL(memmem(out, n, ";tag=t1\r\n", 9));
	}
	/* no Call-ID: no reply possible */
	CU_ASSERT_EQUAL(scan("INVITE sip:b@y SIP/2.0\r\nVia: SIP/2.0/UDP x\r\nFrom: <sip:a@x>;tag=1\r\n"
			     "To: <sip:b@y>\r\nCSeq: 1 INVITE\r\n\r\n", 128, &m), SBC_PF_MALFORMED);
	CU_ASSERT_EQUAL(sbc_prefilter_reply(&m, req, 400, "Bad Request", "t", out, sizeof(out)), 0);
	CU_ASSERT_EQUAL_FATAL(scan(req, 128, &m), SBC_PF_NEW);
	/* it does not fit: nothing */
	CU_ASSERT_EQUAL(sbc_prefilter_reply(&m, req, 403, "Forbidden", "t", out, 100), 0);
	CU_ASSERT_EQUAL(sbc_prefilter_reply(&m, req, 42, "x", "t", out, sizeof(out)), 0);
	/* not a request: nothing */
	CU_ASSERT_EQUAL(scan("SIP/2.0 200 OK\r\n\r\n", 128, &m), SBC_PF_RESPONSE);
	CU_ASSERT_EQUAL(sbc_prefilter_reply(&m, req, 403, "Forbidden", "t", out, sizeof(out)), 0);
}

static void test_methods_and_status(void)
{
	CU_ASSERT_TRUE(sbc_prefilter_method_known("INVITE"));
	CU_ASSERT_TRUE(sbc_prefilter_method_known("PUBLISH"));
	CU_ASSERT_TRUE(sbc_prefilter_method_known("OPTIONS"));
	CU_ASSERT_FALSE(sbc_prefilter_method_known("invite"));   /* methods are case-sensitive */
	CU_ASSERT_FALSE(sbc_prefilter_method_known("NEWMETHOD"));
	CU_ASSERT_FALSE(sbc_prefilter_method_known(""));         /* too long for m.method */
	CU_ASSERT_TRUE(sbc_prefilter_status_ok("SIP/2.0 200 OK\r\n", 16));
	CU_ASSERT_TRUE(sbc_prefilter_status_ok("\r\nSIP/2.0 699 \r\n", 17));
	CU_ASSERT_TRUE(sbc_prefilter_status_ok("SIP/2.0 486\r\n", 13));
	/* RFC 4475 bigcode, scalarlg-like codes, a 7xx, two digits, a letter */
	CU_ASSERT_FALSE(sbc_prefilter_status_ok("SIP/2.0 4294967301 better not\r\n", 32));
	CU_ASSERT_FALSE(sbc_prefilter_status_ok("SIP/2.0 700 Seven\r\n", 19));
	CU_ASSERT_FALSE(sbc_prefilter_status_ok("SIP/2.0 099 Low\r\n", 17));
	CU_ASSERT_FALSE(sbc_prefilter_status_ok("SIP/2.0 20 OK\r\n", 15));
	CU_ASSERT_FALSE(sbc_prefilter_status_ok("SIP/2.0 2x0 OK\r\n", 16));
	CU_ASSERT_FALSE(sbc_prefilter_status_ok("SIP/2.0 200", 10));   /* cut short */
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "kinds: new, in dialog, response, other", test_kinds },
		{ "malformed starts and headers", test_malformed },
		{ "10,000 Via lines: refused at the cap", test_header_cap },
		{ "stateless reply", test_reply },
		{ "known methods, status lines", test_methods_and_status },
	};
	return SBC_TEST_RUN_SUITE("prefilter", NULL, NULL, tests);
}
