/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The media path on the owner lcore: pre-crypto checks, one unprotect call
 * per burst, SSRC learning, fan-out of the decrypted packet (shared,
 * reference-counted, to the lcores owning subscribers) and, per local
 * subscriber, copy + rewrite + protect.
 */
#include <string.h>

#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "dp_egress.h"
#include "dp_lcore.h"
#include "dp_media.h"
#include "dp_offender.h"
#include "dp_ostream.h"
#include "dp_parse.h"
#include "dp_rewrite.h"
#include "dp_rtcp.h"
#include "dp_rtp.h"
#include "dp_stats.h"
#include "dp_tx.h"

/* Bytes of the (S)RTP packet held by m from off on. */
static inline uint16_t pkt_len_from(const struct rte_mbuf *m, uint16_t off)
{
	return (uint16_t)(rte_pktmbuf_pkt_len(m) - off);
}

/* Pre-crypto checks of one owned packet; RELAIS_DROP_NONE when it goes to
 * the unprotect burst (*is_rtcp says which kind). */
static enum relais_drop_reason precheck(struct rte_mbuf *m, struct dp_part *p, uint8_t *is_rtcp)
{
	uint16_t off = dp_meta(m)->rtp_off, len = pkt_len_from(m, off);
	const uint8_t *pkt = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	struct dp_rtp_info ri;
	enum relais_drop_reason why;

	*is_rtcp = dp_demux_classify(pkt, len) == DP_DEMUX_RTCP;
	if (*is_rtcp) {
		DP_STAT_ADD(rtcp_in, 1);
		return len < DP_RTCP_MIN_HDR ? RELAIS_DROP_TRUNCATED : RELAIS_DROP_NONE;
	}
	DP_STAT_ADD(rtp_in, 1);
	why = dp_rtp_parse(pkt, len, &ri);
	if (why == RELAIS_DROP_NONE && dp_part_track_by_ssrc(p, ri.ssrc, ri.pt, false) == NULL)
		why = RELAIS_DROP_UNKNOWN_SSRC;
	return why;
}

/* One subscriber s of track t: copy the decrypted RTP packet src/len (parsed
 * as *ri) into the fresh mbuf c (NULL: allocation failed), rewrite SSRC,
 * sequence number, timestamp and PT (RFC 3550 §5.1) and queue it for
 * protection. c is consumed on every path. */
static inline void serve_one(struct dp_lcore *lc, const struct dp_track *t, struct dp_sub *s,
			     struct rte_mbuf *c, const uint8_t *src, uint16_t len,
			     const struct dp_rtp_info *ri)
{
	int pt = dp_rewrite_pt(s, ri->pt);
	uint8_t *dst, why;
	uint16_t oseq;
	uint32_t ots;

	if (unlikely(!dp_part_consented(s->part))) { /* before any copy or rewrite */
		rte_pktmbuf_free(c);
		s->drops++;
		DP_DROP(RELAIS_DROP_NO_CONSENT);
		return;
	}
	if (pt < 0) {
		rte_pktmbuf_free(c);
		s->drops++;
		DP_DROP(RELAIS_DROP_PT_UNMAPPED);
		return;
	}
	if (unlikely(c == NULL || len > rte_pktmbuf_tailroom(c))) {
		rte_pktmbuf_free(c);
		s->drops++;
		DP_DROP(RELAIS_DROP_NO_MBUF);
		return;
	}
	/* A fresh mbuf: one segment, empty; set its length directly. */
	c->data_len = len;
	c->pkt_len = len;
	dst = rte_pktmbuf_mtod(c, uint8_t *);
	rte_memcpy(dst, src, len);
	dp_rewrite_map(dp_sub_rewrite(s), t->id, ri->ssrc, ri->seq, ri->ts, lc->now, lc->hz,
		       t->clock_rate, &oseq, &ots);
	if (s->os->slot >= 0 && unlikely((why = dp_ostream_take(s->os, oseq)) != 0)) {
		rte_pktmbuf_free(c);
		s->drops++;
		DP_DROP(why);
		return;
	}
	dp_rtp_set_ssrc(dst, s->out_ssrc);
	dp_rtp_set_seq(dst, oseq);
	dp_rtp_set_ts(dst, ots);
	dp_rtp_set_pt(dst, (uint8_t)pt);
	if (s->has_ext_map && ri->has_ext)
		dp_rtp_map_ext(dst, ri->hdr_len, s->ext_map);
	s->pkts++;
	s->bytes += len;
	dp_protect_enqueue(lc, c, s->part, 0, 0);
}

#define PF_AHEAD 3 /* mbufs of a batch prefetched ahead of the copy */

/* Prefetch, for writing, the lines of fresh mbuf c that the copy and the
 * Ethernet/IP/UDP header will write first: the line before the data
 * (headers) and the first three of the data (a 160-byte packet and its
 * tag); the hardware prefetcher follows longer copies. The mbufs come
 * cold from the pool when a poll allocates more than its cache holds. */
