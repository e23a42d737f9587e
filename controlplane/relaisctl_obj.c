/* SPDX-License-Identifier: BSD-3-Clause */
/* relaisctl: room content writes (participants, tracks, subscriptions). Each
 * object is one MULTI/EXEC on its room's slot; one `room` event per touched
 * room follows at flush (docs/schema.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <relais/ctl_proto.h>

#include "cp_redis.h"
#include "cp_util.h"
#include "relaisctl.h"

/* See header. */
redisReply *rctl_members(struct rctl *c, const char *key)
{
	redisReply *s = cp_rblock_cmd(c->rc, key, "SRANDMEMBER %s %d", key, RCTL_MAX_MEMBERS + 1);
	const char *why = NULL;
	char big[64];

	if (s == NULL)
		return NULL; /* logged */
	if (s->type == REDIS_REPLY_ERROR)
		why = s->str;
	else if (s->type != REDIS_REPLY_ARRAY)
		why = "not a set";
	else if (s->elements > RCTL_MAX_MEMBERS) {
		snprintf(big, sizeof(big), "more than %d members: refused", RCTL_MAX_MEMBERS);
		why = big;
	}
	for (size_t i = 0; why == NULL && i < s->elements; i++)
		if (cp_reply_str(s->element[i]) == NULL)
			why = "a member is not a string";
	if (why == NULL)
		return s;
	fprintf(stderr, "relaisctl: %s: %s\n", key, why);
	freeReplyObject(s);
	return NULL;
}

/* See header. */
int rctl_kv_parse(struct rctl_kv *kv, int argc, char **argv, const char *const *flags)
{
	kv->n = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool flag = false;

		if (strncmp(a, "--", 2) != 0 || kv->n == RCTL_MAX_KV) {
			fprintf(stderr, "relaisctl: unexpected '%s'\n", a);
			return -EINVAL;
		}
		for (int f = 0; flags && flags[f]; f++)
			flag |= strcmp(a + 2, flags[f]) == 0;
		kv->k[kv->n] = a + 2;
		if (flag) {
			kv->v[kv->n++] = "";
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "relaisctl: %s needs a value\n", a);
			return -EINVAL;
		}
		kv->v[kv->n++] = argv[++i];
	}
	return 0;
}

/* See header. */
const char *rctl_get(const struct rctl_kv *kv, const char *k)
{
	for (int i = 0; i < kv->n; i++)
		if (strcmp(kv->k[i], k) == 0)
			return kv->v[i];
	return NULL;
}

/* See header. */
int rctl_u32(const struct rctl_kv *kv, const char *k, uint32_t *out, bool required)
{
	const char *s = rctl_get(kv, k);

	if (s == NULL && !required)
		return 0;
	if (s == NULL || cp_parse_u32(s, out) < 0) {
		fprintf(stderr, "relaisctl: --%s: %s\n", k,
			s ? "not a 32-bit integer" : "required");
		return -EINVAL;
	}
	return 0;
}

/* Remember that room changed (one event per room at flush). */
static void touch(struct rctl *c, uint32_t room)
{
	for (size_t i = 0; i < c->n_touched; i++)
		if (c->touched[i] == room)
			return;
	if (c->n_touched == c->cap_touched) {
		size_t cap = c->cap_touched ? c->cap_touched * 2 : 64;
		uint32_t *v = realloc(c->touched, cap * sizeof(*v));

		if (v == NULL)
			return;
		c->touched = v;
		c->cap_touched = cap;
	}
	c->touched[c->n_touched++] = room;
}

/* Record participant -> room for later track/sub lines without --room. */
static void partmap_put(struct rctl *c, uint32_t part, uint32_t room)
{
	if (c->pm_n == c->pm_cap) {
		size_t cap = c->pm_cap ? c->pm_cap * 2 : 256;
		uint32_t *a = realloc(c->pm_part, cap * sizeof(*a));
		uint32_t *b = a ? realloc(c->pm_room, cap * sizeof(*b)) : NULL;

		if (a)
			c->pm_part = a;
		if (b == NULL)
			return;
		c->pm_room = b;
		c->pm_cap = cap;
	}
	c->pm_part[c->pm_n] = part;
	c->pm_room[c->pm_n++] = room;
}

