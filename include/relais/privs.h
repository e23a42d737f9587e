/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Running unprivileged after setup: relais-dataplane (process.user) and
 * relais-controlplane (--run-as) start as root, set up what needs root
 * (ports, XDP, sockets, pinned maps, files), then become a configured
 * user and group and keep only the capabilities their running part still
 * needs (docs/operations.md, "Privileges": which ones and why).
 *
 * The drop, in this order: the bounding set reduced to the kept set;
 * PR_SET_KEEPCAPS; supplementary groups of the user (initgroups) plus the
 * group; setresgid, setresuid (glibc applies both to every thread of the
 * process); the calling thread's permitted and effective sets set to the
 * kept set, inheritable and ambient sets emptied; no_new_privs on every
 * thread (prctl, then an allow-all seccomp filter with
 * SECCOMP_FILTER_FLAG_TSYNC, which the kernel uses to set no_new_privs on
 * every other thread of the process too). Other threads (DPDK's lcores,
 * its interrupt and telemetry threads) lose every capability at the
 * setresuid: the kernel clears them for a thread leaving uid 0 without
 * keep-caps. Then the drop is checked: ids, sets, and that uid 0 cannot be
 * taken back. Capability sets are read and written with the raw
 * capget/capset system calls of <linux/capability.h> (no libcap).
 */
#ifndef RELAIS_PRIVS_H
#define RELAIS_PRIVS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The capability bit of a kept set (CAP_* of <linux/capability.h>). */
#define RELAIS_CAP(c) (1ULL << (c))

/* Whom to become. */
struct relais_privs {
	char user[64];
	uid_t uid;
	gid_t gid;
};

/* Resolve user (a name of the passwd database, or a number with an entry
 * there) and group (a name or number of the group database; NULL or ""
 * for the user's primary group) into p. 0, or -EINVAL with a sentence in
 * err. */
int relais_privs_resolve(struct relais_privs *p, const char *user, const char *group, char *err,
			 size_t n);

/* Resolve "USER[:GROUP]" (see relais_privs_resolve). */
int relais_privs_resolve_spec(struct relais_privs *p, const char *spec, char *err, size_t n);

/* Become p keeping exactly the capabilities of keep (RELAIS_CAP bits),
 * as described above. Started as root: the full drop. Started as p's
 * user already (e.g. by systemd with AmbientCapabilities): only the
 * capability sets are reduced (to keep, within what the process has) and
 * no_new_privs set. Any other user: -EPERM. 0, or -errno with err naming
 * the step that failed (the caller must exit: the process may be half
 * dropped). */
int relais_privs_drop(const struct relais_privs *p, uint64_t keep, char *err, size_t n);

/* Remove the capabilities of caps from the calling thread's effective
 * (and, when permanent is nonzero, permitted) set; without permanent they
 * can be raised again with relais_privs_raise. 0 or -errno. */
int relais_privs_lower(uint64_t caps, int permanent);
/* Raise caps (which must be permitted) in the calling thread's effective
 * set. 0 or -errno. */
int relais_privs_raise(uint64_t caps);

/* The calling thread's effective set as RELAIS_CAP bits (0 on error). */
uint64_t relais_privs_effective(void);

/* "net_admin,bpf" for a set ("none" when empty) into buf; returns buf. */
const char *relais_privs_names(uint64_t caps, char *buf, size_t n);

/* When the process runs as root and no drop is configured, say on stderr
 * that prog keeps every privilege and that how (the setting) drops
 * them. Nothing otherwise. */
void relais_privs_warn_root(const char *prog, const char *how);

#endif /* RELAIS_PRIVS_H */
