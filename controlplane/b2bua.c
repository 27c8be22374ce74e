/* SPDX-License-Identifier: BSD-3-Clause
 * The B2BUA (b2bua.h): Sofia-SIP nua per SIP interface, calls relayed
 * between trunks of the two sides, media anchored through sbc-dataplane.
 *
 * Thread: all of this file runs on the su_root thread (sbc_b2bua_run()).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <limits.h>
#include <unistd.h>
#include <netinet/in.h>

#include <openssl/crypto.h>

struct sbc_b2bua;
struct b2b_sipif;
struct b2b_leg;

/* Sofia's callbacks hand back our own structs instead of void pointers. */
#define SU_ROOT_MAGIC_T struct sbc_b2bua
#define SU_WAKEUP_ARG_T void
#define NUA_MAGIC_T struct b2b_sipif
#define NUA_HMAGIC_T struct b2b_leg

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/tport_tag.h>

#include "b2bua.h"
#include "cac.h"
#include "cdr.h"
#include "digest.h"
#include "emergency.h"
#include "identity.h"
#include "multipart.h"
#include "sbc_api.h"
#include "sbc_dpclient.h"
#include "sbc_log.h"
#include "sdes.h"
#include "sdp.h"
#include "sip_tls.h"
#include "tenant.h"
#include "trunk_auth.h"

#define B2B_LOG "b2bua"
#define B2B_DP_TIMEOUT_MS 2000     /* bound of one data plane request */
#define B2B_SHUTDOWN_MS 5000       /* bound of the nua shutdown at exit */
#define B2B_URI_MAX 512
#define B2B_CALL_ID_MAX 128
#define B2B_CODECS_MAX 16
#define B2B_CTL_IO_MS 1000         /* bound of an sbcctl request: its line in, the answer out */
#define B2B_CTL_LINE_MAX 256

enum b2b_state {
	B2B_CALLING = 0,           /* INVITE sent to B, nothing back yet */
	B2B_EARLY,                 /* a provisional response relayed */
	B2B_ANSWERED,              /* 200 relayed to A */
	B2B_ENDED,                 /* media released, CDR written; handles may linger */
};

/* One SIP interface: its nua, bound to the interface's address. */
struct b2b_sipif {
	struct sbc_b2bua *b;
	const struct sbc_cfg_sip_if *cfg;
	const struct sbc_cfg_media_if *media;
	nua_t *nua;
	bool shutdown_done;
	bool tls;                  /* a TLS listener is served (and TLS trunks can be reached) */
	char host[64];             /* the interface address as a URI host */
};

struct b2b_call;

/*
 * SRTP of one m= line of one leg (SDES, RFC 4568).  `in` is the peer's
 * key (it protects what the peer sends, we unprotect with it), `out` ours
 * (we protect what we send the peer).  The *_pend keys belong to the offer
 * or answer in progress and replace in/out when that exchange completes
 * (srtp_commit()); suite SBC_API_SRTP_NONE means plain RTP.  All secret:
 * wiped when the call is freed, never logged.
 */
struct b2b_srtp {
	struct sbc_sdes_key in, out;
	struct sbc_sdes_key in_pend, out_pend;
	char value[SBC_SDES_VALUE_MAX];  /* our a=crypto value for out_pend */
	const char *valuep;              /* &value[0], for sbc_sdp_media_out.crypto */
};

/* One leg: a nua handle and the SDP history toward that peer. */
struct b2b_leg {
	struct b2b_call *call;
	struct b2b_sipif *sif;
	const struct sbc_cfg_trunk *trunk;
	nua_handle_t *nh;          /* NULL once destroyed (or never created) */
	bool ended;                /* BYE/CANCEL/final response exchanged: say nothing more */
	bool answered;             /* A: 200 sent; B: 200 received */
	char call_id[B2B_CALL_ID_MAX];
	uint32_t codecs[B2B_CODECS_MAX];
	struct sbc_sdp_policy pol;
	struct sbc_sdp_origin origin;
	struct sbc_sdp_desc theirs;        /* last SDP the peer sent */
	struct sbc_sdp_desc ours;          /* last SDP we sent it */
	bool have_theirs;
	bool have_ours;
	char ours_body[SBC_SDP_BODY_MAX];  /* text of ours, for same-version re-offers */
	struct sbc_sdp_media_out out[SBC_SDP_MEDIA_MAX];
	uint32_t ep[SBC_SDP_MEDIA_MAX];    /* data plane endpoint per m= line; 0 = none */
	bool tls;                          /* this leg's signalling is TLS: a=crypto allowed */
	struct b2b_srtp srtp[SBC_SDP_MEDIA_MAX];
};

/*
 * A re-INVITE relayed from one leg to the other: what its offer replaced,
 * restored if the other leg refuses it (the session stays as it was,
 * RFC 3261 section 14.1).
 */
struct b2b_reoffer {
	struct b2b_leg *from;      /* leg that sent the re-INVITE or UPDATE */
	struct b2b_leg *to;        /* leg we sent it on to */
	bool update;               /* UPDATE (RFC 3311) rather than re-INVITE */
	bool with_sdp;             /* it carried an offer (an UPDATE may not) */
	bool saved;                /* request holds the request to answer */
	/*
	 * The request of @from to answer: nua_respond() finds an INVITE by
	 * itself but any other request only through NUTAG_WITH().
	 */
	nua_saved_event_t request[1];
	struct sbc_sdp_desc from_theirs;
	struct sbc_sdp_desc to_theirs;
	struct sbc_sdp_desc to_ours;
	struct sbc_sdp_origin to_origin;
	char to_ours_body[SBC_SDP_BODY_MAX];
};

/*
 * A configuration generation: the one sbc-controlplane started with
 * (main() owns it) or one a SIGHUP loaded.  A call keeps the generation it
 * started under (its legs point at that generation's trunks) until it is
 * freed; a generation no call uses any more and that is not the current
 * one is freed then.
 */
struct b2b_gen {
	struct b2b_gen *next;
	struct sbc_config *owned;  /* NULL for the startup configuration */
	const struct sbc_config *cfg;
	struct sbc_tenants *tenants; /* index of cfg's tenants by domain */
	uint32_t refs;             /* calls started under it */
};

/*
 * Run-time state of a trunk, kept by name across reloads: its call
 * admission control (calls-per-minute bucket, concurrent calls, verdict
 * counters).  A trunk a reload removed is retired and freed when its last
 * call ends.
 */
struct b2b_trunk_rt {
	struct b2b_trunk_rt *next;
	char *name;
	bool retired;
	struct sbc_cac_trunk cac;
	uint64_t refused_auth;     /* 401/403/407 on requests identified as this trunk's */
};

/* What B's INVITE says about the caller and the called number (call_identity()). */
struct b2b_ident {
	char ruser[SBC_ID_USER_MAX];   /* Request-URI user part toward B */
	bool user_phone;               /* ;user=phone on B's Request-URI */
	char fuser[SBC_ID_USER_MAX];   /* From user part toward B */
	bool anonymous;                /* From := SBC_ID_ANONYMOUS_FROM */
	char pai[B2B_URI_MAX];         /* "P-Asserted-Identity: <...>", or "" */
	char privacy[160];             /* "Privacy: ...", or "" */
	char geo[2][B2B_URI_MAX];      /* Geolocation, Geolocation-Routing (emergency) */
};

/* B's INVITE, kept to send it again after a redirect (3xx). */
struct b2b_b_invite {
	struct b2b_ident id;
	/*
	 * A multipart/mixed body (SDP + PIDF-LO, say) as A sent it: B gets it
	 * with only the SDP part's content replaced by ours.  NULL otherwise.
	 */
	char *mp_body;                 /* malloc'd copy, NUL-terminated */
	size_t mp_sdp_off, mp_sdp_end; /* the SDP part's content in mp_body */
	char mp_ctype[128];            /* multipart/mixed;boundary="..." */
	char from[B2B_URI_MAX];
	char to[B2B_URI_MAX];
	char pem[160];                 /* P-Early-Media to relay, or "" */
};

/* A digest realm we challenge PBXs in, and its nonce server. */
struct b2b_realm {
	struct b2b_realm *next;
	char *realm;
	struct sbc_digest_server *srv;
};

struct b2b_call {
	struct b2b_call *next;
	struct b2b_call **pprev;   /* the pointer to this call in the list: O(1) unlink */
	struct sbc_b2bua *b;
	struct b2b_gen *gen;       /* the configuration the call started under */
	struct b2b_trunk_rt *rt[2];/* CAC state the call counts in, per leg; NULL = none */
	bool emergency;            /* an emergency number: no limits, identity never withheld */
	uint32_t redirects;        /* 3xx from B acted on (a new INVITE each) */
	bool b_auth_tried;         /* our digest answer to B's 401/407 was sent */
	struct b2b_b_invite binv;  /* B's INVITE (identity, From, To) */
	uint32_t no;               /* for logs */
	enum b2b_state state;
	struct b2b_leg leg[2];     /* [0] = A (caller), [1] = B (callee) */
	uint32_t n_media;
	uint32_t session[SBC_SDP_MEDIA_MAX]; /* data plane session per m= line; 0 = none */
	uint64_t start_ms;
	uint64_t answer_ms;
	struct sbc_cdr_leg stats[2];
	struct b2b_reoffer *reoffer;   /* a re-INVITE or UPDATE in progress; NULL when none */
	/*
	 * Late offer (A's INVITE without SDP): B got our template offer, A gets
	 * an offer built from B's answer in the 200 and answers in its ACK;
	 * ack_pending until then (the data plane is bound on that ACK).
	 */
	bool late_offer;
	bool ack_pending;
};

struct sbc_b2bua {
	const struct sbc_config *cfg;  /* the current generation's (gen->cfg) */
	const struct sbc_config *startup_cfg; /* SIP interfaces point into it */
	struct b2b_gen *gen;           /* current */
	struct b2b_gen *old_gens;      /* replaced, still used by calls */
	uint32_t reloads;              /* accepted */
	uint32_t reloads_refused;
	struct b2b_trunk_rt *trunk_rt; /* one per configured trunk, plus retired ones */
	struct sbc_pike *pike;         /* per-source limit for unauthenticated requests */
	struct b2b_realm *realms;      /* digest servers, one per realm we challenge for */
	uint64_t auth_verdicts[SBC_TA__COUNT];
	uint64_t pike_refused;
	uint64_t digest_challenges;
	uint64_t digest_failures;
	su_root_t *root;
	struct b2b_sipif *sif;
	uint32_t n_sif;
	struct sbc_dpclient *dp;
	su_wait_t dp_wait;
	int dp_index;              /* su_root registration; 0 = none */
	int sig_fd;
	su_wait_t sig_wait;
	int sig_index;
	int ctl_fd;                /* sbcctl's listening socket; -1 = none */
	su_wait_t ctl_wait;
	int ctl_index;
	bool ctl_bound;            /* the socket file is ours to unlink */
	sigset_t old_mask;
	struct sbc_cdr *cdr;
	struct sbc_sip_tls *tls;   /* TLS material for Sofia; NULL when no TLS listener */
	struct b2b_call *calls;
	uint32_t n_calls;
	uint32_t next_call_no;
	int exit_rc;
	bool stopping;
	bool su_inited;
};

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t random_u64(void)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = wall_ms() ^ ((uint64_t)getpid() << 32);
	return v >> 1;  /* o= sess-id: keep it within a signed 64-bit range */
}

static const char *leg_name(const struct b2b_leg *l)
{
	return l == &l->call->leg[0] ? "a" : "b";
}

static struct b2b_leg *other_leg(struct b2b_leg *l)
{
	return l == &l->call->leg[0] ? &l->call->leg[1] : &l->call->leg[0];
}

/* NULL is allowed. */
static void reoffer_free(struct b2b_reoffer *ro)
{
	if (ro == NULL)
		return;
	if (ro->saved)
		nua_destroy_event(ro->request);
	sbc_sdp_desc_wipe(&ro->from_theirs);
	sbc_sdp_desc_wipe(&ro->to_theirs);
	free(ro);
}

/* ---- data plane ---- */

static void dp_drain_events(struct sbc_b2bua *b);

/* Release the media of a call once; the counters are read first for the CDR. */
static void call_release_media(struct b2b_call *c)
{
	struct sbc_b2bua *b = c->b;
	struct sbc_api_stats_resp st;
	uint32_t i;
	int l, rc;

	for (i = 0; i < SBC_SDP_MEDIA_MAX; i++) {
		if (c->session[i] != 0 && b->dp != NULL) {
			rc = sbc_dpclient_stats(b->dp, c->session[i], &st);
			if (rc == 0) {
				for (l = 0; l < 2; l++) {
					c->stats[l].packets += st.leg[l].packets;
					c->stats[l].bytes += st.leg[l].bytes;
					c->stats[l].lost += st.leg[l].lost;
					if (st.leg[l].jitter_us > c->stats[l].jitter_us)
						c->stats[l].jitter_us = st.leg[l].jitter_us;
				}
			} else {
				SBC_LOG(WARN, B2B_LOG, "call %u: STATS of session %u: %d",
					c->no, c->session[i], rc);
			}
			rc = sbc_dpclient_release(b->dp, c->session[i], 0);
			if (rc != 0)
				SBC_LOG(WARN, B2B_LOG, "call %u: RELEASE of session %u: %d",
					c->no, c->session[i], rc);
			/* A session owns both its endpoints. */
			c->leg[0].ep[i] = 0;
			c->leg[1].ep[i] = 0;
			c->session[i] = 0;
		}
		for (l = 0; l < 2; l++) {
			if (c->leg[l].ep[i] == 0)
				continue;
			if (b->dp != NULL) {
				rc = sbc_dpclient_release(b->dp, 0, c->leg[l].ep[i]);
				if (rc != 0)
					SBC_LOG(WARN, B2B_LOG, "call %u: RELEASE of endpoint %u: %d",
						c->no, c->leg[l].ep[i], rc);
			}
			c->leg[l].ep[i] = 0;
		}
	}
}

/* ---- configuration generations, trunk run-time state ---- */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
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
			free(t->name);
			free(t);
		} else {
			pp = &t->next;
		}
	}
}

/*
 * The trunks of b->cfg get their run-time state: kept (with the new
 * limits) for a trunk of the same name, fresh for a new one; trunks no
 * longer configured are retired.  Returns 0 or -ENOMEM (state of trunks
 * already processed stays; the missing ones admit no call).
 */
