/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests for controlplane/sdp.c: parsing real-world shaped SDP (our own
 * samples), refusing malformed bodies with fixed reasons, anchoring and
 * topology hiding, o= versions, codec filter, CN, telephone-event mapping
 * through offer/answer, no filter (any_codec: unknown codecs relayed and
 * mapped), telephone-event/CN clock rates, direction -> data plane flags,
 * late-offer template,
 * SRTP hook, and a fuzz loop over mutated samples (run it under ASan/UBSan
 * too: every description is heap-allocated at its exact size).
 *
 * Addresses: the peers use private and documentation addresses; Rampart's
 * data plane endpoints are in 198.18.0.0/15 and 2001:db8:18::/64, so an
 * output containing any peer address is a topology leak.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cunit_run.h"

#include "sbc_config.h"
#include "sdp.h"

/* Overridable for long runs: -DFUZZ_ITERATIONS=2000000 -DFUZZ_SEED=... */
#ifndef FUZZ_ITERATIONS
#define FUZZ_ITERATIONS 20000
#endif
#ifndef FUZZ_SEED
#define FUZZ_SEED       0x53445030u
#endif

/* Made-up SDES keys (random, never used anywhere). */
#define KEY1 "qqxW5zT+RhvzvwWo0H3lf6i9LRtahxBRlh8Iu9mx"
#define KEY2 "LnMl6F+g/r0l06OWjNPUiqAunbuzhWoutDCpJIsR"
#define KEY3 "DWk0pSSAYv/7gktcV5XZYudftFZBwT8jg5I3N4Ec"

/* An enterprise PBX offer: G.711 both laws, G.729, events, CN, RTCP port. */
static const char pbx_offer[] =
	"v=0\r\n"
	"o=PBX-UA 1699999999 1699999999 IN IP4 198.19.30.41\r\n"
	"s=Talk\r\n"
	"c=IN IP4 198.19.30.40\r\n"
	"b=AS:84\r\n"
	"t=0 0\r\n"
	"m=audio 16384 RTP/AVP 0 8 18 101 13\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:18 G729/8000\r\n"
	"a=fmtp:18 annexb=no\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=rtpmap:13 CN/8000\r\n"
	"a=ptime:20\r\n"
	"a=maxptime:40\r\n"
	"a=rtcp:16385 IN IP4 198.19.30.40\r\n"
	"a=silenceSupp:off - - - -\r\n"
	"a=sendrecv\r\n";

/* A carrier's IPv6 offer, LF line ends, static types without rtpmap. */
static const char ipv6_offer[] =
	"v=0\n"
	"o=- 3907 3907 IN IP6 fd00:10:20::41\n"
	"s=-\n"
	"c=IN IP6 fd00:10:20::40\n"
	"t=0 0\n"
	"m=audio 20000 RTP/AVP 8 0 101\n"
	"a=rtpmap:101 telephone-event/8000\n"
	"a=fmtp:101 0-15\n"
	"a=ptime:20\n";

/* rtcp-mux, media-level c= only. */
static const char mux_offer[] =
	"v=0\r\n"
	"o=softphone 11 12 IN IP4 198.19.5.9\r\n"
	"s=call\r\n"
	"t=0 0\r\n"
	"m=audio 30000 RTP/AVP 0 101\r\n"
	"c=IN IP4 198.19.5.9\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=rtcp:30000\r\n"
	"a=rtcp-mux\r\n"
	"a=sendrecv\r\n";

/* Hold, RFC 3264 style, media level. */
static const char hold_sendonly[] =
	"v=0\r\n"
	"o=PBX-UA 1699999999 1700000000 IN IP4 198.19.30.41\r\n"
	"s=Talk\r\n"
	"c=IN IP4 198.19.30.40\r\n"
	"t=0 0\r\n"
	"m=audio 16384 RTP/AVP 0 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=sendonly\r\n";

/* Inactive given at session level only. */
static const char hold_inactive[] =
	"v=0\r\n"
	"o=PBX-UA 1699999999 1700000001 IN IP4 198.19.30.41\r\n"
	"s=Talk\r\n"
	"c=IN IP4 198.19.30.40\r\n"
	"t=0 0\r\n"
	"a=inactive\r\n"
	"m=audio 16384 RTP/AVP 0 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n";

/* RFC 2543 hold: c=0.0.0.0, no direction attribute. */
static const char hold_zero[] =
	"v=0\r\n"
	"o=PBX-UA 1699999999 1700000002 IN IP4 198.19.30.41\r\n"
	"s=Talk\r\n"
	"c=IN IP4 0.0.0.0\r\n"
	"t=0 0\r\n"
	"m=audio 16384 RTP/AVP 0 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n";

/* Fax: T.38 over UDPTL after a re-INVITE. */
static const char t38_offer[] =
	"v=0\r\n"
	"o=gw 5 6 IN IP4 198.19.77.2\r\n"
	"s=fax\r\n"
	"c=IN IP4 198.19.77.2\r\n"
	"t=0 0\r\n"
	"m=image 40000 udptl t38\r\n"
	"a=T38FaxVersion:0\r\n"
	"a=T38MaxBitRate:14400\r\n"
	"a=T38FaxRateManagement:transferredTCF\r\n"
	"a=T38FaxMaxBuffer:262\r\n"
	"a=T38FaxMaxDatagram:176\r\n"
	"a=T38FaxUdpEC:t38UDPRedundancy\r\n";

/* Audio plus video: the video line must come out rejected. */
static const char video_offer[] =
	"v=0\r\n"
	"o=room 99 1 IN IP4 198.19.10.5\r\n"
	"s=-\r\n"
	"c=IN IP4 198.19.10.5\r\n"
	"t=0 0\r\n"
	"m=audio 5004 RTP/AVP 0 8 101\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"m=video 5006 RTP/AVP 96 97\r\n"
	"a=rtpmap:96 H264/90000\r\n"
	"a=fmtp:96 profile-level-id=42e01f\r\n"
	"a=rtpmap:97 VP8/90000\r\n"
	"a=sendrecv\r\n";

/* SDES-SRTP offer with two a=crypto lines. */
static const char srtp_offer[] =
	"v=0\r\n"
	"o=tls-pbx 7001 7001 IN IP4 198.18.99.7\r\n"
	"s=-\r\n"
	"c=IN IP4 198.18.99.7\r\n"
	"t=0 0\r\n"
	"m=audio 6000 RTP/SAVP 0 8 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY1 "|2^31\r\n"
	"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" KEY2 "|2^31\r\n"
	"a=sendrecv\r\n";

static const char *const samples[] = {
	pbx_offer, ipv6_offer, mux_offer, hold_sendonly, hold_inactive,
	hold_zero, t38_offer, video_offer, srtp_offer,
};
#define N_SAMPLES (sizeof(samples) / sizeof(samples[0]))

/* Addresses of the peers in the samples: none may reach the other side. */
static const char *const peer_addrs[] = {
	"198.19.30.", "fd00:10:20", "198.19.5.9", "192.168.", "198.18.99.7",
	"203.0.113.", "PBX-UA", "softphone", "Talk", "silenceSupp",
};

static const uint32_t codecs_all[] = {
	SBC_CODEC_PCMU, SBC_CODEC_PCMA, SBC_CODEC_G729, SBC_CODEC_G722,
	SBC_CODEC_TELEPHONE_EVENT, SBC_CODEC_CN, SBC_CODEC_T38,
};
static const uint32_t codecs_g711_te[] = {
	SBC_CODEC_PCMU, SBC_CODEC_PCMA, SBC_CODEC_TELEPHONE_EVENT,
};

static char out[SBC_SDP_BODY_MAX];
static char out2[SBC_SDP_BODY_MAX];

/* ---- helpers -------------------------------------------------------- */

static struct sbc_sdp_desc *
desc_new(void)
{
	struct sbc_sdp_desc *d = calloc(1, sizeof(*d));

	CU_ASSERT_FATAL(d != NULL);
	return d;
}

static int
parse_str(struct sbc_sdp_desc *d, const char *s, struct sbc_sdp_error *err)
{
	return sbc_sdp_parse(d, s, strlen(s), err);
}

static struct sbc_sdp_policy
policy(const uint32_t *codecs, uint32_t n, bool cn)
{
	struct sbc_sdp_policy p = { .codecs = codecs, .n_codecs = n, .cn_allowed = cn };

	return p;
}

/* A data plane endpoint 198.18.<net>.<host>:port, RTCP on port + 1. */
static struct sbc_sdp_media_out
ep4(uint8_t net, uint8_t host, uint16_t port)
{
	struct sbc_sdp_media_out mo;

	memset(&mo, 0, sizeof(mo));
	mo.local.family = SBC_API_AF_INET;
	mo.local.port = port;
	mo.local.ip[0] = 198;
	mo.local.ip[1] = 18;
	mo.local.ip[2] = net;
	mo.local.ip[3] = host;
	mo.local_rtcp_port = (uint16_t)(port + 1);
	return mo;
}

/* 2001:db8:18::<host>:port. */
static struct sbc_sdp_media_out
ep6(uint8_t host, uint16_t port)
{
	struct sbc_sdp_media_out mo;

	memset(&mo, 0, sizeof(mo));
	mo.local.family = SBC_API_AF_INET6;
	mo.local.port = port;
	mo.local.ip[0] = 0x20;
	mo.local.ip[1] = 0x01;
	mo.local.ip[2] = 0x0d;
	mo.local.ip[3] = 0xb8;
	mo.local.ip[5] = 0x18;
	mo.local.ip[15] = host;
	mo.local_rtcp_port = (uint16_t)(port + 1);
	return mo;
}

static struct sbc_sdp_origin
origin4(uint64_t id, uint8_t host)
{
	struct sbc_sdp_origin o;
	struct sbc_ip ip;

	CU_ASSERT_FATAL(sbc_ip_parse(&ip, "198.18.0.1") == 0);
	ip.bytes[3] = host;
	CU_ASSERT_FATAL(sbc_sdp_origin_init(&o, id, &ip) == 0);
	return o;
}

/* @line is one whole line of @body (CRLF ends, as we print them). */
static bool
has_line(const char *body, const char *line)
{
	size_t n = strlen(line);
	const char *p = body;

	while (p != NULL && *p != '\0') {
		const char *e = strstr(p, "\r\n");
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);

		if (len == n && memcmp(p, line, n) == 0)
			return true;
		p = e != NULL ? e + 2 : NULL;
	}
	return false;
}

static void
assert_no_peer_address(const char *body)
{
	size_t i;

	for (i = 0; i < sizeof(peer_addrs) / sizeof(peer_addrs[0]); i++) {
		if (strstr(body, peer_addrs[i]) != NULL) {
			fprintf(stderr, "\nleak of \"%s\" in:\n%s\n", peer_addrs[i], body);
			CU_FAIL("peer address or identity leaked");
		}
	}
}

static const struct sbc_sdp_fmt *
fmt_by_pt(const struct sbc_sdp_media *m, unsigned int pt)
{
	unsigned int i;

	for (i = 0; i < m->n_fmt; i++)
		if (m->fmt[i].pt == pt)
			return &m->fmt[i];
	return NULL;
}

/* "8 0 101": the payload types of @m in order. */
static const char *
pt_list(const struct sbc_sdp_media *m)
{
	static char buf[256];
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < m->n_fmt; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%u",
					 i ? " " : "", m->fmt[i].pt);
	return buf;
}

static int
map_to(const struct sbc_api_leg *leg, unsigned int from)
{
	unsigned int i;

	for (i = 0; i < leg->n_pt_map; i++)
		if (leg->pt_map[i].from == from)
			return leg->pt_map[i].to;
	return -1;
}

/* ---- parsing ------------------------------------------------------- */

static void
test_parse_pbx_offer(void)
{
	struct sbc_sdp_desc *d = desc_new();
	struct sbc_sdp_error err;
	const struct sbc_sdp_media *m;
	const struct sbc_sdp_fmt *f;
	struct sbc_ip ip;

	CU_ASSERT_EQUAL_FATAL(parse_str(d, pbx_offer, &err), 0);
	CU_ASSERT_EQUAL(err.code, SBC_SDP_E_OK);
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(d, d->o_user), "PBX-UA");
	CU_ASSERT_EQUAL(d->o_id, 1699999999u);
	CU_ASSERT_EQUAL(d->o_version, 1699999999u);
	sbc_ip_parse(&ip, "198.19.30.41");
	CU_ASSERT_TRUE(sbc_ip_equal(&d->o_addr, &ip));
	sbc_ip_parse(&ip, "198.19.30.40");
	CU_ASSERT_TRUE(sbc_ip_equal(&d->addr, &ip));
	CU_ASSERT_EQUAL(d->dir, SBC_SDP_SENDRECV);
	CU_ASSERT_EQUAL_FATAL(d->n_media, 1);
	m = &d->media[0];
	CU_ASSERT_EQUAL(m->type, SBC_SDP_MEDIA_AUDIO);
	CU_ASSERT_EQUAL(m->proto, SBC_SDP_PROTO_RTP_AVP);
	CU_ASSERT_EQUAL(m->port, 16384);
	CU_ASSERT_TRUE(sbc_ip_equal(&m->addr, &ip));
	CU_ASSERT_FALSE(m->rejected);
	CU_ASSERT_FALSE(m->hold_addr);
	CU_ASSERT_FALSE(m->rtcp_mux);
	CU_ASSERT_EQUAL(m->rtcp_port, 16385);
	CU_ASSERT_EQUAL(m->ptime, 20);
	CU_ASSERT_EQUAL(m->maxptime, 40);
	CU_ASSERT_EQUAL(m->dir, SBC_SDP_SENDRECV);
	CU_ASSERT_EQUAL(m->dir_eff, SBC_SDP_SENDRECV);
	CU_ASSERT_EQUAL(m->n_crypto, 0);
	CU_ASSERT_STRING_EQUAL(pt_list(m), "0 8 18 101 13");
	f = fmt_by_pt(m, 18);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_STRING_EQUAL(f->name, "G729");
	CU_ASSERT_EQUAL(f->clock, 8000);
	CU_ASSERT_EQUAL(f->channels, 1);
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(d, f->fmtp), "annexb=no");
	CU_ASSERT_EQUAL(sbc_sdp_fmt_codec(f), SBC_CODEC_G729);
	f = fmt_by_pt(m, 101);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_STRING_EQUAL(f->name, "telephone-event");
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(d, f->fmtp), "0-16");
	CU_ASSERT_EQUAL(sbc_sdp_fmt_codec(f), SBC_CODEC_TELEPHONE_EVENT);
	CU_ASSERT_EQUAL(sbc_sdp_fmt_codec(fmt_by_pt(m, 13)), SBC_CODEC_CN);
	CU_ASSERT_EQUAL(sbc_sdp_fmt_codec(fmt_by_pt(m, 0)), SBC_CODEC_PCMU);
	CU_ASSERT_EQUAL(sbc_sdp_fmt_codec(fmt_by_pt(m, 8)), SBC_CODEC_PCMA);
	CU_ASSERT_TRUE(sbc_sdp_media_has_codec(m, SBC_CODEC_CN));
	CU_ASSERT_FALSE(sbc_sdp_media_has_codec(m, SBC_CODEC_G722));
	CU_ASSERT_FALSE(sbc_sdp_media_has_codec(m, SBC_CODEC_T38));
	free(d);
}

