/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-edge's options (edge/core/edge_opts.c): every --max-sessions the
 * parser accepts is a capacity the ICE agent can be created with, so that
 * relais-edge never accepts a value and then fails at start with a
 * misleading "out of memory" (65537..1048576 did), and the first value
 * past it is refused by name at parse time. Also the defaults.
 */
#define CHECK_MAIN
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "edge_ice.h"
#include "edge_opts.h"

/* Parse the required options plus --max-sessions value (NULL: absent).
 * The pointers are copied, not cast, into the char *[] the parser takes
 * (-Wcast-qual); it does not write through them. */
static int parse_with(struct edge_opts *o, const char *max_sessions)
{
	const char *args[] = {"relais-edge", "--node",         "n1",          "--keyring",
			      "/dev/null",   "--link",         "/tmp/x.sock", "--media-ip",
			      "192.0.2.10",  "--http",         "127.0.0.1:0", "--token-secret",
			      "/dev/null",   "--max-sessions", max_sessions};
	char *argv[sizeof(args) / sizeof(args[0])];

	memcpy(argv, args, sizeof(args));
	return edge_opts_parse(o, max_sessions ? 15 : 13, argv);
}

/* Parse the required options plus n extra arguments. */
static int parse_extra(struct edge_opts *o, int n, const char *const *extra)
{
	const char *args[32] = {"relais-edge", "--node", "n1",          "--keyring",
				"/dev/null",   "--link", "/tmp/x.sock", "--media-ip",
				"192.0.2.10",  "--http", "127.0.0.1:0", "--token-secret",
				"/dev/null"};
	char *argv[32];

	memcpy(args + 13, extra, (size_t)n * sizeof(*extra));
	memcpy(argv, args, sizeof(args));
	return edge_opts_parse(o, 13 + n, argv);
}

/* --turn-url: TURN needs --turn-secret, STUN does not, other schemes and a
 * fifth URL are refused. */
static void check_turn(struct edge_opts *o)
{
	const char *turn[] = {"--turn-url", "turn:192.0.2.1:3478?transport=tcp"};
	const char *with[] = {"--turn-url",    "turn:192.0.2.1:3478?transport=tcp",
			      "--turn-secret", "/dev/null",
			      "--turn-ttl",    "600"};
	const char *stun[] = {"--turn-url", "stun:192.0.2.1:3478"};
	const char *http[] = {"--turn-url", "http://192.0.2.1/"};
	const char *quote[] = {"--turn-url", "turn:a\">b", "--turn-secret", "/dev/null"};
	const char *five[] = {"--turn-secret", "/dev/null", "--turn-url", "stun:a",
			      "--turn-url",    "stun:b",    "--turn-url", "stun:c",
			      "--turn-url",    "stun:d",    "--turn-url", "stun:e"};

	CHECK_EQ(parse_extra(o, 2, turn), -EINVAL, "--turn-url turn: without --turn-secret");
	CHECK_EQ(parse_extra(o, 6, with), 0, "--turn-url with --turn-secret and --turn-ttl");
	CHECK_EQ(o->n_turn_urls, 1, "one TURN URL kept");
	CHECK_EQ(o->turn_ttl, 600, "--turn-ttl taken");
	CHECK_EQ(parse_extra(o, 2, stun), 0, "--turn-url stun: alone");
	CHECK_EQ(parse_extra(o, 2, http), -EINVAL, "--turn-url http:");
	CHECK_EQ(parse_extra(o, 4, quote), -EINVAL, "--turn-url with a quote and >");
	CHECK_EQ(parse_extra(o, 12, five), -EINVAL, "a fifth --turn-url");
}

/* An accepted --max-sessions creates an agent of that capacity. */
static void check_creates(const struct edge_opts *o)
{
	struct edge_ice_params p = {.capacity = o->max_sessions};
	struct edge_ice_agent *a = edge_ice_create(&p);

	CHECKF(a != NULL, "edge_ice_create(%u) failed", o->max_sessions);
	edge_ice_free(a);
}

int main(void)
{
	struct edge_opts o;
	char top[16], past[16];

	snprintf(top, sizeof(top), "%u", EDGE_ICE_CAPACITY_MAX);
	snprintf(past, sizeof(past), "%u", EDGE_ICE_CAPACITY_MAX + 1);
	CHECK_EQ(parse_with(&o, NULL), 0, "defaults");
	CHECK_EQ(o.max_sessions, 4096, "default --max-sessions");
	check_creates(&o);
	CHECK_EQ(parse_with(&o, top), 0, "--max-sessions at the agent's capacity");
	CHECK_EQ(o.max_sessions, EDGE_ICE_CAPACITY_MAX, "--max-sessions taken");
	check_creates(&o);
	CHECK_EQ(parse_with(&o, "1"), 0, "--max-sessions 1");
	check_creates(&o);
	CHECK_EQ(parse_with(&o, past), -EINVAL, "--max-sessions past the agent's capacity");
	CHECK_EQ(parse_with(&o, "1048576"), -EINVAL, "--max-sessions 2^20");
	CHECK_EQ(parse_with(&o, "0"), -EINVAL, "--max-sessions 0");
	check_turn(&o);
	return check_summary("edge_opts");
}
