/* SPDX-License-Identifier: BSD-3-Clause
 * Call life (b2bua_priv.h): a call's states, hanging up each leg, the end
 * of a call (CAC places, media, CDR), and the SIP events of an established
 * or establishing call: B's responses, the late-offer ACK, CANCEL, BYE and
 * legs nua gave up on.
 *
 *   WAIT_MEDIA --ALLOC answered, INVITE sent--> CALLING --18x--> EARLY
 *   CALLING/EARLY --200, media bound--> ANSWERED --BYE--> ENDED
 *   any --CANCEL, error, media failure, timeout--> ENDED
 *
 * A call is freed when it has ENDED, both nua handles are gone, no data
 * plane request is in flight and its CDR is written.
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <sofia-sip/auth_client.h>

#include "b2bua_priv.h"
#include "sbc_log.h"

const char *b2b_call_state_name(enum b2b_state s)
{
	switch (s) {
	case B2B_WAIT_MEDIA: return "media";
	case B2B_CALLING: return "calling";
	case B2B_EARLY: return "early";
	case B2B_ANSWERED: return "answered";
	case B2B_ENDED: return "ended";
	}
	return "unknown";
}

const char *b2b_leg_name(const struct b2b_leg *l)
{
	return l == &l->call->leg[0] ? "a" : "b";
}

struct b2b_leg *b2b_other_leg(struct b2b_leg *l)
{
	return l == &l->call->leg[0] ? &l->call->leg[1] : &l->call->leg[0];
}

/* Spare calls kept at most (30 MB): enough for the churn of calls ending while others start. */
#define B2B_SPARE_CALLS_MAX 256

struct b2b_call *b2b_call_new(struct sbc_b2bua *b)
{
	struct b2b_call *c = b->spare_calls;
	int l;

	if (c != NULL) {
		b->spare_calls = c->next;
		b->n_spare_calls--;
		c->next = NULL;            /* the rest is zero: wiped when it was freed */
	} else {
		c = calloc(1, sizeof(*c));
		if (c == NULL)
			return NULL;
	}
	c->b = b;
	c->gen = b->gen;
	c->gen->refs++;
	c->no = ++b->next_call_no;
	c->start_ms = b2b_wall_ms();
	for (l = 0; l < 2; l++)
		c->leg[l].call = c;
	c->next = b->calls;
	if (c->next != NULL)
		c->next->pprev = &c->next;
	c->pprev = &b->calls;
	b->calls = c;
	b->n_calls++;
	b->n.calls_started++;
	return c;
}

void b2b_leg_hangup(struct b2b_leg *l, int status, const char *phrase)
{
	if (l->nh == NULL || l->ended)
		return;
	l->ended = true;
	if (l == &l->call->leg[1])
		b2b_legb_ack(l->call, NULL);   /* a late offer's 200 is ACKed before the BYE */
	if (l->answered)
		nua_bye(l->nh, TAG_END());
	else if (l == &l->call->leg[0])
		nua_respond(l->nh, status, phrase, TAG_END());
	else
		nua_cancel(l->nh, TAG_END());
}

static void call_write_cdr(struct b2b_call *c)
{
	struct sbc_cdr_record r = {
		.call_no = c->no,
		.call_id_a = c->leg[0].call_id,
		.call_id_b = c->leg[1].call_id,
		.trunk_a = c->leg[0].trunk ? c->leg[0].trunk->name : "",
		.trunk_b = c->leg[1].trunk ? c->leg[1].trunk->name : "",
		.start_ms = c->start_ms,
		.answer_ms = c->answer_ms,
		.end_ms = b2b_wall_ms(),
		.disposition = c->end_disposition,
		.sip_cause = c->end_cause,
		.ended_by = c->end_by,
	};
	int rc;

	r.leg[0] = c->stats[0];
	r.leg[1] = c->stats[1];
	b2b_indialog_cdr(c, &r);
	SBC_LOG(INFO, B2B_LOG, "call %u: ended: %s, cause %d, by %s; packets a=%" PRIu64
		" b=%" PRIu64 "; %u data plane requests", c->no, c->end_disposition, c->end_cause,
		c->end_by, c->stats[0].packets, c->stats[1].packets, c->dp_requests);
	if (c->b->cdr == NULL)
		return;
	rc = sbc_cdr_write(c->b->cdr, &r);
	if (rc != 0)
		SBC_LOG(ERR, B2B_LOG, "call %u: CDR write failed: %s", c->no, strerror(-rc));
}

