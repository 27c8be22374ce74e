/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for common/api.c: size table, encode/decode round trips,
 * truncation, header and field validation, and a fuzz loop meant to be run
 * under ASan (every decoded buffer is malloc'd at exactly its length).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "cunit_run.h"

#include "sbc_api.h"

#define FUZZ_ITERATIONS 200000
#define FUZZ_SEED       0x52414d50u

/* Aligned scratch big enough for any message, plus room to go oversized. */
union test_msg {
	struct sbc_api_hdr hdr;
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
	unsigned char bytes[SBC_API_MSG_MAX + 16];
};

static const unsigned int all_types[] = {
#define SBC_X_TYPE(e, v, s, r) SBC_API_##e,
	SBC_API_MESSAGES(SBC_X_TYPE)
#undef SBC_X_TYPE
};
#define N_TYPES (sizeof(all_types) / sizeof(all_types[0]))

static void
fill_addr4(struct sbc_api_addr *a, uint8_t last, uint16_t port)
{
	a->family = SBC_API_AF_INET;
	a->port = port;
	a->ip[0] = 198;
	a->ip[1] = 18;
	a->ip[2] = 0;
	a->ip[3] = last;
}

static void
fill_addr6(struct sbc_api_addr *a, uint8_t last, uint16_t port)
{
	static const uint8_t prefix[] = { 0x20, 0x01, 0x0d, 0xb8 };

	a->family = SBC_API_AF_INET6;
	a->port = port;
	memcpy(a->ip, prefix, sizeof(prefix));
	a->ip[15] = last;
}

static void
fill_srtp(struct sbc_api_srtp *s, uint8_t suite, uint8_t seed)
{
	unsigned int i;

	s->suite = suite;
	for (i = 0; i < sizeof(s->master_key); i++)
		s->master_key[i] = (uint8_t)(seed + i);
	for (i = 0; i < sizeof(s->master_salt); i++)
		s->master_salt[i] = (uint8_t)(seed ^ (i * 7));
}

static void
fill_leg(struct sbc_api_leg *leg, uint32_t endpoint_id, int v6)
{
	unsigned int i;

	leg->endpoint_id = endpoint_id;
	if (v6)
		fill_addr6(&leg->remote, 0x11, 30000);
	else
		fill_addr4(&leg->remote, 7, 5004);
	leg->remote_rtcp_port = v6 ? 30001 : 5005;
	leg->latching = v6 ? SBC_API_LATCH_RELEARN : SBC_API_LATCH_LEARN;
	leg->flags = SBC_API_LEG_FLAGS_ALL;
	leg->relearn_gap_ms = 2500;
	fill_srtp(&leg->srtp_in, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80, 0x30);
	fill_srtp(&leg->srtp_out, SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32, 0x90);
	leg->n_pt_map = SBC_API_PT_MAP_MAX;
	for (i = 0; i < SBC_API_PT_MAP_MAX; i++) {
		leg->pt_map[i].from = (uint8_t)(96 + i);
		leg->pt_map[i].to = (uint8_t)(127 - i);
	}
}

/*
 * Build a valid message of @type with non-zero values in (nearly) every
 * field.  Returns its size, or 0 for a type this test does not know, so a
 * type added to SBC_API_MESSAGES without a test case fails the round trip.
 */
static size_t
fill_valid(union test_msg *m, unsigned int type, uint32_t request_id)
{
	ssize_t size = sbc_api_init(m, type, request_id);
	unsigned int i;

	if (size <= 0)
		return 0;

	switch (type) {
	case SBC_API_HELLO_REQ:
		m->hello_req.client_version = SBC_API_VERSION;
		break;
	case SBC_API_HELLO_RESP:
		m->hello_resp.server_version = SBC_API_VERSION;
		m->hello_resp.n_workers = 4;
		m->hello_resp.max_streams = 65536;
		m->hello_resp.free_streams = 65000;
		break;
	case SBC_API_STATUS_RESP:
		m->hdr.status = SBC_API_ENOSPC;
		break;
	case SBC_API_ALLOC_REQ:
		m->alloc_req.count = SBC_API_ALLOC_MAX;
		for (i = 0; i < SBC_API_ALLOC_MAX; i++) {
			struct sbc_api_alloc_item *it = &m->alloc_req.item[i];

			snprintf(it->iface, sizeof(it->iface), "public%u", i);
			it->family = i & 1 ? SBC_API_AF_INET : SBC_API_AF_INET6;
			it->rtcp_mux = i & 1;
		}
		break;
	case SBC_API_ALLOC_RESP:
		m->alloc_resp.count = SBC_API_ALLOC_MAX;
		for (i = 0; i < SBC_API_ALLOC_MAX; i++) {
			struct sbc_api_alloc_ep *ep = &m->alloc_resp.ep[i];

			ep->endpoint_id = 0x1001 + i;
			if (i & 1)
				fill_addr6(&ep->local, (uint8_t)i, (uint16_t)(40000 + 2 * i));
			else
				fill_addr4(&ep->local, 1, (uint16_t)(40000 + 2 * i));
			ep->local_rtcp_port = (uint16_t)(40001 + 2 * i);
		}
		break;
	case SBC_API_BIND_REQ:
		fill_leg(&m->bind_req.leg[0], 0x1001, 0);
		fill_leg(&m->bind_req.leg[1], 0x1002, 1);
		m->bind_req.media_timeout_ms = 60000;
		break;
	case SBC_API_BIND_RESP:
		m->bind_resp.session_id = 0xabcdef;
		break;
	case SBC_API_UPDATE_REQ:
		m->update_req.session_id = 0xabcdef;
		m->update_req.what = SBC_API_UPDATE_ALL;
		fill_leg(&m->update_req.leg[0], 0x1001, 1);
		fill_leg(&m->update_req.leg[1], 0x1002, 0);
		m->update_req.media_timeout_ms = 30000;
		break;
	case SBC_API_RELEASE_REQ:
		m->release_req.session_id = 0xabcdef;
		m->release_req.endpoint_id = 0x1001;
		m->release_req.flags = SBC_API_RELEASE_STATS;
		break;
	case SBC_API_DUMP_REQ:
		m->dump_req.cursor = 77;
		m->dump_req.max = SBC_API_DUMP_MAX;
		break;
	case SBC_API_DUMP_RESP:
		m->dump_resp.next_cursor = 109;
		m->dump_resp.count = SBC_API_DUMP_MAX;
		for (i = 0; i < SBC_API_DUMP_MAX; i++) {
			struct sbc_api_stream_info *s = &m->dump_resp.streams[i];

			s->session_id = 100 + i;
			s->endpoint_id = 200 + i;
			fill_addr4(&s->local, 1, (uint16_t)(40000 + 2 * i));
			fill_addr6(&s->remote, (uint8_t)i, (uint16_t)(50000 + i));
			s->latching = SBC_API_LATCH_LEARN;
			s->latched = 1;
			s->flags = SBC_API_LEG_RECV | SBC_API_LEG_SEND;
			s->srtp = 1;
			s->packets = 1000000ull + i;
			s->bytes = 172000000ull + i;
			s->drops = 3 + i;
			s->last_seen_ms = 123456789ull + i;
		}
		break;
	case SBC_API_STATS_REQ:
		m->stats_req.session_id = 0xabcdef;
		break;
	case SBC_API_STATS_RESP:
		m->stats_resp.session_id = 0xabcdef;
		for (i = 0; i < 2; i++) {
			struct sbc_api_leg_stats *l = &m->stats_resp.leg[i];
			unsigned int d;

			l->packets = 5000 + i;
			l->bytes = 860000 + i;
			l->last_seen_ms = 999 + i;
			for (d = 0; d < SBC_API_DROPS_MAX; d++)
				l->drops[d] = d + 1;
			l->ssrc = 0xdeadbeef - i;
			l->lost = 12;
			l->jitter_us = 1800;
			fill_addr4(&l->source, (uint8_t)(9 + i), 5004);
		}
		break;
	case SBC_API_EVENT:
		m->event.kind = SBC_API_EV_SOURCE_CHANGED;
		m->event.session_id = 0xabcdef;
		m->event.endpoint_id = 0x1002;
		m->event.count = 1;
		fill_addr6(&m->event.addr, 0x42, 5006);
		break;
	default:
		return 0;
	}
	return (size_t)size;
}

/* Decode a copy of @msg's first @len bytes in a buffer of exactly @len bytes. */
static int
decode_exact(const void *msg, size_t len)
{
	/* malloc(0) may return NULL; decode must not touch the buffer then anyway. */
	unsigned char *buf = malloc(len ? len : 1);
	int rc;

	CU_ASSERT_FATAL(buf != NULL);
	memcpy(buf, msg, len);
	rc = sbc_api_decode(buf, len);
	free(buf);
	return rc;
}

static void
test_selfcheck(void)
{
	CU_ASSERT_EQUAL(sbc_api_selfcheck(), 0);
}

static void
test_tables(void)
{
	CU_ASSERT_STRING_EQUAL(sbc_api_type_name(SBC_API_ALLOC_REQ), "ALLOC_REQ");
	CU_ASSERT_STRING_EQUAL(sbc_api_type_name(SBC_API_EVENT), "EVENT");
	CU_ASSERT_STRING_EQUAL(sbc_api_type_name(0), "unknown");
	CU_ASSERT_STRING_EQUAL(sbc_api_type_name(SBC_API_TYPE__END), "unknown");
	CU_ASSERT_EQUAL(sbc_api_msg_size(SBC_API_BIND_REQ), sizeof(struct sbc_api_bind_req));
	CU_ASSERT_EQUAL(sbc_api_msg_size(SBC_API_DUMP_RESP), sizeof(struct sbc_api_dump_resp));
	CU_ASSERT_EQUAL(sbc_api_msg_size(0), 0);
	CU_ASSERT_EQUAL(sbc_api_msg_size(1000), 0);
	CU_ASSERT_EQUAL(sbc_api_is_request(SBC_API_UPDATE_REQ), 1);
	CU_ASSERT_EQUAL(sbc_api_is_request(SBC_API_STATS_RESP), 0);
	CU_ASSERT_EQUAL(sbc_api_is_request(SBC_API_EVENT), 0);
	CU_ASSERT_EQUAL(sbc_api_is_request(255), 0);
	CU_ASSERT_STRING_EQUAL(sbc_drop_reason_name(SBC_DROP_NO_STREAM), "no_stream");
	CU_ASSERT_STRING_EQUAL(sbc_drop_reason_name(SBC_DROP_HOST_IGNORED), "host_ignored");
	CU_ASSERT_STRING_EQUAL(sbc_drop_reason_name(SBC_DROP__COUNT), "unknown");
	CU_ASSERT_STRING_EQUAL(sbc_api_status_str(SBC_API_OK), "ok");
	CU_ASSERT_STRING_EQUAL(sbc_api_status_str(SBC_API_ESIZE),
			       "message size does not match its type");
	CU_ASSERT_STRING_EQUAL(sbc_api_status_str(-1), "unknown status");
	CU_ASSERT_STRING_EQUAL(sbc_api_status_str(SBC_API_STATUS__COUNT), "unknown status");
}

/* What a successful request is answered with; the one answer that depends on a flag. */
static void
test_answer_types(void)
{
	static const struct {
		unsigned int req, answer;
	} want[] = {
		{ SBC_API_HELLO_REQ, SBC_API_HELLO_RESP },
		{ SBC_API_ALLOC_REQ, SBC_API_ALLOC_RESP },
		{ SBC_API_BIND_REQ, SBC_API_BIND_RESP },
		{ SBC_API_UPDATE_REQ, SBC_API_STATUS_RESP },
		{ SBC_API_DUMP_REQ, SBC_API_DUMP_RESP },
		{ SBC_API_STATS_REQ, SBC_API_STATS_RESP },
	};
	union test_msg m;
	unsigned int i, n_req = 0;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		memset(&m, 0, sizeof(m));
		CU_ASSERT_FATAL(fill_valid(&m, want[i].req, 1) != 0);
		CU_ASSERT_EQUAL(sbc_api_answer_type(&m), want[i].answer);
	}
	memset(&m, 0, sizeof(m));
	fill_valid(&m, SBC_API_RELEASE_REQ, 1);
	CU_ASSERT_EQUAL(sbc_api_answer_type(&m), SBC_API_STATS_RESP);
	m.release_req.flags = 0;
	CU_ASSERT_EQUAL(sbc_api_answer_type(&m), SBC_API_STATUS_RESP);
	/* Every request has an answer that is not a request; nothing else has one. */
	for (i = 0; i < N_TYPES; i++) {
		unsigned int answer;

		memset(&m, 0, sizeof(m));
		CU_ASSERT_FATAL(fill_valid(&m, all_types[i], 1) != 0);
		answer = sbc_api_answer_type(&m);
		if (sbc_api_is_request(all_types[i])) {
			n_req++;
			CU_ASSERT(sbc_api_msg_size(answer) != 0);
			CU_ASSERT_EQUAL(sbc_api_is_request(answer), 0);
		} else {
			CU_ASSERT_EQUAL(answer, 0);
		}
	}
	CU_ASSERT_EQUAL(n_req, sizeof(want) / sizeof(want[0]) + 1);
	CU_ASSERT_EQUAL(sbc_api_answer_type(NULL), 0);
	m.hdr.type = 200;
	CU_ASSERT_EQUAL(sbc_api_answer_type(&m), 0);
}

