/* SPDX-License-Identifier: BSD-3-Clause
 * Call admission control: per-trunk calls-per-minute (a token bucket) and
 * concurrent calls, and a per-source request-rate limiter for traffic that
 * is not yet authenticated (sources that flood get blocked for a while).
 *
 * Time is always passed in (milliseconds of a monotonic clock, e.g.
 * CLOCK_MONOTONIC), never read here, so every decision is reproducible.
 * All arithmetic is integer and exact.
 *
 * Thread: none of these objects locks; each belongs to one thread (the
 * B2BUA's su_root thread).  struct sbc_cac_bucket and struct
 * sbc_cac_calls are small value types, public only so that they can be
 * embedded in per-trunk state without an allocation: their members are
 * private to cac.c, use the functions.
 */
#ifndef SBC_CAC_H
#define SBC_CAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbc_addr.h"
#include "sbc_config.h"

/* ------------------------------------------------------------------ */
/* Calls per minute: token bucket                                      */

/*
 * Capacity @burst calls, refilled at @cpm calls per 60 s.  Internally a
 * call is 60000 units and every millisecond adds @cpm units, so the
 * refill is exact: at 200 CPM a token comes back every 300 ms.
 */
struct sbc_cac_bucket {
	uint64_t level;               /* units; 60000 per call */
	uint64_t last_ms;             /* time of the last refill */
	uint32_t cpm;
	uint32_t burst;
};

/**
 * Start a full bucket (@burst calls available at @now_ms).
 * Returns 0, or -EINVAL when @cpm or @burst is 0 or either exceeds
 * 1000000 (the config bounds).
 */
int sbc_cac_bucket_init(struct sbc_cac_bucket *b, uint32_t cpm, uint32_t burst,
			uint64_t now_ms);

/**
 * Change the rate on a config reload: tokens earned until @now_ms at the
 * old rate are kept, then capped at the new @burst.  Returns 0 or -EINVAL
 * (the bucket is unchanged).
 */
int sbc_cac_bucket_set(struct sbc_cac_bucket *b, uint32_t cpm, uint32_t burst,
		       uint64_t now_ms);

/**
 * Take one call's token at @now_ms.  true: admitted.  false: refused, and
 * *@retry_after_s (may be NULL) is the number of whole seconds, at least 1,
 * until a token will be available (the Retry-After of the 503), rounded
 * up.  A clock that goes backwards counts as no time passing.
 */
bool sbc_cac_bucket_take(struct sbc_cac_bucket *b, uint64_t now_ms,
			 uint32_t *retry_after_s);

/** Whole calls available at @now_ms (refills first). */
uint32_t sbc_cac_bucket_available(struct sbc_cac_bucket *b, uint64_t now_ms);

/* ------------------------------------------------------------------ */
/* Concurrent calls                                                    */

struct sbc_cac_calls {
	uint32_t active;
	uint32_t max;                 /* 0 = unlimited */
};

/** Start with no call and the limit @max (0 = unlimited). */
void sbc_cac_calls_init(struct sbc_cac_calls *c, uint32_t max);

/** Change the limit (reload); calls in progress are kept, never cut. */
void sbc_cac_calls_set_max(struct sbc_cac_calls *c, uint32_t max);

/**
 * Count one more call.  Refused (false, nothing counted) when the limit is
 * reached, unless @force (emergency calls: counted, never refused).  Also
 * false when the counter would wrap (UINT32_MAX calls).
 */
bool sbc_cac_calls_acquire(struct sbc_cac_calls *c, bool force);

/**
 * Count one call less.  Returns 0, or -ERANGE when no call was counted (a
 * release without acquire: a bug in the caller; the counter stays at 0).
 */
int sbc_cac_calls_release(struct sbc_cac_calls *c);

/** Calls counted now. */
uint32_t sbc_cac_calls_active(const struct sbc_cac_calls *c);

/* ------------------------------------------------------------------ */
/* A trunk: both limits, emergency calls exempt                        */

/* Retry-After offered with a 503 for the concurrent-call limit: when a call
 * ends is not known, so a fixed, short value. */
#define SBC_CAC_BUSY_RETRY_AFTER_S 5

