/* SPDX-License-Identifier: BSD-3-Clause */
/* Reply bounds: a RESP2 stream filter between a link's socket and hiredis's
 * reader. Debian 12's hiredis 0.14 has no reader limits (no maxelements; it
 * buffers any bulk string a reply announces), so every byte read from Redis
 * passes through here first and is bounded before hiredis buffers it:
 *
 *  - a bulk string longer than CP_REPLY_STR_MAX is never buffered: its
 *    bytes are discarded as they arrive and hiredis sees, in its place, an
 *    error element "RELAIS_REFUSED string of N bytes, more than M";
 *  - a nested array (an element of another array: stream entries, their
 *    field lists) longer than CP_REPLY_NESTED_MAX, or a reply's own array
 *    longer than CP_REPLY_TOP_MAX, is discarded whole the same way;
 *  - a status, error or integer line longer than CP_REPLY_STR_MAX, an
 *    array nesting deeper than CP_REPLY_DEPTH_MAX or a malformed header end
 *    the connection (the server is not speaking RESP2 as Redis does).
 *
 * The refusal is per element, so a hostile value refuses the object,
 * room or event entry that holds it (by name, in the caller's log line:
 * cp_reply_refusal) and the link goes on serving everything else. The
 * filter keeps O(1) state and never looks at a byte twice. */
#ifndef CP_RBOUND_H
#define CP_RBOUND_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

/* Longest single string (bulk string, status or error line) taken. */
#define CP_REPLY_STR_MAX 8192
/* Most elements of an array inside an array: a stream read's entries (at
 * most the XREADGROUP COUNT, 100, cp_events.c) and an entry's fields. */
#define CP_REPLY_NESTED_MAX 128
/* Most elements of a reply's own array: the largest count a command asks
 * for (SRANDMEMBER with --max-objects' ceiling + 1, cp_opts.c). */
#define CP_REPLY_TOP_MAX 10000001
/* Deepest array nesting taken (XREADGROUP's is 5). */
#define CP_REPLY_DEPTH_MAX 8
/* Prefix of the error element that stands for a refused element. */
#define CP_REPLY_REFUSED "RELAIS_REFUSED "

/* Where filtered bytes go (the link feeds them to hiredis's reader). */
typedef void cp_rbound_sink(void *arg, const char *p, size_t n);

struct cp_rbound {
	int state;                       /* RB_* in cp_rbound.c */
	char head[24];                   /* a '$' or '*' header being read */
	int head_len;                    /* its bytes so far */
	char type;                       /* type byte of the item being read */
	uint64_t left;                   /* payload bytes left (passed or discarded) */
	uint64_t skip;                   /* items left of a refused array (0: none) */
	size_t line_len;                 /* bytes of a simple line so far */
	int depth;                       /* arrays open (passed through) */
	int64_t rem[CP_REPLY_DEPTH_MAX]; /* elements left per open array */
	uint64_t refused;                /* elements refused so far */
	char why[96];                    /* why the stream was refused (-EPROTO) */
};

/* Reset to the start of a stream (a new connection). */
void cp_rbound_init(struct cp_rbound *b);
/* Filter n bytes read from the socket, handing what hiredis may see to
 * sink (in order, possibly in several pieces, possibly nothing). 0, or
 * -EPROTO with b->why set when the stream is refused whole (the caller
 * closes the connection); after that the filter takes nothing more. */
int cp_rbound_feed(struct cp_rbound *b, const char *in, size_t n, cp_rbound_sink *sink, void *arg);

/* The refusal text when e stands for a refused element ("string of N
 * bytes, more than M"), or NULL. */
const char *cp_reply_refusal(const redisReply *e);

#endif /* CP_RBOUND_H */
