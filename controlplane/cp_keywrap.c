/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <relais/key_input.h>
#include <relais/no_dump.h>

#include "cp_keywrap.h"
#include "cp_util.h"

/* Parse one keyring line into slot i. 0, 1 (blank/comment) or -EINVAL. */
static int parse_line(struct cp_keyring *kr, char *line)
{
	char *kid = strtok(line, " \t\r\n"), *hex = strtok(NULL, " \t\r\n");

	if (kid == NULL || kid[0] == '#')
		return 1;
	if (hex == NULL || strlen(kid) > CP_KW_KID_LEN || kr->n == CP_KW_MAX_KEYS ||
	    strlen(hex) != 64 || cp_hex_decode(hex, kr->key[kr->n], 32) != 32)
		return -EINVAL;
	strcpy(kr->kid[kr->n], kid);
	kr->n++;
	return 0;
}

/* See header. */
int cp_keyring_load(struct cp_keyring *kr, const char *path, char *err, size_t n)
{
	char line[256];
	int lineno = 0, rc = 0;
	char why[200];
	FILE *f = relais_secret_open(path, why, sizeof(why));

	memset(kr, 0, sizeof(*kr));
	if (f == NULL) {
		snprintf(err, n, "keyring %s", why);
		return -EACCES;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		lineno++;
		if (parse_line(kr, line) < 0) {
			snprintf(err, n,
				 "keyring %s line %d: expected 'KID HEX64' (kid <= 32 chars)", path,
				 lineno);
			rc = -EINVAL;
		}
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	if (rc == 0 && kr->n == 0) {
		snprintf(err, n, "keyring %s: no key", path);
		rc = -EINVAL;
	}
	if (rc < 0)
		cp_keyring_clear(kr);
	return rc;
}

/* See header. */
void cp_keyring_clear(struct cp_keyring *kr)
{
	OPENSSL_cleanse(kr, sizeof(*kr));
}

/* See header. */
struct cp_keyring *cp_keyring_new(void)
{
	return relais_secret_alloc(sizeof(struct cp_keyring));
}

/* See header. */
void cp_keyring_free(struct cp_keyring *kr)
{
	relais_secret_free(kr, sizeof(*kr));
}

/* See header. */
int cp_kw_aad(char *buf, size_t n, uint32_t room, uint32_t part, const char *dir,
	      const char *profile, const struct relais_addr *addr, uint32_t gen)
{
	char a[64];
	int len;

	if (relais_addr_format(addr, a, sizeof(a)) < 0)
		return -EINVAL;
	len = snprintf(buf, n, "relais-key-v2|%u|%u|%s|%s|%s|%u", room, part, dir, profile, a, gen);
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

/* See header. */
int cp_kw_aad_v1(char *buf, size_t n, uint32_t room, uint32_t part, const char *dir,
		 const char *profile)
{
	int len = snprintf(buf, n, "relais-key-v1|%u|%u|%s|%s", room, part, dir, profile);

	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

/* One AES-256-GCM pass (NIST SP 800-38D) over in: encrypt (tag out) or
 * decrypt (tag checked). 0, -EBADMSG (tag mismatch) or -ENOMEM. */
static int gcm(int enc, const uint8_t *key, const uint8_t *nonce, const char *aad,
	       const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int ol = 0, rc = -ENOMEM;

	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, CP_KW_NONCE, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &ol, (const uint8_t *)aad, (int)strlen(aad)) != 1 ||
	    EVP_CipherUpdate(ctx, out, &ol, in, (int)len) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CP_KW_TAG, tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + ol, &ol) != 1) {
		rc = enc ? -ENOMEM : -EBADMSG;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CP_KW_TAG, tag) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* See header. */
int cp_kw_wrap(const struct cp_keyring *kr, const char *aad, const uint8_t *plain, size_t len,
	       char *out, char *kid)
{
	uint8_t blob[CP_KW_NONCE + CP_KW_MAX_PLAIN + CP_KW_TAG];
	int rc;

	if (kr->n == 0)
		return -ENOKEY;
	if (len == 0 || len > CP_KW_MAX_PLAIN)
		return -EINVAL;
	if (RAND_bytes(blob, CP_KW_NONCE) != 1)
		return -EIO;
	rc =
	    gcm(1, kr->key[0], blob, aad, plain, len, blob + CP_KW_NONCE, blob + CP_KW_NONCE + len);
	if (rc == 0) {
		cp_hex_encode(blob, CP_KW_NONCE + len + CP_KW_TAG, out);
		strcpy(kid, kr->kid[0]);
	}
	return rc;
}

/* See header. */
int cp_kw_unwrap(const struct cp_keyring *kr, const char *kid, const char *aad, const char *wrapped,
		 uint8_t *plain, size_t cap)
{
	uint8_t blob[CP_KW_NONCE + CP_KW_MAX_PLAIN + CP_KW_TAG];
	int n, len, k, rc;

	for (k = 0; k < kr->n && strcmp(kr->kid[k], kid) != 0; k++)
		;
	if (k == kr->n)
		return -ENOKEY;
	n = cp_hex_decode(wrapped, blob, sizeof(blob));
	if (n < CP_KW_NONCE + CP_KW_TAG + 1)
		return -EINVAL;
	len = n - CP_KW_NONCE - CP_KW_TAG;
	if ((size_t)len > cap)
		return -EINVAL;
	rc = gcm(0, kr->key[k], blob, aad, blob + CP_KW_NONCE, (size_t)len, plain,
		 blob + CP_KW_NONCE + len);
	if (rc < 0)
		OPENSSL_cleanse(plain, cap);
	return rc < 0 ? rc : len;
}
