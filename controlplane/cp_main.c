/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-controlplane: one per node. Registers the node in Redis and keeps
 * its lease, sweeps expired leases, follows the event stream, and keeps the
 * dataplane equal to the desired state of the rooms this node owns
 * (docs/controlplane.md, docs/schema.md). Single-threaded: the only
 * blocking waits are XREADGROUP BLOCK (<= 200 ms) and commands bounded by
 * the Redis timeout, so heartbeats are never starved.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "cp_node.h"
#include "cp_guard.h"
#include "cp_opts.h"
#include "cp_util.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000
#define EVENT_BLOCK_MS 200

static struct cp_node node;

static void on_signal(int sig)
{
	(void)sig;
	node.stop = 1;
}

/* Drop the Redis connection and schedule a reconnect with backoff. */
static void redis_lost(struct cp_node *n, const char *why)
{
	CP_WARN("redis: %s; reconnecting in %d ms", why, n->backoff_ms);
	redisFree(n->rc);
	n->rc = NULL;
	n->next_connect = cp_now_ms() + (uint64_t)n->backoff_ms;
	n->backoff_ms = n->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : n->backoff_ms * 2;
}

/* Register (docs/schema.md "register") with the current token, or a fresh
 * one after a lost lease. 0, -EBUSY (another live incarnation holds the
 * node's lease: retried later) or -EIO. */
static int do_register(struct cp_node *n)
{
	uint8_t tok[16];
	char lease[16], port[16], cap[16];
	const char *argv[7] = {n->cfg.node, n->token, lease, n->cfg.addr4, n->cfg.addr6, port, cap};
	uint64_t sent = cp_now_ms();
	redisReply *r;

	if (n->token[0] == '\0') {
		RAND_bytes(tok, sizeof(tok));
		cp_hex_encode(tok, sizeof(tok), n->token);
	}
	snprintf(lease, sizeof(lease), "%d", n->cfg.lease_ms);
	snprintf(port, sizeof(port), "%d", n->cfg.port);
	snprintf(cap, sizeof(cap), "%d", n->cfg.capacity);
	r = cp_script_call(n->rc, CP_SC_REGISTER, 7, argv);
	if (r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSY", 4) == 0) {
		CP_WARN("register: %s; retrying", r->str);
		freeReplyObject(r);
		return -EBUSY;
	}
	if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
		CP_ERR("register: %s", r ? r->str : n->rc->errstr);
		freeReplyObject(r);
		return -EIO;
	}
	CP_INFO("node %s registered (lease %d ms), owns %zu room(s)", n->cfg.node, n->cfg.lease_ms,
		r->elements);
	freeReplyObject(r);
	n->registered = true;
	n->read_pending = true;
	n->lease_ok_ms = sent;
	return 0;
}

/* Stop serving: the lease is lost (refused or expired locally). The
 * dataplane is emptied of this node's rooms; the node registers again. */
static void lease_lost(struct cp_node *n, const char *why)
{
	CP_WARN("lease lost (%s): removing %d room(s) from the dataplane", why, n->n_rooms);
	n->registered = false;
	n->token[0] = '\0';
	n->lease_ok_ms = UINT64_MAX / 2; /* no local deadline until registered */
	cp_forget_all(n);
	n->have_desired = true;
	cp_apply(n);
}

/* Heartbeat (docs/schema.md "heartbeat"); transport errors drop Redis. */
static void do_heartbeat(struct cp_node *n)
{
	char lease[16], load[16];
	const char *argv[4] = {n->cfg.node, n->token, lease, load};
	uint64_t sent = cp_now_ms();
	redisReply *r;

	snprintf(lease, sizeof(lease), "%d", n->cfg.lease_ms);
	snprintf(load, sizeof(load), "%u", cp_load(n));
	r = cp_script_call(n->rc, CP_SC_HEARTBEAT, 4, argv);
	n->next_hb = sent + (uint64_t)n->cfg.lease_ms / 3;
	if (r == NULL) {
		redis_lost(n, n->rc->errstr);
		return;
	}
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->integer == 1) {
		n->lease_ok_ms = sent;
	} else {
		lease_lost(n, "heartbeat refused: the lease expired or was taken over");
	}
	freeReplyObject(r);
}

