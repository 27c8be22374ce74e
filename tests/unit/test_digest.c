/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/digest.c: the RFC 2617 section 3.5 and
 * RFC 7616 section 3.9.1 response vectors, challenge -> answer -> verify
 * round trips (MD5 and SHA-256, -sess), wrong password, stale and
 * tampered or foreign nonces, URI binding, the credentials parser on
 * malformed values, and a fuzz loop over mutated headers (run it under
 * ASan/UBSan too).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cunit_run.h"

#include "digest.h"

#ifndef FUZZ_ITERATIONS
#define FUZZ_ITERATIONS 20000
#endif
#ifndef FUZZ_SEED
#define FUZZ_SEED 0x44494745u
#endif

#define REALM "sp.example.com"
#define USER "acme-pbx"
#define PASS "Zx9-qT4u-88Lw-PmR2"
#define RURI "sip:+441632960123@sp.example.com;user=phone"

static void test_rfc_vectors(void)
{
	char out[SBC_DIGEST_HEX_MAX];
	const char *n7616 = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
	const char *c7616 = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

	/* RFC 2617 section 3.5. */
	CU_ASSERT_EQUAL(sbc_digest_response(SBC_DIGEST_MD5, "Mufasa", "testrealm@host.com",
					    "Circle Of Life",
					    "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001",
					    "0a4f113b", "auth", "GET", "/dir/index.html", out), 0);
	CU_ASSERT_STRING_EQUAL(out, "6629fae49393a05397450978507c4ef1");
	/* RFC 7616 section 3.9.1, MD5 and SHA-256. */
	CU_ASSERT_EQUAL(sbc_digest_response(SBC_DIGEST_MD5, "Mufasa", "http-auth@example.org",
					    "Circle of Life", n7616, "00000001", c7616, "auth",
					    "GET", "/dir/index.html", out), 0);
	CU_ASSERT_STRING_EQUAL(out, "8ca523f5e9506fed4657c9700eebdbec");
	CU_ASSERT_EQUAL(sbc_digest_response(SBC_DIGEST_SHA256, "Mufasa",
					    "http-auth@example.org", "Circle of Life", n7616,
					    "00000001", c7616, "auth", "GET", "/dir/index.html",
					    out), 0);
	CU_ASSERT_STRING_EQUAL(out,
		"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
	/* RFC 2069 form (no qop), same inputs as RFC 2617. */
	CU_ASSERT_EQUAL(sbc_digest_response(SBC_DIGEST_MD5, "Mufasa", "testrealm@host.com",
					    "Circle Of Life",
					    "dcd98b7102dd2f0e8b11d0f600bfb0c093", NULL, NULL, NULL,
					    "GET", "/dir/index.html", out), 0);
	CU_ASSERT_STRING_EQUAL(out, "670fd8c2df070c60b045671b8b24ff02");
	/* -sess: HA1 = H(H(user:realm:pass):nonce:cnonce) (computed apart). */
	CU_ASSERT_EQUAL(sbc_digest_response(SBC_DIGEST_MD5_SESS, "bob", "biloxi.example.com",
					    "zanzibar", "abc123", "00000002", "c0ffee", "auth",
					    "INVITE", RURI, out), 0);
	CU_ASSERT_STRING_EQUAL(out, "9912e5d40285d4ee3bd0a3b8f2d62c13");
	CU_ASSERT_EQUAL(sbc_digest_response(SBC_DIGEST_SHA256_SESS, "bob",
					    "biloxi.example.com", "zanzibar", "abc123",
					    "00000002", "c0ffee", "auth", "INVITE", RURI, out), 0);
	CU_ASSERT_STRING_EQUAL(out,
		"4f2638882c24bc5bdc9dc41e7b59f98a31c2958772657af20cbfa134b07420da");
	/* Missing inputs. */
	CU_ASSERT_EQUAL(sbc_digest_response(SBC_DIGEST_MD5, NULL, "r", "p", "n", "1", "c",
					    "auth", "GET", "/", out), -EINVAL);
	CU_ASSERT_EQUAL(sbc_digest_response(SBC_DIGEST_MD5, "u", "r", "p", "n", NULL, "c",
					    "auth", "GET", "/", out), -EINVAL);
	CU_ASSERT_EQUAL(sbc_digest_response(SBC_DIGEST_MD5_SESS, "u", "r", "p", "n", NULL,
					    NULL, NULL, "GET", "/", out), -EINVAL);
	CU_ASSERT_EQUAL(sbc_digest_response(SBC_DIGEST_ALG__COUNT, "u", "r", "p", "n", "1",
					    "c", "auth", "GET", "/", out), -EINVAL);
}

static struct sbc_digest_server *server(void)
{
	struct sbc_digest_server *s = sbc_digest_server_create(REALM, 300);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

/* Challenge at @made, answer it as the PBX would, parse the answer. */
static void answer(const struct sbc_digest_server *s, enum sbc_digest_alg alg, uint64_t made,
		   const char *password, const char *method, const char *uri,
		   struct sbc_digest_credentials *c)
{
	char chal[512], auth[1024];
	struct sbc_digest_challenge ch;

	CU_ASSERT_FATAL(sbc_digest_challenge(s, alg, false, made, chal, sizeof(chal)) > 0);
	CU_ASSERT_EQUAL_FATAL(sbc_digest_parse_challenge(chal, &ch), 0);
	CU_ASSERT_EQUAL(ch.alg, alg);
	CU_ASSERT_TRUE(ch.qop_auth);
	CU_ASSERT_FALSE(ch.stale);
	CU_ASSERT_STRING_EQUAL(ch.realm, REALM);
	CU_ASSERT_FATAL(sbc_digest_answer(&ch, USER, password, method, uri, NULL, 1, auth,
					  sizeof(auth)) > 0);
	CU_ASSERT_EQUAL_FATAL(sbc_digest_parse_credentials(auth, c), 0);
}

static void test_round_trip(void)
{
	struct sbc_digest_server *s = server();
	struct sbc_digest_credentials c;

	for (unsigned int a = 0; a < SBC_DIGEST_ALG__COUNT; a++) {
		answer(s, (enum sbc_digest_alg)a, 1000, PASS, "INVITE", RURI, &c);
		CU_ASSERT_EQUAL(c.alg, a);
		CU_ASSERT_STRING_EQUAL(c.username, USER);
		CU_ASSERT_STRING_EQUAL(c.uri, RURI);
		CU_ASSERT_STRING_EQUAL(c.nc, "00000001");
		CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", RURI, PASS, 1000),
				SBC_DIGEST_OK);
		CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", NULL, PASS, 1010),
				SBC_DIGEST_OK);
	}
	sbc_digest_server_destroy(s);
}

