/* SPDX-License-Identifier: BSD-3-Clause
 * Recognising emergency calls by their Request-URI (UK profile section
 * 13: the PBX sends the national emergency number as a dial string URI,
 * section 10.2.1, e.g. sip:999;phone-context=+44@sp.example;user=phone).
 * Emergency calls bypass session limits (cac.h) and are never made
 * anonymous (identity.h).
 *
 * Matching: the user part is parsed as a telephone number
 * (sbc_identity_parse_user(): %XX escapes decoded, visual separators
 * "-" "." "(" ")" ignored as RFC 3966 says) and the whole number must be
 * equal to one of emergency.numbers.  The phone-context, whatever its
 * value, and other user-part parameters are ignored: a PBX may name its
 * own plan ("phone-context=pbx.example"), and missing an emergency call
 * costs more than exempting a wrong one from limits.  A global number
 * ("+44999") matches only when configured as such: the country code is
 * not guessed.  The host part plays no role.
 *
 * Table (emergency.numbers = 999, 112, 911):
 *   matches                            does not match
 *   999                                9990, 0999, 99, 1999
 *   999;phone-context=+44              +44999, +999 (unless configured)
 *   112;phone-context=pbx.example      +4412345, 999#, *999, 999a
 *   9-9-9, (999), %39%39%39            " 999" (spaces are not separators)
 *   sip:999@sp.example;user=phone      sip:sp.example (no user part)
 *   sip:999;phone-context=+44@sp...    sip:alice@999 (host only)
 *   tel:112                            tel:+44112
 *   urn:service:sos, urn:service:sos.police   urn:service:sos2,
 *                                      urn:service:counseling
 * The RFC 5031 "urn:service:sos" family is recognised in
 * sbc_emergency_match_uri() whatever the configured numbers.
 *
 * Thread: pure functions over a loaded (immutable) config; any thread.
 */
#ifndef SBC_EMERGENCY_H
#define SBC_EMERGENCY_H

#include "sbc_config.h"

/* What sbc_emergency_match_uri() returns for an urn:service:sos URI. */
#define SBC_EMERGENCY_SOS_URN "urn:service:sos"

/**
 * The configured number (a pointer into @em) that the Request-URI user
 * part @user ("999;phone-context=+44") matches, or NULL (no match,
 * malformed or NULL arguments).
 */
const char *sbc_emergency_match_user(const struct sbc_cfg_emergency *em, const char *user);

/**
 * The same for a whole Request-URI: sip:, sips: (the user part), tel:
 * (the number and its parameters) or urn:service:sos[.<service>]
 * (case-insensitive; returns SBC_EMERGENCY_SOS_URN).  NULL when it is
 * none of these or does not match.
 */
const char *sbc_emergency_match_uri(const struct sbc_cfg_emergency *em, const char *uri);

#endif /* SBC_EMERGENCY_H */
