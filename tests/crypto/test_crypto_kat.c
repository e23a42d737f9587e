/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Known-answer tests.
 *
 * 1. RFC 3711 App. B.2 (AES-CM keystream) and B.3 (key derivation), and
 *    RFC 7714 §16/§17 (AES-GCM SRTP/SRTCP) with OpenSSL: these vectors are
 *    given with session keys, which the engine never takes (it derives
 *    them from master keys), so they validate the OpenSSL oracle.
 * 2. Through the engine seam: libsrtp's reference packets (srtp_driver.c
 *    srtp_validate / srtp_validate_gcm: master keys, full packets), and for
 *    every profile a packet with CSRCs and an extension checked against
 *    the oracle. Each vector: protect -> exact bytes, unprotect -> the
 *    plaintext, one flipped bit -> SRTP_AUTH, replay -> SRTP_REPLAY.
 */
#include <errno.h>
#include <string.h>

#include "engine_util.h"
#include "srtp_oracle.h"
#define CHECK_MAIN
#include "check.h"

#define HEX(s, buf) check_hex((s), (buf), sizeof(buf))

/* RFC 3711 App. B.2: AES-CM keystream for session key 2B7E..., salt
 * F0F1...FCFD, SSRC 0, index 0 (IV = salt * 2^16). */
static void kat_rfc3711_b2(void)
{
	uint8_t key[16], iv[16], want[48], ks[48];
	static uint8_t seg[0xFF01 * 16];

	HEX("2B7E151628AED2A6ABF7158809CF4F3C", key);
	HEX("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000", iv);
	HEX("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB"
	    "41E95B3BB0A2E8DD477901E4FCA894C0",
	    want);
	CHECK(oracle_aes_ctr(key, 16, iv, ks, sizeof(ks)) == 0);
	CHECK_MEM(ks, want, sizeof(want), "ks");
	/* Block 0xFEFF of the same segment (RFC 3711 B.2 table). */
	CHECK(oracle_aes_ctr(key, 16, iv, seg, sizeof(seg)) == 0);
	HEX("EC8CDF7398607CB0F2D21675EA9EA1E4", want);
	CHECK_MEM(seg + 0xFEFF * 16, want, 16, "seg + 0xFEFF * 16");
	HEX("362B7C3C6773516318A077D7FC5073AE", want);
	CHECK_MEM(seg + 0xFF00 * 16, want, 16, "seg + 0xFF00 * 16");
}

/* RFC 3711 App. B.3: key derivation from master key E1F9..., master salt
 * 0EC6... (the same master key as libsrtp's test_key). */
static void kat_rfc3711_b3(void)
{
	uint8_t mk[16], ms[14], want[20], got[20];
	struct oracle_keys k;

	HEX("E1F97A0D3E018BE0D64FA32C06DE4139", mk);
	HEX("0EC675AD498AFEEBB6960B3AABE6", ms);
	CHECK(oracle_prf(mk, 16, ms, 14, 0x00, got, 16) == 0);
	HEX("C61E7A93744F39EE10734AFE3FF7A087", want);
	CHECK_MEM(got, want, 16, "got");
	CHECK(oracle_prf(mk, 16, ms, 14, 0x02, got, 14) == 0);
	HEX("30CBBC08863D8C85D49DB34A9AE1", want);
	CHECK_MEM(got, want, 14, "got");
	CHECK(oracle_prf(mk, 16, ms, 14, 0x01, got, 20) == 0);
	HEX("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", want);
	CHECK_MEM(got, want, 20, "got");
	CHECK(oracle_derive(RELAIS_SRTP_AES128_CM_SHA1_80, mk, ms, 0, &k) == 0);
	CHECK_MEM(k.auth, want, 20, "k.auth");
}

static const char rfc7714_rtp[] = "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f"
				  "6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573";
static const char rfc7714_rtcp[] = "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a"
				   "0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef";

/* Oracle keys holding the RFC 7714 session key/salt directly. */
static void rfc7714_keys(struct oracle_keys *k, uint16_t profile)
{
	memset(k, 0, sizeof(*k));
	k->prof = relais_srtp_profile_get(profile);
	HEX("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", k->enc);
	check_hex("517569642070726f2071756f", k->salt, sizeof(k->salt));
}

/* One RFC 7714 vector: protect the RTP (rtcp < 0) or RTCP packet and
 * compare with want. */
