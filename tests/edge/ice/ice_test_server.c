/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A tiny ICE-lite server for the aioice tests: UDP sockets on 127.0.0.1
 * and ::1 (ephemeral ports) whose datagrams go through edge_ice_input(),
 * answers sent back to their source, edge_ice_expire() run every 100 ms on
 * the monotonic clock. It stands in for relais-edge's main loop.
 *
 *   ice_test_server MAX_SECONDS CONSENT_MS JOIN_MS
 *
 * stdout (one line each, flushed):
 *   ready PORT4 PORT6
 *   session COOKIE UFRAG PWD          answer to "add"; the PWD is what an
 *                                     SDP answer would carry to the peer
 *   dgram verdict=NAME src=ADDR sent=0|1 event=none|consent|nominated
 *         cookie=C moved=0|1 lookup=COOKIE|none
 *   expired COOKIE UFRAG WHY
 *   timeout                           MAX_SECONDS passed (exit 3)
 *   counts VERDICT=N ...              edge_ice_verdict_counts(), at exit
 * stdin commands: "add REMOTE_UFRAG" ("-" when unknown), "quit" (exit 0).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "edge_ice.h"

#define CAPACITY 16
#define EXPIRE_PERIOD_MS 100

struct server {
	struct edge_ice_agent *agent;
	int fd4, fd6;
	uint64_t next_cookie;
};

/* Milliseconds of CLOCK_MONOTONIC. */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Any socket address of IPv4 or IPv6. */
union sock_addr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

/* A UDP socket bound to the loopback of this family on an ephemeral port;
 * returns the fd (port in *port) or -1. */
