/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests of controlplane/sdes.c: a=crypto values (RFC 4568).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_run.h"
#include "sdes.h"
#include "sdp.h"

/* 30 bytes 0x00..0x1d in base64. */
#define KEY_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"

static void test_generate_format_parse(void)
{
	struct sbc_sdes_key a, b, back;
	char va[SBC_SDES_VALUE_MAX], vb[SBC_SDES_VALUE_MAX];
	int n;

	CU_ASSERT_EQUAL(sbc_sdes_generate(&a, 1, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80), 0);
	CU_ASSERT_EQUAL(sbc_sdes_generate(&b, 1, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80), 0);
	/* fresh every time */
	CU_ASSERT_NOT_EQUAL(memcmp(a.key_salt, b.key_salt, sizeof(a.key_salt)), 0);
	n = sbc_sdes_format(&a, va, sizeof(va));
	CU_ASSERT_EQUAL(n, (int)strlen("1 AES_CM_128_HMAC_SHA1_80 inline:") + 40);
	CU_ASSERT_EQUAL(strncmp(va, "1 AES_CM_128_HMAC_SHA1_80 inline:", 33), 0);
	/* no lifetime, no MKI, no session parameter */
	CU_ASSERT_PTR_NULL(strchr(va, '|'));
	CU_ASSERT_EQUAL(strchr(va + 33, ' '), NULL);
	CU_ASSERT_EQUAL(sbc_sdes_parse(va, &back), 0);
	CU_ASSERT_EQUAL(back.tag, 1);
	CU_ASSERT_EQUAL(back.suite, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80);
	CU_ASSERT_EQUAL(memcmp(back.key_salt, a.key_salt, sizeof(a.key_salt)), 0);

	CU_ASSERT_EQUAL(sbc_sdes_generate(&b, 7, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32), 0);
	CU_ASSERT(sbc_sdes_format(&b, vb, sizeof(vb)) > 0);
	CU_ASSERT_EQUAL(strncmp(vb, "7 AES_CM_128_HMAC_SHA1_32 inline:", 33), 0);
	CU_ASSERT_EQUAL(sbc_sdes_parse(vb, &back), 0);
	CU_ASSERT_EQUAL(back.suite, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32);

	CU_ASSERT_EQUAL(sbc_sdes_format(&a, va, 20), -ENOSPC);
	CU_ASSERT_EQUAL(sbc_sdes_generate(&a, 1, 9), -EINVAL);
	CU_ASSERT_EQUAL(sbc_sdes_generate(&a, SBC_SDES_TAG_MAX + 1,
					  SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80), -EINVAL);
}

