/* SPDX-License-Identifier: BSD-3-Clause
 * The B2BUA's rooms share this layout; nothing outside controlplane/
 * includes it.  A call walks through them in this order (docs/architecture.md
 * "A call's walk through the control plane"):
 *
 *   b2bua.c      the object, its su_root loop, signals, SIGHUP reload,
 *                Sofia's events dispatched to the rooms below
 *   sipif.c      SIP interfaces: one nua per interface, its listeners
 *   admission.c  who calls: trunk identification, digest realms, the
 *                per-source limit, call admission control, trunk state
 *                across config generations
 *   routing.c    where the call goes (Sofia-free, routing.h)
 *   invite.c     the initial INVITE as a pipeline of stages, each
 *                returning a typed reject (struct b2b_reject)
 *   locate.c     where B is (RFC 3263 over resolver.c, dest.h): the
 *                call's destinations, failover, Retry-After
 *   keepalive.c  OPTIONS per resolved destination: down and up again
 *   leg_b.c      what leg B is told: identity (identity.h), multipart
 *                bodies, P-Early-Media, B's INVITE
 *   media.c      media anchoring through the asynchronous data plane
 *                client and the SDES glue (keys per leg)
 *   dplink.c     the data plane connection: requests with continuations,
 *                deadlines, events, late answers
 *   call.c       call life: states, hangup, CDR, B's responses, BYE,
 *                CANCEL, the late-offer ACK
 *   reoffer.c    re-INVITE and UPDATE relayed between the legs
 *   indialog.c   INFO relayed between the legs; REFER refused or acted on
 *                (a transfer made by the B2BUA)
 *   resolver.c   DNS on the loop (Sofia's sres): b2b_resolve()
 *   ctl.c        the operator socket (sbcctl), non-blocking, a command
 *                table; each room dumps its own counters
 *   sip_util.c   small helpers over Sofia's parsed messages
 *
 * Thread: everything here runs on the su_root thread (sbc_b2bua_run()).
 */
#ifndef SBC_B2BUA_PRIV_H
#define SBC_B2BUA_PRIV_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sbc_b2bua;
struct b2b_query;
struct sres_resolver_s;
struct b2b_sipif;
struct b2b_leg;
struct b2b_ctl_client;
struct b2b_keepalive;
struct b2b_indialog;

/* Sofia's callbacks hand back our own structs instead of void pointers. */
#define SU_ROOT_MAGIC_T struct sbc_b2bua
#define SU_WAKEUP_ARG_T void
#define SU_TIMER_ARG_T void
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

#include "b2bua.h"
#include "cac.h"
#include "cdr.h"
#include "codec_policy.h"
#include "dest.h"
#include "digest.h"
#include "identity.h"
#include "sbc_api.h"
#include "sbc_config.h"
#include "sbc_dpclient.h"
#include "sdes.h"
#include "sdp.h"
#include "trunk_auth.h"

#define B2B_LOG "b2bua"
#define B2B_DP_TIMEOUT_MS 2000     /* bound of one data plane request */
#define B2B_URI_MAX 512
#define B2B_DIALOG_RETRIES 3       /* nua's resends of one in-dialog request (challenges) */
#define B2B_CALL_ID_MAX 128
#define B2B_CRLF_KEEPALIVE_MS 30000  /* CRLF pings on idle TCP/TLS connections */

/* ---- counters ---- */

/*
 * The B2BUA's own counters, one list for the struct, `sbcctl stats` and
 * the docs: X(name, "description").
 */
#define B2B_COUNTERS(X) \
	X(calls_started,       "initial INVITEs that became calls (trunk identified)") \
	X(calls_answered,      "calls answered (200 relayed to the caller)") \
	X(calls_rejected,      "calls refused before or by the callee") \
	X(calls_failed,        "calls that failed inside Rampart (no route, media, transport)") \
	X(calls_no_ack,        "answered calls whose caller never ACKed (ended at 64*T1)") \
	X(calls_ended,         "calls whose CDR was written") \
	X(dp_requests,         "data plane requests sent") \
	X(dp_call_requests,    "data plane requests made by the calls that ended") \
	X(dp_failures,         "data plane requests that failed or timed out") \
	X(dp_late_released,    "late data plane answers whose resources were released") \
	X(dp_lost,             "times the data plane connection was lost (reconnected after)") \
	X(dp_reconnects,       "data plane connections made again after a loss") \
	X(calls_media_lost,    "calls ended because the data plane went (CDR media_lost)") \
	X(calls_readopted,     "calls whose media was programmed again on a new data plane") \
	X(learn_refused,       "media sources outside a leg's learn scope refused (data plane events)") \
	X(locate_failed,       "calls whose trunk resolved to no destination (503)") \
	X(failovers,           "attempts given up for the next destination (timeout, transport, 503)") \
	X(targets_held,        "503s with Retry-After that held a destination") \
	X(keepalive_changes,   "destinations marked down or up again by OPTIONS keepalives") \
	X(digest_challenges,   "407 challenges sent") \
	X(digest_failures,     "digest credentials refused (403/400)") \
	X(pike_refused,        "requests refused by the per-source limit") \
	X(unknown_refused,     "UDP requests from unknown sources refused statelessly, once (403)") \
	X(unknown_dropped,     "UDP requests from unknown sources dropped unparsed, unanswered") \
	X(unknown_over_budget, "... of which unanswered for the global budget (sip.pike.unknown_reply_rate)") \
	X(prefilter_headers,   "messages dropped unparsed for too many header lines (TCP/TLS: closed)") \
	X(prefilter_malformed, "requests with a bad Request-Line or no Via/From/To/Call-ID/CSeq, bad status lines") \
	X(prefilter_unknown_method, "requests with a method Sofia does not know, answered 501 unparsed") \
	X(reloads,             "SIGHUP reloads accepted") \
	X(reloads_refused,     "SIGHUP reloads refused") \
	X(options_answered,    "OPTIONS outside calls answered 200 (known trunks)") \
	X(info_relayed,        "INFO requests relayed to the other leg of a call") \
	X(info_refused,        "INFO requests answered by the SBC (415 type, 481 no answered call)") \
	X(refers_refused,      "REFERs refused by the SBC on refer: local trunks (403, 481, 491)") \
	X(transfers_started,   "REFERs accepted (202): transfers made by the SBC (refer: local)") \
	X(transfers_done,      "... of which connected the remaining party to the target") \
	X(transfers_failed,    "... of which failed (NOTIFYed; the transferor put back, or the call ended)") \
	X(options_refused,     "OPTIONS outside calls refused or dropped (unknown sources)") \
	X(ctl_clients,         "sbcctl connections served") \
	X(ctl_refused,         "sbcctl connections refused (too many at once)")

