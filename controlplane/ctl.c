/* SPDX-License-Identifier: BSD-3-Clause
 * The operator socket (b2bua_priv.h): sip.control_socket, mode 0600, for
 * sbcctl.  One command line per connection, answered "ok ..." or
 * "error ...", then closed.  Everything is non-blocking on the su_root
 * loop: a slow or silent client costs nothing but its descriptor until
 * B2B_CTL_CLIENT_MS have passed; `call ID` reads the data plane's counters
 * through the asynchronous client and answers when they are in.
 *
 * Commands come from one table (name, argument, handler, help); `stats`
 * asks each room for its own lines.
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "b2bua_priv.h"
#include "sbc_log.h"

#define B2B_CTL_CLIENT_MS 5000     /* a client's whole exchange (a DNS query takes up to 4 s) */
#define B2B_CTL_LINE_MAX 256
#define B2B_CTL_CLIENTS_MAX 16

struct b2b_ctl_client;

/* One data plane stream of `call ID`, and its counters once read. */
struct ctl_stream {
	struct b2b_ctl_client *cl;
	uint32_t line, session, ep_a, ep_b;
	int rc;
	struct sbc_api_stats_resp st;
};

/* One query of `resolve NAME` (A, AAAA), and its answer once in. */
struct ctl_lookup {
	struct b2b_ctl_client *cl;
	int family;
	int err;
	struct b2b_resolved r;
};

struct b2b_ctl_client {
	struct b2b_ctl_client *next;
	struct sbc_b2bua *b;
	int fd;                    /* -1 once closed (the struct may wait for answers) */
	su_wait_t wait;
	int index;
	char line[B2B_CTL_LINE_MAX];
	size_t used;
	FILE *o;                   /* the answer being written; NULL once complete */
	char *out;
	size_t out_len, out_off;
	bool writing;
	uint32_t pending;          /* data plane answers awaited */
	uint64_t deadline;
	uint32_t n_streams;
	struct ctl_stream streams[SBC_SDP_MEDIA_MAX];
	/* `resolve NAME` */
	char name[256];
	uint32_t n_lookups;
	struct ctl_lookup lookups[2];
};

/* ---- commands ---- */

static void cmd_calls(struct b2b_ctl_client *cl, uint32_t arg, const char *word)
{
	struct sbc_b2bua *b = cl->b;
	const struct b2b_call *c;
	uint64_t now = b2b_wall_ms();

	(void)arg;
	(void)word;
	fprintf(cl->o, "ok %u calls\n", b->n_calls);
	for (c = b->calls; c != NULL; c = c->next)
		fprintf(cl->o, "call=%u state=%s trunk_a=%s trunk_b=%s call_id_a=%s call_id_b=%s "
			"duration_s=%" PRIu64 " answered_s=%" PRIu64 "\n", c->no,
			b2b_call_state_name(c->state), c->leg[0].trunk ? c->leg[0].trunk->name : "-",
			c->leg[1].trunk ? c->leg[1].trunk->name : "-",
			c->leg[0].call_id[0] ? c->leg[0].call_id : "-",
			c->leg[1].call_id[0] ? c->leg[1].call_id : "-",
			(now - c->start_ms) / 1000,
			c->answer_ms ? (now - c->answer_ms) / 1000 : 0);
}

static void print_stream_stats(FILE *o, const struct ctl_stream *s)
{
	char addr[64];
	int l;

	fprintf(o, "stream=%u session=%u endpoint_a=%u endpoint_b=%u\n", s->line, s->session,
		s->ep_a, s->ep_b);
	if (s->session == 0)
		return;
	if (s->rc != 0) {
		fprintf(o, "stream=%u stats_error=%d\n", s->line, s->rc);
		return;
	}
	for (l = 0; l < 2; l++) {
		const struct sbc_api_leg_stats *ls = &s->st.leg[l];

		fprintf(o, "stream=%u leg=%s packets=%" PRIu64 " bytes=%" PRIu64 " lost=%u "
			"jitter_us=%u ssrc=%u source=%s srtp_auth_drops=%" PRIu64
			" srtp_replay_drops=%" PRIu64 " wrong_source_drops=%" PRIu64
			" learn_refused_drops=%" PRIu64 "\n", s->line, l == 0 ? "a" : "b",
			ls->packets, ls->bytes, ls->lost, ls->jitter_us, ls->ssrc,
			sbc_api_addr_str(&ls->source, addr, sizeof(addr)),
			ls->drops[SBC_DROP_SRTP_AUTH], ls->drops[SBC_DROP_SRTP_REPLAY],
			ls->drops[SBC_DROP_WRONG_SOURCE], ls->drops[SBC_DROP_LEARN_REFUSED]);
	}
}

