/* SPDX-License-Identifier: BSD-3-Clause
 * The data plane connection (b2bua_priv.h): the asynchronous client
 * (sbc_dpclient.h) on the su_root loop.  Requests carry ids and a
 * continuation; the socket's readability dispatches answers and events;
 * a 50 ms tick fails requests past their deadline (B2B_DP_TIMEOUT_MS), so
 * a data plane that does not answer fails the calls that wait for it,
 * never the loop.  An answer that comes after its deadline releases what
 * it allocated (b2b_media_late_answer()).
 *
 * Losing the connection never stops the control plane: the requests in
 * flight fail (their calls with them); an answered plain-RTP call waits up
 * to DP_ADOPT_MS for a new data plane, which gives it the same ports again
 * (media resumes with no re-INVITE); every other call, and one not adopted
 * in time, ends cleanly (BYE or a final response on both legs, CDR
 * media_lost); new calls get 503 while it is away; the tick reconnects
 * with a backoff (200 ms doubling to 5 s).
 *
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "b2bua_priv.h"
#include "sbc_log.h"

static struct b2b_call *call_by_session(struct sbc_b2bua *b, uint32_t session_id)
{
	struct b2b_call *c;
	uint32_t i;

	for (c = b->calls; c != NULL; c = c->next)
		for (i = 0; i < SBC_SDP_MEDIA_MAX; i++)
			if (c->line[i].session == session_id)
				return c;
	return NULL;
}

static void dp_event(struct sbc_b2bua *b, const struct sbc_api_event *ev)
{
	struct b2b_call *c;
	char addr[64];

	if (ev->kind == SBC_API_EV_SRTP_AUTH_BURST) {
		/* Wrong key, tampering or a stray sender: counted, the call goes on. */
		c = call_by_session(b, ev->session_id);
		SBC_LOG(WARN, B2B_LOG, "call %u: SRTP authentication failures: %u in a second on "
			"endpoint %u (last from %s)", c != NULL ? c->no : 0, ev->count,
			ev->endpoint_id, sbc_api_addr_str(&ev->addr, addr, sizeof(addr)));
		return;
	}
	if (ev->kind == SBC_API_EV_LEARN_REFUSED) {
		/* Someone else sent to the call's port first: it did not take the
		 * media (the data plane raises this once a second per stream). */
		c = call_by_session(b, ev->session_id);
		b->n.learn_refused++;
		SBC_LOG(WARN, B2B_LOG, "call %u: media from %s refused on endpoint %u: outside the "
			"leg's learn scope (%u packets)", c != NULL ? c->no : 0,
			sbc_api_addr_str(&ev->addr, addr, sizeof(addr)), ev->endpoint_id, ev->count);
		return;
	}
	if (ev->kind != SBC_API_EV_MEDIA_TIMEOUT) {
		SBC_LOG(DEBUG, B2B_LOG, "data plane event %u on session %u", ev->kind,
			ev->session_id);
		return;
	}
	c = call_by_session(b, ev->session_id);
	if (c == NULL || c->state == B2B_ENDED)
		return;
	SBC_LOG(NOTICE, B2B_LOG, "call %u: media timeout (%u ms idle): ending", c->no, ev->count);
	b2b_leg_hangup(&c->leg[0], 480, "Temporarily Unavailable");
	b2b_leg_hangup(&c->leg[1], 0, NULL);
	b2b_call_end(c, "media-timeout", c->leg[0].answered ? 200 : 480, "sbc");
}

#define DP_BACKOFF_MIN_MS 200
#define DP_BACKOFF_MAX_MS 5000
#define DP_RECONNECT_HELLO_MS 500     /* a data plane that accepts but says nothing */

#define DP_ADOPT_MS 10000         /* a call waits this long for a new data plane */

static void call_media_lost(struct b2b_call *c)
{
	SBC_LOG(NOTICE, B2B_LOG, "call %u: no data plane for its media: ending (media_lost)", c->no);
	c->orphaned = false;
	c->b->n.calls_media_lost++;
	b2b_leg_hangup(&c->leg[0], 503, "Service Unavailable");
	b2b_leg_hangup(&c->leg[1], 0, NULL);
	b2b_call_end(c, "media_lost", c->leg[0].answered ? 200 : 503, "sbc");
}

void b2b_call_readopt_failed(struct b2b_call *c)
{
	call_media_lost(c);
}

/*
 * Can the call keep its media on a new data plane?  An answered call with
 * plain RTP on both legs and nothing in flight: the new data plane gives it
 * the same ports and both peers go on sending there.  Not an SRTP call:
 * fresh contexts would protect again from index 0 under the same keys
 * (keystream reuse); re-keying it would take a re-INVITE of each leg.
 */
