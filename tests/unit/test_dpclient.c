/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for common/dpclient.c, the asynchronous side: a fake data
 * plane on the other end of a socketpair(AF_UNIX, SOCK_SEQPACKET) in this
 * same thread reads the client's requests and answers them when, how and
 * in the order each case wants.  Time is injected through
 * sbc_dpclient_expire()'s now.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cunit_run.h"

#include "sbc_api.h"
#include "sbc_dpclient.h"

#define TIMEOUT_MS 1000u
#define FAR_FUTURE (UINT64_MAX / 2)

static struct sbc_dpclient *cl;
static int srv = -1;               /* the fake data plane's end */

/* What one request's callback saw. */
struct rec {
	int calls;
	int status;
	size_t len;
	struct sbc_api_hdr hdr;         /* of the response, when there was one */
	uint32_t session_id;            /* STATS_RESP / BIND_RESP */
	uint32_t endpoint_id;           /* ALLOC_RESP ep[0] */
	int send_rc;                    /* what a send from inside the callback returned */
	bool resend;                    /* send one more request from the callback */
};

/* Completion order: the recs, as their callbacks ran. */
static struct rec *order[2048];
static unsigned int n_order;

static void
fill_rec(struct rec *r, int status, const void *resp, size_t len)
{
	r->calls++;
	r->status = status;
	r->len = len;
	memset(&r->hdr, 0, sizeof(r->hdr));
	if (resp == NULL)
		return;
	memcpy(&r->hdr, resp, sizeof(r->hdr));
	if (r->hdr.type == SBC_API_STATS_RESP)
		r->session_id = ((const struct sbc_api_stats_resp *)resp)->session_id;
	else if (r->hdr.type == SBC_API_BIND_RESP)
		r->session_id = ((const struct sbc_api_bind_resp *)resp)->session_id;
	else if (r->hdr.type == SBC_API_ALLOC_RESP)
		r->endpoint_id = ((const struct sbc_api_alloc_resp *)resp)->ep[0].endpoint_id;
}

static struct rec resent;

static void
on_done(void *arg, int status, const void *resp, size_t len)
{
	struct rec *r = arg;

	fill_rec(r, status, resp, len);
	if (n_order < sizeof(order) / sizeof(order[0]))
		order[n_order++] = r;
	if (r->resend) {
		struct sbc_api_stats_req rq;

		sbc_api_init(&rq, SBC_API_STATS_REQ, 0);
		rq.session_id = 4242;
		r->send_rc = sbc_dpclient_send(cl, &rq, TIMEOUT_MS, on_done, &resent);
	}
}

static struct rec late;

static void
on_late(void *arg, const void *resp, size_t len)
{
	struct rec *r = arg;

	fill_rec(r, 0, resp, len);
	if (r->resend) {
		struct sbc_api_hello_req rq;

		sbc_api_init(&rq, SBC_API_HELLO_REQ, 0);
		r->send_rc = sbc_dpclient_send(cl, &rq, TIMEOUT_MS, on_done, &resent);
	}
}

static int
setup(void)
{
	int sv[2], err;

	memset(&late, 0, sizeof(late));
	memset(&resent, 0, sizeof(resent));
	n_order = 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	cl = sbc_dpclient_open(sv[0], 200, &err);
	if (cl == NULL) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	srv = sv[1];
	sbc_dpclient_set_late_handler(cl, on_late, &late);
	return 0;
}

static void
teardown(void)
{
	sbc_dpclient_close(cl);
	cl = NULL;
	if (srv >= 0)
		close(srv);
	srv = -1;
}

static struct sbc_dpclient_stats
stats(void)
{
	struct sbc_dpclient_stats st;

	sbc_dpclient_get_stats(cl, &st);
	return st;
}

/* ---- the fake data plane ---- */

/* Next request the client sent, its header in @h; its length, 0 if none. */
static size_t
srv_recv(void *buf, struct sbc_api_hdr *h)
{
	ssize_t n = recv(srv, buf, SBC_API_MSG_MAX, MSG_DONTWAIT);

	if (n <= 0)
		return 0;
	CU_ASSERT_EQUAL(sbc_api_decode(buf, (size_t)n), SBC_API_OK);
	memcpy(h, buf, sizeof(*h));
	return (size_t)n;
}

/* Never blocks: a full socket is a test bug, reported, not a hang. */
static void
srv_send(const void *msg, size_t len)
{
	CU_ASSERT_EQUAL(send(srv, msg, len, MSG_DONTWAIT), (ssize_t)len);
}

