/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TX and hand-off primitives of the worker lcores: TX buffering (own
 * queue or another worker's tx_ring), the inbox hand-off, the mbuf
 * metadata field and the worker index. Every stage (worker, media, RTCP,
 * egress) calls these; they call no stage, so this file is the leaf of
 * core/ and the stages form no loop through it.
 */
#include <rte_lcore.h>

#include "dp_lcore.h"
#include "dp_stats.h"
#include "dp_tx.h"

int dp_meta_offset = -1;
struct dp_shared dp_sh;
static int worker_idx[RTE_MAX_LCORE];

/* See dp_tx.h. */
int dp_worker_index(unsigned lcore)
{
	return lcore < RTE_MAX_LCORE ? worker_idx[lcore] : -1;
}

/* See dp_tx.h. */
void dp_tx_index_reset(void)
{
	for (unsigned l = 0; l < RTE_MAX_LCORE; l++)
		worker_idx[l] = -1;
}

/* See dp_tx.h. */
void dp_tx_index_set(unsigned lcore, int idx)
{
	worker_idx[lcore] = idx;
}

/* See dp_tx.h. */
void dp_tx(struct dp_lcore *lc, struct rte_mbuf *m)
{
	if (lc->has_txq) {
		rte_eth_tx_buffer(lc->port, lc->txq, lc->txb, m);
		return;
	}
	lc->txp[lc->n_txp++] = m;
	if (lc->n_txp == DP_BURST)
		dp_tx_flush(lc);
}

/* See dp_tx.h. A worker with a queue also drains the frames other
 * workers queued on its tx_ring. */
void dp_tx_flush(struct dp_lcore *lc)
{
	if (lc->has_txq) {
		struct rte_mbuf *m[DP_BURST];
		unsigned k;

		while (lc->tx_ring &&
		       (k = rte_ring_dequeue_burst(lc->tx_ring, (void **)m, DP_BURST, NULL)) > 0)
			for (unsigned i = 0; i < k; i++)
				rte_eth_tx_buffer(lc->port, lc->txq, lc->txb, m[i]);
		rte_eth_tx_buffer_flush(lc->port, lc->txq, lc->txb);
		return;
	}
	if (lc->n_txp) {
		unsigned k = rte_ring_enqueue_burst(lc->tx_via, (void **)lc->txp, lc->n_txp, NULL);

		if (k < lc->n_txp) {
			dp_stats[rte_lcore_id()].drops[RELAIS_DROP_TX_FULL] += lc->n_txp - k;
			rte_pktmbuf_free_bulk(lc->txp + k, lc->n_txp - k);
		}
		lc->n_txp = 0;
	}
}

/* See dp_tx.h. */
void dp_handoff(struct rte_mbuf *m, unsigned to)
{
	if (rte_ring_enqueue(dp_sh.inbox[to], m) != 0) {
		DP_DROP(RELAIS_DROP_RING_FULL);
		rte_pktmbuf_free(m);
	}
}