/* Run the sweep script: move rooms of nodes whose lease expired. */
static void do_sweep(struct cp_node *n)
{
	char rl[16];
	const char *argv[1] = {rl};
	redisReply *r;

	snprintf(rl, sizeof(rl), "%d", n->cfg.rate_limit);
	r = cp_script_call(n->rc, CP_SC_SWEEP, 1, argv);
	n->next_sweep = cp_now_ms() + (uint64_t)n->cfg.lease_ms / 3;
	if (r == NULL) {
		redis_lost(n, n->rc->errstr);
		return;
	}
	if (r->type == REDIS_REPLY_INTEGER && r->integer > 0)
		CP_INFO("sweep: moved %lld room(s) off expired nodes", r->integer);
	freeReplyObject(r);
}

/* Full reload and apply; on Redis failure the connection is dropped. */
static void full_reconcile(struct cp_node *n)
{
	uint64_t t0 = cp_now_ms();

	n->next_reconcile = t0 + (uint64_t)n->cfg.reconcile_ms;
	if (cp_refresh_all(n) < 0) {
		redis_lost(n, "reading desired state failed");
		return;
	}
	if (cp_apply(n) == 0)
		CP_DEBUG("reconciled %d room(s) in %llu ms", n->n_rooms,
			 (unsigned long long)(cp_now_ms() - t0));
}

/* Register when not holding the lease (after a connect or a lost lease),
 * then reconcile fully; retried every lease/3 while another incarnation
 * holds the node. */
static void try_register(struct cp_node *n)
{
	int rc = do_register(n);

	n->next_hb = cp_now_ms() + (uint64_t)n->cfg.lease_ms / 3;
	if (rc == -EIO)
		redis_lost(n, "register failed");
	else if (rc == 0)
		full_reconcile(n);
}

/* (Re)connect to Redis and load the scripts; registration follows. */
static void redis_connect(struct cp_node *n)
{
	char err[512];

	n->rc = cp_redis_connect(&n->cfg.redis, err, sizeof(err));
	if (n->rc == NULL) {
		if (n->connect_failures++ % 10 == 0)
			CP_ERR("redis unavailable: %s (attempt %d, retrying every <= %d ms)", err,
			       n->connect_failures, BACKOFF_MAX_MS);
		n->next_connect = cp_now_ms() + (uint64_t)n->backoff_ms;
		n->backoff_ms =
		    n->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : n->backoff_ms * 2;
		return;
	}
	CP_INFO("redis connected (after %d failed attempt(s))", n->connect_failures);
	n->connect_failures = 0;
	n->backoff_ms = BACKOFF_MIN_MS;
	if (cp_script_load(n->rc) < 0) {
		redis_lost(n, "SCRIPT LOAD failed");
		return;
	}
	n->registered = false;
	n->next_hb = 0;
	n->next_sweep = 0;
}

/* Value of field f in a stream entry's field list, or NULL. */
static const char *entry_field(const redisReply *fv, const char *f)
{
	for (size_t i = 0; i + 1 < fv->elements; i += 2)
		if (strcmp(fv->element[i]->str, f) == 0)
			return fv->element[i + 1]->str;
	return NULL;
}

/* Apply the stream entries of one XREADGROUP reply, then XACK them.
 * Returns the number of entries. */
static size_t handle_entries(struct cp_node *n, const redisReply *entries)
{
	const char **ack = calloc(entries->elements + 3, sizeof(*ack));
	char grp[48];
	size_t k = 3;
	int changed = 0;

	if (ack == NULL)
		return 0;
	snprintf(grp, sizeof(grp), "node:%s", n->cfg.node);
	ack[0] = "XACK";
	ack[1] = CP_DIR "events";
	ack[2] = grp;
	for (size_t i = 0; i < entries->elements; i++) {
		const redisReply *e = entries->element[i];
		const char *room;
		uint32_t id;

		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
			continue;
		ack[k++] = e->element[0]->str;
		if (e->element[1]->type != REDIS_REPLY_ARRAY)
			continue; /* entry deleted by trimming */
		room = entry_field(e->element[1], "room");
		if (room && cp_parse_u32(room, &id) == 0 && cp_refresh_room(n, id) == 0)
			changed++;
	}
	if (changed && n->dp_fd >= 0)
		cp_apply(n);
	if (k > 3)
		freeReplyObject(redisCommandArgv(n->rc, (int)k, ack, NULL));
	free(ack);
	return entries->elements;
}

/* One XREADGROUP for this node's group, blocking at most block_ms: first the
 * entries delivered but never acknowledged (after a (re)connect), then new
 * ones. A missing group (Redis lost its data) re-registers. */
