/* SPDX-License-Identifier: BSD-3-Clause
 * Relay benchmark (not a test): one worker, stream tables of 1,000 /
 * 100,000 / 1,000,000 streams, G.711 RTP (214-byte frames) spread over
 * every stream in a scattered order.  Prints per size:
 *
 *   relay streams=N pps=... Mpps_per_core=... cycles_per_pkt=...
 *         reference_Mpps=... ratio=... bytes_per_stream=...
 *
 * The reference is a plain DPDK io-forward (rx_burst → tx_burst, packets
 * untouched) over the same ring port with the same packets, measured in the
 * same run.  Only the worker's own cycles are counted (rdtsc around the
 * poll loop); building the input and freeing the output happen outside.
 *
 * usage: bench_relay [streams ...] [--packets N]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "../dataplane/harness.h"

/* Packets built per timed poll: few enough that their mbufs are still warm,
 * as a NIC's RX path leaves them. */
#define BATCH 64
#define PAIRS_PER_IF 31768   /* media_ports 2000-65535 */
#define RTP_LEN 172          /* 12 + 160 */

static struct h_ctx H;

struct ep {
	uint8_t iface;
	uint16_t port;           /* local RTP port */
	uint16_t remote_port;
};

static struct ep *eps;

static size_t heap_allocated(void)
{
	struct rte_malloc_socket_stats st;

	rte_malloc_get_socket_stats((int)rte_socket_id(), &st);
	return st.heap_allocsz_bytes;
}

static char *make_config(uint32_t streams, unsigned int *n_if)
{
	size_t cap = 8192 + 160 * 64;
	char *y = malloc(cap);
	size_t o;
	unsigned int k;

	*n_if = (streams + 2 * PAIRS_PER_IF - 1) / PAIRS_PER_IF;
	if (*n_if < 2)
		*n_if = 2;
	o = (size_t)snprintf(y, cap,
		"dataplane:\n  workers: [1]\n  ports: [{ name: p, device: net_ring_bench }]\n"
		"  stream_table_size: %u\n  mempool_size: 4095\n  telemetry: false\n"
		"  interfaces:\n", streams < 64 ? 64 : streams);
	for (k = 0; k < *n_if; k++)
		o += (size_t)snprintf(y + o, cap - o,
			"    - { name: m%u, port: p, ipv4: 198.18.%u.1/24, media_ports: 2000-65535 }\n",
			k, k);
	snprintf(y + o, cap - o,
		 "sip:\n  interfaces:\n    - { name: s, side: carrier, address: 198.18.0.1,\n"
		 "        media_interface: m0, listen: [{ transport: udp, port: 5060 }] }\n");
	return y;
}

/* Program N streams = N/2 sessions; endpoints spread over the interfaces. */
static int program(uint32_t streams, unsigned int n_if)
{
	char name[16];

	/* Every peer announces itself first (ARP reply to our address). */
	for (unsigned int k = 0; k < n_if; k++) {
		uint8_t peer[4] = { 198, 18, (uint8_t)k, 2 }, us[4] = { 198, 18, (uint8_t)k, 1 };
		struct rte_ether_addr mac = { { 0x02, 0, 0, 0, (uint8_t)k, 2 } };

		h_arp_reply(&H, 0, peer, &mac, us);
	}
	h_run(&H);
	eps = calloc(streams, sizeof(*eps));
	for (uint32_t i = 0; i < streams; i++) {
		struct sbc_api_alloc_ep r;

		snprintf(name, sizeof(name), "m%u", i % n_if);
		if (h_alloc(&H, name, 4, false, &r) != SBC_API_OK)
			return -1;
		eps[i].iface = (uint8_t)(i % n_if);
		eps[i].port = r.local.port;
		eps[i].remote_port = (uint16_t)(10000 + 2 * (i % 20000));
		if (i & 1) {
			struct sbc_api_leg a, b;
			uint8_t ipa[4] = { 198, 18, eps[i - 1].iface, 2 };
			uint8_t ipb[4] = { 198, 18, eps[i].iface, 2 };

			h_leg(&a, r.endpoint_id - 1, 4, ipa, eps[i - 1].remote_port,
			      SBC_API_LATCH_LEARN, SBC_API_LEG_RECV | SBC_API_LEG_SEND);
			h_leg(&b, r.endpoint_id, 4, ipb, eps[i].remote_port,
			      SBC_API_LATCH_LEARN, SBC_API_LEG_RECV | SBC_API_LEG_SEND);
			/* As a call has: the negotiated payload types, PCMU and DTMF. */
			a.n_pt_map = b.n_pt_map = 2;
			a.pt_map[0] = b.pt_map[0] = (struct sbc_api_pt_map){ 0, 0 };
			a.pt_map[1] = b.pt_map[1] = (struct sbc_api_pt_map){ 101, 101 };
			if (h_bind(&H, &a, &b, 0, NULL) != SBC_API_OK)
				return -1;
		}
		/* Let the worker pass quiescent states so retired objects return. */
		if ((i & 1023) == 1023)
			h_run(&H);
	}
	h_run(&H);
	h_run(&H);
	h_drain(&H, 0, 1);
	return 0;
}

