/* SPDX-License-Identifier: BSD-3-Clause
 * The stream table: which local media endpoint belongs to which session,
 * and how packets arriving on it are checked and forwarded.
 *
 * One *stream* is one local endpoint: an RTP port and its RTCP port (the
 * next odd port), or a single port with rtcp-mux.  A session binds two
 * streams (A leg, B leg); a packet arriving on one is sent out of the other.
 *
 * Concurrency (DESIGN.md): the main lcore is the only writer.  Workers look
 * up streams in an rte_hash created with lock-free readers; the hash maps a
 * key to an immutable struct sbc_stream.  An update publishes a complete new
 * sbc_stream and retires the old one through an rte_rcu_qsbr defer queue;
 * deletes free the key slot, the sbc_stream and the endpoint's slot only
 * after every worker went through a quiescent state.  Per-stream mutable
 * state (latching, counters, RTP statistics) lives in struct
 * sbc_stream_state, indexed by slot, written only by the worker that owns
 * the stream's local port (see sbc_stream_owner()).
 */
#ifndef SBC_DP_STREAM_H
#define SBC_DP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <stdint.h>

#include <rte_atomic.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "dp_iface.h"
#include "rtp.h"
#include "sbc_api.h"

/*
 * Hash key: 16 bytes, so that rte_hash compares keys with one vector
 * compare instead of calling memcmp.  IPv4 streams carry the local address
 * itself; an IPv6 local address is always one of our interfaces', so IPv6
 * streams carry that interface's index instead of 16 address bytes (the
 * worker maps the destination address to it while parsing).
 */
struct sbc_stream_key {
	uint32_t addr;            /* IPv4: local address (network order); IPv6: iface index */
	rte_be16_t port;          /* even RTP port, network order */
	uint8_t family;           /* 4 or 6 */
	uint8_t pad[9];           /* zero */
} __rte_aligned(16);

#define SBC_STREAM_KEY_LEN 16

_Static_assert(sizeof(struct sbc_stream_key) == SBC_STREAM_KEY_LEN, "16-byte stream keys");

/*
 * Where and how to send RTP toward one leg's remote party: its latched
 * source once the main lcore learned it (see api_server.c), else its SDP
 * address.  The source MAC is the egress port's (sbc_worker.port_mac); the
 * RTCP ports live in the stream's second line (struct sbc_stream).
 */
struct sbc_stream_out {
	uint16_t port_id;
	uint8_t family;
	uint8_t mac_ok;           /* dst_mac known */
	struct rte_ether_addr dst_mac;
	rte_be16_t src_rtp_port;  /* our local endpoint on that leg */
	rte_be16_t dst_rtp_port;
	uint8_t pt_bitmap_only;   /* the PT map is the identity: pt_allowed says it all */
	uint8_t pad;
	uint8_t src_ip[16];
	uint8_t dst_ip[16];
};

/* sbc_stream.flags */
#define SBC_STREAM_F_RECV          0x01u  /* this leg accepts media (not inactive/recvonly hold) */
#define SBC_STREAM_F_SEND          0x02u  /* media may be sent toward the peer leg */
#define SBC_STREAM_F_RTCP_MUX      0x04u  /* this leg: RTCP on the RTP port */
#define SBC_STREAM_F_PEER_RTCP_MUX 0x08u  /* the peer leg: RTCP on the RTP port */
#define SBC_STREAM_F_REMOTE_SET    0x10u  /* signalled remote known (port != 0) */
#define SBC_STREAM_F_LEARN_REF     0x20u  /* learn/relearn: check_ip holds the learn scope */

/*
 * Published stream: immutable after publication.
 * Written by: main lcore (before publication); read: workers under RCU.
 * Line 0 holds everything an RTP packet of a latched (learn/relearn)
 * stream with an identity payload-type map reads; line 1 what strict mode,
 * RTCP, relearn, events and payload-type rewrites need.  The hash data says
 * whether a stream needs line 1 for RTP (SBC_STREAM_REF_WIDE), so that the
 * worker prefetches it only then.
 */
