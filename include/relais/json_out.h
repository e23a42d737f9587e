/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One small JSON writer for every report relais writes by hand (relais-cli
 * stats --json, the control plane's status file, the load generator's and
 * benchmarks' results): objects and arrays nested up to JSON_OUT_DEPTH,
 * keys, strings escaped per RFC 8259 §7, integers, doubles, booleans and
 * null, to a FILE* or a caller's buffer.
 *
 * The writer places the commas itself (one "first item" flag per level).
 * The caller chooses the layout, so that existing reports keep their bytes:
 * JSON_COMPACT separates with "," and ":", JSON_SPACED with ", " and ": ";
 * json_ws() queues whitespace (a newline and indent) that is written after
 * the next comma, before the next item or closing bracket, in place of the
 * space of JSON_SPACED.
 *
 * Errors are sticky: after the first one (nesting too deep, closing what is
 * not open, a value where a key is due, buffer full, FILE error) nothing more
 * is written, and json_out_finish() reports it. Strings are written byte for
 * byte except for '"', '\\' and control characters: UTF-8 passes through
 * unchanged and is not validated.
 */
#ifndef RELAIS_JSON_OUT_H
#define RELAIS_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_OUT_DEPTH 16

enum json_style {
	JSON_COMPACT, /* {"a":1,"b":2} */
	JSON_SPACED,  /* {"a": 1, "b": 2} */
};

struct json_out {
	FILE *f;         /* output, or NULL: buf */
	char *buf;       /* NUL-terminated output when f is NULL */
	size_t cap, len; /* buf's size and the bytes written to it */
	const char *ws;  /* queued by json_ws(), not yet written */
	enum json_style style;
	int depth;                     /* open objects and arrays */
	bool in_obj[JSON_OUT_DEPTH];   /* level is an object (keys due) */
	bool has_item[JSON_OUT_DEPTH]; /* level has an item: next needs a comma */
	bool after_key;                /* a key was written, its value is due */
	int err;                       /* first error, -errno; 0 */
};

/* Start writing to f (not closed by the writer). */
void json_out_init_file(struct json_out *j, FILE *f, enum json_style style);

/* Start writing into buf[cap] (cap > 0), always NUL-terminated. */
void json_out_init_buf(struct json_out *j, char *buf, size_t cap, enum json_style style);

/*
 * Write the queued whitespace and check that everything opened was closed.
 * Returns 0, or the first error: -EINVAL (misuse, unclosed), -E2BIG (nesting
 * deeper than JSON_OUT_DEPTH), -ENOSPC (buffer full; buf holds a prefix),
 * -EIO (FILE error).
 */
int json_out_finish(struct json_out *j);

/* Queue whitespace (only ' ', '\n', '\t') for before the next item or bracket. */
void json_ws(struct json_out *j, const char *ws);

void json_obj_begin(struct json_out *j);
void json_obj_end(struct json_out *j);
void json_arr_begin(struct json_out *j);
void json_arr_end(struct json_out *j);

/* A key of the open object; its value follows. */
void json_key(struct json_out *j, const char *key);

/* Values: in an array, or after json_key(), or as the whole document. */
void json_str(struct json_out *j, const char *s); /* NULL writes null */
void json_u64(struct json_out *j, uint64_t v);
void json_i64(struct json_out *j, int64_t v);
/* decimals >= 0: "%.*f"; -1: "%g". NaN and infinities write null. */
void json_dbl(struct json_out *j, double v, int decimals);
void json_bool(struct json_out *j, bool v);
void json_null(struct json_out *j);

/* Key and value in one call. */
void json_kstr(struct json_out *j, const char *key, const char *s);
void json_ku64(struct json_out *j, const char *key, uint64_t v);
void json_ki64(struct json_out *j, const char *key, int64_t v);
void json_kdbl(struct json_out *j, const char *key, double v, int decimals);
void json_kbool(struct json_out *j, const char *key, bool v);

#endif /* RELAIS_JSON_OUT_H */
