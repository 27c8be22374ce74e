/* SPDX-License-Identifier: BSD-3-Clause
 * Meson suite `dataplane`, test `api`: the real sbc-dataplane process on
 * net_null ports, driven over its UNIX SOCK_SEQPACKET socket like the
 * control plane will: 10,000 sessions programmed, dumped, updated, queried
 * and released; malformed messages answered with errors while the process
 * keeps serving.
 *
 * usage: test_api_client /path/to/sbc-dataplane
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cunit_run.h"
#include "sbc_api.h"
#include "sbc_dpclient.h"

#define N_SESSIONS 10000

static const char *dataplane_bin;
static char cfg_path[64], sock_path[108], prefix[64];
static pid_t child = -1;
static int fd = -1;
static struct sbc_dpclient *dpc;
static uint32_t next_id;

static const char config_fmt[] =
	"dataplane:\n"
	"  eal: [\"--no-huge\", \"-m\", \"512\", \"--no-pci\", \"--log-level\", \"lib.*:error\"]\n"
	"  main_lcore: 0\n"
	"  workers: [1]\n"
	"  ports:\n"
	"    - { name: p0, device: \"net_null0,no-rx=1\" }\n"
	"    - { name: p1, device: \"net_null1,no-rx=1\" }\n"
	"  interfaces:\n"
	"    - { name: m0, port: p0, ipv4: 198.18.0.1/24, media_ports: 20000-39999 }\n"
	"    - { name: m1, port: p1, ipv4: 198.18.1.1/24, ipv6: \"2001:db8:1::1/64\",\n"
	"        media_ports: 20000-39999 }\n"
	"  stream_table_size: 32768\n"
	"  mempool_size: 8191\n"
	"  idle_backoff_us: 1000\n"
	"  telemetry: true\n"
	"  pdump: false\n"
	"  api_socket: %s\n"
	"sip:\n"
	"  interfaces:\n"
	"    - { name: s0, side: carrier, address: 198.18.0.1, media_interface: m0,\n"
	"        listen: [{ transport: udp, port: 5060 }] }\n";

static void stop_child(void)
{
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
		child = -1;
	}
}

static int start_dataplane(void)
{
	FILE *f;

	snprintf(cfg_path, sizeof(cfg_path), "/tmp/rampart-api-%d.yaml", (int)getpid());
	snprintf(sock_path, sizeof(sock_path), "/tmp/rampart-api-%d.sock", (int)getpid());
	snprintf(prefix, sizeof(prefix), "rampart_api_%d", (int)getpid());
	f = fopen(cfg_path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, config_fmt, sock_path);
	fclose(f);
	child = fork();
	if (child == 0) {
		execl(dataplane_bin, dataplane_bin, "-c", cfg_path, "--file-prefix", prefix,
		      (char *)NULL);
		_exit(127);
	}
	if (child < 0)
		return -1;
	/* Wait (bounded) for the data plane to answer HELLO. */
	for (int i = 0; i < 300; i++) {
		int status, err;

		if (waitpid(child, &status, WNOHANG) == child) {
			child = -1;
			fprintf(stderr, "sbc-dataplane exited early (status %d)\n", status);
			return -1;
		}
		dpc = sbc_dpclient_connect(sock_path, 5000, &err);
		if (dpc != NULL) {
			fd = sbc_dpclient_fd(dpc);
			return 0;
		}
		usleep(100 * 1000);
	}
	return -1;
}

/*
 * Send raw bytes (malformed on purpose) on the library's socket and wait
 * (bounded) for the answer: the library itself only sends well-formed
 * requests.
 */
static int raw_call(void *req, size_t len, void *resp, size_t rlen)
{
	struct sbc_api_hdr h, rq;
	struct timeval tv = { .tv_sec = 5 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&rq, 0, sizeof(rq));
	memcpy(&rq, req, len < sizeof(rq) ? len : sizeof(rq));
	if (send(fd, req, len, 0) != (ssize_t)len)
		return -1;
	for (;;) {
		ssize_t n = recv(fd, resp, rlen, 0);

		if (n < (ssize_t)sizeof(h))
			return -1;
		if (sbc_api_decode(resp, (size_t)n) != SBC_API_OK)
			return -1;
		memcpy(&h, resp, sizeof(h));
		if (h.type == SBC_API_EVENT)
			continue;  /* events may interleave */
		/* A late answer to an earlier request must not pass for this one. */
		if (len >= sizeof(rq) && h.request_id != rq.request_id)
			continue;
		return h.status;
	}
}

