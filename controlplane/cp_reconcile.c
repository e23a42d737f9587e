/* SPDX-License-Identifier: BSD-3-Clause */
/* Reconciliation: desired state (Redis, cached per room) against actual
 * state (the dataplane's DUMP), applying only the difference. An object is
 * identified by id and content by its cookie (docs/schema.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cp_node.h"
#include "cp_util.h"

#define CTL_TIMEOUT_MS 2000

/* One dumped or desired object: id, cookie, and for desired ones where it
 * lives in the cache. */
struct obj {
	uint32_t id;
	uint32_t parent; /* dumped objects: room of a part, part of a track/sub */
	uint64_t cookie;
	const void *d;
};

struct objs {
	struct obj *v;
	size_t n, cap;
};

/* Append to an object list. 0/-ENOMEM. */
static int objs_push(struct objs *o, uint32_t id, uint32_t parent, uint64_t cookie, const void *d)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		struct obj *v = realloc(o->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = (struct obj){id, parent, cookie, d};
	return 0;
}

static int obj_cmp(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The object with id in a sorted list, or NULL. */
static const struct obj *objs_find(const struct objs *o, uint32_t id)
{
	struct obj k = {.id = id};

	return o->n ? bsearch(&k, o->v, o->n, sizeof(k), obj_cmp) : NULL;
}

/* One control-channel call; transport errors close the fd. Returns the
 * dataplane's status (0/-errno) or the transport error. */
static int ctl(struct cp_node *n, struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	static uint32_t seq = 1;
	int rc;

	uint64_t now = cp_now_ms();

	if (n->dp_fd < 0)
		return -ENOTCONN;
	/* A large apply takes seconds: the lease must not lapse meanwhile. */
	if (n->keepalive && now >= n->last_keepalive + CP_KEEPALIVE_MS) {
		n->last_keepalive = now;
		n->keepalive(n);
	}
	m->seq = ++seq;
	n->ctl_calls++;
	rc = relais_ctl_call(n->dp_fd, m, r, CTL_TIMEOUT_MS);
	if (rc == -EINVAL || rc == -EMSGSIZE) {
		snprintf(r->error, sizeof(r->error), "not encodable: %s", strerror(-rc));
		r->status = rc;
		return rc;
	}
	if (rc < 0) {
		CP_WARN("dataplane %s: %s: %s", n->cfg.dp_sock, relais_ctl_type_name(m->type),
			strerror(-rc));
		close(n->dp_fd);
		n->dp_fd = -1;
		return rc;
	}
	return r->status;
}

/* DUMP one kind into a sorted list (ids of rooms have cookie 0). 0/-errno. */
static int dump(struct cp_node *n, uint8_t kind, struct objs *o)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_DUMP};
	struct relais_ctl_reply r;
	uint32_t cursor = 0;
	int rc;

	o->n = 0;
	do {
		m.u.dump.kind = kind;
		m.u.dump.cursor = cursor;
		rc = ctl(n, &m, &r);
		if (rc < 0)
			return rc;
		for (int i = 0; i < r.u.dump.count; i++)
			if (objs_push(o, r.u.dump.rec[i].id, r.u.dump.rec[i].parent,
				      r.u.dump.rec[i].cookie, NULL) < 0)
				return -ENOMEM;
		cursor = r.u.dump.next_cursor;
	} while (cursor != 0);
	if (o->n)
		qsort(o->v, o->n, sizeof(*o->v), obj_cmp);
	return 0;
}

/* Desired objects of the cache by kind (0 rooms, 1 parts, 2 tracks, 3 subs),
 * sorted by id; parent is the room of every non-room object. 0/-ENOMEM. */
