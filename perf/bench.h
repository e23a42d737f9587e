/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-bench: the in-process benchmark of the whole dataplane pipeline
 * (classify, unprotect, rewrite, fan-out, protect, TX) on one lcore, with
 * frames fed from memory through a net_ring port, next to the crypto-only
 * bound of the same SRTP work done by the engine's crypto library alone
 * (libsrtp2 for the libsrtp engine, rte_cryptodev with crypto_aesni_mb for
 * the cryptodev engine). See docs/performance.md.
 *
 * Files: bench_main.c (options, EAL, report), bench_srtp.c (publisher side,
 * keys, libsrtp2-only bound), bench_cdev.c (cryptodev-only bound),
 * bench_pipe.c (dataplane instance on a ring port, timed pipeline runs),
 * bench_scale.c (memory per stream, 1k vs 1M streams), bench_capacity.c
 * (kept results, capacity table).
 */
#ifndef RELAIS_BENCH_H
#define RELAIS_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <srtp2/srtp.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include <relais/ctl_proto.h>

#include "dp_app.h"

#define BENCH_MAX_LIST 8
#define BENCH_MAX_FANOUT 1000u
#define BENCH_PT 111
#define BENCH_MAX_PAYLOAD 1400u
#define BENCH_FRAME_MAX 1600u
#define BENCH_CHUNK 4096u     /* input packets prepared per untimed step */
#define BENCH_OUT_CHUNK 4096u /* outputs per timed step at most (or 1 input) */
#define BENCH_MAX_ENGINES 2

struct bench_opts {
	double secs;       /* timed seconds per round */
	unsigned rounds;   /* alternating pipeline/bound rounds; best kept */
	uint64_t max_pkts; /* cap on input packets per measurement */
	unsigned fanouts[BENCH_MAX_LIST], n_fanouts;
	unsigned payloads[BENCH_MAX_LIST], n_payloads;
	uint16_t profiles[BENCH_MAX_LIST];
	unsigned n_profiles;
	const char *engines[BENCH_MAX_ENGINES]; /* "libsrtp", "cryptodev" */
	unsigned n_engines;
	uint32_t scale_small, scale_large; /* streams; 0 = skip the scale part */
	unsigned mem_mb;                   /* EAL -m */
	bool quick, huge;
	const char *json;
};

/* One measured configuration (a table row and a JSON line). */
struct bench_result {
	const char *kind;   /* "pipeline" or "scale" */
	const char *engine; /* "libsrtp" or "cryptodev" */
	uint16_t profile;
	unsigned fanout, payload;
	uint32_t streams; /* configured streams (scale rows) */
	bool own_ctx;     /* scale: every participant its own contexts */
	uint64_t pkts_in, pkts_out, cycles;
	double secs;
	double bound_out_per_s;   /* 0 when not measured */
	double libsrtp_out_per_s; /* cryptodev rows: the libsrtp pipeline, 0 if not run */
};

/* An RTP stream as its sender numbers it (RFC 3550 §5.1). */
struct bench_stream {
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	uint32_t ts_step;
};

/* The dataplane under test: a dp_app on a net_ring port driven by the
 * calling (main) lcore, which is the only worker. */
struct bench_dp {
	struct dp_app app;
	struct rte_ring *rx, *tx;    /* the port's rings: we feed rx, drain tx */
	struct rte_mempool *in_pool; /* input frames */
	uint8_t gw_mac[6];
	bool up;
};

/* --- bench_srtp.c --- */
/* Deterministic key material of profile for seed. */
void bench_key_make(struct relais_srtp_key *k, uint16_t profile, uint32_t seed);
/* A libsrtp2 session for key: outbound (protect, any SSRC) or inbound
 * (unprotect, any SSRC). NULL on failure (message on stderr). */
srtp_t bench_session(const struct relais_srtp_key *k, bool inbound);
/* Write the next RTP packet of st (12-byte header, payload bytes) at p and
 * protect it with s. Returns the SRTP length or -1. cap must leave room
 * for the tag (RELAIS_SRTP_MAX_TRAILER). */
