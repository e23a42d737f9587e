/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's reading of a room from Redis (controlplane/cp_desired.c)
 * and its number parser (cp_util.c). Replies are made by hiredis's own reader
 * from RESP text, as the control plane receives them: a valid room; every
 * refusal with the object and the reason it is reported under (wrong key
 * length, unknown profile, bad address, SSRC and pt_map, ids given twice,
 * elements that are not strings, nil, WRONGTYPE errors, oversized rooms);
 * validation linear in the room (100,000 subscriptions well under 2 s);
 * cp_parse_u64/u32 (decimal, never octal, 0x hex, no sign, bounds); the
 * wrapped keys' AAD text and its binding to address and gen (re-pointing,
 * roll-back and v1 keys refused, the accepted participant kept).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "cp_desired.h"
#include "cp_keywrap.h"
#include "cp_util.h"

#define CHECK_MAIN
#include "check.h"

#define ROOM 7
#define P80 "AES_CM_128_HMAC_SHA1_80"

static struct cp_keyring kr;
static struct cp_desired_cfg cfg = {.kr = &kr, .max_objects = 100};

/* The one reply hiredis's reader makes of len bytes of RESP; NULL if it
 * makes none. */
static redisReply *resp_n(const char *text, size_t len)
{
	redisReader *rd = redisReaderCreate();
	void *reply = NULL;

	if (rd == NULL)
		return NULL;
	if (redisReaderFeed(rd, text, len) != REDIS_OK ||
	    redisReaderGetReply(rd, &reply) != REDIS_OK)
		reply = NULL;
	redisReaderFree(rd);
	return reply;
}

/* resp_n() of a string. */
static redisReply *resp(const char *text)
{
	return resp_n(text, strlen(text));
}

/* RESP of an array of bulk strings (a NULL-terminated list), as SMEMBERS
 * and HGETALL send them. */
static redisReply *strs(const char *first, ...)
{
	static char text[8192];
	const char *s;
	size_t n = 0, off;
	va_list ap;

	va_start(ap, first);
	for (s = first; s; s = va_arg(ap, const char *))
		n++;
	va_end(ap);
	off = (size_t)snprintf(text, sizeof(text), "*%zu\r\n", n);
	va_start(ap, first);
	for (s = first; s; s = va_arg(ap, const char *))
		off += (size_t)snprintf(text + off, sizeof(text) - off, "$%zu\r\n%s\r\n", strlen(s),
					s);
	va_end(ap);
	return resp(text);
}

/* key+salt of len bytes wrapped for participant part at addr (one that
 * does not parse: 10.0.0.1:1) and gen, direction dir. */
static void wrap(uint32_t part, const char *dir, const char *profile, const char *addr,
		 uint32_t gen, size_t len, char *out)
{
	uint8_t plain[CP_KW_MAX_PLAIN];
	char aad[CP_KW_AAD_MAX], kid[CP_KW_KID_LEN + 1];
	struct relais_addr a;

	if (relais_addr_parse(addr, &a) < 0)
		relais_addr_parse("10.0.0.1:1", &a);
	for (size_t i = 0; i < len; i++)
		plain[i] = (uint8_t)(part * 16 + i + (dir[0] == 't'));
	CHECK(cp_kw_aad(aad, sizeof(aad), ROOM, part, dir, profile, &a, gen) == 0);
	CHECK(cp_kw_wrap(&kr, aad, plain, len, out, kid) == 0);
}

/* The HGETALL reply of a valid participant (with rx/tx keys of rx_len and
 * tx_len bytes), the fields from `extra` replacing their defaults. */
static redisReply *part_hash(uint32_t id, const char *addr, const char *profile, size_t rx_len,
			     size_t tx_len)
{
	static char rx[CP_KW_MAX_WRAPPED], tx[CP_KW_MAX_WRAPPED];

	wrap(id, "rx", profile, addr, 1, rx_len, rx);
	wrap(id, "tx", profile, addr, 1, tx_len, tx);
	return strs("addr", addr, "profile", profile, "kid", "k1", "rx_key", rx, "tx_key", tx,
		    NULL);
}

/* The last refusal recorded for room r. */
static const struct cp_refusal *last(const struct cp_droom *r)
{
	static const struct cp_refusal none = {"(none)", "(none)", false};

	return r->n_kept > 0 ? &r->refusals[r->n_kept - 1] : &none;
}

/* Begin room ROOM with index sets of n0 parts, n1 tracks, n2 subs (ids
 * 1..n), each index refused or accepted as cp_room_index says. */
