/* SPDX-License-Identifier: BSD-3-Clause
 * Unit tests of the configuration loader (common/config*.c, common/addr.c).
 *
 * Bad files live in tests/config/bad/; each starts with
 *   # expect: LINE:COL: KEY
 * (the first error must start "file:LINE:COL: KEY: ") or with
 *   # expect: LINE:COL: KEY: MESSAGE
 * (the first error must be exactly "file:LINE:COL: KEY: MESSAGE"), and optionally
 *   # secret: TEXT        (must not appear in any error message)
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unistd.h>

#include "cunit_run.h"
#include "sbc_addr.h"
#include "sbc_config.h"

#define SRC SBC_SOURCE_ROOT

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted list of "*.yaml" files in @dir; returns the count. */
static unsigned int list_yaml(const char *dir, char names[][256], unsigned int max)
{
	char *ptrs[256];
	unsigned int n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d)) != NULL && n < max && n < 256) {
		size_t len = strlen(de->d_name);

		if (len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0)
			ptrs[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(ptrs, n, sizeof(ptrs[0]), cmp_str);
	for (unsigned int i = 0; i < n; i++) {
		snprintf(names[i], 256, "%s/%s", dir, ptrs[i]);
		free(ptrs[i]);
	}
	return n;
}

static void test_examples_load(void)
{
	static char files[64][256];
	unsigned int n = list_yaml(SRC "/config", files, 64);

	CU_ASSERT(n >= 3);
	for (unsigned int i = 0; i < n; i++) {
		struct sbc_config_errors errs;
		struct sbc_config *cfg;
		int rc = sbc_config_load(files[i], &cfg, &errs);

		if (rc != 0) {
			fprintf(stderr, "\n%s failed:\n", files[i]);
			sbc_config_errors_print(&errs, stderr);
		}
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_PTR_NOT_NULL(cfg);
		sbc_config_free(cfg);
	}
}

static void read_header(const char *file, char *expect, size_t elen, char *secret,
			size_t slen)
{
	char line[512];
	FILE *f = fopen(file, "r");

	expect[0] = secret[0] = '\0';
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) && line[0] == '#') {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "# expect: ", 10) == 0)
			snprintf(expect, elen, "%s", line + 10);
		else if (strncmp(line, "# secret: ", 10) == 0)
			snprintf(secret, slen, "%s", line + 10);
	}
	fclose(f);
}

static void test_bad_files(void)
{
	static char files[128][256];
	unsigned int n = list_yaml(SRC "/tests/config/bad", files, 128);
	unsigned int distinct_keys = 0;
	char seen[128][128];

	CU_ASSERT(n >= 25);
	for (unsigned int i = 0; i < n; i++) {
		char expect[256], secret[256], prefix[600], whole[600];
		struct sbc_config_errors errs;
		struct sbc_config *cfg = NULL;
		int rc = sbc_config_load(files[i], &cfg, &errs);
		bool dup = false;

		read_header(files[i], expect, sizeof(expect), secret, sizeof(secret));
		CU_ASSERT_FATAL(expect[0] != '\0');
		/* "file:LINE:COL: KEY: " */
		snprintf(prefix, sizeof(prefix), "%s:%s: ", files[i], expect);
		snprintf(whole, sizeof(whole), "%s:%s", files[i], expect);
		CU_ASSERT_EQUAL(rc, -EINVAL);
		CU_ASSERT_PTR_NULL(cfg);
		CU_ASSERT(errs.count >= 1);
		if (strncmp(errs.msg[0], prefix, strlen(prefix)) != 0 &&
		    strcmp(errs.msg[0], whole) != 0) {
			fprintf(stderr, "\nexpected prefix: %s\n     got error: %s\n", prefix,
				errs.msg[0]);
			CU_FAIL("error location or key differs");
		}
		for (unsigned int e = 0; secret[0] && e < errs.count &&
		     e < SBC_CONFIG_MAX_ERRORS; e++) {
			if (strstr(errs.msg[e], secret) != NULL) {
				fprintf(stderr, "\nsecret leaked: %s\n", errs.msg[e]);
				CU_FAIL("secret value printed in an error");
			}
		}
		for (unsigned int k = 0; k < distinct_keys; k++)
			dup |= strcmp(seen[k], errs.msg[0] + strlen(files[i])) == 0;
		if (!dup && distinct_keys < 128)
			snprintf(seen[distinct_keys++], 128, "%s", errs.msg[0] + strlen(files[i]));
		sbc_config_free(cfg);
	}
	/* Each bad file must exercise a distinct error. */
	CU_ASSERT_EQUAL(distinct_keys, n);
}

