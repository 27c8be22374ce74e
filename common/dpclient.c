/* SPDX-License-Identifier: BSD-3-Clause
 * Control/data API client (see sbc_dpclient.h).
 *
 * Pending requests live in a fixed table of SBC_DPCLIENT_MAX_PENDING
 * slots.  A request id names its slot in its low bits and the slot's use
 * count above them, so an answer finds its request in O(1) and an answer
 * to an earlier use of the same slot does not match.  Pending requests are
 * also linked in deadline order: every caller uses one timeout, so a new
 * request goes to the tail in O(1); a shorter timeout walks back from the
 * tail to its place, which keeps expiry correct whatever the mix.
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

#define SLOT_BITS 12u
#define N_SLOTS   (1u << SLOT_BITS)
#define SLOT_MASK (N_SLOTS - 1u)
#define GEN_MAX   (UINT32_MAX >> SLOT_BITS)
#define NIL       UINT16_MAX

_Static_assert(N_SLOTS == SBC_DPCLIENT_MAX_PENDING, "slot bits and SBC_DPCLIENT_MAX_PENDING");
_Static_assert(N_SLOTS < NIL, "slot indices must fit uint16_t below NIL");

enum slot_state {
	SLOT_FREE = 0,
	SLOT_PENDING,     /* asynchronous, in the deadline list */
	SLOT_CALL,        /* the blocking sbc_dpclient_call() in progress */
};

struct dpclient_slot {
	uint64_t deadline_ms;
	uint64_t seq;                 /* send order, to bound sbc_dpclient_expire() */
	sbc_dpclient_done_fn done;
	void *arg;
	uint32_t gen;                 /* uses of this slot, 1..GEN_MAX: the id's high bits */
	uint16_t prev, next;          /* deadline list, NIL at its ends */
	uint8_t state;                /* enum slot_state */
	uint8_t answer;               /* type a success is answered with */
};

struct sbc_dpclient {
	int fd;
	int error;                    /* 0, or -errno once the connection failed */
	bool closing;
	bool in_call;                 /* a blocking call waits for its answer */
	unsigned int timeout_ms;
	struct sbc_api_hello_resp server;
	struct sbc_dpclient_stats st;
	/* Pending requests: the table, its free slots, the deadline list. */
	struct dpclient_slot slots[N_SLOTS];
	uint16_t free_slots[N_SLOTS];
	unsigned int n_free;
	unsigned int n_pending;       /* SLOT_PENDING only */
	uint16_t head, tail;
	uint64_t next_seq;
	/* Ids of the last expired requests, a ring; 0 = empty or taken. */
	uint32_t expired[SBC_DPCLIENT_LATE_IDS];
	unsigned int expired_next;
	void (*late_fn)(void *arg, const void *resp, size_t len);
	void *late_arg;
	/* Events received while waiting for a response: a ring. */
	struct sbc_api_event events[EVENT_QUEUE];
	unsigned int ev_head, ev_count;
	_Alignas(8) uint8_t buf[SBC_API_MSG_MAX];
};

uint64_t sbc_dpclient_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* Slots                                                               */

static uint32_t slot_id(const struct sbc_dpclient *c, unsigned int i)
{
	/* gen >= 1: an id is never 0, the value events carry. */
	return c->slots[i].gen << SLOT_BITS | i;
}

/* Take a free slot for a new request; NIL when none is left. */
static uint16_t slot_take(struct sbc_dpclient *c, uint8_t state)
{
	struct dpclient_slot *s;
	uint16_t i;

	if (c->n_free == 0)
		return NIL;
	i = c->free_slots[--c->n_free];
	s = &c->slots[i];
	s->gen = s->gen >= GEN_MAX ? 1 : s->gen + 1;
	s->state = state;
	s->prev = s->next = NIL;
	return i;
}

static void slot_put(struct sbc_dpclient *c, uint16_t i)
{
	struct dpclient_slot *s = &c->slots[i];

	s->state = SLOT_FREE;
	s->done = NULL;
	s->arg = NULL;
	c->free_slots[c->n_free++] = i;
}

