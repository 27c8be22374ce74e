/* SPDX-License-Identifier: BSD-3-Clause
 * TLS material for Sofia-SIP's transports (sip_tls.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "sbc_hex.h"
#include "sbc_log.h"
#include "sip_tls.h"

#define TLS_LOG "tls"
#define TLS_DIRS_MAX 16            /* one per SIP interface at most */
#define TLS_DEFAULT_BASE "/run/rampart"

struct sbc_sip_tls {
	char root[PATH_MAX];           /* controlplane.XXXXXX */
	char dirs[TLS_DIRS_MAX][PATH_MAX];
	unsigned int n_dirs;
	bool conf_written;
};

static const char openssl_conf[] =
	"# Written by sbc-controlplane: TLS 1.2 or later for every TLS context,\n"
	"# the server's cipher preference (SIPconnect 2.0 8.1).\n"
	"openssl_conf = rampart_openssl\n"
	"[rampart_openssl]\n"
	"ssl_conf = rampart_ssl\n"
	"[rampart_ssl]\n"
	"system_default = rampart_tls\n"
	"[rampart_tls]\n"
	"MinProtocol = TLSv1.2\n"
	"Options = ServerPreference\n"
	"CipherString = " SBC_SIP_TLS_CIPHERS "\n";

/* Append the whole of file @src to @fd. */
static int copy_into(int fd, const char *src)
{
	char buf[4096];
	ssize_t n;
	int in, rc = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (write(fd, buf, (size_t)n) != n) {
			rc = -EIO;
			break;
		}
	}
	/* PEM blocks of two files must not run together on one line. */
	if (rc == 0 && write(fd, "\n", 1) != 1)
		rc = -EIO;
	explicit_bzero(buf, sizeof(buf));
	close(in);
	return rc;
}

/* Create @path (0600, must not exist) from the files @srcs (NULL-terminated). */
static int write_pem(const char *path, const char *const *srcs)
{
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	for (; *srcs != NULL && rc == 0; srcs++)
		rc = copy_into(fd, *srcs);
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc != 0)
		unlink(path);
	return rc;
}

struct sbc_sip_tls *sbc_sip_tls_create(int *err)
{
	const char *base = getenv("RUNTIME_DIRECTORY");
	OPENSSL_INIT_SETTINGS *settings = NULL;
	struct sbc_sip_tls *t;
	char conf[PATH_MAX];
	int fd, rc;

	if (base == NULL || base[0] != '/' || strchr(base, ':') != NULL)
		base = TLS_DEFAULT_BASE;    /* systemd may list several: use ours */
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	if (mkdir(base, 0700) != 0 && errno != EEXIST) {
		rc = -errno;
		SBC_LOG(ERR, TLS_LOG, "runtime directory %s: %s", base, strerror(-rc));
		goto err;
	}
	if (snprintf(t->root, sizeof(t->root), "%s/controlplane.XXXXXX", base) >=
	    (int)sizeof(t->root)) {
		rc = -ENAMETOOLONG;
		goto err;
	}
	if (mkdtemp(t->root) == NULL) {
		rc = -errno;
		t->root[0] = '\0';
		SBC_LOG(ERR, TLS_LOG, "runtime directory under %s: %s", base, strerror(-rc));
		goto err;
	}
	snprintf(conf, sizeof(conf), "%s/openssl.cnf", t->root);
	fd = open(conf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto err;
	}
	t->conf_written = true;
	if (write(fd, openssl_conf, sizeof(openssl_conf) - 1) !=
	    (ssize_t)(sizeof(openssl_conf) - 1)) {
		close(fd);
		rc = -EIO;
		goto err;
	}
	close(fd);
	settings = OPENSSL_INIT_new();
	if (settings == NULL ||
	    OPENSSL_INIT_set_config_filename(settings, conf) != 1 ||
	    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, settings) != 1) {
		SBC_LOG(ERR, TLS_LOG, "OpenSSL refused its configuration %s", conf);
		rc = -EIO;
		goto err;
	}
	OPENSSL_INIT_free(settings);
	return t;

err:
	if (settings != NULL)
		OPENSSL_INIT_free(settings);
	sbc_sip_tls_destroy(t);
	*err = rc;
	return NULL;
}

int sbc_sip_tls_add(struct sbc_sip_tls *t, const char *ifname,
		    const struct sbc_cfg_sip_listen *l, char *dir, size_t size)
{
	const char *agent[] = { l->private_key, l->certificate, NULL };
	/* Servers are checked against ca_file, else the system's store (never nothing). */
	const char *ca[] = { l->ca_file != NULL ? l->ca_file :
			     l->verify_server ? SBC_SYSTEM_CA_BUNDLE : l->certificate, NULL };
	char *d, path[PATH_MAX];
	int rc;

	if (t->n_dirs == TLS_DIRS_MAX)
		return -ENOSPC;
	d = t->dirs[t->n_dirs];
	if (snprintf(path, sizeof(path), "%s/tls-%s", t->root, ifname) >= (int)sizeof(path) ||
	    strlen(path) + sizeof("/cafile.pem") > PATH_MAX || strlen(path) >= size)
		return -ENAMETOOLONG;
	memcpy(d, path, strlen(path) + 1);
	if (mkdir(d, 0700) != 0)
		return -errno;
	t->n_dirs++;
	snprintf(path, sizeof(path), "%s/agent.pem", d);
	rc = write_pem(path, agent);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/cafile.pem", d);
		rc = write_pem(path, ca);
	}
	if (rc != 0) {
		SBC_LOG(ERR, TLS_LOG, "%s: TLS material not usable: %s", ifname, strerror(-rc));
		return rc;
	}
	snprintf(dir, size, "%s", d);
	return 0;
}