/* Verdicts of sbc_cac_trunk_admit(): enum, name (counter/log key). */
#define SBC_CAC_VERDICTS(X) \
	X(SBC_CAC_ADMIT, "admitted") \
	X(SBC_CAC_ADMIT_EMERGENCY, "emergency") \
	X(SBC_CAC_OVER_CPM, "over_cpm") \
	X(SBC_CAC_OVER_CONCURRENT, "over_concurrent")

#define SBC_CAC_VERDICT_ENUM(e, n) e,
enum sbc_cac_verdict {
	SBC_CAC_VERDICTS(SBC_CAC_VERDICT_ENUM)
	SBC_CAC_VERDICT__COUNT
};
#undef SBC_CAC_VERDICT_ENUM

struct sbc_cac_trunk {
	struct sbc_cac_bucket cpm;
	struct sbc_cac_calls calls;
	uint64_t verdicts[SBC_CAC_VERDICT__COUNT];   /* counters, by verdict */
};

/**
 * Limits from a trunk's config (cpm_limit, cpm_burst, max_concurrent).
 * Returns 0 or -EINVAL (values outside the config bounds).
 */
int sbc_cac_trunk_init(struct sbc_cac_trunk *t, const struct sbc_cfg_trunk *cfg,
		       uint64_t now_ms);

/** Reload: new limits, calls in progress and earned tokens kept. 0 or -EINVAL. */
int sbc_cac_trunk_reconfigure(struct sbc_cac_trunk *t, const struct sbc_cfg_trunk *cfg,
			      uint64_t now_ms);

/**
 * Admit a new call (an initial INVITE) on the trunk.
 *  SBC_CAC_ADMIT: admitted; one token taken, one call counted.
 *  SBC_CAC_ADMIT_EMERGENCY: @emergency; always admitted, no token taken,
 *    counted as a call (so release is the same for every admitted call).
 *  SBC_CAC_OVER_CONCURRENT: refused (503), nothing taken;
 *    *@retry_after_s = SBC_CAC_BUSY_RETRY_AFTER_S.
 *  SBC_CAC_OVER_CPM: refused (503), nothing counted; *@retry_after_s as
 *    sbc_cac_bucket_take().
 * The concurrent limit is checked first so a call refused for it does not
 * spend a token.  @retry_after_s may be NULL; it is 0 on admission.
 */
enum sbc_cac_verdict sbc_cac_trunk_admit(struct sbc_cac_trunk *t, uint64_t now_ms,
					 bool emergency, uint32_t *retry_after_s);

/** An admitted call ended. Returns 0 or -ERANGE (see sbc_cac_calls_release()). */
int sbc_cac_trunk_release(struct sbc_cac_trunk *t);

/** "admitted", "emergency", "over_cpm", "over_concurrent"; "?" if unknown. */
const char *sbc_cac_verdict_name(enum sbc_cac_verdict v);

/** true for the two admitting verdicts. */
bool sbc_cac_verdict_admits(enum sbc_cac_verdict v);

/* ------------------------------------------------------------------ */
/* Per-source request rate (unauthenticated traffic)                   */

/*
 * A fixed table of sources (no growth, no allocation after create):
 * SBC_PIKE_WAYS-way set-associative, the set chosen by SipHash-2-4 of the
 * source under a random per-table key so that nobody can aim many
 * addresses at one set.  Every check is O(SBC_PIKE_WAYS) = O(1).
 * Memory: sbc_pike_memory() = sizeof the table header +
 * entries * 64 bytes (entries rounded up to a power of two).
 *
 * IPv6 sources are keyed by their first ipv6_prefix_len bits (64 by
 * default in the config): one host owns a whole /64, and counting each of
 * its addresses apart would let it walk past the limit and flush the
 * table.  IPv4 sources are keyed by the full address.
 *
 * Counting: windows of window_ms aligned on multiples of window_ms; the
 * rate at time t is estimated from the current and previous windows as
 *     prev * (window_ms - elapsed) / window_ms + cur
 * (elapsed = time since the current window began), compared without
 * division: prev * (window_ms - elapsed) + cur * window_ms >
 * threshold * window_ms.  So a source never gets 2 * threshold through
 * around a window boundary, as plain fixed windows would allow.
 *
 * A request whose estimate (itself included) is over threshold
 * (re)starts a block: blocked_until = now + block_ms.  Requests are
 * refused while now < blocked_until.  Refused requests are counted too,
 * so a source that keeps flooding stays blocked; one that goes quiet is
 * let through block_ms after its last over-limit request.
 *
 * Table full (all ways of the set in use): the new source takes the place
 * of the least recently seen entry that is not blocked (the one whose
 * counts weigh least), else, when all are blocked, of the blocked entry
 * whose block ends first (stats: evicted_blocked).  Blocked sources are
 * thus the last to be forgotten; with the keyed hash nobody can aim
 * enough addresses at one set to flush a chosen entry.
 */
