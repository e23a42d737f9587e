/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loader's side of the event stream (docs/schema.md "Events"): one
 * XREADGROUP in flight on the session's event link (group node:<id>), its
 * entries noted as dirty rooms for the next load, and the XACK of entries
 * once their rooms were applied. See cp_events.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_events.h"
#include "cp_rbound.h"
#include "cp_redis.h"
#include "cp_util.h"

/* Entries per XREADGROUP: the entries array is an array inside the reply's
 * array, so it must fit the reply bounds' nested limit. */
#define EVT_COUNT 100
#define EVT_STR_(x) #x
#define EVT_STR(x) EVT_STR_(x)
_Static_assert(EVT_COUNT <= CP_REPLY_NESTED_MAX, "XREADGROUP COUNT over the nested reply bound");

/* Value of field f in a stream entry's field list (checked by
 * entry_refusal), or NULL. */
static const char *entry_field(const redisReply *fv, const char *f)
{
	for (size_t i = 0; i + 1 < fv->elements; i += 2)
		if (strcmp(fv->element[i]->str, f) == 0)
			return fv->element[i + 1]->str;
	return NULL;
}

/* Whether an event of this type is a node's report to backends (served,
 * error): it changes no desired state, so no node reloads for it. */
static bool is_report(const char *type)
{
	return type && (strcmp(type, "served") == 0 || strcmp(type, "error") == 0);
}

/* Why the field list of a stream entry is refused, or NULL: an even
 * number of plain strings (each within the reply bounds, cp_rbound.h, so
 * an entry is at most CP_REPLY_NESTED_MAX strings of CP_REPLY_STR_MAX
 * bytes), or nil for an entry trimmed away since it was delivered. */
static const char *entry_refusal(const redisReply *fv, char *why, size_t n)
{
	const char *big = cp_reply_refusal(fv);

	if (big || fv->type == REDIS_REPLY_NIL)
		return big;
	if (fv->type != REDIS_REPLY_ARRAY || fv->elements % 2 != 0)
		return "fields: not a list of field, value pairs";
	for (size_t i = 0; i < fv->elements; i++) {
		if ((big = cp_reply_refusal(fv->element[i])) != NULL) {
			snprintf(why, n, "element %zu: %s", i, big);
			return why;
		}
		if (cp_reply_str(fv->element[i]) == NULL)
			return "fields: an element is not a plain string";
	}
	return NULL;
}

/* Note one entry [id, fields]: its room (0 for a report, a trimmed or a
 * refused entry: nothing to reload, still acknowledged). A refusal is
 * logged with the entry id. 0, or -ENOMEM (overflow set). */
static int note_entry(struct cp_events *ev, const redisReply *e)
{
	const char *id, *room = NULL, *bad;
	char why[96], esc[4 * 48];
	uint32_t room_id = 0;

	if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
	    (id = cp_reply_str(e->element[0])) == NULL || strlen(id) >= sizeof(ev->read_cursor))
		return 0; /* no entry id Redis would make: nothing to ack */
	bad = entry_refusal(e->element[1], why, sizeof(why));
	if (bad) {
		cp_escape(id, esc, sizeof(esc));
		CP_WARN("refusing event %s of " CP_DIR
			"events: %s (acknowledged, nothing reloaded)",
			esc, bad);
		ev->refused++;
	} else if (e->element[1]->type == REDIS_REPLY_ARRAY &&
		   !is_report(entry_field(e->element[1], "type"))) {
		room = entry_field(e->element[1], "room");
	}
	if (room == NULL || cp_parse_u32(room, &room_id) < 0)
		room_id = 0;
	if (cp_dirty_add(&ev->dirty, room_id, id) < 0)
		ev->overflow = true;
	if (ev->read_pending)
		snprintf(ev->read_cursor, sizeof(ev->read_cursor), "%s", id);
	return 0;
}

/* Note the rooms of one XREADGROUP reply's entries (and their ids, acked
 * once applied). Returns the number of entries. */
static size_t note_entries(struct cp_events *ev, const redisReply *entries)
{
	if (entries->type != REDIS_REPLY_ARRAY)
		return 0;
	for (size_t i = 0; i < entries->elements; i++)
		note_entry(ev, entries->element[i]);
	ev->seen += entries->elements;
	return entries->elements;
}

