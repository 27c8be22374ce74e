/* SPDX-License-Identifier: BSD-3-Clause
 * SRTP/SRTCP on crafted packets, through both engines with the same keys:
 * RTP in → SRTP out and back, SRTCP likewise, and every reason a packet is
 * refused (tampered tag or bytes, replayed, too old, wrong key, wrong SSRC,
 * SSRC limit, wrong context, malformed), each with its exact result code; burst sizes
 * 0, 1, 31, 32, 33, 64, 65 and more, several packets of one context in one
 * burst (duplicates, rollover estimates that depend on an earlier packet
 * authenticating).  Every packet goes through both engines, which must
 * agree on the result and, when it is OK, on every byte.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>


#include <rte_mbuf.h>

#include "cunit_run.h"
#include "srtp_priv.h"
#include "srtp_test.h"

#define BUF      1600
#define MAX_PKTS 160
#define N_ENG    2

struct pkt {
	uint8_t b[BUF];
	uint32_t len;
};

/* One stream: a protect and an unprotect context per engine, same keys. */
struct tstream {
	struct sbc_srtp_ctx tx[N_ENG];
	struct sbc_srtp_ctx rx[N_ENG];
};

enum op { PROTECT, UNPROTECT, PROTECT_RTCP, UNPROTECT_RTCP };

static struct st_env env;
static struct pkt in_pkts[MAX_PKTS], out_pkts[N_ENG][MAX_PKTS];
static int16_t results[N_ENG][MAX_PKTS];
static uint16_t pkt_off;    /* where packets start in their mbufs */

static void keys(struct sbc_srtp_params *p, uint64_t seed)
{
	uint64_t r = seed | 1;
	size_t i;

	for (i = 0; i < sizeof(p->master_key); i++)
		p->master_key[i] = (uint8_t)(st_rand(&r) >> 56);
	for (i = 0; i < sizeof(p->master_salt); i++)
		p->master_salt[i] = (uint8_t)(st_rand(&r) >> 56);
}

/* rx_seed != tx_seed gives the receiver other keys. */
static void stream_init(struct tstream *s, enum sbc_srtp_suite suite, bool bound, uint32_t ssrc,
			uint32_t roc, uint64_t tx_seed, uint64_t rx_seed)
{
	struct sbc_srtp_params p = { .suite = suite, .ssrc_bound = bound, .ssrc = ssrc, .roc = roc };
	int e;

	memset(s, 0, sizeof(*s));
	for (e = 0; e < N_ENG; e++) {
		keys(&p, tx_seed);
		p.dir = SBC_SRTP_PROTECT;
		CU_ASSERT_EQUAL_FATAL(sbc_srtp_ctx_init(env.engine[e], &s->tx[e], &p), 0);
		keys(&p, rx_seed);
		p.dir = SBC_SRTP_UNPROTECT;
		CU_ASSERT_EQUAL_FATAL(sbc_srtp_ctx_init(env.engine[e], &s->rx[e], &p), 0);
	}
}

static void stream_clear(struct tstream *s)
{
	int e;

	for (e = 0; e < N_ENG; e++) {
		sbc_srtp_ctx_clear(env.engine[e], &s->tx[e]);
		sbc_srtp_ctx_clear(env.engine[e], &s->rx[e]);
	}
}

static uint16_t engine_burst(int e, enum op op, struct rte_mbuf **m, struct sbc_srtp_ctx **c,
			     uint16_t n, int16_t *res)
{
	switch (op) {
	case PROTECT:
		return sbc_srtp_protect_burst(env.engine[e], m, c, n, res);
	case UNPROTECT:
		return sbc_srtp_unprotect_burst(env.engine[e], m, c, n, res);
	case PROTECT_RTCP:
		return sbc_srtp_protect_rtcp_burst(env.engine[e], m, c, n, res);
	default:
		return sbc_srtp_unprotect_rtcp_burst(env.engine[e], m, c, n, res);
	}
}

/*
 * in_pkts[0..n) through both engines, packet i with stream st[i]; results
 * and outputs in results[e] / out_pkts[e].  Asserts the engines agree and
 * returns how many were OK.
 */
static uint16_t both(enum op op, struct tstream **st, uint16_t n)
{
	struct rte_mbuf *m[MAX_PKTS];
	struct sbc_srtp_ctx *c[MAX_PKTS];
	bool rx = op == UNPROTECT || op == UNPROTECT_RTCP;
	uint16_t ok[N_ENG], i;
	int e;

	for (e = 0; e < N_ENG; e++) {
		for (i = 0; i < n; i++) {
			m[i] = st_mbuf(env.mp, in_pkts[i].b, in_pkts[i].len, pkt_off);
			CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
			c[i] = rx ? &st[i]->rx[e] : &st[i]->tx[e];
		}
		ok[e] = engine_burst(e, op, m, c, n, results[e]);
		for (i = 0; i < n; i++) {
			const uint8_t *p;
			uint32_t len;

			/* The bytes before the packet are never touched. */
			for (len = 0; len < pkt_off; len++)
				CU_ASSERT_EQUAL(rte_pktmbuf_mtod(m[i], uint8_t *)[len], 0xee);
			p = st_bytes(m[i], &len);
			if (results[e][i] == SBC_SRTP_OK) {
				CU_ASSERT_FATAL(len <= BUF);
				memcpy(out_pkts[e][i].b, p, len);
				out_pkts[e][i].len = len;
			}
			rte_pktmbuf_free(m[i]);
		}
	}
	CU_ASSERT_EQUAL(ok[0], ok[1]);
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(results[0][i], results[1][i]);
		if (results[0][i] != results[1][i])
			printf("\n  packet %u: cryptodev %s, libsrtp2 %s", i,
			       sbc_srtp_result_name(results[0][i]), sbc_srtp_result_name(results[1][i]));
		if (results[0][i] == SBC_SRTP_OK && results[1][i] == SBC_SRTP_OK) {
			CU_ASSERT_EQUAL(out_pkts[0][i].len, out_pkts[1][i].len);
			CU_ASSERT_EQUAL(memcmp(out_pkts[0][i].b, out_pkts[1][i].b, out_pkts[0][i].len), 0);
		}
	}
	return ok[0];
}

