/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker lcores: the forwarding loop, its setup, and the control thread's
 * requests to the workers. Every worker owns an inbox ring (multi-producer,
 * single-consumer) that carries mbufs whose dp_meta (dp_tx.h) says what to
 * do with them.
 */
#ifndef DP_WORKER_H
#define DP_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp_config.h"

struct dp_worker_conf {
	const struct dp_config *cfg;
	struct rte_mempool *pool;
	uint16_t port;
	uint16_t n_txq; /* TX queues the port has (workers beyond use rings) */
	uint8_t mac[6];
	volatile bool *stop;
};

/* Register the dynfield, create one inbox per worker and TX buffers.
 * 0 or -errno. */
int dp_workers_init(const struct dp_worker_conf *wc);
void dp_workers_fini(void);

/* The lcore entry point (rte_eal_remote_launch); arg unused. */
int dp_worker_main(void *arg);

/* One loop iteration of the calling lcore, which must be a configured
 * worker and RCU-online (benchmarks and tests drive a worker this way;
 * the TX buffer is flushed every call). */
void dp_worker_poll_once(void);

/* Control thread: ask the publisher's owner lcore to send a PLI for the
 * track. Best effort (counted as ring_full when the inbox is full). */
void dp_worker_request_pli(uint16_t owner, uint32_t track_id);

/* Control thread: ask a worker to resolve the next hop towards a new
 * participant's address (ARP / NS) so its first packet finds the MAC. */
void dp_worker_request_solicit(uint16_t lcore, uint8_t family, const uint8_t *ip);

/* A re-key hand-off: the participant and its fresh contexts. After the
 * owner applied it, rx/tx hold what the live contexts gave up. */
struct dp_crypto_ctx;
struct dp_rekey_job {
	uint32_t part_id;
	struct dp_crypto_ctx *rx, *tx;
	bool move; /* the participant moves to addr too */
	struct dp_addr_key addr;
};
/* Entries of the ring of consented participants (dp_sh.consented): a
 * burst of joins beyond it loses only their first key-frame requests. */
#define DP_CONSENTED_RING 1024

/* Re-key jobs in flight at most (the retire ring holds them all). */
#define DP_REKEY_MAX 1023
/* Control thread: hand job to the owner lcore. 0 or -ENOBUFS. */
int dp_worker_request_rekey(uint16_t lcore, const struct dp_rekey_job *job);
/* Control thread: the next job an owner finished with. 0 or -ENOENT. */
int dp_worker_retired(struct dp_rekey_job *job);

#endif /* DP_WORKER_H */
