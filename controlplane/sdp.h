/* SPDX-License-Identifier: BSD-3-Clause
 * SDP anchoring for the B2BUA: parse what a leg sent, build what Rampart
 * sends to the other leg with every address and port replaced by the data
 * plane's endpoints, and turn a finished offer/answer exchange into the
 * data plane's per-leg settings (remote address, RECV/SEND/RTCP_MUX flags,
 * payload-type maps).
 *
 * Model.  A call has two legs, A and B; each leg has its own SDP history:
 * the SDP it sent us ("theirs") and the SDP we sent it ("ours").  Rampart
 * relays offer/answer (RFC 3264): an offer received from one leg is turned
 * into an offer to the other leg (sbc_sdp_build_offer()), the answer that
 * leg returns is turned into the answer to the first one
 * (sbc_sdp_build_answer()), and sbc_sdp_plan_media() derives what the data
 * plane must do for each m= line.  m= line i on one leg always corresponds
 * to m= line i on the other: the builders keep every m= line, rejecting
 * (port 0) the ones that are not anchored.  A late offer (INVITE without
 * SDP) starts with sbc_sdp_build_template() instead of an offer received.
 *
 * What is anchored: audio over RTP/AVP or RTP/SAVP with at least one codec
 * the trunk allows (without a codec filter, struct sbc_sdp_policy.any_codec,
 * any codec, ones this module does not know included), and T.38 fax
 * (m=image, udptl, t38) when the trunk allows T38.  Every other m= line (video, text, application, audio over
 * other profiles, multicast) is sent on rejected, with port 0, and stays
 * rejected in the answer.
 *
 * What is sent: only what this module understands and rebuilds: v=, our own
 * o= per leg (username "rampart"), s=-, c= of our endpoints, t=0 0, and per
 * m= line the allowed codecs (rtpmap, fmtp), the direction, ptime,
 * maxptime, rtcp, rtcp-mux, a=crypto per the caller, and for T.38 the T38*
 * attributes.  Everything else the peer wrote (b=, i=, k=, session
 * attributes, ICE candidates, unknown attributes, its addresses in c=, o=
 * and a=rtcp) is dropped, so nothing of one side's topology reaches the
 * other.
 *
 * Secrets.  a=crypto values carry SRTP master keys.  They are kept in the
 * parsed description (for the SRTP work that consumes them) but never
 * appear in an error, and this module never logs.  Wipe a description that
 * held keys with sbc_sdp_desc_wipe() before its memory is reused.
 *
 * Memory.  Descriptions are plain fixed-size structs with no pointers (the
 * strings live in an arena inside the struct and are referred to by
 * offset), so they may be copied with memcpy or assignment and need no
 * freeing.  Sofia-SIP's parser and printer run on a su_home_t local to each
 * call and released before it returns.
 *
 * Thread: every function runs on the control plane's single su_root thread
 * (the B2BUA's event loop).  None keeps global state; functions that take
 * a struct sbc_sdp_origin modify it, so one origin must not be used by two
 * threads at once.
 */
#ifndef SBC_SDP_H
#define SBC_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbc_addr.h"
#include "sbc_api.h"

#define SBC_SDP_BODY_MAX    16384  /* longest SDP body parsed */
#define SBC_SDP_LINE_MAX    1024   /* longest SDP line parsed */
#define SBC_SDP_MEDIA_MAX   8      /* m= lines; more is refused (488) */
#define SBC_SDP_FMT_MAX     32     /* formats kept per m= line; extra ones are ignored */
#define SBC_SDP_CRYPTO_MAX  8      /* a=crypto lines kept per m= line; extra ones are ignored */
#define SBC_SDP_ATTR_MAX    16     /* T38* attributes kept per m= line; extra ones are ignored */
#define SBC_SDP_NAME_MAX    32     /* encoding name, NUL included; longer names count as unknown */
#define SBC_SDP_TEXT_MAX    8192   /* string arena of one description */
#define SBC_SDP_CRYPTO_LEN  255    /* longest a=crypto value accepted from the caller */
#define SBC_SDP_USERNAME    "rampart"  /* o= username in everything we send */
#define SBC_SDP_TE_PT       101    /* telephone-event payload type of our own offers */

/*
 * Why an SDP was refused or could not be built: X(ENUM, SIP status the
 * B2BUA answers with, reason).  Reasons are fixed texts: they never quote
 * the SDP, so a=crypto keys cannot reach a response or a log through them.
 */
