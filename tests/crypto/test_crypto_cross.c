/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cross-check against an independent raw libsrtp2 session kept by the
 * test itself: for every profile, RTP packets of 12..1400 bytes with
 * CSRCs and header extensions (and RTCP of 8..1400 bytes) protected by the
 * raw session are unprotected by the engine to identical bytes, and the
 * reverse. Then truncated and malformed packets: a drop, never a crash.
 */
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "engine_util.h"
#define CHECK_MAIN
#include "check.h"

static const uint16_t profiles[] = {RELAIS_SRTP_PROFILES(RELAIS_SRTP_ID_)};

static uint32_t rng_state = 0x12345678;

/* Deterministic xorshift32. */
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* A raw libsrtp session for profile, written here independently of the
 * engine's policy table. */
static srtp_t raw_session(uint16_t profile, const uint8_t *mk, const uint8_t *ms, int inbound)
{
	const struct relais_srtp_profile_info *p = relais_srtp_profile_get(profile);
	uint8_t key[64];
	srtp_policy_t pol;
	srtp_t s = NULL;

	memset(&pol, 0, sizeof(pol));
	if (p->aead && p->key_len == 16) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
	} else if (p->aead) {
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol.rtcp);
	} else {
		if (p->rtp_tag_len == 4)
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
		else
			srtp_crypto_policy_set_rtp_default(&pol.rtp);
		srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
	}
	memcpy(key, mk, p->key_len);
	memcpy(key + p->key_len, ms, p->salt_len);
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	pol.key = key;
	pol.window_size = 1024;
	if (srtp_create(&s, &pol) != srtp_err_status_ok)
		return NULL;
	return s;
}

/* A random RTP packet of exactly `size` bytes (size >= 12): random CSRC
 * count and extension as far as they fit, sequence number seq. */
static void make_rtp(uint8_t *b, uint16_t size, uint16_t seq)
{
	unsigned cc = rnd() % 16, ext = rnd() % 2, ext_words = rnd() % 12;

	while (12 + 4 * cc + (ext ? 4 + 4 * ext_words : 0) > size) {
		if (ext && ext_words > 0)
			ext_words--;
		else if (ext)
			ext = 0;
		else
			cc--;
	}
	for (unsigned i = 0; i < size; i++)
		b[i] = (uint8_t)rnd();
	b[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0) | cc);
	b[1] &= 0x7f; /* keep PT out of the RTCP range 72-76 with marker set */
	b[1] = (uint8_t)(b[1] % 64 + 96 - 64 * (b[1] >= 128));
	b[2] = (uint8_t)(seq >> 8), b[3] = (uint8_t)seq;
	memcpy(b + 8, "\x0a\x0b\x0c\x0d", 4);
	if (ext) {
		unsigned at = 12 + 4 * cc;

		b[at] = 0xbe, b[at + 1] = 0xde;
		b[at + 2] = (uint8_t)(ext_words >> 8), b[at + 3] = (uint8_t)ext_words;
	}
}

/* A random RTCP compound-like packet of size bytes (multiple of 4, >= 8). */
static void make_rtcp(uint8_t *b, uint16_t size)
{
	for (unsigned i = 0; i < size; i++)
		b[i] = (uint8_t)rnd();
	b[0] = 0x80, b[1] = 200;
	b[2] = (uint8_t)((size / 4 - 1) >> 8), b[3] = (uint8_t)(size / 4 - 1);
	memcpy(b + 4, "\x0a\x0b\x0c\x0d", 4);
}

/* One packet both ways: raw protect -> engine unprotect, engine protect ->
 * raw unprotect; the result must equal the plaintext. */
