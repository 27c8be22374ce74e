/* SPDX-License-Identifier: BSD-3-Clause
 * Routing: which trunk of the other side a call goes out on, and the
 * Request-URI and To host it is sent with.  Plain C over the configuration,
 * no Sofia-SIP (policy library; tests/unit/test_routing.c).
 *
 * The rules:
 *  - a carrier's call whose Request-URI host is a tenant's domain goes to
 *    that tenant's trunk (tenant.h: by Request-URI, never by To);
 *  - otherwise, among the trunks of the other side that have targets, the
 *    first whose first target's host (as written, an IPv6 address with its
 *    brackets; names without regard to case) equals the Request-URI host,
 *    else the first of them;
 *  - none: no route (404).
 * An enterprise caller belongs to the first tenant its trunk serves.
 *
 * Thread: every function is pure over its arguments.
 */
#ifndef SBC_ROUTING_H
#define SBC_ROUTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbc_config.h"

struct sbc_tenants;

struct sbc_route {
	const struct sbc_cfg_trunk *trunk;   /* where the call goes; NULL: no route */
	const struct sbc_cfg_tenant *tenant; /* whose call it is; NULL: no tenant */
};

/**
 * Route a call from trunk @from whose Request-URI host is @ruri_host (NULL
 * allowed) under @cfg and its tenant index @tenants (NULL: no tenants).
 * Fills @out; out->trunk is NULL when there is no route.
 */
void sbc_route_call(const struct sbc_config *cfg, const struct sbc_tenants *tenants,
		    const struct sbc_cfg_trunk *from, const char *ruri_host,
		    struct sbc_route *out);

/**
 * The part of a target ("host[:port][;params]" or a SIP URI) after the
 * scheme and any user: what follows '@' in the Request-URI.
 */
const char *sbc_route_target_hostpart(const char *target);

/** Whether @target's host, as written (IPv6 with brackets), is @host. */
bool sbc_route_target_host_is(const char *target, const char *host);

/**
 * B's Request-URI toward @t's first target: "sip:USER@HOSTPART" with
 * ";user=phone" when @user_phone and the trunk's transport as
 * ";transport=" (none for UDP), replacing any the target names: the
 * trunk's transport is the leg's, which decides whether SRTP keys may
 * travel on it.  @user may be "" (no user
 * part).  Returns the length, or -ENOSPC when @size is too small, -ENOENT
 * when @t has no target.
 */
int sbc_route_request_uri(const struct sbc_cfg_trunk *t, const char *user, bool user_phone,
			  char *buf, size_t size);

/** As sbc_route_request_uri(), toward @t's target number @target (failover, dest.h). */
int sbc_route_request_uri_at(const struct sbc_cfg_trunk *t, uint32_t target, const char *user,
			     bool user_phone, char *buf, size_t size);

/**
 * The host[:port] of @t's first target without URI parameters (for To).
 * Returns the length, -ENOSPC or -ENOENT as above.
 */
int sbc_route_target_host(const struct sbc_cfg_trunk *t, char *buf, size_t size);

#endif /* SBC_ROUTING_H */
