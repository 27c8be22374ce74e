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
 *   SSL_set_bio, BIO_free,   Sofia 1.12.11's tls_free() ends a connection
 *   SSL_free, SSL_shutdown,  with SSL_shutdown(), SSL_CTX_free() of the
 *   SSL_CTX_free             shared context (its slaves copy the master's
 *                            type, so the "not a slave" test passes) and
 *                            BIO_free() of the socket BIO it gave the SSL
 *                            (SSL_set_bio() hands the SSL that BIO): the
 *                            SSL itself, its buffers and session, was never
 *                            freed (23 to 50 kB a connection), and the
 *                            context reference Sofia drops was the SSL's.
 *                            The SSL a BIO was given to is remembered; that
 *                            BIO_free() becomes SSL_free(), which frees the
 *                            BIO with it, after taking back the context
 *                            reference Sofia dropped for it.
 *
 * Only this executable links this file: the unit tests and other programs
 * use OpenSSL unchanged.  Verification itself stays Sofia's (its policy,
 * cafile.pem); with verify_server: false its callback clears every error,
 * the name's included.
 * Thread: the su_root thread (Sofia's transports run there).
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "sbc_log.h"
#include "sip_tls.h"

#define TLS_LOG "tls"

/* Prototypes of the definitions below, for -Wmissing-prototypes (OpenSSL's headers declare them too). */
int SSL_connect(SSL *ssl);
int SSL_CTX_set_cipher_list(SSL_CTX *ctx, const char *str);
void SSL_set_bio(SSL *s, BIO *rbio, BIO *wbio);
int BIO_free(BIO *a);
void SSL_free(SSL *ssl);
int SSL_shutdown(SSL *s);
void SSL_CTX_free(SSL_CTX *ctx);

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

/* "ADDR:PORT (name)" of @ssl's peer in @buf; what it must prove, or NULL. */
static const struct sbc_sip_tls_peer *peer_describe(SSL *ssl, char *buf, size_t size)
{
	const struct sbc_sip_tls_peer *p;
	struct sbc_ip addr;
	uint16_t port = 0;
	char ip[64];

	buf[0] = '\0';
	if (!peer_of(SSL_get_fd(ssl), &addr, &port))
		return NULL;
	p = sbc_sip_tls_peer(&addr, port);
	snprintf(buf, size, "%s:%u%s%s%s", sbc_ip_str(&addr, ip, sizeof(ip)), port,
		 p != NULL ? " (" : "", p != NULL ? p->name : "", p != NULL ? ")" : "");
	return p;
}

/*
 * Before the first handshake step: SNI and the name OpenSSL must find in
 * the certificate; the trunk's own CA bundle in place of the interface's.
 * false when that bundle cannot be read (the connection is refused).
 */
static bool set_peer_checks(SSL *ssl, const struct sbc_sip_tls_peer *p, const char *peer)
{
	X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
	struct sbc_ip lit;

	if (p == NULL) {
		SBC_LOG(INFO, TLS_LOG, "to %s: no name dialled for it: its chain only is checked",
			peer);
		return true;
	}
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (sbc_ip_parse(&lit, p->name) == 0) {
		X509_VERIFY_PARAM_set1_ip_asc(vp, p->name);
	} else {
		SSL_set_tlsext_host_name(ssl, p->name);
		X509_VERIFY_PARAM_set1_host(vp, p->name, 0);
	}
	if (p->ca_file[0] != '\0') {
		X509_STORE *st = X509_STORE_new();

		if (st == NULL || X509_STORE_load_file(st, p->ca_file) != 1) {
			X509_STORE_free(st);
			SBC_LOG(ERR, TLS_LOG, "to %s: tls_ca_file %s cannot be read", peer, p->ca_file);
			return false;
		}
		SSL_set0_verify_cert_store(ssl, st);   /* the SSL owns it now */
	}
	return true;
}

/* After the handshake: the certificate is one of the trunk's pins (when it has any). */
static bool pin_ok(SSL *ssl, const struct sbc_sip_tls_peer *p)
{
	X509 *cert = SSL_get1_peer_certificate(ssl);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	bool ok = false;

	if (p == NULL || p->n_pins == 0) {
		X509_free(cert);
		return true;
	}
	if (cert != NULL && X509_digest(cert, EVP_sha256(), md, &len) == 1 && len == 32)
		for (unsigned int i = 0; i < p->n_pins; i++)
			ok |= CRYPTO_memcmp(md, p->pins[i], 32) == 0;
	X509_free(cert);
	return ok;
}

/* Refuse the connection in Sofia's eyes: an SSL error on the queue, -1. */
static int refuse(SSL *ssl)
{
	struct sbc_ip addr;
	uint16_t port = 0;

	if (peer_of(SSL_get_fd(ssl), &addr, &port))
		sbc_sip_tls_failed(&addr, port);
	ERR_raise(ERR_LIB_SSL, SSL_R_CERTIFICATE_VERIFY_FAILED);
	return -1;
}

int SSL_connect(SSL *ssl)
{
	static int (*real)(SSL *);
	const struct sbc_sip_tls_peer *p;
	char peer[320];
	int rc, err;
	long v;

	if (real == NULL)
		real = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_connect");
	if (real == NULL)
		return -1;
	if (ex_index < 0)
		ex_index = SSL_get_ex_new_index(0, "rampart peer checks", NULL, NULL, NULL);
	p = peer_describe(ssl, peer, sizeof(peer));
	if (ex_index >= 0 && SSL_get_ex_data(ssl, ex_index) == NULL) {
		SSL_set_ex_data(ssl, ex_index, (void *)1);
		if (!set_peer_checks(ssl, p, peer))
			return refuse(ssl);
	}
	rc = real(ssl);
	err = rc > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, rc);
	if (err != SSL_ERROR_NONE && err != SSL_ERROR_SSL)
		return rc;                 /* the handshake goes on */
	/*
	 * Sofia's client contexts may verify with SSL_VERIFY_NONE and judge
	 * the result after the handshake (its policy): the reason is logged
	 * here, where it is known.
	 */
	v = SSL_get_verify_result(ssl);
	if (v != X509_V_OK) {
		SBC_LOG(NOTICE, TLS_LOG, "to %s: certificate not valid: %s", peer,
			X509_verify_cert_error_string(v));
		if (rc > 0)
			return rc;         /* Sofia's policy decides (verify_server) */
		return refuse(ssl);
	}
	if (err == SSL_ERROR_SSL) {
		const char *why = ERR_reason_error_string(ERR_peek_error());

		SBC_LOG(NOTICE, TLS_LOG, "to %s: handshake failed: %s", peer,
			why != NULL ? why : "unknown");
		return refuse(ssl);
	}
	if (!pin_ok(ssl, p)) {
		SBC_LOG(NOTICE, TLS_LOG, "to %s: certificate not valid: not one of the trunk's "
			"tls_pin_sha256", peer);
		return refuse(ssl);
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

/* ---- the SSL each of Sofia's socket BIOs was given to ---- */

#define OWNED_SLOTS 16384          /* a power of two, above max_connections' default 4096 */

static struct owned {
	BIO *bio;                  /* NULL: empty */
	SSL *ssl;
} owned[OWNED_SLOTS];

static size_t owned_slot(const BIO *b)
{
	uintptr_t h = (uintptr_t)b;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 40) & (OWNED_SLOTS - 1);
}

/* The slot holding @b, or the empty one where it would go; SIZE_MAX when full. */
static size_t owned_find(const BIO *b)
{
	size_t i = owned_slot(b);

	for (size_t n = 0; n < OWNED_SLOTS; n++, i = (i + 1) & (OWNED_SLOTS - 1))
		if (owned[i].bio == b || owned[i].bio == NULL)
			return i;
	return SIZE_MAX;
}

/* Linear probing's deletion: the entries after @i that hashed at or before it move up. */
static void owned_del(size_t i)
{
	size_t j = i;

	owned[i].bio = NULL;
	for (;;) {
		size_t k;

		j = (j + 1) & (OWNED_SLOTS - 1);
		if (owned[j].bio == NULL)
			return;
		k = owned_slot(owned[j].bio);
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			owned[i] = owned[j];
			owned[j].bio = NULL;
			i = j;
		}
	}
}