static void
test_init(void)
{
	union test_msg m;
	struct sbc_api_hdr hdr;

	memset(&m, 0xa5, sizeof(m));
	CU_ASSERT_EQUAL(sbc_api_init(&m, SBC_API_RELEASE_REQ, 42),
			(ssize_t)sizeof(struct sbc_api_release_req));
	memcpy(&hdr, &m, sizeof(hdr));
	CU_ASSERT_EQUAL(hdr.magic, SBC_API_MAGIC);
	CU_ASSERT_EQUAL(hdr.version, SBC_API_VERSION);
	CU_ASSERT_EQUAL(hdr.type, SBC_API_RELEASE_REQ);
	CU_ASSERT_EQUAL(hdr.size, sizeof(struct sbc_api_release_req));
	CU_ASSERT_EQUAL(hdr.request_id, 42);
	CU_ASSERT_EQUAL(hdr.status, 0);
	CU_ASSERT_EQUAL(m.release_req.session_id, 0);
	CU_ASSERT_EQUAL(m.release_req.endpoint_id, 0);
	/* Nothing past the message is touched. */
	CU_ASSERT_EQUAL(m.bytes[sizeof(struct sbc_api_release_req)], 0xa5);

	CU_ASSERT_EQUAL(sbc_api_init(&m, 0, 1), -EINVAL);
	CU_ASSERT_EQUAL(sbc_api_init(&m, SBC_API_TYPE__END, 1), -EINVAL);
	CU_ASSERT_EQUAL(sbc_api_init(&m, 255, 1), -EINVAL);
}

