/* SPDX-License-Identifier: BSD-3-Clause */
/* The desired-state cache of a node: which rooms it owns (directory) and
 * their content (room slots), reloaded whole or room by room. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_node.h"
#include "cp_util.h"

/* Owner and epoch of a room from an HMGET owner epoch served_epoch reply:
 * 1 when this node owns it (epoch, acked set), 0 otherwise. */
static int owned(const struct cp_node *n, const redisReply *h, uint64_t *epoch, bool *acked)
{
	if (h->type != REDIS_REPLY_ARRAY || h->elements != 3 || h->element[0]->str == NULL ||
	    strcmp(h->element[0]->str, n->cfg.node) != 0)
		return 0;
	if (cp_parse_u64(h->element[1]->str, UINT64_MAX, epoch) < 0)
		return 0;
	*acked = h->element[2]->str && strcmp(h->element[2]->str, h->element[1]->str) == 0;
	return 1;
}

static int room_cmp(const void *a, const void *b)
{
	const struct cp_droom *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Load owned room id into slot r. 0 (loaded), 1 (not ours or refused) or
 * -EIO. */
static int load_one(struct cp_node *n, uint32_t id, struct cp_droom *r)
{
	redisReply *h = redisCommand(n->rc, "HMGET " CP_DIR "room:%u owner epoch served_epoch", id);
	uint64_t epoch = 0;
	bool acked = false;
	int rc;

	if (h == NULL)
		return -EIO;
	rc = owned(n, h, &epoch, &acked);
	freeReplyObject(h);
	if (rc == 0)
		return 1;
	rc = cp_room_load(n->rc, &n->dcfg, id, epoch, r);
	if (rc == -E2BIG)
		return 1;
	if (rc < 0)
		return -EIO;
	r->acked = acked;
	return 0;
}

/* See header. */
int cp_refresh_all(struct cp_node *n)
{
	redisReply *s = redisCommand(n->rc, "SMEMBERS " CP_DIR "noderooms:%s", n->cfg.node);
	struct cp_droom *v;
	int m = 0, rc = 0, cap;

	if (s == NULL || s->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(s);
		return -EIO;
	}
	cap = (int)s->elements + 1;
	v = calloc((size_t)cap, sizeof(*v));
	if (v == NULL) {
		freeReplyObject(s);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->elements && rc >= 0; i++) {
		uint32_t id;

		if (cp_parse_u32(s->element[i]->str, &id) < 0 || id == 0) {
			CP_WARN("refusing room '%s' in " CP_DIR "noderooms:%s: not a room id",
				s->element[i]->str, n->cfg.node);
			continue;
		}
		rc = load_one(n, id, &v[m]);
		if (rc == 0)
			m++;
	}
	freeReplyObject(s);
	if (rc < 0) {
		for (int i = 0; i < m; i++)
			cp_room_free(&v[i]);
		free(v);
		return rc;
	}
	if (m > 0)
		qsort(v, (size_t)m, sizeof(*v), room_cmp);
	cp_forget_all(n);
	free(n->rooms);
	n->rooms = v;
	n->n_rooms = m;
	n->cap_rooms = cap;
	n->have_desired = true;
	return 0;
}

/* Remove cache slot i. */
static void drop_slot(struct cp_node *n, int i)
{
	cp_room_free(&n->rooms[i]);
	memmove(&n->rooms[i], &n->rooms[i + 1], sizeof(*n->rooms) * (size_t)(n->n_rooms - i - 1));
	n->n_rooms--;
}

/* See header. */
int cp_refresh_room(struct cp_node *n, uint32_t room)
{
	struct cp_droom key = {.id = room}, r;
	struct cp_droom *cur =
	    n->n_rooms ? bsearch(&key, n->rooms, (size_t)n->n_rooms, sizeof(key), room_cmp) : NULL;
	int rc = load_one(n, room, &r);

	if (rc < 0)
		return rc;
	if (rc == 1) {
		if (cur)
			drop_slot(n, (int)(cur - n->rooms));
		return 0;
	}
	if (cur) {
		cp_room_free(cur);
		*cur = r;
		return 0;
	}
	if (n->n_rooms == n->cap_rooms) {
		int cap = n->cap_rooms ? n->cap_rooms * 2 : 16;
		struct cp_droom *v = realloc(n->rooms, sizeof(*v) * (size_t)cap);

		if (v == NULL) {
			cp_room_free(&r);
			return -ENOMEM;
		}
		n->rooms = v;
		n->cap_rooms = cap;
	}
	n->rooms[n->n_rooms++] = r;
	if (n->n_rooms > 0)
		qsort(n->rooms, (size_t)n->n_rooms, sizeof(*n->rooms), room_cmp);
	return 0;
}
