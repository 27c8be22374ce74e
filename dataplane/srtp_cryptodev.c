/* SPDX-License-Identifier: BSD-3-Clause
 * The cryptodev engine: RFC 3711 framing in our code, AES-CTR and
 * HMAC-SHA1 on a DPDK crypto device, one chained symmetric operation per
 * packet (protect: encrypt then generate; unprotect: verify then decrypt).
 *
 * SRTP authenticates header || encrypted payload || ROC, while the packet
 * carries header || encrypted payload || tag.  The device authenticates one
 * contiguous range, so the 4-byte ROC is written after the payload for the
 * operation: protect has the device write the digest over the ROC, which
 * it has read by then (RFC 3711 3.1: the tag follows the payload);
 * unprotect moves the received tag 4 bytes up, writes the ROC in its place
 * and lets the device verify the tag there.  SRTCP needs no such step: the
 * E flag and index it authenticates are part of the packet.
 *
 * A chunk is processed in rounds.  Protect decides everything (index,
 * replay, SRTCP index) before the crypto, as libsrtp2 does, so one round
 * suffices.  Unprotect may only commit an index once its packet
 * authenticated, and libsrtp2 estimates each packet's index from the state
 * the previous packets left; a round therefore holds a context's packets
 * only as long as their estimated index cannot depend on whether the
 * earlier ones of the round authenticate (it almost never can: the
 * estimate changes only across a 2^15 boundary), the rest wait for the next
 * round.  After the crypto, replay checks and commits run in packet order,
 * giving libsrtp2's decisions packet for packet.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cryptodev.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "sbc_log.h"
#include "srtp_priv.h"

#define CDEV_QP_DESCRIPTORS 2048
#define CDEV_VDEV_SUFFIX    "_sbc"

/*
 * Session prefetch.  With thousands of streams a session object (1472 bytes
 * on crypto_aesni_mb) is seldom in cache, and the device reads it only
 * when it processes the operation, one miss after the other.  The lines
 * the device reads (cdev_sess_prefetch_plan()) are prefetched as each
 * packet's operation is built, once its context is in hand: the device
 * starts on the burst only after all are framed, so no distance is needed,
 * and the framing is not held up reading contexts ahead of time.
 * bench_srtp, 10,000 streams, protect + unprotect: lines 0-4 and the last 6
 * prefetched 4 packets ahead (reading that packet's context early), 0.54
 * of the one-session ceiling; the 9 lines the device reads, at the packet
 * itself, 0.68; the same with the device fed 16 operations at a time and
 * the next 16 sessions prefetched while it works, 0.59.
 */
/* packet state within a chunk */
enum {
	PKT_DONE = 0,      /* result final */
	PKT_WAIT,          /* waits for a round */
	PKT_ROUND,         /* in this round, no operation (replay reject or malformed) */
	PKT_OP,            /* in this round with an operation */
};

static int cdev_find(const char *driver)
{
	struct rte_cryptodev_info info;
	uint8_t id;

	for (id = 0; id < RTE_CRYPTO_MAX_DEVS; id++) {
		if (!rte_cryptodev_is_valid_dev(id))
			continue;
		rte_cryptodev_info_get(id, &info);
		if (info.driver_name != NULL && strcmp(info.driver_name, driver) == 0)
			return id;
	}
	return -ENODEV;
}

static int cdev_check_caps(uint8_t dev)
{
	const struct rte_cryptodev_symmetric_capability *cap;
	struct rte_cryptodev_sym_capability_idx idx;

	memset(&idx, 0, sizeof(idx));
	idx.type = RTE_CRYPTO_SYM_XFORM_CIPHER;
	idx.algo.cipher = RTE_CRYPTO_CIPHER_AES_CTR;
	cap = rte_cryptodev_sym_capability_get(dev, &idx);
	if (cap == NULL || rte_cryptodev_sym_capability_check_cipher(cap, 16, 16) != 0)
		return -ENOTSUP;
	idx.type = RTE_CRYPTO_SYM_XFORM_AUTH;
	idx.algo.auth = RTE_CRYPTO_AUTH_SHA1_HMAC;
	cap = rte_cryptodev_sym_capability_get(dev, &idx);
	if (cap == NULL || rte_cryptodev_sym_capability_check_auth(cap, SBC_SRTP_AUTH_KEY_LEN, 10, 0) ||
	    rte_cryptodev_sym_capability_check_auth(cap, SBC_SRTP_AUTH_KEY_LEN, 4, 0))
		return -ENOTSUP;
	return 0;
}

static int cdev_open_one(const char *driver, uint16_t n_qp, int socket_id)
{
	struct rte_cryptodev_config conf = {
		.socket_id = socket_id,
		.nb_queue_pairs = n_qp,
		.ff_disable = RTE_CRYPTODEV_FF_ASYMMETRIC_CRYPTO | RTE_CRYPTODEV_FF_SECURITY,
	};
	struct rte_cryptodev_qp_conf qp = { .nb_descriptors = CDEV_QP_DESCRIPTORS };
	char name[RTE_CRYPTODEV_NAME_MAX_LEN], args[64];
	bool created = false;
	int dev, rc;
	uint16_t q;

	dev = cdev_find(driver);
	if (dev < 0) {
		snprintf(name, sizeof(name), "%s%s", driver, CDEV_VDEV_SUFFIX);
		snprintf(args, sizeof(args), "max_nb_queue_pairs=%u,socket_id=%d", n_qp,
			 socket_id == SOCKET_ID_ANY ? 0 : socket_id);
		if (rte_vdev_init(name, args) != 0)
			return -ENODEV;
		created = true;
		dev = rte_cryptodev_get_dev_id(name);
		if (dev < 0)
			return -ENODEV;
	}
	rc = cdev_check_caps((uint8_t)dev);
	if (rc == 0)
		rc = rte_cryptodev_configure((uint8_t)dev, &conf);
	for (q = 0; rc == 0 && q < n_qp; q++)
		rc = rte_cryptodev_queue_pair_setup((uint8_t)dev, q, &qp, socket_id);
	if (rc == 0)
		rc = rte_cryptodev_start((uint8_t)dev);
	if (rc != 0) {
		SBC_LOG(ERR, "srtp", "crypto device %s: setup failed (%d)", driver, rc);
		if (created)
			rte_vdev_uninit(name);
		return rc < 0 ? rc : -EIO;
	}
	return dev;
}

