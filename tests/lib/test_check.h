/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Minimal assertion helpers for test programs: every CHECK counts as one
 * passed or failed check, failures print file:line and the condition, and
 * test_summary() prints the closing "N passed, N failed" line and returns
 * the process exit code (0 only when nothing failed and something ran).
 */
#ifndef TEST_CHECK_H
#define TEST_CHECK_H

#include <stdio.h>
#include <string.h>

extern unsigned test_n_pass, test_n_fail;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (cond) {                                                                      \
			test_n_pass++;                                                           \
		} else {                                                                         \
			test_n_fail++;                                                           \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                                \
	} while (0)

/* CHECK with a printf-style explanation printed on failure. */
#define CHECKF(cond, ...)                                                                        \
	do {                                                                                     \
		if (cond) {                                                                      \
			test_n_pass++;                                                           \
		} else {                                                                         \
			test_n_fail++;                                                           \
			fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                            \
			fputc('\n', stderr);                                                     \
		}                                                                                \
	} while (0)

/* Compare two byte strings; on mismatch print both in hex. */
#define CHECK_BYTES(got, want, len) CHECK(test_bytes_eq(__FILE__, __LINE__, (got), (want), (len)))

int test_bytes_eq(const char *file, int line, const void *got, const void *want, size_t len);

/* Print "N passed, N failed" and return the exit code. */
int test_summary(const char *name);

/* Parse a hex string (spaces ignored) into out (cap bytes). Returns the
 * byte count, or -1 on a bad digit, odd length or overflow. */
int test_hex(const char *hex, unsigned char *out, size_t cap);

#endif /* TEST_CHECK_H */
