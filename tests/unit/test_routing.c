/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/routing.c: the trunk of the other side by
 * Request-URI host (case, IPv6 brackets, ports and parameters), the first
 * trunk with targets as the default, trunks without targets skipped, no
 * route, tenants by Request-URI host for carrier calls, an enterprise
 * caller's tenant, and B's Request-URI and To host.
 */
#include <errno.h>
#include <string.h>

#include "cunit_run.h"

#include "routing.h"
#include "tenant.h"

static char *t_carrier1[] = { "sip:carrier1.example.net:5060;transport=udp" };
static char *t_tls_says_udp[] = { "sip:sbc.example.net:5061;transport=UDP;lr" };
static char *t_carrier2[] = { "198.18.5.1:5080" };
static char *t_carrier6[] = { "sip:[2001:db8::5]:5060" };
static char *t_acme[] = { "sip:pbx@198.18.1.2" };
static char *t_bravo[] = { "198.18.2.2" };

static struct sbc_cfg_trunk trunks[] = {
	{ .name = "pbx-in", .side = SBC_SIDE_ENTERPRISE },            /* no targets */
	{ .name = "carrier1", .side = SBC_SIDE_CARRIER, .targets = t_carrier1, .n_targets = 1 },
	{ .name = "carrier2", .side = SBC_SIDE_CARRIER, .targets = t_carrier2, .n_targets = 1,
	  .transport = SBC_TRANSPORT_TCP },
	{ .name = "carrier6", .side = SBC_SIDE_CARRIER, .targets = t_carrier6, .n_targets = 1,
	  .transport = SBC_TRANSPORT_TLS },
	{ .name = "acme-pbx", .side = SBC_SIDE_ENTERPRISE, .targets = t_acme, .n_targets = 1 },
	{ .name = "bravo-pbx", .side = SBC_SIDE_ENTERPRISE, .targets = t_bravo, .n_targets = 1 },
};

static struct sbc_cfg_tenant tenants[] = {
	{ .name = "acme", .domain = "acme.lon.example.com", .trunk = "acme-pbx" },
	{ .name = "bravo", .domain = "bravo.lon.example.com", .trunk = "bravo-pbx" },
};

static const struct sbc_config cfg = {
	.trunks = trunks, .n_trunks = sizeof(trunks) / sizeof(trunks[0]),
	.tenants = tenants, .n_tenants = 2,
};

static const char *route_name(const struct sbc_cfg_trunk *from, const char *host,
			      const struct sbc_tenants *ts, const char **tenant)
{
	struct sbc_route r;

	sbc_route_call(&cfg, ts, from, host, &r);
	if (tenant != NULL)
		*tenant = r.tenant != NULL ? r.tenant->name : "-";
	return r.trunk != NULL ? r.trunk->name : "-";
}

static void test_by_host(void)
{
	static const struct {
		const char *host;
		const char *trunk;
	} rows[] = {
		{ "carrier1.example.net", "carrier1" },
		{ "CARRIER1.Example.NET", "carrier1" },
		{ "198.18.5.1", "carrier2" },
		{ "[2001:db8::5]", "carrier6" },
		{ "2001:db8::5", "carrier1" },       /* without brackets: not the target as written */
		{ "198.18.5", "carrier1" },          /* a prefix is not the host */
		{ "carrier1.example.ne", "carrier1" },
		{ "unknown.example", "carrier1" },    /* default: first with targets */
		{ NULL, "carrier1" },
	};
	const struct sbc_cfg_trunk *pbx = &trunks[0];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CU_ASSERT_STRING_EQUAL(route_name(pbx, rows[i].host, NULL, NULL), rows[i].trunk);
}

static void test_other_side_only(void)
{
	/* A carrier's call never goes back to a carrier, even when the host names one. */
	CU_ASSERT_STRING_EQUAL(route_name(&trunks[1], "198.18.5.1", NULL, NULL), "acme-pbx");
	CU_ASSERT_STRING_EQUAL(route_name(&trunks[1], "198.18.2.2", NULL, NULL), "bravo-pbx");
}

static void test_no_route(void)
{
	static struct sbc_cfg_trunk lonely[] = {
		{ .name = "c", .side = SBC_SIDE_CARRIER, .targets = t_carrier2, .n_targets = 1 },
		{ .name = "p", .side = SBC_SIDE_ENTERPRISE },
	};
	const struct sbc_config c2 = { .trunks = lonely, .n_trunks = 2 };
	struct sbc_route r;

	sbc_route_call(&c2, NULL, &lonely[0], "198.18.5.1", &r);
	CU_ASSERT_PTR_NULL(r.trunk);
	sbc_route_call(&c2, NULL, &lonely[1], "198.18.5.1", &r);
	CU_ASSERT_PTR_EQUAL(r.trunk, &lonely[0]);
}