static void
test_parse_ipv6(void)
{
	struct sbc_sdp_desc *d = desc_new();
	const struct sbc_sdp_media *m;
	struct sbc_ip ip;

	CU_ASSERT_EQUAL_FATAL(parse_str(d, ipv6_offer, NULL), 0);
	sbc_ip_parse(&ip, "fd00:10:20::40");
	CU_ASSERT_EQUAL(d->addr.family, 6);
	CU_ASSERT_TRUE(sbc_ip_equal(&d->addr, &ip));
	CU_ASSERT_EQUAL(d->o_addr.family, 6);
	m = &d->media[0];
	CU_ASSERT_TRUE(sbc_ip_equal(&m->addr, &ip));
	CU_ASSERT_EQUAL(m->port, 20000);
	CU_ASSERT_STRING_EQUAL(pt_list(m), "8 0 101");
	/* Static types without a=rtpmap get their well-known names. */
	CU_ASSERT_STRING_EQUAL(fmt_by_pt(m, 8)->name, "PCMA");
	CU_ASSERT_EQUAL(fmt_by_pt(m, 8)->rtpmap, 0);
	CU_ASSERT_EQUAL(fmt_by_pt(m, 101)->rtpmap, 1);
	CU_ASSERT_EQUAL(m->rtcp_port, 0);
	free(d);
}

static void
test_parse_rtcp_mux(void)
{
	struct sbc_sdp_desc *d = desc_new();
	struct sbc_ip ip;

	CU_ASSERT_EQUAL_FATAL(parse_str(d, mux_offer, NULL), 0);
	CU_ASSERT_EQUAL(d->addr.family, 0);   /* media-level c= only */
	sbc_ip_parse(&ip, "198.19.5.9");
	CU_ASSERT_TRUE(sbc_ip_equal(&d->media[0].addr, &ip));
	CU_ASSERT_TRUE(d->media[0].rtcp_mux);
	CU_ASSERT_EQUAL(d->media[0].rtcp_port, 30000);
	free(d);
}

static void
test_parse_hold_variants(void)
{
	static const char zero6[] =
		"v=0\r\no=x 1 1 IN IP6 fd00::1\r\ns=-\r\nc=IN IP6 ::\r\nt=0 0\r\n"
		"m=audio 9000 RTP/AVP 0\r\na=recvonly\r\n";
	struct sbc_sdp_desc *d = desc_new();

	CU_ASSERT_EQUAL_FATAL(parse_str(d, hold_sendonly, NULL), 0);
	CU_ASSERT_EQUAL(d->media[0].dir, SBC_SDP_SENDONLY);
	CU_ASSERT_EQUAL(d->media[0].dir_eff, SBC_SDP_SENDONLY);
	CU_ASSERT_FALSE(d->media[0].hold_addr);

	CU_ASSERT_EQUAL_FATAL(parse_str(d, hold_inactive, NULL), 0);
	CU_ASSERT_EQUAL(d->dir, SBC_SDP_INACTIVE);
	CU_ASSERT_EQUAL(d->media[0].dir, SBC_SDP_INACTIVE);
	CU_ASSERT_EQUAL(d->media[0].dir_eff, SBC_SDP_INACTIVE);

	/* c=0.0.0.0: the author cannot receive; sendrecv becomes sendonly. */
	CU_ASSERT_EQUAL_FATAL(parse_str(d, hold_zero, NULL), 0);
	CU_ASSERT_TRUE(d->media[0].hold_addr);
	CU_ASSERT_EQUAL(d->media[0].addr.family, 4);
	CU_ASSERT_EQUAL(d->media[0].dir, SBC_SDP_SENDRECV);
	CU_ASSERT_EQUAL(d->media[0].dir_eff, SBC_SDP_SENDONLY);

	/* c=:: with an explicit recvonly is no hold: it names no address (488). */
	CU_ASSERT_EQUAL(parse_str(d, zero6, NULL), -ENOTSUP);
	free(d);
}

static void
test_parse_t38(void)
{
	struct sbc_sdp_desc *d = desc_new();
	const struct sbc_sdp_media *m;

	CU_ASSERT_EQUAL_FATAL(parse_str(d, t38_offer, NULL), 0);
	m = &d->media[0];
	CU_ASSERT_EQUAL(m->type, SBC_SDP_MEDIA_IMAGE);
	CU_ASSERT_EQUAL(m->proto, SBC_SDP_PROTO_UDPTL);
	CU_ASSERT_EQUAL(m->port, 40000);
	CU_ASSERT_EQUAL(m->n_fmt, 0);
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(d, m->fmt_text), "t38");
	CU_ASSERT_EQUAL_FATAL(m->n_attr, 6);
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(d, m->attr[0]), "T38FaxVersion:0");
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(d, m->attr[5]), "T38FaxUdpEC:t38UDPRedundancy");
	CU_ASSERT_TRUE(sbc_sdp_media_has_codec(m, SBC_CODEC_T38));
	free(d);
}

static void
test_parse_video(void)
{
	struct sbc_sdp_desc *d = desc_new();

	CU_ASSERT_EQUAL_FATAL(parse_str(d, video_offer, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(d->n_media, 2);
	CU_ASSERT_EQUAL(d->media[0].type, SBC_SDP_MEDIA_AUDIO);
	CU_ASSERT_EQUAL(d->media[1].type, SBC_SDP_MEDIA_OTHER);
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(d, d->media[1].type_name), "video");
	CU_ASSERT_EQUAL(d->media[1].port, 5006);
	CU_ASSERT_STRING_EQUAL(pt_list(&d->media[1]), "96 97");
	CU_ASSERT_STRING_EQUAL(fmt_by_pt(&d->media[1], 96)->name, "H264");
	CU_ASSERT_EQUAL(fmt_by_pt(&d->media[1], 96)->clock, 90000);
	CU_ASSERT_EQUAL(sbc_sdp_fmt_codec(fmt_by_pt(&d->media[1], 96)), -1);
	free(d);
}

static void
test_parse_srtp(void)
{
	struct sbc_sdp_desc *d = desc_new();
	const struct sbc_sdp_media *m;

	CU_ASSERT_EQUAL_FATAL(parse_str(d, srtp_offer, NULL), 0);
	m = &d->media[0];
	CU_ASSERT_EQUAL(m->proto, SBC_SDP_PROTO_RTP_SAVP);
	CU_ASSERT_EQUAL_FATAL(m->n_crypto, 2);
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(d, m->crypto[0]),
			       "1 AES_CM_128_HMAC_SHA1_80 inline:" KEY1 "|2^31");
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(d, m->crypto[1]),
			       "2 AES_CM_128_HMAC_SHA1_32 inline:" KEY2 "|2^31");
	sbc_sdp_desc_wipe(d);
	CU_ASSERT_EQUAL(d->n_media, 0);
	CU_ASSERT_PTR_NULL(memmem(d, sizeof(*d), KEY1, strlen(KEY1)));
	free(d);
}

/* ---- malformed bodies ------------------------------------------------- */

#define HDR "v=0\r\no=x 1 1 IN IP4 198.18.9.1\r\ns=-\r\nc=IN IP4 198.18.9.1\r\nt=0 0\r\n"
#define CRYPTO_LINE "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY1 "\r\n"

static void
check_refused(const char *body, size_t len, uint32_t code, int status, uint32_t line)
{
	struct sbc_sdp_desc *d = desc_new();
	struct sbc_sdp_error err = { 99, 99 };
	const char *reason;
	int rc;

	rc = sbc_sdp_parse(d, body, len, &err);
	CU_ASSERT(rc < 0);
	if (err.code != code || err.line != line) {
		fprintf(stderr, "\nexpected %u line %u, got %u (%s) line %u for:\n%.*s\n",
			code, line, err.code, sbc_sdp_error_str(err.code), err.line,
			(int)(len > 300 ? 300 : len), body);
		CU_FAIL("wrong error");
	}
	CU_ASSERT_EQUAL(sbc_sdp_error_sip_status(err.code), status);
	CU_ASSERT_EQUAL(rc, status == 400 ? -EBADMSG : code == SBC_SDP_E_TOO_LARGE ? -E2BIG : -ENOTSUP);
	reason = sbc_sdp_error_str(err.code);
	CU_ASSERT_PTR_NULL(strstr(reason, "inline"));
	CU_ASSERT_PTR_NULL(strstr(reason, KEY1));
	CU_ASSERT_EQUAL(d->n_media, 0);
	CU_ASSERT_PTR_NULL(memmem(d, sizeof(*d), KEY1, strlen(KEY1)));
	free(d);
}

static void
check_refused_str(const char *body, uint32_t code, int status, uint32_t line)
{
	check_refused(body, strlen(body), code, status, line);
}

static void
test_malformed(void)
{
	static const struct {
		const char *body;
		uint32_t code;
		int status;
		uint32_t line;
	} cases[] = {
		/* missing or wrong v= */
		{ "o=x 1 1 IN IP4 198.18.9.1\r\ns=-\r\nm=audio 1 RTP/AVP 0\r\n",
		  SBC_SDP_E_NO_VERSION, 400, 1 },
		{ "v=1\r\n" "o=x 1 1 IN IP4 198.18.9.1\r\n", SBC_SDP_E_NO_VERSION, 400, 1 },
		{ "\r\n\r\n", SBC_SDP_E_EMPTY, 400, 0 },
		/* bad c= */
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 300.1.2.3\r\n", SBC_SDP_E_CONNECTION, 400, 7 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP4\r\n", SBC_SDP_E_CONNECTION, 400, 7 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP5 198.18.9.2\r\n", SBC_SDP_E_CONNECTION, 400, 7 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP6 198.18.9.2\r\n", SBC_SDP_E_CONNECTION, 400, 7 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=ATM NSAP 47.0005\r\n", SBC_SDP_E_CONNECTION, 400, 7 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 media.pbx.example\r\n", SBC_SDP_E_HOSTNAME, 488, 7 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 224.2.1.1/127\r\n", SBC_SDP_E_MULTICAST, 488, 7 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 239.1.1.1\r\n", SBC_SDP_E_MULTICAST, 488, 7 },
		/* addresses no peer receives on: media would go to us or to a LAN */
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 127.0.0.1\r\n", SBC_SDP_E_BAD_ADDRESS, 488, 6 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 127.10.0.9\r\n", SBC_SDP_E_BAD_ADDRESS, 488, 6 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 255.255.255.255\r\n",
		  SBC_SDP_E_BAD_ADDRESS, 488, 6 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 0.1.2.3\r\n", SBC_SDP_E_BAD_ADDRESS, 488, 6 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP6 ::1\r\n", SBC_SDP_E_BAD_ADDRESS, 488, 6 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP6 ::ffff:127.0.0.1\r\n",
		  SBC_SDP_E_BAD_ADDRESS, 488, 6 },
		{ "v=0\r\no=x 1 1 IN IP4 198.18.9.1\r\ns=-\r\nc=IN IP4 255.255.255.255\r\nt=0 0\r\n"
		  "m=audio 4000 RTP/AVP 0\r\n", SBC_SDP_E_BAD_ADDRESS, 488, 6 },
		/* 0.0.0.0 that claims to receive: not a hold, no address at all */
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\na=sendrecv\r\n",
		  SBC_SDP_E_UNSPECIFIED, 488, 6 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP6 ::\r\na=recvonly\r\n",
		  SBC_SDP_E_UNSPECIFIED, 488, 6 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nc=IN IP6 ff0e::1\r\n", SBC_SDP_E_MULTICAST, 488, 7 },
		/* bad port */
		{ HDR "m=audio 70000 RTP/AVP 0\r\n", SBC_SDP_E_MEDIA_PORT, 400, 6 },
		{ HDR "m=audio -1 RTP/AVP 0\r\n", SBC_SDP_E_MEDIA_PORT, 400, 6 },
		{ HDR "m=audio +4000 RTP/AVP 0\r\n", SBC_SDP_E_MEDIA_PORT, 400, 6 },
		{ HDR "m=audio 4x00 RTP/AVP 0\r\n", SBC_SDP_E_MEDIA_PORT, 400, 6 },
		{ HDR "m=audio 99999999999999999999999 RTP/AVP 0\r\n", SBC_SDP_E_MEDIA_PORT, 400, 6 },
		{ HDR "m=audio 4000/2 RTP/AVP 0\r\n", SBC_SDP_E_PORT_COUNT, 488, 6 },
		/* formats */
		{ HDR "m=audio 4000 RTP/AVP\r\n", SBC_SDP_E_NO_FORMATS, 400, 6 },
		{ HDR "m=audio 4000 RTP/AVP \r\n", SBC_SDP_E_NO_FORMATS, 400, 6 },
		{ HDR "m=audio 4000 RTP/AVP 0 128\r\n", SBC_SDP_E_PAYLOAD_TYPE, 400, 6 },
		{ HDR "m=audio 4000 RTP/AVP PCMU\r\n", SBC_SDP_E_PAYLOAD_TYPE, 400, 6 },
		{ HDR "m=audio 4000\r\n", SBC_SDP_E_MEDIA, 400, 6 },
		{ HDR "m=au(dio 4000 RTP/AVP 0\r\n", SBC_SDP_E_MEDIA, 400, 6 },
		/* o= */
		{ "v=0\r\ns=-\r\nc=IN IP4 198.18.9.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
		  SBC_SDP_E_ORIGIN, 400, 0 },
		{ HDR "o=y 2 2 IN IP4 198.18.9.1\r\nm=audio 4000 RTP/AVP 0\r\n", SBC_SDP_E_ORIGIN, 400, 6 },
		{ "v=0\r\no=x one 1 IN IP4 198.18.9.1\r\n", SBC_SDP_E_ORIGIN, 400, 2 },
		{ "v=0\r\no=x 1 1 IN IP4\r\n", SBC_SDP_E_ORIGIN, 400, 2 },
		/* structure */
		{ HDR, SBC_SDP_E_NO_MEDIA, 488, 0 },
		{ HDR "x=unknown\r\nm=audio 4000 RTP/AVP 0\r\n", SBC_SDP_E_UNKNOWN_TYPE, 400, 6 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nt=0 0\r\n", SBC_SDP_E_MISPLACED, 400, 7 },
		{ HDR "v=0\r\nm=audio 4000 RTP/AVP 0\r\n", SBC_SDP_E_MISPLACED, 400, 6 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\nwhat\r\n", SBC_SDP_E_BAD_LINE, 400, 7 },
		{ HDR " m=audio 4000 RTP/AVP 0\r\n", SBC_SDP_E_BAD_LINE, 400, 6 },
		{ HDR "M=audio 4000 RTP/AVP 0\r\n", SBC_SDP_E_BAD_LINE, 400, 6 },
		{ "v=0\r\no=x 1 1 IN IP4 198.18.9.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
		  SBC_SDP_E_NO_CONNECTION, 400, 5 },
		{ HDR "m=audio 1 RTP/AVP 0\r\nm=audio 2 RTP/AVP 0\r\nm=audio 3 RTP/AVP 0\r\n"
		  "m=audio 4 RTP/AVP 0\r\nm=audio 5 RTP/AVP 0\r\nm=audio 6 RTP/AVP 0\r\n"
		  "m=audio 7 RTP/AVP 0\r\nm=audio 8 RTP/AVP 0\r\nm=audio 9 RTP/AVP 0\r\n",
		  SBC_SDP_E_TOO_MANY_MEDIA, 488, 14 },
		/* garbage */
		{ HDR "m=audio 4000 RTP/AVP 0\r\na=x\x01y\r\n", SBC_SDP_E_CONTROL_CHAR, 400, 7 },
		{ HDR "m=audio 4000 RTP/AVP 0\ra=sendonly\r\n", SBC_SDP_E_CONTROL_CHAR, 400, 6 },
		{ HDR "m=audio 4000 RTP/AVP 0\r\n\xff\xfe\x80\x81\r\n", SBC_SDP_E_BAD_LINE, 400, 7 },
		{ "\x89PNG\r\n\x1a\n", SBC_SDP_E_BAD_LINE, 400, 1 },
		/* Sofia's own field checks: reason stays generic, no text quoted */
		{ "v=0\r\no=x 1 1 IN IP4 198.18.9.1\r\ns=-\r\nc=IN IP4 198.18.9.1\r\nt=soon\r\n"
		  "m=audio 4000 RTP/AVP 0\r\n", SBC_SDP_E_SYNTAX, 400, 0 },
		{ HDR "b=AS\r\nm=audio 4000 RTP/AVP 0\r\n", SBC_SDP_E_SYNTAX, 400, 0 },
		/* refusals with a key in the body: the reason never carries it */
		{ HDR "m=audio 4000 RTP/SAVP 0\r\n" CRYPTO_LINE "c=IN IP4 198.18.9.300\r\n",
		  SBC_SDP_E_CONNECTION, 400, 8 },
		{ HDR "m=audio 4000 RTP/SAVP 0\r\n" CRYPTO_LINE "a=crypto:2 \x02" KEY1 "\r\n",
		  SBC_SDP_E_CONTROL_CHAR, 400, 8 },
		{ HDR "m=audio 4000 RTP/SAVP 0\r\n" CRYPTO_LINE "crypto:2 inline:" KEY1 "\r\n",
		  SBC_SDP_E_BAD_LINE, 400, 8 },
	};
	static const char nul_body[] = HDR "m=audio 4000 RTP/AVP 0\r\na=x\0y\r\n";
	char *big;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_refused_str(cases[i].body, cases[i].code, cases[i].status, cases[i].line);
	check_refused(nul_body, sizeof(nul_body) - 1, SBC_SDP_E_NUL_BYTE, 400, 7);
	check_refused("", 0, SBC_SDP_E_EMPTY, 400, 0);

	/* Over-long line, and an over-long body. */
	big = malloc(SBC_SDP_BODY_MAX + 64);
	CU_ASSERT_FATAL(big != NULL);
	snprintf(big, SBC_SDP_BODY_MAX, HDR "m=audio 4000 RTP/AVP 0\r\na=");
	memset(big + strlen(big), 'x', SBC_SDP_LINE_MAX);
	big[strlen(HDR "m=audio 4000 RTP/AVP 0\r\na=") + SBC_SDP_LINE_MAX] = '\0';
	strcat(big, "\r\n");
	check_refused_str(big, SBC_SDP_E_LINE_TOO_LONG, 400, 7);
	memset(big, 'a', SBC_SDP_BODY_MAX + 1);
	check_refused(big, SBC_SDP_BODY_MAX + 1, SBC_SDP_E_TOO_LARGE, 488, 0);
	free(big);

	/* NULL body, NULL description */
	CU_ASSERT_EQUAL(sbc_sdp_parse(NULL, pbx_offer, strlen(pbx_offer), NULL), -EINVAL);
}

