/* SPDX-License-Identifier: BSD-3-Clause
 * Locating B (b2bua_priv.h), RFC 3263 on the loop: each of the trunk's
 * targets, in order, becomes destinations (address, port, transport):
 *
 *   an address literal            itself (the port written, else 5060/5061)
 *   a name with a port            its A (or AAAA, by the interface) records
 *   a name without a port         NAPTR for the trunk's transport only
 *                                 (SIPS+D2T, SIP+D2T, SIP+D2U) -> SRV; no
 *                                 NAPTR: SRV _sips._tcp/_sip._tcp/_sip._udp;
 *                                 no SRV: the name's addresses, default port
 *
 * SRV records are ordered by priority and RFC 2782 weight (dest.h).  Every
 * call asks again; sres answers from its cache while the records' TTLs run,
 * so a changed record is seen once its TTL is out.  A TLS trunk is only
 * ever sent TLS destinations: there is no fallback to TCP or UDP.
 *
 * The call then walks its destinations: timeout (Timer B), transport error
 * (TCP refused, TLS handshake failed: nta's local 503) and 503 move it to
 * the next usable one with a new INVITE (new transaction, new branch; the
 * Call-ID and From tag kept); any other final response ends it.  A 503's
 * Retry-After holds that destination, for every call, for that long (RFC
 * 3261 §21.5.4).  failover_targets and failover_time_ms bound the walk.
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "b2bua_priv.h"
#include "routing.h"
#include "sbc_log.h"
#include "sip_tls.h"

static void locator_step(struct b2b_locator *lc);

/* A uniform number in [0, bound] from OpenSSL's generator (SRV weights). */
static uint32_t srv_rand(void *ctx, uint32_t bound)
{
	uint32_t r = 0;

	(void)ctx;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (uint32_t)b2b_mono_ms();
	return bound == UINT32_MAX ? r : (uint32_t)((uint64_t)r * ((uint64_t)bound + 1) >> 32);
}

static struct b2b_locate_item *work_push(struct b2b_locator *lc, size_t at,
					 enum b2b_locate_kind k, const char *name, uint16_t port,
					 uint32_t target)
{
	struct b2b_locate_item *it;

	if (lc->n_work >= B2B_LOCATE_WORK_MAX || at > lc->n_work)
		return NULL;
	memmove(&lc->work[at + 1], &lc->work[at], (lc->n_work - at) * sizeof(lc->work[0]));
	lc->n_work++;
	it = &lc->work[at];
	memset(it, 0, sizeof(*it));
	it->kind = k;
	it->port = port;
	it->target = target;
	snprintf(it->name, sizeof(it->name), "%s", name);
	return it;
}

static void work_pop(struct b2b_locator *lc)
{
	lc->n_work--;
	memmove(&lc->work[0], &lc->work[1], lc->n_work * sizeof(lc->work[0]));
}

static void dest_add(struct b2b_locator *lc, const struct sbc_ip *ip, uint16_t port,
		     uint32_t target, uint32_t ttl_s)
{
	const struct sbc_cfg_trunk *t = lc->trunk;
	struct sbc_target_spec spec;
	struct sbc_dest d = { .target = target, .ttl_s = ttl_s };

	if (sbc_target_parse(t->targets[target], t->transport, &spec) != 0)
		return;
	d.key.ip = *ip;
	d.key.port = port;
	d.key.transport = t->transport;
	snprintf(d.name, sizeof(d.name), "%s", spec.host);
	if (sbc_dest_add(lc->dest, &lc->n_dest, SBC_DEST_MAX, &d) && lc->rt != NULL) {
		uint64_t now = b2b_mono_ms();
		struct sbc_dest_state *st = sbc_dest_get(&lc->rt->dests, &d.key, spec.host, now);

		st->expires_ms = now + (uint64_t)ttl_s * 1000u;
	}
}

