/* SPDX-License-Identifier: BSD-3-Clause */
/* Reconciliation: desired state (Redis, cached per room) against actual
 * state (the dataplane's DUMP), applying only the difference, in stages
 * driven from the node's loop (see cp_reconcile.h). An object is
 * identified by id and content by its cookie (docs/schema.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cp_reconcile.h"
#include "cp_util.h"

static const uint8_t dump_kind[4] = {RELAIS_DUMP_ROOMS, RELAIS_DUMP_PARTS, RELAIS_DUMP_TRACKS,
				     RELAIS_DUMP_SUBS};
static const uint16_t del_type[4] = {RELAIS_CTL_ROOM_DEL, RELAIS_CTL_PART_DEL, RELAIS_CTL_TRACK_DEL,
				     RELAIS_CTL_SUB_DEL};
static const uint16_t add_type[4] = {RELAIS_CTL_ROOM_ADD, RELAIS_CTL_PART_ADD, RELAIS_CTL_TRACK_ADD,
				     RELAIS_CTL_SUB_ADD};
/* Deletes go children first. */
static const int del_order[4] = {3, 2, 1, 0};

/* Append to an object list. 0/-ENOMEM. */
static int objs_push(struct cp_objs *o, uint32_t id, uint32_t parent, uint64_t cookie,
		     const void *d)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		struct cp_obj *v = realloc(o->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = (struct cp_obj){id, parent, cookie, d};
	return 0;
}