/* Every prefix of the SRTP offer: refused or accepted, never a crash or a key in a reason. */
static void
test_truncated(void)
{
	struct sbc_sdp_desc *d = desc_new();
	struct sbc_sdp_error err;
	size_t len = strlen(srtp_offer), cut, refused = 0, accepted = 0;

	for (cut = 0; cut <= len; cut++) {
		if (sbc_sdp_parse(d, srtp_offer, cut, &err) == 0) {
			accepted++;
			CU_ASSERT(d->n_media == 1);
		} else {
			refused++;
			CU_ASSERT_PTR_NULL(strstr(sbc_sdp_error_str(err.code), KEY1));
			CU_ASSERT(err.code > SBC_SDP_E_OK && err.code < SBC_SDP_E__COUNT);
		}
	}
	/* Everything before the formats of the m= line is refused. */
	CU_ASSERT(refused >= (size_t)(strstr(srtp_offer, "RTP/SAVP 0") - srtp_offer) + 9);
	CU_ASSERT(accepted > 0);
	/* Specific cut points give specific reasons. */
	CU_ASSERT_NOT_EQUAL(sbc_sdp_parse(d, srtp_offer, (size_t)(strstr(srtp_offer, "99.7\r\nt=") - srtp_offer) - 2, &err), 0);
	CU_ASSERT_EQUAL(err.code, SBC_SDP_E_CONNECTION);
	CU_ASSERT_NOT_EQUAL(sbc_sdp_parse(d, srtp_offer, (size_t)(strstr(srtp_offer, "SAVP") - srtp_offer) + 2, &err), 0);
	CU_ASSERT_EQUAL(err.code, SBC_SDP_E_NO_FORMATS);
	CU_ASSERT_NOT_EQUAL(sbc_sdp_parse(d, srtp_offer, (size_t)(strstr(srtp_offer, "m=audio") - srtp_offer), &err), 0);
	CU_ASSERT_EQUAL(err.code, SBC_SDP_E_NO_MEDIA);
	free(d);
}

static void
test_error_table(void)
{
	uint32_t i;

	for (i = 0; i < SBC_SDP_E__COUNT; i++) {
		int st = sbc_sdp_error_sip_status(i);

		CU_ASSERT(strlen(sbc_sdp_error_str(i)) > 0);
		CU_ASSERT(i == SBC_SDP_E_OK ? st == 0 : (st == 400 || st == 488 || st == 500));
	}
	CU_ASSERT_STRING_EQUAL(sbc_sdp_error_str(SBC_SDP_E__COUNT), "unknown error");
	CU_ASSERT_EQUAL(sbc_sdp_error_sip_status(SBC_SDP_E__COUNT + 5), 500);
}

/* ---- anchoring and topology hiding ------------------------------------- */

static void
test_anchor_exact(void)
{
	static const char expected[] =
		"v=0\r\n"
		"o=rampart 4242 1 IN IP4 198.18.0.1\r\n"
		"s=-\r\n"
		"c=IN IP4 198.18.1.10\r\n"
		"t=0 0\r\n"
		"m=audio 40000 RTP/AVP 8 0 101\r\n"
		"a=rtpmap:8 PCMA/8000\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=fmtp:101 0-16\r\n"
		"a=sendrecv\r\n"
		"a=ptime:20\r\n"
		"a=maxptime:40\r\n";
	static const uint32_t codecs[] = {
		SBC_CODEC_PCMA, SBC_CODEC_PCMU, SBC_CODEC_TELEPHONE_EVENT,
	};
	struct sbc_sdp_desc *in = desc_new(), *sent = desc_new();
	struct sbc_sdp_policy pol = policy(codecs, 3, false);
	struct sbc_sdp_media_out mo = ep4(1, 10, 40000);
	struct sbc_sdp_origin o = origin4(4242, 1);
	int n;

	CU_ASSERT_EQUAL_FATAL(parse_str(in, pbx_offer, NULL), 0);
	CU_ASSERT_TRUE(sbc_sdp_media_wanted(&in->media[0], &pol));
	n = sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL);
	CU_ASSERT_EQUAL_FATAL(n, (int)strlen(expected));
	CU_ASSERT_STRING_EQUAL(out, expected);
	CU_ASSERT_EQUAL(sent->media[0].port, 40000);
	CU_ASSERT_EQUAL(o.version, 1);
	free(in);
	free(sent);
}

static void
test_anchor_all_samples(void)
{
	static const uint32_t codecs[] = {
		SBC_CODEC_PCMU, SBC_CODEC_PCMA, SBC_CODEC_TELEPHONE_EVENT, SBC_CODEC_T38,
	};
	struct sbc_sdp_desc *in = desc_new(), *sent = desc_new();
	struct sbc_sdp_policy pol = policy(codecs, 4, false);
	size_t s;

	for (s = 0; s < N_SAMPLES; s++) {
		struct sbc_sdp_media_out mo[SBC_SDP_MEDIA_MAX];
		struct sbc_sdp_origin o = origin4(1000 + s, 1);
		unsigned int i;
		int n;

		CU_ASSERT_EQUAL_FATAL(parse_str(in, samples[s], NULL), 0);
		for (i = 0; i < in->n_media; i++)
			mo[i] = (s & 1) ? ep6((uint8_t)(10 + i), (uint16_t)(40000 + 2 * i)) :
					  ep4(1, (uint8_t)(10 + i), (uint16_t)(40000 + 2 * i));
		n = sbc_sdp_build_offer(in, &pol, mo, in->n_media, &o, out, sizeof(out), sent, NULL);
		CU_ASSERT_FATAL(n > 0);
		assert_no_peer_address(out);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "o=rampart "));
		CU_ASSERT_PTR_NULL(strstr(out, "b="));
		CU_ASSERT_PTR_NULL(strstr(out, "0.0.0.0"));
		CU_ASSERT_EQUAL_FATAL(sent->n_media, in->n_media);
		for (i = 0; i < in->n_media; i++) {
			const struct sbc_sdp_media *m = &sent->media[i];

			if (m->rejected)
				continue;
			/* Every anchored line: our endpoint, our family. */
			CU_ASSERT_EQUAL(m->port, 40000 + 2 * i);
			CU_ASSERT_EQUAL(m->addr.family, (s & 1) ? 6 : 4);
			CU_ASSERT_EQUAL(memcmp(m->addr.bytes, mo[i].local.ip, m->addr.family == 6 ? 16 : 4), 0);
			CU_ASSERT_FALSE(m->hold_addr);
		}
		CU_ASSERT_FALSE(sent->media[0].rejected);
		CU_ASSERT_EQUAL(sent->o_addr.family, 4);
	}
	free(in);
	free(sent);
}

static void
test_anchor_media_lines(void)
{
	static const char mixed[] =
		"v=0\r\n"
		"o=gw 5 6 IN IP4 198.19.77.2\r\n"
		"s=-\r\n"
		"c=IN IP4 198.19.77.2\r\n"
		"t=0 0\r\n"
		"m=audio 4000 RTP/AVP 0 8\r\n"
		"a=rtcp:4009 IN IP4 198.19.77.3\r\n"
		"m=video 4002 RTP/AVP 96\r\n"
		"a=rtpmap:96 H264/90000\r\n"
		"m=image 4004 udptl t38\r\n"
		"c=IN IP4 198.19.77.9\r\n"
		"a=T38FaxVersion:0\r\n"
		"a=T38FaxUdpEC:t38UDPRedundancy\r\n"
		"m=audio 0 RTP/AVP 18\r\n"
		"m=audio 4008 RTP/AVPF 0\r\n"
		"m=text 4010 RTP/AVP 98\r\n"
		"a=rtpmap:98 t140/1000\r\n";
	static const uint32_t codecs[] = { SBC_CODEC_PCMU, SBC_CODEC_T38 };
	struct sbc_sdp_desc *in = desc_new(), *sent = desc_new();
	struct sbc_sdp_policy pol = policy(codecs, 2, false);
	struct sbc_sdp_media_out mo[6];
	struct sbc_sdp_origin o = origin4(7, 1);
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(parse_str(in, mixed, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(in->n_media, 6);
	for (i = 0; i < 6; i++)
		mo[i] = ep4(2, 20, (uint16_t)(42000 + 10 * i));
	mo[0].local_rtcp_port = 42005;     /* a non-default RTCP port */
	mo[2] = ep6(30, 42020);            /* T.38 endpoint on another address */
	CU_ASSERT_TRUE(sbc_sdp_media_wanted(&in->media[0], &pol));
	CU_ASSERT_FALSE(sbc_sdp_media_wanted(&in->media[1], &pol));
	CU_ASSERT_TRUE(sbc_sdp_media_wanted(&in->media[2], &pol));
	CU_ASSERT_FALSE(sbc_sdp_media_wanted(&in->media[3], &pol));
	CU_ASSERT_FALSE(sbc_sdp_media_wanted(&in->media[4], &pol));
	CU_ASSERT_FALSE(sbc_sdp_media_wanted(&in->media[5], &pol));
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, mo, 6, &o, out, sizeof(out), sent, NULL) > 0);
	assert_no_peer_address(out);
	CU_ASSERT_TRUE(has_line(out, "c=IN IP4 198.18.2.20"));
	CU_ASSERT_TRUE(has_line(out, "m=audio 42000 RTP/AVP 0"));
	CU_ASSERT_TRUE(has_line(out, "a=rtcp:42005"));
	CU_ASSERT_TRUE(has_line(out, "m=video 0 RTP/AVP 96"));
	CU_ASSERT_TRUE(has_line(out, "m=image 42020 udptl t38"));
	CU_ASSERT_TRUE(has_line(out, "c=IN IP6 2001:db8:18::1e"));
	CU_ASSERT_TRUE(has_line(out, "a=T38FaxVersion:0"));
	CU_ASSERT_TRUE(has_line(out, "a=T38FaxUdpEC:t38UDPRedundancy"));
	CU_ASSERT_TRUE(has_line(out, "m=audio 0 RTP/AVP 18"));
	CU_ASSERT_TRUE(has_line(out, "m=audio 0 RTP/AVPF 0"));
	CU_ASSERT_TRUE(has_line(out, "m=text 0 RTP/AVP 98"));
	CU_ASSERT_PTR_NULL(strstr(out, "H264"));
	CU_ASSERT_PTR_NULL(strstr(out, "t140"));
	CU_ASSERT_EQUAL_FATAL(sent->n_media, 6);
	CU_ASSERT_FALSE(sent->media[0].rejected);
	CU_ASSERT_TRUE(sent->media[1].rejected);
	CU_ASSERT_FALSE(sent->media[2].rejected);
	CU_ASSERT_EQUAL(sent->media[2].addr.family, 6);
	CU_ASSERT_TRUE(sent->media[3].rejected);
	CU_ASSERT_TRUE(sent->media[4].rejected);
	CU_ASSERT_TRUE(sent->media[5].rejected);

	/* No endpoint for a wanted line (port 0): rejected as well. */
	mo[0].local.port = 0;
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, mo, 6, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_TRUE(sent->media[0].rejected);
	CU_ASSERT_TRUE(has_line(out, "m=audio 0 RTP/AVP 0"));
	/* Fewer endpoints than lines: the rest is rejected. */
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	for (i = 0; i < 6; i++)
		CU_ASSERT_TRUE(sent->media[i].rejected);
	/* With everything rejected, c= is our own origin address. */
	CU_ASSERT_TRUE(has_line(out, "c=IN IP4 198.18.0.1"));
	free(in);
	free(sent);
}

static void
test_anchor_ipv6_to_ipv4(void)
{
	struct sbc_sdp_desc *in = desc_new(), *sent = desc_new();
	struct sbc_sdp_policy pol = policy(codecs_g711_te, 3, false);
	struct sbc_sdp_media_out mo = ep4(1, 10, 40000);
	struct sbc_sdp_origin o6, o4 = origin4(5, 1);
	struct sbc_ip ip;

	CU_ASSERT_EQUAL_FATAL(parse_str(in, ipv6_offer, NULL), 0);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o4, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "c=IN IP4 198.18.1.10"));
	CU_ASSERT_PTR_NULL(strstr(out, "IP6"));
	assert_no_peer_address(out);

	CU_ASSERT_EQUAL_FATAL(parse_str(in, pbx_offer, NULL), 0);
	sbc_ip_parse(&ip, "2001:db8:18::1");
	CU_ASSERT_EQUAL_FATAL(sbc_sdp_origin_init(&o6, 6, &ip), 0);
	mo = ep6(10, 40000);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o6, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "o=rampart 6 1 IN IP6 2001:db8:18::1"));
	CU_ASSERT_TRUE(has_line(out, "c=IN IP6 2001:db8:18::a"));
	CU_ASSERT_PTR_NULL(strstr(out, "IP4"));
	assert_no_peer_address(out);
	CU_ASSERT_EQUAL(sent->media[0].addr.family, 6);

	/* An origin needs an address. */
	memset(&ip, 0, sizeof(ip));
	CU_ASSERT_EQUAL(sbc_sdp_origin_init(&o6, 6, &ip), -EINVAL);
	free(in);
	free(sent);
}

