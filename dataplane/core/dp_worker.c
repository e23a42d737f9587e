/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop (rx burst, classify, hand off or process, inbox, TX
 * drain, quiescent state) and the control thread's requests to workers;
 * the TX and hand-off primitives are in dp_tx.c.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>

#include "dp_edge.h"
#include "dp_egress.h"
#include "dp_lcore.h"
#include "dp_media.h"
#include "dp_neigh.h"
#include "dp_offender.h"
#include "dp_parse.h"
#include "dp_rtcp.h"
#include "dp_stats.h"
#include "dp_tx.h"
#include "dp_worker.h"

static struct dp_lcore *lcores[RTE_MAX_LCORE];
static volatile bool *stop_flag;

/* TX buffer error callback: the queue was full. */
static void tx_unsent(struct rte_mbuf **pkts, uint16_t n, void *arg __rte_unused)
{
	dp_stats[rte_lcore_id()].drops[RELAIS_DROP_TX_FULL] += n;
	rte_pktmbuf_free_bulk(pkts, n);
}

/* Create one worker's context: inbox ring and TX buffer. */
static int lcore_init(const struct dp_worker_conf *wc, unsigned l, unsigned idx)
{
	char name[RTE_RING_NAMESIZE];
	struct dp_lcore *lc = rte_zmalloc("rl_lcore", sizeof(*lc), RTE_CACHE_LINE_SIZE);

	if (lc == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "rl_inbox_%u", l);
	lc->lcore = l;
	lc->has_txq = idx < wc->n_txq;
	lc->txq = wc->n_txq ? (uint16_t)(idx % wc->n_txq) : 0; /* has_txq false when 0 */
	lc->port = wc->port;
	lc->pool = wc->pool;
	lc->hz = rte_get_tsc_hz();
	lc->inbox = rte_ring_create(name, wc->cfg->ring_size, (int)rte_socket_id(), RING_F_SC_DEQ);
	lc->txb = rte_zmalloc("rl_txb", RTE_ETH_TX_BUFFER_SIZE(DP_BURST), 0);
	lcores[l] = lc;
	if (lc->inbox == NULL || lc->txb == NULL)
		return -ENOMEM;
	rte_eth_tx_buffer_init(lc->txb, DP_BURST);
	rte_eth_tx_buffer_set_err_callback(lc->txb, tx_unsent, NULL);
	if (lc->has_txq && wc->cfg->n_workers > wc->n_txq) {
		snprintf(name, sizeof(name), "rl_txr_%u", l);
		lc->tx_ring =
		    rte_ring_create(name, wc->cfg->ring_size, (int)rte_socket_id(), RING_F_SC_DEQ);
		if (lc->tx_ring == NULL)
			return -ENOMEM;
	}
	dp_sh.inbox[l] = lc->inbox;
	dp_tx_index_set(l, (int)idx);
	return rte_rcu_qsbr_thread_register(dp_tab.rcu, l) == 0 ? 0 : -EINVAL;
}

