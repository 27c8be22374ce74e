/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/dest.c: targets parsed (names, ports, IPv6,
 * URIs), NAPTR records chosen by transport, order and preference, SRV
 * records by priority and RFC 2782 weights (a scripted random source, and
 * a statistical check over many orderings), the Retry-After clock, the
 * keepalive up/down thresholds, and the next usable destination of a call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_run.h"

#include "dest.h"

static void test_target_parse(void)
{
	struct sbc_target_spec s;

	CU_ASSERT_EQUAL(sbc_target_parse("carrier.example.net", SBC_TRANSPORT_UDP, &s), 0);
	CU_ASSERT_STRING_EQUAL(s.host, "carrier.example.net");
	CU_ASSERT_EQUAL(s.port, 0);
	CU_ASSERT_FALSE(s.numeric);
	CU_ASSERT_EQUAL(sbc_target_parse("sip:trunk@carrier.example.net:5070;transport=udp;lr",
					 SBC_TRANSPORT_TCP, &s), 0);
	CU_ASSERT_STRING_EQUAL(s.host, "carrier.example.net");
	CU_ASSERT_EQUAL(s.port, 5070);
	CU_ASSERT_EQUAL(s.transport, SBC_TRANSPORT_TCP);   /* the trunk's */
	CU_ASSERT_EQUAL(sbc_target_parse("198.18.0.2:5080", SBC_TRANSPORT_UDP, &s), 0);
	CU_ASSERT_TRUE(s.numeric);
	CU_ASSERT_EQUAL(s.ip.family, 4);
	CU_ASSERT_EQUAL(s.port, 5080);
	CU_ASSERT_EQUAL(sbc_target_parse("sips:[2001:db8::5]", SBC_TRANSPORT_TLS, &s), 0);
	CU_ASSERT_TRUE(s.numeric);
	CU_ASSERT_EQUAL(s.ip.family, 6);
	CU_ASSERT_STRING_EQUAL(s.host, "2001:db8::5");
	CU_ASSERT_EQUAL(s.port, 0);
	CU_ASSERT_EQUAL(sbc_target_parse("[carrier.example]:5060", SBC_TRANSPORT_UDP, &s), -EINVAL);
	CU_ASSERT_EQUAL(sbc_target_parse("host:0", SBC_TRANSPORT_UDP, &s), -EINVAL);
	CU_ASSERT_EQUAL(sbc_target_parse("host:70000", SBC_TRANSPORT_UDP, &s), -EINVAL);
	CU_ASSERT_EQUAL(sbc_target_parse("host:50x", SBC_TRANSPORT_UDP, &s), -EINVAL);
	CU_ASSERT_EQUAL(sbc_target_parse("", SBC_TRANSPORT_UDP, &s), -EINVAL);
	CU_ASSERT_EQUAL(sbc_transport_default_port(SBC_TRANSPORT_TLS), 5061);
	CU_ASSERT_EQUAL(sbc_transport_default_port(SBC_TRANSPORT_UDP), 5060);
	CU_ASSERT_STRING_EQUAL(sbc_srv_prefix(SBC_TRANSPORT_TLS), "_sips._tcp.");
	CU_ASSERT_STRING_EQUAL(sbc_srv_prefix(SBC_TRANSPORT_UDP), "_sip._udp.");
}

static void test_naptr_select(void)
{
	const struct sbc_naptr v[] = {
		{ 20, 10, "s", "SIP+D2U", "_sip._udp.example.net" },
		{ 10, 50, "s", "SIPS+D2T", "_sips._tcp.b.example.net" },
		{ 10, 10, "s", "sips+d2t", "_sips._tcp.a.example.net" },   /* any case */
		{ 5, 1, "u", "SIPS+D2T", "_sips._tcp.u.example.net" },     /* not "s" */
		{ 10, 10, "s", "SIPS+D2T", "." },                          /* no service */
		{ 10, 10, "s", "SIP+D2T", "_sip._tcp.example.net" },
		{ 10, 10, "s", "SIPS+D2T", "_sips._tcp.c.example.net" },  /* tie: after a */
	};
	size_t idx[8], n;

	n = sbc_naptr_select(v, 7, SBC_TRANSPORT_TLS, idx, 8);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_EQUAL(idx[0], 2);
	CU_ASSERT_EQUAL(idx[1], 6);
	CU_ASSERT_EQUAL(idx[2], 1);
	/* a TLS trunk never takes the UDP or TCP records, and the other way round */
	n = sbc_naptr_select(v, 7, SBC_TRANSPORT_UDP, idx, 8);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(idx[0], 0);
	n = sbc_naptr_select(v, 1, SBC_TRANSPORT_TLS, idx, 8);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(sbc_naptr_select(v, 7, SBC_TRANSPORT_TLS, idx, 1), 1);
}

