/* SPDX-License-Identifier: BSD-3-Clause
 * RTP/RTCP sanity checks and RFC 3550 receive statistics (sequence tracking
 * per A.1, cumulative loss per A.3, interarrival jitter per A.8).
 * Inline: called per packet by the worker that owns the stream.
 */
#ifndef SBC_DP_RTP_H
#define SBC_DP_RTP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

#define SBC_RTP_HDR_LEN 12
#define SBC_RTP_SEQ_MOD (1u << 16)
#define SBC_RTP_MAX_DROPOUT 3000
#define SBC_RTP_MAX_MISORDER 100
#define SBC_RTP_MIN_SEQUENTIAL 2

/*
 * Receive statistics of one source (RFC 3550 A.1/A.3/A.8), packed into 24
 * bytes so that they share the first cache line of a stream's state with
 * the latch and the counters.  Written by the owning worker only.
 */
#define SBC_RTP_WRAPS_MASK    0x7fffu   /* cycles: sequence wraps */
#define SBC_RTP_BAD_SEQ_VALID 0x8000u   /* cycles: bad_seq holds a value */

struct sbc_rtp_stats {
	uint32_t ssrc;
	uint32_t received;       /* packets counted by A.1; 0 = none yet */
	uint32_t transit;        /* last relative transit, timestamp units */
	uint32_t jitter;         /* A.8 estimate << 4, timestamp units */
	uint16_t max_seq;        /* highest sequence number seen */
	uint16_t cycles;         /* SBC_RTP_WRAPS_MASK | SBC_RTP_BAD_SEQ_VALID */
	uint16_t base_seq;
	uint16_t bad_seq;        /* expected next seq after a large jump */
};

/*
 * RTP header sanity: version 2, CSRC list, extension and padding inside the
 * payload.  Returns the payload type (0..127) or -1.
 */
static inline int sbc_rtp_check(const uint8_t *p, uint32_t len)
{
	uint32_t hlen;

	if (len < SBC_RTP_HDR_LEN || (p[0] >> 6) != 2)
		return -1;
	hlen = SBC_RTP_HDR_LEN + 4u * (p[0] & 0x0fu);
	if (p[0] & 0x10u) {             /* header extension */
		if (len < hlen + 4)
			return -1;
		hlen += 4 + 4u * (((uint32_t)p[hlen + 2] << 8) | p[hlen + 3]);
	}
	if (hlen > len)
		return -1;
	if ((p[0] & 0x20u) && (p[len - 1] == 0 || p[len - 1] > len - hlen))
		return -1;              /* padding count beyond the payload */
	return p[1] & 0x7f;
}

/*
 * RTCP compound packet sanity (RFC 3550 A.2): version 2, first packet SR or
 * RR (or any 192..223 type, RFC 5761 range), every length word inside the
 * datagram and the lengths adding up exactly.
 */
static inline bool sbc_rtcp_check(const uint8_t *p, uint32_t len)
{
	uint32_t off = 0;

	if (len < 8 || (p[1] < 192 || p[1] > 223))
		return false;
	while (off + 4 <= len) {
		uint32_t plen = 4u * ((((uint32_t)p[off + 2] << 8) | p[off + 3]) + 1);

		if ((p[off] >> 6) != 2 || off + plen > len)
			return false;
		off += plen;
	}
	return off == len;
}

/* RFC 5761: with rtcp-mux, packet types 192..223 (PT byte 64..95 masked) are RTCP. */
static inline bool sbc_rtp_is_muxed_rtcp(const uint8_t *p, uint32_t len)
{
	return len >= 2 && p[1] >= 192 && p[1] <= 223;
}

static inline void sbc_rtp_stats_init_seq(struct sbc_rtp_stats *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->cycles = 0;           /* no wraps, no bad_seq */
	s->received = 0;
}

/*
 * Account one packet: sequence per A.1 (a new SSRC restarts the tracking)
 * and jitter per A.8 with @arrival in timestamp units of the payload clock.
 */
static inline void sbc_rtp_stats_update(struct sbc_rtp_stats *s, const uint8_t *p,
					uint32_t arrival)
{
	uint16_t seq = (uint16_t)((p[2] << 8) | p[3]);
	uint32_t ts = ((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) |
		      ((uint32_t)p[6] << 8) | p[7];
	uint32_t ssrc = ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) |
			((uint32_t)p[10] << 8) | p[11];
	uint16_t udelta;
	uint32_t transit, d;

	if (s->received == 0 || ssrc != s->ssrc) {
		s->ssrc = ssrc;
		sbc_rtp_stats_init_seq(s, seq);
		s->received = 1;
		s->transit = arrival - ts;
		s->jitter = 0;
		return;
	}
	udelta = (uint16_t)(seq - s->max_seq);
	if (udelta < SBC_RTP_MAX_DROPOUT) {
		if (seq < s->max_seq)   /* wrapped */
			s->cycles = (uint16_t)((s->cycles & SBC_RTP_BAD_SEQ_VALID) |
					       ((s->cycles + 1u) & SBC_RTP_WRAPS_MASK));
		s->max_seq = seq;
	} else if (udelta <= SBC_RTP_SEQ_MOD - SBC_RTP_MAX_MISORDER) {
		/* A large jump: accept it as a restart when two in a row agree. */
		if ((s->cycles & SBC_RTP_BAD_SEQ_VALID) && seq == s->bad_seq) {
			sbc_rtp_stats_init_seq(s, seq);
		} else {
			s->bad_seq = (uint16_t)(seq + 1u);
			s->cycles |= SBC_RTP_BAD_SEQ_VALID;
			return;
		}
	}
	/* else: duplicate or reordered, counted below */
	if (++s->received == 0)
		s->received = 1;  /* 0 means "no packet": skip it on wrap */
	transit = arrival - ts;
	/* |D|, the difference taken as signed, in unsigned arithmetic (its
	 * INT32_MIN negated as int was undefined: the sender picks both sides) */
	d = transit - s->transit;
	if (d & 0x80000000u)
		d = 0u - d;
	s->transit = transit;
	/* J += (|D| - J) / 16, kept scaled by 16 as in A.8 */
	s->jitter += d - ((s->jitter + 8) >> 4);
}

/* Cumulative packets lost (A.3); negative values (duplicates) clamp to 0. */
static inline uint32_t sbc_rtp_stats_lost(const struct sbc_rtp_stats *s)
{
	int64_t expected;

	if (s->received == 0)
		return 0;
	expected = ((int64_t)(s->cycles & SBC_RTP_WRAPS_MASK) << 16) + s->max_seq -
		   s->base_seq + 1;
	return expected > s->received ? (uint32_t)(expected - s->received) : 0;
}

/* Jitter in timestamp units. */
static inline uint32_t sbc_rtp_stats_jitter(const struct sbc_rtp_stats *s)
{
	return s->jitter >> 4;
}

#endif /* SBC_DP_RTP_H */
