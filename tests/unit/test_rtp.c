/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_rtp_parse() and the RTP field writers: fixed header fields, CSRC list
 * and header extension exactly fitting and one byte short, version != 2,
 * setters that touch only their own bytes, sequence arithmetic.
 */
#include <stdlib.h>

#define CHECK_MAIN
#include "check.h"
#include "dp_rtp.h"

static enum relais_drop_reason parse(const uint8_t *p, size_t len, struct dp_rtp_info *ri)
{
	uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees over-reads */
	enum relais_drop_reason r;

	memcpy(copy, p, len);
	r = dp_rtp_parse(copy, len, ri);
	free(copy);
	return r;
}

/* RTP header with cc CSRCs and, if ext_words >= 0, an extension of that many
 * words; returns the header length. */
static size_t make_rtp(uint8_t *p, unsigned cc, int ext_words, int marker)
{
	size_t h = 12;

	p[0] = (uint8_t)(0x80 | (ext_words >= 0 ? 0x10 : 0) | cc);
	p[1] = (uint8_t)((marker ? 0x80 : 0) | 111);
	p[2] = 0xab;
	p[3] = 0xcd;
	p[4] = 0x01, p[5] = 0x02, p[6] = 0x03, p[7] = 0x04;
	p[8] = 0xde, p[9] = 0xad, p[10] = 0xbe, p[11] = 0xef;
	for (unsigned i = 0; i < cc; i++, h += 4)
		memset(p + h, (int)(0x10 + i), 4);
	if (ext_words >= 0) {
		p[h] = 0xbe;
		p[h + 1] = 0xde;
		p[h + 2] = (uint8_t)(ext_words >> 8);
		p[h + 3] = (uint8_t)ext_words;
		memset(p + h + 4, 0x22, 4 * (size_t)ext_words);
		h += 4 + 4 * (size_t)ext_words;
	}
	return h;
}

static void test_fields(void)
{
	uint8_t p[256];
	struct dp_rtp_info ri;
	size_t h = make_rtp(p, 0, -1, 1);

	memset(p + h, 0x55, 100);
	CHECK_EQ(parse(p, h + 100, &ri), RELAIS_DROP_NONE, "plain RTP");
	CHECK_EQ(ri.pt, 111, "pt");
	CHECK_EQ(ri.marker, 1, "marker");
	CHECK_EQ(ri.cc, 0, "cc");
	CHECK_EQ(ri.has_ext, 0, "has_ext");
	CHECK_EQ(ri.has_padding, 0, "has_padding");
	CHECK_EQ(ri.seq, 0xabcd, "seq");
	CHECK_EQ(ri.ts, 0x01020304, "ts");
	CHECK_EQ(ri.ssrc, 0xdeadbeef, "ssrc");
	CHECK_EQ(ri.hdr_len, 12, "hdr_len");
	CHECK_EQ(parse(p, 12, &ri), RELAIS_DROP_NONE, "header only");
	p[0] |= 0x20;
	CHECK_EQ(parse(p, 40, &ri), RELAIS_DROP_NONE, "padding bit");
	CHECK_EQ(ri.has_padding, 1, "has_padding set");
	for (size_t n = 0; n < 12; n++)
		CHECKF(parse(p, n, &ri) == RELAIS_DROP_TRUNCATED, "%zu bytes is TRUNCATED", n);
	const uint8_t versions[] = {0x00, 0x40, 0xc0};
	for (size_t i = 0; i < sizeof(versions); i++) {
		p[0] = (uint8_t)(versions[i] | (p[0] & 0x3f));
		CHECKF(parse(p, 40, &ri) == RELAIS_DROP_RTP_VERSION, "version %u",
		       versions[i] >> 6);
	}
}

/* CSRCs and extension: exactly fitting parses, one byte short is MALFORMED. */
static void test_csrc_ext(void)
{
	uint8_t p[512];
	struct dp_rtp_info ri;
	const struct {
		unsigned cc;
		int ext;
	} t[] = {{1, -1}, {15, -1}, {0, 0}, {0, 1}, {3, 2}, {15, 5}};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t h = make_rtp(p, t[i].cc, t[i].ext, 0);

		CHECKF(parse(p, h, &ri) == RELAIS_DROP_NONE, "cc %u ext %d exactly fitting",
		       t[i].cc, t[i].ext);
		CHECKF(ri.hdr_len == h, "cc %u ext %d hdr_len %u want %zu", t[i].cc, t[i].ext,
		       ri.hdr_len, h);
		CHECK_EQ(ri.cc, t[i].cc, "cc");
		CHECK_EQ(ri.has_ext, t[i].ext >= 0, "has_ext");
		CHECKF(parse(p, h - 1, &ri) == RELAIS_DROP_RTP_MALFORMED,
		       "cc %u ext %d one byte short", t[i].cc, t[i].ext);
	}
	/* Extension bit set but not even the 4-byte extension header present. */
	make_rtp(p, 2, 0, 0);
	CHECK_EQ(parse(p, 12 + 8 + 3, &ri), RELAIS_DROP_RTP_MALFORMED, "ext header cut");
	/* Huge extension length. */
	make_rtp(p, 0, 0, 0);
	p[14] = p[15] = 0xff;
	CHECK_EQ(parse(p, 500, &ri), RELAIS_DROP_RTP_MALFORMED, "ext length 65535 words");
}

