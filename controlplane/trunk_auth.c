/* SPDX-License-Identifier: BSD-3-Clause
 * Inbound trunk identification (trunk_auth.h).
 */
#include <errno.h>
#include <string.h>

#include "sbc_ct.h"
#include "trunk_auth.h"

/* Compared against when the group is unknown, so that timing says nothing. */
static const char dummy_key[] = "rampart-no-such-trunk-key-0000000";

#define SBC_TA_NAME(e, n) [e] = n,
static const char *const reason_names[] = {
	SBC_TRUNK_AUTH_REASONS(SBC_TA_NAME)
};
#undef SBC_TA_NAME

const char *sbc_trunk_auth_reason_name(enum sbc_trunk_auth_reason r)
{
	return (unsigned int)r < SBC_TA__COUNT ? reason_names[r] : "?";
}

static bool on_interface(const struct sbc_cfg_trunk *t, const char *interface)
{
	return interface == NULL || strcmp(t->interface, interface) == 0;
}

static void found(struct sbc_trunk_auth_result *out, enum sbc_trunk_auth_reason reason,
		  const struct sbc_cfg_trunk *t)
{
	out->reason = reason;
	out->trunk = t;
	out->digest = t->inbound_auth.username != NULL;
}

static void by_key(const struct sbc_config *cfg, const struct sbc_trunk_auth_request *rq,
		   struct sbc_trunk_auth_result *out)
{
	const struct sbc_cfg_trunk *match = NULL;

	if (rq->transport != SBC_TRANSPORT_TLS) {
		out->reason = SBC_TA_KEY_NOT_TLS;
		return;
	}
	if (rq->trunk_group_id == NULL || rq->trunk_key == NULL) {
		out->reason = SBC_TA_KEY_INCOMPLETE;
		return;
	}
	for (uint32_t i = 0; i < cfg->n_trunks && match == NULL; i++) {
		const struct sbc_cfg_trunk *t = &cfg->trunks[i];

		if (t->trunk_group_id != NULL && t->trunk_key != NULL &&
		    on_interface(t, rq->interface) &&
		    strcmp(t->trunk_group_id, rq->trunk_group_id) == 0)
			match = t;
	}
	/* One constant-time comparison whether or not the group exists. */
	if (sbc_ct_streq(match != NULL ? match->trunk_key : dummy_key, rq->trunk_key) &&
	    match != NULL)
		found(out, SBC_TA_KEY, match);
	else
		out->reason = SBC_TA_KEY_WRONG;
}

int sbc_trunk_auth(const struct sbc_config *cfg, const struct sbc_trunk_auth_request *rq,
		   struct sbc_trunk_auth_result *out)
{
	const struct sbc_cfg_trunk *best = NULL;
	bool digest_only = false;
	int best_len = -1;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->reason = SBC_TA_UNKNOWN_SOURCE;
	if (cfg == NULL || rq == NULL)
		return -EINVAL;
	if (rq->trunk_group_id != NULL || rq->trunk_key != NULL) {
		by_key(cfg, rq, out);
		return 0;
	}
	for (uint32_t i = 0; i < cfg->n_trunks; i++) {
		const struct sbc_cfg_trunk *t = &cfg->trunks[i];

		if (!on_interface(t, rq->interface))
			continue;
		if (t->n_sources == 0 && t->inbound_auth.username != NULL)
			digest_only = true;
		for (uint32_t s = 0; s < t->n_sources; s++) {
			if ((int)t->sources[s].len > best_len &&
			    sbc_prefix_contains(&t->sources[s], &rq->src)) {
				best = t;
				best_len = t->sources[s].len;
			}
		}
	}
	if (best != NULL)
		found(out, SBC_TA_SOURCE, best);
	else if (digest_only)
		out->reason = SBC_TA_CHALLENGE;
	else
		out->drop = cfg->sip.unknown_source == SBC_UNKNOWN_SOURCE_DROP;
	return 0;
}

const struct sbc_cfg_trunk *sbc_trunk_auth_by_username(const struct sbc_config *cfg,
							const char *interface,
							const char *username)
{
	if (cfg == NULL || username == NULL)
		return NULL;
	for (uint32_t i = 0; i < cfg->n_trunks; i++) {
		const struct sbc_cfg_trunk *t = &cfg->trunks[i];

		if (t->inbound_auth.username != NULL && on_interface(t, interface) &&
		    strcmp(t->inbound_auth.username, username) == 0)
			return t;
	}
	return NULL;
}

int sbc_trunk_auth_sip_status(const struct sbc_trunk_auth_result *r, bool is_register)
{
	switch (r->reason) {
	case SBC_TA_SOURCE:
	case SBC_TA_KEY:
		return 0;
	case SBC_TA_CHALLENGE:
		return is_register ? 401 : 407;
	case SBC_TA_UNKNOWN_SOURCE:
		return r->drop ? -1 : 403;
	default:
		return 403;
	}
}
