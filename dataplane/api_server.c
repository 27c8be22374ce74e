/* SPDX-License-Identifier: BSD-3-Clause
 * The control/data API server and session bookkeeping.  Main lcore only:
 * this file is the stream table's writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_random.h>
#include <rte_malloc.h>

#include "dp_priv.h"
#include "host.h"
#include "sbc_log.h"

#define LOG_ERR(...) SBC_LOG(ERR, "api", __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Sessions and endpoints                                              */

int sbc_dp_sessions_init(struct sbc_dp *dp)
{
	uint32_t max = sbc_stream_table_capacity(dp->streams);

	dp->endpoints = rte_zmalloc("sbc_endpoints", sizeof(*dp->endpoints) * max, 0);
	dp->max_sessions = max / 2 + 1;
	dp->sessions = rte_zmalloc("sbc_sessions", sizeof(*dp->sessions) * dp->max_sessions, 0);
	dp->free_sessions = rte_malloc("sbc_free_sessions",
				       sizeof(uint32_t) * dp->max_sessions, 0);
	if (!dp->endpoints || !dp->sessions || !dp->free_sessions)
		return -ENOMEM;
	for (uint32_t i = 0; i < dp->max_sessions; i++)
		dp->free_sessions[i] = dp->max_sessions - 1 - i;
	dp->n_free_sessions = dp->max_sessions;
	for (unsigned int i = 0; i < dp->n_ifaces; i++) {
		const struct sbc_dp_iface *ifc = &dp->ifaces[i];
		struct sbc_dp_port_pool *pool = &dp->pools[i];
		uint32_t pairs = ((uint32_t)ifc->port_hi - ifc->port_lo + 1) / 2;

		pool->free = rte_malloc("sbc_port_pool", sizeof(uint16_t) * pairs, 0);
		pool->pos = rte_malloc("sbc_port_pos", sizeof(uint32_t) * pairs, 0);
		if (pool->free == NULL || pool->pos == NULL)
			return -ENOMEM;
		for (uint32_t k = 0; k < pairs; k++) {
			pool->free[k] = (uint16_t)(ifc->port_lo + 2 * k);
			pool->pos[k] = k;
		}
		pool->n_free = pairs;
		pool->pairs = pairs;
		pool->lo = ifc->port_lo;
	}
	return 0;
}

void sbc_dp_sessions_fini(struct sbc_dp *dp)
{
	for (unsigned int i = 0; i < SBC_DP_MAX_IFACES; i++) {
		rte_free(dp->pools[i].free);
		rte_free(dp->pools[i].pos);
	}
	rte_free(dp->endpoints);
	rte_free(dp->sessions);
	rte_free(dp->free_sessions);
}

static void endpoint_key(const struct sbc_dp *dp, const struct sbc_dp_endpoint *ep,
			 struct sbc_stream_key *key)
{
	const struct sbc_dp_iface *ifc = &dp->ifaces[ep->iface];

	memset(key, 0, sizeof(*key));
	key->family = ep->family;
	/* See struct sbc_stream_key: IPv6 streams are keyed by interface. */
	key->addr = ep->family == 4 ? ifc->ip4 : ifc->index;
	key->port = rte_cpu_to_be_16(ep->rtp_port);
}

static void endpoint_local(const struct sbc_dp *dp, const struct sbc_dp_endpoint *ep,
			   struct sbc_api_addr *a, uint16_t *rtcp)
{
	const struct sbc_dp_iface *ifc = &dp->ifaces[ep->iface];

	memset(a, 0, sizeof(*a));
	a->family = ep->family == 4 ? SBC_API_AF_INET : SBC_API_AF_INET6;
	if (ep->family == 4)
		memcpy(a->ip, &ifc->ip4, 4);
	else
		memcpy(a->ip, ifc->ip6, 16);
	a->port = ep->rtp_port;
	if (rtcp)
		*rtcp = ep->rtcp_mux ? ep->rtp_port : (uint16_t)(ep->rtp_port + 1);
}

static struct sbc_dp_endpoint *endpoint_get(struct sbc_dp *dp, uint32_t endpoint_id)
{
	uint32_t slot = endpoint_id - 1;

	if (endpoint_id == 0 || slot >= sbc_stream_table_capacity(dp->streams) ||
	    !dp->endpoints[slot].used)
		return NULL;
	return &dp->endpoints[slot];
}

static struct sbc_dp_session *session_get(struct sbc_dp *dp, uint32_t session_id)
{
	if (session_id == 0 || session_id > dp->max_sessions ||
	    !dp->sessions[session_id - 1].used)
		return NULL;
	return &dp->sessions[session_id - 1];
}

/* Take the free port at index @j of the pool's free list. */
static uint16_t pool_take_at(struct sbc_dp_port_pool *pool, uint32_t j)
{
	uint16_t port = pool->free[j], last = pool->free[--pool->n_free];

	pool->free[j] = last;
	pool->pos[(last - pool->lo) / 2] = j;
	pool->pos[(port - pool->lo) / 2] = UINT32_MAX;
	return port;
}

/*
 * A port at random from the pool's free ones, so that an attacker cannot
 * guess the next call's media port (and race its peer to it), or exactly
 * @want.  An API status.  The main lcore only; getrandom() is a syscall
 * but allocation is off the fast path.
 */
