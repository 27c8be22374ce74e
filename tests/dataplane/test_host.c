/* SPDX-License-Identifier: BSD-3-Clause
 * Tests for dataplane/host.c: ARP, NDP, ICMP/ICMPv6 echo and neighbour
 * resolution, with frames crafted byte by byte and replies compared byte by
 * byte.  Checksums are recomputed here independently of DPDK (big-endian
 * word sums).  Ends with a fuzz loop meant to be run under ASan as well,
 * and checks that every mbuf went back to the pool.
 *
 * The tests share one host and one clock and run in order.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>


#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "cunit_run.h"
#include "dp.h"
#include "host.h"

#define POOL_SIZE       1023
#define MAX_NEIGHBORS   64
#define FRAME_MAX       2048
#define FUZZ_ITERATIONS 20000
#define FUZZ_MAX_LEN    200
#define FUZZ_SEED       0x484f5354u

#define ETH_ARP  0x0806
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd

static struct rte_mempool *pool;
static struct sbc_host *host;
static struct sbc_dp_iface ifaces[2];
static uint64_t now_ms = 1000000;

static const uint8_t mac_us[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t mac_peer[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t mac_gw[6] = { 0x02, 0, 0, 0, 0, 0xfe };
static const uint8_t mac_gw2[6] = { 0x02, 0, 0, 0, 0, 0xfd };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t mac_zero[6];

static const uint8_t ip4_us[4] = { 198, 18, 0, 1 };
static const uint8_t ip4_peer[4] = { 198, 18, 0, 2 };
static const uint8_t ip4_other[4] = { 198, 18, 0, 3 };
static const uint8_t ip4_gw[4] = { 198, 18, 0, 254 };
/* Only ever a resolution key in memory: never put in a frame. */
static const uint8_t ip4_remote[4] = { 203, 0, 113, 9 };

static const uint8_t ip6_us[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t ll6_us[16] = { 0xfe, 0x80, [11] = 0xff, [12] = 0xfe, [15] = 0x01 };
static const uint8_t ip6_peer[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x02 };
static const uint8_t ll6_peer[16] = { 0xfe, 0x80, [15] = 0x02 };
static const uint8_t ll6_gw[16] = { 0xfe, 0x80, [15] = 0x01 };
static const uint8_t ip6_onlink[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x99 };
static const uint8_t ip6_remote[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, [15] = 0x05 };
static const uint8_t ip6_unspec[16];
static const uint8_t ip6_all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
/* ff02::1:ff00:1, the solicited-node group of both ip6_us and ll6_us. */
static const uint8_t snm_us[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff, [15] = 0x01 };
static const uint8_t mac_snm_us[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };

struct frame {
	uint8_t b[FRAME_MAX];
	size_t len;
};

/* Independent checksum: sum of big-endian 16-bit words, folded, inverted. */
static uint32_t
ref_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t
ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t
ref_cksum(const uint8_t *p, size_t n)
{
	return (uint16_t)~ref_fold(ref_sum(p, n, 0));
}

static uint16_t
ref_icmp6_cksum(const uint8_t *src, const uint8_t *dst, const uint8_t *msg, size_t n)
{
	uint32_t sum = ref_sum(src, 16, 0);

	sum = ref_sum(dst, 16, sum);
	sum += (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff) + 58;
	return (uint16_t)~ref_fold(ref_sum(msg, n, sum));
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put(struct frame *f, const void *p, size_t n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void
put8(struct frame *f, uint8_t v)
{
	f->b[f->len++] = v;
}

static void
put16(struct frame *f, uint16_t v)
{
	set16(f->b + f->len, v);
	f->len += 2;
}

static void
put32(struct frame *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

static void
put_eth(struct frame *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	f->len = 0;
	put(f, dst, 6);
	put(f, src, 6);
	put16(f, type);
}

static void
build_arp(struct frame *f, const uint8_t *eth_dst, const uint8_t *eth_src, uint16_t op,
	  const uint8_t *sha, const uint8_t *spa, const uint8_t *tha, const uint8_t *tpa)
{
	put_eth(f, eth_dst, eth_src, ETH_ARP);
	put16(f, 1);
	put16(f, ETH_IPV4);
	put8(f, 6);
	put8(f, 4);
	put16(f, op);
	put(f, sha, 6);
	put(f, spa, 4);
	put(f, tha, 6);
	put(f, tpa, 4);
}

/* ICMP echo message (type 8 or 0) with a pattern payload, checksum set. */
static size_t
build_echo_msg(uint8_t *out, uint8_t type, uint16_t id, uint16_t seq, size_t payload)
{
	size_t i;

	out[0] = type;
	out[1] = 0;
	set16(out + 2, 0);
	set16(out + 4, id);
	set16(out + 6, seq);
	for (i = 0; i < payload; i++)
		out[8 + i] = (uint8_t)(i * 7 + 3);
	set16(out + 2, ref_cksum(out, 8 + payload));
	return 8 + payload;
}

struct ip4_spec {
	const uint8_t *eth_dst, *eth_src, *src, *dst;
	uint8_t tos, ttl, proto;
	uint16_t id, frag;
	const uint8_t *opts;
	size_t opt_len;
};

static void
build_ipv4(struct frame *f, const struct ip4_spec *s, const uint8_t *l4, size_t l4_len)
{
	size_t ip_off, hl = 20 + s->opt_len;

	put_eth(f, s->eth_dst, s->eth_src, ETH_IPV4);
	ip_off = f->len;
	put8(f, (uint8_t)(0x40 | (hl / 4)));
	put8(f, s->tos);
	put16(f, (uint16_t)(hl + l4_len));
	put16(f, s->id);
	put16(f, s->frag);
	put8(f, s->ttl);
	put8(f, s->proto);
	put16(f, 0);
	put(f, s->src, 4);
	put(f, s->dst, 4);
	if (s->opt_len)
		put(f, s->opts, s->opt_len);
	set16(f->b + ip_off + 10, ref_cksum(f->b + ip_off, hl));
	put(f, l4, l4_len);
}

/* IPv6 frame carrying an ICMPv6 message whose checksum is set here. */
static void
build_ipv6(struct frame *f, const uint8_t *eth_dst, const uint8_t *eth_src,
	   const uint8_t *src, const uint8_t *dst, uint8_t hop, const uint8_t *msg,
	   size_t msg_len)
{
	size_t off;

	put_eth(f, eth_dst, eth_src, ETH_IPV6);
	put32(f, 0x60000000u);
	put16(f, (uint16_t)msg_len);
	put8(f, 58);
	put8(f, hop);
	put(f, src, 16);
	put(f, dst, 16);
	off = f->len;
	put(f, msg, msg_len);
	set16(f->b + off + 2, 0);
	set16(f->b + off + 2, ref_icmp6_cksum(src, dst, f->b + off, msg_len));
}

/* NS/NA message; opt_type 0 leaves the link-layer option out. */
static size_t
build_nd_msg(uint8_t *out, uint8_t type, uint32_t flags, const uint8_t *target,
	     uint8_t opt_type, const uint8_t *opt_mac)
{
	out[0] = type;
	out[1] = 0;
	set16(out + 2, 0);
	set16(out + 4, (uint16_t)(flags >> 16));
	set16(out + 6, (uint16_t)flags);
	memcpy(out + 8, target, 16);
	if (opt_type == 0)
		return 24;
	out[24] = opt_type;
	out[25] = 1;
	memcpy(out + 26, opt_mac, 6);
	return 32;
}

static struct rte_mbuf *
mbuf_from(const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	p = rte_pktmbuf_append(m, (uint16_t)len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	if (len)
		memcpy(p, b, len);
	m->port = 0;
	return m;
}

/* Two segments, the first @first bytes long. */
static struct rte_mbuf *
mbuf_from_split(const uint8_t *b, size_t len, size_t first)
{
	struct rte_mbuf *head = mbuf_from(b, first);
	struct rte_mbuf *tail = mbuf_from(b + first, len - first);

	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(head, tail), 0);
	return head;
}

static void
exact_free_cb(void *addr, void *opaque)
{
	free(addr);
	free(opaque);
}

/*
 * The frame in a heap buffer of exactly @len bytes attached as an external
 * buffer, so that ASan reports any byte read or written past the frame.
 */
static struct rte_mbuf *
mbuf_exact(const uint8_t *b, size_t len)
{
	struct rte_mbuf_ext_shared_info *shinfo = calloc(1, sizeof(*shinfo));
	uint8_t *buf = malloc(len ? len : 1);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	CU_ASSERT_FATAL(shinfo != NULL && buf != NULL && m != NULL);
	if (len)
		memcpy(buf, b, len);
	shinfo->free_cb = exact_free_cb;
	shinfo->fcb_opaque = shinfo;
	rte_mbuf_ext_refcnt_set(shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, buf, 0, (uint16_t)len, shinfo);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rte_pktmbuf_append(m, (uint16_t)len));
	m->port = 0;
	return m;
}

static size_t
mbuf_flatten(const struct rte_mbuf *m, uint8_t *out, size_t cap)
{
	const struct rte_mbuf *seg;
	size_t n = 0;

	for (seg = m; seg != NULL; seg = seg->next) {
		if (n + seg->data_len > cap)
			return SIZE_MAX;
		memcpy(out + n, rte_pktmbuf_mtod(seg, const uint8_t *), seg->data_len);
		n += seg->data_len;
	}
	return n == m->pkt_len ? n : SIZE_MAX;
}

static void
dump_diff(const char *what, const uint8_t *got, size_t got_len, const uint8_t *want,
	  size_t want_len)
{
	size_t i, n = got_len > want_len ? got_len : want_len;

	fprintf(stderr, "\n%s: got %zu bytes, want %zu\n", what, got_len, want_len);
	for (i = 0; i < n; i++) {
		int g = i < got_len ? got[i] : -1, w = i < want_len ? want[i] : -1;

		if (g != w)
			fprintf(stderr, "  [%zu] got %02x want %02x\n", i, g & 0xff, w & 0xff);
	}
}

static void
check_bytes(const char *what, const struct rte_mbuf *m, const uint8_t *want, size_t want_len)
{
	uint8_t got[FRAME_MAX];
	size_t n = mbuf_flatten(m, got, sizeof(got));

	CU_ASSERT_EQUAL(n, want_len);
	CU_ASSERT(n == want_len && memcmp(got, want, want_len) == 0);
	if (n != want_len || memcmp(got, want, want_len) != 0)
		dump_diff(what, got, n == SIZE_MAX ? 0 : n, want, want_len);
}

/* Feed @m; return the rc and leave no mbuf behind except a reply in *reply. */
static int
feed(struct sbc_host *h, struct rte_mbuf *m, struct rte_mbuf **reply)
{
	int rc = sbc_host_input(h, m, now_ms, reply);

	if (rc < 0) {
		CU_ASSERT_PTR_NULL(*reply);
		rte_pktmbuf_free(m);
	} else if (rc == 0) {
		CU_ASSERT_PTR_NULL(*reply);
	} else {
		CU_ASSERT_EQUAL(rc, 1);
		CU_ASSERT_PTR_EQUAL(*reply, m);
	}
	return rc;
}

static void
expect_rc(const struct frame *in, int want)
{
	struct rte_mbuf *reply = NULL;
	int rc = feed(host, mbuf_from(in->b, in->len), &reply);

	CU_ASSERT_EQUAL(rc, want);
	if (rc != want)
		fprintf(stderr, "\nexpected rc %d, got %d\n", want, rc);
	if (rc == 1)
		rte_pktmbuf_free(reply);
}

static void
expect_reply_mbuf(const char *what, struct rte_mbuf *m, const uint8_t *want, size_t want_len)
{
	struct rte_mbuf *reply = NULL;
	int rc = feed(host, m, &reply);

	CU_ASSERT_EQUAL(rc, 1);
	if (rc != 1) {
		fprintf(stderr, "\n%s: rc %d\n", what, rc);
		return;
	}
	CU_ASSERT_EQUAL(reply->port, 0);
	check_bytes(what, reply, want, want_len);
	rte_pktmbuf_free(reply);
}

static void
expect_reply(const char *what, const struct frame *in, const struct frame *want)
{
	expect_reply_mbuf(what, mbuf_from(in->b, in->len), want->b, want->len);
}

static int
resolve4(struct sbc_host *h, unsigned int iface, const uint8_t *ip, struct rte_ether_addr *mac,
	 struct rte_mbuf **req)
{
	return sbc_host_resolve(h, iface, ip, 4, now_ms, mac, req);
}

static struct sbc_host_stats
stats_now(void)
{
	struct sbc_host_stats s;

	sbc_host_stats(host, &s);
	return s;
}

/* ARP */

static void
test_create_args(void)
{
	CU_ASSERT_PTR_NULL(sbc_host_create(NULL, 1, pool, 4, SOCKET_ID_ANY));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);
	CU_ASSERT_PTR_NULL(sbc_host_create(ifaces, 0, pool, 4, SOCKET_ID_ANY));
	CU_ASSERT_PTR_NULL(sbc_host_create(ifaces, SBC_DP_MAX_IFACES + 1, pool, 4, SOCKET_ID_ANY));
	CU_ASSERT_PTR_NULL(sbc_host_create(ifaces, 2, NULL, 4, SOCKET_ID_ANY));
	CU_ASSERT_PTR_NULL(sbc_host_create(ifaces, 2, pool, 0, SOCKET_ID_ANY));
	CU_ASSERT_PTR_NULL(sbc_host_create(ifaces, 2, pool, SBC_HOST_MAX_NEIGHBORS + 1,
					   SOCKET_ID_ANY));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);
	sbc_host_destroy(NULL);
}

/* A broadcast who-has 198.18.0.1 from 198.18.0.2, padded to 60 bytes. */
static const uint8_t arp_request_for_us[60] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 198, 18, 0, 2,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 198, 18, 0, 1,
	/* Ethernet padding */
};

