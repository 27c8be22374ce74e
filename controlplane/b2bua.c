/* SPDX-License-Identifier: BSD-3-Clause
 * The B2BUA object (b2bua.h): its su_root loop, signals and SIGHUP reload,
 * and Sofia's events handed to the rooms of b2bua_priv.h.
 *
 * Thread: all of this file runs on the su_root thread (sbc_b2bua_run()).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "b2bua_priv.h"
#include "sofia_log.h"
#include "sbc_log.h"
#include "sip_tls.h"
#include "tenant.h"

#define B2B_SHUTDOWN_MS 5000       /* bound of the nua shutdown at exit */
#define B2B_TICK_MS 50             /* deadlines of data plane requests and sbcctl clients */

/* ---- Sofia's events ---- */

static void on_invite_response(struct b2b_leg *l, int status, const sip_t *sip)
{
	struct b2b_reoffer *ro = l->call->reoffer;

	if (b2b_indialog_invite_response(l, status, sip))
		return;                    /* a transfer's re-INVITE to the remaining leg */
	if (ro != NULL && ro->to == l && !ro->update)
		b2b_on_reoffer_response(l, status, sip);
	else if (l == &l->call->leg[1])
		b2b_on_b_response(l, status, sip);
}

static void on_state(struct b2b_leg *l, nua_handle_t *nh, tagi_t tags[])
{
	int state = -1;

	tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
	if (state != nua_callstate_terminated)
		return;
	if (l != NULL)
		b2b_on_terminated(l);
	else if (nh != NULL)
		nua_handle_destroy(nh);
}

/* Requests outside our calls: nua has answered; drop the handle. */
static bool out_of_call_request(nua_event_t event)
{
	switch (event) {
	case nua_i_message:
	case nua_i_register:
	case nua_i_subscribe:
	case nua_i_publish:
	case nua_i_notify:
	case nua_i_prack:
		return true;
	default:
		return false;
	}
}

void b2b_event(nua_event_t event, int status, char const *phrase, nua_t *nua,
	       struct b2b_sipif *sif, nua_handle_t *nh, struct b2b_leg *l,
	       sip_t const *sip, tagi_t tags[])
{
	(void)phrase;   /* never relayed: see b2b_relay_phrase() */
	/* A request of ours in an answered dialog challenged: answered, nua resends it. */
	if ((event == nua_r_bye || event == nua_r_invite || event == nua_r_update ||
	     event == nua_r_info) && l != NULL &&
	    l->answered && b2b_leg_on_challenge(l, status, sip))
		return;
	/* A transfer's legs (indialog.c): the target before it joins, the transferor after. */
	if (l != NULL && b2b_indialog_event(event, status, l, sip, tags))
		return;
	switch (event) {
	case nua_i_invite:
		if (l == NULL) {
			b2b_on_new_invite(sif, nh, sip);
			/* Leg A's handle (when it became one) allows what its trunk takes. */
			if ((l = nua_handle_magic(nh)) != NULL)
				b2b_indialog_leg_allow(l);
		} else {
			b2b_on_reoffer(l, sip, false);
		}
		return;
	case nua_i_info:
		if (l != NULL)
			b2b_on_info(l, sip);
		else if (nh != NULL)
			b2b_on_info_outside(sif, nh);
		return;
	case nua_r_info:
		if (l != NULL)
			b2b_on_info_response(l, status);
		return;
	case nua_i_refer:
		if (l != NULL) {
			b2b_on_refer(l, sip, tags);
		} else if (nh != NULL) {
			/* Outside calls nua's Allow has no REFER; belt and braces. */
			nua_respond(nh, 405, sip_status_phrase(405), NUTAG_WITH_THIS(nua),
				    SIPTAG_ALLOW_STR(B2B_ALLOW), TAG_END());
			nua_handle_destroy(nh);
		}
		return;
	case nua_i_update:
		if (l != NULL)
			b2b_on_reoffer(l, sip, true);
		else if (nh != NULL)
			nua_handle_destroy(nh);
		return;
	case nua_r_invite:
		if (l != NULL)
			on_invite_response(l, status, sip);
		return;
	case nua_r_update:
		if (l != NULL && l->call->reoffer != NULL && l->call->reoffer->to == l &&
		    l->call->reoffer->update)
			b2b_on_reoffer_response(l, status, sip);
		return;
	case nua_i_cancel:
		if (l != NULL)
			b2b_on_cancel(l);
		return;
	case nua_i_bye:
		if (l != NULL)
			b2b_on_bye(l);
		return;
	case nua_i_state:
		on_state(l, nh, tags);
		return;
	case nua_r_shutdown:
		if (status >= 200)
			sif->shutdown_done = true;
		return;
	case nua_i_ack:
		if (l != NULL && l == &l->call->leg[0]) {
			l->call->a_acked = true;
			if (l->call->ack_pending)
				b2b_on_late_ack(l, sip);
		}
		return;
	case nua_i_error:
		/* nua's "ACK Timeout": it BYEs that leg itself. */
		if (l != NULL && status == 408 && l == &l->call->leg[0])
			b2b_on_ack_timeout(l);
		return;
	case nua_r_options:
		if (l == NULL && !b2b_keepalive_response(sif->b, nh, status) && status >= 200)
			nua_handle_destroy(nh);
		return;
	case nua_i_options:
		if (l == NULL)
			b2b_on_options(sif, nh, sip);
		else
			nua_respond(nh, 200, "OK", NUTAG_WITH_THIS(nua), TAG_END());
		return;
	default:
		break;
	}
	if (out_of_call_request(event)) {
		if (l == NULL && nh != NULL)
			nua_handle_destroy(nh);
	} else if (status >= 300) {
		SBC_LOG(DEBUG, B2B_LOG, "%s: event %s: %d", sif->cfg->name, nua_event_name(event),
			status);
	}
}