struct b2b_counters {
#define B2B_X_FIELD(name, desc) uint64_t name;
	B2B_COUNTERS(B2B_X_FIELD)
#undef B2B_X_FIELD
};

/* ---- a typed reject: what a stage refuses a call with ---- */

struct b2b_reject {
	int status;                /* SIP status toward the caller; 0 = go on */
	const char *phrase;        /* static string (nua keeps the pointer) */
	const char *disposition;   /* CDR disposition */
	const char *warning;       /* Warning: 399 text (static or the call's), or NULL */
	uint32_t retry_after_s;    /* Retry-After with a 503; 0 = none */
};

#define B2B_GO ((struct b2b_reject){ 0 })

/** A reject with the standard phrase of @status. */
struct b2b_reject b2b_reject(int status, const char *disposition, const char *warning);

/* ---- the structs ---- */

enum b2b_state {
	B2B_WAIT_MEDIA = 0,        /* ALLOC sent for the call's endpoints, B not reached yet */
	B2B_CALLING,               /* INVITE sent to B, nothing back yet */
	B2B_EARLY,                 /* a provisional response relayed */
	B2B_ANSWERED,              /* 200 relayed to A */
	B2B_ENDED,                 /* signalling over; media released, CDR written (or on their way) */
};

/* What a call waits for when its data plane requests complete (media.c). */
enum b2b_settle {
	B2B_SETTLE_NONE = 0,       /* nothing: a failure ends the call */
	B2B_SETTLE_EARLY_A,        /* relay B's 18x with our SDP to A */
	B2B_SETTLE_ANSWER_A,       /* relay B's 200 with our SDP to A */
	B2B_SETTLE_LATE_ACK,       /* late offer: A's answer in the ACK is bound */
	B2B_SETTLE_REOFFER,        /* answer the re-INVITE/UPDATE in progress */
};

/* One SIP interface: its nua, bound to the interface's address. */
struct b2b_sipif {
	struct sbc_b2bua *b;
	const struct sbc_cfg_sip_if *cfg;
	const struct sbc_cfg_media_if *media;
	nua_t *nua;
	bool shutdown_done;
	bool tls;                  /* a TLS listener is served (and TLS trunks can be reached) */
	char host[260];            /* our host in URIs: advertise, else the address */
	struct sbc_ip adv_ip;      /* advertise as an address of the media's family; family 0 = none */
};

struct b2b_call;

/*
 * SRTP of one m= line of one leg (SDES, RFC 4568).  `in` is the peer's
 * key (it protects what the peer sends, we unprotect with it), `out` ours
 * (we protect what we send the peer).  The *_pend keys belong to the offer
 * or answer in progress and replace in/out when that exchange completes
 * (b2b_media_program()); suite SBC_API_SRTP_NONE means plain RTP.  All
 * secret: wiped when the call is freed, never logged.
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
	struct sbc_codec_policy codecs;    /* what may be sent to this leg */
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
	/* Its signalling peer: A the INVITE's source, B the destination its INVITE
	 * went to (latching's learn_from: signalling); family 0 = unknown. */
	struct sbc_ip sig_peer;
	/*
	 * Our Contact toward this leg, naming the transport and port its
	 * dialog uses (nua's own would say the interface's first URL, UDP,
	 * and a TLS peer would send ACK and BYE in clear text); "" = nua's.
	 */
	char contact[160];
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
	struct sbc_dest_table dests;   /* resolved destinations: Retry-After, keepalive (locate.c) */
	struct b2b_keepalive *ka;      /* OPTIONS keepalives (keepalive.c); NULL = off */
};

/* Where one call's B leg goes (locate.c): its destinations, in order. */
#define B2B_LOCATE_WORK_MAX 24

enum b2b_locate_kind { B2B_LK_NAPTR = 0, B2B_LK_SRV, B2B_LK_ADDR };

