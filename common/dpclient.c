/* SPDX-License-Identifier: BSD-3-Clause
 * Control/data API client (see sbc_dpclient.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sbc_dpclient.h"

#define EVENT_QUEUE 256

struct sbc_dpclient {
	int fd;
	unsigned int timeout_ms;
	uint32_t next_id;
	struct sbc_api_hello_resp server;
	/* Events received while waiting for a response: a ring. */
	struct sbc_api_event events[EVENT_QUEUE];
	unsigned int ev_head, ev_count;
	uint64_t events_lost;
	_Alignas(8) uint8_t buf[SBC_API_MSG_MAX];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void queue_event(struct sbc_dpclient *c, const void *msg)
{
	if (c->ev_count == EVENT_QUEUE) {
		c->events_lost++;
		return;
	}
	memcpy(&c->events[(c->ev_head + c->ev_count) % EVENT_QUEUE], msg,
	       sizeof(struct sbc_api_event));
	c->ev_count++;
}

/*
 * Read one datagram into c->buf, waiting at most @wait_ms (0: do not
 * wait).  Returns its length, 0 when nothing came, or -errno.  Events are
 * queued here; the caller sees them as length 0 unless it asked for them.
 */
static ssize_t receive(struct sbc_dpclient *c, int wait_ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	ssize_t n;
	int rc;

	rc = poll(&p, 1, wait_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	if (rc == 0)
		return 0;
	n = recv(c->fd, c->buf, sizeof(c->buf), MSG_DONTWAIT);
	if (n == 0)
		return -EPIPE;   /* the data plane closed the connection */
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (sbc_api_decode(c->buf, (size_t)n) != SBC_API_OK)
		return -EBADMSG;
	return n;
}

int sbc_dpclient_call(struct sbc_dpclient *c, void *req, void *resp, size_t resp_len)
{
	struct sbc_api_hdr h;
	uint64_t deadline = now_ms() + c->timeout_ms;
	uint32_t id;

	memcpy(&h, req, sizeof(h));
	if (++c->next_id == 0)
		c->next_id = 1;
	id = c->next_id;
	h.request_id = id;
	memcpy(req, &h, sizeof(h));
	if (send(c->fd, req, h.size, MSG_NOSIGNAL) != (ssize_t)h.size)
		return errno ? -errno : -EIO;
	for (;;) {
		uint64_t now = now_ms();
		struct sbc_api_hdr rh;
		ssize_t n;

		if (now >= deadline)
			return -ETIMEDOUT;
		n = receive(c, (int)(deadline - now));
		if (n < 0)
			return (int)n;
		if (n == 0)
			continue;
		memcpy(&rh, c->buf, sizeof(rh));
		if (rh.type == SBC_API_EVENT) {
			queue_event(c, c->buf);
			continue;
		}
		if (rh.request_id != id)
			continue;  /* late answer to a request that timed out */
		if ((size_t)n > resp_len)
			return -EMSGSIZE;
		if (resp != (void *)c->buf)
			memcpy(resp, c->buf, (size_t)n);
		return rh.status;
	}
}

int sbc_dpclient_hello(struct sbc_dpclient *c, struct sbc_api_hello_resp *out)
{
	struct sbc_api_hello_req rq;
	int st;

	sbc_api_init(&rq, SBC_API_HELLO_REQ, 0);
	rq.client_version = SBC_API_VERSION;
	st = sbc_dpclient_call(c, &rq, c->buf, sizeof(c->buf));
	if (st == SBC_API_OK) {
		struct sbc_api_hdr rh;

		memcpy(&rh, c->buf, sizeof(rh));
		if (rh.type != SBC_API_HELLO_RESP)
			return -EPROTO;
		memcpy(out, c->buf, sizeof(*out));
	}
	return st;
}

struct sbc_dpclient *sbc_dpclient_connect(const char *path, unsigned int timeout_ms, int *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sbc_dpclient *c;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	c->timeout_ms = timeout_ms;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		*err = -errno;
		sbc_dpclient_close(c);
		return NULL;
	}
	rc = sbc_dpclient_hello(c, &c->server);
	if (rc != SBC_API_OK || c->server.server_version != SBC_API_VERSION) {
		*err = rc < 0 ? rc : -EPROTO;
		sbc_dpclient_close(c);
		return NULL;
	}
	*err = 0;
	return c;
}

void sbc_dpclient_close(struct sbc_dpclient *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	/* Requests may have carried SRTP keys through this buffer. */
	explicit_bzero(c->buf, sizeof(c->buf));
	free(c);
}

int sbc_dpclient_fd(const struct sbc_dpclient *c)
{
	return c->fd;
}

const struct sbc_api_hello_resp *sbc_dpclient_server(const struct sbc_dpclient *c)
{
	return &c->server;
}

uint64_t sbc_dpclient_events_lost(const struct sbc_dpclient *c)
{
	return c->events_lost;
}

