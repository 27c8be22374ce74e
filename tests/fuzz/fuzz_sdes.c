/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the SDES a=crypto parser (sbc_sdes_parse(), RFC 4568), the
 * way a peer's offer or answer reaches it (one NUL-terminated a=crypto
 * value).  Whatever the input, it returns without a memory error or a
 * leak.  A value it accepts must survive the round trip through our own
 * writer: sbc_sdes_format() of the key, parsed back, gives the same tag,
 * suite and key||salt, and sbc_sdes_to_api() splits that key||salt into
 * the data plane's master key and salt unchanged; else abort().
 *
 *   fuzz_sdes         libFuzzer (meson -Dfuzz=true): ./scripts/fuzz.sh sdes SECONDS
 *   fuzz_sdes_replay  tests/fuzz/corpus/sdes/ once (meson test fuzz-sdes-corpus)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbc_api.h"
#include "sdes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_key(const struct sbc_sdes_key *a, const struct sbc_sdes_key *b)
{
	return a->tag == b->tag && a->suite == b->suite &&
	       memcmp(a->key_salt, b->key_salt, sizeof(a->key_salt)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbc_sdes_key k, k2;
	struct sbc_api_srtp api;
	char value[SBC_SDES_VALUE_MAX];
	char *s = malloc(size + 1);
	int n;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (sbc_sdes_parse(s, &k) == 0) {
		n = sbc_sdes_format(&k, value, sizeof(value));
		if (n <= 0 || (size_t)n >= sizeof(value) || strlen(value) != (size_t)n) {
			fprintf(stderr, "fuzz sdes: an accepted key cannot be written (%d)\n", n);
			abort();
		}
		if (sbc_sdes_parse(value, &k2) != 0 || !same_key(&k, &k2)) {
			fprintf(stderr, "fuzz sdes: our own a=crypto value does not parse back "
				"to the same key: %s\n", value);
			abort();
		}
		sbc_sdes_to_api(&k, &api);
		if (api.suite != k.suite ||
		    memcmp(api.master_key, k.key_salt, sizeof(api.master_key)) != 0 ||
		    memcmp(api.master_salt, k.key_salt + sizeof(api.master_key),
			   sizeof(api.master_salt)) != 0) {
			fprintf(stderr, "fuzz sdes: sbc_sdes_to_api() changed the key\n");
			abort();
		}
		sbc_sdes_wipe(value, sizeof(value));
		sbc_sdes_wipe(&k2, sizeof(k2));
		sbc_sdes_wipe(&api, sizeof(api));
	}
	sbc_sdes_wipe(&k, sizeof(k));
	sbc_sdes_wipe(s, size + 1);
	free(s);
	return 0;
}
