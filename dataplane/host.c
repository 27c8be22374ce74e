/* SPDX-License-Identifier: BSD-3-Clause
 * Host duties of the data plane: ARP, NDP and echo for our addresses, and
 * the neighbour table behind sbc_host_resolve().  Main lcore only, so the
 * table is a plain open-addressing array with no locking.
 *
 * Frames come from the network: every length is checked against the mbuf
 * before the bytes behind it are read.  Headers are read and written only
 * in the first segment; checksums of payloads may span segments.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "host.h"

#define HOST_ICMP6_ECHO_REQUEST 128
#define HOST_ICMP6_ECHO_REPLY   129
#define HOST_ND_NEIGHBOR_SOLICIT 135
#define HOST_ND_NEIGHBOR_ADVERT  136
#define HOST_ND_OPT_SOURCE_LLADDR 1
#define HOST_ND_OPT_TARGET_LLADDR 2
#define HOST_ND_NA_FLAG_SOLICITED 0x40000000u
#define HOST_ND_NA_FLAG_OVERRIDE  0x20000000u
/* RFC 4861: NDP messages are sent, and must arrive, with hop limit 255. */
#define HOST_ND_HOP_LIMIT 255
#define HOST_REPLY_TTL 64

#define HOST_ETH_LEN   ((uint32_t)sizeof(struct rte_ether_hdr))
#define HOST_IP4_LEN   ((uint32_t)sizeof(struct rte_ipv4_hdr))
#define HOST_IP6_LEN   ((uint32_t)sizeof(struct rte_ipv6_hdr))
#define HOST_ICMP6_OFF (HOST_ETH_LEN + HOST_IP6_LEN)

/* 22.11 has no ICMPv6/NDP headers; these follow RFC 4443 and RFC 4861. */
struct host_icmp6_hdr {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
} __rte_packed;

struct host_icmp6_echo {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	rte_be16_t ident;
	rte_be16_t seq;
} __rte_packed;

/* Neighbour solicitation (flags reserved, zero) and advertisement. */
struct host_nd_msg {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	rte_be32_t flags;
	uint8_t target[16];
} __rte_packed;

/* Source/target link-layer address option for Ethernet (RFC 2464: 8 bytes). */
struct host_nd_lla_opt {
	uint8_t type;
	uint8_t len;                     /* in units of 8 bytes */
	uint8_t addr[RTE_ETHER_ADDR_LEN];
} __rte_packed;

#define HOST_ARP_FRAME_LEN (HOST_ETH_LEN + (uint32_t)sizeof(struct rte_arp_hdr))
#define HOST_ND_PAYLOAD_LEN \
	((uint32_t)(sizeof(struct host_nd_msg) + sizeof(struct host_nd_lla_opt)))
#define HOST_ND_FRAME_LEN (HOST_ICMP6_OFF + HOST_ND_PAYLOAD_LEN)

/* Keys are compared with memcmp: every byte, padding included, is set. */
struct host_neigh_key {
	uint16_t port_id;
	uint8_t family;                  /* 4 or 6 */
	uint8_t pad;
	uint8_t addr[16];                /* IPv4 in the first 4 bytes */
};

struct host_neigh {
	struct host_neigh_key key;
	uint32_t hash;
	struct rte_ether_addr mac;
	bool has_mac;
	bool requested;                  /* last_request_ms is meaningful */
	/*
	 * Set once sbc_host_resolve() asked for this next hop: such entries
	 * are what streams depend on, so entries merely learned from traffic
	 * never push them out of a full table.
	 */
	bool wanted;
	uint64_t confirmed_ms;
	uint64_t last_request_ms;
	uint64_t last_used_ms;           /* eviction order */
};

#define HOST_SLOT_EMPTY UINT32_MAX

struct sbc_host {
	struct sbc_dp_iface ifaces[SBC_DP_MAX_IFACES];
	unsigned int n_ifaces;
	struct rte_mempool *mp;

	/*
	 * Neighbours: entries live in neigh[]; slots[] is a linear-probing
	 * index into it, at most half full so a probe always ends on an
	 * empty slot.  Removal shifts entries back instead of leaving
	 * tombstones, so lookups never degrade with churn.
	 */
	struct host_neigh *neigh;
	uint32_t *free_ids;              /* stack of unused neigh[] indices */
	uint32_t n_free;
	uint32_t max_neighbors;
	uint32_t *slots;
	uint32_t slot_mask;

	uint64_t generation;
	struct sbc_host_stats stats;
};

static const uint8_t ip6_all_nodes[16] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
};

static uint64_t
elapsed_ms(uint64_t now, uint64_t then)
{
	/* A clock that steps back counts as no time passed, not as ages. */
	return now > then ? now - then : 0;
}

static uint16_t
cksum_fold(uint32_t sum)
{
	sum = (sum >> 16) + (sum & 0xffff);
	sum = (sum >> 16) + (sum & 0xffff);
	return (uint16_t)sum;
}

/*
 * Ones' complement sum (unfolded) of @len bytes at @off of the chain.  Each
 * segment's part is folded before being byte-swapped when it starts at an
 * odd position of the range (rte_raw_cksum_mbuf() in 22.11 truncates it
 * unfolded instead).  -1 when the range is not inside the chain.
 */
