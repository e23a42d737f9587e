/* SPDX-License-Identifier: BSD-3-Clause */
/* What the node serves, written back to Redis: the fenced ack of each room
 * (docs/schema.md "ack", "Errors and served"). See cp_loader.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cp_loader.h"
#include "cp_util.h"

_Static_assert(CP_SCRIPT_MAX_ARGS >= 6 + 2 * CP_REFUSALS_KEPT, "an ack's arguments must fit");

/* An ack in flight: which room, at which epoch, with which status. */
struct cp_ack {
	struct cp_loader *ld;
	uint32_t room;
	uint64_t epoch, sig;
};

/* Reply to an ack: Redis now holds this status of the room (if still
 * cached at that epoch); a refusal (FENCED) means it moved: a full reload
 * is scheduled. */
static void on_ack(struct cp_link *l, redisReply *rep, void *priv)
{
	struct cp_ack *a = priv;
	struct cp_droom *r = cp_cache_find(a->ld->cache, a->room);

	(void)l;
	if (rep && r && r->epoch == a->epoch) {
		r->ack_sent = false;
		if (rep->type == REDIS_REPLY_ERROR) {
			CP_WARN("room %u: %s", r->id, rep->str);
			a->ld->next_full = 0;
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
static int send_ack(struct cp_loader *ld, const char *token, struct cp_droom *r, uint64_t sig)
{
	char room[16], epoch[24], sigs[24], refused[16];
	const char *argv[7 + 2 * CP_REFUSALS_KEPT] = {
	    ld->node, token, room, epoch, sigs, refused, r->seen[0] ? r->seen : "0-0"};
	int argc = 7;
	struct cp_ack *a = malloc(sizeof(*a));

	if (a == NULL)
		return -ENOMEM;
	*a = (struct cp_ack){ld, r->id, r->epoch, sig};
	snprintf(room, sizeof(room), "%u", r->id);
	snprintf(epoch, sizeof(epoch), "%llu", (unsigned long long)r->epoch);
	snprintf(sigs, sizeof(sigs), "%llu", (unsigned long long)sig);
	snprintf(refused, sizeof(refused), "%u", r->n_refused);
	for (int i = 0; i < r->n_kept; i++) {
		argv[argc++] = r->refusals[i].obj;
		argv[argc++] = r->refusals[i].why;
	}
	if (cp_session_script(ld->sess, CP_SC_ACK, argc, argv, on_ack, a) < 0) {
		free(a);
		return -EIO;
	}
	return 0;
}

/* See header. */
void cp_ack_rooms(struct cp_loader *ld, const char *token)
{
	if (!cp_session_up(ld->sess))
		return;
	for (int i = 0; i < ld->cache->n; i++) {
		struct cp_droom *r = &ld->cache->rooms[i];
		uint64_t sig = cp_room_status_sig(r);

		if (r->ack_sent || (sig == r->served_sig && !r->ack_due))
			continue;
		if (send_ack(ld, token, r, sig) < 0)
			return;
		r->ack_sent = true;
		r->ack_due = false;
	}
}