static void begin(struct cp_droom *r, int n0, int n1, int n2)
{
	int n[3] = {n0, n1, n2};
	size_t total = 0;

	cp_room_begin(r, ROOM, 3);
	for (int k = 0; k < 3; k++) {
		char text[512];
		int off = snprintf(text, sizeof(text), "*%d\r\n", n[k]);
		redisReply *set;

		for (int i = 1; i <= n[k]; i++)
			off += snprintf(text + off, sizeof(text) - (size_t)off, "$%d\r\n%d\r\n",
					i < 10 ? 1 : 2, i);
		set = resp(text);

		CHECK_EQ(cp_room_index(&cfg, r, k, set, &total), n[k], "index size");
		freeReplyObject(set);
	}
	CHECK_EQ(cp_room_check_total(&cfg, r, total), 0, "room size accepted");
}

#define BAD_AUTH                                                                         \
	"rx_key: wrapped for another address or generation, or not authentic (re-wrap: " \
	"docs/schema.md)"

/* Feed object id of kind k from RESP reply h (freed). */
static void object(struct cp_droom *r, int k, const char *id, redisReply *h)
{
	cp_room_object(&cfg, r, NULL, k, id, h);
	freeReplyObject(h);
}

/* Expect the last object fed to have been refused as obj for why. */
static void refused(const struct cp_droom *r, uint32_t n, const char *obj, const char *why)
{
	CHECK_EQ(r->n_refused, n, obj);
	CHECK_STR(last(r)->obj, obj);
	CHECK_STR(last(r)->why, why);
}

/* Feed object id of kind k from RESP reply h (freed), the room as last
 * accepted being prev. */
static void object_after(struct cp_droom *r, const struct cp_droom *prev, const char *id,
			 redisReply *h)
{
	cp_room_object(&cfg, r, prev, 0, id, h);
	freeReplyObject(h);
}

/* Participant 1's hash at addr with hash gen `gen` (NULL: no field), its
 * keys wrapped for addr wa and generation wg. */
static redisReply *bound_part(const char *addr, const char *gen, const char *wa, uint32_t wg)
{
	static char rx[CP_KW_MAX_WRAPPED], tx[CP_KW_MAX_WRAPPED];

	wrap(1, "rx", P80, wa, wg, 30, rx);
	wrap(1, "tx", P80, wa, wg, 30, tx);
	return strs("addr", addr, "profile", P80, "kid", "k1", "rx_key", rx, "tx_key", tx,
		    gen ? "gen" : NULL, gen, NULL);
}

/* The AAD's exact text (docs/schema.md), IPv4 and IPv6. */
static void test_aad_format(void)
{
	char aad[CP_KW_AAD_MAX];
	struct relais_addr a;

	relais_addr_parse("10.0.0.1:5000", &a);
	CHECK_EQ(cp_kw_aad(aad, sizeof(aad), 7, 3, "rx", P80, &a, 2), 0, "aad v4");
	CHECK_STR(aad, "relais-key-v2|7|3|rx|AES_CM_128_HMAC_SHA1_80|10.0.0.1:5000|2");
	relais_addr_parse("[2001:DB8:0:0::1]:443", &a);
	CHECK_EQ(cp_kw_aad(aad, sizeof(aad), 4294967295u, 1, "tx", P80, &a, 4294967295u), 0,
		 "aad v6");
	CHECK_STR(aad, "relais-key-v2|4294967295|1|tx|AES_CM_128_HMAC_SHA1_80|[2001:db8::1]:443|"
		       "4294967295");
	CHECK_EQ(cp_kw_aad(aad, 40, 7, 3, "rx", P80, &a, 2), -ENAMETOOLONG, "aad too small");
	CHECK_EQ(cp_kw_aad_v1(aad, sizeof(aad), 7, 3, "rx", P80), 0, "aad v1");
	CHECK_STR(aad, "relais-key-v1|7|3|rx|AES_CM_128_HMAC_SHA1_80");
}

/* Keys bound to address and generation: a re-pointed address, a gen the
 * keys were not wrapped for, a key in the v1 format, a gen rolled back
 * below the one accepted (kept as accepted), a legitimate re-write. */
