/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the multipart/mixed splitter (sbc_multipart_find_sdp(),
 * multipart.h) that finds the SDP part of an emergency call's body.  The
 * input's first line (up to the first LF, at most
 * SBC_MULTIPART_BOUNDARY_MAX bytes, the LF not included) is the boundary
 * parameter, the rest the body; an input without such a line is skipped.
 * Whatever the input, the scan returns without a memory error (the body
 * is an exact-size copy, so a read past its end is one), and the SDP span
 * it reports lies inside the body: 0 <= off <= end <= len, else abort().
 *
 *   fuzz_multipart         libFuzzer (meson -Dfuzz=true): ./scripts/fuzz.sh multipart SECONDS
 *   fuzz_multipart_replay  tests/fuzz/corpus/multipart/ once (meson test fuzz-multipart-corpus)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t scan = size < SBC_MULTIPART_BOUNDARY_MAX + 1 ? size : SBC_MULTIPART_BOUNDARY_MAX + 1;
	const uint8_t *nl = memchr(data, '\n', scan);
	size_t blen, len, off = (size_t)-1, end = (size_t)-1;
	char *boundary, *body;

	if (nl == NULL)
		return 0;
	blen = (size_t)(nl - data);
	len = size - blen - 1;
	/* Exact-size copies: ASan sees a read one byte past either. */
	boundary = malloc(blen != 0 ? blen : 1);
	body = malloc(len != 0 ? len : 1);
	if (boundary == NULL || body == NULL) {
		free(boundary);
		free(body);
		return 0;
	}
	memcpy(boundary, data, blen);
	memcpy(body, nl + 1, len);
	if (sbc_multipart_find_sdp(body, len, boundary, blen, &off, &end) == 0 &&
	    !(off <= end && end <= len)) {
		fprintf(stderr, "fuzz multipart: SDP span [%zu, %zu) outside the body of %zu bytes\n",
			off, end, len);
		abort();
	}
	free(boundary);
	free(body);
	return 0;
}
