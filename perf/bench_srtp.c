/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SRTP side of the benchmark that is not relais: the publisher
 * (libsrtp2 sessions that protect the input packets, outside the timed
 * region) and the crypto-only bound (libsrtp2 alone doing what the pipeline
 * does cryptographically: one unprotect and `fanout` protects per input).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>

#include <relais/srtp_policy.h>
#include <relais/srtp_profile.h>

#include "bench.h"

#define RTP_HDR 12

/* Sessions of the bound for one profile, kept across configurations so
 * each output session's sequence numbers keep increasing. */
struct bound_prof {
	uint16_t profile;
	srtp_t pub, rcv;
	srtp_t sub[BENCH_MAX_FANOUT];
	unsigned n_sub;
	struct bench_stream st[BENCH_MAX_LIST * 2]; /* per fanout index */
	unsigned st_fanout[BENCH_MAX_LIST * 2], n_st;
};

static struct bound_prof bounds[BENCH_MAX_LIST];
static unsigned n_bounds;
static uint8_t bufs[BENCH_CHUNK][BENCH_FRAME_MAX];
static int lens[BENCH_CHUNK];

/* See bench.h. */
double bench_tsc_secs(uint64_t cycles)
{
	return (double)cycles / (double)rte_get_tsc_hz();
}

/* splitmix64 step: well-spread 64-bit values from a counter. */
static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* See bench.h. Every seed gives distinct key and salt bytes. */
void bench_key_make(struct relais_srtp_key *k, uint16_t profile, uint32_t seed)
{
	uint8_t b[RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN + 2];
	uint64_t x = seed;

	for (size_t i = 0; i < sizeof(b); i += 8) {
		uint64_t v = splitmix(&x);

		memcpy(b + i, &v, RTE_MIN(sizeof(v), sizeof(b) - i));
	}
	memset(k, 0, sizeof(*k));
	k->profile = profile;
	memcpy(k->key, b, sizeof(k->key));
	memcpy(k->salt, b + sizeof(k->key), sizeof(k->salt));
}

/* See bench.h. The policies are the dataplane engine's (relais_srtp_policy). */
srtp_t bench_session(const struct relais_srtp_key *k, bool inbound)
{
	srtp_t s = NULL;
	int rc = relais_srtp_session_key(&s, k, inbound, 1024, 0);

	if (rc == -EINVAL)
		fprintf(stderr, "relais-bench: unknown SRTP profile %u\n", k->profile);
	else if (rc < 0)
		fprintf(stderr, "relais-bench: srtp_create failed\n");
	return rc == 0 ? s : NULL;
}

/* See bench.h. RTP header per RFC 3550 §5.1: V=2, no padding, extension
 * or CSRC; the payload is a byte pattern. */
int bench_rtp_protect(srtp_t s, struct bench_stream *st, uint8_t *p, size_t cap, unsigned payload)
{
	int len = (int)(RTP_HDR + payload);
	srtp_err_status_t rc;

	if (cap < RTP_HDR + payload + RELAIS_SRTP_MAX_TRAILER)
		return -1;
	p[0] = 0x80;
	p[1] = BENCH_PT;
	/* The packet may sit at any alignment in the frame: byte stores. */
	p[2] = (uint8_t)(st->seq >> 8);
	p[3] = (uint8_t)st->seq;
	for (int i = 0; i < 4; i++) {
		p[4 + i] = (uint8_t)(st->ts >> (24 - 8 * i));
		p[8 + i] = (uint8_t)(st->ssrc >> (24 - 8 * i));
	}
	memset(p + RTP_HDR, (int)(st->seq & 0xff), payload);
	st->seq++;
	st->ts += st->ts_step;
	rc = srtp_protect(s, p, &len);
	return rc == srtp_err_status_ok ? len : -1;
}

/* The bound's sessions of a profile, created on first use with enough
 * output sessions for fanout. NULL on failure. */
static struct bound_prof *bound_get(uint16_t profile, unsigned fanout)
{
	struct bound_prof *b = NULL;
	struct relais_srtp_key k;

