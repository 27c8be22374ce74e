/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the call journal's record parser (sbc_journal_parse(),
 * controlplane/journal.h), on what a torn or tampered journal file could
 * hold.  Whatever the input, it returns without a memory error.  A
 * record it accepts must survive our own writer: sbc_journal_format_*()
 * of what it read, parsed back, gives the same call; else abort().
 *
 *   fuzz_journal         libFuzzer (meson -Dfuzz=true): ./scripts/fuzz.sh journal SECONDS
 *   fuzz_journal_replay  tests/fuzz/corpus/journal/ once (meson test fuzz-journal-corpus)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sbc_journal_call c, d;
	static char buf[SBC_JOURNAL_LINE_MAX + 1];
	enum sbc_journal_kind k = sbc_journal_parse((const char *)data, size, &c);
	size_t n = 0;

	if (k == SBC_JOURNAL_UP)
		n = sbc_journal_format_up(&c, buf, sizeof(buf));
	else if (k == SBC_JOURNAL_END)
		n = sbc_journal_format_end(c.key, buf, sizeof(buf));
	else
		return 0;
	/* Escapes written may be longer than the ones read ("%41" for "A" is not). */
	if (n == 0 && k == SBC_JOURNAL_END) {
		fprintf(stderr, "fuzz journal: an accepted end record cannot be written\n");
		abort();
	}
	if (n != 0 && (sbc_journal_parse(buf, n, &d) != k || memcmp(&c, &d, sizeof(c)) != 0)) {
		fprintf(stderr, "fuzz journal: our own record does not parse back: %s", buf);
		abort();
	}
	return 0;
}
