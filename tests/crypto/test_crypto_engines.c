/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cryptodev engine against the libsrtp engine, through the seam, in
 * real bursts (longer than one device chunk, RTP and RTCP mixed, several
 * SSRCs, many RTP header lengths, across the ROC wrap), for every profile:
 * - both engines protect the same packets to the same bytes, and each
 *   unprotects the other's output to the original bytes;
 * - a table of forged, replayed (also inside one burst), E-flag-cleared
 *   and truncated packets gets the same verdict from both engines;
 * - new streams starting just before the sequence wrap, reordered across
 *   it, inside one burst, are accepted (ROC estimated packet by packet);
 * - the cryptodev engine's limits: SSRC table overflow is SRTP_ERROR,
 *   a queue index out of range is SRTP_ERROR, and creating and destroying
 *   contexts returns every cryptodev session to its pool.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mempool.h>

#include <relais/srtp_profile.h>

#include "dp_crypto.h"
#define CHECK_MAIN
#include "check.h"
#include "test_eal.h"

#define N_PKT 600
#define PKT_MAX 1500
#define OFF 14 /* packets sit behind an Ethernet-sized gap */

static const uint16_t profiles[] = {RELAIS_SRTP_PROFILES(RELAIS_SRTP_ID_)};

struct pk {
	uint16_t len;
	uint8_t rtcp;
	uint8_t drop;
	uint8_t b[PKT_MAX];
};

struct side {
	const struct dp_crypto_engine_ops *o;
	struct dp_crypto_engine *e;
	unsigned queue;
};

static struct rte_mempool *mp;
static struct pk plain[N_PKT], pa[N_PKT], pb[N_PKT], ua[N_PKT], ub[N_PKT];
static uint32_t rng_state = 0x2545f491;

/* Deterministic xorshift32. */
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Random RTP packet of `size` bytes (>= 12) with random CSRCs and header
 * extension as far as they fit. */
static void make_rtp(struct pk *p, uint16_t size, uint32_t ssrc, uint16_t seq)
{
	unsigned cc = rnd() % 16, ext = rnd() % 2, words = rnd() % 12;

	while (12 + 4 * cc + (ext ? 4 + 4 * words : 0) > size) {
		if (ext && words > 0)
			words--;
		else if (ext)
			ext = 0;
		else
			cc--;
	}
	for (unsigned i = 0; i < size; i++)
		p->b[i] = (uint8_t)rnd();
	p->b[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0) | cc);
	p->b[1] = (uint8_t)(96 + rnd() % 32);
	p->b[2] = (uint8_t)(seq >> 8), p->b[3] = (uint8_t)seq;
	p->b[8] = (uint8_t)(ssrc >> 24), p->b[9] = (uint8_t)(ssrc >> 16);
	p->b[10] = (uint8_t)(ssrc >> 8), p->b[11] = (uint8_t)ssrc;
	if (ext) {
		unsigned at = 12 + 4 * cc;

		p->b[at] = 0xbe, p->b[at + 1] = 0xde;
		p->b[at + 2] = (uint8_t)(words >> 8), p->b[at + 3] = (uint8_t)words;
	}
	p->len = size;
	p->rtcp = 0;
}

/* Random RTCP sender report-like packet of size bytes (multiple of 4). */
static void make_rtcp(struct pk *p, uint16_t size, uint32_t ssrc)
{
	for (unsigned i = 0; i < size; i++)
		p->b[i] = (uint8_t)rnd();
	p->b[0] = 0x80, p->b[1] = 200;
	p->b[2] = (uint8_t)((size / 4 - 1) >> 8), p->b[3] = (uint8_t)(size / 4 - 1);
	p->b[4] = (uint8_t)(ssrc >> 24), p->b[5] = (uint8_t)(ssrc >> 16);
	p->b[6] = (uint8_t)(ssrc >> 8), p->b[7] = (uint8_t)ssrc;
	p->len = size;
	p->rtcp = 1;
}