	for (unsigned i = 0; i < n_bounds; i++)
		if (bounds[i].profile == profile)
			b = &bounds[i];
	if (b == NULL) {
		if (n_bounds == BENCH_MAX_LIST)
			return NULL;
		b = &bounds[n_bounds++];
		b->profile = profile;
		bench_key_make(&k, profile, 7);
		b->pub = bench_session(&k, false);
		b->rcv = bench_session(&k, true);
		if (b->pub == NULL || b->rcv == NULL)
			return NULL;
	}
	while (b->n_sub < fanout) {
		bench_key_make(&k, profile, 1000 + b->n_sub);
		b->sub[b->n_sub] = bench_session(&k, false);
		if (b->sub[b->n_sub] == NULL)
			return NULL;
		b->n_sub++;
	}
	return b;
}

/* The bound's input stream for fanout (one SSRC per fanout, numbering
 * continued across payload sizes). NULL when the table is full. */
static struct bench_stream *bound_stream(struct bound_prof *b, unsigned fanout)
{
	for (unsigned i = 0; i < b->n_st; i++)
		if (b->st_fanout[i] == fanout)
			return &b->st[i];
	if (b->n_st == RTE_DIM(b->st))
		return NULL;
	b->st_fanout[b->n_st] = fanout;
	b->st[b->n_st] = (struct bench_stream){0x7a000000u + fanout, 1000, 5000, 960};
	return &b->st[b->n_st++];
}

/* Protect n inputs (untimed), then time unprotect + fanout protects of
 * each in place. Adds the cycles to *cycles. 0 or -EPROTO. */
static int bound_chunk(struct bound_prof *b, struct bench_stream *st, unsigned payload,
		       unsigned fanout, unsigned n, uint64_t *cycles)
{
	uint64_t t0;
	int bad = 0;

	for (unsigned i = 0; i < n; i++)
		if ((lens[i] = bench_rtp_protect(b->pub, st, bufs[i], BENCH_FRAME_MAX, payload)) <
		    0)
			return -EPROTO;
	t0 = rte_rdtsc();
	for (unsigned i = 0; i < n; i++) {
		int len = lens[i];

		bad |= srtp_unprotect(b->rcv, bufs[i], &len) != srtp_err_status_ok;
		for (unsigned j = 0; j < fanout; j++) {
			int l = len;

			bad |= srtp_protect(b->sub[j], bufs[i], &l) != srtp_err_status_ok;
		}
	}
	*cycles += rte_rdtsc() - t0;
	return bad ? -EPROTO : 0;
}

/* See bench.h. */
int bench_bound(const struct bench_opts *o, uint16_t profile, unsigned fanout, unsigned payload,
		struct bench_result *r)
{
	struct bound_prof *b = bound_get(profile, fanout);
	struct bench_stream *st = b ? bound_stream(b, fanout) : NULL;
	unsigned per = fanout >= BENCH_OUT_CHUNK ? 1 : BENCH_OUT_CHUNK / fanout;
	uint64_t in = 0, cycles = 0, hz = rte_get_tsc_hz();
	int rc = 0;

	if (st == NULL)
		return -ENOMEM;
	per = RTE_MIN(per, BENCH_CHUNK);
	while (rc == 0 && in < o->max_pkts && (double)cycles < o->secs * (double)hz) {
		unsigned n = (unsigned)RTE_MIN((uint64_t)per, o->max_pkts - in);

		rc = bound_chunk(b, st, payload, fanout, n, &cycles);
		in += n;
	}
	if (rc < 0) {
		fprintf(stderr, "relais-bench: crypto-only bound: libsrtp2 refused a packet\n");
		return rc;
	}
	r->bound_out_per_s = cycles ? (double)(in * fanout) / bench_tsc_secs(cycles) : 0;
	return 0;
}

/* See bench.h. */
void bench_bound_fini(void)
{
	for (unsigned i = 0; i < n_bounds; i++) {
		struct bound_prof *b = &bounds[i];

		for (unsigned j = 0; j < b->n_sub; j++)
			srtp_dealloc(b->sub[j]);
		if (b->pub)
			srtp_dealloc(b->pub);
		if (b->rcv)
			srtp_dealloc(b->rcv);
		memset(b, 0, sizeof(*b));
	}
	n_bounds = 0;
}