static void
test_round_trip(void)
{
	unsigned int i;

	for (i = 0; i < N_TYPES; i++) {
		union test_msg m, copy;
		unsigned char *buf;
		size_t size;

		memset(&m, 0, sizeof(m));
		size = fill_valid(&m, all_types[i], 0x1000 + i);
		CU_ASSERT_EQUAL(size, sbc_api_msg_size(all_types[i]));
		if (size == 0) {
			fprintf(stderr, "no test case for type %s\n",
				sbc_api_type_name(all_types[i]));
			continue;
		}
		memcpy(&copy, &m, sizeof(copy));

		buf = malloc(size);
		CU_ASSERT_FATAL(buf != NULL);
		memcpy(buf, &m, size);
		CU_ASSERT_EQUAL(sbc_api_decode(buf, size), SBC_API_OK);
		CU_ASSERT_EQUAL(memcmp(buf, &copy, size), 0);
		free(buf);

		/* A bare init()'d message must be valid too, unless fields are required. */
		memset(&m, 0, sizeof(m));
		CU_ASSERT_EQUAL(sbc_api_init(&m, all_types[i], 7), (ssize_t)size);
		switch (all_types[i]) {
		case SBC_API_ALLOC_REQ:
		case SBC_API_ALLOC_RESP:
		case SBC_API_BIND_REQ:
		case SBC_API_UPDATE_REQ:
		case SBC_API_RELEASE_REQ:
		case SBC_API_DUMP_REQ:
		case SBC_API_EVENT:
			CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_EINVAL);
			break;
		default:
			CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_OK);
			break;
		}
	}
}

