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
 * about 29 KiB, so 2 x 1,000,000 of them would need ~58 GB. The cryptodev
 * engine's contexts are smaller (~3 KB of state plus one or two ~1.5 KB
 * device sessions each, measured below), but its session pools stop at
 * CDV_MAX_POOLS x CDV_POOL_SESSIONS sessions, fewer than 1,000,000
 * participants need. So in the small and large runs the participants that
 * carry no traffic share one real placeholder context (made by the engine
 * under test, freed when its last user is); the tables, the objects and
 * every lookup are real, and the measured participant and its subscriber
 * have their own contexts. A third run repeats the small size with every
 * context its own: it measures their memory (malloc for libsrtp2, DPDK
 * heap and device sessions for cryptodev) and shows what many live
 * contexts cost per packet.
 */
#include <errno.h>
#include <malloc.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include <relais/srtp_profile.h>

#include <relais/json_out.h>

#include "bench.h"
#include "dp_crypto_cryptodev.h" /* CDV_* limits, for the report only */
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
	size_t sess_bytes;   /* cryptodev sessions taken by the N streams */
	size_t n_sess;       /* how many */
	double setup_secs;
	struct bench_result r;
};

/* The engine under test, the placeholder context and the ops that hand
 * it out while filling. The placeholder is destroyed with its last user. */
static const struct dp_crypto_engine_ops *real_ops;
static struct dp_crypto_engine_ops fill_ops;
static struct dp_crypto_ctx *placeholder;
static uint64_t placeholder_refs;
static bool filling;

/* ctx_create of the fill ops: the shared placeholder while filling, else a
 * real context. */
static struct dp_crypto_ctx *fill_create(struct dp_crypto_engine *e,
					 const struct relais_srtp_key *key, enum dp_crypto_dir dir)
{
	if (filling) {
		placeholder_refs++;
		return placeholder;
	}
	return real_ops->ctx_create(e, key, dir);
}

/* ctx_destroy of the fill ops: real contexts at once, the placeholder
 * when its last user goes. */
static void fill_destroy(struct dp_crypto_engine *e, struct dp_crypto_ctx *c)
{
	if (c != placeholder)
		real_ops->ctx_destroy(e, c);
	else if (placeholder_refs > 0 && --placeholder_refs == 0) {
		real_ops->ctx_destroy(e, placeholder);
		placeholder = NULL;
	}
}

/* rte_mempool_walk callback: add the bytes and count of the sessions in
 * use in the cryptodev engine's session pools ("cdv_sess_*"). */
static void sess_walk(struct rte_mempool *mp, void *arg)
{
	size_t *acc = arg;
	size_t used;

	if (strncmp(mp->name, "cdv_sess_", 9) != 0)
		return;
	used = rte_mempool_in_use_count(mp);
	acc[0] += used * (mp->header_size + mp->elt_size + mp->trailer_size);
	acc[1] += used;
}

