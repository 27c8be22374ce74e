/* SPDX-License-Identifier: BSD-3-Clause
 * SRTP: what both engines share (result names, key derivation, engine and
 * context life cycle) and the burst entry points, which hand chunks of at
 * most SBC_SRTP_BURST_MAX packets to the engine.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "sbc_log.h"
#include "srtp.h"
#include "srtp_priv.h"

static const char *const result_names[SBC_SRTP_RESULT_COUNT] = {
#define SBC_SRTP_X_NAME(name, str) [SBC_SRTP_##name] = str,
	SBC_SRTP_RESULTS(SBC_SRTP_X_NAME)
#undef SBC_SRTP_X_NAME
};

const char *sbc_srtp_result_name(int result)
{
	if (result < 0 || result >= SBC_SRTP_RESULT_COUNT)
		return "unknown";
	return result_names[result];
}

int sbc_srtp_aes_cm(const uint8_t key[16], const uint8_t iv[16], uint8_t *out, size_t len)
{
	uint8_t ctr[16], block[16];
	EVP_CIPHER_CTX *x;
	size_t done = 0;
	int outl, i, rc = -EIO;

	x = EVP_CIPHER_CTX_new();
	if (x == NULL)
		return -ENOMEM;
	if (EVP_EncryptInit_ex(x, EVP_aes_128_ecb(), NULL, key, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(x, 0) != 1)
		goto out;
	memcpy(ctr, iv, sizeof(ctr));
	while (done < len) {
		size_t take = len - done < 16 ? len - done : 16;

		if (EVP_EncryptUpdate(x, block, &outl, ctr, 16) != 1 || outl != 16)
			goto out;
		memcpy(out + done, block, take);
		done += take;
		/* The counter block is one 128-bit big-endian number. */
		for (i = 15; i >= 0 && ++ctr[i] == 0; i--)
			;
	}
	rc = 0;
out:
	EVP_CIPHER_CTX_free(x);
	explicit_bzero(block, sizeof(block));
	return rc;
}

int sbc_srtp_kdf(const uint8_t key[SBC_SRTP_MASTER_KEY_LEN],
		 const uint8_t salt[SBC_SRTP_MASTER_SALT_LEN], uint8_t label,
		 uint8_t *out, size_t len)
{
	uint8_t iv[16] = { 0 };

	/* x = key_id XOR master salt, key_id = label || index DIV kdr (48 bits,
	 * zero with KDR 0), right-aligned in the 112-bit salt; IV = x * 2^16. */
	memcpy(iv, salt, SBC_SRTP_MASTER_SALT_LEN);
	iv[7] ^= label;
	return sbc_srtp_aes_cm(key, iv, out, len);
}

int sbc_srtp_derive(const struct sbc_srtp_params *p, struct srtp_session_keys *k)
{
	if (sbc_srtp_kdf(p->master_key, p->master_salt, SRTP_LABEL_RTP_ENC, k->rtp_enc, 16) ||
	    sbc_srtp_kdf(p->master_key, p->master_salt, SRTP_LABEL_RTP_AUTH, k->rtp_auth,
			 SBC_SRTP_AUTH_KEY_LEN) ||
	    sbc_srtp_kdf(p->master_key, p->master_salt, SRTP_LABEL_RTP_SALT, k->rtp_salt,
			 SBC_SRTP_SALT_LEN) ||
	    sbc_srtp_kdf(p->master_key, p->master_salt, SRTP_LABEL_RTCP_ENC, k->rtcp_enc, 16) ||
	    sbc_srtp_kdf(p->master_key, p->master_salt, SRTP_LABEL_RTCP_AUTH, k->rtcp_auth,
			 SBC_SRTP_AUTH_KEY_LEN) ||
	    sbc_srtp_kdf(p->master_key, p->master_salt, SRTP_LABEL_RTCP_SALT, k->rtcp_salt,
			 SBC_SRTP_SALT_LEN)) {
		explicit_bzero(k, sizeof(*k));
		return -EIO;
	}
	return 0;
}

struct sbc_srtp *sbc_srtp_create(const char *name, const struct sbc_srtp_conf *conf)
{
	struct sbc_srtp *e;
	int rc;

