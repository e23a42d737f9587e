/* SPDX-License-Identifier: BSD-3-Clause */
/* Rooms through the control plane, for relais-edge (edge_rooms.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <relais/srtp_profile.h>

#include "cp_keywrap.h"
#include "cp_util.h"
#include "edge_rooms.h"

/* See edge_rooms.h. */
int edge_rooms_open(struct edge_rooms *r, const struct cp_redis_cfg *redis, const char *keyring,
		    const char *node, char *err, size_t n)
{
	uint8_t epoch[8];
	char hex[2 * sizeof(epoch) + 1];

	memset(r, 0, sizeof(*r));
	r->c.rate_limit = 50;
	r->c.wait_ms = 2000;
	if (snprintf(r->node, sizeof(r->node), "%s", node) >= (int)sizeof(r->node) ||
	    RAND_bytes(epoch, sizeof(epoch)) != 1) {
		snprintf(err, n, "node id too long, or no random bytes");
		return -EINVAL;
	}
	cp_hex_encode(epoch, sizeof(epoch), hex);
	snprintf(r->origin, sizeof(r->origin), "edge:%s:%s", r->node, hex);
	r->c.kr = cp_keyring_new();
	if (r->c.kr == NULL) {
		snprintf(err, n, "keyring: %s", strerror(errno));
		return -ENOMEM;
	}
	if (cp_keyring_load(r->c.kr, keyring, err, n) < 0) {
		cp_keyring_free(r->c.kr);
		r->c.kr = NULL;
		return -EINVAL;
	}
	r->c.have_keyring = true;
	r->c.rc = cp_redis_connect(redis, err, n);
	if (r->c.rc == NULL) {
		cp_keyring_free(r->c.kr);
		r->c.kr = NULL;
		return -EIO;
	}
	return 0;
}

/* See edge_rooms.h. */
void edge_rooms_close(struct edge_rooms *r)
{
	if (r->c.rc)
		cp_rblock_free(r->c.rc);
	r->c.rc = NULL;
	cp_keyring_free(r->c.kr);
	r->c.kr = NULL;
	free(r->c.touched);
	free(r->c.pm_part);
	free(r->c.pm_room);
	r->c.touched = NULL;
	r->c.pm_part = r->c.pm_room = NULL;
}

/* See edge_rooms.h. */
int edge_rooms_place(struct edge_rooms *r, uint32_t room, char *owner, size_t on, char *err,
		     size_t n)
{
	struct rctl_placement pl;
	int rc = rctl_room_place(&r->c, room, &pl, err, n);

	if (rc < 0)
		return rc;
	snprintf(owner, on, "%s", pl.node);
	return strcmp(pl.node, r->node) == 0 ? 0 : 1;
}

/* See edge_rooms.h. */
int edge_rooms_set_url(struct edge_rooms *r, const char *url)
{
	redisReply *x =
	    cp_rblock_cmd(r->c.rc, "SET edge_url", "SET " CP_DIR "edge_url:%s %s", r->node, url);
	int rc = x && x->type == REDIS_REPLY_STATUS ? 0 : -EIO;

	freeReplyObject(x);
	return rc;
}

/* See edge_rooms.h. */
int edge_rooms_url_of(struct edge_rooms *r, const char *node, char *url, size_t n)
{
	char key[RCTL_KEY_MAX];
	redisReply *x;
	int rc = -ENOENT;

	snprintf(key, sizeof(key), CP_DIR "edge_url:%s", node);
	x = cp_rblock_cmd(r->c.rc, key, "GET %s", key); /* NULL: logged */
	if (x && x->type == REDIS_REPLY_STRING && x->len < n) {
		memcpy(url, x->str, x->len);
		url[x->len] = '\0';
		rc = 0;
	}
	freeReplyObject(x);
	return rc;
}

/* One key+salt of profile pi as hex into out (2 * (key + salt) + 1). */
static void key_hex(const struct relais_srtp_key *k, const struct relais_srtp_profile_info *pi,
		    char *out)
{
	uint8_t plain[RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN];

	memcpy(plain, k->key, pi->key_len);
	memcpy(plain + pi->key_len, k->salt, pi->salt_len);
	cp_hex_encode(plain, (size_t)pi->key_len + pi->salt_len, out);
	OPENSSL_cleanse(plain, sizeof(plain));
}

/* Queue the participant's hash (address, profile, wrapped keys). */
static int put_part(struct edge_rooms *r, const struct edge_join *j,
		    const struct relais_srtp_profile_info *pi)
{
	char room[16], id[16], addr[64];
	char rx[2 * (RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN) + 1];
	char tx[sizeof(rx)];
	struct rctl_kv kv = {.n = 7,
			     .k = {"room", "id", "addr", "profile", "rx-key", "tx-key", "origin"},
			     .v = {room, id, addr, pi->name, rx, tx, r->origin}};
	int rc;

	snprintf(room, sizeof(room), "%u", j->room);
	snprintf(id, sizeof(id), "%u", j->part);
	if (relais_addr_format(&j->addr, addr, sizeof(addr)) < 0)
		return -EINVAL;
	key_hex(&j->rx, pi, rx);
	key_hex(&j->tx, pi, tx);
	rc = rctl_part_add(&r->c, &kv);
	OPENSSL_cleanse(rx, sizeof(rx));
	OPENSSL_cleanse(tx, sizeof(tx));
	return rc;
}

