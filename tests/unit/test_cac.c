/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/cac.c: the calls-per-minute token bucket
 * with injected time (exact admit/refuse sequences, refill, Retry-After),
 * the concurrent-call counter, a trunk's admission with emergency calls
 * exempt, and the per-source request-rate table (threshold, sliding
 * estimate, block period, table full, IPv6 prefixes).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cunit_run.h"

#include "cac.h"

/* ------------------------------------------------------------------ */
/* Token bucket                                                        */

static void test_bucket_200cpm_burst(void)
{
	struct sbc_cac_bucket b;
	uint32_t retry = 99;

	CU_ASSERT_EQUAL_FATAL(sbc_cac_bucket_init(&b, 200, 10, 0), 0);
	CU_ASSERT_EQUAL(sbc_cac_bucket_available(&b, 0), 10);
	for (int i = 0; i < 10; i++)
		CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 0, &retry));
	CU_ASSERT_EQUAL(retry, 0);
	/* Empty: the next token comes 300 ms later (60000 / 200). */
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 0, &retry));
	CU_ASSERT_EQUAL(retry, 1);
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 299, &retry));
	CU_ASSERT_EQUAL(retry, 1);
	CU_ASSERT_EQUAL(sbc_cac_bucket_available(&b, 299), 0);
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 300, &retry));
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 300, NULL));
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 599, NULL));
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 600, NULL));
}

/* A caller trying every millisecond gets exactly the rate, no more. */
static void test_bucket_exact_rate(void)
{
	struct sbc_cac_bucket b;
	unsigned int admitted = 0, first = 0, last = 0;

	CU_ASSERT_EQUAL_FATAL(sbc_cac_bucket_init(&b, 200, 10, 0), 0);
	for (int i = 0; i < 10; i++)
		CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 0, NULL));
	for (uint64_t t = 1; t <= 60000; t++) {
		if (sbc_cac_bucket_take(&b, t, NULL)) {
			if (admitted++ == 0)
				first = (unsigned int)t;
			last = (unsigned int)t;
		}
	}
	CU_ASSERT_EQUAL(admitted, 200);
	CU_ASSERT_EQUAL(first, 300);
	CU_ASSERT_EQUAL(last, 60000);

	/* 7 CPM does not divide a minute: 8571.43 ms per call, still exact. */
	CU_ASSERT_EQUAL_FATAL(sbc_cac_bucket_init(&b, 7, 1, 0), 0);
	admitted = 0;
	for (uint64_t t = 0; t < 600000; t++)
		admitted += sbc_cac_bucket_take(&b, t, NULL);
	/* One in the bucket, then 7 a minute for 10 minutes less 1 ms. */
	CU_ASSERT_EQUAL(admitted, 1 + 69);
}

static void test_bucket_retry_after(void)
{
	struct sbc_cac_bucket b;
	uint32_t retry = 0;

	CU_ASSERT_EQUAL_FATAL(sbc_cac_bucket_init(&b, 1, 1, 0), 0);
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 0, &retry));
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 0, &retry));
	CU_ASSERT_EQUAL(retry, 60);
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 1, &retry));
	CU_ASSERT_EQUAL(retry, 60);           /* 59.999 s, rounded up */
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 58999, &retry));
	CU_ASSERT_EQUAL(retry, 2);            /* 1.001 s */
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 59000, &retry));
	CU_ASSERT_EQUAL(retry, 1);            /* 1.000 s */
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 59999, &retry));
	CU_ASSERT_EQUAL(retry, 1);            /* 1 ms, never 0 */
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 60000, &retry));

	CU_ASSERT_EQUAL_FATAL(sbc_cac_bucket_init(&b, 7, 1, 0), 0);
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 0, NULL));
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 0, &retry));
	CU_ASSERT_EQUAL(retry, 9);            /* ceil(60000 / 7) = 8572 ms */
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 8571, &retry));
	CU_ASSERT_EQUAL(retry, 1);
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 8572, NULL));
}