static void client_answer_ready(struct b2b_ctl_client *cl);

static void stream_stats_done(void *arg, int status, const void *resp, size_t len)
{
	struct ctl_stream *s = arg;
	struct b2b_ctl_client *cl = s->cl;

	(void)len;
	s->rc = status;
	if (status == SBC_API_OK)
		memcpy(&s->st, resp, sizeof(s->st));
	if (--cl->pending == 0)
		client_answer_ready(cl);
}

static void call_legs(FILE *o, const struct b2b_call *c)
{
	int l;

	fprintf(o, "call=%u state=%s late_offer=%s duration_s=%" PRIu64 "\n", c->no,
		b2b_call_state_name(c->state), c->late_offer ? "yes" : "no",
		(b2b_wall_ms() - c->start_ms) / 1000);
	for (l = 0; l < 2; l++) {
		const struct b2b_leg *g = &c->leg[l];

		fprintf(o, "leg=%s trunk=%s interface=%s transport=%s tls=%s srtp=%s call_id=%s "
			"answered=%s ended=%s\n", l == 0 ? "a" : "b",
			g->trunk ? g->trunk->name : "-", g->sif ? g->sif->cfg->name : "-",
			g->trunk ? sbc_transport_name(g->trunk->transport) : "-",
			g->tls ? "yes" : "no", b2b_leg_is_srtp(g) ? "yes" : "no",
			g->call_id[0] ? g->call_id : "-", g->answered ? "yes" : "no",
			g->ended ? "yes" : "no");
	}
}

static void cmd_call(struct b2b_ctl_client *cl, uint32_t no, const char *word)
{
	struct sbc_b2bua *b = cl->b;
	const struct b2b_call *c;
	struct sbc_api_stats_req rq;
	uint32_t i;

	(void)word;
	for (c = b->calls; c != NULL && c->no != no; c = c->next)
		;
	if (c == NULL) {
		fprintf(cl->o, "error no call %u\n", no);
		return;
	}
	fprintf(cl->o, "ok call %u\n", no);
	call_legs(cl->o, c);
	for (i = 0; i < c->n_media && i < SBC_SDP_MEDIA_MAX; i++) {
		struct ctl_stream *s = &cl->streams[cl->n_streams++];

		*s = (struct ctl_stream){ .cl = cl, .line = i, .session = c->line[i].session,
					  .ep_a = c->leg[0].ep[i], .ep_b = c->leg[1].ep[i] };
		if (s->session == 0)
			continue;
		sbc_api_init(&rq, SBC_API_STATS_REQ, 0);
		rq.session_id = s->session;
		s->rc = b2b_dp_send(b, NULL, &rq, stream_stats_done, s);
		if (s->rc == 0)
			cl->pending++;
	}
}

static void cmd_trunks(struct b2b_ctl_client *cl, uint32_t arg, const char *word)
{
	const struct sbc_config *cfg = cl->b->cfg;
	const struct b2b_call *c;
	uint32_t t, active;
	int l;

	(void)word;
	(void)arg;
	fprintf(cl->o, "ok %u trunks\n", cfg->n_trunks);
	for (t = 0; t < cfg->n_trunks; t++) {
		const struct sbc_cfg_trunk *tr = &cfg->trunks[t];

		active = 0;
		for (c = cl->b->calls; c != NULL; c = c->next)
			for (l = 0; l < 2; l++)
				if (c->state != B2B_ENDED && c->leg[l].trunk != NULL &&
				    strcmp(c->leg[l].trunk->name, tr->name) == 0)
					active++;
		fprintf(cl->o, "trunk=%s side=%s interface=%s transport=%s active_calls=%u\n",
			tr->name, sbc_side_name(tr->side), tr->interface,
			sbc_transport_name(tr->transport), active);
	}
	b2b_locate_dump(cl->b, cl->o);
}