int sbc_srtp_cryptodev_open(const char *driver, uint16_t n_qp, int socket_id)
{
	int rc;

	if (n_qp == 0)
		return -EINVAL;
	if (driver != NULL)
		return cdev_open_one(driver, n_qp, socket_id);
	rc = cdev_open_one("crypto_aesni_mb", n_qp, socket_id);
	if (rc >= 0)
		return rc;
	SBC_LOG(WARN, "srtp", "crypto_aesni_mb unavailable (%d), falling back to crypto_openssl", rc);
	return cdev_open_one("crypto_openssl", n_qp, socket_id);
}

void sbc_srtp_cryptodev_close(int dev_id)
{
	char name[RTE_CRYPTODEV_NAME_MAX_LEN];
	const char *n;
	size_t l;

	if (dev_id < 0 || !rte_cryptodev_is_valid_dev((uint8_t)dev_id))
		return;
	n = rte_cryptodev_name_get((uint8_t)dev_id);
	snprintf(name, sizeof(name), "%s", n != NULL ? n : "");
	rte_cryptodev_stop((uint8_t)dev_id);
	l = strlen(name);
	/* Only a vdev we created goes away; a device the EAL made stays. */
	if (l > strlen(CDEV_VDEV_SUFFIX) &&
	    strcmp(name + l - strlen(CDEV_VDEV_SUFFIX), CDEV_VDEV_SUFFIX) == 0)
		rte_vdev_uninit(name);
	else
		rte_cryptodev_close((uint8_t)dev_id);
}

/*
 * Which lines of a session object the device reads per operation.
 * crypto_aesni_mb (DPDK 22.11, intel-ipsec-mb 1.3), AES-128-CTR + HMAC-SHA1:
 * a 1472-byte object of 23 lines; line 0 is the generic session header it
 * does not read, lines 1-4 hold the modes and the AES-128 encryption key
 * schedule, 17-20 the HMAC inner and outer hash states, 22 the digest
 * lengths.  Other devices: the first 12 lines.
 */
static void cdev_sess_prefetch_plan(struct sbc_srtp *e, const char *driver)
{
	static const uint8_t aesni_mb[] = { 1, 2, 3, 4, 17, 18, 19, 20, 22 };
	uint32_t lines = e->sess_pool->elt_size / RTE_CACHE_LINE_SIZE, l;

	e->n_sess_pf = 0;
	if (driver != NULL && strcmp(driver, "crypto_aesni_mb") == 0 && lines == 23) {
		for (l = 0; l < RTE_DIM(aesni_mb); l++)
			e->sess_pf[e->n_sess_pf++] = (uint16_t)(aesni_mb[l] * RTE_CACHE_LINE_SIZE);
		return;
	}
	for (l = 0; l < lines && l < RTE_DIM(e->sess_pf); l++)
		e->sess_pf[e->n_sess_pf++] = (uint16_t)(l * RTE_CACHE_LINE_SIZE);
}

int sbc_srtp_cdev_engine_init(struct sbc_srtp *e, const char *name)
{
	struct rte_cryptodev_info info;
	char pname[RTE_MEMPOOL_NAMESIZE];
	unsigned int sess_size;

	if (!rte_cryptodev_is_valid_dev(e->dev_id) ||
	    e->qp_id >= rte_cryptodev_queue_pair_count(e->dev_id))
		return -EINVAL;
	rte_cryptodev_info_get(e->dev_id, &info);
	snprintf(e->backend, sizeof(e->backend), "cryptodev %s", info.driver_name);
	sess_size = rte_cryptodev_sym_get_private_session_size(e->dev_id);
	/* Two sessions per context, one spare for the keystream test hook. */
	snprintf(pname, sizeof(pname), "srtp_s_%s", name);
	e->sess_pool = rte_cryptodev_sym_session_pool_create(pname, 2 * e->max_ctx + 1,
							     sess_size, 0, 0, e->socket_id);
	if (e->sess_pool == NULL)
		return -ENOMEM;
	cdev_sess_prefetch_plan(e, info.driver_name);
	snprintf(pname, sizeof(pname), "srtp_o_%s", name);
	e->op_pool = rte_crypto_op_pool_create(pname, RTE_CRYPTO_OP_TYPE_SYMMETRIC,
					       SBC_SRTP_BURST_MAX, 0, SRTP_CDEV_OP_PRIV,
					       e->socket_id);
	if (e->op_pool == NULL)
		goto err_sess;
	/* The operations are the engine's for good: a burst never allocates. */
	if (rte_crypto_op_bulk_alloc(e->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, e->ops,
				     SBC_SRTP_BURST_MAX) != SBC_SRTP_BURST_MAX)
		goto err_op;
	return 0;

err_op:
	rte_mempool_free(e->op_pool);
	e->op_pool = NULL;
err_sess:
	rte_mempool_free(e->sess_pool);
	e->sess_pool = NULL;
	return -ENOMEM;
}