static void both_ways(struct eng *g, struct dp_crypto_ctx *erx, struct dp_crypto_ctx *etx,
		      srtp_t rtx, srtp_t rrx, int rtcp, const uint8_t *pt, uint16_t len)
{
	uint8_t buf[ENG_PKT_MAX], out[ENG_PKT_MAX];
	uint16_t n = 0;
	int rn = len;
	srtp_err_status_t st;

	memcpy(buf, pt, len);
	st = rtcp ? srtp_protect_rtcp(rtx, buf, &rn) : srtp_protect(rtx, buf, &rn);
	CHECKF(st == srtp_err_status_ok, "raw protect len %u: %d", len, st);
	uint8_t d = eng_run(g, erx, 0, rtcp, 0, buf, (uint16_t)rn, out, &n);

	CHECKF(d == RELAIS_DROP_NONE && n == len, "engine unprotect len %u: drop %u n %u", len, d,
	       n);
	if (d == RELAIS_DROP_NONE && n == len)
		CHECK_MEM(out, pt, len, "out");
	d = eng_run(g, etx, 1, rtcp, 0, pt, len, buf, &n);
	CHECKF(d == RELAIS_DROP_NONE, "engine protect len %u: drop %u", len, d);
	rn = n;
	st = rtcp ? srtp_unprotect_rtcp(rrx, buf, &rn) : srtp_unprotect(rrx, buf, &rn);
	CHECKF(st == srtp_err_status_ok && rn == len, "raw unprotect len %u: %d", len, st);
	if (st == srtp_err_status_ok && rn == len)
		CHECK_MEM(buf, pt, len, "buf");
}

/* All sizes for one profile. */
static void cross_profile(struct eng *g, uint16_t profile, const uint8_t *mk, const uint8_t *ms)
{
	struct dp_crypto_ctx *erx = eng_ctx(g, profile, mk, ms, DP_CRYPTO_INBOUND);
	struct dp_crypto_ctx *etx = eng_ctx(g, profile, mk, ms, DP_CRYPTO_OUTBOUND);
	srtp_t rtx = raw_session(profile, mk, ms, 0), rrx = raw_session(profile, mk, ms, 1);
	uint8_t pt[ENG_PKT_MAX];
	uint16_t seq = 65000; /* crosses the wrap on the way */

	CHECK(erx != NULL && etx != NULL && rtx != NULL && rrx != NULL);
	if (erx == NULL || etx == NULL || rtx == NULL || rrx == NULL)
		return;
	for (uint16_t size = 12; size <= 1400; size = (uint16_t)(size + 1 + rnd() % 9)) {
		make_rtp(pt, size, seq++);
		both_ways(g, erx, etx, rtx, rrx, 0, pt, size);
	}
	for (uint16_t size = 8; size <= 1400; size = (uint16_t)(size + 4 * (1 + rnd() % 3))) {
		make_rtcp(pt, size);
		both_ways(g, erx, etx, rtx, rrx, 1, pt, size);
	}
	srtp_dealloc(rtx);
	srtp_dealloc(rrx);
	g->ops->ctx_destroy(g->e, erx);
	g->ops->ctx_destroy(g->e, etx);
}

/* Expect a drop in `ok` set for unprotecting len bytes of p. */
static void expect_drop(struct eng *g, struct dp_crypto_ctx *c, int rtcp, const uint8_t *p,
			uint16_t len, const char *what)
{
	uint8_t out[ENG_PKT_MAX];
	uint16_t n = 0;
	uint8_t d = eng_run(g, c, 0, rtcp, 0, p, len, out, &n);

	CHECKF(d == RELAIS_DROP_TRUNCATED || d == RELAIS_DROP_SRTP_AUTH,
	       "%s len %u: drop %u, want truncated or srtp_auth", what, len, d);
	CHECKF(n == len, "%s: a dropped packet keeps its length (%u != %u)", what, n, len);
}