/* Into the deadline list, after the last request due no later. */
static void deadline_insert(struct sbc_dpclient *c, uint16_t i)
{
	struct dpclient_slot *s = &c->slots[i];
	uint16_t after = c->tail;

	while (after != NIL && c->slots[after].deadline_ms > s->deadline_ms)
		after = c->slots[after].prev;
	s->prev = after;
	s->next = after == NIL ? c->head : c->slots[after].next;
	if (s->next == NIL)
		c->tail = i;
	else
		c->slots[s->next].prev = i;
	if (after == NIL)
		c->head = i;
	else
		c->slots[after].next = i;
	c->n_pending++;
}

static void deadline_remove(struct sbc_dpclient *c, uint16_t i)
{
	struct dpclient_slot *s = &c->slots[i];

	if (s->prev == NIL)
		c->head = s->next;
	else
		c->slots[s->prev].next = s->next;
	if (s->next == NIL)
		c->tail = s->prev;
	else
		c->slots[s->next].prev = s->prev;
	s->prev = s->next = NIL;
	c->n_pending--;
}

/* The pending asynchronous request @id names, or NIL. */
static uint16_t pending_lookup(const struct sbc_dpclient *c, uint32_t id)
{
	uint16_t i = (uint16_t)(id & SLOT_MASK);

	if (c->slots[i].state != SLOT_PENDING || slot_id(c, i) != id)
		return NIL;
	return i;
}

/*
 * Detach pending request @i and run its callback.  Everything is undone
 * before the call: the callback may send (and reuse this very slot).
 */
static void complete(struct sbc_dpclient *c, uint16_t i, int status, const void *resp,
		     size_t len)
{
	struct dpclient_slot *s = &c->slots[i];
	sbc_dpclient_done_fn done = s->done;
	void *arg = s->arg;

	deadline_remove(c, i);
	slot_put(c, i);
	done(arg, status, resp, len);
}

static void remember_expired(struct sbc_dpclient *c, uint32_t id)
{
	c->expired[c->expired_next] = id;
	c->expired_next = (c->expired_next + 1) % SBC_DPCLIENT_LATE_IDS;
}

/* Forget @id if it expired recently; true if it had. */
static bool take_expired(struct sbc_dpclient *c, uint32_t id)
{
	for (unsigned int k = 0; k < SBC_DPCLIENT_LATE_IDS; k++) {
		if (c->expired[k] == id) {
			c->expired[k] = 0;
			return true;
		}
	}
	return false;
}

/* The connection is gone: fail every pending request, once. */
static int connection_failed(struct sbc_dpclient *c, int err)
{
	if (c->error == 0)
		c->error = err;
	while (c->head != NIL) {
		c->st.aborted++;
		complete(c, c->head, -EPIPE, NULL, 0);
	}
	return c->error;
}

/* ------------------------------------------------------------------ */
/* Receiving                                                           */

static void queue_event(struct sbc_dpclient *c, const void *msg)
{
	c->st.events++;
	if (c->ev_count == EVENT_QUEUE) {
		c->st.events_lost++;
		return;
	}
	memcpy(&c->events[(c->ev_head + c->ev_count) % EVENT_QUEUE], msg,
	       sizeof(struct sbc_api_event));
	c->ev_count++;
}

/*
 * Read one datagram into c->buf without waiting.  Returns its length, 0
 * when nothing is there, or -errno when the connection failed (0 bytes
 * read: the data plane closed it).  A datagram larger than the buffer is
 * reported at its real length (MSG_TRUNC) so that it fails decoding.
 */
static ssize_t receive(struct sbc_dpclient *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->buf, sizeof(c->buf), MSG_DONTWAIT | MSG_TRUNC);

		if (n > 0)
			return n;
		if (n == 0)
			return -EPIPE;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return -errno;
	}
}

/* Decode status of the datagram in c->buf; oversized ones were cut short. */
static int buf_decode(const struct sbc_dpclient *c, size_t len)
{
	if (len > sizeof(c->buf))
		return SBC_API_ESIZE;
	return sbc_api_decode(c->buf, len);
}

