/* SPDX-License-Identifier: BSD-3-Clause
 * Data plane construction and the main lcore's loop.  Main lcore only.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp_priv.h"
#include "host.h"
#include "sbc_log.h"

#define LOG_ERR(...) SBC_LOG(ERR, "dataplane", __VA_ARGS__)
#define LOG_INFO(...) SBC_LOG(INFO, "dataplane", __VA_ARGS__)
#define LOG_NOTICE(...) SBC_LOG(NOTICE, "dataplane", __VA_ARGS__)

#define HOST_RING_SIZE 4096
#define HANDOFF_RING_SIZE 4096
#define EVENT_RING_SIZE 4096
#define MAX_NEIGHBORS 4096

/* The ethdev name of a device string: "net_tap0,iface=x" → "net_tap0". */
static void device_name(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, device, n);
	name[n] = '\0';
}

/*
 * Find the port of a configured device: already present (a PCI device the
 * EAL probed, or a port a test created), else probe it as a vdev now.
 * af_packet gets one queue pair per worker unless the operator chose.
 */
static int find_or_probe(const char *device, unsigned int n_queues, uint16_t *port_id)
{
	char name[RTE_DEV_NAME_MAX_LEN], args[512];
	int rc;

	device_name(device, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	if (strncmp(device, "net_", 4) != 0) {
		LOG_ERR("device %s was not probed by the EAL (bound to a DPDK driver?)", device);
		return -ENODEV;
	}
	/*
	 * af_packet has paired queues (as many RX as TX) and needs one TX queue
	 * per worker plus the main lcore's; its kernel fanout feeds every RX
	 * queue, so port_start() makes worker 0 read the extra one.
	 */
	if (strncmp(name, "net_af_packet", 13) == 0 && strstr(device, "qpairs=") == NULL)
		snprintf(args, sizeof(args), "%s%sqpairs=%u", device,
			 strchr(device, ',') ? "," : "", n_queues + 1);
	else
		snprintf(args, sizeof(args), "%s", device);
	rc = rte_dev_probe(args);
	if (rc != 0) {
		/* The driver said why just above; rc is not always an errno. */
		LOG_ERR("cannot probe %s (see the driver's message above)", args);
		return rc < 0 ? rc : -ENODEV;
	}
	return rte_eth_dev_get_port_by_name(name, port_id);
}

static int port_start(struct sbc_dp *dp, struct sbc_dp_port *p,
		      const struct sbc_cfg_port *cp, uint16_t mtu)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = (uint16_t)cp->rx_desc, nb_txd = (uint16_t)cp->tx_desc;
	int socket = rte_eth_dev_socket_id(p->port_id);
	int rc;

	if (socket < 0)
		socket = (int)rte_socket_id();
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0)
		return rc;
	/* Fewer RX queues than workers: the rest get packets by hand-off. */
	p->n_rxq = (uint16_t)RTE_MIN(dp->n_workers, info.max_rx_queues);
	p->n_txq = (uint16_t)(dp->n_workers + 1);
	/*
	 * af_packet's queues come in pairs and the kernel spreads packets over
	 * all of them: configure them all; worker 0 polls those beyond the
	 * workers (the ownership check hands packets on as usual).
	 */
	if (strcmp(info.driver_name, "net_af_packet") == 0 && info.max_rx_queues >= p->n_txq)
		p->n_rxq = p->n_txq;
	if (info.max_tx_queues < p->n_txq) {
		LOG_ERR("port %s: %u TX queues needed (workers + main), device has %u",
			p->name, p->n_txq, info.max_tx_queues);
		return -ENOTSUP;
	}
	if (p->n_rxq > 1) {
		/* Spread by UDP flow; the owner check keeps streams on one worker. */
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_NONFRAG_IPV6_UDP |
			 RTE_ETH_RSS_IP) & info.flow_type_rss_offloads;
		if (conf.rx_adv_conf.rss_conf.rss_hf == 0)
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
	}
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	rc = rte_eth_dev_configure(p->port_id, p->n_rxq, p->n_txq, &conf);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (rc != 0)
		return rc;
	for (uint16_t q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd, (unsigned int)socket, NULL,
					    dp->mp);
		if (rc != 0)
			return rc;
	}
	for (uint16_t q = 0; q < p->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->port_id, q, nb_txd, (unsigned int)socket, NULL);
		if (rc != 0)
			return rc;
	}
	/* vdevs often cannot change MTU; a NIC that refuses is worth a warning. */
	if (mtu && rte_eth_dev_set_mtu(p->port_id, mtu) != 0)
		SBC_LOG(WARN, "dataplane", "port %s: MTU %u not set", p->name, mtu);
	return rte_eth_dev_start(p->port_id);
}

