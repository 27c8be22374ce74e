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
 *
 * Sofia 1.12 has no hook of its own on an accepted connection; a hook on
 * accept() is the smallest place that sees every one, with its source,
 * before Sofia allocates anything for it.  Only this executable links this
 * file.  Thread: the su_root thread.
 */
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/ssl.h>

#include "sip_conn.h"

/* Prototype of the definition below, for -Wmissing-prototypes (OpenSSL's header declares it too). */
int SSL_accept(SSL *ssl);

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
