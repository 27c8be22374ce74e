/* SPDX-License-Identifier: BSD-3-Clause
 * Trunk keepalives (b2bua_priv.h): every options_interval_s a trunk's
 * targets are resolved again (locate.c, so a destination DNS no longer
 * names drops out and a new one joins) and each destination gets an
 * OPTIONS over the trunk's transport, sent to that address only (a loose
 * route, as B's INVITEs).  Any final response but 408 and 503 (nta's own
 * for a timeout or a transport error included) is a success.  After
 * options_down_after failures in a row a destination is down and calls
 * skip it (dest.h); after options_up_after successes in a row it is up
 * again.  Each change is logged once and counted.  `sbcctl trunks` shows
 * the state, the last round trip and the TTL left.
 *
 * One OPTIONS per destination at a time; one resolution per trunk at a
 * time.  A trunk a reload retires, or one whose interval became 0, stops
 * its keepalives (its OPTIONS handles destroyed at once, its resolution
 * left to finish before the state is freed).
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b2bua_priv.h"
#include "sbc_log.h"
#include "sip_tls.h"

struct b2b_ka_probe {
	nua_handle_t *nh;              /* NULL = none in flight */
	struct sbc_dest_key key;
	uint64_t sent_ms;
};

struct b2b_keepalive {
	struct b2b_locator loc;        /* first: the locator's owner is this struct */
	struct b2b_trunk_rt *rt;       /* NULL once stopped */
	uint64_t next_ms;
	bool resolving;
	struct b2b_ka_probe probe[SBC_DEST_MAX];
};

static const struct sbc_cfg_trunk *ka_trunk(struct sbc_b2bua *b, const struct b2b_trunk_rt *rt)
{
	const struct sbc_cfg_trunk *t = rt->retired ? NULL : sbc_config_trunk(b->cfg, rt->name);

	return t != NULL && t->options_interval_s > 0 && t->n_targets > 0 ? t : NULL;
}

static bool ka_gone(struct b2b_locator *lc)
{
	return ((struct b2b_keepalive *)lc)->rt == NULL;
}

static void ka_released(struct b2b_locator *lc)
{
	free(lc);                      /* stopped while a query was out: now nothing is */
}

static void ka_send(const struct b2b_sipif *sif, const struct sbc_cfg_trunk *t,
		    const struct sbc_dest *d, struct b2b_ka_probe *p)
{
	char ip[64], hop[128], uri[SBC_DEST_NAME_MAX + 32];
	bool v6 = d->key.ip.family == 6;

	if (d->key.transport == SBC_TRANSPORT_TLS)
		sbc_sip_tls_expect(&d->key.ip, d->key.port, d->name, t);
	sbc_ip_str(&d->key.ip, ip, sizeof(ip));
	snprintf(hop, sizeof(hop), v6 ? "<sip:[%s]:%u;transport=%s;lr>" : "<sip:%s:%u;transport=%s;lr>",
		 ip, d->key.port, sbc_transport_name(d->key.transport));
	snprintf(uri, sizeof(uri), strchr(d->name, ':') != NULL ? "sip:[%s]" : "sip:%s", d->name);
	p->nh = nua_handle(sif->nua, NULL, NUTAG_URL(uri), NUTAG_INITIAL_ROUTE_STR(hop),
			   SIPTAG_TO_STR(uri), TAG_END());
	if (p->nh == NULL)
		return;
	p->key = d->key;
	p->sent_ms = b2b_mono_ms();
	nua_options(p->nh, TAG_END());
}

/* Resolved: an OPTIONS to each destination that has none in flight. */
static void ka_located(struct b2b_locator *lc)
{
	struct b2b_keepalive *ka = (struct b2b_keepalive *)lc;
	const struct sbc_cfg_trunk *t = ka_trunk(lc->b, ka->rt);
	const struct b2b_sipif *sif = t != NULL ? b2b_sipif_find(lc->b, t->interface) : NULL;

	ka->resolving = false;
	if (sif == NULL || sif->nua == NULL)
		return;
	if (lc->n_dest == 0)
		SBC_LOG(NOTICE, B2B_LOG, "trunk %s: keepalive: no destination resolved", t->name);
	for (size_t i = 0; i < lc->n_dest; i++) {
		struct b2b_ka_probe *free_p = NULL;
		bool busy = false;

		for (size_t k = 0; k < SBC_DEST_MAX; k++) {
			if (ka->probe[k].nh == NULL) {
				if (free_p == NULL)
					free_p = &ka->probe[k];
			} else if (sbc_dest_key_equal(&ka->probe[k].key, &lc->dest[i].key)) {
				busy = true;
			}
		}
		if (!busy && free_p != NULL) {
			sbc_dest_get(&ka->rt->dests, &lc->dest[i].key, lc->dest[i].name,
				     b2b_mono_ms());
			ka_send(sif, t, &lc->dest[i], free_p);
		}
	}
}

