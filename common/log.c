/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* Longest line written; a longer one is cut and ends with "...". */
#define LOG_LINE_MAX 2048

/*
 * The whole line is formatted first and written with one write(2): one
 * system call per line (stderr is unbuffered: fprintf() would make three),
 * and lines from several threads or processes sharing the file never
 * interleave.
 */
void sbc_log(enum sbc_log_level level, const char *subsys, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	struct timespec ts;
	struct tm tm;
	size_t len;
	va_list ap;
	int n;

	if (level > log_threshold)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	len = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line + len, sizeof(line) - len, ".%03ldZ %s %s: ", ts.tv_nsec / 1000000L,
		     level_names[level], subsys);
	len += n > 0 ? (size_t)n : 0;
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n >= sizeof(line) - len - 1) {
		len = sizeof(line) - 5;
		memcpy(line + len, "...", 3);
		len += 3;
	} else if (n > 0) {
		len += (size_t)n;
	}
	line[len++] = '\n';
	while (write(STDERR_FILENO, line, len) < 0 && errno == EINTR)
		;
}
