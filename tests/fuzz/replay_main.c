/* SPDX-License-Identifier: BSD-3-Clause
 * The fuzz targets' inputs without libFuzzer: each file named on the
 * command line (or each regular file of a directory named) goes through
 * LLVMFuzzerTestOneInput() once, under an alarm: an input that does not
 * return within 2 s ends the run with its name (a hang such as
 * tests/regressions/sdp-parser-hang.sdp once was).  Exit 0 when all
 * returned, 1 otherwise; a crash is the sanitizer's (or the kernel's).
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *current;

static void on_alarm(int sig)
{
	static const char msg[] = "fuzz replay: input did not return within 2 s: ";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0 || write(2, current, strlen(current)) < 0 ||
	    write(2, "\n", 1) < 0)
		_exit(1);
	_exit(1);
}

static int run_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	uint8_t *copy;
	size_t n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	copy = malloc(n != 0 ? n : 1);
	if (copy == NULL) {
		perror(path);
		return -1;
	}
	memcpy(copy, buf, n);
	current = path;
	alarm(2);
	LLVMFuzzerTestOneInput(copy, n);
	alarm(0);
	free(copy);
	return 0;
}

static int run_path(const char *path, unsigned int *count)
{
	struct stat st;
	struct dirent *de;
	DIR *dir;
	char full[4096];
	int rc = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	dir = opendir(path);
	if (dir == NULL) {
		perror(path);
		return -1;
	}
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			(*count)++;
			rc = run_file(full);
		}
	}
	closedir(dir);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned int count = 0;

	signal(SIGALRM, on_alarm);
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i], &count) != 0)
			return 1;
	printf("fuzz replay: %u inputs, every one returned\n", count);
	return count > 0 ? 0 : 1;
}
