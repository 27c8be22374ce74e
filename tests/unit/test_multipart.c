/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests of controlplane/multipart.c: the SDP part of multipart/mixed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_run.h"
#include "multipart.h"

#define SDP "v=0\r\no=pbx 1 1 IN IP4 198.18.1.2\r\ns=-\r\nc=IN IP4 198.18.1.2\r\nt=0 0\r\n" \
	    "m=audio 50000 RTP/AVP 0\r\na=sendrecv"
#define PIDF "<?xml version=\"1.0\"?>\r\n<presence entity=\"pres:a@pbx.example\"/>"

static int find(const char *body, const char *b, size_t *off, size_t *end)
{
	return sbc_multipart_find_sdp(body, strlen(body), b, strlen(b), off, end);
}

static void check_sdp(const char *body, const char *b)
{
	size_t off = 0, end = 0;

	CU_ASSERT_EQUAL_FATAL(find(body, b, &off, &end), 0);
	CU_ASSERT_EQUAL(end - off, strlen(SDP));
	CU_ASSERT_EQUAL(memcmp(body + off, SDP, strlen(SDP)), 0);
}

static void test_found(void)
{
	/* SDP first, as RFC 6442 examples have it */
	check_sdp("--b1\r\nContent-Type: application/sdp\r\n\r\n" SDP "\r\n"
		  "--b1\r\nContent-Type: application/pidf+xml\r\nContent-ID: <x@pbx>\r\n\r\n"
		  PIDF "\r\n--b1--\r\n", "b1");
	/* SDP second, a preamble, header case, parameters, extra part headers */
	check_sdp("This is a preamble.\r\n--b-2\r\nContent-Type: application/pidf+xml\r\n\r\n"
		  PIDF "\r\n--b-2\r\nContent-Disposition: session\r\n"
		  "content-type:application/SDP;charset=utf-8\r\n\r\n" SDP "\r\n--b-2--", "b-2");
	/* a line in a part starting like the delimiter (RFC 2046 forbids it): still found */
	check_sdp("--xx\r\nContent-Type: text/plain\r\n\r\n--xxy is not a delimiter of xx? it is\r\n"
		  "--xx\r\nContent-Type: application/sdp\r\n\r\n" SDP "\r\n--xx--\r\n", "xx");
}

static void test_refused(void)
{
	static const struct {
		const char *body, *b;
		int rc;
	} t[] = {
		{ "no delimiter at all", "b1", -EBADMSG },
		{ "--b1\r\nContent-Type: application/pidf+xml\r\n\r\n" PIDF "\r\n--b1--\r\n", "b1",
		  -EBADMSG },                                 /* no SDP part */
		{ "--b1\r\nContent-Type: application/sdp\r\n" SDP "\r\n--b1--\r\n", "b1",
		  -EBADMSG },                                 /* no empty line after the headers */
		{ "--b1\r\nContent-Type: application/sdp\r\n\r\n" SDP, "b1",
		  -EBADMSG },                                 /* never closed */
		{ "--b1--\r\n", "b1", -EBADMSG },             /* closed at once */
		{ "--b1", "b1", -EBADMSG },
		{ "", "b1", -EBADMSG },
		{ "--b1\r\nContent-Type: application/sdp\r\n\r\n" SDP "\r\n--b1--", "", -EINVAL },
		{ "--b1\r\nContent-Type: application/sdp\r\n\r\n" SDP "\r\n--b1--", "b\"1", -EINVAL },
		{ "--b1\r\nContent-Type: application/sdp\r\n\r\n" SDP "\r\n--b1--", "b 1", -EINVAL },
	};
	size_t i, off, end;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = find(t[i].body, t[i].b, &off, &end);

		if (rc != t[i].rc)
			fprintf(stderr, "case %zu: %d, want %d\n", i, rc, t[i].rc);
		CU_ASSERT_EQUAL(rc, t[i].rc);
	}
	CU_ASSERT_EQUAL(sbc_multipart_find_sdp(NULL, 0, "b", 1, &off, &end), -EINVAL);
	{
		char longb[SBC_MULTIPART_BOUNDARY_MAX + 2];

		memset(longb, 'a', sizeof(longb) - 1);
		longb[sizeof(longb) - 1] = '\0';
		CU_ASSERT_EQUAL(find("--x", longb, &off, &end), -EINVAL);
	}
}

/*
 * Mutated bodies, each in a heap buffer of exactly its length (no NUL
 * after it), so that AddressSanitizer sees any read past the end; a part
 * found always lies inside the body.
 */
static void test_fuzz(void)
{
	static const char base[] =
		"pre\r\n--bb\r\nContent-Type: application/pidf+xml\r\n\r\n" PIDF "\r\n"
		"--bb\r\nContent-Type: application/sdp\r\n\r\n" SDP "\r\n--bb--\r\n";
	static const char alphabet[] = "-\r\n:b ;aptlcsd";
	unsigned int seed = 4242, i, found = 0;

	for (i = 0; i < 100000; i++) {
		size_t len = sizeof(base) - 1, j, off, end;
		char *buf = malloc(len);

		CU_ASSERT_FATAL(buf != NULL);
		memcpy(buf, base, len);
		for (j = 0; j < 1 + i % 6; j++) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 4 == 0)
				len = (seed >> 8) % (len + 1);
			else if (len > 0)
				buf[(seed >> 8) % len] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
		}
		if (sbc_multipart_find_sdp(buf, len, "bb", 2, &off, &end) == 0) {
			found++;
			CU_ASSERT(off <= end && end + 2 <= len);
		}
		free(buf);
	}
	CU_ASSERT(found > 0);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "SDP part found", test_found },
		{ "bodies refused", test_refused },
		{ "fuzzed bodies", test_fuzz },
	};

	return SBC_TEST_RUN("multipart", tests);
}