static void
test_arp_request_for_us(void)
{
	static const uint8_t want[42] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 198, 18, 0, 1,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 198, 18, 0, 2,
	};
	struct sbc_host_stats before = stats_now(), after;
	struct rte_ether_addr mac;
	struct rte_mbuf *req = NULL;
	struct frame in;

	expect_reply_mbuf("arp reply", mbuf_from(arp_request_for_us, sizeof(arp_request_for_us)),
			  want, sizeof(want));
	after = stats_now();
	CU_ASSERT_EQUAL(after.arp_replies, before.arp_replies + 1);
	CU_ASSERT_EQUAL(after.arp_learned, before.arp_learned + 1);

	/* The requester was learned: resolving it needs no request. */
	CU_ASSERT_EQUAL(resolve4(host, 0, ip4_peer, &mac, &req), 0);
	CU_ASSERT_PTR_NULL(req);
	CU_ASSERT(memcmp(mac.addr_bytes, mac_peer, 6) == 0);

	/* Unpadded and unicast to our MAC (a Linux re-check) works too. */
	build_arp(&in, mac_us, mac_peer, 1, mac_peer, ip4_peer, mac_zero, ip4_us);
	expect_rc(&in, 1);
}

static void
test_arp_not_ours(void)
{
	static const uint8_t mac_4[6] = { 0x02, 0, 0, 0, 0, 0x04 };
	static const uint8_t ip4_4[4] = { 198, 18, 0, 4 };
	struct sbc_host_stats before = stats_now(), after;
	struct rte_ether_addr mac;
	struct rte_mbuf *req = NULL;
	struct frame in;

	/* Someone else's address, from a sender we do not know. */
	build_arp(&in, mac_bcast, mac_4, 1, mac_4, ip4_4, mac_zero, ip4_other);
	expect_rc(&in, -ENOENT);
	/* ...and the sender was not learned from it. */
	CU_ASSERT_EQUAL(resolve4(host, 0, ip4_4, &mac, &req), -EAGAIN);
	CU_ASSERT_PTR_NOT_NULL(req);
	rte_pktmbuf_free(req);

	/* Our address but a frame for another station's MAC. */
	build_arp(&in, mac_peer, mac_4, 1, mac_4, ip4_4, mac_zero, ip4_us);
	expect_rc(&in, -ENOENT);
	/* RARP opcode, IPv6-in-ARP, bad lengths, multicast sender. */
	build_arp(&in, mac_bcast, mac_4, 3, mac_4, ip4_4, mac_zero, ip4_us);
	expect_rc(&in, -ENOTSUP);
	build_arp(&in, mac_bcast, mac_4, 1, mac_4, ip4_4, mac_zero, ip4_us);
	set16(in.b + 16, ETH_IPV6);
	expect_rc(&in, -ENOTSUP);
	build_arp(&in, mac_bcast, mac_4, 1, mac_4, ip4_4, mac_zero, ip4_us);
	in.b[18] = 5;
	expect_rc(&in, -EINVAL);
	build_arp(&in, mac_bcast, mac_4, 1, mac_bcast, ip4_4, mac_zero, ip4_us);
	expect_rc(&in, -EINVAL);

	after = stats_now();
	CU_ASSERT_EQUAL(after.arp_replies, before.arp_replies);
	CU_ASSERT_EQUAL(after.ignored, before.ignored + 4);
	CU_ASSERT_EQUAL(after.malformed, before.malformed + 2);
}

