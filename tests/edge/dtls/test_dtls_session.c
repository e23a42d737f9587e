/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_dtls sessions fed in-process with a real ClientHello (the one
 * `openssl s_client -dtls1_2 -use_srtp` sent, committed as a fuzz seed) and
 * with bad input: what is not DTLS is refused without touching the session,
 * garbage and truncated records lose no state, a client that goes silent
 * fails at the deadline, the retransmission timer resends our flight on the
 * real clock, a client alert or close_notify ends the session with its
 * reason, and the half-open cap refuses and counts. Also the context's
 * parameter checks and the reason names.
 *
 *   test_dtls_session CLIENT_HELLO_FILE
 */
#define CHECK_MAIN
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "edge_dtls.h"

#define T0 100000 /* the test's clock at session start, ms */
#define HANDSHAKE_MS 3000

static struct edge_cert *cert;
static uint8_t hello[2048];
static size_t hello_len;
static const uint8_t any_fp[EDGE_FINGERPRINT_LEN];

/* Milliseconds of CLOCK_MONOTONIC. */
static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A context with the defaults but a short deadline and cap. */
static struct edge_dtls_ctx *ctx_make(unsigned retransmit_ms, unsigned max_half_open)
{
	struct edge_dtls_params p = {.cert = cert,
				     .handshake_ms = HANDSHAKE_MS,
				     .retransmit_ms = retransmit_ms,
				     .max_half_open = max_half_open};

	return edge_dtls_ctx_new(&p);
}

/* Bytes the session queued, drained; datagrams counted in *count. */
static size_t drain(struct edge_dtls_session *s, unsigned *count)
{
	uint8_t buf[EDGE_DTLS_MAX_MTU];
	size_t total = 0;
	int n;

	*count = 0;
	while ((n = edge_dtls_output(s, buf, sizeof(buf))) > 0) {
		total += (size_t)n;
		(*count)++;
	}
	return total;
}

/* A new session of ctx that has taken the ClientHello at now and whose
 * first flight was drained; NULL if the session was refused. */
static struct edge_dtls_session *session_after_hello(struct edge_dtls_ctx *ctx, uint64_t now)
{
	enum edge_dtls_reason why;
	struct edge_dtls_session *s = edge_dtls_session_new(ctx, any_fp, now, &why);
	unsigned count;

	if (s != NULL) {
		(void)edge_dtls_input(s, hello, hello_len, now);
		(void)drain(s, &count);
	}
	return s;
}

/* An ended session refuses input, has no timer and is not half-open; then
 * it and its context are freed. */
static void check_ended_and_free(struct edge_dtls_ctx *ctx, struct edge_dtls_session *s,
				 const char *what)
{
	CHECKF(edge_dtls_input(s, hello, hello_len, T0) == EDGE_DTLS_ENDED,
	       "%s: input after the end was taken", what);
	CHECKF(edge_dtls_next_timeout(s, T0) == EDGE_DTLS_NO_TIMEOUT, "%s: timer after the end",
	       what);
	CHECKF(edge_dtls_half_open(ctx) == 0, "%s: still half-open", what);
	edge_dtls_session_free(s);
	CHECKF(edge_dtls_ctx_free(ctx) == 0, "%s: ctx_free", what);
}

/* Every reason and state has a distinct non-empty name and a help text. */
static void test_names(void)
{
	for (int i = 0; i < EDGE_DTLS_REASON_MAX; i++) {
		const char *name = edge_dtls_reason_name((enum edge_dtls_reason)i);

		CHECKF(name[0] != '\0' && strcmp(name, "?") != 0, "reason %d unnamed", i);
		CHECKF(strlen(edge_dtls_reason_help((enum edge_dtls_reason)i)) > 8,
		       "reason %s has no help", name);
		for (int j = 0; j < i; j++)
			CHECKF(strcmp(name, edge_dtls_reason_name((enum edge_dtls_reason)j)) != 0,
			       "reason name %s used twice", name);
	}
	CHECK_STR(edge_dtls_reason_name(EDGE_DTLS_REASON_MAX), "?");
	CHECK_STR(edge_dtls_state_name(EDGE_DTLS_FAILED), "failed");
	CHECK_STR(edge_dtls_state_name((enum edge_dtls_state)9), "?");
}

