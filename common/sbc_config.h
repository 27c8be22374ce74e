/* SPDX-License-Identifier: BSD-3-Clause
 * Rampart configuration: one YAML file loaded into typed, immutable structs.
 *
 * The keys, their types, bounds, defaults and whether a SIGHUP reload may
 * change them are declared once, as tables, in config_schema.c; the loader
 * (config.c) is generic over those tables.  Adding a key is adding a row
 * there and a member here.
 *
 * Threads: sbc_config_load() may run on any thread; a loaded config is never
 * modified, so any number of threads may read it without locks.  A reload
 * builds a new config and swaps pointers; the old one is freed by its owner
 * once no reader holds it.
 */
#ifndef SBC_CONFIG_H
#define SBC_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sbc_addr.h"
#include "sbc_codec.h"   /* enum sbc_codec, sbc_codec_name() */

enum sbc_side {
	SBC_SIDE_CARRIER = 0,     /* faces carrier SIP trunks */
	SBC_SIDE_ENTERPRISE = 1,  /* faces enterprise SIP-PBXs */
};

enum sbc_transport {
	SBC_TRANSPORT_UDP = 0,
	SBC_TRANSPORT_TCP = 1,
	SBC_TRANSPORT_TLS = 2,
};

enum sbc_srtp_policy {
	SBC_SRTP_OFF = 0,
	SBC_SRTP_OPTIONAL = 1,
	SBC_SRTP_MANDATORY = 2,
};

/* Same values as enum sbc_api_latching. */
enum sbc_latching {
	SBC_LATCH_STRICT = 0,
	SBC_LATCH_LEARN = 1,
	SBC_LATCH_RELEARN = 2,
};

/* A late-offer call toward a trunk (trunks[].late_offer). */
enum sbc_late_offer {
	SBC_LATE_OFFER_RELAY = 0,  /* INVITE without SDP; the trunk's offer relayed */
	SBC_LATE_OFFER_OFFER = 1,  /* our own offer with the trunk's codecs */
};

/* latching learn/relearn: which new sources may become a leg's source. */
enum sbc_learn_from {
	SBC_LEARN_ADDRESS = 0,     /* the SDP address (any port) */
	SBC_LEARN_SUBNET = 1,      /* the SDP address's /24 (IPv6 /64) */
	SBC_LEARN_SIGNALLING = 2,  /* the leg's signalling peer's address */
	SBC_LEARN_ANY = 3,         /* anywhere: a trunk behind NAT */
};

enum sbc_srtp_engine {
	SBC_SRTP_ENGINE_LIBSRTP2 = 0,
	SBC_SRTP_ENGINE_CRYPTODEV = 1,
};

/* trunks[].refer: what a REFER from this trunk's peer inside a call gets. */
enum sbc_refer_policy {
	SBC_REFER_REJECT = 0,      /* 405, Allow without REFER on this trunk's dialogs */
	SBC_REFER_LOCAL = 1,       /* the B2BUA transfers the call itself (202, NOTIFYs) */
};

/* dataplane.ports[]: a DPDK port, real NIC or vdev. */
struct sbc_cfg_port {
	char *name;
	char *device;                 /* PCI address or vdev string */
	uint32_t rx_desc;
	uint32_t tx_desc;
};

/* dataplane.interfaces[]: addresses the data plane owns on a port. */
struct sbc_cfg_media_if {
	char *name;
	char *port;                   /* name of a dataplane.ports[] entry */
	struct sbc_prefix ipv4;       /* family 0 when absent */
	struct sbc_prefix ipv6;
	struct sbc_ip gateway4;
	struct sbc_ip gateway6;
	uint32_t mtu;
	struct sbc_port_range media_ports;
};

struct sbc_cfg_dataplane {
	char **eal;                   /* extra EAL arguments */
	uint32_t n_eal;
	uint32_t main_lcore;
	uint32_t *workers;            /* worker lcore ids */
	uint32_t n_workers;
	struct sbc_cfg_port *ports;
	uint32_t n_ports;
	struct sbc_cfg_media_if *interfaces;
	uint32_t n_interfaces;
	uint32_t mempool_size;
	uint32_t mbuf_cache_size;
	uint32_t stream_table_size;
	uint32_t burst_size;
	uint32_t tx_drain_us;
	uint32_t drain_timeout_s;        /* SIGTERM: sessions may go on this long; 0 = stop now */
	uint32_t idle_backoff_us;
	uint32_t media_timeout_ms;
	char *api_socket;
	uint32_t srtp_engine;         /* enum sbc_srtp_engine */
	char *srtp_cryptodev;         /* cryptodev driver name; NULL = aesni_mb, else openssl */
	uint32_t srtp_auth_burst;     /* auth failures in a second that raise an event */
	bool telemetry;
	bool pdump;
};

