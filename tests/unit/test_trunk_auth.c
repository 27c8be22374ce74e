/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/trunk_auth.c: trunks by source (longest
 * prefix, interface, IPv6), by X-Trunk-Key over TLS only, refusals with
 * their SIP status, digest-only PBXs, the unknown-source policy, and the
 * config keys that feed them (sip.unknown_source, sip.pike,
 * trunks[].inbound_auth, network number ranges) loaded from YAML.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_run.h"

#include "trunk_auth.h"

#define KEY_A "k3y-for-carrier-a-0123456789"

static struct sbc_prefix carrier_src[2], carrier_wide_src[1], pbx_src[1], v6_src[1];
static struct sbc_cfg_trunk trunks[6];
static struct sbc_config cfg;

static struct sbc_ip ip(const char *s)
{
	struct sbc_ip a;

	CU_ASSERT_EQUAL_FATAL(sbc_ip_parse(&a, s), 0);
	return a;
}

static int setup(void)
{
	if (sbc_prefix_parse(&carrier_src[0], "198.18.1.0/24", true) != 0 ||
	    sbc_prefix_parse(&carrier_src[1], "198.18.2.7/32", true) != 0 ||
	    sbc_prefix_parse(&carrier_wide_src[0], "198.18.0.0/16", true) != 0 ||
	    sbc_prefix_parse(&pbx_src[0], "198.19.5.0/24", true) != 0 ||
	    sbc_prefix_parse(&v6_src[0], "2001:db8:5::/48", true) != 0)
		return -1;
	memset(trunks, 0, sizeof(trunks));
	/* Carrier side, interface "carrier". */
	trunks[0] = (struct sbc_cfg_trunk){ .name = "wide", .side = SBC_SIDE_CARRIER,
		.interface = "carrier", .sources = carrier_wide_src, .n_sources = 1 };
	trunks[1] = (struct sbc_cfg_trunk){ .name = "carrier-a", .side = SBC_SIDE_CARRIER,
		.interface = "carrier", .sources = carrier_src, .n_sources = 2,
		.trunk_group_id = "tg-a", .trunk_key = KEY_A };
	trunks[2] = (struct sbc_cfg_trunk){ .name = "carrier-b", .side = SBC_SIDE_CARRIER,
		.interface = "carrier", .trunk_group_id = "tg-b",
		.trunk_key = "another-key-for-b-9876543210" };
	/* Enterprise side, interface "pbx". */
	trunks[3] = (struct sbc_cfg_trunk){ .name = "pbx-fixed", .side = SBC_SIDE_ENTERPRISE,
		.interface = "pbx", .sources = pbx_src, .n_sources = 1 };
	trunks[4] = (struct sbc_cfg_trunk){ .name = "pbx-fixed-auth",
		.side = SBC_SIDE_ENTERPRISE, .interface = "pbx", .sources = v6_src,
		.n_sources = 1, .inbound_auth = { "fixed-user", "Zx9-qT4u-88Lw-PmR2", "sp" } };
	trunks[5] = (struct sbc_cfg_trunk){ .name = "pbx-roaming",
		.side = SBC_SIDE_ENTERPRISE, .interface = "pbx",
		.inbound_auth = { "roaming-user", "Lw88-Zx9q-T4uP-mR22", "sp" } };
	memset(&cfg, 0, sizeof(cfg));
	cfg.trunks = trunks;
	cfg.n_trunks = 6;
	cfg.sip.unknown_source = SBC_UNKNOWN_SOURCE_REJECT;
	return 0;
}

static struct sbc_trunk_auth_result run(const char *iface, const char *src,
					enum sbc_transport tp, const char *tg, const char *key)
{
	struct sbc_trunk_auth_request rq = { .interface = iface, .src = ip(src),
					     .transport = tp, .trunk_group_id = tg,
					     .trunk_key = key };
	struct sbc_trunk_auth_result r;

	memset(&r, 0xa5, sizeof(r));
	CU_ASSERT_EQUAL(sbc_trunk_auth(&cfg, &rq, &r), 0);
	return r;
}

static const char *trunk_name(const struct sbc_trunk_auth_result *r)
{
	return r->trunk != NULL ? r->trunk->name : "(none)";
}

