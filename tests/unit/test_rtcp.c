/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_rtcp_parse() over compound packets (SR+SDES, RR, PLI, FIR, NACK with
 * several entries), its failures (bad version, bad length field, length
 * past the end, packet shorter than its type needs), and the PLI/FIR/NACK
 * builders checked byte by byte and read back.
 */
#include <stdlib.h>

#define CHECK_MAIN
#include "check.h"
#include "dp_rtp.h"

static void w32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Common header: V=2, count, pt, total length in bytes. */
static void hdr(uint8_t *p, uint8_t count, uint8_t pt, size_t bytes)
{
	p[0] = (uint8_t)(0x80 | count);
	p[1] = pt;
	p[2] = (uint8_t)((bytes / 4 - 1) >> 8);
	p[3] = (uint8_t)(bytes / 4 - 1);
}

/* SR with one report block (52 bytes) followed by SDES with a CNAME. */
static size_t make_sr_sdes(uint8_t *p)
{
	memset(p, 0, 68);
	hdr(p, 1, DP_RTCP_SR, 52);
	w32(p + 4, 0x11111111);
	w32(p + 28, 0x22222222); /* report block SSRC */
	hdr(p + 52, 1, DP_RTCP_SDES, 16);
	w32(p + 56, 0x11111111);
	p[60] = 1; /* CNAME */
	p[61] = 5;
	memcpy(p + 62, "abcde", 5);
	return 68;
}

static int walk(const uint8_t *p, size_t len, struct dp_rtcp_block *b, int max,
		enum relais_drop_reason *why)
{
	uint8_t *copy = malloc(len ? len : 1);
	int n;

	memcpy(copy, p, len);
	n = dp_rtcp_parse(copy, len, b, max, why);
	free(copy);
	return n;
}

static void test_sr_sdes(void)
{
	uint8_t p[128];
	struct dp_rtcp_block b[4];
	enum relais_drop_reason why;
	size_t len = make_sr_sdes(p);

	CHECK_EQ(walk(p, len, b, 4, &why), 2, "SR+SDES blocks");
	CHECK_EQ(why, RELAIS_DROP_NONE, "SR+SDES why");
	CHECK_EQ(b[0].off, 0, "SR off");
	CHECK_EQ(b[0].len, 52, "SR len");
	CHECK_EQ(b[0].pt, DP_RTCP_SR, "SR pt");
	CHECK_EQ(b[0].count, 1, "SR RC");
	CHECK_EQ(b[0].sender_ssrc, 0x11111111, "SR ssrc");
	CHECK_EQ(b[0].media_ssrc, 0, "SR media ssrc");
	CHECK_EQ(b[1].off, 52, "SDES off");
	CHECK_EQ(b[1].len, 16, "SDES len");
	CHECK_EQ(b[1].pt, DP_RTCP_SDES, "SDES pt");
	CHECK_EQ(b[1].sender_ssrc, 0x11111111, "SDES first SSRC");
	CHECK_EQ(dp_rtcp_first_ssrc(p), 0x11111111, "first ssrc");

	/* max smaller than the count: stores max, still validates the rest. */
	CHECK_EQ(walk(p, len, b, 1, &why), 1, "max 1");
	CHECK_EQ(walk(p, len, NULL, 0, &why), 0, "max 0");
	p[52 + 2] = 0x00;
	p[52 + 3] = 0x04; /* SDES claims 20 bytes, only 16 remain */
	CHECK_EQ(walk(p, len, b, 1, &why), -1, "later block past end, max 1");
	CHECK_EQ(why, RELAIS_DROP_RTP_MALFORMED, "later block past end why");
}