static int bind_loopback(int family, uint16_t *port)
{
	union sock_addr a;
	socklen_t sl = family == AF_INET ? sizeof(a.in4) : sizeof(a.in6);
	int fd = socket(family, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	if (family == AF_INET) {
		a.in4.sin_family = AF_INET;
		a.in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_addr = in6addr_loopback;
	}
	if (bind(fd, &a.sa, sl) != 0 || getsockname(fd, &a.sa, &sl) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ? a.in4.sin_port : a.in6.sin6_port);
	return fd;
}

/* A socket address to the agent's address type (family 0 if neither). */
static struct edge_stun_addr to_addr(const union sock_addr *from)
{
	struct edge_stun_addr a = {0};

	if (from->sa.sa_family == AF_INET) {
		a.family = 4;
		a.port = ntohs(from->in4.sin_port);
		memcpy(a.ip, &from->in4.sin_addr, 4);
	} else if (from->sa.sa_family == AF_INET6) {
		a.family = 6;
		a.port = ntohs(from->in6.sin6_port);
		memcpy(a.ip, &from->in6.sin6_addr, 16);
	}
	return a;
}

static const char *event_name(enum edge_ice_event_kind k)
{
	return k == EDGE_ICE_EVENT_CONSENT     ? "consent"
	       : k == EDGE_ICE_EVENT_NOMINATED ? "nominated"
					       : "none";
}

/* Receive one datagram on fd, run it through the agent, answer, report. */
static void serve_datagram(struct server *srv, int fd)
{
	uint8_t buf[2048], out[EDGE_ICE_ANSWER_MAX];
	union sock_addr from;
	socklen_t sl = sizeof(from);
	ssize_t n;
	struct edge_stun_addr src;
	struct edge_ice_event ev;
	enum edge_ice_verdict v;
	char addr[EDGE_STUN_ADDR_STRLEN], look[24] = "none";
	size_t out_len = 0;
	uint64_t cookie;
	int sent = 0;

	memset(&from, 0, sizeof(from));
	n = recvfrom(fd, buf, sizeof(buf), 0, &from.sa, &sl);
	if (n < 0)
		return;
	src = to_addr(&from);
	v = edge_ice_input(srv->agent, buf, (size_t)n, &src, now_ms(), out, sizeof(out), &out_len,
			   &ev);
	if (out_len > 0)
		sent = sendto(fd, out, out_len, 0, &from.sa, sl) == (ssize_t)out_len;
	if (edge_ice_lookup_addr(srv->agent, &src, &cookie) == 0)
		snprintf(look, sizeof(look), "%llu", (unsigned long long)cookie);
	printf("dgram verdict=%s src=%s sent=%d event=%s cookie=%llu moved=%d lookup=%s\n",
	       edge_ice_verdict_name(v), edge_stun_addr_format(&src, addr, sizeof(addr)), sent,
	       event_name(ev.kind), (unsigned long long)ev.cookie, ev.moved, look);
}

/* "add REMOTE": a session with fresh credentials. */
static void add_session(struct server *srv, const char *remote)
{
	struct edge_ice_credentials cred;
	int rc;

	if (edge_ice_credentials_generate(&cred) != 0) {
		printf("error credentials\n");
		return;
	}
	rc = edge_ice_session_add(srv->agent, &cred, strcmp(remote, "-") == 0 ? NULL : remote,
				  srv->next_cookie, now_ms());
	if (rc != 0)
		printf("error add %d\n", rc);
	else
		printf("session %llu %s %s\n", (unsigned long long)srv->next_cookie++, cred.ufrag,
		       cred.pwd);
	edge_ice_credentials_wipe(&cred);
}

/* One command line from stdin; returns 1 on "quit" or end of input. */
static int command(struct server *srv)
{
	char line[512], remote[300];

	if (!fgets(line, sizeof(line), stdin) || strncmp(line, "quit", 4) == 0)
		return 1;
	if (sscanf(line, "add %299s", remote) == 1)
		add_session(srv, remote);
	else
		printf("error command\n");
	return 0;
}

static void on_expire(void *arg, uint64_t cookie, const char *ufrag, enum edge_ice_expiry why)
{
	(void)arg;
	printf("expired %llu %s %s\n", (unsigned long long)cookie, ufrag,
	       edge_ice_expiry_name(why));
}

/* The loop: sockets, stdin, expiry, until quit or the deadline. */
static int run(struct server *srv, uint64_t deadline)
{
	struct pollfd fds[3] = {
	    {.fd = srv->fd4, .events = POLLIN},
	    {.fd = srv->fd6, .events = POLLIN},
	    {.fd = STDIN_FILENO, .events = POLLIN},
	};
	uint64_t next_expire = now_ms() + EXPIRE_PERIOD_MS;

	while (now_ms() < deadline) {
		if (poll(fds, 3, EXPIRE_PERIOD_MS) > 0) {
			for (int i = 0; i < 2; i++)
				if (fds[i].revents & POLLIN)
					serve_datagram(srv, fds[i].fd);
			if ((fds[2].revents & (POLLIN | POLLHUP)) && command(srv))
				return 0;
		}
		if (now_ms() >= next_expire) {
			edge_ice_expire(srv->agent, now_ms(), on_expire, NULL);
			next_expire = now_ms() + EXPIRE_PERIOD_MS;
		}
		fflush(stdout);
	}
	printf("timeout\n");
	return 3;
}

/* "counts answered=N malformed=N ..." (every verdict). */
static void print_counts(const struct edge_ice_agent *agent)
{
	uint64_t n[EDGE_ICE_VERDICT_MAX];

	edge_ice_verdict_counts(agent, n);
	printf("counts");
	for (int v = 0; v < EDGE_ICE_VERDICT_MAX; v++)
		printf(" %s=%llu", edge_ice_verdict_name((enum edge_ice_verdict)v),
		       (unsigned long long)n[v]);
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct edge_ice_params p = {.capacity = CAPACITY};
	struct server srv = {.next_cookie = 1};
	uint16_t port4 = 0, port6 = 0;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: %s MAX_SECONDS CONSENT_MS JOIN_MS\n", argv[0]);
		return 2;
	}
	p.consent_timeout_ms = strtoull(argv[2], NULL, 10);
	p.join_timeout_ms = strtoull(argv[3], NULL, 10);
	srv.agent = edge_ice_create(&p);
	srv.fd4 = bind_loopback(AF_INET, &port4);
	srv.fd6 = bind_loopback(AF_INET6, &port6);
	if (!srv.agent || srv.fd4 < 0 || srv.fd6 < 0) {
		fprintf(stderr, "ice_test_server: cannot create the agent or bind 127.0.0.1/::1\n");
		return 2;
	}
	printf("ready %u %u\n", port4, port6);
	fflush(stdout);
	rc = run(&srv, now_ms() + strtoull(argv[1], NULL, 10) * 1000);
	print_counts(srv.agent);
	close(srv.fd4);
	close(srv.fd6);
	edge_ice_free(srv.agent);
	return rc;
}
