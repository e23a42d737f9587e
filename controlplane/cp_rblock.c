/* SPDX-License-Identifier: BSD-3-Clause */
/* Reply bounds on a blocking hiredis context; see cp_rblock.h. What
 * hiredis 0.14's redisGetReply and redisBufferRead do, with
 * cp_rbound_feed between read() and the reader. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cp_rblock.h"
#include "cp_rbound.h"
#include "cp_util.h"

/* The bounds of rc, or NULL when it has none. */
static struct cp_rbound *bounds(const redisContext *rc)
{
	return rc->reader ? rc->reader->privdata : NULL;
}

/* See header. */
int cp_rblock_attach(redisContext *rc)
{
	struct cp_rbound *b = malloc(sizeof(*b));

	if (b == NULL)
		return -ENOMEM;
	cp_rbound_init(b);
	rc->reader->privdata = b;
	return 0;
}

/* See header. */
void cp_rblock_free(redisContext *rc)
{
	if (rc == NULL)
		return;
	free(bounds(rc));
	if (rc->reader)
		rc->reader->privdata = NULL;
	redisFree(rc);
}

/* Record an error on rc as hiredis does (its own setter is private). */
static void __attribute__((format(printf, 3, 4)))
set_err(redisContext *rc, int type, const char *fmt, ...)
{
	va_list ap;

	rc->err = type;
	va_start(ap, fmt);
	vsnprintf(rc->errstr, sizeof(rc->errstr), fmt, ap);
	va_end(ap);
}

/* The bounds' sink: hiredis's reader (a failure is seen in reader->err). */
static void feed_reader(void *arg, const char *p, size_t n)
{
	redisReaderFeed(arg, p, n);
}

/* One read() through the bounds into the reader. 0, or -1 with rc->err
 * set (socket error or timeout, end of file, stream refused). */
static int read_bounded(redisContext *rc, struct cp_rbound *b)
{
	char buf[16384];
	ssize_t n;

	if (rc->err)
		return -1;
	n = read(rc->fd, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0) {
		set_err(rc, REDIS_ERR_IO, "%s", strerror(errno));
		return -1;
	}
	if (n == 0) {
		set_err(rc, REDIS_ERR_EOF, "Server closed the connection");
		return -1;
	}
	if (cp_rbound_feed(b, buf, (size_t)n, feed_reader, rc->reader) < 0) {
		set_err(rc, REDIS_ERR_PROTOCOL, "reply refused: %s", b->why);
		return -1;
	}
	if (rc->reader->err) {
		set_err(rc, rc->reader->err, "%s", rc->reader->errstr);
		return -1;
	}
	return 0;
}

/* See header. */
int cp_rblock_reply(redisContext *rc, redisReply **out)
{
	struct cp_rbound *b = bounds(rc);
	void *aux = NULL;
	int done = 0;

	*out = NULL;
	if (b == NULL) {
		set_err(rc, REDIS_ERR_OTHER, "connection without reply bounds");
		return REDIS_ERR;
	}
	if (redisGetReplyFromReader(rc, &aux) == REDIS_ERR)
		return REDIS_ERR;
	if (aux == NULL) {
		do {
			if (redisBufferWrite(rc, &done) == REDIS_ERR)
				return REDIS_ERR;
		} while (!done);
	}
	while (aux == NULL)
		if (read_bounded(rc, b) < 0 || redisGetReplyFromReader(rc, &aux) == REDIS_ERR)
			return REDIS_ERR;
	*out = aux;
	return REDIS_OK;
}

/* See header. */
const char *cp_reply_refused_in(const redisReply *r)
{
	const char *why = cp_reply_refusal(r);

	if (r == NULL || why != NULL || r->type != REDIS_REPLY_ARRAY)
		return why;
	for (size_t i = 0; i < r->elements; i++)
		if ((why = cp_reply_refused_in(r->element[i])) != NULL)
			return why;
	return NULL;
}

/* The reply of the command just appended (appended is REDIS_OK when it
 * was), or NULL with the failure logged naming what (see header). */
static redisReply *finish(redisContext *rc, const char *what, int appended)
{
	redisReply *r = NULL;
	const char *why;

	/* CP_ERR escapes the line: what may hold a member read from Redis. */
	if (appended != REDIS_OK || cp_rblock_reply(rc, &r) != REDIS_OK) {
		if (what)
			CP_ERR("redis: %s: %s", what, rc->errstr[0] ? rc->errstr : "out of memory");
		return NULL;
	}
	if (what && (why = cp_reply_refused_in(r)) != NULL) {
		CP_ERR("refusing %s: %s", what, why);
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

/* See header. */
redisReply *cp_rblock_cmd(redisContext *rc, const char *what, const char *fmt, ...)
{
	va_list ap;
	int rc2;

	va_start(ap, fmt);
	rc2 = redisvAppendCommand(rc, fmt, ap);
	va_end(ap);
	return finish(rc, what, rc2);
}

/* See header. */
redisReply *cp_rblock_argv(redisContext *rc, const char *what, int argc, const char **argv)
{
	return finish(rc, what, redisAppendCommandArgv(rc, argc, argv, NULL));
}
