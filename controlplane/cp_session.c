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

#include "cp_node.h"
#include "cp_util.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000
/* The event link's XREADGROUP blocks up to this long (cp_main.c); its stall
 * limit is this plus the command timeout. */
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
bool cp_session_up(const struct cp_node *n)
{
	return n->sess.state == CP_SESS_UP;
}

/* See header. */
void cp_session_drop(struct cp_node *n, const char *why)
{
	struct cp_session *s = &n->sess;
	bool was_up = s->state == CP_SESS_UP;

	if (s->state == CP_SESS_DOWN)
		return;
	s->state = CP_SESS_DOWN; /* first: callbacks run by the closes see it */
	n->load_gen++;
	cp_link_close(&s->sentinel);
	cp_link_close(&s->lease);
	cp_link_close(&s->cmd);
	cp_link_close(&s->evt);
	cp_dirty_clear(&n->dirty);
	n->reg_inflight = n->sweep_inflight = n->evt_inflight = false;
	if (why == NULL) /* stopping */
		return;
	if (was_up || n->connect_failures++ % 10 == 0)
		CP_ERR("redis %s: %s (attempt %d, retrying in %d ms, backoff up to %d ms)",
		       was_up ? "lost" : "unavailable", why, n->connect_failures, n->backoff_ms,
		       BACKOFF_MAX_MS);
	n->next_connect = cp_now_ms() + (uint64_t)n->backoff_ms;
	n->backoff_ms = n->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : n->backoff_ms * 2;
}

/* SENTINEL get-master-addr-by-name reply. */
static void on_sentinel(struct cp_link *l, redisReply *r, void *priv)
{
	struct cp_session *s = priv;
	uint32_t p;

	(void)l;
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    cp_parse_u32(r->element[1]->str, &p) == 0 && p > 0 && p < 65536) {
		snprintf(s->master_host, sizeof(s->master_host), "%s", r->element[0]->str);
		s->master_port = (int)p;
		s->sentinel_answered = true;
	} else {
		s->sentinel_failed = true;
	}
}

/* Ask sentinel i (non-blocking); failures show in the next step. */
static void ask_sentinel(struct cp_node *n, int i)
{
	struct cp_session *s = &n->sess;
	const struct cp_redis_cfg *c = &n->cfg.redis;

	s->sentinel_i = i;
	s->sentinel_answered = s->sentinel_failed = false;
	if (cp_link_open(&s->sentinel, "sentinel", c->sentinel_host[i], c->sentinel_port[i]) < 0 ||
	    cp_link_cmd(&s->sentinel, on_sentinel, s, "SENTINEL get-master-addr-by-name %s",
			c->master_name) < 0)
		s->sentinel_failed = true;
}

/* Common part of the handshake replies: NULL (connection ended) and error
 * replies fail the attempt. Returns the session when the reply is usable. */
static struct cp_session *handshake_reply(struct cp_link *l, const redisReply *r, void *priv,
					  const char *what)
{
	struct cp_node *n = priv;
	struct cp_session *s = &n->sess;

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
				  n->cfg.redis.user[0] ? n->cfg.redis.user : "default", r->str);
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
static int open_master_link(struct cp_node *n, struct cp_link *l, const char *name, bool scripts)
{
	struct cp_session *s = &n->sess;
	const struct cp_redis_cfg *c = &n->cfg.redis;
	int rc = 0;

	if (cp_link_open(l, name, s->master_host, s->master_port) < 0) {
		sess_fail(s, "cannot connect to %s:%d: %s", s->master_host, s->master_port, l->err);
		return -EIO;
	}
	if (c->password[0] && c->user[0])
		rc |= cp_link_cmd(l, on_auth, n, "AUTH %s %s", c->user, c->password);
	else if (c->password[0])
		rc |= cp_link_cmd(l, on_auth, n, "AUTH %s", c->password);
	s->handshake_left += c->password[0] ? 1 : 0;
	rc |= cp_link_cmd(l, on_role, n, "ROLE");
	s->handshake_left++;
	for (int i = 0; scripts && i < CP_SC_MAX; i++) {
		rc |= cp_link_cmd(l, on_script_load, n, "SCRIPT LOAD %s",
				  cp_script_source((enum cp_script)i));
		s->handshake_left++;
	}
	return rc ? -EIO : 0;
}

/* Master known: open the command and event links. */
static void start_handshake(struct cp_node *n)
{
	struct cp_session *s = &n->sess;

	s->state = CP_SESS_HANDSHAKE;
	s->handshake_left = 0;
	if (open_master_link(n, &s->lease, "lease", false) < 0 ||
	    open_master_link(n, &s->cmd, "commands", true) < 0 ||
	    open_master_link(n, &s->evt, "events", false) < 0)
		sess_fail(s, "cannot queue the handshake to %s:%d", s->master_host, s->master_port);
}

