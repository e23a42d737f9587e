/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keys out of core dumps. Every relais program that holds SRTP keys or the
 * deployment keyring calls relais_no_core_dump() before it reads a key:
 *
 *  1. it sets its own /proc/self/coredump_filter (core(5)) to
 *     RELAIS_CORE_FILTER: no anonymous memory (private or shared: the
 *     heap, the stacks, memfd), no hugetlb memory (DPDK's), no file-backed
 *     memory; only the ELF headers of the mapped files. The kernel's core
 *     writer and gdb's `gcore` (use-coredump-filter, on by default) both
 *     honour it, so a core still has every thread's registers and the
 *     mapped files but none of the memory that holds keys;
 *  2. it makes itself non-dumpable (prctl PR_SET_DUMPABLE 0): a crash
 *     writes no core file at all (unless fs.suid_dumpable is 2, when the
 *     filter above still applies), and other users cannot ptrace it or
 *     read its /proc files. Root (CAP_SYS_PTRACE) still can: then the
 *     filter is what keeps the keys out.
 *
 * As a second line, the memory that holds the keys long-term is marked
 * MADV_DONTDUMP ("dd" in /proc/PID/smaps VmFlags), which the kernel and
 * gdb (dump-excluded-mappings, off by default) honour even when the
 * filter is overridden: the keyring (relais_secret_alloc) and, in the
 * dataplane, all of DPDK's memory (cryptodev sessions, tables, mbufs).
 * Only a deliberate `gcore -a` (filter off and excluded mappings on)
 * writes them.
 *
 * For a debugging session on a lab machine, RELAIS_ALLOW_CORE_DUMP=1 in the
 * environment (set by the operator on the node, e.g. in the service unit;
 * never from Redis or a control message) skips 1 and 2: the process stays
 * dumpable with the filter it inherited, and says so on stderr with a
 * warning. The MADV_DONTDUMP regions stay excluded.
 */
#ifndef RELAIS_NO_DUMP_H
#define RELAIS_NO_DUMP_H

#include <stddef.h>

/* The coredump_filter relais sets: bit 4 (ELF headers) only. */
#define RELAIS_CORE_FILTER 0x10

/* Steps 1 and 2 above; prog names the process in messages (a failure,
 * the warning of RELAIS_ALLOW_CORE_DUMP=1). Called again after a change
 * of user (which makes a process dumpable again): the filter, kept across
 * the change, is then only checked. 0 or -errno (said on stderr). */
int relais_no_core_dump(const char *prog);

/* n zeroed bytes in pages of their own, marked MADV_DONTDUMP, for a
 * long-lived secret (the keyring). NULL with errno on failure. */
void *relais_secret_alloc(size_t n);
/* Wipe (explicit_bzero) and unmap what relais_secret_alloc(n) gave.
 * NULL-safe. */
void relais_secret_free(void *p, size_t n);

#endif /* RELAIS_NO_DUMP_H */
