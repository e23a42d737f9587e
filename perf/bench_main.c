/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-bench: options, EAL start-up, the pipeline configurations and the
 * report (table on stdout, one JSON object per line with --json FILE).
 * Exit status: 0 when every measurement ran and verified, 1 when a run
 * failed or its outputs did not match the inputs, 2 for bad usage.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include <relais/srtp_profile.h>

#include <relais/json_out.h>

#include "bench.h"
#include "dp_tables.h"

#define MAX_EAL_ARGS 16

static const char usage[] =
    "usage: relais-bench [--quick] [--json FILE] [--engine libsrtp|cryptodev|both]\n"
    "         [--secs S] [--rounds N] [--max-pkts N]\n"
    "         [--fanouts 1,8,64,1000] [--payloads 160,1200]\n"
    "         [--profiles AES_CM_128_HMAC_SHA1_80,AEAD_AES_128_GCM]\n"
    "         [--scale SMALL,LARGE | --no-scale] [--mem MB] [--lcore N] [--huge]\n";

/* Parse "a,b,c" into up to BENCH_MAX_LIST unsigned values in [lo, hi].
 * 0 or -EINVAL. */
static int parse_list(const char *s, unsigned *v, unsigned *n, unsigned long lo, unsigned long hi)
{
	char buf[256], *save = NULL, *end;

	snprintf(buf, sizeof(buf), "%s", s);
	*n = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned long x = strtoul(t, &end, 10);

		if (*n == BENCH_MAX_LIST || *end || end == t || x < lo || x > hi)
			return -EINVAL;
		v[(*n)++] = (unsigned)x;
	}
	return *n ? 0 : -EINVAL;
}

/* Parse a list of SRTP profile names. 0 or -EINVAL. */
static int parse_profiles(const char *s, struct bench_opts *o)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	o->n_profiles = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const struct relais_srtp_profile_info *p = relais_srtp_profile_by_name(t);

		if (p == NULL || o->n_profiles == BENCH_MAX_LIST)
			return -EINVAL;
		o->profiles[o->n_profiles++] = (uint16_t)p->id;
	}
	return o->n_profiles ? 0 : -EINVAL;
}

/* Defaults of a full run (or --quick's, applied before the other options
 * so they can override it). */
static void defaults(struct bench_opts *o, bool quick)
{
	static const unsigned fan[] = {1, 8, 64, 1000}, pay[] = {160, 1200};
	/* --quick leaves out fan-out 1000 (and says so): with libsrtp2 on NSS
	 * its 3,000 live contexts make it the slowest configuration. */

	memset(o, 0, sizeof(*o));
	o->quick = quick;
	o->secs = quick ? 0.05 : 0.4;
	o->rounds = quick ? 2 : 3;
	o->max_pkts = UINT64_MAX;
	o->n_fanouts = quick ? 3 : RTE_DIM(fan);
	memcpy(o->fanouts, fan, sizeof(fan));
	o->n_payloads = RTE_DIM(pay);
	memcpy(o->payloads, pay, sizeof(pay));
	o->n_profiles = 2;
	o->profiles[0] = RELAIS_SRTP_AES128_CM_SHA1_80;
	o->profiles[1] = RELAIS_SRTP_AEAD_AES_128_GCM;
	o->engines[0] = "libsrtp";
	o->engines[1] = "cryptodev";
	o->n_engines = 2;
	o->scale_small = 1000;
	o->scale_large = quick ? 100000 : 1000000;
}

/* --engine: libsrtp, cryptodev or both (in that order). 0 or -EINVAL. */
static int parse_engine(const char *v, struct bench_opts *o)
{
	o->n_engines = 0;
	if (!strcmp(v, "libsrtp") || !strcmp(v, "both"))
		o->engines[o->n_engines++] = "libsrtp";
	if (!strcmp(v, "cryptodev") || !strcmp(v, "both"))
		o->engines[o->n_engines++] = "cryptodev";
	return o->n_engines ? 0 : -EINVAL;
}

