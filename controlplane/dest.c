/* SPDX-License-Identifier: BSD-3-Clause
 * Where a trunk's calls go (dest.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dest.h"
#include "routing.h"

uint16_t sbc_transport_default_port(uint32_t transport)
{
	return transport == SBC_TRANSPORT_TLS ? 5061 : 5060;
}

const char *sbc_naptr_service(uint32_t transport)
{
	return transport == SBC_TRANSPORT_TLS ? "SIPS+D2T" :
	       transport == SBC_TRANSPORT_TCP ? "SIP+D2T" : "SIP+D2U";
}

const char *sbc_srv_prefix(uint32_t transport)
{
	return transport == SBC_TRANSPORT_TLS ? "_sips._tcp." :
	       transport == SBC_TRANSPORT_TCP ? "_sip._tcp." : "_sip._udp.";
}

/* ":PORT" at @p (then the end or ';'), or nothing: the port, 0, or -1 when bad. */
static long parse_port(const char *p)
{
	long port = 0;

	if (*p == '\0' || *p == ';')
		return 0;
	if (*p++ != ':' || *p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9' && port <= 65535)
		port = port * 10 + (*p++ - '0');
	if (port == 0 || port > 65535 || (*p != '\0' && *p != ';'))
		return -1;
	return port;
}

int sbc_target_parse(const char *target, uint32_t transport, struct sbc_target_spec *out)
{
	const char *hp = sbc_route_target_hostpart(target), *end;
	size_t n;
	long port;

	memset(out, 0, sizeof(*out));
	out->transport = transport;
	if (hp[0] == '[') {
		end = strchr(hp, ']');
		n = end != NULL ? (size_t)(end - hp - 1) : 0;
		if (end == NULL || n == 0 || n >= sizeof(out->host))
			return -EINVAL;
		memcpy(out->host, hp + 1, n);
		end++;
	} else {
		n = strcspn(hp, ":;");
		if (n == 0 || n >= sizeof(out->host))
			return -EINVAL;
		memcpy(out->host, hp, n);
		end = hp + n;
	}
	out->host[n] = '\0';
	port = parse_port(end);
	if (port < 0)
		return -EINVAL;
	out->port = (uint16_t)port;
	out->numeric = sbc_ip_parse(&out->ip, out->host) == 0;
	if (hp[0] == '[' && (!out->numeric || out->ip.family != 6))
		return -EINVAL;
	return 0;
}

/* ---- NAPTR ---- */

size_t sbc_naptr_select(const struct sbc_naptr *v, size_t n, uint32_t transport,
			size_t *idx, size_t max)
{
	const char *svc = sbc_naptr_service(transport);
	size_t k = 0, i, j;

	for (i = 0; i < n && k < max; i++) {
		if (strcasecmp(v[i].flags, "s") != 0 || strcasecmp(v[i].service, svc) != 0 ||
		    v[i].replacement[0] == '\0' || strcmp(v[i].replacement, ".") == 0)
			continue;
		/* insertion by (order, pref); equal keys keep their order */
		for (j = k; j > 0; j--) {
			const struct sbc_naptr *p = &v[idx[j - 1]];

			if (p->order < v[i].order ||
			    (p->order == v[i].order && p->pref <= v[i].pref))
				break;
			idx[j] = idx[j - 1];
		}
		idx[j] = i;
		k++;
	}
	return k;
}

/* ---- SRV (RFC 2782) ---- */

static int srv_by_prio(const void *a, const void *b)
{
	const struct sbc_srv *x = a, *y = b;

	return (int)x->prio - (int)y->prio;
}

/* Within one priority, @v[0..n): the weighted random order. */
static void srv_weighted(struct sbc_srv *v, size_t n, sbc_rand_fn rnd, void *ctx)
{
	size_t done, i;

	for (done = 0; done + 1 < n; done++) {
		uint32_t total = 0, r, sum = 0;
		struct sbc_srv tmp;
		size_t z = done;

		/* zero weights first among those left (a stable partition) */
		for (i = done; i < n; i++)
			if (v[i].weight == 0) {
				tmp = v[i];
				memmove(&v[z + 1], &v[z], (i - z) * sizeof(*v));
				v[z++] = tmp;
			}
		for (i = done; i < n; i++)
			total += v[i].weight;
		r = rnd(ctx, total);
		for (i = done; i < n; i++) {
			sum += v[i].weight;
			if (sum >= r)
				break;
		}
		if (i == n)
			i = n - 1;
		tmp = v[i];
		memmove(&v[done + 1], &v[done], (i - done) * sizeof(*v));
		v[done] = tmp;
	}
}

size_t sbc_srv_order(struct sbc_srv *v, size_t n, sbc_rand_fn rnd, void *ctx)
{
	size_t k = 0, i, j;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].target, ".") != 0 && v[i].target[0] != '\0')
			v[k++] = v[i];
	n = k;
	/* insertion sort: stable, n is small */
	for (i = 1; i < n; i++) {
		struct sbc_srv tmp = v[i];

		for (j = i; j > 0 && srv_by_prio(&v[j - 1], &tmp) > 0; j--)
			v[j] = v[j - 1];
		v[j] = tmp;
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j].prio == v[i].prio; j++)
			;
		srv_weighted(&v[i], j - i, rnd, ctx);
	}
	return n;
}

