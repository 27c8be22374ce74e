/* SPDX-License-Identifier: BSD-3-Clause
 * SIP digest authentication (digest.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "sbc_hex.h"
#include "digest.h"
#include "sbc_ct.h"

#define DIGEST_SECRET_LEN 32
#define DIGEST_MAC_LEN 16             /* HMAC-SHA256 truncated: 128 bits */
#define DIGEST_NONCE_HEX (2 * (8 + DIGEST_MAC_LEN))
#define DIGEST_CLOCK_SKEW_S 5         /* a nonce this far in the future is still ours */
#define DIGEST_TTL_MAX_S 86400u
#define DIGEST_NONCE_LABEL "rampart-nonce"

struct sbc_digest_server {
	char realm[SBC_DIGEST_REALM_MAX];
	uint32_t ttl_s;
	unsigned char secret[DIGEST_SECRET_LEN];
};

#define SBC_DIGEST_ALG_NAME(e, n) [e] = n,
static const char *const alg_names[] = {
	SBC_DIGEST_ALGS(SBC_DIGEST_ALG_NAME)
};
#undef SBC_DIGEST_ALG_NAME

#define SBC_DIGEST_VERDICT_NAME(e, n) [e] = n,
static const char *const verdict_names[] = {
	SBC_DIGEST_VERDICTS(SBC_DIGEST_VERDICT_NAME)
};
#undef SBC_DIGEST_VERDICT_NAME

const char *sbc_digest_alg_name(enum sbc_digest_alg alg)
{
	return (unsigned int)alg < SBC_DIGEST_ALG__COUNT ? alg_names[alg] : "?";
}

const char *sbc_digest_verdict_name(enum sbc_digest_verdict v)
{
	return (unsigned int)v < SBC_DIGEST_VERDICT__COUNT ? verdict_names[v] : "?";
}

static int alg_parse(const char *s, enum sbc_digest_alg *alg)
{
	for (unsigned int i = 0; i < SBC_DIGEST_ALG__COUNT; i++) {
		if (strcasecmp(s, alg_names[i]) == 0) {
			*alg = (enum sbc_digest_alg)i;
			return 0;
		}
	}
	return -ENOTSUP;
}

static const EVP_MD *alg_md(enum sbc_digest_alg alg)
{
	return alg == SBC_DIGEST_SHA256 || alg == SBC_DIGEST_SHA256_SESS ? EVP_sha256() :
		EVP_md5();
}

static bool alg_sess(enum sbc_digest_alg alg)
{
	return alg == SBC_DIGEST_MD5_SESS || alg == SBC_DIGEST_SHA256_SESS;
}

/* Hex digits of a response with this algorithm. */
static size_t alg_hex_len(enum sbc_digest_alg alg)
{
	return alg == SBC_DIGEST_SHA256 || alg == SBC_DIGEST_SHA256_SESS ? 64 : 32;
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

static bool is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (sbc_hex_digit(s[i]) < 0)
			return false;
	return i == n;
}

/* H(p0 ":" p1 ":" ... ) in lowercase hex. */
static int hash_joined(const EVP_MD *md, const char *const *parts, size_t n,
		       char out[SBC_DIGEST_HEX_MAX])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (ctx == NULL)
		return -EIO;
	ok = EVP_DigestInit_ex(ctx, md, NULL);
	for (size_t i = 0; ok && i < n; i++) {
		if (i > 0)
			ok = EVP_DigestUpdate(ctx, ":", 1);
		if (ok)
			ok = EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]));
	}
	if (ok)
		ok = EVP_DigestFinal_ex(ctx, d, &dlen);
	EVP_MD_CTX_free(ctx);
	if (!ok || dlen * 2 >= SBC_DIGEST_HEX_MAX) {
		OPENSSL_cleanse(d, sizeof(d));
		return -EIO;
	}
	to_hex(d, dlen, out);
	OPENSSL_cleanse(d, sizeof(d));
	return 0;
}