/* qsort/bsearch order of objects: by id. */
static int obj_cmp(const void *a, const void *b)
{
	const struct cp_obj *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The object with id in a sorted list, or NULL. */
static const struct cp_obj *objs_find(const struct cp_objs *o, uint32_t id)
{
	struct cp_obj k = {.id = id};

	return o->n ? bsearch(&k, o->v, o->n, sizeof(k), obj_cmp) : NULL;
}

/* Desired objects of the cache by kind (0 rooms, 1 parts, 2 tracks, 3 subs),
 * sorted by id; parent is the room of every non-room object. 0/-ENOMEM. */
static int desired(const struct cp_cache *c, struct cp_objs d[4])
{
	int rc = 0;

	for (int i = 0; i < c->n && rc == 0; i++) {
		const struct cp_droom *r = &c->rooms[i];

		rc = objs_push(&d[0], r->id, 0, 0, r);
		for (int j = 0; j < r->n_parts && rc == 0; j++)
			rc = objs_push(&d[1], r->parts[j].p.part_id, r->id, r->parts[j].p.cookie,
				       &r->parts[j]);
		for (int j = 0; j < r->n_tracks && rc == 0; j++)
			rc = objs_push(&d[2], r->tracks[j].track_id, r->id, r->tracks[j].cookie,
				       &r->tracks[j]);
		for (int j = 0; j < r->n_subs && rc == 0; j++)
			rc = objs_push(&d[3], r->subs[j].sub_id, r->id, r->subs[j].cookie,
				       &r->subs[j]);
	}
	for (int k = 0; k < 4; k++)
		if (d[k].n) /* qsort's base must not be NULL, even for 0 items */
			qsort(d[k].v, d[k].n, sizeof(*d[k].v), obj_cmp);
	return rc;
}

/* Whether actual track/sub i of kind k goes away with its participant,
 * which is itself stale (not desired with the same cookie): the dataplane
 * cascades PART_DEL to them, so one call removes them all. */
static bool with_stale_part(const struct cp_objs a[4], const struct cp_objs d[4], int k, size_t i)
{
	const struct cp_obj *p = objs_find(&a[1], a[k].v[i].parent);
	const struct cp_obj *w = p ? objs_find(&d[1], p->id) : NULL;

	return p != NULL && (w == NULL || w->cookie != p->cookie);
}

/* Build the add request for desired object w of kind k into m; for parts
 * the keys are unwrapped here, right before sending. 0/-errno. */
static int add_msg(const struct cp_reconcile *rec, int k, const struct cp_obj *w,
		   struct relais_ctl_msg *m)
{
	memset(m, 0, sizeof(*m));
	switch (k) {
	case 0:
		m->type = RELAIS_CTL_ROOM_ADD;
		m->u.room.room_id = w->id;
		return 0;
	case 1:
		m->type = RELAIS_CTL_PART_ADD;
		return cp_part_keys(rec->dcfg, w->d, &m->u.part);
	case 2:
		m->type = RELAIS_CTL_TRACK_ADD;
		m->u.track = *(const struct relais_ctl_track *)w->d;
		return 0;
	default:
		m->type = RELAIS_CTL_SUB_ADD;
		m->u.sub = *(const struct relais_ctl_sub *)w->d;
		return 0;
	}
}

/* True when participant `part` of room `room` (in the cache) publishes a
 * track. */
static bool publishes(const struct cp_cache *c, uint32_t room, uint32_t part)
{
	const struct cp_droom *r = cp_cache_find(c, room);

	for (int j = 0; r && j < r->n_tracks; j++)
		if (r->tracks[j].part_id == part)
			return true;
	return false;
}

/* Log, count and record (in its room, for the backend) a desired object of
 * kind k that could not be added: why is the reason's prefix, detail the
 * rest. */
static void refuse_add(struct cp_reconcile *rec, int k, const struct cp_obj *w, const char *why,
		       const char *detail)
{
	static const char *const what[4] = {"room", "part", "track", "sub"};
	struct cp_droom *room = cp_cache_find(rec->cache, k == 0 ? w->id : w->parent);
	char obj[24], msg[sizeof(((struct cp_refusal *)0)->why)];

	rec->refused++;
	snprintf(obj, sizeof(obj), "%s:%u", what[k], w->id);
	snprintf(msg, sizeof(msg), "%s: %s", why, detail);
	if (k == 0)
		CP_WARN("refusing room relais:{room:%u}: %s", w->id, msg);
	else
		CP_WARN("refusing relais:{room:%u}:%s: %s", w->parent, obj, msg);
	if (room)
		cp_room_refuse(room, k == 0 ? "room" : obj, true, msg);
}

/* Record the first failure of the apply; it ends at the next step. */
static void failed(struct cp_reconcile *rec, int rc)
{
	if (rec->rc == 0)
		rec->rc = rc;
}

/* The kind (0-3) whose request type is t in table types, or -1. */
static int kind_of(const uint16_t types[4], unsigned t)
{
	for (int k = 0; k < 4; k++)
		if (types[k] == t)
			return k;
	return -1;
}

/* A DUMP page of kind rec->k: kept; the last page sorts the kind and moves
 * on to the next. A refused DUMP fails the apply. */
static void on_dump(struct cp_reconcile *rec, const struct relais_ctl_reply *r)
{
	struct cp_objs *o = &rec->a[rec->k];

	rec->dump_busy = false;
	if (r->status < 0) {
		failed(rec, r->status);
		return;
	}
	for (int i = 0; i < r->u.dump.count; i++)
		if (objs_push(o, r->u.dump.rec[i].id, r->u.dump.rec[i].parent,
			      r->u.dump.rec[i].cookie, NULL) < 0) {
			failed(rec, -ENOMEM);
			return;
		}
	rec->cursor = r->u.dump.next_cursor;
	if (rec->cursor != 0)
		return;
	if (o->n)
		qsort(o->v, o->n, sizeof(*o->v), obj_cmp);
	if (++rec->k < 4)
		rec->a[rec->k].n = 0;
}

/* A PART_REKEY reply for actual participant i: accepted means it is no
 * longer stale (the delete stage keeps it). */
static void on_rekey(struct cp_reconcile *rec, size_t i, const struct relais_ctl_reply *r)
{
	struct cp_obj *cur = &rec->a[1].v[i];
	const struct cp_obj *w = objs_find(&rec->d[1], cur->id);

	if (r->status != 0 || w == NULL)
		return;
	cur->cookie = w->cookie;
	rec->applied++;
	CP_INFO("participant %u re-keyed in place", w->id);
}

/* A delete reply for actual object i of kind k: gone already is fine. */
static void on_delete(struct cp_reconcile *rec, int k, size_t i, const struct relais_ctl_reply *r)
{
	if (r->status < 0 && r->status != -ENOENT)
		CP_WARN("%s %u refused: %s", relais_ctl_type_name(del_type[k]), rec->a[k].v[i].id,
			r->error);
}

/* An add reply for desired object i of kind k: counted, or refused. */
static void on_add(struct cp_reconcile *rec, int k, size_t i, const struct relais_ctl_reply *r)
{
	if (r->status < 0)
		refuse_add(rec, k, &rec->d[k].v[i], "dataplane refused", r->error);
	else
		rec->applied++;
}

/* Every reply of the link for this apply: tag = gen << 32 | object index;
 * the request type says the stage. Replies of an abandoned apply (another
 * gen) are dropped. */
static void on_reply(void *priv, uint64_t tag, int rc, const struct relais_ctl_reply *r)
{
	struct cp_reconcile *rec = priv;
	size_t i = (size_t)(uint32_t)tag;
	int k;

	if ((uint32_t)(tag >> 32) != rec->gen || rec->stage == CP_REC_IDLE)
		return;
	rec->inflight--;
	if (rc < 0) {
		failed(rec, rc);
		return;
	}
	if (r->type == RELAIS_CTL_DUMP)
		on_dump(rec, r);
	else if (r->type == RELAIS_CTL_PART_REKEY)
		on_rekey(rec, i, r);
	else if ((k = kind_of(del_type, r->type)) >= 0)
		on_delete(rec, k, i, r);
	else if ((k = kind_of(add_type, r->type)) >= 0)
		on_add(rec, k, i, r);
}

/* Send m for object index i of this apply. 0, -EBUSY (try again after a
 * reply), -EINVAL/-EMSGSIZE (not encodable, nothing sent) or a transport
 * -errno (recorded: the apply fails). */
static int send_req(struct cp_reconcile *rec, struct relais_ctl_msg *m, size_t i)
{
	int rc = cp_dplink_send(rec->dl, m, on_reply, rec, (uint64_t)rec->gen << 32 | (uint32_t)i);

	if (rc == 0) {
		rec->inflight++;
		rec->calls++;
	} else if (rc == -EINVAL || rc == -EMSGSIZE) {
		rec->calls++;
	} else if (rc != -EBUSY) {
		failed(rec, rc);
	}
	return rc;
}

/* DUMP stage: one page in flight at a time, kind after kind. true when
 * every kind is in. */
static bool run_dump(struct cp_reconcile *rec)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_DUMP};

	if (rec->dump_busy || rec->k >= 4)
		return !rec->dump_busy && rec->k >= 4;
	m.u.dump.kind = dump_kind[rec->k];
	m.u.dump.cursor = rec->cursor;
	if (send_req(rec, &m, 0) == 0)
		rec->dump_busy = true;
	return false;
}

