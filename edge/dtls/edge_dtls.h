/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS-SRTP server sessions of relais-edge (RFC 5764, RFC 5763 passive
 * role), on OpenSSL with memory BIOs: no socket, no clock and no thread of
 * their own. The caller (the edge main loop, or another signalling front
 * end) feeds each datagram from a peer that passed ICE to edge_dtls_input(),
 * drains the datagrams to send back with edge_dtls_output(), and calls
 * edge_dtls_handle_timeout() when edge_dtls_next_timeout() is reached.
 *
 * One context (struct edge_dtls_ctx) per process holds the SSL_CTX: DTLS 1.2
 * only, ECDHE-ECDSA suites, the node certificate, a client certificate
 * required and accepted whatever its issuer (self-signed, as browsers send),
 * and the use_srtp profiles in the server's order of preference (default
 * AEAD_AES_256_GCM, AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80, _32), which
 * wins over the client's (OpenSSL 3.0 picks the server's most preferred
 * profile the client offers; tests/edge/dtls checks it).
 *
 * A session authenticates the peer by its certificate's SHA-256 fingerprint,
 * given at creation from the offer's a=fingerprint; when connected it gives
 * the negotiated relais SRTP profile and the keys of RFC 5764 §4.2, in the
 * struct relais_srtp_key layout of the control channel (PART_ADD,
 * PART_REKEY): rx is the client write key (what the browser protects with,
 * relais unprotects), tx the server write key.
 *
 * Sessions still handshaking are "half-open"; the context caps their number
 * so spoofed ClientHellos cannot exhaust memory. Every failure, refusal and
 * ending has a name from one list, EDGE_DTLS_REASONS. Nothing here prints
 * or logs; key material is wiped when a session is freed.
 *
 * Times are milliseconds of the caller's monotonic clock (CLOCK_MONOTONIC).
 * OpenSSL's retransmission timer runs on the real clock internally, so
 * `now_ms` must advance with real time. Not thread-safe: one context and its
 * sessions belong to one thread.
 */
#ifndef EDGE_DTLS_H
#define EDGE_DTLS_H

#include <stddef.h>
#include <stdint.h>

#include <relais/ctl_proto.h>
#include <relais/srtp_profile.h>

#include "edge_cert.h"

/* Why a session ended, or why a datagram or a new session was refused.
 * X(ENUM_SUFFIX, "name", "operator explanation"). The first group ends a
 * session (edge_dtls_reason()); the second is returned for one datagram or
 * one session_new and changes no session. */
#define EDGE_DTLS_REASONS(X)                                                                  \
	X(NONE, "none", "no failure: handshaking or connected, or the datagram was taken")    \
	X(CLOSE_NOTIFY, "close_notify", "the peer closed the session (close_notify alert)")   \
	X(LOCAL_CLOSE, "local_close", "the caller ended the session (close_notify sent)")     \
	X(ALERT, "alert", "the peer sent a fatal DTLS alert")                                 \
	X(FINGERPRINT_MISMATCH, "fingerprint_mismatch",                                       \
	  "the peer's certificate does not match the offer's a=fingerprint")                  \
	X(NO_CLIENT_CERT, "no_client_cert", "the peer presented no certificate")              \
	X(NO_SRTP_PROFILE, "no_srtp_profile",                                                 \
	  "the peer's use_srtp offers no profile relais accepts (or none at all)")            \
	X(HANDSHAKE_TIMEOUT, "handshake_timeout",                                             \
	  "the handshake did not complete before its deadline or retransmissions ran out")    \
	X(HANDSHAKE_ERROR, "handshake_error",                                                 \
	  "the peer's handshake was malformed or refused by OpenSSL")                         \
	X(KEY_EXPORT, "key_export", "exporting the SRTP keys (EXTRACTOR-dtls_srtp) failed")   \
	X(NOT_DTLS, "not_dtls",                                                               \
	  "datagram is not a DTLS record (first byte outside 20..63, or under 13 bytes)")     \
	X(OVERSIZED, "oversized", "datagram longer than EDGE_DTLS_MAX_DATAGRAM")              \
	X(ENDED, "ended", "datagram for a session already closed or failed")                  \
	X(HALF_OPEN_CAP, "half_open_cap", "too many handshakes in progress: session refused") \
	X(NO_MEMORY, "no_memory", "out of memory or OpenSSL object creation failed")