/* Fill @n mbufs with RTP toward streams picked by @cursor (scattered order). */
static void craft(struct rte_mbuf **m, unsigned int n, uint64_t *cursor, uint32_t streams,
		  uint16_t *seq)
{
	const uint64_t stride = 2654435761u;  /* odd and large: visits every stream */

	if (rte_pktmbuf_alloc_bulk(H.mp, m, n) != 0)
		abort();
	for (unsigned int i = 0; i < n; i++) {
		uint32_t s = (uint32_t)((*cursor)++ * stride % streams);
		const struct ep *e = &eps[s];
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m[i], 14 + 20 + 8 + RTP_LEN);
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + 14);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
		uint8_t *rtp = (uint8_t *)(udp + 1);
		uint16_t q = seq[s]++;

		memcpy(p, &H.port[0].mac, 6);
		p[6] = 0x02; p[7] = 0; p[8] = 0; p[9] = 0; p[10] = e->iface; p[11] = 2;
		p[12] = 0x08;
		p[13] = 0x00;
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16(20 + 8 + RTP_LEN);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = rte_cpu_to_be_32(0xc6120002u | ((uint32_t)e->iface << 8));
		ip->dst_addr = rte_cpu_to_be_32(0xc6120001u | ((uint32_t)e->iface << 8));
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->src_port = rte_cpu_to_be_16(e->remote_port);
		udp->dst_port = rte_cpu_to_be_16(e->port);
		udp->dgram_len = rte_cpu_to_be_16(8 + RTP_LEN);
		udp->dgram_cksum = 0;
		rtp[0] = 0x80;
		rtp[1] = 0;
		rtp[2] = (uint8_t)(q >> 8);
		rtp[3] = (uint8_t)q;
		memset(rtp + 4, 0, 4);
		rtp[8] = (uint8_t)(s >> 24); rtp[9] = (uint8_t)(s >> 16);
		rtp[10] = (uint8_t)(s >> 8); rtp[11] = (uint8_t)s;
		memset(rtp + 12, 0xd5, 160);
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
		m[i]->port = H.port[0].port_id;
	}
}

/* Push @total packets through: relay (reference == false) or io-forward. */
static uint64_t run(uint32_t streams, uint64_t total, bool reference, uint64_t *pkts_out)
{
	struct rte_mbuf *m[BATCH], *burst[32];
	uint16_t *seq = calloc(streams, sizeof(uint16_t));
	uint64_t cursor = 0, cycles = 0, done = 0;
	uint16_t port = H.port[0].port_id;

	while (done < total) {
		unsigned int n = (unsigned int)RTE_MIN((uint64_t)BATCH, total - done);
		uint64_t t0;

		craft(m, n, &cursor, streams, seq);
		if (rte_ring_enqueue_bulk(H.port[0].rx, (void **)m, n, NULL) != n)
			abort();
		t0 = rte_rdtsc_precise();
		if (!reference) {
			while (sbc_worker_poll(H.w) != 0)
				;
			sbc_worker_flush(H.w);
		} else {
			uint16_t k;

			while ((k = rte_eth_rx_burst(port, 0, burst, 32)) != 0) {
				uint16_t sent = rte_eth_tx_burst(port, 0, burst, k);

				if (sent < k)
					rte_pktmbuf_free_bulk(burst + sent, k - sent);
			}
		}
		cycles += rte_rdtsc_precise() - t0;
		*pkts_out += h_drain(&H, 0, 0);
		done += n;
		if (!reference)
			sbc_dp_main_poll(H.dp, 0);  /* events, reclaim: main lcore's share */
	}
	free(seq);
	return cycles;
}

/*
 * Memory ceiling: the same burst shape with no work at all, only @lines
 * random cache-line loads per packet over @bytes of memory, prefetched for
 * the whole burst and then read.  What a packet that misses on that many
 * lines can cost at best on this machine.
 */
#define CEILING_LINES 5   /* hash bucket, hash key, stream object x2, state */

