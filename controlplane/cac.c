/* SPDX-License-Identifier: BSD-3-Clause
 * Call admission control (cac.h): token bucket, concurrent calls, and the
 * per-source request-rate table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cac.h"

/* One call in bucket units: a minute in ms, so that cpm units a ms is exact. */
#define CAC_UNITS_PER_CALL 60000u
#define CAC_CFG_MAX 1000000u

/* ------------------------------------------------------------------ */
/* Token bucket                                                        */

static bool bucket_params_ok(uint32_t cpm, uint32_t burst)
{
	return cpm >= 1 && cpm <= CAC_CFG_MAX && burst >= 1 && burst <= CAC_CFG_MAX;
}

static void bucket_refill(struct sbc_cac_bucket *b, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)b->burst * CAC_UNITS_PER_CALL;
	uint64_t elapsed, to_full;

	if (now_ms <= b->last_ms)
		return;
	elapsed = now_ms - b->last_ms;
	/*
	 * Compare the elapsed time with the time to fill rather than
	 * multiplying first: elapsed * cpm could wrap after a long idle.
	 */
	to_full = (cap - b->level + b->cpm - 1) / b->cpm;
	if (elapsed >= to_full)
		b->level = cap;
	else
		b->level += elapsed * b->cpm;
	b->last_ms = now_ms;
}

int sbc_cac_bucket_init(struct sbc_cac_bucket *b, uint32_t cpm, uint32_t burst,
			uint64_t now_ms)
{
	if (!bucket_params_ok(cpm, burst))
		return -EINVAL;
	b->cpm = cpm;
	b->burst = burst;
	b->level = (uint64_t)burst * CAC_UNITS_PER_CALL;
	b->last_ms = now_ms;
	return 0;
}

int sbc_cac_bucket_set(struct sbc_cac_bucket *b, uint32_t cpm, uint32_t burst,
		       uint64_t now_ms)
{
	uint64_t cap;

	if (!bucket_params_ok(cpm, burst))
		return -EINVAL;
	bucket_refill(b, now_ms);
	b->cpm = cpm;
	b->burst = burst;
	cap = (uint64_t)burst * CAC_UNITS_PER_CALL;
	if (b->level > cap)
		b->level = cap;
	return 0;
}

bool sbc_cac_bucket_take(struct sbc_cac_bucket *b, uint64_t now_ms,
			 uint32_t *retry_after_s)
{
	uint64_t wait_ms;

	bucket_refill(b, now_ms);
	if (b->level >= CAC_UNITS_PER_CALL) {
		b->level -= CAC_UNITS_PER_CALL;
		if (retry_after_s != NULL)
			*retry_after_s = 0;
		return true;
	}
	/* level < one call, so wait_ms is 1..60000 and the answer 1..60 s. */
	wait_ms = (CAC_UNITS_PER_CALL - b->level + b->cpm - 1) / b->cpm;
	if (retry_after_s != NULL)
		*retry_after_s = (uint32_t)((wait_ms + 999) / 1000);
	return false;
}

uint32_t sbc_cac_bucket_available(struct sbc_cac_bucket *b, uint64_t now_ms)
{
	bucket_refill(b, now_ms);
	return (uint32_t)(b->level / CAC_UNITS_PER_CALL);
}

/* ------------------------------------------------------------------ */
/* Concurrent calls                                                    */

void sbc_cac_calls_init(struct sbc_cac_calls *c, uint32_t max)
{
	c->active = 0;
	c->max = max;
}

void sbc_cac_calls_set_max(struct sbc_cac_calls *c, uint32_t max)
{
	c->max = max;
}

bool sbc_cac_calls_acquire(struct sbc_cac_calls *c, bool force)
{
	if (c->active == UINT32_MAX)
		return false;
	if (!force && c->max != 0 && c->active >= c->max)
		return false;
	c->active++;
	return true;
}

int sbc_cac_calls_release(struct sbc_cac_calls *c)
{
	if (c->active == 0)
		return -ERANGE;
	c->active--;
	return 0;
}

uint32_t sbc_cac_calls_active(const struct sbc_cac_calls *c)
{
	return c->active;
}

/* ------------------------------------------------------------------ */
/* A trunk                                                             */

