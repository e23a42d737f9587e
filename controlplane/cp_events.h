/* SPDX-License-Identifier: BSD-3-Clause */
/* The node's reading of the event stream (docs/schema.md "Events"): one
 * XREADGROUP in flight on the session's event link (group node:<id>), its
 * entries noted as dirty rooms for the next load (cp_loader.h takes them),
 * and the XACK of entries once their rooms were applied. Reply callbacks
 * only record; the owner reads group_lost and overflow at top level. */
#ifndef CP_EVENTS_H
#define CP_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_session.h"

/* Rooms named by events, and the stream entry ids to XACK once they are
 * applied. */
struct cp_dirty {
	uint32_t *rooms;
	int n_rooms, cap_rooms;
	char **ids;
	int n_ids, cap_ids;
};

struct cp_events {
	const char *node;
	struct cp_session *sess;
	struct cp_dirty dirty;    /* noted since the current load started */
	struct cp_dirty acks_due; /* entry ids to XACK after the next apply */
	bool inflight;            /* an XREADGROUP is in flight */
	bool read_pending;        /* XREADGROUP re-reads unacknowledged entries first */
	char read_cursor[48];     /* last pending entry seen while read_pending */
	bool group_lost;          /* NOGROUP: Redis lost its data; register again */
	bool overflow;            /* an entry could not be noted: reload everything */
	uint64_t seen;            /* entries read since start (status) */
	uint64_t refused;         /* entries refused (logged, acknowledged) */
};

/* Nothing noted, nothing in flight; node and sess outlive ev. */
void cp_events_init(struct cp_events *ev, const char *node, struct cp_session *sess);
/* Free what is noted. */
void cp_events_fini(struct cp_events *ev);
/* Keep one XREADGROUP in flight on the event link (session up). */
void cp_events_read(struct cp_events *ev);
/* XACK the entries of acks_due, fire and forget: an entry left pending is
 * read again after a reconnect, and re-applying it is harmless. */
void cp_events_ack(struct cp_events *ev);
/* The node just registered: re-read the entries delivered but never
 * acknowledged first. */
void cp_events_registered(struct cp_events *ev);
/* The session ended: the noted events are forgotten (they stay pending in
 * Redis and are read again), no read in flight. */
void cp_events_session_down(struct cp_events *ev);
/* Note a room named by an event (0: none, the entry is only acked) and the
 * entry id to ack once the room is applied (NULL: none). 0 or -ENOMEM. */
int cp_dirty_add(struct cp_dirty *d, uint32_t room, const char *entry_id);
/* Forget dirty rooms and ids. */
void cp_dirty_clear(struct cp_dirty *d);

#endif /* CP_EVENTS_H */