	if (name == NULL || conf == NULL || conf->max_ctx == 0 ||
	    (conf->engine != SBC_SRTP_ENGINE_LIBSRTP2 && conf->engine != SBC_SRTP_ENGINE_CRYPTODEV)) {
		rte_errno = EINVAL;
		return NULL;
	}
	e = rte_zmalloc_socket("sbc_srtp_engine", sizeof(*e), RTE_CACHE_LINE_SIZE,
			       conf->socket_id);
	if (e == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	e->kind = conf->engine;
	e->socket_id = conf->socket_id;
	e->max_ctx = conf->max_ctx;
	e->dev_id = conf->dev_id;
	e->qp_id = conf->qp_id;
	if (e->kind == SBC_SRTP_ENGINE_LIBSRTP2)
		rc = sbc_srtp_lib_engine_init(e);
	else
		rc = sbc_srtp_cdev_engine_init(e, name);
	if (rc < 0) {
		SBC_LOG(ERR, "srtp", "engine %s: %s", name, strerror(-rc));
		rte_free(e);
		rte_errno = -rc;
		return NULL;
	}
	return e;
}

void sbc_srtp_destroy(struct sbc_srtp *e)
{
	if (e == NULL)
		return;
	if (e->n_ctx != 0)
		SBC_LOG(WARN, "srtp", "engine destroyed with %u contexts", e->n_ctx);
	if (e->kind == SBC_SRTP_ENGINE_LIBSRTP2)
		sbc_srtp_lib_engine_fini(e);
	else
		sbc_srtp_cdev_engine_fini(e);
	rte_free(e);
}

const char *sbc_srtp_backend(const struct sbc_srtp *e)
{
	return e->backend;
}

int sbc_srtp_ctx_init(struct sbc_srtp *e, struct sbc_srtp_ctx *ctx,
		      const struct sbc_srtp_params *p)
{
	struct srtp_ctx_priv *c;
	int rc;

	if (e == NULL || ctx == NULL || p == NULL)
		return -EINVAL;
	if (p->suite != SBC_SRTP_AES_CM_128_HMAC_SHA1_80 &&
	    p->suite != SBC_SRTP_AES_CM_128_HMAC_SHA1_32)
		return -EINVAL;
	if (p->dir != SBC_SRTP_PROTECT && p->dir != SBC_SRTP_UNPROTECT)
		return -EINVAL;
	/* Without an SSRC there is no stream to carry a ROC until the first
	 * packet, and SDES streams start at 0 anyway. */
	if (!p->ssrc_bound && p->roc != 0)
		return -EINVAL;
	c = srtp_ctx(ctx);
	if (c->engine != NULL)
		return -EBUSY;
	if (e->n_ctx >= e->max_ctx)
		return -ENOSPC;
	memset(ctx, 0, sizeof(*ctx));
	c->dir = (uint8_t)p->dir;
	c->tag_len = p->suite == SBC_SRTP_AES_CM_128_HMAC_SHA1_80 ? 10 : 4;
	c->roc_init = p->roc;
	if (p->ssrc_bound) {
		c->flags = SRTP_CTX_SSRC_BOUND;
		c->rtp_ssrc = rte_cpu_to_be_32(p->ssrc);
		/* A bound SRTCP stream exists from the start (libsrtp2 creates
		 * it with an empty replay database). */
		srtcp_stream_start(c, c->rtp_ssrc);
	}
	if (e->kind == SBC_SRTP_ENGINE_LIBSRTP2)
		rc = sbc_srtp_lib_ctx_init(e, c, p);
	else
		rc = sbc_srtp_cdev_ctx_init(e, c, p);
	if (rc < 0) {
		explicit_bzero(ctx, sizeof(*ctx));
		return rc;
	}
	c->engine = e;
	e->n_ctx++;
	return 0;
}

void sbc_srtp_ctx_clear(struct sbc_srtp *e, struct sbc_srtp_ctx *ctx)
{
	struct srtp_ctx_priv *c;

	if (ctx == NULL)
		return;
	c = srtp_ctx(ctx);
	if (c->engine == NULL || c->engine != e)
		return;
	if (e->kind == SBC_SRTP_ENGINE_LIBSRTP2)
		sbc_srtp_lib_ctx_clear(c);
	else
		sbc_srtp_cdev_ctx_clear(e, c);
	e->n_ctx--;
	explicit_bzero(ctx, sizeof(*ctx));
}

int sbc_srtp_ctx_roc(struct sbc_srtp *e, const struct sbc_srtp_ctx *ctx, uint32_t *roc)
{
	const struct srtp_ctx_priv *c = srtp_ctx_const(ctx);

	if (c->engine != e)
		return -EINVAL;
	if (!(c->flags & SRTP_CTX_RTP_STARTED))
		return -ENOENT;
	if (e->kind == SBC_SRTP_ENGINE_LIBSRTP2)
		return sbc_srtp_lib_roc(c, roc);
	*roc = (uint32_t)(c->rtp_index >> 16);
	return 0;
}

static uint16_t srtp_burst(struct sbc_srtp *e, enum srtp_op op, struct rte_mbuf **pkts,
			   struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result)
{
	uint16_t done = 0, ok = 0, k;

	while (done < n) {
		k = n - done < SBC_SRTP_BURST_MAX ? n - done : SBC_SRTP_BURST_MAX;
		if (e->kind == SBC_SRTP_ENGINE_CRYPTODEV)
			ok += sbc_srtp_cdev_burst(e, op, pkts + done, ctx + done, k, result + done);
		else
			ok += sbc_srtp_lib_burst(e, op, pkts + done, ctx + done, k, result + done);
		done += k;
	}
	return ok;
}

uint16_t sbc_srtp_protect_burst(struct sbc_srtp *e, struct rte_mbuf **pkts,
				struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result)
{
	return srtp_burst(e, SRTP_OP_PROTECT, pkts, ctx, n, result);
}

uint16_t sbc_srtp_unprotect_burst(struct sbc_srtp *e, struct rte_mbuf **pkts,
				  struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result)
{
	return srtp_burst(e, SRTP_OP_UNPROTECT, pkts, ctx, n, result);
}

uint16_t sbc_srtp_protect_rtcp_burst(struct sbc_srtp *e, struct rte_mbuf **pkts,
				     struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result)
{
	return srtp_burst(e, SRTCP_OP_PROTECT, pkts, ctx, n, result);
}

uint16_t sbc_srtp_unprotect_rtcp_burst(struct sbc_srtp *e, struct rte_mbuf **pkts,
				       struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result)
{
	return srtp_burst(e, SRTCP_OP_UNPROTECT, pkts, ctx, n, result);
}
