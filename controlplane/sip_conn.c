/* SPDX-License-Identifier: BSD-3-Clause
 * The SIP connection guard (sip_conn.h).
 *
 * The connections it tracks are kept in an array indexed by descriptor,
 * each with its socket's inode: a descriptor Sofia closed is told apart
 * from a new one with the same number by fstat(2), at each scan and before
 * a refusal (so that a limit is never held by connections already gone).
 * Sources are counted in an open-addressing table (linear probing,
 * backward-shift deletion) with a random hash seed, sized at twice
 * max_connections: a connection has one source, so it never fills.
 *
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbc_log.h"
#include "sip_conn.h"

#define CONN_LOG "sip-conn"
#define ACCEPT_BURST 64            /* connections one accept() call may refuse */
#define VALIDATE_MIN_MS 10         /* re-reading descriptors before a refusal, at most this often */
/* tcpi_state values are Linux's (include/net/tcp_states.h); glibc's
 * <netinet/tcp.h> names them too but cannot be included with <linux/tcp.h>. */
#define TCP_STATE_FIN_WAIT1 4
#define TCP_STATE_FIN_WAIT2 5
#define TCP_STATE_CLOSE_WAIT 8
#define TCP_STATE_CLOSING 11

enum conn_state { CONN_FREE = 0, CONN_OPEN, CONN_SHUT };

enum refusal { REFUSE_NONE = 0, REFUSE_SOURCE, REFUSE_TOTAL, REFUSE_FDS };

struct conn {
	uint64_t ino;              /* the socket's inode when accepted */
	uint64_t since_ms;         /* accepted at */
	uint64_t half_open_ms;     /* first seen in CLOSE-WAIT; 0 = not */
	struct sbc_ip src;         /* its source key (IPv6 masked) */
	uint8_t state;             /* enum conn_state */
	bool tls_pending;          /* on a TLS listener, handshake not done */
	/* its input framed (sbc_sip_conn_stream_in) */
	bool in_hdr;               /* inside a header block begun in an earlier read */
	bool doomed;               /* refused: nothing more passed; Sofia reads the end */
	bool tx_partial;           /* Sofia's last write on it incomplete */
	uint32_t hdr_len;          /* bytes in hdr */
	char *hdr;                 /* that header block so far (malloc'd, SBC_SIP_CONN_HDR_MAX) */
	uint64_t doomed_ms;        /* when it was refused */
	uint64_t body_left;        /* the current message's body still to pass to Sofia */
	uint64_t skip_left;        /* a refused message's body still to take out */
};

struct src_slot {
	struct sbc_ip key;
	uint32_t count;            /* 0 = empty slot */
};

struct tls_listener {
	struct sbc_ip ip;          /* family 0: any address */
	uint16_t port;
};

struct sbc_sip_conn {
	struct sbc_sip_conn_params p;
	struct conn *conns;        /* by descriptor */
	uint32_t cap;              /* entries in conns */
	uint32_t hi;               /* one past the highest tracked descriptor */
	struct src_slot *src;
	uint32_t src_mask;
	uint32_t seed;
	struct tls_listener tls[SBC_SIP_CONN_TLS_MAX];
	uint32_t n_tls;
	int reserve_fd;            /* given up to accept and reset when descriptors run out */
	uint64_t validated_ms;
	bool untracked_logged;
	sbc_sip_conn_judge_fn *judge;
	void *judge_arg;
	/* Refusals: one line, then counted until the window ends. */
	uint64_t window_end_ms;    /* 0 = no window open */
	uint64_t window_refused[4];  /* by enum refusal */
	struct sbc_sip_conn_counters n;
};

static struct sbc_sip_conn *installed;

void sbc_sip_conn_install(struct sbc_sip_conn *g) { installed = g; }
struct sbc_sip_conn *sbc_sip_conn_installed(void) { return installed; }

/* ---- sources ---- */

