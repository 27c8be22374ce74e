/* SPDX-License-Identifier: BSD-3-Clause
 * SRTP and SRTCP (RFC 3711) for the data plane: AES_CM_128_HMAC_SHA1_80 and
 * AES_CM_128_HMAC_SHA1_32 with keys from SDES (RFC 4568: no MKI, key
 * derivation rate 0), protected and unprotected in bursts.
 *
 * Two engines sit behind this one interface, chosen when an engine (struct
 * sbc_srtp) is created, from dataplane.srtp_engine (DESIGN.md "SRTP
 * engines"):
 *   - libsrtp2: every packet through libsrtp2's srtp_protect() and friends.
 *     The reference engine and the test oracle.
 *   - cryptodev: our RFC 3711 framing (key derivation, rollover counter
 *     estimation, replay windows, SRTCP index and E bit) around a DPDK
 *     cryptodev that does only AES-CTR and HMAC-SHA1, one chained operation
 *     per packet, a whole burst enqueued at once (the worker hands the
 *     engine each burst's packets of each direction together; unprotect
 *     orders a context's packets in rounds by context so that index
 *     estimation sees libsrtp2's order).  Bit-exact with libsrtp2: same
 *     bytes out, same accept/drop decisions, same result codes.
 *
 * Objects:
 *   - struct sbc_srtp, an engine: one per worker lcore (a cryptodev engine owns
 *     one queue pair of its device).  Not thread-safe: only its worker calls
 *     the burst functions.
 *   - struct sbc_srtp_ctx: one stream direction (protect = what we send,
 *     unprotect = what we receive), SRTP and SRTCP of that stream.  Fixed
 *     size and complete here so that callers embed or preallocate arrays of
 *     them (no allocation per packet, none per stream on the fast path); the
 *     bytes are private to dataplane/srtp*.c.  A context is initialised on an
 *     engine and used only by bursts of that engine.
 *
 * SSRCs: a context either is bound to one SSRC given at creation (other
 * SSRCs get SBC_SRTP_WRONG_SSRC) or learns them: as libsrtp2 does, it keeps
 * a stream (SRTP: index, replay window; SRTCP: index, replay database) per
 * SSRC it saw, created by that SSRC's first packet -- on unprotect only once
 * that packet authenticated -- so that an SSRC coming back after another
 * goes on where it stopped and no index is ever protected twice under the
 * key.  A learned context keeps up to SBC_SRTP_LEARNED_SSRC_MAX SSRCs for
 * SRTP and as many for SRTCP, for its lifetime (a re-key, i.e. a new
 * context, starts over); a packet of a further SSRC is refused
 * (SBC_SRTP_SSRC_LIMIT), by both engines alike: forgetting an SSRC would
 * let it start again from an index it already used.
 *
 * Packets: each mbuf holds one RTP or RTCP packet starting at byte offset
 * l2_len + l3_len + l4_len of its data (all three zero for a bare packet)
 * and ending at the end of the data; single-segment mbufs only.  Protect
 * appends the trailer (SRTP: tag; SRTCP: E flag and index, then tag), so
 * the mbuf needs SBC_SRTP_PROTECT_TAILROOM bytes of tailroom; unprotect
 * removes it and needs SBC_SRTP_UNPROTECT_TAILROOM (the cryptodev engine
 * places the rollover counter after the payload while authenticating).
 * The caller fixes UDP/IP lengths and checksums afterwards.  A packet whose
 * result is not SBC_SRTP_OK has unspecified contents and length and must be
 * dropped.
 *
 * Threads: engine create/destroy and context init/clear run on the control
 * thread (main lcore), a context never while a worker may use it (the
 * stream table's RCU grace period covers that).  Burst functions run on the
 * engine's worker; no allocation, lock, syscall or log there.
 */
#ifndef SBC_DP_SRTP_H
#define SBC_DP_SRTP_H

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "sbc_config.h"     /* enum sbc_srtp_engine */

#define SBC_SRTP_MASTER_KEY_LEN  16
#define SBC_SRTP_MASTER_SALT_LEN 14
/* Bursts of any length are accepted; they are processed in chunks of this. */
#define SBC_SRTP_BURST_MAX       64
/* SRTP replay window in packets (RFC 3711 section 3.3.2's minimum).  SRTCP
 * uses a 128-index window, as libsrtp2 does. */
#define SBC_SRTP_REPLAY_WINDOW   64
#define SBC_SRTCP_REPLAY_WINDOW  128
/* Tailroom a packet needs: libsrtp2 may write up to its maximum trailer
 * (SRTP_MAX_TRAILER_LEN + 4) past the end; both engines ask the same so that
 * they accept the same packets. */
