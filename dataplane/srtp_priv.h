/* SPDX-License-Identifier: BSD-3-Clause
 * Private to dataplane/srtp*.c (and the white-box tests in tests/srtp/):
 * the layout of contexts and engines, the RFC 3711 framing helpers both
 * engines share, and the engines' entry points.
 *
 * The framing helpers follow libsrtp2 2.5's arithmetic exactly (its
 * srtp_index_guess / rdbx / rdb), since the cryptodev engine must take the
 * same decisions as the libsrtp2 engine on every packet.
 */
#ifndef SBC_DP_SRTP_PRIV_H
#define SBC_DP_SRTP_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_crypto.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "srtp.h"

#define SBC_SRTP_RTP_HDR_LEN   12
#define SBC_SRTCP_HDR_LEN      8          /* V/P/RC, PT, length, sender SSRC */
#define SBC_SRTCP_TRAILER_LEN  4          /* E flag + 31-bit SRTCP index */
#define SBC_SRTCP_TAG_LEN      10
#define SBC_SRTCP_E_BIT        0x80000000u
#define SBC_SRTCP_INDEX_MASK   0x7fffffffu
#define SBC_SRTP_ROC_LEN       4
#define SBC_SRTP_AUTH_KEY_LEN  20
#define SBC_SRTP_SALT_LEN      14

/* RFC 3711 4.3.2 key derivation labels. */
enum srtp_label {
	SRTP_LABEL_RTP_ENC = 0,
	SRTP_LABEL_RTP_AUTH = 1,
	SRTP_LABEL_RTP_SALT = 2,
	SRTP_LABEL_RTCP_ENC = 3,
	SRTP_LABEL_RTCP_AUTH = 4,
	SRTP_LABEL_RTCP_SALT = 5,
};

enum srtp_op {
	SRTP_OP_PROTECT,
	SRTP_OP_UNPROTECT,
	SRTCP_OP_PROTECT,
	SRTCP_OP_UNPROTECT,
};

#define SRTP_CTX_SSRC_BOUND   0x01
#define SRTP_CTX_RTP_STARTED  0x02     /* rtp_ssrc/rtp_index hold a stream */
#define SRTP_CTX_RTCP_STARTED 0x04     /* rtcp_ssrc/rtcp_* hold a stream */

/* Learned SSRCs kept besides the current one, per kind. */
#define SRTP_SAVED_MAX (SBC_SRTP_LEARNED_SSRC_MAX - 1)

/* The SRTP stream of a learned SSRC that is not the current one (cryptodev;
 * the libsrtp2 engine uses ssrc only: libsrtp2 keeps the streams). */
struct srtp_saved_rtp {
	uint64_t index;
	uint64_t window;
	uint32_t ssrc;                    /* network order */
	uint32_t pad;
};

/* Its SRTCP stream: as rtcp_index / rtcp_window. */
struct srtp_saved_rtcp {
	uint64_t window[2];
	uint32_t ssrc;                    /* network order */
	uint32_t index;
};

/*
 * A context.  Written by: main lcore at init/clear; the engine's worker
 * afterwards.  The first cache line holds everything an SRTP packet reads
 * and writes on the cryptodev engine.
 *
 * Learned SSRCs: rtp_ssrc / rtp_index / rtp_window are the stream of the
 * SSRC whose SRTP packet came last (the current one), rtp_saved[] the
 * streams of the n_rtp_saved SSRCs before it, in no order; a packet of
 * another SSRC swaps its stream with the current one (srtp_stream_swap()),
 * so that the fast path only ever compares one SSRC.  SRTCP likewise, on
 * its own.  Bound contexts never use the saved streams.
 */
struct srtp_ctx_priv {
	struct sbc_srtp *engine;   /* NULL: not initialised */
	uint8_t dir;                      /* enum sbc_srtp_dir */
	uint8_t tag_len;                  /* SRTP tag: 10 or 4 */
	uint8_t flags;                    /* SRTP_CTX_* */
	uint8_t cdev_group;               /* cryptodev unprotect: this context's group in
	                                     the engine's round, if that group says so */
	uint32_t roc_init;                /* ROC of a stream's first packet */
	uint32_t rtp_ssrc;                /* network order */
	uint32_t rtcp_ssrc;               /* network order */
	uint64_t rtp_index;               /* highest accepted index: ROC << 16 | SEQ */
	uint64_t rtp_window;              /* bit k: index rtp_index - k accepted */
	union {
		struct {
			uint8_t rtp_salt[16];     /* session salt * 2^16: IV base */
			void *rtp_sess;           /* rte_cryptodev sym session */
			uint8_t rtcp_salt[16];
			void *rtcp_sess;
		} cdev;
		struct {
			void *session;            /* srtp_t */
		} lib;
	};
	/* SRTCP.  Protect: last index sent.  Unprotect: libsrtp2's replay
	 * database, window [rtcp_index, rtcp_index + 128), bit k = index
	 * rtcp_index + k. */
	uint32_t rtcp_index;
	uint8_t n_rtp_saved;              /* learned: rtp_saved[0, n) hold streams */
	uint8_t n_rtcp_saved;
	uint16_t pad2;
	uint64_t rtcp_window[2];
	/* Touched only when a learned context sees another SSRC. */
	struct srtp_saved_rtp rtp_saved[SRTP_SAVED_MAX];
	struct srtp_saved_rtcp rtcp_saved[SRTP_SAVED_MAX];
};