static void test_bucket_refill_cap_and_clock(void)
{
	struct sbc_cac_bucket b;

	CU_ASSERT_EQUAL_FATAL(sbc_cac_bucket_init(&b, 200, 10, 0), 0);
	for (int i = 0; i < 10; i++)
		CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 0, NULL));
	/* A long idle fills to the burst, no further. */
	CU_ASSERT_EQUAL(sbc_cac_bucket_available(&b, 3600000), 10);
	CU_ASSERT_EQUAL(sbc_cac_bucket_available(&b, UINT64_MAX / 2), 10);

	/* The largest rate and burst after the longest idle: no wrap. */
	CU_ASSERT_EQUAL_FATAL(sbc_cac_bucket_init(&b, 1000000, 1000000, 0), 0);
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 0, NULL));
	CU_ASSERT_EQUAL(sbc_cac_bucket_available(&b, UINT64_MAX), 1000000);

	/* A clock going back adds nothing, and is not counted twice later. */
	CU_ASSERT_EQUAL_FATAL(sbc_cac_bucket_init(&b, 200, 1, 1000), 0);
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 1000, NULL));
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 500, NULL));
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 1299, NULL));
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 1300, NULL));
}

static void test_bucket_reload_and_bounds(void)
{
	struct sbc_cac_bucket b;

	CU_ASSERT_EQUAL(sbc_cac_bucket_init(&b, 0, 10, 0), -EINVAL);
	CU_ASSERT_EQUAL(sbc_cac_bucket_init(&b, 200, 0, 0), -EINVAL);
	CU_ASSERT_EQUAL(sbc_cac_bucket_init(&b, 1000001, 10, 0), -EINVAL);
	CU_ASSERT_EQUAL(sbc_cac_bucket_init(&b, 200, 1000001, 0), -EINVAL);

	CU_ASSERT_EQUAL_FATAL(sbc_cac_bucket_init(&b, 200, 10, 0), 0);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 0, NULL));
	/* Reload to 60 CPM, burst 2: the 5 left are capped to 2. */
	CU_ASSERT_EQUAL(sbc_cac_bucket_set(&b, 60, 2, 0), 0);
	CU_ASSERT_EQUAL(sbc_cac_bucket_available(&b, 0), 2);
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 0, NULL));
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 0, NULL));
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 999, NULL));
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 1000, NULL));
	/* A refused reload leaves the bucket as it was. */
	CU_ASSERT_EQUAL(sbc_cac_bucket_set(&b, 0, 2, 1000), -EINVAL);
	CU_ASSERT_FALSE(sbc_cac_bucket_take(&b, 1999, NULL));
	CU_ASSERT_TRUE(sbc_cac_bucket_take(&b, 2000, NULL));
	/* Tokens earned before a reload count at the old rate. */
	CU_ASSERT_EQUAL(sbc_cac_bucket_set(&b, 1, 10, 5000), 0);
	/* 3 s at 60 CPM is 3 calls, capped at the old burst of 2. */
	CU_ASSERT_EQUAL(sbc_cac_bucket_available(&b, 5000), 2);
}

/* ------------------------------------------------------------------ */
/* Concurrent calls                                                    */

static void test_calls(void)
{
	struct sbc_cac_calls c;

	sbc_cac_calls_init(&c, 2);
	CU_ASSERT_TRUE(sbc_cac_calls_acquire(&c, false));
	CU_ASSERT_TRUE(sbc_cac_calls_acquire(&c, false));
	CU_ASSERT_FALSE(sbc_cac_calls_acquire(&c, false));
	CU_ASSERT_EQUAL(sbc_cac_calls_active(&c), 2);
	CU_ASSERT_TRUE(sbc_cac_calls_acquire(&c, true));     /* forced: emergency */
	CU_ASSERT_EQUAL(sbc_cac_calls_active(&c), 3);
	CU_ASSERT_EQUAL(sbc_cac_calls_release(&c), 0);
	CU_ASSERT_FALSE(sbc_cac_calls_acquire(&c, false));   /* 2 still >= 2 */
	CU_ASSERT_EQUAL(sbc_cac_calls_release(&c), 0);
	CU_ASSERT_TRUE(sbc_cac_calls_acquire(&c, false));
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(sbc_cac_calls_release(&c), 0);
	CU_ASSERT_EQUAL(sbc_cac_calls_active(&c), 0);
	CU_ASSERT_EQUAL(sbc_cac_calls_release(&c), -ERANGE);
	CU_ASSERT_EQUAL(sbc_cac_calls_active(&c), 0);

	/* Lowered below the calls in progress: none cut, no new one. */
	for (int i = 0; i < 2; i++)
		CU_ASSERT_TRUE(sbc_cac_calls_acquire(&c, false));
	sbc_cac_calls_set_max(&c, 1);
	CU_ASSERT_EQUAL(sbc_cac_calls_active(&c), 2);
	CU_ASSERT_FALSE(sbc_cac_calls_acquire(&c, false));
	CU_ASSERT_EQUAL(sbc_cac_calls_release(&c), 0);
	CU_ASSERT_FALSE(sbc_cac_calls_acquire(&c, false));
	CU_ASSERT_EQUAL(sbc_cac_calls_release(&c), 0);
	CU_ASSERT_TRUE(sbc_cac_calls_acquire(&c, false));

	sbc_cac_calls_init(&c, 0);                           /* unlimited */
	for (int i = 0; i < 100000; i++)
		CU_ASSERT_TRUE_FATAL(sbc_cac_calls_acquire(&c, false));
	CU_ASSERT_EQUAL(sbc_cac_calls_active(&c), 100000);
}

