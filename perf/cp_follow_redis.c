/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp_follow's follower: one blocking hiredis connection in its own thread,
 * so that Redis round trips never delay the paced media. It does what an
 * application backend does to keep its participants pointed at the node
 * that owns their room (docs/schema.md, "Directory keys" and "Event
 * stream"):
 *
 *   - XREAD BLOCK 10 on relais:{dir}:events; a `moved` (or `placed`) entry
 *     naming one of its rooms makes it re-read that room's hash;
 *   - every CF_OWNER_POLL_MS it re-reads every room's hash anyway (a
 *     missed event costs at most that long);
 *   - a changed owner/epoch: the new owner's node hash gives addr4:port,
 *     the publishers of the room are re-pointed there.
 *
 * For the measurement it also reads, every turn, the PTTL of each first
 * owner's lease (its expiry is the last now + PTTL read before the key
 * vanished) and the room's served_epoch until it equals the new epoch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <openssl/crypto.h>

#include "cp_follow.h"

#define CF_BLOCK_MS 10
#define CF_OWNER_POLL_MS 200
#define CF_CMD_TIMEOUT_S 2

/* CLOCK_REALTIME in milliseconds (fractional). */
double cf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Connect to "unix:PATH" or "HOST:PORT" with 1 s to connect and
 * CF_CMD_TIMEOUT_S per command. NULL (message printed) on failure. */
redisContext *cf_connect(const char *where)
{
	struct timeval tv = {.tv_sec = 1}, cmd = {.tv_sec = CF_CMD_TIMEOUT_S};
	redisContext *rc = NULL;
	char host[256];
	const char *colon = strrchr(where, ':');

	if (strncmp(where, "unix:", 5) == 0) {
		rc = redisConnectUnixWithTimeout(where + 5, tv);
	} else if (colon != NULL && (size_t)(colon - where) < sizeof(host)) {
		memcpy(host, where, (size_t)(colon - where));
		host[colon - where] = '\0';
		rc = redisConnectWithTimeout(host, atoi(colon + 1), tv);
	} else {
		fprintf(stderr, "cp_follow: --redis: want unix:PATH or HOST:PORT, not '%s'\n",
			where);
		return NULL;
	}
	if (rc == NULL || rc->err) {
		fprintf(stderr, "cp_follow: cannot connect to Redis at %s: %s\n", where,
			rc ? rc->errstr : "out of memory");
		redisFree(rc);
		return NULL;
	}
	redisSetTimeout(rc, cmd);
	return rc;
}

/* The string of element i of an array reply, or "" (nil, missing). */
static const char *elem_str(const redisReply *r, size_t i)
{
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || i >= r->elements ||
	    r->element[i]->type != REDIS_REPLY_STRING)
		return "";
	return r->element[i]->str;
}

/* Media address of node (IPv4 only: its hash's addr4 and port) into *a.
 * 0, -ENOENT (no such node or no addr4), -EIO. */
static int node_addr(redisContext *rc, const char *node, struct lg_addr *a)
{
	redisReply *r = redisCommand(rc, "HMGET relais:{dir}:node:%s addr4 port", node);
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	int ret = -ENOENT;

	if (r == NULL)
		return -EIO;
	memset(a, 0, sizeof(*a));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(elem_str(r, 1)));
	if (inet_pton(AF_INET, elem_str(r, 0), &sin->sin_addr) == 1 && sin->sin_port != 0) {
		a->len = sizeof(*sin);
		ret = 0;
	}
	freeReplyObject(r);
	return ret;
}

/* Room i is now on owner (address *a) at epoch: with --rekey-on-move (and
 * not at the first read) first new keys for its participants in Redis
 * (cp_follow_keys.c), then, under the lock, the new destination and the
 * new keys together, so that no publisher sends an old-key packet to the
 * new owner and every subscriber holds the new key before it can get
 * media under it. */