/* One option with its value; returns 0, or -EINVAL for a bad value. */
static int option(struct bench_opts *o, const char *k, const char *v, unsigned *lcore)
{
	unsigned sc[BENCH_MAX_LIST], n;
	char *end;

	if (!strcmp(k, "--json"))
		o->json = v;
	else if (!strcmp(k, "--engine"))
		return parse_engine(v, o);
	else if (!strcmp(k, "--secs"))
		return (o->secs = strtod(v, &end)) > 0 && !*end ? 0 : -EINVAL;
	else if (!strcmp(k, "--rounds"))
		return parse_list(v, &o->rounds, &n, 1, 100);
	else if (!strcmp(k, "--max-pkts"))
		return (o->max_pkts = strtoull(v, &end, 10)) > 0 && !*end ? 0 : -EINVAL;
	else if (!strcmp(k, "--fanouts"))
		return parse_list(v, o->fanouts, &o->n_fanouts, 1, BENCH_MAX_FANOUT);
	else if (!strcmp(k, "--payloads"))
		return parse_list(v, o->payloads, &o->n_payloads, 0, BENCH_MAX_PAYLOAD);
	else if (!strcmp(k, "--profiles"))
		return parse_profiles(v, o);
	else if (!strcmp(k, "--scale")) {
		if (parse_list(v, sc, &n, 16, 4000000) < 0 || n != 2 || sc[0] >= sc[1])
			return -EINVAL;
		o->scale_small = sc[0];
		o->scale_large = sc[1];
	} else if (!strcmp(k, "--mem"))
		return parse_list(v, &o->mem_mb, &n, 256, 1u << 20);
	else if (!strcmp(k, "--lcore"))
		return parse_list(v, lcore, &n, 0, RTE_MAX_LCORE - 1);
	else
		return -EINVAL;
	return 0;
}

/* Parse argv into o. 0, or -EINVAL after printing the usage. */
static int parse_args(int argc, char **argv, struct bench_opts *o, unsigned *lcore)
{
	bool quick = false;

	for (int i = 1; i < argc; i++)
		quick |= !strcmp(argv[i], "--quick");
	defaults(o, quick);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			continue;
		if (!strcmp(argv[i], "--huge"))
			o->huge = true;
		else if (!strcmp(argv[i], "--no-scale"))
			o->scale_small = o->scale_large = 0;
		else if (i + 1 >= argc || option(o, argv[i], argv[i + 1], lcore) < 0)
			goto bad;
		else
			i++;
	}
	if (o->mem_mb == 0) /* ~2.5 KB per large-run stream plus pools */
		o->mem_mb = 1024 + (unsigned)(o->scale_large / 400);
	return 0;
bad:
	fputs(usage, stderr);
	return -EINVAL;
}

/* Start EAL on one lcore, without hugepages unless asked, with a file
 * prefix of our own so runs never collide. 0 or -errno. */
