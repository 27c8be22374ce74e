/* SPDX-License-Identifier: BSD-3-Clause
 * Admission (b2bua_priv.h): who calls and whether the call may start.
 *  - trunk identification (trunk_auth.h): X-Trunk-Key over TLS, source
 *    address, digest; sip.unknown_source for the rest;
 *  - digest realms we challenge PBXs in (digest.h), one nonce server each;
 *  - the per-source limit on unauthenticated requests (cac.h, sbc_pike);
 *  - call admission control per trunk (cac.h), with trunk state kept by
 *    name across configuration generations.
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "admit.h"
#include "b2bua_priv.h"
#include "prefilter.h"
#include "sbc_log.h"
#include "sip_conn.h"
#include "tenant.h"

#define B2B_STR_(x) #x
#define B2B_STR(x) B2B_STR_(x)

/* ---- configuration generations, trunk run-time state ---- */

void b2b_gen_free(struct b2b_gen *g)
{
	if (g == NULL)
		return;
	sbc_tenants_destroy(g->tenants);
	sbc_config_free(g->owned);  /* NULL (the startup one) is main()'s */
	free(g);
}

void b2b_gen_unref(struct sbc_b2bua *b, struct b2b_gen *g)
{
	struct b2b_gen **pp;

	if (g == NULL || --g->refs != 0 || g == b->gen)
		return;
	for (pp = &b->old_gens; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	}
	b2b_gen_free(g);
}

static struct b2b_trunk_rt *trunk_rt_find(struct sbc_b2bua *b, const char *name)
{
	struct b2b_trunk_rt *t;

	for (t = b->trunk_rt; t != NULL; t = t->next)
		if (!t->retired && strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

static void trunk_rt_free_retired(struct sbc_b2bua *b)
{
	struct b2b_trunk_rt **pp = &b->trunk_rt, *t;

	while ((t = *pp) != NULL) {
		if (t->retired && sbc_cac_calls_active(&t->cac.calls) == 0) {
			*pp = t->next;
			b2b_keepalive_forget(t);
			free(t->name);
			free(t);
		} else {
			pp = &t->next;
		}
	}
}

/* Trunks no longer configured are retired; the others get the new limits. */
static void trunk_rt_retire_or_reconfigure(struct sbc_b2bua *b, uint64_t now)
{
	const struct sbc_config *cfg = b->cfg;
	struct b2b_trunk_rt *t;
	uint32_t i;

	for (t = b->trunk_rt; t != NULL; t = t->next) {
		if (t->retired)
			continue;
		t->retired = true;
		for (i = 0; i < cfg->n_trunks; i++)
			if (strcmp(cfg->trunks[i].name, t->name) == 0) {
				t->retired = false;
				sbc_cac_trunk_reconfigure(&t->cac, &cfg->trunks[i], now);
				break;
			}
	}
}

/*
 * Returns 0 or -ENOMEM (state of trunks already processed stays; the
 * missing ones admit no call).
 */
int b2b_admission_trunks_reloaded(struct sbc_b2bua *b)
{
	const struct sbc_config *cfg = b->cfg;
	struct b2b_trunk_rt *t;
	uint64_t now = b2b_mono_ms();
	uint32_t i;
	int rc = 0;

	trunk_rt_retire_or_reconfigure(b, now);
	for (i = 0; i < cfg->n_trunks; i++) {
		if (trunk_rt_find(b, cfg->trunks[i].name) != NULL)
			continue;
		t = calloc(1, sizeof(*t));
		if (t != NULL)
			t->name = strdup(cfg->trunks[i].name);
		if (t == NULL || t->name == NULL ||
		    sbc_cac_trunk_init(&t->cac, &cfg->trunks[i], now) != 0) {
			if (t != NULL)
				free(t->name);
			free(t);
			rc = -ENOMEM;
			continue;
		}
		t->next = b->trunk_rt;
		b->trunk_rt = t;
	}
	trunk_rt_free_retired(b);
	b2b_keepalive_sync(b);     /* retired trunks and 0 intervals stop, new ones start */
	return rc;
}

/* ---- call admission control ---- */

/*
 * The calling trunk's calls-per-minute bucket and concurrent calls, and the
 * called trunk's concurrent calls; emergency calls are counted but never
 * refused.
 */
struct b2b_reject b2b_admission_admit(struct b2b_call *c)
{
	struct sbc_b2bua *b = c->b;
	struct b2b_trunk_rt *ra = trunk_rt_find(b, c->leg[0].trunk->name);
	struct b2b_trunk_rt *rb = trunk_rt_find(b, c->leg[1].trunk->name);
	struct b2b_reject rj = b2b_reject(503, "rejected", NULL);
	enum sbc_cac_verdict v;
	uint32_t retry = 1;

	rj.retry_after_s = 1;
	if (ra == NULL || rb == NULL)
		return rj;                 /* no state (out of memory on a reload) */
	v = sbc_cac_trunk_admit(&ra->cac, b2b_mono_ms(), c->emergency, &retry);
	if (!sbc_cac_verdict_admits(v)) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: trunk %s %s: 503, Retry-After %u", c->no,
			ra->name, sbc_cac_verdict_name(v), retry);
		rj.retry_after_s = retry > 0 ? retry : 1;
		return rj;
	}
	c->rt[0] = ra;
	if (!sbc_cac_calls_acquire(&rb->cac.calls, c->emergency)) {
		rb->cac.verdicts[SBC_CAC_OVER_CONCURRENT]++;
		SBC_LOG(NOTICE, B2B_LOG, "call %u: trunk %s over_concurrent: 503", c->no,
			rb->name);
		rj.retry_after_s = SBC_CAC_BUSY_RETRY_AFTER_S;   /* the call's end releases ra */
		return rj;
	}
	c->rt[1] = rb;
	return B2B_GO;
}

