/* SPDX-License-Identifier: BSD-3-Clause
 * DPDK telemetry commands under /rampart/ (dpdk-telemetry.py).
 *
 * Callbacks run on the telemetry thread.  They read only counters (64-bit
 * aligned words, summed without locks; a value may be one packet behind)
 * and sizes; they never walk structures the main lcore rewrites.
 */
#include <string.h>

#include <rte_telemetry.h>

#include "dp_priv.h"
#include "host.h"

static struct sbc_dp *tel_dp;

static int tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sbc_dp_counters c;

	(void)cmd;
	(void)params;
	sbc_dp_counters(tel_dp, &c);
	rte_tel_data_start_dict(d);
#define SBC_X_DICT(e, name, desc) \
	rte_tel_data_add_dict_u64(d, name, c.drops[SBC_DROP_##e]);
	SBC_DROP_REASONS(SBC_X_DICT)
#undef SBC_X_DICT
	return 0;
}

static int tel_streams(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "streams", sbc_stream_table_count(tel_dp->streams));
	rte_tel_data_add_dict_u64(d, "capacity", sbc_stream_table_capacity(tel_dp->streams));
	rte_tel_data_add_dict_u64(d, "memory_bytes", sbc_stream_table_memory(tel_dp->streams));
	rte_tel_data_add_dict_u64(d, "srtp_contexts", sbc_dp_srtp_contexts(tel_dp));
	rte_tel_data_add_dict_u64(d, "api_requests", tel_dp->api_requests);
	rte_tel_data_add_dict_u64(d, "api_errors", tel_dp->api_errors);
	rte_tel_data_add_dict_u64(d, "events_sent", tel_dp->events_sent);
	return 0;
}

static int tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < tel_dp->n_ports; i++) {
		const struct sbc_dp_port *p = &tel_dp->ports[i];
		struct rte_eth_stats st;
		struct rte_tel_data *pd = rte_tel_data_alloc();

		if (pd == NULL)
			return -1;
		rte_tel_data_start_dict(pd);
		rte_tel_data_add_dict_u64(pd, "port_id", p->port_id);
		rte_tel_data_add_dict_u64(pd, "rx_queues", p->n_rxq);
		rte_tel_data_add_dict_u64(pd, "tx_queues", p->n_txq);
		if (rte_eth_stats_get(p->port_id, &st) == 0) {
			rte_tel_data_add_dict_u64(pd, "ipackets", st.ipackets);
			rte_tel_data_add_dict_u64(pd, "opackets", st.opackets);
			rte_tel_data_add_dict_u64(pd, "imissed", st.imissed);
			rte_tel_data_add_dict_u64(pd, "ierrors", st.ierrors);
			rte_tel_data_add_dict_u64(pd, "oerrors", st.oerrors);
		}
		rte_tel_data_add_dict_container(d, p->name, pd, 0);
	}
	return 0;
}

static int tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < tel_dp->n_workers; i++) {
		const struct sbc_worker *w = tel_dp->workers[i];
		struct rte_tel_data *wd = rte_tel_data_alloc();
		char name[32];

		if (wd == NULL)
			return -1;
		rte_tel_data_start_dict(wd);
		rte_tel_data_add_dict_u64(wd, "lcore", w->lcore);
#define SBC_WORKER_X_DICT(name, desc) rte_tel_data_add_dict_u64(wd, #name, w->name);
		SBC_WORKER_COUNTERS(SBC_WORKER_X_DICT)
#undef SBC_WORKER_X_DICT
		snprintf(name, sizeof(name), "worker%u", i);
		rte_tel_data_add_dict_container(d, name, wd, 0);
	}
	return 0;
}

static int tel_host(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sbc_host_stats hs;

	(void)cmd;
	(void)params;
	/* Counters only: plain 64-bit reads of main-lcore-written words. */
	sbc_host_stats(tel_dp->host, &hs);
	rte_tel_data_start_dict(d);
#define SBC_X_HOST(name, desc) rte_tel_data_add_dict_u64(d, #name, hs.name);
	SBC_HOST_COUNTERS(SBC_X_HOST)
#undef SBC_X_HOST
	return 0;
}

int sbc_dp_telemetry_register(struct sbc_dp *dp)
{
	tel_dp = dp;
	if (rte_telemetry_register_cmd("/rampart/drops", tel_drops,
				       "Packets dropped, by reason. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/rampart/streams", tel_streams,
				       "Stream table use and API counters. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/rampart/ports", tel_ports,
				       "Media ports and their counters. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/rampart/workers", tel_workers,
				       "Worker counters. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/rampart/host", tel_host,
				       "ARP/NDP/ICMP counters. No parameters") != 0)
		return -1;
	return 0;
}
