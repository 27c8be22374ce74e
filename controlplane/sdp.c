/* SPDX-License-Identifier: BSD-3-Clause
 * SDP anchoring (see sdp.h).
 *
 * Parsing runs in two passes.  Our own line scan comes first: Sofia's
 * parser is lenient by design (it stops silently at a one-character line,
 * reads "-1" as a port through strtoul, copies the body with strncpy so a
 * NUL byte truncates it, and quotes offending lines in its error texts),
 * so the scan enforces the structure an SBC must insist on and produces
 * fixed reasons that can never carry an a=crypto key.  Sofia's parser then
 * does the field-level work, and the result is copied into the plain,
 * pointer-free struct sbc_sdp_desc.
 *
 * Building goes the other way: the transformations (anchoring, codec
 * filter, answer mapping) produce a struct sbc_sdp_desc holding only what
 * we mean to send, and one printer turns it into Sofia's sdp_session_t and
 * prints it with sdp_print().  Because the printer only ever sees that
 * rebuilt description, nothing the peer wrote outside the fields we copy
 * can leak to the other side.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/sdp.h>

#include "sbc_codec.h"
#include "sdp.h"

static const struct {
	int status;
	const char *text;
} sdp_errors[SBC_SDP_E__COUNT] = {
#define SBC_X_ROW(e, st, txt) [SBC_SDP_E_##e] = { st, txt },
	SBC_SDP_ERRORS(SBC_X_ROW)
#undef SBC_X_ROW
};

const char *
sbc_sdp_error_str(uint32_t code)
{
	return code < SBC_SDP_E__COUNT ? sdp_errors[code].text : "unknown error";
}

int
sbc_sdp_error_sip_status(uint32_t code)
{
	return code < SBC_SDP_E__COUNT ? sdp_errors[code].status : 500;
}

static int
sdp_errno(enum sbc_sdp_err code)
{
	switch (code) {
	case SBC_SDP_E_OK:          return 0;
	case SBC_SDP_E_TOO_LARGE:
	case SBC_SDP_E_TOO_COMPLEX: return -E2BIG;
	case SBC_SDP_E_NOMEM:       return -ENOMEM;
	case SBC_SDP_E_BUFFER:      return -ENOSPC;
	case SBC_SDP_E_MISMATCH:    return -EPROTO;
	case SBC_SDP_E_ARGUMENT:    return -EINVAL;
	default:
		return sdp_errors[code].status == 400 ? -EBADMSG : -ENOTSUP;
	}
}

static int
sdp_fail(struct sbc_sdp_error *err, enum sbc_sdp_err code, uint32_t line)
{
	if (err != NULL) {
		err->code = code;
		err->line = line;
	}
	return sdp_errno(code);
}

/* ---- small text helpers -------------------------------------------- */

struct sdp_tok {
	const char *p;
	size_t n;
};

/* Next run of characters other than SP/HT in [*s, end). */
static bool
sdp_next_tok(const char **s, const char *end, struct sdp_tok *t)
{
	const char *p = *s;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return false;
	t->p = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	t->n = (size_t)(p - t->p);
	*s = p;
	return true;
}

static bool
sdp_tok_is(const struct sdp_tok *t, const char *word)
{
	return t->n == strlen(word) && strncasecmp(t->p, word, t->n) == 0;
}

/* RFC 4566 token characters. */
static bool
sdp_tok_chars(const char *p, size_t n, const char *extra)
{
	static const char token_chars[] = "-!#$%&'*+.^_`{|}~";
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			continue;
		if (c != '\0' && strchr(token_chars, c) != NULL)
			continue;
		if (extra != NULL && c != '\0' && strchr(extra, c) != NULL)
			continue;
		return false;
	}
	return true;
}

/* All digits, at most @max (and no overflow on the way there). */
static bool
sdp_parse_u64(const char *p, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20)
		return false;
	for (i = 0; i < n; i++) {
		unsigned int d;

		if (p[i] < '0' || p[i] > '9')
			return false;
		d = (unsigned int)(p[i] - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* Leading decimal number of an attribute value ("20", "9001 IN IP4 ..."). */
static bool
sdp_leading_uint(const char *s, uint64_t max, uint64_t *out)
{
	size_t n = strspn(s, "0123456789");

	if (s[n] != '\0' && s[n] != ' ' && s[n] != '\t' && s[n] != '.')
		return false;
	return sdp_parse_u64(s, n, max, out);
}

/* 64-bit FNV-1a: cheap, and 2^-64 odds of a missed version bump. */
static uint64_t
sdp_digest(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* ---- description arena ------------------------------------------------ */

static void
sdp_desc_init(struct sbc_sdp_desc *d)
{
	memset(d, 0, sizeof(*d));
	d->dir = SBC_SDP_SENDRECV;
	d->text_used = 1;   /* offset 0 is the empty string */
}

const char *
sbc_sdp_text(const struct sbc_sdp_desc *d, uint16_t off)
{
	if (d == NULL || off == 0 || off >= d->text_used || off >= SBC_SDP_TEXT_MAX)
		return "";
	return d->text + off;
}

static int
sdp_text_put(struct sbc_sdp_desc *d, const char *s, size_t n, uint16_t *off)
{
	*off = 0;
	if (n == 0)
		return 0;
	if ((size_t)d->text_used + n + 1 > SBC_SDP_TEXT_MAX)
		return -E2BIG;
	*off = d->text_used;
	memcpy(d->text + d->text_used, s, n);
	d->text[d->text_used + n] = '\0';
	d->text_used = (uint16_t)(d->text_used + n + 1);
	return 0;
}

static int
sdp_text_str(struct sbc_sdp_desc *d, const char *s, uint16_t *off)
{
	return sdp_text_put(d, s, s != NULL ? strlen(s) : 0, off);
}

static int
sdp_text_copy(struct sbc_sdp_desc *dst, uint16_t *off,
	      const struct sbc_sdp_desc *src, uint16_t src_off)
{
	return sdp_text_str(dst, sbc_sdp_text(src, src_off), off);
}

void
sbc_sdp_desc_wipe(struct sbc_sdp_desc *d)
{
	if (d != NULL)
		explicit_bzero(d, sizeof(*d));
}

/* ---- pass 1: line scan ------------------------------------------------ */

/* What the scan learns about each m= line, in order. */
#define SDP_SKIP_MAX 32   /* a=rtpmap lines left out of Sofia's copy */

struct sdp_scan {
	uint32_t n_media;
	uint32_t mline[SBC_SDP_MEDIA_MAX];        /* line number */
	uint8_t proto[SBC_SDP_MEDIA_MAX];         /* from the raw proto token */
	uint8_t says_recv[SBC_SDP_MEDIA_MAX];     /* an explicit a=sendrecv or a=recvonly */
	uint32_t n_skip;
	uint32_t skip[SDP_SKIP_MAX];              /* byte offsets of lines to leave out */
	uint32_t at;                              /* offset of the line being checked */
};

static enum sbc_sdp_err
sdp_check_origin(const char *v, const char *end)
{
	struct sdp_tok t[6];
	struct sdp_tok extra;
	uint64_t num;
	unsigned int i;

	for (i = 0; i < 6; i++)
		if (!sdp_next_tok(&v, end, &t[i]))
			return SBC_SDP_E_ORIGIN;
	if (sdp_next_tok(&v, end, &extra))
		return SBC_SDP_E_ORIGIN;
	if (!sdp_parse_u64(t[1].p, t[1].n, UINT64_MAX, &num) ||
	    !sdp_parse_u64(t[2].p, t[2].n, UINT64_MAX, &num))
		return SBC_SDP_E_ORIGIN;
	if (!sdp_tok_is(&t[3], "IN") ||
	    !(sdp_tok_is(&t[4], "IP4") || sdp_tok_is(&t[4], "IP6")))
		return SBC_SDP_E_ORIGIN;
	return SBC_SDP_E_OK;
}

static bool
sdp_ip_is_multicast(const struct sbc_ip *ip)
{
	if (ip->family == 4)
		return (ip->bytes[0] & 0xf0u) == 0xe0u;
	return ip->bytes[0] == 0xffu;
}

/* An IP literal of the family named by "IP4"/"IP6". */
static int
sdp_ip_from_text(const char *s, size_t n, bool v6, struct sbc_ip *ip)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, ip->bytes) != 1)
		return -EINVAL;
	ip->family = v6 ? 6 : 4;
	return 0;
}

static enum sbc_sdp_err
sdp_check_connection(const char *v, const char *end)
{
	struct sdp_tok t[3], extra;
	struct sbc_ip ip;
	bool v6;
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (!sdp_next_tok(&v, end, &t[i]))
			return SBC_SDP_E_CONNECTION;
	if (sdp_next_tok(&v, end, &extra))
		return SBC_SDP_E_CONNECTION;
	if (!sdp_tok_is(&t[0], "IN"))
		return SBC_SDP_E_CONNECTION;
	if (sdp_tok_is(&t[1], "IP6"))
		v6 = true;
	else if (sdp_tok_is(&t[1], "IP4"))
		v6 = false;
	else
		return SBC_SDP_E_CONNECTION;
	/* A TTL or address count only exists for multicast groups. */
	if (memchr(t[2].p, '/', t[2].n) != NULL)
		return SBC_SDP_E_MULTICAST;
	if (sdp_ip_from_text(t[2].p, t[2].n, v6, &ip) != 0) {
		bool letter = false;

		for (i = 0; i < t[2].n; i++)
			if ((t[2].p[i] >= 'a' && t[2].p[i] <= 'z') ||
			    (t[2].p[i] >= 'A' && t[2].p[i] <= 'Z'))
				letter = true;
		if (letter && sdp_tok_chars(t[2].p, t[2].n, NULL) &&
		    memchr(t[2].p, ':', t[2].n) == NULL)
			return SBC_SDP_E_HOSTNAME;
		return SBC_SDP_E_CONNECTION;
	}
	if (sdp_ip_is_multicast(&ip))
		return SBC_SDP_E_MULTICAST;
	return SBC_SDP_E_OK;
}

