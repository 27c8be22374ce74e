/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/journal.c: a call's record round trip with
 * values that need escaping, records refused (cut, unknown field, value
 * too long, a line missing a leg), and the replay of a file: ended calls
 * dropped, the latest record of a call kept, a torn last line skipped,
 * the file rewritten with the live calls only, mode 0600.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit_run.h"

#include "journal.h"

static struct sbc_journal_call sample(const char *key, uint32_t cseq_b)
{
	struct sbc_journal_call c;
	int l;

	memset(&c, 0, sizeof(c));
	snprintf(c.key, sizeof(c.key), "%s", key);
	c.no = 7;
	c.start_ms = 1767323045678ull;
	c.answer_ms = 1767323046000ull;
	snprintf(c.tenant, sizeof(c.tenant), "acme");
	for (l = 0; l < 2; l++) {
		struct sbc_journal_leg *g = &c.leg[l];

		snprintf(g->iface, sizeof(g->iface), l ? "carrier" : "pbx");
		snprintf(g->trunk, sizeof(g->trunk), l ? "carrier-a" : "pbx-1");
		snprintf(g->call_id, sizeof(g->call_id), "%d-abc@198.18.%d.2", l, l);
		snprintf(g->local, sizeof(g->local), "\"Rampart SBC\" <sip:+441632960000@198.18.%d.10>;tag=t%d", l, l);
		snprintf(g->remote, sizeof(g->remote), "<sip:100%%41@198.18.%d.2>;tag=r%d", l, l);
		snprintf(g->target, sizeof(g->target), "sip:x@198.18.%d.2:5060;transport=tcp", l);
		g->cseq = l ? cseq_b : 0;
		g->tls = l == 1;
	}
	snprintf(c.leg[1].route, sizeof(c.leg[1].route), "<sip:198.18.1.5;lr>,<sip:198.18.1.6;lr>");
	c.n_media = 2;
	c.session[0] = 11;
	c.session[1] = 0;
	return c;
}

static void test_round_trip(void)
{
	struct sbc_journal_call c = sample("e1.7", 42), d;
	char buf[SBC_JOURNAL_LINE_MAX + 1];
	size_t n = sbc_journal_format_up(&c, buf, sizeof(buf));

	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(buf[n - 1], '\n');
	CU_ASSERT_PTR_NULL(memchr(buf, '\n', n - 1));      /* one line */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"Rampart%20SBC\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "100%2541"));   /* '%' escaped */
	CU_ASSERT_EQUAL(sbc_journal_parse(buf, n, &d), SBC_JOURNAL_UP);
	CU_ASSERT_EQUAL(memcmp(&c, &d, sizeof(c)), 0);
	n = sbc_journal_format_end("e1.7", buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "RJ1 end e1.7\n");
	CU_ASSERT_EQUAL(sbc_journal_parse(buf, n, &d), SBC_JOURNAL_END);
	CU_ASSERT_STRING_EQUAL(d.key, "e1.7");
}

