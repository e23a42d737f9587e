/* SPDX-License-Identifier: BSD-3-Clause */
/* The XDP ban loop inside relais-controlplane; see cp_guard.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <relais/ctl_proto.h>

#include "cp_guard.h"
#include "cp_util.h"
#include "xdp_guard.h"

struct cp_guard {
	const struct cp_node_cfg *cfg;
	struct cp_dplink *dl;
	struct xdp_ctl *xdp;
	struct xdp_guard *g;
	uint64_t next; /* next OFFENDERS request */
};

/* "srtp_auth (auth 95, replay 0, ... in 200 ms)": what grew, for a log line. */
static void growth_text(const struct xdp_guard_report *r, char *buf, size_t n)
{
	snprintf(buf, n,
		 "%s (auth %llu, replay %llu, unknown_ssrc %llu, unknown_source %llu in %llu ms)",
		 r->reason, (unsigned long long)r->growth[RELAIS_OFFENCE_auth_fail],
		 (unsigned long long)r->growth[RELAIS_OFFENCE_replay],
		 (unsigned long long)r->growth[RELAIS_OFFENCE_unknown_ssrc],
		 (unsigned long long)r->growth[RELAIS_OFFENCE_unknown_source],
		 (unsigned long long)r->span_ms);
}

/* xdp_guard log callback: one control-plane log line per event. */
static void log_event(const struct xdp_guard_report *r, void *arg)
{
	char pfx[64], why[160];

	(void)arg;
	xdp_prefix_format(&r->prefix, pfx, sizeof(pfx));
	growth_text(r, why, sizeof(why));
	if (r->event == XDP_GUARD_BAN)
		CP_WARN("guard: banned %s for %llu ms: %s", pfx, (unsigned long long)r->ttl_ms,
			why);
	else if (r->event == XDP_GUARD_DECLINE)
		CP_WARN("guard: not banning %s, %s: %s", pfx, xdp_guard_protect_why(r->protect),
			why);
	else if (r->event == XDP_GUARD_LIFT)
		CP_WARN("guard: ban of %s lifted: %s", pfx, xdp_guard_protect_why(r->protect));
	else
		CP_INFO("guard: ban of %s expired", pfx);
}

/* See cp_guard.h. */
int cp_guard_open(struct cp_guard **out, const struct cp_node_cfg *cfg, struct cp_dplink *dl)
{
	struct xdp_guard_conf gc = {
	    .threshold = (uint64_t)cfg->guard_threshold,
	    .window_ms = (uint64_t)cfg->guard_window_ms,
	    .ban_ttl_ms = (uint64_t)cfg->guard_ban_ttl_ms,
	};
	struct cp_guard *cg;

	*out = NULL;
	if (cfg->xdp_pins[0] == '\0')
		return 0;
	cg = calloc(1, sizeof(*cg));
	if (cg == NULL)
		return -ENOMEM;
	cg->cfg = cfg;
	cg->dl = dl;
	cg->xdp = xdp_ctl_from_pins(cfg->xdp_pins);
	cg->g = cg->xdp ? xdp_guard_new(&gc) : NULL;
	if (cg->g == NULL) {
		int rc = -errno;

		CP_ERR("guard: cannot open the XDP filter maps pinned in %s: %s", cfg->xdp_pins,
		       strerror(errno));
		if (cg->xdp)
			xdp_ctl_close(cg->xdp);
		free(cg);
		return rc ? rc : -EINVAL;
	}
	*out = cg;
	CP_INFO("guard: banning sources with > %d offences in %d ms for %d ms (maps in %s)",
		cfg->guard_threshold, cfg->guard_window_ms, cfg->guard_ban_ttl_ms, cfg->xdp_pins);
	return 0;
}

/* See cp_guard.h. */
int cp_guard_probe(struct cp_guard *g)
{
	struct xdp_config c;

	return xdp_config_get(g->xdp, &c);
}

/* The OFFENDERS reply: offenders to the ban logic, which writes the
 * blocklist. A failed request is retried at the next period. */
static void on_offenders(void *priv, uint64_t tag, int rc, const struct relais_ctl_reply *r)
{
	struct cp_guard *g = priv;

	(void)tag;
	if (rc < 0 || r->status != 0) {
		CP_DEBUG("guard: OFFENDERS failed");
		return;
	}
	if (xdp_guard_step(g->g, g->xdp, &r->u.offenders, xdp_now_ns(), log_event, NULL) < 0)
		CP_WARN("guard: cannot write the XDP blocklist in %s", g->cfg->xdp_pins);
}

/* See cp_guard.h. */
void cp_guard_turn(struct cp_guard *g, uint64_t now_ms)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_OFFENDERS};

	if (g == NULL || now_ms < g->next || !cp_dplink_ready(g->dl))
		return;
	m.u.offenders.min_total = 1;
	m.u.offenders.max = RELAIS_CTL_OFFENDERS_MAX;
	if (cp_dplink_send(g->dl, &m, on_offenders, g, 0) == 0)
		g->next = now_ms + (uint64_t)g->cfg->guard_interval_ms;
}

/* See cp_guard.h. */
bool cp_guard_counters(const struct cp_guard *g, struct xdp_guard_counters *out)
{
	memset(out, 0, sizeof(*out));
	if (g == NULL)
		return false;
	xdp_guard_counters(g->g, out);
	return true;
}

/* See cp_guard.h. */
uint64_t cp_guard_next(const struct cp_guard *g)
{
	return g ? g->next : UINT64_MAX;
}

/* See cp_guard.h. */
void cp_guard_close(struct cp_guard *g)
{
	if (g == NULL)
		return;
	xdp_guard_free(g->g);
	xdp_ctl_close(g->xdp);
	free(g);
}
