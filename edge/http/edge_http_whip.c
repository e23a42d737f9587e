/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The WHIP (RFC 9725) and WHEP routes of edge/http: checks of method,
 * bearer token, rights, content type and size before the body is read;
 * then the backend's offer, patch or end, and the answer built from its
 * reply. Also the table of resources: one per session this node answered
 * 201 for, named by an unguessable id, owned by the token's participant.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "edge_http_priv.h"

#define SDP_TYPE "application/sdp"
#define FRAG_TYPE "application/trickle-ice-sdpfrag"

/* Whether the media type of a Content-Type value (before any ';'
 * parameter, spaces trimmed) is want, compared without case. */
static bool media_type_is(const char *value, const char *want)
{
	size_t n = strlen(want);

	if (value == NULL)
		return false;
	while (*value == ' ' || *value == '\t')
		value++;
	if (strncasecmp(value, want, n) != 0)
		return false;
	value += n;
	while (*value == ' ' || *value == '\t')
		value++;
	return *value == '\0' || *value == ';';
}

/* Verify the request's "Authorization: Bearer <token>" into *claims,
 * counting the outcome. */
static enum edge_token_reason bearer(struct edge_http *h, struct MHD_Connection *c,
				     struct edge_token_claims *claims)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	enum edge_token_reason r = EDGE_TOKEN_MISSING;
	size_t len;

	memset(claims, 0, sizeof(*claims));
	if (v != NULL && strncasecmp(v, "Bearer ", 7) == 0) {
		v += 7;
		while (*v == ' ')
			v++;
		len = strlen(v);
		while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		r = edge_token_verify(&h->token, v, len, (int64_t)time(NULL), claims);
	}
	h->stats.token[r]++;
	return r;
}

/* Check claims for right in room (and, when owner is not 0, for being that
 * participant), counting a refusal. */
static enum edge_token_reason authorize(struct edge_http *h, const struct edge_token_claims *claims,
					uint32_t room, enum edge_token_right right, uint32_t owner)
{
	enum edge_token_reason r = edge_token_authorize(claims, room, right);

	if (r == EDGE_TOKEN_OK && owner != 0 && claims->participant != owner)
		r = EDGE_TOKEN_WRONG_PARTICIPANT;
	if (r != EDGE_TOKEN_OK)
		h->stats.token[r]++;
	return r;
}

/* The resource named id, or NULL. */
static struct edge_http_resource *find_res(struct edge_http *h, const char *id)
{
	for (unsigned i = 0; i < h->max_res; i++) {
		struct edge_http_resource *r = &h->res[i];

		if (r->used && CRYPTO_memcmp(r->id, id, EDGE_HTTP_RESOURCE_ID_LEN) == 0)
			return r;
	}
	return NULL;
}

/* Fill out with 2*nbytes lower-case hex digits of fresh randomness and a
 * NUL. Returns 0 or -EIO. */