/* ---- SIGHUP: a new configuration generation ---- */

/* Load and check the file again; NULL (reasons logged) when it is refused. */
static struct sbc_config *reload_load(struct sbc_b2bua *b)
{
	struct sbc_config_errors errs;
	struct sbc_config *n = NULL;
	char keys[8][128];
	unsigned int i, k;
	int rc;

	rc = sbc_config_load(b->startup_cfg->file, &n, &errs);
	if (rc != 0) {
		for (i = 0; i < errs.count && i < SBC_CONFIG_MAX_ERRORS; i++)
			SBC_LOG(ERR, B2B_LOG, "reload refused: %s", errs.msg[i]);
		if (errs.count == 0)
			SBC_LOG(ERR, B2B_LOG, "reload refused: %s", strerror(-rc));
		return NULL;
	}
	k = sbc_config_reload_diff(b->cfg, n, keys, 8);
	if (k != 0) {
		for (i = 0; i < k && i < 8; i++)
			SBC_LOG(ERR, B2B_LOG, "reload refused: %s changed; it needs a restart", keys[i]);
		sbc_config_free(n);
		return NULL;
	}
	return n;
}

/*
 * Trunks, tenants, limits, emergency numbers, CDR and log settings (the
 * keys marked reloadable) take effect for new calls at once; calls in
 * progress keep the generation they started under.  A file with errors,
 * or one that changes a key only a restart may change, is refused with
 * the reasons logged, and the running configuration stays.
 */
static void b2b_reload(struct sbc_b2bua *b)
{
	struct sbc_config *n;
	struct b2b_gen *g, *old;

	SBC_LOG(NOTICE, B2B_LOG, "SIGHUP: reloading %s", b->startup_cfg->file);
	n = reload_load(b);
	g = n != NULL ? calloc(1, sizeof(*g)) : NULL;
	if (g != NULL) {
		g->owned = n;
		g->cfg = n;
		g->tenants = sbc_tenants_create(n);
	}
	if (g == NULL || g->tenants == NULL) {
		if (n != NULL)
			SBC_LOG(ERR, B2B_LOG, "reload refused: out of memory");
		b2b_gen_free(g);
		if (g == NULL)
			sbc_config_free(n);
		b->n.reloads_refused++;
		SBC_LOG(NOTICE, B2B_LOG, "reload refused: the running configuration stays");
		return;
	}
	old = b->gen;
	b->gen = g;
	b->cfg = n;
	b2b_admission_reconfigure(b);
	sbc_log_set_level(n->log.level);
	/* The old generation lives on while calls started under it do. */
	if (old->refs == 0) {
		b2b_gen_free(old);
	} else {
		old->next = b->old_gens;
		b->old_gens = old;
	}
	b->n.reloads++;
	SBC_LOG(NOTICE, B2B_LOG, "configuration reloaded: %u trunks, %u tenants, %u emergency "
		"numbers; %u calls continue", n->n_trunks, n->n_tenants, n->emergency.n_numbers,
		b->n_calls);
}