/* One packet through both engines; returns its result, output in out_pkts[0][0]. */
static int16_t one(enum op op, struct tstream *s, const uint8_t *b, uint32_t len)
{
	struct tstream *st[1] = { s };

	memcpy(in_pkts[0].b, b, len);
	in_pkts[0].len = len;
	both(op, st, 1);
	return results[0][0];
}

static uint32_t make_rtp(uint8_t *b, uint16_t seq, uint32_t ssrc, uint32_t payload)
{
	return st_rtp(b, seq, seq * 160u, ssrc, 0, -1, payload, seq * 7919u + ssrc);
}

/* Protect then unprotect one RTP packet; checks the wire format and that
 * the plaintext comes back.  Returns the SRTP packet in *srtp. */
static void rtp_round_trip(struct tstream *s, const uint8_t *rtp, uint32_t len, uint32_t tag,
			   struct pkt *srtp)
{
	int hl = srtp_rtp_hdr_len(rtp, len);

	CU_ASSERT_EQUAL_FATAL(one(PROTECT, s, rtp, len), SBC_SRTP_OK);
	*srtp = out_pkts[0][0];
	CU_ASSERT_EQUAL(srtp->len, len + tag);
	/* RFC 3711 3.1: header in the clear, payload encrypted, tag last. */
	CU_ASSERT_EQUAL(memcmp(srtp->b, rtp, (size_t)hl), 0);
	if (len - (uint32_t)hl >= 4)
		CU_ASSERT_NOT_EQUAL(memcmp(srtp->b + hl, rtp + hl, len - (uint32_t)hl), 0);
	CU_ASSERT_EQUAL_FATAL(one(UNPROTECT, s, srtp->b, srtp->len), SBC_SRTP_OK);
	CU_ASSERT_EQUAL(out_pkts[0][0].len, len);
	CU_ASSERT_EQUAL(memcmp(out_pkts[0][0].b, rtp, len), 0);
}

static void test_rtp_round_trip(void)
{
	static const enum sbc_srtp_suite suites[] = { SBC_SRTP_AES_CM_128_HMAC_SHA1_80,
						      SBC_SRTP_AES_CM_128_HMAC_SHA1_32 };
	struct tstream s;
	struct pkt srtp;
	uint8_t rtp[BUF];
	uint32_t len, roc;
	size_t k;
	int bound, e;

	for (k = 0; k < RTE_DIM(suites); k++) {
		for (bound = 0; bound < 2; bound++) {
			stream_init(&s, suites[k], bound, 0x11223344, 0, 1 + k, 1 + k);
			len = make_rtp(rtp, 1000, 0x11223344, 160);
			rtp_round_trip(&s, rtp, len, k == 0 ? 10 : 4, &srtp);
			len = make_rtp(rtp, 1001, 0x11223344, 160);
			rtp_round_trip(&s, rtp, len, k == 0 ? 10 : 4, &srtp);
			for (e = 0; e < N_ENG; e++) {
				CU_ASSERT_EQUAL(sbc_srtp_ctx_roc(env.engine[e], &s.tx[e], &roc), 0);
				CU_ASSERT_EQUAL(roc, 0);
				CU_ASSERT_EQUAL(sbc_srtp_ctx_roc(env.engine[e], &s.rx[e], &roc), 0);
			}
			stream_clear(&s);
		}
	}
}

/* Header-only, CSRCs, extension header, odd and large payloads, and
 * packets behind 42 bytes of L2-L4 headers. */
static void test_rtp_shapes(void)
{
	struct tstream s;
	struct pkt srtp;
	uint8_t rtp[BUF];
	uint32_t len;
	uint16_t seq = 1;

	for (pkt_off = 0; pkt_off <= 42; pkt_off += 42) {
		stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, false, 0, 0, 77, 77);
		len = st_rtp(rtp, seq, 0, 0xa, 0, -1, 0, 1);
		rtp_round_trip(&s, rtp, len, 10, &srtp);
		len = st_rtp(rtp, ++seq, 0, 0xa, 0, -1, 1, 2);
		rtp_round_trip(&s, rtp, len, 10, &srtp);
		len = st_rtp(rtp, ++seq, 0, 0xa, 15, -1, 33, 3);
		rtp_round_trip(&s, rtp, len, 10, &srtp);
		len = st_rtp(rtp, ++seq, 0, 0xa, 2, 3, 160, 4);
		rtp_round_trip(&s, rtp, len, 10, &srtp);
		len = st_rtp(rtp, ++seq, 0, 0xa, 0, 0, 7, 5);
		rtp_round_trip(&s, rtp, len, 10, &srtp);
		len = st_rtp(rtp, ++seq, 0, 0xa, 0, -1, 1400, 6);
		rtp_round_trip(&s, rtp, len, 10, &srtp);
		stream_clear(&s);
	}
	pkt_off = 0;
}

