/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table: IP -> MAC for next hops, an rte_hash with lock-free
 * readers. The MAC is stored in the data pointer itself (48 bits, a valid
 * bit and a stale bit), so an update is one atomic pointer-sized store;
 * removed key slots are reclaimed through the tables' RCU (dp_tab.rcu).
 * Workers never write it: they queue what they see on a ring the control
 * thread applies.
 *
 * Trust (docs/operations.md, "Neighbours"): an entry is learned only from
 * (a) an ARP reply / solicited NA to us from an address we sent a request
 * for within DP_NEIGH_PENDING_MS (the control thread keeps the pending
 * requests), or (b) the source MAC of a packet that authenticated as a
 * participant's SRTP/SRTCP. Anything else (gratuitous ARP, unsolicited NA,
 * requests, replies nobody asked for) never creates or overwrites an
 * entry: neigh_unsolicited. Entries not confirmed for neigh.stale_s are
 * marked stale (the egress re-solicits them while still using them), for
 * neigh.expire_s removed (neigh_expired); a full table evicts its least
 * recently confirmed entry (neigh_evicted).
 */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_ring.h>

#include "dp_lcore.h"
#include "dp_neigh.h"
#include "dp_stats.h"

#define NEIGH_VALID (1ull << 63)
#define NEIGH_STALE (1ull << 62)
#define NEIGH_MAC_MASK ((1ull << 48) - 1)
#define PENDING_MAX 64
#define AGE_INTERVAL_MS 1000

enum {
	ELEM_SOLICITED = 0
}; /* besides enum dp_neigh_origin */

/* What the workers queue: a neighbour seen, or a request about to go. */
struct neigh_elem {
	struct dp_neigh n;
	uint8_t origin; /* enum dp_neigh_origin or ELEM_SOLICITED */
};
#define NEIGH_ESIZE RTE_ALIGN(sizeof(struct neigh_elem), 4)

struct neigh_key {
	uint8_t family;
	uint8_t pad[3];
	uint8_t ip[16];
};

/* A request we sent (control thread only). */
struct pending {
	struct neigh_key k;
	uint64_t tsc; /* 0: free */
};

static struct {
	struct rte_hash *tab;
	uint32_t cap;   /* neigh.entries: more evicts the oldest */
	uint32_t slots; /* the hash's size: cap and room for removed slots
			 * awaiting their RCU grace period */
	uint64_t *seen; /* control thread: TSC of each position's last confirmation */
	uint64_t stale_tsc, expire_tsc, pending_tsc, next_age;
	struct pending pending[PENDING_MAX];
	unsigned next_pending;
} nt;
static uint32_t neigh_gen = 1;

/* See dp_neigh.h. Acquire: pairs with the release in bump_gen, so a reader
 * that sees the new generation also sees the new entry. */
uint32_t dp_neigh_gen(void)
{
	return __atomic_load_n(&neigh_gen, __ATOMIC_ACQUIRE);
}

/* Control thread (the only writer): publish a change of the table.
 * Release: the entries written before are visible with the generation. */
static void bump_gen(void)
{
	uint32_t g = neigh_gen + 1;

	__atomic_store_n(&neigh_gen, g ? g : 1, __ATOMIC_RELEASE);
}

static void make_key(struct neigh_key *k, uint8_t family, const uint8_t *ip)
{
	memset(k, 0, sizeof(*k));
	k->family = family;
	memcpy(k->ip, ip, family == 4 ? 4 : 16);
}

/* See dp_neigh.h: the table (with the tables' RCU reclaiming removed key
 * slots), its confirmation times and the learning ring. */
