/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-controlplane: one per node. Registers the node in Redis and keeps
 * its lease, sweeps expired leases, follows the event stream, and keeps the
 * dataplane equal to the desired state of the rooms this node owns
 * (docs/controlplane.md, docs/schema.md). Single-threaded, one poll()
 * loop over the Redis links (cp_session.h) and the dataplane link
 * (cp_dplink.h), so nothing waits on Redis or on the dataplane, and a long
 * apply never delays a heartbeat or a ban. This file is the loop; the
 * parts are composed in cp_node.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/capability.h>

#include <relais/no_dump.h>
#include <relais/privs.h>

#include "cp_node.h"
#include "cp_util.h"

static struct cp_node node;

/* SIGINT, SIGTERM: the loop ends after its turn. */
static void on_signal(int sig)
{
	(void)sig;
	node.stop = 1;
}

/* Stop serving: the lease is lost (refused or expired locally). The
 * dataplane is emptied of this node's rooms; the node registers again. */
static void lease_lost(struct cp_node *n, const char *why)
{
	CP_WARN("lease lost (%s): removing %d room(s) from the dataplane", why, n->cache.n);
	cp_lease_drop(&n->lease);
	cp_loader_orphan(&n->ld); /* a load in flight would re-add rooms */
	cp_cache_clear(&n->cache);
	n->ld.have_desired = true;
	cp_node_apply_start(n);
}

/* What the reply callbacks recorded for the node: a registration (the
 * loader re-reads pending events and reloads), a lost event group
 * (register again), a lost lease. */
static void lease_news(struct cp_node *n, uint64_t now)
{
	const char *why;

	if (n->ld.ev.group_lost) {
		n->ld.ev.group_lost = false;
		cp_lease_reregister(&n->lease);
	}
	if (cp_lease_take_fresh(&n->lease))
		cp_loader_registered(&n->ld);
	why = cp_lease_lost_why(&n->lease, now);
	if (why == NULL)
		return;
	if (!n->lease.refused)
		CP_DEBUG("last accepted heartbeat sent %llu ms ago",
			 (unsigned long long)(now - n->lease.ok_ms));
	lease_lost(n, why);
}

/* The dataplane: connect when needed (a new connection gets a full apply:
 * a restarted dataplane starts empty), time out silent requests, start the
 * apply a load made due (never under a load in flight: the cache must not
 * change during an apply), advance the apply in progress. */
static void dataplane_duties(struct cp_node *n, uint64_t now)
{
	int rc;

	if (cp_dplink_connect(&n->dl, now))
		n->ld.apply_due = true;
	cp_dplink_check(&n->dl, now);
	if (n->ld.apply_due && n->ld.loading == NULL) {
		n->ld.apply_due = false;
		cp_node_apply_start(n);
	}
	cp_node_apply_step(n, &rc);
}

/* Redis duties when the session is up: register or heartbeat, sweep; then,
 * registered, the loader's (the next load only between applies, the event
 * read). */
static void redis_duties(struct cp_node *n, uint64_t now)
{
	bool applying = cp_reconcile_busy(&n->rec);

	if (cp_lease_duties(&n->lease, now, cp_cache_load(&n->cache)) && applying)
		CP_DEBUG("heartbeat sent during a long apply");
	if (n->lease.registered)
		cp_loader_turn(&n->ld, now, n->cfg.reconcile_ms, !applying);
}

/* Milliseconds to wait in poll(): until the next timed duty, at most
 * 100 ms so stalls and the lease clock are checked often; 0 when an apply
 * is due. */
static int until_next(const struct cp_node *n)
{
	uint64_t now = cp_now_ms(), next = now + 100;
	uint64_t t[4] = {n->lease.next_hb, n->lease.next_sweep, n->ld.next_full,
			 cp_guard_next(n->guard)};

	if (n->ld.apply_due && n->ld.loading == NULL)
		return 0;
	for (int i = 0; i < 4; i++)
		if (t[i] < next)
			next = t[i];
	return next <= now ? 0 : (int)(next - now);
}