static void eui64_link_local(const struct rte_ether_addr *mac, uint8_t *ll)
{
	memset(ll, 0, 16);
	ll[0] = 0xfe;
	ll[1] = 0x80;
	ll[8] = mac->addr_bytes[0] ^ 0x02;
	ll[9] = mac->addr_bytes[1];
	ll[10] = mac->addr_bytes[2];
	ll[11] = 0xff;
	ll[12] = 0xfe;
	ll[13] = mac->addr_bytes[3];
	ll[14] = mac->addr_bytes[4];
	ll[15] = mac->addr_bytes[5];
}

static int setup_ifaces(struct sbc_dp *dp)
{
	const struct sbc_cfg_dataplane *c = &dp->cfg->dataplane;

	for (uint32_t i = 0; i < c->n_interfaces; i++) {
		const struct sbc_cfg_media_if *mi = &c->interfaces[i];
		struct sbc_dp_iface *ifc = &dp->ifaces[i];
		struct sbc_dp_port *p = NULL;

		for (unsigned int j = 0; j < dp->n_ports; j++)
			if (strcmp(dp->ports[j].name, mi->port) == 0)
				p = &dp->ports[j];
		if (p == NULL || p->n_ifaces == SBC_DP_IFACES_PER_PORT) {
			LOG_ERR("interface %s: port %s unusable", mi->name, mi->port);
			return -EINVAL;
		}
		snprintf(ifc->name, sizeof(ifc->name), "%s", mi->name);
		ifc->index = (uint16_t)i;
		ifc->port_id = p->port_id;
		ifc->mtu = (uint16_t)mi->mtu;
		ifc->mac = p->mac;
		if (mi->ipv4.ip.family == 4) {
			ifc->has4 = true;
			memcpy(&ifc->ip4, mi->ipv4.ip.bytes, 4);
			ifc->mask4 = mi->ipv4.len ?
				     rte_cpu_to_be_32(~0u << (32 - mi->ipv4.len)) : 0;
			if (mi->gateway4.family == 4)
				memcpy(&ifc->gw4, mi->gateway4.bytes, 4);
		}
		if (mi->ipv6.ip.family == 6) {
			ifc->has6 = true;
			memcpy(ifc->ip6, mi->ipv6.ip.bytes, 16);
			ifc->plen6 = mi->ipv6.len;
			eui64_link_local(&p->mac, ifc->ll6);
			if (mi->gateway6.family == 6) {
				ifc->has_gw6 = true;
				memcpy(ifc->gw6, mi->gateway6.bytes, 16);
			}
		}
		ifc->port_lo = mi->media_ports.lo;
		ifc->port_hi = mi->media_ports.hi;
		p->ifaces[p->n_ifaces++] = (uint16_t)i;
	}
	dp->n_ifaces = c->n_interfaces;
	return 0;
}

static void tx_unsent(struct rte_mbuf **pkts, uint16_t n, void *arg)
{
	struct sbc_worker *w = arg;

	w->drops[SBC_DROP_TX_FULL] += n;
	rte_pktmbuf_free_bulk(pkts, n);
}