static void repoint(struct cf *cf, int i, const char *owner, uint64_t epoch, double moved,
		    const struct lg_addr *a)
{
	static uint8_t keys[CF_MAX_EPS][CF_KEY_LEN]; /* follower thread only */
	struct cf_room *rm = &cf->rooms[i];
	int rekey = cf->rekey && rm->owner0[0] != '\0';
	double t;

	if (rekey && cf_rekey_room(cf, i, keys) != 0)
		rekey = 0;
	t = cf_now_ms();
	pthread_mutex_lock(&cf->mtx);
	snprintf(rm->owner, sizeof(rm->owner), "%s", owner);
	rm->epoch = epoch;
	rm->dest = *a;
	rm->moved_ms = moved;
	rm->seen_ms = rm->repointed_ms = t;
	rm->served_ms = 0;
	if (rekey) {
		cf_install_keys(cf, i, (const uint8_t(*)[CF_KEY_LEN])keys);
		rm->rekeyed_ms = t;
		rm->rekeys++;
	}
	pthread_mutex_unlock(&cf->mtx);
	OPENSSL_cleanse(keys, sizeof(keys));
	if (!cf->quiet)
		printf("cp_follow: room %u now on %s epoch %llu%s\n", rm->id, owner,
		       (unsigned long long)epoch, rekey ? ", new keys" : "");
}

/* Read room i's hash: owner, epoch, moved_ms, served_epoch. A new owner or
 * epoch re-points the room (repoint); served_ms is set the first time
 * served_epoch equals a moved room's epoch. 0, -ENOENT, -EIO. */
static int refresh_room(struct cf *cf, int i)
{
	struct cf_room *rm = &cf->rooms[i];
	redisReply *r = redisCommand(cf->rc,
				     "HMGET relais:{dir}:room:%u owner epoch moved_ms "
				     "served_epoch",
				     rm->id);
	struct lg_addr a;
	int rc = 0;

	if (r == NULL)
		return -EIO;
	const char *owner = elem_str(r, 0);
	uint64_t epoch = strtoull(elem_str(r, 1), NULL, 10);
	double moved = strtod(elem_str(r, 2), NULL);
	uint64_t served = strtoull(elem_str(r, 3), NULL, 10);
	double t = cf_now_ms();

	if (owner[0] == '\0' || strlen(owner) >= CF_NODE_LEN) {
		rc = -ENOENT;
	} else if (epoch != rm->epoch || strcmp(owner, rm->owner) != 0) {
		rc = node_addr(cf->rc, owner, &a);
		if (rc == 0)
			repoint(cf, i, owner, epoch, moved, &a);
	}
	if (rc == 0 && rm->epoch != rm->epoch0 && rm->served_ms == 0 && served == rm->epoch)
		rm->served_ms = t;
	freeReplyObject(r);
	return rc;
}

/* Index of room id, or -1. */
static int room_index(const struct cf *cf, uint32_t id)
{
	for (int i = 0; i < cf->nrooms; i++) {
		if (cf->rooms[i].id == id)
			return i;
	}
	return -1;
}

/* The value of field name in a stream entry's flat field list, or "". */
static const char *entry_field(const redisReply *fields, const char *name)
{
	for (size_t k = 0; fields->type == REDIS_REPLY_ARRAY && k + 1 < fields->elements; k += 2) {
		if (strcmp(elem_str(fields, k), name) == 0)
			return elem_str(fields, k + 1);
	}
	return "";
}

/* One XREAD BLOCK CF_BLOCK_MS from last_id; every entry naming one of our
 * rooms re-reads it. 0 or -EIO. */
static int read_events(struct cf *cf)
{
	redisReply *r =
	    redisCommand(cf->rc, "XREAD COUNT 100 BLOCK %d STREAMS relais:{dir}:events %s",
			 CF_BLOCK_MS, cf->last_id);

	if (r == NULL)
		return -EIO;
	/* [[stream, [[id, [f, v, ...]], ...]]] or nil on timeout */
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
	    r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2) {
		const redisReply *ents = r->element[0]->element[1];
		for (size_t e = 0; ents->type == REDIS_REPLY_ARRAY && e < ents->elements; e++) {
			const redisReply *ent = ents->element[e];
			if (ent->type != REDIS_REPLY_ARRAY || ent->elements != 2)
				continue;
			snprintf(cf->last_id, sizeof(cf->last_id), "%s", elem_str(ent, 0));
			int i = room_index(
			    cf, (uint32_t)strtoul(entry_field(ent->element[1], "room"), NULL, 10));
			if (i >= 0)
				refresh_room(cf, i);
		}
	}
	freeReplyObject(r);
	return 0;
}

