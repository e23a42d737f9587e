/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_bench: STUN answers and DTLS handshakes per second of relais-edge's
 * ICE-lite agent and DTLS-SRTP server on one core (edge_bench.h,
 * docs/performance.md "WebRTC edge"). Options, rounds and the report: a
 * table on stdout and, with --json FILE, one JSON object per row and a
 * summary line.
 *
 *   edge_bench [--quick] [--secs S] [--rounds N] [--max N] [--sessions L]
 *              [--capacity N] [--only stun|dtls] [--json FILE]
 *
 * Exit status: 0 when every answer, refusal and handshake verified; 1 when
 * one did not or a setup failed; 2 for bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include <relais/json_out.h>

#include "edge_bench.h"
#include "edge_ice.h"

#define DEFAULT_CAPACITY 4096 /* relais-edge --max-sessions default */
#define MAX_OPS_DEFAULT 100000000ull

/* The best round of a STUN row and the checks of all its rounds. */
struct stun_row {
	unsigned sessions;
	enum eb_stun_case c;
	struct eb_stun_round best;
	uint64_t requests, verified, wrong; /* all rounds */
	struct eb_time first_checks;        /* setup's nominations */
};

/* The best DTLS round (least server CPU per handshake) and all checks. */
struct dtls_row {
	struct eb_dtls_round best;
	uint64_t handshakes, failed; /* all rounds */
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* See edge_bench.h. */
void eb_time_start(struct eb_time *start)
{
	start->wall_ns = clock_ns(CLOCK_MONOTONIC);
	start->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* See edge_bench.h. */
void eb_time_add(struct eb_time *acc, const struct eb_time *start)
{
	acc->cpu_ns += clock_ns(CLOCK_THREAD_CPUTIME_ID) - start->cpu_ns;
	acc->wall_ns += clock_ns(CLOCK_MONOTONIC) - start->wall_ns;
}

/* ops per second of ns nanoseconds; 0 when nothing was timed. */
static double rate(uint64_t ops, uint64_t ns)
{
	return ns ? (double)ops * 1e9 / (double)ns : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: edge_bench [--quick] [--secs S] [--rounds N] [--max N] [--sessions L]\n"
		"                  [--capacity N] [--only stun|dtls] [--json FILE]\n");
}

/* Parse "1,1000,4096" into o->sessions; 0 or -EINVAL. */
static int parse_sessions(struct eb_opts *o, const char *list)
{
	char *end;

	o->n_sessions = 0;
	do {
		unsigned long v = strtoul(list, &end, 10);

		if (end == list || v == 0 || v > EDGE_ICE_CAPACITY_MAX ||
		    o->n_sessions == EB_MAX_SESSION_COUNTS)
			return -EINVAL;
		o->sessions[o->n_sessions++] = (unsigned)v;
		list = end + 1;
	} while (*end == ',');
	return *end == '\0' ? 0 : -EINVAL;
}

/* One option (and its value at argv[*i + 1]); 0 or -EINVAL. */
static int parse_opt(struct eb_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;

	if (!strcmp(a, "--quick")) {
		o->quick = true;
		o->secs = 0.05;
		o->rounds = 2;
		return parse_sessions(o, "1,1000");
	}
	if (v == NULL)
		return -EINVAL;
	(*i)++;
	if (!strcmp(a, "--secs"))
		o->secs = strtod(v, NULL);
	else if (!strcmp(a, "--rounds"))
		o->rounds = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(a, "--max"))
		o->max_ops = strtoull(v, NULL, 10);
	else if (!strcmp(a, "--capacity"))
		o->capacity = (unsigned)strtoul(v, NULL, 10);
	else if (!strcmp(a, "--json"))
		o->json_path = v;
	else if (!strcmp(a, "--sessions"))
		return parse_sessions(o, v);
	else if (!strcmp(a, "--only") && (!strcmp(v, "stun") || !strcmp(v, "dtls")))
		o->run_stun = !strcmp(v, "stun"), o->run_dtls = !o->run_stun;
	else
		return -EINVAL;
	return 0;
}

/* Defaults, then argv; 0 or -EINVAL. */
static int parse_args(struct eb_opts *o, int argc, char **argv)
{
	*o = (struct eb_opts){.run_stun = true,
			      .run_dtls = true,
			      .secs = 0.5,
			      .rounds = 3,
			      .max_ops = MAX_OPS_DEFAULT,
			      .capacity = DEFAULT_CAPACITY};
	if (parse_sessions(o, "1,1000,4096") != 0)
		return -EINVAL;
	for (int i = 1; i < argc; i++)
		if (parse_opt(o, argc, argv, &i) != 0)
			return -EINVAL;
	if (!(o->secs > 0 && o->secs <= 60) || o->rounds == 0 || o->rounds > 100 ||
	    o->max_ops == 0 || o->capacity == 0 || o->capacity > EDGE_ICE_CAPACITY_MAX)
		return -EINVAL;
	for (unsigned k = 0; k < o->n_sessions; k++)
		if (o->sessions[k] > o->capacity)
			return -EINVAL;
	return 0;
}

