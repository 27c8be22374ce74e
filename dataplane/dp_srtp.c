/* SPDX-License-Identifier: BSD-3-Clause
 * The workers' SRTP engines and contexts (DESIGN.md "SRTP engines").
 *
 * Each worker has its own engine (dataplane.srtp_engine; the cryptodev
 * engine on one device with a queue pair per worker) and its own array of
 * contexts.  A stream's contexts live in its owner worker's array
 * (sbc_stream_owner()), so SRTP state, like every other per-stream mutable
 * state, has a single writer.  The main lcore hands contexts out, initialises
 * them before the stream object naming them is published, and clears them
 * (sbc_srtp_ctx_clear(): engine state released, key material wiped) only
 * after an RCU grace period once no published object names them any more:
 * through a defer queue on the stream table's RCU variable.
 *
 * Every function here runs on the main lcore.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "dp_priv.h"
#include "sbc_log.h"
#include "srtp.h"

#define LOG_ERR(...) SBC_LOG(ERR, "srtp", __VA_ARGS__)
#define LOG_INFO(...) SBC_LOG(INFO, "srtp", __VA_ARGS__)

/*
 * Contexts per worker: two per stream (unprotect, protect) for a table in
 * which every stream is SRTP, spread over the workers by port (ports are
 * handed out in order, so the spread is even), plus a quarter for an uneven
 * spread and for contexts waiting for their grace period after a re-key; at
 * most 65535, what the 16-bit sbc_stream.srtp_in / srtp_out can name.  A
 * publish that finds no free context fails with ENOSPC.  The cryptodev
 * engine holds two device sessions per context, so its memory follows this
 * number (docs/architecture.md "SRTP").
 */
#define SRTP_CTX_MAX 65535u

static uint32_t srtp_ctx_per_worker(uint32_t streams, unsigned int n_workers)
{
	uint64_t n = 2ull * streams / n_workers;

	n += n / 4 + 64;
	return n > SRTP_CTX_MAX ? SRTP_CTX_MAX : (uint32_t)n;
}

/* What the defer queue holds: a context of a worker. */
struct srtp_dq_entry {
	uint16_t worker;
	uint16_t idx;
};

static void ctx_release(struct sbc_dp *dp, unsigned int worker, uint16_t idx)
{
	struct sbc_worker *w = dp->workers[worker];
	struct sbc_dp_srtp_pool *pool = &dp->srtp_pools[worker];

	sbc_srtp_ctx_clear(w->srtp, &w->srtp_ctx[idx]);
	pool->free[pool->n_free++] = idx;
}

static void srtp_dq_free(void *p, void *e, unsigned int n)
{
	const struct srtp_dq_entry *ent = e;

	for (unsigned int i = 0; i < n; i++)
		ctx_release(p, ent[i].worker, ent[i].idx);
}

static int worker_socket(const struct sbc_worker *w)
{
	int socket = w->lcore < RTE_MAX_LCORE ? (int)rte_lcore_to_socket_id(w->lcore) : -1;

	return socket < 0 ? SOCKET_ID_ANY : socket;
}

int sbc_dp_srtp_init(struct sbc_dp *dp)
{
	const struct sbc_cfg_dataplane *c = &dp->cfg->dataplane;
	uint32_t n = srtp_ctx_per_worker(c->stream_table_size, dp->n_workers), total = 0;
	struct rte_rcu_qsbr_dq_parameters dqp = {
		.name = "sbc_srtp",
		.esize = sizeof(struct srtp_dq_entry),
		.trigger_reclaim_limit = 1024,
		.max_reclaim_size = 4096,
		.free_fn = srtp_dq_free,
		.p = dp,
		.v = dp->qsbr,
	};
	char name[16];

	_Static_assert(sizeof(struct srtp_dq_entry) % 4 == 0, "defer queue elements: 4-byte multiple");
	dp->srtp_dev = -1;
	if (c->srtp_engine == SBC_SRTP_ENGINE_CRYPTODEV) {
		int dev = sbc_srtp_cryptodev_open(c->srtp_cryptodev, (uint16_t)dp->n_workers,
						  (int)rte_socket_id());

		if (dev < 0) {
			LOG_ERR("cryptodev engine: no usable crypto device: %s", strerror(-dev));
			return dev;
		}
		dp->srtp_dev = dev;
	}
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct sbc_worker *w = dp->workers[i];
		struct sbc_dp_srtp_pool *pool = &dp->srtp_pools[i];
		int socket = worker_socket(w);
		struct sbc_srtp_conf conf = {
			.engine = c->srtp_engine,
			.socket_id = socket,
			.max_ctx = n,
			.dev_id = (uint8_t)(dp->srtp_dev < 0 ? 0 : dp->srtp_dev),
			.qp_id = (uint16_t)i,
		};

		snprintf(name, sizeof(name), "w%u", i);
		w->srtp = sbc_srtp_create(name, &conf);
		if (w->srtp == NULL) {
			LOG_ERR("engine of worker %u: %s", i, rte_strerror(rte_errno));
			return -rte_errno;
		}
		/* Index 0 is "no context": never handed out, never initialised. */
		w->srtp_ctx = rte_zmalloc_socket("sbc_srtp_ctx", (n + 1) * sizeof(*w->srtp_ctx),
						 RTE_CACHE_LINE_SIZE, socket);
		pool->free = rte_malloc_socket("sbc_srtp_free", n * sizeof(*pool->free), 0,
					       socket);
		if (w->srtp_ctx == NULL || pool->free == NULL)
			return -ENOMEM;
		for (uint32_t k = 0; k < n; k++)
			pool->free[k] = (uint16_t)(n - k);
		pool->n = n;
		pool->n_free = n;
		w->srtp_n_ctx = n;
		w->srtp_auth_burst = c->srtp_auth_burst;
		w->seen_per_s = (uint32_t)(dp->tsc_hz >> SBC_SEEN_SHIFT);
		total += n;
	}
	dqp.size = total + 1;
	dp->srtp_dq = rte_rcu_qsbr_dq_create(&dqp);
	if (dp->srtp_dq == NULL)
		return -ENOMEM;
	LOG_INFO("%s, %u contexts per worker", sbc_srtp_backend(dp->workers[0]->srtp), n);
	return 0;
}

