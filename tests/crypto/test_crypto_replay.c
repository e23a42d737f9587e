/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ROC and replay protection through the engine seam (RFC 3711 §3.3.1,
 * §3.3.2, App. A): an outbound context protects a stream crossing
 * seq 65535 -> 0 and refuses any index it already used (SRTP_INDEX_USED),
 * an inbound context receives it reordered; late packets inside the window
 * are accepted once, duplicates and too-old ones are SRTP_REPLAY. SRTCP
 * the same with its explicit index.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_util.h"
#define CHECK_MAIN
#include "check.h"

#define N_RTP 2000
#define SEQ0 64000 /* k = 1536 is seq 0 */
#define N_RTCP 400

struct pkt {
	uint16_t len;
	uint8_t b[96];
};

static struct pkt plain[N_RTP], prot[N_RTP];

/* RTP packet k of SSRC ssrc: 12-byte header + 40 payload bytes naming k. */
static void make_rtp(struct pkt *p, uint32_t ssrc, unsigned k)
{
	uint16_t seq = (uint16_t)(SEQ0 + k);

	memset(p->b, 0, sizeof(p->b));
	p->b[0] = 0x80, p->b[1] = 96, p->b[2] = (uint8_t)(seq >> 8), p->b[3] = (uint8_t)seq;
	p->b[4] = (uint8_t)(k >> 8), p->b[7] = (uint8_t)k;
	p->b[8] = (uint8_t)(ssrc >> 24), p->b[9] = (uint8_t)(ssrc >> 16);
	p->b[10] = (uint8_t)(ssrc >> 8), p->b[11] = (uint8_t)ssrc;
	for (unsigned i = 12; i < 52; i++)
		p->b[i] = (uint8_t)(k * 7 + i);
	p->len = 52;
}

/* Unprotect protected packet k on rx; expect `want`, and the plaintext
 * when accepted. */
static void deliver(struct eng *g, struct dp_crypto_ctx *rx, int rtcp, unsigned k, uint8_t want)
{
	uint8_t out[ENG_PKT_MAX];
	uint16_t n = 0;
	uint8_t d = eng_run(g, rx, 0, rtcp, 0, prot[k].b, prot[k].len, out, &n);

	CHECKF(d == want, "%s k=%u: drop %u, want %u", rtcp ? "rtcp" : "rtp", k, d, want);
	if (d == RELAIS_DROP_NONE && want == RELAIS_DROP_NONE) {
		CHECKF(n == plain[k].len, "k=%u: len %u", k, n);
		CHECK(n == plain[k].len && memcmp(out, plain[k].b, n) == 0);
	}
}

/* Protect RTP plain[from..to) on tx into prot[]. */
static void protect_from(struct eng *g, struct dp_crypto_ctx *tx, unsigned from, unsigned to)
{
	for (unsigned k = from; k < to; k++) {
		uint16_t len = 0;
		uint8_t d = eng_run(g, tx, 1, 0, 0, plain[k].b, plain[k].len, prot[k].b, &len);

		CHECKF(d == RELAIS_DROP_NONE, "protect k=%u: drop %u", k, d);
		prot[k].len = len;
	}
}

/* Protect plain[0..n) on tx into prot[]. */
static void protect_all(struct eng *g, struct dp_crypto_ctx *tx, int rtcp, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		uint16_t len = 0;
		uint8_t d = eng_run(g, tx, 1, rtcp, 0, plain[k].b, plain[k].len, prot[k].b, &len);

		CHECKF(d == RELAIS_DROP_NONE, "protect k=%u: drop %u", k, d);
		prot[k].len = len;
	}
}

