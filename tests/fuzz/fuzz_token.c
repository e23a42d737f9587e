/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: bearer-token verification of relais-edge (edge/http/
 * edge_token.h), the first thing an HTTP request's untrusted bytes reach.
 * The seeds (corpus/token, make_corpus.py) are HS256 tokens signed with
 * FUZZ_SECRET: valid ones, and each kind of refusal. Invariants: the
 * reason is a named one; a refusal leaves the claims zeroed; an accepted
 * token has ids in range and times that hold at FUZZ_NOW; authorization
 * returns OK or one of its own reasons.
 */
#include <string.h>

#include "edge_token.h"
#include "fuzz_target.h"

#define FUZZ_SECRET "relais-fuzz-token-secret-0123456789abcdef"
#define FUZZ_NOW 1767225600 /* 2026-01-01, the seeds' clock */
#define FUZZ_LEEWAY 30

/* Whether r is OK or an authorization reason. */
static int authz_reason(enum edge_token_reason r)
{
	return r == EDGE_TOKEN_OK || r == EDGE_TOKEN_WRONG_ROOM || r == EDGE_TOKEN_NO_ROOM_JOIN ||
	       r == EDGE_TOKEN_NO_PUBLISH || r == EDGE_TOKEN_NO_SUBSCRIBE;
}

/* Whether every claim is zero (what a refusal leaves). */
static int claims_zero(const struct edge_token_claims *c)
{
	return c->participant == 0 && c->room == 0 && !c->room_join && !c->can_publish &&
	       !c->can_subscribe && c->exp == 0 && c->nbf == 0;
}

/* The checks of an accepted token's claims. */
static void accepted(const struct edge_token_claims *c)
{
	FUZZ_ASSERT(c->participant != 0 && c->room != 0);
	FUZZ_ASSERT(FUZZ_NOW - FUZZ_LEEWAY < c->exp);
	FUZZ_ASSERT(c->nbf <= FUZZ_NOW + FUZZ_LEEWAY);
	for (int right = EDGE_TOKEN_RIGHT_JOIN; right <= EDGE_TOKEN_RIGHT_SUBSCRIBE; right++) {
		FUZZ_ASSERT(authz_reason(edge_token_authorize(c, c->room, right)));
		FUZZ_ASSERT(edge_token_authorize(c, c->room + 1, right) == EDGE_TOKEN_WRONG_ROOM);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct edge_token_params p = {(const uint8_t *)FUZZ_SECRET,
						   sizeof(FUZZ_SECRET) - 1, FUZZ_LEEWAY};
	struct edge_token_claims c;
	enum edge_token_reason r;
	uint32_t id;

	r = edge_token_verify(&p, (const char *)data, size, FUZZ_NOW, &c);
	FUZZ_ASSERT((unsigned)r < EDGE_TOKEN_REASON_MAX);
	FUZZ_ASSERT(strcmp(edge_token_reason_name(r), "unknown") != 0);
	FUZZ_ASSERT(r < EDGE_TOKEN_NO_ROOM_JOIN); /* verification never authorizes */
	if (r == EDGE_TOKEN_OK)
		accepted(&c);
	else
		FUZZ_ASSERT(claims_zero(&c));
	if (edge_parse_id((const char *)data, size, &id) == 0)
		FUZZ_ASSERT(id != 0 && size <= 10 && data[0] != '0');
	return 0;
}
