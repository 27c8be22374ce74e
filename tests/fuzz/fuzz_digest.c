/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the SIP digest header parsers (digest.h), the way a PBX's
 * Authorization / Proxy-Authorization value and a carrier's
 * WWW-Authenticate / Proxy-Authenticate value reach them (NUL-terminated
 * header values): sbc_digest_parse_credentials() and
 * sbc_digest_parse_challenge() on the same input.  Whatever the input,
 * both return without a memory error or a leak, and what they accept is
 * well-formed: every string field NUL-terminated inside its array, a known
 * algorithm, nc 8 hex digits, a lowercase hex response of the algorithm's
 * length.  A challenge offering qop=auth is also answered
 * (sbc_digest_answer(), as the B2BUA answers a carrier's 401): the
 * Authorization value we write must parse back with
 * sbc_digest_parse_credentials() to the challenge's realm, nonce, opaque
 * and algorithm and our username, uri, cnonce and nc; else abort().
 *
 *   fuzz_digest         libFuzzer (meson -Dfuzz=true): ./scripts/fuzz.sh digest SECONDS
 *   fuzz_digest_replay  tests/fuzz/corpus/digest/ once (meson test fuzz-digest-corpus)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"

#define FUZZ_USER   "rampart"
#define FUZZ_URI    "sip:+15551234567@carrier.example;user=phone"
#define FUZZ_CNONCE "0a4f113b"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz digest: %s\n", what);
	abort();
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static void check_credentials(const struct sbc_digest_credentials *c)
{
	size_t hex = c->alg == SBC_DIGEST_MD5 || c->alg == SBC_DIGEST_MD5_SESS ? 32 : 64;

	if ((unsigned int)c->alg >= SBC_DIGEST_ALG__COUNT)
		fail("credentials with an unknown algorithm");
	if (!terminated(c->username, sizeof(c->username)) ||
	    !terminated(c->realm, sizeof(c->realm)) ||
	    !terminated(c->nonce, sizeof(c->nonce)) || !terminated(c->uri, sizeof(c->uri)) ||
	    !terminated(c->response, sizeof(c->response)) ||
	    !terminated(c->cnonce, sizeof(c->cnonce)) ||
	    !terminated(c->opaque, sizeof(c->opaque)) || !terminated(c->nc, sizeof(c->nc)))
		fail("credentials with an unterminated field");
	if (c->username[0] == '\0' || c->nonce[0] == '\0' || c->uri[0] == '\0' ||
	    c->cnonce[0] == '\0')
		fail("credentials accepted without a required field");
	if (strlen(c->nc) != 8 || !lower_hex(c->response, hex))
		fail("credentials with a bad nc or response");
}

/* Answer @ch as the B2BUA would, and read the answer back as a PBX's. */
static void answer_round_trip(const struct sbc_digest_challenge *ch)
{
	static struct sbc_digest_credentials c;
	static char out[SBC_DIGEST_VALUE_MAX + 1];
	int n, rc;

	n = sbc_digest_answer(ch, FUZZ_USER, "secret", "INVITE", FUZZ_URI, FUZZ_CNONCE, 1, out,
			      sizeof(out));
	if (n < 0)
		return;    /* -ENOSPC for a huge challenge; -EINVAL, -EIO */
	rc = sbc_digest_parse_credentials(out, &c);
	if (rc != 0) {
		fprintf(stderr, "fuzz digest: our answer does not parse back (%d): %s\n", rc, out);
		abort();
	}
	check_credentials(&c);
	if (c.alg != ch->alg || strcmp(c.realm, ch->realm) != 0 ||
	    strcmp(c.nonce, ch->nonce) != 0 ||
	    strcmp(c.opaque, ch->has_opaque ? ch->opaque : "") != 0 ||
	    strcmp(c.username, FUZZ_USER) != 0 || strcmp(c.uri, FUZZ_URI) != 0 ||
	    strcmp(c.cnonce, FUZZ_CNONCE) != 0 || strcmp(c.nc, "00000001") != 0) {
		fprintf(stderr, "fuzz digest: our answer parses back to other values: %s\n", out);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sbc_digest_credentials c;   /* 2.5 KiB each: not on the stack */
	static struct sbc_digest_challenge ch;
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (sbc_digest_parse_credentials(s, &c) == 0)
		check_credentials(&c);
	if (sbc_digest_parse_challenge(s, &ch) == 0) {
		if ((unsigned int)ch.alg >= SBC_DIGEST_ALG__COUNT ||
		    !terminated(ch.realm, sizeof(ch.realm)) ||
		    !terminated(ch.nonce, sizeof(ch.nonce)) ||
		    !terminated(ch.opaque, sizeof(ch.opaque)) || ch.nonce[0] == '\0')
			fail("a challenge accepted with a bad field");
		if (ch.qop_auth)
			answer_round_trip(&ch);
	}
	free(s);
	return 0;
}
