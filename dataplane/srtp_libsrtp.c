/* SPDX-License-Identifier: BSD-3-Clause
 * The libsrtp2 engine: every packet through libsrtp2, one srtp_t per
 * context.  The reference engine and the test oracle of the cryptodev
 * engine, so it adds nothing to libsrtp2's decisions beyond the checks both
 * engines make first (srtp_pkt_precheck()).
 *
 * libsrtp2 allocates: in srtp_create() (control path) and, on a context
 * that learns its SSRC, once per new SSRC inside srtp_protect/unprotect.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <srtp2/srtp.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "srtp_priv.h"

/* libsrtp2's crypto kernel is process-wide: initialised with the first
 * engine, shut down with the last.  Engines are created and destroyed on the
 * main lcore only, so a plain counter suffices. */
static unsigned int lib_engines;

int sbc_srtp_lib_engine_init(struct sbc_srtp *e)
{
	if (lib_engines == 0 && srtp_init() != srtp_err_status_ok)
		return -EIO;
	lib_engines++;
	snprintf(e->backend, sizeof(e->backend), "%s", srtp_get_version_string());
	return 0;
}

void sbc_srtp_lib_engine_fini(struct sbc_srtp *e)
{
	RTE_SET_USED(e);
	if (lib_engines > 0 && --lib_engines == 0)
		srtp_shutdown();
}

int sbc_srtp_lib_ctx_init(struct sbc_srtp *e, struct srtp_ctx_priv *c,
			  const struct sbc_srtp_params *p)
{
	uint8_t key[SBC_SRTP_MASTER_KEY_LEN + SBC_SRTP_MASTER_SALT_LEN];
	srtp_policy_t pol;
	srtp_t s = NULL;
	srtp_err_status_t st;

	RTE_SET_USED(e);
	memset(&pol, 0, sizeof(pol));
	if (p->suite == SBC_SRTP_AES_CM_128_HMAC_SHA1_80)
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	else
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
	/* SRTCP keeps the 80-bit tag with either suite (RFC 4568 6.2.1). */
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	if (p->ssrc_bound) {
		pol.ssrc.type = ssrc_specific;
		pol.ssrc.value = p->ssrc;
	} else {
		pol.ssrc.type = p->dir == SBC_SRTP_PROTECT ? ssrc_any_outbound : ssrc_any_inbound;
	}
	memcpy(key, p->master_key, SBC_SRTP_MASTER_KEY_LEN);
	memcpy(key + SBC_SRTP_MASTER_KEY_LEN, p->master_salt, SBC_SRTP_MASTER_SALT_LEN);
	pol.key = key;
	pol.window_size = SBC_SRTP_REPLAY_WINDOW;
	/* Never encrypt two packets under one index (keystream reuse). */
	pol.allow_repeat_tx = 0;
	st = srtp_create(&s, &pol);
	explicit_bzero(key, sizeof(key));
	if (st != srtp_err_status_ok)
		return st == srtp_err_status_alloc_fail ? -ENOMEM : -EIO;
	if (p->ssrc_bound && p->roc != 0 &&
	    srtp_set_stream_roc(s, p->ssrc, p->roc) != srtp_err_status_ok) {
		srtp_dealloc(s);
		return -EIO;
	}
	c->lib.session = s;
	return 0;
}

void sbc_srtp_lib_ctx_clear(struct srtp_ctx_priv *c)
{
	if (c->lib.session != NULL)
		srtp_dealloc(c->lib.session);
	c->lib.session = NULL;
}

int sbc_srtp_lib_roc(const struct srtp_ctx_priv *c, uint32_t *roc)
{
	if (srtp_get_stream_roc(c->lib.session, rte_be_to_cpu_32(c->rtp_ssrc), roc) !=
	    srtp_err_status_ok)
		return -ENOENT;
	return 0;
}

static int16_t lib_result(srtp_err_status_t st)
{
	switch (st) {
	case srtp_err_status_ok:
		return SBC_SRTP_OK;
	case srtp_err_status_auth_fail:
		return SBC_SRTP_AUTH;
	case srtp_err_status_replay_fail:
		return SBC_SRTP_REPLAY;
	case srtp_err_status_replay_old:
	case srtp_err_status_pkt_idx_old:
		return SBC_SRTP_TOO_OLD;
	case srtp_err_status_bad_param:
	case srtp_err_status_parse_err:
	case srtp_err_status_cant_check:
		return SBC_SRTP_MALFORMED;
	case srtp_err_status_no_ctx:
		return SBC_SRTP_WRONG_SSRC;
	case srtp_err_status_key_expired:
		return SBC_SRTP_KEY_EXPIRED;
	default:
		return SBC_SRTP_CRYPTO;
	}
}

uint16_t sbc_srtp_lib_burst(struct sbc_srtp *e, enum srtp_op op, struct rte_mbuf **pkts,
			    struct sbc_srtp_ctx **ctx, uint16_t n, int16_t *result)
{
	bool protect = op == SRTP_OP_PROTECT || op == SRTCP_OP_PROTECT;
	uint8_t dir = protect ? SBC_SRTP_PROTECT : SBC_SRTP_UNPROTECT;
	uint16_t tailroom = protect ? SBC_SRTP_PROTECT_TAILROOM : SBC_SRTP_UNPROTECT_TAILROOM;
	uint16_t i, ok = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct srtp_ctx_priv *c = srtp_ctx(ctx[i]);
		srtp_err_status_t st;
		uint32_t off, len;
		uint8_t *p;
		int l;

		if (i + 1 < n)
			rte_prefetch0(srtp_ctx(ctx[i + 1]));
		result[i] = (int16_t)srtp_pkt_precheck(e, m, c, dir, tailroom, &off, &len);
		if (result[i] != SBC_SRTP_OK)
			continue;
		p = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
		l = (int)len;
		switch (op) {
		case SRTP_OP_PROTECT:
			st = srtp_protect(c->lib.session, p, &l);
			break;
		case SRTP_OP_UNPROTECT:
			st = srtp_unprotect(c->lib.session, p, &l);
			break;
		case SRTCP_OP_PROTECT:
			st = srtp_protect_rtcp(c->lib.session, p, &l);
			break;
		default:
			st = srtp_unprotect_rtcp(c->lib.session, p, &l);
			break;
		}
		result[i] = lib_result(st);
		if (result[i] != SBC_SRTP_OK)
			continue;
		/* Tailroom was checked: neither call can fail. */
		if ((uint32_t)l > len)
			rte_pktmbuf_append(m, (uint16_t)((uint32_t)l - len));
		else
			rte_pktmbuf_trim(m, (uint16_t)(len - (uint32_t)l));
		if (op == SRTP_OP_PROTECT || op == SRTP_OP_UNPROTECT) {
			/* Only for sbc_srtp_ctx_roc(): the stream libsrtp2 keeps. */
			c->rtp_ssrc = srtp_load_raw32(p + 8);
			c->flags |= SRTP_CTX_RTP_STARTED;
		}
		ok++;
	}
	return ok;
}