/* Measure every case of one session count into rows[EB_STUN_CASES];
 * 0 or -1 when the setup failed. */
static int stun_measure(const struct eb_opts *o, unsigned sessions, struct stun_row *rows)
{
	struct eb_stun *b = eb_stun_new(sessions, o->capacity);
	struct eb_stun_round r;

	if (b == NULL)
		return -1;
	for (int c = 0; c < EB_STUN_CASES; c++) {
		struct stun_row *row = &rows[c];

		*row = (struct stun_row){.sessions = sessions, .c = (enum eb_stun_case)c};
		eb_stun_first_checks(b, &row->first_checks);
		for (unsigned k = 0; k < o->rounds; k++) {
			eb_stun_round(b, row->c, o->secs, o->max_ops, &r);
			row->requests += r.requests;
			row->verified += r.verified;
			row->wrong += r.wrong;
			if (rate(r.requests, r.t.cpu_ns) >
			    rate(row->best.requests, row->best.t.cpu_ns))
				row->best = r;
		}
	}
	eb_stun_free(b);
	return 0;
}

/* The handshakes of every round; 0 or -1 when the setup failed. */
static int dtls_measure(const struct eb_opts *o, struct dtls_row *row)
{
	struct eb_dtls *b = eb_dtls_new();
	struct eb_dtls_round r;

	if (b == NULL)
		return -1;
	memset(row, 0, sizeof(*row));
	for (unsigned k = 0; k < o->rounds; k++) {
		eb_dtls_round(b, o->secs, o->max_ops, &r);
		row->handshakes += r.handshakes;
		row->failed += r.failed;
		if (rate(r.handshakes, r.server.cpu_ns) >
		    rate(row->best.handshakes, row->best.server.cpu_ns))
			row->best = r;
	}
	eb_dtls_free(b);
	return 0;
}

/* The fields every JSON line ends with. */
static void json_tail(struct json_out *j, const struct eb_opts *o)
{
	json_ku64(j, "rounds", o->rounds);
	json_kdbl(j, "secs_per_round", o->secs, 3);
	json_kbool(j, "quick", o->quick);
	json_obj_end(j);
	json_ws(j, "\n");
}

static void json_stun(struct json_out *j, const struct eb_opts *o, const struct stun_row *r)
{
	json_obj_begin(j);
	json_kstr(j, "kind", "stun");
	json_kstr(j, "case", eb_stun_case_name(r->c));
	json_ku64(j, "sessions", r->sessions);
	json_ku64(j, "capacity", o->capacity);
	json_ku64(j, "requests", r->requests);
	json_ku64(j, "verified", r->verified);
	json_ku64(j, "wrong", r->wrong);
	json_kdbl(j, "ns_per_request", (double)r->best.t.cpu_ns / (double)r->best.requests, 1);
	json_kdbl(j, "per_s", rate(r->best.requests, r->best.t.cpu_ns), 0);
	json_kdbl(j, "per_s_wall", rate(r->best.requests, r->best.t.wall_ns), 0);
	json_kdbl(j, "first_check_ns", (double)r->first_checks.cpu_ns / r->sessions, 1);
	json_tail(j, o);
}

static void json_dtls(struct json_out *j, const struct eb_opts *o, const struct dtls_row *r)
{
	const struct eb_dtls_round *b = &r->best;
	double n = b->handshakes ? (double)b->handshakes : 1;

	json_obj_begin(j);
	json_kstr(j, "kind", "dtls");
	json_kstr(j, "profile", b->profile);
	json_ku64(j, "handshakes", r->handshakes);
	json_ku64(j, "failed", r->failed);
	json_kdbl(j, "datagrams_per_handshake", (double)b->datagrams / n, 1);
	json_kdbl(j, "server_us_per_handshake", (double)b->server.cpu_ns / n / 1e3, 1);
	json_kdbl(j, "client_us_per_handshake", (double)b->client.cpu_ns / n / 1e3, 1);
	json_kdbl(j, "server_handshakes_per_s", rate(b->handshakes, b->server.cpu_ns), 1);
	json_kdbl(j, "client_handshakes_per_s", rate(b->handshakes, b->client.cpu_ns), 1);
	json_kdbl(j, "handshakes_per_s_both_sides", rate(b->handshakes, b->total.wall_ns), 1);
	json_tail(j, o);
}

/* The headline figures: answers and forged-check refusals per second at
 * the largest session count, server handshakes per second per core, and
 * whether everything verified. */
