/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cp_desired.h"
#include "cp_rbound.h"
#include "cp_redis.h"
#include "cp_util.h"

/* Whether an HGETALL reply is a hash hget() and cookie_of() may read: an
 * array of field, value pairs, every element a plain string, at most
 * CP_HASH_MAX_FIELDS fields, no field twice. 0, or -EINVAL with the reason in
 * why_out[n]. */
static int check_hash(const redisReply *h, char *why_out, size_t n)
{
	if (h->elements % 2 != 0) {
		snprintf(why_out, n, "hash: odd number of elements (%zu)", h->elements);
		return -EINVAL;
	}
	if (h->elements / 2 > CP_HASH_MAX_FIELDS) {
		snprintf(why_out, n, "hash: more than %d fields", CP_HASH_MAX_FIELDS);
		return -EINVAL;
	}
	for (size_t i = 0; i < h->elements; i++) {
		const char *big = cp_reply_refusal(h->element[i]);

		if (big && i % 2 == 1 && cp_reply_str(h->element[i - 1])) {
			snprintf(why_out, n, "%.40s: %s", h->element[i - 1]->str, big);
			return -EINVAL;
		}
		if (big) {
			snprintf(why_out, n, "hash: field name %zu: %s", i / 2, big);
			return -EINVAL;
		}
		if (cp_reply_str(h->element[i]) == NULL) {
			snprintf(why_out, n, "hash: element %zu is not a string (reply type %d)", i,
				 h->element[i] ? h->element[i]->type : -1);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < h->elements; i += 2)
		for (size_t j = i + 2; j < h->elements; j += 2)
			if (strcmp(h->element[i]->str, h->element[j]->str) == 0) {
				snprintf(why_out, n, "%.40s: field given twice",
					 h->element[i]->str);
				return -EINVAL;
			}
	return 0;
}

/* Field of an HGETALL reply that passed check_hash(), NULL when absent. */
static const char *hget(const redisReply *h, const char *f)
{
	for (size_t i = 0; i + 1 < h->elements; i += 2)
		if (strcmp(h->element[i]->str, f) == 0)
			return h->element[i + 1]->str;
	return NULL;
}

/* Optional u32 field: absent -> def. 0 or -EINVAL. */
static int hget_u32(const redisReply *h, const char *f, uint32_t def, uint32_t *out)
{
	const char *s = hget(h, f);

	*out = def;
	return s == NULL ? 0 : cp_parse_u32(s, out);
}

/* Unwrap one direction to check it fits the profile. 0 or -errno (why):
 * -EPROTO when it authenticates only under the superseded v1 AAD. */
static int check_key(const struct cp_desired_cfg *cfg, const struct cp_dpart *d, uint32_t room,
		     const char *dir, const char *w, uint8_t *out, size_t want)
{
	uint8_t plain[CP_KW_MAX_PLAIN];
	char aad[CP_KW_AAD_MAX];
	int n;

	n = cp_kw_aad(aad, sizeof(aad), room, d->p.part_id, dir, d->profile_name, &d->p.addr,
		      d->gen);
	if (n == 0)
		n = cp_kw_unwrap(cfg->kr, d->kid, aad, w, plain, sizeof(plain));
	if (n == -EBADMSG &&
	    cp_kw_aad_v1(aad, sizeof(aad), room, d->p.part_id, dir, d->profile_name) == 0 &&
	    cp_kw_unwrap(cfg->kr, d->kid, aad, w, plain, sizeof(plain)) >= 0)
		n = -EPROTO;
	if (n >= 0 && (size_t)n != want)
		n = -ERANGE;
	if (n >= 0 && out != NULL)
		memcpy(out, plain, want);
	OPENSSL_cleanse(plain, sizeof(plain));
	return n < 0 ? n : 0;
}

/* Why a key check failed, for the log line (never the key itself). */
static const char *key_err(int rc)
{
	switch (rc) {
	case -ENOKEY:
		return "unknown key id (kid)";
	case -ERANGE:
		return "wrapped key does not fit the profile's key+salt length";
	case -EPROTO:
		return "wrapped in the old v1 format, without address and gen (re-wrap: "
		       "docs/schema.md)";
	case -EBADMSG:
		return "wrapped for another address or generation, or not authentic (re-wrap: "
		       "docs/schema.md)";
	default:
		return "not a wrapped key (hex nonce|ciphertext|tag)";
	}
}

/* The size of the reason buffer of the parse_* functions. */
#define WHY_LEN sizeof(((struct cp_refusal *)0)->why)

/* Parse and validate one participant hash; prev is the participant as
 * last accepted (NULL: none), whose gen it may not go below. 0, or -EINVAL
 * with the reason ("field: why") in why[WHY_LEN]. */
static int parse_part(const struct cp_desired_cfg *cfg, const redisReply *h, uint32_t room,
		      uint32_t id, const struct cp_dpart *prev, struct cp_dpart *d, char *why_out)
{
	const struct relais_srtp_profile_info *pi = NULL;
	const char *s, *why = NULL;
	const char *rx = hget(h, "rx_key"), *tx = hget(h, "tx_key"), *kid = hget(h, "kid");
	const char *dir;
	size_t want;
	int rc;

	memset(d, 0, sizeof(*d));
	d->p.room_id = room;
	d->p.part_id = id;
	if ((s = hget(h, "addr")) == NULL || relais_addr_parse(s, &d->p.addr) < 0)
		why = "addr: missing or not ip:port";
	else if ((s = hget(h, "profile")) == NULL || !(pi = relais_srtp_profile_by_name(s)))
		why = "profile: missing or unknown";
	else if (hget_u32(h, "fb_ssrc", 0, &d->p.fb_ssrc) < 0)
		why = "fb_ssrc: not a 32-bit integer";
	else if (hget_u32(h, "gen", 1, &d->gen) < 0 || d->gen == 0)
		why = "gen: not a 32-bit integer of at least 1";
	else if (kid == NULL || strlen(kid) > CP_KW_KID_LEN || rx == NULL || tx == NULL ||
		 strlen(rx) >= CP_KW_MAX_WRAPPED || strlen(tx) >= CP_KW_MAX_WRAPPED)
		why = "kid, rx_key, tx_key: missing or too long";
	if (why == NULL && prev != NULL && d->gen < prev->gen) {
		snprintf(why_out, WHY_LEN, "gen: %u lower than the generation already applied (%u)",
			 d->gen, prev->gen);
		return -EINVAL;
	}
	if (why) {
		snprintf(why_out, WHY_LEN, "%s", why);
		return -EINVAL;
	}
	d->p.rx_key.profile = d->p.tx_key.profile = (uint16_t)pi->id;
	snprintf(d->profile_name, sizeof(d->profile_name), "%s", pi->name);
	strcpy(d->kid, kid);
	strcpy(d->rx_w, rx);
	strcpy(d->tx_w, tx);
	want = (size_t)pi->key_len + pi->salt_len;
	dir = "rx";
	if ((rc = check_key(cfg, d, room, dir, rx, NULL, want)) == 0) {
		dir = "tx";
		rc = check_key(cfg, d, room, dir, tx, NULL, want);
	}
	if (rc < 0) {
		snprintf(why_out, WHY_LEN, "%s_key: %s", dir, key_err(rc));
		return -EINVAL;
	}
	return 0;
}

/* See header. */
int cp_part_keys(const struct cp_desired_cfg *cfg, const struct cp_dpart *d,
		 struct relais_ctl_part *m)
{
	const struct relais_srtp_profile_info *pi = relais_srtp_profile_get(d->p.rx_key.profile);
	uint8_t buf[CP_KW_MAX_PLAIN];
	size_t kl = pi->key_len, sl = pi->salt_len;
	int rc;

	*m = d->p;
	rc = check_key(cfg, d, d->p.room_id, "rx", d->rx_w, buf, kl + sl);
	if (rc == 0) {
		memcpy(m->rx_key.key, buf, kl);
		memcpy(m->rx_key.salt, buf + kl, sl);
		rc = check_key(cfg, d, d->p.room_id, "tx", d->tx_w, buf, kl + sl);
	}
	if (rc == 0) {
		memcpy(m->tx_key.key, buf, kl);
		memcpy(m->tx_key.salt, buf + kl, sl);
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* The slot of id in the id set of kind k (open addressing, linear
 * probing): where id is, or the empty slot (0) where it would go. The set
 * has at least twice as many slots as the kind's index listed, so a probe
 * always ends. NULL when the kind has no set (its index not read). */
static uint32_t *id_slot(const struct cp_droom *r, int k, uint32_t id)
{
	uint32_t m = r->id_mask[k], h = (id * 2654435761u) & m;

	if (r->ids[k] == NULL)
		return NULL;
	while (r->ids[k][h] != 0 && r->ids[k][h] != id)
		h = (h + 1) & m;
	return &r->ids[k][h];
}

/* Whether the room holds a valid object of kind k with id (ids are
 * non-zero), in constant time: validation stays linear in the room. */
static bool has_id(const struct cp_droom *r, int k, uint32_t id)
{
	const uint32_t *slot = id_slot(r, k, id);

	return id != 0 && slot != NULL && *slot == id;
}

/* Record a valid object of kind k with id (non-zero, not yet there); a
 * participant is the last of r->parts. */
static void add_id(struct cp_droom *r, int k, uint32_t id)
{
	uint32_t *slot = id_slot(r, k, id);

	if (slot)
		*slot = id;
	if (slot && k == 0 && r->part_at)
		r->part_at[slot - r->ids[0]] = r->n_parts - 1;
}

/* See header. */
const struct cp_dpart *cp_room_part(const struct cp_droom *r, uint32_t id)
{
	const uint32_t *slot;

	if (r == NULL || !has_id(r, 0, id) || r->part_at == NULL)
		return NULL;
	slot = id_slot(r, 0, id);
	return &r->parts[r->part_at[slot - r->ids[0]]];
}

/* The id set of kind k sized for n objects (a power of two of at least
 * 2n + 2 slots). 0 or -ENOMEM. */
static int alloc_ids(struct cp_droom *r, int k, size_t n)
{
	size_t slots = 4;

	while (slots < 2 * n + 2)
		slots *= 2;
	r->ids[k] = calloc(slots, sizeof(*r->ids[k]));
	r->id_mask[k] = (uint32_t)(slots - 1);
	if (k == 0)
		r->part_at = calloc(slots, sizeof(*r->part_at));
	return r->ids[k] && (k != 0 || r->part_at) ? 0 : -ENOMEM;
}

/* Parse and validate one track hash against the room's parts. 0, or
 * -EINVAL with the reason in why[WHY_LEN]. */
static int parse_track(const redisReply *h, const struct cp_droom *r, uint32_t id,
		       struct relais_ctl_track *t, char *why_out)
{
	const char *kind = hget(h, "kind"), *why = NULL;
	uint32_t pt;

	memset(t, 0, sizeof(*t));
	t->track_id = id;
	if (hget_u32(h, "part", 0, &t->part_id) < 0 || !has_id(r, 0, t->part_id))
		why = "part: missing or not a valid participant of the room";
	else if (kind == NULL || (strcmp(kind, "audio") && strcmp(kind, "video")))
		why = "kind: must be audio or video";
	else if (hget_u32(h, "ssrc", 0, &t->ssrc) < 0)
		why = "ssrc: not a 32-bit integer";
	else if (hget_u32(h, "pt", RELAIS_PT_ANY, &pt) < 0 || (pt > 127 && pt != RELAIS_PT_ANY))
		why = "pt: not 0..127";
	else if (hget_u32(h, "clock_rate", 0, &t->clock_rate) < 0)
		why = "clock_rate: not a 32-bit integer";
	if (why) {
		snprintf(why_out, WHY_LEN, "%s", why);
		return -EINVAL;
	}
	t->kind = strcmp(kind, "audio") == 0 ? RELAIS_TRACK_AUDIO : RELAIS_TRACK_VIDEO;
	if (t->clock_rate == 0) /* RFC 7587 §4.1 (Opus), RFC 6184 §8.2.1 (H.264) */
		t->clock_rate = t->kind == RELAIS_TRACK_AUDIO ? 48000 : 90000;
	t->flags = t->ssrc == 0 ? RELAIS_TRACK_F_LEARN_SSRC : 0;
	t->pt = (uint8_t)pt;
	return 0;
}

/* One number at *p: 1 to 3 decimal digits, at most max (no sign, no
 * space). Advances *p past it. 0/-EINVAL. */
static int small_num(const char **p, unsigned max, unsigned *v)
{
	const char *c = *p;
	unsigned n = 0;

	while (isdigit((unsigned char)*c) && c - *p < 3)
		n = n * 10 + (unsigned)(*c++ - '0');
	if (c == *p || n > max)
		return -EINVAL;
	*v = n;
	*p = c;
	return 0;
}

/* One payload type at *p, 0..127. */
static int pt_num(const char **p, unsigned *v)
{
	return small_num(p, 127, v);
}

/* Parse "in:out,in:out" (no trailing comma; may be empty) into s's header
 * extension map: ids in 1..14, out 0..14 (0: dropped). A field that is
 * there, even empty, turns the map on (ids not listed are dropped).
 * 0/-EINVAL. */
static int parse_ext_map(const char *m, struct relais_ctl_sub *s)
{
	if (m == NULL)
		return 0;
	s->has_ext_map = 1;
	while (*m) {
		unsigned in, out;

		if (small_num(&m, 14, &in) < 0 || in == 0 || *m != ':')
			return -EINVAL;
		m++;
		if (small_num(&m, 14, &out) < 0)
			return -EINVAL;
		s->ext_map[in] = (uint8_t)out;
		if (*m == ',' && m[1] != '\0')
			m++;
		else if (*m)
			return -EINVAL;
	}
	return 0;
}

/* Parse "in:out,in:out" (no trailing comma) into s's pt map. 0/-EINVAL. */
static int parse_pt_map(const char *m, struct relais_ctl_sub *s)
{
	while (m && *m) {
		unsigned in, out;

		if (s->n_pt == RELAIS_CTL_MAX_PT_MAP || pt_num(&m, &in) < 0 || *m != ':')
			return -EINVAL;
		m++;
		if (pt_num(&m, &out) < 0)
			return -EINVAL;
		s->pt_map[s->n_pt][0] = (uint8_t)in;
		s->pt_map[s->n_pt][1] = (uint8_t)out;
		s->n_pt++;
		if (*m == ',' && m[1] != '\0')
			m++;
		else if (*m)
			return -EINVAL;
	}
	return 0;
}

/* Parse and validate one subscription hash. 0, or -EINVAL with the reason
 * in why[WHY_LEN]. */
static int parse_sub(const redisReply *h, const struct cp_droom *r, uint32_t id,
		     struct relais_ctl_sub *s, char *why_out)
{
	const char *why = NULL;

	memset(s, 0, sizeof(*s));
	s->sub_id = id;
	if (hget_u32(h, "part", 0, &s->part_id) < 0 || !has_id(r, 0, s->part_id))
		why = "part: missing or not a valid participant of the room";
	else if (hget_u32(h, "track", 0, &s->track_id) < 0 || !has_id(r, 1, s->track_id))
		why = "track: missing or not a valid track of the room";
	else if (hget(h, "out_ssrc") == NULL || hget_u32(h, "out_ssrc", 0, &s->out_ssrc) < 0 ||
		 s->out_ssrc == 0)
		why = "out_ssrc: missing or not a non-zero 32-bit integer";
	else if (parse_pt_map(hget(h, "pt_map"), s) < 0)
		why = "pt_map: not in:out[,in:out] (at most 8, 0..127)";
	else if (parse_ext_map(hget(h, "ext_map"), s) < 0)
		why = "ext_map: not in:out[,in:out] (ids 1..14, out 0..14)";
	if (why) {
		snprintf(why_out, WHY_LEN, "%s", why);
		return -EINVAL;
	}
	return 0;
}

/* Cookie of an object: FNV-1a over its kind, room, epoch and every field of
 * its hash (wrapped keys included), so any change of content, key or owner
 * epoch makes it a different object. */
static uint64_t cookie_of(char kind, uint32_t room, uint64_t epoch, const redisReply *h)
{
	uint64_t c = cp_fnv(CP_FNV_INIT, &kind, 1);
	uint64_t pairs = 0;

	c = cp_fnv(c, &room, sizeof(room));
	c = cp_fnv(c, &epoch, sizeof(epoch));
	/* Order-independent over the pairs: HGETALL's order is not part of the
	 * schema. */
	for (size_t i = 0; i + 1 < h->elements; i += 2)
		pairs +=
		    cp_fnv_str(cp_fnv_str(CP_FNV_INIT, h->element[i]->str), h->element[i + 1]->str);
	c = cp_fnv(c, &pairs, sizeof(pairs));
	return c ? c : 1;
}

static const char *const kind_name[3] = {"part", "track", "sub"};

/* Validate participant oid (its hash h, checked) into the room. A refused
 * participant that prev holds is kept as prev holds it (its cookie too, so
 * the dataplane is not touched): -EACCES then, the reason in why. 0, or
 * -EINVAL with the reason in why[WHY_LEN]. */
static int add_part(const struct cp_desired_cfg *cfg, struct cp_droom *r,
		    const struct cp_droom *prev, uint32_t oid, const redisReply *h, char *why)
{
	const struct cp_dpart *old = cp_room_part(prev, oid);
	struct cp_dpart *d = &r->parts[r->n_parts];

	if (parse_part(cfg, h, r->id, oid, old, d, why) == 0) {
		d->p.cookie = cookie_of('p', r->id, r->epoch, h);
		r->n_parts++;
		return 0;
	}
	if (old == NULL)
		return -EINVAL;
	*d = *old;
	r->n_parts++;
	return -EACCES;
}

/* Validate object oid of kind k (its HGETALL reply h, an array) into the
 * room. 0, -EACCES (refused, its accepted state kept: add_part) or -EINVAL,
 * with the reason in why[WHY_LEN]. */
static int add_object(const struct cp_desired_cfg *cfg, struct cp_droom *r,
		      const struct cp_droom *prev, int k, uint32_t oid, const redisReply *h,
		      char *why)
{
	int rc;

	if (check_hash(h, why, WHY_LEN) < 0)
		return -EINVAL;
	if (has_id(r, k, oid)) {
		snprintf(why, WHY_LEN, "id: %u given twice in the index", oid);
		return -EINVAL;
	}
	if (k == 0) {
		rc = add_part(cfg, r, prev, oid, h, why);
	} else if (k == 1) {
		rc = parse_track(h, r, oid, &r->tracks[r->n_tracks], why);
		if (rc == 0)
			r->tracks[r->n_tracks++].cookie = cookie_of('t', r->id, r->epoch, h);
	} else {
		rc = parse_sub(h, r, oid, &r->subs[r->n_subs], why);
		if (rc == 0)
			r->subs[r->n_subs++].cookie = cookie_of('s', r->id, r->epoch, h);
	}
	if (rc == 0 || rc == -EACCES)
		add_id(r, k, oid);
	return rc;
}

/* Objects of kind k the room holds (valid ones). */
static int room_count(const struct cp_droom *r, int k)
{
	return k == 0 ? r->n_parts : k == 1 ? r->n_tracks : r->n_subs;
}

/* The words of an error reply (WRONGTYPE ...), or def when x is not an
 * error or an error without words ("-\r\n" is one). */
static const char *error_words(const redisReply *x, const char *def)
{
	return x->type == REDIS_REPLY_ERROR && x->str && x->str[0] ? x->str : def;
}

/* Why a reply that is not an array is no object: a Redis error (a key of
 * the wrong type: WRONGTYPE) word for word, nil or an empty hash as
 * missing, anything else by its type. */
static void not_a_hash(const redisReply *h, char *why)
{
	if (h == NULL)
		snprintf(why, WHY_LEN, "no reply");
	else if (h->type == REDIS_REPLY_ERROR)
		snprintf(why, WHY_LEN, "%s", error_words(h, "error reply without words"));
	else if (h->type == REDIS_REPLY_NIL || h->type == REDIS_REPLY_ARRAY)
		snprintf(why, WHY_LEN, "missing (listed in the index only)");
	else
		snprintf(why, WHY_LEN, "not a hash (reply type %d)", h->type);
}

/* See header. */
void cp_room_object(const struct cp_desired_cfg *cfg, struct cp_droom *r,
		    const struct cp_droom *prev, int k, const char *s, const redisReply *h)
{
	char obj[sizeof(((struct cp_refusal *)0)->obj)];
	char why[WHY_LEN];
	uint32_t oid;
	int rc = 0;

	if (k < 0 || k > 2)
		return;
	if (s == NULL)
		s = "";
	snprintf(obj, sizeof(obj), "%s:%s", kind_name[k], s);
	if (cp_parse_u32(s, &oid) < 0 || oid == 0)
		snprintf(why, sizeof(why), "id: not a non-zero 32-bit integer");
	else if (h == NULL || h->type != REDIS_REPLY_ARRAY || h->elements == 0)
		not_a_hash(h, why);
	else if (room_count(r, k) >= r->cap[k])
		snprintf(why, sizeof(why), "more objects than the index listed");
	else if ((rc = add_object(cfg, r, prev, k, oid, h, why)) == 0)
		return;
	CP_WARN("refusing relais:{room:%u}:%s:%s: %s%s", r->id, kind_name[k], s, why,
		rc == -EACCES ? " (keeping the participant as applied)" : "");
	cp_room_refuse(r, obj, false, why);
}

/* See header. */
const char *cp_room_kind(int k)
{
	return k >= 0 && k < 3 ? kind_name[k] : "?";
}

/* See header. */
void cp_room_begin(struct cp_droom *r, uint32_t id, uint64_t epoch)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->epoch = epoch;
}

/* See header. */
int cp_room_index(const struct cp_desired_cfg *cfg, struct cp_droom *r, int k,
		  const redisReply *set, size_t *total)
{
	size_t n = 0;
	void *v;

	if (k < 0 || k > 2 || set == NULL ||
	    (k == 0   ? (void *)r->parts
	     : k == 1 ? (void *)r->tracks
		      : (void *)r->subs) != NULL)
		return -EINVAL; /* no such kind, or its index given twice */
	if (set->type != REDIS_REPLY_ARRAY) {
		char obj[16], why[WHY_LEN];

		snprintf(obj, sizeof(obj), "%ss", kind_name[k]);
		snprintf(why, sizeof(why), "not a set (%s)", error_words(set, "wrong type"));
		CP_WARN("refusing relais:{room:%u}:%s: %s", r->id, obj, why);
		cp_room_refuse(r, obj, false, why);
	} else {
		n = set->elements;
	}
	r->index_capped |= n > (size_t)cfg->max_objects; /* a bounded read */
	*total += n;
	if (*total > (size_t)cfg->max_objects)
		return -E2BIG;
	if (k == 0)
		v = r->parts = calloc(n + 1, sizeof(*r->parts));
	else if (k == 1)
		v = r->tracks = calloc(n + 1, sizeof(*r->tracks));
	else
		v = r->subs = calloc(n + 1, sizeof(*r->subs));
	if (v == NULL || alloc_ids(r, k, n) < 0)
		return -ENOMEM;
	r->cap[k] = (int)n;
	return (int)n;
}

/* See header. */
const char *cp_room_member(const redisReply *set, size_t i)
{
	const char *s;

	if (set == NULL || set->type != REDIS_REPLY_ARRAY || i >= set->elements)
		return "";
	s = cp_reply_str(set->element[i]);
	return s != NULL && strlen(s) < CP_MEMBER_MAX ? s : "";
}

/* See header. */
int cp_room_check_total(const struct cp_desired_cfg *cfg, struct cp_droom *r, size_t total)
{
	uint32_t before = r->n_refused; /* index sets of the wrong type */
	char why[WHY_LEN];

	if (total <= (size_t)cfg->max_objects)
		return 0;
	snprintf(why, sizeof(why), "%zu%s objects, more than max_objects %d", total,
		 r->index_capped ? " or more" : "", cfg->max_objects);
	CP_WARN("refusing room relais:{room:%u}: %s", r->id, why);
	cp_room_refuse(r, "room", false, why);
	r->n_refused = total >= UINT32_MAX - before ? UINT32_MAX : before + (uint32_t)total;
	return -E2BIG;
}

/* See header. */
void cp_room_refuse(struct cp_droom *r, const char *obj, bool apply, const char *why)
{
	struct cp_refusal *f;

	if (r->n_refused < UINT32_MAX)
		r->n_refused++;
	if (r->refusals == NULL)
		r->refusals = calloc(CP_REFUSALS_KEPT, sizeof(*r->refusals));
	if (r->refusals == NULL || r->n_kept == CP_REFUSALS_KEPT)
		return;
	f = &r->refusals[r->n_kept++];
	snprintf(f->obj, sizeof(f->obj), "%s", obj);
	snprintf(f->why, sizeof(f->why), "%s", why);
	f->apply = apply;
}

/* See header. Refusals past the kept ones cannot be told apart by origin;
 * apply-time ones are re-counted by the next apply anyway. */
void cp_room_clear_apply_refusals(struct cp_droom *r)
{
	int m = 0;

	for (int i = 0; i < r->n_kept; i++)
		if (!r->refusals[i].apply)
			r->refusals[m++] = r->refusals[i];
	r->n_refused -= (uint32_t)(r->n_kept - m);
	r->n_kept = m;
}

/* See header. */
uint64_t cp_room_status_sig(const struct cp_droom *r)
{
	uint64_t c = cp_fnv(CP_FNV_INIT, &r->epoch, sizeof(r->epoch));
	uint64_t sum = 0;

	c = cp_fnv(c, &r->n_refused, sizeof(r->n_refused));
	for (int i = 0; i < r->n_kept; i++)
		sum += cp_fnv_str(cp_fnv_str(CP_FNV_INIT, r->refusals[i].obj), r->refusals[i].why);
	c = cp_fnv(c, &sum, sizeof(sum));
	return c ? c : 1;
}

/* See header. */
void cp_room_free(struct cp_droom *r)
{
	if (r->parts)
		OPENSSL_cleanse(r->parts, sizeof(*r->parts) * (size_t)r->n_parts);
	free(r->parts);
	free(r->tracks);
	free(r->subs);
	free(r->refusals);
	r->refusals = NULL;
	r->n_kept = 0;
	r->n_refused = 0;
	r->parts = NULL;
	r->tracks = NULL;
	r->subs = NULL;
	for (int k = 0; k < 3; k++) {
		free(r->ids[k]);
		r->ids[k] = NULL;
	}
	free(r->part_at);
	r->part_at = NULL;
	r->index_capped = false;
	r->n_parts = r->n_tracks = r->n_subs = 0;
	memset(r->cap, 0, sizeof(r->cap));
}