#define SBC_SDP_ERRORS(X) \
	X(OK,             0,   "no error") \
	X(EMPTY,          400, "empty SDP body") \
	X(TOO_LARGE,      488, "SDP body too large") \
	X(NUL_BYTE,       400, "NUL byte in SDP body") \
	X(CONTROL_CHAR,   400, "control character in SDP line") \
	X(LINE_TOO_LONG,  400, "SDP line too long") \
	X(BAD_LINE,       400, "SDP line is not <type>=<value>") \
	X(UNKNOWN_TYPE,   400, "unknown SDP line type") \
	X(NO_VERSION,     400, "SDP does not start with v=0") \
	X(ORIGIN,         400, "missing, repeated or malformed o= line") \
	X(MISPLACED,      400, "SDP line out of place") \
	X(CONNECTION,     400, "malformed c= line") \
	X(MULTICAST,      488, "multicast c= address not supported") \
	X(HOSTNAME,       488, "c= host name instead of an IP address") \
	X(BAD_ADDRESS,    488, "c= address cannot receive media (loopback, broadcast, this network)") \
	X(UNSPECIFIED,    488, "c= 0.0.0.0 or :: with a direction that receives (not a hold)") \
	X(OWN_ADDRESS,    488, "c= address is one of the SBC's own") \
	X(NO_CONNECTION,  400, "m= line without a c= address") \
	X(MEDIA,          400, "malformed m= line") \
	X(MEDIA_PORT,     400, "bad port in m= line") \
	X(PORT_COUNT,     488, "m= port count not supported") \
	X(NO_FORMATS,     400, "m= line without formats") \
	X(PAYLOAD_TYPE,   400, "bad RTP payload type in m= line") \
	X(NO_MEDIA,       488, "SDP without m= line") \
	X(TOO_MANY_MEDIA, 488, "too many m= lines") \
	X(TOO_COMPLEX,    488, "SDP too complex") \
	X(SYNTAX,         400, "malformed SDP") \
	X(NOMEM,          500, "out of memory") \
	X(BUFFER,         500, "SDP output buffer too small") \
	X(MISMATCH,       488, "answer does not match the offer's m= lines") \
	X(NO_CODEC,       488, "no acceptable codec") \
	X(ARGUMENT,       500, "invalid argument")

enum sbc_sdp_err {
#define SBC_X_ENUM(e, status, text) SBC_SDP_E_##e,
	SBC_SDP_ERRORS(SBC_X_ENUM)
#undef SBC_X_ENUM
	SBC_SDP_E__COUNT
};

struct sbc_sdp_error {
	uint32_t code;           /* enum sbc_sdp_err */
	uint32_t line;           /* 1-based SDP line of the problem; 0 = whole body */
};

/** Fixed reason text of an error code; "unknown error" when out of range. */
const char *sbc_sdp_error_str(uint32_t code);

/** SIP status to answer with for an error code (400, 488, 500); 500 when out of range. */
int sbc_sdp_error_sip_status(uint32_t code);

/*
 * Direction of a stream from the point of view of the SDP's author, as
 * bits: SEND = the author sends, RECV = the author receives.  The values
 * are those of RFC 3264's attributes and of Sofia's sdp_mode_t.
 */
#define SBC_SDP_DIR_SEND     0x1u
#define SBC_SDP_DIR_RECV     0x2u
#define SBC_SDP_INACTIVE     0x0u
#define SBC_SDP_SENDONLY     SBC_SDP_DIR_SEND
#define SBC_SDP_RECVONLY     SBC_SDP_DIR_RECV
#define SBC_SDP_SENDRECV     (SBC_SDP_DIR_SEND | SBC_SDP_DIR_RECV)

enum sbc_sdp_media_type {
	SBC_SDP_MEDIA_AUDIO = 0,
	SBC_SDP_MEDIA_IMAGE = 1,   /* T.38 fax when the proto is udptl */
	SBC_SDP_MEDIA_OTHER = 2,   /* video, text, application, ...: never anchored */
};

enum sbc_sdp_proto {
	SBC_SDP_PROTO_RTP_AVP = 0,
	SBC_SDP_PROTO_RTP_SAVP = 1,
	SBC_SDP_PROTO_UDPTL = 2,
	SBC_SDP_PROTO_OTHER = 3,   /* RTP/AVPF, RTP/SAVPF, UDP/TLS/..., TCP, ...: never anchored */
};

