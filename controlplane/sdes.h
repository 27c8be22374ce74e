/* SPDX-License-Identifier: BSD-3-Clause
 * SDES (RFC 4568): the a=crypto attribute of SRTP media lines, as the
 * SIPconnect profile wants it (REQUIREMENTS.md "SRTP").
 *
 * What we send: `TAG SUITE inline:KEYSALT` -- crypto-suite
 * AES_CM_128_HMAC_SHA1_80 (or _32), one key, a fresh 30-byte master
 * key||salt from OpenSSL's CSPRNG for every offer and every answer, no
 * lifetime, no MKI, no session parameters.
 *
 * What we accept from a peer, per a=crypto line:
 *   - tag: 1 to 9 digits;
 *   - suite AES_CM_128_HMAC_SHA1_80 or AES_CM_128_HMAC_SHA1_32 (any other
 *     suite: the line is not usable, -ENOTSUP);
 *   - exactly one key parameter `inline:` + 40 base64 characters decoding to
 *     30 bytes, optionally followed by `|LIFETIME` (a decimal number or 2^N,
 *     accepted and not enforced: the data plane stops at the SRTCP index
 *     limit by itself);  an MKI (`|MKI:LEN`) or a second key: -ENOTSUP;
 *   - no session parameter (KDR, UNENCRYPTED_SRTP, FEC_ORDER, ...): they
 *     change the transform, which we do not implement: -ENOTSUP.
 * Anything else (missing fields, bad base64, wrong length, junk): -EBADMSG.
 *
 * Secrets: struct sbc_sdes_key holds key material; wipe it with
 * sbc_sdes_wipe() before the memory is freed or reused.  Nothing here logs,
 * and no error string carries input text.
 *
 * Thread: any; no global state besides OpenSSL's RNG.
 */
#ifndef SBC_SDES_H
#define SBC_SDES_H

#include <stddef.h>
#include <stdint.h>

#include "sbc_api.h"
#include "sdp.h"

#define SBC_SDES_KEY_SALT_LEN 30     /* 16-byte master key + 14-byte master salt */
#define SBC_SDES_TAG_MAX      999999999u
#define SBC_SDES_VALUE_MAX    96     /* our a=crypto values, NUL included */

struct sbc_sdes_key {
	uint32_t tag;                /* the a=crypto tag, 0..SBC_SDES_TAG_MAX */
	uint8_t suite;               /* enum sbc_api_srtp_suite; SBC_API_SRTP_NONE = plain */
	uint8_t key_salt[SBC_SDES_KEY_SALT_LEN]; /* secret */
};

/**
 * A fresh key for @tag and @suite (SBC_API_SRTP_AES_CM_128_HMAC_SHA1_80 or
 * _32) from RAND_bytes().  Returns 0, -EINVAL (bad tag or suite) or -EIO
 * (the RNG failed: never fall back to anything weaker).
 */
int sbc_sdes_generate(struct sbc_sdes_key *k, uint32_t tag, unsigned int suite);

/**
 * Write the a=crypto value of @k ("1 AES_CM_128_HMAC_SHA1_80 inline:...",
 * without "a=crypto:") into @buf.  Returns its length, -EINVAL or -ENOSPC.
 * The result is secret.
 */
int sbc_sdes_format(const struct sbc_sdes_key *k, char *buf, size_t size);

/**
 * Parse one a=crypto value (the text after "a=crypto:") into @k.
 * Returns 0, -EBADMSG (malformed) or -ENOTSUP (well-formed, not usable by
 * us); @k is wiped on error.
 */
int sbc_sdes_parse(const char *value, struct sbc_sdes_key *k);

/**
 * The answerer's choice: the first a=crypto line of m= line @m (of @d, an
 * offer) that sbc_sdes_parse() accepts, in the offerer's order of
 * preference.  Returns 0 or -ENOENT (none usable).
 */
int sbc_sdes_select(const struct sbc_sdp_desc *d, const struct sbc_sdp_media *m,
		    struct sbc_sdes_key *k);

/**
 * The offerer's check of an answer: the a=crypto line of @m with tag @tag
 * and suite @suite (what we offered).  An answer must carry exactly one
 * a=crypto line (RFC 4568 section 5.1.2).  Returns 0, -ENOENT (no such
 * line, or more than one line) or -EBADMSG (the line is malformed or not
 * usable).
 */
int sbc_sdes_find_answer(const struct sbc_sdp_desc *d, const struct sbc_sdp_media *m,
			 uint32_t tag, unsigned int suite, struct sbc_sdes_key *k);

/** Key of @k in the data plane API's form (suite NONE when @k is plain). */
void sbc_sdes_to_api(const struct sbc_sdes_key *k, struct sbc_api_srtp *out);

/** Zero @n bytes at @p in a way the compiler cannot elide. */
void sbc_sdes_wipe(void *p, size_t n);

#endif /* SBC_SDES_H */
