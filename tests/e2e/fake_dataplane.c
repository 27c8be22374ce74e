/* SPDX-License-Identifier: BSD-3-Clause
 * A data plane that misbehaves on purpose, for tests/e2e/dp_faults.sh: it
 * speaks the control/data API (common/sbc_api.h) on the configured
 * dataplane.api_socket, hands out endpoints on the configured media
 * interfaces' addresses (nothing is relayed), and answers each ALLOC and
 * each BIND according to a plan:
 *
 *   ok      at once
 *   never   not at all
 *   late    after --late-ms (longer than the control plane waits)
 *   error   at once with SBC_API_ENOSPC
 *
 * The k-th ALLOC follows the k-th word of --alloc (the last word repeats);
 * likewise BIND with --bind.  Every other request is served at once.  On
 * SIGTERM it writes its books to --report: endpoints allocated and still
 * held (leaked), sessions still bound, requests seen per type.
 *
 * usage: fake_dataplane -c CONFIG --report FILE [--alloc PLAN] [--bind PLAN]
 *                       [--late-ms MS]
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sbc_api.h"
#include "sbc_config.h"

#define MAX_EP 4096
#define MAX_DELAYED 256
#define PLAN_MAX 16

enum plan { PLAN_OK, PLAN_NEVER, PLAN_LATE, PLAN_ERROR };

struct delayed {
	uint64_t at_ms;
	size_t len;
	_Alignas(8) uint8_t msg[SBC_API_MSG_MAX];
};

static struct {
	const struct sbc_config *cfg;
	enum plan alloc[PLAN_MAX], bind[PLAN_MAX];
	unsigned int n_alloc, n_bind, allocs, binds;
	unsigned int late_ms;
	bool ep_used[MAX_EP];
	uint32_t ep_session[MAX_EP];
	uint32_t next_session;
	unsigned int sessions;
	unsigned long seen[SBC_API_TYPE__END];
	struct delayed delayed[MAX_DELAYED];
	unsigned int n_delayed;
} fk;

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int parse_plan(const char *s, enum plan *out, unsigned int *n)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL && *n < PLAN_MAX;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "ok") == 0)
			out[(*n)++] = PLAN_OK;
		else if (strcmp(tok, "never") == 0)
			out[(*n)++] = PLAN_NEVER;
		else if (strcmp(tok, "late") == 0)
			out[(*n)++] = PLAN_LATE;
		else if (strcmp(tok, "error") == 0)
			out[(*n)++] = PLAN_ERROR;
		else
			return -1;
	}
	return *n > 0 ? 0 : -1;
}

static enum plan next_plan(const enum plan *p, unsigned int n, unsigned int *k)
{
	enum plan v = p[*k < n ? *k : n - 1];

	(*k)++;
	return v;
}

static const struct sbc_cfg_media_if *media_if(const char *name)
{
	for (uint32_t i = 0; i < fk.cfg->dataplane.n_interfaces; i++)
		if (strcmp(fk.cfg->dataplane.interfaces[i].name, name) == 0)
			return &fk.cfg->dataplane.interfaces[i];
	return NULL;
}

static int do_alloc(const struct sbc_api_alloc_req *rq, struct sbc_api_alloc_resp *rs)
{
	rs->count = rq->count;
	for (uint32_t k = 0; k < rq->count; k++) {
		const struct sbc_cfg_media_if *m = media_if(rq->item[k].iface);
		const struct sbc_prefix *p = m == NULL ? NULL :
			rq->item[k].family == SBC_API_AF_INET6 ? &m->ipv6 : &m->ipv4;
		uint32_t id;

		if (p == NULL || p->ip.family == 0)
			return SBC_API_EINVAL;
		for (id = 1; id < MAX_EP && fk.ep_used[id]; id++)
			;
		if (id == MAX_EP)
			return SBC_API_ENOSPC;
		fk.ep_used[id] = true;
		rs->ep[k].endpoint_id = id;
		rs->ep[k].local.family = p->ip.family == 6 ? SBC_API_AF_INET6 : SBC_API_AF_INET;
		memcpy(rs->ep[k].local.ip, p->ip.bytes, p->ip.family == 6 ? 16 : 4);
		rs->ep[k].local.port = (uint16_t)(30000 + 2 * id);
		rs->ep[k].local_rtcp_port = rq->item[k].rtcp_mux ? rs->ep[k].local.port :
					    (uint16_t)(rs->ep[k].local.port + 1);
	}
	return SBC_API_OK;
}

static bool ep_ok(uint32_t id)
{
	return id > 0 && id < MAX_EP && fk.ep_used[id];
}

static int do_bind(const struct sbc_api_bind_req *rq, struct sbc_api_bind_resp *rs)
{
	uint32_t a = rq->leg[0].endpoint_id, b = rq->leg[1].endpoint_id;

	if (!ep_ok(a) || !ep_ok(b))
		return SBC_API_ENOENT;
	if (fk.ep_session[a] != 0 || fk.ep_session[b] != 0)
		return SBC_API_EBUSY;
	rs->session_id = ++fk.next_session;
	fk.ep_session[a] = fk.ep_session[b] = rs->session_id;
	fk.sessions++;
	return SBC_API_OK;
}

static int do_release(const struct sbc_api_release_req *rq)
{
	unsigned int n = 0;

	if (rq->session_id == 0) {
		if (!ep_ok(rq->endpoint_id) || fk.ep_session[rq->endpoint_id] != 0)
			return SBC_API_ENOENT;
		fk.ep_used[rq->endpoint_id] = false;
		return SBC_API_OK;
	}
	for (uint32_t id = 1; id < MAX_EP; id++)
		if (fk.ep_session[id] == rq->session_id) {
			fk.ep_session[id] = 0;
			fk.ep_used[id] = false;
			n++;
		}
	if (n == 0)
		return SBC_API_ENOENT;
	fk.sessions--;
	return SBC_API_OK;
}

/* The answer to @req in @resp; its length, or 0 for none (never). */
static size_t handle(const void *req, size_t len, void *resp, enum plan *when)
{
	struct sbc_api_hdr h;
	int st = sbc_api_decode(req, len);
	unsigned int rtype = SBC_API_STATUS_RESP;

	*when = PLAN_OK;
	if (st != SBC_API_OK)
		return (size_t)sbc_api_error_response(resp, req, len, st);
	memcpy(&h, req, sizeof(h));
	fk.seen[h.type]++;
	switch (h.type) {
	case SBC_API_HELLO_REQ: rtype = SBC_API_HELLO_RESP; break;
	case SBC_API_ALLOC_REQ:
		rtype = SBC_API_ALLOC_RESP;
		*when = next_plan(fk.alloc, fk.n_alloc, &fk.allocs);
		break;
	case SBC_API_BIND_REQ:
		rtype = SBC_API_BIND_RESP;
		*when = next_plan(fk.bind, fk.n_bind, &fk.binds);
		break;
	case SBC_API_STATS_REQ: rtype = SBC_API_STATS_RESP; break;
	case SBC_API_RELEASE_REQ: {
		const struct sbc_api_release_req *rq = req;

		if (rq->flags & SBC_API_RELEASE_STATS)
			rtype = SBC_API_STATS_RESP;
		break;
	}
	default: break;
	}
	if (*when == PLAN_NEVER)
		return 0;
	if (*when == PLAN_ERROR)
		return (size_t)sbc_api_error_response(resp, req, len, SBC_API_ENOSPC);
	sbc_api_init(resp, rtype, h.request_id);
	switch (h.type) {
	case SBC_API_HELLO_REQ: {
		struct sbc_api_hello_resp *r = resp;

		r->server_version = SBC_API_VERSION;
		r->n_workers = 1;
		r->max_streams = r->free_streams = MAX_EP;
		break;
	}
	case SBC_API_ALLOC_REQ: st = do_alloc(req, resp); break;
	case SBC_API_BIND_REQ: st = do_bind(req, resp); break;
	case SBC_API_RELEASE_REQ: {
		const struct sbc_api_release_req *rq = req;

		((struct sbc_api_stats_resp *)resp)->session_id = rq->session_id;
		st = do_release(rq);
		break;
	}
	case SBC_API_STATS_REQ:
		((struct sbc_api_stats_resp *)resp)->session_id =
			((const struct sbc_api_stats_req *)req)->session_id;
		break;
	default: break;
	}
	if (st != SBC_API_OK)
		return (size_t)sbc_api_error_response(resp, req, len, st);
	return sbc_api_msg_size(rtype);
}

