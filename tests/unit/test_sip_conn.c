/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/sip_conn.c, the SIP connection guard, on real
 * loopback sockets (127.0.0.x): the per-source and total limits reset the
 * connections over them and count them; a descriptor closed is forgotten
 * before a refusal; out of descriptors, one waiting connection is shed
 * (the reserve) and accept() reports nothing; a connection half-closed for
 * a second, a TLS one without a handshake and a TCP one silent since its
 * accept are shut down by the scan, and the others are left alone; UNIX
 * sockets pass untouched.  The input framing (sbc_sip_conn_stream_in):
 * messages judged once each, whole or across reads, refused ones taken out
 * with their bodies and the reply sent, never inside a write of Sofia's
 * left incomplete; a refused message whose start Sofia already has, a bad
 * Content-Length or a CLOSE verdict end the stream.  Time is injected.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cunit_run.h"

#include "sip_conn.h"

static int lfd = -1;
static uint16_t lport;

static int setup(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(lfd, 64) != 0 || getsockname(lfd, (struct sockaddr *)&sa, &len) != 0)
		return -1;
	lport = ntohs(sa.sin_port);
	return 0;
}

static int teardown(void)
{
	if (lfd >= 0)
		close(lfd);
	return 0;
}

/* A client connected from 127.0.0.@host to the listener. */
static int client(int host)
{
	struct sockaddr_in from = { .sin_family = AF_INET }, to = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	from.sin_addr.s_addr = htonl(INADDR_LOOPBACK - 1 + (uint32_t)host);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons(lport);
	CU_ASSERT_FATAL(s >= 0);
	CU_ASSERT_EQUAL_FATAL(bind(s, (struct sockaddr *)&from, sizeof(from)), 0);
	CU_ASSERT_EQUAL_FATAL(connect(s, (struct sockaddr *)&to, sizeof(to)), 0);
	return s;
}

/* True when the server reset or closed @s. */
static bool was_reset(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	char c;

	if (poll(&p, 1, 1000) != 1)
		return false;
	return recv(s, &c, 1, MSG_DONTWAIT) <= 0;
}

/* True when @fd got shut down both ways (poll: hang-up). */
static bool hung_up(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) != 0;
}

static int accept_one(struct sbc_sip_conn *g, uint64_t now_ms)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	return sbc_sip_conn_accept(g, lfd, (struct sockaddr *)&ss, &len, accept, now_ms);
}

static struct sbc_sip_conn *guard(uint32_t max, uint32_t per_source)
{
	const struct sbc_sip_conn_params p = {
		.max_connections = max, .max_per_source = per_source, .ipv6_prefix_len = 64,
		.idle_timeout_ms = 30000, .handshake_timeout_ms = 10000, .fd_limit = 100000,
	};
	struct sbc_sip_conn *g;
	int err = 0;

