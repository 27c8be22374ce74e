/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/identity.c: telephone numbers in user parts,
 * the +44 conversion table of identity.h, Request-URI construction, PAI
 * validation against Network Numbers (exact and prefix ranges), From
 * screening, Privacy parsing and the privacy decision table including the
 * emergency override.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cunit_run.h"

#include "identity.h"

/* Numbers from the Ofcom drama ranges (01632 960xxx, 020 7946 0xxx). */
static char *acme_numbers[] = { "+441632960123", "+441632961*", "+442079460*" };
static const struct sbc_cfg_tenant acme = {
	.name = "acme", .domain = "acme.lon.example.com", .trunk = "acme-pbx",
	.network_numbers = acme_numbers, .n_network_numbers = 3,
	.default_pai = "+441632960000",
};
static const struct sbc_cfg_tenant bare = {
	.name = "bare", .domain = "bare.lon.example.com", .trunk = "bare-pbx",
};

static void test_parse_user(void)
{
	static const struct {
		const char *in;
		int rc;
		const char *number;
		const char *context;      /* NULL: none */
	} rows[] = {
		{ "01632960123", 0, "01632960123", NULL },
		{ "+44-1632-960123", 0, "+441632960123", NULL },
		{ "(01632).960123", 0, "01632960123", NULL },
		{ "%2B441632960123", 0, "+441632960123", NULL },
		{ "118118;phone-context=+44", 0, "118118", "+44" },
		{ "960123;phone-context=+44-1632", 0, "960123", "+441632" },
		{ "7042;phone-context=pbx.example.com", 0, "7042", "pbx.example.com" },
		{ "*21#", 0, "*21#", NULL },
		{ "999;foo;phone-context=%2B44;bar=1", 0, "999", "+44" },
		{ "alice", -EINVAL, NULL, NULL },
		{ "anonymous", -EINVAL, NULL, NULL },
		{ "", -EINVAL, NULL, NULL },
		{ "+", -EINVAL, NULL, NULL },
		{ "-", -EINVAL, NULL, NULL },
		{ "44+1", -EINVAL, NULL, NULL },
		{ "12 34", -EINVAL, NULL, NULL },
		{ "12%4", -EINVAL, NULL, NULL },
		{ "12%g0", -EINVAL, NULL, NULL },
		{ "1;phone-context=", -EINVAL, NULL, NULL },
		{ "1;phone-context=+", -EINVAL, NULL, NULL },
		{ "1;phone-context=+44a", -EINVAL, NULL, NULL },
		{ "1;phone-context=pbx_example", -EINVAL, NULL, NULL },
		{ "1;phone-context=+44;phone-context=+1", -EINVAL, NULL, NULL },
		{ "123456789012345678901234567890123", -E2BIG, NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sbc_id_number n;
		int rc = sbc_identity_parse_user(rows[i].in, &n);

		if (rc != rows[i].rc)
			fprintf(stderr, "\nparse '%s': rc %d, expected %d\n", rows[i].in, rc,
				rows[i].rc);
		CU_ASSERT_EQUAL(rc, rows[i].rc);
		if (rc != 0 || rows[i].rc != 0)
			continue;
		CU_ASSERT_STRING_EQUAL(n.number, rows[i].number);
		CU_ASSERT_EQUAL(n.has_context, rows[i].context != NULL);
		if (rows[i].context != NULL)
			CU_ASSERT_STRING_EQUAL(n.context, rows[i].context);
	}
}

static void test_uri_user(void)
{
	static const struct {
		const char *in;
		int rc;
		const char *user;
	} rows[] = {
		{ "sip:+441632960123@sp.example.com;user=phone", 0, "+441632960123" },
		{ "sips:118118;phone-context=+44@sp.example.com;user=phone", 0,
		  "118118;phone-context=+44" },
		{ "\"John Smith\" <sip:+441632960123@sp.example.com;user=phone>", 0,
		  "+441632960123" },
		{ "\"A <b> \\\"c\\\"\" <sip:01632960123@pbx>;tag=1", 0, "01632960123" },
		{ "<tel:+441632960123>", 0, "+441632960123" },
		{ "tel:+441632960123;foo=bar", 0, "+441632960123;foo=bar" },
		{ "  sip:alice:pw@pbx.example.com  ", 0, "alice" },
		{ "SIP:Bob@[2001:db8::1]:5060", 0, "Bob" },
		{ "sip:pbx.example.com", -ENOENT, NULL },
		{ "<sip:pbx.example.com;transport=tls>", -ENOENT, NULL },
		{ "tel:", -EINVAL, NULL },
		{ "mailto:a@b", -EINVAL, NULL },
		{ "\"unterminated <sip:a@b>", -EINVAL, NULL },
		{ "<sip:a@b", -EINVAL, NULL },
		{ "sip:a@", -EINVAL, NULL },
		{ "", -EINVAL, NULL },
	};
	char out[64];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = sbc_identity_uri_user(rows[i].in, out, sizeof(out));

		if (rc != rows[i].rc)
			fprintf(stderr, "\nuri '%s': rc %d, expected %d\n", rows[i].in, rc,
				rows[i].rc);
		CU_ASSERT_EQUAL(rc, rows[i].rc);
		if (rc == 0 && rows[i].rc == 0)
			CU_ASSERT_STRING_EQUAL(out, rows[i].user);
	}
	CU_ASSERT_EQUAL(sbc_identity_uri_user("sip:+441632960123@h", out, 13), -E2BIG);
	CU_ASSERT_EQUAL(sbc_identity_uri_user("sip:+441632960123@h", out, 14), 0);
	CU_ASSERT_EQUAL(sbc_identity_uri_user(NULL, out, sizeof(out)), -EINVAL);
}