/* Run in[0..n) through one burst call of side s on context c; out[i]
 * gets the bytes, length and verdict. The gap before each packet must
 * stay untouched. */
static void burst(const struct side *s, struct dp_crypto_ctx *c, int protect, const struct pk *in,
		  struct pk *out, unsigned n)
{
	struct dp_crypto_op ops[256];

	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint8_t *d = m != NULL ? (uint8_t *)rte_pktmbuf_append(m, OFF + in[i].len) : NULL;

		CHECK(d != NULL);
		if (d == NULL)
			exit(1);
		memset(d, 0xa5, OFF);
		memcpy(d + OFF, in[i].b, in[i].len);
		ops[i] = (struct dp_crypto_op){.m = m, .ctx = c, .off = OFF, .is_rtcp = in[i].rtcp};
	}
	if (protect)
		s->o->protect_burst(s->e, s->queue, ops, (uint16_t)n);
	else
		s->o->unprotect_burst(s->e, s->queue, ops, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *d = rte_pktmbuf_mtod(ops[i].m, uint8_t *);
		int gap_ok = 1;

		for (unsigned k = 0; k < OFF; k++)
			gap_ok &= d[k] == 0xa5;
		CHECKF(gap_ok, "%s op %u wrote before its offset", s->o->name, i);
		out[i].len = (uint16_t)(rte_pktmbuf_data_len(ops[i].m) - OFF);
		out[i].rtcp = in[i].rtcp;
		out[i].drop = ops[i].drop;
		memcpy(out[i].b, d + OFF, out[i].len);
		rte_pktmbuf_free(ops[i].m);
	}
}

/* Run all n packets in bursts of random sizes 1..200. */
static void bursts(const struct side *s, struct dp_crypto_ctx *c, int protect, const struct pk *in,
		   struct pk *out, unsigned n)
{
	for (unsigned i = 0; i < n;) {
		unsigned k = 1 + rnd() % 200;

		if (k > n - i)
			k = n - i;
		burst(s, c, protect, in + i, out + i, k);
		i += k;
	}
}

/* Context of side s for profile with a fixed test key. */
static struct dp_crypto_ctx *ctx(const struct side *s, uint16_t profile, enum dp_crypto_dir dir)
{
	struct relais_srtp_key k;

	memset(&k, 0, sizeof(k));
	k.profile = profile;
	for (unsigned i = 0; i < sizeof(k.key); i++)
		k.key[i] = (uint8_t)(0x3d * i + 11);
	for (unsigned i = 0; i < sizeof(k.salt); i++)
		k.salt[i] = (uint8_t)(0x59 * i + 2);
	return s->o->ctx_create(s->e, &k, dir);
}

/* Same protected bytes from both engines; each unprotects the other's. */
static void equality(const struct side *a, const struct side *b, uint16_t profile)
{
	struct dp_crypto_ctx *atx = ctx(a, profile, DP_CRYPTO_OUTBOUND);
	struct dp_crypto_ctx *arx = ctx(a, profile, DP_CRYPTO_INBOUND);
	struct dp_crypto_ctx *btx = ctx(b, profile, DP_CRYPTO_OUTBOUND);
	struct dp_crypto_ctx *brx = ctx(b, profile, DP_CRYPTO_INBOUND);
	uint16_t seq[3] = {65300, 65400, 65500}; /* every SSRC crosses the wrap */
	unsigned bad = 0;

	CHECK(atx != NULL && arx != NULL && btx != NULL && brx != NULL);
	for (unsigned i = 0; i < N_PKT; i++) {
		unsigned s = rnd() % 3;

		if (i % 7 == 3)
			make_rtcp(&plain[i], (uint16_t)(8 + 4 * (rnd() % 300)), 0xc0de0000u + s);
		else
			make_rtp(&plain[i], (uint16_t)(12 + rnd() % 1389), 0xc0de0000u + s,
				 seq[s]++);
	}
	bursts(a, atx, 1, plain, pa, N_PKT);
	bursts(b, btx, 1, plain, pb, N_PKT);
	for (unsigned i = 0; i < N_PKT; i++)
		bad += pa[i].drop != RELAIS_DROP_NONE || pb[i].drop != RELAIS_DROP_NONE ||
		       pa[i].len != pb[i].len || memcmp(pa[i].b, pb[i].b, pa[i].len) != 0;
	CHECKF(bad == 0, "profile %#x: %u of %u protected packets differ", profile, bad, N_PKT);
	bursts(b, brx, 0, pa, ub, N_PKT);
	bursts(a, arx, 0, pb, ua, N_PKT);
	bad = 0;
	for (unsigned i = 0; i < N_PKT; i++)
		bad += ua[i].drop != RELAIS_DROP_NONE || ub[i].drop != RELAIS_DROP_NONE ||
		       ua[i].len != plain[i].len || ub[i].len != plain[i].len ||
		       memcmp(ua[i].b, plain[i].b, plain[i].len) != 0 ||
		       memcmp(ub[i].b, plain[i].b, plain[i].len) != 0;
	CHECKF(bad == 0, "profile %#x: %u of %u packets not unprotected to the original", profile,
	       bad, N_PKT);
	a->o->ctx_destroy(a->e, atx), a->o->ctx_destroy(a->e, arx);
	b->o->ctx_destroy(b->e, btx), b->o->ctx_destroy(b->e, brx);
}