/* ---- o= versions -------------------------------------------------------- */

static void
test_origin_versions(void)
{
	struct sbc_sdp_desc *in = desc_new(), *sent = desc_new();
	struct sbc_sdp_policy pol = policy(codecs_g711_te, 3, false);
	struct sbc_sdp_media_out mo = ep4(1, 10, 40000);
	struct sbc_sdp_origin o = origin4(777, 1);
	struct sbc_sdp_error err;
	char tiny[64];

	CU_ASSERT_EQUAL_FATAL(parse_str(in, pbx_offer, NULL), 0);
	CU_ASSERT_EQUAL(o.version, 0);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "o=rampart 777 1 IN IP4 198.18.0.1"));
	CU_ASSERT_EQUAL(sent->o_id, 777);
	CU_ASSERT_EQUAL(sent->o_version, 1);

	/* Same-version re-offer (session refresh): same SDP, same version. */
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out2, sizeof(out2), sent, NULL) > 0);
	CU_ASSERT_STRING_EQUAL(out, out2);
	CU_ASSERT_EQUAL(sent->o_version, 1);

	/* The peer bumps its own version without changing anything we send. */
	CU_ASSERT_EQUAL_FATAL(parse_str(in, hold_sendonly, NULL), 0);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_EQUAL(sent->o_version, 2);   /* hold changed our SDP */
	CU_ASSERT_TRUE(has_line(out, "a=sendonly"));
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_EQUAL(sent->o_version, 2);

	/* A new data plane port is a change. */
	mo.local.port = 40100;
	mo.local_rtcp_port = 40101;
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_EQUAL(sent->o_version, 3);

	/* A failed build changes nothing. */
	CU_ASSERT_EQUAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, tiny, sizeof(tiny), sent, &err), -ENOSPC);
	CU_ASSERT_EQUAL(err.code, SBC_SDP_E_BUFFER);
	CU_ASSERT_EQUAL(o.version, 3);

	/* Resume: back to sendrecv is a change again; the id never changes. */
	CU_ASSERT_EQUAL_FATAL(parse_str(in, pbx_offer, NULL), 0);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_EQUAL(sent->o_version, 4);
	CU_ASSERT_EQUAL(sent->o_id, 777);
	CU_ASSERT_TRUE(has_line(out, "a=sendrecv"));
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(sent, sent->o_user), SBC_SDP_USERNAME);
	free(in);
	free(sent);
}

/* ---- codec filter and CN ---------------------------------------------- */

static void
test_codec_filter(void)
{
	static const uint32_t pref[] = { SBC_CODEC_PCMA, SBC_CODEC_G729, SBC_CODEC_PCMU };
	static const uint32_t only_g729[] = { SBC_CODEC_G729, SBC_CODEC_TELEPHONE_EVENT };
	static const uint32_t only_te[] = { SBC_CODEC_TELEPHONE_EVENT, SBC_CODEC_CN };
	static const uint32_t only_g722[] = { SBC_CODEC_G722 };
	struct sbc_sdp_desc *in = desc_new(), *sent = desc_new();
	struct sbc_sdp_policy pol = policy(pref, 3, false);
	struct sbc_sdp_media_out mo = ep4(1, 10, 40000);
	struct sbc_sdp_origin o = origin4(1, 1);

	CU_ASSERT_EQUAL_FATAL(parse_str(in, pbx_offer, NULL), 0);
	/* Reordered by preference, telephone-event dropped (not allowed). */
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_STRING_EQUAL(pt_list(&sent->media[0]), "8 18 0");
	CU_ASSERT_TRUE(has_line(out, "m=audio 40000 RTP/AVP 8 18 0"));
	CU_ASSERT_TRUE(has_line(out, "a=fmtp:18 annexb=no"));
	CU_ASSERT_PTR_NULL(strstr(out, "telephone-event"));

	pol = policy(only_g729, 2, false);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_STRING_EQUAL(pt_list(&sent->media[0]), "18 101");

	/* Events and comfort noise alone are no call: rejected. */
	pol = policy(only_te, 2, true);
	CU_ASSERT_FALSE(sbc_sdp_media_wanted(&in->media[0], &pol));
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_TRUE(sent->media[0].rejected);
	CU_ASSERT_TRUE(has_line(out, "m=audio 0 RTP/AVP 0"));

	/* No codec in common. */
	pol = policy(only_g722, 1, false);
	CU_ASSERT_FALSE(sbc_sdp_media_wanted(&in->media[0], &pol));
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_TRUE(sent->media[0].rejected);

	/* Unknown codec numbers in the policy are ignored, not trusted. */
	{
		static const uint32_t odd[] = { 99, SBC_CODEC_PCMU, 1000 };

		pol = policy(odd, 3, false);
		CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
		CU_ASSERT_STRING_EQUAL(pt_list(&sent->media[0]), "0");
	}
	free(in);
	free(sent);
}

static void
test_cn(void)
{
	static const char dyn_cn[] =
		"v=0\r\no=x 1 1 IN IP4 198.19.30.41\r\ns=-\r\nc=IN IP4 198.19.30.40\r\nt=0 0\r\n"
		"m=audio 16384 RTP/AVP 0 98 101\r\n"
		"a=rtpmap:98 CN/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
	static const char answer_cn[] =
		"v=0\r\no=carrier 1 1 IN IP4 203.0.113.50\r\ns=-\r\nc=IN IP4 203.0.113.50\r\nt=0 0\r\n"
		"m=audio 50000 RTP/AVP 0 13 101\r\n"
		"a=rtpmap:13 CN/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
	static const char no_cn_offer[] =
		"v=0\r\no=x 1 1 IN IP4 198.19.30.41\r\ns=-\r\nc=IN IP4 198.19.30.40\r\nt=0 0\r\n"
		"m=audio 16384 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";
	struct sbc_sdp_desc *in = desc_new(), *sent = desc_new(), *ans = desc_new();
	struct sbc_sdp_policy pol = policy(codecs_all, 7, false);
	struct sbc_sdp_media_out mo = ep4(1, 10, 40000), mo_a = ep4(1, 11, 41000);
	struct sbc_sdp_origin o = origin4(1, 1), oa = origin4(2, 1);

	CU_ASSERT_EQUAL_FATAL(parse_str(in, pbx_offer, NULL), 0);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_PTR_NULL(fmt_by_pt(&sent->media[0], 13));
	CU_ASSERT_PTR_NULL(strstr(out, "CN/"));
	pol.cn_allowed = true;
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_PTR_NOT_NULL(fmt_by_pt(&sent->media[0], 13));
	CU_ASSERT_TRUE(has_line(out, "a=rtpmap:13 CN/8000"));

	/* Dynamic CN is CN too. */
	CU_ASSERT_EQUAL_FATAL(parse_str(in, dyn_cn, NULL), 0);
	CU_ASSERT_TRUE(sbc_sdp_media_has_codec(&in->media[0], SBC_CODEC_CN));
	pol.cn_allowed = false;
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_STRING_EQUAL(pt_list(&sent->media[0]), "0 101");
	pol.cn_allowed = true;
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_STRING_EQUAL(pt_list(&sent->media[0]), "0 101 98");

	/* The answerer adds CN; the offerer never listed it: not in its answer. */
	CU_ASSERT_EQUAL_FATAL(parse_str(in, no_cn_offer, NULL), 0);
	pol.cn_allowed = sbc_sdp_media_has_codec(&in->media[0], SBC_CODEC_CN);
	CU_ASSERT_FALSE(pol.cn_allowed);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_EQUAL_FATAL(parse_str(ans, answer_cn, NULL), 0);
	pol.cn_allowed = true;  /* even with the flag, the offer had none */
	CU_ASSERT_FATAL(sbc_sdp_build_answer(in, sent, ans, &pol, &mo_a, 1, &oa, out, sizeof(out), NULL, NULL) > 0);
	CU_ASSERT_PTR_NULL(strstr(out, "CN/"));
	CU_ASSERT_TRUE(has_line(out, "m=audio 41000 RTP/AVP 0 101"));
	free(in);
	free(sent);
	free(ans);
}

/* ---- offer/answer -------------------------------------------------------- */

/* One full exchange: A offers, we offer B, B answers, we answer A. */
struct exchange {
	struct sbc_sdp_desc *offer_a, *offer_b, *answer_b, *answer_a;
	struct sbc_sdp_origin org_a, org_b;
	struct sbc_api_leg leg_a, leg_b;
	char text_b[SBC_SDP_BODY_MAX];
	char text_a[SBC_SDP_BODY_MAX];
	int plan_rc;
};

static struct exchange *
exchange_new(void)
{
	struct exchange *x = calloc(1, sizeof(*x));

	CU_ASSERT_FATAL(x != NULL);
	x->offer_a = desc_new();
	x->offer_b = desc_new();
	x->answer_b = desc_new();
	x->answer_a = desc_new();
	x->org_a = origin4(0xa, 1);
	x->org_b = origin4(0xb, 2);
	return x;
}

static void
exchange_free(struct exchange *x)
{
	free(x->offer_a);
	free(x->offer_b);
	free(x->answer_b);
	free(x->answer_a);
	free(x);
}

/* The exchange with @pol on both legs. */
static int
exchange_run_pol(struct exchange *x, const char *offer_a, const char *answer_b,
		 bool mux_a, bool mux_b, struct sbc_sdp_policy pol)
{
	struct sbc_sdp_media_out ea = ep4(1, 10, 40000), eb = ep4(2, 20, 42000);
	int rc;

	ea.rtcp_mux = mux_a;
	eb.rtcp_mux = mux_b;
	if (parse_str(x->offer_a, offer_a, NULL) != 0)
		return -1;
	rc = sbc_sdp_build_offer(x->offer_a, &pol, &eb, 1, &x->org_b, x->text_b,
				 sizeof(x->text_b), x->offer_b, NULL);
	if (rc <= 0)
		return -2;
	if (parse_str(x->answer_b, answer_b, NULL) != 0)
		return -3;
	rc = sbc_sdp_build_answer(x->offer_a, x->offer_b, x->answer_b, &pol, &ea, 1,
				  &x->org_a, x->text_a, sizeof(x->text_a), x->answer_a, NULL);
	if (rc <= 0)
		return -4;
	memset(&x->leg_a, 0xee, sizeof(x->leg_a));
	memset(&x->leg_b, 0xee, sizeof(x->leg_b));
	x->leg_a.endpoint_id = 111;
	x->leg_b.endpoint_id = 222;
	x->plan_rc = sbc_sdp_plan_media(x->offer_a, x->answer_a, x->answer_b, x->offer_b, 0,
					&x->leg_a, &x->leg_b);
	return 0;
}

static int
exchange_run(struct exchange *x, const char *offer_a, const char *answer_b,
	     bool mux_a, bool mux_b)
{
	return exchange_run_pol(x, offer_a, answer_b, mux_a, mux_b,
				policy(codecs_g711_te, 3, false));
}

static const char te_offer_a[] =
	"v=0\r\n"
	"o=PBX-UA 1 1 IN IP4 198.19.30.41\r\n"
	"s=-\r\n"
	"c=IN IP4 198.19.30.40\r\n"
	"t=0 0\r\n"
	"m=audio 16384 RTP/AVP 0 8 101\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=ptime:20\r\n";

static const char te_answer_b[] =
	"v=0\r\n"
	"o=carrier 77 1 IN IP4 203.0.113.51\r\n"
	"s=-\r\n"
	"c=IN IP4 203.0.113.50\r\n"
	"t=0 0\r\n"
	"m=audio 50000 RTP/AVP 0 96\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:96 telephone-event/8000\r\n"
	"a=fmtp:96 0-15\r\n"
	"a=ptime:30\r\n";

static void
test_te_mapping(void)
{
	struct exchange *x = exchange_new();
	struct sbc_ip ip;

	CU_ASSERT_EQUAL_FATAL(exchange_run(x, te_offer_a, te_answer_b, false, false), 0);
	/* We offered B with A's numbers. */
	CU_ASSERT_TRUE(has_line(x->text_b, "m=audio 42000 RTP/AVP 0 8 101"));
	/* A's answer: B chose PCMU + events; numbered as A numbered them. */
	CU_ASSERT_TRUE(has_line(x->text_a, "m=audio 40000 RTP/AVP 0 101"));
	CU_ASSERT_TRUE(has_line(x->text_a, "a=rtpmap:101 telephone-event/8000"));
	CU_ASSERT_TRUE(has_line(x->text_a, "a=fmtp:101 0-15"));
	CU_ASSERT_TRUE(has_line(x->text_a, "a=ptime:30"));
	CU_ASSERT_TRUE(has_line(x->text_a, "c=IN IP4 198.18.1.10"));
	CU_ASSERT_PTR_NULL(strstr(x->text_a, " 96"));
	CU_ASSERT_PTR_NULL(strstr(x->text_a, "PCMA"));
	assert_no_peer_address(x->text_a);
	assert_no_peer_address(x->text_b);
	CU_ASSERT_EQUAL(x->answer_a->o_id, 0xa);
	CU_ASSERT_EQUAL(x->offer_b->o_id, 0xb);

	CU_ASSERT_EQUAL_FATAL(x->plan_rc, 1);
	/* Toward A: A's numbers; B may send 101 (as asked) or 96 (its own). */
	CU_ASSERT_EQUAL(x->leg_a.n_pt_map, 3);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 0), 0);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 101), 101);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 96), 101);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 8), -1);
	/* Toward B: B's numbers. */
	CU_ASSERT_EQUAL(x->leg_b.n_pt_map, 2);
	CU_ASSERT_EQUAL(map_to(&x->leg_b, 0), 0);
	CU_ASSERT_EQUAL(map_to(&x->leg_b, 101), 96);
	CU_ASSERT_EQUAL(map_to(&x->leg_b, 8), -1);
	/* Remotes from each leg's own SDP; the caller's fields untouched. */
	sbc_ip_parse(&ip, "198.19.30.40");
	CU_ASSERT_EQUAL(x->leg_a.remote.family, SBC_API_AF_INET);
	CU_ASSERT_EQUAL(memcmp(x->leg_a.remote.ip, ip.bytes, 4), 0);
	CU_ASSERT_EQUAL(x->leg_a.remote.port, 16384);
	CU_ASSERT_EQUAL(x->leg_a.remote_rtcp_port, 16385);
	sbc_ip_parse(&ip, "203.0.113.50");
	CU_ASSERT_EQUAL(memcmp(x->leg_b.remote.ip, ip.bytes, 4), 0);
	CU_ASSERT_EQUAL(x->leg_b.remote.port, 50000);
	CU_ASSERT_EQUAL(x->leg_b.remote_rtcp_port, 50001);
	CU_ASSERT_EQUAL(x->leg_a.flags, SBC_API_LEG_RECV | SBC_API_LEG_SEND);
	CU_ASSERT_EQUAL(x->leg_b.flags, SBC_API_LEG_RECV | SBC_API_LEG_SEND);
	CU_ASSERT_EQUAL(x->leg_a.endpoint_id, 111);
	CU_ASSERT_EQUAL(x->leg_b.endpoint_id, 222);
	CU_ASSERT_EQUAL(x->leg_a.latching, 0xee);
	exchange_free(x);
}