static void test_missing_file(void)
{
	struct sbc_config_errors errs;
	struct sbc_config *cfg;

	CU_ASSERT_EQUAL(sbc_config_load("/nonexistent/rampart.yaml", &cfg, &errs), -ENOENT);
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT(strstr(errs.msg[0], "/nonexistent/rampart.yaml") != NULL);
}

/*
 * Not a regular file: a FIFO blocked both binaries' -n (and a SIGHUP
 * reload) forever in open(); a directory gave a libyaml error.  Refused at
 * once, naming the file.
 */
static void test_not_regular(void)
{
	char dir[] = "/tmp/rampart-cfg-XXXXXX", fifo[64];
	struct sbc_config_errors errs;
	struct sbc_config *cfg = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/rampart.yaml", dir);
	CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
	CU_ASSERT_EQUAL(sbc_config_load(fifo, &cfg, &errs), -EINVAL);
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT(strstr(errs.msg[0], fifo) != NULL && strstr(errs.msg[0], "not a regular file"));
	CU_ASSERT_EQUAL(sbc_config_load(dir, &cfg, &errs), -EINVAL);
	CU_ASSERT(strstr(errs.msg[0], "not a regular file") != NULL);
	unlink(fifo);
	rmdir(dir);
}

/*
 * 100,000 levels of nesting (the fuzzer's input took minutes in libyaml,
 * on every SIGHUP too): refused at the first level past the cap, at its
 * line and column.
 */
static void test_deep_nesting(void)
{
	enum { DEPTH = 100000 };
	char path[] = "/tmp/rampart-deep-XXXXXX";
	struct sbc_config_errors errs;
	struct sbc_config *cfg = NULL;
	int fd = mkstemp(path);
	FILE *f;

	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("dataplane:\n  workers: ", f);
	for (int i = 0; i < DEPTH; i++)
		fputc('[', f);
	for (int i = 0; i < DEPTH; i++)
		fputc(']', f);
	fputc('\n', f);
	fclose(f);
	CU_ASSERT_EQUAL(sbc_config_load(path, &cfg, &errs), -EINVAL);
	CU_ASSERT_PTR_NULL(cfg);
	/* depth 1 is the root mapping, 2 dataplane's: the 31st '[' is the 33rd level */
	CU_ASSERT(strstr(errs.msg[0], ":2:42: (file): nested deeper than 32 levels") != NULL);
	unlink(path);
}

static struct sbc_config *load_ok(const char *path)
{
	struct sbc_config_errors errs;
	struct sbc_config *cfg;

	if (sbc_config_load(path, &cfg, &errs) != 0)
		sbc_config_errors_print(&errs, stderr);
	return cfg;
}

static void test_defaults_and_values(void)
{
	struct sbc_config *cfg = load_ok(SRC "/config/enterprise-carrier.yaml");
	const struct sbc_cfg_trunk *t;
	const struct sbc_cfg_media_if *mi;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	t = sbc_config_trunk(cfg, "carrier");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->cpm_limit, 200);          /* carrier default */
	CU_ASSERT_EQUAL(t->latching, SBC_LATCH_LEARN);
	CU_ASSERT_EQUAL(t->srtp, SBC_SRTP_OFF);
	CU_ASSERT_EQUAL(t->transport, SBC_TRANSPORT_UDP);
	CU_ASSERT_EQUAL(t->max_concurrent, 0);
	CU_ASSERT_PTR_NULL(t->credentials.username);
	CU_ASSERT_EQUAL(t->n_codecs, 3);
	CU_ASSERT_EQUAL(t->codecs[0], SBC_CODEC_PCMU);
	CU_ASSERT_EQUAL(t->codecs[2], SBC_CODEC_TELEPHONE_EVENT);
	CU_ASSERT_EQUAL(t->n_sources, 1);
	CU_ASSERT_EQUAL(t->sources[0].len, 32);
	t = sbc_config_trunk(cfg, "pbx");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->latching, SBC_LATCH_STRICT);
	CU_ASSERT_PTR_NULL(sbc_config_trunk(cfg, "nope"));

	mi = sbc_config_media_if(cfg, "m-pbx");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mi);
	CU_ASSERT_EQUAL(mi->ipv4.ip.family, 4);
	CU_ASSERT_EQUAL(mi->ipv4.len, 24);
	CU_ASSERT_EQUAL(mi->ipv6.ip.family, 0);
	CU_ASSERT_EQUAL(mi->media_ports.lo, 30000);
	CU_ASSERT_EQUAL(mi->media_ports.hi, 30999);
	CU_ASSERT_EQUAL(mi->mtu, 1500);
	CU_ASSERT_EQUAL(cfg->dataplane.n_workers, 1);
	CU_ASSERT_EQUAL(cfg->dataplane.workers[0], 1);
	CU_ASSERT_EQUAL(cfg->dataplane.n_eal, 4);
	CU_ASSERT_STRING_EQUAL(cfg->dataplane.eal[0], "--no-huge");
	CU_ASSERT_EQUAL(cfg->dataplane.ports[0].rx_desc, 1024);
	CU_ASSERT_EQUAL(cfg->dataplane.burst_size, 32);
	CU_ASSERT_EQUAL(cfg->dataplane.stream_table_size, 4096);
	CU_ASSERT_EQUAL(cfg->dataplane.idle_backoff_us, 100);
	CU_ASSERT(cfg->dataplane.telemetry);
	CU_ASSERT_EQUAL(cfg->dataplane.srtp_engine, SBC_SRTP_ENGINE_LIBSRTP2);
	CU_ASSERT_STRING_EQUAL(cfg->sip.user_agent, "Rampart");
	/* Absent section: list default "999, 112, 911". */
	CU_ASSERT_EQUAL_FATAL(cfg->emergency.n_numbers, 3);
	CU_ASSERT_STRING_EQUAL(cfg->emergency.numbers[0], "999");
	CU_ASSERT_STRING_EQUAL(cfg->emergency.numbers[2], "911");
	CU_ASSERT_EQUAL(cfg->log.level, 3);  /* info */
	sbc_config_free(cfg);
}

