/* SPDX-License-Identifier: BSD-3-Clause
 * Layout of struct sbc_dp: only the dataplane sources include this.
 */
#ifndef SBC_DP_PRIV_H
#define SBC_DP_PRIV_H

#include <rte_rcu_qsbr.h>

#include "dp.h"

struct sbc_host;

/* Endpoint bookkeeping: main lcore only. */
struct sbc_dp_endpoint {
	uint32_t session_id;      /* 0 = allocated, not bound */
	uint16_t iface;
	uint16_t rtp_port;        /* host order, even */
	uint8_t family;
	uint8_t rtcp_mux;
	uint8_t used;
	uint8_t published;
	uint8_t leg;              /* 0 = A, 1 = B within its session */
};

struct sbc_dp_session {
	uint32_t slot[2];         /* endpoint slots of leg A and B */
	uint32_t media_timeout_ms;
	uint64_t bound_ms;
	uint8_t used;
	uint8_t timed_out;        /* event sent */
	uint8_t needs_mac;        /* a leg waits for next-hop resolution */
	uint8_t needs_retry;      /* the last publish found no free object */
	uint8_t latch_gen[2];     /* bumped when a leg's SDP address changes */
	struct sbc_api_leg leg[2];
	/* Sources the workers latched, as last published: [leg][rtp, rtcp]. */
	struct sbc_latch learned[2][2];
	/*
	 * SRTP contexts of each leg's stream as published, in the pool of the
	 * stream's owner worker: [leg][SBC_DP_SRTP_IN, SBC_DP_SRTP_OUT], 0 =
	 * none.  srtp_rekey[leg] bit d: the keys of [leg][d] changed since
	 * (an UPDATE): the next publish makes a fresh context.  Contexts
	 * whose keys did not change carry on (rollover counter, replay
	 * window) across publishes.
	 */
	uint16_t srtp_ctx[2][2];
	uint8_t srtp_rekey[2];
};

#define SBC_DP_SRTP_IN  0     /* unprotect what arrives on the leg */
#define SBC_DP_SRTP_OUT 1     /* protect what goes to the peer leg */

/* A worker's SRTP contexts, as the main lcore hands them out. */
struct sbc_dp_srtp_pool {
	uint16_t *free;           /* stack of free indices (1..n) */
	uint32_t n_free;
	uint32_t n;
};

struct sbc_dp_port_pool {     /* free RTP port pairs of one interface */
	uint16_t *free;           /* the free even ports, in no order */
	uint32_t *pos;            /* per pair (port - lo) / 2: its index in free, or
	                             UINT32_MAX while taken */
	uint32_t n_free;
	uint32_t pairs;
	uint16_t lo;
};

#define SBC_DP_MAX_CLIENTS 8

struct sbc_dp {
	const struct sbc_config *cfg;
	struct rte_mempool *mp;
	struct rte_rcu_qsbr *qsbr;
	struct sbc_stream_table *streams;
	struct sbc_host *host;
	struct rte_ring *host_ring;         /* workers → main: ARP/NDP/ICMP */

	/* Read-only after create: */
	struct sbc_dp_iface ifaces[SBC_DP_MAX_IFACES];
	unsigned int n_ifaces;
	struct sbc_dp_port ports[SBC_DP_MAX_PORTS];
	unsigned int n_ports;
	uint16_t port_index[RTE_MAX_ETHPORTS]; /* port_id → ports[] + 1, 0 = not ours */
	struct sbc_worker *workers[SBC_DP_MAX_WORKERS];
	unsigned int n_workers;
	uint64_t tsc_hz;