static void test_binding(void)
{
	static const char *const ip = "192.0.2.1:5000", *const ip2 = "192.0.2.2:5000";
	struct cp_droom a, b;
	char rx[CP_KW_MAX_WRAPPED], tx[CP_KW_MAX_WRAPPED], aad[CP_KW_AAD_MAX];
	char kid[CP_KW_KID_LEN + 1];
	uint8_t plain[30] = {1};

	begin(&a, 1, 0, 0);
	object(&a, 0, "1", bound_part(ip, NULL, ip, 1)); /* no gen field: 1 */
	CHECK_EQ(a.n_parts, 1, "gen absent means 1");
	cp_room_free(&a);
	begin(&a, 1, 0, 0);
	object(&a, 0, "1", bound_part(ip2, "2", ip, 2));
	refused(&a, 1, "part:1", BAD_AUTH);
	object(&a, 0, "1", bound_part(ip, "3", ip, 2));
	refused(&a, 2, "part:1", BAD_AUTH);
	object(&a, 0, "1", bound_part(ip, "0", ip, 0 + 1));
	refused(&a, 3, "part:1", "gen: not a 32-bit integer of at least 1");
	cp_kw_aad_v1(aad, sizeof(aad), ROOM, 1, "rx", P80);
	CHECK(cp_kw_wrap(&kr, aad, plain, 30, rx, kid) == 0);
	cp_kw_aad_v1(aad, sizeof(aad), ROOM, 1, "tx", P80);
	CHECK(cp_kw_wrap(&kr, aad, plain, 30, tx, kid) == 0);
	object(&a, 0, "1",
	       strs("addr", ip, "profile", P80, "kid", "k1", "rx_key", rx, "tx_key", tx, NULL));
	refused(&a, 4, "part:1",
		"rx_key: wrapped in the old v1 format, without address and gen (re-wrap: "
		"docs/schema.md)");
	CHECK_EQ(a.n_parts, 0, "nothing accepted without a previous state");
	object(&a, 0, "1", bound_part(ip, "2", ip, 2));
	CHECK_EQ(a.n_parts, 1, "gen 2 accepted");
	/* The next load, a writer without the deployment key re-points it. */
	begin(&b, 1, 0, 0);
	object_after(&b, &a, "1", bound_part(ip2, "2", ip, 2));
	refused(&b, 1, "part:1", BAD_AUTH);
	CHECK_EQ(b.n_parts, 1, "re-pointed participant kept as accepted");
	CHECK_EQ(b.parts[0].p.cookie, a.parts[0].p.cookie, "same cookie: dataplane untouched");
	CHECK(memcmp(&b.parts[0].p.addr, &a.parts[0].p.addr, sizeof(a.parts[0].p.addr)) == 0);
	CHECK(cp_room_part(&b, 1) == &b.parts[0]);
	cp_room_free(&b);
	/* ... or restores an older (gen, keys) snapshot. */
	begin(&b, 1, 0, 0);
	object_after(&b, &a, "1", bound_part(ip2, "1", ip2, 1));
	refused(&b, 1, "part:1", "gen: 1 lower than the generation already applied (2)");
	CHECK_EQ(b.n_parts, 1, "rolled-back participant kept as accepted");
	CHECK_EQ(b.parts[0].gen, 2, "kept at gen 2");
	cp_room_free(&b);
	/* A legitimate re-write: new address, next gen. */
	begin(&b, 1, 0, 0);
	object_after(&b, &a, "1", bound_part(ip2, "3", ip2, 3));
	CHECK_EQ(b.n_refused, 0, "re-write accepted");
	CHECK_EQ(b.parts[0].gen, 3, "gen 3");
	CHECK(b.parts[0].p.cookie != a.parts[0].p.cookie);
	cp_room_free(&b);
	cp_room_free(&a);
}

static void test_valid_room(void)
{
	struct cp_droom r;
	struct relais_ctl_part m;

	begin(&r, 2, 2, 1);
	object(&r, 0, "1", part_hash(1, "192.0.2.1:5000", P80, 30, 30));
	object(&r, 0, "2", part_hash(2, "[2001:db8::1]:5002", "AEAD_AES_256_GCM", 44, 44));
	object(&r, 1, "1", strs("part", "1", "kind", "video", NULL));
	object(&r, 1, "2",
	       strs("part", "0x2", "kind", "audio", "ssrc", "4294967295", "pt", "111", "clock_rate",
		    "16000", NULL));
	object(&r, 2, "1",
	       strs("part", "2", "track", "1", "out_ssrc", "010", "pt_map", "96:100,97:101,0:127",
		    "ext_map", "1:3,4:0,14:14", NULL));
	CHECK_EQ(r.n_refused, 0, "nothing refused");
	CHECK_EQ(r.n_parts, 2, "parts");
	CHECK_EQ(r.n_tracks, 2, "tracks");
	CHECK_EQ(r.n_subs, 1, "subs");
	CHECK_EQ(r.parts[1].p.part_id, 2, "part id");
	CHECK_EQ(r.parts[1].p.room_id, ROOM, "part room");
	CHECK_STR(r.parts[1].profile_name, "AEAD_AES_256_GCM");
	CHECK(r.parts[0].p.cookie != 0 && r.parts[0].p.cookie != r.parts[1].p.cookie);
	CHECK_EQ(r.tracks[0].flags, RELAIS_TRACK_F_LEARN_SSRC, "no ssrc: learnt");
	CHECK_EQ(r.tracks[0].clock_rate, 90000, "video clock default");
	CHECK_EQ(r.tracks[0].pt, RELAIS_PT_ANY, "pt default: any");
	CHECK_EQ(r.tracks[1].part_id, 2, "0x2 is participant 2");
	CHECK_EQ(r.tracks[1].ssrc, UINT32_MAX, "ssrc max");
	CHECK_EQ(r.tracks[1].clock_rate, 16000, "clock_rate given");
	CHECK_EQ(r.tracks[1].pt, 111, "pt");
	CHECK_EQ(r.tracks[1].kind, RELAIS_TRACK_AUDIO, "kind");
	CHECK_EQ(r.subs[0].out_ssrc, 10, "\"010\" is decimal 10");
	CHECK_EQ(r.subs[0].n_pt, 3, "pt_map pairs");
	CHECK_EQ(r.subs[0].pt_map[2][0], 0, "pt_map in");
	CHECK_EQ(r.subs[0].pt_map[2][1], 127, "pt_map out");
	CHECK_EQ(r.subs[0].has_ext_map, 1, "ext_map given");
	CHECK_EQ(r.subs[0].ext_map[1], 3, "ext_map 1:3");
	CHECK_EQ(r.subs[0].ext_map[4], 0, "ext_map 4:0 (dropped)");
	CHECK_EQ(r.subs[0].ext_map[14], 14, "ext_map 14:14");
	CHECK_EQ(cp_part_keys(&cfg, &r.parts[0], &m), 0, "keys unwrap");
	CHECK_EQ(m.rx_key.key[0], 16, "rx key byte 0");
	CHECK_EQ(m.tx_key.salt[13], 16 + 16 + 13 + 1, "tx salt byte 13");
	cp_room_free(&r);
	CHECK(r.parts == NULL && r.n_parts == 0 && r.cap[0] == 0);
}

