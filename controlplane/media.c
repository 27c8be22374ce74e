/* SPDX-License-Identifier: BSD-3-Clause
 * Media anchoring and SDES glue (b2bua_priv.h).
 *
 * The data plane is asked without waiting (dplink.c): every request has a
 * continuation here.  A call costs three round trips when all goes well:
 * one ALLOC for every endpoint of both legs (two when a call has more than
 * SBC_API_ALLOC_MAX / 2 anchored m= lines), one BIND per anchored line
 * (UPDATE on re-offers), one RELEASE per line that also returns the final
 * counters for the CDR.
 *
 * Per m= line at most one request is in flight; SDP that changes while
 * one is (a 200 right after a 183) marks the line dirty and is programmed
 * when it completes, so the data plane always ends with the latest
 * exchange.  When no line is busy any more, what waited (enum b2b_settle)
 * runs: relay B's 18x or 200 to A, answer a re-offer.  A call is not freed
 * while requests are in flight; one that ended meanwhile releases what the
 * completions bring back.
 *
 * SRTP policy per trunk (REQUIREMENTS.md "SRTP"), per anchored audio line:
 *   off        plain RTP only: an RTP/SAVP offer from the trunk gets 488,
 *              our offers to it are RTP/AVP;
 *   optional   the trunk's offers may be either, or best-effort SRTP
 *              (RFC 8643: RTP/AVP with a=crypto, answered RTP/AVP with
 *              ours); our offers to it are RTP/SAVP when the other leg's
 *              line is SRTP, else RTP/AVP;
 *   mandatory  SRTP only: an RTP/AVP offer without a=crypto from the
 *              trunk gets 488 (best-effort SRTP is accepted), our offers
 *              to it are always RTP/SAVP.
 * a=crypto travels only on TLS legs: an RTP/SAVP offer over UDP or TCP is
 * refused (488) whatever the policy, and we never offer SRTP on such a leg.
 * Keys are never relayed between legs: every offer and answer we send
 * carries a fresh key of ours (RTP<->SRTP interworking follows); a
 * re-INVITE re-keys.
 *
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "b2bua_priv.h"
#include "sbc_log.h"

/* ---- policy ---- */

static struct b2b_reject reject_488(const char *warning)
{
	return b2b_reject(488, "rejected", warning);
}

struct b2b_reject b2b_media_policy(struct b2b_leg *l, const struct sbc_cfg_trunk *other)
{
	const struct sbc_cfg_trunk *mine = l->trunk;
	static char why[160];  /* copied by nua_respond()'s tags before the next call */

	if (sbc_codec_policy_intersect(mine->codecs, mine->n_codecs, mine->name, other->codecs,
				       other->n_codecs, other->name, &l->codecs, why,
				       sizeof(why)) != 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: %s: 488", l->call->no, why);
		return reject_488(why);
	}
	l->pol.codecs = l->codecs.codecs;
	l->pol.n_codecs = l->codecs.n_codecs;
	l->pol.any_codec = l->codecs.any;
	l->pol.cn_allowed = false;
	/* Keys are never relayed: each leg gets ours (b2b_srtp_offer_to(), _take_offer()). */
	l->pol.strip_crypto = true;
	return B2B_GO;
}

bool b2b_desc_has_cn(const struct sbc_sdp_desc *d)
{
	uint32_t i;

	for (i = 0; i < d->n_media; i++)
		if (sbc_sdp_media_has_codec(&d->media[i], SBC_CODEC_CN))
			return true;
	return false;
}

/*
 * The media address of a SIP interface's side: of the family of the SIP
 * interface's own address when its media interface has one (an IPv6 SIP
 * interface gets IPv6 media), else whichever the media interface has.
 */
const struct sbc_ip *b2b_media_addr(const struct b2b_sipif *sif)
{
	const struct sbc_cfg_media_if *m = sif->media;

	if (sif->adv_ip.family != 0)
		return &sif->adv_ip;       /* sip.interfaces[].advertise (NAT) */
	if (sif->cfg->address.family == 6 && m->ipv6.ip.family != 0)
		return &m->ipv6.ip;
	return m->ipv4.ip.family != 0 ? &m->ipv4.ip : &m->ipv6.ip;
}

/* ---- completions common to every request ---- */

/* A request of @c completed: the call may now be finished or freed. */
static void op_finished(struct b2b_call *c)
{
	c->dp_pending--;
	if (c->state == B2B_ENDED) {
		b2b_media_reap(c);
		b2b_call_settled(c);
	}
}

static int api_error(int status)
{
	return status > 0 ? -EIO : status;
}

/* ---- ALLOC ---- */