int sbc_cac_trunk_init(struct sbc_cac_trunk *t, const struct sbc_cfg_trunk *cfg,
		       uint64_t now_ms)
{
	int rc;

	memset(t, 0, sizeof(*t));
	rc = sbc_cac_bucket_init(&t->cpm, cfg->cpm_limit, cfg->cpm_burst, now_ms);
	if (rc != 0)
		return rc;
	sbc_cac_calls_init(&t->calls, cfg->max_concurrent);
	return 0;
}

int sbc_cac_trunk_reconfigure(struct sbc_cac_trunk *t, const struct sbc_cfg_trunk *cfg,
			      uint64_t now_ms)
{
	int rc = sbc_cac_bucket_set(&t->cpm, cfg->cpm_limit, cfg->cpm_burst, now_ms);

	if (rc != 0)
		return rc;
	sbc_cac_calls_set_max(&t->calls, cfg->max_concurrent);
	return 0;
}

static enum sbc_cac_verdict trunk_verdict(struct sbc_cac_trunk *t, uint64_t now_ms,
					  bool emergency, uint32_t *retry_after_s)
{
	*retry_after_s = 0;
	if (emergency) {
		if (sbc_cac_calls_acquire(&t->calls, true))
			return SBC_CAC_ADMIT_EMERGENCY;
		/* Only at UINT32_MAX calls, which no trunk reaches. */
		*retry_after_s = SBC_CAC_BUSY_RETRY_AFTER_S;
		return SBC_CAC_OVER_CONCURRENT;
	}
	if (t->calls.max != 0 && t->calls.active >= t->calls.max) {
		*retry_after_s = SBC_CAC_BUSY_RETRY_AFTER_S;
		return SBC_CAC_OVER_CONCURRENT;
	}
	if (!sbc_cac_bucket_take(&t->cpm, now_ms, retry_after_s))
		return SBC_CAC_OVER_CPM;
	if (!sbc_cac_calls_acquire(&t->calls, false)) {
		/* Only at UINT32_MAX calls: give the token back. */
		t->cpm.level += CAC_UNITS_PER_CALL;
		*retry_after_s = SBC_CAC_BUSY_RETRY_AFTER_S;
		return SBC_CAC_OVER_CONCURRENT;
	}
	return SBC_CAC_ADMIT;
}

enum sbc_cac_verdict sbc_cac_trunk_admit(struct sbc_cac_trunk *t, uint64_t now_ms,
					 bool emergency, uint32_t *retry_after_s)
{
	uint32_t retry;
	enum sbc_cac_verdict v = trunk_verdict(t, now_ms, emergency, &retry);

	if (retry_after_s != NULL)
		*retry_after_s = retry;
	t->verdicts[v]++;
	return v;
}

int sbc_cac_trunk_release(struct sbc_cac_trunk *t)
{
	return sbc_cac_calls_release(&t->calls);
}

#define SBC_CAC_VERDICT_NAME(e, n) [e] = n,
static const char *const cac_verdict_names[] = {
	SBC_CAC_VERDICTS(SBC_CAC_VERDICT_NAME)
};
#undef SBC_CAC_VERDICT_NAME

const char *sbc_cac_verdict_name(enum sbc_cac_verdict v)
{
	return (unsigned int)v < SBC_CAC_VERDICT__COUNT ? cac_verdict_names[v] : "?";
}

bool sbc_cac_verdict_admits(enum sbc_cac_verdict v)
{
	return v == SBC_CAC_ADMIT || v == SBC_CAC_ADMIT_EMERGENCY;
}

/* ------------------------------------------------------------------ */
/* Per-source request rate                                             */

struct pike_entry {
	uint64_t last_ms;             /* last request seen: LRU order */
	uint64_t blocked_until;       /* refused while now < this */
	uint64_t win;                 /* index of the current window (now / window_ms) */
	uint32_t cur;                 /* requests in window win */
	uint32_t prev;                /* requests in window win - 1 */
	uint8_t key[16];              /* the address, IPv6 masked to the prefix */
	uint8_t family;               /* 0 = free */
} __attribute__((aligned(64)));

struct sbc_pike {
	struct sbc_pike_params p;
	uint32_t set_mask;            /* sets - 1 (sets is a power of two) */
	uint64_t k0, k1;              /* SipHash key */
	struct sbc_pike_stats st;
	struct pike_entry *e;         /* entries = sets * SBC_PIKE_WAYS */
};

static uint64_t rotl64(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32); \
	v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32); \
} while (0)