/* Answer request id @id with a @type message carrying @status. */
static void
srv_answer(uint32_t id, unsigned int type, int status, uint32_t session_id)
{
	_Alignas(8) uint8_t m[SBC_API_MSG_MAX];
	ssize_t len = sbc_api_init(m, type, id);
	struct sbc_api_hdr h;

	CU_ASSERT_FATAL(len > 0);
	memcpy(&h, m, sizeof(h));
	h.status = status;
	memcpy(m, &h, sizeof(h));
	switch (type) {
	case SBC_API_STATS_RESP:
		((struct sbc_api_stats_resp *)(void *)m)->session_id = session_id;
		break;
	case SBC_API_BIND_RESP:
		((struct sbc_api_bind_resp *)(void *)m)->session_id = session_id;
		break;
	case SBC_API_ALLOC_RESP: {
		struct sbc_api_alloc_resp *r = (void *)m;

		r->count = 1;
		r->ep[0].endpoint_id = session_id;
		r->ep[0].local.family = SBC_API_AF_INET;
		r->ep[0].local.port = 20000;
		r->ep[0].local_rtcp_port = 20001;
		break;
	}
	default:
		break;
	}
	srv_send(m, (size_t)len);
}

static void
srv_event(uint32_t kind, uint32_t session_id)
{
	struct sbc_api_event ev;

	sbc_api_init(&ev, SBC_API_EVENT, 0);
	ev.kind = kind;
	ev.session_id = session_id;
	srv_send(&ev, sizeof(ev));
}

/* ---- requests the client sends ---- */

static int
send_stats(uint32_t session_id, unsigned int timeout_ms, struct rec *r)
{
	struct sbc_api_stats_req rq;

	sbc_api_init(&rq, SBC_API_STATS_REQ, 0);
	rq.session_id = session_id;
	return sbc_dpclient_send(cl, &rq, timeout_ms, on_done, r);
}

static int
send_alloc(struct rec *r)
{
	struct sbc_api_alloc_req rq;

	sbc_api_init(&rq, SBC_API_ALLOC_REQ, 0);
	rq.count = 1;
	snprintf(rq.item[0].iface, sizeof(rq.item[0].iface), "m0");
	rq.item[0].family = SBC_API_AF_INET;
	return sbc_dpclient_send(cl, &rq, TIMEOUT_MS, on_done, r);
}

static int
send_release(uint32_t session_id, struct rec *r)
{
	struct sbc_api_release_req rq;

	sbc_api_init(&rq, SBC_API_RELEASE_REQ, 0);
	rq.session_id = session_id;
	return sbc_dpclient_send(cl, &rq, TIMEOUT_MS, on_done, r);
}

/* ---- cases ---- */

/* Answers in order and out of order reach the callback of their request. */
static void
test_answers_any_order(void)
{
	struct rec r[4];
	struct sbc_api_hdr h[4];
	uint8_t buf[SBC_API_MSG_MAX];
	struct sbc_api_bind_req bind;

	CU_ASSERT_FATAL(setup() == 0);
	memset(r, 0, sizeof(r));
	for (unsigned int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(send_stats(100 + i, TIMEOUT_MS, &r[i]), 0);
	/* A BIND carries keys: the caller may wipe it at once. */
	sbc_api_init(&bind, SBC_API_BIND_REQ, 0);
	bind.leg[0].endpoint_id = 1;
	bind.leg[1].endpoint_id = 2;
	memset(bind.leg[0].srtp_in.master_key, 0x5a, sizeof(bind.leg[0].srtp_in.master_key));
	CU_ASSERT_EQUAL(sbc_dpclient_send(cl, &bind, TIMEOUT_MS, on_done, &r[3]), 0);
	explicit_bzero(&bind, sizeof(bind));
	CU_ASSERT_EQUAL(sbc_dpclient_pending(cl), 4);
	CU_ASSERT_EQUAL(stats().sent, 4);
	/* Nothing completes inside send, nor before the answers come. */
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 0);
	for (unsigned int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(r[i].calls, 0);

	for (unsigned int i = 0; i < 4; i++) {
		CU_ASSERT_FATAL(srv_recv(buf, &h[i]) != 0);
		CU_ASSERT(h[i].request_id != 0);
		for (unsigned int j = 0; j < i; j++)
			CU_ASSERT_NOT_EQUAL(h[i].request_id, h[j].request_id);
	}
	CU_ASSERT_EQUAL(h[3].type, SBC_API_BIND_REQ);
	CU_ASSERT_EQUAL(((struct sbc_api_bind_req *)(void *)buf)->leg[0].srtp_in.master_key[0],
			0x5a);
	/* In order for the first, then the others backwards. */
	srv_answer(h[0].request_id, SBC_API_STATS_RESP, SBC_API_OK, 100);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 1);
	CU_ASSERT_EQUAL(r[0].calls, 1);
	CU_ASSERT_EQUAL(r[0].status, SBC_API_OK);
	CU_ASSERT_EQUAL(r[0].session_id, 100);
	CU_ASSERT_EQUAL(r[0].len, sizeof(struct sbc_api_stats_resp));
	CU_ASSERT_EQUAL(r[0].hdr.request_id, h[0].request_id);
	srv_answer(h[3].request_id, SBC_API_BIND_RESP, SBC_API_OK, 77);
	srv_answer(h[2].request_id, SBC_API_STATS_RESP, SBC_API_OK, 102);
	srv_answer(h[1].request_id, SBC_API_STATS_RESP, SBC_API_OK, 101);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 3);
	for (unsigned int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(r[i].calls, 1);
		CU_ASSERT_EQUAL(r[i].status, SBC_API_OK);
	}
	CU_ASSERT_EQUAL(r[1].session_id, 101);
	CU_ASSERT_EQUAL(r[2].session_id, 102);
	CU_ASSERT_EQUAL(r[3].session_id, 77);
	CU_ASSERT_EQUAL(r[3].hdr.type, SBC_API_BIND_RESP);
	CU_ASSERT_EQUAL_FATAL(n_order, 4);
	CU_ASSERT_PTR_EQUAL(order[0], &r[0]);
	CU_ASSERT_PTR_EQUAL(order[1], &r[3]);
	CU_ASSERT_PTR_EQUAL(order[2], &r[2]);
	CU_ASSERT_PTR_EQUAL(order[3], &r[1]);
	CU_ASSERT_EQUAL(sbc_dpclient_pending(cl), 0);
	CU_ASSERT_EQUAL(sbc_dpclient_next_deadline(cl), UINT64_MAX);
	CU_ASSERT_EQUAL(stats().answered, 4);
	CU_ASSERT_EQUAL(stats().unknown_id, 0);
	/* Answered once: the same answer again is unknown. */
	srv_answer(h[1].request_id, SBC_API_STATS_RESP, SBC_API_OK, 101);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 1);
	CU_ASSERT_EQUAL(r[1].calls, 1);
	CU_ASSERT_EQUAL(stats().unknown_id, 1);
	teardown();
}