static int random_hex(char *out, size_t nbytes)
{
	unsigned char b[32];

	if (nbytes > sizeof(b) || RAND_bytes(b, (int)nbytes) != 1)
		return -EIO;
	for (size_t i = 0; i < nbytes; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* A new ETag for r: a quoted string of 16 hex digits. */
static int new_etag(struct edge_http_resource *r)
{
	r->etag[0] = '"';
	if (random_hex(r->etag + 1, 8) != 0)
		return -EIO;
	r->etag[EDGE_HTTP_ETAG_LEN - 1] = '"';
	r->etag[EDGE_HTTP_ETAG_LEN] = '\0';
	return 0;
}

/* Refuse a body announced larger than the limit (when Content-Length is
 * given; a chunked body is counted as it arrives). */
static bool announced_too_big(struct MHD_Connection *c)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

	return v != NULL && strtoull(v, NULL, 10) > EDGE_HTTP_MAX_BODY;
}

/* The checks of the body's headers: content type want, size, in order. */
static enum MHD_Result check_body(struct edge_http *h, struct MHD_Connection *c,
				  struct edge_http_req *req, const char *want)
{
	const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");

	if (!media_type_is(ctype, want)) {
		req->answered = true;
		return edge_http_refuse(h, c, EDGE_HTTP_BAD_CONTENT_TYPE);
	}
	if (announced_too_big(c)) {
		req->answered = true;
		return edge_http_refuse(h, c, EDGE_HTTP_BODY_TOO_LARGE);
	}
	return MHD_YES;
}

/* Headers of POST /whip|whep/<room>: token, right, body. */
static enum MHD_Result begin_offer(struct edge_http *h, struct MHD_Connection *c,
				   struct edge_http_req *req)
{
	enum edge_token_right right =
	    req->kind == EDGE_HTTP_PUBLISH ? EDGE_TOKEN_RIGHT_PUBLISH : EDGE_TOKEN_RIGHT_SUBSCRIBE;
	enum edge_token_reason r = bearer(h, c, &req->claims);

	if (r == EDGE_TOKEN_OK)
		r = authorize(h, &req->claims, req->room, right, 0);
	if (r != EDGE_TOKEN_OK) {
		req->answered = true;
		return edge_http_refuse_token(h, c, r);
	}
	return check_body(h, c, req, SDP_TYPE);
}

/* Whether If-Match, when given, allows a PATCH of r: "*" or r's ETag. */
static bool if_match_ok(struct MHD_Connection *c, const struct edge_http_resource *r)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Match");

	return v == NULL || strcmp(v, "*") == 0 || strcmp(v, r->etag) == 0;
}

/* Headers of PATCH or DELETE of a resource: token, owner, body. */
static enum MHD_Result begin_resource(struct edge_http *h, struct MHD_Connection *c, bool patch,
				      struct edge_http_req *req)
{
	enum edge_token_reason r = bearer(h, c, &req->claims);
	const struct edge_http_resource *res;

	if (r != EDGE_TOKEN_OK) {
		req->answered = true;
		return edge_http_refuse_token(h, c, r);
	}
	res = find_res(h, req->id);
	if (res == NULL || res->kind != req->kind || res->room != req->room) {
		req->answered = true;
		return edge_http_refuse(h, c, EDGE_HTTP_NOT_FOUND);
	}
	r = authorize(h, &req->claims, res->room, EDGE_TOKEN_RIGHT_JOIN, res->participant);
	if (r != EDGE_TOKEN_OK) {
		req->answered = true;
		return edge_http_refuse_token(h, c, r);
	}
	if (!patch)
		return MHD_YES;
	if (!if_match_ok(c, res)) {
		req->answered = true;
		return edge_http_refuse(h, c, EDGE_HTTP_ETAG_MISMATCH);
	}
	return check_body(h, c, req, FRAG_TYPE);
}

enum MHD_Result edge_http_whip_options(struct edge_http *h, struct MHD_Connection *c,
				       struct edge_http_req *req)
{
	char links[EDGE_HTTP_ICE_MAX_URLS][EDGE_HTTP_ICE_LINK_MAX];
	const char *pairs[2 * EDGE_HTTP_ICE_MAX_URLS + 1] = {NULL};

	if (h->ice.n_urls > 0 &&
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization") != NULL &&
	    bearer(h, c, &req->claims) == EDGE_TOKEN_OK &&
	    authorize(h, &req->claims, req->room, EDGE_TOKEN_RIGHT_JOIN, 0) == EDGE_TOKEN_OK)
		edge_http_ice_headers(h, req->claims.participant, links, pairs);
	return edge_http_options(h, c, req->target, pairs);
}