static int pool_take(struct sbc_dp_port_pool *pool, uint16_t want, uint16_t *port)
{
	uint32_t r = 0, k;

	if (want != 0) {
		if (want < pool->lo || (uint32_t)(want - pool->lo) / 2 >= pool->pairs ||
		    (want & 1u))
			return SBC_API_EINVAL;
		k = (uint32_t)(want - pool->lo) / 2;
		if (pool->pos[k] == UINT32_MAX)
			return SBC_API_EBUSY;
		*port = pool_take_at(pool, pool->pos[k]);
		return SBC_API_OK;
	}
	if (pool->n_free == 0)
		return SBC_API_ENOSPC;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint32_t)rte_rand();
	*port = pool_take_at(pool, (uint32_t)(((uint64_t)r * pool->n_free) >> 32));
	return SBC_API_OK;
}

static void pool_put(struct sbc_dp_port_pool *pool, uint16_t port)
{
	pool->pos[(port - pool->lo) / 2] = pool->n_free;
	pool->free[pool->n_free++] = port;
}

/* Take one endpoint for @it into @out; an API status. */
static int endpoint_alloc(struct sbc_dp *dp, const struct sbc_api_alloc_item *it,
			  struct sbc_api_alloc_ep *out)
{
	const struct sbc_dp_iface *ifc = sbc_dp_iface_by_name(dp, it->iface);
	uint8_t family = it->family == SBC_API_AF_INET ? 4 : 6;
	struct sbc_dp_port_pool *pool;
	struct sbc_dp_endpoint *ep;
	uint32_t slot;
	uint16_t port;
	int rc;

	if (ifc == NULL)
		return SBC_API_ENOENT;
	if ((family == 4 && !ifc->has4) || (family == 6 && !ifc->has6))
		return SBC_API_EINVAL;
	pool = &dp->pools[ifc->index];
	if (sbc_stream_slot_alloc(dp->streams, &slot) != 0)
		return SBC_API_ENOSPC;
	rc = pool_take(pool, it->port, &port);
	if (rc != SBC_API_OK) {
		sbc_stream_slot_free(dp->streams, slot);
		return rc;
	}
	ep = &dp->endpoints[slot];
	memset(ep, 0, sizeof(*ep));
	ep->used = 1;
	ep->iface = ifc->index;
	ep->family = family;
	ep->rtcp_mux = it->rtcp_mux;
	ep->rtp_port = port;
	out->endpoint_id = slot + 1;
	endpoint_local(dp, ep, &out->local, &out->local_rtcp_port);
	return SBC_API_OK;
}

/*
 * Undo endpoint_alloc() of an endpoint never bound nor published: its port
 * goes back into its pool and its slot straight to the free list, so the
 * pools hold the same ports as before the request.
 */
static void endpoint_unalloc(struct sbc_dp *dp, uint32_t slot)
{
	struct sbc_dp_endpoint *ep = &dp->endpoints[slot];
	struct sbc_dp_port_pool *pool = &dp->pools[ep->iface];

	pool_put(pool, ep->rtp_port);
	sbc_stream_slot_free(dp->streams, slot);
	memset(ep, 0, sizeof(*ep));
}

static int do_alloc(struct sbc_dp *dp, const void *req, void *resp)
{
	const struct sbc_api_alloc_req *rq = req;
	struct sbc_api_alloc_resp *rs = resp;
	uint32_t done;
	int status = SBC_API_OK;

	if (dp->draining)
		return SBC_API_ESHUTDOWN;   /* SIGTERM: the sessions up go on, no new ones */
	for (done = 0; done < rq->count; done++) {
		status = endpoint_alloc(dp, &rq->item[done], &rs->ep[done]);
		if (status != SBC_API_OK)
			break;
	}
	if (status != SBC_API_OK) {
		/* All or nothing; last taken first back, so each pool's order is kept. */
		while (done-- > 0)
			endpoint_unalloc(dp, rs->ep[done].endpoint_id - 1);
		return status;
	}
	rs->count = rq->count;
	return SBC_API_OK;
}

/* The worker owning the stream of leg @li (its local port decides). */
static unsigned int leg_owner(const struct sbc_dp *dp, const struct sbc_dp_session *sess,
			      unsigned int li)
{
	return sbc_stream_owner(dp->endpoints[sess->slot[li]].rtp_port, dp->n_workers);
}

/*
 * SRTP contexts for the stream of leg @li: unprotect with the leg's in-key,
 * protect with the peer's out-key.  A direction keeps the context it has
 * unless its keys changed (sess->srtp_rekey); a new one is made on the
 * owner worker's engine.  @use receives what the object names, @fresh what
 * was made here (to discard if the publish fails).
 */
static int leg_srtp(struct sbc_dp *dp, struct sbc_dp_session *sess, unsigned int li,
		    uint16_t use[2], uint16_t fresh[2])
{
	const struct sbc_api_srtp *want[2] = {
		[SBC_DP_SRTP_IN] = &sess->leg[li].srtp_in,
		[SBC_DP_SRTP_OUT] = &sess->leg[li ^ 1].srtp_out,
	};
	unsigned int owner = leg_owner(dp, sess, li);

	fresh[0] = fresh[1] = 0;
	for (unsigned int d = 0; d < 2; d++) {
		int rc;

		use[d] = sess->srtp_ctx[li][d];
		if (want[d]->suite == SBC_API_SRTP_NONE) {
			use[d] = 0;
			continue;
		}
		if (use[d] != 0 && !(sess->srtp_rekey[li] & (1u << d)))
			continue;
		rc = sbc_dp_srtp_ctx_new(dp, owner, want[d], d, &fresh[d]);
		if (rc != 0) {
			sbc_dp_srtp_ctx_discard(dp, owner, fresh[0]);
			return rc;
		}
		use[d] = fresh[d];
	}
	return 0;
}

