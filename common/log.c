/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <time.h>

#include "sbc_log.h"

static enum sbc_log_level log_threshold = SBC_LOG_INFO;

static const char *const level_names[SBC_LOG__COUNT] = {
	"err", "warn", "notice", "info", "debug",
};

void sbc_log_set_level(enum sbc_log_level level)
{
	if (level < SBC_LOG__COUNT)
		log_threshold = level;
}

void sbc_log(enum sbc_log_level level, const char *subsys, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;

	if (level > log_threshold)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s.%03ldZ %s %s: ", stamp, ts.tv_nsec / 1000000L,
		level_names[level], subsys);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