static void test_by_source(void)
{
	struct sbc_trunk_auth_result r;

	/* Longest prefix: /24 and /32 of carrier-a beat the /16 of "wide". */
	r = run("carrier", "198.18.1.9", SBC_TRANSPORT_UDP, NULL, NULL);
	CU_ASSERT_EQUAL(r.reason, SBC_TA_SOURCE);
	CU_ASSERT_STRING_EQUAL(trunk_name(&r), "carrier-a");
	CU_ASSERT_FALSE(r.digest);
	CU_ASSERT_FALSE(r.drop);
	r = run("carrier", "198.18.2.7", SBC_TRANSPORT_TCP, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(trunk_name(&r), "carrier-a");
	r = run("carrier", "198.18.2.8", SBC_TRANSPORT_UDP, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(trunk_name(&r), "wide");
	/* Another interface does not see the carrier side's trunks. */
	r = run("pbx", "198.18.1.9", SBC_TRANSPORT_UDP, NULL, NULL);
	CU_ASSERT_NOT_EQUAL(r.reason, SBC_TA_SOURCE);
	CU_ASSERT_PTR_NULL(r.trunk);
	/* NULL interface: any. */
	r = run(NULL, "198.19.5.200", SBC_TRANSPORT_UDP, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(trunk_name(&r), "pbx-fixed");
	/* IPv6, and a trunk by source that must also pass digest. */
	r = run("pbx", "2001:db8:5:ff::1", SBC_TRANSPORT_TLS, NULL, NULL);
	CU_ASSERT_EQUAL(r.reason, SBC_TA_SOURCE);
	CU_ASSERT_STRING_EQUAL(trunk_name(&r), "pbx-fixed-auth");
	CU_ASSERT_TRUE(r.digest);
	CU_ASSERT_EQUAL(sbc_trunk_auth_sip_status(&r, false), 0);
	/* An IPv4-mapped form of nothing listed, and an IPv6 elsewhere. */
	r = run("carrier", "2001:db8:6::1", SBC_TRANSPORT_UDP, NULL, NULL);
	CU_ASSERT_EQUAL(r.reason, SBC_TA_UNKNOWN_SOURCE);
}

static void test_by_key(void)
{
	struct sbc_trunk_auth_result r;

	/* Any source: the key names the trunk. */
	r = run("carrier", "198.19.200.1", SBC_TRANSPORT_TLS, "tg-a", KEY_A);
	CU_ASSERT_EQUAL(r.reason, SBC_TA_KEY);
	CU_ASSERT_STRING_EQUAL(trunk_name(&r), "carrier-a");
	CU_ASSERT_EQUAL(sbc_trunk_auth_sip_status(&r, false), 0);
	r = run("carrier", "198.19.200.1", SBC_TRANSPORT_TLS, "tg-b",
		"another-key-for-b-9876543210");
	CU_ASSERT_EQUAL(r.reason, SBC_TA_KEY);
	CU_ASSERT_STRING_EQUAL(trunk_name(&r), "carrier-b");
	/* The headers win over a listed source: a wrong key is refused. */
	r = run("carrier", "198.18.1.9", SBC_TRANSPORT_TLS, "tg-a", KEY_A "x");
	CU_ASSERT_EQUAL(r.reason, SBC_TA_KEY_WRONG);
	CU_ASSERT_PTR_NULL(r.trunk);
	CU_ASSERT_EQUAL(sbc_trunk_auth_sip_status(&r, false), 403);
}

static void test_key_refusals(void)
{
	static const struct {
		const char *iface;
		enum sbc_transport tp;
		const char *tg;
		const char *key;
		enum sbc_trunk_auth_reason reason;
	} rows[] = {
		/* right key, wrong transport: 403 even so */
		{ "carrier", SBC_TRANSPORT_UDP, "tg-a", KEY_A, SBC_TA_KEY_NOT_TLS },
		{ "carrier", SBC_TRANSPORT_TCP, "tg-a", KEY_A, SBC_TA_KEY_NOT_TLS },
		{ "carrier", SBC_TRANSPORT_UDP, NULL, KEY_A, SBC_TA_KEY_NOT_TLS },
		/* one header only */
		{ "carrier", SBC_TRANSPORT_TLS, "tg-a", NULL, SBC_TA_KEY_INCOMPLETE },
		{ "carrier", SBC_TRANSPORT_TLS, NULL, KEY_A, SBC_TA_KEY_INCOMPLETE },
		/* wrong key: different, prefix, longer, empty, other trunk's */
		{ "carrier", SBC_TRANSPORT_TLS, "tg-a", "k3y-for-carrier-a-0123456788",
		  SBC_TA_KEY_WRONG },
		{ "carrier", SBC_TRANSPORT_TLS, "tg-a", "k3y-for-carrier-a-012345678",
		  SBC_TA_KEY_WRONG },
		{ "carrier", SBC_TRANSPORT_TLS, "tg-a", KEY_A "9", SBC_TA_KEY_WRONG },
		{ "carrier", SBC_TRANSPORT_TLS, "tg-a", "", SBC_TA_KEY_WRONG },
		{ "carrier", SBC_TRANSPORT_TLS, "tg-b", KEY_A, SBC_TA_KEY_WRONG },
		/* unknown group, group in another case, trunk on another interface */
		{ "carrier", SBC_TRANSPORT_TLS, "tg-c", KEY_A, SBC_TA_KEY_WRONG },
		{ "carrier", SBC_TRANSPORT_TLS, "TG-A", KEY_A, SBC_TA_KEY_WRONG },
		{ "pbx", SBC_TRANSPORT_TLS, "tg-a", KEY_A, SBC_TA_KEY_WRONG },
		/* a trunk without key cannot be named by headers */
		{ "carrier", SBC_TRANSPORT_TLS, "", "", SBC_TA_KEY_WRONG },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sbc_trunk_auth_result r = run(rows[i].iface, "198.18.1.9", rows[i].tp,
						     rows[i].tg, rows[i].key);

		if (r.reason != rows[i].reason)
			fprintf(stderr, "\nrow %zu: %s\n", i,
				sbc_trunk_auth_reason_name(r.reason));
		CU_ASSERT_EQUAL(r.reason, rows[i].reason);
		CU_ASSERT_PTR_NULL(r.trunk);
		CU_ASSERT_FALSE(r.drop);
		CU_ASSERT_EQUAL(sbc_trunk_auth_sip_status(&r, false), 403);
	}
}

static void test_challenge_and_unknown(void)
{
	struct sbc_trunk_auth_result r;

	/* Unknown source on the PBX side: a roaming PBX may answer a challenge. */
	r = run("pbx", "198.19.99.1", SBC_TRANSPORT_TLS, NULL, NULL);
	CU_ASSERT_EQUAL(r.reason, SBC_TA_CHALLENGE);
	CU_ASSERT_PTR_NULL(r.trunk);
	CU_ASSERT_EQUAL(sbc_trunk_auth_sip_status(&r, true), 401);
	CU_ASSERT_EQUAL(sbc_trunk_auth_sip_status(&r, false), 407);
	CU_ASSERT_PTR_EQUAL(sbc_trunk_auth_by_username(&cfg, "pbx", "roaming-user"),
			    &trunks[5]);
	CU_ASSERT_PTR_EQUAL(sbc_trunk_auth_by_username(&cfg, NULL, "fixed-user"), &trunks[4]);
	CU_ASSERT_PTR_NULL(sbc_trunk_auth_by_username(&cfg, "carrier", "roaming-user"));
	CU_ASSERT_PTR_NULL(sbc_trunk_auth_by_username(&cfg, "pbx", "Roaming-user"));
	CU_ASSERT_PTR_NULL(sbc_trunk_auth_by_username(&cfg, "pbx", NULL));

	/* Unknown source on the carrier side: 403, or nothing with drop. */
	r = run("carrier", "198.19.99.1", SBC_TRANSPORT_UDP, NULL, NULL);
	CU_ASSERT_EQUAL(r.reason, SBC_TA_UNKNOWN_SOURCE);
	CU_ASSERT_FALSE(r.drop);
	CU_ASSERT_EQUAL(sbc_trunk_auth_sip_status(&r, false), 403);
	cfg.sip.unknown_source = SBC_UNKNOWN_SOURCE_DROP;
	r = run("carrier", "198.19.99.1", SBC_TRANSPORT_UDP, NULL, NULL);
	CU_ASSERT_EQUAL(r.reason, SBC_TA_UNKNOWN_SOURCE);
	CU_ASSERT_TRUE(r.drop);
	CU_ASSERT_EQUAL(sbc_trunk_auth_sip_status(&r, false), -1);
	/* Drop applies to unknown sources only; key refusals still answer. */
	r = run("carrier", "198.19.99.1", SBC_TRANSPORT_UDP, "tg-a", KEY_A);
	CU_ASSERT_EQUAL(r.reason, SBC_TA_KEY_NOT_TLS);
	CU_ASSERT_FALSE(r.drop);
	cfg.sip.unknown_source = SBC_UNKNOWN_SOURCE_REJECT;
}

static void test_arguments_and_names(void)
{
	struct sbc_trunk_auth_request rq = { .interface = "carrier" };
	struct sbc_trunk_auth_result r;

	CU_ASSERT_EQUAL(sbc_trunk_auth(NULL, &rq, &r), -EINVAL);
	CU_ASSERT_EQUAL(r.reason, SBC_TA_UNKNOWN_SOURCE);
	CU_ASSERT_PTR_NULL(r.trunk);
	CU_ASSERT_EQUAL(sbc_trunk_auth(&cfg, NULL, &r), -EINVAL);
	CU_ASSERT_EQUAL(sbc_trunk_auth(&cfg, &rq, NULL), -EINVAL);
	/* A request with no address (family 0) matches no source. */
	CU_ASSERT_EQUAL(sbc_trunk_auth(&cfg, &rq, &r), 0);
	CU_ASSERT_EQUAL(r.reason, SBC_TA_UNKNOWN_SOURCE);
	CU_ASSERT_STRING_EQUAL(sbc_trunk_auth_reason_name(SBC_TA_SOURCE), "source");
	CU_ASSERT_STRING_EQUAL(sbc_trunk_auth_reason_name(SBC_TA_KEY_NOT_TLS), "key_not_tls");
	CU_ASSERT_STRING_EQUAL(sbc_trunk_auth_reason_name(SBC_TA_UNKNOWN_SOURCE),
			       "unknown_source");
	CU_ASSERT_STRING_EQUAL(sbc_trunk_auth_reason_name(SBC_TA__COUNT), "?");
}

/* ------------------------------------------------------------------ */
/* The config keys, from YAML                                          */

static const char yaml_head[] =
	"dataplane:\n"
	"  workers: [1]\n"
	"  ports: [{ name: p0, device: net_ring0 }]\n"
	"  interfaces: [{ name: m0, port: p0, ipv4: 198.18.0.1/24 }]\n"
	"sip:\n"
	"%s"
	"  interfaces:\n"
	"    - name: s0\n"
	"      side: enterprise\n"
	"      address: 198.18.0.1\n"
	"      media_interface: m0\n"
	"      listen: [{ transport: udp, port: 5060 }]\n"
	"trunks:\n"
	"  - name: pbx-roaming\n"
	"    side: enterprise\n"
	"    interface: s0\n"
	"%s"
	"tenants:\n"
	"  - name: acme\n"
	"    domain: acme.lon.example.com\n"
	"    trunk: pbx-roaming\n"
	"    network_numbers: [%s]\n";

static int load(const char *sip, const char *trunk, const char *numbers,
		struct sbc_config **out, struct sbc_config_errors *errs)
{
	char path[] = "/tmp/rampart-test-trunk-auth-XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f;

	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, yaml_head, sip, trunk, numbers);
	fclose(f);
	rc = sbc_config_load(path, out, errs);
	unlink(path);
	return rc;
}

static void test_config_keys(void)
{
	struct sbc_config_errors errs;
	struct sbc_config *c = NULL;
	struct sbc_trunk_auth_result r;
	struct sbc_trunk_auth_request rq = { .interface = "s0", .transport = SBC_TRANSPORT_UDP };
	int rc;

	/* Defaults. */
	rc = load("", "", "\"+441632960123\"", &c, &errs);
	if (rc != 0)
		sbc_config_errors_print(&errs, stderr);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c->sip.unknown_source, SBC_UNKNOWN_SOURCE_REJECT);
	CU_ASSERT_EQUAL(c->sip.digest_nonce_ttl_s, 300);
	CU_ASSERT_TRUE(c->sip.pike.enabled);
	CU_ASSERT_EQUAL(c->sip.pike.threshold, 30);
	CU_ASSERT_EQUAL(c->sip.pike.window_ms, 2000);
	CU_ASSERT_EQUAL(c->sip.pike.block_ms, 60000);
	CU_ASSERT_EQUAL(c->sip.pike.entries, 65536);
	CU_ASSERT_EQUAL(c->sip.pike.ipv6_prefix_len, 64);
	CU_ASSERT_PTR_NULL(c->trunks[0].inbound_auth.username);
	sbc_config_free(c);

	/* Every key set. */
	rc = load("  unknown_source: drop\n"
		  "  digest_nonce_ttl_s: 60\n"
		  "  pike: { enabled: false, threshold: 50, window_ms: 1000, block_ms: 30000,\n"
		  "          entries: 4096, ipv6_prefix_len: 56 }\n",
		  "    inbound_auth: { username: acme-pbx, password: \"Zx9-qT4u-88Lw-PmR2\",\n"
		  "                    realm: sp.example.com }\n",
		  "\"+441632960123\", \"+441632961*\", \"+4420*\"", &c, &errs);
	if (rc != 0)
		sbc_config_errors_print(&errs, stderr);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(c->sip.unknown_source, SBC_UNKNOWN_SOURCE_DROP);
	CU_ASSERT_EQUAL(c->sip.digest_nonce_ttl_s, 60);
	CU_ASSERT_FALSE(c->sip.pike.enabled);
	CU_ASSERT_EQUAL(c->sip.pike.threshold, 50);
	CU_ASSERT_EQUAL(c->sip.pike.window_ms, 1000);
	CU_ASSERT_EQUAL(c->sip.pike.block_ms, 30000);
	CU_ASSERT_EQUAL(c->sip.pike.entries, 4096);
	CU_ASSERT_EQUAL(c->sip.pike.ipv6_prefix_len, 56);
	CU_ASSERT_STRING_EQUAL(c->trunks[0].inbound_auth.username, "acme-pbx");
	CU_ASSERT_STRING_EQUAL(c->trunks[0].inbound_auth.realm, "sp.example.com");
	CU_ASSERT_EQUAL(c->tenants[0].n_network_numbers, 3);
	CU_ASSERT_STRING_EQUAL(c->tenants[0].network_numbers[1], "+441632961*");
	/* The loaded trunk is a digest-only PBX. */
	rq.src = ip("198.18.50.1");
	CU_ASSERT_EQUAL(sbc_trunk_auth(c, &rq, &r), 0);
	CU_ASSERT_EQUAL(r.reason, SBC_TA_CHALLENGE);
	CU_ASSERT_PTR_EQUAL(sbc_trunk_auth_by_username(c, "s0", "acme-pbx"), &c->trunks[0]);
	sbc_config_free(c);

	/* Refused values, each with its key in the message. */
	static const struct {
		const char *sip, *trunk, *numbers, *key;
	} bad[] = {
		{ "  unknown_source: ignore\n", "", "", "sip.unknown_source" },
		{ "  pike: { entries: 100 }\n", "", "", "sip.pike.entries" },
		{ "  pike: { ipv6_prefix_len: 16 }\n", "", "", "sip.pike.ipv6_prefix_len" },
		{ "  digest_nonce_ttl_s: 5\n", "", "", "sip.digest_nonce_ttl_s" },
		{ "", "    inbound_auth: { username: u, password: short, realm: r }\n", "",
		  "trunks[0].inbound_auth.password" },
		{ "", "    inbound_auth: { username: u, password: \"Zx9-qT4u-88Lw-PmR2\" }\n", "",
		  "trunks[0].inbound_auth.realm" },
		{ "", "", "\"+44*1\"", "tenants[0].network_numbers[0]" },
		{ "", "", "\"+*\"", "tenants[0].network_numbers[0]" },
		{ "", "", "\"+0441*\"", "tenants[0].network_numbers[0]" },
		{ "", "", "\"441632*\"", "tenants[0].network_numbers[0]" },
		{ "", "", "\"+441632960123*5\"", "tenants[0].network_numbers[0]" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = NULL;
		rc = load(bad[i].sip, bad[i].trunk, bad[i].numbers, &c, &errs);
		CU_ASSERT_EQUAL(rc, -EINVAL);
		CU_ASSERT_PTR_NULL(c);
		CU_ASSERT(errs.count >= 1);
		if (errs.count >= 1 && strstr(errs.msg[0], bad[i].key) == NULL)
			fprintf(stderr, "\nbad %zu: '%s' does not name %s\n", i, errs.msg[0],
				bad[i].key);
		CU_ASSERT(errs.count >= 1 && strstr(errs.msg[0], bad[i].key) != NULL);
		/* The secret never shows in a message. */
		CU_ASSERT_PTR_NULL(strstr(errs.msg[0], "short"));
		sbc_config_free(c);
	}
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "by source: longest prefix, interface, IPv6", test_by_source },
		{ "by trunk key over TLS", test_by_key },
		{ "trunk key refusals", test_key_refusals },
		{ "digest-only PBX, unknown sources", test_challenge_and_unknown },
		{ "arguments and names", test_arguments_and_names },
		{ "config keys from YAML", test_config_keys },
	};

	if (setup() != 0)
		return 2;
	return SBC_TEST_RUN("trunk_auth", tests);
}
