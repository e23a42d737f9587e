/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Egress: protect batches, next-hop resolution, Ethernet/IP/UDP headers and
 * TX buffering; ARP and IPv6 ND for our own addresses.
 */
#include <string.h>

#include <rte_cycles.h>

#include "dp_egress.h"
#include "dp_lcore.h"
#include "dp_neigh.h"
#include "dp_parse.h"
#include "dp_stats.h"
#include "dp_tx.h"

#define SOLICIT_INTERVAL_US 50000

/* Is ip on-link for our prefix of its family? */
static bool on_link(uint8_t family, const uint8_t *ip)
{
	const struct dp_config *c = dp_sh.cfg;

	return family == 4 ? dp_prefix_contains(c->ip4, c->prefix4, ip)
			   : dp_prefix_contains(c->ip6, c->prefix6, ip);
}

/* Next hop towards ip: ip itself on-link, else the family's gateway. */
static const uint8_t *next_hop(uint8_t family, const uint8_t *ip)
{
	const struct dp_config *c = dp_sh.cfg;

	if (!on_link(family, ip) && (family == 4 ? c->has_gw4 : c->has_gw6))
		return family == 4 ? c->gw4 : c->gw6;
	return ip;
}

/* Send an ARP request / NS for ip; with rate_limit at most once per
 * SOLICIT_INTERVAL_US per lcore. */
static void solicit(struct dp_lcore *lc, uint8_t family, const uint8_t *ip, bool rate_limit)
{
	struct rte_mbuf *m;
	size_t len;

	if (rate_limit && lc->now - lc->last_solicit_tsc < lc->hz / 1000000 * SOLICIT_INTERVAL_US)
		return;
	lc->last_solicit_tsc = lc->now;
	m = rte_pktmbuf_alloc(lc->pool);
	if (m == NULL)
		return;
	len = family == 4 ? dp_arp_build_request(rte_pktmbuf_mtod(m, uint8_t *),
						 rte_pktmbuf_tailroom(m), &dp_sh.ifa, ip)
			  : dp_nd_build_ns(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_tailroom(m),
					   &dp_sh.ifa, ip);
	if (len == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	m->data_len = m->pkt_len = (uint32_t)len;
	DP_STAT_ADD(neigh_requests, 1);
	dp_neigh_solicited_async(family, ip);
	dp_tx(lc, m);
}

/* The next hop's MAC for participant p (owner lcore): its cache while the
 * neighbour table's generation holds, else a lookup; a stale entry is used
 * uncached and re-solicited (rate-limited). 0 or -ENOENT. */
static int next_hop_mac(struct dp_lcore *lc, struct dp_part *p, const uint8_t *hop, uint8_t mac[6])
{
	uint32_t gen = dp_neigh_gen();
	int rc;

	if (p->nh_gen == gen) {
		memcpy(mac, p->nh_mac, 6);
		return 0;
	}
	rc = dp_neigh_lookup(p->addr.family, hop, mac);
	if (rc < 0)
		return -ENOENT;
	if (rc == DP_NEIGH_STALE) {
		solicit(lc, p->addr.family, hop, true);
		return 0;
	}
	memcpy(p->nh_mac, mac, 6);
	p->nh_gen = gen;
	return 0;
}

/* Frame m (a UDP payload) from our media address and port to dst through
 * next hop MAC mac, and queue it for TX. */
static void frame_and_send(struct dp_lcore *lc, struct rte_mbuf *m, const struct dp_addr_key *dst,
			   const uint8_t mac[6])
{
	const struct dp_config *c = dp_sh.cfg;
	bool vlan = c->vlan != 0;
	size_t hl = dp_hdr_len(dst->family, vlan);
	uint16_t plen = (uint16_t)rte_pktmbuf_pkt_len(m);
	struct dp_udp_tmpl t;
	uint8_t *h = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)hl);

	if (h == NULL) {
		DP_DROP(RELAIS_DROP_OVERSIZED);
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(t.dst_mac, mac, 6);
	memcpy(t.src_mac, dp_sh.ifa.mac, 6);
	t.has_vlan = vlan;
	t.vlan_tci = c->vlan;
	t.family = dst->family;
	t.ttl = 64;
	t.tos = 0;
	memcpy(t.src_ip, dst->family == 4 ? c->ip4 : c->ip6, 16);
	memcpy(t.dst_ip, dst->ip, 16);
	t.src_port = c->media_port;
	t.dst_port = dst->port;
	dp_build_udp_headers(h, hl, &t, plen);
	if (dst->family == 6)
		dp_udp_checksum_ipv6(h, hl - DP_UDP_HLEN - DP_IPV6_HLEN, hl + plen);
	DP_STAT_ADD(tx_pkts, 1);
	DP_STAT_ADD(tx_bytes, rte_pktmbuf_pkt_len(m));
	dp_tx(lc, m);
}

/* Whether we have an address of dst's family; counts and frees m if not. */
static bool family_ours(struct rte_mbuf *m, const struct dp_addr_key *dst)
{
	const struct dp_config *c = dp_sh.cfg;

	if ((dst->family == 4 && c->has_ip4) || (dst->family == 6 && c->has_ip6))
		return true;
	DP_DROP(RELAIS_DROP_NO_NEIGHBOR);
	rte_pktmbuf_free(m);
	return false;
}

/* See dp_egress.h. */
void dp_egress_send(struct dp_lcore *lc, struct rte_mbuf *m, struct dp_part *to)
{
	const struct dp_addr_key *dst = &to->addr;
	const uint8_t *hop;
	uint8_t mac[6];

	if (!family_ours(m, dst))
		return;
	hop = next_hop(dst->family, dst->ip);
	if (next_hop_mac(lc, to, hop, mac) < 0) {
		solicit(lc, dst->family, hop, true);
		DP_DROP(RELAIS_DROP_NO_NEIGHBOR);
		rte_pktmbuf_free(m);
		return;
	}
	frame_and_send(lc, m, dst, mac);
}

