/* SPDX-License-Identifier: BSD-3-Clause */
/* The dataplane's privilege drop; see dp_privs.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <relais/no_dump.h>

#include "dp_index_state.h"
#include "dp_privs.h"

static struct relais_privs who; /* process.user, resolved */
static bool drop;

/* state.dir for who: created 0700 when missing, then given to who when it
 * is a real directory owned by root (a directory of another user is left
 * as it is: dp_ixs_open refuses it). 0 or -errno with err. */
static int own_state_dir(const char *dir, char *err, size_t n)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, n, "state.dir %s: cannot create: %s", dir, strerror(errno));
		return -errno;
	}
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0)
		return 0;
	if (chown(dir, who.uid, who.gid) < 0) {
		snprintf(err, n, "state.dir %s: cannot give it to %s: %s", dir, who.user,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

/* See dp_privs.h. */
int dp_privs_prepare(struct dp_config *cfg, char *err, size_t n)
{
	char why[160];

	if (cfg->run_user[0] == '\0') {
		if (cfg->run_group[0] != '\0') {
			snprintf(err, n, "process.group: needs process.user");
			return -EINVAL;
		}
		return 0;
	}
	if (relais_privs_resolve(&who, cfg->run_user, cfg->run_group, why, sizeof(why)) < 0) {
		snprintf(err, n, "process.user/process.group: %s", why);
		return -EINVAL;
	}
	drop = true;
	if (cfg->state_dir[0] == '\0')
		return 0;
	cfg->state_uid = (long)who.uid;
	return geteuid() == 0 ? own_state_dir(cfg->state_dir, err, n) : 0;
}

/* The state file (created by root during setup) to who, never through a
 * link. 0 or -errno with err. */
static int own_state_file(const char *dir, char *err, size_t n)
{
	char path[512];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, DP_IXS_FILE);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, who.uid, who.gid) < 0) {
		rc = -errno;
		snprintf(err, n, "state.dir: cannot give %s to %s: %s", path, who.user,
			 strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* See dp_privs.h. */
int dp_privs_drop(const struct dp_config *cfg, char *err, size_t n)
{
	char why[256], caps[64];
	int rc;

	if (!drop) {
		relais_privs_warn_root("relais-dataplane", "process.user");
		return 0;
	}
	if (cfg->state_dir[0] && geteuid() == 0 &&
	    (rc = own_state_file(cfg->state_dir, err, n)) < 0)
		return rc;
	rc = relais_privs_drop(&who, DP_PRIVS_KEEP, why, sizeof(why));
	if (rc == 0 && (rc = relais_no_core_dump("relais-dataplane")) < 0)
		snprintf(why, sizeof(why), "prctl(PR_SET_DUMPABLE): %s", strerror(-rc));
	if (rc < 0) {
		snprintf(err, n, "process.user: cannot become %s: %s", who.user, why);
		return rc;
	}
	printf("relais-dataplane: running as %s (uid %u gid %u), capabilities: %s\n", who.user,
	       (unsigned)who.uid, (unsigned)who.gid,
	       relais_privs_names(relais_privs_effective(), caps, sizeof(caps)));
	fflush(stdout);
	return 0;
}