struct b2b_locate_item {
	enum b2b_locate_kind kind;
	bool fallback;                 /* SRV without NAPTR: the name's address next */
	uint16_t port;                 /* B2B_LK_ADDR */
	uint32_t target;               /* index into the trunk's targets */
	char name[SBC_DEST_NAME_MAX];
};

/*
 * One resolution of a trunk's targets into destinations (locate.c), for a
 * call or for the trunk's keepalives.  The owner says whether it is still
 * there when an answer comes (gone) and is told when nothing is in flight
 * any more (released), so that it may be freed.
 */
struct b2b_locator {
	struct sbc_b2bua *b;
	const struct sbc_cfg_trunk *trunk;
	int family;                    /* of the interface: A (4) or AAAA (6) records */
	struct b2b_trunk_rt *rt;       /* whose table notes the TTLs; NULL = none */
	void (*done)(struct b2b_locator *lc);      /* resolved (n_dest may be 0) */
	bool (*gone)(struct b2b_locator *lc);      /* the owner ended meanwhile */
	void (*released)(struct b2b_locator *lc);  /* the last query came back to a gone owner */
	struct sbc_dest dest[SBC_DEST_MAX];
	size_t n_dest;
	struct b2b_locate_item work[B2B_LOCATE_WORK_MAX];
	uint32_t n_work;
	uint32_t pending;              /* queries in flight (0 or 1) */
	bool stepping;                 /* inside the step loop: cached answers come back here */
	uint32_t queries;              /* DNS queries made */
};

struct b2b_route {
	struct b2b_locator loc;
	size_t next;                   /* the first destination not tried yet */
	int cur;                       /* the one B's INVITE went to; -1 = none */
	uint32_t attempts;
	uint64_t first_ms;             /* the first attempt's start */
};

/* What B's INVITE says about the caller and the called number (leg_b.c). */
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
	uint32_t max_forwards;         /* B's INVITEs: A's less one, at most sip.max_forwards */
	/*
	 * Redirects acted on (RFC 7044): the R-URI of B's last INVITE, and the
	 * History-Info entries of the targets that answered 3xx, each with
	 * its Reason ("" before the first redirect).
	 */
	char ruri[B2B_URI_MAX];
	char history[2 * B2B_URI_MAX];
	char history_hdr[3 * B2B_URI_MAX]; /* "History-Info: ..." of B's INVITEs, or "" */
	int redirect_status;           /* the 3xx that retargets the next INVITE; 0 = none */
	/* What B's last INVITE asked for and its From tag: a retry keeps them. */
	char ruser[SBC_ID_USER_MAX];
	bool user_phone;
	char from_tag[64];
};

/* A digest realm we challenge PBXs in, and its nonce server. */
struct b2b_realm {
	struct b2b_realm *next;
	char *realm;
	struct sbc_digest_server *srv;
};

/*
 * One data plane request in flight for a call: the continuation's
 * context.  ALLOC ops map each requested endpoint back to its leg and m=
 * line; line ops (BIND, UPDATE, RELEASE) name their line.
 */
enum b2b_dpop_kind { B2B_DPOP_ALLOC, B2B_DPOP_BIND, B2B_DPOP_UPDATE, B2B_DPOP_RELEASE };

struct b2b_dpop {
	struct b2b_call *call;
	uint8_t kind;              /* enum b2b_dpop_kind */
	uint8_t line;              /* line ops: the m= line */
	uint8_t n;                 /* ALLOC: endpoints asked for */
	uint8_t leg[SBC_API_ALLOC_MAX];
	uint8_t mline[SBC_API_ALLOC_MAX];
};

/* Data plane state of one m= line of a call (media.c). */
struct b2b_line {
	uint32_t session;          /* data plane session; 0 = none */
	bool busy;                 /* a BIND, UPDATE or RELEASE of this line is in flight */
	bool dirty;                /* the SDP changed while busy: program again after it */
	bool anchored;             /* endpoints were allocated for it (both legs) */
	struct b2b_dpop op;        /* the request in flight */
};

#define B2B_ALLOC_OPS ((2 * SBC_SDP_MEDIA_MAX + SBC_API_ALLOC_MAX - 1) / SBC_API_ALLOC_MAX)

