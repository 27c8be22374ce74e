/* SPDX-License-Identifier: BSD-3-Clause
 * DNS on the loop (b2bua_priv.h): Sofia's asynchronous resolver (sres) on
 * the su_root, asking sip.resolvers (a resolv.conf written into the
 * runtime directory) or the system's.  No blocking resolver is ever called
 * and no DNS packet is written here.  A query is answered once: with its
 * records, with an error, or with -ETIMEDOUT after B2B_RESOLVE_TIMEOUT_MS
 * (the 50 ms tick), and with -ECANCELED when the resolver closes.
 *
 * What uses it: `sbcctl resolve NAME`; the routing of trunks by name
 * (RFC 3263) is built on b2b_resolve().
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <netinet/in.h>

struct b2b_query;
#define SRES_CONTEXT_T struct b2b_query

#include "b2bua_priv.h"
#include "sbc_log.h"

#include <sofia-sip/sresolv.h>

#define B2B_RESOLVE_TIMEOUT_MS 4000

struct b2b_query {
	struct b2b_query *next;
	struct sbc_b2bua *b;
	sres_query_t *q;
	uint64_t deadline_ms;
	b2b_resolved_fn done;
	void *arg;
	/* An answer from sres's cache comes inside sres_query(): kept until it returns. */
	bool in_query, answered;
	int err;
	struct b2b_resolved r;
};

static void query_unlink(struct sbc_b2bua *b, struct b2b_query *qy)
{
	struct b2b_query **pp;

	for (pp = &b->queries; *pp != NULL; pp = &(*pp)->next)
		if (*pp == qy) {
			*pp = qy->next;
			return;
		}
}

/* Complete @qy with @err or @r, exactly once, and free it. */
static void query_finish(struct b2b_query *qy, int err, const struct b2b_resolved *r)
{
	query_unlink(qy->b, qy);
	qy->done(qy->arg, err, r);
	free(qy);
}