/* A callback may send the next request (ALLOC answered -> BIND). */
static void
test_send_from_callback(void)
{
	struct rec r;
	struct sbc_api_hdr h;
	uint8_t buf[SBC_API_MSG_MAX];

	CU_ASSERT_FATAL(setup() == 0);
	memset(&r, 0, sizeof(r));
	r.resend = true;
	CU_ASSERT_EQUAL(send_alloc(&r), 0);
	CU_ASSERT_FATAL(srv_recv(buf, &h) != 0);
	srv_answer(h.request_id, SBC_API_ALLOC_RESP, SBC_API_OK, 31);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 1);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.endpoint_id, 31);
	CU_ASSERT_EQUAL(r.send_rc, 0);
	CU_ASSERT_EQUAL(sbc_dpclient_pending(cl), 1);
	CU_ASSERT_FATAL(srv_recv(buf, &h) != 0);
	CU_ASSERT_EQUAL(h.type, SBC_API_STATS_REQ);
	srv_answer(h.request_id, SBC_API_STATS_RESP, SBC_API_OK, 4242);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 1);
	CU_ASSERT_EQUAL(resent.calls, 1);
	CU_ASSERT_EQUAL(resent.session_id, 4242);
	teardown();
}

/* No answer: -ETIMEDOUT from expire(), once, and not before the deadline. */
static void
test_timeout(void)
{
	struct rec r, r2;
	uint64_t t0, t1, d;

	CU_ASSERT_FATAL(setup() == 0);
	memset(&r, 0, sizeof(r));
	memset(&r2, 0, sizeof(r2));
	t0 = sbc_dpclient_monotonic_ms();
	CU_ASSERT_EQUAL(send_stats(1, TIMEOUT_MS, &r), 0);
	t1 = sbc_dpclient_monotonic_ms();
	d = sbc_dpclient_next_deadline(cl);
	CU_ASSERT(d >= t0 + TIMEOUT_MS && d <= t1 + TIMEOUT_MS);
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, t1), 0);
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, d - 1), 0);
	CU_ASSERT_EQUAL(r.calls, 0);
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, d), 1);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.status, -ETIMEDOUT);
	CU_ASSERT_EQUAL(r.len, 0);
	CU_ASSERT_EQUAL(r.hdr.type, 0);
	CU_ASSERT_EQUAL(sbc_dpclient_pending(cl), 0);
	CU_ASSERT_EQUAL(sbc_dpclient_next_deadline(cl), UINT64_MAX);
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, FAR_FUTURE), 0);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 0);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(stats().timeouts, 1);

	/* A request sent from an expiring callback waits for the next expire(). */
	r2.resend = true;
	CU_ASSERT_EQUAL(send_stats(2, TIMEOUT_MS, &r2), 0);
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, FAR_FUTURE), 1);
	CU_ASSERT_EQUAL(r2.status, -ETIMEDOUT);
	CU_ASSERT_EQUAL(r2.send_rc, 0);
	CU_ASSERT_EQUAL(sbc_dpclient_pending(cl), 1);
	CU_ASSERT_EQUAL(resent.calls, 0);
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, FAR_FUTURE), 1);
	CU_ASSERT_EQUAL(resent.calls, 1);
	CU_ASSERT_EQUAL(resent.status, -ETIMEDOUT);
	teardown();
}

