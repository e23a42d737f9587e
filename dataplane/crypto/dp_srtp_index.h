/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP packet index estimation and replay window, RFC 3711 §3.3.1-§3.3.2
 * and Appendix A, kept apart from any crypto library so every engine shares
 * them: check before crypto, update only after authentication succeeded.
 */
#ifndef DP_SRTP_INDEX_H
#define DP_SRTP_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#define DP_REPLAY_WINDOW 1024 /* packets; a multiple of 64 */

struct dp_srtp_rx_state {
	bool started;                           /* first packet seen */
	uint32_t roc;                           /* rollover counter of the highest index */
	uint16_t s_l;                           /* highest sequence number received */
	uint64_t bitmap[DP_REPLAY_WINDOW / 64]; /* bit i: index (top - i) seen */
};

/* Estimate the 48-bit index i = 2^16 * v + seq of a received packet with
 * sequence `seq` given the state (RFC 3711 App. A). On the first packet v is
 * the state's roc (0 unless set). */
uint64_t dp_srtp_estimate_index(const struct dp_srtp_rx_state *s, uint16_t seq);

/* 0 if index may be accepted, -1 if already seen (replay), -2 if older
 * than the window. */
int dp_srtp_replay_check(const struct dp_srtp_rx_state *s, uint64_t index);

/* Record index as received (call only after authentication succeeded):
 * advances roc/s_l when newer, sets the window bit. */
void dp_srtp_replay_update(struct dp_srtp_rx_state *s, uint64_t index);

/* SRTCP (31-bit index, explicit in the packet): same window logic. */
struct dp_srtcp_rx_state {
	bool started;
	uint32_t top;
	uint64_t bitmap[DP_REPLAY_WINDOW / 64];
};
int dp_srtcp_replay_check(const struct dp_srtcp_rx_state *s, uint32_t index);
void dp_srtcp_replay_update(struct dp_srtcp_rx_state *s, uint32_t index);

#endif /* DP_SRTP_INDEX_H */