static void test_rtcp_round_trip(void)
{
	static const uint32_t words[] = { 0, 5, 1, 100 };
	struct tstream s;
	uint8_t rtcp[BUF];
	struct pkt srtcp;
	uint32_t len, trailer;
	size_t k;
	int suite;

	for (suite = 1; suite <= 2; suite++) {
		stream_init(&s, (enum sbc_srtp_suite)suite, suite == 2, 0xcafe, 0, 5, 5);
		for (k = 0; k < RTE_DIM(words); k++) {
			len = st_rtcp(rtcp, 0xcafe, words[k], k);
			CU_ASSERT_EQUAL_FATAL(one(PROTECT_RTCP, &s, rtcp, len), SBC_SRTP_OK);
			srtcp = out_pkts[0][0];
			/* E flag + index 1, 2, ... and an 80-bit tag with either suite. */
			CU_ASSERT_EQUAL(srtcp.len, len + 4 + 10);
			CU_ASSERT_EQUAL(memcmp(srtcp.b, rtcp, 8), 0);
			trailer = srtp_load_be32(srtcp.b + len);
			CU_ASSERT_EQUAL(trailer, 0x80000000u | (uint32_t)(k + 1));
			if (words[k] > 0)
				CU_ASSERT_NOT_EQUAL(memcmp(srtcp.b + 8, rtcp + 8, len - 8), 0);
			CU_ASSERT_EQUAL_FATAL(one(UNPROTECT_RTCP, &s, srtcp.b, srtcp.len), SBC_SRTP_OK);
			CU_ASSERT_EQUAL(out_pkts[0][0].len, len);
			CU_ASSERT_EQUAL(memcmp(out_pkts[0][0].b, rtcp, len), 0);
		}
		stream_clear(&s);
	}
}

static void test_tampered(void)
{
	struct tstream s;
	struct pkt srtp, bad;
	uint8_t rtp[BUF];
	uint32_t len, i;
	int16_t r;

	stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, false, 0, 0, 9, 9);
	len = st_rtp(rtp, 4000, 1, 0xbeef, 1, 1, 60, 9);
	CU_ASSERT_EQUAL_FATAL(one(PROTECT, &s, rtp, len), SBC_SRTP_OK);
	srtp = out_pkts[0][0];
	/* Every byte, one bit each: header, payload and tag are all covered. */
	for (i = 0; i < srtp.len; i++) {
		bad = srtp;
		bad.b[i] ^= (uint8_t)(1u << (i % 8));
		r = one(UNPROTECT, &s, bad.b, bad.len);
		CU_ASSERT_NOT_EQUAL(r, SBC_SRTP_OK);
		/* V/P/X/CC (byte 0) and the extension length (bytes 18-19: bit 2
		 * of byte 18 makes it 1025 words) decide where the header ends. */
		if (i > 0)
			CU_ASSERT_EQUAL(r, i == 18 ? SBC_SRTP_MALFORMED : SBC_SRTP_AUTH);
	}
	bad = srtp;
	bad.b[bad.len - 1] ^= 0x80;             /* last tag bit */
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, bad.b, bad.len), SBC_SRTP_AUTH);
	bad.len--;                              /* truncated tag */
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, bad.b, bad.len), SBC_SRTP_AUTH);
	/* The untouched packet still passes after all that. */
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, srtp.b, srtp.len), SBC_SRTP_OK);
	CU_ASSERT_EQUAL(memcmp(out_pkts[0][0].b, rtp, len), 0);

	len = st_rtcp(rtp, 0xbeef, 6, 3);
	CU_ASSERT_EQUAL_FATAL(one(PROTECT_RTCP, &s, rtp, len), SBC_SRTP_OK);
	srtp = out_pkts[0][0];
	for (i = 0; i < srtp.len; i++) {
		bad = srtp;
		bad.b[i] ^= (uint8_t)(1u << (i % 8));
		r = one(UNPROTECT_RTCP, &s, bad.b, bad.len);
		CU_ASSERT_EQUAL(r, SBC_SRTP_AUTH);
	}
	/* The E flag cleared: "unencrypted", refused as malformed. */
	bad = srtp;
	bad.b[len] &= 0x7f;
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, bad.b, bad.len), SBC_SRTP_MALFORMED);
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, srtp.b, srtp.len), SBC_SRTP_OK);
	stream_clear(&s);
}

static void test_replay_and_too_old(void)
{
	static struct pkt wire[200];
	struct tstream s;
	uint8_t rtp[BUF];
	uint32_t len, i;

	stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_32, false, 0, 0, 21, 21);
	for (i = 0; i < 200; i++) {
		len = make_rtp(rtp, (uint16_t)(1000 + i), 0x5555, 20);
		CU_ASSERT_EQUAL_FATAL(one(PROTECT, &s, rtp, len), SBC_SRTP_OK);
		wire[i] = out_pkts[0][0];
	}
	/* Protecting an index twice is refused too (keystream reuse). */
	len = make_rtp(rtp, 1190, 0x5555, 20);
	CU_ASSERT_EQUAL(one(PROTECT, &s, rtp, len), SBC_SRTP_REPLAY);
	len = make_rtp(rtp, 1135, 0x5555, 20);     /* 64 behind 1199 */
	CU_ASSERT_EQUAL(one(PROTECT, &s, rtp, len), SBC_SRTP_TOO_OLD);
	len = make_rtp(rtp, 1136, 0x5555, 20);
	CU_ASSERT_EQUAL(one(PROTECT, &s, rtp, len), SBC_SRTP_REPLAY);

	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[0].b, wire[0].len), SBC_SRTP_OK);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[0].b, wire[0].len), SBC_SRTP_REPLAY);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[100].b, wire[100].len), SBC_SRTP_OK);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[36].b, wire[36].len), SBC_SRTP_TOO_OLD);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[37].b, wire[37].len), SBC_SRTP_OK);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[37].b, wire[37].len), SBC_SRTP_REPLAY);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[100].b, wire[100].len), SBC_SRTP_REPLAY);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[99].b, wire[99].len), SBC_SRTP_OK);
	/* A replayed packet that is also tampered: the replay check comes first. */
	wire[99].b[20] ^= 1;
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[99].b, wire[99].len), SBC_SRTP_REPLAY);
	/* A tampered packet does not move the window. */
	wire[199].b[20] ^= 1;
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[199].b, wire[199].len), SBC_SRTP_AUTH);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[37].b, wire[37].len), SBC_SRTP_REPLAY);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[38].b, wire[38].len), SBC_SRTP_OK);

	/* SRTCP: 128-index window. */
	for (i = 0; i < 200; i++) {
		len = st_rtcp(rtp, 0x5555, 2, i);
		CU_ASSERT_EQUAL_FATAL(one(PROTECT_RTCP, &s, rtp, len), SBC_SRTP_OK);
		wire[i] = out_pkts[0][0];     /* index i + 1 */
	}
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, wire[3].b, wire[3].len), SBC_SRTP_OK);
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, wire[3].b, wire[3].len), SBC_SRTP_REPLAY);
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, wire[199].b, wire[199].len), SBC_SRTP_OK);
	/* index 200 is last: the window is [73, 201) */
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, wire[71].b, wire[71].len), SBC_SRTP_TOO_OLD);
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, wire[72].b, wire[72].len), SBC_SRTP_OK);
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, wire[72].b, wire[72].len), SBC_SRTP_REPLAY);
	stream_clear(&s);
}