/* Build and publish the stream of leg @li of session @sess. */
static int publish_leg(struct sbc_dp *dp, uint32_t session_id, struct sbc_dp_session *sess,
		       unsigned int li)
{
	const struct sbc_api_leg *leg = &sess->leg[li], *peer = &sess->leg[li ^ 1];
	struct sbc_dp_endpoint *ep = &dp->endpoints[sess->slot[li]];
	struct sbc_dp_endpoint *pep = &dp->endpoints[sess->slot[li ^ 1]];
	const struct sbc_dp_iface *pifc = &dp->ifaces[pep->iface];
	unsigned int owner = leg_owner(dp, sess, li);
	uint16_t srtp[2], fresh[2];
	struct sbc_stream_key key;
	struct sbc_api_addr local;
	struct sbc_stream s;
	uint16_t rtcp;
	int rc;

	memset(&s, 0, sizeof(s));
	s.session_id = session_id;
	s.latching = leg->latching;
	s.latch_gen = sess->latch_gen[li];
	if (leg->flags & SBC_API_LEG_RECV)
		s.flags |= SBC_STREAM_F_RECV;
	if (peer->flags & SBC_API_LEG_SEND)
		s.flags |= SBC_STREAM_F_SEND;
	if ((leg->flags & SBC_API_LEG_RTCP_MUX) || ep->rtcp_mux)
		s.flags |= SBC_STREAM_F_RTCP_MUX;
	if ((peer->flags & SBC_API_LEG_RTCP_MUX) || pep->rtcp_mux)
		s.flags |= SBC_STREAM_F_PEER_RTCP_MUX;
	if (leg->remote.port != 0 && leg->remote.family != SBC_API_AF_NONE)
		s.flags |= SBC_STREAM_F_REMOTE_SET;
	s.relearn_gap_ms = (uint16_t)RTE_MIN(leg->relearn_gap_ms, (uint32_t)UINT16_MAX);
	if (leg->latching == SBC_API_LATCH_STRICT) {
		memcpy(s.check_ip, leg->remote.ip, 16);
	} else {
		const struct sbc_api_addr *ref = leg->learn_from.family != SBC_API_AF_NONE ?
						 &leg->learn_from : &leg->remote;
		uint8_t fam = ref->family == SBC_API_AF_INET ? 4 :
			      ref->family == SBC_API_AF_INET6 ? 6 : 0;

		s.learn_prefix = leg->learn_prefix;
		/* A scope of another family than the endpoint's can match no
		 * packet: the leg learns nothing and keeps its signalled remote. */
		if (fam == ep->family) {
			memcpy(s.check_ip, ref->ip, 16);
			s.flags |= SBC_STREAM_F_LEARN_REF;
		}
	}
	s.remote_rtp_port = rte_cpu_to_be_16(leg->remote.port);
	s.remote_rtcp_port = rte_cpu_to_be_16(leg->remote_rtcp_port ? leg->remote_rtcp_port :
					      (uint16_t)(leg->remote.port + 1));
	/* Out: from the peer's local endpoint toward the peer's remote. */
	s.out.port_id = pifc->port_id;
	s.out.family = pep->family;
	endpoint_local(dp, pep, &local, &rtcp);
	memcpy(s.out.src_ip, local.ip, 16);
	s.out.src_rtp_port = rte_cpu_to_be_16(local.port);
	s.out_src_rtcp_port = rte_cpu_to_be_16(rtcp);
	memcpy(s.out.dst_ip, peer->remote.ip, 16);
	s.out.dst_rtp_port = rte_cpu_to_be_16(peer->remote.port);
	s.out_dst_rtcp_port = rte_cpu_to_be_16(peer->remote_rtcp_port ? peer->remote_rtcp_port :
					       (uint16_t)(peer->remote.port + 1));
	if (sess->learned[li ^ 1][0].valid) {
		/* Symmetric RTP: send where the peer's media comes from. */
		const struct sbc_latch *l = &sess->learned[li ^ 1][0];

		memcpy(s.out.dst_ip, l->ip, 16);
		s.out.dst_rtp_port = l->port;
		s.out.dst_mac = l->mac;
		s.out.mac_ok = 1;
		if (sess->learned[li ^ 1][1].valid)
			s.out_dst_rtcp_port = sess->learned[li ^ 1][1].port;
	} else if (peer->remote.port != 0 && peer->remote.family != SBC_API_AF_NONE) {
		struct rte_mbuf *req = NULL;

		rc = sbc_host_resolve(dp->host, pep->iface, peer->remote.ip, pep->family,
				      sbc_dp_now_ms(dp), &s.out.dst_mac, &req);
		if (req != NULL && rte_eth_tx_burst(req->port, dp->main_txq, &req, 1) != 1)
			rte_pktmbuf_free(req);
		s.out.mac_ok = rc == 0;
		if (rc != 0)
			sess->needs_mac = 1;  /* retried when the neighbour table changes */
	}
	s.n_pt_map = peer->n_pt_map;
	memcpy(s.pt_map, peer->pt_map, sizeof(s.pt_map));
	/* An identity map in the static and dynamic ranges fits the hot line. */
	s.out.pt_bitmap_only = 1;
	for (unsigned int k = 0; k < s.n_pt_map; k++) {
		unsigned int from = s.pt_map[k].from;

		if (from != s.pt_map[k].to || (from >= 32 && from < 96))
			s.out.pt_bitmap_only = 0;
		else if (from < 32)
			s.pt_allowed[0] |= 1u << from;
		else
			s.pt_allowed[1] |= 1u << (from - 96);
	}
	endpoint_key(dp, ep, &key);
	rc = leg_srtp(dp, sess, li, srtp, fresh);
	if (rc == 0) {
		s.srtp_in = srtp[SBC_DP_SRTP_IN];
		s.srtp_out = srtp[SBC_DP_SRTP_OUT];
		rc = sbc_stream_publish(dp->streams, &key, &s, sess->slot[li], sess->slot[li ^ 1]);
		if (rc != 0) {
			/* Never published: no worker saw them. */
			sbc_dp_srtp_ctx_discard(dp, owner, fresh[0]);
			sbc_dp_srtp_ctx_discard(dp, owner, fresh[1]);
		}
	}
	if (rc == 0) {
		ep->published = 1;
		/* Contexts no object names any more: cleared after a grace period. */
		for (unsigned int d = 0; d < 2; d++) {
			if (sess->srtp_ctx[li][d] != srtp[d])
				sbc_dp_srtp_ctx_retire(dp, owner, sess->srtp_ctx[li][d]);
			sess->srtp_ctx[li][d] = srtp[d];
		}
		sess->srtp_rekey[li] = 0;
	} else if (rc == -ENOSPC) {
		/* Objects or contexts come back after a grace period. */
		sess->needs_retry = 1;  /* the old object stays; retried by the main loop */
	}
	if (sess->needs_retry)
		dp->republish_pending = 1;
	return rc;
}

