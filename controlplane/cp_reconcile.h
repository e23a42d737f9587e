/* SPDX-License-Identifier: BSD-3-Clause */
/* Reconciliation: make the dataplane match the desired-state cache. An
 * apply runs in stages driven from the node's loop (cp_reconcile_step
 * after each poll), with its requests on the polled dataplane link
 * (cp_dplink.h), so the loop keeps its heartbeats, event reads and bans
 * going during a long apply:
 *
 *   DUMP (rooms, parts, tracks, subs) -> REKEY (receivers, then
 *   publishers) -> DELETE (stale subs, tracks, parts, rooms) -> DUMP again
 *   when something was deleted -> ADD (rooms, parts, tracks, subs)
 *
 * Each stage ends when its last reply is in. The cache must not change
 * while an apply runs, except through cp_reconcile_start (which abandons
 * the apply in progress first): the node starts no load meanwhile. */
#ifndef CP_RECONCILE_H
#define CP_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_cache.h"
#include "cp_desired.h"
#include "cp_dplink.h"

/* One dumped or desired object: id, cookie, and for desired ones where it
 * lives in the cache. */
struct cp_obj {
	uint32_t id;
	uint32_t parent; /* dumped objects: room of a part, part of a track/sub */
	uint64_t cookie;
	const void *d;
};

struct cp_objs {
	struct cp_obj *v;
	size_t n, cap;
};

enum cp_rec_stage {
	CP_REC_IDLE,
	CP_REC_DUMP,
	CP_REC_REKEY,
	CP_REC_DELETE,
	CP_REC_REDUMP,
	CP_REC_ADD,
};

struct cp_reconcile {
	struct cp_cache *cache;
	struct cp_dplink *dl;
	const struct cp_desired_cfg *dcfg;
	enum cp_rec_stage stage;
	uint32_t gen;    /* of the apply in progress: late replies of others are dropped */
	int inflight;    /* requests of this apply not yet answered */
	int k;           /* kind (or pass, or delete order) the stage is at */
	size_t i;        /* next object of that kind */
	uint32_t cursor; /* DUMP cursor; dump_busy while one is in flight */
	bool dump_busy;
	int deleted;                      /* deletes sent (a second DUMP follows when > 0) */
	int rc;                           /* first failure (-errno), ends the apply */
	uint64_t t0;                      /* start, ms */
	struct cp_objs a[4];              /* actual (DUMP), by kind: rooms, parts, tracks, subs */
	struct cp_objs d[4];              /* desired (the cache), same kinds */
	uint64_t calls, applied, refused; /* status */
	uint64_t last_ms;                 /* duration of the last apply that ended */
};

/* An idle reconciliation of cache against the dataplane behind dl. */
void cp_reconcile_init(struct cp_reconcile *rec, struct cp_cache *cache, struct cp_dplink *dl,
		       const struct cp_desired_cfg *dcfg);
/* Start an apply, abandoning the one in progress. Returns false, with
 * nothing started, when the dataplane is not connected or the cache does
 * not reflect Redis yet (have_desired false: a dataplane is never emptied
 * by ignorance). */
bool cp_reconcile_start(struct cp_reconcile *rec, bool have_desired);
/* True while an apply is in progress. */
bool cp_reconcile_busy(const struct cp_reconcile *rec);
/* Send what the apply in progress can send now and move through the stages
 * whose replies are all in. Returns 1 when the apply ended in this call
 * (*result: 0, or -errno when it failed: the link closed or a DUMP was
 * refused), 0 otherwise (in progress, or idle). */
int cp_reconcile_step(struct cp_reconcile *rec, int *result);
/* Drop the apply in progress (its late replies are ignored). */
void cp_reconcile_abort(struct cp_reconcile *rec);

#endif /* CP_RECONCILE_H */
