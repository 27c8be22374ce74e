/* SPDX-License-Identifier: BSD-3-Clause
 * Requests inside a call other than re-offers (b2bua_priv.h): INFO relayed
 * between the legs (RFC 6086), REFER per trunk policy (RFC 3515).
 *
 * INFO (NUTAG_APPL_METHOD("INFO"): nua leaves the answer to us).  In an
 * answered call, an INFO whose body's Content-Type is in both trunks'
 * `info_content_types` (or that has no body) is sent on the other leg's
 * dialog with its body, Content-Type, Content-Disposition and Info-Package;
 * the other leg's final response comes back with its status (our standard
 * phrase, never the peer's text: b2b_relay_phrase()): 2xx, 4xx, 5xx and
 * 6xx as they are, nta's 408 when the other leg never answered, 500 for
 * what nua makes up itself.  Another Content-Type gets 415 with Accept (the
 * types both trunks take) from us, and nothing is relayed.  An INFO outside
 * any call, or in a dialog whose call is not answered (or is ending), gets
 * 481: there is no invite dialog usage end to end to carry it (RFC 6086
 * section 4.2.2).
 *
 * nua sends the non-INVITE requests of one handle one at a time, in the
 * order asked (nua_client_request_queue()), so the responses of the other
 * leg come back in the order the INFOs came: each leg's INFOs wait in a
 * FIFO of saved nua events (nua_respond() finds a non-INVITE request only
 * through NUTAG_WITH()).
 *
 * REFER: `refer: reject` (the default) leaves REFER out of the Allow of
 * the trunk's dialogs (b2b_indialog_leg_allow()), so nua itself answers a
 * REFER with 405 and an Allow without it (RFC 3261 section 8.2.1): the
 * dialog said from the start that it takes no REFER, and a PBX that reads
 * Allow transfers by itself instead.
 *
 * `refer: local` (NUTAG_APPL_METHOD("REFER")): the B2BUA is the transferee
 * and makes the transfer itself, as a third-party call controller (RFC
 * 3725 flow I with our own offer):
 *
 *   transferor --REFER--> 202, NOTIFY "100 Trying"; its leg leaves the
 *                         call (a BYE from it now ends only its dialog)
 *   target C   <--INVITE-- routed as a call from the remaining leg R's
 *                         trunk (routing.h) to the Refer-To user and host,
 *                         located like B (locate.c), our offer built from
 *                         R's last SDP (sendrecv: R is often on hold) on
 *                         the transferor's own data plane endpoints
 *   C's 200   --re-INVITE--> R with our offer built from C's answer
 *   R's 200    C takes the transferor's place in the call, the data plane
 *              session is UPDATEd (new remote, latching re-armed), NOTIFY
 *              "200 OK" (terminated), BYE to the transferor
 *
 * A failure on the way (C refuses or never answers, R refuses the
 * re-INVITE) is NOTIFYed with its status and the transferor is put back in
 * the call; when it has hung up meanwhile, the call ends.  The CDR names
 * the legs the call ended with and the leg that was replaced.  Limits:
 * the target must be on the transferor's media interface (its endpoints
 * are reused), one destination is tried (no failover), no digest for the
 * target, no Replaces (attended transfer), one transfer at a time.
 *
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "b2bua_priv.h"
#include "routing.h"
#include "sbc_log.h"
#include "sip_tls.h"

/* INFOs of one leg waiting for the other leg's answer; more get 500 + Retry-After. */
#define B2B_INFO_INFLIGHT_MAX 8

struct b2b_info_fifo {
	nua_saved_event_t req[B2B_INFO_INFLIGHT_MAX];
	uint32_t head;             /* the oldest */
	uint32_t n;
};

enum b2b_xfer_phase {
	B2B_XF_LOCATE = 0,         /* the target's trunk is being resolved */
	B2B_XF_CALLING,            /* INVITE sent to the target */
	B2B_XF_REINVITE,           /* the target answered; R is re-INVITEd */
	B2B_XF_DONE,               /* finished (connected or failed) */
};

/*
 * A transfer made by the B2BUA (refer: local).  `target` is C until it
 * is connected (then moved into the transferor's place in c->leg[]),
 * `old` the transferor from the REFER on: both handles are bound to
 * these structs, so their events come to b2b_indialog_event().
 */
struct b2b_transfer {
	struct b2b_call *c;
	enum b2b_xfer_phase phase;
	int slot;                  /* the transferor's index in c->leg[] (C takes it) */
	const struct sbc_cfg_trunk *trunk;  /* C's, in the call's generation */
	struct b2b_trunk_rt *rt;   /* C's trunk's destinations (held, down); NULL = none */
	char user[SBC_ID_USER_MAX];         /* the Refer-To user */
	char event[64];            /* Event of the REFER's implicit subscription */
	struct b2b_locator loc;
	struct b2b_leg target;
	struct b2b_leg old;
	/* R's offer/answer state before our re-INVITE: back when it fails */
	struct sbc_sdp_desc r_theirs;
	struct sbc_sdp_desc r_ours;
	struct sbc_sdp_origin r_origin;
	struct sbc_codec_policy r_codecs;
	struct sbc_sdp_policy r_pol;
	char r_ours_body[SBC_SDP_BODY_MAX];
};

