/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's Redis session on hiredis's async API, in the node's
 * own poll() loop (cp_alink.c is the adapter). Connecting is a small state
 * machine advanced by cp_session_step() from the loop, never from a reply
 * callback (hiredis may still hold the context there):
 *
 *   DOWN --backoff--> SENTINEL (each sentinel in turn, Redis "Sentinel
 *   clients guidelines") --> HANDSHAKE (AUTH, ROLE == master, SCRIPT LOAD)
 *   --> UP --(a link ends, stalls or fails)--> DOWN
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cp_session.h"
#include "cp_util.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000
/* The event link's XREADGROUP blocks up to this long (cp_events.c); its
 * stall limit is this plus the command timeout. */
#define EVT_BLOCK_SLACK_MS CP_EVT_BLOCK_MS

/* First failure of the attempt wins: it is the one worth logging. */
static void __attribute__((format(printf, 2, 3)))
sess_fail(struct cp_session *s, const char *fmt, ...)
{
	va_list ap;

	if (s->fail[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(s->fail, sizeof(s->fail), fmt, ap);
	va_end(ap);
}

/* See header. */
bool cp_session_up(const struct cp_session *s)
{
	return s->state == CP_SESS_UP;
}

/* See header. */
void cp_session_init(struct cp_session *s, const struct cp_redis_cfg *cfg,
		     const struct cp_session_hooks *hooks)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	if (hooks)
		s->hooks = *hooks;
	s->state = CP_SESS_DOWN;
	s->backoff_ms = BACKOFF_MIN_MS;
}

/* See header. */
void cp_session_drop(struct cp_session *s, const char *why)
{
	bool was_up = s->state == CP_SESS_UP;

	if (s->state == CP_SESS_DOWN)
		return;
	s->state = CP_SESS_DOWN; /* first: callbacks run by the closes see it */
	cp_link_close(&s->sentinel);
	cp_link_close(&s->lease);
	cp_link_close(&s->cmd);
	cp_link_close(&s->evt);
	if (s->hooks.down)
		s->hooks.down(s->hooks.arg);
	if (why == NULL) /* stopping */
		return;
	if (was_up || s->connect_failures++ % 10 == 0)
		CP_ERR("redis %s: %s (attempt %d, retrying in %d ms, backoff up to %d ms)",
		       was_up ? "lost" : "unavailable", why, s->connect_failures, s->backoff_ms,
		       BACKOFF_MAX_MS);
	s->next_connect = cp_now_ms() + (uint64_t)s->backoff_ms;
	s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
}

/* AUTH reply of a sentinel: a refusal fails this sentinel (logged). */
static void on_sentinel_auth(struct cp_link *l, redisReply *r, void *priv)
{
	struct cp_session *s = priv;
	char esc[4 * 100];

	if (r == NULL || r->type != REDIS_REPLY_ERROR || s->sentinel_failed)
		return;
	cp_escape(r->str ? r->str : "", esc, sizeof(esc));
	CP_WARN("sentinel %s:%d refused AUTH as '%s': %.200s", l->host, l->port,
		s->cfg->sentinel_user[0] ? s->cfg->sentinel_user : "default", esc);
	s->sentinel_failed = true;
}

/* SENTINEL get-master-addr-by-name reply: only a configured master is
 * taken (cp_redis_sentinel_answer); any other answer is logged. */
static void on_sentinel(struct cp_link *l, redisReply *r, void *priv)
{
	struct cp_session *s = priv;
	char why[400];

	if (s->sentinel_failed)
		return; /* AUTH refused: already logged */
	if (cp_redis_sentinel_answer(s->cfg, r, s->master_host, sizeof(s->master_host),
				     &s->master_port, why, sizeof(why)) == 0) {
		s->sentinel_answered = true;
		return;
	}
	if (r != NULL)
		CP_WARN("sentinel %s:%d %s", l->host, l->port, why);
	s->sentinel_failed = true;
}

/* Ask sentinel i (non-blocking), with AUTH first when a Sentinel password
 * is configured; failures show in the next step. */
static void ask_sentinel(struct cp_session *s, int i)
{
	const struct cp_redis_cfg *c = s->cfg;
	int rc = 0;

	s->sentinel_i = i;
	s->sentinel_answered = s->sentinel_failed = false;
	if (cp_link_open(&s->sentinel, "sentinel", c->sentinel_host[i], c->sentinel_port[i]) < 0) {
		s->sentinel_failed = true;
		return;
	}
	if (c->sentinel_password[0] && c->sentinel_user[0])
		rc = cp_link_cmd(&s->sentinel, on_sentinel_auth, s, "AUTH %s %s", c->sentinel_user,
				 c->sentinel_password);
	else if (c->sentinel_password[0])
		rc =
		    cp_link_cmd(&s->sentinel, on_sentinel_auth, s, "AUTH %s", c->sentinel_password);
	if (rc < 0 || cp_link_cmd(&s->sentinel, on_sentinel, s,
				  "SENTINEL get-master-addr-by-name %s", c->master_name) < 0)
		s->sentinel_failed = true;
}

/* Common part of the handshake replies: NULL (connection ended) and error
 * replies fail the attempt. Returns the session when the reply is usable. */
static struct cp_session *handshake_reply(struct cp_link *l, const redisReply *r, void *priv,
					  const char *what)
{
	struct cp_session *s = priv;

	if (r == NULL) {
		if (!l->connected)
			sess_fail(s, "cannot connect to %s:%d: %s", l->host, l->port,
				  l->err[0] ? l->err : "connection closed");
		else
			sess_fail(s, "%s:%d closed the connection during the handshake", l->host,
				  l->port);
		return NULL;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		if (strcmp(what, "AUTH") == 0)
			sess_fail(s, "AUTH as '%s' refused: %.150s",
				  s->cfg->user[0] ? s->cfg->user : "default", r->str);
		else
			sess_fail(s, "%s on %s:%d refused: %.150s", what, l->host, l->port, r->str);
		return NULL;
	}
	return s;
}

/* AUTH reply. */
static void on_auth(struct cp_link *l, redisReply *r, void *priv)
{
	struct cp_session *s = handshake_reply(l, r, priv, "AUTH");

	if (s)
		s->handshake_left--;
}

/* SCRIPT LOAD reply. */
static void on_script_load(struct cp_link *l, redisReply *r, void *priv)
{
	struct cp_session *s = handshake_reply(l, r, priv, "SCRIPT LOAD");

	if (s)
		s->handshake_left--;
}

/* ROLE reply: a stale sentinel answer or a demoted master is refused
 * (writes would fail). */
static void on_role(struct cp_link *l, redisReply *r, void *priv)
{
	struct cp_session *s = handshake_reply(l, r, priv, "ROLE");

	if (s == NULL)
		return;
	if (r->type != REDIS_REPLY_ARRAY || r->elements < 1 || r->element[0]->str == NULL ||
	    strcmp(r->element[0]->str, "master") != 0) {
		sess_fail(s, "%s:%d is not a master (replica)", l->host, l->port);
		return;
	}
	s->handshake_left--;
}

/* Open one link to the master and queue its handshake. 0 or -EIO. */
static int open_master_link(struct cp_session *s, struct cp_link *l, const char *name, bool scripts)
{
	const struct cp_redis_cfg *c = s->cfg;
	int rc = 0;

	if (cp_link_open(l, name, s->master_host, s->master_port) < 0) {
		sess_fail(s, "cannot connect to %s:%d: %s", s->master_host, s->master_port, l->err);
		return -EIO;
	}
	if (c->password[0] && c->user[0])
		rc |= cp_link_cmd(l, on_auth, s, "AUTH %s %s", c->user, c->password);
	else if (c->password[0])
		rc |= cp_link_cmd(l, on_auth, s, "AUTH %s", c->password);
	s->handshake_left += c->password[0] ? 1 : 0;
	rc |= cp_link_cmd(l, on_role, s, "ROLE");
	s->handshake_left++;
	for (int i = 0; scripts && i < CP_SC_MAX; i++) {
		rc |= cp_link_cmd(l, on_script_load, s, "SCRIPT LOAD %s",
				  cp_script_source((enum cp_script)i));
		s->handshake_left++;
	}
	return rc ? -EIO : 0;
}

/* Master known: open the command and event links. */
static void start_handshake(struct cp_session *s)
{
	s->state = CP_SESS_HANDSHAKE;
	s->handshake_left = 0;
	if (open_master_link(s, &s->lease, "lease", false) < 0 ||
	    open_master_link(s, &s->cmd, "commands", true) < 0 ||
	    open_master_link(s, &s->evt, "events", false) < 0)
		sess_fail(s, "cannot queue the handshake to %s:%d", s->master_host, s->master_port);
}

/* DOWN -> SENTINEL or HANDSHAKE. */
static void begin(struct cp_session *s)
{
	const struct cp_redis_cfg *c = s->cfg;

	s->fail[0] = '\0';
	if (c->n_sentinels > 0) {
		s->state = CP_SESS_SENTINEL;
		ask_sentinel(s, 0);
		return;
	}
	snprintf(s->master_host, sizeof(s->master_host), "%s", c->host);
	s->master_port = c->port;
	start_handshake(s);
}

/* SENTINEL state: move on when the current sentinel answered or failed. */
static void step_sentinel(struct cp_session *s, uint64_t now)
{
	const struct cp_redis_cfg *c = s->cfg;

	if (!s->sentinel_answered && !s->sentinel_failed &&
	    !cp_link_stalled(&s->sentinel, now, c->timeout_ms) && cp_link_open_p(&s->sentinel))
		return;
	cp_link_close(&s->sentinel);
	if (s->sentinel_answered) {
		start_handshake(s);
		return;
	}
	if (s->sentinel_i + 1 < c->n_sentinels) {
		ask_sentinel(s, s->sentinel_i + 1);
		return;
	}
	sess_fail(s, "no sentinel named an acceptable master '%s' (see the lines above)",
		  c->master_name);
	cp_session_drop(s, s->fail);
}

/* Why link l is unusable, into buf; false when it is fine. */
static bool link_trouble(const struct cp_link *l, uint64_t now, int limit_ms, char *buf, size_t n)
{
	if (!cp_link_open_p(l) && !l->connected)
		snprintf(buf, n, "cannot connect to %.100s:%d: %.100s", l->host, l->port,
			 l->err[0] ? l->err : "connection closed");
	else if (!cp_link_open_p(l))
		snprintf(buf, n, "%.100s:%d closed the %s connection: %.100s", l->host, l->port,
			 l->name, l->err[0] ? l->err : "connection closed");
	else if (cp_link_stalled(l, now, limit_ms))
		snprintf(buf, n, "%.100s:%d: no reply on the %s connection within %d ms", l->host,
			 l->port, l->name, limit_ms);
	else
		return false;
	return true;
}

/* The first reason the session is unusable, into buf; false if none. */
static bool sess_trouble(struct cp_session *s, uint64_t now, char *buf, size_t len)
{
	int to = s->cfg->timeout_ms;

	if (s->fail[0]) {
		snprintf(buf, len, "%s", s->fail);
		return true;
	}
	return link_trouble(&s->lease, now, to, buf, len) ||
	       link_trouble(&s->cmd, now, to, buf, len) ||
	       link_trouble(&s->evt, now, to + EVT_BLOCK_SLACK_MS, buf, len);
}

/* See header. */
void cp_session_step(struct cp_session *s, uint64_t now)
{
	char why[320];

	switch (s->state) {
	case CP_SESS_DOWN:
		if (now >= s->next_connect)
			begin(s);
		return;
	case CP_SESS_SENTINEL:
		step_sentinel(s, now);
		return;
	case CP_SESS_HANDSHAKE:
	case CP_SESS_UP:
		if (sess_trouble(s, now, why, sizeof(why)))
			cp_session_drop(s, why);
		else if (s->state == CP_SESS_HANDSHAKE && s->handshake_left == 0) {
			s->state = CP_SESS_UP;
			CP_INFO("redis connected (after %d failed attempt(s)) to %s:%d",
				s->connect_failures, s->master_host, s->master_port);
			s->connect_failures = 0;
			s->backoff_ms = BACKOFF_MIN_MS;
			if (s->hooks.up)
				s->hooks.up(s->hooks.arg);
		}
		return;
	}
}

/* See header. */
int cp_session_pollfds(struct cp_session *s, struct pollfd *p)
{
	struct cp_link *links[4] = {&s->lease, &s->cmd, &s->evt, &s->sentinel};
	int k = 0;

	for (int i = 0; i < 4; i++)
		if (cp_link_pollfd(links[i], &p[k]))
			s->polled[k++] = links[i];
	return k;
}

/* See header. */
void cp_session_dispatch(struct cp_session *s, const struct pollfd *p, int k)
{
	for (int i = 0; i < k; i++)
		if (p[i].revents)
			cp_link_handle(s->polled[i], p[i].revents);
}

/* See header. */
int cp_session_script(struct cp_session *s, enum cp_script id, int argc, const char **argv,
		      cp_link_cb *cb, void *priv)
{
	const char *v[CP_SCRIPT_ARGV_MAX];
	char sha[41];
	int c;
	bool lease = id == CP_SC_REGISTER || id == CP_SC_HEARTBEAT || id == CP_SC_SWEEP;

	if (!cp_session_up(s))
		return -EIO;
	c = cp_script_evalsha_argv(id, sha, argc, argv, v);
	return c < 0 ? c : cp_link_argv(lease ? &s->lease : &s->cmd, cb, priv, c, v);
}