static int
cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint32_t *sum)
{
	const struct rte_mbuf *seg = m;
	uint32_t done = 0, acc = 0;

	if (off > m->pkt_len || len > m->pkt_len - off)
		return -1;
	while (seg != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	while (done < len) {
		uint32_t n;
		uint16_t part;

		if (seg == NULL)
			return -1;
		n = RTE_MIN((uint32_t)seg->data_len - off, len - done);
		part = rte_raw_cksum(rte_pktmbuf_mtod_offset(seg, const uint8_t *, off), n);
		if (done & 1)
			part = rte_bswap16(part);
		acc += part;
		done += n;
		off = 0;
		seg = seg->next;
	}
	*sum = acc;
	return 0;
}

static uint32_t
ip6_pseudo_sum(const struct rte_ipv6_hdr *ip6, uint32_t len)
{
	rte_be32_t tail[2] = { rte_cpu_to_be_32(len), rte_cpu_to_be_32(IPPROTO_ICMPV6) };

	return (uint32_t)rte_raw_cksum(ip6->src_addr, sizeof(ip6->src_addr)) +
	       rte_raw_cksum(ip6->dst_addr, sizeof(ip6->dst_addr)) +
	       rte_raw_cksum(tail, sizeof(tail));
}

static bool
icmp6_cksum_ok(const struct rte_mbuf *m, const struct rte_ipv6_hdr *ip6, uint32_t len)
{
	uint32_t sum;

	if (cksum_mbuf(m, HOST_ICMP6_OFF, len, &sum) != 0)
		return false;
	return cksum_fold(sum + ip6_pseudo_sum(ip6, len)) == 0xffff;
}

/* The checksum to store; its field must be zero in the message at HOST_ICMP6_OFF. */
static rte_be16_t
icmp6_cksum(const struct rte_mbuf *m, const struct rte_ipv6_hdr *ip6, uint32_t len)
{
	uint32_t sum = 0;

	/* Cannot fail: the caller sized the frame to hold @len bytes. */
	(void)cksum_mbuf(m, HOST_ICMP6_OFF, len, &sum);
	return (uint16_t)~cksum_fold(sum + ip6_pseudo_sum(ip6, len));
}

static bool
ip6_is_zero(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

static bool
ip6_is_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}

static bool
ip6_is_linklocal(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static bool
ip6_prefix_match(const uint8_t *a, const uint8_t *b, unsigned int plen)
{
	unsigned int bytes, bits;

	if (plen > 128)
		plen = 128;
	bytes = plen / 8;
	bits = plen % 8;
	if (memcmp(a, b, bytes) != 0)
		return false;
	if (bits == 0)
		return true;
	return ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff << (8 - bits))) == 0;
}

static void
ip6_solicited_node(uint8_t *out, const uint8_t *addr)
{
	static const uint8_t prefix[13] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff
	};

	memcpy(out, prefix, sizeof(prefix));
	memcpy(out + 13, addr + 13, 3);
}

/* RFC 2464: 33:33 followed by the low 32 bits of the group. */
static void
ip6_multicast_mac(struct rte_ether_addr *mac, const uint8_t *group)
{
	mac->addr_bytes[0] = 0x33;
	mac->addr_bytes[1] = 0x33;
	memcpy(&mac->addr_bytes[2], group + 12, 4);
}

/* 0.0.0.0, multicast, reserved class E and limited broadcast never are hosts. */
static bool
ip4_is_unicast(rte_be32_t ip)
{
	uint32_t a = rte_be_to_cpu_32(ip);

	/* 224.0.0.0 spelled out: RTE_IPV4() shifts a signed int into its sign bit. */
	return a != 0 && a < UINT32_C(0xe0000000);
}

static bool
ip4_is_subnet_broadcast(const struct sbc_dp_iface *ifc, rte_be32_t ip)
{
	/* /31 and /32 have no broadcast address (RFC 3021). */
	if (rte_be_to_cpu_32(ifc->mask4) >= 0xfffffffeu)
		return false;
	return (ip & ~ifc->mask4) == ~ifc->mask4;
}

static bool
iface_owns_ip6(const struct sbc_dp_iface *ifc, const uint8_t *a)
{
	if (!ifc->has6 || ip6_is_zero(a))
		return false;
	return memcmp(ifc->ip6, a, 16) == 0 || memcmp(ifc->ll6, a, 16) == 0;
}

static const struct sbc_dp_iface *
host_iface_by_ip4(const struct sbc_host *h, uint16_t port, rte_be32_t ip)
{
	unsigned int i;

	for (i = 0; i < h->n_ifaces; i++)
		if (h->ifaces[i].port_id == port && sbc_dp_iface_is_ip4(&h->ifaces[i], ip))
			return &h->ifaces[i];
	return NULL;
}

static const struct sbc_dp_iface *
host_iface_by_ip6(const struct sbc_host *h, uint16_t port, const uint8_t *ip)
{
	unsigned int i;

	for (i = 0; i < h->n_ifaces; i++)
		if (h->ifaces[i].port_id == port && iface_owns_ip6(&h->ifaces[i], ip))
			return &h->ifaces[i];
	return NULL;
}

/* Is @group the solicited-node group of one of our addresses on @port? */
static bool
host_is_our_solicited_node(const struct sbc_host *h, uint16_t port, const uint8_t *group)
{
	uint8_t snm[16];
	unsigned int i;

	for (i = 0; i < h->n_ifaces; i++) {
		const struct sbc_dp_iface *ifc = &h->ifaces[i];

		if (ifc->port_id != port || !ifc->has6)
			continue;
		ip6_solicited_node(snm, ifc->ip6);
		if (memcmp(snm, group, 16) == 0)
			return true;
		ip6_solicited_node(snm, ifc->ll6);
		if (memcmp(snm, group, 16) == 0)
			return true;
	}
	return false;
}

static bool
host_port_has_mac(const struct sbc_host *h, uint16_t port, const struct rte_ether_addr *mac)
{
	unsigned int i;

	for (i = 0; i < h->n_ifaces; i++)
		if (h->ifaces[i].port_id == port && rte_is_same_ether_addr(&h->ifaces[i].mac, mac))
			return true;
	return false;
}

