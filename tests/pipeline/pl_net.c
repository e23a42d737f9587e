/* SPDX-License-Identifier: BSD-3-Clause */
/* Test-side packet bytes; see pl_net.h. */
#include <string.h>

#include "pl_net.h"

#define ETH_HLEN 14
#define ET_IP4 0x0800
#define ET_ARP 0x0806
#define ET_IP6 0x86dd

/* One's complement sum of n bytes as big-endian words, not folded. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

/* Fold and complement (RFC 1071 §4.1). */
static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* See pl_net.h. */
void pl_ip4_fix(uint8_t *ip)
{
	size_t hl = (size_t)(ip[0] & 0x0f) * 4;

	pl_w16(ip + 10, 0);
	pl_w16(ip + 10, fold(sum16(0, ip, hl)));
}

/* See pl_net.h. */
uint16_t pl_csum6(const uint8_t *ip, const uint8_t *l4, size_t n, uint8_t nh)
{
	uint32_t sum = sum16(0, ip + 8, 32);

	sum += (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff) + nh;
	return fold(sum16(sum, l4, n));
}

/* Ethernet header; returns its length. */
static size_t eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t et)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	pl_w16(f + 12, et);
	return ETH_HLEN;
}

/* IPv6 fixed header (RFC 8200 §3). */
static void ip6(uint8_t *ip, uint8_t nh, uint16_t plen, uint8_t hop, const uint8_t *src,
		const uint8_t *dst)
{
	memset(ip, 0, 8);
	ip[0] = 0x60;
	pl_w16(ip + 4, plen);
	ip[6] = nh;
	ip[7] = hop;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
}

/* UDP header + payload at u. */
static void udp(uint8_t *u, uint16_t sport, uint16_t dport, const uint8_t *pl, size_t n)
{
	pl_w16(u, sport);
	pl_w16(u + 2, dport);
	pl_w16(u + 4, (uint16_t)(8 + n));
	pl_w16(u + 6, 0);
	memcpy(u + 8, pl, n);
}

/* See pl_net.h. */
size_t pl_udp_frame(uint8_t *f, const struct pl_ep *src, const struct pl_ep *dst, const uint8_t *pl,
		    size_t n)
{
	size_t l3 = eth(f, dst->mac, src->mac, src->family == 4 ? ET_IP4 : ET_IP6);
	uint8_t *ip = f + l3;

	if (src->family == 4) {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		pl_w16(ip + 2, (uint16_t)(28 + n));
		pl_w16(ip + 4, 0x1234);
		pl_w16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, src->ip, 4);
		memcpy(ip + 16, dst->ip, 4);
		pl_ip4_fix(ip);
		udp(ip + 20, src->port, dst->port, pl, n);
		return l3 + 28 + n;
	}
	ip6(ip, 17, (uint16_t)(8 + n), 64, src->ip, dst->ip);
	udp(ip + 40, src->port, dst->port, pl, n);
	pl_w16(ip + 46, pl_csum6(ip, ip + 40, 8 + n, 17));
	return l3 + 48 + n;
}

/* See pl_net.h. */
size_t pl_udp6_frag_frame(uint8_t *f, const struct pl_ep *src, const struct pl_ep *dst,
			  const uint8_t *pl, size_t n)
{
	size_t l3 = eth(f, dst->mac, src->mac, ET_IP6);
	uint8_t *ip = f + l3, *fh = ip + 40;

	ip6(ip, 44, (uint16_t)(16 + n), 64, src->ip, dst->ip);
	memset(fh, 0, 8);
	fh[0] = 17;
	pl_w16(fh + 2, 0x0001); /* offset 0, M = 1 */
	pl_w32(fh + 4, 0xabcd);
	udp(fh + 8, src->port, dst->port, pl, n);
	return l3 + 56 + n;
}

/* An Ethernet/IPv4 ARP frame: op, Ethernet destination ed, sender src,
 * target (tmac, tip). Returns 42. */
static size_t arp(uint8_t *f, uint16_t op, const uint8_t ed[6], const struct pl_ep *src,
		  const uint8_t tmac[6], const uint8_t tip[4])
{
	uint8_t *a = f + eth(f, ed, src->mac, ET_ARP);

	pl_w16(a, 1); /* htype Ethernet */
	pl_w16(a + 2, ET_IP4);
	a[4] = 6;
	a[5] = 4;
	pl_w16(a + 6, op);
	memcpy(a + 8, src->mac, 6);
	memcpy(a + 14, src->ip, 4);
	memcpy(a + 18, tmac, 6);
	memcpy(a + 24, tip, 4);
	return ETH_HLEN + 28;
}