struct b2b_call {
	struct b2b_call *next;
	struct b2b_call **pprev;   /* the pointer to this call in the list: O(1) unlink */
	struct sbc_b2bua *b;
	struct b2b_gen *gen;       /* the configuration the call started under */
	struct b2b_trunk_rt *rt[2];/* CAC state the call counts in, per leg; NULL = none */
	const struct sbc_cfg_tenant *tenant; /* whose call it is (routing.h) */
	bool emergency;            /* an emergency number: no limits, identity never withheld */
	uint32_t redirects;        /* 3xx from B acted on (a new INVITE each) */
	struct b2b_route route;    /* B's destinations (locate.c); queries in flight keep the call */
	bool b_auth_tried;         /* our digest answer to B's 401/407 was sent */
	struct b2b_b_invite binv;  /* B's INVITE (identity, From, To) */
	uint32_t no;               /* for logs */
	enum b2b_state state;
	struct b2b_leg leg[2];     /* [0] = A (caller), [1] = B (callee) */
	uint32_t n_media;
	struct b2b_line line[SBC_SDP_MEDIA_MAX];
	struct b2b_dpop alloc_op[B2B_ALLOC_OPS];
	uint32_t alloc_busy;       /* ALLOC requests in flight */
	int alloc_err;             /* first failure among them */
	uint32_t dp_pending;       /* data plane requests in flight: the call is not freed */
	uint32_t dp_requests;      /* data plane requests made for the call (round trips) */
	enum b2b_settle settle;    /* what waits for the lines to settle */
	int media_err;             /* first failure since the last settle */
	int early_status;          /* B2B_SETTLE_EARLY_A: B's 18x status */
	char early_pem[160];       /* ... and its P-Early-Media, or "" */
	uint64_t start_ms;
	uint64_t answer_ms;
	struct sbc_cdr_leg stats[2];
	/* How the call ended, for the CDR written once the media is released. */
	const char *end_disposition;
	int end_cause;
	const char *end_by;
	bool cdr_done;
	struct b2b_reoffer *reoffer;   /* a re-INVITE or UPDATE in progress; NULL when none */
	struct b2b_indialog *indialog; /* INFOs in flight, a transfer (indialog.c); NULL = none */
	/*
	 * Late offer (A's INVITE without SDP): B got our template offer, A gets
	 * an offer built from B's answer in the 200 and answers in its ACK;
	 * ack_pending until then (the data plane is bound on that ACK).
	 */
	bool late_offer;
	/*
	 * Late offer relayed (B's trunk late_offer: relay): B's INVITE had no
	 * SDP, B's 200 carries the offer (anchored, relayed to A in our 200)
	 * and our ACK to B carries the answer built from A's ACK; nua's
	 * automatic ACK is off on B's handle while b_ack_owed.
	 */
	bool late_relay;
	bool b_ack_owed;
	/* The data plane went: the call waits (media down) for a new one to
	 * take its ports again (dplink.c), or ends at b->dp_adopt_ms. */
	bool orphaned;
	bool ack_pending;
	bool a_acked;              /* A's ACK of our 200 came */
};

struct sbc_b2bua {
	const struct sbc_config *cfg;  /* the current generation's (gen->cfg) */
	const struct sbc_config *startup_cfg; /* SIP interfaces point into it */
	struct b2b_gen *gen;           /* current */
	struct b2b_gen *old_gens;      /* replaced, still used by calls */
	struct b2b_trunk_rt *trunk_rt; /* one per configured trunk, plus retired ones */
	struct sbc_pike *pike;         /* per-source limit for unauthenticated requests */
	struct b2b_prefilter_state {   /* admission.c, the datagram pre-filter */
		uint64_t last_ms;          /* last refill of the reply budget */
		uint64_t tokens_milli;     /* replies left, in thousandths */
		uint64_t log_ms;           /* last summary line */
		uint64_t refused, dropped; /* since that line */
	} pf;
	struct b2b_realm *realms;      /* digest servers, one per realm we challenge for */
	uint64_t auth_verdicts[SBC_TA__COUNT];
	struct b2b_counters n;
	su_root_t *root;
	struct b2b_sipif *sif;
	uint32_t n_sif;
	/* data plane (dplink.c) */
	struct sbc_dpclient *dp;
	su_wait_t dp_wait;
	int dp_index;              /* su_root registration; 0 = none */
	su_timer_t *tick;          /* deadlines of data plane requests and sbcctl clients */
	bool dp_closing;           /* completions during close must not send again */
	uint64_t dp_retry_ms;      /* lost: next reconnect attempt (monotonic ms) */
	uint64_t dp_adopt_ms;      /* lost: orphaned calls end if not reconnected by then */
	uint32_t dp_backoff_ms;    /* lost: wait before the attempt after it */
	/* signals */
	int sig_fd;
	su_wait_t sig_wait;
	int sig_index;
	struct MHD_Daemon *metrics;        /* the Prometheus endpoint (metrics.c), or NULL */
	su_wait_t metrics_wait;
	int metrics_index;
	uint64_t n_metrics_scrapes;
	sigset_t old_mask;
	/* operator socket (ctl.c) */
	int ctl_fd;                /* listening socket; -1 = none */
	su_wait_t ctl_wait;
	int ctl_index;
	bool ctl_bound;            /* the socket file is ours to unlink */
	struct b2b_ctl_client *ctl_clients;
	uint32_t n_ctl_clients;
	/* DNS (resolver.c) */
	struct sres_resolver_s *resolver;
	struct b2b_query *queries;     /* in flight */
	char resolv_conf[4096];        /* ours, from sip.resolvers; "" = the system's */
	struct sbc_cdr *cdr;
	struct sbc_sip_tls *tls;   /* TLS material for Sofia; NULL when no TLS listener */
	struct b2b_call *calls;
	uint32_t n_calls;
	/*
	 * Freed calls kept for the next ones: wiped (so all zero, as calloc
	 * would give them), saving the allocator a 120 KB chunk per call.
	 */
	struct b2b_call *spare_calls;
	uint32_t n_spare_calls;
	uint32_t next_call_no;
	int exit_rc;
	bool stopping;
	bool draining;             /* SIGTERM: no new calls, the open ones end by themselves */
	uint64_t drain_end_ms;     /* ... until then (monotonic) */
	bool su_inited;
};

/* ---- metrics.c: the Prometheus endpoint on the loop ---- */

