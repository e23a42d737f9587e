/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server of edge/http: libmicrohttpd in "external epoll" mode (no
 * thread of its own; the caller polls its epoll fd and calls MHD_run), the
 * listening socket made here (any IPv4/IPv6 literal, port 0 for a free
 * one), TLS from PEM files, connection limits and timeouts, and the
 * dispatch of each request by its target: WHIP/WHEP (edge_http_whip.c),
 * pages (edge_http_static.c), OPTIONS, or a refusal.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "edge_http_priv.h"

/* Largest PEM file read (certificate chain or key). */
#define PEM_MAX_SIZE (1u << 20)

/* Whether s is n lower-case hex digits then the end. */
static bool is_hex_id(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

/* Parse url into req's target: /whip|/whep/<room>[/<id>] (anything else
 * under /whip or /whep is NONE), else a page when pages are served, else
 * NONE. */
static void parse_target(const struct edge_http *h, const char *url, struct edge_http_req *req)
{
	const char *p, *slash;

	req->target = EDGE_HTTP_T_NONE;
	if ((strncmp(url, "/whip", 5) == 0 || strncmp(url, "/whep", 5) == 0) &&
	    (url[5] == '/' || url[5] == '\0')) {
		req->kind = url[3] == 'i' ? EDGE_HTTP_PUBLISH : EDGE_HTTP_WATCH;
		p = url[5] == '/' ? url + 6 : url + 5;
		slash = strchr(p, '/');
		if (edge_parse_id(p, slash ? (size_t)(slash - p) : strlen(p), &req->room) != 0)
			return;
		if (slash == NULL) {
			req->target = EDGE_HTTP_T_ROOM;
		} else if (is_hex_id(slash + 1, EDGE_HTTP_RESOURCE_ID_LEN)) {
			memcpy(req->id, slash + 1, EDGE_HTTP_RESOURCE_ID_LEN + 1);
			req->target = EDGE_HTTP_T_RESOURCE;
		}
		return;
	}
	if (h->static_dirfd >= 0)
		edge_http_page_target(url, req);
}

/* First call of a request (headers read): route it; queue the answer of
 * everything that has no body to read. */
static enum MHD_Result begin(struct edge_http *h, struct MHD_Connection *c, const char *url,
			     const char *method, struct edge_http_req *req)
{
	bool get =
	    strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;

	parse_target(h, url, req);
	if (req->target == EDGE_HTTP_T_ROOM || req->target == EDGE_HTTP_T_RESOURCE) {
		if (strcmp(method, MHD_HTTP_METHOD_OPTIONS) != 0)
			return edge_http_whip_begin(h, c, method, req);
	}
	req->answered = true;
	if (req->target == EDGE_HTTP_T_NONE)
		return edge_http_refuse(h, c, EDGE_HTTP_NOT_FOUND);
	if (req->target == EDGE_HTTP_T_BAD_PATH)
		return edge_http_refuse(h, c, EDGE_HTTP_BAD_PATH);
	if (strcmp(method, MHD_HTTP_METHOD_OPTIONS) == 0)
		return req->target == EDGE_HTTP_T_ROOM ? edge_http_whip_options(h, c, req)
						       : edge_http_options(h, c, req->target, NULL);
	if (get)
		return edge_http_page(h, c, req);
	return edge_http_refuse_method(h, c, req->target);
}

/* Append a chunk of body to req, up to EDGE_HTTP_MAX_BODY (then only
 * remember it was too big). Returns MHD_NO when out of memory. */
static enum MHD_Result take_body(struct edge_http_req *req, const char *data, size_t n)
{
	char *grown;

	if (req->answered || req->too_big)
		return MHD_YES;
	if (n > EDGE_HTTP_MAX_BODY - req->len) {
		req->too_big = true;
		return MHD_YES;
	}
	grown = realloc(req->body, req->len + n + 1);
	if (grown == NULL)
		return MHD_NO;
	memcpy(grown + req->len, data, n);
	req->len += n;
	grown[req->len] = '\0';
	req->body = grown;
	return MHD_YES;
}

/* libmicrohttpd's access handler: called once with the headers, once per
 * chunk of body, then once more with nothing left. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	struct edge_http *h = cls;
	struct edge_http_req *req = *state;

	(void)version;
	if (req == NULL) {
		req = calloc(1, sizeof(*req));
		if (req == NULL)
			return MHD_NO;
		*state = req;
		return begin(h, c, url, method, req);
	}
	if (*upload_size > 0) {
		size_t n = *upload_size;

		*upload_size = 0;
		return take_body(req, upload, n);
	}
	if (req->answered)
		return MHD_YES;
	req->answered = true;
	return edge_http_whip_finish(h, c, method, req);
}

/* libmicrohttpd's end of a request: free what on_request made. */
static void on_completed(void *cls, struct MHD_Connection *c, void **state,
			 enum MHD_RequestTerminationCode why)
{
	struct edge_http_req *req = *state;

	(void)cls;
	(void)c;
	(void)why;
	if (req != NULL) {
		free(req->body);
		free(req);
		*state = NULL;
	}
}

/* libmicrohttpd's error log, to stderr. It never sees a token or key. */
__attribute__((format(printf, 2, 0))) static void on_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("relais-edge http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* Read a whole PEM file into a NUL-terminated string (*out, *len without
 * the NUL). Returns 0 or -errno. */
static int read_pem(const char *path, char **out, size_t *len)
{
	FILE *fp = fopen(path, "re");
	char *buf;
	size_t n;

	if (fp == NULL)
		return -errno;
	buf = calloc(1, PEM_MAX_SIZE + 1);
	if (buf == NULL) {
		fclose(fp);
		return -ENOMEM;
	}
	n = fread(buf, 1, PEM_MAX_SIZE + 1, fp);
	fclose(fp);
	if (n == 0 || n > PEM_MAX_SIZE) {
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Parse addr (NULL: "::") and port into *ss. Returns its length, or 0. */
static socklen_t parse_addr(const char *addr, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (addr != NULL && inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		return sizeof(*v4);
	}
	if (inet_pton(AF_INET6, addr != NULL ? addr : "::", &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		return sizeof(*v6);
	}
	return 0;
}

/* Make the listening socket on addr:port; *bound gets the port, *v6
 * whether it is IPv6. Returns the socket or -errno. On "::" both IPv6 and
 * IPv4 are accepted. */
static int make_listener(const char *addr, uint16_t port, uint16_t *bound, bool *v6)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, port, &ss);
	int fd, one = 1, v6only;

	if (len == 0)
		return -EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	v6only = ss.ss_family == AF_INET6 &&
		 !IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) != 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	*v6 = ss.ss_family == AF_INET6;
	*bound = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					       : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* 0 when the ICE servers can be served: at most EDGE_HTTP_ICE_MAX_URLS
 * valid URLs, and a secret (of at most EDGE_HTTP_ICE_SECRET_MAX bytes)
 * when one is a TURN server. */
static int check_ice(const struct edge_http_ice_servers *ice)
{
	bool turn = false;

	if (ice->n_urls > EDGE_HTTP_ICE_MAX_URLS || ice->secret_len > EDGE_HTTP_ICE_SECRET_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < ice->n_urls; i++) {
		if (ice->urls[i] == NULL || edge_http_ice_url_check(ice->urls[i]) < 0)
			return -EINVAL;
		turn |= strncmp(ice->urls[i], "stun:", 5) != 0;
	}
	return turn && (ice->secret == NULL || ice->secret_len == 0) ? -EINVAL : 0;
}

/* Copy the ICE servers of cfg into h (checked by check_ice). */
static void take_ice(struct edge_http *h, const struct edge_http_ice_servers *ice)
{
	h->ice = *ice;
	for (unsigned i = 0; i < ice->n_urls; i++) {
		snprintf(h->ice_urls[i], sizeof(h->ice_urls[i]), "%s", ice->urls[i]);
		h->ice.urls[i] = h->ice_urls[i];
	}
	if (ice->secret_len > 0)
		memcpy(h->ice_secret, ice->secret, ice->secret_len);
	h->ice.secret = h->ice_secret;
}

/* Check cfg for what edge_http_new() cannot start with. 0 or -errno. */
static int check_config(const struct edge_http_config *cfg)
{
	const struct edge_http_backend *b = cfg->backend;

	if (b == NULL || b->offer == NULL || b->patch == NULL || b->end == NULL)
		return -EINVAL;
	if (cfg->token.secret == NULL || cfg->token.secret_len < EDGE_TOKEN_MIN_SECRET ||
	    cfg->token.secret_len > EDGE_TOKEN_MAX_SECRET)
		return -EINVAL;
	if ((cfg->tls_cert_file == NULL) != (cfg->tls_key_file == NULL))
		return -EINVAL;
	if (check_ice(&cfg->ice) < 0)
		return -EINVAL;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) != MHD_YES)
		return -ENOTSUP;
	if (cfg->tls_cert_file != NULL && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
		return -ENOTSUP;
	return 0;
}

/* Copy what h keeps of cfg: the secret, origin, pages, PEM files, the
 * table of resources. 0 or -errno. */
static int take_config(struct edge_http *h, const struct edge_http_config *cfg)
{
	size_t cert_len;
	int r;

	memcpy(h->secret, cfg->token.secret, cfg->token.secret_len);
	h->token =
	    (struct edge_token_params){h->secret, cfg->token.secret_len, cfg->token.leeway_s};
	h->backend = cfg->backend;
	take_ice(h, &cfg->ice);
	h->cors_origin = strdup(cfg->cors_origin != NULL ? cfg->cors_origin : "*");
	h->max_res = cfg->max_sessions ? cfg->max_sessions : EDGE_HTTP_DEFAULT_MAX_SESSIONS;
	h->res = calloc(h->max_res, sizeof(*h->res));
	if (h->cors_origin == NULL || h->res == NULL)
		return -ENOMEM;
	if (cfg->static_dir != NULL) {
		h->static_dirfd = open(cfg->static_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (h->static_dirfd < 0)
			return -errno;
	}
	if (cfg->tls_cert_file == NULL)
		return 0;
	r = read_pem(cfg->tls_cert_file, &h->tls_cert, &cert_len);
	return r != 0 ? r : read_pem(cfg->tls_key_file, &h->tls_key, &h->tls_key_len);
}

/* Start libmicrohttpd on the listening socket fd. 0 or -EIO. */
static int start_daemon(struct edge_http *h, const struct edge_http_config *cfg, int fd, bool v6)
{
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0) |
			 (h->tls_cert != NULL ? MHD_USE_TLS : 0);
	struct MHD_OptionItem tls[] = {
	    {MHD_OPTION_HTTPS_MEM_CERT, 0, h->tls_cert},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, h->tls_key},
	    {MHD_OPTION_END, 0, NULL},
	};

	h->mhd = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, on_log, h,
	    MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
	    cfg->max_connections ? cfg->max_connections : EDGE_HTTP_DEFAULT_MAX_CONNECTIONS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    cfg->max_per_ip ? cfg->max_per_ip : EDGE_HTTP_DEFAULT_MAX_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    cfg->timeout_s ? cfg->timeout_s : EDGE_HTTP_DEFAULT_TIMEOUT_S,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_ARRAY,
	    h->tls_cert != NULL ? tls : tls + 2, MHD_OPTION_END);
	return h->mhd != NULL ? 0 : -EIO;
}