void b2b_admission_release(struct b2b_call *c)
{
	int l;

	for (l = 0; l < 2; l++) {
		if (c->rt[l] == NULL)
			continue;
		if (l == 0)
			sbc_cac_trunk_release(&c->rt[l]->cac);
		else
			sbc_cac_calls_release(&c->rt[l]->cac.calls);
		c->rt[l] = NULL;
	}
	trunk_rt_free_retired(c->b);
}

/* ---- digest ---- */

static struct sbc_digest_server *realm_server(struct sbc_b2bua *b, const char *realm)
{
	struct b2b_realm *r;

	for (r = b->realms; r != NULL; r = r->next)
		if (strcmp(r->realm, realm) == 0)
			return r->srv;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->realm = strdup(realm);
	r->srv = r->realm != NULL ?
		 sbc_digest_server_create(realm, b->cfg->sip.digest_nonce_ttl_s) : NULL;
	if (r->srv == NULL) {
		free(r->realm);
		free(r);
		return NULL;
	}
	r->next = b->realms;
	b->realms = r;
	return r->srv;
}

/* The realm a trunk's PBX is challenged in. */
static const char *trunk_realm(const struct sbc_cfg_trunk *t)
{
	return t->inbound_auth.realm != NULL ? t->inbound_auth.realm : "rampart";
}

/* For a credentials-only PBX: the first such trunk's realm on @sif. */
static const char *interface_realm(const struct sbc_config *cfg, const struct b2b_sipif *sif)
{
	uint32_t i;

	for (i = 0; i < cfg->n_trunks; i++)
		if (cfg->trunks[i].inbound_auth.username != NULL &&
		    strcmp(cfg->trunks[i].interface, sif->cfg->name) == 0)
			return trunk_realm(&cfg->trunks[i]);
	return "rampart";
}

/*
 * 407 with one challenge per algorithm of sip.digest_algorithms, in that
 * order (RFC 8760: most preferred first; SHA-256, MD5 by default).
 */
static void respond_challenge(struct sbc_b2bua *b, nua_handle_t *nh, const char *realm,
			      bool stale)
{
	struct sbc_digest_server *srv = realm_server(b, realm);
	const struct sbc_cfg_sip *sc = &b->cfg->sip;
	char h[2][512], v[480];
	uint64_t now_s = (uint64_t)time(NULL);
	uint32_t i, n = sc->n_digest_algorithms < 2 ? sc->n_digest_algorithms : 2;

	b->n.digest_challenges++;
	for (i = 0; i < n; i++) {
		enum sbc_digest_alg alg = sc->digest_algorithms[i] == SBC_DIGEST_ALG_SHA256 ?
					  SBC_DIGEST_SHA256 : SBC_DIGEST_MD5;

		if (srv == NULL || sbc_digest_challenge(srv, alg, stale, now_s, v, sizeof(v)) < 0 ||
		    snprintf(h[i], sizeof(h[i]), "Proxy-Authenticate: %s", v) >= (int)sizeof(h[i])) {
			nua_respond(nh, 500, "Server Internal Error", TAG_END());
			return;
		}
	}
	if (n == 0) {
		nua_respond(nh, 500, "Server Internal Error", TAG_END());
		return;
	}
	nua_respond(nh, 407, "Proxy Authentication Required", SIPTAG_HEADER_STR(h[0]),
		    TAG_IF(n > 1, SIPTAG_HEADER_STR(h[1])), TAG_END());
}