/* Fields of a participant that are refused, one at a time. */
static void test_part_refusals(void)
{
	static const char wrap_len[] =
	    "rx_key: wrapped key does not fit the profile's key+salt length";
	struct cp_droom r;
	char rx[CP_KW_MAX_WRAPPED], tx[CP_KW_MAX_WRAPPED];

	begin(&r, 8, 0, 0);
	object(&r, 0, "1", part_hash(1, "192.0.2.1:5000", P80, 28, 30));
	refused(&r, 1, "part:1", wrap_len);
	object(&r, 0, "2", part_hash(2, "192.0.2.1:5000", P80, 30, 44));
	refused(&r, 2, "part:2", "tx_key: wrapped key does not fit the profile's key+salt length");
	object(&r, 0, "3", part_hash(3, "192.0.2.1:5000", "AES_CM_256_NOPE", 30, 30));
	refused(&r, 3, "part:3", "profile: missing or unknown");
	object(&r, 0, "4", part_hash(4, "192.0.2.1", P80, 30, 30));
	refused(&r, 4, "part:4", "addr: missing or not ip:port");
	object(&r, 0, "5", part_hash(5, "300.0.2.1:5000", P80, 30, 30));
	refused(&r, 5, "part:5", "addr: missing or not ip:port");
	/* Keys wrapped for another participant do not authenticate here. */
	wrap(1, "rx", P80, "192.0.2.6:5000", 1, 30, rx);
	wrap(1, "tx", P80, "192.0.2.6:5000", 1, 30, tx);
	object(&r, 0, "6",
	       strs("addr", "192.0.2.6:5000", "profile", P80, "kid", "k1", "rx_key", rx, "tx_key",
		    tx, NULL));
	refused(&r, 6, "part:6", BAD_AUTH);
	object(&r, 0, "7",
	       strs("addr", "192.0.2.6:5000", "profile", P80, "kid", "k2", "rx_key", rx, "tx_key",
		    tx, NULL));
	refused(&r, 7, "part:7", "rx_key: unknown key id (kid)");
	object(&r, 0, "8",
	       strs("addr", "192.0.2.6:5000", "profile", P80, "kid", "k1", "rx_key", "zz", "tx_key",
		    tx, "fb_ssrc", "-1", NULL));
	refused(&r, 8, "part:8", "fb_ssrc: not a 32-bit integer");
	CHECK_EQ(r.n_parts, 0, "no participant valid");
	cp_room_free(&r);
}

