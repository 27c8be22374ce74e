/* SPDX-License-Identifier: BSD-3-Clause
 * Meson suites `dataplane` and `srtp`: SRTP/SRTCP in the worker pipeline,
 * on ring ports with exact bytes out, for the engine named by argv[1]
 * (libsrtp2 or cryptodev; meson runs the program once for each).  Two
 * workers, polled from this thread, so that a session's streams sit on
 * different workers' engines.  The peers' SRTP is libsrtp2 used directly
 * here: an oracle independent of dataplane/srtp*.c.
 *
 *   198.18.0.2 / 2001:db8:a::2 (carrier) ── port a: m-a ─┐
 *                                                        ├─ Rampart
 *   198.18.1.2 / 2001:db8:b::2 (pbx)     ── port b: m-b ─┘
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <srtp2/srtp.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "cunit_run.h"
#include "harness.h"
#include "srtp.h"

static struct h_ctx H;
static struct sbc_worker *W[2];
static const char *engine = "libsrtp2";
static char api_path[108];
static int ev_fd = -1;

static const uint8_t A4[4] = { 198, 18, 0, 1 }, B4[4] = { 198, 18, 1, 1 };
static const uint8_t C4[4] = { 198, 18, 0, 2 }, P4[4] = { 198, 18, 1, 2 };
static const uint8_t C4X[4] = { 198, 18, 0, 3 };   /* the carrier's other address */
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, [15] = 1 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0b, [15] = 1 };
static const uint8_t C6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, [15] = 2 };
static const uint8_t P6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0b, [15] = 2 };
static const struct rte_ether_addr CMAC = { { 0x02, 0, 0, 0, 0x0a, 0x02 } };
static const struct rte_ether_addr PMAC = { { 0x02, 0, 0, 0, 0x0b, 0x02 } };

#define PA 0
#define PB 1
#define MAINQ 2                 /* the main lcore's TX queue with two workers */
#define RECVSEND (SBC_API_LEG_RECV | SBC_API_LEG_SEND)
#define S80 SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80
#define S32 SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32
#define AUTH_BURST 5            /* dataplane.srtp_auth_burst below */
#define BUF 2048

static const char config_fmt[] =
	"dataplane:\n"
	"  workers: [1, 2]\n"
	"  ports:\n"
	"    - { name: pa, device: net_ring_sa }\n"
	"    - { name: pb, device: net_ring_sb }\n"
	"  interfaces:\n"
	"    - { name: m-a, port: pa, ipv4: 198.18.0.1/24, ipv6: \"2001:db8:a::1/64\",\n"
	"        media_ports: 20000-20999 }\n"
	"    - { name: m-b, port: pb, ipv4: 198.18.1.1/24, ipv6: \"2001:db8:b::1/64\",\n"
	"        media_ports: 40000-40999 }\n"
	"  stream_table_size: 1024\n"
	"  mempool_size: 8191\n"
	"  telemetry: false\n"
	"  srtp_engine: %s\n"
	"  srtp_auth_burst: %u\n"
	"sip:\n"
	"  interfaces:\n"
	"    - { name: s0, side: carrier, address: 198.18.0.1, media_interface: m-a,\n"
	"        listen: [{ transport: udp, port: 5060 }] }\n";

/* ------------------------------------------------------------------ */
/* Harness glue                                                        */

/* Both workers until idle (worker 1 gets its streams by hand-off). */
static void run(void)
{
	unsigned int n;

	do {
		n = sbc_worker_poll(W[0]);
		n += sbc_worker_poll(W[1]);
	} while (n != 0);
	sbc_worker_flush(W[0]);
	sbc_worker_flush(W[1]);
	sbc_dp_main_poll(H.dp, 0);
}

/*
 * A UDP frame on @side's wire: from that side's peer (@src, default the
 * peer's address) to Rampart (@in), or from Rampart to the peer.
 */
static uint32_t frame(uint8_t *f, unsigned int side, bool in, uint8_t fam, const uint8_t *src,
		      uint16_t sport, uint16_t dport, uint8_t ttl, const uint8_t *payload,
		      uint32_t plen)
{
	const uint8_t *peer = side == PA ? (fam == 4 ? C4 : C6) : (fam == 4 ? P4 : P6);
	const uint8_t *sbc = side == PA ? (fam == 4 ? A4 : A6) : (fam == 4 ? B4 : B6);
	const struct rte_ether_addr *peer_mac = side == PA ? &CMAC : &PMAC;
	struct h_udp u = {
		.family = fam, .sport = sport, .dport = dport, .ttl = ttl,
		.payload = payload, .plen = plen,
	};

	if (src != NULL)
		peer = src;
	u.src_mac = in ? *peer_mac : H.port[side].mac;
	u.dst_mac = in ? H.port[side].mac : *peer_mac;
	memcpy(u.src_ip, in ? peer : sbc, fam == 4 ? 4 : 16);
	memcpy(u.dst_ip, in ? sbc : peer, fam == 4 ? 4 : 16);
	return h_build_udp(f, &u);
}

/* Inject a datagram from @side's peer to our port @dport. */
static void send_in(unsigned int side, uint8_t fam, uint16_t sport, uint16_t dport,
		    const uint8_t *payload, uint32_t plen)
{
	uint8_t f[BUF];
	uint32_t len = frame(f, side, true, fam, NULL, sport, dport, 64, payload, plen);

	h_inject(&H, side, f, len);
}

/* The next frame a port sent on either worker's queue. */
static struct rte_mbuf *take_out(unsigned int side)
{
	for (unsigned int q = 0; q < 2; q++) {
		struct rte_mbuf *m = h_take(&H, side, q);

		if (m != NULL)
			return m;
	}
	return NULL;
}

static void expect_frame(unsigned int side, const uint8_t *want, uint32_t len)
{
	h_expect_mbuf(take_out(side), want, len);
}

/* What Rampart must send out of @side to the peer: exact bytes. */
static void expect_out(unsigned int side, uint8_t fam, uint16_t sport, uint16_t dport,
		       const uint8_t *payload, uint32_t plen)
{
	uint8_t want[BUF];
	uint32_t len = frame(want, side, false, fam, NULL, sport, dport, 63, payload, plen);

	expect_frame(side, want, len);
}

