/* SPDX-License-Identifier: BSD-3-Clause
 * The initial INVITE (b2bua_priv.h) as a pipeline of stages:
 *
 *   identify   who calls (admission.c); answered there when refused
 *   route      which trunk of the other side (routing.h)       404
 *   admit      call admission control (admission.c)            503 + Retry-After
 *   transport  B's trunk is reachable over its transport       503
 *   identity   what B is told (leg_b.c), A's body              400
 *   media      A's SDP, codec policy, o= lines, ALLOC          488, 503
 *   ---------- the data plane answers (media.c) ----------
 *   offer      SRTP keys, our offer to B                       488, 500
 *   send B     B's INVITE (leg_b.c)                            500
 *
 * Each stage returns B2B_GO or a typed reject (status, phrase, CDR
 * disposition, Warning text, Retry-After) that b2b_call_reject() sends.
 * Everything a later stage needs from A's INVITE is taken before the
 * ALLOC goes out: Sofia's message is gone when the answer comes.
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "b2bua_priv.h"
#include "emergency.h"
#include "routing.h"
#include "sbc_log.h"

typedef struct b2b_reject (*invite_stage_fn)(struct b2b_call *c, const sip_t *sip);

static struct b2b_reject stage_open(struct b2b_call *c, const sip_t *sip)
{
	const struct sbc_config *cfg = c->gen->cfg;

	if (c->b->stopping || c->b->draining) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: stopping (SIGTERM): 503", c->no);
		return b2b_reject(503, "failed", "stopping");
	}
	if (c->b->dp == NULL)
		return b2b_reject(503, "failed", "media plane unavailable");
	/* RFC 3261 §16.3 step 3, RFC 7332: a B2BUA ends a loop too. */
	if (sip->sip_max_forwards != NULL && sip->sip_max_forwards->mf_count == 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: Max-Forwards 0: 483", c->no);
		return b2b_reject(483, "rejected", "Max-Forwards 0");
	}
	/* Emergency numbers are recognised in the Request-URI only. */
	c->emergency = sbc_emergency_match_user(&cfg->emergency,
						sip->sip_request->rq_url->url_user) != NULL;
	if (c->emergency)
		SBC_LOG(NOTICE, B2B_LOG, "call %u: emergency call (%s): no session limits", c->no,
			sip->sip_request->rq_url->url_user);
	return B2B_GO;
}

static struct b2b_reject stage_route(struct b2b_call *c, const sip_t *sip)
{
	struct b2b_leg *bl = &c->leg[1];
	struct sbc_route r;

	sbc_route_call(c->gen->cfg, c->gen->tenants, c->leg[0].trunk,
		       sip->sip_request->rq_url->url_host, &r);
	bl->sif = r.trunk != NULL ? b2b_sipif_find(c->b, r.trunk->interface) : NULL;
	if (bl->sif == NULL) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: no route from trunk %s: 404", c->no,
			c->leg[0].trunk->name);
		return b2b_reject(404, "failed", NULL);
	}
	bl->trunk = r.trunk;
	c->tenant = r.tenant;
	return B2B_GO;
}

static struct b2b_reject stage_admit(struct b2b_call *c, const sip_t *sip)
{
	(void)sip;
	return b2b_admission_admit(c);
}

/*
 * nta refuses a request whose top Via names another transport than the
 * one it came on, so the Via says how A's signalling travels.
 */
static struct b2b_reject stage_transport(struct b2b_call *c, const sip_t *sip)
{
	struct b2b_leg *bl = &c->leg[1];

	struct b2b_leg *a = &c->leg[0];
	enum sbc_transport ta = b2b_via_transport(sip);
	bool sips = sip->sip_request != NULL && sip->sip_request->rq_url->url_type == url_sips;

