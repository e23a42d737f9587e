/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dp_stats.h"

struct dp_lcore_stats dp_stats[RTE_MAX_LCORE];

/* Sum all lcores' counters, gauges left 0. Unsynchronised reads of aligned
 * 64-bit words: each value is one the owner wrote, possibly a little stale. */
void dp_stats_sum(struct relais_ctl_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned l = 0; l < RTE_MAX_LCORE; l++) {
		for (unsigned i = 0; i < RELAIS_STAT_MAX; i++)
			if (!relais_stat_is_gauge(i))
				out->v[i] += dp_stats[l].v[i];
		for (unsigned i = 0; i < RELAIS_DROP_MAX; i++)
			out->drops[i] += dp_stats[l].drops[i];
	}
}
