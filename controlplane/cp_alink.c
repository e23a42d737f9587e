/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cp_alink.h"
#include "cp_util.h"

/* A request in flight: the caller's callback and the link it counts on. */
struct cp_req {
	struct cp_link *l;
	cp_link_cb *cb;
	void *priv;
};

/* hiredis ev hooks: only record what to poll for; the loop polls. */
static void ev_add_read(void *p)
{
	((struct cp_link *)p)->want_read = true;
}

static void ev_del_read(void *p)
{
	((struct cp_link *)p)->want_read = false;
}

static void ev_add_write(void *p)
{
	((struct cp_link *)p)->want_write = true;
}

static void ev_del_write(void *p)
{
	((struct cp_link *)p)->want_write = false;
}

/* Called by hiredis right before it frees the context, whatever the reason
 * (error, server close, cp_link_close): the link forgets it. */
static void ev_cleanup(void *p)
{
	struct cp_link *l = p;

	if (l->ac && l->ac->errstr && l->ac->err)
		snprintf(l->err, sizeof(l->err), "%s", l->ac->errstr);
	l->ac = NULL;
	l->want_read = l->want_write = false;
}

/* hiredis's connect result: a failed connect is freed by hiredis after
 * this call (ev_cleanup runs); nothing else to do. */
static void on_connect(const redisAsyncContext *ac, int status)
{
	struct cp_link *l = ac->ev.data;

	if (l == NULL)
		return;
	if (status == REDIS_OK)
		l->connected = true;
	else
		snprintf(l->err, sizeof(l->err), "%s", ac->errstr ? ac->errstr : "connect failed");
}

/* See header. */
int cp_link_open(struct cp_link *l, const char *name, const char *host, int port)
{
	redisAsyncContext *ac;

	cp_link_close(l);
	l->name = name;
	l->inflight = 0;
	l->connected = false;
	l->err[0] = '\0';
	snprintf(l->host, sizeof(l->host), "%s", host);
	l->port = port;
	cp_rbound_init(&l->rb);
	ac = redisAsyncConnect(host, port);
	if (ac == NULL)
		return -ENOMEM;
	if (ac->err) {
		snprintf(l->err, sizeof(l->err), "%s", ac->errstr);
		redisAsyncFree(ac);
		return -ECONNREFUSED;
	}
	ac->ev.data = l;
	ac->ev.addRead = ev_add_read;
	ac->ev.delRead = ev_del_read;
	ac->ev.addWrite = ev_add_write;
	ac->ev.delWrite = ev_del_write;
	ac->ev.cleanup = ev_cleanup;
	redisAsyncSetConnectCallback(ac, on_connect);
	l->ac = ac;
	/* hiredis waits for writability to learn the connect's outcome. */
	l->want_write = true;
	l->last_progress = cp_now_ms();
	return 0;
}

/* See header. */
void cp_link_close(struct cp_link *l)
{
	if (l->ac)
		redisAsyncFree(l->ac); /* ev_cleanup clears l->ac (maybe later) */
}

/* See header. */
bool cp_link_open_p(const struct cp_link *l)
{
	return l->ac != NULL;
}

/* hiredis's reply callback: count the reply, then the caller's callback. */
static void on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct cp_req *q = privdata;

	(void)ac;
	q->l->inflight--;
	q->l->last_progress = cp_now_ms();
	if (q->cb)
		q->cb(q->l, reply, q->priv);
	free(q);
}

/* Request bookkeeping before a send; NULL when the link cannot take one. */
static struct cp_req *req_new(struct cp_link *l, cp_link_cb *cb, void *priv)
{
	struct cp_req *q;

	if (l->ac == NULL || (l->ac->c.flags & (REDIS_DISCONNECTING | REDIS_FREEING)))
		return NULL;
	q = malloc(sizeof(*q));
	if (q == NULL)
		return NULL;
	*q = (struct cp_req){l, cb, priv};
	if (l->inflight == 0)
		l->last_progress = cp_now_ms();
	return q;
}

/* See header. */
int cp_link_argv(struct cp_link *l, cp_link_cb *cb, void *priv, int argc, const char **argv)
{
	struct cp_req *q = req_new(l, cb, priv);

	if (q == NULL)
		return -EIO;
	if (redisAsyncCommandArgv(l->ac, on_reply, q, argc, argv, NULL) != REDIS_OK) {
		free(q);
		return -EIO;
	}
	l->inflight++;
	return 0;
}