/* An Authorization-type header's value as "Scheme p1, p2, ...": 0 or -E2BIG. */
static int auth_value(const msg_auth_t *au, char *buf, size_t size)
{
	size_t used;
	int i, n;

	n = snprintf(buf, size, "%s", au->au_scheme ? au->au_scheme : "");
	if (n < 0 || (size_t)n >= size)
		return -E2BIG;
	used = (size_t)n;
	for (i = 0; au->au_params != NULL && au->au_params[i] != NULL; i++) {
		n = snprintf(buf + used, size - used, "%s%s", i == 0 ? " " : ", ",
			     au->au_params[i]);
		if (n < 0 || (size_t)n >= size - used)
			return -E2BIG;
		used += (size_t)n;
	}
	return 0;
}

/* Answer a digest verdict other than OK. */
static void digest_refuse(struct b2b_sipif *sif, nua_handle_t *nh,
			  const struct sbc_cfg_trunk *who, enum sbc_digest_verdict v)
{
	struct sbc_b2bua *b = sif->b;

	switch (v) {
	case SBC_DIGEST_STALE:
	case SBC_DIGEST_BAD_NONCE:
	case SBC_DIGEST_WRONG_REALM:
		respond_challenge(b, nh, trunk_realm(who), v == SBC_DIGEST_STALE);
		return;
	case SBC_DIGEST_URI_MISMATCH:
		b->n.digest_failures++;
		nua_respond(nh, 400, "Bad Request", TAG_END());
		return;
	default:
		b->n.digest_failures++;
		SBC_LOG(NOTICE, B2B_LOG, "INVITE on %s: digest for trunk %s refused (%s): 403",
			sif->cfg->name, who->name, sbc_digest_verdict_name(v));
		nua_respond(nh, 403, "Forbidden", TAG_END());
		return;
	}
}

/*
 * Digest check of an INVITE for trunk @t (known by source or key: its
 * inbound_auth), or, @t NULL, for whichever trunk of @sif the credentials'
 * user name names.  Returns the authenticated trunk; NULL when a response
 * (407, 403, 400) has been sent.
 */
static const struct sbc_cfg_trunk *digest_check(struct b2b_sipif *sif, nua_handle_t *nh,
						const sip_t *sip,
						const struct sbc_cfg_trunk *t)
{
	struct sbc_b2bua *b = sif->b;
	struct sbc_digest_credentials cr;
	const struct sbc_cfg_trunk *who = t;
	enum sbc_digest_verdict v;
	struct sbc_digest_server *srv;
	char value[SBC_DIGEST_VALUE_MAX], uri[SBC_DIGEST_URI_MAX];
	int rc;

	if (sip->sip_proxy_authorization == NULL) {
		respond_challenge(b, nh, t != NULL ? trunk_realm(t) : interface_realm(b->cfg, sif),
				  false);
		return NULL;
	}
	/* Rebuilt from Sofia's scheme and parameters (its printer drops some). */
	rc = auth_value(sip->sip_proxy_authorization, value, sizeof(value));
	if (rc == 0)
		rc = sbc_digest_parse_credentials(value, &cr);
	OPENSSL_cleanse(value, sizeof(value));
	if (rc != 0 || !b2b_request_uri_str(sip, uri, sizeof(uri))) {
		b->n.digest_failures++;
		SBC_LOG(NOTICE, B2B_LOG, "INVITE on %s: Proxy-Authorization unusable (%s): 400",
			sif->cfg->name, rc != 0 ? strerror(-rc) : "Request-URI");
		nua_respond(nh, 400, "Bad Request", TAG_END());
		return NULL;
	}
	if (who == NULL)
		who = sbc_trunk_auth_by_username(b->cfg, sif->cfg->name, cr.username);
	if (who == NULL || who->inbound_auth.username == NULL ||
	    strcmp(cr.username, who->inbound_auth.username) != 0) {
		b->n.digest_failures++;
		nua_respond(nh, 403, "Forbidden", TAG_END());
		OPENSSL_cleanse(&cr, sizeof(cr));
		return NULL;
	}
	srv = realm_server(b, trunk_realm(who));
	v = srv != NULL ? sbc_digest_verify(srv, &cr, "INVITE", uri, who->inbound_auth.password,
					    (uint64_t)time(NULL)) : SBC_DIGEST_BAD_RESPONSE;
	OPENSSL_cleanse(&cr, sizeof(cr));
	if (v == SBC_DIGEST_OK)
		return who;
	digest_refuse(sif, nh, who, v);
	return NULL;
}