/* Bytes (acc[0]) and number (acc[1]) of cryptodev sessions in use. */
static void sessions_used(size_t acc[2])
{
	acc[0] = acc[1] = 0;
	rte_mempool_walk(sess_walk, acc);
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

/* Wrap the engine of the running dataplane so that filling hands out the
 * placeholder, and make the placeholder. 0 or -ENOMEM. */
static int wrap_engine(void)
{
	struct relais_srtp_key k;

	real_ops = dp_tab.eng_ops;
	fill_ops = *real_ops;
	fill_ops.ctx_create = fill_create;
	fill_ops.ctx_destroy = fill_destroy;
	dp_tab.eng_ops = &fill_ops;
	bench_key_make(&k, PROFILE, 0xfffff);
	placeholder = real_ops->ctx_create(dp_tab.eng, &k, DP_CRYPTO_OUTBOUND);
	placeholder_refs = 0;
	return placeholder ? 0 : -ENOMEM;
}

/* Set up n streams, measure memory, run fan-out 1 against a far one. */
static int scale_one(const struct bench_opts *o, const char *engine, struct scale_run *s)
{
	uint32_t measured = s->n - 1 - s->n / 8;
	struct bench_stream st = {SSRC_BASE + measured, 1, 0, 960};
	struct relais_srtp_key k;
	struct bench_dp d;
	size_t h0 = heap_used(), h1, m1, s0[2], s1[2];
	double t0;
	srtp_t pub;
	int rc;

	rc = bench_dp_start(&d, engine, s->n + 16, s->n + 16, s->n + 16);
	if (rc < 0)
		goto out;
	rc = wrap_engine();
	h1 = heap_used();
	m1 = malloc_used();
	sessions_used(s0);
	filling = !s->real_ctx;
	t0 = now_s();
	if (rc == 0)
		rc = fill(s->n, measured);
	filling = false;
	s->setup_secs = now_s() - t0;
	s->init_bytes = h1 - h0;
	s->obj_bytes = heap_used() - h1;
	s->malloc_bytes = malloc_used() - m1;
	sessions_used(s1);
	s->sess_bytes = s1[0] - s0[0];
	s->n_sess = s1[1] - s0[1];
	if (placeholder && placeholder_refs == 0) { /* nobody took it */
		real_ops->ctx_destroy(dp_tab.eng, placeholder);
		placeholder = NULL;
	}
	bench_key_make(&k, PROFILE, 2 * measured);
	pub = rc == 0 ? bench_session(&k, false) : NULL;
	if (rc == 0 && pub == NULL)
		rc = -EIO;
	if (rc == 0)
		rc = bench_measure(&d, o, pub, &st, measured, &s->r);
	if (pub)
		srtp_dealloc(pub);
out:
	bench_dp_stop(&d); /* destroys the placeholder with its last user */
	placeholder = NULL;
	placeholder_refs = 0;
	return rc;
}

/* Per-stream bytes of the SRTP contexts (two per participant), measured
 * in the `own` run s2 against the shared run s0 of the same size: malloc
 * (libsrtp2), DPDK heap (cryptodev context state) and device sessions. */
static double ctx_bytes(const struct scale_run *s0, const struct scale_run *s2, double *heap,
			double *sess)
{
	*heap = s2->obj_bytes > s0->obj_bytes ? (double)(s2->obj_bytes - s0->obj_bytes) / s2->n : 0;
	*sess = (double)s2->sess_bytes / s2->n;
	return (double)s2->malloc_bytes / s2->n + *heap + *sess;
}

/* What real contexts for every participant of the large run would take. */
static void large_note(const char *engine, const struct scale_run *s, double srtp)
{
	double gb = srtp * s[1].n / 1e9;

	printf("  real contexts for %u participants: %.1f GB", s[1].n, gb);
	if (!strcmp(engine, "cryptodev"))
		printf(", %.0f device sessions (the engine's pools stop at %u x %u = %u)",
		       (double)s[2].n_sess / s[2].n * s[1].n, CDV_MAX_POOLS, CDV_POOL_SESSIONS,
		       CDV_MAX_POOLS * CDV_POOL_SESSIONS);
	printf("\n  -> the large run keeps the shared-idle placeholder contexts\n");
}

/* The memory line of the JSON output (bytes per stream, from scale_report). */
static void json_memory(FILE *f, const char *engine, const struct scale_run *s, double obj,
			double slot, double srtp)
{
	struct json_out j;

	json_out_init_file(&j, f, JSON_COMPACT);
	json_obj_begin(&j);
	json_kstr(&j, "kind", "memory");
	json_kstr(&j, "engine", engine);
	json_kstr(&j, "profile", relais_srtp_profile_get(PROFILE)->name);
	json_kdbl(&j, "object_bytes_per_stream", obj, 0);
	json_kdbl(&j, "table_bytes_per_stream", slot, 0);
	json_kdbl(&j, "srtp_bytes_per_stream", srtp, 0);
	json_kdbl(&j, "srtp_bytes_per_context", srtp / 2, 0);
	json_kdbl(&j, "sessions_per_stream", (double)s[2].n_sess / s[2].n, 2);
	json_kdbl(&j, "total_bytes_per_stream", obj + slot + srtp, 0);
	json_ku64(&j, "streams_small", s[0].n);
	json_ku64(&j, "streams_large", s[1].n);
	json_kdbl(&j, "setup_secs_large", s[1].setup_secs, 2);
	json_kbool(&j, "large_real_contexts", false);
	json_obj_end(&j);
	json_ws(&j, "\n");
	json_out_finish(&j);
}

/* Print the scale section and its JSON lines: s[0], s[1] share contexts,
 * s[2] is s[0]'s size with every context its own. */
static void scale_report(const struct bench_opts *o, const char *engine, const struct scale_run *s,
			 FILE *json)
{
	double slot = (double)(s[1].init_bytes - s[0].init_bytes) / (double)(s[1].n - s[0].n);
	double obj = (double)s[1].obj_bytes / s[1].n, heap, sess;
	double srtp = ctx_bytes(&s[0], &s[2], &heap, &sess);

	printf("Scale, engine %s: %u vs %u configured streams%s;\n%s, fan-out 1, %u-byte payload, "
	       "publisher N - 1 - N/8\n",
	       engine, s[0].n, s[1].n, o->quick ? " (--quick: a full run uses 1,000,000)" : "",
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
	       " participant has its two %s contexts, %.0f B each on this build)\n",
	       engine, srtp / 2);
	printf("\nMemory per stream, engine %s (participant + track + subscription):\n"
	       "  objects (rte_malloc heap delta over %u streams): %8.0f B\n"
	       "  table slots (rte_malloc, hashes sized by limits): %8.0f B per stream of limit\n"
	       "  SRTP contexts (2 per participant): %8.0f B (malloc %.0f, DPDK heap %.0f,\n"
	       "    %.1f device sessions %.0f)\n"
	       "  total: %8.0f B per stream\n",
	       engine, s[1].n, obj, slot, srtp, (double)s[2].malloc_bytes / s[2].n, heap,
	       (double)s[2].n_sess / s[2].n, sess, obj + slot + srtp);
	large_note(engine, s, srtp);
	printf("\n");
	if (json)
		json_memory(json, engine, s, obj, slot, srtp);
}

/* See bench.h. */
int bench_scale(const struct bench_opts *o, const char *engine, FILE *json)
{
	struct scale_run s[3] = {{.n = o->scale_small, .real_ctx = false},
				 {.n = o->scale_large, .real_ctx = false},
				 {.n = o->scale_small, .real_ctx = true}};
	int rc = 0;

	for (int i = 0; rc == 0 && i < 3; i++) {
		s[i].r = (struct bench_result){.kind = "scale",
					       .engine = engine,
					       .profile = PROFILE,
					       .fanout = 1,
					       .payload = PAYLOAD,
					       .streams = s[i].n,
					       .own_ctx = s[i].real_ctx};
		rc = scale_one(o, engine, &s[i]);
	}
	if (rc == 0)
		scale_report(o, engine, s, json);
	return rc;
}
