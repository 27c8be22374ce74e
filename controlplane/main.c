/* SPDX-License-Identifier: BSD-3-Clause
 * sbc-controlplane: command line, configuration, then the B2BUA's loop.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "b2bua.h"
#include "sbc_config.h"
#include "sbc_log.h"

/* How long to wait for sbc-dataplane's socket at start (it may start later). */
#define DP_WAIT_MS 10000

/*
 * Every TCP and TLS connection is a descriptor: the soft limit (often
 * 1024) up to the hard one, logged.  sip.limits.max_connections is
 * lowered to fit what there is (sip_conn.h).
 */
static void nofile_raise(void)
{
	struct rlimit rl;
	rlim_t was;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		SBC_LOG(WARN, "main", "RLIMIT_NOFILE: %s", strerror(errno));
		return;
	}
	was = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			SBC_LOG(WARN, "main", "RLIMIT_NOFILE stays %llu (hard %llu): %s",
				(unsigned long long)was, (unsigned long long)rl.rlim_max,
				strerror(errno));
			return;
		}
	}
	SBC_LOG(NOTICE, "main", "descriptors: RLIMIT_NOFILE %llu (was %llu, hard limit %llu)",
		(unsigned long long)rl.rlim_cur, (unsigned long long)was,
		(unsigned long long)rl.rlim_max);
}

/* A directory of @path (a file to create there) we may write: 0, else -errno. */
static int dir_writable(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);

	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, slash == NULL ? "." : path, n);
	dir[n] = '\0';
	return access(dir, W_OK | X_OK) == 0 ? 0 : -errno;
}

/* @ip is an address of this host (a UDP socket binds to it): 0, else -errno. */
static int address_local(const struct sbc_ip *ip)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, rc = 0;

	memset(&ss, 0, sizeof(ss));
	if (ip->family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, ip->bytes, 4);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, ip->bytes, 16);
		len = sizeof(*s6);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&ss, len) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

/*
 * -n beyond the file: what this host must give the configuration.  SIP
 * addresses the kernel has (the data plane's media addresses are not
 * the kernel's), and directories for the CDRs and the control socket.
 * Each problem on stderr as "FILE: key: why"; the count returned.
 */
static unsigned int host_checks(const struct sbc_config *cfg, const char *path)
{
	unsigned int bad = 0;
	char ip[64];
	int rc;

	for (uint32_t i = 0; i < cfg->sip.n_interfaces; i++) {
		const struct sbc_cfg_sip_if *sif = &cfg->sip.interfaces[i];

		rc = address_local(&sif->address);
		if (rc == -EADDRNOTAVAIL) {
			fprintf(stderr, "%s: sip.interfaces[%u].address: %s is not an address of this "
				"host (SIP runs on kernel sockets: not on the data plane's media "
				"addresses)\n", path, i, sbc_ip_str(&sif->address, ip, sizeof(ip)));
			bad++;
		} else if (rc != 0 && rc != -EADDRINUSE && rc != -EACCES) {
			fprintf(stderr, "%s: sip.interfaces[%u].address: %s: %s\n", path, i,
				sbc_ip_str(&sif->address, ip, sizeof(ip)), strerror(-rc));
			bad++;
		}
	}
	if (cfg->cdr.enabled && cfg->cdr.path != NULL && (rc = dir_writable(cfg->cdr.path)) != 0) {
		fprintf(stderr, "%s: cdr.path: %s: its directory is not writable: %s\n", path,
			cfg->cdr.path, strerror(-rc));
		bad++;
	}
	if ((rc = dir_writable(cfg->sip.control_socket)) != 0) {
		fprintf(stderr, "%s: sip.control_socket: %s: its directory is not writable: %s "
			"(systemd makes /run/rampart: RuntimeDirectory=)\n", path,
			cfg->sip.control_socket, strerror(-rc));
		bad++;
	}
	return bad;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sbc-controlplane -c FILE [-n]\n"
		"       sbc-controlplane --config-reference\n"
		"  -c, --config FILE      configuration file (YAML)\n"
		"  -n, --check            check the configuration, and that this host has its SIP\n"
		"                         addresses and writable directories, and exit\n"
		"      --config-reference print the configuration reference (Markdown)\n"
		"  -V, --version          print the version and exit\n"
		"  -h, --help             this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "config-reference", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct sbc_config_errors errs;
	struct sbc_config *cfg;
	struct sbc_b2bua *b2b;
	const char *path = NULL;
	int check_only = 0, c, rc;

	while ((c = getopt_long(argc, argv, "c:nhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'n': check_only = 1; break;
		case 'R': sbc_config_write_reference(stdout); return 0;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sbc-controlplane %s\n", SBC_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (path == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (sbc_config_load(path, &cfg, &errs) != 0) {
		sbc_config_errors_print(&errs, stderr);
		return 1;
	}
	if (check_only) {
		unsigned int bad = host_checks(cfg, path);

		if (bad == 0)
			printf("configuration OK\n");
		sbc_config_free(cfg);
		return bad == 0 ? 0 : 1;
	}
	sbc_log_set_level(cfg->log.level);
	nofile_raise();
	b2b = sbc_b2bua_create(cfg, DP_WAIT_MS, &rc);
	if (b2b == NULL) {
		SBC_LOG(ERR, "main", "cannot start: %s", strerror(-rc));
		sbc_config_free(cfg);
		return 1;
	}
	rc = sbc_b2bua_run(b2b);
	sbc_b2bua_destroy(b2b);
	sbc_config_free(cfg);
	return rc == 0 ? 0 : 1;
}