void b2b_call_settled(struct b2b_call *c)
{
	struct sbc_b2bua *b = c->b;

	if (c->state != B2B_ENDED || c->dp_pending != 0)
		return;
	if (!c->cdr_done) {
		c->cdr_done = true;
		call_write_cdr(c);
		b->n.calls_ended++;
		b->n.dp_call_requests += c->dp_requests;
	}
	b2b_call_maybe_free(c);
}

void b2b_call_end(struct b2b_call *c, const char *disposition, int cause, const char *ended_by)
{
	if (c->state == B2B_ENDED)
		return;
	c->state = B2B_ENDED;
	c->end_disposition = disposition;
	c->end_cause = cause;
	c->end_by = ended_by;
	if (strcmp(disposition, "failed") == 0)
		c->b->n.calls_failed++;
	else if (strcmp(disposition, "rejected") == 0)
		c->b->n.calls_rejected++;
	b2b_admission_release(c);
	b2b_indialog_call_ended(c);
	b2b_media_reap(c);
	b2b_call_settled(c);
}

/* A's INVITE answered with rj (its Retry-After and Warning included). */
static void respond_reject(struct b2b_call *c, const struct b2b_reject *rj)
{
	struct b2b_leg *a = &c->leg[0];
	char ra[16], warn[256];

	snprintf(ra, sizeof(ra), "%u", rj->retry_after_s);
	if (rj->warning != NULL)
		snprintf(warn, sizeof(warn), "399 %s \"%s\"", c->leg[0].sif->host, rj->warning);
	if (a->nh != NULL && !a->ended) {
		a->ended = true;
		nua_respond(a->nh, rj->status, rj->phrase,
			    TAG_IF(rj->retry_after_s != 0, SIPTAG_RETRY_AFTER_STR(ra)),
			    TAG_IF(rj->warning != NULL, SIPTAG_WARNING_STR(warn)),
			    /* RFC 3261 §21.4.13: a 415 says what we take */
			    TAG_IF(rj->status == 415,
				   SIPTAG_ACCEPT_STR("application/sdp, multipart/mixed")),
			    TAG_END());
	}
}

void b2b_call_reject(struct b2b_call *c, const struct b2b_reject *rj)
{
	respond_reject(c, rj);
	b2b_call_end(c, rj->disposition, rj->status, "sbc");
}

static void call_unlink(struct b2b_call *c)
{
	*c->pprev = c->next;
	if (c->next != NULL)
		c->next->pprev = c->pprev;
	c->b->n_calls--;
}

void b2b_call_free(struct b2b_call *c)
{
	struct sbc_b2bua *b = c->b;

	free(c->binv.mp_body);
	b2b_reoffer_free(c->reoffer);
	b2b_indialog_free(c);
	/* SDP texts and SRTP keys: nothing secret stays in freed memory. */
	sbc_sdes_wipe(c, sizeof(*c));
	if (b != NULL && !b->stopping && b->n_spare_calls < B2B_SPARE_CALLS_MAX) {
		c->next = b->spare_calls;
		b->spare_calls = c;
		b->n_spare_calls++;
		return;
	}
	free(c);
}

void b2b_call_spares_free(struct sbc_b2bua *b)
{
	while (b->spare_calls != NULL) {
		struct b2b_call *c = b->spare_calls;

		b->spare_calls = c->next;
		free(c);
	}
	b->n_spare_calls = 0;
}

void b2b_call_maybe_free(struct b2b_call *c)
{
	if (c->state != B2B_ENDED || c->leg[0].nh != NULL || c->leg[1].nh != NULL ||
	    c->dp_pending != 0 || c->route.loc.pending != 0 || !c->cdr_done ||
	    b2b_indialog_busy(c))
		return;
	call_unlink(c);
	b2b_gen_unref(c->b, c->gen);
	b2b_call_free(c);
}

/* ---- B's responses ---- */

/* The challenge of a 401/407 that trunk @t has credentials for, or NULL. */
static const msg_auth_t *trunk_challenge(const struct sbc_cfg_trunk *t, int status,
					 const sip_t *sip)
{
	if ((status != 401 && status != 407) || sip == NULL || t == NULL ||
	    t->credentials.username == NULL || t->credentials.password == NULL)
		return NULL;
	return status == 401 ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
}

