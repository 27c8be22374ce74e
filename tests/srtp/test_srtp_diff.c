/* SPDX-License-Identifier: BSD-3-Clause
 * Differential test of the two SRTP engines: random streams (random keys,
 * suites, SSRCs, starting sequence numbers near the wrap, learned or bound
 * SSRCs, bound ones with a starting ROC up to 2^32 - 1), SRTP and SRTCP,
 * sent through impaired networks on both sides:
 *   - toward protect (the plain RTP leg): duplicates, reordering, stale
 *     packets, sequence jumps;
 *   - toward unprotect (the SRTP leg): loss, reordering within and beyond
 *     the replay window, duplicates, replays from history, bit flips,
 *     packets protected with another key.
 * Packets of random streams share random-size bursts (1..64), so one burst
 * often holds several packets of one context.  Every burst goes through
 * both engines: protect must give identical bytes and results; unprotect
 * identical results and identical plaintext, which must also be the
 * plaintext that was sent.
 *
 * SBC_SRTP_SEED=n picks another random sequence (the default is fixed);
 * SBC_SRTP_PACKETS=n another count (default 100,000 unprotected packets).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "cunit_run.h"
#include "srtp_test.h"

#define N_STREAMS   40
#define MAXLEN      400          /* plaintext packets stay below this */
#define QCAP        64           /* wire queue per stream */
#define HIST        256          /* delivered packets kept for replays */
#define PLAIN_HIST  256          /* plaintexts kept for stale resends */
#define N_ENG       2

enum op { PROTECT, UNPROTECT, PROTECT_RTCP, UNPROTECT_RTCP };

struct wpkt {
	uint16_t len;
	uint16_t plain_len;
	uint8_t b[MAXLEN + 16];
	uint8_t plain[MAXLEN];
};

