/* SPDX-License-Identifier: BSD-3-Clause
 * Rampart control/data API: typed, fixed-size messages over a UNIX
 * SOCK_SEQPACKET socket between sbc-controlplane and sbc-dataplane.
 *
 * Every message starts with struct sbc_api_hdr.  The size of each message
 * type is fixed and listed in one table (SBC_API_MESSAGES below); a receiver
 * rejects a message whose length, version, magic or type does not match that
 * table before it looks at any field.  Both ends run on the same host, so the
 * wire layout is the C layout (host byte order); the version is bumped on any
 * layout change and sbc_api_selfcheck() verifies the table at start.
 *
 * Thread safety: every function here is pure (no global state) and may be
 * called from any thread.
 */
#ifndef SBC_API_H
#define SBC_API_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SBC_API_MAGIC       0x5242u /* "RB" */
#define SBC_API_VERSION     3u
#define SBC_API_NAME_MAX    32      /* media interface name, NUL-terminated */
#define SBC_API_PT_MAP_MAX  16      /* payload-type rewrites per direction */
#define SBC_API_DUMP_MAX    32      /* stream records per dump response */
#define SBC_API_DROPS_MAX   32      /* wire slots for drop counters */
#define SBC_API_ALLOC_MAX   8       /* endpoints per ALLOC request */
#define SBC_API_MSG_MAX     4096    /* no message is larger than this */

/*
 * Drop reasons, one list for the data plane's counters, the API's stats
 * messages and the telemetry keys: X(ENUM, "telemetry-name", "description").
 */
#define SBC_DROP_REASONS(X) \
	X(NO_STREAM,        "no_stream",        "no stream bound to the destination endpoint") \
	X(WRONG_SOURCE,     "wrong_source",     "source address/port not the latched or signalled one") \
	X(BAD_UDP_LEN,      "bad_udp_len",      "UDP length disagrees with the IP payload length") \
	X(TRUNCATED,        "truncated",        "packet shorter than its headers") \
	X(NOT_RTP,          "not_rtp",          "payload fails the RTP/RTCP sanity check") \
	X(TTL_EXPIRED,      "ttl_expired",      "IPv4 TTL or IPv6 hop limit at or below 1") \
	X(UNKNOWN_ETHERTYPE,"unknown_ethertype","ethertype neither IPv4, IPv6 nor ARP") \
	X(BAD_IP_HEADER,    "bad_ip_header",    "IP version, header length or total length invalid") \
	X(IP_FRAGMENT,      "ip_fragment",      "IP fragments are not reassembled on the media path") \
	X(NOT_FOR_US,       "not_for_us",       "destination address not owned by a media interface") \
	X(UNSUPPORTED_PROTO,"unsupported_proto","IP protocol neither UDP nor ICMP/ICMPv6 echo") \
	X(NO_NEXTHOP,       "no_nexthop",       "next-hop MAC address not resolved yet") \
	X(TX_FULL,          "tx_full",          "transmit queue refused the packet") \
	X(INACTIVE,         "inactive",         "direction is on hold (sendonly/inactive)") \
	X(PT_BLOCKED,       "pt_blocked",       "payload type not negotiated for this stream") \
	X(SRTP_AUTH,        "srtp_auth",        "SRTP/SRTCP authentication tag mismatch") \
	X(SRTP_REPLAY,      "srtp_replay",      "SRTP/SRTCP index replayed or too old") \
	X(SRTP_ERROR,       "srtp_error",       "SRTP/SRTCP processing failed") \
	X(HOST_IGNORED,     "host_ignored",     "ARP/NDP/ICMP packet not answered (not ours or unsupported)") \
	X(LEARN_REFUSED,    "learn_refused",    "latching: a new source outside the leg's learn scope")

enum sbc_drop_reason {
#define SBC_X_ENUM(e, name, desc) SBC_DROP_##e,
	SBC_DROP_REASONS(SBC_X_ENUM)
#undef SBC_X_ENUM
	SBC_DROP__COUNT
};

/** Telemetry/short name of a drop reason; "unknown" when out of range. */
const char *sbc_drop_reason_name(unsigned int reason);

