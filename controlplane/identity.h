/* SPDX-License-Identifier: BSD-3-Clause
 * Caller and called identities under the UK profile (SIPconnect 2.0 with
 * the NICC endorsement, sections 9-10): telephone numbers in URI user
 * parts, +44 conversion of UK dial strings, P-Asserted-Identity
 * validation against a tenant's Network Numbers, From screening, and the
 * privacy decision (RFC 3323, RFC 3325), with emergency calls exempt.
 *
 * Plain strings in, plain strings out: no Sofia-SIP types.  Every output
 * buffer is NUL-terminated on success; on error its content is undefined.
 *
 * Thread: pure functions over their arguments and a loaded (immutable)
 * config; any thread.
 */
#ifndef SBC_IDENTITY_H
#define SBC_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "sbc_config.h"

/* ------------------------------------------------------------------ */
/* Telephone numbers in URI user parts (RFC 3966 telephone-subscriber)  */

#define SBC_ID_USER_MAX 256      /* longest user part looked at */
#define SBC_ID_NUMBER_MAX 33     /* '+', 31 characters, NUL */
#define SBC_ID_CONTEXT_MAX 128

struct sbc_id_number {
	/*
	 * The number: an optional leading '+', then digits, '*' and '#';
	 * %XX escapes decoded, visual separators ("-", ".", "(", ")")
	 * removed (RFC 3966 section 5.1.1: they carry no meaning).
	 */
	char number[SBC_ID_NUMBER_MAX];
	/* phone-context value, escapes decoded and, for a global number
	 * context ("+44-1632"), separators removed ("+441632"); "" if none. */
	char context[SBC_ID_CONTEXT_MAX];
	bool has_context;
};

/**
 * Parse a user part such as "01632960123", "999;phone-context=+44" or
 * "+44-1632-960123" (for a tel: URI, what follows "tel:").  Parameters
 * other than phone-context are ignored.
 * Returns 0; -EINVAL when it is not a telephone number (a letter, an
 * empty number, a bad %XX escape, '+' anywhere but first, phone-context
 * twice); -E2BIG when longer than SBC_ID_USER_MAX or than the buffers.
 */
int sbc_identity_parse_user(const char *user, struct sbc_id_number *out);

/**
 * The user part of a SIP, SIPS or tel URI, given as an addr-spec
 * ("sip:+441632960123@sp.example;user=phone") or a name-addr
 * ("\"Alice\" <sip:...>"), into @out (@len bytes): for sip/sips what lies
 * between the scheme and '@' (up to a ':' password separator), for tel
 * everything after "tel:" up to '>' or the end.
 * Returns 0; -ENOENT when the URI has no user part ("sip:host");
 * -EINVAL when it is not a sip/sips/tel URI or is malformed (unbalanced
 * '<' or quotes); -E2BIG when the user part does not fit.
 */
int sbc_identity_uri_user(const char *uri, char *out, size_t len);

/* ------------------------------------------------------------------ */
/* +44 conversion of called numbers (section 10.2.1)                   */

/*
 * Classes of a called number, and the Request-URI each one is sent with
 * (sbc_identity_build_uri()):
 *   SBC_ID_E164         sip:+441632960123@host;user=phone
 *   SBC_ID_UK_SPECIFIC  sip:118118;phone-context=+44@host;user=phone
 *                       (UK addresses with no E.164 form: short codes
 *                       such as 999, 112, 118118, 100; prefixes such as
 *                       141 + number; any other all-digit dial string)
 *   SBC_ID_DIAL_STRING  sip:*21%23@host  (what cannot be given user=phone:
 *                       '*' or '#', a private-plan phone-context, a
 *                       foreign one, a malformed global number)
 *
 * Conversion table (no phone-context, or phone-context=+44):
 *   "+<7..15 digits>"           kept (E.164), except "+440..." (not a UK
 *                               number: DIAL_STRING)
 *   "00" + 7..15 digits         "+" + digits (international prefix)
 *   "0" + 9..10 digits          "+44" + digits (UK national, trunk 0
 *                               dropped: 01632960123 -> +441632960123)
 *   local number [2-9]...       "+44" + area code + digits, only when an
 *                               area code is known (argument, or a context
 *                               "+44<area>") and area + number is 9..10
 *                               digits; else UK_SPECIFIC
 *   other all-digit strings     UK_SPECIFIC, unchanged (999, 112, 118118,
 *                               1410163..., "0" or "00" strings of a length
 *                               no number has)
 * With phone-context=+<other country> or a domain name: DIAL_STRING,
 * unchanged (the number belongs to a plan we cannot interpret).
 * A global number (leading '+') ignores any phone-context.
 */