static int b2b_trunks_reloaded(struct sbc_b2bua *b)
{
	const struct sbc_config *cfg = b->cfg;
	struct b2b_trunk_rt *t;
	uint64_t now = mono_ms();
	uint32_t i;
	int rc = 0;

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
	return rc;
}

/* An admitted call is over: its places on both trunks are free again. */
static void call_release_cac(struct b2b_call *c)
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

static void gen_unref(struct sbc_b2bua *b, struct b2b_gen *g)
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
	sbc_tenants_destroy(g->tenants);
	sbc_config_free(g->owned);  /* NULL (the startup one) is main()'s */
	free(g);
}

/* ---- call life ---- */

static void call_write_cdr(struct b2b_call *c, const char *disposition, int cause,
			   const char *ended_by)
{
	struct sbc_cdr_record r = {
		.call_id_a = c->leg[0].call_id,
		.call_id_b = c->leg[1].call_id,
		.trunk_a = c->leg[0].trunk ? c->leg[0].trunk->name : "",
		.trunk_b = c->leg[1].trunk ? c->leg[1].trunk->name : "",
		.start_ms = c->start_ms,
		.answer_ms = c->answer_ms,
		.end_ms = wall_ms(),
		.disposition = disposition,
		.sip_cause = cause,
		.ended_by = ended_by,
	};
	int rc;

	r.leg[0] = c->stats[0];
	r.leg[1] = c->stats[1];
	if (c->b->cdr == NULL)
		return;
	rc = sbc_cdr_write(c->b->cdr, &r);
	if (rc != 0)
		SBC_LOG(ERR, B2B_LOG, "call %u: CDR write failed: %s", c->no, strerror(-rc));
}

/*
 * The call is over as far as media and accounting go: read the counters,
 * release the data plane resources and write the CDR, exactly once.  The
 * nua handles finish their transactions on their own and are destroyed
 * when nua reports them terminated.
 */
static void call_end(struct b2b_call *c, const char *disposition, int cause,
		     const char *ended_by)
{
	if (c->state == B2B_ENDED)
		return;
	c->state = B2B_ENDED;
	call_release_media(c);
	call_release_cac(c);
	call_write_cdr(c, disposition, cause, ended_by);
	SBC_LOG(INFO, B2B_LOG, "call %u: ended: %s, cause %d, by %s; packets a=%" PRIu64
		" b=%" PRIu64, c->no, disposition, cause, ended_by, c->stats[0].packets,
		c->stats[1].packets);
}

static void call_maybe_free(struct b2b_call *c)
{
	if (c->state != B2B_ENDED || c->leg[0].nh != NULL || c->leg[1].nh != NULL)
		return;
	*c->pprev = c->next;
	if (c->next != NULL)
		c->next->pprev = c->pprev;
	c->b->n_calls--;
	gen_unref(c->b, c->gen);
	free(c->binv.mp_body);
	reoffer_free(c->reoffer);
	/* SDP texts and SRTP keys: nothing secret stays in freed memory. */
	sbc_sdes_wipe(c, sizeof(*c));
	free(c);
}

/*
 * End the signalling toward one leg: BYE once it is answered, otherwise an
 * error response (A) or CANCEL (B).
 */
static void leg_hangup(struct b2b_leg *l, int status, const char *phrase)
{
	if (l->nh == NULL || l->ended)
		return;
	l->ended = true;
	if (l->answered)
		nua_bye(l->nh, TAG_END());
	else if (l == &l->call->leg[0])
		nua_respond(l->nh, status, phrase, TAG_END());
	else
		nua_cancel(l->nh, TAG_END());
}

static struct b2b_call *call_new(struct sbc_b2bua *b)
{
	struct b2b_call *c;
	int l;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->b = b;
	c->gen = b->gen;
	c->gen->refs++;
	c->no = ++b->next_call_no;
	c->start_ms = wall_ms();
	for (l = 0; l < 2; l++)
		c->leg[l].call = c;
	c->next = b->calls;
	if (c->next != NULL)
		c->next->pprev = &c->next;
	c->pprev = &b->calls;
	b->calls = c;
	b->n_calls++;
	return c;
}

/* ---- routing ---- */

static int ip_from_sockaddr(struct sbc_ip *ip, const su_sockaddr_t *sa)
{
	memset(ip, 0, sizeof(*ip));
	if (sa->su_family == AF_INET) {
		ip->family = 4;
		memcpy(ip->bytes, &sa->su_sin.sin_addr, 4);
		return 0;
	}
	if (sa->su_family == AF_INET6) {
		ip->family = 6;
		memcpy(ip->bytes, &sa->su_sin6.sin6_addr, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

/*
 * From a target ("host[:port][;params]" or a SIP URI), the part after the
 * scheme and any user: what follows '@' in the Request-URI.
 */
static const char *target_hostpart(const char *target)
{
	const char *p = target, *at;

	if (strncasecmp(p, "sip:", 4) == 0)
		p += 4;
	else if (strncasecmp(p, "sips:", 5) == 0)
		p += 5;
	at = strchr(p, '@');
	return at != NULL ? at + 1 : p;
}

/* Whether @target's host, as written (an IPv6 one with its brackets), is @host. */
static bool target_host_is(const char *target, const char *host)
{
	const char *hp = target_hostpart(target);
	size_t len;

	if (hp[0] == '[') {
		const char *end = strchr(hp, ']');

		len = end != NULL ? (size_t)(end - hp) + 1 : strlen(hp);
	} else {
		len = strcspn(hp, ":;");
	}
	/* Host names are case-insensitive (RFC 3261 19.1.4). */
	return len > 0 && strlen(host) == len && strncasecmp(hp, host, len) == 0;
}

/*
 * The trunk of the other side whose first target's host is the
 * Request-URI's @ruri_host (NULL: none asked for); failing that, the first
 * trunk of the other side that has a target.
 */
static const struct sbc_cfg_trunk *trunk_route(const struct sbc_config *cfg,
					       const struct sbc_cfg_trunk *from,
					       const char *ruri_host)
{
	const struct sbc_cfg_trunk *first = NULL;
	uint32_t t;

	for (t = 0; t < cfg->n_trunks; t++) {
		const struct sbc_cfg_trunk *tr = &cfg->trunks[t];

		if (tr->side == from->side || tr->n_targets == 0)
			continue;
		if (ruri_host != NULL && target_host_is(tr->targets[0], ruri_host))
			return tr;
		if (first == NULL)
			first = tr;
	}
	return first;
}

static struct b2b_sipif *sipif_find(struct sbc_b2bua *b, const char *name)
{
	uint32_t i;

	for (i = 0; i < b->n_sif; i++)
		if (strcmp(b->sif[i].cfg->name, name) == 0)
			return &b->sif[i];
	return NULL;
}

/* Codecs of @mine, in its order, that @other allows too. */
static void policy_init(struct b2b_leg *l, const struct sbc_cfg_trunk *mine,
			const struct sbc_cfg_trunk *other)
{
	uint32_t i, j, n = 0;

	for (i = 0; i < mine->n_codecs && n < B2B_CODECS_MAX; i++)
		for (j = 0; j < other->n_codecs; j++)
			if (mine->codecs[i] == other->codecs[j]) {
				l->codecs[n++] = mine->codecs[i];
				break;
			}
	l->pol.codecs = l->codecs;
	l->pol.n_codecs = n;
	l->pol.cn_allowed = false;
	/* Keys are never relayed: each leg gets ours (srtp_offer_to(), srtp_take_offer()). */
	l->pol.strip_crypto = true;
}

static bool desc_has_cn(const struct sbc_sdp_desc *d)
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
static const struct sbc_ip *media_addr(const struct b2b_sipif *sif)
{
	const struct sbc_cfg_media_if *m = sif->media;

	if (sif->cfg->address.family == 6 && m->ipv6.ip.family != 0)
		return &m->ipv6.ip;
	return m->ipv4.ip.family != 0 ? &m->ipv4.ip : &m->ipv6.ip;
}

/* Allocate the endpoints of every anchored m= line on both sides. */
static int call_alloc_media(struct b2b_call *c)
{
	struct b2b_leg *a = &c->leg[0], *bl = &c->leg[1];
	struct sbc_api_alloc_ep r;
	uint32_t i;
	int rc;

	c->n_media = a->theirs.n_media;
	for (i = 0; i < c->n_media; i++) {
		const struct sbc_sdp_media *m = &a->theirs.media[i];

		if (!sbc_sdp_media_wanted(m, &bl->pol) || !sbc_sdp_media_wanted(m, &a->pol))
			continue;
		rc = sbc_dpclient_alloc(c->b->dp, a->sif->media->name,
					media_addr(a->sif)->family, m->rtcp_mux, &r);
		if (rc != 0)
			return rc;
		a->ep[i] = r.endpoint_id;
		a->out[i].local = r.local;
		a->out[i].local_rtcp_port = r.local_rtcp_port;
		a->out[i].rtcp_mux = m->rtcp_mux;
		a->out[i].proto = SBC_SDP_PROTO_RTP_AVP;
		/* Toward B we offer separate RTCP: rtcp-mux is optional to support. */
		rc = sbc_dpclient_alloc(c->b->dp, bl->sif->media->name,
					media_addr(bl->sif)->family, false, &r);
		if (rc != 0)
			return rc;
		bl->ep[i] = r.endpoint_id;
		bl->out[i].local = r.local;
		bl->out[i].local_rtcp_port = r.local_rtcp_port;
		bl->out[i].rtcp_mux = false;
		bl->out[i].proto = SBC_SDP_PROTO_RTP_AVP;
	}
	return 0;
}

/*
 * Late offer: one audio m= line, the one sbc_sdp_build_template() offers;
 * separate RTCP on both sides (our offers never ask for rtcp-mux).
 */
static int call_alloc_media_late(struct b2b_call *c)
{
	struct sbc_api_alloc_ep r;
	int l, rc;

	c->n_media = 1;
	for (l = 0; l < 2; l++) {
		struct b2b_leg *leg = &c->leg[l];

		rc = sbc_dpclient_alloc(c->b->dp, leg->sif->media->name,
					media_addr(leg->sif)->family, false, &r);
		if (rc != 0)
			return rc;
		leg->ep[0] = r.endpoint_id;
		leg->out[0].local = r.local;
		leg->out[0].local_rtcp_port = r.local_rtcp_port;
		leg->out[0].rtcp_mux = false;
		leg->out[0].proto = SBC_SDP_PROTO_RTP_AVP;
	}
	return 0;
}

/* ---- SRTP (SDES) ---- */

/*
 * Per-trunk SRTP policy (REQUIREMENTS.md "SRTP"), per anchored audio line:
 *   off        plain RTP only: an RTP/SAVP offer from the trunk gets 488,
 *              our offers to it are RTP/AVP;
 *   optional   the trunk's offers may be either; our offers to it are
 *              RTP/SAVP when the other leg's line is SRTP, else RTP/AVP;
 *   mandatory  SRTP only: an RTP/AVP offer from the trunk gets 488, our
 *              offers to it are always RTP/SAVP.
 * a=crypto travels only on TLS legs: an RTP/SAVP offer over UDP or TCP is
 * refused (488) whatever the policy, and we never offer SRTP on such a leg
 * (a mandatory policy on a plain leg fails the call).  Keys are never
 * relayed between legs: every offer and answer we send carries a fresh key
 * of ours, so the data plane decrypts with one leg's key and encrypts with
 * the other's (RTP<->SRTP interworking included); a re-INVITE re-keys.
 */

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

/*
 * Leg @l offered @d: take its keys and make ours for the answer.  Returns
 * 0 or a negative SIP status (488: refused by policy or transport; 500:
 * no randomness).
 */
static int srtp_take_offer(struct b2b_call *c, struct b2b_leg *l, const struct sbc_sdp_desc *d)
{
	uint32_t i;

	for (i = 0; i < c->n_media && i < d->n_media; i++) {
		const struct sbc_sdp_media *m = &d->media[i];
		struct b2b_srtp *s = &l->srtp[i];

		srtp_clear_pend(l, i);
		if (!srtp_line(l, i, m) || m->rejected)
			continue;
		if (m->proto != SBC_SDP_PROTO_RTP_SAVP) {
			if (l->trunk->srtp == SBC_SRTP_MANDATORY) {
				SBC_LOG(NOTICE, B2B_LOG, "call %u: %s offered RTP on line %u, "
					"trunk %s requires SRTP: 488", c->no, leg_name(l), i,
					l->trunk->name);
				return -488;
			}
			continue;
		}
		if (!l->tls || l->trunk->srtp == SBC_SRTP_OFF) {
			SBC_LOG(NOTICE, B2B_LOG, "call %u: SRTP offered by %s on line %u refused "
				"(%s): 488", c->no, leg_name(l), i,
				!l->tls ? "keys over a plain transport" : "trunk policy off");
			return -488;
		}
		if (sbc_sdes_select(d, m, &s->in_pend) != 0) {
			SBC_LOG(NOTICE, B2B_LOG, "call %u: no usable a=crypto from %s on line %u: "
				"488", c->no, leg_name(l), i);
			return -488;
		}
		if (srtp_new_out(l, i, s->in_pend.tag, s->in_pend.suite) != 0)
			return -500;
	}
	return 0;
}

/*
 * What we offer leg @to on each anchored audio line: RTP/SAVP with a fresh
 * key, or RTP/AVP, per the trunk policy and the line of @from (the leg
 * whose SDP the offer is built from; NULL for our late-offer template).
 * Returns 0 or a negative SIP status.
 */
static int srtp_offer_to(struct b2b_call *c, struct b2b_leg *to, const struct b2b_leg *from)
{
	uint32_t i;

	for (i = 0; i < c->n_media; i++) {
		bool want;

		srtp_clear_pend(to, i);
		to->out[i].proto = SBC_SDP_PROTO_RTP_AVP;
		if (to->ep[i] == 0)
			continue;
		switch (to->trunk->srtp) {
		case SBC_SRTP_MANDATORY:
			want = true;
			break;
		case SBC_SRTP_OPTIONAL:
			want = from != NULL && from->srtp[i].in_pend.suite != SBC_API_SRTP_NONE;
			break;
		default:
			want = false;
			break;
		}
		if (!want)
			continue;
		if (!to->tls) {
			SBC_LOG(WARN, B2B_LOG, "call %u: trunk %s requires SRTP but %s is not TLS",
				c->no, to->trunk->name, leg_name(to));
			return -488;
		}
		to->out[i].proto = SBC_SDP_PROTO_RTP_SAVP;
		if (srtp_new_out(to, i, 1, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80) != 0)
			return -500;
	}
	return 0;
}

/*
 * Leg @l answered our offer with @d: its key for every line we offered
 * SRTP on.  Returns 0 or -488 (an answer that drops or mangles SRTP).
 */
static int srtp_take_answer(struct b2b_call *c, struct b2b_leg *l, const struct sbc_sdp_desc *d)
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
			if (m->proto == SBC_SDP_PROTO_RTP_SAVP) {
				SBC_LOG(NOTICE, B2B_LOG, "call %u: %s answered RTP/SAVP to RTP/AVP "
					"on line %u: 488", c->no, leg_name(l), i);
				return -488;
			}
			continue;
		}
		if (m->proto != SBC_SDP_PROTO_RTP_SAVP ||
		    sbc_sdes_find_answer(d, m, s->out_pend.tag, s->out_pend.suite,
					 &s->in_pend) != 0) {
			SBC_LOG(NOTICE, B2B_LOG, "call %u: %s's answer on line %u has no matching "
				"a=crypto: 488", c->no, leg_name(l), i);
			return -488;
		}
	}
	return 0;
}

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

