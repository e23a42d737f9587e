/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared test helpers: EAL start-up and mbuf pools (test_eal.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "test_eal.h"

#define MAX_EAL_ARGS 32
#define ARG_BUF_LEN 1024

/* Split the space-separated string s (modified in place) into argv from
 * index *argc on. Returns 0 or -E2BIG. */
static int split_args(char *s, char **argv, int *argc)
{
	for (char *tok = strtok(s, " \t"); tok != NULL; tok = strtok(NULL, " \t")) {
		if (*argc >= MAX_EAL_ARGS - 1)
			return -E2BIG;
		argv[(*argc)++] = tok;
	}
	return 0;
}

/* Start EAL (see test_eal.h). The argument strings must outlive the
 * process's use of EAL, hence the static storage. */
int test_eal_init(const char *prog, const char *extra_args)
{
	static char prefix[64], extra[ARG_BUF_LEN];
	static char *argv[MAX_EAL_ARGS];
	int argc = 0, rc;

	snprintf(prefix, sizeof(prefix), "--file-prefix=relais_test_%ld", (long)getpid());
	argv[argc++] = (char *)(uintptr_t)(prog != NULL ? prog : "test");
	argv[argc++] = (char *)(uintptr_t) "--no-huge";
	argv[argc++] = (char *)(uintptr_t) "-m";
	argv[argc++] = (char *)(uintptr_t) "512";
	argv[argc++] = (char *)(uintptr_t) "--no-pci";
	argv[argc++] = (char *)(uintptr_t) "--no-shconf";
	argv[argc++] = (char *)(uintptr_t) "--no-telemetry";
	argv[argc++] = (char *)(uintptr_t) "--log-level=*:warning";
	argv[argc++] = prefix;
	if (extra_args != NULL) {
		if (strlen(extra_args) >= sizeof(extra))
			return -E2BIG;
		strcpy(extra, extra_args);
		rc = split_args(extra, argv, &argc);
		if (rc < 0)
			return rc;
	}
	argv[argc] = NULL;
	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		rc = rte_errno != 0 ? -rte_errno : -EINVAL;
		fprintf(stderr, "test_eal_init: rte_eal_init failed: %s\n", rte_strerror(-rc));
		return rc;
	}
	return 0;
}

/* Stop EAL and remove its runtime directory (see test_eal.h). */
void test_eal_cleanup(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (dir[0] != '\0')
		rmdir(dir);
}

/* Small mbuf pool under a unique name (see test_eal.h). */
struct rte_mempool *test_mbuf_pool(unsigned n)
{
	static unsigned seq;
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "test_mp_%u", seq++);
	return rte_pktmbuf_pool_create(name, n, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
}

/* Copy len bytes into a fresh mbuf (see test_eal.h). */
struct rte_mbuf *test_mbuf_from(struct rte_mempool *mp, const void *data, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *dst;

	if (m == NULL)
		return NULL;
	dst = rte_pktmbuf_append(m, len);
	if (dst == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (len > 0)
		memcpy(dst, data, len);
	return m;
}
