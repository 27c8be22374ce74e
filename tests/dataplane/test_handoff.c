/* SPDX-License-Identifier: BSD-3-Clause
 * Meson suite `dataplane`, test `handoff`: two workers on a port with a
 * single RX queue (the software fallback for devices without RSS).  Worker 0
 * receives everything; packets of streams worker 1 owns must reach worker 1
 * through its hand-off ring and be relayed by it (on its own TX queue), so
 * every packet of a stream is still handled by exactly one worker.
 */
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>

#include "cunit_run.h"
#include "harness.h"

static struct h_ctx H;

static const char config_yaml[] =
	"dataplane:\n"
	"  workers: [1, 2]\n"
	"  ports:\n"
	"    - { name: pa, device: net_ring_ha }\n"
	"    - { name: pb, device: net_ring_hb }\n"
	"  interfaces:\n"
	"    - { name: m-a, port: pa, ipv4: 198.18.0.1/24, media_ports: 20000-20999 }\n"
	"    - { name: m-b, port: pb, ipv4: 198.18.1.1/24, media_ports: 20000-20999 }\n"
	"  stream_table_size: 1024\n"
	"  mempool_size: 8191\n"
	"  telemetry: false\n"
	"sip:\n"
	"  interfaces:\n"
	"    - { name: s0, side: carrier, address: 198.18.0.1, media_interface: m-a,\n"
	"        listen: [{ transport: udp, port: 5060 }] }\n";

static const uint8_t A4[4] = { 198, 18, 0, 1 }, B4[4] = { 198, 18, 1, 1 };
static const uint8_t C4[4] = { 198, 18, 0, 2 }, P4[4] = { 198, 18, 1, 2 };
static const struct rte_ether_addr CMAC = { { 0x02, 0, 0, 0, 0x0a, 0x02 } };
static const struct rte_ether_addr PMAC = { { 0x02, 0, 0, 0, 0x0b, 0x02 } };

static void run_both(void)
{
	struct sbc_worker *w0 = sbc_dp_worker(H.dp, 0), *w1 = sbc_dp_worker(H.dp, 1);

	for (int i = 0; i < 8; i++) {
		sbc_worker_poll(w0);
		sbc_worker_poll(w1);
	}
	sbc_worker_flush(w0);
	sbc_worker_flush(w1);
	sbc_dp_main_poll(H.dp, 0);
}

static void test_handoff(void)
{
	struct sbc_api_alloc_ep a[2], b[2];
	struct sbc_api_leg la, lb;
	uint32_t sid[2];
	struct sbc_worker *w0, *w1;
	uint8_t f[512], rtp[200];
	unsigned int owner[2];

	w0 = sbc_dp_worker(H.dp, 0);
	w1 = sbc_dp_worker(H.dp, 1);
	rte_rcu_qsbr_thread_online(w1->qsbr, w1->id);
	h_arp_reply(&H, 0, C4, &CMAC, A4);
	h_arp_reply(&H, 1, P4, &PMAC, B4);
	run_both();
	/* Two sessions: ports 20000 and 20002 belong to different workers. */
	for (int s = 0; s < 2; s++) {
		struct sbc_api_alloc_item it;
		struct sbc_api_alloc_resp r;

		h_alloc_item(&it, "m-a", 4, false);
		it.port = (uint16_t)(20000 + 2 * s);
		CU_ASSERT_EQUAL_FATAL(h_alloc_batch(&H, &it, 1, &r), SBC_API_OK);
		a[s] = r.ep[0];
		CU_ASSERT_EQUAL_FATAL(h_alloc(&H, "m-b", 4, false, &b[s]), SBC_API_OK);
		h_leg(&la, a[s].endpoint_id, 4, C4, (uint16_t)(5000 + 2 * s), SBC_API_LATCH_LEARN,
		      SBC_API_LEG_RECV | SBC_API_LEG_SEND);
		h_leg(&lb, b[s].endpoint_id, 4, P4, (uint16_t)(6000 + 2 * s), SBC_API_LATCH_LEARN,
		      SBC_API_LEG_RECV | SBC_API_LEG_SEND);
		CU_ASSERT_EQUAL_FATAL(h_bind(&H, &la, &lb, 0, &sid[s]), SBC_API_OK);
		owner[s] = sbc_stream_owner(a[s].local.port, 2);
	}
	CU_ASSERT_NOT_EQUAL_FATAL(owner[0], owner[1]);
	run_both();
	h_drain(&H, 0, 2);
	h_drain(&H, 1, 2);
	/* 40 packets to each stream, all received by worker 0's RX queue. */
	for (uint16_t seq = 1; seq <= 40; seq++) {
		for (int s = 0; s < 2; s++) {
			struct h_udp u = {
				.family = 4, .src_mac = CMAC, .dst_mac = H.port[0].mac,
				.sport = (uint16_t)(5000 + 2 * s), .dport = a[s].local.port,
				.ttl = 64, .payload = rtp,
				.plen = h_build_rtp(rtp, 0, seq, 160u * seq, 0x100u + (uint32_t)s, 160, 0),
			};
			uint32_t len;

			memcpy(u.src_ip, C4, 4);
			memcpy(u.dst_ip, A4, 4);
			len = h_build_udp(f, &u);
			h_inject(&H, 0, f, len);
		}
	}
	run_both();
	/* Each worker relayed its own streams on its own TX queue. */
	for (unsigned int q = 0; q < 2; q++) {
		struct rte_mbuf *m;
		unsigned int n = 0, wrong = 0;

		while ((m = h_take(&H, 1, q)) != NULL) {
			const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
			uint16_t dport = (uint16_t)(d[36] << 8 | d[37]);
			int s = dport == 6000 ? 0 : dport == 6002 ? 1 : -1;

			n++;
			if (s < 0 || owner[s] != q)
				wrong++;
			rte_pktmbuf_free(m);
		}
		CU_ASSERT_EQUAL(n, 40);
		CU_ASSERT_EQUAL(wrong, 0);
	}
	CU_ASSERT_EQUAL(w0->handoff_packets, 40);
	CU_ASSERT_EQUAL(w1->handoff_packets, 0);
	/* Received once (80 RTP + 2 ARP), however many workers touched them. */
	CU_ASSERT_EQUAL(w0->rx_packets + w1->rx_packets, 80 + 2);
	CU_ASSERT_EQUAL(h_release(&H, sid[0], 0), SBC_API_OK);
	CU_ASSERT_EQUAL(h_release(&H, sid[1], 0), SBC_API_OK);
	rte_rcu_qsbr_thread_offline(w1->qsbr, w1->id);
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "ha", "hb" };
	static const struct sbc_test tests[] = {
		{ "single RX queue, two workers: streams stay with their owner", test_handoff },
	};
	int rc;

	(void)argc;
	if (h_eal_init(argv[0], "0", 256) < 0 || h_ports_create(&H, names, 2) != 0 ||
	    h_dp_create(&H, config_yaml, NULL) != 0) {
		fprintf(stderr, "test_handoff: setup failed\n");
		return 1;
	}
	rc = SBC_TEST_RUN("handoff", tests);
	h_dp_destroy(&H);
	sbc_dp_eal_cleanup();
	return rc;
}