/* One RTP payload type of an m= line. */
struct sbc_sdp_fmt {
	uint8_t pt;              /* 0..127 */
	uint8_t channels;        /* from a=rtpmap, 1 when absent */
	uint8_t rtpmap;          /* 1: a=rtpmap given; 0: static type, well-known name */
	uint8_t reserved;
	uint32_t clock;          /* Hz; 0 when unknown */
	uint16_t fmtp;           /* a=fmtp parameters (text offset), 0 = none */
	char name[SBC_SDP_NAME_MAX]; /* encoding name as written; "" = unknown */
};

/* One m= line with what applies to it (session-level defaults resolved). */
struct sbc_sdp_media {
	uint8_t type;            /* enum sbc_sdp_media_type */
	uint8_t proto;           /* enum sbc_sdp_proto */
	uint8_t dir;             /* SBC_SDP_* as signalled (media, else session attribute) */
	uint8_t dir_eff;         /* normalised: rejected -> inactive, hold address -> RECV removed */
	bool rejected;           /* port 0 */
	bool hold_addr;          /* c= is 0.0.0.0 or :: (RFC 2543 hold) */
	bool rtcp_mux;           /* a=rtcp-mux */
	uint8_t n_fmt;           /* RTP payload types in fmt[] (RTP protos only) */
	uint16_t port;           /* m= port */
	uint16_t rtcp_port;      /* a=rtcp port, 0 when absent (its address is ignored) */
	uint16_t ptime;          /* a=ptime in ms, 0 when absent */
	uint16_t maxptime;       /* a=maxptime in ms, 0 when absent */
	struct sbc_ip addr;      /* c= (media, else session); family 0 only when rejected */
	uint16_t type_name;      /* media type as written ("audio", "video"; text offset) */
	uint16_t proto_name;     /* proto as written (text offset) */
	uint16_t fmt_text;       /* first format of a non-RTP m= line ("t38"; text offset) */
	uint8_t n_crypto;
	uint8_t n_attr;
	uint16_t crypto[SBC_SDP_CRYPTO_MAX]; /* a=crypto values, secret (text offsets) */
	uint16_t attr[SBC_SDP_ATTR_MAX];     /* T38* attributes "name[:value]" (text offsets) */
	struct sbc_sdp_fmt fmt[SBC_SDP_FMT_MAX];
};

/* A parsed SDP body. */
struct sbc_sdp_desc {
	uint64_t o_id;           /* o= sess-id */
	uint64_t o_version;      /* o= sess-version */
	uint16_t o_user;         /* o= username (text offset) */
	uint8_t dir;             /* session-level direction attribute, SENDRECV when absent */
	uint8_t n_media;
	struct sbc_ip o_addr;    /* o= address when it is an IP literal, else family 0 */
	struct sbc_ip addr;      /* session-level c=, family 0 when absent */
	struct sbc_sdp_media media[SBC_SDP_MEDIA_MAX];
	uint16_t text_used;      /* bytes of text[] in use; text[0] is the empty string */
	char text[SBC_SDP_TEXT_MAX];
};

/** The string at arena offset @off of @d ("" for 0 or an offset out of range). */
const char *sbc_sdp_text(const struct sbc_sdp_desc *d, uint16_t off);

/**
 * Parse an SDP body (need not be NUL-terminated) into @d.
 *
 * Accepted: RFC 4566 SDP with CRLF or LF line ends, session- and
 * media-level c= with an IPv4 or IPv6 literal (0.0.0.0 and :: mean hold),
 * any number of a= attributes.  Refused: anything but v=0 first, unknown
 * line types, session lines after the first m=, missing or repeated o=,
 * control characters or NUL bytes, lines over SBC_SDP_LINE_MAX, bodies over
 * SBC_SDP_BODY_MAX, c= with a host name or a multicast address, m= with a
 * non-numeric or out-of-range port, a port count, no format or an RTP
 * payload type over 127, no m= line or more than SBC_SDP_MEDIA_MAX, c=
 * with a loopback, limited broadcast or "this network" (0/8 but 0.0.0.0)
 * address, c= 0.0.0.0 (or ::) with an explicit a=sendrecv or a=recvonly
 * on a line not rejected (not a hold: nobody receives there), and any body
 * Sofia's parser rejects.  Formats, a=crypto and T38 attributes past their
 * limits are ignored (a subset of an offer is still a valid offer), and so
 * is an a=rtpmap Sofia cannot parse (no clock rate, RFC 4475 esc01): its
 * payload type is then one without a=rtpmap, kept only if static.
 *
 * @d is overwritten (also on error; it is then empty).  @err (may be NULL)
 * gets the reason and the line; the reason never contains SDP text.
 * Returns 0, -EBADMSG (malformed: answer 400), -ENOTSUP (well-formed but
 * refused: answer 488), -E2BIG (too large: 488) or -ENOMEM (500); the
 * SIP status is also sbc_sdp_error_sip_status(err->code).  -EINVAL when
 * @d is NULL.
 */
