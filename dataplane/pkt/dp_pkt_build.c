/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP and IPv6 neighbour discovery replies/requests/learning, egress UDP
 * headers and Internet checksums. See dp_pkt_build.h for the contracts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dp_pkt_build.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_IPV6 0x86dd
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define ICMPV6_NS 135
#define ICMPV6_NA 136
#define ND_HDR 24 /* type, code, checksum, flags/reserved, target */
#define ND_OPT_SLLA 1
#define ND_OPT_TLLA 2
#define NA_FLAG_S 0x40
#define NA_FLAG_O 0x20
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * RFC 1071 §4.1 one's complement sum, accumulated over 32-bit words loaded
 * in host order into a 64-bit accumulator (byte-order independence,
 * RFC 1071 §2(B)): the folded result is the checksum in host order of the
 * bytes, to be stored back with memcpy. Segments must have even offsets
 * relative to each other (all callers pass even-sized pieces first).
 */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	uint32_t w;
	uint16_t h;

	for (; n >= 4; p += 4, n -= 4) {
		memcpy(&w, p, 4);
		sum += w;
	}
	if (n >= 2) {
		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		n -= 2;
	}
	if (n) {
		uint8_t last[2] = {p[0], 0};

		memcpy(&h, last, 2);
		sum += h;
	}
	return sum;
}

/* Fold a csum_add() accumulator to 16 bits and complement it. */
static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sum of the IPv6 pseudo-header (RFC 8200 §8.1) for an upper-layer packet
 * of ulen bytes with next header nh; ip is the IPv6 header. */
static uint64_t pseudo6(const uint8_t *ip, uint32_t ulen, uint8_t nh)
{
	uint64_t sum = csum_add(0, ip + 8, 32);

	return sum + htons((uint16_t)ulen) + htons(nh);
}

/* Store c (host-order checksum from csum_fold) at p. */
static void csum_store(uint8_t *p, uint16_t c)
{
	memcpy(p, &c, 2);
}

/* Ethernet header (+ 802.1Q tag) at p; returns its length. */
static size_t put_eth(uint8_t *p, const uint8_t dst[6], const uint8_t src[6], bool has_vlan,
		      uint16_t tci, uint16_t ethertype)
{
	size_t off = 12;

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	if (has_vlan) {
		wr16(p + 12, ETHERTYPE_VLAN);
		wr16(p + 14, tci);
		off += 4;
	}
	wr16(p + off, ethertype);
	return off + 2;
}

static bool mac_is_multicast_or_zero(const uint8_t m[6])
{
	static const uint8_t zero[6];

	return (m[0] & 1) || memcmp(m, zero, 6) == 0;
}

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i])
			return false;
	}
	return true;
}

/* Ethernet/IPv4 ARP header check (RFC 826: hrd 1, pro 0x0800, hln 6,
 * pln 4); returns the ARP payload or NULL. */
static const uint8_t *arp_hdr(const uint8_t *frame, size_t len, size_t l3_off)
{
	const uint8_t *a = frame + l3_off;

	if (l3_off > len || len - l3_off < DP_ARP_LEN)
		return NULL;
	if (rd16(a) != 1 || rd16(a + 2) != ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4)
		return NULL;
	return a;
}

/* ARP reply in place, RFC 826 "swap sender and target, put ours in". */
size_t dp_arp_reply(uint8_t *frame, size_t len, size_t l3_off, const struct dp_if_addr *ifa)
{
	const uint8_t *ac = arp_hdr(frame, len, l3_off);
	uint8_t *a = frame + l3_off;
	uint8_t sha[6], spa[4];

	if (!ac || rd16(a + 6) != ARP_OP_REQUEST || is_zero(ifa->ip4, 4) ||
	    memcmp(a + 24, ifa->ip4, 4) != 0 || mac_is_multicast_or_zero(a + 8))
		return 0;
	memcpy(sha, a + 8, 6);
	memcpy(spa, a + 14, 4);
	memcpy(frame, sha, 6);
	memcpy(frame + 6, ifa->mac, 6);
	wr16(a + 6, ARP_OP_REPLY);
	memcpy(a + 8, ifa->mac, 6);
	memcpy(a + 14, ifa->ip4, 4);
	memcpy(a + 18, sha, 6);
	memcpy(a + 24, spa, 4);
	return l3_off + DP_ARP_LEN;
}

