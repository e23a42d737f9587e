/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <relais/ctl_proto.h>
#include <relais/key_input.h>
#include <relais/privs.h>

#include "cp_opts.h"
#include "cp_statusfile.h"
#include "cp_util.h"

/* Read the first line of a password file (a secret file: relais_secret_open)
 * into out; a refusal is printed. 0/-errno. */
static int read_password(const char *path, char *out, size_t n)
{
	char why[200];
	FILE *f = relais_secret_open(path, why, sizeof(why));
	int rc = 0;

	if (f == NULL) {
		fprintf(stderr, "relais-controlplane: password file %s\n", why);
		return -EACCES;
	}
	if (fgets(out, (int)n, f) == NULL)
		rc = -EINVAL;
	else
		out[strcspn(out, "\r\n")] = '\0';
	fclose(f);
	return rc;
}

/* See header. */
int cp_opts_redis(struct cp_redis_cfg *c, const char *opt, const char *arg)
{
	if (strcmp(opt, "redis") == 0)
		return cp_redis_cfg_addr(c, arg) < 0 ? -EINVAL : 0;
	if (strcmp(opt, "sentinels") == 0)
		return cp_redis_cfg_sentinels(c, arg) < 0 ? -EINVAL : 0;
	if (strcmp(opt, "master-name") == 0)
		return snprintf(c->master_name, sizeof(c->master_name), "%s", arg) > 0 ? 0
										       : -EINVAL;
	if (strcmp(opt, "user") == 0)
		return snprintf(c->user, sizeof(c->user), "%s", arg) > 0 ? 0 : -EINVAL;
	if (strcmp(opt, "password-file") == 0)
		return read_password(arg, c->password, sizeof(c->password)) < 0 ? -EINVAL : 0;
	if (strcmp(opt, "masters") == 0)
		return cp_redis_cfg_masters(c, arg) < 0 ? -EINVAL : 0;
	if (strcmp(opt, "sentinel-user") == 0)
		return snprintf(c->sentinel_user, sizeof(c->sentinel_user), "%s", arg) > 0
			   ? 0
			   : -EINVAL;
	if (strcmp(opt, "sentinel-password-file") == 0)
		return read_password(arg, c->sentinel_password, sizeof(c->sentinel_password)) < 0
			   ? -EINVAL
			   : 0;
	return 1;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s --node ID --keyring FILE [options]\n"
		"  --node ID                node id (1-32 of [A-Za-z0-9_.-])\n"
		"  --keyring FILE           deployment keys: lines 'KID HEX64', first wraps\n"
		"  --dp-socket PATH         dataplane control socket (default %s)\n"
		"  --addr4 IP --addr6 IP    media addresses published for this node\n"
		"  --port N                 media UDP port (default 5000)\n"
		"  --capacity N             max rooms (default 1000)\n"
		"  --lease-ms N             lease TTL (default 3000; heartbeat every N/3)\n"
		"  --reconcile-ms N         full reconciliation period (default 5000)\n"
		"  --rate-limit N           placements per node per second (default 50)\n"
		"  --max-objects N          refuse rooms with more objects (default 10000)\n"
		"  --status-file PATH       write status JSON there every second\n"
		"  --xdp-pins DIR           run the XDP ban loop on the filter pinned in DIR\n"
		"  --guard-threshold N      ban a source whose offences grew by more than N...\n"
		"  --guard-window-ms N      ...within N ms (defaults 50 in 2000 ms)\n"
		"  --guard-ban-ttl-ms N     ban duration (default 60000)\n"
		"  --guard-interval-ms N    OFFENDERS poll period (default 500)\n"
		"  --run-as USER[:GROUP]    after setup, become USER (and GROUP), keeping only\n"
		"                           CAP_BPF, and that only with --xdp-pins\n"
		"  -v, -q                   more / less logging\n" CP_OPTS_REDIS_HELP,
		prog, RELAIS_CTL_DEFAULT_SOCK);
}

/* Set defaults. */
static void defaults(struct cp_node_cfg *c)
{
	memset(c, 0, sizeof(*c));
	cp_redis_cfg_init(&c->redis);
	snprintf(c->dp_sock, sizeof(c->dp_sock), "%s", RELAIS_CTL_DEFAULT_SOCK);
	c->port = 5000;
	c->capacity = 1000;
	c->lease_ms = 3000;
	c->reconcile_ms = 5000;
	c->rate_limit = 50;
	c->max_objects = 10000;
	c->guard_threshold = 50;
	c->guard_window_ms = 2000;
	c->guard_ban_ttl_ms = 60000;
	c->guard_interval_ms = 500;
}