/* The targets as the first items (address literals of the interface's family only). */
static void locator_seed(struct b2b_locator *lc)
{
	const struct sbc_cfg_trunk *t = lc->trunk;

	for (uint32_t i = 0; i < t->n_targets; i++) {
		struct sbc_target_spec s;
		uint16_t port;

		if (sbc_target_parse(t->targets[i], t->transport, &s) != 0)
			continue;
		port = s.port != 0 ? s.port : sbc_transport_default_port(t->transport);
		if (s.numeric) {
			if (s.ip.family == lc->family)
				work_push(lc, lc->n_work, B2B_LK_ADDR, s.host, port, i);
		} else if (s.port != 0) {
			work_push(lc, lc->n_work, B2B_LK_ADDR, s.host, port, i);
		} else {
			work_push(lc, lc->n_work, B2B_LK_NAPTR, s.host, 0, i);
		}
	}
}

/* NAPTR answered: its SRV names for our transport, else RFC 3263's guess. */
static void on_naptr(struct b2b_locator *lc, const struct b2b_locate_item *it,
		     const struct b2b_resolved *r)
{
	const struct sbc_cfg_trunk *t = lc->trunk;
	size_t idx[B2B_RESOLVED_MAX], n = 0, i;
	char srv[SBC_DEST_NAME_MAX + 16];

	if (r != NULL)
		n = sbc_naptr_select(r->naptr, r->n, t->transport, idx, B2B_RESOLVED_MAX);
	for (i = 0; i < n; i++)
		work_push(lc, i, B2B_LK_SRV, r->naptr[idx[i]].replacement, 0, it->target);
	if (n > 0)
		return;
	snprintf(srv, sizeof(srv), "%s%s", sbc_srv_prefix(t->transport), it->name);
	if (strlen(srv) < SBC_DEST_NAME_MAX) {
		struct b2b_locate_item *s = work_push(lc, 0, B2B_LK_SRV, srv, 0, it->target);

		if (s != NULL)
			s->fallback = true;
	}
}

static void on_srv(struct b2b_locator *lc, const struct b2b_locate_item *it,
		   const struct b2b_resolved *r)
{
	const struct sbc_cfg_trunk *t = lc->trunk;
	struct sbc_srv v[B2B_RESOLVED_MAX];
	size_t n = 0, i;

	if (r != NULL) {
		memcpy(v, r->srv, r->n * sizeof(v[0]));
		n = sbc_srv_order(v, r->n, srv_rand, NULL);
	}
	for (i = 0; i < n; i++)
		work_push(lc, i, B2B_LK_ADDR, v[i].target, v[i].port, it->target);
	if (r == NULL && it->fallback) {
		const char *host = it->name + strlen(sbc_srv_prefix(t->transport));

		work_push(lc, 0, B2B_LK_ADDR, host, sbc_transport_default_port(t->transport),
			  it->target);
	}
}

static void on_resolved(void *arg, int err, const struct b2b_resolved *r)
{
	struct b2b_locator *lc = arg;
	struct b2b_locate_item it;

	lc->pending--;
	if (lc->gone(lc)) {
		lc->released(lc);
		return;
	}
	it = lc->work[0];
	work_pop(lc);
	if (err == -ECANCELED)
		lc->n_work = 0;            /* the resolver is closing: ask nothing more */
	if (err != 0) {
		SBC_LOG(INFO, B2B_LOG, "trunk %s: %s %s: %s", lc->trunk->name,
			it.kind == B2B_LK_NAPTR ? "NAPTR" : it.kind == B2B_LK_SRV ? "SRV" : "address",
			it.name, err == -ENOENT ? "no record" : strerror(-err));
		r = NULL;
	}
	if (it.kind == B2B_LK_NAPTR)
		on_naptr(lc, &it, r);
	else if (it.kind == B2B_LK_SRV)
		on_srv(lc, &it, r);
	else
		for (uint32_t i = 0; r != NULL && i < r->n; i++)
			dest_add(lc, &r->addr[i].ip, it.port, it.target, r->addr[i].ttl_s);
	if (!lc->stepping)
		locator_step(lc);
}

static enum b2b_rr item_rr(const struct b2b_locator *lc, const struct b2b_locate_item *it)
{
	if (it->kind == B2B_LK_NAPTR)
		return B2B_RR_NAPTR;
	if (it->kind == B2B_LK_SRV)
		return B2B_RR_SRV;
	return lc->family == 6 ? B2B_RR_AAAA : B2B_RR_A;
}