/* ------------------------------------------------------------------ */
/* A trunk                                                             */

static void test_trunk_admit(void)
{
	struct sbc_cfg_trunk cfg = { .name = "pbx", .cpm_limit = 200, .cpm_burst = 4,
				     .max_concurrent = 3 };
	struct sbc_cac_trunk t;
	uint32_t retry = 77;

	CU_ASSERT_EQUAL_FATAL(sbc_cac_trunk_init(&t, &cfg, 0), 0);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(sbc_cac_trunk_admit(&t, 0, false, &retry), SBC_CAC_ADMIT);
	CU_ASSERT_EQUAL(retry, 0);
	/* Full: refused for concurrency, and no token spent on it. */
	CU_ASSERT_EQUAL(sbc_cac_trunk_admit(&t, 0, false, &retry), SBC_CAC_OVER_CONCURRENT);
	CU_ASSERT_EQUAL(retry, SBC_CAC_BUSY_RETRY_AFTER_S);
	CU_ASSERT_EQUAL(sbc_cac_bucket_available(&t.cpm, 0), 1);
	/* Emergency: over the limit, admitted, counted, no token. */
	CU_ASSERT_EQUAL(sbc_cac_trunk_admit(&t, 0, true, &retry), SBC_CAC_ADMIT_EMERGENCY);
	CU_ASSERT_EQUAL(retry, 0);
	CU_ASSERT_EQUAL(sbc_cac_calls_active(&t.calls), 4);
	CU_ASSERT_EQUAL(sbc_cac_bucket_available(&t.cpm, 0), 1);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(sbc_cac_trunk_release(&t), 0);
	CU_ASSERT_EQUAL(sbc_cac_trunk_release(&t), -ERANGE);
	/* Last token, then the rate refuses with its Retry-After. */
	CU_ASSERT_EQUAL(sbc_cac_trunk_admit(&t, 0, false, NULL), SBC_CAC_ADMIT);
	CU_ASSERT_EQUAL(sbc_cac_trunk_admit(&t, 0, false, &retry), SBC_CAC_OVER_CPM);
	CU_ASSERT_EQUAL(retry, 1);
	CU_ASSERT_EQUAL(sbc_cac_calls_active(&t.calls), 1);
	/* Emergency over the rate too. */
	for (int i = 0; i < 50; i++)
		CU_ASSERT_EQUAL(sbc_cac_trunk_admit(&t, 1, true, NULL), SBC_CAC_ADMIT_EMERGENCY);
	CU_ASSERT_EQUAL(sbc_cac_trunk_admit(&t, 300, false, NULL), SBC_CAC_OVER_CONCURRENT);
	for (int i = 0; i < 51; i++)
		CU_ASSERT_EQUAL(sbc_cac_trunk_release(&t), 0);
	CU_ASSERT_EQUAL(sbc_cac_trunk_admit(&t, 300, false, NULL), SBC_CAC_ADMIT);

	CU_ASSERT_EQUAL(t.verdicts[SBC_CAC_ADMIT], 5);
	CU_ASSERT_EQUAL(t.verdicts[SBC_CAC_ADMIT_EMERGENCY], 51);
	CU_ASSERT_EQUAL(t.verdicts[SBC_CAC_OVER_CPM], 1);
	CU_ASSERT_EQUAL(t.verdicts[SBC_CAC_OVER_CONCURRENT], 2);

	/* Reload: limits change, the call in progress stays. */
	cfg.max_concurrent = 0;
	cfg.cpm_limit = 60;
	cfg.cpm_burst = 1;
	CU_ASSERT_EQUAL(sbc_cac_trunk_reconfigure(&t, &cfg, 300), 0);
	CU_ASSERT_EQUAL(sbc_cac_calls_active(&t.calls), 1);
	CU_ASSERT_EQUAL(sbc_cac_trunk_admit(&t, 1300, false, NULL), SBC_CAC_ADMIT);
	cfg.cpm_limit = 0;
	CU_ASSERT_EQUAL(sbc_cac_trunk_reconfigure(&t, &cfg, 300), -EINVAL);
	CU_ASSERT_EQUAL(sbc_cac_trunk_init(&t, &cfg, 0), -EINVAL);
}

