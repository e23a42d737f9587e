/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the dataplane's configuration (dataplane/core/dp_config.c): an
 * INI file read through rte_cfgfile, then "-s section.key=value" overrides.
 * Every refusal is checked word for word, with the file's line: unknown
 * key and section, bad value, repeated section, a line that is neither a
 * heading nor an entry, an unterminated heading, a missing file. No EAL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cfgfile.h>

#include "dp_config.h"
#define CHECK_MAIN
#include "check.h"

static char path[64];

/* Write text to the test's file; 0 or -1. */
static int write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Load text as a file into fresh defaults; err gets the message. */
static int load(struct dp_config *c, const char *text, char *err, size_t n)
{
	dp_config_defaults(c);
	err[0] = '\0';
	if (write_file(text) != 0)
		return -100;
	return dp_config_load(c, path, err, n);
}

/* The load fails and err is "path" + want. */
static void expect_error(const char *text, const char *want)
{
	struct dp_config c;
	char err[512], full[600];

	snprintf(full, sizeof(full), "%s%s", path, want);
	CHECKF(load(&c, text, err, sizeof(err)) == -EINVAL && strcmp(err, full) == 0,
	       "want '%s', got '%s'", full, err);
}

/* A good file: headings, comments, blank lines, inline comments, empty value. */
static void test_good_file(void)
{
	struct dp_config c;
	char err[512];
	int rc;

	rc = load(&c,
		  "# relais\n"
		  "\n"
		  "[media]\n"
		  "port = 6000   # inline comment\n"
		  "ipv4=10.0.0.1/16\n"
		  "port = 6001\n"
		  "  [ lcores ]\n"
		  "workers = 1-3\n"
		  "rx_queues = 0@1,1@2\n"
		  "[control]\n"
		  "crypto_device =\n"
		  "socket = /tmp/x.sock\n",
		  err, sizeof(err));
	CHECKF(rc == 0, "got %d '%s'", rc, err);
	CHECK(c.media_port == 6001); /* a repeated key: the last one counts */
	CHECK(c.has_ip4 && c.prefix4 == 16 && c.ip4[0] == 10 && c.ip4[3] == 1);
	CHECK(c.n_workers == 3 && c.workers[0] == 1 && c.workers[2] == 3);
	CHECK(c.n_rxq == 2 && c.rxq_lcore[1] == 2);
	CHECK(c.crypto_device[0] == '\0');
	CHECK(strcmp(c.ctl_socket, "/tmp/x.sock") == 0);
	CHECK(c.max_tracks == 131072); /* untouched default */
}

/* Every refusal of a file, with its line. */
static void test_file_errors(void)
{
	char long_line[400];

	expect_error("[media]\nport = 5000\ncolour = blue\n", ":3: media.colour: unknown setting");
	expect_error("[nosuch]\nkey = 1\n", ":2: nosuch.key: unknown setting");
	expect_error("port = 5000\n[media]\n", ":1: .port: unknown setting");
	expect_error("[media]\nport = 5000\nipv4 = 10.0.0.1/24\n[lcores]\nworkers = 1,x\n",
		     ":5: lcores.workers: invalid value '1,x'");
	expect_error("[media]\nport = 70000\n", ":2: media.port: invalid value '70000'");
	expect_error("[media]\nport =\n", ":2: media.port: invalid value ''");
	expect_error("[media]\nport = 5000\n[lcores]\nworkers = 1\n\n[media]\nvlan = 7\n",
		     ":6: [media]: duplicate section (first at line 1)");
	expect_error("[media]\nport 5000\n", ":2: expected '[section]' or 'key = value'");
	expect_error("[media]\nport = 5000\n[lcores\n", ":3: unterminated section");
	memset(long_line, 'x', sizeof(long_line));
	memcpy(long_line, "[media]\nport = ", 15);
	long_line[sizeof(long_line) - 1] = '\0';
	expect_error(long_line, ":2: line too long");
	memcpy(long_line, "[control]\nsocket = ", 19);
	long_line[19 + CFG_VALUE_LEN] = '\0';
	expect_error(long_line, ":2: control.socket: value too long");
}