static int publish_session(struct sbc_dp *dp, uint32_t id, struct sbc_dp_session *sess)
{
	int rc;

	sess->needs_mac = 0;
	sess->needs_retry = 0;
	rc = publish_leg(dp, id, sess, 0);
	if (rc == 0)
		rc = publish_leg(dp, id, sess, 1);
	if (rc == 0)
		return SBC_API_OK;
	return rc == -ENOSPC ? SBC_API_ENOSPC : SBC_API_EINTERNAL;
}

static int leg_family_ok(const struct sbc_dp_endpoint *ep, const struct sbc_api_leg *leg)
{
	if (leg->remote.family == SBC_API_AF_NONE)
		return 1;
	return (leg->remote.family == SBC_API_AF_INET) == (ep->family == 4);
}

static int do_bind(struct sbc_dp *dp, const void *req, void *resp)
{
	const struct sbc_api_bind_req *rq = req;
	struct sbc_api_bind_resp *rs = resp;
	struct sbc_dp_endpoint *a = endpoint_get(dp, rq->leg[0].endpoint_id);
	struct sbc_dp_endpoint *b = endpoint_get(dp, rq->leg[1].endpoint_id);
	struct sbc_dp_session *sess;
	uint32_t idx;
	int rc;

	if (a == NULL || b == NULL)
		return SBC_API_ENOENT;
	if (a->session_id || b->session_id)
		return SBC_API_EBUSY;
	if (!leg_family_ok(a, &rq->leg[0]) || !leg_family_ok(b, &rq->leg[1]))
		return SBC_API_EINVAL;
	if (dp->n_free_sessions == 0)
		return SBC_API_ENOSPC;
	idx = dp->free_sessions[--dp->n_free_sessions];
	sess = &dp->sessions[idx];
	memset(sess, 0, sizeof(*sess));
	sess->used = 1;
	sess->slot[0] = rq->leg[0].endpoint_id - 1;
	sess->slot[1] = rq->leg[1].endpoint_id - 1;
	sess->leg[0] = rq->leg[0];
	sess->leg[1] = rq->leg[1];
	sess->media_timeout_ms = rq->media_timeout_ms;
	sess->bound_ms = sbc_dp_now_ms(dp);
	sess->latch_gen[0] = sess->latch_gen[1] = 1;  /* 0 means "not latched" */
	a->session_id = b->session_id = idx + 1;
	a->leg = 0;
	b->leg = 1;
	rc = publish_session(dp, idx + 1, sess);
	rs->session_id = idx + 1;
	return rc;
}

static int do_update(struct sbc_dp *dp, const void *req, void *resp)
{
	const struct sbc_api_update_req *rq = req;
	struct sbc_dp_session *sess = session_get(dp, rq->session_id);

	(void)resp;  /* STATUS_RESP: the header says it all */
	if (sess == NULL)
		return SBC_API_ENOENT;
	for (unsigned int li = 0; li < 2; li++) {
		if (!(rq->what & (li ? SBC_API_UPDATE_LEG_B : SBC_API_UPDATE_LEG_A)))
			continue;
		/* A leg keeps its endpoint: the endpoint id must match. */
		if (rq->leg[li].endpoint_id != sess->slot[li] + 1)
			return SBC_API_EINVAL;
		if (!leg_family_ok(&dp->endpoints[sess->slot[li]], &rq->leg[li]))
			return SBC_API_EINVAL;
	}
	for (unsigned int li = 0; li < 2; li++) {
		const struct sbc_api_leg *nl = &rq->leg[li], *ol = &sess->leg[li];

		if (!(rq->what & (li ? SBC_API_UPDATE_LEG_B : SBC_API_UPDATE_LEG_A)))
			continue;
		/* A new SDP address voids what was latched from the old one. */
		if (memcmp(&nl->remote, &ol->remote, sizeof(nl->remote)) != 0 ||
		    nl->remote_rtcp_port != ol->remote_rtcp_port ||
		    nl->latching != ol->latching || nl->learn_prefix != ol->learn_prefix ||
		    memcmp(&nl->learn_from, &ol->learn_from, sizeof(nl->learn_from)) != 0) {
			if (++sess->latch_gen[li] == 0)
				sess->latch_gen[li] = 1;
			memset(sess->learned[li], 0, sizeof(sess->learned[li]));
		}
		/*
		 * New keys (re-key): this leg's stream unprotects with its
		 * in-key, the peer's stream protects toward it with its out-key.
		 */
		if (memcmp(&nl->srtp_in, &ol->srtp_in, sizeof(nl->srtp_in)) != 0)
			sess->srtp_rekey[li] |= 1u << SBC_DP_SRTP_IN;
		if (memcmp(&nl->srtp_out, &ol->srtp_out, sizeof(nl->srtp_out)) != 0)
			sess->srtp_rekey[li ^ 1] |= 1u << SBC_DP_SRTP_OUT;
		sess->leg[li] = *nl;
	}
	if (rq->what & SBC_API_UPDATE_TIMEOUT)
		sess->media_timeout_ms = rq->media_timeout_ms;
	sess->timed_out = 0;
	return publish_session(dp, rq->session_id, sess);
}

