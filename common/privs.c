/* SPDX-License-Identifier: BSD-3-Clause */
/* Running unprivileged after setup; see include/relais/privs.h. */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <relais/privs.h>

/* Capability names, by number (capabilities(7), lower case, no CAP_). */
static const char *const cap_names[] = {
    "chown",
    "dac_override",
    "dac_read_search",
    "fowner",
    "fsetid",
    "kill",
    "setgid",
    "setuid",
    "setpcap",
    "linux_immutable",
    "net_bind_service",
    "net_broadcast",
    "net_admin",
    "net_raw",
    "ipc_lock",
    "ipc_owner",
    "sys_module",
    "sys_rawio",
    "sys_chroot",
    "sys_ptrace",
    "sys_pacct",
    "sys_admin",
    "sys_boot",
    "sys_nice",
    "sys_resource",
    "sys_time",
    "sys_tty_config",
    "mknod",
    "lease",
    "audit_write",
    "audit_control",
    "setfcap",
    "mac_override",
    "mac_admin",
    "syslog",
    "wake_alarm",
    "block_suspend",
    "audit_read",
    "perfmon",
    "bpf",
    "checkpoint_restore",
};
#define N_CAP_NAMES (sizeof(cap_names) / sizeof(cap_names[0]))

/* The calling thread's sets: sets[0] effective, [1] permitted, [2]
 * inheritable. 0 or -errno. */
static int cap_get(uint64_t sets[3])
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	sets[0] = d[0].effective | (uint64_t)d[1].effective << 32;
	sets[1] = d[0].permitted | (uint64_t)d[1].permitted << 32;
	sets[2] = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

/* Set the calling thread's sets (as cap_get). 0 or -errno. */
static int cap_set(const uint64_t sets[3])
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(sets[0] >> (32 * i));
		d[i].permitted = (uint32_t)(sets[1] >> (32 * i));
		d[i].inheritable = (uint32_t)(sets[2] >> (32 * i));
	}
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* The highest capability number this kernel knows (cap_last_cap). */
static int cap_last(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = CAP_LAST_CAP;

	if (f != NULL) {
		if (fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	return last;
}

/* See privs.h. */
int relais_privs_resolve(struct relais_privs *p, const char *user, const char *group, char *err,
			 size_t n)
{
	const struct passwd *pw = getpwnam(user);
	const struct group *gr = NULL;

	if (pw == NULL && isdigit((unsigned char)user[0]))
		pw = getpwuid((uid_t)strtoul(user, NULL, 10));
	if (pw == NULL || strlen(pw->pw_name) >= sizeof(p->user)) {
		snprintf(err, n, "no such user '%s'", user);
		return -EINVAL;
	}
	snprintf(p->user, sizeof(p->user), "%s", pw->pw_name);
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	if (group == NULL || group[0] == '\0')
		return 0;
	gr = getgrnam(group);
	if (gr == NULL && isdigit((unsigned char)group[0]))
		gr = getgrgid((gid_t)strtoul(group, NULL, 10));
	if (gr == NULL) {
		snprintf(err, n, "no such group '%s'", group);
		return -EINVAL;
	}
	p->gid = gr->gr_gid;
	return 0;
}

/* See privs.h. */
int relais_privs_resolve_spec(struct relais_privs *p, const char *spec, char *err, size_t n)
{
	char buf[256];
	char *colon;

	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf) || buf[0] == '\0') {
		snprintf(err, n, "expected USER[:GROUP]");
		return -EINVAL;
	}
	colon = strchr(buf, ':');
	if (colon != NULL)
		*colon++ = '\0';
	return relais_privs_resolve(p, buf, colon, err, n);
}

/* Reduce the bounding set to keep (needs CAP_SETPCAP: skipped without it,
 * no_new_privs then closes the same door). 0 or -errno. */
static int bound(uint64_t keep)
{
	uint64_t sets[3] = {0};
	int last = cap_last();

	if (cap_get(sets) < 0 || !(sets[0] & RELAIS_CAP(CAP_SETPCAP)))
		return 0;
	for (int c = 0; c <= last; c++)
		if (!(keep & RELAIS_CAP(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 &&
		    errno != EINVAL)
			return -errno;
	return 0;
}

/* Become p's user and group from root, keeping the permitted set across
 * the uid change. 0 or -errno with err. */
static int switch_ids(const struct relais_privs *p, char *err, size_t n)
{
	const char *step = "prctl(PR_SET_KEEPCAPS)";

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		goto fail;
	step = "initgroups";
	if (initgroups(p->user, p->gid) < 0)
		goto fail;
	step = "setresgid";
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		goto fail;
	step = "setresuid";
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		goto fail;
	step = "prctl(PR_SET_KEEPCAPS, 0)";
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, n, "%s: %s", step, strerror(errno));
	return -errno;
}

/* The number of threads of this process (/proc/self/status), 0 unknown. */
static int n_threads(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	int t = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &t) == 1)
			break;
	fclose(f);
	return t;
}