static void rfc7714_one(uint16_t profile, int rtcp_e, const char *want_hex)
{
	uint8_t pt[128], want[128], out[160];
	struct oracle_keys k;
	int n, wn, len;

	rfc7714_keys(&k, profile);
	wn = HEX(want_hex, want);
	if (rtcp_e < 0) {
		len = HEX(rfc7714_rtp, pt);
		n = oracle_protect_rtp(&k, 0, pt, (size_t)len, out);
	} else {
		len = HEX(rfc7714_rtcp, pt);
		n = oracle_protect_rtcp(&k, 0x5d4, rtcp_e, pt, (size_t)len, out);
	}
	CHECKF(n == wn, "profile %u rtcp_e %d: len %d want %d", profile, rtcp_e, n, wn);
	if (n == wn)
		CHECK_MEM(out, want, (size_t)wn, "out");
}

/* RFC 7714 §16.1, §16.2 (SRTP), §17.1-§17.4 (SRTCP, E=1 and E=0). */
static void kat_rfc7714(void)
{
	rfc7714_one(RELAIS_SRTP_AEAD_AES_128_GCM, -1,
		    "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5"
		    "0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce");
	rfc7714_one(RELAIS_SRTP_AEAD_AES_256_GCM, -1,
		    "8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238"
		    "9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13");
	rfc7714_one(RELAIS_SRTP_AEAD_AES_128_GCM, 1,
		    "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d"
		    "c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872"
		    "45d9eade 800005d4");
	rfc7714_one(RELAIS_SRTP_AEAD_AES_256_GCM, 1,
		    "81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50"
		    "a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad 1d1eb30c 4446839f 57ff6f6c"
		    "b26ac3be 800005d4");
	rfc7714_one(RELAIS_SRTP_AEAD_AES_128_GCM, 0,
		    "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61"
		    "deadbeef deadbeef deadbeef deadbeef deadbeef 841dd968 3dd78ec9 2ae58790"
		    "125f62b3 000005d4");
	rfc7714_one(RELAIS_SRTP_AEAD_AES_256_GCM, 0,
		    "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61"
		    "deadbeef deadbeef deadbeef deadbeef deadbeef 91db4afb feee5a97 8fab4393"
		    "ed2615fe 000005d4");
}

/* The engine checks of one vector: outbound protect of pt gives exactly
 * ct; on a fresh inbound context a bit-flipped ct is SRTP_AUTH (and does
 * not enter the replay window), ct gives pt, ct again is SRTP_REPLAY. */
static void engine_vector(struct eng *g, const char *what, uint16_t profile, const uint8_t *mk,
			  const uint8_t *ms, int rtcp, const uint8_t *pt, uint16_t pt_len,
			  const uint8_t *ct, uint16_t ct_len)
{
	struct dp_crypto_ctx *tx = eng_ctx(g, profile, mk, ms, DP_CRYPTO_OUTBOUND);
	struct dp_crypto_ctx *rx = eng_ctx(g, profile, mk, ms, DP_CRYPTO_INBOUND);
	uint8_t out[ENG_PKT_MAX], bad[ENG_PKT_MAX];
	uint16_t n = 0;

	CHECKF(tx != NULL && rx != NULL, "%s: ctx_create", what);
	if (tx == NULL || rx == NULL)
		return;
	CHECKF(eng_run(g, tx, 1, rtcp, 42, pt, pt_len, out, &n) == RELAIS_DROP_NONE, "%s", what);
	CHECKF(n == ct_len, "%s: protected length %u, want %u", what, n, ct_len);
	if (n == ct_len)
		CHECK_MEM(out, ct, ct_len, "out");
	/* Flip one bit of the payload, then of the tag's last byte. */
	memcpy(bad, ct, ct_len);
	bad[rtcp ? 9 : pt_len - 1] ^= 0x01;
	CHECKF(eng_run(g, rx, 0, rtcp, 0, bad, ct_len, out, &n) == RELAIS_DROP_SRTP_AUTH, "%s",
	       what);
	memcpy(bad, ct, ct_len);
	bad[ct_len - 1] ^= 0x80;
	CHECKF(eng_run(g, rx, 0, rtcp, 0, bad, ct_len, out, &n) == RELAIS_DROP_SRTP_AUTH, "%s",
	       what);
	CHECKF(eng_run(g, rx, 0, rtcp, 14, ct, ct_len, out, &n) == RELAIS_DROP_NONE, "%s", what);
	CHECKF(n == pt_len, "%s: unprotected length %u, want %u", what, n, pt_len);
	if (n == pt_len)
		CHECK_MEM(out, pt, pt_len, "out");
	CHECKF(eng_run(g, rx, 0, rtcp, 0, ct, ct_len, out, &n) == RELAIS_DROP_SRTP_REPLAY, "%s",
	       what);
	g->ops->ctx_destroy(g->e, tx);
	g->ops->ctx_destroy(g->e, rx);
}