/* Resolve until a query is in flight or nothing is left (then done()). */
static void locator_step(struct b2b_locator *lc)
{
	lc->stepping = true;
	while (lc->n_work > 0 && lc->pending == 0 && !lc->gone(lc)) {
		struct b2b_locate_item *it = &lc->work[0];
		struct sbc_ip ip;
		int rc;

		if (it->kind == B2B_LK_ADDR && sbc_ip_parse(&ip, it->name) == 0) {
			dest_add(lc, &ip, it->port, it->target, 0);
			work_pop(lc);
			continue;
		}
		lc->pending++;
		lc->queries++;
		rc = b2b_resolve_rr(lc->b, it->name, item_rr(lc, it), on_resolved, lc);
		if (rc != 0) {
			lc->pending--;
			SBC_LOG(WARN, B2B_LOG, "trunk %s: cannot resolve %s: %s", lc->trunk->name,
				it->name, strerror(-rc));
			work_pop(lc);
		}
	}
	lc->stepping = false;
	if (lc->n_work == 0 && lc->pending == 0 && !lc->gone(lc))
		lc->done(lc);
}

void b2b_locator_run(struct b2b_locator *lc)
{
	lc->n_dest = 0;
	lc->n_work = 0;
	locator_seed(lc);
	locator_step(lc);
}

static struct b2b_call *loc_call(struct b2b_locator *lc)
{
	return (struct b2b_call *)((char *)lc - offsetof(struct b2b_call, route.loc));
}

/* Attempt the next usable destination; false when there is none (*@wait_s for the 503). */
static bool attempt_next(struct b2b_call *c, uint32_t *wait_s)
{
	const struct sbc_cfg_trunk *t = c->leg[1].trunk;
	struct b2b_route *rt = &c->route;
	uint64_t now = b2b_mono_ms();
	int i;

	*wait_s = 0;
	if (rt->attempts >= t->failover_targets ||
	    (rt->attempts > 0 && t->failover_time_ms != 0 &&
	     now - rt->first_ms >= t->failover_time_ms) || c->rt[1] == NULL)
		return false;
	i = sbc_dest_next(rt->loc.dest, rt->loc.n_dest, rt->next, &c->rt[1]->dests, now, wait_s);
	if (i < 0)
		return false;
	rt->cur = i;
	rt->next = (size_t)i + 1;
	if (rt->attempts++ == 0)
		rt->first_ms = now;
	sbc_dest_get(&c->rt[1]->dests, &rt->loc.dest[i].key, NULL, now)->attempts++;
	return b2b_legb_invite(c, c->binv.id.ruser, c->binv.id.user_phone, NULL) == 0;
}

static void located(struct b2b_locator *lc)
{
	struct b2b_call *c = loc_call(lc);
	struct b2b_route *rt = &c->route;
	struct b2b_reject rj;
	uint32_t wait_s;

	if (rt->loc.n_dest == 0) {
		c->b->n.locate_failed++;
		SBC_LOG(NOTICE, B2B_LOG, "call %u: trunk %s resolved to no destination: 503", c->no,
			c->leg[1].trunk->name);
		rj = b2b_reject(503, "failed", "no destination for the trunk");
		b2b_call_reject(c, &rj);
		return;
	}
	if (attempt_next(c, &wait_s)) {
		c->state = B2B_CALLING;
		return;
	}
	SBC_LOG(NOTICE, B2B_LOG, "call %u: no usable destination of trunk %s: 503%s", c->no,
		c->leg[1].trunk->name, wait_s != 0 ? " with Retry-After" : "");
	rj = b2b_reject(503, "failed", wait_s != 0 ? "every destination held by Retry-After" :
						     "no usable destination");
	rj.retry_after_s = wait_s;
	b2b_call_reject(c, &rj);
}

static bool call_gone(struct b2b_locator *lc)
{
	return loc_call(lc)->state == B2B_ENDED;
}

static void call_released(struct b2b_locator *lc)
{
	b2b_call_maybe_free(loc_call(lc));
}

void b2b_locate_start(struct b2b_call *c)
{
	struct b2b_locator *lc = &c->route.loc;

	memset(&c->route, 0, sizeof(c->route));
	c->route.cur = -1;
	lc->b = c->b;
	lc->trunk = c->leg[1].trunk;
	lc->family = c->leg[1].sif->cfg->address.family;
	lc->rt = c->rt[1];
	lc->done = located;
	lc->gone = call_gone;
	lc->released = call_released;
	b2b_locator_run(lc);
}

