/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Measuring and reporting, shared by the pipeline runs (bench_main.c) and
 * the scale runs (bench_scale.c): the best of o->rounds rounds against the
 * crypto-only bound of the same round, printed as a table row and as one
 * JSON line (docs/performance.md).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include <relais/json_out.h>
#include <relais/srtp_profile.h>

#include "bench.h"

static bool g_quick;      /* the run is --quick (said in every JSON line) */
static unsigned g_rounds; /* rounds per measurement */

/* See bench.h. */
void bench_report_setup(bool quick, unsigned rounds)
{
	g_quick = quick;
	g_rounds = rounds;
}

/* One result as a JSON line; the rates are bench_report()'s. */
static void json_report(FILE *f, const struct bench_result *r, const char *prof, double in_s,
			double out_s, double cyc, double ratio, double x_ls)
{
	struct json_out j;

	json_out_init_file(&j, f, JSON_COMPACT);
	json_obj_begin(&j);
	json_kstr(&j, "kind", r->kind);
	json_kstr(&j, "engine", r->engine);
	json_kstr(&j, "profile", prof);
	json_ku64(&j, "fanout", r->fanout);
	json_ku64(&j, "payload_bytes", r->payload);
	json_ku64(&j, "streams", r->streams);
	json_kbool(&j, "own_srtp_contexts", r->own_ctx);
	json_ku64(&j, "pkts_in", r->pkts_in);
	json_ku64(&j, "pkts_out", r->pkts_out);
	json_kdbl(&j, "seconds", r->secs, 6);
	json_kdbl(&j, "pkts_in_per_s", in_s, 0);
	json_kdbl(&j, "pkts_out_per_s", out_s, 0);
	json_kdbl(&j, "cycles_per_pkt_out", cyc, 1);
	json_kdbl(&j, "bound_pkts_out_per_s", r->bound_out_per_s, 0);
	json_kdbl(&j, "ratio_to_bound", ratio, 4);
	if (x_ls > 0)
		json_kdbl(&j, "ratio_to_libsrtp", x_ls, 4);
	json_ku64(&j, "tsc_hz", rte_get_tsc_hz());
	json_ku64(&j, "rounds", g_rounds);
	json_kbool(&j, "quick", g_quick);
	json_obj_end(&j);
	json_ws(&j, "\n");
	json_out_finish(&j);
}

/* See bench.h. */
void bench_report(const struct bench_result *r, FILE *json)
{
	const char *prof = relais_srtp_profile_get(r->profile)->name;
	double in_s = r->secs > 0 ? (double)r->pkts_in / r->secs : 0;
	double out_s = r->secs > 0 ? (double)r->pkts_out / r->secs : 0;
	double cyc = r->pkts_out ? (double)r->cycles / (double)r->pkts_out : 0;
	double ratio = r->bound_out_per_s > 0 ? out_s / r->bound_out_per_s : 0;
	double x_ls = r->libsrtp_out_per_s > 0 ? out_s / r->libsrtp_out_per_s : 0;
	char xs[48] = "";

	if (x_ls > 0)
		snprintf(xs, sizeof(xs), "%9.2f", x_ls);
	if (!strcmp(r->kind, "pipeline"))
		printf("%-24s %6u %7u %12.0f %12.0f %14.0f %12.0f %7.3f %s\n", prof, r->fanout,
		       r->payload, in_s, out_s, cyc, r->bound_out_per_s, ratio, xs);
	if (json)
		json_report(json, r, prof, in_s, out_s, cyc, ratio, x_ls);
}

/* See bench.h. */
int bench_measure(struct bench_dp *d, const struct bench_opts *o, srtp_t pub,
		  struct bench_stream *st, uint32_t addr_idx, struct bench_result *r)
{
	struct bench_result best = *r, cur;
	int rc = 0;

	for (unsigned i = 0; rc == 0 && i < o->rounds; i++) {
		cur = *r;
		rc = bench_pipe_run(d, o, pub, st, addr_idx, r->payload, r->fanout, &cur);
		if (rc == 0 && !strcmp(r->engine, "cryptodev"))
			rc = bench_cdev_bound(o, r->profile, r->fanout, r->payload, &cur);
		else if (rc == 0)
			rc = bench_bound(o, r->profile, r->fanout, r->payload, &cur);
		if (rc < 0)
			break;
		if (i == 0 || cur.pkts_out * best.secs > best.pkts_out * cur.secs) {
			best.pkts_in = cur.pkts_in;
			best.pkts_out = cur.pkts_out;
			best.cycles = cur.cycles;
			best.secs = cur.secs;
		}
		best.bound_out_per_s = RTE_MAX(best.bound_out_per_s, cur.bound_out_per_s);
	}
	*r = best;
	return rc;
}
