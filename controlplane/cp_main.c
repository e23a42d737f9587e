/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-controlplane: one per node. Registers the node in Redis and keeps
 * its lease, sweeps expired leases, follows the event stream, and keeps the
 * dataplane equal to the desired state of the rooms this node owns
 * (docs/controlplane.md, docs/schema.md). Single-threaded, one poll()
 * loop: Redis through hiredis's async API (cp_session.c, cp_alink.c) on two
 * connections (commands; the blocking event read), so nothing waits on
 * Redis and a slow reply never delays a heartbeat or a ban.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
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

/* How long after a lease deadline the next sweep runs (Redis' expiry of
 * the key is not instantaneous; a sweep that finds the key still there
 * costs one ZRANGEBYSCORE and an EXISTS). */
#define SWEEP_MARGIN_MS 5

static struct cp_node node;

static void on_signal(int sig)
{
	(void)sig;
	node.stop = 1;
}

/* Reply to register: BUSY (another live incarnation holds the node's
 * lease) is retried every lease/3; any other refusal ends the session. */
static void on_register(struct cp_link *l, redisReply *r, void *priv)
{
	struct cp_node *n = priv;

	(void)l;
	n->reg_inflight = false;
	if (r == NULL)
		return; /* the session ended; registration follows the next one */
	if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSY", 4) == 0) {
		CP_WARN("register: %s; retrying", r->str);
		return;
	}
	if (r->type != REDIS_REPLY_ARRAY) {
		CP_ERR("register: %s", r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		cp_session_drop(n, "register failed");
		return;
	}
	CP_INFO("node %s registered (lease %d ms), owns %zu room(s)", n->cfg.node, n->cfg.lease_ms,
		r->elements);
	n->registered = true;
	n->read_pending = true;
	strcpy(n->read_cursor, "0");
	n->lease_ok_ms = n->reg_sent;
	n->want_full = true;
}

/* Register (docs/schema.md "register") with the current token, or a fresh
 * one after a lost lease. */
static void do_register(struct cp_node *n)
{
	uint8_t tok[16];
	char lease[16], port[16], cap[16];
	const char *argv[7] = {n->cfg.node, n->token, lease, n->cfg.addr4, n->cfg.addr6, port, cap};

	if (n->token[0] == '\0') {
		RAND_bytes(tok, sizeof(tok));
		cp_hex_encode(tok, sizeof(tok), n->token);
	}
	snprintf(lease, sizeof(lease), "%d", n->cfg.lease_ms);
	snprintf(port, sizeof(port), "%d", n->cfg.port);
	snprintf(cap, sizeof(cap), "%d", n->cfg.capacity);
	n->reg_sent = cp_now_ms();
	if (cp_session_script(n, CP_SC_REGISTER, 7, argv, on_register, n) == 0)
		n->reg_inflight = true;
}

/* Stop serving: the lease is lost (refused or expired locally). The
 * dataplane is emptied of this node's rooms; the node registers again. */
static void lease_lost(struct cp_node *n, const char *why)
{
	CP_WARN("lease lost (%s): removing %d room(s) from the dataplane", why, n->n_rooms);
	n->registered = false;
	n->token[0] = '\0';
	n->lease_ok_ms = UINT64_MAX / 2; /* no local deadline until registered */
	n->load_gen++;                   /* a load in flight would re-add rooms */
	cp_forget_all(n);
	n->have_desired = true;
	cp_apply(n);
}

/* The node of a lease-link reply (the link is embedded in the node). */
static struct cp_node *node_of_lease(struct cp_link *l)
{
	return (struct cp_node *)(void *)((char *)l - offsetof(struct cp_node, sess.lease));
}

/* Reply to a heartbeat (priv: its send time): accepted moves the local
 * lease clock to that time; refused means the lease expired or was taken
 * over. Several may be in flight (sent during a long apply). */
static void on_heartbeat(struct cp_link *l, redisReply *r, void *priv)
{
	struct cp_node *n = node_of_lease(l);
	uint64_t sent = (uint64_t)(uintptr_t)priv;

	if (r == NULL || !n->registered)
		return;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 && r->element[0]->integer == 1) {
		if (sent > n->lease_ok_ms)
			n->lease_ok_ms = sent;
	} else if (r->type == REDIS_REPLY_ERROR) {
		/* Not a refusal (READONLY from a demoted master, LOADING,
		 * NOSCRIPT after SCRIPT FLUSH): find the master again; the
		 * local lease clock decides whether the rooms are kept. */
		CP_WARN("heartbeat: %s", r->str);
		cp_session_drop(n, "heartbeat failed");
	} else {
		n->lease_refused = true; /* the loop empties the dataplane */
	}
}

