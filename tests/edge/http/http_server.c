/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server of the edge/http tests: the real edge_http library on a real
 * socket, driven by a poll loop as relais-edge's main loop drives it, with
 * a small backend standing in for the session side (a harness of the HTTP
 * layer). test_http.py starts it, drives it with curl and urllib and
 * stops it by PID.
 *
 *   http_server --secret-file F --log F [--listen ADDR] [--port N] [--tls CERT KEY]
 *               [--static DIR] [--origin O] [--leeway S] [--per-ip N]
 *               [--timeout S] [--max-sessions N] [--lifetime S]
 *               [--turn URL]... [--turn-secret S] [--turn-ttl S]
 *
 * Prints "port N" on stdout once listening. The backend writes one line per
 * call to the log (offer/patch/end with kind, room, participant, resource
 * id and body length) and answers by room: 307 redirects to
 * https://owner.example:8443/whip/307, 308 redirects to a URL with a CR LF
 * in it, 409 refuses "room_full", 500 replies
 * a status 200 (invalid for an offer), any other room gets ANSWER. A patch
 * holding "a=ice-ufrag:" is an ICE restart (200 + RESTART); one holding
 * "a=x-forget" ends the session from the backend's side (edge_http_forget)
 * and replies 204; else 204. On
 * SIGTERM or after --lifetime seconds it writes the counters to the log
 * and exits 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edge_http.h"

#define ANSWER "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=relais-test-answer\r\n"
#define RESTART "a=ice-ufrag:NEWU\r\na=ice-pwd:newpasswordnewpasswordnew\r\n"

static volatile sig_atomic_t stop_requested;

/* SIGTERM/SIGINT: leave the loop. */
static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* The session side of the test: a log file. */
struct test_backend {
	FILE *log;
	struct edge_http *h;
};

static const char *kind_name(enum edge_http_kind k)
{
	return k == EDGE_HTTP_PUBLISH ? "publish" : "watch";
}

/* Log one backend call. */
static void log_call(struct test_backend *b, const char *what, const struct edge_http_session *s,
		     size_t len, const char *body)
{
	fprintf(b->log, "%s kind=%s room=%" PRIu32 " participant=%" PRIu32 " id=%s len=%zu %s\n",
		what, kind_name(s->kind), s->room, s->participant, s->resource_id, len,
		body != NULL && strstr(body, "s=relais-test-offer") ? "sdp=ok" : "sdp=other");
	fflush(b->log);
}

/* Copy text into the reply's body. */
static void reply_body(struct edge_http_reply *out, const char *text)
{
	out->body_len = strlen(text);
	memcpy(out->body, text, out->body_len);
}

static void on_offer(void *ctx, const struct edge_http_session *s,
		     const struct edge_token_claims *claims, const char *sdp, size_t sdp_len,
		     struct edge_http_reply *out)
{
	(void)claims;
	log_call(ctx, "offer", s, sdp_len, sdp);
	switch (s->room) {
	case 307:
		out->status = 307;
		snprintf(out->location, sizeof(out->location),
			 "https://owner.example:8443/whip/307");
		break;
	case 308: /* a URL that would split the header */
		out->status = 307;
		snprintf(out->location, sizeof(out->location), "https://x/\r\nSet-Cookie: a=b");
		break;
	case 409:
		out->status = 409;
		snprintf(out->reason, sizeof(out->reason), "room_full");
		break;
	case 500:
		out->status = 200;
		break;
	default:
		out->status = 201;
		reply_body(out, ANSWER);
	}
}

static void on_patch(void *ctx, const struct edge_http_session *s, const char *frag,
		     size_t frag_len, struct edge_http_reply *out)
{
	struct test_backend *b = ctx;

	log_call(b, "patch", s, frag_len, frag);
	if (strstr(frag, "a=x-forget") != NULL) { /* the session ends on our side */
		fprintf(b->log, "forget %d\n", edge_http_forget(b->h, s->resource_id));
		fflush(b->log);
		out->status = 204;
	} else if (strstr(frag, "a=ice-ufrag:") != NULL) {
		out->status = 200;
		reply_body(out, RESTART);
	} else {
		out->status = 204;
	}
}

static void on_end(void *ctx, const struct edge_http_session *s)
{
	log_call(ctx, "end", s, 0, NULL);
}

/* Read the shared secret file into buf (at most cap bytes). */
static size_t read_secret(const char *path, uint8_t *buf, size_t cap)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (fp == NULL)
		return 0;
	n = fread(buf, 1, cap, fp);
	fclose(fp);
	return n;
}

