/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keys never on argv: any local user reads a process's command line in
 * /proc/PID/cmdline, so relais-cli and relaisctl refuse the key literals
 * "--rx-key K" / "--tx-key K" on their command line and take keys from
 *   --rx-key-file F / --tx-key-file F   a secret file (relais_secret_open)
 *                                       whose first line is the key
 *   --keys-stdin                        two lines "rx KEY" and "tx KEY"
 *                                       on standard input
 * relais_key_argv() turns those options back into the literal form in
 * memory, so the command parsers (which take literals in batch content,
 * read from a file or stdin, never argv) stay the only parsers. Every
 * buffer that held a key is wiped with explicit_bzero.
 */
#ifndef RELAIS_KEY_INPUT_H
#define RELAIS_KEY_INPUT_H

#include <stddef.h>
#include <stdio.h>

/* The longest key text taken (hex or base64 of key||salt, as the command's
 * parser reads it), and the most arguments of one command line. */
#define RELAIS_KEY_TEXT_MAX 128
#define RELAIS_KEY_ARGV_MAX 64

/* A command line with its key options resolved: argv holds the caller's
 * arguments, except that the values of "--rx-key" / "--tx-key" point into
 * rx / tx. Wipe with relais_key_argv_clear. */
struct relais_key_argv {
	int argc;
	char *argv[RELAIS_KEY_ARGV_MAX + 1];
	char rx[RELAIS_KEY_TEXT_MAX + 1];
	char tx[RELAIS_KEY_TEXT_MAX + 1];
};

/* Open a file that holds secrets (keyring, password, key) for reading: not
 * through a symlink, a regular file, owned by this user or root, and with
 * no permission for group or others (chmod 600). The stream is unbuffered,
 * so no stdio buffer keeps a copy of what is read. NULL with a message in
 * err (naming the path and the problem) otherwise. */
FILE *relais_secret_open(const char *path, char *err, size_t n);

/* Resolve the key options of command line argv[0..argc) into ka (see
 * above): a literal --rx-key / --tx-key is refused with a message naming
 * the replacements; --rx-key-file / --tx-key-file read their secret file;
 * --keys-stdin reads the lines "rx KEY" and "tx KEY" (both, once each, in
 * any order) from the descriptor in_fd. Each key is given at most once.
 * The key text is not checked here (the command's parser does that).
 * 0, or -EINVAL / -E2BIG / -EIO with a sentence in err; ka is wiped on
 * failure. */
int relais_key_argv(struct relais_key_argv *ka, int argc, char **argv, int in_fd, char *err,
		    size_t n);

/* Wipe ka (the keys it holds). */
void relais_key_argv_clear(struct relais_key_argv *ka);

#endif /* RELAIS_KEY_INPUT_H */
