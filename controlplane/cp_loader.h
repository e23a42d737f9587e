/* SPDX-License-Identifier: BSD-3-Clause */
/* The loader: Redis -> desired state. It follows the event stream
 * (cp_events.h), loads the rooms the node owns into the cache (cp_loader.c:
 * all of them, or the rooms events named), one load at a time, pipelined on
 * the session's command link, and writes back what the node serves (the
 * fenced ack of each room, cp_ack.c; the XACK of events, cp_events_ack).
 * It never talks to the dataplane: a finished load sets apply_due, and the
 * node runs the apply (cp_reconcile.h) at top level. */
#ifndef CP_LOADER_H
#define CP_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_cache.h"
#include "cp_desired.h"
#include "cp_events.h"
#include "cp_session.h"

struct cp_batch;

struct cp_loader {
	const char *node;
	struct cp_session *sess;
	const struct cp_desired_cfg *dcfg;
	struct cp_cache *cache;            /* written only when a load completes */
	struct cp_batch *loading;          /* the load in flight, or NULL */
	unsigned gen;                      /* bumped to orphan a load (lease lost, session down) */
	bool want_full;                    /* a full reload is due (after the current load) */
	bool have_desired;                 /* the cache reflects Redis (or a lost lease) */
	bool apply_due;                    /* a load changed the cache: apply at top level */
	uint64_t next_full;                /* the periodic full reload */
	struct cp_events ev;               /* what the loads follow; acks_due after an apply */
	char seen_id[48];                  /* last event id a started load covers ("": none) */
	uint64_t loads_done, last_load_ms; /* status */
};

/* An idle loader of node `node`'s rooms into cache; all pointers outlive it. */
void cp_loader_init(struct cp_loader *ld, const char *node, struct cp_session *sess,
		    const struct cp_desired_cfg *dcfg, struct cp_cache *cache);
/* Free what it holds (the cache is the owner's). */
void cp_loader_fini(struct cp_loader *ld);
/* Start loading every owned room (full) or the dirty rooms; on completion
 * the cache is updated and apply_due set. 0, -EBUSY (a load is in flight),
 * -ENODATA (nothing dirty), -ENOMEM or -EIO. */
int cp_loader_start(struct cp_loader *ld, bool full);
/* The node's Redis duties of the loader (session up, lease held): the
 * periodic full reload every reconcile_ms, the next load when may_load
 * (the cache must not change under an apply), one event read in flight. */
void cp_loader_turn(struct cp_loader *ld, uint64_t now, int reconcile_ms, bool may_load);
/* The node just registered: re-read the entries delivered but never
 * acknowledged, then reload everything. */
void cp_loader_registered(struct cp_loader *ld);
/* Orphan the load in flight: its result is dropped (lease lost). */
void cp_loader_orphan(struct cp_loader *ld);
/* The session ended: the load is orphaned, the noted events forgotten
 * (they stay pending in Redis and are read again), no read in flight. */
void cp_loader_session_down(struct cp_loader *ld);

/* Acks (cp_ack.c). */
/* Ack (fenced write, docs/schema.md "ack") with the lease's token every
 * cached room whose status in Redis is not the current one (a new epoch,
 * refusals that changed) or that was reloaded for an event,
 * asynchronously on the command link. A refused ack (FENCED: the room
 * moved) makes the next full reload due at once. */
void cp_ack_rooms(struct cp_loader *ld, const char *token);

#endif /* CP_LOADER_H */
