/* SPDX-License-Identifier: BSD-3-Clause
 * The datagram pre-filter (prefilter.h): one pass over the header lines,
 * stopping at the cap, nothing allocated.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "prefilter.h"

static bool is_token_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("-.!%*_+`'~", c) != NULL);
}

/* The line starting at @pos: its length without CR LF, and where the next starts. */
static size_t line_at(const char *buf, size_t len, size_t pos, size_t *next)
{
	const char *nl = memchr(buf + pos, '\n', len - pos);
	size_t end = nl != NULL ? (size_t)(nl - buf) : len;

	*next = nl != NULL ? end + 1 : len;
	if (end > pos && buf[end - 1] == '\r')
		end--;
	return end - pos;
}

/*
 * "METHOD SP Request-URI SP SIP/2.0", nothing before or after: 1; the same
 * with another "SIP/x.y": 2 (505, RFC 3261 8.2.2... 21.5.6); else 0.
 */
static int request_line_ok(const char *p, size_t n, char *method, size_t msize)
{
	size_t i = 0, m, u;

	while (i < n && is_token_char((unsigned char)p[i]))
		i++;
	m = i;
	if (m > 0 && m < msize) {
		memcpy(method, p, m);
		method[m] = '\0';
	}
	if (m == 0 || i >= n || p[i] != ' ')
		return 0;
	u = ++i;
	while (i < n && p[i] != ' ' && p[i] != '\t')
		i++;
	if (i == u || i >= n || p[i] != ' ')
		return 0;
	i++;
	if (n - i == 7 && memcmp(p + i, "SIP/2.0", 7) == 0)
		return 1;
	if (n - i >= 7 && memcmp(p + i, "SIP/", 4) == 0) {
		for (u = i + 4; u < n; u++)
			if (!((p[u] >= '0' && p[u] <= '9') || p[u] == '.'))
				return 0;
		return 2;
	}
	return 0;
}

static bool name_is(const char *p, size_t n, const char *full, const char *compact)
{
	return (n == strlen(full) && strncasecmp(p, full, n) == 0) ||
	       (compact != NULL && n == 1 && (p[0] | 0x20) == compact[0]);
}

/* The To value carries a tag parameter (after its URI when in <>). */
static bool to_has_tag(const char *p, size_t n)
{
	const char *end = p + n, *gt = NULL, *q;

	for (q = p; q < end; q++)
		if (*q == '>')
			gt = q;
	if (memchr(p, '<', n) != NULL && gt != NULL)
		p = gt;
	for (q = p; q + 5 <= end; q++)
		if (*q == ';' && strncasecmp(q + 1, "tag=", 4) == 0)
			return true;
	return false;
}

enum sbc_pf_kind sbc_prefilter_scan(const char *buf, size_t len, uint32_t max_headers,
				    struct sbc_pf_msg *m)
{
	struct sbc_pf_span *last = NULL;
	size_t pos = 0, next, n;
	bool request, bad_line, dup = false, tag = false;
	int line_ok;
	unsigned char c0;

	memset(m, 0, sizeof(*m));
	while (pos < len && (buf[pos] == '\r' || buf[pos] == '\n'))
		pos++;                     /* keepalive CRLFs */
	if (pos == len)
		return m->kind = SBC_PF_OTHER;
	c0 = (unsigned char)buf[pos];
	if (!is_token_char(c0))
		return m->kind = SBC_PF_OTHER;        /* STUN, SigComp, binary */
	n = line_at(buf, len, pos, &next);
	request = !(n >= 8 && memcmp(buf + pos, "SIP/2.0 ", 8) == 0);
	/* A bad Request-Line: the headers are still read, for a 400 (505) to a trunk. */
	line_ok = request ? request_line_ok(buf + pos, n, m->method, sizeof(m->method)) : 1;
	bad_line = line_ok != 1;
	for (pos = next; pos < len; pos = next) {
		const char *p = buf + pos, *colon;
		struct sbc_pf_span *sp = NULL;
		size_t name;

		n = line_at(buf, len, pos, &next);
		if (n == 0)
			break;                 /* end of the headers */
		if (p[0] == ' ' || p[0] == '\t') {
			if (last != NULL)          /* folded: part of the header above */
				last->len = (uint32_t)(pos + n - last->off);
			continue;
		}
		if (++m->n_headers > max_headers)
			return m->kind = SBC_PF_TOO_MANY_HEADERS;
		last = NULL;
		if (!request)
			continue;
		colon = memchr(p, ':', n);
		if (colon == NULL)
			return m->kind = SBC_PF_MALFORMED;
		name = (size_t)(colon - p);
		while (name > 0 && (p[name - 1] == ' ' || p[name - 1] == '\t'))
			name--;
		if (name_is(p, name, "via", "v")) {
			if (m->n_via < SBC_PF_VIA_MAX)
				sp = &m->via[m->n_via];
			m->n_via++;
		} else {
			if (name_is(p, name, "from", "f"))
				sp = &m->from;
			else if (name_is(p, name, "to", "t"))
				sp = &m->to;
			else if (name_is(p, name, "call-id", "i"))
				sp = &m->call_id;
			else if (name_is(p, name, "cseq", NULL))
				sp = &m->cseq;
			if (sp != NULL && sp->len != 0) {
				/* two From, To, ...: malformed, but the rest still read
				 * (for the 400's From and To) */
				dup = true;
				sp = NULL;
			}
		}
		if (sp != NULL) {
			sp->off = (uint32_t)pos;
			sp->len = (uint32_t)n;
			last = sp;
		}
	}
	if (!request)
		return m->kind = SBC_PF_RESPONSE;
	if (m->n_via == 0 || m->from.len == 0 || m->to.len == 0 || m->call_id.len == 0 ||
	    m->cseq.len == 0 || dup || (bad_line && line_ok != 2))
		return m->kind = SBC_PF_MALFORMED;
	if (line_ok == 2)
		return m->kind = SBC_PF_BAD_VERSION;
	tag = to_has_tag(buf + m->to.off, m->to.len);
	return m->kind = tag ? SBC_PF_IN_DIALOG : SBC_PF_NEW;
}

