/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp_follow --rekey-on-move: what an application does when a room moves
 * (as WebRTC SFUs do on a move: ICE restart with new DTLS-SRTP keys). A
 * node that takes over a room programs it from Redis and starts every SRTP
 * context afresh, at rollover counter 0; a client that kept its old context
 * (ROC 1 after its sequence numbers wrapped) would no longer agree with it.
 * So every participant of the moved room gets NEW keys, written exactly as
 * relaisctl writes a key change (controlplane/relaisctl_obj.c: DEL/HSET/
 * SADD/INCR per participant with the key wrapped by controlplane/
 * cp_keywrap.c, then one `room` event; docs/schema.md "Room content",
 * "Wrapped keys"; here the whole room in one MULTI/EXEC, so that a control
 * plane reads all new keys or none), and the clients start fresh contexts with them
 * (a new crypto context starts at ROC 0, RFC 3711 §3.2.1) while sequence
 * numbers continue. The new owner programs (or re-keys in place) from Redis
 * with the new keys, at ROC 0 too.
 *
 * Runs in the follower thread, on its connection (cf->rc).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cp_follow.h"
#include "cp_util.h"

/* Endpoint e's SRTP crypto (key, profile). */
static const struct lg_crypto *ep_crypto(const struct cf *cf, int e)
{
	return e < cf->conf.npubs ? &cf->conf.pubs[e].c : &cf->conf.subs[e - cf->conf.npubs].c;
}

/* Endpoint e's room index. */
static int ep_room(const struct cf *cf, int e)
{
	return e < cf->conf.npubs ? cf->pub_room[e] : cf->subs[e - cf->conf.npubs].room;
}

/* Endpoint e's bound address as "a.b.c.d:port" (relaisctl's --addr). */
static void ep_addr(const struct cf *cf, int e, char *out, size_t n)
{
	const struct lg_addr *a =
	    e < cf->conf.npubs ? &cf->conf.pubs[e].bind : &cf->conf.subs[e - cf->conf.npubs].bind;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&a->ss;
	char ip[INET_ADDRSTRLEN] = "?";

	inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
	snprintf(out, n, "%s:%u", ip, ntohs(sin->sin_port));
}

/* Match participant `part` of room index r (its hash: addr, profile,
 * fb_ssrc) to the endpoint of that room bound to addr. 0, or -EINVAL
 * (same address, other profile). */
static int match_part(struct cf *cf, int r, uint32_t part, const redisReply *h)
{
	const char *addr, *prof, *fb;
	char mine[64];

	if (h == NULL || h->type != REDIS_REPLY_ARRAY || h->elements != 3 ||
	    h->element[0]->type != REDIS_REPLY_STRING)
		return 0;
	addr = h->element[0]->str;
	prof = h->element[1]->type == REDIS_REPLY_STRING ? h->element[1]->str : "";
	fb = h->element[2]->type == REDIS_REPLY_STRING ? h->element[2]->str : "0";
	for (int e = 0; e < cf->conf.npubs + cf->conf.nsubs; e++) {
		ep_addr(cf, e, mine, sizeof(mine));
		if (ep_room(cf, e) != r || strcmp(mine, addr) != 0)
			continue;
		if (strcasecmp(prof, ep_crypto(cf, e)->prof->name) != 0) {
			fprintf(stderr, "cp_follow: participant %u (%s): profile %s, scenario %s\n",
				part, addr, prof, ep_crypto(cf, e)->prof->name);
			return -EINVAL;
		}
		cf->eps[e].part = part;
		snprintf(cf->eps[e].addr, sizeof(cf->eps[e].addr), "%s", addr);
		snprintf(cf->eps[e].fb_ssrc, sizeof(cf->eps[e].fb_ssrc), "%s", fb);
	}
	return 0;
}

/* See header: find every endpoint's participant id (by address, in its
 * room's participant set) before media starts. 0, or -errno with a message
 * printed. */
int cf_load_parts(struct cf *cf)
{
	for (int r = 0; r < cf->nrooms; r++) {
		redisReply *s =
		    redisCommand(cf->rc, "SMEMBERS relais:{room:%u}:parts", cf->rooms[r].id);
		int rc = 0;

		if (s == NULL || s->type != REDIS_REPLY_ARRAY) {
			freeReplyObject(s);
			return -EIO;
		}
		for (size_t k = 0; rc == 0 && k < s->elements; k++) {
			uint32_t part = (uint32_t)strtoul(s->element[k]->str, NULL, 10);
			redisReply *h = redisCommand(
			    cf->rc, "HMGET relais:{room:%u}:part:%u addr profile fb_ssrc",
			    cf->rooms[r].id, part);
			rc = match_part(cf, r, part, h);
			freeReplyObject(h);
		}
		freeReplyObject(s);
		if (rc != 0)
			return rc;
	}
	for (int e = 0; e < cf->conf.npubs + cf->conf.nsubs; e++) {
		if (cf->eps[e].part == 0) {
			char a[64];
			ep_addr(cf, e, a, sizeof(a));
			fprintf(stderr, "cp_follow: no participant of room %u at %s in Redis\n",
				cf->rooms[ep_room(cf, e)].id, a);
			return -ENOENT;
		}
	}
	return 0;
}