struct sbc_stream {
	/* line 0 */
	uint8_t latching;         /* enum sbc_api_latching */
	uint8_t flags;            /* SBC_STREAM_F_* */
	uint8_t n_pt_map;         /* rewrites applied toward the peer; 0 = no filter */
	uint8_t latch_gen;        /* a latch of another generation is void; never 0 */
	/*
	 * SRTP contexts (struct sbc_srtp_ctx) in the owning worker's array
	 * (sbc_worker.srtp_ctx), 0 = none: srtp_in unprotects what arrives
	 * on this leg (SRTP and SRTCP), srtp_out protects what goes to the
	 * peer.  The contexts themselves are the worker's mutable state; a
	 * re-key publishes a new object naming fresh ones.
	 */
	uint16_t srtp_in;
	uint16_t srtp_out;
	uint32_t pt_allowed[2];   /* identity maps: PTs 0-31 and 96-127 allowed */
	struct sbc_stream_out out;              /* toward the peer leg */
	/* line 1 */
	rte_be16_t out_src_rtcp_port;
	rte_be16_t out_dst_rtcp_port;
	uint32_t session_id;
	uint16_t relearn_gap_ms;  /* at most 60000 (config); clamped at publication */
	/* learn/relearn: a new source must share this many leading bits with
	 * check_ip (SBC_STREAM_F_LEARN_REF), 0 = any source */
	uint8_t learn_prefix;
	uint8_t pad1;
	/* Strict: the signalled remote of this leg, the only accepted source.
	 * Learn/relearn: the learn scope's address (the signalled remote or the
	 * signalling peer), compared on learn_prefix bits. */
	uint8_t check_ip[16];
	rte_be16_t remote_rtp_port;
	rte_be16_t remote_rtcp_port;
	struct sbc_api_pt_map pt_map[SBC_API_PT_MAP_MAX];
} __rte_cache_aligned;

_Static_assert(offsetof(struct sbc_stream, out_src_rtcp_port) == RTE_CACHE_LINE_SIZE,
	       "the hot part of a stream is one cache line");
_Static_assert(sizeof(struct sbc_stream) == 2 * RTE_CACHE_LINE_SIZE,
	       "a published stream is two cache lines");

/* Is payload type @pt in an identity map's allowed set? */
static inline bool sbc_stream_pt_allowed(const struct sbc_stream *s, unsigned int pt)
{
	if (pt < 32)
		return (s->pt_allowed[0] >> pt) & 1u;
	if (pt >= 96)
		return (s->pt_allowed[1] >> (pt - 96)) & 1u;
	return false;
}

/*
 * A latched source.  Written by the owning worker; read by the main lcore
 * (to publish it as the peer's destination, and for stats) under the
 * sequence count: odd while being written.
 */
struct sbc_latch {
	uint32_t seq;
	uint8_t valid;
	uint8_t gen;              /* sbc_stream.latch_gen when it was learnt */
	rte_be16_t port;
	uint8_t ip[16];
	struct rte_ether_addr mac;  /* the frame's source MAC: last hop back */
};

/*
 * "Last seen" times are kept as 32-bit TSC >> SBC_SEEN_SHIFT (about 25 µs at
 * 2.6 GHz; wraps after about 30 hours, compared with wrap-safe subtraction,
 * so any interval up to 15 hours is exact enough for timeouts and relearn).
 */
#define SBC_SEEN_SHIFT 16

static inline uint32_t sbc_seen(uint64_t tsc)
{
	return (uint32_t)(tsc >> SBC_SEEN_SHIFT);
}

/*
 * Mutable per-stream state.  Written by: owning worker only; read: main
 * (stats, latches).  No worker reads another stream's state, so no cache
 * line moves between workers on the fast path.  Line 0 holds everything an
 * RTP packet touches (counters, a copy of the latched RTP source for the
 * source check, RFC 3550 statistics); the full latches (with the sequence
 * count the main lcore reads them under) and the drop counters are cold.
 */