static void alloc_item(struct b2b_dpop *op, struct sbc_api_alloc_req *rq, int leg,
		       uint32_t line, const struct b2b_sipif *sif, bool mux)
{
	struct sbc_api_alloc_item *it = &rq->item[rq->count++];

	snprintf(it->iface, sizeof(it->iface), "%s", sif->media->name);
	it->family = b2b_media_addr(sif)->family == 6 ? SBC_API_AF_INET6 : SBC_API_AF_INET;
	it->rtcp_mux = mux;
	op->leg[op->n] = (uint8_t)leg;
	op->mline[op->n] = (uint8_t)line;
	op->n++;
}

static void alloc_done(void *arg, int status, const void *resp, size_t len)
{
	struct b2b_dpop *op = arg;
	struct b2b_call *c = op->call;
	const struct sbc_api_alloc_resp *rs = resp;
	uint32_t k;

	(void)len;
	c->alloc_busy--;
	if (status == SBC_API_OK && rs->count == op->n) {
		for (k = 0; k < op->n; k++) {
			struct b2b_leg *l = &c->leg[op->leg[k]];
			struct sbc_sdp_media_out *o = &l->out[op->mline[k]];

			l->ep[op->mline[k]] = rs->ep[k].endpoint_id;
			c->line[op->mline[k]].anchored = true;
			o->local = rs->ep[k].local;
			o->local_rtcp_port = rs->ep[k].local_rtcp_port;
			if (l->sif->adv_ip.family != 0)   /* the SDP says the public address */
				memcpy(o->local.ip, l->sif->adv_ip.bytes, sizeof(o->local.ip));
		}
	} else if (c->alloc_err == 0) {
		c->alloc_err = status == SBC_API_OK ? -EPROTO : api_error(status);
		c->b->n.dp_failures++;
		SBC_LOG(WARN, B2B_LOG, "call %u: data plane ALLOC failed: %d (%s)", c->no, status,
			status > 0 ? sbc_api_status_str(status) : strerror(-status));
	}
	if (c->alloc_busy == 0 && c->state != B2B_ENDED)
		b2b_invite_media_ready(c, c->alloc_err);
	op_finished(c);
}

static int alloc_send_fn(struct b2b_call *c, struct b2b_dpop *op, struct sbc_api_alloc_req *rq,
			 sbc_dpclient_done_fn done)
{
	int rc = b2b_dp_send(c->b, c, rq, done, op);

	if (rc == 0) {
		c->alloc_busy++;
		c->dp_pending++;
	}
	return rc;
}

static void readopt_done(void *arg, int status, const void *resp, size_t len);
static void line_program(struct b2b_call *c, uint32_t i);

static int alloc_send(struct b2b_call *c, struct b2b_dpop *op, struct sbc_api_alloc_req *rq)
{
	return alloc_send_fn(c, op, rq, alloc_done);
}

static int readopt_send(struct b2b_call *c, struct b2b_dpop *op, struct sbc_api_alloc_req *rq)
{
	return alloc_send_fn(c, op, rq, readopt_done);
}

/*
 * An ALLOC could not be sent (@rc): with none in flight the caller refuses
 * the call now; with some in flight the call fails when they complete.
 */
static int alloc_unsent(struct b2b_call *c, int rc)
{
	if (c->alloc_busy == 0)
		return rc;
	if (c->alloc_err == 0)
		c->alloc_err = rc;
	return 0;
}

/* Which lines are anchored: the ones both legs' policies want (one for a late offer). */
static bool line_wanted(const struct b2b_call *c, uint32_t i)
{
	const struct sbc_sdp_media *m;

	if (c->late_offer)
		return i == 0;
	m = &c->leg[0].theirs.media[i];
	return sbc_sdp_media_wanted(m, &c->leg[1].pol) && sbc_sdp_media_wanted(m, &c->leg[0].pol);
}

/*
 * Toward B we offer separate RTCP (rtcp-mux is optional to support);
 * toward A, rtcp-mux when its offer asked for it.  A late offer anchors
 * the one audio line of sbc_sdp_build_template().
 */
int b2b_media_alloc(struct b2b_call *c)
{
	struct sbc_api_alloc_req rq;
	struct b2b_dpop *op = NULL;
	uint32_t i, n_ops = 0;
	int l, rc;

	c->n_media = c->late_offer ? 1 : c->leg[0].theirs.n_media;
	c->alloc_err = 0;
	for (i = 0; i < c->n_media; i++) {
		if (!line_wanted(c, i))
			continue;
		for (l = 0; l < 2; l++) {
			struct b2b_leg *leg = &c->leg[l];
			bool mux = l == 0 && !c->late_offer && leg->theirs.media[i].rtcp_mux;

			if (op == NULL || op->n == SBC_API_ALLOC_MAX) {
				if (op != NULL && (rc = alloc_send(c, op, &rq)) != 0)
					return alloc_unsent(c, rc);
				op = &c->alloc_op[n_ops++];
				memset(op, 0, sizeof(*op));
				op->call = c;
				op->kind = B2B_DPOP_ALLOC;
				sbc_api_init(&rq, SBC_API_ALLOC_REQ, 0);
			}
			leg->out[i].rtcp_mux = mux;
			leg->out[i].proto = SBC_SDP_PROTO_RTP_AVP;
			alloc_item(op, &rq, l, i, leg->sif, mux);
		}
	}
	if (op == NULL) {
		/* No line we can anchor (RTP/SAVPF, video only, ...): nothing is sent on. */
		b2b_invite_media_ready(c, -ENOMEDIUM);
		return 0;
	}
	rc = alloc_send(c, op, &rq);
	return rc != 0 ? alloc_unsent(c, rc) : 0;
}

