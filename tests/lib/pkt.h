/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame builder for the XDP tests and bench: Ethernet (+ optional 802.1Q),
 * IPv4/IPv6, UDP or ICMPv6, with knobs to break each header on purpose.
 */
#ifndef RELAIS_TESTS_LIB_PKT_H
#define RELAIS_TESTS_LIB_PKT_H

#include <stddef.h>
#include <stdint.h>

enum pkt_l3 {
	PKT_V4,
	PKT_V6,
	PKT_ARP,
	PKT_LLDP /* ethertype 0x88cc, no payload parse */
};

enum pkt_frag {
	FRAG_NONE,
	FRAG_V4_MF,     /* IPv4 more-fragments bit */
	FRAG_V4_OFFSET, /* IPv4 fragment offset != 0 */
	FRAG_V6_HDR     /* IPv6 fragment extension header */
};

enum pkt_bad {
	BAD_NONE,
	BAD_V4_IHL,        /* IHL 4 */
	BAD_V4_VERSION,    /* version 5 in an IPv4 ethertype */
	BAD_V4_TOTLEN,     /* total length < IHL*4 */
	BAD_V6_VERSION,    /* version 4 in an IPv6 ethertype */
	BAD_UDP_LEN_SHORT, /* UDP length 7 */
	BAD_UDP_LEN_LONG,  /* UDP length beyond the IP payload */
	BAD_DOUBLE_VLAN    /* two 802.1Q tags */
};

struct pkt_spec {
	enum pkt_l3 l3;
	int vlan;       /* one 802.1Q tag */
	uint8_t proto;  /* IP protocol / next header; 0 = UDP */
	uint16_t dport; /* 0 = 5000 */
	uint16_t sport; /* 0 = 40000 */
	uint8_t b0, b1; /* first two UDP payload bytes */
	int paylen;     /* UDP payload length */
	enum pkt_frag frag;
	enum pkt_bad bad;
	int v6_hbh;         /* insert a hop-by-hop header before the L4 */
	uint8_t icmp6_type; /* with proto 58 */
	int cut;            /* drop this many bytes from the end of the frame */
	int pad_to;         /* Ethernet padding up to this frame length */
	const char *src;    /* source address; default 192.0.2.1 / 2001:db8::1 */
	const char *dst;    /* destination; default 198.51.100.1 / 2001:db8:ffff::1 */
	const char *target; /* ARP target protocol address / NS-NA target */
};

/* Build a frame into buf (cap bytes); returns its length or -1. */
int pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap);

#endif /* RELAIS_TESTS_LIB_PKT_H */
