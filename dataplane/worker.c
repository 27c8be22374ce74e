/* SPDX-License-Identifier: BSD-3-Clause
 * The worker fast path: run-to-completion over bursts.
 *
 *   rx burst → parse + classify (prefetching ahead) → bulk hash lookup →
 *   per packet: owner check, RTP/RTCP sanity, source check / latching,
 *   stats, payload-type remap, L2/L3/L4 rewrite → buffered TX.
 *
 * Packets of SRTP streams leave that per-packet pass at the crypto steps and
 * are collected for the burst (struct srtp_batch): all SRTP/SRTCP of the
 * burst is unprotected in one call per kind, the packets go on through
 * source check / latching (only authenticated packets may latch), stats and
 * payload-type remap, what goes to an SRTP peer is protected in one call per
 * kind, and the lengths and checksums are rewritten in full.
 *
 * No allocation, lock, syscall or log on this path; every drop is a counter
 * (per worker, and per stream when the stream is known).  Runs on a worker
 * lcore; every function here touches only its own struct sbc_worker, the
 * streams it owns and read-only shared data.
 */
#include <string.h>
#include <unistd.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_ip.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "dp_priv.h"
#include "srtp.h"

enum {
	CLASS_MEDIA = 0,          /* UDP to one of our addresses: look it up */
	CLASS_HOST = 1,           /* ARP / ICMP / ICMPv6 for the main lcore */
	CLASS_DROP = 2,
};

struct pkt_meta {
	uint8_t *l3;
	uint8_t *payload;         /* UDP payload */
	uint32_t plen;            /* UDP payload length */
	uint8_t family;
	uint8_t cls;
	uint8_t reason;           /* drop reason when cls == CLASS_DROP */
	uint8_t is_rtcp_port;
	uint16_t dport;           /* host order */
};

/* A packet of an SRTP stream waiting for the burst's crypto step. */
struct srtp_pkt {
	struct rte_mbuf *m;
	struct pkt_meta *pm;
	const struct sbc_stream *s;
	uint32_t slot;
	uint32_t wire_len;        /* UDP payload as received: what the byte counter counts */
	rte_be16_t sport;         /* protect: the egress ports, chosen before it */
	rte_be16_t dport;
	uint8_t rtcp;
};

/* The SRTP packets of one burst, each list in arrival order. */
struct srtp_batch {
	uint16_t n_in;            /* to unprotect */
	uint16_t n_out;           /* to protect */
	struct srtp_pkt in[SBC_DP_MAX_BURST];
	struct srtp_pkt out[SBC_DP_MAX_BURST];
};

static inline void drop(struct sbc_worker *w, struct rte_mbuf *m, unsigned int reason)
{
	w->drops[reason]++;
	rte_pktmbuf_free(m);
}

static inline void stream_drop(struct sbc_worker *w, struct sbc_stream_state *st,
			       struct rte_mbuf *m, unsigned int reason)
{
	st->drops[reason]++;
	drop(w, m, reason);
}

/*
 * Is the destination of an IPv4 packet that found no stream one of our
 * addresses on the receiving port?  Only asked on a miss, to tell "no
 * stream" from "not for us".  (IPv6 destinations were mapped to one of our
 * interfaces while parsing, or dropped as not for us there.)
 */
static bool key_is_ours(const struct sbc_dp *dp, uint16_t port_id,
			const struct sbc_stream_key *key)
{
	const struct sbc_dp_port *p = &dp->ports[dp->port_index[port_id] - 1];

	if (key->family == 6)
		return true;
	for (unsigned int i = 0; i < p->n_ifaces; i++) {
		const struct sbc_dp_iface *ifc = &dp->ifaces[p->ifaces[i]];

		if (ifc->has4 && ifc->ip4 == key->addr)
			return true;
	}
	return false;
}

/* Our IPv6 interface on @port_id owning @ip, as an index; -1 if none. */
static inline int iface6_index(const struct sbc_dp *dp, uint16_t port_id, const uint8_t *ip)
{
	const struct sbc_dp_port *p = &dp->ports[dp->port_index[port_id] - 1];

	for (unsigned int i = 0; i < p->n_ifaces; i++) {
		const struct sbc_dp_iface *ifc = &dp->ifaces[p->ifaces[i]];

		if (ifc->has6 && memcmp(ifc->ip6, ip, 16) == 0)
			return ifc->index;
	}
	return -1;
}

/*
 * One's complement sums over a few 16-bit words whose count is a constant
 * at every call site: the compiler unrolls these into straight adds, where
 * the generic rte_raw_cksum() loop costs more than the sum itself.  Words
 * are read with memcpy (headers are only 2-byte aligned).
 */
static inline uint32_t csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i + 1 < len; i += 2) {
		uint16_t w;

		memcpy(&w, p + i, 2);
		sum += w;
	}
	return sum;
}

/* IPv4 header checksum of a 20-byte header (no options), computed fresh. */
static inline uint16_t ipv4_hdr_cksum20(const struct rte_ipv4_hdr *ip)
{
	uint32_t sum = csum_add(0, ip, 10) + csum_add(0, (const uint8_t *)ip + 12, 8);

	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	return (uint16_t)~sum;
}

static inline uint16_t csum_fold(uint32_t sum)
{
	sum = (sum >> 16) + (sum & 0xffff);
	sum = (sum >> 16) + (sum & 0xffff);
	return (uint16_t)sum;
}

static inline uint16_t csum_update(uint16_t old_cksum, uint32_t old_sum, uint32_t new_sum)
{
	/* HC' = ~(~HC + ~m + m') */
	uint32_t sum = (uint16_t)~old_cksum;

	sum += (uint16_t)~csum_fold(old_sum);
	sum += csum_fold(new_sum);
	return (uint16_t)~csum_fold(sum);
}

/* Is an IPv4 header's checksum right?  The common 20-byte case unrolled. */
static inline bool ipv4_hdr_ok(const struct rte_ipv4_hdr *ip, uint32_t ihl)
{
	uint32_t sum;

	if (likely(ihl == 20))
		sum = csum_add(0, ip, 20);
	else
		return rte_raw_cksum(ip, ihl) == 0xffff;
	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	return (uint16_t)sum == 0xffff;
}