/* The conversion table of identity.h, row by row. */
static void test_uk_conversion_table(void)
{
	static const struct {
		const char *in;
		const char *area;
		int rc;
		const char *out;
	} rows[] = {
		/* already E.164 */
		{ "+441632960123", NULL, SBC_ID_E164, "+441632960123" },
		{ "+12125550123", NULL, SBC_ID_E164, "+12125550123" },
		{ "+44-1632-960123", NULL, SBC_ID_E164, "+441632960123" },
		{ "+441632960123;phone-context=+1", NULL, SBC_ID_E164, "+441632960123" },
		/* international prefix 00 */
		{ "00441632960123", NULL, SBC_ID_E164, "+441632960123" },
		{ "0012125550123", NULL, SBC_ID_E164, "+12125550123" },
		{ "00353215550123", NULL, SBC_ID_E164, "+353215550123" },
		/* UK national, trunk 0 dropped */
		{ "01632960123", NULL, SBC_ID_E164, "+441632960123" },
		{ "02079460123", NULL, SBC_ID_E164, "+442079460123" },
		{ "07700900123", NULL, SBC_ID_E164, "+447700900123" },
		{ "0800123456", NULL, SBC_ID_E164, "+44800123456" },
		{ "01632 960123", NULL, -EINVAL, NULL },
		{ "01632-960123", NULL, SBC_ID_E164, "+441632960123" },
		{ "01632960123;phone-context=+44", NULL, SBC_ID_E164, "+441632960123" },
		/* local numbers need the area code */
		{ "960123", "1632", SBC_ID_E164, "+441632960123" },
		{ "79460123", "20", SBC_ID_E164, "+442079460123" },
		{ "960123;phone-context=+441632", NULL, SBC_ID_E164, "+441632960123" },
		{ "960123;phone-context=+44-1632", "20", SBC_ID_E164, "+441632960123" },
		{ "960123", NULL, SBC_ID_UK_SPECIFIC, "960123" },
		{ "9601234", "1632", SBC_ID_UK_SPECIFIC, "9601234" },   /* 11 digits */
		/* UK-specific: short codes and prefixes, kept */
		{ "999", NULL, SBC_ID_UK_SPECIFIC, "999" },
		{ "999", "1632", SBC_ID_UK_SPECIFIC, "999" },
		{ "112", NULL, SBC_ID_UK_SPECIFIC, "112" },
		{ "118118", NULL, SBC_ID_UK_SPECIFIC, "118118" },
		{ "118118", "1632", SBC_ID_UK_SPECIFIC, "118118" },
		{ "118118;phone-context=+44", NULL, SBC_ID_UK_SPECIFIC, "118118" },
		{ "100", NULL, SBC_ID_UK_SPECIFIC, "100" },
		{ "14102031234567", NULL, SBC_ID_UK_SPECIFIC, "14102031234567" },
		{ "016329601234", NULL, SBC_ID_UK_SPECIFIC, "016329601234" },  /* too long */
		{ "01632", NULL, SBC_ID_UK_SPECIFIC, "01632" },
		{ "012", NULL, SBC_ID_UK_SPECIFIC, "012" },
		{ "016329601", NULL, SBC_ID_UK_SPECIFIC, "016329601" },      /* 9 digits */
		{ "0044016329601", NULL, SBC_ID_UK_SPECIFIC, "0044016329601" },
		{ "00123", NULL, SBC_ID_UK_SPECIFIC, "00123" },
		/* not ours to interpret, or not user=phone material */
		{ "7042;phone-context=pbx.example.com", NULL, SBC_ID_DIAL_STRING, "7042" },
		{ "01632960123;phone-context=+1", NULL, SBC_ID_DIAL_STRING, "01632960123" },
		{ "960123;phone-context=+4416329601", NULL, SBC_ID_DIAL_STRING, "960123" },
		{ "*21#", NULL, SBC_ID_DIAL_STRING, "*21#" },
		{ "+4401632960123", NULL, SBC_ID_DIAL_STRING, "+4401632960123" },
		{ "+44123", NULL, SBC_ID_DIAL_STRING, "+44123" },
		{ "+0441632960123", NULL, SBC_ID_DIAL_STRING, "+0441632960123" },
		/* refused */
		{ "alice", NULL, -EINVAL, NULL },
		{ "", NULL, -EINVAL, NULL },
		{ "01632960123", "01632", -EINVAL, NULL },
		{ "01632960123", "1", -EINVAL, NULL },
		{ "01632960123", "16a2", -EINVAL, NULL },
	};
	char out[SBC_ID_NUMBER_MAX];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = sbc_identity_uk_classify(rows[i].in, rows[i].area, out, sizeof(out));

		if (rc != rows[i].rc || (rc >= 0 && strcmp(out, rows[i].out) != 0))
			fprintf(stderr, "\nclassify '%s' (area %s): %d '%s', expected %d '%s'\n",
				rows[i].in, rows[i].area ? rows[i].area : "-", rc,
				rc >= 0 ? out : "", rows[i].rc, rows[i].out ? rows[i].out : "");
		CU_ASSERT_EQUAL(rc, rows[i].rc);
		if (rc >= 0 && rows[i].rc >= 0)
			CU_ASSERT_STRING_EQUAL(out, rows[i].out);
	}
	CU_ASSERT_EQUAL(sbc_identity_uk_classify("01632960123", NULL, out, 13), -ENOSPC);
	CU_ASSERT_EQUAL(sbc_identity_uk_classify("01632960123", NULL, out, 14), SBC_ID_E164);
	CU_ASSERT_EQUAL(sbc_identity_uk_classify(NULL, NULL, out, sizeof(out)), -EINVAL);
	CU_ASSERT_EQUAL(sbc_identity_uk_classify("999", NULL, NULL, 0), -EINVAL);
}

