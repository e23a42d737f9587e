/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control-channel codec: every request type round-trips, replies
 * round-trip, and every malformed input is refused with the documented
 * error (bad magic, other version, size mismatch, out-of-range fields).
 */
#include <errno.h>
#include <string.h>

#include <relais/ctl_proto.h>

#define CHECK_MAIN
#include "check.h"

/* A valid request of each type with non-trivial field values. */
static void sample(unsigned type, struct relais_ctl_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = (uint16_t)type;
	m->seq = 0xabcdef01u + type;
	switch (type) {
	case RELAIS_CTL_HELLO:
		m->u.hello.version = RELAIS_CTL_VERSION;
		strcpy(m->u.hello.peer_name, "test");
		break;
	case RELAIS_CTL_ROOM_ADD:
	case RELAIS_CTL_ROOM_DEL:
		m->u.room.room_id = 0xfffffffeu;
		break;
	case RELAIS_CTL_PART_ADD:
	case RELAIS_CTL_PART_REKEY:
		m->u.part.room_id = 7;
		m->u.part.part_id = 0x80000001u;
		relais_addr_parse("[2001:db8::1]:65535", &m->u.part.addr);
		m->u.part.rx_key.profile = RELAIS_SRTP_AEAD_AES_256_GCM;
		m->u.part.tx_key.profile = RELAIS_SRTP_AES128_CM_SHA1_32;
		for (unsigned i = 0; i < RELAIS_SRTP_MAX_KEY_LEN; i++)
			m->u.part.rx_key.key[i] = (uint8_t)(i * 7 + 1);
		m->u.part.tx_key.salt[13] = 0x99;
		m->u.part.fb_ssrc = 0xdeadbeef;
		break;
	case RELAIS_CTL_TRACK_ADD:
		m->u.track = (struct relais_ctl_track){
		    9, 8, 0x12345678, 90000, RELAIS_TRACK_VIDEO, RELAIS_TRACK_F_LEARN_SSRC, 96};
		break;
	case RELAIS_CTL_SUB_ADD:
		m->u.sub.sub_id = 1;
		m->u.sub.part_id = 2;
		m->u.sub.track_id = 3;
		m->u.sub.out_ssrc = 0xffffffff;
		m->u.sub.n_pt = 2;
		m->u.sub.pt_map[0][0] = 96;
		m->u.sub.pt_map[0][1] = 100;
		m->u.sub.pt_map[1][0] = 111;
		m->u.sub.pt_map[1][1] = 109;
		m->u.sub.has_ext_map = 1;
		m->u.sub.ext_map[1] = 4;
		m->u.sub.ext_map[3] = 14;
		break;
	case RELAIS_CTL_SUB_SWITCH:
		m->u.sw.sub_id = 5;
		m->u.sw.track_id = 6;
		break;
	case RELAIS_CTL_STATS:
		break; /* empty body */
	case RELAIS_CTL_DUMP:
		m->u.dump.kind = RELAIS_DUMP_TRACKS;
		m->u.dump.cursor = 0x01020304;
		break;
	case RELAIS_CTL_OFFENDERS:
		m->u.offenders.min_total = 0x0102030405060708ull;
		m->u.offenders.max = 17;
		break;
	default:
		m->u.id.id = 42;
	}
}

/* Every type encodes and decodes to an identical message. */
static void test_roundtrip(void)
{
	for (unsigned t = 1; t < RELAIS_CTL_TYPE_MAX; t++) {
		struct relais_ctl_msg m, d;
		uint8_t buf[RELAIS_CTL_MAX_MSG];
		int len;

		sample(t, &m);
		len = relais_ctl_encode_msg(&m, buf, sizeof(buf));
		CHECKF(len >= RELAIS_CTL_HDR_LEN, "type %u: encode %d", t, len);
		CHECKF(relais_ctl_decode_msg(buf, (size_t)len, &d) == 0, "type %u decode", t);
		CHECKF(memcmp(&m, &d, sizeof(m)) == 0, "type %u: decoded differs", t);
		/* one byte short or long: a size mismatch, never a misread */
		CHECK(relais_ctl_decode_msg(buf, (size_t)len - 1, &d) < 0);
		buf[len] = 0;
		CHECK(relais_ctl_decode_msg(buf, (size_t)len + 1, &d) == -EBADMSG);
		CHECK(relais_ctl_encode_msg(&m, buf, (size_t)len - 1) == -EMSGSIZE);
	}
}

