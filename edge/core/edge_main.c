/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-edge: WHIP/WHEP, ICE-lite and DTLS-SRTP beside a node's dataplane
 * and control plane (docs/webrtc.md). One thread: the edge link to the
 * dataplane, the HTTP server and the timers are polled from one loop, so
 * the sessions need no lock.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <relais/key_input.h>
#include <relais/no_dump.h>

#include "cp_util.h"
#include "edge_session.h"

#define LINK_RETRY_MS 1000
#define LINK_BURST 256 /* datagrams read per loop round */
#define STATUS_EVERY_MS 10000
#define STATUS_FILE_EVERY_MS 1000

static volatile sig_atomic_t stopping;

/* SIGTERM/SIGINT: leave the loop, end every session cleanly. */
static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Read the secret file of option opt (a secret file: owner-only, no
 * symlink) into buf, without its trailing newline; its length, or -1
 * (printed) when unreadable or shorter than min bytes. */
static int read_secret(const char *opt, const char *path, uint8_t *buf, size_t cap, size_t min)
{
	char why[256];
	FILE *f = relais_secret_open(path, why, sizeof(why));
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "relais-edge: --%s %s\n", opt, why);
		return -1;
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n < min) {
		fprintf(stderr, "relais-edge: --%s: at least %zu bytes needed\n", opt, min);
		OPENSSL_cleanse(buf, cap);
		return -1;
	}
	return (int)n;
}

/* The TURN/STUN servers of the options, with the TURN secret read into
 * buf (cap bytes). 0, or -1 (printed). */
static int ice_servers(const struct edge_opts *o, struct edge_http_ice_servers *ice, uint8_t *buf,
		       size_t cap)
{
	int n = 0;

	memset(ice, 0, sizeof(*ice));
	for (unsigned i = 0; i < o->n_turn_urls; i++)
		ice->urls[ice->n_urls++] = o->turn_urls[i];
	ice->ttl_s = o->turn_ttl;
	if (o->turn_secret[0]) {
		n = read_secret("turn-secret", o->turn_secret, buf, cap, 16);
		if (n < 0)
			return -1;
	}
	ice->secret = buf;
	ice->secret_len = (size_t)n;
	return 0;
}

/* The HTTP server over the node's backend; NULL (printed) on failure. */
static struct edge_http *start_http(const struct edge_opts *o, struct edge_http_backend *b,
				    const uint8_t *secret, size_t slen,
				    const struct edge_http_ice_servers *ice)
{
	struct relais_addr a;
	char host[INET6_ADDRSTRLEN];
	struct edge_http_config hc = {
	    .tls_cert_file = o->tls_cert[0] ? o->tls_cert : NULL,
	    .tls_key_file = o->tls_key[0] ? o->tls_key : NULL,
	    .cors_origin = o->cors_origin[0] ? o->cors_origin : NULL,
	    .static_dir = o->pages[0] ? o->pages : NULL,
	    .token = {.secret = secret, .secret_len = slen, .leeway_s = 5},
	    .max_connections = EDGE_HTTP_DEFAULT_MAX_CONNECTIONS,
	    .max_per_ip = EDGE_HTTP_DEFAULT_MAX_PER_IP,
	    .timeout_s = EDGE_HTTP_DEFAULT_TIMEOUT_S,
	    .max_sessions = o->max_sessions,
	    .backend = b,
	    .ice = *ice};
	struct edge_http *h;

	if (relais_addr_parse(o->http, &a) < 0) {
		fprintf(stderr, "relais-edge: --http %s: expected IP:PORT\n", o->http);
		return NULL;
	}
	inet_ntop(a.family == 4 ? AF_INET : AF_INET6, a.ip, host, sizeof(host));
	hc.listen_addr = host;
	hc.port = a.port;
	h = edge_http_new(&hc);
	if (h == NULL)
		fprintf(stderr, "relais-edge: cannot serve HTTP on %s\n", o->http);
	return h;
}

/* Keep the edge link up: reconnect at most every LINK_RETRY_MS. */
static void keep_link(struct edge_node *n, uint64_t now, uint64_t *next_try)
{
	char why[256];

	if (n->link.fd >= 0 || now < *next_try)
		return;
	*next_try = now + LINK_RETRY_MS;
	if (edge_link_open(&n->link, n->o->link, 500, why, sizeof(why)) < 0)
		CP_LOG(CP_LOG_WARN, "edge link: %s", why);
	else
		CP_LOG(CP_LOG_INFO, "edge link to %s up", n->o->link);
}

/* Read up to LINK_BURST datagrams of the dataplane. */
static void read_link(struct edge_node *n)
{
	uint8_t buf[RELAIS_EDGE_MAX_MSG];
	struct relais_edge_msg m;

	for (int i = 0; i < LINK_BURST && n->link.fd >= 0; i++) {
		int rc = edge_link_recv(&n->link, buf, &m);

		if (rc == 0)
			return;
		if (rc < 0) {
			CP_LOG(CP_LOG_WARN, "edge link lost: %s", strerror(-rc));
			edge_link_close(&n->link);
			n->stats[EDGE_STAT_link_lost]++;
			return;
		}
		edge_node_datagram(n, &m, cp_now_ms());
	}
}