static void test_build_uri(void)
{
	char out[128], num[SBC_ID_NUMBER_MAX];
	int cls;

	CU_ASSERT_EQUAL(sbc_identity_build_uri(out, sizeof(out), SBC_ID_E164, "+441632960123",
					       "sp.example.com"),
			(int)strlen("sip:+441632960123@sp.example.com;user=phone"));
	CU_ASSERT_STRING_EQUAL(out, "sip:+441632960123@sp.example.com;user=phone");
	sbc_identity_build_uri(out, sizeof(out), SBC_ID_UK_SPECIFIC, "118118", "sp.example.com");
	CU_ASSERT_STRING_EQUAL(out, "sip:118118;phone-context=+44@sp.example.com;user=phone");
	sbc_identity_build_uri(out, sizeof(out), SBC_ID_DIAL_STRING, "*21#", "198.18.0.1");
	CU_ASSERT_STRING_EQUAL(out, "sip:*21%23@198.18.0.1");
	sbc_identity_build_uri(out, sizeof(out), SBC_ID_E164, "+441632960123", "[2001:db8::1]");
	CU_ASSERT_STRING_EQUAL(out, "sip:+441632960123@[2001:db8::1];user=phone");

	/* Classify then build: the profile's examples (section 10.2.1). */
	cls = sbc_identity_uk_classify("01632960123", NULL, num, sizeof(num));
	sbc_identity_build_uri(out, sizeof(out), (enum sbc_id_class)cls, num, "sp.example.com");
	CU_ASSERT_STRING_EQUAL(out, "sip:+441632960123@sp.example.com;user=phone");
	cls = sbc_identity_uk_classify("14102031234567", NULL, num, sizeof(num));
	sbc_identity_build_uri(out, sizeof(out), (enum sbc_id_class)cls, num, "sp.example.com");
	CU_ASSERT_STRING_EQUAL(out,
		"sip:14102031234567;phone-context=+44@sp.example.com;user=phone");

	/* Refusals: wrong class for the number, bad host, too small. */
	CU_ASSERT_EQUAL(sbc_identity_build_uri(out, sizeof(out), SBC_ID_E164, "118118", "h"),
			-EINVAL);
	CU_ASSERT_EQUAL(sbc_identity_build_uri(out, sizeof(out), SBC_ID_UK_SPECIFIC, "+44999",
					       "h"), -EINVAL);
	CU_ASSERT_EQUAL(sbc_identity_build_uri(out, sizeof(out), SBC_ID_DIAL_STRING, "1@2",
					       "h"), -EINVAL);
	CU_ASSERT_EQUAL(sbc_identity_build_uri(out, sizeof(out), SBC_ID_DIAL_STRING, "", "h"),
			-EINVAL);
	CU_ASSERT_EQUAL(sbc_identity_build_uri(out, sizeof(out), SBC_ID_E164, "+441632960123",
					       ""), -EINVAL);
	CU_ASSERT_EQUAL(sbc_identity_build_uri(out, sizeof(out), SBC_ID_E164, "+441632960123",
					       "h>;x"), -EINVAL);
	CU_ASSERT_EQUAL(sbc_identity_build_uri(out, sizeof(out), (enum sbc_id_class)7, "1",
					       "h"), -EINVAL);
	CU_ASSERT_EQUAL(sbc_identity_build_uri(out, 20, SBC_ID_E164, "+441632960123",
					       "sp.example.com"), -ENOSPC);
}