/* Whether actual participant i is offered PART_REKEY in pass `pass`: its
 * content changed but its room did not, and it publishes only in pass 1. */
static bool rekey_candidate(const struct cp_reconcile *rec, size_t i, int pass)
{
	const struct cp_obj *cur = &rec->a[1].v[i];
	const struct cp_obj *w = objs_find(&rec->d[1], cur->id);

	return w != NULL && w->cookie != cur->cookie && w->parent == cur->parent &&
	       publishes(rec->cache, w->parent, w->id) == (pass == 1);
}

/* REKEY stage. Participants whose content changed but whose room is the
 * same are first offered PART_REKEY: the dataplane keeps them (and their
 * tracks, subs and every stream's rollover counter and output index) when
 * keys, cookie, epoch or the address changed (a new address moves the
 * participant in place), and refuses when a profile changed, which the
 * delete stage then handles by replacing the participant.
 * Receivers go first and publishers last: while a room is re-keyed (after
 * a move, say), a packet under a publisher's new key is either refused at
 * ingress (srtp_auth) or forwarded under the subscribers' new keys, never
 * under keys they no longer hold. true when both passes are answered. */
static bool run_rekey(struct cp_reconcile *rec)
{
	struct relais_ctl_msg m;

	for (; rec->k < 2; rec->k++, rec->i = 0)
		for (; rec->i < rec->a[1].n; rec->i++) {
			const struct cp_obj *w;
			int rc;

			if (!rekey_candidate(rec, rec->i, rec->k))
				continue;
			w = objs_find(&rec->d[1], rec->a[1].v[rec->i].id);
			if (add_msg(rec, 1, w, &m) < 0) {
				OPENSSL_cleanse(&m, sizeof(m));
				continue; /* keys do not unwrap: the add stage logs it */
			}
			m.type = RELAIS_CTL_PART_REKEY;
			rc = send_req(rec, &m, rec->i);
			OPENSSL_cleanse(&m, sizeof(m));
			if (rc == -EBUSY || rec->rc < 0)
				return false;
		}
	return rec->inflight == 0;
}

