/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who may talk to the control channel (control thread only). The sockets
 * are created mode 0660 (never wider, not even for a moment: the umask is
 * set around bind), owned by the dataplane's user and, when configured, by
 * a group. A connecting peer is then checked by its kernel credentials
 * (SO_PEERCRED): root, the dataplane's own user, or a member of the
 * socket's group; anyone else is refused, even if the socket file's mode
 * was widened by hand. docs/operations.md "Control socket access".
 */
#ifndef DP_CTL_ACCESS_H
#define DP_CTL_ACCESS_H

#include <stddef.h>

/* Listen on a new SOCK_SEQPACKET socket at path (its directory created,
 * an old socket replaced), mode 0660, group gid unless gid < 0. The fd, or
 * -errno. */
int dp_ctl_listen(const char *path, long gid);

/* Whether the peer of connected socket fd may use a socket of group gid
 * (gid < 0: no group, only root and our own user). who gets "uid U pid P"
 * for the log. */
int dp_ctl_peer_allowed(int fd, long gid, char *who, size_t n);

#endif /* DP_CTL_ACCESS_H */
