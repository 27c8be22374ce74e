/* SPDX-License-Identifier: BSD-3-Clause
 * Meson suite `dataplane`: the relay fast path with crafted packets in and
 * exact bytes out, on ring-backed ports, EAL without hugepages.
 *
 *   198.18.0.2 (carrier) ── port a: m-a 198.18.0.1 ─┐
 *                                                    ├─ Rampart
 *   198.18.1.2 (pbx)     ── port b: m-b 198.18.1.1 ─┘
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_mempool.h>

#include "cunit_run.h"
#include "harness.h"

static struct h_ctx H;
static char api_path[108];
static int ev_fd = -1;

static const uint8_t A4[4] = { 198, 18, 0, 1 }, B4[4] = { 198, 18, 1, 1 };
static const uint8_t C4[4] = { 198, 18, 0, 2 }, P4[4] = { 198, 18, 1, 2 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, [15] = 1 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0b, [15] = 1 };
static const uint8_t C6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, [15] = 2 };
static const uint8_t P6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0b, [15] = 2 };
static const struct rte_ether_addr CMAC = { { 0x02, 0, 0, 0, 0x0a, 0x02 } };
static const struct rte_ether_addr PMAC = { { 0x02, 0, 0, 0, 0x0b, 0x02 } };

#define PA 0
#define PB 1
#define RECVSEND (SBC_API_LEG_RECV | SBC_API_LEG_SEND)

static const char config_yaml[] =
	"dataplane:\n"
	"  workers: [1]\n"
	"  ports:\n"
	"    - { name: pa, device: net_ring_a }\n"
	"    - { name: pb, device: net_ring_b }\n"
	"  interfaces:\n"
	"    - { name: m-a, port: pa, ipv4: 198.18.0.1/24, ipv6: \"2001:db8:a::1/64\",\n"
	"        media_ports: 20000-20999 }\n"
	"    - { name: m-b, port: pb, ipv4: 198.18.1.1/24, ipv6: \"2001:db8:b::1/64\",\n"
	"        media_ports: 40000-40999 }\n"
	"  stream_table_size: 4096\n"
	"  mempool_size: 16383\n"
	"  telemetry: false\n"
	"sip:\n"
	"  interfaces:\n"
	"    - { name: s0, side: carrier, address: 198.18.0.1, media_interface: m-a,\n"
	"        listen: [{ transport: udp, port: 5060 }] }\n";

struct sess {
	uint32_t id;
	struct sbc_api_alloc_ep a, b;
	struct sbc_api_leg la, lb;
};

/* A session: leg A faces the carrier (port a), leg B the PBX (port b). */
static int mk_session(struct sess *s, uint8_t fa, uint8_t fb, uint8_t latch_a, uint8_t latch_b,
		      uint16_t cport, uint16_t pport, bool mux)
{
	if (h_alloc(&H, "m-a", fa, mux, &s->a) != SBC_API_OK ||
	    h_alloc(&H, "m-b", fb, mux, &s->b) != SBC_API_OK)
		return -1;
	h_leg(&s->la, s->a.endpoint_id, fa, fa == 4 ? C4 : C6, cport, latch_a,
	      RECVSEND | (mux ? SBC_API_LEG_RTCP_MUX : 0));
	h_leg(&s->lb, s->b.endpoint_id, fb, fb == 4 ? P4 : P6, pport, latch_b,
	      RECVSEND | (mux ? SBC_API_LEG_RTCP_MUX : 0));
	return h_bind(&H, &s->la, &s->lb, 0, &s->id);
}

/*
 * A UDP frame on @side's wire: from that side's peer to Rampart (@toward_sbc)
 * or from Rampart to the peer.  Without @payload, a G.711 RTP packet with
 * sequence @seq is built.
 */
/* The source address frame_in() uses instead of the side's peer; NULL = the peer. */
static const uint8_t *frame_spoof;

static uint32_t frame(uint8_t *f, unsigned int side, bool toward_sbc, uint8_t fam,
		      uint16_t sport, uint16_t dport, uint8_t ttl, uint8_t pt, uint16_t seq,
		      uint32_t ssrc, const uint8_t *payload, uint32_t plen)
{
	const uint8_t *peer = frame_spoof != NULL && toward_sbc ? frame_spoof :
			      side == PA ? (fam == 4 ? C4 : C6) : (fam == 4 ? P4 : P6);
	const uint8_t *sbc = side == PA ? (fam == 4 ? A4 : A6) : (fam == 4 ? B4 : B6);
	const struct rte_ether_addr *peer_mac = side == PA ? &CMAC : &PMAC;
	struct h_udp u = {
		.family = fam, .sport = sport, .dport = dport, .ttl = ttl,
		.payload = payload, .plen = plen,
	};
	uint8_t rtp[512];

	if (payload == NULL) {
		u.plen = h_build_rtp(rtp, pt, seq, 160u * seq, ssrc, 160, (uint8_t)seq);
		u.payload = rtp;
	}
	u.src_mac = toward_sbc ? *peer_mac : H.port[side].mac;
	u.dst_mac = toward_sbc ? H.port[side].mac : *peer_mac;
	memcpy(u.src_ip, toward_sbc ? peer : sbc, fam == 4 ? 4 : 16);
	memcpy(u.dst_ip, toward_sbc ? sbc : peer, fam == 4 ? 4 : 16);
	return h_build_udp(f, &u);
}

/* RTP frame from the carrier (port a side) or the PBX (port b side). */
#define frame_in(f, side, ...) frame(f, side, true, __VA_ARGS__)
/* What Rampart must send out of @side toward that side's peer. */
#define frame_out(f, side, ...) frame(f, side, false, __VA_ARGS__)

/* Take one frame from @side queue 0 and compare it byte for byte. */
static void expect_frame(unsigned int side, const uint8_t *want, uint32_t len)
{
	h_expect_mbuf(h_take(&H, side, 0), want, len);
}

static void expect_nothing(void)
{
	CU_ASSERT_EQUAL(h_drain(&H, PA, 0), 0);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 0);
}

static struct sess S4;    /* v4/v4, learn */

/* Answer the data plane's ARP/NDP for both peers, as the peers would. */
static void resolve_peers(void)
{
	h_run(&H);
	h_drain(&H, PA, 1);
	h_drain(&H, PB, 1);
	h_arp_reply(&H, PA, C4, &CMAC, A4);
	h_arp_reply(&H, PB, P4, &PMAC, B4);
	h_na(&H, PA, C6, &CMAC, A6);
	h_na(&H, PB, P6, &PMAC, B6);
	h_run(&H);
	h_run(&H);
	h_drain(&H, PA, 1);
	h_drain(&H, PB, 1);
}