struct dstream {
	struct sbc_srtp_ctx tx[N_ENG];
	struct sbc_srtp_ctx rx[N_ENG];
	struct sbc_srtp_ctx evil[N_ENG];   /* same SSRC, other keys */
	uint32_t ssrc;
	uint16_t seq;                  /* sender's next sequence number */
	int pending;                   /* held back by a sender-side swap, -1 none */
	bool jump_again;               /* second half of a double jump */
	uint16_t plain_seq[PLAIN_HIST];
	unsigned int n_plain;
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

/* The plaintext of (stream, seq): the same every time it is built. */
static uint16_t build_rtp(struct dstream *s, uint16_t seq, uint8_t *b)
{
	uint64_t h = mix((uint64_t)(s - streams), seq);
	uint8_t cc = (h & 7) == 0 ? (uint8_t)((h >> 3) % 4) : 0;
	int ext = ((h >> 8) & 15) == 0 ? (int)((h >> 12) % 4) : -1;

	return (uint16_t)st_rtp(b, seq, seq * 160u, s->ssrc, cc, ext,
				(uint32_t)((h >> 16) % 300), h);
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

/* New keys, suite, SSRC and start (a re-INVITE's re-keying); what was on
 * the wire under the old keys is gone. */
static void stream_setup(struct dstream *s)
{
	static const enum sbc_srtp_suite suites[] = { SBC_SRTP_AES_CM_128_HMAC_SHA1_80,
						      SBC_SRTP_AES_CM_128_HMAC_SHA1_32 };
	struct sbc_srtp_params p, evil;
	unsigned int k;
	int e;

	stream_clear(s);
	memset(s, 0, sizeof(*s));
	memset(&p, 0, sizeof(p));
	p.suite = suites[rn(2)];
	for (k = 0; k < sizeof(p.master_key); k++)
		p.master_key[k] = (uint8_t)rn(256);
	for (k = 0; k < sizeof(p.master_salt); k++)
		p.master_salt[k] = (uint8_t)rn(256);
	s->ssrc = (uint32_t)st_rand(&rnd);
	/* Most streams start close to the sequence wrap. */
	s->seq = (uint16_t)(rn(4) ? 65536 - 1 - rn(3000) : rn(65536));
	s->pending = -1;
	p.ssrc_bound = rn(2);
	p.ssrc = s->ssrc;
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
	evil = p;
	evil.master_key[rn(16)] ^= (uint8_t)(1 + rn(255));
	for (e = 0; e < N_ENG; e++) {
		p.dir = SBC_SRTP_PROTECT;
		CU_ASSERT_EQUAL_FATAL(sbc_srtp_ctx_init(env.engine[e], &s->tx[e], &p), 0);
		p.dir = SBC_SRTP_UNPROTECT;
		CU_ASSERT_EQUAL_FATAL(sbc_srtp_ctx_init(env.engine[e], &s->rx[e], &p), 0);
		evil.dir = SBC_SRTP_PROTECT;
		CU_ASSERT_EQUAL_FATAL(sbc_srtp_ctx_init(env.engine[e], &s->evil[e], &evil), 0);
	}
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

/* The sender's next plaintext RTP for s, impaired. */
static void next_plain_rtp(struct dstream *s, struct wpkt *w)
{
	uint16_t seq;

	if (s->pending >= 0) {
		seq = (uint16_t)s->pending;
		s->pending = -1;
	} else if (s->n_plain > 0 && chance(10)) {
		/* A duplicate or a stale resend: protect refuses both. */
		seq = s->plain_seq[(s->n_plain - 1 - rn(s->n_plain < 200 ? s->n_plain : 200)) %
				   PLAIN_HIST];
	} else {
		if (chance(3) && !s->jump_again) {
			s->seq = (uint16_t)(s->seq + 100 + rn(20000));     /* a jump */
		} else if (s->jump_again || chance(1)) {
			/* Two big jumps back to back: each under 2^15, together
			 * over, so the second packet's ROC depends on whether the
			 * first one was accepted (libsrtp2 estimates from the last
			 * accepted one). */
			s->seq = (uint16_t)(s->seq + 17000 + rn(15000));
			s->jump_again = !s->jump_again;
		}
		seq = s->seq++;
		if (chance(20)) {
			/* Sent out of order: the next one first. */
			s->pending = seq;
			seq = s->seq++;
		}
	}
	s->plain_seq[s->n_plain++ % PLAIN_HIST] = seq;
	w->len = build_rtp(s, seq, w->b);
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
	struct dstream *s;

	for (i = 0; i < n; i++) {
		s = slot_st[i] = pick_stream(hot);
		slot_evil[i] = 0;
		if (rtcp)
			plain[i].len = (uint16_t)st_rtcp(plain[i].b, s->ssrc, rn(40),
							 st_rand(&rnd));
		else
			next_plain_rtp(s, &plain[i]);
		slot[i] = &plain[i];
	}
	run(rtcp ? PROTECT_RTCP : PROTECT, n);
	for (i = 0; i < n; i++)
		if (res[0][i] == SBC_SRTP_OK && res[1][i] == SBC_SRTP_OK)
			push_wire(slot_st[i], rtcp, &plain[i], out[0][i], out_len[0][i]);
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
		plain[i].len = build_rtp(s, (uint16_t)(s->seq - 1 - rn(4)), plain[i].b);
		slot[i] = &plain[i];
	}
	run(PROTECT, n);
	for (i = 0; i < n; i++)
		if (res[0][i] == SBC_SRTP_OK && res[1][i] == SBC_SRTP_OK)
			push_wire(slot_st[i], false, &plain[i], out[0][i], out_len[0][i]);
}

static void test_differential(void)
{
	const char *v = getenv("SBC_SRTP_PACKETS");
	uint64_t target = v != NULL ? strtoull(v, NULL, 0) : 100000, done, total = 0;
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
		if (chance(100))
			protect_round(true);
		if (chance(20))
			forged_round();
		unprotect_round(false);
		unprotect_round(false);
		if (chance(100))
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
	CU_ASSERT_EQUAL(stats.mismatches, 0);
	CU_ASSERT_EQUAL(stats.wrong_plaintext, 0);
	CU_ASSERT(total >= 2 * target);
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

static void test_no_mbuf_leak(void)
{
	CU_ASSERT_EQUAL(rte_mempool_avail_count(env.mp), 511);
}

int main(void)
{
	const char *seed = getenv("SBC_SRTP_SEED");
	static const struct sbc_test tests[] = {
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
	failures = SBC_TEST_RUN("srtp differential", tests) != 0;
out:
	free(streams);
	st_teardown(&env);
	return failures ? 1 : 0;
}
