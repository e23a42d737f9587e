/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP side of relais-edge: WHIP (RFC 9725) and WHEP on libmicrohttpd,
 * with bearer tokens (edge_token.h), CORS for browser pages, optional TLS
 * and an optional directory of static pages.
 *
 *   POST    /whip/<room>        application/sdp offer -> 201 + Location + ETag + answer
 *   POST    /whep/<room>        the same, to watch
 *   PATCH   /whip/<room>/<id>   application/trickle-ice-sdpfrag -> 204, or 200 + new
 *                               sdpfrag on an ICE restart
 *   DELETE  /whip/<room>/<id>   -> 200, the session ends
 *   OPTIONS any of these        -> 204 + Accept-Post + CORS (browsers' preflight)
 *   GET     / and /<file>       static pages (when a directory is configured)
 *
 * This layer knows HTTP and tokens only. What a session is (ICE, DTLS, SDP,
 * the room on the control plane) is the business of a backend: a struct of
 * callbacks the edge's main loop implements, and that another signalling
 * front end can drive too.
 *
 * Threads: none. The server is driven from the caller's loop: poll
 * edge_http_fd() for input, wait at most edge_http_timeout_ms(), then call
 * edge_http_run(); the backend's callbacks run inside edge_http_run(). No
 * function may be called from another thread.
 */
#ifndef EDGE_HTTP_H
#define EDGE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "edge_http_ice.h"
#include "edge_token.h"

/* Largest request body (an SDP offer or fragment) and reply body. */
#define EDGE_HTTP_MAX_BODY (64 * 1024)
/* A resource id: 16 random bytes in lower-case hex. */
#define EDGE_HTTP_RESOURCE_ID_LEN 32
/* The backend's refusal text and redirect URL, with their NUL. */
#define EDGE_HTTP_REASON_TEXT_MAX 128
#define EDGE_HTTP_URL_MAX 512

/* Defaults of the limits of struct edge_http_config, used for a 0. */
#define EDGE_HTTP_DEFAULT_MAX_CONNECTIONS 256
#define EDGE_HTTP_DEFAULT_MAX_PER_IP 16
#define EDGE_HTTP_DEFAULT_TIMEOUT_S 10
#define EDGE_HTTP_DEFAULT_MAX_SESSIONS 4096

/*
 * The one list of refusals of the HTTP layer itself (token refusals are
 * edge_token.h's): X(ENUM_SUFFIX, status, "name", "explanation"). The name
 * is the text/plain body sent to the client.
 */
#define EDGE_HTTP_REASONS(X)                                                                  \
	X(NOT_FOUND, 404, "not_found", "no such page, room route or session resource")        \
	X(BAD_PATH, 400, "bad_path", "file name not [A-Za-z0-9._-], or a dot file, or '..'")  \
	X(METHOD_NOT_ALLOWED, 405, "method_not_allowed", "method not served on this path")    \
	X(BAD_CONTENT_TYPE, 415, "bad_content_type",                                          \
	  "POST needs application/sdp, PATCH "                                                \
	  "application/trickle-ice-sdpfrag")                                                  \
	X(BODY_TOO_LARGE, 413, "body_too_large", "request body over 64 KiB")                  \
	X(EMPTY_BODY, 400, "empty_body", "an offer or fragment is required")                  \
	X(ETAG_MISMATCH, 412, "etag_mismatch", "If-Match names another ICE session")          \
	X(TOO_MANY_SESSIONS, 503, "too_many_sessions", "the node holds max_sessions already") \
	X(BACKEND_ERROR, 500, "backend_error", "the backend gave an invalid reply")           \
	X(INTERNAL, 500, "internal", "out of memory or randomness")

#define EDGE_HTTP_ENUM_(sfx, status, name, help) EDGE_HTTP_##sfx,
enum edge_http_reason {
	EDGE_HTTP_REASONS(EDGE_HTTP_ENUM_) EDGE_HTTP_REASON_MAX
};
#undef EDGE_HTTP_ENUM_

/* Short name of a refusal ("not_found"); "unknown" out of range. */
const char *edge_http_reason_name(enum edge_http_reason r);
/* Its HTTP status, 500 out of range. */
unsigned edge_http_reason_status(enum edge_http_reason r);
/* Its one-line explanation, for operators and docs. */
const char *edge_http_reason_help(enum edge_http_reason r);

/* What a session does: WHIP publishes, WHEP watches. */
enum edge_http_kind {
	EDGE_HTTP_PUBLISH,
	EDGE_HTTP_WATCH,
};

/* The session a backend call is about. resource_id is NUL-terminated, made
 * by this layer (unguessable) when the offer arrives, and names the session
 * in every later call. */
struct edge_http_session {
	enum edge_http_kind kind;
	uint32_t room;
	uint32_t participant;
	const char *resource_id;
};

/*
 * A backend's reply, zeroed by this layer before each call, with body
 * pointing to a buffer of body_cap (EDGE_HTTP_MAX_BODY) bytes:
 *   offer: status 201 + the answer SDP in body/body_len; or 307 + location
 *          (the owner node's full WHIP/WHEP URL); or 4xx/5xx + reason.
 *   patch: status 204 (candidates taken, or ignored by ICE-lite); or 200 +
 *          the new sdpfrag in body (ICE restart); or 4xx/5xx + reason.
 * reason is short text for the client: never a secret.
 */
struct edge_http_reply {
	unsigned status;
	char *body;
	size_t body_cap;
	size_t body_len;
	char location[EDGE_HTTP_URL_MAX];
	char reason[EDGE_HTTP_REASON_TEXT_MAX];
};

/*
 * The session side, implemented by the edge's main loop. Called only from
 * edge_http_run(), after the token was verified and authorized.
 *   offer: a new session; sdp is NUL-terminated (sdp_len bytes without it).
 *          Only a 201 creates the session on this layer's side.
 *   patch: a trickle-ICE or ICE-restart fragment for a session, NUL-terminated.
 *   end:   the client left (DELETE); the session is forgotten here already.
 * A callback may call edge_http_forget() (a patch that ends its session is
 * then answered 404 unless the backend replied 4xx/5xx itself).
 */
struct edge_http_backend {
	void *ctx;
	void (*offer)(void *ctx, const struct edge_http_session *s,
		      const struct edge_token_claims *claims, const char *sdp, size_t sdp_len,
		      struct edge_http_reply *out);
	void (*patch)(void *ctx, const struct edge_http_session *s, const char *frag,
		      size_t frag_len, struct edge_http_reply *out);
	void (*end)(void *ctx, const struct edge_http_session *s);
};

/*
 * Configuration, read by edge_http_new() (strings and the secret are
 * copied; the backend must outlive the server). A 0 limit takes its default.
 */
struct edge_http_config {
	const char *listen_addr;   /* IPv4 or IPv6 literal; NULL: "::" (v4 and v6) */
	uint16_t port;             /* 0: a free port, see edge_http_port() */
	const char *tls_cert_file; /* PEM; with tls_key_file: HTTPS, else HTTP */
	const char *tls_key_file;
	const char *cors_origin; /* Access-Control-Allow-Origin; NULL: "*" */
	const char *static_dir;  /* pages served at / and /<file>; NULL: none */
	/* TURN/STUN servers given to clients as Link headers (edge_http_ice.h) */
	struct edge_http_ice_servers ice;
	struct edge_token_params token;
	unsigned max_connections; /* at once, all clients */
	unsigned max_per_ip;      /* at once, from one address */
	unsigned timeout_s;       /* an idle connection is closed after this */
	unsigned max_sessions;    /* WHIP/WHEP resources alive at once */
	const struct edge_http_backend *backend;
};

/* Counters of refusals, by reason of each list. */
struct edge_http_stats {
	uint64_t token[EDGE_TOKEN_REASON_MAX]; /* [OK]: tokens verified (then maybe refused 403) */
	uint64_t http[EDGE_HTTP_REASON_MAX];
	uint64_t sessions; /* alive now */
};

struct edge_http;

/* Start a server: the listening socket is bound when this returns. NULL
 * with errno on failure: EINVAL (bad address, secret, half a TLS pair,
 * missing backend callback), ENOENT/EACCES (a file), EADDRINUSE,
 * ENOTSUP (libmicrohttpd without epoll or TLS), EIO (libmicrohttpd refused
 * to start, e.g. a bad certificate). */
struct edge_http *edge_http_new(const struct edge_http_config *cfg);

/* Stop the server, close every connection and free it; sessions are not
 * ended (the backend owns them). NULL is a no-op. */
void edge_http_free(struct edge_http *h);

/* The file descriptor to poll for POLLIN (an epoll set of the server's
 * sockets): when readable, call edge_http_run(). */
int edge_http_fd(const struct edge_http *h);

/* Milliseconds until edge_http_run() is due even without input; -1: no
 * deadline. */
int edge_http_timeout_ms(struct edge_http *h);

/* Serve what is ready: accept, read, call the backend, write. 0, or -EIO
 * when libmicrohttpd fails. */
int edge_http_run(struct edge_http *h);

/* The TCP port the server listens on. */
uint16_t edge_http_port(const struct edge_http *h);

/* Forget a session the backend ended on its own (ICE or DTLS timeout): its
 * resource answers 404 from now on. 0, or -ENOENT. */
int edge_http_forget(struct edge_http *h, const char *resource_id);

/* Copy the counters into *out. */
void edge_http_get_stats(const struct edge_http *h, struct edge_http_stats *out);

#endif /* EDGE_HTTP_H */