/* Status codes carried in sbc_api_hdr.status of responses. */
#define SBC_API_STATUSES(X) \
	X(OK,          0, "ok") \
	X(EMALFORMED,  1, "malformed message") \
	X(EVERSION,    2, "unsupported API version") \
	X(ETYPE,       3, "unknown message type") \
	X(ESIZE,       4, "message size does not match its type") \
	X(EINVAL,      5, "invalid field value") \
	X(ENOENT,      6, "no such endpoint or session") \
	X(ENOSPC,      7, "no free port or stream slot") \
	X(EBUSY,       8, "endpoint already bound") \
	X(EINTERNAL,   9, "internal error in the data plane") \
	X(ESHUTDOWN,  10, "data plane draining (SIGTERM): no new endpoints")

enum sbc_api_status {
#define SBC_X_ENUM(e, v, desc) SBC_API_##e = v,
	SBC_API_STATUSES(SBC_X_ENUM)
#undef SBC_X_ENUM
	SBC_API_STATUS__COUNT
};

/** Human-readable text for a status code. */
const char *sbc_api_status_str(int status);

/* Address on the wire: family 4 or 6, port in host byte order. */
#define SBC_API_AF_NONE 0
#define SBC_API_AF_INET 4
#define SBC_API_AF_INET6 6

struct sbc_api_addr {
	uint8_t family;       /* SBC_API_AF_* */
	uint8_t reserved;
	uint16_t port;        /* host byte order; 0 = not set */
	uint8_t ip[16];       /* IPv4 in the first 4 bytes, network order */
};

enum sbc_api_latching {
	SBC_API_LATCH_STRICT = 0, /* only the signalled address:port is accepted */
	SBC_API_LATCH_LEARN = 1,  /* first valid packet in the learn scope wins, then locked */
	SBC_API_LATCH_RELEARN = 2,/* may move after a quiet gap (authenticated, if SRTP) */
	SBC_API_LATCH__COUNT
};

enum sbc_api_srtp_suite {
	SBC_API_SRTP_NONE = 0,
	SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80 = 1,
	SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32 = 2,
	SBC_API_SRTP__COUNT
};

struct sbc_api_srtp {
	uint8_t suite;        /* enum sbc_api_srtp_suite */
	uint8_t reserved[3];
	uint8_t master_key[16];
	uint8_t master_salt[14];
	uint8_t reserved2[2];
};

/* Leg flags. */
#define SBC_API_LEG_RTCP_MUX   0x01u /* RTCP arrives on the RTP port */
#define SBC_API_LEG_RECV       0x02u /* accept media arriving on this leg */
#define SBC_API_LEG_SEND       0x04u /* send media out toward this leg's remote */
#define SBC_API_LEG_FLAGS_ALL  0x07u

struct sbc_api_pt_map {
	uint8_t from;         /* payload type as received from the other leg */
	uint8_t to;           /* payload type sent toward this leg */
};

/*
 * One leg of a session: the local endpoint the data plane allocated for it,
 * the remote media address from that side's SDP, and how packets arriving
 * on it are accepted and packets sent toward it are transformed.
 */
struct sbc_api_leg {
	uint32_t endpoint_id;           /* from an ALLOC response */
	struct sbc_api_addr remote;     /* RTP address from SDP (port 0 = unknown yet) */
	uint16_t remote_rtcp_port;      /* 0 with rtcp-mux */
	uint8_t latching;               /* enum sbc_api_latching */
	uint8_t flags;                  /* SBC_API_LEG_* */
	uint32_t relearn_gap_ms;        /* quiet gap before relearn may move */
	struct sbc_api_srtp srtp_in;    /* unprotect what arrives on this leg */
	struct sbc_api_srtp srtp_out;   /* protect what is sent toward this leg */
	uint8_t n_pt_map;               /* entries used in pt_map */
	/*
	 * Learn scope (learn/relearn): a new source is latched only when its
	 * first learn_prefix bits equal learn_from's (learn_from's family NONE:
	 * remote's); 0 = any source (a peer behind NAT whose media may come
	 * from anywhere).  A scope with no address of the endpoint's family
	 * latches nothing: the leg keeps its signalled remote.
	 */
	uint8_t learn_prefix;
	uint8_t reserved[2];
	struct sbc_api_pt_map pt_map[SBC_API_PT_MAP_MAX];
	struct sbc_api_addr learn_from; /* port ignored */
};