/* May @ip be a neighbour on @port: on-link for one of its interfaces, or a gateway? */
static bool
host_neigh4_ok(const struct sbc_host *h, uint16_t port, rte_be32_t ip)
{
	unsigned int i;

	if (!ip4_is_unicast(ip) || host_iface_by_ip4(h, port, ip) != NULL)
		return false;
	for (i = 0; i < h->n_ifaces; i++) {
		const struct sbc_dp_iface *ifc = &h->ifaces[i];

		if (ifc->port_id != port || !ifc->has4)
			continue;
		if (ifc->gw4 != 0 && ip == ifc->gw4)
			return true;
		if (((ip ^ ifc->ip4) & ifc->mask4) == 0 && !ip4_is_subnet_broadcast(ifc, ip))
			return true;
	}
	return false;
}

static bool
host_neigh6_ok(const struct sbc_host *h, uint16_t port, const uint8_t *ip)
{
	unsigned int i;

	if (ip6_is_zero(ip) || ip6_is_multicast(ip) || host_iface_by_ip6(h, port, ip) != NULL)
		return false;
	for (i = 0; i < h->n_ifaces; i++) {
		const struct sbc_dp_iface *ifc = &h->ifaces[i];

		if (ifc->port_id != port || !ifc->has6)
			continue;
		if (ip6_is_linklocal(ip) || ip6_prefix_match(ip, ifc->ip6, ifc->plen6))
			return true;
		if (ifc->has_gw6 && memcmp(ip, ifc->gw6, 16) == 0)
			return true;
	}
	return false;
}

/*
 * The frames we write are in the first segment, which must not be shared
 * with anyone else holding the same data.
 */
static bool
mbuf_writable(const struct rte_mbuf *m)
{
	if (rte_mbuf_refcnt_read(m) != 1 || RTE_MBUF_CLONED(m))
		return false;
	if (RTE_MBUF_HAS_EXTBUF(m) && rte_mbuf_ext_refcnt_read(m->shinfo) != 1)
		return false;
	return true;
}

/* Can the frame become @len bytes without touching later segments' data? */
static bool
frame_can_hold(const struct rte_mbuf *m, uint32_t len)
{
	if (len <= m->data_len)
		return true;
	return m->next == NULL && len - m->data_len <= rte_pktmbuf_tailroom(m);
}

/*
 * Make the frame exactly @len bytes: the Ethernet padding of the request
 * and segments past the reply go away.  When the reply itself spans
 * segments, padding is trimmed only if it lies in the last one; padding
 * left there is harmless on the wire.
 */
static void
frame_set_len(struct rte_mbuf *m, uint32_t len)
{
	if (frame_can_hold(m, len)) {
		if (m->next != NULL) {
			rte_pktmbuf_free(m->next);
			m->next = NULL;
			m->nb_segs = 1;
		}
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
		return;
	}
	if (m->pkt_len > len)
		(void)rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - len));
}

/* Neighbour table. */

static void
neigh_key_make(struct host_neigh_key *k, uint16_t port, int family, const uint8_t *addr)
{
	memset(k, 0, sizeof(*k));
	k->port_id = port;
	k->family = (uint8_t)family;
	memcpy(k->addr, addr, family == 4 ? 4 : 16);
}

static uint32_t
neigh_hash(const struct host_neigh_key *k)
{
	return rte_jhash(k, sizeof(*k), 0);
}

static struct host_neigh *
neigh_lookup(struct sbc_host *h, const struct host_neigh_key *k, uint32_t hash)
{
	uint32_t i = hash & h->slot_mask;

	for (;;) {
		uint32_t id = h->slots[i];

		if (id == HOST_SLOT_EMPTY)
			return NULL;
		if (h->neigh[id].hash == hash && memcmp(&h->neigh[id].key, k, sizeof(*k)) == 0)
			return &h->neigh[id];
		i = (i + 1) & h->slot_mask;
	}
}

static void
neigh_remove(struct sbc_host *h, uint32_t id)
{
	uint32_t mask = h->slot_mask;
	uint32_t i = h->neigh[id].hash & mask;
	uint32_t j;

	while (h->slots[i] != id)
		i = (i + 1) & mask;
	/*
	 * Backward-shift deletion: an entry further along the run moves into
	 * the hole unless its home slot lies (cyclically) after the hole, in
	 * which case a lookup would never pass the hole to reach it there.
	 */
	j = i;
	for (;;) {
		uint32_t home;

		j = (j + 1) & mask;
		if (h->slots[j] == HOST_SLOT_EMPTY)
			break;
		home = h->neigh[h->slots[j]].hash & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			h->slots[i] = h->slots[j];
			i = j;
		}
	}
	h->slots[i] = HOST_SLOT_EMPTY;
	h->free_ids[h->n_free++] = id;
}

/*
 * Make room in a full table.  Victims are taken from entries nobody
 * resolved first, least recently used first; entries that streams asked
 * for only go when @may_evict_wanted.  This scan is O(max_neighbors) but
 * only runs with a full table, on the main lcore.
 */
static int
neigh_evict(struct sbc_host *h, bool may_evict_wanted)
{
	uint32_t i, victim = HOST_SLOT_EMPTY;

	for (i = 0; i < h->max_neighbors; i++) {
		const struct host_neigh *e = &h->neigh[i];
		const struct host_neigh *v;

		if (e->wanted && !may_evict_wanted)
			continue;
		if (victim == HOST_SLOT_EMPTY) {
			victim = i;
			continue;
		}
		v = &h->neigh[victim];
		if ((v->wanted && !e->wanted) ||
		    (v->wanted == e->wanted && e->last_used_ms < v->last_used_ms))
			victim = i;
	}
	if (victim == HOST_SLOT_EMPTY)
		return -ENOSPC;
	neigh_remove(h, victim);
	return 0;
}