/* DOWN -> SENTINEL or HANDSHAKE. */
static void begin(struct cp_node *n)
{
	struct cp_session *s = &n->sess;
	const struct cp_redis_cfg *c = &n->cfg.redis;

	s->fail[0] = '\0';
	if (c->n_sentinels > 0) {
		s->state = CP_SESS_SENTINEL;
		ask_sentinel(n, 0);
		return;
	}
	snprintf(s->master_host, sizeof(s->master_host), "%s", c->host);
	s->master_port = c->port;
	start_handshake(n);
}

/* SENTINEL state: move on when the current sentinel answered or failed. */
static void step_sentinel(struct cp_node *n, uint64_t now)
{
	struct cp_session *s = &n->sess;
	const struct cp_redis_cfg *c = &n->cfg.redis;

	if (!s->sentinel_answered && !s->sentinel_failed &&
	    !cp_link_stalled(&s->sentinel, now, c->timeout_ms) && cp_link_open_p(&s->sentinel))
		return;
	cp_link_close(&s->sentinel);
	if (s->sentinel_answered) {
		start_handshake(n);
		return;
	}
	if (s->sentinel_i + 1 < c->n_sentinels) {
		ask_sentinel(n, s->sentinel_i + 1);
		return;
	}
	sess_fail(s, "no sentinel knows master '%s'", c->master_name);
	cp_session_drop(n, s->fail);
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
static bool sess_trouble(struct cp_node *n, uint64_t now, char *buf, size_t len)
{
	struct cp_session *s = &n->sess;
	int to = n->cfg.redis.timeout_ms;

	if (s->fail[0]) {
		snprintf(buf, len, "%s", s->fail);
		return true;
	}
	return link_trouble(&s->lease, now, to, buf, len) ||
	       link_trouble(&s->cmd, now, to, buf, len) ||
	       link_trouble(&s->evt, now, to + EVT_BLOCK_SLACK_MS, buf, len);
}

/* See header. */
void cp_session_step(struct cp_node *n, uint64_t now)
{
	struct cp_session *s = &n->sess;
	char why[320];

	switch (s->state) {
	case CP_SESS_DOWN:
		if (now >= n->next_connect)
			begin(n);
		return;
	case CP_SESS_SENTINEL:
		step_sentinel(n, now);
		return;
	case CP_SESS_HANDSHAKE:
	case CP_SESS_UP:
		if (sess_trouble(n, now, why, sizeof(why)))
			cp_session_drop(n, why);
		else if (s->state == CP_SESS_HANDSHAKE && s->handshake_left == 0) {
			s->state = CP_SESS_UP;
			CP_INFO("redis connected (after %d failed attempt(s)) to %s:%d",
				n->connect_failures, s->master_host, s->master_port);
			n->connect_failures = 0;
			n->backoff_ms = BACKOFF_MIN_MS;
			cp_on_redis_up(n);
		}
		return;
	}
}

/* See header. */
void cp_session_poll(struct cp_node *n, int timeout_ms)
{
	struct cp_link *links[4] = {&n->sess.lease, &n->sess.cmd, &n->sess.evt, &n->sess.sentinel};
	struct pollfd p[4];
	struct cp_link *who[4];
	int k = 0;

	for (int i = 0; i < 4; i++)
		if (cp_link_pollfd(links[i], &p[k]))
			who[k++] = links[i];
	if (poll(p, (nfds_t)k, timeout_ms) <= 0)
		return;
	for (int i = 0; i < k; i++)
		if (p[i].revents)
			cp_link_handle(who[i], p[i].revents);
}

/* See header. */
int cp_session_script(struct cp_node *n, enum cp_script id, int argc, const char **argv,
		      cp_link_cb *cb, void *priv)
{
	const char *v[CP_SCRIPT_ARGV_MAX];
	char sha[41];
	int c;
	bool lease = id == CP_SC_REGISTER || id == CP_SC_HEARTBEAT || id == CP_SC_SWEEP;

	if (!cp_session_up(n))
		return -EIO;
	c = cp_script_evalsha_argv(id, sha, argc, argv, v);
	return c < 0 ? c : cp_link_argv(lease ? &n->sess.lease : &n->sess.cmd, cb, priv, c, v);
}

/* See header. hiredis writes queued commands only on a write event; a long
 * apply runs outside the poll, so the heartbeat is pushed out here. */
void cp_session_flush(struct cp_node *n)
{
	redisAsyncContext *ac = n->sess.lease.ac;

	if (n->sess.state == CP_SESS_UP && ac && n->sess.lease.want_write)
		redisAsyncHandleWrite(ac);
}
