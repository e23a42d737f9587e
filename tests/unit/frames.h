/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-side frame construction, written byte by byte and independently of
 * dataplane/pkt/dp_pkt_build.c, with a plain byte-wise reference Internet
 * checksum (RFC 1071 §4.1, big-endian 16-bit words) to verify against.
 */
#ifndef TESTS_UNIT_FRAMES_H
#define TESTS_UNIT_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static const uint8_t tf_mac_a[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
static const uint8_t tf_mac_b[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};
static const uint8_t tf_ip4_a[4] = {192, 0, 2, 10};
static const uint8_t tf_ip4_b[4] = {192, 0, 2, 11};
static const uint8_t tf_ip6_a[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0x12, [15] = 0x34};
static const uint8_t tf_ip6_b[16] = {0x20, 0x01, 0x0d, 0xb8, [13] = 0x56, [14] = 0x78, [15] = 0x9a};

static inline void tf_w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t tf_r16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* Byte-wise one's complement sum of n bytes added to sum (not folded). */
static inline uint32_t tf_sum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

/* Fold and complement: the checksum value in host order. */
static inline uint16_t tf_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Reference IPv6 upper-layer checksum (RFC 8200 §8.1) of the l4 bytes
 * after the IPv6 header ip, with next header nh; the checksum field must
 * hold what is to be verified (a right one gives 0). */
static inline uint16_t tf_csum6(const uint8_t *ip, const uint8_t *l4, size_t n, uint8_t nh)
{
	uint32_t sum = tf_sum(0, ip + 8, 32);

	sum += (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff) + nh;
	return tf_fold(tf_sum(sum, l4, n));
}

/* Reference IPv4 UDP checksum (RFC 768) of the datagram at l4. */
static inline uint16_t tf_csum4(const uint8_t *ip, const uint8_t *l4, size_t n)
{
	uint32_t sum = tf_sum(0, ip + 12, 8) + 17 + (uint32_t)n;

	return tf_fold(tf_sum(sum, l4, n));
}

/* Ethernet (+ 802.1Q) header; returns its length. */
static inline size_t tf_eth(uint8_t *p, const uint8_t dst[6], const uint8_t src[6], bool vlan,
			    uint16_t tci, uint16_t et)
{
	size_t o = 12;

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	if (vlan) {
		tf_w16(p + 12, 0x8100);
		tf_w16(p + 14, tci);
		o = 16;
	}
	tf_w16(p + o, et);
	return o + 2;
}

/* Recompute the IPv4 header checksum of the header at ip. */
static inline void tf_ip4_fix(uint8_t *ip)
{
	size_t hl = (size_t)(ip[0] & 0x0f) * 4;

	tf_w16(ip + 10, 0);
	tf_w16(ip + 10, tf_fold(tf_sum(0, ip, hl)));
}

/* A full Ethernet/IPv4/UDP frame with payload pl/n; returns its length. */
static inline size_t tf_udp4(uint8_t *f, bool vlan, uint16_t sport, uint16_t dport,
			     const uint8_t *pl, size_t n)
{
	size_t l3 = tf_eth(f, tf_mac_b, tf_mac_a, vlan, 0x2064, 0x0800);
	uint8_t *ip = f + l3, *u = ip + 20;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	tf_w16(ip + 2, (uint16_t)(28 + n));
	tf_w16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, tf_ip4_a, 4);
	memcpy(ip + 16, tf_ip4_b, 4);
	tf_ip4_fix(ip);
	tf_w16(u, sport);
	tf_w16(u + 2, dport);
	tf_w16(u + 4, (uint16_t)(8 + n));
	tf_w16(u + 6, 0);
	memcpy(u + 8, pl, n);
	return l3 + 28 + n;
}

/* IPv6 header with next header nh and payload length plen at ip. */
static inline void tf_ip6(uint8_t *ip, uint8_t nh, uint16_t plen, uint8_t hop,
			  const uint8_t src[16], const uint8_t dst[16])
{
	memset(ip, 0, 8);
	ip[0] = 0x60;
	tf_w16(ip + 4, plen);
	ip[6] = nh;
	ip[7] = hop;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
}

/* A full Ethernet/IPv6/UDP frame with a correct UDP checksum. */
static inline size_t tf_udp6(uint8_t *f, bool vlan, uint16_t sport, uint16_t dport,
			     const uint8_t *pl, size_t n)
{
	size_t l3 = tf_eth(f, tf_mac_b, tf_mac_a, vlan, 0x0005, 0x86dd);
	uint8_t *ip = f + l3, *u = ip + 40;

	tf_ip6(ip, 17, (uint16_t)(8 + n), 63, tf_ip6_a, tf_ip6_b);
	tf_w16(u, sport);
	tf_w16(u + 2, dport);
	tf_w16(u + 4, (uint16_t)(8 + n));
	tf_w16(u + 6, 0);
	memcpy(u + 8, pl, n);
	tf_w16(u + 6, tf_csum6(ip, u, 8 + n, 17));
	return l3 + 48 + n;
}

#endif /* TESTS_UNIT_FRAMES_H */
