/* SPDX-License-Identifier: BSD-3-Clause */
/* relais-controlplane: one node's state (docs/controlplane.md). */
#ifndef CP_NODE_H
#define CP_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_alink.h"
#include "cp_desired.h"
#include "cp_keywrap.h"
#include "cp_redis.h"

struct cp_node_cfg {
	char node[33];
	char addr4[64], addr6[64];
	int port, capacity;
	int lease_ms, reconcile_ms, rate_limit, max_objects;
	char dp_sock[108];
	char keyring[256];
	char status_file[256]; /* "" = none */
	struct cp_redis_cfg redis;
	/* The XDP ban loop (cp_guard.c): on when xdp_pins is set. */
	char xdp_pins[256];
	int guard_threshold, guard_window_ms, guard_ban_ttl_ms, guard_interval_ms;
};

struct cp_guard;
struct cp_batch;

/* Period of the keepalive hook during a long apply. */
#define CP_KEEPALIVE_MS 100

/* How long the event link's XREADGROUP blocks. */
#define CP_EVT_BLOCK_MS 1000

/* The node's Redis session: three links to the current master, so no
 * reply waits behind another kind: "lease" (register, heartbeat, sweep:
 * small and time-critical), "commands" (bulk loads, acks) and "events"
 * (the blocking event-stream read) (cp_session.c). */
enum cp_sess_state {
	CP_SESS_DOWN,      /* waiting for next_connect */
	CP_SESS_SENTINEL,  /* asking sentinel_i for the master */
	CP_SESS_HANDSHAKE, /* AUTH, ROLE, SCRIPT LOAD on both links */
	CP_SESS_UP
};

struct cp_session {
	enum cp_sess_state state;
	struct cp_link lease, cmd, evt, sentinel;
	int sentinel_i;
	bool sentinel_answered, sentinel_failed;
	char master_host[256];
	int master_port;
	int handshake_left; /* handshake replies still expected */
	char fail[256];     /* first failure seen in this attempt, "" if none */
};

/* Rooms whose events arrived since the last load started, and the stream
 * entry ids to XACK once they are applied. */
struct cp_dirty {
	uint32_t *rooms;
	int n_rooms, cap_rooms;
	char **ids;
	int n_ids, cap_ids;
};

struct cp_node {
	struct cp_node_cfg cfg;
	struct cp_keyring kr;
	struct cp_desired_cfg dcfg;
	struct cp_session sess;
	int dp_fd;
	char token[33];
	bool registered;      /* holds a lease (as far as it knows) */
	bool have_desired;    /* the cache reflects Redis (or a lost lease) */
	bool read_pending;    /* XREADGROUP re-reads unacknowledged entries first */
	char read_cursor[48]; /* last pending entry seen while read_pending */
	bool reg_inflight, sweep_inflight, evt_inflight;
	uint64_t reg_sent;
	bool want_full;           /* a full reload is due (after the current load) */
	struct cp_batch *loading; /* the load in flight, or NULL */
	unsigned load_gen;        /* bumped to orphan a load (lease lost, session down) */
	struct cp_dirty dirty;
	struct cp_dirty acks_due; /* entry ids to XACK after the next apply */
	char seen_id[48];         /* last event id a started load covers ("": none) */
	bool apply_due;           /* a load changed the cache: apply at top level */
	bool lease_refused;       /* a heartbeat was refused: handled at top level */
	/* Called by cp_apply every CP_KEEPALIVE_MS during long applies (top
	 * level, never inside a hiredis callback): sends a due heartbeat. */
	void (*keepalive)(struct cp_node *n);
	uint64_t last_keepalive;
	uint64_t lease_ok_ms; /* send time of the last heartbeat Redis accepted */
	uint64_t next_hb, next_sweep, next_reconcile, next_connect, next_dp;
	int backoff_ms, connect_failures;
	struct cp_droom *rooms; /* desired cache, sorted by id */
	int n_rooms, cap_rooms;
	uint64_t ctl_calls, applied, refused;
	uint64_t loads_done, last_load_ms, last_apply_ms, events_seen; /* status */
	uint64_t next_status;
	struct cp_guard *guard; /* NULL unless cfg.xdp_pins */
	uint64_t next_guard;
	volatile int stop;
};

/* Session (cp_session.c). */
/* Advance the connection state machine: connect after the backoff, ask the
 * sentinels, finish the handshake, notice dead or stalled links. Calls
 * cp_on_redis_up() once the session is up. */
void cp_session_step(struct cp_node *n, uint64_t now);
/* End the session (idempotent): links closed, every request in flight
 * answered NULL, loads orphaned, reconnect after the backoff; why is
 * logged (NULL: quietly, when stopping). */
void cp_session_drop(struct cp_node *n, const char *why);
/* True when commands can be sent. */
bool cp_session_up(const struct cp_node *n);
/* poll() the session's links for at most timeout_ms and hand the results
 * to hiredis (runs reply callbacks). */
void cp_session_poll(struct cp_node *n, int timeout_ms);
/* Send a directory script: register, heartbeat and sweep on the lease
 * link, the others on the command link; cb gets the reply (NULL if the
 * session ended first). 0 or -EIO. */
int cp_session_script(struct cp_node *n, enum cp_script id, int argc, const char **argv,
		      cp_link_cb *cb, void *priv);
/* The node's reaction to a session that just came up (cp_main.c, or the
 * benchmark's own). */
void cp_on_redis_up(struct cp_node *n);

/* Desired-state loads (cp_aload.c), one at a time, pipelined on the
 * command link. */
/* Start loading every owned room (full) or the dirty rooms; on completion
 * the cache is updated and apply_due set (the loop then runs cp_apply and
 * cp_ack_events, outside hiredis's callbacks). 0, -EBUSY (a load is in flight),
 * -ENODATA (nothing dirty) or -EIO. */
int cp_load_start(struct cp_node *n, bool full);
/* Note a room named by an event (0: none, the entry is only acked) and the
 * entry id to ack once the room is applied (NULL: none). 0 or -ENOMEM. */
int cp_dirty_add(struct cp_node *n, uint32_t room, const char *entry_id);
/* The cached room `id`, or NULL (the cache is sorted by id). */
struct cp_droom *cp_room_find(const struct cp_node *n, uint32_t id);
/* XACK the entries whose rooms have been applied (acks_due). */
void cp_ack_events(struct cp_node *n);
/* Write what the lease link has queued now (top level only: never from a
 * hiredis callback). */
void cp_session_flush(struct cp_node *n);
/* Forget dirty rooms and ids (session lost: the entries stay pending in
 * Redis and are read again). */
void cp_dirty_clear(struct cp_dirty *d);
/* Forget every room (lease lost): the next apply removes them. */
void cp_forget_all(struct cp_node *n);
/* Make the dataplane match the cache: DUMP, delete what differs, add what
 * is missing; ack newly served rooms when Redis is up. 0 or -errno of the
 * control channel (the fd is then closed). */
int cp_apply(struct cp_node *n);
/* Write the status JSON to cfg.status_file (cp_status.c). 0 or -errno. */
int cp_status_write(const struct cp_node *n, uint64_t now);
/* Participants in the cache (the node's load). */
uint32_t cp_load(const struct cp_node *n);

#endif /* CP_NODE_H */