/* Tracks and subscriptions: bad SSRCs, kinds, references and pt maps. */
static void test_track_sub_refusals(void)
{
	static const char *const bad_maps[] = {
	    "96:100,",
	    "128:1",
	    "1:128",
	    "96:100,97",
	    " 96:100",
	    "+96:100",
	    "96:-1",
	    "96;100",
	    "0096:100",
	    "96:100:1",
	    ",96:100",
	    "x",
	    "1:1,2:2,3:3,4:4,5:5,6:6,7:7,8:8,9:9",
	};
	static const char pt_why[] = "pt_map: not in:out[,in:out] (at most 8, 0..127)";
	static const char *const bad_ext[] = {"0:1", "15:1", "1:15", "1:", "1:2,", "x"};
	struct cp_droom r;
	uint32_t n = 0;

	begin(&r, 1, 3, 3);
	object(&r, 0, "1", part_hash(1, "192.0.2.1:5000", P80, 30, 30));
	object(&r, 1, "1", strs("part", "1", "kind", "video", "ssrc", "4294967296", NULL));
	refused(&r, ++n, "track:1", "ssrc: not a 32-bit integer");
	object(&r, 1, "2", strs("part", "1", "kind", "video", "ssrc", "-5", NULL));
	refused(&r, ++n, "track:2", "ssrc: not a 32-bit integer");
	object(&r, 1, "3", strs("part", "9", "kind", "video", NULL));
	refused(&r, ++n, "track:3", "part: missing or not a valid participant of the room");
	CHECK_EQ(r.n_tracks, 0, "no valid track yet");
	cp_room_free(&r);

	begin(&r, 1, 3, 3);
	n = 0;
	object(&r, 0, "1", part_hash(1, "192.0.2.1:5000", P80, 30, 30));
	object(&r, 1, "1", strs("part", "1", "kind", "screen", NULL));
	refused(&r, ++n, "track:1", "kind: must be audio or video");
	object(&r, 1, "2", strs("part", "1", "kind", "audio", "pt", "128", NULL));
	refused(&r, ++n, "track:2", "pt: not 0..127");
	object(&r, 1, "3", strs("part", "1", "kind", "audio", NULL));
	object(&r, 2, "1", strs("part", "1", "track", "1", "out_ssrc", "5", NULL));
	refused(&r, ++n, "sub:1", "track: missing or not a valid track of the room");
	object(&r, 2, "2", strs("part", "1", "track", "3", "out_ssrc", "0", NULL));
	refused(&r, ++n, "sub:2", "out_ssrc: missing or not a non-zero 32-bit integer");
	object(&r, 2, "3",
	       strs("part", "1", "track", "3", "out_ssrc", "5", "pt_map",
		    "1:1,2:2,3:3,4:4,5:5,6:6,7:7,8:8", NULL));
	CHECK_EQ(r.n_subs, 1, "8 pt_map pairs are accepted");
	cp_room_free(&r);

	for (size_t i = 0; i < sizeof(bad_maps) / sizeof(bad_maps[0]); i++) {
		begin(&r, 1, 1, 1);
		object(&r, 0, "1", part_hash(1, "192.0.2.1:5000", P80, 30, 30));
		object(&r, 1, "1", strs("part", "1", "kind", "audio", NULL));
		object(
		    &r, 2, "1",
		    strs("part", "1", "track", "1", "out_ssrc", "5", "pt_map", bad_maps[i], NULL));
		CHECKF(r.n_subs == 0, "pt_map \"%s\" accepted", bad_maps[i]);
		refused(&r, 1, "sub:1", pt_why);
		cp_room_free(&r);
	}
	for (size_t i = 0; i < sizeof(bad_ext) / sizeof(bad_ext[0]); i++) {
		begin(&r, 1, 1, 1);
		object(&r, 0, "1", part_hash(1, "192.0.2.1:5000", P80, 30, 30));
		object(&r, 1, "1", strs("part", "1", "kind", "audio", NULL));
		object(
		    &r, 2, "1",
		    strs("part", "1", "track", "1", "out_ssrc", "5", "ext_map", bad_ext[i], NULL));
		CHECKF(r.n_subs == 0, "ext_map \"%s\" accepted", bad_ext[i]);
		refused(&r, 1, "sub:1", "ext_map: not in:out[,in:out] (ids 1..14, out 0..14)");
		cp_room_free(&r);
	}
}

/* The same object named twice, fields given twice, bad ids, more objects
 * than the index listed. */
static void test_duplicates_and_ids(void)
{
	struct cp_droom r;
	redisReply *set;

	begin(&r, 3, 0, 0);
	object(&r, 0, "7", part_hash(7, "192.0.2.1:5000", P80, 30, 30));
	object(&r, 0, "07", part_hash(7, "192.0.2.1:5000", P80, 30, 30));
	refused(&r, 1, "part:07", "id: 7 given twice in the index");
	object(&r, 0, "0x7", part_hash(7, "192.0.2.1:5000", P80, 30, 30));
	refused(&r, 2, "part:0x7", "id: 7 given twice in the index");
	CHECK_EQ(r.n_parts, 1, "one participant 7");
	object(&r, 0, "8", part_hash(8, "192.0.2.1:5000", P80, 30, 30));
	object(&r, 0, "9", part_hash(9, "192.0.2.1:5000", P80, 30, 30));
	CHECK_EQ(r.n_parts, 3, "the index's three");
	object(&r, 0, "10", part_hash(10, "192.0.2.1:5000", P80, 30, 30));
	refused(&r, 3, "part:10", "more objects than the index listed");
	cp_room_free(&r);

	begin(&r, 3, 0, 0);
	object(&r, 0, "1",
	       strs("addr", "192.0.2.1:5000", "addr", "192.0.2.2:5000", "profile", P80, NULL));
	refused(&r, 1, "part:1", "addr: field given twice");
	object(&r, 0, "0", part_hash(1, "192.0.2.1:5000", P80, 30, 30));
	refused(&r, 2, "part:0", "id: not a non-zero 32-bit integer");
	object(&r, 0, "abc", part_hash(1, "192.0.2.1:5000", P80, 30, 30));
	refused(&r, 3, "part:abc", "id: not a non-zero 32-bit integer");
	cp_room_object(&cfg, &r, NULL, 0, NULL, NULL);
	refused(&r, 4, "part:", "id: not a non-zero 32-bit integer");
	cp_room_object(&cfg, &r, NULL, 3, "1", NULL); /* no such kind: ignored */
	CHECK_EQ(r.n_refused, 4, "kind 3 ignored");
	cp_room_free(&r);

	/* Index members as the loader reads them. */
	set = resp("*5\r\n$1\r\n5\r\n:6\r\n$-1\r\n*1\r\n$1\r\n7\r\n"
		   "$30\r\n123456789012345678901234567890\r\n");
	CHECK(set != NULL);
	CHECK_STR(cp_room_member(set, 0), "5");
	CHECK_STR(cp_room_member(set, 1), "");
	CHECK_STR(cp_room_member(set, 2), "");
	CHECK_STR(cp_room_member(set, 3), "");
	CHECK_STR(cp_room_member(set, 4), "");
	CHECK_STR(cp_room_member(set, 5), "");
	CHECK_STR(cp_room_member(NULL, 0), "");
	freeReplyObject(set);
}

