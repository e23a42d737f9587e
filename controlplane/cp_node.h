/* SPDX-License-Identifier: BSD-3-Clause */
/* relais-controlplane: one node, composed of its parts (docs/controlplane.md,
 * "Code layout"). Each part has its own state and header; the node only
 * wires them together and runs them from one poll() loop (cp_main.c):
 *
 *   session (cp_session.h)     the Redis links, connect state machine
 *   lease (cp_lease.h)         register, heartbeat, sweep, lease clock
 *   loader (cp_loader.h)       events -> loads -> cache; acks, XACK
 *   cache (cp_cache.h)         the desired rooms
 *   dplink (cp_dplink.h)       the polled dataplane control link
 *   reconcile (cp_reconcile.h) the staged apply: cache -> dataplane
 *   guard (cp_guard.h)         the XDP ban loop
 */
#ifndef CP_NODE_H
#define CP_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_cache.h"
#include "cp_desired.h"
#include "cp_dplink.h"
#include "cp_guard.h"
#include "cp_keywrap.h"
#include "cp_lease.h"
#include "cp_loader.h"
#include "cp_opts.h"
#include "cp_reconcile.h"
#include "cp_session.h"

struct cp_node {
	struct cp_node_cfg cfg;
	struct cp_keyring *kr; /* cp_keyring_new: out of core dumps */
	struct cp_desired_cfg dcfg;
	struct cp_session sess;
	struct cp_lease lease;
	struct cp_cache cache;
	struct cp_loader ld;
	struct cp_dplink dl;
	struct cp_reconcile rec;
	struct cp_guard *guard; /* NULL unless cfg.xdp_pins */
	uint64_t next_status;
	volatile int stop;
};

/* Wire the parts of n, whose cfg and kr are set: a session that is down,
 * a lease not registered (its clock one lease ahead of now), an idle
 * loader, an empty cache, a disconnected dataplane link. The session's
 * hooks are the node's (the lease and the loader follow the session); a
 * caller may replace them afterwards. The guard is opened apart
 * (cp_guard_open). */
void cp_node_init(struct cp_node *n);
/* Free what the parts hold (the session and the dataplane link are
 * closed; the dataplane keeps its state). */
void cp_node_fini(struct cp_node *n);
/* poll() the Redis links and the dataplane link for at most timeout_ms and
 * run the reply callbacks. */
void cp_node_poll(struct cp_node *n, int timeout_ms);
/* Start an apply of the cache (abandoning one in progress). When none can
 * start (no dataplane, Redis not read yet) the events the cache covers
 * are acknowledged at once. */
void cp_node_apply_start(struct cp_node *n);
/* Advance the apply in progress. When it ends: a successful apply acks
 * the rooms' status (lease held) and every apply acknowledges the events
 * it covered. Returns 1 when it ended (*rc its result), else 0. */
int cp_node_apply_step(struct cp_node *n, int *rc);
/* A whole apply, polling until it ends (the benchmark's). 0 or -errno. */
int cp_node_apply(struct cp_node *n);
/* Write the status JSON to cfg.status_file (cp_status.c). 0 or -errno. */
int cp_status_write(const struct cp_node *n, uint64_t now);

#endif /* CP_NODE_H */