_Static_assert(sizeof(struct srtp_ctx_priv) <= SBC_SRTP_CTX_SIZE,
	       "struct sbc_srtp_ctx too small for its private layout");
_Static_assert(offsetof(struct srtp_ctx_priv, cdev.rtp_sess) + sizeof(void *) <= 64,
	       "SRTP hot fields in the first cache line");
_Static_assert(SRTP_SAVED_MAX >= 1 && SRTP_SAVED_MAX < 128, "saved SSRCs: n_*_saved, int8_t");

/* The opaque bytes are only ever accessed through this view. */
static inline struct srtp_ctx_priv *srtp_ctx(struct sbc_srtp_ctx *c)
{
	return (struct srtp_ctx_priv *)(void *)c->opaque;
}

static inline const struct srtp_ctx_priv *srtp_ctx_const(const struct sbc_srtp_ctx *c)
{
	return (const struct srtp_ctx_priv *)(const void *)c->opaque;
}

/* Per packet of a chunk, cryptodev engine (see srtp_cryptodev.c). */
struct srtp_cdev_pkt {
	uint64_t est;             /* SRTP: estimated index; SRTCP: index */
	int32_t delta;            /* SRTP: est - the stream's index when estimated */
	uint32_t ssrc;            /* network order */
	uint16_t off;             /* start of the RTP/RTCP packet in the mbuf */
	uint16_t end;             /* SRTP: end of payload (tag excluded), the packet length until
	                             the context gives the tag length; SRTCP: end of trailer */
	uint16_t seq;             /* SRTP: sequence number */
	uint16_t hl;              /* SRTP: header length */
	int16_t prev;             /* previous packet of the same context in this round, -1 none */
	uint8_t state;            /* PKT_* in srtp_cryptodev.c */
	uint8_t skip_result;      /* result when no crypto ran and the replay check passes */
	uint8_t pre;              /* first pass over the packet alone: OK or its result */
	uint8_t pre2;             /* SRTCP unprotect: same, for the checks after the SSRC's */
	uint8_t first;            /* not the context's current stream: a new SSRC's first packet
	                             (saved < 0: no replay check) or a saved stream's */
	int8_t saved;             /* with first: the SSRC's stream in rtp_saved / rtcp_saved,
	                             -1 none yet */
};

/* Packets of one context within an unprotect round. */
struct srtp_cdev_group_state {
	const struct srtp_ctx_priv *ctx;
	int16_t last;             /* last packet of this group in the round, -1 none */
	uint8_t deferred;         /* later packets wait for the next round */
};

/* An engine.  Written by: the main lcore (create, context init/clear: n_ctx);
 * its worker (everything below `cryptodev`, scratch of one burst). */
struct sbc_srtp {
	enum sbc_srtp_engine kind;
	int socket_id;
	uint32_t max_ctx;
	uint32_t n_ctx;
	char backend[48];
	/* cryptodev */
	uint8_t dev_id;
	uint16_t qp_id;
	uint8_t n_sess_pf;        /* session lines the device reads: */
	uint16_t sess_pf[12];     /* their byte offsets in the object */
	struct rte_mempool *sess_pool;
	struct rte_mempool *op_pool;
	struct rte_crypto_op *ops[SBC_SRTP_BURST_MAX];     /* ops[i] serves packet i of a chunk */
	struct rte_crypto_op *enq[SBC_SRTP_BURST_MAX];     /* enqueue order */
	struct rte_crypto_op *deq[SBC_SRTP_BURST_MAX];     /* dequeue sink: ops[] holds the results */
	struct srtp_cdev_pkt pkt[SBC_SRTP_BURST_MAX];
	uint8_t waiting[SBC_SRTP_BURST_MAX];                  /* unprotect: packets waiting for a round */
	struct srtp_cdev_group_state group[SBC_SRTP_BURST_MAX];
};

