/* SPDX-License-Identifier: BSD-3-Clause
 * sbcctl: the operator's view of sbc-controlplane over its UNIX stream
 * socket (sip.control_socket).
 *
 * Protocol: one command line ("calls", "call ID", "trunks", "stats") sent, the
 * answer read until the server closes: a first line "ok ..." or
 * "error REASON", then one line per item as key=value pairs.  sbcctl
 * prints the items (the "ok" line is dropped) and exits 0, or prints the
 * error on stderr and exits 1; 2 on a usage error.  Every wait is bounded
 * by -w seconds.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SBCCTL_DEFAULT_SOCKET "/run/rampart/controlplane.sock"
#define SBCCTL_ANSWER_MAX (1u << 20)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sbcctl [-s SOCKET] [-w SECONDS] COMMAND\n"
		"  calls       one line per call: ids, trunks, state, duration\n"
		"  call ID     one call: both legs, its data plane streams and counters\n"
		"  trunks      name, side, interface, transport, active calls\n"
		"  stats       admission counters: trunk identification, per-source limit,\n"
		"              digest, call admission control per trunk, config reloads\n"
		"  -s SOCKET   sbc-controlplane's sip.control_socket (default %s)\n"
		"  -w SECONDS  bound on the whole exchange (default 5)\n",
		SBCCTL_DEFAULT_SOCKET);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll() @fd for @events until @deadline; 0 when ready, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int rc;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&p, 1, (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

int main(int argc, char **argv)
{
	const char *path = SBCCTL_DEFAULT_SOCKET;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char cmd[256], *answer, *nl;
	size_t used = 0, len;
	long long deadline;
	double wait_s = 5.0;
	ssize_t n;
	int c, fd, rc;

	while ((c = getopt(argc, argv, "s:w:h")) != -1) {
		switch (c) {
		case 's': path = optarg; break;
		case 'w': wait_s = atof(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc || !(wait_s > 0 && wait_s <= 600)) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[optind], "calls") == 0 && argc - optind == 1)
		snprintf(cmd, sizeof(cmd), "calls\n");
	else if (strcmp(argv[optind], "trunks") == 0 && argc - optind == 1)
		snprintf(cmd, sizeof(cmd), "trunks\n");
	else if (strcmp(argv[optind], "stats") == 0 && argc - optind == 1)
		snprintf(cmd, sizeof(cmd), "stats\n");
	else if (strcmp(argv[optind], "call") == 0 && argc - optind == 2 &&
		 strspn(argv[optind + 1], "0123456789") == strlen(argv[optind + 1]) &&
		 strlen(argv[optind + 1]) > 0 && strlen(argv[optind + 1]) < 11)
		snprintf(cmd, sizeof(cmd), "call %s\n", argv[optind + 1]);
	else {
		usage(stderr);
		return 2;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "sbcctl: socket path too long\n");
		return 2;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	deadline = now_ms() + (long long)(wait_s * 1000);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		perror("sbcctl: socket");
		return 1;
	}
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (rc != 0 && errno == EINPROGRESS)
		rc = wait_fd(fd, POLLOUT, deadline);
	else if (rc != 0)
		rc = -errno;
	if (rc != 0) {
		fprintf(stderr, "sbcctl: %s: %s\n", path, strerror(-rc));
		close(fd);
		return 1;
	}
	len = strlen(cmd);
	while (used < len) {
		if ((rc = wait_fd(fd, POLLOUT, deadline)) != 0)
			goto io_err;
		n = write(fd, cmd + used, len - used);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			rc = -errno;
			goto io_err;
		}
		if (n > 0)
			used += (size_t)n;
	}
	answer = malloc(SBCCTL_ANSWER_MAX + 1);
	if (answer == NULL) {
		close(fd);
		return 1;
	}
	used = 0;
	for (;;) {
		if ((rc = wait_fd(fd, POLLIN, deadline)) != 0) {
			free(answer);
			goto io_err;
		}
		n = read(fd, answer + used, SBCCTL_ANSWER_MAX - used);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
		if (n > 0)
			used += (size_t)n;
		if (used == SBCCTL_ANSWER_MAX)
			break;
	}
	close(fd);
	answer[used] = '\0';
	nl = strchr(answer, '\n');
	if (strncmp(answer, "ok", 2) != 0 || nl == NULL) {
		fprintf(stderr, "sbcctl: %s\n", used ? answer : "no answer");
		free(answer);
		return 1;
	}
	fputs(nl + 1, stdout);
	free(answer);
	return 0;

io_err:
	fprintf(stderr, "sbcctl: %s: %s\n", path, strerror(-rc));
	close(fd);
	return 1;
}