/* ---- a new data plane: the call's lines again, on the same ports ---- */

static void readopt_done(void *arg, int status, const void *resp, size_t len)
{
	struct b2b_dpop *op = arg;
	struct b2b_call *c = op->call;
	const struct sbc_api_alloc_resp *rs = resp;
	uint32_t k, i;

	(void)len;
	c->alloc_busy--;
	if (status == SBC_API_OK && rs->count == op->n) {
		for (k = 0; k < op->n; k++)
			c->leg[op->leg[k]].ep[op->mline[k]] = rs->ep[k].endpoint_id;
	} else if (c->alloc_err == 0) {
		c->alloc_err = status == SBC_API_OK ? -EPROTO : api_error(status);
		SBC_LOG(WARN, B2B_LOG, "call %u: its ports again on the new data plane: %d",
			c->no, status);
	}
	if (c->alloc_busy == 0 && c->state != B2B_ENDED) {
		if (c->alloc_err != 0) {
			b2b_call_readopt_failed(c);
		} else {
			/* Same ports, same SDP on both sides: BIND, no re-INVITE needed. */
			c->settle = B2B_SETTLE_NONE;
			for (i = 0; i < c->n_media; i++)
				line_program(c, i);
			c->orphaned = false;
			c->b->n.calls_readopted++;
			SBC_LOG(NOTICE, B2B_LOG, "call %u: media programmed again on the new data "
				"plane (same ports)", c->no);
		}
	}
	op_finished(c);
}

int b2b_media_readopt(struct b2b_call *c)
{
	struct sbc_api_alloc_req rq;
	struct b2b_dpop *op = NULL;
	uint32_t i, n_ops = 0;
	int l, rc;

	c->alloc_err = 0;
	for (i = 0; i < c->n_media; i++) {
		if (!c->line[i].anchored)
			continue;
		for (l = 0; l < 2; l++) {
			struct b2b_leg *leg = &c->leg[l];
			struct sbc_api_alloc_item *it;

			if (op == NULL || op->n == SBC_API_ALLOC_MAX) {
				if (op != NULL && (rc = readopt_send(c, op, &rq)) != 0)
					return alloc_unsent(c, rc);
				op = &c->alloc_op[n_ops++];
				memset(op, 0, sizeof(*op));
				op->call = c;
				op->kind = B2B_DPOP_ALLOC;
				sbc_api_init(&rq, SBC_API_ALLOC_REQ, 0);
			}
			alloc_item(op, &rq, l, i, leg->sif, leg->out[i].rtcp_mux);
			it = &rq.item[rq.count - 1];
			it->port = leg->out[i].local.port;   /* the one both peers send to */
		}
	}
	if (op == NULL)
		return -ENOENT;
	rc = readopt_send(c, op, &rq);
	return rc != 0 ? alloc_unsent(c, rc) : 0;
}

/* ---- BIND / UPDATE per line ---- */

/* Both exchanges complete: the pending keys become the session's. */
static void srtp_commit(struct b2b_call *c)
{
	uint32_t i;
	int l;

	for (l = 0; l < 2; l++)
		for (i = 0; i < c->n_media; i++) {
			struct b2b_srtp *s = &c->leg[l].srtp[i];

			s->in = s->in_pend;
			s->out = s->out_pend;
		}
}

/*
 * Which sources may latch on this leg (learn/relearn): by default only its
 * SDP address, so that a third party who sends to an anchored port first
 * cannot take the call's media (the data plane compares the prefix).
 * al->remote is filled by the caller; learn_from stays NONE to mean it.
 */
static void learn_scope(const struct b2b_leg *l, struct sbc_api_leg *al)
{
	const struct sbc_ip *sp = &l->sig_peer;

	memset(&al->learn_from, 0, sizeof(al->learn_from));
	switch (l->trunk->learn_from) {
	case SBC_LEARN_ANY:
		al->learn_prefix = 0;
		return;
	case SBC_LEARN_SUBNET:
		al->learn_prefix = al->remote.family == SBC_API_AF_INET6 ? 64 : 24;
		return;
	case SBC_LEARN_SIGNALLING:
		al->learn_prefix = sp->family == 6 ? 128 : 32;
		/* Unknown peer (family 0): a scope of another family, so nothing latches. */
		al->learn_from.family = sp->family == 6 ? SBC_API_AF_INET6 : SBC_API_AF_INET;
		if (sp->family != 0)
			memcpy(al->learn_from.ip, sp->bytes, sp->family == 6 ? 16 : 4);
		return;
	case SBC_LEARN_ADDRESS:
	default:
		al->learn_prefix = al->remote.family == SBC_API_AF_INET6 ? 128 : 32;
		return;
	}
}