enum MHD_Result edge_http_whip_begin(struct edge_http *h, struct MHD_Connection *c,
				     const char *method, struct edge_http_req *req)
{
	bool room = req->target == EDGE_HTTP_T_ROOM;

	if (room && strcmp(method, MHD_HTTP_METHOD_POST) == 0)
		return begin_offer(h, c, req);
	if (!room && strcmp(method, MHD_HTTP_METHOD_PATCH) == 0)
		return begin_resource(h, c, true, req);
	if (!room && strcmp(method, MHD_HTTP_METHOD_DELETE) == 0)
		return begin_resource(h, c, false, req);
	req->answered = true;
	return edge_http_refuse_method(h, c, req->target);
}

/* Queue the backend's own refusal (4xx/5xx + its reason), or a
 * BACKEND_ERROR when its status is none of those. */
static enum MHD_Result backend_refusal(struct edge_http *h, struct MHD_Connection *c,
				       struct edge_http_reply *out)
{
	if (out->status < 400 || out->status > 599)
		return edge_http_refuse(h, c, EDGE_HTTP_BACKEND_ERROR);
	out->reason[sizeof(out->reason) - 1] = '\0';
	return edge_http_respond_text(h, c, out->status,
				      out->reason[0] != '\0' ? out->reason : "refused", NULL);
}

/* A reply of the backend, with its body buffer. */
static void reply_init(struct edge_http *h, struct edge_http_reply *out)
{
	memset(out, 0, sizeof(*out));
	out->body = h->reply_body;
	out->body_cap = sizeof(h->reply_body);
}

/* Answer a 201 of the backend: the resource is stored, its URL sent. */
static enum MHD_Result created(struct edge_http *h, struct MHD_Connection *c,
			       struct edge_http_resource *slot, const struct edge_http_session *s,
			       const struct edge_http_reply *out)
{
	char location[64], links[EDGE_HTTP_ICE_MAX_URLS][EDGE_HTTP_ICE_LINK_MAX];
	const char *headers[7 + 2 * EDGE_HTTP_ICE_MAX_URLS] = {
	    "Location", location, "ETag", slot->etag, "Accept-Patch", FRAG_TYPE, NULL};

	snprintf(location, sizeof(location), "/%s/%u/%s",
		 s->kind == EDGE_HTTP_PUBLISH ? "whip" : "whep", s->room, s->resource_id);
	slot->used = true;
	slot->kind = s->kind;
	slot->room = s->room;
	slot->participant = s->participant;
	h->stats.sessions++;
	edge_http_ice_headers(h, s->participant, links, headers + 6);
	return edge_http_respond(h, c, MHD_HTTP_CREATED, SDP_TYPE, out->body, out->body_len,
				 headers);
}

/* Whether a redirect URL of the backend can go in a header: NUL-terminated
 * in its buffer, not empty, visible ASCII only (no CR, LF or space). */