/* Prefetch the lines of a session object of engine e that the device reads
 * for an operation (see cdev_sess_prefetch_plan() in srtp_cryptodev.c).
 * Also used by the benchmark's ceiling that feeds the device as the engine
 * does. */
static inline void sbc_srtp_cdev_prefetch_session(const struct sbc_srtp *e, const void *sess)
{
	const char *p = sess;
	uint8_t l;

	for (l = 0; l < e->n_sess_pf; l++)
		rte_prefetch0(p + e->sess_pf[l]);
}

/* IV and per-op data live right after the symmetric op (cryptodev convention). */
#define SRTP_CDEV_IV_OFFSET (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define SRTP_CDEV_OP_PRIV   16

/*
 * RFC 3711 3.3.1 / appendix A: the index closest to `local` with sequence
 * number `seq`; returns est - local as libsrtp2 computes it
 * (srtp_rdbx_estimate_index(): a stream still below index 0x8000 takes ROC
 * 0 instead of guessing 0xffffffff).
 */
static inline int32_t srtp_index_estimate(uint64_t local, uint16_t seq, uint64_t *est)
{
	uint32_t local_roc, guess_roc;
	int32_t local_seq, s = seq, diff;

	if (local <= 0x8000) {
		*est = seq;
		return s - (int32_t)(uint16_t)local;
	}
	local_roc = (uint32_t)(local >> 16);
	local_seq = (uint16_t)local;
	if (local_seq < 0x8000) {
		if (s - local_seq > 0x8000) {
			guess_roc = local_roc - 1;
			diff = s - local_seq - 0x10000;
		} else {
			guess_roc = local_roc;
			diff = s - local_seq;
		}
	} else {
		if (local_seq - 0x8000 > s) {
			guess_roc = local_roc + 1;
			diff = s - local_seq + 0x10000;
		} else {
			guess_roc = local_roc;
			diff = s - local_seq;
		}
	}
	*est = ((uint64_t)guess_roc << 16) | seq;
	return diff;
}

/* RFC 3711 3.3.2 replay check of an index est = local + delta. */
static inline int srtp_replay_check(uint64_t window, int32_t delta)
{
	if (delta > 0)
		return SBC_SRTP_OK;
	if (delta <= -SBC_SRTP_REPLAY_WINDOW)
		return SBC_SRTP_TOO_OLD;
	if ((window >> -delta) & 1)
		return SBC_SRTP_REPLAY;
	return SBC_SRTP_OK;
}

/* Accept index local + delta (after srtp_replay_check() said OK). */
static inline void srtp_replay_add(struct srtp_ctx_priv *c, int32_t delta)
{
	if (delta > 0) {
		c->rtp_index += (uint16_t)delta;
		c->rtp_window = delta >= 64 ? 1 : (c->rtp_window << delta) | 1;
	} else {
		c->rtp_window |= UINT64_C(1) << -delta;
	}
}

/* A stream's first packet: index est, nothing else seen. */
static inline void srtp_stream_start(struct srtp_ctx_priv *c, uint32_t ssrc, uint64_t est)
{
	c->rtp_ssrc = ssrc;
	c->rtp_index = est;
	c->rtp_window = 1;
	c->flags |= SRTP_CTX_RTP_STARTED;
}

/* SRTCP replay database (libsrtp2's rdb: a 128-index window from
 * base). */
static inline int srtcp_rdb_check(uint32_t base, const uint64_t window[2], uint32_t idx)
{
	uint32_t d;

	if (idx >= base + SBC_SRTCP_REPLAY_WINDOW)
		return SBC_SRTP_OK;
	if (idx < base)
		return SBC_SRTP_TOO_OLD;
	d = idx - base;
	if ((window[d >> 6] >> (d & 63)) & 1)
		return SBC_SRTP_REPLAY;
	return SBC_SRTP_OK;
}

static inline int srtcp_replay_check(const struct srtp_ctx_priv *c, uint32_t idx)
{
	return srtcp_rdb_check(c->rtcp_index, c->rtcp_window, idx);
}

static inline void srtcp_replay_add(struct srtp_ctx_priv *c, uint32_t idx)
{
	uint32_t d;

	if (idx < c->rtcp_index)
		return;
	d = idx - c->rtcp_index;
	if (d >= SBC_SRTCP_REPLAY_WINDOW) {
		/* Slide so that idx becomes the window's last index. */
		d -= SBC_SRTCP_REPLAY_WINDOW - 1;
		if (d >= 128) {
			c->rtcp_window[0] = 0;
			c->rtcp_window[1] = 0;
		} else if (d >= 64) {
			c->rtcp_window[0] = c->rtcp_window[1] >> (d - 64);
			c->rtcp_window[1] = 0;
		} else {
			c->rtcp_window[0] = (c->rtcp_window[0] >> d) | (c->rtcp_window[1] << (64 - d));
			c->rtcp_window[1] >>= d;
		}
		c->rtcp_index += d;
		d = SBC_SRTCP_REPLAY_WINDOW - 1;
	}
	c->rtcp_window[d >> 6] |= UINT64_C(1) << (d & 63);
}

