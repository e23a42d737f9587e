/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_parse_frame() and dp_demux_classify(): every branch, each layer
 * truncated, malformed IPv4/IPv6, fragments, VLAN, ARP, ND, non-UDP, and
 * the RFC 7983 ranges at every boundary byte.
 */
#include <stdlib.h>

#define CHECK_MAIN
#include "check.h"
#include "dp_parse.h"
#include "frames.h"

static const uint8_t payload[] = {0x80, 0x60, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

static enum relais_drop_reason parse(const uint8_t *f, size_t len, struct dp_pkt_info *pi)
{
	/* Copy into an exact-size heap buffer so ASan catches any over-read. */
	uint8_t *copy = malloc(len ? len : 1);
	enum relais_drop_reason r;

	memcpy(copy, f, len);
	r = dp_parse_frame(copy, len, pi);
	free(copy);
	return r;
}

/* A good IPv4/UDP frame, with and without VLAN: every field. */
static void test_ipv4_ok(bool vlan)
{
	uint8_t f[256];
	struct dp_pkt_info pi;
	size_t len = tf_udp4(f, vlan, 5000, 6000, payload, sizeof(payload));
	size_t l3 = vlan ? 18 : 14;

	CHECK_EQ(parse(f, len, &pi), RELAIS_DROP_NONE, "ipv4 udp");
	CHECK_EQ(pi.kind, DP_L3_UDP, "kind");
	CHECK_EQ(pi.family, 4, "family");
	CHECK_EQ(pi.has_vlan, vlan, "has_vlan");
	CHECK_EQ(pi.vlan_tci, vlan ? 0x2064 : 0, "vlan_tci");
	CHECK_EQ(pi.ip_ttl, 64, "ttl");
	CHECK_EQ(pi.l3_off, l3, "l3_off");
	CHECK_EQ(pi.l4_off, l3 + 20, "l4_off");
	CHECK_EQ(pi.payload_off, l3 + 28, "payload_off");
	CHECK_EQ(pi.payload_len, sizeof(payload), "payload_len");
	CHECK_EQ(pi.src_port, 5000, "src_port");
	CHECK_EQ(pi.dst_port, 6000, "dst_port");
	CHECK_MEM(pi.src_mac, tf_mac_a, 6, "src_mac");
	CHECK_MEM(pi.dst_mac, tf_mac_b, 6, "dst_mac");
	CHECK_MEM(pi.src_ip, tf_ip4_a, 4, "src_ip");
	CHECK_MEM(pi.dst_ip, tf_ip4_b, 4, "dst_ip");
	CHECK_MEM(f + pi.payload_off, payload, sizeof(payload), "payload bytes");

	/* Ethernet padding after the IP packet is ignored. */
	memset(f + len, 0xee, 40);
	CHECK_EQ(parse(f, len + 40, &pi), RELAIS_DROP_NONE, "padded frame");
	CHECK_EQ(pi.payload_len, sizeof(payload), "padded payload_len");
}

/* Truncation at each layer and every malformed IPv4 header field. */
static void test_ipv4_bad(void)
{
	uint8_t f[256], g[256];
	struct dp_pkt_info pi;
	size_t len = tf_udp4(f, false, 1, 2, payload, sizeof(payload));

	for (size_t n = 0; n < len; n++) {
		enum relais_drop_reason want =
		    n < 34 ? RELAIS_DROP_TRUNCATED : RELAIS_DROP_IP_MALFORMED;
		CHECKF(parse(f, n, &pi) == want, "ipv4 frame cut at %zu: got %d want %d", n,
		       parse(f, n, &pi), want);
	}
	memcpy(g, f, len);
	g[14] = 0x65; /* version 6 in an IPv4 ethertype */
	tf_ip4_fix(g + 14);
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_IP_MALFORMED, "version 6");
	memcpy(g, f, len);
	g[14] = 0x44; /* IHL 4 */
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_IP_MALFORMED, "IHL 4");
	memcpy(g, f, len);
	g[14] = 0x4f; /* IHL 15: 60 bytes, frame has 34 + 14 */
	CHECK_EQ(parse(g, 40, &pi), RELAIS_DROP_TRUNCATED, "IHL beyond frame");
	memcpy(g, f, len);
	g[24] ^= 0x01; /* checksum */
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_IP_MALFORMED, "bad header checksum");
	memcpy(g, f, len);
	tf_w16(g + 16, 19); /* total length < header */
	tf_ip4_fix(g + 14);
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_IP_MALFORMED, "total length < IHL");
	tf_w16(g + 16, (uint16_t)(len - 14 + 1));
	tf_ip4_fix(g + 14);
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_IP_MALFORMED, "total length > frame");

	/* UDP header cut inside the IP packet, UDP length < 8 or > IP payload. */
	memcpy(g, f, len);
	tf_w16(g + 16, 27);
	tf_ip4_fix(g + 14);
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_TRUNCATED, "UDP header cut by IP length");
	memcpy(g, f, len);
	tf_w16(g + 38, 7);
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_TRUNCATED, "UDP length 7");
	tf_w16(g + 38, (uint16_t)(8 + sizeof(payload) + 1));
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_TRUNCATED, "UDP length > IP payload");
	tf_w16(g + 38, 8);
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_NONE, "UDP length 8 (empty payload)");
	CHECK_EQ(pi.payload_len, 0, "empty payload_len");
}