static void test_tenants(void)
{
	struct sbc_tenants *ts = sbc_tenants_create(&cfg);
	const char *tenant;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	/* A carrier's call to a tenant's domain goes to that tenant's trunk... */
	CU_ASSERT_STRING_EQUAL(route_name(&trunks[1], "bravo.lon.example.com", ts, &tenant),
			       "bravo-pbx");
	CU_ASSERT_STRING_EQUAL(tenant, "bravo");
	CU_ASSERT_STRING_EQUAL(route_name(&trunks[1], "ACME.lon.example.com", ts, &tenant),
			       "acme-pbx");
	CU_ASSERT_STRING_EQUAL(tenant, "acme");
	/* ...another host is routed by targets, with no tenant */
	CU_ASSERT_STRING_EQUAL(route_name(&trunks[1], "x.acme.lon.example.com", ts, &tenant),
			       "acme-pbx");
	CU_ASSERT_STRING_EQUAL(tenant, "-");
	/* An enterprise caller is its trunk's tenant, routed by host. */
	CU_ASSERT_STRING_EQUAL(route_name(&trunks[5], "198.18.5.1", ts, &tenant), "carrier2");
	CU_ASSERT_STRING_EQUAL(tenant, "bravo");
	CU_ASSERT_STRING_EQUAL(route_name(&trunks[0], "198.18.5.1", ts, &tenant), "carrier2");
	CU_ASSERT_STRING_EQUAL(tenant, "-");
	sbc_tenants_destroy(ts);
}

static void test_request_uri(void)
{
	char buf[128], tiny[12];

	CU_ASSERT(sbc_route_request_uri(&trunks[1], "+441632960123", true, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "sip:+441632960123@carrier1.example.net:5060;user=phone");
	CU_ASSERT(sbc_route_request_uri(&trunks[2], "999", false, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "sip:999@198.18.5.1:5080;transport=tcp");
	CU_ASSERT(sbc_route_request_uri(&trunks[3], "", false, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "sip:[2001:db8::5]:5060;transport=tls");
	/* the target's user is replaced by the called number */
	CU_ASSERT(sbc_route_request_uri(&trunks[4], "2001", false, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "sip:2001@198.18.1.2");
	CU_ASSERT_EQUAL(sbc_route_request_uri(&trunks[1], "1", false, tiny, sizeof(tiny)),
			-ENOSPC);
	CU_ASSERT_EQUAL(sbc_route_request_uri(&trunks[0], "1", false, buf, sizeof(buf)), -ENOENT);
}

/*
 * A target's ;transport= never decides the leg's transport: a TLS trunk
 * whose target says UDP is still reached over TLS (else SRTP keys, allowed
 * on the TLS leg, would travel in clear text).
 */
static void test_transport_is_the_trunks(void)
{
	struct sbc_cfg_trunk tls = { .name = "t", .side = SBC_SIDE_CARRIER,
		.targets = t_tls_says_udp, .n_targets = 1, .transport = SBC_TRANSPORT_TLS };
	struct sbc_cfg_trunk udp = tls;
	char buf[128];

	CU_ASSERT(sbc_route_request_uri(&tls, "999", false, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "sip:999@sbc.example.net:5061;lr;transport=tls");
	udp.transport = SBC_TRANSPORT_UDP;
	udp.targets = t_carrier1;
	CU_ASSERT(sbc_route_request_uri(&udp, "999", false, buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "sip:999@carrier1.example.net:5060");

	CU_ASSERT(sbc_route_target_host(&trunks[1], buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "carrier1.example.net:5060");
	CU_ASSERT(sbc_route_target_host(&trunks[3], buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL(buf, "[2001:db8::5]:5060");
	CU_ASSERT_EQUAL(sbc_route_target_host(&trunks[0], buf, sizeof(buf)), -ENOENT);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "by Request-URI host", test_by_host },
		{ "other side only", test_other_side_only },
		{ "no route", test_no_route },
		{ "tenants", test_tenants },
		{ "Request-URI and To host", test_request_uri },
		{ "the leg's transport is the trunk's", test_transport_is_the_trunks },
	};
	return SBC_TEST_RUN("routing", tests);
}
