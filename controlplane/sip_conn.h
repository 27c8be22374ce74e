/* SPDX-License-Identifier: BSD-3-Clause
 * The SIP connection guard: what TCP and TLS peers may hold of the control
 * plane (sip.limits, docs/security.md "Connections").
 *
 * Sofia-SIP 1.12 accepts every connection it is offered and has no limit
 * per source or in all; it stops reading a connection after a message it
 * cannot parse (tport_parse() marks it "recv closed" and stalls it) and
 * then never sees its peer's FIN, so the socket waits in CLOSE-WAIT until
 * nta's 30-minute idle timer; it arms no idle timer on an accepted TCP
 * connection that never sends a byte, and none for a TLS handshake.  The
 * guard sits beside it, on the descriptors:
 *
 *   sbc_sip_conn_accept()  wraps accept() (conn_interpose.c routes Sofia's
 *                          call here): counts connections per source and
 *                          in all, resets the ones over a limit at once,
 *                          sheds connections when descriptors run out (a
 *                          reserve descriptor) instead of failing accept()
 *                          in a loop, and logs refusals once per window.
 *   sbc_sip_conn_scan()    every SBC_SIP_CONN_SCAN_MS: forgets what Sofia
 *                          closed, and shuts down (shutdown(2): Sofia sees
 *                          the hang-up and closes its transport itself) a
 *                          connection left half-closed (CLOSE-WAIT: its
 *                          peer's FIN unread; FIN-WAIT: ours sent after a
 *                          400 or 413, the peer's never read), a TLS
 *                          connection without a handshake after the
 *                          handshake timeout, and a TCP connection silent
 *                          since its accept after the idle timeout.
 *
 * Sofia's own timers (TPTAG_IDLE, TPTAG_TIMEOUT, NTATAG_MAXSIZE, set by
 * sipif.c) do the rest.  The guard never closes a descriptor it did not
 * accept-and-refuse itself: Sofia owns every one it was handed.
 *
 * Thread: the su_root thread (Sofia accepts and handshakes there); no
 * locks.  Time is passed in (monotonic milliseconds) for the unit tests.
 */
#ifndef SBC_SIP_CONN_H
#define SBC_SIP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sbc_addr.h"

#define SBC_SIP_CONN_SCAN_MS 250          /* period of sbc_sip_conn_scan() */
#define SBC_SIP_CONN_HALF_OPEN_MS 1000    /* half-closed this long: shut down */
#define SBC_SIP_CONN_LOG_WINDOW_MS 10000  /* one refusal line per window */
#define SBC_SIP_CONN_FD_RESERVE 128       /* descriptors kept for all but connections */
#define SBC_SIP_CONN_TLS_MAX 16           /* TLS listeners told apart */

struct sbc_sip_conn;

struct sbc_sip_conn_params {
	uint32_t max_connections;       /* accepted and open at once, in all */
	uint32_t max_per_source;        /* ... from one source */
	uint32_t ipv6_prefix_len;       /* IPv6 sources are counted per prefix */
	uint32_t idle_timeout_ms;       /* a TCP connection silent since its accept */
	uint32_t handshake_timeout_ms;  /* a TLS connection without a handshake */
	uint64_t fd_limit;              /* RLIMIT_NOFILE's soft limit; 0 = read it */
};

/* The guard's counters, X(name, "description"). */
#define SBC_SIP_CONN_COUNTERS(X) \
	X(accepted,          "TCP and TLS connections accepted and kept") \
	X(refused_source,    "connections reset: their source's limit (max_connections_per_source)") \
	X(refused_total,     "connections reset: max_connections") \
	X(refused_fds,       "connections reset: no descriptor left (EMFILE, ENFILE)") \
	X(closed_half_open,  "connections shut down half-closed for a second (CLOSE-WAIT, FIN-WAIT)") \
	X(closed_handshake,  "TLS connections shut down without a handshake (tls_handshake_timeout_s)") \
	X(closed_silent,     "TCP connections shut down silent since their accept (idle_timeout_s)") \
	X(stream_dropped,    "messages taken out of a TCP/TLS stream before Sofia (a reply, if any, ours)") \
	X(stream_closed,     "TCP/TLS connections shut down for a message that cannot be framed or judged")

struct sbc_sip_conn_counters {
#define SBC_SIP_CONN_X_FIELD(name, desc) uint64_t name;
	SBC_SIP_CONN_COUNTERS(SBC_SIP_CONN_X_FIELD)
#undef SBC_SIP_CONN_X_FIELD
	uint32_t open;                  /* tracked now */
	uint32_t peak;                  /* most tracked at once */
	uint32_t max_connections;       /* in force (lowered to fit the descriptors) */
};

/** The real accept(2) (or a test's stand-in). */
typedef int sbc_sip_conn_accept_fn(int lfd, struct sockaddr *addr, socklen_t *len);