/* Truncated and malformed input, one profile. */
static void truncated_profile(struct eng *g, uint16_t profile, const uint8_t *mk, const uint8_t *ms)
{
	const struct relais_srtp_profile_info *p = relais_srtp_profile_get(profile);
	struct dp_crypto_ctx *rx = eng_ctx(g, profile, mk, ms, DP_CRYPTO_INBOUND);
	struct dp_crypto_ctx *tx = eng_ctx(g, profile, mk, ms, DP_CRYPTO_OUTBOUND);
	uint8_t pkt[ENG_PKT_MAX], out[ENG_PKT_MAX];
	uint16_t n = 0, len;

	CHECK(rx != NULL && tx != NULL);
	if (rx == NULL || tx == NULL)
		return;
	make_rtp(pkt, 60, 1);
	pkt[0] = 0x80; /* no CSRC, no extension */
	CHECK(eng_run(g, tx, 1, 0, 0, pkt, 60, pkt, &len) == RELAIS_DROP_NONE);
	/* Every prefix of a valid SRTP packet is dropped. */
	for (uint16_t l = 0; l < len; l++)
		expect_drop(g, rx, 0, pkt, l, "srtp prefix");
	/* Header claiming 15 CSRCs / a long extension beyond the packet. */
	pkt[0] = 0x8f;
	expect_drop(g, rx, 0, pkt, 40, "csrc overrun");
	pkt[0] = 0x90, pkt[12] = 0xbe, pkt[13] = 0xde, pkt[14] = 0xff, pkt[15] = 0xff;
	expect_drop(g, rx, 0, pkt, len, "extension overrun");
	/* The same prefixes for SRTCP. */
	make_rtcp(pkt, 28);
	CHECK(eng_run(g, tx, 1, 1, 0, pkt, 28, pkt, &len) == RELAIS_DROP_NONE);
	for (uint16_t l = 0; l < len; l++)
		expect_drop(g, rx, 1, pkt, l, "srtcp prefix");
	/* Protect: too short for a header; no tailroom for the tag. */
	CHECK(eng_run(g, tx, 1, 0, 0, pkt, 0, out, &n) == RELAIS_DROP_TRUNCATED);
	CHECK(eng_run(g, tx, 1, 0, 0, pkt, 11, out, &n) == RELAIS_DROP_TRUNCATED && n == 11);
	CHECK(eng_run(g, tx, 1, 1, 0, pkt, 7, out, &n) == RELAIS_DROP_TRUNCATED);
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->mp);
	struct dp_crypto_op op = {.m = m, .ctx = tx, .off = 0, .is_rtcp = 0};
	uint16_t room = m != NULL ? (uint16_t)rte_pktmbuf_tailroom(m) : 0;

	CHECK(m != NULL && rte_pktmbuf_append(m, (uint16_t)(room - p->rtp_tag_len + 1)) != NULL);
	make_rtp(rte_pktmbuf_mtod(m, uint8_t *), 12, 7);
	rte_pktmbuf_mtod(m, uint8_t *)[0] = 0x80;
	g->ops->protect_burst(g->e, 0, &op, 1);
	CHECK(op.drop == RELAIS_DROP_SRTP_ERROR);
	/* Offset past the end of the data. */
	op.off = (uint16_t)(rte_pktmbuf_data_len(m) + 1);
	g->ops->unprotect_burst(g->e, 0, &op, 1);
	CHECK(op.drop == RELAIS_DROP_TRUNCATED);
	rte_pktmbuf_free(m);
	g->ops->ctx_destroy(g->e, rx);
	g->ops->ctx_destroy(g->e, tx);
}

int main(int argc, char **argv)
{
	uint8_t mk[32], ms[14];
	struct eng g;

	(void)argc;
	for (unsigned i = 0; i < sizeof(mk); i++)
		mk[i] = (uint8_t)(0x91 * i + 3);
	for (unsigned i = 0; i < sizeof(ms); i++)
		ms[i] = (uint8_t)(0x37 * i + 1);
	eng_setup(&g, argv[0]); /* the engine's create runs srtp_init */
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		cross_profile(&g, profiles[i], mk, ms);
		truncated_profile(&g, profiles[i], mk, ms);
	}
	eng_teardown(&g);
	return check_summary("test_crypto_cross");
}
