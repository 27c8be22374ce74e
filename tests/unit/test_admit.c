/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/admit.c: the admission verdict of an initial
 * request, trunk identification and the per-source limit together: a
 * listed source goes on and is never limited; a key over UDP, a wrong key
 * and an unknown source are refused (or dropped, per sip.unknown_source);
 * a credentials-only PBX is challenged; past the limit, requests that are
 * not from a listed source get 503 (or silence), and the limit is off when
 * sip.pike.enabled is false.  Time is injected.
 */
#include <string.h>

#include "cunit_run.h"

#include "admit.h"

static struct sbc_prefix car_src[1];
static struct sbc_cfg_trunk trunks[3];
static struct sbc_config cfg;
static struct sbc_pike *pike;

static struct sbc_ip ip(const char *s)
{
	struct sbc_ip a;

	CU_ASSERT_EQUAL_FATAL(sbc_ip_parse(&a, s), 0);
	return a;
}

static int setup(void)
{
	struct sbc_pike_params pp = { .threshold = 3, .window_ms = 1000, .block_ms = 5000,
				      .entries = 64, .ipv6_prefix_len = 64 };

	if (sbc_prefix_parse(&car_src[0], "198.18.0.0/24", true) != 0)
		return -1;
	trunks[0] = (struct sbc_cfg_trunk){ .name = "carrier", .side = SBC_SIDE_CARRIER,
		.interface = "c", .sources = car_src, .n_sources = 1,
		.trunk_group_id = "tg", .trunk_key = "a-key-of-thirty-two-characters!!" };
	trunks[1] = (struct sbc_cfg_trunk){ .name = "roaming", .side = SBC_SIDE_ENTERPRISE,
		.interface = "p", .inbound_auth = { "user", "pass-word-long-enough", "r" } };
	trunks[2] = (struct sbc_cfg_trunk){ .name = "fixed", .side = SBC_SIDE_ENTERPRISE,
		.interface = "q" };
	cfg.trunks = trunks;
	cfg.n_trunks = 3;
	cfg.sip.pike.enabled = true;
	cfg.sip.unknown_source = SBC_UNKNOWN_SOURCE_REJECT;
	pike = sbc_pike_create(&pp);
	return pike != NULL ? 0 : -1;
}

static int teardown(void)
{
	sbc_pike_destroy(pike);
	return 0;
}

static struct sbc_admit_verdict decide(const char *iface, const char *src,
				       enum sbc_transport t, const char *group, const char *key,
				       uint64_t now)
{
	struct sbc_trunk_auth_request rq = {
		.interface = iface, .src = ip(src), .transport = t,
		.trunk_group_id = group, .trunk_key = key,
	};
	struct sbc_admit_verdict v;

	sbc_admit_identify(&cfg, pike, now, &rq, &v);
	return v;
}

static void test_listed_source(void)
{
	struct sbc_admit_verdict v;

	/* Far past the limit's threshold: a trunk's own source is never counted. */
	for (int i = 0; i < 20; i++) {
		v = decide("c", "198.18.0.7", SBC_TRANSPORT_UDP, NULL, NULL, 1000);
		CU_ASSERT_EQUAL(v.action, SBC_ADMIT_GO);
		CU_ASSERT_PTR_EQUAL(v.auth.trunk, &trunks[0]);
		CU_ASSERT_FALSE(v.pike_counted);
	}
}