static void leg_fill_api(const struct b2b_leg *l, uint32_t i, struct sbc_api_leg *al)
{
	al->endpoint_id = l->ep[i];
	al->latching = (uint8_t)l->trunk->latching;
	al->relearn_gap_ms = l->trunk->relearn_gap_ms;
	learn_scope(l, al);
	sbc_sdes_to_api(&l->srtp[i].in, &al->srtp_in);
	sbc_sdes_to_api(&l->srtp[i].out, &al->srtp_out);
}

static bool lines_busy(const struct b2b_call *c)
{
	uint32_t i;

	for (i = 0; i < c->n_media; i++)
		if (c->line[i].busy)
			return true;
	return false;
}

/* Nothing in flight on the lines: run what waited for them. */
static void settle_check(struct b2b_call *c)
{
	enum b2b_settle what = c->settle;
	int err = c->media_err;

	if (lines_busy(c) || c->state == B2B_ENDED)
		return;
	if (what == B2B_SETTLE_NONE && err == 0)
		return;
	c->settle = B2B_SETTLE_NONE;
	c->media_err = 0;
	if (what == B2B_SETTLE_REOFFER)
		b2b_reoffer_media_done(c, err);
	else
		b2b_call_media_settled(c, what, err);
}

static void line_program(struct b2b_call *c, uint32_t i);

static void line_done(void *arg, int status, const void *resp, size_t len)
{
	struct b2b_dpop *op = arg;
	struct b2b_call *c = op->call;
	struct b2b_line *ln = &c->line[op->line];

	(void)len;
	ln->busy = false;
	if (status == SBC_API_OK && op->kind == B2B_DPOP_BIND)
		ln->session = ((const struct sbc_api_bind_resp *)resp)->session_id;
	if (status != SBC_API_OK) {
		c->b->n.dp_failures++;
		SBC_LOG(ERR, B2B_LOG, "call %u: %s of m= line %u: %d", c->no,
			op->kind == B2B_DPOP_BIND ? "BIND" : "UPDATE", op->line, status);
		if (c->media_err == 0)
			c->media_err = api_error(status);
	}
	if (c->state != B2B_ENDED && ln->dirty) {
		ln->dirty = false;
		line_program(c, op->line);
	}
	settle_check(c);
	op_finished(c);
}

static void line_send(struct b2b_call *c, uint32_t i, uint8_t kind, void *rq,
		      sbc_dpclient_done_fn done)
{
	struct b2b_line *ln = &c->line[i];
	int rc;

	ln->op.call = c;
	ln->op.kind = kind;
	ln->op.line = (uint8_t)i;
	rc = b2b_dp_send(c->b, c, rq, done, &ln->op);
	if (rc != 0) {
		SBC_LOG(ERR, B2B_LOG, "call %u: data plane request for m= line %u not sent: %s",
			c->no, i, strerror(-rc));
		if (c->media_err == 0)
			c->media_err = rc;
		return;
	}
	ln->busy = true;
	c->dp_pending++;
}

/* BIND (first time) or UPDATE line @i from the current SDP of both legs. */
static void line_program(struct b2b_call *c, uint32_t i)
{
	struct b2b_leg *a = &c->leg[0], *bl = &c->leg[1];
	struct b2b_line *ln = &c->line[i];
	union {
		struct sbc_api_bind_req bind;
		struct sbc_api_update_req update;
	} rq;
	struct sbc_api_leg la, lb;
	int rc;

	if (a->ep[i] == 0 || bl->ep[i] == 0)
		return;
	if (ln->busy) {
		ln->dirty = true;
		return;
	}
	memset(&la, 0, sizeof(la));
	memset(&lb, 0, sizeof(lb));
	rc = sbc_sdp_plan_media(&a->theirs, &a->ours, &bl->theirs, &bl->ours, i, &la, &lb);
	if (rc < 0) {
		if (c->media_err == 0)
			c->media_err = rc;
	} else if (ln->session == 0 && rc == 0) {
		/* rejected on one side: the endpoints go at the call's end */
	} else if (ln->session == 0) {
		leg_fill_api(a, i, &la);
		leg_fill_api(bl, i, &lb);
		sbc_api_init(&rq.bind, SBC_API_BIND_REQ, 0);
		rq.bind.leg[0] = la;
		rq.bind.leg[1] = lb;
		rq.bind.media_timeout_ms = c->b->cfg->dataplane.media_timeout_ms;
		line_send(c, i, B2B_DPOP_BIND, &rq.bind, line_done);
	} else {
		leg_fill_api(a, i, &la);
		leg_fill_api(bl, i, &lb);
		sbc_api_init(&rq.update, SBC_API_UPDATE_REQ, 0);
		rq.update.session_id = ln->session;
		rq.update.what = SBC_API_UPDATE_LEG_A | SBC_API_UPDATE_LEG_B;
		rq.update.leg[0] = la;
		rq.update.leg[1] = lb;
		line_send(c, i, B2B_DPOP_UPDATE, &rq.update, line_done);
	}
	/* The API legs carried SRTP keys. */
	sbc_sdes_wipe(&la, sizeof(la));
	sbc_sdes_wipe(&lb, sizeof(lb));
	sbc_sdes_wipe(&rq, sizeof(rq));
}

