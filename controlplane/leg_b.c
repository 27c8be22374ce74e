/* SPDX-License-Identifier: BSD-3-Clause
 * What leg B is told (b2bua_priv.h): the caller's identity and the called
 * number per the UK profile (identity.h), Privacy, emergency Geolocation,
 * A's multipart body with our SDP in place of A's, P-Early-Media, and B's
 * INVITE itself.  Topology hiding: only user parts and display names
 * cross; every host is ours or the target's, and nua makes B's Call-ID,
 * tags, Via and Contact.
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "b2bua_priv.h"
#include "multipart.h"
#include "routing.h"
#include "sip_tls.h"
#include "sbc_log.h"

/*
 * The Privacy header's values (Sofia parses it: RFC 3323 is in its core
 * header set) as "id; user" in @buf; NULL when there is none.  Values
 * that do not fit make the whole header read as "id; user; header": when
 * in doubt, withhold.
 */
static const char *privacy_value(const sip_t *sip, char *buf, size_t size)
{
	const sip_privacy_t *pv = sip->sip_privacy;
	size_t used = 0;
	int i, n;

	if (pv == NULL || pv->priv_values == NULL || pv->priv_values[0] == NULL)
		return NULL;
	buf[0] = '\0';
	for (i = 0; pv->priv_values[i] != NULL; i++) {
		n = snprintf(buf + used, size - used, "%s%s", i ? "; " : "", pv->priv_values[i]);
		if (n < 0 || (size_t)n >= size - used ||
		    strcspn(pv->priv_values[i], "\r\n") != strlen(pv->priv_values[i])) {
			snprintf(buf, size, "id; user; header");
			break;
		}
		used += (size_t)n;
	}
	return buf;
}

/*
 * From a tenant's PBX: the PAI if it names one of the tenant's Network
 * Numbers, else the tenant's default_pai (into @e164); From screened
 * unless the trunk has a special arrangement; UK dial strings in the
 * Request-URI as +44 E.164 or phone-context=+44 (user=phone).
 */
static void tenant_identity(struct b2b_call *c, const sip_t *sip,
			    const struct sbc_cfg_tenant *tenant, struct b2b_ident *id,
			    char *e164, size_t e164_size)
{
	const struct sbc_cfg_trunk *ta = c->leg[0].trunk;
	const char *ruser = sip->sip_request->rq_url->url_user;
	char num[SBC_ID_NUMBER_MAX], from_uri[B2B_URI_MAX];
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char *fs;
	int cls;

	if (sbc_identity_select_pai(tenant, b2b_hdr_value(sip, "P-Asserted-Identity"), e164,
				    e164_size) < 0) {
		e164[0] = '\0';
		SBC_LOG(NOTICE, B2B_LOG, "call %u: no valid PAI and no default_pai for tenant %s",
			c->no, tenant->name);
	}
	fs = sip->sip_from ? sip_header_as_string(home, (const sip_header_t *)sip->sip_from) : NULL;
	snprintf(from_uri, sizeof(from_uri), "%s", fs ? fs : "");
	su_home_deinit(home);
	if (e164[0] != '\0' && !c->emergency &&
	    sbc_identity_screen_from(ta, tenant, from_uri) == SBC_ID_FROM_REPLACE)
		snprintf(id->fuser, sizeof(id->fuser), "%s", e164);
	cls = ruser != NULL ? sbc_identity_uk_classify(ruser, NULL, num, sizeof(num)) : -1;
	if (cls == SBC_ID_E164) {
		snprintf(id->ruser, sizeof(id->ruser), "%s", num);
		id->user_phone = true;
	} else if (cls == SBC_ID_UK_SPECIFIC) {
		snprintf(id->ruser, sizeof(id->ruser), "%s;phone-context=+44", num);
		id->user_phone = true;
	}
}

/* Emergency calls: Geolocation and Geolocation-Routing passed as received. */
static void emergency_geo(const sip_t *sip, struct b2b_ident *id)
{
	static const char *const geo[2] = { "Geolocation", "Geolocation-Routing" };
	int i;

	for (i = 0; i < 2; i++) {
		const char *v = b2b_hdr_value(sip, geo[i]);

		if (v != NULL && strcspn(v, "\r\n") == strlen(v))
			snprintf(id->geo[i], sizeof(id->geo[i]), "%s: %s", geo[i], v);
	}
}

