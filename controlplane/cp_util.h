/* SPDX-License-Identifier: BSD-3-Clause */
/* Control plane helpers: logging (level checked before formatting), clocks,
 * strict number parsing, hex. */
#ifndef CP_UTIL_H
#define CP_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

enum cp_log_level {
	CP_LOG_ERR = 0,
	CP_LOG_WARN,
	CP_LOG_INFO,
	CP_LOG_DEBUG
};

extern int cp_log_level;
extern const char *cp_log_prog;

/* Log one line "<prog>: <level>: msg" to stderr when level <= cp_log_level.
 * Never pass key material. */
void cp_log_(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copy in to out (cap bytes, always terminated, cap >= 5) with every
 * control byte (below 0x20, and 0x7f) written as \xNN and a backslash as
 * \\, so no string read from Redis can forge a log line or drive a
 * terminal; a string longer than fits is cut. */
void cp_escape(const char *in, char *out, size_t cap);
/* Write s to f escaped as cp_escape does, whatever its length. */
void cp_fputs_escaped(const char *s, FILE *f);
#define CP_LOG(lvl, ...)                           \
	do {                                       \
		if ((lvl) <= cp_log_level)         \
			cp_log_(lvl, __VA_ARGS__); \
	} while (0)
#define CP_ERR(...) CP_LOG(CP_LOG_ERR, __VA_ARGS__)
#define CP_WARN(...) CP_LOG(CP_LOG_WARN, __VA_ARGS__)
#define CP_INFO(...) CP_LOG(CP_LOG_INFO, __VA_ARGS__)
#define CP_DEBUG(...) CP_LOG(CP_LOG_DEBUG, __VA_ARGS__)

/* Monotonic milliseconds. */
uint64_t cp_now_ms(void);

/* Parse a whole string as an unsigned integer (decimal or 0x hex) no larger
 * than max. 0 or -EINVAL (empty, junk, overflow). */
int cp_parse_u64(const char *s, uint64_t max, uint64_t *out);
int cp_parse_u32(const char *s, uint32_t *out);

/* Encode n bytes as lower-case hex into out (2n+1 bytes). */
void cp_hex_encode(const uint8_t *in, size_t n, char *out);
/* Decode hex of exactly 2*cap or fewer characters; returns bytes or -EINVAL. */
int cp_hex_decode(const char *s, uint8_t *out, size_t cap);

/* 64-bit FNV-1a, chainable: start with CP_FNV_INIT. */
#define CP_FNV_INIT 0xcbf29ce484222325ull
uint64_t cp_fnv(uint64_t h, const void *p, size_t n);
uint64_t cp_fnv_str(uint64_t h, const char *s);

/* Make room for one more element in a growing array *v of *cap elements
 * of size sz holding n: doubles the capacity (64 at first) when full.
 * 0 or -ENOMEM (*v is then unchanged). */
int cp_grow(void **v, int *cap, int n, size_t sz);

#endif /* CP_UTIL_H */
