/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-source offender table; see dp_offender.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "dp_offender.h"

#define DP_OFF_BUCKETS (DP_OFF_SLOTS / DP_OFF_WAYS)
#define READ_RETRIES 64

/* One source on one lcore. seq is odd while the owner lcore writes. */
struct dp_off_slot {
	uint32_t seq;
	uint8_t family; /* 0 = empty */
	uint8_t ip[16];
	uint64_t last_tsc;
	uint64_t cnt[RELAIS_OFFENCE_MAX];
} __rte_cache_aligned;

struct dp_off_table {
	struct dp_off_slot slot[DP_OFF_SLOTS];
	uint64_t evicted; /* owner-written, read without sync (a counter) */
};

/* A consistent copy of one slot, as the control thread aggregates it. */
struct off_rec {
	uint8_t family;
	uint8_t ip[16];
	uint64_t last_tsc;
	uint64_t cnt[RELAIS_OFFENCE_MAX];
	uint64_t total;
};

static struct dp_off_table *tables[RTE_MAX_LCORE];
static uint32_t hash_seed;

/* See dp_offender.h. */
int dp_offender_init(void)
{
	unsigned l;

	hash_seed = (uint32_t)rte_rand();
	RTE_LCORE_FOREACH(l)
	{
		tables[l] =
		    rte_zmalloc("rl_offender", sizeof(struct dp_off_table), RTE_CACHE_LINE_SIZE);
		if (tables[l] == NULL) {
			dp_offender_fini();
			return -ENOMEM;
		}
	}
	return 0;
}

/* See dp_offender.h. */
void dp_offender_fini(void)
{
	for (unsigned l = 0; l < RTE_MAX_LCORE; l++) {
		rte_free(tables[l]);
		tables[l] = NULL;
	}
}

/* Owner lcore: open a write section. Relaxed store: only this lcore writes
 * seq. The release fence keeps the data stores that follow from becoming
 * visible before the odd value; it pairs with the acquire fence a reader
 * issues before re-reading seq (read_slot). */