static inline void prefetch_out(const struct rte_mbuf *c)
{
	const uint8_t *d = rte_pktmbuf_mtod(c, const uint8_t *);

	__builtin_prefetch(d - RTE_CACHE_LINE_SIZE, 1, 3);
	__builtin_prefetch(d, 1, 3);
	__builtin_prefetch(d + RTE_CACHE_LINE_SIZE, 1, 3);
	__builtin_prefetch(d + 2 * RTE_CACHE_LINE_SIZE, 1, 3);
}

/* Serve the subscribers of group g with the decrypted RTP packet in m:
 * mbufs are taken DP_BURST at a time (one at a time when the pool cannot
 * give a whole batch, so a nearly empty pool still serves whom it can),
 * and the subscriber two ahead and the participant of the next one are
 * prefetched (at fan-out 64 they no longer stay in L1). */
static void serve_group(struct dp_lcore *lc, struct rte_mbuf *m, const struct dp_track *t,
			const struct dp_fanout_group *g)
{
	uint16_t off = dp_meta(m)->rtp_off, len = pkt_len_from(m, off);
	const uint8_t *src = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	struct rte_mbuf *cs[DP_BURST];
	struct dp_rtp_info ri;

	if (dp_rtp_parse(src, len, &ri) != RELAIS_DROP_NONE)
		return; /* parsed before decryption; cannot fail now */
	for (uint32_t base = 0; base < g->n; base += DP_BURST) {
		unsigned n = (unsigned)RTE_MIN(g->n - base, (uint32_t)DP_BURST);
		bool bulk = rte_pktmbuf_alloc_bulk(lc->pool, cs, n) == 0;

		for (unsigned i = 0; i < n; i++) {
			struct dp_sub *s = g->subs[base + i];

			if (base + i + 2 < g->n)
				rte_prefetch0(g->subs[base + i + 2]);
			if (base + i + 1 < g->n) {
				rte_prefetch0(g->subs[base + i + 1]->part);
				rte_prefetch0(g->subs[base + i + 1]->os);
			}
			if (bulk && i + PF_AHEAD < n)
				prefetch_out(cs[i + PF_AHEAD]);
			serve_one(lc, t, s, bulk ? cs[i] : rte_pktmbuf_alloc(lc->pool), src, len,
				  &ri);
		}
	}
}

/* The group of fan-out f that lcore l serves, or NULL. */
static const struct dp_fanout_group *my_group(const struct dp_fanout *f, unsigned l)
{
	for (uint32_t g = 0; f && g < f->n_groups; g++)
		if (f->g[g].lcore == l)
			return &f->g[g];
	return NULL;
}

/* Forward one decrypted RTP packet of publisher p: hand a reference to
 * every other lcore with subscribers, serve ours, release our reference. */
static void forward_rtp(struct dp_lcore *lc, struct rte_mbuf *m, struct dp_part *p)
{
	uint16_t off = dp_meta(m)->rtp_off, len = pkt_len_from(m, off);
	const uint8_t *pkt = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	struct dp_rtp_info ri;
	struct dp_track *t;
	const struct dp_fanout *f;

	dp_rtp_parse(pkt, len, &ri);
	t = dp_part_track_by_ssrc(p, ri.ssrc, ri.pt, true);
	if (t == NULL) {
		DP_DROP(RELAIS_DROP_UNKNOWN_SSRC);
		rte_pktmbuf_free(m);
		return;
	}
	t->pkts++;
	t->bytes += len;
	/* Acquire: pairs with the control thread's release in fanout_rebuild. */
	f = __atomic_load_n(&t->fan, __ATOMIC_ACQUIRE);
	if (f == NULL || f->n_subs == 0) {
		DP_DROP(RELAIS_DROP_NO_SUBSCRIBERS);
		rte_pktmbuf_free(m);
		return;
	}
	dp_meta(m)->kind = DP_META_FANOUT;
	dp_meta(m)->track_id = t->id;
	for (uint32_t g = 0; g < f->n_groups; g++) {
		if (f->g[g].lcore == lc->lcore)
			continue;
		rte_mbuf_refcnt_update(m, 1);
		dp_handoff(m, f->g[g].lcore);
	}
	const struct dp_fanout_group *mine = my_group(f, lc->lcore);

	if (mine)
		serve_group(lc, m, t, mine);
	rte_pktmbuf_free(m);
}

/* Whether owned packet m (its frame still whole before the payload) came
 * from exactly p's address, IP and port: asked only while p has no consent.
 * RTCP from port + 1 (rtcp_port_plus_one) does not match. */
