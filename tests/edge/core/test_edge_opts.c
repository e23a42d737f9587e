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
	return check_summary("edge_opts");
}
