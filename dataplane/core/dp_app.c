/* SPDX-License-Identifier: BSD-3-Clause */
/* The dataplane application's lifecycle; see dp_app.h. */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_ring.h>

#include "dp_app.h"
#include "dp_ctl.h"
#include "dp_edge.h"
#include "dp_lcore.h"
#include "dp_neigh.h"
#include "dp_offender.h"
#include "dp_ostream.h"
#include "dp_protect.h"
#include "dp_stats.h"
#include "dp_tables.h"
#include "dp_worker.h"
#include "dp_xdp.h"
#include "dp_xdp_flows.h"

/* See dp_app.h. */
int dp_app_init(struct dp_app *a, bool with_port, char *err, size_t n)
{
	struct dp_worker_conf wc;
	uint16_t n_txq = (uint16_t)a->cfg.n_workers;
	int rc;

	a->with_port = with_port;
	/* The largest per-lcore cache: a fan-out poll allocates thousands of
	 * copies before the first is freed; a larger cache keeps more of them
	 * warm (20-30 cycles per output at fan-out 64, docs/performance.md).
	 * limits.mbufs >= 1023 satisfies DPDK's cache * 1.5 <= n. */
	a->pool = rte_pktmbuf_pool_create("rl_mbufs", a->cfg.mbufs, RTE_MEMPOOL_CACHE_MAX_SIZE, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (a->pool == NULL) {
		snprintf(err, n, "limits.mbufs: cannot allocate %u mbufs (hugepages reserved?)",
			 a->cfg.mbufs);
		return -ENOMEM;
	}
	dp_crypto_cryptodev_use_device(a->cfg.crypto_device);
	a->eng = dp_crypto_engine_open(a->cfg.crypto_engine, a->cfg.n_workers, &a->eng_ops);
	if (a->eng == NULL && a->cfg.crypto_device[0]) {
		snprintf(err, n,
			 "control.crypto_device: cannot use cryptodev '%s': %s (it must exist, "
			 "e.g. -a for a PCI device or --vdev, offer AES-CTR, HMAC-SHA1 and "
			 "AES-GCM, and have a queue pair per worker: %u)",
			 a->cfg.crypto_device, strerror(errno), a->cfg.n_workers);
		return -EINVAL;
	}
	if (a->eng == NULL) {
		snprintf(err, n,
			 "control.crypto_engine: cannot open engine '%s': %s (engines: libsrtp, "
			 "cryptodev, auto)",
			 a->cfg.crypto_engine, strerror(errno));
		return -EINVAL;
	}
	rc = dp_tables_init(&a->cfg, a->eng_ops, a->eng);
	if (rc < 0) {
		snprintf(err, n,
			 "limits: cannot allocate tables for %u participants, %u tracks, "
			 "%u subscriptions",
			 a->cfg.max_participants, a->cfg.max_tracks, a->cfg.max_subs);
		return rc;
	}
	rc = dp_ostream_state_open(&a->cfg, err, n);
	if (rc < 0)
		return rc;
	if (with_port) {
		rc = dp_port_init(a->cfg.port_id, a->cfg.n_rxq, a->cfg.n_workers, a->pool, a->mac,
				  &n_txq, err, n);
		if (rc < 0)
			return rc;
	}
	wc = (struct dp_worker_conf){&a->cfg, a->pool, a->cfg.port_id, n_txq, {0}, &a->stop};
	memcpy(wc.mac, a->mac, 6);
	rc = dp_workers_init(&wc);
	if (rc < 0) {
		snprintf(err, n, "workers: cannot create rings/TX buffers (limits.ring_size?)");
		return rc;
	}
	if (dp_offender_init() < 0) {
		snprintf(err, n, "offenders: cannot allocate the per-lcore offender tables");
		return -ENOMEM;
	}
	if (dp_protect_init(a->cfg.max_participants, a->cfg.protect_former_max,
			    a->cfg.protect_grace_s) < 0) {
		snprintf(err, n, "offenders.former_max: cannot allocate the protected sources");
		return -ENOMEM;
	}
	dp_telemetry_init();
	dp_xdp_stats_init(&a->cfg, with_port);
	if (a->cfg.ctl_socket[0] && (rc = dp_ctl_open(a->cfg.ctl_socket, a->cfg.ctl_gid,
						      a->cfg.stats_socket, a->cfg.stats_gid)) < 0) {
		snprintf(err, n, "control.socket/stats_socket: cannot listen on %s or %s: %s",
			 a->cfg.ctl_socket, a->cfg.stats_socket, strerror(-rc));
		return rc;
	}
	rc = dp_edge_open(a->cfg.edge_socket, a->cfg.edge_gid);
	if (rc < 0) {
		snprintf(err, n, "edge.socket: cannot listen on %s: %s", a->cfg.edge_socket,
			 strerror(-rc));
		return rc;
	}
	return 0;
}

/* See dp_app.h. */
int dp_app_launch(struct dp_app *a)
{
	for (unsigned i = 0; i < a->cfg.n_workers; i++) {
		int rc = rte_eal_remote_launch(dp_worker_main, NULL, a->cfg.workers[i]);

		if (rc < 0)
			return rc;
	}
	a->launched = true;
	return 0;
}

/* See dp_app.h. */
void dp_app_control_step(struct dp_app *a __rte_unused, int timeout_ms)
{
	int efd[2];
	unsigned n_efd = dp_edge_pollfds(efd);

	/* With an edge connected, exception datagrams wait at most 1 ms. */
	dp_ctl_poll(dp_edge_connected() && timeout_ms > 1 ? 1 : timeout_ms, efd, n_efd);
	dp_neigh_apply();
	dp_edge_step();
	dp_tables_retire();
	dp_xdp_flows_step();
	dp_tables_consented();
	dp_ostream_step();
	dp_tables_reclaim();
}

/* See dp_app.h. */
void dp_app_fini(struct dp_app *a)
{
	a->stop = true;
	if (a->launched)
		rte_eal_mp_wait_lcore();
	a->launched = false;
	dp_ctl_close();
	dp_edge_close();
	dp_xdp_stats_close();
	if (a->with_port) {
		rte_eth_dev_stop(a->cfg.port_id);
		rte_eth_dev_close(a->cfg.port_id);
	}
	dp_workers_fini();
	dp_tables_fini();
	dp_ostream_state_close();
	dp_offender_fini();
	dp_protect_fini();
	if (a->eng)
		a->eng_ops->destroy(a->eng);
	a->eng = NULL;
	rte_mempool_free(a->pool);
	a->pool = NULL;
}
