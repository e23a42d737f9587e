/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-lcore counters: one cache-aligned struct per lcore, written only by
 * that lcore with plain increments, summed by readers (control thread,
 * telemetry). Aligned 64-bit loads cannot tear on the platforms DPDK
 * supports, so readers need no synchronisation; a sum may be a few packets
 * behind, never corrupt.
 */
#ifndef DP_STATS_H
#define DP_STATS_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include <relais/ctl_proto.h>

struct dp_lcore_stats {
	uint64_t v[RELAIS_STAT_MAX];
	uint64_t drops[RELAIS_DROP_MAX];
} __rte_cache_aligned;

extern struct dp_lcore_stats dp_stats[RTE_MAX_LCORE];

/* Count one event on the calling lcore. */
#define DP_STAT_ADD(stat, n) (dp_stats[rte_lcore_id()].v[RELAIS_STAT_##stat] += (n))
#define DP_DROP(reason) (dp_stats[rte_lcore_id()].drops[(reason)]++)

/* Sum every lcore's counters into *out; its gauges are 0, left to the
 * caller. */
void dp_stats_sum(struct relais_ctl_stats *out);

#endif /* DP_STATS_H */
