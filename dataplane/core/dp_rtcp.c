/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTCP on the owner lcores:
 * - sender reports of a publisher go to each subscriber of the track with
 *   the SSRC and RTP timestamp rewritten (report blocks removed: they
 *   describe what the publisher receives, not what the subscriber gets);
 * - PLI, FIR and NACK of a subscriber are mapped back to the publisher's
 *   SSRC (and NACKed sequence numbers back to the source numbering) and
 *   sent to the publisher, PLI/FIR at most once per PLI_MIN_INTERVAL_MS;
 * - so that relais emits no more RTCP than it is given, each subscriber
 *   participant's NACKs (rtcp.nack_rate/nack_burst) and each track's SR
 *   fan-outs (rtcp.sr_rate/sr_burst) spend a token bucket kept on the
 *   owner lcore; over it they are dropped as nack_rate / sr_rate;
 * - RR, SDES, BYE, APP and other feedback are consumed and counted
 *   (rtcp_unhandled): never forwarded blindly.
 */
#include <rte_byteorder.h>

#include "dp_egress.h"
#include "dp_lcore.h"
#include "dp_ostream.h"
#include "dp_rewrite.h"
#include "dp_rtcp.h"
#include "dp_rtp.h"
#include "dp_stats.h"
#include "dp_tx.h"

#define MAX_BLOCKS 16
#define SR_LEN 28 /* header + sender info, no report blocks */
#define PLI_MIN_INTERVAL_MS 100
#define MAX_NACK_PIDS 32

enum fb_type {
	FB_PLI = 1,
	FB_FIR,
	FB_NACK
};

/* Store v big-endian at p (any alignment). */
static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Fan the SR block at offset `blk` of m out to the track's subscribers. */
static void fanout_sr(struct dp_lcore *lc, struct rte_mbuf *m, struct dp_track *t, uint16_t blk)
{
	const struct dp_fanout *f = __atomic_load_n(&t->fan, __ATOMIC_ACQUIRE);

	if (f == NULL)
		return;
	dp_meta(m)->kind = DP_META_SR;
	dp_meta(m)->track_id = t->id;
	dp_meta(m)->aux = blk;
	for (uint32_t g = 0; g < f->n_groups; g++) {
		rte_mbuf_refcnt_update(m, 1);
		if (f->g[g].lcore == lc->lcore)
			dp_rtcp_sr_in(lc, m);
		else
			dp_handoff(m, f->g[g].lcore);
	}
}

/* Send a feedback request about track t of a subscriber to the publisher's
 * owner: NACK carries the mapped packet, PLI/FIR are built there. */
static void send_feedback(struct dp_lcore *lc, struct dp_track *t, enum fb_type type,
			  const uint8_t *nack, uint16_t nack_len)
{
	struct dp_part *pub = dp_part_by_id(t->part_id);
	struct rte_mbuf *m;

	if (pub == NULL || !__atomic_load_n(&t->ssrc_known, __ATOMIC_ACQUIRE))
		return;
	m = rte_pktmbuf_alloc(lc->pool);
	if (m == NULL || (nack_len && rte_pktmbuf_append(m, nack_len) == NULL)) {
		rte_pktmbuf_free(m);
		DP_DROP(RELAIS_DROP_NO_MBUF);
		return;
	}
	if (nack_len)
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), nack, nack_len);
	dp_meta(m)->kind = DP_META_FEEDBACK;
	dp_meta(m)->part_id = pub->id;
	dp_meta(m)->track_id = t->id;
	dp_meta(m)->aux = type;
	dp_handoff(m, pub->owner);
}

/* A NACK block of subscriber sub: map each PID back to the source. */
static void map_nack(struct dp_lcore *lc, const uint8_t *blk, const struct dp_rtcp_block *b,
		     struct dp_sub *sub, struct dp_track *t, uint32_t fb_ssrc)
{
	uint16_t pid[MAX_NACK_PIDS], blp[MAX_NACK_PIDS];
	uint8_t out[12 + 4 * MAX_NACK_PIDS];
	unsigned n = (unsigned)(b->len - 12) / 4;
	size_t len;

	if (n > MAX_NACK_PIDS)
		n = MAX_NACK_PIDS;
	for (unsigned i = 0; i < n; i++) {
		dp_rtcp_nack_get(blk, i, &pid[i], &blp[i]);
		pid[i] = dp_rewrite_seq_to_source(&sub->os->rw, pid[i]);
	}
	len = dp_rtcp_build_nack(out, sizeof(out), fb_ssrc, t->ssrc, pid, blp, n);
	if (len)
		send_feedback(lc, t, FB_NACK, out, (uint16_t)len);
}

/* Subscriber owner: may one more NACK of participant p go upstream? Counts
 * nack_rate when not. */
