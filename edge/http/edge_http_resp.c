/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Responses of edge/http: the headers every answer carries (CORS, no
 * caching of API answers), refusals with their named reason as a text/plain
 * body, the bearer-token challenges of RFC 6750 §3, and the 204 answer to
 * OPTIONS, which is the CORS preflight of browsers (Fetch standard).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "edge_http_priv.h"

#define NAME_(sfx, status, name, help) name,
#define STATUS_(sfx, status, name, help) status,
#define HELP_(sfx, status, name, help) help,
static const char *const reason_names[] = {EDGE_HTTP_REASONS(NAME_)};
static const unsigned reason_status[] = {EDGE_HTTP_REASONS(STATUS_)};
static const char *const reason_help[] = {EDGE_HTTP_REASONS(HELP_)};
#undef NAME_
#undef STATUS_
#undef HELP_

#define EXPOSED "Location, ETag, Link, Accept-Patch, Accept-Post"
#define ALLOWED_HEADERS "Authorization, Content-Type, If-Match"

const char *edge_http_reason_name(enum edge_http_reason r)
{
	return (unsigned)r < EDGE_HTTP_REASON_MAX ? reason_names[r] : "unknown";
}

unsigned edge_http_reason_status(enum edge_http_reason r)
{
	return (unsigned)r < EDGE_HTTP_REASON_MAX ? reason_status[r] : 500;
}

const char *edge_http_reason_help(enum edge_http_reason r)
{
	return (unsigned)r < EDGE_HTTP_REASON_MAX ? reason_help[r] : "unknown reason";
}

/* Add a header to resp; returns 0 or -1. */
static int add(struct MHD_Response *resp, const char *name, const char *value)
{
	return MHD_add_response_header(resp, name, value) == MHD_YES ? 0 : -1;
}

int edge_http_add_common(const struct edge_http *h, struct MHD_Response *resp)
{
	int r = add(resp, "Access-Control-Allow-Origin", h->cors_origin);

	r |= add(resp, "Access-Control-Expose-Headers", EXPOSED);
	if (strcmp(h->cors_origin, "*") != 0)
		r |= add(resp, "Vary", "Origin");
	return r;
}

enum MHD_Result edge_http_respond(struct edge_http *h, struct MHD_Connection *c, unsigned status,
				  const char *ctype, const char *body, size_t len,
				  const char *const *headers)
{
	struct MHD_Response *resp;
	enum MHD_Result ret = MHD_NO;
	int bad;

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)(body ? body : ""),
					       MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	bad = edge_http_add_common(h, resp);
	bad |= add(resp, "Cache-Control", "no-store"); /* sessions, never cached */
	if (ctype != NULL)
		bad |= add(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i += 2)
		bad |= add(resp, headers[i], headers[i + 1]);
	if (!bad)
		ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result edge_http_respond_text(struct edge_http *h, struct MHD_Connection *c,
				       unsigned status, const char *name,
				       const char *const *headers)
{
	char text[EDGE_HTTP_REASON_TEXT_MAX + 1];
	int n = snprintf(text, sizeof(text), "%s\n", name);

	if (n < 0 || (size_t)n >= sizeof(text))
		n = 0;
	return edge_http_respond(h, c, status, "text/plain; charset=utf-8", text, (size_t)n,
				 headers);
}

/* The methods a target serves, for Allow and the CORS preflight. */
static const char *methods_of(enum edge_http_target t)
{
	return t == EDGE_HTTP_T_ROOM       ? "POST, OPTIONS"
	       : t == EDGE_HTTP_T_RESOURCE ? "PATCH, DELETE, OPTIONS"
					   : "GET, HEAD, OPTIONS";
}

enum MHD_Result edge_http_refuse(struct edge_http *h, struct MHD_Connection *c,
				 enum edge_http_reason r)
{
	if ((unsigned)r >= EDGE_HTTP_REASON_MAX)
		r = EDGE_HTTP_INTERNAL;
	h->stats.http[r]++;
	return edge_http_respond_text(h, c, reason_status[r], reason_names[r], NULL);
}

enum MHD_Result edge_http_refuse_method(struct edge_http *h, struct MHD_Connection *c,
					enum edge_http_target t)
{
	const char *headers[] = {"Allow", methods_of(t), NULL};

	h->stats.http[EDGE_HTTP_METHOD_NOT_ALLOWED]++;
	return edge_http_respond_text(h, c, reason_status[EDGE_HTTP_METHOD_NOT_ALLOWED],
				      reason_names[EDGE_HTTP_METHOD_NOT_ALLOWED], headers);
}

enum MHD_Result edge_http_refuse_token(struct edge_http *h, struct MHD_Connection *c,
				       enum edge_token_reason r)
{
	const char *name = edge_token_reason_name(r);
	char challenge[160];
	const char *headers[] = {MHD_HTTP_HEADER_WWW_AUTHENTICATE, challenge, NULL};
	bool forbidden = r >= EDGE_TOKEN_NO_ROOM_JOIN;

	/* RFC 6750 §3.1: no error code when the request had no token. */
	if (r == EDGE_TOKEN_MISSING)
		snprintf(challenge, sizeof(challenge), "Bearer realm=\"relais\"");
	else
		snprintf(challenge, sizeof(challenge),
			 "Bearer realm=\"relais\", error=\"%s\", error_description=\"%s\"",
			 forbidden ? "insufficient_scope" : "invalid_token", name);
	return edge_http_respond_text(h, c, forbidden ? MHD_HTTP_FORBIDDEN : MHD_HTTP_UNAUTHORIZED,
				      name, headers);
}

enum MHD_Result edge_http_options(struct edge_http *h, struct MHD_Connection *c,
				  enum edge_http_target t, const char *const *extra)
{
	const char *methods = methods_of(t);
	const char *headers[11 + 2 * EDGE_HTTP_ICE_MAX_URLS] = {
	    "Allow",
	    methods,
	    "Access-Control-Allow-Methods",
	    methods,
	    "Access-Control-Allow-Headers",
	    ALLOWED_HEADERS,
	    "Access-Control-Max-Age",
	    "600",
	    t == EDGE_HTTP_T_RESOURCE ? "Accept-Patch" : "Accept-Post",
	    t == EDGE_HTTP_T_RESOURCE ? "application/trickle-ice-sdpfrag" : "application/sdp",
	    NULL};
	size_t n = t == EDGE_HTTP_T_PAGE ? 8 : 10; /* pages take no uploads */

	for (size_t i = 0; extra && extra[i] && n + 1 < sizeof(headers) / sizeof(headers[0]); i++)
		headers[n++] = extra[i];
	headers[n] = NULL;
	return edge_http_respond(h, c, MHD_HTTP_NO_CONTENT, NULL, NULL, 0, headers);
}

/* See edge_http_priv.h. */
unsigned edge_http_ice_headers(const struct edge_http *h, uint32_t participant,
			       char links[][EDGE_HTTP_ICE_LINK_MAX], const char **pairs)
{
	unsigned n = 0;
	time_t now = time(NULL);

	for (unsigned i = 0; i < h->ice.n_urls; i++) {
		if (edge_http_ice_link(&h->ice, i, participant, now, links[n]) < 0)
			continue;
		pairs[2 * n] = "Link";
		pairs[2 * n + 1] = links[n];
		n++;
	}
	pairs[2 * n] = NULL;
	return n;
}