/* Decoding must not depend on the receive buffer's alignment. */
static void
test_unaligned(void)
{
	unsigned int i;

	for (i = 0; i < N_TYPES; i++) {
		union test_msg m;
		unsigned char *buf;
		size_t size;

		memset(&m, 0, sizeof(m));
		size = fill_valid(&m, all_types[i], 9);
		CU_ASSERT_FATAL(size != 0);
		buf = malloc(size + 1);
		CU_ASSERT_FATAL(buf != NULL);
		memcpy(buf + 1, &m, size);
		CU_ASSERT_EQUAL(sbc_api_decode(buf + 1, size), SBC_API_OK);
		free(buf);
	}
}

static void
test_truncated_and_oversized(void)
{
	unsigned int i;

	CU_ASSERT_EQUAL(sbc_api_decode(NULL, 0), SBC_API_EMALFORMED);

	for (i = 0; i < N_TYPES; i++) {
		union test_msg m;
		size_t size, len;

		memset(&m, 0, sizeof(m));
		size = fill_valid(&m, all_types[i], 1);
		CU_ASSERT_FATAL(size != 0);

		for (len = 0; len < size; len++) {
			int rc = decode_exact(&m, len);

			CU_ASSERT_NOT_EQUAL(rc, SBC_API_OK);
			CU_ASSERT_EQUAL(rc, len < sizeof(struct sbc_api_hdr) ?
					SBC_API_EMALFORMED : SBC_API_ESIZE);
		}
		/* One byte of trailing garbage. */
		CU_ASSERT_EQUAL(decode_exact(&m, size + 1), SBC_API_ESIZE);

		/* hdr.size agreeing with a wrong length is no better. */
		m.hdr.size = (uint32_t)(size + 4);
		CU_ASSERT_EQUAL(decode_exact(&m, size + 4), SBC_API_ESIZE);
		m.hdr.size = (uint32_t)(size - 4);
		CU_ASSERT_EQUAL(decode_exact(&m, size - 4),
				size - 4 < sizeof(struct sbc_api_hdr) ?
				SBC_API_EMALFORMED : SBC_API_ESIZE);

		/* Right length, header lying about it. */
		m.hdr.size = (uint32_t)(size + 4);
		CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_ESIZE);
		m.hdr.size = 0;
		CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_ESIZE);
		m.hdr.size = (uint32_t)size;
		CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_OK);
	}
}

static void
test_bad_header(void)
{
	static const unsigned int bad_types[] = { 0, SBC_API_TYPE__END, 255 };
	union test_msg m;
	size_t size;
	unsigned int i;

	memset(&m, 0, sizeof(m));
	size = fill_valid(&m, SBC_API_BIND_REQ, 5);

	m.hdr.magic = 0x4252;
	CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_EMALFORMED);
	m.hdr.magic = 0;
	CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_EMALFORMED);
	m.hdr.magic = SBC_API_MAGIC;

	m.hdr.version = 0;
	CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_EVERSION);
	m.hdr.version = SBC_API_VERSION + 1;
	CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_EVERSION);
	m.hdr.version = SBC_API_VERSION;
	CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_OK);

	for (i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		m.hdr.type = (uint8_t)bad_types[i];
		CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_ETYPE);
		m.hdr.size = sizeof(struct sbc_api_hdr);
		CU_ASSERT_EQUAL(decode_exact(&m, sizeof(struct sbc_api_hdr)), SBC_API_ETYPE);
		m.hdr.size = (uint32_t)size;
	}
	m.hdr.type = SBC_API_BIND_REQ;

	/* Requests carry no status. */
	m.hdr.status = SBC_API_EINVAL;
	CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_EMALFORMED);
	m.hdr.status = -1;
	CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_EMALFORMED);

	/* Responses carry a status we can name. */
	memset(&m, 0, sizeof(m));
	size = fill_valid(&m, SBC_API_STATUS_RESP, 5);
	m.hdr.status = SBC_API_EINTERNAL;
	CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_OK);
	m.hdr.status = SBC_API_STATUS__COUNT;
	CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_EMALFORMED);
	m.hdr.status = -ENOENT;
	CU_ASSERT_EQUAL(decode_exact(&m, size), SBC_API_EMALFORMED);
}

/* Fill a valid message, break one field, expect EINVAL; then check the fix. */
#define EXPECT_EINVAL(type, mutate)                                            \
	do {                                                                   \
		union test_msg m_;                                             \
		size_t size_;                                                  \
		memset(&m_, 0, sizeof(m_));                                    \
		size_ = fill_valid(&m_, (type), 3);                            \
		CU_ASSERT_FATAL(size_ != 0);                                   \
		CU_ASSERT_EQUAL(decode_exact(&m_, size_), SBC_API_OK);         \
		{ union test_msg *m = &m_; mutate; }                           \
		CU_ASSERT_EQUAL(decode_exact(&m_, size_), SBC_API_EINVAL);     \
	} while (0)