void sbc_dp_srtp_fini(struct sbc_dp *dp)
{
	/*
	 * The workers are stopped: whatever the defer queue still holds is
	 * cleared by the sweep below (a cleared context is zero, and
	 * sbc_srtp_ctx_clear() ignores zero ones).
	 */
	if (dp->srtp_dq != NULL && rte_rcu_qsbr_dq_delete(dp->srtp_dq) == 0)
		dp->srtp_dq = NULL;
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct sbc_worker *w = dp->workers[i];

		if (w == NULL)
			continue;
		if (w->srtp_ctx != NULL)
			for (uint32_t k = 1; k <= w->srtp_n_ctx; k++)
				sbc_srtp_ctx_clear(w->srtp, &w->srtp_ctx[k]);
		rte_free(w->srtp_ctx);
		w->srtp_ctx = NULL;
		sbc_srtp_destroy(w->srtp);
		w->srtp = NULL;
		rte_free(dp->srtp_pools[i].free);
		dp->srtp_pools[i].free = NULL;
	}
	if (dp->srtp_dev >= 0)
		sbc_srtp_cryptodev_close(dp->srtp_dev);
	dp->srtp_dev = -1;
}

int sbc_dp_srtp_ctx_new(struct sbc_dp *dp, unsigned int worker, const struct sbc_api_srtp *k,
			unsigned int dir, uint16_t *idx)
{
	struct sbc_worker *w = dp->workers[worker];
	struct sbc_dp_srtp_pool *pool = &dp->srtp_pools[worker];
	struct sbc_srtp_params p = {
		.suite = k->suite == SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32 ?
			 SBC_SRTP_AES_CM_128_HMAC_SHA1_32 : SBC_SRTP_AES_CM_128_HMAC_SHA1_80,
		.dir = dir == SBC_DP_SRTP_OUT ? SBC_SRTP_PROTECT : SBC_SRTP_UNPROTECT,
		/* SDES: the SSRC is learnt from the first (authenticated) packet. */
		.ssrc_bound = false,
	};
	uint16_t i;
	int rc;

	if (k->suite != SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80 &&
	    k->suite != SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32)
		return -EINVAL;
	if (pool->n_free == 0) {
		rte_rcu_qsbr_dq_reclaim(dp->srtp_dq, UINT32_MAX, NULL, NULL, NULL);
		if (pool->n_free == 0)
			return -ENOSPC;
	}
	i = pool->free[pool->n_free - 1];
	memcpy(p.master_key, k->master_key, sizeof(p.master_key));
	memcpy(p.master_salt, k->master_salt, sizeof(p.master_salt));
	rc = sbc_srtp_ctx_init(w->srtp, &w->srtp_ctx[i], &p);
	explicit_bzero(&p, sizeof(p));
	if (rc != 0)
		return rc;
	pool->n_free--;
	*idx = i;
	return 0;
}

void sbc_dp_srtp_ctx_discard(struct sbc_dp *dp, unsigned int worker, uint16_t idx)
{
	if (idx != 0)
		ctx_release(dp, worker, idx);
}

void sbc_dp_srtp_ctx_retire(struct sbc_dp *dp, unsigned int worker, uint16_t idx)
{
	struct srtp_dq_entry e = { .worker = (uint16_t)worker, .idx = idx };

	if (idx == 0)
		return;
	/* Sized for every context of every worker: it cannot overflow. */
	if (rte_rcu_qsbr_dq_enqueue(dp->srtp_dq, &e) != 0) {
		rte_rcu_qsbr_synchronize(dp->qsbr, RTE_QSBR_THRID_INVALID);
		ctx_release(dp, worker, idx);
	}
}

void sbc_dp_srtp_reclaim(struct sbc_dp *dp)
{
	if (dp->srtp_dq != NULL)
		rte_rcu_qsbr_dq_reclaim(dp->srtp_dq, UINT32_MAX, NULL, NULL, NULL);
}

uint32_t sbc_dp_srtp_contexts(const struct sbc_dp *dp)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < dp->n_workers; i++)
		n += dp->srtp_pools[i].n - dp->srtp_pools[i].n_free;
	return n;
}
