/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * WHEP viewers follow the room's publishers (edge_session.h): a viewer
 * offers a fixed set of receive-only m-sections (say 4 audio and 4
 * video), and relais fills each free one with a publisher track of its
 * kind that the viewer does not see yet, as publishers join, and frees it
 * when its publisher leaves. WHEP has no server-initiated renegotiation,
 * so the set stays fixed: the SSRC relais announced for an m-section
 * stays, only the track behind it changes (the dataplane keeps the output
 * numbering of a (participant, SSRC) across the change).
 */
#include <stdio.h>
#include <string.h>

#include "cp_util.h"
#include "edge_session.h"

/* The payload type watcher slot w uses for codec id, or -1. */
static int slot_pt(const struct edge_slot *w, enum edge_sdp_codec_id id)
{
	for (unsigned i = 0; i < w->n_codecs; i++)
		if (w->codecs[i].id == id)
			return w->codecs[i].pt;
	return -1;
}

/* Whether watcher s shows track t in one of its m-sections. */
static bool shows(const struct edge_session *s, uint32_t t)
{
	for (unsigned i = 0; i < s->n_slots; i++)
		if (s->slots[i].track == t)
			return true;
	return false;
}

/* Whether track t (participant * 16 + m-section) still has its joined
 * publisher. */
static bool track_alive(struct edge_node *n, uint32_t room, uint32_t t)
{
	struct edge_session *p = edge_node_by_part(n, t / 16);

	return p != NULL && p->joined && p->room == room && p->role == EDGE_SDP_ROLE_PUBLISH &&
	       t % 16 < p->n_slots && p->slots[t % 16].accepted;
}

/* Whether id names another extension than e in some m-section of w: one
 * BUNDLE transport needs one meaning per id (RFC 8843 §9.2), which some
 * stacks (aiortc 1.4: audio-level and abs-send-time both id 2) break; such
 * an id is never sent to w. */
static bool ambiguous(const struct edge_session *w, unsigned e, unsigned id)
{
	for (unsigned i = 0; i < w->n_slots; i++)
		for (unsigned k = 0; k < EDGE_SDP_EXT_MAX; k++)
			if (k != e && w->slots[i].accepted && w->slots[i].ext_id[k] == id)
				return true;
	return false;
}

/* Whether extension e is forwarded to a watcher at all. Not the ones
 * naming the publisher's m-section or stream: a browser demultiplexes a
 * BUNDLE by MID before SSRC (RFC 8843 §9.2), so the publisher's mid "1"
 * would land in the watcher's m-section "1" (Chromium drops it there, or
 * plays it in the wrong element); without them the watcher routes by the
 * SSRC relais announced for each m-section. */
static bool forwarded(unsigned e)
{
	return e != EDGE_SDP_EXT_MID && e != EDGE_SDP_EXT_RID && e != EDGE_SDP_EXT_REPAIRED_RID;
}

/* The header extension map from publisher slot ps to slot ws of watcher
 * w: "in:out" for each forwarded extension both negotiated with ids 1..14
 * (the one-byte form's) and unambiguous at w; the dataplane blanks every
 * other element. */
static void ext_map(const struct edge_slot *ps, const struct edge_session *w,
		    const struct edge_slot *ws, char *out, size_t n)
{
	int o = 0;

	out[0] = '\0';
	for (unsigned e = 0; e < EDGE_SDP_EXT_MAX && o < (int)n; e++) {
		unsigned in = ps->ext_id[e], to = ws->ext_id[e];

		if (forwarded(e) && in >= 1 && in <= 14 && to >= 1 && to <= 14 &&
		    !ambiguous(w, e, to))
			o += snprintf(out + o, n - (size_t)o, "%s%u:%u", o ? "," : "", in, to);
	}
}

/* A publisher track of room for watcher slot ws of watcher w, with the
 * subscription's payload type map and extension map in sub; 0 when
 * none. */
static uint32_t pick(struct edge_node *n, const struct edge_session *w, const struct edge_slot *ws,
		     struct edge_join_sub *sub)
{
	char *map = sub->pt_map;
	size_t mn = sizeof(sub->pt_map);

	for (unsigned i = 0; i < n->cap; i++) {
		const struct edge_session *p = &n->s[i];

		if (!p->used || !p->joined || p->room != w->room ||
		    p->role != EDGE_SDP_ROLE_PUBLISH)
			continue;
		for (unsigned k = 0; k < p->n_slots; k++) {
			const struct edge_slot *ps = &p->slots[k];
			uint32_t t = p->part * 16 + k;
			int pt;

			if (!ps->accepted || ps->kind != ws->kind || ps->n_codecs == 0 ||
			    shows(w, t))
				continue;
			pt = slot_pt(ws, ps->codecs[0].id);
			if (pt < 0)
				continue;
			map[0] = '\0';
			if (pt != ps->codecs[0].pt)
				snprintf(map, mn, "%u:%d", ps->codecs[0].pt, pt);
			ext_map(ps, w, ws, sub->ext_map, sizeof(sub->ext_map));
			return t;
		}
	}
	return 0;
}

/* Fill the free slots of watcher w; each new subscription is handed to
 * put (into a join, or written at once). */
static void fill(struct edge_node *n, struct edge_session *w,
		 void (*put)(struct edge_node *, struct edge_session *,
			     const struct edge_join_sub *, void *),
		 void *arg)
{
	for (unsigned i = 0; i < w->n_slots; i++) {
		struct edge_slot *ws = &w->slots[i];
		struct edge_join_sub sub = {.id = w->part * 16 + i, .out_ssrc = ws->ssrc};

		if (!ws->accepted || ws->track != 0)
			continue;
		sub.track = pick(n, w, ws, &sub);
		if (sub.track == 0)
			continue;
		ws->track = sub.track;
		put(n, w, &sub, arg);
	}
}

/* put for a join: the subscription goes into the join record. */
static void into_join(struct edge_node *n, struct edge_session *w, const struct edge_join_sub *s,
		      void *arg)
{
	struct edge_join *j = arg;

	(void)n;
	(void)w;
	if (j->n_subs < EDGE_JOIN_MAX_SUBS)
		j->subs[j->n_subs++] = *s;
}

/* put for a running watcher: the subscription is written at once. */
static void into_redis(struct edge_node *n, struct edge_session *w, const struct edge_join_sub *s,
		       void *arg)
{
	(void)arg;
	if (edge_rooms_sub_set(&n->rooms, w->room, w->part, s) < 0) {
		CP_LOG(CP_LOG_WARN, "participant %u: cannot write subscription %u", w->part, s->id);
		n->stats[EDGE_STAT_subscription_failed]++;
	}
}

/* See edge_session.h. */
void edge_node_fill_one(struct edge_node *n, struct edge_session *w, struct edge_join *j)
{
	fill(n, w, into_join, j);
}

/* See edge_session.h. A slot whose publisher left is free again (its
 * subscription went with the publisher: relaisctl's part del cascades). */
void edge_node_fill_watchers(struct edge_node *n, uint32_t room)
{
	for (unsigned i = 0; i < n->cap; i++) {
		struct edge_session *w = &n->s[i];

		if (!w->used || !w->joined || w->room != room || w->role != EDGE_SDP_ROLE_SUBSCRIBE)
			continue;
		for (unsigned k = 0; k < w->n_slots; k++)
			if (w->slots[k].track && !track_alive(n, room, w->slots[k].track))
				w->slots[k].track = 0;
		fill(n, w, into_redis, NULL);
	}
}