static void ka_start(struct sbc_b2bua *b, struct b2b_trunk_rt *rt)
{
	struct b2b_keepalive *ka = calloc(1, sizeof(*ka));

	if (ka == NULL) {
		SBC_LOG(WARN, B2B_LOG, "trunk %s: no memory for keepalives", rt->name);
		return;
	}
	ka->rt = rt;
	ka->loc.b = b;
	ka->loc.rt = rt;
	ka->loc.done = ka_located;
	ka->loc.gone = ka_gone;
	ka->loc.released = ka_released;
	rt->ka = ka;
}

void b2b_keepalive_forget(struct b2b_trunk_rt *rt)
{
	struct b2b_keepalive *ka = rt->ka;

	if (ka == NULL)
		return;
	for (size_t k = 0; k < SBC_DEST_MAX; k++)
		if (ka->probe[k].nh != NULL) {
			nua_handle_destroy(ka->probe[k].nh);
			ka->probe[k].nh = NULL;
		}
	rt->ka = NULL;
	ka->rt = NULL;
	if (ka->loc.pending == 0)
		free(ka);                  /* else when the query comes back (ka_released) */
}

void b2b_keepalive_sync(struct sbc_b2bua *b)
{
	for (struct b2b_trunk_rt *rt = b->trunk_rt; rt != NULL; rt = rt->next) {
		bool want = !b->stopping && ka_trunk(b, rt) != NULL;

		if (want && rt->ka == NULL)
			ka_start(b, rt);
		else if (!want)
			b2b_keepalive_forget(rt);
	}
}

void b2b_keepalive_tick(struct sbc_b2bua *b, uint64_t now_ms)
{
	for (struct b2b_trunk_rt *rt = b->trunk_rt; rt != NULL; rt = rt->next) {
		struct b2b_keepalive *ka = rt->ka;
		const struct sbc_cfg_trunk *t;
		const struct b2b_sipif *sif;

		if (ka == NULL || ka->resolving || now_ms < ka->next_ms)
			continue;
		t = ka_trunk(b, rt);
		sif = t != NULL ? b2b_sipif_find(b, t->interface) : NULL;
		if (sif == NULL)
			continue;
		ka->next_ms = now_ms + (uint64_t)t->options_interval_s * 1000u;
		ka->resolving = true;
		ka->loc.trunk = t;
		ka->loc.family = sif->cfg->address.family;
		b2b_locator_run(&ka->loc);
	}
}

/* A final response to one of our OPTIONS: the destination's verdict. */
static void ka_verdict(struct sbc_b2bua *b, struct b2b_keepalive *ka, struct b2b_ka_probe *p,
		       int status)
{
	const struct sbc_cfg_trunk *t = ka_trunk(b, ka->rt);
	struct sbc_dest_state *st = sbc_dest_find(&ka->rt->dests, &p->key);
	bool ok = status != 408 && status != 503;
	char ip[64];

	if (t == NULL || st == NULL)
		return;
	if (ok)
		st->rtt_ms = (uint32_t)(b2b_mono_ms() - p->sent_ms);
	if (!sbc_dest_keepalive(st, ok, t->options_down_after, t->options_up_after))
		return;
	b->n.keepalive_changes++;
	sbc_ip_str(&p->key.ip, ip, sizeof(ip));
	if (st->down)
		SBC_LOG(NOTICE, B2B_LOG, "trunk %s: destination %s:%u (%s) down: %u OPTIONS failed, "
			"the last with %d", t->name, ip, p->key.port, st->name, st->fails, status);
	else
		SBC_LOG(NOTICE, B2B_LOG, "trunk %s: destination %s:%u (%s) up: %u OPTIONS answered",
			t->name, ip, p->key.port, st->name, st->oks);
}

bool b2b_keepalive_response(struct sbc_b2bua *b, nua_handle_t *nh, int status)
{
	for (struct b2b_trunk_rt *rt = b->trunk_rt; rt != NULL; rt = rt->next) {
		struct b2b_keepalive *ka = rt->ka;

		for (size_t k = 0; ka != NULL && k < SBC_DEST_MAX; k++) {
			struct b2b_ka_probe *p = &ka->probe[k];

			if (p->nh != nh)
				continue;
			if (status < 200)
				return true;
			ka_verdict(b, ka, p, status);
			nua_handle_destroy(p->nh);
			p->nh = NULL;
			return true;
		}
	}
	return false;
}

void b2b_keepalive_stop_all(struct sbc_b2bua *b)
{
	for (struct b2b_trunk_rt *rt = b->trunk_rt; rt != NULL; rt = rt->next)
		b2b_keepalive_forget(rt);
}
