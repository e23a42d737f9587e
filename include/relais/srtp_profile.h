/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one list of SRTP protection profiles (RFC 3711, RFC 6188, RFC 7714),
 * used by the dataplane, the control plane, the CLI, the tools, the tests
 * and (through `relais-cli profiles`) the scripts. Each entry is
 *
 *   X(ENUM_SUFFIX, id, "SDES name", "DTLS-SRTP name" or NULL, "short name",
 *     key_len, salt_len, rtp_tag_len, rtcp_tag_len, aead,
 *     libsrtp RTP policy, libsrtp RTCP policy)
 *
 * id: the IANA DTLS-SRTP protection profile id (RFC 5764 §4.1.2, RFC 7714
 * §14.2) when the profile has one; it travels unchanged through the control
 * channel (16 bits) and Redis. A profile without a DTLS-SRTP id (for example
 * AES_256_CM_HMAC_SHA1_80, RFC 6188, which is SDES only) has NULL as its
 * DTLS name and takes an id in RELAIS_SRTP_PRIVATE_ID_MIN..0xFFFF, a range
 * with first byte 255 that IANA does not hand out, so no future assignment
 * collides with it. relais_srtp_profile_table_check() enforces the rule.
 *
 * Sizes in bytes: RFC 3711 §8.2 and RFC 4568 §6.2.1 for the AES-CM/HMAC-SHA1
 * profiles, RFC 7714 §12 for AEAD_AES_*_GCM. SRTCP of the _32 profile keeps
 * the 80-bit tag (RFC 5764 §4.1.2). The libsrtp policies are the suffixes of
 * srtp_crypto_policy_set_*() (libsrtp documents its _32 policy as "not for
 * SRTCP", hence hmac_sha1_80 there); only common/srtp_policy.c uses them.
 *
 * Order is the order of iteration (tests, loopback scenarios, docs). The
 * docs that list profiles are checked against it by tests/common/check_profiles.sh.
 */
#ifndef RELAIS_SRTP_PROFILE_H
#define RELAIS_SRTP_PROFILE_H

#include <stddef.h>
#include <stdint.h>

/* clang-format off */
#define RELAIS_SRTP_PROFILES(X)                                                        \
	X(AES128_CM_SHA1_80, 0x0001, "AES_CM_128_HMAC_SHA1_80",                        \
	  "SRTP_AES128_CM_HMAC_SHA1_80", "aes128-cm-sha1-80", 16, 14, 10, 10, 0,       \
	  aes_cm_128_hmac_sha1_80, aes_cm_128_hmac_sha1_80)                            \
	X(AES128_CM_SHA1_32, 0x0002, "AES_CM_128_HMAC_SHA1_32",                        \
	  "SRTP_AES128_CM_HMAC_SHA1_32", "aes128-cm-sha1-32", 16, 14, 4, 10, 0,        \
	  aes_cm_128_hmac_sha1_32, aes_cm_128_hmac_sha1_80)                            \
	X(AEAD_AES_128_GCM, 0x0007, "AEAD_AES_128_GCM",                                \
	  "SRTP_AEAD_AES_128_GCM", "aes128-gcm", 16, 12, 16, 16, 1,                    \
	  aes_gcm_128_16_auth, aes_gcm_128_16_auth)                                    \
	X(AEAD_AES_256_GCM, 0x0008, "AEAD_AES_256_GCM",                                \
	  "SRTP_AEAD_AES_256_GCM", "aes256-gcm", 32, 12, 16, 16, 1,                    \
	  aes_gcm_256_16_auth, aes_gcm_256_16_auth)
/* clang-format on */

#define RELAIS_SRTP_ENUM_(sfx, id, ...) RELAIS_SRTP_##sfx = (id),
enum relais_srtp_profile {
	RELAIS_SRTP_PROFILES(RELAIS_SRTP_ENUM_)
};

/* Ids in list order: uint16_t ids[] = {RELAIS_SRTP_PROFILES(RELAIS_SRTP_ID_)}; */
#define RELAIS_SRTP_ID_(sfx, id, ...) (id),

#define RELAIS_SRTP_COUNT_(...) +1
/* Number of profiles in RELAIS_SRTP_PROFILES. */
#define RELAIS_SRTP_PROFILE_COUNT (0 RELAIS_SRTP_PROFILES(RELAIS_SRTP_COUNT_))

/* Ids from here to 0xFFFF are for profiles without a DTLS-SRTP id. */
#define RELAIS_SRTP_PRIVATE_ID_MIN 0xFF00u

#define RELAIS_SRTP_MAX_KEY_LEN 32
#define RELAIS_SRTP_MAX_SALT_LEN 14
/* Largest per-packet growth: GCM tag 16 + SRTCP index 4. */
#define RELAIS_SRTP_MAX_TRAILER 20

struct relais_srtp_profile_info {
	enum relais_srtp_profile id;
	const char *name;       /* "AES_CM_128_HMAC_SHA1_80" etc. (RFC 4568/7714 SDES names) */
	uint8_t key_len;        /* master key bytes */
	uint8_t salt_len;       /* master salt bytes */
	uint8_t rtp_tag_len;    /* SRTP auth tag bytes */
	uint8_t rtcp_tag_len;   /* SRTCP auth tag bytes */
	uint8_t aead;           /* 1 for GCM profiles */
	const char *dtls_name;  /* RFC 5764/7714 DTLS-SRTP name; NULL when there is none */
	const char *short_name; /* command-line form, "aes128-gcm" */
};

/* One table entry from one X() line; also used by tests to build tables of
 * their own (see relais_srtp_profile_table_check). */
#define RELAIS_SRTP_INFO_(sfx, id_, sdes, dtls, shrt, key, salt, rtag, ctag, aead_, ...) \
	{.id = (enum relais_srtp_profile)(id_),                                          \
	 .name = (sdes),                                                                 \
	 .key_len = (key),                                                               \
	 .salt_len = (salt),                                                             \
	 .rtp_tag_len = (rtag),                                                          \
	 .rtcp_tag_len = (ctag),                                                         \
	 .aead = (aead_),                                                                \
	 .dtls_name = (dtls),                                                            \
	 .short_name = (shrt)},

/* Profile description, or NULL for an unknown id. */
const struct relais_srtp_profile_info *relais_srtp_profile_get(uint32_t id);

/* Profile by name, case-insensitive: the SDES name, the DTLS-SRTP name or
 * the short form ("aes128-cm-sha1-80"). NULL if unknown or name is NULL. */
const struct relais_srtp_profile_info *relais_srtp_profile_by_name(const char *name);

/* The iterator: profile number i in list order, NULL once i reaches
 * RELAIS_SRTP_PROFILE_COUNT. for (i = 0; (p = relais_srtp_profile_at(i)); i++) */
const struct relais_srtp_profile_info *relais_srtp_profile_at(size_t i);

/* The lookups above over any table tab[0..n): entry with id `id`, or with
 * one of its names equal (case-insensitive) to `name`; NULL if none, if name
 * is NULL, or for a DTLS name an entry does not have. */
const struct relais_srtp_profile_info *
relais_srtp_profile_find_id(const struct relais_srtp_profile_info *tab, size_t n, uint32_t id);
const struct relais_srtp_profile_info *
relais_srtp_profile_find_name(const struct relais_srtp_profile_info *tab, size_t n,
			      const char *name);

/* 0 when tab[0..n) is a valid profile table, else -EINVAL: every id fits in
 * 16 bits and is unique; an entry has a DTLS name exactly when its id is
 * below RELAIS_SRTP_PRIVATE_ID_MIN; SDES and short names are present; no
 * name (of any form) is used twice; sizes fit RELAIS_SRTP_MAX_*; AEAD
 * entries carry equal 16-byte tags. Problems are written to stderr when
 * verbose is non-zero. */
int relais_srtp_profile_table_check(const struct relais_srtp_profile_info *tab, size_t n,
				    int verbose);

#endif /* RELAIS_SRTP_PROFILE_H */
