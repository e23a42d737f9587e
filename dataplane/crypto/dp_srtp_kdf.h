/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP session key derivation, RFC 3711 §4.3 with key_derivation_rate 0
 * (the only rate DTLS-SRTP uses, RFC 5764 §4.1.2), for the AES-CM profiles
 * and for the AEAD_AES_*_GCM profiles, which use the same AES-CM PRF
 * (RFC 7714 §11) with a 96-bit master salt. Engines other than libsrtp
 * call it once per context, on the control thread.
 */
#ifndef DP_SRTP_KDF_H
#define DP_SRTP_KDF_H

#include <stdint.h>

#include <relais/srtp_profile.h>

/* Session keys of one of SRTP or SRTCP. */
struct dp_srtp_session_keys {
	uint8_t enc[32];  /* cipher key, enc_len bytes (16 or 32) */
	uint8_t auth[20]; /* HMAC-SHA1 key (AES-CM profiles only) */
	uint8_t salt[14]; /* session salt, salt_len bytes (14, or 12 for GCM) */
	uint8_t enc_len;
	uint8_t auth_len; /* 20, or 0 for GCM */
	uint8_t salt_len;
};

/* Derive the SRTP (rtcp = 0: labels 0, 1, 2) or SRTCP (rtcp = 1: labels 3,
 * 4, 5) session keys of profile prof from the master key (prof->key_len
 * bytes) and master salt (prof->salt_len bytes). 0, -EINVAL (NULL or bad
 * lengths) or -EIO (OpenSSL failed; *out is then zeroed). */
int dp_srtp_kdf(const struct relais_srtp_profile_info *prof, const uint8_t *master_key,
		const uint8_t *master_salt, int rtcp, struct dp_srtp_session_keys *out);

#endif /* DP_SRTP_KDF_H */