/* RR + PLI + FIR + NACK(3) built by the builders, walked and read back. */
static void test_feedback(void)
{
	uint8_t p[256];
	struct dp_rtcp_block b[8];
	enum relais_drop_reason why;
	const uint16_t pid[3] = {100, 200, 65535}, blp[3] = {0x0001, 0x8000, 0xffff};
	size_t len = 8, n;

	hdr(p, 0, DP_RTCP_RR, 8);
	w32(p + 4, 0xaaaa0001);
	n = dp_rtcp_build_pli(p + len, sizeof(p) - len, 0xaaaa0001, 0xbbbb0002);
	CHECK_EQ(n, 12, "PLI length");
	len += n;
	n = dp_rtcp_build_fir(p + len, sizeof(p) - len, 0xaaaa0001, 0xcccc0003, 7);
	CHECK_EQ(n, 20, "FIR length");
	len += n;
	n = dp_rtcp_build_nack(p + len, sizeof(p) - len, 0xaaaa0001, 0xdddd0004, pid, blp, 3);
	CHECK_EQ(n, 24, "NACK length");
	len += n;

	CHECK_EQ(walk(p, len, b, 8, &why), 4, "RR+PLI+FIR+NACK blocks");
	CHECK_EQ(b[0].pt, DP_RTCP_RR, "RR pt");
	CHECK_EQ(b[0].len, 8, "RR len");
	CHECK_EQ(b[0].sender_ssrc, 0xaaaa0001, "RR ssrc");
	CHECK_EQ(b[1].pt, DP_RTCP_PSFB, "PLI pt");
	CHECK_EQ(b[1].count, DP_PSFB_PLI, "PLI fmt");
	CHECK_EQ(b[1].off, 8, "PLI off");
	CHECK_EQ(b[1].sender_ssrc, 0xaaaa0001, "PLI sender");
	CHECK_EQ(b[1].media_ssrc, 0xbbbb0002, "PLI media");
	CHECK_EQ(b[2].count, DP_PSFB_FIR, "FIR fmt");
	CHECK_EQ(b[2].len, 20, "FIR len");
	CHECK_EQ(b[2].media_ssrc, 0xcccc0003, "FIR target from FCI");
	CHECK_EQ(p[b[2].off + 16], 7, "FIR command seq");
	CHECKF(p[b[2].off + 8] == 0 && p[b[2].off + 11] == 0, "FIR header media SSRC is 0");
	CHECK_EQ(b[3].pt, DP_RTCP_RTPFB, "NACK pt");
	CHECK_EQ(b[3].count, DP_RTPFB_NACK, "NACK fmt");
	CHECK_EQ(b[3].media_ssrc, 0xdddd0004, "NACK media");
	CHECK_EQ((b[3].len - 12) / 4, 3, "NACK entries");
	for (unsigned i = 0; i < 3; i++) {
		uint16_t gp, gb;

		dp_rtcp_nack_get(p + b[3].off, i, &gp, &gb);
		CHECKF(gp == pid[i] && gb == blp[i], "NACK entry %u: %u/%04x", i, gp, gb);
	}
	const uint8_t pli[12] = {0x81, 206, 0, 2, 0xaa, 0xaa, 0, 1, 0xbb, 0xbb, 0, 2};
	CHECK_MEM(p + 8, pli, 12, "PLI bytes (RFC 4585 6.3.1)");
	const uint8_t nack0[8] = {0x81, 205, 0, 5, 0xaa, 0xaa, 0, 1};
	CHECK_MEM(p + b[3].off, nack0, 8, "NACK header bytes");
}

static void test_builders_cap(void)
{
	uint8_t p[64];
	const uint16_t pid[2] = {1, 2}, blp[2] = {0, 0};

	CHECK_EQ(dp_rtcp_build_pli(p, 11, 1, 2), 0, "PLI cap 11");
	CHECK_EQ(dp_rtcp_build_fir(p, 19, 1, 2, 0), 0, "FIR cap 19");
	CHECK_EQ(dp_rtcp_build_nack(p, 19, 1, 2, pid, blp, 2), 0, "NACK(2) cap 19");
	CHECK_EQ(dp_rtcp_build_nack(p, 20, 1, 2, pid, blp, 2), 20, "NACK(2) cap 20");
	CHECK_EQ(dp_rtcp_build_nack(p, 64, 1, 2, pid, blp, 0), 0, "NACK with no entry");
}