/* PTTL of every first owner's lease until it is gone; the expiry estimate
 * is the last now + PTTL (copied to every room of that owner). */
static void poll_leases(struct cf *cf)
{
	for (int i = 0; i < cf->nrooms; i++) {
		struct cf_room *rm = &cf->rooms[i];
		int first = 1;
		for (int j = 0; j < i; j++)
			first &= strcmp(cf->rooms[j].owner0, rm->owner0) != 0;
		if (!first || rm->lease_gone)
			continue;
		redisReply *r = redisCommand(cf->rc, "PTTL relais:{dir}:lease:%s", rm->owner0);
		double t = cf_now_ms();
		if (r == NULL)
			return;
		for (int j = i; r->type == REDIS_REPLY_INTEGER && j < cf->nrooms; j++) {
			if (strcmp(cf->rooms[j].owner0, rm->owner0) != 0)
				continue;
			if (r->integer >= 0)
				cf->rooms[j].lease_exp_ms = t + (double)r->integer;
			else if (r->integer == -2)
				cf->rooms[j].lease_gone = 1;
		}
		freeReplyObject(r);
	}
}

/* Read every room's owner, epoch and node address before media starts,
 * and the event stream's last id. 0, or -errno with a message printed. */
int cf_load_rooms(struct cf *cf)
{
	redisReply *r;

	for (int i = 0; i < cf->nrooms; i++) {
		struct cf_room *rm = &cf->rooms[i];
		int rc = refresh_room(cf, i);
		if (rc != 0) {
			fprintf(stderr, "cp_follow: room %u: no owner or node address (%s)\n",
				rm->id, strerror(-rc));
			return rc;
		}
		snprintf(rm->owner0, sizeof(rm->owner0), "%s", rm->owner);
		rm->epoch0 = rm->epoch;
		rm->dest0 = rm->dest;
		rm->moved_ms = rm->seen_ms = rm->repointed_ms = 0;
	}
	r = redisCommand(cf->rc, "XREVRANGE relais:{dir}:events + - COUNT 1");
	if (r == NULL)
		return -EIO;
	snprintf(cf->last_id, sizeof(cf->last_id), "%s",
		 r->type == REDIS_REPLY_ARRAY && r->elements == 1 ? elem_str(r->element[0], 0)
								  : "0-0");
	freeReplyObject(r);
	return 0;
}

/* The follower thread (arg: struct cf *): until cf->stop, read events,
 * leases, served epochs, and every CF_OWNER_POLL_MS every room. A broken
 * connection is re-established (redisReconnect) every 100 ms. */
void *cf_follow_main(void *arg)
{
	struct cf *cf = arg;
	double next_poll = cf_now_ms() + CF_OWNER_POLL_MS;

	while (!cf->stop) {
		if (cf->rc->err) {
			struct timespec ts = {.tv_nsec = 100 * 1000000L};
			nanosleep(&ts, NULL);
			redisReconnect(cf->rc);
			continue;
		}
		if (read_events(cf) != 0)
			continue;
		poll_leases(cf);
		for (int i = 0; i < cf->nrooms; i++) {
			const struct cf_room *rm = &cf->rooms[i];
			if (rm->epoch != rm->epoch0 && rm->served_ms == 0)
				refresh_room(cf, i);
		}
		if (cf_now_ms() >= next_poll) {
			for (int i = 0; i < cf->nrooms; i++)
				refresh_room(cf, i);
			next_poll += CF_OWNER_POLL_MS;
		}
	}
	return NULL;
}