struct MHD_Daemon;
/** Listen on sip.metrics_address:metrics_port when set; 0, or -errno (logged). */
int b2b_metrics_open(struct sbc_b2bua *b);
void b2b_metrics_close(struct sbc_b2bua *b);
/** Every tick: connection timeouts. */
void b2b_metrics_tick(struct sbc_b2bua *b);
/** The exposition text (docs/monitoring.md) of the counters now. */
void b2b_metrics_write(const struct sbc_b2bua *b, FILE *o);

/* ---- sip_util.c ---- */

uint64_t b2b_wall_ms(void);
uint64_t b2b_mono_ms(void);
/** A random o= sess-id within a signed 64-bit range. */
uint64_t b2b_random_sess_id(void);
/** The value of the first header @name (any case) Sofia did not parse itself. */
const char *b2b_hdr_value(const sip_t *sip, const char *name);
bool b2b_has_sdp(const sip_t *sip);
/** The standard reason phrase of @status (never the peer's text). */
const char *b2b_relay_phrase(int status);
/**
 * nua_respond() to leg @l's INVITE with its Contact (a response that sets
 * up its dialog) and an SDP body (@body NULL: none).
 */
void b2b_leg_sdp_respond(const struct b2b_leg *l, int status, const char *phrase,
			 const char *body);
/** The transport of the top Via (nta checks it is the one the request came on). */
enum sbc_transport b2b_via_transport(const sip_t *sip);
/** The Request-URI as received, as text.  false when it does not fit. */
bool b2b_request_uri_str(const sip_t *sip, char *buf, size_t size);
/** The source of the request being delivered now on @nua; -EAFNOSUPPORT when unknown. */
int b2b_request_source(nua_t *nua, struct sbc_ip *ip);

/* ---- call.c ---- */

struct b2b_call *b2b_call_new(struct sbc_b2bua *b);
const char *b2b_leg_name(const struct b2b_leg *l);
struct b2b_leg *b2b_other_leg(struct b2b_leg *l);
/** BYE once answered, else an error response (A) or CANCEL (B); once. */
void b2b_leg_hangup(struct b2b_leg *l, int status, const char *phrase);
/**
 * The call is over as far as media and accounting go: CAC places freed,
 * data plane resources released (their final counters read on the way),
 * then the CDR written, exactly once.  Idempotent.
 */
void b2b_call_end(struct b2b_call *c, const char *disposition, int cause,
		  const char *ended_by);
/** Answer A with @rj (before B answered) and end the call. */
void b2b_call_reject(struct b2b_call *c, const struct b2b_reject *rj);
/** Write the CDR when the call has ended and nothing is in flight; free it when done. */
void b2b_call_settled(struct b2b_call *c);
void b2b_call_maybe_free(struct b2b_call *c);
/** Free without ceremony (wiped; kept as a spare while the B2BUA runs). */
void b2b_call_free(struct b2b_call *c);
void b2b_call_spares_free(struct sbc_b2bua *b);
const char *b2b_call_state_name(enum b2b_state s);
void b2b_on_b_response(struct b2b_leg *bl, int status, const sip_t *sip);
/**
 * B's destination refused our TLS handshake or certificate (nta is not
 * told: it would wait for Timer B): handled as a transport error, the
 * stuck transaction dropped.
 */
void b2b_on_b_transport_failed(struct b2b_leg *bl);
/**
 * A 401/407 to a request we sent in an answered call's dialog (BYE,
 * re-INVITE, UPDATE): answered with the trunk's credentials.  True when
 * nua resends the request.
 */
bool b2b_leg_on_challenge(struct b2b_leg *l, int status, const sip_t *sip);
/**
 * nua gave up waiting for A's ACK of our 200 (64*T1) and BYEs A: B gets a
 * BYE, the CDR says "no-ack" (408), not "answered".
 */
void b2b_on_ack_timeout(struct b2b_leg *a);
void b2b_on_late_ack(struct b2b_leg *a, const sip_t *sip);
void b2b_on_cancel(struct b2b_leg *l);
void b2b_on_bye(struct b2b_leg *l);
void b2b_on_terminated(struct b2b_leg *l);
/** The media of B's 18x/200 is in place (or failed, @err < 0): tell A. */
void b2b_call_media_settled(struct b2b_call *c, enum b2b_settle what, int err);

/* ---- admission.c ---- */

/**
 * The trunk an initial INVITE comes from (trunk_auth.h: key over TLS,
 * source address, digest), or NULL once it has been answered (403, 407,
 * 503 from the per-source limit) or, per sip.unknown_source, left
 * unanswered.
 */
const struct sbc_cfg_trunk *b2b_admission_identify(struct b2b_sipif *sif, nua_handle_t *nh,
						   const sip_t *sip, const struct sbc_ip *src);
/** OPTIONS outside a call: 200 to known trunks, else as sip.unknown_source says. */
void b2b_on_options(struct b2b_sipif *sif, nua_handle_t *nh, const sip_t *sip);
/** CAC for a routed call: B2B_GO, or the 503 with its Retry-After. */
struct b2b_reject b2b_admission_admit(struct b2b_call *c);
void b2b_admission_release(struct b2b_call *c);
/** The trunks of b->cfg get their run-time state (kept by name). 0 or -ENOMEM. */
int b2b_admission_trunks_reloaded(struct sbc_b2bua *b);
void b2b_admission_dump(struct sbc_b2bua *b, FILE *o);
void b2b_admission_destroy(struct sbc_b2bua *b);
int b2b_admission_init(struct sbc_b2bua *b);

