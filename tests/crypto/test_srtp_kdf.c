/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP key derivation (dp_srtp_kdf.h): the RFC 3711 Appendix B.3 known
 * answer, then every profile, SRTP and SRTCP labels, against the OpenSSL
 * oracle of srtp_oracle.c for many master keys; bad arguments refused.
 */
#include <errno.h>
#include <string.h>

#include "dp_srtp_kdf.h"
#include "srtp_oracle.h"
#define CHECK_MAIN
#include "check.h"

static const uint16_t profiles[] = {RELAIS_SRTP_PROFILES(RELAIS_SRTP_ID_)};

/* RFC 3711 Appendix B.3: session keys of the SRTP labels. */
static void rfc3711_b3(void)
{
	uint8_t mk[16], ms[14], enc[16], salt[14], auth[20];
	struct dp_srtp_session_keys k;

	check_hex("E1F97A0D3E018BE0D64FA32C06DE4139", mk, sizeof(mk));
	check_hex("0EC675AD498AFEEBB6960B3AABE6", ms, sizeof(ms));
	check_hex("C61E7A93744F39EE10734AFE3FF7A087", enc, sizeof(enc));
	check_hex("30CBBC08863D8C85D49DB34A9AE1", salt, sizeof(salt));
	check_hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", auth, sizeof(auth));
	CHECK(dp_srtp_kdf(relais_srtp_profile_get(RELAIS_SRTP_AES128_CM_SHA1_80), mk, ms, 0, &k) ==
	      0);
	CHECK(k.enc_len == 16 && k.salt_len == 14 && k.auth_len == 20);
	CHECK_MEM(k.enc, enc, 16, "k.enc");
	CHECK_MEM(k.salt, salt, 14, "k.salt");
	CHECK_MEM(k.auth, auth, 20, "k.auth");
}

/* Every profile and label set against the oracle, for 50 master keys. */
static void against_oracle(void)
{
	uint8_t mk[32], ms[14];

	for (unsigned round = 0; round < 50; round++) {
		for (unsigned i = 0; i < sizeof(mk); i++)
			mk[i] = (uint8_t)(round * 31 + i * 17 + 5);
		for (unsigned i = 0; i < sizeof(ms); i++)
			ms[i] = (uint8_t)(round * 7 + i * 29 + 1);
		for (size_t p = 0; p < sizeof(profiles) / sizeof(profiles[0]); p++) {
			const struct relais_srtp_profile_info *pi =
			    relais_srtp_profile_get(profiles[p]);

			for (int rtcp = 0; rtcp < 2; rtcp++) {
				struct dp_srtp_session_keys k;
				struct oracle_keys o;

				CHECK(dp_srtp_kdf(pi, mk, ms, rtcp, &k) == 0);
				CHECK(oracle_derive(profiles[p], mk, ms, rtcp, &o) == 0);
				CHECK(k.enc_len == pi->key_len && k.salt_len == pi->salt_len);
				CHECK_MEM(k.enc, o.enc, pi->key_len, "k.enc");
				CHECK_MEM(k.salt, o.salt, pi->salt_len, "k.salt");
				if (!pi->aead)
					CHECK_MEM(k.auth, o.auth, 20, "k.auth");
				else
					CHECK(k.auth_len == 0);
			}
		}
	}
}

int main(void)
{
	struct dp_srtp_session_keys k;
	uint8_t z[32] = {0};

	rfc3711_b3();
	against_oracle();
	CHECK(dp_srtp_kdf(NULL, z, z, 0, &k) == -EINVAL);
	CHECK(dp_srtp_kdf(relais_srtp_profile_get(1), NULL, z, 0, &k) == -EINVAL);
	CHECK(dp_srtp_kdf(relais_srtp_profile_get(1), z, z, 0, NULL) == -EINVAL);
	return check_summary("test_srtp_kdf");
}