int sbc_dpclient_next_event(struct sbc_dpclient *c, struct sbc_api_event *ev)
{
	while (c->ev_count == 0) {
		struct sbc_api_hdr rh;
		ssize_t n = receive(c, 0);

		if (n <= 0)
			return (int)n;
		memcpy(&rh, c->buf, sizeof(rh));
		if (rh.type == SBC_API_EVENT)
			queue_event(c, c->buf);
	}
	memcpy(ev, &c->events[c->ev_head], sizeof(*ev));
	c->ev_head = (c->ev_head + 1) % EVENT_QUEUE;
	c->ev_count--;
	return 1;
}

int sbc_dpclient_alloc(struct sbc_dpclient *c, const char *iface, int family, bool rtcp_mux,
		       struct sbc_api_alloc_ep *out)
{
	struct sbc_api_alloc_req rq;
	int st;

	sbc_api_init(&rq, SBC_API_ALLOC_REQ, 0);
	if (strlen(iface) >= sizeof(rq.item[0].iface))
		return SBC_API_EINVAL;
	rq.count = 1;
	memcpy(rq.item[0].iface, iface, strlen(iface) + 1);
	rq.item[0].family = family == 6 ? SBC_API_AF_INET6 : SBC_API_AF_INET;
	rq.item[0].rtcp_mux = rtcp_mux;
	st = sbc_dpclient_call(c, &rq, c->buf, sizeof(c->buf));
	if (st == SBC_API_OK) {
		const struct sbc_api_alloc_resp *r = (const void *)c->buf;
		struct sbc_api_hdr rh;

		memcpy(&rh, c->buf, sizeof(rh));
		if (rh.type != SBC_API_ALLOC_RESP || r->count != 1)
			return -EBADMSG;
		memcpy(out, &r->ep[0], sizeof(*out));
	}
	return st;
}

int sbc_dpclient_bind(struct sbc_dpclient *c, const struct sbc_api_leg *a,
		      const struct sbc_api_leg *b, uint32_t media_timeout_ms,
		      uint32_t *session_id)
{
	struct sbc_api_bind_req rq;
	int st;

	sbc_api_init(&rq, SBC_API_BIND_REQ, 0);
	rq.leg[0] = *a;
	rq.leg[1] = *b;
	rq.media_timeout_ms = media_timeout_ms;
	st = sbc_dpclient_call(c, &rq, c->buf, sizeof(c->buf));
	explicit_bzero(&rq, sizeof(rq));   /* SRTP keys */
	if (st == SBC_API_OK && session_id)
		*session_id = ((const struct sbc_api_bind_resp *)(const void *)c->buf)->session_id;
	return st;
}

int sbc_dpclient_update(struct sbc_dpclient *c, uint32_t session_id, uint32_t what,
			const struct sbc_api_leg *a, const struct sbc_api_leg *b,
			uint32_t media_timeout_ms)
{
	struct sbc_api_update_req rq;
	int st;

	sbc_api_init(&rq, SBC_API_UPDATE_REQ, 0);
	rq.session_id = session_id;
	rq.what = what;
	if (a)
		rq.leg[0] = *a;
	if (b)
		rq.leg[1] = *b;
	rq.media_timeout_ms = media_timeout_ms;
	st = sbc_dpclient_call(c, &rq, c->buf, sizeof(c->buf));
	explicit_bzero(&rq, sizeof(rq));
	return st;
}

int sbc_dpclient_release(struct sbc_dpclient *c, uint32_t session_id, uint32_t endpoint_id)
{
	struct sbc_api_release_req rq;

	sbc_api_init(&rq, SBC_API_RELEASE_REQ, 0);
	rq.session_id = session_id;
	rq.endpoint_id = endpoint_id;
	return sbc_dpclient_call(c, &rq, c->buf, sizeof(c->buf));
}

int sbc_dpclient_stats(struct sbc_dpclient *c, uint32_t session_id,
		       struct sbc_api_stats_resp *out)
{
	struct sbc_api_stats_req rq;
	int st;

	sbc_api_init(&rq, SBC_API_STATS_REQ, 0);
	rq.session_id = session_id;
	st = sbc_dpclient_call(c, &rq, c->buf, sizeof(c->buf));
	if (st == SBC_API_OK)
		memcpy(out, c->buf, sizeof(*out));
	return st;
}

int sbc_dpclient_dump(struct sbc_dpclient *c, uint32_t cursor, uint32_t max,
		      struct sbc_api_dump_resp *out)
{
	struct sbc_api_dump_req rq;
	int st;

	sbc_api_init(&rq, SBC_API_DUMP_REQ, 0);
	rq.cursor = cursor;
	rq.max = max;
	st = sbc_dpclient_call(c, &rq, c->buf, sizeof(c->buf));
	if (st == SBC_API_OK)
		memcpy(out, c->buf, sizeof(*out));
	return st;
}
