/* SPDX-License-Identifier: BSD-3-Clause
 * SDES a=crypto values: generate, format, parse, select.  See sdes.h.
 */
#include "sdes.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

/* 30 bytes of key||salt are exactly 40 base64 characters, no padding. */
#define SDES_B64_LEN 40

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const struct {
	unsigned int suite;
	const char *name;
} suites[] = {
	{ SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80, "AES_CM_128_HMAC_SHA1_80" },
	{ SBC_API_SRTP_AES_CM_128_HMAC_SHA1_32, "AES_CM_128_HMAC_SHA1_32" },
};

static const char *sbc_sdes_suite_name(unsigned int suite)
{
	size_t i;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].suite == suite)
			return suites[i].name;
	return NULL;
}

void sbc_sdes_wipe(void *p, size_t n)
{
	if (p != NULL && n != 0)
		OPENSSL_cleanse(p, n);
}

int sbc_sdes_generate(struct sbc_sdes_key *k, uint32_t tag, unsigned int suite)
{
	if (k == NULL || tag > SBC_SDES_TAG_MAX || sbc_sdes_suite_name(suite) == NULL)
		return -EINVAL;
	k->tag = tag;
	k->suite = (uint8_t)suite;
	if (RAND_bytes(k->key_salt, sizeof(k->key_salt)) != 1) {
		sbc_sdes_wipe(k, sizeof(*k));
		return -EIO;
	}
	return 0;
}

static void b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i, o = 0;

	/* n is a multiple of 3 here (30). */
	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	out[o] = '\0';
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Exactly SDES_B64_LEN characters at @s into 30 bytes; -1 on any bad character. */
static int b64_decode_keysalt(const char *s, uint8_t *out)
{
	size_t i, o = 0;

	for (i = 0; i < SDES_B64_LEN; i += 4) {
		int a = b64_value(s[i]), b = b64_value(s[i + 1]);
		int c = b64_value(s[i + 2]), d = b64_value(s[i + 3]);
		uint32_t v;

		if (a < 0 || b < 0 || c < 0 || d < 0)
			return -1;
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)v;
	}
	return 0;
}

int sbc_sdes_format(const struct sbc_sdes_key *k, char *buf, size_t size)
{
	char b64[SDES_B64_LEN + 1];
	const char *name;
	int n;

	if (k == NULL || buf == NULL || k->tag > SBC_SDES_TAG_MAX)
		return -EINVAL;
	name = sbc_sdes_suite_name(k->suite);
	if (name == NULL)
		return -EINVAL;
	b64_encode(k->key_salt, sizeof(k->key_salt), b64);
	n = snprintf(buf, size, "%u %s inline:%s", k->tag, name, b64);
	sbc_sdes_wipe(b64, sizeof(b64));
	if (n < 0 || (size_t)n >= size) {
		sbc_sdes_wipe(buf, size);
		return -ENOSPC;
	}
	return n;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/*
 * A key lifetime: decimal digits (at most 19, so no overflow matters) or
 * "2^" and one or two digits up to 2^63.
 */
static bool lifetime_ok(const char *s, size_t n)
{
	if (n > 2 && s[0] == '2' && s[1] == '^') {
		unsigned int e = 0;
		size_t i;

		if (n > 4 || !all_digits(s + 2, n - 2))
			return false;
		for (i = 2; i < n; i++)
			e = e * 10 + (unsigned int)(s[i] - '0');
		return e >= 1 && e <= 63;
	}
	return n <= 19 && all_digits(s, n) && !(n == 1 && s[0] == '0');
}

/* The one SP or HTAB that separates two fields, at *@pp. */
static int skip_field_separator(const char **pp)
{
	if (**pp != ' ' && **pp != '\t')
		return -EBADMSG;
	(*pp)++;
	return 0;
}

/* tag: 1*9DIGIT at *@pp, then the separator. */
static int parse_tag(const char **pp, uint32_t *tag)
{
	const char *p = *pp;
	size_t n = strcspn(p, " \t"), i;

	if (n > 9 || !all_digits(p, n))
		return -EBADMSG;
	*tag = 0;
	for (i = 0; i < n; i++)
		*tag = *tag * 10 + (uint32_t)(p[i] - '0');
	*pp = p + n;
	return skip_field_separator(pp);
}

/*
 * crypto-suite at *@pp, then the separator.  A suite we do not know is only
 * noted in @known (-ENOTSUP): the rest of the line is still checked, and a
 * malformed line reads as malformed whatever its suite.
 */
static int parse_suite(const char **pp, uint8_t *suite, int *known)
{
	const char *p = *pp;
	size_t n = strcspn(p, " \t"), i;

	if (n == 0)
		return -EBADMSG;
	*known = -ENOTSUP;
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (strlen(suites[i].name) == n && memcmp(p, suites[i].name, n) == 0) {
			*suite = (uint8_t)suites[i].suite;
			*known = 0;
		}
	for (i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] > 0x7e)
			return -EBADMSG;
	*pp = p + n;
	return skip_field_separator(pp);
}

