/* SPDX-License-Identifier: BSD-3-Clause
 * SRTP benchmark (not a test): one core, 172-byte RTP packets (12-byte
 * header + 160 bytes of G.711), 10,000 streams each with a protect and an
 * unprotect context, bursts of 32 packets of 32 different streams (a
 * multiplicative stride over the streams, as the relay benchmark does).
 * Every packet is protected, then the SRTP packet unprotected: one packet
 * counted = one protect + one unprotect, the "protect+unprotect"
 * figure.  Prints:
 *
 *   srtp engine=cryptodev Mpps_per_core=... cycles_per_pkt=...
 *        protect_cycles=... unprotect_cycles=... ratio_to_ceiling=...
 *        speedup_vs_libsrtp2=...
 *   srtp engine=libsrtp2 Mpps_per_core=... cycles_per_pkt=... ...
 *   srtp ceiling Mpps_per_core=... cycles_per_pkt=... encrypt_cycles=...
 *        decrypt_cycles=...
 *
 * The ceiling is the same crypto device in the same run doing only the
 * crypto of the same packets: AES-CTR + HMAC-SHA1 chained operations on
 * 172-byte buffers (cipher over the 160-byte payload, HMAC over 176 bytes,
 * 10-byte digest), encrypt+generate then verify+decrypt, bursts of 32, one
 * session pair (as dpdk-test-crypto-perf measures it).  A second ceiling
 * line spreads the same operations over one session pair per stream, which
 * is what the engine's sessions cost in caches.  Only the cycles of the
 * burst calls are counted (rdtsc around them); writing the RTP headers
 * happens outside.
 *
 * usage: bench_srtp [--streams N] [--packets N] [--libsrtp-packets N]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "srtp.h"

#define BURST    32
#define RTP_LEN  172
#define HDR_LEN  12
#define TAG_LEN  10
#define STRIDE   7919        /* coprime with the stream counts used */
#define IV_OFF   (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))

struct result {
	uint64_t packets;
	uint64_t protect_cycles;
	uint64_t unprotect_cycles;
	uint64_t failures;
};

static uint32_t n_streams = 10000;
static struct rte_mempool *mp;
static struct rte_mbuf *pkts[BURST];