static int suite_init(void)
{
	static const char *const names[] = { "a", "b" };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	int rc = h_ports_create(&H, names, 2);

	if (rc != 0) {
		fprintf(stderr, "ring ports: %s\n", strerror(-rc));
		return -1;
	}
	snprintf(api_path, sizeof(api_path), "/tmp/rampart-dptest-%d.sock", (int)getpid());
	rc = h_dp_create(&H, config_yaml, api_path);
	if (rc != 0) {
		fprintf(stderr, "data plane: %s\n", strerror(-rc));
		return -1;
	}
	ev_fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", api_path);
	if (ev_fd < 0 || connect(ev_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("event socket");
		return -1;
	}
	h_run(&H);  /* accept the event client */
	return 0;
}

static int suite_clean(void)
{
	if (ev_fd >= 0)
		close(ev_fd);
	h_dp_destroy(&H);
	return 0;
}

/* Receive events until one of @kind arrives or @ms pass. */
static bool wait_event(uint32_t kind, uint32_t session_id, struct sbc_api_event *out,
		       unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * ms;

	while (rte_get_timer_cycles() < end) {
		struct sbc_api_event ev;
		struct pollfd p = { .fd = ev_fd, .events = POLLIN };

		h_run(&H);
		if (poll(&p, 1, 5) <= 0)
			continue;
		if (recv(ev_fd, &ev, sizeof(ev), 0) == (ssize_t)sizeof(ev) &&
		    sbc_api_decode(&ev, sizeof(ev)) == SBC_API_OK && ev.kind == kind &&
		    (session_id == 0 || ev.session_id == session_id)) {
			if (out)
				*out = ev;
			return true;
		}
	}
	return false;
}

/* Forget events earlier tests caused (session ids get reused). */
static void flush_events(void)
{
	struct sbc_api_event ev;

	h_run(&H);
	while (recv(ev_fd, &ev, sizeof(ev), MSG_DONTWAIT) > 0)
		;
}

/* Next hops get resolved by ARP/NDP before media flows. */
static void test_resolution(void)
{
	struct rte_mbuf *m;
	uint8_t f[256];
	uint32_t len;

	CU_ASSERT_EQUAL_FATAL(mk_session(&S4, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 5000, 6000, false), SBC_API_OK);
	/* Unresolved: media waits, an ARP request went out of each port. */
	len = frame_in(f, PA, 4, 5000, S4.a.local.port, 64, 0, 1, 0x1111, NULL, 0);
	h_inject(&H, PA, f, len);
	h_run(&H);
	CU_ASSERT_EQUAL(h_drops(&H, SBC_DROP_NO_NEXTHOP), 1);
	m = h_take(&H, PB, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	{
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

		CU_ASSERT(d[12] == 0x08 && d[13] == 0x06 && d[21] == 1);  /* ARP request */
		CU_ASSERT(memcmp(d + 28, B4, 4) == 0);                    /* from us */
		CU_ASSERT(memcmp(d + 38, P4, 4) == 0);                    /* who has P */
	}
	rte_pktmbuf_free(m);
	resolve_peers();
	/* Now media flows. */
	h_inject(&H, PA, f, len);
	h_run(&H);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 1);
}

static void test_host_duties(void)
{
	uint8_t f[64] = { 0 };
	struct rte_mbuf *m;

	/* ARP request for our address on port a → reply on the main queue. */
	memset(f, 0xff, 6);
	memcpy(f + 6, &CMAC, 6);
	f[12] = 0x08; f[13] = 0x06; f[15] = 1; f[16] = 0x08; f[18] = 6; f[19] = 4; f[21] = 1;
	memcpy(f + 22, &CMAC, 6);
	memcpy(f + 28, C4, 4);
	memcpy(f + 38, A4, 4);
	h_inject(&H, PA, f, 42);
	h_run(&H);
	m = h_take(&H, PA, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	{
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

		CU_ASSERT(memcmp(d, &CMAC, 6) == 0);
		CU_ASSERT(d[21] == 2);
		CU_ASSERT(memcmp(d + 22, &H.port[PA].mac, 6) == 0);
		CU_ASSERT(memcmp(d + 28, A4, 4) == 0);
		CU_ASSERT(memcmp(d + 38, C4, 4) == 0);
	}
	rte_pktmbuf_free(m);
	/* ARP from a stranger for an address that is not ours: ignored, counted. */
	{
		uint64_t before = h_drops(&H, SBC_DROP_HOST_IGNORED);

		f[11] = 0x77;
		f[27] = 0x77;
		f[31] = 50;
		f[41] = 99;
		h_inject(&H, PA, f, 42);
		h_run(&H);
		CU_ASSERT_EQUAL(h_drops(&H, SBC_DROP_HOST_IGNORED), before + 1);
		CU_ASSERT_PTR_NULL(h_take(&H, PA, 1));
	}
}

static void relay_burst(uint16_t n, uint8_t fa, uint8_t fb, struct sess *s)
{
	static uint16_t seq = 100;
	uint8_t f[512], want[512];
	uint16_t first = seq;

	for (uint16_t i = 0; i < n; i++, seq++) {
		uint32_t len = frame_in(f, PA, fa, 5000, s->a.local.port, 64, 0, seq, 0xabcd, NULL, 0);

		h_inject(&H, PA, f, len);
	}
	h_run(&H);
	for (uint16_t i = 0; i < n; i++) {
		uint32_t len = frame_out(want, PB, fb, s->b.local.port, 6000, 63, 0,
					 (uint16_t)(first + i), 0xabcd, NULL, 0);

		expect_frame(PB, want, len);
	}
	expect_nothing();
}

static void test_relay_ipv4_bursts(void)
{
	static const uint16_t sizes[] = { 0, 1, 31, 32, 33 };
	uint8_t f[512], want[512];
	uint32_t len;

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		relay_burst(sizes[i], 4, 4, &S4);
	/* The other direction, PBX → carrier, to the carrier's latched source. */
	len = frame_in(f, PB, 4, 6000, S4.b.local.port, 64, 0, 7, 0x2222, NULL, 0);
	h_inject(&H, PB, f, len);
	h_run(&H);
	len = frame_out(want, PA, 4, S4.a.local.port, 5000, 63, 0, 7, 0x2222, NULL, 0);
	expect_frame(PA, want, len);
}

static void test_relay_ipv6_and_cross_family(void)
{
	struct sess s6, sx;
	uint8_t f[512], want[512];
	uint32_t len;

	CU_ASSERT_EQUAL_FATAL(mk_session(&s6, 6, 6, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 5000, 6000, false), SBC_API_OK);
	resolve_peers();
	relay_burst(33, 6, 6, &s6);
	len = frame_in(f, PB, 6, 6000, s6.b.local.port, 64, 0, 9, 0x3333, NULL, 0);
	h_inject(&H, PB, f, len);
	h_run(&H);
	len = frame_out(want, PA, 6, s6.a.local.port, 5000, 63, 0, 9, 0x3333, NULL, 0);
	expect_frame(PA, want, len);

	/* IPv4 carrier leg, IPv6 PBX leg: headers rebuilt, checksum recomputed. */
	CU_ASSERT_EQUAL_FATAL(mk_session(&sx, 4, 6, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 5000, 6000, false), SBC_API_OK);
	resolve_peers();
	relay_burst(3, 4, 6, &sx);
	len = frame_in(f, PB, 6, 6000, sx.b.local.port, 64, 0, 11, 0x4444, NULL, 0);
	h_inject(&H, PB, f, len);
	h_run(&H);
	len = frame_out(want, PA, 4, sx.a.local.port, 5000, 63, 0, 11, 0x4444, NULL, 0);
	expect_frame(PA, want, len);
	CU_ASSERT_EQUAL(h_release(&H, s6.id, 0), SBC_API_OK);
	CU_ASSERT_EQUAL(h_release(&H, sx.id, 0), SBC_API_OK);
}

static void fix_ip4_csum(uint8_t *f)
{
	uint32_t sum = 0;

	f[24] = f[25] = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(f[14 + i] << 8 | f[15 + i]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	f[24] = (uint8_t)(sum >> 8);
	f[25] = (uint8_t)sum;
}

/* Inject @f (len) on port a and require exactly one drop for @reason. */
static void expect_drop(const uint8_t *f, uint32_t len, unsigned int reason, unsigned int port)
{
	uint64_t before = h_drops(&H, reason);

	h_inject(&H, port, f, len);
	h_run(&H);
	if (h_drops(&H, reason) != before + 1)
		fprintf(stderr, "\nreason %s: %lu -> %lu\n", sbc_drop_reason_name(reason),
			(unsigned long)before, (unsigned long)h_drops(&H, reason));
	CU_ASSERT_EQUAL(h_drops(&H, reason), before + 1);
	expect_nothing();
}

static void test_drop_reasons(void)
{
	uint8_t f[512], base[512];
	uint32_t len = frame_in(base, PA, 4, 5000, S4.a.local.port, 64, 0, 500, 0xabcd, NULL, 0);
	uint32_t len6;
	struct sess strict, hold, ptf, nh;
	uint8_t bad_rtp[20] = { 0x40, 0 };

	/* no stream: an even port of ours nobody allocated */
	memcpy(f, base, len);
	len = frame_in(f, PA, 4, 5000, 20998, 64, 0, 1, 1, NULL, 0);
	expect_drop(f, len, SBC_DROP_NO_STREAM, PA);
	/* not for us */
	memcpy(f, base, len);
	f[14 + 19] = 99;
	fix_ip4_csum(f);
	expect_drop(f, len, SBC_DROP_NOT_FOR_US, PA);
	/* bad UDP length */
	memcpy(f, base, len);
	f[14 + 20 + 5] ^= 4;
	expect_drop(f, len, SBC_DROP_BAD_UDP_LEN, PA);
	/* truncated: short Ethernet, short IPv4 header, total length beyond the frame */
	expect_drop(base, 10, SBC_DROP_TRUNCATED, PA);
	expect_drop(base, 14 + 12, SBC_DROP_TRUNCATED, PA);
	expect_drop(base, len - 20, SBC_DROP_TRUNCATED, PA);
	/* UDP header cut by the IP total length */
	memcpy(f, base, len);
	f[16] = 0;
	f[17] = 24;
	fix_ip4_csum(f);
	expect_drop(f, len, SBC_DROP_TRUNCATED, PA);
	/* not RTP: version 1 */
	len = frame_in(f, PA, 4, 5000, S4.a.local.port, 64, 0, 0, 0, bad_rtp, sizeof(bad_rtp));
	expect_drop(f, len, SBC_DROP_NOT_RTP, PA);
	/* RTP with a CSRC count beyond the payload */
	bad_rtp[0] = 0x8f;
	len = frame_in(f, PA, 4, 5000, S4.a.local.port, 64, 0, 0, 0, bad_rtp, sizeof(bad_rtp));
	expect_drop(f, len, SBC_DROP_NOT_RTP, PA);
	/* TTL 1 */
	len = frame_in(f, PA, 4, 5000, S4.a.local.port, 1, 0, 501, 0xabcd, NULL, 0);
	expect_drop(f, len, SBC_DROP_TTL_EXPIRED, PA);
	/* hop limit 1 */
	len6 = frame_in(f, PA, 6, 5000, 20000, 1, 0, 1, 1, NULL, 0);
	expect_drop(f, len6, SBC_DROP_TTL_EXPIRED, PA);
	/* unknown ethertype (LLDP) */
	len = frame_in(f, PA, 4, 5000, S4.a.local.port, 64, 0, 502, 0xabcd, NULL, 0);
	f[12] = 0x88;
	f[13] = 0xcc;
	expect_drop(f, len, SBC_DROP_UNKNOWN_ETHERTYPE, PA);
	/* bad IPv4 header: checksum, then version */
	len = frame_in(f, PA, 4, 5000, S4.a.local.port, 64, 0, 503, 0xabcd, NULL, 0);
	f[25] ^= 0xff;
	expect_drop(f, len, SBC_DROP_BAD_IP_HEADER, PA);
	len = frame_in(f, PA, 4, 5000, S4.a.local.port, 64, 0, 503, 0xabcd, NULL, 0);
	f[14] = 0x55;
	fix_ip4_csum(f);
	expect_drop(f, len, SBC_DROP_BAD_IP_HEADER, PA);
	/* fragment */
	len = frame_in(f, PA, 4, 5000, S4.a.local.port, 64, 0, 504, 0xabcd, NULL, 0);
	f[20] = 0x20;
	fix_ip4_csum(f);
	expect_drop(f, len, SBC_DROP_IP_FRAGMENT, PA);
	/* TCP */
	len = frame_in(f, PA, 4, 5000, S4.a.local.port, 64, 0, 505, 0xabcd, NULL, 0);
	f[23] = 6;
	fix_ip4_csum(f);
	expect_drop(f, len, SBC_DROP_UNSUPPORTED_PROTO, PA);

	/* wrong source under strict latching */
	CU_ASSERT_EQUAL_FATAL(mk_session(&strict, 4, 4, SBC_API_LATCH_STRICT,
					 SBC_API_LATCH_STRICT, 5100, 6100, false), SBC_API_OK);
	len = frame_in(f, PA, 4, 5102, strict.a.local.port, 64, 0, 1, 1, NULL, 0);
	expect_drop(f, len, SBC_DROP_WRONG_SOURCE, PA);
	len = frame_in(f, PA, 4, 5100, strict.a.local.port, 64, 0, 1, 1, NULL, 0);
	h_inject(&H, PA, f, len);
	h_run(&H);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 1);

	/* inactive: the PBX leg is on hold (we must not send to it) */
	CU_ASSERT_EQUAL_FATAL(mk_session(&hold, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 5200, 6200, false), SBC_API_OK);
	hold.lb.flags = SBC_API_LEG_RECV;
	CU_ASSERT_EQUAL(h_update(&H, hold.id, SBC_API_UPDATE_LEG_B, NULL, &hold.lb), SBC_API_OK);
	len = frame_in(f, PA, 4, 5200, hold.a.local.port, 64, 0, 1, 1, NULL, 0);
	expect_drop(f, len, SBC_DROP_INACTIVE, PA);
	hold.lb.flags = RECVSEND;
	CU_ASSERT_EQUAL(h_update(&H, hold.id, SBC_API_UPDATE_LEG_B, NULL, &hold.lb), SBC_API_OK);
	h_inject(&H, PA, f, len);
	h_run(&H);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 1);  /* resumed */

	/* payload type not negotiated toward the PBX */
	CU_ASSERT_EQUAL_FATAL(mk_session(&ptf, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 5300, 6300, false), SBC_API_OK);
	ptf.lb.n_pt_map = 1;
	ptf.lb.pt_map[0] = (struct sbc_api_pt_map){ 0, 0 };
	CU_ASSERT_EQUAL(h_update(&H, ptf.id, SBC_API_UPDATE_LEG_B, NULL, &ptf.lb), SBC_API_OK);
	len = frame_in(f, PA, 4, 5300, ptf.a.local.port, 64, 8, 1, 1, NULL, 0);
	expect_drop(f, len, SBC_DROP_PT_BLOCKED, PA);

	/* next hop unknown: a PBX address nobody answered for */
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-a", 4, false, &nh.a), SBC_API_OK);
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-b", 4, false, &nh.b), SBC_API_OK);
	{
		static const uint8_t unknown[4] = { 198, 18, 1, 77 };

		h_leg(&nh.la, nh.a.endpoint_id, 4, C4, 5400, SBC_API_LATCH_LEARN, RECVSEND);
		h_leg(&nh.lb, nh.b.endpoint_id, 4, unknown, 6400, SBC_API_LATCH_LEARN, RECVSEND);
		CU_ASSERT_EQUAL_FATAL(h_bind(&H, &nh.la, &nh.lb, 0, &nh.id), SBC_API_OK);
	}
	len = frame_in(f, PA, 4, 5400, nh.a.local.port, 64, 0, 1, 1, NULL, 0);
	expect_drop(f, len, SBC_DROP_NO_NEXTHOP, PA);
	h_drain(&H, PB, 1);
	h_drain(&H, PA, 1);
	CU_ASSERT_EQUAL(h_release(&H, strict.id, 0), SBC_API_OK);
	CU_ASSERT_EQUAL(h_release(&H, hold.id, 0), SBC_API_OK);
	CU_ASSERT_EQUAL(h_release(&H, ptf.id, 0), SBC_API_OK);
	CU_ASSERT_EQUAL(h_release(&H, nh.id, 0), SBC_API_OK);
	/* released: its port now finds no stream */
	expect_drop(f, len, SBC_DROP_NO_STREAM, PA);
}

/* Feed one frame straight into the worker at a chosen time (injected clock). */
static void feed_at(unsigned int port, const uint8_t *f, uint32_t len, uint64_t now)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(H.mp);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	m->port = H.port[port].port_id;
	sbc_worker_process_burst(H.w, &m, 1, now);
	sbc_worker_flush(H.w);
}

