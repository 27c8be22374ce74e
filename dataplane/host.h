/* SPDX-License-Identifier: BSD-3-Clause
 * Host duties of the data plane: answer ARP, NDP neighbour solicitations and
 * ICMP/ICMPv6 echo for the addresses the data plane owns, and resolve the
 * Ethernet address of next hops.
 *
 * Thread: everything here runs on the main lcore only (workers hand it the
 * packets that are not media through a ring).  There is no locking; calling
 * any function of one struct sbc_host from two threads at once is a bug.
 *
 * Time is passed in by the caller (now_ms, a monotonic millisecond clock) so
 * that tests can drive it.
 *
 * Frames built here are exactly as long as their contents (an ARP frame is 42
 * bytes); the NIC pads short frames to the Ethernet minimum.
 */
#ifndef SBC_HOST_H
#define SBC_HOST_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp_iface.h"

/* A resolved MAC is trusted this long after the last packet confirming it. */
#define SBC_HOST_NEIGH_REACHABLE_MS 300000u
/* At most one ARP request / neighbour solicitation per next hop this often. */
#define SBC_HOST_REQUEST_INTERVAL_MS 1000u
/* Upper bound on max_neighbors accepted by sbc_host_create(). */
#define SBC_HOST_MAX_NEIGHBORS (1u << 20)

/*
 * Counters, one X-macro list so the struct field, the telemetry key and its
 * description never drift apart: X(field, description).
 */
#define SBC_HOST_COUNTERS(X) \
	X(arp_replies, "ARP requests for our addresses answered") \
	X(arp_learned, "neighbours learned or refreshed from ARP") \
	X(ns_answered, "neighbour solicitations for our addresses answered") \
	X(na_learned, "neighbours learned or refreshed from NDP (NA, or NS source option)") \
	X(echo_replies, "ICMP and ICMPv6 echo requests answered") \
	X(ignored, "frames returned with -ENOENT or -ENOTSUP") \
	X(malformed, "frames returned with -EINVAL") \
	X(requests_sent, "ARP requests and neighbour solicitations built") \
	X(request_nombuf, "requests not built because the mempool was empty") \
	X(neigh_table_full, "neighbours not learned because the table was full")

struct sbc_host_stats {
#define SBC_HOST_X_FIELD(name, desc) uint64_t name;
	SBC_HOST_COUNTERS(SBC_HOST_X_FIELD)
#undef SBC_HOST_X_FIELD
};

struct sbc_host;

/**
 * Create the host-duties state for a set of interfaces.
 *
 * Thread: main lcore (or before the lcores start).
 *
 * @param ifaces      the interfaces; copied, the caller may free them after.
 *                    Several interfaces may share one port (an IPv4 and an
 *                    IPv6 interface on port 0, say).
 * @param n_ifaces    1..SBC_DP_MAX_IFACES.
 * @param mp          pktmbuf pool that requests (sbc_host_resolve()) are
 *                    taken from; must outlive the host, and its data room
 *                    must hold a 86-byte frame after the headroom.
 * @param max_neighbors size of the neighbour table, 1..SBC_HOST_MAX_NEIGHBORS.
 *                    Neighbours are kept per (port, family, address).
 * @param socket_id   NUMA socket for the tables (SOCKET_ID_ANY allowed).
 * @return the host, or NULL with rte_errno set to EINVAL (bad argument) or
 *         ENOMEM.
 */
struct sbc_host *sbc_host_create(const struct sbc_dp_iface *ifaces, unsigned int n_ifaces,
				 struct rte_mempool *mp, unsigned int max_neighbors,
				 int socket_id);

/**
 * Free the host and its tables.  The host holds no mbufs.  NULL is a no-op.
 *
 * Thread: main lcore.
 */
void sbc_host_destroy(struct sbc_host *h);