/* tls_free()'s steps, as they come: the SSL shut down, then its context freed. */
static SSL *closing;
static bool closing_ctx_dropped;

void SSL_set_bio(SSL *s, BIO *rbio, BIO *wbio)
{
	static void (*real)(SSL *, BIO *, BIO *);
	size_t i;

	if (real == NULL)
		real = (void (*)(SSL *, BIO *, BIO *))dlsym(RTLD_NEXT, "SSL_set_bio");
	if (real == NULL)
		return;
	real(s, rbio, wbio);
	/* Sofia's way: one socket BIO both ways (its only reference now the SSL's). */
	if (rbio != NULL && rbio == wbio && (i = owned_find(rbio)) != SIZE_MAX) {
		owned[i].bio = rbio;
		owned[i].ssl = s;
	}
}

void SSL_free(SSL *ssl)
{
	static void (*real)(SSL *);
	BIO *b = ssl != NULL ? SSL_get_rbio(ssl) : NULL;
	size_t i;

	if (real == NULL)
		real = (void (*)(SSL *))dlsym(RTLD_NEXT, "SSL_free");
	if (b != NULL && (i = owned_find(b)) != SIZE_MAX && owned[i].bio == b)
		owned_del(i);          /* freed with it: its BIO_free() below passes */
	if (closing == ssl)
		closing = NULL;
	if (real != NULL)
		real(ssl);
}

int SSL_shutdown(SSL *s)
{
	static int (*real)(SSL *);

	if (real == NULL)
		real = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_shutdown");
	closing = s;
	closing_ctx_dropped = false;
	return real != NULL ? real(s) : -1;
}

void SSL_CTX_free(SSL_CTX *ctx)
{
	static void (*real)(SSL_CTX *);

	if (real == NULL)
		real = (void (*)(SSL_CTX *))dlsym(RTLD_NEXT, "SSL_CTX_free");
	if (closing != NULL && ctx != NULL && ctx == SSL_get_SSL_CTX(closing))
		closing_ctx_dropped = true;
	if (real != NULL)
		real(ctx);
}

int BIO_free(BIO *a)
{
	static int (*real)(BIO *);
	size_t i;

	if (real == NULL)
		real = (int (*)(BIO *))dlsym(RTLD_NEXT, "BIO_free");
	if (a != NULL && (i = owned_find(a)) != SIZE_MAX && owned[i].bio == a) {
		SSL *ssl = owned[i].ssl;

		owned_del(i);
		/* The context reference Sofia dropped was this SSL's: SSL_free() drops it. */
		if (ssl == closing && closing_ctx_dropped)
			SSL_CTX_up_ref(SSL_get_SSL_CTX(ssl));
		closing = NULL;
		SSL_free(ssl);         /* the SSL, and with it this BIO */
		return 1;
	}
	return real != NULL ? real(a) : 0;
}