static void expect_nothing(void)
{
	for (unsigned int q = 0; q < 2; q++) {
		CU_ASSERT_EQUAL(h_drain(&H, PA, q), 0);
		CU_ASSERT_EQUAL(h_drain(&H, PB, q), 0);
	}
}

/* Answer the data plane's ARP/NDP for both peers. */
static void resolve_peers(void)
{
	run();
	h_drain(&H, PA, MAINQ);
	h_drain(&H, PB, MAINQ);
	h_arp_reply(&H, PA, C4, &CMAC, A4);
	h_arp_reply(&H, PB, P4, &PMAC, B4);
	h_na(&H, PA, C6, &CMAC, A6);
	h_na(&H, PB, P6, &PMAC, B6);
	run();
	run();
	h_drain(&H, PA, MAINQ);
	h_drain(&H, PB, MAINQ);
}

/* Feed one frame to the worker owning @dport, at an injected time. */
static void feed_at(unsigned int side, const uint8_t *src, uint16_t sport, uint16_t dport,
		    const uint8_t *payload, uint32_t plen, uint64_t now)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(H.mp);
	struct sbc_worker *w = W[sbc_stream_owner(dport, 2)];
	uint8_t f[BUF];
	uint32_t len = frame(f, side, true, 4, src, sport, dport, 64, payload, plen);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	m->port = H.port[side].port_id;
	sbc_worker_process_burst(w, &m, 1, now);
	sbc_worker_flush(w);
}

struct sess {
	uint32_t id;
	struct sbc_api_alloc_ep a, b;
	struct sbc_api_leg la, lb;
};

/* Endpoints and legs of a session (leg A: carrier, port a; leg B: PBX, port b). */
static void prepare(struct sess *s, uint8_t fa, uint8_t fb, uint8_t latch_a, uint16_t cport,
		    uint16_t pport, bool mux)
{
	memset(s, 0, sizeof(*s));
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-a", fa, mux, &s->a), SBC_API_OK);
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-b", fb, mux, &s->b), SBC_API_OK);
	h_leg(&s->la, s->a.endpoint_id, fa, fa == 4 ? C4 : C6, cport, latch_a,
	      RECVSEND | (mux ? SBC_API_LEG_RTCP_MUX : 0));
	h_leg(&s->lb, s->b.endpoint_id, fb, fb == 4 ? P4 : P6, pport, SBC_API_LATCH_LEARN,
	      RECVSEND | (mux ? SBC_API_LEG_RTCP_MUX : 0));
}

static void bind_session(struct sess *s)
{
	CU_ASSERT_EQUAL_FATAL(h_bind(&H, &s->la, &s->lb, 0, &s->id), SBC_API_OK);
}

static void release(struct sess *s)
{
	CU_ASSERT_EQUAL(h_release(&H, s->id, 0), SBC_API_OK);
	run();
}

static uint64_t leg_drops(uint32_t session_id, unsigned int leg, unsigned int reason)
{
	struct sbc_api_stats_resp st;

	if (h_stats(&H, session_id, &st) != SBC_API_OK)
		return UINT64_MAX;
	return st.leg[leg].drops[reason];
}

/* The DUMP record's `srtp` of an endpoint (-1: not found). */
static int dump_srtp(uint32_t endpoint_id)
{
	static _Alignas(8) uint8_t resp[SBC_API_MSG_MAX];
	struct sbc_api_dump_req rq;
	uint32_t cursor = 0;

	do {
		const struct sbc_api_dump_resp *r = (const struct sbc_api_dump_resp *)resp;

		sbc_api_init(&rq, SBC_API_DUMP_REQ, 7);
		rq.cursor = cursor;
		rq.max = SBC_API_DUMP_MAX;
		sbc_dp_api_handle(H.dp, &rq, sizeof(rq), resp);
		if (r->hdr.status != SBC_API_OK)
			return -1;
		for (uint32_t i = 0; i < r->count; i++)
			if (r->streams[i].endpoint_id == endpoint_id)
				return r->streams[i].srtp;
		cursor = r->next_cursor;
	} while (cursor != 0);
	return -1;
}

/* Forget queued events. */
static void flush_events(void)
{
	struct sbc_api_event ev;

	run();
	while (recv(ev_fd, &ev, sizeof(ev), MSG_DONTWAIT) > 0)
		;
}

