/* SPDX-License-Identifier: BSD-3-Clause */
/* relaisctl: the application-side client of the Redis schema. */
#ifndef RELAISCTL_H
#define RELAISCTL_H

#include <stdbool.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "cp_keywrap.h"
#include "cp_rblock.h"
#include "cp_rbound.h"

#define RCTL_MAX_KV 16
#define RCTL_MAX_PARTMAP 65536

/* "--name value" / "--flag" options of one command. */
struct rctl_kv {
	int n;
	const char *k[RCTL_MAX_KV];
	const char *v[RCTL_MAX_KV]; /* "" for flags */
};

/* Room for any key relaisctl reads: a set member of up to
 * CP_REPLY_STR_MAX bytes (the reply bounds) inside a key name. */
#define RCTL_KEY_MAX (CP_REPLY_STR_MAX + 64)

struct rctl {
	redisContext *rc;      /* cp_redis_connect: every read bounded (cp_rblock.h) */
	struct cp_keyring *kr; /* cp_keyring_new, when --keyring is given */
	bool have_keyring;
	int rate_limit, wait_ms;
	size_t queued;     /* replies owed by the pipeline */
	uint32_t *touched; /* rooms changed since the last flush */
	size_t n_touched, cap_touched;
	/* participant -> room, learned in this run (batch files written for
	 * relais-cli name no room on track/sub lines) */
	uint32_t *pm_part, *pm_room;
	size_t pm_n, pm_cap;
	int errors;
};

/* The most members relaisctl reads of one set (a room index, the node or
 * room directory): each is read with SRANDMEMBER key RCTL_MAX_MEMBERS + 1,
 * a bounded reply (the whole set when within the limit); a larger set is
 * refused with a message naming it (rctl_members). */
#define RCTL_MAX_MEMBERS 1000000

/* Every member of set key (a bounded read, above), or NULL with the reason
 * printed (Redis error, not a set, more than RCTL_MAX_MEMBERS members, a
 * member over the reply bounds: "refusing KEY: string of N bytes, more
 * than 8192"). Each element of the reply is a string (cp_reply_str). */
redisReply *rctl_members(struct rctl *c, const char *key);

/* Parse argv[from..] into kv; NULL-valued flags listed in flags ("learn").
 * 0/-EINVAL (message printed). */
int rctl_kv_parse(struct rctl_kv *kv, int argc, char **argv, const char *const *flags);
const char *rctl_get(const struct rctl_kv *kv, const char *k);
/* A required u32 option; prints the error. 0/-EINVAL. */
int rctl_u32(const struct rctl_kv *kv, const char *k, uint32_t *out, bool required);

/* Content writes (docs/schema.md "Room content"), queued in the pipeline;
 * rctl_flush sends them, announces the touched rooms and checks replies.
 * 0 or -EINVAL (usage printed). */
int rctl_part_add(struct rctl *c, const struct rctl_kv *kv);
/* Longest --origin tag of a participant (docs/schema.md: who wrote it). */
#define RCTL_ORIGIN_MAX 64
int rctl_part_del(struct rctl *c, const struct rctl_kv *kv);
int rctl_track_add(struct rctl *c, const struct rctl_kv *kv);
int rctl_sub_add(struct rctl *c, const struct rctl_kv *kv);
int rctl_obj_del(struct rctl *c, const char *kind, const struct rctl_kv *kv);
/* Send queued writes, XADD one `room` event per touched room, read every
 * reply. 0 or -EIO (errors printed and counted). */
int rctl_flush(struct rctl *c);
/* Read every reply owed by the pipeline (no events added). 0, or -EIO when
 * Redis failed or refused one (printed, counted in errors). */
int rctl_drain(struct rctl *c);
/* Delete every content key of a room (after `drop`). 0/-EIO. */
int rctl_room_purge(struct rctl *c, uint32_t room);

/* Where a room lives (the place script's answer). */
struct rctl_placement {
	char node[64];  /* the owner node's id */
	uint64_t epoch; /* the room's fencing epoch */
	bool placed;    /* placed by this call (else it existed) */
};

/* Place room (or find where it is) with the place script, retrying for
 * c->wait_ms while every node is rate limited (c->rate_limit per node and
 * second). Pending writes are flushed first. 0 with *out filled; -EIO
 * (Redis unreachable), -EAGAIN (still rate limited) or -EINVAL (refused),
 * with err saying why. */
int rctl_room_place(struct rctl *c, uint32_t room, struct rctl_placement *out, char *err, size_t n);

#endif /* RELAISCTL_H */
