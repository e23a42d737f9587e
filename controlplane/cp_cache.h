/* SPDX-License-Identifier: BSD-3-Clause */
/* The desired-state cache: the rooms this node owns as the last loads read
 * them from Redis (cp_loader.h), sorted by id. The loader writes it; the
 * reconciliation (cp_reconcile.h) and the acks read it. It owns its rooms:
 * what it drops is freed with cp_room_free() (wrapped keys zeroed). */
#ifndef CP_CACHE_H
#define CP_CACHE_H

#include <stdint.h>

#include "cp_desired.h"

struct cp_cache {
	struct cp_droom *rooms; /* sorted by id */
	int n, cap;
};

/* The cached room `id`, or NULL. */
struct cp_droom *cp_cache_find(const struct cp_cache *c, uint32_t id);
/* Replace every room with the n rooms of v (an array of cap elements,
 * allocated with malloc, in any order): the cache takes v and sorts it;
 * the old rooms are freed. */
void cp_cache_replace(struct cp_cache *c, struct cp_droom *v, int n, int cap);
/* Put room *r in the cache, over the cached room of the same id if any;
 * *r is moved in (zeroed here). NULL r with an id: remove that room (no
 * longer owned). 0 or -ENOMEM (the cache and *r are then unchanged). */
int cp_cache_put(struct cp_cache *c, uint32_t id, struct cp_droom *r);
/* Forget every room (lease lost): the next apply removes them. The array
 * is kept for reuse. */
void cp_cache_clear(struct cp_cache *c);
/* cp_cache_clear, then the array itself. */
void cp_cache_free(struct cp_cache *c);
/* Participants in the cache: the node's load, as reported to Redis. */
uint32_t cp_cache_load(const struct cp_cache *c);

#endif /* CP_CACHE_H */