/* Write the counters to the log, one "stat" line each, non-zero only. */
static void log_stats(const struct edge_http *h, FILE *log)
{
	struct edge_http_stats st;

	edge_http_get_stats(h, &st);
	for (unsigned i = 0; i < EDGE_TOKEN_REASON_MAX; i++)
		if (st.token[i] != 0)
			fprintf(log, "stat token.%s=%" PRIu64 "\n", edge_token_reason_name(i),
				st.token[i]);
	for (unsigned i = 0; i < EDGE_HTTP_REASON_MAX; i++)
		if (st.http[i] != 0)
			fprintf(log, "stat http.%s=%" PRIu64 "\n", edge_http_reason_name(i),
				st.http[i]);
	fprintf(log, "stat sessions=%" PRIu64 "\n", st.sessions);
	fflush(log);
}

/* Serve until a signal or the deadline, as relais-edge's loop does: wait
 * on edge_http_fd() for exactly edge_http_timeout_ms() (or until the
 * deadline when there is none), so a wake-up the library failed to ask
 * for would stall the clients of the test. */
static int serve(struct edge_http *h, long lifetime_s)
{
	struct timespec now, end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += lifetime_s;
	for (;;) {
		struct pollfd p = {.fd = edge_http_fd(h), .events = POLLIN};
		int t = edge_http_timeout_ms(h);
		long left_ms;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left_ms = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (stop_requested || left_ms <= 0)
			return 0;
		if (t < 0 || t > left_ms)
			t = (int)left_ms;
		if (poll(&p, 1, t) < 0 && errno != EINTR)
			return -errno;
		if (edge_http_run(h) != 0)
			return -EIO;
	}
}

/* Parse the options into cfg; returns 0 or -1 on a usage error. */
static int parse_args(int argc, char **argv, struct edge_http_config *cfg, const char **secret,
		      const char **log, long *lifetime)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			return -1;
		i++;
		if (!strcmp(o, "--secret-file"))
			*secret = v;
		else if (!strcmp(o, "--log"))
			*log = v;
		else if (!strcmp(o, "--port"))
			cfg->port = (uint16_t)atoi(v);
		else if (!strcmp(o, "--listen"))
			cfg->listen_addr = v;
		else if (!strcmp(o, "--tls") && i + 1 < argc) {
			cfg->tls_cert_file = v;
			cfg->tls_key_file = argv[++i];
		} else if (!strcmp(o, "--static"))
			cfg->static_dir = v;
		else if (!strcmp(o, "--origin"))
			cfg->cors_origin = v;
		else if (!strcmp(o, "--leeway"))
			cfg->token.leeway_s = (unsigned)atoi(v);
		else if (!strcmp(o, "--per-ip"))
			cfg->max_per_ip = (unsigned)atoi(v);
		else if (!strcmp(o, "--timeout"))
			cfg->timeout_s = (unsigned)atoi(v);
		else if (!strcmp(o, "--max-sessions"))
			cfg->max_sessions = (unsigned)atoi(v);
		else if (!strcmp(o, "--lifetime"))
			*lifetime = atol(v);
		else if (!strcmp(o, "--turn") && cfg->ice.n_urls < EDGE_HTTP_ICE_MAX_URLS)
			cfg->ice.urls[cfg->ice.n_urls++] = v;
		else if (!strcmp(o, "--turn-secret")) {
			cfg->ice.secret = (const uint8_t *)v;
			cfg->ice.secret_len = strlen(v);
		} else if (!strcmp(o, "--turn-ttl"))
			cfg->ice.ttl_s = (unsigned)atoi(v);
		else
			return -1;
	}
	return *secret != NULL && *log != NULL ? 0 : -1;
}

int main(int argc, char **argv)
{
	static uint8_t secret[EDGE_TOKEN_MAX_SECRET];
	struct test_backend tb = {0};
	struct edge_http_backend backend = {&tb, on_offer, on_patch, on_end};
	struct edge_http_config cfg = {.listen_addr = "127.0.0.1", .backend = &backend};
	const char *secret_file = NULL, *log_file = NULL;
	long lifetime = 60;
	struct edge_http *h;
	int r;

	if (parse_args(argc, argv, &cfg, &secret_file, &log_file, &lifetime) != 0) {
		fprintf(stderr, "usage: see the comment of http_server.c\n");
		return 2;
	}
	cfg.token.secret = secret;
	cfg.token.secret_len = read_secret(secret_file, secret, sizeof(secret));
	tb.log = fopen(log_file, "a");
	if (tb.log == NULL)
		return 1;
	tb.h = h = edge_http_new(&cfg);
	if (h == NULL) {
		fprintf(stderr, "http_server: edge_http_new: %s\n", strerror(errno));
		fclose(tb.log);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("port %u\n", edge_http_port(h));
	fflush(stdout);
	r = serve(h, lifetime);
	log_stats(h, tb.log);
	edge_http_free(h);
	fclose(tb.log);
	return r == 0 ? 0 : 1;
}
