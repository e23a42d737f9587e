/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK's memory out of core dumps (include/relais/no_dump.h, the second
 * line): the cryptodev engine's sessions hold the SRTP session keys in a
 * mempool, and every table, ring and mbuf lives there too. DPDK marks the
 * pages it maps dumpable (MADV_DODUMP); the dataplane marks every
 * allocated segment MADV_DONTDUMP again, now and whenever its heap grows.
 */
#ifndef DP_NODUMP_H
#define DP_NODUMP_H

/* After rte_eal_init, before anything holds a key: mark the memory
 * allocated so far and register a memory event callback that marks what
 * is allocated later (with --legacy-mem, which maps everything at init
 * and takes no callback, the first part is all there is). 0 or -errno
 * (said on stderr). */
int dp_nodump_init(void);

#endif /* DP_NODUMP_H */
