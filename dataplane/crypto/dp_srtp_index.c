/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP packet index estimation and the replay window (dp_srtp_index.h).
 *
 * RFC 3711 §3.3.1: the receiver estimates the 48-bit packet index
 * i = 2^16 * ROC + SEQ from the highest index it has authenticated, with the
 * algorithm of Appendix A. RFC 3711 §3.3.2: a sliding window of the last
 * DP_REPLAY_WINDOW indices rejects replays; the check happens before any
 * crypto, the update only after the packet authenticated (§3.3, step 5/6).
 *
 * Indices are compared modulo 2^48 as signed distances, so a packet
 * estimated with ROC - 1 while ROC is 0 (Appendix A's v = ROC - 1 wrapping)
 * is seen as "just before" the window and never as far ahead of it.
 */
#include <string.h>

#include "dp_srtp_index.h"

#define INDEX_BITS 48
#define INDEX_MASK ((UINT64_C(1) << INDEX_BITS) - 1)
#define WINDOW_WORDS (DP_REPLAY_WINDOW / 64)

/* Highest accepted index of an SRTP receiver state. */
static uint64_t srtp_top(const struct dp_srtp_rx_state *s)
{
	return ((uint64_t)s->roc << 16) | s->s_l;
}

/* Signed distance top - index in the 48-bit index space: > 0 means index is
 * older than top, < 0 newer. */
static int64_t srtp_distance(uint64_t top, uint64_t index)
{
	uint64_t d = (top - index) & INDEX_MASK;

	if (d & (UINT64_C(1) << (INDEX_BITS - 1)))
		return (int64_t)d - (int64_t)(UINT64_C(1) << INDEX_BITS);
	return (int64_t)d;
}

/* Estimate the packet index, RFC 3711 Appendix A:
 *   if s_l < 2^15:  v = ROC - 1 if SEQ - s_l > 2^15, else ROC
 *   else:           v = ROC + 1 if s_l - 2^15 > SEQ, else ROC
 * The first packet takes v = s->roc (the signalled or default ROC). */
uint64_t dp_srtp_estimate_index(const struct dp_srtp_rx_state *s, uint16_t seq)
{
	uint32_t v = s->roc;

	if (s->started) {
		if (s->s_l < 32768) {
			if ((int32_t)seq - (int32_t)s->s_l > 32768)
				v = s->roc - 1; /* wraps to 2^32-1 at ROC 0: see above */
		} else if ((int32_t)s->s_l - 32768 > (int32_t)seq) {
			v = s->roc + 1;
		}
	}
	return (((uint64_t)v << 16) | seq) & INDEX_MASK;
}

/* Window test shared by SRTP and SRTCP. delta = top - index. */
static int window_check(const uint64_t *bitmap, int64_t delta)
{
	if (delta < 0)
		return 0; /* newer than anything seen */
	if (delta >= DP_REPLAY_WINDOW)
		return -2;
	if (bitmap[delta / 64] & (UINT64_C(1) << (delta % 64)))
		return -1;
	return 0;
}

/* Slide the window by `shift` newer indices: bit i moves to bit i + shift;
 * bits shifted past the window are forgotten. */
static void window_shift(uint64_t *bitmap, uint64_t shift)
{
	if (shift >= DP_REPLAY_WINDOW) {
		memset(bitmap, 0, WINDOW_WORDS * sizeof(*bitmap));
		return;
	}
	if (shift < 64) { /* the usual case (in order: 1), without branches */
		unsigned b = (unsigned)shift;

		for (int w = WINDOW_WORDS - 1; w > 0; w--)
			bitmap[w] = bitmap[w] << b | bitmap[w - 1] >> (63 - b) >> 1;
		bitmap[0] <<= b;
		return;
	}
	unsigned words = (unsigned)(shift / 64), bits = (unsigned)(shift % 64);

	for (int w = WINDOW_WORDS - 1; w >= 0; w--) {
		uint64_t v = 0;
		int src = w - (int)words;

		if (src >= 0) {
			v = bitmap[src] << bits;
			if (bits != 0 && src > 0)
				v |= bitmap[src - 1] >> (64 - bits);
		}
		bitmap[w] = v;
	}
}

/* Record an authenticated index in a window; delta = top - index (the
 * caller moves the top when delta < 0). */
static void window_update(uint64_t *bitmap, int64_t delta)
{
	if (delta < 0) {
		window_shift(bitmap, (uint64_t)-delta);
		bitmap[0] |= 1;
	} else if (delta < DP_REPLAY_WINDOW) {
		bitmap[delta / 64] |= UINT64_C(1) << (delta % 64);
	}
}

/* RFC 3711 §3.3.2 replay check: 0 acceptable, -1 replay, -2 too old. */
int dp_srtp_replay_check(const struct dp_srtp_rx_state *s, uint64_t index)
{
	if (!s->started)
		return 0;
	return window_check(s->bitmap, srtp_distance(srtp_top(s), index & INDEX_MASK));
}

/* Record an authenticated index: the first one starts the window, a newer
 * one slides it and becomes the top (ROC and s_l follow, RFC 3711 §3.3.1),
 * an older one inside the window sets its bit. */
void dp_srtp_replay_update(struct dp_srtp_rx_state *s, uint64_t index)
{
	index &= INDEX_MASK;
	if (!s->started) {
		memset(s->bitmap, 0, sizeof(s->bitmap));
		s->bitmap[0] = 1;
		s->started = true;
		s->roc = (uint32_t)(index >> 16);
		s->s_l = (uint16_t)index;
		return;
	}
	int64_t delta = srtp_distance(srtp_top(s), index);

	window_update(s->bitmap, delta);
	if (delta < 0) {
		s->roc = (uint32_t)(index >> 16);
		s->s_l = (uint16_t)index;
	}
}

/* SRTCP replay check on the explicit 31-bit index (RFC 3711 §3.4). */
int dp_srtcp_replay_check(const struct dp_srtcp_rx_state *s, uint32_t index)
{
	if (!s->started)
		return 0;
	return window_check(s->bitmap, (int64_t)s->top - (int64_t)(index & 0x7fffffffu));
}

/* Record an authenticated SRTCP index (same window rules as SRTP). */
void dp_srtcp_replay_update(struct dp_srtcp_rx_state *s, uint32_t index)
{
	index &= 0x7fffffffu;
	if (!s->started) {
		memset(s->bitmap, 0, sizeof(s->bitmap));
		s->bitmap[0] = 1;
		s->started = true;
		s->top = index;
		return;
	}
	int64_t delta = (int64_t)s->top - (int64_t)index;

	window_update(s->bitmap, delta);
	if (delta < 0)
		s->top = index;
}