/* See dp_worker.h. */
int dp_workers_init(const struct dp_worker_conf *wc)
{
	static const struct rte_mbuf_dynfield desc = {
	    .name = "relais_meta",
	    .size = sizeof(struct dp_meta),
	    .align = __alignof__(struct dp_meta),
	};
	const struct dp_config *c = wc->cfg;
	int rc;

	dp_meta_offset = rte_mbuf_dynfield_register(&desc);
	if (dp_meta_offset < 0)
		return -rte_errno;
	dp_tx_index_reset();
	dp_sh.cfg = c;
	dp_sh.pool = wc->pool;
	dp_sh.port = wc->port;
	memcpy(dp_sh.ifa.mac, wc->mac, 6);
	dp_sh.ifa.has_vlan = c->vlan != 0;
	dp_sh.ifa.vlan_tci = c->vlan;
	memcpy(dp_sh.ifa.ip4, c->ip4, 4);
	memcpy(dp_sh.ifa.ip6, c->ip6, 16);
	stop_flag = wc->stop;
	dp_sh.exception =
	    rte_ring_create("rl_exception", 1024, (int)rte_socket_id(), RING_F_SC_DEQ);
	dp_sh.retire =
	    rte_ring_create("rl_retire", DP_REKEY_MAX + 1, (int)rte_socket_id(), RING_F_SC_DEQ);
	dp_sh.consented =
	    rte_ring_create("rl_consented", DP_CONSENTED_RING, (int)rte_socket_id(), RING_F_SC_DEQ);
	if (dp_sh.exception == NULL || dp_sh.retire == NULL || dp_sh.consented == NULL)
		return -ENOMEM;
	rc = dp_neigh_init(c);
	for (unsigned i = 0; rc == 0 && i < c->n_workers; i++)
		rc = lcore_init(wc, c->workers[i], i);
	/* Workers without a TX queue send through the ring of the worker
	 * whose queue they share. */
	for (unsigned i = wc->n_txq; rc == 0 && i < c->n_workers; i++)
		lcores[c->workers[i]]->tx_via = lcores[c->workers[i % wc->n_txq]]->tx_ring;
	return rc;
}

/* Free an mbuf of the inbox or retire ring at shutdown; a re-key job's
 * contexts are destroyed with it (the engine is still alive). */
static void free_at_exit(struct rte_mbuf *m)
{
	if (dp_meta(m)->kind == DP_META_REKEY) {
		struct dp_rekey_job job;

		memcpy(&job, rte_pktmbuf_mtod(m, const void *), sizeof(job));
		dp_tab.eng_ops->ctx_destroy(dp_tab.eng, job.rx);
		dp_tab.eng_ops->ctx_destroy(dp_tab.eng, job.tx);
	}
	rte_pktmbuf_free(m);
}

/* See dp_worker.h. */
void dp_workers_fini(void)
{
	for (unsigned l = 0; l < RTE_MAX_LCORE; l++) {
		if (lcores[l] == NULL)
			continue;
		if (lcores[l]->inbox) {
			struct rte_mbuf *m;

			while (rte_ring_dequeue(lcores[l]->inbox, (void **)&m) == 0)
				free_at_exit(m);
		}
		if (lcores[l]->tx_ring) {
			struct rte_mbuf *m;

			while (rte_ring_dequeue(lcores[l]->tx_ring, (void **)&m) == 0)
				rte_pktmbuf_free(m);
		}
		rte_ring_free(lcores[l]->tx_ring);
		rte_pktmbuf_free_bulk(lcores[l]->txp, lcores[l]->n_txp);
		rte_ring_free(lcores[l]->inbox);
		rte_free(lcores[l]->txb);
		rte_free(lcores[l]);
		lcores[l] = NULL;
		dp_sh.inbox[l] = NULL;
	}
	if (dp_sh.exception) {
		struct rte_mbuf *m;

		while (rte_ring_dequeue(dp_sh.exception, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(dp_sh.exception);
		dp_sh.exception = NULL;
	}
	if (dp_sh.retire) {
		struct rte_mbuf *m;

		while (rte_ring_dequeue(dp_sh.retire, (void **)&m) == 0)
			free_at_exit(m);
		rte_ring_free(dp_sh.retire);
		dp_sh.retire = NULL;
	}
	rte_ring_free(dp_sh.consented); /* holds ids, not mbufs */
	dp_sh.consented = NULL;
	dp_neigh_fini();
}

/* See dp_worker.h (control thread). */
void dp_worker_request_pli(uint16_t owner, uint32_t track_id)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_sh.pool);

	if (m == NULL)
		return;
	dp_meta(m)->kind = DP_META_PLI_REQ;
	dp_meta(m)->track_id = track_id;
	if (rte_ring_enqueue(dp_sh.inbox[owner], m) != 0)
		rte_pktmbuf_free(m);
}