/* See pl_net.h. */
size_t pl_arp_request(uint8_t *f, const struct pl_ep *src, const uint8_t tgt[4])
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6];

	return arp(f, 1, bcast, src, zero, tgt);
}

/* See pl_net.h. */
size_t pl_arp_reply(uint8_t *f, const struct pl_ep *src, const struct pl_ep *dst)
{
	return arp(f, 2, dst->mac, src, dst->mac, dst->ip);
}

/* See pl_net.h. */
size_t pl_arp_gratuitous(uint8_t *f, const struct pl_ep *src, bool reply)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6];

	return arp(f, reply ? 2 : 1, bcast, src, reply ? bcast : zero, src->ip);
}

/* See pl_net.h. */
size_t pl_nd_advert(uint8_t *f, const struct pl_ep *src, const struct pl_ep *dst, bool solicited)
{
	uint8_t *ip = f + eth(f, dst->mac, src->mac, ET_IP6), *icmp = ip + 40;

	ip6(ip, 58, 32, 255, src->ip, dst->ip);
	memset(icmp, 0, 32);
	icmp[0] = 136;                                      /* NA */
	icmp[4] = (uint8_t)(0x20 | (solicited ? 0x40 : 0)); /* Override, Solicited */
	memcpy(icmp + 8, src->ip, 16);
	icmp[24] = 2; /* target link-layer address option, 8 bytes */
	icmp[25] = 1;
	memcpy(icmp + 26, src->mac, 6);
	pl_w16(icmp + 2, pl_csum6(ip, icmp, 32, 58));
	return ETH_HLEN + 40 + 32;
}

/* See pl_net.h. */
bool pl_neigh_request(const uint8_t *f, size_t len, uint8_t *family, uint8_t tgt[16])
{
	if (len >= ETH_HLEN + 28 && pl_r16(f + 12) == ET_ARP && pl_r16(f + 20) == 1) {
		*family = 4;
		memset(tgt, 0, 16);
		memcpy(tgt, f + ETH_HLEN + 24, 4);
		return true;
	}
	if (len >= ETH_HLEN + 40 + 24 && pl_r16(f + 12) == ET_IP6 && f[ETH_HLEN + 6] == 58 &&
	    f[ETH_HLEN + 40] == 135) {
		*family = 6;
		memcpy(tgt, f + ETH_HLEN + 48, 16);
		return true;
	}
	return false;
}

/* See pl_net.h. */
size_t pl_nd_solicit(uint8_t *f, const struct pl_ep *src, const uint8_t tgt[16])
{
	uint8_t sn[16] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};
	uint8_t mc[6] = {0x33, 0x33, 0xff, tgt[13], tgt[14], tgt[15]};
	uint8_t *ip, *icmp;

	memcpy(sn + 13, tgt + 13, 3);
	ip = f + eth(f, mc, src->mac, ET_IP6);
	icmp = ip + 40;
	ip6(ip, 58, 32, 255, src->ip, sn);
	memset(icmp, 0, 32);
	icmp[0] = 135; /* NS */
	memcpy(icmp + 8, tgt, 16);
	icmp[24] = 1; /* source link-layer address option, 8 bytes */
	icmp[25] = 1;
	memcpy(icmp + 26, src->mac, 6);
	pl_w16(icmp + 2, pl_csum6(ip, icmp, 32, 58));
	return ETH_HLEN + 40 + 32;
}

/* IPv4 part of pl_parse_udp_out; ip has avail bytes. */
static int parse4(const uint8_t *ip, size_t avail, struct pl_udp_out *o)
{
	size_t hl = (size_t)(ip[0] & 0x0f) * 4, tot;
	const uint8_t *u;
	uint32_t s;

	if (avail < 20 || hl < 20 || avail < hl + 8 || ip[9] != 17)
		return -1;
	tot = pl_r16(ip + 2);
	if (tot > avail || tot < hl + 8)
		return -1;
	u = ip + hl;
	o->family = 4;
	o->ttl = ip[8];
	memcpy(o->src_ip, ip + 12, 4);
	memcpy(o->dst_ip, ip + 16, 4);
	o->n = (size_t)pl_r16(u + 4);
	if (o->n != tot - hl)
		return -1;
	o->csum_ok = fold(sum16(0, ip, hl)) == 0;
	if (pl_r16(u + 6) != 0) {
		s = sum16(0, ip + 12, 8) + 17 + (uint32_t)o->n;
		o->csum_ok = o->csum_ok && fold(sum16(s, u, o->n)) == 0;
	}
	o->sport = pl_r16(u);
	o->dport = pl_r16(u + 2);
	o->pl = u + 8;
	o->n -= 8;
	return 0;
}