#define EDGE_DTLS_ENUM_(sfx, name, help) EDGE_DTLS_##sfx,
enum edge_dtls_reason {
	EDGE_DTLS_REASONS(EDGE_DTLS_ENUM_) EDGE_DTLS_REASON_MAX
};
#undef EDGE_DTLS_ENUM_

enum edge_dtls_state {
	EDGE_DTLS_HANDSHAKING, /* half-open: counted against the cap */
	EDGE_DTLS_CONNECTED,   /* keys available */
	EDGE_DTLS_CLOSED,      /* ended cleanly: CLOSE_NOTIFY or LOCAL_CLOSE */
	EDGE_DTLS_FAILED,      /* ended by any other reason */
};

/* Largest datagram edge_dtls_input() takes (a DTLS 1.2 record's maximum). */
#define EDGE_DTLS_MAX_DATAGRAM (16384 + 2048 + 13)
/* edge_dtls_next_timeout() when nothing is due. */
#define EDGE_DTLS_NO_TIMEOUT UINT64_MAX

#define EDGE_DTLS_DEFAULT_MTU 1200
#define EDGE_DTLS_MIN_MTU 256 /* OpenSSL's smallest DTLS MTU */
#define EDGE_DTLS_MAX_MTU 9000
#define EDGE_DTLS_DEFAULT_HANDSHAKE_MS 10000
#define EDGE_DTLS_DEFAULT_RETRANSMIT_MS 1000 /* RFC 6347 §4.2.4.1 */
/* A half-open session holds about 85 kB once it has answered a ClientHello
 * (mostly OpenSSL's record buffers): the default cap bounds that to ~22 MB. */
#define EDGE_DTLS_DEFAULT_MAX_HALF_OPEN 256

/* Context parameters; a zero field takes its default. */
struct edge_dtls_params {
	const struct edge_cert *cert; /* required; must outlive the context */
	unsigned mtu;                 /* largest output datagram (UDP payload) */
	unsigned handshake_ms;        /* deadline of a handshake from session_new */
	unsigned retransmit_ms;       /* first retransmission timeout, doubled each time */
	unsigned max_half_open;       /* sessions handshaking at once */
	/* SRTP profiles (enum relais_srtp_profile ids with a DTLS-SRTP id), most
	 * preferred first; NULL for the default order above. */
	const uint16_t *profiles;
	size_t n_profiles;
};

/* What a connected session gives the dataplane (PART_ADD / PART_REKEY). */
struct edge_dtls_keys {
	uint16_t profile;          /* enum relais_srtp_profile, also in rx/tx */
	struct relais_srtp_key rx; /* client write key+salt: we unprotect with it */
	struct relais_srtp_key tx; /* server write key+salt: we protect with it */
};

/* Per-session counts, for the caller's metrics. */
struct edge_dtls_stats {
	uint64_t datagrams_in;  /* taken by edge_dtls_input */
	uint64_t refused_in;    /* refused by edge_dtls_input (any reason) */
	uint64_t datagrams_out; /* queued for the caller */
	uint64_t out_dropped;   /* not queued: output queue full */
	uint64_t retransmits;   /* flights resent by the timer */
};

struct edge_dtls_ctx;
struct edge_dtls_session;

/* Name ("fingerprint_mismatch") and explanation of a reason; "?" out of range. */
const char *edge_dtls_reason_name(enum edge_dtls_reason r);
const char *edge_dtls_reason_help(enum edge_dtls_reason r);
/* "handshaking", "connected", "closed", "failed"; "?" out of range. */
const char *edge_dtls_state_name(enum edge_dtls_state st);

/* Create the server context. Returns NULL with errno EINVAL (no cert, MTU
 * outside EDGE_DTLS_MIN_MTU..EDGE_DTLS_MAX_MTU, a profile unknown to relais
 * or to OpenSSL, or without a DTLS-SRTP id), ENOMEM, or EPROTO (OpenSSL
 * refused the configuration). */