static double memory_ceiling_cycles(size_t bytes, uint64_t packets)
{
	size_t n_lines = bytes / RTE_CACHE_LINE_SIZE;
	volatile uint64_t sink = 0;
	uint8_t *mem = rte_zmalloc("ceiling", bytes, RTE_CACHE_LINE_SIZE);
	uint64_t x = 88172645463325252ull, cycles = 0;
	const uint8_t *addr[32 * CEILING_LINES];

	if (mem == NULL || n_lines == 0)
		return 0;
	for (uint64_t done = 0; done < packets; done += 32) {
		uint64_t t0, sum = 0;

		/* Addresses come from a xorshift outside the timed part. */
		for (unsigned int i = 0; i < 32 * CEILING_LINES; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			addr[i] = mem + (x % n_lines) * RTE_CACHE_LINE_SIZE;
		}
		t0 = rte_rdtsc_precise();
		for (unsigned int i = 0; i < 32 * CEILING_LINES; i++)
			rte_prefetch0(addr[i]);
		for (unsigned int i = 0; i < 32 * CEILING_LINES; i++)
			sum += *(const uint64_t *)addr[i];
		cycles += rte_rdtsc_precise() - t0;
		sink += sum;
	}
	rte_free(mem);
	(void)sink;
	return (double)cycles / (double)packets;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "bench" };
	uint32_t sizes[8] = { 1000, 100000, 1000000 };
	unsigned int n_sizes = 3;
	uint64_t packets = 4000000;
	size_t base_alloc;

	if (h_eal_init(argv[0], "0-1", 3072) < 0 || h_ports_create(&H, names, 1) != 0) {
		fprintf(stderr, "bench_relay: EAL or ring port setup failed\n");
		return 1;
	}
	if (argc > 1) {
		n_sizes = 0;
		for (int i = 1; i < argc && n_sizes < 8; i++) {
			if (strcmp(argv[i], "--packets") == 0 && i + 1 < argc)
				packets = strtoull(argv[++i], NULL, 10);
			else
				sizes[n_sizes++] = (uint32_t)strtoul(argv[i], NULL, 10);
		}
	}
	/* Marginal memory per stream: heap growth against a 64-stream table. */
	{
		unsigned int n_if;
		char *y = make_config(64, &n_if);

		if (h_dp_create(&H, y, NULL) != 0)
			return 1;
		base_alloc = heap_allocated();
		h_dp_destroy(&H);
		free(y);
	}
	for (unsigned int si = 0; si < n_sizes; si++) {
		uint32_t streams = sizes[si] & ~1u;
		unsigned int n_if;
		char *y = make_config(streams, &n_if);
		uint64_t out_relay = 0, out_ref = 0, c_relay, c_ref, warm = 0;
		double hz = (double)rte_get_tsc_hz(), cpp, ref_cpp, mpps, ref_mpps, ceiling_cpp;
		size_t alloc;

		if (h_dp_create(&H, y, NULL) != 0) {
			fprintf(stderr, "bench_relay: data plane for %u streams failed\n", streams);
			return 1;
		}
		alloc = heap_allocated();
		if (program(streams, n_if) != 0) {
			fprintf(stderr, "bench_relay: programming %u streams failed\n", streams);
			return 1;
		}
		/* Warm-up: every stream latches its source once. */
		run(streams, streams, false, &warm);
		c_relay = run(streams, packets, false, &out_relay);
		c_ref = run(streams, packets, true, &out_ref);
		ceiling_cpp = streams >= 100000 ?
			      memory_ceiling_cycles(alloc - base_alloc, packets / 4) : 0;
		cpp = (double)c_relay / (double)packets;
		ref_cpp = (double)c_ref / (double)packets;
		mpps = hz / cpp / 1e6;
		ref_mpps = hz / ref_cpp / 1e6;
		printf("relay streams=%u pps=%.0f Mpps_per_core=%.2f cycles_per_pkt=%.1f "
		       "reference_Mpps=%.2f ratio=%.2f bytes_per_stream=%.0f relayed=%" PRIu64
		       " sent=%" PRIu64,
		       streams, mpps * 1e6, mpps, cpp, ref_mpps, mpps / ref_mpps,
		       (double)(alloc - base_alloc) / (double)(streams - 64 > 0 ? streams - 64 : 1),
		       out_relay, packets);
		/* Only meaningful once the table is far larger than the caches. */
		if (ceiling_cpp > 0)
			printf(" memory_ceiling_Mpps=%.2f ceiling_cycles_per_pkt=%.1f "
			       "ceiling_lines_per_pkt=%d", hz / ceiling_cpp / 1e6, ceiling_cpp,
			       CEILING_LINES);
		printf("\n");
		fflush(stdout);
		if (out_relay != packets) {
			struct sbc_dp_counters c;

			fprintf(stderr, "bench_relay: %" PRIu64 " of %" PRIu64 " packets relayed;",
				out_relay, packets);
			sbc_dp_counters(H.dp, &c);
			for (unsigned int r = 0; r < SBC_DROP__COUNT; r++)
				if (c.drops[r])
					fprintf(stderr, " %s=%" PRIu64, sbc_drop_reason_name(r), c.drops[r]);
			fprintf(stderr, "\n");
		}
		free(eps);
		eps = NULL;
		h_dp_destroy(&H);
		free(y);
	}
	sbc_dp_eal_cleanup();
	return 0;
}
