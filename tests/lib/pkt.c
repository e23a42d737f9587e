/* SPDX-License-Identifier: BSD-3-Clause */
/* Frame builder for the XDP tests and bench; see pkt.h. */
#include <arpa/inet.h>
#include <string.h>

#include "pkt.h"

#define ETH_HLEN 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define UDP_HLEN 8

/* Write a big-endian 16-bit value. */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet header (+ tags); returns bytes written. */
static size_t build_l2(const struct pkt_spec *s, uint8_t *b, uint16_t ethertype)
{
	static const uint8_t dst[6] = {0x02, 0, 0, 0, 0, 0x01}, src[6] = {0x02, 0, 0, 0, 0, 0x02};
	size_t off = 12;

	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	for (int i = 0; i < (s->bad == BAD_DOUBLE_VLAN ? 2 : s->vlan ? 1 : 0); i++) {
		put16(b + off, 0x8100);
		put16(b + off + 2, 100);
		off += 4;
	}
	put16(b + off, ethertype);
	return off + 2;
}

/* L4 (UDP or ICMPv6) at b; returns its length. */
static size_t build_l4(const struct pkt_spec *s, uint8_t *b, uint8_t proto)
{
	size_t ulen = UDP_HLEN + (size_t)s->paylen;

	if (proto == 58) {
		memset(b, 0, 24);
		b[0] = s->icmp6_type;
		if (s->target)
			inet_pton(AF_INET6, s->target, b + 8);
		return 24;
	}
	memset(b, 0, ulen);
	put16(b, s->sport ? s->sport : 40000);
	put16(b + 2, s->dport ? s->dport : 5000);
	put16(b + 4, (uint16_t)ulen);
	if (s->bad == BAD_UDP_LEN_SHORT)
		put16(b + 4, 7);
	if (s->bad == BAD_UDP_LEN_LONG)
		put16(b + 4, (uint16_t)(ulen + 1));
	if (s->paylen > 0)
		b[UDP_HLEN] = s->b0;
	if (s->paylen > 1)
		b[UDP_HLEN + 1] = s->b1;
	return ulen;
}

/* IPv4 header + L4; returns length. */
static size_t build_v4(const struct pkt_spec *s, uint8_t *b)
{
	uint8_t proto = s->proto ? s->proto : 17;
	size_t l4 = build_l4(s, b + IP4_HLEN, proto);
	uint16_t tot = (uint16_t)(IP4_HLEN + l4);

	memset(b, 0, IP4_HLEN);
	b[0] = s->bad == BAD_V4_IHL ? 0x44 : s->bad == BAD_V4_VERSION ? 0x55 : 0x45;
	put16(b + 2, s->bad == BAD_V4_TOTLEN ? 19 : tot);
	if (s->frag == FRAG_V4_MF)
		put16(b + 6, 0x2000);
	else if (s->frag == FRAG_V4_OFFSET)
		put16(b + 6, 0x0010);
	else
		put16(b + 6, 0x4000); /* DF is fine */
	b[8] = 64;
	b[9] = proto;
	inet_pton(AF_INET, s->src ? s->src : "192.0.2.1", b + 12);
	inet_pton(AF_INET, s->dst ? s->dst : "198.51.100.1", b + 16);
	return tot;
}

/* IPv6 header (+ extension headers) + L4; returns length. */
static size_t build_v6(const struct pkt_spec *s, uint8_t *b)
{
	uint8_t proto = s->proto ? s->proto : 17;
	size_t ext = 0, l4;
	uint8_t *nh = b + 6;

	memset(b, 0, IP6_HLEN);
	b[0] = s->bad == BAD_V6_VERSION ? 0x40 : 0x60;
	b[7] = 64;
	inet_pton(AF_INET6, s->src ? s->src : "2001:db8::1", b + 8);
	inet_pton(AF_INET6, s->dst ? s->dst : "2001:db8:ffff::1", b + 24);
	if (s->v6_hbh) {
		*nh = 0;
		nh = b + IP6_HLEN + ext;
		memset(nh, 0, 8);
		ext += 8;
	}
	if (s->frag == FRAG_V6_HDR) {
		*nh = 44;
		nh = b + IP6_HLEN + ext;
		memset(nh, 0, 8);
		put16(nh + 2, 0x0001); /* offset 0, M=1 */
		ext += 8;
	}
	*nh = proto;
	l4 = build_l4(s, b + IP6_HLEN + ext, proto);
	put16(b + 4, (uint16_t)(ext + l4));
	return IP6_HLEN + ext + l4;
}

/* ARP request (RFC 826) for Ethernet/IPv4; 28 bytes. */
static size_t build_arp(const struct pkt_spec *s, uint8_t *b)
{
	memset(b, 0, 28);
	put16(b, 1);          /* htype Ethernet */
	put16(b + 2, 0x0800); /* ptype IPv4 */
	b[4] = 6;
	b[5] = 4;
	put16(b + 6, 1); /* request */
	inet_pton(AF_INET, s->src ? s->src : "192.0.2.1", b + 14);
	inet_pton(AF_INET, s->target ? s->target : "198.51.100.1", b + 24);
	return 28;
}

/* Build one frame per spec. */
int pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap)
{
	static const uint16_t types[] = {0x0800, 0x86dd, 0x0806, 0x88cc};
	size_t len;

	if (cap < 1600 || s->paylen < 0 || s->paylen > 1400)
		return -1;
	memset(buf, 0, cap);
	len = build_l2(s, buf, types[s->l3]);
	if (s->l3 == PKT_V4)
		len += build_v4(s, buf + len);
	else if (s->l3 == PKT_V6)
		len += build_v6(s, buf + len);
	else if (s->l3 == PKT_ARP)
		len += build_arp(s, buf + len);
	else
		len += 28; /* LLDP TLVs: zeros */
	if (s->pad_to > 0 && (size_t)s->pad_to > len)
		len = (size_t)s->pad_to;
	if (s->cut > 0)
		len = len > (size_t)s->cut ? len - (size_t)s->cut : 0;
	return (int)len;
}
