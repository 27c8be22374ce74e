/* SPDX-License-Identifier: BSD-3-Clause
 * Constant-time comparison of secrets (X-Trunk-Key, digest responses,
 * nonce MACs).
 *
 * sbc_ct_streq() and sbc_ct_equal() compare the SHA-256 digests of their
 * two inputs with CRYPTO_memcmp(), so the time taken does not depend on
 * where the inputs differ, nor on whether their lengths differ.  What the
 * time does depend on is the number of 64-byte SHA-256 blocks each input
 * takes (ceil((len + 9) / 64)): an attacker timing a comparison of its own
 * guess against a secret of 16..256 bytes learns at most which of five
 * block counts the secret falls in, and nothing about its content.  Callers
 * must not return early on a length mismatch themselves.
 *
 * Pure functions; any thread.
 */
#ifndef SBC_CT_H
#define SBC_CT_H

#include <stdbool.h>
#include <stddef.h>

/**
 * true when the @alen bytes at @a equal the @blen bytes at @b (same length,
 * same content), in time independent of the content (see above).
 * NULL with length 0 is an empty input.  If the digest cannot be computed
 * (OpenSSL failure) the answer is false: a failure never admits.
 */
bool sbc_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

/** sbc_ct_equal() of two NUL-terminated strings; NULL never equals anything. */
bool sbc_ct_streq(const char *a, const char *b);

/**
 * true when the @n bytes at @a and @b are equal; the time depends only on
 * @n (CRYPTO_memcmp).  For inputs of a length fixed by the protocol, such as
 * two digests or MACs.
 */
bool sbc_ct_memeq(const void *a, const void *b, size_t n);

#endif /* SBC_CT_H */
