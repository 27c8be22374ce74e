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
 *        decrypt_cycles=... sessions=1
 *   srtp ceiling_per_stream_sessions ... sessions=10000 prefetch=none
 *   srtp ceiling_per_stream_sessions ... sessions=10000 prefetch=engine
 *
 * The ceiling is the same crypto device in the same run doing only the
 * crypto of the same packets: AES-CTR + HMAC-SHA1 chained operations on
 * 172-byte buffers (cipher over the 160-byte payload, HMAC over 176 bytes,
 * 10-byte digest), encrypt+generate then verify+decrypt, bursts of 32, one
 * session pair (as dpdk-test-crypto-perf measures it), every operation
 * reset to "not processed" as the engine does (crypto_aesni_mb skips the
 * digest copy and the tag compare of an operation whose status says
 * otherwise).  ratio_to_ceiling is this ceiling's cycles over the engine's:
 * with one session the device's keys stay cached, while the engine has a
 * session pair per stream (20,000 objects of 1.5 KB) and its contexts, so
 * the ratio counts the engine's framing and its memory traffic together.
 * The engine and this ceiling take turns, BENCH_SLICE bursts each, so that
 * both see the same machine; ratio_to_ceiling_turn_median is the median of
 * the ratios of the turns (the ceiling's turn over the engine's before it),
 * which a burst of load from other processes moves less than the ratio of
 * the totals.  The two last lines spread the ceiling's
 * operations over one session pair per stream, the engine's session mix:
 * as they come (prefetch=none), and with the session lines the engine
 * prefetches for the device prefetched for the whole burst before it is
 * enqueued (prefetch=engine; no framing work hides that latency).  Only the
 * cycles of the burst calls are counted (rdtsc around them); writing the
 * RTP headers and the ceiling's operations happens outside.
 *
 * usage: bench_srtp [--streams N] [--packets N] [--libsrtp-packets N] [--quick]
 *                   [--only cryptodev|libsrtp2|ceiling]
 * --quick measures only the cryptodev engine and the one-session ceiling;
 * --only runs one measurement (for a profiler) and prints its lines alone.
 */
#include <inttypes.h>
#include <stdbool.h>
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
#include "srtp_priv.h"     /* sbc_srtp_cdev_prefetch_session() */

#define BURST    32
#define RTP_LEN  172
#define HDR_LEN  12
#define TAG_LEN  10
#define STRIDE   7919        /* coprime with the stream counts used */
#define IV_OFF   (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))
#define BENCH_SLICE 64       /* bursts per turn when measurements take turns */

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

/* One engine over every stream, measured a slice at a time. */
struct engine_bench {
	struct sbc_srtp *e;
	struct sbc_srtp_ctx *tx, *rx;
	uint16_t *seq;
	uint64_t k;
	struct result r;
};

static void engine_bursts(struct engine_bench *b, uint64_t bursts, bool timed)
{
	struct sbc_srtp_ctx *ctx_tx[BURST], *ctx_rx[BURST];
	int16_t res[BURST];
	uint64_t t0, t1, t2;
	uint32_t i, s;

	while (bursts-- > 0) {
		for (i = 0; i < BURST; i++, b->k++) {
			s = (uint32_t)((b->k * STRIDE) % n_streams);
			fill(pkts[i], s, b->seq[s]++);
			ctx_tx[i] = &b->tx[s];
			ctx_rx[i] = &b->rx[s];
		}
		t0 = rte_rdtsc_precise();
		if (sbc_srtp_protect_burst(b->e, pkts, ctx_tx, BURST, res) != BURST)
			b->r.failures += BURST;
		t1 = rte_rdtsc_precise();
		if (sbc_srtp_unprotect_burst(b->e, pkts, ctx_rx, BURST, res) != BURST)
			b->r.failures += BURST;
		t2 = rte_rdtsc_precise();
		if (!timed)
			continue;
		b->r.protect_cycles += t1 - t0;
		b->r.unprotect_cycles += t2 - t1;
		b->r.packets += BURST;
	}
}

static void engine_teardown(struct engine_bench *b)
{
	uint32_t s;

	/* Newest first: Debian's libsrtp2 (NSS) frees in time linear in the
	 * number of newer sessions, 2 minutes for 20,000 in creation order. */
	for (s = n_streams; b->tx != NULL && b->rx != NULL && s-- > 0;) {
		sbc_srtp_ctx_clear(b->e, &b->rx[s]);
		sbc_srtp_ctx_clear(b->e, &b->tx[s]);
	}
	rte_free(b->tx);
	rte_free(b->rx);
	free(b->seq);
	b->tx = NULL;
	b->rx = NULL;
	b->seq = NULL;
}