/* Integer option within [lo, hi]. 0/-EINVAL. */
static int int_opt(const char *arg, int lo, int hi, int *out)
{
	uint32_t v;

	if (cp_parse_u32(arg, &v) < 0 || v < (uint32_t)lo || v > (uint32_t)hi)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* --run-as USER[:GROUP]: resolved now (a refusal is printed). 0/-EINVAL. */
static int run_as_opt(struct cp_node_cfg *c, const char *a)
{
	char err[200];

	if (relais_privs_resolve_spec(&c->run_as, a, err, sizeof(err)) < 0) {
		fprintf(stderr, "relais-controlplane: --run-as %s: %s\n", a, err);
		return -EINVAL;
	}
	c->drop = true;
	return 0;
}

/* --status-file, checked for the user who writes it (--run-as's, or this
 * one). 0 or -EINVAL (printed). */
static int status_file_check(struct cp_node_cfg *c)
{
	char path[sizeof(c->status_file)];

	if (c->status_file[0] == '\0')
		return 0;
	memcpy(path, c->status_file, sizeof(path));
	return cp_statusfile_check("relais-controlplane", path, c->status_file,
				   sizeof(c->status_file), c->drop ? c->run_as.uid : geteuid());
}

/* Apply one node option; 0 or -EINVAL. */
static int node_opt(struct cp_node_cfg *c, const char *o, const char *a)
{
	int rc = cp_opts_redis(&c->redis, o, a);

	if (rc != 1)
		return rc;
	if (!strcmp(o, "node"))
		return strlen(a) >= 1 && strlen(a) <= 32 &&
			       strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "abcdefghijklmnopqrstuvwxyz"
					 "0123456789_.-") == strlen(a)
			   ? (strcpy(c->node, a), 0)
			   : -EINVAL;
	if (!strcmp(o, "keyring"))
		return snprintf(c->keyring, sizeof(c->keyring), "%s", a) > 0 ? 0 : -EINVAL;
	if (!strcmp(o, "dp-socket"))
		return strlen(a) < sizeof(c->dp_sock) ? (strcpy(c->dp_sock, a), 0) : -EINVAL;
	if (!strcmp(o, "addr4") || !strcmp(o, "addr6"))
		return snprintf(o[4] == '4' ? c->addr4 : c->addr6, 64, "%s", a) < 64 ? 0 : -EINVAL;
	if (!strcmp(o, "port"))
		return int_opt(a, 1, 65535, &c->port);
	if (!strcmp(o, "capacity"))
		return int_opt(a, 0, CP_CAPACITY_MAX, &c->capacity);
	if (!strcmp(o, "lease-ms"))
		return int_opt(a, 300, 600000, &c->lease_ms);
	if (!strcmp(o, "reconcile-ms"))
		return int_opt(a, 100, 3600000, &c->reconcile_ms);
	if (!strcmp(o, "rate-limit"))
		return int_opt(a, 1, 1000000, &c->rate_limit);
	if (!strcmp(o, "max-objects"))
		return int_opt(a, 1, 10000000, &c->max_objects);
	if (!strcmp(o, "status-file")) /* checked once --run-as is known */
		return snprintf(c->status_file, sizeof(c->status_file), "%s", a) <
			       (int)sizeof(c->status_file)
			   ? 0
			   : -EINVAL;
	if (!strcmp(o, "run-as"))
		return run_as_opt(c, a);
	if (!strcmp(o, "xdp-pins"))
		return snprintf(c->xdp_pins, sizeof(c->xdp_pins), "%s", a) <
			       (int)sizeof(c->xdp_pins)
			   ? 0
			   : -EINVAL;
	if (!strcmp(o, "guard-threshold"))
		return int_opt(a, 1, 100000000, &c->guard_threshold);
	if (!strcmp(o, "guard-window-ms"))
		return int_opt(a, 10, 3600000, &c->guard_window_ms);
	if (!strcmp(o, "guard-ban-ttl-ms"))
		return int_opt(a, 100, 86400000, &c->guard_ban_ttl_ms);
	if (!strcmp(o, "guard-interval-ms"))
		return int_opt(a, 10, 600000, &c->guard_interval_ms);
	return -EINVAL;
}

/* See header. */
int cp_opts_parse(struct cp_node_cfg *c, int argc, char **argv)
{
	static const char *const names[] = {"node",
					    "keyring",
					    "dp-socket",
					    "addr4",
					    "addr6",
					    "port",
					    "capacity",
					    "lease-ms",
					    "reconcile-ms",
					    "rate-limit",
					    "max-objects",
					    "redis",
					    "sentinels",
					    "master-name",
					    "user",
					    "password-file",
					    "masters",
					    "sentinel-user",
					    "sentinel-password-file",
					    "xdp-pins",
					    "status-file",
					    "guard-threshold",
					    "guard-window-ms",
					    "guard-ban-ttl-ms",
					    "guard-interval-ms",
					    "run-as"};
	struct option lo[sizeof(names) / sizeof(names[0]) + 2];
	size_t k = sizeof(names) / sizeof(names[0]);
	int opt, idx;

	defaults(c);
	for (size_t i = 0; i < k; i++)
		lo[i] = (struct option){names[i], required_argument, NULL, 0};
	lo[k] = (struct option){"help", no_argument, NULL, 'h'};
	lo[k + 1] = (struct option){NULL, 0, NULL, 0};
	while ((opt = getopt_long(argc, argv, "hvq", lo, &idx)) != -1) {
		if (opt == 'v' || opt == 'q') {
			cp_log_level += opt == 'v' ? 1 : -1;
			continue;
		}
		if (opt != 0 || node_opt(c, lo[idx].name, optarg) < 0) {
			if (opt == 0)
				fprintf(stderr, "%s: bad value for --%s\n", argv[0], lo[idx].name);
			usage(argv[0]);
			return opt == 'h' ? 1 : -EINVAL;
		}
	}
	if (c->node[0] == '\0' || c->keyring[0] == '\0') {
		fprintf(stderr, "%s: --node and --keyring are required\n", argv[0]);
		return -EINVAL;
	}
	if (c->redis.n_sentinels > 0 && c->redis.n_masters == 0) {
		fprintf(stderr,
			"%s: --sentinels needs --masters (the addresses a Sentinel may name)\n",
			argv[0]);
		return -EINVAL;
	}
	return status_file_check(c);
}