static void
test_arp_truncated(void)
{
	struct sbc_host_stats before = stats_now(), after;
	size_t len;

	for (len = 0; len < 42; len++) {
		struct rte_mbuf *reply = NULL;
		int rc = feed(host, mbuf_from(arp_request_for_us, len), &reply);

		CU_ASSERT_EQUAL(rc, -EINVAL);
	}
	after = stats_now();
	CU_ASSERT_EQUAL(after.malformed, before.malformed + 42);
	CU_ASSERT_EQUAL(after.arp_replies, before.arp_replies);
}

/* ICMP */

#define ECHO_ID  0x1234
#define ECHO_SEQ 7

static void
echo4_pair(struct frame *in, struct frame *want, size_t payload, const uint8_t *opts,
	   size_t opt_len)
{
	uint8_t msg[FRAME_MAX];
	size_t n;
	struct ip4_spec req = {
		.eth_dst = mac_us, .eth_src = mac_peer, .src = ip4_peer, .dst = ip4_us,
		.tos = 0xb8, .ttl = 57, .proto = 1, .id = 0xabcd, .frag = 0x4000,
		.opts = opts, .opt_len = opt_len,
	};
	struct ip4_spec rep = {
		.eth_dst = mac_peer, .eth_src = mac_us, .src = ip4_us, .dst = ip4_peer,
		.tos = 0xb8, .ttl = 64, .proto = 1, .id = 0xabcd, .frag = 0x4000,
	};

	n = build_echo_msg(msg, 8, ECHO_ID, ECHO_SEQ, payload);
	build_ipv4(in, &req, msg, n);
	n = build_echo_msg(msg, 0, ECHO_ID, ECHO_SEQ, payload);
	build_ipv4(want, &rep, msg, n);
}

/* Checksums of a reply, recomputed from scratch. */
static void
check_ipv4_icmp_cksums(const struct frame *f)
{
	size_t ihl = (size_t)(f->b[14] & 0xf) * 4;
	size_t tot = get16(f->b + 16);

	CU_ASSERT_EQUAL(ref_fold(ref_sum(f->b + 14, ihl, 0)), 0xffff);
	CU_ASSERT_EQUAL(ref_fold(ref_sum(f->b + 14 + ihl, tot - ihl, 0)), 0xffff);
}

static void
test_icmp_echo(void)
{
	struct sbc_host_stats before = stats_now();
	struct frame in, want;

	echo4_pair(&in, &want, 32, NULL, 0);
	check_ipv4_icmp_cksums(&want);
	expect_reply("echo", &in, &want);
	CU_ASSERT_EQUAL(stats_now().echo_replies, before.echo_replies + 1);

	/* Empty payload, padded to the Ethernet minimum: the reply drops the padding. */
	echo4_pair(&in, &want, 0, NULL, 0);
	memset(in.b + in.len, 0, 60 - in.len);
	in.len = 60;
	expect_reply("echo padded", &in, &want);

	/* Odd payload length. */
	echo4_pair(&in, &want, 33, NULL, 0);
	expect_reply("echo odd", &in, &want);

	/* Shared data is never written in place: a clone, or a second reference. */
	{
		struct rte_mbuf *orig = mbuf_from(in.b, in.len), *clone, *reply = NULL;

		clone = rte_pktmbuf_clone(orig, pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(clone);
		CU_ASSERT_EQUAL(feed(host, clone, &reply), -ENOTSUP);
		rte_mbuf_refcnt_update(orig, 1);
		CU_ASSERT_EQUAL(sbc_host_input(host, orig, now_ms, &reply), -ENOTSUP);
		rte_pktmbuf_free(orig);
		check_bytes("echo shared, untouched", orig, in.b, in.len);
		rte_pktmbuf_free(orig);
	}
}

static void
test_icmp_echo_options(void)
{
	static const uint8_t nops[4] = { 1, 1, 1, 0 };
	static const uint8_t nops8[8] = { 1, 1, 1, 1, 1, 1, 1, 0 };
	struct frame in, want;

	/* IHL 6: the reply has a plain 20-byte header and the same ICMP message. */
	echo4_pair(&in, &want, 24, nops, sizeof(nops));
	CU_ASSERT_EQUAL(in.b[14], 0x46);
	expect_reply("echo ihl 6", &in, &want);
	echo4_pair(&in, &want, 5, nops8, sizeof(nops8));
	expect_reply("echo ihl 7", &in, &want);
}

static void
test_icmp_echo_multiseg(void)
{
	struct frame in, want;
	size_t first;

	/* Split at odd and even offsets inside the payload and inside the header. */
	echo4_pair(&in, &want, 300, NULL, 0);
	for (first = 42; first < 60; first++)
		expect_reply_mbuf("echo 2 segments", mbuf_from_split(in.b, in.len, first),
				  want.b, want.len);
	/* Headers not contiguous: not handled, not a crash. */
	{
		struct rte_mbuf *reply = NULL;

		CU_ASSERT_EQUAL(feed(host, mbuf_from_split(in.b, in.len, 30), &reply), -ENOTSUP);
	}
	/* Padding in a second segment goes with that segment. */
	echo4_pair(&in, &want, 2, NULL, 0);
	memset(in.b + in.len, 0, 60 - in.len);
	expect_reply_mbuf("echo padding segment", mbuf_from_split(in.b, 60, in.len),
			  want.b, want.len);
}

static void
test_icmp_echo_bad(void)
{
	struct sbc_host_stats before = stats_now(), after;
	struct frame in, want;

	echo4_pair(&in, &want, 16, NULL, 0);
	in.b[34 + 2] ^= 0x01;                   /* ICMP checksum */
	expect_rc(&in, -EINVAL);

	echo4_pair(&in, &want, 16, NULL, 0);
	in.b[14 + 10] ^= 0x80;                  /* IPv4 header checksum */
	expect_rc(&in, -EINVAL);

	echo4_pair(&in, &want, 16, NULL, 0);
	in.b[34 + 20] ^= 0xff;                  /* payload: ICMP checksum no longer matches */
	expect_rc(&in, -EINVAL);

	echo4_pair(&in, &want, 16, NULL, 0);
	in.len -= 1;                            /* total length beyond the frame */
	expect_rc(&in, -EINVAL);

	echo4_pair(&in, &want, 16, NULL, 0);
	in.b[14] = 0x44;                        /* IHL 4, with a checksum valid over 16 bytes */
	set16(in.b + 24, 0);
	set16(in.b + 24, ref_cksum(in.b + 14, 16));
	expect_rc(&in, -EINVAL);

	echo4_pair(&in, &want, 16, NULL, 0);
	in.b[14] = 0x65;                        /* version 6 in an IPv4 frame */
	expect_rc(&in, -EINVAL);

	after = stats_now();
	CU_ASSERT_EQUAL(after.malformed, before.malformed + 6);
	CU_ASSERT_EQUAL(after.echo_replies, before.echo_replies);
}

static void
test_icmp_not_ours(void)
{
	uint8_t msg[64];
	struct frame in;
	size_t n = build_echo_msg(msg, 8, ECHO_ID, ECHO_SEQ, 8);
	struct ip4_spec s = {
		.eth_dst = mac_us, .eth_src = mac_peer, .src = ip4_peer, .dst = ip4_other,
		.ttl = 64, .proto = 1,
	};

	build_ipv4(&in, &s, msg, n);            /* another IP */
	expect_rc(&in, -ENOENT);

	s.dst = ip4_us;
	s.proto = 17;                           /* UDP to us: media, not ours */
	build_ipv4(&in, &s, msg, n);
	expect_rc(&in, -ENOENT);

	s.proto = 1;
	s.eth_dst = mac_bcast;                  /* our IP behind a broadcast MAC */
	build_ipv4(&in, &s, msg, n);
	expect_rc(&in, -ENOENT);

	s.eth_dst = mac_us;
	s.frag = 0x2000;                        /* first fragment */
	build_ipv4(&in, &s, msg, n);
	expect_rc(&in, -ENOTSUP);

	s.frag = 0;
	n = build_echo_msg(msg, 0, ECHO_ID, ECHO_SEQ, 8);   /* an echo reply */
	build_ipv4(&in, &s, msg, n);
	expect_rc(&in, -ENOTSUP);

	put_eth(&in, mac_us, mac_peer, 0x8100);             /* VLAN tagged */
	put32(&in, 0);
	expect_rc(&in, -ENOTSUP);
	put_eth(&in, mac_us, mac_peer, 0x88cc);             /* LLDP */
	put32(&in, 0);
	expect_rc(&in, -ENOENT);
}

/* NDP */

static void
ns_frame(struct frame *f, const uint8_t *eth_dst, const uint8_t *eth_src, const uint8_t *src,
	 const uint8_t *dst, uint8_t hop, const uint8_t *target, const uint8_t *slla)
{
	uint8_t msg[32];
	size_t n = build_nd_msg(msg, 135, 0, target, slla ? 1 : 0, slla);

	build_ipv6(f, eth_dst, eth_src, src, dst, hop, msg, n);
}

static void
na_frame(struct frame *f, const uint8_t *eth_dst, const uint8_t *eth_src, const uint8_t *src,
	 const uint8_t *dst, uint32_t flags, const uint8_t *target, const uint8_t *tlla)
{
	uint8_t msg[32];
	size_t n = build_nd_msg(msg, 136, flags, target, tlla ? 2 : 0, tlla);

	build_ipv6(f, eth_dst, eth_src, src, dst, 255, msg, n);
}

static void
test_ns_global(void)
{
	/* The expected advertisement, written out; the checksum is filled below. */
	uint8_t want[86] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
		0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
		0x88, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	};
	struct sbc_host_stats before = stats_now(), after;
	struct rte_ether_addr mac;
	struct rte_mbuf *req = NULL;
	struct frame in;

	set16(want + 56, ref_icmp6_cksum(ip6_us, ip6_peer, want + 54, 32));
	ns_frame(&in, mac_snm_us, mac_peer, ip6_peer, snm_us, 255, ip6_us, mac_peer);
	expect_reply_mbuf("na global", mbuf_from(in.b, in.len), want, sizeof(want));
	CU_ASSERT_EQUAL(ref_fold(ref_sum(want + 54, 32,
					 ref_sum(ip6_us, 16, ref_sum(ip6_peer, 16, 32 + 58)))),
			0xffff);

	after = stats_now();
	CU_ASSERT_EQUAL(after.ns_answered, before.ns_answered + 1);
	CU_ASSERT_EQUAL(after.na_learned, before.na_learned + 1);
	/* The solicitor's source link-layer option taught us its MAC. */
	CU_ASSERT_EQUAL(sbc_host_resolve(host, 1, ip6_peer, 6, now_ms, &mac, &req), 0);
	CU_ASSERT_PTR_NULL(req);
	CU_ASSERT(memcmp(mac.addr_bytes, mac_peer, 6) == 0);
}

