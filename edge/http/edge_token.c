/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verification of the bearer tokens of relais-edge (edge_token.h): the
 * HS256 signature by libjwt, the claims read with strict types by jansson
 * (libjwt's own JSON library: its typed getters cannot tell a missing claim
 * from one of the wrong type).
 *
 * libjwt 1.10 verifies whatever algorithm the token's header names and,
 * given no key, verifies nothing. So the header is read first without a
 * key, only to refuse any alg but HS256 with its own reason; then the token
 * is decoded again with the secret, and only that decoding's claims are used.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <jwt.h>
#include <openssl/crypto.h>

#include "edge_token.h"

#define NAME_(sfx, name, help) name,
#define HELP_(sfx, name, help) help,
static const char *const reason_names[] = {EDGE_TOKEN_REASONS(NAME_)};
static const char *const reason_help[] = {EDGE_TOKEN_REASONS(HELP_)};
#undef NAME_
#undef HELP_

const char *edge_token_reason_name(enum edge_token_reason r)
{
	return (unsigned)r < EDGE_TOKEN_REASON_MAX ? reason_names[r] : "unknown";
}

const char *edge_token_reason_help(enum edge_token_reason r)
{
	return (unsigned)r < EDGE_TOKEN_REASON_MAX ? reason_help[r] : "unknown reason";
}

int edge_parse_id(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10 || s[0] == '0')
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Whether token has the shape of a JWS compact serialisation: base64url
 * characters and exactly two dots, header and claims non-empty. */
static bool jws_shaped(const char *token, size_t len)
{
	size_t dots = 0, part = 0;

	for (size_t i = 0; i < len; i++) {
		char c = token[i];

		if (c == '.') {
			if (part == 0)
				return false;
			dots++;
			part = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
		if (dots < 2)
			part++;
	}
	return dots == 2;
}

/* Read the header of text (NUL-terminated, JWS-shaped) without verifying:
 * MALFORMED, ALG_NOT_ALLOWED, or OK when alg is exactly "HS256" and typ,
 * if present, is "JWT". */
static enum edge_token_reason check_header(const char *text)
{
	enum edge_token_reason r = EDGE_TOKEN_OK;
	const char *alg, *typ;
	jwt_t *jwt = NULL;

	if (jwt_decode(&jwt, text, NULL, 0) != 0 || jwt == NULL)
		return EDGE_TOKEN_MALFORMED;
	alg = jwt_get_header(jwt, "alg");
	typ = jwt_get_header(jwt, "typ");
	if (alg != NULL && strcmp(alg, "HS256") != 0)
		r = EDGE_TOKEN_ALG_NOT_ALLOWED;
	else if (alg == NULL || (typ != NULL && strcmp(typ, "JWT") != 0))
		r = EDGE_TOKEN_MALFORMED;
	jwt_free(jwt);
	return r;
}

/* Read an optional boolean member of obj into *out (absent: false).
 * Returns -1 when it is present but not a boolean. */
static int get_bool(json_t *obj, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);

	*out = false;
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 0;
}

/* Check the times of the claims object at now: NO_EXPIRY, BAD_CLAIMS,
 * EXPIRED, NOT_YET_VALID or OK; sets c->exp and c->nbf. */
static enum edge_token_reason check_times(json_t *claims, int64_t now, unsigned leeway,
					  struct edge_token_claims *c)
{
	json_t *exp = json_object_get(claims, "exp"), *nbf = json_object_get(claims, "nbf");

	if (exp == NULL)
		return EDGE_TOKEN_NO_EXPIRY;
	if (!json_is_integer(exp) || (nbf != NULL && !json_is_integer(nbf)))
		return EDGE_TOKEN_BAD_CLAIMS;
	c->exp = json_integer_value(exp);
	c->nbf = nbf != NULL ? json_integer_value(nbf) : 0;
	/* RFC 7519 §4.1.4: not accepted on or after exp. now is the caller's
	 * clock, so now -/+ leeway cannot overflow where the claims could. */
	if (now - (int64_t)leeway >= c->exp)
		return EDGE_TOKEN_EXPIRED;
	if (nbf != NULL && now + (int64_t)leeway < c->nbf)
		return EDGE_TOKEN_NOT_YET_VALID;
	return EDGE_TOKEN_OK;
}

