/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The node certificate of relais-edge: one ECDSA P-256 key and certificate
 * per node, presented in every DTLS handshake (RFC 5763 §5), with its SHA-256
 * fingerprint written in every SDP answer (a=fingerprint, RFC 8122 §5).
 *
 * Either loaded from PEM files (the key file must be a regular file, not a
 * symlink, with no group/other permission bits) or generated at start as an
 * ephemeral self-signed certificate. Also here: the fingerprint text form
 * ("sha-256 AB:CD:...") written and read, so the caller turns the offer's
 * a=fingerprint into the 32 bytes edge_dtls compares the peer's certificate
 * with.
 *
 * Errors are named by one list, EDGE_CERT_ERRORS; nothing here prints.
 */
#ifndef EDGE_CERT_H
#define EDGE_CERT_H

#include <stddef.h>
#include <stdint.h>

/* X(ENUM_SUFFIX, "name", "operator explanation") */
#define EDGE_CERT_ERRORS(X)                                                              \
	X(OK, "ok", "no error")                                                          \
	X(KEY_OPEN, "key_open", "the key file cannot be opened (missing or unreadable)") \
	X(KEY_SYMLINK, "key_symlink", "the key file is a symbolic link (refused)")       \
	X(KEY_NOT_REGULAR, "key_not_regular", "the key file is not a regular file")      \
	X(KEY_PERMISSIONS, "key_permissions",                                            \
	  "the key file is accessible to group or others (chmod 600 it)")                \
	X(KEY_PARSE, "key_parse",                                                        \
	  "the key file holds no unencrypted PEM private key (or is over 64 kB)")        \
	X(KEY_NOT_P256, "key_not_p256", "the key is not an ECDSA P-256 key")             \
	X(CERT_OPEN, "cert_open", "the certificate file cannot be opened")               \
	X(CERT_PARSE, "cert_parse", "the certificate file holds no PEM certificate")     \
	X(KEY_MISMATCH, "key_mismatch", "the certificate is not the key's")              \
	X(GENERATE, "generate", "generating the ephemeral key or certificate failed")    \
	X(NO_MEMORY, "no_memory", "out of memory")                                       \
	X(FINGERPRINT_SYNTAX, "fingerprint_syntax",                                      \
	  "a fingerprint is not \"sha-256\" followed by 32 colon-separated hex bytes")

#define EDGE_CERT_ENUM_(sfx, name, help) EDGE_CERT_##sfx,
enum edge_cert_error {
	EDGE_CERT_ERRORS(EDGE_CERT_ENUM_) EDGE_CERT_ERROR_MAX
};
#undef EDGE_CERT_ENUM_

/* SHA-256 digest size, the only fingerprint hash relais-edge uses. */
#define EDGE_FINGERPRINT_LEN 32
/* "sha-256 " + 32 * "XX:" - 1 + NUL */
#define EDGE_FINGERPRINT_TEXT_MAX (8 + EDGE_FINGERPRINT_LEN * 3)

struct edge_cert; /* opaque: key, certificate, fingerprint */

/* Name ("key_permissions") and explanation of an error; "?" out of range. */
const char *edge_cert_error_name(enum edge_cert_error e);
const char *edge_cert_error_help(enum edge_cert_error e);

/* Load the node key and certificate from PEM files. The key file is opened
 * without following a symlink and refused unless it is a regular file with
 * no group/other permission bits; the key must be unencrypted (no password
 * is asked for), ECDSA P-256, and the certificate its own. Returns the certificate, or NULL with *why set. */
struct edge_cert *edge_cert_load(const char *cert_path, const char *key_path,
				 enum edge_cert_error *why);

/* Generate an ephemeral ECDSA P-256 key and a self-signed certificate
 * (subject CN=common_name, "relais" when NULL; valid from one day ago for
 * 30 days; random 64-bit serial; SHA-256 signature). Returns NULL with *why
 * = EDGE_CERT_GENERATE on failure. */
struct edge_cert *edge_cert_generate(const char *common_name, enum edge_cert_error *why);

/* The certificate's SDP fingerprint, "sha-256 AB:CD:..." (upper-case hex,
 * RFC 8122 §5), valid as long as the certificate. */
const char *edge_cert_fingerprint(const struct edge_cert *cert);

/* The 32 bytes of the certificate's SHA-256 fingerprint. */
const uint8_t *edge_cert_fingerprint_bytes(const struct edge_cert *cert);

/* The OpenSSL objects (X509 *, EVP_PKEY *), for edge_dtls; the certificate
 * keeps ownership. void * so this header needs no OpenSSL include. */
void *edge_cert_x509(const struct edge_cert *cert);
void *edge_cert_pkey(const struct edge_cert *cert);

/* Free the certificate and its key (OpenSSL wipes the private scalar; our
 * copies are cleansed). NULL is a no-op. */
void edge_cert_free(struct edge_cert *cert);

/* Parse an a=fingerprint value, "sha-256 AB:CD:..." (hash name and hex
 * digits case-insensitive, RFC 8122 §5; leading/trailing blanks ignored)
 * into out[32]. Returns EDGE_CERT_OK or EDGE_CERT_FINGERPRINT_SYNTAX (also
 * for any other hash function). */
enum edge_cert_error edge_fingerprint_parse(const char *text, uint8_t out[EDGE_FINGERPRINT_LEN]);

/* Write "sha-256 AB:CD:..." for digest[32] into out (cap >=
 * EDGE_FINGERPRINT_TEXT_MAX). Returns 0 or -ENOSPC. */
int edge_fingerprint_format(const uint8_t digest[EDGE_FINGERPRINT_LEN], char *out, size_t cap);

#endif /* EDGE_CERT_H */
