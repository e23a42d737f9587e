/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP / RTCP header parsing, in-place field writers and RTCP feedback
 * builders (RFC 3550, RFC 4585, RFC 5104).
 */

#include <string.h>

#include "dp_rtp.h"

#define RTCP_FB_HDR 12 /* V/P/FMT, PT, length, sender SSRC, media SSRC */

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * RFC 3550 §5.1 fixed header, CSRC list and §5.3.1 header extension
 * (16-bit profile, 16-bit length in 32-bit words). Contract in dp_rtp.h.
 */
enum relais_drop_reason dp_rtp_parse(const uint8_t *p, size_t len, struct dp_rtp_info *ri)
{
	size_t hdr;

	if (len < DP_RTP_MIN_HDR)
		return RELAIS_DROP_TRUNCATED;
	if ((p[0] >> 6) != 2)
		return RELAIS_DROP_RTP_VERSION;
	ri->cc = p[0] & 0x0f;
	ri->has_padding = (p[0] >> 5) & 1;
	ri->has_ext = (p[0] >> 4) & 1;
	ri->marker = p[1] >> 7;
	ri->pt = p[1] & 0x7f;
	ri->seq = rd16(p + 2);
	ri->ts = rd32(p + 4);
	ri->ssrc = rd32(p + 8);
	hdr = DP_RTP_MIN_HDR + 4u * ri->cc;
	if (hdr > len)
		return RELAIS_DROP_RTP_MALFORMED;
	if (ri->has_ext) {
		if (hdr + 4 > len)
			return RELAIS_DROP_RTP_MALFORMED;
		hdr += 4 + 4u * rd16(p + hdr + 2);
		if (hdr > len || hdr > UINT16_MAX)
			return RELAIS_DROP_RTP_MALFORMED;
	}
	ri->hdr_len = (uint16_t)hdr;
	return RELAIS_DROP_NONE;
}

/* Write the SSRC (RFC 3550 §5.1, bytes 8..11). */
void dp_rtp_set_ssrc(uint8_t *p, uint32_t ssrc)
{
	wr32(p + 8, ssrc);
}

/* Write the sequence number (bytes 2..3). */
void dp_rtp_set_seq(uint8_t *p, uint16_t seq)
{
	wr16(p + 2, seq);
}

/* Write the timestamp (bytes 4..7). */
void dp_rtp_set_ts(uint8_t *p, uint32_t ts)
{
	wr32(p + 4, ts);
}

/* Write the 7-bit payload type, keeping the marker bit. */
void dp_rtp_set_pt(uint8_t *p, uint8_t pt)
{
	p[1] = (uint8_t)((p[1] & 0x80) | (pt & 0x7f));
}

/*
 * Smallest length, in bytes, a packet of type pt with count field `count`
 * can have: SR/RR RFC 3550 §6.4.1/§6.4.2 (report blocks of 24 bytes), SDES
 * §6.5, BYE §6.6, APP §6.7; feedback RFC 4585 §6.1 with at least one FCI
 * entry for generic NACK (§6.2.1) and FIR (RFC 5104 §4.3.1). Unknown types: 4.
 */
static size_t rtcp_min_len(uint8_t pt, uint8_t count)
{
	switch (pt) {
	case DP_RTCP_SR:
		return 28 + 24u * count;
	case DP_RTCP_RR:
		return 8 + 24u * count;
	case DP_RTCP_SDES:
		return count ? 8 : 4;
	case DP_RTCP_BYE:
		return 4 + 4u * count;
	case DP_RTCP_APP:
		return 12;
	case DP_RTCP_RTPFB:
		return count == DP_RTPFB_NACK ? RTCP_FB_HDR + 4 : RTCP_FB_HDR;
	case DP_RTCP_PSFB:
		return count == DP_PSFB_FIR ? RTCP_FB_HDR + 8 : RTCP_FB_HDR;
	default:
		return 4;
	}
}