static inline void srtcp_stream_start(struct srtp_ctx_priv *c, uint32_t ssrc)
{
	c->rtcp_ssrc = ssrc;
	c->rtcp_index = 0;
	c->rtcp_window[0] = 0;
	c->rtcp_window[1] = 0;
	c->flags |= SRTP_CTX_RTCP_STARTED;
}

/*
 * Learned SSRCs (see struct srtp_ctx_priv).  For a packet whose SSRC is not
 * the current stream's: srtp_saved_find() gives its saved stream, if any;
 * without one, srtp_saved_full() says whether a new SSRC must be refused
 * (SBC_SRTP_SSRC_LIMIT), else srtp_stream_park() saves the current stream
 * before srtp_stream_start() starts the new one.  Swapping a saved stream
 * with the current one changes no stream, only which one is current.
 */
static inline int srtp_saved_find(const struct srtp_ctx_priv *c, bool rtcp, uint32_t ssrc)
{
	int j, n = rtcp ? c->n_rtcp_saved : c->n_rtp_saved;

	for (j = 0; j < n; j++)
		if ((rtcp ? c->rtcp_saved[j].ssrc : c->rtp_saved[j].ssrc) == ssrc)
			return j;
	return -1;
}

static inline bool srtp_saved_full(const struct srtp_ctx_priv *c, bool rtcp)
{
	if (rtcp)
		return (c->flags & SRTP_CTX_RTCP_STARTED) && c->n_rtcp_saved == SRTP_SAVED_MAX;
	return (c->flags & SRTP_CTX_RTP_STARTED) && c->n_rtp_saved == SRTP_SAVED_MAX;
}

/* Saves the current stream, if there is one (the caller checked
 * srtp_saved_full()). */
static inline void srtp_stream_park(struct srtp_ctx_priv *c, bool rtcp)
{
	if (rtcp) {
		struct srtp_saved_rtcp *v;

		if (!(c->flags & SRTP_CTX_RTCP_STARTED))
			return;
		v = &c->rtcp_saved[c->n_rtcp_saved++];
		v->ssrc = c->rtcp_ssrc;
		v->index = c->rtcp_index;
		v->window[0] = c->rtcp_window[0];
		v->window[1] = c->rtcp_window[1];
	} else {
		struct srtp_saved_rtp *v;

		if (!(c->flags & SRTP_CTX_RTP_STARTED))
			return;
		v = &c->rtp_saved[c->n_rtp_saved++];
		v->ssrc = c->rtp_ssrc;
		v->index = c->rtp_index;
		v->window = c->rtp_window;
	}
}

/* Saved stream j becomes the current one and the current one takes its
 * place (a saved stream implies a current one). */
static inline void srtp_stream_swap(struct srtp_ctx_priv *c, bool rtcp, int j)
{
	if (rtcp) {
		struct srtp_saved_rtcp *v = &c->rtcp_saved[j], t = *v;

		v->ssrc = c->rtcp_ssrc;
		v->index = c->rtcp_index;
		v->window[0] = c->rtcp_window[0];
		v->window[1] = c->rtcp_window[1];
		c->rtcp_ssrc = t.ssrc;
		c->rtcp_index = t.index;
		c->rtcp_window[0] = t.window[0];
		c->rtcp_window[1] = t.window[1];
	} else {
		struct srtp_saved_rtp *v = &c->rtp_saved[j], t = *v;

		v->ssrc = c->rtp_ssrc;
		v->index = c->rtp_index;
		v->window = c->rtp_window;
		c->rtp_ssrc = t.ssrc;
		c->rtp_index = t.index;
		c->rtp_window = t.window;
	}
}

/* RTP header length with CSRCs and extension, as libsrtp2 validates it;
 * -1 when it does not fit in len. */
static inline int srtp_rtp_hdr_len(const uint8_t *p, uint32_t len)
{
	uint32_t hl;

	if (len < SBC_SRTP_RTP_HDR_LEN)
		return -1;
	hl = SBC_SRTP_RTP_HDR_LEN + 4u * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		hl += 4;
		if (len < hl)
			return -1;
		hl += 4u * (((uint32_t)p[hl - 2] << 8) | p[hl - 1]);
	}
	if (len < hl)
		return -1;
	return (int)hl;
}

