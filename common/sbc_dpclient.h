/* SPDX-License-Identifier: BSD-3-Clause
 * Client side of the control/data API (common/sbc_api.h): a connection to
 * sbc-dataplane's UNIX SOCK_SEQPACKET socket, requests, and the events the
 * data plane pushes.  Used by sbc-controlplane and sbc-dpctl.  Links no
 * DPDK.
 *
 * Two styles, never mixed on one connection at the same time:
 *  - asynchronous (the control plane's event loop): sbc_dpclient_send()
 *    returns at once; the loop calls sbc_dpclient_dispatch() when the
 *    socket is readable and sbc_dpclient_expire() at
 *    sbc_dpclient_next_deadline(); each request's callback runs exactly
 *    once, from those (or sbc_dpclient_close()).
 *  - blocking (sbc-dpctl, HELLO at connect): sbc_dpclient_call() and the
 *    typed wrappers wait for their answer, at most the timeout given at
 *    connect.
 *
 * Thread: one connection belongs to one thread; nothing here locks.
 * Requests may carry SRTP keys: the client keeps no copy of a request
 * once it is sent.
 */
#ifndef SBC_DPCLIENT_H
#define SBC_DPCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbc_api.h"

struct sbc_dpclient;

/* Asynchronous requests pending on one connection at most. */
#define SBC_DPCLIENT_MAX_PENDING 4096u
/* Expired requests whose late answers are still recognised, at least. */
#define SBC_DPCLIENT_LATE_IDS    256u

/**
 * Connect to @path and check the API version with HELLO.  @timeout_ms
 * bounds every later wait of sbc_dpclient_call().  Returns the client, or
 * NULL with *@err set to -errno (-ECONNREFUSED, -ENOENT, -ETIMEDOUT,
 * -EPROTO for a version mismatch).
 */
struct sbc_dpclient *sbc_dpclient_connect(const char *path, unsigned int timeout_ms, int *err);

/**
 * Take over @fd, a connected SOCK_SEQPACKET socket to a data plane (or to
 * a test's fake one), without a HELLO: sbc_dpclient_server() stays zeroed
 * until a HELLO is answered (sbc_dpclient_hello(), or a HELLO_REQ sent with
 * sbc_dpclient_send()).  @timeout_ms as for sbc_dpclient_connect().
 * Returns the client, which closes @fd in sbc_dpclient_close(); or NULL
 * with *@err = -EINVAL (@fd < 0) or -ENOMEM, @fd left to the caller.
 */
struct sbc_dpclient *sbc_dpclient_open(int fd, unsigned int timeout_ms, int *err);

/**
 * Complete every pending request with -EPIPE (their callbacks run here, in
 * deadline order; a sbc_dpclient_send() from one of them fails with
 * -EPIPE), close the socket, wipe and free.  NULL is allowed.  Not from
 * inside a callback of this connection.
 */
void sbc_dpclient_close(struct sbc_dpclient *c);

/** The socket, to watch for readability in an event loop (answers, events). */
int sbc_dpclient_fd(const struct sbc_dpclient *c);

/** What the last HELLO answered (the one at connect, for sbc_dpclient_connect()). */
const struct sbc_api_hello_resp *sbc_dpclient_server(const struct sbc_dpclient *c);

/**
 * Send @req (a request built with sbc_api_init(); its request id is set
 * here) and wait for the response with the same id, up to the timeout.
 * Events that arrive meanwhile are queued (sbc_dpclient_next_event()); a
 * late answer to an earlier request goes to the late handler
 * (sbc_dpclient_set_late_handler()).  The response is decoded
 * (sbc_api_decode()) before it is returned in @resp (@resp_len bytes, at
 * least SBC_API_MSG_MAX is always enough).
 * Returns the response status (SBC_API_OK = 0, or a positive
 * enum sbc_api_status), or -errno: -ETIMEDOUT, -EPIPE (connection lost),
 * -EBADMSG (undecodable response), -EMSGSIZE (@resp_len too small),
 * -EINVAL (@req is not a request), -EBUSY (asynchronous requests are
 * pending, or called from a late handler inside another call).
 */
int sbc_dpclient_call(struct sbc_dpclient *c, void *req, void *resp, size_t resp_len);

/*
 * Typed blocking requests; same return convention as sbc_dpclient_call().
 * sbc_dpclient_alloc() is an ALLOC of one endpoint (family 4 or 6); @out
 * gets it.
 */
int sbc_dpclient_alloc(struct sbc_dpclient *c, const char *iface, int family, bool rtcp_mux,
		       struct sbc_api_alloc_ep *out);
int sbc_dpclient_bind(struct sbc_dpclient *c, const struct sbc_api_leg *a,
		      const struct sbc_api_leg *b, uint32_t media_timeout_ms,
		      uint32_t *session_id);
int sbc_dpclient_release(struct sbc_dpclient *c, uint32_t session_id, uint32_t endpoint_id);
int sbc_dpclient_hello(struct sbc_dpclient *c, struct sbc_api_hello_resp *out);

/*
 * Completion of an asynchronous request: @status is SBC_API_OK (0), a positive
 * enum sbc_api_status from the data plane, or -ETIMEDOUT (no answer by the
 * deadline), -EPIPE (connection lost or closed), -EBADMSG (undecodable answer).
 * @resp/@len: the decoded response (valid only during the call), NULL/0 on a
 * transport failure. Called exactly once per accepted request, always from
 * sbc_dpclient_dispatch(), sbc_dpclient_expire() or sbc_dpclient_close(),
 * never from inside sbc_dpclient_send().
 *
 * With SBC_API_OK, @resp is of the type sbc_api_answer_type() names for the
 * request (checked here: another type is -EBADMSG); with a positive status
 * it is the data plane's STATUS_RESP.  -EBADMSG is also an answer of the
 * wrong type.  The callback may send new requests (they get a free slot;
 * see sbc_dpclient_expire() for their deadlines), must not close the
 * connection, and must copy what it keeps of @resp before it calls any
 * other function of this connection (that may reuse the buffer).
 * (sbc_dpclient_next_event() also dispatches answers it reads.)
 */