	g = sbc_sip_conn_create(&p, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	return g;
}

static void test_limits(void)
{
	struct sbc_sip_conn *g = guard(4, 2);
	struct sbc_sip_conn_counters n;
	int c[6], s[6], i;

	for (i = 0; i < 2; i++) {
		c[i] = client(1);
		s[i] = accept_one(g, 1000);
		CU_ASSERT(s[i] >= 0);
	}
	c[2] = client(1);
	errno = EINVAL;
	CU_ASSERT_EQUAL(accept_one(g, 1000), -1);
	CU_ASSERT_EQUAL(errno, 0);                /* nothing for Sofia to report */
	CU_ASSERT_TRUE(was_reset(c[2]));
	for (i = 3; i < 5; i++) {
		c[i] = client(2);
		s[i] = accept_one(g, 1000);
		CU_ASSERT(s[i] >= 0);
	}
	c[5] = client(3);                         /* its first, but 4 are open */
	CU_ASSERT_EQUAL(accept_one(g, 1000), -1);
	CU_ASSERT_TRUE(was_reset(c[5]));
	sbc_sip_conn_counters(g, &n);
	CU_ASSERT_EQUAL(n.accepted, 4);
	CU_ASSERT_EQUAL(n.refused_source, 1);
	CU_ASSERT_EQUAL(n.refused_total, 1);
	CU_ASSERT_EQUAL(n.open, 4);
	CU_ASSERT_EQUAL(n.peak, 4);
	/* Closed by "Sofia": forgotten before the next refusal would be made. */
	close(s[0]);
	close(c[2]);
	c[2] = client(1);
	s[0] = accept_one(g, 1020);
	CU_ASSERT(s[0] >= 0);
	sbc_sip_conn_counters(g, &n);
	CU_ASSERT_EQUAL(n.open, 4);
	for (i = 0; i < 6; i++) {
		close(c[i]);
		if (i != 2 && i != 5)
			close(s[i]);
	}
	sbc_sip_conn_scan(g, 2000);
	sbc_sip_conn_counters(g, &n);
	CU_ASSERT_EQUAL(n.open, 0);
	sbc_sip_conn_destroy(g);
}

static int emfile_calls;

/* accept() out of descriptors once, then the real one. */
static int accept_emfile(int fd, struct sockaddr *addr, socklen_t *len)
{
	if (emfile_calls++ == 0) {
		errno = EMFILE;
		return -1;
	}
	return accept(fd, addr, len);
}

static void test_out_of_descriptors(void)
{
	struct sbc_sip_conn *g = guard(16, 16);
	struct sbc_sip_conn_counters n;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int c = client(1);

	emfile_calls = 0;
	errno = EINVAL;
	CU_ASSERT_EQUAL(sbc_sip_conn_accept(g, lfd, (struct sockaddr *)&ss, &len, accept_emfile,
					    1000), -1);
	CU_ASSERT_EQUAL(errno, 0);
	CU_ASSERT_EQUAL(emfile_calls, 2);         /* the reserve given up for one accept */
	CU_ASSERT_TRUE(was_reset(c));
	sbc_sip_conn_counters(g, &n);
	CU_ASSERT_EQUAL(n.refused_fds, 1);
	CU_ASSERT_EQUAL(n.open, 0);
	close(c);
	sbc_sip_conn_destroy(g);
}

static void test_scan(void)
{
	struct sbc_sip_conn *g = guard(16, 16);
	struct sbc_sip_conn_counters n;
	struct sbc_ip lo;
	int quiet_c, quiet_s, talk_c, talk_s, half_c, half_s;

	/* Silent since its accept: shut down at the idle timeout, not before. */
	quiet_c = client(1);
	quiet_s = accept_one(g, 0);
	talk_c = client(1);
	talk_s = accept_one(g, 0);
	CU_ASSERT_EQUAL(send(talk_c, "OPTIONS", 7, 0), 7);
	half_c = client(2);
	half_s = accept_one(g, 0);
	CU_ASSERT(quiet_s >= 0 && talk_s >= 0 && half_s >= 0);
	close(half_c);                            /* its FIN, never read by us */
	usleep(20000);
	sbc_sip_conn_scan(g, 100);                /* CLOSE-WAIT seen */
	CU_ASSERT_FALSE(hung_up(half_s));
	sbc_sip_conn_scan(g, 100 + SBC_SIP_CONN_HALF_OPEN_MS);
	CU_ASSERT_TRUE(hung_up(half_s));
	sbc_sip_conn_scan(g, 29999);
	CU_ASSERT_FALSE(hung_up(quiet_s));
	sbc_sip_conn_scan(g, 30000);
	CU_ASSERT_TRUE(hung_up(quiet_s));
	CU_ASSERT_FALSE(hung_up(talk_s));         /* Sofia's own idle timer is armed for it */
	sbc_sip_conn_counters(g, &n);
	CU_ASSERT_EQUAL(n.closed_half_open, 1);
	CU_ASSERT_EQUAL(n.closed_silent, 1);
	CU_ASSERT_EQUAL(n.closed_handshake, 0);
	close(quiet_s);
	close(talk_s);
	close(half_s);
	close(quiet_c);
	close(talk_c);
	sbc_sip_conn_destroy(g);

	/* On a TLS listener: the handshake timeout, unless the handshake is done. */
	g = guard(16, 16);
	CU_ASSERT_EQUAL_FATAL(sbc_ip_parse(&lo, "127.0.0.1"), 0);
	CU_ASSERT_EQUAL(sbc_sip_conn_add_tls_listener(g, &lo, lport), 0);
	quiet_c = client(1);
	quiet_s = accept_one(g, 0);
	talk_c = client(1);
	talk_s = accept_one(g, 0);
	sbc_sip_conn_handshake_done(g, talk_s);
	sbc_sip_conn_scan(g, 9999);
	CU_ASSERT_FALSE(hung_up(quiet_s));
	sbc_sip_conn_scan(g, 10000);
	CU_ASSERT_TRUE(hung_up(quiet_s));
	CU_ASSERT_FALSE(hung_up(talk_s));
	sbc_sip_conn_counters(g, &n);
	CU_ASSERT_EQUAL(n.closed_handshake, 1);
	CU_ASSERT_EQUAL(n.closed_silent, 0);
	close(quiet_s);
	close(talk_s);
	close(quiet_c);
	close(talk_c);
	sbc_sip_conn_destroy(g);
}

static void test_unix_untouched(void)
{
	struct sbc_sip_conn *g = guard(16, 1);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct sbc_sip_conn_counters n;
	int l, c1, c2, s1, s2;

	/* An abstract name: nothing left on disk. */
	snprintf(un.sun_path + 1, sizeof(un.sun_path) - 1, "rampart-test-sip-conn-%d", getpid());
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL_FATAL(bind(l, (struct sockaddr *)&un, sizeof(un)), 0);
	CU_ASSERT_EQUAL_FATAL(listen(l, 4), 0);
	c1 = socket(AF_UNIX, SOCK_STREAM, 0);
	c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL(connect(c1, (struct sockaddr *)&un, sizeof(un)), 0);
	CU_ASSERT_EQUAL(connect(c2, (struct sockaddr *)&un, sizeof(un)), 0);
	s1 = sbc_sip_conn_accept(g, l, NULL, NULL, accept, 0);
	s2 = sbc_sip_conn_accept(g, l, NULL, NULL, accept, 0);
	CU_ASSERT(s1 >= 0 && s2 >= 0);            /* a limit of 1 does not apply */
	sbc_sip_conn_counters(g, &n);
	CU_ASSERT_EQUAL(n.open, 0);
	close(s1);
	close(s2);
	close(c1);
	close(c2);
	close(l);
	sbc_sip_conn_destroy(g);
}

static void test_fit_descriptors(void)
{
	const struct sbc_sip_conn_params p = {
		.max_connections = 4096, .max_per_source = 128, .ipv6_prefix_len = 64,
		.idle_timeout_ms = 30000, .handshake_timeout_ms = 10000, .fd_limit = 1024,
	};
	struct sbc_sip_conn_counters n;
	struct sbc_sip_conn *g;
	int err = 0;

	g = sbc_sip_conn_create(&p, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	sbc_sip_conn_counters(g, &n);
	CU_ASSERT_EQUAL(n.max_connections, 1024 - SBC_SIP_CONN_FD_RESERVE);
	sbc_sip_conn_destroy(g);
}

/* ---- input framing ---- */

/* The test's judge: "BAD..." dropped with a reply, "DIE..." closed, the rest passed. */
static char judged[8][32];
static unsigned n_judged;
static char sent[256];
static size_t sent_len;

static enum sbc_sip_conn_verdict test_judge(void *arg, int fd, const char *hdr, size_t len,
					    bool framing_ok, char *reply, size_t size,
					    size_t *reply_len)
{
	(void)arg;
	(void)fd;
	(void)framing_ok;
	if (n_judged < 8) {
		size_t k = 0;

		while (k < len && hdr[k] != '\r' && hdr[k] != '\n')
			k++;
		snprintf(judged[n_judged], sizeof(judged[0]), "%.*s", (int)k, hdr);
	}
	n_judged++;
	CU_ASSERT(len >= 4 && hdr[len - 1] == '\n');
	*reply_len = 0;
	if (strncmp(hdr, "BAD", 3) == 0) {
		*reply_len = (size_t)snprintf(reply, size, "R501;");
		return SBC_SIP_CONN_DROP;
	}
	return strncmp(hdr, "DIE", 3) == 0 ? SBC_SIP_CONN_CLOSE : SBC_SIP_CONN_PASS;
}

static bool test_send(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	if (n > sizeof(sent) - sent_len)
		return false;
	memcpy(sent + sent_len, p, n);
	sent_len += n;
	return true;
}

/* @in through the framing on @fd, @step bytes a read; what Sofia got into @out. */
static size_t feed(struct sbc_sip_conn *g, int fd, const char *in, size_t step, char *out)
{
	size_t len = strlen(in), at = 0, got = 0;
	char buf[512];

	while (at < len) {
		size_t k = len - at < step ? len - at : step, left;

		memcpy(buf, in + at, k);
		left = sbc_sip_conn_stream_in(g, fd, buf, k, test_send, NULL, 0);
		memcpy(out + got, buf, left);
		got += left;
		at += k;
	}
	out[got] = '\0';
	return got;
}

static void framing_reset(void)
{
	memset(judged, 0, sizeof(judged));
	n_judged = 0;
	sent_len = 0;
}

static void test_stream_framing(void)
{
	static const char two[] = "OPTIONS a\r\nl: 3\r\n\r\nabc"
				  "BAD x\r\nContent-Length: 12\r\n\r\nOPTIONS fake"
				  "\r\n\r\nOPTIONS b\r\n\r\n";
	static const char kept[] = "OPTIONS a\r\nl: 3\r\n\r\nabc\r\n\r\nOPTIONS b\r\n\r\n";
	static const size_t steps[] = { 1000, 1, 2, 3, 7, 20, 31 };
	static const size_t cuts[] = { 1, 5, 19, 20, 22, 51, 55, 63, 65, 67, 70 };
	struct sbc_sip_conn *g = guard(16, 16);
	struct sbc_sip_conn_counters n;
	char out[512], buf[128];
	int c, s, other[2];

	sbc_sip_conn_set_judge(g, test_judge, NULL);
	c = client(1);
	s = accept_one(g, 0);
	CU_ASSERT_FATAL(s >= 0);
	/*
	 * A refused message and its body (which looks like a request) taken out,
	 * the keepalive after it kept, with the input in two reads cut anywhere
	 * but inside the refused one's header block (that is the ending case).
	 */
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		size_t got;

		CU_ASSERT_FATAL(cuts[i] < sizeof(two) - 1 && (cuts[i] <= 22 || cuts[i] >= 51));
		framing_reset();
		memcpy(buf, two, cuts[i]);
		buf[cuts[i]] = '\0';
		got = feed(g, s, buf, 1000, out);
		got += feed(g, s, two + cuts[i], 1000, out + got);
		CU_ASSERT_EQUAL(got, strlen(kept));
		CU_ASSERT_NSTRING_EQUAL(out, kept, sizeof(kept));
		CU_ASSERT_EQUAL(n_judged, 3);
		CU_ASSERT_STRING_EQUAL(judged[0], "OPTIONS a");
		CU_ASSERT_STRING_EQUAL(judged[1], "BAD x");
		CU_ASSERT_STRING_EQUAL(judged[2], "OPTIONS b");
		CU_ASSERT_EQUAL(sent_len, 5);
	}
	/* A passed message cut anywhere: all of it to Sofia, judged once. */
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		static const char one[] = "\r\n\r\nINVITE sip:x SIP/2.0\r\nContent-Length:  5 \r\n"
					  "\r\nhelloOPTIONS c\n\n";

		framing_reset();
		CU_ASSERT_EQUAL(feed(g, s, one, steps[i], out), strlen(one));
		CU_ASSERT_STRING_EQUAL(out, one);
		CU_ASSERT_EQUAL(n_judged, 2);
		CU_ASSERT_STRING_EQUAL(judged[0], "INVITE sip:x SIP/2.0");
		CU_ASSERT_STRING_EQUAL(judged[1], "OPTIONS c");
	}
	/* A refused body that spans reads is skipped across them. */
	framing_reset();
	CU_ASSERT_EQUAL(feed(g, s, "BAD y\r\nl: 40\r\n\r\n0123456789", 1000, out), 0);
	CU_ASSERT_EQUAL(feed(g, s, "0123456789012345678901234567890123456789", 1000, out), 10);
	CU_ASSERT_STRING_EQUAL(out, "0123456789");
	CU_ASSERT_EQUAL(n_judged, 1);    /* the last ten bytes start a header block */
	/* Sofia's write left incomplete: no reply now, and the stream ends. */
	framing_reset();
	CU_ASSERT_EQUAL(feed(g, s, "\r\n\r\n", 1000, out), 4);   /* ends that header block */
	sbc_sip_conn_stream_out(g, s, 10, 100);
	CU_ASSERT_EQUAL(feed(g, s, "BAD z\r\n\r\nOPTIONS d\r\n\r\n", 1000, out), 0);
	CU_ASSERT_EQUAL(sent_len, 0);
	CU_ASSERT_EQUAL(feed(g, s, "OPTIONS e\r\n\r\n", 1000, out), 0);
	sbc_sip_conn_counters(g, &n);
	CU_ASSERT_EQUAL(n.stream_closed, 1);
	CU_ASSERT_EQUAL(recv(s, buf, sizeof(buf), MSG_DONTWAIT), 0);  /* the end, readable */
	close(s);
	close(c);