static void test_wrong_password_method_uri(void)
{
	struct sbc_digest_server *s = server();
	struct sbc_digest_credentials c;

	answer(s, SBC_DIGEST_SHA256, 1000, "not-the-password", "INVITE", RURI, &c);
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", RURI, PASS, 1000),
			SBC_DIGEST_BAD_RESPONSE);
	answer(s, SBC_DIGEST_MD5, 1000, PASS, "INVITE", RURI, &c);
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", RURI, PASS "x", 1000),
			SBC_DIGEST_BAD_RESPONSE);
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", RURI, "", 1000),
			SBC_DIGEST_BAD_RESPONSE);
	/* Credentials for an INVITE do not authorise a BYE ... */
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "BYE", RURI, PASS, 1000),
			SBC_DIGEST_BAD_RESPONSE);
	/* ... nor another Request-URI. */
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", "sip:+441632960999@sp.example.com",
					  PASS, 1000), SBC_DIGEST_URI_MISMATCH);
	/* A changed response, each digit. */
	for (size_t i = 0; i < strlen(c.response); i++) {
		struct sbc_digest_credentials m = c;

		m.response[i] = m.response[i] == '0' ? '1' : '0';
		CU_ASSERT_EQUAL(sbc_digest_verify(s, &m, "INVITE", RURI, PASS, 1000),
				SBC_DIGEST_BAD_RESPONSE);
	}
	/* Another user name with the same password. */
	c.username[0] = 'X';
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", RURI, PASS, 1000),
			SBC_DIGEST_BAD_RESPONSE);
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, NULL, RURI, PASS, 1000),
			SBC_DIGEST_BAD_RESPONSE);
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", RURI, NULL, 1000),
			SBC_DIGEST_BAD_RESPONSE);
	sbc_digest_server_destroy(s);
}