static int desired(const struct cp_node *n, struct objs d[4])
{
	int rc = 0;

	for (int i = 0; i < n->n_rooms && rc == 0; i++) {
		const struct cp_droom *r = &n->rooms[i];

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

static const uint16_t del_type[4] = {RELAIS_CTL_ROOM_DEL, RELAIS_CTL_PART_DEL, RELAIS_CTL_TRACK_DEL,
				     RELAIS_CTL_SUB_DEL};

/* Whether actual track/sub i of kind k goes away with its participant,
 * which is itself stale (not desired with the same cookie): the dataplane
 * cascades PART_DEL to them, so one call removes them all. */
static bool with_stale_part(const struct objs a[4], const struct objs d[4], int k, size_t i)
{
	const struct obj *p = objs_find(&a[1], a[k].v[i].parent);
	const struct obj *w = p ? objs_find(&d[1], p->id) : NULL;

	return p != NULL && (w == NULL || w->cookie != p->cookie);
}

/* Delete every actual object that is not desired with the same cookie:
 * subs, tracks, participants, then (empty) rooms; children of a stale
 * participant go with it (measured: cheaper than ROOM_DEL's cascade on this
 * dataplane). Returns how many deletes were sent, or -errno
 * (transport). */
static int delete_stale(struct cp_node *n, struct objs a[4], const struct objs d[4])
{
	static const int order[4] = {3, 2, 1, 0};
	struct relais_ctl_msg m;
	struct relais_ctl_reply r;
	int sent = 0;

	for (int o = 0; o < 4; o++) {
		int k = order[o];

		for (size_t i = 0; i < a[k].n; i++) {
			const struct obj *w = objs_find(&d[k], a[k].v[i].id);
			int rc;

			if ((w && w->cookie == a[k].v[i].cookie) ||
			    (k > 1 && with_stale_part(a, d, k, i)))
				continue;
			memset(&m, 0, sizeof(m));
			m.type = del_type[k];
			if (k == 0)
				m.u.room.room_id = a[k].v[i].id;
			else
				m.u.id.id = a[k].v[i].id;
			rc = ctl(n, &m, &r);
			if (n->dp_fd < 0)
				return -ENOTCONN;
			if (rc < 0 && rc != -ENOENT)
				CP_WARN("%s %u refused: %s", relais_ctl_type_name(m.type),
					a[k].v[i].id, r.error);
			sent++;
		}
	}
	return sent;
}

/* Build the add request for desired object w of kind k into m; for parts
 * the keys are unwrapped here, right before sending. 0/-errno. */
static int add_msg(struct cp_node *n, int k, const struct obj *w, struct relais_ctl_msg *m)
{
	memset(m, 0, sizeof(*m));
	switch (k) {
	case 0:
		m->type = RELAIS_CTL_ROOM_ADD;
		m->u.room.room_id = w->id;
		return 0;
	case 1:
		m->type = RELAIS_CTL_PART_ADD;
		return cp_part_keys(&n->dcfg, w->d, &m->u.part);
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
static bool publishes(const struct cp_node *n, uint32_t room, uint32_t part)
{
	const struct cp_droom *r = cp_room_find(n, room);

	for (int j = 0; r && j < r->n_tracks; j++)
		if (r->tracks[j].part_id == part)
			return true;
	return false;
}

/* PART_REKEY one changed participant (a[1].v[i] -> w). 0 or -ENOTCONN. */
static int rekey_one(struct cp_node *n, struct obj *cur, const struct obj *w)
{
	struct relais_ctl_msg m;
	struct relais_ctl_reply r;
	int rc;

	if (add_msg(n, 1, w, &m) < 0) {
		OPENSSL_cleanse(&m, sizeof(m));
		return 0; /* keys do not unwrap: add_missing logs it */
	}
	m.type = RELAIS_CTL_PART_REKEY;
	rc = ctl(n, &m, &r);
	OPENSSL_cleanse(&m, sizeof(m));
	if (n->dp_fd < 0)
		return -ENOTCONN;
	if (rc == 0) {
		cur->cookie = w->cookie; /* no longer stale */
		n->applied++;
		CP_INFO("participant %u re-keyed in place", w->id);
	}
	return 0;
}

/* Participants whose content changed but whose room is the same are first
 * offered PART_REKEY: the dataplane keeps them (and their tracks, subs and
 * every stream's rollover counter) when only keys, cookie or epoch changed,
 * and refuses when the address or a profile changed, which the delete path
 * then handles by replacing the participant. Receivers go first and
 * publishers last: while a room is re-keyed (after a move, say), a packet
 * under a publisher's new key is either refused at ingress (srtp_auth) or
 * forwarded under the subscribers' new keys, never under keys they no
 * longer hold. Returns 0 or -ENOTCONN. */
static int rekey_changed(struct cp_node *n, struct objs a[4], const struct objs d[4])
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < a[1].n; i++) {
			const struct obj *w = objs_find(&d[1], a[1].v[i].id);

			if (w == NULL || w->cookie == a[1].v[i].cookie ||
			    w->parent != a[1].v[i].parent ||
			    publishes(n, w->parent, w->id) != (pass == 1))
				continue;
			if (rekey_one(n, &a[1].v[i], w) < 0)
				return -ENOTCONN;
		}
	return 0;
}

/* Log, count and record (in its room, for the backend) a desired object of
 * kind k that could not be added: why is the reason's prefix, detail the
 * rest. */
static void refuse_add(struct cp_node *n, int k, const struct obj *w, const char *why,
		       const char *detail)
{
	static const char *const what[4] = {"room", "part", "track", "sub"};
	struct cp_droom *room = cp_room_find(n, k == 0 ? w->id : w->parent);
	char obj[24], msg[sizeof(((struct cp_refusal *)0)->why)];

	n->refused++;
	snprintf(obj, sizeof(obj), "%s:%u", what[k], w->id);
	snprintf(msg, sizeof(msg), "%s: %s", why, detail);
	if (k == 0)
		CP_WARN("refusing room relais:{room:%u}: %s", w->id, msg);
	else
		CP_WARN("refusing relais:{room:%u}:%s: %s", w->parent, obj, msg);
	if (room)
		cp_room_refuse(room, k == 0 ? "room" : obj, true, msg);
}

/* Add, rooms first, every desired object the dataplane lacks. Refusals are
 * logged with the object's key, counted and recorded in the room. 0 or
 * -errno (transport). */
static int add_missing(struct cp_node *n, const struct objs a[4], const struct objs d[4])
{
	struct relais_ctl_msg m;
	struct relais_ctl_reply r;

	for (int k = 0; k < 4; k++)
		for (size_t i = 0; i < d[k].n; i++) {
			const struct obj *w = &d[k].v[i];
			int rc;

			if (objs_find(&a[k], w->id))
				continue;
			rc = add_msg(n, k, w, &m);
			if (rc < 0) {
				OPENSSL_cleanse(&m, sizeof(m));
				refuse_add(n, k, w, "keys do not unwrap any more", strerror(-rc));
				continue;
			}
			rc = ctl(n, &m, &r);
			OPENSSL_cleanse(&m, sizeof(m));
			if (n->dp_fd < 0)
				return -ENOTCONN;
			if (rc < 0)
				refuse_add(n, k, w, "dataplane refused", r.error);
			else
				n->applied++;
		}
	return 0;
}

_Static_assert(CP_SCRIPT_MAX_ARGS >= 6 + 2 * CP_REFUSALS_KEPT, "an ack's arguments must fit");

/* An ack in flight: which room, at which epoch, with which status. */
struct cp_ack {
	struct cp_node *n;
	uint32_t room;
	uint64_t epoch, sig;
};

/* Reply to an ack: Redis now holds this status of the room (if still
 * cached at that epoch); a refusal (FENCED) means it moved: a full reload
 * is scheduled. */
static void on_ack(struct cp_link *l, redisReply *rep, void *priv)
{
	struct cp_ack *a = priv;
	struct cp_node *n = a->n;
	struct cp_droom *r = cp_room_find(n, a->room);

	(void)l;
	if (rep && r && r->epoch == a->epoch) {
		r->ack_sent = false;
		if (rep->type == REDIS_REPLY_ERROR) {
			CP_WARN("room %u: %s", r->id, rep->str);
			n->next_reconcile = 0;
		} else {
			if (r->served_sig == 0)
				CP_INFO("serving room %u epoch %llu", r->id,
					(unsigned long long)r->epoch);
			r->served_sig = a->sig;
		}
	}
	free(a);
}

/* Send the ack of room r (docs/schema.md "ack"): node, token, room, epoch,
 * status signature, refused count, the last event id the load covered,
 * then (object, reason) for each kept refusal. 0 or -errno. */
static int send_ack(struct cp_node *n, struct cp_droom *r, uint64_t sig)
{
	char room[16], epoch[24], sigs[24], refused[16];
	const char *argv[7 + 2 * CP_REFUSALS_KEPT] = {
	    n->cfg.node, n->token, room, epoch, sigs, refused, r->seen[0] ? r->seen : "0-0"};
	int argc = 7;
	struct cp_ack *a = malloc(sizeof(*a));

	if (a == NULL)
		return -ENOMEM;
	*a = (struct cp_ack){n, r->id, r->epoch, sig};
	snprintf(room, sizeof(room), "%u", r->id);
	snprintf(epoch, sizeof(epoch), "%llu", (unsigned long long)r->epoch);
	snprintf(sigs, sizeof(sigs), "%llu", (unsigned long long)sig);
	snprintf(refused, sizeof(refused), "%u", r->n_refused);
	for (int i = 0; i < r->n_kept; i++) {
		argv[argc++] = r->refusals[i].obj;
		argv[argc++] = r->refusals[i].why;
	}
	if (cp_session_script(n, CP_SC_ACK, argc, argv, on_ack, a) < 0) {
		free(a);
		return -EIO;
	}
	return 0;
}

/* Ack (fenced write, docs/schema.md "ack") every room whose status in
 * Redis is not the current one (a new epoch, refusals that changed) or
 * that was reloaded for an event, asynchronously on the command link. */
static void ack_rooms(struct cp_node *n)
{
	if (!cp_session_up(n) || !n->registered)
		return;
	for (int i = 0; i < n->n_rooms; i++) {
		struct cp_droom *r = &n->rooms[i];
		uint64_t sig = cp_room_status_sig(r);

		if (r->ack_sent || (sig == r->served_sig && !r->ack_due))
			continue;
		if (send_ack(n, r, sig) < 0)
			return;
		r->ack_sent = true;
		r->ack_due = false;
	}
}

/* See header. */
int cp_apply(struct cp_node *n)
{
	struct objs a[4] = {{0}}, d[4] = {{0}};
	static const uint8_t kinds[4] = {RELAIS_DUMP_ROOMS, RELAIS_DUMP_PARTS, RELAIS_DUMP_TRACKS,
					 RELAIS_DUMP_SUBS};
	int rc;

	if (!n->have_desired || n->dp_fd < 0)
		return 0; /* never empty a dataplane before Redis was read */
	for (int i = 0; i < n->n_rooms; i++)
		cp_room_clear_apply_refusals(&n->rooms[i]);
	rc = desired(n, d);
	for (int k = 0; k < 4 && rc == 0; k++)
		rc = dump(n, kinds[k], &a[k]);
	if (rc == 0)
		rc = rekey_changed(n, a, d);
	if (rc == 0)
		rc = delete_stale(n, a, d);
	/* Deleting a participant or track cascades on the dataplane: dump
	 * again rather than guess what went with it. */
	for (int k = 0; k < 4 && rc > 0; k++)
		if (dump(n, kinds[k], &a[k]) < 0)
			rc = -ENOTCONN;
	if (rc >= 0)
		rc = add_missing(n, a, d);
	if (rc == 0)
		ack_rooms(n);
	for (int k = 0; k < 4; k++) {
		free(a[k].v);
		free(d[k].v);
	}
	return rc;
}

/* See header. */
uint32_t cp_load(const struct cp_node *n)
{
	uint32_t load = 0;

	for (int i = 0; i < n->n_rooms; i++)
		load += (uint32_t)n->rooms[i].n_parts;
	return load;
}

/* See header. */
void cp_forget_all(struct cp_node *n)
{
	for (int i = 0; i < n->n_rooms; i++)
		cp_room_free(&n->rooms[i]);
	n->n_rooms = 0;
}
