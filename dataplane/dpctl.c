/* SPDX-License-Identifier: BSD-3-Clause
 * sbc-dpctl: operator and debug client of the control/data API
 * (common/sbc_api.h, docs/api.md, docs/dpctl.md).
 *
 * It speaks the same SOCK_SEQPACKET protocol as sbc-controlplane, one request
 * at a time, and never links DPDK: it can run next to a live data plane on a
 * production host.  Every wait on the socket is bounded (SO_RCVTIMEO plus an
 * overall deadline per request), every response is decoded and its status
 * checked; a failed request prints the API's status text and exits 1.
 *
 * Single-threaded; only main() exits.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbc_addr.h"
#include "sbc_api.h"
#include "sbc_dpclient.h"

#define DPCTL_DEFAULT_SOCKET  "/run/rampart/dataplane.sock"
#define DPCTL_DEFAULT_WAIT_MS 5000u
#define DPCTL_MAX_WAIT_MS     600000u
/* A dump never needs more pages than the largest stream table allows. */
#define DPCTL_DUMP_MAX_PAGES  (2000000u / SBC_API_DUMP_MAX + 2u)
#define DPCTL_ADDR_STRLEN     64

/* One connection to the data plane (common/sbc_dpclient.h underneath). */
struct sbc_dpctl {
	struct sbc_dpclient *dpc;
	unsigned int wait_ms;             /* bound on each request's answer */
	const char *socket_path;
	_Alignas(8) uint8_t resp[SBC_API_MSG_MAX];
};

/* One row of a stream set written by gen_rtp_pcap.py --stream-set. */
struct sbc_dpctl_stream_row {
	unsigned long stream;
	struct sbc_ip src;                /* the peer: remote of the leg */
	struct sbc_ip dst;                /* our media address: local of the leg */
	uint16_t src_port;
	uint16_t dst_port;
	unsigned int line;                /* in the file, for messages */
};

struct sbc_dpctl_stream_set {
	const char *path;
	struct sbc_dpctl_stream_row *rows;
	size_t n;
};

/* ------------------------------------------------------------------ */
/* Transport                                                           */

/*
 * Send @req (its header initialised by sbc_api_init) and wait for its
 * answer in c->resp.  Returns SBC_API_OK (0), the positive status of an
 * error answer, or a negative errno: -ETIMEDOUT (no answer in time),
 * -EPIPE (the data plane closed the socket), -EPROTO (an answer that fails
 * to decode, or of an unexpected type).
 */
static int dpctl_call(struct sbc_dpctl *c, void *req, unsigned int resp_type)
{
	struct sbc_api_hdr r;
	int rc = sbc_dpclient_call(c->dpc, req, c->resp, sizeof(c->resp));

	if (rc == -EBADMSG)
		return -EPROTO;
	if (rc != SBC_API_OK)
		return rc;
	memcpy(&r, c->resp, sizeof(r));
	return r.type == resp_type ? SBC_API_OK : -EPROTO;
}

/* Print why a request failed; returns 1, the exit status of a failure. */
static int dpctl_fail(const char *what, int rc)
{
	if (rc > 0)
		fprintf(stderr, "sbc-dpctl: %s: %s\n", what, sbc_api_status_str(rc));
	else if (rc == -ETIMEDOUT)
		fprintf(stderr, "sbc-dpctl: %s: no answer from the data plane in time\n", what);
	else if (rc == -EPROTO)
		fprintf(stderr, "sbc-dpctl: %s: malformed or unexpected answer\n", what);
	else
		fprintf(stderr, "sbc-dpctl: %s: %s\n", what, strerror(-rc));
	return 1;
}

static char *dpctl_addr_str(const struct sbc_api_addr *a, char *buf)
{
	return sbc_api_addr_str(a, buf, DPCTL_ADDR_STRLEN);
}

static int dpctl_parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

static int cmd_hello(struct sbc_dpctl *c, char **argv)
{
	struct sbc_api_hello_resp r;
	int rc;

	(void)argv;
	rc = sbc_dpclient_hello(c->dpc, &r);
	if (rc != 0)
		return dpctl_fail("hello", rc);
	printf("version=%" PRIu32 " workers=%" PRIu32 " capacity=%" PRIu32 " free=%" PRIu32 "\n",
	       r.server_version, r.n_workers, r.max_streams, r.free_streams);
	return 0;
}