/* See dp_worker.h (control thread). */
void dp_worker_request_solicit(uint16_t lcore, uint8_t family, const uint8_t *ip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_sh.pool);
	uint8_t *d = m ? (uint8_t *)rte_pktmbuf_append(m, 17) : NULL;

	if (d == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	d[0] = family;
	memcpy(d + 1, ip, 16);
	dp_meta(m)->kind = DP_META_SOLICIT;
	if (rte_ring_enqueue(dp_sh.inbox[lcore], m) != 0)
		rte_pktmbuf_free(m);
}

/* See dp_worker.h. The job travels in an mbuf's data. */
int dp_worker_request_rekey(uint16_t lcore, const struct dp_rekey_job *job)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp_sh.pool);
	void *d = m ? rte_pktmbuf_append(m, sizeof(*job)) : NULL;

	if (d == NULL) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	memcpy(d, job, sizeof(*job));
	dp_meta(m)->kind = DP_META_REKEY;
	if (rte_ring_enqueue(dp_sh.inbox[lcore], m) != 0) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}

/* See dp_worker.h. */
int dp_worker_retired(struct dp_rekey_job *job)
{
	struct rte_mbuf *m;

	if (dp_sh.retire == NULL || rte_ring_dequeue(dp_sh.retire, (void **)&m) != 0)
		return -ENOENT;
	memcpy(job, rte_pktmbuf_mtod(m, const void *), sizeof(*job));
	rte_pktmbuf_free(m);
	return 0;
}

/* Owner lcore: re-key a participant's live contexts with the job's fresh
 * ones, after flushing protect operations that still use the old keys;
 * hand the job (now holding what the live contexts gave up) back to the
 * control thread. A participant removed meanwhile only returns the job. */
static void rekey_in(struct dp_lcore *lc, struct rte_mbuf *m)
{
	struct dp_rekey_job job;
	struct dp_part *p;
	int rc;

	memcpy(&job, rte_pktmbuf_mtod(m, const void *), sizeof(job));
	p = dp_part_by_id(job.part_id);
	if (p != NULL && p->owner == lc->lcore) {
		dp_protect_flush(lc);
		rc = dp_tab.eng_ops->ctx_rekey(dp_tab.eng, p->rx_ctx, job.rx);
		if (rc == 0)
			rc = dp_tab.eng_ops->ctx_rekey(dp_tab.eng, p->tx_ctx, job.tx);
		if (rc == 0)
			DP_STAT_ADD(rekeys, 1);
		else
			DP_STAT_ADD(rekey_failed, 1);
		if (job.move) {
			/* From the next packet on, media goes to the new address,
			 * through a next hop looked up afresh (generation 0 is
			 * never current). */
			p->addr = job.addr;
			p->nh_gen = 0;
			/* The new address has not consented (media.consent). */
			__atomic_store_n(&p->consent, 0, __ATOMIC_RELAXED);
		}
	}
	/* Cannot fail: the control thread keeps at most DP_REKEY_MAX jobs in
	 * flight, the ring's usable size (dp_part_rekey). */
	rte_ring_enqueue(dp_sh.retire, m);
}

/* Is the destination one of our addresses? */
static bool is_ours(const struct dp_pkt_info *pi)
{
	const struct dp_config *c = dp_sh.cfg;

	if (pi->family == 4)
		return c->has_ip4 && memcmp(pi->dst_ip, c->ip4, 4) == 0;
	return c->has_ip6 && memcmp(pi->dst_ip, c->ip6, 16) == 0;
}

/* The participant that sent a datagram from address k: the one at k, or,
 * for RTCP (demux d) from an address no participant has, the participant
 * at the same IP and port - 1, counted as rtcp_port_plus_one. RFC 3550 §11
 * puts RTCP on the next higher port; a sender without rtcp-mux (RFC 5761),
 * such as ffmpeg, sends its SRTCP from its RTP port + 1. The packet is
 * then that participant's in every respect: its SRTCP must authenticate
 * with that participant's key. Only a miss pays for the second lookup.
 * NULL when neither address is known (k's port may have been changed). */
static struct dp_part *part_of_source(struct dp_addr_key *k, enum dp_demux d)
{
	struct dp_part *p = dp_part_by_addr(k);