static void test_verdict_names(void)
{
	CU_ASSERT_STRING_EQUAL(sbc_cac_verdict_name(SBC_CAC_ADMIT), "admitted");
	CU_ASSERT_STRING_EQUAL(sbc_cac_verdict_name(SBC_CAC_ADMIT_EMERGENCY), "emergency");
	CU_ASSERT_STRING_EQUAL(sbc_cac_verdict_name(SBC_CAC_OVER_CPM), "over_cpm");
	CU_ASSERT_STRING_EQUAL(sbc_cac_verdict_name(SBC_CAC_OVER_CONCURRENT), "over_concurrent");
	CU_ASSERT_STRING_EQUAL(sbc_cac_verdict_name(SBC_CAC_VERDICT__COUNT), "?");
	CU_ASSERT_TRUE(sbc_cac_verdict_admits(SBC_CAC_ADMIT));
	CU_ASSERT_TRUE(sbc_cac_verdict_admits(SBC_CAC_ADMIT_EMERGENCY));
	CU_ASSERT_FALSE(sbc_cac_verdict_admits(SBC_CAC_OVER_CPM));
	CU_ASSERT_FALSE(sbc_cac_verdict_admits(SBC_CAC_OVER_CONCURRENT));
	CU_ASSERT_STRING_EQUAL(sbc_pike_verdict_name(SBC_PIKE_ALLOW), "allowed");
	CU_ASSERT_STRING_EQUAL(sbc_pike_verdict_name(SBC_PIKE_BLOCK_START), "block_start");
	CU_ASSERT_STRING_EQUAL(sbc_pike_verdict_name(SBC_PIKE_BLOCKED), "blocked");
	CU_ASSERT_STRING_EQUAL(sbc_pike_verdict_name(SBC_PIKE_VERDICT__COUNT), "?");
}

/* ------------------------------------------------------------------ */
/* Per-source request rate                                             */

static struct sbc_ip ip4(unsigned int c, unsigned int d)
{
	struct sbc_ip ip;
	char s[32];

	snprintf(s, sizeof(s), "198.18.%u.%u", c, d);
	CU_ASSERT_EQUAL_FATAL(sbc_ip_parse(&ip, s), 0);
	return ip;
}

static struct sbc_ip ip6(const char *s)
{
	struct sbc_ip ip;

	CU_ASSERT_EQUAL_FATAL(sbc_ip_parse(&ip, s), 0);
	return ip;
}

static struct sbc_pike *pike(uint32_t threshold, uint32_t window_ms, uint32_t block_ms,
			     uint32_t entries, uint32_t v6len)
{
	struct sbc_pike_params p = { threshold, window_ms, block_ms, entries, v6len };
	struct sbc_pike *pk = sbc_pike_create(&p);

	CU_ASSERT_PTR_NOT_NULL_FATAL(pk);
	return pk;
}