static int cmd_dump(struct sbc_dpctl *c, char **argv)
{
	const struct sbc_api_dump_resp *r = (const void *)c->resp;
	struct sbc_api_dump_req rq;
	uint32_t cursor = 0, total = 0, pages = 0;
	char local[DPCTL_ADDR_STRLEN], remote[DPCTL_ADDR_STRLEN];
	int rc;

	(void)argv;
	printf("%8s %8s %-24s %-24s %10s %12s %8s %14s\n", "endpoint", "session", "local",
	       "remote", "packets", "bytes", "drops", "last_seen_ms");
	do {
		sbc_api_init(&rq, SBC_API_DUMP_REQ, 0);
		rq.cursor = cursor;
		rq.max = SBC_API_DUMP_MAX;
		rc = dpctl_call(c, &rq, SBC_API_DUMP_RESP);
		if (rc != SBC_API_OK)
			return dpctl_fail("dump", rc);
		for (uint32_t i = 0; i < r->count; i++) {
			const struct sbc_api_stream_info *si = &r->streams[i];

			printf("%8" PRIu32 " %8" PRIu32 " %-24s %-24s %10" PRIu64 " %12" PRIu64
			       " %8" PRIu64 " %14" PRIu64 "\n",
			       si->endpoint_id, si->session_id, dpctl_addr_str(&si->local, local),
			       dpctl_addr_str(&si->remote, remote), si->packets, si->bytes,
			       si->drops, si->last_seen_ms);
		}
		total += r->count;
		/* A cursor that does not move would page forever. */
		if (r->next_cursor != 0 && r->next_cursor <= cursor)
			return dpctl_fail("dump", -EPROTO);
		cursor = r->next_cursor;
	} while (cursor != 0 && ++pages < DPCTL_DUMP_MAX_PAGES);
	printf("%" PRIu32 " streams\n", total);
	return 0;
}

static void print_drops(const uint64_t *drops)
{
	for (unsigned int d = 0; d < SBC_DROP__COUNT; d++)
		if (drops[d] != 0)
			printf("  drop %s=%" PRIu64 "\n", sbc_drop_reason_name(d), drops[d]);
}

static uint64_t sum_drops(const uint64_t *drops)
{
	uint64_t sum = 0;

	for (unsigned int d = 0; d < SBC_DROP__COUNT; d++)
		sum += drops[d];
	return sum;
}

static int cmd_stats(struct sbc_dpctl *c, char **argv)
{
	const struct sbc_api_stats_resp *r = (const void *)c->resp;
	struct sbc_api_stats_req rq;
	char src[DPCTL_ADDR_STRLEN];
	uint32_t id;
	int rc;

	if (dpctl_parse_u32(argv[0], &id) != 0) {
		fprintf(stderr, "sbc-dpctl: stats: '%s' is not a session id\n", argv[0]);
		return 2;
	}
	sbc_api_init(&rq, SBC_API_STATS_REQ, 0);
	rq.session_id = id;
	rc = dpctl_call(c, &rq, SBC_API_STATS_RESP);
	if (rc != SBC_API_OK)
		return dpctl_fail("stats", rc);
	if (id == 0) {
		/* Global: the totals where SBC_API_GLOBAL_STATS puts them, drops in leg[0]. */
		printf("global");
#define SBC_X_GLOBAL(name, li, field) printf(" " #name "=%" PRIu64, r->leg[li].field);
		SBC_API_GLOBAL_STATS(SBC_X_GLOBAL)
#undef SBC_X_GLOBAL
		printf(" drops=%" PRIu64 "\n", sum_drops(r->leg[0].drops));
		print_drops(r->leg[0].drops);
		return 0;
	}
	printf("session=%" PRIu32 "\n", r->session_id);
	for (unsigned int li = 0; li < 2; li++) {
		const struct sbc_api_leg_stats *ls = &r->leg[li];

		printf("leg=%c packets=%" PRIu64 " bytes=%" PRIu64 " drops=%" PRIu64
		       " ssrc=%" PRIu32 " lost=%" PRIu32 " jitter_us=%" PRIu32
		       " source=%s last_seen_ms=%" PRIu64 "\n",
		       li == 0 ? 'a' : 'b', ls->packets, ls->bytes, sum_drops(ls->drops), ls->ssrc,
		       ls->lost, ls->jitter_us, dpctl_addr_str(&ls->source, src), ls->last_seen_ms);
		print_drops(ls->drops);
	}
	return 0;
}

