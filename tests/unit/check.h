/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Minimal checks for the unit tests: every failed check prints file, line,
 * the expression and the values, and is counted; check_done() prints the
 * closing "N passed, N failed" line and gives the exit code.
 */
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H

#include <stdio.h>
#include <string.h>

static unsigned check_pass_, check_fail_;

#define CHECK(cond, ...)                                                                  \
	do {                                                                              \
		if (cond) {                                                               \
			check_pass_++;                                                    \
		} else {                                                                  \
			check_fail_++;                                                    \
			fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                     \
			fputc('\n', stderr);                                              \
		}                                                                         \
	} while (0)

/* Integer equality, printing both sides. */
#define CHECK_EQ(a, b, what)                                                \
	do {                                                                \
		long long a_ = (long long)(a), b_ = (long long)(b);         \
		CHECK(a_ == b_, "%s: got %lld, want %lld", (what), a_, b_); \
	} while (0)

/* Byte-range equality. */
#define CHECK_MEM(a, b, n, what) CHECK(memcmp((a), (b), (n)) == 0, "%s: bytes differ", (what))

/* Print the summary line and return the process exit status. */
static inline int check_done(const char *name)
{
	printf("%s: %u passed, %u failed\n", name, check_pass_, check_fail_);
	return check_fail_ ? 1 : 0;
}

#endif /* TESTS_UNIT_CHECK_H */
