/* SPDX-License-Identifier: BSD-3-Clause
 * The configuration schema: every key Rampart reads, one row each.
 *
 * To add a key: add the member to its struct in sbc_config.h, add a row
 * here, regenerate docs/configuration.md (./scripts/gen-config-doc.sh).
 * Checks that span several keys live in the section's check function and
 * report through sbc_cfg_error() so the message carries file:line:column.
 * A key whose feature is not built yet is flagged NOT_YET with a .not_yet
 * reason: setting it is then an error, and the reference says so.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config_priv.h"
#include "sbc_log.h"

/* ------------------------------------------------------------------ */
/* Row builders                                                        */

#define ROW(k, t, st, m, ...) \
	{ .key = (k), .type = (t), .offset = offsetof(st, m), __VA_ARGS__ }
#define LIST_OF(k, et, st, m, ...) \
	{ .key = (k), .type = SBC_CFG_LIST, .elem_type = (et), \
	  .offset = offsetof(st, m), .count_offset = offsetof(st, n_##m), __VA_ARGS__ }
#define SECTION(k, st, m, sec, ...) \
	{ .key = (k), .type = SBC_CFG_SECTION, .offset = offsetof(st, m), \
	  .section = &(sec), __VA_ARGS__ }
#define NFIELDS(a) ((unsigned int)(sizeof(a) / sizeof((a)[0])))
#define REQ SBC_CFG_F_REQUIRED
#define RELOAD SBC_CFG_F_RELOAD
#define NOT_YET SBC_CFG_F_NOT_YET

/* ------------------------------------------------------------------ */
/* Enumerations                                                        */

static const struct sbc_cfg_enum_name side_names[] = {
	{ "carrier", SBC_SIDE_CARRIER }, { "enterprise", SBC_SIDE_ENTERPRISE }, { 0 },
};
static const struct sbc_cfg_enum_name transport_names[] = {
	{ "udp", SBC_TRANSPORT_UDP }, { "tcp", SBC_TRANSPORT_TCP },
	{ "tls", SBC_TRANSPORT_TLS }, { 0 },
};
static const struct sbc_cfg_enum_name srtp_names[] = {
	{ "off", SBC_SRTP_OFF }, { "optional", SBC_SRTP_OPTIONAL },
	{ "mandatory", SBC_SRTP_MANDATORY }, { 0 },
};
static const struct sbc_cfg_enum_name latching_names[] = {
	{ "strict", SBC_LATCH_STRICT }, { "learn", SBC_LATCH_LEARN },
	{ "relearn", SBC_LATCH_RELEARN }, { 0 },
};
static const struct sbc_cfg_enum_name late_offer_names[] = {
	{ "relay", SBC_LATE_OFFER_RELAY }, { "offer", SBC_LATE_OFFER_OFFER }, { 0 },
};
static const struct sbc_cfg_enum_name learn_from_names[] = {
	{ "address", SBC_LEARN_ADDRESS }, { "subnet", SBC_LEARN_SUBNET },
	{ "signalling", SBC_LEARN_SIGNALLING }, { "any", SBC_LEARN_ANY }, { 0 },
};
static const struct sbc_cfg_enum_name engine_names[] = {
	{ "libsrtp2", SBC_SRTP_ENGINE_LIBSRTP2 },
	{ "cryptodev", SBC_SRTP_ENGINE_CRYPTODEV }, { 0 },
};
/* From the one codec list (sbc_codec.h). */
static const struct sbc_cfg_enum_name codec_names[] = {
#define SBC_X_CODEC_NAME(e, name, clock, channels, pt, kind) { name, SBC_CODEC_##e },
	SBC_CODECS(SBC_X_CODEC_NAME)
#undef SBC_X_CODEC_NAME
	{ 0 },
};
static const struct sbc_cfg_enum_name digest_alg_names[] = {
	{ "SHA-256", SBC_DIGEST_ALG_SHA256 }, { "MD5", SBC_DIGEST_ALG_MD5 }, { 0 },
};
static const struct sbc_cfg_enum_name unknown_source_names[] = {
	{ "reject", SBC_UNKNOWN_SOURCE_REJECT }, { "drop", SBC_UNKNOWN_SOURCE_DROP }, { 0 },
};
static const struct sbc_cfg_enum_name refer_names[] = {
	{ "reject", SBC_REFER_REJECT }, { "local", SBC_REFER_LOCAL }, { 0 },
};
static const struct sbc_cfg_enum_name log_level_names[] = {
	{ "err", SBC_LOG_ERR }, { "warn", SBC_LOG_WARN },
	{ "notice", SBC_LOG_NOTICE }, { "info", SBC_LOG_INFO },
	{ "debug", SBC_LOG_DEBUG }, { 0 },
};

const char *sbc_side_name(uint32_t v) { return sbc_cfg_enum_str(side_names, v); }
const char *sbc_transport_name(uint32_t v) { return sbc_cfg_enum_str(transport_names, v); }
static const char *sbc_srtp_policy_name(uint32_t v) { return sbc_cfg_enum_str(srtp_names, v); }

/* ------------------------------------------------------------------ */
/* Scalar validators                                                   */

/* Object names: referenced from other sections and used in telemetry keys. */
static int check_name(const void *v, char *why, size_t len)
{
	const char *s = *(char *const *)v;

	for (const char *p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') {
			snprintf(why, len, "'%s': names use letters, digits, '-' and '_'", s);
			return -1;
		}
	}
	return 0;
}

static bool all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int check_e164(const void *v, char *why, size_t len)
{
	const char *s = *(char *const *)v;

	if (s[0] != '+' || !all_digits(s + 1, 7, 15)) {
		snprintf(why, len, "'%s' is not an E.164 number (+ and 7..15 digits)", s);
		return -1;
	}
	return 0;
}

/* A Network Number: E.164, or a prefix range "+441632960*" (E.164 digits, '*'). */
static int check_network_number(const void *v, char *why, size_t len)
{
	const char *s = *(char *const *)v;
	size_t n = strlen(s);
	char digits[17];

	if (n >= 3 && n <= 16 && s[0] == '+' && s[n - 1] == '*') {
		memcpy(digits, s + 1, n - 2);
		digits[n - 2] = '\0';
		if (all_digits(digits, 1, 14) && digits[0] != '0')
			return 0;
	} else if (check_e164(v, why, len) == 0) {
		return 0;
	}
	snprintf(why, len, "'%s' is neither an E.164 number (+ and 7..15 digits) nor a "
		 "prefix range (+ digits *)", s);
	return -1;
}

/*
 * A MIME type "type/subtype" (RFC 6838 section 4.2 restricted names, no
 * parameters): what an INFO body's Content-Type is compared with.
 */
static int check_mime_type(const void *v, char *why, size_t len)
{
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789!#$&-^_.+";
	const char *s = *(char *const *)v;
	size_t type = strspn(s, name_chars), sub;

	sub = s[type] == '/' ? strspn(s + type + 1, name_chars) : 0;
	if (type == 0 || type > 127 || sub == 0 || sub > 127 || s[type + 1 + sub] != '\0') {
		snprintf(why, len, "'%s' is not a MIME type (type/subtype, no parameters)", s);
		return -1;
	}
	return 0;
}

/* Emergency dial strings: digits only ("999", "112", "911", "+44999"). */
static int check_dial_string(const void *v, char *why, size_t len)
{
	const char *s = *(char *const *)v;

	if (!all_digits(s[0] == '+' ? s + 1 : s, 2, 15)) {
		snprintf(why, len, "'%s' is not a dial string (2..15 digits, optional +)", s);
		return -1;
	}
	return 0;
}

static int check_hostname(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return -1;
			label = 0;
		} else if (isalnum(c) || (c == '-' && label > 0)) {
			if (++label > 63)
				return -1;
		} else {
			return -1;
		}
	}
	return label == 0 ? -1 : 0;
}

