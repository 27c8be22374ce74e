/* SPDX-License-Identifier: BSD-3-Clause
 * Test/benchmark harness for the data plane: ring-backed ports the test
 * feeds and reads, packet builders with independently computed checksums,
 * and API helpers.  Everything runs in one process; the worker is polled
 * from the test thread unless a test launches it on its own lcore.
 */
#ifndef SBC_TEST_HARNESS_H
#define SBC_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "sbc_api.h"
#include "sbc_config.h"

#define H_MAX_PORTS 2
/* TX queues per ring port: one per worker, then the main lcore's (queue 1
 * with one worker, queue 2 with two). */
#define H_TXQ 3

struct h_port {
	uint16_t port_id;
	struct rte_ring *rx;
	struct rte_ring *tx[H_TXQ];
	struct rte_ether_addr mac;
};

struct h_ctx {
	struct h_port port[H_MAX_PORTS];
	unsigned int n_ports;
	struct rte_mempool *mp;          /* packets the test builds */
	struct sbc_config *cfg;
	struct sbc_dp *dp;
	struct sbc_worker *w;
	uint32_t next_req;
};

/* A UDP datagram to build: addresses in network order, ports host order. */
struct h_udp {
	uint8_t family;
	struct rte_ether_addr src_mac, dst_mac;
	uint8_t src_ip[16], dst_ip[16];
	uint16_t sport, dport;
	uint8_t ttl;
	const uint8_t *payload;
	uint32_t plen;
};

/* Create ring ports named net_ring_<name>; returns 0. */
int h_ports_create(struct h_ctx *h, const char *const names[], unsigned int n);
/* Load @yaml (text) as a config and build the data plane on the ring ports. */
int h_dp_create(struct h_ctx *h, const char *yaml, const char *api_socket);
void h_dp_destroy(struct h_ctx *h);

/* Frame builders; return the frame length. */
uint32_t h_build_udp(uint8_t *buf, const struct h_udp *u);
uint32_t h_build_rtp(uint8_t *buf, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
		     uint32_t datalen, uint8_t fill);

/* Inject one frame into a port's RX ring (as if received). */
void h_inject(struct h_ctx *h, unsigned int port, const uint8_t *frame, uint32_t len);
/* Poll the worker until idle, flush, run the main lcore's duties once. */
void h_run(struct h_ctx *h);
/* Take the next frame a port transmitted on queue @q; NULL when none. */
struct rte_mbuf *h_take(struct h_ctx *h, unsigned int port, unsigned int q);
/* Free everything a port transmitted; returns the count. */
unsigned int h_drain(struct h_ctx *h, unsigned int port, unsigned int q);
/* CUnit checks: @m (a transmitted frame) is present and equals the @len
 * bytes at @want (the first differing byte is printed); @m is freed. */
void h_expect_mbuf(struct rte_mbuf *m, const uint8_t *want, uint32_t len);

/* API helpers over sbc_dp_api_handle(); return the response status. */
int h_alloc(struct h_ctx *h, const char *iface, uint8_t family, bool mux,
	    struct sbc_api_alloc_ep *out);
/* One ALLOC of @n items (n > SBC_API_ALLOC_MAX is sent as such: EINVAL). */
int h_alloc_batch(struct h_ctx *h, const struct sbc_api_alloc_item *items, uint32_t n,
		  struct sbc_api_alloc_resp *out);
void h_alloc_item(struct sbc_api_alloc_item *it, const char *iface, uint8_t family, bool mux);
int h_bind(struct h_ctx *h, const struct sbc_api_leg *a, const struct sbc_api_leg *b,
	   uint32_t timeout_ms, uint32_t *session_id);
int h_update(struct h_ctx *h, uint32_t session_id, uint32_t what,
	     const struct sbc_api_leg *a, const struct sbc_api_leg *b);
int h_release(struct h_ctx *h, uint32_t session_id, uint32_t endpoint_id);
/* RELEASE with SBC_API_RELEASE_* @flags; the whole answer lands in @resp
 * (SBC_API_MSG_MAX bytes, aligned), whatever its type. */
int h_release_flags(struct h_ctx *h, uint32_t session_id, uint32_t endpoint_id, uint32_t flags,
		    void *resp);
int h_stats(struct h_ctx *h, uint32_t session_id, struct sbc_api_stats_resp *out);

/* Fill an API leg. */
void h_leg(struct sbc_api_leg *leg, uint32_t endpoint_id, uint8_t family, const uint8_t *ip,
	   uint16_t port, uint8_t latching, uint8_t flags);

/* Global drop counter of @reason, summed over workers. */
uint64_t h_drops(struct h_ctx *h, unsigned int reason);

/* Answer the ARP requests the data plane sent, as neighbour @mac at @ip. */
void h_arp_reply(struct h_ctx *h, unsigned int port, const uint8_t *ip4,
		 const struct rte_ether_addr *mac, const uint8_t *target_ip4);
void h_na(struct h_ctx *h, unsigned int port, const uint8_t *ip6,
	  const struct rte_ether_addr *mac, const uint8_t *target_ip6);

/* Initialise the EAL for tests: no hugepages, no PCI, given lcores. */
int h_eal_init(const char *prog, const char *lcores, unsigned int mem_mb);

#endif /* SBC_TEST_HARNESS_H */