/* Different timeouts: expiry follows the deadlines, not the send order. */
static void
test_mixed_timeouts(void)
{
	struct rec r[3];
	uint64_t t0;

	CU_ASSERT_FATAL(setup() == 0);
	memset(r, 0, sizeof(r));
	t0 = sbc_dpclient_monotonic_ms();
	CU_ASSERT_EQUAL(send_stats(1, 5000, &r[0]), 0);
	CU_ASSERT_EQUAL(send_stats(2, 10, &r[1]), 0);
	CU_ASSERT_EQUAL(send_stats(3, 2000, &r[2]), 0);
	CU_ASSERT(sbc_dpclient_next_deadline(cl) < t0 + 2000);
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, t0 + 1000), 1);
	CU_ASSERT_EQUAL(r[1].status, -ETIMEDOUT);
	CU_ASSERT_EQUAL(r[0].calls + r[2].calls, 0);
	CU_ASSERT(sbc_dpclient_next_deadline(cl) >= t0 + 2000);
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, t0 + 4000), 1);
	CU_ASSERT_EQUAL(r[2].status, -ETIMEDOUT);
	CU_ASSERT_EQUAL(r[0].calls, 0);
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, FAR_FUTURE), 1);
	CU_ASSERT_EQUAL(r[0].status, -ETIMEDOUT);
	CU_ASSERT_PTR_EQUAL(order[0], &r[1]);
	CU_ASSERT_PTR_EQUAL(order[1], &r[2]);
	CU_ASSERT_PTR_EQUAL(order[2], &r[0]);
	teardown();
}

/* An answer after expiry goes to the late handler, never to the callback. */
static void
test_late_answer(void)
{
	struct rec r, other;
	struct sbc_api_hdr h, h2;
	uint8_t buf[SBC_API_MSG_MAX];

	CU_ASSERT_FATAL(setup() == 0);
	memset(&r, 0, sizeof(r));
	memset(&other, 0, sizeof(other));
	CU_ASSERT_EQUAL(send_alloc(&r), 0);
	CU_ASSERT_FATAL(srv_recv(buf, &h) != 0);
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, FAR_FUTURE), 1);
	CU_ASSERT_EQUAL(r.status, -ETIMEDOUT);
	/* The slot is reused at once; the old id must not match the new request. */
	CU_ASSERT_EQUAL(send_stats(9, TIMEOUT_MS, &other), 0);
	CU_ASSERT_FATAL(srv_recv(buf, &h2) != 0);
	CU_ASSERT_NOT_EQUAL(h.request_id, h2.request_id);
	srv_answer(h.request_id, SBC_API_ALLOC_RESP, SBC_API_OK, 55);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 1);
	CU_ASSERT_EQUAL(late.calls, 1);
	CU_ASSERT_EQUAL(late.hdr.type, SBC_API_ALLOC_RESP);
	CU_ASSERT_EQUAL(late.hdr.request_id, h.request_id);
	CU_ASSERT_EQUAL(late.endpoint_id, 55);
	CU_ASSERT_EQUAL(late.len, sizeof(struct sbc_api_alloc_resp));
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(other.calls, 0);
	CU_ASSERT_EQUAL(stats().late, 1);
	/* Handed over once: a duplicate is unknown. */
	srv_answer(h.request_id, SBC_API_ALLOC_RESP, SBC_API_OK, 55);
	/* An id never sent. */
	srv_answer(0x7ffffc00u | 3u, SBC_API_STATS_RESP, SBC_API_OK, 1);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 2);
	CU_ASSERT_EQUAL(late.calls, 1);
	CU_ASSERT_EQUAL(stats().unknown_id, 2);
	CU_ASSERT_EQUAL(other.calls, 0);
	srv_answer(h2.request_id, SBC_API_STATS_RESP, SBC_API_OK, 9);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 1);
	CU_ASSERT_EQUAL(other.calls, 1);
	CU_ASSERT_EQUAL(other.session_id, 9);

	/* At least the last SBC_DPCLIENT_LATE_IDS expired ids are remembered. */
	{
		static struct rec many[SBC_DPCLIENT_LATE_IDS + 10];
		static uint32_t ids[SBC_DPCLIENT_LATE_IDS + 10];
		unsigned int n = SBC_DPCLIENT_LATE_IDS + 10;
		int read;

		memset(many, 0, sizeof(many));
		for (unsigned int i = 0; i < n; i++) {
			CU_ASSERT_EQUAL_FATAL(send_stats(i, TIMEOUT_MS, &many[i]), 0);
			CU_ASSERT_FATAL(srv_recv(buf, &h) != 0);
			ids[i] = h.request_id;
		}
		CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, FAR_FUTURE), n);
		late.calls = 0;
		read = 0;
		for (unsigned int i = n - SBC_DPCLIENT_LATE_IDS; i < n; i++) {
			srv_answer(ids[i], SBC_API_STATS_RESP, SBC_API_OK, i);
			if (i % 16 == 0)
				read += sbc_dpclient_dispatch(cl);   /* keep the socket from filling */
		}
		read += sbc_dpclient_dispatch(cl);
		CU_ASSERT_EQUAL(read, SBC_DPCLIENT_LATE_IDS);
		CU_ASSERT_EQUAL(late.calls, SBC_DPCLIENT_LATE_IDS);
		CU_ASSERT_EQUAL(late.session_id, n - 1);
		for (unsigned int i = 0; i < n; i++)
			CU_ASSERT_EQUAL(many[i].calls, 1);
	}
	/* Without a handler late answers are only counted. */
	sbc_dpclient_set_late_handler(cl, NULL, NULL);
	CU_ASSERT_EQUAL(send_stats(1, TIMEOUT_MS, &r), 0);
	CU_ASSERT_FATAL(srv_recv(buf, &h) != 0);
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, FAR_FUTURE), 1);
	srv_answer(h.request_id, SBC_API_STATS_RESP, SBC_API_OK, 1);
	late.calls = 0;
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 1);
	CU_ASSERT_EQUAL(late.calls, 0);
	CU_ASSERT_EQUAL(stats().late, 2 + SBC_DPCLIENT_LATE_IDS);
	teardown();
}