#define SBC_SRTP_PROTECT_TAILROOM   148
#define SBC_SRTP_UNPROTECT_TAILROOM 4

enum sbc_srtp_suite {
	SBC_SRTP_AES_CM_128_HMAC_SHA1_80 = 1,  /* SRTP and SRTCP tags 10 bytes */
	SBC_SRTP_AES_CM_128_HMAC_SHA1_32 = 2,  /* SRTP tag 4 bytes, SRTCP tag 10 (RFC 4568 6.2.1) */
};

enum sbc_srtp_dir {
	SBC_SRTP_PROTECT = 1,     /* RTP/RTCP in, SRTP/SRTCP out */
	SBC_SRTP_UNPROTECT = 2,   /* SRTP/SRTCP in, RTP/RTCP out */
};

/*
 * Per-packet results: name, telemetry key.  One list for the enum, the names
 * and the worker's drop counters.
 */
#define SBC_SRTP_RESULTS(X) \
	X(OK,          "ok")            /* protected / unprotected */ \
	X(AUTH,        "auth_fail")     /* tag does not verify: tampered, wrong key */ \
	X(REPLAY,      "replay")        /* index already seen (protect: index reused) */ \
	X(TOO_OLD,     "too_old")       /* index behind the replay window */ \
	X(MALFORMED,   "malformed")     /* too short, header lengths, SRTCP E bit clear, multi-segment, tailroom */ \
	X(WRONG_SSRC,  "wrong_ssrc")    /* context bound to another SSRC */ \
	X(BAD_CTX,     "bad_context")   /* context not initialised, of the other direction or engine */ \
	X(KEY_EXPIRED, "key_expired")   /* SRTCP index space (2^31) used up: re-key */ \
	X(CRYPTO,      "crypto_error")  /* the crypto device or library failed the operation */ \
	X(SSRC_LIMIT,  "ssrc_limit")    /* learned context: an SSRC beyond the SBC_SRTP_LEARNED_SSRC_MAX it keeps */

enum sbc_srtp_result {
#define SBC_SRTP_X_ENUM(name, str) SBC_SRTP_##name,
	SBC_SRTP_RESULTS(SBC_SRTP_X_ENUM)
#undef SBC_SRTP_X_ENUM
	SBC_SRTP_RESULT_COUNT
};

/* SSRCs a learned context keeps a stream for: SRTP and, separately, SRTCP. */
#define SBC_SRTP_LEARNED_SSRC_MAX 4

/* Bytes of one context; see struct sbc_srtp_ctx.  The first 64 are what an
 * SRTP packet touches; the last 144 hold learned SSRCs other than the
 * current one. */
#define SBC_SRTP_CTX_SIZE 256

/*
 * One stream direction.  Zeroed memory is a valid "not initialised" context
 * (bursts answer SBC_SRTP_BAD_CTX for it).  Layout private to srtp*.c.
 */
struct sbc_srtp_ctx {
	alignas(64) unsigned char opaque[SBC_SRTP_CTX_SIZE];
};

/* What a context is made from.  Keys are copied into derived state and the
 * caller's copy may be wiped right after sbc_srtp_ctx_init(). */
struct sbc_srtp_params {
	enum sbc_srtp_suite suite;
	enum sbc_srtp_dir dir;
	uint8_t master_key[SBC_SRTP_MASTER_KEY_LEN];
	uint8_t master_salt[SBC_SRTP_MASTER_SALT_LEN];
	bool ssrc_bound;          /* true: only `ssrc` is accepted; false: learned */
	uint32_t ssrc;            /* host order; with ssrc_bound */
	uint32_t roc;             /* initial rollover counter; nonzero only with ssrc_bound
	                             (SDES streams start at 0) */
};

struct sbc_srtp_conf {
	enum sbc_srtp_engine engine;  /* sbc_config.h: dataplane.srtp_engine */
	int socket_id;
	uint32_t max_ctx;         /* contexts initialised at once on this engine */
	/* cryptodev only: a device from sbc_srtp_cryptodev_open() and a queue
	 * pair of it that no other engine uses. */
	uint8_t dev_id;
	uint16_t qp_id;
};

struct sbc_srtp;

/**
 * Name of a result ("auth_fail"), or "unknown".  Any thread.
 */
const char *sbc_srtp_result_name(int result);

