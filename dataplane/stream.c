/* SPDX-License-Identifier: BSD-3-Clause
 * Stream table: rte_hash (lock-free readers) + preallocated objects, with
 * frees deferred through rte_rcu_qsbr.  Every function here runs on the
 * main lcore, the table's only writer.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "stream.h"

struct sbc_stream_table {
	struct rte_hash *hash;
	struct rte_rcu_qsbr *qsbr;
	struct rte_rcu_qsbr_dq *dq;         /* deferred object / slot frees */
	uint32_t max_streams;
	uint32_t n_streams;                 /* slots in use */
	struct sbc_stream_state *states;    /* [max_streams] */
	uint32_t *free_slots;               /* stack */
	uint32_t n_free_slots;
	struct sbc_stream *objs;            /* [n_objs] published objects */
	uint32_t n_objs;
	uint32_t *free_objs;                /* stack */
	uint32_t n_free_objs;
	uint64_t memory;
};

/* What the defer queue holds: an object index or a slot to give back. */
enum { DQ_OBJ = 0, DQ_SLOT = 1 };
struct dq_entry {
	uint32_t kind;
	uint32_t index;
};

static void dq_free(void *p, void *e, unsigned int n)
{
	struct sbc_stream_table *t = p;
	struct dq_entry *ent = e;

	for (unsigned int i = 0; i < n; i++) {
		if (ent[i].kind == DQ_OBJ) {
			/*
			 * Poison: a worker that kept a pointer past its grace
			 * period would read an absurd slot and fail loudly in
			 * the tests instead of relaying with another session's
			 * addresses.
			 */
			memset(&t->objs[ent[i].index], 0xa5, sizeof(t->objs[0]));
			t->free_objs[t->n_free_objs++] = ent[i].index;
		} else {
			/* Nobody reads the state any more: reset it for reuse. */
			memset(&t->states[ent[i].index], 0, sizeof(t->states[0]));
			t->free_slots[t->n_free_slots++] = ent[i].index;
			t->n_streams--;
		}
	}
}

static void *zalloc(struct sbc_stream_table *t, const char *what, size_t n, size_t size,
		    int socket)
{
	void *p = rte_zmalloc_socket(what, n * size, RTE_CACHE_LINE_SIZE, socket);

	if (p)
		t->memory += n * size;
	return p;
}

