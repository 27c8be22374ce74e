/* SPDX-License-Identifier: BSD-3-Clause
 * Tenant selection: the Request-URI host "<customer>.<region>.<domain>"
 * names the tenant (tenants[].domain).  Routing uses the Request-URI,
 * never To (SIPconnect 10.1.2, 10.2.2): there is deliberately no function
 * here that takes a To header.
 *
 * Matching: the whole host, compared case-insensitively (RFC 3261
 * 19.1.4), one trailing '.' of a fully qualified name ignored
 * ("Acme.LON.example.com." selects acme.lon.example.com).  No suffix or
 * wildcard matching: "x.acme.lon.example.com" selects nothing, so a
 * caller cannot reach a tenant through a name the operator did not write.
 * An address literal (198.18.0.1, [2001:db8::1]) selects nothing.
 *
 * Thread: an index is built once per loaded config (any thread) and is
 * then read-only: any number of threads may look up without locks.  It
 * points into that config: destroy it before, or with, the config.
 */
#ifndef SBC_TENANT_H
#define SBC_TENANT_H

#include "sbc_config.h"

struct sbc_tenants;

/**
 * Index @cfg's tenants by domain.  Returns NULL with errno ENOMEM, or
 * EINVAL when two tenants have the same domain in different case (the
 * config loader refuses exact duplicates only).  Owned by the caller.
 */
struct sbc_tenants *sbc_tenants_create(const struct sbc_config *cfg);

/** Free; NULL allowed.  The config is untouched. */
void sbc_tenants_destroy(struct sbc_tenants *ts);

/** The tenant whose domain is @host (see above); NULL when none. */
const struct sbc_cfg_tenant *sbc_tenants_by_host(const struct sbc_tenants *ts,
						 const char *host);

/**
 * The tenant named by the host of the Request-URI @ruri (sip: or sips:,
 * user part and port allowed: "sip:+441632960123@acme.lon.example:5061;
 * user=phone").  NULL when none matches or @ruri is not a SIP URI.
 */
const struct sbc_cfg_tenant *sbc_tenants_by_ruri(const struct sbc_tenants *ts,
						 const char *ruri);

#endif /* SBC_TENANT_H */