/* IPv4 options, fragments and other protocols. */
static void test_ipv4_more(void)
{
	uint8_t f[256], g[256];
	struct dp_pkt_info pi;
	size_t len = tf_udp4(f, false, 1, 2, payload, sizeof(payload));

	/* IHL 6: a 4-byte option (NOP x4) between IP and UDP. */
	memcpy(g, f, 34);
	memset(g + 34, 1, 4);
	memcpy(g + 38, f + 34, len - 34);
	g[14] = 0x46;
	tf_w16(g + 16, (uint16_t)(len - 14 + 4));
	tf_ip4_fix(g + 14);
	CHECK_EQ(parse(g, len + 4, &pi), RELAIS_DROP_NONE, "IHL 6");
	CHECK_EQ(pi.l4_off, 38, "IHL 6 l4_off");
	CHECK_EQ(pi.payload_off, 46, "IHL 6 payload_off");

	const struct {
		uint16_t frag;
		enum relais_drop_reason want;
		const char *what;
	} frags[] = {
	    {0x0000, RELAIS_DROP_NONE, "no flags"},
	    {0x4000, RELAIS_DROP_NONE, "DF"},
	    {0x2000, RELAIS_DROP_IP_FRAGMENT, "MF, offset 0 (first fragment)"},
	    {0x0001, RELAIS_DROP_IP_FRAGMENT, "offset 1 (last fragment)"},
	    {0x1fff, RELAIS_DROP_IP_FRAGMENT, "max offset"},
	    {0x2010, RELAIS_DROP_IP_FRAGMENT, "MF + offset"},
	};
	for (size_t i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		memcpy(g, f, len);
		tf_w16(g + 20, frags[i].frag);
		tf_ip4_fix(g + 14);
		CHECK_EQ(parse(g, len, &pi), frags[i].want, frags[i].what);
	}
	const uint8_t protos[] = {1, 6, 47, 50, 132};
	for (size_t i = 0; i < sizeof(protos); i++) {
		memcpy(g, f, len);
		g[23] = protos[i];
		tf_ip4_fix(g + 14);
		CHECKF(parse(g, len, &pi) == RELAIS_DROP_NOT_UDP, "IPv4 protocol %u not UDP",
		       protos[i]);
	}
}

/* Ethernet, VLAN and ARP layers. */
static void test_l2_arp(void)
{
	uint8_t f[128] = {0};
	struct dp_pkt_info pi;
	size_t l3;

	CHECK_EQ(parse(f, 0, &pi), RELAIS_DROP_TRUNCATED, "empty frame");
	CHECK_EQ(parse(f, 13, &pi), RELAIS_DROP_TRUNCATED, "13-byte frame");
	tf_eth(f, tf_mac_b, tf_mac_a, false, 0, 0x88cc);
	CHECK_EQ(parse(f, 60, &pi), RELAIS_DROP_NOT_IP, "LLDP ethertype");
	tf_eth(f, tf_mac_b, tf_mac_a, false, 0, 0x86dd);
	CHECK_EQ(parse(f, 14, &pi), RELAIS_DROP_TRUNCATED, "IPv6 ethertype, no header");
	tf_eth(f, tf_mac_b, tf_mac_a, true, 7, 0x0800);
	for (size_t n = 14; n < 18; n++)
		CHECKF(parse(f, n, &pi) == RELAIS_DROP_TRUNCATED, "VLAN tag cut at %zu", n);
	CHECK_EQ(parse(f, 18, &pi), RELAIS_DROP_TRUNCATED, "VLAN then nothing");
	tf_eth(f, tf_mac_b, tf_mac_a, true, 7, 0x8100);
	CHECK_EQ(parse(f, 60, &pi), RELAIS_DROP_NOT_IP, "second VLAN tag (QinQ)");
	tf_eth(f, tf_mac_b, tf_mac_a, false, 0, 0x88a8);
	CHECK_EQ(parse(f, 60, &pi), RELAIS_DROP_NOT_IP, "802.1ad S-tag");

	for (int vlan = 0; vlan <= 1; vlan++) {
		l3 = tf_eth(f, tf_mac_b, tf_mac_a, vlan, 0x0123, 0x0806);
		CHECK_EQ(parse(f, l3 + 27, &pi), RELAIS_DROP_TRUNCATED, "ARP 27 bytes");
		CHECK_EQ(parse(f, l3 + 28, &pi), RELAIS_DROP_NONE, "ARP 28 bytes");
		CHECK_EQ(pi.kind, DP_L3_ARP, "ARP kind");
		CHECK_EQ(pi.l3_off, l3, "ARP l3_off");
		CHECK_EQ(pi.has_vlan, vlan, "ARP has_vlan");
		CHECK_EQ(pi.vlan_tci, vlan ? 0x0123 : 0, "ARP tci");
		CHECK_EQ(pi.family, 0, "ARP family");
		CHECK_MEM(pi.src_mac, tf_mac_a, 6, "ARP src mac");
	}
}