/**
 * Handle one frame that is not media.
 *
 * @m is an untagged Ethernet frame received on port m->port, possibly made
 * of several segments; the Ethernet, IP and ICMP/ARP headers must lie in
 * the first segment (otherwise -ENOTSUP).  Every length in the frame is
 * checked against the mbuf before it is used.
 *
 * Handled:
 *  - ARP request for one of our IPv4 addresses on that port: the reply is
 *    written into @m (returns 1).  The requester is learned as a neighbour
 *    if it is on-link or a gateway.
 *  - any ARP request or reply whose sender is a neighbour we already know
 *    (or one addressed to our IPv4 address, from an on-link sender or
 *    gateway): the neighbour is learned/refreshed (returns 0).
 *  - ICMP echo request to our IPv4 address: the IPv4 header checksum and the
 *    ICMP checksum are verified; the echo reply is written into @m (TTL 64,
 *    same identifier, sequence and payload).  IP options of the request are
 *    not copied into the reply (the reply has a 20-byte header).  Fragments
 *    are not answered (-ENOTSUP).
 *  - neighbour solicitation for our global or link-local IPv6 address (hop
 *    limit 255, valid checksum and options, RFC 4861 7.1.1): the solicited
 *    neighbour advertisement, with the override flag and our MAC as target
 *    link-layer option, is written into @m (returns 1).  A solicitation from
 *    the unspecified address (duplicate address detection) is answered to
 *    all-nodes without the solicited flag.  A source link-layer option
 *    teaches us the sender.
 *  - neighbour advertisement for a next hop already in the table (created
 *    by sbc_host_resolve() or a solicitation): learned (returns 0).  A
 *    different MAC replaces the known one only with the override flag.
 *  - ICMPv6 echo request to our unicast IPv6 address: reply in @m (hop
 *    limit 64).
 *
 * Thread: main lcore.
 *
 * @param now_ms  current time, for neighbour freshness.
 * @param reply   set to @m when 1 is returned, else to NULL.
 * @return
 *   1: @m now holds the reply, to be sent on m->port; the caller owns it
 *      (and frees it if transmission fails).
 *   0: the frame taught us something and @m has been freed.
 *   -ENOENT: not for us (other address, other protocol, e.g. media);
 *   -ENOTSUP: for us but a variant not handled (fragment, extension
 *      header, ARP/ICMP type, shared mbuf, headers not contiguous);
 *   -EINVAL: malformed (length, checksum, version, hop limit, option).
 *   On a negative return @m is still owned by the caller, which frees it;
 *   the host has already counted it in ignored/malformed (a neighbour may
 *   have been learned from it, but its bytes are unchanged).  NULL
 *   arguments give -EINVAL and are not counted.
 */
int sbc_host_input(struct sbc_host *h, struct rte_mbuf *m, uint64_t now_ms,
		   struct rte_mbuf **reply);

/**
 * Find the Ethernet address of the next hop towards @ip on interface
 * @iface_index.
 *
 * The next hop is @ip itself when it is on-link (inside the interface
 * subnet; for IPv6 also any link-local address), else the interface
 * gateway.  A MAC confirmed less than SBC_HOST_NEIGH_REACHABLE_MS ago is
 * fresh.  An older one is still returned (0), because the streams already
 * using it keep working if the neighbour is merely quiet, but a new request
 * is sent to refresh it.  A next hop with no MAC yet returns -EAGAIN; call
 * again when sbc_host_generation() changes.
 *
 * Requests are built at most once per SBC_HOST_REQUEST_INTERVAL_MS per next
 * hop: an ARP request (broadcast) or a neighbour solicitation to the
 * solicited-node multicast address with our source link-layer option (from
 * our link-local address when the next hop is link-local, else from our
 * global address).
 *
 * Thread: main lcore.
 *
 * @param ip       4 (IPv4) or 16 (IPv6) bytes, network order.
 * @param family   4 or 6.
 * @param mac      filled when 0 is returned.
 * @param request  set to a new mbuf (from the host's mempool) holding a
 *                 request that the caller must transmit on request->port,
 *                 or free; NULL when none is due, or the mempool is empty
 *                 (counted in request_nombuf).  Set on every return; non-NULL
 *                 only with 0 (stale MAC) or -EAGAIN.
 * @return 0 (MAC in @mac), -EAGAIN (resolution under way), -ENETUNREACH
 *         (off-link and the interface has no gateway), -EINVAL (bad
 *         argument, interface without that family, or a destination that
 *         cannot be resolved: unspecified, multicast, broadcast, ours).
 */
int sbc_host_resolve(struct sbc_host *h, unsigned int iface_index, const uint8_t *ip,
		     int family, uint64_t now_ms, struct rte_ether_addr *mac,
		     struct rte_mbuf **request);

/**
 * A number that changes whenever a neighbour gets a MAC or its MAC changes,
 * so the caller can re-publish what was waiting on sbc_host_resolve().
 *
 * Thread: main lcore.
 */
uint64_t sbc_host_generation(const struct sbc_host *h);

/**
 * Copy the counters into @out.
 *
 * Thread: main lcore.
 */
void sbc_host_stats(const struct sbc_host *h, struct sbc_host_stats *out);

#endif /* SBC_HOST_H */