int sbc_digest_response(enum sbc_digest_alg alg, const char *username, const char *realm,
			const char *password, const char *nonce, const char *nc,
			const char *cnonce, const char *qop, const char *method,
			const char *uri, char out[SBC_DIGEST_HEX_MAX])
{
	char ha1[SBC_DIGEST_HEX_MAX], ha2[SBC_DIGEST_HEX_MAX];
	const EVP_MD *md;
	int rc;

	if ((unsigned int)alg >= SBC_DIGEST_ALG__COUNT || username == NULL || realm == NULL ||
	    password == NULL || nonce == NULL || method == NULL || uri == NULL ||
	    out == NULL || (qop != NULL && (nc == NULL || cnonce == NULL)) ||
	    (alg_sess(alg) && cnonce == NULL))
		return -EINVAL;
	md = alg_md(alg);
	rc = hash_joined(md, (const char *const[]){ username, realm, password }, 3, ha1);
	if (rc == 0 && alg_sess(alg)) {
		char base[SBC_DIGEST_HEX_MAX];

		memcpy(base, ha1, sizeof(base));
		rc = hash_joined(md, (const char *const[]){ base, nonce, cnonce }, 3, ha1);
		OPENSSL_cleanse(base, sizeof(base));
	}
	if (rc == 0)
		rc = hash_joined(md, (const char *const[]){ method, uri }, 2, ha2);
	if (rc == 0 && qop != NULL)
		rc = hash_joined(md, (const char *const[]){ ha1, nonce, nc, cnonce, qop, ha2 },
				 6, out);
	else if (rc == 0)
		rc = hash_joined(md, (const char *const[]){ ha1, nonce, ha2 }, 3, out);
	OPENSSL_cleanse(ha1, sizeof(ha1));
	return rc;
}

/* ------------------------------------------------------------------ */
/* Header value parsing                                                */