/* SipHash-2-4 (Aumasson and Bernstein, 2012) of @len bytes. */
static uint64_t siphash24(uint64_t k0, uint64_t k1, const uint8_t *in, size_t len)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
	uint64_t m, last = (uint64_t)len << 56;
	size_t i, full = len & ~(size_t)7;

	for (i = 0; i < full; i += 8) {
		m = 0;
		for (unsigned int j = 0; j < 8; j++)
			m |= (uint64_t)in[i + j] << (8 * j);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (unsigned int j = 0; i + j < len; j++)
		last |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= last;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= last;
	v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

static bool pike_params_ok(const struct sbc_pike_params *p)
{
	return p->threshold >= 1 && p->window_ms >= 1 && p->window_ms <= 3600000u &&
	       p->block_ms >= 1 && p->block_ms <= 86400000u &&
	       p->entries >= SBC_PIKE_WAYS && p->entries <= SBC_PIKE_ENTRIES_MAX &&
	       p->ipv6_prefix_len >= 32 && p->ipv6_prefix_len <= 128;
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t v = 1;

	while (v < n)
		v <<= 1;
	return v;
}

struct sbc_pike *sbc_pike_create(const struct sbc_pike_params *p)
{
	struct sbc_pike *pk;
	uint32_t n;
	uint64_t key[2];

	if (p == NULL || !pike_params_ok(p)) {
		errno = EINVAL;
		return NULL;
	}
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
		errno = EIO;
		return NULL;
	}
	pk = calloc(1, sizeof(*pk));
	if (pk == NULL)
		return NULL;
	n = pow2_at_least(p->entries);
	pk->e = aligned_alloc(64, (size_t)n * sizeof(struct pike_entry));
	if (pk->e == NULL) {
		free(pk);
		errno = ENOMEM;
		return NULL;
	}
	memset(pk->e, 0, (size_t)n * sizeof(struct pike_entry));
	pk->p = *p;
	pk->p.entries = n;
	pk->set_mask = n / SBC_PIKE_WAYS - 1;
	pk->k0 = key[0];
	pk->k1 = key[1];
	pk->st.entries = n;
	return pk;
}

void sbc_pike_destroy(struct sbc_pike *pk)
{
	if (pk == NULL)
		return;
	free(pk->e);
	free(pk);
}

int sbc_pike_reconfigure(struct sbc_pike *pk, const struct sbc_pike_params *p)
{
	struct sbc_pike_params np;

	if (p == NULL || !pike_params_ok(p) || pow2_at_least(p->entries) != pk->p.entries)
		return -EINVAL;
	np = *p;
	np.entries = pk->p.entries;
	if (np.ipv6_prefix_len != pk->p.ipv6_prefix_len) {
		/* Keys were masked with the old length: they no longer compare. */
		memset(pk->e, 0, (size_t)pk->p.entries * sizeof(struct pike_entry));
		pk->st.in_use = 0;
	}
	/* Windows of another length: counts restart, blocks stay. */
	if (np.window_ms != pk->p.window_ms) {
		for (uint32_t i = 0; i < pk->p.entries; i++) {
			pk->e[i].cur = 0;
			pk->e[i].prev = 0;
			pk->e[i].win = 0;
		}
	}
	pk->p = np;
	return 0;
}

/* The table key of @src: 0 when it has no usable family. */
static uint8_t pike_key(const struct sbc_pike *pk, const struct sbc_ip *src, uint8_t key[16])
{
	uint32_t bits, i;

	memset(key, 0, 16);
	if (src == NULL)
		return 0;
	if (src->family == 4) {
		memcpy(key, src->bytes, 4);
		return 4;
	}
	if (src->family != 6)
		return 0;
	bits = pk->p.ipv6_prefix_len;
	for (i = 0; i < bits / 8; i++)
		key[i] = src->bytes[i];
	if (bits % 8)
		key[i] = src->bytes[i] & (uint8_t)(0xff00u >> (bits % 8));
	return 6;
}

static struct pike_entry *pike_set(const struct sbc_pike *pk, uint8_t family,
				   const uint8_t key[16])
{
	uint8_t in[17];
	uint64_t h;

	in[0] = family;
	memcpy(in + 1, key, 16);
	h = siphash24(pk->k0, pk->k1, in, sizeof(in));
	return &pk->e[(size_t)(h & pk->set_mask) * SBC_PIKE_WAYS];
}

static struct pike_entry *pike_find(struct pike_entry *set, uint8_t family,
				    const uint8_t key[16])
{
	for (unsigned int w = 0; w < SBC_PIKE_WAYS; w++)
		if (set[w].family == family && memcmp(set[w].key, key, 16) == 0)
			return &set[w];
	return NULL;
}