static struct host_neigh *
neigh_insert(struct sbc_host *h, const struct host_neigh_key *k, uint32_t hash,
	     bool may_evict_wanted, uint64_t now)
{
	struct host_neigh *e;
	uint32_t id, i;

	if (h->n_free == 0 && neigh_evict(h, may_evict_wanted) != 0)
		return NULL;
	id = h->free_ids[--h->n_free];
	e = &h->neigh[id];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->hash = hash;
	e->last_used_ms = now;
	i = hash & h->slot_mask;
	while (h->slots[i] != HOST_SLOT_EMPTY)
		i = (i + 1) & h->slot_mask;
	h->slots[i] = id;
	return e;
}

/*
 * Learn or refresh @addr -> @mac.  A new entry is made only when
 * @may_create (the packet was addressed to us); otherwise only next hops
 * already in the table are updated, so gratuitous traffic cannot fill it.
 * A different MAC replaces a known one only when @may_override.
 * Returns true when the entry was learned or refreshed.
 */
static bool
neigh_learn(struct sbc_host *h, uint16_t port, int family, const uint8_t *addr,
	    const struct rte_ether_addr *mac, bool may_create, bool may_override,
	    uint64_t now)
{
	struct host_neigh_key k;
	struct host_neigh *e;
	uint32_t hash;

	neigh_key_make(&k, port, family, addr);
	hash = neigh_hash(&k);
	e = neigh_lookup(h, &k, hash);
	if (e == NULL) {
		if (!may_create)
			return false;
		e = neigh_insert(h, &k, hash, false, now);
		if (e == NULL) {
			h->stats.neigh_table_full++;
			return false;
		}
	} else if (e->has_mac && !rte_is_same_ether_addr(&e->mac, mac) && !may_override) {
		return false;
	}
	if (!e->has_mac || !rte_is_same_ether_addr(&e->mac, mac)) {
		rte_ether_addr_copy(mac, &e->mac);
		e->has_mac = true;
		h->generation++;
	}
	e->confirmed_ms = now;
	e->last_used_ms = now;
	return true;
}

/* ARP. */

static int
host_arp_input(struct sbc_host *h, struct rte_mbuf *m, uint64_t now)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	const struct sbc_dp_iface *ifc;
	struct rte_ether_addr sha;
	rte_be32_t sip, tip;
	bool learned = false;
	uint16_t op;

	if (m->pkt_len < HOST_ARP_FRAME_LEN)
		return -EINVAL;
	if (m->data_len < HOST_ARP_FRAME_LEN)
		return -ENOTSUP;
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return -ENOTSUP;
	if (arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != sizeof(rte_be32_t))
		return -EINVAL;
	op = rte_be_to_cpu_16(arp->arp_opcode);
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)
		return -ENOTSUP;
	if (!rte_is_broadcast_ether_addr(&eth->dst_addr) &&
	    !host_port_has_mac(h, m->port, &eth->dst_addr))
		return -ENOENT;

	memcpy(&sha, &arp->arp_data.arp_sha, sizeof(sha));
	memcpy(&sip, &arp->arp_data.arp_sip, sizeof(sip));
	memcpy(&tip, &arp->arp_data.arp_tip, sizeof(tip));
	if (!rte_is_valid_assigned_ether_addr(&sha))
		return -EINVAL;

	/* RFC 826: refresh known senders; add new ones only when they talk to us. */
	ifc = host_iface_by_ip4(h, m->port, tip);
	if (host_neigh4_ok(h, m->port, sip))
		learned = neigh_learn(h, m->port, 4, (const uint8_t *)&sip, &sha,
				      ifc != NULL, true, now);
	if (learned)
		h->stats.arp_learned++;

	if (op != RTE_ARP_OP_REQUEST || ifc == NULL)
		return learned ? 0 : -ENOENT;
	if (!mbuf_writable(m))
		return -ENOTSUP;

	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	memcpy(&arp->arp_data.arp_tha, &sha, sizeof(sha));
	memcpy(&arp->arp_data.arp_tip, &sip, sizeof(sip));
	memcpy(&arp->arp_data.arp_sha, &ifc->mac, sizeof(ifc->mac));
	memcpy(&arp->arp_data.arp_sip, &ifc->ip4, sizeof(ifc->ip4));
	rte_ether_addr_copy(&sha, &eth->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	frame_set_len(m, HOST_ARP_FRAME_LEN);
	h->stats.arp_replies++;
	return 1;
}

/* IPv4: echo only. */

