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
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b2bua_priv.h"
#include "sbc_log.h"

/* INFOs of one leg waiting for the other leg's answer; more get 500 + Retry-After. */
#define B2B_INFO_INFLIGHT_MAX 8

struct b2b_info_fifo {
	nua_saved_event_t req[B2B_INFO_INFLIGHT_MAX];
	uint32_t head;             /* the oldest */
	uint32_t n;
};

struct b2b_indialog {
	struct b2b_info_fifo info[2];  /* by the leg the INFOs came from: [0] A, [1] B */
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
	free(d);
	c->indialog = NULL;
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

void b2b_on_info_response(struct b2b_leg *to, int status)
{
	struct b2b_call *c = to->call;
	struct b2b_leg *from = b2b_other_leg(to);
	struct b2b_indialog *d = c->indialog;
	struct b2b_info_fifo *q = d != NULL ? &d->info[leg_index(from)] : NULL;
	nua_saved_event_t *req;
	int st = info_relay_status(status);

	if (status < 200 || q == NULL || q->n == 0)
		return;
	req = &q->req[q->head];
	q->head = (q->head + 1) % B2B_INFO_INFLIGHT_MAX;
	q->n--;
	SBC_LOG(INFO, B2B_LOG, "call %u: INFO answered %d by %s, %d relayed", c->no, status,
		b2b_leg_name(to), st);
	if (from->nh != NULL)
		nua_respond(from->nh, st, b2b_relay_phrase(st), NUTAG_WITH_SAVED(req), TAG_END());
	nua_destroy_event(req);
}

void b2b_indialog_call_ended(struct b2b_call *c)
{
	struct b2b_indialog *d = c->indialog;
	int l;

	if (d == NULL)
		return;
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