static uint32_t calls_open(const struct sbc_b2bua *b)
{
	const struct b2b_call *c;
	uint32_t n = 0;

	for (c = b->calls; c != NULL; c = c->next)
		n += c->state != B2B_ENDED;
	return n;
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
		if (si.ssi_signo == SIGUSR1) {
			/* logrotate's postrotate: the CDR file renamed, a new one opened */
			int rc = b->cdr != NULL ? sbc_cdr_reopen(b->cdr) : 0;

			if (rc != 0)
				SBC_LOG(ERR, B2B_LOG, "SIGUSR1: CDR file %s not reopened (%s): the "
					"old one stays in use", b->cfg->cdr.path, strerror(-rc));
			else if (b->cdr != NULL)
				SBC_LOG(NOTICE, B2B_LOG, "SIGUSR1: CDR file %s reopened",
					b->cfg->cdr.path);
			continue;
		}
		if (si.ssi_signo == SIGTERM && !b->draining && b->cfg->sip.drain_timeout_s > 0 &&
		    calls_open(b) > 0) {
			b->draining = true;
			b->drain_end_ms = b2b_mono_ms() + b->cfg->sip.drain_timeout_s * 1000ull;
			SBC_LOG(NOTICE, B2B_LOG, "SIGTERM: draining: %u calls go on, new calls and "
				"OPTIONS get 503; stopping when they have ended, at most in %u s "
				"(SIGTERM again or SIGINT: now)", calls_open(b),
				b->cfg->sip.drain_timeout_s);
			continue;
		}
		SBC_LOG(NOTICE, B2B_LOG, "signal %u: stopping", si.ssi_signo);
		su_root_break(b->root);
	}
	return 0;
}

/* Draining: stop once no call is open, or at the bound. */
static void drain_tick(struct sbc_b2bua *b, uint64_t now)
{
	uint32_t open;

	if (!b->draining || b->stopping)
		return;
	open = calls_open(b);
	if (open != 0 && now < b->drain_end_ms)
		return;
	if (open == 0)
		SBC_LOG(NOTICE, B2B_LOG, "drained: no call open, stopping");
	else
		SBC_LOG(NOTICE, B2B_LOG, "drain bound of %u s reached with %u calls open: "
			"stopping", b->cfg->sip.drain_timeout_s, open);
	b->stopping = true;     /* once */
	su_root_break(b->root);
}

static void on_tick(struct sbc_b2bua *b, su_timer_t *t, void *arg)
{
	uint64_t now = b2b_mono_ms();

	(void)t;
	(void)arg;
	b2b_dplink_tick(b, now);
	b2b_resolver_tick(b, now);
	b2b_keepalive_tick(b, now);
	b2b_locate_tls_tick(b);
	b2b_ctl_tick(b, now);
	b2b_metrics_tick(b);
	drain_tick(b, now);
}

/* ---- setup and teardown ---- */

/* SIGINT, SIGTERM and SIGHUP blocked and read through a signalfd on the loop. */
static int signals_open(struct sbc_b2bua *b)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, &b->old_mask);
	b->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	return b->sig_fd >= 0 ? 0 : -errno;
}

/* The su_root (one thread: nua runs no stack thread of its own), signals, tick. */
static int loop_open(struct sbc_b2bua *b)
{
	if (su_init() != 0)
		return -ENOMEM;
	b->su_inited = true;
	b->root = su_root_create(b);
	if (b->root == NULL)
		return -ENOMEM;
	su_root_threading(b->root, 0);
	su_wait_create(&b->sig_wait, b->sig_fd, SU_WAIT_IN);
	b->sig_index = su_root_register(b->root, &b->sig_wait, on_signal, NULL, 0);
	b->tick = su_timer_create(su_root_task(b->root), B2B_TICK_MS);
	if (b->sig_index <= 0 || b->tick == NULL || su_timer_run(b->tick, on_tick, NULL) != 0)
		return -ENOMEM;
	return 0;
}

