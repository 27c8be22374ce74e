/* SPDX-License-Identifier: BSD-3-Clause
 * The call journal's records and file (journal.h).
 */
#include "journal.h"
#include "sbc_hex.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "RJ1"
#define FILE_MAX (256u << 20)   /* a journal larger than this is not read */

enum ftype { F_STR, F_U32, F_U64, F_BOOL };

struct field {
	const char *name;
	enum ftype type;
	size_t off, size;
};

#define CF(n, t, m) { n, t, offsetof(struct sbc_journal_call, m), \
		      sizeof(((struct sbc_journal_call *)0)->m) }
#define LF(n, t, m) { n, t, offsetof(struct sbc_journal_leg, m), \
		      sizeof(((struct sbc_journal_leg *)0)->m) }

static const struct field call_fields[] = {
	CF("no", F_U32, no),
	CF("start", F_U64, start_ms),
	CF("answer", F_U64, answer_ms),
	CF("tenant", F_STR, tenant),
	CF("emergency", F_BOOL, emergency),
	CF("media", F_U32, n_media),
};

static const struct field leg_fields[] = {
	LF("if", F_STR, iface),
	LF("trunk", F_STR, trunk),
	LF("cid", F_STR, call_id),
	LF("local", F_STR, local),
	LF("remote", F_STR, remote),
	LF("target", F_STR, target),
	LF("route", F_STR, route),
	LF("cseq", F_U32, cseq),
	LF("tls", F_BOOL, tls),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(N(call_fields) + 2 * N(leg_fields) <= 64, "a record's fields fit the seen mask");

/* ---- writing ---- */

struct out {
	char *p;
	size_t size, len;
	bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || n >= o->size - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_escaped(struct out *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch > ' ' && ch <= '~' && ch != '%') {
			put(o, s, 1);
		} else {
			char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };

			put(o, e, 3);
		}
	}
}

static void put_field(struct out *o, const char *prefix, const struct field *f, const void *base)
{
	const char *p = (const char *)base + f->off;
	char num[24];

	puts_(o, " ");
	puts_(o, prefix);
	puts_(o, f->name);
	puts_(o, "=");
	switch (f->type) {
	case F_STR:
		put_escaped(o, p);
		return;
	case F_U32:
		snprintf(num, sizeof(num), "%" PRIu32, *(const uint32_t *)(const void *)p);
		break;
	case F_U64:
		snprintf(num, sizeof(num), "%" PRIu64, *(const uint64_t *)(const void *)p);
		break;
	case F_BOOL:
		snprintf(num, sizeof(num), "%d", *(const bool *)(const void *)p ? 1 : 0);
		break;
	}
	puts_(o, num);
}

static bool key_ok(const char *k)
{
	size_t n = strnlen(k, SBC_JOURNAL_KEY_MAX);

	if (n == 0 || n >= SBC_JOURNAL_KEY_MAX)
		return false;
	for (; *k != '\0'; k++)
		if (*k <= ' ' || *k > '~' || *k == '%')
			return false;
	return true;
}

size_t sbc_journal_format_up(const struct sbc_journal_call *c, char *out, size_t size)
{
	struct out o = { out, size, 0, false };
	char name[16];
	uint32_t i;
	size_t k;
	int l;

	if (size == 0 || !key_ok(c->key) || c->n_media > SBC_JOURNAL_MEDIA_MAX)
		return 0;
	puts_(&o, MAGIC " up ");
	puts_(&o, c->key);
	for (k = 0; k < N(call_fields); k++)
		put_field(&o, "", &call_fields[k], c);
	for (l = 0; l < 2; l++)
		for (k = 0; k < N(leg_fields); k++)
			put_field(&o, l == 0 ? "a." : "b.", &leg_fields[k], &c->leg[l]);
	for (i = 0; i < c->n_media; i++) {
		snprintf(name, sizeof(name), " s%u=%" PRIu32, i, c->session[i]);
		puts_(&o, name);
	}
	puts_(&o, "\n");
	if (o.full || o.len > SBC_JOURNAL_LINE_MAX)
		return 0;
	out[o.len] = '\0';
	return o.len;
}