/* Contexts for every stream, then a first pass over every stream (not
 * timed) that starts their state. */
static int engine_setup(struct engine_bench *b, struct sbc_srtp *e)
{
	struct sbc_srtp_params p;
	uint32_t i, s;

	memset(b, 0, sizeof(*b));
	b->e = e;
	b->tx = rte_zmalloc("bench_tx", sizeof(*b->tx) * n_streams, RTE_CACHE_LINE_SIZE);
	b->rx = rte_zmalloc("bench_rx", sizeof(*b->rx) * n_streams, RTE_CACHE_LINE_SIZE);
	b->seq = calloc(n_streams, sizeof(*b->seq));
	if (b->tx == NULL || b->rx == NULL || b->seq == NULL)
		goto err;
	memset(&p, 0, sizeof(p));
	p.suite = SBC_SRTP_AES_CM_128_HMAC_SHA1_80;
	for (s = 0; s < n_streams; s++) {
		for (i = 0; i < SBC_SRTP_MASTER_KEY_LEN; i++)
			p.master_key[i] = (uint8_t)(s * 31 + i);
		for (i = 0; i < SBC_SRTP_MASTER_SALT_LEN; i++)
			p.master_salt[i] = (uint8_t)(s * 17 + i * 3);
		p.dir = SBC_SRTP_PROTECT;
		if (sbc_srtp_ctx_init(e, &b->tx[s], &p) != 0)
			goto err;
		p.dir = SBC_SRTP_UNPROTECT;
		if (sbc_srtp_ctx_init(e, &b->rx[s], &p) != 0)
			goto err;
		b->seq[s] = (uint16_t)(s * 13);
	}
	engine_bursts(b, n_streams / BURST + 1, false);
	return 0;
err:
	engine_teardown(b);
	return -1;
}

/*
 * The device alone: chained AES-CTR + HMAC-SHA1 on the same 172-byte
 * packets, no SRTP framing.  n_sess session pairs, used in the same
 * scattered order as the engine's streams.  With `prefetch`, the session
 * lines the engine prefetches for the device are prefetched for the whole
 * burst (inside the timed part) before it is enqueued.
 */
struct ceiling_bench {
	uint8_t dev;
	uint32_t n_sess;
	const struct sbc_srtp *prefetch;  /* engine whose session prefetch to use, or NULL */
	struct rte_mempool *sp, *op_pool;
	void **enc, **dec;
	struct rte_crypto_op *ops[BURST];
	bool have_ops;
	uint64_t k, packets, enc_cycles, dec_cycles, failures;
};

static void ceiling_run(struct ceiling_bench *b, void **sess, const uint32_t *idx,
			uint64_t *cycles)
{
	struct rte_crypto_op *done[BURST];
	uint64_t t0;
	uint32_t i;
	uint16_t got, put;

	for (i = 0; i < BURST; i++) {
		/* As every user must: a status left at SUCCESS makes
		 * crypto_aesni_mb skip its post-processing (the digest copy
		 * on generate, the tag compare on verify). */
		b->ops[i]->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
		rte_crypto_op_attach_sym_session(b->ops[i], sess[idx[i]]);
	}
	t0 = rte_rdtsc_precise();
	if (b->prefetch != NULL)
		for (i = 0; i < BURST; i++)
			sbc_srtp_cdev_prefetch_session(b->prefetch, sess[idx[i]]);
	for (put = 0, got = 0; got < BURST;) {
		if (put < BURST)
			put += rte_cryptodev_enqueue_burst(b->dev, 0, b->ops + put, BURST - put);
		got += rte_cryptodev_dequeue_burst(b->dev, 0, done, BURST - got);
	}
	*cycles += rte_rdtsc_precise() - t0;
	for (i = 0; i < BURST; i++)
		if (b->ops[i]->status != RTE_CRYPTO_OP_STATUS_SUCCESS)
			b->failures++;
}

