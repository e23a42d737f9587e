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
	bool acked; /* served_epoch == epoch already */
	int n_parts, n_tracks, n_subs;
	struct cp_dpart *parts;
	struct relais_ctl_track *tracks;
	struct relais_ctl_sub *subs;
};

struct cp_desired_cfg {
	const struct cp_keyring *kr;
	int max_objects; /* per room: parts + tracks + subs */
};

/* Read room `id` (epoch as owned) from Redis into r; objects that fail
 * validation are logged with their key and left out. 0, -EIO (Redis
 * transport: r is unusable) or -E2BIG (absurd count: room refused whole,
 * logged). */
int cp_room_load(redisContext *rc, const struct cp_desired_cfg *cfg, uint32_t id, uint64_t epoch,
		 struct cp_droom *r);
/* Free what cp_room_load allocated (wrapped keys zeroed). */
void cp_room_free(struct cp_droom *r);
/* Unwrap a participant's two keys into m (a PART_ADD message). 0 or -errno;
 * the caller OPENSSL_cleanse()s m after sending. */
int cp_part_keys(const struct cp_desired_cfg *cfg, const struct cp_dpart *d,
		 struct relais_ctl_part *m);

#endif /* CP_DESIRED_H */