/* RFC 1035 RCODEs and sres's own statuses as -errno. */
static int answer_error(const sres_record_t *const *answers)
{
	unsigned int status = answers != NULL && answers[0] != NULL ?
			      answers[0]->sr_record->r_status : SRES_NAME_ERR;

	switch (status) {
	case SRES_NAME_ERR:
	case SRES_RECORD_ERR:      /* the name has no record of that type */
		return -ENOENT;
	case SRES_TIMEOUT_ERR:
	case SRES_NETWORK_ERR:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

/* One record of the type asked into @r (the type's array); false when of another type. */
static bool take_record(struct b2b_resolved *r, const sres_record_t *rr)
{
	uint32_t k = r->n;

	if (rr->sr_record->r_type != (uint16_t)r->type)
		return false;
	switch (r->type) {
	case B2B_RR_A:
		r->addr[k].ip.family = 4;
		memcpy(r->addr[k].ip.bytes, &rr->sr_a->a_addr, 4);
		r->addr[k].ttl_s = rr->sr_record->r_ttl;
		break;
	case B2B_RR_AAAA:
		r->addr[k].ip.family = 6;
		memcpy(r->addr[k].ip.bytes, &rr->sr_aaaa->aaaa_addr, 16);
		r->addr[k].ttl_s = rr->sr_record->r_ttl;
		break;
	case B2B_RR_SRV:
		r->srv[k].prio = rr->sr_srv->srv_priority;
		r->srv[k].weight = rr->sr_srv->srv_weight;
		r->srv[k].port = rr->sr_srv->srv_port;
		snprintf(r->srv[k].target, sizeof(r->srv[k].target), "%s", rr->sr_srv->srv_target);
		break;
	case B2B_RR_NAPTR:
		r->naptr[k].order = rr->sr_naptr->na_order;
		r->naptr[k].pref = rr->sr_naptr->na_prefer;
		snprintf(r->naptr[k].flags, sizeof(r->naptr[k].flags), "%s", rr->sr_naptr->na_flags);
		snprintf(r->naptr[k].service, sizeof(r->naptr[k].service), "%s",
			 rr->sr_naptr->na_services);
		snprintf(r->naptr[k].replacement, sizeof(r->naptr[k].replacement), "%s",
			 rr->sr_naptr->na_replace);
		break;
	}
	r->ttl_s[k] = rr->sr_record->r_ttl;
	return true;
}

/* DNS names come back absolute ("a.example."): the dot goes. */
static void strip_root_dots(struct b2b_resolved *r)
{
	for (uint32_t i = 0; i < r->n; i++) {
		char *s = r->type == B2B_RR_SRV ? r->srv[i].target :
			  r->type == B2B_RR_NAPTR ? r->naptr[i].replacement : NULL;
		size_t len = s != NULL ? strlen(s) : 0;

		if (len > 1 && s[len - 1] == '.')
			s[len - 1] = '\0';
	}
}

static void on_answer(struct b2b_query *qy, sres_query_t *q, sres_record_t **answers)
{
	sres_resolver_t *res = qy->b->resolver;
	struct b2b_resolved *r = &qy->r;
	enum b2b_rr type = r->type;
	unsigned int i;

	(void)q;
	memset(r, 0, sizeof(*r));
	r->type = type;
	for (i = 0; answers != NULL && answers[i] != NULL && r->n < B2B_RESOLVED_MAX; i++) {
		if (answers[i]->sr_record->r_status == SRES_OK && take_record(r, answers[i]))
			r->n++;
	}
	strip_root_dots(r);
	qy->err = r->n != 0 ? 0 : answer_error((const sres_record_t *const *)answers);
	qy->answered = true;
	sres_free_answers(res, answers);
	if (!qy->in_query)
		query_finish(qy, qy->err, &qy->r);
}

int b2b_resolve_rr(struct sbc_b2bua *b, const char *name, enum b2b_rr type,
		   b2b_resolved_fn done, void *arg)
{
	struct b2b_query *qy;

	if (b->resolver == NULL)
		return -ENOSYS;
	if (name == NULL || name[0] == '\0' || strlen(name) > 253)
		return -EINVAL;
	qy = calloc(1, sizeof(*qy));
	if (qy == NULL)
		return -ENOMEM;
	qy->b = b;
	qy->done = done;
	qy->arg = arg;
	qy->r.type = type;
	qy->deadline_ms = b2b_mono_ms() + B2B_RESOLVE_TIMEOUT_MS;
	qy->next = b->queries;
	b->queries = qy;
	qy->in_query = true;
	qy->q = sres_query(b->resolver, on_answer, qy, (uint16_t)type, name);
	qy->in_query = false;
	if (qy->answered) {
		query_finish(qy, qy->err, &qy->r);   /* from the cache: still not inside the call */
		return 0;
	}
	if (qy->q == NULL) {
		query_unlink(b, qy);
		free(qy);
		return -EIO;
	}
	return 0;
}

int b2b_resolve(struct sbc_b2bua *b, const char *name, int family, b2b_resolved_fn done,
		void *arg)
{
	return b2b_resolve_rr(b, name, family == 6 ? B2B_RR_AAAA : B2B_RR_A, done, arg);
}

void b2b_resolver_tick(struct sbc_b2bua *b, uint64_t now_ms)
{
	struct b2b_query *qy = b->queries, *next;

	for (; qy != NULL; qy = next) {
		next = qy->next;
		if (now_ms < qy->deadline_ms)
			continue;
		sres_query_bind(qy->q, NULL, NULL);   /* a late answer goes nowhere */
		query_finish(qy, -ETIMEDOUT, NULL);
	}
}

/* sip.resolvers as a resolv.conf of our own: the path in @path, or "" for the system's. */
static int resolv_conf_write(const struct sbc_config *cfg, char *path, size_t size)
{
	const char *dir = getenv("RUNTIME_DIRECTORY");
	char ip[64];
	FILE *f;
	uint32_t i;

	path[0] = '\0';
	if (cfg->sip.n_resolvers == 0)
		return 0;
	dir = dir != NULL ? dir : "/run/rampart";
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	snprintf(path, size, "%s/controlplane-resolv.conf", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return -errno;
	for (i = 0; i < cfg->sip.n_resolvers; i++)
		fprintf(f, "nameserver %s\n", sbc_ip_str(&cfg->sip.resolvers[i], ip, sizeof(ip)));
	return fclose(f) == 0 ? 0 : -EIO;
}

int b2b_resolver_open(struct sbc_b2bua *b)
{
	char conf[PATH_MAX];
	int rc = resolv_conf_write(b->cfg, conf, sizeof(conf));

	if (rc != 0) {
		SBC_LOG(ERR, B2B_LOG, "resolvers: %s: %s", conf, strerror(-rc));
		return rc;
	}
	b->resolver = sres_resolver_create(b->root, conf[0] != '\0' ? conf : NULL, TAG_END());
	if (b->resolver == NULL) {
		rc = errno ? -errno : -ENOMEM;
		SBC_LOG(ERR, B2B_LOG, "resolver: %s", strerror(-rc));
		return rc;
	}
	SBC_LOG(NOTICE, B2B_LOG, "resolver: %s", conf[0] != '\0' ? conf : "system (/etc/resolv.conf)");
	snprintf(b->resolv_conf, sizeof(b->resolv_conf), "%s", conf);
	return 0;
}

void b2b_resolver_close(struct sbc_b2bua *b)
{
	while (b->queries != NULL) {
		struct b2b_query *qy = b->queries;

		sres_query_bind(qy->q, NULL, NULL);
		query_finish(qy, -ECANCELED, NULL);
	}
	if (b->resolver != NULL)
		sres_resolver_destroy(b->resolver);
	b->resolver = NULL;
	if (b->resolv_conf[0] != '\0')
		unlink(b->resolv_conf);
	b->resolv_conf[0] = '\0';
}
