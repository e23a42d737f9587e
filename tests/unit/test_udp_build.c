/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Egress headers: dp_build_udp_headers() output compared byte for byte with
 * independently built frames, parsed back by dp_parse_frame(), and the UDP
 * checksum of dp_udp_checksum_ipv6() verified with a byte-wise reference
 * computation over many payload lengths (odd ones included).
 */
#define CHECK_MAIN
#include "check.h"
#include "dp_parse.h"
#include "dp_pkt_build.h"
#include "frames.h"

static uint8_t frame[70000], ref[70000];

/* The template that matches tf_udp4()/tf_udp6() from frames.h. */
static struct dp_udp_tmpl tmpl(int family, bool vlan)
{
	struct dp_udp_tmpl t;

	memset(&t, 0, sizeof(t));
	memcpy(t.src_mac, tf_mac_a, 6);
	memcpy(t.dst_mac, tf_mac_b, 6);
	t.has_vlan = vlan;
	t.vlan_tci = family == 4 ? 0x2064 : 0x0005;
	t.family = (uint8_t)family;
	t.ttl = family == 4 ? 64 : 63;
	memcpy(t.src_ip, family == 4 ? tf_ip4_a : tf_ip6_a, family == 4 ? 4 : 16);
	memcpy(t.dst_ip, family == 4 ? tf_ip4_b : tf_ip6_b, family == 4 ? 4 : 16);
	t.src_port = 50000;
	t.dst_port = 443;
	return t;
}

/* Deterministic payload bytes. */
static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static void test_one(int family, bool vlan, uint16_t n)
{
	struct dp_udp_tmpl t = tmpl(family, vlan);
	size_t hl = dp_hdr_len(family, vlan), rlen, l3 = vlan ? 18 : 14;
	struct dp_pkt_info pi;

	CHECKF(dp_build_udp_headers(frame, sizeof(frame), &t, n) == hl,
	       "v%d vlan %d: header length %zu", family, vlan, hl);
	fill(frame + hl, n, n);
	if (family == 6)
		dp_udp_checksum_ipv6(frame, l3, hl + n);
	rlen = family == 4 ? tf_udp4(ref, vlan, 50000, 443, frame + hl, n)
			   : tf_udp6(ref, vlan, 50000, 443, frame + hl, n);
	CHECKF(rlen == hl + n && memcmp(frame, ref, rlen) == 0,
	       "v%d vlan %d payload %u: frame equals the independent one", family, vlan, n);
	if (family == 6) {
		CHECKF(tf_csum6(frame + l3, frame + l3 + 40, 8u + n, 17) == 0,
		       "v6 payload %u: UDP checksum verifies", n);
	} else {
		CHECKF(tf_fold(tf_sum(0, frame + l3, 20)) == 0, "v4 header checksum verifies");
		CHECKF(tf_r16(frame + l3 + 26) == 0, "v4 UDP checksum 0");
	}
	CHECKF(dp_parse_frame(frame, hl + n, &pi) == RELAIS_DROP_NONE, "v%d payload %u parses",
	       family, n);
	CHECKF(pi.kind == DP_L3_UDP && pi.family == family && pi.has_vlan == vlan,
	       "parsed kind/family/vlan");
	CHECKF(pi.payload_off == hl && pi.payload_len == n, "parsed payload %u/%u, want %zu/%u",
	       pi.payload_off, pi.payload_len, hl, n);
	CHECKF(pi.src_port == 50000 && pi.dst_port == 443, "parsed ports");
	CHECKF(pi.ip_ttl == t.ttl, "parsed ttl");
	CHECK_MEM(pi.src_ip, t.src_ip, family == 4 ? 4 : 16, "parsed src ip");
	CHECK_MEM(pi.dst_ip, t.dst_ip, family == 4 ? 4 : 16, "parsed dst ip");
	CHECK_MEM(pi.src_mac, t.src_mac, 6, "parsed src mac");
	CHECK_MEM(pi.dst_mac, t.dst_mac, 6, "parsed dst mac");
}

