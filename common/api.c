/* SPDX-License-Identifier: BSD-3-Clause
 * Rampart control/data API: size/name tables and message validation.
 *
 * Everything here is table-driven from the X-macro lists in sbc_api.h so a
 * new message type, status or drop reason cannot be added to one table and
 * forgotten in another.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sbc_api.h"

/*
 * Compile-time layout checks.  The header is shared by every message and
 * read before anything else, so its size is part of the ABI.
 */
_Static_assert(sizeof(struct sbc_api_hdr) == 16, "struct sbc_api_hdr must be 16 bytes");
_Static_assert(SBC_DROP__COUNT <= SBC_API_DROPS_MAX,
	       "drop reasons do not fit sbc_api_leg_stats.drops[]");
_Static_assert(SBC_API_TYPE__END <= 256, "message type must fit hdr.type");

#define SBC_X_ASSERT(e, v, s, r) \
	_Static_assert(sizeof(s) <= SBC_API_MSG_MAX, #s " exceeds SBC_API_MSG_MAX"); \
	_Static_assert(sizeof(s) % 4 == 0, #s " size is not a multiple of 4");
SBC_API_MESSAGES(SBC_X_ASSERT)
#undef SBC_X_ASSERT

/*
 * Indexed by type value; a zero size marks an unknown type.  uint32_t since
 * the size travels in hdr.size.
 */
static const uint32_t api_msg_sizes[SBC_API_TYPE__END] = {
#define SBC_X_SIZE(e, v, s, r) [SBC_API_##e] = sizeof(s),
	SBC_API_MESSAGES(SBC_X_SIZE)
#undef SBC_X_SIZE
};

static const char *const api_msg_names[SBC_API_TYPE__END] = {
#define SBC_X_NAME(e, v, s, r) [SBC_API_##e] = #e,
	SBC_API_MESSAGES(SBC_X_NAME)
#undef SBC_X_NAME
};

static const uint8_t api_msg_is_request[SBC_API_TYPE__END] = {
#define SBC_X_REQ(e, v, s, r) [SBC_API_##e] = (r),
	SBC_API_MESSAGES(SBC_X_REQ)
#undef SBC_X_REQ
};

/*
 * What each request is answered with when it succeeds; 0 for the types that
 * are not requests.  The one answer that depends on a field (RELEASE with
 * SBC_API_RELEASE_STATS) is decided in sbc_api_answer_type().
 */
static const uint8_t api_answer_types[SBC_API_TYPE__END] = {
	[SBC_API_HELLO_REQ]   = SBC_API_HELLO_RESP,
	[SBC_API_ALLOC_REQ]   = SBC_API_ALLOC_RESP,
	[SBC_API_BIND_REQ]    = SBC_API_BIND_RESP,
	[SBC_API_UPDATE_REQ]  = SBC_API_STATUS_RESP,
	[SBC_API_RELEASE_REQ] = SBC_API_STATUS_RESP,
	[SBC_API_DUMP_REQ]    = SBC_API_DUMP_RESP,
	[SBC_API_STATS_REQ]   = SBC_API_STATS_RESP,
};

/* The declared types only: type values need not be contiguous. */
static const uint8_t api_known_types[] = {
#define SBC_X_TYPE(e, v, s, r) SBC_API_##e,
	SBC_API_MESSAGES(SBC_X_TYPE)
#undef SBC_X_TYPE
};

static const char *const api_status_strs[SBC_API_STATUS__COUNT] = {
#define SBC_X_STATUS(e, v, desc) [SBC_API_##e] = desc,
	SBC_API_STATUSES(SBC_X_STATUS)
#undef SBC_X_STATUS
};

static const char *const drop_reason_names[SBC_DROP__COUNT] = {
#define SBC_X_DROP(e, name, desc) [SBC_DROP_##e] = name,
	SBC_DROP_REASONS(SBC_X_DROP)
#undef SBC_X_DROP
};

const char *
sbc_drop_reason_name(unsigned int reason)
{
	if (reason >= SBC_DROP__COUNT)
		return "unknown";
	return drop_reason_names[reason];
}

const char *
sbc_api_status_str(int status)
{
	/* Status values may have gaps; an unnamed slot is as unknown as one out of range. */
	if (status < 0 || status >= SBC_API_STATUS__COUNT || !api_status_strs[status])
		return "unknown status";
	return api_status_strs[status];
}

static bool
api_type_known(unsigned int type)
{
	return type < SBC_API_TYPE__END && api_msg_sizes[type] != 0;
}

size_t
sbc_api_msg_size(unsigned int type)
{
	return api_type_known(type) ? api_msg_sizes[type] : 0;
}

const char *
sbc_api_type_name(unsigned int type)
{
	return api_type_known(type) ? api_msg_names[type] : "unknown";
}

int
sbc_api_is_request(unsigned int type)
{
	return api_type_known(type) ? api_msg_is_request[type] : 0;
}

unsigned int
sbc_api_answer_type(const void *req)
{
	struct sbc_api_hdr hdr;

	if (!req)
		return 0;
	memcpy(&hdr, req, sizeof(hdr));
	if (!api_type_known(hdr.type) || !api_msg_is_request[hdr.type])
		return 0;
	if (hdr.type == SBC_API_RELEASE_REQ) {
		struct sbc_api_release_req m;

		memcpy(&m, req, sizeof(m));
		if (m.flags & SBC_API_RELEASE_STATS)
			return SBC_API_STATS_RESP;
	}
	return api_answer_types[hdr.type];
}

int
sbc_api_selfcheck(void)
{
	size_t i;

	/*
	 * The static asserts cover the same ground; this catches a table
	 * edited by hand or a build mixing objects compiled against
	 * different headers.
	 */
	if (sizeof(struct sbc_api_hdr) != 16)
		return -EPROTO;
	if (SBC_DROP__COUNT > SBC_API_DROPS_MAX)
		return -EPROTO;
	for (i = 0; i < sizeof(api_known_types); i++) {
		uint32_t size = api_msg_sizes[api_known_types[i]];

		if (size == 0 || size % 4 != 0 || size > SBC_API_MSG_MAX ||
		    size < sizeof(struct sbc_api_hdr))
			return -EPROTO;
		if (!api_msg_names[api_known_types[i]])
			return -EPROTO;
		/* Every request has an answer, and only requests do. */
		if (api_msg_is_request[api_known_types[i]]) {
			unsigned int answer = api_answer_types[api_known_types[i]];

			if (!api_type_known(answer) || api_msg_is_request[answer])
				return -EPROTO;
		} else if (api_answer_types[api_known_types[i]] != 0) {
			return -EPROTO;
		}
	}
	return 0;
}

ssize_t
sbc_api_init(void *msg, unsigned int type, uint32_t request_id)
{
	struct sbc_api_hdr hdr;

	if (!msg || !api_type_known(type))
		return -EINVAL;

	memset(msg, 0, api_msg_sizes[type]);
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = SBC_API_MAGIC;
	hdr.version = SBC_API_VERSION;
	hdr.type = (uint8_t)type;
	hdr.size = api_msg_sizes[type];
	hdr.request_id = request_id;
	/* memcpy: callers may build into a byte buffer of any alignment. */
	memcpy(msg, &hdr, sizeof(hdr));
	return (ssize_t)api_msg_sizes[type];
}

/*
 * Per-type field checks.  Each one runs only after the header checks, so
 * the buffer is known to hold exactly sizeof(the struct) bytes; it copies
 * the message into a local so an unaligned receive buffer is never
 * dereferenced as a struct.
 */

static bool
api_addr_valid(const struct sbc_api_addr *a)
{
	switch (a->family) {
	case SBC_API_AF_NONE:
		/* A port without an address would be sent to 0.0.0.0. */
		return a->port == 0;
	case SBC_API_AF_INET:
	case SBC_API_AF_INET6:
		return true;
	default:
		return false;
	}
}

static bool
api_leg_valid(const struct sbc_api_leg *leg)
{
	unsigned int i;

	if (!api_addr_valid(&leg->remote) || !api_addr_valid(&leg->learn_from))
		return false;
	if (leg->learn_prefix > 128 ||
	    (leg->learn_from.family == SBC_API_AF_INET && leg->learn_prefix > 32))
		return false;
	if (leg->latching >= SBC_API_LATCH__COUNT)
		return false;
	if (leg->flags & ~SBC_API_LEG_FLAGS_ALL)
		return false;
	if (leg->srtp_in.suite >= SBC_API_SRTP__COUNT ||
	    leg->srtp_out.suite >= SBC_API_SRTP__COUNT)
		return false;
	if (leg->n_pt_map > SBC_API_PT_MAP_MAX)
		return false;
	/* RTP payload type is 7 bits; the marker bit shares the octet. */
	for (i = 0; i < leg->n_pt_map; i++)
		if (leg->pt_map[i].from >= 128 || leg->pt_map[i].to >= 128)
			return false;
	return true;
}

static bool
api_iface_valid(const char *iface)
{
	return iface[0] != '\0' && memchr(iface, '\0', SBC_API_NAME_MAX) != NULL;
}

static int
api_check_alloc_req(const void *buf)
{
	struct sbc_api_alloc_req m;
	uint32_t i;

	memcpy(&m, buf, sizeof(m));
	if (m.count < 1 || m.count > SBC_API_ALLOC_MAX)
		return SBC_API_EINVAL;
	/* Items past count are unused and not checked. */
	for (i = 0; i < m.count; i++) {
		const struct sbc_api_alloc_item *it = &m.item[i];

		if (!api_iface_valid(it->iface))
			return SBC_API_EINVAL;
		if (it->family != SBC_API_AF_INET && it->family != SBC_API_AF_INET6)
			return SBC_API_EINVAL;
		if (it->rtcp_mux > 1 || (it->port & 1u))
			return SBC_API_EINVAL;
	}
	return SBC_API_OK;
}

static int
api_check_alloc_resp(const void *buf)
{
	struct sbc_api_alloc_resp m;
	uint32_t i;

	memcpy(&m, buf, sizeof(m));
	if (m.count < 1 || m.count > SBC_API_ALLOC_MAX)
		return SBC_API_EINVAL;
	for (i = 0; i < m.count; i++)
		if (!api_addr_valid(&m.ep[i].local))
			return SBC_API_EINVAL;
	return SBC_API_OK;
}

/*
 * BIND and UPDATE carry SRTP master keys: the local copy the checks work
 * on is wiped before it goes out of scope, as the receivers wipe theirs.
 */
static int
api_check_bind_req(const void *buf)
{
	struct sbc_api_bind_req m;
	int rc = SBC_API_OK;

	memcpy(&m, buf, sizeof(m));
	if (m.leg[0].endpoint_id == 0 || m.leg[1].endpoint_id == 0 ||
	    m.leg[0].endpoint_id == m.leg[1].endpoint_id)
		rc = SBC_API_EINVAL;
	else if (!api_leg_valid(&m.leg[0]) || !api_leg_valid(&m.leg[1]))
		rc = SBC_API_EINVAL;
	explicit_bzero(&m, sizeof(m));
	return rc;
}

static int
api_check_update_req(const void *buf)
{
	struct sbc_api_update_req m;
	int rc = SBC_API_OK;

	memcpy(&m, buf, sizeof(m));
	if (m.session_id == 0)
		rc = SBC_API_EINVAL;
	else if (m.what == 0 || (m.what & ~SBC_API_UPDATE_ALL))
		rc = SBC_API_EINVAL;
	/* A leg not being updated may hold anything; the data plane ignores it. */
	else if ((m.what & SBC_API_UPDATE_LEG_A) && !api_leg_valid(&m.leg[0]))
		rc = SBC_API_EINVAL;
	else if ((m.what & SBC_API_UPDATE_LEG_B) && !api_leg_valid(&m.leg[1]))
		rc = SBC_API_EINVAL;
	explicit_bzero(&m, sizeof(m));
	return rc;
}

static int
api_check_release_req(const void *buf)
{
	struct sbc_api_release_req m;

	memcpy(&m, buf, sizeof(m));
	if (m.session_id == 0 && m.endpoint_id == 0)
		return SBC_API_EINVAL;
	if (m.flags & ~SBC_API_RELEASE_FLAGS_ALL)
		return SBC_API_EINVAL;
	/* A lone endpoint has no session counters to answer with. */
	if ((m.flags & SBC_API_RELEASE_STATS) && m.session_id == 0)
		return SBC_API_EINVAL;
	return SBC_API_OK;
}

static int
api_check_dump_req(const void *buf)
{
	struct sbc_api_dump_req m;

	memcpy(&m, buf, sizeof(m));
	if (m.max < 1 || m.max > SBC_API_DUMP_MAX)
		return SBC_API_EINVAL;
	return SBC_API_OK;
}

static int
api_check_dump_resp(const void *buf)
{
	struct sbc_api_dump_resp m;
	uint32_t i;

	memcpy(&m, buf, sizeof(m));
	if (m.count > SBC_API_DUMP_MAX)
		return SBC_API_EINVAL;
	for (i = 0; i < m.count; i++)
		if (!api_addr_valid(&m.streams[i].local) ||
		    !api_addr_valid(&m.streams[i].remote))
			return SBC_API_EINVAL;
	return SBC_API_OK;
}

static int
api_check_stats_resp(const void *buf)
{
	struct sbc_api_stats_resp m;

	memcpy(&m, buf, sizeof(m));
	if (!api_addr_valid(&m.leg[0].source) || !api_addr_valid(&m.leg[1].source))
		return SBC_API_EINVAL;
	return SBC_API_OK;
}

static int
api_check_event(const void *buf)
{
	struct sbc_api_event m;

	memcpy(&m, buf, sizeof(m));
	if (m.kind < 1 || m.kind >= SBC_API_EV__END)
		return SBC_API_EINVAL;
	if (!api_addr_valid(&m.addr))
		return SBC_API_EINVAL;
	return SBC_API_OK;
}

/* Types without an entry have no field that can be out of range. */
static int (*const api_field_checks[SBC_API_TYPE__END])(const void *buf) = {
	[SBC_API_ALLOC_REQ]   = api_check_alloc_req,
	[SBC_API_ALLOC_RESP]  = api_check_alloc_resp,
	[SBC_API_BIND_REQ]    = api_check_bind_req,
	[SBC_API_UPDATE_REQ]  = api_check_update_req,
	[SBC_API_RELEASE_REQ] = api_check_release_req,
	[SBC_API_DUMP_REQ]    = api_check_dump_req,
	[SBC_API_DUMP_RESP]   = api_check_dump_resp,
	[SBC_API_STATS_RESP]  = api_check_stats_resp,
	[SBC_API_EVENT]       = api_check_event,
};

int
sbc_api_decode(const void *buf, size_t len)
{
	struct sbc_api_hdr hdr;

	if (!buf || len < sizeof(hdr))
		return SBC_API_EMALFORMED;
	memcpy(&hdr, buf, sizeof(hdr));

	if (hdr.magic != SBC_API_MAGIC)
		return SBC_API_EMALFORMED;
	if (hdr.version != SBC_API_VERSION)
		return SBC_API_EVERSION;
	if (!api_type_known(hdr.type))
		return SBC_API_ETYPE;
	/* Both: a sender lying in hdr.size is as broken as a short read. */
	if (hdr.size != api_msg_sizes[hdr.type] || len != api_msg_sizes[hdr.type])
		return SBC_API_ESIZE;

	/*
	 * Requests carry no status; a response's status must be one we can
	 * name, or the requester would act on a code it does not understand.
	 */
	if (api_msg_is_request[hdr.type]) {
		if (hdr.status != 0)
			return SBC_API_EMALFORMED;
	} else if (hdr.status < 0 || hdr.status >= SBC_API_STATUS__COUNT) {
		return SBC_API_EMALFORMED;
	}

	if (api_field_checks[hdr.type])
		return api_field_checks[hdr.type](buf);
	return SBC_API_OK;
}

ssize_t
sbc_api_error_response(void *resp, const void *req, size_t req_len, int status)
{
	struct sbc_api_hdr hdr;
	uint32_t request_id = 0;
	ssize_t size;

	/* Only trust the id if the whole header arrived; a torn one gets 0. */
	if (req && req_len >= sizeof(hdr)) {
		memcpy(&hdr, req, sizeof(hdr));
		request_id = hdr.request_id;
	}

	size = sbc_api_init(resp, SBC_API_STATUS_RESP, request_id);
	if (size < 0)
		return size;
	memcpy(&hdr, resp, sizeof(hdr));
	hdr.status = status;
	memcpy(resp, &hdr, sizeof(hdr));
	return size;
}

int
sbc_api_addr_from_sockaddr(struct sbc_api_addr *a, const struct sockaddr *sa)
{
	if (!a || !sa)
		return -EINVAL;

	if (sa->sa_family == AF_INET) {
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		memset(a, 0, sizeof(*a));
		a->family = SBC_API_AF_INET;
		a->port = ntohs(sin.sin_port);
		memcpy(a->ip, &sin.sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		memset(a, 0, sizeof(*a));
		a->family = SBC_API_AF_INET6;
		a->port = ntohs(sin6.sin6_port);
		memcpy(a->ip, &sin6.sin6_addr, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

char *
sbc_api_addr_str(const struct sbc_api_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (!buf || len == 0)
		return buf;

	switch (a ? a->family : SBC_API_AF_NONE) {
	case SBC_API_AF_INET:
		if (!inet_ntop(AF_INET, a->ip, ip, sizeof(ip)))
			break;
		snprintf(buf, len, "%s:%u", ip, (unsigned int)a->port);
		return buf;
	case SBC_API_AF_INET6:
		if (!inet_ntop(AF_INET6, a->ip, ip, sizeof(ip)))
			break;
		snprintf(buf, len, "[%s]:%u", ip, (unsigned int)a->port);
		return buf;
	case SBC_API_AF_NONE:
		snprintf(buf, len, "none");
		return buf;
	default:
		break;
	}
	snprintf(buf, len, "invalid");
	return buf;
}
