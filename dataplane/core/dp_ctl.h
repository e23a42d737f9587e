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

/* Listen on path (its directory is created). 0 or -errno. */
int dp_ctl_open(const char *path);
/* Serve clients for at most timeout_ms. */
void dp_ctl_poll(int timeout_ms);
void dp_ctl_close(void);

/* Apply one decoded request and fill its reply (also used by tests). */
void dp_ctl_apply(const struct relais_ctl_msg *m, struct relais_ctl_reply *r);

#endif /* DP_CTL_H */