static void test_pike_threshold_and_block(void)
{
	struct sbc_pike *pk = pike(5, 1000, 10000, 1024, 64);
	struct sbc_ip a = ip4(1, 1), b = ip4(1, 2);
	struct sbc_pike_stats st;

	for (uint64_t t = 0; t < 5; t++)
		CU_ASSERT_EQUAL(sbc_pike_check(pk, &a, t), SBC_PIKE_ALLOW);
	CU_ASSERT_FALSE(sbc_pike_is_blocked(pk, &a, 5));
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &a, 5), SBC_PIKE_BLOCK_START);
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &a, 6), SBC_PIKE_BLOCKED);
	CU_ASSERT_TRUE(sbc_pike_is_blocked(pk, &a, 7));
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &b, 7), SBC_PIKE_ALLOW);
	/* The last over-limit request was at 6: blocked until 10006. */
	CU_ASSERT_TRUE(sbc_pike_is_blocked(pk, &a, 10005));
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &a, 10005), SBC_PIKE_BLOCKED);
	CU_ASSERT_FALSE(sbc_pike_is_blocked(pk, &a, 10006));
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &a, 10006), SBC_PIKE_ALLOW);

	sbc_pike_get_stats(pk, &st);
	CU_ASSERT_EQUAL(st.verdicts[SBC_PIKE_ALLOW], 7);
	CU_ASSERT_EQUAL(st.verdicts[SBC_PIKE_BLOCK_START], 1);
	CU_ASSERT_EQUAL(st.verdicts[SBC_PIKE_BLOCKED], 2);
	CU_ASSERT_EQUAL(st.in_use, 2);
	CU_ASSERT_EQUAL(st.entries, 1024);
	CU_ASSERT_EQUAL(st.evicted, 0);
	sbc_pike_destroy(pk);
}

/* A source that keeps flooding stays blocked; it is let go block_ms after. */
static void test_pike_flood_stays_blocked(void)
{
	struct sbc_pike *pk = pike(5, 1000, 10000, 1024, 64);
	struct sbc_ip a = ip4(2, 1);
	unsigned int allowed = 0;
	uint64_t t;

	for (t = 0; t < 30000; t += 10)
		allowed += sbc_pike_check(pk, &a, t) == SBC_PIKE_ALLOW;
	CU_ASSERT_EQUAL(allowed, 5);
	/* Last request at 29990, over the limit: blocked until 39990. */
	CU_ASSERT_TRUE(sbc_pike_is_blocked(pk, &a, 39989));
	CU_ASSERT_FALSE(sbc_pike_is_blocked(pk, &a, 39990));
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &a, 39990), SBC_PIKE_ALLOW);
	sbc_pike_destroy(pk);
}

/* The previous window weighs in: no double burst across a boundary. */
static void test_pike_sliding_estimate(void)
{
	struct sbc_pike *pk = pike(10, 1000, 5000, 1024, 64);
	struct sbc_ip a = ip4(3, 1), b = ip4(3, 2);

	for (uint64_t t = 900; t < 910; t++) {
		CU_ASSERT_EQUAL(sbc_pike_check(pk, &a, t), SBC_PIKE_ALLOW);
		CU_ASSERT_EQUAL(sbc_pike_check(pk, &b, t), SBC_PIKE_ALLOW);
	}
	/* At 1000: 10 * (1000 - 0) + 1 * 1000 > 10 * 1000. */
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &a, 1000), SBC_PIKE_BLOCK_START);
	/* At 1500: 10 * 500 + 1 * 1000 <= 10 * 1000; five pass, the sixth
	 * (10 * 495 + 6 * 1000) is over. */
	for (uint64_t t = 1500; t < 1505; t++)
		CU_ASSERT_EQUAL(sbc_pike_check(pk, &b, t), SBC_PIKE_ALLOW);
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &b, 1505), SBC_PIKE_BLOCK_START);
	/* Two windows later the old counts weigh nothing. */
	for (uint64_t t = 7000; t < 7010; t++)
		CU_ASSERT_EQUAL(sbc_pike_check(pk, &a, t), SBC_PIKE_ALLOW);
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &a, 7010), SBC_PIKE_BLOCK_START);
	sbc_pike_destroy(pk);
}