/* The wire ABI of every message, pinned: its type number, name and request
 * body size. A change of ctl_messages.h or of a body's layout that would
 * break an older peer fails here; a new message must be added here too. */
static void test_wire_abi(void)
{
	static const struct {
		unsigned type;
		unsigned number;
		const char *name;
		int body;
	} abi[] = {
	    {RELAIS_CTL_HELLO, 1, "hello", 36},
	    {RELAIS_CTL_ROOM_ADD, 2, "room_add", 4},
	    {RELAIS_CTL_ROOM_DEL, 3, "room_del", 4},
	    {RELAIS_CTL_PART_ADD, 4, "part_add", 135},
	    {RELAIS_CTL_PART_DEL, 5, "part_del", 4},
	    {RELAIS_CTL_TRACK_ADD, 6, "track_add", 27},
	    {RELAIS_CTL_TRACK_DEL, 7, "track_del", 4},
	    {RELAIS_CTL_SUB_ADD, 8, "sub_add", 57},
	    {RELAIS_CTL_SUB_DEL, 9, "sub_del", 4},
	    {RELAIS_CTL_SUB_SWITCH, 10, "sub_switch", 8},
	    {RELAIS_CTL_STATS, 11, "stats", 0},
	    {RELAIS_CTL_TRACK_STATS, 12, "track_stats", 4},
	    {RELAIS_CTL_DUMP, 13, "dump", 5},
	    {RELAIS_CTL_OFFENDERS, 14, "offenders", 9},
	    {RELAIS_CTL_PART_REKEY, 15, "part_rekey", 135},
	};

	CHECK(sizeof(abi) / sizeof(abi[0]) == RELAIS_CTL_TYPE_MAX - 1);
	for (size_t i = 0; i < sizeof(abi) / sizeof(abi[0]); i++) {
		CHECKF(abi[i].type == abi[i].number, "%s: type number %u", abi[i].name,
		       abi[i].type);
		CHECKF(strcmp(relais_ctl_type_name(abi[i].type), abi[i].name) == 0,
		       "type %u is named %s", abi[i].type, relais_ctl_type_name(abi[i].type));
		CHECKF(relais_ctl_body_size(abi[i].type) == abi[i].body, "%s: body %d, was %d",
		       abi[i].name, relais_ctl_body_size(abi[i].type), abi[i].body);
	}
	CHECK(relais_ctl_body_size(0) == -1 && relais_ctl_body_size(RELAIS_CTL_TYPE_MAX) == -1);
	CHECK(strcmp(relais_ctl_type_name(0), "?") == 0);
	CHECK(strcmp(relais_ctl_type_name(RELAIS_CTL_TYPE_MAX), "?") == 0);
}

/* Every type has a reply that round-trips, with its payload and as an
 * error. */
static void test_reply_every_type(void)
{
	for (unsigned t = 1; t < RELAIS_CTL_TYPE_MAX; t++) {
		struct relais_ctl_reply r, d;
		uint8_t buf[RELAIS_CTL_MAX_MSG];
		int len;

		memset(&r, 0, sizeof(r));
		r.type = (uint16_t)t;
		r.seq = t;
		len = relais_ctl_encode_reply(&r, buf, sizeof(buf));
		CHECKF(len > 0 && relais_ctl_decode_reply(buf, (size_t)len, &d) == 0,
		       "type %u: empty reply", t);
		CHECKF(memcmp(&r, &d, sizeof(r)) == 0, "type %u: reply differs", t);
		r.status = -ENOENT;
		snprintf(r.error, sizeof(r.error), "no such %s", relais_ctl_type_name(t));
		len = relais_ctl_encode_reply(&r, buf, sizeof(buf));
		CHECKF(len > 0 && relais_ctl_decode_reply(buf, (size_t)len, &d) == 0 &&
			   memcmp(&r, &d, sizeof(r)) == 0,
		       "type %u: error reply", t);
	}
}