static void test_parse_known_key(void)
{
	struct sbc_sdes_key k;
	struct sbc_api_srtp api;
	unsigned int i;

	CU_ASSERT_EQUAL(sbc_sdes_parse("1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64, &k), 0);
	for (i = 0; i < SBC_SDES_KEY_SALT_LEN; i++)
		CU_ASSERT_EQUAL(k.key_salt[i], i);
	sbc_sdes_to_api(&k, &api);
	CU_ASSERT_EQUAL(api.suite, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80);
	CU_ASSERT_EQUAL(api.master_key[0], 0);
	CU_ASSERT_EQUAL(api.master_key[15], 15);
	CU_ASSERT_EQUAL(api.master_salt[0], 16);
	CU_ASSERT_EQUAL(api.master_salt[13], 29);
	k.suite = SBC_API_SRTP_NONE;
	sbc_sdes_to_api(&k, &api);
	CU_ASSERT_EQUAL(api.suite, SBC_API_SRTP_NONE);
	CU_ASSERT_EQUAL(api.master_key[5], 0);
	sbc_sdes_wipe(&k, sizeof(k));
	for (i = 0; i < SBC_SDES_KEY_SALT_LEN; i++)
		CU_ASSERT_EQUAL(k.key_salt[i], 0);
}

/* Table: value -> expected result. */
static void test_parse_table(void)
{
	static const struct {
		const char *v;
		int rc;
	} t[] = {
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64, 0 },
		{ "123456789 AES_CM_128_HMAC_SHA1_32 inline:" KEY_B64, 0 },
		{ "2\tAES_CM_128_HMAC_SHA1_80\tinline:" KEY_B64, 0 },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "|2^31", 0 },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "|1048576", 0 },
		/* MKI, a second key, session parameters: not ours */
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "|2^20|1:4", -ENOTSUP },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "|1:4", -ENOTSUP },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 ";inline:" KEY_B64, -ENOTSUP },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 " KDR=1", -ENOTSUP },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 " UNENCRYPTED_SRTP", -ENOTSUP },
		/* other suites, other key methods */
		{ "1 AES_256_CM_HMAC_SHA1_80 inline:" KEY_B64, -ENOTSUP },
		{ "1 F8_128_HMAC_SHA1_80 inline:" KEY_B64, -ENOTSUP },
		{ "1 AES_CM_128_HMAC_SHA1_80 uri:https://example.invalid/k", -ENOTSUP },
		/* malformed */
		{ "", -EBADMSG },
		{ "1", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 ", -EBADMSG },
		{ "x AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64, -EBADMSG },
		{ "1234567890 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64, -EBADMSG },
		{ " 1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64, -EBADMSG },
		{ "1  AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64, -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:AAEC", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "==", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "AAAA", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx*d", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "|", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "|2^", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "|2^99", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "|0", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "|abc", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 " ", -EBADMSG },
		{ "1 AES_CM_128_HMAC_SHA1_80 inl:" KEY_B64, -ENOTSUP },
	};
	struct sbc_sdes_key k;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = sbc_sdes_parse(t[i].v, &k);

		if (rc != t[i].rc)
			fprintf(stderr, "case %zu: got %d want %d\n", i, rc, t[i].rc);
		CU_ASSERT_EQUAL(rc, t[i].rc);
		if (rc != 0) {
			/* nothing of a refused key is left behind */
			struct sbc_sdes_key zero;

			memset(&zero, 0, sizeof(zero));
			CU_ASSERT_EQUAL(memcmp(&k, &zero, sizeof(k)), 0);
		}
	}
	CU_ASSERT_EQUAL(sbc_sdes_parse(NULL, &k), -EBADMSG);
	CU_ASSERT_EQUAL(sbc_sdes_parse("1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64, NULL), -EINVAL);
}

static int parse_sdp(struct sbc_sdp_desc *d, const char *body)
{
	return sbc_sdp_parse(d, body, strlen(body), NULL);
}

static void test_select_and_answer(void)
{
	static const char offer[] =
		"v=0\r\no=- 1 1 IN IP4 198.18.0.10\r\ns=-\r\nc=IN IP4 198.18.0.10\r\nt=0 0\r\n"
		"m=audio 4000 RTP/SAVP 0\r\n"
		"a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" KEY_B64 KEY_B64 "\r\n"
		"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "|2^20|1:4\r\n"
		"a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:" KEY_B64 "\r\n"
		"a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "\r\n";
	static const char none[] =
		"v=0\r\no=- 1 1 IN IP4 198.18.0.10\r\ns=-\r\nc=IN IP4 198.18.0.10\r\nt=0 0\r\n"
		"m=audio 4000 RTP/SAVP 0\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 " KDR=2\r\n";
	static const char answer[] =
		"v=0\r\no=- 1 1 IN IP4 198.18.0.10\r\ns=-\r\nc=IN IP4 198.18.0.10\r\nt=0 0\r\n"
		"m=audio 4000 RTP/SAVP 0\r\n"
		"a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:" KEY_B64 "\r\n";
	static const char answer2[] =
		"v=0\r\no=- 1 1 IN IP4 198.18.0.10\r\ns=-\r\nc=IN IP4 198.18.0.10\r\nt=0 0\r\n"
		"m=audio 4000 RTP/SAVP 0\r\n"
		"a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:" KEY_B64 "\r\n"
		"a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "\r\n";
	struct sbc_sdp_desc *d = calloc(1, sizeof(*d));
	struct sbc_sdes_key k;

	CU_ASSERT_FATAL(d != NULL);
	CU_ASSERT_EQUAL_FATAL(parse_sdp(d, offer), 0);
	CU_ASSERT_EQUAL(d->media[0].n_crypto, 4);
	/* the offerer's first usable line: tag 3 (_32) */
	CU_ASSERT_EQUAL(sbc_sdes_select(d, &d->media[0], &k), 0);
	CU_ASSERT_EQUAL(k.tag, 3);
	CU_ASSERT_EQUAL(k.suite, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32);

	CU_ASSERT_EQUAL_FATAL(parse_sdp(d, none), 0);
	CU_ASSERT_EQUAL(sbc_sdes_select(d, &d->media[0], &k), -ENOENT);

	CU_ASSERT_EQUAL_FATAL(parse_sdp(d, answer), 0);
	CU_ASSERT_EQUAL(sbc_sdes_find_answer(d, &d->media[0], 3,
					     SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32, &k), 0);
	CU_ASSERT_EQUAL(k.key_salt[29], 29);
	/* another tag, another suite than offered */
	CU_ASSERT_EQUAL(sbc_sdes_find_answer(d, &d->media[0], 1,
					     SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32, &k), -ENOENT);
	CU_ASSERT_EQUAL(sbc_sdes_find_answer(d, &d->media[0], 3,
					     SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80, &k), -ENOENT);
	/* an answer has exactly one line */
	CU_ASSERT_EQUAL_FATAL(parse_sdp(d, answer2), 0);
	CU_ASSERT_EQUAL(sbc_sdes_find_answer(d, &d->media[0], 3,
					     SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32, &k), -ENOENT);
	sbc_sdp_desc_wipe(d);
	free(d);
}

/* Mutated values: never a crash, never a read past the end (ASan pass). */
static void test_parse_fuzz(void)
{
	static const char base[] = "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "|2^31";
	static const char alphabet[] = " \t|:;^=+/019AZaz_";
	struct sbc_sdes_key k;
	char buf[sizeof(base) + 8];
	unsigned int seed = 12345, i, ok = 0;

	for (i = 0; i < 50000; i++) {
		size_t len = sizeof(base) - 1, j;

		memcpy(buf, base, sizeof(base));
		for (j = 0; j < 1 + (i % 4); j++) {
			seed = seed * 1103515245u + 12345u;
			switch ((seed >> 16) % 3) {
			case 0:
				buf[(seed >> 8) % len] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
				break;
			case 1:
				len = (seed >> 8) % (len + 1);
				buf[len] = '\0';
				break;
			default:
				buf[(seed >> 8) % len] = (char)((seed >> 24) & 0x7f);
				break;
			}
			if (len == 0)
				break;
		}
		buf[len] = '\0';
		if (sbc_sdes_parse(buf, &k) == 0) {
			ok++;
			CU_ASSERT(k.suite == SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80 ||
				  k.suite == SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32);
		}
	}
	CU_ASSERT(ok > 0);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "generate, format, parse", test_generate_format_parse },
		{ "known key and API form", test_parse_known_key },
		{ "accepted and refused values", test_parse_table },
		{ "offer selection and answer check", test_select_and_answer },
		{ "fuzzed values", test_parse_fuzz },
	};

	return SBC_TEST_RUN("sdes", tests);
}