/* Sender (IP, MAC) of an ARP request or reply; see dp_pkt_build.h. */
int dp_arp_learn(const uint8_t *frame, size_t len, size_t l3_off, const uint8_t our_ip4[4],
		 struct dp_neigh *n)
{
	const uint8_t *a = arp_hdr(frame, len, l3_off);
	uint16_t op;

	if (!a)
		return -EINVAL;
	op = rd16(a + 6);
	if ((op != ARP_OP_REQUEST && op != ARP_OP_REPLY) || is_zero(a + 14, 4) ||
	    mac_is_multicast_or_zero(a + 8))
		return -EINVAL;
	memset(n, 0, sizeof(*n));
	n->family = 4;
	memcpy(n->ip, a + 14, 4);
	memcpy(n->mac, a + 8, 6);
	return memcmp(a + 24, our_ip4, 4) == 0 ? 0 : -ENOENT;
}

/* Broadcast "who-has target_ip4" request, RFC 826. */
size_t dp_arp_build_request(uint8_t *frame, size_t cap, const struct dp_if_addr *ifa,
			    const uint8_t target_ip4[4])
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	size_t l3 = DP_ETH_HLEN + (ifa->has_vlan ? DP_VLAN_HLEN : 0);
	uint8_t *a = frame + l3;

	if (cap < l3 + DP_ARP_LEN)
		return 0;
	put_eth(frame, bcast, ifa->mac, ifa->has_vlan, ifa->vlan_tci, ETHERTYPE_ARP);
	wr16(a, 1);
	wr16(a + 2, ETHERTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	wr16(a + 6, ARP_OP_REQUEST);
	memcpy(a + 8, ifa->mac, 6);
	memcpy(a + 14, ifa->ip4, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, target_ip4, 4);
	return l3 + DP_ARP_LEN;
}

/* ff02::1:ffXX:XXXX for ip (RFC 4291 §2.7.1). */
static void solicited_node(uint8_t out[16], const uint8_t ip[16])
{
	static const uint8_t prefix[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};

	memcpy(out, prefix, 13);
	memcpy(out + 13, ip + 13, 3);
}

/* What nd_check() found in a valid NS/NA. */
struct nd_view {
	const uint8_t *ip; /* IPv6 header */
	const uint8_t *icmp;
	const uint8_t *lla; /* link-layer option MAC of the expected kind, or NULL */
	uint8_t type;
};

/*
 * Walk the ND options (RFC 4861 §4.6): every option has a non-zero length
 * and fits. Records the MAC of a link-layer option of type want (8 bytes,
 * Ethernet, RFC 2464 §6). Returns false when malformed.
 */
static bool nd_options(const uint8_t *opt, size_t n, uint8_t want, const uint8_t **lla)
{
	*lla = NULL;
	while (n > 0) {
		size_t olen;

		if (n < 2 || opt[1] == 0)
			return false;
		olen = (size_t)opt[1] * 8;
		if (olen > n)
			return false;
		if (opt[0] == want && olen == 8)
			*lla = opt + 2;
		opt += olen;
		n -= olen;
	}
	return true;
}

/*
 * Validity checks of RFC 4861 §7.1.1 (NS) and §7.1.2 (NA): IPv6, next header
 * ICMPv6, hop limit 255, ICMPv6 checksum, code 0, ICMP length >= 24, target
 * not multicast, options well-formed; an NS from :: goes to a
 * solicited-node address and carries no source link-layer option.
 */
