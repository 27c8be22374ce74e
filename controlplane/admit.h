/* SPDX-License-Identifier: BSD-3-Clause
 * The admission verdict for an initial request: trunk identification
 * (trunk_auth.h) and the per-source limit on unauthenticated requests
 * (cac.h, sbc_pike) decided together, so that the B2BUA only carries the
 * verdict out.  Plain C over the config, no Sofia-SIP (policy library;
 * tests/unit/test_admit.c).
 *
 * Order: the trunk is identified first (a constant-time key compare, a
 * prefix lookup: cheap); a request that is not from a trunk's listed
 * source (key, challenge, unknown source) then counts against the
 * per-source limit, before any digest work or any answer is spent on it.
 * Over the limit it is refused with 503 (Retry-After) or, with
 * sip.unknown_source drop, not answered at all.
 *
 * Thread: the caller's; @pike belongs to it (not thread-safe).
 */
#ifndef SBC_ADMIT_H
#define SBC_ADMIT_H

#include <stdint.h>

#include "cac.h"
#include "trunk_auth.h"

#define SBC_ADMIT_ACTIONS(X) \
	X(SBC_ADMIT_GO,        "go")        /* trunk known (digest first when auth.digest) */ \
	X(SBC_ADMIT_CHALLENGE, "challenge") /* 407 (401 for REGISTER): credentials-only PBX */ \
	X(SBC_ADMIT_REFUSE,    "refuse")    /* 403 */ \
	X(SBC_ADMIT_DROP,      "drop")      /* no answer at all */ \
	X(SBC_ADMIT_OVERLOAD,  "overload")  /* 503 with Retry-After: per-source limit */

enum sbc_admit_action {
#define SBC_ADMIT_X_ENUM(e, name) e,
	SBC_ADMIT_ACTIONS(SBC_ADMIT_X_ENUM)
#undef SBC_ADMIT_X_ENUM
	SBC_ADMIT__COUNT
};

/* Retry-After of a 503 from the per-source limit, seconds. */
#define SBC_ADMIT_OVERLOAD_RETRY_AFTER_S 60

struct sbc_admit_verdict {
	enum sbc_admit_action action;
	struct sbc_trunk_auth_result auth;  /* trunk identification's result */
	enum sbc_pike_verdict pike;         /* SBC_PIKE_ALLOW when not counted or allowed */
	bool pike_counted;                  /* the request counted against the limit */
};

/**
 * Decide for @rq under @cfg at @now_ms; @pike may be NULL (no limit), and
 * the limit applies only when cfg->sip.pike.enabled.  Fills *@v.
 */
void sbc_admit_identify(const struct sbc_config *cfg, struct sbc_pike *pike, uint64_t now_ms,
			const struct sbc_trunk_auth_request *rq, struct sbc_admit_verdict *v);

/** "go", "challenge", ...; "?" when out of range. */
const char *sbc_admit_action_name(enum sbc_admit_action a);

#endif /* SBC_ADMIT_H */