static void test_stale_nonce(void)
{
	struct sbc_digest_server *s = server();
	struct sbc_digest_credentials c, bad;
	char chal[512];

	answer(s, SBC_DIGEST_SHA256, 1000, PASS, "INVITE", RURI, &c);
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", RURI, PASS, 1300), SBC_DIGEST_OK);
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", RURI, PASS, 1301), SBC_DIGEST_STALE);
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", RURI, PASS, 100000),
			SBC_DIGEST_STALE);
	/* Stale only with the right password: otherwise simply wrong. */
	answer(s, SBC_DIGEST_SHA256, 1000, "wrong", "INVITE", RURI, &bad);
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &bad, "INVITE", RURI, PASS, 1301),
			SBC_DIGEST_BAD_RESPONSE);
	/* The new challenge says stale=true and parses so. */
	CU_ASSERT(sbc_digest_challenge(s, SBC_DIGEST_SHA256, true, 1301, chal, sizeof(chal)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(chal, ", stale=true"));
	{
		struct sbc_digest_challenge ch;

		CU_ASSERT_EQUAL(sbc_digest_parse_challenge(chal, &ch), 0);
		CU_ASSERT_TRUE(ch.stale);
	}
	/* A nonce from the future (clock skew beyond 5 s) is not ours. */
	answer(s, SBC_DIGEST_SHA256, 5000, PASS, "INVITE", RURI, &c);
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", RURI, PASS, 4995), SBC_DIGEST_OK);
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &c, "INVITE", RURI, PASS, 4994),
			SBC_DIGEST_BAD_NONCE);
	sbc_digest_server_destroy(s);
}

static void test_tampered_and_foreign_nonces(void)
{
	struct sbc_digest_server *s = server(), *other = server();
	struct sbc_digest_server *realm2 = sbc_digest_server_create("other.example.com", 300);
	struct sbc_digest_credentials c, m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(realm2);
	answer(s, SBC_DIGEST_SHA256, 1000, PASS, "INVITE", RURI, &c);
	CU_ASSERT_EQUAL(strlen(c.nonce), 48);
	/* Every hex digit changed in turn: timestamp or MAC, always refused. */
	for (size_t i = 0; i < 48; i++) {
		m = c;
		m.nonce[i] = m.nonce[i] == 'a' ? 'b' : 'a';
		CU_ASSERT_EQUAL(sbc_digest_verify(s, &m, "INVITE", RURI, PASS, 1000),
				SBC_DIGEST_BAD_NONCE);
	}
	/* Fresher timestamp with the old MAC. */
	m = c;
	memcpy(m.nonce, "00000000000f4240", 16);
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &m, "INVITE", RURI, PASS, 1000000),
			SBC_DIGEST_BAD_NONCE);
	/* Shorter, longer, not hex, empty. */
	m = c;
	m.nonce[47] = '\0';
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &m, "INVITE", RURI, PASS, 1000),
			SBC_DIGEST_BAD_NONCE);
	m = c;
	strcat(m.nonce, "0");
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &m, "INVITE", RURI, PASS, 1000),
			SBC_DIGEST_BAD_NONCE);
	m = c;
	m.nonce[10] = 'g';
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &m, "INVITE", RURI, PASS, 1000),
			SBC_DIGEST_BAD_NONCE);
	m = c;
	m.nonce[0] = '\0';
	CU_ASSERT_EQUAL(sbc_digest_verify(s, &m, "INVITE", RURI, PASS, 1000),
			SBC_DIGEST_BAD_NONCE);
	/* Another process (another secret), another realm. */
	CU_ASSERT_EQUAL(sbc_digest_verify(other, &c, "INVITE", RURI, PASS, 1000),
			SBC_DIGEST_BAD_NONCE);
	CU_ASSERT_EQUAL(sbc_digest_verify(realm2, &c, "INVITE", RURI, PASS, 1000),
			SBC_DIGEST_WRONG_REALM);
	m = c;
	strcpy(m.realm, "other.example.com");
	CU_ASSERT_EQUAL(sbc_digest_verify(realm2, &m, "INVITE", RURI, PASS, 1000),
			SBC_DIGEST_BAD_NONCE);
	sbc_digest_server_destroy(s);
	sbc_digest_server_destroy(other);
	sbc_digest_server_destroy(realm2);
}