static bool leg_is_srtp(const struct b2b_leg *l)
{
	uint32_t i;

	for (i = 0; i < SBC_SDP_MEDIA_MAX; i++)
		if (l->srtp[i].in.suite != SBC_API_SRTP_NONE)
			return true;
	return false;
}

static void leg_fill_api(const struct b2b_leg *l, uint32_t i, struct sbc_api_leg *al)
{
	al->endpoint_id = l->ep[i];
	al->latching = (uint8_t)l->trunk->latching;
	al->relearn_gap_ms = l->trunk->relearn_gap_ms;
	sbc_sdes_to_api(&l->srtp[i].in, &al->srtp_in);
	sbc_sdes_to_api(&l->srtp[i].out, &al->srtp_out);
}

/* BIND (first time) or UPDATE every anchored stream from the current SDP. */
static int call_program_media(struct b2b_call *c)
{
	struct b2b_leg *a = &c->leg[0], *bl = &c->leg[1];
	struct sbc_api_leg la, lb;
	uint32_t i;
	int rc = 0;

	srtp_commit(c);
	for (i = 0; i < c->n_media; i++) {
		if (a->ep[i] == 0 || bl->ep[i] == 0)
			continue;
		memset(&la, 0, sizeof(la));
		memset(&lb, 0, sizeof(lb));
		rc = sbc_sdp_plan_media(&a->theirs, &a->ours, &bl->theirs, &bl->ours, i,
					&la, &lb);
		if (rc < 0)
			break;
		leg_fill_api(a, i, &la);
		leg_fill_api(bl, i, &lb);
		if (c->session[i] == 0) {
			if (rc == 0)
				continue;  /* rejected on one side: endpoints released at the end */
			rc = sbc_dpclient_bind(c->b->dp, &la, &lb,
					       c->b->cfg->dataplane.media_timeout_ms,
					       &c->session[i]);
		} else {
			rc = sbc_dpclient_update(c->b->dp, c->session[i], SBC_API_UPDATE_LEG_A |
						 SBC_API_UPDATE_LEG_B, &la, &lb, 0);
		}
		if (rc != 0) {
			SBC_LOG(ERR, B2B_LOG, "call %u: %s of m= line %u: %d", c->no,
				c->session[i] ? "UPDATE" : "BIND", i, rc);
			rc = rc > 0 ? -EIO : rc;
			break;
		}
	}
	/* The API legs carried SRTP keys. */
	sbc_sdes_wipe(&la, sizeof(la));
	sbc_sdes_wipe(&lb, sizeof(lb));
	return rc;
}

/*
 * B's answer (in a 18x or the 200) into the answer for A; the data plane is
 * programmed from the finished exchange.  Returns the body length in
 * a->ours_body, or a negative SIP status to fail the call with.
 */
static int call_take_answer(struct b2b_call *c, const sip_payload_t *pl)
{
	struct b2b_leg *a = &c->leg[0], *bl = &c->leg[1];
	struct sbc_sdp_error err;
	int n;

	if (sbc_sdp_parse(&bl->theirs, pl->pl_data, pl->pl_len, &err) != 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: SDP from b refused: %s (line %u)", c->no,
			sbc_sdp_error_str(err.code), err.line);
		return -488;
	}
	bl->have_theirs = true;
	n = srtp_take_answer(c, bl, &bl->theirs);
	if (n != 0)
		return n;
	n = sbc_sdp_build_answer(&a->theirs, &bl->ours, &bl->theirs, &a->pol, a->out,
				 c->n_media, &a->origin, a->ours_body, sizeof(a->ours_body),
				 &a->ours, &err);
	if (n < 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: answer to a not built: %s", c->no,
			sbc_sdp_error_str(err.code));
		return -sbc_sdp_error_sip_status(err.code);
	}
	a->have_ours = true;
	if (call_program_media(c) != 0)
		return -500;
	return n;
}

/*
 * Late offer, B's answer to our template (in the 200): the offer to A is
 * built from it (sbc_sdp_build_offer() takes an answer as well as an
 * offer); the data plane waits for A's answer in the ACK.  Returns the
 * body length in a->ours_body, or a negative SIP status.
 */
static int call_take_late_answer(struct b2b_call *c, const sip_payload_t *pl)
{
	struct b2b_leg *a = &c->leg[0], *bl = &c->leg[1];
	struct sbc_sdp_error err;
	int n;

	if (sbc_sdp_parse(&bl->theirs, pl->pl_data, pl->pl_len, &err) != 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: SDP from b refused: %s (line %u)", c->no,
			sbc_sdp_error_str(err.code), err.line);
		return -488;
	}
	if (bl->theirs.n_media != c->n_media) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: answer from b does not match our offer",
			c->no);
		return -488;
	}
	bl->have_theirs = true;
	n = srtp_take_answer(c, bl, &bl->theirs);
	if (n == 0)
		n = srtp_offer_to(c, a, bl);
	if (n != 0)
		return n;
	n = sbc_sdp_build_offer(&bl->theirs, &a->pol, a->out, c->n_media, &a->origin,
				a->ours_body, sizeof(a->ours_body), &a->ours, &err);
	if (n < 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: offer to a not built: %s", c->no,
			sbc_sdp_error_str(err.code));
		return -sbc_sdp_error_sip_status(err.code);
	}
	a->have_ours = true;
	return n;
}

/* ---- SIP events ---- */

/*
 * The reason phrase relayed with a status: the standard one, never the
 * peer's text.  nua_respond() keeps the phrase pointer until its queued
 * signal runs, after the event that carried the peer's phrase is freed, so
 * only static strings may be passed.
 */
static const char *relay_phrase(int status)
{
	const char *p = sip_status_phrase(status);

	if (p != NULL)
		return p;
	if (status < 200)
		return "Session Progress";
	if (status < 300)
		return "OK";
	if (status < 400)
		return "Redirection";
	if (status < 500)
		return "Request Failure";
	if (status < 600)
		return "Server Failure";
	return "Global Failure";
}

static void sdp_respond(nua_handle_t *nh, int status, const char *phrase, const char *body)
{
	nua_respond(nh, status, phrase,
		    TAG_IF(body != NULL, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
		    TAG_IF(body != NULL, SIPTAG_PAYLOAD_STR(body)),
		    TAG_END());
}

static bool has_sdp(const sip_t *sip)
{
	return sip != NULL && sip->sip_payload != NULL && sip->sip_payload->pl_len > 0;
}

/*
 * P-Early-Media (RFC 5009) of @sip, rebuilt as "P-Early-Media: v1, v2"
 * in @buf from the parameters RFC 5009 defines; false when absent or when
 * it holds anything else (the peer's text is never copied as it is).
 */
static bool early_media_header(const sip_t *sip, char *buf, size_t size)
{
	static const char *const known[] = {
		"supported", "sendrecv", "sendonly", "recvonly", "inactive", "gated",
	};
	const sip_unknown_t *u;
	char val[128], *tok, *save = NULL;
	size_t used, k;
	bool any = false;

	if (sip == NULL)
		return false;
	for (u = sip->sip_unknown; u != NULL; u = u->un_next)
		if (u->un_name != NULL && strcasecmp(u->un_name, "P-Early-Media") == 0)
			break;
	if (u == NULL || u->un_value == NULL || strlen(u->un_value) >= sizeof(val))
		return false;
	snprintf(val, sizeof(val), "%s", u->un_value);
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

/* Fail a call before B was reached: answer A, account for it. */
static void call_reject(struct b2b_call *c, int status, const char *phrase,
			const char *disposition)
{
	leg_hangup(&c->leg[0], status, phrase);
	call_end(c, disposition, status, "sbc");
}

/* ---- who calls: trunk identification, digest, per-source limit ---- */

/* The value of the first header @name (any case) Sofia did not parse itself. */
static const char *hdr_value(const sip_t *sip, const char *name)
{
	const sip_unknown_t *u;

	for (u = sip != NULL ? sip->sip_unknown : NULL; u != NULL; u = u->un_next)
		if (u->un_name != NULL && strcasecmp(u->un_name, name) == 0)
			return u->un_value;
	return NULL;
}

/*
 * The Request-URI as received (digest's uri parameter must equal it):
 * Sofia prints a parsed URL back in the form it was read.
 */
static bool request_uri_str(const sip_t *sip, char *buf, size_t size)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char *u = sip->sip_request != NULL ? url_as_string(home, sip->sip_request->rq_url) : NULL;
	bool ok = u != NULL && strlen(u) < size;

	if (ok)
		memcpy(buf, u, strlen(u) + 1);
	su_home_deinit(home);
	return ok;
}

static enum sbc_transport via_transport(const sip_t *sip)
{
	const char *p = sip->sip_via != NULL ? sip->sip_via->v_protocol : NULL;

	if (p != NULL && strcasecmp(p, "SIP/2.0/TLS") == 0)
		return SBC_TRANSPORT_TLS;
	if (p != NULL && strcasecmp(p, "SIP/2.0/TCP") == 0)
		return SBC_TRANSPORT_TCP;
	return SBC_TRANSPORT_UDP;
}

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

	b->digest_challenges++;
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
	const char *realm = t != NULL ? trunk_realm(t) : NULL;
	int rc;

	if (sip->sip_proxy_authorization == NULL) {
		if (realm == NULL) {
			/* a credentials-only PBX: the first such trunk's realm */
			uint32_t i;

			for (i = 0; i < b->cfg->n_trunks && realm == NULL; i++)
				if (b->cfg->trunks[i].inbound_auth.username != NULL &&
				    strcmp(b->cfg->trunks[i].interface, sif->cfg->name) == 0)
					realm = trunk_realm(&b->cfg->trunks[i]);
		}
		respond_challenge(b, nh, realm != NULL ? realm : "rampart", false);
		return NULL;
	}
	/*
	 * The value rebuilt from Sofia's scheme and parameters (its printer
	 * drops some parameters): "Digest name=value, ...".
	 */
	rc = auth_value(sip->sip_proxy_authorization, value, sizeof(value));
	if (rc == 0)
		rc = sbc_digest_parse_credentials(value, &cr);
	OPENSSL_cleanse(value, sizeof(value));
	if (rc != 0 || !request_uri_str(sip, uri, sizeof(uri))) {
		b->digest_failures++;
		SBC_LOG(NOTICE, B2B_LOG, "INVITE on %s: Proxy-Authorization unusable (%s): 400",
			sif->cfg->name, rc != 0 ? strerror(-rc) : "Request-URI");
		nua_respond(nh, 400, "Bad Request", TAG_END());
		return NULL;
	}
	if (who == NULL)
		who = sbc_trunk_auth_by_username(b->cfg, sif->cfg->name, cr.username);
	if (who == NULL || who->inbound_auth.username == NULL ||
	    strcmp(cr.username, who->inbound_auth.username) != 0) {
		b->digest_failures++;
		nua_respond(nh, 403, "Forbidden", TAG_END());
		OPENSSL_cleanse(&cr, sizeof(cr));
		return NULL;
	}
	srv = realm_server(b, trunk_realm(who));
	v = srv != NULL ? sbc_digest_verify(srv, &cr, "INVITE", uri, who->inbound_auth.password,
					    (uint64_t)time(NULL)) : SBC_DIGEST_BAD_RESPONSE;
	OPENSSL_cleanse(&cr, sizeof(cr));
	switch (v) {
	case SBC_DIGEST_OK:
		return who;
	case SBC_DIGEST_STALE:
	case SBC_DIGEST_BAD_NONCE:
	case SBC_DIGEST_WRONG_REALM:
		respond_challenge(b, nh, trunk_realm(who), v == SBC_DIGEST_STALE);
		return NULL;
	case SBC_DIGEST_URI_MISMATCH:
		b->digest_failures++;
		nua_respond(nh, 400, "Bad Request", TAG_END());
		return NULL;
	default:
		b->digest_failures++;
		SBC_LOG(NOTICE, B2B_LOG, "INVITE on %s: digest for trunk %s refused (%s): 403",
			sif->cfg->name, who->name, sbc_digest_verdict_name(v));
		nua_respond(nh, 403, "Forbidden", TAG_END());
		return NULL;
	}
}

/*
 * The trunk an initial INVITE comes from (trunk_auth.h: key over TLS,
 * source address, digest), or NULL once it has been answered (403, 407,
 * 503 from the per-source limit) or, per sip.unknown_source, left
 * unanswered.  Requests from sources no trunk lists count against the
 * per-source limit before anything else is spent on them.
 */
