/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/tenant.c: exact, case-insensitive host
 * matching, the trailing dot, no suffix matching, address literals, the
 * host of Request-URIs of every shape, case-duplicate domains, and a large
 * tenant table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_run.h"

#include "tenant.h"

static struct sbc_cfg_tenant three[] = {
	{ .name = "acme", .domain = "acme.lon.example.com", .trunk = "acme-pbx" },
	{ .name = "bravo", .domain = "bravo.lon.example.com", .trunk = "bravo-pbx" },
	{ .name = "acme-man", .domain = "acme.man.example.com", .trunk = "acme-man-pbx" },
};

static const struct sbc_config cfg3 = { .tenants = three, .n_tenants = 3 };

static const char *name_of(const struct sbc_cfg_tenant *t)
{
	return t != NULL ? t->name : "(none)";
}

static void test_by_host(void)
{
	static const struct {
		const char *host;
		const char *tenant;       /* NULL = none */
	} rows[] = {
		{ "acme.lon.example.com", "acme" },
		{ "ACME.Lon.Example.COM", "acme" },
		{ "acme.lon.example.com.", "acme" },
		{ "bravo.lon.example.com", "bravo" },
		{ "acme.man.example.com", "acme-man" },
		/* whole host only: no suffix, prefix or wildcard */
		{ "x.acme.lon.example.com", NULL },
		{ "lon.example.com", NULL },
		{ "acme.lon.example", NULL },
		{ "acme.lon.example.com..", NULL },
		{ "acme.lon.example.co", NULL },
		{ "acme.lon.example.comx", NULL },
		{ "acme", NULL },
		{ "", NULL },
		{ ".", NULL },
		{ "198.18.0.1", NULL },
		{ "[2001:db8::1]", NULL },
	};
	struct sbc_tenants *ts = sbc_tenants_create(&cfg3);

	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct sbc_cfg_tenant *t = sbc_tenants_by_host(ts, rows[i].host);

		if ((t == NULL) != (rows[i].tenant == NULL) ||
		    (t != NULL && strcmp(t->name, rows[i].tenant) != 0))
			fprintf(stderr, "\nhost '%s': %s\n", rows[i].host, name_of(t));
		if (rows[i].tenant == NULL) {
			CU_ASSERT_PTR_NULL(t);
		} else {
			CU_ASSERT_STRING_EQUAL(name_of(t), rows[i].tenant);
		}
	}
	CU_ASSERT_PTR_NULL(sbc_tenants_by_host(ts, NULL));
	CU_ASSERT_PTR_NULL(sbc_tenants_by_host(NULL, "acme.lon.example.com"));
	/* The result points into the config. */
	CU_ASSERT_PTR_EQUAL(sbc_tenants_by_host(ts, "bravo.lon.example.com"), &three[1]);
	sbc_tenants_destroy(ts);
}

static void test_by_ruri(void)
{
	static const struct {
		const char *ruri;
		const char *tenant;
	} rows[] = {
		{ "sip:+441632960123@acme.lon.example.com;user=phone", "acme" },
		{ "sip:+441632960123@ACME.lon.example.com:5061;transport=tls", "acme" },
		{ "sips:+441632960123@bravo.lon.example.com", "bravo" },
		{ "sip:118118;phone-context=+44@acme.man.example.com;user=phone", "acme-man" },
		{ "sip:alice:secret@acme.lon.example.com", "acme" },
		{ "sip:acme.lon.example.com", "acme" },
		{ "sip:acme.lon.example.com:5060", "acme" },
		{ "SIP:a@acme.lon.example.com?subject=x", "acme" },
		{ "sip:a@acme.lon.example.com.;lr", "acme" },
		{ "sip:+441632960123@sbc.lon.example.com;user=phone", NULL },
		{ "sip:+441632960123@198.18.0.1:5060", NULL },
		{ "sip:+441632960123@[2001:db8::1]:5060", NULL },
		{ "sip:a@x.acme.lon.example.com", NULL },
		{ "tel:+441632960123", NULL },
		{ "acme.lon.example.com", NULL },
		{ "sip:", NULL },
		{ "sip:a@", NULL },
		{ "", NULL },
	};
	struct sbc_tenants *ts = sbc_tenants_create(&cfg3);

	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct sbc_cfg_tenant *t = sbc_tenants_by_ruri(ts, rows[i].ruri);

		if ((t == NULL) != (rows[i].tenant == NULL) ||
		    (t != NULL && strcmp(t->name, rows[i].tenant) != 0))
			fprintf(stderr, "\nruri '%s': %s\n", rows[i].ruri, name_of(t));
		if (rows[i].tenant == NULL) {
			CU_ASSERT_PTR_NULL(t);
		} else {
			CU_ASSERT_STRING_EQUAL(name_of(t), rows[i].tenant);
		}
	}
	CU_ASSERT_PTR_NULL(sbc_tenants_by_ruri(ts, NULL));
	sbc_tenants_destroy(ts);
}

static void test_case_duplicates_and_empty(void)
{
	static struct sbc_cfg_tenant dup[] = {
		{ .name = "a", .domain = "acme.lon.example.com", .trunk = "t" },
		{ .name = "b", .domain = "ACME.lon.example.com", .trunk = "t" },
	};
	static const struct sbc_config cfg_dup = { .tenants = dup, .n_tenants = 2 };
	static const struct sbc_config empty = { 0 };
	struct sbc_tenants *ts;

	errno = 0;
	CU_ASSERT_PTR_NULL(sbc_tenants_create(&cfg_dup));
	CU_ASSERT_EQUAL(errno, EINVAL);
	ts = sbc_tenants_create(&empty);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	CU_ASSERT_PTR_NULL(sbc_tenants_by_host(ts, "acme.lon.example.com"));
	sbc_tenants_destroy(ts);
	sbc_tenants_destroy(NULL);
}

/* The config allows 100000 tenants: every one is found, nothing else is. */
static void test_many(void)
{
	enum { N = 100000 };
	struct sbc_cfg_tenant *t = calloc(N, sizeof(*t));
	char (*dom)[48] = calloc(N, sizeof(*dom));
	struct sbc_config cfg = { .tenants = t, .n_tenants = N };
	struct sbc_tenants *ts;
	char host[64];
	unsigned int found = 0, wrong = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dom);
	for (unsigned int i = 0; i < N; i++) {
		snprintf(dom[i], sizeof(dom[i]), "c%u.r%u.example.com", i, i % 7);
		t[i].name = dom[i];
		t[i].domain = dom[i];
	}
	ts = sbc_tenants_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	for (unsigned int i = 0; i < N; i++) {
		snprintf(host, sizeof(host), "C%u.R%u.EXAMPLE.COM", i, i % 7);
		found += sbc_tenants_by_host(ts, host) == &t[i];
		snprintf(host, sizeof(host), "c%u.r%u.example.com", i, (i + 1) % 7);
		wrong += sbc_tenants_by_host(ts, host) != NULL;
	}
	CU_ASSERT_EQUAL(found, N);
	CU_ASSERT_EQUAL(wrong, 0);
	sbc_tenants_destroy(ts);
	free(dom);
	free(t);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "by host", test_by_host },
		{ "by Request-URI", test_by_ruri },
		{ "case duplicates, no tenants", test_case_duplicates_and_empty },
		{ "100000 tenants", test_many },
	};
	return SBC_TEST_RUN("tenant", tests);
}