/* Events of @kind for @session_id that arrive within @ms; the last in @out. */
static unsigned int count_events(uint32_t kind, uint32_t session_id, struct sbc_api_event *out,
				 unsigned int ms)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * ms;
	unsigned int n = 0;

	while (rte_get_timer_cycles() < end) {
		struct sbc_api_event ev;
		struct pollfd p = { .fd = ev_fd, .events = POLLIN };

		run();
		if (poll(&p, 1, 5) <= 0)
			continue;
		while (recv(ev_fd, &ev, sizeof(ev), MSG_DONTWAIT) == (ssize_t)sizeof(ev)) {
			if (sbc_api_decode(&ev, sizeof(ev)) == SBC_API_OK && ev.kind == kind &&
			    ev.session_id == session_id) {
				n++;
				if (out)
					*out = ev;
			}
		}
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* The peers' SRTP: libsrtp2                                           */

static void mk_key(struct sbc_api_srtp *k, uint8_t suite, uint8_t seed)
{
	memset(k, 0, sizeof(*k));
	k->suite = suite;
	for (unsigned int i = 0; i < sizeof(k->master_key); i++)
		k->master_key[i] = (uint8_t)(seed * 7 + i);
	for (unsigned int i = 0; i < sizeof(k->master_salt); i++)
		k->master_salt[i] = (uint8_t)(seed * 13 + 3 * i);
}

/* A libsrtp2 session: @out protects (a sender), else unprotects. */
static srtp_t peer_srtp(const struct sbc_api_srtp *k, bool out)
{
	uint8_t key[30];
	srtp_policy_t pol;
	srtp_t s = NULL;

	memset(&pol, 0, sizeof(pol));
	if (k->suite == S32)
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
	else
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = out ? ssrc_any_outbound : ssrc_any_inbound;
	memcpy(key, k->master_key, 16);
	memcpy(key + 16, k->master_salt, 14);
	pol.key = key;
	pol.window_size = 64;
	CU_ASSERT_FATAL(srtp_create(&s, &pol) == srtp_err_status_ok);
	return s;
}

/* Protect @len bytes of @plain into @out; returns the protected length. */
static uint32_t protect(srtp_t s, const uint8_t *plain, uint32_t len, uint8_t *out, bool rtcp)
{
	int l = (int)len;

	memcpy(out, plain, len);
	CU_ASSERT_FATAL((rtcp ? srtp_protect_rtcp(s, out, &l) : srtp_protect(s, out, &l)) ==
			srtp_err_status_ok);
	return (uint32_t)l;
}

/* Unprotect the payload of a frame Rampart sent and compare with @plain. */
static void expect_unprotects(srtp_t rx, struct rte_mbuf *m, uint32_t hdr, const uint8_t *plain,
			      uint32_t plen, bool rtcp)
{
	uint8_t b[BUF];
	int l = (int)(rte_pktmbuf_pkt_len(m) - hdr);

	CU_ASSERT_FATAL(l > 0 && l < BUF);
	memcpy(b, rte_pktmbuf_mtod(m, uint8_t *) + hdr, (size_t)l);
	CU_ASSERT_FATAL((rtcp ? srtp_unprotect_rtcp(rx, b, &l) : srtp_unprotect(rx, b, &l)) ==
			srtp_err_status_ok);
	CU_ASSERT_EQUAL(l, (int)plen);
	CU_ASSERT(memcmp(b, plain, plen) == 0);
}

static uint32_t rtp(uint8_t *b, uint8_t pt, uint16_t seq, uint32_t ssrc)
{
	return h_build_rtp(b, pt, seq, 160u * seq, ssrc, 160, (uint8_t)seq);
}

static uint32_t rtcp_sr(uint8_t *p, uint32_t ssrc, uint8_t fill)
{
	memset(p, fill, 28);
	p[0] = 0x80;
	p[1] = 200;
	p[2] = 0;
	p[3] = 6;     /* 7 words */
	p[4] = (uint8_t)(ssrc >> 24);
	p[5] = (uint8_t)(ssrc >> 16);
	p[6] = (uint8_t)(ssrc >> 8);
	p[7] = (uint8_t)ssrc;
	return 28;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

static void test_engine(void)
{
	const char *b0 = sbc_srtp_backend(W[0]->srtp), *b1 = sbc_srtp_backend(W[1]->srtp);

	printf("[%s / %s] ", b0, b1);
	if (strcmp(engine, "cryptodev") == 0) {
		CU_ASSERT(strncmp(b0, "cryptodev", 9) == 0 && strncmp(b1, "cryptodev", 9) == 0);
	} else {
		CU_ASSERT(strncmp(b0, "libsrtp", 7) == 0 && strncmp(b1, "libsrtp", 7) == 0);
	}
	CU_ASSERT_EQUAL(sbc_dp_srtp_contexts(H.dp), 0);
}

/* SRTP from the carrier arrives at the PBX as RTP, byte for byte. */
static void test_srtp_in_rtp_out(void)
{
	static const uint16_t sizes[] = { 0, 1, 31, 32, 33 };
	struct sbc_api_stats_resp st;
	struct sbc_api_srtp k;
	uint8_t plain[BUF], prot[BUF];
	uint32_t plen, len, n = 0;
	uint64_t bytes = 0;
	uint16_t seq = 1;
	struct sess s;
	srtp_t tx;

	mk_key(&k, S80, 1);
	prepare(&s, 4, 4, SBC_API_LATCH_LEARN, 5000, 6000, false);
	s.la.srtp_in = k;
	bind_session(&s);
	resolve_peers();
	CU_ASSERT_EQUAL(sbc_dp_srtp_contexts(H.dp), 1);
	CU_ASSERT_EQUAL(dump_srtp(s.a.endpoint_id), 1);
	CU_ASSERT_EQUAL(dump_srtp(s.b.endpoint_id), 0);
	tx = peer_srtp(&k, true);
	for (unsigned int b = 0; b < sizeof(sizes) / sizeof(sizes[0]); b++) {
		uint16_t first = seq;

		for (unsigned int i = 0; i < sizes[b]; i++, seq++) {
			plen = rtp(plain, 0, seq, 0x1111);
			len = protect(tx, plain, plen, prot, false);
			bytes += len;
			send_in(PA, 4, 5000, s.a.local.port, prot, len);
		}
		run();
		for (uint16_t q = first; q < seq; q++) {
			plen = rtp(plain, 0, q, 0x1111);
			expect_out(PB, 4, s.b.local.port, 6000, plain, plen);
		}
		expect_nothing();
		n += sizes[b];
	}
	/* SRTCP on the RTCP port arrives as RTCP. */
	plen = rtcp_sr(plain, 0x1111, 0x5a);
	len = protect(tx, plain, plen, prot, true);
	bytes += len;
	send_in(PA, 4, 5001, (uint16_t)(s.a.local.port + 1), prot, len);
	run();
	expect_out(PB, 4, (uint16_t)(s.b.local.port + 1), 6001, plain, plen);
	expect_nothing();
	/* Counted as received: packets and bytes on the wire. */
	CU_ASSERT_EQUAL_FATAL(h_stats(&H, s.id, &st), SBC_API_OK);
	CU_ASSERT_EQUAL(st.leg[0].packets, n + 1);
	CU_ASSERT_EQUAL(st.leg[0].bytes, bytes);
	CU_ASSERT_EQUAL(st.leg[0].ssrc, 0x1111);
	CU_ASSERT_EQUAL(st.leg[0].lost, 0);
	srtp_dealloc(tx);
	release(&s);
	CU_ASSERT_EQUAL(sbc_dp_srtp_contexts(H.dp), 0);
}

/* RTP from the PBX leaves toward the carrier as SRTP (IPv6 on both legs). */
static void test_rtp_in_srtp_out(void)
{
	struct sbc_api_srtp k;
	uint8_t plain[BUF], prot[BUF];
	uint32_t plen, len;
	struct sess s;
	srtp_t tx, rx;

	mk_key(&k, S80, 2);
	prepare(&s, 6, 6, SBC_API_LATCH_LEARN, 5100, 6100, false);
	s.la.srtp_out = k;
	bind_session(&s);
	resolve_peers();
	CU_ASSERT_EQUAL(dump_srtp(s.a.endpoint_id), 1);
	/* The carrier checks what it gets; an identical sender predicts the bytes. */
	tx = peer_srtp(&k, true);
	rx = peer_srtp(&k, false);
	for (uint16_t seq = 1; seq <= 33; seq++) {
		plen = rtp(plain, 8, seq, 0x2222);
		send_in(PB, 6, 6100, s.b.local.port, plain, plen);
	}
	run();
	for (uint16_t seq = 1; seq <= 33; seq++) {
		struct rte_mbuf *m;

		plen = rtp(plain, 8, seq, 0x2222);
		len = protect(tx, plain, plen, prot, false);
		CU_ASSERT_EQUAL(len, plen + 10);
		if (seq == 33) {
			/* Also through the carrier's own unprotect. */
			m = take_out(PA);
			CU_ASSERT_PTR_NOT_NULL_FATAL(m);
			expect_unprotects(rx, m, 14 + 40 + 8, plain, plen, false);
			rte_pktmbuf_free(m);
			continue;
		}
		expect_out(PA, 6, s.a.local.port, 5100, prot, len);
	}
	expect_nothing();
	/* RTCP leaves as SRTCP. */
	plen = rtcp_sr(plain, 0x2222, 0x33);
	send_in(PB, 6, 6101, (uint16_t)(s.b.local.port + 1), plain, plen);
	run();
	len = protect(tx, plain, plen, prot, true);
	expect_out(PA, 6, (uint16_t)(s.a.local.port + 1), 5101, prot, len);
	expect_nothing();
	srtp_dealloc(tx);
	srtp_dealloc(rx);
	release(&s);
	CU_ASSERT_EQUAL(sbc_dp_srtp_contexts(H.dp), 0);
}

/*
 * SRTP on both legs with other keys on each (and _32 on the PBX leg), IPv4
 * carrier and IPv6 PBX, a payload-type rewrite between unprotect and
 * protect, SRTCP both ways.
 */
static void test_srtp_both_ways(void)
{
	struct sbc_api_srtp ka_in, ka_out, kb_in, kb_out;
	uint8_t plain[BUF], prot[BUF], mapped[BUF];
	struct sbc_api_alloc_ep spare;
	uint32_t plen, len;
	struct sess s;
	srtp_t carrier_tx, carrier_rx_expect, pbx_tx, pbx_rx_expect, pbx_rx;

	mk_key(&ka_in, S80, 10);
	mk_key(&ka_out, S80, 11);
	mk_key(&kb_in, S32, 12);
	mk_key(&kb_out, S32, 13);
	/* Ports come at random: leg B takes others until it is on the other worker. */
	prepare(&s, 4, 6, SBC_API_LATCH_LEARN, 5200, 6200, false);
	spare = s.b;
	for (int k = 0; k < 64; k++) {
		if (sbc_stream_owner(s.a.local.port, 2) != sbc_stream_owner(s.b.local.port, 2))
			break;
		CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-b", 6, false, &s.b), SBC_API_OK);
		CU_ASSERT_EQUAL_FATAL(h_release(&H, 0, spare.endpoint_id), SBC_API_OK);
		spare = s.b;
		s.lb.endpoint_id = s.b.endpoint_id;
	}
	CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-b", 6, false, &spare), SBC_API_OK);
	s.la.srtp_in = ka_in;
	s.la.srtp_out = ka_out;
	s.lb.srtp_in = kb_in;
	s.lb.srtp_out = kb_out;
	/* Toward the PBX: PCMU (0) becomes 8. */
	s.lb.n_pt_map = 1;
	s.lb.pt_map[0] = (struct sbc_api_pt_map){ 0, 8 };
	bind_session(&s);
	resolve_peers();
	/* Each stream on its owner's engine: two contexts per stream. */
	CU_ASSERT_NOT_EQUAL(sbc_stream_owner(s.a.local.port, 2), sbc_stream_owner(s.b.local.port, 2));
	CU_ASSERT_EQUAL(sbc_dp_srtp_contexts(H.dp), 4);
	carrier_tx = peer_srtp(&ka_in, true);
	carrier_rx_expect = peer_srtp(&ka_out, true);
	pbx_tx = peer_srtp(&kb_in, true);
	pbx_rx_expect = peer_srtp(&kb_out, true);
	pbx_rx = peer_srtp(&kb_out, false);

	for (uint16_t seq = 1; seq <= 32; seq++) {
		plen = rtp(plain, 0, seq, 0x3333);
		len = protect(carrier_tx, plain, plen, prot, false);
		send_in(PA, 4, 5200, s.a.local.port, prot, len);
	}
	run();
	for (uint16_t seq = 1; seq <= 32; seq++) {
		plen = rtp(plain, 0, seq, 0x3333);
		memcpy(mapped, plain, plen);
		mapped[1] = 8;
		len = protect(pbx_rx_expect, mapped, plen, prot, false);
		CU_ASSERT_EQUAL(len, plen + 4);         /* _32: 4-byte tag */
		if (seq == 32) {
			struct rte_mbuf *m = take_out(PB);

			CU_ASSERT_PTR_NOT_NULL_FATAL(m);
			expect_unprotects(pbx_rx, m, 14 + 40 + 8, mapped, plen, false);
			rte_pktmbuf_free(m);
			continue;
		}
		expect_out(PB, 6, s.b.local.port, 6200, prot, len);
	}
	expect_nothing();
	/* The other way, IPv6 to IPv4. */
	for (uint16_t seq = 100; seq < 103; seq++) {
		plen = rtp(plain, 8, seq, 0x4444);
		len = protect(pbx_tx, plain, plen, prot, false);
		send_in(PB, 6, 6200, s.b.local.port, prot, len);
	}
	run();
	for (uint16_t seq = 100; seq < 103; seq++) {
		plen = rtp(plain, 8, seq, 0x4444);
		len = protect(carrier_rx_expect, plain, plen, prot, false);
		expect_out(PA, 4, s.a.local.port, 5200, prot, len);
	}
	expect_nothing();
	/* SRTCP both ways. */
	plen = rtcp_sr(plain, 0x3333, 1);
	len = protect(carrier_tx, plain, plen, prot, true);
	send_in(PA, 4, 5201, (uint16_t)(s.a.local.port + 1), prot, len);
	run();
	len = protect(pbx_rx_expect, plain, plen, prot, true);
	expect_out(PB, 6, (uint16_t)(s.b.local.port + 1), 6201, prot, len);
	plen = rtcp_sr(plain, 0x4444, 2);
	len = protect(pbx_tx, plain, plen, prot, true);
	send_in(PB, 6, 6201, (uint16_t)(s.b.local.port + 1), prot, len);
	run();
	len = protect(carrier_rx_expect, plain, plen, prot, true);
	expect_out(PA, 4, (uint16_t)(s.a.local.port + 1), 5201, prot, len);
	expect_nothing();
	CU_ASSERT_EQUAL(dump_srtp(s.a.endpoint_id), 1);
	CU_ASSERT_EQUAL(dump_srtp(s.b.endpoint_id), 1);
	srtp_dealloc(carrier_tx);
	srtp_dealloc(carrier_rx_expect);
	srtp_dealloc(pbx_tx);
	srtp_dealloc(pbx_rx_expect);
	srtp_dealloc(pbx_rx);
	release(&s);
	CU_ASSERT_EQUAL(h_release(&H, 0, spare.endpoint_id), SBC_API_OK);
	CU_ASSERT_EQUAL(sbc_dp_srtp_contexts(H.dp), 0);
}

/* SRTP and SRTCP on one port (rtcp-mux on both legs). */
static void test_srtp_rtcp_mux(void)
{
	struct sbc_api_srtp ka, kb;
	uint8_t plain[BUF], prot[BUF];
	uint32_t plen, len;
	struct sess s;
	srtp_t tx, expect;

	mk_key(&ka, S80, 20);
	mk_key(&kb, S80, 21);
	prepare(&s, 4, 4, SBC_API_LATCH_LEARN, 5300, 6300, true);
	s.la.srtp_in = ka;
	s.lb.srtp_out = kb;
	bind_session(&s);
	resolve_peers();
	tx = peer_srtp(&ka, true);
	expect = peer_srtp(&kb, true);
	plen = rtp(plain, 0, 1, 0x5555);
	len = protect(tx, plain, plen, prot, false);
	send_in(PA, 4, 5300, s.a.local.port, prot, len);
	plen = rtcp_sr(plain, 0x5555, 9);
	len = protect(tx, plain, plen, prot, true);
	send_in(PA, 4, 5300, s.a.local.port, prot, len);
	run();
	plen = rtp(plain, 0, 1, 0x5555);
	len = protect(expect, plain, plen, prot, false);
	expect_out(PB, 4, s.b.local.port, 6300, prot, len);
	plen = rtcp_sr(plain, 0x5555, 9);
	len = protect(expect, plain, plen, prot, true);
	expect_out(PB, 4, s.b.local.port, 6300, prot, len);
	expect_nothing();
	srtp_dealloc(tx);
	srtp_dealloc(expect);
	release(&s);
}

/*
 * Inject one datagram from the carrier's signalled address to leg A's RTP
 * (or RTCP) port and require exactly one drop, for @reason, on that leg.
 */
static void expect_drop(const struct sess *s, bool rtcp, const uint8_t *p, uint32_t len,
			unsigned int reason)
{
	struct sbc_dp_counters before, after;
	uint64_t leg_before = leg_drops(s->id, 0, reason);
	uint64_t n_before = 0, n_after = 0;

	sbc_dp_counters(H.dp, &before);
	send_in(PA, 4, (uint16_t)(s->la.remote.port + rtcp), (uint16_t)(s->a.local.port + rtcp),
		p, len);
	run();
	sbc_dp_counters(H.dp, &after);
	for (unsigned int r = 0; r < SBC_DROP__COUNT; r++) {
		n_before += before.drops[r];
		n_after += after.drops[r];
		if (after.drops[r] != before.drops[r] && r != reason)
			fprintf(stderr, "\nwant %s, got %s\n", sbc_drop_reason_name(reason),
				sbc_drop_reason_name(r));
	}
	CU_ASSERT_EQUAL(after.drops[reason], before.drops[reason] + 1);
	CU_ASSERT_EQUAL(n_after, n_before + 1);
	CU_ASSERT_EQUAL(leg_drops(s->id, 0, reason), leg_before + 1);
	expect_nothing();
}

/* Every refused SRTP packet: dropped, counted under its reason, nothing sent. */
static void test_srtp_drops(void)
{
	struct sbc_api_srtp k, other;
	uint8_t plain[BUF], prot[BUF], old[BUF], rtcp_prot[BUF];
	uint32_t plen, len, old_len = 0, rtcp_len;
	struct sess s;
	srtp_t tx, wrong;

	mk_key(&k, S80, 30);
	mk_key(&other, S80, 31);
	prepare(&s, 4, 4, SBC_API_LATCH_LEARN, 5400, 6400, false);
	s.la.srtp_in = k;
	s.la.srtp_out = k;
	bind_session(&s);
	resolve_peers();
	tx = peer_srtp(&k, true);
	wrong = peer_srtp(&other, true);
	/* 1..100 accepted, except 20, kept for later. */
	for (uint16_t seq = 1; seq <= 100; seq++) {
		plen = rtp(plain, 0, seq, 0x6666);
		len = protect(tx, plain, plen, prot, false);
		if (seq == 20) {
			memcpy(old, prot, len);
			old_len = len;
			continue;
		}
		send_in(PA, 4, 5400, s.a.local.port, prot, len);
		if (seq % 32 == 0)
			run();
	}
	run();
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0) + h_drain(&H, PB, 1), 99);
	expect_nothing();

	/* tampered tag, then the genuine packet still passes */
	plen = rtp(plain, 0, 101, 0x6666);
	len = protect(tx, plain, plen, prot, false);
	prot[len - 1] ^= 0x01;
	expect_drop(&s, false, prot, len, SBC_DROP_SRTP_AUTH);
	prot[len - 1] ^= 0x01;
	send_in(PA, 4, 5400, s.a.local.port, prot, len);
	run();
	expect_out(PB, 4, s.b.local.port, 6400, plain, plen);
	/* replayed */
	expect_drop(&s, false, prot, len, SBC_DROP_SRTP_REPLAY);
	/* tampered payload (a fresh index: a replay is refused before the tag is checked) */
	plen = rtp(plain, 0, 105, 0x6666);
	len = protect(tx, plain, plen, prot, false);
	prot[20] ^= 0x80;
	expect_drop(&s, false, prot, len, SBC_DROP_SRTP_AUTH);
	/* index 20: never seen, but 81 behind the newest, beyond the 64 window */
	expect_drop(&s, false, old, old_len, SBC_DROP_SRTP_REPLAY);
	/* wrong key */
	plen = rtp(plain, 0, 102, 0x6666);
	len = protect(wrong, plain, plen, prot, false);
	expect_drop(&s, false, prot, len, SBC_DROP_SRTP_AUTH);
	/* too short to carry a tag */
	plen = h_build_rtp(plain, 0, 103, 0, 0x6666, 2, 0);
	expect_drop(&s, false, plain, plen, SBC_DROP_SRTP_ERROR);
	/* not RTP at all: refused before any crypto */
	plain[0] = 0x40;
	expect_drop(&s, false, plain, plen, SBC_DROP_NOT_RTP);

	/* SRTCP: genuine, tampered, replayed */
	plen = rtcp_sr(plain, 0x6666, 4);
	rtcp_len = protect(tx, plain, plen, rtcp_prot, true);
	memcpy(prot, rtcp_prot, rtcp_len);
	prot[rtcp_len - 3] ^= 0x10;
	expect_drop(&s, true, prot, rtcp_len, SBC_DROP_SRTP_AUTH);
	send_in(PA, 4, 5401, (uint16_t)(s.a.local.port + 1), rtcp_prot, rtcp_len);
	run();
	expect_out(PB, 4, (uint16_t)(s.b.local.port + 1), 6401, plain, plen);
	expect_drop(&s, true, rtcp_prot, rtcp_len, SBC_DROP_SRTP_REPLAY);

	/* no tailroom left for the tag toward an SRTP leg: RTP from the PBX */
	{
		uint64_t before = h_drops(&H, SBC_DROP_SRTP_ERROR);
		uint8_t big[BUF];

		plen = h_build_rtp(big, 0, 1, 0, 0x7777, 1850, 0);
		send_in(PB, 4, 6400, s.b.local.port, big, plen);
		run();
		CU_ASSERT_EQUAL(h_drops(&H, SBC_DROP_SRTP_ERROR), before + 1);
		CU_ASSERT_EQUAL(leg_drops(s.id, 1, SBC_DROP_SRTP_ERROR), 1);
		expect_nothing();
		/* one that fits goes out */
		plen = rtp(big, 0, 2, 0x7777);
		send_in(PB, 4, 6400, s.b.local.port, big, plen);
		run();
		CU_ASSERT_EQUAL(h_drain(&H, PA, 0) + h_drain(&H, PA, 1), 1);
	}
	srtp_dealloc(tx);
	srtp_dealloc(wrong);
	release(&s);
}