static void test_latching(void)
{
	struct sess ln, rl;
	uint8_t f[512], want[512];
	uint32_t len;
	uint64_t hz = rte_get_tsc_hz(), t0 = rte_rdtsc();
	struct sbc_api_event ev;

	/* learn: first source wins and is reported; a second source is refused */
	CU_ASSERT_EQUAL_FATAL(mk_session(&ln, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 5500, 6500, false), SBC_API_OK);
	flush_events();
	len = frame_in(f, PA, 4, 5544, ln.a.local.port, 64, 0, 1, 1, NULL, 0);
	feed_at(PA, f, len, t0);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 1);
	CU_ASSERT(wait_event(SBC_API_EV_SOURCE_LATCHED, ln.id, &ev, 500));
	CU_ASSERT_EQUAL(ev.addr.port, 5544);
	len = frame_in(f, PA, 4, 5546, ln.a.local.port, 64, 0, 2, 1, NULL, 0);
	feed_at(PA, f, len, t0 + hz);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 0);
	/* media toward the carrier goes to the latched source, not the SDP port */
	len = frame_in(f, PB, 4, 6500, ln.b.local.port, 64, 0, 3, 2, NULL, 0);
	feed_at(PB, f, len, t0 + hz);
	len = frame_out(want, PA, 4, ln.a.local.port, 5544, 63, 0, 3, 2, NULL, 0);
	expect_frame(PA, want, len);

	/* a re-INVITE moving the carrier's media voids the old latch */
	ln.la.remote.port = 5560;
	ln.la.remote_rtcp_port = 5561;
	CU_ASSERT_EQUAL(h_update(&H, ln.id, SBC_API_UPDATE_LEG_A, &ln.la, NULL), SBC_API_OK);
	len = frame_in(f, PA, 4, 5562, ln.a.local.port, 64, 0, 4, 1, NULL, 0);
	feed_at(PA, f, len, t0 + 2 * hz);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 1);          /* learnt afresh */
	len = frame_in(f, PA, 4, 5544, ln.a.local.port, 64, 0, 5, 1, NULL, 0);
	feed_at(PA, f, len, t0 + 2 * hz);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 0);          /* the old source is gone */
	h_run(&H);                                       /* main lcore publishes */
	len = frame_in(f, PB, 4, 6500, ln.b.local.port, 64, 0, 6, 2, NULL, 0);
	feed_at(PB, f, len, t0 + 2 * hz);
	len = frame_out(want, PA, 4, ln.a.local.port, 5562, 63, 0, 6, 2, NULL, 0);
	expect_frame(PA, want, len);

	/* relearn: a new source is accepted only after the quiet gap */
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-a", 4, false, &rl.a), SBC_API_OK);
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-b", 4, false, &rl.b), SBC_API_OK);
	h_leg(&rl.la, rl.a.endpoint_id, 4, C4, 5600, SBC_API_LATCH_RELEARN, RECVSEND);
	rl.la.relearn_gap_ms = 500;
	h_leg(&rl.lb, rl.b.endpoint_id, 4, P4, 6600, SBC_API_LATCH_LEARN, RECVSEND);
	CU_ASSERT_EQUAL_FATAL(h_bind(&H, &rl.la, &rl.lb, 0, &rl.id), SBC_API_OK);
	len = frame_in(f, PA, 4, 5600, rl.a.local.port, 64, 0, 1, 1, NULL, 0);
	feed_at(PA, f, len, t0);
	len = frame_in(f, PA, 4, 5700, rl.a.local.port, 64, 0, 2, 1, NULL, 0);
	feed_at(PA, f, len, t0 + hz / 10);       /* 100 ms later: refused */
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 1);
	feed_at(PA, f, len, t0 + hz / 10 * 7);   /* 700 ms after the last accepted: moves */
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 1);
	CU_ASSERT(wait_event(SBC_API_EV_SOURCE_CHANGED, rl.id, &ev, 500));
	CU_ASSERT_EQUAL(ev.addr.port, 5700);
	len = frame_in(f, PA, 4, 5600, rl.a.local.port, 64, 0, 3, 1, NULL, 0);
	feed_at(PA, f, len, t0 + hz / 10 * 8);   /* the old source is now the stranger */
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 0);
	CU_ASSERT_EQUAL(h_release(&H, ln.id, 0), SBC_API_OK);
	CU_ASSERT_EQUAL(h_release(&H, rl.id, 0), SBC_API_OK);
}