static inline void slot_write_begin(struct dp_off_slot *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/* Owner lcore: close a write section. Release store: publishes the data
 * stores above; pairs with the reader's acquire load of seq. */
static inline void slot_write_end(struct dp_off_slot *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
}

/* Map a drop reason to the offence it records, or RELAIS_OFFENCE_MAX. */
static inline enum relais_offence kind_of(enum relais_drop_reason reason)
{
#define OFFENCE_CASE_(field, drop) \
	case RELAIS_DROP_##drop:   \
		return RELAIS_OFFENCE_##field;
	switch (reason) {
		RELAIS_OFFENCES(OFFENCE_CASE_)
	default:
		return RELAIS_OFFENCE_MAX;
	}
#undef OFFENCE_CASE_
}

/* The slot of (family, ip) in table t: its own, else an empty one, else the
 * least recently seen of the bucket (*evict set). */
static struct dp_off_slot *find_slot(struct dp_off_table *t, uint8_t family, const uint8_t *ip,
				     int *evict)
{
	uint32_t b = rte_jhash(ip, 16, hash_seed ^ family) % DP_OFF_BUCKETS;
	struct dp_off_slot *s = &t->slot[b * DP_OFF_WAYS], *empty = NULL, *lru = s;

	*evict = 0;
	for (unsigned w = 0; w < DP_OFF_WAYS; w++, s++) {
		if (s->family == family && memcmp(s->ip, ip, 16) == 0)
			return s;
		if (s->family == 0 && empty == NULL)
			empty = s;
		if (s->last_tsc < lru->last_tsc)
			lru = s;
	}
	if (empty)
		return empty;
	*evict = 1;
	return lru;
}

/* See dp_offender.h. */
void dp_offender_note(enum relais_drop_reason reason, uint8_t family, const uint8_t *ip)
{
	enum relais_offence k = kind_of(reason);
	unsigned l = rte_lcore_id();
	uint8_t key[16] = {0};
	struct dp_off_table *t;
	struct dp_off_slot *s;
	int evict;

	if (k == RELAIS_OFFENCE_MAX || l >= RTE_MAX_LCORE || (t = tables[l]) == NULL)
		return;
	memcpy(key, ip, family == 4 ? 4 : 16);
	s = find_slot(t, family, key, &evict);
	slot_write_begin(s);
	if (s->family != family || memcmp(s->ip, key, 16) != 0) {
		t->evicted += evict;
		s->family = family;
		memcpy(s->ip, key, 16);
		memset(s->cnt, 0, sizeof(s->cnt));
	}
	s->cnt[k]++;
	s->last_tsc = rte_rdtsc();
	slot_write_end(s);
}

/* Control thread: a consistent copy of slot s into *r; false when the slot
 * is empty or kept changing for READ_RETRIES attempts. */
static bool read_slot(const struct dp_off_slot *s, struct off_rec *r)
{
	for (unsigned i = 0; i < READ_RETRIES; i++) {
		/* Acquire: pairs with slot_write_end's release store. */
		uint32_t a = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE), b;

		if (a & 1) {
			rte_pause();
			continue;
		}
		r->family = s->family;
		memcpy(r->ip, s->ip, 16);
		memcpy(r->cnt, s->cnt, sizeof(r->cnt));
		r->last_tsc = s->last_tsc;
		/* Acquire fence: the data loads above complete before seq is
		 * read again; pairs with slot_write_begin's release fence. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		b = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
		if (a == b)
			return r->family != 0;
	}
	return false;
}

/* qsort: by family, then address. */
static int cmp_addr(const void *pa, const void *pb)
{
	const struct off_rec *a = pa, *b = pb;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->ip, b->ip, 16);
}

/* qsort: highest total first. */
static int cmp_total(const void *pa, const void *pb)
{
	const struct off_rec *a = pa, *b = pb;

	return a->total < b->total ? 1 : a->total > b->total ? -1 : 0;
}

/* Copy every live slot of every lcore into rec; returns how many. */
static size_t collect(struct off_rec *rec)
{
	size_t n = 0;

	for (unsigned l = 0; l < RTE_MAX_LCORE; l++)
		for (unsigned i = 0; tables[l] && i < DP_OFF_SLOTS; i++)
			if (read_slot(&tables[l]->slot[i], &rec[n]))
				n++;
	return n;
}

/* Merge records of the same address (sorted by cmp_addr) in place, fill
 * totals; returns the number of distinct addresses. */
static size_t merge(struct off_rec *rec, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (m > 0 && cmp_addr(&rec[m - 1], &rec[i]) == 0) {
			for (unsigned k = 0; k < RELAIS_OFFENCE_MAX; k++)
				rec[m - 1].cnt[k] += rec[i].cnt[k];
			rec[m - 1].last_tsc = RTE_MAX(rec[m - 1].last_tsc, rec[i].last_tsc);
		} else {
			rec[m++] = rec[i];
		}
	}
	for (size_t i = 0; i < m; i++) {
		rec[i].total = 0;
		for (unsigned k = 0; k < RELAIS_OFFENCE_MAX; k++)
			rec[i].total += rec[i].cnt[k];
	}
	return m;
}

/* One reply record from an aggregated one. */
static void to_reply(const struct off_rec *r, uint64_t now, struct relais_ctl_offender *o)
{
	memset(o, 0, sizeof(*o));
	o->addr.family = r->family;
	memcpy(o->addr.ip, r->ip, r->family == 4 ? 4 : 16);
	memcpy(o->offences, r->cnt, sizeof(o->offences));
	o->last_seen_ms = now > r->last_tsc ? (now - r->last_tsc) * 1000 / rte_get_tsc_hz() : 0;
}

/* See dp_offender.h. */
int dp_offender_query(uint64_t min_total, unsigned max, struct relais_ctl_offenders *out)
{
	struct off_rec *rec = malloc(sizeof(*rec) * DP_OFF_SLOTS * rte_lcore_count());
	uint64_t now = rte_rdtsc();
	size_t n, m, j = 0;

	memset(out, 0, sizeof(*out));
	if (rec == NULL)
		return -ENOMEM;
	if (max == 0 || max > RELAIS_CTL_OFFENDERS_MAX)
		max = RELAIS_CTL_OFFENDERS_MAX;
	n = collect(rec);
	qsort(rec, n, sizeof(*rec), cmp_addr);
	m = merge(rec, n);
	out->n_tracked = (uint32_t)m;
	for (size_t i = 0; i < m; i++)
		if (rec[i].total >= min_total)
			rec[j++] = rec[i];
	qsort(rec, j, sizeof(*rec), cmp_total);
	for (size_t i = 0; i < j && i < max; i++)
		to_reply(&rec[i], now, &out->rec[out->count++]);
	free(rec);
	return 0;
}

/* See dp_offender.h. */
uint64_t dp_offender_evicted(void)
{
	uint64_t sum = 0;

	for (unsigned l = 0; l < RTE_MAX_LCORE; l++)
		if (tables[l])
			sum += tables[l]->evicted;
	return sum;
}
