/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The node certificate (edge_cert.c) against the openssl command: the
 * generated certificate is a self-signed P-256 one whose fingerprint is the
 * one `openssl x509 -fingerprint -sha256` prints; files made by `openssl
 * req` load with that same fingerprint; an unsafe key file (group/other
 * bits, a symlink, not a regular file) and wrong contents (not P-256,
 * another certificate's key, not PEM) are refused with their named error;
 * the a=fingerprint text is read back exactly and malformed forms refused.
 */
#define CHECK_MAIN
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "check.h"
#include "dtls_sclient.h"
#include "edge_cert.h"

static char dir[] = "/tmp/edge-cert-test.XXXXXX";

/* dir/name into out[256]. */
static const char *path_in(char *out, const char *name)
{
	snprintf(out, 256, "%s/%s", dir, name);
	return out;
}

/* Write text into dir/name with the given mode; 0 or -1. */
static int write_file(const char *name, const char *text, mode_t mode)
{
	char path[256];
	FILE *fp = fopen(path_in(path, name), "w");

	if (fp == NULL)
		return -1;
	fputs(text, fp);
	fclose(fp);
	return chmod(path, mode);
}

/* The generated certificate: P-256, self-signed, fingerprint as openssl says. */
static void test_generate(void)
{
	enum edge_cert_error why;
	struct edge_cert *c = edge_cert_generate("node-a", &why);
	char path[256], out[4096], want[EDGE_FINGERPRINT_TEXT_MAX];
	uint8_t fp[EDGE_FINGERPRINT_LEN];
	FILE *fp_file;

	CHECK(c != NULL && why == EDGE_CERT_OK);
	if (c == NULL)
		return;
	fp_file = fopen(path_in(path, "gen.crt"), "w");
	CHECK(fp_file != NULL && PEM_write_X509(fp_file, edge_cert_x509(c)) == 1);
	if (fp_file != NULL)
		fclose(fp_file);
	const char *fpr[] = {"openssl", "x509", "-noout", "-fingerprint",
			     "-sha256", "-in",  path,     NULL};
	const char *text[] = {"openssl", "x509", "-noout", "-text", "-in", path, NULL};
	const char *verify[] = {"openssl", "verify", "-CAfile", path, path, NULL};

	CHECK(run_cmd(fpr, out, sizeof(out)) == 0);
	/* "sha256 Fingerprint=AB:..." -> "sha-256 AB:..." */
	snprintf(want, sizeof(want), "sha-256 %.95s", strchr(out, '=') ? strchr(out, '=') + 1 : "");
	CHECK_STR(edge_cert_fingerprint(c), want);
	CHECK(edge_fingerprint_parse(edge_cert_fingerprint(c), fp) == EDGE_CERT_OK);
	CHECK_MEM(fp, edge_cert_fingerprint_bytes(c), sizeof(fp), "fingerprint bytes");
	CHECK(run_cmd(text, out, sizeof(out)) == 0);
	CHECKF(strstr(out, "prime256v1") && strstr(out, "ecdsa-with-SHA256") &&
		   strstr(out, "CN = node-a"),
	       "not a P-256 ECDSA certificate for node-a:\n%s", out);
	CHECKF(run_cmd(verify, out, sizeof(out)) == 0, "not self-signed: %s", out);
	edge_cert_free(c);
	unlink(path);
}

/* An encrypted key (no password is asked for: it fails at once) and a key
 * file too large to be one are refused as unparsable. */
static void test_load_encrypted_or_huge(const struct client_cert *a)
{
	char enc[256], huge[256], out[256], big[70000];
	const char *encrypt[] = {"openssl",     "pkey",    "-in",
				 a->key_path,   "-aes256", "-passout",
				 "pass:secret", "-out",    path_in(enc, "enc.key"),
				 NULL};
	enum edge_cert_error why = EDGE_CERT_OK;
	struct edge_cert *c;

	CHECK(run_cmd(encrypt, out, sizeof(out)) == 0 && chmod(enc, 0600) == 0);
	c = edge_cert_load(a->cert_path, enc, &why);
	CHECKF(c == NULL && why == EDGE_CERT_KEY_PARSE, "encrypted key: %s",
	       edge_cert_error_name(why));
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(write_file("huge.key", big, 0600) == 0);
	c = edge_cert_load(a->cert_path, path_in(huge, "huge.key"), &why);
	CHECKF(c == NULL && why == EDGE_CERT_KEY_PARSE, "huge key file: %s",
	       edge_cert_error_name(why));
	unlink(enc);
	unlink(huge);
}

/* Load files made by openssl req; refuse unsafe or wrong ones. */
static void test_load(void)
{
	struct client_cert a, b;
	enum edge_cert_error why;
	struct edge_cert *c;
	char link[256], rsa[256], junk[256], out[256];
	const char *genrsa[] = {"openssl",    "genpkey",
				"-algorithm", "RSA",
				"-pkeyopt",   "rsa_keygen_bits:2048",
				"-out",       path_in(rsa, "rsa.key"),
				NULL};

	CHECKF(client_cert_make(dir, "a", &a) == 0 && client_cert_make(dir, "b", &b) == 0 &&
		   run_cmd(genrsa, out, sizeof(out)) == 0,
	       "the openssl command could not make keys");
	chmod(a.key_path, 0600);
	chmod(b.key_path, 0600);
	chmod(rsa, 0600);
	c = edge_cert_load(a.cert_path, a.key_path, &why);
	CHECKF(c != NULL, "load: %s", edge_cert_error_name(why));
	if (c != NULL)
		CHECK_MEM(edge_cert_fingerprint_bytes(c), a.fp, EDGE_FINGERPRINT_LEN,
			  "loaded fingerprint");
	edge_cert_free(c);

	struct {
		const char *cert, *key;
		enum edge_cert_error want;
	} bad[] = {
	    {a.cert_path, path_in(link, "a-link.key"), EDGE_CERT_KEY_SYMLINK},
	    {a.cert_path, path_in(out, "missing.key"), EDGE_CERT_KEY_OPEN},
	    {a.cert_path, dir, EDGE_CERT_KEY_NOT_REGULAR},
	    {a.cert_path, rsa, EDGE_CERT_KEY_NOT_P256},
	    {a.cert_path, b.key_path, EDGE_CERT_KEY_MISMATCH},
	    {path_in(junk, "junk.pem"), a.key_path, EDGE_CERT_CERT_PARSE},
	    {a.key_path, a.key_path, EDGE_CERT_CERT_PARSE},
	    {"/nonexistent/relais.crt", a.key_path, EDGE_CERT_CERT_OPEN},
	    {a.cert_path, a.cert_path, EDGE_CERT_KEY_PERMISSIONS}, /* 0644 from openssl */
	};

	CHECK(symlink(a.key_path, link) == 0);
	CHECK(write_file("junk.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n", 0644) == 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = EDGE_CERT_OK;
		c = edge_cert_load(bad[i].cert, bad[i].key, &why);
		CHECKF(c == NULL && why == bad[i].want, "case %zu: got %s, want %s", i,
		       edge_cert_error_name(why), edge_cert_error_name(bad[i].want));
		edge_cert_free(c);
	}
	for (mode_t m = 0640; m; m = m == 0640 ? 0604 : m == 0604 ? 0620 : 0) {
		chmod(a.key_path, m);
		c = edge_cert_load(a.cert_path, a.key_path, &why);
		CHECKF(c == NULL && why == EDGE_CERT_KEY_PERMISSIONS, "mode %o: %s", m,
		       edge_cert_error_name(why));
		edge_cert_free(c);
	}
	CHECK(write_file("junk.key", "not a key\n", 0600) == 0);
	c = edge_cert_load(a.cert_path, path_in(out, "junk.key"), &why);
	CHECK(c == NULL && why == EDGE_CERT_KEY_PARSE);
	test_load_encrypted_or_huge(&a);
	const char *files[] = {a.cert_path, a.key_path, b.cert_path, b.key_path,
			       rsa,         link,       junk,        out};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
}

/* a=fingerprint text: exact round trip, case-insensitive, strict shape. */
static void test_fingerprint_text(void)
{
	static const char *const bad[] = {
	    "sha-1 AB:CD",
	    "sha-256",
	    "sha-256 ",
	    "sha-256 AB:CD:EF",
	    "sha-256AB:CD",
	    "sha-512 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:"
	    "18:19:1A:1B:1C:1D:1E:1F",
	    "sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:"
	    "18:19:1A:1B:1C:1D:1E:1F:20",
	    "sha-256 00-01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:"
	    "18:19:1A:1B:1C:1D:1E:1F",
	    "sha-256 0G:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:"
	    "18:19:1A:1B:1C:1D:1E:1F",
	};
	uint8_t digest[EDGE_FINGERPRINT_LEN], back[EDGE_FINGERPRINT_LEN];
	char text[EDGE_FINGERPRINT_TEXT_MAX], small[10];

	for (size_t i = 0; i < sizeof(digest); i++)
		digest[i] = (uint8_t)(i * 37 + 5);
	CHECK(edge_fingerprint_format(digest, text, sizeof(text)) == 0);
	CHECK_EQ(strlen(text), EDGE_FINGERPRINT_TEXT_MAX - 1, "text length");
	CHECK(edge_fingerprint_parse(text, back) == EDGE_CERT_OK);
	CHECK_MEM(back, digest, sizeof(digest), "round trip");
	CHECK(edge_fingerprint_format(digest, small, sizeof(small)) < 0);
	for (char *p = text; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
	memcpy(text, "SHA-256", 7);
	CHECK(edge_fingerprint_parse(text, back) == EDGE_CERT_OK);
	CHECK_MEM(back, digest, sizeof(digest), "mixed case");
	CHECK(edge_fingerprint_parse(NULL, back) == EDGE_CERT_FINGERPRINT_SYNTAX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECKF(edge_fingerprint_parse(bad[i], back) == EDGE_CERT_FINGERPRINT_SYNTAX,
		       "accepted '%s'", bad[i]);
	for (int i = 0; i < EDGE_CERT_ERROR_MAX; i++)
		for (int j = 0; j < i; j++)
			CHECK(strcmp(edge_cert_error_name((enum edge_cert_error)i),
				     edge_cert_error_name((enum edge_cert_error)j)) != 0);
	CHECK_STR(edge_cert_error_name(EDGE_CERT_ERROR_MAX), "?");
}

int main(void)
{
	if (mkdtemp(dir) == NULL)
		return 1;
	test_generate();
	test_load();
	test_fingerprint_text();
	rmdir(dir);
	return check_summary("edge_cert");
}
