/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private parts of edge/http shared by its files: the server, one request
 * in flight, the table of WHIP/WHEP resources, and the functions each file
 * gives the others. Not installed; edge_http.h is the interface.
 */
#ifndef EDGE_HTTP_PRIV_H
#define EDGE_HTTP_PRIV_H

#include <stdbool.h>

#include <microhttpd.h>

#include "edge_http.h"

/* An ETag: a quoted string of 16 hex digits. */
#define EDGE_HTTP_ETAG_LEN 18
/* Longest static file name. */
#define EDGE_HTTP_NAME_MAX 64

/* One WHIP/WHEP resource (a session as HTTP sees it). */
struct edge_http_resource {
	bool used;
	enum edge_http_kind kind;
	uint32_t room;
	uint32_t participant;
	char id[EDGE_HTTP_RESOURCE_ID_LEN + 1];
	char etag[EDGE_HTTP_ETAG_LEN + 1];
};

struct edge_http {
	struct MHD_Daemon *mhd;
	uint16_t port;
	int static_dirfd; /* -1: no pages */
	char *cors_origin;
	uint8_t secret[EDGE_TOKEN_MAX_SECRET];
	struct edge_token_params token;
	const struct edge_http_backend *backend;
	char *tls_cert; /* PEM texts, alive while the daemon is */
	char *tls_key;
	size_t tls_key_len;
	struct edge_http_resource *res;
	unsigned max_res;
	struct edge_http_stats stats;
	struct edge_http_ice_servers ice; /* pointing into the two copies below */
	char ice_urls[EDGE_HTTP_ICE_MAX_URLS][EDGE_HTTP_ICE_URL_MAX + 1];
	uint8_t ice_secret[EDGE_HTTP_ICE_SECRET_MAX];
	char reply_body[EDGE_HTTP_MAX_BODY];
};

/* What a URL names. */
enum edge_http_target {
	EDGE_HTTP_T_NONE,     /* not ours: 404 */
	EDGE_HTTP_T_BAD_PATH, /* a page name we refuse: 400 */
	EDGE_HTTP_T_ROOM,     /* /whip/<room>, /whep/<room> */
	EDGE_HTTP_T_RESOURCE, /* /whip/<room>/<id>, /whep/<room>/<id> */
	EDGE_HTTP_T_PAGE,     /* / and /<file> */
};

/* One request in flight (libmicrohttpd's per-request pointer). */
struct edge_http_req {
	enum edge_http_target target;
	enum edge_http_kind kind;
	uint32_t room;
	char id[EDGE_HTTP_RESOURCE_ID_LEN + 1];
	char name[EDGE_HTTP_NAME_MAX + 1];
	struct edge_token_claims claims;
	bool answered; /* a response is queued: ignore the rest */
	bool too_big;
	char *body;
	size_t len;
};

/* edge_http_resp.c: every response carries the CORS headers. */

/* Queue a response of status with body (len bytes, copied; NULL for none)
 * of content type ctype (NULL: none) and extra headers, pairs of name and
 * value ending with a NULL name. Returns libmicrohttpd's verdict. */
enum MHD_Result edge_http_respond(struct edge_http *h, struct MHD_Connection *c, unsigned status,
				  const char *ctype, const char *body, size_t len,
				  const char *const *headers);

/* Queue status with the text/plain body "<name>\n" and extra headers. */
enum MHD_Result edge_http_respond_text(struct edge_http *h, struct MHD_Connection *c,
				       unsigned status, const char *name,
				       const char *const *headers);

/* Add the headers every answer carries (CORS) to resp. 0 or -1. */
int edge_http_add_common(const struct edge_http *h, struct MHD_Response *resp);

/* Queue the refusal r (its status, its name as text/plain) and count it. */
enum MHD_Result edge_http_refuse(struct edge_http *h, struct MHD_Connection *c,
				 enum edge_http_reason r);

/* Queue a 405 with the Allow header of target t, and count it. */
enum MHD_Result edge_http_refuse_method(struct edge_http *h, struct MHD_Connection *c,
					enum edge_http_target t);

/* Queue a token refusal: 401 + WWW-Authenticate for a verification reason,
 * 403 for an authorization reason (already counted by the caller). */
enum MHD_Result edge_http_refuse_token(struct edge_http *h, struct MHD_Connection *c,
				       enum edge_token_reason r);

/* Queue the 204 answer to OPTIONS for target t (Allow, Accept-Post or
 * Accept-Patch, and the CORS preflight headers), plus the NULL-terminated
 * name/value pairs of extra (at most EDGE_HTTP_ICE_MAX_URLS pairs; NULL:
 * none). */
enum MHD_Result edge_http_options(struct edge_http *h, struct MHD_Connection *c,
				  enum edge_http_target t, const char *const *extra);

/* The Link headers of the ICE servers for participant into pairs (room for
 * 2 * EDGE_HTTP_ICE_MAX_URLS + 1 pointers, NULL-terminated), their values
 * in links. Returns how many; a link that cannot be made is left out. */
unsigned edge_http_ice_headers(const struct edge_http *h, uint32_t participant,
			       char links[][EDGE_HTTP_ICE_LINK_MAX], const char **pairs);

/* edge_http_whip.c: the WHIP/WHEP routes. */

/* OPTIONS on a room route: the 204 of edge_http_options, with the ICE
 * servers' Link headers (RFC 9725 §4.6) when the request carries a token
 * valid for the room; without a token (a CORS preflight) no Link, and no
 * refusal. */
enum MHD_Result edge_http_whip_options(struct edge_http *h, struct MHD_Connection *c,
				       struct edge_http_req *req);

/* First call of a POST, PATCH or DELETE on a WHIP/WHEP target, headers
 * known: check method, token, rights, resource, content type and length;
 * queue a refusal (req->answered) or return MHD_YES to read the body. */
enum MHD_Result edge_http_whip_begin(struct edge_http *h, struct MHD_Connection *c,
				     const char *method, struct edge_http_req *req);

/* Last call, body read: call the backend and queue its answer. */
enum MHD_Result edge_http_whip_finish(struct edge_http *h, struct MHD_Connection *c,
				      const char *method, struct edge_http_req *req);

/* edge_http_static.c: the pages. */

/* Parse the page part of a URL ("/", "/name") into req (T_PAGE or
 * T_BAD_PATH). */
void edge_http_page_target(const char *url, struct edge_http_req *req);

/* Answer a GET or HEAD of req->name from the pages directory. */
enum MHD_Result edge_http_page(struct edge_http *h, struct MHD_Connection *c,
			       const struct edge_http_req *req);

#endif /* EDGE_HTTP_PRIV_H */