static const struct sbc_cfg_trunk *caller_trunk(struct b2b_sipif *sif, nua_handle_t *nh,
						const sip_t *sip, const struct sbc_ip *src)
{
	struct sbc_b2bua *b = sif->b;
	struct sbc_trunk_auth_request rq;
	struct sbc_trunk_auth_result ar;
	enum sbc_pike_verdict pv;
	char ipbuf[64];
	int status;

	memset(&rq, 0, sizeof(rq));
	rq.interface = sif->cfg->name;
	rq.src = *src;
	rq.transport = via_transport(sip);
	rq.trunk_group_id = hdr_value(sip, SBC_TRUNK_GROUP_HEADER);
	rq.trunk_key = hdr_value(sip, SBC_TRUNK_KEY_HEADER);
	sbc_trunk_auth(b->cfg, &rq, &ar);
	if (ar.reason < SBC_TA__COUNT)
		b->auth_verdicts[ar.reason]++;
	if (ar.reason != SBC_TA_SOURCE && b->pike != NULL && b->cfg->sip.pike.enabled) {
		pv = sbc_pike_check(b->pike, src, mono_ms());
		if (pv != SBC_PIKE_ALLOW) {
			b->pike_refused++;
			if (pv == SBC_PIKE_BLOCK_START)
				SBC_LOG(WARN, B2B_LOG, "source %s over %u requests per %u ms: blocked "
					"for %u ms", sbc_ip_str(src, ipbuf, sizeof(ipbuf)),
					b->cfg->sip.pike.threshold, b->cfg->sip.pike.window_ms,
					b->cfg->sip.pike.block_ms);
			if (b->cfg->sip.unknown_source == SBC_UNKNOWN_SOURCE_DROP)
				nua_handle_destroy(nh);
			else
				nua_respond(nh, 503, "Service Unavailable",
					    SIPTAG_RETRY_AFTER_STR("60"), TAG_END());
			return NULL;
		}
	}
	status = sbc_trunk_auth_sip_status(&ar, false);
	if (status == 0 || status == 407) {
		if (ar.reason == SBC_TA_CHALLENGE || ar.digest)
			return digest_check(sif, nh, sip,
					    ar.reason == SBC_TA_CHALLENGE ? NULL : ar.trunk);
		return ar.trunk;
	}
	SBC_LOG(NOTICE, B2B_LOG, "INVITE on %s from %s refused: %s", sif->cfg->name,
		sbc_ip_str(src, ipbuf, sizeof(ipbuf)), sbc_trunk_auth_reason_name(ar.reason));
	if (status < 0)
		nua_handle_destroy(nh);    /* sip.unknown_source: drop */
	else
		nua_respond(nh, 403, "Forbidden", TAG_END());
	return NULL;
}

/* The first tenant an enterprise trunk serves; NULL when none. */
static const struct sbc_cfg_tenant *tenant_of_trunk(const struct sbc_config *cfg,
						    const struct sbc_cfg_trunk *t)
{
	uint32_t i;

	for (i = 0; i < cfg->n_tenants; i++)
		if (strcmp(cfg->tenants[i].trunk, t->name) == 0)
			return &cfg->tenants[i];
	return NULL;
}

/*
 * Call admission control (cac.h): the calling trunk's calls-per-minute
 * bucket and concurrent calls, and the called trunk's concurrent calls;
 * emergency calls are counted but never refused.  Returns 0, or the
 * Retry-After (seconds) of the 503 to send.
 */
static uint32_t call_admit(struct b2b_call *c)
{
	struct sbc_b2bua *b = c->b;
	struct b2b_trunk_rt *ra = trunk_rt_find(b, c->leg[0].trunk->name);
	struct b2b_trunk_rt *rb = trunk_rt_find(b, c->leg[1].trunk->name);
	enum sbc_cac_verdict v;
	uint32_t retry = 1;

	if (ra == NULL || rb == NULL)
		return 1;                  /* no state (out of memory on a reload) */
	v = sbc_cac_trunk_admit(&ra->cac, mono_ms(), c->emergency, &retry);
	if (!sbc_cac_verdict_admits(v)) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: trunk %s %s: 503, Retry-After %u", c->no,
			ra->name, sbc_cac_verdict_name(v), retry);
		return retry > 0 ? retry : 1;
	}
	c->rt[0] = ra;
	if (!sbc_cac_calls_acquire(&rb->cac.calls, c->emergency)) {
		rb->cac.verdicts[SBC_CAC_OVER_CONCURRENT]++;
		SBC_LOG(NOTICE, B2B_LOG, "call %u: trunk %s over_concurrent: 503", c->no,
			rb->name);
		return SBC_CAC_BUSY_RETRY_AFTER_S;   /* call_end() releases ra */
	}
	c->rt[1] = rb;
	return 0;
}

/* ---- the initial INVITE's body: SDP, or SDP inside multipart/mixed ---- */

/*
 * The SDP of A's INVITE into *@sdp / *@len (NULL: none, a late offer).
 * application/sdp (or no Content-Type) is the SDP itself.  multipart/mixed
 * (RFC 2046; emergency calls carry PIDF-LO this way, RFC 6442): the first
 * part whose Content-Type is application/sdp, and the whole body is kept
 * in c->binv so that B gets every other part byte for byte.  Returns 0,
 * -EBADMSG (another content type, or a multipart body we cannot split:
 * 400) or -ENOMEM.
 */
static int invite_sdp(struct b2b_call *c, const sip_t *sip, const char **sdp, size_t *len)
{
	const sip_content_type_t *ct = sip->sip_content_type;
	const char *body, *bnd;
	size_t blen, bl, off, sdp_end;
	int rc;

	*sdp = NULL;
	*len = 0;
	if (!has_sdp(sip))
		return 0;
	body = sip->sip_payload->pl_data;
	blen = sip->sip_payload->pl_len;
	if (ct == NULL || ct->c_type == NULL || strcasecmp(ct->c_type, "application/sdp") == 0) {
		*sdp = body;
		*len = blen;
		return 0;
	}
	if (strcasecmp(ct->c_type, "multipart/mixed") != 0)
		return -EBADMSG;
	bnd = msg_params_find(ct->c_params, "boundary=");
	if (bnd == NULL)
		return -EBADMSG;
	bl = strlen(bnd);
	if (bl >= 2 && bnd[0] == '"' && bnd[bl - 1] == '"') {
		bnd++;
		bl -= 2;
	}
	rc = sbc_multipart_find_sdp(body, blen, bnd, bl, &off, &sdp_end);
	if (rc != 0)
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

/* ---- identity toward B (identity.h: UK profile) ---- */

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
 * What B is told about the caller and the called number:
 *  - from a tenant's PBX (enterprise trunk serving a tenant): the PAI if
 *    it names one of the tenant's Network Numbers, else the tenant's
 *    default_pai; From screened (replaced by that identity) unless the
 *    trunk has a special arrangement; UK dial strings in the Request-URI
 *    as +44 E.164 or phone-context=+44 (user=phone);
 *  - otherwise a received PAI is passed when it names an E.164 number;
 *  - every PAI is rewritten onto our host (topology hiding);
 *  - Privacy (RFC 3323/3325) per sbc_privacy_decide() for the next hop,
 *    except that emergency calls never lose PAI or From; their Geolocation
 *    and Geolocation-Routing headers are passed as received.
 */
static void call_identity(struct b2b_call *c, const sip_t *sip,
			  const struct sbc_cfg_tenant *tenant, struct b2b_ident *id)
{
	const struct sbc_cfg_trunk *ta = c->leg[0].trunk, *tb = c->leg[1].trunk;
	const char *host = c->leg[1].sif->host;
	const char *pai_in = hdr_value(sip, "P-Asserted-Identity");
	char privbuf[128];
	const char *priv_in = privacy_value(sip, privbuf, sizeof(privbuf));
	const char *ruser = sip->sip_request->rq_url->url_user;
	const char *fuser = sip->sip_from ? sip->sip_from->a_url->url_user : NULL;
	struct sbc_privacy_decision d;
	char e164[SBC_ID_NUMBER_MAX], num[SBC_ID_NUMBER_MAX], from_uri[B2B_URI_MAX];
	su_home_t home[1] = { SU_HOME_INIT(home) };
	char *fs;
	int rc, cls;

	memset(id, 0, sizeof(*id));
	snprintf(id->ruser, sizeof(id->ruser), "%s", ruser ? ruser : "");
	snprintf(id->fuser, sizeof(id->fuser), "%s", fuser ? fuser : "anonymous");
	e164[0] = '\0';
	if (ta->side == SBC_SIDE_ENTERPRISE && tenant != NULL) {
		rc = sbc_identity_select_pai(tenant, pai_in, e164, sizeof(e164));
		if (rc < 0) {
			e164[0] = '\0';
			SBC_LOG(NOTICE, B2B_LOG, "call %u: no valid PAI and no default_pai for "
				"tenant %s", c->no, tenant->name);
		}
		fs = sip->sip_from ? sip_header_as_string(home, (const sip_header_t *)sip->sip_from)
				   : NULL;
		snprintf(from_uri, sizeof(from_uri), "%s", fs ? fs : "");
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
	} else if (pai_in != NULL &&
		   sbc_identity_e164_of_uri(pai_in, e164, sizeof(e164)) != 0) {
		e164[0] = '\0';
	}
	su_home_deinit(home);
	if (e164[0] != '\0')
		snprintf(id->pai, sizeof(id->pai), "P-Asserted-Identity: <sip:%s@%s;user=phone>",
			 e164, host);
	sbc_privacy_decide(sbc_privacy_parse(priv_in), tb->trusted, (enum sbc_side)tb->side,
			   c->emergency, &d);
	if (d.strip_pai)
		id->pai[0] = '\0';
	id->anonymous = d.anonymise_from;
	if (d.requested && id->pai[0] != '\0' && priv_in != NULL &&
	    strcspn(priv_in, "\r\n") == strlen(priv_in))
		snprintf(id->privacy, sizeof(id->privacy), "Privacy: %s", priv_in);
	if (c->emergency) {
		static const char *const geo[2] = { "Geolocation", "Geolocation-Routing" };
		int i;

		for (i = 0; i < 2; i++) {
			const char *v = hdr_value(sip, geo[i]);

			if (v != NULL && strcspn(v, "\r\n") == strlen(v))
				snprintf(id->geo[i], sizeof(id->geo[i]), "%s: %s", geo[i], v);
		}
	}
}

/*
 * Send B's INVITE with Request-URI user @ruser on B's trunk's first target
 * (a new nua handle: the first attempt, or a redirect), with our offer
 * and what c->binv says.  Returns 0 or -ENOMEM.
 */
static int leg_b_invite(struct b2b_call *c, const char *ruser, bool user_phone)
{
	struct b2b_leg *bl = &c->leg[1];
	const struct sbc_cfg_trunk *tb = bl->trunk;
	const struct b2b_ident *id = &c->binv.id;
	const char *hostpart = target_hostpart(tb->targets[0]);
	char ruri[B2B_URI_MAX];
	char *mp = NULL;

	snprintf(ruri, sizeof(ruri), "sip:%s%s%s%s%s", ruser, ruser[0] != '\0' ? "@" : "",
		 hostpart, user_phone ? ";user=phone" : "",
		 strstr(hostpart, "transport=") != NULL ? "" :
		 tb->transport == SBC_TRANSPORT_TCP ? ";transport=tcp" :
		 tb->transport == SBC_TRANSPORT_TLS ? ";transport=tls" : "");
	if (c->binv.mp_body != NULL) {
		/* A's parts as received, our SDP in place of A's */
		size_t blen = strlen(c->binv.mp_body), olen = strlen(bl->ours_body);

		mp = malloc(blen - (c->binv.mp_sdp_end - c->binv.mp_sdp_off) + olen + 1);
		if (mp == NULL)
			return -ENOMEM;
		memcpy(mp, c->binv.mp_body, c->binv.mp_sdp_off);
		memcpy(mp + c->binv.mp_sdp_off, bl->ours_body, olen);
		memcpy(mp + c->binv.mp_sdp_off + olen, c->binv.mp_body + c->binv.mp_sdp_end,
		       blen - c->binv.mp_sdp_end + 1);
	}
	bl->nh = nua_handle(bl->sif->nua, bl, NUTAG_URL(ruri), SIPTAG_TO_STR(c->binv.to),
			    SIPTAG_FROM_STR(c->binv.from), TAG_END());
	if (bl->nh == NULL) {
		free(mp);
		return -ENOMEM;
	}
	SBC_LOG(INFO, B2B_LOG, "call %u: to trunk %s via %s (%s)", c->no, tb->name,
		bl->sif->cfg->name, sbc_transport_name(tb->transport));
	nua_invite(bl->nh,
		   SIPTAG_CONTENT_TYPE_STR(mp != NULL ? c->binv.mp_ctype : "application/sdp"),
		   SIPTAG_PAYLOAD_STR(mp != NULL ? mp : bl->ours_body),
		   TAG_IF(c->binv.pem[0] != '\0', SIPTAG_HEADER_STR(c->binv.pem)),
		   TAG_IF(id->pai[0] != '\0', SIPTAG_HEADER_STR(id->pai)),
		   TAG_IF(id->privacy[0] != '\0', SIPTAG_HEADER_STR(id->privacy)),
		   TAG_IF(id->geo[0][0] != '\0', SIPTAG_HEADER_STR(id->geo[0])),
		   TAG_IF(id->geo[1][0] != '\0', SIPTAG_HEADER_STR(id->geo[1])),
		   TAG_END());
	free(mp);                  /* nua copied the tags */
	return 0;
}

static void on_new_invite(struct b2b_sipif *sif, nua_handle_t *nh, const sip_t *sip)
{
	struct sbc_b2bua *b = sif->b;
	const struct sbc_config *cfg = b->cfg;
	const struct sbc_cfg_trunk *ta, *tb;
	struct b2b_sipif *sif_b;
	struct b2b_call *c;
	struct b2b_leg *a, *bl;
	struct sbc_sdp_error err;
	su_addrinfo_t *ai;
	struct sbc_ip src;
	char ipbuf[64];
	const char *hostpart, *tuser;
	char tohost[B2B_URI_MAX], ra[16];
	const struct sbc_cfg_tenant *tenant;
	const char *sdp_body;
	size_t sdp_len;
	uint32_t retry;
	size_t hl;
	int n, rc;

	ai = msg_addrinfo(nua_current_request(sif->nua));
	if (ai == NULL || ip_from_sockaddr(&src, (const su_sockaddr_t *)ai->ai_addr) != 0) {
		nua_respond(nh, 500, "Server Internal Error", TAG_END());
		return;
	}
	ta = caller_trunk(sif, nh, sip, &src);
	if (ta == NULL)
		return;                    /* answered (403, 407, 503) or dropped */
	c = call_new(b);
	if (c == NULL) {
		nua_respond(nh, 500, "Server Internal Error", TAG_END());
		return;
	}
	a = &c->leg[0];
	bl = &c->leg[1];
	a->nh = nh;
	a->sif = sif;
	a->trunk = ta;
	nua_handle_bind(nh, a);
	if (sip->sip_call_id != NULL)
		snprintf(a->call_id, sizeof(a->call_id), "%s", sip->sip_call_id->i_id);
	SBC_LOG(INFO, B2B_LOG, "call %u: INVITE on %s from %s, trunk %s", c->no,
		sif->cfg->name, sbc_ip_str(&src, ipbuf, sizeof(ipbuf)), ta->name);

	if (b->stopping || b->dp == NULL) {
		call_reject(c, 503, "Service Unavailable", "failed");
		return;
	}
	/*
	 * Emergency numbers are recognised in the Request-URI only; a carrier's
	 * call to a tenant's domain goes to the tenant's trunk (Request-URI,
	 * never To); otherwise routing by Request-URI host.
	 */
	c->emergency = sbc_emergency_match_user(&cfg->emergency,
						sip->sip_request->rq_url->url_user) != NULL;
	tenant = ta->side == SBC_SIDE_CARRIER ?
		 sbc_tenants_by_host(c->gen->tenants, sip->sip_request->rq_url->url_host) :
		 tenant_of_trunk(cfg, ta);
	if (ta->side == SBC_SIDE_CARRIER && tenant != NULL)
		tb = sbc_config_trunk(cfg, tenant->trunk);
	else
		tb = trunk_route(cfg, ta, sip->sip_request->rq_url->url_host);
	sif_b = tb != NULL ? sipif_find(b, tb->interface) : NULL;
	if (tb == NULL || sif_b == NULL) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: no route from trunk %s: 404", c->no, ta->name);
		call_reject(c, 404, "Not Found", "failed");
		return;
	}
	bl->sif = sif_b;
	bl->trunk = tb;
	if (c->emergency)
		SBC_LOG(NOTICE, B2B_LOG, "call %u: emergency call (%s): no session limits", c->no,
			sip->sip_request->rq_url->url_user);
	retry = call_admit(c);
	if (retry != 0) {
		snprintf(ra, sizeof(ra), "%u", retry);
		nua_respond(nh, 503, "Service Unavailable", SIPTAG_RETRY_AFTER_STR(ra), TAG_END());
		a->ended = true;
		call_end(c, "rejected", 503, "sbc");
		return;
	}
	/*
	 * nta refuses a request whose top Via names another transport than the
	 * one it came on, so the Via says how A's signalling travels.
	 */
	a->tls = sip->sip_via != NULL && sip->sip_via->v_protocol != NULL &&
		 strcasecmp(sip->sip_via->v_protocol, "SIP/2.0/TLS") == 0;
	bl->tls = tb->transport == SBC_TRANSPORT_TLS;
	if (tb->transport == SBC_TRANSPORT_TLS && !sif_b->tls) {
		SBC_LOG(WARN, B2B_LOG, "call %u: trunk %s wants TLS, not served on %s: 503",
			c->no, tb->name, sif_b->cfg->name);
		call_reject(c, 503, "Service Unavailable", "failed");
		return;
	}
	rc = invite_sdp(c, sip, &sdp_body, &sdp_len);
	if (rc != 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: body refused (%s)", c->no,
			rc == -ENOMEM ? "no memory" : "multipart without a usable SDP part");
		call_reject(c, rc == -ENOMEM ? 500 : 400, rc == -ENOMEM ? "Server Internal Error" :
			    "Bad Request", "rejected");
		return;
	}
	c->late_offer = sdp_body == NULL;
	if (!c->late_offer && sbc_sdp_parse(&a->theirs, sdp_body, sdp_len, &err) != 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: SDP from a refused: %s (line %u)", c->no,
			sbc_sdp_error_str(err.code), err.line);
		call_reject(c, sbc_sdp_error_sip_status(err.code), sbc_sdp_error_str(err.code),
			    "rejected");
		return;
	}
	a->have_theirs = !c->late_offer;
	policy_init(a, ta, tb);
	policy_init(bl, tb, ta);
	/* A late-offer caller has said nothing about CN yet: none to it. */
	a->pol.cn_allowed = !c->late_offer && desc_has_cn(&a->theirs);
	if (sbc_sdp_origin_init(&a->origin, random_u64(), media_addr(sif)) != 0 ||
	    sbc_sdp_origin_init(&bl->origin, random_u64(), media_addr(sif_b)) != 0) {
		call_reject(c, 500, "Server Internal Error", "failed");
		return;
	}
	rc = c->late_offer ? call_alloc_media_late(c) : call_alloc_media(c);
	if (rc != 0) {
		SBC_LOG(WARN, B2B_LOG, "call %u: data plane ALLOC failed: %d", c->no, rc);
		call_reject(c, 503, "Service Unavailable", "failed");
		return;
	}
	rc = c->late_offer ? 0 : srtp_take_offer(c, a, &a->theirs);
	if (rc == 0)
		rc = srtp_offer_to(c, bl, c->late_offer ? NULL : a);
	if (rc != 0) {
		call_reject(c, -rc, -rc == 488 ? "Not Acceptable Here" : "Server Internal Error",
			    "rejected");
		return;
	}
	if (c->late_offer)
		n = sbc_sdp_build_template(&bl->pol, &bl->out[0], &bl->origin, bl->ours_body,
					   sizeof(bl->ours_body), &bl->ours, &err);
	else
		n = sbc_sdp_build_offer(&a->theirs, &bl->pol, bl->out, c->n_media,
					&bl->origin, bl->ours_body, sizeof(bl->ours_body),
					&bl->ours, &err);
	if (n < 0) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: offer to b not built: %s", c->no,
			sbc_sdp_error_str(err.code));
		call_reject(c, sbc_sdp_error_sip_status(err.code), "Not Acceptable Here",
			    "rejected");
		return;
	}
	bl->have_ours = true;

	/*
	 * Topology hiding: only the user parts and display names cross; every
	 * host is ours or the target's, and nua makes B's Call-ID, tags, Via
	 * and Contact.
	 */
	call_identity(c, sip, tenant, &c->binv.id);
	tuser = sip->sip_to ? sip->sip_to->a_url->url_user : NULL;
	hostpart = target_hostpart(tb->targets[0]);
	hl = strcspn(hostpart, ";");
	snprintf(tohost, sizeof(tohost), "%.*s", (int)hl, hostpart);
	if (c->binv.id.anonymous)
		snprintf(c->binv.from, sizeof(c->binv.from), "%s", SBC_ID_ANONYMOUS_FROM);
	else
		snprintf(c->binv.from, sizeof(c->binv.from), "%s%s<sip:%s@%s>",
			 sip->sip_from && sip->sip_from->a_display ? sip->sip_from->a_display : "",
			 sip->sip_from && sip->sip_from->a_display ? " " : "", c->binv.id.fuser,
			 sif_b->host);
	snprintf(c->binv.to, sizeof(c->binv.to), "%s%s<sip:%s%s%s>",
		 sip->sip_to && sip->sip_to->a_display ? sip->sip_to->a_display : "",
		 sip->sip_to && sip->sip_to->a_display ? " " : "",
		 tuser ? tuser : "", tuser ? "@" : "", tohost);
	if (!early_media_header(sip, c->binv.pem, sizeof(c->binv.pem)))
		c->binv.pem[0] = '\0';
	if (leg_b_invite(c, c->binv.id.ruser, c->binv.id.user_phone) != 0) {
		call_reject(c, 500, "Server Internal Error", "failed");
		return;
	}
}