void b2b_media_program(struct b2b_call *c, enum b2b_settle then)
{
	uint32_t i;

	srtp_commit(c);
	c->settle = then;
	for (i = 0; i < c->n_media; i++)
		line_program(c, i);
	settle_check(c);
}

/* ---- RELEASE ---- */

static void release_done(void *arg, int status, const void *resp, size_t len)
{
	struct b2b_dpop *op = arg;
	struct b2b_call *c = op->call;
	const struct sbc_api_stats_resp *st = resp;
	int l;

	(void)len;
	c->line[op->line].busy = false;
	if (status == SBC_API_OK) {
		for (l = 0; l < 2; l++) {
			c->stats[l].packets += st->leg[l].packets;
			c->stats[l].bytes += st->leg[l].bytes;
			c->stats[l].lost += st->leg[l].lost;
			if (st->leg[l].jitter_us > c->stats[l].jitter_us)
				c->stats[l].jitter_us = st->leg[l].jitter_us;
		}
	} else {
		c->b->n.dp_failures++;
		SBC_LOG(WARN, B2B_LOG, "call %u: RELEASE of m= line %u: %d", c->no, op->line, status);
	}
	op_finished(c);
}

/* A lone endpoint (never bound): nothing to read back, nothing waits for it. */
static void release_ep_done(void *arg, int status, const void *resp, size_t len)
{
	struct sbc_b2bua *b = arg;

	(void)resp;
	(void)len;
	if (status != SBC_API_OK) {
		b->n.dp_failures++;
		SBC_LOG(WARN, B2B_LOG, "RELEASE of an endpoint: %d", status);
	}
}

static void release_endpoint(struct sbc_b2bua *b, struct b2b_call *c, uint32_t ep)
{
	struct sbc_api_release_req rq;

	sbc_api_init(&rq, SBC_API_RELEASE_REQ, 0);
	rq.endpoint_id = ep;
	if (b2b_dp_send(b, c, &rq, release_ep_done, b) != 0)
		SBC_LOG(WARN, B2B_LOG, "RELEASE of endpoint %u not sent", ep);
}

void b2b_media_reap(struct b2b_call *c)
{
	struct sbc_api_release_req rq;
	uint32_t i;
	int l;

	if (c->alloc_busy)
		return;                    /* its completion brings the endpoints back */
	for (i = 0; i < SBC_SDP_MEDIA_MAX; i++) {
		struct b2b_line *ln = &c->line[i];

		if (ln->busy)
			continue;
		if (ln->session != 0) {
			/* The session owns both its endpoints; its counters come back. */
			sbc_api_init(&rq, SBC_API_RELEASE_REQ, 0);
			rq.session_id = ln->session;
			rq.flags = SBC_API_RELEASE_STATS;
			ln->session = 0;
			c->leg[0].ep[i] = 0;
			c->leg[1].ep[i] = 0;
			line_send(c, i, B2B_DPOP_RELEASE, &rq, release_done);
			continue;
		}
		for (l = 0; l < 2; l++) {
			if (c->leg[l].ep[i] != 0)
				release_endpoint(c->b, c, c->leg[l].ep[i]);
			c->leg[l].ep[i] = 0;
		}
	}
}

void b2b_media_late_answer(struct sbc_b2bua *b, const void *resp, size_t len)
{
	struct sbc_api_hdr h;
	uint32_t k;

	if (len < sizeof(h))
		return;
	memcpy(&h, resp, sizeof(h));
	if (h.status != SBC_API_OK)
		return;
	if (h.type == SBC_API_ALLOC_RESP) {
		const struct sbc_api_alloc_resp *rs = resp;

		for (k = 0; k < rs->count && k < SBC_API_ALLOC_MAX; k++)
			release_endpoint(b, NULL, rs->ep[k].endpoint_id);
		b->n.dp_late_released++;
	} else if (h.type == SBC_API_BIND_RESP) {
		struct sbc_api_release_req rq;

		sbc_api_init(&rq, SBC_API_RELEASE_REQ, 0);
		rq.session_id = ((const struct sbc_api_bind_resp *)resp)->session_id;
		if (b2b_dp_send(b, NULL, &rq, release_ep_done, b) == 0)
			b->n.dp_late_released++;
	}
}

