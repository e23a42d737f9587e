/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_telemetry commands (read them with dpdk-telemetry.py):
 *   /relais/stats          totals and drops by reason
 *   /relais/lcores         per-worker rx/tx/decrypt/encrypt and drops
 *   /relais/drop_reasons   every reason with its explanation
 *   /relais/track,ID       one track's SSRC, subscribers and counters
 * The telemetry thread reads objects as an RCU reader of its own
 * (DP_RCU_TELEMETRY_ID), online only inside the callback.
 */
#include <stdlib.h>

#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "dp_app.h"
#include "dp_stats.h"
#include "dp_tables.h"
#include "dp_tx.h"
#include "dp_worker.h"

static rte_spinlock_t tel_lock = RTE_SPINLOCK_INITIALIZER;

/* /relais/stats */
static int tel_stats(const char *cmd __rte_unused, const char *params __rte_unused,
		     struct rte_tel_data *d)
{
	struct relais_ctl_stats s;

	dp_stats_sum(&s);
	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i < RELAIS_STAT_MAX; i++)
		if (!relais_stat_is_gauge(i)) /* gauges: below */
			rte_tel_data_add_dict_u64(d, relais_stat_name(i), s.v[i]);
	rte_tel_data_add_dict_u64(d, "participants", dp_tab.counts[DP_COUNT_PARTS]);
	rte_tel_data_add_dict_u64(d, "tracks", dp_tab.counts[DP_COUNT_TRACKS]);
	rte_tel_data_add_dict_u64(d, "subscriptions", dp_tab.counts[DP_COUNT_SUBS]);
	for (unsigned i = 1; i < RELAIS_DROP_MAX; i++) {
		char name[64];

		snprintf(name, sizeof(name), "drop_%s", relais_drop_name(i));
		rte_tel_data_add_dict_u64(d, name, s.drops[i]);
	}
	return 0;
}

/* /relais/lcores: one nested dict per worker. */
static int tel_lcores(const char *cmd __rte_unused, const char *params __rte_unused,
		      struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (unsigned l = 0; l < RTE_MAX_LCORE; l++) {
		struct rte_tel_data *c;
		uint64_t drops = 0;
		char name[32];

		if (dp_worker_index(l) < 0 || (c = rte_tel_data_alloc()) == NULL)
			continue;
		rte_tel_data_start_dict(c);
		for (unsigned i = 0; i < RELAIS_STAT_MAX; i++)
			if (!relais_stat_is_gauge(i))
				rte_tel_data_add_dict_u64(c, relais_stat_name(i), dp_stats[l].v[i]);
		for (unsigned i = 1; i < RELAIS_DROP_MAX; i++)
			drops += dp_stats[l].drops[i];
		rte_tel_data_add_dict_u64(c, "drops", drops);
		snprintf(name, sizeof(name), "lcore_%u", l);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	return 0;
}

/* /relais/drop_reasons */
static int tel_reasons(const char *cmd __rte_unused, const char *params __rte_unused,
		       struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (unsigned i = 1; i < RELAIS_DROP_MAX; i++)
		rte_tel_data_add_dict_string(d, relais_drop_name(i), relais_drop_help(i));
	return 0;
}

/* /relais/track,ID */
static int tel_track(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	struct dp_track *t;
	int rc = 0;

	if (params == NULL || *params == '\0')
		return -EINVAL;
	rte_spinlock_lock(&tel_lock);
	rte_rcu_qsbr_thread_online(dp_tab.rcu, DP_RCU_TELEMETRY_ID);
	t = dp_track_by_id((uint32_t)strtoul(params, NULL, 0));
	if (t) {
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_u64(d, "track_id", t->id);
		rte_tel_data_add_dict_u64(d, "publisher", t->part_id);
		rte_tel_data_add_dict_u64(
		    d, "ssrc", __atomic_load_n(&t->ssrc_known, __ATOMIC_ACQUIRE) ? t->ssrc : 0);
		rte_tel_data_add_dict_u64(d, "pkts", t->pkts);
		rte_tel_data_add_dict_u64(d, "bytes", t->bytes);
		rte_tel_data_add_dict_u64(d, "drops", t->drops);
	} else {
		rc = -ENOENT;
	}
	rte_rcu_qsbr_thread_offline(dp_tab.rcu, DP_RCU_TELEMETRY_ID);
	rte_spinlock_unlock(&tel_lock);
	return rc;
}

/* Register the commands; 0 or -errno (already registered is fine). */
int dp_telemetry_init(void)
{
	rte_rcu_qsbr_thread_register(dp_tab.rcu, DP_RCU_TELEMETRY_ID);
	rte_telemetry_register_cmd("/relais/stats", tel_stats, "relais totals and drops");
	rte_telemetry_register_cmd("/relais/lcores", tel_lcores, "relais per-worker counters");
	rte_telemetry_register_cmd("/relais/drop_reasons", tel_reasons,
				   "relais drop reasons explained");
	rte_telemetry_register_cmd("/relais/track", tel_track,
				   "relais track counters. Parameter: track id");
	return 0;
}
