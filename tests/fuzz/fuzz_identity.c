/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the identity parsers (controlplane/identity.h) on what a
 * peer puts in a From, P-Asserted-Identity or Request-URI: the input is
 * taken as a URI or name-addr (sbc_identity_uri_user(),
 * sbc_identity_e164_of_uri()) and as a user part
 * (sbc_identity_parse_user(), sbc_identity_uk_classify()).  Whatever the
 * input, they return without a memory error.  A number classified must
 * survive our own writer: the Request-URI sbc_identity_build_uri() makes
 * of it gives back, through sbc_identity_uri_user() and a second
 * classification, the same class and number; else abort().
 *
 *   fuzz_identity         libFuzzer (meson -Dfuzz=true): ./scripts/fuzz.sh identity SECONDS
 *   fuzz_identity_replay  tests/fuzz/corpus/identity/ once (meson test fuzz-identity-corpus)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char user[SBC_ID_USER_MAX], num[SBC_ID_USER_MAX], num2[SBC_ID_USER_MAX];
	char uri[2 * SBC_ID_USER_MAX], user2[SBC_ID_USER_MAX];
	struct sbc_id_number n;
	int cls, cls2, len;
	char *s;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)sbc_identity_uri_user(s, user, sizeof(user));
	(void)sbc_identity_e164_of_uri(s, num, sizeof(num));
	(void)sbc_identity_parse_user(s, &n);
	cls = sbc_identity_uk_classify(s, NULL, num, sizeof(num));
	if (cls >= 0 && num[0] != '\0') {
		len = sbc_identity_build_uri(uri, sizeof(uri), (enum sbc_id_class)cls, num,
					     "198.18.0.2");
		if (len < 0) {
			fprintf(stderr, "fuzz identity: no URI for class %d number '%s' (%d)\n",
				cls, num, len);
			abort();
		}
		if (sbc_identity_uri_user(uri, user2, sizeof(user2)) != 0) {
			fprintf(stderr, "fuzz identity: our URI %s has no user part\n", uri);
			abort();
		}
		cls2 = sbc_identity_uk_classify(user2, NULL, num2, sizeof(num2));
		if (cls != SBC_ID_DIAL_STRING && (cls2 != cls || strcmp(num, num2) != 0)) {
			fprintf(stderr, "fuzz identity: '%s' (class %d, '%s') became %s: class %d, "
				"'%s'\n", s, cls, num, uri, cls2, num2);
			abort();
		}
	}
	free(s);
	return 0;
}