/* ---- SRTP (SDES) ---- */

static bool srtp_line(const struct b2b_leg *l, uint32_t i, const struct sbc_sdp_media *m)
{
	return l->ep[i] != 0 && m->type == SBC_SDP_MEDIA_AUDIO;
}

static void srtp_clear_pend(struct b2b_leg *l, uint32_t i)
{
	sbc_sdes_wipe(&l->srtp[i].in_pend, sizeof(l->srtp[i].in_pend));
	sbc_sdes_wipe(&l->srtp[i].out_pend, sizeof(l->srtp[i].out_pend));
	sbc_sdes_wipe(l->srtp[i].value, sizeof(l->srtp[i].value));
	l->out[i].crypto = NULL;
	l->out[i].n_crypto = 0;
}

/* Our key for leg @l's line @i, with @tag and @suite, put on its SDP. */
static int srtp_new_out(struct b2b_leg *l, uint32_t i, uint32_t tag, unsigned int suite)
{
	struct b2b_srtp *s = &l->srtp[i];

	if (sbc_sdes_generate(&s->out_pend, tag, suite) != 0 ||
	    sbc_sdes_format(&s->out_pend, s->value, sizeof(s->value)) < 0)
		return -EIO;
	s->valuep = s->value;
	l->out[i].crypto = &s->valuep;
	l->out[i].n_crypto = 1;
	return 0;
}

/* Leg @l's offered line @i: its key taken, ours made for the answer. */
static struct b2b_reject srtp_take_line(struct b2b_call *c, struct b2b_leg *l, uint32_t i,
					const struct sbc_sdp_desc *d)
{
	const struct sbc_sdp_media *m = &d->media[i];
	struct b2b_srtp *s = &l->srtp[i];

	if (m->proto != SBC_SDP_PROTO_RTP_SAVP) {
		/*
		 * Best-effort SRTP (RFC 8643): RTP/AVP with a=crypto.  Over TLS on
		 * a trunk that allows SRTP, its keys are taken and our answer (still
		 * RTP/AVP) carries ours; else the a=crypto lines are ignored, as an
		 * answerer that does no SRTP would.
		 */
		if (m->n_crypto > 0 && l->tls && l->trunk->srtp != SBC_SRTP_OFF &&
		    sbc_sdes_select(d, m, &s->in_pend) == 0) {
			SBC_LOG(INFO, B2B_LOG, "call %u: best-effort SRTP (RTP/AVP with a=crypto) "
				"from %s on line %u: accepted", c->no, b2b_leg_name(l), i);
			if (srtp_new_out(l, i, s->in_pend.tag, s->in_pend.suite) != 0)
				return b2b_reject(500, "failed", NULL);
			return B2B_GO;
		}
		if (l->trunk->srtp != SBC_SRTP_MANDATORY)
			return B2B_GO;
		SBC_LOG(NOTICE, B2B_LOG, "call %u: %s offered RTP on line %u, trunk %s requires "
			"SRTP: 488", c->no, b2b_leg_name(l), i, l->trunk->name);
		return reject_488(m->n_crypto > 0 && !l->tls ?
				  "SRTP required on this trunk; SRTP keys only over TLS" :
				  "SRTP required on this trunk");
	}
	if (!l->tls || l->trunk->srtp == SBC_SRTP_OFF) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: SRTP offered by %s on line %u refused (%s): 488",
			c->no, b2b_leg_name(l), i,
			!l->tls ? "keys over a plain transport" : "trunk policy off");
		return reject_488(!l->tls ? "SRTP keys only over TLS" : "SRTP not allowed on this trunk");
	}
	if (sbc_sdes_select(d, m, &s->in_pend) != 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: no usable a=crypto from %s on line %u: 488",
			c->no, b2b_leg_name(l), i);
		return reject_488("no usable a=crypto");
	}
	if (srtp_new_out(l, i, s->in_pend.tag, s->in_pend.suite) != 0)
		return b2b_reject(500, "failed", NULL);
	return B2B_GO;
}

struct b2b_reject b2b_srtp_take_offer(struct b2b_call *c, struct b2b_leg *l,
				      const struct sbc_sdp_desc *d)
{
	struct b2b_reject rj;
	uint32_t i;

	for (i = 0; i < c->n_media && i < d->n_media; i++) {
		srtp_clear_pend(l, i);
		if (!srtp_line(l, i, &d->media[i]) || d->media[i].rejected)
			continue;
		rj = srtp_take_line(c, l, i, d);
		if (rj.status != 0)
			return rj;
	}
	return B2B_GO;
}