int sbc_sdp_parse(struct sbc_sdp_desc *d, const char *body, size_t len,
		  struct sbc_sdp_error *err);

/** Zero @d, secrets included, in a way the compiler cannot elide. */
void sbc_sdp_desc_wipe(struct sbc_sdp_desc *d);

/**
 * The codec of a payload type: an enum sbc_codec from the table of
 * sbc_codec.h (audio codecs by encoding name, clock and channels: PCMU,
 * PCMA, G729, G722 at 8000 Hz mono; telephone-event and CN by name at any
 * clock), or -1 for any other encoding (SBC_CODEC_T38 is a media line,
 * never a payload type).
 */
int sbc_sdp_fmt_codec(const struct sbc_sdp_fmt *f);

/**
 * true when @m lists a payload type of @codec (enum sbc_codec); for
 * SBC_CODEC_T38, when @m is a T.38 stream (image, udptl, t38).  Use it on
 * the peer's last SDP to decide struct sbc_sdp_policy.cn_allowed.
 */
bool sbc_sdp_media_has_codec(const struct sbc_sdp_media *m, uint32_t codec);

/*
 * Per-trunk rules for what is sent to one leg (the trunk of that leg).
 * The B2BUA fills it from sbc_codec_policy_intersect() (codec_policy.h):
 * codecs/n_codecs from its list, or any_codec when it says any.
 */
struct sbc_sdp_policy {
	const uint32_t *codecs;  /* enum sbc_codec in preference order (sbc_cfg_trunk.codecs) */
	uint32_t n_codecs;
	bool any_codec;          /* no filter: codecs/n_codecs ignored; every payload type of the
				  * relayed SDP passes, known or not, in the peer's order with its
				  * rtpmap/fmtp; telephone-event passes; CN still per cn_allowed;
				  * T.38 passes */
	bool cn_allowed;         /* send CN (13 or dynamic) to this leg: only if the leg itself listed CN */
	bool strip_crypto;       /* drop the a=crypto lines of the SDP being relayed */
};

/*
 * Per m= line: the data plane endpoint that represents Rampart to the leg
 * the SDP is sent to, and what to advertise with it.
 */
struct sbc_sdp_media_out {
	struct sbc_api_addr local;   /* ALLOC_RESP.local: family and RTP port; port 0 = not anchored, reject */
	uint16_t local_rtcp_port;    /* ALLOC_RESP.local_rtcp_port; a=rtcp is sent when it is not port + 1 */
	bool rtcp_mux;               /* advertise a=rtcp-mux (in an answer only if the offer had it) */
	uint8_t proto;               /* offers: SBC_SDP_PROTO_RTP_AVP or _RTP_SAVP for audio; answers follow the offer */
	const char *const *crypto;   /* a=crypto values to add (after the relayed ones unless stripped) */
	uint32_t n_crypto;           /* each printable ASCII, 1..SBC_SDP_CRYPTO_LEN chars;
				      * SBC_SDP_CRYPTO_MAX lines in all; on an RTP/AVP line
				      * (best-effort SRTP, RFC 8643) only these, none relayed */
};

/*
 * The o= line Rampart owns toward one leg.  Every SDP sent to that leg
 * (offers and answers alike) carries the same username, sess-id and
 * address; sess-version starts at 1 and goes up by one exactly when the
 * SDP differs from the previous one sent to that leg (compared without its
 * o= line through a 64-bit FNV-1a digest), so a same-version re-offer is
 * answered with the same version.  A builder that succeeds has committed
 * the version: build only what will be sent.
 */
struct sbc_sdp_origin {
	uint64_t sess_id;        /* fixed for the leg; unique per leg (random is best) */
	uint64_t version;        /* of the last SDP built; 0 before the first */
	uint64_t last_digest;    /* digest of the last SDP built without its o= line */
	struct sbc_ip addr;      /* o= address: ours, on the leg's side; never the peer's */
};

/**
 * Start the o= state of a leg with @sess_id and our address @addr on that
 * leg's side (its media interface address, say).  Returns 0, or -EINVAL if
 * @addr is not IPv4 or IPv6.
 */
