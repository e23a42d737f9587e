/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: dp_rtp_parse() on arbitrary packets; on an accepted one the
 * field writers are applied to a copy and the copy must parse back with the
 * written values and the same header length; header extension ids
 * renumbered (dp_rtp_map_ext) never change the header length or the
 * payload.
 */
#include <string.h>

#include "dp_rtp.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_rtp_info ri, ri2;
	uint8_t *copy;

	if (dp_rtp_parse(data, size, &ri) != RELAIS_DROP_NONE)
		return 0;
	FUZZ_ASSERT(ri.hdr_len >= DP_RTP_MIN_HDR && ri.hdr_len <= size);
	FUZZ_ASSERT(ri.hdr_len == DP_RTP_MIN_HDR + 4u * ri.cc || ri.has_ext);
	copy = malloc(size);
	FUZZ_ASSERT(copy);
	memcpy(copy, data, size);
	dp_rtp_set_ssrc(copy, ~ri.ssrc);
	dp_rtp_set_seq(copy, (uint16_t)(ri.seq + 1));
	dp_rtp_set_ts(copy, ri.ts + 3000);
	dp_rtp_set_pt(copy, (uint8_t)(ri.pt ^ 0x55));
	FUZZ_ASSERT(dp_rtp_parse(copy, size, &ri2) == RELAIS_DROP_NONE);
	FUZZ_ASSERT(ri2.ssrc == ~ri.ssrc && ri2.seq == (uint16_t)(ri.seq + 1));
	FUZZ_ASSERT(ri2.ts == ri.ts + 3000 && ri2.pt == ((ri.pt ^ 0x55) & 0x7f));
	FUZZ_ASSERT(ri2.marker == ri.marker && ri2.hdr_len == ri.hdr_len);
	FUZZ_ASSERT(memcmp(copy + 12, data + 12, size - 12) == 0);
	/* Header extension ids renumbered (a map from the input's last byte):
	 * the packet still parses the same, the payload is untouched. */
	{
		uint8_t map[15];

		for (unsigned i = 0; i < 15; i++)
			map[i] = (uint8_t)((data[size - 1] + i) % 15);
		dp_rtp_map_ext(copy, ri.hdr_len, map);
		FUZZ_ASSERT(dp_rtp_parse(copy, size, &ri2) == RELAIS_DROP_NONE);
		FUZZ_ASSERT(ri2.hdr_len == ri.hdr_len);
		FUZZ_ASSERT(memcmp(copy + ri.hdr_len, data + ri.hdr_len, size - ri.hdr_len) == 0);
	}
	free(copy);
	return 0;
}