static int setup_workers(struct sbc_dp *dp)
{
	const struct sbc_cfg_dataplane *c = &dp->cfg->dataplane;
	size_t qsz = rte_rcu_qsbr_get_memsize(dp->n_workers);
	char name[RTE_RING_NAMESIZE];

	dp->qsbr = rte_zmalloc("sbc_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (dp->qsbr == NULL || rte_rcu_qsbr_init(dp->qsbr, dp->n_workers) != 0)
		return -ENOMEM;
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct sbc_worker *w;
		unsigned int lcore = c->workers[i];
		int socket = (int)rte_lcore_to_socket_id(lcore);

		if (socket < 0 || lcore >= RTE_MAX_LCORE)
			socket = SOCKET_ID_ANY;
		w = rte_zmalloc_socket("sbc_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
		if (w == NULL)
			return -ENOMEM;
		dp->workers[i] = w;
		w->id = i;
		w->lcore = lcore;
		w->dp = dp;
		w->qsbr = dp->qsbr;
		w->burst = (uint16_t)(c->burst_size < SBC_DP_MAX_BURST ? c->burst_size :
				      SBC_DP_MAX_BURST);
		w->n_workers = (uint16_t)dp->n_workers;
		w->tsc_hz = dp->tsc_hz;
		w->tsc_per_8k = dp->tsc_hz / 8000;
		w->tsc_per_ms = dp->tsc_hz / 1000;
		w->drain_tsc = dp->tsc_hz / 1000000 * c->tx_drain_us;
		w->idle_backoff_us = c->idle_backoff_us;
		snprintf(name, sizeof(name), "sbc_ho%u", i);
		w->handoff = rte_ring_create(name, HANDOFF_RING_SIZE, socket, RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "sbc_ev%u", i);
		w->events = rte_ring_create_elem(name, sizeof(struct sbc_dp_event),
						 EVENT_RING_SIZE, socket,
						 RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->handoff == NULL || w->events == NULL)
			return -ENOMEM;
		for (unsigned int p = 0; p < dp->n_ports; p++) {
			uint16_t pid = dp->ports[p].port_id;

			w->txb[pid] = rte_zmalloc_socket("sbc_txb",
							 RTE_ETH_TX_BUFFER_SIZE(SBC_DP_MAX_BURST),
							 RTE_CACHE_LINE_SIZE, socket);
			if (w->txb[pid] == NULL)
				return -ENOMEM;
			rte_eth_tx_buffer_init(w->txb[pid], w->burst);
			w->port_mac[pid] = dp->ports[p].mac;
			rte_eth_tx_buffer_set_err_callback(w->txb[pid], tx_unsent, w);
		}
		if (rte_rcu_qsbr_thread_register(dp->qsbr, i) != 0)
			return -EINVAL;
	}
	return 0;
}

struct sbc_dp *sbc_dp_create(const struct sbc_config *cfg, const struct sbc_dp_options *opt)
{
	static const struct sbc_dp_options no_opt;
	const struct sbc_cfg_dataplane *c = &cfg->dataplane;
	struct sbc_dp *dp;
	int rc;

	if (opt == NULL)
		opt = &no_opt;
	if (sbc_api_selfcheck() != 0 || c->n_workers > SBC_DP_MAX_WORKERS ||
	    c->n_ports > SBC_DP_MAX_PORTS || c->n_interfaces > SBC_DP_MAX_IFACES) {
		LOG_ERR("unsupported sizes (workers/ports/interfaces) or API table mismatch");
		return NULL;
	}
	dp = rte_zmalloc("sbc_dp", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL)
		return NULL;
	dp->cfg = cfg;
	dp->listen_fd = -1;
	dp->srtp_dev = -1;
	for (unsigned int i = 0; i < SBC_DP_MAX_CLIENTS; i++)
		dp->clients[i] = -1;
	dp->n_workers = c->n_workers;
	dp->main_txq = (uint16_t)c->n_workers;
	dp->tsc_hz = rte_get_tsc_hz();
	dp->mp = rte_pktmbuf_pool_create("sbc_mbufs", c->mempool_size, c->mbuf_cache_size, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (dp->mp == NULL) {
		LOG_ERR("mempool of %u mbufs: %s", c->mempool_size, rte_strerror(rte_errno));
		goto err;
	}
	for (uint32_t i = 0; i < c->n_ports; i++) {
		struct sbc_dp_port *p = &dp->ports[i];

		snprintf(p->name, sizeof(p->name), "%s", c->ports[i].name);
		rc = find_or_probe(c->ports[i].device, dp->n_workers, &p->port_id);
		if (rc != 0) {
			LOG_ERR("port %s (%s): not found", p->name, c->ports[i].device);
			goto err;
		}
		dp->port_index[p->port_id] = (uint16_t)(i + 1);
		dp->n_ports = i + 1;
		if (opt->no_port_start) {
			p->n_rxq = 1;
			p->n_txq = (uint16_t)(dp->n_workers + 1);
		} else {
			uint16_t mtu = 0;

			for (uint32_t k = 0; k < c->n_interfaces; k++)
				if (strcmp(c->interfaces[k].port, p->name) == 0)
					mtu = (uint16_t)RTE_MAX(mtu, c->interfaces[k].mtu);
			rc = port_start(dp, p, &c->ports[i], mtu);
			if (rc != 0) {
				LOG_ERR("port %s: start failed: %s", p->name, strerror(-rc));
				goto err;
			}
		}
		if (rte_eth_macaddr_get(p->port_id, &p->mac) != 0)
			goto err;
	}
	if (setup_ifaces(dp) != 0)
		goto err;
	dp->streams = NULL;
	if (setup_workers(dp) != 0) {
		LOG_ERR("worker setup failed");
		goto err;
	}
	if (sbc_dp_srtp_init(dp) != 0) {
		LOG_ERR("SRTP engines (dataplane.srtp_engine) could not be set up");
		goto err;
	}
	dp->streams = sbc_stream_table_create("sbc_streams", c->stream_table_size, dp->qsbr,
					      (int)rte_socket_id());
	if (dp->streams == NULL) {
		LOG_ERR("stream table of %u streams: out of memory", c->stream_table_size);
		goto err;
	}
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		dp->workers[i]->hash = sbc_stream_table_hash(dp->streams);
		dp->workers[i]->states = sbc_stream_table_states(dp->streams);
		dp->workers[i]->objs = sbc_stream_table_objs(dp->streams);
	}
	dp->host_ring = rte_ring_create("sbc_host", HOST_RING_SIZE, (int)rte_socket_id(),
					RING_F_SC_DEQ);
	dp->host = sbc_host_create(dp->ifaces, dp->n_ifaces, dp->mp, MAX_NEIGHBORS,
				   (int)rte_socket_id());
	if (dp->host_ring == NULL || dp->host == NULL || sbc_dp_sessions_init(dp) != 0) {
		LOG_ERR("host duties / sessions: out of memory");
		goto err;
	}
	if (!opt->no_api_socket &&
	    sbc_dp_api_open(dp, opt->api_socket ? opt->api_socket : c->api_socket) != 0)
		goto err;
	if (c->telemetry && sbc_dp_telemetry_register(dp) != 0)
		SBC_LOG(WARN, "dataplane", "telemetry commands not registered");
	return dp;
err:
	sbc_dp_destroy(dp);
	return NULL;
}

void sbc_dp_destroy(struct sbc_dp *dp)
{
	if (dp == NULL)
		return;
	sbc_dp_api_close(dp);
	sbc_dp_sessions_fini(dp);
	sbc_dp_srtp_fini(dp);
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct sbc_worker *w = dp->workers[i];

		if (w == NULL)
			continue;
		for (unsigned int p = 0; p < dp->n_ports; p++)
			rte_free(w->txb[dp->ports[p].port_id]);
		rte_ring_free(w->handoff);
		rte_ring_free(w->events);
		rte_free(w);
	}
	sbc_host_destroy(dp->host);
	rte_ring_free(dp->host_ring);
	sbc_stream_table_destroy(dp->streams);
	rte_free(dp->qsbr);
	rte_mempool_free(dp->mp);
	rte_free(dp);
}