/*
 * Fill one block from the packet at q of plen bytes (plen >= the minimum
 * for its type). FIR carries its target in the FCI (RFC 5104 §4.3.1.2: the
 * header's media SSRC is 0), so media_ssrc is the first FCI SSRC there.
 */
static void rtcp_fill_block(const uint8_t *q, size_t off, size_t plen, struct dp_rtcp_block *b)
{
	b->off = (uint16_t)off;
	b->len = (uint16_t)plen;
	b->pt = q[1];
	b->count = q[0] & 0x1f;
	b->sender_ssrc = plen >= 8 ? rd32(q + 4) : 0;
	b->media_ssrc = 0;
	if (b->pt == DP_RTCP_RTPFB || b->pt == DP_RTCP_PSFB)
		b->media_ssrc = rd32(q + 8);
	if (b->pt == DP_RTCP_PSFB && b->count == DP_PSFB_FIR)
		b->media_ssrc = rd32(q + RTCP_FB_HDR);
}

/*
 * Walk a compound RTCP packet (RFC 3550 §6.1); contract in dp_rtp.h. The
 * whole compound is validated; at most max blocks are stored and the number
 * stored is returned. A compound over 65535 bytes is OVERSIZED (offsets are
 * 16-bit). Trailing bytes shorter than a header are RTP_MALFORMED.
 */
int dp_rtcp_parse(const uint8_t *p, size_t len, struct dp_rtcp_block *blocks, int max,
		  enum relais_drop_reason *why)
{
	size_t off = 0;
	int n = 0;

	if (len < DP_RTCP_MIN_HDR) {
		*why = RELAIS_DROP_TRUNCATED;
		return -1;
	}
	if (len > UINT16_MAX) {
		*why = RELAIS_DROP_OVERSIZED;
		return -1;
	}
	while (off < len) {
		const uint8_t *q = p + off;
		size_t plen;

		if (len - off < 4) {
			*why = RELAIS_DROP_RTP_MALFORMED;
			return -1;
		}
		if ((q[0] >> 6) != 2) {
			*why = RELAIS_DROP_RTP_VERSION;
			return -1;
		}
		plen = ((size_t)rd16(q + 2) + 1) * 4;
		if (plen > len - off || plen < rtcp_min_len(q[1], q[0] & 0x1f)) {
			*why = RELAIS_DROP_RTP_MALFORMED;
			return -1;
		}
		if (n < max)
			rtcp_fill_block(q, off, plen, &blocks[n++]);
		off += plen;
	}
	*why = RELAIS_DROP_NONE;
	return n;
}

/* SSRC of the first RTCP packet (bytes 4..7). */
uint32_t dp_rtcp_first_ssrc(const uint8_t *p)
{
	return rd32(p + 4);
}

/* Common feedback header (RFC 4585 §6.1) of n_words + 1 32-bit words. */
static void rtcp_fb_header(uint8_t *p, uint8_t fmt, uint8_t pt, uint16_t length_words,
			   uint32_t sender_ssrc, uint32_t media_ssrc)
{
	p[0] = (uint8_t)(0x80 | fmt);
	p[1] = pt;
	wr16(p + 2, length_words);
	wr32(p + 4, sender_ssrc);
	wr32(p + 8, media_ssrc);
}

/* Picture Loss Indication, RFC 4585 §6.3.1: no FCI, 12 bytes. */
size_t dp_rtcp_build_pli(uint8_t *p, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc)
{
	if (cap < RTCP_FB_HDR)
		return 0;
	rtcp_fb_header(p, DP_PSFB_PLI, DP_RTCP_PSFB, 2, sender_ssrc, media_ssrc);
	return RTCP_FB_HDR;
}

/*
 * Full Intra Request, RFC 5104 §4.3.1: header media SSRC 0, one FCI entry
 * (target SSRC, command sequence number, 24 reserved bits). 20 bytes.
 */