int bench_rtp_protect(srtp_t s, struct bench_stream *st, uint8_t *p, size_t cap, unsigned payload);
/* The crypto-only bound: libsrtp2 alone doing 1 unprotect + fanout protects
 * per input of the same size, in place, with no relais code. Fills
 * r->bound_out_per_s. 0 or -errno. */
int bench_bound(const struct bench_opts *o, uint16_t profile, unsigned fanout, unsigned payload,
		struct bench_result *r);
/* Free the sessions bench_bound keeps between calls. */
void bench_bound_fini(void);
/* Seconds of TSC cycles. */
double bench_tsc_secs(uint64_t cycles);

/* --- bench_pipe.c --- */
/* Start a dataplane with crypto engine `engine` for the given limits on a
 * fresh net_ring port. 0 or -errno with a message on stderr. */
int bench_dp_start(struct bench_dp *d, const char *engine, uint32_t parts, uint32_t tracks,
		   uint32_t subs);
/* Stop and free it (and its port and rings). */
void bench_dp_stop(struct bench_dp *d);
/* Add a participant in room 1 (created on demand) with address index
 * addr_idx and the given keys. 0 or -errno (message on stderr). */
int bench_part(uint32_t id, uint32_t addr_idx, const struct relais_srtp_key *rx,
	       const struct relais_srtp_key *tx);
/* Address of participant index addr_idx (198.18.0.0/15, ports from 20000). */
void bench_addr(uint32_t addr_idx, struct relais_addr *a);
/* Time the pipeline on input from publisher session pub sending st from
 * address index addr_idx, expecting fanout outputs per input. Fills
 * r's counters. 0, or -EPROTO when the outputs do not match (message on
 * stderr), or another -errno. */
int bench_pipe_run(struct bench_dp *d, const struct bench_opts *o, srtp_t pub,
		   struct bench_stream *st, uint32_t addr_idx, unsigned payload, unsigned fanout,
		   struct bench_result *r);

/* --- bench_cdev.c --- */
/* The cryptodev-only bound: rte_cryptodev (crypto_aesni_mb) alone doing
 * 1 decrypt-verify + fanout encrypt-digest ops per input of the same size,
 * bursts of 32, no relais code. Fills r->bound_out_per_s. 0 or -errno. */
int bench_cdev_bound(const struct bench_opts *o, uint16_t profile, unsigned fanout,
		     unsigned payload, struct bench_result *r);
/* Free its sessions, pools and device. */
void bench_cdev_fini(void);

/* --- bench_scale.c --- */
/* Memory per stream and throughput with scale_small vs scale_large
 * configured streams on a dataplane with crypto engine `engine`; prints
 * its report and appends rows to json (may be NULL). 0 or -errno. */
int bench_scale(const struct bench_opts *o, const char *engine, FILE *json);

/* --- bench_capacity.c --- */
/* Keep a copy of a measured pipeline row (for ratio_to_libsrtp and the
 * capacity table). 0 or -ENOSPC. */
int bench_keep(const struct bench_result *r);
/* The kept row of engine/profile/fanout/payload, or NULL. */
const struct bench_result *bench_find(const char *engine, uint16_t profile, unsigned fanout,
				      unsigned payload);
/* Print the capacity table from the kept cryptodev rows (nothing when
 * none was kept) and append its JSON lines to json (may be NULL). */
void bench_capacity(const struct bench_opts *o, FILE *json);

/* --- bench_report.c --- */
/* Measure one configuration in o->rounds alternating rounds of the
 * pipeline and the crypto-only bound; r keeps the best round of each.
 * 0 or -errno (a pipeline failure stops at once). */
int bench_measure(struct bench_dp *d, const struct bench_opts *o, srtp_t pub,
		  struct bench_stream *st, uint32_t addr_idx, struct bench_result *r);
/* Print one result as a table row and, when json is not NULL, a JSON line. */
void bench_report(const struct bench_result *r, FILE *json);
/* Said in every JSON line bench_report() writes: whether the run is
 * --quick, and the rounds per measurement. Called once, before any. */
void bench_report_setup(bool quick, unsigned rounds);

#endif /* RELAIS_BENCH_H */