static void test_checksums(void)
{
	struct dp_udp_tmpl t = tmpl(4, false);
	size_t hl = dp_hdr_len(4, false);

	/* The same function over IPv4 (pseudo-header of RFC 768). */
	for (uint16_t n = 0; n < 300; n += 7) {
		dp_build_udp_headers(frame, sizeof(frame), &t, n);
		fill(frame + hl, n, 77u + n);
		dp_udp_checksum_ipv6(frame, 14, hl + n);
		CHECKF(tf_r16(frame + 40) != 0 && tf_csum4(frame + 14, frame + 34, 8u + n) == 0,
		       "v4 payload %u: UDP checksum verifies", n);
	}
	/* A datagram whose checksum computes to 0 is sent as 0xffff. */
	t = tmpl(6, false);
	hl = dp_hdr_len(6, false);
	dp_build_udp_headers(frame, sizeof(frame), &t, 100);
	fill(frame + hl, 100, 5);
	frame[hl + 98] = frame[hl + 99] = 0;
	tf_w16(frame + 60, 0);
	tf_w16(frame + hl + 98, tf_csum6(frame + 14, frame + 54, 108, 17));
	dp_udp_checksum_ipv6(frame, 14, hl + 100);
	CHECK_EQ(tf_r16(frame + 60), 0xffff, "computed 0 sent as 0xffff");
	CHECK_EQ(tf_csum6(frame + 14, frame + 54, 108, 17), 0, "0xffff verifies");
	/* Inconsistent lengths: nothing written. */
	tf_w16(frame + 60, 0x1234);
	dp_udp_checksum_ipv6(frame, 14, hl + 99);
	CHECK_EQ(tf_r16(frame + 60), 0x1234, "UDP length past total_len: untouched");
	dp_udp_checksum_ipv6(frame, 14, 14);
	CHECK_EQ(tf_r16(frame + 60), 0x1234, "total_len at l3_off: untouched");
}

static void test_limits(void)
{
	struct dp_udp_tmpl t4 = tmpl(4, true), t6 = tmpl(6, false), bad = tmpl(4, false);

	CHECK_EQ(dp_hdr_len(4, false), 42, "v4 header length");
	CHECK_EQ(dp_hdr_len(4, true), 46, "v4+vlan header length");
	CHECK_EQ(dp_hdr_len(6, false), 62, "v6 header length");
	CHECK_EQ(dp_hdr_len(6, true), 66, "v6+vlan header length");
	CHECK_EQ(dp_hdr_len(0, false), 0, "family 0");
	CHECK_EQ(dp_build_udp_headers(frame, 45, &t4, 10), 0, "cap one short");
	CHECK_EQ(dp_build_udp_headers(frame, 46, &t4, 65507), 46, "largest IPv4 payload");
	CHECK_EQ(tf_r16(frame + 18 + 2), 65535, "IPv4 total length 65535");
	CHECK_EQ(dp_build_udp_headers(frame, 46, &t4, 65508), 0, "IPv4 payload too large");
	CHECK_EQ(dp_build_udp_headers(frame, 62, &t6, 65527), 62, "largest IPv6 payload");
	CHECK_EQ(dp_build_udp_headers(frame, 62, &t6, 65528), 0, "IPv6 payload too large");
	bad.family = 5;
	CHECK_EQ(dp_build_udp_headers(frame, sizeof(frame), &bad, 10), 0, "family 5");

	/* DSCP EF (46 << 2 = 0xb8) as IPv4 TOS and IPv6 traffic class. */
	t4.tos = 0xb8;
	t6.tos = 0xb8;
	dp_build_udp_headers(frame, sizeof(frame), &t4, 10);
	CHECK_EQ(frame[18 + 1], 0xb8, "IPv4 TOS");
	CHECKF(tf_fold(tf_sum(0, frame + 18, 20)) == 0, "IPv4 header checksum with TOS");
	dp_build_udp_headers(frame, sizeof(frame), &t6, 10);
	CHECKF(frame[14] == 0x6b && frame[15] == 0x80, "IPv6 traffic class 0xb8");
}

int main(void)
{
	const uint16_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 160, 161, 1199, 1200, 1400, 9000};

	for (int fam = 4; fam <= 6; fam += 2) {
		for (int vlan = 0; vlan <= 1; vlan++) {
			for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
				test_one(fam, vlan, sizes[i]);
		}
	}
	test_checksums();
	test_limits();
	return check_summary("test_udp_build");
}
