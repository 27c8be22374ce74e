/* SPDX-License-Identifier: BSD-3-Clause
 * Re-INVITE and UPDATE (RFC 3311) on an established call (b2bua_priv.h).
 *
 * An SDP offer that differs from the leg's last one (hold, resume, a codec
 * change) is relayed with the same method to the other leg; its answer
 * comes back to this leg once the data plane session is UPDATEd.  A repeat
 * of the last SDP (same o= version: a session refresh) and a re-INVITE
 * without SDP are answered here with our last SDP.  An UPDATE without SDP
 * (a refresh or target refresh) is relayed without SDP and answered when
 * the other leg answers; the media stays as it is.  New m= lines get 488
 * until endpoints can be added mid-call; an UPDATE before the call is
 * answered gets 500 with Retry-After (early-dialog UPDATE is not relayed).
 * A refused re-offer leaves the session as it was (RFC 3261 section 14.1).
 *
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "b2bua_priv.h"
#include "sbc_log.h"

/* Answer the request being delivered now (in its event callback). */
#define B2B_RESPOND_NOW(nh, nua, status, phrase, ...) \
	nua_respond((nh), (status), (phrase), NUTAG_WITH_THIS(nua), __VA_ARGS__)

void b2b_reoffer_free(struct b2b_reoffer *ro)
{
	if (ro == NULL)
		return;
	if (ro->saved)
		nua_destroy_event(ro->request);
	sbc_sdp_desc_wipe(&ro->from_theirs);
	sbc_sdp_desc_wipe(&ro->to_theirs);
	free(ro);
}

/* Undo a refused re-offer: both legs back to the last completed exchange. */
static void reoffer_restore(struct b2b_reoffer *ro)
{
	if (!ro->with_sdp)
		return;
	ro->from->theirs = ro->from_theirs;
	ro->to->theirs = ro->to_theirs;
	ro->to->ours = ro->to_ours;
	ro->to->origin = ro->to_origin;
	memcpy(ro->to->ours_body, ro->to_ours_body, sizeof(ro->to_ours_body));
}

static void reoffer_done(struct b2b_call *c)
{
	b2b_reoffer_free(c->reoffer);
	c->reoffer = NULL;
}

