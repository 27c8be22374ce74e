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
 * Secrets: the key is copied with open(O_CREAT|O_EXCL, 0600) and never
 * logged; the directory and its files are unlinked by sbc_sip_tls_destroy().
 *
 * Thread: the control plane's loop thread, before the nua instances start.
 */
#ifndef SBC_SIP_TLS_H
#define SBC_SIP_TLS_H

#include <stddef.h>

#include "sbc_config.h"

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

/** Remove every file and directory sbc_sip_tls_create()/_add() made; NULL allowed. */
void sbc_sip_tls_destroy(struct sbc_sip_tls *t);

#endif /* SBC_SIP_TLS_H */
