/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_token (edge/http/edge_token.h) at its edges: tokens built here with
 * OpenSSL's HMAC and base64 (not libjwt), checked at the exact second exp
 * and nbf turn, with every claim of the wrong type, ids at their limits,
 * a short secret, an oversized token; the seeds of fuzz_token (made by
 * make_corpus.py in Python) each give their reason; and the names of the
 * reason list are unique.
 *
 *   test_token CORPUS_DIR      (tests/fuzz/corpus/token)
 */
#define CHECK_MAIN
#include "check.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "edge_token.h"

#define SECRET "test-token-secret-0123456789abcdef-0123"
#define NOW 1767225600
#define LEEWAY 30

static const struct edge_token_params params = {(const uint8_t *)SECRET, sizeof(SECRET) - 1,
						LEEWAY};

/* base64url of n bytes into out (NUL-terminated, no padding). */
static void b64url(const void *in, size_t n, char *out)
{
	int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);

	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	for (int i = 0; i < len; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
}

/* A token of header and claims JSON, signed with HS256 under key. */
static char *make_token(const char *header, const char *claims, const char *key)
{
	static char tok[8192];
	unsigned char mac[32];
	unsigned mac_len = 0;
	size_t n;

	b64url(header, strlen(header), tok);
	n = strlen(tok);
	tok[n++] = '.';
	b64url(claims, strlen(claims), tok + n);
	n = strlen(tok);
	HMAC(EVP_sha256(), key, (int)strlen(key), (unsigned char *)tok, n, mac, &mac_len);
	tok[n++] = '.';
	b64url(mac, mac_len, tok + n);
	return tok;
}

#define HS256 "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

/* Verify claims (JSON) signed under SECRET at now. */
static enum edge_token_reason verify_claims(const char *claims, int64_t now,
					    struct edge_token_claims *c)
{
	const char *tok = make_token(HS256, claims, SECRET);

	return edge_token_verify(&params, tok, strlen(tok), now, c);
}

/* The claims of a publisher of room 42 with exp and nbf. */
static const char *grant(long exp, long nbf)
{
	static char buf[512];

	snprintf(buf, sizeof(buf),
		 "{\"sub\":\"4201\",\"exp\":%ld,\"nbf\":%ld,\"video\":{\"room\":\"42\","
		 "\"roomJoin\":true,\"canPublish\":true}}",
		 exp, nbf);
	return buf;
}

static void test_times(void)
{
	struct edge_token_claims c;

	CHECK_EQ(verify_claims(grant(NOW + 1, NOW), NOW, &c), EDGE_TOKEN_OK, "valid");
	CHECK_EQ(c.participant, 4201, "sub");
	CHECK_EQ(c.room, 42, "room");
	CHECK(c.room_join && c.can_publish && !c.can_subscribe);
	CHECK_EQ(c.exp, NOW + 1, "exp");
	/* exp: accepted up to exp + leeway - 1, refused from exp + leeway. */
	CHECK_EQ(verify_claims(grant(NOW - LEEWAY + 1, 0), NOW, &c), EDGE_TOKEN_OK, "exp edge");
	CHECK_EQ(verify_claims(grant(NOW - LEEWAY, 0), NOW, &c), EDGE_TOKEN_EXPIRED, "exp past");
	CHECK_EQ(c.participant, 0, "claims zeroed on refusal");
	/* nbf: accepted from nbf - leeway. */
	CHECK_EQ(verify_claims(grant(NOW + 99, NOW + LEEWAY), NOW, &c), EDGE_TOKEN_OK, "nbf edge");
	CHECK_EQ(verify_claims(grant(NOW + 99, NOW + LEEWAY + 1), NOW, &c),
		 EDGE_TOKEN_NOT_YET_VALID, "nbf future");
	CHECK_EQ(verify_claims(grant(-9223372036854775807L - 1, 0), NOW, &c), EDGE_TOKEN_EXPIRED,
		 "exp INT64_MIN");
	CHECK_EQ(verify_claims(grant(9223372036854775807L, 9223372036854775807L), NOW, &c),
		 EDGE_TOKEN_NOT_YET_VALID, "nbf INT64_MAX");
}

