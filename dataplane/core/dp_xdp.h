/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The relais XDP filter's counters (docs/xdp.md) in the dataplane's STATS,
 * so that relais-cli and every reader of STATS see what was dropped in
 * front of the port beside what the dataplane dropped itself: one view of
 * every drop. The filter's maps are read from their pins (setting xdp.pins,
 * by default /sys/fs/bpf/relais/<the port's interface> when the port has a
 * kernel interface, as net_af_xdp does). Control thread only.
 */
#ifndef RELAIS_DP_XDP_H
#define RELAIS_DP_XDP_H

#include <stdint.h>

#include <relais/ctl_proto.h>

#include "dp_config.h"

/* Remember where the filter's pins are: cfg->xdp_pins, else the default
 * directory of the kernel interface of cfg->port_id (none when the port has
 * none: net_ring, net_pcap, net_null). Never fails: a node without the
 * filter reports no XDP counters. */
void dp_xdp_stats_init(const struct dp_config *cfg, int with_port);

/* Read the filter's drop counters by reason into drops[RELAIS_DROP_MAX]
 * (index 0: frames it passed to the dataplane). 1 when read, 0 when there
 * is no filter to read (drops zeroed). Opens the pins on first use and
 * again, at most once a second, after they vanish (filter re-adopted). */
int dp_xdp_stats_read(uint64_t drops[RELAIS_DROP_MAX]);

struct xdp_ctl;

/* The filter's open pins (opened as dp_xdp_stats_read does, shared with
 * it), or NULL when there is no filter (yet). *gen gets how many times pins
 * were opened: a change means maps that may not hold what was written into
 * the earlier ones (dp_xdp_flows.h). */
struct xdp_ctl *dp_xdp_pins(uint64_t *gen);

/* Close the pinned maps (at exit). */
void dp_xdp_stats_close(void);

#endif /* RELAIS_DP_XDP_H */
