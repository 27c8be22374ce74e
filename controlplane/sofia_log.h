/* SPDX-License-Identifier: BSD-3-Clause
 * Sofia-SIP's own log lines (tport, nta, nua, sres: whatever SOFIA_DEBUG,
 * TPORT_DEBUG, NTA_DEBUG ... let through) in our format: a timestamp, a
 * level and "sofia: ", one write(2) per line, instead of Sofia's raw text
 * on stderr.  Sofia hands its logger pieces of lines (a prefix, then the
 * rest): sbc_logline_feed() joins them and emits each whole line, its
 * newline and trailing white space removed, control characters shown as
 * '?'; a line longer than the buffer is emitted in pieces.
 * The assembler is plain C (tests/unit/test_sofia_log.c); the redirect
 * is b2b_sofia_log_install() (sofia_log.c).
 */
#ifndef SBC_SOFIA_LOG_H
#define SBC_SOFIA_LOG_H

#include <stddef.h>

#define SBC_LOGLINE_MAX 1024

struct sbc_logline {
	char buf[SBC_LOGLINE_MAX];
	size_t len;
	void (*emit)(void *arg, const char *line);
	void *arg;
};

/** Append @n bytes of text; each completed line goes to ll->emit. */
void sbc_logline_feed(struct sbc_logline *ll, const char *text, size_t n);

/** Emit what is held (a last line with no newline), if anything. */
void sbc_logline_flush(struct sbc_logline *ll);

/** Send Sofia's default log (every module's without a logger of its own) to sbc_log(). */
void b2b_sofia_log_install(void);

#endif /* SBC_SOFIA_LOG_H */
