/* SPDX-License-Identifier: BSD-3-Clause
 * The seed corpus of fuzz_api (tests/fuzz/corpus/api/): one valid message
 * of every type of SBC_API_MESSAGES, built with sbc_api_init() and filled
 * so that sbc_api_decode() accepts it (ALLOC with two items, BIND and
 * UPDATE with addresses, SRTP keys, payload-type maps and learn scopes,
 * DUMP_RESP with records, ...), so that the fuzzer starts past the header
 * checks.  Each is checked with sbc_api_decode() before it is written.
 *
 *   fuzz_api_seeds DIR            write the seeds into DIR (after an API change:
 *                                 build/tests/fuzz/fuzz_api_seeds tests/fuzz/corpus/api)
 *   fuzz_api_seeds --compare DIR  exit 1 when DIR's seeds differ from what would be
 *                                 written (meson test fuzz-api-seeds: a layout or
 *                                 version change that left the corpus stale)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbc_api.h"

static bool compare;
static const char *dir;
static int failures;

static void set_addr(struct sbc_api_addr *a, uint8_t family, uint16_t port, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	a->port = port;
	if (family == SBC_API_AF_INET) {
		a->ip[0] = 198;
		a->ip[1] = 18;
		a->ip[3] = last;
	} else if (family == SBC_API_AF_INET6) {
		a->ip[0] = 0x20;
		a->ip[1] = 0x01;
		a->ip[2] = 0x0d;
		a->ip[3] = 0xb8;
		a->ip[15] = last;
	}
}

static void set_leg(struct sbc_api_leg *l, uint32_t ep, uint8_t family, uint8_t suite)
{
	memset(l, 0, sizeof(*l));
	l->endpoint_id = ep;
	set_addr(&l->remote, family, (uint16_t)(30000 + 2 * ep), (uint8_t)ep);
	l->remote_rtcp_port = (uint16_t)(30001 + 2 * ep);
	l->latching = SBC_API_LATCH_LEARN;
	l->flags = SBC_API_LEG_RECV | SBC_API_LEG_SEND;
	l->relearn_gap_ms = 2000;
	l->srtp_in.suite = suite;
	l->srtp_out.suite = suite;
	for (unsigned int i = 0; i < sizeof(l->srtp_in.master_key); i++)
		l->srtp_in.master_key[i] = l->srtp_out.master_key[i] = (uint8_t)(i + ep);
	for (unsigned int i = 0; i < sizeof(l->srtp_in.master_salt); i++)
		l->srtp_in.master_salt[i] = l->srtp_out.master_salt[i] = (uint8_t)(0x40 + i);
	l->n_pt_map = 3;
	l->pt_map[0] = (struct sbc_api_pt_map){ 0, 0 };
	l->pt_map[1] = (struct sbc_api_pt_map){ 8, 8 };
	l->pt_map[2] = (struct sbc_api_pt_map){ 96, 101 };
	l->learn_prefix = family == SBC_API_AF_INET ? 24 : 64;
	set_addr(&l->learn_from, family, 0, 0);
}

static void emit(const char *name, const void *msg)
{
	struct sbc_api_hdr hdr;
	char path[4096];
	static unsigned char old[SBC_API_MSG_MAX + 1];
	size_t n;
	FILE *f;
	int st;

	memcpy(&hdr, msg, sizeof(hdr));
	st = sbc_api_decode(msg, hdr.size);
	if (st != SBC_API_OK) {
		fprintf(stderr, "fuzz_api_seeds: %s does not decode: %s\n", name,
			sbc_api_status_str(st));
		failures++;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (compare) {
		f = fopen(path, "rb");
		n = f != NULL ? fread(old, 1, sizeof(old), f) : 0;
		if (f != NULL)
			fclose(f);
		if (f == NULL || n != hdr.size || memcmp(old, msg, n) != 0) {
			fprintf(stderr, "fuzz_api_seeds: %s is stale (rerun fuzz_api_seeds %s)\n",
				path, dir);
			failures++;
		}
		return;
	}
	f = fopen(path, "wb");
	if (f == NULL || fwrite(msg, 1, hdr.size, f) != hdr.size || fclose(f) != 0) {
		perror(path);
		failures++;
	}
}

int main(int argc, char **argv)
{
	static union {
		struct sbc_api_hello_req hello_req;
		struct sbc_api_hello_resp hello_resp;
		struct sbc_api_status_resp status_resp;
		struct sbc_api_alloc_req alloc_req;
		struct sbc_api_alloc_resp alloc_resp;
		struct sbc_api_bind_req bind_req;
		struct sbc_api_bind_resp bind_resp;
		struct sbc_api_update_req update_req;
		struct sbc_api_release_req release_req;
		struct sbc_api_dump_req dump_req;
		struct sbc_api_dump_resp dump_resp;
		struct sbc_api_stats_req stats_req;
		struct sbc_api_stats_resp stats_resp;
		struct sbc_api_event event;
	} u;

	if (argc == 3 && strcmp(argv[1], "--compare") == 0) {
		compare = true;
		dir = argv[2];
	} else if (argc == 2 && argv[1][0] != '-') {
		dir = argv[1];
	} else {
		fprintf(stderr, "usage: %s [--compare] DIR\n", argv[0]);
		return 2;
	}

	sbc_api_init(&u, SBC_API_HELLO_REQ, 1);
	u.hello_req.client_version = SBC_API_VERSION;
	emit("hello-req", &u);

	sbc_api_init(&u, SBC_API_HELLO_RESP, 1);
	u.hello_resp.server_version = SBC_API_VERSION;
	u.hello_resp.n_workers = 2;
	u.hello_resp.max_streams = 4096;
	u.hello_resp.free_streams = 4000;
	emit("hello-resp", &u);

	sbc_api_init(&u, SBC_API_STATUS_RESP, 7);
	u.status_resp.hdr.status = SBC_API_ENOSPC;
	emit("status-resp", &u);

	sbc_api_init(&u, SBC_API_ALLOC_REQ, 2);
	u.alloc_req.count = 2;
	strcpy(u.alloc_req.item[0].iface, "media0");
	u.alloc_req.item[0].family = SBC_API_AF_INET;
	strcpy(u.alloc_req.item[1].iface, "media1");
	u.alloc_req.item[1].family = SBC_API_AF_INET6;
	u.alloc_req.item[1].rtcp_mux = 1;
	u.alloc_req.item[1].port = 40000;
	emit("alloc-req", &u);

	sbc_api_init(&u, SBC_API_ALLOC_RESP, 2);
	u.alloc_resp.count = 2;
	u.alloc_resp.ep[0].endpoint_id = 1;
	set_addr(&u.alloc_resp.ep[0].local, SBC_API_AF_INET, 20000, 1);
	u.alloc_resp.ep[0].local_rtcp_port = 20001;
	u.alloc_resp.ep[1].endpoint_id = 2;
	set_addr(&u.alloc_resp.ep[1].local, SBC_API_AF_INET6, 40000, 1);
	u.alloc_resp.ep[1].local_rtcp_port = 40000;
	emit("alloc-resp", &u);

	sbc_api_init(&u, SBC_API_BIND_REQ, 3);
	set_leg(&u.bind_req.leg[0], 1, SBC_API_AF_INET, SBC_API_SRTP_NONE);
	set_leg(&u.bind_req.leg[1], 2, SBC_API_AF_INET6, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80);
	u.bind_req.leg[1].flags |= SBC_API_LEG_RTCP_MUX;
	u.bind_req.leg[1].remote_rtcp_port = 0;
	u.bind_req.media_timeout_ms = 30000;
	emit("bind-req", &u);

	sbc_api_init(&u, SBC_API_BIND_RESP, 3);
	u.bind_resp.session_id = 1;
	emit("bind-resp", &u);

	sbc_api_init(&u, SBC_API_UPDATE_REQ, 4);
	u.update_req.session_id = 1;
	u.update_req.what = SBC_API_UPDATE_ALL;
	set_leg(&u.update_req.leg[0], 1, SBC_API_AF_INET, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32);
	set_leg(&u.update_req.leg[1], 2, SBC_API_AF_INET, SBC_API_SRTP_NONE);
	u.update_req.leg[1].latching = SBC_API_LATCH_RELEARN;
	u.update_req.leg[1].flags = SBC_API_LEG_RECV;
	u.update_req.media_timeout_ms = 60000;
	emit("update-req", &u);

	sbc_api_init(&u, SBC_API_RELEASE_REQ, 5);
	u.release_req.session_id = 1;
	u.release_req.flags = SBC_API_RELEASE_STATS;
	emit("release-req-stats", &u);

	sbc_api_init(&u, SBC_API_RELEASE_REQ, 6);
	u.release_req.endpoint_id = 2;
	emit("release-req-endpoint", &u);

	sbc_api_init(&u, SBC_API_DUMP_REQ, 7);
	u.dump_req.max = SBC_API_DUMP_MAX;
	emit("dump-req", &u);

	sbc_api_init(&u, SBC_API_DUMP_RESP, 7);
	u.dump_resp.next_cursor = 3;
	u.dump_resp.count = 2;
	for (unsigned int i = 0; i < 2; i++) {
		u.dump_resp.streams[i].session_id = 1;
		u.dump_resp.streams[i].endpoint_id = i + 1;
		set_addr(&u.dump_resp.streams[i].local, SBC_API_AF_INET, (uint16_t)(20000 + 2 * i), 1);
		set_addr(&u.dump_resp.streams[i].remote, SBC_API_AF_INET, 30000, (uint8_t)(i + 2));
		u.dump_resp.streams[i].latched = 1;
		u.dump_resp.streams[i].flags = SBC_API_LEG_RECV | SBC_API_LEG_SEND;
		u.dump_resp.streams[i].packets = 1000;
		u.dump_resp.streams[i].bytes = 172000;
	}
	emit("dump-resp", &u);

	sbc_api_init(&u, SBC_API_STATS_REQ, 8);
	u.stats_req.session_id = 1;
	emit("stats-req", &u);

	sbc_api_init(&u, SBC_API_STATS_RESP, 8);
	u.stats_resp.session_id = 1;
	u.stats_resp.leg[0].packets = 500;
	u.stats_resp.leg[0].drops[SBC_DROP_WRONG_SOURCE] = 3;
	set_addr(&u.stats_resp.leg[0].source, SBC_API_AF_INET, 30002, 2);
	set_addr(&u.stats_resp.leg[1].source, SBC_API_AF_INET6, 30004, 4);
	emit("stats-resp", &u);

	sbc_api_init(&u, SBC_API_EVENT, 0);
	u.event.kind = SBC_API_EV_SOURCE_CHANGED;
	u.event.session_id = 1;
	u.event.endpoint_id = 2;
	set_addr(&u.event.addr, SBC_API_AF_INET, 30010, 9);
	emit("event-source-changed", &u);

	return failures == 0 ? 0 : 1;
}