static void ceiling_bursts(struct ceiling_bench *b, uint64_t bursts, bool timed)
{
	uint64_t enc = 0, dec = 0;
	uint32_t i, idx[BURST];

	while (bursts-- > 0) {
		for (i = 0; i < BURST; i++, b->k++) {
			struct rte_crypto_sym_op *sym = b->ops[i]->sym;

			idx[i] = (uint32_t)((b->k * STRIDE) % b->n_sess);
			pkts[i]->data_len = RTP_LEN + 4 + TAG_LEN;
			pkts[i]->pkt_len = RTP_LEN + 4 + TAG_LEN;
			memset(rte_crypto_op_ctod_offset(b->ops[i], uint8_t *, IV_OFF), (int)b->k, 14);
			sym->m_src = pkts[i];
			sym->m_dst = NULL;
			sym->cipher.data.offset = HDR_LEN;
			sym->cipher.data.length = RTP_LEN - HDR_LEN;
			sym->auth.data.offset = 0;
			sym->auth.data.length = RTP_LEN + 4;
			sym->auth.digest.data = rte_pktmbuf_mtod_offset(pkts[i], uint8_t *, RTP_LEN + 4);
			sym->auth.digest.phys_addr = rte_pktmbuf_iova_offset(pkts[i], RTP_LEN + 4);
		}
		ceiling_run(b, b->enc, idx, &enc);
		ceiling_run(b, b->dec, idx, &dec);
		if (!timed)
			continue;
		b->enc_cycles += enc;
		b->dec_cycles += dec;
		b->packets += BURST;
		enc = 0;
		dec = 0;
	}
}

static void ceiling_teardown(struct ceiling_bench *b)
{
	uint32_t s;

	if (b->have_ops)
		rte_mempool_put_bulk(b->op_pool, (void **)b->ops, BURST);
	for (s = 0; b->enc != NULL && b->dec != NULL && s < b->n_sess; s++) {
		if (b->enc[s] != NULL)
			rte_cryptodev_sym_session_free(b->dev, b->enc[s]);
		if (b->dec[s] != NULL)
			rte_cryptodev_sym_session_free(b->dev, b->dec[s]);
	}
	free(b->enc);
	free(b->dec);
	rte_mempool_free(b->op_pool);
	rte_mempool_free(b->sp);
	b->have_ops = false;
	b->enc = NULL;
	b->dec = NULL;
	b->op_pool = NULL;
	b->sp = NULL;
}

static int ceiling_setup(struct ceiling_bench *b, const char *name, uint8_t dev, uint32_t n_sess,
			 const struct sbc_srtp *prefetch)
{
	struct rte_crypto_sym_xform c = { 0 }, a = { 0 };
	char pname[RTE_MEMPOOL_NAMESIZE];
	uint8_t key[20];
	uint32_t i, s;

	memset(b, 0, sizeof(*b));
	b->dev = dev;
	b->n_sess = n_sess;
	b->prefetch = prefetch;
	snprintf(pname, sizeof(pname), "bench_%s_s", name);
	b->sp = rte_cryptodev_sym_session_pool_create(pname, 2 * n_sess, (uint32_t)
			rte_cryptodev_sym_get_private_session_size(dev), 0, 0, SOCKET_ID_ANY);
	snprintf(pname, sizeof(pname), "bench_%s_o", name);
	b->op_pool = rte_crypto_op_pool_create(pname, RTE_CRYPTO_OP_TYPE_SYMMETRIC, 2 * BURST,
					       0, 16, SOCKET_ID_ANY);
	b->enc = calloc(n_sess, sizeof(*b->enc));
	b->dec = calloc(n_sess, sizeof(*b->dec));
	if (b->sp == NULL || b->op_pool == NULL || b->enc == NULL || b->dec == NULL ||
	    rte_crypto_op_bulk_alloc(b->op_pool, RTE_CRYPTO_OP_TYPE_SYMMETRIC, b->ops,
				     BURST) != BURST)
		goto err;
	b->have_ops = true;
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
		b->enc[s] = rte_cryptodev_sym_session_create(dev, &c, b->sp);
		c.cipher.op = RTE_CRYPTO_CIPHER_OP_DECRYPT;
		a.auth.op = RTE_CRYPTO_AUTH_OP_VERIFY;
		c.next = NULL;
		a.next = &c;
		b->dec[s] = rte_cryptodev_sym_session_create(dev, &a, b->sp);
		if (b->enc[s] == NULL || b->dec[s] == NULL)
			goto err;
	}
	ceiling_bursts(b, n_sess / BURST + 1, false);
	return b->failures == 0 ? 0 : -1;
err:
	ceiling_teardown(b);
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double mpps(double hz, double cycles_per_pkt)
{
	return hz / cycles_per_pkt / 1e6;
}