static bool call_adoptable(const struct b2b_call *c)
{
	uint32_t i;
	bool any = false;

	if (c->state != B2B_ANSWERED || c->ack_pending || c->reoffer != NULL ||
	    b2b_leg_is_srtp(&c->leg[0]) || b2b_leg_is_srtp(&c->leg[1]))
		return false;
	for (i = 0; i < c->n_media; i++)
		any |= c->line[i].anchored;
	return any;
}

/*
 * The data plane's sessions are gone with it.  Calls that can keep their
 * media wait for a new data plane (at most DP_ADOPT_MS), the others end.
 */
static void calls_media_lost(struct sbc_b2bua *b)
{
	struct b2b_call *c, *next;
	uint32_t i;

	for (c = b->calls; c != NULL; c = next) {
		next = c->next;
		if (c->state == B2B_ENDED)
			continue;
		if (!call_adoptable(c)) {
			call_media_lost(c);
			continue;
		}
		c->orphaned = true;
		for (i = 0; i < SBC_SDP_MEDIA_MAX; i++) {
			c->line[i].session = 0;
			c->line[i].busy = false;
			c->line[i].dirty = false;
			c->leg[0].ep[i] = c->leg[1].ep[i] = 0;
		}
		SBC_LOG(NOTICE, B2B_LOG, "call %u: the data plane went: waiting up to %u ms for "
			"a new one", c->no, DP_ADOPT_MS);
	}
}

/* Reconnected: the orphaned calls take their ports again. */
static void calls_readopt(struct sbc_b2bua *b)
{
	struct b2b_call *c, *next;

	for (c = b->calls; c != NULL; c = next) {
		next = c->next;
		if (c->state != B2B_ENDED && c->orphaned && b2b_media_readopt(c) != 0)
			call_media_lost(c);
	}
}

/* Not reconnected in time: the orphaned calls end. */
static void calls_adopt_expired(struct sbc_b2bua *b)
{
	struct b2b_call *c, *next;

	for (c = b->calls; c != NULL; c = next) {
		next = c->next;
		if (c->state != B2B_ENDED && c->orphaned)
			call_media_lost(c);
	}
}

static void dp_lost(struct sbc_b2bua *b, int rc)
{
	SBC_LOG(ERR, B2B_LOG, "data plane connection lost: %s; ending the calls with media, "
		"reconnecting", strerror(-rc));
	b->n.dp_lost++;
	b2b_dplink_close(b);       /* requests in flight complete with -EPIPE */
	calls_media_lost(b);
	b->dp_backoff_ms = DP_BACKOFF_MIN_MS;
	b->dp_retry_ms = b2b_mono_ms() + b->dp_backoff_ms;
	b->dp_adopt_ms = b2b_mono_ms() + DP_ADOPT_MS;
}

static int dp_attach(struct sbc_b2bua *b);

/* Lost: one attempt when due, the next one later and later. */
static void dp_reconnect(struct sbc_b2bua *b, uint64_t now_ms)
{
	int rc;

	if (b->dp_adopt_ms != 0 && now_ms >= b->dp_adopt_ms) {
		b->dp_adopt_ms = 0;
		calls_adopt_expired(b);
	}
	if (b->stopping || now_ms < b->dp_retry_ms)
		return;
	b->dp = sbc_dpclient_connect(b->cfg->dataplane.api_socket, DP_RECONNECT_HELLO_MS, &rc);
	if (b->dp == NULL || dp_attach(b) != 0) {
		if (b->dp != NULL)
			b2b_dplink_close(b);
		b->dp_backoff_ms = b->dp_backoff_ms * 2 > DP_BACKOFF_MAX_MS ? DP_BACKOFF_MAX_MS :
				   b->dp_backoff_ms * 2;
		b->dp_retry_ms = now_ms + b->dp_backoff_ms;
		return;
	}
	b->n.dp_reconnects++;
	b->dp_adopt_ms = 0;
	SBC_LOG(NOTICE, B2B_LOG, "data plane connected again");
	calls_readopt(b);
}

static int on_dp_readable(struct sbc_b2bua *b, su_wait_t *w, void *arg)
{
	struct sbc_api_event ev;
	int rc;

	(void)w;
	(void)arg;
	rc = sbc_dpclient_dispatch(b->dp);
	while (rc >= 0 && b->dp != NULL && (rc = sbc_dpclient_next_event(b->dp, &ev)) > 0)
		dp_event(b, &ev);
	if (rc < 0 && b->dp != NULL)
		dp_lost(b, rc);
	return 0;
}

