/* SPDX-License-Identifier: BSD-3-Clause
 * Address helpers shared by both processes: IPv4/IPv6 addresses, prefixes
 * and port ranges, parsed strictly and formatted for logs and errors.
 * Pure functions; any thread.
 */
#ifndef SBC_ADDR_H
#define SBC_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sbc_ip {
	uint8_t family;          /* 0 (unset), 4 or 6 */
	uint8_t bytes[16];       /* network order; IPv4 in the first 4 */
};

struct sbc_prefix {
	struct sbc_ip ip;
	uint8_t len;             /* prefix length: 0..32 or 0..128 */
};

struct sbc_port_range {
	uint16_t lo;
	uint16_t hi;             /* inclusive; lo <= hi */
};

#define SBC_IP_STRLEN 64     /* enough for "[ffff:...:ffff]/128" */

/** Parse a bare IPv4 or IPv6 address. Returns 0 or -EINVAL. */
int sbc_ip_parse(struct sbc_ip *ip, const char *s);

/**
 * Parse "addr/len" (length optional: full length when absent).
 * With @network_only, host bits beyond the length must be zero (-EDOM).
 * Returns 0, -EINVAL (syntax), -ERANGE (length) or -EDOM (host bits set).
 */
int sbc_prefix_parse(struct sbc_prefix *p, const char *s, bool network_only);

/** Parse "lo-hi" or a single port; 1..65535. Returns 0, -EINVAL or -ERANGE. */
int sbc_port_range_parse(struct sbc_port_range *r, const char *s);

/** true when @ip lies inside @p (same family). */
bool sbc_prefix_contains(const struct sbc_prefix *p, const struct sbc_ip *ip);

/** true when the two prefixes share any address. */
bool sbc_prefix_overlaps(const struct sbc_prefix *a, const struct sbc_prefix *b);

/** true when both ranges share at least one port. */
bool sbc_port_range_overlaps(const struct sbc_port_range *a,
			     const struct sbc_port_range *b);

bool sbc_ip_equal(const struct sbc_ip *a, const struct sbc_ip *b);

/** Format an address ("198.18.0.1", "2001:db8::1"). Returns @buf. */
char *sbc_ip_str(const struct sbc_ip *ip, char *buf, size_t len);

/** Format a prefix ("198.18.0.0/15"). Returns @buf. */
char *sbc_prefix_str(const struct sbc_prefix *p, char *buf, size_t len);

#endif /* SBC_ADDR_H */
