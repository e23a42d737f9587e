/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reply bounds of relaisctl's and relais-edge's blocking reads
 * (controlplane/cp_rblock.c), against a scripted server on a socketpair:
 * pipelined replies around a refused 9,000-byte string stay in step (the
 * refused one is a RELAIS_REFUSED error, the next one intact); a command
 * whose reply holds a refused element anywhere is refused whole (NULL),
 * naming its key, and the connection goes on; a stream the bounds refuse
 * (an unknown type byte) and the server's close end the context with the
 * reason; a context without bounds reads nothing.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "cp_rblock.h"
#include "cp_rbound.h"
#include "cp_util.h"

#define CHECK_MAIN
#include "check.h"

/* A blocking context on one end of a socketpair, with bounds when asked;
 * the other end in *srv. */
static redisContext *pair(int *srv, int bounded)
{
	int sv[2];
	redisContext *rc;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return NULL;
	rc = redisConnectFd(sv[0]);
	*srv = sv[1];
	if (rc && bounded)
		CHECK(cp_rblock_attach(rc) == 0);
	return rc;
}

/* The server sends s (n bytes; strlen when n is 0). */
static void say(int srv, const char *s, size_t n)
{
	n = n ? n : strlen(s);
	CHECK(write(srv, s, n) == (ssize_t)n);
}

/* "$len\r\n" + len 'x' + "\r\n" (caller frees), its length in *n. */
static char *bulk(size_t len, size_t *n)
{
	char *b = malloc(len + 32);
	int h = snprintf(b, 32, "$%zu\r\n", len);

	memset(b + h, 'x', len);
	memcpy(b + h + len, "\r\n", 2);
	*n = (size_t)h + len + 2;
	return b;
}

static void test_pipeline(void)
{
	int srv;
	redisContext *rc = pair(&srv, 1);
	redisReply *r[3];
	size_t n;
	char *big = bulk(9000, &n);

	CHECK(rc != NULL);
	for (int i = 0; i < 3; i++)
		CHECK(redisAppendCommand(rc, "GET k%d", i) == REDIS_OK);
	say(srv, "+OK\r\n", 0);
	say(srv, big, n);
	say(srv, ":5\r\n", 0);
	for (int i = 0; i < 3; i++)
		CHECK(cp_rblock_reply(rc, &r[i]) == REDIS_OK);
	CHECK(r[0]->type == REDIS_REPLY_STATUS && strcmp(r[0]->str, "OK") == 0);
	CHECK(cp_reply_refusal(r[1]) != NULL &&
	      strcmp(cp_reply_refusal(r[1]), "string of 9000 bytes, more than 8192") == 0);
	CHECK(r[2]->type == REDIS_REPLY_INTEGER && r[2]->integer == 5);
	for (int i = 0; i < 3; i++)
		freeReplyObject(r[i]);
	free(big);
	cp_rblock_free(rc);
	close(srv);
}

static void test_cmd(void)
{
	int srv;
	redisContext *rc = pair(&srv, 1);
	redisReply *r;
	size_t n;
	char *big = bulk(CP_REPLY_STR_MAX + 1, &n);

	CHECK(rc != NULL);
	/* An array whose second element is too long: refused whole. */
	say(srv, "*2\r\n$1\r\na\r\n", 0);
	say(srv, big, n);
	r = cp_rblock_cmd(rc, "relais:{dir}:rooms", "SRANDMEMBER %s 3", "relais:{dir}:rooms");
	CHECK(r == NULL && rc->err == 0);
	/* In bounds at the limit: taken, and the stream is still in step. */
	free(big);
	big = bulk(CP_REPLY_STR_MAX, &n);
	say(srv, big, n);
	r = cp_rblock_cmd(rc, "k", "GET k");
	CHECK(r != NULL && r->type == REDIS_REPLY_STRING && r->len == CP_REPLY_STR_MAX);
	CHECK(cp_reply_refused_in(r) == NULL);
	freeReplyObject(r);
	/* Without a name nothing is refused here: the caller sees the shape. */
	say(srv, "*1\r\n", 0);
	free(big);
	big = bulk(CP_REPLY_STR_MAX + 1, &n);
	say(srv, big, n);
	r = cp_rblock_cmd(rc, NULL, "ROLE");
	CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 1);
	CHECK(r && cp_reply_refused_in(r) != NULL);
	freeReplyObject(r);
	free(big);
	cp_rblock_free(rc);
	close(srv);
}

static void test_end(void)
{
	int srv;
	redisContext *rc = pair(&srv, 1);

	CHECK(rc != NULL);
	say(srv, "?what\r\n", 0);
	CHECK(cp_rblock_cmd(rc, "k", "GET k") == NULL);
	CHECK(rc->err == REDIS_ERR_PROTOCOL && strstr(rc->errstr, "reply refused") != NULL);
	CHECK(cp_rblock_cmd(rc, "k", "GET k") == NULL); /* the context is done */
	cp_rblock_free(rc);
	close(srv);

	rc = pair(&srv, 1);
	close(srv);
	CHECK(cp_rblock_cmd(rc, "k", "GET k") == NULL);
	CHECK(rc->err == REDIS_ERR_EOF || rc->err == REDIS_ERR_IO);
	cp_rblock_free(rc);

	rc = pair(&srv, 0);
	say(srv, "+OK\r\n", 0);
	CHECK(cp_rblock_cmd(rc, "k", "GET k") == NULL && rc->err == REDIS_ERR_OTHER);
	redisFree(rc);
	close(srv);
	cp_rblock_free(NULL);
}

int main(void)
{
	cp_log_prog = "test_cp_rblock";
	signal(SIGPIPE, SIG_IGN); /* the command to a closed server fails instead */
	test_pipeline();
	test_cmd();
	test_end();
	return check_summary("test_cp_rblock");
}