/*
 * Parse Ethernet / IPv4 / IPv6 / UDP with every length checked against what
 * the frame really holds.  Fills @pm and builds the hash key for media.
 */
static inline void parse(const struct sbc_dp *dp, struct rte_mbuf *m, struct pkt_meta *pm,
			 struct sbc_stream_key *key)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	struct rte_udp_hdr *udp;
	uint32_t l4len;
	uint16_t et;

	pm->cls = CLASS_DROP;
	if (unlikely(len < RTE_ETHER_HDR_LEN)) {
		pm->reason = SBC_DROP_TRUNCATED;
		return;
	}
	et = ((const struct rte_ether_hdr *)p)->ether_type;
	pm->l3 = p + RTE_ETHER_HDR_LEN;
	len -= RTE_ETHER_HDR_LEN;
	if (unlikely(m->port >= RTE_MAX_ETHPORTS || dp->port_index[m->port] == 0)) {
		pm->reason = SBC_DROP_NOT_FOR_US;
		return;
	}

	if (likely(et == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pm->l3;
		uint32_t ihl, tot;

		if (unlikely(len < sizeof(*ip))) {
			pm->reason = SBC_DROP_TRUNCATED;
			return;
		}
		ihl = (ip->version_ihl & 0x0fu) * 4u;
		tot = rte_be_to_cpu_16(ip->total_length);
		if (unlikely((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || tot < ihl)) {
			pm->reason = SBC_DROP_BAD_IP_HEADER;
			return;
		}
		if (unlikely(tot > len || ihl > len)) {
			pm->reason = SBC_DROP_TRUNCATED;
			return;
		}
		/* Trust the NIC's verdict when it gave one; else check ourselves. */
		if (unlikely((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) ==
			     RTE_MBUF_F_RX_IP_CKSUM_BAD) ||
		    ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) !=
		     RTE_MBUF_F_RX_IP_CKSUM_GOOD && !ipv4_hdr_ok(ip, ihl))) {
			pm->reason = SBC_DROP_BAD_IP_HEADER;
			return;
		}
		if (unlikely(ip->fragment_offset &
			     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))) {
			pm->reason = SBC_DROP_IP_FRAGMENT;
			return;
		}
		if (ip->next_proto_id == IPPROTO_ICMP) {
			pm->cls = CLASS_HOST;
			return;
		}
		if (unlikely(ip->next_proto_id != IPPROTO_UDP)) {
			pm->reason = SBC_DROP_UNSUPPORTED_PROTO;
			return;
		}
		if (unlikely(ip->time_to_live <= 1)) {
			pm->reason = SBC_DROP_TTL_EXPIRED;
			return;
		}
		l4len = tot - ihl;
		if (unlikely(l4len < sizeof(*udp))) {
			pm->reason = SBC_DROP_TRUNCATED;
			return;
		}
		udp = (struct rte_udp_hdr *)(pm->l3 + ihl);
		pm->family = 4;
		key->addr = ip->dst_addr;
	} else if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)pm->l3;

		if (unlikely(len < sizeof(*ip))) {
			pm->reason = SBC_DROP_TRUNCATED;
			return;
		}
		if (unlikely((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6)) {
			pm->reason = SBC_DROP_BAD_IP_HEADER;
			return;
		}
		l4len = rte_be_to_cpu_16(ip->payload_len);
		if (unlikely(l4len + sizeof(*ip) > len)) {
			pm->reason = SBC_DROP_TRUNCATED;
			return;
		}
		if (ip->proto == IPPROTO_ICMPV6) {
			/* NDP goes to multicast and link-local: the host module sorts it. */
			pm->cls = CLASS_HOST;
			return;
		}
		if (unlikely(ip->proto == IPPROTO_FRAGMENT)) {
			pm->reason = SBC_DROP_IP_FRAGMENT;
			return;
		}
		if (unlikely(ip->proto != IPPROTO_UDP)) {
			pm->reason = SBC_DROP_UNSUPPORTED_PROTO;
			return;
		}
		if (unlikely(ip->hop_limits <= 1)) {
			pm->reason = SBC_DROP_TTL_EXPIRED;
			return;
		}
		if (unlikely(l4len < sizeof(*udp))) {
			pm->reason = SBC_DROP_TRUNCATED;
			return;
		}
		udp = (struct rte_udp_hdr *)(pm->l3 + sizeof(*ip));
		pm->family = 6;
		{
			int idx = iface6_index(dp, m->port, ip->dst_addr);

			if (unlikely(idx < 0)) {
				pm->reason = SBC_DROP_NOT_FOR_US;
				return;
			}
			key->addr = (uint32_t)idx;
		}
	} else if (et == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) {
		pm->cls = CLASS_HOST;
		return;
	} else {
		pm->reason = SBC_DROP_UNKNOWN_ETHERTYPE;
		return;
	}
	if (unlikely(rte_be_to_cpu_16(udp->dgram_len) != l4len || l4len < sizeof(*udp))) {
		pm->reason = SBC_DROP_BAD_UDP_LEN;
		return;
	}
	pm->payload = (uint8_t *)(udp + 1);
	pm->plen = l4len - sizeof(*udp);
	pm->dport = rte_be_to_cpu_16(udp->dst_port);
	pm->is_rtcp_port = pm->dport & 1u;
	key->port = rte_cpu_to_be_16(pm->dport & ~1u);
	key->family = pm->family;
	memset(key->pad, 0, sizeof(key->pad));
	pm->cls = CLASS_MEDIA;
}

static inline const uint8_t *pkt_src_ip(const struct pkt_meta *pm)
{
	return pm->family == 4 ?
	       (const uint8_t *)&((const struct rte_ipv4_hdr *)pm->l3)->src_addr :
	       ((const struct rte_ipv6_hdr *)pm->l3)->src_addr;
}

/* Source verdicts: accept, refuse, or accept and learn a new source. */
enum {
	SRC_OK = 0,
	SRC_REFUSE = 1,
	SRC_LATCH = 2,            /* first source of this latch generation */
	SRC_MOVE = 3,             /* relearn: another source after the quiet gap */
	SRC_OUT_OF_SCOPE = 4,     /* would latch or move, but outside the learn scope */
};

