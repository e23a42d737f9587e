/* SPDX-License-Identifier: BSD-3-Clause */
/* Status files written atomically (cp_statusfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cp_statusfile.h"

/* See header. */
int cp_statusfile_check(const char *prog, const char *path, char *out, size_t n, uid_t writer)
{
	char dir[512];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (n <= CP_STATUSFILE_SUFFIX ||
	    snprintf(out, n - CP_STATUSFILE_SUFFIX, "%s", path) >= (int)(n - CP_STATUSFILE_SUFFIX))
		return -EINVAL;
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path) + (slash == path), path);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: status file %s: no directory %s\n", prog, path, dir);
		return -EINVAL;
	}
	if ((st.st_mode & 022) || (st.st_uid != writer && st.st_uid != 0)) {
		fprintf(stderr,
			"%s: status file %s: directory %s may be written by others (mode %03o, "
			"uid %u): use a directory only relais writes\n",
			prog, path, dir, (unsigned)(st.st_mode & 0777), (unsigned)st.st_uid);
		return -EINVAL;
	}
	return 0;
}

/* See header. */
int cp_statusfile_write(const char *path, void (*fill)(FILE *f, const void *arg), const void *arg)
{
	char tmp[512];
	FILE *f;
	int fd, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	unlink(tmp); /* whatever is there (a planted link) is never written through */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (f == NULL) {
		rc = -errno;
		close(fd);
		return rc;
	}
	fill(f, arg);
	if (fclose(f) != 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	return rc;
}

/* See header. */
unsigned long long cp_statusfile_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000ull +
	       (unsigned long long)ts.tv_nsec / 1000000ull;
}