/* The attack table built from protected packets pa[0..4) (RTP, 60 and 200
 * bytes) and pa[4..6) (RTCP). Returns the number of entries in t. */
static unsigned attacks(const struct relais_srtp_profile_info *p, struct pk *t)
{
	unsigned n = 0, tag = p->aead ? 16 : p->rtp_tag_len;

	t[n++] = pa[0];                                     /* valid */
	t[n++] = pa[0];                                     /* replay in the same burst */
	t[n] = pa[1], t[n].b[t[n].len - 1] ^= 1, n++;       /* tag */
	t[n] = pa[1], t[n].b[20] ^= 0x80, n++;              /* payload */
	t[n] = pa[1], t[n].b[1] ^= 0x80, n++;               /* marker bit */
	t[n] = pa[1], t[n].b[t[n].len - tag - 1] ^= 1, n++; /* last payload byte */
	t[n++] = pa[1];                                     /* still accepted */
	for (unsigned l = 0; l < 12 + tag + 1; l += 5)      /* truncations */
		t[n] = pa[2], t[n].len = (uint16_t)l, n++;
	t[n] = pa[2], t[n].b[0] = 0x8f, t[n].len = 40, n++; /* CSRCs beyond the end */
	t[n++] = pa[2];
	t[n] = pa[3], t[n].b[2] ^= 0x40, n++; /* sequence number changed */
	t[n++] = pa[4];                       /* RTCP valid */
	t[n++] = pa[4];                       /* RTCP replay */
	unsigned w = p->aead ? pa[5].len - 4u : pa[5].len - p->rtcp_tag_len - 4u;
	t[n] = pa[5], t[n].b[w] &= 0x7f, n++;  /* E flag cleared */
	t[n] = pa[5], t[n].b[w + 3] ^= 1, n++; /* index changed */
	t[n] = pa[5], t[n].b[9] ^= 1, n++;     /* body */
	t[n] = pa[5], t[n].len = (uint16_t)(8 + 4 + (p->aead ? 16 : p->rtcp_tag_len) - 1), n++;
	t[n] = pa[5], t[n].len = 3, n++;
	t[n++] = pa[5];
	return n;
}

/* Both engines give the same verdicts and bytes for the attack table, in
 * one burst and one op per burst. */
