/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared helpers for test programs that need DPDK: EAL start-up without
 * hugepages, PCI, telemetry or shared files (so any number of test
 * processes can run at once), and small mbuf pools.
 *
 * DPDK 22.11 refuses --in-memory together with --no-huge (--no-huge turns
 * on legacy memory, which --in-memory rejects), so --no-shconf and a
 * per-process --file-prefix give the same isolation.
 */
#ifndef TEST_EAL_H
#define TEST_EAL_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

/* Start EAL for a test process: --no-huge -m 512 --no-pci --no-shconf
 * --no-telemetry --log-level=*:warning and a file prefix unique to this
 * process, followed by the space-separated extra_args (may be NULL, e.g.
 * "--lcores=0-1" or "--vdev=net_ring0"). Returns 0 or -errno; on failure a
 * reason is printed on stderr. */
int test_eal_init(const char *prog, const char *extra_args);

/* Stop EAL (rte_eal_cleanup) and remove the process's empty runtime
 * directory so test runs leave nothing in /var/run/dpdk. Call once, after
 * every DPDK object was freed. */
void test_eal_cleanup(void);

/* Create a pool of n mbufs with data room RTE_MBUF_DEFAULT_BUF_SIZE on the
 * caller's socket, under a unique generated name. NULL + rte_errno. */
struct rte_mempool *test_mbuf_pool(unsigned n);

/* Allocate an mbuf holding a copy of len bytes at data offset 0.
 * NULL when the pool is empty or len exceeds the room. */
struct rte_mbuf *test_mbuf_from(struct rte_mempool *mp, const void *data, uint16_t len);

#endif /* TEST_EAL_H */