static int
host_ipv4_input(struct sbc_host *h, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	const struct sbc_dp_iface *ifc;
	struct rte_icmp_hdr *icmp;
	uint32_t ihl, tot, icmp_len, opt_len, sum;
	rte_be32_t peer;

	if (m->pkt_len < HOST_ETH_LEN + HOST_IP4_LEN)
		return -EINVAL;
	if (m->data_len < HOST_ETH_LEN + HOST_IP4_LEN)
		return -ENOTSUP;
	if ((ip->version_ihl >> 4) != 4)
		return -EINVAL;
	ihl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	tot = rte_be_to_cpu_16(ip->total_length);
	if (ihl < HOST_IP4_LEN || tot < ihl || tot > m->pkt_len - HOST_ETH_LEN)
		return -EINVAL;

	ifc = host_iface_by_ip4(h, m->port, ip->dst_addr);
	if (ifc == NULL || ip->next_proto_id != IPPROTO_ICMP ||
	    !rte_is_same_ether_addr(&eth->dst_addr, &ifc->mac))
		return -ENOENT;

	icmp_len = tot - ihl;
	if (icmp_len < sizeof(struct rte_icmp_hdr))
		return -EINVAL;
	if (m->data_len < HOST_ETH_LEN + ihl + sizeof(struct rte_icmp_hdr))
		return -ENOTSUP;
	if (rte_raw_cksum(ip, ihl) != 0xffff)
		return -EINVAL;
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return -ENOTSUP;
	peer = ip->src_addr;
	if (!ip4_is_unicast(peer) || !rte_is_valid_assigned_ether_addr(&eth->src_addr))
		return -EINVAL;
	icmp = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST)
		return -ENOTSUP;
	if (icmp->icmp_code != 0)
		return -EINVAL;
	if (cksum_mbuf(m, HOST_ETH_LEN + ihl, icmp_len, &sum) != 0 || cksum_fold(sum) != 0xffff)
		return -EINVAL;
	if (!mbuf_writable(m))
		return -ENOTSUP;

	/*
	 * The reply carries no IP options: copying record-route or source
	 * route options back (RFC 1122 3.2.2.6, a SHOULD) is not worth the
	 * parsing, and a 20-byte header is always valid.
	 */
	opt_len = ihl - HOST_IP4_LEN;
	if (opt_len > 0) {
		memmove((uint8_t *)eth + opt_len, eth, HOST_ETH_LEN + HOST_IP4_LEN);
		rte_pktmbuf_adj(m, (uint16_t)opt_len);
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		ip = (struct rte_ipv4_hdr *)(eth + 1);
	}
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(HOST_IP4_LEN + icmp_len));
	ip->fragment_offset &= rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = HOST_REPLY_TTL;
	ip->src_addr = ifc->ip4;
	ip->dst_addr = peer;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, HOST_IP4_LEN);

	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	sum = 0;
	(void)cksum_mbuf(m, HOST_ETH_LEN + HOST_IP4_LEN, icmp_len, &sum);
	icmp->icmp_cksum = (uint16_t)~cksum_fold(sum);

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	frame_set_len(m, HOST_ETH_LEN + HOST_IP4_LEN + icmp_len);
	h->stats.echo_replies++;
	return 1;
}

/* IPv6: echo and neighbour discovery. */

/*
 * Walk the options of an NS/NA (RFC 4861 4.6: every option has a non-zero
 * length that fits) and pick the link-layer address option @type.
 */
static int
nd_find_lladdr(const uint8_t *opt, uint32_t len, uint8_t type, struct rte_ether_addr *mac,
	       bool *found)
{
	*found = false;
	while (len > 0) {
		uint32_t olen;

		if (len < 2)
			return -EINVAL;
		olen = opt[1] * 8u;
		if (olen == 0 || olen > len)
			return -EINVAL;
		if (opt[0] == type) {
			if (olen != sizeof(struct host_nd_lla_opt))
				return -EINVAL;
			memcpy(mac, opt + 2, RTE_ETHER_ADDR_LEN);
			*found = true;
		}
		opt += olen;
		len -= olen;
	}
	return 0;
}

static int
host_echo6_input(struct sbc_host *h, struct rte_mbuf *m, struct rte_ipv6_hdr *ip6,
		 uint32_t plen)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct host_icmp6_echo *echo = (struct host_icmp6_echo *)(ip6 + 1);
	const struct sbc_dp_iface *ifc;
	uint8_t ours[16];

	/* Echo to a multicast group is not answered. */
	ifc = host_iface_by_ip6(h, m->port, ip6->dst_addr);
	if (ifc == NULL)
		return -ENOENT;
	if (plen < sizeof(*echo) || echo->code != 0)
		return -EINVAL;
	if (m->data_len < HOST_ICMP6_OFF + sizeof(*echo))
		return -ENOTSUP;
	if (ip6_is_zero(ip6->src_addr) || ip6_is_multicast(ip6->src_addr) ||
	    !rte_is_valid_assigned_ether_addr(&eth->src_addr))
		return -EINVAL;
	if (!mbuf_writable(m))
		return -ENOTSUP;

	memcpy(ours, ip6->dst_addr, sizeof(ours));
	memcpy(ip6->dst_addr, ip6->src_addr, sizeof(ip6->dst_addr));
	memcpy(ip6->src_addr, ours, sizeof(ours));
	ip6->hop_limits = HOST_REPLY_TTL;
	echo->type = HOST_ICMP6_ECHO_REPLY;
	echo->cksum = 0;
	echo->cksum = icmp6_cksum(m, ip6, plen);
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	frame_set_len(m, HOST_ICMP6_OFF + plen);
	h->stats.echo_replies++;
	return 1;
}