struct dparam {
	const char *name;
	char *buf;                    /* NULL: value checked, not kept */
	size_t size;
	bool seen;
};

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_lws(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_lws(const char *p, const char *end)
{
	while (p < end && is_lws(*p))
		p++;
	return p;
}

/* Store one character of a value into @d (when kept), bounded. */
static int put_char(struct dparam *d, size_t *j, char c)
{
	if (d == NULL || d->buf == NULL)
		return 0;
	if (*j + 1 >= d->size)
		return -E2BIG;
	d->buf[(*j)++] = c;
	return 0;
}

/* The scheme token "Digest" and the LWS after it; *@pp moves to the first pair. */
static int skip_digest_scheme(const char **pp, const char *end)
{
	const char *p, *name;

	p = skip_lws(*pp, end);
	for (name = p; p < end && is_tchar(*p); p++)
		;
	if (p == name)
		return -EINVAL;
	if ((size_t)(p - name) != 6 || strncasecmp(name, "Digest", 6) != 0)
		return -ENOTSUP;
	if (p == end || !is_lws(*p))
		return -EINVAL;
	p = skip_lws(p, end);
	if (p == end)
		return -EINVAL;
	*pp = p;
	return 0;
}

/* The dparam named @name (@nlen bytes, any case); NULL for a name not asked for. */
static struct dparam *find_dparam(struct dparam *params, size_t np, const char *name,
				  size_t nlen)
{
	for (size_t i = 0; i < np; i++)
		if (strlen(params[i].name) == nlen &&
		    strncasecmp(name, params[i].name, nlen) == 0)
			return &params[i];
	return NULL;
}

/* A quoted-string from its opening quote at *@pp, unescaped into @d. */
static int read_quoted_value(const char **pp, const char *end, struct dparam *d, size_t *j)
{
	const char *p;
	int rc;

	for (p = *pp + 1; p < end && *p != '"'; p++) {
		if (*p == '\\' && ++p == end)
			return -EINVAL;
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return -EINVAL;
		if (*p == 0x7f)
			return -EINVAL;
		rc = put_char(d, j, *p);
		if (rc != 0)
			return rc;
	}
	if (p == end)
		return -EINVAL;   /* unterminated quoted string */
	*pp = p + 1;
	return 0;
}

/* A token value at *@pp into @d; an empty one is malformed. */
static int read_token_value(const char **pp, const char *end, struct dparam *d, size_t *j)
{
	const char *p;
	int rc;

	for (p = *pp; p < end && is_tchar(*p); p++) {
		rc = put_char(d, j, *p);
		if (rc != 0)
			return rc;
	}
	if (p == *pp)
		return -EINVAL;
	*pp = p;
	return 0;
}

/* One name=value pair at *@pp, its value kept in the dparam of that name. */
static int read_param(const char **pp, const char *end, struct dparam *params, size_t np)
{
	const char *p = *pp, *name;
	struct dparam *d;
	size_t nlen, j = 0;
	int rc;

	for (name = p; p < end && is_tchar(*p); p++)
		;
	nlen = (size_t)(p - name);
	if (nlen == 0)
		return -EINVAL;
	p = skip_lws(p, end);
	if (p == end || *p != '=')
		return -EINVAL;
	p = skip_lws(p + 1, end);
	d = find_dparam(params, np, name, nlen);
	if (d != NULL && d->seen)
		return -EINVAL;
	if (p < end && *p == '"')
		rc = read_quoted_value(&p, end, d, &j);
	else
		rc = read_token_value(&p, end, d, &j);
	if (rc != 0)
		return rc;
	if (d != NULL) {
		if (d->buf != NULL)
			d->buf[j] = '\0';
		d->seen = true;
	}
	*pp = p;
	return 0;
}

/* "Digest" then name=value pairs, each stored into its dparam. */
static int parse_params(const char *value, struct dparam *params, size_t np)
{
	const char *p, *end;
	size_t n;
	int rc;

	if (value == NULL)
		return -EINVAL;
	n = strnlen(value, SBC_DIGEST_VALUE_MAX + 1);
	if (n > SBC_DIGEST_VALUE_MAX)
		return -E2BIG;
	end = value + n;
	p = value;
	rc = skip_digest_scheme(&p, end);
	if (rc != 0)
		return rc;
	for (;;) {
		rc = read_param(&p, end, params, np);
		if (rc != 0)
			return rc;
		p = skip_lws(p, end);
		if (p == end)
			return 0;
		if (*p != ',')
			return -EINVAL;
		p = skip_lws(p + 1, end);
		if (p == end)
			return -EINVAL;
	}
}

enum {
	CP_USERNAME, CP_REALM, CP_NONCE, CP_URI, CP_RESPONSE, CP_CNONCE, CP_OPAQUE,
	CP_QOP, CP_NC, CP_ALGORITHM, CP_USERHASH, CP__COUNT
};

int sbc_digest_parse_credentials(const char *value, struct sbc_digest_credentials *c)
{
	char qop[16], alg[16], userhash[8];
	struct dparam p[CP__COUNT] = {
		[CP_USERNAME] = { "username", c->username, sizeof(c->username), false },
		[CP_REALM] = { "realm", c->realm, sizeof(c->realm), false },
		[CP_NONCE] = { "nonce", c->nonce, sizeof(c->nonce), false },
		[CP_URI] = { "uri", c->uri, sizeof(c->uri), false },
		[CP_RESPONSE] = { "response", c->response, sizeof(c->response), false },
		[CP_CNONCE] = { "cnonce", c->cnonce, sizeof(c->cnonce), false },
		[CP_OPAQUE] = { "opaque", c->opaque, sizeof(c->opaque), false },
		[CP_QOP] = { "qop", qop, sizeof(qop), false },
		[CP_NC] = { "nc", c->nc, sizeof(c->nc), false },
		[CP_ALGORITHM] = { "algorithm", alg, sizeof(alg), false },
		[CP_USERHASH] = { "userhash", userhash, sizeof(userhash), false },
	};
	int rc;

	memset(c, 0, sizeof(*c));
	rc = parse_params(value, p, CP__COUNT);
	if (rc != 0)
		return rc;
	c->alg = SBC_DIGEST_MD5;
	if (p[CP_ALGORITHM].seen && alg_parse(alg, &c->alg) != 0)
		return -ENOTSUP;
	if (p[CP_USERHASH].seen && strcasecmp(userhash, "false") != 0)
		return -ENOTSUP;
	if (p[CP_QOP].seen && strcasecmp(qop, "auth") != 0)
		return -ENOTSUP;
	for (unsigned int i = 0; i < CP__COUNT; i++) {
		if (i == CP_OPAQUE || i == CP_ALGORITHM || i == CP_USERHASH)
			continue;
		if (!p[i].seen)
			return -EINVAL;
	}
	if (c->username[0] == '\0' || c->nonce[0] == '\0' || c->uri[0] == '\0' ||
	    c->cnonce[0] == '\0')
		return -EINVAL;
	if (!is_hex(c->nc, 8) || !is_hex(c->response, alg_hex_len(c->alg)))
		return -EINVAL;
	for (char *r = c->response; *r; r++)
		if (*r >= 'A' && *r <= 'F')
			*r = (char)(*r - 'A' + 'a');
	return 0;
}

/* ------------------------------------------------------------------ */
/* Server                                                              */

struct sbc_digest_server *sbc_digest_server_create(const char *realm, uint32_t nonce_ttl_s)
{
	struct sbc_digest_server *s;
	size_t n;

	if (realm == NULL || nonce_ttl_s == 0 || nonce_ttl_s > DIGEST_TTL_MAX_S) {
		errno = EINVAL;
		return NULL;
	}
	n = strnlen(realm, SBC_DIGEST_REALM_MAX);
	if (n == 0 || n >= SBC_DIGEST_REALM_MAX || strpbrk(realm, "\r\n") != NULL) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	if (RAND_bytes(s->secret, sizeof(s->secret)) != 1) {
		free(s);
		errno = EIO;
		return NULL;
	}
	memcpy(s->realm, realm, n + 1);
	s->ttl_s = nonce_ttl_s;
	return s;
}

void sbc_digest_server_destroy(struct sbc_digest_server *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

static int nonce_mac(const struct sbc_digest_server *s, const unsigned char ts[8],
		     unsigned char mac[DIGEST_MAC_LEN])
{
	unsigned char data[sizeof(DIGEST_NONCE_LABEL) - 1 + 8 + SBC_DIGEST_REALM_MAX];
	unsigned char full[EVP_MAX_MD_SIZE];
	unsigned int flen = 0;
	size_t n = 0, rl = strlen(s->realm);

	memcpy(data, DIGEST_NONCE_LABEL, sizeof(DIGEST_NONCE_LABEL) - 1);
	n += sizeof(DIGEST_NONCE_LABEL) - 1;
	memcpy(data + n, ts, 8);
	n += 8;
	memcpy(data + n, s->realm, rl);
	n += rl;
	if (HMAC(EVP_sha256(), s->secret, sizeof(s->secret), data, n, full, &flen) == NULL ||
	    flen < DIGEST_MAC_LEN)
		return -EIO;
	memcpy(mac, full, DIGEST_MAC_LEN);
	OPENSSL_cleanse(full, sizeof(full));
	return 0;
}

static int nonce_make(const struct sbc_digest_server *s, uint64_t now_s,
		      char out[DIGEST_NONCE_HEX + 1])
{
	unsigned char raw[8 + DIGEST_MAC_LEN];

	for (int i = 0; i < 8; i++)
		raw[i] = (unsigned char)(now_s >> (56 - 8 * i));
	if (nonce_mac(s, raw, raw + 8) != 0)
		return -EIO;
	to_hex(raw, sizeof(raw), out);
	return 0;
}

/* 0 and the time it was made when @nonce is ours; -EINVAL otherwise. */
static int nonce_check(const struct sbc_digest_server *s, const char *nonce, uint64_t *ts)
{
	unsigned char raw[8 + DIGEST_MAC_LEN], mac[DIGEST_MAC_LEN];
	bool ok;

	if (!is_hex(nonce, DIGEST_NONCE_HEX))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(sbc_hex_digit(nonce[2 * i]) << 4 |
					 sbc_hex_digit(nonce[2 * i + 1]));
	if (nonce_mac(s, raw, mac) != 0)
		return -EINVAL;
	ok = sbc_ct_memeq(mac, raw + 8, DIGEST_MAC_LEN);
	*ts = 0;
	for (int i = 0; i < 8; i++)
		*ts = *ts << 8 | raw[i];
	return ok ? 0 : -EINVAL;
}

/* Append @s as the inside of a quoted string, escaping '"' and '\'. */
static int append_quoted(char *out, size_t len, size_t *pos, const char *s)
{
	for (; *s; s++) {
		if (*s == '\r' || *s == '\n')
			return -EINVAL;
		if ((*s == '"' || *s == '\\') && *pos + 1 < len)
			out[(*pos)++] = '\\';
		if (*pos + 1 >= len)
			return -ENOSPC;
		out[(*pos)++] = *s;
	}
	out[*pos] = '\0';
	return 0;
}

static int append(char *out, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos + n >= len)
		return -ENOSPC;
	memcpy(out + *pos, s, n + 1);
	*pos += n;
	return 0;
}

int sbc_digest_challenge(const struct sbc_digest_server *s, enum sbc_digest_alg alg,
			 bool stale, uint64_t now_s, char *out, size_t len)
{
	char nonce[DIGEST_NONCE_HEX + 1];
	size_t pos = 0;
	int rc;

	if (s == NULL || out == NULL || len == 0 || (unsigned int)alg >= SBC_DIGEST_ALG__COUNT)
		return -EINVAL;
	rc = nonce_make(s, now_s, nonce);
	if (rc == 0)
		rc = append(out, len, &pos, "Digest realm=\"");
	if (rc == 0)
		rc = append_quoted(out, len, &pos, s->realm);
	if (rc == 0)
		rc = append(out, len, &pos, "\", nonce=\"");
	if (rc == 0)
		rc = append(out, len, &pos, nonce);
	if (rc == 0)
		rc = append(out, len, &pos, "\", algorithm=");
	if (rc == 0)
		rc = append(out, len, &pos, alg_names[alg]);
	if (rc == 0)
		rc = append(out, len, &pos, ", qop=\"auth\"");
	if (rc == 0 && stale)
		rc = append(out, len, &pos, ", stale=true");
	return rc != 0 ? rc : (int)pos;
}

enum sbc_digest_verdict sbc_digest_verify(const struct sbc_digest_server *s,
					  const struct sbc_digest_credentials *c,
					  const char *method, const char *request_uri,
					  const char *password, uint64_t now_s)
{
	char expected[SBC_DIGEST_HEX_MAX];
	uint64_t made;
	size_t n;
	bool ok;

	if (s == NULL || c == NULL || method == NULL || password == NULL)
		return SBC_DIGEST_BAD_RESPONSE;
	if (strcmp(c->realm, s->realm) != 0)
		return SBC_DIGEST_WRONG_REALM;
	if (nonce_check(s, c->nonce, &made) != 0 || made > now_s + DIGEST_CLOCK_SKEW_S)
		return SBC_DIGEST_BAD_NONCE;
	if (request_uri != NULL && strcmp(c->uri, request_uri) != 0)
		return SBC_DIGEST_URI_MISMATCH;
	if (sbc_digest_response(c->alg, c->username, s->realm, password, c->nonce, c->nc,
				c->cnonce, "auth", method, c->uri, expected) != 0)
		return SBC_DIGEST_BAD_RESPONSE;
	n = alg_hex_len(c->alg);
	ok = strnlen(c->response, sizeof(c->response)) == n &&
	     sbc_ct_memeq(expected, c->response, n);
	OPENSSL_cleanse(expected, sizeof(expected));
	if (!ok)
		return SBC_DIGEST_BAD_RESPONSE;
	if (now_s > made && now_s - made > s->ttl_s)
		return SBC_DIGEST_STALE;
	return SBC_DIGEST_OK;
}

/* ------------------------------------------------------------------ */
/* Client                                                              */

enum {
	CH_REALM, CH_NONCE, CH_OPAQUE, CH_QOP, CH_ALGORITHM, CH_STALE, CH__COUNT
};

/* Whether the comma-separated list @s holds the token "auth". */
static bool qop_list_has_auth(const char *s)
{
	const char *b, *e;

	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		b = s;
		while (*s && *s != ',')
			s++;
		e = s;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e - b == 4 && strncasecmp(b, "auth", 4) == 0)
			return true;
	}
	return false;
}