static void lookup_done(void *arg, int err, const struct b2b_resolved *r)
{
	struct ctl_lookup *lk = arg;
	struct b2b_ctl_client *cl = lk->cl;

	lk->err = err;
	if (r != NULL)
		lk->r = *r;
	if (--cl->pending == 0)
		client_answer_ready(cl);
}

/* A name we ask DNS about: host name characters only. */
static bool dns_name_ok(const char *n)
{
	size_t len = strlen(n);

	return len > 0 && len <= 253 &&
	       strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") == len;
}

/* `resolve NAME`: A and AAAA through the control plane's own resolver (resolver.c). */
static void cmd_resolve(struct b2b_ctl_client *cl, uint32_t arg, const char *name)
{
	int family[2] = { 4, 6 }, i;

	(void)arg;
	if (!dns_name_ok(name)) {
		fprintf(cl->o, "error not a host name\n");
		return;
	}
	snprintf(cl->name, sizeof(cl->name), "%s", name);
	for (i = 0; i < 2; i++) {
		struct ctl_lookup *lk = &cl->lookups[cl->n_lookups];

		*lk = (struct ctl_lookup){ .cl = cl, .family = family[i] };
		lk->err = b2b_resolve(cl->b, name, family[i], lookup_done, lk);
		cl->n_lookups++;
		if (lk->err == 0) {
			lk->err = -EINPROGRESS;
			cl->pending++;
		}
	}
}

static void print_lookups(struct b2b_ctl_client *cl)
{
	char ip[64];
	uint32_t i, k, found = 0;

	for (i = 0; i < cl->n_lookups; i++)
		found += cl->lookups[i].err == 0 ? cl->lookups[i].r.n : 0;
	if (found == 0) {
		fprintf(cl->o, "error %s: %s\n", cl->name,
			cl->lookups[0].err == -ENOENT && cl->lookups[1].err == -ENOENT ?
			"no such name or no address" : strerror(-cl->lookups[0].err));
		return;
	}
	fprintf(cl->o, "ok resolve %s\n", cl->name);
	for (i = 0; i < cl->n_lookups; i++)
		for (k = 0; cl->lookups[i].err == 0 && k < cl->lookups[i].r.n; k++)
			fprintf(cl->o, "name=%s type=%s address=%s ttl_s=%u\n", cl->name,
				cl->lookups[i].family == 6 ? "AAAA" : "A",
				sbc_ip_str(&cl->lookups[i].r.addr[k].ip, ip, sizeof(ip)),
				cl->lookups[i].r.addr[k].ttl_s);
}

void b2b_counters_dump(const struct sbc_b2bua *b, FILE *o)
{
	const struct b2b_counters *n = &b->n;
	const struct b2b_gen *g;
	uint32_t gens = 1;

	fprintf(o, "b2bua calls=%u", b->n_calls);
#define B2B_X_PRINT(name, desc) fprintf(o, " " #name "=%" PRIu64, n->name);
	B2B_COUNTERS(B2B_X_PRINT)
#undef B2B_X_PRINT
	fprintf(o, " dp_round_trips_per_call=%.2f\n",
		n->calls_ended ? (double)n->dp_call_requests / (double)n->calls_ended : 0.0);
	for (g = b->old_gens; g != NULL; g = g->next)
		gens++;
	fprintf(o, "config reloads=%" PRIu64 " refused=%" PRIu64 " generations_in_use=%u\n",
		n->reloads, n->reloads_refused, gens);
}

static void cmd_stats(struct b2b_ctl_client *cl, uint32_t arg, const char *word)
{
	(void)arg;
	(void)word;
	fprintf(cl->o, "ok stats\n");
	b2b_admission_dump(cl->b, cl->o);
	b2b_dplink_dump(cl->b, cl->o);
	b2b_counters_dump(cl->b, cl->o);
}

enum ctl_arg { CTL_ARG_NONE, CTL_ARG_ID, CTL_ARG_WORD };

static const struct ctl_command {
	const char *name;
	enum ctl_arg arg;
	void (*fn)(struct b2b_ctl_client *cl, uint32_t id, const char *word);
} ctl_commands[] = {
	{ "calls", CTL_ARG_NONE, cmd_calls },
	{ "call", CTL_ARG_ID, cmd_call },
	{ "trunks", CTL_ARG_NONE, cmd_trunks },
	{ "stats", CTL_ARG_NONE, cmd_stats },
	{ "resolve", CTL_ARG_WORD, cmd_resolve },
};

