/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's reply bounds (controlplane/cp_rbound.c): RESP2 text
 * fed in every chunk size from 1 byte to the whole stream gives the same
 * output; what is within bounds passes byte for byte (a stream read reply
 * of nested arrays, nil, integers, status and error lines); a string over
 * CP_REPLY_STR_MAX and a nested array over CP_REPLY_NESTED_MAX (with
 * arrays and strings inside it) are replaced by one RELAIS_REFUSED error
 * element, the elements around them intact, and hiredis's reader reads the
 * result as the same reply shape; malformed headers, unknown type bytes,
 * over-deep nesting and an over-long status line refuse the stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "cp_rbound.h"

#define CHECK_MAIN
#include "check.h"

/* The filter's output, collected. */
struct out {
	char *p;
	size_t n, cap;
};

/* Sink: append to the collected output. */
static void collect(void *arg, const char *p, size_t n)
{
	struct out *o = arg;

	if (o->n + n + 1 > o->cap) {
		o->cap = (o->n + n + 1) * 2;
		o->p = realloc(o->p, o->cap);
	}
	memcpy(o->p + o->n, p, n);
	o->n += n;
	o->p[o->n] = '\0';
}

/* Feed in chunks of `chunk` bytes; the output (caller frees) and the last
 * return code in *rc. */
static char *run(const char *in, size_t n, size_t chunk, int *rc, struct cp_rbound *b)
{
	struct out o = {calloc(1, 1), 0, 1};

	cp_rbound_init(b);
	*rc = 0;
	for (size_t i = 0; i < n && *rc == 0; i += chunk)
		*rc = cp_rbound_feed(b, in + i, n - i < chunk ? n - i : chunk, collect, &o);
	return o.p;
}

/* Every chunk size gives want with rc 0 (want != NULL), or refuses the
 * stream with a reason containing why (want == NULL). */
static void try_chunks(const char *what, const char *in, size_t n, const char *want,
		       const char *why)
{
	int bad = 0;

	for (size_t chunk = 1; chunk <= n; chunk++) {
		struct cp_rbound b;
		int rc;
		char *got = run(in, n, chunk, &rc, &b);

		if (want ? rc != 0 || strcmp(got, want) != 0
			 : rc != -EPROTO || strstr(b.why, why) == NULL)
			bad++;
		free(got);
	}
	CHECKF(bad == 0, "%s: %d chunk sizes gave another result", what, bad);
}

/* Every chunk size gives want. */
static void expect(const char *what, const char *in, size_t n, const char *want)
{
	try_chunks(what, in, n, want, NULL);
}

/* Every chunk size refuses the stream with why in its reason. */
static void expect_refused(const char *what, const char *in, size_t n, const char *why)
{
	try_chunks(what, in, n, NULL, why);
}

/* A reply within bounds passes unchanged. */
static void test_pass(void)
{
	const char *x = "*1\r\n*2\r\n$6\r\nevents\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*4\r\n$4\r\ntype\r\n"
			"$4\r\npart\r\n$4\r\nroom\r\n$1\r\n7\r\n*2\r\n$3\r\n2-0\r\n*-1\r\n"
			"+OK\r\n-ERR no\r\n:42\r\n$-1\r\n*0\r\n$0\r\n\r\n";

	expect("pass", x, strlen(x), x);
}

/* A long string, and a long nested array, are replaced by one error
 * element each; hiredis reads the result. */
static void test_refuse(void)
{
	size_t big = CP_REPLY_STR_MAX + 1, n;
	char *in = malloc(big + 4096), *p = in, want[512];
	redisReader *r;
	redisReply *rep = NULL;
	struct cp_rbound b;
	int rc;
	char *got;

	p += sprintf(p, "*3\r\n$1\r\na\r\n$%zu\r\n", big);
	memset(p, 'x', big);
	p += big;
	p += sprintf(p, "\r\n$1\r\nb\r\n*2\r\n*%d\r\n", CP_REPLY_NESTED_MAX + 1);
	for (int i = 0; i < CP_REPLY_NESTED_MAX + 1; i++)
		p += sprintf(p, i % 2 ? "*2\r\n:1\r\n$2\r\nzz\r\n" : "$3\r\nabc\r\n");
	p += sprintf(p, "$1\r\nc\r\n");
	n = (size_t)(p - in);
	snprintf(want, sizeof(want),
		 "*3\r\n$1\r\na\r\n-" CP_REPLY_REFUSED "string of %zu bytes, more than %d\r\n"
		 "$1\r\nb\r\n*2\r\n-" CP_REPLY_REFUSED "array of %d elements, more than %d\r\n"
		 "$1\r\nc\r\n",
		 big, CP_REPLY_STR_MAX, CP_REPLY_NESTED_MAX + 1, CP_REPLY_NESTED_MAX);
	expect("refuse", in, n, want);

	got = run(in, n, 7, &rc, &b);
	CHECK_EQ(b.refused, 2u, "elements refused");
	r = redisReaderCreate();
	redisReaderFeed(r, got, strlen(got));
	CHECK(redisReaderGetReply(r, (void **)&rep) == REDIS_OK && rep != NULL);
	CHECK(rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 3);
	if (rep && rep->elements == 3) {
		CHECK_STR(cp_reply_refusal(rep->element[1]),
			  "string of 8193 bytes, more than 8192");
		CHECK(cp_reply_refusal(rep->element[0]) == NULL);
	}
	freeReplyObject(rep);
	redisReaderFree(r);
	free(got);
	free(in);
}

/* Streams that are not RESP2 as Redis speaks it are refused whole. */
static void test_dead(void)
{
	char deep[256] = "", line[CP_REPLY_STR_MAX + 64];

	expect_refused("type byte", "?x\r\n", 4, "unexpected type byte");
	expect_refused("bulk header", "$12a\r\n", 6, "malformed $ header");
	expect_refused("negative", "*-5\r\n", 5, "malformed * header");
	expect_refused("huge array", "*99999999999\r\n", 14, "array of 99999999999");
	for (int i = 0; i <= CP_REPLY_DEPTH_MAX; i++)
		strcat(deep, "*1\r\n");
	strcat(deep, ":1\r\n");
	expect_refused("depth", deep, strlen(deep), "nested deeper");
	line[0] = '+';
	memset(line + 1, 'a', sizeof(line) - 4);
	memcpy(line + sizeof(line) - 3, "\r\n", 3);
	expect_refused("status line", line, strlen(line), "line longer");
}

int main(void)
{
	test_pass();
	test_refuse();
	test_dead();
	return check_summary("test_cp_rbound");
}