void sbc_srtp_cdev_engine_fini(struct sbc_srtp *e)
{
	if (e->op_pool != NULL) {
		rte_mempool_put_bulk(e->op_pool, (void **)e->ops, SBC_SRTP_BURST_MAX);
		rte_mempool_free(e->op_pool);
	}
	rte_mempool_free(e->sess_pool);
}

static void *cdev_session(struct sbc_srtp *e, uint8_t dir, const uint8_t *enc_key,
			  const uint8_t *auth_key, uint16_t tag_len)
{
	struct rte_crypto_sym_xform cipher, auth;

	memset(&cipher, 0, sizeof(cipher));
	memset(&auth, 0, sizeof(auth));
	cipher.type = RTE_CRYPTO_SYM_XFORM_CIPHER;
	cipher.cipher.algo = RTE_CRYPTO_CIPHER_AES_CTR;
	cipher.cipher.key.data = enc_key;
	cipher.cipher.key.length = 16;
	cipher.cipher.iv.offset = SRTP_CDEV_IV_OFFSET;
	cipher.cipher.iv.length = 16;
	auth.type = RTE_CRYPTO_SYM_XFORM_AUTH;
	auth.auth.algo = RTE_CRYPTO_AUTH_SHA1_HMAC;
	auth.auth.key.data = auth_key;
	auth.auth.key.length = SBC_SRTP_AUTH_KEY_LEN;
	auth.auth.digest_length = tag_len;
	if (dir == SBC_SRTP_PROTECT) {
		cipher.cipher.op = RTE_CRYPTO_CIPHER_OP_ENCRYPT;
		auth.auth.op = RTE_CRYPTO_AUTH_OP_GENERATE;
		cipher.next = &auth;
		return rte_cryptodev_sym_session_create(e->dev_id, &cipher, e->sess_pool);
	}
	auth.auth.op = RTE_CRYPTO_AUTH_OP_VERIFY;
	cipher.cipher.op = RTE_CRYPTO_CIPHER_OP_DECRYPT;
	auth.next = &cipher;
	return rte_cryptodev_sym_session_create(e->dev_id, &auth, e->sess_pool);
}

int sbc_srtp_cdev_ctx_init(struct sbc_srtp *e, struct srtp_ctx_priv *c,
			   const struct sbc_srtp_params *p)
{
	struct srtp_session_keys k;
	int rc = -EIO;

	if (sbc_srtp_derive(p, &k) != 0)
		return -EIO;
	c->cdev.rtp_sess = cdev_session(e, c->dir, k.rtp_enc, k.rtp_auth, c->tag_len);
	if (c->cdev.rtp_sess == NULL)
		goto out;
	c->cdev.rtcp_sess = cdev_session(e, c->dir, k.rtcp_enc, k.rtcp_auth, SBC_SRTCP_TAG_LEN);
	if (c->cdev.rtcp_sess == NULL) {
		rte_cryptodev_sym_session_free(e->dev_id, c->cdev.rtp_sess);
		c->cdev.rtp_sess = NULL;
		goto out;
	}
	/* k_s * 2^16 (RFC 3711 4.1.1): the two low bytes stay zero. */
	memcpy(c->cdev.rtp_salt, k.rtp_salt, SBC_SRTP_SALT_LEN);
	memcpy(c->cdev.rtcp_salt, k.rtcp_salt, SBC_SRTP_SALT_LEN);
	rc = 0;
out:
	explicit_bzero(&k, sizeof(k));
	if (rc != 0)
		rc = rte_errno == ENOMEM ? -ENOMEM : -EIO;
	return rc;
}

void sbc_srtp_cdev_ctx_clear(struct sbc_srtp *e, struct srtp_ctx_priv *c)
{
	if (c->cdev.rtp_sess != NULL)
		rte_cryptodev_sym_session_free(e->dev_id, c->cdev.rtp_sess);
	if (c->cdev.rtcp_sess != NULL)
		rte_cryptodev_sym_session_free(e->dev_id, c->cdev.rtcp_sess);
	c->cdev.rtp_sess = NULL;
	c->cdev.rtcp_sess = NULL;
}

/* Counter block (RFC 3711 4.1.1): salt * 2^16 XOR SSRC * 2^64 XOR index * 2^16. */
static inline void cdev_iv(struct rte_crypto_op *op, const uint8_t *salt, uint32_t ssrc_raw,
			   uint64_t index)
{
	uint8_t *iv = rte_crypto_op_ctod_offset(op, uint8_t *, SRTP_CDEV_IV_OFFSET);
	uint64_t hi, idx = rte_cpu_to_be_64(index << 16);
	uint32_t s;

	memcpy(iv, salt, 16);
	memcpy(&s, iv + 4, 4);
	s ^= ssrc_raw;
	memcpy(iv + 4, &s, 4);
	memcpy(&hi, iv + 8, 8);
	hi ^= idx;
	memcpy(iv + 8, &hi, 8);
}

static inline void cdev_op(struct rte_crypto_op *op, void *sess, struct rte_mbuf *m,
			   uint32_t cipher_off, uint32_t cipher_len, uint32_t auth_off,
			   uint32_t auth_len, uint32_t digest_off)
{
	struct rte_crypto_sym_op *sym = op->sym;

	op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	rte_crypto_op_attach_sym_session(op, sess);
	sym->m_src = m;
	sym->m_dst = NULL;
	sym->cipher.data.offset = cipher_off;
	sym->cipher.data.length = cipher_len;
	sym->auth.data.offset = auth_off;
	sym->auth.data.length = auth_len;
	sym->auth.digest.data = rte_pktmbuf_mtod_offset(m, uint8_t *, digest_off);
	sym->auth.digest.phys_addr = rte_pktmbuf_iova_offset(m, digest_off);
}

/*
 * Group id of a context in this unprotect round (ids in order of first
 * appearance).  The context remembers its id; a stale one (from an earlier
 * round or burst) names a group that does not exist yet or is another
 * context's, so it is simply replaced.
 */
