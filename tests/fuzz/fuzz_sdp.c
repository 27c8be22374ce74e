/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the SDP guard and Sofia's parser as a pair, the way every
 * offer and answer reaches them (sbc_sdp_parse(): Rampart's bounded scan
 * first, then libsofia-sip-ua's sdp_parse() on what the scan let through,
 * then the copy into our description).  Whatever the input, it returns,
 * in bounded time, without a memory error or a leak.
 *
 * Built two ways (tests/fuzz/meson.build):
 *   fuzz_sdp         clang -fsanitize=fuzzer,address (meson -Dfuzz=true):
 *                    ./scripts/fuzz.sh sdp SECONDS
 *   fuzz_sdp_replay  any compiler, with replay_main.c: every file of
 *                    tests/fuzz/corpus/sdp/ once, each under a 2 s alarm
 *                    (meson test fuzz-sdp-corpus, in every CI run).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sbc_sdp_desc d;   /* large: not on the stack */
	struct sbc_sdp_error err;

	if (sbc_sdp_parse(&d, (const char *)data, size, &err) == 0)
		sbc_sdp_desc_wipe(&d);
	return 0;
}
