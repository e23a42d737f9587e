/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rooms through the control plane, for relais-edge: a browser that joined
 * through WHIP/WHEP is written into Redis exactly as relaisctl writes a
 * participant (docs/schema.md: placement by the place script, keys wrapped
 * with the deployment key, room revision bumped), and relais-controlplane
 * programs this node's dataplane from it. The edge never programs the
 * dataplane itself, so a restart of either keeps the other's state.
 */
#ifndef EDGE_ROOMS_H
#define EDGE_ROOMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <relais/ctl_proto.h>

#include "cp_redis.h"
#include "relaisctl.h"

#define EDGE_JOIN_MAX_TRACKS 16
#define EDGE_JOIN_MAX_SUBS 64

/* Longest origin tag: "edge:" node ":" 16 hex digits. */
#define EDGE_ROOMS_ORIGIN_LEN (5 + 32 + 1 + 16)

struct edge_rooms {
	struct rctl c;
	char node[33];
	/* "edge:<node>:<random epoch>", written into every participant this
	 * process joins (docs/schema.md `origin`), so that the next process
	 * on this node recognises what this one left behind. */
	char origin[EDGE_ROOMS_ORIGIN_LEN + 1];
};

/* A published track: its id, SSRC (0: learned from the first packet of
 * payload type pt), kind and clock rate. */
struct edge_join_track {
	uint32_t id, ssrc, clock_rate;
	uint8_t pt;
	bool video;
};

/* A subscription: what track goes out under which SSRC, with the payload
 * type map "in:out,..." ("" when the types agree) and the header
 * extension id map (always given: ids the subscriber did not negotiate
 * are dropped). */
struct edge_join_sub {
	uint32_t id, track, out_ssrc;
	char pt_map[64];
	char ext_map[96];
};

/* Everything a participant's join writes. rx: the keys the browser sends
 * with; tx: the keys we send with (one profile for both). */
struct edge_join {
	uint32_t room, part;
	struct relais_addr addr;
	struct relais_srtp_key rx, tx;
	struct edge_join_track tracks[EDGE_JOIN_MAX_TRACKS];
	unsigned n_tracks;
	struct edge_join_sub subs[EDGE_JOIN_MAX_SUBS];
	unsigned n_subs;
};

/* Connect to Redis and load the keyring. 0, or -errno with err set. */
int edge_rooms_open(struct edge_rooms *r, const struct cp_redis_cfg *redis, const char *keyring,
		    const char *node, char *err, size_t n);
/* Close the connection, wipe the keyring. */
void edge_rooms_close(struct edge_rooms *r);

/* Place room (or find it). 0 when this node owns it, 1 when another node
 * does (its id in owner), -errno with err set. */
int edge_rooms_place(struct edge_rooms *r, uint32_t room, char *owner, size_t on, char *err,
		     size_t n);

/* Publish this node's WHIP/WHEP base URL, for redirects from others. */
int edge_rooms_set_url(struct edge_rooms *r, const char *url);
/* The base URL node published; 0, or -ENOENT. */
int edge_rooms_url_of(struct edge_rooms *r, const char *node, char *url, size_t n);

/* Write participant j with its tracks and subscriptions. 0, or -errno
 * with err set (nothing half-written stays: a failure removes it). */
int edge_rooms_join(struct edge_rooms *r, const struct edge_join *j, char *err, size_t n);
/* Write (or overwrite) subscription s of watcher part in room. 0 or -EIO. */
int edge_rooms_sub_set(struct edge_rooms *r, uint32_t room, uint32_t part,
		       const struct edge_join_sub *s);
/* Remove participant part of room, with its tracks and subscriptions,
 * when this process wrote it (its origin is ours: a participant that has
 * joined again elsewhere since is left alone). 0, or -EIO. */
int edge_rooms_leave(struct edge_rooms *r, uint32_t room, uint32_t part);
/* At start: remove the participants an earlier relais-edge of this node
 * joined and never removed (it was killed or crashed: their DTLS sessions
 * died with it, so their media cannot flow and their browsers join
 * again). Reads the node's set of joined participants in bounded
 * batches. Returns how many were removed, or -EIO. */
int edge_rooms_sweep(struct edge_rooms *r);

#endif /* EDGE_ROOMS_H */