static void test_relative_paths(void)
{
	struct sbc_config *cfg = load_ok(SRC "/config/rampart.yaml");
	const struct sbc_cfg_sip_listen *l;
	const char *tail = "/config/tls/example.crt";

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	l = &cfg->sip.interfaces[0].listen[2];
	CU_ASSERT_EQUAL(l->transport, SBC_TRANSPORT_TLS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l->certificate);
	CU_ASSERT(strlen(l->certificate) > strlen(tail) &&
		  strcmp(l->certificate + strlen(l->certificate) - strlen(tail), tail) == 0);
	CU_ASSERT_STRING_EQUAL(cfg->trunks[0].credentials.username, "rampart-trunk-01");
	sbc_config_free(cfg);
}

/* Write @text to a temp file under /tmp; returns its path in @path. */
static void write_tmp(char *path, size_t len, const char *text)
{
	int fd;

	snprintf(path, len, "/tmp/rampart-test-XXXXXX.yaml");
	fd = mkstemps(path, 5);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static const char reload_base[] =
	"dataplane:\n"
	"  workers: [%s]\n"
	"  ports: [{ name: p0, device: net_ring0 }]\n"
	"  interfaces: [{ name: m0, port: p0, ipv4: 198.18.0.1/24 }]\n"
	"sip:\n"
	"  interfaces:\n"
	"    - { name: s0, side: carrier, address: 198.18.0.1, media_interface: m0,\n"
	"        listen: [{ transport: udp, port: 5060 }] }\n"
	"trunks:\n"
	"  - { name: t0, side: carrier, interface: s0, cpm_limit: %s }\n";

static struct sbc_config *load_text(const char *workers, const char *cpm)
{
	char text[2048], path[64];
	struct sbc_config *cfg;

	snprintf(text, sizeof(text), reload_base, workers, cpm);
	write_tmp(path, sizeof(path), text);
	cfg = load_ok(path);
	unlink(path);
	return cfg;
}

static void test_reload_diff(void)
{
	struct sbc_config *a = load_text("1", "200");
	struct sbc_config *b = load_text("1", "400");   /* reloadable change */
	struct sbc_config *c = load_text("1, 2", "200"); /* workers: not reloadable */
	char keys[4][128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(b->trunks[0].cpm_limit, 400);
	CU_ASSERT_EQUAL(sbc_config_reload_diff(a, a, keys, 4), 0);
	CU_ASSERT_EQUAL(sbc_config_reload_diff(a, b, keys, 4), 0);
	CU_ASSERT_EQUAL_FATAL(sbc_config_reload_diff(a, c, keys, 4), 1);
	CU_ASSERT_STRING_EQUAL(keys[0], "dataplane.workers");
	sbc_config_free(a);
	sbc_config_free(b);
	sbc_config_free(c);
}

/* docs/configuration.md must be exactly what the tables generate. */
static void test_reference_doc_current(void)
{
	char *gen = NULL, *doc;
	size_t gen_len = 0;
	long doc_len;
	FILE *m = open_memstream(&gen, &gen_len);
	FILE *f = fopen(SRC "/docs/configuration.md", "r");

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	sbc_config_write_reference(m);
	fclose(m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 0, SEEK_END);
	doc_len = ftell(f);
	rewind(f);
	doc = calloc(1, (size_t)doc_len + 1);
	CU_ASSERT_FATAL(fread(doc, 1, (size_t)doc_len, f) == (size_t)doc_len);
	fclose(f);
	if ((size_t)doc_len != gen_len || memcmp(doc, gen, gen_len) != 0)
		CU_FAIL("docs/configuration.md is stale: run ./scripts/gen-config-doc.sh");
	/* Every section and some keys are really there. */
	CU_ASSERT(strstr(gen, "`trunks[]`") != NULL);
	CU_ASSERT(strstr(gen, "| `cpm_limit` | integer | 200 | 1..1000000 | yes |") != NULL);
	CU_ASSERT(strstr(gen, "| `workers` |") != NULL);
	/* Keys declared ahead of their feature say so. */
	CU_ASSERT(strstr(gen, "| `advertise` | string | unset | length 1..253 | no | Public name") != NULL);
	CU_ASSERT(strstr(gen, "| `options_interval_s` | integer | 0 | 0..3600 | yes |") != NULL);
	free(gen);
	free(doc);
}

static void test_addr_helpers(void)
{
	struct sbc_prefix p, q;
	struct sbc_ip ip;
	struct sbc_port_range r, s;
	char buf[SBC_IP_STRLEN];

	CU_ASSERT_EQUAL(sbc_prefix_parse(&p, "198.18.0.0/15", true), 0);
	CU_ASSERT_EQUAL(p.len, 15);
	CU_ASSERT_EQUAL(sbc_ip_parse(&ip, "198.19.255.255"), 0);
	CU_ASSERT(sbc_prefix_contains(&p, &ip));
	CU_ASSERT_EQUAL(sbc_ip_parse(&ip, "198.20.0.0"), 0);
	CU_ASSERT(!sbc_prefix_contains(&p, &ip));
	CU_ASSERT_EQUAL(sbc_prefix_parse(&q, "198.19.4.0/24", true), 0);
	CU_ASSERT(sbc_prefix_overlaps(&p, &q));
	CU_ASSERT_EQUAL(sbc_prefix_parse(&q, "2001:db8::/32", true), 0);
	CU_ASSERT(!sbc_prefix_overlaps(&p, &q));
	CU_ASSERT_EQUAL(sbc_prefix_parse(&q, "2001:db8::1/32", true), -EDOM);
	CU_ASSERT_EQUAL(sbc_prefix_parse(&q, "2001:db8::1/129", false), -ERANGE);
	CU_ASSERT_EQUAL(sbc_prefix_parse(&q, "198.18.0.1/+8", false), -EINVAL);
	CU_ASSERT_EQUAL(sbc_prefix_parse(&q, "198.18.0.1/", false), -EINVAL);
	CU_ASSERT_EQUAL(sbc_prefix_parse(&q, "198.18.0.1", true), 0);
	CU_ASSERT_EQUAL(q.len, 32);
	CU_ASSERT_STRING_EQUAL(sbc_prefix_str(&p, buf, sizeof(buf)), "198.18.0.0/15");
	CU_ASSERT_EQUAL(sbc_port_range_parse(&r, "20000-29999"), 0);
	CU_ASSERT_EQUAL(sbc_port_range_parse(&s, "29999"), 0);
	CU_ASSERT(sbc_port_range_overlaps(&r, &s));
	CU_ASSERT_EQUAL(sbc_port_range_parse(&s, "30000-30001"), 0);
	CU_ASSERT(!sbc_port_range_overlaps(&r, &s));
	CU_ASSERT_EQUAL(sbc_port_range_parse(&s, "0-10"), -ERANGE);
	CU_ASSERT_EQUAL(sbc_port_range_parse(&s, "10-65536"), -ERANGE);
	CU_ASSERT_EQUAL(sbc_port_range_parse(&s, "a-b"), -EINVAL);
}

int main(void)
{
	static const struct sbc_test tests[] = {
		{ "examples in config/ load", test_examples_load },
		{ "bad files: exact line:column and key", test_bad_files },
		{ "missing file", test_missing_file },
		{ "FIFO or directory: refused at once", test_not_regular },
		{ "100,000 levels of nesting: refused at the cap", test_deep_nesting },
		{ "defaults and typed values", test_defaults_and_values },
		{ "relative TLS paths", test_relative_paths },
		{ "reload diff of non-reloadable keys", test_reload_diff },
		{ "docs/configuration.md matches the tables", test_reference_doc_current },
		{ "address helpers", test_addr_helpers },
	};

	return SBC_TEST_RUN("config", tests);
}
