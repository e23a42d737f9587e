/* SPDX-License-Identifier: BSD-3-Clause */
/* The node's wiring of its parts; see cp_node.h. */
#include <poll.h>

#include "cp_node.h"
#include "cp_util.h"

/* Session hook: a fresh session registers first. */
static void on_session_up(void *arg)
{
	struct cp_node *n = arg;

	cp_lease_session_up(&n->lease);
}

/* Session hook: nothing is in flight any more; the load is orphaned. */
static void on_session_down(void *arg)
{
	struct cp_node *n = arg;

	cp_lease_session_down(&n->lease);
	cp_loader_session_down(&n->ld);
}

/* See header. */
void cp_node_init(struct cp_node *n)
{
	const struct cp_session_hooks hooks = {on_session_up, on_session_down, n};

	n->dcfg.kr = n->kr;
	n->dcfg.max_objects = n->cfg.max_objects;
	cp_session_init(&n->sess, &n->cfg.redis, &hooks);
	cp_lease_init(&n->lease, &n->cfg, &n->sess, cp_now_ms());
	n->cache = (struct cp_cache){0};
	cp_loader_init(&n->ld, n->cfg.node, &n->sess, &n->dcfg, &n->cache);
	cp_dplink_init(&n->dl, n->cfg.dp_sock);
	cp_reconcile_init(&n->rec, &n->cache, &n->dl, &n->dcfg);
}

/* See header. */
void cp_node_fini(struct cp_node *n)
{
	cp_session_drop(&n->sess, NULL);
	cp_dplink_close(&n->dl, NULL);
	cp_reconcile_abort(&n->rec);
	cp_loader_fini(&n->ld);
	cp_cache_free(&n->cache);
}

/* See header. */
void cp_node_poll(struct cp_node *n, int timeout_ms)
{
	struct pollfd p[5];
	int k = cp_session_pollfds(&n->sess, p);
	int d = cp_dplink_pollfd(&n->dl, &p[k]);

	if (poll(p, (nfds_t)(k + d), timeout_ms) <= 0)
		return;
	cp_session_dispatch(&n->sess, p, k);
	if (d)
		cp_dplink_handle(&n->dl, p[k].revents);
}

/* See header. */
void cp_node_apply_start(struct cp_node *n)
{
	if (!cp_reconcile_start(&n->rec, n->ld.have_desired))
		cp_events_ack(&n->ld.ev);
}

/* See header. */
int cp_node_apply_step(struct cp_node *n, int *rc)
{
	if (cp_reconcile_step(&n->rec, rc) == 0)
		return 0;
	if (*rc == 0 && n->lease.registered)
		cp_ack_rooms(&n->ld, n->lease.token);
	cp_events_ack(&n->ld.ev);
	return 1;
}

/* See header. */
int cp_node_apply(struct cp_node *n)
{
	int rc = 0;

	cp_node_apply_start(n);
	while (cp_reconcile_busy(&n->rec) && cp_node_apply_step(n, &rc) == 0)
		cp_node_poll(n, 100);
	return rc;
}
