/* SPDX-License-Identifier: BSD-3-Clause
 * What Sofia-SIP 1.12's TLS transport does not do, done under it
 * (sip_tls.h): sbc-controlplane defines SSL_connect() and
 * SSL_CTX_set_cipher_list(), exported from the executable (meson
 * export_dynamic), so that libsofia-sip-ua's calls reach these first; each
 * calls OpenSSL's own through dlsym(RTLD_NEXT).
 *
 *   SSL_connect              before the first handshake step of an outgoing
 *                            connection: SNI and the name to verify (RFC
 *                            6125: subjectAltName DNS or IP; CN only without
 *                            SANs, OpenSSL's rule) from the name the B2BUA
 *                            dialled for the peer's address and port; a
 *                            refused certificate or handshake is logged
 *                            with its reason.
 *   SSL_CTX_set_cipher_list  Sofia's fixed list replaced by ours
 *                            (SBC_SIP_TLS_CIPHERS, ECDHE-AES-GCM first).
 *
 * Only this executable links this file: the unit tests and other programs
 * use OpenSSL unchanged.  Verification itself stays Sofia's (its policy,
 * cafile.pem); with verify_server: false its callback clears every error,
 * the name's included.
 * Thread: the su_root thread (Sofia's transports run there).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "sbc_log.h"
#include "sip_tls.h"

#define TLS_LOG "tls"

/* Prototypes of the definitions below, for -Wmissing-prototypes (OpenSSL's headers declare them too). */
int SSL_connect(SSL *ssl);
int SSL_CTX_set_cipher_list(SSL_CTX *ctx, const char *str);

static int ex_index = -1;          /* marks an SSL whose peer name was set */

/* The peer of @fd as an address and port; false when unknown. */
static bool peer_of(int fd, struct sbc_ip *ip, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(ip, 0, sizeof(*ip));
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return false;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;

		ip->family = 4;
		memcpy(ip->bytes, &s4->sin_addr, 4);
		*port = ntohs(s4->sin_port);
		return true;
	}
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;

		ip->family = 6;
		memcpy(ip->bytes, &s6->sin6_addr, 16);
		*port = ntohs(s6->sin6_port);
		return true;
	}
	return false;
}

/* SNI and the name OpenSSL must find in the certificate, once per connection. */
static void set_peer_name(SSL *ssl, char *peer, size_t size)
{
	char name[256], ip[64];
	struct sbc_ip addr, lit;
	uint16_t port = 0;
	X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);

	peer[0] = '\0';
	if (!peer_of(SSL_get_fd(ssl), &addr, &port))
		return;
	snprintf(peer, size, "%s:%u", sbc_ip_str(&addr, ip, sizeof(ip)), port);
	if (!sbc_sip_tls_expected(&addr, port, name, sizeof(name))) {
		SBC_LOG(INFO, TLS_LOG, "to %s: no name dialled for it: its chain only is checked",
			peer);
		return;
	}
	snprintf(peer + strlen(peer), size - strlen(peer), " (%s)", name);
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (sbc_ip_parse(&lit, name) == 0) {
		X509_VERIFY_PARAM_set1_ip_asc(vp, name);
	} else {
		SSL_set_tlsext_host_name(ssl, name);
		X509_VERIFY_PARAM_set1_host(vp, name, 0);
	}
}

int SSL_connect(SSL *ssl)
{
	static int (*real)(SSL *);
	char peer[320] = "";
	int rc, err;

	if (real == NULL)
		real = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_connect");
	if (real == NULL)
		return -1;
	if (ex_index < 0)
		ex_index = SSL_get_ex_new_index(0, "rampart peer name", NULL, NULL, NULL);
	if (ex_index >= 0 && SSL_get_ex_data(ssl, ex_index) == NULL) {
		SSL_set_ex_data(ssl, ex_index, (void *)1);
		set_peer_name(ssl, peer, sizeof(peer));
	}
	rc = real(ssl);
	err = rc > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, rc);
	if (err == SSL_ERROR_NONE || err == SSL_ERROR_SSL) {
		/*
		 * Sofia's client contexts verify with SSL_VERIFY_NONE and judge
		 * the result after the handshake (its policy): the reason is
		 * logged here, where it is known.
		 */
		long v = SSL_get_verify_result(ssl);
		const char *why = ERR_reason_error_string(ERR_peek_error());
		struct sbc_ip addr;
		uint16_t port = 0;
		char ip[64], name[256];

		if (v == X509_V_OK && err == SSL_ERROR_NONE)
			return rc;
		if (peer_of(SSL_get_fd(ssl), &addr, &port)) {
			snprintf(peer, sizeof(peer), "%s:%u", sbc_ip_str(&addr, ip, sizeof(ip)), port);
			if (sbc_sip_tls_expected(&addr, port, name, sizeof(name)))
				snprintf(peer + strlen(peer), sizeof(peer) - strlen(peer), " (%s)", name);
			sbc_sip_tls_failed(&addr, port);
		}
		if (v != X509_V_OK)
			SBC_LOG(NOTICE, TLS_LOG, "to %s: certificate not valid: %s", peer,
				X509_verify_cert_error_string(v));
		else
			SBC_LOG(NOTICE, TLS_LOG, "to %s: handshake failed: %s", peer,
				why != NULL ? why : "unknown");
	}
	return rc;
}

int SSL_CTX_set_cipher_list(SSL_CTX *ctx, const char *str)
{
	static int (*real)(SSL_CTX *, const char *);

	(void)str;                 /* Sofia's "ALL:!ADH:..." */
	if (real == NULL)
		real = (int (*)(SSL_CTX *, const char *))dlsym(RTLD_NEXT, "SSL_CTX_set_cipher_list");
	return real != NULL ? real(ctx, SBC_SIP_TLS_CIPHERS) : 0;
}
