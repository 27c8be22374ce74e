/* SPDX-License-Identifier: BSD-3-Clause
 * The data plane as a whole: ports, media interfaces, the stream table,
 * workers and the main lcore's duties (API server, host duties, RCU
 * reclamation, media timeouts).  sbc-dataplane's main() and the tests both
 * build one with sbc_dp_create().
 *
 * Threads: sbc_dp_create/destroy, sbc_dp_main_poll and everything in
 * api_server.c run on the main lcore.  Workers run sbc_worker_poll() (one
 * per worker lcore); they share nothing writable with each other.
 */
#ifndef SBC_DP_H
#define SBC_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp_iface.h"
#include "sbc_api.h"
#include "sbc_config.h"
#include "stream.h"

#define SBC_DP_MAX_WORKERS 64
#define SBC_DP_MAX_BURST   64
#define SBC_DP_IFACES_PER_PORT 64

/* Worker → main event, copied by value through an rte_ring (no allocation). */
struct sbc_dp_event {
	uint32_t kind;            /* enum sbc_api_event_kind */
	uint32_t slot;
	uint32_t session_id;
	uint32_t count;
	uint8_t family;
	uint8_t pad;
	rte_be16_t port;
	uint8_t ip[16];
};

struct sbc_dp_port {
	uint16_t port_id;
	uint16_t n_rxq;           /* RX queues = workers (or fewer: software hand-off) */
	uint16_t n_txq;           /* one per worker + one for the main lcore */
	uint16_t n_ifaces;
	uint16_t ifaces[SBC_DP_IFACES_PER_PORT];
	struct rte_ether_addr mac;
	char name[32];
};

struct sbc_dp;
struct sbc_srtp;
struct sbc_srtp_ctx;

/*
 * The workers' counters, one list for struct sbc_worker's per-lcore
 * fields, struct sbc_dp_counters, their sums in sbc_dp_counters() and the
 * keys of the /rampart/workers telemetry command: X(name, "description").
 * Each is a plain uint64_t its worker alone writes (no atomics on the fast
 * path); readers sum them and may be a packet behind.  A global STATS_RESP
 * carries some of the sums (SBC_API_GLOBAL_STATS in sbc_api.h).  Drops are
 * counted by reason apart (SBC_DROP_REASONS).
 */
#define SBC_WORKER_COUNTERS(X) \
	X(rx_packets,      "packets received from the worker's RX queues") \
	X(rx_bytes,        "bytes of those packets") \
	X(tx_packets,      "packets given to the ports' TX queues") \
	X(host_packets,    "ARP/NDP/ICMP packets passed to the main lcore") \
	X(handoff_packets, "media packets passed to the worker owning their stream") \
	X(polls,           "iterations of the poll loop") \
	X(idle_polls,      "iterations that found no packet")

/* Per-worker state: cache-aligned, written by its worker only. */
struct sbc_worker {
	unsigned int id;                    /* 0..n_workers-1 = queue index */
	unsigned int lcore;
	struct sbc_dp *dp;
	struct rte_hash *hash;
	const struct sbc_stream *objs;
	struct sbc_stream_state *states;
	struct rte_rcu_qsbr *qsbr;
	struct rte_ring *handoff;           /* packets other workers received for us */
	struct rte_ring *events;            /* to main */
	struct rte_eth_dev_tx_buffer *txb[RTE_MAX_ETHPORTS];
	struct rte_ether_addr port_mac[RTE_MAX_ETHPORTS];  /* source MAC per egress port */
	uint16_t burst;
	uint16_t n_workers;
	uint64_t drain_tsc;
	uint64_t last_drain_tsc;
	uint64_t tsc_hz;
	uint64_t tsc_per_8k;                /* TSC ticks per 8 kHz RTP clock tick */
	uint64_t tsc_per_ms;
	uint32_t idle_backoff_us;
	/*
	 * SRTP: this worker's engine and its contexts, indexed by
	 * sbc_stream.srtp_in / srtp_out (1..srtp_n_ctx; 0 = none).  The main
	 * lcore initialises and clears contexts (dp_srtp.c) while no worker
	 * can reach them; this worker alone uses them in between.
	 */
	struct sbc_srtp *srtp;
	struct sbc_srtp_ctx *srtp_ctx;
	uint32_t srtp_n_ctx;
	uint32_t srtp_auth_burst;           /* dataplane.srtp_auth_burst */
	uint32_t seen_per_s;                /* sbc_seen() units in one second */
	/* Counters: written by this worker only, summed on read (sbc_dp_counters()). */
#define SBC_WORKER_X_FIELD(name, desc) uint64_t name;
	SBC_WORKER_COUNTERS(SBC_WORKER_X_FIELD)
	uint64_t drops[SBC_DROP__COUNT];
} __rte_cache_aligned;

