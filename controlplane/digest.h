/* SPDX-License-Identifier: BSD-3-Clause
 * SIP digest authentication (RFC 3261 22.4 with RFC 2617 and RFC 7616;
 * SHA-256 per RFC 8760): the server side that challenges PBXs, and the
 * client side that answers a carrier's challenge.
 *
 * Server nonces are stateless: hex(timestamp, 8 bytes big-endian) followed
 * by hex of the first 16 bytes of HMAC-SHA256(secret, "rampart-nonce" ||
 * timestamp || realm), the secret 32 random bytes drawn when the server
 * object is created.  A nonce is therefore valid only for the process and
 * realm that made it, and its age is known without any table.  Expired
 * nonces with a correct response give SBC_DIGEST_STALE (challenge again
 * with stale=true, RFC 2617 3.2.1).  Without state, nonce counts are not
 * tracked: a captured request can be replayed until its nonce expires;
 * keep nonce_ttl_s short and use TLS.
 *
 * Only qop=auth is accepted (our challenges always offer it and RFC 2617
 * 3.2.2 requires the client to use it): responses without qop (RFC 2069),
 * qop=auth-int and userhash=true are refused.  Algorithms: MD5, MD5-sess,
 * SHA-256, SHA-256-sess; a missing algorithm parameter means MD5.
 * Responses are compared in constant time (sbc_ct.h).
 *
 * Passwords, HA1 values and the nonce secret never leave this module
 * except as the computed hex response; intermediate buffers are cleansed.
 *
 * Thread: a server object is immutable after sbc_digest_server_create():
 * any number of threads may challenge and verify with it.  The other
 * functions are pure (the client's cnonce comes from RAND_bytes()).
 */
#ifndef SBC_DIGEST_H
#define SBC_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Algorithms: enum, name as written in the algorithm parameter. */
#define SBC_DIGEST_ALGS(X) \
	X(SBC_DIGEST_MD5, "MD5") \
	X(SBC_DIGEST_MD5_SESS, "MD5-sess") \
	X(SBC_DIGEST_SHA256, "SHA-256") \
	X(SBC_DIGEST_SHA256_SESS, "SHA-256-sess")

#define SBC_DIGEST_ALG_ENUM(e, n) e,
enum sbc_digest_alg {
	SBC_DIGEST_ALGS(SBC_DIGEST_ALG_ENUM)
	SBC_DIGEST_ALG__COUNT
};
#undef SBC_DIGEST_ALG_ENUM

/* Field bounds (with their NUL); a longer parameter makes the value malformed. */
#define SBC_DIGEST_HEX_MAX 65         /* SHA-256 in hex */
#define SBC_DIGEST_USERNAME_MAX 257
#define SBC_DIGEST_REALM_MAX 257
#define SBC_DIGEST_NONCE_MAX 257
#define SBC_DIGEST_URI_MAX 1025
#define SBC_DIGEST_CNONCE_MAX 257
#define SBC_DIGEST_OPAQUE_MAX 257
#define SBC_DIGEST_VALUE_MAX 4096     /* longest header value parsed */

/** "MD5", "SHA-256", ...; "?" when unknown. */
const char *sbc_digest_alg_name(enum sbc_digest_alg alg);

/**
 * The response of RFC 2617 3.2.2.1 / RFC 7616 3.4.1 as lowercase hex into
 * @out (32 or 64 digits and a NUL).  With @qop NULL the RFC 2069 form
 * H(HA1:nonce:HA2) is computed (@nc and @cnonce unused, except @cnonce for
 * the -sess algorithms).  Returns 0, -EINVAL (NULL argument) or -EIO
 * (OpenSSL failure).
 */
int sbc_digest_response(enum sbc_digest_alg alg, const char *username, const char *realm,
			const char *password, const char *nonce, const char *nc,
			const char *cnonce, const char *qop, const char *method,
			const char *uri, char out[SBC_DIGEST_HEX_MAX]);

/* ------------------------------------------------------------------ */
/* Server                                                              */

struct sbc_digest_server;

/**
 * A server for @realm (1..256 bytes, no CR or LF) whose nonces live
 * @nonce_ttl_s seconds (1..86400).  Returns NULL with errno EINVAL, ENOMEM
 * or EIO (no random bytes).  Owned by the caller.
 */
struct sbc_digest_server *sbc_digest_server_create(const char *realm, uint32_t nonce_ttl_s);

/** Free, wiping the secret; NULL allowed. */
void sbc_digest_server_destroy(struct sbc_digest_server *s);

/**
 * The value of a WWW-Authenticate / Proxy-Authenticate header with a nonce
 * made at @now_s (seconds, any clock the verifier uses too):
 *   Digest realm="<realm>", nonce="<48 hex>", algorithm=<alg>, qop="auth"
 * plus ", stale=true" when @stale.  Offer SHA-256 first, MD5 in a second
 * header for older PBXs (RFC 8760 section 2.4).
 * Returns the length, -EINVAL, -ENOSPC or -EIO.
 */
int sbc_digest_challenge(const struct sbc_digest_server *s, enum sbc_digest_alg alg,
			 bool stale, uint64_t now_s, char *out, size_t len);