/* A scripted random source: returns script[i] (clamped to the bound). */
struct script {
	const uint32_t *v;
	size_t n, i;
	uint32_t last_bound;
};

static uint32_t scripted(void *ctx, uint32_t bound)
{
	struct script *s = ctx;
	uint32_t r = s->i < s->n ? s->v[s->i++] : 0;

	s->last_bound = bound;
	return r > bound ? bound : r;
}

static void test_srv_priority_and_weight(void)
{
	struct sbc_srv v[] = {
		{ 20, 0, 5060, "backup.example.net" },
		{ 10, 30, 5060, "b.example.net" },
		{ 10, 10, 5062, "a.example.net" },
		{ 10, 0, 5064, "z.example.net" },
		{ 15, 5, 5060, "." },
	};
	/* running sum in priority 10: z(0) a(10) b(40) ... r=25 picks b, then r=0 picks z */
	const uint32_t rs[] = { 25, 0 };
	struct script s = { rs, 2, 0, 0 };
	size_t n = sbc_srv_order(v, 5, scripted, &s);

	CU_ASSERT_EQUAL_FATAL(n, 4);          /* "." dropped */
	CU_ASSERT_STRING_EQUAL(v[0].target, "b.example.net");
	CU_ASSERT_STRING_EQUAL(v[1].target, "z.example.net");
	CU_ASSERT_STRING_EQUAL(v[2].target, "a.example.net");
	CU_ASSERT_EQUAL(v[2].port, 5062);
	CU_ASSERT_STRING_EQUAL(v[3].target, "backup.example.net");
}

static uint32_t libc_rand(void *ctx, uint32_t bound)
{
	(void)ctx;
	return (uint32_t)((uint64_t)rand() * ((uint64_t)bound + 1) / ((uint64_t)RAND_MAX + 1));
}

/* Weights 60/30/10: the first choice follows them (±3 points over 20,000 orderings). */
static void test_srv_weights_statistically(void)
{
	unsigned int first[3] = { 0 };
	int i, k;

	srand(12345);
	for (i = 0; i < 20000; i++) {
		struct sbc_srv v[] = {
			{ 1, 60, 1, "a" }, { 1, 30, 2, "b" }, { 1, 10, 3, "c" },
		};

		CU_ASSERT_EQUAL_FATAL(sbc_srv_order(v, 3, libc_rand, NULL), 3);
		first[v[0].port - 1]++;
	}
	for (k = 0; k < 3; k++) {
		const double want[3] = { 0.60, 0.30, 0.10 };
		double got = first[k] / 20000.0;

		CU_ASSERT(got > want[k] - 0.03 && got < want[k] + 0.03);
	}
}

static struct sbc_dest mk(const char *ip, uint16_t port, uint32_t target)
{
	struct sbc_dest d = { .target = target };

	(void)sbc_ip_parse(&d.key.ip, ip);
	d.key.port = port;
	d.key.transport = SBC_TRANSPORT_UDP;
	return d;
}

static void test_retry_after_clock(void)
{
	static struct sbc_dest_table t;
	struct sbc_dest v[3] = { mk("198.18.0.3", 5060, 0), mk("198.18.0.4", 5060, 0),
				 mk("198.18.0.5", 5060, 1) };
	struct sbc_dest_state *d;
	uint32_t wait;

	memset(&t, 0, sizeof(t));
	/* never seen: usable */
	CU_ASSERT_EQUAL(sbc_dest_next(v, 3, 0, &t, 1000, &wait), 0);
	d = sbc_dest_get(&t, &v[0].key, "a.example", 1000);
	sbc_dest_retry_after(d, 1000, 30);
	CU_ASSERT_FALSE(sbc_dest_usable(d, 1000));
	CU_ASSERT_FALSE(sbc_dest_usable(d, 30999));
	CU_ASSERT_TRUE(sbc_dest_usable(d, 31000));     /* its whole duration, not longer */
	CU_ASSERT_EQUAL(sbc_dest_next(v, 3, 0, &t, 2000, &wait), 1);
	sbc_dest_retry_after(sbc_dest_get(&t, &v[1].key, NULL, 2000), 2000, 10);
	sbc_dest_retry_after(sbc_dest_get(&t, &v[2].key, NULL, 2000), 2000, 60);
	/* none left: the least time to wait, rounded up */
	CU_ASSERT_EQUAL(sbc_dest_next(v, 3, 0, &t, 2500, &wait), -1);
	CU_ASSERT_EQUAL(wait, 10);
	CU_ASSERT_EQUAL(sbc_dest_next(v, 3, 0, &t, 12000, &wait), 1);
	CU_ASSERT_EQUAL(sbc_dest_next(v, 3, 2, &t, 12000, &wait), -1);
	CU_ASSERT_EQUAL(wait, 50);
}