	if (p != NULL || d != DP_DEMUX_RTCP || k->port <= 1)
		return p;
	k->port--;
	p = dp_part_by_addr(k);
	if (p != NULL)
		DP_STAT_ADD(rtcp_port_plus_one, 1);
	return p;
}

/* Send STUN/DTLS datagram m from k's address (k's IP is filled here) to
 * the exception path; NONE when queued, else the drop reason. */
static enum relais_drop_reason to_edge(struct dp_lcore *lc, struct rte_mbuf *m,
				       const struct dp_pkt_info *pi, struct dp_addr_key *k)
{
	struct dp_part *p;

	memcpy(k->ip, pi->src_ip, pi->family == 4 ? 4 : 16);
	p = dp_part_by_addr(k);
	return dp_edge_admit(lc, m, pi, p ? p->id : 0);
}

/* Classify one UDP datagram for us. Returns the owner's participant when
 * this lcore owns it (packet to process here), NULL when the packet was
 * consumed (dropped, handed off or sent to the exception path). */
static struct dp_part *classify_udp(struct dp_lcore *lc, struct rte_mbuf *m,
				    const struct dp_pkt_info *pi)
{
	const uint8_t *pl = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->payload_off);
	enum dp_demux d = dp_demux_classify(pl, pi->payload_len);
	struct dp_addr_key k = {.family = pi->family, .port = pi->src_port};
	enum relais_drop_reason why = RELAIS_DROP_NONE;
	struct dp_part *p = NULL;

	if (!is_ours(pi))
		why = RELAIS_DROP_NOT_FOR_US;
	else if (pi->dst_port != dp_sh.cfg->media_port)
		why = RELAIS_DROP_WRONG_PORT;
	else if (d == DP_DEMUX_STUN || d == DP_DEMUX_DTLS) {
		if (d == DP_DEMUX_STUN)
			DP_STAT_ADD(stun, 1);
		else
			DP_STAT_ADD(dtls, 1);
		why = to_edge(lc, m, pi, &k);
		if (why == RELAIS_DROP_NONE)
			return NULL;
	} else if (d != DP_DEMUX_RTP && d != DP_DEMUX_RTCP) {
		/* 192..255 would be RTP/RTCP of version 3 (as the XDP filter says) */
		why = pi->payload_len && pl[0] >= 192 ? RELAIS_DROP_RTP_VERSION
						      : RELAIS_DROP_DEMUX_UNKNOWN;
	}
	if (why == RELAIS_DROP_NONE) {
		memcpy(k.ip, pi->src_ip, pi->family == 4 ? 4 : 16);
		p = part_of_source(&k, d);
		if (p == NULL) {
			why = RELAIS_DROP_UNKNOWN_SOURCE;
			dp_offender_note(why, pi->family, pi->src_ip);
		}
	}
	if (why != RELAIS_DROP_NONE) {
		DP_DROP(why);
		rte_pktmbuf_free(m);
		return NULL;
	}
	/* Keep exactly the UDP payload: strip Ethernet padding. */
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - pi->payload_off - pi->payload_len));
	dp_meta(m)->kind = DP_META_INGRESS;
	dp_meta(m)->rtp_off = pi->payload_off;
	dp_meta(m)->part_id = p->id;
	if (p->owner != lc->lcore) {
		dp_handoff(m, p->owner);
		return NULL;
	}
	return p;
}

/* One RX burst: parse, answer ARP/ND, classify, process owned packets. */
static void rx_burst(struct dp_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *own[DP_BURST];
	struct dp_part *parts[DP_BURST];
	uint16_t n_own = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_pkt_info pi;
		enum relais_drop_reason why;

		DP_STAT_ADD(rx_pkts, 1);
		DP_STAT_ADD(rx_bytes, rte_pktmbuf_pkt_len(m));
		why = m->nb_segs > 1 ? RELAIS_DROP_OVERSIZED
				     : dp_parse_frame(rte_pktmbuf_mtod(m, const uint8_t *),
						      rte_pktmbuf_data_len(m), &pi);
		if (why != RELAIS_DROP_NONE) {
			DP_DROP(why);
			rte_pktmbuf_free(m);
		} else if (pi.kind == DP_L3_ARP || pi.kind == DP_L3_ND) {
			dp_neigh_input(lc, m, &pi);
		} else if ((parts[n_own] = classify_udp(lc, m, &pi)) != NULL) {
			own[n_own++] = m;
		}
	}
	if (n_own)
		dp_media_owned(lc, own, parts, n_own);
}

