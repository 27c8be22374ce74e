/* SPDX-License-Identifier: BSD-3-Clause
 * The libsrtp2 engine: every packet through libsrtp2, one srtp_t per
 * context.  The reference engine and the test oracle of the cryptodev
 * engine, so it adds nothing to libsrtp2's decisions beyond the checks both
 * engines make first (srtp_pkt_precheck()).
 *
 * libsrtp2 allocates: in srtp_create() (control path) and, on a context
 * that learns its SSRC, once per new SSRC inside srtp_protect/unprotect --
 * at most SBC_SRTP_LEARNED_SSRC_MAX times per kind: the engine keeps the
 * set of SSRCs it gave libsrtp2 (struct srtp_ctx_priv, SSRCs only) and
 * refuses a further one as the cryptodev engine does.
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

/*
 * Learned context: does libsrtp2 look the packet's SSRC up, i.e. does it
 * pass the checks libsrtp2 makes before (and, SRTCP unprotect, the length
 * and E flag checks after, which the cryptodev engine makes first)?  Only
 * then does the SSRC limit apply, so that both engines give the same
 * result to a packet wrong in two ways.
 */
static bool lib_ssrc_looked_up(enum srtp_op op, const uint8_t *p, uint32_t len)
{
	switch (op) {
	case SRTP_OP_PROTECT:
	case SRTP_OP_UNPROTECT:
		return srtp_rtp_hdr_len(p, len) >= 0;
	case SRTCP_OP_PROTECT:
		return len >= SBC_SRTCP_HDR_LEN;
	default:
		return len >= SBC_SRTCP_HDR_LEN + SBC_SRTCP_TRAILER_LEN + SBC_SRTCP_TAG_LEN &&
		       (srtp_load_be32(p + len - SBC_SRTCP_TAG_LEN - SBC_SRTCP_TRAILER_LEN) &
			SBC_SRTCP_E_BIT);
	}
}

/* libsrtp2 has a stream for ssrc now: it becomes the current one of the
 * set (the cryptodev engine's order, though only the set matters here). */
static void lib_ssrc_learned(struct srtp_ctx_priv *c, bool rtcp, uint32_t ssrc)
{
	uint8_t started = rtcp ? SRTP_CTX_RTCP_STARTED : SRTP_CTX_RTP_STARTED;
	int j;

	if ((c->flags & started) && ssrc == (rtcp ? c->rtcp_ssrc : c->rtp_ssrc))
		return;
	j = srtp_saved_find(c, rtcp, ssrc);
	if (j >= 0) {
		srtp_stream_swap(c, rtcp, j);
		return;
	}
	srtp_stream_park(c, rtcp);
	if (rtcp)
		c->rtcp_ssrc = ssrc;
	else
		c->rtp_ssrc = ssrc;
	c->flags |= started;
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
		bool rtcp = op == SRTCP_OP_PROTECT || op == SRTCP_OP_UNPROTECT, learn = false;
		srtp_err_status_t st;
		uint32_t off, len, ssrc = 0;
		uint8_t *p;
		int l;

		if (i + 1 < n)
			rte_prefetch0(srtp_ctx(ctx[i + 1]));
		result[i] = (int16_t)srtp_pkt_precheck(e, m, c, dir, tailroom, &off, &len);
		if (result[i] != SBC_SRTP_OK)
			continue;
		p = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
		l = (int)len;
		if (!(c->flags & SRTP_CTX_SSRC_BOUND) && lib_ssrc_looked_up(op, p, len)) {
			ssrc = srtp_load_raw32(p + (rtcp ? 4 : 8));
			if (srtp_saved_find(c, rtcp, ssrc) < 0 &&
			    ssrc != (rtcp ? c->rtcp_ssrc : c->rtp_ssrc) && srtp_saved_full(c, rtcp)) {
				result[i] = SBC_SRTP_SSRC_LIMIT;
				continue;
			}
			learn = true;
		}
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
		/* libsrtp2 made a stream for a new SSRC: protect once past the
		 * header checks, unprotect once the packet authenticated. */
		if (learn && (protect || result[i] == SBC_SRTP_OK))
			lib_ssrc_learned(c, rtcp, ssrc);
		if (result[i] != SBC_SRTP_OK)
			continue;
		/* Tailroom was checked: neither call can fail. */
		if ((uint32_t)l > len)
			rte_pktmbuf_append(m, (uint16_t)((uint32_t)l - len));
		else
			rte_pktmbuf_trim(m, (uint16_t)(len - (uint32_t)l));
		/* Only for sbc_srtp_ctx_roc(): the stream libsrtp2 keeps (a
		 * learned context's current SSRC is set above). */
		if (!rtcp && (c->flags & SRTP_CTX_SSRC_BOUND))
			c->flags |= SRTP_CTX_RTP_STARTED;
		ok++;
	}
	return ok;
}