/* Header errors: magic, version, reply flag, unknown type, short. */
static void test_header_errors(void)
{
	struct relais_ctl_msg m, d;
	uint8_t buf[RELAIS_CTL_MAX_MSG];
	int len;

	sample(RELAIS_CTL_STATS, &m);
	len = relais_ctl_encode_msg(&m, buf, sizeof(buf));
	CHECK(relais_ctl_decode_msg(buf, 3, &d) == -EPROTO);
	buf[0] ^= 1;
	CHECK(relais_ctl_decode_msg(buf, (size_t)len, &d) == -EPROTO);
	buf[0] ^= 1;
	buf[4] = RELAIS_CTL_VERSION + 1;
	CHECK(relais_ctl_decode_msg(buf, (size_t)len, &d) == -EPROTONOSUPPORT);
	buf[4] = RELAIS_CTL_VERSION;
	buf[6] = 0xee; /* unknown type */
	CHECK(relais_ctl_decode_msg(buf, (size_t)len, &d) == -EBADMSG);
	buf[6] = RELAIS_CTL_STATS;
	buf[7] = 0x80; /* a reply is not a request */
	CHECK(relais_ctl_decode_msg(buf, (size_t)len, &d) == -EBADMSG);
	CHECK(relais_ctl_decode_reply(buf, (size_t)len, &(struct relais_ctl_reply){0}) < 0);
}

/* Out-of-range fields are refused by both encoder and decoder. */
static void test_field_errors(void)
{
	struct relais_ctl_msg m, d;
	uint8_t buf[RELAIS_CTL_MAX_MSG];
	int len;

	sample(RELAIS_CTL_PART_ADD, &m);
	len = relais_ctl_encode_msg(&m, buf, sizeof(buf));
	m.u.part.addr.family = 5;
	CHECK(relais_ctl_encode_msg(&m, buf + 2048, 2048) == -EINVAL);
	/* patch the encoded family byte (offset 16 + 8) and the profile */
	buf[24] = 5;
	CHECK(relais_ctl_decode_msg(buf, (size_t)len, &d) == -EINVAL);
	buf[24] = 6;
	buf[43] = 0x77; /* rx_key.profile low byte: unknown profile */
	CHECK(relais_ctl_decode_msg(buf, (size_t)len, &d) == -EINVAL);
	sample(RELAIS_CTL_TRACK_ADD, &m);
	m.u.track.kind = 3;
	CHECK(relais_ctl_encode_msg(&m, buf, sizeof(buf)) == -EINVAL);
	sample(RELAIS_CTL_TRACK_ADD, &m);
	m.u.track.clock_rate = 0;
	CHECK(relais_ctl_encode_msg(&m, buf, sizeof(buf)) == -EINVAL);
	sample(RELAIS_CTL_SUB_ADD, &m);
	m.u.sub.n_pt = RELAIS_CTL_MAX_PT_MAP + 1;
	CHECK(relais_ctl_encode_msg(&m, buf, sizeof(buf)) == -EINVAL);
	sample(RELAIS_CTL_SUB_ADD, &m);
	m.u.sub.pt_map[1][1] = 128;
	CHECK(relais_ctl_encode_msg(&m, buf, sizeof(buf)) == -EINVAL);
	sample(RELAIS_CTL_SUB_ADD, &m);
	m.u.sub.ext_map[2] = 15; /* out ids are 1..14 (0: dropped) */
	CHECK(relais_ctl_encode_msg(&m, buf, sizeof(buf)) == -EINVAL);
	sample(RELAIS_CTL_SUB_ADD, &m);
	m.u.sub.has_ext_map = 2;
	CHECK(relais_ctl_encode_msg(&m, buf, sizeof(buf)) == -EINVAL);
}

/* Replies: stats with every counter, an error with its text. */
static void test_replies(void)
{
	struct relais_ctl_reply r, d;
	uint8_t buf[RELAIS_CTL_MAX_MSG];
	int len;

	memset(&r, 0, sizeof(r));
	r.type = RELAIS_CTL_STATS;
	r.seq = 77;
	for (unsigned i = 0; i < RELAIS_STAT_MAX; i++)
		r.u.stats.v[i] = 0x0102030405060708ull * (i + 1);
	for (unsigned i = 0; i < RELAIS_DROP_MAX; i++)
		r.u.stats.drops[i] = i;
	len = relais_ctl_encode_reply(&r, buf, sizeof(buf));
	CHECK(len > 0);
	CHECK(relais_ctl_decode_reply(buf, (size_t)len, &d) == 0);
	CHECK(memcmp(&r, &d, sizeof(r)) == 0);
	CHECK(relais_ctl_decode_reply(buf, (size_t)len - 8, &d) == -EBADMSG);

	memset(&r, 0, sizeof(r));
	r.type = RELAIS_CTL_PART_ADD;
	r.status = -EEXIST;
	strcpy(r.error, "participant 3 already exists");
	len = relais_ctl_encode_reply(&r, buf, sizeof(buf));
	CHECK(relais_ctl_decode_reply(buf, (size_t)len, &d) == 0);
	CHECK(d.status == -EEXIST && strcmp(d.error, r.error) == 0);
}