/**
 * A guard with @p (copied).  max_connections is lowered to fit the
 * descriptors (fd_limit less SBC_SIP_CONN_FD_RESERVE), logged.  NULL with
 * *@err = -ENOMEM or -EINVAL.
 */
struct sbc_sip_conn *sbc_sip_conn_create(const struct sbc_sip_conn_params *p, int *err);

/** Free @g (NULL is fine); descriptors are Sofia's and stay open. */
void sbc_sip_conn_destroy(struct sbc_sip_conn *g);

/** Connections accepted on @ip:@port are TLS (an unspecified @ip: any address). */
int sbc_sip_conn_add_tls_listener(struct sbc_sip_conn *g, const struct sbc_ip *ip,
				  uint16_t port);

/**
 * accept(2) on @lfd through @real, with the limits: the first connection
 * to keep is returned (its peer in @addr/@len as accept() would); the
 * refused ones are reset (SO_LINGER 0) and the next pending one taken, up
 * to a burst.  With nothing to hand over it returns -1 with errno 0 when
 * that is no error (nothing pending, all refused: Sofia then reports
 * nothing) or accept()'s errno.  Non-IP peers (UNIX sockets) pass untouched.
 */
int sbc_sip_conn_accept(struct sbc_sip_conn *g, int lfd, struct sockaddr *addr, socklen_t *len,
			sbc_sip_conn_accept_fn *real, uint64_t now_ms);

/** The TLS handshake on @fd is done (SSL_accept() returned 1). */
void sbc_sip_conn_handshake_done(struct sbc_sip_conn *g, int fd);

/** Forget closed descriptors, shut down the stuck ones, log a refusal summary. */
void sbc_sip_conn_scan(struct sbc_sip_conn *g, uint64_t now_ms);

/* ---- what an accepted connection's peer sends (streams) ---- */

#define SBC_SIP_CONN_HDR_MAX 65536        /* a longer header block closes the connection */

enum sbc_sip_conn_verdict {
	SBC_SIP_CONN_PASS = 0,      /* the message goes to Sofia */
	SBC_SIP_CONN_DROP,          /* taken out of the stream; the connection goes on */
	SBC_SIP_CONN_CLOSE,         /* taken out, nothing after it read: shut down */
};

/**
 * Judges one message by its header block @hdr (@len bytes, the empty line
 * included) on @fd; @framing_ok is false when its Content-Length is not
 * one number (a stream cannot be read past it).  A reply to send first
 * goes into @reply (@size bytes), its length in *@reply_len (0: none).
 */
typedef enum sbc_sip_conn_verdict sbc_sip_conn_judge_fn(void *arg, int fd, const char *hdr,
							size_t len, bool framing_ok, char *reply,
							size_t size, size_t *reply_len);

/** Writes a judge's reply on the connection (TCP send, SSL_write): true if all of it went. */
typedef bool sbc_sip_conn_send_fn(void *ctx, const char *p, size_t n);

/** Messages on accepted connections are judged by @fn (NULL: none is). */
void sbc_sip_conn_set_judge(struct sbc_sip_conn *g, sbc_sip_conn_judge_fn *fn, void *arg);

/**
 * @n bytes just read from the accepted connection @fd into @buf (Sofia's
 * buffer): each message in them is framed (its header block, then
 * Content-Length bytes) and judged once its header block is complete
 * (copied while it spans reads).  A message refused is taken out of @buf
 * (the bytes after it moved down), its reply sent through @send unless
 * Sofia's last write on @fd was incomplete (a reply then would land inside
 * Sofia's message).  A refused message that began in an earlier read, a
 * header block over SBC_SIP_CONN_HDR_MAX and a CLOSE verdict shut the
 * connection down: nothing from there on reaches Sofia, which then reads
 * the end of the stream.  Returns the bytes left in @buf for Sofia.
 * Descriptors the guard did not accept pass untouched.
 */
size_t sbc_sip_conn_stream_in(struct sbc_sip_conn *g, int fd, char *buf, size_t n,
			      sbc_sip_conn_send_fn *send, void *ctx, uint64_t now_ms);

/** Sofia wrote @sent (< 0: an error) of @want bytes on @fd. */
void sbc_sip_conn_stream_out(struct sbc_sip_conn *g, int fd, long sent, size_t want);

/** The counters now. */
void sbc_sip_conn_counters(const struct sbc_sip_conn *g, struct sbc_sip_conn_counters *out);

/**
 * The guard conn_interpose.c's hooks use (NULL: they pass through).
 * sipif.c installs it before the first listener and clears it at shutdown.
 */
void sbc_sip_conn_install(struct sbc_sip_conn *g);
struct sbc_sip_conn *sbc_sip_conn_installed(void);

#endif