static bool nack_allowed(struct dp_lcore *lc, struct dp_part *p)
{
	const struct dp_config *c = dp_sh.cfg;

	if (dp_bucket_take(&p->nack_tb, lc->now, lc->hz, c->nack_rate, c->nack_burst))
		return true;
	p->drops++;
	DP_DROP(RELAIS_DROP_NACK_RATE);
	return false;
}

/* Publisher owner: may one more SR of track t be fanned out? Counts
 * sr_rate when not. */
static bool sr_allowed(struct dp_lcore *lc, struct dp_track *t)
{
	const struct dp_config *c = dp_sh.cfg;

	if (dp_bucket_take(&t->sr_tb, lc->now, lc->hz, c->sr_rate, c->sr_burst))
		return true;
	t->drops++;
	DP_DROP(RELAIS_DROP_SR_RATE);
	return false;
}

/* Feedback block b from subscriber participant p. */
static void subscriber_feedback(struct dp_lcore *lc, const uint8_t *pkt,
				const struct dp_rtcp_block *b, struct dp_part *p)
{
	struct dp_sub *sub;
	struct dp_track *t;
	struct dp_part *pub;

	/* For FIR the parser reports the FCI's target SSRC (RFC 5104 §4.3.1). */
	sub = dp_sub_by_out(p->id, b->media_ssrc);
	/* Acquire: pairs with the release in dp_sub_switch. */
	t = sub ? dp_track_by_id(__atomic_load_n(&sub->track_id, __ATOMIC_ACQUIRE)) : NULL;
	pub = t ? dp_part_by_id(t->part_id) : NULL;
	if (pub == NULL) {
		DP_DROP(RELAIS_DROP_UNKNOWN_SSRC);
		return;
	}
	if (b->pt == DP_RTCP_RTPFB) {
		if (nack_allowed(lc, p))
			map_nack(lc, pkt + b->off, b, sub, t, pub->fb_ssrc);
	} else
		send_feedback(lc, t, b->count == DP_PSFB_FIR ? FB_FIR : FB_PLI, NULL, 0);
}

/* Is block b a feedback message relais maps back to a publisher? */
static bool is_mapped_feedback(const struct dp_rtcp_block *b)
{
	return (b->pt == DP_RTCP_RTPFB && b->count == DP_RTPFB_NACK && b->len >= 16) ||
	       (b->pt == DP_RTCP_PSFB && (b->count == DP_PSFB_PLI || b->count == DP_PSFB_FIR));
}

/* See dp_rtcp.h: a decrypted compound RTCP packet from participant p. */
void dp_rtcp_owned(struct dp_lcore *lc, struct rte_mbuf *m, struct dp_part *p)
{
	uint16_t off = dp_meta(m)->rtp_off;
	const uint8_t *pkt = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	struct dp_rtcp_block b[MAX_BLOCKS];
	enum relais_drop_reason why = RELAIS_DROP_NONE;
	int n = dp_rtcp_parse(pkt, rte_pktmbuf_pkt_len(m) - off, b, MAX_BLOCKS, &why);
	bool sr_done = false;

	if (n < 0) {
		DP_DROP(why);
		rte_pktmbuf_free(m);
		return;
	}
	for (int i = 0; i < n; i++) {
		struct dp_track *t;

		if (b[i].pt == DP_RTCP_SR && !sr_done && b[i].len >= SR_LEN &&
		    (t = dp_part_track_by_ssrc(p, b[i].sender_ssrc, RELAIS_PT_ANY, false)) &&
		    t->ssrc_known) {
			if (sr_allowed(lc, t))
				fanout_sr(lc, m, t, b[i].off);
			sr_done = true;
		} else if (is_mapped_feedback(&b[i])) {
			subscriber_feedback(lc, pkt, &b[i], p);
		} else {
			DP_DROP(RELAIS_DROP_RTCP_UNHANDLED);
		}
	}
	rte_pktmbuf_free(m);
}

/* One subscriber's copy of an SR: SSRC and RTP timestamp rewritten. */
static void sr_to_sub(struct dp_lcore *lc, const uint8_t *sr, struct dp_sub *s, uint32_t track_id)
{
	struct dp_ostream *os = s->os;
	struct rte_mbuf *c;
	uint8_t *d;
	uint32_t ts, idx;

	/* Only a sub already forwarding this source knows its timestamp map
	 * (its own segment of the output stream, not an earlier sub's). */
	if (!os->rw.started || os->rw_epoch != s->epoch || os->rw.new_src ||
	    os->rw.src_track_id != track_id)
		return;
	c = rte_pktmbuf_alloc(lc->pool);
	d = c ? (uint8_t *)rte_pktmbuf_append(c, SR_LEN) : NULL;
	if (d == NULL) {
		rte_pktmbuf_free(c);
		DP_DROP(RELAIS_DROP_NO_MBUF);
		return;
	}
	memcpy(d, sr, SR_LEN);
	d[0] = (uint8_t)(d[0] & 0xe0); /* V=2, P kept, RC = 0 */
	d[2] = 0;
	d[3] = SR_LEN / 4 - 1;
	put_be32(d + 4, s->out_ssrc);
	ts = (uint32_t)d[16] << 24 | (uint32_t)d[17] << 16 | (uint32_t)d[18] << 8 | d[19];
	put_be32(d + 16, ts + os->rw.ts_off);
	if ((idx = dp_srtcp_take(&os->rtcp)) == 0) {
		rte_pktmbuf_free(c);
		DP_DROP(RELAIS_DROP_TX_INDEX_RESERVE);
		return;
	}
	DP_STAT_ADD(sr_forwarded, 1);
	dp_protect_enqueue(lc, c, s->part, 0, idx);
}