/*
 * A re-INVITE or an UPDATE (RFC 3311) on an established leg.  An SDP offer
 * that differs from the leg's last one (hold, resume, a codec change) is
 * relayed with the same method to the other leg; its answer comes back to
 * this leg and the data plane session is UPDATEd.  A repeat of the last SDP
 * (same o= version: a session refresh) and a re-INVITE without SDP are
 * answered here with our last SDP.  An UPDATE without SDP (a refresh or
 * target refresh) is relayed without SDP and answered when the other leg
 * answers; the media stays as it is.  New m= lines get 488 until endpoints
 * can be added mid-call; an UPDATE before the call is answered gets 500
 * with Retry-After (early-dialog UPDATE is not relayed).
 */
/* Answer the request being delivered now (in its event callback). */
#define B2B_RESPOND_NOW(nh, nua, status, phrase, ...) \
	nua_respond((nh), (status), (phrase), NUTAG_WITH_THIS(nua), __VA_ARGS__)

static void on_reoffer(struct b2b_leg *l, const sip_t *sip, bool update)
{
	struct b2b_call *c = l->call;
	struct b2b_leg *to = other_leg(l);
	struct b2b_reoffer *ro;
	struct sbc_sdp_desc *d = NULL;
	struct sbc_sdp_error err;
	const char *what = update ? "UPDATE" : "re-INVITE";
	nua_t *nua = l->sif->nua;
	int rc, n;

	if (update && c->state != B2B_ANSWERED && c->state != B2B_ENDED) {
		B2B_RESPOND_NOW(l->nh, nua, 500, "Server Internal Error",
				SIPTAG_RETRY_AFTER_STR("1"), TAG_END());
		return;
	}
	if (c->state != B2B_ANSWERED || !l->have_ours || to->nh == NULL || to->ended) {
		B2B_RESPOND_NOW(l->nh, nua, 488, "Not Acceptable Here", TAG_END());
		return;
	}
	if (c->reoffer != NULL || c->ack_pending) {
		B2B_RESPOND_NOW(l->nh, nua, 491, "Request Pending", TAG_END());
		return;
	}
	if (!has_sdp(sip) && !update) {
		B2B_RESPOND_NOW(l->nh, nua, 200, "OK", SIPTAG_CONTENT_TYPE_STR("application/sdp"),
				SIPTAG_PAYLOAD_STR(l->ours_body), TAG_END());
		return;
	}
	ro = calloc(1, sizeof(*ro));
	if (ro == NULL) {
		B2B_RESPOND_NOW(l->nh, nua, 500, "Server Internal Error", TAG_END());
		return;
	}
	ro->from = l;
	ro->to = to;
	ro->update = update;
	ro->with_sdp = has_sdp(sip);
	ro->saved = nua_save_event(nua, ro->request) != 0;
	if (!ro->saved) {
		B2B_RESPOND_NOW(l->nh, nua, 500, "Server Internal Error", TAG_END());
		goto out;
	}
	if (!ro->with_sdp) {
		c->reoffer = ro;
		SBC_LOG(INFO, B2B_LOG, "call %u: UPDATE without SDP from %s relayed", c->no,
			leg_name(l));
		nua_update(to->nh, TAG_END());
		return;
	}
	d = malloc(sizeof(*d));
	if (d == NULL) {
		B2B_RESPOND_NOW(l->nh, nua, 500, "Server Internal Error", TAG_END());
		goto out;
	}
	rc = sbc_sdp_parse(d, sip->sip_payload->pl_data, sip->sip_payload->pl_len, &err);
	if (rc != 0) {
		B2B_RESPOND_NOW(l->nh, nua, sbc_sdp_error_sip_status(err.code),
				sbc_sdp_error_str(err.code), TAG_END());
		goto out;
	}
	if (l->have_theirs && d->o_version == l->theirs.o_version &&
	    d->o_id == l->theirs.o_id) {
		B2B_RESPOND_NOW(l->nh, nua, 200, "OK", SIPTAG_CONTENT_TYPE_STR("application/sdp"),
				SIPTAG_PAYLOAD_STR(l->ours_body), TAG_END());
		goto out;
	}
	if (d->n_media != c->n_media) {
		B2B_RESPOND_NOW(l->nh, nua, 488, "Not Acceptable Here", TAG_END());
		goto out;
	}
	ro->from_theirs = l->theirs;
	ro->to_theirs = to->theirs;
	ro->to_ours = to->ours;
	ro->to_origin = to->origin;
	memcpy(ro->to_ours_body, to->ours_body, sizeof(ro->to_ours_body));
	l->theirs = *d;
	/* Fresh keys both ways: a re-offer re-keys SRTP legs. */
	rc = srtp_take_offer(c, l, &l->theirs);
	if (rc == 0)
		rc = srtp_offer_to(c, to, l);
	if (rc != 0) {
		l->theirs = ro->from_theirs;
		B2B_RESPOND_NOW(l->nh, nua, -rc, -rc == 488 ? "Not Acceptable Here" :
				"Server Internal Error", TAG_END());
		goto out;
	}
	n = sbc_sdp_build_offer(&l->theirs, &to->pol, to->out, c->n_media, &to->origin,
				to->ours_body, sizeof(to->ours_body), &to->ours, &err);
	if (n < 0) {
		l->theirs = ro->from_theirs;
		B2B_RESPOND_NOW(l->nh, nua, sbc_sdp_error_sip_status(err.code),
				"Not Acceptable Here", TAG_END());
		goto out;
	}
	c->reoffer = ro;
	ro = NULL;
	SBC_LOG(INFO, B2B_LOG, "call %u: %s from %s relayed", c->no, what, leg_name(l));
	if (update)
		nua_update(to->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
			   SIPTAG_PAYLOAD_STR(to->ours_body), TAG_END());
	else
		nua_invite(to->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
			   SIPTAG_PAYLOAD_STR(to->ours_body), TAG_END());
out:
	reoffer_free(ro);
	if (d != NULL) {
		sbc_sdp_desc_wipe(d);
		free(d);
	}
}
/* Undo a refused re-offer: both legs back to the last completed exchange. */
static void reoffer_restore(struct b2b_call *c)
{
	struct b2b_reoffer *ro = c->reoffer;

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
	reoffer_free(c->reoffer);
	c->reoffer = NULL;
}

