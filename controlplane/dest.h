/* SPDX-License-Identifier: BSD-3-Clause
 * Where a trunk's calls go (RFC 3263), as plain C with no Sofia-SIP and
 * no DNS of its own (tests/unit/test_dest.c): the configured targets
 * parsed, the DNS answers ordered (NAPTR by order and preference, SRV by
 * priority and RFC 2782 weighted random choice), and the state of each
 * resolved destination kept across calls (a 503's Retry-After, OPTIONS
 * keepalive up/down).  controlplane/locate.c asks the DNS and walks a
 * call through its destinations with these.
 *
 * Thread: every function is pure over its arguments, or touches only the
 * table it is given (the su_root thread's).
 */
#ifndef SBC_DEST_H
#define SBC_DEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbc_addr.h"
#include "sbc_config.h"

#define SBC_DEST_NAME_MAX 256      /* a DNS name, NUL included */
#define SBC_DEST_MAX 16            /* destinations one call may try */
#define SBC_DEST_TABLE_MAX 32      /* destinations remembered per trunk */

/* One configured target ("host", "host:port", "sip:user@host;transport=tcp", "[v6]:port"). */
struct sbc_target_spec {
	char host[SBC_DEST_NAME_MAX];  /* a name, or an IP literal without brackets */
	uint16_t port;                 /* 0: none written (RFC 3263 decides) */
	uint32_t transport;            /* enum sbc_transport: the trunk's */
	bool numeric;                  /* host is an IP literal (ip holds it) */
	struct sbc_ip ip;
};

/**
 * Parse @target for a trunk whose transport is @transport: its host and
 * port (a user part and URI parameters are ignored).  The trunk's transport
 * decides (it decides whether SRTP keys may travel), so a ";transport=" the
 * target names does not change it (routing.h).  -EINVAL when it is not a
 * target.
 */
int sbc_target_parse(const char *target, uint32_t transport, struct sbc_target_spec *out);

/** 5061 for TLS, 5060 otherwise (RFC 3261 §19.1.2). */
uint16_t sbc_transport_default_port(uint32_t transport);

/** The NAPTR service of @transport: "SIPS+D2T", "SIP+D2T" or "SIP+D2U" (RFC 3263 §4.1). */
const char *sbc_naptr_service(uint32_t transport);

/** The SRV prefix of @transport: "_sips._tcp.", "_sip._tcp." or "_sip._udp.". */
const char *sbc_srv_prefix(uint32_t transport);

struct sbc_naptr {
	uint16_t order, pref;
	char flags[8];
	char service[32];
	char replacement[SBC_DEST_NAME_MAX];
};

/**
 * The records of @v to follow for @transport: flag "s", the transport's
 * service (any case), a replacement that is not "."; their indexes into
 * @idx (at most @max) by order, then preference, ties in the order given.
 * Returns how many.
 */
size_t sbc_naptr_select(const struct sbc_naptr *v, size_t n, uint32_t transport,
			size_t *idx, size_t max);

struct sbc_srv {
	uint16_t prio, weight, port;
	char target[SBC_DEST_NAME_MAX];
};

/** A uniform random number in [0, bound]. */
typedef uint32_t (*sbc_rand_fn)(void *ctx, uint32_t bound);

/**
 * Order @v in place as RFC 2782 says a client tries them: by priority
 * (lowest first); within a priority, a weighted random choice without
 * replacement (zero weights first in the running sum, so they are chosen
 * rarely but can be).  Records whose target is "." (no service) are
 * dropped.  Returns the records left.
 */
size_t sbc_srv_order(struct sbc_srv *v, size_t n, sbc_rand_fn rnd, void *ctx);

/* What identifies one resolved destination. */
struct sbc_dest_key {
	struct sbc_ip ip;
	uint16_t port;
	uint32_t transport;
};

/* One destination of a call: where the INVITE goes and for which target. */
struct sbc_dest {
	struct sbc_dest_key key;
	char name[SBC_DEST_NAME_MAX];  /* the target's host as configured (TLS identity, Request-URI) */
	uint32_t target;               /* index into the trunk's targets */
	uint32_t ttl_s;                /* of the address record */
};

/* A destination's state across calls (one trunk's table). */
struct sbc_dest_state {
	struct sbc_dest_key key;
	char name[SBC_DEST_NAME_MAX];
	uint64_t retry_until_ms;       /* a 503's Retry-After: unusable before this */
	uint64_t last_seen_ms;         /* last time a call or a keepalive used it */
	uint64_t expires_ms;           /* when its address record's TTL runs out */
	bool down;                     /* OPTIONS keepalive: marked down */
	uint32_t fails, oks;           /* consecutive keepalive results */
	uint32_t rtt_ms;               /* last keepalive round trip; 0 = none */
	uint64_t attempts, failovers;  /* INVITEs sent to it, attempts given up on it */
	uint64_t state_changes;
};

struct sbc_dest_table {
	struct sbc_dest_state e[SBC_DEST_TABLE_MAX];
	uint32_t n;
};

bool sbc_dest_key_equal(const struct sbc_dest_key *a, const struct sbc_dest_key *b);

/** @k's state in @t, NULL when not there. */
struct sbc_dest_state *sbc_dest_find(struct sbc_dest_table *t, const struct sbc_dest_key *k);

/**
 * @k's state in @t, added when absent (replacing the least recently seen
 * entry that is neither down nor held by a Retry-After, else the least
 * recently seen).  Never NULL.
 */
struct sbc_dest_state *sbc_dest_get(struct sbc_dest_table *t, const struct sbc_dest_key *k,
				    const char *name, uint64_t now_ms);

/** Whether a call may be sent to @d now: not down, no Retry-After running. */
bool sbc_dest_usable(const struct sbc_dest_state *d, uint64_t now_ms);

/** A 503 with Retry-After @secs (RFC 3261 §21.5.4): unusable until then. */
void sbc_dest_retry_after(struct sbc_dest_state *d, uint64_t now_ms, uint32_t secs);

/**
 * A keepalive result: @ok or not.  Marked down after @down_after failures
 * in a row, up again after @up_after successes in a row.  Returns true when
 * the state changed.
 */
bool sbc_dest_keepalive(struct sbc_dest_state *d, bool ok, uint32_t down_after,
			uint32_t up_after);

/**
 * The first destination of @v[from..n) a call may use now (its state in
 * @t; one never seen is usable), or -1.  With none, *@wait_s is the least
 * Retry-After left among those skipped for one (0 when none was), for the
 * caller's 503.
 */
int sbc_dest_next(const struct sbc_dest *v, size_t n, size_t from, struct sbc_dest_table *t,
		  uint64_t now_ms, uint32_t *wait_s);

/** Append @d to @v (length *@n, room @max) unless its key is there already.  false: dropped. */
bool sbc_dest_add(struct sbc_dest *v, size_t *n, size_t max, const struct sbc_dest *d);

#endif /* SBC_DEST_H */
