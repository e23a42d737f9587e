/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scale: memory per stream and forwarding throughput with a small and a
 * large number of configured streams. A stream is one participant
 * publishing one track that one other participant subscribes to (part i
 * publishes track i, part i+1 subscribes to it), so the tables hold N
 * participants, N tracks and N subscriptions. The fan-out-1 case then runs
 * against a participant near the end of the table, so the address and
 * track lookups are real hash lookups among N entries.
 *
 * SRTP contexts: with libsrtp2 on NSS (Debian's build) one context costs
 * about 29 KiB, so 2 x 1,000,000 of them would need ~58 GB. In the small
 * and large runs the participants that carry no traffic share one real
 * placeholder context; the tables, the objects and every lookup are real,
 * and the measured participant and its subscriber have their own contexts.
 * A third run repeats the small size with every context its own: it
 * measures their memory and shows what many live contexts cost per packet.
 */
#include <errno.h>
#include <malloc.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include <relais/srtp_profile.h>

#include "bench.h"
#include "dp_tables.h"

#define PROFILE RELAIS_SRTP_AES128_CM_SHA1_80
#define PAYLOAD 160u
#define SSRC_BASE 0x10000000u
#define OUT_SSRC_BASE 0x20000000u

struct scale_run {
	uint32_t n;
	bool real_ctx;
	size_t init_bytes;   /* rte_malloc heap used by dp_app_init */
	size_t obj_bytes;    /* rte_malloc heap used by the N streams */
	size_t malloc_bytes; /* malloc heap used by the N streams */
	double setup_secs;
	struct bench_result r;
};

/* The placeholder context and the ops that hand it out while filling. */
static struct dp_crypto_engine_ops fill_ops;
static struct dp_crypto_ctx *placeholder;
static bool filling;

/* ctx_create of the fill ops: the shared placeholder while filling, else a
 * real context. */
static struct dp_crypto_ctx *fill_create(struct dp_crypto_engine *e,
					 const struct relais_srtp_key *key, enum dp_crypto_dir dir)
{
	if (filling)
		return placeholder;
	return dp_crypto_libsrtp_ops.ctx_create(e, key, dir);
}

/* ctx_destroy of the fill ops: everything but the placeholder. */
static void fill_destroy(struct dp_crypto_engine *e, struct dp_crypto_ctx *c)
{
	if (c != placeholder)
		dp_crypto_libsrtp_ops.ctx_destroy(e, c);
}

/* Bytes allocated in the DPDK heap of our socket. */
static size_t heap_used(void)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats((int)rte_socket_id(), &st) < 0)
		return 0;
	return st.heap_allocsz_bytes;
}

/* Bytes allocated by malloc (arena and mmap'd blocks). */
static size_t malloc_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* Monotonic seconds. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Add participant i with its track; `real` gives it its own contexts. */
static int add_stream(uint32_t i, bool real)
{
	struct relais_ctl_track t = {.track_id = i + 1,
				     .part_id = i + 1,
				     .ssrc = SSRC_BASE + i,
				     .clock_rate = 48000,
				     .kind = RELAIS_TRACK_AUDIO,
				     .pt = RELAIS_PT_ANY};
	struct relais_srtp_key rx, tx;
	char err[256];
	bool was = filling;
	int rc;

	bench_key_make(&rx, PROFILE, 2 * i);
	bench_key_make(&tx, PROFILE, 2 * i + 1);
	filling = was && !real;
	rc = bench_part(i + 1, i, &rx, &tx);
	filling = was;
	if (rc == 0 && (rc = dp_track_add(&t, err, sizeof(err))) < 0)
		fprintf(stderr, "relais-bench: %s\n", err);
	return rc;
}

/* Fill the tables with n streams; measured is the publisher under test. */
static int fill(uint32_t n, uint32_t measured)
{
	char err[256];
	int rc = 0;

	for (uint32_t i = 0; rc == 0 && i < n; i++)
		rc = add_stream(i, i == measured || i == (measured + 1) % n);
	for (uint32_t i = 0; rc == 0 && i < n; i++) {
		struct relais_ctl_sub s = {.sub_id = i + 1,
					   .part_id = (i + 1) % n + 1,
					   .track_id = i + 1,
					   .out_ssrc = OUT_SSRC_BASE + i};

		if ((rc = dp_sub_add(&s, err, sizeof(err))) < 0)
			fprintf(stderr, "relais-bench: %s\n", err);
		if ((i & 4095) == 0)
			dp_tables_reclaim();
	}
	dp_tables_reclaim();
	return rc;
}