static uint32_t src_hash(const struct sbc_sip_conn *g, const struct sbc_ip *k)
{
	uint32_t h = 2166136261u ^ g->seed;
	size_t i, n = k->family == 4 ? 4 : 16;

	h = (h ^ k->family) * 16777619u;
	for (i = 0; i < n; i++)
		h = (h ^ k->bytes[i]) * 16777619u;
	return h ^ (h >> 15);
}

static bool src_equal(const struct sbc_ip *a, const struct sbc_ip *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

/* The slot of @k, or the empty one where it would go. */
static uint32_t src_find(const struct sbc_sip_conn *g, const struct sbc_ip *k)
{
	uint32_t i = src_hash(g, k) & g->src_mask;

	while (g->src[i].count != 0 && !src_equal(&g->src[i].key, k))
		i = (i + 1) & g->src_mask;
	return i;
}

static uint32_t src_count(const struct sbc_sip_conn *g, const struct sbc_ip *k)
{
	return g->src[src_find(g, k)].count;
}

static void src_add(struct sbc_sip_conn *g, const struct sbc_ip *k)
{
	uint32_t i = src_find(g, k);

	g->src[i].key = *k;
	g->src[i].count++;
}

static void src_del(struct sbc_sip_conn *g, const struct sbc_ip *k)
{
	uint32_t i = src_find(g, k), j, home;

	if (g->src[i].count == 0 || --g->src[i].count != 0)
		return;
	/* Backward shift: close the hole so that every later key stays reachable. */
	for (j = (i + 1) & g->src_mask; g->src[j].count != 0; j = (j + 1) & g->src_mask) {
		home = src_hash(g, &g->src[j].key) & g->src_mask;
		/* Leave it when its home lies cyclically in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		g->src[i] = g->src[j];
		g->src[j].count = 0;
		i = j;
	}
}

/* ---- addresses ---- */

/* @sa as an address (IPv4-mapped IPv6 as IPv4) and port; false when not IP. */
static bool sa_ip(const struct sockaddr *sa, socklen_t len, struct sbc_ip *ip, uint16_t *port)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(ip, 0, sizeof(*ip));
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		ip->family = 4;
		memcpy(ip->bytes, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
		return true;
	}
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		if (memcmp(&s6->sin6_addr, mapped, 12) == 0) {
			ip->family = 4;
			memcpy(ip->bytes, (const uint8_t *)&s6->sin6_addr + 12, 4);
		} else {
			ip->family = 6;
			memcpy(ip->bytes, &s6->sin6_addr, 16);
		}
		*port = ntohs(s6->sin6_port);
		return true;
	}
	return false;
}

static void src_key(const struct sbc_sip_conn *g, const struct sbc_ip *ip, struct sbc_ip *k)
{
	uint32_t bits = g->p.ipv6_prefix_len, i;

	*k = *ip;
	if (k->family != 6 || bits >= 128)
		return;
	for (i = bits / 8; i < 16; i++)
		k->bytes[i] &= i == bits / 8 ? (uint8_t)(0xff00u >> (bits % 8)) : 0;
}

static bool on_tls_listener(const struct sbc_sip_conn *g, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct sbc_ip ip;
	uint16_t port;
	uint32_t i;

	if (g->n_tls == 0 || getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
	    !sa_ip((struct sockaddr *)&ss, len, &ip, &port))
		return false;
	for (i = 0; i < g->n_tls; i++)
		if (g->tls[i].port == port &&
		    (g->tls[i].ip.family == 0 || sbc_ip_equal(&g->tls[i].ip, &ip)))
			return true;
	return false;
}

/* ---- the table ---- */

static void conn_forget(struct sbc_sip_conn *g, int fd)
{
	struct conn *c = &g->conns[fd];

	if (c->state == CONN_FREE)
		return;
	src_del(g, &c->src);
	free(c->hdr);
	memset(c, 0, sizeof(*c));          /* CONN_FREE, framing reset */
	g->n.open--;
}

/* False when @fd is no longer the socket accepted (closed, or its number reused). */
static bool conn_still_there(const struct conn *c, int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) && (uint64_t)st.st_ino == c->ino;
}