struct sbc_api_hdr {
	uint16_t magic;       /* SBC_API_MAGIC */
	uint8_t version;      /* SBC_API_VERSION */
	uint8_t type;         /* enum sbc_api_type */
	uint32_t size;        /* whole message, header included */
	uint32_t request_id;  /* chosen by the requester, echoed; 0 in events */
	int32_t status;       /* enum sbc_api_status in responses, 0 otherwise */
};

/* HELLO: version check and capabilities, first message on a connection. */
struct sbc_api_hello_req {
	struct sbc_api_hdr hdr;
	uint32_t client_version;
	uint32_t reserved;
};

struct sbc_api_hello_resp {
	struct sbc_api_hdr hdr;
	uint32_t server_version;
	uint32_t n_workers;
	uint32_t max_streams;
	uint32_t free_streams;
};

/* Generic response carrying only a status (UPDATE, RELEASE, errors). */
struct sbc_api_status_resp {
	struct sbc_api_hdr hdr;
};

/*
 * ALLOC: reserve local RTP (+RTCP or rtcp-mux) endpoints, one per item, all
 * or nothing: on the first item that fails (ENOENT unknown interface,
 * EINVAL family the interface lacks, ENOSPC no free port or slot, EBUSY the
 * port asked for is taken) the data
 * plane gives back what this request already took and answers that status.
 */
struct sbc_api_alloc_item {
	char iface[SBC_API_NAME_MAX];   /* media interface name, NUL-terminated */
	uint8_t family;                 /* SBC_API_AF_INET or _INET6 */
	uint8_t rtcp_mux;               /* 1: one port for RTP and RTCP */
	/*
	 * 0: any free port, chosen at random (a call's port cannot be guessed
	 * from the last one's).  Else exactly this even port of the interface's
	 * range (load generators whose traffic names the ports): EBUSY when it
	 * is taken, EINVAL when odd or outside the range.
	 */
	uint16_t port;
};

struct sbc_api_alloc_req {
	struct sbc_api_hdr hdr;
	uint32_t count;                 /* 1..SBC_API_ALLOC_MAX items used */
	uint32_t reserved;
	struct sbc_api_alloc_item item[SBC_API_ALLOC_MAX];
};

struct sbc_api_alloc_ep {
	uint32_t endpoint_id;
	struct sbc_api_addr local;      /* local IP and RTP port */
	uint16_t local_rtcp_port;       /* == local.port with rtcp-mux */
	uint8_t reserved[2];
};

struct sbc_api_alloc_resp {
	struct sbc_api_hdr hdr;
	uint32_t count;                 /* == the request's count */
	uint32_t reserved;
	struct sbc_api_alloc_ep ep[SBC_API_ALLOC_MAX];  /* in the request's order */
};

/* BIND: join two endpoints into a bidirectional session. */
struct sbc_api_bind_req {
	struct sbc_api_hdr hdr;
	struct sbc_api_leg leg[2];      /* [0] = A leg, [1] = B leg */
	uint32_t media_timeout_ms;      /* 0 = never */
	uint32_t reserved;
};

struct sbc_api_bind_resp {
	struct sbc_api_hdr hdr;
	uint32_t session_id;
	uint32_t reserved;
};

/* UPDATE: replace one or both legs' parameters (re-INVITE, hold, re-key). */
#define SBC_API_UPDATE_LEG_A   0x01u
#define SBC_API_UPDATE_LEG_B   0x02u
#define SBC_API_UPDATE_TIMEOUT 0x04u
#define SBC_API_UPDATE_ALL     0x07u

struct sbc_api_update_req {
	struct sbc_api_hdr hdr;
	uint32_t session_id;
	uint32_t what;                  /* SBC_API_UPDATE_* */
	struct sbc_api_leg leg[2];
	uint32_t media_timeout_ms;
	uint32_t reserved;
};

/*
 * RELEASE: a session (and both its endpoints), or a lone unbound endpoint.
 * Answered with STATUS_RESP, or, with SBC_API_RELEASE_STATS, with the
 * session's STATS_RESP (what STATS_REQ would have answered just before),
 * so that the final counters cost no extra round trip.
 */
#define SBC_API_RELEASE_STATS     0x01u  /* answer STATS_RESP with the session's counters read just before release */
#define SBC_API_RELEASE_FLAGS_ALL 0x01u

