/* SPDX-License-Identifier: BSD-3-Clause */
/* Neighbour table (dp_neigh.c): next-hop MACs learned by the workers and
 * applied by the control thread. */
#ifndef DP_NEIGH_H
#define DP_NEIGH_H

#include <stdint.h>

#include "dp_pkt_build.h"

int dp_neigh_init(uint32_t entries);
void dp_neigh_fini(void);
int dp_neigh_lookup(uint8_t family, const uint8_t *ip, uint8_t mac[6]);
/* Generation of the neighbour table: changes (never to 0) whenever an
 * entry is added or changed, so a cached MAC is valid while it holds. */
uint32_t dp_neigh_gen(void);
void dp_neigh_learn_async(const struct dp_neigh *n);
/* Control thread: apply learned neighbours; returns how many. */
unsigned dp_neigh_apply(void);

#endif /* DP_NEIGH_H */