#define EXPECT_OK(type, mutate)                                                \
	do {                                                                   \
		union test_msg m_;                                             \
		size_t size_;                                                  \
		memset(&m_, 0, sizeof(m_));                                    \
		size_ = fill_valid(&m_, (type), 3);                            \
		CU_ASSERT_FATAL(size_ != 0);                                   \
		{ union test_msg *m = &m_; mutate; }                           \
		CU_ASSERT_EQUAL(decode_exact(&m_, size_), SBC_API_OK);         \
	} while (0)

static void
test_alloc_fields(void)
{
	/* count: 1..SBC_API_ALLOC_MAX */
	EXPECT_EINVAL(SBC_API_ALLOC_REQ, m->alloc_req.count = 0);
	EXPECT_EINVAL(SBC_API_ALLOC_REQ, m->alloc_req.count = SBC_API_ALLOC_MAX + 1);
	EXPECT_EINVAL(SBC_API_ALLOC_REQ, m->alloc_req.count = 0xffffffffu);
	EXPECT_OK(SBC_API_ALLOC_REQ, m->alloc_req.count = 1);
	/* every used item is checked, the first and the last ... */
	EXPECT_EINVAL(SBC_API_ALLOC_REQ,
		      memset(m->alloc_req.item[0].iface, 'x', SBC_API_NAME_MAX));
	EXPECT_EINVAL(SBC_API_ALLOC_REQ,
		      memset(m->alloc_req.item[SBC_API_ALLOC_MAX - 1].iface, 'x',
			     SBC_API_NAME_MAX));
	EXPECT_EINVAL(SBC_API_ALLOC_REQ, m->alloc_req.item[3].iface[0] = '\0');
	EXPECT_EINVAL(SBC_API_ALLOC_REQ, m->alloc_req.item[0].family = SBC_API_AF_NONE);
	EXPECT_EINVAL(SBC_API_ALLOC_REQ, m->alloc_req.item[5].family = 5);
	EXPECT_EINVAL(SBC_API_ALLOC_REQ,
		      m->alloc_req.item[SBC_API_ALLOC_MAX - 1].family = 2 /* AF_INET's value */);
	EXPECT_EINVAL(SBC_API_ALLOC_REQ, m->alloc_req.item[2].rtcp_mux = 2);
	/* ... items past count are unused and not looked at */
	EXPECT_OK(SBC_API_ALLOC_REQ,
		  m->alloc_req.count = 2;
		  memset(m->alloc_req.item[2].iface, 'x', SBC_API_NAME_MAX);
		  m->alloc_req.item[3].family = 9;
		  m->alloc_req.item[SBC_API_ALLOC_MAX - 1].rtcp_mux = 7);
	EXPECT_EINVAL(SBC_API_ALLOC_REQ,
		      m->alloc_req.count = 2;
		      m->alloc_req.item[1].family = 9);
	/* The longest name that still fits its NUL. */
	EXPECT_OK(SBC_API_ALLOC_REQ,
		  memset(m->alloc_req.item[7].iface, 'x', SBC_API_NAME_MAX - 1);
		  m->alloc_req.item[7].iface[SBC_API_NAME_MAX - 1] = '\0');
	EXPECT_OK(SBC_API_ALLOC_REQ,
		  m->alloc_req.item[0].family = SBC_API_AF_INET;
		  m->alloc_req.item[0].rtcp_mux = 0);

	EXPECT_EINVAL(SBC_API_ALLOC_RESP, m->alloc_resp.count = 0);
	EXPECT_EINVAL(SBC_API_ALLOC_RESP, m->alloc_resp.count = SBC_API_ALLOC_MAX + 1);
	EXPECT_EINVAL(SBC_API_ALLOC_RESP, m->alloc_resp.ep[0].local.family = 1);
	EXPECT_EINVAL(SBC_API_ALLOC_RESP,
		      m->alloc_resp.ep[SBC_API_ALLOC_MAX - 1].local.family = SBC_API_AF_NONE);
	EXPECT_OK(SBC_API_ALLOC_RESP,
		  m->alloc_resp.count = 1;
		  m->alloc_resp.ep[1].local.family = 1);
}