static void conns_validate(struct sbc_sip_conn *g, uint64_t now_ms)
{
	uint32_t fd, hi = 0;

	for (fd = 0; fd < g->hi; fd++) {
		if (g->conns[fd].state == CONN_FREE)
			continue;
		if (!conn_still_there(&g->conns[fd], (int)fd))
			conn_forget(g, (int)fd);
		else
			hi = fd + 1;
	}
	g->hi = hi;
	g->validated_ms = now_ms;
}

static int conns_reserve(struct sbc_sip_conn *g, int fd)
{
	uint32_t cap = g->cap ? g->cap : 1024;
	struct conn *n;

	if ((uint32_t)fd < g->cap)
		return 0;
	while (cap <= (uint32_t)fd)
		cap *= 2;
	n = realloc(g->conns, (size_t)cap * sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	memset(n + g->cap, 0, (size_t)(cap - g->cap) * sizeof(*n));
	g->conns = n;
	g->cap = cap;
	return 0;
}

/* ---- refusals ---- */

static const char *refusal_what(enum refusal r)
{
	switch (r) {
	case REFUSE_SOURCE: return "max_connections_per_source";
	case REFUSE_TOTAL: return "max_connections";
	case REFUSE_FDS: return "no descriptor left";
	default: return "?";
	}
}

/* One line per window: the first refusal says why; the rest are counted. */
static void refused(struct sbc_sip_conn *g, enum refusal r, const struct sbc_ip *src,
		    uint32_t from_src, uint64_t now_ms)
{
	char ip[64];

	if (r == REFUSE_SOURCE)
		g->n.refused_source++;
	else if (r == REFUSE_TOTAL)
		g->n.refused_total++;
	else
		g->n.refused_fds++;
	if (g->window_end_ms != 0) {
		g->window_refused[r]++;
		return;
	}
	g->window_end_ms = now_ms + SBC_SIP_CONN_LOG_WINDOW_MS;
	if (src != NULL)
		sbc_ip_str(src, ip, sizeof(ip));
	else
		snprintf(ip, sizeof(ip), "?");
	if (r == REFUSE_FDS)
		SBC_LOG(WARN, CONN_LOG, "refusing new TCP/TLS connections (%s, %u open; the last "
			"from %s); calls and connections up are kept; further refusals are "
			"counted, logged again in %u s at most", refusal_what(r), g->n.open, ip,
			SBC_SIP_CONN_LOG_WINDOW_MS / 1000);
	else
		SBC_LOG(WARN, CONN_LOG, "refusing new TCP/TLS connections (%s: %u open, %u from "
			"%s); calls and connections up are kept; further refusals are counted, "
			"logged again in %u s at most", refusal_what(r), g->n.open, from_src, ip,
			SBC_SIP_CONN_LOG_WINDOW_MS / 1000);
}

static void window_close(struct sbc_sip_conn *g, uint64_t now_ms)
{
	uint64_t *w = g->window_refused;

	if (g->window_end_ms == 0 || now_ms < g->window_end_ms)
		return;
	g->window_end_ms = 0;
	if (w[REFUSE_SOURCE] + w[REFUSE_TOTAL] + w[REFUSE_FDS] != 0)
		SBC_LOG(NOTICE, CONN_LOG, "%" PRIu64 " more TCP/TLS connections refused in %u s "
			"(%" PRIu64 " max_connections_per_source, %" PRIu64 " max_connections, %"
			PRIu64 " no descriptor); %u open", w[REFUSE_SOURCE] + w[REFUSE_TOTAL] +
			w[REFUSE_FDS], SBC_SIP_CONN_LOG_WINDOW_MS / 1000, w[REFUSE_SOURCE],
			w[REFUSE_TOTAL], w[REFUSE_FDS], g->n.open);
	memset(w, 0, sizeof(g->window_refused));
}

/* Reset (RST, no TIME-WAIT here) and close a connection we refuse. */
static void reset_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* ---- create, destroy ---- */

struct sbc_sip_conn *sbc_sip_conn_create(const struct sbc_sip_conn_params *p, int *err)
{
	struct sbc_sip_conn *g;
	uint64_t fd_limit = p->fd_limit;
	uint32_t slots = 64;

	if (p->max_connections == 0 || p->max_per_source == 0 || p->ipv6_prefix_len > 128) {
		*err = -EINVAL;
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	g->p = *p;
	g->reserve_fd = -1;
	if (fd_limit == 0) {
		struct rlimit rl;

		fd_limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (uint64_t)rl.rlim_cur : 1024;
	}
	g->n.max_connections = p->max_connections;
	if (fd_limit < (uint64_t)p->max_connections + SBC_SIP_CONN_FD_RESERVE) {
		g->n.max_connections = fd_limit > 2 * SBC_SIP_CONN_FD_RESERVE ?
			(uint32_t)(fd_limit - SBC_SIP_CONN_FD_RESERVE) : (uint32_t)(fd_limit / 2);
		SBC_LOG(WARN, CONN_LOG, "sip.limits.max_connections %u lowered to %u: %" PRIu64
			" descriptors (RLIMIT_NOFILE), %u kept for the rest", p->max_connections,
			g->n.max_connections, fd_limit, SBC_SIP_CONN_FD_RESERVE);
	}
	while (slots < 2 * g->n.max_connections)
		slots *= 2;
	g->src = calloc(slots, sizeof(*g->src));
	g->src_mask = slots - 1;
	if (getrandom(&g->seed, sizeof(g->seed), GRND_NONBLOCK) != (ssize_t)sizeof(g->seed))
		g->seed = (uint32_t)(uintptr_t)g ^ (uint32_t)getpid();
	g->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (g->src == NULL || conns_reserve(g, 1023) != 0) {
		sbc_sip_conn_destroy(g);
		*err = -ENOMEM;
		return NULL;
	}
	return g;
}

void sbc_sip_conn_destroy(struct sbc_sip_conn *g)
{
	if (g == NULL)
		return;
	if (installed == g)
		installed = NULL;
	if (g->reserve_fd >= 0)
		close(g->reserve_fd);
	for (uint32_t fd = 0; fd < g->cap; fd++)
		free(g->conns[fd].hdr);
	free(g->conns);
	free(g->src);
	free(g);
}

int sbc_sip_conn_add_tls_listener(struct sbc_sip_conn *g, const struct sbc_ip *ip,
				  uint16_t port)
{
	static const uint8_t zero[16];
	struct tls_listener *t;

	if (g->n_tls == SBC_SIP_CONN_TLS_MAX)
		return -ENOSPC;
	t = &g->tls[g->n_tls++];
	t->ip = *ip;
	if (memcmp(ip->bytes, zero, sizeof(zero)) == 0)
		t->ip.family = 0;
	t->port = port;
	return 0;
}

/* ---- accept ---- */

/* What to do with @fd, accepted from @peer. */
static enum refusal admit(struct sbc_sip_conn *g, int fd, const struct sbc_ip *peer,
			  uint64_t now_ms, uint32_t *from_src)
{
	struct sbc_ip key;
	struct stat st;
	struct conn *c;

	src_key(g, peer, &key);
	if ((uint32_t)fd < g->cap)
		conn_forget(g, fd);   /* the number came back: what we knew under it is gone */
	*from_src = src_count(g, &key);
	if ((g->n.open >= g->n.max_connections || *from_src >= g->p.max_per_source) &&
	    now_ms - g->validated_ms >= VALIDATE_MIN_MS) {
		conns_validate(g, now_ms);
		*from_src = src_count(g, &key);
	}
	if (*from_src >= g->p.max_per_source)
		return REFUSE_SOURCE;
	if (g->n.open >= g->n.max_connections)
		return REFUSE_TOTAL;
	if (fstat(fd, &st) != 0 || conns_reserve(g, fd) != 0) {
		/* Kept, untracked: a refusal here would be ours, not the peer's fault. */
		if (!g->untracked_logged)
			SBC_LOG(WARN, CONN_LOG, "a connection could not be tracked (out of memory): "
				"it is kept, outside the limits");
		g->untracked_logged = true;
		g->n.accepted++;
		return REFUSE_NONE;
	}
	c = &g->conns[fd];
	c->ino = (uint64_t)st.st_ino;
	c->since_ms = now_ms;
	c->half_open_ms = 0;
	c->src = key;
	c->state = CONN_OPEN;
	c->tls_pending = on_tls_listener(g, fd);
	src_add(g, &key);
	g->n.open++;
	if (g->n.open > g->n.peak)
		g->n.peak = g->n.open;
	if ((uint32_t)fd >= g->hi)
		g->hi = (uint32_t)fd + 1;
	g->n.accepted++;
	return REFUSE_NONE;
}

static bool more_pending(int lfd)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN) != 0;
}

