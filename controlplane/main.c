/* SPDX-License-Identifier: BSD-3-Clause
 * sbc-controlplane: command line, configuration, then the B2BUA's loop.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sbc-controlplane -c FILE [-n]\n"
		"       sbc-controlplane --config-reference\n"
		"  -c, --config FILE      configuration file (YAML)\n"
		"  -n, --check            check the configuration and exit\n"
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
		printf("configuration OK\n");
		sbc_config_free(cfg);
		return 0;
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