static void
test_bind_fields(void)
{
	EXPECT_EINVAL(SBC_API_BIND_REQ, m->bind_req.leg[0].latching = SBC_API_LATCH__COUNT);
	EXPECT_EINVAL(SBC_API_BIND_REQ, m->bind_req.leg[1].latching = 255);
	EXPECT_EINVAL(SBC_API_BIND_REQ, m->bind_req.leg[0].flags = 0x08);
	EXPECT_EINVAL(SBC_API_BIND_REQ, m->bind_req.leg[1].flags = 0x80 | SBC_API_LEG_RECV);
	EXPECT_EINVAL(SBC_API_BIND_REQ, m->bind_req.leg[0].n_pt_map = SBC_API_PT_MAP_MAX + 1);
	EXPECT_EINVAL(SBC_API_BIND_REQ, m->bind_req.leg[1].pt_map[3].from = 128);
	EXPECT_EINVAL(SBC_API_BIND_REQ,
		      m->bind_req.leg[0].pt_map[SBC_API_PT_MAP_MAX - 1].to = 128);
	EXPECT_EINVAL(SBC_API_BIND_REQ,
		      m->bind_req.leg[0].srtp_in.suite = SBC_API_SRTP__COUNT);
	EXPECT_EINVAL(SBC_API_BIND_REQ, m->bind_req.leg[1].srtp_out.suite = 200);
	EXPECT_EINVAL(SBC_API_BIND_REQ,
		      m->bind_req.leg[1].endpoint_id = m->bind_req.leg[0].endpoint_id);
	EXPECT_EINVAL(SBC_API_BIND_REQ, m->bind_req.leg[0].endpoint_id = 0);
	EXPECT_EINVAL(SBC_API_BIND_REQ, m->bind_req.leg[1].endpoint_id = 0);
	EXPECT_EINVAL(SBC_API_BIND_REQ, m->bind_req.leg[0].remote.family = 2);
	EXPECT_EINVAL(SBC_API_BIND_REQ,
		      m->bind_req.leg[1].remote.family = SBC_API_AF_NONE);

	/* Entries past n_pt_map are unused and not checked. */
	EXPECT_OK(SBC_API_BIND_REQ,
		  m->bind_req.leg[0].n_pt_map = 2;
		  m->bind_req.leg[0].pt_map[2].from = 200;
		  m->bind_req.leg[0].pt_map[15].to = 255);
	EXPECT_OK(SBC_API_BIND_REQ, m->bind_req.leg[0].pt_map[0].to = 127);
	/* Remote not known yet: no family, no port. */
	EXPECT_OK(SBC_API_BIND_REQ,
		  memset(&m->bind_req.leg[1].remote, 0, sizeof(struct sbc_api_addr)));
	EXPECT_OK(SBC_API_BIND_REQ,
		  m->bind_req.leg[0].latching = SBC_API_LATCH_STRICT;
		  m->bind_req.leg[0].flags = 0;
		  m->bind_req.leg[0].n_pt_map = 0);
}

static void
test_update_fields(void)
{
	EXPECT_EINVAL(SBC_API_UPDATE_REQ, m->update_req.what = 0);
	EXPECT_EINVAL(SBC_API_UPDATE_REQ, m->update_req.what = 0x08);
	EXPECT_EINVAL(SBC_API_UPDATE_REQ,
		      m->update_req.what = SBC_API_UPDATE_LEG_A | 0x80000000u);
	EXPECT_EINVAL(SBC_API_UPDATE_REQ, m->update_req.session_id = 0);
	EXPECT_EINVAL(SBC_API_UPDATE_REQ, m->update_req.leg[0].n_pt_map = 17);
	EXPECT_EINVAL(SBC_API_UPDATE_REQ, m->update_req.leg[1].latching = 3);

	/* A leg whose bit is clear is not looked at ... */
	EXPECT_OK(SBC_API_UPDATE_REQ,
		  m->update_req.what = SBC_API_UPDATE_LEG_A;
		  m->update_req.leg[1].flags = 0xff;
		  m->update_req.leg[1].n_pt_map = 200);
	EXPECT_OK(SBC_API_UPDATE_REQ,
		  m->update_req.what = SBC_API_UPDATE_TIMEOUT;
		  memset(m->update_req.leg, 0xff, sizeof(m->update_req.leg)));
	/* ... one whose bit is set is. */
	EXPECT_EINVAL(SBC_API_UPDATE_REQ,
		      m->update_req.what = SBC_API_UPDATE_LEG_B;
		      m->update_req.leg[1].srtp_in.suite = 3);
	EXPECT_EINVAL(SBC_API_UPDATE_REQ,
		      m->update_req.what = SBC_API_UPDATE_LEG_A | SBC_API_UPDATE_TIMEOUT;
		      m->update_req.leg[0].pt_map[0].from = 0x80);
}

static void
test_other_fields(void)
{
	EXPECT_EINVAL(SBC_API_RELEASE_REQ,
		      m->release_req.session_id = 0; m->release_req.endpoint_id = 0);
	EXPECT_OK(SBC_API_RELEASE_REQ,
		  m->release_req.session_id = 0; m->release_req.flags = 0);
	EXPECT_OK(SBC_API_RELEASE_REQ, m->release_req.endpoint_id = 0);
	/* Final counters exist for a session only; unknown flags are refused. */
	EXPECT_EINVAL(SBC_API_RELEASE_REQ, m->release_req.session_id = 0);
	EXPECT_EINVAL(SBC_API_RELEASE_REQ, m->release_req.flags = 0x02);
	EXPECT_EINVAL(SBC_API_RELEASE_REQ,
		      m->release_req.flags = SBC_API_RELEASE_STATS | 0x80000000u);
	EXPECT_EINVAL(SBC_API_RELEASE_REQ,
		      m->release_req.flags = ~SBC_API_RELEASE_FLAGS_ALL);
	EXPECT_OK(SBC_API_RELEASE_REQ, m->release_req.flags = 0);
	EXPECT_OK(SBC_API_RELEASE_REQ, m->release_req.reserved = 0xffffffffu);

	EXPECT_EINVAL(SBC_API_DUMP_REQ, m->dump_req.max = 0);
	EXPECT_EINVAL(SBC_API_DUMP_REQ, m->dump_req.max = SBC_API_DUMP_MAX + 1);
	EXPECT_EINVAL(SBC_API_DUMP_REQ, m->dump_req.max = 0xffffffffu);
	EXPECT_OK(SBC_API_DUMP_REQ, m->dump_req.max = 1);

	EXPECT_EINVAL(SBC_API_DUMP_RESP, m->dump_resp.count = SBC_API_DUMP_MAX + 1);
	EXPECT_EINVAL(SBC_API_DUMP_RESP, m->dump_resp.streams[31].remote.family = 9);
	/* Records past count are unused and not checked. */
	EXPECT_OK(SBC_API_DUMP_RESP,
		  m->dump_resp.count = 1;
		  m->dump_resp.streams[1].local.family = 9);
	EXPECT_OK(SBC_API_DUMP_RESP, m->dump_resp.count = 0);

	EXPECT_EINVAL(SBC_API_STATS_RESP, m->stats_resp.leg[1].source.family = 3);
	EXPECT_EINVAL(SBC_API_STATS_RESP,
		      m->stats_resp.leg[0].source.family = SBC_API_AF_NONE);

	EXPECT_EINVAL(SBC_API_EVENT, m->event.kind = 0);
	EXPECT_EINVAL(SBC_API_EVENT, m->event.kind = SBC_API_EV__END);
	EXPECT_EINVAL(SBC_API_EVENT, m->event.addr.family = 44);
	EXPECT_EINVAL(SBC_API_EVENT,
		      m->event.addr.family = SBC_API_AF_NONE; m->event.addr.port = 1);
	EXPECT_OK(SBC_API_EVENT,
		  m->event.kind = SBC_API_EV_MEDIA_TIMEOUT;
		  memset(&m->event.addr, 0, sizeof(struct sbc_api_addr)));
	EXPECT_OK(SBC_API_EVENT, m->event.kind = SBC_API_EV__END - 1);
}