/*
 * May @src become this leg's source?  Its first learn_prefix bits must be
 * those of the scope's address; a prefix of 0 accepts any source (a peer
 * behind NAT).  Only on the learn path: once latched, packets are compared
 * with the latch.
 */
static inline bool learn_in_scope(const struct sbc_stream *s, const uint8_t *src,
				  unsigned int alen)
{
	unsigned int bits = s->learn_prefix, full, rest;

	if (bits == 0)
		return true;
	if (!(s->flags & SBC_STREAM_F_LEARN_REF))
		return false;
	if (bits > alen * 8)
		bits = alen * 8;
	full = bits / 8;
	rest = bits % 8;
	if (memcmp(src, s->check_ip, full) != 0)
		return false;
	return rest == 0 ||
	       ((src[full] ^ s->check_ip[full]) & (uint8_t)(0xffu << (8 - rest))) == 0;
}

/*
 * The source check of a packet that passed the RTP/RTCP sanity check, without
 * side effects: SRTP streams ask before the crypto (to spare it for packets
 * refused anyway) and decide again once the packet authenticated.
 */
static __rte_always_inline int source_verdict(const struct sbc_worker *w,
					      const struct sbc_stream *s,
					      const struct sbc_stream_state *st,
					      const struct pkt_meta *pm, unsigned int li,
					      uint64_t now)
{
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(pm->payload) - 1;
	const uint8_t *src = pkt_src_ip(pm);
	unsigned int alen = pm->family == 4 ? 4 : 16;
	const struct sbc_latch *l = li ? &st->latch_rtcp : &st->latch_rtp;

	if (s->latching == SBC_API_LATCH_STRICT) {
		rte_be16_t want = li ? s->remote_rtcp_port : s->remote_rtp_port;

		if (unlikely(!(s->flags & SBC_STREAM_F_REMOTE_SET) || udp->src_port != want ||
			     memcmp(src, s->check_ip, alen) != 0))
			return SRC_REFUSE;
		return SRC_OK;
	}
	/* RTP checks the copy in the state's hot line; RTCP the full latch. */
	if (li == 0 ? likely(st->latch_gen == s->latch_gen) :
	    (l->valid && l->gen == s->latch_gen)) {
		const uint8_t *lip = li == 0 ? st->latch_ip : l->ip;
		rte_be16_t lport = li == 0 ? st->latch_port : l->port;

		if (likely(lport == udp->src_port && memcmp(src, lip, alen) == 0))
			return SRC_OK;
		/* relearn: the source may move after a quiet gap */
		if (s->latching != SBC_API_LATCH_RELEARN ||
		    sbc_seen(now) - st->last_seen <
		    (uint32_t)(((uint64_t)s->relearn_gap_ms * w->tsc_per_ms) >> SBC_SEEN_SHIFT))
			return SRC_REFUSE;
		return learn_in_scope(s, src, alen) ? SRC_MOVE : SRC_OUT_OF_SCOPE;
	}
	return learn_in_scope(s, src, alen) ? SRC_LATCH : SRC_OUT_OF_SCOPE;
}

/*
 * An event about stream @slot with the packet's source, to the main lcore.
 * A full ring loses the notification, never the packet: drop counters keep
 * the counts, and latches are caught up by the main lcore's sweep.
 */
static void stream_event(struct sbc_worker *w, uint32_t kind, const struct sbc_stream *s,
			 uint32_t slot, const struct pkt_meta *pm, uint32_t count)
{
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(pm->payload) - 1;
	struct sbc_dp_event ev;

	ev.kind = kind;
	ev.slot = slot;
	ev.session_id = s->session_id;
	ev.count = count;
	ev.family = pm->family;
	ev.pad = 0;
	ev.port = udp->src_port;
	memset(ev.ip, 0, sizeof(ev.ip));
	memcpy(ev.ip, pkt_src_ip(pm), pm->family == 4 ? 4 : 16);
	(void)rte_ring_sp_enqueue_elem(w->events, &ev, sizeof(ev));
}

/*
 * A source outside the learn scope tried to latch: dropped and counted by
 * the caller; the control plane hears of it at most once a second per
 * stream (LEARN_REFUSED, with the packets refused in that second).
 */
static void learn_refused(struct sbc_worker *w, const struct sbc_stream *s,
			  struct sbc_stream_state *st, const struct pkt_meta *pm, uint32_t slot,
			  uint64_t now)
{
	uint32_t seen = sbc_seen(now);

	st->learn_refused_window++;
	if (st->learn_refused_event != 0 && seen - st->learn_refused_event < w->seen_per_s)
		return;
	st->learn_refused_event = seen != 0 ? seen : 1;
	stream_event(w, SBC_API_EV_LEARN_REFUSED, s, slot, pm, st->learn_refused_window);
	st->learn_refused_window = 0;
}

/*
 * Source check and latching.  Returns 0 to accept or a drop reason.  A latch
 * is the worker's own state; the main lcore learns it from the event (or its
 * periodic sweep) and publishes it as the peer stream's destination.  Always
 * inlined: with the SRTP path as a second caller the compiler would
 * otherwise make it a call on every plain RTP packet.
 */
static __rte_always_inline int check_source(struct sbc_worker *w, const struct sbc_stream *s,
					     struct sbc_stream_state *st,
					     const struct pkt_meta *pm, const struct rte_mbuf *m,
					     uint32_t slot, unsigned int li, uint64_t now)
{
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(pm->payload) - 1;
	const uint8_t *src;
	unsigned int alen = pm->family == 4 ? 4 : 16;
	struct sbc_latch *l = sbc_stream_latch(st, li);
	int v = source_verdict(w, s, st, pm, li, now);

	if (likely(v == SRC_OK))
		return 0;
	if (v == SRC_REFUSE)
		return SBC_DROP_WRONG_SOURCE;
	if (v == SRC_OUT_OF_SCOPE) {
		learn_refused(w, s, st, pm, slot, now);
		return SBC_DROP_LEARN_REFUSED;
	}
	if (v == SRC_MOVE)
		st->latch_changes++;
	src = pkt_src_ip(pm);
	sbc_latch_write(l, src, alen, udp->src_port,
			&rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->src_addr, s->latch_gen);
	if (li == 0) {
		memset(st->latch_ip, 0, sizeof(st->latch_ip));
		memcpy(st->latch_ip, src, alen);
		st->latch_port = udp->src_port;
		st->latch_gen = s->latch_gen;
	}
	stream_event(w, v == SRC_MOVE ? SBC_API_EV_SOURCE_CHANGED : SBC_API_EV_SOURCE_LATCHED,
		     s, slot, pm, li);
	return 0;
}