static void test_wrong_key(void)
{
	struct tstream s, salt_only;
	struct sbc_srtp_params p = { .suite = SBC_SRTP_AES_CM_128_HMAC_SHA1_80,
				     .dir = SBC_SRTP_UNPROTECT };
	struct pkt srtp, srtcp;
	uint8_t rtp[BUF];
	uint32_t len;
	int e;

	stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, false, 0, 0, 31, 32);
	len = make_rtp(rtp, 7, 0x77, 160);
	CU_ASSERT_EQUAL_FATAL(one(PROTECT, &s, rtp, len), SBC_SRTP_OK);
	srtp = out_pkts[0][0];
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, srtp.b, srtp.len), SBC_SRTP_AUTH);
	len = st_rtcp(rtp, 0x77, 4, 1);
	CU_ASSERT_EQUAL_FATAL(one(PROTECT_RTCP, &s, rtp, len), SBC_SRTP_OK);
	srtcp = out_pkts[0][0];
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, srtcp.b, srtcp.len), SBC_SRTP_AUTH);
	/* Same master key, other master salt: other session keys too. */
	memset(&salt_only, 0, sizeof(salt_only));
	for (e = 0; e < N_ENG; e++) {
		keys(&p, 31);
		p.master_salt[13] ^= 1;
		CU_ASSERT_EQUAL_FATAL(sbc_srtp_ctx_init(env.engine[e], &salt_only.rx[e], &p), 0);
	}
	CU_ASSERT_EQUAL(one(UNPROTECT, &salt_only, srtp.b, srtp.len), SBC_SRTP_AUTH);
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &salt_only, srtcp.b, srtcp.len), SBC_SRTP_AUTH);
	stream_clear(&s);
	stream_clear(&salt_only);
}

static void test_wrong_ssrc_and_context(void)
{
	struct tstream s, other;
	struct pkt srtp;
	uint8_t rtp[BUF];
	uint32_t len;
	int e;

	stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, true, 0x1234, 0, 41, 41);
	len = make_rtp(rtp, 9, 0x4321, 160);
	CU_ASSERT_EQUAL(one(PROTECT, &s, rtp, len), SBC_SRTP_WRONG_SSRC);
	len = st_rtcp(rtp, 0x4321, 2, 1);
	CU_ASSERT_EQUAL(one(PROTECT_RTCP, &s, rtp, len), SBC_SRTP_WRONG_SSRC);
	len = make_rtp(rtp, 9, 0x1234, 160);
	CU_ASSERT_EQUAL_FATAL(one(PROTECT, &s, rtp, len), SBC_SRTP_OK);
	srtp = out_pkts[0][0];
	srtp.b[11] ^= 1;
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, srtp.b, srtp.len), SBC_SRTP_WRONG_SSRC);
	srtp.b[11] ^= 1;
	/* Contexts of the other direction, of the other engine, not initialised. */
	memset(&other, 0, sizeof(other));
	for (e = 0; e < N_ENG; e++)
		other.rx[e] = s.tx[e];
	CU_ASSERT_EQUAL(one(UNPROTECT, &other, srtp.b, srtp.len), SBC_SRTP_BAD_CTX);
	memset(&other, 0, sizeof(other));
	CU_ASSERT_EQUAL(one(UNPROTECT, &other, srtp.b, srtp.len), SBC_SRTP_BAD_CTX);
	CU_ASSERT_EQUAL(one(PROTECT_RTCP, &other, rtp, len), SBC_SRTP_BAD_CTX);
	for (e = 0; e < N_ENG; e++)
		other.rx[e] = s.rx[N_ENG - 1 - e];
	CU_ASSERT_EQUAL(one(UNPROTECT, &other, srtp.b, srtp.len), SBC_SRTP_BAD_CTX);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, srtp.b, srtp.len), SBC_SRTP_OK);
	stream_clear(&s);
}