const struct sbc_dest *b2b_locate_current(const struct b2b_call *c)
{
	return c->route.cur >= 0 ? &c->route.loc.dest[c->route.cur] : NULL;
}

bool b2b_locate_failover(struct b2b_call *c, int status,
			 uint32_t *retry_after_s)
{
	const struct sbc_dest *d = b2b_locate_current(c);
	struct sbc_dest_state *st;
	uint64_t now = b2b_mono_ms();
	uint32_t ra = *retry_after_s;         /* the 503's own, from the caller */
	uint32_t wait_s;
	char ip[64];

	if (d == NULL || c->rt[1] == NULL || (status != 408 && status != 503))
		return false;
	st = sbc_dest_get(&c->rt[1]->dests, &d->key, d->name, now);
	if (ra != 0) {
		sbc_dest_retry_after(st, now, ra);
		c->b->n.targets_held++;
		SBC_LOG(NOTICE, B2B_LOG, "trunk %s: %s:%u held %u s (503 Retry-After)",
			c->leg[1].trunk->name, sbc_ip_str(&d->key.ip, ip, sizeof(ip)), d->key.port, ra);
	}
	if (c->state != B2B_CALLING || c->leg[0].ended)
		return false;
	st->failovers++;
	nua_handle_destroy(c->leg[1].nh);
	c->leg[1].nh = NULL;
	c->b_auth_tried = false;
	if (attempt_next(c, &wait_s)) {
		c->b->n.failovers++;
		SBC_LOG(INFO, B2B_LOG, "call %u: %d from %s:%u: next destination %s:%u", c->no,
			status, sbc_ip_str(&d->key.ip, ip, sizeof(ip)), d->key.port,
			c->route.loc.dest[c->route.cur].name, c->route.loc.dest[c->route.cur].key.port);
		return true;
	}
	/* Nothing left: the caller hears the last failure, held destinations' wait with a 503. */
	if (status == 503 && wait_s > *retry_after_s)
		*retry_after_s = wait_s;
	return false;
}

void b2b_locate_tls_tick(struct sbc_b2bua *b)
{
	struct sbc_ip ip;
	uint16_t port;

	while (sbc_sip_tls_take_failure(&ip, &port)) {
		struct b2b_call *c, *next;

		for (c = b->calls; c != NULL; c = next) {
			const struct sbc_dest *d = b2b_locate_current(c);

			next = c->next;    /* the call may end and be freed */
			if (d != NULL && d->key.port == port && sbc_ip_equal(&d->key.ip, &ip) &&
			    d->key.transport == SBC_TRANSPORT_TLS) {
				SBC_LOG(INFO, B2B_LOG, "call %u: TLS to %s refused", c->no, d->name);
				b2b_on_b_transport_failed(&c->leg[1]);
			}
		}
	}
}

void b2b_locate_dump(struct sbc_b2bua *b, FILE *o)
{
	uint64_t now = b2b_mono_ms();

	for (const struct b2b_trunk_rt *t = b->trunk_rt; t != NULL; t = t->next) {
		for (uint32_t i = 0; i < t->dests.n; i++) {
			const struct sbc_dest_state *d = &t->dests.e[i];
			char ip[64];

			fprintf(o, "dest trunk=%s name=%s address=%s port=%u transport=%s state=%s "
				"retry_after_s=%" PRIu64 " ttl_left_s=%" PRIu64 " rtt_ms=%u "
				"attempts=%" PRIu64 " failovers=%" PRIu64 "\n",
				t->name, d->name[0] != '\0' ? d->name : "-",
				sbc_ip_str(&d->key.ip, ip, sizeof(ip)), d->key.port,
				sbc_transport_name(d->key.transport),
				d->down ? "down" : d->retry_until_ms > now ? "held" : "up",
				d->retry_until_ms > now ? (d->retry_until_ms - now + 999) / 1000 : 0,
				d->expires_ms > now ? (d->expires_ms - now) / 1000 : 0, d->rtt_ms,
				d->attempts, d->failovers);
		}
	}
}