/* ---- trunk identification and the per-source limit ---- */

/*
 * The verdict (admit.h) carried out: requests from sources no trunk lists
 * count against the per-source limit before anything else is spent on
 * them.
 */
const struct sbc_cfg_trunk *b2b_admission_identify(struct b2b_sipif *sif, nua_handle_t *nh,
						   const sip_t *sip, const struct sbc_ip *src)
{
	struct sbc_b2bua *b = sif->b;
	struct sbc_trunk_auth_request rq = {
		.interface = sif->cfg->name, .src = *src, .transport = b2b_via_transport(sip),
		.trunk_group_id = b2b_hdr_value(sip, SBC_TRUNK_GROUP_HEADER),
		.trunk_key = b2b_hdr_value(sip, SBC_TRUNK_KEY_HEADER),
	};
	struct sbc_admit_verdict v;
	char ipbuf[64];

	sbc_admit_identify(b->cfg, b->pike, b2b_mono_ms(), &rq, &v);
	if (v.auth.reason < SBC_TA__COUNT)
		b->auth_verdicts[v.auth.reason]++;
	if (v.pike != SBC_PIKE_ALLOW) {
		b->n.pike_refused++;
		if (v.pike == SBC_PIKE_BLOCK_START)
			SBC_LOG(WARN, B2B_LOG, "source %s over %u requests per %u ms: blocked for "
				"%u ms", sbc_ip_str(src, ipbuf, sizeof(ipbuf)),
				b->cfg->sip.pike.threshold, b->cfg->sip.pike.window_ms,
				b->cfg->sip.pike.block_ms);
	} else if (v.action == SBC_ADMIT_REFUSE || v.action == SBC_ADMIT_DROP) {
		SBC_LOG(NOTICE, B2B_LOG, "INVITE on %s from %s refused: %s", sif->cfg->name,
			sbc_ip_str(src, ipbuf, sizeof(ipbuf)),
			sbc_trunk_auth_reason_name(v.auth.reason));
	}
	switch (v.action) {
	case SBC_ADMIT_GO:
		return v.auth.digest ? digest_check(sif, nh, sip, v.auth.trunk) : v.auth.trunk;
	case SBC_ADMIT_CHALLENGE:
		return digest_check(sif, nh, sip, NULL);
	case SBC_ADMIT_OVERLOAD:
		nua_respond(nh, 503, "Service Unavailable",
			    SIPTAG_RETRY_AFTER_STR(B2B_STR(SBC_ADMIT_OVERLOAD_RETRY_AFTER_S)), TAG_END());
		return NULL;
	case SBC_ADMIT_REFUSE:
		nua_respond(nh, 403, "Forbidden", TAG_END());
		return NULL;
	default:
		nua_handle_destroy(nh);    /* sip.unknown_source: drop */
		return NULL;
	}
}

/*
 * OPTIONS outside a call (keepalives, probes): 200 to a trunk's listed
 * source or key; anything else is treated as a request from an unknown
 * source (sip.unknown_source: 403 or silence), and counts against the
 * per-source limit, so that a probe learns nothing and draws no traffic.
 */