/* Offset of the RTP/RTCP packet in its mbuf. */
static inline uint32_t srtp_pkt_off(const struct rte_mbuf *m)
{
	return (uint32_t)m->l2_len + m->l3_len + m->l4_len;
}

/*
 * Checks both engines make before anything else, so that they agree:
 * context of this engine and direction, one segment, packet inside the
 * data, tailroom.  Returns SBC_SRTP_OK and the packet's offset and length.
 */
static inline int srtp_pkt_precheck(const struct sbc_srtp *e, const struct rte_mbuf *m,
				    const struct srtp_ctx_priv *c, uint8_t dir, uint16_t tailroom,
				    uint32_t *off, uint32_t *len)
{
	if (c->engine != e || c->dir != dir)
		return SBC_SRTP_BAD_CTX;
	*off = srtp_pkt_off(m);
	if (m->nb_segs != 1 || *off > m->data_len || rte_pktmbuf_tailroom(m) < tailroom)
		return SBC_SRTP_MALFORMED;
	*len = m->data_len - *off;
	return SBC_SRTP_OK;
}

static inline uint32_t srtp_load_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return rte_be_to_cpu_32(v);
}

static inline uint32_t srtp_load_raw32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Key derivation (RFC 3711 4.3.1, key derivation rate 0): `len` bytes of
 * the PRF for `label`.  OpenSSL AES-128-ECB; control path only.  Returns 0
 * or -EIO.  Exposed for the RFC 3711 B.3 test. */
int sbc_srtp_kdf(const uint8_t key[SBC_SRTP_MASTER_KEY_LEN],
		 const uint8_t salt[SBC_SRTP_MASTER_SALT_LEN], uint8_t label,
		 uint8_t *out, size_t len);

/* AES-CM keystream (RFC 3711 4.1.1) from a 16-byte counter block, with
 * OpenSSL: the reference the tests compare the device with (B.2). */
int sbc_srtp_aes_cm(const uint8_t key[16], const uint8_t iv[16], uint8_t *out, size_t len);

/* The device's AES-CTR keystream (test hook for RFC 3711 B.2 on the
 * cryptodev engine): encrypts `len` zero bytes (len <= 2048) with a
 * one-off cipher session.  Control path.  Returns 0 or -errno. */
int sbc_srtp_cryptodev_keystream(struct sbc_srtp *e, const uint8_t key[16],
				 const uint8_t iv[16], uint8_t *out, size_t len);

/* Session keys of one context (wiped by the caller after use). */
struct srtp_session_keys {
	uint8_t rtp_enc[16];
	uint8_t rtp_auth[SBC_SRTP_AUTH_KEY_LEN];
	uint8_t rtp_salt[SBC_SRTP_SALT_LEN];
	uint8_t rtcp_enc[16];
	uint8_t rtcp_auth[SBC_SRTP_AUTH_KEY_LEN];
	uint8_t rtcp_salt[SBC_SRTP_SALT_LEN];
};

int sbc_srtp_derive(const struct sbc_srtp_params *p, struct srtp_session_keys *k);

/* libsrtp2 engine (srtp_libsrtp.c). */
int sbc_srtp_lib_engine_init(struct sbc_srtp *e);
void sbc_srtp_lib_engine_fini(struct sbc_srtp *e);
int sbc_srtp_lib_ctx_init(struct sbc_srtp *e, struct srtp_ctx_priv *c,
			  const struct sbc_srtp_params *p);
void sbc_srtp_lib_ctx_clear(struct srtp_ctx_priv *c);
int sbc_srtp_lib_roc(const struct srtp_ctx_priv *c, uint32_t *roc);
uint16_t sbc_srtp_lib_burst(struct sbc_srtp *e, enum srtp_op op, struct rte_mbuf **pkts,
			    struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result);

/* cryptodev engine (srtp_cryptodev.c). */
int sbc_srtp_cdev_engine_init(struct sbc_srtp *e, const char *name);
void sbc_srtp_cdev_engine_fini(struct sbc_srtp *e);
int sbc_srtp_cdev_ctx_init(struct sbc_srtp *e, struct srtp_ctx_priv *c,
			   const struct sbc_srtp_params *p);
void sbc_srtp_cdev_ctx_clear(struct sbc_srtp *e, struct srtp_ctx_priv *c);
uint16_t sbc_srtp_cdev_burst(struct sbc_srtp *e, enum srtp_op op, struct rte_mbuf **pkts,
			     struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result);

#endif /* SBC_DP_SRTP_PRIV_H */