/* Good IPv6/UDP frames and every IPv6 drop. */
static void test_ipv6(void)
{
	uint8_t f[256], g[256];
	struct dp_pkt_info pi;

	for (int vlan = 0; vlan <= 1; vlan++) {
		size_t len = tf_udp6(f, vlan, 40000, 3478, payload, sizeof(payload));
		size_t l3 = vlan ? 18 : 14;

		CHECK_EQ(parse(f, len, &pi), RELAIS_DROP_NONE, "ipv6 udp");
		CHECK_EQ(pi.kind, DP_L3_UDP, "v6 kind");
		CHECK_EQ(pi.family, 6, "v6 family");
		CHECK_EQ(pi.ip_ttl, 63, "v6 hop limit");
		CHECK_EQ(pi.has_vlan, vlan, "v6 has_vlan");
		CHECK_EQ(pi.l3_off, l3, "v6 l3_off");
		CHECK_EQ(pi.l4_off, l3 + 40, "v6 l4_off");
		CHECK_EQ(pi.payload_off, l3 + 48, "v6 payload_off");
		CHECK_EQ(pi.payload_len, sizeof(payload), "v6 payload_len");
		CHECK_EQ(pi.src_port, 40000, "v6 src_port");
		CHECK_EQ(pi.dst_port, 3478, "v6 dst_port");
		CHECK_MEM(pi.src_ip, tf_ip6_a, 16, "v6 src_ip");
		CHECK_MEM(pi.dst_ip, tf_ip6_b, 16, "v6 dst_ip");
	}
	size_t len = tf_udp6(f, false, 1, 2, payload, sizeof(payload));
	for (size_t n = 14; n < len; n++) {
		enum relais_drop_reason want =
		    n < 54 ? RELAIS_DROP_TRUNCATED : RELAIS_DROP_IP_MALFORMED;
		CHECKF(parse(f, n, &pi) == want, "ipv6 frame cut at %zu: got %d want %d", n,
		       parse(f, n, &pi), want);
	}
	memcpy(g, f, len);
	g[14] = 0x40;
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_IP_MALFORMED, "version 4 in IPv6 ethertype");
	memcpy(g, f, len);
	tf_w16(g + 18, 7); /* payload length 7: UDP header cut */
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_TRUNCATED, "v6 UDP header cut");
	memcpy(g, f, len);
	tf_w16(g + 58, 7);
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_TRUNCATED, "v6 UDP length 7");
	tf_w16(g + 58, (uint16_t)(8 + sizeof(payload) + 1));
	CHECK_EQ(parse(g, len, &pi), RELAIS_DROP_TRUNCATED, "v6 UDP length > payload");

	const struct {
		uint8_t nh;
		enum relais_drop_reason want;
		const char *what;
	} nhs[] = {
	    {44, RELAIS_DROP_IP_FRAGMENT, "Fragment header"},
	    {0, RELAIS_DROP_NOT_UDP, "Hop-by-Hop header"},
	    {43, RELAIS_DROP_NOT_UDP, "Routing header"},
	    {60, RELAIS_DROP_NOT_UDP, "Destination Options"},
	    {6, RELAIS_DROP_NOT_UDP, "TCP"},
	    {59, RELAIS_DROP_NOT_UDP, "No Next Header"},
	};
	for (size_t i = 0; i < sizeof(nhs) / sizeof(nhs[0]); i++) {
		memcpy(g, f, len);
		g[20] = nhs[i].nh;
		CHECK_EQ(parse(g, len, &pi), nhs[i].want, nhs[i].what);
	}
}