/* ctx_new refuses what it cannot honour, with EINVAL. */
static void test_params(void)
{
	static const uint16_t unknown[] = {0x1234};
	static const uint16_t twice[] = {RELAIS_SRTP_AEAD_AES_128_GCM,
					 RELAIS_SRTP_AEAD_AES_128_GCM};
	struct edge_dtls_params bad[] = {
	    {.cert = NULL},
	    {.cert = cert, .mtu = EDGE_DTLS_MIN_MTU - 1},
	    {.cert = cert, .mtu = EDGE_DTLS_MAX_MTU + 1},
	    {.cert = cert, .profiles = unknown, .n_profiles = 1},
	    {.cert = cert, .profiles = twice, .n_profiles = 2},
	    {.cert = cert, .profiles = twice, .n_profiles = 0},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CHECKF(edge_dtls_ctx_new(&bad[i]) == NULL && errno == EINVAL,
		       "bad params %zu: errno %d", i, errno);
	}
	errno = 0;
	CHECK(edge_dtls_ctx_new(NULL) == NULL && errno == EINVAL);
}

/* Not DTLS, too long, or for an ended session: refused, state kept. */
static void test_refused_datagrams(void)
{
	struct edge_dtls_ctx *ctx = ctx_make(0, 0);
	enum edge_dtls_reason why;
	struct edge_dtls_session *s = edge_dtls_session_new(ctx, any_fp, T0, &why);
	static uint8_t big[EDGE_DTLS_MAX_DATAGRAM + 1];
	const uint8_t stun[20] = {0x00, 0x01};
	struct edge_dtls_stats st;
	uint8_t small[8];
	unsigned count;

	CHECK_EQ(edge_dtls_input(s, stun, sizeof(stun), T0), EDGE_DTLS_NOT_DTLS, "STUN");
	CHECK_EQ(edge_dtls_input(s, hello, 12, T0), EDGE_DTLS_NOT_DTLS, "12 bytes");
	CHECK_EQ(edge_dtls_input(s, NULL, 0, T0), EDGE_DTLS_NOT_DTLS, "NULL");
	big[0] = 22;
	CHECK_EQ(edge_dtls_input(s, big, sizeof(big), T0), EDGE_DTLS_OVERSIZED, "oversized");
	CHECK_EQ(edge_dtls_state(s), EDGE_DTLS_HANDSHAKING, "state after refusals");
	CHECK_EQ(edge_dtls_keys(s, &(struct edge_dtls_keys){0}), -ENOTCONN, "keys too early");
	/* the session still answers the real ClientHello */
	CHECK_EQ(edge_dtls_input(s, hello, hello_len, T0), EDGE_DTLS_NONE, "ClientHello");
	CHECK_EQ(edge_dtls_output(s, small, sizeof(small)), -ENOSPC, "output into 8 bytes");
	CHECKF(drain(s, &count) > 200 && count >= 1, "no flight after the ClientHello");
	edge_dtls_get_stats(s, &st);
	CHECK_EQ(st.refused_in, 4, "refused_in");
	CHECK_EQ(st.datagrams_in, 1, "datagrams_in");
	edge_dtls_close(s);
	CHECK_EQ(edge_dtls_reason(s), EDGE_DTLS_LOCAL_CLOSE, "close while handshaking");
	check_ended_and_free(ctx, s, "closed while handshaking");
}

/* Records that look like DTLS but are garbage, and every truncation of the
 * ClientHello: nothing connects, nothing crashes, and garbage is dropped
 * without losing the session (RFC 6347 §4.1.2.7). */