static void test_pike_table_full(void)
{
	struct sbc_pike *pk;
	struct sbc_pike_stats st;
	struct sbc_ip src[9];

	for (unsigned int i = 0; i < 9; i++)
		src[i] = ip4(4, i + 1);

	/* One set of 8: all blocked, a ninth evicts the block ending first. */
	pk = pike(1, 1000, 10000, 8, 64);
	for (unsigned int i = 0; i < 8; i++) {
		CU_ASSERT_EQUAL(sbc_pike_check(pk, &src[i], i), SBC_PIKE_ALLOW);
		CU_ASSERT_EQUAL(sbc_pike_check(pk, &src[i], i), SBC_PIKE_BLOCK_START);
	}
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &src[8], 100), SBC_PIKE_ALLOW);
	CU_ASSERT_FALSE(sbc_pike_is_blocked(pk, &src[0], 100));
	for (unsigned int i = 1; i < 8; i++)
		CU_ASSERT_TRUE(sbc_pike_is_blocked(pk, &src[i], 100));
	sbc_pike_get_stats(pk, &st);
	CU_ASSERT_EQUAL(st.entries, 8);
	CU_ASSERT_EQUAL(st.in_use, 8);
	CU_ASSERT_EQUAL(st.evicted, 1);
	CU_ASSERT_EQUAL(st.evicted_blocked, 1);
	CU_ASSERT(sbc_pike_memory(pk) >= 8 * 64 && sbc_pike_memory(pk) < 8 * 64 + 1024);
	sbc_pike_destroy(pk);

	/* Not blocked: the least recently seen goes first. */
	pk = pike(2, 1000, 10000, 8, 64);
	for (unsigned int i = 0; i < 8; i++)
		for (int k = 0; k < 2; k++)
			CU_ASSERT_EQUAL(sbc_pike_check(pk, &src[i], i), SBC_PIKE_ALLOW);
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &src[8], 100), SBC_PIKE_ALLOW);   /* evicts 0 */
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &src[0], 101), SBC_PIKE_ALLOW);   /* fresh; evicts 1 */
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &src[2], 102), SBC_PIKE_BLOCK_START); /* kept: 3rd */
	sbc_pike_get_stats(pk, &st);
	CU_ASSERT_EQUAL(st.evicted, 2);
	CU_ASSERT_EQUAL(st.evicted_blocked, 0);
	sbc_pike_destroy(pk);

	/* A blocked source outlives older-seen sources that are not blocked. */
	pk = pike(1, 1000, 10000, 8, 64);
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &src[0], 0), SBC_PIKE_ALLOW);
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &src[0], 0), SBC_PIKE_BLOCK_START);
	for (unsigned int i = 1; i < 8; i++)
		CU_ASSERT_EQUAL(sbc_pike_check(pk, &src[i], i), SBC_PIKE_ALLOW);
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &src[8], 8), SBC_PIKE_ALLOW);
	CU_ASSERT_TRUE(sbc_pike_is_blocked(pk, &src[0], 8));
	sbc_pike_get_stats(pk, &st);
	CU_ASSERT_EQUAL(st.evicted, 1);
	CU_ASSERT_EQUAL(st.evicted_blocked, 0);
	sbc_pike_destroy(pk);
}

/* Many sources through a small table: bounded, O(1) each. */
static void test_pike_bounded(void)
{
	struct sbc_pike *pk = pike(3, 1000, 10000, 1000, 64);
	struct sbc_pike_stats st;
	size_t mem = sbc_pike_memory(pk);

	for (unsigned int i = 0; i < 200000; i++) {
		struct sbc_ip ip = ip4((i >> 8) & 0xff, i & 0xff);

		ip.bytes[1] = (uint8_t)(18 + ((i >> 16) & 1));   /* 198.18/15 */
		sbc_pike_check(pk, &ip, i / 100);
	}
	sbc_pike_get_stats(pk, &st);
	CU_ASSERT_EQUAL(st.entries, 1024);
	CU_ASSERT(st.in_use <= 1024 && st.in_use > 900);
	CU_ASSERT_EQUAL(sbc_pike_memory(pk), mem);
	CU_ASSERT(st.evicted >= 131072 - 1024);
	sbc_pike_destroy(pk);
}