/*
 * Out of descriptors: give up the reserve, accept the first connection
 * waiting and reset it, take the reserve back.  Without this accept()
 * fails on and on while the listener stays readable: the loop spins and
 * Sofia logs each failure.  true when one was shed.
 */
static bool shed_one(struct sbc_sip_conn *g, int lfd, sbc_sip_conn_accept_fn *real,
		     uint64_t now_ms)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct sbc_ip ip;
	uint16_t port;
	int s;

	if (g->reserve_fd < 0)
		return false;
	close(g->reserve_fd);
	s = real(lfd, (struct sockaddr *)&ss, &len);
	if (s >= 0)
		reset_close(s);
	g->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (s < 0)
		return false;
	refused(g, REFUSE_FDS, sa_ip((struct sockaddr *)&ss, len, &ip, &port) ? &ip : NULL,
		0, now_ms);
	return true;
}

int sbc_sip_conn_accept(struct sbc_sip_conn *g, int lfd, struct sockaddr *addr, socklen_t *len,
			sbc_sip_conn_accept_fn *real, uint64_t now_ms)
{
	struct sockaddr_storage own;
	struct sockaddr *sa = addr != NULL ? addr : (struct sockaddr *)&own;
	socklen_t cap = addr != NULL && len != NULL ? *len : (socklen_t)sizeof(own), got;
	uint32_t from_src;
	struct sbc_ip ip;
	uint16_t port;
	enum refusal r;
	int i, s;

	for (i = 0; i < ACCEPT_BURST; i++) {
		got = cap;
		s = real(lfd, sa, &got);
		if (s < 0) {
			int e = errno;

			if ((e == EMFILE || e == ENFILE) && shed_one(g, lfd, real, now_ms) &&
			    more_pending(lfd))
				continue;
			if (e == EMFILE || e == ENFILE || e == EAGAIN || e == EWOULDBLOCK ||
			    e == EINTR || e == ECONNABORTED)
				e = 0;    /* nothing for Sofia to report */
			errno = e;
			return -1;
		}
		if (len != NULL)
			*len = got;
		if (!sa_ip(sa, got, &ip, &port))
			return s;   /* not IP (a UNIX socket): not ours to count */
		r = admit(g, s, &ip, now_ms, &from_src);
		if (r == REFUSE_NONE)
			return s;
		reset_close(s);
		refused(g, r, &ip, from_src, now_ms);
		if (!more_pending(lfd))
			break;
	}
	errno = 0;
	return -1;
}

