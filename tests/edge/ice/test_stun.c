/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The STUN codec against RFC 5769's vectors (parse, MESSAGE-INTEGRITY,
 * FINGERPRINT, XOR-MAPPED-ADDRESS), every single-bit flip of them refused
 * by some check, a table of malformed messages each refused with its named
 * reason, and the writer (its answers verified by the parser, its errors).
 */
#include <arpa/inet.h>

#define CHECK_MAIN
#include "check.h"
#include "edge_stun.h"
#include "rfc5769.h"

static const char *const pwd = RFC5769_PASSWORD;

/* Load a vector; returns its length. */
static size_t load(const char *hex, uint8_t *buf, size_t cap)
{
	int n = check_hex(hex, buf, cap);

	CHECKF(n > 0, "bad vector");
	return n > 0 ? (size_t)n : 0;
}

/* The attribute's value as a string compare. */
static int attr_is(const struct edge_stun_msg *m, uint16_t type, const char *want)
{
	const struct edge_stun_attr *a = edge_stun_find(m, type);

	return a && a->len == strlen(want) && memcmp(m->data + a->off, want, a->len) == 0;
}

/* §2.1: the request parses, carries what the RFC says, and verifies. */
static void test_request(void)
{
	uint8_t buf[256] = {0};
	size_t len = load(RFC5769_REQUEST, buf, sizeof(buf));
	struct edge_stun_msg m;

	CHECK_EQ(len, 108, "request length");
	CHECK_EQ(edge_stun_parse(buf, len, &m), EDGE_STUN_OK, "parse");
	CHECK_EQ(m.type, EDGE_STUN_BINDING_REQUEST, "type");
	CHECK_EQ(m.n_attrs, 6, "attributes");
	CHECK(attr_is(&m, EDGE_STUN_ATTR_USERNAME, "evtj:h6vY"));
	CHECK(attr_is(&m, EDGE_STUN_ATTR_SOFTWARE, "STUN test client"));
	CHECK(edge_stun_find(&m, EDGE_STUN_ATTR_ICE_CONTROLLED) != NULL);
	CHECK(edge_stun_find(&m, EDGE_STUN_ATTR_USE_CANDIDATE) == NULL);
	CHECK_EQ(edge_stun_check_fingerprint(&m), EDGE_STUN_OK, "fingerprint");
	CHECK_EQ(edge_stun_check_integrity(&m, pwd, strlen(pwd)), EDGE_STUN_OK, "integrity");
	CHECK_EQ(edge_stun_check_integrity(&m, "VOkJxbRl1RmTxUk/WvJxBT", strlen(pwd)),
		 EDGE_STUN_BAD_INTEGRITY, "integrity, other password");
	CHECK_EQ(edge_stun_check_integrity(&m, "", 0), EDGE_STUN_BAD_INTEGRITY, "empty key");
}

/* §2.2 / §2.3: responses verify and their XOR-MAPPED-ADDRESS decodes. */
static void test_response(const char *hex, int family, const char *ip)
{
	uint8_t buf[256] = {0}, want_ip[16] = {0};
	size_t len = load(hex, buf, sizeof(buf));
	const struct edge_stun_attr *a;
	struct edge_stun_msg m;
	struct edge_stun_addr addr;
	char s[EDGE_STUN_ADDR_STRLEN];

	inet_pton(family == 4 ? AF_INET : AF_INET6, ip, want_ip);
	CHECK_EQ(edge_stun_parse(buf, len, &m), EDGE_STUN_OK, "parse response");
	CHECK_EQ(m.type, EDGE_STUN_BINDING_SUCCESS, "type");
	CHECK(attr_is(&m, EDGE_STUN_ATTR_SOFTWARE, "test vector"));
	CHECK_EQ(edge_stun_check_fingerprint(&m), EDGE_STUN_OK, "fingerprint");
	CHECK_EQ(edge_stun_check_integrity(&m, pwd, strlen(pwd)), EDGE_STUN_OK, "integrity");
	a = edge_stun_find(&m, EDGE_STUN_ATTR_XOR_MAPPED_ADDRESS);
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK_EQ(edge_stun_xor_address(&m, a, &addr), EDGE_STUN_OK, "xor address");
	CHECK_EQ(addr.family, family, "family");
	CHECK_EQ(addr.port, 32853, "port");
	CHECK_MEM(addr.ip, want_ip, family == 4 ? 4 : 16, "mapped ip");
	edge_stun_addr_format(&addr, s, sizeof(s));
	CHECKF(strstr(s, ip) != NULL && strstr(s, ":32853") != NULL, "formatted %s", s);
}