static inline uint8_t cdev_group(struct sbc_srtp *e, struct srtp_ctx_priv *c, uint8_t *n_groups)
{
	uint8_t g = c->cdev_group;

	if (g < *n_groups && e->group[g].ctx == c)
		return g;
	g = (*n_groups)++;
	c->cdev_group = g;
	e->group[g].ctx = c;
	e->group[g].last = -1;
	e->group[g].deferred = 0;
	return g;
}

/* Enqueue e->enq[0..n_ops) and wait until all came back.  Software devices
 * complete them within the dequeue calls. */
static void cdev_run_ops(struct sbc_srtp *e, uint16_t n_ops)
{
	uint16_t enq = 0, deq = 0;

	while (deq < n_ops) {
		if (enq < n_ops)
			enq += rte_cryptodev_enqueue_burst(e->dev_id, e->qp_id, e->enq + enq,
							   n_ops - enq);
		deq += rte_cryptodev_dequeue_burst(e->dev_id, e->qp_id, e->deq, n_ops - deq);
	}
}

static inline int16_t cdev_status(const struct rte_crypto_op *op)
{
	if (likely(op->status == RTE_CRYPTO_OP_STATUS_SUCCESS))
		return SBC_SRTP_OK;
	if (op->status == RTE_CRYPTO_OP_STATUS_AUTH_FAILED)
		return SBC_SRTP_AUTH;
	return SBC_SRTP_CRYPTO;
}

/*
 * Every burst starts with a pass over the packets alone (the mbuf checks
 * of srtp_pkt_precheck() and the headers), which prefetches each packet's
 * context (SRTCP state is in its second line): by the time the pass that
 * needs the contexts starts, they are on their way or in, instead of the
 * first ones stalling it.  pk->pre keeps the outcome, in the place
 * libsrtp2's order of checks gives it among the context checks (pre: before
 * the SSRC binding check; pre2: after it, SRTCP unprotect only).
 */
static inline void cdev_pass_mbuf(struct rte_mbuf *m, uint16_t tailroom,
				  struct srtp_cdev_pkt *pk, uint32_t *len)
{
	uint32_t off = srtp_pkt_off(m);

	if (m->nb_segs != 1 || off > m->data_len || rte_pktmbuf_tailroom(m) < tailroom) {
		pk->pre = SBC_SRTP_MALFORMED;
		*len = 0;
		return;
	}
	pk->pre = SBC_SRTP_OK;
	pk->off = (uint16_t)off;
	*len = m->data_len - off;
}

/* RTP header (protect and unprotect): its length, SSRC and sequence number;
 * pk->end holds the packet's length until the context gives the tag's. */
static inline void cdev_pass_rtp(struct rte_mbuf *m, struct sbc_srtp_ctx *ctx, uint16_t tailroom,
				 struct srtp_cdev_pkt *pk)
{
	const uint8_t *p;
	uint32_t len;
	int hl;

	rte_prefetch0(ctx);
	cdev_pass_mbuf(m, tailroom, pk, &len);
	if (pk->pre != SBC_SRTP_OK)
		return;
	p = rte_pktmbuf_mtod_offset(m, const uint8_t *, pk->off);
	hl = srtp_rtp_hdr_len(p, len);
	if (hl < 0) {
		pk->pre = SBC_SRTP_MALFORMED;
		return;
	}
	pk->hl = (uint16_t)hl;
	pk->end = (uint16_t)len;
	pk->ssrc = srtp_load_raw32(p + 8);
	pk->seq = (uint16_t)((uint32_t)p[2] << 8 | p[3]);
}

/* RTCP header; unprotect also the trailer (E flag and SRTCP index). */
static inline void cdev_pass_rtcp(struct rte_mbuf *m, struct sbc_srtp_ctx *ctx, bool unprotect,
				  struct srtp_cdev_pkt *pk)
{
	const uint8_t *p;
	uint32_t len, trailer;

	rte_prefetch0(ctx);
	rte_prefetch0((const char *)ctx + RTE_CACHE_LINE_SIZE);
	pk->pre2 = SBC_SRTP_OK;
	cdev_pass_mbuf(m, unprotect ? SBC_SRTP_UNPROTECT_TAILROOM : SBC_SRTP_PROTECT_TAILROOM,
		       pk, &len);
	if (pk->pre != SBC_SRTP_OK)
		return;
	p = rte_pktmbuf_mtod_offset(m, const uint8_t *, pk->off);
	pk->end = (uint16_t)len;
	if (len < SBC_SRTCP_HDR_LEN + (unprotect ? SBC_SRTCP_TRAILER_LEN : 0u)) {
		pk->pre = SBC_SRTP_MALFORMED;
		return;
	}
	pk->ssrc = srtp_load_raw32(p + 4);
	if (!unprotect)
		return;
	if (len < SBC_SRTCP_HDR_LEN + SBC_SRTCP_TRAILER_LEN + SBC_SRTCP_TAG_LEN) {
		pk->pre2 = SBC_SRTP_MALFORMED;
		return;
	}
	pk->end = (uint16_t)(len - SBC_SRTCP_TAG_LEN);
	trailer = srtp_load_be32(p + pk->end - SBC_SRTCP_TRAILER_LEN);
	/* Confidentiality is always on: a packet claiming otherwise cannot be
	 * checked (libsrtp2's cant_check). */
	if (!(trailer & SBC_SRTCP_E_BIT))
		pk->pre2 = SBC_SRTP_MALFORMED;
	pk->est = trailer & SBC_SRTCP_INDEX_MASK;
}

static inline bool cdev_ctx_ok(const struct sbc_srtp *e, const struct srtp_ctx_priv *c,
			       uint8_t dir)
{
	return c->engine == e && c->dir == dir;
}

