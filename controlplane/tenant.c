/* SPDX-License-Identifier: BSD-3-Clause
 * Tenant selection by Request-URI host (tenant.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tenant.h"

/* A host name is at most 253 characters (plus one trailing dot). */
#define TENANT_HOST_MAX 254

/*
 * Open addressing, linear probing, at most half full.  The keys come from
 * the config, so a caller choosing what to look up cannot lengthen the
 * probe sequences: FNV-1a is enough.
 */
struct sbc_tenants {
	uint32_t mask;
	const struct sbc_cfg_tenant **slot;
};

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static uint32_t host_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)lower(s[i]);
		h *= 16777619u;
	}
	return h;
}

struct sbc_tenants *sbc_tenants_create(const struct sbc_config *cfg)
{
	struct sbc_tenants *ts;
	uint32_t size = 16;

	while (size < 2 * (uint64_t)cfg->n_tenants)
		size <<= 1;
	ts = calloc(1, sizeof(*ts));
	if (ts == NULL)
		return NULL;
	ts->slot = calloc(size, sizeof(*ts->slot));
	if (ts->slot == NULL) {
		free(ts);
		errno = ENOMEM;
		return NULL;
	}
	ts->mask = size - 1;
	for (uint32_t i = 0; i < cfg->n_tenants; i++) {
		const struct sbc_cfg_tenant *t = &cfg->tenants[i];
		size_t n = strlen(t->domain);
		uint32_t h = host_hash(t->domain, n) & ts->mask;

		for (; ts->slot[h] != NULL; h = (h + 1) & ts->mask) {
			if (strcasecmp(ts->slot[h]->domain, t->domain) == 0) {
				sbc_tenants_destroy(ts);
				errno = EINVAL;
				return NULL;
			}
		}
		ts->slot[h] = t;
	}
	return ts;
}

void sbc_tenants_destroy(struct sbc_tenants *ts)
{
	if (ts == NULL)
		return;
	free(ts->slot);
	free(ts);
}

static const struct sbc_cfg_tenant *lookup(const struct sbc_tenants *ts, const char *host,
					   size_t n)
{
	uint32_t h;
	size_t last;

	if (ts == NULL || host == NULL)
		return NULL;
	if (n > 0 && host[n - 1] == '.')
		n--;
	if (n == 0 || n > TENANT_HOST_MAX - 1)
		return NULL;
	/* An IPv4 literal (no top-level domain is numeric) selects nothing. */
	for (last = n; last > 0 && host[last - 1] >= '0' && host[last - 1] <= '9'; last--)
		;
	if (last == 0 || host[last - 1] == '.')
		return NULL;
	for (h = host_hash(host, n) & ts->mask; ts->slot[h] != NULL; h = (h + 1) & ts->mask) {
		const char *d = ts->slot[h]->domain;

		if (strlen(d) == n && strncasecmp(d, host, n) == 0)
			return ts->slot[h];
	}
	return NULL;
}

const struct sbc_cfg_tenant *sbc_tenants_by_host(const struct sbc_tenants *ts,
						 const char *host)
{
	if (host == NULL)
		return NULL;
	return lookup(ts, host, strnlen(host, TENANT_HOST_MAX + 1));
}

const struct sbc_cfg_tenant *sbc_tenants_by_ruri(const struct sbc_tenants *ts,
						 const char *ruri)
{
	const char *p, *at, *end;
	size_t n;

	if (ruri == NULL)
		return NULL;
	if (strncasecmp(ruri, "sip:", 4) == 0)
		p = ruri + 4;
	else if (strncasecmp(ruri, "sips:", 5) == 0)
		p = ruri + 5;
	else
		return NULL;
	/*
	 * The user part may hold ';' and '?' (telephone-subscriber), but no
	 * unescaped '@' may follow the host (RFC 3261 25.1 paramchar, hvalue):
	 * the first '@' ends the userinfo.
	 */
	n = strcspn(p, ">");
	at = memchr(p, '@', n);
	if (at != NULL)
		p = at + 1;
	if (*p == '[')
		return NULL;          /* IPv6 literal: not a domain */
	end = p + strcspn(p, ":;?>");
	return lookup(ts, p, (size_t)(end - p));
}