/* Every outcome of decode must leave the buffer's own size consistent. */
static void
fuzz_one(const unsigned char *src, size_t len, unsigned int *n_ok)
{
	unsigned char *buf = malloc(len ? len : 1);
	int rc;

	CU_ASSERT_FATAL(buf != NULL);
	memcpy(buf, src, len);
	rc = sbc_api_decode(buf, len);
	CU_ASSERT(rc >= 0 && rc < SBC_API_STATUS__COUNT);
	if (rc == SBC_API_OK) {
		struct sbc_api_hdr hdr;

		CU_ASSERT_FATAL(len >= sizeof(hdr));
		memcpy(&hdr, buf, sizeof(hdr));
		CU_ASSERT_EQUAL(sbc_api_msg_size(hdr.type), len);
		CU_ASSERT_EQUAL(hdr.size, len);
		(*n_ok)++;
	}
	free(buf);
}

static void
test_fuzz_random(void)
{
	unsigned int seed = FUZZ_SEED;
	unsigned int n_ok = 0, i;
	union test_msg m;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < FUZZ_ITERATIONS; i++) {
		size_t len = (size_t)rand_r(&seed) % (SBC_API_MSG_MAX + 17);
		/*
		 * Pure noise almost never gets past the magic; every other
		 * round forge a plausible header so the field checks see
		 * random bodies too, often at the exact size of the type.
		 */
		int forge = (i & 1) && len >= sizeof(struct sbc_api_hdr);
		unsigned int type = (unsigned int)rand_r(&seed) % (SBC_API_TYPE__END + 1);
		size_t j;

		if (forge && sbc_api_msg_size(type) && (rand_r(&seed) & 1))
			len = sbc_api_msg_size(type);
		for (j = 0; j < len; j++)
			m.bytes[j] = (unsigned char)rand_r(&seed);
		if (forge) {
			struct sbc_api_hdr hdr;

			memcpy(&hdr, m.bytes, sizeof(hdr));
			hdr.magic = SBC_API_MAGIC;
			hdr.version = SBC_API_VERSION;
			hdr.type = (uint8_t)type;
			hdr.size = (uint32_t)len;
			hdr.status = 0;
			memcpy(m.bytes, &hdr, sizeof(hdr));
		}
		fuzz_one(m.bytes, len, &n_ok);
	}
	/* Forged headers with an exact length must sometimes pass (e.g. HELLO). */
	CU_ASSERT(n_ok > 0);
}

static void
test_fuzz_mutate(void)
{
	unsigned int seed = FUZZ_SEED ^ 0xffff;
	unsigned int n_ok = 0, i;

	for (i = 0; i < FUZZ_ITERATIONS; i++) {
		union test_msg m;
		unsigned int type = all_types[(unsigned int)rand_r(&seed) % N_TYPES];
		unsigned int n_flips = 1 + (unsigned int)rand_r(&seed) % 4;
		size_t size, len;
		unsigned int f;

		memset(&m, 0, sizeof(m));
		size = fill_valid(&m, type, (uint32_t)i);
		CU_ASSERT_FATAL(size != 0);
		for (f = 0; f < n_flips; f++) {
			size_t at = (size_t)rand_r(&seed) % size;

			m.bytes[at] ^= (unsigned char)(1 + rand_r(&seed) % 255);
		}
		/* Now and then also get the length wrong by a little. */
		len = size;
		if (rand_r(&seed) % 8 == 0)
			len = size - 4 + (size_t)rand_r(&seed) % 9;
		fuzz_one(m.bytes, len, &n_ok);
	}
	/* Flips in payload bytes (keys, counters) keep a message valid. */
	CU_ASSERT(n_ok > 0);
}

