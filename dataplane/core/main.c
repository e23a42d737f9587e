/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-dataplane: EAL arguments, then `--`, then our own:
 *   -c, --config FILE      INI configuration (docs/configuration.md)
 *   -s, --set SEC.KEY=VAL  override one setting (repeatable)
 *   -h, --help
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include <relais/no_dump.h>

#include "dp_app.h"
#include "dp_nodump.h"
#include "dp_privs.h"

static struct dp_app app;

static void on_signal(int sig __rte_unused)
{
	app.stop = true;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- [-c FILE] [-s section.key=value]...\n"
		"  -c, --config FILE    configuration file (INI)\n"
		"  -s, --set S.K=V      override one setting\n"
		"see docs/configuration.md\n",
		prog);
}

/* Our options after EAL's; 0, 1 (help shown) or -EINVAL. */
static int parse_args(int argc, char **argv, char *err, size_t n)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"set", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:s:h", longopts, NULL)) != -1) {
		int rc = 0;

		if (opt == 'c')
			rc = dp_config_load(&app.cfg, optarg, err, n);
		else if (opt == 's')
			rc = dp_config_set(&app.cfg, optarg, err, n);
		else {
			usage(argv[0]);
			return opt == 'h' ? 1 : -EINVAL;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char err[512] = "";
	int rc = rte_eal_init(argc, argv);

	if (rc < 0) {
		fprintf(stderr, "relais-dataplane: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= rc;
	argv += rc;
	if (relais_no_core_dump("relais-dataplane") < 0 || dp_nodump_init() < 0) {
		fprintf(stderr, "relais-dataplane: cannot keep keys out of core dumps\n");
		return 1;
	}
	dp_config_defaults(&app.cfg);
	rc = parse_args(argc, argv, err, sizeof(err));
	if (rc == 0)
		rc = dp_config_validate(&app.cfg, err, sizeof(err));
	if (rc == 0)
		rc = dp_privs_prepare(&app.cfg, err, sizeof(err));
	if (rc == 0)
		rc = dp_app_init(&app, true, err, sizeof(err));
	if (rc == 0)
		rc = dp_privs_drop(&app.cfg, err, sizeof(err));
	if (rc == 0)
		rc = dp_app_launch(&app);
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "relais-dataplane: config error: %s\n", err);
		dp_app_fini(&app);
		rte_eal_cleanup();
		return rc > 0 ? 0 : 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("relais-dataplane: %u workers, media port %u, control socket %s\n",
	       app.cfg.n_workers, app.cfg.media_port, app.cfg.ctl_socket);
	fflush(stdout);
	while (!app.stop)
		dp_app_control_step(&app, 10);
	dp_app_fini(&app);
	rte_eal_cleanup();
	return 0;
}