/* sip.interfaces[].listen[] */
struct sbc_cfg_sip_listen {
	uint32_t transport;           /* enum sbc_transport */
	uint32_t port;
	char *certificate;            /* TLS only; absolute path after load */
	char *private_key;
	char *ca_file;
	bool verify_peer;
	bool verify_server;           /* servers we connect to: chain and name (default true) */
};

/* The system's trust store (Debian's ca-certificates), for servers when no ca_file is given. */
#define SBC_SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

struct sbc_cfg_sip_if {
	char *name;
	uint32_t side;                /* enum sbc_side */
	struct sbc_ip address;
	char *advertise;              /* public name or address (NAT); NULL = address */
	struct sbc_cfg_sip_listen *listen;
	uint32_t n_listen;
	char *media_interface;        /* dataplane.interfaces[] name */
};

/* sip.digest_algorithms: what our digest challenges offer. */
enum sbc_digest_alg_cfg {
	SBC_DIGEST_ALG_MD5 = 0,
	SBC_DIGEST_ALG_SHA256 = 1,
};

/* sip.unknown_source: what a request no trunk admits gets. */
enum sbc_unknown_source {
	SBC_UNKNOWN_SOURCE_REJECT = 0,  /* 403 Forbidden */
	SBC_UNKNOWN_SOURCE_DROP = 1,    /* no response at all */
};

/* sip.pike: request-rate limit per source for unauthenticated traffic
 * (struct sbc_pike_params in controlplane/cac.h). */
struct sbc_cfg_pike {
	bool enabled;
	uint32_t threshold;           /* requests per window */
	uint32_t window_ms;
	uint32_t block_ms;
	uint32_t entries;             /* sources tracked (fixed memory) */
	uint32_t ipv6_prefix_len;     /* IPv6 sources counted per prefix */
	uint32_t unknown_reply_rate;  /* stateless 403s per second to unknown sources, in all */
	uint32_t max_headers;         /* header lines of a UDP message, or dropped unparsed */
};

/* sip.limits: what TCP and TLS peers may hold of the control plane
 * (controlplane/sip_conn.h enforces the connection counts and timeouts). */
struct sbc_cfg_sip_limits {
	uint32_t max_connections;            /* accepted connections open at once, in all */
	uint32_t max_connections_per_source; /* ... from one address (IPv6: pike's prefix) */
	uint32_t idle_timeout_s;             /* nothing sent or received: closed */
	uint32_t tls_handshake_timeout_s;    /* accepted TLS without a handshake: closed */
	uint32_t max_message_bytes;          /* larger: 413 and the connection closed */
};

struct sbc_cfg_sip {
	struct sbc_cfg_sip_if *interfaces;
	uint32_t n_interfaces;
	char *user_agent;
	uint32_t t1_ms;
	uint32_t max_forwards;
	uint32_t drain_timeout_s;       /* SIGTERM: calls may go on this long; 0 = stop now */
	struct sbc_ip metrics_address;  /* Prometheus endpoint; family 0 = none */
	uint32_t metrics_port;
	char *control_socket;         /* sbcctl's UNIX stream socket (absolute path) */
	uint32_t unknown_source;      /* enum sbc_unknown_source */
	uint32_t digest_nonce_ttl_s;  /* lifetime of our digest nonces */
	uint32_t *digest_algorithms;  /* enum sbc_digest_alg_cfg, challenge order */
	uint32_t n_digest_algorithms;
	struct sbc_ip *resolvers;     /* DNS servers; none = the system's */
	uint32_t n_resolvers;
	struct sbc_cfg_pike pike;
	struct sbc_cfg_sip_limits limits;
};

struct sbc_cfg_credentials {
	char *username;               /* NULL when the trunk has no credentials */
	char *password;               /* secret: never printed */
	char *realm;
};

