/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the control/data API's message check (sbc_api_decode(),
 * common/sbc_api.h), the way every message from the other process reaches
 * it: one datagram of the SOCK_SEQPACKET socket, in a buffer of exactly
 * its length (malloc: aligned for the largest message, and ASan sees a
 * read one byte past it).  Whatever the input, the check returns without
 * a memory error or undefined behaviour, and: its result is a status of
 * enum sbc_api_status; a message it accepts has a known type whose fixed
 * size is the length, and a request among them has an answer type
 * (sbc_api_answer_type()) of a known size; the error response built for
 * the input either way (sbc_api_error_response(), as the data plane
 * answers a request it refuses) is a STATUS_RESP of its fixed size that
 * sbc_api_decode() itself accepts, echoing the request id when a whole
 * header arrived; else abort().
 *
 *   fuzz_api         libFuzzer (meson -Dfuzz=true): ./scripts/fuzz.sh api SECONDS
 *   fuzz_api_replay  tests/fuzz/corpus/api/ once (meson test fuzz-api-corpus);
 *                    the seeds are valid messages of every type written by
 *                    fuzz_api_seeds (tests/fuzz/api_seeds.c)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbc_api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz api: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbc_api_status_resp resp;
	struct sbc_api_hdr hdr, rhdr;
	void *buf = malloc(size != 0 ? size : 1);
	int status;
	ssize_t n;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	status = sbc_api_decode(buf, size);
	if (status < 0 || status >= SBC_API_STATUS__COUNT)
		fail("sbc_api_decode() returned an unknown status");
	if (status == SBC_API_OK) {
		memcpy(&hdr, buf, sizeof(hdr));
		if (sbc_api_msg_size(hdr.type) != size || hdr.size != size)
			fail("a message accepted with a length other than its type's size");
		if (sbc_api_is_request(hdr.type)) {
			unsigned int at = sbc_api_answer_type(buf);

			if (sbc_api_msg_size(at) == 0 || sbc_api_is_request(at))
				fail("a request without an answer type");
		} else if (sbc_api_answer_type(buf) != 0) {
			fail("an answer type for a message that is not a request");
		}
		(void)sbc_api_type_name(hdr.type);
	}
	memset(&resp, 0xa5, sizeof(resp));
	n = sbc_api_error_response(&resp, buf, size, status == SBC_API_OK ? SBC_API_EINVAL : status);
	if (n != (ssize_t)sizeof(resp))
		fail("an error response of the wrong size");
	if (sbc_api_decode(&resp, sizeof(resp)) != SBC_API_OK)
		fail("our own error response does not decode");
	memcpy(&rhdr, &resp, sizeof(rhdr));
	if (rhdr.type != SBC_API_STATUS_RESP ||
	    rhdr.status != (status == SBC_API_OK ? SBC_API_EINVAL : status))
		fail("an error response of the wrong type or status");
	if (size >= sizeof(hdr)) {
		memcpy(&hdr, buf, sizeof(hdr));
		if (rhdr.request_id != hdr.request_id)
			fail("an error response that does not echo the request id");
	} else if (rhdr.request_id != 0) {
		fail("an error response with an id from a torn header");
	}
	free(buf);
	return 0;
}