static int eal_init(void)
{
	const char *huge = getenv("RAMPART_HUGEPAGES");
	char prefix[64];
	char *argv[] = {
		"bench_srtp", "-l", "0",
		(huge && huge[0] == '1') ? "--in-memory" : "--no-huge", "-m", "2048", "--no-pci",
		"--file-prefix", prefix, "--log-level", "lib.*:error", "--log-level", "pmd.*:error",
		NULL,
	};

	snprintf(prefix, sizeof(prefix), "rampart_bench_srtp_%d", (int)getpid());
	return rte_eal_init((int)RTE_DIM(argv) - 1, argv);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* What an RX path hands over: an RTP packet in a warm mbuf. */
static void fill(struct rte_mbuf *m, uint32_t stream, uint16_t seq)
{
	uint8_t *p;

	m->data_len = RTP_LEN;
	m->pkt_len = RTP_LEN;
	p = rte_pktmbuf_mtod(m, uint8_t *);
	p[0] = 0x80;
	p[1] = 0;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	put32(p + 4, (uint32_t)seq * 160u);
	put32(p + 8, 0x10000000u + stream);
}

static int run_engine(struct sbc_srtp *e, uint64_t packets, struct result *r)
{
	struct sbc_srtp_ctx *tx, *rx, *ctx_tx[BURST], *ctx_rx[BURST];
	struct sbc_srtp_params p;
	int16_t res[BURST];
	uint16_t *seq;
	uint64_t k = 0, t0, t1, t2, warm = n_streams;
	uint32_t i, s;
	int rc = -1;

	tx = rte_zmalloc("bench_tx", sizeof(*tx) * n_streams, RTE_CACHE_LINE_SIZE);
	rx = rte_zmalloc("bench_rx", sizeof(*rx) * n_streams, RTE_CACHE_LINE_SIZE);
	seq = calloc(n_streams, sizeof(*seq));
	if (tx == NULL || rx == NULL || seq == NULL)
		goto out;
	memset(&p, 0, sizeof(p));
	p.suite = SBC_SRTP_AES_CM_128_HMAC_SHA1_80;
	for (s = 0; s < n_streams; s++) {
		for (i = 0; i < SBC_SRTP_MASTER_KEY_LEN; i++)
			p.master_key[i] = (uint8_t)(s * 31 + i);
		for (i = 0; i < SBC_SRTP_MASTER_SALT_LEN; i++)
			p.master_salt[i] = (uint8_t)(s * 17 + i * 3);
		p.dir = SBC_SRTP_PROTECT;
		if (sbc_srtp_ctx_init(e, &tx[s], &p) != 0)
			goto out;
		p.dir = SBC_SRTP_UNPROTECT;
		if (sbc_srtp_ctx_init(e, &rx[s], &p) != 0)
			goto out;
		seq[s] = (uint16_t)(s * 13);
	}
	memset(r, 0, sizeof(*r));
	/* A first pass over every stream (not timed) starts their state. */
	while (r->packets < packets) {
		for (i = 0; i < BURST; i++, k++) {
			s = (uint32_t)((k * STRIDE) % n_streams);
			fill(pkts[i], s, seq[s]++);
			ctx_tx[i] = &tx[s];
			ctx_rx[i] = &rx[s];
		}
		t0 = rte_rdtsc_precise();
		if (sbc_srtp_protect_burst(e, pkts, ctx_tx, BURST, res) != BURST)
			r->failures += BURST;
		t1 = rte_rdtsc_precise();
		if (sbc_srtp_unprotect_burst(e, pkts, ctx_rx, BURST, res) != BURST)
			r->failures += BURST;
		t2 = rte_rdtsc_precise();
		if (k <= warm)
			continue;
		r->protect_cycles += t1 - t0;
		r->unprotect_cycles += t2 - t1;
		r->packets += BURST;
	}
	rc = 0;
out:
	/* Newest first: Debian's libsrtp2 (NSS) frees in time linear in the
	 * number of newer sessions, 2 minutes for 20,000 in creation order. */
	for (s = n_streams; tx != NULL && rx != NULL && s-- > 0;) {
		sbc_srtp_ctx_clear(e, &rx[s]);
		sbc_srtp_ctx_clear(e, &tx[s]);
	}
	rte_free(tx);
	rte_free(rx);
	free(seq);
	return rc;
}

/*
 * The device alone: chained AES-CTR + HMAC-SHA1 on the same 172-byte
 * packets, no SRTP framing.  n_sess session pairs, used in the same
 * scattered order as the engine's streams.
 */
static int run_ceiling(uint8_t dev, uint32_t n_sess, uint64_t packets, uint64_t *enc_cycles,
		       uint64_t *dec_cycles)
{
	struct rte_crypto_sym_xform c = { 0 }, a = { 0 };
	struct rte_crypto_op *ops[BURST], *done[BURST];
	struct rte_mempool *sp, *op_pool;
	void **enc, **dec;
	uint8_t key[20];
	uint64_t k = 0, n = 0, t0;
	uint32_t i, s;
	uint16_t got;
	int rc = -1;

	sp = rte_cryptodev_sym_session_pool_create("bench_ceil_s", 2 * n_sess, (uint32_t)
			rte_cryptodev_sym_get_private_session_size(dev), 0, 0, SOCKET_ID_ANY);
	op_pool = rte_crypto_op_pool_create("bench_ceil_o", RTE_CRYPTO_OP_TYPE_SYMMETRIC, 2 * BURST,
					    0, 16, SOCKET_ID_ANY);
	enc = calloc(n_sess, sizeof(*enc));
	dec = calloc(n_sess, sizeof(*dec));
	if (sp == NULL || op_pool == NULL || enc == NULL || dec == NULL ||
	    rte_crypto_op_bulk_alloc(op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, ops, BURST) != BURST)
		goto out;
	c.type = RTE_CRYPTO_SYM_XFORM_CIPHER;
	c.cipher.algo = RTE_CRYPTO_CIPHER_AES_CTR;
	c.cipher.key.data = key;
	c.cipher.key.length = 16;
	c.cipher.iv.offset = IV_OFF;
	c.cipher.iv.length = 16;
	a.type = RTE_CRYPTO_SYM_XFORM_AUTH;
	a.auth.algo = RTE_CRYPTO_AUTH_SHA1_HMAC;
	a.auth.key.data = key;
	a.auth.key.length = 20;
	a.auth.digest_length = TAG_LEN;
	for (s = 0; s < n_sess; s++) {
		for (i = 0; i < sizeof(key); i++)
			key[i] = (uint8_t)(s + i);
		c.cipher.op = RTE_CRYPTO_CIPHER_OP_ENCRYPT;
		a.auth.op = RTE_CRYPTO_AUTH_OP_GENERATE;
		c.next = &a;
		a.next = NULL;
		enc[s] = rte_cryptodev_sym_session_create(dev, &c, sp);
		c.cipher.op = RTE_CRYPTO_CIPHER_OP_DECRYPT;
		a.auth.op = RTE_CRYPTO_AUTH_OP_VERIFY;
		c.next = NULL;
		a.next = &c;
		dec[s] = rte_cryptodev_sym_session_create(dev, &a, sp);
		if (enc[s] == NULL || dec[s] == NULL)
			goto out;
	}
	*enc_cycles = 0;
	*dec_cycles = 0;
	while (n < packets + n_sess) {
		uint32_t sess[BURST];

		for (i = 0; i < BURST; i++, k++) {
			struct rte_crypto_sym_op *sym = ops[i]->sym;

			sess[i] = (uint32_t)((k * STRIDE) % n_sess);
			pkts[i]->data_len = RTP_LEN + 4 + TAG_LEN;
			pkts[i]->pkt_len = RTP_LEN + 4 + TAG_LEN;
			memset(rte_crypto_op_ctod_offset(ops[i], uint8_t *, IV_OFF), (int)k, 14);
			sym->m_src = pkts[i];
			sym->m_dst = NULL;
			sym->cipher.data.offset = HDR_LEN;
			sym->cipher.data.length = RTP_LEN - HDR_LEN;
			sym->auth.data.offset = 0;
			sym->auth.data.length = RTP_LEN + 4;
			sym->auth.digest.data = rte_pktmbuf_mtod_offset(pkts[i], uint8_t *, RTP_LEN + 4);
			sym->auth.digest.phys_addr = rte_pktmbuf_iova_offset(pkts[i], RTP_LEN + 4);
			rte_crypto_op_attach_sym_session(ops[i], enc[sess[i]]);
		}
		t0 = rte_rdtsc_precise();
		rte_cryptodev_enqueue_burst(dev, 0, ops, BURST);
		for (got = 0; got < BURST;)
			got += rte_cryptodev_dequeue_burst(dev, 0, done, BURST - got);
		if (n >= n_sess)
			*enc_cycles += rte_rdtsc_precise() - t0;
		for (i = 0; i < BURST; i++) {
			if (ops[i]->status != RTE_CRYPTO_OP_STATUS_SUCCESS)
				goto out;
			rte_crypto_op_attach_sym_session(ops[i], dec[sess[i]]);
		}
		t0 = rte_rdtsc_precise();
		rte_cryptodev_enqueue_burst(dev, 0, ops, BURST);
		for (got = 0; got < BURST;)
			got += rte_cryptodev_dequeue_burst(dev, 0, done, BURST - got);
		if (n >= n_sess)
			*dec_cycles += rte_rdtsc_precise() - t0;
		for (i = 0; i < BURST; i++)
			if (ops[i]->status != RTE_CRYPTO_OP_STATUS_SUCCESS)
				goto out;
		n += BURST;
	}
	rc = 0;
out:
	if (op_pool != NULL && rc == 0)
		rte_mempool_put_bulk(op_pool, (void **)ops, BURST);
	for (s = 0; enc != NULL && dec != NULL && s < n_sess; s++) {
		if (enc[s] != NULL)
			rte_cryptodev_sym_session_free(dev, enc[s]);
		if (dec[s] != NULL)
			rte_cryptodev_sym_session_free(dev, dec[s]);
	}
	free(enc);
	free(dec);
	rte_mempool_free(op_pool);
	rte_mempool_free(sp);
	return rc;
}

static double mpps(double hz, double cycles_per_pkt)
{
	return hz / cycles_per_pkt / 1e6;
}

int main(int argc, char **argv)
{
	uint64_t packets = 2000000, lib_packets = 3200, enc1, dec1, encn, decn;
	struct sbc_srtp_conf conf = { .socket_id = SOCKET_ID_ANY };
	struct sbc_srtp *cdev = NULL, *lib = NULL;
	struct result rc_cdev, rc_lib;
	struct rte_cryptodev_info info;
	double hz, c_cdev, c_lib, c_ceil, c_ceiln;
	int dev = -1, i, rc = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--streams") == 0 && i + 1 < argc)
			n_streams = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--packets") == 0 && i + 1 < argc)
			packets = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--libsrtp-packets") == 0 && i + 1 < argc)
			lib_packets = strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: bench_srtp [--streams N] [--packets N] "
				"[--libsrtp-packets N]\n");
			return 2;
		}
	}
	if (n_streams == 0 || n_streams % STRIDE == 0) {
		fprintf(stderr, "bench_srtp: bad stream count\n");
		return 2;
	}
	if (eal_init() < 0) {
		fprintf(stderr, "bench_srtp: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	hz = (double)rte_get_tsc_hz();
	mp = rte_pktmbuf_pool_create("bench_srtp", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	if (mp == NULL || rte_pktmbuf_alloc_bulk(mp, pkts, BURST) != 0) {
		fprintf(stderr, "bench_srtp: mbufs: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	dev = sbc_srtp_cryptodev_open("crypto_aesni_mb", 1, SOCKET_ID_ANY);
	if (dev < 0) {
		fprintf(stderr, "bench_srtp: crypto_aesni_mb unavailable (%d), "
			"falling back to crypto_openssl\n", dev);
		dev = sbc_srtp_cryptodev_open("crypto_openssl", 1, SOCKET_ID_ANY);
	}
	if (dev < 0) {
		fprintf(stderr, "bench_srtp: no crypto device (%d)\n", dev);
		goto out;
	}
	rte_cryptodev_info_get((uint8_t)dev, &info);
	conf.max_ctx = 2 * n_streams;
	conf.dev_id = (uint8_t)dev;
	conf.engine = SBC_SRTP_ENGINE_CRYPTODEV;
	cdev = sbc_srtp_create("bc", &conf);
	conf.engine = SBC_SRTP_ENGINE_LIBSRTP2;
	lib = sbc_srtp_create("bl", &conf);
	if (cdev == NULL || lib == NULL) {
		fprintf(stderr, "bench_srtp: engines: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	memset(&rc_lib, 0, sizeof(rc_lib));
	if (run_engine(cdev, packets, &rc_cdev) != 0 ||
	    (lib_packets > 0 && run_engine(lib, lib_packets, &rc_lib) != 0) ||
	    run_ceiling((uint8_t)dev, 1, packets, &enc1, &dec1) != 0 ||
	    run_ceiling((uint8_t)dev, n_streams, packets, &encn, &decn) != 0) {
		fprintf(stderr, "bench_srtp: a measurement failed\n");
		goto out;
	}
	c_cdev = (double)(rc_cdev.protect_cycles + rc_cdev.unprotect_cycles) / (double)rc_cdev.packets;
	c_ceil = (double)(enc1 + dec1) / (double)packets;
	c_ceiln = (double)(encn + decn) / (double)packets;
	c_lib = 0;
	if (rc_lib.packets > 0)
		c_lib = (double)(rc_lib.protect_cycles + rc_lib.unprotect_cycles) /
			(double)rc_lib.packets;
	printf("srtp engine=cryptodev Mpps_per_core=%.2f cycles_per_pkt=%.1f "
	       "protect_cycles=%.1f unprotect_cycles=%.1f ratio_to_ceiling=%.2f "
	       "speedup_vs_libsrtp2=%.1f device=%s streams=%u pkt_bytes=%d burst=%d "
	       "packets=%" PRIu64 " failures=%" PRIu64 "\n",
	       mpps(hz, c_cdev), c_cdev,
	       (double)rc_cdev.protect_cycles / (double)rc_cdev.packets,
	       (double)rc_cdev.unprotect_cycles / (double)rc_cdev.packets,
	       c_ceil / c_cdev, c_lib / c_cdev, info.driver_name, n_streams, RTP_LEN, BURST,
	       rc_cdev.packets, rc_cdev.failures);
	if (rc_lib.packets > 0)
		printf("srtp engine=libsrtp2 Mpps_per_core=%.3f cycles_per_pkt=%.1f "
		       "protect_cycles=%.1f unprotect_cycles=%.1f backend=\"%s\" streams=%u "
		       "packets=%" PRIu64 " failures=%" PRIu64 "\n",
		       mpps(hz, c_lib), c_lib,
		       (double)rc_lib.protect_cycles / (double)rc_lib.packets,
		       (double)rc_lib.unprotect_cycles / (double)rc_lib.packets,
		       sbc_srtp_backend(lib), n_streams, rc_lib.packets, rc_lib.failures);
	printf("srtp ceiling Mpps_per_core=%.2f cycles_per_pkt=%.1f encrypt_cycles=%.1f "
	       "decrypt_cycles=%.1f device=%s sessions=1 packets=%" PRIu64 "\n",
	       mpps(hz, c_ceil), c_ceil, (double)enc1 / (double)packets,
	       (double)dec1 / (double)packets, info.driver_name, packets);
	printf("srtp ceiling_per_stream_sessions Mpps_per_core=%.2f cycles_per_pkt=%.1f "
	       "encrypt_cycles=%.1f decrypt_cycles=%.1f device=%s sessions=%u\n",
	       mpps(hz, c_ceiln), c_ceiln, (double)encn / (double)packets,
	       (double)decn / (double)packets, info.driver_name, n_streams);
	rc = rc_cdev.failures || rc_lib.failures ? 1 : 0;
out:
	sbc_srtp_destroy(cdev);
	sbc_srtp_destroy(lib);
	sbc_srtp_cryptodev_close(dev);
	if (mp != NULL) {
		rte_pktmbuf_free_bulk(pkts, BURST);
		rte_mempool_free(mp);
	}
	sbc_dp_eal_cleanup();
	return rc;
}
