/* SPDX-License-Identifier: BSD-3-Clause */
/* Desired state of the rooms a node owns, read from Redis (docs/schema.md,
 * "Room content") and validated object by object. */
#ifndef CP_DESIRED_H
#define CP_DESIRED_H

#include <stdbool.h>
#include <stdint.h>

#include <hiredis/hiredis.h>
#include <relais/ctl_proto.h>

#include "cp_keywrap.h"

struct cp_dpart {
	struct relais_ctl_part p; /* keys left zero: unwrapped right before PART_ADD */
	char kid[CP_KW_KID_LEN + 1];
	char rx_w[CP_KW_MAX_WRAPPED];
	char tx_w[CP_KW_MAX_WRAPPED];
	char profile_name[32];
	uint32_t gen; /* key generation (docs/schema.md), bound into the keys' AAD */
};

/* The most refusals a room reports word for word (docs/schema.md, "Errors");
 * n_refused counts them all. */
#define CP_REFUSALS_KEPT 16

/* One refused object, for the room's error channel in Redis. */
struct cp_refusal {
	char obj[24];  /* "part:7", "track:3", "sub:9", "parts", "room" */
	char why[120]; /* the words of the log line: "field: reason" */
	bool apply;    /* refused by the dataplane (re-tried, so reset every apply) */
};

struct cp_droom {
	uint32_t id;
	uint64_t epoch;
	bool ack_sent;               /* an ack is in flight */
	bool ack_due;                /* reloaded by an event: ack even when nothing changed */
	uint64_t served_sig;         /* status Redis holds (served_sig), 0: none at this epoch */
	char seen[48];               /* event stream id the load that made this state covers */
	uint32_t n_refused;          /* objects refused (parse and apply) */
	int n_kept;                  /* entries of refusals */
	struct cp_refusal *refusals; /* CP_REFUSALS_KEPT, allocated on the first */
	int n_parts, n_tracks, n_subs;
	struct cp_dpart *parts;
	struct relais_ctl_track *tracks;
	struct relais_ctl_sub *subs;
	int cap[3];        /* entries cp_room_index sized per kind (an index's members) */
	bool index_capped; /* an index set read had more than max_objects members: the
			      bounded read stopped there, so its count is a floor */
	uint32_t *ids[3];  /* per kind, the ids of the valid objects (a hash set, so
			      validation is linear in the room, never quadratic) */
	int32_t *part_at;  /* per slot of ids[0], the index of that participant in parts */
	uint32_t id_mask[3];
};

/* The most fields an object's hash may have (docs/schema.md lists at most
 * seven per kind); more is refused before any field is read. The loader
 * reads at most one more (cp_loader.c). */
#define CP_HASH_MAX_FIELDS 32

struct cp_desired_cfg {
	const struct cp_keyring *kr;
	int max_objects; /* per room: parts + tracks + subs */
};

/* Loading a room from Redis replies (docs/schema.md "Room content"), in
 * the order the replies arrive: cp_room_begin, then the three index sets
 * (kind 0 parts, 1 tracks, 2 subs) through cp_room_index, then every
 * object in kind order through cp_room_object, so tracks are checked
 * against valid participants and subscriptions against valid tracks. */

/* Start an empty room (id, the epoch it is owned at). */
void cp_room_begin(struct cp_droom *r, uint32_t id, uint64_t epoch);
/* Index set of kind k arrived (its members: SMEMBERS, or a bounded read of
 * at most max_objects + 1 of them): sizes that kind's array.
 * Returns how many members to fetch (0 for a set of the wrong type, logged
 * with its key, refused as "<kind>s" and read as empty), -E2BIG when *total
 * (running count over the kinds, updated) passes max_objects, -ENOMEM, or
 * -EINVAL (no such kind, no reply, or this kind's index given already). */
int cp_room_index(const struct cp_desired_cfg *cfg, struct cp_droom *r, int k,
		  const redisReply *set, size_t *total);
/* Member i of an index set, as cp_room_object takes it: "" (refused there
 * as no id) when it is not a plain string or is CP_MEMBER_MAX long or
 * longer. Never NULL. */
#define CP_MEMBER_MAX 24
const char *cp_room_member(const redisReply *set, size_t i);
/* After the three index sets: -E2BIG (logged with the room's key and its
 * count, "N or more" when an index read was capped, and recorded as the refusal "room": the room is refused whole and
 * served empty; n_refused counts its objects and the index sets refused
 * before) when total passes max_objects, else 0. */
int cp_room_check_total(const struct cp_desired_cfg *cfg, struct cp_droom *r, size_t total);
/* Object `s` of kind k arrived (its HGETALL reply h): validated and added,
 * or refused with a log line naming its key and recorded (cp_room_refuse).
 * Any reply is taken: a hash whose elements are not all plain strings, has
 * a field twice, an id given twice, an error, nil or other type, or more
 * objects than the kind's index listed are refused with the reason. */
/* prev is the room as this control plane last accepted it (NULL: none): a
 * participant whose gen is lower than the one accepted there, or whose keys
 * do not authenticate for its address and gen, is refused and, when prev
 * holds it, kept as accepted there (never sent to the new address). */
void cp_room_object(const struct cp_desired_cfg *cfg, struct cp_droom *r,
		    const struct cp_droom *prev, int k, const char *s, const redisReply *h);
/* The valid participant id of room r, or NULL. */
const struct cp_dpart *cp_room_part(const struct cp_droom *r, uint32_t id);
/* Record that object obj (see struct cp_refusal) of room r is refused for
 * why; the caller logs it with the same words. Only the first
 * CP_REFUSALS_KEPT are kept (n_refused counts all); an allocation failure
 * keeps the count only. */
void cp_room_refuse(struct cp_droom *r, const char *obj, bool apply, const char *why);
/* Forget the refusals made at apply time (before the next apply). */
void cp_room_clear_apply_refusals(struct cp_droom *r);
/* The room's status signature: a non-zero digest of the epoch and every
 * kept refusal (order-free) and the refused count. Redis holds the last
 * one acked (served_sig); a different one means the ack is due. */
uint64_t cp_room_status_sig(const struct cp_droom *r);
/* "part", "track" or "sub". */
const char *cp_room_kind(int k);
/* Free what cp_room_index allocated (wrapped keys zeroed). */
void cp_room_free(struct cp_droom *r);
/* Unwrap a participant's two keys into m (a PART_ADD message). 0 or -errno;
 * the caller OPENSSL_cleanse()s m after sending. */
int cp_part_keys(const struct cp_desired_cfg *cfg, const struct cp_dpart *d,
		 struct relais_ctl_part *m);

#endif /* CP_DESIRED_H */
