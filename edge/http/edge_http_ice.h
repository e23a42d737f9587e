/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICE servers for WHIP/WHEP clients (RFC 9725 §4.6): TURN servers sent as
 * Link headers, each with a time-limited credential of the TURN REST API
 * that coturn (--use-auth-secret) and other TURN servers check: username
 * "<expiry unix time>:<participant>", password base64(HMAC-SHA1(secret,
 * username)). Credentials go only to requests that carry a valid token for
 * the room (an authenticated OPTIONS, and the 201 of an offer), so the
 * TURN server never relays for strangers.
 */
#ifndef EDGE_HTTP_ICE_H
#define EDGE_HTTP_ICE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define EDGE_HTTP_ICE_MAX_URLS 4
#define EDGE_HTTP_ICE_URL_MAX 200
#define EDGE_HTTP_ICE_SECRET_MAX 256
/* One Link header value: the URL, the username and the credential. */
#define EDGE_HTTP_ICE_LINK_MAX (EDGE_HTTP_ICE_URL_MAX + 160)

struct edge_http_ice_servers {
	unsigned n_urls; /* 0: no Link headers */
	const char *urls[EDGE_HTTP_ICE_MAX_URLS];
	const uint8_t *secret; /* the TURN server's static-auth-secret */
	size_t secret_len;
	unsigned ttl_s; /* credential lifetime; 0: 3600 */
};

/* 0 when url can be sent in a Link header: scheme stun:, turn: or turns:,
 * at most EDGE_HTTP_ICE_URL_MAX visible ASCII characters, none of <>"
 * or a space; -EINVAL otherwise. */
int edge_http_ice_url_check(const char *url);

/* The Link header value of URL i of s for participant at time now into
 * out (EDGE_HTTP_ICE_LINK_MAX bytes): a stun: URL carries no credential.
 * 0, or -EINVAL (bad index or secret) / -EIO (HMAC failed). */
int edge_http_ice_link(const struct edge_http_ice_servers *s, unsigned i, uint32_t participant,
		       time_t now, char *out);

#endif /* EDGE_HTTP_ICE_H */
