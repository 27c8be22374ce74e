/* SPDX-License-Identifier: BSD-3-Clause
 * Data plane test harness (see harness.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "harness.h"

int h_eal_init(const char *prog, const char *lcores, unsigned int mem_mb)
{
	char mem[16], prefix[64];
	/*
	 * RAMPART_HUGEPAGES=1 (set by scripts/bench.sh when hugepages are
	 * mounted) maps memory from hugepages, unlinked at once (--in-memory):
	 * nothing is left behind.  Otherwise plain 4 KiB pages.
	 */
	const char *huge = getenv("RAMPART_HUGEPAGES");
	char *argv[] = {
		(char *)prog, "-l", (char *)lcores,
		(huge && huge[0] == '1') ? "--in-memory" : "--no-huge", "-m", mem, "--no-pci",
		"--file-prefix", prefix, "--log-level", "lib.eal:error",
		"--log-level", "pmd.net.ring:error", NULL,
	};

	snprintf(mem, sizeof(mem), "%u", mem_mb);
	/* A per-process prefix: parallel test programs never share runtime files. */
	snprintf(prefix, sizeof(prefix), "rampart_test_%d", (int)getpid());
	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
}

int h_ports_create(struct h_ctx *h, const char *const names[], unsigned int n)
{
	char rname[RTE_RING_NAMESIZE], pname[64];

	h->mp = rte_pktmbuf_pool_create("h_pool", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	if (h->mp == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n && i < H_MAX_PORTS; i++) {
		struct h_port *p = &h->port[i];

		snprintf(rname, sizeof(rname), "h_rx_%s", names[i]);
		p->rx = rte_ring_create(rname, 8192, (int)rte_socket_id(), 0);
		for (unsigned int q = 0; q < H_TXQ; q++) {
			snprintf(rname, sizeof(rname), "h_tx%u_%s", q, names[i]);
			p->tx[q] = rte_ring_create(rname, 8192, (int)rte_socket_id(), 0);
		}
		if (p->rx == NULL)
			return -ENOMEM;
		for (unsigned int q = 0; q < H_TXQ; q++)
			if (p->tx[q] == NULL)
				return -ENOMEM;
		/* The ring PMD names the port "net_ring_<name>". */
		snprintf(pname, sizeof(pname), "%s", names[i]);
		int id = rte_eth_from_rings(pname, &p->rx, 1, p->tx, H_TXQ,
					    (unsigned int)rte_socket_id());

		if (id < 0)
			return -EINVAL;
		p->port_id = (uint16_t)id;
		/* Configure like a NIC: 1 RX queue, TX queues for worker + main. */
		{
			struct rte_eth_conf conf = { 0 };

			if (rte_eth_dev_configure(p->port_id, 1, H_TXQ, &conf) != 0 ||
			    rte_eth_rx_queue_setup(p->port_id, 0, 1024, (unsigned int)rte_socket_id(),
						   NULL, h->mp) != 0)
				return -EIO;
			for (uint16_t q = 0; q < H_TXQ; q++)
				if (rte_eth_tx_queue_setup(p->port_id, q, 1024,
							   (unsigned int)rte_socket_id(), NULL) != 0)
					return -EIO;
			if (rte_eth_dev_start(p->port_id) != 0)
				return -EIO;
		}
		rte_eth_macaddr_get(p->port_id, &p->mac);
		h->n_ports = i + 1;
	}
	return 0;
}

int h_dp_create(struct h_ctx *h, const char *yaml, const char *api_socket)
{
	struct sbc_dp_options opt = {
		.no_port_start = true,
		.no_api_socket = api_socket == NULL,
		.api_socket = api_socket,
	};
	struct sbc_config_errors errs;
	char path[] = "/tmp/rampart-h-XXXXXX.yaml";
	int fd = mkstemps(path, 5);

	if (fd < 0 || write(fd, yaml, strlen(yaml)) != (ssize_t)strlen(yaml))
		return -EIO;
	close(fd);
	if (sbc_config_load(path, &h->cfg, &errs) != 0) {
		sbc_config_errors_print(&errs, stderr);
		unlink(path);
		return -EINVAL;
	}
	unlink(path);
	h->dp = sbc_dp_create(h->cfg, &opt);
	if (h->dp == NULL)
		return -EINVAL;
	h->w = sbc_dp_worker(h->dp, 0);
	rte_rcu_qsbr_thread_online(h->w->qsbr, h->w->id);
	return 0;
}

void h_dp_destroy(struct h_ctx *h)
{
	if (h->dp) {
		rte_rcu_qsbr_thread_offline(h->w->qsbr, h->w->id);
		sbc_dp_destroy(h->dp);
	}
	sbc_config_free(h->cfg);
	h->dp = NULL;
	h->cfg = NULL;
}

/* Plain checksum over a buffer, computed here independently of the DUT. */
static uint32_t sum16(const uint8_t *p, uint32_t len, uint32_t sum)
{
	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t h_build_udp(uint8_t *buf, const struct h_udp *u)
{
	uint32_t l3 = u->family == 4 ? 20 : 40, ulen = 8 + u->plen, off = 14, sum;
	uint8_t *ip = buf + 14, *udp;
	uint16_t c;

	memcpy(buf, &u->dst_mac, 6);
	memcpy(buf + 6, &u->src_mac, 6);
	buf[12] = u->family == 4 ? 0x08 : 0x86;
	buf[13] = u->family == 4 ? 0x00 : 0xdd;
	if (u->family == 4) {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		ip[2] = (uint8_t)((20 + ulen) >> 8);
		ip[3] = (uint8_t)(20 + ulen);
		ip[6] = 0x40;  /* DF */
		ip[8] = u->ttl;
		ip[9] = 17;
		memcpy(ip + 12, u->src_ip, 4);
		memcpy(ip + 16, u->dst_ip, 4);
		c = fold(sum16(ip, 20, 0));
		ip[10] = (uint8_t)(c >> 8);
		ip[11] = (uint8_t)c;
	} else {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[4] = (uint8_t)(ulen >> 8);
		ip[5] = (uint8_t)ulen;
		ip[6] = 17;
		ip[7] = u->ttl;
		memcpy(ip + 8, u->src_ip, 16);
		memcpy(ip + 24, u->dst_ip, 16);
	}
	off += l3;
	udp = buf + off;
	udp[0] = (uint8_t)(u->sport >> 8);
	udp[1] = (uint8_t)u->sport;
	udp[2] = (uint8_t)(u->dport >> 8);
	udp[3] = (uint8_t)u->dport;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	udp[6] = udp[7] = 0;
	memcpy(udp + 8, u->payload, u->plen);
	/* Pseudo-header + UDP. */
	if (u->family == 4)
		sum = sum16(ip + 12, 8, 0);
	else
		sum = sum16(ip + 8, 32, 0);
	sum += 17 + ulen;
	sum = sum16(udp, ulen, sum);
	c = fold(sum);
	if (c == 0)
		c = 0xffff;
	udp[6] = (uint8_t)(c >> 8);
	udp[7] = (uint8_t)c;
	return off + ulen;
}

uint32_t h_build_rtp(uint8_t *buf, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
		     uint32_t datalen, uint8_t fill)
{
	buf[0] = 0x80;
	buf[1] = pt;
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	buf[4] = (uint8_t)(ts >> 24);
	buf[5] = (uint8_t)(ts >> 16);
	buf[6] = (uint8_t)(ts >> 8);
	buf[7] = (uint8_t)ts;
	buf[8] = (uint8_t)(ssrc >> 24);
	buf[9] = (uint8_t)(ssrc >> 16);
	buf[10] = (uint8_t)(ssrc >> 8);
	buf[11] = (uint8_t)ssrc;
	for (uint32_t i = 0; i < datalen; i++)
		buf[12 + i] = (uint8_t)(fill + i);
	return 12 + datalen;
}

void h_inject(struct h_ctx *h, unsigned int port, const uint8_t *frame, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->mp);
	char *d;

	if (m == NULL)
		abort();
	d = rte_pktmbuf_append(m, (uint16_t)len);
	if (len > 0 && d == NULL)
		abort();
	if (len > 0)
		memcpy(d, frame, len);
	/* A NIC's PMD stamps the input port; the ring PMD does not. */
	m->port = h->port[port].port_id;
	if (rte_ring_enqueue(h->port[port].rx, m) != 0)
		abort();
}

void h_run(struct h_ctx *h)
{
	while (sbc_worker_poll(h->w) != 0)
		;
	sbc_worker_flush(h->w);
	sbc_dp_main_poll(h->dp, 0);
}

struct rte_mbuf *h_take(struct h_ctx *h, unsigned int port, unsigned int q)
{
	void *m;

	if (rte_ring_dequeue(h->port[port].tx[q], &m) != 0)
		return NULL;
	return m;
}

unsigned int h_drain(struct h_ctx *h, unsigned int port, unsigned int q)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while ((m = h_take(h, port, q)) != NULL) {
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

static int h_call(struct h_ctx *h, void *req, size_t len, void *resp)
{
	struct sbc_api_hdr rh;
	size_t rlen = sbc_dp_api_handle(h->dp, req, len, resp);

	if (rlen < sizeof(rh) || sbc_api_decode(resp, rlen) != SBC_API_OK)
		return -1;
	memcpy(&rh, resp, sizeof(rh));
	return rh.status;
}

int h_alloc_batch(struct h_ctx *h, const struct sbc_api_alloc_item *items, uint32_t n,
		  struct sbc_api_alloc_resp *out)
{
	struct sbc_api_alloc_req rq;
	static _Alignas(8) uint8_t resp[SBC_API_MSG_MAX];
	int st;

	sbc_api_init(&rq, SBC_API_ALLOC_REQ, ++h->next_req);
	rq.count = n;
	memcpy(rq.item, items, sizeof(*items) * (n < SBC_API_ALLOC_MAX ? n : SBC_API_ALLOC_MAX));
	st = h_call(h, &rq, sizeof(rq), resp);
	if (st == SBC_API_OK && out)
		memcpy(out, resp, sizeof(*out));
	return st;
}

void h_alloc_item(struct sbc_api_alloc_item *it, const char *iface, uint8_t family, bool mux)
{
	memset(it, 0, sizeof(*it));
	snprintf(it->iface, sizeof(it->iface), "%s", iface);
	it->family = family == 4 ? SBC_API_AF_INET : SBC_API_AF_INET6;
	it->rtcp_mux = mux;
}

int h_alloc(struct h_ctx *h, const char *iface, uint8_t family, bool mux,
	    struct sbc_api_alloc_ep *out)
{
	struct sbc_api_alloc_item it;
	struct sbc_api_alloc_resp r;
	int st;

	h_alloc_item(&it, iface, family, mux);
	st = h_alloc_batch(h, &it, 1, &r);
	if (st == SBC_API_OK && out)
		*out = r.ep[0];
	return st;
}

int h_bind(struct h_ctx *h, const struct sbc_api_leg *a, const struct sbc_api_leg *b,
	   uint32_t timeout_ms, uint32_t *session_id)
{
	struct sbc_api_bind_req rq;
	static _Alignas(8) uint8_t resp[SBC_API_MSG_MAX];
	int st;

	sbc_api_init(&rq, SBC_API_BIND_REQ, ++h->next_req);
	rq.leg[0] = *a;
	rq.leg[1] = *b;
	rq.media_timeout_ms = timeout_ms;
	st = h_call(h, &rq, sizeof(rq), resp);
	if (st == SBC_API_OK && session_id)
		*session_id = ((struct sbc_api_bind_resp *)resp)->session_id;
	return st;
}

int h_update(struct h_ctx *h, uint32_t session_id, uint32_t what,
	     const struct sbc_api_leg *a, const struct sbc_api_leg *b)
{
	struct sbc_api_update_req rq;
	static _Alignas(8) uint8_t resp[SBC_API_MSG_MAX];

	sbc_api_init(&rq, SBC_API_UPDATE_REQ, ++h->next_req);
	rq.session_id = session_id;
	rq.what = what;
	if (a)
		rq.leg[0] = *a;
	if (b)
		rq.leg[1] = *b;
	return h_call(h, &rq, sizeof(rq), resp);
}

int h_release(struct h_ctx *h, uint32_t session_id, uint32_t endpoint_id)
{
	struct sbc_api_release_req rq;
	static _Alignas(8) uint8_t resp[SBC_API_MSG_MAX];

	sbc_api_init(&rq, SBC_API_RELEASE_REQ, ++h->next_req);
	rq.session_id = session_id;
	rq.endpoint_id = endpoint_id;
	return h_call(h, &rq, sizeof(rq), resp);
}

int h_release_flags(struct h_ctx *h, uint32_t session_id, uint32_t endpoint_id, uint32_t flags,
		    void *resp)
{
	struct sbc_api_release_req rq;

	sbc_api_init(&rq, SBC_API_RELEASE_REQ, ++h->next_req);
	rq.session_id = session_id;
	rq.endpoint_id = endpoint_id;
	rq.flags = flags;
	return h_call(h, &rq, sizeof(rq), resp);
}

int h_stats(struct h_ctx *h, uint32_t session_id, struct sbc_api_stats_resp *out)
{
	struct sbc_api_stats_req rq;
	static _Alignas(8) uint8_t resp[SBC_API_MSG_MAX];
	int st;

	sbc_api_init(&rq, SBC_API_STATS_REQ, ++h->next_req);
	rq.session_id = session_id;
	st = h_call(h, &rq, sizeof(rq), resp);
	if (st == SBC_API_OK)
		memcpy(out, resp, sizeof(*out));
	return st;
}

void h_leg(struct sbc_api_leg *leg, uint32_t endpoint_id, uint8_t family, const uint8_t *ip,
	   uint16_t port, uint8_t latching, uint8_t flags)
{
	memset(leg, 0, sizeof(*leg));
	leg->endpoint_id = endpoint_id;
	leg->remote.family = family == 4 ? SBC_API_AF_INET : SBC_API_AF_INET6;
	memcpy(leg->remote.ip, ip, family == 4 ? 4 : 16);
	leg->remote.port = port;
	leg->remote_rtcp_port = port ? (uint16_t)(port + 1) : 0;
	leg->latching = latching;
	leg->flags = flags;
	leg->relearn_gap_ms = 1000;
}

uint64_t h_drops(struct h_ctx *h, unsigned int reason)
{
	struct sbc_dp_counters c;

	sbc_dp_counters(h->dp, &c);
	return c.drops[reason];
}

void h_arp_reply(struct h_ctx *h, unsigned int port, const uint8_t *ip4,
		 const struct rte_ether_addr *mac, const uint8_t *target_ip4)
{
	uint8_t f[42];

	memcpy(f, &h->port[port].mac, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	f[14] = 0; f[15] = 1;          /* Ethernet */
	f[16] = 0x08; f[17] = 0x00;    /* IPv4 */
	f[18] = 6; f[19] = 4;
	f[20] = 0; f[21] = 2;          /* reply */
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, ip4, 4);
	memcpy(f + 32, &h->port[port].mac, 6);
	memcpy(f + 38, target_ip4, 4);
	h_inject(h, port, f, sizeof(f));
}

void h_na(struct h_ctx *h, unsigned int port, const uint8_t *ip6,
	  const struct rte_ether_addr *mac, const uint8_t *target_ip6)
{
	uint8_t f[14 + 40 + 32];
	uint8_t *ip = f + 14, *icmp = f + 54;
	uint32_t sum;
	uint16_t c;

	memcpy(f, &h->port[port].mac, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[5] = 32;
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, ip6, 16);
	memcpy(ip + 24, target_ip6, 16);
	memset(icmp, 0, 32);
	icmp[0] = 136;                 /* neighbour advertisement */
	icmp[4] = 0x60;                /* solicited + override */
	memcpy(icmp + 8, ip6, 16);
	icmp[24] = 2;                  /* target link-layer address option */
	icmp[25] = 1;
	memcpy(icmp + 26, mac, 6);
	sum = sum16(ip + 8, 32, 0) + 58 + 32;
	sum = sum16(icmp, 32, sum);
	c = fold(sum);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	h_inject(h, port, f, sizeof(f));
}