static bool put(char *out, size_t size, size_t *at, const char *p, size_t n)
{
	if (n > size - *at)
		return false;
	memcpy(out + *at, p, n);
	*at += n;
	return true;
}

static bool put_line(char *out, size_t size, size_t *at, const char *buf,
		     const struct sbc_pf_span *s)
{
	return put(out, size, at, buf + s->off, s->len) && put(out, size, at, "\r\n", 2);
}

size_t sbc_prefilter_reply(const struct sbc_pf_msg *m, const char *buf, int status,
			   const char *phrase, const char *tag, char *out, size_t size)
{
	char line[96];
	size_t at = 0;
	int k;

	if ((m->kind != SBC_PF_NEW && m->kind != SBC_PF_IN_DIALOG && m->kind != SBC_PF_MALFORMED &&
	     m->kind != SBC_PF_BAD_VERSION) ||
	    m->n_via == 0 || m->n_via > SBC_PF_VIA_MAX || m->from.len == 0 || m->to.len == 0 ||
	    m->call_id.len == 0 || m->cseq.len == 0 || status < 100 || status > 699)
		return 0;
	k = snprintf(line, sizeof(line), "SIP/2.0 %d %s\r\n", status, phrase);
	if (k < 0 || (size_t)k >= sizeof(line) || !put(out, size, &at, line, (size_t)k))
		return 0;
	for (uint32_t i = 0; i < m->n_via; i++)
		if (!put_line(out, size, &at, buf, &m->via[i]))
			return 0;
	if (!put_line(out, size, &at, buf, &m->from) ||
	    !put(out, size, &at, buf + m->to.off, m->to.len))
		return 0;
	if (!to_has_tag(buf + m->to.off, m->to.len) && tag != NULL &&
	    (!put(out, size, &at, ";tag=", 5) || !put(out, size, &at, tag, strlen(tag))))
		return 0;
	if (!put(out, size, &at, "\r\n", 2) || !put_line(out, size, &at, buf, &m->call_id) ||
	    !put_line(out, size, &at, buf, &m->cseq) ||
	    !put(out, size, &at, "Content-Length: 0\r\n\r\n", 21))
		return 0;
	return at;
}

bool sbc_prefilter_method_known(const char *method)
{
	static const char *const known[] = {
		"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "REGISTER", "INFO", "PRACK",
		"UPDATE", "MESSAGE", "SUBSCRIBE", "NOTIFY", "REFER", "PUBLISH",
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(method, known[i]) == 0)
			return true;
	return false;
}

bool sbc_prefilter_status_ok(const char *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len && (buf[pos] == '\r' || buf[pos] == '\n'))
		pos++;
	buf += pos;
	len -= pos;
	/* "SIP/2.0 " three digits, then a space or the line's end (no reason phrase) */
	return len >= 11 && memcmp(buf, "SIP/2.0 ", 8) == 0 && buf[8] >= '1' && buf[8] <= '6' &&
	       buf[9] >= '0' && buf[9] <= '9' && buf[10] >= '0' && buf[10] <= '9' &&
	       (len == 11 || buf[11] == ' ' || buf[11] == '\r' || buf[11] == '\n');
}