static int b2b_gen_init(struct sbc_b2bua *b, const struct sbc_config *cfg)
{
	b->cfg = cfg;
	b->startup_cfg = cfg;
	b->gen = calloc(1, sizeof(*b->gen));
	if (b->gen == NULL)
		return -ENOMEM;
	b->gen->cfg = cfg;
	b->gen->tenants = sbc_tenants_create(cfg);
	if (b->gen->tenants == NULL) {
		int rc = errno ? -errno : -ENOMEM;

		SBC_LOG(ERR, B2B_LOG, "tenant index: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

static int sipifs_start(struct sbc_b2bua *b)
{
	const struct sbc_config *cfg = b->cfg;
	uint32_t i;
	int rc;

	b->sif = calloc(cfg->sip.n_interfaces ? cfg->sip.n_interfaces : 1, sizeof(*b->sif));
	if (b->sif == NULL)
		return -ENOMEM;
	for (i = 0; i < cfg->sip.n_interfaces; i++) {
		b->sif[i].cfg = &cfg->sip.interfaces[i];
		b->n_sif++;
		rc = b2b_sipif_start(b, &b->sif[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

struct sbc_b2bua *sbc_b2bua_create(const struct sbc_config *cfg, unsigned int dp_wait_ms,
				   int *err)
{
	struct sbc_b2bua *b;
	int rc;

	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	b->sig_fd = -1;
	b->ctl_fd = -1;
	b2b_sofia_log_install();   /* before su_init(): its own lines are ours too */
	rc = sbc_api_selfcheck();
	if (rc == 0)
		rc = b2b_gen_init(b, cfg);
	if (rc == 0)
		rc = signals_open(b);
	if (rc == 0)
		rc = loop_open(b);
	if (rc == 0)
		rc = b2b_dplink_open(b, dp_wait_ms);
	if (rc == 0 && cfg->cdr.enabled && cfg->cdr.path != NULL) {
		b->cdr = sbc_cdr_open(cfg->cdr.path, &rc);
		if (b->cdr == NULL)
			SBC_LOG(ERR, B2B_LOG, "CDR file %s: %s", cfg->cdr.path, strerror(-rc));
	}
	if (rc == 0)
		rc = b2b_resolver_open(b);
	if (rc == 0)
		rc = b2b_admission_init(b);
	if (rc == 0)
		rc = b2b_ctl_open(b, cfg->sip.control_socket);
	if (rc == 0)
		rc = b2b_metrics_open(b);
	if (rc == 0)
		rc = sipifs_start(b);
	if (rc != 0) {
		sbc_b2bua_destroy(b);
		*err = rc;
		return NULL;
	}
	return b;
}

/* Step the loop until no call waits for the data plane (RELEASE counters for the CDRs). */
static void calls_settle(struct sbc_b2bua *b, unsigned int ms)
{
	uint64_t deadline = b2b_mono_ms() + ms;
	const struct b2b_call *c;
	bool waiting;

	do {
		waiting = false;
		for (c = b->calls; c != NULL && !waiting; c = c->next)
			waiting = c->dp_pending != 0;
		if (waiting)
			su_root_step(b->root, 20);
	} while (waiting && b2b_mono_ms() < deadline);
}


int sbc_b2bua_run(struct sbc_b2bua *b)
{
	struct b2b_call *c, *next;

	su_root_run(b->root);
	b->stopping = true;
	b2b_keepalive_stop_all(b);
	/* Ended calls whose nua handles still finish their transactions are not open. */
	SBC_LOG(NOTICE, B2B_LOG, "stopping with %u calls open", calls_open(b));
	for (c = b->calls; c != NULL; c = next) {
		next = c->next;            /* ending may free the call */
		b2b_leg_hangup(&c->leg[0], 503, "Service Unavailable");
		b2b_leg_hangup(&c->leg[1], 0, NULL);
		b2b_call_end(c, "shutdown", c->leg[0].answered ? 200 : 503, "sbc");
	}
	/* The loop runs on meanwhile: BYEs go out, RELEASEs come back, CDRs are written. */
	calls_settle(b, B2B_DP_TIMEOUT_MS);
	b2b_sipif_shutdown_all(b, B2B_SHUTDOWN_MS);
	return b->exit_rc;
}

static void gens_free(struct sbc_b2bua *b)
{
	/* Every generation but the startup one (main()'s) is ours. */
	while (b->old_gens != NULL) {
		struct b2b_gen *g = b->old_gens;

		b->old_gens = g->next;
		b2b_gen_free(g);
	}
	b2b_gen_free(b->gen);
	b->gen = NULL;
}

void sbc_b2bua_destroy(struct sbc_b2bua *b)
{
	struct b2b_call *c;
	uint32_t i;

	if (b == NULL)
		return;
	b2b_keepalive_stop_all(b);
	if (b->root != NULL)
		b2b_sipif_shutdown_all(b, 1000);  /* nua_destroy() refuses an unfinished shutdown */
	b2b_ctl_close(b);
	b2b_metrics_close(b);
	b2b_resolver_close(b);  /* queries in flight complete now (-ECANCELED) */
	b2b_dplink_close(b);   /* what is still in flight completes now */
	b->stopping = true;    /* freed calls are not kept as spares any more */
	while ((c = b->calls) != NULL) {
		b->calls = c->next;
		if (b->calls != NULL)
			b->calls->pprev = &b->calls;
		b2b_call_free(c);
	}
	b2b_call_spares_free(b);
	for (i = 0; i < b->n_sif; i++)
		if (b->sif[i].nua != NULL)
			nua_destroy(b->sif[i].nua);
	free(b->sif);
	sbc_sip_tls_destroy(b->tls);
	if (b->tick != NULL)
		su_timer_destroy(b->tick);
	if (b->root != NULL) {
		if (b->sig_index > 0)
			su_root_deregister(b->root, b->sig_index);
		su_root_destroy(b->root);
	}
	if (b->su_inited)
		su_deinit();
	sbc_cdr_close(b->cdr);
	if (b->sig_fd >= 0)
		close(b->sig_fd);
	sigprocmask(SIG_SETMASK, &b->old_mask, NULL);
	b2b_admission_destroy(b);
	gens_free(b);
	free(b);
}