static uint8_t
sdp_proto_of(const struct sdp_tok *t)
{
	if (sdp_tok_is(t, "RTP/AVP"))
		return SBC_SDP_PROTO_RTP_AVP;
	if (sdp_tok_is(t, "RTP/SAVP"))
		return SBC_SDP_PROTO_RTP_SAVP;
	if (sdp_tok_is(t, "udptl"))
		return SBC_SDP_PROTO_UDPTL;
	return SBC_SDP_PROTO_OTHER;
}

/* Does Sofia read this proto's formats as RTP payload types? */
static bool
sdp_proto_has_pt(const struct sdp_tok *t)
{
	size_t i;

	if (sdp_tok_is(t, "RTP"))
		return true;
	for (i = 0; i + 4 <= t->n; i++)
		if (strncasecmp(t->p + i, "RTP/", 4) == 0)
			return true;
	return false;
}

/*
 * RFC 4566 proto: token *("/" token), each part non-empty, the first
 * starting with a letter ("RTP/AVP", "udptl", "UDP/TLS/RTP/SAVPF").
 * libsofia-sip-ua 1.12.11's sdp_parse() never returns on some protos that
 * break this ("/0" followed by tabs: tests/regressions/sdp-parser-hang.sdp),
 * so nothing else reaches it.
 */
static bool
sdp_proto_ok(const struct sdp_tok *t)
{
	size_t i, start = 0;

	if (t->n == 0 || !((t->p[0] >= 'a' && t->p[0] <= 'z') || (t->p[0] >= 'A' && t->p[0] <= 'Z')))
		return false;
	for (i = 0; i <= t->n; i++) {
		if (i < t->n && t->p[i] != '/')
			continue;
		if (!sdp_tok_chars(t->p + start, i - start, NULL))
			return false;
		start = i + 1;
	}
	return true;
}

static enum sbc_sdp_err
sdp_check_media(const char *v, const char *end, uint8_t *proto)
{
	struct sdp_tok type, port, pr, fmt;
	const char *slash;
	uint64_t num;
	bool pt;
	unsigned int n_fmt = 0;

	/* The fields of an m= line are separated by spaces (RFC 4566 5.14), never tabs. */
	if (memchr(v, '\t', (size_t)(end - v)) != NULL)
		return SBC_SDP_E_MEDIA;
	if (!sdp_next_tok(&v, end, &type) || !sdp_next_tok(&v, end, &port) ||
	    !sdp_next_tok(&v, end, &pr))
		return SBC_SDP_E_MEDIA;
	if (!sdp_tok_chars(type.p, type.n, NULL))
		return SBC_SDP_E_MEDIA;
	slash = memchr(port.p, '/', port.n);
	if (slash == NULL) {
		if (!sdp_parse_u64(port.p, port.n, 65535, &num))
			return SBC_SDP_E_MEDIA_PORT;
	} else {
		size_t lead = (size_t)(slash - port.p);

		if (!sdp_parse_u64(port.p, lead, 65535, &num) ||
		    !sdp_parse_u64(slash + 1, port.n - lead - 1, 65535, &num) || num == 0)
			return SBC_SDP_E_MEDIA_PORT;
		if (num != 1)
			return SBC_SDP_E_PORT_COUNT;
	}
	if (!sdp_proto_ok(&pr))
		return SBC_SDP_E_MEDIA;
	pt = sdp_proto_has_pt(&pr);
	while (sdp_next_tok(&v, end, &fmt)) {
		n_fmt++;
		if (pt) {
			if (fmt.n > 3 || !sdp_parse_u64(fmt.p, fmt.n, 127, &num))
				return SBC_SDP_E_PAYLOAD_TYPE;
		} else if (!sdp_tok_chars(fmt.p, fmt.n, NULL)) {
			return SBC_SDP_E_MEDIA;
		}
	}
	if (n_fmt == 0)
		return SBC_SDP_E_NO_FORMATS;
	*proto = sdp_proto_of(&pr);
	return SBC_SDP_E_OK;
}

/*
 * "a=rtpmap:" followed by what Sofia's parser accepts: a payload type,
 * one space, an encoding name and "/" with a clock rate (then anything).
 * Sofia fails the whole body on any other rtpmap, so one broken attribute
 * (on a video line the SBC may not even keep) lost the call.
 */
static bool
sdp_rtpmap_ok(const char *v, const char *end)
{
	const char *p = v, *q;

	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p == v || p - v > 3 || p >= end || *p != ' ')
		return false;
	q = ++p;
	while (p < end && *p != '/')
		p++;
	if (p == q || p >= end || !sdp_tok_chars(q, (size_t)(p - q), NULL))
		return false;
	q = ++p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p > q && p - q <= 10 && (p == end || *p == '/');
}

/* A line's length and bytes (@n without its CR LF): no NUL, no control but HT. */
static enum sbc_sdp_err
sdp_check_line_chars(const char *line, size_t n)
{
	size_t i;

	if (n > SBC_SDP_LINE_MAX)
		return SBC_SDP_E_LINE_TOO_LONG;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == '\0')
			return SBC_SDP_E_NUL_BYTE;
		/* A lone CR would end the line for Sofia: refuse it. */
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return SBC_SDP_E_CONTROL_CHAR;
	}
	return SBC_SDP_E_OK;
}

/*
 * One "x=" line after v=0, line number @no: a type allowed where it stands,
 * and the fields of o=, c= and m=.  An m= line is recorded in @scan.
 */
static enum sbc_sdp_err
sdp_check_typed_line(struct sdp_scan *scan, const char *line, size_t n, uint32_t no,
		     uint32_t *n_origin)
{
	enum sbc_sdp_err code = SBC_SDP_E_OK;

	if (line[0] == 'v')
		return SBC_SDP_E_MISPLACED;
	if (strchr("osiuepcbtrzkam", line[0]) == NULL)
		return SBC_SDP_E_UNKNOWN_TYPE;
	/* Sofia ignores session lines inside a media section silently. */
	if (scan->n_media > 0 && strchr("icbkam", line[0]) == NULL)
		return SBC_SDP_E_MISPLACED;
	switch (line[0]) {
	case 'o':
		if (++*n_origin > 1)
			code = SBC_SDP_E_ORIGIN;
		else
			code = sdp_check_origin(line + 2, line + n);
		break;
	case 'c':
		code = sdp_check_connection(line + 2, line + n);
		break;
	case 'a':
		/* Sofia folds these into the mode: whether one was written is lost. */
		if (scan->n_media > 0 && n == 10 &&
		    (memcmp(line, "a=sendrecv", 10) == 0 || memcmp(line, "a=recvonly", 10) == 0))
			scan->says_recv[scan->n_media - 1] = 1;
		if (n > 9 && memcmp(line, "a=rtpmap:", 9) == 0 &&
		    !sdp_rtpmap_ok(line + 9, line + n)) {
			if (scan->n_skip == SDP_SKIP_MAX)
				return SBC_SDP_E_TOO_COMPLEX;
			scan->skip[scan->n_skip++] = scan->at;
		}
		break;
	case 'm':
		if (scan->n_media == SBC_SDP_MEDIA_MAX)
			return SBC_SDP_E_TOO_MANY_MEDIA;
		scan->mline[scan->n_media] = no;
		code = sdp_check_media(line + 2, line + n, &scan->proto[scan->n_media]);
		scan->n_media++;
		break;
	default:
		break;
	}
	return code;
}

static int
sdp_scan(const char *body, size_t len, struct sdp_scan *scan,
	 struct sbc_sdp_error *err)
{
	size_t pos = 0;
	uint32_t no = 0, n_origin = 0;
	bool seen_v = false;