static int check_domain(const void *v, char *why, size_t len)
{
	const char *s = *(char *const *)v;

	const char *last;

	if (check_hostname(s, strlen(s)) != 0 || strchr(s, '.') == NULL) {
		snprintf(why, len, "'%s' is not a domain name", s);
		return -1;
	}
	/* A Request-URI host ending in digits is read as an address (RFC 3696 §2): never matched. */
	last = strrchr(s, '.') + 1;
	if (last[strspn(last, "0123456789")] == '\0') {
		snprintf(why, len, "'%s' is not a domain name: its last label is all digits", s);
		return -1;
	}
	return 0;
}

/* A host name or an IP address (no port): sip.interfaces[].advertise. */
static int check_advertise(const void *v, char *why, size_t len)
{
	const char *s = *(char *const *)v;
	struct sbc_ip ip;

	if (sbc_ip_parse(&ip, s) == 0 || check_hostname(s, strlen(s)) == 0)
		return 0;
	snprintf(why, len, "'%s' is neither a host name nor an IP address", s);
	return -1;
}

/* "host", "host:port", "[v6]:port", with an optional "sip:" prefix and
 * ";params"; host is a name or an address. */
static int check_target(const void *v, char *why, size_t len)
{
	const char *s = *(char *const *)v, *host = s, *end;
	char buf[SBC_IP_STRLEN];
	struct sbc_ip ip;
	size_t n;

	if (strncmp(host, "sip:", 4) == 0)
		host += 4;
	else if (strncmp(host, "sips:", 5) == 0)
		host += 5;
	if (*host == '[') {
		end = strchr(host, ']');
		n = end ? (size_t)(end - host - 1) : 0;
		if (end == NULL || n == 0 || n >= sizeof(buf))
			goto bad;
		memcpy(buf, host + 1, n);
		buf[n] = '\0';
		if (sbc_ip_parse(&ip, buf) != 0 || ip.family != 6)
			goto bad;
		end++;
	} else {
		n = strcspn(host, ":;");
		end = host + n;
		if (n < sizeof(buf)) {
			memcpy(buf, host, n);
			buf[n] = '\0';
		}
		if (n >= sizeof(buf) ||
		    (sbc_ip_parse(&ip, buf) != 0 && check_hostname(host, n) != 0))
			goto bad;
	}
	if (*end == ':') {
		unsigned long port = 0;
		const char *p = end + 1;

		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p) && port <= 65535)
			port = port * 10 + (unsigned long)(*p++ - '0');
		if (port == 0 || port > 65535 || (*p != '\0' && *p != ';'))
			goto bad;
	} else if (*end != '\0' && *end != ';') {
		goto bad;
	}
	return 0;
bad:
	snprintf(why, len, "'%s' is not a SIP target (sip:host[:port] or host[:port])", s);
	return -1;
}

/* A DPDK device: PCI address ([dddd:]bb:dd.f) or a vdev string (net_...). */
static int check_device(const void *v, char *why, size_t len)
{
	const char *s = *(char *const *)v;
	unsigned int dom, bus, dev, fn;
	int used = 0;

	if (strncmp(s, "net_", 4) == 0 && isalnum((unsigned char)s[4]))
		return 0;
	if ((sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &used) == 4 &&
	     s[used] == '\0') ||
	    (sscanf(s, "%2x:%2x.%1x%n", &bus, &dev, &fn, &used) == 3 && s[used] == '\0'))
		return 0;
	snprintf(why, len, "'%s' is neither a PCI address (0000:03:00.0) nor a vdev (net_...)",
		 s);
	return -1;
}

/* EAL options that the config sets elsewhere must not be passed twice. */
static int check_eal_arg(const void *v, char *why, size_t len)
{
	static const char *const owned[] = {
		"-l", "-c", "--lcores", "--main-lcore", "--master-lcore",
		"-a", "--allow", "-w", "--vdev",
	};
	const char *s = *(char *const *)v;

	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		size_t n = strlen(owned[i]);

		if (strncmp(s, owned[i], n) == 0 && (s[n] == '\0' || s[n] == '=')) {
			snprintf(why, len, "'%s' is set from dataplane.main_lcore, workers and "
				 "ports; remove it from eal", owned[i]);
			return -1;
		}
	}
	return 0;
}