struct edge_dtls_ctx *edge_dtls_ctx_new(const struct edge_dtls_params *params);

/* Free the context. Every session must have been freed first: with sessions
 * left it frees nothing and returns -EBUSY; otherwise 0. NULL: 0. */
int edge_dtls_ctx_free(struct edge_dtls_ctx *ctx);

/* Sessions currently handshaking (half-open). */
unsigned edge_dtls_half_open(const struct edge_dtls_ctx *ctx);
/* Sessions refused since creation because the half-open cap was reached. */
uint64_t edge_dtls_refused_cap(const struct edge_dtls_ctx *ctx);

/* Start a server session for a peer whose certificate must have the SHA-256
 * fingerprint peer_fp (edge_fingerprint_parse of the offer's
 * a=fingerprint); the handshake deadline is now_ms + handshake_ms. Returns
 * NULL with *why = EDGE_DTLS_HALF_OPEN_CAP (counted) or EDGE_DTLS_NO_MEMORY. */
struct edge_dtls_session *edge_dtls_session_new(struct edge_dtls_ctx *ctx,
						const uint8_t peer_fp[EDGE_FINGERPRINT_LEN],
						uint64_t now_ms, enum edge_dtls_reason *why);

/* Feed one datagram received from the peer. Returns EDGE_DTLS_NONE when it
 * was taken (the state may have changed: check edge_dtls_state), or
 * NOT_DTLS, OVERSIZED or ENDED when it was refused without touching the
 * session. Drain edge_dtls_output after every call, also when the session
 * just ended: it may hold our alert or close_notify. Application data after
 * the handshake is read and discarded. A new handshake from the same peer
 * (ICE restart, a reloaded page) needs a new session. */
enum edge_dtls_reason edge_dtls_input(struct edge_dtls_session *s, const uint8_t *dgram, size_t len,
				      uint64_t now_ms);

/* Take the next datagram to send to the peer into buf. Returns its length,
 * 0 when none is queued, or -ENOSPC (datagram kept) when cap is smaller
 * than it; a datagram is never longer than the context's MTU. */
int edge_dtls_output(struct edge_dtls_session *s, uint8_t *buf, size_t cap);

/* When edge_dtls_handle_timeout() is next due, on the caller's clock:
 * the earlier of the retransmission timer and the handshake deadline while
 * handshaking; EDGE_DTLS_NO_TIMEOUT once connected or ended. */
uint64_t edge_dtls_next_timeout(const struct edge_dtls_session *s, uint64_t now_ms);

/* Run the timers: past the deadline, or when OpenSSL gives up
 * retransmitting, the session fails with HANDSHAKE_TIMEOUT; when the
 * retransmission timer expired, the last flight is queued again. Harmless
 * when nothing is due. */
void edge_dtls_handle_timeout(struct edge_dtls_session *s, uint64_t now_ms);

/* End the session from our side: a connected session queues close_notify;
 * the state becomes CLOSED with LOCAL_CLOSE. No-op once ended. */
void edge_dtls_close(struct edge_dtls_session *s);

enum edge_dtls_state edge_dtls_state(const struct edge_dtls_session *s);
/* Why the session ended; EDGE_DTLS_NONE while handshaking or connected. */
enum edge_dtls_reason edge_dtls_reason(const struct edge_dtls_session *s);
/* The description of the last alert the peer sent (RFC 5246 §7.2), or -1. */
int edge_dtls_last_alert(const struct edge_dtls_session *s);
void edge_dtls_get_stats(const struct edge_dtls_session *s, struct edge_dtls_stats *out);

/* The negotiated profile and keys, once the session has been connected
 * (they stay readable after it ends, until freed). Returns 0, or -ENOTCONN
 * when the handshake never completed. The caller wipes its copy
 * (OPENSSL_cleanse) once the keys are handed to the dataplane. */
int edge_dtls_keys(const struct edge_dtls_session *s, struct edge_dtls_keys *out);

/* Free the session (no alert sent: call edge_dtls_close first for a
 * close_notify), wiping its keys. NULL is a no-op. */
void edge_dtls_session_free(struct edge_dtls_session *s);

#endif /* EDGE_DTLS_H */
