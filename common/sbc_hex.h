/* SPDX-License-Identifier: BSD-3-Clause
 * One hexadecimal digit's value, for the parsers that decode hex text
 * (digest nonces and responses, %XX escapes in URI user parts).
 */
#ifndef SBC_HEX_H
#define SBC_HEX_H

/** 0..15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for anything else. */
static inline int sbc_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif /* SBC_HEX_H */
