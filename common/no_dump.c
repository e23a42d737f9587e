/* SPDX-License-Identifier: BSD-3-Clause */
/* Keys out of core dumps; see include/relais/no_dump.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <relais/no_dump.h>

/* See no_dump.h. */
int relais_no_core_dump(const char *prog)
{
	const char *allow = getenv("RELAIS_ALLOW_CORE_DUMP");

	if (allow != NULL && strcmp(allow, "1") == 0) {
		fprintf(stderr,
			"%s: warning: RELAIS_ALLOW_CORE_DUMP=1: a core dump of this process "
			"holds keys\n",
			prog);
		return 0;
	}
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : -errno;
}