/* Rewrite toward the peer when both legs use the same address family. */
static inline void rewrite_same_family(struct rte_mbuf *m, const struct pkt_meta *pm,
				       const struct sbc_stream_out *out, const uint8_t *dst_ip,
				       rte_be16_t sport, rte_be16_t dport,
				       const struct rte_ether_addr *smac,
				       const struct rte_ether_addr *dmac, uint8_t old_pt_byte)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)pm->payload - 1;
	rte_be16_t ports[2] = { sport, dport };
	uint32_t old_sum, new_sum, alen = pm->family == 4 ? 4 : 16;
	uint8_t pt_word_old[2];

	/*
	 * Every sum is taken from the old header before it is written and from
	 * the new values where they come from, never by reading back a header
	 * just written: a narrow store followed by a wider load of the same
	 * bytes stalls store forwarding.
	 */
	eth->dst_addr = *dmac;
	eth->src_addr = *smac;
	pt_word_old[0] = pm->payload[0];
	pt_word_old[1] = old_pt_byte;
	new_sum = csum_add(csum_add(0, out->src_ip, alen), dst_ip, alen);
	if (pm->family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pm->l3;
		uint8_t ttl_proto[2] = { (uint8_t)(ip->time_to_live - 1), ip->next_proto_id };

		old_sum = csum_add(0, &ip->src_addr, 8);
		/* IPv4 header: addresses and TTL change (RFC 1624). */
		ip->hdr_checksum = csum_update(ip->hdr_checksum,
					       csum_add(old_sum, &ip->time_to_live, 2),
					       csum_add(new_sum, ttl_proto, 2));
		memcpy(&ip->src_addr, out->src_ip, 4);
		memcpy(&ip->dst_addr, dst_ip, 4);
		ip->time_to_live = ttl_proto[0];
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)pm->l3;

		old_sum = csum_add(0, ip->src_addr, 32);
		memcpy(ip->src_addr, out->src_ip, 16);
		memcpy(ip->dst_addr, dst_ip, 16);
		ip->hop_limits--;
	}
	old_sum = csum_add(old_sum, &udp->src_port, 4);
	new_sum = csum_add(new_sum, ports, 4);
	udp->src_port = sport;
	udp->dst_port = dport;
	if (pm->plen >= 2 && pm->payload[1] != old_pt_byte) {
		old_sum = csum_add(old_sum, pt_word_old, 2);
		new_sum = csum_add(new_sum, pm->payload, 2);
	}
	/* IPv4 UDP without checksum stays without one (RFC 768). */
	if (udp->dgram_cksum != 0 || pm->family == 6) {
		uint16_t c = csum_update(udp->dgram_cksum, old_sum, new_sum);

		udp->dgram_cksum = c == 0 ? 0xffff : c;
	}
	m->port = out->port_id;
}

/* Rewrite between an IPv4 and an IPv6 leg: new headers, full UDP checksum. */
static inline int rewrite_cross_family(struct rte_mbuf *m, const struct pkt_meta *pm,
				       const struct sbc_stream_out *out, const uint8_t *dst_ip,
				       rte_be16_t sport, rte_be16_t dport,
				       const struct rte_ether_addr *smac,
				       const struct rte_ether_addr *dmac, uint8_t ttl)
{
	uint32_t old_hdr = (uint32_t)(pm->payload - rte_pktmbuf_mtod(m, uint8_t *));
	uint32_t new_hdr = RTE_ETHER_HDR_LEN + sizeof(struct rte_udp_hdr) +
			   (out->family == 4 ? sizeof(struct rte_ipv4_hdr) :
					       sizeof(struct rte_ipv6_hdr));
	struct rte_ether_hdr *eth;
	struct rte_udp_hdr *udp;
	uint32_t plen = pm->plen;

	/* Cut at the end of the UDP payload (drops Ethernet padding). */
	if (rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - old_hdr - plen)) != 0 ||
	    rte_pktmbuf_adj(m, (uint16_t)old_hdr) == NULL ||
	    rte_pktmbuf_prepend(m, (uint16_t)new_hdr) == NULL)
		return -1;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	eth->dst_addr = *dmac;
	eth->src_addr = *smac;
	if (out->family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		/* Media is sized to the path MTU by its sender: never fragment it. */
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + 8 + plen));
		ip->time_to_live = ttl;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, out->src_ip, 4);
		memcpy(&ip->dst_addr, dst_ip, 4);
		ip->hdr_checksum = ipv4_hdr_cksum20(ip);
		udp = (struct rte_udp_hdr *)(ip + 1);
		udp->src_port = sport;
		udp->dst_port = dport;
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + plen));
		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(8 + plen));
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = ttl;
		memcpy(ip->src_addr, out->src_ip, 16);
		memcpy(ip->dst_addr, dst_ip, 16);
		udp = (struct rte_udp_hdr *)(ip + 1);
		udp->src_port = sport;
		udp->dst_port = dport;
		udp->dgram_len = ip->payload_len;
		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
	}
	m->port = out->port_id;
	return 0;
}

/*
 * Rewrite toward the peer after SRTP changed the UDP payload (its bytes and
 * its length): lengths set, IPv4 header and UDP checksums computed in full.
 * Same address family on both legs (see rewrite_cross_family()).
 */
