/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-worker context and the hand-off helpers shared by the packet paths. */
#ifndef DP_LCORE_H
#define DP_LCORE_H

#include <rte_ethdev.h>
#include <rte_ring.h>

#include "dp_crypto.h"
#include "dp_parse.h"
#include "dp_pkt_build.h"
#include "dp_tables.h"
#include "dp_worker.h"

#define DP_BURST 32

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
} __rte_cache_aligned;

/* Shared, read-only after init. */
struct dp_shared {
	const struct dp_config *cfg;
	struct dp_if_addr ifa;
	struct rte_ring *inbox[RTE_MAX_LCORE];
	struct rte_ring *exception; /* STUN/DTLS to the control thread */
	struct rte_ring *neigh;     /* learned neighbours to the control thread */
	struct rte_ring *retire;    /* finished re-key jobs to the control thread */
	struct rte_mempool *pool;
	uint16_t port;
};
extern struct dp_shared dp_sh;

/* Queue a finished frame for transmission (own TX queue or tx_via). */
void dp_tx(struct dp_lcore *lc, struct rte_mbuf *m);
/* Push out what dp_tx buffered. */
void dp_tx_flush(struct dp_lcore *lc);

/* Hand m to lcore `to`'s inbox; counts RING_FULL and frees on failure. */
void dp_handoff(struct rte_mbuf *m, unsigned to);

/* Media paths (dp_media.c). parts[i] is the owner's participant of m[i]. */
void dp_media_owned(struct dp_lcore *lc, struct rte_mbuf **m, struct dp_part **parts, uint16_t n);
void dp_media_fanout_in(struct dp_lcore *lc, struct rte_mbuf *m);
/* RTCP paths (dp_rtcp.c). */
void dp_rtcp_owned(struct dp_lcore *lc, struct rte_mbuf *m, struct dp_part *p);
void dp_rtcp_sr_in(struct dp_lcore *lc, struct rte_mbuf *m);
void dp_rtcp_feedback_in(struct dp_lcore *lc, struct rte_mbuf *m);
void dp_rtcp_pli_req_in(struct dp_lcore *lc, struct rte_mbuf *m);

/* Queue an outbound packet (plaintext at meta rtp_off... see dp_egress.c)
 * for protection with part's tx context and transmission to its address. */
void dp_protect_enqueue(struct dp_lcore *lc, struct rte_mbuf *m, struct dp_part *to, uint16_t off,
			bool is_rtcp);
/* Protect and send everything queued. */
void dp_protect_flush(struct dp_lcore *lc);

/* Egress (dp_egress.c): prepend Ethernet/IP/UDP for dst and buffer for TX;
 * consumes m (drops are counted). */
void dp_egress_send(struct dp_lcore *lc, struct rte_mbuf *m, struct dp_part *to);
/* A control request to resolve the next hop of the address in m's data
 * (family byte + 16 address bytes); consumes m. */
void dp_egress_solicit_in(struct dp_lcore *lc, struct rte_mbuf *m);
/* ARP/ND input on any lcore; consumes m. */
void dp_neigh_input(struct dp_lcore *lc, struct rte_mbuf *m, const struct dp_pkt_info *pi);
/* Learn src (ip, mac) of a received frame when it differs from the table. */
void dp_neigh_observe(const struct dp_pkt_info *pi);
/* Neighbour table (dp_neigh.c). */
int dp_neigh_init(uint32_t entries);
void dp_neigh_fini(void);
int dp_neigh_lookup(uint8_t family, const uint8_t *ip, uint8_t mac[6]);
/* Generation of the neighbour table: changes (never to 0) whenever an
 * entry is added or changed, so a cached MAC is valid while it holds. */
uint32_t dp_neigh_gen(void);
void dp_neigh_learn_async(const struct dp_neigh *n);
/* Control thread: apply learned neighbours; returns how many. */
unsigned dp_neigh_apply(void);

#endif /* DP_LCORE_H */