static void test_e164_of_uri(void)
{
	static const struct {
		const char *in;
		int rc;
		const char *out;
	} rows[] = {
		{ "sip:+441632960123@pbx.example.com;user=phone", 0, "+441632960123" },
		{ "\"Reception\" <sip:01632960123@pbx.example.com>", 0, "+441632960123" },
		{ "<tel:+44-1632-960123>", 0, "+441632960123" },
		{ "sip:00441632960123@pbx", 0, "+441632960123" },
		{ "sip:alice@pbx.example.com", -ENOENT, NULL },
		{ "sip:anonymous@anonymous.invalid", -ENOENT, NULL },
		{ "sip:118118@pbx", -ENOENT, NULL },
		{ "sip:pbx.example.com", -ENOENT, NULL },
		{ "<sip:1@pbx", -EINVAL, NULL },
	};
	char out[SBC_ID_NUMBER_MAX];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = sbc_identity_e164_of_uri(rows[i].in, out, sizeof(out));

		if (rc != rows[i].rc)
			fprintf(stderr, "\ne164 '%s': rc %d, expected %d\n", rows[i].in, rc,
				rows[i].rc);
		CU_ASSERT_EQUAL(rc, rows[i].rc);
		if (rc == 0 && rows[i].rc == 0)
			CU_ASSERT_STRING_EQUAL(out, rows[i].out);
	}
}

