/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding tables: creation, lock-free lookups and the control thread's
 * mutations with RCU reclamation (see dp_tables.h for the model).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "dp_stats.h"
#include "dp_tables.h"

struct dp_tables dp_tab;

#include "dp_tables_priv.h"

struct dq_elem {
	void *obj;
	uint64_t kind;
};

/* Defer-queue callback: runs after a grace period, frees n objects. */
static void dq_free(void *p __rte_unused, void *e, unsigned int n)
{
	struct dq_elem *el = e;

	for (unsigned i = 0; i < n; i++) {
		if (el[i].kind == DQ_PART) {
			struct dp_part *pt = el[i].obj;

			dp_tab.eng_ops->ctx_destroy(dp_tab.eng, pt->rx_ctx);
			dp_tab.eng_ops->ctx_destroy(dp_tab.eng, pt->tx_ctx);
			free(pt->subs.v);
			for (uint32_t k = 0; k < pt->ostreams.n; k++)
				rte_free(pt->ostreams.v[k]);
			free(pt->ostreams.v);
		} else if (el[i].kind == DQ_TRACK) {
			struct dp_track *t = el[i].obj;

			rte_free(t->fan);
			free(t->subs.v);
		}
		rte_free(el[i].obj);
	}
}

/* Queue obj for freeing after the next grace period (control thread). */
void dp_tables_defer_free(void *obj, enum dq_kind kind)
{
	struct dq_elem el = {obj, kind};

	if (obj == NULL)
		return;
	while (rte_rcu_qsbr_dq_enqueue(dp_tab.dq, &el) != 0) {
		/* Queue full: wait for readers, then reclaim, then retry. */
		rte_rcu_qsbr_synchronize(dp_tab.rcu, RTE_QSBR_THRID_INVALID);
		rte_rcu_qsbr_dq_reclaim(dp_tab.dq, UINT32_MAX, NULL, NULL, NULL);
	}
}

/* See dp_tables.h. rte_hash_crc reads the key in 8- and 4-byte words, but keys (address
 * structs inside objects, on stacks) may be only 2-byte aligned: hash an
 * aligned copy (keys here are at most 64 bytes). */
uint32_t dp_key_hash(const void *key, uint32_t len, uint32_t init)
{
	uint64_t buf[8];

	len = RTE_MIN(len, (uint32_t)sizeof(buf));
	memcpy(buf, key, len);
	return rte_hash_crc(buf, len, init);
}

/* One lock-free-read hash with RCU-managed key slot reuse. */
static struct rte_hash *make_hash(const char *what, uint32_t entries, uint32_t key_len)
{
	static unsigned instance;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
	    .name = name,
	    .entries = entries,
	    .key_len = key_len,
	    .hash_func = dp_key_hash,
	    .socket_id = (int)rte_socket_id(),
	    .extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct rte_hash_rcu_config rc = {
	    .v = dp_tab.rcu,
	    .mode = RTE_HASH_QSBR_MODE_DQ,
	};
	struct rte_hash *h;

	snprintf(name, sizeof(name), "rl_%s_%u", what, instance++);
	h = rte_hash_create(&hp);
	if (h && rte_hash_rcu_qsbr_add(h, &rc) != 0) {
		rte_hash_free(h);
		h = NULL;
	}
	return h;
}

/* Create tables sized from cfg; 0 or -errno. */
int dp_tables_init(const struct dp_config *cfg, const struct dp_crypto_engine_ops *ops,
		   struct dp_crypto_engine *eng)
{
	size_t sz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE + 1);
	struct rte_rcu_qsbr_dq_parameters dqp = {
	    .name = "rl_dq",
	    .size = 1u << 16,
	    .esize = sizeof(struct dq_elem),
	    .trigger_reclaim_limit = 256,
	    .max_reclaim_size = 4096,
	    .free_fn = dq_free,
	};

	memset(&dp_tab, 0, sizeof(dp_tab));
	dp_tab.cfg = cfg;
	dp_tab.eng_ops = ops;
	dp_tab.eng = eng;
	dp_tab.rcu = rte_zmalloc("rl_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (dp_tab.rcu == NULL || rte_rcu_qsbr_init(dp_tab.rcu, RTE_MAX_LCORE + 1) != 0)
		return -ENOMEM;
	dqp.v = dp_tab.rcu;
	dp_tab.dq = rte_rcu_qsbr_dq_create(&dqp);
	dp_tab.part_by_addr = make_hash("paddr", cfg->max_participants, sizeof(struct dp_addr_key));
	dp_tab.part_by_id = make_hash("pid", cfg->max_participants, sizeof(uint32_t));
	dp_tab.track_by_id = make_hash("tid", cfg->max_tracks, sizeof(uint32_t));
	dp_tab.sub_by_id = make_hash("sid", cfg->max_subs, sizeof(uint32_t));
	dp_tab.sub_by_out = make_hash("sout", cfg->max_subs, sizeof(struct sub_out_key));
	dp_tab.room_by_id = make_hash("room", cfg->max_participants, sizeof(uint32_t));
	if (!dp_tab.dq || !dp_tab.part_by_addr || !dp_tab.part_by_id || !dp_tab.track_by_id ||
	    !dp_tab.sub_by_id || !dp_tab.sub_by_out || !dp_tab.room_by_id) {
		dp_tables_fini();
		return -ENOMEM;
	}
	return 0;
}