typedef void (*sbc_dpclient_done_fn)(void *arg, int status, const void *resp, size_t len);

/**
 * Send @req (built with sbc_api_init(), of a request type) without
 * blocking, with a deadline of now + @timeout_ms (sbc_dpclient_monotonic_ms()).
 * Sets the request id in @req's header; the client keeps no copy of @req,
 * so the caller may wipe it (keys) as soon as this returns.
 * Returns 0: @done(@arg, ...) will be called exactly once.  Or -errno, and
 * @done is NOT called: -EAGAIN (socket buffer full, try later), -ENOSPC
 * (SBC_DPCLIENT_MAX_PENDING requests pending), -EPIPE (connection lost or
 * being closed), -EBUSY (a blocking sbc_dpclient_call() is in progress: its
 * late handler runs inside it), -EINVAL (@req is not a request with a
 * valid header, or @done is NULL).
 */
int sbc_dpclient_send(struct sbc_dpclient *c, void *req, unsigned int timeout_ms,
		      sbc_dpclient_done_fn done, void *arg);

/**
 * Read every datagram available now, without blocking: answers complete
 * their requests (callbacks run here), late answers go to the late
 * handler, events are queued for sbc_dpclient_next_event().  Call when the
 * socket is readable.  Returns the number of messages read (0: none), or
 * -errno when the connection failed (-EPIPE: closed by the data plane,
 * -ECONNRESET: closed with requests unread); by then every pending request
 * has been completed with -EPIPE, and every later call returns the same
 * error.
 */
int sbc_dpclient_dispatch(struct sbc_dpclient *c);

/**
 * Complete with -ETIMEDOUT every pending request whose deadline
 * (CLOCK_MONOTONIC ms at send + timeout_ms) is <= @now_ms, earliest
 * first, and remember its id so that its answer, should it still come, is
 * recognised as late.  Requests sent from these callbacks wait for the next
 * call even when already due.  Returns how many expired.
 */
unsigned int sbc_dpclient_expire(struct sbc_dpclient *c, uint64_t now_ms);

/** Earliest deadline of a pending request, UINT64_MAX when none is pending. */
uint64_t sbc_dpclient_next_deadline(const struct sbc_dpclient *c);

/** Asynchronous requests sent and not completed yet. */
unsigned int sbc_dpclient_pending(const struct sbc_dpclient *c);

/**
 * A response that arrives after its request expired (the ids of at least
 * the last SBC_DPCLIENT_LATE_IDS expired requests, blocking calls' included,
 * are remembered) is handed to @fn(@arg, resp, len), decoded, so that what
 * it allocated (ALLOC endpoints, a BIND session) can be released; then it
 * is dropped.  Each late answer is handed over once.  Responses with ids
 * never sent (or forgotten) are dropped and counted (unknown_id).  @fn may
 * send requests; it runs from sbc_dpclient_dispatch(),
 * sbc_dpclient_next_event() or sbc_dpclient_call().  NULL: late answers
 * are only counted.
 */
void sbc_dpclient_set_late_handler(struct sbc_dpclient *c,
				   void (*fn)(void *arg, const void *resp, size_t len), void *arg);

/** The clock deadlines use: CLOCK_MONOTONIC in milliseconds. */
uint64_t sbc_dpclient_monotonic_ms(void);

/**
 * Next pushed event, without blocking: a queued one, else one read from
 * the socket if any is there.  Returns 1 (event in @ev), 0 (none) or
 * -errno (the connection failed; pending requests completed with -EPIPE
 * as in sbc_dpclient_dispatch()).  Answers read here are dispatched to
 * their callbacks (or the late handler), never dropped.
 */
int sbc_dpclient_next_event(struct sbc_dpclient *c, struct sbc_api_event *ev);

/** Events lost because the local queue was full (the events_lost counter). */
uint64_t sbc_dpclient_events_lost(const struct sbc_dpclient *c);

/*
 * The connection's counters, X(name, "description"): one list for the
 * struct below and whatever prints or exports them.
 */
#define SBC_DPCLIENT_COUNTERS(X) \
	X(sent,        "requests sent, both styles") \
	X(answered,    "answers that completed their request (any status)") \
	X(timeouts,    "requests with no answer by their deadline") \
	X(late,        "answers to expired requests (handed to the late handler)") \
	X(unknown_id,  "answers to no pending or remembered request, dropped") \
	X(malformed,   "messages that failed to decode, or answers of the wrong type") \
	X(send_errors, "requests the socket refused (EAGAIN, EPIPE, ...)") \
	X(aborted,     "requests completed with -EPIPE: connection lost or closed") \
	X(events,      "events received") \
	X(events_lost, "events dropped: the local queue was full")

struct sbc_dpclient_stats {
#define SBC_DPCLIENT_X_FIELD(name, desc) uint64_t name;
	SBC_DPCLIENT_COUNTERS(SBC_DPCLIENT_X_FIELD)
#undef SBC_DPCLIENT_X_FIELD
};

/** Copy the connection's counters into @st.  Any time, cheap. */
void sbc_dpclient_get_stats(const struct sbc_dpclient *c, struct sbc_dpclient_stats *st);

#endif /* SBC_DPCLIENT_H */