/* Whether actual object i of kind k stays: desired with the same cookie,
 * or a track/sub that goes with its stale participant (the dataplane
 * cascades PART_DEL to them, so one call removes them all). */
static bool keep_actual(const struct cp_reconcile *rec, int k, size_t i)
{
	const struct cp_obj *w = objs_find(&rec->d[k], rec->a[k].v[i].id);

	return (w && w->cookie == rec->a[k].v[i].cookie) ||
	       (k > 1 && with_stale_part(rec->a, rec->d, k, i));
}

/* DELETE stage: every actual object that is not desired with the same
 * cookie, subs, tracks, participants, then (empty) rooms; children of a
 * stale participant go with it (measured: cheaper than ROOM_DEL's cascade
 * on this dataplane). true when every delete is answered. */
static bool run_delete(struct cp_reconcile *rec)
{
	struct relais_ctl_msg m;

	for (; rec->k < 4; rec->k++, rec->i = 0) {
		int k = del_order[rec->k];

		for (; rec->i < rec->a[k].n; rec->i++) {
			int rc;

			if (keep_actual(rec, k, rec->i))
				continue;
			memset(&m, 0, sizeof(m));
			m.type = del_type[k];
			if (k == 0)
				m.u.room.room_id = rec->a[k].v[rec->i].id;
			else
				m.u.id.id = rec->a[k].v[rec->i].id;
			rc = send_req(rec, &m, rec->i);
			if (rc == -EBUSY || rec->rc < 0)
				return false;
			if (rc < 0) /* not encodable */
				CP_WARN("%s %u refused: not encodable: %s",
					relais_ctl_type_name(m.type), rec->a[k].v[rec->i].id,
					strerror(-rc));
			rec->deleted++;
		}
	}
	return rec->inflight == 0;
}

/* Send the add of desired object i of kind k; keys are unwrapped right
 * here and cleansed right after. 0, -EBUSY or -errno (recorded). */
static int add_one(struct cp_reconcile *rec, int k, size_t i)
{
	const struct cp_obj *w = &rec->d[k].v[i];
	struct relais_ctl_msg m;
	char detail[64];
	int rc = add_msg(rec, k, w, &m);

	if (rc < 0) {
		OPENSSL_cleanse(&m, sizeof(m));
		refuse_add(rec, k, w, "keys do not unwrap any more", strerror(-rc));
		return 0;
	}
	rc = send_req(rec, &m, i);
	OPENSSL_cleanse(&m, sizeof(m));
	if (rc == -EINVAL || rc == -EMSGSIZE) {
		snprintf(detail, sizeof(detail), "not encodable: %s", strerror(-rc));
		refuse_add(rec, k, w, "dataplane refused", detail);
		return 0;
	}
	return rc;
}

/* ADD stage: rooms first, every desired object the dataplane lacks.
 * Refusals are logged with the object's key, counted and recorded in the
 * room. true when every add is answered. */