/*
 * Where a new source goes in a full set (order documented in cac.h).  The
 * least recently seen entry that is not blocked is also the one whose
 * counts weigh least: an entry whose windows have all passed was seen
 * before any entry whose window is still counted.
 */
static struct pike_entry *pike_victim(struct sbc_pike *pk, struct pike_entry *set,
				      uint64_t now_ms)
{
	struct pike_entry *lru = NULL, *blocked = NULL;

	for (unsigned int w = 0; w < SBC_PIKE_WAYS; w++) {
		struct pike_entry *e = &set[w];

		if (e->family == 0)
			return e;
		if (now_ms >= e->blocked_until) {
			if (lru == NULL || e->last_ms < lru->last_ms)
				lru = e;
		} else if (blocked == NULL || e->blocked_until < blocked->blocked_until) {
			blocked = e;
		}
	}
	pk->st.evicted++;
	if (lru != NULL)
		return lru;
	pk->st.evicted_blocked++;
	return blocked;
}

enum sbc_pike_verdict sbc_pike_check(struct sbc_pike *pk, const struct sbc_ip *src,
				     uint64_t now_ms)
{
	const uint64_t W = pk->p.window_ms;
	struct pike_entry *set, *e;
	uint8_t key[16], family;
	uint64_t w, elapsed, estimate;
	enum sbc_pike_verdict v;
	bool was_blocked;

	family = pike_key(pk, src, key);
	if (family == 0) {
		pk->st.verdicts[SBC_PIKE_ALLOW]++;
		return SBC_PIKE_ALLOW;
	}
	set = pike_set(pk, family, key);
	e = pike_find(set, family, key);
	if (e == NULL) {
		e = pike_victim(pk, set, now_ms);
		if (e->family == 0)
			pk->st.in_use++;
		memset(e, 0, sizeof(*e));
		e->family = family;
		memcpy(e->key, key, 16);
		e->win = now_ms / W;
	}

	w = now_ms / W;
	if (w < e->win)
		w = e->win;           /* the clock went back: stay in the window */
	if (w == e->win) {
		if (e->cur < UINT32_MAX)
			e->cur++;
	} else {
		e->prev = w == e->win + 1 ? e->cur : 0;
		e->cur = 1;
		e->win = w;
	}
	elapsed = now_ms > w * W ? now_ms - w * W : 0;
	/* prev < 2^32 and W <= 3.6e6: no product here can wrap 64 bits. */
	estimate = (uint64_t)e->prev * (W - elapsed) + (uint64_t)e->cur * W;
	if (now_ms > e->last_ms)
		e->last_ms = now_ms;

	was_blocked = now_ms < e->blocked_until;
	if (estimate > (uint64_t)pk->p.threshold * W) {
		e->blocked_until = now_ms + pk->p.block_ms;
		v = was_blocked ? SBC_PIKE_BLOCKED : SBC_PIKE_BLOCK_START;
	} else {
		v = was_blocked ? SBC_PIKE_BLOCKED : SBC_PIKE_ALLOW;
	}
	pk->st.verdicts[v]++;
	return v;
}

bool sbc_pike_is_blocked(const struct sbc_pike *pk, const struct sbc_ip *src,
			 uint64_t now_ms)
{
	const struct pike_entry *e;
	uint8_t key[16], family;

	family = pike_key(pk, src, key);
	if (family == 0)
		return false;
	e = pike_find(pike_set(pk, family, key), family, key);
	return e != NULL && now_ms < e->blocked_until;
}

void sbc_pike_get_stats(const struct sbc_pike *pk, struct sbc_pike_stats *st)
{
	*st = pk->st;
}

size_t sbc_pike_memory(const struct sbc_pike *pk)
{
	return sizeof(*pk) + (size_t)pk->p.entries * sizeof(struct pike_entry);
}

#define SBC_PIKE_VERDICT_NAME(e, n) [e] = n,
static const char *const pike_verdict_names[] = {
	SBC_PIKE_VERDICTS(SBC_PIKE_VERDICT_NAME)
};
#undef SBC_PIKE_VERDICT_NAME

const char *sbc_pike_verdict_name(enum sbc_pike_verdict v)
{
	return (unsigned int)v < SBC_PIKE_VERDICT__COUNT ? pike_verdict_names[v] : "?";
}
