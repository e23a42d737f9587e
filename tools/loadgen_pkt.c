/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-loadgen packets: RTP (RFC 3550 §5.1), RTCP SR (§6.4.1) and PLI
 * (RFC 4585 §6.3.1) builders, and the self-describing payload:
 *
 *   0      4         6     7      8              12          16
 *   | magic | pub idx | kind | flags | original index | checksum | filler ... |
 *
 * The filler is a deterministic function of (publisher index, original
 * index, position) and the checksum is FNV-1a over the header and it, so a receiver can
 * check every byte without having seen the sender's buffer.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "loadgen.h"

/* NTP epoch (1900) to Unix epoch (1970) in seconds, RFC 868. */
#define NTP_UNIX_OFFSET 2208988800ull

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Write n filler bytes for (pub_idx, orig): xorshift32 (Marsaglia 2003)
 * from a seed mixing both, one byte per step. */
static void make_filler(uint8_t *dst, size_t n, int pub_idx, uint32_t orig)
{
	uint32_t x = ((uint32_t)pub_idx + 1u) * 0x9e3779b1u ^ orig * 0x85ebca6bu;

	if (x == 0)
		x = 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		dst[i] = (uint8_t)(x >> 24);
	}
}

/* FNV-1a, 32 bit, continuing from h (start with 0x811c9dc5). */
static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x01000193u;
	}
	return h;
}

/* The payload checksum: FNV-1a over the header's first 12 bytes and the
 * filler, so a change to kind or flags is caught too. */
static uint32_t payload_sum(const uint8_t *pl, size_t len)
{
	uint32_t h = fnv1a(0x811c9dc5u, pl, 12);

	return fnv1a(h, pl + LG_PAYLOAD_HDR_LEN, len - LG_PAYLOAD_HDR_LEN);
}

/* RTP clock ticks per packet: 48 kHz audio, 90 kHz video (RFC 3551 §4). */
static uint32_t ts_step(const struct lg_pub *p)
{
	return (p->kind == LG_AUDIO ? 48000u : 90000u) / p->rate;
}

/* Build the RTP packet number `orig` of publisher p (index pub_idx) into
 * buf; returns its length, or 0 if cap is too small. Leaves room for
 * nothing else: the caller's buffer must also hold the SRTP trailer. */
size_t lg_build_rtp(const struct lg_pub *p, int pub_idx, uint32_t orig, uint8_t *buf, size_t cap)
{
	size_t len = LG_RTP_HDR_LEN + p->size;
	uint8_t *pl = buf + LG_RTP_HDR_LEN;
	int marker = p->kind == LG_AUDIO ? orig == 0 : orig % 10 == 9;

	if (cap < len || p->size < LG_PAYLOAD_HDR_LEN)
		return 0;
	buf[0] = 0x80; /* V=2, no padding, no extension, CC=0 */
	buf[1] = (uint8_t)((marker ? 0x80 : 0) | (p->pt & 0x7f));
	put16(buf + 2, (uint16_t)(p->seq0 + orig));
	put32(buf + 4, p->ssrc * 7u + orig * ts_step(p));
	put32(buf + 8, p->ssrc);
	put32(pl, LG_PAYLOAD_MAGIC);
	put16(pl + 4, (uint16_t)pub_idx);
	pl[6] = (uint8_t)p->kind;
	pl[7] = 0;
	put32(pl + 8, orig);
	make_filler(pl + LG_PAYLOAD_HDR_LEN, p->size - LG_PAYLOAD_HDR_LEN, pub_idx, orig);
	put32(pl + 12, payload_sum(pl, p->size));
	return len;
}

/* Build an RTCP SR with no report blocks (RFC 3550 §6.4.1) for p, stamped
 * with the wall clock; returns 28, or 0 if cap is too small. */
size_t lg_build_sr(const struct lg_pub *p, uint8_t *buf, size_t cap)
{
	struct timespec rt;

	if (cap < 28)
		return 0;
	clock_gettime(CLOCK_REALTIME, &rt);
	uint64_t frac = ((uint64_t)rt.tv_nsec << 32) / 1000000000ull;
	buf[0] = 0x80; /* V=2, RC=0 */
	buf[1] = 200;
	put16(buf + 2, 6); /* 28 bytes / 4 - 1 */
	put32(buf + 4, p->ssrc);
	put32(buf + 8, (uint32_t)((uint64_t)rt.tv_sec + NTP_UNIX_OFFSET));
	put32(buf + 12, (uint32_t)frac);
	put32(buf + 16, p->ssrc * 7u + p->sent * ts_step(p));
	put32(buf + 20, p->sent);
	put32(buf + 24, (uint32_t)p->bytes);
	return 28;
}

