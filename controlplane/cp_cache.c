/* SPDX-License-Identifier: BSD-3-Clause */
/* The desired-state cache; see cp_cache.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp_cache.h"
#include "cp_util.h"

/* qsort/bsearch order of rooms: by id. */
static int room_cmp(const void *a, const void *b)
{
	const struct cp_droom *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* See header. */
struct cp_droom *cp_cache_find(const struct cp_cache *c, uint32_t id)
{
	const struct cp_droom key = {.id = id};

	return c->n ? bsearch(&key, c->rooms, (size_t)c->n, sizeof(key), room_cmp) : NULL;
}

/* See header. */
void cp_cache_replace(struct cp_cache *c, struct cp_droom *v, int n, int cap)
{
	if (n > 0)
		qsort(v, (size_t)n, sizeof(*v), room_cmp);
	cp_cache_free(c);
	c->rooms = v;
	c->n = n;
	c->cap = cap;
}

/* Remove the cached room cur (freed), keeping the order. */
static void drop_slot(struct cp_cache *c, struct cp_droom *cur)
{
	cp_room_free(cur);
	memmove(cur, cur + 1, sizeof(*cur) * (size_t)(c->rooms + c->n - cur - 1));
	c->n--;
}

/* See header. */
int cp_cache_put(struct cp_cache *c, uint32_t id, struct cp_droom *r)
{
	struct cp_droom *cur = cp_cache_find(c, id);

	if (r == NULL) {
		if (cur)
			drop_slot(c, cur);
		return 0;
	}
	if (cur) {
		cp_room_free(cur);
		*cur = *r;
	} else {
		if (cp_grow((void **)&c->rooms, &c->cap, c->n, sizeof(*c->rooms)) < 0)
			return -ENOMEM;
		c->rooms[c->n++] = *r;
		qsort(c->rooms, (size_t)c->n, sizeof(*c->rooms), room_cmp);
	}
	memset(r, 0, sizeof(*r)); /* moved into the cache */
	return 0;
}

/* See header. */
void cp_cache_clear(struct cp_cache *c)
{
	for (int i = 0; i < c->n; i++)
		cp_room_free(&c->rooms[i]);
	c->n = 0;
}

/* See header. */
void cp_cache_free(struct cp_cache *c)
{
	cp_cache_clear(c);
	free(c->rooms);
	c->rooms = NULL;
	c->cap = 0;
}

/* See header. */
uint32_t cp_cache_load(const struct cp_cache *c)
{
	uint32_t load = 0;

	for (int i = 0; i < c->n; i++)
		load += (uint32_t)c->rooms[i].n_parts;
	return load;
}
