/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro benchmark of the crypto engines through the seam (not a test; run
 * by hand, one core): protect and unprotect throughput of the libsrtp and
 * cryptodev engines for AES_CM_128_HMAC_SHA1_80 and AEAD_AES_128_GCM at
 * 160- and 1200-byte RTP packets, bursts of 32, one context, one SSRC.
 * Each op first restores its mbuf (12-byte header rewrite for protect, a
 * full copy of a protected packet for unprotect); the copy's own cost is
 * printed as `copy_ns` so it can be subtracted. Output: one JSON object per
 * line. Usage: bench_crypto_engines [seconds per row, default 0.5] [filter]
 * where filter keeps the rows whose "engine/profile/size/op" contains it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <relais/json_out.h>
#include <relais/srtp_profile.h>

#include "dp_crypto.h"
#include "test_eal.h"

#define BURST 32
#define RING 2048 /* protected packets replayed by unprotect (fresh indexes) */

static struct rte_mempool *mp;
static uint8_t ring[RING][1300];
static uint16_t ring_len[RING];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* An RTP packet of size bytes, sequence seq. */
static void rtp(uint8_t *b, uint16_t size, uint16_t seq)
{
	memset(b, 0x33, size);
	b[0] = 0x80, b[1] = 96, b[2] = (uint8_t)(seq >> 8), b[3] = (uint8_t)seq;
	b[8] = 0x11, b[9] = 0x22, b[10] = 0x33, b[11] = 0x44;
}

static struct dp_crypto_ctx *mkctx(const struct dp_crypto_engine_ops *o, struct dp_crypto_engine *e,
				   uint16_t profile, enum dp_crypto_dir dir)
{
	struct relais_srtp_key k;

	memset(&k, 0x42, sizeof(k));
	k.profile = profile;
	return o->ctx_create(e, &k, dir);
}

/* Fill ring[] with RING protected packets of size bytes. */
static void fill_ring(const struct dp_crypto_engine_ops *o, struct dp_crypto_engine *e,
		      struct dp_crypto_ctx *tx, uint16_t size, uint32_t base)
{
	for (unsigned i = 0; i < RING; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		struct dp_crypto_op op = {.m = m, .ctx = tx};

		rtp((uint8_t *)rte_pktmbuf_append(m, size), size, (uint16_t)(base + i));
		o->protect_burst(e, 0, &op, 1);
		ring_len[i] = (uint16_t)rte_pktmbuf_data_len(m);
		memcpy(ring[i], rte_pktmbuf_mtod(m, uint8_t *), ring_len[i]);
		rte_pktmbuf_free(m);
	}
}

/* One row: packets per second of protect (or unprotect) for secs. */
static double run(const struct dp_crypto_engine_ops *o, struct dp_crypto_engine *e,
		  uint16_t profile, uint16_t size, int protect, double secs, int copy_only)
{
	struct dp_crypto_ctx *tx = mkctx(o, e, profile, DP_CRYPTO_OUTBOUND);
	struct dp_crypto_ctx *rx = mkctx(o, e, profile, DP_CRYPTO_INBOUND);
	struct rte_mbuf *m[BURST];
	struct dp_crypto_op ops[BURST];
	uint64_t n = 0, seq = 0;
	double t0, t1;

	if (tx == NULL || rx == NULL || rte_pktmbuf_alloc_bulk(mp, m, BURST) != 0)
		exit(1);
	for (unsigned i = 0; i < BURST; i++)
		rtp((uint8_t *)rte_pktmbuf_append(m[i], size), size, 0);
	t0 = now();
	do {
		if (!protect && seq % RING == 0) { /* new indexes, outside the timing */
			t1 = now();
			fill_ring(o, e, tx, size, (uint32_t)seq);
			t0 += now() - t1;
		}
		for (unsigned i = 0; i < BURST; i++, seq++) {
			uint8_t *d = rte_pktmbuf_mtod(m[i], uint8_t *);

			if (protect) {
				rte_pktmbuf_trim(m[i],
						 (uint16_t)(rte_pktmbuf_data_len(m[i]) - size));
				d[2] = (uint8_t)(seq >> 8), d[3] = (uint8_t)seq;
			} else {
				m[i]->data_len = ring_len[seq % RING];
				m[i]->pkt_len = ring_len[seq % RING];
				memcpy(d, ring[seq % RING], ring_len[seq % RING]);
			}
			ops[i] = (struct dp_crypto_op){.m = m[i], .ctx = protect ? tx : rx};
		}
		if (!copy_only) {
			if (protect)
				o->protect_burst(e, 0, ops, BURST);
			else
				o->unprotect_burst(e, 0, ops, BURST);
			if (ops[0].drop != RELAIS_DROP_NONE) {
				fprintf(stderr, "%s: drop %u\n", o->name, ops[0].drop);
				exit(1);
			}
		}
		n += BURST;
		t1 = now();
	} while (t1 - t0 < secs);
	rte_pktmbuf_free_bulk(m, BURST);
	o->ctx_destroy(e, tx);
	o->ctx_destroy(e, rx);
	return (double)n / (t1 - t0);
}

