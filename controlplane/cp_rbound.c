/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reply bounds (see cp_rbound.h): a RESP2 tokenizer that only looks at
 * headers. Bytes pass to hiredis's reader in place ([from, i) below is
 * always a run of bytes to pass); a '$' or '*' header is held back until
 * its CRLF, then handed on as is or replaced by a RELAIS_REFUSED error
 * element while what it announced is discarded. Inside a refused array
 * (b->skip > 0) every element is discarded, nested ones included.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_rbound.h"

enum {
	RB_START,
	RB_HEAD,
	RB_LINE,
	RB_PAYLOAD,
	RB_DROP,
	RB_DEAD
};

/* See header. */
void cp_rbound_init(struct cp_rbound *b)
{
	memset(b, 0, sizeof(*b));
	b->state = RB_START;
}

/* The stream is refused whole: note why. Returns -EPROTO. */
static int __attribute__((format(printf, 2, 3))) rb_dead(struct cp_rbound *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->why, sizeof(b->why), fmt, ap);
	va_end(ap);
	b->state = RB_DEAD;
	return -EPROTO;
}

/* One element ended (passed, refused, or inside a refused array): count
 * it against the arrays open around it. */
static void item_done(struct cp_rbound *b)
{
	b->state = RB_START;
	if (b->skip > 0 && --b->skip > 0)
		return; /* still inside the refused array */
	while (b->depth > 0 && --b->rem[b->depth - 1] == 0)
		b->depth--;
}

/* Hand hiredis an error element in place of a refused one. */
static void refuse(struct cp_rbound *b, const char *what, int64_t n, const char *unit, long max,
		   cp_rbound_sink *sink, void *arg)
{
	char e[128];
	int k =
	    snprintf(e, sizeof(e), "-" CP_REPLY_REFUSED "%s of %" PRId64 " %s, more than %ld\r\n",
		     what, n, unit, max);

	sink(arg, e, (size_t)k);
	b->refused++;
}

/* The value of the '$' or '*' header in b->head ("$123\r\n"). 0/-EPROTO. */
static int head_value(struct cp_rbound *b, int64_t *v)
{
	char *end;
	long long x;

	if (b->head_len < 4 || b->head[b->head_len - 2] != '\r')
		return rb_dead(b, "malformed %c header", b->type);
	b->head[b->head_len - 2] = '\0';
	errno = 0;
	x = strtoll(b->head + 1, &end, 10);
	if (errno || end == b->head + 1 || *end != '\0' || x < -1)
		return rb_dead(b, "malformed %c header", b->type);
	b->head[b->head_len - 2] = '\r';
	*v = x;
	return 0;
}

/* A bulk string header of length v. */
static void bulk_head(struct cp_rbound *b, int64_t v, cp_rbound_sink *sink, void *arg)
{
	if (v == -1) { /* nil */
		if (b->skip == 0)
			sink(arg, b->head, (size_t)b->head_len);
		item_done(b);
		return;
	}
	b->left = (uint64_t)v + 2; /* the payload and its CRLF */
	b->state = RB_PAYLOAD;
	if (b->skip > 0)
		return; /* discarded with the refused array */
	if (v > CP_REPLY_STR_MAX) {
		refuse(b, "string", v, "bytes", CP_REPLY_STR_MAX, sink, arg);
		b->state = RB_DROP;
		return;
	}
	sink(arg, b->head, (size_t)b->head_len);
}

