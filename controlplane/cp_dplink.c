/* SPDX-License-Identifier: BSD-3-Clause */
/* The dataplane control link; see cp_dplink.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cp_dplink.h"
#include "cp_util.h"

/* See header. */
void cp_dplink_init(struct cp_dplink *dl, const char *path)
{
	memset(dl, 0, sizeof(*dl));
	dl->path = path;
	dl->fd = -1;
}

/* See header. */
bool cp_dplink_connect(struct cp_dplink *dl, uint64_t now)
{
	int fd;

	if (dl->fd >= 0 || now < dl->next_connect)
		return false;
	dl->next_connect = now + CP_DPLINK_RETRY_MS;
	fd = relais_ctl_connect(dl->path, "relais-controlplane");
	if (fd < 0) {
		CP_DEBUG("dataplane %s: %s", dl->path, strerror(-fd));
		return false;
	}
	dl->fd = fd;
	CP_INFO("dataplane %s connected", dl->path);
	return true;
}

/* See header. */
bool cp_dplink_up(const struct cp_dplink *dl)
{
	return dl->fd >= 0;
}

/* See header. */
bool cp_dplink_ready(const struct cp_dplink *dl)
{
	return dl->fd >= 0 && dl->inflight < CP_DPLINK_INFLIGHT;
}

/* A free request slot (there is one when inflight < the maximum). */
static struct cp_dplink_req *free_slot(struct cp_dplink *dl)
{
	for (int i = 0; i < CP_DPLINK_INFLIGHT; i++)
		if (!dl->req[i].used)
			return &dl->req[i];
	return NULL;
}

/* Hand a request its outcome and free its slot first, so the callback may
 * send the next request into it. */
static void complete(struct cp_dplink *dl, struct cp_dplink_req *q, int rc,
		     const struct relais_ctl_reply *r)
{
	struct cp_dplink_req done = *q;

	q->used = false;
	dl->inflight--;
	done.cb(done.priv, done.tag, rc, r);
}

/* See header. */
void cp_dplink_close(struct cp_dplink *dl, const char *why)
{
	if (dl->fd < 0)
		return;
	if (why)
		CP_WARN("dataplane %s: %s", dl->path, why);
	close(dl->fd);
	dl->fd = -1; /* first: callbacks see the link down */
	for (int i = 0; i < CP_DPLINK_INFLIGHT; i++)
		if (dl->req[i].used) {
			struct relais_ctl_reply r = {.type = dl->req[i].type, .status = -ENOTCONN};

			complete(dl, &dl->req[i], -ENOTCONN, &r);
		}
}

/* Close after a transport error rc, naming the request it hit (type < 0:
 * none was in flight). */
static void fail(struct cp_dplink *dl, int type, int rc)
{
	char why[128];

	if (type < 0)
		snprintf(why, sizeof(why), "%s", strerror(-rc));
	else
		snprintf(why, sizeof(why), "%s: %s", relais_ctl_type_name((unsigned)type),
			 strerror(-rc));
	cp_dplink_close(dl, why);
}

/* See header. */
int cp_dplink_send(struct cp_dplink *dl, struct relais_ctl_msg *m, cp_dplink_cb *cb, void *priv,
		   uint64_t tag)
{
	uint8_t buf[RELAIS_CTL_MAX_MSG];
	struct cp_dplink_req *q;
	int len;
	ssize_t sent;

	if (dl->fd < 0)
		return -ENOTCONN;
	if (dl->inflight >= CP_DPLINK_INFLIGHT)
		return -EBUSY;
	m->seq = ++dl->seq;
	len = relais_ctl_encode_msg(m, buf, sizeof(buf));
	if (len < 0)
		return len;
	sent = send(dl->fd, buf, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
	OPENSSL_cleanse(buf, (size_t)len);
	if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EBUSY;
	if (sent != len) {
		int rc = sent < 0 ? -errno : -EIO;

		fail(dl, m->type, rc);
		return rc;
	}
	q = free_slot(dl);
	*q = (struct cp_dplink_req){true, m->type, m->seq, cp_now_ms(), cb, priv, tag};
	dl->inflight++;
	return 0;
}

/* See header. */
int cp_dplink_pollfd(const struct cp_dplink *dl, struct pollfd *p)
{
	if (dl->fd < 0)
		return 0;
	p->fd = dl->fd;
	p->events = POLLIN;
	p->revents = 0;
	return 1;
}

/* The request a reply answers, or NULL (a stray reply, skipped). */
static struct cp_dplink_req *match(struct cp_dplink *dl, const struct relais_ctl_reply *r)
{
	for (int i = 0; i < CP_DPLINK_INFLIGHT; i++)
		if (dl->req[i].used && dl->req[i].seq == r->seq && dl->req[i].type == r->type)
			return &dl->req[i];
	return NULL;
}

/* The type of the oldest request in flight (the one a failure is blamed
 * on in the log), or -1 when none is. */
static int oldest_type(const struct cp_dplink *dl)
{
	const struct cp_dplink_req *o = NULL;

	for (int i = 0; i < CP_DPLINK_INFLIGHT; i++)
		if (dl->req[i].used && (o == NULL || dl->req[i].seq < o->seq))
			o = &dl->req[i];
	return o ? (int)o->type : -1;
}

/* Read one datagram without waiting. 1 when a reply was handled, 0 when
 * none is waiting, -errno when the link failed (and was closed). */
static int read_one(struct cp_dplink *dl)
{
	uint8_t buf[RELAIS_CTL_MAX_MSG];
	struct relais_ctl_reply r = {0}; /* decode fills it; the analyzer cannot tell */
	struct cp_dplink_req *q;
	ssize_t n = recv(dl->fd, buf, sizeof(buf), MSG_DONTWAIT);
	int rc;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	rc = n < 0 ? -errno : n == 0 ? -ECONNRESET : relais_ctl_decode_reply(buf, (size_t)n, &r);
	if (rc < 0) {
		fail(dl, oldest_type(dl), rc);
		return rc;
	}
	q = match(dl, &r);
	if (q)
		complete(dl, q, 0, &r);
	return 1;
}

/* See header. */
void cp_dplink_handle(struct cp_dplink *dl, short revents)
{
	if (!(revents & (POLLIN | POLLERR | POLLHUP)))
		return;
	while (dl->fd >= 0 && read_one(dl) > 0)
		;
}

/* See header. */
void cp_dplink_check(struct cp_dplink *dl, uint64_t now)
{
	for (int i = 0; dl->fd >= 0 && i < CP_DPLINK_INFLIGHT; i++)
		if (dl->req[i].used && now > dl->req[i].sent_ms + CP_DPLINK_TIMEOUT_MS)
			fail(dl, dl->req[i].type, -ETIMEDOUT);
}