int main(int argc, char **argv)
{
	uint64_t packets = 2000000, lib_packets = 3200, bursts, done, slice;
	struct sbc_srtp_conf conf = { .socket_id = SOCKET_ID_ANY };
	struct sbc_srtp *cdev = NULL, *lib = NULL;
	struct engine_bench eb_cdev, eb_lib;
	struct ceiling_bench c1, cn, cp;
	struct rte_cryptodev_info info;
	double hz, c_cdev, c_lib, c_ceil, c_ceiln, c_ceilp, *turns = NULL;
	size_t n_turns = 0;
	bool do_cdev = true, do_lib = true, do_ceil = true, do_ceil_n = true;
	int dev = -1, i, rc = 1;

	memset(&eb_cdev, 0, sizeof(eb_cdev));
	memset(&eb_lib, 0, sizeof(eb_lib));
	memset(&c1, 0, sizeof(c1));
	memset(&cn, 0, sizeof(cn));
	memset(&cp, 0, sizeof(cp));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--streams") == 0 && i + 1 < argc)
			n_streams = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--packets") == 0 && i + 1 < argc)
			packets = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--libsrtp-packets") == 0 && i + 1 < argc)
			lib_packets = strtoull(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--quick") == 0)
			do_lib = do_ceil_n = false;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc &&
			 (strcmp(argv[i + 1], "cryptodev") == 0 ||
			  strcmp(argv[i + 1], "libsrtp2") == 0 ||
			  strcmp(argv[i + 1], "ceiling") == 0)) {
			i++;
			do_cdev = strcmp(argv[i], "cryptodev") == 0;
			do_lib = strcmp(argv[i], "libsrtp2") == 0;
			do_ceil = strcmp(argv[i], "ceiling") == 0;
		} else {
			fprintf(stderr, "usage: bench_srtp [--streams N] [--packets N] "
				"[--libsrtp-packets N] [--quick] "
				"[--only cryptodev|libsrtp2|ceiling]\n");
			return 2;
		}
	}
	if (n_streams == 0 || n_streams % STRIDE == 0 || packets < BURST) {
		fprintf(stderr, "bench_srtp: bad stream or packet count\n");
		return 2;
	}
	if (lib_packets == 0)
		do_lib = false;
	bursts = packets / BURST;
	packets = bursts * BURST;
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
	/* Also for the ceilings: its session prefetch feeds one of them. */
	cdev = sbc_srtp_create("bc", &conf);
	conf.engine = SBC_SRTP_ENGINE_LIBSRTP2;
	if (do_lib)
		lib = sbc_srtp_create("bl", &conf);
	if (cdev == NULL || (do_lib && lib == NULL)) {
		fprintf(stderr, "bench_srtp: engines: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	if ((do_cdev && engine_setup(&eb_cdev, cdev) != 0) ||
	    (do_ceil && ceiling_setup(&c1, "c1", (uint8_t)dev, 1, NULL) != 0)) {
		fprintf(stderr, "bench_srtp: setup failed\n");
		goto out;
	}
	/*
	 * The engine and the one-session ceiling take turns, a slice of
	 * bursts each, so that both see the same machine (other processes,
	 * frequency) and their ratio holds even when the figures move.  The
	 * ceiling's few lines stay cached either way.  The per-stream ceilings
	 * follow on their own: each has 20,000 sessions of its own, and taking
	 * turns with them would evict the engine's.
	 */
	turns = calloc(bursts / BENCH_SLICE + 1, sizeof(*turns));
	if (turns == NULL)
		goto out;
	for (done = 0; done < bursts; done += slice) {
		uint64_t e0 = eb_cdev.r.protect_cycles + eb_cdev.r.unprotect_cycles;
		uint64_t c0 = c1.enc_cycles + c1.dec_cycles, de, dc;

		slice = RTE_MIN(bursts - done, (uint64_t)BENCH_SLICE);
		if (do_cdev)
			engine_bursts(&eb_cdev, slice, true);
		if (do_ceil)
			ceiling_bursts(&c1, slice, true);
		de = eb_cdev.r.protect_cycles + eb_cdev.r.unprotect_cycles - e0;
		dc = c1.enc_cycles + c1.dec_cycles - c0;
		if (de > 0 && dc > 0)
			turns[n_turns++] = (double)dc / (double)de;
	}
	qsort(turns, n_turns, sizeof(*turns), cmp_double);
	engine_teardown(&eb_cdev);
	if (do_ceil && do_ceil_n) {
		if (ceiling_setup(&cn, "cn", (uint8_t)dev, n_streams, NULL) != 0) {
			fprintf(stderr, "bench_srtp: setup failed\n");
			goto out;
		}
		ceiling_bursts(&cn, bursts, true);
		ceiling_teardown(&cn);
		if (ceiling_setup(&cp, "cp", (uint8_t)dev, n_streams, cdev) != 0) {
			fprintf(stderr, "bench_srtp: setup failed\n");
			goto out;
		}
		ceiling_bursts(&cp, bursts, true);
	}
	if (do_lib) {
		if (engine_setup(&eb_lib, lib) != 0) {
			fprintf(stderr, "bench_srtp: setup failed\n");
			goto out;
		}
		engine_bursts(&eb_lib, (lib_packets + BURST - 1) / BURST, true);
	}
	c_cdev = eb_cdev.r.packets > 0 ? (double)(eb_cdev.r.protect_cycles +
			eb_cdev.r.unprotect_cycles) / (double)eb_cdev.r.packets : 0;
	c_lib = eb_lib.r.packets > 0 ? (double)(eb_lib.r.protect_cycles +
			eb_lib.r.unprotect_cycles) / (double)eb_lib.r.packets : 0;
	c_ceil = c1.packets > 0 ? (double)(c1.enc_cycles + c1.dec_cycles) / (double)c1.packets : 0;
	c_ceiln = cn.packets > 0 ? (double)(cn.enc_cycles + cn.dec_cycles) / (double)cn.packets : 0;
	c_ceilp = cp.packets > 0 ? (double)(cp.enc_cycles + cp.dec_cycles) / (double)cp.packets : 0;
	if (do_cdev)
		printf("srtp engine=cryptodev Mpps_per_core=%.2f cycles_per_pkt=%.1f "
		       "protect_cycles=%.1f unprotect_cycles=%.1f ratio_to_ceiling=%.2f "
		       "ratio_to_ceiling_turn_median=%.2f "
		       "speedup_vs_libsrtp2=%.1f device=%s streams=%u pkt_bytes=%d burst=%d "
		       "packets=%" PRIu64 " failures=%" PRIu64 "\n",
		       mpps(hz, c_cdev), c_cdev,
		       (double)eb_cdev.r.protect_cycles / (double)eb_cdev.r.packets,
		       (double)eb_cdev.r.unprotect_cycles / (double)eb_cdev.r.packets,
		       c_ceil / c_cdev, n_turns > 0 ? turns[n_turns / 2] : 0.0, c_lib / c_cdev,
		       info.driver_name,
		       n_streams, RTP_LEN, BURST, eb_cdev.r.packets, eb_cdev.r.failures);
	if (do_lib)
		printf("srtp engine=libsrtp2 Mpps_per_core=%.3f cycles_per_pkt=%.1f "
		       "protect_cycles=%.1f unprotect_cycles=%.1f backend=\"%s\" streams=%u "
		       "packets=%" PRIu64 " failures=%" PRIu64 "\n",
		       mpps(hz, c_lib), c_lib,
		       (double)eb_lib.r.protect_cycles / (double)eb_lib.r.packets,
		       (double)eb_lib.r.unprotect_cycles / (double)eb_lib.r.packets,
		       sbc_srtp_backend(lib), n_streams, eb_lib.r.packets, eb_lib.r.failures);
	if (do_ceil) {
		printf("srtp ceiling Mpps_per_core=%.2f cycles_per_pkt=%.1f encrypt_cycles=%.1f "
		       "decrypt_cycles=%.1f device=%s sessions=1 packets=%" PRIu64 "\n",
		       mpps(hz, c_ceil), c_ceil, (double)c1.enc_cycles / (double)c1.packets,
		       (double)c1.dec_cycles / (double)c1.packets, info.driver_name, c1.packets);
	}
	if (do_ceil && do_ceil_n) {
		printf("srtp ceiling_per_stream_sessions Mpps_per_core=%.2f cycles_per_pkt=%.1f "
		       "encrypt_cycles=%.1f decrypt_cycles=%.1f device=%s sessions=%u "
		       "prefetch=none\n",
		       mpps(hz, c_ceiln), c_ceiln, (double)cn.enc_cycles / (double)cn.packets,
		       (double)cn.dec_cycles / (double)cn.packets, info.driver_name, n_streams);
		printf("srtp ceiling_per_stream_sessions Mpps_per_core=%.2f cycles_per_pkt=%.1f "
		       "encrypt_cycles=%.1f decrypt_cycles=%.1f device=%s sessions=%u "
		       "prefetch=engine\n",
		       mpps(hz, c_ceilp), c_ceilp, (double)cp.enc_cycles / (double)cp.packets,
		       (double)cp.dec_cycles / (double)cp.packets, info.driver_name, n_streams);
	}
	rc = eb_cdev.r.failures || eb_lib.r.failures || c1.failures || cn.failures ||
	     cp.failures ? 1 : 0;
out:
	free(turns);
	engine_teardown(&eb_cdev);
	engine_teardown(&eb_lib);
	ceiling_teardown(&c1);
	ceiling_teardown(&cn);
	ceiling_teardown(&cp);
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
