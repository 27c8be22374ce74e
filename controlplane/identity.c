/* SPDX-License-Identifier: BSD-3-Clause
 * Identities under the UK profile (identity.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sbc_hex.h"
#include "identity.h"

/* Longest URI or header value looked at; longer ones are refused. */
#define ID_URI_MAX 2048

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool all_digits(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++)
		if (!is_digit(s[n]))
			return false;
	return n >= min && n <= max;
}

/* Decode the %XX escape at s[*i] (s[*i] == '%'), advancing *i past it. */
static int decode_escape(const char *s, size_t n, size_t *i)
{
	int hi, lo;

	if (*i + 2 >= n)
		return -EINVAL;
	hi = sbc_hex_digit(s[*i + 1]);
	lo = sbc_hex_digit(s[*i + 2]);
	if (hi < 0 || lo < 0)
		return -EINVAL;
	*i += 2;
	return hi * 16 + lo;
}

static bool is_visual_separator(int c)
{
	return c == '-' || c == '.' || c == '(' || c == ')';
}

/* The number before the first ';': escapes decoded, separators dropped. */
static int decode_number(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, j = 0;
	int c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			c = decode_escape(s, n, &i);
			if (c < 0)
				return c;
		}
		if (is_visual_separator(c))
			continue;
		if (c == '+') {
			if (j != 0)
				return -EINVAL;
		} else if (!is_digit((char)c) && c != '*' && c != '#') {
			return -EINVAL;
		}
		if (j + 1 >= outlen)
			return -E2BIG;
		out[j++] = (char)c;
	}
	out[j] = '\0';
	if (j == 0 || (j == 1 && out[0] == '+'))
		return -EINVAL;
	return 0;
}

/* A phone-context value: a global number prefix or a domain name. */
static int decode_context(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, j = 0;
	bool global = false;
	int c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			c = decode_escape(s, n, &i);
			if (c < 0)
				return c;
		}
		if (j == 0 && c == '+') {
			global = true;
		} else if (global) {
			if (is_visual_separator(c))
				continue;
			if (!is_digit((char)c))
				return -EINVAL;
		} else if (!(is_digit((char)c) || (c >= 'a' && c <= 'z') ||
			     (c >= 'A' && c <= 'Z') || c == '-' || c == '.')) {
			return -EINVAL;
		}
		if (j + 1 >= outlen)
			return -E2BIG;
		out[j++] = (char)c;
	}
	out[j] = '\0';
	if (j == 0 || (global && j == 1))
		return -EINVAL;
	return 0;
}

int sbc_identity_parse_user(const char *user, struct sbc_id_number *out)
{
	static const char pc[] = "phone-context";
	const char *p, *end, *eq, *semi;
	size_t n;
	int rc;

	if (user == NULL || out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	n = strnlen(user, SBC_ID_USER_MAX + 1);
	if (n > SBC_ID_USER_MAX)
		return -E2BIG;
	semi = memchr(user, ';', n);
	rc = decode_number(user, semi != NULL ? (size_t)(semi - user) : n, out->number,
			   sizeof(out->number));
	if (rc != 0)
		return rc;
	end = user + n;
	for (p = semi; p != NULL && p < end; p = semi) {
		p++;
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL)
			semi = end;
		eq = memchr(p, '=', (size_t)(semi - p));
		if (eq != NULL && (size_t)(eq - p) == sizeof(pc) - 1 &&
		    strncasecmp(p, pc, sizeof(pc) - 1) == 0) {
			if (out->has_context)
				return -EINVAL;
			rc = decode_context(eq + 1, (size_t)(semi - eq - 1), out->context,
					    sizeof(out->context));
			if (rc != 0)
				return rc;
			out->has_context = true;
		}
		if (semi == end)
			break;
	}
	return 0;
}

/*
 * Split a SIP/SIPS/tel URI or name-addr: the user part (len 0 when none)
 * and, for sip/sips, the host (without port or parameters).
 */
struct id_uri {
	bool tel;
	const char *user;
	size_t user_len;
	const char *host;
	size_t host_len;
};