	memset(scan, 0, sizeof(*scan));
	if (len == 0)
		return sdp_fail(err, SBC_SDP_E_EMPTY, 0);
	if (len > SBC_SDP_BODY_MAX)
		return sdp_fail(err, SBC_SDP_E_TOO_LARGE, 0);
	while (pos < len) {
		const char *line = body + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - pos;
		enum sbc_sdp_err code;

		scan->at = (uint32_t)pos;
		pos += n + (nl != NULL);
		no++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		code = sdp_check_line_chars(line, n);
		if (code != SBC_SDP_E_OK)
			return sdp_fail(err, code, no);
		if (n == 0)
			continue;
		if (n < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
			return sdp_fail(err, SBC_SDP_E_BAD_LINE, no);
		if (!seen_v) {
			if (n != 3 || memcmp(line, "v=0", 3) != 0)
				return sdp_fail(err, SBC_SDP_E_NO_VERSION, no);
			seen_v = true;
			continue;
		}
		code = sdp_check_typed_line(scan, line, n, no, &n_origin);
		if (code != SBC_SDP_E_OK)
			return sdp_fail(err, code, no);
	}
	if (!seen_v)
		return sdp_fail(err, SBC_SDP_E_EMPTY, 0);
	if (n_origin == 0)
		return sdp_fail(err, SBC_SDP_E_ORIGIN, 0);
	if (scan->n_media == 0)
		return sdp_fail(err, SBC_SDP_E_NO_MEDIA, 0);
	return 0;
}

/* ---- pass 2: Sofia's parse, copied into the plain description ---------- */

static int
sdp_conn_ip(const sdp_connection_t *c, struct sbc_ip *ip)
{
	if (c == NULL || c->c_nettype != sdp_net_in || c->c_address == NULL || c->c_mcast)
		return -EINVAL;
	if (c->c_addrtype != sdp_addr_ip4 && c->c_addrtype != sdp_addr_ip6)
		return -EINVAL;
	return sdp_ip_from_text(c->c_address, strlen(c->c_address),
				c->c_addrtype == sdp_addr_ip6, ip);
}

static bool
sdp_ip_unspecified(const struct sbc_ip *ip)
{
	static const uint8_t zero[16];

	return memcmp(ip->bytes, zero, ip->family == 6 ? 16 : 4) == 0;
}

/*
 * An address no peer receives media on: loopback (127/8, ::1, and IPv4
 * loopback mapped in IPv6), the limited broadcast 255.255.255.255, or
 * "this network" 0/8 other than 0.0.0.0 (which means hold).  Relaying to
 * them sends the call's media to the SBC host itself or to a whole LAN.
 */
static bool
sdp_ip_unusable(const struct sbc_ip *ip)
{
	static const uint8_t v6_loop[16] = { [15] = 1 };
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t *b = ip->bytes;

	if (ip->family == 6) {
		if (memcmp(b, v6_loop, 16) == 0)
			return true;
		if (memcmp(b, v4_mapped, 12) != 0)
			return false;
		b += 12;              /* ::ffff:a.b.c.d: judge a.b.c.d */
	}
	if (b[0] == 127)
		return true;
	if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
		return true;
	return b[0] == 0 && (b[1] | b[2] | b[3]) != 0;
}

static int
sdp_copy_fmt(struct sbc_sdp_desc *d, struct sbc_sdp_fmt *f, const sdp_rtpmap_t *rm)
{
	size_t n = rm->rm_encoding != NULL ? strlen(rm->rm_encoding) : 0;
	uint64_t ch = 1;

	memset(f, 0, sizeof(*f));
	f->pt = (uint8_t)rm->rm_pt;
	f->rtpmap = !rm->rm_predef;
	f->clock = rm->rm_rate <= UINT32_MAX ? (uint32_t)rm->rm_rate : 0;
	if (rm->rm_params != NULL &&
	    !sdp_parse_u64(rm->rm_params, strlen(rm->rm_params), 255, &ch))
		n = 0;  /* unreadable channel count: treat the codec as unknown */
	f->channels = (uint8_t)(ch != 0 ? ch : 1);
	if (n > 0 && n < SBC_SDP_NAME_MAX)
		memcpy(f->name, rm->rm_encoding, n);
	return sdp_text_str(d, rm->rm_fmtp, &f->fmtp);
}

static int
sdp_copy_media_attr(struct sbc_sdp_desc *d, struct sbc_sdp_media *dm,
		    const sdp_attribute_t *a)
{
	const char *name = a->a_name, *value = a->a_value;
	uint64_t num;

	if (name == NULL)
		return 0;
	if (strcasecmp(name, "rtcp") == 0) {
		if (value != NULL && sdp_leading_uint(value, 65535, &num))
			dm->rtcp_port = (uint16_t)num;
	} else if (strcasecmp(name, "rtcp-mux") == 0) {
		dm->rtcp_mux = true;
	} else if (strcasecmp(name, "ptime") == 0) {
		if (value != NULL && sdp_leading_uint(value, 65535, &num))
			dm->ptime = (uint16_t)num;
	} else if (strcasecmp(name, "maxptime") == 0) {
		if (value != NULL && sdp_leading_uint(value, 65535, &num))
			dm->maxptime = (uint16_t)num;
	} else if (strcasecmp(name, "crypto") == 0) {
		if (value != NULL && dm->n_crypto < SBC_SDP_CRYPTO_MAX &&
		    (dm->proto == SBC_SDP_PROTO_RTP_SAVP || dm->proto == SBC_SDP_PROTO_RTP_AVP)) {
			if (sdp_text_str(d, value, &dm->crypto[dm->n_crypto]) != 0)
				return -E2BIG;
			dm->n_crypto++;
		}
	} else if (strncasecmp(name, "T38", 3) == 0 && dm->type == SBC_SDP_MEDIA_IMAGE &&
		   dm->n_attr < SBC_SDP_ATTR_MAX) {
		char buf[SBC_SDP_LINE_MAX + 2];

		snprintf(buf, sizeof(buf), "%s%s%s", name, value != NULL ? ":" : "",
			 value != NULL ? value : "");
		if (sdp_text_str(d, buf, &dm->attr[dm->n_attr]) != 0)
			return -E2BIG;
		dm->n_attr++;
	}
	return 0;
}

static enum sbc_sdp_err
sdp_copy_media(struct sbc_sdp_desc *d, struct sbc_sdp_media *dm,
	       const sdp_media_t *m, uint8_t proto, bool says_recv)
{
	const sdp_attribute_t *a;
	const sdp_rtpmap_t *rm;

	memset(dm, 0, sizeof(*dm));
	if (m->m_type == sdp_media_audio)
		dm->type = SBC_SDP_MEDIA_AUDIO;
	else if (m->m_type == sdp_media_image)
		dm->type = SBC_SDP_MEDIA_IMAGE;
	else
		dm->type = SBC_SDP_MEDIA_OTHER;
	dm->proto = proto;
	if (sdp_text_str(d, m->m_type_name, &dm->type_name) != 0 ||
	    sdp_text_str(d, m->m_proto_name, &dm->proto_name) != 0)
		return SBC_SDP_E_TOO_COMPLEX;
	dm->port = (uint16_t)m->m_port;   /* the scan bounded it to 65535 */
	dm->rejected = m->m_port == 0;
	if (m->m_connections != NULL) {
		if (sdp_conn_ip(m->m_connections, &dm->addr) != 0)
			return SBC_SDP_E_CONNECTION;
	} else {
		dm->addr = d->addr;
	}
	if (!dm->rejected && dm->addr.family == 0)
		return SBC_SDP_E_NO_CONNECTION;
	if (!dm->rejected && sdp_ip_unusable(&dm->addr))
		return SBC_SDP_E_BAD_ADDRESS;
	dm->hold_addr = dm->addr.family != 0 && sdp_ip_unspecified(&dm->addr);
	dm->dir = (uint8_t)(m->m_mode & SBC_SDP_SENDRECV);
	/*
	 * 0.0.0.0 is RFC 2543's hold, with no direction or a sending one; a
	 * line that says it receives there names no address at all.
	 */
	if (dm->hold_addr && !dm->rejected && says_recv)
		return SBC_SDP_E_UNSPECIFIED;
	if (dm->rejected)
		dm->dir_eff = SBC_SDP_INACTIVE;
	else if (dm->hold_addr)
		dm->dir_eff = dm->dir & (uint8_t)~SBC_SDP_DIR_RECV;
	else
		dm->dir_eff = dm->dir;

	if (m->m_rtpmaps != NULL) {
		for (rm = m->m_rtpmaps; rm != NULL && dm->n_fmt < SBC_SDP_FMT_MAX; rm = rm->rm_next) {
			if (sdp_copy_fmt(d, &dm->fmt[dm->n_fmt], rm) != 0)
				return SBC_SDP_E_TOO_COMPLEX;
			dm->n_fmt++;
		}
	} else if (m->m_format != NULL && m->m_format->l_text != NULL) {
		if (sdp_text_str(d, m->m_format->l_text, &dm->fmt_text) != 0)
			return SBC_SDP_E_TOO_COMPLEX;
	}
	for (a = m->m_attributes; a != NULL; a = a->a_next)
		if (sdp_copy_media_attr(d, dm, a) != 0)
			return SBC_SDP_E_TOO_COMPLEX;
	return SBC_SDP_E_OK;
}

static enum sbc_sdp_err
sdp_copy_session(struct sbc_sdp_desc *d, const sdp_session_t *s,
		 const struct sdp_scan *scan, uint32_t *line)
{
	const sdp_media_t *m;
	enum sbc_sdp_err code;
	uint32_t i = 0;

	*line = 0;
	if (s->sdp_origin == NULL)
		return SBC_SDP_E_ORIGIN;
	d->o_id = s->sdp_origin->o_id;
	d->o_version = s->sdp_origin->o_version;
	if (sdp_text_str(d, s->sdp_origin->o_username, &d->o_user) != 0)
		return SBC_SDP_E_TOO_COMPLEX;
	if (sdp_conn_ip(s->sdp_origin->o_address, &d->o_addr) != 0)
		memset(&d->o_addr, 0, sizeof(d->o_addr));
	if (s->sdp_connection != NULL && sdp_conn_ip(s->sdp_connection, &d->addr) != 0)
		return SBC_SDP_E_CONNECTION;
	d->dir = (uint8_t)(sdp_attribute_mode(s->sdp_attributes, sdp_sendrecv) &
			   SBC_SDP_SENDRECV);
	for (m = s->sdp_media; m != NULL; m = m->m_next, i++) {
		if (i >= scan->n_media)
			return SBC_SDP_E_SYNTAX;
		*line = scan->mline[i];
		code = sdp_copy_media(d, &d->media[i], m, scan->proto[i], scan->says_recv[i]);
		if (code != SBC_SDP_E_OK)
			return code;
	}
	*line = 0;
	if (i != scan->n_media)
		return SBC_SDP_E_SYNTAX;
	d->n_media = (uint8_t)i;
	return SBC_SDP_E_OK;
}

/* @body without the lines the scan marked (offsets ascending); malloc'd. */
static char *
sdp_without_lines(const char *body, size_t len, const struct sdp_scan *scan, size_t *out_len)
{
	char *t = malloc(len + 1);
	size_t from = 0, n = 0;
	uint32_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < scan->n_skip; i++) {
		size_t at = scan->skip[i];
		const char *nl = memchr(body + at, '\n', len - at);
		size_t next = nl != NULL ? (size_t)(nl - body) + 1 : len;

		memcpy(t + n, body + from, at - from);
		n += at - from;
		from = next;
	}
	memcpy(t + n, body + from, len - from);
	n += len - from;
	t[n] = '\0';
	*out_len = n;
	return t;
}

int
sbc_sdp_parse(struct sbc_sdp_desc *d, const char *body, size_t len,
	      struct sbc_sdp_error *err)
{
	su_home_t home[1] = { SU_HOME_INIT(home) };
	struct sdp_scan scan;
	sdp_parser_t *parser;
	sdp_session_t *s;
	enum sbc_sdp_err code;
	char *text = NULL;
	uint32_t line;
	int rc;