static int
host_ns_input(struct sbc_host *h, struct rte_mbuf *m, struct rte_ipv6_hdr *ip6,
	      uint32_t plen, uint64_t now)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct host_nd_msg *nd = (struct host_nd_msg *)(ip6 + 1);
	struct host_nd_lla_opt *opt;
	const struct sbc_dp_iface *ifc;
	struct rte_ether_addr slla, dst_mac;
	uint8_t snm[16];
	bool has_slla, dad;

	if (ip6->hop_limits != HOST_ND_HOP_LIMIT || plen < sizeof(*nd) || nd->code != 0)
		return -EINVAL;
	/* NDP messages are small: options must be in the first segment. */
	if (m->data_len < HOST_ICMP6_OFF + plen)
		return -ENOTSUP;
	if (ip6_is_multicast(nd->target) || ip6_is_zero(nd->target))
		return -EINVAL;
	if (nd_find_lladdr((const uint8_t *)(nd + 1), plen - sizeof(*nd),
			   HOST_ND_OPT_SOURCE_LLADDR, &slla, &has_slla) != 0)
		return -EINVAL;

	ip6_solicited_node(snm, nd->target);
	dad = ip6_is_zero(ip6->src_addr);
	if (dad && (has_slla || memcmp(ip6->dst_addr, snm, 16) != 0))
		return -EINVAL;
	if (ip6_is_multicast(ip6->src_addr))
		return -EINVAL;
	ifc = host_iface_by_ip6(h, m->port, nd->target);
	if (ifc == NULL)
		return -ENOENT;
	if (memcmp(ip6->dst_addr, nd->target, 16) != 0 && memcmp(ip6->dst_addr, snm, 16) != 0)
		return -EINVAL;

	if (dad) {
		ip6_multicast_mac(&dst_mac, ip6_all_nodes);
	} else {
		rte_ether_addr_copy(has_slla ? &slla : &eth->src_addr, &dst_mac);
		if (!rte_is_valid_assigned_ether_addr(&dst_mac))
			return -EINVAL;
		/* RFC 4861 7.2.3: a solicitation to us teaches us its sender. */
		if (has_slla && host_neigh6_ok(h, m->port, ip6->src_addr) &&
		    neigh_learn(h, m->port, 6, ip6->src_addr, &slla, true, true, now))
			h->stats.na_learned++;
	}
	if (!mbuf_writable(m) || !frame_can_hold(m, HOST_ND_FRAME_LEN))
		return -ENOTSUP;

	frame_set_len(m, HOST_ND_FRAME_LEN);
	rte_ether_addr_copy(&dst_mac, &eth->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	ip6->vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28);
	ip6->payload_len = rte_cpu_to_be_16(HOST_ND_PAYLOAD_LEN);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = HOST_ND_HOP_LIMIT;
	memcpy(ip6->dst_addr, dad ? ip6_all_nodes : ip6->src_addr, 16);
	memcpy(ip6->src_addr, nd->target, 16);
	nd->type = HOST_ND_NEIGHBOR_ADVERT;
	nd->code = 0;
	nd->cksum = 0;
	/* RFC 4861 7.2.4: not solicited when answering duplicate address detection. */
	nd->flags = rte_cpu_to_be_32(HOST_ND_NA_FLAG_OVERRIDE |
				     (dad ? 0 : HOST_ND_NA_FLAG_SOLICITED));
	opt = (struct host_nd_lla_opt *)(nd + 1);
	opt->type = HOST_ND_OPT_TARGET_LLADDR;
	opt->len = 1;
	memcpy(opt->addr, &ifc->mac, RTE_ETHER_ADDR_LEN);
	nd->cksum = icmp6_cksum(m, ip6, HOST_ND_PAYLOAD_LEN);
	h->stats.ns_answered++;
	return 1;
}

static int
host_na_input(struct sbc_host *h, struct rte_mbuf *m, struct rte_ipv6_hdr *ip6,
	      uint32_t plen, uint64_t now)
{
	const struct host_nd_msg *nd = (const struct host_nd_msg *)(ip6 + 1);
	struct rte_ether_addr tlla;
	uint32_t flags;
	bool has_tlla;

	if (ip6->hop_limits != HOST_ND_HOP_LIMIT || plen < sizeof(*nd) || nd->code != 0)
		return -EINVAL;
	if (m->data_len < HOST_ICMP6_OFF + plen)
		return -ENOTSUP;
	flags = rte_be_to_cpu_32(nd->flags);
	if (ip6_is_multicast(nd->target) ||
	    (ip6_is_multicast(ip6->dst_addr) && (flags & HOST_ND_NA_FLAG_SOLICITED)))
		return -EINVAL;
	if (nd_find_lladdr((const uint8_t *)(nd + 1), plen - sizeof(*nd),
			   HOST_ND_OPT_TARGET_LLADDR, &tlla, &has_tlla) != 0)
		return -EINVAL;
	if (!has_tlla || !host_neigh6_ok(h, m->port, nd->target))
		return -ENOENT;
	if (!rte_is_valid_assigned_ether_addr(&tlla))
		return -EINVAL;
	/* RFC 4861 7.2.5: an advertisement for a next hop we never asked about is dropped. */
	if (!neigh_learn(h, m->port, 6, nd->target, &tlla, false,
			 (flags & HOST_ND_NA_FLAG_OVERRIDE) != 0, now))
		return -ENOENT;
	h->stats.na_learned++;
	return 0;
}

static bool
ip6_is_extension(uint8_t proto)
{
	return proto == IPPROTO_HOPOPTS || proto == IPPROTO_ROUTING ||
	       proto == IPPROTO_FRAGMENT || proto == IPPROTO_DSTOPTS;
}

static int
host_ipv6_input(struct sbc_host *h, struct rte_mbuf *m, uint64_t now)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	const struct host_icmp6_hdr *icmp6;
	struct rte_ether_addr group_mac;
	uint32_t plen;

	if (m->pkt_len < HOST_ICMP6_OFF)
		return -EINVAL;
	if (m->data_len < HOST_ICMP6_OFF)
		return -ENOTSUP;
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6)
		return -EINVAL;
	plen = rte_be_to_cpu_16(ip6->payload_len);
	if (plen > m->pkt_len - HOST_ICMP6_OFF)
		return -EINVAL;

	if (ip6_is_multicast(ip6->dst_addr)) {
		if (memcmp(ip6->dst_addr, ip6_all_nodes, 16) != 0 &&
		    !host_is_our_solicited_node(h, m->port, ip6->dst_addr))
			return -ENOENT;
		ip6_multicast_mac(&group_mac, ip6->dst_addr);
		if (!rte_is_same_ether_addr(&eth->dst_addr, &group_mac))
			return -ENOENT;
	} else {
		const struct sbc_dp_iface *ifc = host_iface_by_ip6(h, m->port, ip6->dst_addr);

		if (ifc == NULL || !rte_is_same_ether_addr(&eth->dst_addr, &ifc->mac))
			return -ENOENT;
	}
	if (ip6->proto != IPPROTO_ICMPV6)
		return ip6_is_extension(ip6->proto) ? -ENOTSUP : -ENOENT;
	if (plen < sizeof(*icmp6))
		return -EINVAL;
	if (m->data_len < HOST_ICMP6_OFF + sizeof(*icmp6))
		return -ENOTSUP;

	icmp6 = (const struct host_icmp6_hdr *)(ip6 + 1);
	if (icmp6->type != HOST_ICMP6_ECHO_REQUEST && icmp6->type != HOST_ND_NEIGHBOR_SOLICIT &&
	    icmp6->type != HOST_ND_NEIGHBOR_ADVERT)
		return -ENOTSUP;
	if (!icmp6_cksum_ok(m, ip6, plen))
		return -EINVAL;
	switch (icmp6->type) {
	case HOST_ICMP6_ECHO_REQUEST:
		return host_echo6_input(h, m, ip6, plen);
	case HOST_ND_NEIGHBOR_SOLICIT:
		return host_ns_input(h, m, ip6, plen, now);
	default:
		return host_na_input(h, m, ip6, plen, now);
	}
}

