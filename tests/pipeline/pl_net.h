/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-side packet bytes for the pipeline suite, written independently of
 * dataplane/pkt/dp_pkt_build.c: Ethernet/IPv4/IPv6/UDP frames from a peer,
 * ARP requests and IPv6 neighbour solicitations, plain RTP and RTCP
 * (RFC 3550, RFC 4585) packets, and a parser for what the dataplane sends
 * that verifies the IPv4 header and UDP checksums (RFC 1071).
 */
#ifndef PL_NET_H
#define PL_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PL_FRAME_MAX 1600

/* One transport endpoint: family 4 or 6, MAC, IP (4 or 16 bytes), port. */
struct pl_ep {
	uint8_t family;
	uint8_t mac[6];
	uint8_t ip[16];
	uint16_t port;
};

static inline void pl_w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void pl_w32(uint8_t *p, uint32_t v)
{
	pl_w16(p, (uint16_t)(v >> 16));
	pl_w16(p + 2, (uint16_t)v);
}

static inline uint16_t pl_r16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t pl_r32(const uint8_t *p)
{
	return (uint32_t)pl_r16(p) << 16 | pl_r16(p + 2);
}

/* Frame from src to dst carrying the UDP payload pl/n: IPv4 with a valid
 * header checksum and UDP checksum 0, or IPv6 with a valid UDP checksum.
 * f must hold PL_FRAME_MAX bytes. Returns the frame length. */
size_t pl_udp_frame(uint8_t *f, const struct pl_ep *src, const struct pl_ep *dst, const uint8_t *pl,
		    size_t n);
/* The same datagram over IPv6 with a Fragment header (RFC 8200 §4.5,
 * first fragment, M set) between the IPv6 and UDP headers. */
size_t pl_udp6_frag_frame(uint8_t *f, const struct pl_ep *src, const struct pl_ep *dst,
			  const uint8_t *pl, size_t n);
/* Broadcast ARP request (RFC 826) from src asking for tgt. Returns 42. */
size_t pl_arp_request(uint8_t *f, const struct pl_ep *src, const uint8_t tgt[4]);
/* Neighbour Solicitation (RFC 4861 §4.3) from src for tgt, to tgt's
 * solicited-node multicast address, with a source link-layer option. */
size_t pl_nd_solicit(uint8_t *f, const struct pl_ep *src, const uint8_t tgt[16]);
/* ARP reply (RFC 826) from src to dst (Ethernet and ARP target dst's MAC
 * and IP). Returns 42. */
size_t pl_arp_reply(uint8_t *f, const struct pl_ep *src, const struct pl_ep *dst);
/* Gratuitous ARP (RFC 5227 §3) of src: broadcast, sender and target IP
 * both src's, as a request or a reply. Returns 42. */
size_t pl_arp_gratuitous(uint8_t *f, const struct pl_ep *src, bool reply);
/* Neighbour Advertisement (RFC 4861 §4.4) from src to dst for src's
 * address, with a target link-layer option, Override set and Solicited
 * as given. */
size_t pl_nd_advert(uint8_t *f, const struct pl_ep *src, const struct pl_ep *dst, bool solicited);
/* If f is an ARP request or an NS, the address it asks for (family 4 or
 * 6 and tgt); else false. */
bool pl_neigh_request(const uint8_t *f, size_t len, uint8_t *family, uint8_t tgt[16]);
/* Recompute the IPv4 header checksum of the header at ip (RFC 791). */
void pl_ip4_fix(uint8_t *ip);
/* RFC 4443 §2.3 / RFC 8200 §8.1 checksum over the upper-layer bytes l4/n
 * after the IPv6 header ip with next header nh; 0 when the field in l4 is
 * right. */
uint16_t pl_csum6(const uint8_t *ip, const uint8_t *l4, size_t n, uint8_t nh);

/* A UDP frame the dataplane sent, as the parser saw it. */
struct pl_udp_out {
	uint8_t family;
	uint8_t dst_mac[6], src_mac[6];
	uint8_t src_ip[16], dst_ip[16];
	uint16_t sport, dport;
	uint8_t ttl;
	bool csum_ok; /* IPv4 header + UDP (0 allowed); IPv6 UDP (mandatory) */
	const uint8_t *pl;
	size_t n;
};
/* Parse an Ethernet/IP/UDP frame; 0, or -1 if it is not one (ARP, ND...)
 * or its lengths are inconsistent. */
int pl_parse_udp_out(const uint8_t *f, size_t len, struct pl_udp_out *o);

/* RTP packet (RFC 3550 §5.1) with n payload bytes derived from (ssrc,
 * seq). Returns 12 + n. */
size_t pl_rtp(uint8_t *b, uint8_t pt, bool marker, uint16_t seq, uint32_t ts, uint32_t ssrc,
	      size_t n);
/* SR (RFC 3550 §6.4.1) from ssrc; with_block adds one report block about
 * `about`. Returns 28 or 52. */
size_t pl_rtcp_sr(uint8_t *b, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts, uint32_t pkts,
		  uint32_t octets, bool with_block, uint32_t about);
/* RR (RFC 3550 §6.4.2) from ssrc with one report block about `about`. */
size_t pl_rtcp_rr(uint8_t *b, uint32_t ssrc, uint32_t about);
/* PLI (RFC 4585 §6.3.1). Returns 12. */
size_t pl_rtcp_pli(uint8_t *b, uint32_t sender, uint32_t media);
/* Generic NACK with one FCI (RFC 4585 §6.2.1). Returns 16. */
size_t pl_rtcp_nack(uint8_t *b, uint32_t sender, uint32_t media, uint16_t pid, uint16_t blp);

#endif /* PL_NET_H */