/*
 * The datagram pre-filter (prefilter.h), for udp_interpose.c: what to do
 * with @len bytes just received on UDP socket @fd from @src.  PASS: hand
 * them to Sofia; DROP: forget them; REPLY: send the @reply_len bytes
 * written to @reply back to @src, then forget them.  PASS when no B2BUA
 * runs.  The su_root thread (Sofia receives there).
 */
enum b2b_pf_verdict { B2B_PF_PASS, B2B_PF_DROP, B2B_PF_REPLY };
enum b2b_pf_verdict b2b_prefilter_datagram(int fd, const struct sockaddr *src,
					   const char *buf, size_t len, char *reply,
					   size_t size, size_t *reply_len);
/* The same for each message on an accepted TCP/TLS connection: @g judges by it. */
struct sbc_sip_conn;
void b2b_prefilter_stream_install(struct sbc_b2bua *b, struct sbc_sip_conn *g);
void b2b_admission_reconfigure(struct sbc_b2bua *b);
void b2b_gen_unref(struct sbc_b2bua *b, struct b2b_gen *g);
void b2b_gen_free(struct b2b_gen *g);

/* ---- invite.c ---- */

void b2b_on_new_invite(struct b2b_sipif *sif, nua_handle_t *nh, const sip_t *sip);
/** The call's endpoints are allocated (@err 0) or not: go on toward B. */
void b2b_invite_media_ready(struct b2b_call *c, int err);

/* ---- leg_b.c ---- */

/** Everything B's INVITE says, from A's: identity, From, To, P-Early-Media. */
void b2b_legb_prepare(struct b2b_call *c, const sip_t *sip);
/**
 * The SDP of A's INVITE (NULL: none, a late offer); a multipart/mixed body
 * is kept for B.  0, -EBADMSG (400), -EMEDIUMTYPE (another Content-Type:
 * 415) or -ENOMEM.
 */
int b2b_legb_invite_sdp(struct b2b_call *c, const sip_t *sip, const char **sdp, size_t *len);
/**
 * Send B's INVITE with Request-URI user @ruser: the first attempt, a
 * redirect (binv.redirect_status set: History-Info grows), or a retry
 * with @auth (our answer to B's challenge).  Retries keep the Call-ID and
 * the From tag.  0 or -errno.
 */
int b2b_legb_invite(struct b2b_call *c, const char *ruser, bool user_phone,
		    const sip_header_t *auth);
/** P-Early-Media (RFC 5009) of @sip rebuilt from known values; false when absent or odd. */
bool b2b_early_media_header(const sip_t *sip, char *buf, size_t size);

/* ---- media.c ---- */

/** Leg @l's codec policy toward the call's other trunk.  B2B_GO or a 488. */
struct b2b_reject b2b_media_policy(struct b2b_leg *l, const struct sbc_cfg_trunk *other);
const struct sbc_ip *b2b_media_addr(const struct b2b_sipif *sif);
/*
 * sbc_sdp_parse(), and an SDP whose c= names one of the SBC's own
 * addresses refused as SBC_SDP_E_OWN_ADDRESS (-ENOTSUP, 488).  Every SDP
 * from a peer goes through it.
 */
int b2b_sdp_parse(const struct sbc_b2bua *b, struct sbc_sdp_desc *d, const char *body,
		  size_t len, struct sbc_sdp_error *err);
bool b2b_desc_has_cn(const struct sbc_sdp_desc *d);
/**
 * ALLOC every endpoint the call needs (both legs, every anchored m= line)
 * in as few requests as the API allows; b2b_invite_media_ready() follows.
 * 0, or -errno when nothing could be sent (no continuation then).
 */
int b2b_media_alloc(struct b2b_call *c);
/**
 * BIND or UPDATE every anchored line from the current SDP (pending SRTP
 * keys committed first); when every line has settled, @then runs
 * (b2b_call_media_settled() or the re-offer's).
 */
void b2b_media_program(struct b2b_call *c, enum b2b_settle then);
/** Release whatever the call holds in the data plane (not what is in flight). */
void b2b_media_reap(struct b2b_call *c);
/** A late answer to an expired request: release what it allocated. */
void b2b_media_late_answer(struct sbc_b2bua *b, const void *resp, size_t len);
struct b2b_reject b2b_srtp_take_offer(struct b2b_call *c, struct b2b_leg *l,
				      const struct sbc_sdp_desc *d);
struct b2b_reject b2b_srtp_offer_to(struct b2b_call *c, struct b2b_leg *to,
				    const struct b2b_leg *from);
struct b2b_reject b2b_srtp_take_answer(struct b2b_call *c, struct b2b_leg *l,
				       const struct sbc_sdp_desc *d);
bool b2b_leg_is_srtp(const struct b2b_leg *l);
/** What an SDP builder returned (@n, @err) for @l: a reject, or @l's ours is set. */
struct b2b_reject b2b_media_built(struct b2b_leg *l, int n, const struct sbc_sdp_error *err,
				  const char *what, const char *disposition);