/* Directions: A's offer and B's answer, both built from one template. */
static void
make_sdp(char *buf, size_t size, const char *who, const char *conn, unsigned int port,
	 const char *dir, unsigned int te_pt)
{
	snprintf(buf, size,
		 "v=0\r\no=%s 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
		 "m=audio %u RTP/AVP 0 %u\r\na=rtpmap:0 PCMU/8000\r\n"
		 "a=rtpmap:%u telephone-event/8000\r\n%s%s%s",
		 who, strcmp(conn, "0.0.0.0") == 0 ? "198.19.30.41" : conn, conn, port,
		 te_pt, te_pt, dir[0] ? "a=" : "", dir, dir[0] ? "\r\n" : "");
}

static void
test_direction_flags(void)
{
	static const struct {
		const char *a_dir, *a_conn;   /* A's offer */
		const char *b_dir, *b_conn;   /* B's answer */
		const char *answer_a;         /* direction in our answer to A */
		unsigned int flags_a, flags_b;
	} cases[] = {
#define R SBC_API_LEG_RECV
#define S SBC_API_LEG_SEND
		/* A side variants, B answering the natural way */
		{ "sendrecv", "198.19.30.40", "sendrecv", "203.0.113.50", "a=sendrecv", R | S, R | S },
		{ "", "198.19.30.40", "", "203.0.113.50", "a=sendrecv", R | S, R | S },
		{ "sendonly", "198.19.30.40", "recvonly", "203.0.113.50", "a=recvonly", R, S },
		{ "recvonly", "198.19.30.40", "sendonly", "203.0.113.50", "a=sendonly", S, R },
		{ "inactive", "198.19.30.40", "inactive", "203.0.113.50", "a=inactive", 0, 0 },
		{ "", "0.0.0.0", "recvonly", "203.0.113.50", "a=recvonly", R, S },
		{ "sendonly", "0.0.0.0", "recvonly", "203.0.113.50", "a=recvonly", R, S },
		/* B side variants to a sendrecv offer */
		{ "sendrecv", "198.19.30.40", "sendonly", "203.0.113.50", "a=sendonly", S, R },
		{ "sendrecv", "198.19.30.40", "recvonly", "203.0.113.50", "a=recvonly", R, S },
		{ "sendrecv", "198.19.30.40", "inactive", "203.0.113.50", "a=inactive", 0, 0 },
		{ "sendrecv", "198.19.30.40", "", "0.0.0.0", "a=sendonly", S, R },
		/* B answers illegally: answer to A stays within A's offer */
		{ "sendonly", "198.19.30.40", "sendrecv", "203.0.113.50", "a=recvonly", R, S },
		{ "inactive", "198.19.30.40", "sendrecv", "203.0.113.50", "a=inactive", 0, 0 },
#undef R
#undef S
	};
	char a[1024], b[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct exchange *x = exchange_new();

		make_sdp(a, sizeof(a), "PBX-UA", cases[i].a_conn, 16384, cases[i].a_dir, 101);
		make_sdp(b, sizeof(b), "carrier", cases[i].b_conn, 50000, cases[i].b_dir, 96);
		CU_ASSERT_EQUAL_FATAL(exchange_run(x, a, b, false, false), 0);
		CU_ASSERT_EQUAL(x->plan_rc, 1);
		if (!has_line(x->text_a, cases[i].answer_a) ||
		    x->leg_a.flags != cases[i].flags_a || x->leg_b.flags != cases[i].flags_b) {
			fprintf(stderr, "\ncase %zu: A %s %s, B %s %s: flags A %#x B %#x\n%s",
				i, cases[i].a_dir, cases[i].a_conn, cases[i].b_dir,
				cases[i].b_conn, x->leg_a.flags, x->leg_b.flags, x->text_a);
			CU_FAIL("direction case");
		}
		/* We never send c=0.0.0.0 ourselves; A's hold is a direction to B. */
		CU_ASSERT_PTR_NULL(strstr(x->text_b, "0.0.0.0"));
		CU_ASSERT_PTR_NULL(strstr(x->text_a, "0.0.0.0"));
		if (strcmp(cases[i].a_conn, "0.0.0.0") == 0) {
			CU_ASSERT_TRUE(has_line(x->text_b, "a=sendonly"));
			CU_ASSERT_EQUAL(x->leg_a.remote.family, SBC_API_AF_NONE);
			CU_ASSERT_EQUAL(x->leg_a.remote.port, 0);
		} else {
			CU_ASSERT_EQUAL(x->leg_a.remote.port, 16384);
		}
		if (strcmp(cases[i].b_conn, "0.0.0.0") == 0)
			CU_ASSERT_EQUAL(x->leg_b.remote.family, SBC_API_AF_NONE);
		exchange_free(x);
	}
}

static void
test_leg_flags_table(void)
{
	unsigned int t, o;

	for (t = 0; t < 4; t++) {
		for (o = 0; o < 4; o++) {
			unsigned int f = sbc_sdp_leg_flags(t, o), want = 0;

			/* RECV: they send and we receive; SEND: they receive and we send. */
			if ((t & SBC_SDP_DIR_SEND) && (o & SBC_SDP_DIR_RECV))
				want |= SBC_API_LEG_RECV;
			if ((t & SBC_SDP_DIR_RECV) && (o & SBC_SDP_DIR_SEND))
				want |= SBC_API_LEG_SEND;
			CU_ASSERT_EQUAL(f, want);
		}
	}
	CU_ASSERT_EQUAL(sbc_sdp_leg_flags(SBC_SDP_SENDONLY, SBC_SDP_RECVONLY), SBC_API_LEG_RECV);
	CU_ASSERT_EQUAL(sbc_sdp_leg_flags(SBC_SDP_RECVONLY, SBC_SDP_SENDONLY), SBC_API_LEG_SEND);
	CU_ASSERT_EQUAL(sbc_sdp_leg_flags(SBC_SDP_SENDRECV, SBC_SDP_INACTIVE), 0);
	CU_ASSERT_EQUAL(sbc_sdp_leg_flags(SBC_SDP_SENDRECV, SBC_SDP_SENDRECV),
			SBC_API_LEG_RECV | SBC_API_LEG_SEND);
}

static void
test_rtcp_mux_exchange(void)
{
	static const char b_mux[] =
		"v=0\r\no=carrier 1 1 IN IP4 203.0.113.51\r\ns=-\r\nc=IN IP4 203.0.113.50\r\nt=0 0\r\n"
		"m=audio 50000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=rtcp-mux\r\n";
	static const char b_plain[] =
		"v=0\r\no=carrier 1 1 IN IP4 203.0.113.51\r\ns=-\r\nc=IN IP4 203.0.113.50\r\nt=0 0\r\n"
		"m=audio 50000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
		"a=rtcp:50011 IN IP4 203.0.113.50\r\n";
	struct exchange *x = exchange_new();

	/* Offered and kept on both legs. */
	CU_ASSERT_EQUAL_FATAL(exchange_run(x, mux_offer, b_mux, true, true), 0);
	CU_ASSERT_TRUE(has_line(x->text_b, "a=rtcp-mux"));
	CU_ASSERT_TRUE(has_line(x->text_a, "a=rtcp-mux"));
	CU_ASSERT_EQUAL(x->plan_rc, 1);
	CU_ASSERT_TRUE(x->leg_a.flags & SBC_API_LEG_RTCP_MUX);
	CU_ASSERT_TRUE(x->leg_b.flags & SBC_API_LEG_RTCP_MUX);
	CU_ASSERT_EQUAL(x->leg_a.remote_rtcp_port, 0);
	CU_ASSERT_EQUAL(x->leg_b.remote_rtcp_port, 0);
	exchange_free(x);

	/* Not requested toward B, so B's plain answer: mux only on A's leg. */
	x = exchange_new();
	CU_ASSERT_EQUAL_FATAL(exchange_run(x, mux_offer, b_plain, true, false), 0);
	CU_ASSERT_FALSE(has_line(x->text_b, "a=rtcp-mux"));
	CU_ASSERT_TRUE(has_line(x->text_a, "a=rtcp-mux"));
	CU_ASSERT_TRUE(x->leg_a.flags & SBC_API_LEG_RTCP_MUX);
	CU_ASSERT_FALSE(x->leg_b.flags & SBC_API_LEG_RTCP_MUX);
	CU_ASSERT_EQUAL(x->leg_b.remote_rtcp_port, 50011);
	assert_no_peer_address(x->text_a);
	exchange_free(x);

	/* A did not offer mux: we may not answer with it. */
	x = exchange_new();
	CU_ASSERT_EQUAL_FATAL(exchange_run(x, te_offer_a, b_mux, true, true), 0);
	CU_ASSERT_FALSE(has_line(x->text_a, "a=rtcp-mux"));
	CU_ASSERT_FALSE(x->leg_a.flags & SBC_API_LEG_RTCP_MUX);
	CU_ASSERT_TRUE(x->leg_b.flags & SBC_API_LEG_RTCP_MUX);
	exchange_free(x);
}

