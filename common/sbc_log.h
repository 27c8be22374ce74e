/* SPDX-License-Identifier: BSD-3-Clause
 * Logging for the control thread(s) of both processes.  Never called per
 * packet (per-packet events are counters).  Secrets are never passed to a
 * log call: format them with SBC_REDACTED instead.
 */
#ifndef SBC_LOG_H
#define SBC_LOG_H

#include <stdarg.h>

enum sbc_log_level {
	SBC_LOG_ERR = 0,
	SBC_LOG_WARN,
	SBC_LOG_NOTICE,
	SBC_LOG_INFO,
	SBC_LOG_DEBUG,
	SBC_LOG__COUNT
};

/* What a secret prints as, everywhere. */
#define SBC_REDACTED "<redacted>"

/** Set the threshold; messages above it are discarded. Thread: main. */
void sbc_log_set_level(enum sbc_log_level level);

/** Log one line "<subsys>: <text>" to stderr in one write(2) (2 KiB at most). Any thread. */
void sbc_log(enum sbc_log_level level, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define SBC_LOG(lvl, subsys, ...) sbc_log(SBC_LOG_##lvl, subsys, __VA_ARGS__)

#endif /* SBC_LOG_H */