/* Heartbeat (docs/schema.md "heartbeat") with the node's current load. */
static void do_heartbeat(struct cp_node *n)
{
	char lease[16], load[16];
	const char *argv[4] = {n->cfg.node, n->token, lease, load};
	uint64_t sent = cp_now_ms();

	snprintf(lease, sizeof(lease), "%d", n->cfg.lease_ms);
	snprintf(load, sizeof(load), "%u", cp_load(n));
	cp_session_script(n, CP_SC_HEARTBEAT, 4, argv, on_heartbeat, (void *)(uintptr_t)sent);
}

/* Reply to sweep {moved, ms to the next lease deadline}: the next sweep is
 * due just after that deadline if it comes before the regular period, so
 * a dead node's rooms move within ~SWEEP_MARGIN_MS of its lease running
 * out rather than up to lease/3 later. */
static void on_sweep(struct cp_link *l, redisReply *r, void *priv)
{
	struct cp_node *n = priv;
	long long next;

	(void)l;
	n->sweep_inflight = false;
	if (r && r->type == REDIS_REPLY_ERROR)
		CP_WARN("sweep: %s", r->str);
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2)
		return;
	if (r->element[0]->integer > 0)
		CP_INFO("sweep: moved %lld room(s) off expired nodes", r->element[0]->integer);
	next = r->element[1]->integer;
	if (next >= 0 && next + SWEEP_MARGIN_MS < n->cfg.lease_ms / 3)
		n->next_sweep = cp_now_ms() + (uint64_t)next + SWEEP_MARGIN_MS;
}

/* Run the sweep script: move rooms of nodes whose lease expired. */
static void do_sweep(struct cp_node *n)
{
	char rl[16];
	const char *argv[1] = {rl};

	snprintf(rl, sizeof(rl), "%d", n->cfg.rate_limit);
	if (cp_session_script(n, CP_SC_SWEEP, 1, argv, on_sweep, n) == 0)
		n->sweep_inflight = true;
}

/* Value of field f in a stream entry's field list, or NULL. */
static const char *entry_field(const redisReply *fv, const char *f)
{
	for (size_t i = 0; i + 1 < fv->elements; i += 2)
		if (fv->element[i]->str && strcmp(fv->element[i]->str, f) == 0)
			return fv->element[i + 1]->str;
	return NULL;
}

/* Whether an event of this type is a node's report to backends (served,
 * error): it changes no desired state, so no node reloads for it. */
static bool is_report(const char *type)
{
	return type && (strcmp(type, "served") == 0 || strcmp(type, "error") == 0);
}

/* Note the rooms of one XREADGROUP reply's entries (and their ids, acked
 * once applied). Returns the number of entries. */
static size_t note_entries(struct cp_node *n, const redisReply *entries)
{
	for (size_t i = 0; i < entries->elements; i++) {
		const redisReply *e = entries->element[i];
		const char *room = NULL;
		uint32_t id = 0;

		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->str == NULL)
			continue;
		if (e->element[1]->type == REDIS_REPLY_ARRAY && /* else: trimmed away */
		    !is_report(entry_field(e->element[1], "type")))
			room = entry_field(e->element[1], "room");
		if (room == NULL || cp_parse_u32(room, &id) < 0)
			id = 0; /* nothing to reload; still acked */
		if (cp_dirty_add(n, id, e->element[0]->str) < 0)
			n->want_full = true;
		if (n->read_pending)
			snprintf(n->read_cursor, sizeof(n->read_cursor), "%s", e->element[0]->str);
	}
	n->events_seen += entries->elements;
	return entries->elements;
}

/* XREADGROUP reply: entries are noted for the next load; a missing group
 * (Redis lost its data) makes the node register again. */
static void on_events(struct cp_link *l, redisReply *r, void *priv)
{
	struct cp_node *n = priv;

	(void)l;
	n->evt_inflight = false;
	if (r == NULL)
		return;
	if (r->type == REDIS_REPLY_ERROR) {
		CP_WARN("events: %s", r->str);
		if (strncmp(r->str, "NOGROUP", 7) == 0) {
			n->registered = false;
			n->next_hb = 0;
		}
	} else if (r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
		   r->element[0]->elements == 2) {
		if (note_entries(n, r->element[0]->element[1]) == 0)
			n->read_pending = false;
	} else if (n->read_pending) {
		n->read_pending = false;
	}
}

/* Keep one XREADGROUP in flight on the event link: first the entries
 * delivered but never acknowledged (after a (re)connect), from the cursor
 * on, then new ones, blocking up to CP_EVT_BLOCK_MS. */
