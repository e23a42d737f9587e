/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The checks of every C test program. Each CHECK counts as one passed or
 * one failed check; a failure prints file:line, the expression and, for the
 * typed forms, both values. check_summary() prints the closing
 * "NAME: N passed, N failed" line and returns the exit code: 0 only when
 * nothing failed and something ran.
 *
 * Header only. The one file of a test program that has main() defines
 * CHECK_MAIN before including it, which instantiates the counters and the
 * helpers; every other file of the program (a harness, a scenario file)
 * includes it plainly and shares them.
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

extern unsigned check_n_pass, check_n_fail;

/* One check of a condition. */
#define CHECK(cond) CHECKF(cond, "%s", "")

/* A check with a printf-style explanation printed when it fails. */
#define CHECKF(cond, ...)                                                                 \
	do {                                                                              \
		if (cond) {                                                               \
			check_n_pass++;                                                   \
		} else {                                                                  \
			check_n_fail++;                                                   \
			fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                     \
			fputc('\n', stderr);                                              \
		}                                                                         \
	} while (0)

/* Integer equality, printing both sides; what names the value. */
#define CHECK_EQ(got, want, what)                                                      \
	do {                                                                           \
		long long got_ = (long long)(got), want_ = (long long)(want);          \
		CHECKF(got_ == want_, "%s: got %lld, want %lld", (what), got_, want_); \
	} while (0)

/* String equality (NULL is a value: it equals only NULL). */
#define CHECK_STR(got, want)                                                   \
	do {                                                                   \
		const char *gots_ = (got), *wants_ = (want);                   \
		CHECKF(check_str_eq(gots_, wants_), "got \"%s\", want \"%s\"", \
		       gots_ ? gots_ : "(null)", wants_ ? wants_ : "(null)");  \
	} while (0)

/* Byte-range equality; on a mismatch both ranges are dumped in hex. */
#define CHECK_MEM(got, want, len, what) \
	CHECKF(check_mem_eq((got), (want), (len)), "%s: %zu bytes differ", (what), (size_t)(len))

int check_str_eq(const char *got, const char *want);
int check_mem_eq(const void *got, const void *want, size_t len);

/* Print "NAME: N passed, N failed" and return the exit code. */
int check_summary(const char *name);

/* Parse a hex string (spaces ignored) into out (cap bytes). Returns the
 * byte count, or -1 on a bad digit, odd length or overflow. */
int check_hex(const char *hex, unsigned char *out, size_t cap);

#ifdef CHECK_MAIN
#include <ctype.h>

unsigned check_n_pass, check_n_fail;

int check_str_eq(const char *got, const char *want)
{
	return got == want || (got != NULL && want != NULL && strcmp(got, want) == 0);
}

/* Print a labelled hex dump of len bytes on stderr. */
static void check_dump_(const char *label, const unsigned char *p, size_t len)
{
	fprintf(stderr, "  %s:", label);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 32 == 0 ? "\n    " : "", p[i]);
	fputc('\n', stderr);
}

int check_mem_eq(const void *got, const void *want, size_t len)
{
	if (memcmp(got, want, len) == 0)
		return 1;
	check_dump_("got", got, len);
	check_dump_("want", want, len);
	return 0;
}

int check_summary(const char *name)
{
	printf("%s: %u passed, %u failed\n", name, check_n_pass, check_n_fail);
	if (check_n_pass == 0 && check_n_fail == 0) {
		fprintf(stderr, "%s: no check ran\n", name);
		return 1;
	}
	return check_n_fail == 0 ? 0 : 1;
}

/* Value of one hex digit, -1 if c is not one. */
static int check_hexval_(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int check_hex(const char *hex, unsigned char *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex != '\0'; hex++) {
		if (isspace((unsigned char)*hex))
			continue;
		int v = check_hexval_((unsigned char)*hex);

		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (int)n : -1;
}
#endif /* CHECK_MAIN */

#endif /* TESTS_CHECK_H */