static void test_refusals(void)
{
	struct sbc_admit_verdict v;

	v = decide("c", "198.18.9.1", SBC_TRANSPORT_UDP, "tg", "a-key-of-thirty-two-characters!!",
		   2000);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_REFUSE);        /* key over UDP */
	CU_ASSERT_EQUAL(v.auth.reason, SBC_TA_KEY_NOT_TLS);
	v = decide("c", "198.18.9.2", SBC_TRANSPORT_TLS, "tg", "a-wrong-key-of-thirty-two-chars!!",
		   2000);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_REFUSE);
	v = decide("c", "198.18.9.3", SBC_TRANSPORT_TLS, "tg", "a-key-of-thirty-two-characters!!",
		   2000);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_GO);            /* the right key over TLS */
	CU_ASSERT_TRUE(v.pike_counted);                     /* not a listed source */
	v = decide("q", "198.18.9.4", SBC_TRANSPORT_UDP, NULL, NULL, 2000);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_REFUSE);        /* unknown source */
	cfg.sip.unknown_source = SBC_UNKNOWN_SOURCE_DROP;
	v = decide("q", "198.18.9.5", SBC_TRANSPORT_UDP, NULL, NULL, 2000);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_DROP);
	cfg.sip.unknown_source = SBC_UNKNOWN_SOURCE_REJECT;
}

static void test_challenge(void)
{
	struct sbc_admit_verdict v = decide("p", "198.18.9.6", SBC_TRANSPORT_UDP, NULL, NULL, 3000);

	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_CHALLENGE);
	CU_ASSERT_EQUAL(v.auth.reason, SBC_TA_CHALLENGE);
}

static void test_limit(void)
{
	struct sbc_admit_verdict v;
	int i;

	/* threshold 3 per second: the 4th request from one source is over. */
	for (i = 0; i < 3; i++) {
		v = decide("p", "198.18.7.1", SBC_TRANSPORT_UDP, NULL, NULL, 10000 + i);
		CU_ASSERT_EQUAL(v.action, SBC_ADMIT_CHALLENGE);
	}
	v = decide("p", "198.18.7.1", SBC_TRANSPORT_UDP, NULL, NULL, 10010);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_OVERLOAD);
	CU_ASSERT_EQUAL(v.pike, SBC_PIKE_BLOCK_START);
	v = decide("p", "198.18.7.1", SBC_TRANSPORT_UDP, NULL, NULL, 10020);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_OVERLOAD);
	CU_ASSERT_EQUAL(v.pike, SBC_PIKE_BLOCKED);
	/* another source is not affected */
	v = decide("p", "198.18.7.2", SBC_TRANSPORT_UDP, NULL, NULL, 10020);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_CHALLENGE);
	/* blocked until block_ms after its last over-limit request, then served again */
	v = decide("p", "198.18.7.1", SBC_TRANSPORT_UDP, NULL, NULL, 10020 + 4999);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_OVERLOAD);
	v = decide("p", "198.18.7.1", SBC_TRANSPORT_UDP, NULL, NULL, 10020 + 4999 + 5001);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_CHALLENGE);
	/* silence instead of 503 with sip.unknown_source drop */
	for (i = 0; i < 4; i++)
		v = decide("p", "198.18.7.3", SBC_TRANSPORT_UDP, NULL, NULL, 20000);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_OVERLOAD);
	cfg.sip.unknown_source = SBC_UNKNOWN_SOURCE_DROP;
	v = decide("p", "198.18.7.3", SBC_TRANSPORT_UDP, NULL, NULL, 20001);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_DROP);
	cfg.sip.unknown_source = SBC_UNKNOWN_SOURCE_REJECT;
	/* the limit off: nothing counted */
	cfg.sip.pike.enabled = false;
	v = decide("p", "198.18.7.3", SBC_TRANSPORT_UDP, NULL, NULL, 20002);
	CU_ASSERT_EQUAL(v.action, SBC_ADMIT_CHALLENGE);
	CU_ASSERT_FALSE(v.pike_counted);
	cfg.sip.pike.enabled = true;
	CU_ASSERT_STRING_EQUAL(sbc_admit_action_name(SBC_ADMIT_OVERLOAD), "overload");
	CU_ASSERT_STRING_EQUAL(sbc_admit_action_name(SBC_ADMIT__COUNT), "?");
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "listed source: go, never limited", test_listed_source },
		{ "refusals and drop", test_refusals },
		{ "credentials-only PBX challenged", test_challenge },
		{ "per-source limit", test_limit },
	};
	return SBC_TEST_RUN_SUITE("admit", setup, teardown, tests);
}