static void
test_ns_variants(void)
{
	uint8_t msg[32];
	struct frame in, want;
	size_t n;

	/* Link-local target, unicast solicitation (dst = target, our MAC). */
	ns_frame(&in, mac_us, mac_peer, ll6_peer, ll6_us, 255, ll6_us, mac_peer);
	n = build_nd_msg(msg, 136, 0x60000000u, ll6_us, 2, mac_us);
	build_ipv6(&want, mac_peer, mac_us, ll6_us, ll6_peer, 255, msg, n);
	expect_reply("na link-local", &in, &want);

	/* No source option: answered to the Ethernet source. */
	ns_frame(&in, mac_snm_us, mac_peer, ll6_peer, snm_us, 255, ll6_us, NULL);
	expect_reply("na without slla", &in, &want);

	/* Duplicate address detection: to all-nodes, not solicited, override set. */
	{
		static const uint8_t mac_all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };

		ns_frame(&in, mac_snm_us, mac_peer, ip6_unspec, snm_us, 255, ip6_us, NULL);
		n = build_nd_msg(msg, 136, 0x20000000u, ip6_us, 2, mac_us);
		build_ipv6(&want, mac_all_nodes, mac_us, ip6_us, ip6_all_nodes, 255, msg, n);
		expect_reply("na dad", &in, &want);
	}

	/* An NS carried in a frame with trailing padding. */
	ns_frame(&in, mac_snm_us, mac_peer, ip6_peer, snm_us, 255, ip6_us, mac_peer);
	n = build_nd_msg(msg, 136, 0x60000000u, ip6_us, 2, mac_us);
	build_ipv6(&want, mac_peer, mac_us, ip6_us, ip6_peer, 255, msg, n);
	memset(in.b + in.len, 0xee, 10);
	in.len += 10;
	expect_reply("na padded ns", &in, &want);
}

static void
test_ns_bad(void)
{
	static const uint8_t ip6_other[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x03 };
	struct sbc_host_stats before = stats_now(), after;
	uint8_t msg[40];
	struct frame in;
	size_t n, len;

	ns_frame(&in, mac_snm_us, mac_peer, ip6_peer, snm_us, 64, ip6_us, mac_peer);
	expect_rc(&in, -EINVAL);                /* hop limit 64 */

	ns_frame(&in, mac_snm_us, mac_peer, ip6_peer, snm_us, 255, ip6_us, mac_peer);
	in.b[56] ^= 0x10;                       /* ICMPv6 checksum */
	expect_rc(&in, -EINVAL);

	n = build_nd_msg(msg, 135, 0, ip6_us, 1, mac_peer);
	msg[25] = 0;                            /* zero-length option */
	build_ipv6(&in, mac_snm_us, mac_peer, ip6_peer, snm_us, 255, msg, n);
	expect_rc(&in, -EINVAL);

	n = build_nd_msg(msg, 135, 0, ip6_us, 1, mac_peer);
	msg[24] = 99;                           /* unknown option longer than the message */
	msg[25] = 2;
	build_ipv6(&in, mac_snm_us, mac_peer, ip6_peer, snm_us, 255, msg, n);
	{
		struct rte_mbuf *reply = NULL;

		CU_ASSERT_EQUAL(feed(host, mbuf_exact(in.b, in.len), &reply), -EINVAL);
	}

	ns_frame(&in, mac_snm_us, mac_peer, ip6_unspec, snm_us, 255, ip6_us, mac_peer);
	expect_rc(&in, -EINVAL);                /* DAD with a source option */

	after = stats_now();
	CU_ASSERT_EQUAL(after.malformed, before.malformed + 5);

	/* Options in a second segment: not handled, and not read. */
	ns_frame(&in, mac_snm_us, mac_peer, ip6_peer, snm_us, 255, ip6_us, mac_peer);
	{
		struct rte_mbuf *reply = NULL;

		CU_ASSERT_EQUAL(feed(host, mbuf_from_split(in.b, in.len, 78), &reply), -ENOTSUP);
	}

	/* Someone else's target, on its own solicited-node group (not ours). */
	{
		static const uint8_t snm_other[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff,
						       [15] = 0x03 };
		static const uint8_t mac_snm_other[6] = { 0x33, 0x33, 0xff, 0, 0, 0x03 };

		ns_frame(&in, mac_snm_other, mac_peer, ip6_peer, snm_other, 255, ip6_other,
			 mac_peer);
		expect_rc(&in, -ENOENT);
	}
	/* Someone else's target that happens to share our solicited-node group. */
	{
		static const uint8_t ip6_twin[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x02,
						      [15] = 0x01 };

		ns_frame(&in, mac_snm_us, mac_peer, ip6_peer, snm_us, 255, ip6_twin, mac_peer);
		expect_rc(&in, -ENOENT);
	}

	/* Every truncation of a valid NS: rejected, never read past the end. */
	ns_frame(&in, mac_snm_us, mac_peer, ip6_peer, snm_us, 255, ip6_us, mac_peer);
	for (len = 0; len < in.len; len++) {
		struct rte_mbuf *reply = NULL;

		CU_ASSERT(feed(host, mbuf_from(in.b, len), &reply) < 0);
	}
}

