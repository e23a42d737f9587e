/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to edge/sdp: a span of SDP text (pointer + length, never
 * NUL-terminated) and the bounds-checked cursor operations on it that the
 * parser uses. Nothing is read past len.
 */
#ifndef EDGE_SDP_TEXT_H
#define EDGE_SDP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sdp_span {
	const char *p;
	size_t len;
};

/* Take the next token of *s up to sep (sep consumed, runs of sep skipped
 * before the token). Returns false when *s has no token left. */
bool sdp_next(struct sdp_span *s, char sep, struct sdp_span *tok);

/* Split *s at the first sep: *head before it, *s after it. Returns false
 * (and leaves *s whole in *head) when sep is absent. */
bool sdp_split(struct sdp_span *s, char sep, struct sdp_span *head);

/* Exact equality with a C string. */
bool sdp_eq(struct sdp_span s, const char *lit);

/* ASCII case-insensitive equality with a C string. */
bool sdp_ieq(struct sdp_span s, const char *lit);

/* Decimal digits only, value <= max. Returns false otherwise. */
bool sdp_uint(struct sdp_span s, uint64_t max, uint64_t *out);

/* Copy into dst (cap bytes with the NUL). Returns false when it does not
 * fit (dst then holds ""). */
bool sdp_copy(struct sdp_span s, char *dst, size_t cap);

/* Strip leading and trailing spaces and tabs. */
struct sdp_span sdp_trim(struct sdp_span s);

/* The value of key in an fmtp parameter list "k=v;k=v" (spaces around
 * items ignored). Returns false when the key is absent. */
bool sdp_fmtp_param(struct sdp_span params, const char *key, struct sdp_span *value);

/* An ice-char string of min..max characters (RFC 8839 §5.4: ALPHA / DIGIT
 * / "+" / "/"), NUL-terminated. */
bool sdp_ice_string(const char *s, size_t min, size_t max);

/* A fingerprint value: at least 16 hex byte pairs joined by ':' (RFC 8122
 * §5). */
bool sdp_fingerprint_ok(struct sdp_span s);

/* A C string as a span. */
struct sdp_span sdp_str(const char *s);

#endif /* EDGE_SDP_TEXT_H */