/* The RTP scenario for one profile. */
static void rtp_scenario(struct eng *g, uint16_t profile, const uint8_t *mk, const uint8_t *ms)
{
	struct dp_crypto_ctx *tx = eng_ctx(g, profile, mk, ms, DP_CRYPTO_OUTBOUND);
	struct dp_crypto_ctx *rx = eng_ctx(g, profile, mk, ms, DP_CRYPTO_INBOUND);
	const unsigned held_lo = 1530, held_hi = 1540; /* around seq 65535 -> 0 */

	CHECK(tx != NULL && rx != NULL);
	if (tx == NULL || rx == NULL)
		return;
	for (unsigned k = 0; k < N_RTP; k++)
		make_rtp(&plain[k], 0x11223344, k);
	/* k = N_RTP - 10 is held back: the sender protects it late, below. */
	protect_all(g, tx, 0, N_RTP - 10);
	protect_from(g, tx, N_RTP - 9, N_RTP);
	/* An output index is never used twice (no keystream or GCM nonce
	 * reuse): a repeat of the same packet, different content under a used
	 * index, and an index older than the window (top k = 1999, 1024
	 * packets) are refused, as libsrtp2's sender without allow_repeat_tx
	 * does (srtp_err_status_replay_fail / replay_old). */
	uint8_t again[ENG_PKT_MAX];
	struct pkt other;
	uint16_t n = 0;

	CHECK(eng_run(g, tx, 1, 0, 0, plain[N_RTP - 1].b, plain[N_RTP - 1].len, again, &n) ==
	      RELAIS_DROP_SRTP_INDEX_USED);
	other = plain[N_RTP - 5];
	other.b[other.len - 1] ^= 0xff;
	CHECK(eng_run(g, tx, 1, 0, 0, other.b, other.len, again, &n) ==
	      RELAIS_DROP_SRTP_INDEX_USED);
	CHECK(eng_run(g, tx, 1, 0, 0, plain[N_RTP - 1 - 1024].b, plain[N_RTP - 1 - 1024].len, again,
		      &n) == RELAIS_DROP_SRTP_INDEX_USED);
	CHECK(eng_run(g, tx, 1, 0, 0, plain[100].b, plain[100].len, again, &n) ==
	      RELAIS_DROP_SRTP_INDEX_USED);
	/* Late but never used, inside the window: protected once, then refused. */
	protect_from(g, tx, N_RTP - 10, N_RTP - 9);
	CHECK(eng_run(g, tx, 1, 0, 0, plain[N_RTP - 10].b, plain[N_RTP - 10].len, again, &n) ==
	      RELAIS_DROP_SRTP_INDEX_USED);

	for (unsigned k = 0; k <= 1600; k++)
		if (k < held_lo || k > held_hi)
			deliver(g, rx, 0, k, RELAIS_DROP_NONE);
	/* Late, across the wrap (seq 65530..65535 with the previous ROC, 0..4
	 * with the current one): accepted once, in reverse order. */
	for (unsigned k = held_hi + 1; k-- > held_lo;)
		deliver(g, rx, 0, k, RELAIS_DROP_NONE);
	for (unsigned k = held_lo; k <= held_hi; k++)
		deliver(g, rx, 0, k, RELAIS_DROP_SRTP_REPLAY);
	deliver(g, rx, 0, 1600, RELAIS_DROP_SRTP_REPLAY);
	deliver(g, rx, 0, 1536, RELAIS_DROP_SRTP_REPLAY); /* seq 0 */
	for (unsigned k = 1601; k < N_RTP; k++)
		deliver(g, rx, 0, k, RELAIS_DROP_NONE);
	/* Older than the 1024-packet window: top is k = 1999. */
	deliver(g, rx, 0, N_RTP - 1 - 1024, RELAIS_DROP_SRTP_REPLAY);
	deliver(g, rx, 0, 100, RELAIS_DROP_SRTP_REPLAY);
	/* A second SSRC of the same participant starts its own stream. */
	make_rtp(&plain[0], 0x55667788, 0);
	protect_all(g, tx, 0, 1);
	deliver(g, rx, 0, 0, RELAIS_DROP_NONE);
	deliver(g, rx, 0, 0, RELAIS_DROP_SRTP_REPLAY);
	g->ops->ctx_destroy(g->e, tx);
	g->ops->ctx_destroy(g->e, rx);
}

/* RTCP RR k of SSRC 0x11223344 (32 bytes). */
static void make_rtcp(struct pkt *p, unsigned k)
{
	static const uint8_t hdr[] = {0x81, 0xc9, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44};

	memset(p->b, 0, sizeof(p->b));
	memcpy(p->b, hdr, sizeof(hdr));
	for (unsigned i = 8; i < 32; i++)
		p->b[i] = (uint8_t)(k + i);
	p->len = 32;
}

/* The SRTCP scenario: indices 1..N_RTCP from the sender. libsrtp's SRTCP
 * window is 128 packets (srtp_rdb_t), so "late" stays within that. */
static void rtcp_scenario(struct eng *g, uint16_t profile, const uint8_t *mk, const uint8_t *ms)
{
	struct dp_crypto_ctx *tx = eng_ctx(g, profile, mk, ms, DP_CRYPTO_OUTBOUND);
	struct dp_crypto_ctx *rx = eng_ctx(g, profile, mk, ms, DP_CRYPTO_INBOUND);

	CHECK(tx != NULL && rx != NULL);
	if (tx == NULL || rx == NULL)
		return;
	for (unsigned k = 0; k < N_RTCP; k++)
		make_rtcp(&plain[k], k);
	protect_all(g, tx, 1, N_RTCP);
	/* SRTCP index (RFC 3711 §3.4) is k + 1 with the E flag; it precedes
	 * the tag for AES-CM and follows it for GCM (RFC 7714 §9). */
	const struct relais_srtp_profile_info *pi = relais_srtp_profile_get(profile);
	unsigned at = prot[9].len - 4u - (pi->aead ? 0u : pi->rtcp_tag_len);

	CHECK(memcmp(prot[9].b + at, "\x80\x00\x00\x0a", 4) == 0);
	for (unsigned k = 0; k < 100; k++)
		if (k < 50 || k > 55)
			deliver(g, rx, 1, k, RELAIS_DROP_NONE);
	for (unsigned k = 50; k <= 55; k++)
		deliver(g, rx, 1, k, RELAIS_DROP_NONE);
	deliver(g, rx, 1, 53, RELAIS_DROP_SRTP_REPLAY);
	deliver(g, rx, 1, 99, RELAIS_DROP_SRTP_REPLAY);
	for (unsigned k = 100; k < N_RTCP; k++)
		deliver(g, rx, 1, k, RELAIS_DROP_NONE);
	deliver(g, rx, 1, 10, RELAIS_DROP_SRTP_REPLAY); /* too old */
	g->ops->ctx_destroy(g->e, tx);
	g->ops->ctx_destroy(g->e, rx);
}

int main(int argc, char **argv)
{
	static const uint16_t profiles[] = {RELAIS_SRTP_PROFILES(RELAIS_SRTP_ID_)};
	uint8_t mk[32], ms[14];
	struct eng g;

	(void)argc;
	for (unsigned i = 0; i < sizeof(mk); i++)
		mk[i] = (uint8_t)(0x30 + i);
	for (unsigned i = 0; i < sizeof(ms); i++)
		ms[i] = (uint8_t)(0xc0 + i);
	eng_setup(&g, argv[0]);
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		rtp_scenario(&g, profiles[i], mk, ms);
		rtcp_scenario(&g, profiles[i], mk, ms);
	}
	eng_teardown(&g);
	return check_summary("test_crypto_replay");
}