	if (d == NULL)
		return sdp_fail(err, SBC_SDP_E_ARGUMENT, 0);
	sdp_desc_init(d);
	if (body == NULL)
		return sdp_fail(err, SBC_SDP_E_EMPTY, 0);
	rc = sdp_scan(body, len, &scan, err);
	if (rc != 0)
		return rc;

	/* Insane: the scan and the copy do the sanity checks, with reasons. */
	if (scan.n_skip > 0) {
		text = sdp_without_lines(body, len, &scan, &len);
		if (text == NULL)
			return sdp_fail(err, SBC_SDP_E_NOMEM, 0);
		body = text;
	}
	parser = sdp_parse(home, body, (issize_t)len, sdp_f_insane);
	free(text);
	s = sdp_session(parser);
	if (s == NULL) {
		code = sdp_parser_home(parser) == NULL ? SBC_SDP_E_NOMEM : SBC_SDP_E_SYNTAX;
		line = 0;
	} else {
		code = sdp_copy_session(d, s, &scan, &line);
	}
	sdp_parser_free(parser);
	su_home_deinit(home);
	if (code != SBC_SDP_E_OK) {
		sbc_sdp_desc_wipe(d);
		sdp_desc_init(d);
		return sdp_fail(err, code, line);
	}
	return sdp_fail(err, SBC_SDP_E_OK, 0);
}

/* ---- codecs ------------------------------------------------------------ */

/*
 * Audio codecs by name, clock and channels; telephone-event and CN by name
 * at any clock; T38 is a media line, never a payload type.
 */
int
sbc_sdp_fmt_codec(const struct sbc_sdp_fmt *f)
{
	uint32_t c;

	if (f == NULL || f->name[0] == '\0')
		return -1;
	for (c = 0; c < SBC_CODEC__COUNT; c++) {
		const struct sbc_codec_info *ci = sbc_codec_info(c);

		if (ci->kind == SBC_CODEC_KIND_IMAGE || strcasecmp(f->name, ci->name) != 0)
			continue;
		if (ci->kind != SBC_CODEC_KIND_AUDIO)
			return (int)c;
		return f->clock == ci->clock && f->channels == ci->channels ? (int)c : -1;
	}
	return -1;
}

static bool
sdp_codec_is_audio(uint32_t codec)
{
	return sbc_codec_is_kind(codec, SBC_CODEC_KIND_AUDIO);
}

static bool
sdp_media_is_t38(const struct sbc_sdp_desc *d, const struct sbc_sdp_media *m)
{
	return m->type == SBC_SDP_MEDIA_IMAGE && m->proto == SBC_SDP_PROTO_UDPTL &&
	       strcasecmp(sbc_sdp_text(d, m->fmt_text), "t38") == 0;
}

/*
 * sbc_sdp_media_has_codec() gets no description, so T.38 is recognised by
 * its media line alone: image over udptl carries nothing but T.38 in
 * practice, and the builders check the format against "t38" themselves.
 */
bool
sbc_sdp_media_has_codec(const struct sbc_sdp_media *m, uint32_t codec)
{
	unsigned int i;

	if (m == NULL)
		return false;
	if (codec == SBC_CODEC_T38)
		return m->type == SBC_SDP_MEDIA_IMAGE && m->proto == SBC_SDP_PROTO_UDPTL;
	for (i = 0; i < m->n_fmt && i < SBC_SDP_FMT_MAX; i++)
		if (sbc_sdp_fmt_codec(&m->fmt[i]) == (int)codec)
			return true;
	return false;
}

/* A known codec: in the trunk's list, or any with any_codec; CN only when allowed. */
static bool
sdp_policy_allows(const struct sbc_sdp_policy *pol, uint32_t codec)
{
	uint32_t i;

	if (codec == SBC_CODEC_CN && !pol->cn_allowed)
		return false;
	if (pol->any_codec)
		return sbc_codec_info(codec) != NULL;
	for (i = 0; i < pol->n_codecs; i++)
		if (pol->codecs[i] == codec)
			return true;
	return false;
}

/*
 * May this payload type be sent?  Known codecs as sdp_policy_allows();
 * codecs we do not know only with any_codec, and only with a name: a
 * dynamic type without a=rtpmap (or an unassigned static one) cannot be
 * described to the other side nor matched between the legs.
 */
static bool
sdp_policy_passes_fmt(const struct sbc_sdp_policy *pol, const struct sbc_sdp_fmt *f)
{
	int c = sbc_sdp_fmt_codec(f);

	if (c >= 0)
		return sdp_policy_allows(pol, (uint32_t)c);
	return pol->any_codec && f->name[0] != '\0';
}

/* A format that carries the call: named, and neither telephone-event nor CN. */
static bool
sdp_fmt_is_media(const struct sbc_sdp_fmt *f)
{
	int c = sbc_sdp_fmt_codec(f);

	return f->name[0] != '\0' && c != SBC_CODEC_TELEPHONE_EVENT && c != SBC_CODEC_CN;
}

enum sdp_kind {
	SDP_KIND_NONE,
	SDP_KIND_AUDIO,
	SDP_KIND_T38,
};

static enum sdp_kind
sdp_media_kind(const struct sbc_sdp_desc *d, const struct sbc_sdp_media *m)
{
	if (m->rejected)
		return SDP_KIND_NONE;
	if (m->type == SBC_SDP_MEDIA_AUDIO &&
	    (m->proto == SBC_SDP_PROTO_RTP_AVP || m->proto == SBC_SDP_PROTO_RTP_SAVP))
		return SDP_KIND_AUDIO;
	if (sdp_media_is_t38(d, m))
		return SDP_KIND_T38;
	return SDP_KIND_NONE;
}

bool
sbc_sdp_media_wanted(const struct sbc_sdp_media *m, const struct sbc_sdp_policy *pol)
{
	uint32_t i;

	if (m == NULL || pol == NULL || (pol->n_codecs != 0 && pol->codecs == NULL) ||
	    m->rejected)
		return false;
	if (m->type == SBC_SDP_MEDIA_AUDIO &&
	    (m->proto == SBC_SDP_PROTO_RTP_AVP || m->proto == SBC_SDP_PROTO_RTP_SAVP)) {
		if (pol->any_codec) {
			for (i = 0; i < m->n_fmt && i < SBC_SDP_FMT_MAX; i++)
				if (sdp_fmt_is_media(&m->fmt[i]) &&
				    sdp_policy_passes_fmt(pol, &m->fmt[i]))
					return true;
			return false;
		}
		for (i = 0; i < pol->n_codecs; i++)
			if (sdp_codec_is_audio(pol->codecs[i]) &&
			    sbc_sdp_media_has_codec(m, pol->codecs[i]))
				return true;
		return false;
	}
	return sbc_sdp_media_has_codec(m, SBC_CODEC_T38) && sdp_policy_allows(pol, SBC_CODEC_T38);
}

/* Same codec: encoding name (case-insensitive), clock rate and channels. */
static bool
sdp_fmt_same(const struct sbc_sdp_fmt *a, const struct sbc_sdp_fmt *b)
{
	return a->name[0] != '\0' && strcasecmp(a->name, b->name) == 0 &&
	       a->clock == b->clock && a->channels == b->channels;
}

/* The format of @m for @f's codec, preferring the same payload type. */
static const struct sbc_sdp_fmt *
sdp_find_fmt(const struct sbc_sdp_media *m, const struct sbc_sdp_fmt *f)
{
	const struct sbc_sdp_fmt *first = NULL;
	unsigned int i;

	for (i = 0; i < m->n_fmt; i++) {
		if (!sdp_fmt_same(&m->fmt[i], f))
			continue;
		if (m->fmt[i].pt == f->pt)
			return &m->fmt[i];
		if (first == NULL)
			first = &m->fmt[i];
	}
	return first;
}

static bool
sdp_has_pt(const struct sbc_sdp_media *m, uint8_t pt)
{
	unsigned int i;

	for (i = 0; i < m->n_fmt; i++)
		if (m->fmt[i].pt == pt)
			return true;
	return false;
}

/* ---- building what we send ----------------------------------------------- */

int
sbc_sdp_origin_init(struct sbc_sdp_origin *o, uint64_t sess_id, const struct sbc_ip *addr)
{
	if (o == NULL || addr == NULL || (addr->family != 4 && addr->family != 6))
		return -EINVAL;
	memset(o, 0, sizeof(*o));
	o->sess_id = sess_id;
	o->addr = *addr;
	return 0;
}

unsigned int
sbc_sdp_leg_flags(unsigned int theirs_dir, unsigned int ours_dir)
{
	unsigned int flags = 0;

	if ((theirs_dir & SBC_SDP_DIR_SEND) && (ours_dir & SBC_SDP_DIR_RECV))
		flags |= SBC_API_LEG_RECV;
	if ((theirs_dir & SBC_SDP_DIR_RECV) && (ours_dir & SBC_SDP_DIR_SEND))
		flags |= SBC_API_LEG_SEND;
	return flags;
}

static bool
sdp_local_valid(const struct sbc_sdp_media_out *mo)
{
	return mo != NULL && mo->local.port != 0 &&
	       (mo->local.family == SBC_API_AF_INET || mo->local.family == SBC_API_AF_INET6);
}

/* A line we do not anchor: port 0, the peer's type, proto and first format. */
static int
sdp_out_reject(struct sbc_sdp_desc *od, struct sbc_sdp_media *om,
	       const struct sbc_sdp_desc *in, const struct sbc_sdp_media *im)
{
	memset(om, 0, sizeof(*om));
	om->type = im->type;
	om->proto = im->proto;
	om->rejected = true;
	om->dir = om->dir_eff = SBC_SDP_INACTIVE;
	if (sdp_text_copy(od, &om->type_name, in, im->type_name) != 0 ||
	    sdp_text_copy(od, &om->proto_name, in, im->proto_name) != 0)
		return -E2BIG;
	if (im->n_fmt > 0) {
		om->n_fmt = 1;
		om->fmt[0].pt = im->fmt[0].pt;
		return 0;
	}
	return sdp_text_copy(od, &om->fmt_text, in, im->fmt_text);
}