/*
 * Act on the datagram of @len bytes in c->buf: an event is queued, an
 * answer completes its pending request, a late one goes to the late
 * handler, anything else is counted and dropped.
 */
static void handle_message(struct sbc_dpclient *c, size_t len)
{
	int st = buf_decode(c, len);
	struct sbc_api_hdr h;
	uint16_t i;

	if (len < sizeof(h)) {
		c->st.malformed++;
		return;
	}
	memcpy(&h, c->buf, sizeof(h));
	if (st == SBC_API_OK && h.type == SBC_API_EVENT) {
		queue_event(c, c->buf);
		return;
	}
	if (st != SBC_API_OK || sbc_api_is_request(h.type)) {
		c->st.malformed++;
		/* A readable id may still name the request it was meant for. */
		if (h.magic == SBC_API_MAGIC && (i = pending_lookup(c, h.request_id)) != NIL) {
			c->st.answered++;
			complete(c, i, -EBADMSG, NULL, 0);
		}
		return;
	}
	i = pending_lookup(c, h.request_id);
	if (i != NIL) {
		const struct dpclient_slot *s = &c->slots[i];

		c->st.answered++;
		/* A success must be what the request is answered with; errors are STATUS_RESP. */
		if (h.type == s->answer || (h.type == SBC_API_STATUS_RESP && h.status != SBC_API_OK)) {
			if (h.type == SBC_API_HELLO_RESP)
				memcpy(&c->server, c->buf, sizeof(c->server));
			complete(c, i, h.status, c->buf, len);
		} else {
			c->st.malformed++;
			complete(c, i, -EBADMSG, NULL, 0);
		}
		return;
	}
	if (h.request_id != 0 && take_expired(c, h.request_id)) {
		c->st.late++;
		if (c->late_fn != NULL)
			c->late_fn(c->late_arg, c->buf, len);
		return;
	}
	c->st.unknown_id++;
}

int sbc_dpclient_dispatch(struct sbc_dpclient *c)
{
	int n = 0;

	if (c->error != 0)
		return c->error;
	for (;;) {
		ssize_t len = receive(c);

		if (len < 0)
			return connection_failed(c, (int)len);
		if (len == 0)
			return n;
		n++;
		handle_message(c, (size_t)len);
	}
}

unsigned int sbc_dpclient_expire(struct sbc_dpclient *c, uint64_t now_ms)
{
	/* Those sent by the callbacks below are left for the next call. */
	uint64_t sent_before = c->next_seq;
	unsigned int n = 0;

	while (c->head != NIL && c->slots[c->head].deadline_ms <= now_ms &&
	       c->slots[c->head].seq < sent_before) {
		uint16_t i = c->head;

		remember_expired(c, slot_id(c, i));
		c->st.timeouts++;
		n++;
		complete(c, i, -ETIMEDOUT, NULL, 0);
	}
	return n;
}

uint64_t sbc_dpclient_next_deadline(const struct sbc_dpclient *c)
{
	return c->head == NIL ? UINT64_MAX : c->slots[c->head].deadline_ms;
}

unsigned int sbc_dpclient_pending(const struct sbc_dpclient *c)
{
	return c->n_pending;
}

void sbc_dpclient_set_late_handler(struct sbc_dpclient *c,
				   void (*fn)(void *arg, const void *resp, size_t len), void *arg)
{
	c->late_fn = fn;
	c->late_arg = arg;
}

void sbc_dpclient_get_stats(const struct sbc_dpclient *c, struct sbc_dpclient_stats *st)
{
	*st = c->st;
}

uint64_t sbc_dpclient_events_lost(const struct sbc_dpclient *c)
{
	return c->st.events_lost;
}