static void test_garbage_and_truncation(void)
{
	struct edge_dtls_ctx *ctx = ctx_make(0, 0);
	enum edge_dtls_reason why;
	struct edge_dtls_session *s = edge_dtls_session_new(ctx, any_fp, T0, &why);
	uint32_t rng = 12345;
	uint8_t junk[300];
	unsigned count, answered = 0;

	for (int i = 0; i < 200; i++) {
		for (size_t k = 0; k < sizeof(junk); k++) {
			rng = rng * 1103515245u + 12345u;
			junk[k] = (uint8_t)(rng >> 16);
		}
		junk[0] = (uint8_t)(20 + i % 4); /* CCS, alert, handshake, data */
		(void)edge_dtls_input(s, junk, 13 + (size_t)i % (sizeof(junk) - 13), T0);
	}
	CHECKF(edge_dtls_state(s) == EDGE_DTLS_HANDSHAKING, "garbage ended the session: %s",
	       edge_dtls_reason_name(edge_dtls_reason(s)));
	(void)edge_dtls_input(s, hello, hello_len, T0);
	CHECKF(drain(s, &count) > 200, "the ClientHello after garbage got no answer");
	edge_dtls_session_free(s);

	for (size_t len = 13; len < hello_len; len++) {
		s = edge_dtls_session_new(ctx, any_fp, T0, &why);
		(void)edge_dtls_input(s, hello, len, T0);
		answered += drain(s, &count) > 200;
		CHECK(edge_dtls_state(s) != EDGE_DTLS_CONNECTED);
		edge_dtls_session_free(s);
	}
	CHECK_EQ(answered, 0, "truncated ClientHellos answered");
	CHECK_EQ(edge_dtls_half_open(ctx), 0, "half-open after frees");
	CHECK_EQ(edge_dtls_ctx_free(ctx), 0, "ctx_free");
}

/* A ClientHello then silence: the timer is due before the deadline, and the
 * deadline fails the session. */
static void test_deadline(void)
{
	struct edge_dtls_ctx *ctx = ctx_make(0, 0);
	struct edge_dtls_session *s = session_after_hello(ctx, T0);
	uint64_t due;

	due = edge_dtls_next_timeout(s, T0);
	CHECKF(due > T0 && due <= T0 + EDGE_DTLS_DEFAULT_RETRANSMIT_MS + 1,
	       "retransmission due at +%lld ms", (long long)(due - T0));
	CHECK_EQ(edge_dtls_next_timeout(s, T0 + HANDSHAKE_MS - 10), T0 + HANDSHAKE_MS,
		 "deadline bounds the timer");
	edge_dtls_handle_timeout(s, T0 + HANDSHAKE_MS);
	CHECK_EQ(edge_dtls_state(s), EDGE_DTLS_FAILED, "state at the deadline");
	CHECK_EQ(edge_dtls_reason(s), EDGE_DTLS_HANDSHAKE_TIMEOUT, "reason at the deadline");
	check_ended_and_free(ctx, s, "deadline");
}

/* The retransmission timer on the real clock: the same flight again. */
static void test_retransmission(void)
{
	struct edge_dtls_ctx *ctx = ctx_make(100, 0);
	uint64_t start = mono_ms(), end = start + 2000;
	enum edge_dtls_reason why;
	struct edge_dtls_session *s = edge_dtls_session_new(ctx, any_fp, start, &why);
	struct edge_dtls_stats st;
	unsigned first_count, again_count = 0;
	size_t first, again = 0;

	(void)edge_dtls_input(s, hello, hello_len, start);
	first = drain(s, &first_count);
	while (again == 0 && mono_ms() < end) {
		uint64_t now = mono_ms();

		if (now >= edge_dtls_next_timeout(s, now)) {
			edge_dtls_handle_timeout(s, now);
			again = drain(s, &again_count);
		}
		usleep(5000);
	}
	/* the same bytes; OpenSSL resends the records one per datagram */
	CHECKF(again == first && again_count >= first_count,
	       "retransmitted %zu bytes in %u datagrams, first flight %zu in %u", again,
	       again_count, first, first_count);
	/* OpenSSL counts a timer within 15 ms of expiry as expired */
	CHECKF(mono_ms() - start >= 85, "retransmitted after %llu ms, before the timer",
	       (unsigned long long)(mono_ms() - start));
	edge_dtls_get_stats(s, &st);
	CHECK_EQ(st.retransmits, 1, "retransmits");
	CHECK_EQ(edge_dtls_state(s), EDGE_DTLS_HANDSHAKING, "still handshaking");
	edge_dtls_session_free(s);
	CHECK_EQ(edge_dtls_ctx_free(ctx), 0, "ctx_free");
}

