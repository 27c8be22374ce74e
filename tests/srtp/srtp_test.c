/* SPDX-License-Identifier: BSD-3-Clause
 * Shared SRTP test setup; see srtp_test.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "dp.h"
#include "srtp_test.h"

int st_setup(struct st_env *env, const char *prog, uint32_t max_ctx, unsigned int n_mbufs)
{
	char prefix[64];
	char *eal_args[] = {
		(char *)prog, "--no-huge", "-m", "512", "--no-pci", "--no-shconf",
		"--log-level=lib.*:error", "--log-level=pmd.*:error",
		"--file-prefix", prefix, NULL,
	};
	struct sbc_srtp_conf conf = {
		.socket_id = SOCKET_ID_ANY,
		.max_ctx = max_ctx,
		.qp_id = 0,
	};

	memset(env, 0, sizeof(*env));
	env->dev_id = -1;
	/* Own runtime directory: parallel test programs never share one. */
	snprintf(prefix, sizeof(prefix), "rampart_%s_%d", prog, (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal_args) - 1, eal_args) < 0) {
		fprintf(stderr, "%s: rte_eal_init: %s\n", prog, rte_strerror(rte_errno));
		return -1;
	}
	env->eal_up = true;
	/* SBC_SRTP_CRYPTODEV=crypto_openssl tests the fallback device. */
	env->driver = getenv("SBC_SRTP_CRYPTODEV");
	if (env->driver == NULL)
		env->driver = "crypto_aesni_mb";
	env->dev_id = sbc_srtp_cryptodev_open(env->driver, 1, SOCKET_ID_ANY);
	if (env->dev_id < 0) {
		printf("%s: %s unavailable (%d): falling back to crypto_openssl\n",
		       prog, env->driver, env->dev_id);
		env->dev_id = sbc_srtp_cryptodev_open("crypto_openssl", 1, SOCKET_ID_ANY);
		env->driver = "crypto_openssl";
	}
	if (env->dev_id < 0) {
		fprintf(stderr, "%s: no crypto device (%d)\n", prog, env->dev_id);
		return -1;
	}
	printf("%s: cryptodev engine on %s\n", prog, env->driver);
	conf.dev_id = (uint8_t)env->dev_id;
	conf.engine = SBC_SRTP_ENGINE_CRYPTODEV;
	env->engine[ST_CDEV] = sbc_srtp_create("tc", &conf);
	conf.engine = SBC_SRTP_ENGINE_LIBSRTP2;
	env->engine[ST_LIB] = sbc_srtp_create("tl", &conf);
	if (env->engine[ST_CDEV] == NULL || env->engine[ST_LIB] == NULL) {
		fprintf(stderr, "%s: engine: %s\n", prog, rte_strerror(rte_errno));
		return -1;
	}
	env->mp = rte_pktmbuf_pool_create("st_pool", n_mbufs, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	if (env->mp == NULL) {
		fprintf(stderr, "%s: mbuf pool: %s\n", prog, rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

void st_teardown(struct st_env *env)
{
	if (!env->eal_up)
		return;
	sbc_srtp_destroy(env->engine[ST_CDEV]);
	sbc_srtp_destroy(env->engine[ST_LIB]);
	rte_mempool_free(env->mp);
	sbc_srtp_cryptodev_close(env->dev_id);
	sbc_dp_eal_cleanup();
}

struct rte_mbuf *st_mbuf(struct rte_mempool *mp, const uint8_t *bytes, uint32_t len,
			 uint16_t off)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(off + len));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0xee, off);
	memcpy(p + off, bytes, len);
	m->l2_len = off;
	return m;
}

const uint8_t *st_bytes(const struct rte_mbuf *m, uint32_t *len)
{
	uint32_t off = (uint32_t)m->l2_len + m->l3_len + m->l4_len;

	*len = m->data_len - off;
	return rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
}

uint64_t st_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * UINT64_C(2685821657736338717);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint32_t st_rtp(uint8_t *buf, uint16_t seq, uint32_t ts, uint32_t ssrc, uint8_t cc,
		int ext_words, uint32_t payload_len, uint64_t seed)
{
	uint64_t r = seed | 1;
	uint32_t o = 12, i;

	buf[0] = (uint8_t)(0x80 | (ext_words >= 0 ? 0x10 : 0) | (cc & 0x0f));
	buf[1] = 0;   /* PCMU */
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	put32(buf + 4, ts);
	put32(buf + 8, ssrc);
	for (i = 0; i < cc; i++, o += 4)
		put32(buf + o, 0x1000 + i);
	if (ext_words >= 0) {
		buf[o] = 0xbe;
		buf[o + 1] = 0xde;
		buf[o + 2] = (uint8_t)(ext_words >> 8);
		buf[o + 3] = (uint8_t)ext_words;
		o += 4;
		for (i = 0; i < (uint32_t)ext_words; i++, o += 4)
			put32(buf + o, 0x22000000u + i);
	}
	for (i = 0; i < payload_len; i++)
		buf[o + i] = (uint8_t)(st_rand(&r) >> 56);
	return o + payload_len;
}

uint32_t st_rtcp(uint8_t *buf, uint32_t ssrc, uint32_t words, uint64_t seed)
{
	uint64_t r = seed | 1;
	uint32_t i;

	buf[0] = 0x80;
	buf[1] = 200;   /* SR */
	buf[2] = (uint8_t)((words + 1) >> 8);
	buf[3] = (uint8_t)(words + 1);
	put32(buf + 4, ssrc);
	for (i = 0; i < words; i++)
		put32(buf + 8 + 4 * i, (uint32_t)(st_rand(&r) >> 32));
	return 8 + 4 * words;
}