/*
 * What B is told about the caller and the called number: a tenant PBX's
 * identity (tenant_identity()), otherwise a received PAI when it names an
 * E.164 number; every PAI rewritten onto our host; Privacy per
 * sbc_privacy_decide() for the next hop, except that emergency calls
 * never lose PAI or From.
 */
static void call_identity(struct b2b_call *c, const sip_t *sip, struct b2b_ident *id)
{
	const struct sbc_cfg_trunk *ta = c->leg[0].trunk, *tb = c->leg[1].trunk;
	const char *pai_in = b2b_hdr_value(sip, "P-Asserted-Identity");
	char privbuf[128], e164[SBC_ID_NUMBER_MAX];
	const char *priv_in = privacy_value(sip, privbuf, sizeof(privbuf));
	const char *ruser = sip->sip_request->rq_url->url_user;
	const char *fuser = sip->sip_from ? sip->sip_from->a_url->url_user : NULL;
	struct sbc_privacy_decision d;

	memset(id, 0, sizeof(*id));
	snprintf(id->ruser, sizeof(id->ruser), "%s", ruser ? ruser : "");
	snprintf(id->fuser, sizeof(id->fuser), "%s", fuser ? fuser : "anonymous");
	e164[0] = '\0';
	if (ta->side == SBC_SIDE_ENTERPRISE && c->tenant != NULL)
		tenant_identity(c, sip, c->tenant, id, e164, sizeof(e164));
	else if (pai_in != NULL && sbc_identity_e164_of_uri(pai_in, e164, sizeof(e164)) != 0)
		e164[0] = '\0';
	if (e164[0] != '\0')
		snprintf(id->pai, sizeof(id->pai), "P-Asserted-Identity: <sip:%s@%s;user=phone>",
			 e164, c->leg[1].sif->host);
	sbc_privacy_decide(sbc_privacy_parse(priv_in), tb->trusted, (enum sbc_side)tb->side,
			   c->emergency, &d);
	if (d.strip_pai)
		id->pai[0] = '\0';
	id->anonymous = d.anonymise_from;
	if (d.requested && id->pai[0] != '\0' && priv_in != NULL &&
	    strcspn(priv_in, "\r\n") == strlen(priv_in))
		snprintf(id->privacy, sizeof(id->privacy), "Privacy: %s", priv_in);
	if (c->emergency)
		emergency_geo(sip, id);
}

/*
 * P-Early-Media (RFC 5009) of @sip, rebuilt as "P-Early-Media: v1, v2"
 * in @buf from the parameters RFC 5009 defines; false when absent or when
 * it holds anything else (the peer's text is never copied as it is).
 */
