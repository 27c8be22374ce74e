/* SPDX-License-Identifier: BSD-3-Clause
 * The codecs Rampart knows by name: one X-macro list from which the enum,
 * the configuration names (trunks[].codecs), sbc_codec_name() and the SDP
 * tables of controlplane/sdp.c are generated, so a codec is added in one
 * place.  Codecs not in this list still pass a trunk without a codec filter
 * (controlplane/codec_policy.h); they just cannot be named in a filter.
 *
 * Threads: the table is constant; every function may run on any thread.
 */
#ifndef SBC_CODEC_H
#define SBC_CODEC_H

#include <stdbool.h>
#include <stdint.h>

/*
 * What a codec is to the media line it appears on.
 *   AUDIO: a voice codec (a call needs one);
 *   EVENT: RFC 4733 telephone-event, only next to an audio codec;
 *   CN:    RFC 3389 comfort noise, only next to an audio codec;
 *   IMAGE: a media line of its own (T.38 fax over UDPTL), never a payload type.
 */
enum sbc_codec_kind {
	SBC_CODEC_KIND_AUDIO = 0,
	SBC_CODEC_KIND_EVENT = 1,
	SBC_CODEC_KIND_CN = 2,
	SBC_CODEC_KIND_IMAGE = 3,
};

/*
 * X(ENUM, name in the config and in SDP, clock rate in Hz, channels,
 *   static RTP payload type or -1, kind).
 * The order fixes the enum values (PCMU = 0 ... T38 = 6): configs and the
 * B2BUA store them, so new codecs go at the end.  An AUDIO codec matches
 * an SDP format by name (case-insensitive), clock and channels; EVENT and
 * CN match by name at any clock (their clock here is the one our own
 * offers use).  G.722's 8000 is RFC 3551's historical clock, not its
 * sampling rate.
 */
#define SBC_CODECS(X) \
	X(PCMU,            "PCMU",            8000, 1, 0,  AUDIO) \
	X(PCMA,            "PCMA",            8000, 1, 8,  AUDIO) \
	X(G729,            "G729",            8000, 1, 18, AUDIO) \
	X(G722,            "G722",            8000, 1, 9,  AUDIO) \
	X(TELEPHONE_EVENT, "telephone-event", 8000, 1, -1, EVENT) \
	X(CN,              "CN",              8000, 1, 13, CN) \
	X(T38,             "T38",             0,    0, -1, IMAGE)

enum sbc_codec {
#define SBC_X_CODEC_ENUM(e, name, clock, channels, pt, kind) SBC_CODEC_##e,
	SBC_CODECS(SBC_X_CODEC_ENUM)
#undef SBC_X_CODEC_ENUM
	SBC_CODEC__COUNT
};

_Static_assert(SBC_CODEC_PCMU == 0 && SBC_CODEC_PCMA == 1 && SBC_CODEC_G729 == 2 &&
	       SBC_CODEC_G722 == 3 && SBC_CODEC_TELEPHONE_EVENT == 4 && SBC_CODEC_CN == 5 &&
	       SBC_CODEC_T38 == 6, "enum sbc_codec values are stored in configs: keep them");

/* One row of SBC_CODECS. */
struct sbc_codec_info {
	const char *name;        /* as written in the config and in a=rtpmap */
	uint32_t clock;          /* Hz; 0 for IMAGE */
	uint8_t channels;        /* 0 for IMAGE */
	int16_t static_pt;       /* RFC 3551 static payload type, -1 = dynamic or none */
	uint8_t kind;            /* enum sbc_codec_kind */
};

/**
 * The table row of @codec (an enum sbc_codec), or NULL when @codec is not
 * one (a number from outside the table is never trusted).
 */
const struct sbc_codec_info *sbc_codec_info(uint32_t codec);

/** Name of @codec as written in YAML and SDP ("PCMU", "telephone-event"); "?" if unknown. */
const char *sbc_codec_name(uint32_t codec);

/** true when @codec is a known codec of kind @kind (enum sbc_codec_kind). */
bool sbc_codec_is_kind(uint32_t codec, enum sbc_codec_kind kind);

#endif /* SBC_CODEC_H */
