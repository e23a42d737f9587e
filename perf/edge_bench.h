/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_bench: the per-join costs of relais-edge on one core, in-process,
 * with no network (docs/performance.md "WebRTC edge"):
 *   - STUN: the ICE-lite agent (edge/ice) answering Chromium-like Binding
 *     requests of live sessions (the consent-check path), and refusing
 *     forged ones (bad MESSAGE-INTEGRITY) and ones for no session;
 *   - DTLS: complete DTLS 1.2 handshakes of edge/dtls server sessions with
 *     an OpenSSL client on memory BIOs, through the SRTP key export, with
 *     the CPU time of the server's calls kept apart from the client's.
 * Every request is built and every answer checked by code of this
 * benchmark (edge_bench_stun.c), not by edge_stun; every handshake's keys
 * are compared with what the client exported.
 *
 * Shared by edge_bench.c (options, rounds, report), edge_bench_stun.c and
 * edge_bench_dtls.c.
 */
#ifndef PERF_EDGE_BENCH_H
#define PERF_EDGE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EB_MAX_SESSION_COUNTS 8

struct eb_opts {
	bool quick;
	bool run_stun, run_dtls;
	double secs;                              /* timed seconds per round */
	unsigned rounds;                          /* rounds per row; the best is reported */
	uint64_t max_ops;                         /* cap on requests or handshakes per round */
	unsigned sessions[EB_MAX_SESSION_COUNTS]; /* ICE sessions per STUN row */
	unsigned n_sessions;
	unsigned capacity;     /* the agent's table (relais-edge --max-sessions) */
	const char *json_path; /* NULL: no JSON */
};

/* Time spent, in nanoseconds: wall (CLOCK_MONOTONIC) and this thread's CPU
 * (CLOCK_THREAD_CPUTIME_ID). */
struct eb_time {
	uint64_t wall_ns;
	uint64_t cpu_ns;
};

/* A clock reading; eb_time_add adds now - start to acc. */
void eb_time_start(struct eb_time *start);
void eb_time_add(struct eb_time *acc, const struct eb_time *start);

/* The STUN cases measured for each session count. */
enum eb_stun_case {
	EB_STUN_ANSWERED,      /* authenticated consent check: answered */
	EB_STUN_BAD_INTEGRITY, /* right ufrag, wrong password: refused */
	EB_STUN_UNKNOWN_UFRAG, /* no session has the ufrag: refused */
	EB_STUN_CASES,
};

/* One round of one STUN case. */
struct eb_stun_round {
	uint64_t requests;
	uint64_t verified; /* answers checked (ANSWERED) or refusals as expected */
	uint64_t wrong;    /* unexpected verdict, event or answer */
	struct eb_time t;  /* inside edge_ice_input only */
};

/* Name of a case ("answered"); the verdict edge_ice must give it. */
const char *eb_stun_case_name(enum eb_stun_case c);

struct eb_stun;
/* An agent of `capacity` slots with n sessions (random credentials), each
 * nominated from its own source address by one authenticated request
 * (answers checked), and the requests of every case built. NULL with a
 * message on stderr. */
struct eb_stun *eb_stun_new(unsigned n_sessions, unsigned capacity);
/* The time the n nominating requests of the setup took in the agent (a
 * first check from a new address also takes it from any other session). */
void eb_stun_first_checks(const struct eb_stun *b, struct eb_time *t);
/* Run requests of case c in batches until secs or max_ops, timing only the
 * agent's calls and checking every answer after each batch. */
void eb_stun_round(struct eb_stun *b, enum eb_stun_case c, double secs, uint64_t max_ops,
		   struct eb_stun_round *out);
void eb_stun_free(struct eb_stun *b);

/* One round of DTLS handshakes. */
struct eb_dtls_round {
	uint64_t handshakes;   /* completed and verified */
	uint64_t failed;       /* did not complete, or keys that disagree */
	uint64_t datagrams;    /* both ways, all handshakes */
	struct eb_time total;  /* the whole loop, both sides */
	struct eb_time server; /* edge_dtls calls: new, input, output, keys, free */
	struct eb_time client; /* the OpenSSL client's calls */
	char profile[48];      /* negotiated, OpenSSL's name */
};

struct eb_dtls;
/* The node certificate (edge_cert_generate, as relais-edge makes it), the
 * server context with relais-edge's defaults, a client certificate and the
 * client's SSL_CTX. NULL with a message on stderr. */
struct eb_dtls *eb_dtls_new(void);
/* Run handshakes one after the other until secs or max_ops. */
void eb_dtls_round(struct eb_dtls *b, double secs, uint64_t max_ops, struct eb_dtls_round *out);
void eb_dtls_free(struct eb_dtls *b);

#endif /* PERF_EDGE_BENCH_H */
