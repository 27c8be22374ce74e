/* SPDX-License-Identifier: BSD-3-Clause
 * The SDP part of a multipart/mixed body (RFC 2046 section 5.1): how an
 * emergency call carries its location (SDP + PIDF-LO, RFC 6442).  The
 * B2BUA anchors the SDP part and passes every other byte as received.
 *
 * Parsing is over untrusted input: every scan is bounded by the body's
 * length, nothing is copied, and anything that does not split cleanly is
 * refused.
 *
 * Thread: pure functions; any thread.
 */
#ifndef SBC_MULTIPART_H
#define SBC_MULTIPART_H

#include <stddef.h>

#define SBC_MULTIPART_BOUNDARY_MAX 70   /* RFC 2046: 1..70 characters */

/**
 * Find the first body part whose Content-Type is application/sdp in the
 * @len bytes at @body, delimited by @boundary (@blen bytes, without the
 * leading "--" and without quotes).  Delimiters are "--boundary" at the
 * start of the body or after CRLF; a preamble before the first is allowed;
 * part headers end with an empty line.  On success *@off and *@end give
 * the SDP content [off, end), the CRLF before the next delimiter excluded
 * (it belongs to the delimiter).
 * Returns 0, -EINVAL (a bad boundary or NULL argument) or -EBADMSG (no
 * delimiter, a part without the empty line after its headers, a part not
 * closed by a delimiter, or no SDP part before the closing delimiter).
 */
int sbc_multipart_find_sdp(const char *body, size_t len, const char *boundary, size_t blen,
			   size_t *off, size_t *end);

#endif /* SBC_MULTIPART_H */