static void
test_rejected_streams(void)
{
	static const char a2[] =
		"v=0\r\no=PBX-UA 1 1 IN IP4 198.19.30.41\r\ns=-\r\nc=IN IP4 198.19.30.40\r\nt=0 0\r\n"
		"m=audio 16384 RTP/AVP 0\r\n"
		"m=video 16386 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
		"m=audio 0 RTP/AVP 8\r\n";
	static const char b2[] =
		"v=0\r\no=carrier 1 1 IN IP4 203.0.113.51\r\ns=-\r\nc=IN IP4 203.0.113.50\r\nt=0 0\r\n"
		"m=audio 50000 RTP/AVP 0\r\n"
		"m=video 0 RTP/AVP 96\r\n"
		"m=audio 0 RTP/AVP 8\r\n";
	static const char b_wrong_count[] =
		"v=0\r\no=carrier 1 1 IN IP4 203.0.113.51\r\ns=-\r\nc=IN IP4 203.0.113.50\r\nt=0 0\r\n"
		"m=audio 50000 RTP/AVP 0\r\n";
	static const char b_reject_audio[] =
		"v=0\r\no=carrier 1 1 IN IP4 203.0.113.51\r\ns=-\r\nc=IN IP4 203.0.113.50\r\nt=0 0\r\n"
		"m=audio 0 RTP/AVP 0\r\n"
		"m=video 0 RTP/AVP 96\r\n"
		"m=audio 0 RTP/AVP 8\r\n";
	struct sbc_sdp_desc *oa = desc_new(), *ob = desc_new(), *ab = desc_new(), *aa = desc_new();
	struct sbc_sdp_policy pol = policy(codecs_g711_te, 3, false);
	struct sbc_sdp_media_out eb[3], ea[3];
	struct sbc_sdp_origin org_a = origin4(1, 1), org_b = origin4(2, 2);
	struct sbc_api_leg la, lb;
	struct sbc_sdp_error err;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		ea[i] = ep4(1, 10, (uint16_t)(40000 + 2 * i));
		eb[i] = ep4(2, 20, (uint16_t)(42000 + 2 * i));
	}
	CU_ASSERT_EQUAL_FATAL(parse_str(oa, a2, NULL), 0);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(oa, &pol, eb, 3, &org_b, out, sizeof(out), ob, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=audio 42000 RTP/AVP 0"));
	CU_ASSERT_TRUE(has_line(out, "m=video 0 RTP/AVP 96"));
	CU_ASSERT_TRUE(has_line(out, "m=audio 0 RTP/AVP 8"));
	CU_ASSERT_EQUAL_FATAL(parse_str(ab, b2, NULL), 0);
	CU_ASSERT_FATAL(sbc_sdp_build_answer(oa, ob, ab, &pol, ea, 3, &org_a, out, sizeof(out), aa, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=audio 40000 RTP/AVP 0"));
	CU_ASSERT_TRUE(has_line(out, "m=video 0 RTP/AVP 96"));
	CU_ASSERT_TRUE(has_line(out, "m=audio 0 RTP/AVP 8"));
	assert_no_peer_address(out);
	CU_ASSERT_EQUAL(sbc_sdp_plan_media(oa, aa, ab, ob, 0, &la, &lb), 1);
	CU_ASSERT_EQUAL(sbc_sdp_plan_media(oa, aa, ab, ob, 1, &la, &lb), 0);
	CU_ASSERT_EQUAL(la.flags, 0);
	CU_ASSERT_EQUAL(lb.n_pt_map, 0);
	CU_ASSERT_EQUAL(lb.remote.family, SBC_API_AF_NONE);
	CU_ASSERT_EQUAL(sbc_sdp_plan_media(oa, aa, ab, ob, 2, &la, &lb), 0);
	CU_ASSERT_EQUAL(sbc_sdp_plan_media(oa, aa, ab, ob, 3, &la, &lb), -EINVAL);

	/* B rejects the audio line: A gets port 0 and nothing flows. */
	CU_ASSERT_EQUAL_FATAL(parse_str(ab, b_reject_audio, NULL), 0);
	CU_ASSERT_FATAL(sbc_sdp_build_answer(oa, ob, ab, &pol, ea, 3, &org_a, out, sizeof(out), aa, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=audio 0 RTP/AVP 0"));
	CU_ASSERT_EQUAL(sbc_sdp_plan_media(oa, aa, ab, ob, 0, &la, &lb), 0);

	/* An answer with a different number of m= lines is refused. */
	CU_ASSERT_EQUAL_FATAL(parse_str(ab, b_wrong_count, NULL), 0);
	CU_ASSERT_EQUAL(sbc_sdp_build_answer(oa, ob, ab, &pol, ea, 3, &org_a, out, sizeof(out), aa, &err), -EPROTO);
	CU_ASSERT_EQUAL(err.code, SBC_SDP_E_MISMATCH);
	CU_ASSERT_EQUAL(sbc_sdp_error_sip_status(err.code), 488);
	free(oa);
	free(ob);
	free(ab);
	free(aa);
}

static void
test_answer_codecs(void)
{
	/* B answers with a codec we never offered it, and with PCMA first. */
	static const char b_extra[] =
		"v=0\r\no=carrier 1 1 IN IP4 203.0.113.51\r\ns=-\r\nc=IN IP4 203.0.113.50\r\nt=0 0\r\n"
		"m=audio 50000 RTP/AVP 18 8 0\r\n";
	static const char b_none[] =
		"v=0\r\no=carrier 1 1 IN IP4 203.0.113.51\r\ns=-\r\nc=IN IP4 203.0.113.50\r\nt=0 0\r\n"
		"m=audio 50000 RTP/AVP 18\r\n";
	struct exchange *x = exchange_new();

	CU_ASSERT_EQUAL_FATAL(exchange_run(x, pbx_offer, b_extra, false, false), 0);
	/* G.729 was filtered out of B's offer: not answered, not mapped. */
	CU_ASSERT_TRUE(has_line(x->text_b, "m=audio 42000 RTP/AVP 0 8 101"));
	CU_ASSERT_TRUE(has_line(x->text_a, "m=audio 40000 RTP/AVP 8 0"));
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 18), -1);
	CU_ASSERT_EQUAL(map_to(&x->leg_b, 18), -1);
	CU_ASSERT_EQUAL(map_to(&x->leg_b, 8), 8);
	CU_ASSERT_EQUAL(x->leg_b.n_pt_map, 2);

	/* Our offer to B numbered differently from A (a template re-offer):
	 * the answer to A still uses A's numbers. */
	{
		static const char ours_to_b[] =
			"v=0\r\no=rampart 2 2 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 198.18.2.20\r\n"
			"t=0 0\r\nm=audio 42000 RTP/AVP 0 100\r\n"
			"a=rtpmap:100 telephone-event/8000\r\n";
		static const char b_100[] =
			"v=0\r\no=carrier 1 1 IN IP4 203.0.113.51\r\ns=-\r\nc=IN IP4 203.0.113.50\r\n"
			"t=0 0\r\nm=audio 50000 RTP/AVP 100 0\r\n"
			"a=rtpmap:100 telephone-event/8000\r\n";
		struct sbc_sdp_policy pol = policy(codecs_g711_te, 3, false);
		struct sbc_sdp_media_out ea = ep4(1, 10, 40000);

		CU_ASSERT_EQUAL_FATAL(parse_str(x->offer_a, te_offer_a, NULL), 0);
		CU_ASSERT_EQUAL_FATAL(parse_str(x->offer_b, ours_to_b, NULL), 0);
		CU_ASSERT_EQUAL_FATAL(parse_str(x->answer_b, b_100, NULL), 0);
		CU_ASSERT_FATAL(sbc_sdp_build_answer(x->offer_a, x->offer_b, x->answer_b, &pol, &ea, 1,
						     &x->org_a, out, sizeof(out), NULL, NULL) > 0);
		CU_ASSERT_TRUE(has_line(out, "m=audio 40000 RTP/AVP 101 0"));
	}
	exchange_free(x);

	/* Nothing usable in B's answer: A's line is rejected. */
	x = exchange_new();
	CU_ASSERT_EQUAL_FATAL(exchange_run(x, pbx_offer, b_none, false, false), 0);
	CU_ASSERT_TRUE(has_line(x->text_a, "m=audio 0 RTP/AVP 0"));
	CU_ASSERT_EQUAL(x->plan_rc, 0);
	CU_ASSERT_EQUAL(x->leg_a.flags, 0);
	CU_ASSERT_EQUAL(x->leg_b.flags, 0);
	exchange_free(x);
}

static void
test_t38_exchange(void)
{
	static const char b_t38[] =
		"v=0\r\no=carrier 1 1 IN IP4 203.0.113.51\r\ns=-\r\nc=IN IP4 203.0.113.50\r\nt=0 0\r\n"
		"m=image 50004 udptl t38\r\na=T38FaxVersion:0\r\na=T38FaxMaxDatagram:200\r\n";
	static const uint32_t with_t38[] = { SBC_CODEC_PCMA, SBC_CODEC_T38 };
	struct sbc_sdp_desc *oa = desc_new(), *ob = desc_new(), *ab = desc_new(), *aa = desc_new();
	struct sbc_sdp_policy pol = policy(with_t38, 2, false);
	struct sbc_sdp_media_out ea = ep4(1, 10, 40000), eb = ep4(2, 20, 42000);
	struct sbc_sdp_origin org_a = origin4(1, 1), org_b = origin4(2, 2);
	struct sbc_api_leg la, lb;

	CU_ASSERT_EQUAL_FATAL(parse_str(oa, t38_offer, NULL), 0);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(oa, &pol, &eb, 1, &org_b, out, sizeof(out), ob, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=image 42000 udptl t38"));
	CU_ASSERT_TRUE(has_line(out, "a=T38FaxRateManagement:transferredTCF"));
	CU_ASSERT_PTR_NULL(strstr(out, "a=rtcp"));
	assert_no_peer_address(out);
	CU_ASSERT_EQUAL_FATAL(parse_str(ab, b_t38, NULL), 0);
	CU_ASSERT_FATAL(sbc_sdp_build_answer(oa, ob, ab, &pol, &ea, 1, &org_a, out, sizeof(out), aa, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=image 40000 udptl t38"));
	CU_ASSERT_TRUE(has_line(out, "a=T38FaxMaxDatagram:200"));
	CU_ASSERT_FALSE(has_line(out, "a=T38FaxRateManagement:transferredTCF"));
	CU_ASSERT_EQUAL(sbc_sdp_plan_media(oa, aa, ab, ob, 0, &la, &lb), 1);
	CU_ASSERT_EQUAL(la.n_pt_map, 0);
	CU_ASSERT_EQUAL(lb.n_pt_map, 0);
	CU_ASSERT_EQUAL(la.remote_rtcp_port, 0);
	CU_ASSERT_EQUAL(la.remote.port, 40000);   /* the fax gateway's port */
	CU_ASSERT_EQUAL(lb.remote.port, 50004);
	CU_ASSERT_EQUAL(la.flags, SBC_API_LEG_RECV | SBC_API_LEG_SEND);

	/* T38 not allowed on the trunk: rejected. */
	pol.n_codecs = 1;
	CU_ASSERT_FATAL(sbc_sdp_build_offer(oa, &pol, &eb, 1, &org_b, out, sizeof(out), ob, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=image 0 udptl t38"));
	free(oa);
	free(ob);
	free(ab);
	free(aa);
}

/* ---- SRTP hook ------------------------------------------------------------ */

static void
test_crypto_hook(void)
{
	static const char *const ours[] = {
		"1 AES_CM_128_HMAC_SHA1_80 inline:" KEY3,
	};
	static const char *const bad[] = { "1 AES_CM_128_HMAC_SHA1_80 inline:x\r\na=evil" };
	struct sbc_sdp_desc *in = desc_new(), *sent = desc_new();
	struct sbc_sdp_policy pol = policy(codecs_g711_te, 3, false);
	struct sbc_sdp_media_out mo = ep4(1, 10, 40000);
	struct sbc_sdp_origin o = origin4(1, 1);
	struct sbc_sdp_error err;

	CU_ASSERT_EQUAL_FATAL(parse_str(in, srtp_offer, NULL), 0);

	/* Plain RTP toward this leg: no a=crypto at all (RTP<->SRTP interworking). */
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=audio 40000 RTP/AVP 0 8 101"));
	CU_ASSERT_PTR_NULL(strstr(out, "crypto"));

	/* SAVP, stripped and replaced by ours. */
	pol.strip_crypto = true;
	mo.proto = SBC_SDP_PROTO_RTP_SAVP;
	mo.crypto = ours;
	mo.n_crypto = 1;
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=audio 40000 RTP/SAVP 0 8 101"));
	CU_ASSERT_TRUE(has_line(out, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY3));
	CU_ASSERT_PTR_NULL(strstr(out, KEY1));
	CU_ASSERT_PTR_NULL(strstr(out, KEY2));
	CU_ASSERT_EQUAL(sent->media[0].n_crypto, 1);

	/* Stripped, none supplied: removed. */
	mo.n_crypto = 0;
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_PTR_NULL(strstr(out, "crypto"));

	/* Not stripped: relayed first, then ours. */
	pol.strip_crypto = false;
	mo.n_crypto = 1;
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_EQUAL_FATAL(sent->media[0].n_crypto, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(sbc_sdp_text(sent, sent->media[0].crypto[0]), KEY1));
	CU_ASSERT_PTR_NOT_NULL(strstr(sbc_sdp_text(sent, sent->media[0].crypto[2]), KEY3));

	/* A value that would inject a line is refused, and o= is untouched. */
	{
		uint64_t v = o.version;

		mo.crypto = bad;
		CU_ASSERT_EQUAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, &err), -EINVAL);
		CU_ASSERT_EQUAL(err.code, SBC_SDP_E_ARGUMENT);
		CU_ASSERT_EQUAL(o.version, v);
	}
	free(in);
	free(sent);
}

/* ---- late offer ------------------------------------------------------------ */

static void
test_template(void)
{
	static const uint32_t trunk[] = {
		SBC_CODEC_PCMA, SBC_CODEC_PCMU, SBC_CODEC_G729, SBC_CODEC_TELEPHONE_EVENT,
		SBC_CODEC_CN, SBC_CODEC_T38,
	};
	static const uint32_t no_audio[] = { SBC_CODEC_TELEPHONE_EVENT, SBC_CODEC_T38 };
	struct sbc_sdp_desc *sent = desc_new(), *back = desc_new();
	struct sbc_sdp_policy pol = policy(trunk, 6, false);
	struct sbc_sdp_media_out mo = ep4(2, 20, 42000);
	struct sbc_sdp_origin o = origin4(0xb, 2);
	struct sbc_sdp_error err;
	const struct sbc_sdp_media *m;
	int n;

	n = sbc_sdp_build_template(&pol, &mo, &o, out, sizeof(out), sent, NULL);
	CU_ASSERT_FATAL(n > 0);
	/* Parse it back independently. */
	CU_ASSERT_EQUAL_FATAL(sbc_sdp_parse(back, out, (size_t)n, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(back->n_media, 1);
	m = &back->media[0];
	CU_ASSERT_EQUAL(m->type, SBC_SDP_MEDIA_AUDIO);
	CU_ASSERT_EQUAL(m->proto, SBC_SDP_PROTO_RTP_AVP);
	CU_ASSERT_EQUAL(m->port, 42000);
	CU_ASSERT_STRING_EQUAL(pt_list(m), "8 0 18 101");
	CU_ASSERT_STRING_EQUAL(fmt_by_pt(m, 101)->name, "telephone-event");
	CU_ASSERT_EQUAL(fmt_by_pt(m, 101)->clock, 8000);
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(back, fmt_by_pt(m, 101)->fmtp), "0-15");
	CU_ASSERT_EQUAL(m->ptime, 20);
	CU_ASSERT_EQUAL(m->dir, SBC_SDP_SENDRECV);
	CU_ASSERT_EQUAL(back->o_version, 1);
	CU_ASSERT_TRUE(has_line(out, "c=IN IP4 198.18.2.20"));
	CU_ASSERT_TRUE(has_line(out, "a=rtpmap:18 G729/8000"));

	/* CN only toward a leg that listed it. */
	pol.cn_allowed = true;
	CU_ASSERT_FATAL(sbc_sdp_build_template(&pol, &mo, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_STRING_EQUAL(pt_list(&sent->media[0]), "8 0 18 101 13");
	CU_ASSERT_EQUAL(sent->o_version, 2);

	pol = policy(no_audio, 2, false);
	CU_ASSERT_EQUAL(sbc_sdp_build_template(&pol, &mo, &o, out, sizeof(out), sent, &err), -ENOTSUP);
	CU_ASSERT_EQUAL(err.code, SBC_SDP_E_NO_CODEC);
	free(sent);
	free(back);
}

/*
 * Late offer end to end: A's INVITE had no SDP; B gets our template, B's
 * answer becomes our offer to A (in the 200), A's answer (in the ACK)
 * closes both exchanges.
 */
static void
test_late_offer_flow(void)
{
	static const char b_answer[] =
		"v=0\r\no=carrier 9 9 IN IP4 203.0.113.51\r\ns=-\r\nc=IN IP4 203.0.113.50\r\nt=0 0\r\n"
		"m=audio 50000 RTP/AVP 8 100\r\na=rtpmap:100 telephone-event/8000\r\n"
		"a=fmtp:100 0-15\r\n";
	static const char a_answer[] =
		"v=0\r\no=PBX-UA 5 5 IN IP4 198.19.30.41\r\ns=-\r\nc=IN IP4 198.19.30.40\r\nt=0 0\r\n"
		"m=audio 16384 RTP/AVP 8 97\r\na=rtpmap:97 telephone-event/8000\r\n";
	struct sbc_sdp_desc *ob = desc_new(), *ab = desc_new(), *oa = desc_new(), *aa = desc_new();
	struct sbc_sdp_policy pol = policy(codecs_g711_te, 3, false);
	struct sbc_sdp_media_out ea = ep4(1, 10, 40000), eb = ep4(2, 20, 42000);
	struct sbc_sdp_origin org_a = origin4(1, 1), org_b = origin4(2, 2);
	struct sbc_api_leg la, lb;

	CU_ASSERT_FATAL(sbc_sdp_build_template(&pol, &eb, &org_b, out, sizeof(out), ob, NULL) > 0);
	CU_ASSERT_EQUAL_FATAL(parse_str(ab, b_answer, NULL), 0);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(ab, &pol, &ea, 1, &org_a, out, sizeof(out), oa, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=audio 40000 RTP/AVP 8 100"));
	assert_no_peer_address(out);
	CU_ASSERT_EQUAL_FATAL(parse_str(aa, a_answer, NULL), 0);
	/* Leg A: theirs = A's answer, ours = our offer; leg B: B's answer, our template. */
	CU_ASSERT_EQUAL(sbc_sdp_plan_media(aa, oa, ab, ob, 0, &la, &lb), 1);
	CU_ASSERT_EQUAL(map_to(&la, 8), 8);
	CU_ASSERT_EQUAL(map_to(&la, 100), 97);    /* B as answered */
	CU_ASSERT_EQUAL(map_to(&la, 101), 97);    /* B as asked by our template */
	CU_ASSERT_EQUAL(map_to(&lb, 100), 100);   /* A as asked by our offer */
	CU_ASSERT_EQUAL(map_to(&lb, 97), 100);    /* A with its own number */
	CU_ASSERT_EQUAL(map_to(&lb, 0), -1);      /* PCMU offered to B, not chosen */
	free(ob);
	free(ab);
	free(oa);
	free(aa);
}

/* ---- no codec filter (any_codec) and telephone-event/CN clock rates ------- */

/* A softphone: opus, a dynamic AMR with fmtp, G.711, G.722, a dynamic type
 * without a=rtpmap, events at three rates, comfort noise. */
static const char any_offer_a[] =
	"v=0\r\n"
	"o=softphone 1 1 IN IP4 198.19.5.9\r\n"
	"s=-\r\n"
	"c=IN IP4 198.19.5.9\r\n"
	"t=0 0\r\n"
	"m=audio 30000 RTP/AVP 111 97 0 9 96 110 102 101 13\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=fmtp:111 useinbandfec=1;minptime=10\r\n"
	"a=rtpmap:97 AMR/8000\r\n"
	"a=fmtp:97 octet-align=1\r\n"
	"a=rtpmap:110 telephone-event/48000\r\n"
	"a=fmtp:110 0-15\r\n"
	"a=rtpmap:102 telephone-event/16000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=ptime:20\r\n";

static struct sbc_sdp_policy
policy_any(bool cn)
{
	struct sbc_sdp_policy p = { .any_codec = true, .cn_allowed = cn };

	return p;
}

static void
test_any_offer(void)
{
	static const char opus_only[] =
		"v=0\r\no=softphone 1 1 IN IP4 198.19.5.9\r\ns=-\r\nc=IN IP4 198.19.5.9\r\nt=0 0\r\n"
		"m=audio 30000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n";
	static const char no_media[] =
		"v=0\r\no=softphone 1 1 IN IP4 198.19.5.9\r\ns=-\r\nc=IN IP4 198.19.5.9\r\nt=0 0\r\n"
		"m=audio 30000 RTP/AVP 96 101 13\r\na=rtpmap:101 telephone-event/8000\r\n";
	static const uint32_t only_g729[] = { SBC_CODEC_G729 };
	struct sbc_sdp_desc *in = desc_new(), *sent = desc_new();
	struct sbc_sdp_policy pol = policy_any(false);
	struct sbc_sdp_media_out mo = ep4(1, 10, 40000);
	struct sbc_sdp_origin o = origin4(1, 1);

	CU_ASSERT_EQUAL_FATAL(parse_str(in, any_offer_a, NULL), 0);
	CU_ASSERT_TRUE(sbc_sdp_media_wanted(&in->media[0], &pol));
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	/* Every named type in the peer's order; no CN; events at 48 and 8 kHz only. */
	CU_ASSERT_TRUE(has_line(out, "m=audio 40000 RTP/AVP 111 97 0 9 110 101"));
	CU_ASSERT_TRUE(has_line(out, "a=rtpmap:111 opus/48000/2"));
	CU_ASSERT_TRUE(has_line(out, "a=fmtp:111 useinbandfec=1;minptime=10"));
	CU_ASSERT_TRUE(has_line(out, "a=rtpmap:97 AMR/8000"));
	CU_ASSERT_TRUE(has_line(out, "a=fmtp:97 octet-align=1"));
	CU_ASSERT_TRUE(has_line(out, "a=rtpmap:9 G722/8000"));
	CU_ASSERT_TRUE(has_line(out, "a=rtpmap:110 telephone-event/48000"));
	CU_ASSERT_TRUE(has_line(out, "a=fmtp:110 0-15"));
	CU_ASSERT_TRUE(has_line(out, "a=fmtp:101 0-16"));
	CU_ASSERT_PTR_NULL(strstr(out, "/16000"));
	CU_ASSERT_PTR_NULL(strstr(out, "CN/"));
	CU_ASSERT_PTR_NULL(fmt_by_pt(&sent->media[0], 96));
	CU_ASSERT_TRUE(has_line(out, "a=ptime:20"));
	assert_no_peer_address(out);

	/* CN still only toward a leg that listed it; a codec list is ignored. */
	pol = policy_any(true);
	pol.codecs = only_g729;
	pol.n_codecs = 1;
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_STRING_EQUAL(pt_list(&sent->media[0]), "111 97 0 9 110 101 13");

	/* The same offer through a G.711 filter: what today's trunks with codecs get. */
	pol = policy(codecs_g711_te, 3, false);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_STRING_EQUAL(pt_list(&sent->media[0]), "0 101");

	/* A codec we do not know is enough for a call without a filter... */
	CU_ASSERT_EQUAL_FATAL(parse_str(in, opus_only, NULL), 0);
	pol = policy_any(false);
	CU_ASSERT_TRUE(sbc_sdp_media_wanted(&in->media[0], &pol));
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=audio 40000 RTP/AVP 111"));
	pol = policy(codecs_g711_te, 3, false);
	CU_ASSERT_FALSE(sbc_sdp_media_wanted(&in->media[0], &pol));
	/* ...events, CN and an unnamed type are not. */
	CU_ASSERT_EQUAL_FATAL(parse_str(in, no_media, NULL), 0);
	pol = policy_any(true);
	CU_ASSERT_FALSE(sbc_sdp_media_wanted(&in->media[0], &pol));
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_TRUE(sent->media[0].rejected);

	/* T.38 passes too. */
	CU_ASSERT_EQUAL_FATAL(parse_str(in, t38_offer, NULL), 0);
	CU_ASSERT_TRUE(sbc_sdp_media_wanted(&in->media[0], &pol));
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=image 40000 udptl t38"));
	free(in);
	free(sent);
}

/*
 * Both trunks without codecs: A's softphone offer reaches B whole, B answers
 * with its own numbers for opus, AMR and events; A's answer and the data
 * plane's maps translate between the two numberings.
 */
static void
test_any_answer_and_plan(void)
{
	static const char any_answer_b[] =
		"v=0\r\n"
		"o=carrier 77 1 IN IP4 203.0.113.51\r\n"
		"s=-\r\n"
		"c=IN IP4 203.0.113.50\r\n"
		"t=0 0\r\n"
		"m=audio 50000 RTP/AVP 96 98 100\r\n"
		"a=rtpmap:96 opus/48000/2\r\n"
		"a=fmtp:96 stereo=1\r\n"
		"a=rtpmap:98 AMR/8000\r\n"
		"a=fmtp:98 octet-align=1\r\n"
		"a=rtpmap:100 telephone-event/48000\r\n"
		"a=fmtp:100 0-15\r\n";
	struct exchange *x = exchange_new();

	CU_ASSERT_EQUAL_FATAL(exchange_run_pol(x, any_offer_a, any_answer_b, false, false,
					       policy_any(false)), 0);
	CU_ASSERT_TRUE(has_line(x->text_b, "m=audio 42000 RTP/AVP 111 97 0 9 110 101"));
	/* A's answer: B's choice, in B's order, with A's numbers and B's fmtp. */
	CU_ASSERT_TRUE(has_line(x->text_a, "m=audio 40000 RTP/AVP 111 97 110"));
	CU_ASSERT_TRUE(has_line(x->text_a, "a=rtpmap:111 opus/48000/2"));
	CU_ASSERT_TRUE(has_line(x->text_a, "a=fmtp:111 stereo=1"));
	CU_ASSERT_TRUE(has_line(x->text_a, "a=rtpmap:97 AMR/8000"));
	CU_ASSERT_TRUE(has_line(x->text_a, "a=fmtp:97 octet-align=1"));
	CU_ASSERT_TRUE(has_line(x->text_a, "a=rtpmap:110 telephone-event/48000"));
	CU_ASSERT_PTR_NULL(strstr(x->text_a, " 96"));
	CU_ASSERT_PTR_NULL(strstr(x->text_a, " 98"));
	assert_no_peer_address(x->text_a);
	assert_no_peer_address(x->text_b);

	CU_ASSERT_EQUAL_FATAL(x->plan_rc, 1);
	/* Toward A: A's numbers, from what we asked B to send or B's own. */
	CU_ASSERT_EQUAL(x->leg_a.n_pt_map, 6);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 111), 111);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 96), 111);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 97), 97);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 98), 97);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 110), 110);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 100), 110);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 0), -1);     /* offered, not chosen */
	/* Toward B: B's numbers. */
	CU_ASSERT_EQUAL(x->leg_b.n_pt_map, 3);
	CU_ASSERT_EQUAL(map_to(&x->leg_b, 111), 96);
	CU_ASSERT_EQUAL(map_to(&x->leg_b, 97), 98);
	CU_ASSERT_EQUAL(map_to(&x->leg_b, 110), 100);
	CU_ASSERT_EQUAL(x->leg_a.flags, SBC_API_LEG_RECV | SBC_API_LEG_SEND);
	CU_ASSERT_EQUAL(x->leg_b.flags, SBC_API_LEG_RECV | SBC_API_LEG_SEND);
	exchange_free(x);
}

