/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: edge/dtls server sessions (edge_dtls.h) fed arbitrary
 * datagrams. The input is read as a run of DTLS records, each sent in a
 * datagram of its own (a record header's length says where the next
 * begins; what is left after the last whole record is one more datagram),
 * so a seed can hold a ClientHello in fragments followed by alerts. Each
 * input gets a fresh session of one context (certificate made once).
 * Invariants: input() answers only its documented verdicts, every output
 * datagram fits the MTU, the state stays one of the four, an ended session
 * is not half-open, the deadline ends any handshake, and nothing is left
 * half-open after the free.
 */
#include <stdlib.h>

#include "edge_dtls.h"
#include "fuzz_target.h"

#define REC_HDR 13
#define FUZZ_MTU 600

static struct edge_cert *cert;
static struct edge_dtls_ctx *ctx;

/* Free the context and certificate at exit (no leak report). */
static void teardown(void)
{
	FUZZ_ASSERT(edge_dtls_ctx_free(ctx) == 0);
	edge_cert_free(cert);
}

/* The one context, made on the first input. */
static void setup(void)
{
	enum edge_cert_error why;
	struct edge_dtls_params p = {.mtu = FUZZ_MTU, .max_half_open = 2};

	if (ctx != NULL)
		return;
	cert = edge_cert_generate("fuzz", &why);
	FUZZ_ASSERT(cert != NULL);
	p.cert = cert;
	ctx = edge_dtls_ctx_new(&p);
	FUZZ_ASSERT(ctx != NULL);
	atexit(teardown);
}

/* Drain the session's output, checking the MTU. */
static void drain(struct edge_dtls_session *s)
{
	uint8_t buf[FUZZ_MTU];
	int n;

	while ((n = edge_dtls_output(s, buf, sizeof(buf))) > 0)
		FUZZ_ASSERT(n <= FUZZ_MTU);
	FUZZ_ASSERT(n == 0);
}

/* The session's state is consistent with the half-open count. */
static void check_state(const struct edge_dtls_session *s)
{
	enum edge_dtls_state st = edge_dtls_state(s);

	FUZZ_ASSERT(st == EDGE_DTLS_HANDSHAKING || st == EDGE_DTLS_CONNECTED ||
		    st == EDGE_DTLS_CLOSED || st == EDGE_DTLS_FAILED);
	FUZZ_ASSERT(edge_dtls_half_open(ctx) == (st == EDGE_DTLS_HANDSHAKING ? 1u : 0u));
	FUZZ_ASSERT((st >= EDGE_DTLS_CLOSED) == (edge_dtls_reason(s) != EDGE_DTLS_NONE));
}

/* Length of the datagram starting at p (n bytes left): one whole record,
 * or everything left. */
static size_t next_datagram(const uint8_t *p, size_t n)
{
	size_t rec;

	if (n < REC_HDR)
		return n;
	rec = REC_HDR + ((size_t)p[11] << 8 | p[12]);
	return rec <= n ? rec : n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t fp[EDGE_FINGERPRINT_LEN];
	enum edge_dtls_reason why;
	struct edge_dtls_session *s;
	uint64_t now = 1000;

	setup();
	s = edge_dtls_session_new(ctx, fp, now, &why);
	FUZZ_ASSERT(s != NULL && why == EDGE_DTLS_NONE);
	for (size_t pos = 0; pos < size;) {
		size_t len = next_datagram(data + pos, size - pos);
		enum edge_dtls_reason r = edge_dtls_input(s, data + pos, len, ++now);

		FUZZ_ASSERT(r == EDGE_DTLS_NONE || r == EDGE_DTLS_NOT_DTLS ||
			    r == EDGE_DTLS_OVERSIZED || r == EDGE_DTLS_ENDED);
		drain(s);
		check_state(s);
		pos += len;
	}
	edge_dtls_handle_timeout(s, now + EDGE_DTLS_DEFAULT_HANDSHAKE_MS);
	drain(s);
	check_state(s);
	FUZZ_ASSERT(edge_dtls_state(s) != EDGE_DTLS_HANDSHAKING);
	edge_dtls_session_free(s);
	FUZZ_ASSERT(edge_dtls_half_open(ctx) == 0);
	return 0;
}