struct sbc_cfg_trunk {
	char *name;
	uint32_t side;                /* enum sbc_side */
	char *interface;              /* sip.interfaces[] name */
	struct sbc_prefix *sources;   /* inbound allow-list */
	uint32_t n_sources;
	char **targets;               /* SIP URIs or host[:port] */
	uint32_t n_targets;
	uint32_t transport;           /* enum sbc_transport toward the targets */
	uint32_t failover_targets;    /* destinations one call may try */
	uint32_t failover_time_ms;    /* no new attempt after this; 0 = no bound */
	uint32_t srtp;                /* enum sbc_srtp_policy */
	uint32_t late_offer;          /* enum sbc_late_offer */
	uint32_t latching;            /* enum sbc_latching */
	uint32_t relearn_gap_ms;
	uint32_t learn_from;          /* enum sbc_learn_from */
	uint32_t cpm_limit;
	uint32_t cpm_burst;
	uint32_t max_concurrent;      /* 0 = unlimited */
	uint32_t *codecs;             /* enum sbc_codec, in preference order */
	uint32_t n_codecs;
	struct sbc_cfg_credentials credentials;
	/* Digest credentials this trunk's PBX must present when we challenge
	 * it; username NULL = not challenged. */
	struct sbc_cfg_credentials inbound_auth;
	char *trunk_group_id;         /* X-Terminating-Trunk-Group-Id */
	char *trunk_key;              /* X-Trunk-Key, secret */
	char *tls_ca_file;            /* TLS: this trunk's servers checked against it alone; NULL = the interface's */
	char **tls_pins;              /* TLS: SHA-256 of the server certificates accepted (hex) */
	uint32_t n_tls_pins;
	uint32_t options_interval_s;  /* OPTIONS keepalive per destination; 0 = off */
	uint32_t options_down_after;  /* failures in a row that mark a destination down */
	uint32_t options_up_after;    /* successes in a row that bring it back */
	bool trusted;                 /* identity trusted (PAI kept, Privacy applied by us) */
	bool from_special_arrangement;
	uint32_t refer;               /* enum sbc_refer_policy */
	char **info_content_types;    /* MIME types of INFO bodies relayed to and from it */
	uint32_t n_info_content_types;
};

struct sbc_cfg_tenant {
	char *name;
	char *domain;                 /* <customer>.<region>.<domain> */
	char *trunk;                  /* enterprise trunk serving the tenant */
	char **network_numbers;       /* E.164, or E.164 digits + '*' (a prefix range) */
	uint32_t n_network_numbers;
	char *default_pai;
};

struct sbc_cfg_emergency {
	char **numbers;
	uint32_t n_numbers;
};

struct sbc_cfg_cdr {
	bool enabled;
	char *path;
};

struct sbc_cfg_log {
	uint32_t level;               /* enum sbc_log_level */
};

struct sbc_config {
	char *file;                   /* path it was loaded from */
	struct sbc_cfg_dataplane dataplane;
	struct sbc_cfg_sip sip;
	struct sbc_cfg_trunk *trunks;
	uint32_t n_trunks;
	struct sbc_cfg_tenant *tenants;
	uint32_t n_tenants;
	struct sbc_cfg_emergency emergency;
	struct sbc_cfg_cdr cdr;
	struct sbc_cfg_log log;
};

#define SBC_CONFIG_MAX_ERRORS 32
#define SBC_CONFIG_ERROR_LEN  320

/*
 * Errors found while loading, each formatted
 * "file:line:column: key: what is wrong" (line and column 1-based).
 * Secret values never appear in a message.
 */
struct sbc_config_errors {
	unsigned int count;           /* errors found (may exceed the stored) */
	char msg[SBC_CONFIG_MAX_ERRORS][SBC_CONFIG_ERROR_LEN];
};

/**
 * Load and fully validate @path.  On success stores a new config in *@out
 * and returns 0.  On failure returns -EINVAL (config errors, listed in
 * @errs) or another -errno when the file cannot be read (also in @errs);
 * *@out is left NULL.  @errs may be NULL.
 */
int sbc_config_load(const char *path, struct sbc_config **out,
		    struct sbc_config_errors *errs);

/** Free a config; secrets are wiped first. NULL is allowed. */
void sbc_config_free(struct sbc_config *cfg);

/** Print the stored errors, one per line, plus a count if some were dropped. */
void sbc_config_errors_print(const struct sbc_config_errors *errs, FILE *f);

/**
 * Compare a running config with a freshly loaded one for a reload: every
 * key not marked reloadable must be equal.  Writes the first @max differing
 * key paths into @keys (each up to 128 bytes) and returns how many differ
 * (0 = the reload may proceed).
 */
unsigned int sbc_config_reload_diff(const struct sbc_config *old_cfg,
				    const struct sbc_config *new_cfg,
				    char keys[][128], unsigned int max);

/** Write the Markdown reference of every key (docs/configuration.md). */
void sbc_config_write_reference(FILE *f);

/** Find by name; NULL when absent. */
const struct sbc_cfg_trunk *sbc_config_trunk(const struct sbc_config *cfg,
					     const char *name);
const struct sbc_cfg_media_if *sbc_config_media_if(const struct sbc_config *cfg,
						   const char *name);

/** Names of enum values as written in YAML ("carrier", "tls", ...). */
const char *sbc_side_name(uint32_t side);
const char *sbc_transport_name(uint32_t transport);

#endif /* SBC_CONFIG_H */