static void read_events(struct cp_node *n, int block_ms)
{
	char grp[48], blk[16];
	const char *argv[] = {"XREADGROUP",
			      "GROUP",
			      grp,
			      "cp",
			      "COUNT",
			      "100",
			      "BLOCK",
			      blk,
			      "STREAMS",
			      CP_DIR "events",
			      n->read_pending ? "0" : ">"};
	redisReply *r;

	snprintf(grp, sizeof(grp), "node:%s", n->cfg.node);
	snprintf(blk, sizeof(blk), "%d", block_ms < 1 ? 1 : block_ms);
	r = redisCommandArgv(n->rc, 11, argv, NULL);
	if (r == NULL) {
		redis_lost(n, n->rc->errstr);
		return;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		CP_WARN("events: %s", r->str);
		if (strncmp(r->str, "NOGROUP", 7) == 0 && do_register(n) == 0)
			full_reconcile(n);
	} else if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
		   r->element[0]->elements == 2) {
		if (handle_entries(n, r->element[0]->element[1]) == 0)
			n->read_pending = false;
	} else if (n->read_pending) {
		n->read_pending = false;
	}
	freeReplyObject(r);
}

/* Connect the dataplane's control channel if needed; a new connection gets
 * a full apply (a restarted dataplane starts empty). */
static void dataplane_check(struct cp_node *n)
{
	uint64_t now = cp_now_ms();
	int fd;

	if (n->dp_fd >= 0 || now < n->next_dp)
		return;
	n->next_dp = now + 500;
	fd = relais_ctl_connect(n->cfg.dp_sock, "relais-controlplane");
	if (fd < 0) {
		CP_DEBUG("dataplane %s: %s", n->cfg.dp_sock, strerror(-fd));
		return;
	}
	n->dp_fd = fd;
	CP_INFO("dataplane %s connected", n->cfg.dp_sock);
	cp_apply(n);
}

/* Milliseconds until the next timed duty, at most EVENT_BLOCK_MS. */
static int until_next(const struct cp_node *n)
{
	uint64_t now = cp_now_ms(), next = now + EVENT_BLOCK_MS;

	if (n->next_hb < next)
		next = n->next_hb;
	if (n->next_sweep < next)
		next = n->next_sweep;
	if (n->next_reconcile < next)
		next = n->next_reconcile;
	if (n->guard && n->next_guard < next)
		next = n->next_guard;
	return next <= now ? 1 : (int)(next - now);
}

/* One turn of the loop: lease clock, dataplane, Redis duties, events. */
static void turn(struct cp_node *n)
{
	uint64_t now = cp_now_ms();

	if (now >= n->lease_ok_ms + (uint64_t)n->cfg.lease_ms)
		lease_lost(n, "no heartbeat accepted within the lease");
	dataplane_check(n);
	cp_guard_turn(n, now); /* bans do not depend on Redis */
	if (n->rc == NULL) {
		if (now >= n->next_connect)
			redis_connect(n);
		else
			usleep(20000);
		return;
	}
	if (n->rc && now >= n->next_hb && n->registered)
		do_heartbeat(n);
	else if (n->rc && now >= n->next_hb)
		try_register(n);
	if (n->rc && now >= n->next_sweep)
		do_sweep(n);
	if (n->rc && now >= n->next_reconcile)
		full_reconcile(n);
	if (n->rc)
		read_events(n, until_next(n));
}

int main(int argc, char **argv)
{
	char err[512];

	cp_log_prog = "relais-controlplane";
	node.dp_fd = -1;
	node.backoff_ms = BACKOFF_MIN_MS;
	if (cp_opts_parse(&node.cfg, argc, argv) != 0)
		return 2;
	if (cp_keyring_load(&node.kr, node.cfg.keyring, err, sizeof(err)) < 0) {
		CP_ERR("%s", err);
		return 2;
	}
	node.dcfg.kr = &node.kr;
	node.dcfg.max_objects = node.cfg.max_objects;
	if (cp_guard_open(&node) < 0)
		return 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	CP_INFO("node %s: dataplane %s, lease %d ms, reconcile every %d ms", node.cfg.node,
		node.cfg.dp_sock, node.cfg.lease_ms, node.cfg.reconcile_ms);
	/* The previous incarnation's lease (<= lease_ms left) is unknown: the
	 * dataplane's state is kept for two leases before Redis must confirm
	 * it. */
	node.lease_ok_ms = cp_now_ms() + (uint64_t)node.cfg.lease_ms;
	while (!node.stop)
		turn(&node);
	CP_INFO("stopping; the dataplane keeps forwarding its current state");
	cp_guard_close(&node);
	redisFree(node.rc);
	cp_forget_all(&node);
	free(node.rooms);
	cp_keyring_clear(&node.kr);
	return 0;
}
