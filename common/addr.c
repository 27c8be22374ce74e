/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbc_addr.h"

static unsigned int ip_bits(const struct sbc_ip *ip)
{
	return ip->family == 4 ? 32 : 128;
}

int sbc_ip_parse(struct sbc_ip *ip, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	if (s == NULL || *s == '\0')
		return -EINVAL;
	if (inet_pton(AF_INET, s, ip->bytes) == 1) {
		ip->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->bytes) == 1) {
		ip->family = 6;
		return 0;
	}
	memset(ip, 0, sizeof(*ip));
	return -EINVAL;
}

/* Strict decimal: digits only, no sign, no leading '+', bounded. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int sbc_prefix_parse(struct sbc_prefix *p, const char *s, bool network_only)
{
	char buf[SBC_IP_STRLEN];
	const char *slash;
	unsigned long len;
	unsigned int bits, i;
	int rc;

	memset(p, 0, sizeof(*p));
	slash = strchr(s, '/');
	if (slash == NULL) {
		rc = sbc_ip_parse(&p->ip, s);
		if (rc == 0)
			p->len = (uint8_t)ip_bits(&p->ip);
		return rc;
	}
	if ((size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	rc = sbc_ip_parse(&p->ip, buf);
	if (rc != 0)
		return rc;
	bits = ip_bits(&p->ip);
	rc = parse_uint(slash + 1, 255, &len);
	if (rc == -EINVAL)
		return rc;
	if (rc != 0 || len > bits)
		return -ERANGE;
	p->len = (uint8_t)len;
	if (network_only) {
		for (i = p->len; i < bits; i++)
			if (p->ip.bytes[i / 8] & (0x80u >> (i % 8)))
				return -EDOM;
	}
	return 0;
}

int sbc_port_range_parse(struct sbc_port_range *r, const char *s)
{
	char buf[16];
	const char *dash = strchr(s, '-');
	unsigned long lo, hi;
	int rc;

	if (dash == NULL) {
		rc = parse_uint(s, 65535, &lo);
		hi = lo;
	} else {
		if ((size_t)(dash - s) >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, s, (size_t)(dash - s));
		buf[dash - s] = '\0';
		rc = parse_uint(buf, 65535, &lo);
		if (rc == 0)
			rc = parse_uint(dash + 1, 65535, &hi);
	}
	if (rc != 0)
		return rc;
	if (lo == 0 || hi == 0 || lo > hi)
		return -ERANGE;
	r->lo = (uint16_t)lo;
	r->hi = (uint16_t)hi;
	return 0;
}

static bool prefix_match_bits(const uint8_t *a, const uint8_t *b, unsigned int n)
{
	unsigned int full = n / 8, rest = n % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ b[full]) & (uint8_t)(0xffu << (8 - rest))) == 0;
}

bool sbc_prefix_contains(const struct sbc_prefix *p, const struct sbc_ip *ip)
{
	if (p->ip.family != ip->family)
		return false;
	return prefix_match_bits(p->ip.bytes, ip->bytes, p->len);
}

bool sbc_prefix_overlaps(const struct sbc_prefix *a, const struct sbc_prefix *b)
{
	if (a->ip.family != b->ip.family)
		return false;
	return prefix_match_bits(a->ip.bytes, b->ip.bytes,
				 a->len < b->len ? a->len : b->len);
}

bool sbc_port_range_overlaps(const struct sbc_port_range *a,
			     const struct sbc_port_range *b)
{
	return a->lo <= b->hi && b->lo <= a->hi;
}

bool sbc_ip_equal(const struct sbc_ip *a, const struct sbc_ip *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

char *sbc_ip_str(const struct sbc_ip *ip, char *buf, size_t len)
{
	if (ip->family == 0 ||
	    inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->bytes, buf,
		      (socklen_t)len) == NULL)
		snprintf(buf, len, "-");
	return buf;
}

char *sbc_prefix_str(const struct sbc_prefix *p, char *buf, size_t len)
{
	char ip[SBC_IP_STRLEN];

	snprintf(buf, len, "%s/%u", sbc_ip_str(&p->ip, ip, sizeof(ip)), p->len);
	return buf;
}