static int split_uri(const char *uri, struct id_uri *u)
{
	const char *s, *e, *p, *at;
	size_t n;
	bool quoted = false;

	memset(u, 0, sizeof(*u));
	if (uri == NULL)
		return -EINVAL;
	n = strnlen(uri, ID_URI_MAX + 1);
	if (n > ID_URI_MAX)
		return -E2BIG;
	s = uri;
	e = uri + n;
	/* A '<' outside a quoted display name starts the addr-spec. */
	for (p = uri; p < e; p++) {
		if (quoted && *p == '\\') {
			if (++p >= e)
				return -EINVAL;
		} else if (*p == '"') {
			quoted = !quoted;
		} else if (!quoted && *p == '<') {
			s = p + 1;
			e = memchr(s, '>', (size_t)(uri + n - s));
			if (e == NULL)
				return -EINVAL;
			break;
		}
	}
	if (quoted)
		return -EINVAL;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - s);
	if (n > 4 && strncasecmp(s, "tel:", 4) == 0) {
		u->tel = true;
		u->user = s + 4;
		u->user_len = n - 4;
		return 0;
	}
	if (n > 4 && strncasecmp(s, "sip:", 4) == 0)
		s += 4;
	else if (n > 5 && strncasecmp(s, "sips:", 5) == 0)
		s += 5;
	else
		return -EINVAL;
	at = memchr(s, '@', (size_t)(e - s));
	if (at != NULL) {
		const char *colon = memchr(s, ':', (size_t)(at - s));

		u->user = s;
		u->user_len = (size_t)((colon != NULL ? colon : at) - s);
		s = at + 1;
	}
	u->host = s;
	if (s < e && *s == '[') {
		p = memchr(s, ']', (size_t)(e - s));
		if (p == NULL)
			return -EINVAL;
		u->host_len = (size_t)(p - s) + 1;
	} else {
		for (p = s; p < e && *p != ':' && *p != ';' && *p != '?'; p++)
			;
		u->host_len = (size_t)(p - s);
	}
	if (u->host_len == 0)
		return -EINVAL;
	return 0;
}

int sbc_identity_uri_user(const char *uri, char *out, size_t len)
{
	struct id_uri u;
	int rc = split_uri(uri, &u);

	if (rc != 0)
		return rc;
	if (u.user_len == 0)
		return u.tel ? -EINVAL : -ENOENT;
	if (u.user_len >= len)
		return -E2BIG;
	memcpy(out, u.user, u.user_len);
	out[u.user_len] = '\0';
	return 0;
}

/* "+" and 7..15 digits, no leading 0, and no "+440" (a UK trunk 0). */
static bool is_e164(const char *s)
{
	if (s[0] != '+' || !all_digits(s + 1, 7, 15) || s[1] == '0')
		return false;
	return !(s[1] == '4' && s[2] == '4' && s[3] == '0');
}

/* A UK area code without the trunk 0: 2..5 digits, not starting with 0. */
static bool is_area_code(const char *s)
{
	return all_digits(s, 2, 5) && s[0] != '0';
}

