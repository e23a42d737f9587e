/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK's memory out of core dumps; see dp_nodump.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_memory.h>

#include "dp_nodump.h"

/* Mark [addr, addr + len) (whole segments, so whole pages) MADV_DONTDUMP.
 * 0 or -errno. */
static int dontdump(const void *addr, size_t len)
{
	/* madvise takes a non-const pointer; the mapping is only advised. */
	return madvise((void *)(uintptr_t)addr, len, MADV_DONTDUMP) == 0 ? 0 : -errno;
}

/* rte_memseg_contig_walk: one VA-contiguous run of segments. 0 or -1. */
static int mark_run(const struct rte_memseg_list *msl, const struct rte_memseg *ms, size_t len,
		    void *arg)
{
	int rc;

	(void)arg;
	if (msl->external)
		return 0; /* memory someone else mapped (none in relais) */
	rc = dontdump(ms->addr, len);
	if (rc < 0) {
		fprintf(stderr, "relais-dataplane: madvise(%p, %zu, MADV_DONTDUMP): %s\n", ms->addr,
			len, strerror(-rc));
		return -1;
	}
	return 0;
}

/* Memory event: pages DPDK just mapped for its heap (it marked them
 * MADV_DODUMP). Called with the memory hotplug lock held: only madvise. */
static void on_mem_event(enum rte_mem_event ev, const void *addr, size_t len, void *arg)
{
	int rc = ev == RTE_MEM_EVENT_ALLOC ? dontdump(addr, len) : 0;

	(void)arg;
	if (rc < 0)
		fprintf(stderr, "relais-dataplane: madvise(%p, %zu, MADV_DONTDUMP): %s\n", addr,
			len, strerror(-rc));
}

/* See dp_nodump.h. */
int dp_nodump_init(void)
{
	if (rte_mem_event_callback_register("relais_nodump", on_mem_event, NULL) < 0 &&
	    rte_errno != ENOTSUP) {
		fprintf(stderr, "relais-dataplane: memory event callback: %s\n",
			rte_strerror(rte_errno));
		return -rte_errno;
	}
	return rte_memseg_contig_walk(mark_run, NULL) == 0 ? 0 : -EIO;
}