enum sbc_id_class {
	SBC_ID_E164 = 0,
	SBC_ID_UK_SPECIFIC = 1,
	SBC_ID_DIAL_STRING = 2,
};

/**
 * Classify a called number given as a user part (see
 * sbc_identity_parse_user()) and write its number into @out (@len bytes):
 * "+<digits>" for SBC_ID_E164, the digits for SBC_ID_UK_SPECIFIC, the
 * cleaned dial string for SBC_ID_DIAL_STRING.  @area_code: the caller's UK
 * area code without the trunk 0 ("1632", "20"), or NULL when unknown.
 * Returns the class (>= 0), -EINVAL (not a telephone number, or a bad
 * @area_code), -E2BIG or -ENOSPC (@out too small).
 */
int sbc_identity_uk_classify(const char *user, const char *area_code, char *out,
			     size_t len);

/**
 * Build the Request-URI for @number of class @cls on @host (a host name or
 * an address as written in a URI, IPv6 with brackets), as in the table
 * above; '#' is escaped as %23.  Returns the length, -EINVAL (bad class,
 * empty number or host) or -ENOSPC.
 */
int sbc_identity_build_uri(char *out, size_t len, enum sbc_id_class cls,
			   const char *number, const char *host);

/**
 * The E.164 number ("+441632960123") a SIP/tel URI or name-addr names,
 * UK national forms converted (no area code).  Returns 0; -ENOENT when the
 * URI names no E.164 number (no user part, a name such as "alice" or
 * "anonymous", a short code); -EINVAL when malformed; -ENOSPC.
 */
int sbc_identity_e164_of_uri(const char *uri, char *out, size_t len);

/* ------------------------------------------------------------------ */
/* P-Asserted-Identity and From from an enterprise (10.2.3, 10.2.4)    */

/*
 * tenants[].network_numbers entries are either an E.164 number
 * ("+441632960123": that number only) or a prefix range: E.164 digits
 * followed by '*' ("+441632960*": every number that starts with
 * +441632960, any length up to 15 digits).  Nothing else is a range.
 * Cost: O(number of entries) per call (linear scan, no allocation).
 */

/** true when @e164 ("+digits") is one of @t's Network Numbers. */
bool sbc_identity_number_allowed(const struct sbc_cfg_tenant *t, const char *e164);

enum sbc_id_pai {
	SBC_ID_PAI_KEEP = 0,          /* the received PAI names a Network Number */
	SBC_ID_PAI_DEFAULT = 1,       /* not valid (or none): the tenant's default_pai */
};

/**
 * The identity to assert toward the carrier for a call from tenant @t's
 * PBX: @pai_uri is the received P-Asserted-Identity (a URI or name-addr;
 * NULL or "" when none).  With two PAIs (SIP and tel), call it with the
 * SIP one first and, if it is not kept, with the tel one.
 * Writes the E.164 number into @out and returns SBC_ID_PAI_KEEP or
 * SBC_ID_PAI_DEFAULT; -ENOENT when the PAI is not valid and the tenant has
 * no default_pai (no identity can be asserted: the caller decides whether
 * to refuse the call); -ENOSPC.
 * Emergency calls use it the same way: a PAI is then never withheld (see
 * sbc_privacy_decide()).
 */
int sbc_identity_select_pai(const struct sbc_cfg_tenant *t, const char *pai_uri,
			    char *out, size_t len);

enum sbc_id_from {
	SBC_ID_FROM_PASS = 0,         /* not screened: special arrangement, or anonymous */
	SBC_ID_FROM_VERIFIED = 1,     /* names one of the tenant's Network Numbers */
	SBC_ID_FROM_REPLACE = 2,      /* fails screening: put the network-provided
				       * identity (the selected PAI) in From */
};