/* Write the status file every second when asked to. */
static void status_duty(struct cp_node *n, uint64_t now)
{
	int rc;

	if (n->cfg.status_file[0] == '\0' || now < n->next_status)
		return;
	rc = cp_status_write(n, now);
	if (rc < 0 && n->next_status == 0)
		CP_WARN("cannot write the status file %s: %s", n->cfg.status_file, strerror(-rc));
	n->next_status = now + 1000;
}

/* One turn of the loop: poll() for replies (callbacks only record), then
 * the lease clock, the dataplane and the apply, bans, the Redis session
 * and its duties. */
static void turn(struct cp_node *n)
{
	uint64_t now;

	cp_node_poll(n, until_next(n));
	now = cp_now_ms();
	lease_news(n, now);
	dataplane_duties(n, now);
	status_duty(n, now);
	cp_guard_turn(n->guard, now); /* bans do not depend on Redis */
	cp_session_step(&n->sess, now);
	if (cp_session_up(&n->sess))
		redis_duties(n, now);
}

/* --run-as: become that user and group once the keyring and the pinned
 * maps are open (docs/operations.md, "Privileges"). CAP_BPF is kept only
 * with the XDP guard, and only when this kernel needs it for bpf() on the
 * map fds already open (before Linux 6.5, kernel.unprivileged_bpf_disabled
 * refuses every bpf() command without it): measured here with it lowered.
 * Nothing else needs a capability: Redis is a TCP (or unix) socket, the
 * dataplane socket needs control.group, the status file its directory.
 * 0, or -1 (logged: the caller exits). */
static int drop_privileges(struct cp_node *n)
{
	uint64_t keep = n->guard ? RELAIS_CAP(CAP_BPF) : 0;
	char err[256], caps[64];

	if (!n->cfg.drop) {
		relais_privs_warn_root(cp_log_prog, "--run-as USER[:GROUP]");
		return 0;
	}
	if (relais_privs_drop(&n->cfg.run_as, keep, err, sizeof(err)) < 0 ||
	    relais_no_core_dump(cp_log_prog) < 0) {
		CP_ERR("cannot drop privileges to %s: %s", n->cfg.run_as.user, err);
		return -1;
	}
	if (keep && relais_privs_lower(keep, 0) == 0) {
		int rc = cp_guard_probe(n->guard);

		if (rc == 0 ? relais_privs_lower(keep, 1) < 0 : relais_privs_raise(keep) < 0) {
			CP_ERR("cannot adjust CAP_BPF after the drop");
			return -1;
		}
	}
	CP_INFO("running as %s (uid %u gid %u), capabilities: %s", n->cfg.run_as.user,
		(unsigned)n->cfg.run_as.uid, (unsigned)n->cfg.run_as.gid,
		relais_privs_names(relais_privs_effective(), caps, sizeof(caps)));
	return 0;
}

/* Options, keyring, the node's parts and the guard, the privilege drop;
 * then the loop until a signal. Exit 2 on a configuration error. */
int main(int argc, char **argv)
{
	char err[512];

	cp_log_prog = "relais-controlplane";
	if (relais_no_core_dump(cp_log_prog) < 0) {
		CP_ERR("cannot make the process non-dumpable");
		return 2;
	}
	if (cp_opts_parse(&node.cfg, argc, argv) != 0)
		return 2;
	node.kr = cp_keyring_new();
	if (node.kr == NULL) {
		CP_ERR("keyring: %s", strerror(errno));
		return 2;
	}
	if (cp_keyring_load(node.kr, node.cfg.keyring, err, sizeof(err)) < 0) {
		CP_ERR("%s", err);
		return 2;
	}
	cp_node_init(&node);
	if (cp_guard_open(&node.guard, &node.cfg, &node.dl) < 0 || drop_privileges(&node) < 0)
		return 2;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	CP_INFO("node %s: dataplane %s, lease %d ms, reconcile every %d ms", node.cfg.node,
		node.cfg.dp_sock, node.cfg.lease_ms, node.cfg.reconcile_ms);
	while (!node.stop)
		turn(&node);
	CP_INFO("stopping; the dataplane keeps forwarding its current state");
	cp_node_fini(&node); /* the link first: a guard request calls back */
	cp_guard_close(node.guard);
	cp_keyring_free(node.kr);
	return 0;
}