static void test_malformed(void)
{
	struct tstream s;
	struct rte_mbuf *m, *m2, *mv[1];
	struct sbc_srtp_ctx *c[1];
	uint8_t rtp[BUF];
	uint32_t len;
	int16_t res[1];
	int e;

	stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, false, 0, 0, 51, 51);
	len = make_rtp(rtp, 1, 0x99, 16);
	CU_ASSERT_EQUAL(one(PROTECT, &s, rtp, 11), SBC_SRTP_MALFORMED);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, rtp, 0), SBC_SRTP_MALFORMED);
	rtp[0] |= 0x08;                              /* 8 CSRCs: 44 bytes, we have 28 */
	CU_ASSERT_EQUAL(one(PROTECT, &s, rtp, len), SBC_SRTP_MALFORMED);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, rtp, len), SBC_SRTP_MALFORMED);
	len = st_rtp(rtp, 2, 0, 0x99, 0, 2, 0, 1);   /* extension claims 2 words ... */
	CU_ASSERT_EQUAL(one(PROTECT, &s, rtp, len - 1), SBC_SRTP_MALFORMED);
	len = st_rtp(rtp, 2, 0, 0x99, 0, 0, 0, 1);
	CU_ASSERT_EQUAL(one(PROTECT, &s, rtp, len - 1), SBC_SRTP_MALFORMED);
	/* SRTP shorter than header + tag, after a valid first packet. */
	len = make_rtp(rtp, 3, 0x99, 16);
	CU_ASSERT_EQUAL_FATAL(one(PROTECT, &s, rtp, len), SBC_SRTP_OK);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, out_pkts[0][0].b, out_pkts[0][0].len), SBC_SRTP_OK);
	len = make_rtp(rtp, 4, 0x99, 0);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, rtp, len + 9), SBC_SRTP_MALFORMED);
	/* ... but a replayed index is a replay first (libsrtp2's order). */
	len = make_rtp(rtp, 3, 0x99, 0);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, rtp, len + 9), SBC_SRTP_REPLAY);
	/* RTCP below its header, SRTCP below header + trailer + tag. */
	len = st_rtcp(rtp, 0x99, 0, 1);
	CU_ASSERT_EQUAL(one(PROTECT_RTCP, &s, rtp, 7), SBC_SRTP_MALFORMED);
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, rtp, 11), SBC_SRTP_MALFORMED);
	memset(rtp + 8, 0x80, 16);
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, rtp, 21), SBC_SRTP_MALFORMED);
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, rtp, 22), SBC_SRTP_AUTH);

	/* Two segments; no tailroom; offset past the data. */
	len = make_rtp(rtp, 5, 0x99, 16);
	for (e = 0; e < N_ENG; e++) {
		c[0] = &s.tx[e];
		m = st_mbuf(env.mp, rtp, len, 0);
		m2 = st_mbuf(env.mp, rtp, 4, 0);
		CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_chain(m, m2), 0);
		mv[0] = m;
		CU_ASSERT_EQUAL(sbc_srtp_protect_burst(env.engine[e], mv, c, 1, res), 0);
		CU_ASSERT_EQUAL(res[0], SBC_SRTP_MALFORMED);
		rte_pktmbuf_free(m);
		/* The packet at the very end of its buffer, one byte short. */
		m = rte_pktmbuf_alloc(env.mp);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		m->data_off = (uint16_t)(m->buf_len - len - SBC_SRTP_PROTECT_TAILROOM + 1);
		memcpy(rte_pktmbuf_append(m, (uint16_t)len), rtp, len);
		mv[0] = m;
		CU_ASSERT_EQUAL(sbc_srtp_protect_burst(env.engine[e], mv, c, 1, res), 0);
		CU_ASSERT_EQUAL(res[0], SBC_SRTP_MALFORMED);
		m->data_off--;
		memmove(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_mtod(m, uint8_t *) + 1, len);
		CU_ASSERT_EQUAL(sbc_srtp_protect_burst(env.engine[e], mv, c, 1, res), 1);
		CU_ASSERT_EQUAL(res[0], SBC_SRTP_OK);
		rte_pktmbuf_free(m);
		m = st_mbuf(env.mp, rtp, 5, 0);
		m->l2_len = 6;
		mv[0] = m;
		CU_ASSERT_EQUAL(sbc_srtp_protect_burst(env.engine[e], mv, c, 1, res), 0);
		CU_ASSERT_EQUAL(res[0], SBC_SRTP_MALFORMED);
		rte_pktmbuf_free(m);
	}
	stream_clear(&s);
}

static void test_roc(void)
{
	static struct pkt wire[40];
	struct tstream s, bad;
	uint8_t rtp[BUF];
	uint32_t len, roc, i;
	int e;

	/* Across the sequence wrap: ROC 0 → 1 on both sides. */
	stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, false, 0, 0, 61, 61);
	for (i = 0; i < 40; i++) {
		len = make_rtp(rtp, (uint16_t)(65520 + i), 0x600d, 100);
		CU_ASSERT_EQUAL_FATAL(one(PROTECT, &s, rtp, len), SBC_SRTP_OK);
		wire[i] = out_pkts[0][0];
	}
	for (e = 0; e < N_ENG; e++) {
		CU_ASSERT_EQUAL(sbc_srtp_ctx_roc(env.engine[e], &s.tx[e], &roc), 0);
		CU_ASSERT_EQUAL(roc, 1);
		CU_ASSERT_EQUAL(sbc_srtp_ctx_roc(env.engine[e], &s.rx[e], &roc), -ENOENT);
	}
	for (i = 0; i < 40; i += 2)
		CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[i].b, wire[i].len), SBC_SRTP_OK);
	/* Late packets from before the wrap still decrypt with ROC 0. */
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[13].b, wire[13].len), SBC_SRTP_OK);
	len = make_rtp(rtp, 65533, 0x600d, 100);
	CU_ASSERT_EQUAL(memcmp(out_pkts[0][0].b, rtp, len), 0);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[39].b, wire[39].len), SBC_SRTP_OK);
	for (e = 0; e < N_ENG; e++) {
		CU_ASSERT_EQUAL(sbc_srtp_ctx_roc(env.engine[e], &s.rx[e], &roc), 0);
		CU_ASSERT_EQUAL(roc, 1);
	}
	stream_clear(&s);

	/* A bound stream with a starting ROC; a receiver that assumes another
	 * ROC fails authentication. */
	stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_32, true, 0x600d, 5, 62, 62);
	stream_init(&bad, SBC_SRTP_AES_CM_128_HMAC_SHA1_32, true, 0x600d, 4, 62, 62);
	len = make_rtp(rtp, 100, 0x600d, 100);
	CU_ASSERT_EQUAL_FATAL(one(PROTECT, &s, rtp, len), SBC_SRTP_OK);
	wire[0] = out_pkts[0][0];
	CU_ASSERT_EQUAL(one(UNPROTECT, &bad, wire[0].b, wire[0].len), SBC_SRTP_AUTH);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[0].b, wire[0].len), SBC_SRTP_OK);
	CU_ASSERT_EQUAL(memcmp(out_pkts[0][0].b, rtp, len), 0);
	for (e = 0; e < N_ENG; e++) {
		CU_ASSERT_EQUAL(sbc_srtp_ctx_roc(env.engine[e], &s.rx[e], &roc), 0);
		CU_ASSERT_EQUAL(roc, 5);
	}
	stream_clear(&s);
	stream_clear(&bad);
}