	/* Main lcore only: */
	struct sbc_dp_endpoint *endpoints;  /* [max_streams], by slot */
	struct sbc_dp_session *sessions;    /* [max_sessions], id = index + 1 */
	uint32_t max_sessions;
	uint32_t *free_sessions;
	uint32_t n_free_sessions;
	struct sbc_dp_port_pool pools[SBC_DP_MAX_IFACES];
	struct sbc_dp_srtp_pool srtp_pools[SBC_DP_MAX_WORKERS];
	struct rte_rcu_qsbr_dq *srtp_dq;    /* contexts waiting for their grace period */
	int srtp_dev;                       /* cryptodev engine's device, -1 = none */
	uint64_t host_generation;           /* neighbour table generation seen */
	uint8_t republish_pending;          /* a publish waits for objects */
	uint32_t timeout_cursor;
	uint64_t next_timeout_scan_ms;
	uint64_t next_resolve_ms;
	uint16_t main_txq;
	int listen_fd;
	int clients[SBC_DP_MAX_CLIENTS];
	/*
	 * An answer a client's socket had no room for (it reads more slowly
	 * than it pipelines): kept and sent when the socket is writable; no
	 * request of that client is read meanwhile (backpressure, never a
	 * dropped answer).  Main lcore only.
	 */
	size_t client_pend_len[SBC_DP_MAX_CLIENTS];
	_Alignas(8) uint8_t client_pend[SBC_DP_MAX_CLIENTS][SBC_API_MSG_MAX];
	uint64_t api_answers_delayed;       /* answers that waited for room */
	char socket_path[108];
	uint64_t api_requests, api_errors, events_sent;

	volatile int stop;
	volatile int hup;                   /* SIGHUP seen, not yet logged */
	volatile int term;                  /* SIGTERMs seen (the main loop acts on them) */
	int terms_seen;                     /* ... of which acted on */
	bool draining;                      /* no new endpoints; stop once sessions are gone */
	uint64_t drain_end_ms;
};

/* api_server.c */
int sbc_dp_api_open(struct sbc_dp *dp, const char *path);
void sbc_dp_api_close(struct sbc_dp *dp);
void sbc_dp_api_poll(struct sbc_dp *dp, int timeout_ms);
void sbc_dp_api_broadcast(struct sbc_dp *dp, const struct sbc_api_event *ev);
int sbc_dp_sessions_init(struct sbc_dp *dp);
void sbc_dp_sessions_fini(struct sbc_dp *dp);
void sbc_dp_sessions_republish_pending(struct sbc_dp *dp);
void sbc_dp_sessions_timeout_scan(struct sbc_dp *dp, uint64_t now_ms);
void sbc_dp_session_learn(struct sbc_dp *dp, uint32_t slot);

/*
 * dp_srtp.c: the workers' SRTP engines and contexts.  Every function runs on
 * the main lcore.
 */
/* Engines (dataplane.srtp_engine), context arrays and the defer queue, after
 * the workers and their RCU variable exist.  0 or -errno (logged). */
int sbc_dp_srtp_init(struct sbc_dp *dp);
/* Clear every context, destroy the engines, close the crypto device.  With
 * the workers stopped; safe after a partial init. */
void sbc_dp_srtp_fini(struct sbc_dp *dp);
/* Initialise a free context of @worker's engine from @k for @dir
 * (SBC_DP_SRTP_IN: unprotect, SBC_DP_SRTP_OUT: protect); the key copy made
 * for it is wiped.  Returns 0 and its index in *@idx, -ENOSPC (none free,
 * even after reclaiming), or the engine's -errno. */
int sbc_dp_srtp_ctx_new(struct sbc_dp *dp, unsigned int worker, const struct sbc_api_srtp *k,
			unsigned int dir, uint16_t *idx);
/* Clear a context no published object ever named, at once.  0 is ignored. */
void sbc_dp_srtp_ctx_discard(struct sbc_dp *dp, unsigned int worker, uint16_t idx);
/* A context no published object names any more: cleared and freed after the
 * RCU grace period that starts now.  0 is ignored. */
void sbc_dp_srtp_ctx_retire(struct sbc_dp *dp, unsigned int worker, uint16_t idx);
/* Clear the retired contexts whose grace period ended. */
void sbc_dp_srtp_reclaim(struct sbc_dp *dp);

/* telemetry.c */
int sbc_dp_telemetry_register(struct sbc_dp *dp);

static inline uint64_t sbc_dp_now_ms(const struct sbc_dp *dp)
{
	return rte_rdtsc() / (dp->tsc_hz / 1000);
}

#endif /* SBC_DP_PRIV_H */