	/* A refused message whose start Sofia already has: the stream ends there. */
	c = client(1);
	s = accept_one(g, 0);
	framing_reset();
	CU_ASSERT_EQUAL(feed(g, s, "OPTIONS f\r\n\r\nBAD w\r\nVia: x", 1000, out), 26);
	CU_ASSERT_EQUAL(feed(g, s, "\r\n\r\nOPTIONS g\r\n\r\n", 1000, out), 0);
	CU_ASSERT_EQUAL(sent_len, 5);    /* its reply still sent */
	CU_ASSERT_EQUAL(n_judged, 2);
	close(s);
	close(c);

	/* CLOSE, a Content-Length that is no number, two that differ. */
	{
		static const char *const ends[] = {
			"DIE now\r\n\r\n", "OPTIONS h\r\nl: 1x\r\n\r\n",
			"OPTIONS i\r\nl: 1\r\nContent-Length: 2\r\n\r\nab",
			"OPTIONS j\r\nl: 12345678901\r\n\r\n",
		};

		for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
			c = client(1);
			s = accept_one(g, 0);
			CU_ASSERT_EQUAL(feed(g, s, ends[i], 1000, out), 0);
			CU_ASSERT_EQUAL(feed(g, s, "OPTIONS k\r\n\r\n", 1000, out), 0);
			close(s);
			close(c);
		}
	}
	sbc_sip_conn_counters(g, &n);
	CU_ASSERT_EQUAL(n.stream_closed, 6);
	/* A descriptor the guard did not accept passes untouched. */
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, other), 0);
	framing_reset();
	CU_ASSERT_EQUAL(feed(g, other[0], "BAD v\r\n\r\n", 1000, out), 9);
	CU_ASSERT_EQUAL(n_judged, 0);
	close(other[0]);
	close(other[1]);
	sbc_sip_conn_destroy(g);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "per-source and total limits; closed descriptors forgotten", test_limits },
		{ "out of descriptors: one shed, nothing reported", test_out_of_descriptors },
		{ "scan: half-closed, silent, TLS without handshake", test_scan },
		{ "UNIX sockets pass untouched", test_unix_untouched },
		{ "max_connections fits the descriptors", test_fit_descriptors },
		{ "input framing: judged, taken out, replies, the end", test_stream_framing },
	};
	return SBC_TEST_RUN_SUITE("sip_conn", setup, teardown, tests);
}