/* RTP from @src (another host than the side's peer) toward @dport. */
static uint32_t frame_from(uint8_t *f, const uint8_t *src, uint16_t sport, uint16_t dport,
			   uint16_t seq)
{
	uint32_t len;

	frame_spoof = src;
	len = frame_in(f, PA, 4, sport, dport, 64, 0, seq, 0x5151, NULL, 0);
	frame_spoof = NULL;
	return len;
}

/*
 * The learn scope (issue: a third party who sends to an anchored port
 * before the real peer took the call's media).  Leg A learns only from its
 * SDP address (prefix 32), its /24, or an explicit address (the signalling
 * peer); outside, packets are dropped as learn_refused, the control plane
 * hears of it once a second, and media keeps going to the SDP address.
 */
static void test_learn_scope(void)
{
	static const uint8_t X4[4] = { 198, 18, 7, 66 };     /* attacker, another /24 */
	static const uint8_t N4[4] = { 198, 18, 0, 77 };     /* C4's /24 */
	static const uint8_t G4[4] = { 198, 18, 9, 9 };      /* signalling peer */
	struct sess s;
	uint8_t f[512], want[512];
	uint32_t len;
	uint64_t hz = rte_get_tsc_hz(), t0 = rte_rdtsc(), before;
	struct sbc_api_event ev;

	/* prefix 32 on the SDP address: the attacker first, then the real peer */
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-a", 4, false, &s.a), SBC_API_OK);
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-b", 4, false, &s.b), SBC_API_OK);
	h_leg(&s.la, s.a.endpoint_id, 4, C4, 5800, SBC_API_LATCH_LEARN, RECVSEND);
	s.la.learn_prefix = 32;
	h_leg(&s.lb, s.b.endpoint_id, 4, P4, 6800, SBC_API_LATCH_LEARN, RECVSEND);
	CU_ASSERT_EQUAL_FATAL(h_bind(&H, &s.la, &s.lb, 0, &s.id), SBC_API_OK);
	flush_events();
	before = h_drops(&H, SBC_DROP_LEARN_REFUSED);
	for (uint16_t seq = 1; seq <= 5; seq++) {
		len = frame_from(f, X4, 5800, s.a.local.port, seq);
		feed_at(PA, f, len, t0 + seq);
	}
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 0);
	CU_ASSERT_EQUAL(h_drops(&H, SBC_DROP_LEARN_REFUSED), before + 5);
	CU_ASSERT(wait_event(SBC_API_EV_LEARN_REFUSED, s.id, &ev, 500));
	CU_ASSERT_EQUAL(memcmp(ev.addr.ip, X4, 4), 0);
	CU_ASSERT_EQUAL(ev.count, 1);
	/* once a second per stream: the other four raised nothing */
	CU_ASSERT_FALSE(wait_event(SBC_API_EV_LEARN_REFUSED, s.id, &ev, 50));
	/* media toward leg A still goes to its SDP address, not the attacker */
	len = frame_in(f, PB, 4, 6800, s.b.local.port, 64, 0, 1, 2, NULL, 0);
	feed_at(PB, f, len, t0 + 10);
	len = frame_out(want, PA, 4, s.a.local.port, 5800, 63, 0, 1, 2, NULL, 0);
	expect_frame(PA, want, len);
	flush_events();                               /* leg B's latch */
	/* the real peer, from another port of its SDP address, latches */
	len = frame_in(f, PA, 4, 5844, s.a.local.port, 64, 0, 6, 1, NULL, 0);
	feed_at(PA, f, len, t0 + 20);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 1);
	CU_ASSERT(wait_event(SBC_API_EV_SOURCE_LATCHED, s.id, &ev, 500));
	CU_ASSERT_EQUAL(ev.addr.port, 5844);
	/* a second after the first event, the next refusal is reported with its count */
	len = frame_from(f, X4, 5800, s.a.local.port, 7);
	feed_at(PA, f, len, t0 + 2 * hz);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 0);     /* latched: plain wrong_source now */

	/* relearn moves only inside the scope, and a refusal a second later is reported */
	s.la.latching = SBC_API_LATCH_RELEARN;
	s.la.relearn_gap_ms = 100;
	CU_ASSERT_EQUAL(h_update(&H, s.id, SBC_API_UPDATE_LEG_A, &s.la, NULL), SBC_API_OK);
	h_run(&H);
	flush_events();
	len = frame_in(f, PA, 4, 5846, s.a.local.port, 64, 0, 8, 1, NULL, 0);
	feed_at(PA, f, len, t0 + 3 * hz);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 1);
	len = frame_from(f, X4, 5800, s.a.local.port, 9);
	feed_at(PA, f, len, t0 + 4 * hz);             /* after the gap, but outside */
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 0);
	CU_ASSERT(wait_event(SBC_API_EV_LEARN_REFUSED, s.id, &ev, 500));
	len = frame_in(f, PA, 4, 5848, s.a.local.port, 64, 0, 10, 1, NULL, 0);
	feed_at(PA, f, len, t0 + 5 * hz);             /* the peer itself may move */
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 1);
	CU_ASSERT(wait_event(SBC_API_EV_SOURCE_CHANGED, s.id, &ev, 500));

	/* prefix 24: a neighbour of the SDP address may latch, another /24 not */
	s.la.latching = SBC_API_LATCH_LEARN;
	s.la.learn_prefix = 24;
	s.la.remote.port = 5802;
	CU_ASSERT_EQUAL(h_update(&H, s.id, SBC_API_UPDATE_LEG_A, &s.la, NULL), SBC_API_OK);
	h_run(&H);
	len = frame_from(f, X4, 5800, s.a.local.port, 11);
	feed_at(PA, f, len, t0 + 6 * hz);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 0);
	len = frame_from(f, N4, 5900, s.a.local.port, 12);
	feed_at(PA, f, len, t0 + 6 * hz);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 1);

	/* an explicit scope address (the signalling peer): the SDP address is not enough */
	s.la.learn_prefix = 32;
	s.la.learn_from.family = SBC_API_AF_INET;
	memcpy(s.la.learn_from.ip, G4, 4);
	CU_ASSERT_EQUAL(h_update(&H, s.id, SBC_API_UPDATE_LEG_A, &s.la, NULL), SBC_API_OK);
	h_run(&H);
	len = frame_in(f, PA, 4, 5800, s.a.local.port, 64, 0, 13, 1, NULL, 0);
	feed_at(PA, f, len, t0 + 7 * hz);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 0);
	len = frame_from(f, G4, 5800, s.a.local.port, 14);
	feed_at(PA, f, len, t0 + 7 * hz);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 1);

	/* a scope of the other family matches nothing: the leg learns no source */
	s.la.learn_from.family = SBC_API_AF_INET6;
	s.la.learn_prefix = 128;
	memcpy(s.la.learn_from.ip, C6, 16);
	CU_ASSERT_EQUAL(h_update(&H, s.id, SBC_API_UPDATE_LEG_A, &s.la, NULL), SBC_API_OK);
	h_run(&H);
	before = h_drops(&H, SBC_DROP_LEARN_REFUSED);
	len = frame_in(f, PA, 4, 5800, s.a.local.port, 64, 0, 15, 1, NULL, 0);
	feed_at(PA, f, len, t0 + 8 * hz);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 0);
	CU_ASSERT_EQUAL(h_drops(&H, SBC_DROP_LEARN_REFUSED), before + 1);

	/* the API refuses a prefix longer than its address */
	s.la.learn_from.family = SBC_API_AF_INET;
	s.la.learn_prefix = 33;
	CU_ASSERT_EQUAL(h_update(&H, s.id, SBC_API_UPDATE_LEG_A, &s.la, NULL), SBC_API_EINVAL);
	CU_ASSERT_EQUAL(h_release(&H, s.id, 0), SBC_API_OK);
}