/* ICMPv6: NS/NA are ND, other types are NOT_UDP, short ones TRUNCATED. */
static void test_icmpv6(void)
{
	uint8_t f[128] = {0};
	struct dp_pkt_info pi;
	size_t l3 = tf_eth(f, tf_mac_b, tf_mac_a, true, 9, 0x86dd);
	uint8_t *icmp = f + l3 + 40;

	for (uint8_t type = 135; type <= 136; type++) {
		tf_ip6(f + l3, 58, 24, 255, tf_ip6_a, tf_ip6_b);
		icmp[0] = type;
		CHECKF(parse(f, l3 + 64, &pi) == RELAIS_DROP_NONE, "ICMPv6 type %u", type);
		CHECK_EQ(pi.kind, DP_L3_ND, "ND kind");
		CHECK_EQ(pi.family, 6, "ND family");
		CHECK_EQ(pi.l4_off, l3 + 40, "ND l4_off");
		CHECK_EQ(pi.ip_ttl, 255, "ND hop limit");
		tf_ip6(f + l3, 58, 23, 255, tf_ip6_a, tf_ip6_b);
		CHECKF(parse(f, l3 + 64, &pi) == RELAIS_DROP_TRUNCATED, "ICMPv6 %u, 23 bytes",
		       type);
	}
	tf_ip6(f + l3, 58, 0, 255, tf_ip6_a, tf_ip6_b);
	CHECK_EQ(parse(f, l3 + 64, &pi), RELAIS_DROP_TRUNCATED, "ICMPv6 of 0 bytes");
	const uint8_t others[] = {1, 128, 129, 133, 134, 137, 143};
	for (size_t i = 0; i < sizeof(others); i++) {
		tf_ip6(f + l3, 58, 24, 255, tf_ip6_a, tf_ip6_b);
		icmp[0] = others[i];
		CHECKF(parse(f, l3 + 64, &pi) == RELAIS_DROP_NOT_UDP, "ICMPv6 type %u", others[i]);
	}
}

/* RFC 7983 boundaries; RFC 5761 RTP/RTCP split on the second byte. */
static void test_demux(void)
{
	const struct {
		uint8_t b;
		enum dp_demux want;
	} t[] = {
	    {0, DP_DEMUX_STUN},      {3, DP_DEMUX_STUN},     {4, DP_DEMUX_UNKNOWN},
	    {15, DP_DEMUX_UNKNOWN},  {16, DP_DEMUX_ZRTP},    {19, DP_DEMUX_ZRTP},
	    {20, DP_DEMUX_DTLS},     {63, DP_DEMUX_DTLS},    {64, DP_DEMUX_TURN},
	    {79, DP_DEMUX_TURN},     {80, DP_DEMUX_UNKNOWN}, {127, DP_DEMUX_UNKNOWN},
	    {128, DP_DEMUX_RTP},     {191, DP_DEMUX_RTP},    {192, DP_DEMUX_UNKNOWN},
	    {255, DP_DEMUX_UNKNOWN},
	};
	uint8_t p[4] = {0, 96, 0, 0};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		p[0] = t[i].b;
		CHECKF(dp_demux_classify(p, sizeof(p)) == t[i].want,
		       "first byte %u: got %d want %d", t[i].b, dp_demux_classify(p, sizeof(p)),
		       t[i].want);
	}
	CHECK_EQ(dp_demux_classify(p, 0), DP_DEMUX_UNKNOWN, "empty payload");
	p[0] = 0x80;
	CHECK_EQ(dp_demux_classify(p, 1), DP_DEMUX_UNKNOWN, "one byte in the RTP range");
	p[0] = 0;
	CHECK_EQ(dp_demux_classify(p, 1), DP_DEMUX_STUN, "one byte STUN");
	const struct {
		uint8_t b1;
		enum dp_demux want;
	} s[] = {
	    {0, DP_DEMUX_RTP},    {96, DP_DEMUX_RTP},   {191, DP_DEMUX_RTP}, {192, DP_DEMUX_RTCP},
	    {200, DP_DEMUX_RTCP}, {223, DP_DEMUX_RTCP}, {224, DP_DEMUX_RTP}, {255, DP_DEMUX_RTP},
	};
	p[0] = 0x81;
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		p[1] = s[i].b1;
		CHECKF(dp_demux_classify(p, 2) == s[i].want, "second byte %u: got %d want %d",
		       s[i].b1, dp_demux_classify(p, 2), s[i].want);
	}
}

int main(void)
{
	test_ipv4_ok(false);
	test_ipv4_ok(true);
	test_ipv4_bad();
	test_ipv4_more();
	test_l2_arp();
	test_ipv6();
	test_icmpv6();
	test_demux();
	return check_summary("test_parse");
}