static void same_drops(const struct side *a, const struct side *b, uint16_t profile)
{
	const struct relais_srtp_profile_info *p = relais_srtp_profile_get(profile);
	struct dp_crypto_ctx *tx = ctx(b, profile, DP_CRYPTO_OUTBOUND);
	static struct pk t[64], ra[64], rb[64];
	unsigned n;

	make_rtp(&plain[0], 60, 0x1234, 100);
	make_rtp(&plain[1], 200, 0x1234, 101);
	make_rtp(&plain[2], 90, 0x1234, 102);
	make_rtp(&plain[3], 90, 0x1234, 103);
	make_rtcp(&plain[4], 52, 0x1234);
	make_rtcp(&plain[5], 28, 0x1234);
	burst(b, tx, 1, plain, pa, 6);
	n = attacks(p, t);
	for (int single = 0; single < 2; single++) {
		struct dp_crypto_ctx *arx = ctx(a, profile, DP_CRYPTO_INBOUND);
		struct dp_crypto_ctx *brx = ctx(b, profile, DP_CRYPTO_INBOUND);

		for (unsigned i = 0; i < n; i += single ? 1 : n) {
			burst(a, arx, 0, t + i, ra + i, single ? 1 : n);
			burst(b, brx, 0, t + i, rb + i, single ? 1 : n);
		}
		for (unsigned i = 0; i < n; i++) {
			CHECKF(
			    ra[i].drop == rb[i].drop && ra[i].len == rb[i].len,
			    "profile %#x case %u single %d: %s drop %u len %u, %s drop %u len %u",
			    profile, i, single, a->o->name, ra[i].drop, ra[i].len, b->o->name,
			    rb[i].drop, rb[i].len);
			if (ra[i].drop == RELAIS_DROP_NONE && rb[i].drop == RELAIS_DROP_NONE)
				CHECK(ra[i].len == rb[i].len &&
				      memcmp(ra[i].b, rb[i].b, ra[i].len) == 0);
		}
		CHECK(ra[0].drop == RELAIS_DROP_NONE && ra[1].drop == RELAIS_DROP_SRTP_REPLAY);
		a->o->ctx_destroy(a->e, arx);
		b->o->ctx_destroy(b->e, brx);
	}
	b->o->ctx_destroy(b->e, tx);
}

/* Streams that start just before the sequence wrap and cross it, some
 * reordered across it, all inside one burst of unknown SSRCs: the index of
 * every packet must be estimated as a receiver taking them one by one
 * would (here: the 0 after 65535 has ROC 1). Both engines accept all. */
static void wrap_in_one_burst(const struct side *a, const struct side *b, uint16_t profile)
{
	struct dp_crypto_ctx *tx = ctx(b, profile, DP_CRYPTO_OUTBOUND);
	struct dp_crypto_ctx *arx = ctx(a, profile, DP_CRYPTO_INBOUND);
	struct dp_crypto_ctx *brx = ctx(b, profile, DP_CRYPTO_INBOUND);
	unsigned n = 0;

	for (unsigned i = 0; i < 12; i++) {
		make_rtp(&plain[n++], 80, 0xaaaa, (uint16_t)(65530 + i));
		make_rtp(&plain[n++], 300, 0xbbbb, (uint16_t)(65534 + i));
	}
	burst(b, tx, 1, plain, pb, n);
	pa[0] = pb[10], pb[10] = pb[12], pb[12] = pa[0]; /* aaaa: seq 0 before 65535 */
	pa[0] = plain[10], plain[10] = plain[12], plain[12] = pa[0];
	burst(a, arx, 0, pb, ua, n);
	burst(b, brx, 0, pb, ub, n);
	for (unsigned i = 0; i < n; i++) {
		CHECKF(ua[i].drop == RELAIS_DROP_NONE && ub[i].drop == RELAIS_DROP_NONE,
		       "profile %#x packet %u: drops %u/%u", profile, i, ua[i].drop, ub[i].drop);
		CHECK(ua[i].len == plain[i].len && memcmp(ua[i].b, plain[i].b, plain[i].len) == 0);
	}
	a->o->ctx_destroy(a->e, arx);
	b->o->ctx_destroy(b->e, brx);
	b->o->ctx_destroy(b->e, tx);
}

/* Free sessions of the cryptodev engine's pool (named cdv_sess_*). */
static void pool_walk(struct rte_mempool *m, void *arg)
{
	if (strncmp(m->name, "cdv_sess_", 9) == 0)
		*(unsigned *)arg += rte_mempool_avail_count(m);
}