#define SBC_PIKE_WAYS 8
#define SBC_PIKE_ENTRIES_MAX (1u << 24)

struct sbc_pike;

struct sbc_pike_params {
	uint32_t threshold;           /* requests per window allowed, >= 1 */
	uint32_t window_ms;           /* 1..3600000 */
	uint32_t block_ms;            /* 1..86400000 */
	uint32_t entries;             /* sources tracked, SBC_PIKE_WAYS..SBC_PIKE_ENTRIES_MAX */
	uint32_t ipv6_prefix_len;     /* 32..128 */
};

#define SBC_PIKE_VERDICTS(X) \
	X(SBC_PIKE_ALLOW, "allowed") \
	X(SBC_PIKE_BLOCK_START, "block_start") \
	X(SBC_PIKE_BLOCKED, "blocked")

#define SBC_PIKE_VERDICT_ENUM(e, n) e,
enum sbc_pike_verdict {
	SBC_PIKE_VERDICTS(SBC_PIKE_VERDICT_ENUM)
	SBC_PIKE_VERDICT__COUNT
};
#undef SBC_PIKE_VERDICT_ENUM

struct sbc_pike_stats {
	uint64_t verdicts[SBC_PIKE_VERDICT__COUNT];
	uint64_t evicted;             /* entries replaced by a new source */
	uint64_t evicted_blocked;     /* of which were blocked */
	uint32_t entries;             /* table size (after rounding) */
	uint32_t in_use;              /* entries holding a source */
};

/**
 * A new table, the hash key from the system's random source.
 * Returns NULL on invalid parameters (errno EINVAL) or no memory (ENOMEM).
 * Owned by the caller: sbc_pike_destroy().
 */
struct sbc_pike *sbc_pike_create(const struct sbc_pike_params *p);

/** Free; NULL allowed. */
void sbc_pike_destroy(struct sbc_pike *pk);

/**
 * Change threshold, window_ms, block_ms and ipv6_prefix_len (reload);
 * entries must be the table's (a different size needs a new table).  The
 * sources tracked and their blocks are kept, except that a change of
 * ipv6_prefix_len forgets every source.  Returns 0 or -EINVAL (unchanged).
 */
int sbc_pike_reconfigure(struct sbc_pike *pk, const struct sbc_pike_params *p);

/**
 * Count one request from @src at @now_ms and say whether to serve it:
 *  SBC_PIKE_ALLOW: serve it.
 *  SBC_PIKE_BLOCK_START: refuse it; this request put a source that was
 *    not blocked over the limit (log it once here, not per request).
 *  SBC_PIKE_BLOCKED: refuse it (already blocked).
 * A @src of family 0 (unknown) is allowed and not counted.
 */
enum sbc_pike_verdict sbc_pike_check(struct sbc_pike *pk, const struct sbc_ip *src,
				     uint64_t now_ms);

/** true when @src is blocked at @now_ms; counts nothing (for sbcctl/tests). */
bool sbc_pike_is_blocked(const struct sbc_pike *pk, const struct sbc_ip *src,
			 uint64_t now_ms);

/** Counters and occupancy. */
void sbc_pike_get_stats(const struct sbc_pike *pk, struct sbc_pike_stats *st);

/** Bytes allocated by the table (its memory bound). */
size_t sbc_pike_memory(const struct sbc_pike *pk);

/** "allowed", "block_start", "blocked"; "?" if unknown. */
const char *sbc_pike_verdict_name(enum sbc_pike_verdict v);

#endif /* SBC_CAC_H */
