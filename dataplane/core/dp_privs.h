/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's privilege drop (process.user, process.group;
 * docs/operations.md, "Privileges"): EAL, the port (AF_XDP sockets and
 * their XDP program), the control, stats and edge sockets, telemetry and
 * the state file are set up as root; then, before the workers start, the
 * process becomes that user and group (include/relais/privs.h) and keeps
 * DP_PRIVS_KEEP in the main lcore's thread only: the workers and DPDK's
 * own threads keep no capability.
 */
#ifndef DP_PRIVS_H
#define DP_PRIVS_H

#include <stddef.h>

#include <linux/capability.h>

#include <relais/privs.h>

#include "dp_config.h"

/* What the running dataplane still needs (measured, docs/operations.md):
 * CAP_NET_ADMIN, for the port's close at exit, which detaches the XDP
 * program from the interface (a netlink RTM_SETLINK). */
#define DP_PRIVS_KEEP RELAIS_CAP(CAP_NET_ADMIN)

/* Before dp_app_init: resolve process.user and process.group (nothing to
 * do when process.user is unset); with state.dir, create it (0700) when
 * missing and give it to that user (a real directory owned by root or the
 * user only), and set cfg->state_uid so that the state file is opened
 * only in a directory that user owns. 0 or -EINVAL with err. */
int dp_privs_prepare(struct dp_config *cfg, char *err, size_t n);

/* After dp_app_init, before the workers launch: the state file to that
 * user, then the drop keeping DP_PRIVS_KEEP, and the process made
 * non-dumpable again (a uid change resets it). Without process.user, a
 * warning when running as root. 0 or -errno with err (exit: the process
 * may be half dropped). */
int dp_privs_drop(const struct dp_config *cfg, char *err, size_t n);

#endif /* DP_PRIVS_H */