/* RTP → SRTP framing of one packet; commits the index as libsrtp2 does. */
static inline int cdev_frame_rtp(struct sbc_srtp *e, uint16_t i, struct rte_mbuf *m,
				 struct srtp_ctx_priv *c, const struct srtp_cdev_pkt *pk)
{
	uint32_t off = pk->off, len = pk->end, hl = pk->hl, ssrc = pk->ssrc, roc;
	uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	bool fresh = false;
	uint64_t est;
	int32_t delta;
	int r, j;

	if (unlikely(ssrc != c->rtp_ssrc || !(c->flags & SRTP_CTX_RTP_STARTED))) {
		if ((c->flags & SRTP_CTX_SSRC_BOUND) && ssrc != c->rtp_ssrc)
			return SBC_SRTP_WRONG_SSRC;
		/* An SSRC seen before goes on with its own stream (its
		 * packets are checked against it below, as libsrtp2's stream
		 * of that SSRC would): starting it afresh would protect its
		 * indices a second time. */
		j = srtp_saved_find(c, false, ssrc);
		if (j >= 0) {
			srtp_stream_swap(c, false, j);
		} else if (srtp_saved_full(c, false)) {
			return SBC_SRTP_SSRC_LIMIT;
		} else {
			srtp_stream_park(c, false);
			est = ((uint64_t)c->roc_init << 16) | pk->seq;
			srtp_stream_start(c, ssrc, est);
			fresh = true;
		}
	}
	if (!fresh) {
		delta = srtp_index_estimate(c->rtp_index, pk->seq, &est);
		r = srtp_replay_check(c->rtp_window, delta);
		if (r != SBC_SRTP_OK)
			return r;
		srtp_replay_add(c, delta);
	}
	cdev_iv(e->ops[i], c->cdev.rtp_salt, ssrc, est);
	roc = rte_cpu_to_be_32((uint32_t)(est >> 16));
	memcpy(p + len, &roc, SBC_SRTP_ROC_LEN);
	/* The tag goes over the ROC: the device writes it once it has
	 * authenticated header || payload || ROC (an HMAC is output only after
	 * its whole input was read), so the packet needs no move afterwards.
	 * The first pass made sure of one segment and the tailroom. */
	m->data_len = (uint16_t)(m->data_len + c->tag_len);
	m->pkt_len += c->tag_len;
	cdev_op(e->ops[i], c->cdev.rtp_sess, m, off + hl, len - hl, off, len + SBC_SRTP_ROC_LEN,
		off + len);
	return SBC_SRTP_OK;
}

/* RTCP → SRTCP framing of one packet: E flag and the next SRTCP index. */
static inline int cdev_frame_rtcp(struct sbc_srtp *e, uint16_t i, struct rte_mbuf *m,
				  struct srtp_ctx_priv *c, const struct srtp_cdev_pkt *pk)
{
	uint32_t off = pk->off, len = pk->end, ssrc = pk->ssrc, trailer;
	uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
	int j;

	if (unlikely(ssrc != c->rtcp_ssrc || !(c->flags & SRTP_CTX_RTCP_STARTED))) {
		if (c->flags & SRTP_CTX_SSRC_BOUND)
			return SBC_SRTP_WRONG_SSRC;
		/* As for SRTP: an SSRC seen before goes on from its last index. */
		j = srtp_saved_find(c, true, ssrc);
		if (j >= 0) {
			srtp_stream_swap(c, true, j);
		} else if (srtp_saved_full(c, true)) {
			return SBC_SRTP_SSRC_LIMIT;
		} else {
			srtp_stream_park(c, true);
			srtcp_stream_start(c, ssrc);
		}
	}
	/* libsrtp2 numbers SRTCP packets from 1 and stops at 2^31 - 1. */
	if (c->rtcp_index >= SBC_SRTCP_INDEX_MASK)
		return SBC_SRTP_KEY_EXPIRED;
	c->rtcp_index++;
	cdev_iv(e->ops[i], c->cdev.rtcp_salt, ssrc, c->rtcp_index);
	trailer = rte_cpu_to_be_32(SBC_SRTCP_E_BIT | c->rtcp_index);
	memcpy(p + len, &trailer, SBC_SRTCP_TRAILER_LEN);
	m->data_len = (uint16_t)(m->data_len + SBC_SRTCP_TRAILER_LEN + SBC_SRTCP_TAG_LEN);
	m->pkt_len += SBC_SRTCP_TRAILER_LEN + SBC_SRTCP_TAG_LEN;
	cdev_op(e->ops[i], c->cdev.rtcp_sess, m, off + SBC_SRTCP_HDR_LEN, len - SBC_SRTCP_HDR_LEN,
		off, len + SBC_SRTCP_TRAILER_LEN, off + len + SBC_SRTCP_TRAILER_LEN);
	return SBC_SRTP_OK;
}

/*
 * Protect takes every decision before the crypto, as libsrtp2 does, and
 * its operations do not depend on each other: they go to the device in
 * packet order.
 */
static uint16_t cdev_protect(struct sbc_srtp *e, bool rtcp, struct rte_mbuf **pkts,
			     struct sbc_srtp_ctx **ctxs, uint16_t n, int16_t *result)
{
	uint16_t n_ops = 0, i, ok = 0;