size_t dp_rtcp_build_fir(uint8_t *p, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
			 uint8_t fir_seq)
{
	if (cap < RTCP_FB_HDR + 8)
		return 0;
	rtcp_fb_header(p, DP_PSFB_FIR, DP_RTCP_PSFB, 4, sender_ssrc, 0);
	wr32(p + 12, media_ssrc);
	p[16] = fir_seq;
	p[17] = p[18] = p[19] = 0;
	return RTCP_FB_HDR + 8;
}

/*
 * Generic NACK, RFC 4585 §6.2.1: one FCI word (PID, BLP) per entry.
 * n_pids == 0 or more entries than the length field can hold: 0.
 */
size_t dp_rtcp_build_nack(uint8_t *p, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
			  const uint16_t *pid, const uint16_t *blp, unsigned n_pids)
{
	size_t need = RTCP_FB_HDR + 4 * (size_t)n_pids;

	if (n_pids == 0 || n_pids > UINT16_MAX - 2 || cap < need)
		return 0;
	rtcp_fb_header(p, DP_RTPFB_NACK, DP_RTCP_RTPFB, (uint16_t)(2 + n_pids), sender_ssrc,
		       media_ssrc);
	for (unsigned i = 0; i < n_pids; i++) {
		wr16(p + RTCP_FB_HDR + 4 * i, pid[i]);
		wr16(p + RTCP_FB_HDR + 4 * i + 2, blp[i]);
	}
	return need;
}

/*
 * Entry i of a generic NACK packet at fb. The caller checks
 * i < (blk->len - 12) / 4.
 */
void dp_rtcp_nack_get(const uint8_t *fb, unsigned i, uint16_t *pid, uint16_t *blp)
{
	*pid = rd16(fb + RTCP_FB_HDR + 4 * (size_t)i);
	*blp = rd16(fb + RTCP_FB_HDR + 4 * (size_t)i + 2);
}

/* Blank bytes [from, to) of an extension block to padding. */
static void blank(uint8_t *b, size_t from, size_t to)
{
	if (from < to)
		memset(b + from, 0, to - from);
}

/* The one-byte form: ID (4 bits) and length - 1 (4 bits), then data. */
static void map_one_byte(uint8_t *b, size_t n, const uint8_t map[15])
{
	size_t i = 0;

	while (i < n) {
		unsigned id = b[i] >> 4, len = (b[i] & 0x0f) + 1u;

		if (id == 0) { /* padding */
			i++;
			continue;
		}
		if (id == 15 || i + 1 + len > n) { /* reserved id, or overrun: stop */
			blank(b, i, n);
			return;
		}
		if (map[id] == 0)
			blank(b, i, i + 1 + len);
		else
			b[i] = (uint8_t)(map[id] << 4 | (b[i] & 0x0f));
		i += 1 + len;
	}
}

/* The two-byte form: ID (8 bits), length (8 bits), then data. */
static void map_two_byte(uint8_t *b, size_t n, const uint8_t map[15])
{
	size_t i = 0;

	while (i < n) {
		unsigned id = b[i], len;

		if (id == 0) { /* padding */
			i++;
			continue;
		}
		if (i + 2 > n || i + 2 + b[i + 1] > n) {
			blank(b, i, n);
			return;
		}
		len = b[i + 1];
		if (id > 14 || map[id] == 0)
			blank(b, i, i + 2 + len);
		else
			b[i] = map[id];
		i += 2 + len;
	}
}

/* See dp_rtp.h. */
void dp_rtp_map_ext(uint8_t *p, uint16_t hdr_len, const uint8_t map[15])
{
	size_t off = 12 + 4u * (p[0] & 0x0f), n;
	uint16_t profile;

	if (!(p[0] & 0x10) || off + 4 > hdr_len)
		return;
	profile = (uint16_t)(p[off] << 8 | p[off + 1]);
	n = 4u * (size_t)(p[off + 2] << 8 | p[off + 3]);
	if (off + 4 + n > hdr_len)
		return;
	if (profile == 0xBEDE)
		map_one_byte(p + off + 4, n, map);
	else if ((profile & 0xFFF0) == 0x1000)
		map_two_byte(p + off + 4, n, map);
	else
		blank(p + off + 4, 0, n);
}
