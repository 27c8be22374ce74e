/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/emergency.c: the table of accepted and
 * refused Request-URI forms documented in emergency.h, with the default
 * numbers and with a configured global form.
 */
#include <stdio.h>
#include <string.h>

#include "cunit_run.h"

#include "emergency.h"

static char *default_numbers[] = { "999", "112", "911" };
static const struct sbc_cfg_emergency uk = { default_numbers, 3 };

struct row {
	const char *in;
	const char *match;            /* configured number expected; NULL = no match */
};

static void check_rows(const struct sbc_cfg_emergency *em, const struct row *rows,
		       size_t n, bool uri)
{
	for (size_t i = 0; i < n; i++) {
		const char *got = uri ? sbc_emergency_match_uri(em, rows[i].in) :
			sbc_emergency_match_user(em, rows[i].in);
		bool ok = rows[i].match == NULL ? got == NULL :
			(got != NULL && strcmp(got, rows[i].match) == 0);

		if (!ok)
			fprintf(stderr, "\n%s '%s': expected %s, got %s\n", uri ? "uri" : "user",
				rows[i].in, rows[i].match ? rows[i].match : "no match",
				got ? got : "no match");
		CU_ASSERT_TRUE(ok);
	}
}

static void test_user_table(void)
{
	static const struct row rows[] = {
		/* accepted */
		{ "999", "999" },
		{ "112", "112" },
		{ "911", "911" },
		{ "999;phone-context=+44", "999" },
		{ "112;phone-context=+44", "112" },
		{ "999;phone-context=+1-212", "999" },
		{ "112;phone-context=pbx.example.com", "112" },
		{ "999;PHONE-CONTEXT=+44", "999" },
		{ "999;isub=12;phone-context=+44", "999" },
		{ "999;ext=1", "999" },
		{ "9-9-9", "999" },
		{ "9.9.9", "999" },
		{ "(999)", "999" },
		{ "%39%39%39", "999" },
		{ "11%32", "112" },
		{ "%3999", "999" },                 /* %39 then "99" */
		/* refused */
		{ "9990", NULL },
		{ "0999", NULL },
		{ "1999", NULL },
		{ "99", NULL },
		{ "9", NULL },
		{ "+44999", NULL },
		{ "+999", NULL },
		{ "+4412345", NULL },
		{ "+44112", NULL },
		{ "999#", NULL },
		{ "*999", NULL },
		{ "#999", NULL },
		{ "999a", NULL },
		{ " 999", NULL },
		{ "999 ", NULL },
		{ "9 9 9", NULL },
		{ "", NULL },
		{ ";phone-context=+44", NULL },
		{ "%", NULL },
		{ "%9", NULL },
		{ "%zz999", NULL },
		{ "999;phone-context=+44;phone-context=+44", NULL },
		{ "999;phone-context=", NULL },
		{ "alice", NULL },
		{ "emergency", NULL },
		{ "sos", NULL },
	};

	check_rows(&uk, rows, sizeof(rows) / sizeof(rows[0]), false);
}

static void test_uri_table(void)
{
	static const struct row rows[] = {
		{ "sip:999@sp.example.com", "999" },
		{ "sip:999@sp.example.com;user=phone", "999" },
		{ "sip:999;phone-context=+44@sp.example.com;user=phone", "999" },
		{ "SIP:112@198.18.0.1:5060;transport=tcp", "112" },
		{ "sips:911@[2001:db8::1]:5061", "911" },
		{ "sip:999:secret@sp.example.com", "999" },
		{ "tel:112", "112" },
		{ "tel:999;phone-context=+44", "999" },
		{ "<sip:999@sp.example.com>", "999" },
		{ "urn:service:sos", SBC_EMERGENCY_SOS_URN },
		{ "URN:Service:SOS", SBC_EMERGENCY_SOS_URN },
		{ "urn:service:sos.police", SBC_EMERGENCY_SOS_URN },
		{ "urn:service:sos.ambulance", SBC_EMERGENCY_SOS_URN },
		/* refused */
		{ "sip:9990@sp.example.com", NULL },
		{ "sip:+44999@sp.example.com;user=phone", NULL },
		{ "sip:+4412345@sp.example.com;user=phone", NULL },
		{ "sip:sp.example.com", NULL },
		{ "sip:alice@999", NULL },
		{ "sip:@sp.example.com", NULL },
		{ "tel:+44112", NULL },
		{ "tel:", NULL },
		{ "mailto:999@sp.example.com", NULL },
		{ "999", NULL },
		{ "urn:service:sos2", NULL },
		{ "urn:service:sos.", NULL },
		{ "urn:service:sos.po lice", NULL },
		{ "urn:service:counseling", NULL },
		{ "urn:service:so", NULL },
		{ "", NULL },
	};

	check_rows(&uk, rows, sizeof(rows) / sizeof(rows[0]), true);
}

/* A global form matches only when the operator configured it. */
static void test_configured_global_form(void)
{
	static char *numbers[] = { "999", "+44999" };
	static const struct sbc_cfg_emergency em = { numbers, 2 };
	static const struct row rows[] = {
		{ "+44999", "+44999" },
		{ "+44-999", "+44999" },
		{ "%2B44999", "+44999" },
		{ "999", "999" },
		{ "44999", NULL },
		{ "+449990", NULL },
		{ "112", NULL },             /* not configured here */
	};

	check_rows(&em, rows, sizeof(rows) / sizeof(rows[0]), false);
	CU_ASSERT_STRING_EQUAL(sbc_emergency_match_uri(&em, "sip:+44999@sp.example.com;user=phone"),
			       "+44999");
}

static void test_arguments(void)
{
	static const struct sbc_cfg_emergency none = { NULL, 0 };
	char longer[600];

	CU_ASSERT_PTR_NULL(sbc_emergency_match_user(NULL, "999"));
	CU_ASSERT_PTR_NULL(sbc_emergency_match_user(&uk, NULL));
	CU_ASSERT_PTR_NULL(sbc_emergency_match_uri(NULL, "sip:999@h"));
	CU_ASSERT_PTR_NULL(sbc_emergency_match_uri(&uk, NULL));
	CU_ASSERT_PTR_NULL(sbc_emergency_match_user(&none, "999"));
	/* The URN needs no configured number. */
	CU_ASSERT_PTR_NOT_NULL(sbc_emergency_match_uri(&none, "urn:service:sos"));
	/* A user part longer than any number, padded with parameters. */
	memset(longer, 'x', sizeof(longer));
	memcpy(longer, "999;p=", 6);
	longer[sizeof(longer) - 1] = '\0';
	CU_ASSERT_PTR_NULL(sbc_emergency_match_user(&uk, longer));
	/* Returns a pointer into the config. */
	CU_ASSERT_PTR_EQUAL(sbc_emergency_match_user(&uk, "112"), default_numbers[1]);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "user part table", test_user_table },
		{ "Request-URI table", test_uri_table },
		{ "configured global form", test_configured_global_form },
		{ "arguments and bounds", test_arguments },
	};
	return SBC_TEST_RUN("emergency", tests);
}