/* The room: --room, else the room participant `part` was added to in this
 * run. 0/-EINVAL. */
static int room_of(struct rctl *c, const struct rctl_kv *kv, uint32_t part, uint32_t *room)
{
	if (rctl_get(kv, "room"))
		return rctl_u32(kv, "room", room, true);
	for (size_t i = c->pm_n; i-- > 0;)
		if (c->pm_part[i] == part) {
			*room = c->pm_room[i];
			return 0;
		}
	fprintf(stderr, "relaisctl: --room required (participant %u not added in this run)\n",
		part);
	return -EINVAL;
}

/* Queue MULTI; HSET key fields...; SADD index id; INCR rev; EXEC. */
static void queue_hset(struct rctl *c, uint32_t room, const char *kind, uint32_t id, int nf,
		       const char **fv)
{
	const char *argv[2 + 2 * 8];
	char key[96], ids[16];

	snprintf(key, sizeof(key), "relais:{room:%u}:%s:%u", room, kind, id);
	snprintf(ids, sizeof(ids), "%u", id);
	argv[0] = "HSET";
	argv[1] = key;
	for (int i = 0; i < 2 * nf; i++)
		argv[2 + i] = fv[i];
	redisAppendCommand(c->rc, "MULTI");
	redisAppendCommand(c->rc, "DEL %s", key);
	redisAppendCommandArgv(c->rc, 2 + 2 * nf, argv, NULL);
	redisAppendCommand(c->rc, "SADD relais:{room:%u}:%ss %s", room, kind, ids);
	redisAppendCommand(c->rc, "INCR relais:{room:%u}:rev", room);
	redisAppendCommand(c->rc, "EXEC");
	c->queued += 6;
	touch(c, room);
}

/* Wrap one direction's key+salt: given in hex by --<dir>-key (a batch
 * line, or relaisctl's key file or stdin options turned into it), or
 * random (printed once on stdout for the application to hand to its
 * client). */
static int wrap_dir(struct rctl *c, const struct rctl_kv *kv, uint32_t room, uint32_t part,
		    const char *dir, const struct relais_srtp_profile_info *pi,
		    const struct relais_addr *addr, uint32_t gen, char *out, char *kid)
{
	uint8_t plain[CP_KW_MAX_PLAIN];
	size_t want = (size_t)pi->key_len + pi->salt_len;
	char opt[16], aad[CP_KW_AAD_MAX], hex[2 * CP_KW_MAX_PLAIN + 1];
	const char *given;
	int rc = 0;

	snprintf(opt, sizeof(opt), "%s-key", dir);
	given = rctl_get(kv, opt);
	if (given && cp_hex_decode(given, plain, sizeof(plain)) != (int)want) {
		fprintf(stderr, "relaisctl: --%s: need %zu bytes of hex for %s\n", opt, want,
			pi->name);
		rc = -EINVAL;
	} else if (given == NULL && RAND_bytes(plain, (int)want) != 1) {
		rc = -EIO;
	}
	if (rc == 0)
		rc = cp_kw_aad(aad, sizeof(aad), room, part, dir, pi->name, addr, gen);
	if (rc == 0)
		rc = cp_kw_wrap(c->kr, aad, plain, want, out, kid);
	if (rc == 0 && given == NULL) {
		cp_hex_encode(plain, want, hex);
		printf("part %u %s_key %s\n", part, dir, hex);
		OPENSSL_cleanse(hex, sizeof(hex));
	}
	OPENSSL_cleanse(plain, sizeof(plain));
	return rc;
}

/* 1 when an origin tag is 1..RCTL_ORIGIN_MAX printable ASCII characters
 * without spaces. */
