/* SPDX-License-Identifier: BSD-3-Clause */
/* Reply bounds on a blocking hiredis context: relaisctl's and relais-edge's
 * reads, the blocking counterpart of the control plane's links
 * (cp_alink.h). hiredis 0.14's redisCommand / redisGetReply read whatever
 * a reply announces, so these read the socket themselves and pass every
 * byte through the reply bounds (cp_rbound.h) before hiredis's reader
 * buffers it: a string over CP_REPLY_STR_MAX or a nested array over
 * CP_REPLY_NESTED_MAX comes back as a RELAIS_REFUSED error element, its
 * bytes discarded as they arrive; a stream the bounds refuse whole ends
 * the context (REDIS_ERR_PROTOCOL, "reply refused: ..."). The bounds'
 * state belongs to the context (it is kept in its reader's privdata), so
 * pipelined replies are one stream. Every read of a context that
 * cp_redis_connect made goes through here, never through redisCommand or
 * redisGetReply. */
#ifndef CP_RBLOCK_H
#define CP_RBLOCK_H

#include <hiredis/hiredis.h>

/* Give rc its reply bounds (cp_redis_connect does). 0 or -ENOMEM. */
int cp_rblock_attach(redisContext *rc);
/* redisFree with the bounds. NULL-safe. */
void cp_rblock_free(redisContext *rc);

/* The next reply owed (what redisGetReply does, bounded): REDIS_OK with
 * *out set, or REDIS_ERR with rc->err / rc->errstr set. */
int cp_rblock_reply(redisContext *rc, redisReply **out);

/* A command (hiredis format, or argv) and its reply, bounded. what names
 * the key read (or the script run) in the one log line (CP_ERR) that a
 * failure gets: "refusing WHAT: string of N bytes, more than 8192" when an
 * element anywhere in the reply was refused (the reply is freed), "redis:
 * WHAT: ERRSTR" when the context failed (rc->err is then set). The reply,
 * or NULL. With what NULL nothing is logged and a reply holding refused
 * elements is returned as it is (for callers that check its shape and
 * report on their own: the connect's AUTH, ROLE and Sentinel query). */
redisReply *cp_rblock_cmd(redisContext *rc, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
redisReply *cp_rblock_argv(redisContext *rc, const char *what, int argc, const char **argv);

/* The refusal text (cp_reply_refusal) of the first refused element of r,
 * at any depth, or NULL. */
const char *cp_reply_refused_in(const redisReply *r);

#endif /* CP_RBLOCK_H */