int sbc_digest_parse_challenge(const char *value, struct sbc_digest_challenge *ch)
{
	char qop[64], alg[16], stale[8];
	struct dparam p[CH__COUNT] = {
		[CH_REALM] = { "realm", ch->realm, sizeof(ch->realm), false },
		[CH_NONCE] = { "nonce", ch->nonce, sizeof(ch->nonce), false },
		[CH_OPAQUE] = { "opaque", ch->opaque, sizeof(ch->opaque), false },
		[CH_QOP] = { "qop", qop, sizeof(qop), false },
		[CH_ALGORITHM] = { "algorithm", alg, sizeof(alg), false },
		[CH_STALE] = { "stale", stale, sizeof(stale), false },
	};
	int rc;

	memset(ch, 0, sizeof(*ch));
	rc = parse_params(value, p, CH__COUNT);
	if (rc != 0)
		return rc;
	if (!p[CH_REALM].seen || !p[CH_NONCE].seen || ch->nonce[0] == '\0')
		return -EINVAL;
	ch->alg = SBC_DIGEST_MD5;
	if (p[CH_ALGORITHM].seen && alg_parse(alg, &ch->alg) != 0)
		return -ENOTSUP;
	if (p[CH_QOP].seen) {
		if (!qop_list_has_auth(qop))
			return -ENOTSUP;
		ch->qop_auth = true;
	}
	ch->has_opaque = p[CH_OPAQUE].seen;
	ch->stale = p[CH_STALE].seen && strcasecmp(stale, "true") == 0;
	return 0;
}

