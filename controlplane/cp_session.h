/* SPDX-License-Identifier: BSD-3-Clause */
/* The node's Redis session: three links to the current master, so no
 * reply waits behind another kind: "lease" (register, heartbeat, sweep:
 * small and time-critical), "commands" (bulk loads, acks) and "events"
 * (the blocking event-stream read). It knows nothing of what is sent on
 * them: its owner learns that the session came up or went down through
 * two callbacks (struct cp_session_hooks), both run from the loop's own
 * calls (cp_session_step, cp_session_drop), the latter possibly from a
 * reply callback that decided to drop the session. */
#ifndef CP_SESSION_H
#define CP_SESSION_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "cp_alink.h"
#include "cp_redis.h"

/* How long the event link's XREADGROUP blocks. */
#define CP_EVT_BLOCK_MS 1000

enum cp_sess_state {
	CP_SESS_DOWN,      /* waiting for next_connect */
	CP_SESS_SENTINEL,  /* asking sentinel_i for the master */
	CP_SESS_HANDSHAKE, /* AUTH, ROLE, SCRIPT LOAD on the links */
	CP_SESS_UP
};

/* What the session's owner does when it comes up (up) and when it ends
 * (down: requests in flight have been answered NULL already). Either may
 * be NULL. */
struct cp_session_hooks {
	void (*up)(void *arg);
	void (*down)(void *arg);
	void *arg;
};

struct cp_session {
	const struct cp_redis_cfg *cfg;
	struct cp_session_hooks hooks;
	enum cp_sess_state state;
	struct cp_link lease, cmd, evt, sentinel;
	int sentinel_i;
	bool sentinel_answered, sentinel_failed;
	char master_host[256];
	int master_port;
	int handshake_left; /* handshake replies still expected */
	char fail[256];     /* first failure seen in this attempt, "" if none */
	uint64_t next_connect;
	int backoff_ms, connect_failures;
	struct cp_link *polled[4]; /* the links of the last cp_session_pollfds */
};

/* A session that is down and connects at the first step. */
void cp_session_init(struct cp_session *s, const struct cp_redis_cfg *cfg,
		     const struct cp_session_hooks *hooks);
/* Advance the connection state machine: connect after the backoff, ask the
 * sentinels, finish the handshake, notice dead or stalled links. Runs the
 * up hook once the session is up, the down hook when it drops it. */
void cp_session_step(struct cp_session *s, uint64_t now);
/* End the session (idempotent): links closed, every request in flight
 * answered NULL, the down hook run, reconnect after the backoff; why is
 * logged (NULL: quietly, when stopping). */
void cp_session_drop(struct cp_session *s, const char *why);
/* True when commands can be sent. */
bool cp_session_up(const struct cp_session *s);
/* Fill p (room for 4) with the links to poll; returns how many. */
int cp_session_pollfds(struct cp_session *s, struct pollfd *p);
/* Hand poll()'s results for the k entries cp_session_pollfds filled to
 * hiredis (runs reply callbacks). */
void cp_session_dispatch(struct cp_session *s, const struct pollfd *p, int k);
/* Send a directory script: register, heartbeat and sweep on the lease
 * link, the others on the command link; cb gets the reply (NULL if the
 * session ended first). 0 or -EIO. */
int cp_session_script(struct cp_session *s, enum cp_script id, int argc, const char **argv,
		      cp_link_cb *cb, void *priv);

#endif /* CP_SESSION_H */