static int
sdp_out_add_fmt(struct sbc_sdp_desc *od, struct sbc_sdp_media *om,
		const struct sbc_sdp_fmt *codec, uint8_t pt,
		const struct sbc_sdp_desc *fmtp_desc, uint16_t fmtp)
{
	struct sbc_sdp_fmt *f;

	if (om->n_fmt >= SBC_SDP_FMT_MAX || sdp_has_pt(om, pt))
		return 0;
	f = &om->fmt[om->n_fmt];
	*f = *codec;
	f->pt = pt;
	f->rtpmap = 1;
	if (sdp_text_copy(od, &f->fmtp, fmtp_desc, fmtp) != 0)
		return -E2BIG;
	om->n_fmt++;
	return 0;
}

/*
 * Does the line we build carry a call?  With a codec list only known audio
 * codecs get this far; with any_codec also codecs we do not know.
 */
static bool
sdp_out_has_audio_codec(const struct sbc_sdp_media *om)
{
	unsigned int i;

	for (i = 0; i < om->n_fmt; i++)
		if (sdp_fmt_is_media(&om->fmt[i]))
			return true;
	return false;
}

/*
 * telephone-event and CN are sent at the clock of the audio codec they go
 * with (RFC 4733 section 2.1, RFC 3389): a rate no kept audio codec has
 * (telephone-event/48000 next to PCMU) is only noise for the other side,
 * so it is dropped.
 */
static void
sdp_out_drop_unpaired(struct sbc_sdp_media *om)
{
	uint32_t clocks[SBC_SDP_FMT_MAX];
	unsigned int i, j, n_clocks = 0, n = 0;

	for (i = 0; i < om->n_fmt; i++)
		if (sdp_fmt_is_media(&om->fmt[i]))
			clocks[n_clocks++] = om->fmt[i].clock;
	for (i = 0; i < om->n_fmt; i++) {
		bool keep = sdp_fmt_is_media(&om->fmt[i]);

		for (j = 0; !keep && j < n_clocks; j++)
			keep = clocks[j] == om->fmt[i].clock;
		if (keep)
			om->fmt[n++] = om->fmt[i];
	}
	om->n_fmt = (uint8_t)n;
}