/* Whether @rest (after the command's name) is the argument @k takes; its ID in *@id. */
static bool ctl_arg_ok(const struct ctl_command *k, const char *rest, unsigned int *id)
{
	char extra;

	switch (k->arg) {
	case CTL_ARG_NONE:
		return rest[0] == '\0';
	case CTL_ARG_ID:
		return rest[0] == ' ' && sscanf(rest, " %u%c", id, &extra) == 1;
	default:
		return rest[0] == ' ' && rest[1] != '\0' && strchr(rest + 1, ' ') == NULL;
	}
}

static void ctl_execute(struct b2b_ctl_client *cl, const char *line)
{
	unsigned int id = 0;
	size_t i, n;

	for (i = 0; i < sizeof(ctl_commands) / sizeof(ctl_commands[0]); i++) {
		const struct ctl_command *k = &ctl_commands[i];

		n = strlen(k->name);
		if (strncmp(line, k->name, n) == 0 && ctl_arg_ok(k, line + n, &id)) {
			k->fn(cl, id, k->arg == CTL_ARG_WORD ? line + n + 1 : NULL);
			return;
		}
	}
	fprintf(cl->o, "error unknown command (calls, call ID, trunks, stats, resolve NAME)\n");
}

/* ---- clients ---- */

static void client_free_if_done(struct b2b_ctl_client *cl)
{
	struct b2b_ctl_client **pp;

	if (cl->fd >= 0 || cl->pending != 0)
		return;
	for (pp = &cl->b->ctl_clients; *pp != NULL; pp = &(*pp)->next)
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	cl->b->n_ctl_clients--;
	if (cl->o != NULL)
		fclose(cl->o);
	free(cl->out);
	free(cl);
}

static void client_close(struct b2b_ctl_client *cl)
{
	if (cl->fd >= 0) {
		su_root_deregister(cl->b->root, cl->index);
		close(cl->fd);
		cl->fd = -1;
	}
	client_free_if_done(cl);
}

/* Write what can be written now; closed when all is out or the peer is gone. */
static void client_write(struct b2b_ctl_client *cl)
{
	ssize_t n;

	while (cl->out_off < cl->out_len) {
		n = send(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		cl->out_off += (size_t)n;
	}
	client_close(cl);
}

static void client_answer_ready(struct b2b_ctl_client *cl)
{
	uint32_t i;

	if (cl->fd < 0) {
		client_free_if_done(cl);   /* timed out meanwhile */
		return;
	}
	for (i = 0; i < cl->n_streams; i++)
		print_stream_stats(cl->o, &cl->streams[i]);
	if (cl->n_lookups != 0)
		print_lookups(cl);
	fclose(cl->o);
	cl->o = NULL;
	cl->writing = true;
	su_root_eventmask(cl->b->root, cl->index, cl->fd, SU_WAIT_OUT);
	client_write(cl);
}

/* Read what is there; the command runs once its line is complete. */
static void client_read(struct b2b_ctl_client *cl)
{
	ssize_t n = recv(cl->fd, cl->line + cl->used, sizeof(cl->line) - 1 - cl->used,
			 MSG_DONTWAIT);

	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		client_close(cl);  /* gone, or no complete line: nothing to answer */
		return;
	}
	cl->used += (size_t)n;
	cl->line[cl->used] = '\0';
	if (strchr(cl->line, '\n') == NULL) {
		if (cl->used == sizeof(cl->line) - 1)
			client_close(cl);
		return;
	}
	cl->line[strcspn(cl->line, "\r\n")] = '\0';
	cl->o = open_memstream(&cl->out, &cl->out_len);
	if (cl->o == NULL) {
		client_close(cl);
		return;
	}
	ctl_execute(cl, cl->line);
	if (cl->pending == 0)
		client_answer_ready(cl);
}

static int on_client(struct sbc_b2bua *b, su_wait_t *w, void *arg)
{
	struct b2b_ctl_client *cl = arg;

	(void)b;
	(void)w;
	if (cl->writing)
		client_write(cl);
	else if (cl->o == NULL)
		client_read(cl);
	return 0;
}

