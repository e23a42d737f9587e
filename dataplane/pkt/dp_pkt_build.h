/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet builders for the dataplane: ARP (RFC 826) and IPv6 neighbour
 * discovery (RFC 4861) replies, requests and learning, and the
 * Ethernet/802.1Q/IPv4/IPv6/UDP headers of egress packets. Pure functions
 * over byte buffers, no DPDK types: unit-tested and fuzzed on their own.
 *
 * Frames handed in are those dp_parse_frame() accepted (it gives l3_off and
 * kind); every function still checks every byte it reads against len.
 */
#ifndef DP_PKT_BUILD_H
#define DP_PKT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_ETH_HLEN 14
#define DP_VLAN_HLEN 4
#define DP_IPV4_HLEN 20
#define DP_IPV6_HLEN 40
#define DP_UDP_HLEN 8
#define DP_ARP_LEN 28 /* Ethernet/IPv4 ARP payload */
#define DP_NA_LEN 32  /* ICMPv6 NA with a target link-layer option */
#define DP_NS_LEN 32  /* ICMPv6 NS with a source link-layer option */
#define DP_HDR_MAX (DP_ETH_HLEN + DP_VLAN_HLEN + DP_IPV6_HLEN + DP_UDP_HLEN)

/* Our side of one port: MAC, optional VLAN tag, addresses (an all-zero
 * ip6 means no IPv6 address: ND for :: is never answered). */
struct dp_if_addr {
	uint8_t mac[6];
	uint8_t has_vlan;
	uint16_t vlan_tci;
	uint8_t ip4[4];
	uint8_t ip6[16];
};

/* A learned neighbour: family 4 or 6, ip (4 or 16 bytes), its MAC. */
struct dp_neigh {
	uint8_t family;
	uint8_t ip[16];
	uint8_t mac[6];
};

/*
 * ARP. frame/len is the whole frame, l3_off the ARP payload offset.
 *
 * dp_arp_reply: if the frame is an Ethernet/IPv4 ARP request (RFC 826) for
 * ifa->ip4, rewrite it in place into the reply (Ethernet source = our MAC,
 * destination = the requester) and return the reply's length (l3_off + 28;
 * the VLAN tag, if any, is kept). Returns 0 and leaves the frame untouched
 * otherwise.
 */
size_t dp_arp_reply(uint8_t *frame, size_t len, size_t l3_off, const struct dp_if_addr *ifa);

/*
 * dp_arp_learn: the sender's (IPv4, MAC) of an ARP request or reply.
 * Returns 0 when the packet is addressed to our_ip4 (RFC 826: add to the
 * table), -ENOENT when it is well-formed but for someone else (the caller
 * may only refresh an existing entry; *n is filled), -EINVAL when malformed,
 * the sender IP is 0.0.0.0 (probe) or the sender MAC is multicast/zero.
 */
int dp_arp_learn(const uint8_t *frame, size_t len, size_t l3_off, const uint8_t our_ip4[4],
		 struct dp_neigh *n);

/*
 * dp_arp_build_request: a broadcast ARP request "who has target_ip4, tell
 * ifa->ip4" (tagged with ifa's VLAN if any). Returns the frame length
 * (42, or 46 with VLAN) or 0 if cap is too small.
 */
size_t dp_arp_build_request(uint8_t *frame, size_t cap, const struct dp_if_addr *ifa,
			    const uint8_t target_ip4[4]);

/*
 * IPv6 neighbour discovery. l3_off is the IPv6 header offset.
 *
 * dp_nd_reply: if the frame is a valid Neighbour Solicitation (RFC 4861
 * §7.1.1: hop limit 255, code 0, good checksum, well-formed options) whose
 * target is ifa->ip6 and whose destination is ifa->ip6 or its
 * solicited-node multicast address, rewrite it in place into a Neighbour
 * Advertisement (§7.2.4): S and O flags, target link-layer option, to the
 * solicitor (its source link-layer option MAC, else the Ethernet source);
 * a DAD probe (source ::) is answered to all-nodes ff02::1 without S.
 * cap is the writable size of the frame buffer (the NA may be longer than
 * the NS). Returns the new length (l3_off + 72) or 0 (frame untouched).
 */
size_t dp_nd_reply(uint8_t *frame, size_t len, size_t cap, size_t l3_off,
		   const struct dp_if_addr *ifa);

