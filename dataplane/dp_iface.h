/* SPDX-License-Identifier: BSD-3-Clause
 * Media interfaces at run time: the addresses the data plane owns on a DPDK
 * port.  Built once at start from the configuration, then read-only (any
 * lcore may read them without synchronisation).
 */
#ifndef SBC_DP_IFACE_H
#define SBC_DP_IFACE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#define SBC_DP_MAX_IFACES 64
#define SBC_DP_MAX_PORTS  16

struct sbc_dp_iface {
	char name[32];
	uint16_t index;                  /* position in the interface array */
	uint16_t port_id;                /* DPDK port */
	uint16_t mtu;
	struct rte_ether_addr mac;       /* the port's MAC */

	bool has4;
	rte_be32_t ip4;                  /* our IPv4 address */
	rte_be32_t mask4;                /* netmask of ip4 */
	rte_be32_t gw4;                  /* 0 = no gateway */

	bool has6;
	uint8_t ip6[16];                 /* our global IPv6 address */
	uint8_t ll6[16];                 /* our link-local address (EUI-64 of mac) */
	uint8_t plen6;
	bool has_gw6;
	uint8_t gw6[16];

	uint16_t port_lo, port_hi;       /* media port range (even..odd) */
};

/** true when @ip (network order) is ours on @ifc. */
static inline bool sbc_dp_iface_is_ip4(const struct sbc_dp_iface *ifc, rte_be32_t ip)
{
	return ifc->has4 && ifc->ip4 == ip;
}

/** Next hop for an IPv4 destination: itself when on-link, else the gateway (0 if none). */
static inline rte_be32_t sbc_dp_iface_nexthop4(const struct sbc_dp_iface *ifc, rte_be32_t dst)
{
	if (((dst ^ ifc->ip4) & ifc->mask4) == 0)
		return dst;
	return ifc->gw4;
}

#endif /* SBC_DP_IFACE_H */