/* See dp_egress.h. */
void dp_egress_send_addr(struct dp_lcore *lc, struct rte_mbuf *m, const struct dp_addr_key *dst)
{
	const uint8_t *hop;
	uint8_t mac[6];

	if (!family_ours(m, dst))
		return;
	hop = next_hop(dst->family, dst->ip);
	if (dp_neigh_lookup(dst->family, hop, mac) < 0) {
		solicit(lc, dst->family, hop, true);
		DP_DROP(RELAIS_DROP_NO_NEIGHBOR);
		rte_pktmbuf_free(m);
		return;
	}
	frame_and_send(lc, m, dst, mac);
}

/* See dp_egress.h. */
void dp_egress_solicit_in(struct dp_lcore *lc, struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uint8_t family = d[0], mac[6];
	const uint8_t *hop = next_hop(family, d + 1);
	bool ours = family == 4 ? dp_sh.cfg->has_ip4 : dp_sh.cfg->has_ip6;

	if (ours && dp_neigh_lookup(family, hop, mac) != 0)
		solicit(lc, family, hop, false);
	rte_pktmbuf_free(m);
}

/* See dp_egress.h. The packet to protect is m's data from `off` on. The
 * one gate of everything relais sends a participant (RTP, RTCP forwarded
 * or generated): nothing goes to an address that has not consented. */
void dp_protect_enqueue(struct dp_lcore *lc, struct rte_mbuf *m, struct dp_part *to, uint16_t off,
			uint32_t srtcp_index)
{
	struct dp_crypto_op *op = &lc->pops[lc->n_pops];

	if (unlikely(!dp_part_consented(to))) {
		DP_DROP(RELAIS_DROP_NO_CONSENT);
		rte_pktmbuf_free(m);
		return;
	}
	op->m = m;
	op->ctx = to->tx_ctx;
	op->off = off;
	op->is_rtcp = srtcp_index != 0;
	op->srtcp_index = srtcp_index;
	op->drop = RELAIS_DROP_NONE;
	lc->pdst[lc->n_pops] = to;
	if (++lc->n_pops == DP_BURST)
		dp_protect_flush(lc);
}

/* See dp_egress.h: one engine call for the batch, then egress. */
void dp_protect_flush(struct dp_lcore *lc)
{
	uint16_t n = lc->n_pops;

	if (n == 0)
		return;
	lc->n_pops = 0;
	dp_tab.eng_ops->protect_burst(dp_tab.eng, (unsigned)dp_worker_index(lc->lcore), lc->pops,
				      n);
	for (uint16_t i = 0; i < n; i++) {
		struct dp_crypto_op *op = &lc->pops[i];

		if (op->drop != RELAIS_DROP_NONE) {
			DP_DROP(op->drop);
			rte_pktmbuf_free(op->m);
			continue;
		}
		DP_STAT_ADD(encrypt_ok, 1);
		if (op->off)
			rte_pktmbuf_adj(op->m, op->off);
		dp_egress_send(lc, op->m, lc->pdst[i]);
	}
}

/* See dp_egress.h. */
void dp_neigh_observe(uint8_t family, const uint8_t *ip, const uint8_t mac[6])
{
	struct dp_neigh n = {.family = family};

	if (!on_link(family, ip))
		return; /* off-link sources come through the gateway */
	memcpy(n.ip, ip, family == 4 ? 4 : 16);
	memcpy(n.mac, mac, 6);
	dp_neigh_learn_async(&n, DP_NEIGH_AUTH);
}

/* See dp_egress.h: answer ARP/NS for our addresses; learn from answers to
 * our requests only (dp_neigh.c keeps them if we asked), count other
 * announcements neigh_unsolicited. */
void dp_neigh_input(struct dp_lcore *lc, struct rte_mbuf *m, const struct dp_pkt_info *pi)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	size_t len = rte_pktmbuf_data_len(m), out;
	bool arp = pi->kind == DP_L3_ARP;
	enum dp_neigh_msg kind = dp_neigh_msg_kind(f, len, pi->l3_off, arp, &dp_sh.ifa);
	struct dp_neigh n;

	if (kind == DP_NEIGH_MSG_ANSWER &&
	    (arp ? dp_arp_learn(f, len, pi->l3_off, dp_sh.ifa.ip4, &n)
		 : dp_nd_learn(f, len, pi->l3_off, dp_sh.ifa.ip6, &n)) == 0)
		dp_neigh_learn_async(&n, DP_NEIGH_REPLY);
	else if (kind != DP_NEIGH_MSG_OTHER)
		DP_DROP(RELAIS_DROP_NEIGH_UNSOLICITED);
	if (arp) {
		out = dp_sh.cfg->has_ip4 ? dp_arp_reply(f, len, pi->l3_off, &dp_sh.ifa) : 0;
		if (out)
			DP_STAT_ADD(arp_replies, 1);
	} else {
		out = dp_sh.cfg->has_ip6 ? dp_nd_reply(f, len, len + rte_pktmbuf_tailroom(m),
						       pi->l3_off, &dp_sh.ifa)
					 : 0;
		if (out)
			DP_STAT_ADD(nd_replies, 1);
	}
	if (out == 0) {
		if (kind ==
		    DP_NEIGH_MSG_OTHER) /* neither an answer, an announcement nor answered */
			DP_DROP(RELAIS_DROP_ARP_IGNORED);
		rte_pktmbuf_free(m);
		return;
	}
	m->data_len = m->pkt_len = (uint32_t)out;
	dp_tx(lc, m);
}
