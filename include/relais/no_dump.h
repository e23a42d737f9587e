/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keys out of core dumps: every relais program that holds SRTP keys or the
 * deployment keyring makes itself non-dumpable (prctl PR_SET_DUMPABLE 0)
 * before it reads a key: a crash writes no core file, and other users of
 * the machine cannot ptrace it or read its /proc files. For a debugging
 * session on a lab machine, RELAIS_ALLOW_CORE_DUMP=1 in the environment
 * keeps the process dumpable (and says so on stderr).
 */
#ifndef RELAIS_NO_DUMP_H
#define RELAIS_NO_DUMP_H

/* Make the calling process non-dumpable (see above); prog names it in the
 * warning printed when RELAIS_ALLOW_CORE_DUMP=1 keeps it dumpable. 0 or
 * -errno. */
int relais_no_core_dump(const char *prog);

#endif /* RELAIS_NO_DUMP_H */