/* What follows the key in its key-info (@n > 0 bytes at @p): "|lifetime" only. */
static int check_key_lifetime(const char *p, size_t n)
{
	const char *bar;

	if (*p == ';')
		return -ENOTSUP;  /* a second key-param: several master keys need MKIs */
	if (*p == '=' || *p != '|')
		return -EBADMSG;  /* padding or junk: 30 bytes never need '=' */
	p++;
	n--;
	bar = memchr(p, '|', n);
	if (memchr(p, ':', bar != NULL ? (size_t)(bar - p) : n) != NULL)
		/* |MKI:LEN without a lifetime */
		return all_digits(p, strcspn(p, ":")) ? -ENOTSUP : -EBADMSG;
	if (!lifetime_ok(p, bar != NULL ? (size_t)(bar - p) : n))
		return -EBADMSG;
	if (bar != NULL)
		return -ENOTSUP;  /* an MKI after the lifetime */
	return 0;
}

/*
 * key-params (@n bytes at @p): exactly one "inline:" key-info, whose 30
 * bytes of key||salt go into @k.
 */
static int parse_key_params(const char *p, size_t n, struct sbc_sdes_key *k)
{
	if (n < 7 || strncmp(p, "inline:", 7) != 0)
		/* another key method (RFC 4568 allows only inline for SRTP) */
		return n == 0 || memchr(p, ':', n) == NULL ? -EBADMSG : -ENOTSUP;
	p += 7;
	n -= 7;
	if (n < SDES_B64_LEN || b64_decode_keysalt(p, k->key_salt) != 0)
		return -EBADMSG;
	p += SDES_B64_LEN;
	n -= SDES_B64_LEN;
	return n > 0 ? check_key_lifetime(p, n) : 0;
}

/*
 * What follows key-params at @p: nothing.  Session parameters change the
 * transform: refused (-ENOTSUP); trailing blanks: malformed.
 */
static int check_no_session_params(const char *p)
{
	if (*p == '\0')
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0' ? -EBADMSG : -ENOTSUP;
}

/*
 * RFC 4568 section 9.1: tag 1*9DIGIT, WSP, suite, WSP, key-params, then
 * optional WSP session-params.  One SP or HTAB separates the fields.
 */
static int sdes_parse(const char *value, struct sbc_sdes_key *k)
{
	const char *p, *end;
	uint32_t tag;
	size_t n;
	int rc, suite_known;

	if (k == NULL)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	if (value == NULL)
		return -EBADMSG;
	end = value + strnlen(value, SBC_SDP_CRYPTO_LEN + 1);
	if (*end != '\0')
		return -EBADMSG;          /* longer than any a=crypto we keep */
	p = value;
	rc = parse_tag(&p, &tag);
	if (rc != 0)
		goto err;
	rc = parse_suite(&p, &k->suite, &suite_known);
	if (rc != 0)
		goto err;
	n = strcspn(p, " \t");
	rc = parse_key_params(p, n, k);
	if (rc != 0)
		goto err;
	rc = check_no_session_params(p + n);
	if (rc != 0)
		goto err;
	rc = suite_known;
	if (rc != 0)
		goto err;
	k->tag = tag;
	return 0;

err:
	sbc_sdes_wipe(k, sizeof(*k));
	return rc;
}

int sbc_sdes_parse(const char *value, struct sbc_sdes_key *k)
{
	int rc;

	if (k == NULL)
		return -EINVAL;
	rc = sdes_parse(value, k);
	if (rc != 0)
		sbc_sdes_wipe(k, sizeof(*k));   /* nothing of a refused line stays */
	return rc;
}

int sbc_sdes_select(const struct sbc_sdp_desc *d, const struct sbc_sdp_media *m,
		    struct sbc_sdes_key *k)
{
	uint32_t i;

	if (d == NULL || m == NULL || k == NULL)
		return -EINVAL;
	for (i = 0; i < m->n_crypto && i < SBC_SDP_CRYPTO_MAX; i++)
		if (sbc_sdes_parse(sbc_sdp_text(d, m->crypto[i]), k) == 0)
			return 0;
	sbc_sdes_wipe(k, sizeof(*k));
	return -ENOENT;
}

int sbc_sdes_find_answer(const struct sbc_sdp_desc *d, const struct sbc_sdp_media *m,
			 uint32_t tag, unsigned int suite, struct sbc_sdes_key *k)
{
	int rc;

	if (d == NULL || m == NULL || k == NULL)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	if (m->n_crypto != 1)
		return -ENOENT;
	rc = sbc_sdes_parse(sbc_sdp_text(d, m->crypto[0]), k);
	if (rc != 0)
		return -EBADMSG;
	if (k->tag != tag || k->suite != suite) {
		sbc_sdes_wipe(k, sizeof(*k));
		return -ENOENT;
	}
	return 0;
}

void sbc_sdes_to_api(const struct sbc_sdes_key *k, struct sbc_api_srtp *out)
{
	memset(out, 0, sizeof(*out));
	if (k == NULL || k->suite == SBC_API_SRTP_NONE)
		return;
	out->suite = k->suite;
	memcpy(out->master_key, k->key_salt, sizeof(out->master_key));
	memcpy(out->master_salt, k->key_salt + sizeof(out->master_key),
	       sizeof(out->master_salt));
}
