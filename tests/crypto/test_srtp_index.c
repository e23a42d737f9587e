/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dp_srtp_index: RFC 3711 App. A index estimation and the
 * 1024-packet replay window for SRTP and SRTCP, as a receiver sees them.
 */
#include <string.h>

#include "dp_srtp_index.h"
#define CHECK_MAIN
#include "check.h"

/* Receive seq as the pipeline would: estimate, check, and (if accepted)
 * update. Returns the check verdict and stores the index. */
static int rx(struct dp_srtp_rx_state *s, uint16_t seq, uint64_t *index)
{
	uint64_t i = dp_srtp_estimate_index(s, seq);
	int rc = dp_srtp_replay_check(s, i);

	if (rc == 0)
		dp_srtp_replay_update(s, i);
	if (index != NULL)
		*index = i;
	return rc;
}

/* A stream crossing 65535 -> 0 increments the ROC; a late packet from
 * before the wrap is estimated with the previous ROC. */
static void test_wrap_and_reorder(void)
{
	struct dp_srtp_rx_state s;
	uint64_t i;

	memset(&s, 0, sizeof(s));
	CHECK(rx(&s, 65530, &i) == 0 && i == 65530);
	CHECK(rx(&s, 65531, &i) == 0 && i == 65531);
	/* 65532, 65533 get lost for now; 65534, 65535 arrive. */
	CHECK(rx(&s, 65534, &i) == 0);
	CHECK(rx(&s, 65535, &i) == 0 && s.roc == 0);
	CHECK(rx(&s, 0, &i) == 0 && i == 0x10000 && s.roc == 1 && s.s_l == 0);
	CHECK(rx(&s, 1, &i) == 0 && i == 0x10001);
	/* Late packets from ROC 0 after the wrap: estimated as ROC 0. */
	CHECK(dp_srtp_estimate_index(&s, 65532) == 65532);
	CHECK(rx(&s, 65532, &i) == 0 && i == 65532);
	CHECK(rx(&s, 65533, &i) == 0 && i == 65533);
	CHECK(s.roc == 1 && s.s_l == 1); /* late packets do not move the top */
	/* ...and once only. */
	CHECK(rx(&s, 65533, NULL) == -1);
	CHECK(rx(&s, 0, NULL) == -1);
	/* A jump of more than 2^15 ahead is taken as late (App. A picks the
	 * nearest candidate): 40000 after s_l = 1 is ROC 0, and too old. */
	CHECK(dp_srtp_estimate_index(&s, 40000) == 40000);
	CHECK(rx(&s, 40000, NULL) == -2);
	/* Steps under 2^15 walk through ROC 1 to the next wrap, ROC 2. */
	CHECK(rx(&s, 30000, &i) == 0 && i == 0x10000 + 30000);
	CHECK(rx(&s, 60000, &i) == 0 && i == 0x10000 + 60000);
	CHECK(rx(&s, 100, &i) == 0 && i == 0x20000 + 100 && s.roc == 2);
	CHECK(rx(&s, 65000, &i) == 0 && i == 0x10000 + 65000 && s.roc == 2);
}

/* Late packets inside the window are accepted once; duplicates and
 * packets older than the window are rejected with -1 / -2. */
static void test_window(void)
{
	struct dp_srtp_rx_state s;

	memset(&s, 0, sizeof(s));
	for (uint16_t q = 1000; q < 3000; q += 2) /* only even numbers */
		CHECK(rx(&s, q, NULL) == 0);
	/* top = 2998. */
	CHECK(rx(&s, 2998, NULL) == -1);
	CHECK(rx(&s, 2997, NULL) == 0);         /* late, in window */
	CHECK(rx(&s, 2997, NULL) == -1);        /* duplicate */
	CHECK(rx(&s, 2998 - 1023, NULL) == 0);  /* oldest slot of the window (odd) */
	CHECK(rx(&s, 2998 - 1022, NULL) == -1); /* even: seen */
	CHECK(rx(&s, 2998 - 1024, NULL) == -2); /* just out of the window */
	CHECK(rx(&s, 1000, NULL) == -2);
	/* A jump larger than the window forgets everything older. */
	CHECK(rx(&s, 2998 + 5000, NULL) == 0);
	CHECK(rx(&s, 2998 + 5000 - 1, NULL) == 0);
	CHECK(rx(&s, 2998, NULL) == -2);
	/* Check does not modify: a checked but unauthenticated index stays
	 * acceptable (update only after authentication). */
	uint64_t i = dp_srtp_estimate_index(&s, 2998 + 5001);

	CHECK(dp_srtp_replay_check(&s, i) == 0);
	CHECK(dp_srtp_replay_check(&s, i) == 0);
	dp_srtp_replay_update(&s, i);
	CHECK(dp_srtp_replay_check(&s, i) == -1);
}

