/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP (RFC 3550 §5.1) and RTCP (RFC 3550 §6, RFC 4585, RFC 5104) header
 * parsing and in-place rewriting. Pure functions over byte buffers.
 */
#ifndef DP_RTP_H
#define DP_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <relais/drop_reasons.h>

#define DP_RTP_MIN_HDR 12
#define DP_RTCP_MIN_HDR 8

struct dp_rtp_info {
	uint8_t pt;
	uint8_t marker;
	uint8_t cc; /* CSRC count */
	uint8_t has_ext;
	uint8_t has_padding;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint16_t hdr_len; /* 12 + 4*cc + extension (4 + 4*len) */
};

/*
 * Parse the RTP header of an (S)RTP packet of len bytes. Checks version 2
 * (else RTP_VERSION) and that CSRCs and the header extension fit
 * (else RTP_MALFORMED; shorter than 12 bytes: TRUNCATED). The payload and
 * padding are not inspected (they may still be encrypted).
 */
enum relais_drop_reason dp_rtp_parse(const uint8_t *p, size_t len, struct dp_rtp_info *ri);

/* Length of the RTP header (fixed part, CSRCs, extension, RFC 3550 §5.1,
 * §5.3.1) of the len-byte packet p, or 0 when it does not fit in len. For
 * crypto engines that need only the length (dp_rtp_parse checks more). */
static inline uint32_t dp_rtp_header_len(const uint8_t *p, uint32_t len)
{
	uint32_t hl;

	if (len < DP_RTP_MIN_HDR)
		return 0;
	hl = DP_RTP_MIN_HDR + 4u * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (len < hl + 4)
			return 0;
		hl += 4 + 4u * (((uint32_t)p[hl + 2] << 8) | p[hl + 3]);
	}
	return hl <= len ? hl : 0;
}

/* In-place field writers (network byte order in the buffer). */
void dp_rtp_set_ssrc(uint8_t *p, uint32_t ssrc);
void dp_rtp_set_seq(uint8_t *p, uint16_t seq);
void dp_rtp_set_ts(uint8_t *p, uint32_t ts);
void dp_rtp_set_pt(uint8_t *p, uint8_t pt); /* keeps the marker bit */

/*
 * Renumber the header extension elements (RFC 8285) of the RTP packet at p
 * whose header (fixed part, CSRCs, extension) is hdr_len bytes, as parsed
 * by dp_rtp_parse: an element of id i (1..14) gets id map[i]; one whose
 * map entry is 0, or whose id is above 14 (two-byte form), is overwritten
 * with padding (zero bytes, which RFC 8285 §4.2/§4.3 let a receiver skip),
 * so the packet keeps its length. Both the one-byte (0xBEDE) and two-byte
 * (0x100x) forms; any other profile is blanked whole. An element that
 * overruns the extension ends the walk and is blanked to the end.
 * Nothing is read or written outside p[12 + 4*CC .. hdr_len).
 */
void dp_rtp_map_ext(uint8_t *p, uint16_t hdr_len, const uint8_t map[15]);

/* RTCP packet types and feedback formats. */
enum {
	DP_RTCP_SR = 200,
	DP_RTCP_RR = 201,
	DP_RTCP_SDES = 202,
	DP_RTCP_BYE = 203,
	DP_RTCP_APP = 204,
	DP_RTCP_RTPFB = 205,
	DP_RTCP_PSFB = 206,
};
enum {
	DP_RTPFB_NACK = 1
};
enum {
	DP_PSFB_PLI = 1,
	DP_PSFB_FIR = 4
};

/* One packet of a compound RTCP packet. */
struct dp_rtcp_block {
	uint16_t off; /* offset of this packet in the compound */
	uint16_t len; /* bytes, (length field + 1) * 4 */
	uint8_t pt;
	uint8_t count;        /* RC / SC / FMT field */
	uint32_t sender_ssrc; /* first SSRC word (SR/RR/FB sender, SDES first) */
	uint32_t media_ssrc;  /* feedback (205/206): media source; else 0 */
};

/*
 * Walk a compound RTCP packet of len bytes (already decrypted, trailer
 * removed). Fills up to max blocks, returns how many were found, or -1 with
 * *why set (RTP_VERSION, RTP_MALFORMED: a length field past the end, a
 * packet shorter than its type needs; TRUNCATED: < 8 bytes).
 */
int dp_rtcp_parse(const uint8_t *p, size_t len, struct dp_rtcp_block *blocks, int max,
		  enum relais_drop_reason *why);

/* SRTCP: the SSRC of the first RTCP packet (bytes 4..7); len must be >= 8. */
uint32_t dp_rtcp_first_ssrc(const uint8_t *p);

/*
 * Builders: write one RTCP packet at p (cap bytes) and return its length, or
 * 0 when cap is too small.
 * PLI: RFC 4585 §6.3.1. FIR: RFC 5104 §4.3.1 (one FCI entry).
 * NACK: RFC 4585 §6.2.1, n_pids generic NACK entries (pid, blp pairs).
 */
size_t dp_rtcp_build_pli(uint8_t *p, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc);
size_t dp_rtcp_build_fir(uint8_t *p, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
			 uint8_t fir_seq);
size_t dp_rtcp_build_nack(uint8_t *p, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
			  const uint16_t *pid, const uint16_t *blp, unsigned n_pids);

/* Generic NACK entry i of a 205/1 block at p (blk->off applied by caller). */
void dp_rtcp_nack_get(const uint8_t *fb, unsigned i, uint16_t *pid, uint16_t *blp);

/* Sequence-number arithmetic (RFC 3550 A.1 style, modulo 2^16). */
static inline bool dp_seq_newer(uint16_t a, uint16_t b)
{
	return a != b && (uint16_t)(a - b) < 0x8000;
}

#endif /* DP_RTP_H */