static _Alignas(8) uint8_t resp[SBC_API_MSG_MAX];

static int alloc(const char *iface, uint32_t *ep, uint16_t *port)
{
	struct sbc_api_alloc_req rq;
	int st;

	sbc_api_init(&rq, SBC_API_ALLOC_REQ, ++next_id);
	rq.count = 1;
	snprintf(rq.item[0].iface, sizeof(rq.item[0].iface), "%s", iface);
	rq.item[0].family = SBC_API_AF_INET;
	st = sbc_dpclient_call(dpc, &rq, resp, sizeof(resp));
	if (st == SBC_API_OK) {
		const struct sbc_api_alloc_resp *r = (const void *)resp;

		CU_ASSERT_EQUAL(r->count, 1);
		*ep = r->ep[0].endpoint_id;
		*port = r->ep[0].local.port;
	}
	return st;
}

static void leg(struct sbc_api_leg *l, uint32_t ep, uint8_t last_octet, uint16_t port)
{
	memset(l, 0, sizeof(*l));
	l->endpoint_id = ep;
	l->remote.family = SBC_API_AF_INET;
	l->remote.ip[0] = 198;
	l->remote.ip[1] = 18;
	l->remote.ip[2] = last_octet == 2 ? 0 : 1;
	l->remote.ip[3] = 2;
	l->remote.port = port;
	l->latching = SBC_API_LATCH_LEARN;
	l->flags = SBC_API_LEG_RECV | SBC_API_LEG_SEND;
}

static uint32_t sessions[N_SESSIONS];
static uint32_t eps[N_SESSIONS][2];

static void test_hello(void)
{
	struct sbc_api_hello_req rq;
	const struct sbc_api_hello_resp *r = (const void *)resp;

	sbc_api_init(&rq, SBC_API_HELLO_REQ, ++next_id);
	rq.client_version = SBC_API_VERSION;
	CU_ASSERT_EQUAL_FATAL(sbc_dpclient_call(dpc, &rq, resp, sizeof(resp)), SBC_API_OK);
	CU_ASSERT_EQUAL(r->server_version, SBC_API_VERSION);
	CU_ASSERT_EQUAL(r->n_workers, 1);
	CU_ASSERT_EQUAL(r->max_streams, 32768);
	CU_ASSERT_EQUAL(r->free_streams, 32768);
}