/* One codec offered twice (AMR bandwidth-efficient 97, octet-aligned 98); B takes 98. */
static void
test_plan_same_codec_twice(void)
{
	static const char amr_offer_a[] =
		"v=0\r\no=PBX-UA 1 1 IN IP4 198.19.30.41\r\ns=-\r\nc=IN IP4 198.19.30.40\r\nt=0 0\r\n"
		"m=audio 16384 RTP/AVP 97 98 101\r\n"
		"a=rtpmap:97 AMR/8000\r\na=fmtp:97 octet-align=0\r\n"
		"a=rtpmap:98 AMR/8000\r\na=fmtp:98 octet-align=1\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n";
	static const char amr_answer_b[] =
		"v=0\r\no=carrier 1 1 IN IP4 203.0.113.51\r\ns=-\r\nc=IN IP4 203.0.113.50\r\nt=0 0\r\n"
		"m=audio 50000 RTP/AVP 98 101\r\n"
		"a=rtpmap:98 AMR/8000\r\na=fmtp:98 octet-align=1\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n";
	struct exchange *x = exchange_new();

	CU_ASSERT_EQUAL_FATAL(exchange_run_pol(x, amr_offer_a, amr_answer_b, false, false,
					       policy_any(false)), 0);
	CU_ASSERT_TRUE(has_line(x->text_a, "m=audio 40000 RTP/AVP 98 101"));
	CU_ASSERT_TRUE(has_line(x->text_a, "a=fmtp:98 octet-align=1"));
	CU_ASSERT_EQUAL_FATAL(x->plan_rc, 1);
	/* Octet-aligned stays octet-aligned: B's 98 is never relabelled 97. */
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 98), 98);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 97), -1);
	CU_ASSERT_EQUAL(map_to(&x->leg_a, 101), 101);
	CU_ASSERT_EQUAL(x->leg_a.n_pt_map, 2);
	CU_ASSERT_EQUAL(map_to(&x->leg_b, 98), 98);
	CU_ASSERT_EQUAL(map_to(&x->leg_b, 97), -1);
	CU_ASSERT_EQUAL(x->leg_b.n_pt_map, 2);
	exchange_free(x);
}