	for (i = 0; i < n; i++) {
		if (rtcp)
			cdev_pass_rtcp(pkts[i], ctxs[i], false, &e->pkt[i]);
		else
			cdev_pass_rtp(pkts[i], ctxs[i], SBC_SRTP_PROTECT_TAILROOM, &e->pkt[i]);
	}
	for (i = 0; i < n; i++) {
		struct srtp_ctx_priv *c = srtp_ctx(ctxs[i]);
		struct srtp_cdev_pkt *pk = &e->pkt[i];
		int r;

		if (!cdev_ctx_ok(e, c, SBC_SRTP_PROTECT))
			r = SBC_SRTP_BAD_CTX;
		else if (pk->pre != SBC_SRTP_OK)
			r = pk->pre;
		else if (rtcp)
			r = cdev_frame_rtcp(e, i, pkts[i], c, pk);
		else
			r = cdev_frame_rtp(e, i, pkts[i], c, pk);
		result[i] = (int16_t)r;
		if (r != SBC_SRTP_OK)
			continue;
		sbc_srtp_cdev_prefetch_session(e, e->ops[i]->sym->session);
		e->enq[n_ops++] = e->ops[i];
	}
	cdev_run_ops(e, n_ops);
	for (i = 0; i < n; i++) {
		if (result[i] != SBC_SRTP_OK)
			continue;
		result[i] = cdev_status(e->ops[i]);
		ok += result[i] == SBC_SRTP_OK;
	}
	return ok;
}

/*
 * Unprotect's checks with the context, in libsrtp2's order so that a
 * packet wrong in two ways gets the same result from both engines.
 * Returns a final result, or OK with the packet ready for the rounds.
 */
static inline int cdev_check_unprotect(const struct sbc_srtp *e, bool rtcp,
				       const struct srtp_ctx_priv *c, struct srtp_cdev_pkt *pk)
{
	if (!cdev_ctx_ok(e, c, SBC_SRTP_UNPROTECT))
		return SBC_SRTP_BAD_CTX;
	if (pk->pre != SBC_SRTP_OK)
		return pk->pre;
	if ((c->flags & SRTP_CTX_SSRC_BOUND) && pk->ssrc != c->rtp_ssrc)
		return SBC_SRTP_WRONG_SSRC;
	pk->skip_result = SBC_SRTP_OK;
	if (rtcp)
		return pk->pre2;
	/* No room for the tag: libsrtp2 finds out after its replay check. */
	if ((uint32_t)pk->hl + c->tag_len > pk->end)
		pk->skip_result = SBC_SRTP_MALFORMED;
	else
		pk->end = (uint16_t)(pk->end - c->tag_len);
	return SBC_SRTP_OK;
}

/* Replay check of a packet of another SSRC than the current stream's
 * (cdev_check_other_ssrc()), at its round and again at its decision. */
static inline int cdev_replay_other_ssrc(const struct srtp_ctx_priv *c, bool rtcp,
					 const struct srtp_cdev_pkt *pk)
{
	if (pk->saved < 0)
		return SBC_SRTP_OK;     /* a new stream's first packet */
	if (rtcp)
		return srtcp_rdb_check(c->rtcp_saved[pk->saved].index,
				       c->rtcp_saved[pk->saved].window, (uint32_t)pk->est);
	return srtp_replay_check(c->rtp_saved[pk->saved].window, pk->delta);
}

/*
 * Unprotect, a packet whose SSRC is not the current stream's: its index
 * and replay check against that SSRC's saved stream (pk->saved), or, for
 * an SSRC without one (pk->saved -1), a new stream's first index -- or
 * SBC_SRTP_SSRC_LIMIT when the context keeps no more SSRCs.  Nothing
 * changes until it authenticated (cdev_unprotect() commits it); an earlier
 * packet of its context in the same round is of the current SSRC and
 * cannot change the saved streams, so the answer holds until then.
 */
static inline int cdev_check_other_ssrc(const struct srtp_ctx_priv *c, bool rtcp,
					struct srtp_cdev_pkt *pk)
{
	int j = srtp_saved_find(c, rtcp, pk->ssrc);

	pk->saved = (int8_t)j;
	if (j < 0 && srtp_saved_full(c, rtcp))
		return SBC_SRTP_SSRC_LIMIT;
	if (!rtcp && j >= 0)
		pk->delta = srtp_index_estimate(c->rtp_saved[j].index, pk->seq, &pk->est);
	else if (!rtcp)
		pk->est = ((uint64_t)c->roc_init << 16) | pk->seq;
	return cdev_replay_other_ssrc(c, rtcp, pk);
}

/* Is this packet's estimated index the same whichever earlier packets of
 * its context in this round turn out authentic? */
static inline bool cdev_estimate_stable(const struct sbc_srtp *e,
					const struct srtp_ctx_priv *c, int16_t k, uint16_t seq,
					uint64_t est)
{
	uint64_t other;

	/* The stream's index when this packet is decided is the current one
	 * or an earlier packet's that advanced it.  Indices are compared as
	 * libsrtp2 keeps them (index + delta, beyond 48 bits after a ROC
	 * wrap), estimates as it computes them. */
	for (; k >= 0; k = e->pkt[k].prev) {
		if (e->pkt[k].first || e->pkt[k].delta <= 0)
			continue;       /* could not become the stream's index */
		srtp_index_estimate(c->rtp_index + (uint64_t)e->pkt[k].delta, seq, &other);
		if (other != est)
			return false;
	}
	return true;
}