void sbc_sip_tls_destroy(struct sbc_sip_tls *t)
{
	static const char *const files[] = { "agent.pem", "cafile.pem" };
	char path[PATH_MAX + 16];
	unsigned int i, f;

	if (t == NULL)
		return;
	for (i = 0; i < t->n_dirs; i++) {
		for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
			snprintf(path, sizeof(path), "%s/%s", t->dirs[i], files[f]);
			unlink(path);
		}
		rmdir(t->dirs[i]);
	}
	if (t->root[0] != '\0') {
		if (t->conf_written) {
			snprintf(path, sizeof(path), "%s/openssl.cnf", t->root);
			unlink(path);
		}
		rmdir(t->root);
	}
	free(t);
}

/* ---- what servers must prove (tls_interpose.c reads it) ---- */

#define TLS_EXPECT_MAX 32

static struct sbc_sip_tls_peer tls_expect[TLS_EXPECT_MAX];
static unsigned int tls_expect_n, tls_expect_next;

/* A fingerprint of 64 hex digits (':' between pairs allowed) into 32 bytes. */
static bool pin_parse(const char *s, uint8_t out[32])
{
	unsigned int n = 0;

	for (; *s != '\0' && n < 64; s++) {
		int d = sbc_hex_digit(*s);

		if (*s == ':')
			continue;
		if (d < 0)
			return false;
		out[n / 2] = (uint8_t)(n % 2 == 0 ? d << 4 : out[n / 2] | d);
		n++;
	}
	return n == 64 && *s == '\0';
}

void sbc_sip_tls_expect(const struct sbc_ip *ip, uint16_t port, const char *name,
			const struct sbc_cfg_trunk *t)
{
	struct sbc_sip_tls_peer *p;
	unsigned int i;

	for (i = 0; i < tls_expect_n; i++)
		if (tls_expect[i].port == port && sbc_ip_equal(&tls_expect[i].ip, ip))
			break;
	if (i == tls_expect_n) {
		if (tls_expect_n < TLS_EXPECT_MAX) {
			i = tls_expect_n++;
		} else {
			i = tls_expect_next;   /* the oldest goes */
			tls_expect_next = (tls_expect_next + 1) % TLS_EXPECT_MAX;
		}
	}
	p = &tls_expect[i];
	memset(p, 0, sizeof(*p));
	p->ip = *ip;
	p->port = port;
	snprintf(p->name, sizeof(p->name), "%s", name);
	if (t == NULL)
		return;
	if (t->tls_ca_file != NULL)
		snprintf(p->ca_file, sizeof(p->ca_file), "%s", t->tls_ca_file);
	for (uint32_t k = 0; k < t->n_tls_pins && p->n_pins < SBC_SIP_TLS_PINS_MAX; k++)
		if (pin_parse(t->tls_pins[k], p->pins[p->n_pins]))
			p->n_pins++;
}

const struct sbc_sip_tls_peer *sbc_sip_tls_peer(const struct sbc_ip *ip, uint16_t port)
{
	for (unsigned int i = 0; i < tls_expect_n; i++)
		if (tls_expect[i].port == port && sbc_ip_equal(&tls_expect[i].ip, ip))
			return &tls_expect[i];
	return NULL;
}

/* ---- handshakes that failed, for the B2BUA's tick ---- */

#define TLS_FAIL_MAX 32

static struct {
	struct sbc_ip ip;
	uint16_t port;
} tls_fail[TLS_FAIL_MAX];
static unsigned int tls_fail_head, tls_fail_len;

void sbc_sip_tls_failed(const struct sbc_ip *ip, uint16_t port)
{
	unsigned int i = (tls_fail_head + tls_fail_len) % TLS_FAIL_MAX;

	if (tls_fail_len == TLS_FAIL_MAX) {
		tls_fail_head = (tls_fail_head + 1) % TLS_FAIL_MAX;
		tls_fail_len--;
	}
	tls_fail[i].ip = *ip;
	tls_fail[i].port = port;
	tls_fail_len++;
}

bool sbc_sip_tls_take_failure(struct sbc_ip *ip, uint16_t *port)
{
	if (tls_fail_len == 0)
		return false;
	*ip = tls_fail[tls_fail_head].ip;
	*port = tls_fail[tls_fail_head].port;
	tls_fail_head = (tls_fail_head + 1) % TLS_FAIL_MAX;
	tls_fail_len--;
	return true;
}