/* A file that cannot be opened: "path: why". */
static void test_missing_file(void)
{
	struct dp_config c;
	char err[512];

	dp_config_defaults(&c);
	CHECK(dp_config_load(&c, "/nonexistent/relais.ini", err, sizeof(err)) == -EINVAL);
	CHECKF(strcmp(err, "/nonexistent/relais.ini: No such file or directory") == 0, "got '%s'",
	       err);
}

/* -s overrides apply after the file, with the same rules and messages. */
static void test_overrides(void)
{
	struct dp_config c;
	char err[512];

	CHECK(load(&c, "[media]\nport = 6000\n", err, sizeof(err)) == 0);
	CHECK(dp_config_set(&c, "media.port=7000", err, sizeof(err)) == 0);
	CHECK(c.media_port == 7000);
	CHECK(dp_config_set(&c, " limits.tracks = 1024 ", err, sizeof(err)) == 0);
	CHECK(c.max_tracks == 1024);
	CHECK(dp_config_set(&c, "media.port=70000", err, sizeof(err)) == -EINVAL);
	CHECKF(strcmp(err, "media.port: invalid value '70000'") == 0, "got '%s'", err);
	CHECK(c.media_port == 7000);
	CHECK(dp_config_set(&c, "nosuch.key=1", err, sizeof(err)) == -EINVAL);
	CHECKF(strcmp(err, "nosuch.key: unknown setting") == 0, "got '%s'", err);
	CHECK(dp_config_set(&c, "port=1", err, sizeof(err)) == -EINVAL);
	CHECKF(strcmp(err, "'port=1': expected section.key=value") == 0, "got '%s'", err);
}

/* The [edge] section: the link's socket and the exception budgets. */
static void test_edge(void)
{
	struct dp_config c;
	char err[512];

	CHECK(load(&c, "[media]\nport = 6000\n", err, sizeof(err)) == 0);
	CHECK(c.edge_socket[0] == '\0' && c.edge_gid == -1); /* no edge link by default */
	CHECK(c.exc_rate_source == 50 && c.exc_burst_source == 40 && c.exc_rate_total == 20000);
	CHECK(load(&c,
		   "[edge]\nsocket = /run/relais/edge.sock\nrate_per_source = 20\n"
		   "burst_per_source = 10\nrate_total = 5000\ngroup = 0\n",
		   err, sizeof(err)) == 0);
	CHECK(strcmp(c.edge_socket, "/run/relais/edge.sock") == 0 && c.edge_gid == 0);
	CHECK(c.exc_rate_source == 20 && c.exc_burst_source == 10 && c.exc_rate_total == 5000);
	expect_error("[edge]\nrate_per_source = 0\n",
		     ":2: edge.rate_per_source: invalid value '0'");
	expect_error("[edge]\ngroup = no-such-group-here\n",
		     ":2: edge.group: invalid value 'no-such-group-here'");
}

/* [state]: no directory by default, block 4096; values and the range. */
static void test_state(void)
{
	struct dp_config c;
	char err[512];

	CHECK(load(&c, "[media]\nport = 6000\n", err, sizeof(err)) == 0);
	CHECK(c.state_dir[0] == '\0' && c.state_block == 4096);
	CHECK(load(&c, "[state]\ndir = /var/lib/relais/dataplane\nblock = 256\n", err,
		   sizeof(err)) == 0);
	CHECK(strcmp(c.state_dir, "/var/lib/relais/dataplane") == 0 && c.state_block == 256);
	expect_error("[state]\nblock = 32768\n", ":2: state.block: invalid value '32768'");
	expect_error("[state]\nblock = 255\n", ":2: state.block: invalid value '255'");
}

int main(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/relais-cfgtest.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	test_good_file();
	test_file_errors();
	test_missing_file();
	test_overrides();
	test_edge();
	test_state();
	unlink(path);
	return check_summary("config");
}