static bool nd_check(const uint8_t *frame, size_t len, size_t l3_off, struct nd_view *v)
{
	const uint8_t *ip = frame + l3_off;
	size_t plen;
	uint8_t sn[16];

	if (l3_off > len || len - l3_off < DP_IPV6_HLEN + ND_HDR)
		return false;
	plen = rd16(ip + 4);
	if ((ip[0] >> 4) != 6 || ip[6] != PROTO_ICMPV6 || ip[7] != 255 || plen < ND_HDR ||
	    plen > len - l3_off - DP_IPV6_HLEN)
		return false;
	v->ip = ip;
	v->icmp = ip + DP_IPV6_HLEN;
	v->type = v->icmp[0];
	if ((v->type != ICMPV6_NS && v->type != ICMPV6_NA) || v->icmp[1] != 0 || v->icmp[8] == 0xff)
		return false;
	if (csum_fold(csum_add(pseudo6(ip, (uint32_t)plen, PROTO_ICMPV6), v->icmp, plen)) != 0)
		return false;
	if (!nd_options(v->icmp + ND_HDR, plen - ND_HDR,
			v->type == ICMPV6_NS ? ND_OPT_SLLA : ND_OPT_TLLA, &v->lla))
		return false;
	if (v->type == ICMPV6_NS && is_zero(ip + 8, 16)) {
		solicited_node(sn, v->icmp + 8);
		if (v->lla || memcmp(ip + 24, sn, 16) != 0)
			return false;
	}
	return true;
}

/* NS for us -> NA in place, RFC 4861 §7.2.4. */
size_t dp_nd_reply(uint8_t *frame, size_t len, size_t cap, size_t l3_off,
		   const struct dp_if_addr *ifa)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 0x01};
	struct nd_view v;
	uint8_t sn[16], dst_ip[16], dst_mac[6], *ip, *icmp;
	bool dad;

	if (is_zero(ifa->ip6, 16) || cap < l3_off + DP_IPV6_HLEN + DP_NA_LEN ||
	    !nd_check(frame, len, l3_off, &v) || v.type != ICMPV6_NS ||
	    memcmp(v.icmp + 8, ifa->ip6, 16) != 0)
		return 0;
	solicited_node(sn, ifa->ip6);
	if (memcmp(v.ip + 24, ifa->ip6, 16) != 0 && memcmp(v.ip + 24, sn, 16) != 0)
		return 0;
	dad = is_zero(v.ip + 8, 16);
	memcpy(dst_ip, dad ? all_nodes : v.ip + 8, 16);
	memcpy(dst_mac, dad ? all_nodes_mac : (v.lla ? v.lla : frame + 6), 6);
	if (!dad && mac_is_multicast_or_zero(dst_mac))
		return 0;
	memcpy(frame, dst_mac, 6);
	memcpy(frame + 6, ifa->mac, 6);
	ip = frame + l3_off;
	icmp = ip + DP_IPV6_HLEN;
	memset(ip, 0, 4);
	ip[0] = 0x60;
	wr16(ip + 4, DP_NA_LEN);
	ip[6] = PROTO_ICMPV6;
	ip[7] = 255;
	memcpy(ip + 8, ifa->ip6, 16);
	memcpy(ip + 24, dst_ip, 16);
	memset(icmp, 0, ND_HDR);
	icmp[0] = ICMPV6_NA;
	icmp[4] = dad ? NA_FLAG_O : NA_FLAG_S | NA_FLAG_O;
	memcpy(icmp + 8, ifa->ip6, 16);
	icmp[24] = ND_OPT_TLLA;
	icmp[25] = 1;
	memcpy(icmp + 26, ifa->mac, 6);
	csum_store(icmp + 2,
		   csum_fold(csum_add(pseudo6(ip, DP_NA_LEN, PROTO_ICMPV6), icmp, DP_NA_LEN)));
	return l3_off + DP_IPV6_HLEN + DP_NA_LEN;
}

/* (IP, MAC) from an NS or NA; see dp_pkt_build.h. */
int dp_nd_learn(const uint8_t *frame, size_t len, size_t l3_off, const uint8_t our_ip6[16],
		struct dp_neigh *n)
{
	struct nd_view v;
	const uint8_t *ip;

	if (!nd_check(frame, len, l3_off, &v))
		return -EINVAL;
	if (!v.lla)
		return -ENOENT;
	if (mac_is_multicast_or_zero(v.lla))
		return -EINVAL;
	if (v.type == ICMPV6_NS) {
		if (memcmp(v.icmp + 8, our_ip6, 16) != 0)
			return -ENOENT;
		ip = v.ip + 8; /* never :: here: nd_check refused SLLA from :: */
	} else {
		ip = v.icmp + 8;
	}
	memset(n, 0, sizeof(*n));
	n->family = 6;
	memcpy(n->ip, ip, 16);
	memcpy(n->mac, v.lla, 6);
	return 0;
}