static void report(const char *path)
{
	FILE *f = fopen(path, "w");
	unsigned int held = 0;

	if (f == NULL)
		return;
	for (uint32_t id = 1; id < MAX_EP; id++)
		held += fk.ep_used[id];
	fprintf(f, "endpoints_held=%u sessions_bound=%u allocs=%lu binds=%lu releases=%lu "
		"stats=%lu late_pending=%u\n", held, fk.sessions, fk.seen[SBC_API_ALLOC_REQ],
		fk.seen[SBC_API_BIND_REQ], fk.seen[SBC_API_RELEASE_REQ], fk.seen[SBC_API_STATS_REQ],
		fk.n_delayed);
	fclose(f);
}

static void send_due(int fd, uint64_t now)
{
	unsigned int i = 0;

	while (i < fk.n_delayed) {
		if (fk.delayed[i].at_ms > now) {
			i++;
			continue;
		}
		send(fd, fk.delayed[i].msg, fk.delayed[i].len, MSG_NOSIGNAL);
		fk.delayed[i] = fk.delayed[--fk.n_delayed];
	}
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 4) != 0) {
		perror(path);
		return -1;
	}
	return fd;
}

/* One connection at a time, until SIGTERM. */
static void serve(int lfd)
{
	_Alignas(8) uint8_t in[SBC_API_MSG_MAX];
	int cfd = -1;

	while (!stop) {
		struct pollfd p = { .fd = cfd >= 0 ? cfd : lfd, .events = POLLIN };
		ssize_t n;
		size_t rl;
		enum plan when;

		if (poll(&p, 1, 20) < 0 && errno != EINTR)
			break;
		if (cfd >= 0)
			send_due(cfd, now_ms());
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		if (cfd < 0) {
			cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			continue;
		}
		n = recv(cfd, in, sizeof(in), 0);
		if (n <= 0) {
			close(cfd);
			cfd = -1;
			continue;
		}
		if (fk.n_delayed == MAX_DELAYED)
			continue;
		rl = handle(in, (size_t)n, fk.delayed[fk.n_delayed].msg, &when);
		if (rl == 0)
			continue;
		if (when == PLAN_LATE) {
			fk.delayed[fk.n_delayed].len = rl;
			fk.delayed[fk.n_delayed].at_ms = now_ms() + fk.late_ms;
			fk.n_delayed++;
		} else {
			send(cfd, fk.delayed[fk.n_delayed].msg, rl, MSG_NOSIGNAL);
		}
	}
	if (cfd >= 0)
		close(cfd);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "alloc", required_argument, NULL, 'a' },
		{ "bind", required_argument, NULL, 'b' },
		{ "late-ms", required_argument, NULL, 'l' },
		{ "report", required_argument, NULL, 'r' },
		{ 0 },
	};
	struct sbc_config_errors errs;
	struct sbc_config *cfg;
	const char *path = NULL, *rep = NULL;
	int c, lfd;

	fk.late_ms = 3000;
	parse_plan("ok", fk.alloc, &fk.n_alloc);
	parse_plan("ok", fk.bind, &fk.n_bind);
	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'a':
			if (parse_plan(optarg, fk.alloc, &fk.n_alloc) != 0)
				return 2;
			break;
		case 'b':
			if (parse_plan(optarg, fk.bind, &fk.n_bind) != 0)
				return 2;
			break;
		case 'l': fk.late_ms = (unsigned int)atoi(optarg); break;
		case 'r': rep = optarg; break;
		default: return 2;
		}
	}
	if (path == NULL || rep == NULL || sbc_config_load(path, &cfg, &errs) != 0) {
		fprintf(stderr, "usage: fake_dataplane -c CONFIG --report FILE [--alloc PLAN] "
			"[--bind PLAN] [--late-ms MS]\n");
		return 2;
	}
	fk.cfg = cfg;
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	lfd = listen_on(cfg->dataplane.api_socket);
	if (lfd < 0)
		return 1;
	serve(lfd);
	close(lfd);
	unlink(cfg->dataplane.api_socket);
	report(rep);
	sbc_config_free(cfg);
	return 0;
}
