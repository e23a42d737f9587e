/* SPDX-License-Identifier: BSD-3-Clause */
/* Egress stage (dp_egress.c): protect batches, next hop, headers, TX;
 * ARP and IPv6 ND for our own addresses. */
#ifndef DP_EGRESS_H
#define DP_EGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp_lcore.h"

/* Queue an outbound packet (plaintext at meta rtp_off... see dp_egress.c)
 * for protection with part's tx context and transmission to its address:
 * RTP (srtcp_index 0), or RTCP sent under SRTCP index srtcp_index
 * (dp_srtcp_take). */
void dp_protect_enqueue(struct dp_lcore *lc, struct rte_mbuf *m, struct dp_part *to, uint16_t off,
			uint32_t srtcp_index);
/* Protect and send everything queued. */
void dp_protect_flush(struct dp_lcore *lc);

/* Prepend Ethernet/IP/UDP for dst and buffer for TX; consumes m (drops
 * are counted). */
void dp_egress_send(struct dp_lcore *lc, struct rte_mbuf *m, struct dp_part *to);
/* Send the UDP payload m to dst (not a participant: the edge's replies),
 * resolving the next hop by a lookup; unresolved: solicited and dropped
 * as no_neighbor. */
void dp_egress_send_addr(struct dp_lcore *lc, struct rte_mbuf *m, const struct dp_addr_key *dst);
/* A control request to resolve the next hop of the address in m's data
 * (family byte + 16 address bytes); consumes m. */
void dp_egress_solicit_in(struct dp_lcore *lc, struct rte_mbuf *m);
/* ARP/ND input on any lcore; consumes m. */
void dp_neigh_input(struct dp_lcore *lc, struct rte_mbuf *m, const struct dp_pkt_info *pi);
/* Learn (ip, mac), the source of a packet that authenticated as a
 * participant's, when on-link and not already in the table, fresh. */
void dp_neigh_observe(uint8_t family, const uint8_t *ip, const uint8_t mac[6]);

#endif /* DP_EGRESS_H */