void b2b_on_options(struct b2b_sipif *sif, nua_handle_t *nh, const sip_t *sip)
{
	struct sbc_b2bua *b = sif->b;
	struct sbc_trunk_auth_request rq = { .interface = sif->cfg->name };
	struct sbc_admit_verdict v;

	if (b2b_request_source(sif->nua, &rq.src) != 0) {
		nua_handle_destroy(nh);
		return;
	}
	rq.transport = b2b_via_transport(sip);
	rq.trunk_group_id = b2b_hdr_value(sip, SBC_TRUNK_GROUP_HEADER);
	rq.trunk_key = b2b_hdr_value(sip, SBC_TRUNK_KEY_HEADER);
	sbc_admit_identify(b->cfg, b->pike, b2b_mono_ms(), &rq, &v);
	if (v.pike != SBC_PIKE_ALLOW)
		b->n.pike_refused++;
	b->n.options_answered += v.action == SBC_ADMIT_GO;
	b->n.options_refused += v.action != SBC_ADMIT_GO;
	if (v.action == SBC_ADMIT_GO && (b->draining || b->stopping))
		/* a trunk's keepalive sees us going: its next calls go elsewhere */
		nua_respond(nh, 503, "Service Unavailable", NUTAG_WITH_THIS(sif->nua), TAG_END());
	else if (v.action == SBC_ADMIT_GO)
		nua_respond(nh, 200, "OK", NUTAG_WITH_THIS(sif->nua), TAG_END());
	else if (v.action == SBC_ADMIT_OVERLOAD)
		nua_respond(nh, 503, "Service Unavailable", NUTAG_WITH_THIS(sif->nua),
			    SIPTAG_RETRY_AFTER_STR(B2B_STR(SBC_ADMIT_OVERLOAD_RETRY_AFTER_S)),
			    TAG_END());
	else if (v.action != SBC_ADMIT_DROP &&
		 b->cfg->sip.unknown_source != SBC_UNKNOWN_SOURCE_DROP)
		nua_respond(nh, 403, "Forbidden", NUTAG_WITH_THIS(sif->nua), TAG_END());
	nua_handle_destroy(nh);
}

/* ---- the datagram pre-filter (prefilter.h) ---- */

/* The B2BUA the pre-filter works for; one per process (NULL: pass all). */
static struct sbc_b2bua *pf_b2bua;

#define PF_LOG_MS 10000

static int sockaddr_ip(const struct sockaddr *sa, struct sbc_ip *ip, uint16_t *port)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	memset(ip, 0, sizeof(*ip));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;

		ip->family = 4;
		memcpy(ip->bytes, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;

		if (memcmp(&s6->sin6_addr, mapped, 12) == 0) {
			ip->family = 4;
			memcpy(ip->bytes, (const uint8_t *)&s6->sin6_addr + 12, 4);
		} else {
			ip->family = 6;
			memcpy(ip->bytes, &s6->sin6_addr, 16);
		}
		*port = ntohs(s6->sin6_port);
		return 0;
	}
	return -EAFNOSUPPORT;
}

/* The SIP interface whose UDP listener @fd is; NULL when none. */
static const struct b2b_sipif *pf_sipif(const struct sbc_b2bua *b, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct sbc_ip ip;
	uint16_t port;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    sockaddr_ip((const struct sockaddr *)&ss, &ip, &port) != 0)
		return NULL;
	for (uint32_t i = 0; i < b->n_sif; i++) {
		const struct sbc_cfg_sip_if *c = b->sif[i].cfg;

		if (!sbc_ip_equal(&c->address, &ip))
			continue;
		for (uint32_t k = 0; k < c->n_listen; k++)
			if (c->listen[k].transport == SBC_TRANSPORT_UDP && c->listen[k].port == port)
				return &b->sif[i];
	}
	return NULL;
}

/* One token of the global budget for replies to unknown sources. */
static bool pf_budget_take(struct sbc_b2bua *b, uint64_t now)
{
	uint64_t rate = b->cfg->sip.pike.unknown_reply_rate, cap = rate * 1000;

	if (rate == 0)
		return false;
	if (now > b->pf.last_ms) {
		b->pf.tokens_milli += (now - b->pf.last_ms) * rate;
		if (b->pf.tokens_milli > cap)
			b->pf.tokens_milli = cap;
		b->pf.last_ms = now;
	}
	if (b->pf.tokens_milli < 1000)
		return false;
	b->pf.tokens_milli -= 1000;
	return true;
}