static void
test_error_response(void)
{
	union test_msg req, resp;
	struct sbc_api_hdr hdr;
	size_t size;

	memset(&req, 0, sizeof(req));
	size = fill_valid(&req, SBC_API_BIND_REQ, 0x12345678);
	memset(&resp, 0xee, sizeof(resp));
	CU_ASSERT_EQUAL(sbc_api_error_response(&resp, &req, size, SBC_API_ENOENT),
			(ssize_t)sizeof(struct sbc_api_status_resp));
	memcpy(&hdr, &resp, sizeof(hdr));
	CU_ASSERT_EQUAL(hdr.magic, SBC_API_MAGIC);
	CU_ASSERT_EQUAL(hdr.type, SBC_API_STATUS_RESP);
	CU_ASSERT_EQUAL(hdr.size, sizeof(struct sbc_api_status_resp));
	CU_ASSERT_EQUAL(hdr.request_id, 0x12345678);
	CU_ASSERT_EQUAL(hdr.status, SBC_API_ENOENT);
	CU_ASSERT_EQUAL(decode_exact(&resp, sizeof(struct sbc_api_status_resp)), SBC_API_OK);

	/* Only the header needs to be there to echo the id. */
	CU_ASSERT_EQUAL(sbc_api_error_response(&resp, &req, sizeof(struct sbc_api_hdr),
					       SBC_API_ESIZE),
			(ssize_t)sizeof(struct sbc_api_status_resp));
	memcpy(&hdr, &resp, sizeof(hdr));
	CU_ASSERT_EQUAL(hdr.request_id, 0x12345678);
	CU_ASSERT_EQUAL(hdr.status, SBC_API_ESIZE);

	/* A 3-byte request has no readable id; exact allocation catches overreads. */
	{
		unsigned char *tiny = malloc(3);

		CU_ASSERT_FATAL(tiny != NULL);
		memcpy(tiny, &req, 3);
		memset(&resp, 0xee, sizeof(resp));
		CU_ASSERT_EQUAL(sbc_api_error_response(&resp, tiny, 3, SBC_API_EMALFORMED),
				(ssize_t)sizeof(struct sbc_api_status_resp));
		free(tiny);
	}
	memcpy(&hdr, &resp, sizeof(hdr));
	CU_ASSERT_EQUAL(hdr.request_id, 0);
	CU_ASSERT_EQUAL(hdr.status, SBC_API_EMALFORMED);
	CU_ASSERT_EQUAL(hdr.type, SBC_API_STATUS_RESP);
}

static void
test_addr(void)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr_un sun;
	struct sbc_api_addr a;
	char buf[64];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(5004);
	CU_ASSERT_EQUAL(inet_pton(AF_INET, "198.18.0.1", &sin.sin_addr), 1);
	memset(&a, 0xff, sizeof(a));
	CU_ASSERT_EQUAL(sbc_api_addr_from_sockaddr(&a, (struct sockaddr *)&sin), 0);
	CU_ASSERT_EQUAL(a.family, SBC_API_AF_INET);
	CU_ASSERT_EQUAL(a.port, 5004);
	CU_ASSERT_EQUAL(a.ip[0], 198);
	CU_ASSERT_EQUAL(a.ip[3], 1);
	CU_ASSERT_EQUAL(a.ip[4], 0);
	CU_ASSERT_EQUAL(a.reserved, 0);
	CU_ASSERT_STRING_EQUAL(sbc_api_addr_str(&a, buf, sizeof(buf)), "198.18.0.1:5004");

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(5004);
	CU_ASSERT_EQUAL(inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr), 1);
	CU_ASSERT_EQUAL(sbc_api_addr_from_sockaddr(&a, (struct sockaddr *)&sin6), 0);
	CU_ASSERT_EQUAL(a.family, SBC_API_AF_INET6);
	CU_ASSERT_EQUAL(a.port, 5004);
	CU_ASSERT_STRING_EQUAL(sbc_api_addr_str(&a, buf, sizeof(buf)), "[2001:db8::1]:5004");

	/* Truncation stays NUL-terminated. */
	memset(buf, 'z', sizeof(buf));
	sbc_api_addr_str(&a, buf, 6);
	CU_ASSERT_STRING_EQUAL(buf, "[2001");

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	CU_ASSERT_EQUAL(sbc_api_addr_from_sockaddr(&a, (struct sockaddr *)&sun),
			-EAFNOSUPPORT);

	memset(&a, 0, sizeof(a));
	CU_ASSERT_STRING_EQUAL(sbc_api_addr_str(&a, buf, sizeof(buf)), "none");
	a.family = 9;
	CU_ASSERT_STRING_EQUAL(sbc_api_addr_str(&a, buf, sizeof(buf)), "invalid");
}

int
main(void)
{
	static const struct sbc_test tests[] = {
		{ "selfcheck", test_selfcheck },
		{ "tables", test_tables },
		{ "answer types", test_answer_types },
		{ "init", test_init },
		{ "round trip every type", test_round_trip },
		{ "unaligned buffer", test_unaligned },
		{ "truncated and oversized", test_truncated_and_oversized },
		{ "bad header", test_bad_header },
		{ "alloc fields", test_alloc_fields },
		{ "bind fields", test_bind_fields },
		{ "update fields", test_update_fields },
		{ "release/dump/stats/event fields", test_other_fields },
		{ "fuzz random bytes", test_fuzz_random },
		{ "fuzz mutated messages", test_fuzz_mutate },
		{ "error response", test_error_response },
		{ "address conversion", test_addr },
	};
	return SBC_TEST_RUN("api", tests);
}
