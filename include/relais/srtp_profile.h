/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP protection profiles (RFC 3711, RFC 7714) and their key sizes.
 * Numeric values are the IANA DTLS-SRTP protection profile ids (RFC 5764,
 * RFC 7714) so they can travel unchanged through the control channel and Redis.
 */
#ifndef RELAIS_SRTP_PROFILE_H
#define RELAIS_SRTP_PROFILE_H

#include <stddef.h>
#include <stdint.h>

enum relais_srtp_profile {
	RELAIS_SRTP_AES128_CM_SHA1_80 = 0x0001,
	RELAIS_SRTP_AES128_CM_SHA1_32 = 0x0002,
	RELAIS_SRTP_AEAD_AES_128_GCM = 0x0007,
	RELAIS_SRTP_AEAD_AES_256_GCM = 0x0008,
};

#define RELAIS_SRTP_MAX_KEY_LEN 32
#define RELAIS_SRTP_MAX_SALT_LEN 14
/* Largest per-packet growth: GCM tag 16 + SRTCP index 4. */
#define RELAIS_SRTP_MAX_TRAILER 20

struct relais_srtp_profile_info {
	enum relais_srtp_profile id;
	const char *name;     /* "AES_CM_128_HMAC_SHA1_80" etc. (RFC names) */
	uint8_t key_len;      /* master key bytes */
	uint8_t salt_len;     /* master salt bytes */
	uint8_t rtp_tag_len;  /* SRTP auth tag bytes */
	uint8_t rtcp_tag_len; /* SRTCP auth tag bytes */
	uint8_t aead;         /* 1 for GCM profiles */
};

/* Profile description, or NULL for an unknown id. */
const struct relais_srtp_profile_info *relais_srtp_profile_get(uint32_t id);

/* Profile by RFC name (case-insensitive, also accepts the short forms
 * "aes128-cm-sha1-80" etc.); NULL if unknown. */
const struct relais_srtp_profile_info *relais_srtp_profile_by_name(const char *name);

#endif /* RELAIS_SRTP_PROFILE_H */
