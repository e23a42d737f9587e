/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the JSON writer (common/json_out.c): string escaping per
 * RFC 8259 §7 (quote, backslash, every control character, UTF-8 passed
 * through), commas in nested objects and arrays, the compact and spaced
 * layouts with queued whitespace, numbers, and the sticky errors.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <relais/json_out.h>

#define CHECK_MAIN
#include "check.h"

#define CHECK_OUT(buf, want) \
	CHECKF(strcmp((buf), (want)) == 0, "got '%s', want '%s'", (buf), (want))

/* One string value, written alone. */
static void str_is(const char *in, const char *want)
{
	struct json_out j;
	char buf[256];

	json_out_init_buf(&j, buf, sizeof(buf), JSON_COMPACT);
	json_str(&j, in);
	CHECK(json_out_finish(&j) == 0);
	CHECK_OUT(buf, want);
}

static void test_escaping(void)
{
	char all[32], want[32 * 6 + 3], *w = want;

	str_is("plain", "\"plain\"");
	str_is("", "\"\"");
	str_is("a\"b", "\"a\\\"b\"");
	str_is("back\\slash", "\"back\\\\slash\"");
	str_is("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	str_is("\x01\x1f", "\"\\u0001\\u001f\"");
	str_is("\x7f/", "\"\x7f/\""); /* DEL and '/' need no escape */
	str_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xa4",
	       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xa4\"");
	str_is(NULL, "null");
	/* Every control character, in one string. */
	for (int c = 1; c < 32; c++)
		all[c - 1] = (char)c;
	all[31] = '\0';
	*w++ = '"';
	for (int c = 1; c < 32; c++) {
		static const char ctl[] = "\b\f\n\r\t", letter[] = "bfnrt";
		const char *p = strchr(ctl, c);

		if (p)
			w += sprintf(w, "\\%c", letter[p - ctl]);
		else
			w += sprintf(w, "\\u%04x", c);
	}
	strcpy(w, "\"");
	str_is(all, want);
}

/* Keys are escaped like strings. */
static void test_keys(void)
{
	struct json_out j;
	char buf[128];

	json_out_init_buf(&j, buf, sizeof(buf), JSON_COMPACT);
	json_obj_begin(&j);
	json_kstr(&j, "k\"ey", "v\n");
	json_obj_end(&j);
	CHECK(json_out_finish(&j) == 0);
	CHECK_OUT(buf, "{\"k\\\"ey\":\"v\\n\"}");
}

static void test_compact_nesting(void)
{
	struct json_out j;
	char buf[256];

	json_out_init_buf(&j, buf, sizeof(buf), JSON_COMPACT);
	json_obj_begin(&j);
	json_ku64(&j, "a", 18446744073709551615ull);
	json_ki64(&j, "b", -5);
	json_key(&j, "arr");
	json_arr_begin(&j);
	json_u64(&j, 1);
	json_obj_begin(&j);
	json_obj_end(&j);
	json_arr_begin(&j);
	json_arr_end(&j);
	json_null(&j);
	json_arr_end(&j);
	json_kbool(&j, "t", true);
	json_kbool(&j, "f", false);
	json_obj_end(&j);
	CHECK(json_out_finish(&j) == 0);
	CHECK_OUT(buf, "{\"a\":18446744073709551615,\"b\":-5,\"arr\":[1,{},[],null],"
		       "\"t\":true,\"f\":false}");
}

/* Spaced layout with queued whitespace: the loadgen report's shape. */
static void test_spaced_layout(void)
{
	struct json_out j;
	char buf[256];

	json_out_init_buf(&j, buf, sizeof(buf), JSON_SPACED);
	json_obj_begin(&j);
	json_ws(&j, "\n  ");
	json_kbool(&j, "pass", true);
	json_ws(&j, "\n  ");
	json_key(&j, "kind");
	json_obj_begin(&j);
	json_ku64(&j, "x", 1);
	json_ku64(&j, "y", 2);
	json_obj_end(&j);
	json_ws(&j, "\n  ");
	json_key(&j, "list");
	json_arr_begin(&j);
	for (int i = 0; i < 2; i++) {
		json_ws(&j, "\n    ");
		json_u64(&j, (uint64_t)i);
	}
	json_ws(&j, "\n  ");
	json_arr_end(&j);
	json_ws(&j, "\n");
	json_obj_end(&j);
	json_ws(&j, "\n");
	CHECK(json_out_finish(&j) == 0);
	CHECK_OUT(buf, "{\n  \"pass\": true,\n  \"kind\": {\"x\": 1, \"y\": 2},\n  \"list\": [\n"
		       "    0,\n    1\n  ]\n}\n");
}

static void test_doubles(void)
{
	struct json_out j;
	char buf[256];

	json_out_init_buf(&j, buf, sizeof(buf), JSON_COMPACT);
	json_arr_begin(&j);
	json_dbl(&j, 2.5, 0);
	json_dbl(&j, 1.23456, 3);
	json_dbl(&j, 0.05, -1);
	json_dbl(&j, NAN, 2);
	json_dbl(&j, INFINITY, -1);
	json_arr_end(&j);
	CHECK(json_out_finish(&j) == 0);
	CHECK_OUT(buf, "[2,1.235,0.05,null,null]");
}

/* Misuse and a full buffer are reported, and stop the output. */
static void test_errors(void)
{
	struct json_out j;
	char buf[8], big[64];

	json_out_init_buf(&j, buf, sizeof(buf), JSON_COMPACT);
	json_obj_begin(&j);
	json_u64(&j, 1); /* a value where a key is due */
	CHECK(json_out_finish(&j) == -EINVAL);

	json_out_init_buf(&j, buf, sizeof(buf), JSON_COMPACT);
	json_arr_begin(&j);
	json_key(&j, "k"); /* a key in an array */
	CHECK(json_out_finish(&j) == -EINVAL);

	json_out_init_buf(&j, buf, sizeof(buf), JSON_COMPACT);
	json_arr_begin(&j);
	json_obj_end(&j); /* the wrong bracket */
	CHECK(json_out_finish(&j) == -EINVAL);

	json_out_init_buf(&j, buf, sizeof(buf), JSON_COMPACT);
	json_arr_begin(&j); /* never closed */
	CHECK(json_out_finish(&j) == -EINVAL);

	json_out_init_buf(&j, buf, sizeof(buf), JSON_COMPACT);
	json_str(&j, "0123456789");
	CHECK(json_out_finish(&j) == -ENOSPC);
	CHECK_OUT(buf, "\"012345");

	json_out_init_buf(&j, big, sizeof(big), JSON_COMPACT);
	for (int i = 0; i <= JSON_OUT_DEPTH; i++)
		json_arr_begin(&j);
	CHECK(json_out_finish(&j) == -E2BIG);

	json_out_init_buf(&j, buf, sizeof(buf), JSON_COMPACT);
	json_ws(&j, "x");
	CHECK(json_out_finish(&j) == -EINVAL);
}

/* The FILE* form writes the same bytes. */
static void test_file(void)
{
	struct json_out j;
	char buf[64] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	json_out_init_file(&j, f, JSON_SPACED);
	json_obj_begin(&j);
	json_kstr(&j, "a", "b");
	json_ku64(&j, "n", 7);
	json_obj_end(&j);
	CHECK(json_out_finish(&j) == 0);
	fclose(f);
	CHECK_OUT(buf, "{\"a\": \"b\", \"n\": 7}");
}

int main(void)
{
	test_escaping();
	test_keys();
	test_compact_nesting();
	test_spaced_layout();
	test_doubles();
	test_errors();
	test_file();
	return check_summary("json_out");
}
