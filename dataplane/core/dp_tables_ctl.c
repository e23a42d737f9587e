/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-thread mutations of the forwarding tables. Each function checks
 * everything first, then publishes; on error nothing has changed and err
 * holds one sentence naming the object. Objects leave the tables before
 * they are freed through RCU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_ring.h>

#include "dp_consent.h"
#include "dp_lcore.h"
#include "dp_ostream.h"
#include "dp_protect.h"
#include "dp_stats.h"
#include "dp_tables_priv.h"
#include "dp_worker.h"
#include "dp_xdp_flows.h"

#define FAIL(rc, ...)                          \
	do {                                   \
		snprintf(err, n, __VA_ARGS__); \
		return (rc);                   \
	} while (0)
/* FAIL for an admission refusal (issue 11): counted as admission_refused. */
#define REFUSE(rc, ...)                            \
	do {                                       \
		DP_STAT_ADD(admission_refused, 1); \
		FAIL(rc, __VA_ARGS__);             \
	} while (0)

/* See dp_tables_priv.h. */
int dp_ptrvec_push(struct dp_ptrvec *pv, void *p)
{
	if (pv->n == pv->cap) {
		uint32_t cap = pv->cap ? pv->cap * 2 : 8;
		void **v = realloc(pv->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		pv->v = v;
		pv->cap = cap;
	}
	pv->v[pv->n++] = p;
	return 0;
}

/* See dp_tables_priv.h. */
void dp_ptrvec_remove(struct dp_ptrvec *pv, const void *p)
{
	for (uint32_t i = 0; i < pv->n; i++) {
		if (pv->v[i] == p) {
			pv->v[i] = pv->v[--pv->n];
			return;
		}
	}
}

static void consent_keyframes(const struct dp_part *pt);

/* Room by id (control thread), or NULL. */
static struct dp_room *room_get(uint32_t room_id)
{
	void *data;

	return rte_hash_lookup_data(dp_tab.room_by_id, &room_id, &data) >= 0 ? data : NULL;
}

/* Subscription by id (control thread). */
static struct dp_sub *lookup_sub(uint32_t id)
{
	void *data;

	return rte_hash_lookup_data(dp_tab.sub_by_id, &id, &data) >= 0 ? data : NULL;
}

/* Create an empty room. */
int dp_room_add(uint32_t room_id, char *err, size_t n)
{
	struct dp_room *r;

	if (room_get(room_id))
		FAIL(-EEXIST, "room %u already exists", room_id);
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		FAIL(-ENOMEM, "room %u: out of memory", room_id);
	r->id = room_id;
	if (rte_hash_add_key_data(dp_tab.room_by_id, &room_id, r) < 0) {
		free(r);
		FAIL(-ENOSPC, "room %u: room table full", room_id);
	}
	dp_tab.counts[DP_COUNT_ROOMS]++;
	return 0;
}

/* Remove a room and every participant in it (with their tracks and
 * subscriptions): O(the room's objects). */
int dp_room_del(uint32_t room_id, char *err, size_t n)
{
	struct dp_room *r = room_get(room_id);

	if (r == NULL)
		FAIL(-ENOENT, "room %u does not exist", room_id);
	while (r->parts.n)
		dp_part_del(((struct dp_part *)r->parts.v[r->parts.n - 1])->id, err, n);
	rte_hash_del_key(dp_tab.room_by_id, &room_id);
	free(r->parts.v);
	free(r);
	dp_tab.counts[DP_COUNT_ROOMS]--;
	return 0;
}

static void addr_key(struct dp_addr_key *k, const struct relais_addr *a)
{
	memset(k, 0, sizeof(*k));
	k->family = a->family;
	k->port = a->port;
	memcpy(k->ip, a->ip, a->family == 4 ? 4 : 16);
}

/* Least recently assigned worker, round robin. */
static uint16_t pick_owner(void)
{
	const struct dp_config *c = dp_tab.cfg;

	return (uint16_t)c->workers[dp_tab.next_owner++ % c->n_workers];
}

/* Add a participant with its two crypto contexts. */
int dp_part_add(const struct relais_ctl_part *p, char *err, size_t n)
{
	struct dp_part *pt;
	struct dp_room *room = room_get(p->room_id);
	char a[64];
	int rc;

	relais_addr_format(&p->addr, a, sizeof(a));
	if (room == NULL)
		FAIL(-ENOENT, "participant %u: room %u does not exist", p->part_id, p->room_id);
	if (dp_part_by_id(p->part_id))
		FAIL(-EEXIST, "participant %u already exists", p->part_id);
	if (!dp_config_dst_allowed(dp_tab.cfg, p->addr.family, p->addr.ip))
		REFUSE(-EACCES, "participant %u: address %s is not in media.allow_dst", p->part_id,
		       a);
	pt = rte_zmalloc("rl_part", sizeof(*pt), RTE_CACHE_LINE_SIZE);
	if (pt == NULL)
		FAIL(-ENOMEM, "participant %u: out of memory", p->part_id);
	pt->id = p->part_id;
	pt->room_id = p->room_id;
	pt->fb_ssrc = p->fb_ssrc;
	pt->rx_profile = p->rx_key.profile;
	pt->tx_profile = p->tx_key.profile;
	pt->cookie = p->cookie;
	addr_key(&pt->addr, &p->addr);
	pt->key = pt->addr;
	if (dp_part_by_addr(&pt->addr)) {
		rte_free(pt);
		FAIL(-EADDRINUSE, "participant %u: address %s already in use", p->part_id, a);
	}
	pt->rx_ctx = dp_tab.eng_ops->ctx_create(dp_tab.eng, &p->rx_key, DP_CRYPTO_INBOUND);
	pt->tx_ctx = dp_tab.eng_ops->ctx_create(dp_tab.eng, &p->tx_key, DP_CRYPTO_OUTBOUND);
	if (!pt->rx_ctx || !pt->tx_ctx ||
	    rte_hash_add_key_data(dp_tab.part_by_id, &pt->id, pt) < 0) {
		dp_tables_defer_free(pt, DQ_PART);
		FAIL(-EINVAL, "participant %u: cannot create SRTP contexts or table full",
		     p->part_id);
	}
	pt->owner = pick_owner();
	if ((rc = dp_ostream_part_add(pt, &p->tx_key, err, n)) < 0) {
		dp_ostream_part_del(pt);
		rte_hash_del_key(dp_tab.part_by_id, &pt->id);
		dp_tables_defer_free(pt, DQ_PART);
		return rc;
	}
	if (rte_hash_add_key_data(dp_tab.part_by_addr, &pt->addr, pt) < 0) {
		dp_ostream_part_del(pt);
		rte_hash_del_key(dp_tab.part_by_id, &pt->id);
		dp_tables_defer_free(pt, DQ_PART);
		FAIL(-ENOSPC, "participant %u: address table full", p->part_id);
	}
	if (dp_ptrvec_push(&room->parts, pt) < 0) {
		dp_ostream_part_del(pt);
		rte_hash_del_key(dp_tab.part_by_addr, &pt->addr);
		rte_hash_del_key(dp_tab.part_by_id, &pt->id);
		dp_tables_defer_free(pt, DQ_PART);
		FAIL(-ENOMEM, "participant %u: out of memory", p->part_id);
	}
	dp_tab.counts[DP_COUNT_PARTS]++;
	dp_protect_hold(pt->key.family, pt->key.ip);
	dp_xdp_flow_add(&pt->key);
	dp_worker_request_solicit(pt->owner, pt->addr.family, pt->addr.ip);
	if (dp_consent_pending_take(pt->id, &pt->key)) {
		__atomic_store_n(&pt->consent, 1, __ATOMIC_RELAXED); /* no subscription yet */
		DP_STAT_ADD(edge_consents, 1);
	}
	return 0;
}

/* Remove a participant, its tracks and all its subscriptions:
 * O(its own objects). */
int dp_part_del(uint32_t id, char *err, size_t n)
{
	struct dp_part *pt = dp_part_by_id(id);
	struct dp_room *room;

	if (pt == NULL)
		FAIL(-ENOENT, "participant %u does not exist", id);
	for (unsigned i = 0; i < DP_MAX_TRACKS_PER_PART; i++)
		if (pt->tracks[i])
			dp_track_del(pt->tracks[i]->id, err, n);
	while (pt->subs.n)
		dp_sub_del(((struct dp_sub *)pt->subs.v[pt->subs.n - 1])->id, err, n);
	rte_hash_del_key(dp_tab.part_by_addr, &pt->key);
	dp_protect_release(pt->key.family, pt->key.ip);
	dp_xdp_flow_del(&pt->key);
	if (pt->moving) {
		rte_hash_del_key(dp_tab.part_by_addr, &pt->moving_from);
		dp_protect_release(pt->moving_from.family, pt->moving_from.ip);
		dp_xdp_flow_del(&pt->moving_from);
	}
	rte_hash_del_key(dp_tab.part_by_id, &pt->id);
	room = room_get(pt->room_id);
	if (room)
		dp_ptrvec_remove(&room->parts, pt);
	dp_tab.counts[DP_COUNT_PARTS]--;
	dp_ostream_part_del(pt);
	dp_tables_defer_free(pt, DQ_PART);
	return 0;
}

/* Prepare participant pt's move to address k (PART_REKEY with a new
 * address): k is checked, then known to part_by_addr beside the old one,
 * which goes when the owner has switched (dp_tables_retire). Fills the
 * job's move. 0 or -errno with err. */
static int move_begin(struct dp_part *pt, const struct relais_ctl_part *p,
		      const struct dp_addr_key *k, struct dp_rekey_job *job, char *err, size_t n)
{
	const struct dp_config *c = dp_tab.cfg;
	char a[64];

	relais_addr_format(&p->addr, a, sizeof(a));
	if (pt->moving)
		FAIL(-EAGAIN, "participant %u: a move is still in progress; retry", pt->id);
	if ((k->family == 4 && !c->has_ip4) || (k->family == 6 && !c->has_ip6) ||
	    !dp_config_dst_allowed(c, k->family, k->ip))
		REFUSE(-EACCES, "participant %u: address %s is not in media.allow_dst", pt->id, a);
	if (dp_part_by_addr(k))
		FAIL(-EADDRINUSE, "participant %u: address %s already in use", pt->id, a);
	if (rte_hash_add_key_data(dp_tab.part_by_addr, k, pt) < 0)
		FAIL(-ENOSPC, "participant %u: address table full", pt->id);
	job->move = true;
	job->addr = *k;
	return 0;
}

/* See dp_tables.h. Same room and profiles; a new address moves the
 * participant in place (its streams' indexes and rollover counters stay:
 * no SRTP index is ever used twice under its keys). */
int dp_part_rekey(const struct relais_ctl_part *p, char *err, size_t n)
{
	struct dp_part *pt = dp_part_by_id(p->part_id);
	struct dp_rekey_job job = {.part_id = p->part_id};
	uint8_t old_fp[sizeof(pt->tx_fp)], new_fp[sizeof(pt->tx_fp)];
	struct dp_addr_key k;
	int rc;

	if (pt == NULL)
		FAIL(-ENOENT, "participant %u does not exist", p->part_id);
	addr_key(&k, &p->addr);
	if (pt->room_id != p->room_id)
		FAIL(-EINVAL, "participant %u: re-key keeps the room (delete and add it)",
		     p->part_id);
	if (pt->rx_profile != p->rx_key.profile || pt->tx_profile != p->tx_key.profile)
		FAIL(-EINVAL,
		     "participant %u: re-key keeps the SRTP profiles (delete and add it "
		     "to change them)",
		     p->part_id);
	if (dp_tab.rekeys_in_flight >= DP_REKEY_MAX)
		FAIL(-EAGAIN, "participant %u: %u re-keys still in progress; retry", p->part_id,
		     DP_REKEY_MAX);
	if (memcmp(&k, &pt->key, sizeof(k)) != 0 && (rc = move_begin(pt, p, &k, &job, err, n)) < 0)
		return rc;
	/* The new key's records first: synced before the owner uses it. */
	memcpy(old_fp, pt->tx_fp, sizeof(old_fp));
	dp_ostream_fingerprint(&p->tx_key, new_fp);
	if ((rc = dp_ostream_part_rekey(pt, new_fp, err, n)) < 0) {
		if (job.move)
			rte_hash_del_key(dp_tab.part_by_addr, &k);
		return rc;
	}
	job.rx = dp_tab.eng_ops->ctx_create(dp_tab.eng, &p->rx_key, DP_CRYPTO_INBOUND);
	job.tx = dp_tab.eng_ops->ctx_create(dp_tab.eng, &p->tx_key, DP_CRYPTO_OUTBOUND);
	if (job.rx == NULL || job.tx == NULL || dp_worker_request_rekey(pt->owner, &job) < 0) {
		dp_tab.eng_ops->ctx_destroy(dp_tab.eng, job.rx);
		dp_tab.eng_ops->ctx_destroy(dp_tab.eng, job.tx);
		dp_ostream_part_rekey(pt, old_fp, err, n);
		if (job.move)
			rte_hash_del_key(dp_tab.part_by_addr, &k);
		FAIL(-EAGAIN,
		     "participant %u: cannot create the new contexts or reach its lcore; "
		     "retry",
		     p->part_id);
	}
	dp_tab.rekeys_in_flight++;
	pt->cookie = p->cookie;
	if (job.move) {
		pt->moving_from = pt->key;
		pt->key = k;
		pt->moving = true;
		dp_protect_hold(k.family, k.ip); /* the old one until the move is done */
		dp_xdp_flow_add(&k);
		/* The new address consents anew (or did already, ahead of us). */
		pt->consent_on_move = dp_consent_pending_take(pt->id, &k);
		if (pt->consent_on_move)
			DP_STAT_ADD(edge_consents, 1);
		dp_worker_request_solicit(pt->owner, k.family, k.ip);
	}
	return 0;
}

/* See dp_tables.h. */
void dp_tables_retire(void)
{
	struct dp_rekey_job job;

	while (dp_worker_retired(&job) == 0) {
		struct dp_part *pt = job.move ? dp_part_by_id(job.part_id) : NULL;

		/* The owner sends to the new address now: the old one goes. */
		if (pt != NULL && pt->moving &&
		    memcmp(&pt->key, &job.addr, sizeof(job.addr)) == 0) {
			rte_hash_del_key(dp_tab.part_by_addr, &pt->moving_from);
			dp_protect_release(pt->moving_from.family, pt->moving_from.ip);
			dp_xdp_flow_del(&pt->moving_from);
			pt->moving = false;
			/* The owner cleared consent when it switched: an edge
			 * CONSENT for the new address that came meanwhile counts
			 * now. */
			if (pt->consent_on_move) {
				__atomic_store_n(&pt->consent, 1, __ATOMIC_RELAXED);
				consent_keyframes(pt);
			}
			pt->consent_on_move = false;
		}
		dp_tab.rekeys_in_flight--;
		dp_tab.eng_ops->ctx_destroy(dp_tab.eng, job.rx);
		dp_tab.eng_ops->ctx_destroy(dp_tab.eng, job.tx);
	}
}

/* Add a published track to its participant. */
int dp_track_add(const struct relais_ctl_track *t, char *err, size_t n)
{
	struct dp_part *pt = dp_part_by_id(t->part_id);
	bool learn = t->flags & RELAIS_TRACK_F_LEARN_SSRC;
	int slot = -1;
	struct dp_track *tr;

	if (pt == NULL)
		FAIL(-ENOENT, "track %u: participant %u does not exist", t->track_id, t->part_id);
	if (dp_track_by_id(t->track_id))
		FAIL(-EEXIST, "track %u already exists", t->track_id);
	for (int i = DP_MAX_TRACKS_PER_PART - 1; i >= 0; i--) {
		struct dp_track *o = pt->tracks[i];

		if (o == NULL)
			slot = i;
		else if (!learn && o->ssrc_known && o->ssrc == t->ssrc)
			FAIL(-EEXIST, "track %u: participant %u already sends SSRC %u (track %u)",
			     t->track_id, t->part_id, t->ssrc, o->id);
	}
	if (slot < 0)
		FAIL(-ENOSPC, "track %u: participant %u already has %d tracks", t->track_id,
		     t->part_id, DP_MAX_TRACKS_PER_PART);
	tr = rte_zmalloc("rl_track", sizeof(*tr), RTE_CACHE_LINE_SIZE);
	if (tr == NULL)
		FAIL(-ENOMEM, "track %u: out of memory", t->track_id);
	tr->id = t->track_id;
	tr->part_id = t->part_id;
	tr->clock_rate = t->clock_rate;
	tr->cookie = t->cookie;
	tr->kind = t->kind;
	tr->learn = learn;
	tr->pt = t->pt;
	tr->ssrc = learn ? 0 : t->ssrc;
	tr->ssrc_known = !learn;
	if (rte_hash_add_key_data(dp_tab.track_by_id, &tr->id, tr) < 0) {
		rte_free(tr);
		FAIL(-ENOSPC, "track %u: track table full", t->track_id);
	}
	/* Release: the track is fully built before the owner can see it. */
	__atomic_store_n(&pt->tracks[slot], tr, __ATOMIC_RELEASE);
	dp_tab.counts[DP_COUNT_TRACKS]++;
	return 0;
}

/* Remove a track and the subscriptions currently on it. */
int dp_track_del(uint32_t id, char *err, size_t n)
{
	struct dp_track *tr = dp_track_by_id(id);
	struct dp_part *pt;

	if (tr == NULL)
		FAIL(-ENOENT, "track %u does not exist", id);
	while (tr->subs.n)
		dp_sub_del(((struct dp_sub *)tr->subs.v[tr->subs.n - 1])->id, err, n);
	pt = dp_part_by_id(tr->part_id);
	for (unsigned i = 0; pt && i < DP_MAX_TRACKS_PER_PART; i++)
		if (pt->tracks[i] == tr)
			__atomic_store_n(&pt->tracks[i], NULL, __ATOMIC_RELEASE);
	rte_hash_del_key(dp_tab.track_by_id, &id);
	dp_tab.counts[DP_COUNT_TRACKS]--;
	dp_tables_defer_free(tr, DQ_TRACK);
	return 0;
}

/* Build and publish tr's fan-out from its control list, grouped by owner
 * lcore; the old array is freed after a grace period. */
static int fanout_rebuild(struct dp_track *tr)
{
	struct dp_fanout *f = NULL, *old;
	uint32_t n_groups = 0;
	uint16_t lc[DP_MAX_WORKERS];

	struct dp_sub **subs = (struct dp_sub **)tr->subs.v;

	for (uint32_t i = 0; i < tr->subs.n; i++) {
		uint32_t g = 0;

		while (g < n_groups && lc[g] != subs[i]->owner)
			g++;
		if (g == n_groups)
			lc[n_groups++] = subs[i]->owner;
	}
	if (tr->subs.n) {
		size_t sz =
		    sizeof(*f) + n_groups * sizeof(f->g[0]) + tr->subs.n * sizeof(struct dp_sub *);
		struct dp_sub **slots;

		f = rte_zmalloc("rl_fan", sz, RTE_CACHE_LINE_SIZE);
		if (f == NULL)
			return -ENOMEM;
		slots = (struct dp_sub **)&f->g[n_groups];
		f->n_groups = n_groups;
		f->n_subs = tr->subs.n;
		for (uint32_t g = 0; g < n_groups; g++) {
			f->g[g].lcore = lc[g];
			f->g[g].subs = slots;
			for (uint32_t i = 0; i < tr->subs.n; i++)
				if (subs[i]->owner == lc[g])
					f->g[g].subs[f->g[g].n++] = subs[i];
			slots += f->g[g].n;
		}
	}
	old = tr->fan;
	/* Release: pairs with the publisher owner's acquire load of tr->fan. */
	__atomic_store_n(&tr->fan, f, __ATOMIC_RELEASE);
	dp_tables_defer_free(old, DQ_MEM);
	return 0;
}

/* Append s to tr's control list and republish the fan-out. */
static int track_attach(struct dp_track *tr, struct dp_sub *s)
{
	if (dp_ptrvec_push(&tr->subs, s) < 0)
		return -ENOMEM;
	if (fanout_rebuild(tr) < 0) {
		tr->subs.n--;
		return -ENOMEM;
	}
	return 0;
}

/* Remove s from tr's control list and republish. */
static void track_detach(struct dp_track *tr, struct dp_sub *s)
{
	dp_ptrvec_remove(&tr->subs, s);
	fanout_rebuild(tr);
}

/* Ask the publisher of a video track for a key frame. */
static void request_keyframe(const struct dp_track *tr)
{
	struct dp_part *pub = dp_part_by_id(tr->part_id);

	if (pub && tr->kind == RELAIS_TRACK_VIDEO)
		dp_worker_request_pli(pub->owner, tr->id);
}

/* Participant pt's address consented: with media.consent required, a key
 * frame for each of its video subscriptions (control thread). */
static void consent_keyframes(const struct dp_part *pt)
{
	if (!dp_tab.cfg->consent_required)
		return; /* media went at SUB_ADD, and its key frame with it */
	for (uint32_t i = 0; i < pt->subs.n; i++) {
		const struct dp_sub *s = pt->subs.v[i];
		const struct dp_track *tr = dp_track_by_id(s->track_id);

		if (tr)
			request_keyframe(tr);
	}
}

/* See dp_tables.h. */
void dp_tables_consented(void)
{
	void *v;

	while (dp_sh.consented && rte_ring_dequeue(dp_sh.consented, &v) == 0) {
		const struct dp_part *pt = dp_part_by_id((uint32_t)(uintptr_t)v);

		if (pt)
			consent_keyframes(pt);
	}
}

/* See dp_tables.h. */
int dp_part_consent(uint32_t part_id, const struct relais_addr *a)
{
	struct dp_part *pt = dp_part_by_id(part_id);
	struct dp_addr_key k;

	addr_key(&k, a);
	if (pt == NULL) {
		dp_consent_pending_put(part_id, &k); /* PART_ADD still on its way */
		return -ENOENT;
	}
	if (memcmp(&k, &pt->key, sizeof(k)) != 0) {
		/* The old address of a move, or the new one before PART_REKEY. */
		dp_consent_pending_put(part_id, &k);
		return -EADDRNOTAVAIL;
	}
	if (pt->moving) {
		pt->consent_on_move = true; /* granted when the owner has switched */
	} else if (!__atomic_load_n(&pt->consent, __ATOMIC_RELAXED)) {
		__atomic_store_n(&pt->consent, 1, __ATOMIC_RELAXED);
		consent_keyframes(pt);
	}
	return 0;
}

/* The output stream of participant pt for out_ssrc (control thread):
 * found, or made (*made set) when pt has fewer than
 * DP_MAX_OSTREAMS_PER_PART. NULL with err set otherwise. */
static struct dp_ostream *ostream_get(struct dp_part *pt, uint32_t sub_id, uint32_t out_ssrc,
				      bool *made, char *err, size_t n)
{
	struct dp_ostream *os;

	*made = false;
	for (uint32_t i = 0; i < pt->ostreams.n; i++) {
		os = pt->ostreams.v[i];
		if (os->out_ssrc == out_ssrc)
			return os;
	}
	if (pt->ostreams.n >= DP_MAX_OSTREAMS_PER_PART) {
		snprintf(err, n,
			 "subscription %u: participant %u already has %u output SSRCs (the "
			 "limit); reuse one of its out_ssrc values or re-add the participant "
			 "with new keys",
			 sub_id, pt->id, DP_MAX_OSTREAMS_PER_PART);
		return NULL;
	}
	os = dp_ostream_make(pt, out_ssrc, err, n);
	*made = os != NULL;
	return os;
}

/* Whether subscription sub_id of participant pt may receive track tr: a
 * track of pt's own room, with fewer subscribers than
 * limits.subscriptions_per_track. 0, or -errno with err set. */
static int sub_allowed(uint32_t sub_id, const struct dp_part *pt, const struct dp_track *tr,
		       char *err, size_t n)
{
	const struct dp_part *pub = dp_part_by_id(tr->part_id);

	if (pub == NULL || pub->room_id != pt->room_id)
		REFUSE(-EACCES,
		       "subscription %u: track %u is in room %u, participant %u in room %u "
		       "(cross-room subscriptions are refused)",
		       sub_id, tr->id, pub ? pub->room_id : 0, pt->id, pt->room_id);
	if (tr->subs.n >= dp_tab.cfg->max_subs_per_track)
		REFUSE(-ENOSPC,
		       "subscription %u: track %u already has %u subscriptions "
		       "(limits.subscriptions_per_track)",
		       sub_id, tr->id, tr->subs.n);
	return 0;
}

/* Subscribe a participant to a track. The subscription writes the
 * participant's output stream for out_ssrc, kept from any earlier
 * subscription with that out_ssrc (see struct dp_ostream). */
int dp_sub_add(const struct relais_ctl_sub *s, char *err, size_t n)
{
	struct dp_part *pt = dp_part_by_id(s->part_id);
	struct dp_track *tr = dp_track_by_id(s->track_id);
	struct sub_out_key ok = {s->part_id, s->out_ssrc};
	struct dp_ostream *os;
	struct dp_sub *sub;
	bool made;
	int rc;

	if (pt == NULL)
		FAIL(-ENOENT, "subscription %u: participant %u does not exist", s->sub_id,
		     s->part_id);
	if (tr == NULL)
		FAIL(-ENOENT, "subscription %u: track %u does not exist", s->sub_id, s->track_id);
	if (lookup_sub(s->sub_id))
		FAIL(-EEXIST, "subscription %u already exists", s->sub_id);
	if ((rc = sub_allowed(s->sub_id, pt, tr, err, n)) < 0)
		return rc;
	if (pt->subs.n >= dp_tab.cfg->max_subs_per_part)
		REFUSE(-ENOSPC,
		       "subscription %u: participant %u already has %u subscriptions "
		       "(limits.subscriptions_per_participant)",
		       s->sub_id, pt->id, pt->subs.n);
	if (dp_sub_by_out(s->part_id, s->out_ssrc))
		FAIL(-EEXIST, "subscription %u: participant %u already receives SSRC %u", s->sub_id,
		     s->part_id, s->out_ssrc);
	sub = rte_zmalloc("rl_sub", sizeof(*sub), RTE_CACHE_LINE_SIZE);
	if (sub == NULL)
		FAIL(-ENOMEM, "subscription %u: out of memory", s->sub_id);
	os = ostream_get(pt, s->sub_id, s->out_ssrc, &made, err, n);
	if (os == NULL) {
		rte_free(sub);
		return pt->ostreams.n >= DP_MAX_OSTREAMS_PER_PART ? -ENOSPC : -EIO;
	}
	sub->id = s->sub_id;
	sub->part_id = s->part_id;
	sub->part = pt;
	sub->out_ssrc = s->out_ssrc;
	sub->cookie = s->cookie;
	sub->track_id = s->track_id;
	sub->owner = pt->owner;
	sub->os = os;
	/* Each subscription of the stream has its own epoch (the owner starts
	 * a new segment on a change): published with the sub below. */
	sub->epoch = os->next_epoch++;
	sub->n_pt = s->n_pt;
	memcpy(sub->pt_map, s->pt_map, sizeof(sub->pt_map));
	sub->has_ext_map = s->has_ext_map;
	memcpy(sub->ext_map, s->ext_map, sizeof(sub->ext_map));
	if (rte_hash_add_key_data(dp_tab.sub_by_id, &sub->id, sub) < 0) {
		if (made)
			dp_ostream_unmake(pt, os);
		rte_free(sub);
		FAIL(-ENOSPC, "subscription %u: table full", s->sub_id);
	}
	if (dp_ptrvec_push(&pt->subs, sub) < 0) {
		rte_hash_del_key(dp_tab.sub_by_id, &sub->id);
		if (made)
			dp_ostream_unmake(pt, os);
		dp_tables_defer_free(sub, DQ_SUB);
		FAIL(-ENOMEM, "subscription %u: out of memory", s->sub_id);
	}
	/* The hash's own publication and fanout_rebuild's release store make
	 * sub (and os->out_ssrc) visible complete to the owner. */
	if (rte_hash_add_key_data(dp_tab.sub_by_out, &ok, sub) < 0 || track_attach(tr, sub) < 0) {
		dp_ptrvec_remove(&pt->subs, sub);
		rte_hash_del_key(dp_tab.sub_by_out, &ok);
		rte_hash_del_key(dp_tab.sub_by_id, &sub->id);
		if (made)
			dp_ostream_unmake(pt, os);
		dp_tables_defer_free(sub, DQ_SUB);
		FAIL(-ENOSPC, "subscription %u: table full", s->sub_id);
	}
	dp_tab.counts[DP_COUNT_SUBS]++;
	request_keyframe(tr);
	return 0;
}

/* Remove a subscription. */
int dp_sub_del(uint32_t id, char *err, size_t n)
{
	struct dp_sub *sub = lookup_sub(id);
	struct sub_out_key ok;
	struct dp_track *tr;
	struct dp_part *pt;

	if (sub == NULL)
		FAIL(-ENOENT, "subscription %u does not exist", id);
	tr = dp_track_by_id(sub->track_id);
	if (tr)
		track_detach(tr, sub);
	ok.part_id = sub->part_id;
	ok.out_ssrc = sub->out_ssrc;
	rte_hash_del_key(dp_tab.sub_by_out, &ok);
	rte_hash_del_key(dp_tab.sub_by_id, &id);
	pt = dp_part_by_id(sub->part_id);
	if (pt)
		dp_ptrvec_remove(&pt->subs, sub);
	dp_tab.counts[DP_COUNT_SUBS]--;
	dp_tables_defer_free(sub, DQ_SUB);
	return 0;
}

/* Move a subscription to another track; its output SSRC, sequence and
 * timestamp continue (the owner recomputes offsets on the first packet). */
int dp_sub_switch(uint32_t sub_id, uint32_t track_id, char *err, size_t n)
{
	struct dp_sub *sub = lookup_sub(sub_id);
	struct dp_track *to = dp_track_by_id(track_id), *from;
	int rc;

	if (sub == NULL)
		FAIL(-ENOENT, "subscription %u does not exist", sub_id);
	if (to == NULL)
		FAIL(-ENOENT, "subscription %u: track %u does not exist", sub_id, track_id);
	if (sub->track_id == track_id)
		return 0;
	if ((rc = sub_allowed(sub_id, sub->part, to, err, n)) < 0)
		return rc;
	from = dp_track_by_id(sub->track_id);
	if (from) /* detach first: the sub never receives from two sources */
		track_detach(from, sub);
	if (track_attach(to, sub) < 0) {
		if (from)
			track_attach(from, sub);
		FAIL(-ENOMEM, "subscription %u: out of memory", sub_id);
	}
	/* Release: feedback mapping on the owner reads it with acquire. */
	__atomic_store_n(&sub->track_id, track_id, __ATOMIC_RELEASE);
	request_keyframe(to);
	return 0;
}
