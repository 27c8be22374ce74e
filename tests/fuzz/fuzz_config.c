/* SPDX-License-Identifier: BSD-3-Clause
 * Fuzz target: the configuration loader (sbc_config_load(),
 * common/sbc_config.h), the way both binaries read their YAML at start,
 * on -n and on SIGHUP: the input is written to a memfd and loaded as the
 * regular file /proc/self/fd/N, so the whole path runs (size cap, NUL
 * check, nesting depth, libyaml, the schema, every cross-check), and a
 * config it accepts is freed again.  Whatever the input, the loader
 * accepts or refuses it, in bounded time, without a memory error or a
 * leak; an acceptance leaves a config, a refusal none, and a refusal as
 * invalid (-EINVAL) names at least one error, every message
 * NUL-terminated; else abort().  Paths in the config resolve relative
 * to /proc/self/fd (a relative certificate path names another
 * descriptor, or nothing).
 *
 *   fuzz_config         libFuzzer (meson -Dfuzz=true): ./scripts/fuzz.sh config SECONDS
 *   fuzz_config_replay  tests/fuzz/corpus/config/ once (meson test fuzz-config-corpus)
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sbc_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz config: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sbc_config_errors errs;   /* 10 KiB: not on the stack */
	struct sbc_config *cfg = NULL;
	char path[64];
	size_t done = 0;
	ssize_t n;
	int fd, rc;

	fd = memfd_create("rampart-fuzz-config", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	while (done < size && (n = write(fd, data + done, size - done)) > 0)
		done += (size_t)n;
	if (done != size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(&errs, 0, sizeof(errs));
	rc = sbc_config_load(path, &cfg, &errs);
	close(fd);
	if (rc == 0) {
		if (cfg == NULL)
			fail("accepted without a config");
		sbc_config_free(cfg);
		return 0;
	}
	if (rc > 0 || cfg != NULL)
		fail("refused with a config or a positive return");
	if (rc == -EINVAL && errs.count == 0)
		fail("refused as invalid without an error message");
	for (unsigned int i = 0; i < errs.count && i < SBC_CONFIG_MAX_ERRORS; i++)
		if (memchr(errs.msg[i], '\0', sizeof(errs.msg[i])) == NULL)
			fail("an error message not NUL-terminated");
	return 0;
}
