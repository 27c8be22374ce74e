/* SPDX-License-Identifier: BSD-3-Clause
 * Generic, table-driven YAML configuration loader.
 *
 * The file is read with libyaml's document API (every node keeps its
 * start mark, so each error can name line and column), then walked against
 * the schema tables of config_schema.c into freshly allocated typed structs.
 * Nothing is published until the whole file validated: the caller gets a
 * complete config or none.
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "config_priv.h"
#include "sbc_log.h"

#define PATH_LEN 256

struct sbc_cfg_ctx {
	const char *file;
	char dir[PATH_MAX];             /* base for relative PATH values */
	yaml_document_t *doc;
	struct sbc_config_errors *errs;
};

/* ------------------------------------------------------------------ */
/* Errors                                                              */

static void add_error(struct sbc_cfg_ctx *ctx, const yaml_mark_t *mark,
		      const char *key, const char *fmt, va_list ap)
{
	struct sbc_config_errors *e = ctx->errs;
	char what[192];
	unsigned int i;

	i = e->count++;
	if (i >= SBC_CONFIG_MAX_ERRORS)
		return;
	vsnprintf(what, sizeof(what), fmt, ap);
	snprintf(e->msg[i], SBC_CONFIG_ERROR_LEN, "%s:%zu:%zu: %s: %s",
		 ctx->file, mark ? mark->line + 1 : 1, mark ? mark->column + 1 : 1,
		 key, what);
}

static void __attribute__((format(printf, 4, 5)))
node_error(struct sbc_cfg_ctx *ctx, const yaml_node_t *node, const char *key,
	   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(ctx, node ? &node->start_mark : NULL, key, fmt, ap);
	va_end(ap);
}

static yaml_node_t *map_lookup(yaml_document_t *doc, yaml_node_t *map,
			       const char *key, size_t keylen)
{
	yaml_node_pair_t *p;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == keylen &&
		    memcmp(k->data.scalar.value, key, keylen) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/*
 * Walk "a.b[2].c" from the root; returns the deepest node reached, so an
 * error about an absent key still points at its parent mapping.
 */
static yaml_node_t *path_node(struct sbc_cfg_ctx *ctx, const char *path)
{
	yaml_node_t *node = yaml_document_get_root_node(ctx->doc);
	const char *s = path;

	while (node != NULL && *s != '\0') {
		yaml_node_t *next = NULL;

		if (*s == '.') {
			s++;
			continue;
		}
		if (*s == '[') {
			char *end;
			unsigned long idx = strtoul(s + 1, &end, 10);

			if (*end != ']')
				break;
			s = end + 1;
			if (node->type == YAML_SEQUENCE_NODE &&
			    idx < (unsigned long)(node->data.sequence.items.top -
						  node->data.sequence.items.start))
				next = yaml_document_get_node(ctx->doc,
					node->data.sequence.items.start[idx]);
		} else {
			size_t n = strcspn(s, ".[");

			next = map_lookup(ctx->doc, node, s, n);
			s += n;
		}
		if (next == NULL)
			break;
		node = next;
	}
	return node;
}

static void join_path(char *out, size_t len, const char *path, const char *key)
{
	if (path[0] == '\0')
		snprintf(out, len, "%s", key);
	else
		snprintf(out, len, "%s.%s", path, key);
}

void sbc_cfg_error(struct sbc_cfg_ctx *ctx, const char *path, const char *key,
		   const char *fmt, ...)
{
	char full[PATH_LEN];
	yaml_node_t *node;
	va_list ap;

	if (key)
		join_path(full, sizeof(full), path, key);
	else
		snprintf(full, sizeof(full), "%s", path);
	node = path_node(ctx, full);
	va_start(ap, fmt);
	add_error(ctx, node ? &node->start_mark : NULL, full, fmt, ap);
	va_end(ap);
}

void sbc_config_errors_print(const struct sbc_config_errors *errs, FILE *f)
{
	unsigned int n = errs->count < SBC_CONFIG_MAX_ERRORS ?
			 errs->count : SBC_CONFIG_MAX_ERRORS;

	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "%s\n", errs->msg[i]);
	if (errs->count > n)
		fprintf(f, "... and %u more errors\n", errs->count - n);
}

/* ------------------------------------------------------------------ */
/* Scalars                                                             */

static const char *const type_names[SBC_CFG__TYPES] = {
	[SBC_CFG_BOOL] = "boolean",
	[SBC_CFG_U32] = "integer",
	[SBC_CFG_ENUM] = "enum",
	[SBC_CFG_STRING] = "string",
	[SBC_CFG_SECRET] = "secret",
	[SBC_CFG_PATH] = "file path",
	[SBC_CFG_IP] = "IP address",
	[SBC_CFG_IFADDR] = "address/prefix",
	[SBC_CFG_CIDR] = "CIDR",
	[SBC_CFG_PORT_RANGE] = "port range",
	[SBC_CFG_SECTION] = "mapping",
	[SBC_CFG_LIST] = "sequence",
};