/*
 * Ports come at random from the range (the next call's port cannot be
 * guessed from the last), or exactly the one asked for.
 */
static void test_port_choice(void)
{
	struct sbc_api_alloc_ep ep[16];
	struct sbc_api_alloc_resp r;
	struct sbc_api_alloc_item it;
	unsigned int ascending = 0, i;

	for (i = 0; i < 16; i++) {
		CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-a", 4, false, &ep[i]), SBC_API_OK);
		CU_ASSERT(ep[i].local.port >= 20000 && ep[i].local.port <= 20998);
		CU_ASSERT_EQUAL(ep[i].local.port & 1, 0);
		if (i > 0 && ep[i].local.port == ep[i - 1].local.port + 2)
			ascending++;
	}
	/* lowest-free-first would give 15 steps of +2; at random, about 0 */
	CU_ASSERT(ascending < 8);
	h_alloc_item(&it, "m-a", 4, false);
	it.port = ep[3].local.port;                 /* taken */
	CU_ASSERT_EQUAL(h_alloc_batch(&H, &it, 1, NULL), SBC_API_EBUSY);
	it.port = 20001;                            /* odd */
	CU_ASSERT_EQUAL(h_alloc_batch(&H, &it, 1, NULL), SBC_API_EINVAL);
	it.port = 21000;                            /* outside 20000-20999 */
	CU_ASSERT_EQUAL(h_alloc_batch(&H, &it, 1, NULL), SBC_API_EINVAL);
	CU_ASSERT_EQUAL(h_release(&H, 0, ep[3].endpoint_id), SBC_API_OK);
	it.port = ep[3].local.port;                 /* free again */
	CU_ASSERT_EQUAL_FATAL(h_alloc_batch(&H, &it, 1, &r), SBC_API_OK);
	CU_ASSERT_EQUAL(r.ep[0].local.port, ep[3].local.port);
	ep[3] = r.ep[0];
	for (i = 0; i < 16; i++)
		CU_ASSERT_EQUAL(h_release(&H, 0, ep[i].endpoint_id), SBC_API_OK);
}

static uint32_t rtcp_sr(uint8_t *p)
{
	memset(p, 0, 28);
	p[0] = 0x80;
	p[1] = 200;
	p[3] = 6;     /* 7 words */
	p[4] = 0x12;
	return 28;
}

static void test_rtcp_and_mux(void)
{
	struct sess s, m;
	uint8_t f[512], want[512], sr[28];
	uint32_t len;

	CU_ASSERT_EQUAL_FATAL(mk_session(&s, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 5800, 6800, false), SBC_API_OK);
	rtcp_sr(sr);
	len = frame_in(f, PA, 4, 5801, (uint16_t)(s.a.local.port + 1), 64, 0, 0, 0, sr, 28);
	h_inject(&H, PA, f, len);
	h_run(&H);
	len = frame_out(want, PB, 4, (uint16_t)(s.b.local.port + 1), 6801, 63, 0, 0, 0, sr, 28);
	expect_frame(PB, want, len);
	/* a broken RTCP length is not relayed */
	sr[3] = 9;
	len = frame_in(f, PA, 4, 5801, (uint16_t)(s.a.local.port + 1), 64, 0, 0, 0, sr, 28);
	expect_drop(f, len, SBC_DROP_NOT_RTP, PA);

	/* rtcp-mux on both legs: RTCP shares the RTP port */
	CU_ASSERT_EQUAL_FATAL(mk_session(&m, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 5900, 6900, true), SBC_API_OK);
	rtcp_sr(sr);
	len = frame_in(f, PA, 4, 5900, m.a.local.port, 64, 0, 0, 0, sr, 28);
	h_inject(&H, PA, f, len);
	h_run(&H);
	len = frame_out(want, PB, 4, m.b.local.port, 6900, 63, 0, 0, 0, sr, 28);
	expect_frame(PB, want, len);
	/* with mux there is no RTCP port */
	len = frame_in(f, PA, 4, 5901, (uint16_t)(m.a.local.port + 1), 64, 0, 0, 0, sr, 28);
	expect_drop(f, len, SBC_DROP_NO_STREAM, PA);
	CU_ASSERT_EQUAL(h_release(&H, s.id, 0), SBC_API_OK);
	CU_ASSERT_EQUAL(h_release(&H, m.id, 0), SBC_API_OK);
}