unsigned int sbc_dp_n_workers(const struct sbc_dp *dp) { return dp->n_workers; }
struct sbc_worker *sbc_dp_worker(struct sbc_dp *dp, unsigned int i) { return dp->workers[i]; }
struct sbc_stream_table *sbc_dp_streams(struct sbc_dp *dp) { return dp->streams; }
struct rte_mempool *sbc_dp_mempool(struct sbc_dp *dp) { return dp->mp; }

const struct sbc_dp_iface *sbc_dp_iface_by_name(const struct sbc_dp *dp, const char *name)
{
	for (unsigned int i = 0; i < dp->n_ifaces; i++)
		if (strcmp(dp->ifaces[i].name, name) == 0)
			return &dp->ifaces[i];
	return NULL;
}

const struct sbc_dp_port *sbc_dp_port(const struct sbc_dp *dp, uint16_t port_id)
{
	if (port_id >= RTE_MAX_ETHPORTS || dp->port_index[port_id] == 0)
		return NULL;
	return &dp->ports[dp->port_index[port_id] - 1];
}

void sbc_dp_counters(const struct sbc_dp *dp, struct sbc_dp_counters *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		const struct sbc_worker *w = dp->workers[i];

#define SBC_WORKER_X_SUM(name, desc) c->name += w->name;
		SBC_WORKER_COUNTERS(SBC_WORKER_X_SUM)
#undef SBC_WORKER_X_SUM
		for (unsigned int r = 0; r < SBC_DROP__COUNT; r++)
			c->drops[r] += w->drops[r];
	}
	if (dp->host != NULL) {
		struct sbc_host_stats hs;

		sbc_host_stats(dp->host, &hs);
		c->drops[SBC_DROP_HOST_IGNORED] += hs.ignored + hs.malformed;
	}
}