/* The data plane's error status reaches the callback with its STATUS_RESP. */
static void
test_error_status(void)
{
	struct rec r, rel;
	struct sbc_api_hdr h;
	uint8_t buf[SBC_API_MSG_MAX];

	CU_ASSERT_FATAL(setup() == 0);
	memset(&r, 0, sizeof(r));
	memset(&rel, 0, sizeof(rel));
	CU_ASSERT_EQUAL(send_alloc(&r), 0);
	CU_ASSERT_EQUAL(send_release(8, &rel), 0);
	CU_ASSERT_FATAL(srv_recv(buf, &h) != 0);
	srv_answer(h.request_id, SBC_API_STATUS_RESP, SBC_API_ENOSPC, 0);
	CU_ASSERT_FATAL(srv_recv(buf, &h) != 0);
	/* RELEASE without flags: STATUS_RESP with OK is its success. */
	srv_answer(h.request_id, SBC_API_STATUS_RESP, SBC_API_OK, 0);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 2);
	CU_ASSERT_EQUAL(r.calls, 1);
	CU_ASSERT_EQUAL(r.status, SBC_API_ENOSPC);
	CU_ASSERT_EQUAL(r.hdr.type, SBC_API_STATUS_RESP);
	CU_ASSERT_EQUAL(r.len, sizeof(struct sbc_api_status_resp));
	CU_ASSERT_EQUAL(rel.calls, 1);
	CU_ASSERT_EQUAL(rel.status, SBC_API_OK);
	CU_ASSERT_EQUAL(rel.hdr.type, SBC_API_STATUS_RESP);
	teardown();
}

/* Undecodable answers and answers of the wrong type: -EBADMSG, once. */
static void
test_malformed(void)
{
	struct rec r[4];
	struct sbc_api_hdr h[4];
	uint8_t buf[SBC_API_MSG_MAX];
	_Alignas(8) uint8_t m[SBC_API_MSG_MAX];
	ssize_t len;

	CU_ASSERT_FATAL(setup() == 0);
	memset(r, 0, sizeof(r));
	CU_ASSERT_EQUAL(send_stats(1, TIMEOUT_MS, &r[0]), 0);
	CU_ASSERT_EQUAL(send_stats(2, TIMEOUT_MS, &r[1]), 0);
	CU_ASSERT_EQUAL(send_alloc(&r[2]), 0);
	CU_ASSERT_EQUAL(send_stats(4, TIMEOUT_MS, &r[3]), 0);
	for (unsigned int i = 0; i < 4; i++)
		CU_ASSERT_FATAL(srv_recv(buf, &h[i]) != 0);
	/* Cut short: the header names the request, the size does not match. */
	len = sbc_api_init(m, SBC_API_STATS_RESP, h[0].request_id);
	srv_send(m, (size_t)len - 8);
	/* A HELLO_RESP to a STATS_REQ. */
	srv_answer(h[1].request_id, SBC_API_HELLO_RESP, SBC_API_OK, 0);
	/* A bare STATUS_RESP OK to an ALLOC: no endpoint in it. */
	srv_answer(h[2].request_id, SBC_API_STATUS_RESP, SBC_API_OK, 0);
	/* Noise naming nothing. */
	srv_send("xyz", 3);
	/* Then a good one. */
	srv_answer(h[3].request_id, SBC_API_STATS_RESP, SBC_API_OK, 4);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 5);
	for (unsigned int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(r[i].calls, 1);
		CU_ASSERT_EQUAL(r[i].status, -EBADMSG);
		CU_ASSERT_EQUAL(r[i].len, 0);
	}
	CU_ASSERT_EQUAL(r[3].calls, 1);
	CU_ASSERT_EQUAL(r[3].status, SBC_API_OK);
	CU_ASSERT_EQUAL(r[3].session_id, 4);
	CU_ASSERT_EQUAL(stats().malformed, 4);
	/* The connection still works. */
	CU_ASSERT_EQUAL(sbc_dpclient_pending(cl), 0);
	CU_ASSERT_EQUAL(send_stats(5, TIMEOUT_MS, &r[0]), 0);
	teardown();
}

