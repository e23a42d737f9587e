/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame parsing for the dataplane: Ethernet (optionally one 802.1Q tag),
 * ARP, IPv4, IPv6 (no extension headers except that a Fragment header marks
 * a fragment), UDP, ICMPv6 neighbour discovery, and the RFC 7983 first-byte
 * demultiplexer. Pure functions over (const uint8_t *, size_t): no DPDK
 * types, so they are unit-tested and fuzzed on their own.
 */
#ifndef DP_PARSE_H
#define DP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <relais/drop_reasons.h>

enum dp_l3_kind {
	DP_L3_NONE = 0,
	DP_L3_ARP, /* l3_off points at the ARP payload */
	DP_L3_ND,  /* ICMPv6 neighbour solicitation/advertisement */
	DP_L3_UDP, /* UDP over IPv4 or IPv6 */
};

struct dp_pkt_info {
	uint8_t kind;   /* enum dp_l3_kind */
	uint8_t family; /* 4 or 6 for IP packets, 0 otherwise */
	uint8_t has_vlan;
	uint8_t ip_ttl;
	uint16_t vlan_tci;
	uint16_t l3_off;      /* offset of the ARP/IPv4/IPv6 header */
	uint16_t l4_off;      /* offset of the UDP / ICMPv6 header */
	uint16_t payload_off; /* offset of the UDP payload */
	uint16_t payload_len; /* UDP payload length (from the UDP header) */
	uint16_t src_port;    /* host order */
	uint16_t dst_port;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint8_t src_ip[16]; /* IPv4 in the first 4 bytes */
	uint8_t dst_ip[16];
};

/*
 * Parse an Ethernet frame. On success returns RELAIS_DROP_NONE and fills
 * *pi (kind tells which fields are valid). Otherwise returns the drop reason:
 * TRUNCATED, NOT_IP, IP_MALFORMED (version, IHL, total length beyond the
 * frame, IPv4 header checksum wrong), IP_FRAGMENT (IPv4 MF/offset or an IPv6
 * Fragment header), NOT_UDP (other protocols, ICMPv6 other than NS/NA),
 * TRUNCATED (UDP length beyond the IP payload or < 8).
 * Trailing Ethernet padding after the IP packet is allowed and ignored.
 */
enum relais_drop_reason dp_parse_frame(const uint8_t *frame, size_t len, struct dp_pkt_info *pi);

/* RFC 7983 demultiplexing of a UDP payload by its first byte, with RTP vs
 * RTCP told apart per RFC 5761 §4 (second byte 192..223 is RTCP). */
enum dp_demux {
	DP_DEMUX_UNKNOWN = 0,
	DP_DEMUX_STUN, /* 0..3 */
	DP_DEMUX_ZRTP, /* 16..19 */
	DP_DEMUX_DTLS, /* 20..63 */
	DP_DEMUX_TURN, /* 64..79 */
	DP_DEMUX_RTP,  /* 128..191, second byte not RTCP */
	DP_DEMUX_RTCP, /* 128..191, second byte 192..223 */
};
enum dp_demux dp_demux_classify(const uint8_t *payload, size_t len);

#endif /* DP_PARSE_H */
