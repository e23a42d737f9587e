/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's half of the XDP closed loop (issue 4): every
 * guard_interval_ms it asks the dataplane for its OFFENDERS over the
 * dataplane link (cp_dplink.h, between the requests of an apply) and hands
 * the reply to xdp_guard_step() (ebpf/xdp_guard.h), which bans persistent
 * offenders in the filter's blocklist (pinned maps under cfg.xdp_pins) with
 * an expiry. Each ban and expiry is logged with its reason and counts; a
 * participant's address (the reply's protect mark) is never banned, the
 * refusal logged once per ban period and counted (issue 13). It runs
 * whether or not Redis is reachable.
 */
#ifndef CP_GUARD_H
#define CP_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_dplink.h"
#include "cp_opts.h"
#include "xdp_guard.h"

struct cp_guard;

/* Open the pinned filter maps and the guard state when cfg->xdp_pins is
 * set (*out NULL otherwise: the guard is off). 0 or -errno with a logged
 * reason. cfg and dl outlive the guard. */
int cp_guard_open(struct cp_guard **out, const struct cp_node_cfg *cfg, struct cp_dplink *dl);
/* Ask for the offenders when due and the link can take a request; the
 * reply is handled when the loop reads it. g may be NULL (off). */
void cp_guard_turn(struct cp_guard *g, uint64_t now_ms);

/* Read the filter's configuration map through the open map fds: whether
 * bpf() on them works with the calling thread's current capabilities
 * (cp_main.c's privilege drop measures with it). 0 or -errno. */
int cp_guard_probe(struct cp_guard *g);
/* The guard's counters (bans, expiries, declined, lifted; xdp_guard.h)
 * into *out; false, *out zeroed, when g is NULL (off). */
bool cp_guard_counters(const struct cp_guard *g, struct xdp_guard_counters *out);
/* When the next turn is due (UINT64_MAX when g is NULL). */
uint64_t cp_guard_next(const struct cp_guard *g);
/* Close the maps and free g (NULL: nothing). Close the dataplane link
 * first: a request in flight calls back into g. */
void cp_guard_close(struct cp_guard *g);

#endif /* CP_GUARD_H */
