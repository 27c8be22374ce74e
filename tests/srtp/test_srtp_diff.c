/* SPDX-License-Identifier: BSD-3-Clause
 * Differential test of the two SRTP engines: random streams (random keys,
 * suites, SSRCs, starting sequence numbers near the wrap, learned or bound
 * SSRCs, bound ones with a starting ROC up to 2^32 - 1), SRTP and SRTCP,
 * sent through impaired networks on both sides:
 *   - toward protect (the plain RTP leg): duplicates, reordering, stale
 *     packets, sequence jumps; on a learned stream the sender changes SSRC
 *     among several of its own and comes back to earlier ones (each SSRC
 *     with its own sequence numbers, resending an old one right after
 *     coming back), SRTCP from any of them; a few senders use more SSRCs
 *     than a learned context keeps (SBC_SRTP_LEARNED_SSRC_MAX), whose
 *     packets both engines must refuse alike;
 *   - toward unprotect (the SRTP leg): loss, reordering within and beyond
 *     the replay window, duplicates, replays from history, bit flips,
 *     packets protected with another key.
 * Packets of random streams share random-size bursts (1..64), so one burst
 * often holds several packets of one context.  Every burst goes through
 * both engines: protect must give identical bytes and results; unprotect
 * identical results and identical plaintext, which must also be the
 * plaintext that was sent.  Every SRTP/SRTCP packet either engine emits is
 * recorded by key, SSRC and index (SRTP: the ROC found from the tag, with
 * the session keys derived here): none may be emitted twice (AES-CM
 * keystream reuse).  A scripted learned stream (SSRCs B, C, B, D with
 * repeated and advancing sequence numbers, SRTP and SRTCP) checks the
 * exact results as well.
 *
 * SBC_SRTP_SEED=n picks another random sequence (the default is fixed);
 * SBC_SRTP_PACKETS=n another count (default 100,000 unprotected packets).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "cunit_run.h"
#include "srtp_priv.h"      /* sbc_srtp_kdf(), SRTP_LABEL_RTP_AUTH */
#include "srtp_test.h"

#define N_STREAMS   40
#define MAXLEN      400          /* plaintext packets stay below this */
#define QCAP        64           /* wire queue per stream */
#define HIST        256          /* delivered packets kept for replays */
#define PLAIN_HIST  256          /* plaintexts kept for stale resends */
#define N_ENG       2
/* SSRCs the sender of a learned stream goes through: mostly up to what a
 * learned context keeps, sometimes 1 or 2 more. */
#define MAX_SSRC    (SBC_SRTP_LEARNED_SSRC_MAX + 2)

enum op { PROTECT, UNPROTECT, PROTECT_RTCP, UNPROTECT_RTCP };

struct wpkt {
	uint16_t len;
	uint16_t plain_len;
	uint8_t b[MAXLEN + 16];
	uint8_t plain[MAXLEN];
};

/* One SSRC of a stream's sender, and what each engine emitted for it. */
struct sender {
	uint32_t ssrc;
	uint16_t seq;                  /* next sequence number */
	int pending;                   /* held back by a sender-side swap, -1 none */
	bool jump_again;               /* second half of a double jump */
	uint16_t plain_seq[PLAIN_HIST];
	unsigned int n_plain;
	uint64_t top[N_ENG];           /* highest SRTP index emitted, as libsrtp2 keeps it */
	bool emitted[N_ENG];           /* top is set */
};

struct dstream {
	struct sbc_srtp_ctx tx[N_ENG];
	struct sbc_srtp_ctx rx[N_ENG];
	struct sbc_srtp_ctx evil[N_ENG];   /* same SSRC, other keys */
	uint32_t gen;                  /* keys: indices are unique per generation */
	uint32_t roc;                  /* initial ROC */
	uint8_t tag_len;
	uint8_t auth_key[SBC_SRTP_AUTH_KEY_LEN];   /* SRTP session authentication key */
	unsigned int n_snd;            /* SSRCs: 1 when bound */
	unsigned int cur;              /* the one sending now */
	struct sender snd[MAX_SSRC];
	struct wpkt q[QCAP];           /* SRTP/SRTCP on the wire, oldest first */
	unsigned int q_head, q_len;
	struct wpkt hist[HIST];        /* SRTP delivered */
	unsigned int n_hist;
	struct wpkt rhist[HIST];       /* SRTCP delivered */
	unsigned int n_rhist;
	struct wpkt delayed;
	int delay_left;                /* > 0: delayed holds a packet */
	struct wpkt rq[QCAP];          /* SRTCP on the wire */
	unsigned int rq_head, rq_len;
};

static struct st_env env;
static struct dstream *streams;
static uint64_t rnd;
static uint32_t n_gen;

/* Every (engine, key generation, SRTP or SRTCP, SSRC, index) emitted: open
 * addressing, k[1] == 0 is a free slot. */
static struct emitted {
	uint64_t k[2];
} *emitted;
static size_t emitted_mask;

/* One burst's packets and both engines' answers. */
static struct wpkt *slot[SBC_SRTP_BURST_MAX];
static struct dstream *slot_st[SBC_SRTP_BURST_MAX];
static uint8_t slot_evil[SBC_SRTP_BURST_MAX];
static int16_t res[N_ENG][SBC_SRTP_BURST_MAX];
static uint8_t out[N_ENG][SBC_SRTP_BURST_MAX][MAXLEN + 16];
static uint32_t out_len[N_ENG][SBC_SRTP_BURST_MAX];