/* Queue track t of participant j. */
static int put_track(struct edge_rooms *r, const struct edge_join *j,
		     const struct edge_join_track *t)
{
	char room[16], id[16], part[16], ssrc[16], pt[8], clock[16];
	struct rctl_kv kv = {.n = 7,
			     .k = {"room", "id", "part", "kind", "ssrc", "pt", "clock-rate"},
			     .v = {room, id, part, t->video ? "video" : "audio", ssrc, pt, clock}};

	snprintf(room, sizeof(room), "%u", j->room);
	snprintf(id, sizeof(id), "%u", t->id);
	snprintf(part, sizeof(part), "%u", j->part);
	snprintf(pt, sizeof(pt), "%u", t->pt);
	snprintf(clock, sizeof(clock), "%u", t->clock_rate);
	if (t->ssrc) {
		snprintf(ssrc, sizeof(ssrc), "%u", t->ssrc);
	} else {
		kv.k[4] = "learn";
		kv.v[4] = "";
	}
	return rctl_track_add(&r->c, &kv);
}

/* Queue subscription s of participant part in room. */
static int put_sub(struct edge_rooms *r, uint32_t room_id, uint32_t part_id,
		   const struct edge_join_sub *s)
{
	char room[16], id[16], part[16], track[16], ssrc[16];
	struct rctl_kv kv = {.n = 6,
			     .k = {"room", "id", "part", "track", "ssrc", "ext-map", "pt-map"},
			     .v = {room, id, part, track, ssrc, s->ext_map, s->pt_map}};

	snprintf(room, sizeof(room), "%u", room_id);
	snprintf(id, sizeof(id), "%u", s->id);
	snprintf(part, sizeof(part), "%u", part_id);
	snprintf(track, sizeof(track), "%u", s->track);
	snprintf(ssrc, sizeof(ssrc), "%u", s->out_ssrc);
	if (s->pt_map[0])
		kv.n = 7;
	return rctl_sub_add(&r->c, &kv);
}

/* SADD or SREM (cmd) "room:part" to/from the node's set of participants
 * joined by an edge, queued in the pipeline. 0, or -EIO. */
static int joined_set(struct edge_rooms *r, const char *cmd, uint32_t room, uint32_t part)
{
	if (redisAppendCommand(r->c.rc, "%s " CP_DIR "edge_parts:%s %u:%u", cmd, r->node, room,
			       part) != REDIS_OK)
		return -EIO;
	r->c.queued++;
	return 0;
}

/* The origin field of participant part of room, into out (n bytes; ""
 * when absent, or over the reply bounds: refused, logged by key, and not
 * this edge's). 0, or -EIO. */
static int origin_of(struct edge_rooms *r, uint32_t room, uint32_t part, char *out, size_t n)
{
	char key[48];
	redisReply *x;
	int rc;

	snprintf(key, sizeof(key), "relais:{room:%u}:part:%u", room, part);
	x = cp_rblock_cmd(r->c.rc, key, "HGET %s origin", key);
	rc = x || !r->c.rc->err ? 0 : -EIO;

	out[0] = '\0';
	if (x && x->type == REDIS_REPLY_STRING && x->len < n) {
		memcpy(out, x->str, x->len);
		out[x->len] = '\0';
	}
	freeReplyObject(x);
	return rc;
}

/* See edge_rooms.h. */
int edge_rooms_join(struct edge_rooms *r, const struct edge_join *j, char *err, size_t n)
{
	const struct relais_srtp_profile_info *pi = relais_srtp_profile_get(j->rx.profile);
	int rc;

	if (pi == NULL || j->tx.profile != j->rx.profile || j->n_tracks > EDGE_JOIN_MAX_TRACKS ||
	    j->n_subs > EDGE_JOIN_MAX_SUBS) {
		snprintf(err, n, "participant %u: bad profile or too many tracks", j->part);
		return -EINVAL;
	}
	rc = put_part(r, j, pi);
	if (rc == 0)
		rc = joined_set(r, "SADD", j->room, j->part);
	for (unsigned i = 0; rc == 0 && i < j->n_tracks; i++)
		rc = put_track(r, j, &j->tracks[i]);
	for (unsigned i = 0; rc == 0 && i < j->n_subs; i++)
		rc = put_sub(r, j->room, j->part, &j->subs[i]);
	if (rc == 0 && rctl_flush(&r->c) < 0)
		rc = -EIO;
	if (rc < 0) {
		snprintf(err, n, "participant %u of room %u: cannot write it to Redis", j->part,
			 j->room);
		edge_rooms_leave(r, j->room, j->part);
	}
	return rc;
}