void sbc_sip_conn_handshake_done(struct sbc_sip_conn *g, int fd)
{
	if (fd >= 0 && (uint32_t)fd < g->hi && g->conns[fd].state == CONN_OPEN)
		g->conns[fd].tls_pending = false;
}

/* ---- the scan ---- */

/* @fd's TCP state, and whether it received any byte (true when unknown). */
static bool tcp_state(int fd, uint8_t *state, bool *received)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
		return false;
	*state = ti.tcpi_state;
	*received = len < (socklen_t)(offsetof(struct tcp_info, tcpi_bytes_received) +
				      sizeof(ti.tcpi_bytes_received)) ||
		    ti.tcpi_bytes_received != 0;
	return true;
}

/*
 * One way closed while Sofia keeps the descriptor: CLOSE-WAIT, the peer's
 * FIN unread (Sofia reads it at once unless it stopped reading the
 * connection); FIN-WAIT or CLOSING, Sofia's own FIN sent after a 400 or a
 * 413 (nta's "shutdown after"), and the peer's never read, or stuck behind
 * the rest of a body nobody reads.
 */
static bool half_closed(uint8_t state)
{
	return state == TCP_STATE_CLOSE_WAIT || state == TCP_STATE_FIN_WAIT1 ||
	       state == TCP_STATE_FIN_WAIT2 || state == TCP_STATE_CLOSING;
}

