/* SPDX-License-Identifier: BSD-3-Clause */
/* relais-edge's end of the edge link (edge_link.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "edge_link.h"

/* Send message m on the link; 0 or -errno. */
static int send_msg(struct edge_link *l, const struct relais_edge_msg *m)
{
	uint8_t buf[RELAIS_EDGE_MAX_MSG];
	int n = relais_edge_encode(m, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (send(l->fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) != n)
		return -errno;
	return 0;
}

/* Wait at most timeout_ms for the dataplane's HELLO. 0 or -errno. */
static int await_hello(struct edge_link *l, int timeout_ms)
{
	uint8_t buf[RELAIS_EDGE_MAX_MSG];
	struct pollfd p = {.fd = l->fd, .events = POLLIN};
	struct relais_edge_msg m;
	ssize_t n;

	if (poll(&p, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	n = recv(l->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n <= 0)
		return n == 0 ? -ECONNRESET : -errno;
	if (relais_edge_decode(buf, (size_t)n, &m) < 0 || m.kind != RELAIS_EDGE_HELLO)
		return -EPROTO;
	return 0;
}

/* Word a failure to open the link. */
static void explain(int rc, const char *path, char *why, size_t n)
{
	if (rc == -ENOENT)
		snprintf(why, n, "%s: no such socket (dataplane not running, or edge.socket unset)",
			 path);
	else if (rc == -ECONNRESET || rc == -ETIMEDOUT)
		snprintf(why, n,
			 "%s: the dataplane refused the link (another edge connected, or "
			 "not allowed by edge.group)",
			 path);
	else if (rc == -EPROTO)
		snprintf(why, n, "%s: the dataplane speaks another edge link version", path);
	else
		snprintf(why, n, "%s: %s", path, strerror(-rc));
}

/* See edge_link.h. */
int edge_link_open(struct edge_link *l, const char *path, int timeout_ms, char *why, size_t n)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct relais_edge_msg hello = {.kind = RELAIS_EDGE_HELLO};
	int rc = 0;

	memset(l, 0, sizeof(*l));
	snprintf(l->path, sizeof(l->path), "%s", path);
	if (snprintf(a.sun_path, sizeof(a.sun_path), "%s", path) >= (int)sizeof(a.sun_path))
		rc = -ENAMETOOLONG;
	l->fd = rc ? -1 : socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (rc == 0 && l->fd < 0)
		rc = -errno;
	if (rc == 0 && connect(l->fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		rc = -errno;
	if (rc == 0)
		rc = send_msg(l, &hello);
	if (rc == 0)
		rc = await_hello(l, timeout_ms);
	if (rc < 0) {
		explain(rc, path, why, n);
		edge_link_close(l);
	}
	return rc;
}

/* See edge_link.h. */
void edge_link_close(struct edge_link *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

/* See edge_link.h. */
int edge_link_recv(struct edge_link *l, uint8_t *buf, struct relais_edge_msg *m)
{
	ssize_t n;

	if (l->fd < 0)
		return -ENOTCONN;
	n = recv(l->fd, buf, RELAIS_EDGE_MAX_MSG, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	if ((size_t)n > RELAIS_EDGE_MAX_MSG || relais_edge_decode(buf, (size_t)n, m) < 0 ||
	    m->kind != RELAIS_EDGE_RX)
		return -EPROTO;
	l->rx++;
	return 1;
}

/* See edge_link.h. */
int edge_link_send(struct edge_link *l, const struct relais_addr *to, const uint8_t *p, size_t n)
{
	struct relais_edge_msg m = {.kind = RELAIS_EDGE_TX, .addr = *to, .payload = p};
	int rc;

	if (l->fd < 0 || n > RELAIS_EDGE_MAX_PAYLOAD) {
		l->tx_failed++;
		return l->fd < 0 ? -ENOTCONN : -EMSGSIZE;
	}
	m.len = (uint16_t)n;
	rc = send_msg(l, &m);
	if (rc < 0)
		l->tx_failed++;
	else
		l->tx++;
	return rc;
}

/* See edge_link.h. */
int edge_link_consent(struct edge_link *l, const struct relais_addr *from, uint32_t part)
{
	struct relais_edge_msg m = {.kind = RELAIS_EDGE_CONSENT, .addr = *from, .part_id = part};
	int rc = l->fd < 0 ? -ENOTCONN : send_msg(l, &m);

	if (rc < 0)
		l->tx_failed++;
	else
		l->tx++;
	return rc;
}