static unsigned sessions_free(void)
{
	unsigned n = 0;

	rte_mempool_walk(pool_walk, &n);
	return n;
}

/* Limits of the cryptodev engine c (side cd). */
static void limits(const struct side *cd)
{
	unsigned before = sessions_free();

	CHECK(before > 0);
	for (unsigned round = 0; round < 40; round++) {
		uint16_t profile = profiles[round % RELAIS_SRTP_PROFILE_COUNT];
		struct dp_crypto_ctx *tx = ctx(cd, profile, DP_CRYPTO_OUTBOUND);
		struct dp_crypto_ctx *rx = ctx(cd, profile, DP_CRYPTO_INBOUND);

		CHECK(tx != NULL && rx != NULL);
		/* 17 SSRCs, 17 header lengths: the 17th SSRC overflows. */
		for (unsigned i = 0; i < 17; i++)
			make_rtp(&plain[i], (uint16_t)(12 + 4 * i + 100), 0x5000 + i, 7),
			    plain[i].b[0] = (uint8_t)(0x80 | i % 16);
		burst(cd, tx, 1, plain, pa, 17);
		for (unsigned i = 0; i < 16; i++)
			CHECK(pa[i].drop == RELAIS_DROP_NONE);
		CHECK(pa[16].drop == RELAIS_DROP_SRTP_ERROR);
		burst(cd, rx, 0, pa, ua, 16);
		for (unsigned i = 0; i < 16; i++)
			CHECK(ua[i].drop == RELAIS_DROP_NONE && ua[i].len == plain[i].len);
		cd->o->ctx_destroy(cd->e, tx);
		cd->o->ctx_destroy(cd->e, rx);
	}
	CHECKF(sessions_free() == before, "sessions leaked: %u free, %u before", sessions_free(),
	       before);
	struct side bad = *cd;
	struct dp_crypto_ctx *tx = ctx(cd, profiles[0], DP_CRYPTO_OUTBOUND);

	bad.queue = 2; /* the engine has queues 0 and 1 */
	make_rtp(&plain[0], 100, 1, 1);
	burst(&bad, tx, 1, plain, pa, 1);
	CHECK(pa[0].drop == RELAIS_DROP_SRTP_ERROR);
	cd->o->ctx_destroy(cd->e, tx);
}

int main(int argc, char **argv)
{
	struct side ls = {dp_crypto_engine_find("libsrtp"), NULL, 0};
	struct side cd = {dp_crypto_engine_find("cryptodev"), NULL, 1};
	const struct dp_crypto_engine_ops *auto_ops = NULL;
	struct dp_crypto_engine *auto_e;

	(void)argc;
	if (test_eal_init(argv[0], NULL) != 0)
		return 1;
	mp = test_mbuf_pool(1024);
	CHECK(mp != NULL && ls.o != NULL && cd.o != NULL);
	ls.e = ls.o->create(1);
	cd.e = cd.o->create(2);
	CHECKF(cd.e != NULL, "cryptodev engine: %s", strerror(errno));
	if (mp == NULL || ls.e == NULL || cd.e == NULL)
		return check_summary("test_crypto_engines");
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		equality(&cd, &ls, profiles[i]);
		same_drops(&cd, &ls, profiles[i]);
		wrap_in_one_burst(&cd, &ls, profiles[i]);
	}
	limits(&cd);
	/* "auto" picks cryptodev when its device can be made. */
	auto_e = dp_crypto_engine_open("auto", 1, &auto_ops);
	CHECK(auto_e != NULL && auto_ops == cd.o);
	if (auto_e != NULL)
		auto_ops->destroy(auto_e);
	CHECK(dp_crypto_engine_open("nope", 1, &auto_ops) == NULL && auto_ops == NULL);
	cd.o->destroy(cd.e);
	ls.o->destroy(ls.e);
	rte_mempool_free(mp);
	test_eal_cleanup();
	return check_summary("test_crypto_engines");
}