static void test_pt_remap(void)
{
	struct sess s;
	uint8_t f[512], want[512], rtp[200], out[200];
	uint32_t len, rlen;

	CU_ASSERT_EQUAL_FATAL(mk_session(&s, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 6000, 7000, false), SBC_API_OK);
	/* toward the PBX: PCMA stays 8, telephone-event 101 becomes 96 */
	s.lb.n_pt_map = 2;
	s.lb.pt_map[0] = (struct sbc_api_pt_map){ 8, 8 };
	s.lb.pt_map[1] = (struct sbc_api_pt_map){ 101, 96 };
	CU_ASSERT_EQUAL(h_update(&H, s.id, SBC_API_UPDATE_LEG_B, NULL, &s.lb), SBC_API_OK);
	rlen = h_build_rtp(rtp, 0x80 | 101, 77, 1234, 0x5555, 4, 0);  /* marker set */
	memcpy(out, rtp, rlen);
	out[1] = 0x80 | 96;
	len = frame_in(f, PA, 4, 6000, s.a.local.port, 64, 0, 0, 0, rtp, rlen);
	h_inject(&H, PA, f, len);
	h_run(&H);
	len = frame_out(want, PB, 4, s.b.local.port, 7000, 63, 0, 0, 0, out, rlen);
	expect_frame(PB, want, len);
	/* PT 8 passes unchanged */
	len = frame_in(f, PA, 4, 6000, s.a.local.port, 64, 8, 78, 0x5555, NULL, 0);
	h_inject(&H, PA, f, len);
	h_run(&H);
	len = frame_out(want, PB, 4, s.b.local.port, 7000, 63, 8, 78, 0x5555, NULL, 0);
	expect_frame(PB, want, len);
	CU_ASSERT_EQUAL(h_release(&H, s.id, 0), SBC_API_OK);
}

static void test_stats_and_timeout(void)
{
	struct sess s;
	struct sbc_api_stats_resp st;
	struct sbc_api_event ev;
	static const uint16_t seqs[] = { 1, 2, 3, 5, 6 };
	uint8_t f[512];
	uint32_t len;

	CU_ASSERT_EQUAL_FATAL(mk_session(&s, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 6100, 7100, false), SBC_API_OK);
	for (unsigned int i = 0; i < 5; i++) {
		len = frame_in(f, PA, 4, 6100, s.a.local.port, 64, 0, seqs[i], 0x7777, NULL, 0);
		h_inject(&H, PA, f, len);
	}
	h_run(&H);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 5);
	CU_ASSERT_EQUAL_FATAL(h_stats(&H, s.id, &st), SBC_API_OK);
	CU_ASSERT_EQUAL(st.leg[0].packets, 5);
	CU_ASSERT_EQUAL(st.leg[0].bytes, 5 * 172);
	CU_ASSERT_EQUAL(st.leg[0].ssrc, 0x7777);
	CU_ASSERT_EQUAL(st.leg[0].lost, 1);
	CU_ASSERT_EQUAL(st.leg[0].source.port, 6100);
	CU_ASSERT_EQUAL(st.leg[1].packets, 0);
	CU_ASSERT_EQUAL(h_stats(&H, 999999, &st), SBC_API_ENOENT);

	/* media timeout: 50 ms without packets raises one event */
	CU_ASSERT_EQUAL(h_release(&H, s.id, 0), SBC_API_OK);
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-a", 4, false, &s.a), SBC_API_OK);
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-b", 4, false, &s.b), SBC_API_OK);
	h_leg(&s.la, s.a.endpoint_id, 4, C4, 6100, SBC_API_LATCH_LEARN, RECVSEND);
	h_leg(&s.lb, s.b.endpoint_id, 4, P4, 7100, SBC_API_LATCH_LEARN, RECVSEND);
	CU_ASSERT_EQUAL_FATAL(h_bind(&H, &s.la, &s.lb, 50, &s.id), SBC_API_OK);
	CU_ASSERT(wait_event(SBC_API_EV_MEDIA_TIMEOUT, s.id, &ev, 2000));
	CU_ASSERT(ev.count >= 50);
	CU_ASSERT_EQUAL(h_release(&H, s.id, 0), SBC_API_OK);
}

static void test_api_errors(void)
{
	static _Alignas(8) uint8_t resp[SBC_API_MSG_MAX];
	struct sbc_api_alloc_req rq;
	struct sbc_api_release_req rel;
	struct sbc_api_hdr rh;
	struct sess s;

	sbc_api_init(&rq, SBC_API_ALLOC_REQ, 42);
	rq.count = 1;
	h_alloc_item(&rq.item[0], "nope", 4, false);
	sbc_dp_api_handle(H.dp, &rq, sizeof(rq), resp);
	memcpy(&rh, resp, sizeof(rh));
	CU_ASSERT_EQUAL(rh.type, SBC_API_STATUS_RESP);
	CU_ASSERT_EQUAL(rh.request_id, 42);
	CU_ASSERT_EQUAL(rh.status, SBC_API_ENOENT);
	/* truncated request */
	sbc_dp_api_handle(H.dp, &rq, sizeof(rq) - 1, resp);
	memcpy(&rh, resp, sizeof(rh));
	CU_ASSERT_EQUAL(rh.status, SBC_API_ESIZE);
	/* a response type sent as a request */
	sbc_api_init(&rel, SBC_API_RELEASE_REQ, 43);
	((struct sbc_api_hdr *)&rel)->type = SBC_API_BIND_RESP;
	sbc_dp_api_handle(H.dp, &rel, sizeof(rel), resp);
	memcpy(&rh, resp, sizeof(rh));
	CU_ASSERT_NOT_EQUAL(rh.status, SBC_API_OK);
	/* binding an endpoint twice, releasing a bound endpoint alone */
	CU_ASSERT_EQUAL_FATAL(mk_session(&s, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 6200, 7200, false), SBC_API_OK);
	CU_ASSERT_EQUAL(h_bind(&H, &s.la, &s.lb, 0, NULL), SBC_API_EBUSY);
	CU_ASSERT_EQUAL(h_release(&H, 0, s.a.endpoint_id), SBC_API_EBUSY);
	CU_ASSERT_EQUAL(h_release(&H, s.id, 0), SBC_API_OK);
	CU_ASSERT_EQUAL(h_release(&H, s.id, 0), SBC_API_ENOENT);
	/* wrong family for the interface's endpoint */
	CU_ASSERT_EQUAL_FATAL(mk_session(&s, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 6200, 7200, false), SBC_API_OK);
	h_leg(&s.la, s.a.endpoint_id, 6, C6, 6200, SBC_API_LATCH_LEARN, RECVSEND);
	CU_ASSERT_EQUAL(h_update(&H, s.id, SBC_API_UPDATE_LEG_A, &s.la, NULL), SBC_API_EINVAL);
	CU_ASSERT_EQUAL(h_release(&H, s.id, 0), SBC_API_OK);
}

/* Local address of an endpoint on m-a / m-b in @fam, as ALLOC must answer it. */
static bool local_addr_ok(const struct sbc_api_alloc_ep *ep, bool side_b, uint8_t fam, bool mux)
{
	const uint8_t *ip = fam == 4 ? (side_b ? B4 : A4) : (side_b ? B6 : A6);
	uint16_t lo = side_b ? 40000 : 20000;

	return ep->endpoint_id != 0 &&
	       ep->local.family == (fam == 4 ? SBC_API_AF_INET : SBC_API_AF_INET6) &&
	       memcmp(ep->local.ip, ip, fam == 4 ? 4 : 16) == 0 &&
	       ep->local.port >= lo && ep->local.port <= lo + 999 && ep->local.port % 2 == 0 &&
	       ep->local_rtcp_port == (mux ? ep->local.port : ep->local.port + 1);
}