static void test_claim_types(void)
{
	static const struct {
		const char *claims;
		enum edge_token_reason want;
	} cases[] = {
	    {"{\"sub\":\"1\",\"video\":{\"room\":\"1\"}}", EDGE_TOKEN_NO_EXPIRY},
	    {"{\"sub\":\"1\",\"exp\":1.9e9,\"video\":{\"room\":\"1\"}}", EDGE_TOKEN_BAD_CLAIMS},
	    {"{\"sub\":\"1\",\"exp\":\"1900000000\",\"video\":{\"room\":\"1\"}}",
	     EDGE_TOKEN_BAD_CLAIMS},
	    {"{\"sub\":\"1\",\"exp\":1900000000,\"nbf\":null,\"video\":{\"room\":\"1\"}}",
	     EDGE_TOKEN_BAD_CLAIMS},
	    {"{\"sub\":1,\"exp\":1900000000,\"video\":{\"room\":\"1\"}}",
	     EDGE_TOKEN_BAD_PARTICIPANT},
	    {"{\"sub\":\"01\",\"exp\":1900000000,\"video\":{\"room\":\"1\"}}",
	     EDGE_TOKEN_BAD_PARTICIPANT},
	    {"{\"sub\":\"4294967296\",\"exp\":1900000000,\"video\":{\"room\":\"1\"}}",
	     EDGE_TOKEN_BAD_PARTICIPANT},
	    {"{\"sub\":\"4294967295\",\"exp\":1900000000,\"video\":{\"room\":\"1\"}}",
	     EDGE_TOKEN_OK},
	    {"{\"sub\":\"1\",\"exp\":1900000000,\"video\":{\"room\":1}}", EDGE_TOKEN_NO_ROOM},
	    {"{\"sub\":\"1\",\"exp\":1900000000,\"video\":{\"room\":\"+1\"}}", EDGE_TOKEN_NO_ROOM},
	    {"{\"sub\":\"1\",\"exp\":1900000000,\"video\":[]}", EDGE_TOKEN_BAD_CLAIMS},
	    {"{\"sub\":\"1\",\"exp\":1900000000,\"video\":{\"room\":\"1\",\"roomJoin\":\"yes\"}}",
	     EDGE_TOKEN_BAD_CLAIMS},
	    {"[1,2]", EDGE_TOKEN_BAD_CLAIMS},
	};
	struct edge_token_claims c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum edge_token_reason r = verify_claims(cases[i].claims, NOW, &c);

		CHECKF(r == cases[i].want, "%s: got %s, want %s", cases[i].claims,
		       edge_token_reason_name(r), edge_token_reason_name(cases[i].want));
	}
}

static void test_header_and_secret(void)
{
	const char *claims = grant(NOW + 60, 0);
	struct edge_token_params short_key = params;
	struct edge_token_claims c;
	char big[EDGE_TOKEN_MAX_LEN + 2];
	const char *tok;

	tok = make_token("{\"alg\":\"HS256\",\"typ\":\"JWS\"}", claims, SECRET);
	CHECK_EQ(edge_token_verify(&params, tok, strlen(tok), NOW, &c), EDGE_TOKEN_MALFORMED,
		 "typ JWS");
	tok = make_token("{\"alg\":\"HS256\"}", claims, SECRET);
	CHECK_EQ(edge_token_verify(&params, tok, strlen(tok), NOW, &c), EDGE_TOKEN_OK, "no typ");
	tok = make_token("{\"typ\":\"JWT\"}", claims, SECRET);
	CHECK_EQ(edge_token_verify(&params, tok, strlen(tok), NOW, &c), EDGE_TOKEN_MALFORMED,
		 "no alg");
	tok = make_token("{\"alg\":\"HS384\"}", claims, SECRET);
	CHECK_EQ(edge_token_verify(&params, tok, strlen(tok), NOW, &c), EDGE_TOKEN_ALG_NOT_ALLOWED,
		 "HS384");
	tok = make_token(HS256, claims, SECRET);
	CHECK_EQ(edge_token_verify(&params, tok, strlen(tok) - 1, NOW, &c),
		 EDGE_TOKEN_BAD_SIGNATURE, "signature cut short");
	short_key.secret_len = EDGE_TOKEN_MIN_SECRET - 1;
	CHECK_EQ(edge_token_verify(&short_key, tok, strlen(tok), NOW, &c), EDGE_TOKEN_BAD_SIGNATURE,
		 "secret under 32 bytes verifies nothing");
	CHECK_EQ(edge_token_verify(&params, NULL, 0, NOW, &c), EDGE_TOKEN_MISSING, "no token");
	memset(big, 'A', sizeof(big));
	big[10] = '.';
	big[20] = '.';
	CHECK_EQ(edge_token_verify(&params, big, sizeof(big), NOW, &c), EDGE_TOKEN_MALFORMED,
		 "over EDGE_TOKEN_MAX_LEN");
}