/* One line per PF_LOG_MS at most, whatever the flood. */
static void pf_log(struct sbc_b2bua *b, uint64_t now, const struct sbc_ip *src)
{
	char ip[64];

	if (now - b->pf.log_ms < PF_LOG_MS && b->pf.log_ms != 0)
		return;
	SBC_LOG(NOTICE, B2B_LOG, "unknown sources: %" PRIu64 " UDP requests refused once "
		"(403), %" PRIu64 " dropped unanswered since the last line; the latest from %s",
		b->pf.refused, b->pf.dropped, sbc_ip_str(src, ip, sizeof(ip)));
	b->pf.log_ms = now;
	b->pf.refused = b->pf.dropped = 0;
}

static enum b2b_pf_verdict pf_reply(const struct sbc_pf_msg *m, const char *buf, int status,
				    const char *phrase, char *reply, size_t size,
				    size_t *reply_len)
{
	uint8_t r[8];
	char tag[17];

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		return B2B_PF_DROP;
	for (unsigned int i = 0; i < sizeof(r); i++)
		snprintf(tag + 2 * i, 3, "%02x", r[i]);
	*reply_len = sbc_prefilter_reply(m, buf, status, phrase, tag, reply, size);
	return *reply_len != 0 ? B2B_PF_REPLY : B2B_PF_DROP;
}

enum b2b_pf_verdict b2b_prefilter_datagram(int fd, const struct sockaddr *src,
					   const char *buf, size_t len, char *reply,
					   size_t size, size_t *reply_len)
{
	struct sbc_b2bua *b = pf_b2bua;
	struct sbc_trunk_auth_request rq = { .transport = SBC_TRANSPORT_UDP };
	struct sbc_trunk_auth_result res;
	const struct b2b_sipif *sif;
	enum sbc_pike_verdict pv;
	struct sbc_pf_msg m;
	uint64_t now;
	uint16_t port;
	bool unknown;

	*reply_len = 0;
	if (b == NULL)
		return B2B_PF_PASS;
	switch (sbc_prefilter_scan(buf, len, b->cfg->sip.pike.max_headers, &m)) {
	case SBC_PF_TOO_MANY_HEADERS:
		/* Sofia's parse time grows faster than the header count. */
		b->n.prefilter_headers++;
		return B2B_PF_DROP;
	case SBC_PF_MALFORMED:
	case SBC_PF_BAD_VERSION:
	case SBC_PF_NEW:
		break;
	case SBC_PF_RESPONSE:
		if (sbc_prefilter_status_ok(buf, len))
			return B2B_PF_PASS;
		b->n.prefilter_malformed++;    /* RFC 4475 bigcode: no transaction takes it */
		return B2B_PF_DROP;
	default:
		return B2B_PF_PASS;    /* in-dialog requests, STUN, keepalives */
	}
	sif = pf_sipif(b, fd);
	if (sif == NULL || sockaddr_ip(src, &rq.src, &port) != 0)
		return B2B_PF_PASS;
	rq.interface = sif->cfg->name;
	sbc_trunk_auth(b->cfg, &rq, &res);
	/* Over UDP a trunk is known by its source, or will be by digest. */
	unknown = res.reason != SBC_TA_SOURCE && sbc_trunk_auth_sip_status(&res, false) != 401 &&
		  sbc_trunk_auth_sip_status(&res, false) != 407;
	if (m.kind == SBC_PF_MALFORMED || m.kind == SBC_PF_BAD_VERSION) {
		/* The parser never sees it; a trunk hears why, a stranger nothing. */
		b->n.prefilter_malformed++;
		if (unknown || strcmp(m.method, "ACK") == 0)
			return B2B_PF_DROP;
		if (m.kind == SBC_PF_BAD_VERSION)
			return pf_reply(&m, buf, 505, "Version Not Supported", reply, size,
					reply_len);
		return pf_reply(&m, buf, 400, "Bad Request", reply, size, reply_len);
	}
	if (!unknown && !sbc_prefilter_method_known(m.method)) {
		/* RFC 3261 §8.2.1; Sofia's parser would drop some (RFC 4475 intmeth). */
		b->n.prefilter_unknown_method++;
		return strcmp(m.method, "ACK") == 0 ? B2B_PF_DROP :
			pf_reply(&m, buf, 501, "Not Implemented", reply, size, reply_len);
	}
	if (!unknown)
		return B2B_PF_PASS;
	now = b2b_mono_ms();
	b->auth_verdicts[res.reason < SBC_TA__COUNT ? res.reason : 0]++;
	if (strcmp(m.method, "OPTIONS") == 0)
		b->n.options_refused++;
	if (b->cfg->sip.pike.enabled &&
	    (pv = sbc_pike_check(b->pike, &rq.src, now)) != SBC_PIKE_ALLOW) {
		char ipbuf[64];

		b->n.pike_refused++;
		if (pv == SBC_PIKE_BLOCK_START)
			SBC_LOG(WARN, B2B_LOG, "source %s over %u requests per %u ms: blocked for "
				"%u ms (unanswered)", sbc_ip_str(&rq.src, ipbuf, sizeof(ipbuf)),
				b->cfg->sip.pike.threshold, b->cfg->sip.pike.window_ms,
				b->cfg->sip.pike.block_ms);
		goto drop;
	}
	if (b->cfg->sip.unknown_source == SBC_UNKNOWN_SOURCE_DROP ||
	    strcmp(m.method, "ACK") == 0 || strcmp(m.method, "CANCEL") == 0)
		goto drop;
	if (!pf_budget_take(b, now)) {
		b->n.unknown_over_budget++;
		goto drop;
	}
	if (pf_reply(&m, buf, 403, "Forbidden", reply, size, reply_len) != B2B_PF_REPLY)
		goto drop;
	b->n.unknown_refused++;
	b->pf.refused++;
	pf_log(b, now, &rq.src);
	return B2B_PF_REPLY;
drop:
	b->n.unknown_dropped++;
	b->pf.dropped++;
	pf_log(b, now, &rq.src);
	return B2B_PF_DROP;
}