struct sbc_stream_state {
	/* line 0 */
	uint64_t packets;               /* accepted RTP+RTCP */
	uint64_t bytes;
	uint8_t latch_ip[16];           /* latched RTP source (copy of latch_rtp) */
	uint32_t last_seen;             /* sbc_seen() of the last accepted packet */
	rte_be16_t latch_port;
	uint8_t latch_gen;              /* generation latched; 0 = none */
	uint8_t spare;
	struct sbc_rtp_stats rtp;
	/* cold */
	struct sbc_latch latch_rtp __rte_cache_aligned;  /* RTP (and muxed RTCP) */
	struct sbc_latch latch_rtcp;
	uint64_t rtcp_packets;
	uint32_t latch_changes;
	uint32_t drops[SBC_DROP__COUNT];
	/* SRTP authentication failures in the one-second window that began at
	 * srtp_auth_window (sbc_seen()), and the SRTP_AUTH_BURST events raised
	 * (the last at srtp_auth_event). */
	uint32_t srtp_auth_window;
	uint32_t srtp_auth_fails;
	uint32_t srtp_auth_event;
	uint32_t srtp_auth_events;
	/* Learn attempts refused since the last LEARN_REFUSED event, raised at
	 * learn_refused_event (sbc_seen(), 0 = never). */
	uint32_t learn_refused_window;
	uint32_t learn_refused_event;
} __rte_cache_aligned;

_Static_assert(offsetof(struct sbc_stream_state, latch_rtp) == RTE_CACHE_LINE_SIZE,
	       "what every RTP packet touches fits one cache line");
_Static_assert(sizeof(struct sbc_stream_state) == 4 * RTE_CACHE_LINE_SIZE,
	       "a stream's state is four cache lines");

static inline struct sbc_latch *sbc_stream_latch(struct sbc_stream_state *st, bool rtcp)
{
	return rtcp ? &st->latch_rtcp : &st->latch_rtp;
}

struct sbc_stream_table;

/*
 * What the hash maps a key to: not a pointer but three 21-bit indices
 * packed in the 64-bit data word: the published object, this stream's
 * state slot and the peer's.  A worker can then prefetch all three cache
 * lines a packet needs right after the lookup, instead of discovering the
 * state slots one dependent load later.  The word is replaced atomically.
 */
#define SBC_STREAM_IDX_BITS 21
#define SBC_STREAM_IDX_MASK ((1u << SBC_STREAM_IDX_BITS) - 1)
/* Streams a table may hold: objects (streams + spares) must fit 21 bits. */
#define SBC_STREAM_TABLE_MAX 1900000u

/* Bit 63: RTP packets of this stream read the object's second line too. */
#define SBC_STREAM_REF_WIDE (1ull << 63)

static inline uint64_t sbc_stream_ref(uint32_t obj, uint32_t slot, uint32_t peer_slot)
{
	return ((uint64_t)obj << (2 * SBC_STREAM_IDX_BITS)) |
	       ((uint64_t)peer_slot << SBC_STREAM_IDX_BITS) | slot;
}

/* Does an RTP packet of @s read beyond the object's first line? */
static inline bool sbc_stream_is_wide(const struct sbc_stream *s)
{
	return s->latching == SBC_API_LATCH_STRICT ||
	       (s->n_pt_map != 0 && !s->out.pt_bitmap_only);
}

static inline uint32_t sbc_stream_ref_obj(uint64_t ref)
{
	return (uint32_t)(ref >> (2 * SBC_STREAM_IDX_BITS)) & SBC_STREAM_IDX_MASK;
}

static inline uint32_t sbc_stream_ref_slot(uint64_t ref)
{
	return (uint32_t)ref & SBC_STREAM_IDX_MASK;
}

static inline uint32_t sbc_stream_ref_peer(uint64_t ref)
{
	return (uint32_t)(ref >> SBC_STREAM_IDX_BITS) & SBC_STREAM_IDX_MASK;
}

/* The worker that owns a local port: RTP and its RTCP port go together. */
static inline unsigned int sbc_stream_owner(uint16_t local_port_host, unsigned int n_workers)
{
	return (local_port_host >> 1) % n_workers;
}