static void test_challenge_format(void)
{
	static const char head[] = "Digest realm=\"" REALM "\", nonce=\"";
	struct sbc_digest_server *s = server(), *q;
	struct sbc_digest_challenge ch;
	char out[512], small[40];
	const char *p;
	int n;

	n = sbc_digest_challenge(s, SBC_DIGEST_SHA256, false, 1000, out, sizeof(out));
	CU_ASSERT_EQUAL(n, (int)strlen(out));
	CU_ASSERT_EQUAL(strncmp(out, head, sizeof(head) - 1), 0);
	p = out + sizeof(head) - 1;
	CU_ASSERT_EQUAL(strspn(p, "0123456789abcdef"), 48);
	CU_ASSERT_EQUAL(strncmp(p, "00000000000003e8", 16), 0);   /* 1000 */
	CU_ASSERT_STRING_EQUAL(p + 48, "\", algorithm=SHA-256, qop=\"auth\"");
	sbc_digest_challenge(s, SBC_DIGEST_MD5, false, 1000, out, sizeof(out));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ", algorithm=MD5, qop=\"auth\""));
	CU_ASSERT_EQUAL(sbc_digest_challenge(s, SBC_DIGEST_MD5, false, 1000, small,
					     sizeof(small)), -ENOSPC);
	CU_ASSERT_EQUAL(sbc_digest_challenge(s, SBC_DIGEST_ALG__COUNT, false, 1000, out,
					     sizeof(out)), -EINVAL);
	CU_ASSERT_EQUAL(sbc_digest_challenge(NULL, SBC_DIGEST_MD5, false, 1000, out,
					     sizeof(out)), -EINVAL);

	/* A realm with a quote and a backslash is escaped, and parses back. */
	q = sbc_digest_server_create("a\"b\\c", 60);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	sbc_digest_challenge(q, SBC_DIGEST_MD5, false, 1, out, sizeof(out));
	CU_ASSERT_EQUAL(strncmp(out, "Digest realm=\"a\\\"b\\\\c\", ",
				strlen("Digest realm=\"a\\\"b\\\\c\", ")), 0);
	CU_ASSERT_EQUAL(sbc_digest_parse_challenge(out, &ch), 0);
	CU_ASSERT_STRING_EQUAL(ch.realm, "a\"b\\c");
	sbc_digest_server_destroy(q);

	/* Bad server parameters. */
	errno = 0;
	CU_ASSERT_PTR_NULL(sbc_digest_server_create(NULL, 60));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(sbc_digest_server_create("", 60));
	CU_ASSERT_PTR_NULL(sbc_digest_server_create("a\r\nb", 60));
	CU_ASSERT_PTR_NULL(sbc_digest_server_create(REALM, 0));
	CU_ASSERT_PTR_NULL(sbc_digest_server_create(REALM, 86401));
	sbc_digest_server_destroy(NULL);
	sbc_digest_server_destroy(s);
}

