/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-worker context and the state shared by the worker lcores; the
 * stages' functions are declared in one header each (dp_worker.h,
 * dp_media.h, dp_rtcp.h, dp_egress.h, dp_neigh.h; primitives in dp_tx.h). */
#ifndef DP_LCORE_H
#define DP_LCORE_H

#include <rte_ethdev.h>
#include <rte_ring.h>

#include "dp_bucket.h"
#include "dp_crypto.h"
#include "dp_parse.h"
#include "dp_pkt_build.h"
#include "dp_tables.h"

#define DP_BURST 32
#define DP_EXC_BUCKETS 1024 /* exception budgets per worker (dp_edge.c) */

/* A token bucket of the exception path: tag names its source (keyed
 * hash, 0 = unused). */
struct dp_exc_bucket {
	uint32_t tag;
	struct dp_bucket tb;
};

struct dp_lcore {
	unsigned lcore;
	uint16_t txq; /* own TX queue, if has_txq */
	uint16_t port;
	bool has_txq;
	struct rte_ring *inbox;
	struct rte_eth_dev_tx_buffer *txb;
	/* Workers beyond the port's TX queue count send through the tx_ring
	 * of a worker that has a queue (which drains its own tx_ring). */
	struct rte_ring *tx_ring;       /* drained by this worker (has_txq) */
	struct rte_ring *tx_via;        /* where this worker sends (!has_txq) */
	struct rte_mbuf *txp[DP_BURST]; /* pending for tx_via */
	uint16_t n_txp;
	struct rte_mempool *pool;
	uint64_t hz;
	uint64_t now;        /* TSC at the top of this iteration */
	uint64_t next_drain; /* TSC of the next TX buffer flush */
	uint64_t last_solicit_tsc;
	/* protect batch: ops and their destinations */
	struct dp_crypto_op pops[DP_BURST];
	struct dp_part *pdst[DP_BURST];
	uint16_t n_pops;
	/* exception path budgets: per source, and for unknown sources */
	struct dp_bucket exc_total;
	struct dp_exc_bucket exc[DP_EXC_BUCKETS];
} __rte_cache_aligned;

/* Shared, read-only after init. */
struct dp_shared {
	const struct dp_config *cfg;
	struct dp_if_addr ifa;
	struct rte_ring *inbox[RTE_MAX_LCORE];
	struct rte_ring *exception; /* STUN/DTLS to the control thread */
	struct rte_ring *neigh;     /* learned neighbours to the control thread */
	struct rte_ring *retire;    /* finished re-key jobs to the control thread */
	struct rte_ring *consented; /* ids of participants whose address consented, to control */
	struct rte_mempool *pool;
	uint16_t port;
};
extern struct dp_shared dp_sh;

#endif /* DP_LCORE_H */