struct sbc_api_release_req {
	struct sbc_api_hdr hdr;
	uint32_t session_id;            /* 0: release endpoint_id alone */
	uint32_t endpoint_id;
	uint32_t flags;                 /* SBC_API_RELEASE_* */
	uint32_t reserved;
};

/* DUMP: page through the stream table. */
struct sbc_api_dump_req {
	struct sbc_api_hdr hdr;
	uint32_t cursor;                /* 0 = from the start */
	uint32_t max;                   /* 1..SBC_API_DUMP_MAX */
};

struct sbc_api_stream_info {
	uint32_t session_id;
	uint32_t endpoint_id;
	struct sbc_api_addr local;
	struct sbc_api_addr remote;     /* latched source, or the signalled one */
	uint8_t latching;
	uint8_t latched;                /* 1 once a source was learnt */
	uint8_t flags;                  /* SBC_API_LEG_* */
	uint8_t srtp;                   /* 1 if either direction is SRTP */
	uint32_t reserved;
	uint64_t packets;
	uint64_t bytes;
	uint64_t drops;
	uint64_t last_seen_ms;          /* data-plane monotonic ms, 0 = never */
};

struct sbc_api_dump_resp {
	struct sbc_api_hdr hdr;
	uint32_t next_cursor;           /* 0 = end of table */
	uint32_t count;                 /* records used in streams[] */
	struct sbc_api_stream_info streams[SBC_API_DUMP_MAX];
};

/* STATS: counters of one session (session_id != 0) or global (0). */
struct sbc_api_stats_req {
	struct sbc_api_hdr hdr;
	uint32_t session_id;
	uint32_t reserved;
};

struct sbc_api_leg_stats {
	uint64_t packets;               /* accepted on this leg */
	uint64_t bytes;
	uint64_t last_seen_ms;
	uint64_t drops[SBC_API_DROPS_MAX]; /* indexed by enum sbc_drop_reason */
	uint32_t ssrc;
	uint32_t lost;                  /* RFC 3550 cumulative lost */
	uint32_t jitter_us;             /* RFC 3550 A.8 interarrival jitter */
	uint32_t reserved;
	struct sbc_api_addr source;     /* latched source */
};

struct sbc_api_stats_resp {
	struct sbc_api_hdr hdr;
	uint32_t session_id;
	uint32_t reserved;
	struct sbc_api_leg_stats leg[2];  /* global: SBC_API_GLOBAL_STATS, drops in leg[0] */
};

/*
 * The data plane's totals a global STATS_RESP (session_id 0) carries:
 * X(name, leg, field), the sum of the workers' counter @name
 * (SBC_WORKER_COUNTERS in dataplane/dp.h) in leg[leg].field.  One list for
 * the data plane that fills them and sbc-dpctl's "stats 0" line, which
 * prints them as name=value in this order.
 */
#define SBC_API_GLOBAL_STATS(X) \
	X(rx_packets, 0, packets) \
	X(rx_bytes,   0, bytes) \
	X(tx_packets, 1, packets)

/* EVENT: pushed by the data plane, never answered. */
enum sbc_api_event_kind {
	SBC_API_EV_MEDIA_TIMEOUT = 1,
	SBC_API_EV_SOURCE_LATCHED = 2,
	SBC_API_EV_SOURCE_CHANGED = 3,
	SBC_API_EV_SRTP_AUTH_BURST = 4,
	SBC_API_EV_LEARN_REFUSED = 5,   /* a source outside the learn scope tried to latch */
	SBC_API_EV__END
};

struct sbc_api_event {
	struct sbc_api_hdr hdr;
	uint32_t kind;                  /* enum sbc_api_event_kind */
	uint32_t session_id;
	uint32_t endpoint_id;
	uint32_t count;                 /* failures in the burst; idle ms on timeout;
	                                   refused packets in the second (LEARN_REFUSED) */
	struct sbc_api_addr addr;       /* new source for LATCHED/CHANGED */
};

/*
 * Message types and their fixed sizes: X(ENUM, value, struct, is_request).
 * Requests are answered by the matching response type (or STATUS_RESP when
 * there is nothing to return, or on error): sbc_api_answer_type().
 */