/*
 * Latching on an SRTP leg: only a packet that authenticated may latch a
 * source (learn) or move it (relearn).
 */
static void test_srtp_latching(void)
{
	struct sbc_api_srtp k, other;
	struct sbc_api_stats_resp st;
	struct sbc_api_event ev;
	uint8_t plain[BUF], prot[BUF], bad[BUF];
	uint32_t plen, len, bad_len;
	uint64_t hz = rte_get_tsc_hz(), t0 = rte_rdtsc();
	struct sess s;
	srtp_t tx, wrong;

	mk_key(&k, S80, 40);
	mk_key(&other, S80, 41);
	tx = peer_srtp(&k, true);
	wrong = peer_srtp(&other, true);
	prepare(&s, 4, 4, SBC_API_LATCH_RELEARN, 5600, 6600, false);
	s.la.srtp_in = k;
	s.la.relearn_gap_ms = 500;
	bind_session(&s);
	resolve_peers();
	flush_events();

	/* an unauthenticated first packet latches nothing */
	plen = rtp(plain, 0, 1, 0x8888);
	bad_len = protect(wrong, plain, plen, bad, false);
	feed_at(PA, C4X, 5650, s.a.local.port, bad, bad_len, t0);
	CU_ASSERT_EQUAL(count_events(SBC_API_EV_SOURCE_LATCHED, s.id, NULL, 50), 0);
	CU_ASSERT_EQUAL_FATAL(h_stats(&H, s.id, &st), SBC_API_OK);
	CU_ASSERT_EQUAL(st.leg[0].source.family, SBC_API_AF_NONE);
	CU_ASSERT_EQUAL(st.leg[0].drops[SBC_DROP_SRTP_AUTH], 1);
	expect_nothing();
	/* an authenticated one does */
	len = protect(tx, plain, plen, prot, false);
	feed_at(PA, C4, 5600, s.a.local.port, prot, len, t0);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0) + h_drain(&H, PB, 1), 1);
	CU_ASSERT_EQUAL(count_events(SBC_API_EV_SOURCE_LATCHED, s.id, &ev, 50), 1);
	CU_ASSERT_EQUAL(ev.addr.port, 5600);

	/* after the quiet gap: a forged packet from a new address moves nothing */
	plen = rtp(plain, 0, 2, 0x8888);
	bad_len = protect(wrong, plain, plen, bad, false);
	feed_at(PA, C4X, 5700, s.a.local.port, bad, bad_len, t0 + hz / 10 * 7);
	expect_nothing();
	CU_ASSERT_EQUAL(count_events(SBC_API_EV_SOURCE_CHANGED, s.id, NULL, 50), 0);
	CU_ASSERT_EQUAL_FATAL(h_stats(&H, s.id, &st), SBC_API_OK);
	CU_ASSERT_EQUAL(st.leg[0].source.port, 5600);
	CU_ASSERT_EQUAL(st.leg[0].drops[SBC_DROP_SRTP_AUTH], 2);
	CU_ASSERT_EQUAL(st.leg[0].drops[SBC_DROP_WRONG_SOURCE], 0);
	/* the latched source still works */
	len = protect(tx, plain, plen, prot, false);
	feed_at(PA, C4, 5600, s.a.local.port, prot, len, t0 + hz / 10 * 7);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0) + h_drain(&H, PB, 1), 1);
	/* within the gap, even a genuine packet from elsewhere is refused (before any crypto) */
	plen = rtp(plain, 0, 3, 0x8888);
	len = protect(tx, plain, plen, prot, false);
	feed_at(PA, C4X, 5700, s.a.local.port, prot, len, t0 + hz / 10 * 8);
	expect_nothing();
	CU_ASSERT_EQUAL(leg_drops(s.id, 0, SBC_DROP_WRONG_SOURCE), 1);
	/* after the gap an authenticated packet from the new address moves the latch */
	feed_at(PA, C4X, 5700, s.a.local.port, prot, len, t0 + hz / 10 * 14);
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0) + h_drain(&H, PB, 1), 1);
	CU_ASSERT_EQUAL(count_events(SBC_API_EV_SOURCE_CHANGED, s.id, &ev, 50), 1);
	CU_ASSERT_EQUAL(ev.addr.port, 5700);
	CU_ASSERT(memcmp(ev.addr.ip, C4X, 4) == 0);
	/* and the old source is the stranger now */
	plen = rtp(plain, 0, 4, 0x8888);
	len = protect(tx, plain, plen, prot, false);
	feed_at(PA, C4, 5600, s.a.local.port, prot, len, t0 + hz / 10 * 15);
	expect_nothing();
	CU_ASSERT_EQUAL(leg_drops(s.id, 0, SBC_DROP_WRONG_SOURCE), 2);
	srtp_dealloc(tx);
	srtp_dealloc(wrong);
	release(&s);
}