/* Window shifts by amounts that are and are not multiples of 64 keep the
 * bits of older indices at the right distance. */
static void test_window_shifts(void)
{
	static const unsigned steps[] = {1, 63, 64, 65, 127, 128, 500, 1023};
	struct dp_srtp_rx_state s;

	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		memset(&s, 0, sizeof(s));
		uint16_t base = 10000;

		CHECK(rx(&s, base, NULL) == 0);
		CHECK(rx(&s, (uint16_t)(base + 3), NULL) == 0);
		CHECK(rx(&s, (uint16_t)(base + 3 + steps[k]), NULL) == 0);
		CHECKF(rx(&s, (uint16_t)(base + 3), NULL) == -1, "step %u", steps[k]);
		int want = 3 + steps[k] >= DP_REPLAY_WINDOW ? -2 : -1;

		CHECKF(rx(&s, base, NULL) == want, "step %u", steps[k]);
		if (3 + steps[k] < DP_REPLAY_WINDOW)
			CHECKF(rx(&s, (uint16_t)(base + 1), NULL) == 0, "step %u", steps[k]);
	}
}

/* RFC 3711 App. A at ROC 0: a packet "before" the first one is never taken
 * as far ahead (which would advance the ROC and break the stream). */
static void test_roc_zero_underflow(void)
{
	struct dp_srtp_rx_state s;
	uint64_t i;

	memset(&s, 0, sizeof(s));
	CHECK(rx(&s, 5, NULL) == 0);
	i = dp_srtp_estimate_index(&s, 65534);   /* v = ROC - 1 */
	CHECK(dp_srtp_replay_check(&s, i) == 0); /* 7 behind: inside window */
	dp_srtp_replay_update(&s, i);
	CHECK(s.roc == 0 && s.s_l == 5);
	CHECK(rx(&s, 6, &i) == 0 && i == 6);
	/* A signalled initial ROC is used for the first packet. */
	memset(&s, 0, sizeof(s));
	s.roc = 7;
	CHECK(dp_srtp_estimate_index(&s, 3) == ((uint64_t)7 << 16 | 3));
}

/* SRTCP: explicit 31-bit index, same window. */
static void test_srtcp(void)
{
	struct dp_srtcp_rx_state s;

	memset(&s, 0, sizeof(s));
	CHECK(dp_srtcp_replay_check(&s, 1) == 0);
	dp_srtcp_replay_update(&s, 1);
	CHECK(dp_srtcp_replay_check(&s, 1) == -1);
	for (uint32_t i = 3; i <= 2000; i++) {
		CHECK(dp_srtcp_replay_check(&s, i) == 0);
		dp_srtcp_replay_update(&s, i);
	}
	CHECK(dp_srtcp_replay_check(&s, 2) == -2);
	CHECK(dp_srtcp_replay_check(&s, 2000 - 1023) == -1);
	CHECK(dp_srtcp_replay_check(&s, 2000 - 1024) == -2);
	CHECK(dp_srtcp_replay_check(&s, 2001) == 0);
	/* E flag in bit 31 is ignored. */
	CHECK(dp_srtcp_replay_check(&s, 0x80000000u | 2000) == -1);
	/* Near the top of the 31-bit space. */
	dp_srtcp_replay_update(&s, 0x7ffffff0u);
	CHECK(dp_srtcp_replay_check(&s, 0x7ffffff0u) == -1);
	CHECK(dp_srtcp_replay_check(&s, 0x7fffffefu) == 0);
	CHECK(dp_srtcp_replay_check(&s, 2000) == -2);
}

int main(void)
{
	test_wrap_and_reorder();
	test_window();
	test_window_shifts();
	test_roc_zero_underflow();
	test_srtcp();
	return check_summary("test_srtp_index");
}