static void test_pike_ipv6(void)
{
	struct sbc_pike *pk = pike(3, 1000, 10000, 1024, 64);
	struct sbc_ip a1 = ip6("2001:db8:1:2::1"), a2 = ip6("2001:db8:1:2:ffff::9");
	struct sbc_ip other = ip6("2001:db8:1:3::1"), v4 = ip4(5, 1), none = { 0 };

	CU_ASSERT_EQUAL(sbc_pike_check(pk, &a1, 0), SBC_PIKE_ALLOW);
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &a2, 0), SBC_PIKE_ALLOW);
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &a1, 0), SBC_PIKE_ALLOW);
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &a2, 0), SBC_PIKE_BLOCK_START);  /* same /64 */
	CU_ASSERT_TRUE(sbc_pike_is_blocked(pk, &a1, 1));
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &other, 1), SBC_PIKE_ALLOW);
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &v4, 1), SBC_PIKE_ALLOW);
	for (int i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(sbc_pike_check(pk, &none, 1), SBC_PIKE_ALLOW);
	CU_ASSERT_FALSE(sbc_pike_is_blocked(pk, &none, 1));
	CU_ASSERT_EQUAL(sbc_pike_check(pk, NULL, 1), SBC_PIKE_ALLOW);

	/* Per address (/128), then a /60 that spans two /64s. */
	struct sbc_pike_params p = { 3, 1000, 10000, 1024, 128 };

	CU_ASSERT_EQUAL(sbc_pike_reconfigure(pk, &p), 0);
	CU_ASSERT_FALSE(sbc_pike_is_blocked(pk, &a1, 1));      /* forgotten */
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(sbc_pike_check(pk, &a1, 2), SBC_PIKE_ALLOW);
		CU_ASSERT_EQUAL(sbc_pike_check(pk, &a2, 2), SBC_PIKE_ALLOW);
	}
	p.ipv6_prefix_len = 60;
	CU_ASSERT_EQUAL(sbc_pike_reconfigure(pk, &p), 0);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(sbc_pike_check(pk, i % 2 ? &a1 : &other, 3), SBC_PIKE_ALLOW);
	CU_ASSERT_EQUAL(sbc_pike_check(pk, &a2, 3), SBC_PIKE_BLOCK_START);
	sbc_pike_destroy(pk);
}

static void test_pike_params(void)
{
	const struct sbc_pike_params good = { 10, 1000, 60000, 1024, 64 };
	struct sbc_pike_params p;
	struct sbc_pike *pk;
	struct sbc_ip a = ip4(6, 1);

	p = good; p.threshold = 0;
	errno = 0;
	CU_ASSERT_PTR_NULL(sbc_pike_create(&p));
	CU_ASSERT_EQUAL(errno, EINVAL);
	p = good; p.window_ms = 0;
	CU_ASSERT_PTR_NULL(sbc_pike_create(&p));
	p = good; p.block_ms = 0;
	CU_ASSERT_PTR_NULL(sbc_pike_create(&p));
	p = good; p.entries = 7;
	CU_ASSERT_PTR_NULL(sbc_pike_create(&p));
	p = good; p.entries = SBC_PIKE_ENTRIES_MAX + 1;
	CU_ASSERT_PTR_NULL(sbc_pike_create(&p));
	p = good; p.ipv6_prefix_len = 129;
	CU_ASSERT_PTR_NULL(sbc_pike_create(&p));
	CU_ASSERT_PTR_NULL(sbc_pike_create(NULL));
	sbc_pike_destroy(NULL);

	pk = sbc_pike_create(&good);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pk);
	for (int i = 0; i < 11; i++)
		sbc_pike_check(pk, &a, 0);
	CU_ASSERT_TRUE(sbc_pike_is_blocked(pk, &a, 0));
	/* Another size needs a new table; other limits change in place. */
	p = good; p.entries = 2048;
	CU_ASSERT_EQUAL(sbc_pike_reconfigure(pk, &p), -EINVAL);
	p = good; p.threshold = 0;
	CU_ASSERT_EQUAL(sbc_pike_reconfigure(pk, &p), -EINVAL);
	p = good; p.threshold = 100; p.entries = 1000;   /* rounds to the same size */
	CU_ASSERT_EQUAL(sbc_pike_reconfigure(pk, &p), 0);
	CU_ASSERT_TRUE(sbc_pike_is_blocked(pk, &a, 1));  /* blocks kept */
	sbc_pike_destroy(pk);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "bucket: 200 CPM, burst 10", test_bucket_200cpm_burst },
		{ "bucket: exact rate over a minute", test_bucket_exact_rate },
		{ "bucket: Retry-After values", test_bucket_retry_after },
		{ "bucket: refill cap, clock going back", test_bucket_refill_cap_and_clock },
		{ "bucket: reload and bounds", test_bucket_reload_and_bounds },
		{ "concurrent calls", test_calls },
		{ "trunk admission, emergency exempt", test_trunk_admit },
		{ "verdict names", test_verdict_names },
		{ "pike: threshold and block period", test_pike_threshold_and_block },
		{ "pike: flooding source stays blocked", test_pike_flood_stays_blocked },
		{ "pike: sliding estimate", test_pike_sliding_estimate },
		{ "pike: table full", test_pike_table_full },
		{ "pike: bounded memory", test_pike_bounded },
		{ "pike: IPv6 prefixes", test_pike_ipv6 },
		{ "pike: parameters", test_pike_params },
	};
	return SBC_TEST_RUN("cac", tests);
}