/* One result as a JSON line: rate, and ns per packet with and without copy. */
static void print_row(const char *engine, const char *profile, unsigned size, const char *op,
		      double pps, double cps)
{
	struct json_out j;

	json_out_init_file(&j, stdout, JSON_COMPACT);
	json_obj_begin(&j);
	json_kstr(&j, "engine", engine);
	json_kstr(&j, "profile", profile);
	json_ku64(&j, "size", size);
	json_kstr(&j, "op", op);
	json_kdbl(&j, "pkts_per_s", pps, 0);
	json_kdbl(&j, "ns_per_pkt", 1e9 / pps, 1);
	json_kdbl(&j, "copy_ns", 1e9 / cps, 1);
	json_obj_end(&j);
	json_ws(&j, "\n");
	json_out_finish(&j);
}

int main(int argc, char **argv)
{
	static const uint16_t profiles[] = {RELAIS_SRTP_PROFILES(RELAIS_SRTP_ID_)};
	static const uint16_t sizes[] = {160, 1200};
	static const char *const names[] = {"libsrtp", "cryptodev"};
	double secs = argc > 1 ? atof(argv[1]) : 0.5;
	const char *filter = argc > 2 ? argv[2] : "";
	char key[128];

	if (test_eal_init(argv[0], NULL) != 0 || (mp = test_mbuf_pool(4096)) == NULL)
		return 1;
	for (unsigned en = 0; en < 2; en++) {
		const struct dp_crypto_engine_ops *o = dp_crypto_engine_find(names[en]);
		struct dp_crypto_engine *e = o != NULL ? o->create(1) : NULL;

		if (e == NULL)
			return 1;
		for (unsigned p = 0; p < RELAIS_SRTP_PROFILE_COUNT; p++)
			for (unsigned s = 0; s < 2; s++)
				for (int prot = 1; prot >= 0; prot--) {
					snprintf(key, sizeof(key), "%s/%s/%u/%s", o->name,
						 relais_srtp_profile_get(profiles[p])->name,
						 sizes[s], prot ? "protect" : "unprotect");
					if (strstr(key, filter) == NULL)
						continue;
					double pps =
					    run(o, e, profiles[p], sizes[s], prot, secs, 0);
					double cps =
					    run(o, e, profiles[p], sizes[s], prot, secs / 4, 1);

					print_row(
					    o->name, relais_srtp_profile_get(profiles[p])->name,
					    sizes[s], prot ? "protect" : "unprotect", pps, cps);
					fflush(stdout);
				}
		o->destroy(e);
	}
	rte_mempool_free(mp);
	test_eal_cleanup();
	return 0;
}