/* ---- destinations across calls ---- */

bool sbc_dest_key_equal(const struct sbc_dest_key *a, const struct sbc_dest_key *b)
{
	return a->port == b->port && a->transport == b->transport && sbc_ip_equal(&a->ip, &b->ip);
}

struct sbc_dest_state *sbc_dest_find(struct sbc_dest_table *t, const struct sbc_dest_key *k)
{
	for (uint32_t i = 0; i < t->n; i++)
		if (sbc_dest_key_equal(&t->e[i].key, k))
			return &t->e[i];
	return NULL;
}

/* The entry to give to a new destination: the oldest that holds no verdict, else the oldest. */
static struct sbc_dest_state *dest_victim(struct sbc_dest_table *t, uint64_t now_ms)
{
	struct sbc_dest_state *any = &t->e[0], *free_one = NULL;

	for (uint32_t i = 0; i < t->n; i++) {
		struct sbc_dest_state *d = &t->e[i];

		if (d->last_seen_ms < any->last_seen_ms)
			any = d;
		if (sbc_dest_usable(d, now_ms) &&
		    (free_one == NULL || d->last_seen_ms < free_one->last_seen_ms))
			free_one = d;
	}
	return free_one != NULL ? free_one : any;
}

struct sbc_dest_state *sbc_dest_get(struct sbc_dest_table *t, const struct sbc_dest_key *k,
				    const char *name, uint64_t now_ms)
{
	struct sbc_dest_state *d = sbc_dest_find(t, k);

	if (d == NULL) {
		d = t->n < SBC_DEST_TABLE_MAX ? &t->e[t->n++] : dest_victim(t, now_ms);
		memset(d, 0, sizeof(*d));
		d->key = *k;
	}
	if (name != NULL)
		snprintf(d->name, sizeof(d->name), "%s", name);
	d->last_seen_ms = now_ms;
	return d;
}

bool sbc_dest_usable(const struct sbc_dest_state *d, uint64_t now_ms)
{
	return !d->down && now_ms >= d->retry_until_ms;
}

void sbc_dest_retry_after(struct sbc_dest_state *d, uint64_t now_ms, uint32_t secs)
{
	d->retry_until_ms = now_ms + (uint64_t)secs * 1000u;
}

bool sbc_dest_keepalive(struct sbc_dest_state *d, bool ok, uint32_t down_after,
			uint32_t up_after)
{
	bool was = d->down;

	if (ok) {
		d->fails = 0;
		d->oks++;
		if (d->down && d->oks >= up_after)
			d->down = false;
	} else {
		d->oks = 0;
		d->fails++;
		if (!d->down && d->fails >= down_after)
			d->down = true;
	}
	if (was != d->down)
		d->state_changes++;
	return was != d->down;
}

int sbc_dest_next(const struct sbc_dest *v, size_t n, size_t from, struct sbc_dest_table *t,
		  uint64_t now_ms, uint32_t *wait_s)
{
	uint64_t least = 0;

	*wait_s = 0;
	for (size_t i = from; i < n; i++) {
		const struct sbc_dest_state *d = sbc_dest_find(t, &v[i].key);

		if (d == NULL || sbc_dest_usable(d, now_ms))
			return (int)i;
		if (!d->down && d->retry_until_ms > now_ms &&
		    (least == 0 || d->retry_until_ms - now_ms < least))
			least = d->retry_until_ms - now_ms;
	}
	*wait_s = (uint32_t)((least + 999) / 1000);
	return -1;
}

bool sbc_dest_add(struct sbc_dest *v, size_t *n, size_t max, const struct sbc_dest *d)
{
	for (size_t i = 0; i < *n; i++)
		if (sbc_dest_key_equal(&v[i].key, &d->key))
			return false;
	if (*n >= max)
		return false;
	v[(*n)++] = *d;
	return true;
}