static int
host_dispatch(struct sbc_host *h, struct rte_mbuf *m, uint64_t now)
{
	const struct rte_ether_hdr *eth;

	if (m->data_len > m->pkt_len || m->pkt_len < HOST_ETH_LEN)
		return -EINVAL;
	if (m->data_len < HOST_ETH_LEN)
		return -ENOTSUP;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	switch (rte_be_to_cpu_16(eth->ether_type)) {
	case RTE_ETHER_TYPE_ARP:
		return host_arp_input(h, m, now);
	case RTE_ETHER_TYPE_IPV4:
		return host_ipv4_input(h, m);
	case RTE_ETHER_TYPE_IPV6:
		return host_ipv6_input(h, m, now);
	case RTE_ETHER_TYPE_VLAN:
	case RTE_ETHER_TYPE_QINQ:
		return -ENOTSUP;
	default:
		return -ENOENT;
	}
}

int
sbc_host_input(struct sbc_host *h, struct rte_mbuf *m, uint64_t now_ms, struct rte_mbuf **reply)
{
	int rc;

	if (reply != NULL)
		*reply = NULL;
	if (h == NULL || m == NULL || reply == NULL)
		return -EINVAL;
	rc = host_dispatch(h, m, now_ms);
	if (rc == 1) {
		*reply = m;
		return 1;
	}
	if (rc == 0) {
		rte_pktmbuf_free(m);
		return 0;
	}
	if (rc == -EINVAL)
		h->stats.malformed++;
	else
		h->stats.ignored++;
	return rc;
}

/* Requests we originate. */

static struct rte_mbuf *
host_arp_request(struct sbc_host *h, const struct sbc_dp_iface *ifc, rte_be32_t target)
{
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;

	m = rte_pktmbuf_alloc(h->mp);
	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, HOST_ARP_FRAME_LEN);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(rte_be32_t);
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	memcpy(&arp->arp_data.arp_sha, &ifc->mac, sizeof(ifc->mac));
	memcpy(&arp->arp_data.arp_sip, &ifc->ip4, sizeof(ifc->ip4));
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	memcpy(&arp->arp_data.arp_tip, &target, sizeof(target));
	m->port = ifc->port_id;
	return m;
}

static struct rte_mbuf *
host_ns_request(struct sbc_host *h, const struct sbc_dp_iface *ifc, const uint8_t *target)
{
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip6;
	struct host_nd_msg *nd;
	struct host_nd_lla_opt *opt;
	struct rte_mbuf *m;
	const uint8_t *src;

	m = rte_pktmbuf_alloc(h->mp);
	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, HOST_ND_FRAME_LEN);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	/* A link-local next hop might not know our global prefix: speak link-local to it. */
	src = ip6_is_linklocal(target) && !ip6_is_zero(ifc->ll6) ? ifc->ll6 : ifc->ip6;

	ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	ip6->vtc_flow = rte_cpu_to_be_32(UINT32_C(6) << 28);
	ip6->payload_len = rte_cpu_to_be_16(HOST_ND_PAYLOAD_LEN);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = HOST_ND_HOP_LIMIT;
	memcpy(ip6->src_addr, src, 16);
	ip6_solicited_node(ip6->dst_addr, target);

	ip6_multicast_mac(&eth->dst_addr, ip6->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);

	nd = (struct host_nd_msg *)(ip6 + 1);
	nd->type = HOST_ND_NEIGHBOR_SOLICIT;
	nd->code = 0;
	nd->cksum = 0;
	nd->flags = 0;
	memcpy(nd->target, target, 16);
	opt = (struct host_nd_lla_opt *)(nd + 1);
	opt->type = HOST_ND_OPT_SOURCE_LLADDR;
	opt->len = 1;
	memcpy(opt->addr, &ifc->mac, RTE_ETHER_ADDR_LEN);
	nd->cksum = icmp6_cksum(m, ip6, HOST_ND_PAYLOAD_LEN);
	m->port = ifc->port_id;
	return m;
}

