/* SPDX-License-Identifier: BSD-3-Clause */
/* Keys at rest: SRTP master key||salt wrapped with AES-256-GCM under a
 * deployment key (docs/schema.md, "Wrapped keys"). */
#ifndef CP_KEYWRAP_H
#define CP_KEYWRAP_H

#include <stddef.h>
#include <stdint.h>

#include <relais/ctl_proto.h>

#define CP_KW_MAX_KEYS 8
#define CP_KW_KID_LEN 32
#define CP_KW_NONCE 12
#define CP_KW_TAG 16
#define CP_KW_MAX_PLAIN 64
/* hex of nonce + at most 64 bytes + tag, and the NUL */
#define CP_KW_MAX_WRAPPED (2 * (CP_KW_NONCE + CP_KW_MAX_PLAIN + CP_KW_TAG) + 1)

struct cp_keyring {
	int n;
	char kid[CP_KW_MAX_KEYS][CP_KW_KID_LEN + 1];
	uint8_t key[CP_KW_MAX_KEYS][32];
};

/* A zeroed keyring in pages of its own that core dumps leave out
 * (relais_secret_alloc, include/relais/no_dump.h): the programs keep theirs
 * there. NULL with errno on failure. */
struct cp_keyring *cp_keyring_new(void);
/* Wipe and release a keyring from cp_keyring_new. NULL-safe. */
void cp_keyring_free(struct cp_keyring *kr);

/* Load a keyring file: lines "KID HEX64", '#' comments; the first key wraps.
 * 0 or -errno (-EINVAL names the line in err). The file's bytes are zeroed
 * after parsing. */
int cp_keyring_load(struct cp_keyring *kr, const char *path, char *err, size_t n);
/* Zero every key. */
void cp_keyring_clear(struct cp_keyring *kr);

/* The AAD binding a wrapped key to room, participant, direction, profile,
 * the participant's address (as relais_addr_format prints it) and key
 * generation (docs/schema.md "Wrapped keys"):
 * "relais-key-v2|room|part|dir|profile|addr|gen". 0 or -ENAMETOOLONG (n
 * too small; CP_KW_AAD_MAX is enough). */
#define CP_KW_AAD_MAX 192
int cp_kw_aad(char *buf, size_t n, uint32_t room, uint32_t part, const char *dir,
	      const char *profile, const struct relais_addr *addr, uint32_t gen);
/* The superseded AAD "relais-key-v1|room|part|dir|profile" (no address, no
 * generation): only to tell a key still wrapped that way from a forged or
 * re-pointed one. Nothing wraps with it. */
int cp_kw_aad_v1(char *buf, size_t n, uint32_t room, uint32_t part, const char *dir,
		 const char *profile);

/* Wrap len bytes of plain under the first key into out (CP_KW_MAX_WRAPPED).
 * The key id used is copied to kid (CP_KW_KID_LEN+1). 0 or -errno. */
int cp_kw_wrap(const struct cp_keyring *kr, const char *aad, const uint8_t *plain, size_t len,
	       char *out, char *kid);
/* Unwrap with key kid; writes at most cap bytes. Returns the plain length,
 * -ENOKEY (unknown kid), -EINVAL (not hex / too short / too long) or
 * -EBADMSG (authentication failed: wrong key, wrong AAD, tampered). The
 * caller zeroes plain with OPENSSL_cleanse when done. */
int cp_kw_unwrap(const struct cp_keyring *kr, const char *kid, const char *aad, const char *wrapped,
		 uint8_t *plain, size_t cap);

#endif /* CP_KEYWRAP_H */
