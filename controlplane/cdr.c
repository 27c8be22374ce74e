/* SPDX-License-Identifier: BSD-3-Clause
 * Call detail records as JSON lines (cdr.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cdr.h"

struct sbc_cdr {
	int fd;
	char *path;
};

struct sbc_cdr *sbc_cdr_open(const char *path, int *err)
{
	struct sbc_cdr *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	c->path = strdup(path);
	c->fd = c->path != NULL ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640) : -1;
	if (c->fd < 0) {
		*err = c->path != NULL ? -errno : -ENOMEM;
		free(c->path);
		free(c);
		return NULL;
	}
	return c;
}

int sbc_cdr_reopen(struct sbc_cdr *c)
{
	int fd = open(c->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

	if (fd < 0)
		return -errno;         /* the old file stays in use: nothing lost */
	close(c->fd);
	c->fd = fd;
	return 0;
}

void sbc_cdr_close(struct sbc_cdr *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c->path);
	free(c);
}

/* A bounded appender: once the buffer is full every later append fails. */
struct out {
	char *buf;
	size_t size;
	size_t len;
	bool full;
};

static void out_printf(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->full = true;
		return;
	}
	o->len += (size_t)n;
}

/* Call-IDs come from the wire: escape everything JSON requires. */
static void out_string(struct out *o, const char *s)
{
	const unsigned char *p;

	out_printf(o, "\"");
	for (p = (const unsigned char *)(s ? s : ""); *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			out_printf(o, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			out_printf(o, "\\u%04x", *p);
		else
			out_printf(o, "%c", *p);
	}
	out_printf(o, "\"");
}

static void out_time(struct out *o, uint64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[32];

	if (ms == 0 || gmtime_r(&t, &tm) == NULL) {
		out_printf(o, "null");
		return;
	}
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	out_printf(o, "\"%s.%03uZ\"", s, (unsigned int)(ms % 1000));
}

static void out_leg(struct out *o, const struct sbc_cdr_leg *l)
{
	out_printf(o, "{\"packets\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"lost\":%" PRIu32
		   ",\"jitter_us\":%" PRIu32 "}", l->packets, l->bytes, l->lost, l->jitter_us);
}

int sbc_cdr_format(const struct sbc_cdr_record *r, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = size };
	uint64_t duration = 0;

	if (size == 0)
		return -ENOSPC;
	buf[0] = '\0';
	if (r->answer_ms != 0 && r->end_ms > r->answer_ms)
		duration = r->end_ms - r->answer_ms;
	out_printf(&o, "{\"call\":%u,\"call_id_a\":", r->call_no);
	out_string(&o, r->call_id_a);
	out_printf(&o, ",\"call_id_b\":");
	out_string(&o, r->call_id_b);
	out_printf(&o, ",\"trunk_a\":");
	out_string(&o, r->trunk_a);
	out_printf(&o, ",\"trunk_b\":");
	out_string(&o, r->trunk_b);
	out_printf(&o, ",\"start\":");
	out_time(&o, r->start_ms);
	out_printf(&o, ",\"answer\":");
	out_time(&o, r->answer_ms);
	out_printf(&o, ",\"end\":");
	out_time(&o, r->end_ms);
	out_printf(&o, ",\"duration_ms\":%" PRIu64 ",\"disposition\":", duration);
	out_string(&o, r->disposition);
	out_printf(&o, ",\"sip_cause\":%d,\"ended_by\":", r->sip_cause);
	out_string(&o, r->ended_by);
	out_printf(&o, ",\"legs\":{\"a\":");
	out_leg(&o, &r->leg[0]);
	out_printf(&o, ",\"b\":");
	out_leg(&o, &r->leg[1]);
	out_printf(&o, "},\"transfer\":");
	if (r->transfer_leg == NULL) {
		out_printf(&o, "null");
	} else {
		out_printf(&o, "{\"leg\":");
		out_string(&o, r->transfer_leg);
		out_printf(&o, ",\"call_id\":");
		out_string(&o, r->transfer_call_id);
		out_printf(&o, ",\"trunk\":");
		out_string(&o, r->transfer_trunk);
		out_printf(&o, "}");
	}
	out_printf(&o, "}\n");
	if (o.full)
		return -ENOSPC;
	return (int)o.len;
}

int sbc_cdr_write(struct sbc_cdr *c, const struct sbc_cdr_record *r)
{
	char line[2048];
	ssize_t w;
	int n;

	n = sbc_cdr_format(r, line, sizeof(line));
	if (n < 0)
		return n;
	w = write(c->fd, line, (size_t)n);
	if (w < 0)
		return -errno;
	return w == n ? 0 : -EIO;
}