/*
 * Our answer to a digest challenge with the trunk's credentials, computed
 * by Sofia's auth client for an INVITE to @ruri with @body: the
 * Authorization (or Proxy-Authorization) header, allocated in @home.
 * False when the challenge is not ours to answer.
 */
static bool digest_answer(const struct sbc_cfg_trunk *t, int status, const sip_t *sip,
			  su_home_t *home, const char *ruri, const char *body,
			  msg_header_t **hdr)
{
	const msg_auth_t *au = trunk_challenge(t, status, sip);
	auth_client_t *auc = NULL;
	msg_payload_t pl[1];
	url_t *url;
	bool ok;

	if (au == NULL)
		return false;
	msg_payload_init(pl);
	pl->pl_data = (char *)body;    /* read only (auth-int hashes it) */
	pl->pl_len = body != NULL ? strlen(body) : 0;
	url = url_make(home, ruri);   /* URL_STRING_MAKE() casts to an 8-byte-aligned union: UB on a char buffer */
	ok = url != NULL &&
	     auc_challenge(&auc, home, au, status == 401 ? sip_authorization_class :
							   sip_proxy_authorization_class) > 0 &&
	     auc_all_credentials(&auc, NULL, NULL, t->credentials.username,
				 t->credentials.password) > 0 &&
	     auc_authorization_headers(&auc, home, "INVITE", url, pl, hdr) > 0 && *hdr != NULL;
	auc_clear_credentials(&auc, NULL, NULL);
	return ok;
}

/*
 * 401/407 to B's INVITE from a trunk we have credentials for: answered
 * once, by a new INVITE (same Call-ID and From tag, the next CSeq) with
 * our Authorization.  nua's own restart is off (see b2b_legb_invite).
 */
static bool b_authenticate(struct b2b_call *c, int status, const sip_t *sip)
{
	struct b2b_leg *bl = &c->leg[1];
	su_home_t home[1] = { SU_HOME_INIT(home) };
	msg_header_t *auth = NULL;
	bool sent = false;

	if (c->b_auth_tried)
		return false;
	if (digest_answer(bl->trunk, status, sip, home, c->binv.ruri, bl->ours_body, &auth)) {
		c->b_auth_tried = true;
		SBC_LOG(INFO, B2B_LOG, "call %u: %d from trunk %s: answering with its credentials",
			c->no, status, bl->trunk->name);
		nua_handle_destroy(bl->nh);
		bl->nh = NULL;
		sent = b2b_legb_invite(c, c->binv.ruser, c->binv.user_phone,
				       (const sip_header_t *)auth) == 0;
	}
	su_home_deinit(home);
	return sent;
}

bool b2b_leg_on_challenge(struct b2b_leg *l, int status, const sip_t *sip)
{
	const struct sbc_cfg_trunk *t = l->trunk;
	const msg_auth_t *au = trunk_challenge(t, status, sip);
	const char *realm;
	char auth[512];
	int n;

	if (l->nh == NULL)
		return false;
	realm = au != NULL ? msg_params_find(au->au_params, "realm=") : NULL;
	if (realm == NULL || strchr(realm, ':') != NULL)
		return false;
	/* nua's form: scheme:"realm":user:password (the realm as quoted); nua bounds the retries */
	n = snprintf(auth, sizeof(auth), "%s:%s:%s:%s", au->au_scheme ? au->au_scheme : "Digest",
		     realm, t->credentials.username, t->credentials.password);
	if (n > 0 && (size_t)n < sizeof(auth)) {
		SBC_LOG(INFO, B2B_LOG, "call %u: %d in the dialog with trunk %s: answering",
			l->call->no, status, t->name);
		nua_authenticate(l->nh, NUTAG_AUTH(auth), TAG_END());
	}
	OPENSSL_cleanse(auth, sizeof(auth));
	return n > 0 && (size_t)n < sizeof(auth);
}

