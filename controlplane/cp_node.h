/* SPDX-License-Identifier: BSD-3-Clause */
/* relais-controlplane: one node's state (docs/controlplane.md). */
#ifndef CP_NODE_H
#define CP_NODE_H

#include <stdbool.h>
#include <stdint.h>

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
	struct cp_redis_cfg redis;
	/* The XDP ban loop (cp_guard.c): on when xdp_pins is set. */
	char xdp_pins[256];
	int guard_threshold, guard_window_ms, guard_ban_ttl_ms, guard_interval_ms;
};

struct cp_guard;

struct cp_node {
	struct cp_node_cfg cfg;
	struct cp_keyring kr;
	struct cp_desired_cfg dcfg;
	redisContext *rc;
	int dp_fd;
	char token[33];
	bool registered;      /* holds a lease (as far as it knows) */
	bool have_desired;    /* the cache reflects Redis (or a lost lease) */
	bool read_pending;    /* next XREADGROUP re-reads unacknowledged entries */
	uint64_t lease_ok_ms; /* send time of the last heartbeat Redis accepted */
	uint64_t next_hb, next_sweep, next_reconcile, next_connect, next_dp;
	int backoff_ms, connect_failures;
	struct cp_droom *rooms; /* desired cache, sorted by id */
	int n_rooms, cap_rooms;
	uint64_t ctl_calls, applied, refused;
	struct cp_guard *guard; /* NULL unless cfg.xdp_pins */
	uint64_t next_guard;
	volatile int stop;
};

/* Reload every owned room from Redis into the cache. 0 or -EIO (the
 * connection is then unusable). */
int cp_refresh_all(struct cp_node *n);
/* Reload one room (owned or not any more) into the cache. 0 or -EIO. */
int cp_refresh_room(struct cp_node *n, uint32_t room);
/* Forget every room (lease lost): the next apply removes them. */
void cp_forget_all(struct cp_node *n);
/* Make the dataplane match the cache: DUMP, delete what differs, add what
 * is missing; ack newly served rooms when Redis is up. 0 or -errno of the
 * control channel (the fd is then closed). */
int cp_apply(struct cp_node *n);
/* Participants in the cache (the node's load). */
uint32_t cp_load(const struct cp_node *n);

#endif /* CP_NODE_H */