struct sbc_stream_table *sbc_stream_table_create(const char *name, uint32_t max_streams,
						 struct rte_rcu_qsbr *qsbr, int socket)
{
	struct sbc_stream_table *t;
	char hname[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = hname,
		/* rte_hash needs headroom above the load it is filled to. */
		.entries = max_streams + max_streams / 8 + 64,
		.key_len = SBC_STREAM_KEY_LEN,
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0x5242,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config hrc = {
		.v = qsbr,
		.mode = RTE_HASH_QSBR_MODE_DQ,
	};
	struct rte_rcu_qsbr_dq_parameters dqp = {
		.name = name,
		.size = 2 * max_streams + 1024,
		.esize = sizeof(struct dq_entry),
		.trigger_reclaim_limit = 1024,
		.max_reclaim_size = 4096,
		.free_fn = dq_free,
		.v = qsbr,
	};
	uint32_t i;

	if (max_streams == 0 || max_streams > SBC_STREAM_TABLE_MAX || qsbr == NULL)
		return NULL;
	t = rte_zmalloc_socket("sbc_stream_table", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		return NULL;
	dqp.p = t;
	t->qsbr = qsbr;
	t->max_streams = max_streams;
	/* Room for the published objects plus updates in their grace period. */
	t->n_objs = max_streams + max_streams / 16 + 1024;
	snprintf(hname, sizeof(hname), "%s_h", name);
	t->hash = rte_hash_create(&hp);
	if (t->hash == NULL)
		goto err;
	/* Hash memory is not reported by the library: estimate from its layout. */
	t->memory += (uint64_t)hp.entries * (SBC_STREAM_KEY_LEN + 16) +
		     (uint64_t)rte_align32pow2(hp.entries) / 8 * 64 * 2;
	if (rte_hash_rcu_qsbr_add(t->hash, &hrc) != 0)
		goto err;
	t->dq = rte_rcu_qsbr_dq_create(&dqp);
	if (t->dq == NULL)
		goto err;
	t->states = zalloc(t, "sbc_stream_state", max_streams, sizeof(*t->states), socket);
	t->free_slots = zalloc(t, "sbc_free_slots", max_streams, sizeof(uint32_t), socket);
	t->objs = zalloc(t, "sbc_streams", t->n_objs, sizeof(*t->objs), socket);
	t->free_objs = zalloc(t, "sbc_free_objs", t->n_objs, sizeof(uint32_t), socket);
	if (!t->states || !t->free_slots || !t->objs || !t->free_objs)
		goto err;
	/* Stacks hand out low indices first: denser memory at low load. */
	for (i = 0; i < max_streams; i++)
		t->free_slots[i] = max_streams - 1 - i;
	t->n_free_slots = max_streams;
	for (i = 0; i < t->n_objs; i++)
		t->free_objs[i] = t->n_objs - 1 - i;
	t->n_free_objs = t->n_objs;
	return t;
err:
	sbc_stream_table_destroy(t);
	return NULL;
}

void sbc_stream_table_destroy(struct sbc_stream_table *t)
{
	if (t == NULL)
		return;
	if (t->dq)
		rte_rcu_qsbr_dq_delete(t->dq);
	rte_hash_free(t->hash);
	rte_free(t->states);
	rte_free(t->free_slots);
	rte_free(t->objs);
	rte_free(t->free_objs);
	rte_free(t);
}

struct rte_hash *sbc_stream_table_hash(const struct sbc_stream_table *t)
{
	return t->hash;
}

const struct sbc_stream *sbc_stream_table_objs(const struct sbc_stream_table *t)
{
	return t->objs;
}

struct sbc_stream_state *sbc_stream_table_states(const struct sbc_stream_table *t)
{
	return t->states;
}

uint32_t sbc_stream_table_count(const struct sbc_stream_table *t)
{
	return t->n_streams;
}

uint32_t sbc_stream_table_capacity(const struct sbc_stream_table *t)
{
	return t->max_streams;
}

uint64_t sbc_stream_table_memory(const struct sbc_stream_table *t)
{
	return t->memory;
}

int sbc_stream_slot_alloc(struct sbc_stream_table *t, uint32_t *slot)
{
	if (t->n_free_slots == 0) {
		rte_rcu_qsbr_dq_reclaim(t->dq, UINT32_MAX, NULL, NULL, NULL);
		if (t->n_free_slots == 0)
			return -ENOSPC;
	}
	*slot = t->free_slots[--t->n_free_slots];
	t->n_streams++;
	return 0;
}

void sbc_stream_slot_free(struct sbc_stream_table *t, uint32_t slot)
{
	t->free_slots[t->n_free_slots++] = slot;
	t->n_streams--;
}

static void defer(struct sbc_stream_table *t, uint32_t kind, uint32_t index)
{
	struct dq_entry e = { .kind = kind, .index = index };

	/* The queue is sized for every object and slot; it cannot overflow. */
	if (rte_rcu_qsbr_dq_enqueue(t->dq, &e) != 0) {
		rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
		dq_free(t, &e, 1);
	}
}

int sbc_stream_publish(struct sbc_stream_table *t, const struct sbc_stream_key *key,
		       const struct sbc_stream *s, uint32_t slot, uint32_t peer_slot)
{
	void *old = NULL;
	bool has_old;
	uint32_t idx;
	int rc;

	if (slot >= t->max_streams || peer_slot >= t->max_streams)
		return -EINVAL;
	if (t->n_free_objs == 0) {
		rte_rcu_qsbr_dq_reclaim(t->dq, UINT32_MAX, NULL, NULL, NULL);
		if (t->n_free_objs == 0)
			return -ENOSPC;
	}
	idx = t->free_objs[--t->n_free_objs];
	t->objs[idx] = *s;
	has_old = rte_hash_lookup_data(t->hash, key, &old) >= 0;
	/*
	 * add_key_data stores the new data word with release semantics in
	 * lock-free mode: a reader sees either the old or the complete new
	 * object, never a partial one.
	 */
	rc = rte_hash_add_key_data(t->hash, key,
				   (void *)(uintptr_t)(sbc_stream_ref(idx, slot, peer_slot) |
							(sbc_stream_is_wide(s) ?
							 SBC_STREAM_REF_WIDE : 0)));
	if (rc < 0) {
		t->free_objs[t->n_free_objs++] = idx;
		return rc == -ENOSPC ? -ENOSPC : -EINVAL;
	}
	if (has_old)
		defer(t, DQ_OBJ, sbc_stream_ref_obj((uintptr_t)old));
	return 0;
}

const struct sbc_stream *sbc_stream_lookup(const struct sbc_stream_table *t,
					   const struct sbc_stream_key *key)
{
	void *data;

	if (rte_hash_lookup_data(t->hash, key, &data) < 0)
		return NULL;
	return &t->objs[sbc_stream_ref_obj((uintptr_t)data)];
}

void sbc_stream_release(struct sbc_stream_table *t, const struct sbc_stream_key *key,
			uint32_t slot)
{
	void *old;

	if (key != NULL && rte_hash_lookup_data(t->hash, key, &old) >= 0) {
		/* The key slot itself is reclaimed by the hash's own RCU queue. */
		rte_hash_del_key(t->hash, key);
		defer(t, DQ_OBJ, sbc_stream_ref_obj((uintptr_t)old));
	}
	defer(t, DQ_SLOT, slot);
}

void sbc_stream_table_reclaim(struct sbc_stream_table *t)
{
	rte_rcu_qsbr_dq_reclaim(t->dq, UINT32_MAX, NULL, NULL, NULL);
}
