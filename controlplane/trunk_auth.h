/* SPDX-License-Identifier: BSD-3-Clause
 * Which trunk an inbound request belongs to, or why it is refused:
 * by X-Terminating-Trunk-Group-Id + X-Trunk-Key (TLS only, the key
 * compared in constant time), by source address (trunks[].sources), or,
 * for PBXs with digest credentials (trunks[].inbound_auth), by the digest
 * user name after a challenge.
 *
 * Order of decision for a request received on SIP interface I:
 *  1. Either trunk header present:
 *     - not over TLS: SBC_TA_KEY_NOT_TLS (403), even from a listed source;
 *     - only one of the two headers: SBC_TA_KEY_INCOMPLETE (403);
 *     - a trunk on I with that trunk_group_id and that trunk_key:
 *       SBC_TA_KEY; otherwise SBC_TA_KEY_WRONG (403; the same answer for
 *       an unknown group and a wrong key, and the key is compared against
 *       a dummy when the group is unknown, so neither is revealed).
 *  2. The trunk on I whose sources hold the source address, the longest
 *     prefix winning (the first trunk in the config on a tie):
 *     SBC_TA_SOURCE.
 *  3. Some trunk on I has inbound_auth and no sources (a PBX that is
 *     known by its credentials only): SBC_TA_CHALLENGE; after the
 *     challenge, sbc_trunk_auth_by_username() names the trunk.
 *  4. SBC_TA_UNKNOWN_SOURCE: 403 or silence per sip.unknown_source.
 * A trunk found in 1 or 2 that has inbound_auth must also pass digest
 * (result.digest).  The integrator strips both trunk headers before
 * forwarding, whatever the result.
 *
 * Secrets: the key is never copied, stored or logged here; reasons are
 * fixed strings.
 *
 * Thread: pure functions over a loaded (immutable) config; any thread.
 */
#ifndef SBC_TRUNK_AUTH_H
#define SBC_TRUNK_AUTH_H

#include <stdbool.h>

#include "sbc_addr.h"
#include "sbc_config.h"

#define SBC_TRUNK_GROUP_HEADER "X-Terminating-Trunk-Group-Id"
#define SBC_TRUNK_KEY_HEADER "X-Trunk-Key"

/* Reasons: enum, name (counter/log key). */
#define SBC_TRUNK_AUTH_REASONS(X) \
	X(SBC_TA_SOURCE, "source") \
	X(SBC_TA_KEY, "key") \
	X(SBC_TA_CHALLENGE, "challenge") \
	X(SBC_TA_KEY_NOT_TLS, "key_not_tls") \
	X(SBC_TA_KEY_INCOMPLETE, "key_incomplete") \
	X(SBC_TA_KEY_WRONG, "key_wrong") \
	X(SBC_TA_UNKNOWN_SOURCE, "unknown_source")

#define SBC_TA_ENUM(e, n) e,
enum sbc_trunk_auth_reason {
	SBC_TRUNK_AUTH_REASONS(SBC_TA_ENUM)
	SBC_TA__COUNT
};
#undef SBC_TA_ENUM

struct sbc_trunk_auth_request {
	const char *interface;        /* SIP interface name it came in on; NULL = any */
	struct sbc_ip src;            /* source address of the request */
	enum sbc_transport transport; /* transport it came in on */
	const char *trunk_group_id;   /* X-Terminating-Trunk-Group-Id value; NULL = absent */
	const char *trunk_key;        /* X-Trunk-Key value; NULL = absent */
};

struct sbc_trunk_auth_result {
	enum sbc_trunk_auth_reason reason;
	const struct sbc_cfg_trunk *trunk;  /* SOURCE, KEY: the trunk; else NULL */
	bool digest;                  /* SOURCE, KEY: the trunk has inbound_auth: verify
				       * digest credentials (challenge when absent) */
	bool drop;                    /* UNKNOWN_SOURCE with sip.unknown_source drop */
};

/**
 * Decide for request @rq against @cfg (see the order above); fills *@out.
 * Returns 0, or -EINVAL when an argument is NULL (out->reason is then
 * SBC_TA_UNKNOWN_SOURCE, never an admitting reason).
 */
int sbc_trunk_auth(const struct sbc_config *cfg, const struct sbc_trunk_auth_request *rq,
		   struct sbc_trunk_auth_result *out);

/**
 * The trunk on @interface (NULL = any) whose inbound_auth.username is
 * @username (exact), for a request that answered a challenge; NULL when
 * none.  Its inbound_auth.password verifies the response (digest.h).
 */
const struct sbc_cfg_trunk *sbc_trunk_auth_by_username(const struct sbc_config *cfg,
							const char *interface,
							const char *username);

/**
 * The SIP status for a result: 0 (SOURCE, KEY: go on), 401 for a REGISTER
 * / 407 for other requests (CHALLENGE), 403 (refusals), or -1 for a
 * dropped request (send nothing).  @is_register: the request is a REGISTER.
 */
int sbc_trunk_auth_sip_status(const struct sbc_trunk_auth_result *r, bool is_register);

/** "source", "key", ...; "?" when unknown. */
const char *sbc_trunk_auth_reason_name(enum sbc_trunk_auth_reason r);

#endif /* SBC_TRUNK_AUTH_H */
