/* SPDX-License-Identifier: BSD-3-Clause */
/* The control plane's status for operators and monitoring agents: one JSON
 * object written to --status-file every second (to PATH.tmp, then renamed,
 * so a reader never sees half a file). docs/controlplane.md "Status". */
#include <stdio.h>

#include <relais/json_out.h>

#include "cp_node.h"
#include "cp_statusfile.h"
#include "cp_util.h"

static const char *const state_names[] = {
    [CP_SESS_DOWN] = "down",
    [CP_SESS_SENTINEL] = "sentinel",
    [CP_SESS_HANDSHAKE] = "handshake",
    [CP_SESS_UP] = "up",
};

struct status_args {
	const struct cp_node *n;
	uint64_t now;
};

/* The XDP ban loop's counters, when it runs (--xdp-pins). */
static void write_guard(struct json_out *j, const struct cp_guard *g)
{
	struct xdp_guard_counters c;

	if (!cp_guard_counters(g, &c))
		return;
	json_ws(j, "\n ");
	json_key(j, "guard");
	json_obj_begin(j);
	json_ku64(j, "bans", c.bans);
	json_ku64(j, "expiries", c.expiries);
	json_ku64(j, "declined", c.declined);
	json_ku64(j, "lifted", c.lifted);
	json_obj_end(j);
}

/* The JSON body; its layout (a line per group) is the one operators know. */
static void write_json(FILE *f, const void *arg)
{
	const struct status_args *a = arg;
	const struct cp_node *n = a->n;
	uint64_t now = a->now;
	const struct cp_session *s = &n->sess;
	long long ago = cp_lease_age(&n->lease, now);
	char master[sizeof(s->master_host) + 8];
	struct json_out j;

	snprintf(master, sizeof(master), "%s:%d", s->master_host, s->master_port);
	json_out_init_file(&j, f, JSON_COMPACT);
	json_obj_begin(&j);
	json_kstr(&j, "node", n->cfg.node);
	json_ku64(&j, "time_ms", cp_statusfile_wall_ms());
	json_ws(&j, "\n ");
	json_key(&j, "redis");
	json_obj_begin(&j);
	json_kstr(&j, "state", state_names[s->state]);
	json_kstr(&j, "master", master);
	json_ki64(&j, "connect_failures", s->connect_failures);
	json_obj_end(&j);
	json_ws(&j, "\n ");
	json_key(&j, "lease");
	json_obj_begin(&j);
	json_kbool(&j, "registered", n->lease.registered);
	json_ki64(&j, "lease_ms", n->cfg.lease_ms);
	json_ki64(&j, "accepted_ms_ago", ago);
	json_obj_end(&j);
	json_ws(&j, "\n ");
	json_ki64(&j, "rooms", n->cache.n);
	json_ku64(&j, "participants", cp_cache_load(&n->cache));
	json_ws(&j, "\n ");
	json_key(&j, "dataplane");
	json_obj_begin(&j);
	json_kbool(&j, "connected", cp_dplink_up(&n->dl));
	json_ku64(&j, "ctl_calls", n->rec.calls);
	json_ku64(&j, "applied", n->rec.applied);
	json_ku64(&j, "refused", n->rec.refused);
	json_ku64(&j, "last_apply_ms", n->rec.last_ms);
	json_obj_end(&j);
	json_ws(&j, "\n ");
	json_key(&j, "loads");
	json_obj_begin(&j);
	json_ku64(&j, "done", n->ld.loads_done);
	json_ku64(&j, "last_ms", n->ld.last_load_ms);
	json_kbool(&j, "in_flight", n->ld.loading != NULL);
	json_obj_end(&j);
	json_ws(&j, "\n ");
	json_ku64(&j, "events_seen", n->ld.ev.seen);
	write_guard(&j, n->guard);
	json_obj_end(&j);
	json_ws(&j, "\n");
	json_out_finish(&j);
}

/* See header (cp_node.h). */
int cp_status_write(const struct cp_node *n, uint64_t now)
{
	struct status_args a = {n, now};

	return cp_statusfile_write(n->cfg.status_file, write_json, &a);
}
