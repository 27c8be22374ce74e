/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the SDP guard and Sofia's parser as a pair, the way every
 * offer and answer reaches them (sbc_sdp_parse(): Rampart's bounded scan
 * first, then libsofia-sip-ua's sdp_parse() on what the scan let through,
 * then the copy into our description).  Whatever the input, it returns,
 * in bounded time, without a memory error or a leak.
 *
 * What parses then goes through the rewriter, as the B2BUA relays it:
 * sbc_sdp_build_offer() twice (no codec filter, the peer's a=crypto
 * relayed, anchored on 198.18.0.1; then PCMU, PCMA, telephone-event and
 * T38 only, a=crypto stripped and our own key added, anchored on
 * 2001:db8::1 with a separate a=rtcp port), and sbc_sdp_build_answer()
 * with our own offer as the far leg's answer.  Every body a builder
 * returns must parse back with sbc_sdp_parse(), or the target abort()s:
 * an SDP the rewriter produces and then cannot parse back is a call the
 * B2BUA would refuse to itself (a known historical bug class).  The
 * builders get no @sent, so that their own re-parse cannot hide it.
 *
 * Built two ways (tests/fuzz/meson.build):
 *   fuzz_sdp         clang -fsanitize=fuzzer,address (meson -Dfuzz=true):
 *                    ./scripts/fuzz.sh sdp SECONDS
 *   fuzz_sdp_replay  any compiler, with replay_main.c: every file of
 *                    tests/fuzz/corpus/sdp/ once, each under a 2 s alarm
 *                    (meson test fuzz-sdp-corpus, in every CI run).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbc_api.h"
#include "sbc_codec.h"
#include "sdp.h"

#define FUZZ_CRYPTO "1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Large: none of these on the stack. */
static struct sbc_sdp_desc d, back, sent;
static char body[SBC_SDP_BODY_MAX + 1];

static void must_parse_back(const char *what, int len)
{
	struct sbc_sdp_error err;

	if (len <= 0)
		return;
	if (sbc_sdp_parse(&back, body, (size_t)len, &err) != 0) {
		fprintf(stderr, "fuzz sdp: %s built a body it cannot parse back (%s, line %u):\n%.*s\n",
			what, sbc_sdp_error_str(err.code), err.line, len, body);
		abort();
	}
}

static void set_ip4(struct sbc_api_addr *a, uint16_t port)
{
	static const uint8_t ip[4] = { 198, 18, 0, 1 };

	memset(a, 0, sizeof(*a));
	a->family = SBC_API_AF_INET;
	a->port = port;
	memcpy(a->ip, ip, sizeof(ip));
}

static void set_ip6(struct sbc_api_addr *a, uint16_t port)
{
	static const uint8_t ip[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	memset(a, 0, sizeof(*a));
	a->family = SBC_API_AF_INET6;
	a->port = port;
	memcpy(a->ip, ip, sizeof(ip));
}

/* The offer with no codec filter, the peer's a=crypto relayed; then the answer. */
static void relay_any(void)
{
	static const struct sbc_sdp_policy pol = { .any_codec = true, .cn_allowed = true };
	struct sbc_sdp_media_out out[SBC_SDP_MEDIA_MAX];
	struct sbc_sdp_origin o;
	struct sbc_ip ip = { .family = 4, .bytes = { 198, 18, 0, 1 } };
	int len;

	memset(out, 0, sizeof(out));
	for (unsigned int i = 0; i < d.n_media && i < SBC_SDP_MEDIA_MAX; i++) {
		set_ip4(&out[i].local, (uint16_t)(40000 + 2 * i));
		out[i].local_rtcp_port = (uint16_t)(40001 + 2 * i);
		out[i].rtcp_mux = d.media[i].rtcp_mux;
		out[i].proto = d.media[i].proto == SBC_SDP_PROTO_RTP_SAVP ? SBC_SDP_PROTO_RTP_SAVP :
									      SBC_SDP_PROTO_RTP_AVP;
	}
	if (sbc_sdp_origin_init(&o, 1, &ip) != 0)
		abort();
	len = sbc_sdp_build_offer(&d, &pol, out, d.n_media, &o, body, sizeof(body), NULL, NULL);
	must_parse_back("sbc_sdp_build_offer (any codec)", len);
	if (len <= 0)
		return;
	/* The far leg answers with what we offered it. */
	memcpy(&sent, &back, sizeof(sent));
	len = sbc_sdp_build_answer(&d, &sent, &sent, &pol, out, d.n_media, &o, body,
				   sizeof(body), NULL, NULL);
	must_parse_back("sbc_sdp_build_answer", len);
}

/* The offer through a codec filter, the peer's a=crypto replaced by ours. */
static void relay_filtered(void)
{
	static const uint32_t codecs[] = { SBC_CODEC_PCMU, SBC_CODEC_PCMA,
					   SBC_CODEC_TELEPHONE_EVENT, SBC_CODEC_T38 };
	static const char *const crypto[] = { FUZZ_CRYPTO };
	static const struct sbc_sdp_policy pol = {
		.codecs = codecs, .n_codecs = sizeof(codecs) / sizeof(codecs[0]),
		.strip_crypto = true,
	};
	struct sbc_sdp_media_out out[SBC_SDP_MEDIA_MAX];
	struct sbc_sdp_origin o;
	struct sbc_ip ip = { .family = 4, .bytes = { 198, 18, 0, 1 } };
	int len;

	memset(out, 0, sizeof(out));
	for (unsigned int i = 0; i < d.n_media && i < SBC_SDP_MEDIA_MAX; i++) {
		set_ip6(&out[i].local, (uint16_t)(50000 + 4 * i));
		out[i].local_rtcp_port = (uint16_t)(50003 + 4 * i);   /* not port + 1: a=rtcp */
		out[i].proto = SBC_SDP_PROTO_RTP_SAVP;
		out[i].crypto = crypto;
		out[i].n_crypto = 1;
	}
	if (sbc_sdp_origin_init(&o, 2, &ip) != 0)
		abort();
	len = sbc_sdp_build_offer(&d, &pol, out, d.n_media, &o, body, sizeof(body), NULL, NULL);
	must_parse_back("sbc_sdp_build_offer (PCMU, PCMA, telephone-event, T38)", len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbc_sdp_error err;

	if (sbc_sdp_parse(&d, (const char *)data, size, &err) != 0)
		return 0;
	relay_any();
	relay_filtered();
	sbc_sdp_desc_wipe(&d);
	sbc_sdp_desc_wipe(&sent);
	sbc_sdp_desc_wipe(&back);
	memset(body, 0, sizeof(body));
	return 0;
}
