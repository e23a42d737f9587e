/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A token bucket refilled from the TSC, written by one lcore only (no
 * atomics): the exception path's budgets (dp_edge.c) and the RTCP budgets
 * of participants and tracks (dp_rtcp.c). A zeroed bucket starts full.
 */
#ifndef DP_BUCKET_H
#define DP_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

/* tokens left; last is the TSC of the last refill. */
struct dp_bucket {
	uint32_t tokens;
	uint64_t last;
};

/* Take one token from bucket b (rate per second, at most burst tokens),
 * refilled from the TSC now (hz ticks a second). Whether a token was there. */
static inline bool dp_bucket_take(struct dp_bucket *b, uint64_t now, uint64_t hz, uint32_t rate,
				  uint32_t burst)
{
	uint64_t per = hz / rate ? hz / rate : 1;
	uint64_t add = (now - b->last) / per;

	if (b->tokens > burst)
		b->tokens = burst;
	if (add > 0) {
		b->tokens = add >= burst - b->tokens ? burst : b->tokens + (uint32_t)add;
		b->last = b->tokens == burst ? now : b->last + add * per;
	}
	if (b->tokens == 0)
		return false;
	b->tokens--;
	return true;
}

#endif /* DP_BUCKET_H */