/* A Request-URI user part we accept from a redirect's Contact. */
static bool user_part_ok(const char *u)
{
	size_t n = u != NULL ? strlen(u) : 0;

	return n > 0 && n < SBC_ID_USER_MAX &&
	       strspn(u, "0123456789+*#abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "-_.!~;=%") == n;
}

/*
 * 301/302 from a PBX (enterprise trunk): acted on inside, a new INVITE
 * with the Contact's user part on the same trunk (at most 3 times); the
 * caller sees one call.
 */
static bool b_redirect(struct b2b_call *c, int status, const sip_t *sip)
{
	struct b2b_leg *bl = &c->leg[1];
	char user[SBC_ID_USER_MAX];

	if ((status != 301 && status != 302) || bl->trunk->side != SBC_SIDE_ENTERPRISE ||
	    c->redirects >= 3 || sip == NULL || sip->sip_contact == NULL ||
	    !user_part_ok(sip->sip_contact->m_url->url_user))
		return false;
	snprintf(user, sizeof(user), "%s", sip->sip_contact->m_url->url_user);
	c->redirects++;
	c->binv.redirect_status = status;
	nua_handle_destroy(bl->nh);
	bl->nh = NULL;
	c->b_auth_tried = false;
	SBC_LOG(INFO, B2B_LOG, "call %u: %d from trunk %s: redirected inside to %s", c->no,
		status, bl->trunk->name, user);
	return b2b_legb_invite(c, user, false, NULL) == 0;
}

/* 18x from B: early media bound and relayed with our answer (media settled first). */
static void b_provisional(struct b2b_call *c, int status, const sip_t *sip)
{
	struct b2b_leg *a = &c->leg[0];
	struct b2b_reject rj = { .status = -1 };

	if (status <= 100 || c->state == B2B_ENDED || a->ended)
		return;
	/* A late-offer caller has no offer of its own to answer yet: 18x without SDP. */
	if (b2b_has_sdp(sip) && !c->late_offer)
		rj = b2b_media_take_answer(c, sip->sip_payload);
	if (c->state == B2B_CALLING)
		c->state = B2B_EARLY;
	if (rj.status != 0) {
		/* Early SDP that cannot be used is not relayed; the 200 may still be fine. */
		b2b_leg_sdp_respond(a, status, b2b_relay_phrase(status), NULL);
		return;
	}
	c->early_status = status;
	if (!b2b_early_media_header(sip, c->early_pem, sizeof(c->early_pem)))
		c->early_pem[0] = '\0';
	b2b_media_program(c, B2B_SETTLE_EARLY_A);
}

static void b_answered(struct b2b_call *c, const sip_t *sip)
{
	struct b2b_leg *a = &c->leg[0], *bl = &c->leg[1];
	struct b2b_reject rj;

	bl->answered = true;
	c->b_ack_owed = c->late_relay;
	/* In the dialog nua may resend again (a challenged BYE, say). */
	nua_set_hparams(bl->nh, NUTAG_RETRY_COUNT(B2B_DIALOG_RETRIES), TAG_END());
	if (c->state == B2B_ENDED || a->ended) {
		/* A gave up (CANCEL crossed the 200): ACKed (by nua, or here), now BYE. */
		b2b_legb_ack(c, NULL);
		b2b_leg_hangup(bl, 0, NULL);
		return;
	}
	if (!b2b_has_sdp(sip))
		rj = b2b_reject(488, "failed", c->late_relay ? "no offer in the 200 to a late offer" :
						       "answer without SDP");
	else if (c->late_relay)
		rj = b2b_media_take_b_offer(c, sip->sip_payload);
	else if (c->late_offer)
		rj = b2b_media_take_late_answer(c, sip->sip_payload);
	else
		rj = b2b_media_take_answer(c, sip->sip_payload);
	if (rj.status != 0) {
		rj.disposition = "failed";
		b2b_legb_ack(c, NULL);
		b2b_leg_hangup(bl, 0, NULL);
		b2b_call_reject(c, &rj);
		return;
	}
	if (c->late_offer)
		b2b_call_media_settled(c, B2B_SETTLE_ANSWER_A, 0);  /* bound on A's ACK */
	else
		b2b_media_program(c, B2B_SETTLE_ANSWER_A);
}

void b2b_call_media_settled(struct b2b_call *c, enum b2b_settle what, int err)
{
	struct b2b_leg *a = &c->leg[0];
	struct b2b_reject rj = b2b_reject(500, "failed", "media could not be anchored");

	if (c->state == B2B_ENDED)
		return;
	if (err != 0) {
		SBC_LOG(WARN, B2B_LOG, "call %u: media not programmed (%s): ending", c->no,
			strerror(-err));
		b2b_leg_hangup(&c->leg[1], 0, NULL);
		if (a->answered) {
			b2b_leg_hangup(a, 0, NULL);
			b2b_call_end(c, "failed", 500, "sbc");
		} else {
			b2b_call_reject(c, &rj);
		}
		return;
	}
	if (what == B2B_SETTLE_EARLY_A && !a->answered) {
		nua_respond(a->nh, c->early_status, b2b_relay_phrase(c->early_status),
			    TAG_IF(a->contact[0] != '\0', SIPTAG_CONTACT_STR(a->contact)),
			    SIPTAG_CONTENT_TYPE_STR("application/sdp"),
			    SIPTAG_PAYLOAD_STR(a->ours_body),
			    TAG_IF(c->early_pem[0] != '\0', SIPTAG_HEADER_STR(c->early_pem)),
			    TAG_END());
		SBC_LOG(INFO, B2B_LOG, "call %u: early media (%d)", c->no, c->early_status);
	} else if (what == B2B_SETTLE_LATE_ACK) {
		SBC_LOG(INFO, B2B_LOG, "call %u: late offer completed by the ACK, media bound", c->no);
	} else if (what == B2B_SETTLE_ANSWER_A && !a->answered) {
		a->answered = true;
		c->state = B2B_ANSWERED;
		c->answer_ms = b2b_wall_ms();
		c->ack_pending = c->late_offer;
		c->b->n.calls_answered++;
		b2b_leg_sdp_respond(a, 200, "OK", a->ours_body);
		SBC_LOG(INFO, B2B_LOG, "call %u: answered%s", c->no,
			c->late_offer ? "; offer sent to a, answer awaited in the ACK" : "");
	}
}

/*
 * B's final failure goes to A (a 503's Retry-After with it, so the caller
 * backs off as the far end asked); the call ends, "rejected" by b.
 */
static void b_failed(struct b2b_call *c, int status, unsigned retry_after_s)
{
	struct b2b_reject rj = b2b_reject(status, "rejected", NULL);

	if (c->state == B2B_ENDED)
		return;
	SBC_LOG(INFO, B2B_LOG, "call %u: b answered %d%s", c->no, status,
		retry_after_s != 0 ? " with Retry-After" : "");
	rj.phrase = b2b_relay_phrase(status);
	rj.retry_after_s = retry_after_s;
	respond_reject(c, &rj);
	b2b_call_end(c, "rejected", status, "b");
}

void b2b_on_b_response(struct b2b_leg *bl, int status, const sip_t *sip)
{
	struct b2b_call *c = bl->call;
	struct b2b_leg *a = &c->leg[0];
	/* a 503's Retry-After; locate.c may raise it to its held destinations' wait */
	uint32_t retry_after_s = status == 503 && sip != NULL && sip->sip_retry_after != NULL ?
				 (uint32_t)sip->sip_retry_after->af_delta : 0;

	if (sip != NULL && sip->sip_from != NULL && sip->sip_from->a_tag != NULL &&
	    c->binv.from_tag[0] == '\0')
		snprintf(c->binv.from_tag, sizeof(c->binv.from_tag), "%s", sip->sip_from->a_tag);
	if (status < 200) {
		b_provisional(c, status, sip);
		return;
	}
	if (status < 300) {
		b_answered(c, sip);
		return;
	}
	if (c->state != B2B_ENDED && !a->ended &&
	    (b_authenticate(c, status, sip) || b_redirect(c, status, sip) ||
	     b2b_locate_failover(c, status, &retry_after_s)))
		return;
	/* A final failure ends B's INVITE transaction: nothing to CANCEL. */
	bl->ended = true;
	b_failed(c, status, retry_after_s);
}

void b2b_on_b_transport_failed(struct b2b_leg *bl)
{
	struct b2b_call *c = bl->call;
	nua_handle_t *nh = bl->nh;

	if (c->state != B2B_CALLING || bl->answered || nh == NULL)
		return;
	b2b_on_b_response(bl, 503, NULL);      /* next destination, or 503 to the caller */
	if (bl->nh == nh) {
		nua_handle_destroy(nh);              /* the transaction nta would keep */
		bl->nh = NULL;
		b2b_call_maybe_free(c);
	}
}

/* ---- A's ACK, CANCEL, BYE, terminated legs ---- */

/* Late offer: A's answer (in the ACK) to the offer in our 200; 488 when unusable. */
static int late_ack_answer(struct b2b_call *c, const sip_t *sip)
{
	struct b2b_leg *a = &c->leg[0];
	struct sbc_sdp_error err = { 0, 0 };

	if (!b2b_has_sdp(sip)) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: ACK from a without the answer", c->no);
		return 488;
	}
	if (b2b_sdp_parse(c->b, &a->theirs, sip->sip_payload->pl_data, sip->sip_payload->pl_len,
			  &err) != 0 || a->theirs.n_media != a->ours.n_media) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: answer in the ACK from a refused: %s", c->no,
			sbc_sdp_error_str(err.code));
		return 488;
	}
	if (b2b_srtp_take_answer(c, a, &a->theirs).status != 0)
		return 488;
	a->have_theirs = true;
	a->pol.cn_allowed = b2b_desc_has_cn(&a->theirs);
	return 0;
}