/* The response of the leg we sent the re-INVITE or UPDATE to. */
static void on_reoffer_response(struct b2b_leg *to, int status, const sip_t *sip)
{
	struct b2b_call *c = to->call;
	struct b2b_reoffer *ro = c->reoffer;
	struct b2b_leg *from = ro->from;
	const char *what = ro->update ? "UPDATE" : "re-INVITE";
	struct sbc_sdp_error err;
	int n;

	if (status < 200)
		return;
	if (c->state == B2B_ENDED) {
		reoffer_done(c);
		return;
	}
	if (status >= 300) {
		reoffer_restore(c);
		SBC_LOG(INFO, B2B_LOG, "call %u: %s refused by %s: %d", c->no, what,
			leg_name(to), status);
		/* 491 and the like go back as they are: the sender retries. */
		nua_respond(from->nh, status, relay_phrase(status),
			    NUTAG_WITH_SAVED(ro->request), TAG_END());
		reoffer_done(c);
		return;
	}
	if (!ro->with_sdp) {
		SBC_LOG(INFO, B2B_LOG, "call %u: UPDATE without SDP answered", c->no);
		nua_respond(from->nh, 200, "OK", NUTAG_WITH_SAVED(ro->request), TAG_END());
		reoffer_done(c);
		return;
	}
	if (!has_sdp(sip) || sbc_sdp_parse(&to->theirs, sip->sip_payload->pl_data,
					   sip->sip_payload->pl_len, &err) != 0 ||
	    srtp_take_answer(c, to, &to->theirs) != 0) {
		/* nua has ACKed the 200; the session is the old one again. */
		reoffer_restore(c);
		nua_respond(from->nh, 488, "Not Acceptable Here", NUTAG_WITH_SAVED(ro->request),
			    TAG_END());
		reoffer_done(c);
		return;
	}
	n = sbc_sdp_build_answer(&from->theirs, &to->ours, &to->theirs, &from->pol, from->out,
				 c->n_media, &from->origin, from->ours_body,
				 sizeof(from->ours_body), &from->ours, &err);
	if (n < 0) {
		nua_respond(from->nh, sbc_sdp_error_sip_status(err.code), "Not Acceptable Here",
			    NUTAG_WITH_SAVED(ro->request), TAG_END());
	} else if (call_program_media(c) != 0) {
		nua_respond(from->nh, 500, "Server Internal Error", NUTAG_WITH_SAVED(ro->request),
			    TAG_END());
	} else {
		SBC_LOG(INFO, B2B_LOG, "call %u: %s answered, media updated", c->no, what);
		nua_respond(from->nh, 200, "OK", NUTAG_WITH_SAVED(ro->request),
			    SIPTAG_CONTENT_TYPE_STR("application/sdp"),
			    SIPTAG_PAYLOAD_STR(from->ours_body), TAG_END());
	}
	reoffer_done(c);
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
 * B's final failure that we deal with ourselves instead of relaying:
 *  - 401/407 from a trunk we have credentials for: answered once
 *    (nua_authenticate() sends the INVITE again with them);
 *  - 301/302 from a PBX (enterprise trunk): acted on inside, a new INVITE
 *    with the Contact's user part on the same trunk (at most 3 times), the
 *    caller sees one call.
 * Returns true when the call goes on.
 */
static bool b_retry(struct b2b_call *c, int status, const sip_t *sip)
{
	struct b2b_leg *bl = &c->leg[1];
	const struct sbc_cfg_trunk *tb = bl->trunk;

	if ((status == 401 || status == 407) && !c->b_auth_tried &&
	    tb->credentials.username != NULL && tb->credentials.password != NULL) {
		const msg_auth_t *au = status == 401 ? sip->sip_www_authenticate :
						       sip->sip_proxy_authenticate;
		const char *realm = au != NULL ? msg_params_find(au->au_params, "realm=") : NULL;
		char auth[512];
		int n;

		if (realm == NULL || strchr(realm, ':') != NULL)
			return false;
		/* nua's form: scheme:"realm":user:password (the realm as quoted) */
		n = snprintf(auth, sizeof(auth), "%s:%s:%s:%s",
			     au->au_scheme ? au->au_scheme : "Digest", realm,
			     tb->credentials.username, tb->credentials.password);
		if (n < 0 || (size_t)n >= sizeof(auth)) {
			OPENSSL_cleanse(auth, sizeof(auth));
			return false;
		}
		c->b_auth_tried = true;
		SBC_LOG(INFO, B2B_LOG, "call %u: %d from trunk %s: answering with its credentials",
			c->no, status, tb->name);
		nua_authenticate(bl->nh, NUTAG_AUTH(auth), TAG_END());
		OPENSSL_cleanse(auth, sizeof(auth));
		return true;
	}
	if ((status == 301 || status == 302) && tb->side == SBC_SIDE_ENTERPRISE &&
	    c->redirects < 3 && sip != NULL && sip->sip_contact != NULL &&
	    user_part_ok(sip->sip_contact->m_url->url_user)) {
		char user[SBC_ID_USER_MAX];

		snprintf(user, sizeof(user), "%s", sip->sip_contact->m_url->url_user);
		c->redirects++;
		nua_handle_destroy(bl->nh);
		bl->nh = NULL;
		bl->call_id[0] = '\0';
		c->b_auth_tried = false;
		SBC_LOG(INFO, B2B_LOG, "call %u: %d from trunk %s: redirected inside to %s", c->no,
			status, tb->name, user);
		if (leg_b_invite(c, user, false) != 0)
			return false;
		return true;
	}
	return false;
}

static void on_b_response(struct b2b_leg *bl, int status, const sip_t *sip)
{
	struct b2b_call *c = bl->call;
	struct b2b_leg *a = &c->leg[0];
	int n;

	if (sip != NULL && sip->sip_call_id != NULL && bl->call_id[0] == '\0')
		snprintf(bl->call_id, sizeof(bl->call_id), "%s", sip->sip_call_id->i_id);
	if (status < 200) {
		char pem[160];

		if (status <= 100 || c->state == B2B_ENDED || a->ended)
			return;
		/*
		 * Early media: B's answer is relayed in the 18x and the data plane
		 * bound now, so media flows before the 200.  A late-offer caller
		 * has no offer of its own to answer yet: 18x without SDP.
		 */
		n = has_sdp(sip) && !c->late_offer ? call_take_answer(c, sip->sip_payload) : 0;
		c->state = B2B_EARLY;
		/* Early SDP that cannot be used is not relayed; the 200 may still be fine. */
		nua_respond(a->nh, status, relay_phrase(status),
			    TAG_IF(n > 0, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
			    TAG_IF(n > 0, SIPTAG_PAYLOAD_STR(a->ours_body)),
			    TAG_IF(n > 0 && early_media_header(sip, pem, sizeof(pem)),
				   SIPTAG_HEADER_STR(pem)),
			    TAG_END());
		if (n > 0)
			SBC_LOG(INFO, B2B_LOG, "call %u: early media (%d)", c->no, status);
		return;
	}
	if (status < 300) {
		bl->answered = true;
		if (c->state == B2B_ENDED || a->ended) {
			/* A gave up (CANCEL crossed the 200): nua ACKed, now BYE. */
			leg_hangup(bl, 0, NULL);
			return;
		}
		if (!has_sdp(sip))
			n = -488;
		else if (c->late_offer)
			n = call_take_late_answer(c, sip->sip_payload);
		else
			n = call_take_answer(c, sip->sip_payload);
		if (n < 0) {
			leg_hangup(bl, 0, NULL);
			call_reject(c, -n, -n == 488 ? "Not Acceptable Here" :
				    "Server Internal Error", "failed");
			return;
		}
		a->answered = true;
		c->state = B2B_ANSWERED;
		c->answer_ms = wall_ms();
		c->ack_pending = c->late_offer;
		sdp_respond(a->nh, 200, "OK", a->ours_body);
		SBC_LOG(INFO, B2B_LOG, "call %u: answered%s", c->no,
			c->late_offer ? "; offer sent to a, answer awaited in the ACK" : "");
		return;
	}
	if (c->state != B2B_ENDED && !a->ended && b_retry(c, status, sip))
		return;
	/* A final failure ends B's INVITE transaction: nothing to CANCEL. */
	bl->ended = true;
	if (c->state == B2B_ENDED)
		return;
	SBC_LOG(INFO, B2B_LOG, "call %u: b answered %d", c->no, status);
	leg_hangup(a, status, relay_phrase(status));
	call_end(c, "rejected", status, "b");
}

/*
 * Late offer: A's ACK carries its answer to the offer in our 200; that
 * completes both exchanges and the data plane is bound.  An ACK without a
 * usable answer ends the call (RFC 3261 section 13.2.2.4: BYE).
 */
static void on_late_ack(struct b2b_leg *a, const sip_t *sip)
{
	struct b2b_call *c = a->call;
	struct sbc_sdp_error err = { 0, 0 };
	int status = 0;

	c->ack_pending = false;
	if (c->state == B2B_ENDED)
		return;
	if (!has_sdp(sip)) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: ACK from a without the answer", c->no);
		status = 488;
	} else if (sbc_sdp_parse(&a->theirs, sip->sip_payload->pl_data,
				 sip->sip_payload->pl_len, &err) != 0 ||
		   a->theirs.n_media != a->ours.n_media) {
		SBC_LOG(NOTICE, B2B_LOG, "call %u: answer in the ACK from a refused: %s",
			c->no, sbc_sdp_error_str(err.code));
		status = 488;
	} else if (srtp_take_answer(c, a, &a->theirs) != 0) {
		status = 488;
	} else {
		a->have_theirs = true;
		a->pol.cn_allowed = desc_has_cn(&a->theirs);
		if (call_program_media(c) != 0)
			status = 500;
	}
	if (status != 0) {
		leg_hangup(a, 0, NULL);
		leg_hangup(&c->leg[1], 0, NULL);
		call_end(c, "failed", status, "sbc");
		return;
	}
	SBC_LOG(INFO, B2B_LOG, "call %u: late offer completed by the ACK, media bound", c->no);
}

static void on_cancel(struct b2b_leg *l)
{
	struct b2b_call *c = l->call;

	/* nua has answered the INVITE with 487 already. */
	l->ended = true;
	leg_hangup(other_leg(l), 0, NULL);
	call_end(c, "cancelled", 487, leg_name(l));
}

static void on_bye(struct b2b_leg *l)
{
	struct b2b_call *c = l->call;

	l->ended = true;
	leg_hangup(other_leg(l), 480, "Temporarily Unavailable");
	call_end(c, "answered", 200, leg_name(l));
}

static void on_terminated(struct b2b_leg *l)
{
	struct b2b_call *c = l->call;

	nua_handle_destroy(l->nh);
	l->nh = NULL;
	l->ended = true;
	if (c->state != B2B_ENDED) {
		/* nua gave up on this leg by itself (timeout, transport error). */
		SBC_LOG(NOTICE, B2B_LOG, "call %u: leg %s terminated by the stack", c->no,
			leg_name(l));
		leg_hangup(other_leg(l), 408, "Request Timeout");
		call_end(c, "failed", c->leg[0].answered ? 200 : 408, "sbc");
	}
	call_maybe_free(c);
}

static void b2b_event(nua_event_t event, int status, char const *phrase, nua_t *nua,
		      struct b2b_sipif *sif, nua_handle_t *nh, struct b2b_leg *l,
		      sip_t const *sip, tagi_t tags[])
{
	int state = -1;

	(void)nua;
	(void)phrase;   /* never relayed: see relay_phrase() */
	switch (event) {
	case nua_i_invite:
		if (l == NULL)
			on_new_invite(sif, nh, sip);
		else
			on_reoffer(l, sip, false);
		break;
	case nua_i_update:
		if (l != NULL)
			on_reoffer(l, sip, true);
		else if (nh != NULL)
			nua_handle_destroy(nh);
		break;
	case nua_r_invite:
		if (l == NULL)
			break;
		if (l->call->reoffer != NULL && l->call->reoffer->to == l &&
		    !l->call->reoffer->update)
			on_reoffer_response(l, status, sip);
		else if (l == &l->call->leg[1])
			on_b_response(l, status, sip);
		break;
	case nua_r_update:
		if (l != NULL && l->call->reoffer != NULL && l->call->reoffer->to == l &&
		    l->call->reoffer->update)
			on_reoffer_response(l, status, sip);
		break;
	case nua_i_cancel:
		if (l != NULL)
			on_cancel(l);
		break;
	case nua_i_bye:
		if (l != NULL)
			on_bye(l);
		break;
	case nua_i_state:
		tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
		if (state != nua_callstate_terminated)
			break;
		if (l != NULL)
			on_terminated(l);
		else if (nh != NULL)
			nua_handle_destroy(nh);
		break;
	case nua_r_shutdown:
		if (status >= 200)
			sif->shutdown_done = true;
		break;
	case nua_i_ack:
		if (l != NULL && l->call->ack_pending && l == &l->call->leg[0])
			on_late_ack(l, sip);
		break;
	case nua_r_bye:
	case nua_r_cancel:
	case nua_i_active:
	case nua_i_terminated:
		break;
	case nua_i_options:
	case nua_i_message:
	case nua_i_register:
	case nua_i_subscribe:
	case nua_i_publish:
	case nua_i_refer:
	case nua_i_notify:
	case nua_i_info:
	case nua_i_prack:
		/* Requests outside our calls: nua has answered; drop the handle. */
		if (l == NULL && nh != NULL)
			nua_handle_destroy(nh);
		break;
	default:
		if (status >= 300)
			SBC_LOG(DEBUG, B2B_LOG, "%s: event %s: %d", sif->cfg->name,
				nua_event_name(event), status);
		break;
	}
	/* Data plane requests made above may have queued events. */
	dp_drain_events(sif->b);
}

/* ---- data plane events and signals ---- */

static struct b2b_call *call_by_session(struct sbc_b2bua *b, uint32_t session_id)
{
	struct b2b_call *c;
	uint32_t i;

	for (c = b->calls; c != NULL; c = c->next)
		for (i = 0; i < SBC_SDP_MEDIA_MAX; i++)
			if (c->session[i] == session_id)
				return c;
	return NULL;
}

static void dp_event(struct sbc_b2bua *b, const struct sbc_api_event *ev)
{
	struct b2b_call *c;
	char addr[64];

	if (ev->kind == SBC_API_EV_SRTP_AUTH_BURST) {
		/* Wrong key, tampering or a stray sender: counted, the call goes on. */
		c = call_by_session(b, ev->session_id);
		SBC_LOG(WARN, B2B_LOG, "call %u: SRTP authentication failures: %u in a second on "
			"endpoint %u (last from %s)", c != NULL ? c->no : 0, ev->count,
			ev->endpoint_id, sbc_api_addr_str(&ev->addr, addr, sizeof(addr)));
		return;
	}
	if (ev->kind != SBC_API_EV_MEDIA_TIMEOUT) {
		SBC_LOG(DEBUG, B2B_LOG, "data plane event %u on session %u", ev->kind,
			ev->session_id);
		return;
	}
	c = call_by_session(b, ev->session_id);
	if (c == NULL || c->state == B2B_ENDED)
		return;
	SBC_LOG(NOTICE, B2B_LOG, "call %u: media timeout (%u ms idle): ending", c->no,
		ev->count);
	leg_hangup(&c->leg[0], 480, "Temporarily Unavailable");
	leg_hangup(&c->leg[1], 0, NULL);
	call_end(c, "media-timeout", c->leg[0].answered ? 200 : 480, "sbc");
}

static void dp_drain_events(struct sbc_b2bua *b)
{
	struct sbc_api_event ev;
	int rc;

	while (b->dp != NULL && (rc = sbc_dpclient_next_event(b->dp, &ev)) != 0) {
		if (rc < 0) {
			SBC_LOG(ERR, B2B_LOG, "data plane connection lost: %s; stopping",
				strerror(-rc));
			if (b->dp_index > 0)
				su_root_deregister(b->root, b->dp_index);
			b->dp_index = 0;
			sbc_dpclient_close(b->dp);
			b->dp = NULL;
			b->exit_rc = -EPIPE;
			su_root_break(b->root);
			return;
		}
		dp_event(b, &ev);
	}
}

static int on_dp_readable(struct sbc_b2bua *b, su_wait_t *w, void *arg)
{
	(void)w;
	(void)arg;
	dp_drain_events(b);
	return 0;
}

/*
 * SIGHUP: load the configuration file again; trunks, tenants, limits,
 * emergency numbers, CDR and log settings (the keys marked reloadable)
 * take effect for new calls at once, calls in progress keep the
 * generation they started under.  A file with errors, or one that changes
 * a key only a restart may change, is refused with the reasons logged, and
 * the running configuration stays.
 */
static void b2b_reload(struct sbc_b2bua *b)
{
	struct sbc_config_errors errs;
	struct sbc_config *n = NULL;
	char keys[8][128];
	struct b2b_gen *g, *old;
	unsigned int i, k;
	int rc;

	SBC_LOG(NOTICE, B2B_LOG, "SIGHUP: reloading %s", b->startup_cfg->file);
	rc = sbc_config_load(b->startup_cfg->file, &n, &errs);
	if (rc != 0) {
		b->reloads_refused++;
		for (i = 0; i < errs.count && i < SBC_CONFIG_MAX_ERRORS; i++)
			SBC_LOG(ERR, B2B_LOG, "reload refused: %s", errs.msg[i]);
		if (errs.count == 0)
			SBC_LOG(ERR, B2B_LOG, "reload refused: %s", strerror(-rc));
		SBC_LOG(NOTICE, B2B_LOG, "reload refused: the running configuration stays");
		return;
	}
	k = sbc_config_reload_diff(b->cfg, n, keys, 8);
	if (k != 0) {
		b->reloads_refused++;
		for (i = 0; i < k && i < 8; i++)
			SBC_LOG(ERR, B2B_LOG, "reload refused: %s changed; it needs a restart", keys[i]);
		SBC_LOG(NOTICE, B2B_LOG, "reload refused: the running configuration stays");
		sbc_config_free(n);
		return;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		b->reloads_refused++;
		SBC_LOG(ERR, B2B_LOG, "reload refused: out of memory");
		sbc_config_free(n);
		return;
	}
	g->owned = n;
	g->cfg = n;
	g->tenants = sbc_tenants_create(n);
	if (g->tenants == NULL) {
		b->reloads_refused++;
		SBC_LOG(ERR, B2B_LOG, "reload refused: tenant index: %s", strerror(errno));
		sbc_config_free(n);
		free(g);
		return;
	}
	old = b->gen;
	b->gen = g;
	b->cfg = n;
	if (b2b_trunks_reloaded(b) != 0)
		SBC_LOG(ERR, B2B_LOG, "reload: out of memory for trunk state; "
			"trunks without it admit no call");
	sbc_log_set_level(n->log.level);
	if (sbc_pike_reconfigure(b->pike, &(struct sbc_pike_params){
		.threshold = n->sip.pike.threshold, .window_ms = n->sip.pike.window_ms,
		.block_ms = n->sip.pike.block_ms, .entries = n->sip.pike.entries,
		.ipv6_prefix_len = n->sip.pike.ipv6_prefix_len }) != 0)
		SBC_LOG(ERR, B2B_LOG, "reload: sip.pike not applied");
	/* The old generation lives on while calls started under it do. */
	if (old->refs == 0) {
		sbc_tenants_destroy(old->tenants);
		sbc_config_free(old->owned);
		free(old);
	} else {
		old->next = b->old_gens;
		b->old_gens = old;
	}
	b->reloads++;
	SBC_LOG(NOTICE, B2B_LOG, "configuration reloaded: %u trunks, %u tenants, %u emergency "
		"numbers; %u calls continue", n->n_trunks, n->n_tenants, n->emergency.n_numbers,
		b->n_calls);
}

static int on_signal(struct sbc_b2bua *b, su_wait_t *w, void *arg)
{
	struct signalfd_siginfo si;

	(void)w;
	(void)arg;
	while (read(b->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			b2b_reload(b);
			continue;
		}
		SBC_LOG(NOTICE, B2B_LOG, "signal %u: stopping", si.ssi_signo);
		su_root_break(b->root);
	}
	return 0;
}


/* ---- operator socket (sbcctl) ---- */

static const char *state_name(enum b2b_state s)
{
	switch (s) {
	case B2B_CALLING: return "calling";
	case B2B_EARLY: return "early";
	case B2B_ANSWERED: return "answered";
	case B2B_ENDED: return "ended";
	}
	return "unknown";
}

static void ctl_calls(struct sbc_b2bua *b, FILE *o)
{
	const struct b2b_call *c;
	uint64_t now = wall_ms();

	fprintf(o, "ok %u calls\n", b->n_calls);
	for (c = b->calls; c != NULL; c = c->next)
		fprintf(o, "call=%u state=%s trunk_a=%s trunk_b=%s call_id_a=%s call_id_b=%s "
			"duration_s=%" PRIu64 " answered_s=%" PRIu64 "\n", c->no,
			state_name(c->state), c->leg[0].trunk ? c->leg[0].trunk->name : "-",
			c->leg[1].trunk ? c->leg[1].trunk->name : "-",
			c->leg[0].call_id[0] ? c->leg[0].call_id : "-",
			c->leg[1].call_id[0] ? c->leg[1].call_id : "-",
			(now - c->start_ms) / 1000,
			c->answer_ms ? (now - c->answer_ms) / 1000 : 0);
}

static void ctl_call(struct sbc_b2bua *b, FILE *o, uint32_t no)
{
	struct sbc_api_stats_resp st;
	const struct b2b_call *c;
	char addr[64];
	uint32_t i;
	int l, rc;

	for (c = b->calls; c != NULL && c->no != no; c = c->next)
		;
	if (c == NULL) {
		fprintf(o, "error no call %u\n", no);
		return;
	}
	fprintf(o, "ok call %u\n", no);
	fprintf(o, "call=%u state=%s late_offer=%s duration_s=%" PRIu64 "\n", c->no,
		state_name(c->state), c->late_offer ? "yes" : "no",
		(wall_ms() - c->start_ms) / 1000);
	for (l = 0; l < 2; l++) {
		const struct b2b_leg *g = &c->leg[l];

		fprintf(o, "leg=%s trunk=%s interface=%s transport=%s tls=%s srtp=%s call_id=%s "
			"answered=%s ended=%s\n", l == 0 ? "a" : "b",
			g->trunk ? g->trunk->name : "-", g->sif ? g->sif->cfg->name : "-",
			g->trunk ? sbc_transport_name(g->trunk->transport) : "-",
			g->tls ? "yes" : "no", leg_is_srtp(g) ? "yes" : "no",
			g->call_id[0] ? g->call_id : "-", g->answered ? "yes" : "no",
			g->ended ? "yes" : "no");
	}
	for (i = 0; i < c->n_media; i++) {
		fprintf(o, "stream=%u session=%u endpoint_a=%u endpoint_b=%u\n", i,
			c->session[i], c->leg[0].ep[i], c->leg[1].ep[i]);
		if (c->session[i] == 0 || b->dp == NULL)
			continue;
		rc = sbc_dpclient_stats(b->dp, c->session[i], &st);
		if (rc != 0) {
			fprintf(o, "stream=%u stats_error=%d\n", i, rc);
			continue;
		}
		for (l = 0; l < 2; l++)
			fprintf(o, "stream=%u leg=%s packets=%" PRIu64 " bytes=%" PRIu64
				" lost=%u jitter_us=%u ssrc=%u source=%s srtp_auth_drops=%" PRIu64
				" srtp_replay_drops=%" PRIu64 "\n", i, l == 0 ? "a" : "b",
				st.leg[l].packets, st.leg[l].bytes, st.leg[l].lost,
				st.leg[l].jitter_us, st.leg[l].ssrc,
				sbc_api_addr_str(&st.leg[l].source, addr, sizeof(addr)),
				st.leg[l].drops[SBC_DROP_SRTP_AUTH],
				st.leg[l].drops[SBC_DROP_SRTP_REPLAY]);
	}
}

static uint32_t count_gens(const struct b2b_gen *g)
{
	uint32_t n = 0;

	for (; g != NULL; g = g->next)
		n++;
	return n;
}

static void ctl_trunks(struct sbc_b2bua *b, FILE *o)
{
	const struct sbc_config *cfg = b->cfg;
	const struct b2b_call *c;
	uint32_t t, active;
	int l;

	fprintf(o, "ok %u trunks\n", cfg->n_trunks);
	for (t = 0; t < cfg->n_trunks; t++) {
		const struct sbc_cfg_trunk *tr = &cfg->trunks[t];

		active = 0;
		for (c = b->calls; c != NULL; c = c->next)
			for (l = 0; l < 2; l++)
				if (c->state != B2B_ENDED && c->leg[l].trunk != NULL &&
				    strcmp(c->leg[l].trunk->name, tr->name) == 0)
					active++;
		fprintf(o, "trunk=%s side=%s interface=%s transport=%s active_calls=%u\n",
			tr->name, sbc_side_name(tr->side), tr->interface,
			sbc_transport_name(tr->transport), active);
	}
}

/*
 * Counters of admission: trunk identification verdicts, the per-source
 * limit, digest, call admission control per trunk, reloads.
 */
static void ctl_stats(struct sbc_b2bua *b, FILE *o)
{
	struct sbc_pike_stats ps;
	const struct b2b_trunk_rt *t;
	int i;

	fprintf(o, "ok stats\n");
	fprintf(o, "auth");
	for (i = 0; i < SBC_TA__COUNT; i++)
		fprintf(o, " %s=%" PRIu64, sbc_trunk_auth_reason_name((enum sbc_trunk_auth_reason)i),
			b->auth_verdicts[i]);
	fprintf(o, " digest_challenges=%" PRIu64 " digest_failures=%" PRIu64 "\n",
		b->digest_challenges, b->digest_failures);
	sbc_pike_get_stats(b->pike, &ps);
	fprintf(o, "pike refused=%" PRIu64, b->pike_refused);
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
	fprintf(o, "config reloads=%u refused=%u generations_in_use=%u\n", b->reloads,
		b->reloads_refused, 1 + count_gens(b->old_gens));
}

/* One command line in @line (NUL-terminated, no newline): the answer into @o. */
static void ctl_command(struct sbc_b2bua *b, const char *line, FILE *o)
{
	char extra;
	unsigned int no;

	if (strcmp(line, "calls") == 0)
		ctl_calls(b, o);
	else if (sscanf(line, "call %u%c", &no, &extra) == 1)
		ctl_call(b, o, no);
	else if (strcmp(line, "trunks") == 0)
		ctl_trunks(b, o);
	else if (strcmp(line, "stats") == 0)
		ctl_stats(b, o);
	else
		fprintf(o, "error unknown command (calls, call ID, trunks, stats)\n");
}

/*
 * One sbcctl client: one line in, the answer out, closed.  The socket is
 * blocking with B2B_CTL_IO_MS timeouts, so a slow client holds the loop
 * for at most that long each way (the socket is 0600: root's tool only).
 */
static int on_ctl_readable(struct sbc_b2bua *b, su_wait_t *w, void *arg)
{
	struct timeval tv = { B2B_CTL_IO_MS / 1000, (B2B_CTL_IO_MS % 1000) * 1000 };
	char line[B2B_CTL_LINE_MAX], *out = NULL;
	size_t used = 0, out_len = 0, off;
	FILE *o;
	ssize_t n;
	int fd;

	(void)w;
	(void)arg;
	fd = accept4(b->ctl_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (used < sizeof(line) - 1) {
		n = read(fd, line + used, sizeof(line) - 1 - used);
		if (n <= 0)
			break;
		used += (size_t)n;
		if (memchr(line, '\n', used) != NULL)
			break;
	}
	line[used] = '\0';
	if (memchr(line, '\n', used) == NULL) {
		close(fd);   /* no complete line in time: nothing to answer */
		return 0;
	}
	line[strcspn(line, "\r\n")] = '\0';
	o = open_memstream(&out, &out_len);
	if (o != NULL) {
		ctl_command(b, line, o);
		fclose(o);
		for (off = 0; out != NULL && off < out_len; off += (size_t)n) {
			n = write(fd, out + off, out_len - off);
			if (n <= 0)
				break;
		}
		free(out);
	}
	close(fd);
	/* STATS requests made above may have queued data plane events. */
	dp_drain_events(b);
	return 0;
}

/*
 * Listen on @path: a socket file left by a process that is gone is
 * replaced, a live one is not (-EADDRINUSE).  Mode 0600 from the start
 * (umask around bind()).
 */
static int ctl_listen(struct sbc_b2bua *b, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old_umask;
	char *slash;
	int fd, probe, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0) {
		rc = connect(probe, (struct sockaddr *)&sa, sizeof(sa));
		close(probe);
		if (rc == 0) {
			SBC_LOG(ERR, B2B_LOG, "control socket %s: another process answers on it",
				path);
			return -EADDRINUSE;
		}
	}
	unlink(path);
	/* Its directory (/run/rampart by default) is made 0700 when missing. */
	slash = strrchr(sa.sun_path, '/');
	if (slash != NULL && slash != sa.sun_path) {
		*slash = '\0';
		if (mkdir(sa.sun_path, 0700) != 0 && errno != EEXIST)
			SBC_LOG(WARN, B2B_LOG, "control socket directory %s: %s", sa.sun_path,
				strerror(errno));
		*slash = '/';
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	old_umask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (rc != 0 || listen(fd, 8) != 0) {
		rc = -errno;
		close(fd);
		SBC_LOG(ERR, B2B_LOG, "control socket %s: %s", path, strerror(-rc));
		return rc;
	}
	b->ctl_fd = fd;
	b->ctl_bound = true;
	return 0;
}

/* ---- setup and teardown ---- */

/*
 * The nua URLs of an interface: "sip:ADDR:PORT" binds UDP and TCP on one
 * port; a lone transport gets ";transport="; the first TLS listener is
 * "sips:ADDR:PORT" (NUTAG_SIPS_URL, or the only URL when the interface has
 * no UDP or TCP listener), its material in *@tls_l.
 */
static int sipif_url(const struct b2b_sipif *s, char *url, size_t size, char *sips,
		     size_t sips_size, const struct sbc_cfg_sip_listen **tls_l)
{
	const struct sbc_cfg_sip_if *ic = s->cfg;
	const struct sbc_cfg_sip_listen *udp = NULL, *tcp = NULL, *tls = NULL;
	uint32_t i;

	for (i = 0; i < ic->n_listen; i++) {
		const struct sbc_cfg_sip_listen *l = &ic->listen[i];

		if (l->transport == SBC_TRANSPORT_UDP && udp == NULL)
			udp = l;
		else if (l->transport == SBC_TRANSPORT_TCP && tcp == NULL)
			tcp = l;
		else if (l->transport == SBC_TRANSPORT_TLS && tls == NULL)
			tls = l;
		else
			SBC_LOG(WARN, B2B_LOG, "%s: second %s listener on port %u is not served",
				ic->name, sbc_transport_name(l->transport), l->port);
	}
	if (udp != NULL && tcp != NULL && udp->port != tcp->port) {
		SBC_LOG(WARN, B2B_LOG, "%s: udp and tcp on different ports: only udp %u is served",
			ic->name, udp->port);
		tcp = NULL;
	}
	*tls_l = tls;
	sips[0] = '\0';
	if (udp != NULL && tcp != NULL)
		snprintf(url, size, "sip:%s:%u", s->host, udp->port);
	else if (udp != NULL)
		snprintf(url, size, "sip:%s:%u;transport=udp", s->host, udp->port);
	else if (tcp != NULL)
		snprintf(url, size, "sip:%s:%u;transport=tcp", s->host, tcp->port);
	else if (tls != NULL)
		snprintf(url, size, "sips:%s:%u", s->host, tls->port);
	else
		return -ENOENT;
	if (tls != NULL && (udp != NULL || tcp != NULL))
		snprintf(sips, sips_size, "sips:%s:%u", s->host, tls->port);
	return 0;
}

static int sipif_start(struct sbc_b2bua *b, struct b2b_sipif *s)
{
	const struct sbc_config *cfg = b->cfg;
	const struct sbc_cfg_sip_listen *tls_l = NULL;
	char url[128], sips[128], ip[64], tls_dir[PATH_MAX];
	unsigned int verify = TPTLS_VERIFY_NONE;
	int rc;

	s->b = b;
	s->media = sbc_config_media_if(cfg, s->cfg->media_interface);
	if (s->media == NULL)
		return -ENOENT;   /* the loader checks the reference; belt and braces */
	sbc_ip_str(&s->cfg->address, ip, sizeof(ip));
	if (s->cfg->address.family == 6)
		snprintf(s->host, sizeof(s->host), "[%s]", ip);
	else
		snprintf(s->host, sizeof(s->host), "%s", ip);
	if (sipif_url(s, url, sizeof(url), sips, sizeof(sips), &tls_l) != 0) {
		SBC_LOG(WARN, B2B_LOG, "%s: no listener: interface not served", s->cfg->name);
		return 0;
	}
	if (tls_l != NULL) {
		if (b->tls == NULL) {
			b->tls = sbc_sip_tls_create(&rc);
			if (b->tls == NULL)
				return rc;
		}
		rc = sbc_sip_tls_add(b->tls, s->cfg->name, tls_l, tls_dir, sizeof(tls_dir));
		if (rc != 0)
			return rc;
		/* Clients are checked only when asked; servers whenever a CA is given. */
		if (tls_l->verify_peer)
			verify |= TPTLS_VERIFY_IN;
		if (tls_l->ca_file != NULL)
			verify |= TPTLS_VERIFY_OUT;
		s->tls = true;
	}
	s->nua = nua_create(b->root, b2b_event, s,
			    NUTAG_URL(url),
			    TAG_IF(sips[0] != '\0', NUTAG_SIPS_URL(sips)),
			    TAG_IF(tls_l != NULL, NUTAG_CERTIFICATE_DIR(tls_dir)),
			    TAG_IF(tls_l != NULL, TPTAG_TLS_VERIFY_POLICY(verify)),
			    NUTAG_MEDIA_ENABLE(0),
			    NUTAG_AUTOANSWER(0),
			    NUTAG_AUTOALERT(0),
			    NUTAG_AUTOACK(1),
			    NUTAG_ENABLEMESSAGE(0),
			    NUTAG_SESSION_TIMER(0),
			    /* Only what the B2BUA relays; nua answers PRACK itself. */
			    SIPTAG_ALLOW_STR("INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK, UPDATE"),
			    /* UPDATE is answered by on_reoffer(), not by nua. */
			    NUTAG_APPL_METHOD("UPDATE"),
			    /* Session timers are not relayed yet: do not offer them. */
			    SIPTAG_SUPPORTED_STR("100rel"),
			    NUTAG_M_USERNAME("rampart"),
			    /* Bursts of calls: the kernel's default UDP buffer overflows near 2,000 CPS. */
			    TPTAG_UDP_RMEM(4u << 20),
			    NTATAG_SIP_T1(cfg->sip.t1_ms),
			    NTATAG_MAX_FORWARDS(cfg->sip.max_forwards),
			    TAG_IF(cfg->sip.user_agent != NULL,
				   SIPTAG_USER_AGENT_STR(cfg->sip.user_agent)),
			    TAG_IF(cfg->sip.user_agent != NULL,
				   SIPTAG_SERVER_STR(cfg->sip.user_agent)),
			    TAG_END());
	if (s->nua == NULL) {
		SBC_LOG(ERR, B2B_LOG, "%s: cannot serve %s (address in use or not local?)",
			s->cfg->name, url);
		return -EADDRNOTAVAIL;
	}
	SBC_LOG(NOTICE, B2B_LOG, "%s (%s side): listening on %s%s%s", s->cfg->name,
		sbc_side_name(s->cfg->side), url, sips[0] != '\0' ? " and " : "", sips);
	return 0;
}

static struct sbc_dpclient *dp_connect(const char *path, unsigned int wait_ms, int *err)
{
	struct sbc_dpclient *dp;
	unsigned int waited = 0;
	struct timespec ts = { 0, 200 * 1000000L };

	for (;;) {
		dp = sbc_dpclient_connect(path, B2B_DP_TIMEOUT_MS, err);
		if (dp != NULL || *err == -EPROTO || waited >= wait_ms)
			return dp;
		nanosleep(&ts, NULL);
		waited += 200;
	}
}

struct sbc_b2bua *sbc_b2bua_create(const struct sbc_config *cfg, unsigned int dp_wait_ms,
				   int *err)
{
	struct sbc_b2bua *b;
	sigset_t mask;
	uint32_t i;
	int rc;

	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	b->cfg = cfg;
	b->startup_cfg = cfg;
	b->gen = calloc(1, sizeof(*b->gen));
	if (b->gen == NULL) {
		free(b);
		*err = -ENOMEM;
		return NULL;
	}
	b->gen->cfg = cfg;
	b->gen->tenants = sbc_tenants_create(cfg);
	b->sig_fd = -1;
	b->ctl_fd = -1;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &b->old_mask);
	b->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (b->sig_fd < 0) {
		rc = -errno;
		goto err;
	}

	b->dp = dp_connect(cfg->dataplane.api_socket, dp_wait_ms, &rc);
	if (b->dp == NULL) {
		SBC_LOG(ERR, B2B_LOG, "no data plane at %s: %s", cfg->dataplane.api_socket,
			strerror(-rc));
		goto err;
	}
	SBC_LOG(NOTICE, B2B_LOG, "data plane connected: %u workers, %u of %u streams free",
		sbc_dpclient_server(b->dp)->n_workers, sbc_dpclient_server(b->dp)->free_streams,
		sbc_dpclient_server(b->dp)->max_streams);

	if (cfg->cdr.enabled && cfg->cdr.path != NULL) {
		b->cdr = sbc_cdr_open(cfg->cdr.path, &rc);
		if (b->cdr == NULL) {
			SBC_LOG(ERR, B2B_LOG, "CDR file %s: %s", cfg->cdr.path, strerror(-rc));
			goto err;
		}
	}

	if (su_init() != 0) {
		rc = -ENOMEM;
		goto err;
	}
	b->su_inited = true;
	b->root = su_root_create(b);
	if (b->root == NULL) {
		rc = -ENOMEM;
		goto err;
	}
	/*
	 * One thread: without this, nua_create() runs each SIP stack in a
	 * thread of its own and only the callbacks come back to this loop.
	 */
	su_root_threading(b->root, 0);
	su_wait_create(&b->sig_wait, b->sig_fd, SU_WAIT_IN);
	b->sig_index = su_root_register(b->root, &b->sig_wait, on_signal, NULL, 0);
	su_wait_create(&b->dp_wait, sbc_dpclient_fd(b->dp), SU_WAIT_IN);
	b->dp_index = su_root_register(b->root, &b->dp_wait, on_dp_readable, NULL, 0);
	if (b->sig_index <= 0 || b->dp_index <= 0) {
		rc = -ENOMEM;
		goto err;
	}
	if (b->gen->tenants == NULL) {
		rc = -errno;
		SBC_LOG(ERR, B2B_LOG, "tenant index: %s", strerror(errno));
		goto err;
	}
	rc = b2b_trunks_reloaded(b);
	if (rc != 0)
		goto err;
	b->pike = sbc_pike_create(&(struct sbc_pike_params){
		.threshold = cfg->sip.pike.threshold, .window_ms = cfg->sip.pike.window_ms,
		.block_ms = cfg->sip.pike.block_ms, .entries = cfg->sip.pike.entries,
		.ipv6_prefix_len = cfg->sip.pike.ipv6_prefix_len });
	if (b->pike == NULL) {
		rc = -errno;
		goto err;
	}
	rc = ctl_listen(b, cfg->sip.control_socket);
	if (rc != 0)
		goto err;
	su_wait_create(&b->ctl_wait, b->ctl_fd, SU_WAIT_ACCEPT);
	b->ctl_index = su_root_register(b->root, &b->ctl_wait, on_ctl_readable, NULL, 0);
	if (b->ctl_index <= 0) {
		rc = -ENOMEM;
		goto err;
	}
	SBC_LOG(NOTICE, B2B_LOG, "sbcctl socket: %s", cfg->sip.control_socket);

	b->sif = calloc(cfg->sip.n_interfaces ? cfg->sip.n_interfaces : 1, sizeof(*b->sif));
	if (b->sif == NULL) {
		rc = -ENOMEM;
		goto err;
	}
	for (i = 0; i < cfg->sip.n_interfaces; i++) {
		b->sif[i].cfg = &cfg->sip.interfaces[i];
		b->n_sif++;
		rc = sipif_start(b, &b->sif[i]);
		if (rc != 0)
			goto err;
	}
	return b;

err:
	sbc_b2bua_destroy(b);
	*err = rc;
	return NULL;
}

void sbc_b2bua_stop(struct sbc_b2bua *b)
{
	su_root_break(b->root);
}

/* Step the loop until every nua reported its shutdown or @ms passed. */
static void nua_shutdown_all(struct sbc_b2bua *b, unsigned int ms)
{
	uint64_t deadline = wall_ms() + ms;
	bool pending;
	uint32_t i;

	for (i = 0; i < b->n_sif; i++)
		if (b->sif[i].nua != NULL && !b->sif[i].shutdown_done)
			nua_shutdown(b->sif[i].nua);
	do {
		pending = false;
		for (i = 0; i < b->n_sif; i++)
			if (b->sif[i].nua != NULL && !b->sif[i].shutdown_done)
				pending = true;
		if (!pending)
			break;
		su_root_step(b->root, 100);
	} while (wall_ms() < deadline);
	if (pending)
		SBC_LOG(WARN, B2B_LOG, "nua shutdown not complete after %u ms", ms);
}

int sbc_b2bua_run(struct sbc_b2bua *b)
{
	struct b2b_call *c;

	su_root_run(b->root);
	b->stopping = true;
	SBC_LOG(NOTICE, B2B_LOG, "stopping with %u calls open", b->n_calls);
	for (c = b->calls; c != NULL; c = c->next) {
		leg_hangup(&c->leg[0], 503, "Service Unavailable");
		leg_hangup(&c->leg[1], 0, NULL);
		call_end(c, "shutdown", c->leg[0].answered ? 200 : 503, "sbc");
	}
	nua_shutdown_all(b, B2B_SHUTDOWN_MS);
	return b->exit_rc;
}

void sbc_b2bua_destroy(struct sbc_b2bua *b)
{
	struct b2b_call *c;
	uint32_t i;

	if (b == NULL)
		return;
	if (b->root != NULL)
		nua_shutdown_all(b, 1000);  /* nua_destroy() refuses an unfinished shutdown */
	while ((c = b->calls) != NULL) {
		b->calls = c->next;
		if (b->calls != NULL)
			b->calls->pprev = &b->calls;
		call_end(c, "shutdown", 503, "sbc");
		free(c->binv.mp_body);
		reoffer_free(c->reoffer);
		sbc_sdes_wipe(c, sizeof(*c));
		free(c);
	}
	for (i = 0; i < b->n_sif; i++)
		if (b->sif[i].nua != NULL)
			nua_destroy(b->sif[i].nua);
	free(b->sif);
	sbc_sip_tls_destroy(b->tls);
	if (b->root != NULL) {
		if (b->sig_index > 0)
			su_root_deregister(b->root, b->sig_index);
		if (b->dp_index > 0)
			su_root_deregister(b->root, b->dp_index);
		if (b->ctl_index > 0)
			su_root_deregister(b->root, b->ctl_index);
		su_root_destroy(b->root);
	}
	if (b->su_inited)
		su_deinit();
	sbc_cdr_close(b->cdr);
	sbc_dpclient_close(b->dp);
	if (b->sig_fd >= 0)
		close(b->sig_fd);
	if (b->ctl_fd >= 0)
		close(b->ctl_fd);
	if (b->ctl_bound)
		unlink(b->startup_cfg->sip.control_socket);
	sigprocmask(SIG_SETMASK, &b->old_mask, NULL);
	while (b->trunk_rt != NULL) {
		struct b2b_trunk_rt *t = b->trunk_rt;

		b->trunk_rt = t->next;
		free(t->name);
		free(t);
	}
	/* Every generation but the startup one (main()'s) is ours. */
	while (b->old_gens != NULL) {
		struct b2b_gen *g = b->old_gens;

		b->old_gens = g->next;
		sbc_tenants_destroy(g->tenants);
		sbc_config_free(g->owned);
		free(g);
	}
	if (b->gen != NULL) {
		sbc_tenants_destroy(b->gen->tenants);
		sbc_config_free(b->gen->owned);
		free(b->gen);
	}
	while (b->realms != NULL) {
		struct b2b_realm *r = b->realms;

		b->realms = r->next;
		sbc_digest_server_destroy(r->srv);
		free(r->realm);
		free(r);
	}
	sbc_pike_destroy(b->pike);
	free(b);
}