static void send_main(struct sbc_dp *dp, struct rte_mbuf *m)
{
	if (rte_eth_tx_burst(m->port, dp->main_txq, &m, 1) != 1)
		rte_pktmbuf_free(m);
}

static void host_poll(struct sbc_dp *dp, uint64_t now_ms)
{
	struct rte_mbuf *pkts[32];
	unsigned int n = rte_ring_sc_dequeue_burst(dp->host_ring, (void **)pkts, 32, NULL);

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *reply = NULL;
		int rc = sbc_host_input(dp->host, pkts[i], now_ms, &reply);

		if (rc > 0 && reply != NULL)
			send_main(dp, reply);
		else if (rc < 0)
			rte_pktmbuf_free(pkts[i]);
	}
}

static void events_poll(struct sbc_dp *dp)
{
	struct sbc_dp_event ev[16];

	for (unsigned int i = 0; i < dp->n_workers; i++) {
		unsigned int n = rte_ring_sc_dequeue_burst_elem(dp->workers[i]->events, ev,
								 sizeof(ev[0]), 16, NULL);

		for (unsigned int k = 0; k < n; k++) {
			struct sbc_api_event e;

			/* First make a new source the peer's destination. */
			if (ev[k].kind == SBC_API_EV_SOURCE_LATCHED ||
			    ev[k].kind == SBC_API_EV_SOURCE_CHANGED)
				sbc_dp_session_learn(dp, ev[k].slot);

			sbc_api_init(&e, SBC_API_EVENT, 0);
			e.kind = ev[k].kind;
			e.session_id = ev[k].session_id;
			e.endpoint_id = ev[k].slot + 1;
			e.count = ev[k].count;
			e.addr.family = ev[k].family == 4 ? SBC_API_AF_INET : SBC_API_AF_INET6;
			e.addr.port = rte_be_to_cpu_16(ev[k].port);
			memcpy(e.addr.ip, ev[k].ip, 16);
			sbc_dp_api_broadcast(dp, &e);
		}
	}
}

static void drain_poll(struct sbc_dp *dp, uint64_t now_ms);