/* Authentication failures reaching srtp_auth_burst in a second: one event. */
static void test_srtp_auth_burst(void)
{
	struct sbc_api_srtp k, other;
	struct sbc_api_event ev;
	uint8_t plain[BUF], bad[BUF];
	uint32_t plen, len;
	uint64_t hz = rte_get_tsc_hz(), t0 = rte_rdtsc();
	struct sess s;
	srtp_t wrong;

	mk_key(&k, S80, 50);
	mk_key(&other, S80, 51);
	wrong = peer_srtp(&other, true);
	prepare(&s, 4, 4, SBC_API_LATCH_LEARN, 5800, 6800, false);
	s.la.srtp_in = k;
	bind_session(&s);
	resolve_peers();
	flush_events();
	/* one short of the threshold: nothing */
	for (uint16_t seq = 1; seq < AUTH_BURST; seq++) {
		plen = rtp(plain, 0, seq, 0x9999);
		len = protect(wrong, plain, plen, bad, false);
		feed_at(PA, C4, 5800, s.a.local.port, bad, len, t0 + seq * (hz / 100));
	}
	CU_ASSERT_EQUAL(count_events(SBC_API_EV_SRTP_AUTH_BURST, s.id, NULL, 50), 0);
	/* reaching it, and going on within the same second: one event */
	for (uint16_t seq = AUTH_BURST; seq < 3 * AUTH_BURST; seq++) {
		plen = rtp(plain, 0, seq, 0x9999);
		len = protect(wrong, plain, plen, bad, false);
		feed_at(PA, C4, 5800, s.a.local.port, bad, len, t0 + seq * (hz / 100));
	}
	CU_ASSERT_EQUAL(count_events(SBC_API_EV_SRTP_AUTH_BURST, s.id, &ev, 100), 1);
	CU_ASSERT_EQUAL(ev.count, AUTH_BURST);
	CU_ASSERT_EQUAL(ev.endpoint_id, s.a.endpoint_id);
	CU_ASSERT_EQUAL(ev.addr.port, 5800);
	CU_ASSERT_EQUAL(leg_drops(s.id, 0, SBC_DROP_SRTP_AUTH), 3 * AUTH_BURST - 1);
	expect_nothing();
	/* a few more in a later second, below the threshold: nothing */
	for (uint16_t seq = 100; seq < 100 + AUTH_BURST - 1; seq++) {
		plen = rtp(plain, 0, seq, 0x9999);
		len = protect(wrong, plain, plen, bad, false);
		feed_at(PA, C4, 5800, s.a.local.port, bad, len, t0 + 2 * hz);
	}
	CU_ASSERT_EQUAL(count_events(SBC_API_EV_SRTP_AUTH_BURST, s.id, NULL, 50), 0);
	/* another burst, seconds later: another event */
	for (uint16_t seq = 200; seq < 200 + AUTH_BURST; seq++) {
		plen = rtp(plain, 0, seq, 0x9999);
		len = protect(wrong, plain, plen, bad, false);
		feed_at(PA, C4, 5800, s.a.local.port, bad, len, t0 + 4 * hz);
	}
	CU_ASSERT_EQUAL(count_events(SBC_API_EV_SRTP_AUTH_BURST, s.id, NULL, 100), 1);
	srtp_dealloc(wrong);
	release(&s);
}