/* The data plane goes away: every pending request -EPIPE, once. */
static void
test_server_closes(void)
{
	struct rec r[3];
	int rc;

	CU_ASSERT_FATAL(setup() == 0);
	memset(r, 0, sizeof(r));
	for (unsigned int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(send_stats(i, TIMEOUT_MS, &r[i]), 0);
	r[1].resend = true;     /* its callback tries to send: refused */
	close(srv);
	srv = -1;
	/* -ECONNRESET: it went away with our requests unread (-EPIPE: read). */
	rc = sbc_dpclient_dispatch(cl);
	CU_ASSERT(rc == -ECONNRESET || rc == -EPIPE);
	for (unsigned int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(r[i].calls, 1);
		CU_ASSERT_EQUAL(r[i].status, -EPIPE);
		CU_ASSERT_EQUAL(r[i].len, 0);
	}
	CU_ASSERT_EQUAL(r[1].send_rc, -EPIPE);
	CU_ASSERT_EQUAL(resent.calls, 0);
	CU_ASSERT_EQUAL(sbc_dpclient_pending(cl), 0);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), rc);
	CU_ASSERT_EQUAL(send_stats(9, TIMEOUT_MS, &r[0]), -EPIPE);
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, FAR_FUTURE), 0);
	for (unsigned int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(r[i].calls, 1);
	CU_ASSERT_EQUAL(stats().aborted, 3);
	teardown();

	/* Found by next_event() as well; here the data plane read the request. */
	CU_ASSERT_FATAL(setup() == 0);
	memset(r, 0, sizeof(r));
	CU_ASSERT_EQUAL(send_stats(1, TIMEOUT_MS, &r[0]), 0);
	{
		struct sbc_api_event ev;
		struct sbc_api_hdr h;
		uint8_t buf[SBC_API_MSG_MAX];

		CU_ASSERT_FATAL(srv_recv(buf, &h) != 0);
		close(srv);
		srv = -1;
		CU_ASSERT_EQUAL(sbc_dpclient_next_event(cl, &ev), -EPIPE);
	}
	CU_ASSERT_EQUAL(r[0].calls, 1);
	CU_ASSERT_EQUAL(r[0].status, -EPIPE);
	teardown();
}

/* Events between answers: queued in order, answers dispatched meanwhile. */
static void
test_events_interleaved(void)
{
	struct rec r[3];
	struct sbc_api_hdr h[3];
	struct sbc_api_event ev;
	uint8_t buf[SBC_API_MSG_MAX];

	CU_ASSERT_FATAL(setup() == 0);
	memset(r, 0, sizeof(r));
	for (unsigned int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(send_stats(10 + i, TIMEOUT_MS, &r[i]), 0);
		CU_ASSERT_FATAL(srv_recv(buf, &h[i]) != 0);
	}
	srv_event(SBC_API_EV_SOURCE_LATCHED, 1);
	srv_answer(h[0].request_id, SBC_API_STATS_RESP, SBC_API_OK, 10);
	srv_event(SBC_API_EV_SOURCE_CHANGED, 2);
	srv_event(SBC_API_EV_MEDIA_TIMEOUT, 3);
	srv_answer(h[1].request_id, SBC_API_STATS_RESP, SBC_API_OK, 11);
	srv_event(SBC_API_EV_SRTP_AUTH_BURST, 4);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 6);
	CU_ASSERT_EQUAL(r[0].calls, 1);
	CU_ASSERT_EQUAL(r[1].calls, 1);
	CU_ASSERT_EQUAL(r[2].calls, 0);
	for (uint32_t k = 1; k <= 4; k++) {
		CU_ASSERT_EQUAL_FATAL(sbc_dpclient_next_event(cl, &ev), 1);
		CU_ASSERT_EQUAL(ev.session_id, k);
	}
	CU_ASSERT_EQUAL(ev.kind, SBC_API_EV_SRTP_AUTH_BURST);
	CU_ASSERT_EQUAL(sbc_dpclient_next_event(cl, &ev), 0);
	/* next_event() reading an answer first: the answer is dispatched. */
	srv_answer(h[2].request_id, SBC_API_STATS_RESP, SBC_API_OK, 12);
	srv_event(SBC_API_EV_MEDIA_TIMEOUT, 5);
	CU_ASSERT_EQUAL(sbc_dpclient_next_event(cl, &ev), 1);
	CU_ASSERT_EQUAL(ev.session_id, 5);
	CU_ASSERT_EQUAL(r[2].calls, 1);
	CU_ASSERT_EQUAL(r[2].session_id, 12);
	CU_ASSERT_EQUAL(sbc_dpclient_next_event(cl, &ev), 0);
	CU_ASSERT_EQUAL(stats().events, 5);
	CU_ASSERT_EQUAL(stats().events_lost, 0);
	teardown();
}

