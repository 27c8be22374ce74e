/* SPDX-License-Identifier: BSD-3-Clause
 * Sofia-SIP's accepts and TLS handshakes, seen by the SIP connection guard
 * (sip_conn.h): sbc-controlplane defines accept() and SSL_accept(),
 * exported from the executable (meson export_dynamic) like
 * tls_interpose.c's, so that libsofia-sip-ua's calls reach these first;
 * each calls the real one through dlsym(RTLD_NEXT).
 *
 *   accept      Sofia's tport_accept(): the guard's limits
 *               (sbc_sip_conn_accept()); with no guard installed, the
 *               real accept() untouched.
 *   SSL_accept  Sofia's server handshake steps: a completed one
 *               (return 1) tells the guard its handshake timeout is over.
 *   SSL_read    the plaintext of an accepted TLS connection through the
 *               guard's framing (sbc_sip_conn_stream_in()), as
 *               udp_interpose.c's recvmsg() does for TCP: when nothing is
 *               left it reads again, so Sofia sees data or OpenSSL's own
 *               WANT_READ / end.
 *   SSL_write   whether Sofia's last write went whole (a reply of the
 *               guard's is never put inside a record Sofia must retry).
 *
 * Sofia 1.12 has no hook of its own on an accepted connection; a hook on
 * accept() is the smallest place that sees every one, with its source,
 * before Sofia allocates anything for it.  Only this executable links this
 * file.  Thread: the su_root thread.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/ssl.h>

#include "sip_conn.h"

/* Prototypes of the definitions below, for -Wmissing-prototypes (OpenSSL's header declares them too). */
int SSL_accept(SSL *ssl);
int SSL_read(SSL *ssl, void *buf, int num);
int SSL_write(SSL *ssl, const void *buf, int num);

typedef int ssl_io_fn(SSL *, void *, int);
typedef int ssl_wio_fn(SSL *, const void *, int);
static ssl_wio_fn *real_write;

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* glibc's prototype under _GNU_SOURCE: a transparent union of address pointers. */
int accept(int fd, __SOCKADDR_ARG addr, socklen_t *__restrict len)
{
	static sbc_sip_conn_accept_fn *real;
	struct sbc_sip_conn *g = sbc_sip_conn_installed();

	if (real == NULL)
		real = (sbc_sip_conn_accept_fn *)dlsym(RTLD_NEXT, "accept");
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (g == NULL)
		return real(fd, addr.__sockaddr__, len);
	return sbc_sip_conn_accept(g, fd, addr.__sockaddr__, len, real, mono_ms());
}

int SSL_accept(SSL *ssl)
{
	static int (*real)(SSL *);
	struct sbc_sip_conn *g;
	int rc;

	if (real == NULL)
		real = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_accept");
	if (real == NULL)
		return -1;
	rc = real(ssl);
	g = sbc_sip_conn_installed();
	if (rc == 1 && g != NULL)
		sbc_sip_conn_handshake_done(g, SSL_get_fd(ssl));
	return rc;
}

static bool tls_send(void *ctx, const char *p, size_t n)
{
	/* OpenSSL's own: one record, the guard's reply; Sofia's state untouched */
	return real_write != NULL && n <= INT32_MAX &&
	       real_write((SSL *)ctx, p, (int)n) == (int)n;
}

int SSL_read(SSL *ssl, void *buf, int num)
{
	static ssl_io_fn *real;
	struct sbc_sip_conn *g;
	size_t left;
	int rc;

	if (real == NULL)
		real = (ssl_io_fn *)dlsym(RTLD_NEXT, "SSL_read");
	if (real_write == NULL)
		real_write = (ssl_wio_fn *)dlsym(RTLD_NEXT, "SSL_write");
	if (real == NULL)
		return -1;
	for (;;) {
		rc = real(ssl, buf, num);
		g = sbc_sip_conn_installed();
		if (rc <= 0 || g == NULL)
			return rc;
		left = sbc_sip_conn_stream_in(g, SSL_get_fd(ssl), buf, (size_t)rc, tls_send, ssl,
					      mono_ms());
		if (left > 0)
			return (int)left;
	}
}

int SSL_write(SSL *ssl, const void *buf, int num)
{
	struct sbc_sip_conn *g;
	int rc;

	if (real_write == NULL)
		real_write = (ssl_wio_fn *)dlsym(RTLD_NEXT, "SSL_write");
	if (real_write == NULL)
		return -1;
	rc = real_write(ssl, buf, num);
	g = sbc_sip_conn_installed();
	if (g != NULL && num > 0)
		sbc_sip_conn_stream_out(g, SSL_get_fd(ssl), rc > 0 ? rc : 0, (size_t)num);
	return rc;
}