/* Where a bit of the message lies: FINGERPRINT's value, or elsewhere. */
static int in_fingerprint_value(const struct edge_stun_msg *m, size_t byte)
{
	return m->fp_off && byte >= m->fp_off + 4 && byte < m->fp_off + 8;
}

/*
 * Every single-bit flip of a vector fails: the parse, or FINGERPRINT; and
 * MESSAGE-INTEGRITY too unless the bit is in FINGERPRINT's value (which
 * MESSAGE-INTEGRITY does not cover).
 */
static void test_bit_flips(const char *hex)
{
	uint8_t buf[256] = {0};
	size_t len = load(hex, buf, sizeof(buf));
	struct edge_stun_msg good, m;
	unsigned refused = 0, fp_only = 0;

	edge_stun_parse(buf, len, &good);
	for (size_t bit = 0; bit < len * 8; bit++) {
		enum edge_stun_reason p, fp, mi;

		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		p = edge_stun_parse(buf, len, &m);
		fp = p == EDGE_STUN_OK ? edge_stun_check_fingerprint(&m) : p;
		mi = p == EDGE_STUN_OK ? edge_stun_check_integrity(&m, pwd, strlen(pwd)) : p;
		if (p != EDGE_STUN_OK) {
			refused++;
		} else if (in_fingerprint_value(&good, bit / 8)) {
			fp_only += fp == EDGE_STUN_BAD_FINGERPRINT && mi == EDGE_STUN_OK;
		} else {
			CHECKF(fp != EDGE_STUN_OK && mi != EDGE_STUN_OK, "bit %zu: fp %s, mi %s",
			       bit, edge_stun_reason_name(fp), edge_stun_reason_name(mi));
		}
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	CHECK_EQ(fp_only, 32, "flips in FINGERPRINT refused by FINGERPRINT alone");
	CHECKF(refused > 0, "some flips are refused by the parser");
}

/* Named flips: each fails with the reason that names it. */
static void test_named_flips(void)
{
	uint8_t buf[256] = {0};
	size_t len = load(RFC5769_REQUEST, buf, sizeof(buf));
	struct edge_stun_msg m;

	buf[5] ^= 1; /* magic cookie */
	CHECK_EQ(edge_stun_parse(buf, len, &m), EDGE_STUN_NOT_STUN, "cookie");
	buf[5] ^= 1;
	buf[0] ^= 0x80; /* leading bits */
	CHECK_EQ(edge_stun_parse(buf, len, &m), EDGE_STUN_NOT_STUN, "leading bits");
	buf[0] ^= 0x80;
	buf[3] ^= 4; /* header length */
	CHECK_EQ(edge_stun_parse(buf, len, &m), EDGE_STUN_BAD_LENGTH, "header length");
	buf[3] ^= 4;
	buf[30] ^= 1; /* a SOFTWARE byte: both checks fail, parse does not */
	CHECK_EQ(edge_stun_parse(buf, len, &m), EDGE_STUN_OK, "parse, software flipped");
	CHECK_EQ(edge_stun_check_fingerprint(&m), EDGE_STUN_BAD_FINGERPRINT, "fp, software");
	CHECK_EQ(edge_stun_check_integrity(&m, pwd, strlen(pwd)), EDGE_STUN_BAD_INTEGRITY,
		 "mi, software");
	buf[30] ^= 1;
	buf[len - 1] ^= 1; /* the FINGERPRINT value */
	edge_stun_parse(buf, len, &m);
	CHECK_EQ(edge_stun_check_fingerprint(&m), EDGE_STUN_BAD_FINGERPRINT, "fp value");
	CHECK_EQ(edge_stun_check_integrity(&m, pwd, strlen(pwd)), EDGE_STUN_OK, "mi, fp value");
	buf[len - 1] ^= 1;
	buf[len - 10] ^= 1; /* the MESSAGE-INTEGRITY value */
	edge_stun_parse(buf, len, &m);
	CHECK_EQ(edge_stun_check_integrity(&m, pwd, strlen(pwd)), EDGE_STUN_BAD_INTEGRITY,
		 "mi value");
	buf[len - 10] ^= 1;
	/* Without its last 8 bytes (FINGERPRINT) and with the length fixed. */
	buf[3] -= 8;
	edge_stun_parse(buf, len - 8, &m);
	CHECK_EQ(edge_stun_check_fingerprint(&m), EDGE_STUN_NO_FINGERPRINT, "no fingerprint");
	CHECK_EQ(edge_stun_check_integrity(&m, pwd, strlen(pwd)), EDGE_STUN_OK, "mi, no fp");
}

/* A header of type 0x0001 with `body` bytes of body behind it in buf. */
static size_t with_header(uint8_t *buf, size_t body)
{
	static const uint8_t hdr[20] = {0x00, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4};

	memcpy(buf, hdr, sizeof(hdr));
	buf[2] = (uint8_t)(body >> 8);
	buf[3] = (uint8_t)body;
	return 20 + body;
}

/* Put n bytes at buf + off. */
static void put(uint8_t *buf, size_t off, const uint8_t *bytes, size_t n)
{
	memcpy(buf + off, bytes, n);
}

/* Malformed messages, each with the reason that names it. */
static void test_malformed(void)
{
	static const uint8_t username_of_5[] = {0x00, 0x06, 0x00, 0x05};
	static const uint8_t fp_then_username[] = {0x80, 0x28, 0x00, 0x04, 0, 0,
						   0,    0,    0x00, 0x06, 0, 0};
	static const uint8_t mi_hdr[] = {0x00, 0x08, 0x00, 0x14};
	static const uint8_t use_candidate[] = {0x00, 0x25, 0x00, 0x00};
	static const uint8_t mi_of_16[] = {0x00, 0x08, 0x00, 0x10};
	static const uint8_t fp_of_8[] = {0x80, 0x28, 0x00, 0x08};
	uint8_t buf[1600] = {0};
	struct edge_stun_msg m;
	size_t n;

	CHECK_EQ(edge_stun_parse(buf, 19, &m), EDGE_STUN_TOO_SHORT, "19 bytes");
	n = with_header(buf, 1484);
	CHECK_EQ(edge_stun_parse(buf, n, &m), EDGE_STUN_TOO_LONG, "1504 bytes");
	n = with_header(buf, 6);
	CHECK_EQ(edge_stun_parse(buf, n, &m), EDGE_STUN_BAD_LENGTH, "length 6");
	n = with_header(buf, 8);
	CHECK_EQ(edge_stun_parse(buf, n + 4, &m), EDGE_STUN_BAD_LENGTH, "datagram longer");
	CHECK_EQ(edge_stun_parse(buf, n, &m), EDGE_STUN_OK, "two empty attributes");
	put(buf, 20, username_of_5, sizeof(username_of_5)); /* 8 with padding > 4 left */
	CHECK_EQ(edge_stun_parse(buf, n, &m), EDGE_STUN_ATTR_TRUNCATED, "attr past end");
	n = with_header(buf, 12);
	put(buf, 20, fp_then_username, sizeof(fp_then_username));
	CHECK_EQ(edge_stun_parse(buf, n, &m), EDGE_STUN_ATTR_AFTER_FINGERPRINT, "after fp");
	n = with_header(buf, 28);
	memset(buf + 20, 0, 28);
	put(buf, 20, mi_hdr, sizeof(mi_hdr));
	put(buf, 44, use_candidate, sizeof(use_candidate));
	CHECK_EQ(edge_stun_parse(buf, n, &m), EDGE_STUN_ATTR_AFTER_INTEGRITY, "after mi");
	n = with_header(buf, 20);
	put(buf, 20, mi_of_16, sizeof(mi_of_16));
	CHECK_EQ(edge_stun_parse(buf, n, &m), EDGE_STUN_BAD_ATTR_SIZE, "mi of 16 bytes");
	n = with_header(buf, 12);
	put(buf, 20, fp_of_8, sizeof(fp_of_8));
	CHECK_EQ(edge_stun_parse(buf, n, &m), EDGE_STUN_BAD_ATTR_SIZE, "fp of 8 bytes");
	n = with_header(buf, 4 * (EDGE_STUN_MAX_ATTRS + 1));
	memset(buf + 20, 0, n - 20);
	CHECK_EQ(edge_stun_parse(buf, n, &m), EDGE_STUN_TOO_MANY_ATTRS, "33 attributes");
	n = with_header(buf, 4 * EDGE_STUN_MAX_ATTRS);
	CHECK_EQ(edge_stun_parse(buf, n, &m), EDGE_STUN_OK, "32 attributes");
}

/* The writer's Binding success verifies and holds the RFC's XOR bytes. */
static void test_writer_success(int family, const char *ip, const char *xor_hex)
{
	static const uint8_t txid[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
					 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
	struct edge_stun_addr addr = {.family = (uint8_t)family, .port = 32853}, back;
	uint8_t out[128], want[20];
	const struct edge_stun_attr *a;
	struct edge_stun_msg m;
	size_t len = 0;
	int wn = check_hex(xor_hex, want, sizeof(want));

	inet_pton(family == 4 ? AF_INET : AF_INET6, ip, addr.ip);
	CHECK_EQ(
	    edge_stun_build_binding_success(out, sizeof(out), &len, txid, &addr, pwd, strlen(pwd)),
	    EDGE_STUN_OK, "build");
	CHECK_EQ(len, family == 4 ? 64 : 76, "response length");
	CHECK_EQ(edge_stun_parse(out, len, &m), EDGE_STUN_OK, "parse own");
	CHECK_EQ(m.type, EDGE_STUN_BINDING_SUCCESS, "own type");
	CHECK_EQ(edge_stun_check_fingerprint(&m), EDGE_STUN_OK, "own fingerprint");
	CHECK_EQ(edge_stun_check_integrity(&m, pwd, strlen(pwd)), EDGE_STUN_OK, "own integrity");
	a = edge_stun_find(&m, EDGE_STUN_ATTR_XOR_MAPPED_ADDRESS);
	CHECK(a && (int)a->len == wn);
	if (!a || (int)a->len != wn)
		return;
	CHECK_MEM(m.data + a->off, want, a->len, "XOR-MAPPED-ADDRESS as in RFC 5769");
	CHECK_EQ(edge_stun_xor_address(&m, a, &back), EDGE_STUN_OK, "decode own");
	CHECK_MEM(&back.ip, &addr.ip, 16, "round trip ip");
	/* Every buffer shorter than the message is refused, nothing claimed. */
	for (size_t cap = 0; cap < len; cap++) {
		size_t got = 99;

		CHECK_EQ(
		    edge_stun_build_binding_success(out, cap, &got, txid, &addr, pwd, strlen(pwd)),
		    EDGE_STUN_NO_SPACE, "short buffer");
		CHECK_EQ(got, 0, "no length on failure");
	}
}

/* Writer argument errors and the reason names. */
static void test_writer_errors_and_names(void)
{
	static const uint8_t txid[12];
	struct edge_stun_addr bad = {.family = 5};
	struct edge_stun_writer w;
	uint8_t out[128];
	size_t len;

	CHECK_EQ(edge_stun_build_binding_success(out, sizeof(out), &len, txid, &bad, "k", 1),
		 EDGE_STUN_BAD_ADDRESS, "family 5");
	edge_stun_writer_start(&w, out, sizeof(out), EDGE_STUN_BINDING_ERROR, txid);
	edge_stun_writer_error_code(&w, 200, "OK?");
	edge_stun_writer_fingerprint(&w);
	CHECK_EQ(edge_stun_writer_finish(&w, &len), EDGE_STUN_BAD_ARGUMENT, "error code 200");
	for (int r = 0; r < EDGE_STUN_REASON_MAX; r++) {
		CHECK(strlen(edge_stun_reason_name((enum edge_stun_reason)r)) > 0);
		CHECK(strcmp(edge_stun_reason_help((enum edge_stun_reason)r), "unknown") != 0);
		for (int q = 0; q < r; q++)
			CHECK(strcmp(edge_stun_reason_name((enum edge_stun_reason)r),
				     edge_stun_reason_name((enum edge_stun_reason)q)) != 0);
	}
	CHECK_STR(edge_stun_reason_name(EDGE_STUN_REASON_MAX), "unknown");
}

int main(void)
{
	test_request();
	test_response(RFC5769_RESPONSE_V4, 4, "192.0.2.1");
	test_response(RFC5769_RESPONSE_V6, 6, "2001:db8:1234:5678:11:2233:4455:6677");
	test_bit_flips(RFC5769_REQUEST);
	test_bit_flips(RFC5769_RESPONSE_V4);
	test_bit_flips(RFC5769_RESPONSE_V6);
	test_named_flips();
	test_malformed();
	test_writer_success(4, "192.0.2.1", "00 01 a1 47 e1 12 a6 43");
	test_writer_success(6, "2001:db8:1234:5678:11:2233:4455:6677",
			    "00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9");
	test_writer_errors_and_names();
	return check_summary("test_stun");
}