/* ARP: an answer to (ifa->mac, ifa->ip4), a gratuitous ARP or a reply to
 * someone else (announcements), or other. */
static enum dp_neigh_msg arp_kind(const uint8_t *frame, size_t len, size_t l3_off,
				  const struct dp_if_addr *ifa)
{
	const uint8_t *a = arp_hdr(frame, len, l3_off);
	uint16_t op;

	if (!a || is_zero(a + 14, 4) || mac_is_multicast_or_zero(a + 8))
		return DP_NEIGH_MSG_OTHER;
	op = rd16(a + 6);
	if (op == ARP_OP_REPLY)
		return !is_zero(ifa->ip4, 4) && memcmp(a + 24, ifa->ip4, 4) == 0 &&
			       memcmp(a + 18, ifa->mac, 6) == 0
			   ? DP_NEIGH_MSG_ANSWER
			   : DP_NEIGH_MSG_ANNOUNCE;
	if (op == ARP_OP_REQUEST && memcmp(a + 14, a + 24, 4) == 0)
		return DP_NEIGH_MSG_ANNOUNCE; /* gratuitous (RFC 5227 §3) */
	return DP_NEIGH_MSG_OTHER;
}

/* See dp_pkt_build.h. */
enum dp_neigh_msg dp_neigh_msg_kind(const uint8_t *frame, size_t len, size_t l3_off, bool arp,
				    const struct dp_if_addr *ifa)
{
	struct nd_view v;

	if (arp)
		return arp_kind(frame, len, l3_off, ifa);
	if (!nd_check(frame, len, l3_off, &v) || v.type != ICMPV6_NA)
		return DP_NEIGH_MSG_OTHER;
	/* RFC 4861 §7.2.5: only a solicited NA confirms reachability. */
	return (v.icmp[4] & NA_FLAG_S) && !is_zero(ifa->ip6, 16) &&
		       memcmp(v.ip + 24, ifa->ip6, 16) == 0
		   ? DP_NEIGH_MSG_ANSWER
		   : DP_NEIGH_MSG_ANNOUNCE;
}

/* NS to the solicited-node group of target_ip6, RFC 4861 §7.2.2. */
size_t dp_nd_build_ns(uint8_t *frame, size_t cap, const struct dp_if_addr *ifa,
		      const uint8_t target_ip6[16])
{
	size_t l3 = DP_ETH_HLEN + (ifa->has_vlan ? DP_VLAN_HLEN : 0);
	uint8_t mac[6] = {0x33, 0x33, 0xff, target_ip6[13], target_ip6[14], target_ip6[15]};
	uint8_t *ip = frame + l3, *icmp = ip + DP_IPV6_HLEN;

	if (cap < l3 + DP_IPV6_HLEN + DP_NS_LEN)
		return 0;
	put_eth(frame, mac, ifa->mac, ifa->has_vlan, ifa->vlan_tci, ETHERTYPE_IPV6);
	memset(ip, 0, 4);
	ip[0] = 0x60;
	wr16(ip + 4, DP_NS_LEN);
	ip[6] = PROTO_ICMPV6;
	ip[7] = 255;
	memcpy(ip + 8, ifa->ip6, 16);
	solicited_node(ip + 24, target_ip6);
	memset(icmp, 0, ND_HDR);
	icmp[0] = ICMPV6_NS;
	memcpy(icmp + 8, target_ip6, 16);
	icmp[24] = ND_OPT_SLLA;
	icmp[25] = 1;
	memcpy(icmp + 26, ifa->mac, 6);
	csum_store(icmp + 2,
		   csum_fold(csum_add(pseudo6(ip, DP_NS_LEN, PROTO_ICMPV6), icmp, DP_NS_LEN)));
	return l3 + DP_IPV6_HLEN + DP_NS_LEN;
}

/* Ethernet (+VLAN) + IP + UDP header length. */
size_t dp_hdr_len(int family, bool has_vlan)
{
	size_t l2 = DP_ETH_HLEN + (has_vlan ? DP_VLAN_HLEN : 0);

	if (family == 4)
		return l2 + DP_IPV4_HLEN + DP_UDP_HLEN;
	if (family == 6)
		return l2 + DP_IPV6_HLEN + DP_UDP_HLEN;
	return 0;
}

