/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame parsing: Ethernet / 802.1Q / ARP / IPv4 / IPv6 / UDP / ICMPv6 ND, and
 * the RFC 7983 demultiplexer. Cursor style: every read is bounds-checked
 * before it is made; nothing is written.
 */
#include <string.h>

#include "dp_parse.h"

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_IPV6 0x86dd
#define ARP_LEN 28
#define IPV4_MIN_HLEN 20
#define IPV6_HLEN 40
#define UDP_HLEN 8
#define ND_MIN_LEN 24 /* type, code, checksum, flags/reserved, target */
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define PROTO_FRAG6 44
#define ICMPV6_NS 135
#define ICMPV6_NA 136

/* Big-endian 16-bit load. */
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/*
 * RFC 1071 one's complement sum of an IPv4 header of hlen bytes (a multiple
 * of 4). A header whose checksum field is right sums to 0xffff.
 */
static int ipv4_hdr_csum_ok(const uint8_t *h, size_t hlen)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < hlen; i += 2)
		sum += rd16(h + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/*
 * Parse the UDP header at l4 with `avail` bytes of IP payload behind it.
 * UDP length below 8 or beyond the IP payload: TRUNCATED (RFC 768).
 */
static enum relais_drop_reason parse_udp(const uint8_t *frame, size_t l4, size_t avail,
					 struct dp_pkt_info *pi)
{
	const uint8_t *u = frame + l4;
	uint16_t ulen;

	if (avail < UDP_HLEN)
		return RELAIS_DROP_TRUNCATED;
	ulen = rd16(u + 4);
	if (ulen < UDP_HLEN || ulen > avail)
		return RELAIS_DROP_TRUNCATED;
	pi->kind = DP_L3_UDP;
	pi->l4_off = (uint16_t)l4;
	pi->payload_off = (uint16_t)(l4 + UDP_HLEN);
	pi->payload_len = (uint16_t)(ulen - UDP_HLEN);
	pi->src_port = rd16(u);
	pi->dst_port = rd16(u + 2);
	return RELAIS_DROP_NONE;
}

/*
 * IPv4 (RFC 791 §3.1): version 4, IHL >= 5, header inside the frame
 * (else TRUNCATED), header checksum, total length within [IHL*4, frame],
 * not a fragment (MF set or offset != 0), protocol UDP.
 */
static enum relais_drop_reason parse_ipv4(const uint8_t *frame, size_t len, size_t l3,
					  struct dp_pkt_info *pi)
{
	const uint8_t *ip = frame + l3;
	size_t avail = len - l3, hlen, tot;

	if (avail < IPV4_MIN_HLEN)
		return RELAIS_DROP_TRUNCATED;
	if ((ip[0] >> 4) != 4 || (ip[0] & 0x0f) < 5)
		return RELAIS_DROP_IP_MALFORMED;
	hlen = (size_t)(ip[0] & 0x0f) * 4;
	if (hlen > avail)
		return RELAIS_DROP_TRUNCATED;
	if (!ipv4_hdr_csum_ok(ip, hlen))
		return RELAIS_DROP_IP_MALFORMED;
	tot = rd16(ip + 2);
	if (tot < hlen || tot > avail)
		return RELAIS_DROP_IP_MALFORMED;
	pi->family = 4;
	pi->ip_ttl = ip[8];
	memcpy(pi->src_ip, ip + 12, 4);
	memcpy(pi->dst_ip, ip + 16, 4);
	if (rd16(ip + 6) & 0x3fff) /* MF flag or fragment offset */
		return RELAIS_DROP_IP_FRAGMENT;
	if (ip[9] != PROTO_UDP)
		return RELAIS_DROP_NOT_UDP;
	return parse_udp(frame, l3 + hlen, tot - hlen, pi);
}

/*
 * IPv6 (RFC 8200 §3): version 6, payload length within the frame. The next
 * header must be UDP or ICMPv6 NS/NA (RFC 4861 §4.3, §4.4); a Fragment
 * header (RFC 8200 §4.5) is IP_FRAGMENT; any other header is NOT_UDP.
 */
static enum relais_drop_reason parse_ipv6(const uint8_t *frame, size_t len, size_t l3,
					  struct dp_pkt_info *pi)
{
	const uint8_t *ip = frame + l3;
	size_t avail = len - l3, plen, l4 = l3 + IPV6_HLEN;

	if (avail < IPV6_HLEN)
		return RELAIS_DROP_TRUNCATED;
	if ((ip[0] >> 4) != 6)
		return RELAIS_DROP_IP_MALFORMED;
	plen = rd16(ip + 4);
	if (plen > avail - IPV6_HLEN)
		return RELAIS_DROP_IP_MALFORMED;
	pi->family = 6;
	pi->ip_ttl = ip[7];
	memcpy(pi->src_ip, ip + 8, 16);
	memcpy(pi->dst_ip, ip + 24, 16);
	switch (ip[6]) {
	case PROTO_UDP:
		return parse_udp(frame, l4, plen, pi);
	case PROTO_FRAG6:
		return RELAIS_DROP_IP_FRAGMENT;
	case PROTO_ICMPV6:
		if (plen < 1)
			return RELAIS_DROP_TRUNCATED;
		if (ip[IPV6_HLEN] != ICMPV6_NS && ip[IPV6_HLEN] != ICMPV6_NA)
			return RELAIS_DROP_NOT_UDP;
		if (plen < ND_MIN_LEN)
			return RELAIS_DROP_TRUNCATED;
		pi->kind = DP_L3_ND;
		pi->l4_off = (uint16_t)l4;
		return RELAIS_DROP_NONE;
	default:
		return RELAIS_DROP_NOT_UDP;
	}
}

/*
 * Parse an Ethernet frame; contract in dp_parse.h. *pi is zeroed first, so
 * fields a branch does not reach read as 0.
 */
enum relais_drop_reason dp_parse_frame(const uint8_t *frame, size_t len, struct dp_pkt_info *pi)
{
	size_t l3 = ETH_HLEN;
	uint16_t et;

	memset(pi, 0, sizeof(*pi));
	if (len < ETH_HLEN)
		return RELAIS_DROP_TRUNCATED;
	memcpy(pi->dst_mac, frame, 6);
	memcpy(pi->src_mac, frame + 6, 6);
	et = rd16(frame + 12);
	if (et == ETHERTYPE_VLAN) { /* IEEE 802.1Q: one tag only */
		if (len < ETH_HLEN + VLAN_HLEN)
			return RELAIS_DROP_TRUNCATED;
		pi->has_vlan = 1;
		pi->vlan_tci = rd16(frame + 14);
		et = rd16(frame + 16);
		l3 += VLAN_HLEN;
	}
	pi->l3_off = (uint16_t)l3;
	switch (et) {
	case ETHERTYPE_IPV4:
		return parse_ipv4(frame, len, l3, pi);
	case ETHERTYPE_IPV6:
		return parse_ipv6(frame, len, l3, pi);
	case ETHERTYPE_ARP: /* RFC 826; field checks are left to dp_arp_*() */
		if (len - l3 < ARP_LEN)
			return RELAIS_DROP_TRUNCATED;
		pi->kind = DP_L3_ARP;
		return RELAIS_DROP_NONE;
	default:
		return RELAIS_DROP_NOT_IP;
	}
}

/*
 * RFC 7983 §7 first-byte ranges; within 128..191 the second byte tells RTCP
 * (payload type 192..223, RFC 5761 §4) from RTP. An empty payload, or a
 * one-byte one in the RTP range, is UNKNOWN.
 */
enum dp_demux dp_demux_classify(const uint8_t *payload, size_t len)
{
	uint8_t b;

	if (len == 0)
		return DP_DEMUX_UNKNOWN;
	b = payload[0];
	if (b <= 3)
		return DP_DEMUX_STUN;
	if (b >= 16 && b <= 19)
		return DP_DEMUX_ZRTP;
	if (b >= 20 && b <= 63)
		return DP_DEMUX_DTLS;
	if (b >= 64 && b <= 79)
		return DP_DEMUX_TURN;
	if (b >= 128 && b <= 191 && len >= 2)
		return payload[1] >= 192 && payload[1] <= 223 ? DP_DEMUX_RTCP : DP_DEMUX_RTP;
	return DP_DEMUX_UNKNOWN;
}