/*
 * The ACK completes both exchanges and the data plane is bound; an ACK
 * without a usable answer ends the call (RFC 3261 section 13.2.2.4: BYE).
 */
void b2b_on_late_ack(struct b2b_leg *a, const sip_t *sip)
{
	struct b2b_call *c = a->call;
	int status;

	c->ack_pending = false;
	if (c->state == B2B_ENDED) {
		b2b_legb_ack(c, NULL);
		return;
	}
	status = late_ack_answer(c, sip);
	/* Relayed: B's offer gets the answer built from A's, in our ACK. */
	if (status == 0 && c->late_relay && b2b_media_answer_b(c).status != 0)
		status = 488;
	if (status != 0) {
		b2b_legb_ack(c, NULL);     /* a 2xx is ACKed whatever follows (RFC 3261 13.2.2.4) */
		b2b_leg_hangup(a, 0, NULL);
		b2b_leg_hangup(&c->leg[1], 0, NULL);
		b2b_call_end(c, "failed", status, "sbc");
		return;
	}
	if (c->late_relay)
		b2b_legb_ack(c, c->leg[1].ours_body);
	b2b_media_program(c, B2B_SETTLE_LATE_ACK);
}

void b2b_on_cancel(struct b2b_leg *l)
{
	/* nua has answered the INVITE with 487 already. */
	l->ended = true;
	b2b_leg_hangup(b2b_other_leg(l), 0, NULL);
	b2b_call_end(l->call, "cancelled", 487, b2b_leg_name(l));
}