/* The workers' counters summed, and the drops of the main lcore's host duties. */
struct sbc_dp_counters {
	SBC_WORKER_COUNTERS(SBC_WORKER_X_FIELD)
#undef SBC_WORKER_X_FIELD
	uint64_t drops[SBC_DROP__COUNT];
};

/* Options the tests and benchmarks set beyond the configuration. */
struct sbc_dp_options {
	bool no_port_start;       /* ports already created and configured by the caller */
	bool no_api_socket;       /* do not listen on dataplane.api_socket */
	const char *api_socket;   /* override the configured socket path */
};

/**
 * Build the data plane from @cfg after rte_eal_init(): mempool, ports
 * (probing vdevs and PCI devices named in the config), interfaces, stream
 * table, RCU, rings, workers (not launched).  Returns NULL and logs why.
 */
struct sbc_dp *sbc_dp_create(const struct sbc_config *cfg, const struct sbc_dp_options *opt);
void sbc_dp_destroy(struct sbc_dp *dp);

unsigned int sbc_dp_n_workers(const struct sbc_dp *dp);
struct sbc_worker *sbc_dp_worker(struct sbc_dp *dp, unsigned int i);
struct sbc_stream_table *sbc_dp_streams(struct sbc_dp *dp);
struct rte_mempool *sbc_dp_mempool(struct sbc_dp *dp);
const struct sbc_dp_iface *sbc_dp_iface_by_name(const struct sbc_dp *dp, const char *name);
const struct sbc_dp_port *sbc_dp_port(const struct sbc_dp *dp, uint16_t port_id);
/** Media interfaces owning addresses on @port_id (NULL if none). */
void sbc_dp_counters(const struct sbc_dp *dp, struct sbc_dp_counters *c);

/**
 * SRTP contexts initialised on the workers' engines, those waiting for
 * their RCU grace period included.  Main lcore; the telemetry thread reads
 * it like a counter (possibly one change behind).
 */
uint32_t sbc_dp_srtp_contexts(const struct sbc_dp *dp);

/** Launch workers on their lcores and run until sbc_dp_stop(). Main lcore. */
int sbc_dp_run(struct sbc_dp *dp);
void sbc_dp_stop(struct sbc_dp *dp);
/** SIGHUP: noted (async-signal-safe) and logged by the main loop; nothing else. */
void sbc_dp_hup(struct sbc_dp *dp);
/**
 * SIGTERM (async-signal-safe): with dataplane.drain_timeout_s and sessions
 * up, the main loop drains (no new endpoints, stop once the sessions are
 * released or at the bound); otherwise, or the second time, it stops.
 */
void sbc_dp_term(struct sbc_dp *dp);

/**
 * One iteration of the main lcore's duties: API socket (waits up to
 * @timeout_ms), host packets, worker events, RCU reclamation, media
 * timeouts, pending next-hop resolution.  Tests call it directly.
 */
void sbc_dp_main_poll(struct sbc_dp *dp, int timeout_ms);

/**
 * Execute one API request (already decoded) and write the response into
 * @resp (SBC_API_MSG_MAX bytes).  Returns the response size.  Main lcore.
 */
size_t sbc_dp_api_handle(struct sbc_dp *dp, const void *req, size_t len, void *resp);

/**
 * rte_eal_cleanup() and then remove the EAL runtime directory (config,
 * sockets, fbarray files) so that a process leaves nothing behind.  Call
 * once, last, from the main thread.
 */
void sbc_dp_eal_cleanup(void);

/* ---- worker (worker.c) ---- */

/** Process a burst received by @w (or handed to it); consumes every mbuf. */
void sbc_worker_process_burst(struct sbc_worker *w, struct rte_mbuf **pkts, uint16_t n,
			      uint64_t now);
/** One poll of every RX queue and the hand-off ring; returns packets seen. */
unsigned int sbc_worker_poll(struct sbc_worker *w);
/** Flush buffered TX on every port. */
void sbc_worker_flush(struct sbc_worker *w);
/** rte_eal_remote_launch entry: poll until the data plane stops. */
int sbc_worker_main(void *arg);

#endif /* SBC_DP_H */