/* The table holds SBC_DPCLIENT_MAX_PENDING requests: the next is -ENOSPC. */
static void
test_table_full(void)
{
	static struct rec r[SBC_DPCLIENT_MAX_PENDING + 1];
	static uint32_t ids[SBC_DPCLIENT_MAX_PENDING];
	struct sbc_api_hdr h;
	uint8_t buf[SBC_API_MSG_MAX];

	CU_ASSERT_FATAL(setup() == 0);
	memset(r, 0, sizeof(r));
	for (unsigned int i = 0; i < SBC_DPCLIENT_MAX_PENDING; i++) {
		CU_ASSERT_EQUAL_FATAL(send_stats(i, TIMEOUT_MS, &r[i]), 0);
		/* Read as we go so the socket buffer never fills. */
		CU_ASSERT_FATAL(srv_recv(buf, &h) != 0);
		ids[i] = h.request_id;
	}
	CU_ASSERT_EQUAL(sbc_dpclient_pending(cl), SBC_DPCLIENT_MAX_PENDING);
	CU_ASSERT_EQUAL(send_stats(9999, TIMEOUT_MS, &r[SBC_DPCLIENT_MAX_PENDING]), -ENOSPC);
	CU_ASSERT_EQUAL(srv_recv(buf, &h), 0);   /* nothing went out */
	/* Every id distinct and non-zero (sorted copy, neighbours differ). */
	{
		static uint32_t sorted[SBC_DPCLIENT_MAX_PENDING];
		unsigned int dup = 0, zero = 0;

		memcpy(sorted, ids, sizeof(sorted));
		for (unsigned int i = 1; i < SBC_DPCLIENT_MAX_PENDING; i++)
			for (unsigned int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
				uint32_t t = sorted[j];

				sorted[j] = sorted[j - 1];
				sorted[j - 1] = t;
			}
		for (unsigned int i = 0; i < SBC_DPCLIENT_MAX_PENDING; i++) {
			zero += sorted[i] == 0;
			dup += i > 0 && sorted[i] == sorted[i - 1];
		}
		CU_ASSERT_EQUAL(dup, 0);
		CU_ASSERT_EQUAL(zero, 0);
	}
	/* One answer frees one slot. */
	srv_answer(ids[500], SBC_API_STATS_RESP, SBC_API_OK, 500);
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 1);
	CU_ASSERT_EQUAL(r[500].calls, 1);
	CU_ASSERT_EQUAL(r[500].session_id, 500);
	CU_ASSERT_EQUAL(send_stats(9999, TIMEOUT_MS, &r[SBC_DPCLIENT_MAX_PENDING]), 0);
	CU_ASSERT_EQUAL(send_stats(9999, TIMEOUT_MS, &r[SBC_DPCLIENT_MAX_PENDING]), -ENOSPC);
	CU_ASSERT_EQUAL(r[SBC_DPCLIENT_MAX_PENDING].calls, 0);
	/* Closing completes the rest with -EPIPE. */
	sbc_dpclient_close(cl);
	cl = NULL;
	for (unsigned int i = 0; i <= SBC_DPCLIENT_MAX_PENDING; i++) {
		CU_ASSERT_EQUAL(r[i].calls, 1);
		if (i != 500)
			CU_ASSERT_EQUAL(r[i].status, -EPIPE);
	}
	teardown();
}

