/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OpenSSL reference implementation of SRTP/SRTCP protect (srtp_oracle.h).
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "srtp_oracle.h"

/* AES-CTR (= AES-CM, RFC 3711 §4.1.1) keystream XOR into out (out holds
 * the input; zeros give the keystream). 0 or -1. */
static int ctr_xor(const uint8_t *key, size_t key_len, const uint8_t *iv, uint8_t *buf, size_t len)
{
	const EVP_CIPHER *c = key_len == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int ok, n = 0;

	if (ctx == NULL)
		return -1;
	ok = EVP_EncryptInit_ex(ctx, c, NULL, key, iv) == 1 &&
	     (len == 0 || EVP_EncryptUpdate(ctx, buf, &n, buf, (int)len) == 1);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* Keystream of len bytes (see srtp_oracle.h). */
int oracle_aes_ctr(const uint8_t *key, size_t key_len, const uint8_t *iv, uint8_t *out, size_t len)
{
	memset(out, 0, len);
	return ctr_xor(key, key_len, iv, out, len);
}

/* RFC 3711 §4.3.1/§4.3.3: x = key_id XOR master_salt with key_id = label ||
 * r (r = 0 for kdr 0) right-aligned in 14 bytes; IV = x * 2^16. */
int oracle_prf(const uint8_t *master_key, size_t key_len, const uint8_t *master_salt,
	       size_t salt_len, uint8_t label, uint8_t *out, size_t len)
{
	uint8_t iv[16] = {0};

	memcpy(iv, master_salt, salt_len > 14 ? 14 : salt_len);
	iv[7] ^= label;
	return oracle_aes_ctr(master_key, key_len, iv, out, len);
}

/* Session keys for RTP or RTCP (see srtp_oracle.h). */
int oracle_derive(uint16_t profile, const uint8_t *master_key, const uint8_t *master_salt, int rtcp,
		  struct oracle_keys *k)
{
	uint8_t base = rtcp ? 3 : 0;

	memset(k, 0, sizeof(*k));
	k->prof = relais_srtp_profile_get(profile);
	if (k->prof == NULL)
		return -1;
	if (oracle_prf(master_key, k->prof->key_len, master_salt, k->prof->salt_len, base, k->enc,
		       k->prof->key_len) ||
	    oracle_prf(master_key, k->prof->key_len, master_salt, k->prof->salt_len, base + 1,
		       k->auth, sizeof(k->auth)) ||
	    oracle_prf(master_key, k->prof->key_len, master_salt, k->prof->salt_len, base + 2,
		       k->salt, k->prof->salt_len))
		return -1;
	return 0;
}

/* RTP header length: 12 + 4*CC (+ 4 + 4*ext_len with X). */
size_t oracle_rtp_hdr_len(const uint8_t *pkt)
{
	size_t hl = 12 + 4u * (pkt[0] & 0x0f);

	if (pkt[0] & 0x10)
		hl += 4 + 4u * (((size_t)pkt[hl + 2] << 8) | pkt[hl + 3]);
	return hl;
}

/* HMAC-SHA1 over a || b, truncated to tag_len bytes at out. 0 or -1. */
static int hmac2(const uint8_t *key, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		 uint8_t *out, size_t tag_len)
{
	uint8_t md[20];
	unsigned mdlen = 0;
	uint8_t *buf = OPENSSL_malloc(alen + blen + 1);

	if (buf == NULL)
		return -1;
	memcpy(buf, a, alen);
	if (blen > 0)
		memcpy(buf + alen, b, blen);
	if (HMAC(EVP_sha1(), key, 20, buf, alen + blen, md, &mdlen) == NULL) {
		OPENSSL_free(buf);
		return -1;
	}
	OPENSSL_free(buf);
	memcpy(out, md, tag_len);
	return 0;
}

/* AES-GCM seal: ciphertext of pt (in place, len bytes) with aad, tag to
 * tag_out. RFC 7714 §5. 0 or -1. */
static int gcm_seal(const struct oracle_keys *k, const uint8_t *iv, const uint8_t *aad,
		    size_t aad_len, uint8_t *buf, size_t len, uint8_t *tag_out)
{
	const EVP_CIPHER *c = k->prof->key_len == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	if (ctx == NULL)
		return -1;
	ok = EVP_EncryptInit_ex(ctx, c, NULL, NULL, NULL) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
	     EVP_EncryptInit_ex(ctx, NULL, NULL, k->enc, iv) == 1 &&
	     (aad_len == 0 || EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1) &&
	     (len == 0 || EVP_EncryptUpdate(ctx, buf, &n, buf, (int)len) == 1) &&
	     EVP_EncryptFinal_ex(ctx, buf + len, &n) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag_out) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* SRTP protect (see srtp_oracle.h). AES-CM: RFC 3711 §4.1.1 IV =
 * (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), tag = HMAC-SHA1(header ||
 * ciphertext || ROC) (§4.2). GCM: RFC 7714 §8.1 IV = (00 00 || SSRC || ROC
 * || SEQ) XOR salt, AAD = the header (§8.2). */
int oracle_protect_rtp(const struct oracle_keys *k, uint32_t roc, const uint8_t *pkt, size_t len,
		       uint8_t *out)
{
	size_t hl = oracle_rtp_hdr_len(pkt);
	uint8_t iv[16] = {0}, rocb[4] = {roc >> 24, roc >> 16, roc >> 8, roc};

	if (hl > len)
		return -1;
	memcpy(out, pkt, len);
	if (k->prof->aead) {
		memcpy(iv + 2, pkt + 8, 4);
		memcpy(iv + 6, rocb, 4);
		memcpy(iv + 10, pkt + 2, 2);
		for (int i = 0; i < 12; i++)
			iv[i] ^= k->salt[i];
		if (gcm_seal(k, iv, out, hl, out + hl, len - hl, out + len))
			return -1;
		return (int)len + 16;
	}
	memcpy(iv, k->salt, 14);
	for (int i = 0; i < 4; i++)
		iv[4 + i] ^= pkt[8 + i];
	for (int i = 0; i < 4; i++)
		iv[8 + i] ^= rocb[i];
	iv[12] ^= pkt[2];
	iv[13] ^= pkt[3];
	if (ctr_xor(k->enc, k->prof->key_len, iv, out + hl, len - hl) ||
	    hmac2(k->auth, out, len, rocb, 4, out + len, k->prof->rtp_tag_len))
		return -1;
	return (int)len + k->prof->rtp_tag_len;
}

/* SRTCP protect (see srtp_oracle.h). AES-CM: RFC 3711 §3.4/§4.1.1 with
 * the SRTCP index as i, tag over packet || E|index. GCM: RFC 7714 §9.1 IV
 * = (00 00 || SSRC || 00 00 || 0|index) XOR salt, AAD = header (8) ||
 * E|index (§9.2), or the whole packet || E|index when E = 0 (§9.3). */
int oracle_protect_rtcp(const struct oracle_keys *k, uint32_t idx, int encrypt, const uint8_t *pkt,
			size_t len, uint8_t *out)
{
	uint8_t iv[16] = {0}, eidx[4];
	uint32_t e = (encrypt ? 0x80000000u : 0) | (idx & 0x7fffffffu);

	if (len < 8)
		return -1;
	eidx[0] = (uint8_t)(e >> 24), eidx[1] = (uint8_t)(e >> 16);
	eidx[2] = (uint8_t)(e >> 8), eidx[3] = (uint8_t)e;
	memcpy(out, pkt, len);
	if (k->prof->aead) {
		uint8_t aad[1500 + 4];
		size_t alen = encrypt ? 8 : len, plen = encrypt ? len - 8 : 0;

		if (len > 1500)
			return -1;
		memcpy(iv + 2, pkt + 4, 4);
		memcpy(iv + 8, eidx, 4);
		iv[8] &= 0x7f;
		for (int i = 0; i < 12; i++)
			iv[i] ^= k->salt[i];
		memcpy(aad, pkt, alen);
		memcpy(aad + alen, eidx, 4);
		if (gcm_seal(k, iv, aad, alen + 4, out + alen, plen, out + len))
			return -1;
		memcpy(out + len + 16, eidx, 4);
		return (int)len + 20;
	}
	memcpy(iv, k->salt, 14);
	for (int i = 0; i < 4; i++)
		iv[4 + i] ^= pkt[4 + i];
	for (int i = 0; i < 4; i++)
		iv[10 + i] ^= eidx[i] & (i == 0 ? 0x7f : 0xff);
	if (encrypt && ctr_xor(k->enc, k->prof->key_len, iv, out + 8, len - 8))
		return -1;
	memcpy(out + len, eidx, 4);
	if (hmac2(k->auth, out, len + 4, NULL, 0, out + len + 4, k->prof->rtcp_tag_len))
		return -1;
	return (int)len + 4 + k->prof->rtcp_tag_len;
}
