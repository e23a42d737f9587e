/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The node certificate: PEM loading with the key file's safety checks,
 * ephemeral ECDSA P-256 generation, and the SHA-256 fingerprint in its SDP
 * text form (RFC 8122 §5). See edge_cert.h.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "edge_cert.h"

#define CERT_VALID_DAYS 30
/* A PEM key file is far smaller; anything larger is refused unread. */
#define KEY_FILE_MAX 65536
#define FINGERPRINT_HASH "sha-256"

struct edge_cert {
	X509 *x509;
	EVP_PKEY *pkey;
	uint8_t digest[EDGE_FINGERPRINT_LEN];
	char fingerprint[EDGE_FINGERPRINT_TEXT_MAX];
};

#define CERT_NAME_(sfx, name, help) name,
static const char *const error_names[] = {EDGE_CERT_ERRORS(CERT_NAME_)};
#undef CERT_NAME_
#define CERT_HELP_(sfx, name, help) help,
static const char *const error_help[] = {EDGE_CERT_ERRORS(CERT_HELP_)};
#undef CERT_HELP_

/* See edge_cert.h. */
const char *edge_cert_error_name(enum edge_cert_error e)
{
	return (unsigned)e < EDGE_CERT_ERROR_MAX ? error_names[e] : "?";
}

/* See edge_cert.h. */
const char *edge_cert_error_help(enum edge_cert_error e)
{
	return (unsigned)e < EDGE_CERT_ERROR_MAX ? error_help[e] : "?";
}

/* See edge_cert.h. */
int edge_fingerprint_format(const uint8_t digest[EDGE_FINGERPRINT_LEN], char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = sizeof(FINGERPRINT_HASH);

	if (cap < EDGE_FINGERPRINT_TEXT_MAX)
		return -ENOSPC;
	memcpy(out, FINGERPRINT_HASH " ", n);
	for (size_t i = 0; i < EDGE_FINGERPRINT_LEN; i++) {
		if (i > 0)
			out[n++] = ':';
		out[n++] = hex[digest[i] >> 4];
		out[n++] = hex[digest[i] & 0xf];
	}
	out[n] = '\0';
	return 0;
}

/* Value of one hex digit, -1 if c is not one. */
static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* See edge_cert.h. */
enum edge_cert_error edge_fingerprint_parse(const char *text, uint8_t out[EDGE_FINGERPRINT_LEN])
{
	const char *p = text;
	size_t hash_len = sizeof(FINGERPRINT_HASH) - 1;

	if (p == NULL)
		return EDGE_CERT_FINGERPRINT_SYNTAX;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, FINGERPRINT_HASH, hash_len) != 0 || (p[hash_len] != ' '))
		return EDGE_CERT_FINGERPRINT_SYNTAX;
	p += hash_len;
	while (*p == ' ')
		p++;
	for (size_t i = 0; i < EDGE_FINGERPRINT_LEN; i++) {
		int hi = hex_value((unsigned char)p[0]);
		int lo = hi < 0 ? -1 : hex_value((unsigned char)p[1]);

		if (lo < 0)
			return EDGE_CERT_FINGERPRINT_SYNTAX;
		out[i] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (i + 1 < EDGE_FINGERPRINT_LEN && *p++ != ':')
			return EDGE_CERT_FINGERPRINT_SYNTAX;
	}
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return *p == '\0' ? EDGE_CERT_OK : EDGE_CERT_FINGERPRINT_SYNTAX;
}

/* Fill the digest and its text from the certificate; 0 or -1. */
static int cert_fingerprint_fill(struct edge_cert *c)
{
	unsigned int len = 0;

	if (X509_digest(c->x509, EVP_sha256(), c->digest, &len) != 1 || len != EDGE_FINGERPRINT_LEN)
		return -1;
	return edge_fingerprint_format(c->digest, c->fingerprint, sizeof(c->fingerprint));
}

/* 1 when pkey is an EC key on P-256. */
static int key_is_p256(EVP_PKEY *pkey)
{
	char group[64];

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
		return 0;
	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
					   NULL) != 1)
		return 0;
	return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

/* Open the key file safely: no symlink, a regular file, mode without
 * group/other bits, at most KEY_FILE_MAX bytes. Returns the descriptor, or
 * -1 with *why set. */
static int key_file_open(const char *path, enum edge_cert_error *why)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		*why = errno == ELOOP ? EDGE_CERT_KEY_SYMLINK : EDGE_CERT_KEY_OPEN;
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		*why = EDGE_CERT_KEY_NOT_REGULAR;
	else if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		*why = EDGE_CERT_KEY_PERMISSIONS;
	else if (st.st_size > KEY_FILE_MAX)
		*why = EDGE_CERT_KEY_PARSE;
	else
		return fd;
	close(fd);
	return -1;
}

/* Password callback: none is asked for (OpenSSL's default would read the
 * terminal), so an encrypted key fails to load. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

/* Read the private key of key_path into c->pkey; EDGE_CERT_OK or why not.
 * The file is read into a buffer of ours, wiped afterwards, so no copy of
 * the key text stays in stdio's buffers. */