static void test_alloc_batch(void)
{
	struct sbc_stream_table *t = sbc_dp_streams(H.dp);
	struct sbc_api_alloc_item it[SBC_API_ALLOC_MAX];
	struct sbc_api_alloc_resp r, r1;
	struct sbc_api_alloc_ep one, again;
	static uint32_t filled[1000];
	struct sbc_api_leg la, lb;
	uint32_t used, n_filled = 0, sid;

	/* Eight endpoints in one request: both interfaces and families, mux or not. */
	for (unsigned int i = 0; i < SBC_API_ALLOC_MAX; i++)
		h_alloc_item(&it[i], i & 1 ? "m-b" : "m-a", i & 2 ? 6 : 4, i & 4);
	used = sbc_stream_table_count(t);
	CU_ASSERT_EQUAL_FATAL(h_alloc_batch(&H, it, SBC_API_ALLOC_MAX, &r), SBC_API_OK);
	CU_ASSERT_EQUAL(r.count, SBC_API_ALLOC_MAX);
	CU_ASSERT_EQUAL(sbc_stream_table_count(t), used + SBC_API_ALLOC_MAX);
	for (unsigned int i = 0; i < SBC_API_ALLOC_MAX; i++) {
		CU_ASSERT(local_addr_ok(&r.ep[i], i & 1, i & 2 ? 6 : 4, i & 4));
		for (unsigned int j = 0; j < i; j++) {
			CU_ASSERT_NOT_EQUAL(r.ep[i].endpoint_id, r.ep[j].endpoint_id);
			if ((i & 1) == (j & 1))
				CU_ASSERT_NOT_EQUAL(r.ep[i].local.port, r.ep[j].local.port);
		}
	}
	/* They are real endpoints: two of them bind, the rest release alone. */
	h_leg(&la, r.ep[0].endpoint_id, 4, C4, 6300, SBC_API_LATCH_LEARN, RECVSEND);
	h_leg(&lb, r.ep[1].endpoint_id, 4, P4, 7300, SBC_API_LATCH_LEARN, RECVSEND);
	CU_ASSERT_EQUAL(h_bind(&H, &la, &lb, 0, &sid), SBC_API_OK);
	CU_ASSERT_EQUAL(h_release(&H, sid, 0), SBC_API_OK);
	for (unsigned int i = 2; i < SBC_API_ALLOC_MAX; i++)
		CU_ASSERT_EQUAL(h_release(&H, 0, r.ep[i].endpoint_id), SBC_API_OK);
	CU_ASSERT_EQUAL(h_alloc_batch(&H, it, 0, NULL), SBC_API_EINVAL);
	CU_ASSERT_EQUAL(h_alloc_batch(&H, it, SBC_API_ALLOC_MAX + 1, NULL), SBC_API_EINVAL);

	/*
	 * Unknown interface in the last item: nothing taken.  The first item
	 * asks for a port known to be free (one taken and given back); the
	 * failed batch took it first, so asking for it again works only if it
	 * came back.
	 */
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-a", 4, false, &one), SBC_API_OK);
	CU_ASSERT_EQUAL(h_release(&H, 0, one.endpoint_id), SBC_API_OK);
	for (unsigned int i = 0; i < SBC_API_ALLOC_MAX; i++)
		h_alloc_item(&it[i], i & 1 ? "m-b" : "m-a", 4, false);
	it[0].port = one.local.port;
	h_alloc_item(&it[SBC_API_ALLOC_MAX - 1], "nope", 4, false);
	used = sbc_stream_table_count(t);
	CU_ASSERT_EQUAL(h_alloc_batch(&H, it, SBC_API_ALLOC_MAX, NULL), SBC_API_ENOENT);
	CU_ASSERT_EQUAL(sbc_stream_table_count(t), used);
	CU_ASSERT_EQUAL_FATAL(h_alloc_batch(&H, it, 1, &r1), SBC_API_OK);
	again = r1.ep[0];
	CU_ASSERT_EQUAL(again.local.port, one.local.port);
	CU_ASSERT_EQUAL(h_release(&H, 0, again.endpoint_id), SBC_API_OK);

	/* No free port for the last item: m-b left with exactly one. */
	while (n_filled < 1000 && h_alloc(&H, "m-b", 4, false, &one) == SBC_API_OK)
		filled[n_filled++] = one.endpoint_id;
	CU_ASSERT_FATAL(n_filled > 0 && n_filled < 1000);
	CU_ASSERT_EQUAL(h_release(&H, 0, filled[--n_filled]), SBC_API_OK);
	h_alloc_item(&it[0], "m-a", 4, false);
	h_alloc_item(&it[1], "m-a", 6, true);
	h_alloc_item(&it[2], "m-b", 4, false);
	h_alloc_item(&it[3], "m-b", 4, false);
	used = sbc_stream_table_count(t);
	CU_ASSERT_EQUAL(h_alloc_batch(&H, it, 4, NULL), SBC_API_ENOSPC);
	CU_ASSERT_EQUAL(sbc_stream_table_count(t), used);
	/* m-b's last port came back: one more endpoint fits, then none. */
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-b", 4, false, &one), SBC_API_OK);
	filled[n_filled++] = one.endpoint_id;
	CU_ASSERT_EQUAL(h_alloc(&H, "m-b", 4, false, NULL), SBC_API_ENOSPC);
	/* Three fit now as one batch. */
	CU_ASSERT_EQUAL(h_release(&H, 0, filled[--n_filled]), SBC_API_OK);
	CU_ASSERT_EQUAL_FATAL(h_alloc_batch(&H, it, 3, &r), SBC_API_OK);
	CU_ASSERT_EQUAL(r.count, 3);
	for (unsigned int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(h_release(&H, 0, r.ep[i].endpoint_id), SBC_API_OK);
	while (n_filled > 0)
		CU_ASSERT_EQUAL(h_release(&H, 0, filled[--n_filled]), SBC_API_OK);
	h_run(&H);
}

/* RELEASE answering the session's final counters, then nothing is left of it. */
static void test_release_stats(void)
{
	static _Alignas(8) uint8_t resp[SBC_API_MSG_MAX];
	const struct sbc_api_stats_resp *st = (const void *)resp;
	struct sbc_api_stats_resp after;
	struct sbc_api_hdr rh;
	struct sess s;
	uint8_t f[512];
	uint32_t len;

	CU_ASSERT_EQUAL_FATAL(mk_session(&s, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 6400, 7400, false), SBC_API_OK);
	for (uint16_t i = 1; i <= 5; i++) {
		len = frame_in(f, PA, 4, 6400, s.a.local.port, 64, 0, i, 0x1111, NULL, 0);
		h_inject(&H, PA, f, len);
	}
	for (uint16_t i = 1; i <= 3; i++) {
		len = frame_in(f, PB, 4, 7400, s.b.local.port, 64, 0, i, 0x2222, NULL, 0);
		h_inject(&H, PB, f, len);
	}
	h_run(&H);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 5);
	CU_ASSERT_EQUAL(h_drain(&H, PA, 0), 3);

	memset(resp, 0xee, sizeof(resp));
	CU_ASSERT_EQUAL_FATAL(h_release_flags(&H, s.id, 0, SBC_API_RELEASE_STATS, resp),
			      SBC_API_OK);
	memcpy(&rh, resp, sizeof(rh));
	CU_ASSERT_EQUAL(rh.type, SBC_API_STATS_RESP);
	CU_ASSERT_EQUAL(rh.size, sizeof(struct sbc_api_stats_resp));
	CU_ASSERT_EQUAL(rh.request_id, H.next_req);
	CU_ASSERT_EQUAL(st->session_id, s.id);
	CU_ASSERT_EQUAL(st->leg[0].packets, 5);
	CU_ASSERT_EQUAL(st->leg[0].bytes, 5 * 172);
	CU_ASSERT_EQUAL(st->leg[0].ssrc, 0x1111);
	CU_ASSERT_EQUAL(st->leg[0].source.port, 6400);
	CU_ASSERT_EQUAL(st->leg[1].packets, 3);
	CU_ASSERT_EQUAL(st->leg[1].ssrc, 0x2222);
	CU_ASSERT_EQUAL(st->leg[1].source.port, 7400);
	CU_ASSERT_EQUAL(st->leg[0].drops[SBC_DROP_WRONG_SOURCE], 0);
	/* Gone: session and endpoints. */
	CU_ASSERT_EQUAL(h_stats(&H, s.id, &after), SBC_API_ENOENT);
	CU_ASSERT_EQUAL(h_release(&H, s.id, 0), SBC_API_ENOENT);
	CU_ASSERT_EQUAL(h_release(&H, 0, s.a.endpoint_id), SBC_API_ENOENT);
	CU_ASSERT_EQUAL(h_release(&H, 0, s.b.endpoint_id), SBC_API_ENOENT);
	CU_ASSERT_EQUAL(h_release_flags(&H, s.id, 0, SBC_API_RELEASE_STATS, resp),
			SBC_API_ENOENT);
	memcpy(&rh, resp, sizeof(rh));
	CU_ASSERT_EQUAL(rh.type, SBC_API_STATUS_RESP);
	/* Packets to its ports are no one's now. */
	len = frame_in(f, PA, 4, 6400, s.a.local.port, 64, 0, 6, 0x1111, NULL, 0);
	h_inject(&H, PA, f, len);
	h_run(&H);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0), 0);

	/* Without the flag: STATUS_RESP as ever; the flag wants a session. */
	CU_ASSERT_EQUAL_FATAL(mk_session(&s, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
					 6400, 7400, false), SBC_API_OK);
	CU_ASSERT_EQUAL(h_release_flags(&H, 0, s.a.endpoint_id, SBC_API_RELEASE_STATS, resp),
			SBC_API_EINVAL);
	CU_ASSERT_EQUAL(h_release_flags(&H, s.id, 0, 0x2, resp), SBC_API_EINVAL);
	CU_ASSERT_EQUAL(h_stats(&H, s.id, &after), SBC_API_OK);
	CU_ASSERT_EQUAL(h_release_flags(&H, s.id, 0, 0, resp), SBC_API_OK);
	memcpy(&rh, resp, sizeof(rh));
	CU_ASSERT_EQUAL(rh.type, SBC_API_STATUS_RESP);
	CU_ASSERT_EQUAL(rh.size, sizeof(struct sbc_api_status_resp));
	CU_ASSERT_EQUAL(h_stats(&H, s.id, &after), SBC_API_ENOENT);
}