/* Parsed Authorization / Proxy-Authorization value. */
struct sbc_digest_credentials {
	enum sbc_digest_alg alg;
	char username[SBC_DIGEST_USERNAME_MAX];
	char realm[SBC_DIGEST_REALM_MAX];
	char nonce[SBC_DIGEST_NONCE_MAX];
	char uri[SBC_DIGEST_URI_MAX];
	char response[SBC_DIGEST_HEX_MAX];   /* lowercased */
	char cnonce[SBC_DIGEST_CNONCE_MAX];
	char opaque[SBC_DIGEST_OPAQUE_MAX];  /* "" when absent */
	char nc[9];                          /* 8 hex digits */
};

/**
 * Parse an Authorization or Proxy-Authorization value: the scheme
 * "Digest" (any case), then comma-separated name=value parameters, each
 * value a token or a quoted string (backslash escapes honoured, CR and LF
 * refused).  Unknown parameters are ignored; a parameter given twice is
 * an error.  username, realm, nonce, uri, response, qop=auth, nc and
 * cnonce are required.
 * Returns 0; -EINVAL (malformed, a required parameter missing, a response
 * or nc that is not hex of the right length); -E2BIG (the value or a
 * parameter too long); -ENOTSUP (another scheme, an unknown algorithm,
 * a qop other than auth, userhash=true).
 */
int sbc_digest_parse_credentials(const char *value, struct sbc_digest_credentials *c);

#define SBC_DIGEST_VERDICTS(X) \
	X(SBC_DIGEST_OK, "ok") \
	X(SBC_DIGEST_STALE, "stale") \
	X(SBC_DIGEST_BAD_NONCE, "bad_nonce") \
	X(SBC_DIGEST_WRONG_REALM, "wrong_realm") \
	X(SBC_DIGEST_URI_MISMATCH, "uri_mismatch") \
	X(SBC_DIGEST_BAD_RESPONSE, "bad_response")

#define SBC_DIGEST_VERDICT_ENUM(e, n) e,
enum sbc_digest_verdict {
	SBC_DIGEST_VERDICTS(SBC_DIGEST_VERDICT_ENUM)
	SBC_DIGEST_VERDICT__COUNT
};
#undef SBC_DIGEST_VERDICT_ENUM

/**
 * Verify credentials @c for a request with @method ("INVITE") and, when
 * @request_uri is not NULL, the Request-URI as received (the uri parameter
 * must equal it byte for byte), against @password (looked up by the
 * caller from c->username).  At @now_s:
 *  SBC_DIGEST_OK: authenticated.
 *  SBC_DIGEST_STALE: right password, expired nonce: challenge again with
 *    stale=true (the client retries without asking its user).
 *  SBC_DIGEST_BAD_NONCE: a nonce we did not make (tampered, another
 *    process or realm, from the future): challenge again.
 *  SBC_DIGEST_WRONG_REALM: challenge again.
 *  SBC_DIGEST_URI_MISMATCH: credentials made for another request: 400.
 *  SBC_DIGEST_BAD_RESPONSE: wrong password (or user): 403, or a new
 *    challenge within a retry budget.
 * Any failure inside (OpenSSL) gives SBC_DIGEST_BAD_RESPONSE: never admits.
 */
enum sbc_digest_verdict sbc_digest_verify(const struct sbc_digest_server *s,
					  const struct sbc_digest_credentials *c,
					  const char *method, const char *request_uri,
					  const char *password, uint64_t now_s);

/** "ok", "stale", ...; "?" when unknown. */
const char *sbc_digest_verdict_name(enum sbc_digest_verdict v);

/* ------------------------------------------------------------------ */
/* Client (answering a carrier's 401/407)                              */

struct sbc_digest_challenge {
	enum sbc_digest_alg alg;
	char realm[SBC_DIGEST_REALM_MAX];
	char nonce[SBC_DIGEST_NONCE_MAX];
	char opaque[SBC_DIGEST_OPAQUE_MAX];
	bool has_opaque;
	bool qop_auth;                /* qop offered and includes "auth" */
	bool stale;
};

/**
 * Parse a WWW-Authenticate / Proxy-Authenticate value (same syntax rules
 * as sbc_digest_parse_credentials()); realm and nonce required; qop is a
 * quoted list ("auth,auth-int").  Returns 0, -EINVAL, -E2BIG or -ENOTSUP
 * (another scheme, an unknown algorithm, a qop list without "auth").
 */
int sbc_digest_parse_challenge(const char *value, struct sbc_digest_challenge *ch);

/**
 * The Authorization value answering @ch for @username / @password on a
 * request @method @uri, nonce count @nc (1 for a fresh nonce), with
 * @cnonce (NULL: 16 random bytes in hex).  username, realm, uri and
 * opaque are written as quoted strings with '"' and '\' escaped; CR or LF
 * in any argument is refused.  Returns the length, -EINVAL, -ENOSPC or
 * -EIO.
 */
int sbc_digest_answer(const struct sbc_digest_challenge *ch, const char *username,
		      const char *password, const char *method, const char *uri,
		      const char *cnonce, uint32_t nc, char *out, size_t len);

#endif /* SBC_DIGEST_H */
