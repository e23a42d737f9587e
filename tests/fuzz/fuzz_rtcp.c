/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: dp_rtcp_parse() on arbitrary compounds, the generic NACK
 * reader over every NACK block it returns, and the PLI/FIR/NACK builders
 * fed from the input, whose output must walk back to what was built.
 */
#include <string.h>

#include "dp_rtp.h"
#include "fuzz_target.h"

#define MAX_BLOCKS 16

/* Blocks tile the compound from offset 0; NACK entries are readable. */
static void check_blocks(const uint8_t *p, size_t size, const struct dp_rtcp_block *b, int n)
{
	size_t off = 0;

	for (int i = 0; i < n; i++) {
		FUZZ_ASSERT(b[i].off == off && b[i].len >= 4 && b[i].len % 4 == 0);
		FUZZ_ASSERT((size_t)b[i].off + b[i].len <= size);
		if (b[i].pt == DP_RTCP_RTPFB && b[i].count == DP_RTPFB_NACK) {
			unsigned entries = (b[i].len - 12u) / 4;

			FUZZ_ASSERT(b[i].len >= 16);
			for (unsigned e = 0; e < entries; e++) {
				uint16_t pid, blp;

				dp_rtcp_nack_get(p + b[i].off, e, &pid, &blp);
				(void)pid;
				(void)blp;
			}
		}
		off += b[i].len;
	}
	if (n < MAX_BLOCKS)
		FUZZ_ASSERT(off == size);
}

/* Build PLI + FIR + NACK from input bytes and walk them back. */
static void build(const uint8_t *data, size_t size)
{
	uint16_t pid[8] = {0}, blp[8] = {0};
	uint8_t out[12 + 20 + 12 + 32];
	struct dp_rtcp_block b[3];
	enum relais_drop_reason why;
	unsigned n = size ? (data[0] & 7) + 1 : 1;
	size_t len = 0;

	for (unsigned i = 0; i < n && 1 + 4 * i + 3 < size; i++) {
		pid[i] = (uint16_t)(data[1 + 4 * i] << 8 | data[2 + 4 * i]);
		blp[i] = (uint16_t)(data[3 + 4 * i] << 8 | data[4 + 4 * i]);
	}
	len += dp_rtcp_build_pli(out, sizeof(out), 0x1234, pid[0]);
	len += dp_rtcp_build_fir(out + len, sizeof(out) - len, 0x1234, blp[0], (uint8_t)n);
	len += dp_rtcp_build_nack(out + len, sizeof(out) - len, 0x1234, 0x5678, pid, blp, n);
	FUZZ_ASSERT(len == 12 + 20 + 12 + 4 * n);
	FUZZ_ASSERT(dp_rtcp_parse(out, len, b, 3, &why) == 3);
	FUZZ_ASSERT(b[0].media_ssrc == pid[0] && b[1].media_ssrc == blp[0]);
	FUZZ_ASSERT(b[2].len == 12 + 4 * n);
	for (unsigned i = 0; i < n; i++) {
		uint16_t p, q;

		dp_rtcp_nack_get(out + b[2].off, i, &p, &q);
		FUZZ_ASSERT(p == pid[i] && q == blp[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_rtcp_block b[MAX_BLOCKS];
	enum relais_drop_reason why = RELAIS_DROP_MAX;
	int n = dp_rtcp_parse(data, size, b, MAX_BLOCKS, &why);

	FUZZ_ASSERT(n >= -1 && n <= MAX_BLOCKS && why < RELAIS_DROP_MAX);
	FUZZ_ASSERT((n == -1) == (why != RELAIS_DROP_NONE));
	if (n > 0)
		check_blocks(data, size, b, n);
	if (n > 0 && b[0].len >= 8)
		FUZZ_ASSERT(dp_rtcp_first_ssrc(data) == b[0].sender_ssrc);
	build(data, size);
	return 0;
}
