/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826) and IPv6 neighbour discovery (RFC 4861): requests built,
 * replies made in place and checked field by field (ICMPv6 checksums with an
 * independent byte-wise computation), learning, and every refusal.
 */
#include <errno.h>
#include <stdlib.h>

#define CHECK_MAIN
#include "check.h"
#include "dp_parse.h"
#include "dp_pkt_build.h"
#include "frames.h"

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* Host A (the peer) and host B (us), optionally on VLAN 0x0123. */
static struct dp_if_addr ifa_of(const uint8_t mac[6], const uint8_t ip4[4], const uint8_t ip6[16],
				bool vlan)
{
	struct dp_if_addr a;

	memset(&a, 0, sizeof(a));
	memcpy(a.mac, mac, 6);
	memcpy(a.ip4, ip4, 4);
	memcpy(a.ip6, ip6, 16);
	a.has_vlan = vlan;
	a.vlan_tci = vlan ? 0x0123 : 0;
	return a;
}

/* A hand-written ARP request from A for tpa; returns the frame length. */
static size_t arp_request(uint8_t *f, bool vlan, const uint8_t tpa[4])
{
	size_t l3 = tf_eth(f, bcast, tf_mac_a, vlan, 0x0123, 0x0806);
	uint8_t *a = f + l3;
	const uint8_t fixed[8] = {0, 1, 8, 0, 6, 4, 0, 1};

	memcpy(a, fixed, 8);
	memcpy(a + 8, tf_mac_a, 6);
	memcpy(a + 14, tf_ip4_a, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, tpa, 4);
	return l3 + 28;
}

static void test_arp_reply(bool vlan)
{
	struct dp_if_addr b = ifa_of(tf_mac_b, tf_ip4_b, tf_ip6_b, vlan);
	uint8_t f[64];
	size_t len = arp_request(f, vlan, tf_ip4_b), l3 = vlan ? 18 : 14, rlen;
	struct dp_pkt_info pi;
	struct dp_neigh n;

	rlen = dp_arp_reply(f, len, l3, &b);
	CHECK_EQ(rlen, l3 + 28, "ARP reply length");
	CHECK_MEM(f, tf_mac_a, 6, "reply eth dst = requester");
	CHECK_MEM(f + 6, tf_mac_b, 6, "reply eth src = us");
	if (vlan)
		CHECKF(tf_r16(f + 12) == 0x8100 && tf_r16(f + 14) == 0x0123, "VLAN tag kept");
	CHECK_EQ(tf_r16(f + l3 - 2), 0x0806, "ethertype");
	CHECK_EQ(tf_r16(f + l3), 1, "htype");
	CHECK_EQ(tf_r16(f + l3 + 2), 0x0800, "ptype");
	CHECKF(f[l3 + 4] == 6 && f[l3 + 5] == 4, "hlen/plen");
	CHECK_EQ(tf_r16(f + l3 + 6), 2, "op reply");
	CHECK_MEM(f + l3 + 8, tf_mac_b, 6, "sha = our MAC");
	CHECK_MEM(f + l3 + 14, tf_ip4_b, 4, "spa = our IP");
	CHECK_MEM(f + l3 + 18, tf_mac_a, 6, "tha = requester MAC");
	CHECK_MEM(f + l3 + 24, tf_ip4_a, 4, "tpa = requester IP");

	/* The peer parses the reply and learns us from it. */
	CHECK_EQ(dp_parse_frame(f, rlen, &pi), RELAIS_DROP_NONE, "reply parses");
	CHECK_EQ(pi.kind, DP_L3_ARP, "reply kind");
	CHECK_EQ(dp_arp_learn(f, rlen, pi.l3_off, tf_ip4_a, &n), 0, "peer learns from reply");
	CHECKF(n.family == 4 && !memcmp(n.ip, tf_ip4_b, 4) && !memcmp(n.mac, tf_mac_b, 6),
	       "learned (IP, MAC) of us");
	CHECK_EQ(dp_arp_reply(f, rlen, l3, &b), 0, "a reply is not answered");
}