/* no_new_privs on this thread, and on every other one through an
 * allow-all seccomp filter installed with TSYNC (the kernel sets
 * no_new_privs on each thread it synchronises). 0 or -errno. */
static int no_new_privs(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = {.len = 1, .filter = &allow};
	long rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (n_threads() == 1)
		return 0;
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
	if (rc < 0)
		return -errno;
	return rc == 0 ? 0 : -EAGAIN; /* > 0: a thread that could not be synchronised */
}

/* The drop took: ids are p's, the sets are keep, uid 0 is out of reach.
 * 0 or -EPERM with err. */
static int verify(const struct relais_privs *p, uint64_t keep, char *err, size_t n)
{
	uid_t r, e, s;
	uint64_t sets[3] = {0};

	if (getresuid(&r, &e, &s) < 0 || r != p->uid || e != p->uid || s != p->uid ||
	    getegid() != p->gid || getgid() != p->gid) {
		snprintf(err, n, "ids are not %s's after the switch", p->user);
		return -EPERM;
	}
	if (cap_get(sets) < 0 || (sets[0] | sets[1]) & ~keep || sets[2] != 0) {
		snprintf(err, n, "capability sets larger than asked after the drop");
		return -EPERM;
	}
	if (p->uid != 0 && setresuid(0, 0, 0) == 0) {
		snprintf(err, n, "uid 0 could be taken back after the drop");
		return -EPERM;
	}
	return 0;
}

/* See privs.h. */
int relais_privs_drop(const struct relais_privs *p, uint64_t keep, char *err, size_t n)
{
	uint64_t sets[3] = {0};
	int rc;

	if (geteuid() != 0 && (getuid() != p->uid || geteuid() != p->uid || getgid() != p->gid)) {
		snprintf(err, n, "cannot become %s (uid %u gid %u): not started as root", p->user,
			 (unsigned)p->uid, (unsigned)p->gid);
		return -EPERM;
	}
	if ((rc = bound(keep)) < 0) {
		snprintf(err, n, "prctl(PR_CAPBSET_DROP): %s", strerror(-rc));
		return rc;
	}
	if (geteuid() == 0 && (rc = switch_ids(p, err, n)) < 0)
		return rc;
	if ((rc = cap_get(sets)) == 0) {
		sets[1] &= keep;
		sets[0] = sets[1];
		sets[2] = 0;
		rc = cap_set(sets);
	}
	if (rc == 0 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, n, "capset: %s", strerror(-rc));
		return rc;
	}
	if ((rc = no_new_privs()) < 0) {
		snprintf(err, n, "no_new_privs on every thread: %s", strerror(-rc));
		return rc;
	}
	return verify(p, keep, err, n);
}

/* See privs.h. */
int relais_privs_lower(uint64_t caps, int permanent)
{
	uint64_t sets[3] = {0};
	int rc = cap_get(sets);

	if (rc < 0)
		return rc;
	sets[0] &= ~caps;
	if (permanent)
		sets[1] &= ~caps;
	return cap_set(sets);
}

/* See privs.h. */
int relais_privs_raise(uint64_t caps)
{
	uint64_t sets[3] = {0};
	int rc = cap_get(sets);

	if (rc < 0)
		return rc;
	sets[0] |= caps;
	return cap_set(sets);
}

/* See privs.h. */
uint64_t relais_privs_effective(void)
{
	uint64_t sets[3] = {0};

	return cap_get(sets) < 0 ? 0 : sets[0];
}

/* See privs.h. */
const char *relais_privs_names(uint64_t caps, char *buf, size_t n)
{
	size_t len = 0;

	snprintf(buf, n, "none");
	for (unsigned c = 0; c < 64 && len < n; c++) {
		if (!(caps & RELAIS_CAP(c)))
			continue;
		if (c < N_CAP_NAMES)
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? "," : "",
						cap_names[c]);
		else
			len += (size_t)snprintf(buf + len, n - len, "%scap_%u", len ? "," : "", c);
	}
	return buf;
}

/* See privs.h. */
void relais_privs_warn_root(const char *prog, const char *how)
{
	if (geteuid() != 0)
		return;
	fprintf(stderr,
		"%s: warning: running as root with every capability; set %s to drop to an "
		"unprivileged user after setup (docs/operations.md, \"Privileges\")\n",
		prog, how);
}