bool b2b_early_media_header(const sip_t *sip, char *buf, size_t size)
{
	static const char *const known[] = {
		"supported", "sendrecv", "sendonly", "recvonly", "inactive", "gated",
	};
	const char *value = sip != NULL ? b2b_hdr_value(sip, "P-Early-Media") : NULL;
	char val[128], *tok, *save = NULL;
	size_t used, k;
	bool any = false;

	if (value == NULL || strlen(value) >= sizeof(val))
		return false;
	snprintf(val, sizeof(val), "%s", value);
	used = (size_t)snprintf(buf, size, "P-Early-Media: ");
	for (tok = strtok_r(val, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (strcasecmp(tok, known[k]) == 0)
				break;
		if (k == sizeof(known) / sizeof(known[0]))
			return false;
		if (used + strlen(known[k]) + 3 >= size)
			return false;
		used += (size_t)snprintf(buf + used, size - used, "%s%s", any ? ", " : "",
					 known[k]);
		any = true;
	}
	return any;
}

void b2b_legb_prepare(struct b2b_call *c, const sip_t *sip)
{
	struct b2b_b_invite *bi = &c->binv;
	const sip_from_t *f = sip->sip_from;
	const sip_to_t *t = sip->sip_to;
	const char *tuser = t ? t->a_url->url_user : NULL;
	char tohost[B2B_URI_MAX];

	call_identity(c, sip, &bi->id);
	if (sbc_route_target_host(c->leg[1].trunk, tohost, sizeof(tohost)) < 0)
		tohost[0] = '\0';
	if (bi->id.anonymous)
		snprintf(bi->from, sizeof(bi->from), "%s", SBC_ID_ANONYMOUS_FROM);
	else
		snprintf(bi->from, sizeof(bi->from), "%s%s<sip:%s@%s>",
			 f && f->a_display ? f->a_display : "", f && f->a_display ? " " : "",
			 bi->id.fuser, c->leg[1].sif->host);
	snprintf(bi->to, sizeof(bi->to), "%s%s<sip:%s%s%s>",
		 t && t->a_display ? t->a_display : "", t && t->a_display ? " " : "",
		 tuser ? tuser : "", tuser ? "@" : "", tohost);
	if (!b2b_early_media_header(sip, bi->pem, sizeof(bi->pem)))
		bi->pem[0] = '\0';
	/* One hop fewer than A's, never more than we send (sip.max_forwards). */
	bi->max_forwards = c->gen->cfg->sip.max_forwards;
	if (sip->sip_max_forwards != NULL && sip->sip_max_forwards->mf_count >= 1 &&
	    sip->sip_max_forwards->mf_count - 1 < bi->max_forwards)
		bi->max_forwards = (uint32_t)sip->sip_max_forwards->mf_count - 1;
}

/* A multipart/mixed body: keep it for B, point at its SDP part. */
static int keep_multipart(struct b2b_call *c, const sip_t *sip, const char **sdp, size_t *len)
{
	const sip_content_type_t *ct = sip->sip_content_type;
	const char *body = sip->sip_payload->pl_data, *bnd;
	size_t blen = sip->sip_payload->pl_len, bl, off, sdp_end;

	bnd = msg_params_find(ct->c_params, "boundary=");
	if (bnd == NULL)
		return -EBADMSG;
	bl = strlen(bnd);
	if (bl >= 2 && bnd[0] == '"' && bnd[bl - 1] == '"') {
		bnd++;
		bl -= 2;
	}
	if (sbc_multipart_find_sdp(body, blen, bnd, bl, &off, &sdp_end) != 0)
		return -EBADMSG;
	c->binv.mp_body = malloc(blen + 1);
	if (c->binv.mp_body == NULL)
		return -ENOMEM;
	memcpy(c->binv.mp_body, body, blen);
	c->binv.mp_body[blen] = '\0';
	c->binv.mp_sdp_off = off;
	c->binv.mp_sdp_end = sdp_end;
	snprintf(c->binv.mp_ctype, sizeof(c->binv.mp_ctype), "multipart/mixed;boundary=\"%.*s\"",
		 (int)bl, bnd);
	/* to the SDP parser with its last line's CRLF (the delimiter's) */
	*sdp = body + off;
	*len = sdp_end + 2 - off;
	return 0;
}

/*
 * application/sdp (or no Content-Type) is the SDP itself; multipart/mixed
 * (RFC 2046; emergency calls carry PIDF-LO this way, RFC 6442): the first
 * part whose Content-Type is application/sdp, the whole body kept so that
 * B gets every other part byte for byte.
 */
int b2b_legb_invite_sdp(struct b2b_call *c, const sip_t *sip, const char **sdp, size_t *len)
{
	const sip_content_type_t *ct = sip->sip_content_type;

	*sdp = NULL;
	*len = 0;
	if (!b2b_has_sdp(sip))
		return 0;
	if (ct == NULL || ct->c_type == NULL || strcasecmp(ct->c_type, "application/sdp") == 0) {
		*sdp = sip->sip_payload->pl_data;
		*len = sip->sip_payload->pl_len;
		return 0;
	}
	if (strcasecmp(ct->c_type, "multipart/mixed") != 0)
		return -EMEDIUMTYPE;       /* 415 */
	return keep_multipart(c, sip, sdp, len);
}

/* A's parts as received, our SDP in place of A's (malloc'd), or NULL. */
static char *multipart_body(const struct b2b_call *c, int *err)
{
	const struct b2b_b_invite *bi = &c->binv;
	const char *ours = c->leg[1].ours_body;
	size_t blen, olen;
	char *mp;

	*err = 0;
	if (bi->mp_body == NULL)
		return NULL;
	blen = strlen(bi->mp_body);
	olen = strlen(ours);
	mp = malloc(blen - (bi->mp_sdp_end - bi->mp_sdp_off) + olen + 1);
	if (mp == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(mp, bi->mp_body, bi->mp_sdp_off);
	memcpy(mp + bi->mp_sdp_off, ours, olen);
	memcpy(mp + bi->mp_sdp_off + olen, bi->mp_body + bi->mp_sdp_end, blen - bi->mp_sdp_end + 1);
	return mp;
}

/*
 * B's Call-ID, ours from the start (so a CDR has it even when B never
 * answered): 128 random bits and our interface's host, nothing of A's.
 */
int b2b_leg_new_call_id(struct b2b_leg *bl)
{
	unsigned char r[16];
	char hex[33];
	int i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return -EIO;
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	snprintf(bl->call_id, sizeof(bl->call_id), "%s@%s", hex, bl->sif->host);
	return 0;
}

/* "1", "1.1", "1.1.1": the History-Info index of the n-th target. */
static void hi_index(char *buf, size_t size, uint32_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i <= n && len + 3 <= size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s1", i > 0 ? "." : "");
}

/*
 * After a redirect: the target that answered 3xx joins the History-Info
 * entries (with the 3xx as its Reason), and history_hdr becomes the header
 * of the INVITEs to ruri, mapped from it (RFC 7044 "mp").  -ENOSPC when it
 * would not fit.
 */
static int redirect_history(struct b2b_call *c, const char *ruri)
{
	struct b2b_b_invite *bi = &c->binv;
	size_t len = strlen(bi->history);
	char prev[16], cur[16];
	int n;

	hi_index(prev, sizeof(prev), c->redirects - 1);
	hi_index(cur, sizeof(cur), c->redirects);
	n = snprintf(bi->history + len, sizeof(bi->history) - len,
		     "%s<%s?Reason=SIP%%3Bcause%%3D%d>;index=%s", len > 0 ? "," : "", bi->ruri,
		     bi->redirect_status, prev);
	if (n < 0 || (size_t)n >= sizeof(bi->history) - len)
		return -ENOSPC;
	bi->redirect_status = 0;
	n = snprintf(bi->history_hdr, sizeof(bi->history_hdr), "History-Info: %s,<%s>;index=%s;mp=%s",
		     bi->history, ruri, cur, prev);
	return n < 0 || (size_t)n >= sizeof(bi->history_hdr) ? -ENOSPC : 0;
}

/*
 * The next hop of B's INVITE: the destination locate.c chose, as a loose
 * route "<sip:ADDRESS:PORT;transport=T;lr>" (nua's initial route): nta
 * sends the INVITE there and nowhere else, the Request-URI keeps the
 * trunk's name, and the dialog's later requests follow its route set and
 * remote target (RFC 3261 §12.2.1.1).
 */
int b2b_dest_next_hop(const struct sbc_dest *d, char *buf, size_t size)
{
	char ip[64];
	int n;

	sbc_ip_str(&d->key.ip, ip, sizeof(ip));
	n = snprintf(buf, size, d->key.ip.family == 6 ? "<sip:[%s]:%u;transport=%s;lr>" :
			       "<sip:%s:%u;transport=%s;lr>", ip, d->key.port,
		     sbc_transport_name(d->key.transport));
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

void b2b_legb_ack(struct b2b_call *c, const char *sdp)
{
	struct b2b_leg *bl = &c->leg[1];

	if (!c->b_ack_owed || bl->nh == NULL)
		return;
	c->b_ack_owed = false;
	nua_ack(bl->nh, TAG_IF(sdp != NULL, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
		TAG_IF(sdp != NULL, SIPTAG_PAYLOAD_STR(sdp)), TAG_END());
	/* Later INVITEs on this dialog (re-offers) are ACKed by nua again. */
	nua_set_hparams(bl->nh, NUTAG_AUTOACK(1), TAG_END());
}

int b2b_legb_invite(struct b2b_call *c, const char *ruser, bool user_phone,
		    const sip_header_t *auth)
{
	struct b2b_leg *bl = &c->leg[1];
	struct b2b_b_invite *bi = &c->binv;
	const struct sbc_cfg_trunk *tb = bl->trunk;
	const struct b2b_ident *id = &bi->id;
	const struct sbc_dest *dst = b2b_locate_current(c);
	char ruri[B2B_URI_MAX], from[B2B_URI_MAX + 80], hop[SBC_DEST_NAME_MAX + 96], mf[12];
	char *mp;
	int rc;

	if (dst == NULL)
		return -ENOENT;
	if (dst->key.transport == SBC_TRANSPORT_TLS)
		sbc_sip_tls_expect(&dst->key.ip, dst->key.port, dst->name, tb);
	if (sbc_route_request_uri_at(tb, dst->target, ruser, user_phone, ruri, sizeof(ruri)) < 0 ||
	    b2b_dest_next_hop(dst, hop, sizeof(hop)) != 0)
		return -ENOSPC;
	if (bi->redirect_status != 0 && redirect_history(c, ruri) != 0)
		return -ENOSPC;
	/* Ours from the first INVITE on; retries keep it (RFC 3261 §8.1.3.4, §22.2). */
	if (bl->call_id[0] == '\0' && b2b_leg_new_call_id(bl) != 0)
		return -EIO;
	rc = snprintf(from, sizeof(from), "%s%s%s", bi->from, bi->from_tag[0] != '\0' ? ";tag=" : "",
		      bi->from_tag);
	if (rc < 0 || (size_t)rc >= sizeof(from))
		return -ENOSPC;
	snprintf(bi->ruri, sizeof(bi->ruri), "%s", ruri);
	if (ruser != bi->ruser)
		snprintf(bi->ruser, sizeof(bi->ruser), "%s", ruser);
	bi->user_phone = user_phone;
	bl->sig_peer = dst->key.ip;
	snprintf(mf, sizeof(mf), "%u", bi->max_forwards);
	mp = multipart_body(c, &rc);
	if (rc != 0)
		return rc;
	/*
	 * No automatic restarts: nua would follow a 3xx itself (resolving its
	 * Contact), wait out a 503's Retry-After and resend while the caller
	 * hears nothing.  The B2BUA decides on every final response.
	 */
	bl->nh = nua_handle(bl->sif->nua, bl, NUTAG_URL(ruri), NUTAG_RETRY_COUNT(0),
			    NUTAG_INITIAL_ROUTE_STR(hop),
			    /* what this dialog takes (REFER per the trunk's policy) */
			    SIPTAG_ALLOW_STR(b2b_indialog_allow(tb)),
			    /* late offer relayed: our ACK carries A's answer */
			    TAG_IF(c->late_relay, NUTAG_AUTOACK(0)),
			    SIPTAG_TO_STR(bi->to), SIPTAG_FROM_STR(from),
			    SIPTAG_CALL_ID_STR(bl->call_id),
			    TAG_IF(bl->contact[0] != '\0', SIPTAG_CONTACT_STR(bl->contact)),
			    TAG_END());
	if (bl->nh == NULL) {
		free(mp);
		return -ENOMEM;
	}
	b2b_indialog_leg_allow(bl);    /* nua's answer to a REFER (405 or ours) */
	SBC_LOG(INFO, B2B_LOG, "call %u: to trunk %s (%s) via %s, next hop %s, Call-ID %s", c->no,
		tb->name, dst->name, bl->sif->cfg->name, hop, bl->call_id);
	nua_invite(bl->nh,
		   TAG_IF(!c->late_relay,
			  SIPTAG_CONTENT_TYPE_STR(mp != NULL ? bi->mp_ctype : "application/sdp")),
		   TAG_IF(!c->late_relay, SIPTAG_PAYLOAD_STR(mp != NULL ? mp : bl->ours_body)),
		   SIPTAG_MAX_FORWARDS_STR(mf),
		   TAG_IF(c->binv.pem[0] != '\0', SIPTAG_HEADER_STR(c->binv.pem)),
		   TAG_IF(id->pai[0] != '\0', SIPTAG_HEADER_STR(id->pai)),
		   TAG_IF(id->privacy[0] != '\0', SIPTAG_HEADER_STR(id->privacy)),
		   TAG_IF(id->geo[0][0] != '\0', SIPTAG_HEADER_STR(id->geo[0])),
		   TAG_IF(id->geo[1][0] != '\0', SIPTAG_HEADER_STR(id->geo[1])),
		   TAG_IF(bi->history_hdr[0] != '\0', SIPTAG_HEADER_STR(bi->history_hdr)),
		   TAG_IF(auth != NULL, SIPTAG_HEADER(auth)),
		   TAG_END());
	free(mp);                  /* nua copied the tags */
	return 0;
}
