/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control channel server (control thread only): a SOCK_SEQPACKET unix
 * socket; each client must say HELLO with our protocol version first.
 * Requests are applied to the tables between worker iterations through
 * RCU, so a control request never blocks a forwarding lcore.
 */
#ifndef DP_CTL_H
#define DP_CTL_H

#include <relais/ctl_proto.h>

/* Listen on path, for full clients (root, our user, members of group gid
 * unless gid < 0), and on stats_path unless it is NULL or "", for
 * read-only clients (`ro` messages of ctl_messages.h; group stats_gid).
 * Directories are created; see dp_ctl_access.h. 0 or -errno. */
int dp_ctl_open(const char *path, long gid, const char *stats_path, long stats_gid);
#define DP_CTL_POLL_EXTRA 4
/* Serve clients for at most timeout_ms; the wait also ends when one of
 * the n_extra (at most DP_CTL_POLL_EXTRA) fds of another part of the
 * control thread is readable (the caller serves those). */
void dp_ctl_poll(int timeout_ms, const int *extra, unsigned n_extra);
void dp_ctl_close(void);

/* Apply one decoded request and fill its reply (also used by tests). */
void dp_ctl_apply(const struct relais_ctl_msg *m, struct relais_ctl_reply *r);

#endif /* DP_CTL_H */