static bool run_add(struct cp_reconcile *rec)
{
	for (; rec->k < 4; rec->k++, rec->i = 0)
		for (; rec->i < rec->d[rec->k].n; rec->i++) {
			if (objs_find(&rec->a[rec->k], rec->d[rec->k].v[rec->i].id))
				continue;
			if (add_one(rec, rec->k, rec->i) == -EBUSY || rec->rc < 0)
				return false;
		}
	return rec->inflight == 0;
}

/* Enter stage s from its start. */
static void enter(struct cp_reconcile *rec, enum cp_rec_stage s)
{
	rec->stage = s;
	rec->k = 0;
	rec->i = 0;
	rec->cursor = 0;
	rec->dump_busy = false;
	if (s == CP_REC_DUMP || s == CP_REC_REDUMP)
		rec->a[0].n = 0;
}

/* Run the current stage; true when it is complete. */
static bool run_stage(struct cp_reconcile *rec)
{
	switch (rec->stage) {
	case CP_REC_DUMP:
	case CP_REC_REDUMP:
		return run_dump(rec);
	case CP_REC_REKEY:
		return run_rekey(rec);
	case CP_REC_DELETE:
		return run_delete(rec);
	case CP_REC_ADD:
		return run_add(rec);
	default:
		return false;
	}
}

/* The stage after a complete one; IDLE after ADD. Deleting a participant
 * or track cascades on the dataplane: it is dumped again rather than
 * guessed at. */
static enum cp_rec_stage next_stage(const struct cp_reconcile *rec)
{
	switch (rec->stage) {
	case CP_REC_DUMP:
		return CP_REC_REKEY;
	case CP_REC_REKEY:
		return CP_REC_DELETE;
	case CP_REC_DELETE:
		return rec->deleted > 0 ? CP_REC_REDUMP : CP_REC_ADD;
	case CP_REC_REDUMP:
		return CP_REC_ADD;
	default:
		return CP_REC_IDLE;
	}
}

/* See header. */
void cp_reconcile_abort(struct cp_reconcile *rec)
{
	for (int k = 0; k < 4; k++) {
		free(rec->a[k].v);
		free(rec->d[k].v);
		rec->a[k] = (struct cp_objs){0};
		rec->d[k] = (struct cp_objs){0};
	}
	rec->gen++;
	rec->inflight = 0;
	rec->stage = CP_REC_IDLE;
}

/* See header. */
void cp_reconcile_init(struct cp_reconcile *rec, struct cp_cache *cache, struct cp_dplink *dl,
		       const struct cp_desired_cfg *dcfg)
{
	memset(rec, 0, sizeof(*rec));
	rec->cache = cache;
	rec->dl = dl;
	rec->dcfg = dcfg;
}

/* See header. */
bool cp_reconcile_start(struct cp_reconcile *rec, bool have_desired)
{
	cp_reconcile_abort(rec);
	if (!have_desired || !cp_dplink_up(rec->dl))
		return false; /* never empty a dataplane before Redis was read */
	for (int i = 0; i < rec->cache->n; i++)
		cp_room_clear_apply_refusals(&rec->cache->rooms[i]);
	rec->rc = desired(rec->cache, rec->d);
	rec->deleted = 0;
	rec->t0 = cp_now_ms();
	enter(rec, CP_REC_DUMP);
	return true;
}

/* See header. */
bool cp_reconcile_busy(const struct cp_reconcile *rec)
{
	return rec->stage != CP_REC_IDLE;
}

/* See header. */
int cp_reconcile_step(struct cp_reconcile *rec, int *result)
{
	if (rec->stage == CP_REC_IDLE)
		return 0;
	while (rec->rc == 0 && run_stage(rec)) {
		enter(rec, next_stage(rec));
		if (rec->stage == CP_REC_IDLE)
			break;
	}
	if (rec->rc == 0 && rec->stage != CP_REC_IDLE)
		return 0;
	*result = rec->rc;
	rec->last_ms = cp_now_ms() - rec->t0;
	rec->rc = 0;
	cp_reconcile_abort(rec);
	return 1;
}
