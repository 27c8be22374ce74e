/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/cdr.c: the exact JSON line, escaping of
 * strings that come from the wire (Call-IDs), an unanswered call, a buffer
 * too small, and lines appended to a file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit_run.h"

#include "cdr.h"

static struct sbc_cdr_record answered(void)
{
	struct sbc_cdr_record r = {
		.call_no = 42,
		.call_id_a = "a1@198.18.1.2",
		.call_id_b = "b2",
		.trunk_a = "pbx",
		.trunk_b = "carrier",
		.start_ms = 1767323045678ull,   /* 2026-01-02T03:04:05.678Z */
		.answer_ms = 1767323046000ull,
		.end_ms = 1767323056500ull,
		.disposition = "answered",
		.sip_cause = 200,
		.ended_by = "a",
		.leg = { { 50, 8600, 1, 250 }, { 49, 8428, 0, 375 } },
	};

	return r;
}

static void test_exact_line(void)
{
	struct sbc_cdr_record r = answered();
	char buf[1024];
	int n;

	n = sbc_cdr_format(&r, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf,
		"{\"call\":42,\"call_id_a\":\"a1@198.18.1.2\",\"call_id_b\":\"b2\",\"trunk_a\":\"pbx\","
		"\"trunk_b\":\"carrier\",\"start\":\"2026-01-02T03:04:05.678Z\","
		"\"answer\":\"2026-01-02T03:04:06.000Z\",\"end\":\"2026-01-02T03:04:16.500Z\","
		"\"duration_ms\":10500,\"disposition\":\"answered\",\"sip_cause\":200,"
		"\"ended_by\":\"a\",\"legs\":{\"a\":{\"packets\":50,\"bytes\":8600,\"lost\":1,"
		"\"jitter_us\":250},\"b\":{\"packets\":49,\"bytes\":8428,\"lost\":0,"
		"\"jitter_us\":375}},\"transfer\":null}\n");
	CU_ASSERT_EQUAL(n, (int)strlen(buf));
}

static void test_escaping(void)
{
	struct sbc_cdr_record r = answered();
	char buf[1024];

	r.call_id_a = "q\"b\\c\x01\x7f";
	r.call_id_b = NULL;
	CU_ASSERT(sbc_cdr_format(&r, buf, sizeof(buf)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"call_id_a\":\"q\\\"b\\\\c\\u0001\\u007f\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"call_id_b\":\"\","));
}

static void test_unanswered(void)
{
	struct sbc_cdr_record r = answered();
	char buf[1024];

	r.answer_ms = 0;
	r.disposition = "cancelled";
	r.sip_cause = 487;
	CU_ASSERT(sbc_cdr_format(&r, buf, sizeof(buf)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"answer\":null,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"duration_ms\":0,\"disposition\":\"cancelled\","
				      "\"sip_cause\":487,"));
}

/* A transfer made by the B2BUA: the replaced leg, escaped like every string. */
static void test_transfer(void)
{
	struct sbc_cdr_record r = answered();
	char buf[1024];

	r.transfer_leg = "b";
	r.transfer_call_id = "old\"b";
	r.transfer_trunk = "carrier";
	CU_ASSERT(sbc_cdr_format(&r, buf, sizeof(buf)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"jitter_us\":375}},\"transfer\":{\"leg\":\"b\","
				      "\"call_id\":\"old\\\"b\",\"trunk\":\"carrier\"}}\n"));
}

static void test_too_small(void)
{
	struct sbc_cdr_record r = answered();
	char buf[64];

	CU_ASSERT_EQUAL(sbc_cdr_format(&r, buf, sizeof(buf)), -ENOSPC);
	CU_ASSERT_EQUAL(sbc_cdr_format(&r, buf, 0), -ENOSPC);
}

static void test_file(void)
{
	struct sbc_cdr_record r = answered();
	char path[] = "/tmp/rampart-test-cdr.XXXXXX", line[1024];
	struct sbc_cdr *c;
	FILE *f;
	int fd, err = 0, lines = 0;

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	c = sbc_cdr_open(path, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(sbc_cdr_write(c, &r), 0);
	CU_ASSERT_EQUAL(sbc_cdr_write(c, &r), 0);
	sbc_cdr_close(c);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		CU_ASSERT_EQUAL(line[0], '{');
		CU_ASSERT_EQUAL(line[strlen(line) - 1], '\n');
		lines++;
	}
	fclose(f);
	CU_ASSERT_EQUAL(lines, 2);
	unlink(path);

	CU_ASSERT_PTR_NULL(sbc_cdr_open("/nonexistent-dir/cdr.jsonl", &err));
	CU_ASSERT_EQUAL(err, -ENOENT);
	sbc_cdr_close(NULL);
}

static int count_lines(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		n++;
	fclose(f);
	return n;
}

/* logrotate renames the file, SIGUSR1 reopens the path: each record in one file. */
static void test_reopen(void)
{
	struct sbc_cdr_record r = answered();
	char path[] = "/tmp/rampart-test-cdr.XXXXXX", old[64];
	struct sbc_cdr *c;
	int fd, err = 0;

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	snprintf(old, sizeof(old), "%s.1", path);
	c = sbc_cdr_open(path, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(sbc_cdr_write(c, &r), 0);
	CU_ASSERT_EQUAL(rename(path, old), 0);
	CU_ASSERT_EQUAL(sbc_cdr_write(c, &r), 0);     /* still the renamed file */
	CU_ASSERT_EQUAL(sbc_cdr_reopen(c), 0);
	CU_ASSERT_EQUAL(sbc_cdr_write(c, &r), 0);
	CU_ASSERT_EQUAL(count_lines(old), 2);
	CU_ASSERT_EQUAL(count_lines(path), 1);
	/* the path cannot be opened: the file in use stays */
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(mkdir(path, 0700), 0);
	CU_ASSERT_EQUAL(sbc_cdr_reopen(c), -EISDIR);
	CU_ASSERT_EQUAL(sbc_cdr_write(c, &r), 0);
	sbc_cdr_close(c);
	CU_ASSERT_EQUAL(rmdir(path), 0);
	unlink(old);
}

int
main(void)
{
	static const struct sbc_test tests[] = {
		{ "exact line", test_exact_line },
		{ "escaping", test_escaping },
		{ "unanswered call", test_unanswered },
		{ "transfer: the replaced leg", test_transfer },
		{ "buffer too small", test_too_small },
		{ "append to a file", test_file },
		{ "reopen after a rename (SIGUSR1)", test_reopen },
	};
	return SBC_TEST_RUN("cdr", tests);
}