/* telephone-event and CN at a rate no kept audio codec has are dropped. */
static void
test_event_rates(void)
{
	static const char rates_offer[] =
		"v=0\r\no=PBX-UA 1 1 IN IP4 198.19.30.41\r\ns=-\r\nc=IN IP4 198.19.30.40\r\nt=0 0\r\n"
		"m=audio 16384 RTP/AVP 0 8 111 110 102 101 105 13\r\n"
		"a=rtpmap:111 opus/48000/2\r\n"
		"a=rtpmap:110 telephone-event/48000\r\n"
		"a=rtpmap:102 telephone-event/16000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=rtpmap:105 CN/16000\r\n";
	/* An offer to B that still had events at 16 kHz, and B picking them. */
	static const char ours_to_b[] =
		"v=0\r\no=rampart 2 2 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 198.18.2.20\r\n"
		"t=0 0\r\nm=audio 42000 RTP/AVP 0 102 101\r\n"
		"a=rtpmap:102 telephone-event/16000\r\na=rtpmap:101 telephone-event/8000\r\n";
	static const char b_16k[] =
		"v=0\r\no=carrier 1 1 IN IP4 203.0.113.51\r\ns=-\r\nc=IN IP4 203.0.113.50\r\n"
		"t=0 0\r\nm=audio 50000 RTP/AVP 0 102\r\n"
		"a=rtpmap:102 telephone-event/16000\r\n";
	struct sbc_sdp_desc *in = desc_new(), *sent = desc_new(), *oo = desc_new(),
			    *ab = desc_new();
	struct sbc_sdp_policy pol = policy(codecs_all, 7, true);
	struct sbc_sdp_media_out mo = ep4(2, 20, 42000), ea = ep4(1, 10, 40000);
	struct sbc_sdp_origin o = origin4(1, 1), oa = origin4(2, 1);

	CU_ASSERT_EQUAL_FATAL(parse_str(in, rates_offer, NULL), 0);
	/* Only 8 kHz audio kept: only 8 kHz events and CN. */
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_STRING_EQUAL(pt_list(&sent->media[0]), "0 8 101 13");
	CU_ASSERT_PTR_NULL(strstr(out, "telephone-event/48000"));
	CU_ASSERT_PTR_NULL(strstr(out, "/16000"));
	/* Without a filter opus stays, and the 48 kHz events with it. */
	pol = policy_any(true);
	CU_ASSERT_FATAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_STRING_EQUAL(pt_list(&sent->media[0]), "0 8 111 110 101 13");

	/* Answers we build follow the same rule. */
	pol = policy(codecs_all, 7, true);
	CU_ASSERT_EQUAL_FATAL(parse_str(oo, ours_to_b, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(parse_str(ab, b_16k, NULL), 0);
	CU_ASSERT_FATAL(sbc_sdp_build_answer(in, oo, ab, &pol, &ea, 1, &oa, out, sizeof(out),
					     sent, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=audio 40000 RTP/AVP 0"));
	CU_ASSERT_PTR_NULL(strstr(out, "telephone-event"));
	free(in);
	free(sent);
	free(oo);
	free(ab);
}

static void
test_any_template(void)
{
	struct sbc_sdp_desc *sent = desc_new();
	struct sbc_sdp_policy pol = policy_any(false);
	struct sbc_sdp_media_out mo = ep4(2, 20, 42000);
	struct sbc_sdp_origin o = origin4(0xb, 2);
	const struct sbc_sdp_fmt *te;

	CU_ASSERT_FATAL(sbc_sdp_build_template(&pol, &mo, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_TRUE(has_line(out, "m=audio 42000 RTP/AVP 0 8 9 18 101"));
	CU_ASSERT_TRUE(has_line(out, "a=rtpmap:9 G722/8000"));
	te = fmt_by_pt(&sent->media[0], 101);
	CU_ASSERT_PTR_NOT_NULL_FATAL(te);
	CU_ASSERT_STRING_EQUAL(te->name, "telephone-event");
	CU_ASSERT_EQUAL(te->clock, 8000);
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(sent, te->fmtp), "0-15");
	pol.cn_allowed = true;
	CU_ASSERT_FATAL(sbc_sdp_build_template(&pol, &mo, &o, out, sizeof(out), sent, NULL) > 0);
	CU_ASSERT_STRING_EQUAL(pt_list(&sent->media[0]), "0 8 9 18 101 13");
	free(sent);
}

static void
test_arguments(void)
{
	struct sbc_sdp_desc *in = desc_new();
	struct sbc_sdp_policy pol = policy(codecs_g711_te, 3, false);
	struct sbc_sdp_media_out mo = ep4(1, 10, 40000);
	struct sbc_sdp_origin o = origin4(1, 1), unset;
	struct sbc_api_leg la, lb;

	memset(&unset, 0, sizeof(unset));
	CU_ASSERT_EQUAL_FATAL(parse_str(in, pbx_offer, NULL), 0);
	CU_ASSERT_EQUAL(sbc_sdp_build_offer(NULL, &pol, &mo, 1, &o, out, sizeof(out), NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(sbc_sdp_build_offer(in, NULL, &mo, 1, &o, out, sizeof(out), NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(sbc_sdp_build_offer(in, &pol, NULL, 1, &o, out, sizeof(out), NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &unset, out, sizeof(out), NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(sbc_sdp_build_offer(in, &pol, &mo, 1, &o, NULL, 10, NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(sbc_sdp_build_template(&pol, NULL, &o, out, sizeof(out), NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(sbc_sdp_plan_media(in, in, in, NULL, 0, &la, &lb), -EINVAL);
	CU_ASSERT_EQUAL(o.version, 0);
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(in, 0), "");
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(in, SBC_SDP_TEXT_MAX - 1), "");
	CU_ASSERT_STRING_EQUAL(sbc_sdp_text(NULL, 5), "");
	free(in);
}

/* ---- fuzz -------------------------------------------------------------------- */

static uint32_t fuzz_state;

static uint32_t
fuzz_rand(void)
{
	/* xorshift32: deterministic, and good enough to pick mutations. */
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 17;
	fuzz_state ^= fuzz_state << 5;
	return fuzz_state;
}

static const char *const fuzz_lines[] = {
	"m=video 0 RTP/AVP 31\r\n", "c=IN IP6 ::\r\n", "c=IN IP4 0.0.0.0\r\n",
	"a=rtpmap:96 telephone-event/8000\r\n", "a=crypto:1 x\r\n", "a=rtcp-mux\r\n",
	"a=sendonly\r\n", "a=inactive\r\n", "m=image 9 udptl t38\r\n", "a=rtcp:0\r\n",
	"a=fmtp:0 x\r\n", "a=rtpmap:0 PCMU/0/0\r\n", "a=rtpmap:127 CN/99999999999\r\n",
	"m=audio 65535 RTP/SAVP 127 0 13\r\n", "a=ptime:65536\r\n", "b=AS:1\r\n",
	"a=T38FaxVersion\r\n", "o=y 1 1 IN IP4 1.2.3.4\r\n", "\r\n", "a=\r\n",
};

static size_t
fuzz_mutate(char *buf, size_t len, size_t cap)
{
	static const char alphabet[] = "v=oscmta0123456789 /:.-\r\n\t\x01\xff";
	uint32_t op = fuzz_rand() % 8;
	size_t pos = len ? fuzz_rand() % len : 0, n;

	switch (op) {
	case 0:     /* flip a byte */
		if (len)
			buf[pos] = (char)fuzz_rand();
		break;
	case 1:     /* insert an SDP-ish byte */
		if (len + 1 < cap) {
			memmove(buf + pos + 1, buf + pos, len - pos);
			buf[pos] = alphabet[fuzz_rand() % (sizeof(alphabet) - 1)];
			len++;
		}
		break;
	case 2:     /* delete a range */
		n = 1 + fuzz_rand() % 16;
		if (pos + n > len)
			n = len - pos;
		memmove(buf + pos, buf + pos + n, len - pos - n);
		len -= n;
		break;
	case 3:     /* truncate */
		len = pos;
		break;
	case 4: {   /* duplicate a range elsewhere */
		size_t from = len ? fuzz_rand() % len : 0;

		n = 1 + fuzz_rand() % 64;
		if (from + n > len)
			n = len - from;
		if (len + n < cap) {
			char tmp[64];

			memcpy(tmp, buf + from, n);
			memmove(buf + pos + n, buf + pos, len - pos);
			memcpy(buf + pos, tmp, n);
			len += n;
		}
		break;
	}
	case 5:     /* a digit becomes a long number */
		for (n = pos; n < len; n++) {
			if (buf[n] >= '0' && buf[n] <= '9') {
				char num[24];
				int k = snprintf(num, sizeof(num), "%u", fuzz_rand());

				if (len + (size_t)k < cap) {
					memmove(buf + n + k, buf + n + 1, len - n - 1);
					memcpy(buf + n, num, (size_t)k);
					len += (size_t)k - 1;
				}
				break;
			}
		}
		break;
	case 6: {   /* insert a whole SDP line after a line end */
		const char *l = fuzz_lines[fuzz_rand() % (sizeof(fuzz_lines) / sizeof(fuzz_lines[0]))];
		size_t ln = strlen(l);
		const char *nl = memchr(buf + pos, '\n', len - pos);

		pos = nl != NULL ? (size_t)(nl - buf) + 1 : len;
		if (len + ln < cap) {
			memmove(buf + pos + ln, buf + pos, len - pos);
			memcpy(buf + pos, l, ln);
			len += ln;
		}
		break;
	}
	default:    /* overwrite with an SDP-ish byte */
		if (len)
			buf[pos] = alphabet[fuzz_rand() % (sizeof(alphabet) - 1)];
		break;
	}
	return len;
}

static void
test_fuzz(void)
{
	struct sbc_sdp_desc *d = desc_new(), *sent = desc_new(), *ans = desc_new();
	struct sbc_sdp_policy pol = policy(codecs_all, 7, true);
	size_t cap = 4096, iter, parsed = 0, refused = 0, broken = 0;
	char *buf = malloc(cap);

	CU_ASSERT_FATAL(buf != NULL);
	fuzz_state = FUZZ_SEED;
	for (iter = 0; iter < FUZZ_ITERATIONS; iter++) {
		const char *src = samples[fuzz_rand() % N_SAMPLES];
		size_t len = strlen(src), k, rounds = 1 + fuzz_rand() % 4;
		struct sbc_sdp_media_out mo[SBC_SDP_MEDIA_MAX];
		struct sbc_sdp_origin oa = origin4(1, 1), ob = origin4(2, 2);
		struct sbc_sdp_error err;
		char *exact;
		int rc;

		memcpy(buf, src, len);
		if (iter % 50 == 0) {      /* now and then pure noise */
			len = fuzz_rand() % 512;
			for (k = 0; k < len; k++)
				buf[k] = (char)fuzz_rand();
		}
		for (k = 0; k < rounds; k++)
			len = fuzz_mutate(buf, len, cap);
		/* Exactly @len bytes on the heap: ASan sees any overread. */
		exact = malloc(len ? len : 1);
		CU_ASSERT_FATAL(exact != NULL);
		memcpy(exact, buf, len);
		rc = sbc_sdp_parse(d, exact, len, &err);
		free(exact);
		if (rc != 0) {
			refused++;
			if (err.code == SBC_SDP_E_OK || err.code >= SBC_SDP_E__COUNT)
				broken++;
			continue;
		}
		parsed++;
		/* Every other round without a codec filter: unknown codecs pass too. */
		pol.any_codec = (iter & 1) != 0;
		for (k = 0; k < d->n_media; k++)
			mo[k] = (k & 1) ? ep6((uint8_t)k, (uint16_t)(40000 + 2 * k)) :
					  ep4(1, (uint8_t)k, (uint16_t)(40000 + 2 * k));
		/* What we build from anything we accepted must parse again. */
		rc = sbc_sdp_build_offer(d, &pol, mo, d->n_media, &ob, out, sizeof(out), sent, &err);
		if (rc < 0 && rc != -E2BIG) {
			fprintf(stderr, "\nbuild_offer %d (%s) on:\n%.*s\n", rc,
				sbc_sdp_error_str(err.code), (int)len, buf);
			broken++;
			continue;
		}
		if (rc < 0)
			continue;
		/* The peer's description as its own answer: every path runs. */
		rc = sbc_sdp_build_answer(d, sent, d, &pol, mo, d->n_media, &oa, out2,
					  sizeof(out2), ans, &err);
		if (rc < 0 && rc != -E2BIG) {
			fprintf(stderr, "\nbuild_answer %d (%s)\n", rc, sbc_sdp_error_str(err.code));
			broken++;
			continue;
		}
		if (rc < 0)
			continue;
		for (k = 0; k < d->n_media; k++) {
			struct sbc_api_leg la, lb;

			rc = sbc_sdp_plan_media(d, ans, d, sent, (uint32_t)k, &la, &lb);
			if (rc < 0 && rc != -ENOSPC)
				broken++;
			if (rc == 1 && (la.n_pt_map > SBC_API_PT_MAP_MAX || lb.n_pt_map > SBC_API_PT_MAP_MAX))
				broken++;
		}
	}
	printf("\n    fuzz: %zu iterations, %zu parsed, %zu refused, %zu broken ",
	       (size_t)FUZZ_ITERATIONS, parsed, refused, broken);
	CU_ASSERT_EQUAL(broken, 0);
	/* The mutations must exercise both outcomes to mean anything. */
	CU_ASSERT(parsed > FUZZ_ITERATIONS / 10);
	CU_ASSERT(refused > FUZZ_ITERATIONS / 10);
	free(buf);
	free(d);
	free(sent);
	free(ans);
}

/*
 * tests/regressions/sdp-parser-hang.sdp: libsofia-sip-ua's sdp_parse()
 * never returns on it.  sbc_sdp_parse() must refuse it (and every
 * mutation of its m= line that breaks RFC 4566's grammar) before Sofia
 * sees it, in bounded time: an alarm ends the test program if it hangs.
 */
static void on_alarm(int sig)
{
	static const char msg[] = "sdp: sbc_sdp_parse() did not return (Sofia's parser hang)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

/*
 * RFC 4475 esc01 / longreq: an a=rtpmap without a clock rate (on a video
 * line here) made Sofia's parser refuse the whole INVITE as malformed.
 * The attribute is left out; the line and its static payload type stay.
 * An audio dynamic type whose rtpmap is broken is then an unnamed one.
 */
static void test_lenient_rtpmap(void)
{
	static const char esc01[] =
		"v=0\r\no=mhandley 29739 7272939 IN IP4 198.18.9.3\r\ns=-\r\n"
		"c=IN IP4 198.18.9.4\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0 12\r\n"
		"m=video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n";
	static const char audio[] =
		"v=0\r\no=x 1 1 IN IP4 198.18.9.3\r\ns=-\r\nc=IN IP4 198.18.9.4\r\nt=0 0\r\n"
		"m=audio 4000 RTP/AVP 0 96\r\na=rtpmap:96 opus\r\na=rtpmap:0 PCMU/8000\r\n"
		"a=sendrecv\r\n";
	static const char *const bad[] = {
		"a=rtpmap:96 opus", "a=rtpmap:96", "a=rtpmap: 96 opus/48000", "a=rtpmap:96 /8000",
		"a=rtpmap:96 opus/", "a=rtpmap:1234 x/8000", "a=rtpmap:96 op us/8000",
	};
	struct sbc_sdp_desc *d = desc_new();
	struct sbc_sdp_error err;
	char body[512];
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(sbc_sdp_parse(d, esc01, sizeof(esc01) - 1, &err), 0);
	CU_ASSERT_EQUAL(d->n_media, 2);
	CU_ASSERT_EQUAL(d->media[1].type, SBC_SDP_MEDIA_OTHER);
	CU_ASSERT_EQUAL(d->media[0].port, 49217);
	CU_ASSERT_EQUAL(sbc_sdp_parse(d, audio, sizeof(audio) - 1, &err), 0);
	CU_ASSERT_EQUAL_FATAL(d->n_media, 1);
	CU_ASSERT_EQUAL(d->media[0].dir, SBC_SDP_SENDRECV);     /* lines after it were read */
	for (i = 0; i < d->media[0].n_fmt; i++) {
		const struct sbc_sdp_fmt *f = &d->media[0].fmt[i];

		if (f->pt == 96)
			CU_ASSERT_EQUAL(f->clock, 0);
		if (f->pt == 0)
			CU_ASSERT_EQUAL(f->clock, 8000);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "v=0\r\no=x 1 1 IN IP4 198.18.9.3\r\ns=-\r\n"
			 "c=IN IP4 198.18.9.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 96\r\n%s\r\n",
			 bad[i]);
		CU_ASSERT_EQUAL(sbc_sdp_parse(d, body, strlen(body), &err), 0);
		if (err.code != SBC_SDP_E_OK)
			fprintf(stderr, "\n%s: %s\n", bad[i], sbc_sdp_error_str(err.code));
	}
	free(d);
}

static void test_regression_hang(void)
{
	static const char *const bad_m[] = {
		"m=audio 0 /0 x\t\t",          /* the regression's line */
		"m=audio 0 /0 x",
		"m=audio 0 /0 0",
		"m=audio 4000 RTP/AVP 0\t\t",   /* tabs after the formats */
		"m=audio\t4000 RTP/AVP 0",       /* a tab between fields */
		"m=audio 4000 RTP//AVP 0",
		"m=audio 4000 RTP/ 0",
		"m=audio 4000 /RTP/AVP 0",
		"m=audio 4000 0RTP/AVP 0",
		"m=audio 4000 / 0",
	};
	static const char *const good_m[] = {
		"m=audio 4000 RTP/AVP 0",
		"m=audio 4000 RTP/SAVP 0",
		"m=image 4002 udptl t38",
		"m=video 0 UDP/TLS/RTP/SAVPF 96",
	};
	struct sbc_sdp_desc *d = calloc(1, sizeof(*d));
	struct sbc_sdp_error err;
	char body[512];
	FILE *f;
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	signal(SIGALRM, on_alarm);
	alarm(10);
	f = fopen(SBC_SOURCE_ROOT "/tests/regressions/sdp-parser-hang.sdp", "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(body, 1, sizeof(body), f);
	fclose(f);
	CU_ASSERT_EQUAL(n, 47);
	CU_ASSERT_NOT_EQUAL(sbc_sdp_parse(d, body, n, &err), 0);
	CU_ASSERT_EQUAL(err.code, SBC_SDP_E_MEDIA);
	CU_ASSERT_EQUAL(sbc_sdp_error_sip_status(err.code), 400);
	CU_ASSERT_EQUAL(err.line, 3);
	for (size_t i = 0; i < sizeof(bad_m) / sizeof(bad_m[0]); i++) {
		n = (size_t)snprintf(body, sizeof(body), "v=0\r\no=a 0 1 IN IP4 198.18.9.1\r\n"
				     "s=-\r\nc=IN IP4 198.18.9.1\r\nt=0 0\r\n%s\r\n", bad_m[i]);
		CU_ASSERT_NOT_EQUAL(sbc_sdp_parse(d, body, n, &err), 0);
		if (err.code != SBC_SDP_E_MEDIA)
			fprintf(stderr, "%s: %s\n", bad_m[i], sbc_sdp_error_str(err.code));
		CU_ASSERT_EQUAL(err.code, SBC_SDP_E_MEDIA);
	}
	for (size_t i = 0; i < sizeof(good_m) / sizeof(good_m[0]); i++) {
		n = (size_t)snprintf(body, sizeof(body), "v=0\r\no=a 0 1 IN IP4 198.18.9.1\r\n"
				     "s=-\r\nc=IN IP4 198.18.9.1\r\nt=0 0\r\n%s\r\n", good_m[i]);
		CU_ASSERT_EQUAL(sbc_sdp_parse(d, body, n, &err), 0);
	}
	alarm(0);
	free(d);
}

int
main(void)
{
	static const struct sbc_test tests[] = {
		{ "parse PBX offer", test_parse_pbx_offer },
		{ "parse IPv6 offer", test_parse_ipv6 },
		{ "parse rtcp-mux", test_parse_rtcp_mux },
		{ "parse hold variants", test_parse_hold_variants },
		{ "parse T.38", test_parse_t38 },
		{ "parse audio + video", test_parse_video },
		{ "parse SRTP offer", test_parse_srtp },
		{ "malformed bodies refused", test_malformed },
		{ "truncated bodies", test_truncated },
		{ "error table", test_error_table },
		{ "anchor: exact output", test_anchor_exact },
		{ "anchor: every sample, no leak", test_anchor_all_samples },
		{ "anchor: media lines", test_anchor_media_lines },
		{ "anchor: IPv6 <-> IPv4", test_anchor_ipv6_to_ipv4 },
		{ "o= versions", test_origin_versions },
		{ "codec filter", test_codec_filter },
		{ "CN only toward CN peers", test_cn },
		{ "telephone-event 101 vs 96", test_te_mapping },
		{ "direction -> flags", test_direction_flags },
		{ "leg flags table", test_leg_flags_table },
		{ "rtcp-mux exchange", test_rtcp_mux_exchange },
		{ "rejected streams", test_rejected_streams },
		{ "answer codecs", test_answer_codecs },
		{ "T.38 exchange", test_t38_exchange },
		{ "a=crypto hook", test_crypto_hook },
		{ "late-offer template", test_template },
		{ "late-offer flow", test_late_offer_flow },
		{ "no filter: offer keeps every named type", test_any_offer },
		{ "no filter: answer and payload-type maps", test_any_answer_and_plan },
		{ "plan: one codec offered twice", test_plan_same_codec_twice },
		{ "telephone-event/CN only at kept clocks", test_event_rates },
		{ "no filter: late-offer template", test_any_template },
		{ "bad arguments", test_arguments },
		{ "a=rtpmap Sofia cannot parse: left out, not the call", test_lenient_rtpmap },
		{ "regression: Sofia parser hang refused", test_regression_hang },
		{ "fuzz mutated samples", test_fuzz },
	};
	return SBC_TEST_RUN("sdp", tests);
}