struct edge_http *edge_http_new(const struct edge_http_config *cfg)
{
	struct edge_http *h;
	int r = check_config(cfg), fd = -1;
	bool v6 = false;

	if (r != 0) {
		errno = -r;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	h->static_dirfd = -1;
	r = take_config(h, cfg);
	if (r == 0)
		fd = r = make_listener(cfg->listen_addr, cfg->port, &h->port, &v6);
	if (fd >= 0) {
		r = start_daemon(h, cfg, fd, v6);
		if (r != 0)
			close(fd);
	}
	if (r < 0) {
		edge_http_free(h);
		errno = -r;
		return NULL;
	}
	return h;
}

void edge_http_free(struct edge_http *h)
{
	if (h == NULL)
		return;
	if (h->mhd != NULL)
		MHD_stop_daemon(h->mhd); /* closes the listening socket */
	if (h->static_dirfd >= 0)
		close(h->static_dirfd);
	if (h->tls_key != NULL)
		OPENSSL_cleanse(h->tls_key, h->tls_key_len);
	free(h->tls_key);
	free(h->tls_cert);
	free(h->cors_origin);
	free(h->res);
	OPENSSL_cleanse(h->secret, sizeof(h->secret));
	OPENSSL_cleanse(h->ice_secret, sizeof(h->ice_secret));
	free(h);
}

int edge_http_fd(const struct edge_http *h)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);

	return info != NULL ? info->epoll_fd : -1;
}

int edge_http_timeout_ms(struct edge_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->mhd, &ms) != MHD_YES)
		return -1;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

int edge_http_run(struct edge_http *h)
{
	return MHD_run(h->mhd) == MHD_YES ? 0 : -EIO;
}

uint16_t edge_http_port(const struct edge_http *h)
{
	return h->port;
}

void edge_http_get_stats(const struct edge_http *h, struct edge_http_stats *out)
{
	*out = h->stats;
}