/* XREADGROUP reply: entries are noted for the next load; a missing group
 * (Redis lost its data) is flagged for the node, which registers again. */
static void on_events(struct cp_link *l, redisReply *r, void *priv)
{
	struct cp_events *ev = priv;

	(void)l;
	ev->inflight = false;
	if (r == NULL)
		return;
	if (r->type == REDIS_REPLY_ERROR) {
		CP_WARN("events: %s", r->str);
		if (strncmp(r->str, "NOGROUP", 7) == 0)
			ev->group_lost = true;
	} else if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
		   r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2) {
		if (note_entries(ev, r->element[0]->element[1]) == 0)
			ev->read_pending = false;
	} else if (ev->read_pending) {
		ev->read_pending = false;
	}
}

/* See header: first the entries delivered but never acknowledged (after a
 * (re)connect), from the cursor on, then new ones, blocking up to
 * CP_EVT_BLOCK_MS. */
void cp_events_read(struct cp_events *ev)
{
	char grp[48], blk[16];
	const char *argv[] = {"XREADGROUP",
			      "GROUP",
			      grp,
			      "cp",
			      "COUNT",
			      EVT_STR(EVT_COUNT),
			      "BLOCK",
			      blk,
			      "STREAMS",
			      CP_DIR "events",
			      ev->read_pending ? ev->read_cursor : ">"};

	if (ev->inflight || !cp_session_up(ev->sess))
		return;
	snprintf(grp, sizeof(grp), "node:%s", ev->node);
	snprintf(blk, sizeof(blk), "%d", CP_EVT_BLOCK_MS);
	if (cp_link_argv(&ev->sess->evt, on_events, ev, 11, argv) == 0)
		ev->inflight = true;
}

/* See header. */
void cp_events_ack(struct cp_events *ev)
{
	struct cp_dirty *d = &ev->acks_due;
	char grp[48];
	int i = 0;

	snprintf(grp, sizeof(grp), "node:%s", ev->node);
	while (i < d->n_ids) {
		const char *argv[3 + 100] = {"XACK", CP_DIR "events", grp};
		int k = 3;

		for (; i < d->n_ids && k < 3 + 100; i++)
			argv[k++] = d->ids[i];
		cp_link_argv(&ev->sess->cmd, NULL, NULL, k, argv);
	}
	cp_dirty_clear(d);
}

/* See header. */
void cp_events_init(struct cp_events *ev, const char *node, struct cp_session *sess)
{
	memset(ev, 0, sizeof(*ev));
	ev->node = node;
	ev->sess = sess;
}

/* See header. */
void cp_events_fini(struct cp_events *ev)
{
	cp_dirty_clear(&ev->dirty);
	cp_dirty_clear(&ev->acks_due);
}

/* See header. */
void cp_events_registered(struct cp_events *ev)
{
	ev->read_pending = true;
	strcpy(ev->read_cursor, "0");
}

/* See header. */
void cp_events_session_down(struct cp_events *ev)
{
	cp_dirty_clear(&ev->dirty);
	ev->inflight = false;
}

/* See header. */
int cp_dirty_add(struct cp_dirty *d, uint32_t room, const char *entry_id)
{
	char *id;

	/* Bursts name the same room in a row; other repeats only cost a
	 * second read of the room in the same batch. */
	if (room != 0 && (d->n_rooms == 0 || d->rooms[d->n_rooms - 1] != room)) {
		if (cp_grow((void **)&d->rooms, &d->cap_rooms, d->n_rooms, sizeof(*d->rooms)) < 0)
			return -ENOMEM;
		d->rooms[d->n_rooms++] = room;
	}
	if (entry_id == NULL)
		return 0;
	if (cp_grow((void **)&d->ids, &d->cap_ids, d->n_ids, sizeof(*d->ids)) < 0 ||
	    (id = strdup(entry_id)) == NULL)
		return -ENOMEM;
	d->ids[d->n_ids++] = id;
	return 0;
}

/* See header. */
void cp_dirty_clear(struct cp_dirty *d)
{
	for (int i = 0; i < d->n_ids; i++)
		free(d->ids[i]);
	free(d->ids);
	free(d->rooms);
	memset(d, 0, sizeof(*d));
}