/* See edge_rooms.h. */
int edge_rooms_sub_set(struct edge_rooms *r, uint32_t room, uint32_t part,
		       const struct edge_join_sub *s)
{
	if (put_sub(r, room, part, s) < 0 || rctl_flush(&r->c) < 0)
		return -EIO;
	return 0;
}

/* See edge_rooms.h. */
int edge_rooms_leave(struct edge_rooms *r, uint32_t room, uint32_t part)
{
	char rs[16], ps[16];
	struct rctl_kv kv = {.n = 2, .k = {"room", "id"}, .v = {rs, ps}};

	char origin[EDGE_ROOMS_ORIGIN_LEN + 2];

	snprintf(rs, sizeof(rs), "%u", room);
	snprintf(ps, sizeof(ps), "%u", part);
	if (origin_of(r, room, part, origin, sizeof(origin)) < 0)
		return -EIO;
	if (strcmp(origin, r->origin) == 0 && rctl_part_del(&r->c, &kv) < 0)
		return -EIO;
	if (joined_set(r, "SREM", room, part) < 0)
		return -EIO;
	return rctl_flush(&r->c) < 0 ? -EIO : 0;
}

/* Most members read from the joined set by one SSCAN, and in all: a set
 * stuffed by a hostile Redis writer costs a bounded start. */
#define SWEEP_BATCH 256
#define SWEEP_MAX (1u << 20)

/* Sweep one member "room:part" of the joined set: remove the participant
 * when an earlier edge of this node wrote it, and the member. 1 when a
 * participant was removed, 0 when not, -EIO. */
static int sweep_one(struct edge_rooms *r, const char *member, size_t prefix_len)
{
	char origin[EDGE_ROOMS_ORIGIN_LEN + 2], rs[16], ps[16];
	struct rctl_kv kv = {.n = 2, .k = {"room", "id"}, .v = {rs, ps}};
	uint32_t room, part;
	int removed = 0;

	if (sscanf(member, "%10u:%10u", &room, &part) != 2 || room == 0 || part == 0) {
		CP_LOG(CP_LOG_WARN, "sweep: ignoring a malformed member of the joined set");
	} else if (origin_of(r, room, part, origin, sizeof(origin)) < 0) {
		return -EIO;
	} else if (strncmp(origin, r->origin, prefix_len) == 0 && strcmp(origin, r->origin) != 0) {
		snprintf(rs, sizeof(rs), "%u", room);
		snprintf(ps, sizeof(ps), "%u", part);
		if (rctl_part_del(&r->c, &kv) < 0)
			return -EIO;
		removed = 1;
	}
	if (redisAppendCommand(r->c.rc, "SREM " CP_DIR "edge_parts:%s %s", r->node, member) !=
	    REDIS_OK)
		return -EIO;
	r->c.queued++;
	return rctl_flush(&r->c) < 0 ? -EIO : removed;
}

/* See edge_rooms.h. Members are removed between SSCAN calls: Redis still
 * returns every member present for the whole scan. */
int edge_rooms_sweep(struct edge_rooms *r)
{
	size_t prefix_len = strlen(r->origin) - 16; /* "edge:<node>:" */
	char cursor[24] = "0", key[RCTL_KEY_MAX];
	unsigned seen = 0;
	int removed = 0;

	snprintf(key, sizeof(key), CP_DIR "edge_parts:%s", r->node);
	do {
		redisReply *x = cp_rblock_cmd(r->c.rc, key, "SSCAN %s %s COUNT %d", key, cursor,
					      SWEEP_BATCH); /* NULL: logged */
		redisReply *m;

		if (x == NULL || x->type != REDIS_REPLY_ARRAY || x->elements != 2 ||
		    x->element[0]->type != REDIS_REPLY_STRING || x->element[0]->len >= 24 ||
		    x->element[1]->type != REDIS_REPLY_ARRAY ||
		    x->element[1]->elements > 4 * SWEEP_BATCH) {
			freeReplyObject(x);
			return -EIO;
		}
		memcpy(cursor, x->element[0]->str, x->element[0]->len);
		cursor[x->element[0]->len] = '\0';
		m = x->element[1];
		for (size_t i = 0; i < m->elements && removed >= 0; i++, seen++) {
			int rc =
			    m->element[i]->type == REDIS_REPLY_STRING && m->element[i]->len < 24
				? sweep_one(r, m->element[i]->str, prefix_len)
				: 0;
			removed = rc < 0 ? rc : removed + rc;
		}
		freeReplyObject(x);
	} while (removed >= 0 && strcmp(cursor, "0") != 0 && seen < SWEEP_MAX);
	return removed;
}