size_t sbc_journal_format_end(const char *key, char *out, size_t size)
{
	int n;

	if (!key_ok(key))
		return 0;
	n = snprintf(out, size, MAGIC " end %s\n", key);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* ---- parsing ---- */

static bool take_str(const char *v, size_t n, char *dst, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char ch = v[i];

		/* What the writer never leaves raw (a NUL would cut the value short). */
		if ((unsigned char)ch <= ' ' || (unsigned char)ch > '~')
			return false;
		if (ch == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return false;
			hi = sbc_hex_digit(v[i + 1]);
			lo = sbc_hex_digit(v[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return false;
			ch = (char)(hi << 4 | lo);
			i += 2;
		}
		if (o + 1 >= size)
			return false;
		dst[o++] = ch;
	}
	dst[o] = '\0';
	return true;
}

static bool take_u64(const char *v, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 20)
		return false;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		if (x > (UINT64_MAX - (uint64_t)(v[i] - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x > max)
		return false;
	*out = x;
	return true;
}

static bool take_field(const struct field *f, void *base, const char *v, size_t n)
{
	char *p = (char *)base + f->off;
	uint64_t x;

	switch (f->type) {
	case F_STR:
		return take_str(v, n, p, f->size);
	case F_U32:
		if (!take_u64(v, n, UINT32_MAX, &x))
			return false;
		*(uint32_t *)(void *)p = (uint32_t)x;
		return true;
	case F_U64:
		if (!take_u64(v, n, UINT64_MAX, &x))
			return false;
		*(uint64_t *)(void *)p = x;
		return true;
	case F_BOOL:
		if (!take_u64(v, n, 1, &x))
			return false;
		*(bool *)(void *)p = x != 0;
		return true;
	}
	return false;
}

static const struct field *find(const struct field *t, size_t nt, const char *name, size_t n)
{
	size_t k;

	for (k = 0; k < nt; k++)
		if (strlen(t[k].name) == n && memcmp(t[k].name, name, n) == 0)
			return &t[k];
	return NULL;
}

/* Field number @i not seen before in this record (a field twice: refused). */
static bool once(uint64_t *seen, size_t i)
{
	if ((*seen >> i) & 1u)
		return false;
	*seen |= (uint64_t)1 << i;
	return true;
}

/* One "name=value" token of an up record into *c. */
static bool take_token(struct sbc_journal_call *c, const char *t, size_t n, uint32_t *media_seen,
		       uint64_t *fields_seen)
{
	const char *eq = memchr(t, '=', n);
	const struct field *f;
	size_t kn, vn;
	uint64_t x;

	if (eq == NULL || eq == t)
		return false;
	kn = (size_t)(eq - t);
	vn = n - kn - 1;
	if (kn >= 2 && (t[0] == 'a' || t[0] == 'b') && t[1] == '.') {
		f = find(leg_fields, N(leg_fields), t + 2, kn - 2);
		return f != NULL &&
		       once(fields_seen, N(call_fields) + (t[0] == 'b') * N(leg_fields) +
			    (size_t)(f - leg_fields)) &&
		       take_field(f, &c->leg[t[0] == 'b'], eq + 1, vn);
	}
	if (kn == 2 && t[0] == 's' && t[1] >= '0' && t[1] < '0' + SBC_JOURNAL_MEDIA_MAX) {
		unsigned int i = (unsigned int)(t[1] - '0');

		if ((*media_seen & (1u << i)) != 0 || !take_u64(eq + 1, vn, UINT32_MAX, &x))
			return false;
		c->session[i] = (uint32_t)x;
		*media_seen |= 1u << i;
		return true;
	}
	f = find(call_fields, N(call_fields), t, kn);
	return f != NULL && once(fields_seen, (size_t)(f - call_fields)) &&
	       take_field(f, c, eq + 1, vn);
}

enum sbc_journal_kind sbc_journal_parse(const char *line, size_t len, struct sbc_journal_call *c)
{
	const char *p = line, *end = line + len, *tok;
	uint32_t media_seen = 0;
	uint64_t fields_seen = 0;
	bool up;
	int i;

	memset(c, 0, sizeof(*c));
	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (len > SBC_JOURNAL_LINE_MAX || (size_t)(end - p) < 4 || memcmp(p, MAGIC " ", 4) != 0)
		return SBC_JOURNAL_BAD;
	p += 4;
	if ((size_t)(end - p) >= 3 && memcmp(p, "up ", 3) == 0) {
		up = true;
		p += 3;
	} else if ((size_t)(end - p) >= 4 && memcmp(p, "end ", 4) == 0) {
		up = false;
		p += 4;
	} else {
		return SBC_JOURNAL_BAD;
	}
	/* The key, then (up) the fields, each token separated by one space. */
	for (tok = p; p < end && *p != ' '; p++)
		;
	if (p == tok || (size_t)(p - tok) >= SBC_JOURNAL_KEY_MAX)
		return SBC_JOURNAL_BAD;
	memcpy(c->key, tok, (size_t)(p - tok));
	c->key[p - tok] = '\0';
	if (strlen(c->key) != (size_t)(p - tok) || !key_ok(c->key))
		return SBC_JOURNAL_BAD;
	if (!up)
		return p == end ? SBC_JOURNAL_END : SBC_JOURNAL_BAD;
	while (p < end) {
		if (*p != ' ')
			return SBC_JOURNAL_BAD;
		p++;
		for (tok = p; p < end && *p != ' '; p++)
			;
		if (!take_token(c, tok, (size_t)(p - tok), &media_seen, &fields_seen))
			return SBC_JOURNAL_BAD;
	}
	/* What a call needs: both legs' dialogs, lines named in order. */
	if (c->n_media > SBC_JOURNAL_MEDIA_MAX || media_seen != (1u << c->n_media) - 1u)
		return SBC_JOURNAL_BAD;
	for (i = 0; i < 2; i++)
		if (c->leg[i].iface[0] == '\0' || c->leg[i].call_id[0] == '\0' ||
		    c->leg[i].local[0] == '\0' || c->leg[i].remote[0] == '\0' ||
		    c->leg[i].target[0] == '\0')
			return SBC_JOURNAL_BAD;
	return SBC_JOURNAL_UP;
}

/* ---- the file ---- */

static int mkdir_parent(const char *path)
{
	char dir[4096];
	char *slash;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int sbc_journal_open(const char *path)
{
	int fd, rc = mkdir_parent(path);

	if (rc != 0)
		return rc;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	return fd;
}

int sbc_journal_append(int fd, const char *rec, size_t len)
{
	ssize_t n;

	do
		n = write(fd, rec, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int tmp_name(const char *path, char *out, size_t size)
{
	int n = snprintf(out, size, "%s.new", path);

	return n > 0 && (size_t)n < size ? 0 : -ENAMETOOLONG;
}

int sbc_journal_rewrite_begin(const char *path)
{
	char tmp[4096];
	int fd, rc = tmp_name(path, tmp, sizeof(tmp));

	if (rc == 0)
		rc = mkdir_parent(path);
	if (rc != 0)
		return rc;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	return fd < 0 ? -errno : fd;
}

int sbc_journal_rewrite_commit(const char *path, int fd, bool ok)
{
	char tmp[4096];
	int rc = tmp_name(path, tmp, sizeof(tmp));

	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && ok && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0 || !ok)
		(void)unlink(tmp);
	return rc != 0 ? rc : ok ? 0 : -ECANCELED;
}

struct rec {
	char key[SBC_JOURNAL_KEY_MAX];
	uint32_t order;
	bool end;
	size_t off, len;   /* the line in the file's text */
};

static int rec_cmp(const void *x, const void *y)
{
	const struct rec *a = x, *b = y;
	int k = strcmp(a->key, b->key);

	if (k != 0)
		return k;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int order_cmp(const void *x, const void *y)
{
	const struct rec *a = x, *b = y;

	return a->order < b->order ? -1 : a->order > b->order;
}

static int read_all(const char *path, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	*out = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > FILE_MAX) {
		close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

int sbc_journal_replay(const char *path, void (*cb)(void *arg, const struct sbc_journal_call *c),
		       void *arg, struct sbc_journal_load *st)
{
	struct sbc_journal_call *c = malloc(sizeof(*c));
	struct rec *recs = NULL;
	size_t n_recs = 0, cap = 0, off = 0, len, i, live = 0;
	char *text;
	int rc, fd;
	bool ok = true;

	memset(st, 0, sizeof(*st));
	if (c == NULL)
		return -ENOMEM;
	rc = read_all(path, &text, &len);
	if (rc != 0 || text == NULL) {
		free(c);
		return rc;
	}
	/* Every line that parses, with its key and its place in the file. */
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl != NULL ? (size_t)(nl - (text + off)) : len - off;
		enum sbc_journal_kind k;

		if (nl == NULL) {
			/* A last line with no '\n': a write cut short.  Not a record. */
			st->lines++;
			st->bad++;
			break;
		}
		if (n == 0) {
			off += 1;
			continue;
		}
		st->lines++;
		k = sbc_journal_parse(text + off, n, c);
		if (k == SBC_JOURNAL_BAD) {
			st->bad++;
		} else {
			if (n_recs == cap) {
				size_t ncap = cap ? 2 * cap : 64;
				struct rec *nr = realloc(recs, ncap * sizeof(*recs));

				if (nr == NULL) {
					rc = -ENOMEM;
					goto out;
				}
				recs = nr;
				cap = ncap;
			}
			strcpy(recs[n_recs].key, c->key);
			recs[n_recs].order = (uint32_t)n_recs;
			recs[n_recs].end = k == SBC_JOURNAL_END;
			recs[n_recs].off = off;
			recs[n_recs].len = n + 1;
			n_recs++;
		}
		off += n + 1;
	}
	/* Per key: the call lives if its last record is an "up". */
	if (n_recs > 0)
		qsort(recs, n_recs, sizeof(*recs), rec_cmp);
	for (i = 0; i < n_recs; i++) {
		bool last = i + 1 == n_recs || strcmp(recs[i].key, recs[i + 1].key) != 0;

		if (last && !recs[i].end)
			recs[live++] = recs[i];
	}
	if (live > 0)
		qsort(recs, live, sizeof(*recs), order_cmp);
	fd = sbc_journal_rewrite_begin(path);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	for (i = 0; i < live; i++) {
		if (sbc_journal_parse(text + recs[i].off, recs[i].len, c) != SBC_JOURNAL_UP)
			continue;
		if (sbc_journal_append(fd, text + recs[i].off, recs[i].len) != 0)
			ok = false;
		st->live++;
		cb(arg, c);
	}
	rc = sbc_journal_rewrite_commit(path, fd, ok);
out:
	free(recs);
	free(text);
	free(c);
	return rc;
}