/*
 * Shut @fd down both ways: Sofia's poll sees the hang-up at once and
 * closes its transport (tport_hup_event), as it does when a peer closes
 * a connection it still reads.
 */
static void conn_shut(struct sbc_sip_conn *g, int fd)
{
	(void)shutdown(fd, SHUT_RDWR);
	g->conns[fd].state = CONN_SHUT;
}

void sbc_sip_conn_scan(struct sbc_sip_conn *g, uint64_t now_ms)
{
	uint32_t fd, hi = 0;

	for (fd = 0; fd < g->hi; fd++) {
		struct conn *c = &g->conns[fd];
		uint8_t state;
		bool received;

		if (c->state == CONN_FREE)
			continue;
		if (!conn_still_there(c, (int)fd)) {
			conn_forget(g, (int)fd);
			continue;
		}
		hi = fd + 1;
		if (c->state == CONN_OPEN && c->doomed &&
		    now_ms - c->doomed_ms >= SBC_SIP_CONN_HALF_OPEN_MS) {
			conn_shut(g, (int)fd);     /* Sofia never read the end we gave it */
			continue;
		}
		if (c->state != CONN_OPEN || !tcp_state((int)fd, &state, &received))
			continue;
		if (half_closed(state)) {
			if (c->half_open_ms == 0) {
				c->half_open_ms = now_ms;
			} else if (now_ms - c->half_open_ms >= SBC_SIP_CONN_HALF_OPEN_MS) {
				conn_shut(g, (int)fd);
				g->n.closed_half_open++;
			}
			continue;
		}
		c->half_open_ms = 0;
		if (c->tls_pending && now_ms - c->since_ms >= g->p.handshake_timeout_ms) {
			conn_shut(g, (int)fd);
			g->n.closed_handshake++;
		} else if (!c->tls_pending && !received &&
			   now_ms - c->since_ms >= g->p.idle_timeout_ms) {
			/* Sofia arms no idle timer before a connection's first bytes. */
			conn_shut(g, (int)fd);
			g->n.closed_silent++;
		}
	}
	g->hi = hi;
	g->validated_ms = now_ms;
	window_close(g, now_ms);
}

/* ---- input framing ---- */

void sbc_sip_conn_set_judge(struct sbc_sip_conn *g, sbc_sip_conn_judge_fn *fn, void *arg)
{
	g->judge = fn;
	g->judge_arg = arg;
}

/*
 * Where the header block in @p (@n bytes) ends, one past its empty line
 * (CRLF CRLF, or bare LFs), looking for the LF before it from @from on;
 * 0 when it does not end in @n.
 */