	a->tls = ta == SBC_TRANSPORT_TLS;
	bl->tls = bl->trunk->transport == SBC_TRANSPORT_TLS;
	if (bl->tls && !bl->sif->tls) {
		SBC_LOG(WARN, B2B_LOG, "call %u: trunk %s wants TLS, not served on %s: 503",
			c->no, bl->trunk->name, bl->sif->cfg->name);
		return b2b_reject(503, "failed", NULL);
	}
	/* The dialogs stay on the transport they started on (sips: only if asked). */
	if (b2b_sipif_contact(a->sif, ta, sips, a->contact, sizeof(a->contact)) != 0)
		a->contact[0] = '\0';
	if (b2b_sipif_contact(bl->sif, bl->trunk->transport, false, bl->contact,
			      sizeof(bl->contact)) != 0)
		bl->contact[0] = '\0';
	return B2B_GO;
}

/* What B's INVITE will say, and A's SDP out of its body. */
static struct b2b_reject stage_identity(struct b2b_call *c, const sip_t *sip)
{
	b2b_legb_prepare(c, sip);
	return B2B_GO;
}

static struct b2b_reject take_a_sdp(struct b2b_call *c, const sip_t *sip)
{
	struct b2b_leg *a = &c->leg[0];
	struct sbc_sdp_error err;
	const char *body;
	size_t len;
	int rc;

	rc = b2b_legb_invite_sdp(c, sip, &body, &len);
	if (rc != 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: body refused (%s)", c->no,
			rc == -ENOMEM ? "no memory" : rc == -EMEDIUMTYPE ? "not SDP" :
			"multipart without a usable SDP part");
		if (rc == -ENOMEM)
			return b2b_reject(500, "failed", NULL);
		if (rc == -EMEDIUMTYPE)
			return b2b_reject(415, "rejected", "body is not application/sdp");
		return b2b_reject(400, "rejected", "no usable SDP part");
	}
	c->late_offer = body == NULL;
	if (c->late_offer)
		return B2B_GO;
	if (b2b_sdp_parse(c->b, &a->theirs, body, len, &err) != 0) {
		struct b2b_reject rj = b2b_reject(sbc_sdp_error_sip_status(err.code), "rejected",
						  sbc_sdp_error_str(err.code));

		SBC_LOG(NOTICE, B2B_LOG, "call %u: SDP from a refused: %s (line %u)", c->no,
			sbc_sdp_error_str(err.code), err.line);
		/* The reason phrase says what was wrong (a static string). */
		rj.phrase = sbc_sdp_error_str(err.code);
		return rj;
	}
	a->have_theirs = true;
	return B2B_GO;
}

/* A's SDP, both legs' codec policies and o= lines, then the ALLOC. */
static struct b2b_reject stage_media(struct b2b_call *c, const sip_t *sip)
{
	struct b2b_leg *a = &c->leg[0], *bl = &c->leg[1];
	struct b2b_reject rj = take_a_sdp(c, sip);

	if (rj.status == 0)
		rj = b2b_media_policy(a, bl->trunk);
	if (rj.status == 0)
		rj = b2b_media_policy(bl, a->trunk);
	if (rj.status != 0)
		return rj;
	/* A late-offer caller has said nothing about CN yet: none to it. */
	a->pol.cn_allowed = !c->late_offer && b2b_desc_has_cn(&a->theirs);
	if (sbc_sdp_origin_init(&a->origin, b2b_random_sess_id(), b2b_media_addr(a->sif)) != 0 ||
	    sbc_sdp_origin_init(&bl->origin, b2b_random_sess_id(), b2b_media_addr(bl->sif)) != 0)
		return b2b_reject(500, "failed", NULL);
	c->state = B2B_WAIT_MEDIA;
	if (b2b_media_alloc(c) != 0) {
		SBC_LOG(WARN, B2B_LOG, "call %u: data plane ALLOC not sent", c->no);
		return b2b_reject(503, "failed", "media plane unavailable");
	}
	return B2B_GO;
}

/* Our offer to B: SRTP keys per policy, then the SDP itself. */
static struct b2b_reject stage_offer(struct b2b_call *c)
{
	struct b2b_leg *a = &c->leg[0], *bl = &c->leg[1];
	struct sbc_sdp_error err;
	struct b2b_reject rj = B2B_GO;
	int n;

