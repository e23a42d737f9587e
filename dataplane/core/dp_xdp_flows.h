/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Participant flows in the XDP filter (issue 13): the filter's per-source
 * rate limit charges the packets from a participant's exact address and
 * UDP port to buckets of their own (rlx_flows, docs/xdp.md), so that a
 * sender who forges only a participant's IP address spends the address's
 * bucket and never the participant's media budget.
 *
 * rlx_flows mirrors the keys of the participant address table
 * (part_by_addr): a participant's address from PART_ADD until PART_DEL or
 * its room's deletion, and both addresses of a participant that a re-key is
 * moving. The control thread writes it beside dp_protect's bookkeeping,
 * through the filter's pins (dp_xdp.h): nothing to do without a filter.
 * When the pins are (re)opened the map is brought in line with the table:
 * flows of a predecessor removed, every current address added.
 *
 * A failed write is never fatal: the flow's packets then share its
 * address's bucket as before. Each is counted (STATS xdp_flow_errors) and
 * the first is logged. Control thread only.
 */
#ifndef RELAIS_DP_XDP_FLOWS_H
#define RELAIS_DP_XDP_FLOWS_H

#include <stdint.h>

#include "dp_tables.h"

/* Address k became a participant's (it is in part_by_addr now). */
void dp_xdp_flow_add(const struct dp_addr_key *k);

/* Address k is no participant's any more (gone from part_by_addr). */
void dp_xdp_flow_del(const struct dp_addr_key *k);

/* Open the pins when due and bring rlx_flows in line after a (re)open;
 * called from the control loop, at most one open attempt a second. */
void dp_xdp_flows_step(void);

/* Failed writes to rlx_flows since start (STATS xdp_flow_errors). */
uint64_t dp_xdp_flow_errors(void);

#endif /* RELAIS_DP_XDP_FLOWS_H */
