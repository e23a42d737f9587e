/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bearer tokens of relais-edge: an HS256 JWT (RFC 7519, RFC 7518 §3.2)
 * signed by the application backend with a secret it shares with every
 * node, with claims in LiveKit's access-token layout:
 *
 *   { "sub": "4201",                      participant id, decimal uint32
 *     "exp": 1767225600, "nbf": ...,      NumericDate, exp required
 *     "video": { "room": "42",            room id, decimal uint32 (a string)
 *                "roomJoin": true, "canPublish": true, "canSubscribe": false } }
 *
 * Verification (edge_token_verify) proves the token is ours and current;
 * authorization (edge_token_authorize) checks it for one room and right.
 * Every refusal has a reason from the one list below; the token and the
 * secret are never logged or copied anywhere but the caller's buffers.
 *
 * Differences from LiveKit: an absent right is no right (LiveKit reads an
 * absent canPublish/canSubscribe as true); ids are decimal numbers.
 */
#ifndef EDGE_TOKEN_H
#define EDGE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest token accepted (header + claims + signature, base64url). */
#define EDGE_TOKEN_MAX_LEN 4096
/* Shortest shared secret: the size of the HMAC output (RFC 7518 §3.2). */
#define EDGE_TOKEN_MIN_SECRET 32
/* Longest shared secret read from the operator's file. */
#define EDGE_TOKEN_MAX_SECRET 1024

/*
 * The one list of token outcomes: X(ENUM_SUFFIX, "name", "explanation").
 * The names are sent to clients (HTTP 401/403 bodies), so they say what is
 * wrong and never echo the token. Verification reasons come before
 * NO_ROOM_JOIN; NO_ROOM_JOIN and after are authorization reasons.
 */
#define EDGE_TOKEN_REASONS(X)                                                              \
	X(OK, "ok", "token valid")                                                         \
	X(MISSING, "missing", "no bearer token in the request")                            \
	X(MALFORMED, "malformed", "not a JWT: three base64url parts of JSON, or too long") \
	X(ALG_NOT_ALLOWED, "alg_not_allowed", "header alg is not HS256")                   \
	X(BAD_SIGNATURE, "bad_signature", "signature does not match the shared secret")    \
	X(BAD_CLAIMS, "bad_claims", "claims not a JSON object of the expected types")      \
	X(NO_EXPIRY, "no_expiry", "no exp claim (an expiry is required)")                  \
	X(EXPIRED, "expired", "exp is past (beyond the leeway)")                           \
	X(NOT_YET_VALID, "not_yet_valid", "nbf is in the future (beyond the leeway)")      \
	X(BAD_PARTICIPANT, "bad_participant", "sub is not a decimal participant id")       \
	X(NO_ROOM, "no_room", "video.room is absent or not a decimal room id")             \
	X(NO_ROOM_JOIN, "no_room_join", "video.roomJoin is not true")                      \
	X(WRONG_ROOM, "wrong_room", "the token is for another room")                       \
	X(NO_PUBLISH, "no_publish", "video.canPublish is not true")                        \
	X(NO_SUBSCRIBE, "no_subscribe", "video.canSubscribe is not true")                  \
	X(WRONG_PARTICIPANT, "wrong_participant", "the resource belongs to another participant")

#define EDGE_TOKEN_ENUM_(sfx, name, help) EDGE_TOKEN_##sfx,
enum edge_token_reason {
	EDGE_TOKEN_REASONS(EDGE_TOKEN_ENUM_) EDGE_TOKEN_REASON_MAX
};
#undef EDGE_TOKEN_ENUM_

/* What a request asks to do in a room. */
enum edge_token_right {
	EDGE_TOKEN_RIGHT_JOIN,      /* be in the room (leave, ICE patches) */
	EDGE_TOKEN_RIGHT_PUBLISH,   /* send media (WHIP) */
	EDGE_TOKEN_RIGHT_SUBSCRIBE, /* receive media (WHEP) */
};

/* How tokens are checked. The secret is bytes (the caller reads it from
 * the operator's file), at least EDGE_TOKEN_MIN_SECRET long; leeway_s is
 * the clock skew tolerated on exp and nbf. */
struct edge_token_params {
	const uint8_t *secret;
	size_t secret_len;
	unsigned leeway_s;
};

/* The claims of a verified token. nbf is 0 when the token has none. */
struct edge_token_claims {
	uint32_t participant;
	uint32_t room;
	bool room_join;
	bool can_publish;
	bool can_subscribe;
	int64_t exp;
	int64_t nbf;
};

/* Short name of a reason ("expired"); "unknown" out of range. */
const char *edge_token_reason_name(enum edge_token_reason r);

/* One-line explanation of a reason, for operators and docs. */
const char *edge_token_reason_help(enum edge_token_reason r);

/*
 * Verify token (len bytes, not necessarily NUL-terminated) at time now
 * (Unix seconds): well-formed, alg exactly HS256, signature good under
 * p->secret, exp present and now < exp + leeway, now >= nbf - leeway,
 * sub and video.room decimal ids. Fills *out and returns EDGE_TOKEN_OK, or
 * returns the first reason of refusal (*out zeroed). A secret shorter than
 * EDGE_TOKEN_MIN_SECRET verifies nothing (BAD_SIGNATURE).
 */
enum edge_token_reason edge_token_verify(const struct edge_token_params *p, const char *token,
					 size_t len, int64_t now, struct edge_token_claims *out);

/* Whether verified claims c allow right in room: EDGE_TOKEN_OK, or
 * WRONG_ROOM, NO_ROOM_JOIN, NO_PUBLISH or NO_SUBSCRIBE. */
enum edge_token_reason edge_token_authorize(const struct edge_token_claims *c, uint32_t room,
					    enum edge_token_right right);

/* Parse an id as tokens and URLs write it: 1 to 10 decimal digits, no sign,
 * no leading zero, 1..UINT32_MAX. Returns 0 and sets *out, or -EINVAL. */
int edge_parse_id(const char *s, size_t len, uint32_t *out);

#endif /* EDGE_TOKEN_H */