/* Whether our offer to @to on line @i is RTP/SAVP (per its trunk's policy). */
static bool srtp_wanted(const struct b2b_leg *to, const struct b2b_leg *from, uint32_t i)
{
	switch (to->trunk->srtp) {
	case SBC_SRTP_MANDATORY:
		return true;
	case SBC_SRTP_OPTIONAL:
		return from != NULL && from->srtp[i].in_pend.suite != SBC_API_SRTP_NONE;
	default:
		return false;
	}
}

/*
 * @from is the leg whose SDP the offer is built from (NULL for our
 * late-offer template).
 */
struct b2b_reject b2b_srtp_offer_to(struct b2b_call *c, struct b2b_leg *to,
				    const struct b2b_leg *from)
{
	uint32_t i;

	for (i = 0; i < c->n_media; i++) {
		srtp_clear_pend(to, i);
		to->out[i].proto = SBC_SDP_PROTO_RTP_AVP;
		if (to->ep[i] == 0 || !srtp_wanted(to, from, i))
			continue;
		if (!to->tls) {
			SBC_LOG(WARN, B2B_LOG, "call %u: trunk %s requires SRTP but %s is not TLS",
				c->no, to->trunk->name, b2b_leg_name(to));
			return reject_488("SRTP required but the leg is not TLS");
		}
		to->out[i].proto = SBC_SDP_PROTO_RTP_SAVP;
		if (srtp_new_out(to, i, 1, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80) != 0)
			return b2b_reject(500, "failed", NULL);
	}
	return B2B_GO;
}

/* Leg @l answered our offer: its key for every line we offered SRTP on. */
struct b2b_reject b2b_srtp_take_answer(struct b2b_call *c, struct b2b_leg *l,
				       const struct sbc_sdp_desc *d)
{
	uint32_t i;

	for (i = 0; i < c->n_media && i < d->n_media; i++) {
		const struct sbc_sdp_media *m = &d->media[i];
		struct b2b_srtp *s = &l->srtp[i];
		bool offered = l->out[i].proto == SBC_SDP_PROTO_RTP_SAVP &&
			       s->out_pend.suite != SBC_API_SRTP_NONE;

		sbc_sdes_wipe(&s->in_pend, sizeof(s->in_pend));
		if (m->rejected || m->port == 0 || m->type != SBC_SDP_MEDIA_AUDIO) {
			sbc_sdes_wipe(&s->out_pend, sizeof(s->out_pend));
			continue;
		}
		if (!offered) {
			if (m->proto != SBC_SDP_PROTO_RTP_SAVP)
				continue;
			SBC_LOG(NOTICE, B2B_LOG, "call %u: %s answered RTP/SAVP to RTP/AVP on line "
				"%u: 488", c->no, b2b_leg_name(l), i);
			return reject_488("RTP/SAVP answer to an RTP/AVP offer");
		}
		if (m->proto != SBC_SDP_PROTO_RTP_SAVP ||
		    sbc_sdes_find_answer(d, m, s->out_pend.tag, s->out_pend.suite,
					 &s->in_pend) != 0) {
			SBC_LOG(NOTICE, B2B_LOG, "call %u: %s's answer on line %u has no matching "
				"a=crypto: 488", c->no, b2b_leg_name(l), i);
			return reject_488("answer without a matching a=crypto");
		}
	}
	return B2B_GO;
}

bool b2b_leg_is_srtp(const struct b2b_leg *l)
{
	uint32_t i;

	for (i = 0; i < SBC_SDP_MEDIA_MAX; i++)
		if (l->srtp[i].in.suite != SBC_API_SRTP_NONE)
			return true;
	return false;
}

/* ---- SDP from the peers ---- */

/* One of our addresses: a media interface's, a SIP interface's or its advertised one. */
static bool addr_is_ours(const struct sbc_b2bua *b, const struct sbc_ip *ip)
{
	const struct sbc_config *cfg = b->cfg;
	uint32_t i;

	for (i = 0; i < cfg->dataplane.n_interfaces; i++) {
		const struct sbc_cfg_media_if *m = &cfg->dataplane.interfaces[i];

		if (sbc_ip_equal(&m->ipv4.ip, ip) || sbc_ip_equal(&m->ipv6.ip, ip))
			return true;
	}
	/* sipif.c parsed the advertised addresses once, at start */
	for (i = 0; i < b->n_sif; i++)
		if (sbc_ip_equal(&b->sif[i].cfg->address, ip) || sbc_ip_equal(&b->sif[i].adv_ip, ip))
			return true;
	return false;
}

