/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Assertion counters and helpers (test_check.h).
 */
#include <ctype.h>

#include "test_check.h"

unsigned test_n_pass, test_n_fail;

/* Print a labelled hex dump of len bytes on stderr. */
static void dump(const char *label, const unsigned char *p, size_t len)
{
	fprintf(stderr, "  %s:", label);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 32 == 0 ? "\n    " : "", p[i]);
	fputc('\n', stderr);
}

/* 1 when the len bytes are equal, else print both and return 0. */
int test_bytes_eq(const char *file, int line, const void *got, const void *want, size_t len)
{
	if (memcmp(got, want, len) == 0)
		return 1;
	fprintf(stderr, "%s:%d: bytes differ (%zu bytes)\n", file, line, len);
	dump("got", got, len);
	dump("want", want, len);
	return 0;
}

/* Closing line and exit code: failure when a check failed or none ran. */
int test_summary(const char *name)
{
	printf("%s: %u passed, %u failed\n", name, test_n_pass, test_n_fail);
	if (test_n_pass == 0 && test_n_fail == 0) {
		fprintf(stderr, "%s: no check ran\n", name);
		return 1;
	}
	return test_n_fail == 0 ? 0 : 1;
}

/* Value of one hex digit, -1 if c is not one. */
static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex string to bytes (see test_check.h). */
int test_hex(const char *hex, unsigned char *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex != '\0'; hex++) {
		if (isspace((unsigned char)*hex))
			continue;
		int v = hexval((unsigned char)*hex);

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
