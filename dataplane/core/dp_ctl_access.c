/* SPDX-License-Identifier: BSD-3-Clause */
/* Control channel access: socket modes and peer credentials; see
 * dp_ctl_access.h. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dp_ctl_access.h"

#define MAX_GROUPS 256

/* mkdir -p of path's parent directory (0755). */
static void make_parent(const char *path)
{
	char dir[108];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
}

/* See dp_ctl_access.h. */
int dp_ctl_listen(const char *path, long gid)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int fd, rc = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	make_parent(path);
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old = umask(0117); /* the socket file is born 0660 */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		rc = -errno;
	umask(old);
	if (rc == 0 && gid >= 0 && chown(path, (uid_t)-1, (gid_t)gid) < 0)
		rc = -errno;
	if (rc == 0 && listen(fd, 16) < 0)
		rc = -errno;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

/* Whether user uid (primary group pgid) is a member of group gid. */
static int in_group(uid_t uid, gid_t pgid, gid_t gid)
{
	const struct passwd *pw;
	gid_t groups[MAX_GROUPS];
	int n = MAX_GROUPS;

	if (pgid == gid)
		return 1;
	pw = getpwuid(uid);
	if (pw == NULL || getgrouplist(pw->pw_name, pgid, groups, &n) < 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return 1;
	return 0;
}

/* See dp_ctl_access.h. */
int dp_ctl_peer_allowed(int fd, long gid, char *who, size_t n)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
		snprintf(who, n, "unknown peer");
		return 0;
	}
	snprintf(who, n, "uid %u pid %d", (unsigned)cr.uid, (int)cr.pid);
	if (cr.uid == 0 || cr.uid == geteuid())
		return 1;
	return gid >= 0 && in_group(cr.uid, cr.gid, (gid_t)gid);
}