static bool from_own_addr(struct rte_mbuf *m, const struct dp_part *p)
{
	struct dp_pkt_info pi;

	if (dp_parse_frame(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m), &pi) !=
	    RELAIS_DROP_NONE)
		return false;
	return pi.family == p->addr.family && pi.src_port == p->addr.port &&
	       memcmp(pi.src_ip, p->addr.ip, pi.family == 4 ? 4 : 16) == 0;
}

/* Owner lcore: an SRTP/SRTCP packet of p authenticated; when it came from
 * exactly p's address (from_addr, decided before decryption changed the
 * frame), p's address has consented to receive media. The control thread
 * is told (dp_tables_consented: key frames for its video subscriptions,
 * whose first ones went nowhere); a full ring loses only that request. */
static void note_consent(struct dp_part *p, bool from_addr)
{
	if (!from_addr || __atomic_load_n(&p->consent, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&p->consent, 1, __ATOMIC_RELAXED);
	DP_STAT_ADD(consents, 1);
	if (dp_tab.cfg->consent_required)
		rte_ring_enqueue(dp_sh.consented, (void *)(uintptr_t)p->id);
}

/* Participant p's packet m authenticated: at most once a second, hand its
 * Ethernet source and IP source to neighbour learning (dp_neigh_observe),
 * which keeps them unless the table already says the same. The frame's
 * headers are intact (dp_parse_frame accepted them; crypto touched only the
 * payload). */
static void note_source(struct dp_lcore *lc, const struct rte_mbuf *m, struct dp_part *p)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	size_t l3 = DP_ETH_HLEN;
	uint8_t family;

	if (p->nh_seen_tsc && lc->now - p->nh_seen_tsc < lc->hz)
		return;
	p->nh_seen_tsc = lc->now;
	if (f[12] == 0x81 && f[13] == 0x00) /* 802.1Q */
		l3 += DP_VLAN_HLEN;
	family = f[l3 - 2] == 0x08 ? 4 : 6; /* 0x0800 or 0x86dd: parsed as IP */
	dp_neigh_observe(family, f + l3 + (family == 4 ? 12 : 8), f + 6);
}

/* See dp_media.h. */
void dp_media_owned(struct dp_lcore *lc, struct rte_mbuf **m, struct dp_part **parts, uint16_t n)
{
	struct dp_crypto_op ops[DP_BURST];
	struct dp_part *owner[DP_BURST];
	bool from_addr[DP_BURST];
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		uint8_t is_rtcp;
		enum relais_drop_reason why = precheck(m[i], parts[i], &is_rtcp);

		if (why != RELAIS_DROP_NONE) {
			parts[i]->drops++;
			DP_DROP(why);
			dp_offender_note(why, parts[i]->addr.family, parts[i]->addr.ip);
			rte_pktmbuf_free(m[i]);
			continue;
		}
		ops[k].m = m[i];
		ops[k].ctx = parts[i]->rx_ctx;
		ops[k].off = dp_meta(m[i])->rtp_off;
		ops[k].is_rtcp = is_rtcp;
		ops[k].drop = RELAIS_DROP_NONE;
		from_addr[k] = !__atomic_load_n(&parts[i]->consent, __ATOMIC_RELAXED) &&
			       from_own_addr(m[i], parts[i]);
		owner[k++] = parts[i];
	}
	if (k == 0)
		return;
	dp_tab.eng_ops->unprotect_burst(dp_tab.eng, (unsigned)dp_worker_index(lc->lcore), ops, k);
	for (uint16_t i = 0; i < k; i++) {
		if (ops[i].drop != RELAIS_DROP_NONE) {
			owner[i]->drops++;
			DP_DROP(ops[i].drop);
			dp_offender_note(ops[i].drop, owner[i]->addr.family, owner[i]->addr.ip);
			rte_pktmbuf_free(ops[i].m);
			continue;
		}
		DP_STAT_ADD(decrypt_ok, 1);
		owner[i]->rx_pkts++;
		note_consent(owner[i], from_addr[i]);
		note_source(lc, ops[i].m, owner[i]);
		if (ops[i].is_rtcp)
			dp_rtcp_owned(lc, ops[i].m, owner[i]);
		else
			forward_rtp(lc, ops[i].m, owner[i]);
	}
}

/* See dp_media.h: a decrypted packet handed over by the publisher's owner. */
void dp_media_fanout_in(struct dp_lcore *lc, struct rte_mbuf *m)
{
	struct dp_track *t = dp_track_by_id(dp_meta(m)->track_id);
	const struct dp_fanout_group *g;

	DP_STAT_ADD(fanout_in, 1);
	if (t == NULL) {
		DP_DROP(RELAIS_DROP_STALE_OBJECT);
	} else {
		g = my_group(__atomic_load_n(&t->fan, __ATOMIC_ACQUIRE), lc->lcore);
		if (g)
			serve_group(lc, m, t, g);
	}
	rte_pktmbuf_free(m);
}
