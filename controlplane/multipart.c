/* SPDX-License-Identifier: BSD-3-Clause
 * The SDP part of a multipart/mixed body.  See multipart.h.
 */
#include "multipart.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* @n bytes at @p start with @w, ASCII case-insensitively. */
static bool prefix_ci(const char *p, size_t n, const char *w)
{
	size_t l = strlen(w);

	return n >= l && strncasecmp(p, w, l) == 0;
}

/* Whether the part headers [@h, @end) say Content-Type: application/sdp. */
static bool part_is_sdp(const char *h, const char *end)
{
	while (h < end) {
		const char *eol = memmem(h, (size_t)(end - h), "\r\n", 2);
		const char *v;

		if (eol == NULL)
			eol = end;
		if (prefix_ci(h, (size_t)(eol - h), "content-type:")) {
			for (v = h + 13; v < eol && (*v == ' ' || *v == '\t'); v++)
				;
			return prefix_ci(v, (size_t)(eol - v), "application/sdp");
		}
		if (end - eol < 2)
			break;
		h = eol + 2;
	}
	return false;
}

int sbc_multipart_find_sdp(const char *body, size_t len, const char *boundary, size_t blen,
			   size_t *off, size_t *end_off)
{
	char delim[SBC_MULTIPART_BOUNDARY_MAX + 5];
	const char *p, *end;
	size_t dlen, i;

	if (body == NULL || boundary == NULL || off == NULL || end_off == NULL)
		return -EINVAL;
	if (blen == 0 || blen > SBC_MULTIPART_BOUNDARY_MAX)
		return -EINVAL;
	for (i = 0; i < blen; i++)
		if (boundary[i] <= 0x20 || boundary[i] > 0x7e || boundary[i] == '"')
			return -EINVAL;
	/* "\r\n--" + boundary: a delimiter anywhere but at the very start */
	dlen = (size_t)snprintf(delim, sizeof(delim), "\r\n--%.*s", (int)blen, boundary);
	end = body + len;
	/* p: the "--boundary" of the first delimiter */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
		p = body;
	} else {
		p = memmem(body, len, delim, dlen);
		if (p == NULL)
			return -EBADMSG;
		p += 2;
	}
	for (;;) {
		const char *part, *hdr_end, *next, *q;

		q = p + dlen - 2;
		if (end - q >= 2 && q[0] == '-' && q[1] == '-')
			return -EBADMSG;            /* closed without an SDP part */
		q = memchr(q, '\n', (size_t)(end - q));
		if (q == NULL)
			return -EBADMSG;
		part = q + 1;
		hdr_end = memmem(part, (size_t)(end - part), "\r\n\r\n", 4);
		/* The next delimiter ends this part (the CRLF before it is its own). */
		next = memmem(part, (size_t)(end - part), delim, dlen);
		if (hdr_end == NULL || next == NULL || next < hdr_end)
			return -EBADMSG;
		if (part_is_sdp(part, hdr_end + 2)) {
			*off = (size_t)(hdr_end + 4 - body);
			*end_off = (size_t)(next - body);
			if (*end_off < *off)
				return -EBADMSG;    /* headers run into the delimiter */
			return 0;
		}
		p = next + 2;
	}
}