static void test_refused(void)
{
	struct sbc_journal_call c = sample("e1.8", 1), d;
	char buf[SBC_JOURNAL_LINE_MAX + 1], bad[SBC_JOURNAL_LINE_MAX + 64];
	size_t n = sbc_journal_format_up(&c, buf, sizeof(buf)), k;
	char *p;

	CU_ASSERT_FATAL(n > 0);
	/* Cut anywhere before its last field: not a call. */
	for (k = 0; k + 1 < n; k++)
		CU_ASSERT_EQUAL(sbc_journal_parse(buf, k, &d), SBC_JOURNAL_BAD);
	CU_ASSERT_EQUAL(sbc_journal_parse(buf, n - 1, &d), SBC_JOURNAL_UP);
	/* An unknown field, a bad escape, a NUL escape, a number too big. */
	snprintf(bad, sizeof(bad), "%.*s zz=1\n", (int)(n - 1), buf);
	CU_ASSERT_EQUAL(sbc_journal_parse(bad, strlen(bad), &d), SBC_JOURNAL_BAD);
	snprintf(bad, sizeof(bad), "%.*s tenant=a%%4\n", (int)(n - 1), buf);
	CU_ASSERT_EQUAL(sbc_journal_parse(bad, strlen(bad), &d), SBC_JOURNAL_BAD);
	snprintf(bad, sizeof(bad), "%.*s tenant=a%%00b\n", (int)(n - 1), buf);
	CU_ASSERT_EQUAL(sbc_journal_parse(bad, strlen(bad), &d), SBC_JOURNAL_BAD);
	snprintf(bad, sizeof(bad), "%.*s a.cseq=4294967296\n", (int)(n - 1), buf);
	CU_ASSERT_EQUAL(sbc_journal_parse(bad, strlen(bad), &d), SBC_JOURNAL_BAD);
	/* A field twice (found by fuzz_journal: the second, shorter, value left
	 * the first's tail behind its NUL), a line twice. */
	snprintf(bad, sizeof(bad), "%.*s tenant=x\n", (int)(n - 1), buf);
	CU_ASSERT_EQUAL(sbc_journal_parse(bad, strlen(bad), &d), SBC_JOURNAL_BAD);
	snprintf(bad, sizeof(bad), "%.*s b.trunk=x\n", (int)(n - 1), buf);
	CU_ASSERT_EQUAL(sbc_journal_parse(bad, strlen(bad), &d), SBC_JOURNAL_BAD);
	snprintf(bad, sizeof(bad), "%.*s s0=3\n", (int)(n - 1), buf);
	CU_ASSERT_EQUAL(sbc_journal_parse(bad, strlen(bad), &d), SBC_JOURNAL_BAD);
	/* A raw byte the writer escapes (found by fuzz_journal: a NUL in a value). */
	memcpy(bad, buf, n + 1);
	p = strstr(bad, "tenant=acme") + strlen("tenant=a");
	*p = '\0';
	CU_ASSERT_EQUAL(sbc_journal_parse(bad, n, &d), SBC_JOURNAL_BAD);
	*p = '\x7f';
	CU_ASSERT_EQUAL(sbc_journal_parse(bad, strlen(bad), &d), SBC_JOURNAL_BAD);
	/* Two spaces, a value longer than its field. */
	p = strstr(buf, " no=");
	memcpy(bad, buf, n + 1);
	bad[p - buf + 1] = ' ';
	CU_ASSERT_EQUAL(sbc_journal_parse(bad, n, &d), SBC_JOURNAL_BAD);
	memset(c.leg[0].trunk, 'x', sizeof(c.leg[0].trunk) - 1);
	n = sbc_journal_format_up(&c, buf, sizeof(buf));
	CU_ASSERT_FATAL(n > 0);
	p = strstr(buf, "a.trunk=") + strlen("a.trunk=");
	memmove(p + 1, p, strlen(p) + 1);
	*p = 'y';
	CU_ASSERT_EQUAL(sbc_journal_parse(buf, n + 1, &d), SBC_JOURNAL_BAD);
	/* A leg without its dialog; a line with a media count and no lines. */
	c = sample("e1.9", 1);
	c.leg[1].target[0] = '\0';
	n = sbc_journal_format_up(&c, buf, sizeof(buf));
	CU_ASSERT_EQUAL(sbc_journal_parse(buf, n, &d), SBC_JOURNAL_BAD);
	CU_ASSERT_EQUAL(sbc_journal_parse("RJ1 up e1 media=1\n", 18, &d), SBC_JOURNAL_BAD);
	CU_ASSERT_EQUAL(sbc_journal_parse("RJ1 end e 1\n", 12, &d), SBC_JOURNAL_BAD);
	CU_ASSERT_EQUAL(sbc_journal_parse("RJ2 end e1\n", 11, &d), SBC_JOURNAL_BAD);
	CU_ASSERT_EQUAL(sbc_journal_parse("RJ1 end e)\0[", 13, &d), SBC_JOURNAL_BAD);  /* fuzz_journal */
	/* Keys with spaces or '%' are never written. */
	c = sample("a b", 1);
	CU_ASSERT_EQUAL(sbc_journal_format_up(&c, buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(sbc_journal_format_end("a%b", buf, sizeof(buf)), 0);
	/* Too small a buffer. */
	c = sample("e2", 1);
	CU_ASSERT_EQUAL(sbc_journal_format_up(&c, buf, 100), 0);
}

struct seen {
	uint32_t n;
	char keys[8][SBC_JOURNAL_KEY_MAX];
	uint32_t cseq_b[8];
};

static void on_call(void *arg, const struct sbc_journal_call *c)
{
	struct seen *s = arg;

	if (s->n < 8) {
		strcpy(s->keys[s->n], c->key);
		s->cseq_b[s->n] = c->leg[1].cseq;
	}
	s->n++;
}

static void add(int fd, const char *key, uint32_t cseq_b, bool end)
{
	struct sbc_journal_call c = sample(key, cseq_b);
	char buf[SBC_JOURNAL_LINE_MAX + 1];
	size_t n = end ? sbc_journal_format_end(key, buf, sizeof(buf)) :
			 sbc_journal_format_up(&c, buf, sizeof(buf));

	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(sbc_journal_append(fd, buf, n), 0);
}

static void test_replay(void)
{
	char dir[] = "/tmp/test_journal.XXXXXX", path[256], tmp[300];
	struct sbc_journal_load st;
	struct seen s = { 0 };
	struct stat sb;
	int fd;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/state/calls.journal", dir);
	/* Absent: nothing, no error. */
	CU_ASSERT_EQUAL(sbc_journal_replay(path, on_call, &s, &st), 0);
	CU_ASSERT_EQUAL(s.n, 0);
	fd = sbc_journal_open(path);      /* creates state/ 0700 */
	CU_ASSERT_FATAL(fd >= 0);
	add(fd, "k1", 1, false);
	add(fd, "k2", 1, false);
	add(fd, "k3", 1, false);
	add(fd, "k2", 0, true);           /* ended */
	add(fd, "k1", 5, false);          /* updated: the later record wins */
	CU_ASSERT_EQUAL(sbc_journal_append(fd, "garbage line\n", 13), 0);
	CU_ASSERT_EQUAL(sbc_journal_append(fd, "RJ1 up k9 no=", 13), 0);  /* torn */
	close(fd);
	CU_ASSERT_EQUAL(stat(path, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(sbc_journal_replay(path, on_call, &s, &st), 0);
	CU_ASSERT_EQUAL(st.lines, 7);
	CU_ASSERT_EQUAL(st.bad, 2);
	CU_ASSERT_EQUAL(st.live, 2);
	CU_ASSERT_EQUAL_FATAL(s.n, 2);
	/* In the order of their latest records: k3, then k1 (updated). */
	CU_ASSERT_STRING_EQUAL(s.keys[0], "k3");
	CU_ASSERT_STRING_EQUAL(s.keys[1], "k1");
	CU_ASSERT_EQUAL(s.cseq_b[1], 5);
	/* Rewritten: the two live calls only, still 0600; a replay finds the same. */
	CU_ASSERT_EQUAL(stat(path, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 0777, 0600);
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(sbc_journal_replay(path, on_call, &s, &st), 0);
	CU_ASSERT_EQUAL(st.lines, 2);
	CU_ASSERT_EQUAL(st.bad, 0);
	CU_ASSERT_EQUAL(s.n, 2);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	CU_ASSERT_EQUAL(access(tmp, F_OK), -1);
	/* A compaction abandoned leaves the journal as it was. */
	fd = sbc_journal_rewrite_begin(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(sbc_journal_rewrite_commit(path, fd, false), -ECANCELED);
	CU_ASSERT_EQUAL(access(tmp, F_OK), -1);
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(sbc_journal_replay(path, on_call, &s, &st), 0);
	CU_ASSERT_EQUAL(s.n, 2);
	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s/state", dir);
	CU_ASSERT_EQUAL(rmdir(tmp), 0);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

int
main(void)
{
	static const struct sbc_test tests[] = {
		{ "record round trip", test_round_trip },
		{ "records refused", test_refused },
		{ "replay and rewrite", test_replay },
	};
	return SBC_TEST_RUN("journal", tests);
}
