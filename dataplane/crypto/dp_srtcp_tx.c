/* SPDX-License-Identifier: BSD-3-Clause */
/* SRTCP protect under a chosen index; see dp_srtcp_tx.h. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "dp_srtcp_tx.h"

#define RTCP_HDR_LEN 8
#define WORD_LEN 4 /* E flag + SRTCP index */
#define GCM_TAG_LEN 16
#define E_BIT 0x80000000u
#define INDEX_MAX 0x7fffffffu

/* Store v big-endian at p. */
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* AES-CM (RFC 3711 §4.1.1, SRTCP index as i): IV = salt * 2^16 XOR
 * SSRC * 2^64 XOR index * 2^16; the payload after the 8-byte header is
 * encrypted, then the tag is HMAC-SHA1 over packet || E+index (§4.2).
 * The new length or -1. */
static int protect_cm(const struct relais_srtp_profile_info *prof,
		      const struct dp_srtp_session_keys *k, uint32_t index, uint8_t *pkt,
		      uint32_t len)
{
	const EVP_CIPHER *c = k->enc_len == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
	uint8_t iv[16] = {0}, md[EVP_MAX_MD_SIZE], w[4];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	unsigned md_len = 0;
	int n = 0, ok;

	memcpy(iv, k->salt, k->salt_len);
	for (int i = 0; i < 4; i++)
		iv[4 + i] ^= pkt[4 + i];
	put32(w, index);
	for (int i = 0; i < 4; i++)
		iv[10 + i] ^= w[i];
	ok = ctx != NULL && EVP_EncryptInit_ex(ctx, c, NULL, k->enc, iv) == 1 &&
	     (len == RTCP_HDR_LEN ||
	      EVP_EncryptUpdate(ctx, pkt + RTCP_HDR_LEN, &n, pkt + RTCP_HDR_LEN,
				(int)(len - RTCP_HDR_LEN)) == 1);
	EVP_CIPHER_CTX_free(ctx);
	put32(pkt + len, E_BIT | index);
	ok = ok && HMAC(EVP_sha1(), k->auth, k->auth_len, pkt, len + WORD_LEN, md, &md_len) &&
	     md_len >= prof->rtcp_tag_len;
	if (ok)
		memcpy(pkt + len + WORD_LEN, md, prof->rtcp_tag_len);
	explicit_bzero(md, sizeof(md));
	return ok ? (int)(len + WORD_LEN + prof->rtcp_tag_len) : -1;
}

/* AEAD AES-GCM (RFC 7714 §9.1-9.2): IV = (00 00 || SSRC || 00 00 ||
 * index) XOR salt, AAD = header || E+index, packet = header ||
 * ciphertext || tag || E+index. The new length or -1. */
static int protect_gcm(const struct dp_srtp_session_keys *k, uint32_t index, uint8_t *pkt,
		       uint32_t len)
{
	const EVP_CIPHER *c = k->enc_len == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t iv[12] = {0}, w[4];
	int n = 0, ok;

	memcpy(iv + 2, pkt + 4, 4);
	put32(iv + 8, index);
	for (int i = 0; i < 12; i++)
		iv[i] ^= k->salt[i];
	put32(w, E_BIT | index);
	ok = ctx != NULL && EVP_EncryptInit_ex(ctx, c, NULL, NULL, NULL) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1 &&
	     EVP_EncryptInit_ex(ctx, NULL, NULL, k->enc, iv) == 1 &&
	     EVP_EncryptUpdate(ctx, NULL, &n, pkt, RTCP_HDR_LEN) == 1 &&
	     EVP_EncryptUpdate(ctx, NULL, &n, w, WORD_LEN) == 1 &&
	     (len == RTCP_HDR_LEN ||
	      EVP_EncryptUpdate(ctx, pkt + RTCP_HDR_LEN, &n, pkt + RTCP_HDR_LEN,
				(int)(len - RTCP_HDR_LEN)) == 1) &&
	     EVP_EncryptFinal_ex(ctx, pkt + len, &n) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN, pkt + len) == 1;
	EVP_CIPHER_CTX_free(ctx);
	memcpy(pkt + len + GCM_TAG_LEN, w, WORD_LEN);
	return ok ? (int)(len + GCM_TAG_LEN + WORD_LEN) : -1;
}

/* See dp_srtcp_tx.h. */
int dp_srtcp_tx_protect(const struct relais_srtp_profile_info *prof,
			const struct dp_srtp_session_keys *k, uint32_t index, uint8_t *pkt,
			uint32_t len)
{
	if (prof == NULL || k == NULL || pkt == NULL || len < RTCP_HDR_LEN || index == 0 ||
	    index > INDEX_MAX)
		return -1;
	return prof->aead ? protect_gcm(k, index, pkt, len) : protect_cm(prof, k, index, pkt, len);
}