static void rewrite_resized(struct rte_mbuf *m, const struct pkt_meta *pm,
			    const struct sbc_stream_out *out, rte_be16_t sport, rte_be16_t dport,
			    const struct rte_ether_addr *smac)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)pm->payload - 1;
	uint16_t ulen = (uint16_t)(sizeof(*udp) + pm->plen);

	eth->dst_addr = out->dst_mac;
	eth->src_addr = *smac;
	udp->src_port = sport;
	udp->dst_port = dport;
	udp->dgram_len = rte_cpu_to_be_16(ulen);
	if (pm->family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)pm->l3;
		uint16_t ihl = (uint16_t)((uint8_t *)udp - pm->l3);

		ip->total_length = rte_cpu_to_be_16((uint16_t)(ihl + ulen));
		memcpy(&ip->src_addr, out->src_ip, 4);
		memcpy(&ip->dst_addr, out->dst_ip, 4);
		ip->time_to_live--;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = ihl == sizeof(*ip) ? ipv4_hdr_cksum20(ip) : rte_ipv4_cksum(ip);
		/* IPv4 UDP without checksum stays without one (RFC 768). */
		if (udp->dgram_cksum != 0) {
			udp->dgram_cksum = 0;
			udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
		}
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)pm->l3;

		ip->payload_len = udp->dgram_len;
		memcpy(ip->src_addr, out->src_ip, 16);
		memcpy(ip->dst_addr, out->dst_ip, 16);
		ip->hop_limits--;
		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip, udp);
	}
	m->port = out->port_id;
}

static inline unsigned int srtp_drop_reason(int result)
{
	switch (result) {
	case SBC_SRTP_AUTH:
		return SBC_DROP_SRTP_AUTH;
	case SBC_SRTP_REPLAY:
	case SBC_SRTP_TOO_OLD:
		return SBC_DROP_SRTP_REPLAY;
	default:
		return SBC_DROP_SRTP_ERROR;
	}
}

/*
 * Before a packet's SRTP step: cut it at the end of its UDP payload (the
 * engines take the packet to end with the data: Ethernet padding goes) and
 * tell the engines where it starts.  False for a multi-segment mbuf.
 */
static inline bool srtp_prepare(struct rte_mbuf *m, const struct pkt_meta *pm)
{
	uint32_t off = (uint32_t)(pm->payload - rte_pktmbuf_mtod(m, uint8_t *));
	uint32_t end = off + pm->plen;

	if (unlikely(m->nb_segs != 1))
		return false;
	if (rte_pktmbuf_data_len(m) > end)
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - end));
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = (uint32_t)(off - RTE_ETHER_HDR_LEN - sizeof(struct rte_udp_hdr)) & 0x1ffu;
	m->l4_len = sizeof(struct rte_udp_hdr);
	return true;
}

/*
 * One more SRTP authentication failure on a stream: when the failures of
 * the current one-second window reach dataplane.srtp_auth_burst, one
 * SRTP_AUTH_BURST event (at most one per stream per second) with the
 * count and the source of the packet that reached it.
 */
static void srtp_auth_failed(struct sbc_worker *w, const struct sbc_stream *s,
			     struct sbc_stream_state *st, const struct pkt_meta *pm,
			     uint32_t slot, uint64_t now)
{
	uint32_t seen = sbc_seen(now);

	if (st->srtp_auth_fails == 0 || seen - st->srtp_auth_window >= w->seen_per_s) {
		st->srtp_auth_window = seen;
		st->srtp_auth_fails = 0;
	}
	if (++st->srtp_auth_fails < w->srtp_auth_burst ||
	    (st->srtp_auth_events != 0 && seen - st->srtp_auth_event < w->seen_per_s))
		return;
	st->srtp_auth_event = seen;
	st->srtp_auth_events++;
	stream_event(w, SBC_API_EV_SRTP_AUTH_BURST, s, slot, pm, st->srtp_auth_fails);
}

/* Queue a packet for the burst's protect step (SRTP toward the peer). */
static void srtp_stage_out(struct sbc_worker *w, struct srtp_batch *sb, struct rte_mbuf *m,
			   struct pkt_meta *pm, const struct sbc_stream *s,
			   struct sbc_stream_state *st, uint32_t slot, bool rtcp,
			   uint32_t wire_len, rte_be16_t sport, rte_be16_t dport)
{
	struct srtp_pkt *sp;

	/* Protect appends the trailer: the mbuf must have room for it. */
	if (unlikely(!srtp_prepare(m, pm) ||
		     rte_pktmbuf_tailroom(m) < SBC_SRTP_PROTECT_TAILROOM)) {
		stream_drop(w, st, m, SBC_DROP_SRTP_ERROR);
		return;
	}
	sp = &sb->out[sb->n_out++];
	sp->m = m;
	sp->pm = pm;
	sp->s = s;
	sp->slot = slot;
	sp->wire_len = wire_len;
	sp->sport = sport;
	sp->dport = dport;
	sp->rtcp = rtcp;
}

/* Send a packet whose payload SRTP changed: full rewrite, then TX. */
static void relay_resized(struct sbc_worker *w, struct sbc_stream_state *st,
			  struct rte_mbuf *m, const struct pkt_meta *pm,
			  const struct sbc_stream *s, rte_be16_t sport, rte_be16_t dport)
{
	const struct sbc_stream_out *out = &s->out;

	if (out->family == pm->family) {
		rewrite_resized(m, pm, out, sport, dport, &w->port_mac[out->port_id]);
	} else {
		uint8_t ttl = pm->family == 4 ? ((struct rte_ipv4_hdr *)pm->l3)->time_to_live :
						((struct rte_ipv6_hdr *)pm->l3)->hop_limits;

		if (unlikely(rewrite_cross_family(m, pm, out, out->dst_ip, sport, dport,
						  &w->port_mac[out->port_id], &out->dst_mac,
						  (uint8_t)(ttl - 1)) != 0)) {
			stream_drop(w, st, m, SBC_DROP_TRUNCATED);
			return;
		}
	}
	w->tx_packets += rte_eth_tx_buffer(m->port, (uint16_t)w->id, w->txb[m->port], m);
}

/*
 * A packet that passed the sanity checks (and, from an SRTP leg, that
 * authenticated: @unprotected): source check / latching, stats, payload-type
 * remap, then either the protect step (SRTP toward the peer) or rewrite and
 * TX.  @unprotected is a constant at every call site: the plain RTP relay
 * compiles without the SRTP branches it cannot take.
 */
