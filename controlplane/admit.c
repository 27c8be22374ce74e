/* SPDX-License-Identifier: BSD-3-Clause
 * The admission verdict (admit.h).
 */
#include <string.h>

#include "admit.h"

static const char *const action_names[] = {
#define SBC_ADMIT_X_NAME(e, name) [e] = name,
	SBC_ADMIT_ACTIONS(SBC_ADMIT_X_NAME)
#undef SBC_ADMIT_X_NAME
};

const char *sbc_admit_action_name(enum sbc_admit_action a)
{
	return (unsigned int)a < SBC_ADMIT__COUNT ? action_names[a] : "?";
}

static enum sbc_admit_action auth_action(const struct sbc_trunk_auth_result *r)
{
	switch (sbc_trunk_auth_sip_status(r, false)) {
	case 0:
		return SBC_ADMIT_GO;
	case 401:
	case 407:
		return SBC_ADMIT_CHALLENGE;
	case -1:
		return SBC_ADMIT_DROP;
	default:
		return SBC_ADMIT_REFUSE;
	}
}

void sbc_admit_identify(const struct sbc_config *cfg, struct sbc_pike *pike, uint64_t now_ms,
			const struct sbc_trunk_auth_request *rq, struct sbc_admit_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->pike = SBC_PIKE_ALLOW;
	sbc_trunk_auth(cfg, rq, &v->auth);
	v->action = auth_action(&v->auth);
	/* A trunk's listed source is never limited. */
	if (v->auth.reason == SBC_TA_SOURCE || pike == NULL || !cfg->sip.pike.enabled)
		return;
	v->pike = sbc_pike_check(pike, &rq->src, now_ms);
	v->pike_counted = true;
	if (v->pike == SBC_PIKE_ALLOW)
		return;
	v->action = cfg->sip.unknown_source == SBC_UNKNOWN_SOURCE_DROP ? SBC_ADMIT_DROP :
		    SBC_ADMIT_OVERLOAD;
}