/** B's answer (18x or 200) into our answer to A (a->ours_body). */
struct b2b_reject b2b_media_take_answer(struct b2b_call *c, const sip_payload_t *pl);
/** Late offer: B's answer to our template into our offer to A. */
struct b2b_reject b2b_media_take_late_answer(struct b2b_call *c, const sip_payload_t *pl);
/* Late offer relayed: B's offer in its 200 anchored, our offer to A built. */
struct b2b_reject b2b_media_take_b_offer(struct b2b_call *c, const sip_payload_t *pl);
/* Late offer relayed: our answer to B (bl->ours_body) from A's answer in its ACK. */
struct b2b_reject b2b_media_answer_b(struct b2b_call *c);
/*
 * A new data plane after a loss: ALLOC the call's anchored lines on the same
 * ports, then BIND them from the SDP both legs already have.  0 or -errno
 * (nothing sent).  Failure later: b2b_call_readopt_failed().
 */
int b2b_media_readopt(struct b2b_call *c);
void b2b_call_readopt_failed(struct b2b_call *c);
/* A fresh Call-ID of ours for leg @l's dialog: 128 random bits @ our host. */
int b2b_leg_new_call_id(struct b2b_leg *l);
/* "<sip:ADDRESS:PORT;transport=T;lr>": destination @d as nua's initial route. */
int b2b_dest_next_hop(const struct sbc_dest *d, char *buf, size_t size);
/* Late offer relayed: the ACK we owe B's 200, with @sdp (NULL: none). */
void b2b_legb_ack(struct b2b_call *c, const char *sdp);

/* ---- dplink.c ---- */

int b2b_dplink_open(struct sbc_b2bua *b, unsigned int wait_ms);
void b2b_dplink_close(struct sbc_b2bua *b);
/** Send a request for call @c (NULL: none), counted; the continuation follows. */
int b2b_dp_send(struct sbc_b2bua *b, struct b2b_call *c, void *req,
		sbc_dpclient_done_fn done, void *arg);
void b2b_dplink_dump(struct sbc_b2bua *b, FILE *o);
/** Every 50 ms on the loop: deadlines. */
void b2b_dplink_tick(struct sbc_b2bua *b, uint64_t now_ms);

/* ---- resolver.c ---- */

#define B2B_RESOLVED_MAX 16

/* DNS record types (RFC 1035, 3596, 2782, 3403), as sres takes them. */
enum b2b_rr { B2B_RR_A = 1, B2B_RR_AAAA = 28, B2B_RR_SRV = 33, B2B_RR_NAPTR = 35 };

/*
 * What a name resolved to: the records of the type asked (addresses, SRV
 * or NAPTR; at most B2B_RESOLVED_MAX), each with its TTL.
 */
struct b2b_resolved {
	uint32_t n;
	enum b2b_rr type;
	uint32_t ttl_s[B2B_RESOLVED_MAX];
	struct {
		struct sbc_ip ip;
		uint32_t ttl_s;
	} addr[B2B_RESOLVED_MAX];
	struct sbc_srv srv[B2B_RESOLVED_MAX];
	struct sbc_naptr naptr[B2B_RESOLVED_MAX];
};

/*
 * A query's answer: @err 0 with @r, or -ENOENT (no such name or no record),
 * -ETIMEDOUT, -EIO, -ECANCELED (the resolver closed); @r NULL then.
 * Called exactly once, never from inside b2b_resolve().
 */
typedef void (*b2b_resolved_fn)(void *arg, int err, const struct b2b_resolved *r);

int b2b_resolver_open(struct sbc_b2bua *b);
void b2b_resolver_close(struct sbc_b2bua *b);
/** Ask for @name's A (@family 4) or AAAA (6) records.  0 (@done follows) or -errno. */
int b2b_resolve(struct sbc_b2bua *b, const char *name, int family, b2b_resolved_fn done,
		void *arg);
/** Ask for @name's records of @type (sres's cache answers within their TTL). */
int b2b_resolve_rr(struct sbc_b2bua *b, const char *name, enum b2b_rr type,
		   b2b_resolved_fn done, void *arg);
/** Every 50 ms on the loop: deadlines. */
void b2b_resolver_tick(struct sbc_b2bua *b, uint64_t now_ms);

/* ---- locate.c ---- */

/**
 * Resolve B's trunk into the call's destinations (RFC 3263: NAPTR, SRV,
 * A/AAAA per target, in order), then send B's INVITE to the first usable
 * one; a call that cannot go anywhere is rejected (503, with Retry-After
 * when every destination is held by one).
 */
void b2b_locate_start(struct b2b_call *c);
/** Start resolving @lc (its owner's fields set): done() follows, maybe at once. */
void b2b_locator_run(struct b2b_locator *lc);
/**
 * B's INVITE failed with @status (B's or nta's own):
 * true when the call went on to the next destination (408, 503, transport
 * errors, before anything was relayed to A).  *@retry_after_s is the 503's
 * Retry-After on entry (0: none): it holds the destination for that long;
 * when false it is what the caller's final response carries (raised to the
 * wait of the destinations still held).
 */
bool b2b_locate_failover(struct b2b_call *c, int status,
			 uint32_t *retry_after_s);