int sbc_sdp_origin_init(struct sbc_sdp_origin *o, uint64_t sess_id,
			const struct sbc_ip *addr);

/**
 * true when sbc_sdp_build_offer() would anchor m= line @m for a leg with
 * @pol: not rejected, audio over RTP/AVP or RTP/SAVP with at least one
 * allowed codec other than telephone-event and CN (with pol->any_codec:
 * any format with a name, a=rtpmap or a static type, that is neither), or
 * T.38 (image, udptl, t38) with SBC_CODEC_T38 allowed (always with
 * any_codec).  The B2BUA allocates data plane endpoints for these lines
 * only.
 */
bool sbc_sdp_media_wanted(const struct sbc_sdp_media *m,
			  const struct sbc_sdp_policy *pol);

/**
 * Build the offer to send to one leg from the SDP @in received from the
 * other leg (an offer, or in a late-offer call the answer that leg gave to
 * our template).  For each m= line i of @in with sbc_sdp_media_wanted() and
 * a non-zero out[i].local.port: c= and port from out[i], the allowed codecs
 * in @pol's preference order with @in's payload type numbers (CN only with
 * pol->cn_allowed; with pol->any_codec every format of @in that has a
 * name, in @in's order, codecs we do not know included, with their
 * rtpmap and fmtp), telephone-event and CN only at a clock rate of an
 * audio codec kept on the line, @in's direction normalised (c=0.0.0.0 becomes
 * sendonly or inactive; we never send c=0.0.0.0), ptime, maxptime,
 * a=rtcp/a=rtcp-mux and a=crypto per out[i] and @pol, proto out[i].proto
 * (T.38: udptl).  Every other line is sent rejected (port 0).  @n_out may
 * be less than in->n_media; missing entries mean not anchored.
 *
 * @o is the o= state of the leg sent to; @buf (@size bytes; a body never
 * exceeds SBC_SDP_BODY_MAX) receives the NUL-terminated body.  @sent (may
 * be NULL) receives the parsed form of that body, for
 * sbc_sdp_build_answer() and sbc_sdp_plan_media().  Returns the body
 * length, or -EINVAL (bad argument: NULL pointers, no address on @o, a bad
 * or one too many a=crypto value), -ENOSPC (@buf too small), -E2BIG (the
 * result would exceed SBC_SDP_BODY_MAX or SBC_SDP_TEXT_MAX), -ENOMEM;
 * @err (may be NULL) says which.  On error @o is unchanged.
 */
int sbc_sdp_build_offer(const struct sbc_sdp_desc *in,
			const struct sbc_sdp_policy *pol,
			const struct sbc_sdp_media_out *out, uint32_t n_out,
			struct sbc_sdp_origin *o, char *buf, size_t size,
			struct sbc_sdp_desc *sent, struct sbc_sdp_error *err);

/**
 * Build the answer to send to the offering leg from the offer it sent
 * (@offer_in), the offer we relayed to the other leg (@offer_out, the
 * @sent of sbc_sdp_build_offer()) and that leg's answer (@answer_in);
 * RFC 3264 section 6.  Per m= line: rejected (port 0) when any of the three
 * rejected it or out[i] is not anchored; else the codecs of @answer_in, in
 * its order, that were in @offer_out and are allowed by @pol (the
 * offering leg's trunk; with pol->any_codec every one, known or not, CN
 * still per pol->cn_allowed), numbered as in @offer_in (telephone-event
 * offered as 101 and answered as 96 is answered as 101; a dynamic type
 * is found by encoding name, clock and channels, its own number first),
 * telephone-event and CN only at the clock of a kept audio codec, with
 * @answer_in's fmtp,
 * ptime and maxptime; the direction @answer_in chose, limited to what
 * @offer_in allows (so sendonly is answered recvonly or inactive); proto
 * of @offer_in; a=rtcp-mux only if @offer_in had it and out[i].rtcp_mux.
 * A line whose codecs do not survive is rejected.
 *
 * @o, @buf, @size, @sent, @err and the return value as for
 * sbc_sdp_build_offer(); also -EPROTO when the three do not have the same
 * number of m= lines.
 */
int sbc_sdp_build_answer(const struct sbc_sdp_desc *offer_in,
			 const struct sbc_sdp_desc *offer_out,
			 const struct sbc_sdp_desc *answer_in,
			 const struct sbc_sdp_policy *pol,
			 const struct sbc_sdp_media_out *out, uint32_t n_out,
			 struct sbc_sdp_origin *o, char *buf, size_t size,
			 struct sbc_sdp_desc *sent, struct sbc_sdp_error *err);

