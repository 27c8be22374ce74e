/* SPDX-License-Identifier: BSD-3-Clause
 * Routing (routing.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "routing.h"
#include "tenant.h"

const char *sbc_route_target_hostpart(const char *target)
{
	const char *p = target, *at;

	if (strncasecmp(p, "sip:", 4) == 0)
		p += 4;
	else if (strncasecmp(p, "sips:", 5) == 0)
		p += 5;
	at = strchr(p, '@');
	return at != NULL ? at + 1 : p;
}

/* Length of the host of a hostpart: up to ':' or ';', an IPv6 one with its brackets. */
static size_t hostpart_host_len(const char *hp)
{
	if (hp[0] == '[') {
		const char *end = strchr(hp, ']');

		return end != NULL ? (size_t)(end - hp) + 1 : strlen(hp);
	}
	return strcspn(hp, ":;");
}

bool sbc_route_target_host_is(const char *target, const char *host)
{
	const char *hp = sbc_route_target_hostpart(target);
	size_t len = hostpart_host_len(hp);

	/* Host names are case-insensitive (RFC 3261 19.1.4). */
	return host != NULL && len > 0 && strlen(host) == len && strncasecmp(hp, host, len) == 0;
}

static const struct sbc_cfg_trunk *trunk_by_host(const struct sbc_config *cfg,
						 const struct sbc_cfg_trunk *from,
						 const char *ruri_host)
{
	const struct sbc_cfg_trunk *first = NULL;
	uint32_t t;

	for (t = 0; t < cfg->n_trunks; t++) {
		const struct sbc_cfg_trunk *tr = &cfg->trunks[t];

		if (tr->side == from->side || tr->n_targets == 0)
			continue;
		if (sbc_route_target_host_is(tr->targets[0], ruri_host))
			return tr;
		if (first == NULL)
			first = tr;
	}
	return first;
}

static const struct sbc_cfg_tenant *tenant_of_trunk(const struct sbc_config *cfg,
						    const struct sbc_cfg_trunk *t)
{
	uint32_t i;

	for (i = 0; i < cfg->n_tenants; i++)
		if (strcmp(cfg->tenants[i].trunk, t->name) == 0)
			return &cfg->tenants[i];
	return NULL;
}

void sbc_route_call(const struct sbc_config *cfg, const struct sbc_tenants *tenants,
		    const struct sbc_cfg_trunk *from, const char *ruri_host,
		    struct sbc_route *out)
{
	out->trunk = NULL;
	out->tenant = NULL;
	if (from->side == SBC_SIDE_CARRIER) {
		out->tenant = tenants != NULL && ruri_host != NULL ?
			      sbc_tenants_by_host(tenants, ruri_host) : NULL;
		if (out->tenant != NULL) {
			out->trunk = sbc_config_trunk(cfg, out->tenant->trunk);
			return;
		}
	} else {
		out->tenant = tenant_of_trunk(cfg, from);
	}
	out->trunk = trunk_by_host(cfg, from, ruri_host);
}

/* @hp without its ";transport=..." parameter (any case), into @buf. */
static int hostpart_without_transport(const char *hp, char *buf, size_t size)
{
	const char *p = hp;
	size_t used = 0;

	while (*p != '\0') {
		size_t n = strcspn(p + 1, ";") + 1;   /* one ";param" (or the host part) */

		if (!(p[0] == ';' && strncasecmp(p + 1, "transport=", 10) == 0)) {
			if (used + n >= size)
				return -ENOSPC;
			memcpy(buf + used, p, n);
			used += n;
		}
		p += n;
	}
	buf[used] = '\0';
	return 0;
}

/*
 * The trunk's transport always decides how B is reached (and so whether
 * the leg counts as TLS for SRTP keys): a ";transport=" the target names
 * is replaced by the trunk's.
 */
int sbc_route_request_uri(const struct sbc_cfg_trunk *t, const char *user, bool user_phone,
			  char *buf, size_t size)
{
	return sbc_route_request_uri_at(t, 0, user, user_phone, buf, size);
}

int sbc_route_request_uri_at(const struct sbc_cfg_trunk *t, uint32_t target, const char *user,
			     bool user_phone, char *buf, size_t size)
{
	char hp[256];
	const char *tp;
	int n;

	if (target >= t->n_targets)
		return -ENOENT;
	if (hostpart_without_transport(sbc_route_target_hostpart(t->targets[target]), hp,
				       sizeof(hp)) != 0)
		return -ENOSPC;
	tp = t->transport == SBC_TRANSPORT_TCP ? ";transport=tcp" :
	     t->transport == SBC_TRANSPORT_TLS ? ";transport=tls" : "";
	n = snprintf(buf, size, "sip:%s%s%s%s%s", user, user[0] != '\0' ? "@" : "", hp,
		     user_phone ? ";user=phone" : "", tp);
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

int sbc_route_target_host(const struct sbc_cfg_trunk *t, char *buf, size_t size)
{
	const char *hp;
	int n;

	if (t->n_targets == 0)
		return -ENOENT;
	hp = sbc_route_target_hostpart(t->targets[0]);
	n = snprintf(buf, size, "%.*s", (int)strcspn(hp, ";"), hp);
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}