int b2b_sdp_parse(const struct sbc_b2bua *b, struct sbc_sdp_desc *d, const char *body,
		  size_t len, struct sbc_sdp_error *err)
{
	int rc = sbc_sdp_parse(d, body, len, err);
	uint32_t i;

	if (rc != 0)
		return rc;
	/*
	 * A peer naming our own address as its media would make the data
	 * plane send the call's media to itself (a loop, or a reflection
	 * toward whoever set it up).
	 */
	for (i = 0; i < d->n_media; i++) {
		if (d->media[i].rejected || d->media[i].hold_addr ||
		    !addr_is_ours(b, &d->media[i].addr))
			continue;
		sbc_sdp_desc_wipe(d);
		memset(d, 0, sizeof(*d));
		if (err != NULL) {
			err->code = SBC_SDP_E_OWN_ADDRESS;
			err->line = 0;
		}
		return -ENOTSUP;
	}
	return 0;
}

/* ---- answers from B ---- */

/* What a builder returned (@n, @err) for an SDP to @l: a reject, or ours is set. */
struct b2b_reject b2b_media_built(struct b2b_leg *l, int n, const struct sbc_sdp_error *err,
				  const char *what, const char *disposition)
{
	if (n < 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: %s to %s not built: %s", l->call->no, what,
			b2b_leg_name(l), sbc_sdp_error_str(err->code));
		return b2b_reject(sbc_sdp_error_sip_status(err->code), disposition,
				  sbc_sdp_error_str(err->code));
	}
	l->have_ours = true;
	return B2B_GO;
}

static struct b2b_reject parse_b_sdp(struct b2b_call *c, const sip_payload_t *pl)
{
	struct sbc_sdp_error err;

	if (b2b_sdp_parse(c->b, &c->leg[1].theirs, pl->pl_data, pl->pl_len, &err) != 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: SDP from b refused: %s (line %u)", c->no,
			sbc_sdp_error_str(err.code), err.line);
		return reject_488("SDP from the callee refused");
	}
	c->leg[1].have_theirs = true;
	return B2B_GO;
}

struct b2b_reject b2b_media_take_answer(struct b2b_call *c, const sip_payload_t *pl)
{
	struct b2b_leg *a = &c->leg[0], *bl = &c->leg[1];
	struct sbc_sdp_error err;
	struct b2b_reject rj = parse_b_sdp(c, pl);
	int n;

	if (rj.status == 0)
		rj = b2b_srtp_take_answer(c, bl, &bl->theirs);
	if (rj.status != 0)
		return rj;
	n = sbc_sdp_build_answer(&a->theirs, &bl->ours, &bl->theirs, &a->pol, a->out,
				 c->n_media, &a->origin, a->ours_body, sizeof(a->ours_body),
				 &a->ours, &err);
	return b2b_media_built(a, n, &err, "answer", "failed");
}

/* Late offer: our offer to A in the 200, from B's SDP (its offer or its answer). */
static struct b2b_reject offer_to_a_from_b(struct b2b_call *c)
{
	struct b2b_leg *a = &c->leg[0], *bl = &c->leg[1];
	struct sbc_sdp_error err;
	struct b2b_reject rj = b2b_srtp_offer_to(c, a, bl);
	int n;

	if (rj.status != 0)
		return rj;
	n = sbc_sdp_build_offer(&bl->theirs, &a->pol, a->out, c->n_media, &a->origin,
				a->ours_body, sizeof(a->ours_body), &a->ours, &err);
	return b2b_media_built(a, n, &err, "offer", "failed");
}

struct b2b_reject b2b_media_take_b_offer(struct b2b_call *c, const sip_payload_t *pl)
{
	struct b2b_leg *bl = &c->leg[1];
	struct b2b_reject rj = parse_b_sdp(c, pl);

	if (rj.status == 0)
		rj = b2b_srtp_take_offer(c, bl, &bl->theirs);
	return rj.status == 0 ? offer_to_a_from_b(c) : rj;
}

struct b2b_reject b2b_media_answer_b(struct b2b_call *c)
{
	struct b2b_leg *a = &c->leg[0], *bl = &c->leg[1];
	struct sbc_sdp_error err;
	int n;

	n = sbc_sdp_build_answer(&bl->theirs, &a->ours, &a->theirs, &bl->pol, bl->out,
				 c->n_media, &bl->origin, bl->ours_body, sizeof(bl->ours_body),
				 &bl->ours, &err);
	return b2b_media_built(bl, n, &err, "answer", "failed");
}

/*
 * sbc_sdp_build_offer() takes an answer as well as an offer; the data
 * plane waits for A's answer in the ACK.
 */
struct b2b_reject b2b_media_take_late_answer(struct b2b_call *c, const sip_payload_t *pl)
{
	struct b2b_leg *bl = &c->leg[1];
	struct b2b_reject rj = parse_b_sdp(c, pl);

	if (rj.status == 0 && bl->theirs.n_media != c->n_media) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: answer from b does not match our offer", c->no);
		rj = reject_488("answer does not match the offer");
	}
	if (rj.status == 0)
		rj = b2b_srtp_take_answer(c, bl, &bl->theirs);
	return rj.status == 0 ? offer_to_a_from_b(c) : rj;
}