static void on_late(void *arg, const void *resp, size_t len)
{
	b2b_media_late_answer(arg, resp, len);
}

int b2b_dp_send(struct sbc_b2bua *b, struct b2b_call *c, void *req,
		sbc_dpclient_done_fn done, void *arg)
{
	int rc;

	if (b->dp == NULL || b->dp_closing)
		return -EPIPE;
	rc = sbc_dpclient_send(b->dp, req, B2B_DP_TIMEOUT_MS, done, arg);
	if (rc != 0) {
		b->n.dp_failures++;
		return rc;
	}
	b->n.dp_requests++;
	if (c != NULL)
		c->dp_requests++;
	return 0;
}

void b2b_dplink_tick(struct sbc_b2bua *b, uint64_t now_ms)
{
	unsigned int n;

	if (b->dp == NULL && b->dp_retry_ms != 0) {
		dp_reconnect(b, now_ms);
		return;
	}
	/* the client's deadlines are on its own clock */
	if (b->dp == NULL || sbc_dpclient_pending(b->dp) == 0)
		return;
	n = sbc_dpclient_expire(b->dp, sbc_dpclient_monotonic_ms());
	if (n != 0)
		SBC_LOG(WARN, B2B_LOG, "%u data plane requests unanswered after %u ms", n,
			B2B_DP_TIMEOUT_MS);
}

/* Connect, retried every 200 ms for up to @wait_ms (the data plane may start later). */
static struct sbc_dpclient *dp_connect(const char *path, unsigned int wait_ms, int *err)
{
	struct sbc_dpclient *dp;
	unsigned int waited = 0;
	struct timespec ts = { 0, 200 * 1000000L };

	for (;;) {
		dp = sbc_dpclient_connect(path, B2B_DP_TIMEOUT_MS, err);
		if (dp != NULL || *err == -EPROTO || waited >= wait_ms)
			return dp;
		nanosleep(&ts, NULL);
		waited += 200;
	}
}

int b2b_dplink_open(struct sbc_b2bua *b, unsigned int wait_ms)
{
	int rc;

	b->dp = dp_connect(b->cfg->dataplane.api_socket, wait_ms, &rc);
	if (b->dp == NULL) {
		SBC_LOG(ERR, B2B_LOG, "no data plane at %s: %s", b->cfg->dataplane.api_socket,
			strerror(-rc));
		return rc;
	}
	return dp_attach(b);
}

/* b->dp connected: announced and put on the loop. */
static int dp_attach(struct sbc_b2bua *b)
{
	const struct sbc_api_hello_resp *h = sbc_dpclient_server(b->dp);

	SBC_LOG(NOTICE, B2B_LOG, "data plane connected: %u workers, %u of %u streams free",
		h->n_workers, h->free_streams, h->max_streams);
	sbc_dpclient_set_late_handler(b->dp, on_late, b);
	su_wait_create(&b->dp_wait, sbc_dpclient_fd(b->dp), SU_WAIT_IN);
	b->dp_index = su_root_register(b->root, &b->dp_wait, on_dp_readable, NULL, 0);
	return b->dp_index > 0 ? 0 : -ENOMEM;
}

/* Requests still in flight complete with -EPIPE; their continuations send nothing new. */
void b2b_dplink_close(struct sbc_b2bua *b)
{
	struct sbc_dpclient *dp = b->dp;

	if (b->dp_index > 0)
		su_root_deregister(b->root, b->dp_index);
	b->dp_index = 0;
	if (dp == NULL)
		return;
	b->dp_closing = true;
	sbc_dpclient_close(dp);
	b->dp = NULL;
	b->dp_closing = false;
}

/* `sbcctl stats`: the data plane link and the round trips calls cost. */
void b2b_dplink_dump(struct sbc_b2bua *b, FILE *o)
{
	struct sbc_dpclient_stats st;

	memset(&st, 0, sizeof(st));
	if (b->dp != NULL)
		sbc_dpclient_get_stats(b->dp, &st);
	fprintf(o, "dataplane connected=%s pending=%u", b->dp != NULL ? "yes" : "no",
		b->dp != NULL ? sbc_dpclient_pending(b->dp) : 0);
#define B2B_X_PRINT(name, desc) fprintf(o, " " #name "=%" PRIu64, (uint64_t)st.name);
	SBC_DPCLIENT_COUNTERS(B2B_X_PRINT)
#undef B2B_X_PRINT
	fprintf(o, "\n");
}