/* IPv6 part of pl_parse_udp_out. */
static int parse6(const uint8_t *ip, size_t avail, struct pl_udp_out *o)
{
	const uint8_t *u = ip + 40;
	size_t plen;

	if (avail < 48 || (ip[0] >> 4) != 6 || ip[6] != 17)
		return -1;
	plen = pl_r16(ip + 4);
	if (plen + 40 > avail || plen != pl_r16(u + 4))
		return -1;
	o->family = 6;
	o->ttl = ip[7];
	memcpy(o->src_ip, ip + 8, 16);
	memcpy(o->dst_ip, ip + 24, 16);
	o->csum_ok = pl_r16(u + 6) != 0 && pl_csum6(ip, u, plen, 17) == 0;
	o->sport = pl_r16(u);
	o->dport = pl_r16(u + 2);
	o->pl = u + 8;
	o->n = plen - 8;
	return 0;
}

/* See pl_net.h. */
int pl_parse_udp_out(const uint8_t *f, size_t len, struct pl_udp_out *o)
{
	uint16_t et;

	memset(o, 0, sizeof(*o));
	if (len < ETH_HLEN)
		return -1;
	memcpy(o->dst_mac, f, 6);
	memcpy(o->src_mac, f + 6, 6);
	et = pl_r16(f + 12);
	if (et == ET_IP4)
		return parse4(f + ETH_HLEN, len - ETH_HLEN, o);
	if (et == ET_IP6)
		return parse6(f + ETH_HLEN, len - ETH_HLEN, o);
	return -1;
}

/* See pl_net.h. */
size_t pl_rtp(uint8_t *b, uint8_t pt, bool marker, uint16_t seq, uint32_t ts, uint32_t ssrc,
	      size_t n)
{
	b[0] = 0x80;
	b[1] = (uint8_t)((marker ? 0x80 : 0) | (pt & 0x7f));
	pl_w16(b + 2, seq);
	pl_w32(b + 4, ts);
	pl_w32(b + 8, ssrc);
	for (size_t i = 0; i < n; i++)
		b[12 + i] = (uint8_t)(ssrc * 7 + seq * 13 + i);
	return 12 + n;
}

/* A report block (RFC 3550 §6.4.1) about ssrc at b. */
static void report_block(uint8_t *b, uint32_t about)
{
	memset(b, 0, 24);
	pl_w32(b, about);
	b[4] = 3;                  /* fraction lost */
	pl_w32(b + 8, 0x00012345); /* extended highest seq */
	pl_w32(b + 12, 17);        /* jitter */
}

/* See pl_net.h. */
size_t pl_rtcp_sr(uint8_t *b, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts, uint32_t pkts,
		  uint32_t octets, bool with_block, uint32_t about)
{
	b[0] = (uint8_t)(0x80 | (with_block ? 1 : 0));
	b[1] = 200;
	pl_w16(b + 2, with_block ? 12 : 6);
	pl_w32(b + 4, ssrc);
	pl_w32(b + 8, (uint32_t)(ntp >> 32));
	pl_w32(b + 12, (uint32_t)ntp);
	pl_w32(b + 16, rtp_ts);
	pl_w32(b + 20, pkts);
	pl_w32(b + 24, octets);
	if (with_block)
		report_block(b + 28, about);
	return with_block ? 52 : 28;
}

/* See pl_net.h. */
size_t pl_rtcp_rr(uint8_t *b, uint32_t ssrc, uint32_t about)
{
	b[0] = 0x81;
	b[1] = 201;
	pl_w16(b + 2, 7);
	pl_w32(b + 4, ssrc);
	report_block(b + 8, about);
	return 32;
}

/* See pl_net.h. */
size_t pl_rtcp_pli(uint8_t *b, uint32_t sender, uint32_t media)
{
	b[0] = 0x81; /* FMT 1 */
	b[1] = 206;
	pl_w16(b + 2, 2);
	pl_w32(b + 4, sender);
	pl_w32(b + 8, media);
	return 12;
}

/* See pl_net.h. */
size_t pl_rtcp_nack(uint8_t *b, uint32_t sender, uint32_t media, uint16_t pid, uint16_t blp)
{
	b[0] = 0x81; /* FMT 1 */
	b[1] = 205;
	pl_w16(b + 2, 3);
	pl_w32(b + 4, sender);
	pl_w32(b + 8, media);
	pl_w16(b + 12, pid);
	pl_w16(b + 14, blp);
	return 16;
}