/*
 * The same look at each message on an accepted TCP or TLS connection
 * (sip_conn.h's judge): before Sofia's parser, which stalls a stream for
 * good after a message it cannot read (RFC 4475 lwsruri, bigcode, intmeth
 * left connections open and deaf).  The source is proven by the
 * handshake, so a malformed request gets its 400 (505) whoever sent it,
 * and the connection is closed (its framing cannot be trusted further);
 * a method Sofia does not know gets 501 and the connection goes on; a
 * stray response with a status no transaction could match is taken out.
 */
static enum sbc_sip_conn_verdict stream_judge(void *arg, int fd, const char *hdr, size_t len,
					      bool framing_ok, char *reply, size_t size,
					      size_t *reply_len)
{
	struct sbc_b2bua *b = arg;
	struct sbc_pf_msg m;

	(void)fd;
	*reply_len = 0;
	switch (sbc_prefilter_scan(hdr, len, b->cfg->sip.pike.max_headers, &m)) {
	case SBC_PF_TOO_MANY_HEADERS:
		b->n.prefilter_headers++;
		return SBC_SIP_CONN_CLOSE;
	case SBC_PF_OTHER:
		b->n.prefilter_malformed++;
		return SBC_SIP_CONN_CLOSE;     /* not SIP text where a message starts */
	case SBC_PF_RESPONSE:
		if (sbc_prefilter_status_ok(hdr, len))
			return SBC_SIP_CONN_PASS;
		b->n.prefilter_malformed++;
		return framing_ok ? SBC_SIP_CONN_DROP : SBC_SIP_CONN_CLOSE;
	case SBC_PF_MALFORMED:
	case SBC_PF_BAD_VERSION:
		b->n.prefilter_malformed++;
		if (strcmp(m.method, "ACK") != 0)
			(void)pf_reply(&m, hdr, m.kind == SBC_PF_BAD_VERSION ? 505 : 400,
				       m.kind == SBC_PF_BAD_VERSION ? "Version Not Supported" :
				       "Bad Request", reply, size, reply_len);
		return SBC_SIP_CONN_CLOSE;
	default:
		break;
	}
	if (!framing_ok) {
		b->n.prefilter_malformed++;
		(void)pf_reply(&m, hdr, 400, "Bad Content-Length", reply, size, reply_len);
		return SBC_SIP_CONN_CLOSE;
	}
	if (sbc_prefilter_method_known(m.method))
		return SBC_SIP_CONN_PASS;
	b->n.prefilter_unknown_method++;
	if (strcmp(m.method, "ACK") != 0)
		(void)pf_reply(&m, hdr, 501, "Not Implemented", reply, size, reply_len);
	return SBC_SIP_CONN_DROP;
}