static __rte_always_inline void relay_accept(struct sbc_worker *w, struct srtp_batch *sb,
					     struct rte_mbuf *m, struct pkt_meta *pm,
					     const struct sbc_stream *s,
					     struct sbc_stream_state *st, uint32_t slot,
					     bool rtcp, int pt, uint32_t wire_len, uint64_t now,
					     uint32_t arrival, bool unprotected)
{
	const struct sbc_stream_out *out = &s->out;
	rte_be16_t sport, dport;
	uint8_t old_pt, ttl;
	int reason;

	reason = check_source(w, s, st, pm, m, slot, pm->is_rtcp_port, now);
	if (unlikely(reason != 0)) {
		stream_drop(w, st, m, (unsigned int)reason);
		return;
	}
	st->packets++;
	st->bytes += wire_len;
	st->last_seen = sbc_seen(now);
	if (rtcp)
		st->rtcp_packets++;
	else  /* 8 kHz: G.711, G.722, G.729 and telephone-event all use it */
		sbc_rtp_stats_update(&st->rtp, pm->payload, arrival);
	if (unlikely(!(s->flags & SBC_STREAM_F_SEND))) {
		stream_drop(w, st, m, SBC_DROP_INACTIVE);
		return;
	}
	old_pt = pm->payload[1];
	if (pt >= 0 && s->n_pt_map) {
		if (likely(out->pt_bitmap_only)) {
			if (unlikely(!sbc_stream_pt_allowed(s, (unsigned int)pt))) {
				stream_drop(w, st, m, SBC_DROP_PT_BLOCKED);
				return;
			}
		} else {
			unsigned int i;

			for (i = 0; i < s->n_pt_map; i++)
				if (s->pt_map[i].from == pt)
					break;
			if (unlikely(i == s->n_pt_map)) {
				stream_drop(w, st, m, SBC_DROP_PT_BLOCKED);
				return;
			}
			pm->payload[1] = (uint8_t)((old_pt & 0x80u) | s->pt_map[i].to);
		}
	}
	/* With rtcp-mux on the peer leg its RTCP shares the RTP ports. */
	if (rtcp && !(s->flags & SBC_STREAM_F_PEER_RTCP_MUX)) {
		sport = s->out_src_rtcp_port;
		dport = s->out_dst_rtcp_port;
	} else {
		sport = out->src_rtp_port;
		dport = out->dst_rtp_port;
	}
	if (unlikely(!out->mac_ok || dport == 0)) {
		stream_drop(w, st, m, SBC_DROP_NO_NEXTHOP);
		return;
	}
	if (unlikely(s->srtp_out != 0)) {
		srtp_stage_out(w, sb, m, pm, s, st, slot, rtcp, wire_len, sport, dport);
		return;
	}
	if (unprotected) {
		relay_resized(w, st, m, pm, s, sport, dport);
		return;
	}
	if (likely(out->family == pm->family)) {
		rewrite_same_family(m, pm, out, out->dst_ip, sport, dport,
				    &w->port_mac[out->port_id], &out->dst_mac, old_pt);
	} else {
		ttl = pm->family == 4 ? ((struct rte_ipv4_hdr *)pm->l3)->time_to_live :
					((struct rte_ipv6_hdr *)pm->l3)->hop_limits;
		if (unlikely(rewrite_cross_family(m, pm, out, out->dst_ip, sport, dport,
						  &w->port_mac[out->port_id], &out->dst_mac,
						  (uint8_t)(ttl - 1)) != 0)) {
			stream_drop(w, st, m, SBC_DROP_TRUNCATED);
			return;
		}
	}
	w->tx_packets += rte_eth_tx_buffer(m->port, (uint16_t)w->id, w->txb[m->port], m);
}

/*
 * A packet from an SRTP leg: only the clear header can be checked before
 * it is unprotected (the rest of an SRTCP compound and an SRTP padding
 * count are encrypted), and the source check is asked without side effects:
 * a packet refused whatever it carries is dropped before the crypto, and
 * one from a new source latches only once it authenticated.
 */
static void srtp_stage_in(struct sbc_worker *w, struct srtp_batch *sb, struct rte_mbuf *m,
			  struct pkt_meta *pm, const struct sbc_stream *s,
			  struct sbc_stream_state *st, uint32_t slot, bool rtcp, uint64_t now)
{
	const uint8_t *p = pm->payload;
	struct srtp_pkt *sp;
	bool hdr_ok = rtcp ? pm->plen >= 8 && (p[0] >> 6) == 2 && p[1] >= 192 && p[1] <= 223 :
			     pm->plen >= SBC_RTP_HDR_LEN && (p[0] >> 6) == 2;

	if (unlikely(!hdr_ok)) {
		stream_drop(w, st, m, SBC_DROP_NOT_RTP);
		return;
	}
	switch (source_verdict(w, s, st, pm, pm->is_rtcp_port, now)) {
	case SRC_REFUSE:
		stream_drop(w, st, m, SBC_DROP_WRONG_SOURCE);
		return;
	case SRC_OUT_OF_SCOPE:
		learn_refused(w, s, st, pm, slot, now);
		stream_drop(w, st, m, SBC_DROP_LEARN_REFUSED);
		return;
	default:
		break;
	}
	if (unlikely(!srtp_prepare(m, pm))) {
		stream_drop(w, st, m, SBC_DROP_SRTP_ERROR);
		return;
	}
	sp = &sb->in[sb->n_in++];
	sp->m = m;
	sp->pm = pm;
	sp->s = s;
	sp->slot = slot;
	sp->wire_len = pm->plen;
	sp->rtcp = rtcp;
}

/* Handle one media packet whose stream was found. */
static inline void relay(struct sbc_worker *w, struct srtp_batch *sb, struct rte_mbuf *m,
			 struct pkt_meta *pm, const struct sbc_stream *s, uint32_t slot,
			 uint64_t now, uint32_t arrival)
{
	struct sbc_stream_state *st = &w->states[slot];
	bool rtcp = pm->is_rtcp_port;
	int pt = -1;

	if (unlikely(pm->is_rtcp_port && (s->flags & SBC_STREAM_F_RTCP_MUX))) {
		stream_drop(w, st, m, SBC_DROP_NO_STREAM);
		return;
	}
	if (unlikely(!(s->flags & SBC_STREAM_F_RECV))) {
		stream_drop(w, st, m, SBC_DROP_INACTIVE);
		return;
	}
	if (!rtcp && (s->flags & SBC_STREAM_F_RTCP_MUX) &&
	    sbc_rtp_is_muxed_rtcp(pm->payload, pm->plen))
		rtcp = true;
	if (unlikely(s->srtp_in != 0)) {
		srtp_stage_in(w, sb, m, pm, s, st, slot, rtcp, now);
		return;
	}
	if (rtcp) {
		if (unlikely(!sbc_rtcp_check(pm->payload, pm->plen))) {
			stream_drop(w, st, m, SBC_DROP_NOT_RTP);
			return;
		}
	} else {
		pt = sbc_rtp_check(pm->payload, pm->plen);
		if (unlikely(pt < 0)) {
			stream_drop(w, st, m, SBC_DROP_NOT_RTP);
			return;
		}
	}
	relay_accept(w, sb, m, pm, s, st, slot, rtcp, pt, pm->plen, now, arrival, false);
}