/* A context that learns its SSRC follows a sender that changes it, only
 * on an authenticated packet. */
static void test_ssrc_change(void)
{
	struct tstream s;
	struct pkt a, b, forged;
	uint8_t rtp[BUF];
	uint32_t len;

	stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, false, 0, 0, 71, 71);
	len = make_rtp(rtp, 500, 0xaaaa, 50);
	CU_ASSERT_EQUAL_FATAL(one(PROTECT, &s, rtp, len), SBC_SRTP_OK);
	a = out_pkts[0][0];
	len = make_rtp(rtp, 40000, 0xbbbb, 50);
	CU_ASSERT_EQUAL_FATAL(one(PROTECT, &s, rtp, len), SBC_SRTP_OK);
	b = out_pkts[0][0];
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, a.b, a.len), SBC_SRTP_OK);
	forged = b;
	forged.b[8] ^= 0x40;                  /* another SSRC, tag no longer fits */
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, forged.b, forged.len), SBC_SRTP_AUTH);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, b.b, b.len), SBC_SRTP_OK);
	CU_ASSERT_EQUAL(memcmp(out_pkts[0][0].b, rtp, len), 0);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, b.b, b.len), SBC_SRTP_REPLAY);
	stream_clear(&s);
}

/*
 * A learned context keeps SBC_SRTP_LEARNED_SSRC_MAX SSRCs for SRTP and as
 * many for SRTCP.  A packet of one more is refused (SBC_SRTP_SSRC_LIMIT) by
 * both engines, now and later, on protect before any index is taken and on
 * unprotect whether or not it is authentic; a packet that is also
 * malformed is refused as malformed.  The SSRCs kept go on where they
 * stopped: their old indices stay refused, their SRTCP indices continue.
 */
static void test_ssrc_limit(void)
{
	enum { N = SBC_SRTP_LEARNED_SSRC_MAX };
	static struct pkt rtp_of[N + 1], rtcp_of[N + 1];
	struct tstream s, twin, fresh;
	struct tstream *st[MAX_PKTS];
	uint8_t b[BUF];
	uint32_t len, k, round;

	stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, false, 0, 0, 61, 61);
	/* Same keys, SSRCs of its own: protects what s's sender may not. */
	stream_init(&twin, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, false, 0, 0, 61, 61);
	for (k = 0; k < N; k++) {
		len = make_rtp(b, 100, 0x5000 + k, 40);
		CU_ASSERT_EQUAL_FATAL(one(PROTECT, &s, b, len), SBC_SRTP_OK);
		rtp_of[k] = out_pkts[0][0];
		len = st_rtcp(b, 0x5000 + k, 3, k);
		CU_ASSERT_EQUAL_FATAL(one(PROTECT_RTCP, &s, b, len), SBC_SRTP_OK);
		rtcp_of[k] = out_pkts[0][0];
	}
	for (round = 0; round < 2; round++) {
		len = make_rtp(b, (uint16_t)(100 + round), 0x5000 + N, 40);
		CU_ASSERT_EQUAL(one(PROTECT, &s, b, len), SBC_SRTP_SSRC_LIMIT);
		len = st_rtcp(b, 0x5000 + N, 3, 9);
		CU_ASSERT_EQUAL(one(PROTECT_RTCP, &s, b, len), SBC_SRTP_SSRC_LIMIT);
	}
	len = make_rtp(b, 102, 0x5000 + N, 40);
	b[0] |= 0x0f;                                /* 15 CSRCs: longer than the packet */
	CU_ASSERT_EQUAL(one(PROTECT, &s, b, len), SBC_SRTP_MALFORMED);
	CU_ASSERT_EQUAL(one(PROTECT_RTCP, &s, b, SBC_SRTCP_HDR_LEN - 1), SBC_SRTP_MALFORMED);
	for (k = 0; k < N; k++) {
		len = make_rtp(b, 100, 0x5000 + k, 40);
		CU_ASSERT_EQUAL(one(PROTECT, &s, b, len), SBC_SRTP_REPLAY);
		len = make_rtp(b, 101, 0x5000 + k, 40);
		CU_ASSERT_EQUAL(one(PROTECT, &s, b, len), SBC_SRTP_OK);
		len = st_rtcp(b, 0x5000 + k, 3, k);
		CU_ASSERT_EQUAL_FATAL(one(PROTECT_RTCP, &s, b, len), SBC_SRTP_OK);
		CU_ASSERT_EQUAL(srtp_load_be32(out_pkts[0][0].b + len), SBC_SRTCP_E_BIT | 2);
	}

	/* The SRTP leg: one more SSRC, authentic (from twin) or not. */
	len = make_rtp(b, 7, 0x5000 + N, 40);
	CU_ASSERT_EQUAL_FATAL(one(PROTECT, &twin, b, len), SBC_SRTP_OK);
	rtp_of[N] = out_pkts[0][0];
	len = st_rtcp(b, 0x5000 + N, 3, 9);
	CU_ASSERT_EQUAL_FATAL(one(PROTECT_RTCP, &twin, b, len), SBC_SRTP_OK);
	rtcp_of[N] = out_pkts[0][0];
	for (k = 0; k < N; k++) {
		CU_ASSERT_EQUAL(one(UNPROTECT, &s, rtp_of[k].b, rtp_of[k].len), SBC_SRTP_OK);
		CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, rtcp_of[k].b, rtcp_of[k].len), SBC_SRTP_OK);
	}
	for (round = 0; round < 2; round++) {
		CU_ASSERT_EQUAL(one(UNPROTECT, &s, rtp_of[N].b, rtp_of[N].len), SBC_SRTP_SSRC_LIMIT);
		CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, rtcp_of[N].b, rtcp_of[N].len),
				SBC_SRTP_SSRC_LIMIT);
	}
	rtp_of[N].b[30] ^= 1;
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, rtp_of[N].b, rtp_of[N].len), SBC_SRTP_SSRC_LIMIT);
	rtp_of[N].b[30] ^= 1;
	rtcp_of[N].b[SBC_SRTCP_HDR_LEN + 12] &= 0x7f;      /* E flag cleared */
	CU_ASSERT_EQUAL(one(UNPROTECT_RTCP, &s, rtcp_of[N].b, rtcp_of[N].len), SBC_SRTP_MALFORMED);
	rtcp_of[N].b[SBC_SRTCP_HDR_LEN + 12] |= 0x80;
	for (k = 0; k < N; k++)
		CU_ASSERT_EQUAL(one(UNPROTECT, &s, rtp_of[k].b, rtp_of[k].len), SBC_SRTP_REPLAY);

	/* The limit reached within one burst: a fresh receiver given one
	 * packet of each SSRC keeps the first N it authenticates. */
	for (round = 0; round < 2; round++) {
		stream_init(&fresh, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, false, 0, 0, 61, 61);
		for (k = 0; k <= N; k++) {
			in_pkts[k] = round == 0 ? rtp_of[k] : rtcp_of[N - k];
			st[k] = &fresh;
		}
		CU_ASSERT_EQUAL(both(round == 0 ? UNPROTECT : UNPROTECT_RTCP, st, N + 1), N);
		CU_ASSERT_EQUAL(results[0][N], SBC_SRTP_SSRC_LIMIT);
		stream_clear(&fresh);
	}
	stream_clear(&s);
	stream_clear(&twin);
}

