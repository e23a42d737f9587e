/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An independent SRTP/SRTCP sender written on OpenSSL, used as the oracle
 * for the engine (which runs libsrtp2 on NSS): RFC 3711 key derivation
 * (§4.3), AES-CM + HMAC-SHA1 (§4.1.1, §4.2) and AES-GCM (RFC 7714 §8, §9).
 * Test code only: no replay state, no ROC tracking (the caller gives the
 * ROC / SRTCP index).
 */
#ifndef SRTP_ORACLE_H
#define SRTP_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include <relais/srtp_profile.h>

/* Session keys of one of RTP or RTCP. */
struct oracle_keys {
	const struct relais_srtp_profile_info *prof;
	uint8_t enc[32];
	uint8_t salt[14];
	uint8_t auth[20];
};

/* RFC 3711 §4.3.3 AES-CM PRF with key_derivation_rate 0: out = first len
 * bytes of the keystream for label. master_salt has salt_len bytes (12 for
 * GCM master salts, padded with zeros to 14). 0 or -1. */
int oracle_prf(const uint8_t *master_key, size_t key_len, const uint8_t *master_salt,
	       size_t salt_len, uint8_t label, uint8_t *out, size_t len);

/* Derive RTP (rtcp=0, labels 0-2) or RTCP (rtcp=1, labels 3-5) session keys
 * for profile id. 0 or -1. */
int oracle_derive(uint16_t profile, const uint8_t *master_key, const uint8_t *master_salt, int rtcp,
		  struct oracle_keys *k);

/* AES-CM keystream (RFC 3711 §4.1.1): len bytes from the 16-byte iv. */
int oracle_aes_ctr(const uint8_t *key, size_t key_len, const uint8_t *iv, uint8_t *out, size_t len);

/* Protect the RTP packet pkt (len bytes, header per RFC 3550) with ROC roc;
 * writes the SRTP packet to out (len + tag) and returns its length, or -1. */
int oracle_protect_rtp(const struct oracle_keys *k, uint32_t roc, const uint8_t *pkt, size_t len,
		       uint8_t *out);

/* Protect the RTCP compound packet with SRTCP index idx (31 bits), E flag
 * `encrypt`; returns the SRTCP length (len + 4 + tag) or -1. */
int oracle_protect_rtcp(const struct oracle_keys *k, uint32_t idx, int encrypt, const uint8_t *pkt,
			size_t len, uint8_t *out);

/* Length of the RTP header of a well-formed packet (fixed, CSRC, ext). */
size_t oracle_rtp_hdr_len(const uint8_t *pkt);

#endif /* SRTP_ORACLE_H */
