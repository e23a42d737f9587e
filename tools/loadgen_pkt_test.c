/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of relais-loadgen's verifier and scenario parser: a payload with
 * any one byte changed is rejected, RTP header walking handles CSRCs,
 * extensions and padding, RTCP counting finds SRs and PLIs, and scenario
 * lines are accepted or refused with a reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loadgen.h"

#define CHECK_MAIN
#include "check.h"

static void make_pub(struct lg_pub *p, uint32_t size)
{
	memset(p, 0, sizeof(*p));
	p->ssrc = 0x01020304;
	p->kind = LG_VIDEO;
	p->rate = 200;
	p->size = size;
	p->pt = 96;
	p->seq0 = 65535;
}

/* Every single-byte change of the payload must be caught. */
static void test_payload_bytes(void)
{
	struct lg_pub p;
	uint8_t pkt[LG_BUF_LEN];
	uint32_t orig = 0;

	make_pub(&p, 300);
	size_t len = lg_build_rtp(&p, 3, 41, pkt, sizeof(pkt));
	CHECK(len == LG_RTP_HDR_LEN + 300);
	CHECK(pkt[2] == 0x00 && pkt[3] == 40); /* 65535 + 41 wraps to 40 */
	CHECK(lg_check_payload(pkt + LG_RTP_HDR_LEN, 300, 3, 300, &orig) == 0 && orig == 41);
	for (size_t i = 0; i < 300; i++) {
		pkt[LG_RTP_HDR_LEN + i] ^= 0x01;
		CHECK(lg_check_payload(pkt + LG_RTP_HDR_LEN, 300, 3, 300, &orig) != 0);
		pkt[LG_RTP_HDR_LEN + i] ^= 0x01;
	}
	CHECK(lg_check_payload(pkt + LG_RTP_HDR_LEN, 300, 4, 300, &orig) != 0);
	CHECK(lg_check_payload(pkt + LG_RTP_HDR_LEN, 299, 3, 300, &orig) != 0);
	CHECK(lg_check_payload(pkt + LG_RTP_HDR_LEN, 300, 3, 301, &orig) != 0);
}

/* CSRCs, a header extension and padding are skipped (RFC 3550 §5.1). */
static void test_rtp_walk(void)
{
	uint8_t pkt[64] = {0};
	size_t off, plen;

	pkt[0] = 0x80 | 0x20 | 0x10 | 2; /* V=2, P, X, CC=2 */
	/* CSRCs at 12..19, extension header at 20: profile, length 1 word */
	pkt[22] = 0;
	pkt[23] = 1;
	/* payload 28..59, padding 60..63 */
	pkt[63] = 4;
	CHECK(lg_rtp_payload(pkt, 64, &off, &plen) == 0 && off == 28 && plen == 32);
	pkt[63] = 0;
	CHECK(lg_rtp_payload(pkt, 64, &off, &plen) != 0);
	pkt[63] = 4;
	pkt[23] = 20; /* extension past the end */
	CHECK(lg_rtp_payload(pkt, 64, &off, &plen) != 0);
	pkt[0] = 0x40;
	CHECK(lg_rtp_payload(pkt, 64, &off, &plen) != 0);
}

/* A compound SR + PLI is counted by type, format and media SSRC. */
static void test_rtcp(void)
{
	struct lg_pub p;
	uint8_t buf[64];
	unsigned n;

	make_pub(&p, 100);
	size_t a = lg_build_sr(&p, buf, sizeof(buf));
	size_t b = lg_build_pli(7, 0x01020304, buf + a, sizeof(buf) - a);
	CHECK(a == 28 && b == 12);
	CHECK(lg_is_rtcp(buf, a) && lg_is_rtcp(buf + a, b));
	CHECK(lg_rtcp_count(buf, a + b, 200, -1, 0, &n) == 0 && n == 1);
	CHECK(lg_rtcp_count(buf, a + b, 206, 1, 0x01020304, &n) == 0 && n == 1);
	CHECK(lg_rtcp_count(buf, a + b, 206, 1, 0x01020305, &n) == 0 && n == 0);
	CHECK(lg_rtcp_count(buf, a + b - 1, 200, -1, 0, &n) != 0);
}

/* Scenario lines: hex and base64 give the same key; bad input is refused. */
static void test_conf(void)
{
	static struct lg_conf c;
	char err[256];

	lg_conf_init(&c);
	CHECK(lg_parse_line(&c, "target = [fd00:77::1]:5000", err, sizeof(err)) == 0);
	CHECK(lg_parse_line(&c,
			    "publisher name=a bind=[::1]:0 ssrc=1 key="
			    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d",
			    err, sizeof(err)) == 0);
	CHECK(lg_parse_line(&c,
			    "publisher name=b bind=[::1]:0 ssrc=2 kind=video "
			    "key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd # comment",
			    err, sizeof(err)) == 0);
	CHECK(c.npubs == 2 && memcmp(c.pubs[0].c.key, c.pubs[1].c.key, 30) == 0);
	CHECK(c.pubs[0].rate == 50 && c.pubs[1].rate == 200 && c.pubs[1].size == 1000);
	CHECK(lg_parse_line(&c,
			    "subscriber bind=[::1]:0 key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd "
			    "expect=a,2:0x99",
			    err, sizeof(err)) == 0);
	CHECK(lg_conf_finish(&c, err, sizeof(err)) == 0);
	CHECK(c.subs[0].nstreams == 2 && c.subs[0].streams[1].pub == 1 &&
	      c.subs[0].streams[1].out_ssrc == 0x99);
	CHECK(lg_parse_line(&c, "publisher bind=[::1]:0 ssrc=3 key=00", err, sizeof(err)) != 0);
	CHECK(strstr(err, "30 bytes") != NULL);
	CHECK(lg_parse_line(&c, "publisher bind=1.2.3.4 ssrc=3", err, sizeof(err)) != 0);
	CHECK(lg_parse_line(&c, "publisher bind=[::1]:0 ssrc=3 pt=72 key=x", err, sizeof(err)) !=
	      0);
	CHECK(lg_parse_line(&c, "frobnicate = 1", err, sizeof(err)) != 0);
	CHECK(lg_parse_line(&c, "max_loss = 2%", err, sizeof(err)) == 0 && c.max_loss == 0.02);
	CHECK(c.npubs == 2);
}

int main(void)
{
	test_payload_bytes();
	test_rtp_walk();
	test_rtcp();
	test_conf();
	return check_summary("loadgen_pkt_test");
}