/**
 * From screening for a call from tenant @t's PBX on trunk @trunk.  With
 * trunk.from_special_arrangement the From is passed unscreened.  An
 * anonymous From (user "anonymous" or host "anonymous.invalid") passes:
 * there is no identity to verify.  Otherwise the From must name a Network
 * Number.  Returns the decision, or -EINVAL when an argument is NULL.
 */
int sbc_identity_screen_from(const struct sbc_cfg_trunk *trunk,
			     const struct sbc_cfg_tenant *t, const char *from_uri);

/* ------------------------------------------------------------------ */
/* Privacy (RFC 3323, RFC 3325, RFC 7044; profile 10.1.3-10.1.5, 10.2.5) */

/* The anonymous From a privacy service writes (10.1.3). */
#define SBC_ID_ANONYMOUS_FROM "\"Anonymous\" <sip:anonymous@anonymous.invalid>"

/* priv-values: flag, token. */
#define SBC_PRIVACY_VALUES(X) \
	X(SBC_PRIV_HEADER, "header") \
	X(SBC_PRIV_SESSION, "session") \
	X(SBC_PRIV_USER, "user") \
	X(SBC_PRIV_NONE, "none") \
	X(SBC_PRIV_CRITICAL, "critical") \
	X(SBC_PRIV_ID, "id") \
	X(SBC_PRIV_HISTORY, "history")

#define SBC_PRIV_BIT(e, n) e##_BIT,
enum { SBC_PRIVACY_VALUES(SBC_PRIV_BIT) SBC_PRIV__COUNT };
#undef SBC_PRIV_BIT
#define SBC_PRIV_FLAG(e, n) e = 1u << e##_BIT,
enum sbc_privacy_flag {
	SBC_PRIVACY_VALUES(SBC_PRIV_FLAG)
	SBC_PRIV_UNKNOWN = 1u << SBC_PRIV__COUNT,   /* a token not listed */
};
#undef SBC_PRIV_FLAG

/**
 * The priv-values of one Privacy header value ("id; user", "none"),
 * tokens separated by ';' (',' also accepted, for combined header lines),
 * case-insensitive, whitespace ignored.  Returns a mask of SBC_PRIV_*; OR
 * the masks of several Privacy headers.  NULL or "" gives 0.
 */
unsigned int sbc_privacy_parse(const char *value);

struct sbc_privacy_decision {
	bool requested;               /* a priv-value other than none/critical */
	bool strip_pai;               /* remove every P-Asserted-Identity */
	bool anonymise_from;          /* From := SBC_ID_ANONYMOUS_FROM */
	bool hide_identity_headers;   /* drop sbc_privacy_identity_headers[] */
};

/**
 * What to withhold from a request sent to the next hop.
 *  @privacy: mask from sbc_privacy_parse();
 *  @next_trusted: the next hop's trunk.trusted (in the PAI trust domain);
 *  @next_side: the next hop's trunk.side;
 *  @emergency: the call is an emergency call.
 * Rules, in order:
 *  1. emergency: nothing withheld, whatever was requested (section 13).
 *  2. nothing requested (no header, "none", "critical" alone): nothing.
 *     "none" with other values counts as those values (withholding is the
 *     safe reading of a malformed header).
 *  3. strip_pai = id and not trusted (RFC 3325 section 5).
 *  4. anonymise_from and hide_identity_headers = (id or user, and for the
 *     headers also header or history), unless the next hop is a trusted
 *     carrier, which then applies the privacy itself (Privacy is
 *     forwarded).  A PBX is an end point: it gets an anonymous From even
 *     when trusted (10.1.3, 10.1.4: PAI plus Privacy: id plus anonymous
 *     From).
 * "session" needs nothing more: media is always anchored; "critical" can
 * always be honoured, so no request is refused for it.
 */
void sbc_privacy_decide(unsigned int privacy, bool next_trusted, enum sbc_side next_side,
			bool emergency, struct sbc_privacy_decision *d);

/* Headers that may reveal the caller, removed when hide_identity_headers
 * (NULL-terminated; names as registered, compare case-insensitively). */
extern const char *const sbc_privacy_identity_headers[];

/** true when @name is one of sbc_privacy_identity_headers[] (any case). */
bool sbc_privacy_header_reveals_identity(const char *name);

#endif /* SBC_IDENTITY_H */
