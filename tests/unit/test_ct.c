/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for common/ct.c: constant-time comparison gives the right
 * answers for equal, different, prefix and empty inputs, and its timing
 * does not follow the position of the first difference.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "cunit_run.h"

#include "sbc_ct.h"

static void test_equal_and_different(void)
{
	const char key[] = "0123456789abcdef0123456789abcdef";

	CU_ASSERT_TRUE(sbc_ct_streq(key, "0123456789abcdef0123456789abcdef"));
	CU_ASSERT_FALSE(sbc_ct_streq(key, "0123456789abcdef0123456789abcdeF"));
	CU_ASSERT_FALSE(sbc_ct_streq(key, "x123456789abcdef0123456789abcdef"));
	/* Prefixes and extensions differ. */
	CU_ASSERT_FALSE(sbc_ct_streq(key, "0123456789abcdef0123456789abcde"));
	CU_ASSERT_FALSE(sbc_ct_streq(key, "0123456789abcdef0123456789abcdef0"));
	CU_ASSERT_FALSE(sbc_ct_streq(key, ""));
	CU_ASSERT_TRUE(sbc_ct_streq("", ""));
	/* NULL never equals, not even NULL. */
	CU_ASSERT_FALSE(sbc_ct_streq(NULL, key));
	CU_ASSERT_FALSE(sbc_ct_streq(key, NULL));
	CU_ASSERT_FALSE(sbc_ct_streq(NULL, NULL));
}

static void test_binary(void)
{
	const unsigned char a[4] = { 0, 1, 0, 2 }, b[4] = { 0, 1, 0, 2 }, c[4] = { 0, 1, 0, 3 };

	/* Embedded NULs are compared, not treated as an end. */
	CU_ASSERT_TRUE(sbc_ct_equal(a, 4, b, 4));
	CU_ASSERT_FALSE(sbc_ct_equal(a, 4, c, 4));
	CU_ASSERT_FALSE(sbc_ct_equal(a, 3, b, 4));
	CU_ASSERT_TRUE(sbc_ct_equal(NULL, 0, "", 0));
	CU_ASSERT_FALSE(sbc_ct_equal(NULL, 1, b, 1));
	CU_ASSERT_TRUE(sbc_ct_memeq(a, b, 4));
	CU_ASSERT_FALSE(sbc_ct_memeq(a, c, 4));
	CU_ASSERT_TRUE(sbc_ct_memeq(a, c, 3));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Best of many runs: differing in the first byte must not be
 * measurably faster than differing in the last.  A memcmp()-style early
 * exit on a 4 KiB input shows a ratio of many times; the digests make
 * both cases the same work.  The bound is loose so that a loaded machine
 * (or a sanitizer build) does not make the test flaky.
 */
static void test_timing_independent_of_position(void)
{
	static char secret[4096], first[4096], last[4096];
	uint64_t best_first = UINT64_MAX, best_last = UINT64_MAX;
	int hits = 0;

	memset(secret, 'k', sizeof(secret));
	memcpy(first, secret, sizeof(secret));
	memcpy(last, secret, sizeof(secret));
	first[0] = 'x';
	last[sizeof(last) - 1] = 'x';
	for (int round = 0; round < 200; round++) {
		uint64_t t0 = now_ns();

		hits += sbc_ct_equal(secret, sizeof(secret), first, sizeof(first));
		uint64_t t1 = now_ns();

		hits += sbc_ct_equal(secret, sizeof(secret), last, sizeof(last));
		uint64_t t2 = now_ns();

		if (t1 - t0 < best_first)
			best_first = t1 - t0;
		if (t2 - t1 < best_last)
			best_last = t2 - t1;
	}
	CU_ASSERT_EQUAL(hits, 0);
	CU_ASSERT(best_first * 2 >= best_last);
	CU_ASSERT(best_last * 2 >= best_first);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "equal and different strings", test_equal_and_different },
		{ "binary inputs", test_binary },
		{ "timing independent of the first difference",
		  test_timing_independent_of_position },
	};
	return SBC_TEST_RUN("ct", tests);
}