static void test_arp_refusals(void)
{
	struct dp_if_addr b = ifa_of(tf_mac_b, tf_ip4_b, tf_ip6_b, false);
	const uint8_t other[4] = {192, 0, 2, 99};
	uint8_t f[64], g[64];
	size_t len = arp_request(f, false, tf_ip4_b);
	struct dp_neigh n;

	memcpy(g, f, len);
	arp_request(g, false, other);
	CHECK_EQ(dp_arp_reply(g, len, 14, &b), 0, "request for another IP");
	CHECK_EQ(dp_arp_learn(g, len, 14, tf_ip4_b, &n), -ENOENT, "learn: not for us");
	CHECK_MEM(n.ip, tf_ip4_a, 4, "learn: sender IP still reported");
	const struct {
		size_t off;
		uint8_t val;
		const char *what;
	} bad[] = {
	    {14 + 1, 6, "htype 6"},  {14 + 2, 0x86, "ptype IPv6"},           {14 + 4, 8, "hlen 8"},
	    {14 + 5, 16, "plen 16"}, {14 + 8, 0x01, "multicast sender MAC"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(g, f, len);
		g[bad[i].off] = bad[i].val;
		CHECKF(dp_arp_reply(g, len, 14, &b) == 0, "no reply: %s", bad[i].what);
		CHECKF(memcmp(g, bcast, 6) == 0, "frame untouched: %s", bad[i].what);
		CHECKF(dp_arp_learn(g, len, 14, tf_ip4_b, &n) == -EINVAL, "no learn: %s",
		       bad[i].what);
	}
	memcpy(g, f, len);
	g[14 + 7] = 3; /* RARP request */
	CHECK_EQ(dp_arp_reply(g, len, 14, &b), 0, "op 3");
	CHECK_EQ(dp_arp_learn(g, len, 14, tf_ip4_b, &n), -EINVAL, "learn op 3");
	memcpy(g, f, len);
	memset(g + 14 + 14, 0, 4); /* probe, RFC 5227: sender IP 0.0.0.0 */
	CHECK_EQ(dp_arp_learn(g, len, 14, tf_ip4_b, &n), -EINVAL, "learn from probe");
	CHECK_EQ(dp_arp_reply(g, len, 14, &b), 42, "probe for our IP is answered");
	for (size_t cut = 0; cut < len; cut++) {
		memcpy(g, f, len);
		CHECKF(dp_arp_reply(g, cut, 14, &b) == 0, "reply cut at %zu", cut);
		CHECKF(dp_arp_learn(g, cut, 14, tf_ip4_b, &n) == -EINVAL, "learn cut at %zu", cut);
		CHECK_MEM(g, f, len, "frame untouched when refused");
	}
	struct dp_if_addr nob = ifa_of(tf_mac_b, (const uint8_t[4]){0}, tf_ip6_b, false);
	memcpy(g, f, len);
	memset(g + 14 + 24, 0, 4);
	CHECK_EQ(dp_arp_reply(g, len, 14, &nob), 0, "no IPv4 address: 0.0.0.0 not answered");
	CHECK_EQ(dp_arp_learn(f, len, 14, tf_ip4_b, &n), 0, "learn from request for us");
	CHECKF(!memcmp(n.ip, tf_ip4_a, 4) && !memcmp(n.mac, tf_mac_a, 6), "learned requester");
}

static void test_arp_build(bool vlan)
{
	struct dp_if_addr a = ifa_of(tf_mac_a, tf_ip4_a, tf_ip6_a, vlan);
	struct dp_if_addr b = ifa_of(tf_mac_b, tf_ip4_b, tf_ip6_b, vlan);
	uint8_t f[64], want[64];
	size_t len = dp_arp_build_request(f, sizeof(f), &a, tf_ip4_b);
	size_t wlen = arp_request(want, vlan, tf_ip4_b);
	struct dp_pkt_info pi;

	CHECK_EQ(len, vlan ? 46 : 42, "ARP request length");
	CHECKF(len == wlen && memcmp(f, want, len) == 0, "ARP request bytes (vlan %d)", vlan);
	CHECK_EQ(dp_arp_build_request(f, len - 1, &a, tf_ip4_b), 0, "cap one short");
	CHECK_EQ(dp_parse_frame(f, len, &pi), RELAIS_DROP_NONE, "request parses");
	CHECK_EQ(pi.kind, DP_L3_ARP, "request kind");
	CHECK_EQ(dp_arp_reply(f, len, pi.l3_off, &b), len, "B answers A's request");
}

/* Replace the ICMPv6 checksum of the ND packet at l3 with a right one. */
static void fix_icmp6(uint8_t *f, size_t l3)
{
	uint8_t *ip = f + l3, *icmp = ip + 40;
	size_t plen = tf_r16(ip + 4);

	tf_w16(icmp + 2, 0);
	tf_w16(icmp + 2, tf_csum6(ip, icmp, plen, 58));
}

/* NA made from ns (NS of nlen bytes) checked field by field. */
static void check_na(const uint8_t *f, size_t len, size_t l3, const uint8_t eth_dst[6],
		     const uint8_t ip_dst[16], uint8_t flags)
{
	const uint8_t *ip = f + l3, *icmp = ip + 40;
	struct dp_pkt_info pi;

	CHECK_EQ(len, l3 + 72, "NA length");
	CHECK_MEM(f, eth_dst, 6, "NA eth dst");
	CHECK_MEM(f + 6, tf_mac_b, 6, "NA eth src");
	CHECK_EQ(tf_r16(f + l3 - 2), 0x86dd, "NA ethertype");
	CHECKF(ip[0] == 0x60 && ip[1] == 0 && ip[2] == 0 && ip[3] == 0, "NA version/class/flow");
	CHECK_EQ(tf_r16(ip + 4), 32, "NA payload length");
	CHECK_EQ(ip[6], 58, "NA next header");
	CHECK_EQ(ip[7], 255, "NA hop limit");
	CHECK_MEM(ip + 8, tf_ip6_b, 16, "NA source = our address");
	CHECK_MEM(ip + 24, ip_dst, 16, "NA destination");
	CHECK_EQ(icmp[0], 136, "NA type");
	CHECK_EQ(icmp[1], 0, "NA code");
	CHECK_EQ(icmp[4], flags, "NA flags");
	CHECKF(icmp[5] == 0 && icmp[6] == 0 && icmp[7] == 0, "NA reserved");
	CHECK_MEM(icmp + 8, tf_ip6_b, 16, "NA target");
	CHECKF(icmp[24] == 2 && icmp[25] == 1, "NA target link-layer option header");
	CHECK_MEM(icmp + 26, tf_mac_b, 6, "NA target link-layer address");
	CHECK_EQ(tf_csum6(ip, icmp, 32, 58), 0, "NA ICMPv6 checksum (independent)");
	CHECK_EQ(dp_parse_frame(f, len, &pi), RELAIS_DROP_NONE, "NA parses");
	CHECK_EQ(pi.kind, DP_L3_ND, "NA kind");
}

static void test_nd_roundtrip(bool vlan)
{
	struct dp_if_addr a = ifa_of(tf_mac_a, tf_ip4_a, tf_ip6_a, vlan);
	struct dp_if_addr b = ifa_of(tf_mac_b, tf_ip4_b, tf_ip6_b, vlan);
	const uint8_t sn_mac[6] = {0x33, 0x33, 0xff, 0x56, 0x78, 0x9a};
	const uint8_t sn_ip[16] = {0xff, 0x02, [11] = 1, [12] = 0xff, 0x56, 0x78, 0x9a};
	uint8_t f[128];
	size_t l3 = vlan ? 18 : 14, len = dp_nd_build_ns(f, sizeof(f), &a, tf_ip6_b), rlen;
	struct dp_pkt_info pi;
	struct dp_neigh n;

	CHECK_EQ(len, l3 + 72, "NS length");
	CHECK_EQ(dp_nd_build_ns(f, len - 1, &a, tf_ip6_b), 0, "NS cap one short");
	CHECK_MEM(f, sn_mac, 6, "NS eth dst 33:33:ff:xx:xx:xx");
	CHECK_MEM(f + 6, tf_mac_a, 6, "NS eth src");
	CHECK_MEM(f + l3 + 8, tf_ip6_a, 16, "NS source");
	CHECK_MEM(f + l3 + 24, sn_ip, 16, "NS destination ff02::1:ffxx:xxxx");
	CHECK_EQ(f[l3 + 7], 255, "NS hop limit");
	CHECK_EQ(f[l3 + 40], 135, "NS type");
	CHECK_MEM(f + l3 + 48, tf_ip6_b, 16, "NS target");
	CHECKF(f[l3 + 64] == 1 && f[l3 + 65] == 1, "NS source link-layer option");
	CHECK_MEM(f + l3 + 66, tf_mac_a, 6, "NS source link-layer address");
	CHECK_EQ(tf_csum6(f + l3, f + l3 + 40, 32, 58), 0, "NS ICMPv6 checksum (independent)");
	CHECK_EQ(dp_parse_frame(f, len, &pi), RELAIS_DROP_NONE, "NS parses");
	CHECK_EQ(pi.kind, DP_L3_ND, "NS kind");
	CHECK_EQ(pi.l3_off, l3, "NS l3_off");

	CHECK_EQ(dp_nd_learn(f, len, l3, tf_ip6_b, &n), 0, "B learns A from the NS");
	CHECKF(n.family == 6 && !memcmp(n.ip, tf_ip6_a, 16) && !memcmp(n.mac, tf_mac_a, 6),
	       "learned A from NS");
	CHECK_EQ(dp_nd_learn(f, len, l3, tf_ip6_a, &n), -ENOENT, "NS for another target");
	CHECK_EQ(dp_nd_reply(f, len, len, l3, &a), 0, "A does not answer its own NS");
	rlen = dp_nd_reply(f, len, sizeof(f), l3, &b);
	check_na(f, rlen, l3, tf_mac_a, tf_ip6_a, 0x60);
	if (vlan)
		CHECKF(tf_r16(f + 12) == 0x8100 && tf_r16(f + 14) == 0x0123, "NA VLAN tag kept");
	CHECK_EQ(dp_nd_learn(f, rlen, l3, tf_ip6_a, &n), 0, "A learns B from the NA");
	CHECKF(!memcmp(n.ip, tf_ip6_b, 16) && !memcmp(n.mac, tf_mac_b, 6), "learned B from NA");
	CHECK_EQ(dp_nd_reply(f, rlen, sizeof(f), l3, &b), 0, "an NA is not answered");
}

/* An NS without source link-layer option, unicast or DAD from ::. */
static void test_nd_no_slla(void)
{
	struct dp_if_addr a = ifa_of(tf_mac_a, tf_ip4_a, tf_ip6_a, false);
	struct dp_if_addr b = ifa_of(tf_mac_b, tf_ip4_b, tf_ip6_b, false);
	const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
	const uint8_t all_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
	uint8_t f[128], g[128];
	size_t len = dp_nd_build_ns(f, sizeof(f), &a, tf_ip6_b), rlen;
	struct dp_neigh n;

	/* Unicast to B's address, no option: answered to the Ethernet source. */
	memcpy(g, f, len);
	tf_w16(g + 18, 24);
	memcpy(g + 38, tf_ip6_b, 16);
	fix_icmp6(g, 14);
	CHECK_EQ(dp_nd_learn(g, 78, 14, tf_ip6_b, &n), -ENOENT, "nothing to learn");
	CHECK_EQ(dp_nd_reply(g, 78, 78, 14, &b), 0, "cap too small for the NA");
	rlen = dp_nd_reply(g, 78, sizeof(g), 14, &b);
	check_na(g, rlen, 14, tf_mac_a, tf_ip6_a, 0x60);

	/* DAD probe from :: to the solicited-node group: answered to all-nodes. */
	memcpy(g, f, len);
	tf_w16(g + 18, 24);
	memset(g + 22, 0, 16);
	fix_icmp6(g, 14);
	CHECK_EQ(dp_nd_learn(g, 78, 14, tf_ip6_b, &n), -ENOENT, "DAD: nothing to learn");
	rlen = dp_nd_reply(g, 78, sizeof(g), 14, &b);
	check_na(g, rlen, 14, all_mac, all_nodes, 0x20);

	/* DAD probe with a source link-layer option is invalid (RFC 4861 7.1.1). */
	memcpy(g, f, len);
	memset(g + 22, 0, 16);
	fix_icmp6(g, 14);
	CHECK_EQ(dp_nd_reply(g, len, sizeof(g), 14, &b), 0, "DAD with SLLA");
	CHECK_EQ(dp_nd_learn(g, len, 14, tf_ip6_b, &n), -EINVAL, "DAD with SLLA learn");
}

static void test_nd_refusals(void)
{
	struct dp_if_addr a = ifa_of(tf_mac_a, tf_ip4_a, tf_ip6_a, false);
	struct dp_if_addr b = ifa_of(tf_mac_b, tf_ip4_b, tf_ip6_b, false);
	uint8_t f[128], g[128];
	size_t len = dp_nd_build_ns(f, sizeof(f), &a, tf_ip6_b);
	struct dp_neigh n;
	const struct {
		size_t off;
		uint8_t val;
		int fix;
		const char *what;
	} bad[] = {
	    {14 + 7, 254, 0, "hop limit 254"},
	    {14 + 6, 17, 1, "next header UDP"},
	    {14 + 0, 0x40, 1, "IP version 4"},
	    {54 + 2, (uint8_t)(f[54 + 2] ^ 0x5a), 0, "bad ICMPv6 checksum"},
	    {54 + 1, 1, 1, "code 1"},
	    {54 + 8, 0xff, 1, "multicast target"},
	    {54 + 25, 0, 1, "option length 0"},
	    {54 + 25, 2, 1, "option past the end"},
	    {54 + 26, 0x03, 1, "multicast link-layer address"},
	    {14 + 5, 33, 0, "payload length past the frame"},
	    {14 + 5, 23, 1, "payload length 23"},
	    {14 + 39, 0x77, 1, "destination not our group nor address"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(g, f, len);
		g[bad[i].off] = bad[i].val;
		if (bad[i].fix)
			fix_icmp6(g, 14);
		CHECKF(dp_nd_reply(g, len, sizeof(g), 14, &b) == 0, "no NA: %s", bad[i].what);
		CHECKF(memcmp(g + 6, tf_mac_a, 6) == 0, "frame untouched: %s", bad[i].what);
		if (i < 11)
			CHECKF(dp_nd_learn(g, len, 14, tf_ip6_b, &n) != 0, "no learn: %s",
			       bad[i].what);
	}
	for (size_t cut = 0; cut < len; cut++) {
		memcpy(g, f, len);
		CHECKF(dp_nd_reply(g, cut, sizeof(g), 14, &b) == 0, "NS cut at %zu", cut);
		CHECKF(dp_nd_learn(g, cut, 14, tf_ip6_b, &n) == -EINVAL, "learn cut at %zu", cut);
	}
	struct dp_if_addr nob = ifa_of(tf_mac_b, tf_ip4_b, (const uint8_t[16]){0}, false);
	memcpy(g, f, len);
	CHECK_EQ(dp_nd_reply(g, len, sizeof(g), 14, &nob), 0, "no IPv6 address configured");
	/* NS for B sent to B's unicast address, with its option: answered. */
	memcpy(g, f, len);
	memcpy(g + 38, tf_ip6_b, 16);
	fix_icmp6(g, 14);
	CHECK_EQ(dp_nd_reply(g, len, sizeof(g), 14, &b), len, "unicast NS answered");
}

int main(void)
{
	test_arp_reply(false);
	test_arp_reply(true);
	test_arp_refusals();
	test_arp_build(false);
	test_arp_build(true);
	test_nd_roundtrip(false);
	test_nd_roundtrip(true);
	test_nd_no_slla();
	test_nd_refusals();
	return check_summary("test_neigh");
}