int sbc_dpclient_next_event(struct sbc_dpclient *c, struct sbc_api_event *ev)
{
	while (c->ev_count == 0) {
		ssize_t n;

		if (c->error != 0)
			return c->error;
		n = receive(c);
		if (n < 0)
			return connection_failed(c, (int)n);
		if (n == 0)
			return 0;
		handle_message(c, (size_t)n);
	}
	memcpy(ev, &c->events[c->ev_head], sizeof(*ev));
	c->ev_head = (c->ev_head + 1) % EVENT_QUEUE;
	c->ev_count--;
	return 1;
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */

/* @req's header, if it is one of a request as sbc_api_init() builds it. */
static int request_header(const void *req, struct sbc_api_hdr *h)
{
	if (req == NULL)
		return -EINVAL;
	memcpy(h, req, sizeof(*h));
	if (h->magic != SBC_API_MAGIC || h->version != SBC_API_VERSION ||
	    !sbc_api_is_request(h->type) || h->size != sbc_api_msg_size(h->type))
		return -EINVAL;
	return 0;
}

/* Stamp @id into @req and send it without blocking; 0 or -errno. */
static int send_request(struct sbc_dpclient *c, void *req, struct sbc_api_hdr *h, uint32_t id)
{
	ssize_t n;

	h->request_id = id;
	memcpy(req, h, sizeof(*h));
	do
		n = send(c->fd, req, h->size, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)h->size)
		return 0;
	if (n >= 0)
		return -EIO;       /* a datagram socket sends all or nothing */
	if (errno == EWOULDBLOCK)
		return -EAGAIN;
	/* Gone: the read side reports it and fails the pending requests. */
	if (errno == ECONNRESET || errno == ENOTCONN || errno == ESHUTDOWN)
		return -EPIPE;
	return -errno;
}

int sbc_dpclient_send(struct sbc_dpclient *c, void *req, unsigned int timeout_ms,
		      sbc_dpclient_done_fn done, void *arg)
{
	struct dpclient_slot *s;
	struct sbc_api_hdr h;
	uint16_t i;
	int rc;

	if (c->error != 0 || c->closing)
		return -EPIPE;
	if (c->in_call)
		return -EBUSY;
	if (done == NULL || request_header(req, &h) != 0)
		return -EINVAL;
	i = slot_take(c, SLOT_PENDING);
	if (i == NIL)
		return -ENOSPC;
	rc = send_request(c, req, &h, slot_id(c, i));
	if (rc != 0) {
		c->st.send_errors++;
		slot_put(c, i);
		return rc;
	}
	c->st.sent++;
	s = &c->slots[i];
	s->deadline_ms = sbc_dpclient_monotonic_ms() + timeout_ms;
	s->seq = c->next_seq++;
	s->done = done;
	s->arg = arg;
	s->answer = (uint8_t)sbc_api_answer_type(req);
	deadline_insert(c, i);
	return 0;
}

/* Wait until the socket is readable (or writable) or @deadline; false on timeout. */
static bool wait_fd(const struct sbc_dpclient *c, short events, uint64_t deadline)
{
	for (;;) {
		uint64_t now = sbc_dpclient_monotonic_ms();
		struct pollfd p = { .fd = c->fd, .events = events };
		int rc;

		if (now >= deadline)
			return false;
		rc = poll(&p, 1, (int)(deadline - now > 60000 ? 60000 : deadline - now));
		if (rc > 0)
			return true;
		if (rc < 0 && errno != EINTR)
			return true;   /* let the read or write report it */
	}
}

/*
 * The blocking call.  It takes a slot like an asynchronous request so that
 * its id is as unique, but stays out of the deadline list: nothing else is
 * pending while it waits.
 */
