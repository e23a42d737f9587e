/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-subscription RTP header rewrite arithmetic: the outgoing stream's
 * sequence numbers and timestamps stay continuous (RFC 3550 §5.1, §8.2)
 * when the source behind a subscription changes. Pure functions, modulo
 * 2^16 / 2^32 arithmetic, unit-tested on the wrap-arounds.
 */
#ifndef DP_REWRITE_H
#define DP_REWRITE_H

#include <stdint.h>

#include <rte_branch_prediction.h>

#include "dp_tables.h"

/*
 * Map (in_seq, in_ts) of a packet from source (track_id, ssrc) to the
 * output stream's numbering. The first source passes through
 * unchanged (offset 0). On a source change (another track or SSRC, or
 * after dp_rewrite_new_source) the next output sequence is
 * last + 1 and the output timestamp advances by the wall-clock time since
 * the last output packet, in clock_rate units (at least 1 tick), so the
 * receiver's jitter buffer sees a continuous stream. now/hz are TSC values.
 */
void dp_rewrite_map(struct dp_rewrite *rw, uint32_t track_id, uint32_t ssrc, uint16_t in_seq,
		    uint32_t in_ts, uint64_t now, uint64_t hz, uint32_t clock_rate,
		    uint16_t *out_seq, uint32_t *out_ts);

/* Make the next packet mapped start a new source segment (last + 1), even
 * from the same track and SSRC. */
static inline void dp_rewrite_new_source(struct dp_rewrite *rw)
{
	rw->new_src = true;
}

/* The rewrite state of subscription s, on s's owner lcore: the first
 * packet served through a subscription other than the one the output
 * stream served last (a SUB_ADD again with the same out_ssrc) starts a new
 * source segment, so its numbers are never passed through. */
static inline struct dp_rewrite *dp_sub_rewrite(struct dp_sub *s)
{
	struct dp_ostream *os = s->os;

	if (unlikely(os->rw_epoch != s->epoch)) {
		os->rw_epoch = s->epoch;
		dp_rewrite_new_source(&os->rw);
	}
	return &os->rw;
}

/* Output sequence number -> the source's sequence number (for NACKs). */
static inline uint16_t dp_rewrite_seq_to_source(const struct dp_rewrite *rw, uint16_t out_seq)
{
	return (uint16_t)(out_seq - rw->seq_off);
}

/* Payload type through a subscription's map; -1 when the map is not empty
 * and lacks pt. */
int dp_rewrite_pt(const struct dp_sub *s, uint8_t pt);

#endif /* DP_REWRITE_H */