void sbc_dp_main_poll(struct sbc_dp *dp, int timeout_ms)
{
	uint64_t now_ms;
	uint64_t gen;

	sbc_dp_api_poll(dp, timeout_ms);
	if (unlikely(__atomic_exchange_n(&dp->hup, 0, __ATOMIC_RELAXED)))
		SBC_LOG(NOTICE, "dataplane", "SIGHUP: nothing to reload (the data plane's "
			"configuration applies at start; sbc-controlplane reloads on SIGHUP)");
	now_ms = sbc_dp_now_ms(dp);
	drain_poll(dp, now_ms);
	host_poll(dp, now_ms);
	events_poll(dp);
	sbc_stream_table_reclaim(sbc_dp_streams(dp));
	sbc_dp_srtp_reclaim(dp);
	gen = sbc_host_generation(dp->host);
	if (gen != dp->host_generation || now_ms >= dp->next_resolve_ms ||
	    dp->republish_pending) {
		dp->host_generation = gen;
		dp->next_resolve_ms = now_ms + 1000;
		sbc_dp_sessions_republish_pending(dp);
	}
	if (now_ms >= dp->next_timeout_scan_ms) {
		dp->next_timeout_scan_ms = now_ms + 100;
		sbc_dp_sessions_timeout_scan(dp, now_ms);
	}
}

int sbc_dp_run(struct sbc_dp *dp)
{
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		int rc = rte_eal_remote_launch(sbc_worker_main, dp->workers[i],
					       dp->workers[i]->lcore);

		if (rc != 0) {
			LOG_ERR("cannot launch worker %u on lcore %u", i, dp->workers[i]->lcore);
			sbc_dp_stop(dp);
			rte_eal_mp_wait_lcore();
			return rc;
		}
	}
	LOG_INFO("%u worker(s) running", dp->n_workers);
	while (!__atomic_load_n(&dp->stop, __ATOMIC_RELAXED))
		sbc_dp_main_poll(dp, 10);
	rte_eal_mp_wait_lcore();
	return 0;
}

void sbc_dp_stop(struct sbc_dp *dp)
{
	__atomic_store_n(&dp->stop, 1, __ATOMIC_RELAXED);
}

void sbc_dp_term(struct sbc_dp *dp)
{
	__atomic_add_fetch(&dp->term, 1, __ATOMIC_RELAXED);
}

/* SIGTERMs noted by sbc_dp_term(), and the drain they start. */
static void drain_poll(struct sbc_dp *dp, uint64_t now_ms)
{
	int term = __atomic_load_n(&dp->term, __ATOMIC_RELAXED);
	uint32_t open = dp->max_sessions - dp->n_free_sessions;

	if (term != dp->terms_seen) {
		dp->terms_seen = term;
		if (!dp->draining && dp->cfg->dataplane.drain_timeout_s > 0 && open > 0) {
			dp->draining = true;
			dp->drain_end_ms = now_ms + dp->cfg->dataplane.drain_timeout_s * 1000ull;
			LOG_NOTICE("SIGTERM: draining: %u sessions relayed on, no new endpoints; "
				   "stopping when they are released, at most in %u s (SIGTERM again "
				   "or SIGINT: now)", open, dp->cfg->dataplane.drain_timeout_s);
			return;
		}
		LOG_NOTICE("SIGTERM: stopping with %u sessions", open);
		sbc_dp_stop(dp);
		return;
	}
	if (!dp->draining)
		return;
	if (open == 0) {
		LOG_NOTICE("drained: no session left, stopping");
		sbc_dp_stop(dp);
	} else if (now_ms >= dp->drain_end_ms) {
		LOG_NOTICE("drain bound of %u s reached with %u sessions: stopping",
			   dp->cfg->dataplane.drain_timeout_s, open);
		sbc_dp_stop(dp);
	}
}

void sbc_dp_hup(struct sbc_dp *dp)
{
	__atomic_store_n(&dp->hup, 1, __ATOMIC_RELAXED);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void sbc_dp_eal_cleanup(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* Only a directory the EAL made for this process's own prefix. */
	if (strncmp(dir, "/var/run/dpdk/", 14) == 0 || strstr(dir, "/dpdk/") != NULL)
		nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}
