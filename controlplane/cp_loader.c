/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Desired-state loads on the async command link. A load (a "batch") reads
 * either every room the node owns (full) or the rooms named by events
 * (dirty). Per room, the replies arrive in the order sent on the one
 * connection: HMGET of the directory entry (owner, epoch, served_epoch,
 * served_sig),
 * the three index sets, then one hash per object, issued from the index
 * callbacks. Rooms are pipelined, so a full load costs a few round trips in
 * all rather than per room. One batch at a time: events arriving meanwhile
 * wait for the next one, so a reload never lands older data over newer.
 *
 * Every reply is bounded before hiredis buffers it (Debian's hiredis 0.14
 * has no reader limits: it allocates whatever array a reply announces): an
 * index set is read with SRANDMEMBER key max_objects+1, which returns the
 * whole set when it is within the limit and max_objects+1 members (the
 * room refused) otherwise; an object with HRANDFIELD key
 * CP_HASH_MAX_FIELDS+1 WITHVALUES, the whole hash or a refused one; the
 * node's room list with SRANDMEMBER ... CP_CAPACITY_MAX+1 (more fails the
 * full load: the rooms stay as they are). Each is one
 * atomic command: no count-then-read race, no extra round trip.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_loader.h"
#include "cp_opts.h"
#include "cp_util.h"

struct cp_job;

/* An index request of a job: which kind it lists. */
struct cp_ireq {
	struct cp_job *j;
	int k;
};

/* One object fetch: kind and id (the HGETALL reply is parsed against it). */
struct cp_oreq {
	struct cp_job *j;
	int k;
	char id[CP_MEMBER_MAX];
};

struct cp_job {
	struct cp_batch *b;
	uint32_t id;
	int pending; /* replies still expected */
	bool owned, refused, failed;
	size_t total;
	struct cp_ireq ireq[3];
	struct cp_oreq *oreq[3];
	int n_oreq[3];
	struct cp_droom r;
};

struct cp_batch {
	struct cp_loader *ld;
	unsigned gen; /* ld->gen at start: a change orphans the batch */
	uint64_t t0;  /* start, ms */
	bool full, failed;
	int pending; /* jobs not finished (+1 while the room list is read) */
	int n_jobs;
	struct cp_job *jobs;
	struct cp_dirty acks; /* entry ids covered by this batch */
	char seen[48];        /* the last event id read before the batch started */
};

static void batch_done(struct cp_batch *b);

/* A reply of job j came in (or will never come): finish the job and the
 * batch when it was the last. */
static void job_reply(struct cp_job *j)
{
	if (--j->pending > 0)
		return;
	for (int k = 0; k < 3; k++) {
		free(j->oreq[k]);
		j->oreq[k] = NULL;
	}
	if (j->failed || j->b->ld->gen != j->b->gen)
		j->b->failed = true;
	if (--j->b->pending == 0)
		batch_done(j->b);
}

/* Owner/epoch/served_epoch/served_sig of the room (HMGET): owned by this
 * node, and which status Redis holds for this epoch? */
static void on_dir(struct cp_link *l, redisReply *h, void *priv)
{
	struct cp_job *j = priv;
	const char *node = j->b->ld->node;
	uint64_t epoch;

	(void)l;
	if (h == NULL || h->type != REDIS_REPLY_ARRAY) {
		j->failed = true;
	} else if (h->elements == 4 && h->element[0]->str &&
		   strcmp(h->element[0]->str, node) == 0 &&
		   cp_parse_u64(h->element[1]->str, UINT64_MAX, &epoch) == 0) {
		uint64_t sig = 0;

		j->owned = true;
		cp_room_begin(&j->r, j->id, epoch);
		if (h->element[2]->str && strcmp(h->element[2]->str, h->element[1]->str) == 0 &&
		    cp_parse_u64(h->element[3]->str, UINT64_MAX, &sig) == 0)
			j->r.served_sig = sig;
	}
	job_reply(j);
}

/* One object's HGETALL: validated into the room unless the room is
 * already refused or failed. */