/*
 * Re-key by UPDATE: the carrier's new in-key replaces the old one (old-key
 * packets fail, new-key packets pass); the unchanged out-key's context
 * carries on (an index it already sent stays refused); the replaced context
 * is cleared after the grace period, and a release clears the rest.
 */
static void test_srtp_rekey(void)
{
	struct sbc_api_srtp k1, k2, kout;
	uint8_t plain[BUF], prot[BUF], seq5[BUF];
	uint32_t plen, len, seq5_len;
	struct sess s;
	srtp_t tx1, tx2, out_expect;

	mk_key(&k1, S80, 60);
	mk_key(&k2, S80, 61);
	mk_key(&kout, S80, 62);
	prepare(&s, 4, 4, SBC_API_LATCH_LEARN, 5900, 6900, false);
	s.la.srtp_in = k1;
	s.la.srtp_out = kout;
	bind_session(&s);
	resolve_peers();
	CU_ASSERT_EQUAL(sbc_dp_srtp_contexts(H.dp), 2);
	tx1 = peer_srtp(&k1, true);
	tx2 = peer_srtp(&k2, true);
	out_expect = peer_srtp(&kout, true);
	for (uint16_t seq = 1; seq <= 3; seq++) {
		plen = rtp(plain, 0, seq, 0xaaaa);
		len = protect(tx1, plain, plen, prot, false);
		send_in(PA, 4, 5900, s.a.local.port, prot, len);
		plen = rtp(plain, 8, seq, 0xbbbb);
		send_in(PB, 4, 6900, s.b.local.port, plain, plen);
	}
	run();
	CU_ASSERT_EQUAL(h_drain(&H, PB, 0) + h_drain(&H, PB, 1), 3);
	for (uint16_t seq = 1; seq <= 3; seq++) {
		plen = rtp(plain, 8, seq, 0xbbbb);
		len = protect(out_expect, plain, plen, prot, false);
		expect_out(PA, 4, s.a.local.port, 5900, prot, len);
	}

	s.la.srtp_in = k2;
	CU_ASSERT_EQUAL_FATAL(h_update(&H, s.id, SBC_API_UPDATE_LEG_A, &s.la, NULL), SBC_API_OK);
	/* old key refused, new key accepted */
	plen = rtp(plain, 0, 4, 0xaaaa);
	len = protect(tx1, plain, plen, prot, false);
	expect_drop(&s, false, prot, len, SBC_DROP_SRTP_AUTH);
	plen = rtp(plain, 0, 5, 0xaaaa);
	seq5_len = protect(tx2, plain, plen, seq5, false);
	send_in(PA, 4, 5900, s.a.local.port, seq5, seq5_len);
	run();
	expect_out(PB, 4, s.b.local.port, 6900, plain, plen);
	/* the protect context kept its state: sequence 3 again would reuse an index */
	plen = rtp(plain, 8, 3, 0xbbbb);
	send_in(PB, 4, 6900, s.b.local.port, plain, plen);
	run();
	expect_nothing();
	CU_ASSERT_EQUAL(leg_drops(s.id, 1, SBC_DROP_SRTP_REPLAY), 1);
	plen = rtp(plain, 8, 4, 0xbbbb);
	send_in(PB, 4, 6900, s.b.local.port, plain, plen);
	run();
	len = protect(out_expect, plain, plen, prot, false);
	expect_out(PA, 4, s.a.local.port, 5900, prot, len);
	/* the replaced context is gone once the workers went through a grace period */
	run();
	CU_ASSERT_EQUAL(sbc_dp_srtp_contexts(H.dp), 2);
	/* an UPDATE with the same keys keeps both contexts: a replay is still one */
	CU_ASSERT_EQUAL_FATAL(h_update(&H, s.id, SBC_API_UPDATE_ALL, &s.la, &s.lb), SBC_API_OK);
	run();
	CU_ASSERT_EQUAL(sbc_dp_srtp_contexts(H.dp), 2);
	expect_drop(&s, false, seq5, seq5_len, SBC_DROP_SRTP_REPLAY);
	plen = rtp(plain, 0, 6, 0xaaaa);
	len = protect(tx2, plain, plen, prot, false);
	send_in(PA, 4, 5900, s.a.local.port, prot, len);
	run();
	expect_out(PB, 4, s.b.local.port, 6900, plain, plen);
	expect_nothing();
	/* SRTP off for what the carrier sends: plain RTP passes, one context left */
	memset(&s.la.srtp_in, 0, sizeof(s.la.srtp_in));
	CU_ASSERT_EQUAL_FATAL(h_update(&H, s.id, SBC_API_UPDATE_LEG_A, &s.la, NULL), SBC_API_OK);
	plen = rtp(plain, 0, 7, 0xaaaa);
	send_in(PA, 4, 5900, s.a.local.port, plain, plen);
	run();
	expect_out(PB, 4, s.b.local.port, 6900, plain, plen);
	run();
	CU_ASSERT_EQUAL(sbc_dp_srtp_contexts(H.dp), 1);
	srtp_dealloc(tx1);
	srtp_dealloc(tx2);
	srtp_dealloc(out_expect);
	release(&s);
	CU_ASSERT_EQUAL(sbc_dp_srtp_contexts(H.dp), 0);
}

