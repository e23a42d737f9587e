/* SPDX-License-Identifier: BSD-3-Clause */
/* The JSON writer of include/relais/json_out.h. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <relais/json_out.h>

/* Write n bytes unless an error is pending; the buffer stays terminated. */
static void put(struct json_out *j, const char *s, size_t n)
{
	if (j->err)
		return;
	if (j->f) {
		if (n && fwrite(s, 1, n, j->f) != n)
			j->err = -EIO;
		return;
	}
	if (j->len + n >= j->cap) {
		n = j->cap - 1 - j->len;
		j->err = -ENOSPC;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(struct json_out *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Write the queued whitespace, if any. */
static void flush_ws(struct json_out *j)
{
	if (j->ws) {
		puts_(j, j->ws);
		j->ws = NULL;
	}
}

static void init(struct json_out *j, enum json_style style)
{
	j->ws = NULL;
	j->style = style;
	j->depth = 0;
	j->after_key = false;
	j->err = 0;
}

/* See header. */
void json_out_init_file(struct json_out *j, FILE *f, enum json_style style)
{
	init(j, style);
	j->f = f;
	j->buf = NULL;
	j->cap = j->len = 0;
}

/* See header. */
void json_out_init_buf(struct json_out *j, char *buf, size_t cap, enum json_style style)
{
	init(j, style);
	j->f = NULL;
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	buf[0] = '\0';
}

/* See header. */
int json_out_finish(struct json_out *j)
{
	flush_ws(j);
	if (!j->err && (j->depth != 0 || j->after_key))
		j->err = -EINVAL;
	if (!j->err && j->f && ferror(j->f))
		j->err = -EIO;
	return j->err;
}

/* See header. */
void json_ws(struct json_out *j, const char *ws)
{
	if (ws[strspn(ws, " \n\t")] != '\0')
		j->err = j->err ? j->err : -EINVAL;
	else
		j->ws = ws;
}

/*
 * Before a value (is_key false) or a key: the comma and queued whitespace.
 * Refuses a value where a key is due and a key where a value is due.
 */
static void item(struct json_out *j, bool is_key)
{
	bool in_obj = j->depth > 0 && j->in_obj[j->depth - 1];

	if (j->after_key) {
		if (is_key)
			j->err = j->err ? j->err : -EINVAL;
		j->after_key = false;
		flush_ws(j);
		return;
	}
	if (in_obj != is_key) {
		j->err = j->err ? j->err : -EINVAL;
		return;
	}
	if (j->depth > 0 && j->has_item[j->depth - 1]) {
		put(j, ",", 1);
		if (!j->ws && j->style == JSON_SPACED)
			put(j, " ", 1);
	}
	if (j->depth > 0)
		j->has_item[j->depth - 1] = true;
	flush_ws(j);
}

static void level_begin(struct json_out *j, bool obj)
{
	item(j, false);
	if (j->depth == JSON_OUT_DEPTH) {
		j->err = j->err ? j->err : -E2BIG;
		return;
	}
	j->in_obj[j->depth] = obj;
	j->has_item[j->depth] = false;
	j->depth++;
	put(j, obj ? "{" : "[", 1);
}

static void level_end(struct json_out *j, bool obj)
{
	if (j->depth == 0 || j->in_obj[j->depth - 1] != obj || j->after_key) {
		j->err = j->err ? j->err : -EINVAL;
		return;
	}
	flush_ws(j);
	j->depth--;
	put(j, obj ? "}" : "]", 1);
}

void json_obj_begin(struct json_out *j)
{
	level_begin(j, true);
}

void json_obj_end(struct json_out *j)
{
	level_end(j, true);
}

void json_arr_begin(struct json_out *j)
{
	level_begin(j, false);
}

void json_arr_end(struct json_out *j)
{
	level_end(j, false);
}

/* s in quotes, escaped per RFC 8259 §7: '"', '\\' and U+0000..U+001F. */
static void quoted(struct json_out *j, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	put(j, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[7] = {'\\', 0};
		size_t n = 2;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		put(j, run, (size_t)(s - run));
		run = s + 1;
		switch (ch) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[1] = 'u';
			esc[2] = esc[3] = '0';
			esc[4] = hex[ch >> 4];
			esc[5] = hex[ch & 15];
			n = 6;
		}
		put(j, esc, n);
	}
	put(j, run, (size_t)(s - run));
	put(j, "\"", 1);
}

/* See header. */
void json_key(struct json_out *j, const char *key)
{
	item(j, true);
	quoted(j, key);
	puts_(j, j->style == JSON_SPACED ? ": " : ":");
	j->after_key = true;
}

/* See header. */
void json_str(struct json_out *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	item(j, false);
	quoted(j, s);
}

/* See header. */
void json_u64(struct json_out *j, uint64_t v)
{
	char b[24];

	item(j, false);
	put(j, b, (size_t)snprintf(b, sizeof(b), "%" PRIu64, v));
}

/* See header. */
void json_i64(struct json_out *j, int64_t v)
{
	char b[24];

	item(j, false);
	put(j, b, (size_t)snprintf(b, sizeof(b), "%" PRId64, v));
}

/* See header. */
void json_dbl(struct json_out *j, double v, int decimals)
{
	char b[352]; /* "%.*f" of DBL_MAX is 309 digits */
	int n;

	if (!isfinite(v)) {
		json_null(j);
		return;
	}
	if (decimals > 17)
		decimals = 17;
	n = decimals >= 0 ? snprintf(b, sizeof(b), "%.*f", decimals, v)
			  : snprintf(b, sizeof(b), "%g", v);
	item(j, false);
	put(j, b, (size_t)n);
}

/* See header. */
void json_bool(struct json_out *j, bool v)
{
	item(j, false);
	puts_(j, v ? "true" : "false");
}

/* See header. */
void json_null(struct json_out *j)
{
	item(j, false);
	puts_(j, "null");
}

void json_kstr(struct json_out *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_ku64(struct json_out *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

void json_ki64(struct json_out *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_i64(j, v);
}

void json_kdbl(struct json_out *j, const char *key, double v, int decimals)
{
	json_key(j, key);
	json_dbl(j, v, decimals);
}

void json_kbool(struct json_out *j, const char *key, bool v)
{
	json_key(j, key);
	json_bool(j, v);
}
