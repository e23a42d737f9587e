/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: egress headers from a template made of input bytes. The
 * built frame must parse back to the template, and its UDP checksum
 * (dp_udp_checksum_ipv6, both families) must verify with a byte-wise
 * reference sum.
 */
#include <string.h>

#include "dp_parse.h"
#include "dp_pkt_build.h"
#include "fuzz_target.h"

#define TMPL_BYTES 56

static uint16_t ref_csum(const uint8_t *ip, int family, const uint8_t *l4, size_t n)
{
	uint32_t sum = 17 + (uint32_t)n;
	const uint8_t *a = family == 4 ? ip + 12 : ip + 8;
	size_t alen = family == 4 ? 8 : 32;

	for (size_t i = 0; i < alen; i += 2)
		sum += (uint32_t)(a[i] << 8 | a[i + 1]);
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(l4[i] << 8 | l4[i + 1]);
	if (n & 1)
		sum += (uint32_t)l4[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t in[TMPL_BYTES] = {0};
	struct dp_udp_tmpl t;
	struct dp_pkt_info pi;
	uint16_t plen;
	size_t hl, l3, alen;
	uint8_t *f;

	memcpy(in, data, size < TMPL_BYTES ? size : TMPL_BYTES);
	memset(&t, 0, sizeof(t));
	memcpy(t.src_mac, in, 6);
	memcpy(t.dst_mac, in + 6, 6);
	t.has_vlan = in[12] & 1;
	t.family = (in[12] & 2) ? 6 : 4;
	t.vlan_tci = (uint16_t)(in[13] << 8 | in[14]);
	t.ttl = in[15];
	t.tos = in[16];
	alen = t.family == 4 ? 4 : 16;
	memcpy(t.src_ip, in + 17, alen);
	memcpy(t.dst_ip, in + 33, alen);
	t.src_port = (uint16_t)(in[49] << 8 | in[50]);
	t.dst_port = (uint16_t)(in[51] << 8 | in[52]);
	plen = (uint16_t)((in[53] << 8 | in[54]) % 2000);
	hl = dp_hdr_len(t.family, t.has_vlan);
	l3 = t.has_vlan ? 18 : 14;
	f = malloc(hl + plen);
	FUZZ_ASSERT(f);
	FUZZ_ASSERT(dp_build_udp_headers(f, hl + plen, &t, plen) == hl);
	for (size_t i = 0; i < plen; i++)
		f[hl + i] = size > TMPL_BYTES ? data[TMPL_BYTES + i % (size - TMPL_BYTES)] : 0;
	dp_udp_checksum_ipv6(f, l3, hl + plen);
	FUZZ_ASSERT(ref_csum(f + l3, t.family, f + hl - 8, 8u + plen) == 0);
	FUZZ_ASSERT(dp_parse_frame(f, hl + plen, &pi) == RELAIS_DROP_NONE);
	FUZZ_ASSERT(pi.kind == DP_L3_UDP && pi.family == t.family && pi.has_vlan == t.has_vlan);
	FUZZ_ASSERT(pi.payload_off == hl && pi.payload_len == plen && pi.ip_ttl == t.ttl);
	FUZZ_ASSERT(pi.src_port == t.src_port && pi.dst_port == t.dst_port);
	FUZZ_ASSERT(!memcmp(pi.src_ip, t.src_ip, alen) && !memcmp(pi.dst_ip, t.dst_ip, alen));
	FUZZ_ASSERT(!t.has_vlan || pi.vlan_tci == t.vlan_tci);
	free(f);
	return 0;
}