/* Free all tables and objects; workers must be stopped. */
void dp_tables_fini(void)
{
	const void *key;
	void *data;
	uint32_t it = 0;

	while (dp_tab.sub_by_id && rte_hash_iterate(dp_tab.sub_by_id, &key, &data, &it) >= 0)
		rte_free(data);
	it = 0;
	while (dp_tab.track_by_id && rte_hash_iterate(dp_tab.track_by_id, &key, &data, &it) >= 0) {
		struct dq_elem el = {data, DQ_TRACK};

		dq_free(NULL, &el, 1);
	}
	it = 0;
	while (dp_tab.part_by_id && rte_hash_iterate(dp_tab.part_by_id, &key, &data, &it) >= 0) {
		struct dq_elem el = {data, DQ_PART};

		dq_free(NULL, &el, 1);
	}
	it = 0;
	while (dp_tab.room_by_id && rte_hash_iterate(dp_tab.room_by_id, &key, &data, &it) >= 0) {
		free(((struct dp_room *)data)->parts.v);
		free(data);
	}
	if (dp_tab.dq) {
		rte_rcu_qsbr_dq_reclaim(dp_tab.dq, UINT32_MAX, NULL, NULL, NULL);
		rte_rcu_qsbr_dq_delete(dp_tab.dq);
	}
	rte_hash_free(dp_tab.part_by_addr);
	rte_hash_free(dp_tab.part_by_id);
	rte_hash_free(dp_tab.track_by_id);
	rte_hash_free(dp_tab.sub_by_id);
	rte_hash_free(dp_tab.sub_by_out);
	rte_hash_free(dp_tab.room_by_id);
	rte_free(dp_tab.rcu);
	memset(&dp_tab, 0, sizeof(dp_tab));
}

/* Reclaim deferred frees whose grace period has passed. */
void dp_tables_reclaim(void)
{
	rte_rcu_qsbr_dq_reclaim(dp_tab.dq, UINT32_MAX, NULL, NULL, NULL);
}

/* Lookup helper: data pointer or NULL. */
static void *lookup(struct rte_hash *h, const void *key)
{
	void *data;

	return rte_hash_lookup_data(h, key, &data) >= 0 ? data : NULL;
}

struct dp_part *dp_part_by_addr(const struct dp_addr_key *k)
{
	return lookup(dp_tab.part_by_addr, k);
}

struct dp_part *dp_part_by_id(uint32_t id)
{
	return lookup(dp_tab.part_by_id, &id);
}

struct dp_track *dp_track_by_id(uint32_t id)
{
	return lookup(dp_tab.track_by_id, &id);
}

struct dp_sub *dp_sub_by_out(uint32_t part_id, uint32_t out_ssrc)
{
	struct sub_out_key k = {part_id, out_ssrc};

	return lookup(dp_tab.sub_by_out, &k);
}

/* Track of p for ssrc. Declared SSRCs match directly; with `learn` (owner
 * lcore, packet authenticated) an unbound learn-track whose PT matches is
 * bound to ssrc. The release store pairs with the acquire loads here and in
 * telemetry readers. */
struct dp_track *dp_part_track_by_ssrc(struct dp_part *p, uint32_t ssrc, uint8_t pt, bool learn)
{
	struct dp_track *cand = NULL;

	for (unsigned i = 0; i < DP_MAX_TRACKS_PER_PART; i++) {
		struct dp_track *t = __atomic_load_n(&p->tracks[i], __ATOMIC_ACQUIRE);

		if (t == NULL)
			continue;
		if (__atomic_load_n(&t->ssrc_known, __ATOMIC_ACQUIRE)) {
			if (t->ssrc == ssrc)
				return t;
		} else if (cand == NULL && (t->pt == RELAIS_PT_ANY || t->pt == pt)) {
			cand = t;
		}
	}
	if (cand && learn) {
		cand->ssrc = ssrc;
		__atomic_store_n(&cand->ssrc_known, 1, __ATOMIC_RELEASE);
	}
	return cand;
}