static void
test_icmp6_echo(void)
{
	uint8_t msg[128];
	struct frame in, want;
	size_t n;

	n = build_echo_msg(msg, 128, ECHO_ID, ECHO_SEQ, 40);
	build_ipv6(&in, mac_us, mac_peer, ip6_peer, ip6_us, 61, msg, n);
	n = build_echo_msg(msg, 129, ECHO_ID, ECHO_SEQ, 40);
	build_ipv6(&want, mac_peer, mac_us, ip6_us, ip6_peer, 64, msg, n);
	CU_ASSERT_EQUAL(ref_icmp6_cksum(ip6_us, ip6_peer, want.b + 54, n), 0);
	expect_reply("echo6", &in, &want);

	/* To our link-local address, answered from it; odd length. */
	n = build_echo_msg(msg, 128, ECHO_ID, ECHO_SEQ, 7);
	build_ipv6(&in, mac_us, mac_peer, ll6_peer, ll6_us, 64, msg, n);
	n = build_echo_msg(msg, 129, ECHO_ID, ECHO_SEQ, 7);
	build_ipv6(&want, mac_peer, mac_us, ll6_us, ll6_peer, 64, msg, n);
	expect_reply("echo6 link-local", &in, &want);

	/* Split over two segments at an odd offset. */
	n = build_echo_msg(msg, 128, ECHO_ID, ECHO_SEQ, 100);
	build_ipv6(&in, mac_us, mac_peer, ip6_peer, ip6_us, 61, msg, n);
	n = build_echo_msg(msg, 129, ECHO_ID, ECHO_SEQ, 100);
	build_ipv6(&want, mac_peer, mac_us, ip6_us, ip6_peer, 64, msg, n);
	expect_reply_mbuf("echo6 2 segments", mbuf_from_split(in.b, in.len, 71), want.b, want.len);

	/* Bad checksum, to all-nodes, to another address, with an extension header. */
	n = build_echo_msg(msg, 128, ECHO_ID, ECHO_SEQ, 40);
	build_ipv6(&in, mac_us, mac_peer, ip6_peer, ip6_us, 61, msg, n);
	in.b[60] ^= 1;
	expect_rc(&in, -EINVAL);
	{
		static const uint8_t mac_all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };

		build_ipv6(&in, mac_all_nodes, mac_peer, ip6_peer, ip6_all_nodes, 61, msg, n);
		expect_rc(&in, -ENOENT);
	}
	build_ipv6(&in, mac_us, mac_peer, ip6_us, ip6_peer, 61, msg, n);
	expect_rc(&in, -ENOENT);
	build_ipv6(&in, mac_us, mac_peer, ip6_peer, ip6_us, 61, msg, n);
	in.b[20] = 0;                           /* hop-by-hop options header */
	expect_rc(&in, -ENOTSUP);
	in.b[20] = 17;                          /* UDP: media */
	expect_rc(&in, -ENOENT);
	build_ipv6(&in, mac_us, mac_peer, ip6_peer, ip6_us, 61, msg, n);
	set16(in.b + 18, (uint16_t)(n + 1));    /* payload length beyond the frame */
	expect_rc(&in, -EINVAL);
}

/* Resolution */

static void
check_arp_request(struct rte_mbuf *req, const uint8_t *target)
{
	uint8_t want[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 198, 18, 0, 1,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0, 0, 0, 0,
	};

	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	memcpy(want + 38, target, 4);
	CU_ASSERT_EQUAL(req->port, 0);
	check_bytes("arp request", req, want, sizeof(want));
	rte_pktmbuf_free(req);
}

static void
test_resolve4(void)
{
	struct rte_ether_addr mac;
	struct rte_mbuf *req = NULL;
	struct frame in;
	uint64_t gen, t0;

	now_ms += 10000;
	t0 = now_ms;
	CU_ASSERT_EQUAL(resolve4(host, 0, ip4_remote, &mac, &req), -EAGAIN);
	check_arp_request(req, ip4_gw);

	now_ms = t0 + 999;                      /* within a second: no new request */
	CU_ASSERT_EQUAL(resolve4(host, 0, ip4_remote, &mac, &req), -EAGAIN);
	CU_ASSERT_PTR_NULL(req);
	CU_ASSERT_EQUAL(resolve4(host, 0, ip4_gw, &mac, &req), -EAGAIN);
	CU_ASSERT_PTR_NULL(req);

	now_ms = t0 + 1000;                     /* a second later: asked again */
	CU_ASSERT_EQUAL(resolve4(host, 0, ip4_remote, &mac, &req), -EAGAIN);
	check_arp_request(req, ip4_gw);

	/* The gateway answers. */
	gen = sbc_host_generation(host);
	build_arp(&in, mac_us, mac_gw, 2, mac_gw, ip4_gw, mac_us, ip4_us);
	expect_rc(&in, 0);
	CU_ASSERT(sbc_host_generation(host) > gen);
	CU_ASSERT_EQUAL(resolve4(host, 0, ip4_remote, &mac, &req), 0);
	CU_ASSERT_PTR_NULL(req);
	CU_ASSERT(memcmp(mac.addr_bytes, mac_gw, 6) == 0);

	/* Same MAC again: refreshed, generation unchanged. */
	gen = sbc_host_generation(host);
	expect_rc(&in, 0);
	CU_ASSERT_EQUAL(sbc_host_generation(host), gen);

	/* 300 s later the MAC is stale: still used, but asked for again. */
	now_ms += SBC_HOST_NEIGH_REACHABLE_MS;
	CU_ASSERT_EQUAL(resolve4(host, 0, ip4_remote, &mac, &req), 0);
	CU_ASSERT(memcmp(mac.addr_bytes, mac_gw, 6) == 0);
	check_arp_request(req, ip4_gw);
	CU_ASSERT_EQUAL(resolve4(host, 0, ip4_remote, &mac, &req), 0);
	CU_ASSERT_PTR_NULL(req);
	expect_rc(&in, 0);                      /* refreshed: no more requests */
	now_ms += SBC_HOST_REQUEST_INTERVAL_MS;
	CU_ASSERT_EQUAL(resolve4(host, 0, ip4_remote, &mac, &req), 0);
	CU_ASSERT_PTR_NULL(req);

	/* Gateway fail-over announced by gratuitous ARP: new MAC, new generation. */
	gen = sbc_host_generation(host);
	build_arp(&in, mac_bcast, mac_gw2, 1, mac_gw2, ip4_gw, mac_zero, ip4_gw);
	expect_rc(&in, 0);
	CU_ASSERT_EQUAL(sbc_host_generation(host), gen + 1);
	CU_ASSERT_EQUAL(resolve4(host, 0, ip4_remote, &mac, &req), 0);
	CU_ASSERT(memcmp(mac.addr_bytes, mac_gw2, 6) == 0);
	build_arp(&in, mac_us, mac_gw, 2, mac_gw, ip4_gw, mac_us, ip4_us);
	expect_rc(&in, 0);
	CU_ASSERT_EQUAL(sbc_host_generation(host), gen + 2);
}

