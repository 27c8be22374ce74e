/* SPDX-License-Identifier: BSD-3-Clause
 * Configuration schema descriptors: private to common/config*.c.
 *
 * A section is a table of fields; each field names a YAML key, its type,
 * where it lives in the typed struct, its bounds, its default (as YAML text,
 * parsed by the same code as the file), whether a reload may change it, an
 * optional validator, and the line of documentation that
 * docs/configuration.md is generated from.
 */
#ifndef SBC_CONFIG_PRIV_H
#define SBC_CONFIG_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "sbc_config.h"

enum sbc_cfg_type {
	SBC_CFG_BOOL,        /* bool: true | false */
	SBC_CFG_U32,         /* uint32_t, bounds min..max */
	SBC_CFG_ENUM,        /* uint32_t, one of enums[] */
	SBC_CFG_STRING,      /* char *, length min..max */
	SBC_CFG_SECRET,      /* char *, never printed, wiped on free */
	SBC_CFG_PATH,        /* char *, readable file, relative to the config file */
	SBC_CFG_IP,          /* struct sbc_ip */
	SBC_CFG_IFADDR,      /* struct sbc_prefix, address/len, host bits allowed */
	SBC_CFG_CIDR,        /* struct sbc_prefix, network: host bits must be 0 */
	SBC_CFG_PORT_RANGE,  /* struct sbc_port_range "lo-hi" */
	SBC_CFG_SECTION,     /* nested struct described by section */
	SBC_CFG_LIST,        /* pointer + uint32_t count, of elem_type */
	SBC_CFG__TYPES
};

#define SBC_CFG_F_REQUIRED  0x01u  /* key must be present */
#define SBC_CFG_F_RELOAD    0x02u  /* a SIGHUP reload may change it */
#define SBC_CFG_F_IPV4      0x04u  /* IP/IFADDR/CIDR: IPv4 only */
#define SBC_CFG_F_IPV6      0x08u  /* IP/IFADDR/CIDR: IPv6 only */
/* Declared but not implemented: the key is an error wherever it appears
 * ("not supported yet (<not_yet>)"), documented as such, never defaulted.
 * Lets a row exist (and be documented) before its feature does, without
 * a config that sets it silently meaning nothing. */
#define SBC_CFG_F_NOT_YET   0x10u

struct sbc_cfg_enum_name {
	const char *name;
	uint32_t value;
};

struct sbc_cfg_ctx;
struct sbc_cfg_section;

/*
 * Scalar validator: receives the parsed value (pointer to the member) and
 * writes a reason into @why when it refuses. Returns 0 or -1.
 */
typedef int (*sbc_cfg_check_fn)(const void *value, char *why, size_t whylen);

struct sbc_cfg_field {
	const char *key;
	uint8_t type;                   /* enum sbc_cfg_type */
	uint8_t elem_type;              /* LIST: type of each item */
	uint16_t flags;                 /* SBC_CFG_F_* */
	size_t offset;                  /* member in the parent struct */
	size_t count_offset;            /* LIST: uint32_t count member */
	int64_t min, max;               /* U32 value / string length bounds (items too) */
	uint32_t items_min, items_max;  /* LIST: number of items */
	const char *def;                /* default as YAML text; NULL = none */
	const struct sbc_cfg_enum_name *enums; /* ENUM: NULL-terminated */
	const struct sbc_cfg_section *section; /* SECTION, LIST of SECTION */
	sbc_cfg_check_fn check;
	const char *not_yet;            /* SBC_CFG_F_NOT_YET: what is missing */
	const char *doc;
};

/*
 * Cross-field check of one object once all its fields parsed cleanly;
 * reports through sbc_cfg_error().  @path is the object's key path.
 */
typedef void (*sbc_cfg_section_check_fn)(struct sbc_cfg_ctx *ctx,
					 const void *obj, const char *path);

struct sbc_cfg_section {
	const char *name;
	size_t size;
	const struct sbc_cfg_field *fields;
	unsigned int n_fields;
	sbc_cfg_section_check_fn check;
	const char *doc;
};

/* The root of the schema (config_schema.c). */
extern const struct sbc_cfg_section sbc_cfg_root;

/*
 * Report an error on @path (+ ".key" when @key is not NULL): the location
 * is that key's value in the file, or its nearest present ancestor.
 */
void sbc_cfg_error(struct sbc_cfg_ctx *ctx, const char *path, const char *key,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** Name of an enum value from a field's table; "?" if unknown. */
const char *sbc_cfg_enum_str(const struct sbc_cfg_enum_name *e, uint32_t v);

#endif /* SBC_CONFIG_PRIV_H */