static void test_program_sessions(void)
{
	struct sbc_api_bind_req rq;
	struct timespec t0, t1;
	unsigned int failures = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0; i < N_SESSIONS; i++) {
		uint16_t pa, pb;

		if (alloc("m0", &eps[i][0], &pa) != SBC_API_OK ||
		    alloc("m1", &eps[i][1], &pb) != SBC_API_OK) {
			failures++;
			continue;
		}
		sbc_api_init(&rq, SBC_API_BIND_REQ, ++next_id);
		leg(&rq.leg[0], eps[i][0], 2, (uint16_t)(10000 + 2 * (i % 20000)));
		leg(&rq.leg[1], eps[i][1], 3, (uint16_t)(30000 + 2 * (i % 10000)));
		rq.media_timeout_ms = 0;
		if (sbc_dpclient_call(dpc, &rq, resp, sizeof(resp)) != SBC_API_OK) {
			failures++;
			continue;
		}
		sessions[i] = ((const struct sbc_api_bind_resp *)resp)->session_id;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CU_ASSERT_EQUAL(failures, 0);
	printf("\n    programmed %u sessions in %.2f s\n", N_SESSIONS,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
}

static void test_dump(void)
{
	struct sbc_api_dump_req rq;
	const struct sbc_api_dump_resp *r = (const void *)resp;
	uint32_t cursor = 0, total = 0, bound = 0, pages = 0;

	do {
		sbc_api_init(&rq, SBC_API_DUMP_REQ, ++next_id);
		rq.cursor = cursor;
		rq.max = SBC_API_DUMP_MAX;
		if (sbc_dpclient_call(dpc, &rq, resp, sizeof(resp)) != SBC_API_OK) {
			CU_FAIL("dump");
			return;
		}
		total += r->count;
		for (uint32_t i = 0; i < r->count; i++)
			bound += r->streams[i].session_id != 0;
		cursor = r->next_cursor;
	} while (cursor != 0 && ++pages < 10000);
	CU_ASSERT_EQUAL(total, 2 * N_SESSIONS);
	CU_ASSERT_EQUAL(bound, 2 * N_SESSIONS);
}

/* Ask DPDK telemetry (the protocol dpdk-telemetry.py speaks) for @cmd. */
static int telemetry(const char *cmd, char *out, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int t = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	struct timeval tv = { .tv_sec = 5 };
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/var/run/dpdk/%s/dpdk_telemetry.v2", prefix);
	if (t < 0 || connect(t, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (t >= 0)
			close(t);
		return -1;
	}
	setsockopt(t, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(t, out, len - 1, 0);           /* greeting */
	if (n <= 0 || send(t, cmd, strlen(cmd), 0) < 0) {
		close(t);
		return -1;
	}
	n = recv(t, out, len - 1, 0);
	close(t);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	return 0;
}

static void test_telemetry(void)
{
	char buf[8192];

	CU_ASSERT_EQUAL_FATAL(telemetry("/rampart/streams", buf, sizeof(buf)), 0);
	CU_ASSERT(strstr(buf, "\"streams\":20000") != NULL);
	CU_ASSERT(strstr(buf, "\"capacity\":32768") != NULL);
	CU_ASSERT_EQUAL_FATAL(telemetry("/rampart/drops", buf, sizeof(buf)), 0);
	CU_ASSERT(strstr(buf, "\"no_stream\":") != NULL);
	CU_ASSERT(strstr(buf, "\"srtp_auth\":") != NULL);
	CU_ASSERT_EQUAL_FATAL(telemetry("/rampart/workers", buf, sizeof(buf)), 0);
	CU_ASSERT(strstr(buf, "\"worker0\"") != NULL);
	/* The keys scripts read (SBC_WORKER_COUNTERS). */
	{
		static const char *const keys[] = {
			"lcore", "rx_packets", "tx_packets", "host_packets", "handoff_packets",
			"polls", "idle_polls",
		};
		char key[40];

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			snprintf(key, sizeof(key), "\"%s\":", keys[k]);
			CU_ASSERT(strstr(buf, key) != NULL);
		}
	}
	CU_ASSERT_EQUAL_FATAL(telemetry("/rampart/ports", buf, sizeof(buf)), 0);
	CU_ASSERT(strstr(buf, "\"p0\"") != NULL && strstr(buf, "\"p1\"") != NULL);
	CU_ASSERT_EQUAL_FATAL(telemetry("/rampart/host", buf, sizeof(buf)), 0);
	CU_ASSERT(strstr(buf, "\"arp_replies\":") != NULL);
}

static void test_update_and_stats(void)
{
	struct sbc_api_update_req rq;
	struct sbc_api_stats_req sq;
	unsigned int failures = 0;

	for (unsigned int i = 0; i < N_SESSIONS; i++) {
		sbc_api_init(&rq, SBC_API_UPDATE_REQ, ++next_id);
		rq.session_id = sessions[i];
		rq.what = SBC_API_UPDATE_LEG_B;
		leg(&rq.leg[1], eps[i][1], 3, (uint16_t)(50000 + 2 * (i % 5000)));
		rq.leg[1].flags = SBC_API_LEG_RECV;  /* hold */
		if (sbc_dpclient_call(dpc, &rq, resp, sizeof(resp)) != SBC_API_OK)
			failures++;
	}
	CU_ASSERT_EQUAL(failures, 0);
	sbc_api_init(&sq, SBC_API_STATS_REQ, ++next_id);
	sq.session_id = sessions[N_SESSIONS / 2];
	CU_ASSERT_EQUAL(sbc_dpclient_call(dpc, &sq, resp, sizeof(resp)), SBC_API_OK);
	CU_ASSERT_EQUAL(((const struct sbc_api_stats_resp *)resp)->session_id, sessions[N_SESSIONS / 2]);
	sq.session_id = 0;
	CU_ASSERT_EQUAL(sbc_dpclient_call(dpc, &sq, resp, sizeof(resp)), SBC_API_OK);
}

static void test_malformed(void)
{
	uint8_t junk[300];
	struct sbc_api_hdr h;
	struct sbc_api_release_req rel;
	struct sbc_api_hello_req hello;
	unsigned int seed = 7;

	/* random bytes of random sizes: every one answered, never a crash */
	for (int i = 0; i < 500; i++) {
		size_t len = 1 + (size_t)rand_r(&seed) % sizeof(junk);
		int st;

		for (size_t k = 0; k < len; k++)
			junk[k] = (uint8_t)rand_r(&seed);
		st = raw_call(junk, len, resp, sizeof(resp));
		CU_ASSERT(st > 0);
	}
	/* truncated, wrong version, unknown type */
	sbc_api_init(&rel, SBC_API_RELEASE_REQ, 4242);
	rel.session_id = sessions[0];
	CU_ASSERT_EQUAL(raw_call(&rel, sizeof(rel) - 2, resp, sizeof(resp)), SBC_API_ESIZE);
	memcpy(&h, resp, sizeof(h));
	CU_ASSERT_EQUAL(h.request_id, 4242);
	((struct sbc_api_hdr *)&rel)->version = SBC_API_VERSION + 1;
	CU_ASSERT_EQUAL(raw_call(&rel, sizeof(rel), resp, sizeof(resp)), SBC_API_EVERSION);
	((struct sbc_api_hdr *)&rel)->version = SBC_API_VERSION;
	((struct sbc_api_hdr *)&rel)->type = 200;
	CU_ASSERT_EQUAL(raw_call(&rel, sizeof(rel), resp, sizeof(resp)), SBC_API_ETYPE);
	/* an oversized datagram */
	{
		static uint8_t big[SBC_API_MSG_MAX * 2];

		sbc_api_init(big, SBC_API_HELLO_REQ, 1);
		CU_ASSERT_EQUAL(raw_call(big, sizeof(big), resp, sizeof(resp)), SBC_API_ESIZE);
	}
	/* still serving */
	sbc_api_init(&hello, SBC_API_HELLO_REQ, ++next_id);
	CU_ASSERT_EQUAL(sbc_dpclient_call(dpc, &hello, resp, sizeof(resp)), SBC_API_OK);
}

static void test_release(void)
{
	struct sbc_api_release_req rq;
	struct sbc_api_hello_req hello;
	unsigned int failures = 0;

	for (unsigned int i = 0; i < N_SESSIONS; i++) {
		sbc_api_init(&rq, SBC_API_RELEASE_REQ, ++next_id);
		rq.session_id = sessions[i];
		if (sbc_dpclient_call(dpc, &rq, resp, sizeof(resp)) != SBC_API_OK)
			failures++;
	}
	CU_ASSERT_EQUAL(failures, 0);
	/* Slots come back after the workers' grace period: poll briefly. */
	for (int i = 0; i < 50; i++) {
		sbc_api_init(&hello, SBC_API_HELLO_REQ, ++next_id);
		CU_ASSERT_EQUAL_FATAL(sbc_dpclient_call(dpc, &hello, resp, sizeof(resp)), SBC_API_OK);
		if (((const struct sbc_api_hello_resp *)resp)->free_streams == 32768)
			break;
		usleep(20 * 1000);
	}
	CU_ASSERT_EQUAL(((const struct sbc_api_hello_resp *)resp)->free_streams, 32768);
	/* the process is alive and well */
	CU_ASSERT_EQUAL(waitpid(child, NULL, WNOHANG), 0);
}

static uint32_t free_streams(void)
{
	struct sbc_api_hello_resp h;

	if (sbc_dpclient_hello(dpc, &h) != SBC_API_OK)
		return UINT32_MAX;
	return h.free_streams;
}

/* One ALLOC of eight endpoints; one whose last item fails takes nothing. */
static void test_alloc_batch(void)
{
	struct sbc_api_alloc_req rq;
	const struct sbc_api_alloc_resp *r = (const void *)resp;
	uint32_t ids[SBC_API_ALLOC_MAX], before;

	sbc_api_init(&rq, SBC_API_ALLOC_REQ, 0);
	rq.count = SBC_API_ALLOC_MAX;
	for (unsigned int i = 0; i < SBC_API_ALLOC_MAX; i++) {
		snprintf(rq.item[i].iface, sizeof(rq.item[i].iface), i & 1 ? "m1" : "m0");
		/* m1 has IPv6 too */
		rq.item[i].family = (i & 3) == 3 ? SBC_API_AF_INET6 : SBC_API_AF_INET;
		rq.item[i].rtcp_mux = i >= 4;
	}
	before = free_streams();
	CU_ASSERT_EQUAL_FATAL(sbc_dpclient_call(dpc, &rq, resp, sizeof(resp)), SBC_API_OK);
	CU_ASSERT_EQUAL(r->hdr.type, SBC_API_ALLOC_RESP);
	CU_ASSERT_EQUAL_FATAL(r->count, SBC_API_ALLOC_MAX);
	for (unsigned int i = 0; i < SBC_API_ALLOC_MAX; i++) {
		const struct sbc_api_alloc_ep *ep = &r->ep[i];

		ids[i] = ep->endpoint_id;
		CU_ASSERT(ep->endpoint_id != 0);
		CU_ASSERT_EQUAL(ep->local.family, rq.item[i].family);
		CU_ASSERT_EQUAL(ep->local_rtcp_port, i >= 4 ? ep->local.port : ep->local.port + 1);
		for (unsigned int j = 0; j < i; j++)
			CU_ASSERT_NOT_EQUAL(ep->endpoint_id, r->ep[j].endpoint_id);
	}
	CU_ASSERT_EQUAL(free_streams(), before - SBC_API_ALLOC_MAX);
	for (unsigned int i = 0; i < SBC_API_ALLOC_MAX; i++)
		CU_ASSERT_EQUAL(sbc_dpclient_release(dpc, 0, ids[i]), SBC_API_OK);
	/* Released slots come back after the workers' grace period: wait for it. */
	for (int i = 0; i < 100 && free_streams() != before; i++)
		usleep(10 * 1000);
	CU_ASSERT_EQUAL_FATAL(free_streams(), before);

	/* m0 has no IPv6: the last item fails, the seven before it are given back. */
	rq.item[SBC_API_ALLOC_MAX - 1] = rq.item[0];
	rq.item[SBC_API_ALLOC_MAX - 1].family = SBC_API_AF_INET6;
	CU_ASSERT_EQUAL(sbc_dpclient_call(dpc, &rq, resp, sizeof(resp)), SBC_API_EINVAL);
	CU_ASSERT_EQUAL(r->hdr.type, SBC_API_STATUS_RESP);
	CU_ASSERT_EQUAL(free_streams(), before);
	snprintf(rq.item[SBC_API_ALLOC_MAX - 1].iface, SBC_API_NAME_MAX, "nope");
	CU_ASSERT_EQUAL(sbc_dpclient_call(dpc, &rq, resp, sizeof(resp)), SBC_API_ENOENT);
	CU_ASSERT_EQUAL(free_streams(), before);
}

static int suite_init(void)
{
	return start_dataplane();
}

/* Events through the client library: a media timeout on an idle session. */
static void test_events(void)
{
	struct sbc_api_alloc_ep a, b;
	struct sbc_api_leg la, lb;
	struct sbc_api_event ev;
	uint32_t sid = 0;
	int got = 0;

	CU_ASSERT_EQUAL_FATAL(sbc_dpclient_alloc(dpc, "m0", 4, false, &a), SBC_API_OK);
	CU_ASSERT_EQUAL_FATAL(sbc_dpclient_alloc(dpc, "m1", 4, false, &b), SBC_API_OK);
	leg(&la, a.endpoint_id, 2, 10000);
	leg(&lb, b.endpoint_id, 3, 30000);
	CU_ASSERT_EQUAL_FATAL(sbc_dpclient_bind(dpc, &la, &lb, 100, &sid), SBC_API_OK);
	/* Bounded: the sweep runs every 100 ms; allow 3 s. */
	for (int i = 0; i < 300 && !got; i++) {
		int rc;

		while ((rc = sbc_dpclient_next_event(dpc, &ev)) == 1) {
			if (ev.kind == SBC_API_EV_MEDIA_TIMEOUT && ev.session_id == sid) {
				got = 1;
				break;
			}
		}
		CU_ASSERT_FATAL(rc >= 0);
		if (!got)
			usleep(10 * 1000);
	}
	CU_ASSERT(got);
	CU_ASSERT(ev.count >= 100);
	/* Released with its final counters in the same round trip. */
	{
		struct sbc_api_release_req rq;
		const struct sbc_api_stats_resp *st = (const void *)resp;

		sbc_api_init(&rq, SBC_API_RELEASE_REQ, 0);
		rq.session_id = sid;
		rq.flags = SBC_API_RELEASE_STATS;
		CU_ASSERT_EQUAL(sbc_dpclient_call(dpc, &rq, resp, sizeof(resp)), SBC_API_OK);
		CU_ASSERT_EQUAL(st->hdr.type, SBC_API_STATS_RESP);
		CU_ASSERT_EQUAL(st->session_id, sid);
		CU_ASSERT_EQUAL(st->leg[0].packets, 0);
		CU_ASSERT_EQUAL(sbc_dpclient_call(dpc, &rq, resp, sizeof(resp)), SBC_API_ENOENT);
		CU_ASSERT_EQUAL(st->hdr.type, SBC_API_STATUS_RESP);
	}
	CU_ASSERT_EQUAL(sbc_dpclient_release(dpc, sid, 0), SBC_API_ENOENT);
	CU_ASSERT_EQUAL(sbc_dpclient_release(dpc, 0, a.endpoint_id), SBC_API_ENOENT);
	CU_ASSERT_EQUAL(sbc_dpclient_events_lost(dpc), 0);
}

/*
 * The control plane pipelines its requests: 1,000 STATS (each answer
 * about 700 bytes, far more than a socket's default buffer holds) sent
 * before any answer is read.  Every one must be answered: the data plane
 * may make the client wait, never drop an answer.
 */
#define PIPELINED 1000
static unsigned int pipelined_ok, pipelined_bad;

static void pipelined_done(void *arg, int status, const void *r, size_t len)
{
	(void)arg;
	(void)r;
	(void)len;
	if (status == SBC_API_OK)
		pipelined_ok++;
	else
		pipelined_bad++;
}

static void test_pipelined(void)
{
	struct sbc_api_stats_req rq;
	struct timespec pause = { 0, 300 * 1000000L };
	unsigned int sent = 0;
	uint64_t deadline;

	pipelined_ok = pipelined_bad = 0;
	while (sent < PIPELINED) {
		int rc;

		sbc_api_init(&rq, SBC_API_STATS_REQ, 0);
		rc = sbc_dpclient_send(dpc, &rq, 10000, pipelined_done, NULL);
		if (rc == -EAGAIN) {       /* our own buffer full: let the data plane read */
			nanosleep(&(struct timespec){ 0, 1000000L }, NULL);
			continue;
		}
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		sent++;
	}
	nanosleep(&pause, NULL);       /* the data plane answers while nobody reads */
	deadline = sbc_dpclient_monotonic_ms() + 5000;
	while (pipelined_ok + pipelined_bad < PIPELINED && sbc_dpclient_monotonic_ms() < deadline) {
		CU_ASSERT_FATAL(sbc_dpclient_dispatch(dpc) >= 0);
		nanosleep(&(struct timespec){ 0, 1000000L }, NULL);
	}
	sbc_dpclient_expire(dpc, UINT64_MAX);
	CU_ASSERT_EQUAL(pipelined_ok, PIPELINED);
	CU_ASSERT_EQUAL(pipelined_bad, 0);
}

/* SIGTERM: a clean exit that leaves no EAL runtime directory behind. */
static void test_clean_exit(void)
{
	char dir[128];
	int status = -1;

	sbc_dpclient_close(dpc);
	dpc = NULL;
	fd = -1;
	CU_ASSERT_FATAL(child > 0);
	kill(child, SIGTERM);
	CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
	child = -1;
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", prefix);
	CU_ASSERT_EQUAL(access(dir, F_OK), -1);
	CU_ASSERT_EQUAL(access(sock_path, F_OK), -1);
}

static int suite_clean(void)
{
	sbc_dpclient_close(dpc);
	dpc = NULL;
	stop_child();
	unlink(cfg_path);
	unlink(sock_path);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct sbc_test tests[] = {
		{ "hello", test_hello },
		{ "program 10,000 sessions", test_program_sessions },
		{ "dump every stream", test_dump },
		{ "telemetry /rampart/* commands", test_telemetry },
		{ "update all, stats", test_update_and_stats },
		{ "malformed messages get errors, process keeps serving", test_malformed },
		{ "release all", test_release },
		{ "ALLOC of eight endpoints, all or nothing", test_alloc_batch },
		{ "media-timeout event through the client library, RELEASE with final STATS",
		  test_events },
		{ "1,000 pipelined requests, every one answered", test_pipelined },
		{ "SIGTERM: clean exit, nothing left behind", test_clean_exit },
	};
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s /path/to/sbc-dataplane\n", argv[0]);
		return 2;
	}
	dataplane_bin = argv[1];
	signal(SIGPIPE, SIG_IGN);
	rc = SBC_TEST_RUN_SUITE("api", suite_init, suite_clean, tests);
	stop_child();
	return rc;
}