static void
test_resolve4_errors(void)
{
	static const uint8_t bcast[4] = { 198, 18, 0, 255 };
	static const uint8_t mcast[4] = { 224, 0, 0, 5 };
	static const uint8_t zero[4];
	struct sbc_dp_iface nogw = ifaces[0];
	struct rte_ether_addr mac;
	struct rte_mbuf *req = (struct rte_mbuf *)&mac;
	struct sbc_host *h;

	CU_ASSERT_EQUAL(sbc_host_resolve(host, 0, ip4_remote, 5, now_ms, &mac, &req), -EINVAL);
	CU_ASSERT_PTR_NULL(req);
	CU_ASSERT_EQUAL(sbc_host_resolve(host, 2, ip4_remote, 4, now_ms, &mac, &req), -EINVAL);
	CU_ASSERT_EQUAL(sbc_host_resolve(host, 1, ip4_remote, 4, now_ms, &mac, &req), -EINVAL);
	CU_ASSERT_EQUAL(sbc_host_resolve(host, 0, ip6_us, 6, now_ms, &mac, &req), -EINVAL);
	CU_ASSERT_EQUAL(resolve4(host, 0, bcast, &mac, &req), -EINVAL);
	CU_ASSERT_EQUAL(resolve4(host, 0, mcast, &mac, &req), -EINVAL);
	CU_ASSERT_EQUAL(resolve4(host, 0, zero, &mac, &req), -EINVAL);
	CU_ASSERT_EQUAL(resolve4(host, 0, ip4_us, &mac, &req), -EINVAL);
	CU_ASSERT_PTR_NULL(req);

	nogw.gw4 = 0;
	h = sbc_host_create(&nogw, 1, pool, 4, SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(resolve4(h, 0, ip4_remote, &mac, &req), -ENETUNREACH);
	CU_ASSERT_PTR_NULL(req);
	CU_ASSERT_EQUAL(resolve4(h, 0, ip4_peer, &mac, &req), -EAGAIN);
	check_arp_request(req, ip4_peer);
	sbc_host_destroy(h);
}

static void
check_ns_request(struct rte_mbuf *req, const uint8_t *src, const uint8_t *target)
{
	uint8_t want[86] = {
		0x33, 0x33, 0xff, 0, 0, 0, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd,
		0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,
		[22 + 32] = 0x87, 0x00,
		[54 + 24] = 0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	};
	static const uint8_t snm_prefix[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };

	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	memcpy(want + 3, target + 13, 3);
	memcpy(want + 22, src, 16);
	memcpy(want + 38, snm_prefix, 13);
	memcpy(want + 51, target + 13, 3);
	memcpy(want + 62, target, 16);
	set16(want + 56, ref_icmp6_cksum(src, want + 38, want + 54, 32));
	CU_ASSERT_EQUAL(req->port, 0);
	check_bytes("neighbour solicitation", req, want, sizeof(want));
	rte_pktmbuf_free(req);
}

static void
test_resolve6(void)
{
	static const uint8_t ip6_77[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x77 };
	static const uint8_t mcast[16] = { 0xff, 0x02, [15] = 0x05 };
	struct sbc_host_stats before = stats_now();
	struct rte_ether_addr mac;
	struct rte_mbuf *req = NULL;
	struct frame in;
	uint64_t gen;

	now_ms += 5000;
	/* On-link global: from our global address. */
	CU_ASSERT_EQUAL(sbc_host_resolve(host, 1, ip6_onlink, 6, now_ms, &mac, &req), -EAGAIN);
	check_ns_request(req, ip6_us, ip6_onlink);
	CU_ASSERT_EQUAL(sbc_host_resolve(host, 1, ip6_onlink, 6, now_ms + 500, &mac, &req),
			-EAGAIN);
	CU_ASSERT_PTR_NULL(req);

	/* Off-link: via the link-local gateway, from our link-local address. */
	CU_ASSERT_EQUAL(sbc_host_resolve(host, 1, ip6_remote, 6, now_ms, &mac, &req), -EAGAIN);
	check_ns_request(req, ll6_us, ll6_gw);
	CU_ASSERT_EQUAL(stats_now().requests_sent, before.requests_sent + 2);

	/* The gateway advertises (solicited, override) to our link-local address. */
	gen = sbc_host_generation(host);
	na_frame(&in, mac_us, mac_gw, ll6_gw, ll6_us, 0x60000000u, ll6_gw, mac_gw);
	expect_rc(&in, 0);
	CU_ASSERT_EQUAL(sbc_host_generation(host), gen + 1);
	CU_ASSERT_EQUAL(stats_now().na_learned, before.na_learned + 1);
	CU_ASSERT_EQUAL(sbc_host_resolve(host, 1, ip6_remote, 6, now_ms, &mac, &req), 0);
	CU_ASSERT_PTR_NULL(req);
	CU_ASSERT(memcmp(mac.addr_bytes, mac_gw, 6) == 0);

	/* Without the override flag a different MAC does not replace a known one. */
	na_frame(&in, mac_us, mac_gw2, ll6_gw, ll6_us, 0x40000000u, ll6_gw, mac_gw2);
	expect_rc(&in, -ENOENT);
	CU_ASSERT_EQUAL(sbc_host_resolve(host, 1, ip6_remote, 6, now_ms, &mac, &req), 0);
	CU_ASSERT(memcmp(mac.addr_bytes, mac_gw, 6) == 0);

	/* Unsolicited advertisement for a neighbour we never asked about. */
	na_frame(&in, mac_us, mac_peer, ip6_77, ip6_us, 0x20000000u, ip6_77, mac_peer);
	expect_rc(&in, -ENOENT);
	/* Hop limit not 255; solicited flag to a multicast group. */
	na_frame(&in, mac_us, mac_gw, ll6_gw, ll6_us, 0x60000000u, ll6_gw, mac_gw);
	in.b[21] = 254;
	expect_rc(&in, -EINVAL);
	{
		static const uint8_t mac_all_nodes[6] = { 0x33, 0x33, 0, 0, 0, 0x01 };

		na_frame(&in, mac_all_nodes, mac_gw, ll6_gw, ip6_all_nodes, 0x60000000u, ll6_gw,
			 mac_gw);
		expect_rc(&in, -EINVAL);
		/* Unsolicited override to all-nodes for a known next hop: learned. */
		na_frame(&in, mac_all_nodes, mac_gw, ll6_gw, ip6_all_nodes, 0x20000000u, ll6_gw,
			 mac_gw);
		expect_rc(&in, 0);
	}

	/* Errors. */
	CU_ASSERT_EQUAL(sbc_host_resolve(host, 1, mcast, 6, now_ms, &mac, &req), -EINVAL);
	CU_ASSERT_EQUAL(sbc_host_resolve(host, 1, ip6_unspec, 6, now_ms, &mac, &req), -EINVAL);
	CU_ASSERT_EQUAL(sbc_host_resolve(host, 1, ll6_us, 6, now_ms, &mac, &req), -EINVAL);
	{
		struct sbc_dp_iface nogw = ifaces[1];
		struct sbc_host *h;

		nogw.has_gw6 = false;
		h = sbc_host_create(&nogw, 1, pool, 4, SOCKET_ID_ANY);
		CU_ASSERT_PTR_NOT_NULL_FATAL(h);
		CU_ASSERT_EQUAL(sbc_host_resolve(h, 0, ip6_remote, 6, now_ms, &mac, &req),
				-ENETUNREACH);
		CU_ASSERT_EQUAL(sbc_host_resolve(h, 0, ll6_peer, 6, now_ms, &mac, &req), -EAGAIN);
		check_ns_request(req, ll6_us, ll6_peer);
		sbc_host_destroy(h);
	}
}

static uint32_t
xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* What the neighbour table should hold, kept the simple way. */
#define MODEL_MAX  8
#define MODEL_KEYS 24

struct model_entry {
	bool present, wanted, has_mac;
	uint64_t last_used;
};

/* Least recently used, entries nobody resolved first; -1 if none may go. */
static int
model_victim(const struct model_entry *e, bool may_evict_wanted)
{
	int k, v = -1;

	for (k = 0; k < MODEL_KEYS; k++) {
		if (!e[k].present || (e[k].wanted && !may_evict_wanted))
			continue;
		if (v < 0 || (e[v].wanted && !e[k].wanted) ||
		    (e[v].wanted == e[k].wanted && e[k].last_used < e[v].last_used))
			v = k;
	}
	return v;
}

/*
 * A small table under churn, against a model: every lookup, insertion,
 * eviction and backward shift must keep exactly the entries the model
 * keeps.  Resolutions and ARP replies addressed to us (which may create
 * entries, but never evict resolved ones) are mixed at random.
 */
static void
test_neighbor_table(void)
{
	struct sbc_host *h = sbc_host_create(ifaces, 2, pool, MODEL_MAX, SOCKET_ID_ANY);
	struct model_entry model[MODEL_KEYS];
	uint32_t seed = 12345;
	struct sbc_host_stats st;
	unsigned int i, n_present = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	memset(model, 0, sizeof(model));
	for (i = 0; i < 20000; i++) {
		int k = (int)(xorshift32(&seed) % MODEL_KEYS), v;
		uint8_t ip[4] = { 198, 18, 0, (uint8_t)(10 + k) };
		uint8_t mac_n[6] = { 0x02, 0, 0, 0, 0x01, ip[3] };
		struct rte_mbuf *req = NULL, *reply = NULL;
		struct rte_ether_addr mac;
		struct frame in;
		int rc, want;

		now_ms += 1;                    /* distinct times: eviction order is exact */
		if (xorshift32(&seed) % 2) {
			bool created = !model[k].present;

			if (!created) {
				want = model[k].has_mac ? 0 : -EAGAIN;
			} else {
				if (n_present == MODEL_MAX) {
					v = model_victim(model, true);
					model[v].present = false;
					n_present--;
				}
				memset(&model[k], 0, sizeof(model[k]));
				model[k].present = true;
				n_present++;
				want = -EAGAIN;
			}
			model[k].wanted = true;
			model[k].last_used = now_ms;
			rc = resolve4(h, 0, ip, &mac, &req);
			CU_ASSERT_EQUAL(rc, want);
			if (rc == 0)
				CU_ASSERT(memcmp(mac.addr_bytes, mac_n, 6) == 0);
			/* A new entry asks at once. */
			if (created)
				CU_ASSERT_PTR_NOT_NULL(req);
			if (req != NULL)
				rte_pktmbuf_free(req);
		} else {
			want = 0;
			if (!model[k].present) {
				if (n_present == MODEL_MAX) {
					v = model_victim(model, false);
					if (v < 0) {
						want = -ENOENT;
					} else {
						model[v].present = false;
						n_present--;
					}
				}
				if (want == 0) {
					memset(&model[k], 0, sizeof(model[k]));
					model[k].present = true;
					n_present++;
				}
			}
			if (want == 0) {
				model[k].has_mac = true;
				model[k].last_used = now_ms;
			}
			build_arp(&in, mac_us, mac_n, 2, mac_n, ip, mac_us, ip4_us);
			rc = feed(h, mbuf_from(in.b, in.len), &reply);
			CU_ASSERT_EQUAL(rc, want);
		}
		if (rc != want) {
			fprintf(stderr, "\nneighbour model diverged at step %u (key %d)\n", i, k);
			break;
		}
	}

	/*
	 * Fill it with next hops we resolved; strangers talking to us must not
	 * push them out.
	 */
	for (i = 0; i < MODEL_MAX; i++) {
		uint8_t ip[4] = { 198, 18, 0, (uint8_t)(100 + i) };
		struct rte_ether_addr mac;
		struct rte_mbuf *req = NULL;

		now_ms += 10;                   /* strictly newer than anything in the table */
		CU_ASSERT_EQUAL(resolve4(h, 0, ip, &mac, &req), -EAGAIN);
		if (req != NULL)
			rte_pktmbuf_free(req);
	}
	for (i = 0; i < 10; i++) {
		uint8_t ip[4] = { 198, 18, 0, (uint8_t)(200 + i) };
		uint8_t mac_n[6] = { 0x02, 0, 0, 0, 0x02, ip[3] };
		struct rte_mbuf *reply = NULL;
		struct frame in;

		build_arp(&in, mac_bcast, mac_n, 1, mac_n, ip, mac_zero, ip4_us);
		CU_ASSERT_EQUAL(feed(h, mbuf_from(in.b, in.len), &reply), 1);
		if (reply != NULL)
			rte_pktmbuf_free(reply);
	}
	sbc_host_stats(h, &st);
	CU_ASSERT(st.neigh_table_full >= 10);
	for (i = 0; i < MODEL_MAX; i++) {
		uint8_t ip[4] = { 198, 18, 0, (uint8_t)(100 + i) };
		uint8_t mac_n[6] = { 0x02, 0, 0, 0, 0x03, ip[3] };
		struct rte_mbuf *reply = NULL;
		struct frame in;

		/* Still there: an unsolicited reply for it is accepted. */
		build_arp(&in, mac_bcast, mac_n, 2, mac_n, ip, mac_zero, ip);
		CU_ASSERT_EQUAL(feed(h, mbuf_from(in.b, in.len), &reply), 0);
	}
	sbc_host_destroy(h);
}

/* Fuzz */

/* Recompute whatever checksums the bytes claim to have, so mutations reach deep. */
static void
fuzz_fix_checksums(uint8_t *b, size_t len)
{
	if (len >= 34 && get16(b + 12) == ETH_IPV4) {
		size_t ihl = (size_t)(b[14] & 0xf) * 4;
		size_t tot = get16(b + 16);

		if (ihl < 20 || 14 + ihl > len)
			return;
		set16(b + 24, 0);
		set16(b + 24, ref_cksum(b + 14, ihl));
		if (b[23] == 1 && tot >= ihl + 4 && 14 + tot <= len) {
			set16(b + 14 + ihl + 2, 0);
			set16(b + 14 + ihl + 2, ref_cksum(b + 14 + ihl, tot - ihl));
		}
	} else if (len >= 58 && get16(b + 12) == ETH_IPV6 && b[20] == 58) {
		size_t plen = get16(b + 18);

		if (plen >= 4 && 54 + plen <= len) {
			set16(b + 56, 0);
			set16(b + 56, ref_icmp6_cksum(b + 22, b + 38, b + 54, plen));
		}
	}
}

/* Whatever the host sends must be well formed. */
static void
fuzz_check_reply(const struct rte_mbuf *m)
{
	uint8_t b[FRAME_MAX];
	size_t n = mbuf_flatten(m, b, sizeof(b));

	CU_ASSERT_FATAL(n != SIZE_MAX && n >= 42);
	CU_ASSERT(memcmp(b + 6, mac_us, 6) == 0);
	switch (get16(b + 12)) {
	case ETH_ARP:
		CU_ASSERT_EQUAL(get16(b + 20), 2);
		CU_ASSERT_EQUAL(n, 42);
		break;
	case ETH_IPV4:
		CU_ASSERT_EQUAL(b[14], 0x45);
		CU_ASSERT_EQUAL(14 + (size_t)get16(b + 16), n);
		CU_ASSERT_EQUAL(ref_fold(ref_sum(b + 14, 20, 0)), 0xffff);
		CU_ASSERT_EQUAL(ref_fold(ref_sum(b + 34, n - 34, 0)), 0xffff);
		break;
	case ETH_IPV6:
		CU_ASSERT_EQUAL(54 + (size_t)get16(b + 18), n);
		CU_ASSERT_EQUAL(ref_icmp6_cksum(b + 22, b + 38, b + 54, n - 54), 0);
		break;
	default:
		CU_FAIL("reply of unknown type");
	}
}

/* One valid frame of every kind the host handles. */
enum { N_TEMPLATES = 8 };

static void
build_templates(struct frame *tpl)
{
	static const uint8_t nops[4] = { 1, 1, 1, 0 };
	struct frame want;
	uint8_t msg[64];
	size_t n;

	build_arp(&tpl[0], mac_bcast, mac_peer, 1, mac_peer, ip4_peer, mac_zero, ip4_us);
	build_arp(&tpl[1], mac_us, mac_gw, 2, mac_gw, ip4_gw, mac_us, ip4_us);
	echo4_pair(&tpl[2], &want, 40, NULL, 0);
	echo4_pair(&tpl[3], &want, 12, nops, sizeof(nops));
	ns_frame(&tpl[4], mac_snm_us, mac_peer, ip6_peer, snm_us, 255, ip6_us, mac_peer);
	na_frame(&tpl[5], mac_us, mac_gw, ll6_gw, ll6_us, 0x60000000u, ll6_gw, mac_gw);
	n = build_echo_msg(msg, 128, ECHO_ID, ECHO_SEQ, 30);
	build_ipv6(&tpl[6], mac_us, mac_peer, ip6_peer, ip6_us, 64, msg, n);
	ns_frame(&tpl[7], mac_us, mac_peer, ll6_peer, ll6_us, 255, ll6_us, NULL);
}

/*
 * Every prefix of every template, each in a buffer that ends where the
 * frame ends: nothing past the frame is read (ASan watches the heap).
 */
static void
test_truncated_exact_buffers(void)
{
	/* What the whole frame gives; 78-byte NS cannot grow to an NA in place. */
	static const int full_rc[N_TEMPLATES] = { 1, 0, 1, 1, 1, 0, 1, -ENOTSUP };
	struct frame tpl[N_TEMPLATES];
	unsigned int t;
	size_t len;

	build_templates(tpl);
	for (t = 0; t < N_TEMPLATES; t++) {
		for (len = 0; len <= tpl[t].len; len++) {
			struct rte_mbuf *m = mbuf_exact(tpl[t].b, len), *reply = NULL;
			int rc = feed(host, m, &reply);

			if (len < tpl[t].len) {
				CU_ASSERT(rc < 0);
			} else {
				CU_ASSERT_EQUAL(rc, full_rc[t]);
				if (rc != full_rc[t])
					fprintf(stderr, "\ntemplate %u: rc %d\n", t, rc);
			}
			if (rc == 1) {
				fuzz_check_reply(reply);
				rte_pktmbuf_free(reply);
			}
		}
	}
}

static void
test_fuzz(void)
{
	struct frame tpl[N_TEMPLATES], in;
	uint32_t seed = FUZZ_SEED;
	unsigned int counts[4] = { 0 };
	unsigned int i;

	build_templates(tpl);

	for (i = 0; i < FUZZ_ITERATIONS; i++) {
		uint32_t kind = xorshift32(&seed) % 10;
		size_t len = xorshift32(&seed) % (FUZZ_MAX_LEN + 1), j;
		struct rte_mbuf *m, *reply = NULL;
		int rc;

		for (j = 0; j < len; j++)
			in.b[j] = (uint8_t)xorshift32(&seed);
		if (kind >= 2) {
			const struct frame *t = &tpl[(kind - 2) % N_TEMPLATES];
			unsigned int flips = xorshift32(&seed) % 4;

			memcpy(in.b, t->b, RTE_MIN(len, t->len));
			while (flips-- > 0 && len > 0)
				in.b[xorshift32(&seed) % len] = (uint8_t)xorshift32(&seed);
			if (xorshift32(&seed) % 2)
				fuzz_fix_checksums(in.b, len);
		} else if (kind == 1 && len >= 14) {
			/* random payload behind a plausible Ethernet header */
			static const uint16_t types[3] = { ETH_ARP, ETH_IPV4, ETH_IPV6 };

			memcpy(in.b, xorshift32(&seed) % 2 ? mac_us : mac_bcast, 6);
			set16(in.b + 12, types[xorshift32(&seed) % 3]);
		}

		switch (xorshift32(&seed) % 8) {
		case 0:
			m = len >= 2 ? mbuf_from_split(in.b, len, 1 + xorshift32(&seed) % (len - 1))
				     : mbuf_from(in.b, len);
			break;
		case 1:
		case 2:
			m = mbuf_exact(in.b, len);
			break;
		default:
			m = mbuf_from(in.b, len);
			break;
		}
		m->port = (uint16_t)(xorshift32(&seed) % 8 == 0);
		now_ms += xorshift32(&seed) % 100;
		rc = sbc_host_input(host, m, now_ms, &reply);
		CU_ASSERT(rc == 1 || rc == 0 || rc == -ENOENT || rc == -ENOTSUP || rc == -EINVAL);
		if (rc == 1) {
			CU_ASSERT_PTR_EQUAL_FATAL(reply, m);
			fuzz_check_reply(reply);
			rte_pktmbuf_free(reply);
			counts[0]++;
		} else if (rc == 0) {
			counts[1]++;
		} else {
			rte_pktmbuf_free(m);
			counts[rc == -EINVAL ? 2 : 3]++;
		}

		/* Resolution interleaved with the noise. */
		if (i % 64 == 0) {
			struct rte_ether_addr mac;
			struct rte_mbuf *req = NULL;

			rc = resolve4(host, 0, ip4_remote, &mac, &req);
			CU_ASSERT(rc == 0 || rc == -EAGAIN);
			if (req != NULL)
				rte_pktmbuf_free(req);
		}
	}
	printf("\n    fuzz: %u replies, %u learned, %u malformed, %u ignored ",
	       counts[0], counts[1], counts[2], counts[3]);
	CU_ASSERT(counts[0] > 0 && counts[1] > 0 && counts[2] > 0 && counts[3] > 0);
}

static void
test_no_mbuf_leak(void)
{
	struct sbc_host_stats st = stats_now();

	/* Every reply, request and dropped frame went back to the pool. */
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
	CU_ASSERT(st.arp_replies > 0 && st.ns_answered > 0 && st.echo_replies > 0);
	CU_ASSERT(st.requests_sent > 0 && st.arp_learned > 0 && st.na_learned > 0);
}

static void
setup_ifaces(void)
{
	struct sbc_dp_iface *v4 = &ifaces[0], *v6 = &ifaces[1];

	memset(ifaces, 0, sizeof(ifaces));
	snprintf(v4->name, sizeof(v4->name), "media4");
	v4->index = 0;
	v4->port_id = 0;
	v4->mtu = 1500;
	memcpy(v4->mac.addr_bytes, mac_us, 6);
	v4->has4 = true;
	memcpy(&v4->ip4, ip4_us, 4);
	v4->mask4 = rte_cpu_to_be_32(0xffffff00u);
	memcpy(&v4->gw4, ip4_gw, 4);

	snprintf(v6->name, sizeof(v6->name), "media6");
	v6->index = 1;
	v6->port_id = 0;
	v6->mtu = 1500;
	memcpy(v6->mac.addr_bytes, mac_us, 6);
	v6->has6 = true;
	memcpy(v6->ip6, ip6_us, 16);
	memcpy(v6->ll6, ll6_us, 16);
	v6->plen6 = 64;
	v6->has_gw6 = true;
	memcpy(v6->gw6, ll6_gw, 16);
}

int
main(void)
{
	static const struct sbc_test tests[] = {
		{ "create arguments", test_create_args },
		{ "ARP request for us", test_arp_request_for_us },
		{ "ARP not ours or unsupported", test_arp_not_ours },
		{ "ARP truncated at every length", test_arp_truncated },
		{ "ICMP echo", test_icmp_echo },
		{ "ICMP echo with IP options", test_icmp_echo_options },
		{ "ICMP echo in two segments", test_icmp_echo_multiseg },
		{ "ICMP echo malformed", test_icmp_echo_bad },
		{ "IPv4 not ours or unsupported", test_icmp_not_ours },
		{ "NS for our global address", test_ns_global },
		{ "NS link-local, no option, DAD, padded", test_ns_variants },
		{ "NS malformed or not ours", test_ns_bad },
		{ "ICMPv6 echo", test_icmp6_echo },
		{ "resolve IPv4 via gateway", test_resolve4 },
		{ "resolve IPv4 errors", test_resolve4_errors },
		{ "resolve IPv6 and NA", test_resolve6 },
		{ "neighbour table churn and eviction", test_neighbor_table },
		{ "truncations in exact-size buffers", test_truncated_exact_buffers },
		{ "fuzz random frames", test_fuzz },
		{ "no mbuf leaked", test_no_mbuf_leak },
	};
	char prefix[48];
	char *eal_args[] = {
		"test_host", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
		"--log-level=lib.*:error", "--file-prefix", prefix, NULL,
	};
	unsigned int failures = 1;

	/* Own runtime directory: parallel test programs never share one. */
	snprintf(prefix, sizeof(prefix), "rampart_host_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal_args) - 1, eal_args) < 0) {
		fprintf(stderr, "test_host: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	pool = rte_pktmbuf_pool_create("test_host", POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "test_host: mempool: %s\n", rte_strerror(rte_errno));
		goto err_eal;
	}
	setup_ifaces();
	host = sbc_host_create(ifaces, RTE_DIM(ifaces), pool, MAX_NEIGHBORS, SOCKET_ID_ANY);
	if (host == NULL) {
		fprintf(stderr, "test_host: sbc_host_create: %s\n", rte_strerror(rte_errno));
		goto err_pool;
	}

	failures = SBC_TEST_RUN("host", tests) != 0;
	sbc_host_destroy(host);
err_pool:
	rte_mempool_free(pool);
err_eal:
	sbc_dp_eal_cleanup();
	return failures ? 1 : 0;
}