struct b2b_indialog {
	struct b2b_info_fifo info[2];  /* by the leg the INFOs came from: [0] A, [1] B */
	struct b2b_transfer *xfer;     /* the call's transfer; NULL = none yet */
	/* the CDR's "transfer": the leg the last transfer replaced; leg NULL = none */
	const char *xfer_leg;
	const char *xfer_trunk;        /* the replaced leg's trunk (the call's generation) */
	char xfer_call_id[B2B_CALL_ID_MAX];
};

static int leg_index(const struct b2b_leg *l)
{
	return l == &l->call->leg[0] ? 0 : 1;
}

/* Answer the request being delivered now (in its event callback). */
#define B2B_RESPOND_NOW(l, status, ...) \
	nua_respond((l)->nh, (status), b2b_relay_phrase(status), \
		    NUTAG_WITH_THIS((l)->sif->nua), __VA_ARGS__)

static struct b2b_indialog *indialog_get(struct b2b_call *c)
{
	if (c->indialog == NULL)
		c->indialog = calloc(1, sizeof(*c->indialog));
	return c->indialog;
}

void b2b_indialog_free(struct b2b_call *c)
{
	struct b2b_indialog *d = c->indialog;
	int l;

	if (d == NULL)
		return;
	for (l = 0; l < 2; l++) {
		struct b2b_info_fifo *q = &d->info[l];

		for (; q->n > 0; q->n--, q->head = (q->head + 1) % B2B_INFO_INFLIGHT_MAX)
			nua_destroy_event(&q->req[q->head]);
	}
	if (d->xfer != NULL) {
		/* Only at the B2BUA's end: nua handles still bound to the transfer's legs. */
		if (d->xfer->target.nh != NULL)
			nua_handle_destroy(d->xfer->target.nh);
		if (d->xfer->old.nh != NULL)
			nua_handle_destroy(d->xfer->old.nh);
		sbc_sdes_wipe(d->xfer, sizeof(*d->xfer));  /* SRTP keys, SDP */
		free(d->xfer);
	}
	free(d);
	c->indialog = NULL;
}

bool b2b_indialog_busy(const struct b2b_call *c)
{
	const struct b2b_transfer *x = c->indialog != NULL ? c->indialog->xfer : NULL;

	return x != NULL && (x->target.nh != NULL || x->old.nh != NULL || x->loc.pending != 0);
}

/* ---- Allow per trunk ---- */

const char *b2b_indialog_allow(const struct sbc_cfg_trunk *t)
{
	return t != NULL && t->refer == SBC_REFER_LOCAL ? B2B_ALLOW ", REFER" : B2B_ALLOW;
}

void b2b_indialog_leg_allow(struct b2b_leg *l)
{
	if (l->nh != NULL && l->trunk != NULL)
		nua_set_hparams(l->nh, SIPTAG_ALLOW_STR(b2b_indialog_allow(l->trunk)), TAG_END());
}

/* ---- INFO ---- */

static bool type_listed(const struct sbc_cfg_trunk *t, const char *type)
{
	uint32_t i;

	for (i = 0; i < t->n_info_content_types; i++)
		if (strcasecmp(t->info_content_types[i], type) == 0)
			return true;
	return false;
}

/* "a, b": the types of @from's list that @to's list has too. */
static void accept_value(const struct sbc_cfg_trunk *from, const struct sbc_cfg_trunk *to,
			 char *buf, size_t size)
{
	size_t used = 0;
	uint32_t i;
	int n;

	buf[0] = '\0';
	for (i = 0; i < from->n_info_content_types; i++) {
		if (!type_listed(to, from->info_content_types[i]))
			continue;
		n = snprintf(buf + used, size - used, "%s%s", used > 0 ? ", " : "",
			     from->info_content_types[i]);
		if (n < 0 || (size_t)n >= size - used) {
			buf[used] = '\0';
			return;
		}
		used += (size_t)n;
	}
}

/*
 * An Info-Package header (RFC 6086) passed on when it is one token with
 * parameters, as "Info-Package: v" in @buf; false when absent or odd.
 */
