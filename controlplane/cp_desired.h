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
};

struct cp_droom {
	uint32_t id;
	uint64_t epoch;
	bool acked;    /* served_epoch == epoch already */
	bool ack_sent; /* an ack for this epoch is in flight */
	int n_parts, n_tracks, n_subs;
	struct cp_dpart *parts;
	struct relais_ctl_track *tracks;
	struct relais_ctl_sub *subs;
};

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
/* Index set of kind k arrived (an SMEMBERS reply): sizes that kind's array.
 * Returns how many members to fetch (0 for a set of the wrong type, logged
 * with its key and read as empty), -E2BIG when *total (running count over
 * the kinds, updated) passes max_objects, or -ENOMEM. */
int cp_room_index(const struct cp_desired_cfg *cfg, struct cp_droom *r, int k,
		  const redisReply *set, size_t *total);
/* After the three index sets: -E2BIG (logged with the room's key and its
 * count: the room is refused whole) when total passes max_objects, else 0. */
int cp_room_check_total(const struct cp_desired_cfg *cfg, const struct cp_droom *r, size_t total);
/* Object `s` of kind k arrived (its HGETALL reply h): validated and added,
 * or refused with a log line naming its key. */
void cp_room_object(const struct cp_desired_cfg *cfg, struct cp_droom *r, int k, const char *s,
		    const redisReply *h);
/* "part", "track" or "sub". */
const char *cp_room_kind(int k);
/* Free what cp_room_index allocated (wrapped keys zeroed). */
void cp_room_free(struct cp_droom *r);
/* Unwrap a participant's two keys into m (a PART_ADD message). 0 or -errno;
 * the caller OPENSSL_cleanse()s m after sending. */
int cp_part_keys(const struct cp_desired_cfg *cfg, const struct cp_dpart *d,
		 struct relais_ctl_part *m);

#endif /* CP_DESIRED_H */