static void on_object(struct cp_link *l, redisReply *h, void *priv)
{
	struct cp_oreq *o = priv;
	struct cp_job *j = o->j;

	(void)l;
	if (h == NULL)
		j->failed = true;
	else if (!j->failed && !j->refused)
		cp_room_object(j->b->ld->dcfg, &j->r, cp_cache_find(j->b->ld->cache, j->id), o->k,
			       o->id, h);
	job_reply(j);
}

/* Keep the member ids of index k for fetching once all three indexes are
 * in (the room's total decides whether it is refused whole). */
static void keep_members(struct cp_job *j, int k, const redisReply *set, int count)
{
	j->n_oreq[k] = count;
	if (count == 0)
		return;
	j->oreq[k] = calloc((size_t)count, sizeof(*j->oreq[k]));
	if (j->oreq[k] == NULL) {
		j->failed = true;
		return;
	}
	for (int i = 0; i < count; i++) {
		struct cp_oreq *o = &j->oreq[k][i];

		*o = (struct cp_oreq){.j = j, .k = k};
		snprintf(o->id, sizeof(o->id), "%s", cp_room_member(set, (size_t)i));
	}
}

/* Queue the HGETALL of every kept member, in kind order. */
static void fetch_objects(struct cp_job *j)
{
	struct cp_link *cmd = &j->b->ld->sess->cmd;

	for (int k = 0; k < 3; k++)
		for (int i = 0; i < j->n_oreq[k]; i++) {
			struct cp_oreq *o = &j->oreq[k][i];

			if (cp_link_cmd(cmd, on_object, o,
					"HRANDFIELD relais:{room:%u}:%s:%s %d WITHVALUES", j->id,
					cp_room_kind(k), o->id, CP_HASH_MAX_FIELDS + 1) < 0) {
				j->failed = true;
				return;
			}
			j->pending++;
		}
}

/* One index set (SMEMBERS): size the kind's array and keep its members;
 * after the third, check the room's size and fetch its objects. */
static void on_index(struct cp_link *l, redisReply *set, void *priv)
{
	struct cp_ireq *q = priv;
	struct cp_job *j = q->j;
	int count;

	(void)l;
	if (set == NULL) {
		j->failed = true;
	} else if (j->owned && !j->failed && j->refused) {
		j->total += set->type == REDIS_REPLY_ARRAY ? set->elements : 0; /* for the log */
	} else if (j->owned && !j->failed) {
		count = cp_room_index(j->b->ld->dcfg, &j->r, q->k, set, &j->total);
		if (count == -E2BIG)
			j->refused = true;
		else if (count < 0)
			j->failed = true;
		else
			keep_members(j, q->k, set, count);
	}
	if (q->k == 2 && j->owned && !j->failed) {
		if (cp_room_check_total(j->b->ld->dcfg, &j->r, j->total) < 0)
			j->refused = true;
		else if (!j->refused)
			fetch_objects(j);
	}
	job_reply(j);
}

/* Queue the first four requests of room j. 0 or -EIO. */
static int job_start(struct cp_job *j)
{
	struct cp_link *cmd = &j->b->ld->sess->cmd;

	if (cp_link_cmd(cmd, on_dir, j,
			"HMGET " CP_DIR "room:%u owner epoch served_epoch served_sig", j->id) < 0)
		return -EIO;
	j->pending = 1;
	for (int k = 0; k < 3; k++) {
		j->ireq[k] = (struct cp_ireq){j, k};
		if (cp_link_cmd(cmd, on_index, &j->ireq[k], "SRANDMEMBER relais:{room:%u}:%ss %d",
				j->id, cp_room_kind(k), j->b->ld->dcfg->max_objects + 1) < 0)
			return -EIO;
		j->pending++;
	}
	return 0;
}

/* Allocate the batch's jobs for these room ids and start them. The caller
 * holds one count of b->pending, so the batch cannot end in here. A start
 * failure fails the batch (the session is going down). */
static void batch_start_jobs(struct cp_batch *b, const uint32_t *ids, int n)
{
	b->jobs = calloc((size_t)n + 1, sizeof(*b->jobs));
	if (b->jobs == NULL) {
		b->failed = true;
		return;
	}
	b->n_jobs = n;
	for (int i = 0; i < n; i++) {
		struct cp_job *j = &b->jobs[i];

		j->b = b;
		j->id = ids[i];
		b->pending++;
		if (job_start(j) < 0) {
			/* The session is going down: what was queued will be
			 * answered NULL; a job with nothing queued ends here. */
			j->failed = true;
			b->failed = true;
			if (j->pending == 0)
				b->pending--;
			return;
		}
	}
}

