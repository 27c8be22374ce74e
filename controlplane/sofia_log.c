/* SPDX-License-Identifier: BSD-3-Clause
 * Sofia-SIP's log lines in our format (sofia_log.h).
 */
#include "sofia_log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/su_log.h>

#include "sbc_log.h"

static void emit(struct sbc_logline *ll)
{
	size_t n = ll->len;

	while (n > 0 && (ll->buf[n - 1] == ' ' || ll->buf[n - 1] == '\t' ||
			 ll->buf[n - 1] == '\r'))
		n--;
	ll->buf[n] = '\0';
	if (n > 0)
		ll->emit(ll->arg, ll->buf);
	ll->len = 0;
}

void sbc_logline_feed(struct sbc_logline *ll, const char *text, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n') {
			emit(ll);
			continue;
		}
		if (ch == '\r')
			continue;
		if (ll->len + 1 >= sizeof(ll->buf))
			emit(ll);
		/* Text from the wire can reach Sofia's lines: no escapes to the terminal. */
		ll->buf[ll->len++] = (ch < ' ' && ch != '\t') || ch == 0x7f ? '?' : (char)ch;
	}
}

void sbc_logline_flush(struct sbc_logline *ll)
{
	if (ll->len > 0)
		emit(ll);
}

static void to_sbc_log(void *arg, const char *line)
{
	(void)arg;
	/* su_logger_f is not told the level: what Sofia lets through is notable. */
	sbc_log(SBC_LOG_NOTICE, "sofia", "%s", line);
}

/* The su_root thread only (su_root_threading(0), no stack thread). */
static struct sbc_logline sofia_line = { .emit = to_sbc_log };

static void sofia_logger(void *stream, char const *fmt, va_list ap)
{
	char piece[SBC_LOGLINE_MAX];
	int n;

	(void)stream;
	n = vsnprintf(piece, sizeof(piece), fmt, ap);
	if (n <= 0)
		return;
	sbc_logline_feed(&sofia_line, piece,
			 (size_t)n < sizeof(piece) ? (size_t)n : sizeof(piece) - 1);
}

void b2b_sofia_log_install(void)
{
	su_log_redirect(NULL, sofia_logger, NULL);
}
