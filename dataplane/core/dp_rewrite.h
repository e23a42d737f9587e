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

#include "dp_tables.h"

/*
 * Map (in_seq, in_ts) of a packet from source (track_id, ssrc) to the
 * subscription's output numbering. The first source passes through
 * unchanged (offset 0). On a source change the next output sequence is
 * last + 1 and the output timestamp advances by the wall-clock time since
 * the last output packet, in clock_rate units (at least 1 tick), so the
 * receiver's jitter buffer sees a continuous stream. now/hz are TSC values.
 */
void dp_rewrite_map(struct dp_rewrite *rw, uint32_t track_id, uint32_t ssrc, uint16_t in_seq,
		    uint32_t in_ts, uint64_t now, uint64_t hz, uint32_t clock_rate,
		    uint16_t *out_seq, uint32_t *out_ts);

/* Output sequence number -> the source's sequence number (for NACKs). */
static inline uint16_t dp_rewrite_seq_to_source(const struct dp_rewrite *rw, uint16_t out_seq)
{
	return (uint16_t)(out_seq - rw->seq_off);
}

/* Payload type through a subscription's map; -1 when the map is not empty
 * and lacks pt. */
int dp_rewrite_pt(const struct dp_sub *s, uint8_t pt);

#endif /* DP_REWRITE_H */