/* Set up n streams, measure memory, run fan-out 1 against a far one. */
static int scale_one(const struct bench_opts *o, struct dp_crypto_engine *eng, struct scale_run *s)
{
	uint32_t measured = s->n - 1 - s->n / 8;
	struct bench_stream st = {SSRC_BASE + measured, 1, 0, 960};
	struct relais_srtp_key k;
	struct bench_dp d;
	size_t h0 = heap_used(), h1, m1;
	double t0;
	srtp_t pub;
	int rc;

	rc = bench_dp_start(&d, s->n + 16, s->n + 16, s->n + 16);
	if (rc < 0)
		goto out;
	h1 = heap_used();
	m1 = malloc_used();
	fill_ops = *dp_tab.eng_ops;
	fill_ops.ctx_create = fill_create;
	fill_ops.ctx_destroy = fill_destroy;
	dp_tab.eng_ops = &fill_ops;
	bench_key_make(&k, PROFILE, 0xfffff);
	placeholder = dp_crypto_libsrtp_ops.ctx_create(eng, &k, DP_CRYPTO_OUTBOUND);
	filling = !s->real_ctx;
	t0 = now_s();
	rc = placeholder ? fill(s->n, measured) : -ENOMEM;
	filling = false;
	s->setup_secs = now_s() - t0;
	s->init_bytes = h1 - h0;
	s->obj_bytes = heap_used() - h1;
	s->malloc_bytes = malloc_used() - m1;
	bench_key_make(&k, PROFILE, 2 * measured);
	pub = rc == 0 ? bench_session(&k, false) : NULL;
	if (rc == 0 && pub == NULL)
		rc = -EIO;
	if (rc == 0)
		rc = bench_measure(&d, o, pub, &st, measured, &s->r);
	if (pub)
		srtp_dealloc(pub);
out:
	bench_dp_stop(&d);
	if (placeholder)
		dp_crypto_libsrtp_ops.ctx_destroy(eng, placeholder);
	placeholder = NULL;
	return rc;
}

/* Print the scale section and its JSON lines: s[0], s[1] share contexts,
 * s[2] is s[0]'s size with every context its own. */
static void scale_report(const struct bench_opts *o, const struct scale_run *s, FILE *json)
{
	double slot = (double)(s[1].init_bytes - s[0].init_bytes) / (double)(s[1].n - s[0].n);
	double obj = (double)s[1].obj_bytes / s[1].n;
	double srtp = (double)s[2].malloc_bytes / s[2].n;

	printf("\nScale: %u vs %u configured streams%s;\n%s, fan-out 1, %u-byte payload, "
	       "publisher N - 1 - N/8\n",
	       s[0].n, s[1].n, o->quick ? " (--quick: a full run uses 1,000,000)" : "",
	       relais_srtp_profile_get(PROFILE)->name, PAYLOAD);
	printf("%10s %-12s %8s %12s %12s %14s %12s %7s\n", "streams", "srtp_ctx", "setup_s",
	       "pkts_in/s", "pkts_out/s", "cycles/pkt_out", "bound_out/s", "ratio");
	for (int i = 0; i < 3; i++) {
		const struct bench_result *r = &s[i].r;

		printf("%10u %-12s %8.1f %12.0f %12.0f %14.0f %12.0f %7.3f\n", s[i].n,
		       s[i].real_ctx ? "own" : "shared-idle", s[i].setup_secs, r->pkts_in / r->secs,
		       r->pkts_out / r->secs, (double)r->cycles / (double)r->pkts_out,
		       r->bound_out_per_s, r->pkts_out / r->secs / r->bound_out_per_s);
		if (json)
			bench_report(r, json);
	}
	printf("(shared-idle: participants without traffic share one SRTP context; own: every\n"
	       " participant has its two libsrtp2 contexts, %.0f KiB each on this build)\n",
	       srtp / 2048);
	printf("\nMemory per stream (participant + track + subscription):\n"
	       "  objects (rte_malloc heap delta over %u streams): %8.0f B\n"
	       "  table slots (rte_malloc, hashes sized by limits): %8.0f B per stream of limit\n"
	       "  SRTP contexts (libsrtp2 malloc, 2 per participant): %8.0f B\n"
	       "  total: %8.0f B per stream\n",
	       s[1].n, obj, slot, srtp, obj + slot + srtp);
	if (json)
		fprintf(json,
			"{\"kind\":\"memory\",\"engine\":\"%s\",\"profile\":\"%s\","
			"\"object_bytes_per_stream\":%.0f,\"table_bytes_per_stream\":%.0f,"
			"\"srtp_bytes_per_stream\":%.0f,\"total_bytes_per_stream\":%.0f,"
			"\"streams_small\":%u,\"streams_large\":%u,\"setup_secs_large\":%.2f}\n",
			dp_crypto_libsrtp_ops.name, relais_srtp_profile_get(PROFILE)->name, obj,
			slot, srtp, obj + slot + srtp, s[0].n, s[1].n, s[1].setup_secs);
}

/* See bench.h. */
int bench_scale(const struct bench_opts *o, FILE *json)
{
	struct scale_run s[3] = {{.n = o->scale_small, .real_ctx = false},
				 {.n = o->scale_large, .real_ctx = false},
				 {.n = o->scale_small, .real_ctx = true}};
	struct dp_crypto_engine *eng = dp_crypto_libsrtp_ops.create(1);
	int rc = eng ? 0 : -ENOMEM;

	for (int i = 0; rc == 0 && i < 3; i++) {
		s[i].r = (struct bench_result){.kind = "scale",
					       .profile = PROFILE,
					       .fanout = 1,
					       .payload = PAYLOAD,
					       .streams = s[i].n,
					       .own_ctx = s[i].real_ctx};
		rc = scale_one(o, eng, &s[i]);
	}
	if (rc == 0)
		scale_report(o, s, json);
	dp_crypto_libsrtp_ops.destroy(eng);
	return rc;
}