/* See dp_rtcp.h: serve our subscribers with a shared SR, release it. */
void dp_rtcp_sr_in(struct dp_lcore *lc, struct rte_mbuf *m)
{
	struct dp_meta *md = dp_meta(m);
	struct dp_track *t = dp_track_by_id(md->track_id);
	const struct dp_fanout *f = t ? __atomic_load_n(&t->fan, __ATOMIC_ACQUIRE) : NULL;
	const uint8_t *sr = rte_pktmbuf_mtod_offset(m, const uint8_t *, md->rtp_off + md->aux);

	for (uint32_t g = 0; f && g < f->n_groups; g++) {
		if (f->g[g].lcore != lc->lcore)
			continue;
		for (uint32_t i = 0; i < f->g[g].n; i++)
			sr_to_sub(lc, sr, f->g[g].subs[i], t->id);
	}
	rte_pktmbuf_free(m);
}

/* Publisher owner: may a key-frame request for t go out now? */
static bool pli_allowed(struct dp_lcore *lc, struct dp_track *t)
{
	uint64_t min = lc->hz / 1000 * PLI_MIN_INTERVAL_MS;

	if (t->last_pli_tsc && lc->now - t->last_pli_tsc < min)
		return false;
	t->last_pli_tsc = lc->now;
	return true;
}

/* Build PLI or FIR for t into the empty mbuf m; false if not allowed. */
static bool build_keyframe_req(struct dp_lcore *lc, struct rte_mbuf *m, struct dp_track *t,
			       const struct dp_part *pub, bool fir)
{
	uint8_t *d = (uint8_t *)rte_pktmbuf_append(m, 20);
	size_t len;

	if (d == NULL || !pli_allowed(lc, t))
		return false;
	len = fir ? dp_rtcp_build_fir(d, 20, pub->fb_ssrc, t->ssrc, t->fir_seq++)
		  : dp_rtcp_build_pli(d, 20, pub->fb_ssrc, t->ssrc);
	rte_pktmbuf_trim(m, (uint16_t)(20 - len));
	return len != 0;
}

/* See dp_rtcp.h: feedback for a publisher we own. */
void dp_rtcp_feedback_in(struct dp_lcore *lc, struct rte_mbuf *m)
{
	struct dp_meta *md = dp_meta(m);
	struct dp_part *pub = dp_part_by_id(md->part_id);
	struct dp_track *t = dp_track_by_id(md->track_id);
	bool ok = pub && t && pub->owner == lc->lcore;
	uint32_t idx;

	if (ok && md->aux != FB_NACK)
		ok = build_keyframe_req(lc, m, t, pub, md->aux == FB_FIR);
	if (!ok) {
		rte_pktmbuf_free(m);
		return;
	}
	if ((idx = dp_srtcp_take(&pub->fb_rtcp)) == 0) {
		rte_pktmbuf_free(m);
		DP_DROP(RELAIS_DROP_TX_INDEX_RESERVE);
		return;
	}
	DP_STAT_ADD(fb_forwarded, 1);
	dp_protect_enqueue(lc, m, pub, 0, idx);
}

/* See dp_rtcp.h: the control thread asks for a key frame of a track. */
void dp_rtcp_pli_req_in(struct dp_lcore *lc, struct rte_mbuf *m)
{
	struct dp_track *t = dp_track_by_id(dp_meta(m)->track_id);
	struct dp_part *pub = t ? dp_part_by_id(t->part_id) : NULL;
	uint32_t idx;

	if (pub == NULL || pub->owner != lc->lcore ||
	    !__atomic_load_n(&t->ssrc_known, __ATOMIC_ACQUIRE) ||
	    !build_keyframe_req(lc, m, t, pub, false)) {
		rte_pktmbuf_free(m);
		return;
	}
	if ((idx = dp_srtcp_take(&pub->fb_rtcp)) == 0) {
		rte_pktmbuf_free(m);
		DP_DROP(RELAIS_DROP_TX_INDEX_RESERVE);
		return;
	}
	DP_STAT_ADD(pli_sent, 1);
	dp_protect_enqueue(lc, m, pub, 0, idx);
}