static void read_events(struct cp_node *n)
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
			      n->read_pending ? n->read_cursor : ">"};

	if (n->evt_inflight || !n->registered || !cp_session_up(n))
		return;
	snprintf(grp, sizeof(grp), "node:%s", n->cfg.node);
	snprintf(blk, sizeof(blk), "%d", CP_EVT_BLOCK_MS);
	if (cp_link_argv(&n->sess.evt, on_events, n, 11, argv) == 0)
		n->evt_inflight = true;
}

/* See header (cp_node.h): a fresh session registers first. */
void cp_on_redis_up(struct cp_node *n)
{
	n->registered = false;
	n->next_hb = 0;
	n->next_sweep = 0;
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

/* Send the heartbeat when due. true when one was queued. */
static bool heartbeat_if_due(struct cp_node *n, uint64_t now)
{
	if (now < n->next_hb || !n->registered || !cp_session_up(n))
		return false;
	do_heartbeat(n);
	n->next_hb = now + (uint64_t)n->cfg.lease_ms / 3;
	return true;
}

/* cp_apply's keepalive hook: a due heartbeat is sent and written at once
 * (its reply is read by the loop after the apply), and the XDP ban loop
 * keeps its pace (it uses the same control channel, between two calls). */
static void keepalive(struct cp_node *n)
{
	uint64_t now = cp_now_ms();

	cp_guard_turn(n, now);
	if (heartbeat_if_due(n, now)) {
		cp_session_flush(n);
		CP_DEBUG("heartbeat sent during a long apply");
	}
}

/* Redis duties when the session is up: register or heartbeat, sweep, the
 * periodic full reload, the next load, the event read. */
static void redis_duties(struct cp_node *n, uint64_t now)
{
	if (!heartbeat_if_due(n, now) && now >= n->next_hb && !n->registered && !n->reg_inflight) {
		do_register(n);
		n->next_hb = now + (uint64_t)n->cfg.lease_ms / 3;
	}
	if (now >= n->next_sweep && !n->sweep_inflight) {
		do_sweep(n);
		n->next_sweep = now + (uint64_t)n->cfg.lease_ms / 3;
	}
	if (!n->registered)
		return;
	if (now >= n->next_reconcile) {
		n->want_full = true;
		n->next_reconcile = now + (uint64_t)n->cfg.reconcile_ms;
	}
	if (n->loading == NULL)
		cp_load_start(n, n->want_full);
	read_events(n);
}

/* Milliseconds to wait in poll(): until the next timed duty, at most
 * 100 ms so stalls and the lease clock are checked often. */
static int until_next(const struct cp_node *n)
{
	uint64_t now = cp_now_ms(), next = now + 100;
	uint64_t t[4] = {n->next_hb, n->next_sweep, n->next_reconcile,
			 n->guard ? n->next_guard : UINT64_MAX};

	for (int i = 0; i < 4; i++)
		if (t[i] < next)
			next = t[i];
	return next <= now ? 0 : (int)(next - now);
}

/* One turn of the loop: poll() for replies (callbacks only record), then
 * the lease clock, the dataplane (apply what the loads changed), bans, the
 * Redis session and its duties. */
static void turn(struct cp_node *n)
{
	uint64_t now;

	cp_session_poll(n, n->apply_due ? 0 : until_next(n));
	now = cp_now_ms();
	if (n->lease_refused) {
		n->lease_refused = false;
		lease_lost(n, "heartbeat refused: the lease expired or was taken over");
	} else if (now >= n->lease_ok_ms + (uint64_t)n->cfg.lease_ms) {
		CP_DEBUG("last accepted heartbeat sent %llu ms ago",
			 (unsigned long long)(now - n->lease_ok_ms));
		lease_lost(n, "no heartbeat accepted within the lease");
	}
	dataplane_check(n);
	if (n->apply_due) {
		n->apply_due = false;
		cp_apply(n);
		n->last_apply_ms = cp_now_ms() - now;
		cp_ack_events(n);
	}
	if (n->cfg.status_file[0] && now >= n->next_status) {
		int rc = cp_status_write(n, now);

		if (rc < 0 && n->next_status == 0)
			CP_WARN("cannot write the status file %s: %s", n->cfg.status_file,
				strerror(-rc));
		n->next_status = now + 1000;
	}
	cp_guard_turn(n, now); /* bans do not depend on Redis */
	cp_session_step(n, now);
	if (cp_session_up(n))
		redis_duties(n, now);
}

int main(int argc, char **argv)
{
	char err[512];

	cp_log_prog = "relais-controlplane";
	node.dp_fd = -1;
	node.backoff_ms = 100;
	node.keepalive = keepalive;
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
	cp_session_drop(&node, NULL);
	cp_forget_all(&node);
	free(node.rooms);
	cp_keyring_clear(&node.kr);
	return 0;
}
