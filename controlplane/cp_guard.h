/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's half of the XDP closed loop (issue 4): every
 * guard_interval_ms it reads the dataplane's OFFENDERS over the control
 * channel and hands them to xdp_guard_step() (ebpf/xdp_guard.h), which bans
 * persistent offenders in the filter's blocklist (pinned maps under
 * cfg.xdp_pins) with an expiry. Each ban and expiry is logged with its
 * reason and counts.
 */
#ifndef CP_GUARD_H
#define CP_GUARD_H

#include "cp_node.h"

/* Open the pinned filter maps and the guard state when cfg.xdp_pins is
 * set. 0 (also when disabled) or -errno with a logged reason. */
int cp_guard_open(struct cp_node *n);
/* One poll when it is due; never blocks beyond one control call. */
void cp_guard_turn(struct cp_node *n, uint64_t now_ms);
void cp_guard_close(struct cp_node *n);

#endif /* CP_GUARD_H */