static bool origin_ok(const char *o)
{
	size_t n = strlen(o);

	if (n == 0 || n > RCTL_ORIGIN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (o[i] <= ' ' || o[i] > '~')
			return false;
	return true;
}

/* The key generation a new write of participant part takes: --gen, or the
 * one its hash holds plus one and at least the Unix time in seconds, so a
 * participant deleted and written again still goes up (the pipeline is
 * drained first so the read sees this run's earlier writes). 0 or -errno
 * (printed). */
static int next_gen(struct rctl *c, const struct rctl_kv *kv, uint32_t room, uint32_t part,
		    uint32_t *gen)
{
	uint32_t cur = 0, now = (uint32_t)time(NULL);
	char key[48];
	redisReply *r;
	int rc = 0;

	if (rctl_get(kv, "gen"))
		return rctl_u32(kv, "gen", gen, true) || *gen == 0 ? -EINVAL : 0;
	if (rctl_drain(c) < 0)
		rc = -EIO; /* the failed write is reported by rctl_drain */
	snprintf(key, sizeof(key), "relais:{room:%u}:part:%u", room, part);
	r = rc == 0 ? cp_rblock_cmd(c->rc, key, "HGET %s gen", key) : NULL;
	if (r == NULL || (r->type == REDIS_REPLY_STRING && cp_parse_u32(r->str, &cur) < 0) ||
	    cur == UINT32_MAX || r->type == REDIS_REPLY_ERROR) {
		fprintf(stderr, "relaisctl: part %u: cannot read its gen (give --gen N)\n", part);
		rc = -EIO;
	}
	freeReplyObject(r);
	*gen = cur + 1 > now ? cur + 1 : now;
	return rc;
}

/* See header: part add --room R --id P --addr A --profile NAME
 * [--rx-key HEX] [--tx-key HEX] [--fb-ssrc N] [--origin TAG] [--gen N]. */
int rctl_part_add(struct rctl *c, const struct rctl_kv *kv)
{
	const char *addr = rctl_get(kv, "addr"), *prof = rctl_get(kv, "profile");
	const char *origin = rctl_get(kv, "origin");
	const struct relais_srtp_profile_info *pi = prof ? relais_srtp_profile_by_name(prof) : NULL;
	char rx[CP_KW_MAX_WRAPPED], tx[CP_KW_MAX_WRAPPED], kid[CP_KW_KID_LEN + 1], fb[16];
	char canon[64], gs[16];
	uint32_t room, part, fbv = 0, gen;
	struct relais_addr a;
	const char *fv[16];

	if (rctl_u32(kv, "room", &room, true) || rctl_u32(kv, "id", &part, true) ||
	    rctl_u32(kv, "fb-ssrc", &fbv, false))
		return -EINVAL;
	if (addr == NULL || relais_addr_parse(addr, &a) < 0 ||
	    relais_addr_format(&a, canon, sizeof(canon)) < 0 || pi == NULL) {
		fprintf(stderr,
			"relaisctl: part add: --addr ip:port and a known --profile needed\n");
		return -EINVAL;
	}
	if (origin && !origin_ok(origin)) {
		fprintf(stderr, "relaisctl: part add: --origin: 1..%d printable characters\n",
			RCTL_ORIGIN_MAX);
		return -EINVAL;
	}
	if (!c->have_keyring) {
		fprintf(stderr,
			"relaisctl: part add needs --keyring FILE (keys are stored wrapped)\n");
		return -EINVAL;
	}
	if (next_gen(c, kv, room, part, &gen) < 0) {
		if (rctl_get(kv, "gen"))
			fprintf(stderr, "relaisctl: part add: --gen: 1..4294967295\n");
		return -EINVAL;
	}
	/* the AAD binds the canonical address and the gen (docs/schema.md) */
	if (wrap_dir(c, kv, room, part, "rx", pi, &a, gen, rx, kid) < 0 ||
	    wrap_dir(c, kv, room, part, "tx", pi, &a, gen, tx, kid) < 0)
		return -EINVAL;
	snprintf(fb, sizeof(fb), "%u", fbv);
	snprintf(gs, sizeof(gs), "%u", gen);
	fv[0] = "addr", fv[1] = canon, fv[2] = "profile", fv[3] = pi->name;
	fv[4] = "kid", fv[5] = kid, fv[6] = "rx_key", fv[7] = rx;
	fv[8] = "tx_key", fv[9] = tx, fv[10] = "fb_ssrc", fv[11] = fb;
	fv[12] = "gen", fv[13] = gs, fv[14] = "origin", fv[15] = origin;
	queue_hset(c, room, "part", part, origin ? 8 : 7, fv);
	partmap_put(c, part, room);
	return 0;
}

/* See header: track add [--room R] --id T --part P (--ssrc N | --learn)
 * --kind audio|video [--pt N] [--clock-rate N]. */
int rctl_track_add(struct rctl *c, const struct rctl_kv *kv)
{
	const char *kind = rctl_get(kv, "kind"), *fv[10];
	uint32_t room, id, part, ssrc = 0, pt = RELAIS_PT_ANY, clock = 0;
	char sp[4][16];
	int nf = 0;

	if (rctl_u32(kv, "id", &id, true) || rctl_u32(kv, "part", &part, true) ||
	    rctl_u32(kv, "ssrc", &ssrc, !rctl_get(kv, "learn")) || rctl_u32(kv, "pt", &pt, false) ||
	    rctl_u32(kv, "clock-rate", &clock, false) || room_of(c, kv, part, &room))
		return -EINVAL;
	if (kind == NULL || (strcmp(kind, "audio") && strcmp(kind, "video"))) {
		fprintf(stderr, "relaisctl: track add: --kind audio|video\n");
		return -EINVAL;
	}
	snprintf(sp[0], 16, "%u", part);
	snprintf(sp[1], 16, "%u", rctl_get(kv, "learn") ? 0 : ssrc);
	snprintf(sp[2], 16, "%u", pt);
	snprintf(sp[3], 16, "%u", clock);
	fv[nf++] = "part", fv[nf++] = sp[0], fv[nf++] = "kind", fv[nf++] = kind;
	fv[nf++] = "ssrc", fv[nf++] = sp[1];
	if (pt != RELAIS_PT_ANY)
		fv[nf++] = "pt", fv[nf++] = sp[2];
	if (clock)
		fv[nf++] = "clock_rate", fv[nf++] = sp[3];
	queue_hset(c, room, "track", id, nf / 2, fv);
	return 0;
}

/* See header: sub add [--room R] --id S --part P --track T --ssrc OUT
 * [--pt-map in:out,...] [--ext-map in:out,...]. */
int rctl_sub_add(struct rctl *c, const struct rctl_kv *kv)
{
	const char *map = rctl_get(kv, "pt-map"), *ext = rctl_get(kv, "ext-map"), *fv[10];
	uint32_t room, id, part, track, out;
	char sp[3][16];
	int nf = 0;

	if (rctl_u32(kv, "id", &id, true) || rctl_u32(kv, "part", &part, true) ||
	    rctl_u32(kv, "track", &track, true) || rctl_u32(kv, "ssrc", &out, true) ||
	    room_of(c, kv, part, &room))
		return -EINVAL;
	snprintf(sp[0], 16, "%u", part);
	snprintf(sp[1], 16, "%u", track);
	snprintf(sp[2], 16, "%u", out);
	fv[nf++] = "part", fv[nf++] = sp[0], fv[nf++] = "track", fv[nf++] = sp[1];
	fv[nf++] = "out_ssrc", fv[nf++] = sp[2];
	if (map)
		fv[nf++] = "pt_map", fv[nf++] = map;
	if (ext)
		fv[nf++] = "ext_map", fv[nf++] = ext;
	queue_hset(c, room, "sub", id, nf / 2, fv);
	return 0;
}

/* See header: {track,sub} del --room R --id N. */
int rctl_obj_del(struct rctl *c, const char *kind, const struct rctl_kv *kv)
{
	uint32_t room, id;

	if (rctl_u32(kv, "room", &room, true) || rctl_u32(kv, "id", &id, true))
		return -EINVAL;
	redisAppendCommand(c->rc, "MULTI");
	redisAppendCommand(c->rc, "SREM relais:{room:%u}:%ss %u", room, kind, id);
	redisAppendCommand(c->rc, "DEL relais:{room:%u}:%s:%u", room, kind, id);
	redisAppendCommand(c->rc, "INCR relais:{room:%u}:rev", room);
	redisAppendCommand(c->rc, "EXEC");
	c->queued += 5;
	touch(c, room);
	return 0;
}

/* Ids in a room's index of kind whose hash field f equals one of vals
 * (n of them); appended to out (cap). Returns how many, or -EIO when a
 * read failed or was refused (logged by key). */
static int ids_where(struct rctl *c, uint32_t room, const char *kind, const char *f,
		     const uint32_t *vals, int n, uint32_t *out, int cap)
{
	char key[64];
	redisReply *s;
	int m = 0;

	snprintf(key, sizeof(key), "relais:{room:%u}:%ss", room, kind);
	s = rctl_members(c, key);
	if (s == NULL)
		return -EIO;
	for (size_t i = 0; i < s->elements && m < cap; i++) {
		char hk[RCTL_KEY_MAX];
		redisReply *h;
		uint32_t v, id;

		snprintf(hk, sizeof(hk), "relais:{room:%u}:%s:%s", room, kind, s->element[i]->str);
		h = cp_rblock_cmd(c->rc, hk, "HGET %s %s", hk, f);
		if (h == NULL) {
			m = -EIO; /* logged */
			break;
		}
		if (h && h->type == REDIS_REPLY_STRING && cp_parse_u32(h->str, &v) == 0 &&
		    cp_parse_u32(s->element[i]->str, &id) == 0)
			for (int j = 0; j < n; j++)
				if (vals[j] == v) {
					out[m++] = id;
					break;
				}
		freeReplyObject(h);
	}
	freeReplyObject(s);
	return m;
}

/* Queue the delete of one object by id. */
static void del_id(struct rctl *c, uint32_t room, const char *kind, uint32_t id)
{
	char ids[16];
	struct rctl_kv kv = {.n = 2, .k = {"room", "id"}, .v = {NULL, ids}};
	char rooms[16];

	snprintf(ids, sizeof(ids), "%u", id);
	snprintf(rooms, sizeof(rooms), "%u", room);
	kv.v[0] = rooms;
	rctl_obj_del(c, kind, &kv);
}

/* See header: part del --room R --id P, with its tracks and the
 * subscriptions of and to it (the dataplane cascades the same way). */
int rctl_part_del(struct rctl *c, const struct rctl_kv *kv)
{
	enum {
		MAX = 4096
	};
	uint32_t room, part, tracks[MAX], subs[MAX];
	int nt, ns, ns2;

	if (rctl_u32(kv, "room", &room, true) || rctl_u32(kv, "id", &part, true))
		return -EINVAL;
	if (rctl_flush(c) < 0)
		return -EIO;
	nt = ids_where(c, room, "track", "part", &part, 1, tracks, MAX);
	ns = ids_where(c, room, "sub", "part", &part, 1, subs, MAX);
	ns2 = nt > 0 ? ids_where(c, room, "sub", "track", tracks, nt, subs + (ns > 0 ? ns : 0),
				 MAX - (ns > 0 ? ns : 0))
		     : 0;
	if (nt < 0 || ns < 0 || ns2 < 0)
		return -EIO;
	for (int i = 0; i < ns + ns2; i++)
		del_id(c, room, "sub", subs[i]);
	for (int i = 0; i < nt; i++)
		del_id(c, room, "track", tracks[i]);
	del_id(c, room, "part", part);
	return 0;
}

/* See header. */
int rctl_flush(struct rctl *c)
{
	for (size_t i = 0; i < c->n_touched; i++) {
		redisAppendCommand(c->rc,
				   "XADD " CP_DIR "events MAXLEN ~ 100000 * type room room %u",
				   c->touched[i]);
		c->queued++;
	}
	c->n_touched = 0;
	return rctl_drain(c);
}

/* See header. */
int rctl_drain(struct rctl *c)
{
	int rc = 0;

	for (; c->queued > 0; c->queued--) {
		redisReply *r;

		if (cp_rblock_reply(c->rc, &r) != REDIS_OK) {
			fprintf(stderr, "relaisctl: redis: %s\n", c->rc->errstr);
			c->queued = 0;
			return -EIO;
		}
		if (r->type == REDIS_REPLY_ERROR) {
			fprintf(stderr, "relaisctl: redis refused: %s\n", r->str);
			c->errors++;
			rc = -EIO;
		}
		freeReplyObject(r);
	}
	return rc;
}

/* See header. */
int rctl_room_purge(struct rctl *c, uint32_t room)
{
	static const char *const kinds[3] = {"part", "track", "sub"};
	redisReply *s[3] = {NULL, NULL, NULL};
	int k;

	/* All three indexes are read before any delete is queued: a read
	 * (cp_rblock_cmd) takes the oldest reply owed, which must be its own. */
	for (k = 0; k < 3; k++) {
		char key[64];

		snprintf(key, sizeof(key), "relais:{room:%u}:%ss", room, kinds[k]);
		s[k] = rctl_members(c, key);
		if (s[k] == NULL)
			break;
	}
	for (int q = 0; k == 3 && q < 3; q++) {
		for (size_t i = 0; i < s[q]->elements; i++)
			redisAppendCommand(c->rc, "DEL relais:{room:%u}:%s:%s", room, kinds[q],
					   s[q]->element[i]->str);
		redisAppendCommand(c->rc, "DEL relais:{room:%u}:%ss", room, kinds[q]);
		c->queued += s[q]->elements + 1;
	}
	for (int q = 0; q < 3; q++)
		freeReplyObject(s[q]);
	if (k < 3)
		return -EIO;
	redisAppendCommand(c->rc, "DEL relais:{room:%u}:rev", room);
	c->queued++;
	return rctl_flush(c);
}

/* See relaisctl.h. */
int rctl_room_place(struct rctl *c, uint32_t room, struct rctl_placement *out, char *err, size_t n)
{
	char id[16], rl[16];
	const char *argv[2] = {id, rl};
	uint64_t deadline = cp_now_ms() + (uint64_t)c->wait_ms;

	memset(out, 0, sizeof(*out));
	snprintf(id, sizeof(id), "%u", room);
	snprintf(rl, sizeof(rl), "%d", c->rate_limit);
	if (rctl_flush(c) < 0) {
		snprintf(err, n, "redis: cannot write pending objects");
		return -EIO;
	}
	for (;;) {
		redisReply *r = cp_script_call(c->rc, CP_SC_PLACE, 2, argv);
		int rc = -EINVAL;

		if (r == NULL) {
			snprintf(err, n, "redis: %s",
				 c->rc->err ? c->rc->errstr
					    : "the place script's reply was refused");
			return -EIO;
		}
		if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "RATELIMITED", 11) == 0) {
			freeReplyObject(r);
			if (cp_now_ms() >= deadline) {
				snprintf(err, n, "every node is at its placement rate limit");
				return -EAGAIN;
			}
			usleep(50000);
			continue;
		}
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
		    r->element[0]->type == REDIS_REPLY_STRING &&
		    r->element[1]->type == REDIS_REPLY_INTEGER &&
		    r->element[2]->type == REDIS_REPLY_INTEGER) {
			snprintf(out->node, sizeof(out->node), "%s", r->element[0]->str);
			out->epoch = (uint64_t)r->element[1]->integer;
			out->placed = r->element[2]->integer != 0;
			rc = 0;
		} else {
			snprintf(err, n, "%s",
				 r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		}
		freeReplyObject(r);
		return rc;
	}
}
