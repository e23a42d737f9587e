/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line options of relais-controlplane and the Redis options shared
 * with relaisctl. */
#ifndef CP_OPTS_H
#define CP_OPTS_H

#include <stdbool.h>

#include <relais/privs.h>

#include "cp_redis.h"

/* The largest --capacity: no node owns more rooms (the loader reads at most
 * one more of its room list, cp_loader.c). */
#define CP_CAPACITY_MAX 1000000

/* The node's configuration (docs/controlplane.md, "Running it"). */
struct cp_node_cfg {
	char node[33];
	char addr4[64], addr6[64];
	int port, capacity;
	int lease_ms, reconcile_ms, rate_limit, max_objects;
	char dp_sock[108];
	char keyring[256];
	char status_file[256]; /* "" = none */
	struct cp_redis_cfg redis;
	/* The XDP ban loop (cp_guard.c): on when xdp_pins is set. */
	char xdp_pins[256];
	int guard_threshold, guard_window_ms, guard_ban_ttl_ms, guard_interval_ms;
	/* --run-as: whom to become after setup (cp_main.c). */
	bool drop;
	struct relais_privs run_as;
};

/* Defaults, environment, then argv. 0, 1 (help printed) or -EINVAL
 * (message printed). */
int cp_opts_parse(struct cp_node_cfg *c, int argc, char **argv);

/* Apply one Redis option (--redis, --sentinels, --master-name, --masters,
 * --user, --password-file, --sentinel-user, --sentinel-password-file) to c.
 * Password files are secret files (relais_secret_open: refused when group-
 * or world-readable). 0, 1 (not a Redis option) or -EINVAL. */
int cp_opts_redis(struct cp_redis_cfg *c, const char *opt, const char *arg);

#define CP_OPTS_REDIS_HELP                                                                       \
	"  --redis HOST:PORT        Redis master (default 127.0.0.1:6379, env RELAIS_REDIS)\n"   \
	"  --sentinels H:P[,H:P]    ask these Sentinels for the master (env RELAIS_SENTINELS)\n" \
	"  --master-name NAME       Sentinel master name (default relais)\n"                     \
	"  --masters H:P[,H:P]      the only masters a Sentinel may name (needed with\n"         \
	"                           --sentinels; env RELAIS_MASTERS)\n"                          \
	"  --sentinel-user NAME     Sentinel ACL user (with --sentinel-password-file)\n"         \
	"  --sentinel-password-file FILE  AUTH on every Sentinel query\n"                        \
	"  --user NAME              ACL user (env RELAIS_REDIS_USER)\n"                          \
	"  --password-file FILE     password (env RELAIS_REDIS_PASSWORD)\n"

#endif /* CP_OPTS_H */