static size_t type_size(const struct sbc_cfg_field *f, uint8_t type)
{
	switch (type) {
	case SBC_CFG_BOOL: return sizeof(bool);
	case SBC_CFG_U32:
	case SBC_CFG_ENUM: return sizeof(uint32_t);
	case SBC_CFG_STRING:
	case SBC_CFG_SECRET:
	case SBC_CFG_PATH: return sizeof(char *);
	case SBC_CFG_IP: return sizeof(struct sbc_ip);
	case SBC_CFG_IFADDR:
	case SBC_CFG_CIDR: return sizeof(struct sbc_prefix);
	case SBC_CFG_PORT_RANGE: return sizeof(struct sbc_port_range);
	case SBC_CFG_SECTION: return f->section->size;
	default: return 0;
	}
}

const char *sbc_cfg_enum_str(const struct sbc_cfg_enum_name *e, uint32_t v)
{
	for (; e && e->name; e++)
		if (e->value == v)
			return e->name;
	return "?";
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE: return "a mapping";
	case YAML_SEQUENCE_NODE: return "a sequence";
	default: return "a scalar";
	}
}

/* A plain empty, "~" or "null" scalar stands for "no value". */
static bool is_null(const yaml_node_t *n)
{
	const char *v;

	if (n == NULL)
		return true;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0;
}

static int ip_family_ok(const struct sbc_cfg_field *f, unsigned int family,
			char *why, size_t len)
{
	if ((f->flags & SBC_CFG_F_IPV4) && family != 4) {
		snprintf(why, len, "must be an IPv4 address");
		return -1;
	}
	if ((f->flags & SBC_CFG_F_IPV6) && family != 6) {
		snprintf(why, len, "must be an IPv6 address");
		return -1;
	}
	return 0;
}

static int parse_bool(const char *text, bool quoted, bool *dst, char *why, size_t len)
{
	if (!quoted && strcmp(text, "true") == 0)
		*dst = true;
	else if (!quoted && strcmp(text, "false") == 0)
		*dst = false;
	else {
		snprintf(why, len, "expected true or false, got '%s'", text);
		return -1;
	}
	return 0;
}

/* A plain decimal integer within the field's min..max. */
static int parse_u32(const struct sbc_cfg_field *f, const char *text, bool quoted,
		     uint32_t *dst, char *why, size_t len)
{
	char *end;
	long long v;

	if (quoted || !(text[0] == '-' || (text[0] >= '0' && text[0] <= '9'))) {
		snprintf(why, len, "expected an integer, got '%s'", text);
		return -1;
	}
	errno = 0;
	v = strtoll(text, &end, 10);
	if (*end != '\0') {
		snprintf(why, len, "expected an integer, got '%s'", text);
		return -1;
	}
	if (errno == ERANGE || v < f->min || v > f->max) {
		snprintf(why, len, "%s out of range %" PRId64 "..%" PRId64,
			 text, f->min, f->max);
		return -1;
	}
	*dst = (uint32_t)v;
	return 0;
}

/* One of the field's enum names; the reason lists them all. */
static int parse_enum(const struct sbc_cfg_field *f, const char *text, uint32_t *dst,
		      char *why, size_t len)
{
	size_t o;

	for (const struct sbc_cfg_enum_name *e = f->enums; e->name; e++) {
		if (strcmp(e->name, text) == 0) {
			*dst = e->value;
			return 0;
		}
	}
	o = (size_t)snprintf(why, len, "'%s' is not one of:", text);
	for (const struct sbc_cfg_enum_name *e = f->enums; e->name && o < len; e++)
		o += (size_t)snprintf(why + o, len - o, "%s %s",
				      e == f->enums ? "" : ",", e->name);
	return -1;
}

/* A STRING, SECRET or PATH within the field's length bounds (a secret not shown). */
static int check_text_length(const struct sbc_cfg_field *f, uint8_t type, const char *text,
			     char *why, size_t len)
{
	size_t n = strlen(text);

	if ((int64_t)n >= f->min && (f->max <= 0 || (int64_t)n <= f->max))
		return 0;
	if (type == SBC_CFG_SECRET)
		snprintf(why, len, "length must be %" PRId64 "..%" PRId64
			 " characters", f->min, f->max);
	else
		snprintf(why, len, "'%.64s' length must be %" PRId64 "..%"
			 PRId64 " characters", text, f->min, f->max);
	return -1;
}