/* Queue (inside MULTI) the rewrite of endpoint e's participant hash in
 * room `room` with key (both directions: the scenario's endpoints use one key, as
 * make-conference.py writes them). 0 or -errno (nothing queued). */
static int queue_part(struct cf *cf, uint32_t room, int e, const uint8_t *key)
{
	const struct cf_ep *ep = &cf->eps[e];
	const struct relais_srtp_profile_info *pi = ep_crypto(cf, e)->prof;
	char rx[CP_KW_MAX_WRAPPED], tx[CP_KW_MAX_WRAPPED], kid[CP_KW_KID_LEN + 1];
	char aad[CP_KW_AAD_MAX], hkey[96], ids[16], gs[16];
	size_t len = (size_t)pi->key_len + pi->salt_len;
	uint32_t gen = (uint32_t)time(NULL); /* never below relaisctl's (docs/schema.md) */
	struct relais_addr a;
	int rc;

	snprintf(gs, sizeof(gs), "%u", gen);
	rc = relais_addr_parse(ep->addr, &a);
	if (rc == 0)
		rc = cp_kw_aad(aad, sizeof(aad), room, ep->part, "rx", pi->name, &a, gen);
	if (rc == 0)
		rc = cp_kw_wrap(&cf->kr, aad, key, len, rx, kid);
	if (rc == 0)
		rc = cp_kw_aad(aad, sizeof(aad), room, ep->part, "tx", pi->name, &a, gen);
	if (rc == 0)
		rc = cp_kw_wrap(&cf->kr, aad, key, len, tx, kid);
	if (rc != 0)
		return rc;
	snprintf(hkey, sizeof(hkey), "relais:{room:%u}:part:%u", room, ep->part);
	snprintf(ids, sizeof(ids), "%u", ep->part);
	const char *argv[] = {"HSET",    hkey,        "addr",   ep->addr, "profile", pi->name,
			      "kid",     kid,         "rx_key", rx,       "tx_key",  tx,
			      "fb_ssrc", ep->fb_ssrc, "gen",    gs};
	redisAppendCommand(cf->rc, "DEL %s", hkey);
	redisAppendCommandArgv(cf->rc, (int)(sizeof(argv) / sizeof(argv[0])), argv, NULL);
	redisAppendCommand(cf->rc, "SADD relais:{room:%u}:parts %s", room, ids);
	redisAppendCommand(cf->rc, "INCR relais:{room:%u}:rev", room);
	return 0;
}

/* See header: new random keys (into keys[e], e = endpoint index) for every
 * endpoint of room index r, written to Redis wrapped, then announced with
 * a `room` event. 0, or -errno (message printed; keys[] then unusable). */
int cf_rekey_room(struct cf *cf, int r, uint8_t (*keys)[CF_KEY_LEN])
{
	uint32_t room = cf->rooms[r].id;
	int queued = 1, rc = 0;

	redisAppendCommand(cf->rc, "MULTI");
	for (int e = 0; rc == 0 && e < cf->conf.npubs + cf->conf.nsubs; e++) {
		const struct relais_srtp_profile_info *pi = ep_crypto(cf, e)->prof;
		if (ep_room(cf, e) != r)
			continue;
		if (RAND_bytes(keys[e], pi->key_len + pi->salt_len) != 1)
			rc = -EIO;
		else if ((rc = queue_part(cf, room, e, keys[e])) == 0)
			queued += 4;
	}
	redisAppendCommand(cf->rc, rc == 0 ? "EXEC" : "DISCARD");
	redisAppendCommand(cf->rc, "XADD relais:{dir}:events MAXLEN ~ 100000 * type room room %u",
			   room);
	for (queued += 2; queued > 0; queued--) {
		void *v = NULL;
		if (redisGetReply(cf->rc, &v) != REDIS_OK) {
			rc = -EIO;
			break;
		}
		if (((redisReply *)v)->type == REDIS_REPLY_ERROR ||
		    (queued == 2 && ((redisReply *)v)->type == REDIS_REPLY_NIL)) {
			fprintf(stderr, "cp_follow: room %u re-key: %s\n", room,
				((redisReply *)v)->str);
			rc = -EIO;
		}
		freeReplyObject(v);
	}
	if (rc != 0)
		fprintf(stderr, "cp_follow: room %u: new keys not written (%s)\n", room,
			strerror(-rc));
	return rc;
}

/* See header: under cf->mtx, hand keys[e] of every endpoint of room index
 * r to the media thread (a new generation each). */
void cf_install_keys(struct cf *cf, int r, const uint8_t (*keys)[CF_KEY_LEN])
{
	for (int e = 0; e < cf->conf.npubs + cf->conf.nsubs; e++) {
		if (ep_room(cf, e) != r)
			continue;
		memcpy(cf->eps[e].next_key, keys[e], CF_KEY_LEN);
		cf->eps[e].gen++;
	}
}