static void test_fuzz(void)
{
	unsigned int seed = 12345, in_use;
	uint8_t f[256], base[512];
	uint32_t blen = frame_in(base, PA, 4, 5000, S4.a.local.port, 64, 0, 900, 0xabcd, NULL, 0);
	struct sbc_dp_counters before, after;
	uint64_t out = 0;

	h_run(&H);
	in_use = rte_mempool_in_use_count(H.mp);
	sbc_dp_counters(H.dp, &before);
	for (unsigned int i = 0; i < 20000; i++) {
		uint32_t len;

		if (i & 1) {
			len = (uint32_t)rand_r(&seed) % sizeof(f);
			for (uint32_t k = 0; k < len; k++)
				f[k] = (uint8_t)rand_r(&seed);
			if (len > 14 && (i & 2)) {
				f[12] = 0x08;
				f[13] = (i & 4) ? 0x00 : 0x06;
			}
		} else {
			len = blen;
			memcpy(f, base, blen < sizeof(f) ? blen : sizeof(f));
			len = blen < sizeof(f) ? blen : sizeof(f);
			for (int k = 0; k < 1 + (int)(i % 4); k++)
				f[(uint32_t)rand_r(&seed) % len] = (uint8_t)rand_r(&seed);
		}
		h_inject(&H, PA, f, len);
		if ((i & 255) == 255) {
			h_run(&H);
			out += h_drain(&H, PA, 0) + h_drain(&H, PB, 0) + h_drain(&H, PA, 1) +
			       h_drain(&H, PB, 1);
		}
	}
	h_run(&H);
	out += h_drain(&H, PA, 0) + h_drain(&H, PB, 0) + h_drain(&H, PA, 1) + h_drain(&H, PB, 1);
	sbc_dp_counters(H.dp, &after);
	CU_ASSERT_EQUAL(after.rx_packets - before.rx_packets, 20000);
	/* Nothing leaked: every mbuf went out or back to the pool. */
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(H.mp), in_use);
	CU_ASSERT(out < 20000);
}

/*
 * Sessions bound and released while the worker relays on its own lcore:
 * frees go through RCU, so the worker never uses a stream after its grace
 * period (freed objects are poisoned: using one would crash or send to
 * 165.165.165.165).
 */
static void test_release_under_traffic(void)
{
	enum { N = 64, ROUNDS = 1500 };
	struct sess ring[N];
	uint8_t f[512];
	uint64_t outputs = 0, bad = 0;
	unsigned int lcore = rte_get_next_lcore(rte_lcore_id(), 1, 0);

	if (lcore >= RTE_MAX_LCORE) {
		CU_FAIL("needs a second lcore");
		return;
	}
	memset(ring, 0, sizeof(ring));
	rte_rcu_qsbr_thread_offline(H.w->qsbr, H.w->id);
	CU_ASSERT_EQUAL_FATAL(rte_eal_remote_launch(sbc_worker_main, H.w, lcore), 0);
	for (unsigned int r = 0; r < ROUNDS; r++) {
		struct sess *s = &ring[r % N];
		struct rte_mbuf *m;

		if (s->id != 0)
			CU_ASSERT_EQUAL(h_release(&H, s->id, 0), SBC_API_OK);
		s->id = 0;
		if (mk_session(s, 4, 4, SBC_API_LATCH_LEARN, SBC_API_LATCH_LEARN,
			       (uint16_t)(8000 + 2 * (r % 500)), 9000, false) != SBC_API_OK) {
			CU_FAIL("bind");
			break;
		}
		for (unsigned int k = 0; k < 4; k++) {
			const struct sess *t = &ring[(r + k * 7) % N];
			uint32_t len;

			if (t->id == 0)
				continue;
			len = frame_in(f, PA, 4, t->la.remote.port, t->a.local.port, 64, 0,
				       (uint16_t)r, r, NULL, 0);
			h_inject(&H, PA, f, len);
		}
		sbc_dp_main_poll(H.dp, 0);
		while ((m = h_take(&H, PB, 0)) != NULL) {
			const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);

			outputs++;
			/* dst must be the PBX, port 9000, from one of our m-b ports */
			if (memcmp(d + 30, P4, 4) != 0 || d[36] != 9000 >> 8 ||
			    d[37] != (9000 & 0xff) || d[26] != 198 || d[27] != 18)
				bad++;
			rte_pktmbuf_free(m);
		}
	}
	sbc_dp_stop(H.dp);
	rte_eal_wait_lcore(lcore);
	h_drain(&H, PB, 0);
	for (unsigned int i = 0; i < N; i++)
		if (ring[i].id)
			h_release(&H, ring[i].id, 0);
	sbc_dp_main_poll(H.dp, 0);
	CU_ASSERT(outputs > 0);
	CU_ASSERT_EQUAL(bad, 0);
}

int main(int argc, char **argv)
{
	static const struct sbc_test tests[] = {
		{ "next-hop resolution before media", test_resolution },
		{ "ARP/ICMP host duties", test_host_duties },
		{ "IPv4 relay, bursts 0/1/31/32/33, exact bytes", test_relay_ipv4_bursts },
		{ "IPv6 relay and IPv4<->IPv6 legs", test_relay_ipv6_and_cross_family },
		{ "every drop reason counted", test_drop_reasons },
		{ "latching learn / relearn with injected time", test_latching },
		{ "learn scope: a stranger sending first takes nothing", test_learn_scope },
		{ "media ports at random, or the one asked for", test_port_choice },
		{ "RTCP and rtcp-mux", test_rtcp_and_mux },
		{ "payload-type remap", test_pt_remap },
		{ "stats (RFC 3550 loss) and media timeout event", test_stats_and_timeout },
		{ "API errors", test_api_errors },
		{ "ALLOC of several endpoints, all or nothing", test_alloc_batch },
		{ "RELEASE answering the final STATS", test_release_stats },
		{ "fuzzed frames: no crash, no leak", test_fuzz },
		{ "release while traffic flows (RCU)", test_release_under_traffic },
	};
	int rc;

	(void)argc;
	if (h_eal_init(argv[0], "0-1", 512) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rc = SBC_TEST_RUN_SUITE("dataplane", suite_init, suite_clean, tests);
	unlink(api_path);
	sbc_dp_eal_cleanup();
	return rc;
}