void b2b_on_bye(struct b2b_leg *l)
{
	l->ended = true;
	b2b_leg_hangup(b2b_other_leg(l), 480, "Temporarily Unavailable");
	b2b_call_end(l->call, "answered", 200, b2b_leg_name(l));
}

void b2b_on_ack_timeout(struct b2b_leg *a)
{
	struct b2b_call *c = a->call;

	if (c->a_acked || !a->answered || c->state == B2B_ENDED)
		return;
	a->ended = true;           /* nua sends A's BYE */
	c->b->n.calls_no_ack++;
	SBC_LOG(NOTICE, B2B_LOG, "call %u: the caller never ACKed our 200: ending", c->no);
	b2b_legb_ack(c, NULL);
	b2b_leg_hangup(&c->leg[1], 0, NULL);
	b2b_call_end(c, "no-ack", 408, "a");
}

void b2b_on_terminated(struct b2b_leg *l)
{
	struct b2b_call *c = l->call;

	nua_handle_destroy(l->nh);
	l->nh = NULL;
	l->ended = true;
	if (c->state != B2B_ENDED) {
		/* nua gave up on this leg by itself (timeout, transport error). */
		SBC_LOG(NOTICE, B2B_LOG, "call %u: leg %s terminated by the stack", c->no,
			b2b_leg_name(l));
		b2b_leg_hangup(b2b_other_leg(l), 408, "Request Timeout");
		b2b_call_end(c, "failed", c->leg[0].answered ? 200 : 408, "sbc");
	}
	b2b_call_maybe_free(c);
}