static void endpoint_free(struct sbc_dp *dp, uint32_t slot)
{
	struct sbc_dp_endpoint *ep = &dp->endpoints[slot];
	struct sbc_dp_port_pool *pool = &dp->pools[ep->iface];
	struct sbc_stream_key key;

	endpoint_key(dp, ep, &key);
	sbc_stream_release(dp->streams, ep->published ? &key : NULL, slot);
	pool_put(pool, ep->rtp_port);
	memset(ep, 0, sizeof(*ep));
}

/* Milliseconds since a stream's last accepted packet (UINT64_MAX: never). */
static uint64_t idle_ms(const struct sbc_dp *dp, const struct sbc_stream_state *st)
{
	uint32_t age = sbc_seen(rte_rdtsc()) - st->last_seen;

	if (st->packets == 0)
		return UINT64_MAX;
	return ((uint64_t)age << SBC_SEEN_SHIFT) / (dp->tsc_hz / 1000);
}

/* Data-plane monotonic ms of the last accepted packet, 0 = never. */
static uint64_t last_seen_ms(const struct sbc_dp *dp, const struct sbc_stream_state *st)
{
	uint64_t idle = idle_ms(dp, st), now = sbc_dp_now_ms(dp);

	return idle == UINT64_MAX || idle >= now ? 0 : now - idle;
}

static void fill_latched(const struct sbc_stream_state *st, uint8_t family,
			 struct sbc_api_addr *a)
{
	struct sbc_latch l;

	memset(a, 0, sizeof(*a));
	if (!sbc_latch_read(&st->latch_rtp, &l))
		return;
	a->family = family == 4 ? SBC_API_AF_INET : SBC_API_AF_INET6;
	a->port = rte_be_to_cpu_16(l.port);
	memcpy(a->ip, l.ip, 16);
}

static int do_dump(struct sbc_dp *dp, const void *req, void *resp)
{
	const struct sbc_api_dump_req *rq = req;
	struct sbc_api_dump_resp *rs = resp;
	const struct sbc_stream_state *states = sbc_stream_table_states(dp->streams);
	uint32_t cap = sbc_stream_table_capacity(dp->streams), slot = rq->cursor;

	rs->count = 0;
	for (; slot < cap && rs->count < rq->max; slot++) {
		const struct sbc_dp_endpoint *ep = &dp->endpoints[slot];
		const struct sbc_stream_state *st = &states[slot];
		struct sbc_api_stream_info *si;

		if (!ep->used)
			continue;
		si = &rs->streams[rs->count++];
		si->session_id = ep->session_id;
		si->endpoint_id = slot + 1;
		endpoint_local(dp, ep, &si->local, NULL);
		fill_latched(st, ep->family, &si->remote);
		si->latched = si->remote.family != SBC_API_AF_NONE;
		if (ep->session_id) {
			const struct sbc_dp_session *sess = &dp->sessions[ep->session_id - 1];
			const struct sbc_api_leg *leg = &sess->leg[ep->leg];

			si->latching = leg->latching;
			si->flags = leg->flags;
			si->srtp = leg->srtp_in.suite != SBC_API_SRTP_NONE ||
				   leg->srtp_out.suite != SBC_API_SRTP_NONE;
			if (!si->latched)
				si->remote = leg->remote;
		}
		si->packets = st->packets;
		si->bytes = st->bytes;
		for (unsigned int r = 0; r < SBC_DROP__COUNT; r++)
			si->drops += st->drops[r];
		si->last_seen_ms = last_seen_ms(dp, st);
	}
	/* Skip to the next used slot so the cursor says whether more exist. */
	while (slot < cap && !dp->endpoints[slot].used)
		slot++;
	rs->next_cursor = slot < cap ? slot : 0;
	return SBC_API_OK;
}

/* Both legs' counters of @sess into @rs (session_id left to the caller). */
static void session_stats(struct sbc_dp *dp, const struct sbc_dp_session *sess,
			  struct sbc_api_stats_resp *rs)
{
	const struct sbc_stream_state *states = sbc_stream_table_states(dp->streams);

