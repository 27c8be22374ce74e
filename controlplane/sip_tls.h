/* SPDX-License-Identifier: BSD-3-Clause
 * TLS material for Sofia-SIP's transports.
 *
 * Sofia-SIP (tport) reads its TLS material from one directory: agent.pem
 * holds the private key and the certificate chain, cafile.pem the CAs that
 * peers' certificates are checked against.  The configuration names
 * separate PEM files per listener (certificate, private_key, ca_file);
 * this module copies them into a runtime directory of this process:
 *
 *   $RUNTIME_DIRECTORY (systemd) or /run/rampart, mode 0700 when created
 *     controlplane.XXXXXX/           mkdtemp, 0700, removed at exit
 *       openssl.cnf                   TLS 1.2 minimum for every context
 *       tls-IFNAME/agent.pem          key + certificate chain, 0600
 *       tls-IFNAME/cafile.pem         ca_file, else the certificate, 0600
 *
 * Sofia-SIP 1.12 has no knob for the lowest TLS version (its
 * TPTAG_TLS_VERSION only chooses between "any" and TLS 1.0 alone), so the
 * floor is set for the whole process through OpenSSL's configuration: the
 * system_default section of openssl.cnf above applies MinProtocol TLSv1.2
 * to every SSL_CTX, Sofia's included.  TLS 1.0 and 1.1 handshakes fail.
 *
 * Servers we connect to are always verified (listener verify_server,
 * default true): Sofia checks the RFC 5280 path to cafile.pem (ca_file,
 * else the system's trust store) and the dates; it checks no name.  The
 * name is checked by OpenSSL itself: sbc-controlplane interposes
 * SSL_connect() (controlplane/tls_interpose.c), and before the first
 * handshake step of each outgoing connection sets SNI and the host (or
 * address) to verify to the name the B2BUA dialled for that address and
 * port (sbc_sip_tls_expect(), from the trunk's target): a certificate for
 * another name fails the handshake, nothing is sent, and the call fails
 * over at once.  It also gives Sofia's contexts our cipher list.
 *
 * Secrets: the key is copied with open(O_CREAT|O_EXCL, 0600) and never
 * logged; the directory and its files are unlinked by sbc_sip_tls_destroy().
 *
 * Thread: the control plane's loop thread, before the nua instances start.
 */
#ifndef SBC_SIP_TLS_H
#define SBC_SIP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbc_addr.h"
#include "sbc_config.h"

/*
 * TLS 1.2 suites, ECDHE with AES-GCM first (SIPconnect 2.0 §8.1: ECDHE-RSA
 * AES-128-GCM is mandatory; RSA AES-128-GCM and AES-128-CBC-SHA are kept
 * last for older PBXs).  TLS 1.3 suites are OpenSSL's.
 */
#define SBC_SIP_TLS_CIPHERS \
	"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:" \
	"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:" \
	"ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-CHACHA20-POLY1305:" \
	"AES128-GCM-SHA256:AES128-SHA"

struct sbc_sip_tls;

/**
 * Create the runtime directory and load the OpenSSL configuration that
 * refuses TLS below 1.2 (once per process: OpenSSL keeps its first
 * configuration).  Returns NULL with *@err = -errno (the directory could
 * not be created or written: -EACCES, -ENOSPC, ...; -EIO when OpenSSL
 * refused the configuration).
 */
struct sbc_sip_tls *sbc_sip_tls_create(int *err);

/**
 * Write the material of TLS listener @l of interface @ifname into
 * tls-IFNAME/ and give its path (for NUTAG_CERTIFICATE_DIR) in @dir.
 * Returns 0, -ENAMETOOLONG, -ENOENT/-EACCES (a configured file cannot be
 * read), -EEXIST (the interface already has one), or another -errno.
 */
int sbc_sip_tls_add(struct sbc_sip_tls *t, const char *ifname,
		    const struct sbc_cfg_sip_listen *l, char *dir, size_t size);

#define SBC_SIP_TLS_PINS_MAX 4

/* What a TLS server at one address and port must prove. */
struct sbc_sip_tls_peer {
	struct sbc_ip ip;
	uint16_t port;
	char name[256];                /* the host of the trunk's target we dialled */
	char ca_file[4096];            /* the trunk's tls_ca_file; "" = the interface's */
	uint8_t pins[SBC_SIP_TLS_PINS_MAX][32];   /* SHA-256 of accepted certificates */
	unsigned int n_pins;
};

/**
 * Note what the server at @ip:@port must prove: the name @name and, from
 * trunk @t (NULL: none), its tls_ca_file and tls_pin_sha256.  Kept for the
 * process in a small table (the latest per address and port wins).
 */
void sbc_sip_tls_expect(const struct sbc_ip *ip, uint16_t port, const char *name,
			const struct sbc_cfg_trunk *t);

/** What the server at @ip:@port must prove; NULL when nothing was noted. */
const struct sbc_sip_tls_peer *sbc_sip_tls_peer(const struct sbc_ip *ip, uint16_t port);

/**
 * A handshake to @ip:@port failed or its certificate was refused
 * (tls_interpose.c).  Sofia 1.12 leaves the request that opened the
 * connection waiting for Timer B; the B2BUA reads these on its tick and
 * fails those calls over at once.  A small ring: the oldest are lost.
 */
void sbc_sip_tls_failed(const struct sbc_ip *ip, uint16_t port);

/** The oldest failure not yet taken; false when none. */
bool sbc_sip_tls_take_failure(struct sbc_ip *ip, uint16_t *port);

/** Remove every file and directory sbc_sip_tls_create()/_add() made; NULL allowed. */
void sbc_sip_tls_destroy(struct sbc_sip_tls *t);

#endif /* SBC_SIP_TLS_H */
