/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP key derivation on OpenSSL (dp_srtp_kdf.h).
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "dp_srtp_kdf.h"

#define KDF_SALT_BYTES 14 /* the PRF input x is 112 bits (RFC 3711 §4.3.1) */

/* The AES-CM PRF of RFC 3711 §4.3.3: len bytes of AES-CTR keystream under
 * the master key, starting at IV = x * 2^16 with x = key_id XOR master_salt
 * and key_id = label || r (r = 0 for key_derivation_rate 0), right-aligned
 * in the 112 bits of x (label at byte 7). A 96-bit master salt (RFC 7714
 * §11) is the high-order part of x, the low 16 bits zero, as libsrtp does.
 * 0 or -EIO. */
static int prf(const uint8_t *mk, uint8_t mk_len, const uint8_t *ms, uint8_t ms_len, uint8_t label,
	       uint8_t *out, int len)
{
	const EVP_CIPHER *cipher = mk_len == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
	uint8_t iv[16] = {0};
	EVP_CIPHER_CTX *ctx;
	int ok, n = 0;

	memcpy(iv, ms, ms_len < KDF_SALT_BYTES ? ms_len : KDF_SALT_BYTES);
	iv[7] ^= label;
	memset(out, 0, (size_t)len);
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return -EIO;
	ok = EVP_EncryptInit_ex(ctx, cipher, NULL, mk, iv) == 1 &&
	     EVP_EncryptUpdate(ctx, out, &n, out, len) == 1 && n == len;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

/* See dp_srtp_kdf.h. Labels: RFC 3711 §4.3.2 (SRTP 0-2, SRTCP 3-5). */
int dp_srtp_kdf(const struct relais_srtp_profile_info *prof, const uint8_t *master_key,
		const uint8_t *master_salt, int rtcp, struct dp_srtp_session_keys *out)
{
	uint8_t base = rtcp ? 3 : 0;
	int rc;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (prof == NULL || master_key == NULL || master_salt == NULL ||
	    (prof->key_len != 16 && prof->key_len != 32) || prof->salt_len > KDF_SALT_BYTES)
		return -EINVAL;
	out->enc_len = prof->key_len;
	out->salt_len = prof->salt_len;
	out->auth_len = prof->aead ? 0 : sizeof(out->auth);
	rc = prf(master_key, prof->key_len, master_salt, prof->salt_len, base, out->enc,
		 out->enc_len);
	if (rc == 0 && out->auth_len > 0)
		rc = prf(master_key, prof->key_len, master_salt, prof->salt_len, base + 1,
			 out->auth, out->auth_len);
	if (rc == 0)
		rc = prf(master_key, prof->key_len, master_salt, prof->salt_len, base + 2,
			 out->salt, out->salt_len);
	if (rc != 0)
		explicit_bzero(out, sizeof(*out));
	return rc;
}
