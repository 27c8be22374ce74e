/* SPDX-License-Identifier: BSD-3-Clause
 * Client side of the control/data API (common/sbc_api.h): a connection to
 * sbc-dataplane's UNIX SOCK_SEQPACKET socket, requests with bounded waits,
 * and the events the data plane pushes.  Used by sbc-controlplane and
 * sbc-dpctl.  Links no DPDK.
 *
 * Thread: one connection belongs to one thread (the control plane's event
 * loop); nothing here locks.  No function blocks longer than the timeout
 * given at connect.
 */
#ifndef SBC_DPCLIENT_H
#define SBC_DPCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbc_api.h"

struct sbc_dpclient;

/**
 * Connect to @path and check the API version with HELLO.  @timeout_ms
 * bounds every later wait for a response.  Returns the client, or NULL with
 * *@err set to -errno (-ECONNREFUSED, -ENOENT, -ETIMEDOUT, -EPROTO for a
 * version mismatch).
 */
struct sbc_dpclient *sbc_dpclient_connect(const char *path, unsigned int timeout_ms, int *err);

/** Close and free; NULL is allowed. */
void sbc_dpclient_close(struct sbc_dpclient *c);

/** The socket, to watch for readability in an event loop (events). */
int sbc_dpclient_fd(const struct sbc_dpclient *c);

/** What HELLO returned at connect. */
const struct sbc_api_hello_resp *sbc_dpclient_server(const struct sbc_dpclient *c);

/**
 * Send @req (a request built with sbc_api_init(); its request id is set
 * here) and wait for the response with the same id, up to the timeout.
 * Events that arrive meanwhile are queued (sbc_dpclient_next_event()); a
 * late response to an earlier request is discarded.  The response is
 * decoded (sbc_api_decode()) before it is returned in @resp (@resp_len
 * bytes, at least SBC_API_MSG_MAX is always enough).
 * Returns the response status (SBC_API_OK = 0, or a positive
 * enum sbc_api_status), or -errno for a transport failure (-ETIMEDOUT,
 * -EPIPE, -EBADMSG for an undecodable response).
 */
int sbc_dpclient_call(struct sbc_dpclient *c, void *req, void *resp, size_t resp_len);

/*
 * Typed requests; same return convention as sbc_dpclient_call().
 * sbc_dpclient_alloc() is an ALLOC of one endpoint (family 4 or 6); @out
 * gets it.
 */
int sbc_dpclient_alloc(struct sbc_dpclient *c, const char *iface, int family, bool rtcp_mux,
		       struct sbc_api_alloc_ep *out);
int sbc_dpclient_bind(struct sbc_dpclient *c, const struct sbc_api_leg *a,
		      const struct sbc_api_leg *b, uint32_t media_timeout_ms,
		      uint32_t *session_id);
int sbc_dpclient_update(struct sbc_dpclient *c, uint32_t session_id, uint32_t what,
			const struct sbc_api_leg *a, const struct sbc_api_leg *b,
			uint32_t media_timeout_ms);
int sbc_dpclient_release(struct sbc_dpclient *c, uint32_t session_id, uint32_t endpoint_id);
int sbc_dpclient_stats(struct sbc_dpclient *c, uint32_t session_id,
		       struct sbc_api_stats_resp *out);
int sbc_dpclient_dump(struct sbc_dpclient *c, uint32_t cursor, uint32_t max,
		      struct sbc_api_dump_resp *out);
int sbc_dpclient_hello(struct sbc_dpclient *c, struct sbc_api_hello_resp *out);

/**
 * Next pushed event, without blocking: a queued one, else one read from
 * the socket if any is there.  Returns 1 (event in @ev), 0 (none) or
 * -errno (the connection failed).  Responses read here (late ones) are
 * discarded.
 */
int sbc_dpclient_next_event(struct sbc_dpclient *c, struct sbc_api_event *ev);

/** Events lost because the local queue was full. */
uint64_t sbc_dpclient_events_lost(const struct sbc_dpclient *c);

#endif /* SBC_DPCLIENT_H */