static int check_abs_path(const void *v, char *why, size_t len)
{
	const char *s = *(char *const *)v;

	if (s[0] != '/') {
		snprintf(why, len, "'%s' must be an absolute path", s);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Section checks                                                      */

#define FOR_PAIRS(i, j, n) \
	for (uint32_t i = 0; i < (n); i++) for (uint32_t j = i + 1; j < (n); j++)

static void check_dataplane(struct sbc_cfg_ctx *ctx, const void *obj, const char *path)
{
	const struct sbc_cfg_dataplane *dp = obj;
	char key[96];

	FOR_PAIRS(i, j, dp->n_workers) {
		if (dp->workers[i] == dp->workers[j]) {
			snprintf(key, sizeof(key), "workers[%u]", j);
			sbc_cfg_error(ctx, path, key, "lcore %u listed twice", dp->workers[j]);
		}
	}
	for (uint32_t i = 0; i < dp->n_workers; i++) {
		if (dp->workers[i] == dp->main_lcore) {
			snprintf(key, sizeof(key), "workers[%u]", i);
			sbc_cfg_error(ctx, path, key, "lcore %u is the main lcore",
				      dp->main_lcore);
		}
	}
	FOR_PAIRS(i, j, dp->n_ports) {
		if (strcmp(dp->ports[i].name, dp->ports[j].name) == 0) {
			snprintf(key, sizeof(key), "ports[%u].name", j);
			sbc_cfg_error(ctx, path, key, "port '%s' defined twice",
				      dp->ports[j].name);
		}
		if (strcmp(dp->ports[i].device, dp->ports[j].device) == 0) {
			snprintf(key, sizeof(key), "ports[%u].device", j);
			sbc_cfg_error(ctx, path, key, "device already used by port '%s'",
				      dp->ports[i].name);
		}
	}
	for (uint32_t i = 0; i < dp->n_interfaces; i++) {
		const struct sbc_cfg_media_if *mi = &dp->interfaces[i];
		bool port_found = false;

		for (uint32_t p = 0; p < dp->n_ports; p++)
			port_found |= strcmp(dp->ports[p].name, mi->port) == 0;
		if (!port_found) {
			snprintf(key, sizeof(key), "interfaces[%u].port", i);
			sbc_cfg_error(ctx, path, key, "no port named '%s' in dataplane.ports",
				      mi->port);
		}
	}
	FOR_PAIRS(i, j, dp->n_interfaces) {
		const struct sbc_cfg_media_if *a = &dp->interfaces[i], *b = &dp->interfaces[j];
		bool same_addr = (a->ipv4.ip.family && sbc_ip_equal(&a->ipv4.ip, &b->ipv4.ip)) ||
				 (a->ipv6.ip.family && sbc_ip_equal(&a->ipv6.ip, &b->ipv6.ip));

		if (strcmp(a->name, b->name) == 0) {
			snprintf(key, sizeof(key), "interfaces[%u].name", j);
			sbc_cfg_error(ctx, path, key, "interface '%s' defined twice", b->name);
		}
		/* Streams are keyed by address and port: ranges may only overlap
		 * between interfaces that share no address. */
		if (same_addr && sbc_port_range_overlaps(&a->media_ports, &b->media_ports)) {
			snprintf(key, sizeof(key), "interfaces[%u].media_ports", j);
			sbc_cfg_error(ctx, path, key,
				      "%u-%u overlaps interface '%s' (%u-%u) on the same address",
				      b->media_ports.lo, b->media_ports.hi, a->name,
				      a->media_ports.lo, a->media_ports.hi);
		}
	}
	if (dp->mbuf_cache_size > dp->mempool_size / 2) {
		sbc_cfg_error(ctx, path, "mbuf_cache_size",
			      "%u is more than half of mempool_size (%u)",
			      dp->mbuf_cache_size, dp->mempool_size);
	}
}

static void check_media_if(struct sbc_cfg_ctx *ctx, const void *obj, const char *path)
{
	const struct sbc_cfg_media_if *mi = obj;

	if (mi->ipv4.ip.family == 0 && mi->ipv6.ip.family == 0)
		sbc_cfg_error(ctx, path, NULL, "needs ipv4, ipv6 or both");
	if (mi->gateway4.family && (mi->ipv4.ip.family == 0 ||
				    !sbc_prefix_contains(&mi->ipv4, &mi->gateway4)))
		sbc_cfg_error(ctx, path, "gateway4", "not inside the ipv4 subnet");
	if (mi->gateway6.family && (mi->ipv6.ip.family == 0 ||
				    !sbc_prefix_contains(&mi->ipv6, &mi->gateway6)))
		sbc_cfg_error(ctx, path, "gateway6", "not inside the ipv6 subnet");
	if ((mi->media_ports.lo & 1u) != 0 || (mi->media_ports.hi & 1u) != 1)
		sbc_cfg_error(ctx, path, "media_ports",
			      "%u-%u must start on an even port and end on an odd one "
			      "(whole RTP/RTCP pairs)", mi->media_ports.lo, mi->media_ports.hi);
}

static void check_sip_listen(struct sbc_cfg_ctx *ctx, const void *obj, const char *path)
{
	const struct sbc_cfg_sip_listen *l = obj;

	if (l->transport == SBC_TRANSPORT_TLS) {
		if (l->certificate == NULL)
			sbc_cfg_error(ctx, path, "certificate", "required with transport tls");
		if (l->private_key == NULL)
			sbc_cfg_error(ctx, path, "private_key", "required with transport tls");
		if (l->verify_peer && l->ca_file == NULL)
			sbc_cfg_error(ctx, path, "ca_file", "required with verify_peer");
	} else if (l->certificate || l->private_key || l->ca_file) {
		sbc_cfg_error(ctx, path, l->certificate ? "certificate" :
			      l->private_key ? "private_key" : "ca_file",
			      "only allowed with transport tls");
	}
}

static void check_sip_if(struct sbc_cfg_ctx *ctx, const void *obj, const char *path)
{
	const struct sbc_cfg_sip_if *si = obj;
	char key[64];

	FOR_PAIRS(i, j, si->n_listen) {
		if (si->listen[i].port == si->listen[j].port &&
		    (si->listen[i].transport == SBC_TRANSPORT_UDP) ==
		    (si->listen[j].transport == SBC_TRANSPORT_UDP)) {
			snprintf(key, sizeof(key), "listen[%u].port", j);
			sbc_cfg_error(ctx, path, key, "port %u already used by listen[%u]",
				      si->listen[j].port, i);
		}
	}
}

static void check_trunk(struct sbc_cfg_ctx *ctx, const void *obj, const char *path)
{
	const struct sbc_cfg_trunk *t = obj;

	if (t->srtp != SBC_SRTP_OFF && t->transport != SBC_TRANSPORT_TLS)
		sbc_cfg_error(ctx, path, "srtp",
			      "%s needs transport tls: SDES keys are only sent over TLS",
			      sbc_srtp_policy_name(t->srtp));
	if ((t->trunk_key == NULL) != (t->trunk_group_id == NULL))
		sbc_cfg_error(ctx, path, t->trunk_key ? "trunk_key" : "trunk_group_id",
			      "trunk_group_id and trunk_key go together");
	if (t->cpm_burst > t->cpm_limit)
		sbc_cfg_error(ctx, path, "cpm_burst", "%u is more than cpm_limit (%u)",
			      t->cpm_burst, t->cpm_limit);
	if ((t->tls_ca_file != NULL || t->n_tls_pins > 0) && t->transport != SBC_TRANSPORT_TLS)
		sbc_cfg_error(ctx, path, t->tls_ca_file != NULL ? "tls_ca_file" : "tls_pin_sha256",
			      "only with transport tls");
}

/* 64 hex digits, pairs optionally separated by ':' (a SHA-256 fingerprint). */
static int check_pin(const void *v, char *why, size_t len)
{
	const char *s = *(char *const *)v;
	unsigned int digits = 0;

	for (; *s != '\0'; s++) {
		if (isxdigit((unsigned char)*s))
			digits++;
		else if (*s != ':' || digits % 2 != 0)
			break;
	}
	if (*s == '\0' && digits == 64)
		return 0;
	snprintf(why, len, "not a SHA-256 fingerprint (64 hex digits, ':' between pairs allowed)");
	return -1;
}

static const struct sbc_cfg_sip_if *sbc_config_sip_if(const struct sbc_config *cfg,
						      const char *name);

static bool sip_if_has_tls(const struct sbc_cfg_sip_if *si)
{
	for (uint32_t i = 0; i < si->n_listen; i++)
		if (si->listen[i].transport == SBC_TRANSPORT_TLS)
			return true;
	return false;
}

/* Cross-references between sections. */
static void check_root(struct sbc_cfg_ctx *ctx, const void *obj, const char *path)
{
	const struct sbc_config *cfg = obj;
	char key[96];

	(void)path;
	FOR_PAIRS(i, j, cfg->sip.n_interfaces) {
		if (strcmp(cfg->sip.interfaces[i].name, cfg->sip.interfaces[j].name) == 0) {
			snprintf(key, sizeof(key), "sip.interfaces[%u].name", j);
			sbc_cfg_error(ctx, "", key, "interface '%s' defined twice",
				      cfg->sip.interfaces[j].name);
		}
	}
	for (uint32_t i = 0; i < cfg->sip.n_interfaces; i++) {
		const struct sbc_cfg_sip_if *si = &cfg->sip.interfaces[i];
		const struct sbc_cfg_media_if *mi = sbc_config_media_if(cfg, si->media_interface);

		snprintf(key, sizeof(key), "sip.interfaces[%u].media_interface", i);
		if (mi == NULL)
			sbc_cfg_error(ctx, "", key, "no media interface named '%s' in "
				      "dataplane.interfaces", si->media_interface);
		else if ((si->address.family == 4 ? mi->ipv4.ip.family : mi->ipv6.ip.family) == 0)
			sbc_cfg_error(ctx, "", key, "'%s' has no IPv%u address (signalling and "
				      "media use the same family)", mi->name, si->address.family);
	}
	FOR_PAIRS(i, j, cfg->n_trunks) {
		if (strcmp(cfg->trunks[i].name, cfg->trunks[j].name) == 0) {
			snprintf(key, sizeof(key), "trunks[%u].name", j);
			sbc_cfg_error(ctx, "", key, "trunk '%s' defined twice",
				      cfg->trunks[j].name);
		}
	}
	for (uint32_t i = 0; i < cfg->n_trunks; i++) {
		const struct sbc_cfg_trunk *t = &cfg->trunks[i];
		const struct sbc_cfg_sip_if *si = sbc_config_sip_if(cfg, t->interface);

		if (si == NULL) {
			snprintf(key, sizeof(key), "trunks[%u].interface", i);
			sbc_cfg_error(ctx, "", key, "no SIP interface named '%s'", t->interface);
			continue;
		}
		if (si->side != t->side) {
			snprintf(key, sizeof(key), "trunks[%u].side", i);
			sbc_cfg_error(ctx, "", key, "trunk is %s but interface '%s' is %s",
				      sbc_side_name(t->side), si->name, sbc_side_name(si->side));
		}
		if ((t->transport == SBC_TRANSPORT_TLS || t->trunk_key) && !sip_if_has_tls(si)) {
			snprintf(key, sizeof(key), "trunks[%u].%s", i,
				 t->trunk_key ? "trunk_key" : "transport");
			sbc_cfg_error(ctx, "", key, "interface '%s' has no tls listener",
				      si->name);
		}
	}
	FOR_PAIRS(i, j, cfg->n_tenants) {
		if (strcmp(cfg->tenants[i].domain, cfg->tenants[j].domain) == 0) {
			snprintf(key, sizeof(key), "tenants[%u].domain", j);
			sbc_cfg_error(ctx, "", key, "domain already used by tenant '%s'",
				      cfg->tenants[i].name);
		}
	}
	for (uint32_t i = 0; i < cfg->n_tenants; i++) {
		const struct sbc_cfg_trunk *t = sbc_config_trunk(cfg, cfg->tenants[i].trunk);

		snprintf(key, sizeof(key), "tenants[%u].trunk", i);
		if (t == NULL)
			sbc_cfg_error(ctx, "", key, "no trunk named '%s'", cfg->tenants[i].trunk);
		else if (t->side != SBC_SIDE_ENTERPRISE)
			sbc_cfg_error(ctx, "", key, "'%s' is not an enterprise trunk", t->name);
	}
}

/* ------------------------------------------------------------------ */
/* Tables                                                              */

static const struct sbc_cfg_field port_fields[] = {
	ROW("name", SBC_CFG_STRING, struct sbc_cfg_port, name, .flags = REQ, .min = 1,
	    .max = 31, .check = check_name, .doc = "Name that interfaces refer to."),
	ROW("device", SBC_CFG_STRING, struct sbc_cfg_port, device, .flags = REQ, .min = 1,
	    .max = 255, .check = check_device,
	    .doc = "PCI address (`0000:03:00.0`, bound with dpdk-devbind.py) or vdev "
		   "string (`net_af_packet0,iface=eth1`, `net_tap0`, `net_ring0`, ...)."),
	ROW("rx_desc", SBC_CFG_U32, struct sbc_cfg_port, rx_desc, .min = 64, .max = 16384,
	    .def = "1024", .doc = "RX descriptors per queue."),
	ROW("tx_desc", SBC_CFG_U32, struct sbc_cfg_port, tx_desc, .min = 64, .max = 16384,
	    .def = "1024", .doc = "TX descriptors per queue."),
};
static const struct sbc_cfg_section port_section = {
	"port", sizeof(struct sbc_cfg_port), port_fields, NFIELDS(port_fields), NULL,
	"A DPDK port owned by the data plane.",
};

static const struct sbc_cfg_field media_if_fields[] = {
	ROW("name", SBC_CFG_STRING, struct sbc_cfg_media_if, name, .flags = REQ, .min = 1,
	    .max = 31, .check = check_name, .doc = "Name SIP interfaces refer to."),
	ROW("port", SBC_CFG_STRING, struct sbc_cfg_media_if, port, .flags = REQ, .min = 1,
	    .max = 31, .doc = "The `dataplane.ports[]` entry carrying it."),
	ROW("ipv4", SBC_CFG_IFADDR, struct sbc_cfg_media_if, ipv4, .flags = SBC_CFG_F_IPV4,
	    .doc = "IPv4 address/prefix the data plane owns (answers ARP, ICMP)."),
	ROW("ipv6", SBC_CFG_IFADDR, struct sbc_cfg_media_if, ipv6, .flags = SBC_CFG_F_IPV6,
	    .doc = "IPv6 address/prefix the data plane owns (answers NDP, ICMPv6)."),
	ROW("gateway4", SBC_CFG_IP, struct sbc_cfg_media_if, gateway4, .flags = SBC_CFG_F_IPV4,
	    .doc = "IPv4 next hop for destinations outside the subnet."),
	ROW("gateway6", SBC_CFG_IP, struct sbc_cfg_media_if, gateway6, .flags = SBC_CFG_F_IPV6,
	    .doc = "IPv6 next hop for destinations outside the subnet."),
	ROW("mtu", SBC_CFG_U32, struct sbc_cfg_media_if, mtu, .min = 576, .max = 9000,
	    .def = "1500", .doc = "IP MTU."),
	ROW("media_ports", SBC_CFG_PORT_RANGE, struct sbc_cfg_media_if, media_ports,
	    .def = "20000-29999", .doc = "Local UDP ports handed out for RTP/RTCP pairs."),
};
static const struct sbc_cfg_section media_if_section = {
	"media interface", sizeof(struct sbc_cfg_media_if), media_if_fields,
	NFIELDS(media_if_fields), check_media_if,
	"Addresses the data plane owns and anchors media on.",
};

static const struct sbc_cfg_field dataplane_fields[] = {
	LIST_OF("eal", SBC_CFG_STRING, struct sbc_cfg_dataplane, eal, .items_max = 64,
		.min = 1, .max = 255, .check = check_eal_arg,
		.doc = "Extra EAL arguments (`--no-huge`, `-m 512`, `--in-memory`, ...). "
		       "Cores and devices come from the keys below."),
	ROW("main_lcore", SBC_CFG_U32, struct sbc_cfg_dataplane, main_lcore, .min = 0,
	    .max = 1023, .def = "0", .doc = "Control thread and API server lcore."),
	LIST_OF("workers", SBC_CFG_U32, struct sbc_cfg_dataplane, workers, .flags = REQ,
		.items_min = 1, .items_max = 128, .min = 0, .max = 1023,
		.doc = "Worker lcores, one RX/TX queue pair per port each."),
	LIST_OF("ports", SBC_CFG_SECTION, struct sbc_cfg_dataplane, ports, .flags = REQ,
		.items_min = 1, .items_max = 16, .section = &port_section,
		.doc = "DPDK ports."),
	LIST_OF("interfaces", SBC_CFG_SECTION, struct sbc_cfg_dataplane, interfaces,
		.flags = REQ, .items_min = 1, .items_max = 64, .section = &media_if_section,
		.doc = "Media interfaces."),
	ROW("mempool_size", SBC_CFG_U32, struct sbc_cfg_dataplane, mempool_size,
	    .min = 1023, .max = 16777215, .def = "65535", .doc = "mbufs in the packet pool."),
	ROW("mbuf_cache_size", SBC_CFG_U32, struct sbc_cfg_dataplane, mbuf_cache_size,
	    .min = 0, .max = 512, .def = "256", .doc = "Per-lcore mempool cache."),
	ROW("stream_table_size", SBC_CFG_U32, struct sbc_cfg_dataplane, stream_table_size,
	    .min = 64, .max = 1900000, .def = "1048576",
	    .doc = "Streams (local endpoints) the table holds; memory is preallocated."),
	ROW("burst_size", SBC_CFG_U32, struct sbc_cfg_dataplane, burst_size, .min = 1,
	    .max = 64, .def = "32", .doc = "Packets per RX burst."),
	ROW("drain_timeout_s", SBC_CFG_U32, struct sbc_cfg_dataplane, drain_timeout_s,
	    .max = 86400, .def = "0",
	    .doc = "On SIGTERM with sessions up: no new endpoints (ALLOC answered ESHUTDOWN), "
		   "the sessions are relayed until released or this many seconds pass. 0: stop "
		   "at once. A second SIGTERM, or SIGINT, stops at once."),
	ROW("tx_drain_us", SBC_CFG_U32, struct sbc_cfg_dataplane, tx_drain_us, .min = 1,
	    .max = 10000, .def = "100", .doc = "Flush partially filled TX buffers after this long."),
	ROW("idle_backoff_us", SBC_CFG_U32, struct sbc_cfg_dataplane, idle_backoff_us,
	    .min = 0, .max = 100000, .def = "0",
	    .doc = "Sleep this long after an empty poll; 0 = pure poll (production)."),
	ROW("media_timeout_ms", SBC_CFG_U32, struct sbc_cfg_dataplane, media_timeout_ms,
	    .flags = RELOAD, .min = 0, .max = 3600000, .def = "30000",
	    .doc = "Default media timeout for new sessions; 0 = none."),
	ROW("api_socket", SBC_CFG_STRING, struct sbc_cfg_dataplane, api_socket, .min = 2,
	    .max = 107, .def = "/run/rampart/dataplane.sock", .check = check_abs_path,
	    .doc = "UNIX SOCK_SEQPACKET socket of the control/data API."),
	ROW("srtp_engine", SBC_CFG_ENUM, struct sbc_cfg_dataplane, srtp_engine,
	    .enums = engine_names, .def = "libsrtp2",
	    .doc = "SRTP implementation on the workers."),
	ROW("srtp_cryptodev", SBC_CFG_STRING, struct sbc_cfg_dataplane, srtp_cryptodev,
	    .min = 1, .max = 63,
	    .doc = "Crypto driver of the cryptodev engine: a device the EAL probed (QAT or mlx5 "
		   "hardware through `eal: [-a, PCI]`, e.g. `crypto_qat`) or a software vdev "
		   "created on demand; absent: `crypto_aesni_mb`, else `crypto_openssl`."),
	ROW("srtp_auth_burst", SBC_CFG_U32, struct sbc_cfg_dataplane, srtp_auth_burst,
	    .min = 1, .max = 1000000, .def = "50",
	    .doc = "SRTP authentication failures per second on one stream that raise an event."),
	ROW("telemetry", SBC_CFG_BOOL, struct sbc_cfg_dataplane, telemetry, .def = "true",
	    .doc = "Register `/rampart/...` DPDK telemetry commands."),
	ROW("pdump", SBC_CFG_BOOL, struct sbc_cfg_dataplane, pdump, .def = "true",
	    .doc = "Initialise rte_pdump so dpdk-dumpcap can capture media ports."),
};
static const struct sbc_cfg_section dataplane_section = {
	"dataplane", sizeof(struct sbc_cfg_dataplane), dataplane_fields,
	NFIELDS(dataplane_fields), check_dataplane,
	"The DPDK media process (`sbc-dataplane`).",
};

static const struct sbc_cfg_field sip_listen_fields[] = {
	ROW("transport", SBC_CFG_ENUM, struct sbc_cfg_sip_listen, transport, .flags = REQ,
	    .enums = transport_names, .doc = "Transport."),
	ROW("port", SBC_CFG_U32, struct sbc_cfg_sip_listen, port, .min = 1, .max = 65535,
	    .flags = REQ, .doc = "Listening port (5060 for UDP/TCP, 5061 for TLS)."),
	ROW("certificate", SBC_CFG_PATH, struct sbc_cfg_sip_listen, certificate, .min = 1,
	    .max = 4095, .doc = "TLS: PEM certificate chain."),
	ROW("private_key", SBC_CFG_PATH, struct sbc_cfg_sip_listen, private_key, .min = 1,
	    .max = 4095, .doc = "TLS: PEM private key."),
	ROW("ca_file", SBC_CFG_PATH, struct sbc_cfg_sip_listen, ca_file, .min = 1,
	    .max = 4095, .doc = "TLS: CA bundle the certificates of clients (`verify_peer`) and "
	    "of the servers we connect to are checked against; absent: the system's trust "
	    "store (" SBC_SYSTEM_CA_BUNDLE ") for servers."),
	ROW("verify_peer", SBC_CFG_BOOL, struct sbc_cfg_sip_listen, verify_peer,
	    .def = "false", .doc = "TLS: require and verify a client certificate (mutual TLS)."),
	ROW("verify_server", SBC_CFG_BOOL, struct sbc_cfg_sip_listen, verify_server,
	    .def = "true", .doc = "TLS: verify the servers this interface connects to: RFC 5280 "
	    "path to `ca_file` (else the system's trust store), dates, and the name dialled "
	    "in subjectAltName (CN only without SANs).  `false` is for labs only (warned at "
	    "start)."),
};
static const struct sbc_cfg_section sip_listen_section = {
	"listener", sizeof(struct sbc_cfg_sip_listen), sip_listen_fields,
	NFIELDS(sip_listen_fields), check_sip_listen, "One SIP transport listener.",
};

static const struct sbc_cfg_field sip_if_fields[] = {
	ROW("name", SBC_CFG_STRING, struct sbc_cfg_sip_if, name, .flags = REQ, .min = 1,
	    .max = 31, .check = check_name, .doc = "Name trunks refer to."),
	ROW("side", SBC_CFG_ENUM, struct sbc_cfg_sip_if, side, .flags = REQ,
	    .enums = side_names, .doc = "Which side this interface faces."),
	ROW("address", SBC_CFG_IP, struct sbc_cfg_sip_if, address, .flags = REQ,
	    .doc = "Local address to bind (kernel sockets)."),
	ROW("advertise", SBC_CFG_STRING, struct sbc_cfg_sip_if, advertise,
	    .min = 1, .max = 253, .check = check_advertise,
	    .doc = "Public name or address behind NAT, put in Via, Contact, From, Call-ID and "
	    "Warning instead of `address` (which is still bound); an address of the "
	    "interface's family also goes in the SDP (c=, o=) of this side's calls."),
	LIST_OF("listen", SBC_CFG_SECTION, struct sbc_cfg_sip_if, listen, .flags = REQ,
		.items_min = 1, .items_max = 8, .section = &sip_listen_section,
		.doc = "Transports and ports."),
	ROW("media_interface", SBC_CFG_STRING, struct sbc_cfg_sip_if, media_interface,
	    .flags = REQ, .min = 1, .max = 31,
	    .doc = "`dataplane.interfaces[]` entry anchoring this side's media."),
};
static const struct sbc_cfg_section sip_if_section = {
	"SIP interface", sizeof(struct sbc_cfg_sip_if), sip_if_fields, NFIELDS(sip_if_fields),
	check_sip_if, "A signalling interface facing one side.",
};

static const struct sbc_cfg_field pike_fields[] = {
	ROW("enabled", SBC_CFG_BOOL, struct sbc_cfg_pike, enabled, .flags = RELOAD,
	    .def = "true", .doc = "Count and block flooding sources."),
	ROW("threshold", SBC_CFG_U32, struct sbc_cfg_pike, threshold, .flags = RELOAD,
	    .min = 1, .max = 1000000, .def = "30",
	    .doc = "Requests a source may send per window; more start a block."),
	ROW("window_ms", SBC_CFG_U32, struct sbc_cfg_pike, window_ms, .flags = RELOAD,
	    .min = 100, .max = 3600000, .def = "2000", .doc = "Counting window."),
	ROW("block_ms", SBC_CFG_U32, struct sbc_cfg_pike, block_ms, .flags = RELOAD,
	    .min = 1000, .max = 86400000, .def = "60000",
	    .doc = "How long a source stays blocked after its last request over the limit."),
	ROW("entries", SBC_CFG_U32, struct sbc_cfg_pike, entries, .min = 1024,
	    .max = 16777216, .def = "65536",
	    .doc = "Sources tracked (a power of two is used; 64 bytes each, allocated at "
		   "start)."),
	ROW("ipv6_prefix_len", SBC_CFG_U32, struct sbc_cfg_pike, ipv6_prefix_len,
	    .flags = RELOAD, .min = 32, .max = 128, .def = "64",
	    .doc = "IPv6 sources are counted per prefix of this length."),
	ROW("unknown_reply_rate", SBC_CFG_U32, struct sbc_cfg_pike, unknown_reply_rate,
	    .flags = RELOAD, .min = 0, .max = 100000, .def = "50",
	    .doc = "Stateless refusals (403) sent per second to sources no trunk knows, all "
		   "sources together (a burst of the same size); past it they are dropped "
		   "unanswered. 0: never answer them."),
	ROW("max_headers", SBC_CFG_U32, struct sbc_cfg_pike, max_headers, .flags = RELOAD,
	    .min = 16, .max = 4096, .def = "128",
	    .doc = "Header lines a UDP message may have; one with more is dropped before it "
		   "is parsed (the parser's time grows faster than the count)."),
};
static const struct sbc_cfg_section pike_section = {
	"pike", sizeof(struct sbc_cfg_pike), pike_fields, NFIELDS(pike_fields), NULL,
	"Per-source request-rate limit (unauthenticated requests).",
};

static void check_sip_limits(struct sbc_cfg_ctx *ctx, const void *obj, const char *path)
{
	const struct sbc_cfg_sip_limits *l = obj;

	if (l->max_connections_per_source > l->max_connections)
		sbc_cfg_error(ctx, path, "max_connections_per_source",
			      "%u is more than max_connections (%u)",
			      l->max_connections_per_source, l->max_connections);
}

static const struct sbc_cfg_field sip_limits_fields[] = {
	ROW("max_connections", SBC_CFG_U32, struct sbc_cfg_sip_limits, max_connections,
	    .min = 16, .max = 1000000, .def = "4096",
	    .doc = "TCP and TLS connections accepted and open at once, all interfaces "
		   "together; past it a new one is reset at once (calls and connections "
		   "already up are not touched).  Lowered to fit the descriptors "
		   "(RLIMIT_NOFILE, raised to its hard limit at start)."),
	ROW("max_connections_per_source", SBC_CFG_U32, struct sbc_cfg_sip_limits,
	    max_connections_per_source, .min = 1, .max = 1000000, .def = "128",
	    .doc = "The same from one source address (IPv6: per `sip.pike.ipv6_prefix_len` "
		   "prefix)."),
	ROW("idle_timeout_s", SBC_CFG_U32, struct sbc_cfg_sip_limits, idle_timeout_s,
	    .min = 1, .max = 86400, .def = "30",
	    .doc = "A TCP or TLS connection with no transaction open and nothing sent or "
		   "received for this long is closed, ours and our peers' alike (also a "
		   "message that stops arriving halfway, or an accepted connection that "
		   "never sends a byte)."),
	ROW("tls_handshake_timeout_s", SBC_CFG_U32, struct sbc_cfg_sip_limits,
	    tls_handshake_timeout_s, .min = 1, .max = 300, .def = "10",
	    .doc = "An accepted TLS connection whose handshake is not done this long after "
		   "the accept is closed."),
	ROW("max_message_bytes", SBC_CFG_U32, struct sbc_cfg_sip_limits, max_message_bytes,
	    .min = 8192, .max = 16777216, .def = "65536",
	    .doc = "Largest SIP message read, headers and body; a larger request gets 413 "
		   "and its TCP or TLS connection is closed."),
};
static const struct sbc_cfg_section sip_limits_section = {
	"limits", sizeof(struct sbc_cfg_sip_limits), sip_limits_fields,
	NFIELDS(sip_limits_fields), check_sip_limits,
	"What TCP and TLS peers may hold: connections, their idle time, message size.",
};

static const struct sbc_cfg_field sip_fields[] = {
	LIST_OF("interfaces", SBC_CFG_SECTION, struct sbc_cfg_sip, interfaces, .flags = REQ,
		.items_min = 1, .items_max = 16, .section = &sip_if_section,
		.doc = "SIP interfaces."),
	ROW("user_agent", SBC_CFG_STRING, struct sbc_cfg_sip, user_agent, .flags = RELOAD,
	    .min = 1, .max = 63, .def = "Rampart", .doc = "User-Agent / Server header value."),
	ROW("t1_ms", SBC_CFG_U32, struct sbc_cfg_sip, t1_ms, .min = 100, .max = 5000,
	    .def = "500", .doc = "RFC 3261 T1; timers B, F and H are 64*T1."),
	ROW("max_forwards", SBC_CFG_U32, struct sbc_cfg_sip, max_forwards, .flags = RELOAD,
	    .min = 1, .max = 255, .def = "70",
	    .doc = "Max-Forwards on requests we originate; a forwarded INVITE carries the "
		    "caller's less one, at most this (0 from the caller: 483)."),
	ROW("drain_timeout_s", SBC_CFG_U32, struct sbc_cfg_sip, drain_timeout_s, .flags = RELOAD,
	    .max = 86400, .def = "0",
	    .doc = "On SIGTERM with calls up: new calls and OPTIONS get 503, the calls go on "
		   "until they end or this many seconds pass, then the rest are ended (BYE). 0: "
		   "end them at once. A second SIGTERM, or SIGINT, stops at once."),
	ROW("metrics_address", SBC_CFG_IP, struct sbc_cfg_sip, metrics_address,
	    .doc = "Local address of the Prometheus endpoint (HTTP GET /metrics, "
		   "docs/monitoring.md); unset: none. Keep it on a management network or "
		   "loopback: it has no authentication."),
	ROW("metrics_port", SBC_CFG_U32, struct sbc_cfg_sip, metrics_port, .min = 1,
	    .max = 65535, .def = "9464", .doc = "TCP port of the Prometheus endpoint."),
	ROW("control_socket", SBC_CFG_STRING, struct sbc_cfg_sip, control_socket, .min = 2,
	    .max = 107, .def = "/run/rampart/controlplane.sock", .check = check_abs_path,
	    .doc = "UNIX stream socket (mode 0600) where `sbcctl` reaches `sbc-controlplane`."),
	ROW("unknown_source", SBC_CFG_ENUM, struct sbc_cfg_sip, unknown_source,
	    .flags = RELOAD, .enums = unknown_source_names, .def = "reject",
	    .doc = "Requests no trunk admits (source, trunk key, digest): `reject` answers "
		   "403, `drop` sends nothing."),
	LIST_OF("digest_algorithms", SBC_CFG_ENUM, struct sbc_cfg_sip, digest_algorithms,
		.flags = RELOAD, .items_max = 2, .enums = digest_alg_names, .def = "SHA-256, MD5",
		.doc = "Algorithms of our digest challenges, one challenge each, in this order "
		       "(RFC 8760: most preferred first; some PBXs only read the first)."),
	ROW("digest_nonce_ttl_s", SBC_CFG_U32, struct sbc_cfg_sip, digest_nonce_ttl_s,
	    .flags = RELOAD, .min = 10, .max = 3600, .def = "300",
	    .doc = "Lifetime of the nonces in our digest challenges; older ones get "
		   "`stale=true`."),
	LIST_OF("resolvers", SBC_CFG_IP, struct sbc_cfg_sip, resolvers, .items_max = 4,
		.doc = "DNS servers the control plane asks (port 53), queried asynchronously "
		       "on its event loop; empty = the system's (`/etc/resolv.conf`).  "
		       "`sbcctl resolve NAME` asks them."),
	/* Not RELOAD as a whole: its keys say which may change (entries may not). */
	SECTION("pike", struct sbc_cfg_sip, pike, pike_section,
		.doc = "Per-source request-rate limit for unauthenticated traffic."),
	SECTION("limits", struct sbc_cfg_sip, limits, sip_limits_section,
		.doc = "Connection limits and timeouts for TCP and TLS (docs/security.md, "
		       "\"Connections\"); not reloadable: a SIGHUP that changes them is "
		       "refused."),
};
static const struct sbc_cfg_section sip_section = {
	"sip", sizeof(struct sbc_cfg_sip), sip_fields, NFIELDS(sip_fields), NULL,
	"The Sofia-SIP control plane (`sbc-controlplane`).",
};

static const struct sbc_cfg_field cred_fields[] = {
	ROW("username", SBC_CFG_STRING, struct sbc_cfg_credentials, username, .flags = REQ,
	    .min = 1, .max = 128, .doc = "Digest user name."),
	ROW("password", SBC_CFG_SECRET, struct sbc_cfg_credentials, password, .flags = REQ,
	    .min = 1, .max = 256, .doc = "Digest password (secret)."),
	ROW("realm", SBC_CFG_STRING, struct sbc_cfg_credentials, realm, .min = 1, .max = 128,
	    .doc = "Realm to answer; any realm when unset."),
};
static const struct sbc_cfg_section cred_section = {
	"credentials", sizeof(struct sbc_cfg_credentials), cred_fields, NFIELDS(cred_fields),
	NULL, "Digest credentials for 401/407 challenges from this trunk.",
};

static const struct sbc_cfg_field inbound_auth_fields[] = {
	ROW("username", SBC_CFG_STRING, struct sbc_cfg_credentials, username, .flags = REQ,
	    .min = 1, .max = 128, .doc = "User name the PBX must present."),
	ROW("password", SBC_CFG_SECRET, struct sbc_cfg_credentials, password, .flags = REQ,
	    .min = 16, .max = 256,
	    .doc = "Its password (secret; at least 64 random bits, SIPconnect 16.6.1)."),
	ROW("realm", SBC_CFG_STRING, struct sbc_cfg_credentials, realm, .flags = REQ,
	    .min = 1, .max = 128, .doc = "Realm of our challenges."),
};
static const struct sbc_cfg_section inbound_auth_section = {
	"inbound_auth", sizeof(struct sbc_cfg_credentials), inbound_auth_fields,
	NFIELDS(inbound_auth_fields), NULL,
	"Digest credentials Rampart challenges this trunk's PBX for (401/407).",
};

static const struct sbc_cfg_field trunk_fields[] = {
	ROW("name", SBC_CFG_STRING, struct sbc_cfg_trunk, name, .flags = REQ, .min = 1,
	    .max = 31, .check = check_name, .doc = "Trunk name (CDRs, sbcctl, telemetry)."),
	ROW("side", SBC_CFG_ENUM, struct sbc_cfg_trunk, side, .flags = REQ, .enums = side_names,
	    .doc = "`carrier` or `enterprise`; must match its interface."),
	ROW("interface", SBC_CFG_STRING, struct sbc_cfg_trunk, interface, .flags = REQ,
	    .min = 1, .max = 31, .doc = "`sip.interfaces[]` entry it is reached on."),
	LIST_OF("sources", SBC_CFG_CIDR, struct sbc_cfg_trunk, sources, .flags = RELOAD,
		.items_max = 256, .doc = "Inbound allow-list: source networks of this trunk."),
	LIST_OF("targets", SBC_CFG_STRING, struct sbc_cfg_trunk, targets, .flags = RELOAD,
		.items_max = 16, .min = 1, .max = 255, .check = check_target,
		.doc = "Where calls toward this trunk go, in order of preference."),
	ROW("transport", SBC_CFG_ENUM, struct sbc_cfg_trunk, transport, .flags = RELOAD,
	    .enums = transport_names, .def = "udp", .doc = "Transport toward the targets."),
	ROW("failover_targets", SBC_CFG_U32, struct sbc_cfg_trunk, failover_targets,
	    .flags = RELOAD, .min = 1, .max = 16, .def = "4",
	    .doc = "Resolved destinations one call tries at most (timeout, transport error, 503)."),
	ROW("failover_time_ms", SBC_CFG_U32, struct sbc_cfg_trunk, failover_time_ms,
	    .flags = RELOAD, .min = 0, .max = 600000, .def = "30000",
	    .doc = "No new attempt this long after the first; 0 = no bound."),
	ROW("srtp", SBC_CFG_ENUM, struct sbc_cfg_trunk, srtp, .flags = RELOAD,
	    .enums = srtp_names, .def = "off", .doc = "SRTP policy on this trunk's leg."),
	ROW("late_offer", SBC_CFG_ENUM, struct sbc_cfg_trunk, late_offer, .flags = RELOAD,
	    .enums = late_offer_names, .def = "relay",
	    .doc = "A call toward this trunk whose caller sent no SDP (late offer): `relay` "
		   "sends the INVITE without SDP, anchors the offer in this trunk's 200 and "
		   "relays the caller's answer in our ACK (RFC 3261 13.2.1); `offer` sends our "
		   "own offer with the trunk's codecs (for trunks that require an early "
		   "offer)."),
	ROW("latching", SBC_CFG_ENUM, struct sbc_cfg_trunk, latching, .flags = RELOAD,
	    .enums = latching_names, .def = "learn",
	    .doc = "Media source latching (symmetric RTP)."),
	ROW("relearn_gap_ms", SBC_CFG_U32, struct sbc_cfg_trunk, relearn_gap_ms,
	    .flags = RELOAD, .min = 20, .max = 60000, .def = "1000",
	    .doc = "`relearn`: quiet time after which the source may move."),
	ROW("learn_from", SBC_CFG_ENUM, struct sbc_cfg_trunk, learn_from, .flags = RELOAD,
	    .enums = learn_from_names, .def = "address",
	    .doc = "`learn`/`relearn`: which sources may latch: the SDP address (any port), "
		   "its /24 (IPv6 /64), the signalling peer's address, or `any` (a peer "
		   "behind NAT; anyone who sends first takes the call's media). A packet from "
		   "outside is dropped (`learn_refused`) and the leg keeps its SDP address."),
	ROW("cpm_limit", SBC_CFG_U32, struct sbc_cfg_trunk, cpm_limit, .flags = RELOAD,
	    .min = 1, .max = 1000000, .def = "200", .doc = "Calls per minute admitted."),
	ROW("cpm_burst", SBC_CFG_U32, struct sbc_cfg_trunk, cpm_burst, .flags = RELOAD,
	    .min = 1, .max = 1000000, .def = "10", .doc = "Token bucket depth (calls)."),
	ROW("max_concurrent", SBC_CFG_U32, struct sbc_cfg_trunk, max_concurrent,
	    .flags = RELOAD, .min = 0, .max = 10000000, .def = "0",
	    .doc = "Concurrent calls; 0 = unlimited."),
	LIST_OF("codecs", SBC_CFG_ENUM, struct sbc_cfg_trunk, codecs, .flags = RELOAD,
		.items_max = 8, .enums = codec_names,
		.doc = "Codec filter in preference order; empty = pass what is offered."),
	SECTION("credentials", struct sbc_cfg_trunk, credentials, cred_section,
		.flags = RELOAD, .doc = "Outbound digest credentials."),
	SECTION("inbound_auth", struct sbc_cfg_trunk, inbound_auth, inbound_auth_section,
		.flags = RELOAD, .doc = "Challenge this trunk's requests (digest); absent = "
		"no challenge."),
	ROW("trunk_group_id", SBC_CFG_STRING, struct sbc_cfg_trunk, trunk_group_id,
	    .flags = RELOAD, .min = 1, .max = 64,
	    .doc = "Inbound `X-Terminating-Trunk-Group-Id` (TLS only)."),
	ROW("trunk_key", SBC_CFG_SECRET, struct sbc_cfg_trunk, trunk_key, .flags = RELOAD,
	    .min = 16, .max = 256, .doc = "Inbound `X-Trunk-Key` (secret, TLS only)."),
	ROW("tls_ca_file", SBC_CFG_PATH, struct sbc_cfg_trunk, tls_ca_file, .flags = RELOAD,
	    .min = 1, .max = 4095,
	    .doc = "TLS: the CA bundle this trunk's servers are checked against, in place of "
	    "the interface's `ca_file` or the system's store."),
	LIST_OF("tls_pin_sha256", SBC_CFG_STRING, struct sbc_cfg_trunk, tls_pins, .flags = RELOAD,
		.items_max = 4, .min = 64, .max = 95, .check = check_pin,
		.doc = "TLS: SHA-256 fingerprints of the server certificates accepted (pinning, "
		"on top of the path and name checks); empty = any that passes them."),
	ROW("options_interval_s", SBC_CFG_U32, struct sbc_cfg_trunk, options_interval_s,
	    .flags = RELOAD, .min = 0, .max = 3600, .def = "0",
	    .doc = "OPTIONS keepalive to each resolved destination, every this many seconds; "
	    "0 = off."),
	ROW("options_down_after", SBC_CFG_U32, struct sbc_cfg_trunk, options_down_after,
	    .flags = RELOAD, .min = 1, .max = 100, .def = "3",
	    .doc = "Keepalive failures in a row (408, 503, no transport) that mark a "
	    "destination down: calls skip it."),
	ROW("options_up_after", SBC_CFG_U32, struct sbc_cfg_trunk, options_up_after,
	    .flags = RELOAD, .min = 1, .max = 100, .def = "2",
	    .doc = "Keepalive answers in a row that bring a down destination back."),
	ROW("trusted", SBC_CFG_BOOL, struct sbc_cfg_trunk, trusted, .flags = RELOAD,
	    .def = "false", .doc = "Peer is in the trust domain for P-Asserted-Identity."),
	ROW("from_special_arrangement", SBC_CFG_BOOL, struct sbc_cfg_trunk,
	    from_special_arrangement, .flags = RELOAD, .def = "false",
	    .doc = "UK: From is not screened against Network Numbers."),
	ROW("refer", SBC_CFG_ENUM, struct sbc_cfg_trunk, refer, .flags = RELOAD,
	    .enums = refer_names, .def = "reject",
	    .doc = "A REFER (RFC 3515, call transfer) from this trunk's peer in a call: "
	    "`reject` answers 405 and leaves REFER out of the Allow of this trunk's dialogs "
	    "(a PBX then transfers by itself); `local` accepts it (202) and the SBC makes the "
	    "transfer: a new INVITE to the Refer-To user, routed as a call from the other "
	    "leg's trunk to the Refer-To host, with NOTIFYs of its progress "
	    "(message/sipfrag); on its 200 the other party is re-INVITEd onto the new leg "
	    "and this trunk's leg gets a BYE (docs/architecture.md \"REFER\")."),
	LIST_OF("info_content_types", SBC_CFG_STRING, struct sbc_cfg_trunk, info_content_types,
		.flags = RELOAD, .items_max = 16, .min = 3, .max = 255,
		.check = check_mime_type, .def = "application/dtmf-relay, application/dtmf",
		.doc = "INFO (RFC 6086) in an answered call is relayed to the other leg, and "
		"its final response back, when its body's Content-Type is in both trunks' "
		"lists (an INFO without a body always is); another type gets 415 with "
		"Accept from the SBC and is not relayed."),
};
static const struct sbc_cfg_section trunk_section = {
	"trunk", sizeof(struct sbc_cfg_trunk), trunk_fields, NFIELDS(trunk_fields),
	check_trunk, "A SIP trunk: a carrier, or an enterprise PBX.",
};

static const struct sbc_cfg_field tenant_fields[] = {
	ROW("name", SBC_CFG_STRING, struct sbc_cfg_tenant, name, .flags = REQ, .min = 1,
	    .max = 31, .check = check_name, .doc = "Tenant name."),
	ROW("domain", SBC_CFG_STRING, struct sbc_cfg_tenant, domain, .flags = REQ, .min = 3,
	    .max = 253, .check = check_domain,
	    .doc = "`<customer>.<region>.<domain>` matched in the Request-URI."),
	ROW("trunk", SBC_CFG_STRING, struct sbc_cfg_tenant, trunk, .flags = REQ, .min = 1,
	    .max = 31, .doc = "Enterprise trunk serving this tenant."),
	LIST_OF("network_numbers", SBC_CFG_STRING, struct sbc_cfg_tenant, network_numbers,
		.items_max = 100000, .min = 3, .max = 16, .check = check_network_number,
		.doc = "Numbers the customer may assert (UK ND1016): E.164, or a prefix "
		       "range such as `+441632960*`."),
	ROW("default_pai", SBC_CFG_STRING, struct sbc_cfg_tenant, default_pai, .min = 8,
	    .max = 16, .check = check_e164, .doc = "PAI inserted when the PBX's is not valid."),
};
static const struct sbc_cfg_section tenant_section = {
	"tenant", sizeof(struct sbc_cfg_tenant), tenant_fields, NFIELDS(tenant_fields), NULL,
	"An enterprise customer.",
};

static const struct sbc_cfg_field emergency_fields[] = {
	LIST_OF("numbers", SBC_CFG_STRING, struct sbc_cfg_emergency, numbers,
		.items_max = 32, .min = 2, .max = 16, .check = check_dial_string,
		.def = "999, 112, 911",
		.doc = "Emergency numbers (Request-URI user part, with or without "
		       "phone-context); they bypass call limits."),
};
static const struct sbc_cfg_section emergency_section = {
	"emergency", sizeof(struct sbc_cfg_emergency), emergency_fields,
	NFIELDS(emergency_fields), NULL, "Emergency call handling.",
};

static const struct sbc_cfg_field cdr_fields[] = {
	ROW("enabled", SBC_CFG_BOOL, struct sbc_cfg_cdr, enabled, .flags = RELOAD,
	    .def = "true", .doc = "Write one JSON line per call."),
	ROW("path", SBC_CFG_STRING, struct sbc_cfg_cdr, path, .flags = RELOAD, .min = 2,
	    .max = 4095, .def = "/var/log/rampart/cdr.jsonl", .check = check_abs_path,
	    .doc = "CDR file (appended)."),
};
static const struct sbc_cfg_section cdr_section = {
	"cdr", sizeof(struct sbc_cfg_cdr), cdr_fields, NFIELDS(cdr_fields), NULL,
	"Call detail records.",
};

static const struct sbc_cfg_field log_fields[] = {
	ROW("level", SBC_CFG_ENUM, struct sbc_cfg_log, level, .flags = RELOAD,
	    .enums = log_level_names, .def = "info", .doc = "Log threshold."),
};
static const struct sbc_cfg_section log_section = {
	"log", sizeof(struct sbc_cfg_log), log_fields, NFIELDS(log_fields), NULL, "Logging.",
};

static const struct sbc_cfg_field root_fields[] = {
	SECTION("dataplane", struct sbc_config, dataplane, dataplane_section, .flags = REQ,
		.doc = "Media plane."),
	SECTION("sip", struct sbc_config, sip, sip_section, .flags = REQ,
		.doc = "Signalling plane."),
	LIST_OF("trunks", SBC_CFG_SECTION, struct sbc_config, trunks, .flags = RELOAD,
		.items_max = 4096, .section = &trunk_section, .doc = "Trunks."),
	LIST_OF("tenants", SBC_CFG_SECTION, struct sbc_config, tenants, .flags = RELOAD,
		.items_max = 100000, .section = &tenant_section, .doc = "Tenants."),
	SECTION("emergency", struct sbc_config, emergency, emergency_section,
		.flags = RELOAD, .doc = "Emergency numbers."),
	SECTION("cdr", struct sbc_config, cdr, cdr_section, .doc = "CDRs."),
	SECTION("log", struct sbc_config, log, log_section, .doc = "Logging."),
};
const struct sbc_cfg_section sbc_cfg_root = {
	"rampart", sizeof(struct sbc_config), root_fields, NFIELDS(root_fields), check_root,
	"Top-level sections.",
};

/* ------------------------------------------------------------------ */
/* Look-ups                                                            */

const struct sbc_cfg_trunk *sbc_config_trunk(const struct sbc_config *cfg,
					     const char *name)
{
	for (uint32_t i = 0; i < cfg->n_trunks; i++)
		if (strcmp(cfg->trunks[i].name, name) == 0)
			return &cfg->trunks[i];
	return NULL;
}

const struct sbc_cfg_media_if *sbc_config_media_if(const struct sbc_config *cfg,
						   const char *name)
{
	for (uint32_t i = 0; i < cfg->dataplane.n_interfaces; i++)
		if (strcmp(cfg->dataplane.interfaces[i].name, name) == 0)
			return &cfg->dataplane.interfaces[i];
	return NULL;
}

static const struct sbc_cfg_sip_if *sbc_config_sip_if(const struct sbc_config *cfg,
						      const char *name)
{
	for (uint32_t i = 0; i < cfg->sip.n_interfaces; i++)
		if (strcmp(cfg->sip.interfaces[i].name, name) == 0)
			return &cfg->sip.interfaces[i];
	return NULL;
}