/* Process what other lcores (and the control thread) handed us. */
static void inbox_burst(struct dp_lcore *lc, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *own[DP_BURST];
	struct dp_part *parts[DP_BURST];
	uint16_t n_own = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_meta *md = dp_meta(m);

		switch (md->kind) {
		case DP_META_INGRESS:
			DP_STAT_ADD(handoff_in, 1);
			parts[n_own] = dp_part_by_id(md->part_id);
			if (parts[n_own] == NULL || parts[n_own]->owner != lc->lcore) {
				DP_DROP(RELAIS_DROP_STALE_OBJECT);
				rte_pktmbuf_free(m);
			} else {
				own[n_own++] = m;
			}
			break;
		case DP_META_FANOUT:
			dp_media_fanout_in(lc, m);
			break;
		case DP_META_SR:
			dp_rtcp_sr_in(lc, m);
			break;
		case DP_META_FEEDBACK:
			dp_rtcp_feedback_in(lc, m);
			break;
		case DP_META_PLI_REQ:
			dp_rtcp_pli_req_in(lc, m);
			break;
		case DP_META_SOLICIT:
			dp_egress_solicit_in(lc, m);
			break;
		case DP_META_REKEY:
			rekey_in(lc, m);
			break;
		case DP_META_EDGE_TX:
			dp_edge_tx_in(lc, m);
			break;
		default:
			DP_DROP(RELAIS_DROP_STALE_OBJECT);
			rte_pktmbuf_free(m);
		}
	}
	if (n_own)
		dp_media_owned(lc, own, parts, n_own);
}

/* One iteration of the loop: RX queues, inbox, protect, TX drain. */
static void iterate(struct dp_lcore *lc, uint64_t drain)
{
	const struct dp_config *c = dp_sh.cfg;
	struct rte_mbuf *pkts[DP_BURST];
	uint16_t n;

	lc->now = rte_rdtsc();
	for (unsigned q = 0; q < c->n_rxq; q++) {
		if (c->rxq_lcore[q] != lc->lcore)
			continue;
		n = rte_eth_rx_burst(lc->port, (uint16_t)q, pkts, DP_BURST);
		if (n)
			rx_burst(lc, pkts, n);
	}
	n = (uint16_t)rte_ring_dequeue_burst(lc->inbox, (void **)pkts, DP_BURST, NULL);
	if (n)
		inbox_burst(lc, pkts, n);
	dp_protect_flush(lc);
	if (lc->now >= lc->next_drain) {
		dp_tx_flush(lc);
		lc->next_drain = lc->now + drain;
	}
	/* No object pointer survives past this point. */
	rte_rcu_qsbr_quiescent(dp_tab.rcu, lc->lcore);
}

/* See dp_worker.h. */
void dp_worker_poll_once(void)
{
	struct dp_lcore *lc = lcores[rte_lcore_id()];

	iterate(lc, 0);
}

/* The forwarding loop of one worker lcore. */
int dp_worker_main(void *arg __rte_unused)
{
	unsigned l = rte_lcore_id();
	struct dp_lcore *lc = lcores[l];
	uint64_t drain = lc->hz / 1000000 * dp_sh.cfg->tx_drain_us;

	rte_rcu_qsbr_thread_online(dp_tab.rcu, l);
	while (!*stop_flag)
		iterate(lc, drain);
	dp_protect_flush(lc);
	dp_tx_flush(lc);
	rte_rcu_qsbr_thread_offline(dp_tab.rcu, l);
	return 0;
}
