/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SRTP profile list (include/relais/srtp_profile.h): the real table is
 * valid, its iterator, count and lookups agree, and the libsrtp policy of
 * every entry has the entry's sizes. Then tables of its own, built with the
 * same RELAIS_SRTP_INFO_ macro, show that a profile without a DTLS-SRTP id
 * (AES_256_CM_HMAC_SHA1_80, RFC 6188 §7.1, SDES only) is representable:
 * private id, NULL DTLS name, no lookup tripping over the NULL; and that
 * the table check refuses the mistakes a new entry could make.
 */
#include <errno.h>
#include <string.h>

#include <relais/srtp_policy.h>
#include <relais/srtp_profile.h>

#define CHECK_MAIN
#include "check.h"

#define N(t) (sizeof(t) / sizeof((t)[0]))

/* Every listed profile: found by id and by each of its names, iterated in
 * list order, and mapped to libsrtp policies of the same sizes. */
static void test_real_table(void)
{
	static const uint16_t ids[] = {RELAIS_SRTP_PROFILES(RELAIS_SRTP_ID_)};
	const struct relais_srtp_profile_info *p;
	size_t i;

	CHECK(relais_srtp_profile_table_check(relais_srtp_profile_at(0), RELAIS_SRTP_PROFILE_COUNT,
					      1) == 0);
	for (i = 0; (p = relais_srtp_profile_at(i)) != NULL; i++) {
		srtp_crypto_policy_t rtp, rtcp;

		CHECKF(i < N(ids) && p->id == ids[i], "profile %zu out of list order", i);
		CHECK(relais_srtp_profile_get(p->id) == p);
		CHECK(relais_srtp_profile_by_name(p->name) == p);
		CHECK(relais_srtp_profile_by_name(p->short_name) == p);
		CHECK(p->dtls_name == NULL || relais_srtp_profile_by_name(p->dtls_name) == p);
		CHECKF(relais_srtp_policy_set(p->id, &rtp, &rtcp) == 0, "%s: no policy", p->name);
		CHECKF(rtp.cipher_key_len == p->key_len + p->salt_len &&
			   rtcp.cipher_key_len == p->key_len + p->salt_len,
		       "%s: libsrtp key+salt length differs", p->name);
		CHECKF(rtp.auth_tag_len == p->rtp_tag_len && rtcp.auth_tag_len == p->rtcp_tag_len,
		       "%s: libsrtp tag length differs", p->name);
	}
	CHECK(i == RELAIS_SRTP_PROFILE_COUNT && i == N(ids));
	CHECK(relais_srtp_profile_get(3) == NULL && relais_srtp_profile_by_name(NULL) == NULL);
	CHECK(relais_srtp_profile_by_name("aes_cm_128_hmac_sha1_32")->rtp_tag_len == 4);
	CHECK(relais_srtp_policy_set(3, NULL, NULL) == -EINVAL);
}

/* A list as a new profile would extend it: AES_256_CM_HMAC_SHA1_80 has no
 * DTLS-SRTP id, so a private id and NULL as its DTLS name. */
/* clang-format off */
#define TEST_PROFILES(X)                                                                   \
	X(T80, 0x0001, "AES_CM_128_HMAC_SHA1_80", "SRTP_AES128_CM_HMAC_SHA1_80",           \
	  "aes128-cm-sha1-80", 16, 14, 10, 10, 0, x, x)                                    \
	X(T256, 0xFF01, "AES_256_CM_HMAC_SHA1_80", NULL, "aes256-cm-sha1-80",              \
	  32, 14, 10, 10, 0, x, x)
/* clang-format on */

static void test_no_dtls_id(void)
{
	static const struct relais_srtp_profile_info tab[] = {TEST_PROFILES(RELAIS_SRTP_INFO_)};
	const struct relais_srtp_profile_info *p = relais_srtp_profile_find_id(tab, N(tab), 0xFF01);

	CHECK(relais_srtp_profile_table_check(tab, N(tab), 1) == 0);
	CHECK(p == &tab[1] && p->dtls_name == NULL && p->id >= RELAIS_SRTP_PRIVATE_ID_MIN);
	CHECK(relais_srtp_profile_find_name(tab, N(tab), "aes_256_cm_hmac_sha1_80") == p);
	CHECK(relais_srtp_profile_find_name(tab, N(tab), "aes256-cm-sha1-80") == p);
	/* a DTLS-name lookup walks past the NULL and finds the other entry, or nothing */
	CHECK(relais_srtp_profile_find_name(tab, N(tab), "SRTP_AES128_CM_HMAC_SHA1_80") == &tab[0]);
	CHECK(relais_srtp_profile_find_name(tab, N(tab), "SRTP_AES256_CM_HMAC_SHA1_80") == NULL);
	CHECK(relais_srtp_profile_find_name(tab, N(tab), NULL) == NULL);
	CHECK(relais_srtp_profile_find_id(tab, N(tab), 0x0005) == NULL);
}

/* One entry: RELAIS_SRTP_INFO_ with the fields a table check looks at. */
#define E(id, dtls, sdes, shrt, key, salt, tag, aead) \
	RELAIS_SRTP_INFO_(x, id, sdes, dtls, shrt, key, salt, tag, 16, aead, x, x)
#define GOOD_A E(1, "SA", "A", "a", 16, 14, 10, 0)

/* Tables the check must refuse, one mistake each. */
static void test_bad_tables(void)
{
	static const struct relais_srtp_profile_info bad[][2] = {
	    {GOOD_A E(5, NULL, "B", "b", 16, 14, 10, 0)},      /* IANA id, no DTLS name */
	    {GOOD_A E(0xFF02, "SB", "B", "b", 16, 14, 10, 0)}, /* private id, DTLS name */
	    {GOOD_A E(1, "SB", "B", "b", 16, 14, 10, 0)},      /* id used twice */
	    {GOOD_A E(2, "SB", "B", "sa", 16, 14, 10, 0)},     /* name used twice */
	    {GOOD_A E(2, "SB", "B", "b", 33, 14, 10, 0)},      /* key too long */
	    {GOOD_A E(2, "SB", "B", "b", 16, 12, 8, 1)},       /* AEAD with a short tag */
	};

	for (size_t i = 0; i < N(bad); i++)
		CHECKF(relais_srtp_profile_table_check(bad[i], 2, 0) == -EINVAL, "bad table %zu",
		       i);
	/* and the same entries without the mistake pass */
	static const struct relais_srtp_profile_info good[] = {
	    GOOD_A E(2, "SB", "B", "b", 16, 12, 16, 1)};
	CHECK(relais_srtp_profile_table_check(good, N(good), 1) == 0);
}

int main(void)
{
	test_real_table();
	test_no_dtls_id();
	test_bad_tables();
	return check_summary("srtp_profile");
}