static size_t hdr_end(const char *p, size_t n, size_t from)
{
	const char *q;

	for (size_t i = from; i < n; i = (size_t)(q - p) + 1) {
		q = memchr(p + i, '\n', n - i);
		if (q == NULL)
			return 0;
		if (q + 1 < p + n && q[1] == '\n')
			return (size_t)(q - p) + 2;
		if (q + 2 < p + n && q[1] == '\r' && q[2] == '\n')
			return (size_t)(q - p) + 3;
	}
	return 0;
}

/*
 * The Content-Length of the header block @p (@n bytes) into *@cl (0 when
 * absent); false when a value is not a number (at most 10 digits, blanks
 * around it) or two differ.
 */
static bool content_length(const char *p, size_t n, uint64_t *cl)
{
	bool seen = false;
	size_t pos = 0;

	*cl = 0;
	while (pos < n) {
		const char *l = p + pos, *nl = memchr(l, '\n', n - pos);
		size_t len = nl != NULL ? (size_t)(nl - l) : n - pos, i = 0, name, digits = 0;
		uint64_t v = 0;

		pos += len + 1;
		if (len > 0 && l[len - 1] == '\r')
			len--;
		while (i < len && l[i] != ':' && l[i] != ' ' && l[i] != '\t')
			i++;
		name = i;
		while (i < len && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (i >= len || l[i] != ':' ||
		    !((name == 14 && strncasecmp(l, "content-length", 14) == 0) ||
		      (name == 1 && (l[0] | 0x20) == 'l')))
			continue;
		for (i++; i < len && (l[i] == ' ' || l[i] == '\t'); i++)
			;
		for (; i < len && l[i] >= '0' && l[i] <= '9' && digits < 11; i++, digits++)
			v = v * 10 + (uint64_t)(l[i] - '0');
		while (i < len && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (digits == 0 || digits > 10 || i != len || (seen && v != *cl))
			return false;
		seen = true;
		*cl = v;
	}
	return true;
}

/* @c refused: nothing more passed; Sofia reads the end of the stream next. */
static void doom(struct sbc_sip_conn *g, struct conn *c, int fd, uint64_t now_ms)
{
	if (c->doomed)
		return;
	c->doomed = true;
	c->doomed_ms = now_ms;
	free(c->hdr);
	c->hdr = NULL;
	c->hdr_len = 0;
	c->in_hdr = false;
	(void)shutdown(fd, SHUT_RD);       /* the end, readable at once; our reply still goes */
	g->n.stream_closed++;
}

/* Judge the header block @hdr of @len bytes on @fd; its Content-Length in *@cl. */
static enum sbc_sip_conn_verdict judge(struct sbc_sip_conn *g, struct conn *c, int fd,
				       const char *hdr, size_t len, uint64_t *cl,
				       sbc_sip_conn_send_fn *send, void *ctx)
{
	char reply[8192];
	size_t rlen = 0;
	bool framing_ok = content_length(hdr, len, cl);
	enum sbc_sip_conn_verdict v;

	v = g->judge(g->judge_arg, fd, hdr, len, framing_ok, reply, sizeof(reply), &rlen);
	if (v == SBC_SIP_CONN_PASS && !framing_ok)
		v = SBC_SIP_CONN_CLOSE;            /* the next message's start is unknown */
	if (v != SBC_SIP_CONN_PASS && rlen > 0 && rlen <= sizeof(reply)) {
		/* Between two of Sofia's messages only, and all of it, or the stream is gone. */
		if (c->tx_partial || !send(ctx, reply, rlen))
			v = SBC_SIP_CONN_CLOSE;
	}
	return v;
}

size_t sbc_sip_conn_stream_in(struct sbc_sip_conn *g, int fd, char *buf, size_t n,
			      sbc_sip_conn_send_fn *send, void *ctx, uint64_t now_ms)
{
	struct conn *c;
	size_t pos = 0, out = 0, k, end;
	enum sbc_sip_conn_verdict v;
	uint64_t cl;

	if (g == NULL || g->judge == NULL || fd < 0 || (uint32_t)fd >= g->hi)
		return n;
	c = &g->conns[fd];
	if (c->state == CONN_FREE)
		return n;
	if (!conn_still_there(c, fd)) {
		conn_forget(g, fd);           /* the number is another socket's now */
		return n;
	}
	if (c->doomed || c->state == CONN_SHUT)
		return 0;
	while (pos < n) {
		if (c->skip_left > 0) {
			k = c->skip_left < n - pos ? (size_t)c->skip_left : n - pos;
			pos += k;
			c->skip_left -= k;
			continue;
		}
		if (c->body_left > 0) {
			k = c->body_left < n - pos ? (size_t)c->body_left : n - pos;
			memmove(buf + out, buf + pos, k);
			out += k;
			pos += k;
			c->body_left -= k;
			continue;
		}
		if (c->in_hdr) {
			/* A header block begun in an earlier read: Sofia has its start. */
			size_t old = c->hdr_len, room = SBC_SIP_CONN_HDR_MAX - old;

			k = n - pos < room ? n - pos : room;
			memcpy(c->hdr + old, buf + pos, k);
			c->hdr_len += (uint32_t)k;
			end = hdr_end(c->hdr, c->hdr_len, old >= 2 ? old - 2 : 0);
			if (end == 0) {
				if (c->hdr_len >= SBC_SIP_CONN_HDR_MAX) {
					doom(g, c, fd, now_ms);
					break;
				}
				memmove(buf + out, buf + pos, k);
				out += k;
				pos += k;
				continue;
			}
			k = end - old;            /* this read's part of the block */
			v = judge(g, c, fd, c->hdr, end, &cl, send, ctx);
			free(c->hdr);
			c->hdr = NULL;
			c->hdr_len = 0;
			c->in_hdr = false;
			if (v != SBC_SIP_CONN_PASS) {
				g->n.stream_dropped++;
				doom(g, c, fd, now_ms);   /* its start cannot be taken back */
				break;
			}
			memmove(buf + out, buf + pos, k);
			out += k;
			pos += k;
			c->body_left = cl;
			continue;
		}
		if (buf[pos] == '\r' || buf[pos] == '\n') {
			buf[out++] = buf[pos++];  /* keepalives between messages: Sofia's */
			continue;
		}
		end = hdr_end(buf + pos, n - pos, 0);
		if (end == 0) {
			/* It spans reads: copied, and Sofia gets its start now. */
			k = n - pos;
			if (k >= SBC_SIP_CONN_HDR_MAX ||
			    (c->hdr = malloc(SBC_SIP_CONN_HDR_MAX)) == NULL) {
				doom(g, c, fd, now_ms);
				break;
			}
			memcpy(c->hdr, buf + pos, k);
			c->hdr_len = (uint32_t)k;
			c->in_hdr = true;
			memmove(buf + out, buf + pos, k);
			out += k;
			pos += k;
			continue;
		}
		if (end > SBC_SIP_CONN_HDR_MAX) {
			doom(g, c, fd, now_ms);
			break;
		}
		v = judge(g, c, fd, buf + pos, end, &cl, send, ctx);
		if (v == SBC_SIP_CONN_PASS) {
			memmove(buf + out, buf + pos, end);
			out += end;
			pos += end;
			c->body_left = cl;
			continue;
		}
		g->n.stream_dropped++;
		if (v == SBC_SIP_CONN_CLOSE) {
			doom(g, c, fd, now_ms);
			break;
		}
		pos += end;
		c->skip_left = cl;
	}
	return out;
}

void sbc_sip_conn_stream_out(struct sbc_sip_conn *g, int fd, long sent, size_t want)
{
	if (g == NULL || fd < 0 || (uint32_t)fd >= g->hi || g->conns[fd].state == CONN_FREE)
		return;
	g->conns[fd].tx_partial = sent < 0 ? g->conns[fd].tx_partial : (size_t)sent < want;
}

void sbc_sip_conn_counters(const struct sbc_sip_conn *g, struct sbc_sip_conn_counters *out)
{
	*out = g->n;
}