#define SBC_API_MESSAGES(X) \
	X(HELLO_REQ,   1,  struct sbc_api_hello_req,   1) \
	X(HELLO_RESP,  2,  struct sbc_api_hello_resp,  0) \
	X(STATUS_RESP, 3,  struct sbc_api_status_resp, 0) \
	X(ALLOC_REQ,   4,  struct sbc_api_alloc_req,   1) \
	X(ALLOC_RESP,  5,  struct sbc_api_alloc_resp,  0) \
	X(BIND_REQ,    6,  struct sbc_api_bind_req,    1) \
	X(BIND_RESP,   7,  struct sbc_api_bind_resp,   0) \
	X(UPDATE_REQ,  8,  struct sbc_api_update_req,  1) \
	X(RELEASE_REQ, 9,  struct sbc_api_release_req, 1) \
	X(DUMP_REQ,    10, struct sbc_api_dump_req,    1) \
	X(DUMP_RESP,   11, struct sbc_api_dump_resp,   0) \
	X(STATS_REQ,   12, struct sbc_api_stats_req,   1) \
	X(STATS_RESP,  13, struct sbc_api_stats_resp,  0) \
	X(EVENT,       14, struct sbc_api_event,       0)

enum sbc_api_type {
#define SBC_X_ENUM(e, v, s, r) SBC_API_##e = v,
	SBC_API_MESSAGES(SBC_X_ENUM)
#undef SBC_X_ENUM
	SBC_API_TYPE__END
};

/** Fixed size of a message type; 0 for an unknown type. */
size_t sbc_api_msg_size(unsigned int type);

/** Name of a message type ("ALLOC_REQ", ...); "unknown" otherwise. */
const char *sbc_api_type_name(unsigned int type);

/** 1 if @type is a request the data plane answers, else 0. */
int sbc_api_is_request(unsigned int type);

/**
 * Type of the answer to the request @req (a whole message that passed
 * sbc_api_decode()) when it succeeds: HELLO_RESP, ALLOC_RESP, BIND_RESP,
 * DUMP_RESP and STATS_RESP for their requests, STATUS_RESP for UPDATE_REQ
 * and RELEASE_REQ, except STATS_RESP for a RELEASE_REQ with
 * SBC_API_RELEASE_STATS.  A request that fails is answered with a
 * STATUS_RESP whatever its type.  The data plane builds its answers from
 * this and clients check what they receive against it.
 * Returns 0 when @req is not a request.
 */
unsigned int sbc_api_answer_type(const void *req);

/**
 * Check the size table against the compiled structs (sizes, alignment,
 * maximum size, drop reasons fitting the wire array).  Call once at start.
 * Returns 0, or -EPROTO when the build is inconsistent.
 */
int sbc_api_selfcheck(void);

/**
 * Zero @msg (of at least sbc_api_msg_size(type) bytes) and fill its header.
 * Returns the message size to send, or -EINVAL for an unknown type.
 */
ssize_t sbc_api_init(void *msg, unsigned int type, uint32_t request_id);

/**
 * Validate a received buffer: header, magic, version, known type, exact
 * size, then every field of that type (enums in range, counts within their
 * arrays, strings NUL-terminated, address families and ports consistent).
 * Never reads past @len.  Returns SBC_API_OK (0) or a positive
 * enum sbc_api_status describing the first problem.  On success the buffer
 * may be cast to the struct for its hdr.type.
 */
int sbc_api_decode(const void *buf, size_t len);

/**
 * Build the error response for a request that failed to decode or execute:
 * a STATUS_RESP echoing the request id when the header was readable.
 * @resp must hold sizeof(struct sbc_api_status_resp).  Returns its size.
 */
ssize_t sbc_api_error_response(void *resp, const void *req, size_t req_len,
			       int status);

/** Fill an sbc_api_addr from a sockaddr_in / sockaddr_in6. Returns 0 or -EAFNOSUPPORT. */
struct sockaddr;
int sbc_api_addr_from_sockaddr(struct sbc_api_addr *a, const struct sockaddr *sa);

/** Format an address as "ip:port" or "[ip6]:port". Returns @buf. */
char *sbc_api_addr_str(const struct sbc_api_addr *a, char *buf, size_t len);

#endif /* SBC_API_H */
