/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: dp_parse_frame() on arbitrary frames, then the RFC 7983
 * demultiplexer and the RTP/RTCP parsers on the UDP payload, as the
 * dataplane chains them. Invariants: a drop reason in range, and every
 * offset the parser reports lies inside the frame.
 */
#include "dp_parse.h"
#include "dp_rtp.h"
#include "fuzz_target.h"

/* UDP payload through demux and the RTP or RTCP parser. */
static void payload(const uint8_t *p, size_t n)
{
	struct dp_rtp_info ri;
	struct dp_rtcp_block b[8];
	enum relais_drop_reason why;
	int nb;

	switch (dp_demux_classify(p, n)) {
	case DP_DEMUX_RTP:
		if (dp_rtp_parse(p, n, &ri) == RELAIS_DROP_NONE)
			FUZZ_ASSERT(ri.hdr_len >= DP_RTP_MIN_HDR && ri.hdr_len <= n);
		break;
	case DP_DEMUX_RTCP:
		nb = dp_rtcp_parse(p, n, b, 8, &why);
		FUZZ_ASSERT(nb >= -1 && nb <= 8);
		for (int i = 0; i < nb; i++)
			FUZZ_ASSERT((size_t)b[i].off + b[i].len <= n);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_pkt_info pi;
	enum relais_drop_reason r = dp_parse_frame(data, size, &pi);

	FUZZ_ASSERT(r < RELAIS_DROP_MAX);
	if (r != RELAIS_DROP_NONE)
		return 0;
	FUZZ_ASSERT(pi.l3_off == (pi.has_vlan ? 18 : 14));
	switch (pi.kind) {
	case DP_L3_UDP:
		FUZZ_ASSERT(pi.family == 4 || pi.family == 6);
		FUZZ_ASSERT(pi.l4_off > pi.l3_off && pi.payload_off == pi.l4_off + 8);
		FUZZ_ASSERT((size_t)pi.payload_off + pi.payload_len <= size);
		payload(data + pi.payload_off, pi.payload_len);
		break;
	case DP_L3_ARP:
		FUZZ_ASSERT((size_t)pi.l3_off + 28 <= size);
		break;
	case DP_L3_ND:
		FUZZ_ASSERT(pi.family == 6 && (size_t)pi.l4_off + 24 <= size);
		break;
	default:
		FUZZ_ASSERT(0 && "accepted frame without a kind");
	}
	return 0;
}
