/* SPDX-License-Identifier: BSD-3-Clause */
/* Neighbour table (dp_neigh.c): next-hop MACs learned by the workers from
 * answers to our own requests or from authenticated packets, applied,
 * aged and evicted by the control thread. */
#ifndef DP_NEIGH_H
#define DP_NEIGH_H

#include <stdint.h>

#include "dp_config.h"
#include "dp_pkt_build.h"

/* dp_neigh_lookup's answer for an entry past neigh.stale_s: its MAC is
 * still used, while a new request confirms (or replaces) it. */
#define DP_NEIGH_STALE 1
/* How long after our request a reply from its target is learned. */
#define DP_NEIGH_PENDING_MS 1000

/* Where a worker saw a neighbour. */
enum dp_neigh_origin {
	DP_NEIGH_REPLY = 1, /* an ARP reply / solicited NA to us: learned if we asked */
	DP_NEIGH_AUTH,      /* the source of an authenticated SRTP/SRTCP packet */
};

/* Create the table (cfg's neigh.*) and the learning ring; 0 or -ENOMEM. */
int dp_neigh_init(const struct dp_config *cfg);
void dp_neigh_fini(void);
/* MAC of ip: 0, DP_NEIGH_STALE (mac filled too) or -ENOENT. Lock-free. */
int dp_neigh_lookup(uint8_t family, const uint8_t *ip, uint8_t mac[6]);
/* Generation of the neighbour table: changes (never to 0) whenever an
 * entry is added, changed, marked stale or removed, so a cached MAC is
 * valid while it holds. */
uint32_t dp_neigh_gen(void);
/* Worker side: queue what was seen unless the table already holds it,
 * fresh. A full queue only delays learning. */
void dp_neigh_learn_async(const struct dp_neigh *n, enum dp_neigh_origin origin);
/* Worker side: we are about to send a request (ARP / NS) for ip; replies
 * from ip are learned for neigh's pending window (DP_NEIGH_PENDING_MS). */
void dp_neigh_solicited_async(uint8_t family, const uint8_t *ip);
/* Control thread: apply what the workers queued, then age the table (at
 * most once a second): entries past neigh.stale_s are marked stale,
 * past neigh.expire_s removed. Returns how many were applied. */
unsigned dp_neigh_apply(void);

#endif /* DP_NEIGH_H */