	for (unsigned int li = 0; li < 2; li++) {
		const struct sbc_stream_state *st = &states[sess->slot[li]];
		struct sbc_api_leg_stats *ls = &rs->leg[li];

		ls->packets = st->packets;
		ls->bytes = st->bytes;
		ls->last_seen_ms = last_seen_ms(dp, st);
		for (unsigned int r = 0; r < SBC_DROP__COUNT; r++)
			ls->drops[r] = st->drops[r];
		ls->ssrc = st->rtp.ssrc;
		ls->lost = sbc_rtp_stats_lost(&st->rtp);
		/* 8 kHz clock: one timestamp unit is 125 µs. */
		ls->jitter_us = sbc_rtp_stats_jitter(&st->rtp) * 125u;
		fill_latched(st, dp->endpoints[sess->slot[li]].family, &ls->source);
	}
}

static int do_stats(struct sbc_dp *dp, const void *req, void *resp)
{
	const struct sbc_api_stats_req *rq = req;
	struct sbc_api_stats_resp *rs = resp;
	const struct sbc_dp_session *sess;

	rs->session_id = rq->session_id;
	if (rq->session_id == 0) {
		struct sbc_dp_counters c;

		sbc_dp_counters(dp, &c);
#define SBC_X_GLOBAL(name, li, field) rs->leg[li].field = c.name;
		SBC_API_GLOBAL_STATS(SBC_X_GLOBAL)
#undef SBC_X_GLOBAL
		for (unsigned int r = 0; r < SBC_DROP__COUNT; r++)
			rs->leg[0].drops[r] = c.drops[r];
		return SBC_API_OK;
	}
	sess = session_get(dp, rq->session_id);
	if (sess == NULL)
		return SBC_API_ENOENT;
	session_stats(dp, sess, rs);
	return SBC_API_OK;
}

/* Take a session's streams out of the table and free it with its endpoints. */
static void session_release(struct sbc_dp *dp, uint32_t session_id, struct sbc_dp_session *sess)
{
	unsigned int owner[2];

	owner[0] = leg_owner(dp, sess, 0);
	owner[1] = leg_owner(dp, sess, 1);
	endpoint_free(dp, sess->slot[0]);
	endpoint_free(dp, sess->slot[1]);
	/*
	 * The streams are out of the table: their contexts are cleared
	 * after the grace period that starts now.
	 */
	for (unsigned int li = 0; li < 2; li++)
		for (unsigned int d = 0; d < 2; d++)
			sbc_dp_srtp_ctx_retire(dp, owner[li], sess->srtp_ctx[li][d]);
	/* Keys wiped: SRTP material must not linger in memory. */
	explicit_bzero(sess, sizeof(*sess));
	dp->free_sessions[dp->n_free_sessions++] = session_id - 1;
}

static int do_release(struct sbc_dp *dp, const void *req, void *resp)
{
	const struct sbc_api_release_req *rq = req;

	if (rq->session_id != 0) {
		struct sbc_dp_session *sess = session_get(dp, rq->session_id);

		if (sess == NULL)
			return SBC_API_ENOENT;
		/*
		 * resp is the STATS_RESP sbc_api_answer_type() names for this
		 * flag.  Read before the release: the slots' state is zeroed
		 * when they are reused.  A packet a worker relays between this
		 * read and the stream leaving the table is not in it.
		 */
		if (rq->flags & SBC_API_RELEASE_STATS) {
			struct sbc_api_stats_resp *rs = resp;

			rs->session_id = rq->session_id;
			session_stats(dp, sess, rs);
		}
		session_release(dp, rq->session_id, sess);
		return SBC_API_OK;
	}
	/* Decode refused SBC_API_RELEASE_STATS without a session: STATUS_RESP. */
	{
		struct sbc_dp_endpoint *ep = endpoint_get(dp, rq->endpoint_id);

		if (ep == NULL)
			return SBC_API_ENOENT;
		if (ep->session_id)
			return SBC_API_EBUSY;
		endpoint_free(dp, rq->endpoint_id - 1);
	}
	return SBC_API_OK;
}

static int do_hello(struct sbc_dp *dp, const void *req, void *resp)
{
	struct sbc_api_hello_resp *r = resp;

	(void)req;
	r->server_version = SBC_API_VERSION;
	r->n_workers = dp->n_workers;
	r->max_streams = sbc_stream_table_capacity(dp->streams);
	r->free_streams = r->max_streams - sbc_stream_table_count(dp->streams);
	return SBC_API_OK;
}

/*
 * Every request the data plane serves.  A handler fills the answer whose
 * header sbc_dp_api_handle() initialised: the type sbc_api_answer_type()
 * gives for the request, one per request type except RELEASE_REQ, which
 * answers STATS_RESP when it asks for the final counters.  On failure the
 * handler returns the status and the answer becomes a STATUS_RESP.
 */
static int (*const api_handlers[SBC_API_TYPE__END])(struct sbc_dp *dp, const void *req,
						     void *resp) = {
	[SBC_API_HELLO_REQ]   = do_hello,
	[SBC_API_ALLOC_REQ]   = do_alloc,
	[SBC_API_BIND_REQ]    = do_bind,
	[SBC_API_UPDATE_REQ]  = do_update,
	[SBC_API_RELEASE_REQ] = do_release,
	[SBC_API_DUMP_REQ]    = do_dump,
	[SBC_API_STATS_REQ]   = do_stats,
};

size_t sbc_dp_api_handle(struct sbc_dp *dp, const void *req, size_t len, void *resp)
{
	unsigned int answer = 0;
	struct sbc_api_hdr h;
	int status;

	dp->api_requests++;
	status = sbc_api_decode(req, len);
	if (status == SBC_API_OK) {
		memcpy(&h, req, sizeof(h));
		answer = sbc_api_answer_type(req);
		if (h.type >= SBC_API_TYPE__END || api_handlers[h.type] == NULL || answer == 0)
			status = SBC_API_ETYPE;
	}
	if (status == SBC_API_OK) {
		sbc_api_init(resp, answer, h.request_id);
		status = api_handlers[h.type](dp, req, resp);
	}
	if (status != SBC_API_OK) {
		dp->api_errors++;
		return (size_t)sbc_api_error_response(resp, req, len, status);
	}
	return sbc_api_msg_size(answer);
}