/* An array header of v elements. 0/-EPROTO. */
static int array_head(struct cp_rbound *b, int64_t v, cp_rbound_sink *sink, void *arg)
{
	long max = b->depth == 0 ? CP_REPLY_TOP_MAX : CP_REPLY_NESTED_MAX;

	if (v > CP_REPLY_TOP_MAX)
		return rb_dead(b, "array of %" PRId64 " elements", v);
	if (b->skip > 0) {
		b->skip += v > 0 ? (uint64_t)v : 0;
		item_done(b);
		return 0;
	}
	if (v <= 0) { /* empty or nil */
		sink(arg, b->head, (size_t)b->head_len);
		item_done(b);
	} else if (v > max) {
		refuse(b, "array", v, "elements", max, sink, arg);
		b->skip = (uint64_t)v;
		b->state = RB_START;
	} else if (b->depth == CP_REPLY_DEPTH_MAX) {
		return rb_dead(b, "arrays nested deeper than %d", CP_REPLY_DEPTH_MAX);
	} else {
		sink(arg, b->head, (size_t)b->head_len);
		b->rem[b->depth++] = v;
		b->state = RB_START;
	}
	return 0;
}

/* A complete '$' or '*' header is in b->head. 0/-EPROTO. */
static int header(struct cp_rbound *b, cp_rbound_sink *sink, void *arg)
{
	int64_t v = 0;

	if (head_value(b, &v) < 0)
		return -EPROTO;
	if (b->type == '$') {
		bulk_head(b, v, sink, arg);
		return 0;
	}
	return array_head(b, v, sink, arg);
}

/* The first byte of an element. 0/-EPROTO. */
static int start(struct cp_rbound *b, char c)
{
	b->type = c;
	if (c == '$' || c == '*') {
		b->head[0] = c;
		b->head_len = 1;
		b->state = RB_HEAD;
	} else if (c == '+' || c == '-' || c == ':') {
		b->line_len = 1;
		b->state = RB_LINE;
	} else {
		return rb_dead(b, "unexpected type byte 0x%02x", (unsigned char)c);
	}
	return 0;
}

/* See header. */
int cp_rbound_feed(struct cp_rbound *b, const char *in, size_t n, cp_rbound_sink *sink, void *arg)
{
	size_t i = 0, from = 0, k;
	const char *nl;

#define FLUSH()                                         \
	do {                                            \
		if (i > from)                           \
			sink(arg, in + from, i - from); \
		from = i;                               \
	} while (0)
	while (i < n && b->state != RB_DEAD) {
		switch (b->state) {
		case RB_START:
			FLUSH();
			if (start(b, in[i]) < 0)
				return -EPROTO;
			i++;
			if (b->state == RB_HEAD || b->skip > 0)
				from = i; /* held back, or discarded */
			break;
		case RB_HEAD:
			if (b->head_len == (int)sizeof(b->head))
				return rb_dead(b, "%c header too long", b->type);
			b->head[b->head_len++] = in[i++];
			from = i;
			if (in[i - 1] == '\n' && header(b, sink, arg) < 0)
				return -EPROTO;
			break;
		case RB_LINE:
			nl = memchr(in + i, '\n', n - i);
			k = nl ? (size_t)(nl - (in + i)) + 1 : n - i;
			b->line_len += k;
			if (b->line_len > CP_REPLY_STR_MAX + 3)
				return rb_dead(b, "%c line longer than %d", b->type,
					       CP_REPLY_STR_MAX);
			i += k;
			if (b->skip > 0)
				from = i;
			if (nl)
				item_done(b);
			break;
		default: /* RB_PAYLOAD, RB_DROP */
			k = b->left < n - i ? (size_t)b->left : n - i;
			if (b->state == RB_DROP || b->skip > 0) {
				FLUSH();
				from = i + k;
			}
			i += k;
			b->left -= k;
			if (b->left == 0)
				item_done(b);
			break;
		}
	}
	FLUSH();
#undef FLUSH
	return b->state == RB_DEAD ? -EPROTO : 0;
}

/* See header. */
const char *cp_reply_refusal(const redisReply *e)
{
	size_t k = strlen(CP_REPLY_REFUSED);

	if (e == NULL || e->type != REDIS_REPLY_ERROR || e->str == NULL ||
	    strncmp(e->str, CP_REPLY_REFUSED, k) != 0)
		return NULL;
	return e->str + k;
}
