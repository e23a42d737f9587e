/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TX and hand-off primitives (dp_tx.c), below every stage of the worker
 * lcores: this header and its source include no stage header
 * (tests/common/check_layers.sh), so worker, media, RTCP and egress all
 * call down into it and never back into one another through it.
 */
#ifndef DP_TX_H
#define DP_TX_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dp_lcore.h"

enum dp_meta_kind {
	DP_META_INGRESS = 1, /* raw frame for its participant's owner */
	DP_META_FANOUT,      /* decrypted RTP of track_id, shared (refcnt) */
	DP_META_SR,          /* decrypted RTCP SR of track_id, shared */
	DP_META_FEEDBACK,    /* plaintext RTCP for publisher part_id */
	DP_META_PLI_REQ,     /* send a PLI for track_id to its publisher */
	DP_META_SOLICIT,     /* resolve the next hop of the address in the data */
	DP_META_REKEY,       /* a struct dp_rekey_job in the data */
	DP_META_EDGE_TX,     /* a struct dp_addr_key, then a datagram of the edge */
};

/* Per-mbuf metadata (an mbuf dynamic field). */
struct dp_meta {
	uint8_t kind;
	uint8_t pad;
	uint16_t rtp_off; /* offset of the RTP/RTCP packet in the mbuf */
	uint32_t part_id;
	uint32_t track_id;
	uint32_t aux; /* SR: offset of the SR block; FB: block count */
};

extern int dp_meta_offset;
static inline struct dp_meta *dp_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, dp_meta_offset, struct dp_meta *);
}

/* Index of lcore among workers, or -1. */
int dp_worker_index(unsigned lcore);
/* dp_workers_init: no lcore is a worker; lcore is worker number idx. */
void dp_tx_index_reset(void);
void dp_tx_index_set(unsigned lcore, int idx);

/* Queue a finished frame for transmission (own TX queue or tx_via). */
void dp_tx(struct dp_lcore *lc, struct rte_mbuf *m);
/* Push out what dp_tx buffered. */
void dp_tx_flush(struct dp_lcore *lc);

/* Hand m to lcore `to`'s inbox; counts RING_FULL and frees on failure. */
void dp_handoff(struct rte_mbuf *m, unsigned to);

#endif /* DP_TX_H */