/* The node's rooms (full load, a bounded read): one job per valid id. More
 * than CP_CAPACITY_MAX fails the load (logged): the served rooms stay. */
static void on_room_list(struct cp_link *l, redisReply *s, void *priv)
{
	struct cp_batch *b = priv;
	uint32_t *ids = NULL;
	int m = 0;

	(void)l;
	if (s != NULL && s->type == REDIS_REPLY_ARRAY && s->elements > CP_CAPACITY_MAX)
		CP_ERR("refusing " CP_DIR "noderooms:%s: more than %d rooms (the largest "
		       "--capacity); the rooms served stay as they are",
		       b->ld->node, CP_CAPACITY_MAX);
	if (s == NULL || s->type != REDIS_REPLY_ARRAY || s->elements > CP_CAPACITY_MAX ||
	    (ids = calloc(s->elements + 1, sizeof(*ids))) == NULL) {
		b->failed = true;
	} else {
		for (size_t i = 0; i < s->elements; i++) {
			const char *str = cp_reply_str(s->element[i]);
			uint32_t id;

			if (cp_parse_u32(str, &id) < 0 || id == 0)
				CP_WARN("refusing room '%.40s' in " CP_DIR
					"noderooms:%s: not a room id",
					str ? str : "(not a string)", b->ld->node);
			else
				ids[m++] = id;
		}
		if (b->ld->gen == b->gen)
			batch_start_jobs(b, ids, m);
	}
	free(ids);
	if (--b->pending == 0)
		batch_done(b);
}

/* Full load result: the owned rooms replace the cache. 0 or -ENOMEM. */
static int replace_cache(struct cp_loader *ld, struct cp_batch *b)
{
	struct cp_droom *v = calloc((size_t)b->n_jobs + 1, sizeof(*v));
	int m = 0;

	if (v == NULL)
		return -ENOMEM;
	for (int i = 0; i < b->n_jobs; i++) {
		struct cp_job *j = &b->jobs[i];

		if (j->owned) { /* a refused room is served empty, with its refusal */
			v[m++] = j->r;
			memset(&j->r, 0, sizeof(j->r)); /* moved */
		}
	}
	cp_cache_replace(ld->cache, v, m, b->n_jobs + 1);
	return 0;
}

/* Dirty load result for one room: replace, insert or (no longer owned)
 * remove its cache slot. A room reloaded for an event owes the backend an
 * ack (docs/schema.md, "Errors and served"). 0 or -ENOMEM. */
static int update_slot(struct cp_loader *ld, struct cp_job *j)
{
	j->r.ack_due = true;
	return cp_cache_put(ld->cache, j->id, j->owned ? &j->r : NULL);
}

/* Move batch ids into the loader's acks_due. 0 or -ENOMEM. */
static int keep_acks(struct cp_loader *ld, struct cp_dirty *from)
{
	struct cp_dirty *d = &ld->ev.acks_due;

	for (int i = 0; i < from->n_ids; i++) {
		if (cp_grow((void **)&d->ids, &d->cap_ids, d->n_ids, sizeof(*d->ids)) < 0)
			return -ENOMEM;
		d->ids[d->n_ids++] = from->ids[i];
		from->ids[i] = NULL;
	}
	return 0;
}

/* A full load that covered an event of room `id` owes the backend an ack
 * even when the room did not change (docs/schema.md "Errors and served"). */
static void mark_ack_due(struct cp_loader *ld, uint32_t id)
{
	struct cp_droom *r = cp_cache_find(ld->cache, id);

	if (r)
		r->ack_due = true;
}

/* Every reply of the batch is in: update the cache and mark the apply
 * (and the events' acks) due. A failed or orphaned batch changes nothing
 * (its events stay pending in Redis). Runs inside a reply callback, so it
 * never talks to the dataplane itself. */