static bool has_crlf(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") != NULL;
}

int sbc_digest_answer(const struct sbc_digest_challenge *ch, const char *username,
		      const char *password, const char *method, const char *uri,
		      const char *cnonce, uint32_t nc, char *out, size_t len)
{
	char resp[SBC_DIGEST_HEX_MAX], ncs[9], cn[SBC_DIGEST_CNONCE_MAX];
	unsigned char rnd[16];
	size_t pos = 0;
	int rc;

	if (ch == NULL || username == NULL || password == NULL || method == NULL ||
	    uri == NULL || out == NULL || len == 0 || (ch->qop_auth && nc == 0) ||
	    has_crlf(username) || has_crlf(method) || has_crlf(uri) || has_crlf(cnonce))
		return -EINVAL;
	if (cnonce == NULL) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return -EIO;
		to_hex(rnd, sizeof(rnd), cn);
	} else if (snprintf(cn, sizeof(cn), "%s", cnonce) >= (int)sizeof(cn) || cn[0] == '\0') {
		return -EINVAL;
	}
	snprintf(ncs, sizeof(ncs), "%08x", nc);
	rc = sbc_digest_response(ch->alg, username, ch->realm, password, ch->nonce, ncs, cn,
				 ch->qop_auth ? "auth" : NULL, method, uri, resp);
	if (rc != 0)
		return rc;
	rc = append(out, len, &pos, "Digest username=\"");
	if (rc == 0)
		rc = append_quoted(out, len, &pos, username);
	if (rc == 0)
		rc = append(out, len, &pos, "\", realm=\"");
	if (rc == 0)
		rc = append_quoted(out, len, &pos, ch->realm);
	if (rc == 0)
		rc = append(out, len, &pos, "\", nonce=\"");
	if (rc == 0)
		rc = append_quoted(out, len, &pos, ch->nonce);
	if (rc == 0)
		rc = append(out, len, &pos, "\", uri=\"");
	if (rc == 0)
		rc = append_quoted(out, len, &pos, uri);
	if (rc == 0)
		rc = append(out, len, &pos, "\", response=\"");
	if (rc == 0)
		rc = append(out, len, &pos, resp);
	if (rc == 0)
		rc = append(out, len, &pos, "\", algorithm=");
	if (rc == 0)
		rc = append(out, len, &pos, alg_names[ch->alg]);
	if (rc == 0 && ch->qop_auth) {
		rc = append(out, len, &pos, ", cnonce=\"");
		if (rc == 0)
			rc = append_quoted(out, len, &pos, cn);
		if (rc == 0)
			rc = append(out, len, &pos, "\", qop=auth, nc=");
		if (rc == 0)
			rc = append(out, len, &pos, ncs);
	}
	if (rc == 0 && ch->has_opaque) {
		rc = append(out, len, &pos, ", opaque=\"");
		if (rc == 0)
			rc = append_quoted(out, len, &pos, ch->opaque);
		if (rc == 0)
			rc = append(out, len, &pos, "\"");
	}
	OPENSSL_cleanse(resp, sizeof(resp));
	return rc != 0 ? rc : (int)pos;
}
