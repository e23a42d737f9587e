/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SRTP protection profile table (include/relais/srtp_profile.h).
 *
 * Sizes: RFC 3711 §8.2 and RFC 4568 §6.2.1 for the AES-CM/HMAC-SHA1
 * profiles, RFC 7714 §12 for AEAD_AES_*_GCM. SRTCP of the _32 profile keeps
 * the 80-bit tag (RFC 5764 §4.1.2; libsrtp's own warning on
 * srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32: "intended for use in SRTP,
 * but not in SRTCP", so RTCP is given srtp_crypto_policy_set_rtp_default()).
 */
#include <strings.h>

#include <relais/srtp_profile.h>

struct profile_entry {
	struct relais_srtp_profile_info info;
	const char *dtls_name;  /* RFC 5764/7714 DTLS-SRTP name */
	const char *short_name; /* command-line form */
};

static const struct profile_entry profiles[] = {
    {{RELAIS_SRTP_AES128_CM_SHA1_80, "AES_CM_128_HMAC_SHA1_80", 16, 14, 10, 10, 0},
     "SRTP_AES128_CM_HMAC_SHA1_80",
     "aes128-cm-sha1-80"},
    {{RELAIS_SRTP_AES128_CM_SHA1_32, "AES_CM_128_HMAC_SHA1_32", 16, 14, 4, 10, 0},
     "SRTP_AES128_CM_HMAC_SHA1_32",
     "aes128-cm-sha1-32"},
    {{RELAIS_SRTP_AEAD_AES_128_GCM, "AEAD_AES_128_GCM", 16, 12, 16, 16, 1},
     "SRTP_AEAD_AES_128_GCM",
     "aes128-gcm"},
    {{RELAIS_SRTP_AEAD_AES_256_GCM, "AEAD_AES_256_GCM", 32, 12, 16, 16, 1},
     "SRTP_AEAD_AES_256_GCM",
     "aes256-gcm"},
};

#define N_PROFILES (sizeof(profiles) / sizeof(profiles[0]))

/* Profile description for IANA id `id`, or NULL when the id is unknown. */
const struct relais_srtp_profile_info *relais_srtp_profile_get(uint32_t id)
{
	for (size_t i = 0; i < N_PROFILES; i++)
		if ((uint32_t)profiles[i].info.id == id)
			return &profiles[i].info;
	return NULL;
}

/* Profile by name, case-insensitive: the RFC 4568/7714 name
 * ("AES_CM_128_HMAC_SHA1_80"), the DTLS-SRTP name ("SRTP_AEAD_AES_128_GCM")
 * or the short form ("aes128-cm-sha1-80", "aes256-gcm"). NULL if unknown or
 * name is NULL. */
const struct relais_srtp_profile_info *relais_srtp_profile_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < N_PROFILES; i++) {
		const struct profile_entry *p = &profiles[i];

		if (strcasecmp(name, p->info.name) == 0 || strcasecmp(name, p->dtls_name) == 0 ||
		    strcasecmp(name, p->short_name) == 0)
			return &p->info;
	}
	return NULL;
}