static void batch_done(struct cp_batch *b)
{
	struct cp_loader *ld = b->ld;
	bool ok = !b->failed && ld->gen == b->gen;
	int rc = 0;

	for (int i = 0; ok && i < b->n_jobs; i++)
		memcpy(b->jobs[i].r.seen, b->seen, sizeof(b->seen));
	if (ok && b->full)
		rc = replace_cache(ld, b);
	for (int i = 0; ok && b->full && rc == 0 && i < b->acks.n_rooms; i++)
		mark_ack_due(ld, b->acks.rooms[i]);
	for (int i = 0; ok && !b->full && rc == 0 && i < b->n_jobs; i++)
		rc = update_slot(ld, &b->jobs[i]);
	for (int i = 0; i < b->n_jobs; i++)
		cp_room_free(&b->jobs[i].r);
	if (ld->loading == b)
		ld->loading = NULL;
	if (ok && rc == 0) {
		ld->loads_done++;
		ld->last_load_ms = cp_now_ms() - b->t0;
		ld->have_desired = true;
		ld->apply_due = true;
		if (keep_acks(ld, &b->acks) < 0)
			ld->want_full = true; /* unacked entries are read again later */
	} else if (ok) {
		ld->want_full = true; /* out of memory mid-update: start over */
	}
	cp_dirty_clear(&b->acks);
	free(b->jobs);
	free(b);
}

/* See header. */
int cp_loader_start(struct cp_loader *ld, bool full)
{
	struct cp_batch *b;

	if (ld->loading)
		return -EBUSY;
	if (!full && ld->ev.dirty.n_rooms == 0)
		return -ENODATA;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	*b = (struct cp_batch){
	    .ld = ld, .gen = ld->gen, .t0 = cp_now_ms(), .full = full, .pending = 1};
	b->acks = ld->ev.dirty; /* the batch covers every event noted so far */
	if (b->acks.n_ids > 0)
		snprintf(ld->seen_id, sizeof(ld->seen_id), "%s", b->acks.ids[b->acks.n_ids - 1]);
	memcpy(b->seen, ld->seen_id, sizeof(b->seen));
	memset(&ld->ev.dirty, 0, sizeof(ld->ev.dirty));
	if (full)
		ld->want_full = false;
	ld->loading = b;
	if (full) {
		if (cp_link_cmd(&ld->sess->cmd, on_room_list, b,
				"SRANDMEMBER " CP_DIR "noderooms:%s %d", ld->node,
				CP_CAPACITY_MAX + 1) < 0)
			b->failed = true;
		else
			b->pending++;
	} else {
		batch_start_jobs(b, b->acks.rooms, b->acks.n_rooms);
	}
	if (--b->pending == 0)
		batch_done(b);
	return 0;
}

/* See header. */
void cp_loader_init(struct cp_loader *ld, const char *node, struct cp_session *sess,
		    const struct cp_desired_cfg *dcfg, struct cp_cache *cache)
{
	memset(ld, 0, sizeof(*ld));
	cp_events_init(&ld->ev, node, sess);
	ld->node = node;
	ld->sess = sess;
	ld->dcfg = dcfg;
	ld->cache = cache;
}

/* See header. */
void cp_loader_fini(struct cp_loader *ld)
{
	cp_events_fini(&ld->ev);
}

/* See header. */
void cp_loader_turn(struct cp_loader *ld, uint64_t now, int reconcile_ms, bool may_load)
{
	if (ld->ev.overflow) {
		ld->ev.overflow = false;
		ld->want_full = true; /* unnoted entries: reload everything */
	}
	if (now >= ld->next_full) {
		ld->want_full = true;
		ld->next_full = now + (uint64_t)reconcile_ms;
	}
	if (ld->loading == NULL && may_load)
		cp_loader_start(ld, ld->want_full);
	cp_events_read(&ld->ev);
}

/* See header. */
void cp_loader_registered(struct cp_loader *ld)
{
	cp_events_registered(&ld->ev);
	ld->want_full = true;
}

/* See header. */
void cp_loader_orphan(struct cp_loader *ld)
{
	ld->gen++;
}

/* See header. */
void cp_loader_session_down(struct cp_loader *ld)
{
	ld->gen++;
	cp_events_session_down(&ld->ev);
}
