/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: edge/sdp on arbitrary offers (an HTTP body from anyone who
 * can reach WHIP/WHEP). edge_sdp_parse(), then edge_sdp_negotiate() in both
 * roles and edge_sdp_write_answer(). Invariants: every reason is one of the
 * list; an accepted section has a mid and a codec; an answer is exactly
 * its length, and edge_sdp_parse() reads it back with the same m-sections
 * (nothing echoed from the offer can break the answer's syntax).
 */
#include <string.h>

#include "../edge/sdp/sdp_test_local.h"
#include "edge_sdp.h"
#include "fuzz_target.h"

static struct edge_sdp_offer offer, back;
static struct edge_sdp_result res;
static char answer[65536];

static struct edge_sdp_local local = SDP_TEST_LOCAL("2001:db8::1");

/* Negotiate for role; when accepted, write the answer and read it back. */
static void answer_as(enum edge_sdp_role role)
{
	enum edge_sdp_reason r = edge_sdp_negotiate(&offer, role, &res);
	size_t len;

	FUZZ_ASSERT((unsigned)r < EDGE_SDP_REASON_MAX);
	if (r != EDGE_SDP_OK)
		return;
	for (unsigned i = 0; i < res.n_media; i++)
		if (res.media[i].accepted)
			FUZZ_ASSERT(res.media[i].mid[0] != '\0' && res.media[i].n_chosen > 0);
	r = edge_sdp_write_answer(&offer, &res, &local, answer, sizeof(answer), &len);
	FUZZ_ASSERT(r == EDGE_SDP_OK);
	FUZZ_ASSERT(len == strlen(answer));
	FUZZ_ASSERT(edge_sdp_parse((const uint8_t *)answer, len, &back) == EDGE_SDP_OK);
	FUZZ_ASSERT(back.n_media == offer.n_media);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* What a WHEP answer announces on its first two m-sections. */
	local.send[0] =
	    (struct edge_sdp_send){.ssrc = 1, .rtx_ssrc = 2, .cname = "c", .track_id = "t"};
	local.send[1] =
	    (struct edge_sdp_send){.ssrc = 3, .cname = "c", .stream_id = "s", .track_id = "u"};
	enum edge_sdp_reason r = edge_sdp_parse(data, size, &offer);
	char why[256];

	FUZZ_ASSERT((unsigned)r < EDGE_SDP_REASON_MAX);
	edge_sdp_describe(r, offer.error_line, why, sizeof(why));
	if (r != EDGE_SDP_OK)
		return 0;
	answer_as(EDGE_SDP_ROLE_PUBLISH);
	answer_as(EDGE_SDP_ROLE_SUBSCRIBE);
	return 0;
}
