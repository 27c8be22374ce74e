/* SPDX-License-Identifier: BSD-3-Clause
 * RFC 3711 appendix B test vectors, exact bytes: B.2 AES-CM keystream (our
 * OpenSSL reference and the crypto device the cryptodev engine uses), B.3
 * key derivation (session encryption key, salt, authentication key).
 * Then the framing helpers the cryptodev engine is built on: rollover
 * counter estimation (RFC 3711 3.3.1, appendix A) and the SRTP / SRTCP
 * replay windows, at their edges.
 */
#include <stdio.h>
#include <string.h>


#include "cunit_run.h"
#include "srtp_priv.h"
#include "srtp_test.h"

static struct st_env env;

static void hex(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned int v;

		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

/* B.2 */
static const char *const b2_key = "2B7E151628AED2A6ABF7158809CF4F3C";
static const char *const b2_iv0 = "F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000";
static const char *const b2_ks0 =
	"E03EAD0935C95E80E166B16DD92B4EB4"
	"D23513162B02D0F72A43A2FE4A5F97AB"
	"41E95B3BB0A2E8DD477901E4FCA894C0";
static const char *const b2_ivfeff = "F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF";
static const char *const b2_ksfeff =
	"EC8CDF7398607CB0F2D21675EA9EA1E4"
	"362B7C3C6773516318A077D7FC5073AE"
	"6A2CC3787889374FBEB4C81B17BA6C44";

static void check_b2(int (*gen)(const uint8_t *, const uint8_t *, uint8_t *, size_t))
{
	uint8_t key[16], iv[16], want[48], got[48];

	hex(b2_key, key, 16);
	hex(b2_iv0, iv, 16);
	hex(b2_ks0, want, 48);
	memset(got, 0, sizeof(got));
	CU_ASSERT_EQUAL_FATAL(gen(key, iv, got, 48), 0);
	CU_ASSERT_EQUAL(memcmp(got, want, 48), 0);
	/* Counter FEFF → FF00 → FF01: the carry out of the low byte. */
	hex(b2_ivfeff, iv, 16);
	hex(b2_ksfeff, want, 48);
	CU_ASSERT_EQUAL_FATAL(gen(key, iv, got, 48), 0);
	CU_ASSERT_EQUAL(memcmp(got, want, 48), 0);
	/* A length that is not a whole number of blocks. */
	hex(b2_iv0, iv, 16);
	hex(b2_ks0, want, 48);
	memset(got, 0, sizeof(got));
	CU_ASSERT_EQUAL_FATAL(gen(key, iv, got, 37), 0);
	CU_ASSERT_EQUAL(memcmp(got, want, 37), 0);
	CU_ASSERT_EQUAL(got[37], 0);
}

static int openssl_ks(const uint8_t *key, const uint8_t *iv, uint8_t *out, size_t len)
{
	return sbc_srtp_aes_cm(key, iv, out, len);
}

static int device_ks(const uint8_t *key, const uint8_t *iv, uint8_t *out, size_t len)
{
	return sbc_srtp_cryptodev_keystream(env.engine[ST_CDEV], key, iv, out, len);
}

static void test_b2_keystream_openssl(void)
{
	check_b2(openssl_ks);
}

static void test_b2_keystream_cryptodev(void)
{
	check_b2(device_ks);
}

/* B.3 */
static const char *const b3_key = "E1F97A0D3E018BE0D64FA32C06DE4139";
static const char *const b3_salt = "0EC675AD498AFEEBB6960B3AABE6";
static const char *const b3_cipher_key = "C61E7A93744F39EE10734AFE3FF7A087";
static const char *const b3_cipher_salt = "30CBBC08863D8C85D49DB34A9AE1";
static const char *const b3_auth_key =
	"CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCE"
	"E049646C43D9327AD175578EF72270986371C10C9A369AC2F94A8C5FBCDDDC25"
	"6D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2";

static void test_b3_key_derivation(void)
{
	uint8_t key[16], salt[14], want[94], got[94];

	hex(b3_key, key, 16);
	hex(b3_salt, salt, 14);
	hex(b3_cipher_key, want, 16);
	CU_ASSERT_EQUAL_FATAL(sbc_srtp_kdf(key, salt, SRTP_LABEL_RTP_ENC, got, 16), 0);
	CU_ASSERT_EQUAL(memcmp(got, want, 16), 0);
	hex(b3_cipher_salt, want, 14);
	CU_ASSERT_EQUAL_FATAL(sbc_srtp_kdf(key, salt, SRTP_LABEL_RTP_SALT, got, 14), 0);
	CU_ASSERT_EQUAL(memcmp(got, want, 14), 0);
	/* The appendix lists 94 bytes of the auth PRF; HMAC-SHA1 uses 20. */
	hex(b3_auth_key, want, 94);
	CU_ASSERT_EQUAL_FATAL(sbc_srtp_kdf(key, salt, SRTP_LABEL_RTP_AUTH, got, 94), 0);
	CU_ASSERT_EQUAL(memcmp(got, want, 94), 0);
}

/* What a context is initialised with: the six session keys. */
static void test_b3_session_keys(void)
{
	struct sbc_srtp_params p = { .suite = SBC_SRTP_AES_CM_128_HMAC_SHA1_80,
				     .dir = SBC_SRTP_PROTECT };
	struct srtp_session_keys k;
	uint8_t want[20], other[20];

	hex(b3_key, p.master_key, 16);
	hex(b3_salt, p.master_salt, 14);
	CU_ASSERT_EQUAL_FATAL(sbc_srtp_derive(&p, &k), 0);
	hex(b3_cipher_key, want, 16);
	CU_ASSERT_EQUAL(memcmp(k.rtp_enc, want, 16), 0);
	hex(b3_cipher_salt, want, 14);
	CU_ASSERT_EQUAL(memcmp(k.rtp_salt, want, 14), 0);
	hex(b3_auth_key, want, 20);
	CU_ASSERT_EQUAL(memcmp(k.rtp_auth, want, 20), 0);
	/* SRTCP keys: labels 3-5, all different from the SRTP ones. */
	CU_ASSERT_EQUAL(sbc_srtp_kdf(p.master_key, p.master_salt, SRTP_LABEL_RTCP_ENC, other, 16), 0);
	CU_ASSERT_EQUAL(memcmp(k.rtcp_enc, other, 16), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(k.rtcp_enc, k.rtp_enc, 16), 0);
	CU_ASSERT_EQUAL(sbc_srtp_kdf(p.master_key, p.master_salt, SRTP_LABEL_RTCP_AUTH, other, 20), 0);
	CU_ASSERT_EQUAL(memcmp(k.rtcp_auth, other, 20), 0);
	CU_ASSERT_EQUAL(sbc_srtp_kdf(p.master_key, p.master_salt, SRTP_LABEL_RTCP_SALT, other, 14), 0);
	CU_ASSERT_EQUAL(memcmp(k.rtcp_salt, other, 14), 0);
}

#define IDX(roc, seq) (((uint64_t)(roc) << 16) | (seq))

static void test_index_estimate(void)
{
	uint64_t est;

	/* A young stream (index <= 0x8000) never guesses ROC -1. */
	CU_ASSERT_EQUAL(srtp_index_estimate(IDX(0, 10), 65000, &est), 65000 - 10);
	CU_ASSERT_EQUAL(est, IDX(0, 65000));
	CU_ASSERT_EQUAL(srtp_index_estimate(IDX(0, 0x8000), 0, &est), -0x8000);
	CU_ASSERT_EQUAL(est, IDX(0, 0));
	/* Forward across the wrap: ROC + 1. */
	CU_ASSERT_EQUAL(srtp_index_estimate(IDX(0, 65530), 3, &est), 9);
	CU_ASSERT_EQUAL(est, IDX(1, 3));
	CU_ASSERT_EQUAL(srtp_index_estimate(IDX(7, 65535), 0, &est), 1);
	CU_ASSERT_EQUAL(est, IDX(8, 0));
	/* Late packet from before the wrap: ROC - 1. */
	CU_ASSERT_EQUAL(srtp_index_estimate(IDX(1, 5), 65530, &est), -11);
	CU_ASSERT_EQUAL(est, IDX(0, 65530));
	/* Exactly half the space away: the boundaries of appendix A. */
	CU_ASSERT_EQUAL(srtp_index_estimate(IDX(3, 0x1000), 0x9000, &est), 0x8000);
	CU_ASSERT_EQUAL(est, IDX(3, 0x9000));
	CU_ASSERT_EQUAL(srtp_index_estimate(IDX(3, 0x1000), 0x9001, &est), 0x8001 - 0x10000);
	CU_ASSERT_EQUAL(est, IDX(2, 0x9001));
	CU_ASSERT_EQUAL(srtp_index_estimate(IDX(3, 0x9000), 0x1000, &est), -0x8000);
	CU_ASSERT_EQUAL(est, IDX(3, 0x1000));
	CU_ASSERT_EQUAL(srtp_index_estimate(IDX(3, 0x9000), 0x0fff, &est), 0x7fff);
	CU_ASSERT_EQUAL(est, IDX(4, 0x0fff));
	/* Same packet: delta 0. */
	CU_ASSERT_EQUAL(srtp_index_estimate(IDX(9, 1234), 1234, &est), 0);
	CU_ASSERT_EQUAL(est, IDX(9, 1234));
}

static void test_replay_window(void)
{
	struct srtp_ctx_priv c;
	int32_t d;

	memset(&c, 0, sizeof(c));
	srtp_stream_start(&c, 1, IDX(0, 100));
	CU_ASSERT_EQUAL(srtp_replay_check(c.rtp_window, 0), SBC_SRTP_REPLAY);
	CU_ASSERT_EQUAL(srtp_replay_check(c.rtp_window, 1), SBC_SRTP_OK);
	CU_ASSERT_EQUAL(srtp_replay_check(c.rtp_window, -63), SBC_SRTP_OK);
	CU_ASSERT_EQUAL(srtp_replay_check(c.rtp_window, -64), SBC_SRTP_TOO_OLD);
	srtp_replay_add(&c, -63);                      /* index 37 */
	CU_ASSERT_EQUAL(srtp_replay_check(c.rtp_window, -63), SBC_SRTP_REPLAY);
	srtp_replay_add(&c, 5);                        /* index 105 */
	CU_ASSERT_EQUAL(c.rtp_index, IDX(0, 105));
	CU_ASSERT_EQUAL(srtp_replay_check(c.rtp_window, -5), SBC_SRTP_REPLAY);    /* 100 */
	CU_ASSERT_EQUAL(srtp_replay_check(c.rtp_window, -4), SBC_SRTP_OK);        /* 101 */
	CU_ASSERT_EQUAL(srtp_replay_check(c.rtp_window, -68), SBC_SRTP_TOO_OLD);  /* 37 */
	srtp_replay_add(&c, 64);                       /* everything slides out */
	CU_ASSERT_EQUAL(c.rtp_window, 1);
	/* Across the wrap the window is in index space, not sequence space. */
	srtp_stream_start(&c, 1, IDX(4, 65534));
	d = srtp_index_estimate(c.rtp_index, 1, &(uint64_t){ 0 });
	CU_ASSERT_EQUAL(d, 3);
	srtp_replay_add(&c, d);
	CU_ASSERT_EQUAL(c.rtp_index, IDX(5, 1));
	CU_ASSERT_EQUAL(srtp_replay_check(c.rtp_window, -3), SBC_SRTP_REPLAY);    /* 4:65534 */
	CU_ASSERT_EQUAL(srtp_replay_check(c.rtp_window, -2), SBC_SRTP_OK);        /* 4:65535 */
}

static void test_srtcp_replay_window(void)
{
	struct srtp_ctx_priv c;
	uint32_t i;

	memset(&c, 0, sizeof(c));
	srtcp_stream_start(&c, 1);
	/* A fresh database takes any index, once. */
	CU_ASSERT_EQUAL(srtcp_replay_check(&c, 0), SBC_SRTP_OK);
	srtcp_replay_add(&c, 5);
	CU_ASSERT_EQUAL(srtcp_replay_check(&c, 5), SBC_SRTP_REPLAY);
	CU_ASSERT_EQUAL(srtcp_replay_check(&c, 0), SBC_SRTP_OK);
	srtcp_replay_add(&c, 127);
	CU_ASSERT_EQUAL(c.rtcp_index, 0);
	srtcp_replay_add(&c, 128);                      /* window [1, 129) */
	CU_ASSERT_EQUAL(c.rtcp_index, 1);
	CU_ASSERT_EQUAL(srtcp_replay_check(&c, 0), SBC_SRTP_TOO_OLD);
	CU_ASSERT_EQUAL(srtcp_replay_check(&c, 5), SBC_SRTP_REPLAY);
	CU_ASSERT_EQUAL(srtcp_replay_check(&c, 127), SBC_SRTP_REPLAY);
	CU_ASSERT_EQUAL(srtcp_replay_check(&c, 128), SBC_SRTP_REPLAY);
	CU_ASSERT_EQUAL(srtcp_replay_check(&c, 1), SBC_SRTP_OK);
	/* Slides of every size keep the right bits. */
	for (i = 129; i < 1000; i += 1 + i % 70) {
		srtcp_replay_add(&c, i);
		CU_ASSERT_EQUAL(c.rtcp_index, i - 127);
		CU_ASSERT_EQUAL(srtcp_replay_check(&c, i), SBC_SRTP_REPLAY);
		CU_ASSERT_EQUAL(srtcp_replay_check(&c, i + 1), SBC_SRTP_OK);
		CU_ASSERT_EQUAL(srtcp_replay_check(&c, i - 128), SBC_SRTP_TOO_OLD);
	}
	srtcp_replay_add(&c, 100000);
	CU_ASSERT_EQUAL(c.rtcp_window[0], 0);
	CU_ASSERT_EQUAL(c.rtcp_window[1], UINT64_C(1) << 63);
}

static void test_result_names(void)
{
	CU_ASSERT_STRING_EQUAL(sbc_srtp_result_name(SBC_SRTP_OK), "ok");
	CU_ASSERT_STRING_EQUAL(sbc_srtp_result_name(SBC_SRTP_AUTH), "auth_fail");
	CU_ASSERT_STRING_EQUAL(sbc_srtp_result_name(SBC_SRTP_CRYPTO), "crypto_error");
	CU_ASSERT_STRING_EQUAL(sbc_srtp_result_name(-1), "unknown");
	CU_ASSERT_STRING_EQUAL(sbc_srtp_result_name(SBC_SRTP_RESULT_COUNT), "unknown");
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "B.2 AES-CM keystream, OpenSSL reference", test_b2_keystream_openssl },
		{ "B.2 AES-CM keystream, crypto device", test_b2_keystream_cryptodev },
		{ "B.3 key derivation", test_b3_key_derivation },
		{ "B.3 session keys of a context", test_b3_session_keys },
		{ "ROC estimation (appendix A)", test_index_estimate },
		{ "SRTP replay window", test_replay_window },
		{ "SRTCP replay window", test_srtcp_replay_window },
		{ "result names", test_result_names },
	};
	unsigned int failures = 1;

	if (st_setup(&env, "test_srtp_vectors", 4, 63) != 0)
		goto out;
	failures = SBC_TEST_RUN("srtp vectors", tests) != 0;
out:
	st_teardown(&env);
	return failures ? 1 : 0;
}