/**
 * Build an offer of our own for a late-offer call (INVITE without SDP):
 * one audio m= line on endpoint @out with the audio codecs of @pol in its
 * order (PCMU 0, PCMA 8, G729 18, G722 9; telephone-event/8000 as
 * SBC_SDP_TE_PT with fmtp 0-15; CN 13 only with pol->cn_allowed; T38 is
 * left for a later re-INVITE), a=ptime:20, sendrecv.  With pol->any_codec
 * (no list to follow): PCMU, PCMA, G722, G729 and telephone-event/8000
 * (and CN with cn_allowed), in that order.  Otherwise as
 * sbc_sdp_build_offer(); -ENOTSUP (NO_CODEC) when @pol has no audio codec
 * other than telephone-event and CN.
 */
int sbc_sdp_build_template(const struct sbc_sdp_policy *pol,
			   const struct sbc_sdp_media_out *out,
			   struct sbc_sdp_origin *o, char *buf, size_t size,
			   struct sbc_sdp_desc *sent, struct sbc_sdp_error *err);

/**
 * Data plane flags (SBC_API_LEG_RECV, SBC_API_LEG_SEND) of a leg from the
 * normalised directions of the leg's SDP (@theirs_dir, its dir_eff) and of
 * ours to it (@ours_dir):
 *   RECV (accept media arriving from the leg's remote) when the leg sends
 *        (theirs has SEND) and we said we receive (ours has RECV);
 *   SEND (send media toward the leg's remote) when the leg receives
 *        (theirs has RECV) and we said we send (ours has SEND).
 * So a leg that offers sendonly (hold) gets RECV only; inactive or an
 * answer of inactive gives neither; c=0.0.0.0 removes the leg's RECV bit
 * before this (dir_eff), so nothing is sent toward 0.0.0.0.
 */
unsigned int sbc_sdp_leg_flags(unsigned int theirs_dir, unsigned int ours_dir);

/**
 * The data plane settings of m= line @idx once both legs have finished an
 * offer/answer: @a_theirs/@a_ours are the last SDP received from / sent to
 * leg A (whichever offered), @b_theirs/@b_ours the same for leg B.  Fills,
 * in @leg_a and @leg_b, only remote, remote_rtcp_port, flags, n_pt_map and
 * pt_map (endpoint_id, latching, SRTP are the caller's):
 *
 *  - remote: the leg's c= and m= port (none while it holds with
 *    c=0.0.0.0); remote_rtcp_port: its a=rtcp port, else port + 1, 0 with
 *    rtcp-mux or for T.38;
 *  - flags: sbc_sdp_leg_flags() of the leg, and SBC_API_LEG_RTCP_MUX when
 *    both its SDP and ours have a=rtcp-mux;
 *  - pt_map of a leg (applied to packets sent toward it): for every codec
 *    negotiated on both legs, to = the payload type the leg's own SDP gave
 *    it, from = the number we told the other leg to use and, when it
 *    differs and does not clash, the number the other leg's SDP gave it
 *    (peers that send with their own numbers).  Codecs are those of the
 *    SDPs, whatever the policy that built them: with any_codec, codecs we
 *    do not know (opus, a dynamic AMR) are mapped like the others, by
 *    encoding name, clock and channels, the same payload type first (one
 *    codec listed twice with different fmtp keeps both numbers apart).
 *    Codecs shared with the same number give identity entries; payload types not negotiated are
 *    absent, so the data plane drops them.  A leg with no common codec
 *    gets no SEND flag (an empty map would mean "no filter").  T.38 lines
 *    get no map.
 *
 * Returns 1 when the stream is active (anchored on both legs), 0 when it is
 * not (both legs then get flags 0, no remote and no map), -EINVAL when @idx
 * is past any description's m= lines, -ENOSPC when the codecs need more
 * than SBC_API_PT_MAP_MAX map entries.
 */
int sbc_sdp_plan_media(const struct sbc_sdp_desc *a_theirs,
		       const struct sbc_sdp_desc *a_ours,
		       const struct sbc_sdp_desc *b_theirs,
		       const struct sbc_sdp_desc *b_ours, uint32_t idx,
		       struct sbc_api_leg *leg_a, struct sbc_api_leg *leg_b);

#endif /* SBC_SDP_H */
