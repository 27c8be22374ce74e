/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for the Sofia log line assembler (controlplane/sofia_log.h):
 * pieces joined into lines, several lines in one piece, trailing blanks
 * and CR removed, control characters neutralised, an over-long line cut
 * into pieces, a last line without newline flushed; and Sofia's own
 * su_log() reaching it through b2b_sofia_log_install().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sofia-sip/su_log.h>

#include "cunit_run.h"

#include "sofia_log.h"

struct got {
	unsigned int n;
	char line[8][SBC_LOGLINE_MAX];
};

static void collect(void *arg, const char *line)
{
	struct got *g = arg;

	if (g->n < 8)
		snprintf(g->line[g->n], sizeof(g->line[0]), "%s", line);
	g->n++;
}

static void test_assemble(void)
{
	struct got g = { 0 };
	struct sbc_logline ll = { .emit = collect, .arg = &g };

	sbc_logline_feed(&ll, "tport_recv_error: ", 18);
	CU_ASSERT_EQUAL(g.n, 0);
	sbc_logline_feed(&ll, "Connection reset \r\n", 19);
	CU_ASSERT_EQUAL_FATAL(g.n, 1);
	CU_ASSERT_STRING_EQUAL(g.line[0], "tport_recv_error: Connection reset");
	sbc_logline_feed(&ll, "one\ntwo\n\nthr\x1b[2Jee", 18);
	CU_ASSERT_EQUAL_FATAL(g.n, 3);
	CU_ASSERT_STRING_EQUAL(g.line[1], "one");
	CU_ASSERT_STRING_EQUAL(g.line[2], "two");          /* the empty line is not emitted */
	sbc_logline_flush(&ll);
	CU_ASSERT_EQUAL_FATAL(g.n, 4);
	CU_ASSERT_STRING_EQUAL(g.line[3], "thr?[2Jee");
	sbc_logline_flush(&ll);
	CU_ASSERT_EQUAL(g.n, 4);
}

static void test_long_line(void)
{
	static char big[3 * SBC_LOGLINE_MAX];
	struct got g = { 0 };
	struct sbc_logline ll = { .emit = collect, .arg = &g };

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\n';
	sbc_logline_feed(&ll, big, sizeof(big));
	CU_ASSERT_EQUAL(g.n, 4);      /* three full pieces and the rest */
	CU_ASSERT_EQUAL(strlen(g.line[0]), SBC_LOGLINE_MAX - 1);
	CU_ASSERT_EQUAL(ll.len, 0);
}

static void test_redirect(void)
{
	char path[] = "/tmp/test_sofia_log.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	char out[4096] = "";
	FILE *f;

	CU_ASSERT_FATAL(fd >= 0 && saved >= 0);
	dup2(fd, 2);
	b2b_sofia_log_install();
	su_log_set_level(NULL, 3);
	su_llog(su_log_default, 1, "nta: %s ", "bad");
	su_llog(su_log_default, 1, "message from %s\n", "198.18.0.2");
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	CU_ASSERT_FATAL(f != NULL);
	rewind(f);
	CU_ASSERT(fread(out, 1, sizeof(out) - 1, f) > 0);
	fclose(f);
	unlink(path);
	/* Our format: "<ISO time>Z <level> sofia: <text>", one line. */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Z "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " sofia: nta: bad message from 198.18.0.2\n"));
	CU_ASSERT_PTR_NULL(strchr(out, '\n') == NULL ? NULL : strchr(strchr(out, '\n') + 1, '\n'));
}

int
main(void)
{
	static const struct sbc_test tests[] = {
		{ "lines assembled", test_assemble },
		{ "an over-long line", test_long_line },
		{ "Sofia's su_log() redirected", test_redirect },
	};
	return SBC_TEST_RUN("sofia_log", tests);
}