/*
 * Take the sources a leg's worker latched (RTP and RTCP) into the session
 * and, when they changed, republish the peer's stream so that media toward
 * this leg goes where its media comes from.  Called on worker events and by
 * the periodic sweep (events can be lost when their ring is full).
 */
static void session_learn(struct sbc_dp *dp, uint32_t session_id, struct sbc_dp_session *sess,
			  unsigned int li)
{
	const struct sbc_stream_state *st = &sbc_stream_table_states(dp->streams)[sess->slot[li]];
	bool changed = false;

	for (unsigned int k = 0; k < 2; k++) {
		struct sbc_latch l;
		struct sbc_latch *have = &sess->learned[li][k];

		if (!sbc_latch_read(k ? &st->latch_rtcp : &st->latch_rtp, &l) ||
		    l.gen != sess->latch_gen[li])
			continue;
		if (!have->valid || have->seq != l.seq) {
			*have = l;
			changed = true;
		}
	}
	if (changed)
		publish_leg(dp, session_id, sess, li ^ 1);
}

void sbc_dp_session_learn(struct sbc_dp *dp, uint32_t slot)
{
	const struct sbc_dp_endpoint *ep;

	if (slot >= sbc_stream_table_capacity(dp->streams))
		return;
	ep = &dp->endpoints[slot];
	if (!ep->used || ep->session_id == 0)
		return;
	session_learn(dp, ep->session_id, &dp->sessions[ep->session_id - 1], ep->leg);
}

/* Can every leg still waiting for a next hop be resolved now? */
static bool session_resolvable(struct sbc_dp *dp, const struct sbc_dp_session *sess)
{
	for (unsigned int li = 0; li < 2; li++) {
		const struct sbc_api_leg *leg = &sess->leg[li];
		const struct sbc_dp_endpoint *ep = &dp->endpoints[sess->slot[li]];
		struct rte_ether_addr mac;
		struct rte_mbuf *req = NULL;
		int rc;

		if (sess->learned[li][0].valid || leg->remote.port == 0 ||
		    leg->remote.family == SBC_API_AF_NONE)
			continue;
		rc = sbc_host_resolve(dp->host, ep->iface, leg->remote.ip, ep->family,
				      sbc_dp_now_ms(dp), &mac, &req);
		/* The host rate-limits requests: this keeps asking once a second. */
		if (req != NULL && rte_eth_tx_burst(req->port, dp->main_txq, &req, 1) != 1)
			rte_pktmbuf_free(req);
		if (rc != 0)
			return false;
	}
	return true;
}

/*
 * Republish sessions whose last publish failed for want of objects (they
 * come back after the workers' next quiescent state), and those waiting for
 * a next hop once it resolves.  Stops at the first shortage; the main loop
 * calls again while a retry is pending.
 */
void sbc_dp_sessions_republish_pending(struct sbc_dp *dp)
{
	dp->republish_pending = 0;
	for (uint32_t i = 0; i < dp->max_sessions; i++) {
		struct sbc_dp_session *sess = &dp->sessions[i];

		if (!sess->used || !(sess->needs_retry ||
				     (sess->needs_mac && session_resolvable(dp, sess))))
			continue;
		if (publish_session(dp, i + 1, sess) == SBC_API_ENOSPC) {
			sbc_stream_table_reclaim(dp->streams);
			sbc_dp_srtp_reclaim(dp);
			dp->republish_pending = 1;
			return;
		}
	}
}

/* Sweep a slice of the sessions per call so a large table never stalls. */
void sbc_dp_sessions_timeout_scan(struct sbc_dp *dp, uint64_t now_ms)
{
	const struct sbc_stream_state *states = sbc_stream_table_states(dp->streams);
	uint32_t slice = dp->max_sessions / 10 + 1;

	for (uint32_t k = 0; k < slice; k++) {
		uint32_t i = dp->timeout_cursor++ % dp->max_sessions;
		struct sbc_dp_session *sess = &dp->sessions[i];
		uint64_t idle;
		struct sbc_api_event ev;

		if (!sess->used)
			continue;
		session_learn(dp, i + 1, sess, 0);
		session_learn(dp, i + 1, sess, 1);
		if (sess->timed_out || sess->media_timeout_ms == 0)
			continue;
		/* Idle since the last packet of either leg, or since the bind. */
		idle = now_ms - sess->bound_ms;
		for (unsigned int li = 0; li < 2; li++) {
			uint64_t leg_idle = idle_ms(dp, &states[sess->slot[li]]);

			if (leg_idle < idle)
				idle = leg_idle;
		}
		if (idle < sess->media_timeout_ms)
			continue;
		sess->timed_out = 1;
		sbc_api_init(&ev, SBC_API_EVENT, 0);
		ev.kind = SBC_API_EV_MEDIA_TIMEOUT;
		ev.session_id = i + 1;
		ev.count = (uint32_t)idle;
		sbc_dp_api_broadcast(dp, &ev);
	}
}

/* ------------------------------------------------------------------ */
/* Socket                                                              */

