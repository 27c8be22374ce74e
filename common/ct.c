/* SPDX-License-Identifier: BSD-3-Clause
 * Constant-time comparison (sbc_ct.h).
 */
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "sbc_ct.h"

static int sha256(const void *p, size_t n, unsigned char out[SHA256_DIGEST_LENGTH])
{
	static const unsigned char empty;
	unsigned int len = 0;

	/* EVP_Digest() wants a valid pointer even for 0 bytes. */
	if (p == NULL)
		p = &empty;
	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 ||
	    len != SHA256_DIGEST_LENGTH)
		return -1;
	return 0;
}

bool sbc_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
	int fa, fb;
	bool eq;

	if ((a == NULL && alen != 0) || (b == NULL && blen != 0))
		return false;
	/* Both digests are always computed: no early exit on either input. */
	fa = sha256(a, alen, da);
	fb = sha256(b, blen, db);
	/*
	 * Equal digests mean equal inputs (SHA-256 collision resistance), so
	 * the lengths need no separate test that could be timed.
	 */
	eq = CRYPTO_memcmp(da, db, sizeof(da)) == 0;
	OPENSSL_cleanse(da, sizeof(da));
	OPENSSL_cleanse(db, sizeof(db));
	return eq && fa == 0 && fb == 0;
}

bool sbc_ct_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return false;
	return sbc_ct_equal(a, strlen(a), b, strlen(b));
}

bool sbc_ct_memeq(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