int dp_neigh_init(const struct dp_config *cfg)
{
	struct rte_hash_parameters hp = {
	    .name = "rl_neigh",
	    .entries = cfg->neigh_entries + cfg->neigh_entries / 8,
	    .key_len = sizeof(struct neigh_key),
	    .hash_func = dp_key_hash,
	    .socket_id = (int)rte_socket_id(),
	    .extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_hash_rcu_config rc = {.v = dp_tab.rcu, .mode = RTE_HASH_QSBR_MODE_DQ};
	uint64_t hz = rte_get_tsc_hz();

	memset(&nt, 0, sizeof(nt));
	nt.cap = cfg->neigh_entries;
	nt.slots = cfg->neigh_entries + cfg->neigh_entries / 8;
	nt.stale_tsc = hz * cfg->neigh_stale_s;
	nt.expire_tsc = hz * cfg->neigh_expire_s;
	nt.pending_tsc = hz / 1000 * DP_NEIGH_PENDING_MS;
	nt.tab = rte_hash_create(&hp);
	if (nt.tab && rte_hash_rcu_qsbr_add(nt.tab, &rc) != 0) {
		rte_hash_free(nt.tab);
		nt.tab = NULL;
	}
	nt.seen = calloc(nt.slots, sizeof(*nt.seen));
	dp_sh.neigh = rte_ring_create_elem("rl_neigh_q", NEIGH_ESIZE, 1024, (int)rte_socket_id(),
					   RING_F_SC_DEQ);
	return nt.tab && nt.seen && dp_sh.neigh ? 0 : -ENOMEM;
}

void dp_neigh_fini(void)
{
	rte_hash_free(nt.tab);
	rte_ring_free(dp_sh.neigh);
	free(nt.seen);
	nt.tab = NULL;
	nt.seen = NULL;
	dp_sh.neigh = NULL;
}

/* See dp_neigh.h. Lock-free (RW_CONCURRENCY_LF). */
int dp_neigh_lookup(uint8_t family, const uint8_t *ip, uint8_t mac[6])
{
	struct neigh_key k;
	void *data;
	uint64_t v;

	make_key(&k, family, ip);
	if (rte_hash_lookup_data(nt.tab, &k, &data) < 0)
		return -ENOENT;
	v = (uint64_t)(uintptr_t)data;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(v >> (8 * (5 - i)));
	return v & NEIGH_STALE ? DP_NEIGH_STALE : 0;
}

/* Worker side: queue one element; a full ring drops it (retried later). */
static void enqueue(const struct dp_neigh *n, uint8_t origin)
{
	uint8_t elem[NEIGH_ESIZE];
	struct neigh_elem e = {.n = *n, .origin = origin};

	memset(elem, 0, sizeof(elem));
	memcpy(elem, &e, sizeof(e));
	rte_ring_enqueue_elem(dp_sh.neigh, elem, sizeof(elem));
}

/* See dp_neigh.h. */
void dp_neigh_learn_async(const struct dp_neigh *n, enum dp_neigh_origin origin)
{
	uint8_t mac[6];

	if (dp_neigh_lookup(n->family, n->ip, mac) == 0 && memcmp(mac, n->mac, 6) == 0)
		return;
	enqueue(n, (uint8_t)origin);
}

/* See dp_neigh.h. Queued before the request is sent, so the ring (FIFO for
 * every producer) delivers it before any reply to it. */
void dp_neigh_solicited_async(uint8_t family, const uint8_t *ip)
{
	struct dp_neigh n = {.family = family};

	memcpy(n.ip, ip, family == 4 ? 4 : 16);
	enqueue(&n, ELEM_SOLICITED);
}

/* Control thread: record a request for k sent about now. */
static void pending_add(const struct neigh_key *k, uint64_t now)
{
	struct pending *p = NULL;

	for (unsigned i = 0; i < PENDING_MAX && p == NULL; i++)
		if (memcmp(&nt.pending[i].k, k, sizeof(*k)) == 0)
			p = &nt.pending[i];
	if (p == NULL) /* a new one replaces the oldest slot */
		p = &nt.pending[nt.next_pending++ % PENDING_MAX];
	p->k = *k;
	p->tsc = now;
}

/* Control thread: did we ask for k within the pending window? */
static bool pending_match(const struct neigh_key *k, uint64_t now)
{
	for (unsigned i = 0; i < PENDING_MAX; i++) {
		const struct pending *p = &nt.pending[i];

		if (p->tsc && now - p->tsc <= nt.pending_tsc && memcmp(&p->k, k, sizeof(*k)) == 0)
			return true;
	}
	return false;
}

/* Control thread: remove the entry confirmed longest ago (the table is
 * at neigh.entries); counted as neigh_evicted. */
static void evict_oldest(void)
{
	struct neigh_key victim;
	const void *key;
	void *data;
	uint32_t it = 0;
	int32_t pos, best = -1;

	while ((pos = rte_hash_iterate(nt.tab, &key, &data, &it)) >= 0) {
		if ((uint32_t)pos < nt.slots && (best < 0 || nt.seen[pos] < nt.seen[best])) {
			best = pos;
			memcpy(&victim, key, sizeof(victim));
		}
	}
	if (best >= 0 && rte_hash_del_key(nt.tab, &victim) >= 0)
		DP_STAT_ADD(neigh_evicted, 1);
}

/* Control thread: set k -> mac as confirmed now. */
static void set_entry(const struct neigh_key *k, const uint8_t mac[6], uint64_t now)
{
	uint64_t v = NEIGH_VALID;
	void *old;
	int32_t pos;

	for (int i = 0; i < 6; i++)
		v |= (uint64_t)mac[i] << (8 * (5 - i));
	if (rte_hash_lookup_data(nt.tab, k, &old) < 0) {
		if ((uint32_t)rte_hash_count(nt.tab) >= nt.cap)
			evict_oldest();
		DP_STAT_ADD(neigh_learned, 1);
	} else if (((uint64_t)(uintptr_t)old & NEIGH_MAC_MASK) != (v & NEIGH_MAC_MASK)) {
		DP_STAT_ADD(neigh_learned, 1);
	}
	if (rte_hash_add_key_data(nt.tab, k, (void *)(uintptr_t)v) < 0)
		return; /* no slot yet: the next sighting retries */
	pos = rte_hash_lookup(nt.tab, k);
	if (pos >= 0 && (uint32_t)pos < nt.slots)
		nt.seen[pos] = now;
}

/* Control thread: one element from the ring; whether the table changed. */
static bool apply_one(const struct neigh_elem *e, uint64_t now)
{
	struct neigh_key k;

	make_key(&k, e->n.family, e->n.ip);
	if (e->origin == ELEM_SOLICITED) {
		pending_add(&k, now);
		return false;
	}
	if (e->origin == DP_NEIGH_REPLY && !pending_match(&k, now)) {
		DP_DROP(RELAIS_DROP_NEIGH_UNSOLICITED);
		return false;
	}
	set_entry(&k, e->n.mac, now);
	return true;
}

/* Control thread: mark stale and remove expired entries; whether the
 * table changed. */
static bool age(uint64_t now)
{
	struct neigh_key k;
	const void *key;
	void *data;
	uint32_t it = 0;
	int32_t pos;
	bool changed = false;

	while ((pos = rte_hash_iterate(nt.tab, &key, &data, &it)) >= 0) {
		uint64_t v = (uint64_t)(uintptr_t)data, seen;

		if ((uint32_t)pos >= nt.slots)
			continue;
		seen = nt.seen[pos];
		memcpy(&k, key, sizeof(k));
		if (now - seen > nt.expire_tsc) {
			rte_hash_del_key(nt.tab, &k);
			DP_STAT_ADD(neigh_expired, 1);
			changed = true;
		} else if (now - seen > nt.stale_tsc && !(v & NEIGH_STALE)) {
			rte_hash_add_key_data(nt.tab, &k, (void *)(uintptr_t)(v | NEIGH_STALE));
			changed = true;
		}
	}
	return changed;
}

/* See dp_neigh.h. */
unsigned dp_neigh_apply(void)
{
	uint8_t elem[NEIGH_ESIZE];
	uint64_t now = rte_get_tsc_cycles();
	unsigned n = 0;
	bool changed = false;

	while (rte_ring_dequeue_elem(dp_sh.neigh, elem, sizeof(elem)) == 0) {
		struct neigh_elem e;

		memcpy(&e, elem, sizeof(e));
		changed |= apply_one(&e, now);
		n++;
	}
	if (now >= nt.next_age) {
		nt.next_age = now + rte_get_tsc_hz() / 1000 * AGE_INTERVAL_MS;
		changed |= age(now);
	}
	if (changed)
		bump_gen();
	return n;
}