/* libsrtp test/srtp_driver.c srtp_validate(): AES_CM_128_HMAC_SHA1_80 with
 * test_key (= RFC 3711 B.3 master key/salt), and srtp_validate_gcm():
 * AEAD_AES_128_GCM with test_key_gcm. SSRC cafebabe, seq 0x1234, SRTCP
 * index 1. */
static void kat_libsrtp_refs(struct eng *g)
{
	uint8_t mk[32], ms[14], pt[64], ct[64], rpt[64], rct[64];
	int pn, cn, rpn, rcn;

	HEX("e1f97a0d3e018be0d64fa32c06de4139", mk);
	HEX("0ec675ad498afeebb6960b3aabe6", ms);
	pn = HEX("800f1234decafbadcafebabe abababababababababababababababab", pt);
	cn = HEX("800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402"
		 "b78d6acc99ea179b8dbb",
		 ct);
	rpn = HEX("81c8000bcafebabe abababababababababababababababab", rpt);
	rcn = HEX("81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001"
		  "993e08cd54d6c1230798",
		  rct);
	engine_vector(g, "libsrtp ref SRTP CM80", RELAIS_SRTP_AES128_CM_SHA1_80, mk, ms, 0, pt,
		      (uint16_t)pn, ct, (uint16_t)cn);
	engine_vector(g, "libsrtp ref SRTCP CM80", RELAIS_SRTP_AES128_CM_SHA1_80, mk, ms, 1, rpt,
		      (uint16_t)rpn, rct, (uint16_t)rcn);

	/* The oracle, keyed through the RFC 3711 B.3 derivation, agrees. */
	struct oracle_keys k;
	uint8_t out[64];

	CHECK(oracle_derive(RELAIS_SRTP_AES128_CM_SHA1_80, mk, ms, 0, &k) == 0);
	CHECK(oracle_protect_rtp(&k, 0, pt, (size_t)pn, out) == cn);
	CHECK_MEM(out, ct, (size_t)cn, "out");
	CHECK(oracle_derive(RELAIS_SRTP_AES128_CM_SHA1_80, mk, ms, 1, &k) == 0);
	CHECK(oracle_protect_rtcp(&k, 1, 1, rpt, (size_t)rpn, out) == rcn);
	CHECK_MEM(out, rct, (size_t)rcn, "out");

	HEX("000102030405060708090a0b0c0d0e0f", mk);
	HEX("a0a1a2a3a4a5a6a7a8a9aaab", ms);
	cn = HEX("800f1234decafbadcafebabe c5002ede04cfdd2eb91159e0880aa06e"
		 "d2976826f796b201df3131a127e8a392",
		 ct);
	rcn = HEX("81c8000bcafebabe c98b8b5df0392a55852b6c21ac8e7025"
		  "c52c6fbea2b3b446ea31123ba88ce61e 80000001",
		  rct);
	engine_vector(g, "libsrtp ref SRTP GCM128", RELAIS_SRTP_AEAD_AES_128_GCM, mk, ms, 0, pt,
		      (uint16_t)pn, ct, (uint16_t)cn);
	engine_vector(g, "libsrtp ref SRTCP GCM128", RELAIS_SRTP_AEAD_AES_128_GCM, mk, ms, 1, rpt,
		      (uint16_t)rpn, rct, (uint16_t)rcn);
	CHECK(oracle_derive(RELAIS_SRTP_AEAD_AES_128_GCM, mk, ms, 0, &k) == 0);
	CHECK(oracle_protect_rtp(&k, 0, pt, (size_t)pn, out) == cn);
	CHECK_MEM(out, ct, (size_t)cn, "out");
	CHECK(oracle_derive(RELAIS_SRTP_AEAD_AES_128_GCM, mk, ms, 1, &k) == 0);
	CHECK(oracle_protect_rtcp(&k, 1, 1, rpt, (size_t)rpn, out) == rcn);
	CHECK_MEM(out, rct, (size_t)rcn, "out");
}

/* Every profile: an RTP packet with 2 CSRCs and a one-byte-header
 * extension, and an RTCP SR+RR, against the oracle's bytes. */
