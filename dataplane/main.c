/* SPDX-License-Identifier: BSD-3-Clause
 * sbc-dataplane: the DPDK primary process that owns the media ports.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_pdump.h>

#include "dp.h"
#include "sbc_api.h"
#include "sbc_config.h"
#include "sbc_log.h"

#define MAX_EAL_ARGS 160

static struct sbc_dp *running;

static void on_signal(int sig)
{
	if (running == NULL)
		return;
	if (sig == SIGHUP)
		sbc_dp_hup(running);     /* logged by the main loop, which goes on */
	else if (sig == SIGTERM)
		sbc_dp_term(running);    /* drains when configured to */
	else
		sbc_dp_stop(running);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sbc-dataplane -c FILE [-n] [--file-prefix NAME]\n"
		"  -c, --config FILE   configuration file (YAML)\n"
		"  -n, --check         check the configuration and the API socket's directory, and exit\n"
		"      --file-prefix P DPDK runtime prefix (several instances on one host)\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          this text\n");
}

static bool is_pci(const char *dev)
{
	return strncmp(dev, "net_", 4) != 0;
}

/* EAL arguments: cores and PCI devices from the config, then its extras. */
static int build_eal_args(const struct sbc_config *cfg, const char *prefix,
			  char **argv, char bufs[][64])
{
	const struct sbc_cfg_dataplane *dp = &cfg->dataplane;
	int argc = 0, used = 0, pci = 0;
	size_t off;

	argv[argc++] = "sbc-dataplane";
	off = (size_t)snprintf(bufs[used], 64, "%u", dp->main_lcore);
	for (uint32_t i = 0; i < dp->n_workers && off < 63; i++)
		off += (size_t)snprintf(bufs[used] + off, 64 - off, ",%u", dp->workers[i]);
	argv[argc++] = "-l";
	argv[argc++] = bufs[used++];
	snprintf(bufs[used], 64, "%u", dp->main_lcore);
	argv[argc++] = "--main-lcore";
	argv[argc++] = bufs[used++];
	for (uint32_t i = 0; i < dp->n_ports; i++) {
		if (!is_pci(dp->ports[i].device))
			continue;
		snprintf(bufs[used], 64, "%s", dp->ports[i].device);
		argv[argc++] = "-a";
		argv[argc++] = bufs[used++];
		pci++;
	}
	if (prefix) {
		argv[argc++] = "--file-prefix";
		argv[argc++] = (char *)prefix;
	}
	for (uint32_t i = 0; i < dp->n_eal && argc < MAX_EAL_ARGS - 1; i++)
		argv[argc++] = dp->eal[i];
	(void)pci;
	argv[argc] = NULL;
	return argc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "file-prefix", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static char bufs[SBC_DP_MAX_PORTS + 4][64];
	char *eal_argv[MAX_EAL_ARGS];
	struct sbc_config_errors errs;
	struct sbc_config *cfg;
	const char *path = NULL, *prefix = NULL;
	int check_only = 0, c, eal_argc, rc;

	while ((c = getopt_long(argc, argv, "c:nhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'n': check_only = 1; break;
		case 'p': prefix = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sbc-dataplane %s\n", SBC_VERSION); return 0;
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
		/* beyond the file: the API socket's directory (systemd makes /run/rampart) */
		const char *sock = cfg->dataplane.api_socket, *slash = strrchr(sock, '/');
		char dir[128];

		snprintf(dir, sizeof(dir), "%.*s", slash == NULL || slash == sock ? 1 :
			 (int)(slash - sock), slash == NULL ? "." : sock);
		rc = access(dir, W_OK | X_OK) == 0 ? 0 : errno;
		if (rc != 0)
			fprintf(stderr, "%s: dataplane.api_socket: %s: its directory is not writable: "
				"%s (systemd makes /run/rampart: RuntimeDirectory=)\n", path, sock,
				strerror(rc));
		else
			printf("configuration OK\n");
		sbc_config_free(cfg);
		return rc == 0 ? 0 : 1;
	}
	sbc_log_set_level(cfg->log.level);
	eal_argc = build_eal_args(cfg, prefix, eal_argv, bufs);
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		SBC_LOG(ERR, "main", "EAL initialisation failed");
		sbc_config_free(cfg);
		return 1;
	}
	if (cfg->dataplane.pdump && rte_pdump_init() != 0)
		SBC_LOG(WARN, "main", "rte_pdump_init failed: no dpdk-dumpcap capture");
	running = sbc_dp_create(cfg, NULL);
	if (running == NULL) {
		sbc_dp_eal_cleanup();
		sbc_config_free(cfg);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* Its default action ended the data plane and every call's media. */
	signal(SIGHUP, on_signal);
	SBC_LOG(NOTICE, "main", "sbc-dataplane ready, API on %s", cfg->dataplane.api_socket);
	rc = sbc_dp_run(running);
	sbc_dp_destroy(running);
	running = NULL;
	if (cfg->dataplane.pdump)
		rte_pdump_uninit();
	sbc_dp_eal_cleanup();
	sbc_config_free(cfg);
	return rc == 0 ? 0 : 1;
}