static int dpctl_release(struct sbc_dpctl *c, uint32_t session_id, uint32_t endpoint_id)
{
	struct sbc_api_release_req rq;

	sbc_api_init(&rq, SBC_API_RELEASE_REQ, 0);
	rq.session_id = session_id;
	rq.endpoint_id = endpoint_id;
	return dpctl_call(c, &rq, SBC_API_STATUS_RESP);
}

static int cmd_release(struct sbc_dpctl *c, char **argv)
{
	uint32_t id;
	int rc;

	if (dpctl_parse_u32(argv[0], &id) != 0 || id == 0) {
		fprintf(stderr, "sbc-dpctl: release: '%s' is not a session id\n", argv[0]);
		return 2;
	}
	rc = dpctl_release(c, id, 0);
	if (rc != SBC_API_OK)
		return dpctl_fail("release", rc);
	printf("released session %" PRIu32 "\n", id);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Stream sets (CSV)                                                   */

enum {
	COL_STREAM, COL_SRC_IP, COL_SRC_PORT, COL_DST_IP, COL_DST_PORT, COL__COUNT
};

static const char *const stream_set_columns[COL__COUNT] = {
	[COL_STREAM] = "stream",
	[COL_SRC_IP] = "src_ip",
	[COL_SRC_PORT] = "src_port",
	[COL_DST_IP] = "dst_ip",
	[COL_DST_PORT] = "dst_port",
};

#define CSV_MAX_FIELDS 16

/* Split @line in place at commas; strips the line end. Returns the count. */
static unsigned int csv_split(char *line, char **fields)
{
	unsigned int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	for (char *p = line; n < CSV_MAX_FIELDS; ) {
		char *comma = strchr(p, ',');

		fields[n++] = p;
		if (comma == NULL)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	return n;
}

static int parse_port(const char *s, uint16_t *port)
{
	uint32_t v;

	if (dpctl_parse_u32(s, &v) != 0 || v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

static int stream_set_row(struct sbc_dpctl_stream_row *row, char **f, const int *col)
{
	uint32_t stream;

	if (dpctl_parse_u32(f[col[COL_STREAM]], &stream) != 0)
		return -EINVAL;
	row->stream = stream;
	if (sbc_ip_parse(&row->src, f[col[COL_SRC_IP]]) != 0 ||
	    sbc_ip_parse(&row->dst, f[col[COL_DST_IP]]) != 0 ||
	    parse_port(f[col[COL_SRC_PORT]], &row->src_port) != 0 ||
	    parse_port(f[col[COL_DST_PORT]], &row->dst_port) != 0)
		return -EINVAL;
	if (row->src.family != row->dst.family)
		return -EAFNOSUPPORT;
	return 0;
}

/*
 * Read a stream set: a header naming at least the columns above (in any
 * order, more allowed: ssrc), then one row per stream.  Prints
 * "file:line: why" and returns -errno on the first problem.
 */
static int stream_set_load(struct sbc_dpctl_stream_set *set, const char *path)
{
	char *line = NULL, *f[CSV_MAX_FIELDS];
	int col[COL__COUNT];
	size_t cap = 0, alloc = 0;
	unsigned int lineno = 0, nf = 0;
	int rc = 0;
	FILE *fp;

	memset(set, 0, sizeof(*set));
	set->path = path;
	fp = fopen(path, "r");
	if (fp == NULL) {
		rc = -errno;
		fprintf(stderr, "sbc-dpctl: %s: %s\n", path, strerror(errno));
		return rc;
	}
	while (getline(&line, &cap, fp) >= 0) {
		struct sbc_dpctl_stream_row *row;
		unsigned int n;

		lineno++;
		n = csv_split(line, f);
		if (lineno == 1) {
			nf = n;
			for (unsigned int k = 0; k < COL__COUNT; k++) {
				col[k] = -1;
				for (unsigned int j = 0; j < n; j++)
					if (strcmp(f[j], stream_set_columns[k]) == 0)
						col[k] = (int)j;
				if (col[k] < 0) {
					fprintf(stderr, "sbc-dpctl: %s:1: no column '%s' (want a "
						"gen_rtp_pcap.py --stream-set file)\n", path,
						stream_set_columns[k]);
					rc = -EINVAL;
					goto out;
				}
			}
			continue;
		}
		if (n == 1 && f[0][0] == '\0')
			continue;  /* blank line */
		if (n != nf) {
			fprintf(stderr, "sbc-dpctl: %s:%u: %u fields, the header has %u\n", path,
				lineno, n, nf);
			rc = -EINVAL;
			goto out;
		}
		if (set->n == alloc) {
			size_t want = alloc ? alloc * 2 : 64;
			void *p = realloc(set->rows, want * sizeof(*set->rows));

			if (p == NULL) {
				rc = -ENOMEM;
				fprintf(stderr, "sbc-dpctl: %s: out of memory\n", path);
				goto out;
			}
			set->rows = p;
			alloc = want;
		}
		row = &set->rows[set->n];
		rc = stream_set_row(row, f, col);
		if (rc != 0) {
			fprintf(stderr, "sbc-dpctl: %s:%u: %s\n", path, lineno,
				rc == -EAFNOSUPPORT ? "src_ip and dst_ip of different families" :
				"bad stream number, address or port");
			goto out;
		}
		row->line = lineno;
		set->n++;
	}
	if (ferror(fp)) {
		rc = -EIO;
		fprintf(stderr, "sbc-dpctl: %s: read error\n", path);
	} else if (lineno == 0) {
		rc = -EINVAL;
		fprintf(stderr, "sbc-dpctl: %s: empty file\n", path);
	}
out:
	free(line);
	fclose(fp);
	return rc;
}

static void stream_set_free(struct sbc_dpctl_stream_set *set)
{
	free(set->rows);
	set->rows = NULL;
	set->n = 0;
}

/* ------------------------------------------------------------------ */
/* load-sessions                                                       */

static void api_addr_set(struct sbc_api_addr *a, const struct sbc_ip *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = ip->family == 4 ? SBC_API_AF_INET : SBC_API_AF_INET6;
	a->port = port;
	memcpy(a->ip, ip->bytes, ip->family == 4 ? 4 : 16);
}

static bool api_addr_equal(const struct sbc_api_addr *a, const struct sbc_api_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->ip, b->ip, a->family == SBC_API_AF_INET ? 4 : 16) == 0;
}

/*
 * ALLOC one endpoint on @iface for @row, asking for the RTP port the stream
 * set sends to, and check that the local address is the one it sends to
 * (EBUSY: that port is taken, EINVAL: outside the interface's media_ports).
 * Returns 0 with *ep set, a positive API status, a negative errno, or
 * -EADDRNOTAVAIL after printing the mismatch (the endpoint is then still
 * allocated and *ep set, so the caller can release it).
 */
static int load_alloc(struct sbc_dpctl *c, const char *iface,
		      const struct sbc_dpctl_stream_set *set, size_t i, uint32_t *ep)
{
	const struct sbc_dpctl_stream_row *row = &set->rows[i];
	const struct sbc_api_alloc_resp *r = (const void *)c->resp;
	const struct sbc_api_alloc_ep *got = &r->ep[0];
	struct sbc_api_alloc_req rq;
	struct sbc_api_addr want;
	char got_s[DPCTL_ADDR_STRLEN], want_s[DPCTL_ADDR_STRLEN];
	int rc;

	/* One endpoint per request: each is checked against its row. */
	sbc_api_init(&rq, SBC_API_ALLOC_REQ, 0);
	rq.count = 1;
	snprintf(rq.item[0].iface, sizeof(rq.item[0].iface), "%s", iface);
	rq.item[0].family = row->dst.family == 4 ? SBC_API_AF_INET : SBC_API_AF_INET6;
	rq.item[0].rtcp_mux = 0;
	rq.item[0].port = row->dst_port;   /* the port the traffic is sent to */
	rc = dpctl_call(c, &rq, SBC_API_ALLOC_RESP);
	if (rc != SBC_API_OK)
		return rc;
	if (r->count != 1)
		return -EPROTO;
	*ep = got->endpoint_id;
	api_addr_set(&want, &row->dst, row->dst_port);
	if (!api_addr_equal(&got->local, &want)) {
		fprintf(stderr,
			"sbc-dpctl: %s:%u (stream %lu): interface %s allocated %s, the stream set "
			"sends to %s\n"
			"  generate with --dst-ip set to the interface address\n",
			set->path, row->line, row->stream, iface,
			dpctl_addr_str(&got->local, got_s), dpctl_addr_str(&want, want_s));
		return -EADDRNOTAVAIL;
	}
	return 0;
}

static void load_leg(struct sbc_api_leg *leg, uint32_t ep,
		     const struct sbc_dpctl_stream_row *row)
{
	memset(leg, 0, sizeof(*leg));
	leg->endpoint_id = ep;
	api_addr_set(&leg->remote, &row->src, row->src_port);
	leg->remote_rtcp_port = 0;  /* RTP port + 1 */
	leg->latching = SBC_API_LATCH_LEARN;
	/* As sbc-controlplane's default (learn_from: address): the row's source. */
	leg->learn_prefix = row->src.family == 4 ? 32 : 128;
	leg->flags = SBC_API_LEG_RECV | SBC_API_LEG_SEND;
}

/* Program session @i; on failure release what this row allocated. */
static int load_one(struct sbc_dpctl *c, const char *iface_a, const struct sbc_dpctl_stream_set *a,
		    const char *iface_b, const struct sbc_dpctl_stream_set *b, size_t i,
		    uint32_t *session_id)
{
	const struct sbc_api_bind_resp *r = (const void *)c->resp;
	struct sbc_api_bind_req rq;
	uint32_t ep_a = 0, ep_b = 0;
	const char *step = "ALLOC on ";
	const char *iface = iface_a;
	char what[160];
	int rc;

	rc = load_alloc(c, iface_a, a, i, &ep_a);
	if (rc == 0) {
		iface = iface_b;
		rc = load_alloc(c, iface_b, b, i, &ep_b);
	}
	if (rc == 0) {
		step = "BIND";
		iface = "";
		sbc_api_init(&rq, SBC_API_BIND_REQ, 0);
		load_leg(&rq.leg[0], ep_a, &a->rows[i]);
		load_leg(&rq.leg[1], ep_b, &b->rows[i]);
		rq.media_timeout_ms = 0;
		rc = dpctl_call(c, &rq, SBC_API_BIND_RESP);
		if (rc == SBC_API_OK) {
			*session_id = r->session_id;
			return 0;
		}
	}
	if (rc != -EADDRNOTAVAIL) {
		snprintf(what, sizeof(what), "load-sessions: row %zu (%s line %u): %s%s", i + 1,
			 a->path, a->rows[i].line, step, iface);
		dpctl_fail(what, rc);
	}
	/* Best effort: leave no half-programmed row behind. */
	if (ep_a != 0)
		(void)dpctl_release(c, 0, ep_a);
	if (ep_b != 0)
		(void)dpctl_release(c, 0, ep_b);
	return rc;
}

static int cmd_load_sessions(struct sbc_dpctl *c, char **argv)
{
	struct sbc_dpctl_stream_set a, b;
	char la[DPCTL_ADDR_STRLEN], ra[DPCTL_ADDR_STRLEN];
	char lb[DPCTL_ADDR_STRLEN], rb[DPCTL_ADDR_STRLEN];
	size_t done = 0;
	int status = 1;

	if (strlen(argv[0]) >= SBC_API_NAME_MAX || strlen(argv[2]) >= SBC_API_NAME_MAX) {
		fprintf(stderr, "sbc-dpctl: load-sessions: interface names are at most %d "
			"characters\n", SBC_API_NAME_MAX - 1);
		return 2;
	}
	if (stream_set_load(&a, argv[1]) != 0)
		return 1;
	if (stream_set_load(&b, argv[3]) != 0) {
		stream_set_free(&a);
		return 1;
	}
	if (a.n != b.n || a.n == 0) {
		fprintf(stderr, "sbc-dpctl: load-sessions: %s has %zu streams, %s has %zu; "
			"need the same non-zero number\n", a.path, a.n, b.path, b.n);
		goto out;
	}
	for (size_t i = 0; i < a.n; i++) {
		struct sbc_api_addr x;
		uint32_t sid;

		if (load_one(c, argv[0], &a, argv[2], &b, i, &sid) != 0) {
			fprintf(stderr, "sbc-dpctl: load-sessions: stopped after %zu of %zu "
				"sessions\n", done, a.n);
			goto out;
		}
		done++;
		api_addr_set(&x, &a.rows[i].dst, a.rows[i].dst_port);
		dpctl_addr_str(&x, la);
		api_addr_set(&x, &a.rows[i].src, a.rows[i].src_port);
		dpctl_addr_str(&x, ra);
		api_addr_set(&x, &b.rows[i].dst, b.rows[i].dst_port);
		dpctl_addr_str(&x, lb);
		api_addr_set(&x, &b.rows[i].src, b.rows[i].src_port);
		dpctl_addr_str(&x, rb);
		printf("session=%" PRIu32 " a=%s local=%s remote=%s b=%s local=%s remote=%s\n",
		       sid, argv[0], la, ra, argv[2], lb, rb);
	}
	printf("programmed %zu sessions\n", done);
	status = 0;
out:
	stream_set_free(&a);
	stream_set_free(&b);
	return status;
}

/* ------------------------------------------------------------------ */
/* Command table and main                                              */

/* X(function, "name", arguments, "usage", "what it does") */
#define SBC_DPCTL_COMMANDS(X) \
	X(cmd_hello, "hello", 0, "", \
	  "API version, workers, stream capacity and free slots") \
	X(cmd_dump, "dump", 0, "", \
	  "every stream: endpoint, session, local, remote, counters") \
	X(cmd_stats, "stats", 1, "SESSION_ID", \
	  "per-leg counters and drop reasons of a session (0: global totals)") \
	X(cmd_release, "release", 1, "SESSION_ID", \
	  "release a session and both its endpoints") \
	X(cmd_load_sessions, "load-sessions", 4, "IFACE_A CSV_A IFACE_B CSV_B", \
	  "one session per stream-set row: ALLOC on each side, check the local\n" \
	  "                   address against dst_ip:dst_port, BIND with remote src_ip:src_port")

struct sbc_dpctl_command {
	const char *name;
	int n_args;
	const char *args;
	const char *help;
	int (*run)(struct sbc_dpctl *c, char **argv);
};

static const struct sbc_dpctl_command dpctl_commands[] = {
#define SBC_DPCTL_X_ROW(fn, name, n, args, help) { name, n, args, help, fn },
	SBC_DPCTL_COMMANDS(SBC_DPCTL_X_ROW)
#undef SBC_DPCTL_X_ROW
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sbc-dpctl [-s SOCKET] [-w SECONDS] COMMAND [ARG...]\n"
		"  -s, --socket PATH   data plane API socket (default %s)\n"
		"  -w, --wait SECONDS  bound on each answer (default %u)\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          this text\n"
		"commands:\n", DPCTL_DEFAULT_SOCKET, DPCTL_DEFAULT_WAIT_MS / 1000u);
	for (size_t i = 0; i < sizeof(dpctl_commands) / sizeof(dpctl_commands[0]); i++) {
		const struct sbc_dpctl_command *cmd = &dpctl_commands[i];

		fprintf(f, "  %s%s%s\n                   %s\n", cmd->name, cmd->args[0] ? " " : "",
			cmd->args, cmd->help);
	}
}

static int parse_wait(const char *s, unsigned int *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0) ||
	    v * 1000.0 > DPCTL_MAX_WAIT_MS)
		return -EINVAL;
	*ms = (unsigned int)(v * 1000.0 + 0.5);
	if (*ms == 0)
		*ms = 1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static struct sbc_dpctl ctl = {
		.wait_ms = DPCTL_DEFAULT_WAIT_MS,
		.socket_path = DPCTL_DEFAULT_SOCKET,
	};
	const struct sbc_dpctl_command *cmd = NULL;
	int c, rc;

	/* "+": options end at the command name. */
	while ((c = getopt_long(argc, argv, "+s:w:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			ctl.socket_path = optarg;
			break;
		case 'w':
			if (parse_wait(optarg, &ctl.wait_ms) != 0) {
				fprintf(stderr, "sbc-dpctl: -w: '%s' is not a number of seconds "
					"(0 < s <= %u)\n", optarg, DPCTL_MAX_WAIT_MS / 1000u);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sbc-dpctl %s\n", SBC_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(dpctl_commands) / sizeof(dpctl_commands[0]); i++)
		if (strcmp(argv[optind], dpctl_commands[i].name) == 0)
			cmd = &dpctl_commands[i];
	if (cmd == NULL) {
		fprintf(stderr, "sbc-dpctl: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (argc - optind - 1 != cmd->n_args) {
		fprintf(stderr, "usage: sbc-dpctl [-s SOCKET] %s %s\n", cmd->name, cmd->args);
		return 2;
	}
	if (sbc_api_selfcheck() != 0) {
		fprintf(stderr, "sbc-dpctl: API size table inconsistent (build problem)\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	/* The connection starts with HELLO: another API version is refused. */
	ctl.dpc = sbc_dpclient_connect(ctl.socket_path, ctl.wait_ms, &rc);
	if (ctl.dpc == NULL) {
		if (rc == -EPROTO)
			fprintf(stderr, "sbc-dpctl: %s: not a data plane of API version %u\n",
				ctl.socket_path, SBC_API_VERSION);
		else
			fprintf(stderr, "sbc-dpctl: cannot connect to %s: %s\n", ctl.socket_path,
				strerror(-rc));
		return 1;
	}
	rc = cmd->run(&ctl, argv + optind + 1);
	sbc_dpclient_close(ctl.dpc);
	return rc;
}