/* A client alert after its ClientHello: a plaintext epoch-0 alert record
 * with the next sequence number (RFC 6347 §4.1). */
static void run_alert(uint8_t level, uint8_t desc, enum edge_dtls_state want_state,
		      enum edge_dtls_reason want, const char *what)
{
	struct edge_dtls_ctx *ctx = ctx_make(0, 0);
	struct edge_dtls_session *s = session_after_hello(ctx, T0);
	const uint8_t alert[] = {21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, level, desc};

	CHECK_EQ(edge_dtls_input(s, alert, sizeof(alert), T0), EDGE_DTLS_NONE, what);
	CHECKF(edge_dtls_state(s) == want_state && edge_dtls_reason(s) == want, "%s: ended %s/%s",
	       what, edge_dtls_state_name(edge_dtls_state(s)),
	       edge_dtls_reason_name(edge_dtls_reason(s)));
	CHECK_EQ(edge_dtls_last_alert(s), desc, what);
	check_ended_and_free(ctx, s, what);
}

/* The half-open cap: refused past it, counted, freed by an ending. */
static void test_cap(void)
{
	struct edge_dtls_ctx *ctx = ctx_make(0, 3);
	struct edge_dtls_session *s[4] = {NULL};
	enum edge_dtls_reason why = EDGE_DTLS_NONE;

	for (int i = 0; i < 3; i++)
		s[i] = session_after_hello(ctx, T0);
	CHECK(s[0] != NULL && s[1] != NULL && s[2] != NULL);
	CHECK_EQ(edge_dtls_half_open(ctx), 3, "half-open at the cap");
	CHECK(edge_dtls_session_new(ctx, any_fp, T0, &why) == NULL);
	CHECK_EQ(why, EDGE_DTLS_HALF_OPEN_CAP, "refusal reason");
	CHECK(edge_dtls_session_new(ctx, any_fp, T0, &why) == NULL);
	CHECK_EQ(edge_dtls_refused_cap(ctx), 2, "refusals counted");
	if (s[0] != NULL)
		edge_dtls_handle_timeout(s[0], T0 + HANDSHAKE_MS); /* one fails: room again */
	CHECK_EQ(edge_dtls_half_open(ctx), 2, "half-open after a failure");
	s[3] = edge_dtls_session_new(ctx, any_fp, T0, &why);
	CHECK(s[3] != NULL);
	CHECK_EQ(edge_dtls_ctx_free(ctx), -EBUSY, "ctx_free with sessions");
	for (int i = 0; i < 4; i++)
		edge_dtls_session_free(s[i]);
	CHECK_EQ(edge_dtls_half_open(ctx), 0, "half-open after frees");
	CHECK_EQ(edge_dtls_ctx_free(ctx), 0, "ctx_free");
}

/* Read the ClientHello seed. */
static int load_hello(const char *path)
{
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return -1;
	hello_len = fread(hello, 1, sizeof(hello), fp);
	fclose(fp);
	return hello_len > 100 && hello[0] == 22 ? 0 : -1;
}

int main(int argc, char **argv)
{
	enum edge_cert_error e;

	CHECKF(argc > 1 && load_hello(argv[1]) == 0, "cannot read the ClientHello seed %s",
	       argc > 1 ? argv[1] : "(none given)");
	cert = edge_cert_generate(NULL, &e);
	CHECK(cert != NULL);
	if (check_n_fail == 0) {
		test_names();
		test_params();
		test_refused_datagrams();
		test_garbage_and_truncation();
		test_deadline();
		test_retransmission();
		run_alert(2, 40, EDGE_DTLS_FAILED, EDGE_DTLS_ALERT, "fatal handshake_failure");
		run_alert(1, 0, EDGE_DTLS_CLOSED, EDGE_DTLS_CLOSE_NOTIFY, "close_notify");
		test_cap();
	}
	edge_cert_free(cert);
	return check_summary("dtls_session");
}