static int eal_start(const char *prog, const struct bench_opts *o, unsigned lcore)
{
	static char mem[32], pfx[64], lc[32];
	char *argv[MAX_EAL_ARGS];
	int argc = 0;

	snprintf(mem, sizeof(mem), "%u", o->mem_mb);
	snprintf(pfx, sizeof(pfx), "--file-prefix=relais_bench_%ld", (long)getpid());
	snprintf(lc, sizeof(lc), "-l%u", lcore);
	argv[argc++] = (char *)(uintptr_t)prog;
	argv[argc++] = lc;
	if (!o->huge)
		argv[argc++] = (char *)(uintptr_t) "--no-huge";
	argv[argc++] = (char *)(uintptr_t) "-m";
	argv[argc++] = mem;
	argv[argc++] = (char *)(uintptr_t) "--no-pci";
	argv[argc++] = (char *)(uintptr_t) "--no-shconf";
	argv[argc++] = (char *)(uintptr_t) "--no-telemetry";
	argv[argc++] = (char *)(uintptr_t) "--log-level=*:error";
	argv[argc++] = pfx;
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "relais-bench: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

/* Add fanout subscribers (ids and addresses from first on, keys of prof)
 * to track tid as SSRC out_ssrc. 0 or -errno. */
static int add_subscribers(uint16_t prof, uint32_t first, unsigned fanout, uint32_t tid,
			   uint32_t out_ssrc)
{
	struct relais_srtp_key rx, tx;
	char err[256];
	int rc = 0;

	for (uint32_t j = 0; rc == 0 && j < fanout; j++) {
		struct relais_ctl_sub s = {.sub_id = first + j,
					   .part_id = first + j,
					   .track_id = tid,
					   .out_ssrc = out_ssrc};

		bench_key_make(&rx, prof, 2 * (first + j));
		bench_key_make(&tx, prof, 2 * (first + j) + 1);
		rc = bench_part(first + j, first + j, &rx, &tx);
		if (rc == 0 && (rc = dp_sub_add(&s, err, sizeof(err))) < 0)
			fprintf(stderr, "relais-bench: %s\n", err);
	}
	return rc;
}

/* Remove participants first .. first + n - 1 (with their subscriptions)
 * and free their contexts now. */
static void del_parts(uint32_t first, unsigned n)
{
	char err[256];

	for (uint32_t j = 0; j < n; j++)
		dp_part_del(first + j, err, sizeof(err));
	dp_tables_reclaim();
}

/* One fan-out of one profile: a track of the publisher (participant base),
 * exactly `fanout` subscribers, every payload size; then the subscribers
 * are removed, so the only live SRTP contexts are the ones this
 * configuration uses (libsrtp2 on NSS slows down with every live context,
 * see docs/performance.md). 0 or -errno. */
static int run_fanout(struct bench_dp *d, const struct bench_opts *o, unsigned pi, unsigned f,
		      srtp_t pub, FILE *json)
{
	uint16_t prof = o->profiles[pi];
	uint32_t base = 1 + pi * 100000, tid = base + f, ssrc = 0x51000000u + (pi << 8) + f;
	uint32_t first = base + 1 + f * 1024;
	struct relais_ctl_track t = {.track_id = tid,
				     .part_id = base,
				     .ssrc = ssrc,
				     .clock_rate = 48000,
				     .kind = RELAIS_TRACK_AUDIO,
				     .pt = RELAIS_PT_ANY};
	struct bench_stream st = {ssrc, 1, 0, 960};
	char err[256];
	int rc = dp_track_add(&t, err, sizeof(err));

	if (rc < 0)
		fprintf(stderr, "relais-bench: %s\n", err);
	else
		rc = add_subscribers(prof, first, o->fanouts[f], tid, 0x61000000u + ssrc);
	dp_tables_reclaim();
	for (unsigned p = 0; rc == 0 && p < o->n_payloads; p++) {
		struct bench_result r = {.kind = "pipeline",
					 .engine = d->app.eng_ops->name,
					 .profile = prof,
					 .fanout = o->fanouts[f],
					 .payload = o->payloads[p]};
		const struct bench_result *ls = bench_find("libsrtp", prof, r.fanout, r.payload);

		rc = bench_measure(d, o, pub, &st, base, &r);
		if (ls && strcmp(r.engine, "libsrtp") && ls->secs > 0)
			r.libsrtp_out_per_s = (double)ls->pkts_out / ls->secs;
		if (rc == 0)
			rc = bench_keep(&r);
		if (rc == 0)
			bench_report(&r, json);
		fflush(stdout);
	}
	del_parts(first, o->fanouts[f]);
	bench_bound_fini();
	return rc;
}

/* The publisher of one profile and every fan-out configuration. */
static int run_profile(struct bench_dp *d, const struct bench_opts *o, unsigned pi, FILE *json)
{
	uint32_t base = 1 + pi * 100000;
	struct relais_srtp_key rx, tx;
	srtp_t pub = NULL;
	int rc;

	bench_key_make(&rx, o->profiles[pi], 2 * base);
	bench_key_make(&tx, o->profiles[pi], 2 * base + 1);
	rc = bench_part(base, base, &rx, &tx);
	pub = rc == 0 ? bench_session(&rx, false) : NULL;
	if (rc == 0 && pub == NULL)
		rc = -EIO;
	for (unsigned f = 0; rc == 0 && f < o->n_fanouts; f++)
		rc = run_fanout(d, o, pi, f, pub, json);
	if (pub)
		srtp_dealloc(pub);
	del_parts(base, 1);
	return rc;
}

/* The pipeline table of one engine: every profile x fan-out x payload.
 * 0 or -errno. */
static int run_pipeline(const struct bench_opts *o, const char *engine, FILE *json)
{
	bool cdev = !strcmp(engine, "cryptodev");
	struct bench_dp d;
	int rc = bench_dp_start(&d, engine, 4096, 1024, 8192);

	if (rc == 0 && strcmp(d.app.eng_ops->name, engine)) {
		fprintf(stderr, "relais-bench: asked for engine %s, got %s\n", engine,
			d.app.eng_ops->name);
		rc = -EINVAL;
	}
	printf("Pipeline, one core, engine %s (classify, unprotect, rewrite, fan-out, protect, "
	       "TX);\nbound = %s alone doing the same crypto%s:\n"
	       "%-24s %6s %7s %12s %12s %14s %12s %7s %s\n",
	       engine, cdev ? "rte_cryptodev (crypto_aesni_mb)" : "libsrtp2",
	       cdev ? ", x_libsrtp = pkts_out/s / libsrtp pipeline's" : "", "profile", "fanout",
	       "payload", "pkts_in/s", "pkts_out/s", "cycles/pkt_out", "bound_out/s", "ratio",
	       cdev ? "x_libsrtp" : "");
	for (unsigned pi = 0; rc == 0 && pi < o->n_profiles; pi++)
		rc = run_profile(&d, o, pi, json);
	bench_dp_stop(&d);
	printf("\n");
	return rc;
}

/* The CPU's model name from /proc/cpuinfo (or "unknown"). */
static void cpu_model(char *buf, size_t n)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, n, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (c && !strncmp(line, "model name", 10)) {
			snprintf(buf, n, "%s", c + 2);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
}

/* Stop EAL and remove its runtime directory. */
static void eal_stop(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (dir[0])
		rmdir(dir);
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	unsigned lcore = 0;
	struct dp_crypto_engine *hold;
	FILE *json = NULL;
	char cpu[128];
	int rc;

	if (parse_args(argc, argv, &o, &lcore) < 0)
		return 2;
	bench_report_setup(o.quick, o.rounds);
	if (o.json && (json = fopen(o.json, "w")) == NULL) {
		perror(o.json);
		return 2;
	}
	if (eal_start(argv[0], &o, lcore) < 0)
		return 1;
	cpu_model(cpu, sizeof(cpu));
	printf("relais-bench%s: %s, TSC %.3f GHz (cycles are rdtsc), lcore %u, %s,\n"
	       "best of %u rounds of %.2f s per measurement\n\n",
	       o.quick ? " --quick (fan-outs 1, 8, 64, no 1000; scale 1,000 vs 100,000)" : "", cpu,
	       (double)rte_get_tsc_hz() / 1e9, lcore, o.huge ? "hugepages" : "no hugepages",
	       o.rounds, o.secs);
	/* Holding an engine keeps libsrtp initialised between dataplanes. */
	hold = dp_crypto_libsrtp_ops.create(1);
	rc = hold ? 0 : -ENOMEM;
	for (unsigned i = 0; rc == 0 && i < o.n_engines; i++)
		rc = run_pipeline(&o, o.engines[i], json);
	bench_cdev_fini();
	if (rc == 0)
		bench_capacity(&o, json);
	for (unsigned i = 0; rc == 0 && o.scale_large && i < o.n_engines; i++)
		rc = bench_scale(&o, o.engines[i], json);
	bench_bound_fini();
	bench_cdev_fini(); /* the scale rows' bounds opened it again */
	dp_crypto_libsrtp_ops.destroy(hold);
	if (json && fclose(json) != 0)
		rc = -EIO;
	eal_stop();
	if (rc < 0)
		fprintf(stderr, "relais-bench: FAILED (%s)\n", strerror(-rc));
	return rc < 0 ? 1 : 0;
}
