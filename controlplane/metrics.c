/* SPDX-License-Identifier: BSD-3-Clause
 * The Prometheus endpoint (sip.metrics_address, sip.metrics_port): GET
 * /metrics answered in the text exposition format 0.0.4 with the
 * B2BUA's counters (the same as `sbcctl stats`), calls open, active calls
 * per trunk, the TCP/TLS connection guard's counters, the data plane
 * link, and whether a drain is on.  Names and meanings: docs/monitoring.md.
 *
 * HTTP is libmicrohttpd's, run on the control plane's own loop: the
 * daemon has no thread (MHD_USE_EPOLL, no internal polling), its epoll
 * descriptor is registered on the su_root and MHD_run() is called when it
 * is readable and on every tick (timeouts), so a scrape reads the
 * counters on the thread that writes them, with no lock.  At most
 * METRICS_CONNECTIONS connections, each closed after METRICS_TIMEOUT_S
 * idle; anything but GET /metrics gets 404 (405 for other methods).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "b2bua_priv.h"
#include "sbc_log.h"
#include "sip_conn.h"

#define METRICS_CONNECTIONS 16
#define METRICS_TIMEOUT_S 5
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

static void metric(FILE *o, const char *name, const char *type, const char *help)
{
	fprintf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value as the exposition format quotes it: \\, \" and \n escaped. */
static void label_value(FILE *o, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', o);
		if (*s == '\n') {
			fputs("\\n", o);
			continue;
		}
		fputc(*s, o);
	}
}

static uint32_t trunk_active(const struct sbc_b2bua *b, const char *name)
{
	const struct b2b_call *c;
	uint32_t n = 0;

	for (c = b->calls; c != NULL; c = c->next)
		for (int l = 0; l < 2; l++)
			if (c->state != B2B_ENDED && c->leg[l].trunk != NULL &&
			    strcmp(c->leg[l].trunk->name, name) == 0)
				n++;
	return n;
}

void b2b_metrics_write(const struct sbc_b2bua *b, FILE *o)
{
	const struct b2b_counters *n = &b->n;
	const struct sbc_config *cfg = b->cfg;

	metric(o, "rampart_calls_open", "gauge", "Calls in progress (not yet ended).");
	fprintf(o, "rampart_calls_open %u\n", b->n_calls);
#define B2B_X_METRIC(name, desc) \
	metric(o, "rampart_" #name "_total", "counter", desc); \
	fprintf(o, "rampart_" #name "_total %" PRIu64 "\n", n->name);
	B2B_COUNTERS(B2B_X_METRIC)
#undef B2B_X_METRIC
	metric(o, "rampart_trunk_active_calls", "gauge",
	       "Calls in progress with a leg on the trunk.");
	for (uint32_t t = 0; t < cfg->n_trunks; t++) {
		fputs("rampart_trunk_active_calls{trunk=\"", o);
		label_value(o, cfg->trunks[t].name);
		fprintf(o, "\",side=\"%s\"} %u\n", sbc_side_name(cfg->trunks[t].side),
			trunk_active(b, cfg->trunks[t].name));
	}
	metric(o, "rampart_dataplane_connected", "gauge",
	       "1 while the control plane is connected to sbc-dataplane.");
	fprintf(o, "rampart_dataplane_connected %d\n", b->dp != NULL);
	metric(o, "rampart_draining", "gauge",
	       "1 while a SIGTERM drain runs (sip.drain_timeout_s).");
	fprintf(o, "rampart_draining %d\n", b->draining);
	if (sbc_sip_conn_installed() != NULL) {
		struct sbc_sip_conn_counters cc;

		sbc_sip_conn_counters(sbc_sip_conn_installed(), &cc);
		metric(o, "rampart_sip_connections_open", "gauge",
		       "Accepted TCP and TLS connections open now.");
		fprintf(o, "rampart_sip_connections_open %u\n", cc.open);
#define CONN_X_METRIC(name, desc) \
		metric(o, "rampart_sip_connections_" #name "_total", "counter", desc); \
		fprintf(o, "rampart_sip_connections_" #name "_total %" PRIu64 "\n", cc.name);
		SBC_SIP_CONN_COUNTERS(CONN_X_METRIC)
#undef CONN_X_METRIC
	}
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **state)
{
	struct sbc_b2bua *b = cls;
	struct MHD_Response *r;
	enum MHD_Result rc;
	unsigned int status = MHD_HTTP_OK;
	char *body = NULL;
	size_t len = 0;
	FILE *o;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
	} else if (strcmp(url, "/metrics") != 0) {
		status = MHD_HTTP_NOT_FOUND;
	} else if ((o = open_memstream(&body, &len)) != NULL) {
		b2b_metrics_write(b, o);
		if (fclose(o) != 0) {
			free(body);
			body = NULL;
			status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		}
	} else {
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	if (status != MHD_HTTP_OK) {
		free(body);
		body = NULL;
		len = 0;
	}
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	if (status == MHD_HTTP_OK)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, METRICS_CONTENT_TYPE);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	b->n_metrics_scrapes += status == MHD_HTTP_OK;
	return rc;
}

static int on_metrics(struct sbc_b2bua *b, su_wait_t *w, void *arg)
{
	(void)w;
	(void)arg;
	if (b->metrics != NULL)
		MHD_run(b->metrics);
	return 0;
}

int b2b_metrics_open(struct sbc_b2bua *b)
{
	const struct sbc_cfg_sip *sip = &b->cfg->sip;
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	char ip[64];

	if (sip->metrics_address.family == 0)
		return 0;
	memset(&ss, 0, sizeof(ss));
	if (sip->metrics_address.family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)sip->metrics_port);
		memcpy(&s4->sin_addr, sip->metrics_address.bytes, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)sip->metrics_port);
		memcpy(&s6->sin6_addr, sip->metrics_address.bytes, 16);
	}
	b->metrics = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
				      (sip->metrics_address.family == 6 ? MHD_USE_IPv6 : 0),
				      (uint16_t)sip->metrics_port, NULL, NULL, answer, b,
				      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				      MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_CONNECTIONS,
				      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT_S,
				      MHD_OPTION_END);
	sbc_ip_str(&sip->metrics_address, ip, sizeof(ip));
	if (b->metrics == NULL) {
		SBC_LOG(ERR, B2B_LOG, "metrics: cannot listen on %s port %u", ip, sip->metrics_port);
		return -EADDRNOTAVAIL;
	}
	info = MHD_get_daemon_info(b->metrics, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL) {
		b2b_metrics_close(b);
		return -EIO;
	}
	su_wait_create(&b->metrics_wait, info->epoll_fd, SU_WAIT_IN);
	b->metrics_index = su_root_register(b->root, &b->metrics_wait, on_metrics, NULL, 0);
	if (b->metrics_index <= 0) {
		b2b_metrics_close(b);
		return -ENOMEM;
	}
	SBC_LOG(NOTICE, B2B_LOG, "metrics: Prometheus endpoint on http://%s%s%s:%u/metrics",
		sip->metrics_address.family == 6 ? "[" : "", ip,
		sip->metrics_address.family == 6 ? "]" : "", sip->metrics_port);
	return 0;
}

void b2b_metrics_tick(struct sbc_b2bua *b)
{
	if (b->metrics != NULL)
		MHD_run(b->metrics);   /* idle connections time out */
}

void b2b_metrics_close(struct sbc_b2bua *b)
{
	if (b->metrics_index > 0)
		su_root_deregister(b->root, b->metrics_index);
	b->metrics_index = 0;
	if (b->metrics != NULL)
		MHD_stop_daemon(b->metrics);
	b->metrics = NULL;
}