static bool
sdp_crypto_value_ok(const char *s)
{
	size_t i, n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n == 0 || n > SBC_SDP_CRYPTO_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* Relayed a=crypto values (unless stripped), then the caller's; SAVP only. */
static enum sbc_sdp_err
sdp_out_crypto(struct sbc_sdp_desc *od, struct sbc_sdp_media *om,
	       const struct sbc_sdp_desc *in, const struct sbc_sdp_media *im,
	       const struct sbc_sdp_policy *pol, const struct sbc_sdp_media_out *mo)
{
	uint32_t i;

	/* RTP/AVP: only ours (an answer to best-effort SRTP, RFC 8643), never relayed. */
	if (om->proto != SBC_SDP_PROTO_RTP_SAVP && mo->n_crypto == 0)
		return SBC_SDP_E_OK;
	if (!pol->strip_crypto && om->proto == SBC_SDP_PROTO_RTP_SAVP) {
		for (i = 0; i < im->n_crypto && i < SBC_SDP_CRYPTO_MAX; i++) {
			if (sdp_text_copy(od, &om->crypto[om->n_crypto], in, im->crypto[i]) != 0)
				return SBC_SDP_E_TOO_COMPLEX;
			om->n_crypto++;
		}
	}
	if (mo->n_crypto != 0 && mo->crypto == NULL)
		return SBC_SDP_E_ARGUMENT;
	for (i = 0; i < mo->n_crypto; i++) {
		if (!sdp_crypto_value_ok(mo->crypto[i]) || om->n_crypto >= SBC_SDP_CRYPTO_MAX)
			return SBC_SDP_E_ARGUMENT;
		if (sdp_text_str(od, mo->crypto[i], &om->crypto[om->n_crypto]) != 0)
			return SBC_SDP_E_TOO_COMPLEX;
		om->n_crypto++;
	}
	return SBC_SDP_E_OK;
}

/* Address, ports and rtcp of an anchored line, from the endpoint. */
static void
sdp_out_endpoint(struct sbc_sdp_media *om, const struct sbc_sdp_media_out *mo,
		 enum sdp_kind kind)
{
	memset(&om->addr, 0, sizeof(om->addr));
	om->addr.family = mo->local.family == SBC_API_AF_INET6 ? 6 : 4;
	memcpy(om->addr.bytes, mo->local.ip, om->addr.family == 6 ? 16 : 4);
	om->port = mo->local.port;
	if (kind != SDP_KIND_AUDIO)
		return;     /* UDPTL has no RTCP */
	if (mo->local_rtcp_port != 0 && mo->local_rtcp_port != (uint32_t)mo->local.port + 1)
		om->rtcp_port = mo->local_rtcp_port;
}

static int
sdp_out_t38_attrs(struct sbc_sdp_desc *od, struct sbc_sdp_media *om,
		  const struct sbc_sdp_desc *src, const struct sbc_sdp_media *sm)
{
	unsigned int i;

	if (sdp_text_str(od, "t38", &om->fmt_text) != 0)
		return -E2BIG;
	for (i = 0; i < sm->n_attr && i < SBC_SDP_ATTR_MAX; i++) {
		if (sdp_text_copy(od, &om->attr[om->n_attr], src, sm->attr[i]) != 0)
			return -E2BIG;
		om->n_attr++;
	}
	return 0;
}

static int
sdp_out_names(struct sbc_sdp_desc *od, struct sbc_sdp_media *om, enum sdp_kind kind)
{
	static const char *const protos[] = {
		[SBC_SDP_PROTO_RTP_AVP] = "RTP/AVP",
		[SBC_SDP_PROTO_RTP_SAVP] = "RTP/SAVP",
		[SBC_SDP_PROTO_UDPTL] = "udptl",
	};

	om->type = kind == SDP_KIND_AUDIO ? SBC_SDP_MEDIA_AUDIO : SBC_SDP_MEDIA_IMAGE;
	if (sdp_text_str(od, kind == SDP_KIND_AUDIO ? "audio" : "image", &om->type_name) != 0 ||
	    sdp_text_str(od, protos[om->proto], &om->proto_name) != 0)
		return -E2BIG;
	return 0;
}

/* ---- printing: our description -> Sofia's structs -> text -------------- */

static sdp_connection_t *
sdp_sofia_conn(su_home_t *home, const struct sbc_ip *ip)
{
	sdp_connection_t *c = su_zalloc(home, sizeof(*c));
	char buf[INET6_ADDRSTRLEN];

	if (c == NULL)
		return NULL;
	if (inet_ntop(ip->family == 6 ? AF_INET6 : AF_INET, ip->bytes, buf, sizeof(buf)) == NULL)
		return NULL;
	c->c_size = sizeof(*c);
	c->c_nettype = sdp_net_in;
	c->c_addrtype = ip->family == 6 ? sdp_addr_ip6 : sdp_addr_ip4;
	c->c_address = su_strdup(home, buf);
	c->c_groups = 1;
	return c->c_address != NULL ? c : NULL;
}

static int
sdp_sofia_attr(su_home_t *home, sdp_attribute_t ***tail, const char *name,
	       const char *value)
{
	sdp_attribute_t *a = su_zalloc(home, sizeof(*a));

	if (a == NULL)
		return -ENOMEM;
	a->a_size = sizeof(*a);
	a->a_name = name;
	a->a_value = value;
	**tail = a;
	*tail = &a->a_next;
	return 0;
}

static int
sdp_sofia_attr_num(su_home_t *home, sdp_attribute_t ***tail, const char *name,
		   unsigned int value)
{
	char *v = su_sprintf(home, "%u", value);

	return v != NULL ? sdp_sofia_attr(home, tail, name, v) : -ENOMEM;
}

static int
sdp_sofia_format(su_home_t *home, sdp_media_t *sm, const char *text)
{
	sdp_list_t *l = su_zalloc(home, sizeof(*l));

	if (l == NULL || text == NULL)
		return -ENOMEM;
	l->l_size = sizeof(*l);
	l->l_text = text;
	sm->m_format = l;
	return 0;
}

/* A rejected m= line: the peer's words echoed verbatim, unknown enums print the name. */
static int
sdp_sofia_rejected_media(su_home_t *home, sdp_media_t *sm, const struct sbc_sdp_desc *od,
			 const struct sbc_sdp_media *om)
{
	sm->m_rejected = 1;
	sm->m_type = sdp_media_x;
	sm->m_type_name = sbc_sdp_text(od, om->type_name);
	sm->m_proto = sdp_proto_x;
	sm->m_proto_name = sbc_sdp_text(od, om->proto_name);
	if (om->n_fmt > 0)
		return sdp_sofia_format(home, sm, su_sprintf(home, "%u", om->fmt[0].pt));
	return sdp_sofia_format(home, sm, sbc_sdp_text(od, om->fmt_text));
}

/* Media type and proto of an anchored line: audio over RTP/(S)AVP, or T.38 over udptl. */
static int
sdp_sofia_media_kind(su_home_t *home, sdp_media_t *sm, const struct sbc_sdp_media *om)
{
	if (om->type == SBC_SDP_MEDIA_AUDIO) {
		sm->m_type = sdp_media_audio;
		sm->m_type_name = "audio";
		sm->m_proto = om->proto == SBC_SDP_PROTO_RTP_SAVP ? sdp_proto_srtp : sdp_proto_rtp;
		sm->m_proto_name = om->proto == SBC_SDP_PROTO_RTP_SAVP ? "RTP/SAVP" : "RTP/AVP";
		return 0;
	}
	sm->m_type = sdp_media_image;
	sm->m_type_name = "image";
	sm->m_proto = sdp_proto_udptl;
	sm->m_proto_name = "udptl";
	return sdp_sofia_format(home, sm, "t38") != 0 ? -ENOMEM : 0;
}

/* One rtpmap per format of @om, in its order. */
static int
sdp_sofia_rtpmaps(su_home_t *home, sdp_media_t *sm, const struct sbc_sdp_desc *od,
		  const struct sbc_sdp_media *om)
{
	sdp_rtpmap_t **rtail = &sm->m_rtpmaps;
	unsigned int i;

	for (i = 0; i < om->n_fmt; i++) {
		const struct sbc_sdp_fmt *f = &om->fmt[i];
		sdp_rtpmap_t *rm = su_zalloc(home, sizeof(*rm));

		if (rm == NULL)
			return -ENOMEM;
		rm->rm_size = sizeof(*rm);
		rm->rm_pt = f->pt;
		rm->rm_encoding = f->name;
		rm->rm_rate = f->clock;
		if (f->channels > 1)
			rm->rm_params = su_sprintf(home, "%u", f->channels);
		if (f->fmtp != 0)
			rm->rm_fmtp = sbc_sdp_text(od, f->fmtp);
		*rtail = rm;
		rtail = &rm->rm_next;
	}
	return 0;
}

/* The a= lines of @om: ptime, maxptime, rtcp, rtcp-mux, crypto, then those relayed. */
static int
sdp_sofia_media_attrs(su_home_t *home, sdp_media_t *sm, const struct sbc_sdp_desc *od,
		      const struct sbc_sdp_media *om)
{
	sdp_attribute_t **atail = &sm->m_attributes;
	unsigned int i;

	if (om->ptime && sdp_sofia_attr_num(home, &atail, "ptime", om->ptime) != 0)
		return -ENOMEM;
	if (om->maxptime && sdp_sofia_attr_num(home, &atail, "maxptime", om->maxptime) != 0)
		return -ENOMEM;
	if (om->rtcp_port && sdp_sofia_attr_num(home, &atail, "rtcp", om->rtcp_port) != 0)
		return -ENOMEM;
	if (om->rtcp_mux && sdp_sofia_attr(home, &atail, "rtcp-mux", NULL) != 0)
		return -ENOMEM;
	for (i = 0; i < om->n_crypto; i++)
		if (sdp_sofia_attr(home, &atail, "crypto", sbc_sdp_text(od, om->crypto[i])) != 0)
			return -ENOMEM;
	for (i = 0; i < om->n_attr; i++) {
		char *name = su_strdup(home, sbc_sdp_text(od, om->attr[i]));
		char *colon = name != NULL ? strchr(name, ':') : NULL;

		if (name == NULL)
			return -ENOMEM;
		if (colon != NULL)
			*colon = '\0';
		if (sdp_sofia_attr(home, &atail, name, colon != NULL ? colon + 1 : NULL) != 0)
			return -ENOMEM;
	}
	return 0;
}

static int
sdp_sofia_media(su_home_t *home, sdp_session_t *s, const struct sbc_sdp_desc *od,
		const struct sbc_sdp_media *om, const struct sbc_ip *session_addr,
		sdp_media_t **out)
{
	sdp_media_t *sm = su_zalloc(home, sizeof(*sm));

	if (sm == NULL)
		return -ENOMEM;
	*out = sm;
	sm->m_size = sizeof(*sm);
	sm->m_session = s;
	sm->m_port = om->port;
	sm->m_mode = om->dir & SBC_SDP_SENDRECV;
	if (om->rejected)
		return sdp_sofia_rejected_media(home, sm, od, om);
	if (sdp_sofia_media_kind(home, sm, om) != 0)
		return -ENOMEM;
	if (!sbc_ip_equal(&om->addr, session_addr)) {
		sm->m_connections = sdp_sofia_conn(home, &om->addr);
		if (sm->m_connections == NULL)
			return -ENOMEM;
	}
	if (sdp_sofia_rtpmaps(home, sm, od, om) != 0)
		return -ENOMEM;
	return sdp_sofia_media_attrs(home, sm, od, om);
}

static sdp_session_t *
sdp_sofia_session(su_home_t *home, const struct sbc_sdp_desc *od,
		  const struct sbc_sdp_origin *o)
{
	sdp_session_t *s = su_zalloc(home, sizeof(*s));
	const struct sbc_ip *session_addr = &o->addr;
	sdp_media_t **mtail;
	unsigned int i;

	if (s == NULL)
		return NULL;
	s->sdp_size = sizeof(*s);
	s->sdp_subject = "-";
	s->sdp_time = su_zalloc(home, sizeof(*s->sdp_time));
	if (s->sdp_time == NULL)
		return NULL;
	s->sdp_time->t_size = sizeof(*s->sdp_time);
	/* Session c= = the first anchored endpoint; others get their own c=. */
	for (i = 0; i < od->n_media; i++) {
		if (!od->media[i].rejected) {
			session_addr = &od->media[i].addr;
			break;
		}
	}
	s->sdp_connection = sdp_sofia_conn(home, session_addr);
	if (s->sdp_connection == NULL)
		return NULL;
	mtail = &s->sdp_media;
	for (i = 0; i < od->n_media; i++) {
		if (sdp_sofia_media(home, s, od, &od->media[i], session_addr, mtail) != 0)
			return NULL;
		mtail = &(*mtail)->m_next;
	}
	return s;
}

/*
 * Print @od toward the leg whose o= state is @o.  The body is printed once
 * without o= to decide the version (a change of anything but o= is a
 * change), then for real into @buf.  @o is only updated once everything
 * succeeded, so a failed build leaves the leg's version alone.
 */
static int
sdp_print_desc(const struct sbc_sdp_desc *od, struct sbc_sdp_origin *o,
	       char *buf, size_t size, struct sbc_sdp_desc *sent,
	       struct sbc_sdp_error *err)
{
	const int flags = sdp_f_all_rtpmaps | sdp_f_mode_always;
	su_home_t home[1] = { SU_HOME_INIT(home) };
	sdp_session_t *s;
	sdp_origin_t *origin;
	sdp_printer_t *pr;
	uint64_t digest, version;
	enum sbc_sdp_err code = SBC_SDP_E_OK;
	size_t len = 0;
	int rc;

	s = sdp_sofia_session(home, od, o);
	origin = su_zalloc(home, sizeof(*origin));
	if (s == NULL || origin == NULL) {
		code = SBC_SDP_E_NOMEM;
		goto out;
	}
	pr = sdp_print(home, s, NULL, 0, flags);
	if (sdp_message(pr) == NULL) {
		sdp_printer_free(pr);
		code = SBC_SDP_E_NOMEM;
		goto out;
	}
	digest = sdp_digest(sdp_message(pr), sdp_message_size(pr));
	sdp_printer_free(pr);
	if (o->version == 0)
		version = 1;
	else
		version = digest != o->last_digest ? o->version + 1 : o->version;

	origin->o_size = sizeof(*origin);
	origin->o_username = SBC_SDP_USERNAME;
	origin->o_id = o->sess_id;
	origin->o_version = version;
	origin->o_address = sdp_sofia_conn(home, &o->addr);
	if (origin->o_address == NULL) {
		code = SBC_SDP_E_NOMEM;
		goto out;
	}
	s->sdp_origin = origin;
	pr = sdp_print(home, s, buf, size, flags);
	if (sdp_message(pr) == NULL) {
		sdp_printer_free(pr);
		code = SBC_SDP_E_BUFFER;
		goto out;
	}
	len = sdp_message_size(pr);
	sdp_printer_free(pr);
	/* Never send what we would refuse to parse ourselves. */
	if (len > SBC_SDP_BODY_MAX) {
		code = SBC_SDP_E_TOO_LARGE;
		goto out;
	}
	if (sent != NULL) {
		rc = sbc_sdp_parse(sent, buf, len, err);
		if (rc != 0) {
			su_home_deinit(home);
			return rc;
		}
	}
	o->version = version;
	o->last_digest = digest;
out:
	su_home_deinit(home);
	if (code != SBC_SDP_E_OK)
		return sdp_fail(err, code, 0);
	sdp_fail(err, SBC_SDP_E_OK, 0);
	return (int)len;
}

static bool
sdp_build_args_ok(const struct sbc_sdp_policy *pol, const struct sbc_sdp_media_out *out,
		  uint32_t n_out, const struct sbc_sdp_origin *o, const char *buf,
		  size_t size)
{
	return pol != NULL && (pol->n_codecs == 0 || pol->codecs != NULL) &&
	       (n_out == 0 || out != NULL) && o != NULL &&
	       (o->addr.family == 4 || o->addr.family == 6) && buf != NULL && size > 0 &&
	       size <= INT32_MAX;
}

static enum sbc_sdp_err
sdp_offer_media(struct sbc_sdp_desc *od, struct sbc_sdp_media *om,
		const struct sbc_sdp_desc *in, const struct sbc_sdp_media *im,
		const struct sbc_sdp_policy *pol, const struct sbc_sdp_media_out *mo)
{
	enum sdp_kind kind = sdp_media_kind(in, im);
	uint32_t c;
	unsigned int i;

	if (!sdp_local_valid(mo) || kind == SDP_KIND_NONE || !sbc_sdp_media_wanted(im, pol))
		return sdp_out_reject(od, om, in, im) != 0 ? SBC_SDP_E_TOO_COMPLEX : SBC_SDP_E_OK;
	memset(om, 0, sizeof(*om));
	if (kind == SDP_KIND_AUDIO) {
		om->proto = mo->proto == SBC_SDP_PROTO_RTP_SAVP ? SBC_SDP_PROTO_RTP_SAVP :
								   SBC_SDP_PROTO_RTP_AVP;
		if (pol->any_codec) {
			/* No filter: the peer's formats in its order, known or not. */
			for (i = 0; i < im->n_fmt; i++)
				if (sdp_policy_passes_fmt(pol, &im->fmt[i]) &&
				    sdp_out_add_fmt(od, om, &im->fmt[i], im->fmt[i].pt, in,
						    im->fmt[i].fmtp) != 0)
					return SBC_SDP_E_TOO_COMPLEX;
		}
		/* Trunk preference order; the peer's numbers are kept. */
		for (c = 0; !pol->any_codec && c < pol->n_codecs; c++) {
			if (pol->codecs[c] == SBC_CODEC_T38 || !sdp_policy_allows(pol, pol->codecs[c]))
				continue;
			for (i = 0; i < im->n_fmt; i++)
				if (sbc_sdp_fmt_codec(&im->fmt[i]) == (int)pol->codecs[c] &&
				    sdp_out_add_fmt(od, om, &im->fmt[i], im->fmt[i].pt, in,
						    im->fmt[i].fmtp) != 0)
					return SBC_SDP_E_TOO_COMPLEX;
		}
		sdp_out_drop_unpaired(om);
		if (!sdp_out_has_audio_codec(om))
			return sdp_out_reject(od, om, in, im) != 0 ? SBC_SDP_E_TOO_COMPLEX :
								      SBC_SDP_E_OK;
		om->rtcp_mux = mo->rtcp_mux;
		om->ptime = im->ptime;
		om->maxptime = im->maxptime;
	} else {
		om->proto = SBC_SDP_PROTO_UDPTL;
		if (sdp_out_t38_attrs(od, om, in, im) != 0)
			return SBC_SDP_E_TOO_COMPLEX;
	}
	if (sdp_out_names(od, om, kind) != 0)
		return SBC_SDP_E_TOO_COMPLEX;
	sdp_out_endpoint(om, mo, kind);
	om->dir = om->dir_eff = im->dir_eff;
	return sdp_out_crypto(od, om, in, im, pol, mo);
}

int
sbc_sdp_build_offer(const struct sbc_sdp_desc *in, const struct sbc_sdp_policy *pol,
		    const struct sbc_sdp_media_out *out, uint32_t n_out,
		    struct sbc_sdp_origin *o, char *buf, size_t size,
		    struct sbc_sdp_desc *sent, struct sbc_sdp_error *err)
{
	struct sbc_sdp_desc od;
	enum sbc_sdp_err code = SBC_SDP_E_OK;
	unsigned int i;
	int rc;

	if (in == NULL || in->n_media == 0 || in->n_media > SBC_SDP_MEDIA_MAX ||
	    !sdp_build_args_ok(pol, out, n_out, o, buf, size))
		return sdp_fail(err, SBC_SDP_E_ARGUMENT, 0);
	sdp_desc_init(&od);
	od.n_media = in->n_media;
	for (i = 0; i < in->n_media && code == SBC_SDP_E_OK; i++)
		code = sdp_offer_media(&od, &od.media[i], in, &in->media[i], pol,
				       i < n_out ? &out[i] : NULL);
	if (code != SBC_SDP_E_OK)
		rc = sdp_fail(err, code, 0);
	else
		rc = sdp_print_desc(&od, o, buf, size, sent, err);
	sbc_sdp_desc_wipe(&od);   /* it may hold a=crypto keys */
	return rc;
}

/*
 * The direction we answer with: we send to the offerer what the answerer
 * sends (and only if the offerer receives), we receive from the offerer
 * what the answerer receives (and only if the offerer sends).  This also
 * turns an answerer's illegal sendrecv to a sendonly offer into recvonly.
 */
static uint8_t
sdp_answer_dir(uint8_t offer_dir, uint8_t answer_dir)
{
	uint8_t dir = 0;

	if ((answer_dir & SBC_SDP_DIR_SEND) && (offer_dir & SBC_SDP_DIR_RECV))
		dir |= SBC_SDP_DIR_SEND;
	if ((answer_dir & SBC_SDP_DIR_RECV) && (offer_dir & SBC_SDP_DIR_SEND))
		dir |= SBC_SDP_DIR_RECV;
	return dir;
}

static enum sbc_sdp_err
sdp_answer_media(struct sbc_sdp_desc *od, struct sbc_sdp_media *om,
		 const struct sbc_sdp_desc *offer_in, const struct sbc_sdp_media *oi,
		 const struct sbc_sdp_desc *offer_out, const struct sbc_sdp_media *oo,
		 const struct sbc_sdp_desc *answer_in, const struct sbc_sdp_media *ai,
		 const struct sbc_sdp_policy *pol, const struct sbc_sdp_media_out *mo)
{
	enum sdp_kind kind = sdp_media_kind(offer_in, oi);
	unsigned int i;

	if (!sdp_local_valid(mo) || kind == SDP_KIND_NONE ||
	    sdp_media_kind(offer_out, oo) != kind || sdp_media_kind(answer_in, ai) != kind ||
	    (kind == SDP_KIND_T38 && !sdp_policy_allows(pol, SBC_CODEC_T38)))
		goto reject;
	memset(om, 0, sizeof(*om));
	om->proto = oi->proto;
	if (kind == SDP_KIND_AUDIO) {
		for (i = 0; i < ai->n_fmt; i++) {
			const struct sbc_sdp_fmt *f = &ai->fmt[i], *g_out, *g_in;

			if (!sdp_policy_passes_fmt(pol, f))
				continue;
			/* Answered codecs must be ones we offered... */
			g_out = sdp_find_fmt(oo, f);
			if (g_out == NULL)
				continue;
			/* ...and are numbered as the offerer numbered them. */
			g_in = sdp_find_fmt(oi, g_out);
			if (g_in == NULL)
				continue;
			if (sdp_out_add_fmt(od, om, g_in, g_in->pt, answer_in, f->fmtp) != 0)
				return SBC_SDP_E_TOO_COMPLEX;
		}
		sdp_out_drop_unpaired(om);
		if (!sdp_out_has_audio_codec(om))
			goto reject;
		om->rtcp_mux = mo->rtcp_mux && oi->rtcp_mux;
		om->ptime = ai->ptime;
		om->maxptime = ai->maxptime;
	} else if (sdp_out_t38_attrs(od, om, answer_in, ai) != 0) {
		return SBC_SDP_E_TOO_COMPLEX;
	}
	if (sdp_out_names(od, om, kind) != 0)
		return SBC_SDP_E_TOO_COMPLEX;
	sdp_out_endpoint(om, mo, kind);
	om->dir = om->dir_eff = sdp_answer_dir(oi->dir_eff, ai->dir_eff);
	return sdp_out_crypto(od, om, answer_in, ai, pol, mo);

reject:
	return sdp_out_reject(od, om, offer_in, oi) != 0 ? SBC_SDP_E_TOO_COMPLEX : SBC_SDP_E_OK;
}

int
sbc_sdp_build_answer(const struct sbc_sdp_desc *offer_in,
		     const struct sbc_sdp_desc *offer_out,
		     const struct sbc_sdp_desc *answer_in,
		     const struct sbc_sdp_policy *pol,
		     const struct sbc_sdp_media_out *out, uint32_t n_out,
		     struct sbc_sdp_origin *o, char *buf, size_t size,
		     struct sbc_sdp_desc *sent, struct sbc_sdp_error *err)
{
	struct sbc_sdp_desc od;
	enum sbc_sdp_err code = SBC_SDP_E_OK;
	unsigned int i;
	int rc;

	if (offer_in == NULL || offer_out == NULL || answer_in == NULL ||
	    offer_in->n_media == 0 || offer_in->n_media > SBC_SDP_MEDIA_MAX ||
	    !sdp_build_args_ok(pol, out, n_out, o, buf, size))
		return sdp_fail(err, SBC_SDP_E_ARGUMENT, 0);
	if (offer_out->n_media != offer_in->n_media || answer_in->n_media != offer_in->n_media)
		return sdp_fail(err, SBC_SDP_E_MISMATCH, 0);
	sdp_desc_init(&od);
	od.n_media = offer_in->n_media;
	for (i = 0; i < od.n_media && code == SBC_SDP_E_OK; i++)
		code = sdp_answer_media(&od, &od.media[i], offer_in, &offer_in->media[i],
					offer_out, &offer_out->media[i],
					answer_in, &answer_in->media[i], pol,
					i < n_out ? &out[i] : NULL);
	if (code != SBC_SDP_E_OK)
		rc = sdp_fail(err, code, 0);
	else
		rc = sdp_print_desc(&od, o, buf, size, sent, err);
	sbc_sdp_desc_wipe(&od);
	return rc;
}

int
sbc_sdp_build_template(const struct sbc_sdp_policy *pol,
		       const struct sbc_sdp_media_out *out,
		       struct sbc_sdp_origin *o, char *buf, size_t size,
		       struct sbc_sdp_desc *sent, struct sbc_sdp_error *err)
{
	/* Without a filter: our usual audio codecs (CN still per cn_allowed). */
	static const uint32_t usual[] = {
		SBC_CODEC_PCMU, SBC_CODEC_PCMA, SBC_CODEC_G722, SBC_CODEC_G729,
		SBC_CODEC_TELEPHONE_EVENT, SBC_CODEC_CN,
	};
	struct sbc_sdp_desc in;
	struct sbc_sdp_media *m;
	const uint32_t *codecs;
	uint32_t c, n_codecs;
	int rc;

	if (out == NULL || !sdp_build_args_ok(pol, out, 1, o, buf, size))
		return sdp_fail(err, SBC_SDP_E_ARGUMENT, 0);
	codecs = pol->any_codec ? usual : pol->codecs;
	n_codecs = pol->any_codec ? (uint32_t)(sizeof(usual) / sizeof(usual[0])) : pol->n_codecs;
	/* A description as if a peer had offered exactly the trunk's codecs. */
	sdp_desc_init(&in);
	in.n_media = 1;
	in.addr = o->addr;
	m = &in.media[0];
	m->type = SBC_SDP_MEDIA_AUDIO;
	m->proto = SBC_SDP_PROTO_RTP_AVP;
	m->port = 9;
	m->addr = o->addr;
	m->dir = m->dir_eff = SBC_SDP_SENDRECV;
	m->ptime = 20;
	if (sdp_text_str(&in, "audio", &m->type_name) != 0 ||
	    sdp_text_str(&in, "RTP/AVP", &m->proto_name) != 0)
		return sdp_fail(err, SBC_SDP_E_TOO_COMPLEX, 0);
	for (c = 0; c < n_codecs; c++) {
		const struct sbc_codec_info *ci = sbc_codec_info(codecs[c]);
		struct sbc_sdp_fmt *f;
		int pt;

		if (ci == NULL || ci->kind == SBC_CODEC_KIND_IMAGE ||
		    !sdp_policy_allows(pol, codecs[c]))
			continue;
		pt = ci->kind == SBC_CODEC_KIND_EVENT ? SBC_SDP_TE_PT : ci->static_pt;
		if (pt < 0 || sdp_has_pt(m, (uint8_t)pt))
			continue;
		f = &m->fmt[m->n_fmt++];
		f->pt = (uint8_t)pt;
		f->channels = ci->channels;
		f->rtpmap = 1;
		f->clock = ci->clock;
		snprintf(f->name, sizeof(f->name), "%s", ci->name);
		if (ci->kind == SBC_CODEC_KIND_EVENT && sdp_text_str(&in, "0-15", &f->fmtp) != 0)
			return sdp_fail(err, SBC_SDP_E_TOO_COMPLEX, 0);
	}
	if (!sdp_out_has_audio_codec(m))
		return sdp_fail(err, SBC_SDP_E_NO_CODEC, 0);
	rc = sbc_sdp_build_offer(&in, pol, out, 1, o, buf, size, sent, err);
	return rc;
}

/* ---- data plane settings ---------------------------------------------- */

static void
sdp_plan_clear(struct sbc_api_leg *leg)
{
	memset(&leg->remote, 0, sizeof(leg->remote));
	leg->remote_rtcp_port = 0;
	leg->flags = 0;
	leg->n_pt_map = 0;
	memset(leg->pt_map, 0, sizeof(leg->pt_map));
}

static void
sdp_plan_remote(struct sbc_api_leg *leg, const struct sbc_sdp_media *theirs,
		const struct sbc_sdp_media *ours, enum sdp_kind kind)
{
	bool mux = kind == SDP_KIND_AUDIO && theirs->rtcp_mux && ours->rtcp_mux;

	leg->flags = (uint8_t)(sbc_sdp_leg_flags(theirs->dir_eff, ours->dir_eff) |
			       (mux ? SBC_API_LEG_RTCP_MUX : 0));
	if (theirs->hold_addr)
		return;    /* no address to send to: "unknown" for the data plane */
	leg->remote.family = theirs->addr.family == 6 ? SBC_API_AF_INET6 : SBC_API_AF_INET;
	leg->remote.port = theirs->port;
	memcpy(leg->remote.ip, theirs->addr.bytes, theirs->addr.family == 6 ? 16 : 4);
	if (kind != SDP_KIND_AUDIO || mux)
		leg->remote_rtcp_port = 0;
	else if (theirs->rtcp_port != 0)
		leg->remote_rtcp_port = theirs->rtcp_port;
	else
		leg->remote_rtcp_port = theirs->port < 65535 ? (uint16_t)(theirs->port + 1) : 0;
}

static int
sdp_plan_map_add(struct sbc_api_leg *leg, uint8_t from, uint8_t to)
{
	unsigned int i;

	for (i = 0; i < leg->n_pt_map; i++)
		if (leg->pt_map[i].from == from)
			return -EEXIST;
	if (leg->n_pt_map >= SBC_API_PT_MAP_MAX)
		return -ENOSPC;
	leg->pt_map[leg->n_pt_map].from = from;
	leg->pt_map[leg->n_pt_map].to = to;
	leg->n_pt_map++;
	return 0;
}

/* @f's codec in @m under @f's own payload type; NULL when @m numbers it otherwise. */
static const struct sbc_sdp_fmt *
sdp_find_fmt_exact(const struct sbc_sdp_media *m, const struct sbc_sdp_fmt *f)
{
	const struct sbc_sdp_fmt *g = sdp_find_fmt(m, f);

	return g != NULL && g->pt == f->pt ? g : NULL;
}

/*
 * Entries for X's format @f: Y should send what we asked it for (our SDP to
 * Y, @yo); a peer that sends with its own numbers (@yt) gets a second
 * entry.  A clash keeps the first entry.
 */
static int
sdp_plan_map_fmt(struct sbc_api_leg *leg, const struct sbc_sdp_fmt *f,
		 const struct sbc_sdp_media *yt, const struct sbc_sdp_media *yo)
{
	const struct sbc_sdp_fmt *y_ours = sdp_find_fmt(yo, f), *y_theirs = sdp_find_fmt(yt, f);

	if (y_ours == NULL || y_theirs == NULL)
		return 0;
	if (sdp_plan_map_add(leg, y_ours->pt, f->pt) == -ENOSPC)
		return -ENOSPC;
	if (y_theirs->pt != y_ours->pt && sdp_plan_map_add(leg, y_theirs->pt, f->pt) == -ENOSPC)
		return -ENOSPC;
	return 0;
}

/*
 * Map applied to packets sent toward leg X (@xt/@xo) that came from leg Y
 * (@yt/@yo).  A format counts when it is negotiated on both legs (in the
 * leg's SDP and in ours to it), whether we know the codec or not.  Formats
 * are matched by encoding name, clock and channels, the same payload type
 * first: one codec listed twice (AMR octet-aligned as 97, bandwidth-
 * efficient as 98) keeps its two numbers apart.  So the formats X numbered
 * as we did come first; a codec X renumbered (telephone-event offered as
 * 101, answered as 96) is then mapped once, by its first format.
 */
static int
sdp_plan_map(struct sbc_api_leg *leg, const struct sbc_sdp_media *xt,
	     const struct sbc_sdp_media *xo, const struct sbc_sdp_media *yt,
	     const struct sbc_sdp_media *yo)
{
	unsigned int i, j;

	/* Pass 1: the formats X numbered as we did. */
	for (i = 0; i < xt->n_fmt; i++)
		if (sdp_find_fmt_exact(xo, &xt->fmt[i]) != NULL &&
		    sdp_plan_map_fmt(leg, &xt->fmt[i], yt, yo) != 0)
			return -ENOSPC;
	/* Pass 2: codecs X renumbered, once each, by their first format. */
	for (i = 0; i < xt->n_fmt; i++) {
		const struct sbc_sdp_fmt *f = &xt->fmt[i];
		bool done = sdp_find_fmt_exact(xo, f) != NULL;

		for (j = 0; j < xt->n_fmt && !done; j++)
			done = j != i && sdp_fmt_same(&xt->fmt[j], f) &&
			       (j < i || sdp_find_fmt_exact(xo, &xt->fmt[j]) != NULL);
		if (!done && sdp_find_fmt(xo, f) != NULL && sdp_plan_map_fmt(leg, f, yt, yo) != 0)
			return -ENOSPC;
	}
	return 0;
}

int
sbc_sdp_plan_media(const struct sbc_sdp_desc *a_theirs,
		   const struct sbc_sdp_desc *a_ours,
		   const struct sbc_sdp_desc *b_theirs,
		   const struct sbc_sdp_desc *b_ours, uint32_t idx,
		   struct sbc_api_leg *leg_a, struct sbc_api_leg *leg_b)
{
	const struct sbc_sdp_media *at, *ao, *bt, *bo;
	enum sdp_kind kind;
	int rc;

	if (a_theirs == NULL || a_ours == NULL || b_theirs == NULL || b_ours == NULL ||
	    leg_a == NULL || leg_b == NULL)
		return -EINVAL;
	if (idx >= a_theirs->n_media || idx >= a_ours->n_media ||
	    idx >= b_theirs->n_media || idx >= b_ours->n_media || idx >= SBC_SDP_MEDIA_MAX)
		return -EINVAL;
	sdp_plan_clear(leg_a);
	sdp_plan_clear(leg_b);
	at = &a_theirs->media[idx];
	ao = &a_ours->media[idx];
	bt = &b_theirs->media[idx];
	bo = &b_ours->media[idx];
	kind = sdp_media_kind(a_theirs, at);
	if (kind == SDP_KIND_NONE || sdp_media_kind(a_ours, ao) != kind ||
	    sdp_media_kind(b_theirs, bt) != kind || sdp_media_kind(b_ours, bo) != kind)
		return 0;
	sdp_plan_remote(leg_a, at, ao, kind);
	sdp_plan_remote(leg_b, bt, bo, kind);
	if (kind != SDP_KIND_AUDIO)
		return 1;
	rc = sdp_plan_map(leg_a, at, ao, bt, bo);
	if (rc == 0)
		rc = sdp_plan_map(leg_b, bt, bo, at, ao);
	if (rc != 0 || (leg_a->n_pt_map == 0 && leg_b->n_pt_map == 0)) {
		/* An error, or no codec in common at all: nothing may flow. */
		sdp_plan_clear(leg_a);
		sdp_plan_clear(leg_b);
		return rc;
	}
	/* An empty map means "no filter" to the data plane: never send then. */
	if (leg_a->n_pt_map == 0)
		leg_a->flags &= (uint8_t)~SBC_API_LEG_SEND;
	if (leg_b->n_pt_map == 0)
		leg_b->flags &= (uint8_t)~SBC_API_LEG_SEND;
	return 1;
}