/* Many streams interleaved, bursts of every interesting size. */
static void test_burst_sizes(void)
{
	static const uint16_t sizes[] = { 0, 1, 31, 32, 33, 64, 65, 130, 2, 7 };
	static struct tstream s[6];
	struct tstream *st[MAX_PKTS];
	static struct pkt plain[MAX_PKTS];
	uint16_t seq[6] = { 0 }, n, i;
	uint64_t r = 42;
	size_t k;
	int rtcp;

	for (i = 0; i < 6; i++)
		stream_init(&s[i], (enum sbc_srtp_suite)(1 + i % 2), i % 3 == 0, 0x100 + i, 0,
			    80 + i, 80 + i);
	for (rtcp = 0; rtcp < 2; rtcp++) {
		for (k = 0; k < RTE_DIM(sizes); k++) {
			n = sizes[k];
			for (i = 0; i < n; i++) {
				uint16_t j = (uint16_t)(st_rand(&r) % 6);

				st[i] = &s[j];
				if (rtcp)
					in_pkts[i].len = st_rtcp(in_pkts[i].b, 0x100 + j,
								 (uint32_t)(st_rand(&r) % 20), r);
				else
					in_pkts[i].len = make_rtp(in_pkts[i].b, seq[j]++,
								  0x100 + j,
								  (uint32_t)(st_rand(&r) % 300));
				plain[i] = in_pkts[i];
			}
			CU_ASSERT_EQUAL(both(rtcp ? PROTECT_RTCP : PROTECT, st, n), n);
			for (i = 0; i < n; i++)
				in_pkts[i] = out_pkts[0][i];
			CU_ASSERT_EQUAL(both(rtcp ? UNPROTECT_RTCP : UNPROTECT, st, n), n);
			for (i = 0; i < n; i++) {
				CU_ASSERT_EQUAL(out_pkts[0][i].len, plain[i].len);
				CU_ASSERT_EQUAL(memcmp(out_pkts[0][i].b, plain[i].b, plain[i].len), 0);
			}
		}
	}
	for (i = 0; i < 6; i++)
		stream_clear(&s[i]);
}

/* Several packets of one context in one unprotect burst: each decided
 * against what the earlier ones left, as if they came one by one. */