/* IPv4 header (RFC 791 §3.1) at ip for a UDP datagram of ulen bytes. */
static void put_ipv4(uint8_t *ip, const struct dp_udp_tmpl *t, uint16_t ulen)
{
	ip[0] = 0x45;
	ip[1] = t->tos;
	wr16(ip + 2, (uint16_t)(DP_IPV4_HLEN + ulen));
	wr16(ip + 4, 0);      /* ID: 0 with DF, RFC 6864 §4.1 */
	wr16(ip + 6, 0x4000); /* DF */
	ip[8] = t->ttl;
	ip[9] = PROTO_UDP;
	wr16(ip + 10, 0);
	memcpy(ip + 12, t->src_ip, 4);
	memcpy(ip + 16, t->dst_ip, 4);
	csum_store(ip + 10, csum_fold(csum_add(0, ip, DP_IPV4_HLEN)));
}

/* IPv6 header (RFC 8200 §3) at ip for a UDP datagram of ulen bytes. */
static void put_ipv6(uint8_t *ip, const struct dp_udp_tmpl *t, uint16_t ulen)
{
	ip[0] = (uint8_t)(0x60 | (t->tos >> 4));
	ip[1] = (uint8_t)(t->tos << 4);
	ip[2] = ip[3] = 0;
	wr16(ip + 4, ulen);
	ip[6] = PROTO_UDP;
	ip[7] = t->ttl;
	memcpy(ip + 8, t->src_ip, 16);
	memcpy(ip + 24, t->dst_ip, 16);
}

/* Egress Ethernet/IP/UDP headers; see dp_pkt_build.h. */
size_t dp_build_udp_headers(uint8_t *hdr, size_t cap, const struct dp_udp_tmpl *t,
			    uint16_t payload_len)
{
	size_t hl = dp_hdr_len(t->family, t->has_vlan), l3;
	uint32_t ulen = (uint32_t)payload_len + DP_UDP_HLEN;
	uint8_t *udp;

	if (hl == 0 || cap < hl)
		return 0;
	if (ulen + (t->family == 4 ? DP_IPV4_HLEN : 0) > UINT16_MAX)
		return 0;
	l3 = put_eth(hdr, t->dst_mac, t->src_mac, t->has_vlan, t->vlan_tci,
		     t->family == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
	if (t->family == 4)
		put_ipv4(hdr + l3, t, (uint16_t)ulen);
	else
		put_ipv6(hdr + l3, t, (uint16_t)ulen);
	udp = hdr + hl - DP_UDP_HLEN;
	wr16(udp, t->src_port);
	wr16(udp + 2, t->dst_port);
	wr16(udp + 4, (uint16_t)ulen);
	wr16(udp + 6, 0);
	return hl;
}

/* UDP checksum over pseudo-header + datagram (RFC 768, RFC 8200 §8.1). */
void dp_udp_checksum_ipv6(uint8_t *frame, size_t l3_off, size_t total_len)
{
	uint8_t *ip = frame + l3_off, *udp;
	size_t l4;
	uint64_t sum;
	uint16_t ulen, c;

	if (l3_off >= total_len)
		return;
	if ((ip[0] >> 4) == 4)
		l4 = l3_off + (size_t)(ip[0] & 0x0f) * 4;
	else if ((ip[0] >> 4) == 6)
		l4 = l3_off + DP_IPV6_HLEN;
	else
		return;
	if (l4 + DP_UDP_HLEN > total_len || l4 < l3_off + DP_IPV4_HLEN)
		return;
	udp = frame + l4;
	ulen = rd16(udp + 4);
	if (ulen < DP_UDP_HLEN || ulen > total_len - l4)
		return;
	if ((ip[0] >> 4) == 4)
		sum = csum_add(0, ip + 12, 8) + htons(ulen) + htons(PROTO_UDP);
	else
		sum = pseudo6(ip, ulen, PROTO_UDP);
	wr16(udp + 6, 0);
	c = csum_fold(csum_add(sum, udp, ulen));
	csum_store(udp + 6, c ? c : 0xffff);
}