static inline void cdev_op_unprotect(struct sbc_srtp *e, bool rtcp, uint16_t i,
				     struct rte_mbuf *m, const struct srtp_ctx_priv *c)
{
	struct srtp_cdev_pkt *pk = &e->pkt[i];
	struct rte_crypto_op *op = e->ops[i];
	uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, pk->off);
	uint32_t off = pk->off, end = pk->end, roc;

	if (rtcp) {
		cdev_iv(op, c->cdev.rtcp_salt, pk->ssrc, pk->est);
		cdev_op(op, c->cdev.rtcp_sess, m, off + SBC_SRTCP_HDR_LEN,
			end - SBC_SRTCP_TRAILER_LEN - SBC_SRTCP_HDR_LEN, off, end, off + end);
		return;
	}
	cdev_iv(op, c->cdev.rtp_salt, pk->ssrc, pk->est);
	/* header || payload || ROC, then the received tag (the engine's 4
	 * bytes of tailroom): fixed-size moves, not a memmove call. */
	if (c->tag_len == 10) {
		uint8_t t[10];

		memcpy(t, p + end, 10);
		memcpy(p + end + SBC_SRTP_ROC_LEN, t, 10);
	} else {
		memcpy(p + end + SBC_SRTP_ROC_LEN, p + end, 4);
	}
	roc = rte_cpu_to_be_32((uint32_t)(pk->est >> 16));
	memcpy(p + end, &roc, SBC_SRTP_ROC_LEN);
	m->data_len = (uint16_t)(m->data_len + SBC_SRTP_ROC_LEN);
	m->pkt_len += SBC_SRTP_ROC_LEN;
	cdev_op(op, c->cdev.rtp_sess, m, off + pk->hl, end - pk->hl, off, end + SBC_SRTP_ROC_LEN,
		off + end + SBC_SRTP_ROC_LEN);
}

/* A packet's decision against the state the earlier packets of its context
 * in the round left; delta: where its index lies from the stream's. */
static inline int cdev_recheck(const struct sbc_srtp *e, bool rtcp, uint16_t i,
			       const struct srtp_ctx_priv *c, int32_t *delta)
{
	const struct srtp_cdev_pkt *pk = &e->pkt[i];
	uint64_t est;
	int r;

	if (pk->first) {
		/* No earlier packet of the round changed the saved streams. */
		r = cdev_replay_other_ssrc(c, rtcp, pk);
		*delta = pk->delta;
	} else if (rtcp) {
		r = srtcp_replay_check(c, (uint32_t)pk->est);
	} else {
		*delta = srtp_index_estimate(c->rtp_index, pk->seq, &est);
		r = est == pk->est ? srtp_replay_check(c->rtp_window, *delta) :
				     SBC_SRTP_CRYPTO;   /* cannot happen */
	}
	if (r == SBC_SRTP_OK)
		r = pk->skip_result;
	if (r == SBC_SRTP_OK)
		r = pk->state == PKT_OP ? cdev_status(e->ops[i]) : SBC_SRTP_CRYPTO;
	return r;
}

static uint16_t cdev_unprotect(struct sbc_srtp *e, bool rtcp, struct rte_mbuf **pkts,
			       struct sbc_srtp_ctx **ctxs, uint16_t n, int16_t *result)
{
	uint16_t n_ops, i, t, ok = 0;
	uint8_t next[SBC_SRTP_BURST_MAX], n_waiting = 0, n_next, n_groups;

	for (i = 0; i < n; i++) {
		if (rtcp)
			cdev_pass_rtcp(pkts[i], ctxs[i], true, &e->pkt[i]);
		else
			cdev_pass_rtp(pkts[i], ctxs[i], SBC_SRTP_UNPROTECT_TAILROOM, &e->pkt[i]);
	}
	for (i = 0; i < n; i++) {
		int r = cdev_check_unprotect(e, rtcp, srtp_ctx(ctxs[i]), &e->pkt[i]);

		result[i] = (int16_t)r;
		e->pkt[i].state = r == SBC_SRTP_OK ? PKT_WAIT : PKT_DONE;
		if (r == SBC_SRTP_OK)
			e->waiting[n_waiting++] = (uint8_t)i;
	}