/* DUMP pages round-trip; a count above the maximum is refused. */
static void test_dump_reply(void)
{
	struct relais_ctl_reply r, d;
	uint8_t buf[RELAIS_CTL_MAX_MSG];
	int len;

	memset(&r, 0, sizeof(r));
	r.type = RELAIS_CTL_DUMP;
	r.u.dump.kind = RELAIS_DUMP_PARTS;
	r.u.dump.count = RELAIS_CTL_DUMP_MAX;
	r.u.dump.next_cursor = 99;
	for (unsigned i = 0; i < RELAIS_CTL_DUMP_MAX; i++) {
		r.u.dump.rec[i].id = i;
		r.u.dump.rec[i].cookie = 0x1122334455667788ull + i;
		relais_addr_parse("10.1.2.3:4000", &r.u.dump.rec[i].addr);
	}
	len = relais_ctl_encode_reply(&r, buf, sizeof(buf));
	CHECK(len > 0 && len < RELAIS_CTL_MAX_MSG);
	CHECK(relais_ctl_decode_reply(buf, (size_t)len, &d) == 0);
	CHECK(memcmp(&r, &d, sizeof(r)) == 0);
	buf[RELAIS_CTL_HDR_LEN + 4 + RELAIS_CTL_ERR_LEN + 1] = RELAIS_CTL_DUMP_MAX + 1;
	CHECK(relais_ctl_decode_reply(buf, (size_t)len, &d) == -EBADMSG);
}

/* OFFENDERS replies round-trip with every field (protect appended to each
 * record: 60 bytes a record); a count above the maximum and an unknown
 * protect value are refused. */
static void test_offenders_reply(void)
{
	const size_t rec_len = 19 + 8 * RELAIS_OFFENCE_MAX + 8 + 1;
	const size_t head = RELAIS_CTL_HDR_LEN + 4 + RELAIS_CTL_ERR_LEN + 5;
	struct relais_ctl_reply r, d;
	uint8_t buf[RELAIS_CTL_MAX_MSG];
	int len;

	memset(&r, 0, sizeof(r));
	r.type = RELAIS_CTL_OFFENDERS;
	r.u.offenders.count = RELAIS_CTL_OFFENDERS_MAX;
	r.u.offenders.n_tracked = 0x01020304;
	for (unsigned i = 0; i < RELAIS_CTL_OFFENDERS_MAX; i++) {
		struct relais_ctl_offender *o = &r.u.offenders.rec[i];

		o->addr.family = i % 2 ? 6 : 4;
		o->addr.ip[0] = (uint8_t)i;
		o->addr.ip[15] = 0xee;
		o->auth_fail = 0x1000000000ull + i;
		o->replay = 2 * i;
		o->unknown_ssrc = 3 * i;
		o->unknown_source = UINT64_MAX - i;
		o->last_seen_ms = 1000 + i;
		o->protect = (uint8_t)(i % RELAIS_PROTECT_MAX);
	}
	len = relais_ctl_encode_reply(&r, buf, sizeof(buf));
	CHECKF(len > 0 && (size_t)len == head + RELAIS_CTL_OFFENDERS_MAX * rec_len,
	       "offenders reply of %d bytes", len);
	CHECK(relais_ctl_decode_reply(buf, (size_t)len, &d) == 0);
	CHECK(memcmp(&r, &d, sizeof(r)) == 0);
	CHECK(strcmp(relais_ctl_type_name(RELAIS_CTL_OFFENDERS), "offenders") == 0);
	CHECK(strcmp(relais_protect_name(RELAIS_PROTECT_NONE), "no") == 0 &&
	      strcmp(relais_protect_name(RELAIS_PROTECT_PARTICIPANT), "participant") == 0 &&
	      strcmp(relais_protect_name(RELAIS_PROTECT_FORMER), "former") == 0 &&
	      strcmp(relais_protect_name(RELAIS_PROTECT_MAX), "?") == 0);
	buf[head + rec_len - 1] = RELAIS_PROTECT_MAX; /* the first record's protect */
	CHECK(relais_ctl_decode_reply(buf, (size_t)len, &d) == -EBADMSG);
	buf[head + rec_len - 1] = RELAIS_PROTECT_FORMER;
	CHECK(relais_ctl_decode_reply(buf, (size_t)len, &d) == 0 &&
	      d.u.offenders.rec[0].protect == RELAIS_PROTECT_FORMER);
	buf[RELAIS_CTL_HDR_LEN + 4 + RELAIS_CTL_ERR_LEN] = RELAIS_CTL_OFFENDERS_MAX + 1;
	CHECK(relais_ctl_decode_reply(buf, (size_t)len, &d) == -EBADMSG);
}

