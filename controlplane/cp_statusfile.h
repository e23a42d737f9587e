/* SPDX-License-Identifier: BSD-3-Clause */
/* A status file for operators and monitoring agents, as relais-controlplane
 * and relais-edge write it (--status-file): one JSON object rewritten every
 * second, to PATH.tmp and then renamed, so a reader never sees half a file;
 * never written through a link planted in its place. */
#ifndef CP_STATUSFILE_H
#define CP_STATUSFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Room a path needs beyond its own length (the ".tmp" suffix and its NUL). */
#define CP_STATUSFILE_SUFFIX 8

/* Check --status-file PATH for program prog and copy it into out (n bytes,
 * of which CP_STATUSFILE_SUFFIX are kept for the ".tmp" name): the path
 * fits, and its directory is one that only its owner (writer, the user
 * that will write the file, or root) may write, since another writer of
 * the directory could swap in a link between two writes. A refusal is
 * printed on stderr. 0 or -EINVAL. */
int cp_statusfile_check(const char *prog, const char *path, char *out, size_t n, uid_t writer);

/* Write the file at path: fill(f, arg) writes the body into f, opened on
 * path.tmp (created afresh, O_EXCL | O_NOFOLLOW, whatever was there
 * unlinked first), which then replaces path by rename. 0 or -errno. */
int cp_statusfile_write(const char *path, void (*fill)(FILE *f, const void *arg), const void *arg);

/* Wall-clock milliseconds (a status file's "time_ms"). */
unsigned long long cp_statusfile_wall_ms(void);

#endif /* CP_STATUSFILE_H */