/* Every failure of the walk. */
static void test_bad(void)
{
	uint8_t p[128], g[128];
	struct dp_rtcp_block b[4];
	enum relais_drop_reason why;
	size_t len = make_sr_sdes(p);

	for (size_t n = 0; n < 8; n++) {
		CHECKF(walk(p, n, b, 4, &why) == -1 && why == RELAIS_DROP_TRUNCATED,
		       "%zu bytes is TRUNCATED", n);
	}
	for (size_t n = 8; n < len; n++) {
		if (n == 52) { /* the SR alone is a valid compound */
			CHECKF(walk(p, n, b, 4, &why) == 1, "SR alone");
			continue;
		}
		CHECKF(walk(p, n, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED,
		       "compound cut at %zu is MALFORMED (why %d)", n, why);
	}
	memcpy(g, p, len);
	g[52] = (uint8_t)(0x40 | (g[52] & 0x3f));
	CHECKF(walk(g, len, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_VERSION,
	       "second packet version 1");
	memcpy(g, p, len);
	g[0] = (uint8_t)(0xc0 | (g[0] & 0x3f));
	CHECKF(walk(g, len, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_VERSION,
	       "first packet version 3");
	memcpy(g, p, len);
	g[2] = 0xff; /* length field far past the end */
	CHECKF(walk(g, len, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED,
	       "SR length past end");
	memcpy(g, p, len);
	g[3] = 5; /* SR with RC 1 claims 24 bytes: shorter than 52 */
	CHECKF(walk(g, len, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED,
	       "SR shorter than its report count");
	memcpy(g, p, len);
	memset(g + len, 0, 4);
	hdr(g + len, 0, DP_RTCP_RR, 4);
	CHECKF(walk(g, len + 4, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED,
	       "RR of 4 bytes (no SSRC)");
	memcpy(g, p, len);
	memset(g + len, 0, 2);
	CHECKF(walk(g, len + 2, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED,
	       "2 trailing bytes");
}

/* Packets shorter than their type and count need (RFC 3550, 4585, 5104). */
static void test_bad_types(void)
{
	uint8_t p[128], g[128];
	struct dp_rtcp_block b[4];
	enum relais_drop_reason why;

	make_sr_sdes(p);
	memcpy(g, p, 52);
	g[0] = 0x82; /* SR with RC 2 needs 76 bytes, has 52 */
	CHECKF(walk(g, 52, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED,
	       "SR with 2 report blocks in 52 bytes");
	memset(g, 0, 8);
	hdr(g, 1, DP_RTCP_RR, 8); /* RR with RC 1 in 8 bytes */
	CHECKF(walk(g, 8, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED,
	       "RR with 1 report block in 8 bytes");
	hdr(g, 1, DP_RTCP_SDES, 4);
	hdr(g + 4, 0, DP_RTCP_SDES, 4);
	CHECKF(walk(g, 8, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED,
	       "SDES with 1 chunk in 4 bytes");
	hdr(g, 0, DP_RTCP_SDES, 4);
	CHECKF(walk(g, 8, b, 4, &why) == 2 && b[0].sender_ssrc == 0,
	       "two empty SDES packets (4 bytes each)");
	memset(g, 0, sizeof(g));
	hdr(g, DP_RTPFB_NACK, DP_RTCP_RTPFB, 12);
	CHECKF(walk(g, 12, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED,
	       "NACK without FCI");
	hdr(g, DP_PSFB_FIR, DP_RTCP_PSFB, 16);
	CHECKF(walk(g, 16, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED,
	       "FIR with half an FCI");
	hdr(g, DP_PSFB_PLI, DP_RTCP_PSFB, 8);
	CHECKF(walk(g, 8, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED, "PLI of 8 bytes");
	hdr(g, DP_PSFB_PLI, DP_RTCP_PSFB, 12);
	CHECKF(walk(g, 12, b, 4, &why) == 1 && why == RELAIS_DROP_NONE, "PLI of 12 bytes");
	hdr(g, 0, DP_RTCP_APP, 8);
	CHECKF(walk(g, 8, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED,
	       "APP without name");
	hdr(g, 2, DP_RTCP_BYE, 8);
	CHECKF(walk(g, 8, b, 4, &why) == -1 && why == RELAIS_DROP_RTP_MALFORMED,
	       "BYE with 2 SSRCs in 8 bytes");
	hdr(g, 2, DP_RTCP_BYE, 12);
	CHECKF(walk(g, 12, b, 4, &why) == 1, "BYE with 2 SSRCs in 12 bytes");
}

int main(void)
{
	test_sr_sdes();
	test_feedback();
	test_builders_cap();
	test_bad();
	test_bad_types();
	return check_summary("test_rtcp");
}