/* Offences come from their list: each counts a drop reason and is named
 * after it; a named count and its offences[] word are one. Gauges are
 * told apart from counters. */
static void test_offences_and_gauges(void)
{
	struct relais_ctl_offender o;
	unsigned gauges = 0;

	memset(&o, 0, sizeof(o));
	o.replay = 7;
	o.unknown_source = 9;
	CHECK(o.offences[RELAIS_OFFENCE_replay] == 7 &&
	      o.offences[RELAIS_OFFENCE_unknown_source] == 9);
	for (unsigned k = 0; k < RELAIS_OFFENCE_MAX; k++)
		CHECKF(relais_offence_reason(k) != RELAIS_DROP_NONE &&
			   strcmp(relais_offence_name(k),
				  relais_drop_name(relais_offence_reason(k))) == 0,
		       "offence %u", k);
	CHECK(relais_offence_reason(RELAIS_OFFENCE_auth_fail) == RELAIS_DROP_SRTP_AUTH);
	CHECK(strcmp(relais_offence_name(RELAIS_OFFENCE_MAX), "?") == 0);
	for (unsigned i = 0; i <= RELAIS_STAT_MAX; i++)
		gauges += (unsigned)relais_stat_is_gauge(i);
	CHECK(gauges == 7 && relais_stat_is_gauge(RELAIS_STAT_rooms) &&
	      relais_stat_is_gauge(RELAIS_STAT_lcores) &&
	      relais_stat_is_gauge(RELAIS_STAT_protected));
	CHECK(!relais_stat_is_gauge(RELAIS_STAT_rx_pkts) &&
	      !relais_stat_is_gauge(RELAIS_STAT_rtcp_port_plus_one) &&
	      !relais_stat_is_gauge(RELAIS_STAT_protect_evicted));
}

/* Addresses, profiles and names. */
static void test_helpers(void)
{
	struct relais_addr a;
	char s[64];

	CHECK(relais_addr_parse("10.0.0.1:5000", &a) == 0 && a.family == 4 && a.port == 5000);
	CHECK(relais_addr_format(&a, s, sizeof(s)) == 0 && strcmp(s, "10.0.0.1:5000") == 0);
	CHECK(relais_addr_parse("[::1]:1", &a) == 0 && a.family == 6 && a.ip[15] == 1);
	CHECK(relais_addr_format(&a, s, sizeof(s)) == 0 && strcmp(s, "[::1]:1") == 0);
	CHECK(relais_addr_parse("10.0.0.1", &a) == -EINVAL);
	CHECK(relais_addr_parse("10.0.0.1:0", &a) == -EINVAL);
	CHECK(relais_addr_parse("10.0.0.1:65536", &a) == -EINVAL);
	CHECK(relais_addr_parse("[::1:5000", &a) == -EINVAL);
	CHECK(relais_addr_parse("::1:5000", &a) == -EINVAL);
	CHECK(relais_srtp_profile_get(RELAIS_SRTP_AEAD_AES_256_GCM)->key_len == 32);
	CHECK(relais_srtp_profile_get(3) == NULL);
	CHECK(relais_srtp_profile_by_name("aes_cm_128_hmac_sha1_32")->rtp_tag_len == 4);
	CHECK(strcmp(relais_drop_name(RELAIS_DROP_SRTP_AUTH), "srtp_auth") == 0);
	CHECK(strcmp(relais_drop_name(RELAIS_DROP_MAX), "?") == 0);
	CHECK(strcmp(relais_ctl_type_name(RELAIS_CTL_SUB_SWITCH | RELAIS_CTL_REPLY),
		     "sub_switch") == 0);
	for (unsigned i = 0; i < RELAIS_DROP_MAX; i++)
		CHECKF(strcmp(relais_drop_name(i), "?") != 0 && relais_drop_help(i)[0],
		       "reason %u has no name/help", i);
}

int main(void)
{
	test_roundtrip();
	test_wire_abi();
	test_reply_every_type();
	test_header_errors();
	test_field_errors();
	test_replies();
	test_dump_reply();
	test_offenders_reply();
	test_offences_and_gauges();
	test_helpers();
	return check_summary("ctl_codec");
}