/* Read a string member of obj holding a decimal id into *out. */
static int get_id(json_t *obj, const char *key, uint32_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		return -EINVAL;
	return edge_parse_id(json_string_value(v), json_string_length(v), out);
}

/* Read the claims object of a verified token into *c. */
static enum edge_token_reason read_claims(json_t *claims, int64_t now, unsigned leeway,
					  struct edge_token_claims *c)
{
	enum edge_token_reason r;
	json_t *video;

	if (!json_is_object(claims))
		return EDGE_TOKEN_BAD_CLAIMS;
	r = check_times(claims, now, leeway, c);
	if (r != EDGE_TOKEN_OK)
		return r;
	if (get_id(claims, "sub", &c->participant) != 0)
		return EDGE_TOKEN_BAD_PARTICIPANT;
	video = json_object_get(claims, "video");
	if (video != NULL && !json_is_object(video))
		return EDGE_TOKEN_BAD_CLAIMS;
	if (video == NULL || get_id(video, "room", &c->room) != 0)
		return EDGE_TOKEN_NO_ROOM;
	if (get_bool(video, "roomJoin", &c->room_join) != 0 ||
	    get_bool(video, "canPublish", &c->can_publish) != 0 ||
	    get_bool(video, "canSubscribe", &c->can_subscribe) != 0)
		return EDGE_TOKEN_BAD_CLAIMS;
	return EDGE_TOKEN_OK;
}

/* Verify the signature of text (NUL-terminated, header checked) under the
 * secret, then read its claims. */
static enum edge_token_reason verify_text(const struct edge_token_params *p, const char *text,
					  int64_t now, struct edge_token_claims *c)
{
	enum edge_token_reason r = EDGE_TOKEN_BAD_CLAIMS;
	jwt_t *jwt = NULL;
	json_t *claims;
	char *grants;

	if (jwt_decode(&jwt, text, p->secret, (int)p->secret_len) != 0 || jwt == NULL)
		return EDGE_TOKEN_BAD_SIGNATURE;
	if (jwt_get_alg(jwt) != JWT_ALG_HS256) { /* defence in depth */
		jwt_free(jwt);
		return EDGE_TOKEN_ALG_NOT_ALLOWED;
	}
	grants = jwt_get_grants_json(jwt, NULL);
	jwt_free(jwt);
	if (grants == NULL)
		return EDGE_TOKEN_BAD_CLAIMS;
	claims = json_loads(grants, JSON_REJECT_DUPLICATES, NULL);
	free(grants);
	if (claims != NULL) {
		r = read_claims(claims, now, p->leeway_s, c);
		json_decref(claims);
	}
	return r;
}

enum edge_token_reason edge_token_verify(const struct edge_token_params *p, const char *token,
					 size_t len, int64_t now, struct edge_token_claims *out)
{
	char text[EDGE_TOKEN_MAX_LEN + 1];
	enum edge_token_reason r;

	memset(out, 0, sizeof(*out));
	if (token == NULL || len == 0)
		return EDGE_TOKEN_MISSING;
	if (len > EDGE_TOKEN_MAX_LEN || !jws_shaped(token, len))
		return EDGE_TOKEN_MALFORMED;
	memcpy(text, token, len);
	text[len] = '\0';
	r = check_header(text);
	if (r == EDGE_TOKEN_OK) {
		if (p->secret == NULL || p->secret_len < EDGE_TOKEN_MIN_SECRET ||
		    p->secret_len > EDGE_TOKEN_MAX_SECRET)
			r = EDGE_TOKEN_BAD_SIGNATURE;
		else
			r = verify_text(p, text, now, out);
	}
	OPENSSL_cleanse(text, len);
	if (r != EDGE_TOKEN_OK)
		memset(out, 0, sizeof(*out));
	return r;
}

enum edge_token_reason edge_token_authorize(const struct edge_token_claims *c, uint32_t room,
					    enum edge_token_right right)
{
	if (c->room != room)
		return EDGE_TOKEN_WRONG_ROOM;
	if (!c->room_join)
		return EDGE_TOKEN_NO_ROOM_JOIN;
	if (right == EDGE_TOKEN_RIGHT_PUBLISH && !c->can_publish)
		return EDGE_TOKEN_NO_PUBLISH;
	if (right == EDGE_TOKEN_RIGHT_SUBSCRIBE && !c->can_subscribe)
		return EDGE_TOKEN_NO_SUBSCRIBE;
	return EDGE_TOKEN_OK;
}