/* The blocking call refuses to run beside pending asynchronous requests. */
static void
test_sync_busy(void)
{
	struct sbc_api_hello_req hello;
	_Alignas(8) uint8_t resp[SBC_API_MSG_MAX];
	struct rec r;
	struct sbc_api_hdr h;
	uint8_t buf[SBC_API_MSG_MAX];

	CU_ASSERT_FATAL(setup() == 0);
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(send_stats(1, TIMEOUT_MS, &r), 0);
	CU_ASSERT_FATAL(srv_recv(buf, &h) != 0);
	sbc_api_init(&hello, SBC_API_HELLO_REQ, 0);
	CU_ASSERT_EQUAL(sbc_dpclient_call(cl, &hello, resp, sizeof(resp)), -EBUSY);
	CU_ASSERT_EQUAL(sbc_dpclient_release(cl, 1, 0), -EBUSY);
	CU_ASSERT_EQUAL(srv_recv(buf, &h), 0);   /* nothing went out */
	CU_ASSERT_EQUAL(r.calls, 0);
	CU_ASSERT_EQUAL(sbc_dpclient_pending(cl), 1);

	/*
	 * Once nothing is pending the blocking call runs (no answer here: it
	 * times out after the connection's 200 ms).  A late answer it reads
	 * meanwhile goes to the late handler, whose send is refused there.
	 */
	CU_ASSERT_EQUAL(sbc_dpclient_expire(cl, FAR_FUTURE), 1);
	srv_answer(h.request_id, SBC_API_STATS_RESP, SBC_API_OK, 1);
	late.resend = true;
	CU_ASSERT_EQUAL(sbc_dpclient_call(cl, &hello, resp, sizeof(resp)), -ETIMEDOUT);
	CU_ASSERT_EQUAL(late.calls, 1);
	CU_ASSERT_EQUAL(late.send_rc, -EBUSY);
	CU_ASSERT_EQUAL(sbc_dpclient_pending(cl), 0);
	/* The call's own late answer is recognised too. */
	CU_ASSERT_FATAL(srv_recv(buf, &h) != 0);
	CU_ASSERT_EQUAL(h.type, SBC_API_HELLO_REQ);
	srv_answer(h.request_id, SBC_API_HELLO_RESP, SBC_API_OK, 0);
	late.resend = false;
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 1);
	CU_ASSERT_EQUAL(late.calls, 2);
	CU_ASSERT_EQUAL(late.hdr.type, SBC_API_HELLO_RESP);
	/* Not a request, or no callback: refused. */
	{
		struct sbc_api_stats_resp st;

		sbc_api_init(&st, SBC_API_STATS_RESP, 0);
		CU_ASSERT_EQUAL(sbc_dpclient_send(cl, &st, TIMEOUT_MS, on_done, &r), -EINVAL);
		sbc_api_init(&hello, SBC_API_HELLO_REQ, 0);
		CU_ASSERT_EQUAL(sbc_dpclient_send(cl, &hello, TIMEOUT_MS, NULL, NULL), -EINVAL);
	}
	teardown();
}

/* close() with requests pending: each completes with -EPIPE, once. */
static void
test_close_pending(void)
{
	struct rec r[3];

	CU_ASSERT_FATAL(setup() == 0);
	memset(r, 0, sizeof(r));
	for (unsigned int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(send_stats(i, TIMEOUT_MS, &r[i]), 0);
	r[0].resend = true;
	sbc_dpclient_close(cl);
	cl = NULL;
	for (unsigned int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(r[i].calls, 1);
		CU_ASSERT_EQUAL(r[i].status, -EPIPE);
	}
	CU_ASSERT_EQUAL(r[0].send_rc, -EPIPE);
	CU_ASSERT_EQUAL(resent.calls, 0);
	CU_ASSERT_PTR_EQUAL(order[0], &r[0]);
	CU_ASSERT_PTR_EQUAL(order[2], &r[2]);
	teardown();
}

/* An asynchronous HELLO on an opened socket fills in sbc_dpclient_server(). */
static void
test_async_hello(void)
{
	struct sbc_api_hello_req hello;
	_Alignas(8) uint8_t m[SBC_API_MSG_MAX];
	struct sbc_api_hello_resp *hr = (void *)m;
	struct rec r;
	struct sbc_api_hdr h;
	uint8_t buf[SBC_API_MSG_MAX];

	CU_ASSERT_FATAL(setup() == 0);
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(sbc_dpclient_server(cl)->server_version, 0);
	sbc_api_init(&hello, SBC_API_HELLO_REQ, 0);
	hello.client_version = SBC_API_VERSION;
	CU_ASSERT_EQUAL(sbc_dpclient_send(cl, &hello, TIMEOUT_MS, on_done, &r), 0);
	CU_ASSERT_FATAL(srv_recv(buf, &h) != 0);
	sbc_api_init(m, SBC_API_HELLO_RESP, h.request_id);
	hr->server_version = SBC_API_VERSION;
	hr->n_workers = 3;
	srv_send(m, sizeof(*hr));
	CU_ASSERT_EQUAL(sbc_dpclient_dispatch(cl), 1);
	CU_ASSERT_EQUAL(r.status, SBC_API_OK);
	CU_ASSERT_EQUAL(sbc_dpclient_server(cl)->server_version, SBC_API_VERSION);
	CU_ASSERT_EQUAL(sbc_dpclient_server(cl)->n_workers, 3);
	teardown();
}

int
main(void)
{
	static const struct sbc_test tests[] = {
		{ "answers in and out of order reach their callbacks", test_answers_any_order },
		{ "a callback sends the next request", test_send_from_callback },
		{ "no answer: -ETIMEDOUT once, at the deadline", test_timeout },
		{ "different timeouts expire by deadline", test_mixed_timeouts },
		{ "late answer: to the late handler only", test_late_answer },
		{ "error status passed through", test_error_status },
		{ "malformed and wrong-type answers: -EBADMSG", test_malformed },
		{ "data plane closes: all pending -EPIPE", test_server_closes },
		{ "events between answers, in order", test_events_interleaved },
		{ "table full: -ENOSPC", test_table_full },
		{ "blocking call: -EBUSY beside async requests", test_sync_busy },
		{ "close with requests pending: -EPIPE", test_close_pending },
		{ "asynchronous HELLO", test_async_hello },
	};

	return SBC_TEST_RUN("dpclient", tests);
}