static int on_accept(struct sbc_b2bua *b, su_wait_t *w, void *arg)
{
	struct b2b_ctl_client *cl;
	int fd;

	(void)w;
	(void)arg;
	fd = accept4(b->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return 0;
	cl = b->n_ctl_clients < B2B_CTL_CLIENTS_MAX ? calloc(1, sizeof(*cl)) : NULL;
	if (cl == NULL) {
		b->n.ctl_refused++;
		close(fd);
		return 0;
	}
	cl->b = b;
	cl->fd = fd;
	cl->deadline = b2b_mono_ms() + B2B_CTL_CLIENT_MS;
	su_wait_create(&cl->wait, fd, SU_WAIT_IN);
	cl->index = su_root_register(b->root, &cl->wait, on_client, cl, 0);
	if (cl->index <= 0) {
		close(fd);
		free(cl);
		return 0;
	}
	cl->next = b->ctl_clients;
	b->ctl_clients = cl;
	b->n_ctl_clients++;
	b->n.ctl_clients++;
	return 0;
}

void b2b_ctl_tick(struct sbc_b2bua *b, uint64_t now_ms)
{
	struct b2b_ctl_client *cl = b->ctl_clients, *next;

	for (; cl != NULL; cl = next) {
		next = cl->next;
		if (cl->fd >= 0 && now_ms >= cl->deadline)
			client_close(cl);
	}
}

/* ---- the listening socket ---- */

/* A socket file left by a process that is gone is replaced, a live one is not. */
static int ctl_probe(const struct sockaddr_un *sa)
{
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	if (probe < 0)
		return 0;
	rc = connect(probe, (const struct sockaddr *)sa, sizeof(*sa));
	close(probe);
	return rc == 0 ? -EADDRINUSE : 0;
}

/* Its directory (/run/rampart by default) is made 0700 when missing. */
static void ctl_mkdir(struct sockaddr_un *sa)
{
	char *slash = strrchr(sa->sun_path, '/');

	if (slash == NULL || slash == sa->sun_path)
		return;
	*slash = '\0';
	if (mkdir(sa->sun_path, 0700) != 0 && errno != EEXIST)
		SBC_LOG(WARN, B2B_LOG, "control socket directory %s: %s", sa->sun_path,
			strerror(errno));
	*slash = '/';
}

int b2b_ctl_open(struct sbc_b2bua *b, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old_umask;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (ctl_probe(&sa) != 0) {
		SBC_LOG(ERR, B2B_LOG, "control socket %s: another process answers on it", path);
		return -EADDRINUSE;
	}
	unlink(path);
	ctl_mkdir(&sa);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	old_umask = umask(0177);   /* mode 0600 from the start */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (rc != 0 || listen(fd, 16) != 0) {
		rc = -errno;
		close(fd);
		SBC_LOG(ERR, B2B_LOG, "control socket %s: %s", path, strerror(-rc));
		return rc;
	}
	b->ctl_fd = fd;
	b->ctl_bound = true;
	su_wait_create(&b->ctl_wait, b->ctl_fd, SU_WAIT_ACCEPT);
	b->ctl_index = su_root_register(b->root, &b->ctl_wait, on_accept, NULL, 0);
	if (b->ctl_index <= 0)
		return -ENOMEM;
	SBC_LOG(NOTICE, B2B_LOG, "sbcctl socket: %s", path);
	return 0;
}

/* Clients still waiting for the data plane are freed by b2b_dplink_close()'s completions. */
void b2b_ctl_close(struct sbc_b2bua *b)
{
	while (b->ctl_clients != NULL) {
		struct b2b_ctl_client *cl = b->ctl_clients;

		if (cl->pending != 0) {
			/* detach: its completions free it */
			if (cl->fd >= 0) {
				su_root_deregister(b->root, cl->index);
				close(cl->fd);
				cl->fd = -1;
			}
			b->ctl_clients = cl->next;
			cl->next = NULL;
			continue;
		}
		client_close(cl);
	}
	if (b->root != NULL && b->ctl_index > 0)
		su_root_deregister(b->root, b->ctl_index);
	b->ctl_index = 0;
	if (b->ctl_fd >= 0)
		close(b->ctl_fd);
	b->ctl_fd = -1;
	if (b->ctl_bound)
		unlink(b->startup_cfg->sip.control_socket);
	b->ctl_bound = false;
}