/* Build a PLI (RFC 4585 §6.3.1: PSFB, FMT 1, no FCI); returns 12 or 0. */
size_t lg_build_pli(uint32_t sender, uint32_t media, uint8_t *buf, size_t cap)
{
	if (cap < 12)
		return 0;
	buf[0] = 0x81; /* V=2, FMT=1 */
	buf[1] = 206;
	put16(buf + 2, 2);
	put32(buf + 4, sender);
	put32(buf + 8, media);
	return 12;
}

/* Build an RTCP RR with no report blocks (RFC 3550 §6.4.2) from sender;
 * returns 8, or 0 if cap is too small. */
size_t lg_build_rr(uint32_t sender, uint8_t *buf, size_t cap)
{
	if (cap < 8)
		return 0;
	buf[0] = 0x80; /* V=2, RC=0 */
	buf[1] = 201;
	put16(buf + 2, 1);
	put32(buf + 4, sender);
	return 8;
}

/* RTP/RTCP demultiplexing by the second byte (RFC 5761 §4): 1 for RTCP. */
int lg_is_rtcp(const uint8_t *pkt, size_t len)
{
	return len >= 2 && pkt[1] >= 192 && pkt[1] <= 223;
}

/* Locate the payload of a decrypted RTP packet, skipping CSRCs, a header
 * extension and padding (RFC 3550 §5.1, §5.3.1). 0 or -EBADMSG. */
int lg_rtp_payload(const uint8_t *pkt, size_t len, size_t *off, size_t *plen)
{
	size_t o = LG_RTP_HDR_LEN, end = len;

	if (len < LG_RTP_HDR_LEN || (pkt[0] >> 6) != 2)
		return -EBADMSG;
	o += 4u * (pkt[0] & 0x0f);
	if (pkt[0] & 0x10) {
		if (len < o + 4)
			return -EBADMSG;
		o += 4 + 4u * get16(pkt + o + 2);
	}
	if (pkt[0] & 0x20) {
		if (len == 0 || pkt[len - 1] == 0 || pkt[len - 1] > len)
			return -EBADMSG;
		end -= pkt[len - 1];
	}
	if (o > end)
		return -EBADMSG;
	*off = o;
	*plen = end - o;
	return 0;
}

/* Verify a payload that publisher pub_idx, configured for `size` bytes,
 * must have sent: magic, index, length, checksum and every filler byte.
 * Sets *orig and returns 0, or -EBADMSG. */
int lg_check_payload(const uint8_t *pl, size_t len, int pub_idx, uint32_t size, uint32_t *orig)
{
	uint8_t want[LG_MAX_PAYLOAD];
	size_t n = len - LG_PAYLOAD_HDR_LEN;

	if (len != size || len < LG_PAYLOAD_HDR_LEN || len > LG_MAX_PAYLOAD)
		return -EBADMSG;
	if (get32(pl) != LG_PAYLOAD_MAGIC || get16(pl + 4) != (uint16_t)pub_idx || pl[7] != 0)
		return -EBADMSG;
	uint32_t o = get32(pl + 8);
	make_filler(want, n, pub_idx, o);
	if (memcmp(want, pl + LG_PAYLOAD_HDR_LEN, n) != 0 || payload_sum(pl, len) != get32(pl + 12))
		return -EBADMSG;
	*orig = o;
	return 0;
}

/* Count the packets of a decrypted compound RTCP packet (RFC 3550 §6.1)
 * with type pt, and when fmt >= 0 that count/format field, and when media
 * != 0 that media SSRC (feedback, RFC 4585 §6.1). 0 or -EBADMSG. */
int lg_rtcp_count(const uint8_t *pkt, size_t len, uint8_t pt, int fmt, uint32_t media,
		  unsigned *count)
{
	size_t o = 0;

	*count = 0;
	if (len < 4)
		return -EBADMSG;
	while (o < len) {
		if (len - o < 4 || (pkt[o] >> 6) != 2)
			return -EBADMSG;
		size_t plen = 4u * ((size_t)get16(pkt + o + 2) + 1);
		if (plen > len - o)
			return -EBADMSG;
		int match = pkt[o + 1] == pt && (fmt < 0 || (pkt[o] & 0x1f) == fmt);
		if (match && media != 0)
			match = plen >= 12 && get32(pkt + o + 8) == media;
		*count += (unsigned)match;
		o += plen;
	}
	return 0;
}