static void kat_all_profiles(struct eng *g)
{
	static const uint16_t profiles[] = {RELAIS_SRTP_PROFILES(RELAIS_SRTP_ID_)};
	uint8_t mk[32], ms[14], pt[128], rpt[128], ct[200];
	struct oracle_keys k;
	int pn, rpn, cn;

	HEX("f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6", mk);
	HEX("3b04803de51ee7c96423ab5b78d2", ms);
	pn = HEX("9260beef 00012345 11223344 aaaaaaaa bbbbbbbb bede0002 10ff2201 02000000"
		 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021",
		 pt);
	rpn = HEX("80c80006 11223344 e1e2e3e4 e5e6e7e8 00010203 00000010 00000200"
		  "81c90007 11223344 aaaaaaaa 01000002 0000ffff 00000001 00000002 00000003",
		  rpt);
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		const char *name = relais_srtp_profile_get(profiles[i])->name;

		CHECK(oracle_derive(profiles[i], mk, ms, 0, &k) == 0);
		cn = oracle_protect_rtp(&k, 0, pt, (size_t)pn, ct);
		CHECKF(cn == pn + k.prof->rtp_tag_len, "%s", name);
		engine_vector(g, name, profiles[i], mk, ms, 0, pt, (uint16_t)pn, ct, (uint16_t)cn);
		CHECK(oracle_derive(profiles[i], mk, ms, 1, &k) == 0);
		cn = oracle_protect_rtcp(&k, 1, 1, rpt, (size_t)rpn, ct);
		CHECKF(cn == rpn + 4 + k.prof->rtcp_tag_len, "%s", name);
		engine_vector(g, name, profiles[i], mk, ms, 1, rpt, (uint16_t)rpn, ct,
			      (uint16_t)cn);
	}
}

/* Every profile: RTCP protected under SRTCP indexes the caller chooses
 * (dp_crypto_op.srtcp_index: how the pipeline numbers its RTCP), in any
 * order and up to 2^31 - 1, gives the oracle's bytes for that index; an
 * index past 31 bits is refused. */
static void kat_srtcp_index(struct eng *g)
{
	static const uint16_t profiles[] = {RELAIS_SRTP_PROFILES(RELAIS_SRTP_ID_)};
	static const uint32_t idx[] = {0x5d4, 1, 0x7fffffff, 70000};
	uint8_t mk[32] = {7}, ms[14] = {9}, rpt[64], ct[128], out[128];
	struct oracle_keys k;
	uint16_t n;
	int rpn, cn;

	rpn = HEX("80c80006 11223344 e1e2e3e4 e5e6e7e8 00010203 00000010 00000200", rpt);
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		const char *name = relais_srtp_profile_get(profiles[i])->name;
		struct dp_crypto_ctx *tx = eng_ctx(g, profiles[i], mk, ms, DP_CRYPTO_OUTBOUND);

		CHECK(tx != NULL && oracle_derive(profiles[i], mk, ms, 1, &k) == 0);
		for (size_t j = 0; j < sizeof(idx) / sizeof(idx[0]); j++) {
			cn = oracle_protect_rtcp(&k, idx[j], 1, rpt, (size_t)rpn, ct);
			CHECKF(eng_run_at(g, tx, 1, 1, idx[j], 0, rpt, (uint16_t)rpn, out, &n) ==
				       RELAIS_DROP_NONE &&
				   n == cn && memcmp(out, ct, n) == 0,
			       "%s: SRTCP index %u", name, idx[j]);
		}
		CHECKF(eng_run_at(g, tx, 1, 1, 0x80000000u, 0, rpt, (uint16_t)rpn, out, &n) ==
			   RELAIS_DROP_SRTP_ERROR,
		       "%s: SRTCP index 2^31", name);
		g->ops->ctx_destroy(g->e, tx);
	}
}

/* Unknown profiles are refused with EINVAL; the engine is found by name. */
static void engine_api(struct eng *g)
{
	uint8_t z[32] = {0};

	errno = 0;
	CHECK(eng_ctx(g, 0x0003, z, z, DP_CRYPTO_INBOUND) == NULL && errno == EINVAL);
	CHECK(dp_crypto_engine_find("libsrtp") == &dp_crypto_libsrtp_ops);
	CHECK(dp_crypto_engine_find("nope") == NULL);
	CHECK(dp_crypto_engine_find(NULL) == NULL);
}

int main(int argc, char **argv)
{
	struct eng g;

	(void)argc;
	kat_rfc3711_b2();
	kat_rfc3711_b3();
	kat_rfc7714();
	eng_setup(&g, argv[0]);
	kat_libsrtp_refs(&g);
	kat_all_profiles(&g);
	kat_srtcp_index(&g);
	engine_api(&g);
	eng_teardown(&g);
	return check_summary("test_crypto_kat");
}