/** The destination B's INVITE goes to now (NULL before the first). */
const struct sbc_dest *b2b_locate_current(const struct b2b_call *c);
/** Every 50 ms: the calls whose destination's TLS handshake failed go on at once. */
void b2b_locate_tls_tick(struct sbc_b2bua *b);
/** `sbcctl trunks`: each trunk's destinations and their state. */
void b2b_locate_dump(struct sbc_b2bua *b, FILE *o);

/* ---- keepalive.c ---- */

/** Keepalives started for the trunks that want them, stopped for the others. */
void b2b_keepalive_sync(struct sbc_b2bua *b);
/** Every 50 ms on the loop: the trunks whose interval is due resolve and send OPTIONS. */
void b2b_keepalive_tick(struct sbc_b2bua *b, uint64_t now_ms);
/** nua_r_options on a handle with no leg: true when it was one of ours. */
bool b2b_keepalive_response(struct sbc_b2bua *b, nua_handle_t *nh, int status);
/** Stop @rt's keepalives (its OPTIONS handles destroyed now). */
void b2b_keepalive_forget(struct b2b_trunk_rt *rt);
void b2b_keepalive_stop_all(struct sbc_b2bua *b);

/* ---- reoffer.c ---- */

void b2b_on_reoffer(struct b2b_leg *l, const sip_t *sip, bool update);
void b2b_on_reoffer_response(struct b2b_leg *to, int status, const sip_t *sip);
void b2b_reoffer_media_done(struct b2b_call *c, int err);
void b2b_reoffer_free(struct b2b_reoffer *ro);

/* ---- indialog.c ---- */

/** The Allow of our sipif's nua: what every dialog accepts (REFER per trunk). */
#define B2B_ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK, UPDATE, INFO"
/**
 * The Allow of a dialog with trunk @t: B2B_ALLOW, and REFER when its
 * policy is `local` (a static string).  Set on each leg's nua handle, so
 * that our INVITE or 200 says so and nua answers a REFER the dialog does
 * not allow with 405 itself.
 */
const char *b2b_indialog_allow(const struct sbc_cfg_trunk *t);
/**
 * Leg @l's handle gets its trunk's Allow as a handle parameter (what nua
 * checks a request against; a SIPTAG_ALLOW_STR() of nua_handle() only
 * goes into our requests).
 */
void b2b_indialog_leg_allow(struct b2b_leg *l);
/** An INFO from leg @l: relayed, or answered (415, 481). */
void b2b_on_info(struct b2b_leg *l, const sip_t *sip);
/** An INFO outside any call (@nh is nua's new handle): 481, handle destroyed. */
void b2b_on_info_outside(struct b2b_sipif *sif, nua_handle_t *nh);
/** The final response of leg @to to the INFO we relayed to it: back to the sender. */
void b2b_on_info_response(struct b2b_leg *to, int status);
/** A REFER from leg @l: 405, refused (403, 481, 491), or a transfer started (202). */
void b2b_on_refer(struct b2b_leg *l, const sip_t *sip, tagi_t tags[]);
/**
 * An event on a nua handle bound to a transfer's leg (the target before
 * it is connected, the transferor after its REFER): handled, true.  False
 * for the call's own legs.
 */
bool b2b_indialog_event(nua_event_t event, int status, struct b2b_leg *l, const sip_t *sip,
			tagi_t tags[]);
/** The response to our re-INVITE of a transfer's remaining leg @l: handled, true. */
bool b2b_indialog_invite_response(struct b2b_leg *l, int status, const sip_t *sip);
/** The call ends: INFOs still waiting for the other leg are answered (487), a transfer stops. */
void b2b_indialog_call_ended(struct b2b_call *c);
/** A transfer's nua handles or DNS queries are still out: the call is not freed. */
bool b2b_indialog_busy(const struct b2b_call *c);
/** The CDR's transfer fields (the leg a transfer replaced), when there was one. */
void b2b_indialog_cdr(const struct b2b_call *c, struct sbc_cdr_record *r);
void b2b_indialog_free(struct b2b_call *c);

/* ---- sipif.c ---- */

int b2b_sipif_start(struct sbc_b2bua *b, struct b2b_sipif *s);
struct b2b_sipif *b2b_sipif_find(struct sbc_b2bua *b, const char *name);
/**
 * Our Contact on interface @s for a dialog over transport @t: the port of
 * that listener and ";transport=", or "<sips:...>" over TLS when @sips
 * (the request URI was sips:).  -ENOENT without such a listener.
 */
int b2b_sipif_contact(const struct b2b_sipif *s, enum sbc_transport t, bool sips, char *buf,
		      size_t size);
/** Step the loop until every nua reported its shutdown or @ms passed. */
void b2b_sipif_shutdown_all(struct sbc_b2bua *b, unsigned int ms);

/* ---- ctl.c ---- */

int b2b_ctl_open(struct sbc_b2bua *b, const char *path);
void b2b_ctl_close(struct sbc_b2bua *b);
void b2b_ctl_tick(struct sbc_b2bua *b, uint64_t now_ms);
void b2b_counters_dump(const struct sbc_b2bua *b, FILE *o);

/* ---- b2bua.c ---- */

void b2b_event(nua_event_t event, int status, char const *phrase, nua_t *nua,
	       struct b2b_sipif *sif, nua_handle_t *nh, struct b2b_leg *l,
	       sip_t const *sip, tagi_t tags[]);

#endif /* SBC_B2BUA_PRIV_H */