	/* A late offer is relayed (B gets no SDP, its 200 has the offer)
	 * unless B's trunk wants an early offer. */
	c->late_relay = c->late_offer && bl->trunk->late_offer == SBC_LATE_OFFER_RELAY;
	if (c->late_relay)
		return B2B_GO;
	if (!c->late_offer)
		rj = b2b_srtp_take_offer(c, a, &a->theirs);
	if (rj.status == 0)
		rj = b2b_srtp_offer_to(c, bl, c->late_offer ? NULL : a);
	if (rj.status != 0)
		return rj;
	if (c->late_offer)
		n = sbc_sdp_build_template(&bl->pol, &bl->out[0], &bl->origin, bl->ours_body,
					   sizeof(bl->ours_body), &bl->ours, &err);
	else
		n = sbc_sdp_build_offer(&a->theirs, &bl->pol, bl->out, c->n_media, &bl->origin,
					bl->ours_body, sizeof(bl->ours_body), &bl->ours, &err);
	return b2b_media_built(bl, n, &err, "offer", "rejected");
}

void b2b_invite_media_ready(struct b2b_call *c, int err)
{
	struct b2b_reject rj;

	if (c->state == B2B_ENDED)
		return;
	if (err == -ENOMEDIUM) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: no m= line of the offer can be anchored: 488",
			c->no);
		rj = b2b_reject(488, "rejected", "no media line Rampart can anchor "
				"(audio RTP/AVP or RTP/SAVP, image udptl)");
		b2b_call_reject(c, &rj);
		return;
	}
	if (err != 0) {
		rj = b2b_reject(503, "failed", "media plane unavailable");
		b2b_call_reject(c, &rj);
		return;
	}
	rj = stage_offer(c);
	if (rj.status != 0) {
		b2b_call_reject(c, &rj);
		return;
	}
	b2b_locate_start(c);       /* B's INVITE goes out once a destination is known */
}

/* Leg A of a new call on @nh from trunk @ta. */
static struct b2b_call *call_open(struct b2b_sipif *sif, nua_handle_t *nh, const sip_t *sip,
				  const struct sbc_cfg_trunk *ta, const struct sbc_ip *src)
{
	struct b2b_call *c = b2b_call_new(sif->b);
	struct b2b_leg *a;
	char ipbuf[64];

	if (c == NULL)
		return NULL;
	a = &c->leg[0];
	a->nh = nh;
	a->sif = sif;
	a->trunk = ta;
	a->sig_peer = *src;
	nua_handle_bind(nh, a);
	if (sip->sip_call_id != NULL)
		snprintf(a->call_id, sizeof(a->call_id), "%s", sip->sip_call_id->i_id);
	SBC_LOG(INFO, B2B_LOG, "call %u: INVITE on %s from %s, trunk %s (Call-ID %s)", c->no,
		sif->cfg->name, sbc_ip_str(src, ipbuf, sizeof(ipbuf)), ta->name,
		a->call_id[0] ? a->call_id : "-");
	return c;
}

void b2b_on_new_invite(struct b2b_sipif *sif, nua_handle_t *nh, const sip_t *sip)
{
	static const invite_stage_fn stages[] = {
		stage_open, stage_route, stage_admit, stage_transport, stage_identity, stage_media,
	};
	const struct sbc_cfg_trunk *ta;
	struct b2b_reject rj;
	struct b2b_call *c;
	struct sbc_ip src;
	size_t i;

	if (b2b_request_source(sif->nua, &src) != 0) {
		nua_respond(nh, 500, "Server Internal Error", TAG_END());
		return;
	}
	ta = b2b_admission_identify(sif, nh, sip, &src);
	if (ta == NULL)
		return;                    /* answered (403, 407, 503) or dropped */
	c = call_open(sif, nh, sip, ta, &src);
	if (c == NULL) {
		nua_respond(nh, 500, "Server Internal Error", TAG_END());
		return;
	}
	for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++) {
		rj = stages[i](c, sip);
		if (rj.status != 0) {
			b2b_call_reject(c, &rj);
			return;
		}
	}
	/* b2b_invite_media_ready() goes on when the data plane has answered. */
}