static bool info_package_header(const sip_t *sip, char *buf, size_t size)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789-.!%*_+`'~;=\" ";
	const char *v = b2b_hdr_value(sip, "Info-Package");
	int n;

	if (v == NULL || v[0] == '\0' || strspn(v, ok) != strlen(v))
		return false;
	n = snprintf(buf, size, "Info-Package: %s", v);
	return n > 0 && (size_t)n < size;
}

/* An INFO answered here (415, 481); the handle stays: it is a leg's. */
static void info_refuse(struct sbc_b2bua *b, struct b2b_leg *l, int status, const char *accept)
{
	b->n.info_refused++;
	B2B_RESPOND_NOW(l, status, TAG_IF(accept != NULL && accept[0] != '\0',
					   SIPTAG_ACCEPT_STR(accept)), TAG_END());
}

void b2b_on_info_outside(struct b2b_sipif *sif, nua_handle_t *nh)
{
	sif->b->n.info_refused++;
	nua_respond(nh, 481, sip_status_phrase(481), NUTAG_WITH_THIS(sif->nua), TAG_END());
	nua_handle_destroy(nh);
}

void b2b_on_info(struct b2b_leg *l, const sip_t *sip)
{
	struct b2b_call *c = l->call;
	struct b2b_leg *to = b2b_other_leg(l);
	const sip_content_type_t *ct = sip->sip_content_type;
	bool body = b2b_has_sdp(sip);  /* any body */
	struct b2b_indialog *d;
	struct b2b_info_fifo *q;
	char accept[256], pkg[160];
	uint32_t slot;

	if (c->state != B2B_ANSWERED || !l->answered || !to->answered || to->nh == NULL ||
	    to->ended || l->ended) {
		SBC_LOG(INFO, B2B_LOG, "call %u: INFO from %s outside an answered call: 481", c->no,
			b2b_leg_name(l));
		info_refuse(c->b, l, 481, NULL);
		return;
	}
	if (body && (ct == NULL || ct->c_type == NULL || !type_listed(l->trunk, ct->c_type) ||
		     !type_listed(to->trunk, ct->c_type))) {
		accept_value(l->trunk, to->trunk, accept, sizeof(accept));
		SBC_LOG(INFO, B2B_LOG, "call %u: INFO from %s with %s: 415", c->no,
			b2b_leg_name(l), ct != NULL && ct->c_type != NULL ? "another Content-Type" :
			"a body without Content-Type");
		info_refuse(c->b, l, 415, accept);
		return;
	}
	d = indialog_get(c);
	q = d != NULL ? &d->info[leg_index(l)] : NULL;
	if (q == NULL || q->n == B2B_INFO_INFLIGHT_MAX) {
		c->b->n.info_refused++;
		B2B_RESPOND_NOW(l, 500, SIPTAG_RETRY_AFTER_STR("1"), TAG_END());
		return;
	}
	slot = (q->head + q->n) % B2B_INFO_INFLIGHT_MAX;
	if (nua_save_event(l->sif->nua, &q->req[slot]) == 0) {
		c->b->n.info_refused++;
		B2B_RESPOND_NOW(l, 500, TAG_END());
		return;
	}
	q->n++;
	c->b->n.info_relayed++;
	SBC_LOG(INFO, B2B_LOG, "call %u: INFO (%s) from %s relayed", c->no,
		body ? ct->c_type : "no body", b2b_leg_name(l));
	/* nua copies the headers of the tags. */
	nua_info(to->nh, TAG_IF(body, SIPTAG_CONTENT_TYPE(ct)),
		 TAG_IF(body, SIPTAG_PAYLOAD(sip->sip_payload)),
		 TAG_IF(body && sip->sip_content_disposition != NULL,
			SIPTAG_CONTENT_DISPOSITION(sip->sip_content_disposition)),
		 TAG_IF(info_package_header(sip, pkg, sizeof(pkg)), SIPTAG_HEADER_STR(pkg)),
		 TAG_END());
}

/*
 * What the sender of an INFO is told when the other leg answered @status:
 * the status itself, except what only we could act on (3xx, a challenge
 * our credentials did not answer: 500, 403) and nua's own codes (500).
 */
static int info_relay_status(int status)
{
	if (status >= 700 || (status >= 300 && status < 400))
		return 500;
	if (status == 401 || status == 407)
		return 403;
	return status;
}

/* The oldest INFO leg @from relayed is answered @status by the other side. */
static void info_answer(struct b2b_call *c, int from, int status)
{
	struct b2b_indialog *d = c->indialog;
	struct b2b_info_fifo *q = d != NULL ? &d->info[from] : NULL;
	nua_saved_event_t *req;
	int st = info_relay_status(status);

	if (status < 200 || q == NULL || q->n == 0)
		return;
	req = &q->req[q->head];
	q->head = (q->head + 1) % B2B_INFO_INFLIGHT_MAX;
	q->n--;
	SBC_LOG(INFO, B2B_LOG, "call %u: INFO answered %d by %s, %d relayed", c->no, status,
		from == 0 ? "b" : "a", st);
	if (c->leg[from].nh != NULL)
		nua_respond(c->leg[from].nh, st, b2b_relay_phrase(st), NUTAG_WITH_SAVED(req),
			    TAG_END());
	nua_destroy_event(req);
}

void b2b_on_info_response(struct b2b_leg *to, int status)
{
	info_answer(to->call, 1 - leg_index(to), status);
}

static void xfer_call_ended(struct b2b_transfer *x);

void b2b_indialog_call_ended(struct b2b_call *c)
{
	struct b2b_indialog *d = c->indialog;
	int l;

	if (d == NULL)
		return;
	if (d->xfer != NULL)
		xfer_call_ended(d->xfer);
	for (l = 0; l < 2; l++) {
		struct b2b_info_fifo *q = &d->info[l];

		for (; q->n > 0; q->n--, q->head = (q->head + 1) % B2B_INFO_INFLIGHT_MAX) {
			if (c->leg[l].nh != NULL)
				nua_respond(c->leg[l].nh, 487, sip_status_phrase(487),
					    NUTAG_WITH_SAVED(&q->req[q->head]), TAG_END());
			nua_destroy_event(&q->req[q->head]);
		}
	}
}

/* ---- REFER, refer: local: a transfer made by the B2BUA ---- */

static struct b2b_transfer *xfer_of(const struct b2b_call *c)
{
	return c->indialog != NULL ? c->indialog->xfer : NULL;
}

/* The leg that stays: the other one of the transferor's slot. */
static struct b2b_leg *xfer_remaining(struct b2b_transfer *x)
{
	return &x->c->leg[1 - x->slot];
}

/*
 * @from's state into @to (another place for the same dialog), its nua
 * handle bound to @to.  A leg points into itself (codec list, a=crypto
 * value), so a plain copy would point back at @from.
 */
static void leg_move(struct b2b_leg *to, const struct b2b_leg *from)
{
	uint32_t i;

	memcpy(to, from, sizeof(*to));
	if (from->pol.codecs == from->codecs.codecs)
		to->pol.codecs = to->codecs.codecs;
	for (i = 0; i < SBC_SDP_MEDIA_MAX; i++) {
		if (from->srtp[i].valuep == from->srtp[i].value)
			to->srtp[i].valuep = to->srtp[i].value;
		if (from->out[i].crypto == &from->srtp[i].valuep)
			to->out[i].crypto = &to->srtp[i].valuep;
	}
	if (to->nh != NULL)
		nua_handle_bind(to->nh, to);
}

/* NOTIFY the transferor with the sipfrag of @status (100: active, else terminated). */
static void xfer_notify(struct b2b_transfer *x, int status)
{
	char frag[80];

	if (x->old.nh == NULL || x->old.ended)
		return;
	snprintf(frag, sizeof(frag), "SIP/2.0 %d %s\r\n", status, b2b_relay_phrase(status));
	nua_notify(x->old.nh, SIPTAG_EVENT_STR(x->event),
		   SIPTAG_SUBSCRIPTION_STATE_STR(status < 200 ? "active;expires=60" :
						 "terminated;reason=noresource"),
		   SIPTAG_CONTENT_TYPE_STR("message/sipfrag;version=2.0"),
		   SIPTAG_PAYLOAD_STR(frag), TAG_END());
}

/* The transferor's dialog ends: BYE (after the NOTIFYs: nua sends them in order). */
static void xfer_release_old(struct b2b_transfer *x)
{
	if (x->old.nh == NULL || x->old.ended)
		return;
	x->old.ended = true;
	nua_bye(x->old.nh, TAG_END());
}

/* The target's dialog ends: CANCEL before its answer, BYE after. */
static void xfer_release_target(struct b2b_transfer *x)
{
	struct b2b_leg *t = &x->target;

	if (t->nh == NULL || t->ended)
		return;
	t->ended = true;
	if (t->answered)
		nua_bye(t->nh, TAG_END());
	else
		nua_cancel(t->nh, TAG_END());
}

/* R's SDP state as it was before our re-INVITE. */
static void xfer_restore_r(struct b2b_transfer *x)
{
	struct b2b_leg *r = xfer_remaining(x);

	r->theirs = x->r_theirs;
	r->ours = x->r_ours;
	r->origin = x->r_origin;
	r->codecs = x->r_codecs;
	r->pol = x->r_pol;
	r->pol.codecs = r->codecs.codecs;
	memcpy(r->ours_body, x->r_ours_body, sizeof(r->ours_body));
}

/*
 * The transfer failed with @status: the transferor is told, and put back
 * in the call when it is still there; else the call ends.
 */
static void xfer_fail(struct b2b_transfer *x, int status, const char *why)
{
	struct b2b_call *c = x->c;

	x->phase = B2B_XF_DONE;
	c->b->n.transfers_failed++;
	xfer_release_target(x);
	xfer_notify(x, status);
	SBC_LOG(NOTICE, B2B_LOG, "call %u: transfer to %s failed (%d, %s)%s", c->no, x->user,
		status, why, x->old.nh != NULL && !x->old.ended ? ": transferor back in the call" :
		": the transferor has gone, the call ends");
	if (c->state == B2B_ENDED)
		return;
	if (x->old.nh != NULL && !x->old.ended) {
		leg_move(&c->leg[x->slot], &x->old);
		memset(&x->old, 0, sizeof(x->old));
		return;
	}
	b2b_leg_hangup(xfer_remaining(x), 0, NULL);
	b2b_call_end(c, "answered", 200, "sbc");
}

static bool xfer_gone(struct b2b_locator *lc)
{
	struct b2b_transfer *x = (struct b2b_transfer *)((char *)lc - offsetof(struct b2b_transfer, loc));

	return x->c->state == B2B_ENDED || x->phase != B2B_XF_LOCATE;
}

static void xfer_released(struct b2b_locator *lc)
{
	struct b2b_transfer *x = (struct b2b_transfer *)((char *)lc - offsetof(struct b2b_transfer, loc));

	b2b_call_maybe_free(x->c);
}

/*
 * Who calls the target: the remaining party as the other leg knew it
 * (the caller's From user as B got it, or the number A called), on our host.
 */
static void xfer_from(struct b2b_transfer *x, char *buf, size_t size)
{
	struct b2b_call *c = x->c;
	const char *user = x->slot == 1 ? c->binv.id.fuser : c->binv.ruser;
	size_t n = strcspn(user, ";");

	if (x->slot == 1 && c->binv.id.anonymous)
		snprintf(buf, size, "%s", SBC_ID_ANONYMOUS_FROM);
	else
		snprintf(buf, size, "<sip:%.*s@%s>", (int)n, user, x->target.sif->host);
}

/* The target's destinations are known: INVITE the first usable one. */
static void xfer_located(struct b2b_locator *lc)
{
	struct b2b_transfer *x = (struct b2b_transfer *)((char *)lc - offsetof(struct b2b_transfer, loc));
	struct b2b_call *c = x->c;
	struct b2b_leg *t = &x->target;
	char ruri[B2B_URI_MAX], hop[SBC_DEST_NAME_MAX + 96], to[B2B_URI_MAX], from[B2B_URI_MAX];
	char tohost[B2B_URI_MAX];
	const struct sbc_dest *d;
	uint32_t wait_s = 0;
	int i;

	i = lc->n_dest == 0 ? -1 : x->rt != NULL ?
	    sbc_dest_next(lc->dest, lc->n_dest, 0, &x->rt->dests, b2b_mono_ms(), &wait_s) : 0;
	if (i < 0) {
		xfer_fail(x, 503, "no usable destination");
		return;
	}
	d = &lc->dest[i];
	if (d->key.transport == SBC_TRANSPORT_TLS)
		sbc_sip_tls_expect(&d->key.ip, d->key.port, d->name, x->trunk);
	if (sbc_route_request_uri_at(x->trunk, d->target, x->user, false, ruri, sizeof(ruri)) < 0 ||
	    b2b_dest_next_hop(d, hop, sizeof(hop)) != 0 ||
	    sbc_route_target_host(x->trunk, tohost, sizeof(tohost)) < 0 || b2b_leg_new_call_id(t) != 0) {
		xfer_fail(x, 500, "Request-URI");
		return;
	}
	snprintf(to, sizeof(to), "<sip:%s@%s>", x->user, tohost);
	xfer_from(x, from, sizeof(from));
	t->sig_peer = d->key.ip;
	t->nh = nua_handle(t->sif->nua, t, NUTAG_URL(ruri), NUTAG_RETRY_COUNT(0),
			   NUTAG_INITIAL_ROUTE_STR(hop), SIPTAG_ALLOW_STR(b2b_indialog_allow(x->trunk)),
			   SIPTAG_TO_STR(to), SIPTAG_FROM_STR(from), SIPTAG_CALL_ID_STR(t->call_id),
			   TAG_IF(t->contact[0] != '\0', SIPTAG_CONTACT_STR(t->contact)), TAG_END());
	if (t->nh == NULL) {
		xfer_fail(x, 500, "no handle");
		return;
	}
	b2b_indialog_leg_allow(t);
	x->phase = B2B_XF_CALLING;
	SBC_LOG(INFO, B2B_LOG, "call %u: transfer: to trunk %s (%s) via %s, next hop %s, Call-ID %s",
		c->no, x->trunk->name, d->name, t->sif->cfg->name, hop, t->call_id);
	nua_invite(t->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		   SIPTAG_PAYLOAD_STR(t->ours_body), TAG_END());
}

/*
 * Our offer to the target from R's last SDP, every line sendrecv (R is
 * often on hold while it is transferred), on the transferor's endpoints.
 * 0, or the status to refuse the REFER with.
 */
static int xfer_offer(struct b2b_transfer *x)
{
	struct b2b_call *c = x->c;
	struct b2b_leg *t = &x->target, *r = xfer_remaining(x);
	struct sbc_sdp_desc *in = &x->r_theirs;   /* scratch: saved for real at R's re-INVITE */
	struct sbc_sdp_error err;
	uint32_t i;

	*in = r->theirs;
	in->dir = SBC_SDP_SENDRECV;
	for (i = 0; i < in->n_media; i++) {
		in->media[i].dir = SBC_SDP_SENDRECV;
		in->media[i].dir_eff = in->media[i].rejected ? SBC_SDP_INACTIVE : SBC_SDP_SENDRECV;
		in->media[i].hold_addr = false;
	}
	if (b2b_media_policy(t, r->trunk).status != 0)
		return 488;
	if (sbc_sdp_origin_init(&t->origin, b2b_random_sess_id(), b2b_media_addr(t->sif)) != 0 ||
	    b2b_srtp_offer_to(c, t, r).status != 0)
		return 488;
	if (sbc_sdp_build_offer(in, &t->pol, t->out, c->n_media, &t->origin, t->ours_body,
				sizeof(t->ours_body), &t->ours, &err) < 0)
		return sbc_sdp_error_sip_status(err.code);
	t->have_ours = true;
	return 0;
}

/* The transferor's REFER, checked: 0, or the status to answer it with (and *@why). */
static int refer_check(struct b2b_leg *l, const sip_t *sip, const char **why)
{
	struct b2b_call *c = l->call;
	const sip_refer_to_t *rt = sip->sip_refer_to;
	const struct b2b_transfer *x = xfer_of(c);
	char method[16];
	const char *u;

	*why = NULL;
	if (c->state != B2B_ANSWERED || !l->answered || l->ended ||
	    b2b_other_leg(l)->nh == NULL || b2b_other_leg(l)->ended)
		return 481;
	if (c->reoffer != NULL || c->ack_pending || (x != NULL && b2b_indialog_busy(c)))
		return 491;
	if (rt == NULL)
		return 400;
	u = rt->r_url->url_user;
	if ((rt->r_url->url_type != url_sip && rt->r_url->url_type != url_sips) || u == NULL ||
	    u[0] == '\0' || strlen(u) >= SBC_ID_USER_MAX ||
	    strspn(u, "0123456789+*#abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.!~") !=
	    strlen(u)) {
		*why = "Refer-To: a sip: URI with a user part is needed";
		return 403;
	}
	if (rt->r_url->url_headers != NULL) {
		*why = "Refer-To with headers (Replaces: attended transfer) is not supported";
		return 403;
	}
	if (rt->r_url->url_params != NULL &&
	    url_param(rt->r_url->url_params, "method", method, sizeof(method)) > 0 &&
	    strcasecmp(method, "INVITE") != 0) {
		*why = "Refer-To method other than INVITE";
		return 403;
	}
	return 0;
}

/*
 * Where the target goes (routing.h, as a new call from R's trunk) and on
 * what: 0 with x->trunk and the target leg's interface set, or 403 (*@why).
 */
static int xfer_route(struct b2b_transfer *x, const sip_t *sip, const char **why)
{
	struct b2b_call *c = x->c;
	struct b2b_leg *r = xfer_remaining(x), *old = &c->leg[x->slot], *t = &x->target;
	struct b2b_trunk_rt *rt;
	struct sbc_route route;

	sbc_route_call(c->gen->cfg, c->gen->tenants, r->trunk, sip->sip_refer_to->r_url->url_host,
		       &route);
	t->sif = route.trunk != NULL ? b2b_sipif_find(c->b, route.trunk->interface) : NULL;
	if (t->sif == NULL) {
		*why = "no route to the Refer-To target";
		return 403;
	}
	/* Its media goes through the transferor's endpoints: the same media interface. */
	if (t->sif->media != old->sif->media ||
	    b2b_media_addr(t->sif)->family != b2b_media_addr(old->sif)->family) {
		*why = "the target is on another media interface than the transferor";
		return 403;
	}
	if (route.trunk->transport == SBC_TRANSPORT_TLS && !t->sif->tls) {
		*why = "the target's trunk wants TLS, not served";
		return 403;
	}
	x->trunk = route.trunk;
	for (rt = c->b->trunk_rt; rt != NULL && (rt->retired || strcmp(rt->name, route.trunk->name) != 0);
	     rt = rt->next)
		;
	x->rt = rt;
	return 0;
}

/* The target leg before its INVITE: what it is given of the transferor's. */
static void xfer_target_init(struct b2b_transfer *x)
{
	struct b2b_leg *t = &x->target, *old = &x->c->leg[x->slot];
	struct b2b_sipif *sif = t->sif;
	uint32_t i;

	memset(t, 0, sizeof(*t));
	t->call = x->c;
	t->sif = sif;
	t->trunk = x->trunk;
	t->tls = x->trunk->transport == SBC_TRANSPORT_TLS;
	if (b2b_sipif_contact(sif, x->trunk->transport, false, t->contact, sizeof(t->contact)) != 0)
		t->contact[0] = '\0';
	for (i = 0; i < SBC_SDP_MEDIA_MAX; i++) {
		t->ep[i] = old->ep[i];
		t->out[i].local = old->out[i].local;
		t->out[i].local_rtcp_port = old->out[i].local_rtcp_port;
		t->out[i].rtcp_mux = old->out[i].rtcp_mux;
		t->out[i].proto = SBC_SDP_PROTO_RTP_AVP;
	}
}

/* The Event of the REFER's implicit subscription ("refer" or "refer;id=N"). */
static void refer_event(struct b2b_transfer *x, tagi_t tags[])
{
	sip_event_t const *o = NULL;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char *s;

	tl_gets(tags, NUTAG_REFER_EVENT_REF(o), TAG_END());
	s = o != NULL ? sip_header_as_string(home, (const sip_header_t *)o) : NULL;
	snprintf(x->event, sizeof(x->event), "%s", s != NULL && strlen(s) < sizeof(x->event) ?
		 s : "refer");
	su_home_deinit(home);
}

void b2b_on_refer(struct b2b_leg *l, const sip_t *sip, tagi_t tags[])
{
	struct b2b_call *c = l->call;
	struct b2b_indialog *d;
	struct b2b_transfer *x;
	const char *why = NULL;
	char warn[256];
	int status = l->trunk->refer == SBC_REFER_LOCAL ? refer_check(l, sip, &why) : 405;

	d = status == 0 ? indialog_get(c) : NULL;
	if (status == 0 && d == NULL)
		status = 500;
	x = d != NULL ? d->xfer : NULL;
	if (status == 0 && x == NULL && (x = d->xfer = calloc(1, sizeof(*x))) == NULL)
		status = 500;
	if (status == 0) {
		memset(x, 0, sizeof(*x));
		x->c = c;
		x->slot = l == &c->leg[0] ? 0 : 1;
		status = xfer_route(x, sip, &why);
	}
	if (status == 0) {
		snprintf(x->user, sizeof(x->user), "%s", sip->sip_refer_to->r_url->url_user);
		xfer_target_init(x);
		status = xfer_offer(x);
		if (status != 0)
			why = "no offer for the target";
	}
	if (status != 0) {
		c->b->n.refers_refused++;
		if (why != NULL)
			snprintf(warn, sizeof(warn), "399 %s \"%s\"", l->sif->host, why);
		SBC_LOG(NOTICE, B2B_LOG, "call %u: REFER from %s refused: %d%s%s", c->no,
			b2b_leg_name(l), status, why != NULL ? ", " : "", why != NULL ? why : "");
		if (x != NULL) {
			sbc_sdes_wipe(&x->target, sizeof(x->target));
			x->phase = B2B_XF_DONE;
		}
		B2B_RESPOND_NOW(l, status, TAG_IF(why != NULL, SIPTAG_WARNING_STR(warn)),
				TAG_IF(status == 405, SIPTAG_ALLOW_STR(B2B_ALLOW)), TAG_END());
		return;
	}
	refer_event(x, tags);
	B2B_RESPOND_NOW(l, 202, TAG_END());
	c->b->n.transfers_started++;
	/* The transferor leaves the call: its leg's place keeps the media state only. */
	leg_move(&x->old, l);
	l->nh = NULL;
	l->ended = true;
	xfer_notify(x, 100);
	SBC_LOG(INFO, B2B_LOG, "call %u: REFER from %s to %s@%s accepted: transfer to trunk %s",
		c->no, b2b_leg_name(l), x->user, sip->sip_refer_to->r_url->url_host, x->trunk->name);
	x->phase = B2B_XF_LOCATE;
	x->loc.b = c->b;
	x->loc.trunk = x->trunk;
	x->loc.family = x->target.sif->cfg->address.family;
	x->loc.rt = x->rt;
	x->loc.done = xfer_located;
	x->loc.gone = xfer_gone;
	x->loc.released = xfer_released;
	b2b_locator_run(&x->loc);
}

/* The target answered: its answer taken, R re-INVITEd with our offer built from it. */
static void xfer_target_answered(struct b2b_transfer *x, const sip_t *sip)
{
	struct b2b_call *c = x->c;
	struct b2b_leg *t = &x->target, *r = xfer_remaining(x);
	struct sbc_sdp_error err;
	bool cn;

	t->answered = true;
	nua_set_hparams(t->nh, NUTAG_RETRY_COUNT(B2B_DIALOG_RETRIES), TAG_END());
	if (c->state == B2B_ENDED || t->ended) {
		t->ended = false;
		xfer_release_target(x);
		return;
	}
	if (!b2b_has_sdp(sip) ||
	    b2b_sdp_parse(c->b, &t->theirs, sip->sip_payload->pl_data, sip->sip_payload->pl_len,
			  &err) != 0 || t->theirs.n_media != c->n_media ||
	    b2b_srtp_take_answer(c, t, &t->theirs).status != 0) {
		xfer_fail(x, 488, "the target's answer");
		return;
	}
	t->have_theirs = true;
	x->r_theirs = r->theirs;
	x->r_ours = r->ours;
	x->r_origin = r->origin;
	x->r_codecs = r->codecs;
	x->r_pol = r->pol;
	memcpy(x->r_ours_body, r->ours_body, sizeof(x->r_ours_body));
	cn = r->pol.cn_allowed;
	if (b2b_media_policy(r, x->trunk).status != 0 ||
	    (r->pol.cn_allowed = cn, b2b_srtp_offer_to(c, r, t).status != 0) ||
	    sbc_sdp_build_offer(&t->theirs, &r->pol, r->out, c->n_media, &r->origin, r->ours_body,
				sizeof(r->ours_body), &r->ours, &err) < 0) {
		xfer_restore_r(x);
		xfer_fail(x, 488, "no offer for the remaining party");
		return;
	}
	x->phase = B2B_XF_REINVITE;
	SBC_LOG(INFO, B2B_LOG, "call %u: transfer: the target answered, re-INVITE to %s", c->no,
		b2b_leg_name(r));
	nua_invite(r->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
		   SIPTAG_PAYLOAD_STR(r->ours_body), TAG_END());
}

bool b2b_indialog_invite_response(struct b2b_leg *l, int status, const sip_t *sip)
{
	struct b2b_call *c = l->call;
	struct b2b_transfer *x = xfer_of(c);
	struct b2b_leg *slot;
	struct sbc_sdp_error err;

	if (x == NULL || x->phase != B2B_XF_REINVITE || l != xfer_remaining(x))
		return false;
	if (status < 200)
		return true;
	if (c->state == B2B_ENDED) {
		x->phase = B2B_XF_DONE;
		return true;
	}
	if (status >= 300 || !b2b_has_sdp(sip) ||
	    b2b_sdp_parse(c->b, &l->theirs, sip->sip_payload->pl_data, sip->sip_payload->pl_len,
			  &err) != 0 || b2b_srtp_take_answer(c, l, &l->theirs).status != 0) {
		xfer_restore_r(x);
		xfer_fail(x, status >= 300 ? status : 488, "the remaining party's answer");
		return true;
	}
	if (x->target.nh == NULL || x->target.ended) {
		xfer_restore_r(x);
		xfer_fail(x, 487, "the target hung up");
		return true;
	}
	/* Connected: the target takes the transferor's place; the media follows. */
	l->pol.cn_allowed = b2b_desc_has_cn(&l->theirs);
	slot = &c->leg[x->slot];
	c->indialog->xfer_leg = x->slot == 0 ? "a" : "b";
	c->indialog->xfer_trunk = x->old.trunk->name;
	snprintf(c->indialog->xfer_call_id, sizeof(c->indialog->xfer_call_id), "%s",
		 x->old.call_id);
	leg_move(slot, &x->target);
	memset(&x->target, 0, sizeof(x->target));
	x->phase = B2B_XF_DONE;
	c->b->n.transfers_done++;
	SBC_LOG(INFO, B2B_LOG, "call %u: transferred: %s is now trunk %s (Call-ID %s)", c->no,
		b2b_leg_name(slot), slot->trunk->name, slot->call_id);
	b2b_media_program(c, B2B_SETTLE_NONE);
	xfer_notify(x, 200);
	xfer_release_old(x);
	return true;
}

/* A request on a leg that is not (or no longer) in the call. */
static void xfer_leg_request(struct b2b_leg *l, nua_event_t event)
{
	switch (event) {
	case nua_i_invite:
	case nua_i_update:
		B2B_RESPOND_NOW(l, l->answered ? 491 : 488, TAG_END());
		return;
	case nua_i_info:
	case nua_i_refer:
		B2B_RESPOND_NOW(l, 481, TAG_END());
		return;
	case nua_i_options:
		B2B_RESPOND_NOW(l, 200, TAG_END());
		return;
	default:
		return;
	}
}

static void xfer_terminated(struct b2b_transfer *x, struct b2b_leg *l)
{
	struct b2b_call *c = x->c;

	nua_handle_destroy(l->nh);
	l->nh = NULL;
	l->ended = true;
	if (l == &x->target && x->phase == B2B_XF_CALLING)
		xfer_fail(x, 408, "the target's leg ended");
	b2b_call_maybe_free(c);    /* may free the call, and x with it */
}

bool b2b_indialog_event(nua_event_t event, int status, struct b2b_leg *l, const sip_t *sip,
			tagi_t tags[])
{
	struct b2b_call *c = l->call;
	struct b2b_transfer *x = xfer_of(c);
	int state = -1;

	if (l == &c->leg[0] || l == &c->leg[1] || x == NULL ||
	    (l != &x->target && l != &x->old))
		return false;
	switch (event) {
	case nua_i_state:
		tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
		if (state == nua_callstate_terminated)
			xfer_terminated(x, l);
		return true;
	case nua_r_invite:
		if (l != &x->target || x->phase != B2B_XF_CALLING || status < 200)
			return true;
		if (status < 300) {
			xfer_target_answered(x, sip);
		} else {
			x->target.ended = true;    /* a final failure: nothing to CANCEL */
			xfer_fail(x, status, "the target refused");
		}
		return true;
	case nua_i_bye:
		l->ended = true;           /* nua has answered it */
		if (l == &x->old)
			SBC_LOG(INFO, B2B_LOG, "call %u: the transferor hung up", c->no);
		return true;
	case nua_r_info:
		/* an INFO relayed to the transferor before its REFER */
		if (l == &x->old)
			info_answer(c, 1 - x->slot, status);
		return true;
	default:
		xfer_leg_request(l, event);
		return true;
	}
}

static void xfer_call_ended(struct b2b_transfer *x)
{
	if (x->phase == B2B_XF_DONE)
		return;
	x->phase = B2B_XF_DONE;
	xfer_release_target(x);
	xfer_notify(x, 487);
	xfer_release_old(x);
}

void b2b_indialog_cdr(const struct b2b_call *c, struct sbc_cdr_record *r)
{
	const struct b2b_indialog *d = c->indialog;

	if (d == NULL || d->xfer_leg == NULL)
		return;
	r->transfer_leg = d->xfer_leg;
	r->transfer_call_id = d->xfer_call_id;
	r->transfer_trunk = d->xfer_trunk;
}
