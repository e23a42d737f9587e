/* SPDX-License-Identifier: BSD-3-Clause */
/* One asynchronous Redis connection (hiredis async API) driven by the
 * control plane's own poll() loop: this file is the event-loop adapter
 * (hiredis's ev hooks set the poll events we wait for) plus the bookkeeping
 * that hiredis 0.14 lacks: requests in flight and a stall clock, so a
 * silent server is detected without blocking the loop, and reader limits:
 * every byte read passes the reply bounds (cp_rbound.h) before hiredis
 * buffers it. */
#ifndef CP_ALINK_H
#define CP_ALINK_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "cp_rbound.h"

struct cp_link {
	redisAsyncContext *ac; /* NULL when closed (hiredis frees it on errors) */
	const char *name;      /* for log lines: "commands", "events", "sentinel" */
	bool want_read, want_write;
	bool connected;         /* the TCP connect completed */
	int inflight;           /* requests sent, reply not yet seen */
	uint64_t last_progress; /* ms: last bytes read, or send on an idle link */
	char host[256];
	int port;
	char err[128];       /* why the connection ended, when hiredis said */
	struct cp_rbound rb; /* bounds on what is read (cp_rbound.h) */
};

/* Reply callback of a link request: reply is NULL when the connection ended
 * before the reply (every pending request gets that call, in order). The
 * reply is freed by hiredis after the call returns. */
typedef void cp_link_cb(struct cp_link *l, redisReply *reply, void *priv);

/* Start a non-blocking TCP connect to host:port. Requests may be queued at
 * once; they are written when the connection is up. 0 or -errno
 * (-ENOMEM, -ECONNREFUSED-like errors set l->err). */
int cp_link_open(struct cp_link *l, const char *name, const char *host, int port);
/* Close the connection if open. Every pending callback runs with a NULL
 * reply (inside this call, or after the current callback returns when
 * called from one). Idempotent. */
void cp_link_close(struct cp_link *l);
/* True while a connection exists (connecting or connected). */
bool cp_link_open_p(const struct cp_link *l);

/* Queue a request (argv form); cb may be NULL (reply ignored). 0, or -EIO when the link is closed or
 * closing (cb is then not called). */
int cp_link_argv(struct cp_link *l, cp_link_cb *cb, void *priv, int argc, const char **argv);
/* Queue a request (printf-like hiredis format). 0 or -EIO as above. */
int cp_link_cmd(struct cp_link *l, cp_link_cb *cb, void *priv, const char *fmt, ...);

/* Fill *p for poll() with what hiredis waits for. 1 when the link takes
 * part in this poll, 0 otherwise. */
int cp_link_pollfd(const struct cp_link *l, struct pollfd *p);
/* Hand poll()'s result for this link to hiredis (may run callbacks, may
 * close the link). */
void cp_link_handle(struct cp_link *l, short revents);
/* True when requests are in flight and nothing has come back for more
 * than limit_ms: the server or the path is gone (hiredis 0.14 has no
 * command timeout of its own). */
bool cp_link_stalled(const struct cp_link *l, uint64_t now, int limit_ms);

#endif /* CP_ALINK_H */