/* Setters write only their field, in network order. */
static void test_setters(void)
{
	uint8_t p[64], before[64];

	make_rtp(p, 1, -1, 1);
	memcpy(before, p, sizeof(p));
	dp_rtp_set_ssrc(p, 0x11223344);
	CHECKF(p[8] == 0x11 && p[9] == 0x22 && p[10] == 0x33 && p[11] == 0x44, "ssrc bytes");
	dp_rtp_set_seq(p, 0x5566);
	CHECKF(p[2] == 0x55 && p[3] == 0x66, "seq bytes");
	dp_rtp_set_ts(p, 0x778899aa);
	CHECKF(p[4] == 0x77 && p[5] == 0x88 && p[6] == 0x99 && p[7] == 0xaa, "ts bytes");
	dp_rtp_set_pt(p, 96);
	CHECK_EQ(p[1], 0x80 | 96, "pt keeps marker");
	dp_rtp_set_pt(p, 0xff);
	CHECK_EQ(p[1], 0x80 | 0x7f, "pt masked to 7 bits");
	p[1] = 0;
	dp_rtp_set_pt(p, 8);
	CHECK_EQ(p[1], 8, "pt without marker");
	CHECK_EQ(p[0], before[0], "byte 0 untouched");
	CHECK_MEM(p + 12, before + 12, sizeof(p) - 12, "CSRC and payload untouched");

	struct dp_rtp_info ri;
	CHECK_EQ(dp_rtp_parse(p, 40, &ri), RELAIS_DROP_NONE, "parse after setters");
	CHECK_EQ(ri.ssrc, 0x11223344, "ssrc round trip");
	CHECK_EQ(ri.seq, 0x5566, "seq round trip");
	CHECK_EQ(ri.ts, 0x778899aa, "ts round trip");
	CHECK_EQ(ri.pt, 8, "pt round trip");
}

static void test_seq(void)
{
	CHECKF(dp_seq_newer(1, 0), "1 newer than 0");
	CHECKF(!dp_seq_newer(0, 1), "0 not newer than 1");
	CHECKF(!dp_seq_newer(5, 5), "equal is not newer");
	CHECKF(dp_seq_newer(0, 65535), "wrap: 0 newer than 65535");
	CHECKF(dp_seq_newer(0x7fff, 0), "0x7fff ahead");
	CHECKF(!dp_seq_newer(0x8000, 0), "0x8000 ahead counts as older");
}

/* Header extension renumbering (RFC 8285), one- and two-byte forms. */
static void test_map_ext(void)
{
	/* map: 1 -> 3, 2 -> dropped, 5 -> 1 */
	static const uint8_t map[15] = {[1] = 3, [5] = 1};
	/* one-byte: id 1 len 1 (0xAA), id 2 len 3, padding, id 5 len 2, padding */
	uint8_t one[] = {0x90, 96,   0,    1,    0, 0, 0, 1, 0,    0, 0, 9, 0xBE, 0xDE, 0,
			 3,    0x10, 0xAA, 0x22, 1, 2, 3, 0, 0x51, 7, 8, 0, 0,    0x55};
	uint8_t want1[] = {0x90, 96,   0,    1, 0, 0, 0, 1, 0,    0, 0, 9, 0xBE, 0xDE, 0,
			   3,    0x30, 0xAA, 0, 0, 0, 0, 0, 0x11, 7, 8, 0, 0,    0x55};
	/* two-byte: id 1 len 2, id 20 len 1, id 5 len 0, then padding */
	uint8_t two[] = {0x90, 96, 0, 1, 0, 0,  0, 1, 0, 0, 0, 9, 0x10, 0x00, 0,
			 3,    1,  2, 9, 9, 20, 1, 7, 5, 0, 0, 0, 0,    0x55};
	uint8_t want2[] = {0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 0x10, 0x00, 0,
			   3,    3,  2, 9, 9, 0, 0, 0, 1, 0, 0, 0, 0,    0x55};
	/* an element overrunning the block is blanked to its end */
	uint8_t bad[] = {0x90, 96,   0,    1, 0, 0,    0,    1,    0, 0,   0,
			 9,    0xBE, 0xDE, 0, 1, 0x10, 0xAA, 0x5F, 1, 0x55};
	uint8_t want3[] = {0x90, 96,   0,    1, 0, 0,    0,    1, 0, 0,   0,
			   9,    0xBE, 0xDE, 0, 1, 0x30, 0xAA, 0, 0, 0x55};
	struct dp_rtp_info ri;

	CHECK(dp_rtp_parse(one, sizeof(one), &ri) == RELAIS_DROP_NONE && ri.hdr_len == 28);
	dp_rtp_map_ext(one, ri.hdr_len, map);
	CHECK(memcmp(one, want1, sizeof(one)) == 0);
	CHECK(dp_rtp_parse(two, sizeof(two), &ri) == RELAIS_DROP_NONE);
	dp_rtp_map_ext(two, ri.hdr_len, map);
	CHECK(memcmp(two, want2, sizeof(two)) == 0);
	CHECK(dp_rtp_parse(bad, sizeof(bad), &ri) == RELAIS_DROP_NONE);
	dp_rtp_map_ext(bad, ri.hdr_len, map);
	CHECK(memcmp(bad, want3, sizeof(bad)) == 0);
}

int main(void)
{
	test_fields();
	test_csrc_ext();
	test_setters();
	test_seq();
	test_map_ext();
	return check_summary("test_rtp");
}