/**
 * Create the table for @max_streams streams on @socket.  @qsbr is the RCU
 * variable every worker reports to.  Main lcore.  Returns NULL on failure.
 */
struct sbc_stream_table *sbc_stream_table_create(const char *name, uint32_t max_streams,
						 struct rte_rcu_qsbr *qsbr, int socket);
void sbc_stream_table_destroy(struct sbc_stream_table *t);

/** The rte_hash workers look up in (lock-free readers). */
struct rte_hash *sbc_stream_table_hash(const struct sbc_stream_table *t);

/** Published objects (indexed by sbc_stream_ref_obj()). */
const struct sbc_stream *sbc_stream_table_objs(const struct sbc_stream_table *t);

/** Per-stream state array (indexed by slot). */
struct sbc_stream_state *sbc_stream_table_states(const struct sbc_stream_table *t);

/** Streams in use / capacity. */
uint32_t sbc_stream_table_count(const struct sbc_stream_table *t);
uint32_t sbc_stream_table_capacity(const struct sbc_stream_table *t);

/** Take a free slot (endpoint); -ENOSPC when full. Main lcore. */
int sbc_stream_slot_alloc(struct sbc_stream_table *t, uint32_t *slot);

/**
 * Give back at once a slot sbc_stream_slot_alloc() returned that was never
 * published: no worker can have seen it, so there is no grace period to
 * wait for (an ALLOC that fails part-way takes nothing).  Its state is
 * still the zeroed one it was handed out with.  Main lcore.
 */
void sbc_stream_slot_free(struct sbc_stream_table *t, uint32_t slot);

/**
 * Publish @s under @key for state @slot, whose session peer is @peer_slot:
 * inserts, or atomically replaces the stream the key maps to (the old one
 * is freed after a grace period).  @s is copied into a table-owned object.
 * Main lcore.  Returns 0, -ENOSPC or -EINVAL.
 */
int sbc_stream_publish(struct sbc_stream_table *t, const struct sbc_stream_key *key,
		       const struct sbc_stream *s, uint32_t slot, uint32_t peer_slot);

/** Currently published stream of @key, or NULL. Main lcore. */
const struct sbc_stream *sbc_stream_lookup(const struct sbc_stream_table *t,
					   const struct sbc_stream_key *key);

/**
 * Remove @key (if published) and return @slot to the free pool once every
 * worker is quiescent; the slot's state is zeroed before reuse.  Main lcore.
 */
void sbc_stream_release(struct sbc_stream_table *t, const struct sbc_stream_key *key,
			uint32_t slot);

/** Run deferred frees whose grace period ended. Main lcore, periodically. */
void sbc_stream_table_reclaim(struct sbc_stream_table *t);

/** Bytes of memory the table allocated (hash, objects, states). */
uint64_t sbc_stream_table_memory(const struct sbc_stream_table *t);

/* Latch helpers (seqcount). */
static inline void sbc_latch_write(struct sbc_latch *l, const uint8_t *ip, unsigned int iplen,
				   rte_be16_t port, const struct rte_ether_addr *mac, uint8_t gen)
{
	uint32_t seq = l->seq;

	/* Odd while writing; release ordering keeps readers from a torn copy. */
	__atomic_store_n(&l->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(l->ip, ip, iplen);
	l->port = port;
	l->mac = *mac;
	l->gen = gen;
	l->valid = 1;
	__atomic_store_n(&l->seq, seq + 2, __ATOMIC_RELEASE);
}

/* Copy a consistent latch; false when none is valid. */
static inline bool sbc_latch_read(const struct sbc_latch *l, struct sbc_latch *out)
{
	uint32_t s1, s2;

	do {
		s1 = __atomic_load_n(&l->seq, __ATOMIC_ACQUIRE);
		if (s1 & 1u) {
			rte_pause();
			continue;
		}
		*out = *l;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&l->seq, __ATOMIC_RELAXED);
	} while ((s1 & 1u) || s1 != s2);
	return out->valid != 0;
}

#endif /* SBC_DP_STREAM_H */
