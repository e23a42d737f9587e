/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: ARP and IPv6 ND learning and in-place replies. The frame is
 * handed to dp_arp_*() and dp_nd_*() both at the offset dp_parse_frame()
 * found and at the two fixed offsets regardless of what the parser said
 * (each function checks its own bounds). A reply, when made, must parse as
 * ARP/ND again and teach the requester our (IP, MAC).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "dp_parse.h"
#include "dp_pkt_build.h"
#include "fuzz_target.h"

#define EXTRA 96 /* tailroom beyond the frame, as an mbuf would have */

/* The address the seed corpus targets: 02:..:0b, 192.0.2.11, 2001:db8::56:789a. */
static const struct dp_if_addr ifa = {
    .mac = {0x02, 0, 0, 0, 0, 0x0b},
    .ip4 = {192, 0, 2, 11},
    .ip6 = {0x20, 0x01, 0x0d, 0xb8, [13] = 0x56, [14] = 0x78, [15] = 0x9a},
};

static void arp(uint8_t *f, size_t len, size_t l3, bool parsed)
{
	struct dp_neigh n;
	struct dp_pkt_info pi;
	uint8_t requester[4];
	int r = dp_arp_learn(f, len, l3, ifa.ip4, &n);
	size_t out;

	FUZZ_ASSERT(r == 0 || r == -ENOENT || r == -EINVAL);
	FUZZ_ASSERT(r == -EINVAL || n.family == 4);
	out = dp_arp_reply(f, len, l3, &ifa);
	if (!out)
		return;
	FUZZ_ASSERT(out == l3 + DP_ARP_LEN && out <= len);
	memcpy(requester, f + l3 + 24, 4);
	if (parsed)
		FUZZ_ASSERT(dp_parse_frame(f, out, &pi) == RELAIS_DROP_NONE &&
			    pi.kind == DP_L3_ARP);
	if (memcmp(requester, "\0\0\0\0", 4) != 0) {
		FUZZ_ASSERT(dp_arp_learn(f, out, l3, requester, &n) == 0);
		FUZZ_ASSERT(!memcmp(n.ip, ifa.ip4, 4) && !memcmp(n.mac, ifa.mac, 6));
	}
}

static void nd(uint8_t *f, size_t len, size_t cap, size_t l3, bool parsed)
{
	struct dp_neigh n;
	struct dp_pkt_info pi;
	int r = dp_nd_learn(f, len, l3, ifa.ip6, &n);
	size_t out;

	FUZZ_ASSERT(r == 0 || r == -ENOENT || r == -EINVAL);
	FUZZ_ASSERT(r != 0 || n.family == 6);
	out = dp_nd_reply(f, len, cap, l3, &ifa);
	if (!out)
		return;
	FUZZ_ASSERT(out == l3 + DP_IPV6_HLEN + DP_NA_LEN && out <= cap);
	if (parsed)
		FUZZ_ASSERT(dp_parse_frame(f, out, &pi) == RELAIS_DROP_NONE && pi.kind == DP_L3_ND);
	/* The NA is valid (checksum included) and carries our target and MAC. */
	FUZZ_ASSERT(dp_nd_learn(f, out, l3, ifa.ip6, &n) == 0);
	FUZZ_ASSERT(!memcmp(n.ip, ifa.ip6, 16) && !memcmp(n.mac, ifa.mac, 6));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap = size + EXTRA;
	uint8_t *f = malloc(cap);
	struct dp_pkt_info pi;

	FUZZ_ASSERT(f);
	memcpy(f, data, size);
	if (dp_parse_frame(f, size, &pi) == RELAIS_DROP_NONE) {
		if (pi.kind == DP_L3_ARP)
			arp(f, size, pi.l3_off, true);
		else if (pi.kind == DP_L3_ND)
			nd(f, size, cap, pi.l3_off, true);
	}
	for (size_t l3 = 14; l3 <= 18; l3 += 4) {
		memcpy(f, data, size);
		arp(f, size, l3, false);
		memcpy(f, data, size);
		nd(f, size, size, l3, false); /* no tailroom this time */
	}
	free(f);
	return 0;
}