	while (n_waiting > 0) {
		n_next = 0;
		n_ops = 0;
		n_groups = 0;
		for (t = 0; t < n_waiting; t++) {
			struct srtp_ctx_priv *c;
			struct srtp_cdev_group_state *gs;
			struct srtp_cdev_pkt *pk;
			uint64_t est;
			int32_t delta;
			int r;

			i = e->waiting[t];
			c = srtp_ctx(ctxs[i]);
			pk = &e->pkt[i];
			gs = &e->group[cdev_group(e, c, &n_groups)];
			if (gs->deferred) {
				next[n_next++] = (uint8_t)i;
				continue;
			}
			if (rtcp) {
				pk->first = pk->ssrc != c->rtcp_ssrc ||
					    !(c->flags & SRTP_CTX_RTCP_STARTED);
				r = pk->first ? cdev_check_other_ssrc(c, true, pk) :
						srtcp_replay_check(c, (uint32_t)pk->est);
			} else {
				pk->first = pk->ssrc != c->rtp_ssrc ||
					    !(c->flags & SRTP_CTX_RTP_STARTED);
				if (pk->first) {
					r = cdev_check_other_ssrc(c, false, pk);
				} else {
					delta = srtp_index_estimate(c->rtp_index, pk->seq, &est);
					if (!cdev_estimate_stable(e, c, gs->last, pk->seq, est)) {
						gs->deferred = 1;
						next[n_next++] = (uint8_t)i;
						continue;
					}
					pk->est = est;
					pk->delta = delta;
					r = srtp_replay_check(c->rtp_window, delta);
				}
			}
			/* Refused before any state is touched, whatever the
			 * earlier packets of the round turn out to be: they are
			 * of the current SSRC and add no SSRC. */
			if (r == SBC_SRTP_SSRC_LIMIT) {
				result[i] = (int16_t)r;
				pk->state = PKT_DONE;
				continue;
			}
			/* Another SSRC's packet: what it authenticates decides
			 * the stream the later ones are estimated in. */
			if (pk->first)
				gs->deferred = 1;
			pk->prev = gs->last;
			gs->last = (int16_t)i;
			/* Rejected now stays rejected (indices only advance and
			 * window bits only set), so no crypto for it. */
			if (r != SBC_SRTP_OK || pk->skip_result != SBC_SRTP_OK) {
				pk->state = PKT_ROUND;
				continue;
			}
			pk->state = PKT_OP;
			cdev_op_unprotect(e, rtcp, i, pkts[i], c);
			sbc_srtp_cdev_prefetch_session(e, e->ops[i]->sym->session);
			e->enq[n_ops++] = e->ops[i];
		}

		cdev_run_ops(e, n_ops);

		/* Decisions in packet order, against the state the earlier
		 * packets left, as libsrtp2 takes them. */
		for (t = 0; t < n_waiting; t++) {
			struct srtp_ctx_priv *c;
			struct srtp_cdev_pkt *pk;
			int32_t delta = 0;
			uint16_t trim;
			int r;

			i = e->waiting[t];
			pk = &e->pkt[i];
			if (pk->state != PKT_ROUND && pk->state != PKT_OP)
				continue;
			c = srtp_ctx(ctxs[i]);
			if (pk->prev < 0 && pk->state == PKT_OP) {
				/* No earlier packet of its context in this round:
				 * the state is still the one its checks saw. */
				delta = pk->delta;
				r = cdev_status(e->ops[i]);
			} else {
				r = cdev_recheck(e, rtcp, i, c, &delta);
			}
			pk->state = PKT_DONE;
			result[i] = (int16_t)r;
			if (r != SBC_SRTP_OK)
				continue;
			if (pk->first && pk->saved >= 0) {
				srtp_stream_swap(c, rtcp, pk->saved);
			} else if (pk->first) {
				srtp_stream_park(c, rtcp);
				if (rtcp)
					srtcp_stream_start(c, pk->ssrc);
				else
					srtp_stream_start(c, pk->ssrc, pk->est);
			}
			if (rtcp) {
				srtcp_replay_add(c, (uint32_t)pk->est);
				trim = SBC_SRTCP_TRAILER_LEN + SBC_SRTCP_TAG_LEN;
			} else {
				if (!pk->first || pk->saved >= 0)
					srtp_replay_add(c, delta);
				trim = (uint16_t)(SBC_SRTP_ROC_LEN + c->tag_len);
			}
			/* One segment, at least this long (first pass). */
			pkts[i]->data_len = (uint16_t)(pkts[i]->data_len - trim);
			pkts[i]->pkt_len -= trim;
			ok++;
		}
		/* Deferred packets keep their order. */
		memcpy(e->waiting, next, n_next);
		n_waiting = n_next;
	}
	return ok;
}

uint16_t sbc_srtp_cdev_burst(struct sbc_srtp *e, enum srtp_op op, struct rte_mbuf **pkts,
			     struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result)
{
	switch (op) {
	case SRTP_OP_PROTECT:
		return cdev_protect(e, false, pkts, ctx, n, result);
	case SRTCP_OP_PROTECT:
		return cdev_protect(e, true, pkts, ctx, n, result);
	case SRTP_OP_UNPROTECT:
		return cdev_unprotect(e, false, pkts, ctx, n, result);
	default:
		return cdev_unprotect(e, true, pkts, ctx, n, result);
	}
}

int sbc_srtp_cryptodev_keystream(struct sbc_srtp *e, const uint8_t key[16],
				 const uint8_t iv[16], uint8_t *out, size_t len)
{
	struct rte_crypto_sym_xform x;
	struct rte_crypto_op *op = e->ops[0], *done;
	struct rte_mempool *mp;
	struct rte_mbuf *m;
	void *sess;
	int rc = -EIO;

	if (e->kind != SBC_SRTP_ENGINE_CRYPTODEV || len == 0 || len > 2048)
		return -EINVAL;
	mp = rte_pktmbuf_pool_create("srtp_keystream", 7, 0, 0,
				     2048 + RTE_PKTMBUF_HEADROOM, e->socket_id);
	if (mp == NULL)
		return -ENOMEM;
	memset(&x, 0, sizeof(x));
	x.type = RTE_CRYPTO_SYM_XFORM_CIPHER;
	x.cipher.op = RTE_CRYPTO_CIPHER_OP_ENCRYPT;
	x.cipher.algo = RTE_CRYPTO_CIPHER_AES_CTR;
	x.cipher.key.data = key;
	x.cipher.key.length = 16;
	x.cipher.iv.offset = SRTP_CDEV_IV_OFFSET;
	x.cipher.iv.length = 16;
	sess = rte_cryptodev_sym_session_create(e->dev_id, &x, e->sess_pool);
	m = rte_pktmbuf_alloc(mp);
	if (sess == NULL || m == NULL)
		goto out;
	memset(rte_pktmbuf_append(m, (uint16_t)len), 0, len);
	op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	rte_crypto_op_attach_sym_session(op, sess);
	op->sym->m_src = m;
	op->sym->m_dst = NULL;
	op->sym->cipher.data.offset = 0;
	op->sym->cipher.data.length = (uint32_t)len;
	memcpy(rte_crypto_op_ctod_offset(op, uint8_t *, SRTP_CDEV_IV_OFFSET), iv, 16);
	if (rte_cryptodev_enqueue_burst(e->dev_id, e->qp_id, &op, 1) != 1)
		goto out;
	while (rte_cryptodev_dequeue_burst(e->dev_id, e->qp_id, &done, 1) == 0)
		;
	if (op->status == RTE_CRYPTO_OP_STATUS_SUCCESS) {
		memcpy(out, rte_pktmbuf_mtod(m, uint8_t *), len);
		rc = 0;
	}
out:
	rte_pktmbuf_free(m);
	if (sess != NULL)
		rte_cryptodev_sym_session_free(e->dev_id, sess);
	rte_mempool_free(mp);
	return rc;
}