/* Answer the re-offer in progress (its saved request). */
static void reoffer_answer(struct b2b_call *c, int status, const char *body)
{
	struct b2b_reoffer *ro = c->reoffer;

	nua_respond(ro->from->nh, status, b2b_relay_phrase(status),
		    NUTAG_WITH_SAVED(ro->request),
		    TAG_IF(body != NULL, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
		    TAG_IF(body != NULL, SIPTAG_PAYLOAD_STR(body)), TAG_END());
	reoffer_done(c);
}

/*
 * Whether @l's re-offer can be taken at all; when not it has been
 * answered (500 with Retry-After, 488, 491, or 200 with our last SDP).
 */
static bool reoffer_acceptable(struct b2b_leg *l, const sip_t *sip, bool update)
{
	struct b2b_call *c = l->call;
	struct b2b_leg *to = b2b_other_leg(l);
	nua_t *nua = l->sif->nua;

	if (update && c->state != B2B_ANSWERED && c->state != B2B_ENDED) {
		B2B_RESPOND_NOW(l->nh, nua, 500, "Server Internal Error",
				SIPTAG_RETRY_AFTER_STR("1"), TAG_END());
		return false;
	}
	if (c->state != B2B_ANSWERED || !l->have_ours || to->nh == NULL || to->ended) {
		B2B_RESPOND_NOW(l->nh, nua, 488, "Not Acceptable Here", TAG_END());
		return false;
	}
	if (c->reoffer != NULL || c->ack_pending) {
		B2B_RESPOND_NOW(l->nh, nua, 491, "Request Pending", TAG_END());
		return false;
	}
	if (!b2b_has_sdp(sip) && !update) {
		B2B_RESPOND_NOW(l->nh, nua, 200, "OK", SIPTAG_CONTENT_TYPE_STR("application/sdp"),
				SIPTAG_PAYLOAD_STR(l->ours_body), TAG_END());
		return false;
	}
	return true;
}

/*
 * @d is @l's new offer: the old state saved in @ro, keys and our offer to
 * the other leg made.  Returns 0, or the SIP status to refuse it with
 * (200 with our last SDP for a same-version repeat).
 */
static int reoffer_take(struct b2b_call *c, struct b2b_leg *l, struct b2b_reoffer *ro,
			const struct sbc_sdp_desc *d)
{
	struct b2b_leg *to = ro->to;
	struct sbc_sdp_error err;
	struct b2b_reject rj;

	if (l->have_theirs && d->o_version == l->theirs.o_version && d->o_id == l->theirs.o_id)
		return 200;
	if (d->n_media != c->n_media)
		return 488;
	ro->from_theirs = l->theirs;
	ro->to_theirs = to->theirs;
	ro->to_ours = to->ours;
	ro->to_origin = to->origin;
	memcpy(ro->to_ours_body, to->ours_body, sizeof(ro->to_ours_body));
	l->theirs = *d;
	/* Fresh keys both ways: a re-offer re-keys SRTP legs. */
	rj = b2b_srtp_take_offer(c, l, &l->theirs);
	if (rj.status == 0)
		rj = b2b_srtp_offer_to(c, to, l);
	if (rj.status == 0 &&
	    sbc_sdp_build_offer(&l->theirs, &to->pol, to->out, c->n_media, &to->origin,
				to->ours_body, sizeof(to->ours_body), &to->ours, &err) < 0)
		rj = b2b_reject(sbc_sdp_error_sip_status(err.code), "failed", NULL);
	if (rj.status != 0)
		l->theirs = ro->from_theirs;
	return rj.status;
}

/* Parse and take @l's offer; 0, or the status it was answered with. */
static int reoffer_offer(struct b2b_call *c, struct b2b_leg *l, struct b2b_reoffer *ro,
			 const sip_t *sip)
{
	struct sbc_sdp_desc *d = malloc(sizeof(*d));
	struct sbc_sdp_error err;
	nua_t *nua = l->sif->nua;
	int status;

	if (d == NULL) {
		B2B_RESPOND_NOW(l->nh, nua, 500, "Server Internal Error", TAG_END());
		return 500;
	}
	if (b2b_sdp_parse(c->b, d, sip->sip_payload->pl_data, sip->sip_payload->pl_len, &err) != 0) {
		status = sbc_sdp_error_sip_status(err.code);
		B2B_RESPOND_NOW(l->nh, nua, status, sbc_sdp_error_str(err.code), TAG_END());
	} else if ((status = reoffer_take(c, l, ro, d)) == 200) {
		B2B_RESPOND_NOW(l->nh, nua, 200, "OK", SIPTAG_CONTENT_TYPE_STR("application/sdp"),
				SIPTAG_PAYLOAD_STR(l->ours_body), TAG_END());
	} else if (status != 0) {
		B2B_RESPOND_NOW(l->nh, nua, status, b2b_relay_phrase(status), TAG_END());
	}
	sbc_sdp_desc_wipe(d);
	free(d);
	return status;
}

void b2b_on_reoffer(struct b2b_leg *l, const sip_t *sip, bool update)
{
	struct b2b_call *c = l->call;
	struct b2b_leg *to = b2b_other_leg(l);
	struct b2b_reoffer *ro;

	if (!reoffer_acceptable(l, sip, update))
		return;
	ro = calloc(1, sizeof(*ro));
	if (ro == NULL) {
		B2B_RESPOND_NOW(l->nh, l->sif->nua, 500, "Server Internal Error", TAG_END());
		return;
	}
	ro->from = l;
	ro->to = to;
	ro->update = update;
	ro->with_sdp = b2b_has_sdp(sip);
	if (ro->with_sdp && reoffer_offer(c, l, ro, sip) != 0) {
		b2b_reoffer_free(ro);
		return;
	}
	ro->saved = nua_save_event(l->sif->nua, ro->request) != 0;
	if (!ro->saved) {
		reoffer_restore(ro);
		B2B_RESPOND_NOW(l->nh, l->sif->nua, 500, "Server Internal Error", TAG_END());
		b2b_reoffer_free(ro);
		return;
	}
	c->reoffer = ro;
	SBC_LOG(INFO, B2B_LOG, "call %u: %s%s from %s relayed", c->no,
		update ? "UPDATE" : "re-INVITE", ro->with_sdp ? "" : " without SDP",
		b2b_leg_name(l));
	if (update)
		nua_update(to->nh, TAG_IF(ro->with_sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
			   TAG_IF(ro->with_sdp, SIPTAG_PAYLOAD_STR(to->ours_body)), TAG_END());
	else
		nua_invite(to->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
			   SIPTAG_PAYLOAD_STR(to->ours_body), TAG_END());
}

/* The response of the leg we sent the re-INVITE or UPDATE to. */
void b2b_on_reoffer_response(struct b2b_leg *to, int status, const sip_t *sip)
{
	struct b2b_call *c = to->call;
	struct b2b_reoffer *ro = c->reoffer;
	struct b2b_leg *from = ro->from;
	const char *what = ro->update ? "UPDATE" : "re-INVITE";
	struct sbc_sdp_error err;

	if (status < 200)
		return;
	if (c->state == B2B_ENDED) {
		reoffer_done(c);
		return;
	}
	if (status >= 300) {
		reoffer_restore(ro);
		SBC_LOG(INFO, B2B_LOG, "call %u: %s refused by %s: %d", c->no, what,
			b2b_leg_name(to), status);
		reoffer_answer(c, status, NULL);   /* 491 and the like go back as they are */
		return;
	}
	if (!ro->with_sdp) {
		SBC_LOG(INFO, B2B_LOG, "call %u: UPDATE without SDP answered", c->no);
		reoffer_answer(c, 200, NULL);
		return;
	}
	if (!b2b_has_sdp(sip) || b2b_sdp_parse(c->b, &to->theirs, sip->sip_payload->pl_data,
					       sip->sip_payload->pl_len, &err) != 0 ||
	    b2b_srtp_take_answer(c, to, &to->theirs).status != 0) {
		/* nua has ACKed the 200; the session is the old one again. */
		reoffer_restore(ro);
		reoffer_answer(c, 488, NULL);
		return;
	}
	if (sbc_sdp_build_answer(&from->theirs, &to->ours, &to->theirs, &from->pol, from->out,
				 c->n_media, &from->origin, from->ours_body,
				 sizeof(from->ours_body), &from->ours, &err) < 0) {
		reoffer_answer(c, sbc_sdp_error_sip_status(err.code), NULL);
		return;
	}
	b2b_media_program(c, B2B_SETTLE_REOFFER);
}

void b2b_reoffer_media_done(struct b2b_call *c, int err)
{
	struct b2b_reoffer *ro = c->reoffer;

	if (ro == NULL)
		return;
	if (err != 0) {
		reoffer_answer(c, 500, NULL);
		return;
	}
	SBC_LOG(INFO, B2B_LOG, "call %u: %s answered, media updated", c->no,
		ro->update ? "UPDATE" : "re-INVITE");
	reoffer_answer(c, 200, ro->from->ours_body);
}
