/* SPDX-License-Identifier: BSD-3-Clause
 * SIP interfaces (b2bua_priv.h): one nua per sip.interfaces[] entry, bound
 * to the interface's address with its UDP/TCP listener and its first TLS
 * listener (TLS 1.2 or later, material from controlplane/sip_tls.h).
 * The TCP and TLS connections of all of them share one connection guard
 * (sip_conn.h, sip.limits), installed before the first listener.
 * Thread: the su_root thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "b2bua_priv.h"
#include "sbc_log.h"
#include "sip_conn.h"
#include "sip_tls.h"

#include <sofia-sip/tport_tag.h>

/*
 * The guard and its scan timer: one per process, as the accept() hook
 * that reaches it (conn_interpose.c) is.
 */
static struct sbc_sip_conn *conn_guard;
static su_timer_t *conn_timer;

static void conn_guard_stop(void);

static void conn_scan(struct sbc_b2bua *b, su_timer_t *t, void *arg)
{
	(void)b;
	(void)t;
	(void)arg;
	sbc_sip_conn_scan(conn_guard, b2b_mono_ms());
}

/* The guard for @cfg's sip.limits, installed, its scan running. */
static int conn_guard_start(struct sbc_b2bua *b)
{
	const struct sbc_cfg_sip_limits *lim = &b->cfg->sip.limits;
	const struct sbc_sip_conn_params p = {
		.max_connections = lim->max_connections,
		.max_per_source = lim->max_connections_per_source,
		.ipv6_prefix_len = b->cfg->sip.pike.ipv6_prefix_len,
		.idle_timeout_ms = lim->idle_timeout_s * 1000u,
		.handshake_timeout_ms = lim->tls_handshake_timeout_s * 1000u,
	};
	struct sbc_sip_conn_counters n;
	int rc;

	conn_guard = sbc_sip_conn_create(&p, &rc);
	if (conn_guard == NULL)
		return rc;
	conn_timer = su_timer_create(su_root_task(b->root), SBC_SIP_CONN_SCAN_MS);
	if (conn_timer == NULL || su_timer_run(conn_timer, conn_scan, NULL) != 0) {
		conn_guard_stop();
		return -ENOMEM;
	}
	b2b_prefilter_stream_install(b, conn_guard);
	sbc_sip_conn_install(conn_guard);
	sbc_sip_conn_counters(conn_guard, &n);
	SBC_LOG(NOTICE, B2B_LOG, "TCP/TLS connections: at most %u, %u per source; idle %u s, "
		"TLS handshake %u s, messages up to %u bytes", n.max_connections,
		lim->max_connections_per_source, lim->idle_timeout_s,
		lim->tls_handshake_timeout_s, lim->max_message_bytes);
	return 0;
}

static void conn_guard_stop(void)
{
	struct sbc_sip_conn_counters n;

	if (conn_timer != NULL)
		su_timer_destroy(conn_timer);
	conn_timer = NULL;
	if (conn_guard == NULL)
		return;
	sbc_sip_conn_counters(conn_guard, &n);
	SBC_LOG(NOTICE, B2B_LOG, "TCP/TLS connections: %" PRIu64 " accepted, peak %u; reset "
		"%" PRIu64 " over a source's limit, %" PRIu64 " over the limit, %" PRIu64
		" without descriptors; shut down %" PRIu64 " half-closed, %" PRIu64
		" without a TLS handshake, %" PRIu64 " silent", n.accepted, n.peak,
		n.refused_source, n.refused_total, n.refused_fds, n.closed_half_open,
		n.closed_handshake, n.closed_silent);
	sbc_sip_conn_destroy(conn_guard);   /* uninstalls it */
	conn_guard = NULL;
}

struct b2b_sipif *b2b_sipif_find(struct sbc_b2bua *b, const char *name)
{
	uint32_t i;

	for (i = 0; i < b->n_sif; i++)
		if (strcmp(b->sif[i].cfg->name, name) == 0)
			return &b->sif[i];
	return NULL;
}