/*
 * dp_nd_learn: (IPv6, MAC) from a valid NS (source address and source
 * link-layer option; only when its target is our_ip6, RFC 4861 §7.2.3) or
 * NA (target address and target link-layer option, §7.2.5). Returns 0 with
 * *n filled, -ENOENT when valid but there is nothing to learn (no option,
 * DAD probe, NS for another target), -EINVAL when malformed.
 */
int dp_nd_learn(const uint8_t *frame, size_t len, size_t l3_off, const uint8_t our_ip6[16],
		struct dp_neigh *n);

/*
 * What an ARP or ND frame says about its sender, for learning (the frame
 * as dp_parse_frame() accepted it; arp: ARP, else IPv6 ND):
 * - DP_NEIGH_MSG_ANSWER: an ARP reply to (ifa->mac, ifa->ip4) or a valid NA
 *   with the Solicited flag to ifa->ip6: the answer to a request, if we
 *   sent one;
 * - DP_NEIGH_MSG_ANNOUNCE: a well-formed sender nobody asked about here: a
 *   gratuitous ARP (sender IP = target IP), an ARP reply to someone else,
 *   an NA without the Solicited flag or not to us;
 * - DP_NEIGH_MSG_OTHER: a request or NS (answered, never learned from), a
 *   probe, a multicast or zero sender MAC, anything malformed.
 */
enum dp_neigh_msg {
	DP_NEIGH_MSG_OTHER,
	DP_NEIGH_MSG_ANSWER,
	DP_NEIGH_MSG_ANNOUNCE,
};
enum dp_neigh_msg dp_neigh_msg_kind(const uint8_t *frame, size_t len, size_t l3_off, bool arp,
				    const struct dp_if_addr *ifa);

/*
 * dp_nd_build_ns: a Neighbour Solicitation for target_ip6 from ifa->ip6 to
 * the solicited-node multicast address ff02::1:ffXX:XXXX (Ethernet
 * 33:33:ff:XX:XX:XX, RFC 2464 §7), with a source link-layer option.
 * Returns the frame length (86, or 90 with VLAN) or 0 if cap is too small.
 */
size_t dp_nd_build_ns(uint8_t *frame, size_t cap, const struct dp_if_addr *ifa,
		      const uint8_t target_ip6[16]);

/* Egress UDP header template. Ports in host order; ttl is the IPv4 TTL or
 * the IPv6 hop limit; tos the IPv4 TOS / IPv6 traffic class (DSCP << 2). */
struct dp_udp_tmpl {
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t has_vlan;
	uint16_t vlan_tci;
	uint8_t family; /* 4 or 6 */
	uint8_t ttl;
	uint8_t tos;
	uint8_t src_ip[16]; /* IPv4 in the first 4 bytes */
	uint8_t dst_ip[16];
	uint16_t src_port;
	uint16_t dst_port;
};

/* Length of Ethernet (+VLAN) + IP + UDP headers: 42/46 (v4), 62/66 (v6);
 * 0 for a family other than 4 or 6. */
size_t dp_hdr_len(int family, bool has_vlan);

/*
 * Write the headers of t in front of a UDP payload of payload_len bytes:
 * hdr[0 .. dp_hdr_len()) is written, the payload is expected right after.
 * IPv4: DF set, ID 0 (RFC 6864 §4.1), header checksum filled, UDP checksum
 * 0 (RFC 768). IPv6: UDP checksum left 0 — call dp_udp_checksum_ipv6() once
 * the payload is in place (RFC 8200 §8.1 makes it mandatory). Returns the
 * header length, or 0 if cap is short, the family is bad or payload_len
 * does not fit the IP length field.
 */
size_t dp_build_udp_headers(uint8_t *hdr, size_t cap, const struct dp_udp_tmpl *t,
			    uint16_t payload_len);

/*
 * Compute and store the UDP checksum of the datagram whose IP header is at
 * frame + l3_off (RFC 768 / RFC 8200 §8.1 pseudo-header; IPv4 or IPv6, read
 * from the version nibble). total_len is the frame length; the UDP length
 * field gives the datagram size. A computed 0 is sent as 0xffff. Does
 * nothing if the headers do not fit in total_len.
 */
void dp_udp_checksum_ipv6(uint8_t *frame, size_t l3_off, size_t total_len);

#endif /* DP_PKT_BUILD_H */