/* The next hop towards @ip, into @nh (16 bytes; IPv4 in the first 4). */
static int
host_nexthop(const struct sbc_dp_iface *ifc, const uint8_t *ip, int family, uint8_t *nh)
{
	if (family == 4) {
		rte_be32_t dst, hop;

		if (!ifc->has4)
			return -EINVAL;
		memcpy(&dst, ip, sizeof(dst));
		if (!ip4_is_unicast(dst))
			return -EINVAL;
		hop = sbc_dp_iface_nexthop4(ifc, dst);
		if (hop == 0)
			return -ENETUNREACH;
		if (hop == ifc->ip4 || (hop == dst && ip4_is_subnet_broadcast(ifc, dst)))
			return -EINVAL;
		memcpy(nh, &hop, sizeof(hop));
		return 0;
	}
	if (family != 6 || !ifc->has6)
		return -EINVAL;
	if (ip6_is_zero(ip) || ip6_is_multicast(ip))
		return -EINVAL;
	if (ip6_is_linklocal(ip) || ip6_prefix_match(ip, ifc->ip6, ifc->plen6))
		memcpy(nh, ip, 16);
	else if (ifc->has_gw6)
		memcpy(nh, ifc->gw6, 16);
	else
		return -ENETUNREACH;
	if (iface_owns_ip6(ifc, nh))
		return -EINVAL;
	return 0;
}

int
sbc_host_resolve(struct sbc_host *h, unsigned int iface_index, const uint8_t *ip,
		 int family, uint64_t now_ms, struct rte_ether_addr *mac,
		 struct rte_mbuf **request)
{
	const struct sbc_dp_iface *ifc;
	struct host_neigh_key k;
	struct host_neigh *e;
	uint8_t nh[16];
	uint32_t hash;
	int rc;

	if (request != NULL)
		*request = NULL;
	if (h == NULL || ip == NULL || mac == NULL || request == NULL ||
	    iface_index >= h->n_ifaces)
		return -EINVAL;
	ifc = &h->ifaces[iface_index];
	rc = host_nexthop(ifc, ip, family, nh);
	if (rc != 0)
		return rc;

	neigh_key_make(&k, ifc->port_id, family, nh);
	hash = neigh_hash(&k);
	e = neigh_lookup(h, &k, hash);
	if (e == NULL) {
		/* Cannot fail: max_neighbors >= 1 and any entry may be evicted. */
		e = neigh_insert(h, &k, hash, true, now_ms);
		if (e == NULL)
			return -ENOSPC;
	}
	e->wanted = true;
	e->last_used_ms = now_ms;

	if (e->has_mac) {
		rte_ether_addr_copy(&e->mac, mac);
		if (elapsed_ms(now_ms, e->confirmed_ms) < SBC_HOST_NEIGH_REACHABLE_MS)
			return 0;
		/* Stale: keep answering with the old MAC while asking again. */
		rc = 0;
	} else {
		rc = -EAGAIN;
	}
	if (e->requested && elapsed_ms(now_ms, e->last_request_ms) < SBC_HOST_REQUEST_INTERVAL_MS)
		return rc;

	if (family == 4) {
		rte_be32_t nh4;

		memcpy(&nh4, nh, sizeof(nh4));
		*request = host_arp_request(h, ifc, nh4);
	} else {
		*request = host_ns_request(h, ifc, nh);
	}
	if (*request == NULL) {
		h->stats.request_nombuf++;
		return rc;
	}
	e->requested = true;
	e->last_request_ms = now_ms;
	h->stats.requests_sent++;
	return rc;
}

uint64_t
sbc_host_generation(const struct sbc_host *h)
{
	return h->generation;
}

void
sbc_host_stats(const struct sbc_host *h, struct sbc_host_stats *out)
{
	*out = h->stats;
}

struct sbc_host *
sbc_host_create(const struct sbc_dp_iface *ifaces, unsigned int n_ifaces,
		struct rte_mempool *mp, unsigned int max_neighbors, int socket_id)
{
	struct sbc_host *h;
	uint32_t n_slots, i;

	if (ifaces == NULL || n_ifaces == 0 || n_ifaces > SBC_DP_MAX_IFACES || mp == NULL ||
	    max_neighbors == 0 || max_neighbors > SBC_HOST_MAX_NEIGHBORS ||
	    rte_pktmbuf_data_room_size(mp) < RTE_PKTMBUF_HEADROOM + HOST_ND_FRAME_LEN) {
		rte_errno = EINVAL;
		return NULL;
	}
	h = rte_zmalloc_socket("sbc_host", sizeof(*h), RTE_CACHE_LINE_SIZE, socket_id);
	if (h == NULL)
		goto err_nomem;
	h->neigh = rte_zmalloc_socket("sbc_host_neigh", sizeof(*h->neigh) * max_neighbors,
				      RTE_CACHE_LINE_SIZE, socket_id);
	if (h->neigh == NULL)
		goto err_host;
	h->free_ids = rte_malloc_socket("sbc_host_free", sizeof(*h->free_ids) * max_neighbors,
					RTE_CACHE_LINE_SIZE, socket_id);
	if (h->free_ids == NULL)
		goto err_neigh;
	n_slots = rte_align32pow2(2 * max_neighbors);
	h->slots = rte_malloc_socket("sbc_host_slots", sizeof(*h->slots) * n_slots,
				     RTE_CACHE_LINE_SIZE, socket_id);
	if (h->slots == NULL)
		goto err_free_ids;

	memset(h->slots, 0xff, sizeof(*h->slots) * n_slots);
	h->slot_mask = n_slots - 1;
	h->max_neighbors = max_neighbors;
	for (i = 0; i < max_neighbors; i++)
		h->free_ids[i] = max_neighbors - 1 - i;
	h->n_free = max_neighbors;
	memcpy(h->ifaces, ifaces, sizeof(*ifaces) * n_ifaces);
	h->n_ifaces = n_ifaces;
	h->mp = mp;
	return h;

err_free_ids:
	rte_free(h->free_ids);
err_neigh:
	rte_free(h->neigh);
err_host:
	rte_free(h);
err_nomem:
	rte_errno = ENOMEM;
	return NULL;
}

void
sbc_host_destroy(struct sbc_host *h)
{
	if (h == NULL)
		return;
	rte_free(h->slots);
	rte_free(h->free_ids);
	rte_free(h->neigh);
	rte_free(h);
}