/* ------------------------------------------------------------------ */

static int suite_init(void)
{
	static const char *const names[] = { "sa", "sb" };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char yaml[sizeof(config_fmt) + 64];
	int rc;

	rc = h_ports_create(&H, names, 2);
	if (rc != 0) {
		fprintf(stderr, "ring ports: %s\n", strerror(-rc));
		return -1;
	}
	snprintf(yaml, sizeof(yaml), config_fmt, engine, AUTH_BURST);
	snprintf(api_path, sizeof(api_path), "/tmp/rampart-srtptest-%d.sock", (int)getpid());
	rc = h_dp_create(&H, yaml, api_path);
	if (rc != 0) {
		fprintf(stderr, "data plane (%s engine): %s\n", engine, strerror(-rc));
		return -1;
	}
	/*
	 * libsrtp2 is initialised once per process: the libsrtp2 engines did
	 * it (and shut it down with the last of them); with the cryptodev
	 * engine the peers' side does it here.
	 */
	if (strcmp(engine, "cryptodev") == 0 && srtp_init() != srtp_err_status_ok)
		return -1;
	W[0] = sbc_dp_worker(H.dp, 0);
	W[1] = sbc_dp_worker(H.dp, 1);
	rte_rcu_qsbr_thread_online(W[1]->qsbr, W[1]->id);
	ev_fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", api_path);
	if (ev_fd < 0 || connect(ev_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("event socket");
		return -1;
	}
	run();  /* accept the event client */
	return 0;
}

static int suite_clean(void)
{
	if (ev_fd >= 0)
		close(ev_fd);
	if (W[1] != NULL)
		rte_rcu_qsbr_thread_offline(W[1]->qsbr, W[1]->id);
	h_dp_destroy(&H);
	if (strcmp(engine, "cryptodev") == 0)
		srtp_shutdown();
	return 0;
}

int main(int argc, char **argv)
{
	static const struct sbc_test tests[] = {
		{ "engines per worker", test_engine },
		{ "SRTP in, RTP out, bursts 0/1/31/32/33, SRTCP", test_srtp_in_rtp_out },
		{ "RTP in, SRTP out (IPv6), SRTCP", test_rtp_in_srtp_out },
		{ "SRTP both ways, other keys per leg, _32, PT remap, v4<->v6", test_srtp_both_ways },
		{ "SRTP and SRTCP with rtcp-mux", test_srtp_rtcp_mux },
		{ "tampered, replayed, too old, wrong key, tailroom: dropped and counted", test_srtp_drops },
		{ "latching moves only on authenticated packets", test_srtp_latching },
		{ "auth-failure burst event, once per second", test_srtp_auth_burst },
		{ "re-key by UPDATE", test_srtp_rekey },
	};
	int rc;

	if (argc > 1)
		engine = argv[1];
	if (strcmp(engine, "libsrtp2") != 0 && strcmp(engine, "cryptodev") != 0) {
		fprintf(stderr, "usage: %s [libsrtp2|cryptodev]\n", argv[0]);
		return 2;
	}
	if (h_eal_init(argv[0], "0", 512) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rc = SBC_TEST_RUN_SUITE(engine, suite_init, suite_clean, tests);
	unlink(api_path);
	sbc_dp_eal_cleanup();
	return rc;
}
