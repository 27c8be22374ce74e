/* SPDX-License-Identifier: BSD-3-Clause
 * The datagram pre-filter: a bounded look at a SIP datagram before
 * Sofia-SIP parses it, so that a request from a source no trunk knows
 * costs a scan of its header lines, never a full parse, a transaction, a
 * 100 Trying or retransmitted replies (docs/security.md, "Unknown
 * sources").
 *
 * sbc_prefilter_scan() classifies a datagram: a response, a request inside
 * a dialog (To carries a tag), a new request (its method), or one to drop
 * before any parse: too many header lines, a Request-Line that is not
 * "METHOD SP URI SP SIP/2.0" exactly (trailing spaces, RFC 4475), or no
 * Call-ID/CSeq/Via/From/To.  sbc_prefilter_reply() writes a stateless
 * response to a scanned request: its Via headers, From, To with our tag,
 * Call-ID and CSeq copied, nothing else.
 *
 * Plain C, no Sofia-SIP (tests/unit/test_prefilter.c); the B2BUA's glue
 * is in admission.c, the hook on Sofia's UDP receive in udp_interpose.c.
 */
#ifndef SBC_PREFILTER_H
#define SBC_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SBC_PF_VIA_MAX     32     /* Via header lines copied into a reply */

enum sbc_pf_kind {
	SBC_PF_OTHER = 0,          /* not SIP text (STUN, SigComp, keepalive CRLF): Sofia's */
	SBC_PF_RESPONSE,           /* a status line: Sofia matches it to a transaction */
	SBC_PF_IN_DIALOG,          /* a request whose To has a tag */
	SBC_PF_NEW,                /* a request outside a dialog: the source decides */
	SBC_PF_TOO_MANY_HEADERS,   /* more header lines than allowed */
	SBC_PF_MALFORMED,          /* Request-Line or a mandatory header wrong or missing */
	SBC_PF_BAD_VERSION,        /* a well-formed Request-Line naming another SIP version: 505 */
};

struct sbc_pf_span {
	uint32_t off, len;
};

struct sbc_pf_msg {
	enum sbc_pf_kind kind;
	char method[16];           /* requests: the method, NUL-terminated ("" if longer) */
	uint32_t n_headers;
	uint32_t n_via;
	struct sbc_pf_span via[SBC_PF_VIA_MAX];   /* whole header lines, name included */
	struct sbc_pf_span from, to, call_id, cseq;
};

/**
 * Scan @len bytes of @buf (need not be NUL-terminated), at most
 * @max_headers header lines (folded lines count once each).  Fills *@m;
 * returns m->kind.  Only for requests are the spans and method set (also
 * when MALFORMED for its Request-Line, so that a trunk can be told 400).
 */
enum sbc_pf_kind sbc_prefilter_scan(const char *buf, size_t len, uint32_t max_headers,
				    struct sbc_pf_msg *m);

/**
 * A stateless response @status @phrase to the request @m scanned from
 * @buf, with To tag @tag (if the request's To had none) and
 * Content-Length: 0, into @out.  Returns its length, or 0 when it does not
 * fit @size (or @m is not a request with Via, From, To, Call-ID and CSeq).
 */
size_t sbc_prefilter_reply(const struct sbc_pf_msg *m, const char *buf, int status,
			   const char *phrase, const char *tag, char *out, size_t size);

/**
 * @method (NUL-terminated) is one Sofia-SIP's parser knows (RFC 3261 and
 * its extensions: INVITE ... PUBLISH); any other is answered 501 before
 * Sofia sees it (its method parser refuses some token characters).
 */
bool sbc_prefilter_method_known(const char *method);

/** The status line at the start of @buf is "SIP/2.0 NNN ..." with NNN 100..699. */
bool sbc_prefilter_status_ok(const char *buf, size_t len);

#endif /* SBC_PREFILTER_H */
