/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one list of reasons a packet is dropped, shared by the XDP program,
 * the dataplane, the control plane and the CLI. Each entry is
 * X(ENUM_SUFFIX, "name", "operator explanation"). Append only: the numeric
 * value of a reason is part of the control-channel and BPF-map ABI.
 *
 * This header must stay includable from BPF C (no libc, no functions).
 */
#ifndef RELAIS_DROP_REASONS_H
#define RELAIS_DROP_REASONS_H

#define RELAIS_DROP_REASONS(X)                                                                     \
	X(NONE, "none", "not dropped")                                                             \
	X(TRUNCATED, "truncated", "frame shorter than the headers it claims")                      \
	X(OVERSIZED, "oversized", "frame or RTP packet larger than the MTU")                       \
	X(NOT_IP, "not_ip", "ethertype is neither IPv4, IPv6 nor ARP")                             \
	X(IP_MALFORMED, "ip_malformed", "bad IP version, header or length")                        \
	X(IP_FRAGMENT, "ip_fragment", "IP fragment (media is never fragmented)")                   \
	X(NOT_UDP, "not_udp", "IP protocol is not UDP")                                            \
	X(NOT_FOR_US, "not_for_us", "destination address is not ours")                             \
	X(WRONG_PORT, "wrong_port", "UDP destination is not the media port")                       \
	X(DEMUX_UNKNOWN, "demux_unknown", "first byte outside RFC 7983 ranges")                    \
	X(RTP_VERSION, "rtp_version", "RTP/RTCP version is not 2")                                 \
	X(RTP_MALFORMED, "rtp_malformed", "RTP/RTCP header longer than packet")                    \
	X(UNKNOWN_SOURCE, "unknown_source", "no participant at this address")                      \
	X(UNKNOWN_SSRC, "unknown_ssrc", "SSRC not declared for this source")                       \
	X(SRTP_AUTH, "srtp_auth", "SRTP/SRTCP authentication tag mismatch")                        \
	X(SRTP_REPLAY, "srtp_replay", "SRTP/SRTCP replayed or too old")                            \
	X(SRTP_ERROR, "srtp_error", "other SRTP engine failure")                                   \
	X(RTCP_UNHANDLED, "rtcp_unhandled", "RTCP not forwarded (RR, SDES...)")                    \
	X(NO_SUBSCRIBERS, "no_subscribers", "track has no subscriber")                             \
	X(PT_UNMAPPED, "pt_unmapped", "payload type absent from the PT map")                       \
	X(NO_NEIGHBOR, "no_neighbor", "next-hop MAC unresolved (ARP/ND sent)")                     \
	X(RING_FULL, "ring_full", "hand-off ring between lcores full")                             \
	X(TX_FULL, "tx_full", "port TX queue full")                                                \
	X(NO_MBUF, "no_mbuf", "mbuf pool exhausted")                                               \
	X(STALE_OBJECT, "stale_object", "participant/track removed in flight")                     \
	X(EXCEPTION_FULL, "exception_full", "STUN/DTLS exception path full")                       \
	X(ARP_IGNORED, "arp_ignored", "ARP/ND not for us or malformed")                            \
	X(XDP_BLOCKLIST, "xdp_blocklist", "source in XDP blocklist")                               \
	X(XDP_NOT_ALLOWED, "xdp_not_allowed", "allowlist active, source absent")                   \
	X(XDP_RATE_PKTS, "xdp_rate_pkts", "source over its packet rate")                           \
	X(XDP_RATE_BYTES, "xdp_rate_bytes", "source over its byte rate")                           \
	X(XDP_MALFORMED, "xdp_malformed", "XDP: malformed L2/L3/L4 headers")                       \
	X(SRTP_INDEX_USED, "srtp_index_used", "output SRTP index already used under this key")     \
	X(EXC_RATE_SOURCE, "exception_rate_source", "STUN/DTLS over edge.rate_per_source")         \
	X(EXC_RATE_TOTAL, "exception_rate_total",                                                  \
	  "STUN/DTLS of unknown sources over edge.rate_total")                                     \
	X(EDGE_DOWN, "edge_down", "STUN/DTLS or edge reply while no relais-edge is connected")     \
	X(XDP_STUN_DTLS_RATE, "xdp_stun_dtls_rate",                                                \
	  "XDP: STUN/DTLS over its source address+port budget")                                    \
	X(XDP_STUN_DTLS_TOTAL, "xdp_stun_dtls_total",                                              \
	  "XDP: STUN/DTLS over the node's total budget")                                           \
	X(TX_INDEX_RESERVE, "tx_index_reserve",                                                    \
	  "output SRTP/SRTCP index not yet reserved in state.dir (write slow or failing)")         \
	X(NO_CONSENT, "no_consent", "participant's address has not consented yet (media.consent)") \
	X(NACK_RATE, "nack_rate", "subscriber's NACKs over rtcp.nack_rate")                        \
	X(SR_RATE, "sr_rate", "publisher's sender reports over rtcp.sr_rate per track")            \
	X(NEIGH_UNSOLICITED, "neigh_unsolicited",                                                  \
	  "ARP/ND reply or announcement that answers no request of ours: not learned")

#define RELAIS_DROP_ENUM_(sfx, name, help) RELAIS_DROP_##sfx,
enum relais_drop_reason {
	RELAIS_DROP_REASONS(RELAIS_DROP_ENUM_) RELAIS_DROP_MAX
};
#undef RELAIS_DROP_ENUM_

#endif /* RELAIS_DROP_REASONS_H */