static void test_keepalive_thresholds(void)
{
	static struct sbc_dest_table t;
	struct sbc_dest v[2] = { mk("198.18.0.3", 5060, 0), mk("198.18.0.4", 5060, 0) };
	struct sbc_dest_state *d;
	uint32_t wait;

	memset(&t, 0, sizeof(t));
	d = sbc_dest_get(&t, &v[0].key, NULL, 0);
	CU_ASSERT_FALSE(sbc_dest_keepalive(d, false, 3, 2));
	CU_ASSERT_FALSE(sbc_dest_keepalive(d, true, 3, 2));   /* a success resets the count */
	CU_ASSERT_FALSE(sbc_dest_keepalive(d, false, 3, 2));
	CU_ASSERT_FALSE(sbc_dest_keepalive(d, false, 3, 2));
	CU_ASSERT_TRUE(sbc_dest_keepalive(d, false, 3, 2));   /* third in a row: down */
	CU_ASSERT_TRUE(d->down);
	CU_ASSERT_EQUAL(sbc_dest_next(v, 2, 0, &t, 0, &wait), 1);   /* skipped */
	CU_ASSERT_FALSE(sbc_dest_keepalive(d, true, 3, 2));
	CU_ASSERT_TRUE(sbc_dest_keepalive(d, true, 3, 2));    /* second in a row: up */
	CU_ASSERT_FALSE(d->down);
	CU_ASSERT_EQUAL(d->state_changes, 2);
	CU_ASSERT_EQUAL(sbc_dest_next(v, 2, 0, &t, 0, &wait), 0);
}

static void test_table_and_list(void)
{
	static struct sbc_dest_table t;
	struct sbc_dest list[SBC_DEST_MAX];
	size_t n = 0;
	struct sbc_dest a = mk("198.18.0.3", 5060, 0), b = mk("198.18.0.3", 5062, 0);
	struct sbc_dest_state *held;
	uint32_t i;

	CU_ASSERT_TRUE(sbc_dest_add(list, &n, SBC_DEST_MAX, &a));
	CU_ASSERT_FALSE(sbc_dest_add(list, &n, SBC_DEST_MAX, &a));   /* once per call */
	CU_ASSERT_TRUE(sbc_dest_add(list, &n, SBC_DEST_MAX, &b));
	CU_ASSERT_EQUAL(n, 2);
	memset(&t, 0, sizeof(t));
	held = sbc_dest_get(&t, &a.key, "held", 0);
	sbc_dest_retry_after(held, 0, 3600);
	/* a full table replaces the oldest entry without a verdict, not the held one */
	for (i = 0; i < SBC_DEST_TABLE_MAX + 5; i++) {
		struct sbc_dest x = mk("198.18.0.9", (uint16_t)(6000 + i), 0);

		CU_ASSERT_PTR_NOT_NULL(sbc_dest_get(&t, &x.key, NULL, 10 + i));
	}
	CU_ASSERT_EQUAL(t.n, SBC_DEST_TABLE_MAX);
	held = sbc_dest_find(&t, &a.key);
	CU_ASSERT_PTR_NOT_NULL_FATAL(held);
	CU_ASSERT_STRING_EQUAL(held->name, "held");
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "targets parsed", test_target_parse },
		{ "NAPTR by transport, order, preference", test_naptr_select },
		{ "SRV by priority and weight", test_srv_priority_and_weight },
		{ "SRV weights, statistically", test_srv_weights_statistically },
		{ "Retry-After clock", test_retry_after_clock },
		{ "keepalive thresholds", test_keepalive_thresholds },
		{ "destination table and list", test_table_and_list },
	};
	return SBC_TEST_RUN("dest", tests);
}