/* One status line with every counter that is not zero. */
static void status_line(const struct edge_node *n)
{
	char line[1024];
	int o = snprintf(line, sizeof(line), "status: sessions_ended");

	for (unsigned i = 0; i < EDGE_END_MAX && o < (int)sizeof(line); i++)
		o += snprintf(line + o, sizeof(line) - (size_t)o, " %s=%llu",
			      edge_session_end_name(i), (unsigned long long)n->ends[i]);
	for (unsigned i = 0; i < EDGE_STAT_MAX && o < (int)sizeof(line); i++)
		o += snprintf(line + o, sizeof(line) - (size_t)o, " %s=%llu",
			      edge_node_stat_name(i), (unsigned long long)n->stats[i]);
	CP_LOG(CP_LOG_INFO, "%s", line);
}

/* Write the status file (--status-file) every second; the first failure
 * is logged. */
static void status_file(const struct edge_node *n, uint64_t now, uint64_t *next)
{
	int rc;

	if (n->o->status_file[0] == '\0' || now < *next)
		return;
	rc = edge_status_write(n, n->o->status_file);
	if (rc < 0 && *next == 0)
		CP_LOG(CP_LOG_WARN, "cannot write the status file %s: %s", n->o->status_file,
		       strerror(-rc));
	*next = now + STATUS_FILE_EVERY_MS;
}

/* The loop: link, HTTP, timers, until SIGTERM. */
static void run(struct edge_node *n)
{
	uint64_t next_try = 0, next_status = cp_now_ms() + STATUS_EVERY_MS, next_file = 0;

	while (!stopping) {
		struct pollfd p[2] = {{.fd = n->link.fd, .events = POLLIN},
				      {.fd = edge_http_fd(n->http), .events = POLLIN}};
		uint64_t now = cp_now_ms();
		int wait = edge_node_timers(n, now), hw = edge_http_timeout_ms(n->http);
		/* edge_node_timers waits at most 500 ms: the status file keeps its second */

		keep_link(n, now, &next_try);
		p[0].fd = n->link.fd;
		if (hw >= 0 && hw < wait)
			wait = hw;
		if (n->link.fd < 0 && wait > LINK_RETRY_MS)
			wait = LINK_RETRY_MS;
		if (poll(p, 2, wait) < 0 && errno != EINTR)
			break;
		read_link(n);
		edge_http_run(n->http);
		if (cp_now_ms() >= next_status) {
			status_line(n);
			next_status = cp_now_ms() + STATUS_EVERY_MS;
		}
		status_file(n, cp_now_ms(), &next_file);
	}
}

/* The SRTP profiles the node offers in DTLS, for the start line: the
 * SDES-style names of --srtp-profiles, or "default order". */
static const char *profile_list(const struct edge_opts *o, char *buf, size_t cap)
{
	size_t used = 0;

	if (o->n_profiles == 0)
		return "default order";
	buf[0] = '\0';
	for (size_t i = 0; i < o->n_profiles && used < cap; i++) {
		const struct relais_srtp_profile_info *p = relais_srtp_profile_get(o->profiles[i]);
		int w = snprintf(buf + used, cap - used, "%s%s", i ? "," : "", p ? p->name : "?");

		used += w > 0 ? (size_t)w : 0;
	}
	return buf;
}

int main(int argc, char **argv)
{
	static struct edge_opts o;
	static struct edge_node n;
	static uint8_t secret[EDGE_TOKEN_MAX_SECRET], turn_secret[EDGE_HTTP_ICE_SECRET_MAX];
	struct edge_http_ice_servers ice;
	struct edge_http_backend backend;
	char err[512], names[160];
	int slen, rc;

	cp_log_prog = "relais-edge";
	if (relais_no_core_dump(cp_log_prog) < 0)
		return 2;
	rc = edge_opts_parse(&o, argc, argv);
	if (rc != 0)
		return rc > 0 ? 0 : 2;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	slen = read_secret("token-secret", o.token_secret, secret, sizeof(secret),
			   EDGE_TOKEN_MIN_SECRET);
	if (slen < 0 || ice_servers(&o, &ice, turn_secret, sizeof(turn_secret)) < 0)
		return 2;
	if (edge_node_init(&n, &o, err, sizeof(err)) < 0 ||
	    edge_rooms_open(&n.rooms, &o.redis, o.keyring, o.node, err, sizeof(err)) < 0) {
		fprintf(stderr, "relais-edge: %s\n", err);
		return 2;
	}
	if (edge_rooms_set_url(&n.rooms, o.public_url) < 0)
		CP_LOG(CP_LOG_WARN, "cannot publish this node's URL: redirects to it fail");
	rc = edge_rooms_sweep(&n.rooms);
	if (rc < 0)
		CP_LOG(CP_LOG_WARN, "cannot read the participants an earlier relais-edge left");
	else if (rc > 0)
		CP_LOG(CP_LOG_INFO, "removed %d participants an earlier relais-edge of %s left", rc,
		       o.node);
	edge_signal_backend(&n, &backend);
	n.http = start_http(&o, &backend, secret, (size_t)slen, &ice);
	OPENSSL_cleanse(turn_secret, sizeof(turn_secret)); /* the server keeps its copy */
	if (n.http == NULL)
		return 2;
	CP_LOG(CP_LOG_INFO, "serving WHIP/WHEP on %s, DTLS fingerprint %s, SRTP profiles %s",
	       o.http, edge_cert_fingerprint(n.cert), profile_list(&o, names, sizeof(names)));
	run(&n);
	CP_LOG(CP_LOG_INFO, "stopping: ending %s", "every session");
	edge_node_fini(&n);
	edge_http_free(n.http);
	edge_link_close(&n.link);
	edge_rooms_close(&n.rooms);
	OPENSSL_cleanse(secret, sizeof(secret));
	return 0;
}