void b2b_prefilter_stream_install(struct sbc_b2bua *b, struct sbc_sip_conn *g)
{
	sbc_sip_conn_set_judge(g, b != NULL ? stream_judge : NULL, b);
}

/* ---- setup, reload, counters ---- */

static struct sbc_pike_params pike_params(const struct sbc_config *cfg)
{
	return (struct sbc_pike_params){
		.threshold = cfg->sip.pike.threshold, .window_ms = cfg->sip.pike.window_ms,
		.block_ms = cfg->sip.pike.block_ms, .entries = cfg->sip.pike.entries,
		.ipv6_prefix_len = cfg->sip.pike.ipv6_prefix_len,
	};
}

int b2b_admission_init(struct sbc_b2bua *b)
{
	struct sbc_pike_params pp = pike_params(b->cfg);
	int rc = b2b_admission_trunks_reloaded(b);

	if (rc != 0)
		return rc;
	b->pike = sbc_pike_create(&pp);
	if (b->pike == NULL)
		return errno ? -errno : -ENOMEM;
	b->pf.last_ms = b2b_mono_ms();
	b->pf.tokens_milli = (uint64_t)b->cfg->sip.pike.unknown_reply_rate * 1000;
	pf_b2bua = b;
	return 0;
}

void b2b_admission_reconfigure(struct sbc_b2bua *b)
{
	struct sbc_pike_params pp = pike_params(b->cfg);

	if (b2b_admission_trunks_reloaded(b) != 0)
		SBC_LOG(ERR, B2B_LOG, "reload: out of memory for trunk state; "
			"trunks without it admit no call");
	if (sbc_pike_reconfigure(b->pike, &pp) != 0)
		SBC_LOG(ERR, B2B_LOG, "reload: sip.pike not applied");
}

void b2b_admission_destroy(struct sbc_b2bua *b)
{
	while (b->trunk_rt != NULL) {
		struct b2b_trunk_rt *t = b->trunk_rt;

		b->trunk_rt = t->next;
		b2b_keepalive_forget(t);
		free(t->name);
		free(t);
	}
	while (b->realms != NULL) {
		struct b2b_realm *r = b->realms;

		b->realms = r->next;
		sbc_digest_server_destroy(r->srv);
		free(r->realm);
		free(r);
	}
	sbc_pike_destroy(b->pike);
	b->pike = NULL;
	if (pf_b2bua == b)
		pf_b2bua = NULL;
}

/*
 * `sbcctl stats`, admission's lines: trunk identification verdicts and
 * digest, the per-source limit, call admission control per trunk.
 */
void b2b_admission_dump(struct sbc_b2bua *b, FILE *o)
{
	struct sbc_pike_stats ps;
	const struct b2b_trunk_rt *t;
	int i;

	fprintf(o, "auth");
	for (i = 0; i < SBC_TA__COUNT; i++)
		fprintf(o, " %s=%" PRIu64, sbc_trunk_auth_reason_name((enum sbc_trunk_auth_reason)i),
			b->auth_verdicts[i]);
	fprintf(o, " digest_challenges=%" PRIu64 " digest_failures=%" PRIu64 "\n",
		b->n.digest_challenges, b->n.digest_failures);
	sbc_pike_get_stats(b->pike, &ps);
	fprintf(o, "pike refused=%" PRIu64, b->n.pike_refused);
	for (i = 0; i < SBC_PIKE_VERDICT__COUNT; i++)
		fprintf(o, " %s=%" PRIu64, sbc_pike_verdict_name((enum sbc_pike_verdict)i),
			ps.verdicts[i]);
	fprintf(o, " sources=%u/%u\n", ps.in_use, ps.entries);
	for (t = b->trunk_rt; t != NULL; t = t->next) {
		fprintf(o, "cac trunk=%s active=%u", t->name, sbc_cac_calls_active(&t->cac.calls));
		for (i = 0; i < SBC_CAC_VERDICT__COUNT; i++)
			fprintf(o, " %s=%" PRIu64, sbc_cac_verdict_name((enum sbc_cac_verdict)i),
				t->cac.verdicts[i]);
		fprintf(o, "%s\n", t->retired ? " retired" : "");
	}
}
