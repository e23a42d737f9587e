/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the per-subscription RTP rewrite (dataplane/core/dp_rewrite.c):
 * the first source passes through, a source switch continues the output
 * sequence at last + 1 and advances the timestamp by the elapsed time
 * (RFC 3550 §5.1, §8.2), 16-bit sequence and 32-bit timestamp wraps on
 * input and output, a late packet never moves the newest sequence back,
 * and payload type maps (hit, miss, empty).
 */
#include <string.h>

#include "dp_rewrite.h"
#define CHECK_MAIN
#include "check.h"

#define HZ 1000000000ull /* a 1 GHz TSC: one tick per nanosecond */
#define VIDEO 90000

struct out {
	uint16_t seq;
	uint32_t ts;
};

/* Map one packet at time now (ns) for track/ssrc. */
static struct out map(struct dp_rewrite *rw, uint32_t track, uint32_t ssrc, uint16_t seq,
		      uint32_t ts, uint64_t now)
{
	struct out o;

	dp_rewrite_map(rw, track, ssrc, seq, ts, now, HZ, VIDEO, &o.seq, &o.ts);
	return o;
}

/* The first source passes through unchanged, wrapping with the input. */
static void test_passthrough_and_input_wrap(void)
{
	struct dp_rewrite rw;
	struct out o;

	memset(&rw, 0, sizeof(rw));
	o = map(&rw, 1, 0xaaaa, 65534, 0xfffff000u, 1000);
	CHECK(o.seq == 65534 && o.ts == 0xfffff000u);
	CHECK(rw.started && rw.last_seq == 65534);
	o = map(&rw, 1, 0xaaaa, 65535, 0xfffff000u + 3000, 2000);
	CHECK(o.seq == 65535 && o.ts == 0xfffff000u + 3000);
	o = map(&rw, 1, 0xaaaa, 0, 0xfffff000u + 6000, 3000); /* both wrap */
	CHECK(o.seq == 0 && o.ts == (uint32_t)(0xfffff000u + 6000));
	CHECK(rw.last_seq == 0 && rw.last_ts == (uint32_t)(0xfffff000u + 6000));
	o = map(&rw, 1, 0xaaaa, 1, 0xfffff000u + 9000, 4000);
	CHECK(o.seq == 1 && rw.last_seq == 1 && rw.last_tsc == 4000);
	CHECK(dp_rewrite_seq_to_source(&rw, 1) == 1);
}

/* A source switch continues at last + 1, timestamp + elapsed time. */
static void test_switch_continuity(void)
{
	struct dp_rewrite rw;
	struct out o;

	memset(&rw, 0, sizeof(rw));
	map(&rw, 1, 0xaaaa, 100, 1000, 0);
	o = map(&rw, 1, 0xaaaa, 101, 4000, HZ / 100);
	CHECK(o.seq == 101 && o.ts == 4000);
	/* 0.5 s later another source: 45000 ticks of 90 kHz later. */
	o = map(&rw, 2, 0xbbbb, 5000, 777777, HZ / 100 + HZ / 2);
	CHECKF(o.seq == 102 && o.ts == 4000 + 45000, "seq %u ts %u", o.seq, o.ts);
	CHECK(rw.src_track_id == 2 && rw.src_ssrc == 0xbbbb);
	o = map(&rw, 2, 0xbbbb, 5001, 777777 + 3000, HZ);
	CHECK(o.seq == 103 && o.ts == 4000 + 45000 + 3000);
	CHECK(dp_rewrite_seq_to_source(&rw, 103) == 5001);
	CHECK(dp_rewrite_seq_to_source(&rw, 100) == 4998);
	/* Same track, new SSRC (publisher restarted): also a new source. */
	o = map(&rw, 2, 0xcccc, 9, 5, HZ);
	CHECKF(o.seq == 104 && o.ts == 4000 + 45000 + 3000 + 1, "seq %u ts %u (no time: 1 tick)",
	       o.seq, o.ts);
}

/* Output wraps 65535 -> 0 and 2^32 -> 0 across a switch. */
static void test_output_wrap(void)
{
	struct dp_rewrite rw;
	struct out o;

	memset(&rw, 0, sizeof(rw));
	map(&rw, 1, 0xaaaa, 65535, 0xffffff00u, 0);
	o = map(&rw, 2, 0xbbbb, 10, 50, (512 * HZ + VIDEO - 1) / VIDEO); /* 512 ticks */
	CHECKF(o.seq == 0 && o.ts == 0x100, "seq %u ts %#x", o.seq, o.ts);
	o = map(&rw, 2, 0xbbbb, 11, 53, HZ);
	CHECK(o.seq == 1 && o.ts == 0x103 && rw.last_seq == 1);
}