static void test_parse_credentials(void)
{
	static const char *const good =
		"Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"dcd98b\", "
		"uri=\"sip:bob@biloxi.com\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
		"response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c\"";
	static const struct {
		const char *in;
		int rc;
	} rows[] = {
		{ "digest username=bob,realm=biloxi.com,nonce=n,uri=\"sip:b@h\",qop=\"auth\","
		  "nc=0000000a,cnonce=c,response=6629FAE49393A05397450978507C4EF1", 0 },
		{ "Digest  username=\"b\\\"o\\\\b\" ,\trealm=\"r\", nonce=\"n\", uri=\"u\", "
		  "qop=auth, nc=00000001, cnonce=\"c\", response=\"6629fae49393a05397450978507c4ef1\","
		  " foo=\"bar, baz\", algorithm=md5, userhash=false", 0 },
		{ "Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, "
		  "nc=00000001, cnonce=\"c\", algorithm=SHA-256, "
		  "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\"", 0 },
		/* refused */
		{ "", -EINVAL },
		{ "Digest", -EINVAL },
		{ "Digest ", -EINVAL },
		{ "Basic dXNlcjpwYXNz", -ENOTSUP },
		{ "Digestusername=\"b\"", -ENOTSUP },
		{ "Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth-int, "
		  "nc=00000001, cnonce=\"c\", response=\"6629fae49393a05397450978507c4ef1\"",
		  -ENOTSUP },
		{ "Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, "
		  "nc=00000001, cnonce=\"c\", algorithm=SHA-512-256, "
		  "response=\"6629fae49393a05397450978507c4ef1\"", -ENOTSUP },
		{ "Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, "
		  "nc=00000001, cnonce=\"c\", userhash=true, "
		  "response=\"6629fae49393a05397450978507c4ef1\"", -ENOTSUP },
		/* RFC 2069 (no qop) */
		{ "Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", "
		  "response=\"6629fae49393a05397450978507c4ef1\"", -EINVAL },
		/* missing cnonce, nc, response, username */
		{ "Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, "
		  "nc=00000001, response=\"6629fae49393a05397450978507c4ef1\"", -EINVAL },
		{ "Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, "
		  "cnonce=\"c\", response=\"6629fae49393a05397450978507c4ef1\"", -EINVAL },
		{ "Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, "
		  "nc=00000001, cnonce=\"c\"", -EINVAL },
		{ "Digest username=\"\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, "
		  "nc=00000001, cnonce=\"c\", response=\"6629fae49393a05397450978507c4ef1\"",
		  -EINVAL },
		/* bad nc, bad response length or digits */
		{ "Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, "
		  "nc=0000001, cnonce=\"c\", response=\"6629fae49393a05397450978507c4ef1\"",
		  -EINVAL },
		{ "Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, "
		  "nc=0000000g, cnonce=\"c\", response=\"6629fae49393a05397450978507c4ef1\"",
		  -EINVAL },
		{ "Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, "
		  "nc=00000001, cnonce=\"c\", algorithm=SHA-256, "
		  "response=\"6629fae49393a05397450978507c4ef1\"", -EINVAL },
		{ "Digest username=\"b\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, "
		  "nc=00000001, cnonce=\"c\", response=\"6629fae49393a05397450978507c4efz\"",
		  -EINVAL },
		/* syntax */
		{ "Digest username=\"b\", username=\"c\", realm=\"r\", nonce=\"n\", uri=\"u\", "
		  "qop=auth, nc=00000001, cnonce=\"c\", "
		  "response=\"6629fae49393a05397450978507c4ef1\"", -EINVAL },
		{ "Digest username=\"b, realm=\"r\"", -EINVAL },
		{ "Digest username=\"b\",", -EINVAL },
		{ "Digest username=\"b\",,realm=\"r\"", -EINVAL },
		{ "Digest username", -EINVAL },
		{ "Digest username=", -EINVAL },
		{ "Digest =\"b\"", -EINVAL },
		{ "Digest username=\"b\" realm=\"r\"", -EINVAL },
		{ "Digest username=\"a\rb\"", -EINVAL },
		{ "Digest username=\"a\nb\"", -EINVAL },
		{ "Digest username=\"a\\", -EINVAL },
		{ "Digest username=\"a\\\"", -EINVAL },
		{ "Digest username=b;c", -EINVAL },
	};
	struct sbc_digest_credentials c;
	char big[SBC_DIGEST_VALUE_MAX + 16], name[400];

	CU_ASSERT_EQUAL(sbc_digest_parse_credentials(good, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.username, "bob");
	CU_ASSERT_STRING_EQUAL(c.realm, "biloxi.com");
	CU_ASSERT_STRING_EQUAL(c.uri, "sip:bob@biloxi.com");
	CU_ASSERT_STRING_EQUAL(c.opaque, "5ccc069c");
	CU_ASSERT_EQUAL(c.alg, SBC_DIGEST_MD5);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = sbc_digest_parse_credentials(rows[i].in, &c);

		if (rc != rows[i].rc)
			fprintf(stderr, "\nrow %zu: rc %d, expected %d\n", i, rc, rows[i].rc);
		CU_ASSERT_EQUAL(rc, rows[i].rc);
	}
	/* Row 0: tokens, uppercase response lowercased; row 1: escapes. */
	CU_ASSERT_EQUAL(sbc_digest_parse_credentials(rows[0].in, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.response, "6629fae49393a05397450978507c4ef1");
	CU_ASSERT_STRING_EQUAL(c.nc, "0000000a");
	CU_ASSERT_EQUAL(sbc_digest_parse_credentials(rows[1].in, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.username, "b\"o\\b");
	CU_ASSERT_STRING_EQUAL(c.opaque, "");

	/* Bounds: the whole value, and one parameter. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "Digest x=", 9);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(sbc_digest_parse_credentials(big, &c), -E2BIG);
	memset(name, 'u', sizeof(name));
	name[sizeof(name) - 1] = '\0';
	snprintf(big, sizeof(big), "Digest username=\"%s\", realm=\"r\"", name);
	CU_ASSERT_EQUAL(sbc_digest_parse_credentials(big, &c), -E2BIG);
	/* A long unknown parameter is fine: it is not kept. */
	snprintf(big, sizeof(big), "Digest junk=\"%s\", username=\"b\", realm=\"r\", "
		 "nonce=\"n\", uri=\"u\", qop=auth, nc=00000001, cnonce=\"c\", "
		 "response=\"6629fae49393a05397450978507c4ef1\"", name);
	CU_ASSERT_EQUAL(sbc_digest_parse_credentials(big, &c), 0);
	CU_ASSERT_EQUAL(sbc_digest_parse_credentials(NULL, &c), -EINVAL);
}

static void test_client_answer(void)
{
	struct sbc_digest_challenge ch;
	struct sbc_digest_credentials c;
	char out[1024], out2[1024], expect[SBC_DIGEST_HEX_MAX];

	/* A carrier challenge with opaque and a qop list. */
	CU_ASSERT_EQUAL(sbc_digest_parse_challenge(
		"Digest realm=\"carrier.example\", domain=\"sip:carrier.example\", "
		"nonce=\"abc\\\"def\", opaque=\"xyz\", qop=\"auth-int, auth\", "
		"algorithm=MD5-sess, stale=FALSE", &ch), 0);
	CU_ASSERT_EQUAL(ch.alg, SBC_DIGEST_MD5_SESS);
	CU_ASSERT_STRING_EQUAL(ch.nonce, "abc\"def");
	CU_ASSERT_TRUE(ch.has_opaque);
	CU_ASSERT_TRUE(ch.qop_auth);
	CU_ASSERT_FALSE(ch.stale);
	CU_ASSERT(sbc_digest_answer(&ch, "us\"er", "pw", "INVITE", RURI, "cn1", 10, out,
				    sizeof(out)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "username=\"us\\\"er\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "nonce=\"abc\\\"def\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ", qop=auth, nc=0000000a"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ", opaque=\"xyz\""));
	CU_ASSERT_EQUAL(sbc_digest_parse_credentials(out, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.username, "us\"er");
	CU_ASSERT_STRING_EQUAL(c.nonce, "abc\"def");
	CU_ASSERT_STRING_EQUAL(c.cnonce, "cn1");
	sbc_digest_response(SBC_DIGEST_MD5_SESS, "us\"er", "carrier.example", "pw", "abc\"def",
			    "0000000a", "cn1", "auth", "INVITE", RURI, expect);
	CU_ASSERT_STRING_EQUAL(c.response, expect);

	/* Random cnonces differ. */
	CU_ASSERT(sbc_digest_answer(&ch, "u", "pw", "INVITE", RURI, NULL, 1, out,
				    sizeof(out)) > 0);
	CU_ASSERT(sbc_digest_answer(&ch, "u", "pw", "INVITE", RURI, NULL, 1, out2,
				    sizeof(out2)) > 0);
	CU_ASSERT_STRING_NOT_EQUAL(out, out2);

	/* An old carrier without qop: the RFC 2069 form, no cnonce or nc. */
	CU_ASSERT_EQUAL(sbc_digest_parse_challenge("Digest realm=\"r\", nonce=\"n\"", &ch), 0);
	CU_ASSERT_FALSE(ch.qop_auth);
	CU_ASSERT_EQUAL(ch.alg, SBC_DIGEST_MD5);
	CU_ASSERT(sbc_digest_answer(&ch, "u", "pw", "BYE", "sip:h", NULL, 0, out,
				    sizeof(out)) > 0);
	sbc_digest_response(SBC_DIGEST_MD5, "u", "r", "pw", "n", NULL, NULL, NULL, "BYE",
			    "sip:h", expect);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, expect));
	CU_ASSERT_PTR_NULL(strstr(out, "cnonce"));
	CU_ASSERT_PTR_NULL(strstr(out, "qop"));

	/* Refusals. */
	CU_ASSERT_EQUAL(sbc_digest_parse_challenge("Digest nonce=\"n\"", &ch), -EINVAL);
	CU_ASSERT_EQUAL(sbc_digest_parse_challenge("Digest realm=\"r\"", &ch), -EINVAL);
	CU_ASSERT_EQUAL(sbc_digest_parse_challenge("Digest realm=\"r\", nonce=\"n\", "
						   "qop=\"auth-int\"", &ch), -ENOTSUP);
	CU_ASSERT_EQUAL(sbc_digest_parse_challenge("Digest realm=\"r\", nonce=\"n\", "
						   "algorithm=SHA-1", &ch), -ENOTSUP);
	CU_ASSERT_EQUAL(sbc_digest_parse_challenge("Basic realm=\"r\"", &ch), -ENOTSUP);
	CU_ASSERT_EQUAL(sbc_digest_parse_challenge("Digest realm=\"r\", nonce=\"n\"", &ch), 0);
	CU_ASSERT_EQUAL(sbc_digest_answer(&ch, "u\r\nX-Evil: 1", "pw", "INVITE", RURI, NULL,
					  1, out, sizeof(out)), -EINVAL);
	CU_ASSERT_EQUAL(sbc_digest_answer(&ch, "u", "pw", "INVITE", "sip:a\nb", NULL, 1, out,
					  sizeof(out)), -EINVAL);
	CU_ASSERT_EQUAL(sbc_digest_answer(&ch, "u", "pw", "INVITE", RURI, NULL, 1, out, 40),
			-ENOSPC);
	CU_ASSERT_EQUAL(sbc_digest_answer(NULL, "u", "pw", "INVITE", RURI, NULL, 1, out,
					  sizeof(out)), -EINVAL);
	ch.qop_auth = true;
	CU_ASSERT_EQUAL(sbc_digest_answer(&ch, "u", "pw", "INVITE", RURI, NULL, 0, out,
					  sizeof(out)), -EINVAL);
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(sbc_digest_alg_name(SBC_DIGEST_MD5), "MD5");
	CU_ASSERT_STRING_EQUAL(sbc_digest_alg_name(SBC_DIGEST_MD5_SESS), "MD5-sess");
	CU_ASSERT_STRING_EQUAL(sbc_digest_alg_name(SBC_DIGEST_SHA256), "SHA-256");
	CU_ASSERT_STRING_EQUAL(sbc_digest_alg_name(SBC_DIGEST_SHA256_SESS), "SHA-256-sess");
	CU_ASSERT_STRING_EQUAL(sbc_digest_alg_name(SBC_DIGEST_ALG__COUNT), "?");
	CU_ASSERT_STRING_EQUAL(sbc_digest_verdict_name(SBC_DIGEST_OK), "ok");
	CU_ASSERT_STRING_EQUAL(sbc_digest_verdict_name(SBC_DIGEST_STALE), "stale");
	CU_ASSERT_STRING_EQUAL(sbc_digest_verdict_name(SBC_DIGEST_BAD_RESPONSE), "bad_response");
	CU_ASSERT_STRING_EQUAL(sbc_digest_verdict_name(SBC_DIGEST_VERDICT__COUNT), "?");
}

/* ------------------------------------------------------------------ */
/* Fuzz                                                                */

static uint32_t rnd_state = FUZZ_SEED;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Characters that matter to the grammar, and some that never should appear. */
static const char fuzz_chars[] = "\"\\,= \t\r\n\x01\x7f\xff:;<>@%aZ09-";

static size_t mutate(char *buf, size_t len, size_t cap)
{
	unsigned int edits = 1 + rnd() % 4;

	for (unsigned int e = 0; e < edits; e++) {
		size_t at = len ? rnd() % len : 0;

		switch (rnd() % 5) {
		case 0:                                   /* replace */
			if (len)
				buf[at] = fuzz_chars[rnd() % (sizeof(fuzz_chars) - 1)];
			break;
		case 1:                                   /* insert */
			if (len + 1 < cap) {
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = fuzz_chars[rnd() % (sizeof(fuzz_chars) - 1)];
				len++;
			}
			break;
		case 2:                                   /* delete */
			if (len) {
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			}
			break;
		case 3:                                   /* truncate */
			len = at;
			break;
		default:                                  /* duplicate a run */
			if (len) {
				size_t n = 1 + rnd() % 40;

				if (at + n > len)
					n = len - at;
				if (len + n < cap) {
					memmove(buf + at + n, buf + at, len - at);
					len += n;
				}
			}
			break;
		}
	}
	buf[len] = '\0';
	return len;
}

static bool terminated(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

static void test_fuzz(void)
{
	struct sbc_digest_server *s = server();
	struct sbc_digest_credentials c;
	struct sbc_digest_challenge ch;
	char seed_auth[1024], seed_chal[512], buf[2048];
	unsigned int parsed = 0, refused = 0;

	answer(s, SBC_DIGEST_SHA256, 1000, PASS, "INVITE", RURI, &c);
	{
		struct sbc_digest_challenge sc;

		sbc_digest_challenge(s, SBC_DIGEST_SHA256, true, 1000, seed_chal,
				     sizeof(seed_chal));
		CU_ASSERT_EQUAL_FATAL(sbc_digest_parse_challenge(seed_chal, &sc), 0);
		sc.has_opaque = true;
		strcpy(sc.opaque, "op\"aq\\ue");
		sbc_digest_answer(&sc, "pbx \"one\"", PASS, "INVITE", RURI, "cn", 1, seed_auth,
				  sizeof(seed_auth));
	}
	CU_ASSERT_EQUAL_FATAL(sbc_digest_parse_credentials(seed_auth, &c), 0);

	for (unsigned int i = 0; i < FUZZ_ITERATIONS; i++) {
		const char *seed = i % 2 ? seed_chal : seed_auth;
		size_t len = strlen(seed);
		int rc;

		memcpy(buf, seed, len + 1);
		mutate(buf, len, sizeof(buf));
		if (i % 2 == 0) {
			rc = sbc_digest_parse_credentials(buf, &c);
			if (rc == 0) {
				enum sbc_digest_verdict v;

				parsed++;
				CU_ASSERT_FATAL(terminated(c.username, sizeof(c.username)) &&
						terminated(c.realm, sizeof(c.realm)) &&
						terminated(c.nonce, sizeof(c.nonce)) &&
						terminated(c.uri, sizeof(c.uri)) &&
						terminated(c.cnonce, sizeof(c.cnonce)) &&
						terminated(c.opaque, sizeof(c.opaque)) &&
						terminated(c.nc, sizeof(c.nc)) &&
						terminated(c.response, sizeof(c.response)));
				CU_ASSERT_EQUAL_FATAL(strlen(c.nc), 8);
				v = sbc_digest_verify(s, &c, "INVITE", RURI, PASS, 1000);
				CU_ASSERT_FATAL((unsigned int)v < SBC_DIGEST_VERDICT__COUNT);
			} else {
				refused++;
				CU_ASSERT_FATAL(rc == -EINVAL || rc == -E2BIG || rc == -ENOTSUP);
			}
		} else {
			rc = sbc_digest_parse_challenge(buf, &ch);
			if (rc == 0) {
				parsed++;
				CU_ASSERT_FATAL(terminated(ch.realm, sizeof(ch.realm)) &&
						terminated(ch.nonce, sizeof(ch.nonce)) &&
						terminated(ch.opaque, sizeof(ch.opaque)));
				rc = sbc_digest_answer(&ch, "u", "p", "INVITE", RURI, "c", 1, buf,
						       sizeof(buf));
				CU_ASSERT_FATAL(rc > 0 || rc == -EINVAL || rc == -ENOSPC);
			} else {
				refused++;
				CU_ASSERT_FATAL(rc == -EINVAL || rc == -E2BIG || rc == -ENOTSUP);
			}
		}
	}
	/* The mutations reach both outcomes: the loop tests something. */
	CU_ASSERT(parsed > FUZZ_ITERATIONS / 50);
	CU_ASSERT(refused > FUZZ_ITERATIONS / 4);
	sbc_digest_server_destroy(s);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "RFC 2617 / RFC 7616 response vectors", test_rfc_vectors },
		{ "challenge, answer, verify round trip", test_round_trip },
		{ "wrong password, method, URI", test_wrong_password_method_uri },
		{ "stale nonce", test_stale_nonce },
		{ "tampered and foreign nonces", test_tampered_and_foreign_nonces },
		{ "challenge format", test_challenge_format },
		{ "credentials parser", test_parse_credentials },
		{ "client answer", test_client_answer },
		{ "names", test_names },
		{ "fuzz mutated headers", test_fuzz },
	};
	return SBC_TEST_RUN("digest", tests);
}