/* A heap copy of @text; a relative PATH is taken from the config file's folder. */
static char *copy_text_value(struct sbc_cfg_ctx *ctx, uint8_t type, const char *text,
			     char *why, size_t len)
{
	char *copy;

	if (type == SBC_CFG_PATH && text[0] != '/' && ctx != NULL) {
		char full[PATH_MAX];

		if ((size_t)snprintf(full, sizeof(full), "%s/%s", ctx->dir, text) >=
		    sizeof(full)) {
			snprintf(why, len, "path too long");
			return NULL;
		}
		copy = strdup(full);
	} else {
		copy = strdup(text);
	}
	if (copy == NULL)
		snprintf(why, len, "out of memory");
	return copy;
}

static int check_path_readable(const char *path, char *why, size_t len)
{
	FILE *fp = fopen(path, "r");

	if (fp == NULL) {
		snprintf(why, len, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	fclose(fp);
	return 0;
}

/* STRING, SECRET or PATH: a copy the config owns; a PATH must be readable. */
static int parse_text(struct sbc_cfg_ctx *ctx, const struct sbc_cfg_field *f, uint8_t type,
		      const char *text, char **dst, char *why, size_t len)
{
	char *copy;

	if (check_text_length(f, type, text, why, len) != 0)
		return -1;
	copy = copy_text_value(ctx, type, text, why, len);
	if (copy == NULL)
		return -1;
	if (type == SBC_CFG_PATH && check_path_readable(copy, why, len) != 0) {
		free(copy);
		return -1;
	}
	*dst = copy;
	return 0;
}

static int parse_ip(const struct sbc_cfg_field *f, const char *text, struct sbc_ip *dst,
		    char *why, size_t len)
{
	if (sbc_ip_parse(dst, text) != 0) {
		snprintf(why, len, "'%s' is not an IP address", text);
		return -1;
	}
	return ip_family_ok(f, dst->family, why, len);
}

/* IFADDR (address/prefix) or CIDR (a network: no host bits set). */
static int parse_prefix(const struct sbc_cfg_field *f, uint8_t type, const char *text,
			struct sbc_prefix *dst, char *why, size_t len)
{
	int rc = sbc_prefix_parse(dst, text, type == SBC_CFG_CIDR);

	if (rc == -EINVAL)
		snprintf(why, len, "'%s' is not an address/prefix", text);
	else if (rc == -ERANGE)
		snprintf(why, len, "'%s': prefix length out of range", text);
	else if (rc == -EDOM)
		snprintf(why, len, "'%s': host bits set beyond the prefix length", text);
	if (rc != 0)
		return -1;
	return ip_family_ok(f, dst->ip.family, why, len);
}

static int parse_port_range(const char *text, struct sbc_port_range *dst, char *why,
			    size_t len)
{
	int rc = sbc_port_range_parse(dst, text);

	if (rc == -EINVAL)
		snprintf(why, len, "'%s' is not a port range (lo-hi)", text);
	else if (rc != 0)
		snprintf(why, len, "'%s': ports must be 1..65535 with lo <= hi", text);
	return rc == 0 ? 0 : -1;
}

/*
 * Parse one scalar of @type from @text into @dst, by one parser per type.
 * @quoted: the YAML scalar was quoted (then never a bool or an integer).  A
 * SECRET's value never enters the reason.  Returns 0, or -1 with a reason
 * in @why.
 */
static int parse_scalar(struct sbc_cfg_ctx *ctx, const struct sbc_cfg_field *f,
			uint8_t type, const char *text, bool quoted, void *dst,
			char *why, size_t len)
{
	switch (type) {
	case SBC_CFG_BOOL:
		return parse_bool(text, quoted, dst, why, len);
	case SBC_CFG_U32:
		return parse_u32(f, text, quoted, dst, why, len);
	case SBC_CFG_ENUM:
		return parse_enum(f, text, dst, why, len);
	case SBC_CFG_STRING:
	case SBC_CFG_SECRET:
	case SBC_CFG_PATH:
		return parse_text(ctx, f, type, text, dst, why, len);
	case SBC_CFG_IP:
		return parse_ip(f, text, dst, why, len);
	case SBC_CFG_IFADDR:
	case SBC_CFG_CIDR:
		return parse_prefix(f, type, text, dst, why, len);
	case SBC_CFG_PORT_RANGE:
		return parse_port_range(text, dst, why, len);
	default:
		snprintf(why, len, "internal: bad scalar type");
		return -1;
	}
}

/* ------------------------------------------------------------------ */
/* Walk                                                                */

static void load_section(struct sbc_cfg_ctx *ctx, const struct sbc_cfg_section *sec,
			 void *obj, yaml_node_t *node, const char *path);

static void load_scalar_node(struct sbc_cfg_ctx *ctx, const struct sbc_cfg_field *f,
			     uint8_t type, void *dst, yaml_node_t *node,
			     const char *path)
{
	char why[192];

	if (node->type != YAML_SCALAR_NODE) {
		node_error(ctx, node, path, "expected %s, got %s", type_names[type],
			   node_kind(node));
		return;
	}
	if (parse_scalar(ctx, f, type, (const char *)node->data.scalar.value,
			 node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE, dst,
			 why, sizeof(why)) != 0)
		node_error(ctx, node, path, "%s", why);
	else if (f->check && f->check(dst, why, sizeof(why)) != 0)
		node_error(ctx, node, path, "%s", why);
}

static void load_list(struct sbc_cfg_ctx *ctx, const struct sbc_cfg_field *f,
		      void *obj, yaml_node_t *node, const char *path)
{
	yaml_node_item_t *it;
	size_t n, esz = type_size(f, f->elem_type);
	char *items;
	char sub[PATH_LEN];

	if (node->type != YAML_SEQUENCE_NODE) {
		node_error(ctx, node, path, "expected a sequence, got %s", node_kind(node));
		return;
	}
	n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	if (n < f->items_min || n > f->items_max) {
		node_error(ctx, node, path, "%zu items; %u..%u allowed", n,
			   f->items_min, f->items_max);
		return;
	}
	if (n == 0)
		return;
	items = calloc(n, esz);
	if (items == NULL) {
		node_error(ctx, node, path, "out of memory");
		return;
	}
	/* Publish first so that free() finds whatever was parsed so far. */
	*(void **)((char *)obj + f->offset) = items;
	*(uint32_t *)((char *)obj + f->count_offset) = (uint32_t)n;
	for (it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
		yaml_node_t *item = yaml_document_get_node(ctx->doc, *it);
		size_t i = (size_t)(it - node->data.sequence.items.start);

		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if (f->elem_type == SBC_CFG_SECTION)
			load_section(ctx, f->section, items + i * esz, item, sub);
		else
			load_scalar_node(ctx, f, f->elem_type, items + i * esz, item, sub);
	}
}

static void load_field(struct sbc_cfg_ctx *ctx, const struct sbc_cfg_field *f,
		       void *obj, yaml_node_t *node, const char *path)
{
	void *dst = (char *)obj + f->offset;

	switch (f->type) {
	case SBC_CFG_SECTION:
		load_section(ctx, f->section, dst, node, path);
		break;
	case SBC_CFG_LIST:
		load_list(ctx, f, obj, node, path);
		break;
	default:
		load_scalar_node(ctx, f, f->type, dst, node, path);
		break;
	}
}

/* A list default is written "a, b, c" (scalar items only). */
static void apply_list_default(struct sbc_cfg_ctx *ctx, const struct sbc_cfg_field *f,
			       void *obj, yaml_node_t *parent, const char *path)
{
	size_t n = 1, esz = type_size(f, f->elem_type);
	char text[256], why[192], *save = NULL, *tok;
	char *items;
	uint32_t i = 0;

	snprintf(text, sizeof(text), "%s", f->def);
	for (const char *c = text; *c; c++)
		n += *c == ',';
	items = calloc(n, esz);
	if (items == NULL) {
		node_error(ctx, parent, path, "out of memory");
		return;
	}
	*(void **)((char *)obj + f->offset) = items;
	for (tok = strtok_r(text, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (parse_scalar(ctx, f, f->elem_type, tok, false, items + i * esz,
				 why, sizeof(why)) != 0) {
			node_error(ctx, parent, path, "internal: bad default: %s", why);
			break;
		}
		*(uint32_t *)((char *)obj + f->count_offset) = ++i;
	}
}

static void apply_default(struct sbc_cfg_ctx *ctx, const struct sbc_cfg_field *f,
			  void *obj, yaml_node_t *parent, const char *path)
{
	char why[192];

	if (f->type == SBC_CFG_SECTION) {
		load_section(ctx, f->section, (char *)obj + f->offset, NULL, path);
		return;
	}
	if (f->def == NULL)
		return;
	if (f->type == SBC_CFG_LIST) {
		apply_list_default(ctx, f, obj, parent, path);
		return;
	}
	if (parse_scalar(ctx, f, f->type, f->def, false, (char *)obj + f->offset,
			 why, sizeof(why)) != 0)
		node_error(ctx, parent, path, "internal: bad default: %s", why);
}

/*
 * @node NULL means the section is absent: defaults only, and a required
 * key inside it is not reported (the parent reports the section itself).
 */
static void load_section(struct sbc_cfg_ctx *ctx, const struct sbc_cfg_section *sec,
			 void *obj, yaml_node_t *node, const char *path)
{
	unsigned int errors_before = ctx->errs->count;
	yaml_node_t *values[64] = { 0 };
	yaml_node_t *keys[64] = { 0 };
	char sub[PATH_LEN];
	unsigned int i;

	if (sec->n_fields > 64)
		abort(); /* schema bug, caught by the unit tests */
	/*
	 * A section written but left empty ("dataplane:" alone, a bare "-" in a
	 * list of sections) is an empty mapping: its required keys are still
	 * required.  Only an absent section takes its defaults silently.
	 */
	yaml_node_t *where = node;

	if (node != NULL && node->type != YAML_MAPPING_NODE) {
		if (!is_null(node)) {
			node_error(ctx, node, path[0] ? path : "(root)",
				   "expected a mapping, got %s", node_kind(node));
			return;
		}
		node = NULL;
	}
	if (node != NULL) {
		yaml_node_pair_t *p;

		for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(ctx->doc, p->key);
			const char *key;

			if (k->type != YAML_SCALAR_NODE) {
				node_error(ctx, k, path[0] ? path : "(root)",
					   "keys must be scalars");
				continue;
			}
			key = (const char *)k->data.scalar.value;
			join_path(sub, sizeof(sub), path, key);
			for (i = 0; i < sec->n_fields; i++)
				if (strcmp(sec->fields[i].key, key) == 0)
					break;
			if (i == sec->n_fields) {
				node_error(ctx, k, sub, "unknown key");
				continue;
			}
			if (values[i] != NULL) {
				node_error(ctx, k, sub, "duplicate key (first at line %zu)",
					   values[i]->start_mark.line + 1);
				continue;
			}
			values[i] = yaml_document_get_node(ctx->doc, p->value);
			keys[i] = k;
		}
	}
	for (i = 0; i < sec->n_fields; i++) {
		const struct sbc_cfg_field *f = &sec->fields[i];

		join_path(sub, sizeof(sub), path, f->key);
		if (f->flags & SBC_CFG_F_NOT_YET) {
			/* Present at all, even empty, is an error: the value is never read. */
			if (keys[i] != NULL)
				node_error(ctx, keys[i], sub, "not supported yet (%s)",
					   f->not_yet ? f->not_yet : "not implemented");
		} else if (!is_null(values[i]) ||
		    (values[i] != NULL && f->type == SBC_CFG_SECTION)) {
			load_field(ctx, f, obj, values[i], sub);
		} else if ((f->flags & SBC_CFG_F_REQUIRED) && where != NULL) {
			node_error(ctx, values[i] ? values[i] : where, sub,
				   values[i] ? "value required" : "missing required key");
		} else {
			apply_default(ctx, f, obj, node, sub);
		}
	}
	/* Cross-field checks only on objects whose fields all parsed. */
	if (where != NULL && sec->check && ctx->errs->count == errors_before)
		sec->check(ctx, obj, path);
}

/* ------------------------------------------------------------------ */
/* Free, compare, document                                             */

static void free_value(const struct sbc_cfg_field *f, uint8_t type, void *p)
{
	switch (type) {
	case SBC_CFG_SECRET:
		if (*(char **)p)
			explicit_bzero(*(char **)p, strlen(*(char **)p));
		/* fall through */
	case SBC_CFG_STRING:
	case SBC_CFG_PATH:
		free(*(char **)p);
		*(char **)p = NULL;
		break;
	case SBC_CFG_SECTION:
		for (unsigned int i = 0; i < f->section->n_fields; i++) {
			const struct sbc_cfg_field *sf = &f->section->fields[i];

			free_value(sf, sf->type, (char *)p + sf->offset);
		}
		break;
	default:
		break;
	}
}

/* LIST members are freed through their parent (they need count_offset). */
static void free_section(const struct sbc_cfg_section *sec, void *obj)
{
	for (unsigned int i = 0; i < sec->n_fields; i++) {
		const struct sbc_cfg_field *f = &sec->fields[i];
		void *p = (char *)obj + f->offset;

		if (f->type == SBC_CFG_LIST) {
			char *items = *(char **)p;
			uint32_t n = *(uint32_t *)((char *)obj + f->count_offset);
			size_t esz = type_size(f, f->elem_type);

			for (uint32_t j = 0; items && j < n; j++) {
				if (f->elem_type == SBC_CFG_SECTION)
					free_section(f->section, items + j * esz);
				else
					free_value(f, f->elem_type, items + j * esz);
			}
			free(items);
		} else if (f->type == SBC_CFG_SECTION) {
			free_section(f->section, p);
		} else {
			free_value(f, f->type, p);
		}
	}
}

void sbc_config_free(struct sbc_config *cfg)
{
	if (cfg == NULL)
		return;
	free_section(&sbc_cfg_root, cfg);
	free(cfg->file);
	free(cfg);
}

static bool value_equal(const struct sbc_cfg_field *f, uint8_t type,
			const void *a, const void *b)
{
	switch (type) {
	case SBC_CFG_STRING:
	case SBC_CFG_SECRET:
	case SBC_CFG_PATH: {
		const char *sa = *(char *const *)a, *sb = *(char *const *)b;

		return (sa == NULL && sb == NULL) ||
		       (sa != NULL && sb != NULL && strcmp(sa, sb) == 0);
	}
	case SBC_CFG_IP:
		return memcmp(a, b, sizeof(struct sbc_ip)) == 0;
	default:
		return memcmp(a, b, type_size(f, type)) == 0;
	}
}

struct diff_state {
	char (*keys)[128];
	unsigned int max, n;
};

static void diff_section(const struct sbc_cfg_section *sec, const void *a,
			 const void *b, const char *path, struct diff_state *d)
{
	char sub[PATH_LEN];

	for (unsigned int i = 0; i < sec->n_fields; i++) {
		const struct sbc_cfg_field *f = &sec->fields[i];
		const char *pa = (const char *)a + f->offset;
		const char *pb = (const char *)b + f->offset;
		bool same = true;

		if (f->flags & SBC_CFG_F_RELOAD)
			continue;
		join_path(sub, sizeof(sub), path, f->key);
		if (f->type == SBC_CFG_SECTION) {
			diff_section(f->section, pa, pb, sub, d);
			continue;
		}
		if (f->type == SBC_CFG_LIST) {
			uint32_t na = *(const uint32_t *)((const char *)a + f->count_offset);
			uint32_t nb = *(const uint32_t *)((const char *)b + f->count_offset);
			const char *ia = *(char *const *)pa, *ib = *(char *const *)pb;
			size_t esz = type_size(f, f->elem_type);

			if (na != nb) {
				same = false;
			} else if (f->elem_type == SBC_CFG_SECTION) {
				for (uint32_t j = 0; j < na; j++) {
					char item[PATH_LEN];

					snprintf(item, sizeof(item), "%s[%u]", sub, j);
					diff_section(f->section, ia + j * esz, ib + j * esz,
						     item, d);
				}
			} else {
				for (uint32_t j = 0; j < na && same; j++)
					same = value_equal(f, f->elem_type, ia + j * esz,
							   ib + j * esz);
			}
		} else {
			same = value_equal(f, f->type, pa, pb);
		}
		if (!same) {
			if (d->n < d->max)
				snprintf(d->keys[d->n], 128, "%s", sub);
			d->n++;
		}
	}
}

unsigned int sbc_config_reload_diff(const struct sbc_config *old_cfg,
				    const struct sbc_config *new_cfg,
				    char keys[][128], unsigned int max)
{
	struct diff_state d = { .keys = keys, .max = max, .n = 0 };

	diff_section(&sbc_cfg_root, old_cfg, new_cfg, "", &d);
	return d.n;
}

static void describe_type(const struct sbc_cfg_field *f, uint8_t type, char *buf,
			  size_t len)
{
	size_t o;

	switch (type) {
	case SBC_CFG_ENUM:
		o = (size_t)snprintf(buf, len, "enum:");
		for (const struct sbc_cfg_enum_name *e = f->enums; e->name && o < len; e++)
			o += (size_t)snprintf(buf + o, len - o, " `%s`", e->name);
		break;
	case SBC_CFG_IP:
	case SBC_CFG_IFADDR:
	case SBC_CFG_CIDR:
		snprintf(buf, len, "%s%s", type_names[type],
			 (f->flags & SBC_CFG_F_IPV4) ? " (IPv4)" :
			 (f->flags & SBC_CFG_F_IPV6) ? " (IPv6)" : "");
		break;
	case SBC_CFG_SECTION:
		snprintf(buf, len, "mapping (%s)", f->section->name);
		break;
	default:
		snprintf(buf, len, "%s", type_names[type]);
	}
}

static void describe_bounds(const struct sbc_cfg_field *f, uint8_t type, char *buf,
			    size_t len)
{
	buf[0] = '\0';
	if (type == SBC_CFG_U32)
		snprintf(buf, len, "%" PRId64 "..%" PRId64, f->min, f->max);
	else if ((type == SBC_CFG_STRING || type == SBC_CFG_SECRET) && f->max > 0)
		snprintf(buf, len, "length %" PRId64 "..%" PRId64, f->min, f->max);
}

static void write_section(FILE *out, const struct sbc_cfg_section *sec,
			  const char *path);

static void write_field_row(FILE *out, const struct sbc_cfg_field *f,
			    const char *key)
{
	char type[160], bounds[64], inner[128];

	if (f->type == SBC_CFG_LIST) {
		describe_type(f, f->elem_type, inner, sizeof(inner));
		snprintf(type, sizeof(type), "list of %s", inner);
		describe_bounds(f, f->elem_type, inner, sizeof(inner));
		snprintf(bounds, sizeof(bounds), "%u..%u items%s%s", f->items_min,
			 f->items_max, inner[0] ? "; each " : "", inner);
	} else {
		describe_type(f, f->type, type, sizeof(type));
		describe_bounds(f, f->type, bounds, sizeof(bounds));
	}
	if (f->flags & SBC_CFG_F_NOT_YET) {
		fprintf(out, "| `%s` | %s | - | %s | - | **Not supported yet** (%s): "
			"setting it is a configuration error. %s |\n", key, type,
			bounds[0] ? bounds : "", f->not_yet ? f->not_yet : "not implemented",
			f->doc ? f->doc : "");
		return;
	}
	fprintf(out, "| `%s` | %s | %s | %s | %s | %s |\n", key, type,
		(f->flags & SBC_CFG_F_REQUIRED) ? "**required**" :
		f->def ? f->def : f->type == SBC_CFG_LIST ? "empty" :
		f->type == SBC_CFG_SECTION ? "see its keys" : "unset",
		bounds[0] ? bounds : "",
		(f->flags & SBC_CFG_F_RELOAD) ? "yes" :
		f->type == SBC_CFG_SECTION ? "per key" : "no", f->doc ? f->doc : "");
}

static void write_section(FILE *out, const struct sbc_cfg_section *sec,
			  const char *path)
{
	char sub[PATH_LEN];

	fprintf(out, "\n### `%s`\n\n%s\n\n", path[0] ? path : "(top level)",
		sec->doc ? sec->doc : "");
	fprintf(out, "| key | type | default | bounds | reload | description |\n");
	fprintf(out, "|---|---|---|---|---|---|\n");
	for (unsigned int i = 0; i < sec->n_fields; i++)
		write_field_row(out, &sec->fields[i], sec->fields[i].key);
	for (unsigned int i = 0; i < sec->n_fields; i++) {
		const struct sbc_cfg_field *f = &sec->fields[i];

		join_path(sub, sizeof(sub), path, f->key);
		if (f->type == SBC_CFG_SECTION)
			write_section(out, f->section, sub);
		else if (f->type == SBC_CFG_LIST && f->elem_type == SBC_CFG_SECTION) {
			strncat(sub, "[]", sizeof(sub) - strlen(sub) - 1);
			write_section(out, f->section, sub);
		}
	}
}

void sbc_config_write_reference(FILE *f)
{
	fprintf(f,
		"# Configuration reference\n\n"
		"<!-- Generated by `sbc-controlplane --config-reference` from the schema\n"
		"     tables in common/config_schema.c; the `unit` test suite fails when\n"
		"     this file and the tables differ. Regenerate with\n"
		"     `./scripts/gen-config-doc.sh`. -->\n\n"
		"Rampart reads one YAML file (`-c FILE`). Unknown keys, duplicate keys,\n"
		"wrong types and values out of range are errors reported as\n"
		"`file:line:column: key: what is wrong`, and the process refuses to start.\n"
		"`sbc-controlplane -n -c FILE` (or `sbc-dataplane -n -c FILE`) checks a file\n"
		"and prints `configuration OK`.\n\n"
		"Relative file paths are resolved against the configuration file's directory.\n"
		"Secrets (passwords, trunk keys) are never printed back, not even in errors.\n"
		"*reload* says whether a SIGHUP reload may change the key; a reload that\n"
		"changes a key marked *no* is refused and the running configuration stays.\n"
		"Keys marked **Not supported yet** are documented ahead of their feature;\n"
		"a file that sets one is refused (`key: not supported yet (...)`).\n"
		"Keys of a list item are written `list[].key`.\n");
	write_section(f, &sbc_cfg_root, "");
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

/* A configuration file is small: larger is a mistake or an attack. */
#define CFG_FILE_MAX   (4u << 20)
/* Deeper nesting than any schema has; libyaml's time grows with depth. */
#define CFG_DEPTH_MAX  32

static void file_error(struct sbc_cfg_ctx *ctx, size_t line, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* An error at a 1-based position of the file itself, key "(file)". */
static void file_error(struct sbc_cfg_ctx *ctx, size_t line, size_t col, const char *fmt, ...)
{
	char what[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ctx->errs->count++;
	if (ctx->errs->count <= SBC_CONFIG_MAX_ERRORS)
		snprintf(ctx->errs->msg[ctx->errs->count - 1], SBC_CONFIG_ERROR_LEN,
			 "%s:%zu:%zu: (file): %s", ctx->file, line, col, what);
}

static void yaml_error(struct sbc_cfg_ctx *ctx, const yaml_parser_t *parser)
{
	yaml_mark_t m = parser->problem_mark;

	/* libyaml marks are 0-based like node marks. */
	ctx->errs->count++;
	if (ctx->errs->count <= SBC_CONFIG_MAX_ERRORS)
		snprintf(ctx->errs->msg[ctx->errs->count - 1], SBC_CONFIG_ERROR_LEN,
			 "%s:%zu:%zu: yaml: %s%s%s", ctx->file, m.line + 1, m.column + 1,
			 parser->problem ? parser->problem : "syntax error",
			 parser->context ? " " : "", parser->context ? parser->context : "");
}

/*
 * The whole file into memory: a regular file (a FIFO or a device would
 * block both binaries, at start or on SIGHUP) of at most CFG_FILE_MAX
 * bytes.  Opened non-blocking so that even the open of a FIFO returns.
 */
static int read_file(struct sbc_cfg_ctx *ctx, const char *path, unsigned char **out,
		     size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		ctx->errs->count = 1;
		snprintf(ctx->errs->msg[0], SBC_CONFIG_ERROR_LEN, "%s: cannot open: %s", path,
			 strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		ctx->errs->count = 1;
		snprintf(ctx->errs->msg[0], SBC_CONFIG_ERROR_LEN,
			 "%s: not a regular file (a FIFO, device or directory)", path);
		close(fd);
		return -EINVAL;
	}
	if ((uintmax_t)st.st_size > CFG_FILE_MAX) {
		ctx->errs->count = 1;
		snprintf(ctx->errs->msg[0], SBC_CONFIG_ERROR_LEN,
			 "%s: larger than %u bytes: not a configuration file", path, CFG_FILE_MAX);
		close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	/* The size may change under us: read at most what fstat said. */
	while (got < (size_t)st.st_size &&
	       ((n = read(fd, buf + got, (size_t)st.st_size - got)) > 0 ||
		(n < 0 && errno == EINTR)))
		if (n > 0)
			got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

/* A NUL byte, which libyaml would report at another place or not at all. */
static bool check_nul(struct sbc_cfg_ctx *ctx, const unsigned char *buf, size_t len)
{
	const unsigned char *nul = memchr(buf, '\0', len);
	size_t line = 1, col = 1;

	if (nul == NULL)
		return true;
	for (const unsigned char *p = buf; p < nul; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else if ((*p & 0xc0) != 0x80) {   /* count UTF-8 characters */
			col++;
		}
	}
	file_error(ctx, line, col, "NUL byte (a configuration file is UTF-8 text)");
	return false;
}

/*
 * The nesting depth, from libyaml's events, stopping at the first level
 * past CFG_DEPTH_MAX: a file nested 100,000 levels deep costs libyaml time
 * that grows with the depth at every token, and would stall a SIGHUP
 * reload (and the calls on the same loop) for minutes.
 */
static int check_depth(struct sbc_cfg_ctx *ctx, const unsigned char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	unsigned int depth = 0;
	int rc = 0;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, buf, len);
	for (;;) {
		if (!yaml_parser_parse(&parser, &ev)) {
			/* The real load reports it, with its mark. */
			break;
		}
		if (ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT) {
			if (++depth > CFG_DEPTH_MAX) {
				file_error(ctx, ev.start_mark.line + 1, ev.start_mark.column + 1,
					   "nested deeper than %u levels", CFG_DEPTH_MAX);
				rc = -EINVAL;
			}
		} else if (ev.type == YAML_MAPPING_END_EVENT ||
			   ev.type == YAML_SEQUENCE_END_EVENT) {
			depth--;
		}
		if (ev.type == YAML_STREAM_END_EVENT || rc != 0) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

static int read_document(struct sbc_cfg_ctx *ctx, const unsigned char *buf, size_t len,
			 yaml_document_t *doc)
{
	yaml_parser_t parser;
	int rc;

	if (!check_nul(ctx, buf, len))
		return -EINVAL;
	rc = check_depth(ctx, buf, len);
	if (rc != 0)
		return rc;
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, doc)) {
		if (parser.error == YAML_MEMORY_ERROR) {
			rc = -ENOMEM;
		} else {
			yaml_error(ctx, &parser);
			rc = -EINVAL;
		}
	}
	yaml_parser_delete(&parser);
	return rc;
}

int sbc_config_load(const char *path, struct sbc_config **out,
		    struct sbc_config_errors *errs)
{
	struct sbc_config_errors local_errs;
	struct sbc_cfg_ctx ctx = { .file = path };
	yaml_document_t doc;
	struct sbc_config *cfg;
	yaml_node_t *root;
	char tmp[PATH_MAX];
	unsigned char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (errs == NULL)
		errs = &local_errs;
	memset(errs, 0, sizeof(*errs));
	ctx.errs = errs;
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(ctx.dir, sizeof(ctx.dir), "%s", dirname(tmp));

	rc = read_file(&ctx, path, &text, &len);
	if (rc != 0)
		return rc;
	rc = read_document(&ctx, text, len, &doc);
	free(text);
	if (rc != 0)
		return rc;
	ctx.doc = &doc;

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		yaml_document_delete(&doc);
		return -ENOMEM;
	}
	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		errs->count = 1;
		snprintf(errs->msg[0], SBC_CONFIG_ERROR_LEN,
			 "%s:1:1: (root): the file is empty", path);
	} else {
		load_section(&ctx, &sbc_cfg_root, cfg, root, "");
	}
	yaml_document_delete(&doc);
	cfg->file = strdup(path);
	if (errs->count > 0 || cfg->file == NULL) {
		sbc_config_free(cfg);
		return errs->count > 0 ? -EINVAL : -ENOMEM;
	}
	*out = cfg;
	return 0;
}