int sbc_dpclient_call(struct sbc_dpclient *c, void *req, void *resp, size_t resp_len)
{
	uint64_t deadline = sbc_dpclient_monotonic_ms() + c->timeout_ms;
	unsigned int answer;
	struct sbc_api_hdr h;
	uint32_t id;
	uint16_t i;
	int rc;

	if (c->error != 0)
		return c->error;
	if (c->n_pending != 0 || c->in_call)
		return -EBUSY;
	if (c->closing)
		return -EPIPE;
	if (request_header(req, &h) != 0)
		return -EINVAL;
	answer = sbc_api_answer_type(req);
	i = slot_take(c, SLOT_CALL);
	if (i == NIL)
		return -ENOSPC;
	id = slot_id(c, i);
	c->in_call = true;
	/* A full socket is waited on here, within the same bound. */
	while ((rc = send_request(c, req, &h, id)) == -EAGAIN && wait_fd(c, POLLOUT, deadline))
		;
	if (rc == 0) {
		c->st.sent++;
	} else {
		c->st.send_errors++;
		if (rc == -EAGAIN)
			rc = -ETIMEDOUT;
	}
	while (rc == 0) {
		struct sbc_api_hdr rh;
		ssize_t n;

		if (!wait_fd(c, POLLIN, deadline)) {
			rc = -ETIMEDOUT;
			c->st.timeouts++;
			remember_expired(c, id);
			break;
		}
		n = receive(c);
		if (n < 0) {
			rc = connection_failed(c, (int)n);
			break;
		}
		if (n == 0)
			continue;
		if ((size_t)n >= sizeof(rh)) {
			memcpy(&rh, c->buf, sizeof(rh));
			if (rh.magic == SBC_API_MAGIC && rh.request_id == id &&
			    rh.type != SBC_API_EVENT) {
				c->st.answered++;
				if (buf_decode(c, (size_t)n) != SBC_API_OK) {
					c->st.malformed++;
					rc = -EBADMSG;
				} else if (rh.type != answer &&
					   !(rh.type == SBC_API_STATUS_RESP && rh.status != SBC_API_OK)) {
					c->st.malformed++;
					rc = -EBADMSG;   /* not what this request is answered with */
				} else if ((size_t)n > resp_len) {
					rc = -EMSGSIZE;
				} else {
					if (resp != (void *)c->buf)
						memcpy(resp, c->buf, (size_t)n);
					rc = rh.status;
				}
				break;
			}
		}
		handle_message(c, (size_t)n);
	}
	c->in_call = false;
	slot_put(c, i);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Connection                                                          */

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
		memcpy(&c->server, c->buf, sizeof(c->server));
		memcpy(out, c->buf, sizeof(*out));
	}
	return st;
}

#define DPCLIENT_SNDBUF (4 << 20)

struct sbc_dpclient *sbc_dpclient_open(int fd, unsigned int timeout_ms, int *err)
{
	struct sbc_dpclient *c;

	if (fd < 0) {
		*err = -EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	c->head = c->tail = NIL;
	for (unsigned int k = 0; k < N_SLOTS; k++)
		c->free_slots[k] = (uint16_t)(N_SLOTS - 1 - k);
	c->n_free = N_SLOTS;
	*err = 0;
	return c;
}

struct sbc_dpclient *sbc_dpclient_connect(const char *path, unsigned int timeout_ms, int *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sbc_dpclient *c;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		*err = -errno;
		close(fd);
		return NULL;
	}
	/*
	 * Room for every request the pending table can hold (SO_SNDBUFFORCE
	 * goes past net.core.wmem_max when we may), so that pipelining does
	 * not meet -EAGAIN before SBC_DPCLIENT_MAX_PENDING.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &(int){ DPCLIENT_SNDBUF },
		       sizeof(int)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ DPCLIENT_SNDBUF }, sizeof(int));
	c = sbc_dpclient_open(fd, timeout_ms, err);
	if (c == NULL) {
		close(fd);
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
	/* Callbacks run with the socket still open but refusing new requests. */
	c->closing = true;
	while (c->head != NIL) {
		c->st.aborted++;
		complete(c, c->head, -EPIPE, NULL, 0);
	}
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

/* ------------------------------------------------------------------ */
/* Typed blocking requests                                             */

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

int sbc_dpclient_release(struct sbc_dpclient *c, uint32_t session_id, uint32_t endpoint_id)
{
	struct sbc_api_release_req rq;

	sbc_api_init(&rq, SBC_API_RELEASE_REQ, 0);
	rq.session_id = session_id;
	rq.endpoint_id = endpoint_id;
	return sbc_dpclient_call(c, &rq, c->buf, sizeof(c->buf));
}