static void test_burst_same_context(void)
{
	static struct pkt wire[8];
	struct tstream s;
	struct tstream *st[MAX_PKTS];
	uint8_t rtp[BUF];
	uint32_t len;
	uint16_t i;
	/* Bound with ROC 1 so that the index is past 0x8000 and the ROC is
	 * guessed: 0x8800 then 0x0500 means ROC 2 only if 0x8800 is authentic. */
	static const uint16_t seqs[] = { 0x1000, 0x8800, 0x0500, 0x0501, 0x0502 };

	stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, true, 0xd00d, 1, 91, 91);
	for (i = 0; i < RTE_DIM(seqs); i++) {
		len = make_rtp(rtp, seqs[i], 0xd00d, 30);
		CU_ASSERT_EQUAL_FATAL(one(PROTECT, &s, rtp, len), SBC_SRTP_OK);
		wire[i] = out_pkts[0][0];
		st[i] = &s;
	}
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[0].b, wire[0].len), SBC_SRTP_OK);
	/* [0x8800, 0x0500 (ROC 2), 0x0500 again, 0x0501] */
	in_pkts[0] = wire[1];
	in_pkts[1] = wire[2];
	in_pkts[2] = wire[2];
	in_pkts[3] = wire[3];
	CU_ASSERT_EQUAL(both(UNPROTECT, st, 4), 3);
	CU_ASSERT_EQUAL(results[0][0], SBC_SRTP_OK);
	CU_ASSERT_EQUAL(results[0][1], SBC_SRTP_OK);
	CU_ASSERT_EQUAL(results[0][2], SBC_SRTP_REPLAY);
	CU_ASSERT_EQUAL(results[0][3], SBC_SRTP_OK);

	/* The same with the first one forged: the next is then estimated with
	 * ROC 1, too old, and so on. */
	stream_clear(&s);
	stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, true, 0xd00d, 1, 91, 91);
	CU_ASSERT_EQUAL(one(UNPROTECT, &s, wire[0].b, wire[0].len), SBC_SRTP_OK);
	in_pkts[0] = wire[1];
	in_pkts[0].b[30] ^= 4;
	in_pkts[1] = wire[2];
	in_pkts[2] = wire[1];
	in_pkts[3] = wire[3];
	in_pkts[4] = wire[4];
	in_pkts[5] = wire[4];
	for (i = 0; i < 6; i++)
		st[i] = &s;
	CU_ASSERT_EQUAL(both(UNPROTECT, st, 6), 3);
	CU_ASSERT_EQUAL(results[0][0], SBC_SRTP_AUTH);
	CU_ASSERT_EQUAL(results[0][1], SBC_SRTP_TOO_OLD);
	CU_ASSERT_EQUAL(results[0][2], SBC_SRTP_OK);
	CU_ASSERT_EQUAL(results[0][3], SBC_SRTP_OK);
	CU_ASSERT_EQUAL(results[0][4], SBC_SRTP_OK);
	CU_ASSERT_EQUAL(results[0][5], SBC_SRTP_REPLAY);

	/* A fresh learning context given a burst of its stream's first
	 * packets: the first one starts the stream. */
	stream_clear(&s);
	stream_init(&s, SBC_SRTP_AES_CM_128_HMAC_SHA1_80, false, 0, 0, 92, 92);
	for (i = 0; i < 5; i++) {
		len = make_rtp(rtp, (uint16_t)(100 + i), 0xe00e, 30);
		CU_ASSERT_EQUAL_FATAL(one(PROTECT, &s, rtp, len), SBC_SRTP_OK);
		in_pkts[4 - i] = out_pkts[0][0];
	}
	in_pkts[0].b[40] ^= 1;      /* the newest, first in the burst, forged */
	CU_ASSERT_EQUAL(both(UNPROTECT, st, 5), 4);
	CU_ASSERT_EQUAL(results[0][0], SBC_SRTP_AUTH);
	stream_clear(&s);
}

static void test_ctx_lifecycle(void)
{
	struct sbc_srtp_params p = { .suite = SBC_SRTP_AES_CM_128_HMAC_SHA1_80,
				     .dir = SBC_SRTP_PROTECT };
	static struct sbc_srtp_ctx c[70];
	int e, i, rc;

	for (e = 0; e < N_ENG; e++) {
		struct sbc_srtp *en = env.engine[e];

		memset(c, 0, sizeof(c));
		p.suite = 3;
		CU_ASSERT_EQUAL(sbc_srtp_ctx_init(en, &c[0], &p), -EINVAL);
		p.suite = SBC_SRTP_AES_CM_128_HMAC_SHA1_32;
		p.dir = 0;
		CU_ASSERT_EQUAL(sbc_srtp_ctx_init(en, &c[0], &p), -EINVAL);
		p.dir = SBC_SRTP_UNPROTECT;
		p.roc = 1;
		CU_ASSERT_EQUAL(sbc_srtp_ctx_init(en, &c[0], &p), -EINVAL);
		p.roc = 0;
		CU_ASSERT_EQUAL(sbc_srtp_ctx_init(en, &c[0], &p), 0);
		CU_ASSERT_EQUAL(sbc_srtp_ctx_init(en, &c[0], &p), -EBUSY);
		/* st_setup() sized the engines for 64 contexts. */
		for (i = 1, rc = 0; i < 70 && rc == 0; i++)
			rc = sbc_srtp_ctx_init(en, &c[i], &p);
		CU_ASSERT_EQUAL(rc, -ENOSPC);
		CU_ASSERT_EQUAL(i, 65);
		for (i = 0; i < 70; i++)
			sbc_srtp_ctx_clear(en, &c[i]);
		sbc_srtp_ctx_clear(en, &c[0]);
		CU_ASSERT_EQUAL(sbc_srtp_ctx_init(en, &c[0], &p), 0);
		sbc_srtp_ctx_clear(en, &c[0]);
		for (i = 0; i < (int)sizeof(c[0].opaque); i++)
			CU_ASSERT_EQUAL(c[0].opaque[i], 0);
	}
}

static void test_no_mbuf_leak(void)
{
	CU_ASSERT_EQUAL(rte_mempool_avail_count(env.mp), 1023);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "RTP → SRTP → RTP, both suites, learned and bound SSRC", test_rtp_round_trip },
		{ "RTP shapes: CSRCs, extensions, sizes, L2-L4 offset", test_rtp_shapes },
		{ "RTCP → SRTCP → RTCP: E flag, index, 80-bit tag", test_rtcp_round_trip },
		{ "tampered bytes and tag", test_tampered },
		{ "replayed and too old (SRTP 64, SRTCP 128)", test_replay_and_too_old },
		{ "wrong key", test_wrong_key },
		{ "wrong SSRC, wrong context", test_wrong_ssrc_and_context },
		{ "malformed packets and mbufs", test_malformed },
		{ "rollover counter: wrap, starting ROC", test_roc },
		{ "SSRC change on a learning context", test_ssrc_change },
		{ "SSRCs beyond what a learning context keeps: refused", test_ssrc_limit },
		{ "burst sizes 0, 1, 31, 32, 33, 64, 65, 130", test_burst_sizes },
		{ "one context several times in a burst", test_burst_same_context },
		{ "context life cycle", test_ctx_lifecycle },
		{ "no mbuf leaked", test_no_mbuf_leak },
	};
	unsigned int failures = 1;

	if (st_setup(&env, "test_srtp_packets", 64, 1023) != 0)
		goto out;
	failures = SBC_TEST_RUN("srtp packets", tests) != 0;
out:
	st_teardown(&env);
	return failures ? 1 : 0;
}
