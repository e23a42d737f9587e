/* SPDX-License-Identifier: BSD-3-Clause */
/* The XDP filter's counters in STATS; see dp_xdp.h. */
#include <net/if.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include <rte_ethdev.h>

#include "dp_xdp.h"
#include "xdp_ctl.h"

static char pin_dir[256];              /* "" = no filter to read */
static struct xdp_ctl *xdp;            /* open pins, NULL until found */
static uint64_t next_open_ns;          /* CLOCK_MONOTONIC: next attempt to open */
static uint64_t opened;                /* pins opened so far (dp_xdp_pins' generation) */
static uint64_t failed_ns;             /* wait after the last failed open (0: none) */
#define REOPEN_NS 1000000000ull        /* one try a second while the pins are absent */
#define FAILED_MAX_NS (64 * REOPEN_NS) /* longest wait after failed opens */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* See dp_xdp.h. */
void dp_xdp_stats_init(const struct dp_config *cfg, int with_port)
{
	struct rte_eth_dev_info di;
	char ifname[IF_NAMESIZE];

	pin_dir[0] = '\0';
	if (cfg->xdp_pins[0]) {
		snprintf(pin_dir, sizeof(pin_dir), "%s", cfg->xdp_pins);
		return;
	}
	if (!with_port || rte_eth_dev_info_get(cfg->port_id, &di) != 0 || di.if_index == 0 ||
	    if_indextoname(di.if_index, ifname) == NULL)
		return;
	if (xdp_ctl_pin_dir(ifname, pin_dir, sizeof(pin_dir)) != 0)
		pin_dir[0] = '\0';
}

/* The open pins, opening them when due; NULL when there is no filter. */
static struct xdp_ctl *pins(void)
{
	char probe[sizeof(pin_dir) + 16];
	uint64_t now;

	if (xdp || pin_dir[0] == '\0')
		return xdp;
	now = mono_ns();
	if (now < next_open_ns)
		return NULL;
	next_open_ns = now + REOPEN_NS;
	/* No filter adopted there (yet), not all of it, or one of a build
	 * before rlx_flows (re-adopt it): say nothing, try again later. The
	 * probe is the map xdp_ctl_pin pins last. */
	snprintf(probe, sizeof(probe), "%s/%s", pin_dir, xdp_ctl_map_name(XDP_CTL_MAP_COUNT - 1));
	if (access(probe, F_OK) != 0)
		return NULL;
	xdp = xdp_ctl_from_pins(pin_dir);
	if (xdp == NULL) {
		/* Said on stderr by xdp_ctl_from_pins: say it less and less
		 * often (pins this user may not open), as the control loop
		 * asks every second (dp_xdp_flows_step). */
		failed_ns = failed_ns ? failed_ns * 2 : REOPEN_NS;
		failed_ns = failed_ns > FAILED_MAX_NS ? FAILED_MAX_NS : failed_ns;
		next_open_ns = now + failed_ns;
		return NULL;
	}
	failed_ns = 0;
	opened++;
	return xdp;
}

/* See dp_xdp.h. */
struct xdp_ctl *dp_xdp_pins(uint64_t *gen)
{
	struct xdp_ctl *x = pins();

	*gen = opened;
	return x;
}

/* See dp_xdp.h. */
int dp_xdp_stats_read(uint64_t drops[RELAIS_DROP_MAX])
{
	struct xdp_counter c[RELAIS_DROP_MAX];
	struct xdp_ctl *x = pins();

	memset(drops, 0, sizeof(uint64_t) * RELAIS_DROP_MAX);
	if (x == NULL)
		return 0;
	if (xdp_counters_read(x, c, NULL) != 0) {
		dp_xdp_stats_close(); /* pins replaced: open the new ones next time */
		return 0;
	}
	for (unsigned i = 0; i < RELAIS_DROP_MAX; i++)
		drops[i] = c[i].pkts;
	return 1;
}

/* See dp_xdp.h. */
void dp_xdp_stats_close(void)
{
	if (xdp)
		xdp_ctl_close(xdp);
	xdp = NULL;
}