static void json_summary(struct json_out *j, const struct eb_opts *o, const struct stun_row *last,
			 const struct dtls_row *d, bool ok)
{
	json_obj_begin(j);
	json_kstr(j, "kind", "summary");
	if (last != NULL) {
		json_ku64(j, "sessions", last[EB_STUN_ANSWERED].sessions);
		json_kdbl(j, "stun_answers_per_s",
			  rate(last[EB_STUN_ANSWERED].best.requests,
			       last[EB_STUN_ANSWERED].best.t.cpu_ns),
			  0);
		json_kdbl(j, "stun_bad_integrity_per_s",
			  rate(last[EB_STUN_BAD_INTEGRITY].best.requests,
			       last[EB_STUN_BAD_INTEGRITY].best.t.cpu_ns),
			  0);
	}
	if (d != NULL)
		json_kdbl(j, "dtls_server_handshakes_per_s",
			  rate(d->best.handshakes, d->best.server.cpu_ns), 1);
	json_kbool(j, "all_verified", ok);
	json_tail(j, o);
}

/* Write the JSON file; 0 or -1. */
static int json_write(const struct eb_opts *o, const struct stun_row *rows, unsigned n_rows,
		      const struct dtls_row *d, bool ok)
{
	FILE *f = fopen(o->json_path, "w");
	struct json_out j;
	int err;

	if (f == NULL) {
		perror(o->json_path);
		return -1;
	}
	json_out_init_file(&j, f, JSON_COMPACT);
	for (unsigned k = 0; k < n_rows; k++)
		json_stun(&j, o, &rows[k]);
	if (d != NULL)
		json_dtls(&j, o, d);
	json_summary(&j, o, n_rows ? &rows[n_rows - EB_STUN_CASES] : NULL, d, ok);
	err = json_out_finish(&j);
	return fclose(f) != 0 || err != 0 ? -1 : 0;
}

static void print_stun(const struct stun_row *r)
{
	printf("stun  %-14s %8u %12.0f %10.1f %12.0f %10.1f %9llu/%llu\n", eb_stun_case_name(r->c),
	       r->sessions, rate(r->best.requests, r->best.t.cpu_ns),
	       (double)r->best.t.cpu_ns / (double)r->best.requests,
	       rate(r->best.requests, r->best.t.wall_ns),
	       (double)r->first_checks.cpu_ns / r->sessions, (unsigned long long)r->verified,
	       (unsigned long long)r->requests);
}

static void print_dtls(const struct dtls_row *r)
{
	const struct eb_dtls_round *b = &r->best;
	double n = b->handshakes ? (double)b->handshakes : 1;

	printf("dtls  %s, %.1f datagrams per handshake, %llu/%llu handshakes verified\n",
	       b->profile, (double)b->datagrams / n, (unsigned long long)r->handshakes,
	       (unsigned long long)(r->handshakes + r->failed));
	printf("      server (edge_dtls) %8.1f us/handshake CPU  %8.1f handshakes/s per core\n",
	       (double)b->server.cpu_ns / n / 1e3, rate(b->handshakes, b->server.cpu_ns));
	printf("      client (OpenSSL)   %8.1f us/handshake CPU  %8.1f handshakes/s per core\n",
	       (double)b->client.cpu_ns / n / 1e3, rate(b->handshakes, b->client.cpu_ns));
	printf("      both sides, one thread, wall clock         %8.1f handshakes/s\n",
	       rate(b->handshakes, b->total.wall_ns));
}

int main(int argc, char **argv)
{
	struct stun_row rows[EB_MAX_SESSION_COUNTS * EB_STUN_CASES];
	struct dtls_row d;
	unsigned n_rows = 0;
	struct eb_opts o;
	bool ok = true;

	if (parse_args(&o, argc, argv) != 0) {
		usage();
		return 2;
	}
	printf("edge_bench: %s, one thread, %u round(s) of %.3f s, best round reported\n",
	       OpenSSL_version(OPENSSL_VERSION), o.rounds, o.secs);
	if (o.run_stun) {
		printf("%-19s %9s %12s %10s %12s %10s %12s\n", "stun  case", "sessions",
		       "per_s(CPU)", "ns/req", "per_s(wall)", "1st_ns", "verified");
		for (unsigned k = 0; k < o.n_sessions && ok; k++) {
			ok = stun_measure(&o, o.sessions[k], &rows[n_rows]) == 0;
			for (int c = 0; ok && c < EB_STUN_CASES; c++) {
				print_stun(&rows[n_rows + c]);
				ok = ok && rows[n_rows + c].wrong == 0 &&
				     rows[n_rows + c].requests > 0;
			}
			n_rows += ok ? EB_STUN_CASES : 0;
		}
	}
	if (ok && o.run_dtls) {
		ok = dtls_measure(&o, &d) == 0;
		if (ok) {
			print_dtls(&d);
			ok = d.failed == 0 && d.handshakes > 0;
		}
	}
	if (o.json_path != NULL &&
	    json_write(&o, rows, n_rows, ok && o.run_dtls ? &d : NULL, ok) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "edge_bench: FAILED: a setup failed or a result did not verify\n");
	return ok ? 0 : 1;
}