static enum edge_cert_error load_key(struct edge_cert *c, const char *key_path)
{
	enum edge_cert_error why = EDGE_CERT_OK;
	int fd = key_file_open(key_path, &why);
	unsigned char *text;
	size_t len = 0;
	ssize_t n;
	BIO *bio;

	if (fd < 0)
		return why;
	text = malloc(KEY_FILE_MAX);
	while (text != NULL && len < KEY_FILE_MAX &&
	       (n = read(fd, text + len, KEY_FILE_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (text == NULL)
		return EDGE_CERT_NO_MEMORY;
	bio = BIO_new_mem_buf(text, (int)len);
	c->pkey = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL) : NULL;
	BIO_free(bio);
	OPENSSL_cleanse(text, KEY_FILE_MAX);
	free(text);
	if (c->pkey == NULL)
		return EDGE_CERT_KEY_PARSE;
	return key_is_p256(c->pkey) ? EDGE_CERT_OK : EDGE_CERT_KEY_NOT_P256;
}

/* Read the certificate of cert_path into c->x509; EDGE_CERT_OK or why not. */
static enum edge_cert_error load_x509(struct edge_cert *c, const char *cert_path)
{
	FILE *fp = fopen(cert_path, "re");

	if (fp == NULL)
		return EDGE_CERT_CERT_OPEN;
	c->x509 = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	return c->x509 != NULL ? EDGE_CERT_OK : EDGE_CERT_CERT_PARSE;
}

/* See edge_cert.h. */
struct edge_cert *edge_cert_load(const char *cert_path, const char *key_path,
				 enum edge_cert_error *why)
{
	struct edge_cert *c = calloc(1, sizeof(*c));
	enum edge_cert_error e;

	if (c == NULL) {
		*why = EDGE_CERT_NO_MEMORY;
		return NULL;
	}
	e = load_key(c, key_path);
	if (e == EDGE_CERT_OK)
		e = load_x509(c, cert_path);
	if (e == EDGE_CERT_OK && X509_check_private_key(c->x509, c->pkey) != 1)
		e = EDGE_CERT_KEY_MISMATCH;
	if (e == EDGE_CERT_OK && cert_fingerprint_fill(c) != 0)
		e = EDGE_CERT_CERT_PARSE;
	ERR_clear_error();
	*why = e;
	if (e != EDGE_CERT_OK) {
		edge_cert_free(c);
		return NULL;
	}
	return c;
}

/* Build and sign a self-signed certificate for c->pkey; 0 or -1. */
static int self_sign(struct edge_cert *c, const char *common_name)
{
	X509_NAME *name;
	uint64_t serial = 0;

	c->x509 = X509_new();
	if (c->x509 == NULL || X509_set_version(c->x509, X509_VERSION_3) != 1 ||
	    RAND_bytes((unsigned char *)&serial, sizeof(serial)) != 1)
		return -1;
	serial >>= 1; /* a positive INTEGER */
	if (ASN1_INTEGER_set_uint64(X509_get_serialNumber(c->x509), serial) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(c->x509), -24L * 3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(c->x509), CERT_VALID_DAYS * 24L * 3600) == NULL ||
	    X509_set_pubkey(c->x509, c->pkey) != 1)
		return -1;
	name = X509_get_subject_name(c->x509);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
				       (const unsigned char *)common_name, -1, -1, 0) != 1 ||
	    X509_set_issuer_name(c->x509, name) != 1)
		return -1;
	return X509_sign(c->x509, c->pkey, EVP_sha256()) > 0 ? 0 : -1;
}

/* See edge_cert.h. */
struct edge_cert *edge_cert_generate(const char *common_name, enum edge_cert_error *why)
{
	struct edge_cert *c = calloc(1, sizeof(*c));

	*why = EDGE_CERT_GENERATE;
	if (c == NULL)
		return NULL;
	c->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (c->pkey == NULL || self_sign(c, common_name ? common_name : "relais") != 0 ||
	    cert_fingerprint_fill(c) != 0) {
		ERR_clear_error();
		edge_cert_free(c);
		return NULL;
	}
	*why = EDGE_CERT_OK;
	return c;
}

/* See edge_cert.h. */
const char *edge_cert_fingerprint(const struct edge_cert *cert)
{
	return cert->fingerprint;
}

/* See edge_cert.h. */
const uint8_t *edge_cert_fingerprint_bytes(const struct edge_cert *cert)
{
	return cert->digest;
}

/* See edge_cert.h. */
void *edge_cert_x509(const struct edge_cert *cert)
{
	return cert->x509;
}

/* See edge_cert.h. */
void *edge_cert_pkey(const struct edge_cert *cert)
{
	return cert->pkey;
}

/* See edge_cert.h. */
void edge_cert_free(struct edge_cert *cert)
{
	if (cert == NULL)
		return;
	EVP_PKEY_free(cert->pkey); /* OpenSSL clears the private scalar */
	X509_free(cert->x509);
	OPENSSL_cleanse(cert, sizeof(*cert));
	free(cert);
}