/* The context an SRTP packet's stream names, or NULL (a stale index). */
static inline struct sbc_srtp_ctx *srtp_ctx_of(struct sbc_worker *w, uint16_t idx)
{
	return likely(idx != 0 && idx <= w->srtp_n_ctx) ? &w->srtp_ctx[idx] : NULL;
}

/*
 * Run one crypto step over a list of the burst's packets: SRTP and SRTCP
 * each in one burst call, results back in list order in @result.  A packet
 * whose stream names no valid context gets SBC_SRTP_BAD_CTX.
 */
static void srtp_run(struct sbc_worker *w, struct srtp_pkt *list, uint16_t n, bool protect,
		     int16_t *result)
{
	struct rte_mbuf *pkts[2][SBC_DP_MAX_BURST];
	struct sbc_srtp_ctx *ctx[2][SBC_DP_MAX_BURST];
	int16_t res[2][SBC_DP_MAX_BURST];
	uint16_t pos[SBC_DP_MAX_BURST], k[2] = { 0, 0 };

	for (uint16_t i = 0; i < n; i++) {
		const struct srtp_pkt *sp = &list[i];
		struct sbc_srtp_ctx *c = srtp_ctx_of(w, protect ? sp->s->srtp_out : sp->s->srtp_in);
		unsigned int g = sp->rtcp;

		if (unlikely(c == NULL)) {
			pos[i] = UINT16_MAX;
			continue;
		}
		pos[i] = k[g];
		pkts[g][k[g]] = sp->m;
		ctx[g][k[g]] = c;
		k[g]++;
	}
	if (protect) {
		if (k[0])
			sbc_srtp_protect_burst(w->srtp, pkts[0], ctx[0], k[0], res[0]);
		if (k[1])
			sbc_srtp_protect_rtcp_burst(w->srtp, pkts[1], ctx[1], k[1], res[1]);
	} else {
		if (k[0])
			sbc_srtp_unprotect_burst(w->srtp, pkts[0], ctx[0], k[0], res[0]);
		if (k[1])
			sbc_srtp_unprotect_rtcp_burst(w->srtp, pkts[1], ctx[1], k[1], res[1]);
	}
	for (uint16_t i = 0; i < n; i++)
		result[i] = pos[i] == UINT16_MAX ? SBC_SRTP_BAD_CTX : res[list[i].rtcp][pos[i]];
}

/* The UDP payload length after an SRTP step changed it. */
static inline void srtp_update_len(struct pkt_meta *pm, const struct rte_mbuf *m)
{
	pm->plen = rte_pktmbuf_data_len(m) -
		   (uint32_t)(pm->payload - rte_pktmbuf_mtod(m, const uint8_t *));
}

/*
 * The SRTP part of a burst, once every packet went through relay(): unprotect
 * what came from SRTP legs and carry on with it (relay_accept(), which may
 * queue it for protect), then protect what goes to SRTP legs and send it.
 */
static __rte_noinline void srtp_finish(struct sbc_worker *w, struct srtp_batch *sb,
				       uint64_t now, uint32_t arrival)
{
	int16_t result[SBC_DP_MAX_BURST];

	if (sb->n_in != 0) {
		srtp_run(w, sb->in, sb->n_in, false, result);
		for (uint16_t i = 0; i < sb->n_in; i++) {
			struct srtp_pkt *sp = &sb->in[i];
			struct sbc_stream_state *st = &w->states[sp->slot];
			int pt = -1;

			if (result[i] != SBC_SRTP_OK) {
				if (result[i] == SBC_SRTP_AUTH)
					srtp_auth_failed(w, sp->s, st, sp->pm, sp->slot, now);
				stream_drop(w, st, sp->m, srtp_drop_reason(result[i]));
				continue;
			}
			srtp_update_len(sp->pm, sp->m);
			/* The plaintext gets the full RTP/RTCP sanity check. */
			if (sp->rtcp ? !sbc_rtcp_check(sp->pm->payload, sp->pm->plen) :
			    (pt = sbc_rtp_check(sp->pm->payload, sp->pm->plen)) < 0) {
				stream_drop(w, st, sp->m, SBC_DROP_NOT_RTP);
				continue;
			}
			relay_accept(w, sb, sp->m, sp->pm, sp->s, st, sp->slot, sp->rtcp, pt,
				     sp->wire_len, now, arrival, true);
		}
		sb->n_in = 0;
	}
	if (sb->n_out != 0) {
		srtp_run(w, sb->out, sb->n_out, true, result);
		for (uint16_t i = 0; i < sb->n_out; i++) {
			struct srtp_pkt *sp = &sb->out[i];
			struct sbc_stream_state *st = &w->states[sp->slot];

			if (result[i] != SBC_SRTP_OK) {
				stream_drop(w, st, sp->m, srtp_drop_reason(result[i]));
				continue;
			}
			srtp_update_len(sp->pm, sp->m);
			relay_resized(w, st, sp->m, sp->pm, sp->s, sp->sport, sp->dport);
		}
		sb->n_out = 0;
	}
}

