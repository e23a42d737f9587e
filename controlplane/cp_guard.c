/* SPDX-License-Identifier: BSD-3-Clause */
/* The XDP ban loop inside relais-controlplane; see cp_guard.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <relais/ctl_proto.h>

#include "cp_guard.h"
#include "cp_util.h"
#include "xdp_guard.h"

#define GUARD_CALL_TIMEOUT_MS 1000

struct cp_guard {
	struct xdp_ctl *xdp;
	struct xdp_guard *g;
};

/* xdp_guard log callback: one control-plane log line per ban/expiry. */
static void log_event(const struct xdp_guard_report *r, void *arg)
{
	char pfx[64];

	(void)arg;
	xdp_prefix_format(&r->prefix, pfx, sizeof(pfx));
	if (r->event == XDP_GUARD_BAN)
		CP_WARN("guard: banned %s for %llu ms: %s (auth %llu, replay %llu, "
			"unknown_ssrc %llu, unknown_source %llu in %llu ms)",
			pfx, (unsigned long long)r->ttl_ms, r->reason,
			(unsigned long long)r->growth[RELAIS_OFFENCE_auth_fail],
			(unsigned long long)r->growth[RELAIS_OFFENCE_replay],
			(unsigned long long)r->growth[RELAIS_OFFENCE_unknown_ssrc],
			(unsigned long long)r->growth[RELAIS_OFFENCE_unknown_source],
			(unsigned long long)r->span_ms);
	else
		CP_INFO("guard: ban of %s expired", pfx);
}

/* See cp_guard.h. */
int cp_guard_open(struct cp_node *n)
{
	struct xdp_guard_conf gc = {
	    .threshold = (uint64_t)n->cfg.guard_threshold,
	    .window_ms = (uint64_t)n->cfg.guard_window_ms,
	    .ban_ttl_ms = (uint64_t)n->cfg.guard_ban_ttl_ms,
	};
	struct cp_guard *cg;

	if (n->cfg.xdp_pins[0] == '\0')
		return 0;
	cg = calloc(1, sizeof(*cg));
	if (cg == NULL)
		return -ENOMEM;
	cg->xdp = xdp_ctl_from_pins(n->cfg.xdp_pins);
	cg->g = cg->xdp ? xdp_guard_new(&gc) : NULL;
	if (cg->g == NULL) {
		int rc = -errno;

		CP_ERR("guard: cannot open the XDP filter maps pinned in %s: %s", n->cfg.xdp_pins,
		       strerror(errno));
		if (cg->xdp)
			xdp_ctl_close(cg->xdp);
		free(cg);
		return rc ? rc : -EINVAL;
	}
	n->guard = cg;
	CP_INFO("guard: banning sources with > %d offences in %d ms for %d ms (maps in %s)",
		n->cfg.guard_threshold, n->cfg.guard_window_ms, n->cfg.guard_ban_ttl_ms,
		n->cfg.xdp_pins);
	return 0;
}

/* See cp_guard.h. */
void cp_guard_turn(struct cp_node *n, uint64_t now_ms)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_OFFENDERS, .seq = 0x6a00};
	struct relais_ctl_reply r;

	if (n->guard == NULL || n->dp_fd < 0 || now_ms < n->next_guard)
		return;
	n->next_guard = now_ms + (uint64_t)n->cfg.guard_interval_ms;
	m.u.offenders.min_total = 1;
	m.u.offenders.max = RELAIS_CTL_OFFENDERS_MAX;
	if (relais_ctl_call(n->dp_fd, &m, &r, GUARD_CALL_TIMEOUT_MS) < 0 || r.status != 0) {
		CP_DEBUG("guard: OFFENDERS failed");
		return;
	}
	if (xdp_guard_step(n->guard->g, n->guard->xdp, &r.u.offenders, xdp_now_ns(), log_event,
			   NULL) < 0)
		CP_WARN("guard: cannot write the XDP blocklist in %s", n->cfg.xdp_pins);
}

/* See cp_guard.h. */
void cp_guard_close(struct cp_node *n)
{
	if (n->guard == NULL)
		return;
	xdp_guard_free(n->guard->g);
	xdp_ctl_close(n->guard->xdp);
	free(n->guard);
	n->guard = NULL;
}
