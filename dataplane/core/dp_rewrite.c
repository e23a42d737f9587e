/* SPDX-License-Identifier: BSD-3-Clause */
#include "dp_rewrite.h"
#include "dp_rtp.h"

/* Timestamp ticks of clock_rate elapsed between two TSC readings (>= 1). */
static uint32_t elapsed_ticks(uint64_t from, uint64_t to, uint64_t hz, uint32_t clock_rate)
{
	unsigned __int128 t;

	if (to <= from || hz == 0)
		return 1;
	t = (unsigned __int128)(to - from) * clock_rate / hz;
	if (t == 0)
		return 1;
	return t > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)t;
}

/* See dp_rewrite.h. */
void dp_rewrite_map(struct dp_rewrite *rw, uint32_t track_id, uint32_t ssrc, uint16_t in_seq,
		    uint32_t in_ts, uint64_t now, uint64_t hz, uint32_t clock_rate,
		    uint16_t *out_seq, uint32_t *out_ts)
{
	if (!rw->started) {
		rw->seq_off = 0;
		rw->ts_off = 0;
	} else if (rw->new_src || rw->src_track_id != track_id || rw->src_ssrc != ssrc) {
		uint32_t gap = elapsed_ticks(rw->last_tsc, now, hz, clock_rate);

		rw->seq_off = (uint16_t)(rw->last_seq + 1 - in_seq);
		rw->ts_off = rw->last_ts + gap - in_ts;
	}
	rw->src_track_id = track_id;
	rw->src_ssrc = ssrc;
	*out_seq = (uint16_t)(in_seq + rw->seq_off);
	*out_ts = in_ts + rw->ts_off;
	if (!rw->started || dp_seq_newer(*out_seq, rw->last_seq)) {
		rw->last_seq = *out_seq;
		rw->last_ts = *out_ts;
		rw->last_tsc = now;
	}
	rw->started = true;
	rw->new_src = false;
}

/* See dp_rewrite.h. */
int dp_rewrite_pt(const struct dp_sub *s, uint8_t pt)
{
	if (s->n_pt == 0)
		return pt;
	for (unsigned i = 0; i < s->n_pt; i++)
		if (s->pt_map[i][0] == pt)
			return s->pt_map[i][1];
	return -1;
}