static inline void process_burst(struct sbc_worker *w, struct rte_mbuf **pkts, uint16_t n,
				 uint64_t now, bool received)
{
	struct pkt_meta pm[SBC_DP_MAX_BURST];
	struct sbc_stream_key keys[SBC_DP_MAX_BURST];
	const void *kp[SBC_DP_MAX_BURST];
	void *data[SBC_DP_MAX_BURST];
	struct rte_mbuf *media[SBC_DP_MAX_BURST];
	struct pkt_meta *mm[SBC_DP_MAX_BURST];
	struct srtp_batch sb;
	struct sbc_dp *dp = w->dp;
	uint64_t hits = 0;
	uint32_t arrival;
	unsigned int nm = 0, i;

	if (n > SBC_DP_MAX_BURST)
		n = SBC_DP_MAX_BURST;  /* callers never pass more; defensive */
	for (i = 0; i < n && i < 4; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + 4 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
		/* Packets handed off by another worker were counted there. */
		if (received) {
			w->rx_packets++;
			w->rx_bytes += rte_pktmbuf_pkt_len(m);
		}
		parse(dp, m, &pm[i], &keys[nm]);
		if (likely(pm[i].cls == CLASS_MEDIA)) {
			/* Every packet of a stream is handled by its owning worker. */
			if (w->n_workers > 1) {
				unsigned int owner = sbc_stream_owner(pm[i].dport, w->n_workers);

				if (owner != w->id) {
					w->handoff_packets++;
					if (rte_ring_mp_enqueue(dp->workers[owner]->handoff, m) != 0)
						drop(w, m, SBC_DROP_TX_FULL);
					continue;
				}
			}
			kp[nm] = &keys[nm];
			media[nm] = m;
			mm[nm] = &pm[i];
			nm++;
		} else if (pm[i].cls == CLASS_HOST) {
			w->host_packets++;
			if (rte_ring_mp_enqueue(dp->host_ring, m) != 0)
				drop(w, m, SBC_DROP_HOST_IGNORED);
		} else {
			drop(w, m, pm[i].reason);
		}
	}
	if (nm == 0)
		return;
	sb.n_in = 0;
	sb.n_out = 0;
	/* One division per burst: every packet of it arrived "now". */
	arrival = (uint32_t)(now / w->tsc_per_8k);
	if (rte_hash_lookup_bulk_data(w->hash, kp, nm, &hits, data) < 0)
		hits = 0;
	/*
	 * The hash data names the stream object and the state slot: prefetch
	 * the hot line of both for the whole burst so their misses overlap.
	 * Line 1 of the object is only read for strict latching, relearn and
	 * PT maps; the state's cold lines only on RTCP, latching and drops.
	 */
	for (i = 0; i < nm; i++) {
		if ((hits >> i) & 1u) {
			uint64_t ref = (uintptr_t)data[i];
			const struct sbc_stream *s = &w->objs[sbc_stream_ref_obj(ref)];
			const struct sbc_stream_state *st = &w->states[sbc_stream_ref_slot(ref)];

			rte_prefetch0(s);
			if (ref & SBC_STREAM_REF_WIDE)
				rte_prefetch0((const uint8_t *)s + RTE_CACHE_LINE_SIZE);
			rte_prefetch0(st);
		}
	}
	for (i = 0; i < nm; i++) {
		uint64_t ref = (uintptr_t)data[i];

		if (unlikely(!((hits >> i) & 1u))) {
			drop(w, media[i], key_is_ours(dp, media[i]->port, kp[i]) ?
			     SBC_DROP_NO_STREAM : SBC_DROP_NOT_FOR_US);
			continue;
		}
		relay(w, &sb, media[i], mm[i], &w->objs[sbc_stream_ref_obj(ref)],
		      sbc_stream_ref_slot(ref), now, arrival);
	}
	if (unlikely(sb.n_in != 0 || sb.n_out != 0))
		srtp_finish(w, &sb, now, arrival);
}

void sbc_worker_process_burst(struct sbc_worker *w, struct rte_mbuf **pkts, uint16_t n,
			      uint64_t now)
{
	process_burst(w, pkts, n, now, true);
}

void sbc_worker_flush(struct sbc_worker *w)
{
	for (unsigned int p = 0; p < w->dp->n_ports; p++) {
		uint16_t pid = w->dp->ports[p].port_id;

		w->tx_packets += rte_eth_tx_buffer_flush(pid, (uint16_t)w->id, w->txb[pid]);
	}
}

unsigned int sbc_worker_poll(struct sbc_worker *w)
{
	struct rte_mbuf *pkts[SBC_DP_MAX_BURST];
	struct sbc_dp *dp = w->dp;
	uint64_t now = rte_rdtsc();
	unsigned int total = 0;
	uint16_t n;

	for (unsigned int p = 0; p < dp->n_ports; p++) {
		const struct sbc_dp_port *port = &dp->ports[p];

		/*
		 * Our own queue, if the port has one for us (else others hand
		 * off to us); worker 0 also reads queues beyond the workers
		 * (devices with paired queues, see port_start()).
		 */
		for (uint16_t q = (uint16_t)w->id; q < port->n_rxq;
		     q = (uint16_t)(q < w->n_workers ? w->n_workers : q + 1)) {
			if (q != w->id && w->id != 0)
				break;
			n = rte_eth_rx_burst(port->port_id, q, pkts, w->burst);
			if (n) {
				sbc_worker_process_burst(w, pkts, n, now);
				total += n;
			}
		}
	}
	n = (uint16_t)rte_ring_sc_dequeue_burst(w->handoff, (void **)pkts, w->burst, NULL);
	if (n) {
		process_burst(w, pkts, n, now, false);
		total += n;
	}
	if (total == 0 || now - w->last_drain_tsc > w->drain_tsc) {
		sbc_worker_flush(w);
		w->last_drain_tsc = now;
	}
	w->polls++;
	/* Quiescent: this worker holds no stream pointer across iterations. */
	rte_rcu_qsbr_quiescent(w->qsbr, w->id);
	return total;
}

int sbc_worker_main(void *arg)
{
	struct sbc_worker *w = arg;

	rte_rcu_qsbr_thread_online(w->qsbr, w->id);
	while (!__atomic_load_n(&w->dp->stop, __ATOMIC_RELAXED)) {
		if (sbc_worker_poll(w) == 0) {
			w->idle_polls++;
			/* Test/lab option: production runs pure poll (0). */
			if (w->idle_backoff_us) {
				rte_rcu_qsbr_thread_offline(w->qsbr, w->id);
				rte_delay_us_sleep(w->idle_backoff_us);
				rte_rcu_qsbr_thread_online(w->qsbr, w->id);
			}
		}
	}
	sbc_worker_flush(w);
	rte_rcu_qsbr_thread_offline(w->qsbr, w->id);
	return 0;
}