/**
 * Open a crypto device for the cryptodev engine: create the vdev `driver`
 * (e.g. "crypto_aesni_mb") unless one of that driver exists already,
 * check that it chains AES-128-CTR with HMAC-SHA1 (tags 4 and 10 bytes),
 * configure `n_qp` queue pairs (one per worker engine) and start it.
 * driver NULL tries "crypto_aesni_mb", then "crypto_openssl".
 * Thread: main, after rte_eal_init().
 * Returns the device id (>= 0) or -errno: -ENODEV no such driver or it
 * could not be created, -ENOTSUP the device lacks the algorithms, other
 * values from the cryptodev library.
 */
int sbc_srtp_cryptodev_open(const char *driver, uint16_t n_qp, int socket_id);

/**
 * Stop and close a device from sbc_srtp_cryptodev_open(), after every
 * engine on it was destroyed; removes the vdev if we created it.  Thread: main.
 */
void sbc_srtp_cryptodev_close(int dev_id);

/**
 * Create an engine.  `name` makes its mempools unique (e.g. "w0").
 * cryptodev: sets up queue pair conf->qp_id, a session pool for
 * conf->max_ctx contexts (two sessions each: SRTP and SRTCP) and its
 * operations.  libsrtp2: initialises libsrtp2 (reference counted).
 * Thread: main.  Returns NULL with rte_errno set (EINVAL, ENOMEM, ...).
 */
struct sbc_srtp *sbc_srtp_create(const char *name, const struct sbc_srtp_conf *conf);

/**
 * Destroy an engine whose contexts were all cleared.  NULL is ignored.
 * Thread: main.
 */
void sbc_srtp_destroy(struct sbc_srtp *e);

/**
 * Human-readable backend: "libsrtp2 2.5.0", "cryptodev crypto_aesni_mb".
 */
const char *sbc_srtp_backend(const struct sbc_srtp *e);

/**
 * Initialise a context on `e`: derive the session keys (RFC 3711 4.3, KDR
 * 0) and set up the engine's state for them.  `ctx` must be zeroed or
 * cleared.  Thread: main.  Returns 0, -EINVAL (bad parameters), -ENOSPC
 * (engine already holds conf.max_ctx contexts) or -ENOMEM / -EIO (the
 * library or device refused).  Keys are never logged.
 */
int sbc_srtp_ctx_init(struct sbc_srtp *e, struct sbc_srtp_ctx *ctx,
		      const struct sbc_srtp_params *p);

/**
 * Release a context's engine state and wipe its key material; the context
 * is zeroed (not initialised) afterwards.  A zeroed context is ignored.
 * Thread: main, once no worker can touch the context.
 */
void sbc_srtp_ctx_clear(struct sbc_srtp *e, struct sbc_srtp_ctx *ctx);

/**
 * Rollover counter of the context's current SRTP stream, the one of the
 * SSRC it took as current last (for tests and diagnostics).  Returns 0, or
 * -ENOENT when no packet set the stream yet.
 * Thread: the engine's worker (or any, when the worker is stopped).
 */
int sbc_srtp_ctx_roc(struct sbc_srtp *e, const struct sbc_srtp_ctx *ctx,
		     uint32_t *roc);

/**
 * Protect RTP: pkts[i] with context ctx[i] (direction SBC_SRTP_PROTECT),
 * i < n, in order as far as one context is concerned (packets of one
 * context are processed in their order in the burst).  result[i] receives
 * an enum sbc_srtp_result.  Packets are neither freed nor reordered; the
 * caller drops those not OK.  Returns how many are OK.
 * Thread: the engine's worker.
 */
uint16_t sbc_srtp_protect_burst(struct sbc_srtp *e, struct rte_mbuf **pkts,
				struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result);

/**
 * Unprotect SRTP: as sbc_srtp_protect_burst() with contexts of direction
 * SBC_SRTP_UNPROTECT.  A packet is accepted (and its index enters the
 * replay window and may advance the rollover counter) only if it
 * authenticates; the decision per packet is the one libsrtp2 takes when it
 * sees the packets one by one in this order.
 */
uint16_t sbc_srtp_unprotect_burst(struct sbc_srtp *e, struct rte_mbuf **pkts,
				  struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result);

/** Protect RTCP (compound packet, at least the 8-byte header): appends E
 * flag + SRTCP index and tag.  As sbc_srtp_protect_burst(). */
uint16_t sbc_srtp_protect_rtcp_burst(struct sbc_srtp *e, struct rte_mbuf **pkts,
				     struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result);

/** Unprotect SRTCP.  As sbc_srtp_unprotect_burst(). */
uint16_t sbc_srtp_unprotect_rtcp_burst(struct sbc_srtp *e, struct rte_mbuf **pkts,
				       struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result);

#endif /* SBC_DP_SRTP_H */