static void test_authorize(void)
{
	struct edge_token_claims c = {.participant = 7, .room = 42, .room_join = true};

	CHECK_EQ(edge_token_authorize(&c, 42, EDGE_TOKEN_RIGHT_JOIN), EDGE_TOKEN_OK, "join");
	CHECK_EQ(edge_token_authorize(&c, 43, EDGE_TOKEN_RIGHT_JOIN), EDGE_TOKEN_WRONG_ROOM,
		 "room");
	CHECK_EQ(edge_token_authorize(&c, 42, EDGE_TOKEN_RIGHT_PUBLISH), EDGE_TOKEN_NO_PUBLISH,
		 "absent canPublish is no right");
	CHECK_EQ(edge_token_authorize(&c, 42, EDGE_TOKEN_RIGHT_SUBSCRIBE), EDGE_TOKEN_NO_SUBSCRIBE,
		 "absent canSubscribe is no right");
	c.can_subscribe = true;
	CHECK_EQ(edge_token_authorize(&c, 42, EDGE_TOKEN_RIGHT_SUBSCRIBE), EDGE_TOKEN_OK, "sub");
	c.room_join = false;
	CHECK_EQ(edge_token_authorize(&c, 42, EDGE_TOKEN_RIGHT_SUBSCRIBE), EDGE_TOKEN_NO_ROOM_JOIN,
		 "roomJoin false");
}

/* Each seed of fuzz_token (Python-made, secret of fuzz_token.c) gives the
 * reason its name says. */
static void test_seeds(const char *dir)
{
	static const struct edge_token_params fuzz = {
	    (const uint8_t *)"relais-fuzz-token-secret-0123456789abcdef", 41, 30};
	static const struct {
		const char *file;
		enum edge_token_reason want;
	} seeds[] = {
	    {"publish", EDGE_TOKEN_OK},
	    {"watch", EDGE_TOKEN_OK},
	    {"expired", EDGE_TOKEN_EXPIRED},
	    {"not_yet", EDGE_TOKEN_NOT_YET_VALID},
	    {"no_exp", EDGE_TOKEN_NO_EXPIRY},
	    {"bad_sub", EDGE_TOKEN_BAD_PARTICIPANT},
	    {"no_room", EDGE_TOKEN_NO_ROOM},
	    {"alg_none", EDGE_TOKEN_ALG_NOT_ALLOWED},
	    {"alg_hs512", EDGE_TOKEN_ALG_NOT_ALLOWED},
	    {"bad_sig", EDGE_TOKEN_BAD_SIGNATURE},
	    {"malformed", EDGE_TOKEN_MALFORMED},
	};
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		char path[4096], tok[EDGE_TOKEN_MAX_LEN + 1];
		struct edge_token_claims c;
		size_t n = 0;
		FILE *fp;

		snprintf(path, sizeof(path), "%s/%s.bin", dir, seeds[i].file);
		fp = fopen(path, "rb");
		CHECKF(fp != NULL, "seed %s missing", path);
		if (fp == NULL)
			continue;
		n = fread(tok, 1, sizeof(tok), fp);
		fclose(fp);
		CHECKF(edge_token_verify(&fuzz, tok, n, NOW, &c) == seeds[i].want,
		       "seed %s: want %s", seeds[i].file, edge_token_reason_name(seeds[i].want));
	}
}

static void test_names(void)
{
	for (unsigned i = 0; i < EDGE_TOKEN_REASON_MAX; i++) {
		CHECK(edge_token_reason_name(i)[0] != '\0' && edge_token_reason_help(i)[0] != '\0');
		for (unsigned j = 0; j < i; j++)
			CHECKF(strcmp(edge_token_reason_name(i), edge_token_reason_name(j)) != 0,
			       "duplicate name %s", edge_token_reason_name(i));
	}
	CHECK_STR(edge_token_reason_name(EDGE_TOKEN_REASON_MAX), "unknown");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_token CORPUS_DIR\n");
		return 2;
	}
	test_times();
	test_claim_types();
	test_header_and_secret();
	test_authorize();
	test_seeds(argv[1]);
	test_names();
	return check_summary("test_token");
}
