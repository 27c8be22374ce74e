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
#include <stdbool.h>
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
		"              digest, call admission control per trunk, the data plane\n"
		"              link, call counters, config reloads\n"
		"  resolve NAME  A and AAAA records of NAME through sbc-controlplane's\n"
		"              resolver (sip.resolvers), with their TTLs\n"
		"  -s SOCKET   sbc-controlplane's sip.control_socket (default %s)\n"
		"  -w SECONDS  bound on the whole exchange (default 5)\n"
		"  -V, --version  print the version and exit\n"
		"  -h, --help  this text\n",
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

struct sbcctl_args {
	const char *path;
	double wait_s;
	char cmd[256];
};

/* "calls", "trunks", "stats" or "call ID" from @words into one request line. */
static int format_command(char **words, int n, char *cmd, size_t size)
{
	if (strcmp(words[0], "calls") == 0 && n == 1)
		snprintf(cmd, size, "calls\n");
	else if (strcmp(words[0], "trunks") == 0 && n == 1)
		snprintf(cmd, size, "trunks\n");
	else if (strcmp(words[0], "stats") == 0 && n == 1)
		snprintf(cmd, size, "stats\n");
	else if (strcmp(words[0], "call") == 0 && n == 2 &&
		 strspn(words[1], "0123456789") == strlen(words[1]) &&
		 strlen(words[1]) > 0 && strlen(words[1]) < 11)
		snprintf(cmd, size, "call %s\n", words[1]);
	else if (strcmp(words[0], "resolve") == 0 && n == 2 && strlen(words[1]) > 0 &&
		 strlen(words[1]) < 254 && strcspn(words[1], " \t\r\n") == strlen(words[1]))
		snprintf(cmd, size, "resolve %s\n", words[1]);
	else
		return -EINVAL;
	return 0;
}

/* Options and command into @a; false with the exit status in @status when done. */
static bool parse_args(int argc, char **argv, struct sbcctl_args *a, int *status)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	a->path = SBCCTL_DEFAULT_SOCKET;
	a->wait_s = 5.0;
	while ((c = getopt_long(argc, argv, "s:w:hV", opts, NULL)) != -1) {
		switch (c) {
		case 's': a->path = optarg; break;
		case 'w': a->wait_s = atof(optarg); break;
		case 'h': usage(stdout); *status = 0; return false;
		case 'V': printf("sbcctl %s\n", SBC_VERSION); *status = 0; return false;
		default: usage(stderr); *status = 2; return false;
		}
	}
	if (optind >= argc || !(a->wait_s > 0 && a->wait_s <= 600) ||
	    format_command(argv + optind, argc - optind, a->cmd, sizeof(a->cmd)) != 0) {
		usage(stderr);
		*status = 2;
		return false;
	}
	return true;
}

/* A non-blocking connection to @sa by @deadline; the fd, or -1 once reported. */
static int connect_control_socket(const struct sockaddr_un *sa, const char *path,
				  long long deadline)
{
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		perror("sbcctl: socket");
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	if (rc != 0 && errno == EINPROGRESS)
		rc = wait_fd(fd, POLLOUT, deadline);
	else if (rc != 0)
		rc = -errno;
	if (rc != 0) {
		fprintf(stderr, "sbcctl: %s: %s\n", path, strerror(-rc));
		close(fd);
		return -1;
	}
	return fd;
}

/* All of @cmd written by @deadline; 0, -ETIMEDOUT or -errno. */
static int send_command(int fd, const char *cmd, long long deadline)
{
	size_t used = 0, len = strlen(cmd);
	ssize_t n;
	int rc;

	while (used < len) {
		if ((rc = wait_fd(fd, POLLOUT, deadline)) != 0)
			return rc;
		n = write(fd, cmd + used, len - used);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (n > 0)
			used += (size_t)n;
	}
	return 0;
}

/*
 * The answer into @answer (SBCCTL_ANSWER_MAX + 1 bytes), NUL-terminated,
 * until the server closes, a read fails or the buffer is full; its length in
 * @used.  0, or -ETIMEDOUT / -errno when a wait fails.
 */
static int read_answer(int fd, long long deadline, char *answer, size_t *used)
{
	ssize_t n;
	int rc;

	*used = 0;
	for (;;) {
		if ((rc = wait_fd(fd, POLLIN, deadline)) != 0)
			return rc;
		n = read(fd, answer + *used, SBCCTL_ANSWER_MAX - *used);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
		if (n > 0)
			*used += (size_t)n;
		if (*used == SBCCTL_ANSWER_MAX)
			break;
	}
	answer[*used] = '\0';
	return 0;
}

/* The items after an "ok" line on stdout (0), else the error on stderr (1). */
static int print_answer(const char *answer, size_t used)
{
	const char *nl = strchr(answer, '\n');

	if (strncmp(answer, "ok", 2) != 0 || nl == NULL) {
		fprintf(stderr, "sbcctl: %s\n", used ? answer : "no answer");
		return 1;
	}
	fputs(nl + 1, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sbcctl_args a;
	long long deadline;
	char *answer;
	size_t used;
	int fd, rc, status;

	if (!parse_args(argc, argv, &a, &status))
		return status;
	if (strlen(a.path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "sbcctl: socket path too long\n");
		return 2;
	}
	memcpy(sa.sun_path, a.path, strlen(a.path) + 1);
	deadline = now_ms() + (long long)(a.wait_s * 1000);

	fd = connect_control_socket(&sa, a.path, deadline);
	if (fd < 0)
		return 1;
	rc = send_command(fd, a.cmd, deadline);
	if (rc != 0)
		goto io_err;
	answer = malloc(SBCCTL_ANSWER_MAX + 1);
	if (answer == NULL) {
		close(fd);
		return 1;
	}
	rc = read_answer(fd, deadline, answer, &used);
	if (rc != 0) {
		free(answer);
		goto io_err;
	}
	close(fd);
	status = print_answer(answer, used);
	free(answer);
	return status;

io_err:
	fprintf(stderr, "sbcctl: %s: %s\n", a.path, strerror(-rc));
	close(fd);
	return 1;
}
