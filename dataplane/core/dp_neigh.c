/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table: IP -> MAC for next hops, an rte_hash with lock-free
 * readers. The MAC is stored in the data pointer itself (48 bits plus a
 * valid bit), so an update is one atomic pointer-sized store and nothing is
 * ever freed. Workers never write it: they queue what they learn on a ring
 * the control thread applies.
 */
#include <string.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_ring.h>

#include "dp_lcore.h"
#include "dp_neigh.h"
#include "dp_stats.h"

#define NEIGH_VALID (1ull << 63)
#define NEIGH_ESIZE RTE_ALIGN(sizeof(struct dp_neigh), 4)

struct neigh_key {
	uint8_t family;
	uint8_t pad[3];
	uint8_t ip[16];
};

static struct rte_hash *neigh_tab;
static uint32_t neigh_gen = 1;

/* See dp_neigh.h. Acquire: pairs with the release in dp_neigh_apply, so a
 * reader that sees the new generation also sees the new entry. */
uint32_t dp_neigh_gen(void)
{
	return __atomic_load_n(&neigh_gen, __ATOMIC_ACQUIRE);
}

static void make_key(struct neigh_key *k, uint8_t family, const uint8_t *ip)
{
	memset(k, 0, sizeof(*k));
	k->family = family;
	memcpy(k->ip, ip, family == 4 ? 4 : 16);
}

/* Create the table and the learning ring; 0 or -ENOMEM. */
int dp_neigh_init(uint32_t entries)
{
	struct rte_hash_parameters hp = {
	    .name = "rl_neigh",
	    .entries = entries,
	    .key_len = sizeof(struct neigh_key),
	    .hash_func = dp_key_hash,
	    .socket_id = (int)rte_socket_id(),
	    .extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	neigh_tab = rte_hash_create(&hp);
	dp_sh.neigh = rte_ring_create_elem("rl_neigh_q", NEIGH_ESIZE, 1024, (int)rte_socket_id(),
					   RING_F_SC_DEQ);
	return neigh_tab && dp_sh.neigh ? 0 : -ENOMEM;
}

void dp_neigh_fini(void)
{
	rte_hash_free(neigh_tab);
	rte_ring_free(dp_sh.neigh);
	neigh_tab = NULL;
	dp_sh.neigh = NULL;
}

/* MAC of ip; 0 or -ENOENT. Lock-free (RW_CONCURRENCY_LF). */
int dp_neigh_lookup(uint8_t family, const uint8_t *ip, uint8_t mac[6])
{
	struct neigh_key k;
	void *data;
	uint64_t v;

	make_key(&k, family, ip);
	if (rte_hash_lookup_data(neigh_tab, &k, &data) < 0)
		return -ENOENT;
	v = (uint64_t)(uintptr_t)data;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(v >> (8 * (5 - i)));
	return 0;
}

/* Worker side: queue n unless the table already says the same. */
void dp_neigh_learn_async(const struct dp_neigh *n)
{
	uint8_t mac[6];
	uint8_t elem[NEIGH_ESIZE];

	if (dp_neigh_lookup(n->family, n->ip, mac) == 0 && memcmp(mac, n->mac, 6) == 0)
		return;
	memcpy(elem, n, sizeof(*n));
	/* A full queue only delays learning: the next packet retries. */
	rte_ring_enqueue_elem(dp_sh.neigh, elem, sizeof(elem));
}

/* Control thread: apply queued neighbours. */
unsigned dp_neigh_apply(void)
{
	uint8_t elem[NEIGH_ESIZE];
	unsigned n = 0;

	while (rte_ring_dequeue_elem(dp_sh.neigh, elem, sizeof(elem)) == 0) {
		struct dp_neigh nb;
		struct neigh_key k;
		uint64_t v = NEIGH_VALID;

		memcpy(&nb, elem, sizeof(nb));
		for (int i = 0; i < 6; i++)
			v |= (uint64_t)nb.mac[i] << (8 * (5 - i));
		make_key(&k, nb.family, nb.ip);
		rte_hash_add_key_data(neigh_tab, &k, (void *)(uintptr_t)v);
		n++;
	}
	if (n) {
		uint32_t g = neigh_gen + 1;

		/* Release: the entries above are visible before the new
		 * generation (control thread is the only writer). */
		__atomic_store_n(&neigh_gen, g ? g : 1, __ATOMIC_RELEASE);
	}
	return n;
}