/* A late (reordered) packet is rewritten but never becomes the newest. */
static void test_reorder(void)
{
	struct dp_rewrite rw;
	struct out o;

	memset(&rw, 0, sizeof(rw));
	map(&rw, 1, 0xaaaa, 200, 20000, 10);
	map(&rw, 1, 0xaaaa, 202, 26000, 20);
	o = map(&rw, 1, 0xaaaa, 201, 23000, 30);
	CHECK(o.seq == 201 && o.ts == 23000);
	CHECK(rw.last_seq == 202 && rw.last_ts == 26000 && rw.last_tsc == 20);
	/* Late packet across the wrap: 65535 after 0. */
	memset(&rw, 0, sizeof(rw));
	map(&rw, 1, 0xaaaa, 0, 100, 10);
	o = map(&rw, 1, 0xaaaa, 65535, 97, 20);
	CHECK(o.seq == 65535 && rw.last_seq == 0);
	o = map(&rw, 2, 0xbbbb, 7, 7, 20);
	CHECK(o.seq == 1);
}

/* A subscription added again on an output stream (another epoch): its
 * first packet starts a new segment at last + 1 even from the same track
 * and SSRC, and even when the source's numbers are just behind the last
 * output (the index-reuse case); an older sub's packet rebases again. */
static void test_new_subscription(void)
{
	struct dp_ostream os;
	struct dp_sub a, b;
	struct out o;

	memset(&os, 0, sizeof(os));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.os = b.os = &os;
	a.epoch = 1;
	b.epoch = 2;
	map(dp_sub_rewrite(&a), 1, 0xaaaa, 1000, 5000, 10);
	o = map(dp_sub_rewrite(&a), 1, 0xaaaa, 1001, 5960, 20);
	CHECK(o.seq == 1001 && os.rw_epoch == 1);
	/* b: same track and SSRC, numbers 5 behind the last output. */
	o = map(dp_sub_rewrite(&b), 1, 0xaaaa, 996, 1000, HZ);
	CHECK(o.seq == 1002 && os.rw_epoch == 2 && !os.rw.new_src);
	o = map(dp_sub_rewrite(&b), 1, 0xaaaa, 997, 1960, HZ + 1);
	CHECK(o.seq == 1003);
	/* a late packet of a (in flight across the change): a new segment. */
	o = map(dp_sub_rewrite(&a), 1, 0xaaaa, 1002, 6920, HZ + 2);
	CHECK(o.seq == 1004 && os.rw_epoch == 1);
	/* dp_rewrite_new_source alone: the next packet rebases. */
	dp_rewrite_new_source(&os.rw);
	o = map(&os.rw, 1, 0xaaaa, 1003, 7880, HZ + 3);
	CHECK(o.seq == 1005);
}

/* PT map: empty map passes through; hit maps; miss is -1. */
static void test_pt_map(void)
{
	struct dp_sub s;

	memset(&s, 0, sizeof(s));
	CHECK(dp_rewrite_pt(&s, 96) == 96 && dp_rewrite_pt(&s, 0) == 0);
	s.n_pt = 2;
	s.pt_map[0][0] = 96;
	s.pt_map[0][1] = 100;
	s.pt_map[1][0] = 111;
	s.pt_map[1][1] = 0;
	CHECK(dp_rewrite_pt(&s, 96) == 100);
	CHECK(dp_rewrite_pt(&s, 111) == 0);
	CHECK(dp_rewrite_pt(&s, 97) == -1);
	CHECK(dp_rewrite_pt(&s, 100) == -1); /* outputs are not inputs */
	s.n_pt = RELAIS_CTL_MAX_PT_MAP;
	for (unsigned i = 0; i < RELAIS_CTL_MAX_PT_MAP; i++) {
		s.pt_map[i][0] = (uint8_t)(20 + i);
		s.pt_map[i][1] = (uint8_t)(120 - i);
	}
	CHECK(dp_rewrite_pt(&s, 20 + RELAIS_CTL_MAX_PT_MAP - 1) == 120 - RELAIS_CTL_MAX_PT_MAP + 1);
}

int main(void)
{
	test_passthrough_and_input_wrap();
	test_switch_continuity();
	test_output_wrap();
	test_reorder();
	test_new_subscription();
	test_pt_map();
	return check_summary("rewrite");
}