/* See header. */
int cp_link_cmd(struct cp_link *l, cp_link_cb *cb, void *priv, const char *fmt, ...)
{
	struct cp_req *q = req_new(l, cb, priv);
	va_list ap;
	int rc;

	if (q == NULL)
		return -EIO;
	va_start(ap, fmt);
	rc = redisvAsyncCommand(l->ac, on_reply, q, fmt, ap);
	va_end(ap);
	if (rc != REDIS_OK) {
		free(q);
		return -EIO;
	}
	l->inflight++;
	return 0;
}

/* See header. */
int cp_link_pollfd(const struct cp_link *l, struct pollfd *p)
{
	if (l->ac == NULL || l->ac->c.fd < 0)
		return 0;
	p->fd = l->ac->c.fd;
	p->events = (short)((l->want_read ? POLLIN : 0) | (l->want_write ? POLLOUT : 0));
	p->revents = 0;
	return 1;
}

/* hiredis 0.14 exports this (its own read handler's second half) but its
 * async.h does not declare it. */
void redisProcessCallbacks(redisAsyncContext *ac);

/* The reply bounds' sink: hiredis's reader. */
static void feed_reader(void *arg, const char *p, size_t n)
{
	redisReaderFeed(arg, p, n);
}

/* Reads per wake-up: up to 1 MiB, so a large reply (or a refused one being
 * discarded) moves at memory speed without starving the other links. The
 * complete replies of each 16 KiB read are handed out before the next read:
 * hiredis 0.14's reader moves what is left of its buffer to the front every
 * 1 KiB consumed, so a 1 MiB backlog of small replies (a load's pipeline)
 * cost quadratic copying, seconds on a loaded machine, and the loop missed
 * its lease deadline (tests/controlplane/cp_large_node.sh). */
#define READS_PER_TURN 64
/* ... and for at most this long: the replies of a load's pipeline (a
 * 40,000-participant node reloads ~90,000 objects) are parsed in slices,
 * so the loop gets back to its lease clock and heartbeats between them. */
#define READ_BUDGET_MS 20

/* One read from the socket through the reply bounds into hiredis's
 * reader: 1 when bytes came (the link is making progress, even inside one
 * long reply), 0 when none are waiting, -1 when the link was handed to
 * hiredis (connect, end of file, error) or closed (bounds refused). */
static int read_once(struct cp_link *l)
{
	redisAsyncContext *ac = l->ac;
	char buf[16384];
	ssize_t n = read(ac->c.fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n <= 0) {
		redisProcessCallbacks(ac); /* the replies read before the end first */
		if (l->ac)
			redisAsyncHandleRead(l->ac);
		return -1;
	}
	l->last_progress = cp_now_ms();
	if (cp_rbound_feed(&l->rb, buf, (size_t)n, feed_reader, ac->c.reader) < 0) {
		CP_ERR("redis %s link to %s:%d: reply refused: %s; closing the link", l->name,
		       l->host, l->port, l->rb.why);
		snprintf(l->err, sizeof(l->err), "reply refused: %s", l->rb.why);
		cp_link_close(l);
		return -1;
	}
	return (size_t)n == sizeof(buf) ? 1 : 0;
}

/* What redisAsyncHandleRead does, with the reply bounds between the socket
 * and the reader (read_once), then the callbacks of the replies complete.
 * The connect's outcome, end of file and socket errors go to hiredis's own
 * handler, which finds them again and closes the link; a stream the bounds
 * refuse closes the link (logged). */
static void link_read(struct cp_link *l)
{
	uint64_t t0 = cp_now_ms();
	int rc = 1;

	if (!(l->ac->c.flags & REDIS_CONNECTED) || l->ac->c.reader == NULL) {
		redisAsyncHandleRead(l->ac);
		return;
	}
	for (int i = 0; i < READS_PER_TURN && rc == 1 && l->ac && cp_now_ms() - t0 < READ_BUDGET_MS;
	     i++) {
		rc = read_once(l);
		if (rc >= 0 && l->ac)
			redisProcessCallbacks(l->ac);
	}
}

/* See header. Errors and hang-ups go through a read, where hiredis finds
 * them and closes the link. */
void cp_link_handle(struct cp_link *l, short revents)
{
	if (l->ac && (revents & (POLLIN | POLLERR | POLLHUP)))
		link_read(l);
	if (l->ac && (revents & POLLOUT))
		redisAsyncHandleWrite(l->ac);
}

/* See header. */
bool cp_link_stalled(const struct cp_link *l, uint64_t now, int limit_ms)
{
	bool connecting = l->ac && !(l->ac->c.flags & REDIS_CONNECTED);

	return (l->inflight > 0 || connecting) && now > l->last_progress + (uint64_t)limit_ms;
}