static int put(char *out, size_t len, const char *a, const char *b, const char *c)
{
	int n = snprintf(out, len, "%s%s%s", a, b, c);

	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

static int classified(int cls, char *out, size_t len, const char *a, const char *b,
		      const char *c)
{
	int rc = put(out, len, a, b, c);

	return rc != 0 ? rc : cls;
}

int sbc_identity_uk_classify(const char *user, const char *area_code, char *out,
			     size_t len)
{
	struct sbc_id_number n;
	const char *num, *area = area_code;
	char cand[SBC_ID_NUMBER_MAX + 1];
	size_t l;
	int rc;

	if (out == NULL || (area_code != NULL && !is_area_code(area_code)))
		return -EINVAL;
	rc = sbc_identity_parse_user(user, &n);
	if (rc != 0)
		return rc;
	num = n.number;
	if (num[0] == '+')
		return classified(is_e164(num) ? SBC_ID_E164 : SBC_ID_DIAL_STRING, out, len,
				  num, "", "");
	if (strpbrk(num, "*#") != NULL)
		return classified(SBC_ID_DIAL_STRING, out, len, num, "", "");
	if (n.has_context) {
		const char *ctx = n.context;

		/* "+44" or "+44<area>": the UK plan; anything else is not ours. */
		if (ctx[0] != '+' || strncmp(ctx + 1, "44", 2) != 0)
			return classified(SBC_ID_DIAL_STRING, out, len, num, "", "");
		if (ctx[3] != '\0') {
			if (!is_area_code(ctx + 3))
				return classified(SBC_ID_DIAL_STRING, out, len, num, "", "");
			area = ctx + 3;
		}
	}
	l = strlen(num);
	if (num[0] == '0' && num[1] == '0') {
		snprintf(cand, sizeof(cand), "+%s", num + 2);
		if (is_e164(cand))
			return classified(SBC_ID_E164, out, len, cand, "", "");
	} else if (num[0] == '0' && (l == 10 || l == 11)) {
		return classified(SBC_ID_E164, out, len, "+44", num + 1, "");
	} else if (area != NULL && num[0] >= '2' && num[0] <= '9' &&
		   strlen(area) + l >= 9 && strlen(area) + l <= 10) {
		return classified(SBC_ID_E164, out, len, "+44", area, num);
	}
	return classified(SBC_ID_UK_SPECIFIC, out, len, num, "", "");
}

static bool host_ok(const char *h)
{
	if (h == NULL || *h == '\0')
		return false;
	for (; *h; h++)
		if (strchr(" \t\r\n@<>\";,?", *h) != NULL)
			return false;
	return true;
}

int sbc_identity_build_uri(char *out, size_t len, enum sbc_id_class cls,
			   const char *number, const char *host)
{
	char esc[3 * SBC_ID_NUMBER_MAX];
	size_t i, j = 0;
	int n;

	if (out == NULL || number == NULL || !host_ok(host))
		return -EINVAL;
	switch (cls) {
	case SBC_ID_E164:
		if (!is_e164(number))
			return -EINVAL;
		n = snprintf(out, len, "sip:%s@%s;user=phone", number, host);
		break;
	case SBC_ID_UK_SPECIFIC:
		if (!all_digits(number, 1, SBC_ID_NUMBER_MAX - 1))
			return -EINVAL;
		n = snprintf(out, len, "sip:%s;phone-context=+44@%s;user=phone", number, host);
		break;
	case SBC_ID_DIAL_STRING:
		for (i = 0; number[i] != '\0'; i++) {
			char c = number[i];

			if (j + 4 > sizeof(esc) || !(is_digit(c) || c == '*' || c == '#' ||
						      (c == '+' && i == 0)))
				return -EINVAL;
			if (c == '#') {
				memcpy(esc + j, "%23", 3);
				j += 3;
			} else {
				esc[j++] = c;
			}
		}
		if (j == 0)
			return -EINVAL;
		esc[j] = '\0';
		n = snprintf(out, len, "sip:%s@%s", esc, host);
		break;
	default:
		return -EINVAL;
	}
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int sbc_identity_e164_of_uri(const char *uri, char *out, size_t len)
{
	char user[SBC_ID_USER_MAX + 1], num[SBC_ID_NUMBER_MAX + 4];
	int rc;

	rc = sbc_identity_uri_user(uri, user, sizeof(user));
	if (rc == -E2BIG)
		return -ENOENT;       /* longer than any telephone number */
	if (rc != 0)
		return rc;
	rc = sbc_identity_uk_classify(user, NULL, num, sizeof(num));
	if (rc == -EINVAL || rc == -E2BIG || rc == SBC_ID_UK_SPECIFIC ||
	    rc == SBC_ID_DIAL_STRING)
		return -ENOENT;
	if (rc < 0)
		return rc;
	return put(out, len, num, "", "");
}

/* ------------------------------------------------------------------ */
/* Network Numbers, PAI, From                                          */

bool sbc_identity_number_allowed(const struct sbc_cfg_tenant *t, const char *e164)
{
	if (t == NULL || e164 == NULL || !is_e164(e164))
		return false;
	for (uint32_t i = 0; i < t->n_network_numbers; i++) {
		const char *nn = t->network_numbers[i];
		size_t l = strlen(nn);

		if (l > 1 && nn[l - 1] == '*') {
			if (strncmp(e164, nn, l - 1) == 0)
				return true;
		} else if (strcmp(e164, nn) == 0) {
			return true;
		}
	}
	return false;
}

int sbc_identity_select_pai(const struct sbc_cfg_tenant *t, const char *pai_uri,
			    char *out, size_t len)
{
	char num[SBC_ID_NUMBER_MAX + 4];

	if (t == NULL || out == NULL)
		return -EINVAL;
	if (pai_uri != NULL && *pai_uri != '\0' &&
	    sbc_identity_e164_of_uri(pai_uri, num, sizeof(num)) == 0 &&
	    sbc_identity_number_allowed(t, num)) {
		int rc = put(out, len, num, "", "");

		return rc != 0 ? rc : SBC_ID_PAI_KEEP;
	}
	if (t->default_pai == NULL)
		return -ENOENT;
	return classified(SBC_ID_PAI_DEFAULT, out, len, t->default_pai, "", "");
}

static bool is_anonymous(const char *uri)
{
	static const char inv[] = "anonymous.invalid";
	struct id_uri u;

	if (split_uri(uri, &u) != 0)
		return false;
	if (u.user_len == 9 && strncasecmp(u.user, "anonymous", 9) == 0)
		return true;
	return !u.tel && u.host_len == sizeof(inv) - 1 &&
	       strncasecmp(u.host, inv, sizeof(inv) - 1) == 0;
}

int sbc_identity_screen_from(const struct sbc_cfg_trunk *trunk,
			     const struct sbc_cfg_tenant *t, const char *from_uri)
{
	char num[SBC_ID_NUMBER_MAX + 4];

	if (trunk == NULL || t == NULL || from_uri == NULL)
		return -EINVAL;
	if (trunk->from_special_arrangement)
		return SBC_ID_FROM_PASS;
	if (is_anonymous(from_uri))
		return SBC_ID_FROM_PASS;
	if (sbc_identity_e164_of_uri(from_uri, num, sizeof(num)) == 0 &&
	    sbc_identity_number_allowed(t, num))
		return SBC_ID_FROM_VERIFIED;
	return SBC_ID_FROM_REPLACE;
}

/* ------------------------------------------------------------------ */
/* Privacy                                                             */

#define SBC_PRIV_ROW(e, n) { n, e },
static const struct {
	const char *token;
	unsigned int flag;
} priv_tokens[] = {
	SBC_PRIVACY_VALUES(SBC_PRIV_ROW)
};
#undef SBC_PRIV_ROW

static unsigned int priv_token(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(priv_tokens) / sizeof(priv_tokens[0]); i++)
		if (strlen(priv_tokens[i].token) == n &&
		    strncasecmp(s, priv_tokens[i].token, n) == 0)
			return priv_tokens[i].flag;
	return SBC_PRIV_UNKNOWN;
}

unsigned int sbc_privacy_parse(const char *value)
{
	unsigned int mask = 0;
	const char *p = value, *b, *e;

	if (value == NULL)
		return 0;
	while (*p != '\0') {
		b = p;
		while (*p != '\0' && *p != ';' && *p != ',')
			p++;
		e = p;
		while (b < e && (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
				 e[-1] == '\n'))
			e--;
		if (e > b)
			mask |= priv_token(b, (size_t)(e - b));
		if (*p != '\0')
			p++;
	}
	return mask;
}

void sbc_privacy_decide(unsigned int privacy, bool next_trusted, enum sbc_side next_side,
			bool emergency, struct sbc_privacy_decision *d)
{
	const unsigned int withheld = SBC_PRIV_ID | SBC_PRIV_USER | SBC_PRIV_HEADER |
		SBC_PRIV_SESSION | SBC_PRIV_HISTORY;
	bool applies_itself = next_trusted && next_side == SBC_SIDE_CARRIER;
	bool id_or_user = (privacy & (SBC_PRIV_ID | SBC_PRIV_USER)) != 0;
	bool headers = id_or_user || (privacy & (SBC_PRIV_HEADER | SBC_PRIV_HISTORY)) != 0;

	memset(d, 0, sizeof(*d));
	d->requested = (privacy & withheld) != 0;
	if (emergency || !d->requested)
		return;
	d->strip_pai = (privacy & SBC_PRIV_ID) != 0 && !next_trusted;
	d->anonymise_from = id_or_user && !applies_itself;
	d->hide_identity_headers = headers && !applies_itself;
}

const char *const sbc_privacy_identity_headers[] = {
	"P-Preferred-Identity",
	"Remote-Party-ID",
	"History-Info",
	"Diversion",
	"Call-Info",
	"Organization",
	"Reply-To",
	"In-Reply-To",
	"Subject",
	"User-Agent",
	NULL,
};

bool sbc_privacy_header_reveals_identity(const char *name)
{
	if (name == NULL)
		return false;
	for (size_t i = 0; sbc_privacy_identity_headers[i] != NULL; i++)
		if (strcasecmp(name, sbc_privacy_identity_headers[i]) == 0)
			return true;
	return false;
}