int sbc_dp_api_open(struct sbc_dp *dp, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	/* The default lives in /run/rampart/: create the directory, owner only. */
	{
		char dir[sizeof(sa.sun_path)];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (slash != NULL && slash != dir) {
			*slash = '\0';
			if (mkdir(dir, 0750) != 0 && errno != EEXIST)
				SBC_LOG(WARN, "api", "cannot create %s: %s", dir, strerror(errno));
		}
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	/* Keys travel on this socket: owner-only from the first moment. */
	mode_t old = umask(0077);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 8) != 0) {
		int e = errno;

		umask(old);
		LOG_ERR("cannot listen on %s: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	umask(old);
	dp->listen_fd = fd;
	snprintf(dp->socket_path, sizeof(dp->socket_path), "%s", path);
	return 0;
}

void sbc_dp_api_close(struct sbc_dp *dp)
{
	for (unsigned int i = 0; i < SBC_DP_MAX_CLIENTS; i++) {
		if (dp->clients[i] >= 0)
			close(dp->clients[i]);
		dp->clients[i] = -1;
	}
	if (dp->listen_fd >= 0) {
		close(dp->listen_fd);
		unlink(dp->socket_path);
		dp->listen_fd = -1;
	}
}

void sbc_dp_api_broadcast(struct sbc_dp *dp, const struct sbc_api_event *ev)
{
	for (unsigned int i = 0; i < SBC_DP_MAX_CLIENTS; i++) {
		if (dp->clients[i] >= 0 &&
		    send(dp->clients[i], ev, sizeof(*ev), MSG_DONTWAIT | MSG_NOSIGNAL) ==
		    (ssize_t)sizeof(*ev))
			dp->events_sent++;
	}
}

/*
 * Room for some 600 pipelined answers (1 MiB, above net.core.wmem_max when
 * root); past that the client waits (client_send()).
 */
#define API_SNDBUF (1 << 20)

static void client_accept(struct sbc_dp *dp)
{
	int fd = accept4(dp->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), sz = API_SNDBUF;

	if (fd < 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	for (unsigned int i = 0; i < SBC_DP_MAX_CLIENTS; i++) {
		if (dp->clients[i] < 0) {
			dp->clients[i] = fd;
			dp->client_pend_len[i] = 0;
			return;
		}
	}
	close(fd);  /* too many clients */
}

static void client_close(struct sbc_dp *dp, unsigned int i)
{
	close(dp->clients[i]);
	dp->clients[i] = -1;
	explicit_bzero(dp->client_pend[i], dp->client_pend_len[i]);
	dp->client_pend_len[i] = 0;
}

/*
 * Send @len bytes of @msg to client @i: 1 sent, 0 no room (kept in its
 * pending slot: the caller stops reading that client), -1 the client is
 * gone (closed here).
 */
static int client_send(struct sbc_dp *dp, unsigned int i, const void *msg, size_t len)
{
	if (send(dp->clients[i], msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len)
		return 1;
	if (errno == EAGAIN || errno == EINTR) {
		if (msg != dp->client_pend[i])
			memcpy(dp->client_pend[i], msg, len);
		dp->client_pend_len[i] = len;
		dp->api_answers_delayed++;
		return 0;
	}
	client_close(dp, i);
	return -1;
}

/* Drain what client @i has queued, one datagram = one request, up to 64. */
static void client_serve(struct sbc_dp *dp, unsigned int i)
{
	static _Alignas(8) uint8_t req[SBC_API_MSG_MAX + 64], resp[SBC_API_MSG_MAX];

	for (int k = 0; k < 64; k++) {
		ssize_t len = recv(dp->clients[i], req, sizeof(req), MSG_DONTWAIT | MSG_TRUNC);
		size_t rlen, got;

		if (len == 0 || (len < 0 && errno != EAGAIN && errno != EINTR)) {
			client_close(dp, i);
			return;
		}
		if (len < 0)
			return;
		/* MSG_TRUNC reports the real length: an oversized one fails decode. */
		got = (size_t)len > sizeof(req) ? sizeof(req) : (size_t)len;
		rlen = sbc_dp_api_handle(dp, req, got, resp);
		/* BIND and UPDATE carry SRTP keys: no copy stays behind. */
		explicit_bzero(req, got);
		if (client_send(dp, i, resp, rlen) != 1)
			return;
	}
}

void sbc_dp_api_poll(struct sbc_dp *dp, int timeout_ms)
{
	struct pollfd pfd[SBC_DP_MAX_CLIENTS + 1];
	unsigned int n = 0;

	if (dp->listen_fd < 0) {
		if (timeout_ms > 0)
			usleep((useconds_t)timeout_ms * 1000);
		return;
	}
	pfd[n++] = (struct pollfd){ .fd = dp->listen_fd, .events = POLLIN };
	for (unsigned int i = 0; i < SBC_DP_MAX_CLIENTS; i++)
		pfd[n++] = (struct pollfd){ .fd = dp->clients[i],
			.events = dp->client_pend_len[i] != 0 ? POLLOUT : POLLIN };
	if (poll(pfd, n, timeout_ms) <= 0)
		return;
	if (pfd[0].revents & POLLIN)
		client_accept(dp);
	for (unsigned int i = 0; i < SBC_DP_MAX_CLIENTS; i++) {
		const struct pollfd *p = &pfd[i + 1];

		if (p->fd < 0 || dp->clients[i] != p->fd || p->revents == 0)
			continue;
		if (dp->client_pend_len[i] != 0) {
			if (client_send(dp, i, dp->client_pend[i], dp->client_pend_len[i]) != 1)
				continue;
			dp->client_pend_len[i] = 0;
		}
		client_serve(dp, i);
	}
}