static bool location_ok(const char *url, size_t cap)
{
	size_t n = strnlen(url, cap);

	if (n == 0 || n == cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if (url[i] <= ' ' || url[i] > '~')
			return false;
	return true;
}

/* The body of POST: a new session through the backend's offer. */
static enum MHD_Result finish_offer(struct edge_http *h, struct MHD_Connection *c,
				    struct edge_http_req *req)
{
	struct edge_http_resource *slot = NULL;
	struct edge_http_session s;
	struct edge_http_reply out;
	char id[EDGE_HTTP_RESOURCE_ID_LEN + 1];

	for (unsigned i = 0; i < h->max_res && slot == NULL; i++)
		slot = h->res[i].used ? NULL : &h->res[i];
	if (slot == NULL)
		return edge_http_refuse(h, c, EDGE_HTTP_TOO_MANY_SESSIONS);
	if (random_hex(id, EDGE_HTTP_RESOURCE_ID_LEN / 2) != 0 || new_etag(slot) != 0)
		return edge_http_refuse(h, c, EDGE_HTTP_INTERNAL);
	memcpy(slot->id, id, sizeof(id));
	s = (struct edge_http_session){req->kind, req->room, req->claims.participant, id};
	reply_init(h, &out);
	h->backend->offer(h->backend->ctx, &s, &req->claims, req->body, req->len, &out);
	if (out.status == MHD_HTTP_CREATED && out.body_len > 0 && out.body_len <= out.body_cap)
		return created(h, c, slot, &s, &out);
	if (out.status == MHD_HTTP_TEMPORARY_REDIRECT &&
	    location_ok(out.location, sizeof(out.location))) {
		const char *headers[] = {"Location", out.location, NULL};

		return edge_http_respond(h, c, out.status, NULL, NULL, 0, headers);
	}
	return backend_refusal(h, c, &out);
}

/* The body of PATCH: a fragment through the backend's patch. */
static enum MHD_Result finish_patch(struct edge_http *h, struct MHD_Connection *c,
				    struct edge_http_resource *res, struct edge_http_req *req)
{
	struct edge_http_session s = {res->kind, res->room, res->participant, req->id};
	char etag[EDGE_HTTP_ETAG_LEN + 1];
	const char *headers[] = {"ETag", etag, NULL};
	struct edge_http_reply out;

	reply_init(h, &out);
	h->backend->patch(h->backend->ctx, &s, req->body, req->len, &out);
	/* The backend may have ended the session meanwhile (edge_http_forget). */
	if (!res->used && (out.status == MHD_HTTP_NO_CONTENT || out.status == MHD_HTTP_OK))
		return edge_http_refuse(h, c, EDGE_HTTP_NOT_FOUND);
	if (out.status == MHD_HTTP_NO_CONTENT)
		return edge_http_respond(h, c, out.status, NULL, NULL, 0, NULL);
	if (out.status == MHD_HTTP_OK && out.body_len > 0 && out.body_len <= out.body_cap) {
		if (new_etag(res) != 0) /* an ICE restart: a new ICE session */
			return edge_http_refuse(h, c, EDGE_HTTP_INTERNAL);
		memcpy(etag, res->etag, sizeof(etag));
		return edge_http_respond(h, c, out.status, FRAG_TYPE, out.body, out.body_len,
					 headers);
	}
	return backend_refusal(h, c, &out);
}

/* Drop resource r from the table (its session is over). */
static void drop_res(struct edge_http *h, struct edge_http_resource *r)
{
	memset(r, 0, sizeof(*r));
	h->stats.sessions--;
}

enum MHD_Result edge_http_whip_finish(struct edge_http *h, struct MHD_Connection *c,
				      const char *method, struct edge_http_req *req)
{
	struct edge_http_resource *res;
	struct edge_http_session s;

	if (req->too_big)
		return edge_http_refuse(h, c, EDGE_HTTP_BODY_TOO_LARGE);
	if (req->target == EDGE_HTTP_T_ROOM)
		return req->len == 0 ? edge_http_refuse(h, c, EDGE_HTTP_EMPTY_BODY)
				     : finish_offer(h, c, req);
	/* The resource may have ended while the body was read. */
	res = find_res(h, req->id);
	if (res == NULL)
		return edge_http_refuse(h, c, EDGE_HTTP_NOT_FOUND);
	if (strcmp(method, MHD_HTTP_METHOD_PATCH) == 0)
		return req->len == 0 ? edge_http_refuse(h, c, EDGE_HTTP_EMPTY_BODY)
				     : finish_patch(h, c, res, req);
	s = (struct edge_http_session){res->kind, res->room, res->participant, req->id};
	drop_res(h, res);
	h->backend->end(h->backend->ctx, &s);
	return edge_http_respond(h, c, MHD_HTTP_OK, NULL, NULL, 0, NULL);
}

int edge_http_forget(struct edge_http *h, const char *resource_id)
{
	struct edge_http_resource *r;

	if (resource_id == NULL || strlen(resource_id) != EDGE_HTTP_RESOURCE_ID_LEN)
		return -ENOENT;
	r = find_res(h, resource_id);
	if (r == NULL)
		return -ENOENT;
	drop_res(h, r);
	return 0;
}