static void test_network_numbers(void)
{
	static const struct {
		const char *number;
		bool allowed;
	} rows[] = {
		{ "+441632960123", true },            /* exact */
		{ "+441632960124", false },           /* exact entry: no neighbours */
		{ "+44163296012", false },
		{ "+4416329601234", false },
		{ "+441632961000", true },            /* range +441632961* */
		{ "+441632961999", true },
		{ "+4416329619", true },              /* any length the range covers */
		{ "+441632962000", false },
		{ "+442079460123", true },            /* range +442079460* */
		{ "+442079461123", false },
		{ "441632960123", false },            /* not E.164 */
		{ "01632960123", false },
		{ "+441632961*", false },             /* the pattern is not a number */
		{ "", false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool got = sbc_identity_number_allowed(&acme, rows[i].number);

		if (got != rows[i].allowed)
			fprintf(stderr, "\nallowed '%s': %d\n", rows[i].number, got);
		CU_ASSERT_EQUAL(got, rows[i].allowed);
	}
	CU_ASSERT_FALSE(sbc_identity_number_allowed(&bare, "+441632960123"));
	CU_ASSERT_FALSE(sbc_identity_number_allowed(NULL, "+441632960123"));
	CU_ASSERT_FALSE(sbc_identity_number_allowed(&acme, NULL));
}

static void test_select_pai(void)
{
	static const struct {
		const char *pai;
		int rc;
		const char *out;
	} rows[] = {
		{ "<sip:+441632960123@pbx.example.com;user=phone>", SBC_ID_PAI_KEEP,
		  "+441632960123" },
		{ "\"Sales\" <sip:+441632961555@pbx.example.com;user=phone>", SBC_ID_PAI_KEEP,
		  "+441632961555" },
		{ "<tel:+442079460001>", SBC_ID_PAI_KEEP, "+442079460001" },
		{ "<sip:01632960123@pbx.example.com>", SBC_ID_PAI_KEEP, "+441632960123" },
		{ "<sip:+441632970123@pbx.example.com;user=phone>", SBC_ID_PAI_DEFAULT,
		  "+441632960000" },
		{ "<sip:+12125550123@pbx.example.com;user=phone>", SBC_ID_PAI_DEFAULT,
		  "+441632960000" },
		{ "<sip:alice@pbx.example.com>", SBC_ID_PAI_DEFAULT, "+441632960000" },
		{ "garbage", SBC_ID_PAI_DEFAULT, "+441632960000" },
		{ "", SBC_ID_PAI_DEFAULT, "+441632960000" },
		{ NULL, SBC_ID_PAI_DEFAULT, "+441632960000" },
	};
	char out[SBC_ID_NUMBER_MAX];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = sbc_identity_select_pai(&acme, rows[i].pai, out, sizeof(out));

		if (rc != rows[i].rc)
			fprintf(stderr, "\npai '%s': rc %d\n", rows[i].pai ? rows[i].pai : "NULL",
				rc);
		CU_ASSERT_EQUAL(rc, rows[i].rc);
		if (rc >= 0 && rows[i].rc >= 0)
			CU_ASSERT_STRING_EQUAL(out, rows[i].out);
	}
	/* No default configured: nothing can be asserted. */
	CU_ASSERT_EQUAL(sbc_identity_select_pai(&bare, "<sip:+441632960123@pbx>", out,
						sizeof(out)), -ENOENT);
	CU_ASSERT_EQUAL(sbc_identity_select_pai(&bare, NULL, out, sizeof(out)), -ENOENT);
	CU_ASSERT_EQUAL(sbc_identity_select_pai(&acme, NULL, out, 5), -ENOSPC);
	CU_ASSERT_EQUAL(sbc_identity_select_pai(NULL, NULL, out, sizeof(out)), -EINVAL);
}

static void test_screen_from(void)
{
	struct sbc_cfg_trunk screened = { .name = "acme-pbx" };
	struct sbc_cfg_trunk special = { .name = "acme-pbx", .from_special_arrangement = true };

	CU_ASSERT_EQUAL(sbc_identity_screen_from(&screened, &acme,
		"\"Reception\" <sip:+441632960123@pbx.example.com;user=phone>;tag=1"),
		SBC_ID_FROM_VERIFIED);
	CU_ASSERT_EQUAL(sbc_identity_screen_from(&screened, &acme,
		"<sip:02079460555@pbx.example.com>;tag=1"), SBC_ID_FROM_VERIFIED);
	CU_ASSERT_EQUAL(sbc_identity_screen_from(&screened, &acme,
		"<sip:+441632970123@pbx.example.com;user=phone>"), SBC_ID_FROM_REPLACE);
	CU_ASSERT_EQUAL(sbc_identity_screen_from(&screened, &acme,
		"<sip:alice@pbx.example.com>"), SBC_ID_FROM_REPLACE);
	CU_ASSERT_EQUAL(sbc_identity_screen_from(&screened, &acme, "garbage"),
			SBC_ID_FROM_REPLACE);
	/* Anonymous is no identity to verify. */
	CU_ASSERT_EQUAL(sbc_identity_screen_from(&screened, &acme,
		"\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=9"), SBC_ID_FROM_PASS);
	CU_ASSERT_EQUAL(sbc_identity_screen_from(&screened, &acme,
		"<sip:Anonymous@pbx.example.com>"), SBC_ID_FROM_PASS);
	CU_ASSERT_EQUAL(sbc_identity_screen_from(&screened, &acme,
		"<sip:x@ANONYMOUS.INVALID>"), SBC_ID_FROM_PASS);
	/* Special arrangement: not screened at all. */
	CU_ASSERT_EQUAL(sbc_identity_screen_from(&special, &acme,
		"<sip:+12125550123@pbx.example.com;user=phone>"), SBC_ID_FROM_PASS);
	CU_ASSERT_EQUAL(sbc_identity_screen_from(NULL, &acme, "<sip:a@b>"), -EINVAL);
	CU_ASSERT_EQUAL(sbc_identity_screen_from(&screened, NULL, "<sip:a@b>"), -EINVAL);
	CU_ASSERT_EQUAL(sbc_identity_screen_from(&screened, &acme, NULL), -EINVAL);
}

