/* SPDX-License-Identifier: BSD-3-Clause
 * sbc-dataplane: command line and configuration handling.
 */
#include <getopt.h>
#include <stdio.h>

#include "sbc_api.h"
#include "sbc_config.h"
#include "sbc_log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sbc-dataplane -c FILE [-n]\n"
		"  -c, --config FILE  configuration file (YAML)\n"
		"  -n, --check        check the configuration and exit\n"
		"  -h, --help         this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sbc_config_errors errs;
	struct sbc_config *cfg;
	const char *path = NULL;
	int check_only = 0, c;

	while ((c = getopt_long(argc, argv, "c:nh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'n': check_only = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (path == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (sbc_api_selfcheck() != 0) {
		SBC_LOG(ERR, "main", "control/data API size table inconsistent");
		return 1;
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
	SBC_LOG(ERR, "main", "the packet path is not part of this build yet");
	sbc_config_free(cfg);
	return 1;
}
