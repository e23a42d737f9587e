/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp_util.h"

int cp_log_level = CP_LOG_INFO;
const char *cp_log_prog = "relais";

/* See header. */
void cp_escape(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	for (; *in && o + 5 < cap; in++) {
		unsigned char c = (unsigned char)*in;

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else if (c == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\\\");
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* Format and write one log line, escaped (cp_escape); the caller has
 * checked the level. */
void cp_log_(int level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	char line[1024], safe[sizeof(line) * 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	cp_escape(line, safe, sizeof(safe));
	fprintf(stderr, "%s: %s: %s\n", cp_log_prog, names[level & 3], safe);
}

/* See header. */
void cp_fputs_escaped(const char *s, FILE *f)
{
	char safe[4 * 64 + 8];
	char chunk[65];

	while (*s) {
		size_t n = strnlen(s, sizeof(chunk) - 1);

		memcpy(chunk, s, n);
		chunk[n] = '\0';
		cp_escape(chunk, safe, sizeof(safe));
		fputs(safe, f);
		s += n;
	}
}

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t cp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* See header: decimal (a leading zero is still decimal, never octal) or
 * 0x hex, the whole string consumed, no sign, value <= max. */
int cp_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int base = 10;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)s[2]))
			return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* cp_parse_u64 limited to 32 bits. */
int cp_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int rc = cp_parse_u64(s, UINT32_MAX, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

/* Lower-case hex of n bytes, NUL-terminated. */
void cp_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Value of one hex digit or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Even-length hex into at most cap bytes; byte count or -EINVAL. */
int cp_hex_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s);

	if (n % 2 != 0 || n / 2 > cap)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

/* FNV-1a 64 over n bytes, continuing from h. */
uint64_t cp_fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* FNV-1a 64 over a string including its terminator (so "a","b" != "ab"). */
uint64_t cp_fnv_str(uint64_t h, const char *s)
{
	return cp_fnv(h, s, strlen(s) + 1);
}

/* See header. */
int cp_grow(void **v, int *cap, int n, size_t sz)
{
	void *p;
	int c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	p = realloc(*v, sz * (size_t)c);
	if (p == NULL)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}