static void test_privacy_parse(void)
{
	static const struct {
		const char *in;
		unsigned int mask;
	} rows[] = {
		{ NULL, 0 },
		{ "", 0 },
		{ "id", SBC_PRIV_ID },
		{ "ID", SBC_PRIV_ID },
		{ "none", SBC_PRIV_NONE },
		{ "id;user", SBC_PRIV_ID | SBC_PRIV_USER },
		{ " id ; user ;critical", SBC_PRIV_ID | SBC_PRIV_USER | SBC_PRIV_CRITICAL },
		{ "header, session", SBC_PRIV_HEADER | SBC_PRIV_SESSION },
		{ "history", SBC_PRIV_HISTORY },
		{ "id;;", SBC_PRIV_ID },
		{ "idx", SBC_PRIV_UNKNOWN },
		{ "id;frobnicate", SBC_PRIV_ID | SBC_PRIV_UNKNOWN },
		{ "i d", SBC_PRIV_UNKNOWN },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CU_ASSERT_EQUAL(sbc_privacy_parse(rows[i].in), rows[i].mask);
}

/* The decision table of identity.h. */
static void test_privacy_decide(void)
{
	enum { C = SBC_SIDE_CARRIER, E = SBC_SIDE_ENTERPRISE };
	static const struct {
		const char *privacy;
		bool trusted;
		int side;
		bool emergency;
		bool requested, strip_pai, anon_from, hide;
	} rows[] = {
		/* nothing requested */
		{ NULL, false, C, false, false, false, false, false },
		{ "none", false, C, false, false, false, false, false },
		{ "critical", false, E, false, false, false, false, false },
		{ "frobnicate", false, E, false, false, false, false, false },
		/* id: PAI stripped toward untrusted only */
		{ "id", false, C, false, true, true, true, true },
		{ "id", true, C, false, true, false, false, false },
		{ "id", false, E, false, true, true, true, true },
		/* trusted PBX: PAI and Privacy kept, From anonymous (10.1.4) */
		{ "id", true, E, false, true, false, true, true },
		/* user: From anonymous unless a trusted carrier applies it */
		{ "user", false, C, false, true, false, true, true },
		{ "user", true, C, false, true, false, false, false },
		{ "user", true, E, false, true, false, true, true },
		{ "id;user", false, C, false, true, true, true, true },
		{ "id;user;critical", true, C, false, true, false, false, false },
		/* header, history: identity headers only */
		{ "header", false, C, false, true, false, false, true },
		{ "history", false, E, false, true, false, false, true },
		{ "header", true, C, false, true, false, false, false },
		{ "session", false, C, false, true, false, false, false },
		/* "none" mixed with others: the others count */
		{ "none;id", false, C, false, true, true, true, true },
		/* emergency: nothing withheld, whatever was asked */
		{ "id;user;header;critical", false, C, true, true, false, false, false },
		{ "id", false, E, true, true, false, false, false },
		{ "user", false, C, true, true, false, false, false },
		{ NULL, false, C, true, false, false, false, false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sbc_privacy_decision d;

		memset(&d, 0xa5, sizeof(d));
		sbc_privacy_decide(sbc_privacy_parse(rows[i].privacy), rows[i].trusted,
				   (enum sbc_side)rows[i].side, rows[i].emergency, &d);
		if (d.requested != rows[i].requested || d.strip_pai != rows[i].strip_pai ||
		    d.anonymise_from != rows[i].anon_from ||
		    d.hide_identity_headers != rows[i].hide)
			fprintf(stderr, "\nrow %zu (%s, trusted %d, side %d, emergency %d): "
				"%d %d %d %d\n", i, rows[i].privacy ? rows[i].privacy : "-",
				rows[i].trusted, rows[i].side, rows[i].emergency, d.requested,
				d.strip_pai, d.anonymise_from, d.hide_identity_headers);
		CU_ASSERT_EQUAL(d.requested, rows[i].requested);
		CU_ASSERT_EQUAL(d.strip_pai, rows[i].strip_pai);
		CU_ASSERT_EQUAL(d.anonymise_from, rows[i].anon_from);
		CU_ASSERT_EQUAL(d.hide_identity_headers, rows[i].hide);
	}
}

static void test_identity_headers(void)
{
	CU_ASSERT_TRUE(sbc_privacy_header_reveals_identity("History-Info"));
	CU_ASSERT_TRUE(sbc_privacy_header_reveals_identity("p-preferred-identity"));
	CU_ASSERT_TRUE(sbc_privacy_header_reveals_identity("Remote-Party-ID"));
	CU_ASSERT_TRUE(sbc_privacy_header_reveals_identity("Diversion"));
	CU_ASSERT_FALSE(sbc_privacy_header_reveals_identity("P-Asserted-Identity"));
	CU_ASSERT_FALSE(sbc_privacy_header_reveals_identity("Geolocation"));
	CU_ASSERT_FALSE(sbc_privacy_header_reveals_identity("Via"));
	CU_ASSERT_FALSE(sbc_privacy_header_reveals_identity(NULL));
	CU_ASSERT_STRING_EQUAL(SBC_ID_ANONYMOUS_FROM,
			       "\"Anonymous\" <sip:anonymous@anonymous.invalid>");
}

/* Mutated URIs through every parser: bounded, terminated, no crash. */
static void test_fuzz(void)
{
	static const char *const seeds[] = {
		"\"John \\\"J\\\" Smith\" <sip:+44-1632-960123;phone-context=+44@pbx.example.com"
		";user=phone>;tag=1",
		"<tel:960123;phone-context=%2B441632;isub=1>",
		"sip:118118;phone-context=+44@[2001:db8::1]:5061;user=phone",
		"sips:anonymous:pw@anonymous.invalid?subject=x",
	};
	static const char chars[] = "\"\\<>@:;=+%-.()*# \t0a9\xff";
	struct sbc_cfg_trunk tr = { .name = "t" };
	uint32_t x = 0x49444e54u;
	char buf[512], out[SBC_ID_USER_MAX + 1], num[40];
	unsigned int ok = 0;

	for (unsigned int i = 0; i < 20000; i++) {
		const char *seed = seeds[i % 4];
		size_t len = strlen(seed);
		int rc;

		memcpy(buf, seed, len + 1);
		for (unsigned int e = 0; e < 1 + i % 5; e++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			if (x % 3 == 0)
				len = x % (len + 1);                       /* truncate */
			else if (len > 0)
				buf[x % len] = chars[(x >> 8) % (sizeof(chars) - 1)];
			buf[len] = '\0';
		}
		rc = sbc_identity_uri_user(buf, out, sizeof(out));
		CU_ASSERT_FATAL(rc == 0 || rc == -ENOENT || rc == -EINVAL || rc == -E2BIG);
		if (rc == 0) {
			CU_ASSERT_FATAL(strnlen(out, sizeof(out)) < sizeof(out));
			rc = sbc_identity_uk_classify(out, "1632", num, sizeof(num));
			CU_ASSERT_FATAL(rc >= 0 || rc == -EINVAL || rc == -E2BIG || rc == -ENOSPC);
			ok += rc >= 0;
		}
		rc = sbc_identity_screen_from(&tr, &acme, buf);
		CU_ASSERT_FATAL(rc >= 0);
		sbc_privacy_parse(buf);
	}
	CU_ASSERT(ok > 1000);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "user part parsing", test_parse_user },
		{ "user part of URIs", test_uri_user },
		{ "+44 conversion table", test_uk_conversion_table },
		{ "Request-URI construction", test_build_uri },
		{ "E.164 of a URI", test_e164_of_uri },
		{ "Network Numbers: exact and ranges", test_network_numbers },
		{ "PAI validation and default", test_select_pai },
		{ "From screening", test_screen_from },
		{ "Privacy parsing", test_privacy_parse },
		{ "privacy decision table", test_privacy_decide },
		{ "identity-revealing headers", test_identity_headers },
		{ "fuzz mutated URIs", test_fuzz },
	};
	return SBC_TEST_RUN("identity", tests);
}