static struct {
	uint64_t protect[SBC_SRTP_RESULT_COUNT];
	uint64_t unprotect[SBC_SRTP_RESULT_COUNT];
	uint64_t rtcp_protect[SBC_SRTP_RESULT_COUNT];
	uint64_t rtcp_unprotect[SBC_SRTP_RESULT_COUNT];
	uint64_t mismatches;
	uint64_t wrong_plaintext;
	uint64_t reused[N_ENG];        /* (SSRC, index) emitted a second time */
	uint64_t unrecovered[N_ENG];   /* SRTP packet whose index the tag did not give */
	uint64_t emitted_full;
	uint64_t ssrc_changes;
	uint64_t ssrc_returns;
	uint64_t resent_after_return;  /* refused (replay, too old) by both, as it must be */
	uint64_t same_ctx_in_burst;
	uint64_t rekeys;
	uint64_t cycles[N_ENG];
} stats;

static unsigned int rn(unsigned int n)
{
	return (unsigned int)(st_rand(&rnd) % n);
}

static bool chance(unsigned int per_mille)
{
	return rn(1000) < per_mille;
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t x = a * UINT64_C(0x9e3779b97f4a7c15) ^ (b + UINT64_C(0x632be59bd9b4e019));

	return st_rand(&x);
}

/* The plaintext of (stream, SSRC k, seq): the same every time it is built. */
static uint16_t build_rtp(struct dstream *s, unsigned int k, uint16_t seq, uint8_t *b)
{
	uint64_t h = mix((uint64_t)(s - streams) * MAX_SSRC + k, seq);
	uint8_t cc = (h & 7) == 0 ? (uint8_t)((h >> 3) % 4) : 0;
	int ext = ((h >> 8) & 15) == 0 ? (int)((h >> 12) % 4) : -1;

	return (uint16_t)st_rtp(b, seq, seq * 160u, s->snd[k].ssrc, cc, ext,
				(uint32_t)((h >> 16) % 300), h);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Record what engine e emitted; false if it was emitted before. */
static bool emitted_add(int e, uint32_t gen, bool rtcp, uint32_t ssrc, uint64_t index)
{
	uint64_t k0 = (uint64_t)gen << 32 | ssrc;
	uint64_t k1 = UINT64_C(1) << 63 | (uint64_t)e << 62 | (uint64_t)rtcp << 61 | index;
	size_t h = (size_t)mix(k0, k1), n;

	for (n = 0; n <= emitted_mask; n++, h++) {
		struct emitted *x = &emitted[h & emitted_mask];

		if (x->k[1] == 0) {
			x->k[0] = k0;
			x->k[1] = k1;
			return true;
		}
		if (x->k[0] == k0 && x->k[1] == k1)
			return false;
	}
	stats.emitted_full++;
	return true;
}

/* Does the tag of SRTP packet b say it was authenticated with ROC roc? */
static bool tag_says_roc(const struct dstream *s, const uint8_t *b, uint32_t len, uint32_t roc)
{
	uint8_t in[MAXLEN + 16 + 4], md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	uint32_t n = len - s->tag_len;

	memcpy(in, b, n);
	in[n] = (uint8_t)(roc >> 24);
	in[n + 1] = (uint8_t)(roc >> 16);
	in[n + 2] = (uint8_t)(roc >> 8);
	in[n + 3] = (uint8_t)roc;
	if (HMAC(EVP_sha1(), s->auth_key, sizeof(s->auth_key), in, n + 4, md, &md_len) == NULL)
		return false;
	return memcmp(md, b + n, s->tag_len) == 0;
}

/*
 * A packet engine e emitted for s: its SSRC and index go into the record.
 * SRTCP carries its index; an SRTP packet's ROC is the one of ROC - 1, ROC,
 * ROC + 1 of the highest index emitted so far for that SSRC (RFC 3711
 * appendix A) that its tag was computed with.
 */
static void note_emitted(int e, struct dstream *s, bool rtcp, const uint8_t *b, uint32_t len)
{
	static const int64_t order[] = { 0, 1, -1 };
	uint32_t ssrc = get32(b + (rtcp ? 4 : 8));
	struct sender *sd = NULL;
	uint64_t top, cand = 0, index;
	unsigned int k;

	if (rtcp) {
		index = get32(b + len - SBC_SRTCP_TAG_LEN - SBC_SRTCP_TRAILER_LEN) &
			SBC_SRTCP_INDEX_MASK;
	} else {
		for (k = 0; k < s->n_snd; k++)
			if (s->snd[k].ssrc == ssrc)
				sd = &s->snd[k];
		if (sd == NULL || len < SBC_SRTP_RTP_HDR_LEN + (uint32_t)s->tag_len) {
			stats.unrecovered[e]++;
			return;
		}
		top = sd->emitted[e] ? sd->top[e] : (uint64_t)s->roc << 16;
		for (k = 0; k < RTE_DIM(order); k++) {
			if ((top >> 16) == 0 && order[k] < 0)
				continue;
			cand = (uint64_t)((int64_t)(top >> 16) + order[k]) << 16 |
			       ((uint64_t)b[2] << 8 | b[3]);
			if (tag_says_roc(s, b, len, (uint32_t)(cand >> 16)))
				break;
		}
		if (k == RTE_DIM(order)) {
			if (stats.unrecovered[e]++ < 5)
				printf("\n  engine %d: SSRC %08x seq %u: no ROC near %u fits the tag",
				       e, ssrc, (unsigned int)b[2] << 8 | b[3],
				       (unsigned int)(top >> 16));
			return;
		}
		if (!sd->emitted[e] || cand > sd->top[e])
			sd->top[e] = cand;
		sd->emitted[e] = true;
		index = cand & ((UINT64_C(1) << 48) - 1);     /* ROC || SEQ */
	}
	if (!emitted_add(e, s->gen, rtcp, ssrc, index) && stats.reused[e]++ < 5)
		printf("\n  engine %d: %s SSRC %08x index %" PRIu64 " emitted twice under one key",
		       e, rtcp ? "SRTCP" : "SRTP", ssrc, index);
}

static void stream_clear(struct dstream *s)
{
	int e;

	for (e = 0; e < N_ENG; e++) {
		sbc_srtp_ctx_clear(env.engine[e], &s->tx[e]);
		sbc_srtp_ctx_clear(env.engine[e], &s->rx[e]);
		sbc_srtp_ctx_clear(env.engine[e], &s->evil[e]);
	}
}

/* Contexts for parameters p (and other keys for the evil ones); the
 * sender's SSRCs and starting sequence numbers are the caller's. */
static void stream_init(struct dstream *s, struct sbc_srtp_params *p)
{
	struct sbc_srtp_params evil = *p;
	int e;

	s->gen = ++n_gen;
	s->roc = p->roc;
	s->tag_len = p->suite == SBC_SRTP_AES_CM_128_HMAC_SHA1_80 ? 10 : 4;
	CU_ASSERT_EQUAL_FATAL(sbc_srtp_kdf(p->master_key, p->master_salt, SRTP_LABEL_RTP_AUTH,
					   s->auth_key, sizeof(s->auth_key)), 0);
	evil.master_key[rn(16)] ^= (uint8_t)(1 + rn(255));
	for (e = 0; e < N_ENG; e++) {
		p->dir = SBC_SRTP_PROTECT;
		CU_ASSERT_EQUAL_FATAL(sbc_srtp_ctx_init(env.engine[e], &s->tx[e], p), 0);
		p->dir = SBC_SRTP_UNPROTECT;
		CU_ASSERT_EQUAL_FATAL(sbc_srtp_ctx_init(env.engine[e], &s->rx[e], p), 0);
		evil.dir = SBC_SRTP_PROTECT;
		CU_ASSERT_EQUAL_FATAL(sbc_srtp_ctx_init(env.engine[e], &s->evil[e], &evil), 0);
	}
}

/* New keys, suite, SSRCs and start (a re-INVITE's re-keying); what was on
 * the wire under the old keys is gone. */
static void stream_setup(struct dstream *s)
{
	static const enum sbc_srtp_suite suites[] = { SBC_SRTP_AES_CM_128_HMAC_SHA1_80,
						      SBC_SRTP_AES_CM_128_HMAC_SHA1_32 };
	struct sbc_srtp_params p;
	unsigned int k, j;

	stream_clear(s);
	memset(s, 0, sizeof(*s));
	memset(&p, 0, sizeof(p));
	p.suite = suites[rn(2)];
	for (k = 0; k < sizeof(p.master_key); k++)
		p.master_key[k] = (uint8_t)rn(256);
	for (k = 0; k < sizeof(p.master_salt); k++)
		p.master_salt[k] = (uint8_t)rn(256);
	p.ssrc_bound = rn(2);
	/* A learned stream's sender may change SSRC (transfer, music on
	 * hold) and come back to an earlier one. */
	if (p.ssrc_bound)
		s->n_snd = 1;
	else if (chance(125))
		s->n_snd = SBC_SRTP_LEARNED_SSRC_MAX + 1 + rn(2);
	else
		s->n_snd = 1 + rn(SBC_SRTP_LEARNED_SSRC_MAX);
	for (k = 0; k < s->n_snd; k++) {
		struct sender *sd = &s->snd[k];

		do {
			sd->ssrc = (uint32_t)st_rand(&rnd);
			for (j = 0; j < k && s->snd[j].ssrc != sd->ssrc; j++)
				;
		} while (j < k);
		/* Most SSRCs start close to the sequence wrap. */
		sd->seq = (uint16_t)(rn(4) ? 65536 - 1 - rn(3000) : rn(65536));
		sd->pending = -1;
	}
	p.ssrc = s->snd[0].ssrc;
	if (p.ssrc_bound) {
		switch (rn(4)) {
		case 0:
			p.roc = 0xffffffffu;     /* the ROC itself wraps */
			break;
		case 1:
			p.roc = (uint32_t)st_rand(&rnd);
			break;
		default:
			p.roc = rn(3);
			break;
		}
	}
	stream_init(s, &p);
}

static uint16_t engine_burst(int e, enum op op, struct rte_mbuf **m, struct sbc_srtp_ctx **c,
			     uint16_t n, int16_t *r)
{
	switch (op) {
	case PROTECT:
		return sbc_srtp_protect_burst(env.engine[e], m, c, n, r);
	case UNPROTECT:
		return sbc_srtp_unprotect_burst(env.engine[e], m, c, n, r);
	case PROTECT_RTCP:
		return sbc_srtp_protect_rtcp_burst(env.engine[e], m, c, n, r);
	default:
		return sbc_srtp_unprotect_rtcp_burst(env.engine[e], m, c, n, r);
	}
}

static const char *const op_names[] = { "protect", "unprotect", "protect_rtcp", "unprotect_rtcp" };

/* slot[0..n) through both engines; compares. */
static void run(enum op op, uint16_t n)
{
	struct rte_mbuf *m[SBC_SRTP_BURST_MAX];
	struct sbc_srtp_ctx *c[SBC_SRTP_BURST_MAX];
	uint64_t *count;
	uint16_t i, j, ok[N_ENG];
	uint64_t t0;
	int e;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (slot_st[j] == slot_st[i]) {
				stats.same_ctx_in_burst++;
				break;
			}
	for (e = 0; e < N_ENG; e++) {
		for (i = 0; i < n; i++) {
			m[i] = st_mbuf(env.mp, slot[i]->b, slot[i]->len, (uint16_t)(i % 3 == 0 ? 42 : 0));
			CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
			if (op == UNPROTECT || op == UNPROTECT_RTCP)
				c[i] = &slot_st[i]->rx[e];
			else
				c[i] = slot_evil[i] ? &slot_st[i]->evil[e] : &slot_st[i]->tx[e];
		}
		t0 = rte_rdtsc();
		ok[e] = engine_burst(e, op, m, c, n, res[e]);
		stats.cycles[e] += rte_rdtsc() - t0;
		for (i = 0; i < n; i++) {
			const uint8_t *p = st_bytes(m[i], &out_len[e][i]);

			if (res[e][i] == SBC_SRTP_OK) {
				CU_ASSERT_FATAL(out_len[e][i] <= MAXLEN + 16);
				memcpy(out[e][i], p, out_len[e][i]);
			}
			rte_pktmbuf_free(m[i]);
		}
	}
	CU_ASSERT_EQUAL(ok[0], ok[1]);
	if (op == PROTECT || op == PROTECT_RTCP)
		for (e = 0; e < N_ENG; e++)
			for (i = 0; i < n; i++)
				if (res[e][i] == SBC_SRTP_OK && !slot_evil[i])
					note_emitted(e, slot_st[i], op == PROTECT_RTCP, out[e][i],
						     out_len[e][i]);
	count = op == PROTECT ? stats.protect : op == UNPROTECT ? stats.unprotect :
		op == PROTECT_RTCP ? stats.rtcp_protect : stats.rtcp_unprotect;
	for (i = 0; i < n; i++) {
		bool same = res[0][i] == res[1][i];

		if (same && res[0][i] == SBC_SRTP_OK)
			same = out_len[0][i] == out_len[1][i] &&
			       memcmp(out[0][i], out[1][i], out_len[0][i]) == 0;
		if (!same) {
			if (stats.mismatches < 10)
				printf("\n  %s: stream %u packet %u of %u: cryptodev %s, libsrtp2 %s%s",
				       op_names[op], (unsigned int)(slot_st[i] - streams), i, n,
				       sbc_srtp_result_name(res[0][i]),
				       sbc_srtp_result_name(res[1][i]),
				       res[0][i] == res[1][i] ? " (bytes differ)" : "");
			stats.mismatches++;
		}
		if (res[0][i] >= 0 && res[0][i] < SBC_SRTP_RESULT_COUNT)
			count[res[0][i]]++;
	}
}

static void push_wire(struct dstream *s, bool rtcp, const struct wpkt *plain, const uint8_t *b,
		      uint32_t len)
{
	struct wpkt *w;

	if (rtcp) {
		if (s->rq_len == QCAP) {        /* the network loses the oldest */
			s->rq_head = (s->rq_head + 1) % QCAP;
			s->rq_len--;
		}
		w = &s->rq[(s->rq_head + s->rq_len++) % QCAP];
	} else {
		if (s->q_len == QCAP) {
			s->q_head = (s->q_head + 1) % QCAP;
			s->q_len--;
		}
		w = &s->q[(s->q_head + s->q_len++) % QCAP];
	}
	w->len = (uint16_t)len;
	memcpy(w->b, b, len);
	w->plain_len = plain->len;
	memcpy(w->plain, plain->b, plain->len);
}

/* The sender's next plaintext RTP for s, impaired.  Returns whether it is
 * an old packet of an SSRC that just came back. */
static bool next_plain_rtp(struct dstream *s, struct wpkt *w)
{
	struct sender *sd;
	bool back = false, resend = false;
	uint16_t seq;

	if (s->n_snd > 1 && chance(25)) {
		/* Another SSRC: a new one, or back to one sent before (B, C, B). */
		s->cur = (s->cur + 1 + rn(s->n_snd - 1)) % s->n_snd;
		back = s->snd[s->cur].n_plain > 0;
		stats.ssrc_changes++;
		stats.ssrc_returns += back;
	}
	sd = &s->snd[s->cur];
	if (sd->pending >= 0) {
		seq = (uint16_t)sd->pending;
		sd->pending = -1;
	} else if (sd->n_plain > 0 && (chance(10) || (back && chance(300)))) {
		/* A duplicate or a stale resend (also of what this SSRC sent
		 * before another one took over): protect refuses both. */
		resend = back;
		seq = sd->plain_seq[(sd->n_plain - 1 - rn(sd->n_plain < 200 ? sd->n_plain : 200)) %
				    PLAIN_HIST];
	} else {
		if (chance(3) && !sd->jump_again) {
			sd->seq = (uint16_t)(sd->seq + 100 + rn(20000));     /* a jump */
		} else if (sd->jump_again || chance(1)) {
			/* Two big jumps back to back: each under 2^15, together
			 * over, so the second packet's ROC depends on whether the
			 * first one was accepted (libsrtp2 estimates from the last
			 * accepted one). */
			sd->seq = (uint16_t)(sd->seq + 17000 + rn(15000));
			sd->jump_again = !sd->jump_again;
		}
		seq = sd->seq++;
		if (chance(20)) {
			/* Sent out of order: the next one first. */
			sd->pending = seq;
			seq = sd->seq++;
		}
	}
	sd->plain_seq[sd->n_plain++ % PLAIN_HIST] = seq;
	w->len = build_rtp(s, s->cur, seq, w->b);
	return resend;
}

static struct dstream *pick_stream(unsigned int hot)
{
	/* Mostly from a few streams, so that bursts repeat contexts. */
	return &streams[rn(4) ? rn(hot) : rn(N_STREAMS)];
}

static void protect_round(bool rtcp)
{
	static struct wpkt plain[SBC_SRTP_BURST_MAX];
	uint16_t n = (uint16_t)(1 + rn(SBC_SRTP_BURST_MAX)), i;
	unsigned int hot = 1 + rn(N_STREAMS);
	bool resend[SBC_SRTP_BURST_MAX];
	struct dstream *s;

	for (i = 0; i < n; i++) {
		s = slot_st[i] = pick_stream(hot);
		slot_evil[i] = 0;
		resend[i] = false;
		/* SRTCP mostly from the SSRC sending RTP now, else from any. */
		if (rtcp)
			plain[i].len = (uint16_t)st_rtcp(plain[i].b,
							 s->snd[rn(16) ? s->cur : rn(s->n_snd)].ssrc,
							 rn(40), st_rand(&rnd));
		else
			resend[i] = next_plain_rtp(s, &plain[i]);
		slot[i] = &plain[i];
	}
	run(rtcp ? PROTECT_RTCP : PROTECT, n);
	for (i = 0; i < n; i++) {
		if (res[0][i] == SBC_SRTP_OK && res[1][i] == SBC_SRTP_OK)
			push_wire(slot_st[i], rtcp, &plain[i], out[0][i], out_len[0][i]);
		stats.resent_after_return += resend[i] && res[0][i] == res[1][i] &&
					     (res[0][i] == SBC_SRTP_REPLAY ||
					      res[0][i] == SBC_SRTP_TOO_OLD);
	}
}

/* What the SRTP leg's network delivers next for s (NULL: nothing). */
static struct wpkt *deliver(struct dstream *s, bool rtcp, struct wpkt *tmp)
{
	struct wpkt *q = rtcp ? s->rq : s->q;
	unsigned int *head = rtcp ? &s->rq_head : &s->q_head;
	unsigned int *len = rtcp ? &s->rq_len : &s->q_len;
	const struct wpkt *hist = rtcp ? s->rhist : s->hist;
	unsigned int n_hist = rtcp ? s->n_rhist : s->n_hist;
	unsigned int k, pos;

	if (!rtcp && s->delay_left > 0 && --s->delay_left == 0) {
		*tmp = s->delayed;                      /* long overdue */
		return tmp;
	}
	if (n_hist > 0 && chance(15)) {
		/* A replay: recent (within the window) or old. */
		k = rn(n_hist < HIST ? n_hist : HIST);
		if (chance(500))
			k = rn(n_hist < 8 ? n_hist : 8);
		*tmp = hist[(n_hist - 1 - k) % HIST];
		return tmp;
	}
	while (*len > 0 && chance(30)) {                /* lost */
		*head = (*head + 1) % QCAP;
		(*len)--;
	}
	if (*len == 0)
		return NULL;
	pos = 0;
	if (*len > 1 && chance(40))
		pos = 1 + rn(*len - 1 < 10 ? *len - 1 : 10);   /* overtaken */
	*tmp = q[(*head + pos) % QCAP];
	if (!chance(20)) {                              /* else duplicated: stays queued */
		for (k = pos; k > 0; k--)
			q[(*head + k) % QCAP] = q[(*head + k - 1) % QCAP];
		*head = (*head + 1) % QCAP;
		(*len)--;
	}
	if (!rtcp && s->delay_left == 0 && chance(5)) {
		/* Held back far beyond the replay window. */
		s->delayed = *tmp;
		s->delay_left = 70 + (int)rn(200);
		return NULL;
	}
	return tmp;
}

static void unprotect_round(bool rtcp)
{
	static struct wpkt got[SBC_SRTP_BURST_MAX];
	uint16_t n = (uint16_t)(1 + rn(SBC_SRTP_BURST_MAX)), i = 0, tries = 0;
	unsigned int hot = 1 + rn(N_STREAMS);
	struct dstream *s;

	while (i < n && tries++ < 4 * SBC_SRTP_BURST_MAX) {
		s = pick_stream(hot);
		if (deliver(s, rtcp, &got[i]) == NULL)
			continue;
		if (chance(10)) {
			/* A bit flipped anywhere. */
			unsigned int b = rn(got[i].len);

			got[i].b[b] ^= (uint8_t)(1u << rn(8));
		}
		slot[i] = &got[i];
		slot_st[i] = s;
		i++;
	}
	n = i;
	run(rtcp ? UNPROTECT_RTCP : UNPROTECT, n);
	for (i = 0; i < n; i++) {
		s = slot_st[i];
		if (res[0][i] == SBC_SRTP_OK &&
		    (out_len[0][i] != got[i].plain_len ||
		     memcmp(out[0][i], got[i].plain, got[i].plain_len) != 0))
			stats.wrong_plaintext++;
		if (rtcp)
			s->rhist[s->n_rhist++ % HIST] = got[i];
		else
			s->hist[s->n_hist++ % HIST] = got[i];
	}
}

/* Packets protected with another key, same SSRC and sequence numbers. */
static void forged_round(void)
{
	static struct wpkt plain[SBC_SRTP_BURST_MAX];
	uint16_t n = (uint16_t)(1 + rn(8)), i;
	struct dstream *s;

	for (i = 0; i < n; i++) {
		s = slot_st[i] = &streams[rn(N_STREAMS)];
		slot_evil[i] = 1;
		plain[i].len = build_rtp(s, s->cur, (uint16_t)(s->snd[s->cur].seq - 1 - rn(4)),
					 plain[i].b);
		slot[i] = &plain[i];
	}
	run(PROTECT, n);
	for (i = 0; i < n; i++)
		if (res[0][i] == SBC_SRTP_OK && res[1][i] == SBC_SRTP_OK)
			push_wire(slot_st[i], false, &plain[i], out[0][i], out_len[0][i]);
}

/* Unprotected SRTP packets the random test runs for. */
static uint64_t packets_wanted(void)
{
	const char *v = getenv("SBC_SRTP_PACKETS");

	return v != NULL ? strtoull(v, NULL, 0) : 100000;
}

static void test_differential(void)
{
	uint64_t target = packets_wanted(), done, total = 0;
	unsigned int r;

	for (r = 0; r < N_STREAMS; r++)
		stream_setup(&streams[r]);
	for (;;) {
		done = 0;
		for (r = 0; r < SBC_SRTP_RESULT_COUNT; r++)
			done += stats.unprotect[r];
		if (done >= target)
			break;
		protect_round(false);
		protect_round(false);
		if (chance(150))
			protect_round(true);
		if (chance(20))
			forged_round();
		unprotect_round(false);
		unprotect_round(false);
		if (chance(150))
			unprotect_round(true);
		if (chance(10)) {
			stream_setup(&streams[rn(N_STREAMS)]);
			stats.rekeys++;
		}
	}
	for (r = 0; r < SBC_SRTP_RESULT_COUNT; r++)
		total += stats.protect[r] + stats.unprotect[r] + stats.rtcp_protect[r] +
			 stats.rtcp_unprotect[r];
	printf("\n  %" PRIu64 " packets through both engines, %" PRIu64
	       " in bursts with an earlier packet of their context, %" PRIu64 " re-keyings\n",
	       total, stats.same_ctx_in_burst, stats.rekeys);
	for (r = 0; r < SBC_SRTP_RESULT_COUNT; r++)
		printf("  %-12s protect %7" PRIu64 "  unprotect %7" PRIu64
		       "  rtcp protect %6" PRIu64 "  rtcp unprotect %6" PRIu64 "\n",
		       sbc_srtp_result_name((int)r), stats.protect[r], stats.unprotect[r],
		       stats.rtcp_protect[r], stats.rtcp_unprotect[r]);
	printf("  cycles: cryptodev %.0f M, libsrtp2 %.0f M  ",
	       (double)stats.cycles[0] / 1e6, (double)stats.cycles[1] / 1e6);
	printf("\n  %" PRIu64 " SSRC changes, %" PRIu64 " back to an earlier SSRC, %" PRIu64
	       " old packets resent after coming back (refused)  ",
	       stats.ssrc_changes, stats.ssrc_returns, stats.resent_after_return);
	CU_ASSERT_EQUAL(stats.mismatches, 0);
	CU_ASSERT_EQUAL(stats.wrong_plaintext, 0);
	CU_ASSERT(total >= 2 * target);
	/* No keystream used twice, by either engine. */
	for (r = 0; r < N_ENG; r++) {
		CU_ASSERT_EQUAL(stats.reused[r], 0);
		CU_ASSERT_EQUAL(stats.unrecovered[r], 0);
	}
	CU_ASSERT_EQUAL(stats.emitted_full, 0);
	CU_ASSERT(stats.ssrc_returns > target / 1000);
	CU_ASSERT(stats.resent_after_return > 0);
	/* Every kind of decision was exercised. */
	CU_ASSERT(stats.unprotect[SBC_SRTP_OK] > target / 2);
	CU_ASSERT(stats.unprotect[SBC_SRTP_AUTH] > 0);
	CU_ASSERT(stats.unprotect[SBC_SRTP_REPLAY] > 0);
	CU_ASSERT(stats.unprotect[SBC_SRTP_TOO_OLD] > 0);
	CU_ASSERT(stats.protect[SBC_SRTP_REPLAY] > 0);
	CU_ASSERT(stats.protect[SBC_SRTP_TOO_OLD] > 0);
	CU_ASSERT(stats.rtcp_unprotect[SBC_SRTP_OK] > 0);
	CU_ASSERT(stats.rtcp_unprotect[SBC_SRTP_REPLAY] > 0);
	CU_ASSERT(stats.rtcp_unprotect[SBC_SRTP_AUTH] > 0);
	CU_ASSERT(stats.rtcp_unprotect[SBC_SRTP_TOO_OLD] > 0);
	for (r = 0; r < N_STREAMS; r++)
		stream_clear(&streams[r]);
}

/* One step of the scripted stream: SSRC (0 B, 1 C, 2 D), sequence number
 * (SRTP), expected result and, SRTCP, the index it is sent with. */
struct step {
	uint8_t k;
	uint16_t seq;
	int16_t want;
	uint32_t rtcp_index;
};

#define OK_     SBC_SRTP_OK
#define REPLAY_ SBC_SRTP_REPLAY

/* Steps [from, to) in one burst through both engines; checks results and,
 * SRTCP, the index.  OK packets are appended to wire[]. */
static void script_burst(struct dstream *s, bool rtcp, const struct step *st, unsigned int from,
			 unsigned int to, struct wpkt *wire, unsigned int *n_wire)
{
	static struct wpkt plain[SBC_SRTP_BURST_MAX];
	uint16_t n = (uint16_t)(to - from), i;
	int e;

	for (i = 0; i < n; i++) {
		const struct step *x = &st[from + i];

		plain[i].len = rtcp ? (uint16_t)st_rtcp(plain[i].b, s->snd[x->k].ssrc, 6, from + i)
				    : build_rtp(s, x->k, x->seq, plain[i].b);
		slot[i] = &plain[i];
		slot_st[i] = s;
		slot_evil[i] = 0;
	}
	run(rtcp ? PROTECT_RTCP : PROTECT, n);
	for (i = 0; i < n; i++) {
		const struct step *x = &st[from + i];

		for (e = 0; e < N_ENG; e++) {
			CU_ASSERT_EQUAL(res[e][i], x->want);
			if (res[e][i] != x->want)
				printf("\n  %s step %u (%c/%u): %s engine %d, expected %s",
				       rtcp ? "SRTCP" : "SRTP", from + i, 'B' + x->k, x->seq,
				       sbc_srtp_result_name(res[e][i]), e,
				       sbc_srtp_result_name(x->want));
			if (rtcp && res[e][i] == SBC_SRTP_OK)
				CU_ASSERT_EQUAL(get32(out[e][i] + out_len[e][i] - SBC_SRTCP_TAG_LEN -
						      SBC_SRTCP_TRAILER_LEN),
						SBC_SRTCP_E_BIT | x->rtcp_index);
		}
		if (res[0][i] == SBC_SRTP_OK && res[1][i] == SBC_SRTP_OK) {
			struct wpkt *w = &wire[(*n_wire)++];

			w->len = (uint16_t)out_len[0][i];
			memcpy(w->b, out[0][i], w->len);
			w->plain_len = plain[i].len;
			memcpy(w->plain, plain[i].b, plain[i].len);
		}
	}
}

/* wire[] packets (by position) in one unprotect burst; each must get its
 * result from both engines and, when OK, its plaintext back. */
static void script_deliver(struct dstream *s, bool rtcp, const struct wpkt *wire,
			   const unsigned int *which, unsigned int n, int16_t want)
{
	uint16_t i;
	int e;

	for (i = 0; i < n; i++) {
		slot[i] = (struct wpkt *)&wire[which[i]];
		slot_st[i] = s;
		slot_evil[i] = 0;
	}
	run(rtcp ? UNPROTECT_RTCP : UNPROTECT, (uint16_t)n);
	for (i = 0; i < n; i++) {
		for (e = 0; e < N_ENG; e++) {
			CU_ASSERT_EQUAL(res[e][i], want);
			if (res[e][i] != want)
				printf("\n  %s unprotect of packet %u: %s engine %d, expected %s",
				       rtcp ? "SRTCP" : "SRTP", which[i],
				       sbc_srtp_result_name(res[e][i]), e,
				       sbc_srtp_result_name(want));
			if (res[e][i] == SBC_SRTP_OK)
				CU_ASSERT(out_len[e][i] == wire[which[i]].plain_len &&
					  memcmp(out[e][i], wire[which[i]].plain,
						 wire[which[i]].plain_len) == 0);
		}
	}
}

/*
 * The plain leg's peer changes SSRC and comes back (B, C, B, D, C, D ...):
 * each SSRC goes on where it stopped, its old sequence numbers are refused
 * (never protected twice under the key), D keeps the ROC it reached, and
 * SRTCP indices go on per SSRC.  The SRTP leg's side accepts each SSRC's
 * packets and refuses their replays after the sender moved on.
 */
static void test_ssrc_return(void)
{
	static const struct step rtp[] = {
		{ 0, 10, OK_, 0 }, { 0, 11, OK_, 0 }, { 1, 500, OK_, 0 },
		{ 0, 10, REPLAY_, 0 },             /* B's 10 again after C: keystream reuse */
		{ 0, 12, OK_, 0 }, { 0, 11, REPLAY_, 0 }, { 1, 500, REPLAY_, 0 },
		{ 1, 501, OK_, 0 },
		{ 0, 9, OK_, 0 },                  /* behind B's 12 but never sent */
		{ 0, 9, REPLAY_, 0 },
		{ 2, 65534, OK_, 0 }, { 2, 65535, OK_, 0 }, { 2, 0, OK_, 0 },   /* D: ROC 1 */
		{ 1, 502, OK_, 0 },
		{ 2, 1, OK_, 0 },                  /* D still at ROC 1 */
		{ 2, 65535, REPLAY_, 0 },
		/* one burst: [13] is held back from the SRTP leg below */
		{ 0, 13, OK_, 0 }, { 1, 503, OK_, 0 }, { 0, 13, REPLAY_, 0 }, { 1, 504, OK_, 0 },
		{ 0, 14, OK_, 0 }, { 2, 2, OK_, 0 }, { 1, 503, REPLAY_, 0 },
	};
	static const struct step rtcp[] = {
		{ 0, 0, OK_, 1 }, { 0, 0, OK_, 2 }, { 1, 0, OK_, 1 }, { 0, 0, OK_, 3 },
		{ 1, 0, OK_, 2 }, { 2, 0, OK_, 1 }, { 0, 0, OK_, 4 },
		/* one burst */
		{ 1, 0, OK_, 3 }, { 0, 0, OK_, 5 }, { 2, 0, OK_, 2 }, { 2, 0, OK_, 3 },
		{ 1, 0, OK_, 4 },
	};
	static struct wpkt wire[RTE_DIM(rtp)], rwire[RTE_DIM(rtcp)];
	/* wire[] positions (OK packets in order): 0 B10, 1 B11, 2 C500, 3 B12,
	 * 4 C501, 5 B9, 6 D65534, 7 D65535, 8 D0, 9 C502, 10 D1, 11 B13,
	 * 12 C503, 13 C504, 14 B14, 15 D2. */
	static const unsigned int in_order[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	static const unsigned int burst[] = { 12, 13, 14, 15 };
	static const unsigned int replays[] = { 7, 1, 4, 5, 8, 12, 10, 3 };
	static const unsigned int held[] = { 11 };
	static const unsigned int r_all[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	static const unsigned int r_replays[] = { 0, 2, 5, 3, 9 };
	uint64_t mismatches = stats.mismatches, reused[N_ENG], unrecovered[N_ENG];
	struct dstream *s = &streams[0];
	struct sbc_srtp_params p;
	unsigned int n_wire = 0, n_rwire = 0, k, suite;
	int e;

	for (e = 0; e < N_ENG; e++) {
		reused[e] = stats.reused[e];
		unrecovered[e] = stats.unrecovered[e];
	}
	for (suite = SBC_SRTP_AES_CM_128_HMAC_SHA1_80; suite <= SBC_SRTP_AES_CM_128_HMAC_SHA1_32;
	     suite++) {
		stream_clear(s);
		memset(s, 0, sizeof(*s));
		memset(&p, 0, sizeof(p));
		p.suite = (enum sbc_srtp_suite)suite;
		for (k = 0; k < sizeof(p.master_key); k++)
			p.master_key[k] = (uint8_t)(k * 17 + suite);
		for (k = 0; k < sizeof(p.master_salt); k++)
			p.master_salt[k] = (uint8_t)(k * 29 + suite);
		s->n_snd = 3;
		s->snd[0].ssrc = 0xb0b0b0b0;
		s->snd[1].ssrc = 0xc0c0c0c0;
		s->snd[2].ssrc = 0xd0d0d0d0;
		stream_init(s, &p);
		n_wire = 0;
		n_rwire = 0;
		for (k = 0; k < 16; k++)
			script_burst(s, false, rtp, k, k + 1, wire, &n_wire);
		script_burst(s, false, rtp, 16, RTE_DIM(rtp), wire, &n_wire);
		for (k = 0; k < 7; k++)
			script_burst(s, true, rtcp, k, k + 1, rwire, &n_rwire);
		script_burst(s, true, rtcp, 7, RTE_DIM(rtcp), rwire, &n_rwire);
		CU_ASSERT_EQUAL_FATAL(n_wire, 16);
		CU_ASSERT_EQUAL_FATAL(n_rwire, RTE_DIM(rtcp));

		for (k = 0; k < RTE_DIM(in_order); k++)
			script_deliver(s, false, wire, &in_order[k], 1, SBC_SRTP_OK);
		script_deliver(s, false, wire, burst, RTE_DIM(burst), SBC_SRTP_OK);
		/* Replays of B, C and D after each of them was left and came
		 * back: one by one, then in one burst. */
		for (k = 0; k < RTE_DIM(replays); k++)
			script_deliver(s, false, wire, &replays[k], 1, SBC_SRTP_REPLAY);
		script_deliver(s, false, wire, replays, RTE_DIM(replays), SBC_SRTP_REPLAY);
		/* B's 13, held back, is still new to B's window. */
		script_deliver(s, false, wire, held, 1, SBC_SRTP_OK);
		script_deliver(s, false, wire, held, 1, SBC_SRTP_REPLAY);

		for (k = 0; k < 7; k++)
			script_deliver(s, true, rwire, &r_all[k], 1, SBC_SRTP_OK);
		script_deliver(s, true, rwire, &r_all[7], RTE_DIM(r_all) - 7, SBC_SRTP_OK);
		for (k = 0; k < RTE_DIM(r_replays); k++)
			script_deliver(s, true, rwire, &r_replays[k], 1, SBC_SRTP_REPLAY);
		script_deliver(s, true, rwire, r_replays, RTE_DIM(r_replays), SBC_SRTP_REPLAY);
	}
	CU_ASSERT_EQUAL(stats.mismatches, mismatches);
	for (e = 0; e < N_ENG; e++) {
		CU_ASSERT_EQUAL(stats.reused[e], reused[e]);
		CU_ASSERT_EQUAL(stats.unrecovered[e], unrecovered[e]);
	}
	stream_clear(s);
	memset(s, 0, sizeof(*s));
}

static void test_no_mbuf_leak(void)
{
	CU_ASSERT_EQUAL(rte_mempool_avail_count(env.mp), 511);
}

int main(void)
{
	const char *seed = getenv("SBC_SRTP_SEED");
	static const struct sbc_test tests[] = {
		{ "SSRC B, C, B, D on a learned stream: resumed, never an index twice",
		  test_ssrc_return },
		{ "cryptodev vs libsrtp2 on impaired random streams", test_differential },
		{ "no mbuf leaked", test_no_mbuf_leak },
	};
	unsigned int failures = 1;

	rnd = seed != NULL ? strtoull(seed, NULL, 0) : UINT64_C(0x5eed5eed2024);
	if (rnd == 0)
		rnd = 1;
	printf("test_srtp_diff: seed %" PRIu64 " (SBC_SRTP_SEED)\n", rnd);
	if (st_setup(&env, "test_srtp_diff", 3 * N_STREAMS, 511) != 0)
		goto out;
	/* Contexts are cache-line aligned. */
	streams = aligned_alloc(RTE_CACHE_LINE_SIZE, N_STREAMS * sizeof(*streams));
	if (streams == NULL)
		goto out;
	memset(streams, 0, N_STREAMS * sizeof(*streams));
	for (emitted_mask = 1; emitted_mask < 4 * N_ENG * packets_wanted(); emitted_mask <<= 1)
		;
	emitted = calloc(emitted_mask, sizeof(*emitted));
	emitted_mask--;
	if (emitted == NULL)
		goto out;
	failures = SBC_TEST_RUN("srtp differential", tests) != 0;
out:
	free(emitted);
	free(streams);
	st_teardown(&env);
	return failures ? 1 : 0;
}