/* Hashes whose elements are not strings, nil and error replies. */
static void test_hostile_replies(void)
{
	static const struct {
		const char *resp;
		size_t len;
		const char *why;
	} rows[] = {
#define ROW(text, why) {text, sizeof(text) - 1, why}
	    ROW("*2\r\n:5\r\n$4\r\n1234\r\n", "hash: element 0 is not a string (reply type 3)"),
	    ROW("*2\r\n$4\r\naddr\r\n:5\r\n", "hash: element 1 is not a string (reply type 3)"),
	    ROW("*2\r\n$-1\r\n$1\r\nx\r\n", "hash: element 0 is not a string (reply type 4)"),
	    ROW("*2\r\n$4\r\naddr\r\n$-1\r\n", "hash: element 1 is not a string (reply type 4)"),
	    ROW("*2\r\n*1\r\n$4\r\naddr\r\n$1\r\nx\r\n",
		"hash: element 0 is not a string (reply type 2)"),
	    ROW("*2\r\n$4\r\naddr\r\n*-1\r\n", "hash: element 1 is not a string (reply type 4)"),
	    ROW("*2\r\n+addr\r\n$1\r\nx\r\n", "hash: element 0 is not a string (reply type 5)"),
	    ROW("*2\r\n$4\r\naddr\r\n-ERR x\r\n", "hash: element 1 is not a string (reply type 6)"),
	    ROW("*2\r\n$4\r\naddr\r\n$3\r\na\0b\r\n",
		"hash: element 1 is not a string (reply type 1)"),
	    ROW("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "hash: odd number of elements (3)"),
	    ROW("$-1\r\n", "missing (listed in the index only)"),
	    ROW("*-1\r\n", "missing (listed in the index only)"),
	    ROW("*0\r\n", "missing (listed in the index only)"),
	    ROW(":42\r\n", "not a hash (reply type 3)"),
	    ROW("$2\r\nhi\r\n", "not a hash (reply type 1)"),
	    ROW("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"WRONGTYPE Operation against a key holding the wrong kind of value"),
	    /* found by fuzz_cp_desired: was refused with an empty reason */
	    ROW("-\r\n", "error reply without words"),
	    ROW("-\0x\r\n", "error reply without words"),
#undef ROW
	};
	struct cp_droom r;
	char big[64 * 12 + 16];
	size_t off;

	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			redisReply *h = resp_n(rows[i].resp, rows[i].len);
			char obj[24];

			CHECKF(h != NULL, "row %zu parses", i);
			begin(&r, 1, 1, 1);
			object(&r, k, "1", h);
			snprintf(obj, sizeof(obj), "%s:1", cp_room_kind(k));
			refused(&r, 1, obj, rows[i].why);
			cp_room_free(&r);
		}
	begin(&r, 1, 0, 0);
	cp_room_object(&cfg, &r, NULL, 0, "1", NULL);
	refused(&r, 1, "part:1", "no reply");
	cp_room_free(&r);

	/* More fields than any object has. */
	off = (size_t)snprintf(big, sizeof(big), "*66\r\n");
	for (int i = 0; i < 66; i++)
		off += (size_t)snprintf(big + off, sizeof(big) - off, "$2\r\n%02d\r\n", i);
	begin(&r, 1, 0, 0);
	object(&r, 0, "1", resp(big));
	refused(&r, 1, "part:1", "hash: more than 32 fields");
	cp_room_free(&r);
}

/* Index sets of the wrong type, and rooms past max_objects. */
static void test_indexes(void)
{
	struct cp_desired_cfg small = {.kr = &kr, .max_objects = 3};
	struct cp_droom r;
	redisReply *set;
	size_t total = 0;

	cp_room_begin(&r, ROOM, 1);
	set = resp("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
	CHECK_EQ(cp_room_index(&cfg, &r, 0, set, &total), 0, "WRONGTYPE index read as empty");
	refused(&r, 1, "parts",
		"not a set (WRONGTYPE Operation against a key holding the wrong kind of value)");
	freeReplyObject(set);
	set = resp(":3\r\n");
	CHECK_EQ(cp_room_index(&cfg, &r, 1, set, &total), 0, "integer index read as empty");
	refused(&r, 2, "tracks", "not a set (wrong type)");
	CHECK_EQ(cp_room_index(&cfg, &r, 1, set, &total), -EINVAL, "index given twice");
	CHECK_EQ(cp_room_index(&cfg, &r, 3, set, &total), -EINVAL, "no kind 3");
	CHECK_EQ(cp_room_index(&cfg, &r, 2, NULL, &total), -EINVAL, "no reply");
	freeReplyObject(set);
	set = resp("-\r\n");
	CHECK_EQ(cp_room_index(&cfg, &r, 2, set, &total), 0, "wordless error read as empty");
	refused(&r, 3, "subs", "not a set (wrong type)");
	freeReplyObject(set);
	object(&r, 0, "1", part_hash(1, "192.0.2.1:5000", P80, 30, 30));
	refused(&r, 4, "part:1", "more objects than the index listed");
	cp_room_free(&r);

	cp_room_begin(&r, ROOM, 1);
	set = resp("$-1\r\n");
	CHECK_EQ(cp_room_index(&cfg, &r, 0, set, &total), 0, "nil index read as empty");
	refused(&r, 1, "parts", "not a set (wrong type)");
	freeReplyObject(set);
	cp_room_free(&r);

	cp_room_begin(&r, ROOM, 1);
	total = 0;
	set = strs("1", "2", NULL);
	CHECK_EQ(cp_room_index(&small, &r, 0, set, &total), 2, "2 of 3");
	CHECK_EQ(cp_room_index(&small, &r, 1, set, &total), -E2BIG, "4 of 3");
	CHECK_EQ(total, 4, "running total");
	CHECK_EQ(cp_room_check_total(&small, &r, total), -E2BIG, "room too big");
	refused(&r, 4, "room", "4 objects, more than max_objects 3");
	freeReplyObject(set);
	cp_room_free(&r);
	/* found by fuzz_cp_desired: the count forgot the refused index sets,
	 * fewer refused than refusals kept */
	cp_room_begin(&r, ROOM, 1);
	total = 0;
	small.max_objects = 1;
	set = resp("-WRONGTYPE x\r\n");
	CHECK_EQ(cp_room_index(&small, &r, 0, set, &total), 0, "WRONGTYPE parts");
	freeReplyObject(set);
	set = strs("1", "2", NULL);
	CHECK_EQ(cp_room_index(&small, &r, 1, set, &total), -E2BIG, "2 of 1");
	freeReplyObject(set);
	CHECK_EQ(cp_room_check_total(&small, &r, total), -E2BIG, "room too big");
	/* an index of max_objects + 1 members is what the loader's bounded
	 * read returns for any larger set: a floor */
	refused(&r, 3, "room", "2 or more objects, more than max_objects 1");
	CHECK_EQ(r.n_kept, 2, "parts and room kept");
	cp_room_free(&r);
	small.max_objects = 3;
	cp_room_begin(&r, ROOM, 1);
	CHECK_EQ(cp_room_check_total(&small, &r, 3), 0, "max_objects itself is accepted");
	CHECK_EQ(r.n_refused, 0, "nothing refused");
	cp_room_free(&r);
}

/* Validation is linear in the room: 100,000 subscriptions (each checked
 * for a duplicate id, its participant and its track) take well under 2 s
 * of CPU; a linear search per object would take seconds (5e9 compares). */
static void test_linear_validation(void)
{
	enum {
		N = 100000
	};
	struct cp_desired_cfg big = {.kr = &kr, .max_objects = N + 2};
	size_t total = 0, cap = 16 + (size_t)N * 16, off;
	char *text = malloc(cap);
	redisReply *set, *h;
	struct cp_droom r;
	clock_t t0;
	double cpu;

	CHECK(text != NULL);
	if (text == NULL)
		return;
	cp_room_begin(&r, ROOM, 3);
	off = (size_t)snprintf(text, cap, "*%d\r\n", N);
	for (int i = 1; i <= N; i++) {
		char id[16];
		int n = snprintf(id, sizeof(id), "%d", i);

		off += (size_t)snprintf(text + off, cap - off, "$%d\r\n%s\r\n", n, id);
	}
	set = strs("1", NULL);
	CHECK_EQ(cp_room_index(&big, &r, 0, set, &total), 1, "one participant");
	CHECK_EQ(cp_room_index(&big, &r, 1, set, &total), 1, "one track");
	freeReplyObject(set);
	set = resp_n(text, off);
	CHECK_EQ(cp_room_index(&big, &r, 2, set, &total), N, "N subscriptions");
	object(&r, 0, "1", part_hash(1, "192.0.2.9:4000", P80, 30, 30));
	object(&r, 1, "1", strs("part", "1", "kind", "audio", "ssrc", "5", NULL));
	h = strs("part", "1", "track", "1", "out_ssrc", "9", NULL);
	t0 = clock();
	for (size_t i = 0; i < (size_t)N; i++)
		cp_room_object(&big, &r, NULL, 2, cp_room_member(set, i), h);
	cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
	CHECK_EQ(r.n_subs, N, "every subscription valid");
	CHECKF(cpu < 2.0, "%d subscriptions validated in %.2f s of CPU", N, cpu);
	freeReplyObject(h);
	freeReplyObject(set);
	cp_room_free(&r);
	free(text);
}

/* cp_parse_u64 and cp_parse_u32: decimal (a leading zero too), 0x hex,
 * the whole string, no sign, no space, within max. */
static void test_parse_numbers(void)
{
	static const struct {
		const char *s;
		uint64_t max;
		int rc;
		uint64_t v;
	} rows[] = {
	    {"0", 10, 0, 0},
	    {"42", 100, 0, 42},
	    {"010", 100, 0, 10},
	    {"007", 100, 0, 7},
	    {"0x10", 100, 0, 16},
	    {"0X1f", 100, 0, 31},
	    {"0x", 100, -EINVAL, 0},
	    {"0xg", 100, -EINVAL, 0},
	    {"0x-1", 100, -EINVAL, 0},
	    {"0x 1", 100, -EINVAL, 0},
	    {"", 100, -EINVAL, 0},
	    {"-1", UINT64_MAX, -EINVAL, 0},
	    {"+1", 100, -EINVAL, 0},
	    {" 1", 100, -EINVAL, 0},
	    {"1 ", 100, -EINVAL, 0},
	    {"12x", 100, -EINVAL, 0},
	    {"1.5", 100, -EINVAL, 0},
	    {"100", 100, 0, 100},
	    {"101", 100, -EINVAL, 0},
	    {"0x64", 100, 0, 100},
	    {"0x65", 100, -EINVAL, 0},
	    {"18446744073709551615", UINT64_MAX, 0, UINT64_MAX},
	    {"0xffffffffffffffff", UINT64_MAX, 0, UINT64_MAX},
	    {"18446744073709551616", UINT64_MAX, -EINVAL, 0},
	    {"0x10000000000000000", UINT64_MAX, -EINVAL, 0},
	    {"99999999999999999999999", UINT64_MAX, -EINVAL, 0},
	};
	uint64_t v;
	uint32_t u;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		v = 12345;
		CHECKF(cp_parse_u64(rows[i].s, rows[i].max, &v) == rows[i].rc, "\"%s\"", rows[i].s);
		CHECKF(v == (rows[i].rc == 0 ? rows[i].v : 12345), "\"%s\": %llu", rows[i].s,
		       (unsigned long long)v);
	}
	CHECK_EQ(cp_parse_u64(NULL, 1, &v), -EINVAL, "NULL");
	CHECK_EQ(cp_parse_u32("4294967295", &u), 0, "u32 max");
	CHECK_EQ(u, UINT32_MAX, "u32 max value");
	CHECK_EQ(cp_parse_u32("4294967296", &u), -EINVAL, "u32 max + 1");
	CHECK_EQ(cp_parse_u32("0xffffffff", &u), 0, "u32 max hex");
	CHECK_EQ(cp_parse_u32("0x100000000", &u), -EINVAL, "u32 max + 1 hex");
	CHECK_EQ(cp_parse_u32("010", &u), 0, "u32 010");
	CHECK_EQ(u, 10, "u32 010 is ten");
	CHECK_EQ(cp_parse_u32("-0", &u), -EINVAL, "u32 -0");
}

int main(void)
{
	cp_log_level = CP_LOG_ERR; /* the refusals are checked, not printed */
	kr.n = 1;
	snprintf(kr.kid[0], sizeof(kr.kid[0]), "k1");
	for (int i = 0; i < 32; i++)
		kr.key[0][i] = (uint8_t)(0xa0 + i);
	test_valid_room();
	test_aad_format();
	test_binding();
	test_part_refusals();
	test_track_sub_refusals();
	test_duplicates_and_ids();
	test_hostile_replies();
	test_indexes();
	test_parse_numbers();
	test_linear_validation();
	cp_keyring_clear(&kr);
	return check_summary("test_cp_desired");
}