int b2b_sipif_contact(const struct b2b_sipif *s, enum sbc_transport t, bool sips, char *buf,
		      size_t size)
{
	const struct sbc_cfg_sip_if *ic = s->cfg;
	uint32_t i;
	int n;

	for (i = 0; i < ic->n_listen && ic->listen[i].transport != t; i++)
		;
	if (i == ic->n_listen)
		return -ENOENT;
	if (t == SBC_TRANSPORT_TLS && sips)
		n = snprintf(buf, size, "<sips:rampart@%s:%u>", s->host, ic->listen[i].port);
	else
		n = snprintf(buf, size, "<sip:rampart@%s:%u;transport=%s>", s->host,
			     ic->listen[i].port, sbc_transport_name(t));
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

/*
 * The nua URLs of an interface: "sip:ADDR:PORT" binds UDP and TCP on one
 * port; a lone transport gets ";transport="; the first TLS listener is
 * "sips:ADDR:PORT" (NUTAG_SIPS_URL, or the only URL when the interface has
 * no UDP or TCP listener), its material in *@tls_l.
 */
static int sipif_url(const struct b2b_sipif *s, char *url, size_t size, char *sips,
		     size_t sips_size, const struct sbc_cfg_sip_listen **tls_l)
{
	const struct sbc_cfg_sip_if *ic = s->cfg;
	const struct sbc_cfg_sip_listen *udp = NULL, *tcp = NULL, *tls = NULL;
	char maddr[80] = "", ip[64];
	uint32_t i;

	for (i = 0; i < ic->n_listen; i++) {
		const struct sbc_cfg_sip_listen *l = &ic->listen[i];

		if (l->transport == SBC_TRANSPORT_UDP && udp == NULL)
			udp = l;
		else if (l->transport == SBC_TRANSPORT_TCP && tcp == NULL)
			tcp = l;
		else if (l->transport == SBC_TRANSPORT_TLS && tls == NULL)
			tls = l;
		else
			SBC_LOG(WARN, B2B_LOG, "%s: second %s listener on port %u is not served",
				ic->name, sbc_transport_name(l->transport), l->port);
	}
	if (udp != NULL && tcp != NULL && udp->port != tcp->port) {
		SBC_LOG(WARN, B2B_LOG, "%s: udp and tcp on different ports: only udp %u is served",
			ic->name, udp->port);
		tcp = NULL;
	}
	*tls_l = tls;
	sips[0] = '\0';
	/* advertise: nta binds maddr and names the host in Via and Contact */
	if (ic->advertise != NULL)
		snprintf(maddr, sizeof(maddr), ic->address.family == 6 ? ";maddr=[%s]" : ";maddr=%s",
			 sbc_ip_str(&ic->address, ip, sizeof(ip)));
	if (udp != NULL && tcp != NULL)
		snprintf(url, size, "sip:%s:%u%s", s->host, udp->port, maddr);
	else if (udp != NULL)
		snprintf(url, size, "sip:%s:%u;transport=udp%s", s->host, udp->port, maddr);
	else if (tcp != NULL)
		snprintf(url, size, "sip:%s:%u;transport=tcp%s", s->host, tcp->port, maddr);
	else if (tls != NULL)
		snprintf(url, size, "sips:%s:%u%s", s->host, tls->port, maddr);
	else
		return -ENOENT;
	if (tls != NULL && (udp != NULL || tcp != NULL))
		snprintf(sips, sips_size, "sips:%s:%u%s", s->host, tls->port, maddr);
	return 0;
}

int b2b_sipif_start(struct sbc_b2bua *b, struct b2b_sipif *s)
{
	const struct sbc_config *cfg = b->cfg;
	const struct sbc_cfg_sip_listen *tls_l = NULL;
	char url[400], sips[400], ip[64], tls_dir[PATH_MAX];
	unsigned int verify = TPTLS_VERIFY_NONE;
	int rc;

	s->b = b;
	s->media = sbc_config_media_if(cfg, s->cfg->media_interface);
	if (s->media == NULL)
		return -ENOENT;   /* the loader checks the reference; belt and braces */
	sbc_ip_str(&s->cfg->address, ip, sizeof(ip));
	if (s->cfg->advertise != NULL) {
		struct sbc_ip adv;
		bool lit = sbc_ip_parse(&adv, s->cfg->advertise) == 0;

		snprintf(s->host, sizeof(s->host), lit && adv.family == 6 ? "[%s]" : "%s",
			 s->cfg->advertise);
		if (lit && adv.family == b2b_media_addr(s)->family)
			s->adv_ip = adv;
		SBC_LOG(NOTICE, B2B_LOG, "%s: advertising %s for %s%s", s->cfg->name, s->host, ip,
			s->adv_ip.family != 0 ? " (SIP and SDP)" : " (SIP only)");
	} else if (s->cfg->address.family == 6) {
		snprintf(s->host, sizeof(s->host), "[%s]", ip);
	} else {
		snprintf(s->host, sizeof(s->host), "%s", ip);
	}
	if (sipif_url(s, url, sizeof(url), sips, sizeof(sips), &tls_l) != 0) {
		SBC_LOG(WARN, B2B_LOG, "%s: no listener: interface not served", s->cfg->name);
		return 0;
	}
	if (conn_guard == NULL) {
		rc = conn_guard_start(b);
		if (rc != 0)
			return rc;
	}
	if (tls_l != NULL) {
		rc = sbc_sip_conn_add_tls_listener(conn_guard, &s->cfg->address, tls_l->port);
		if (rc != 0)
			return rc;
		if (b->tls == NULL) {
			b->tls = sbc_sip_tls_create(&rc);
			if (b->tls == NULL)
				return rc;
		}
		rc = sbc_sip_tls_add(b->tls, s->cfg->name, tls_l, tls_dir, sizeof(tls_dir));
		if (rc != 0)
			return rc;
		/*
		 * Clients are checked when asked (mutual TLS); servers always,
		 * against ca_file or the system's store, their name by
		 * tls_interpose.c, unless verify_server: false (labs).
		 */
		if (tls_l->verify_peer)
			verify |= TPTLS_VERIFY_IN;
		if (tls_l->verify_server)
			verify |= TPTLS_VERIFY_OUT;
		else
			SBC_LOG(WARN, B2B_LOG, "%s: verify_server: false: the TLS servers this "
				"interface connects to are NOT verified (lab use only)", s->cfg->name);
		s->tls = true;
	}
	s->nua = nua_create(b->root, b2b_event, s,
			    NUTAG_URL(url),
			    TAG_IF(sips[0] != '\0', NUTAG_SIPS_URL(sips)),
			    TAG_IF(tls_l != NULL, NUTAG_CERTIFICATE_DIR(tls_dir)),
			    TAG_IF(tls_l != NULL, TPTAG_TLS_VERIFY_POLICY(verify)),
			    TAG_IF(tls_l != NULL, TPTAG_TLS_VERIFY_DATE(1)),
			    TAG_IF(tls_l != NULL, TPTAG_TLS_VERIFY_DEPTH(6)),
			    NUTAG_MEDIA_ENABLE(0),
			    NUTAG_AUTOANSWER(0),
			    NUTAG_AUTOALERT(0),
			    NUTAG_AUTOACK(1),
			    NUTAG_ENABLEMESSAGE(0),
			    NUTAG_SESSION_TIMER(0),
			    /*
			     * Only what the B2BUA relays; nua answers PRACK itself.  Each
			     * leg's handle gets its trunk's (REFER with refer: local,
			     * b2b_indialog_allow()); this one answers outside calls.
			     */
			    SIPTAG_ALLOW_STR(B2B_ALLOW),
			    /* UPDATE is answered by on_reoffer(), not by nua. */
			    NUTAG_APPL_METHOD("UPDATE"),
			    /* INFO is relayed by b2b_on_info() (or refused there). */
			    NUTAG_APPL_METHOD("INFO"),
			    /* REFER (on refer: local trunks' dialogs) by b2b_on_refer(). */
			    NUTAG_APPL_METHOD("REFER"),
			    /* OPTIONS is answered by b2b_on_options(): known trunks only. */
			    NUTAG_APPL_METHOD("OPTIONS"),
			    /* Session timers are not relayed yet: do not offer them. */
			    SIPTAG_SUPPORTED_STR("100rel"),
			    NUTAG_M_USERNAME("rampart"),
			    /* Bursts of calls: the kernel's default UDP buffer overflows near 2,000 CPS. */
			    TPTAG_UDP_RMEM(4u << 20),
			    /* CRLF keepalive on TCP and TLS connections (RFC 5626 §4.4.1). */
			    TPTAG_KEEPALIVE(B2B_CRLF_KEEPALIVE_MS),
			    /*
			     * sip.limits (sip_conn.h does the rest): nta's idle default is
			     * 30 minutes; a message that stops arriving halfway is given up
			     * after as long (none by default); a larger one gets 413.
			     */
			    TPTAG_IDLE(cfg->sip.limits.idle_timeout_s * 1000u),
			    TPTAG_TIMEOUT(cfg->sip.limits.idle_timeout_s * 1000u),
			    NTATAG_MAXSIZE(cfg->sip.limits.max_message_bytes),
			    NTATAG_SIP_T1(cfg->sip.t1_ms),
			    /* Timers B, F, H: nta keeps 32 s unless told 64*T1 itself. */
			    NTATAG_SIP_T1X64(64 * cfg->sip.t1_ms),
			    NTATAG_MAX_FORWARDS(cfg->sip.max_forwards),
			    TAG_IF(cfg->sip.user_agent != NULL,
				   SIPTAG_USER_AGENT_STR(cfg->sip.user_agent)),
			    TAG_IF(cfg->sip.user_agent != NULL,
				   SIPTAG_SERVER_STR(cfg->sip.user_agent)),
			    TAG_END());
	if (s->nua == NULL) {
		SBC_LOG(ERR, B2B_LOG, "%s: cannot serve %s (address in use or not local?)",
			s->cfg->name, url);
		return -EADDRNOTAVAIL;
	}
	SBC_LOG(NOTICE, B2B_LOG, "%s (%s side): listening on %s%s%s", s->cfg->name,
		sbc_side_name(s->cfg->side), url, sips[0] != '\0' ? " and " : "", sips);
	return 0;
}

/* Step the loop until every nua reported its shutdown or @ms passed. */
void b2b_sipif_shutdown_all(struct sbc_b2bua *b, unsigned int ms)
{
	uint64_t deadline = b2b_mono_ms() + ms;
	bool pending;
	uint32_t i;

	for (i = 0; i < b->n_sif; i++)
		if (b->sif[i].nua != NULL && !b->sif[i].shutdown_done)
			nua_shutdown(b->sif[i].nua);
	do {
		pending = false;
		for (i = 0; i < b->n_sif; i++)
			if (b->sif[i].nua != NULL && !b->sif[i].shutdown_done)
				pending = true;
		if (!pending)
			break;
		su_root_step(b->root, 100);
	} while (b2b_mono_ms() < deadline);
	if (pending)
		SBC_LOG(WARN, B2B_LOG, "nua shutdown not complete after %u ms", ms);
	conn_guard_stop();
}

