/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to edge/dtls: the context and session structs shared by
 * edge_dtls_ctx.c (SSL_CTX and its callbacks), edge_dtls_bio.c (the
 * datagram memory BIO and the output queue) and edge_dtls.c (sessions).
 */
#ifndef EDGE_DTLS_IMPL_H
#define EDGE_DTLS_IMPL_H

#include <openssl/ssl.h>

#include "edge_dtls.h"

struct edge_dtls_ctx {
	SSL_CTX *ssl_ctx;
	BIO_METHOD *bio_method;
	unsigned mtu;
	unsigned handshake_ms;
	unsigned retransmit_ms;
	unsigned max_half_open;
	unsigned half_open; /* sessions in EDGE_DTLS_HANDSHAKING */
	unsigned live;      /* sessions not yet freed */
	uint64_t refused_cap;
	uint16_t profiles[RELAIS_SRTP_PROFILE_COUNT]; /* preference order */
	size_t n_profiles;
};

/* Datagrams queued for the caller: each a 2-byte length then its bytes,
 * from head to tail of buf[cap]. */
struct edge_dtls_outq {
	size_t head;
	size_t tail;
	size_t cap;
	uint8_t *buf;
};

struct edge_dtls_session {
	struct edge_dtls_ctx *ctx;
	SSL *ssl;
	enum edge_dtls_state state;
	enum edge_dtls_reason reason;
	/* Set by a callback during the handshake, the reason it failed. */
	enum edge_dtls_reason pending;
	int last_alert;
	uint64_t deadline_ms;
	uint8_t peer_fp[EDGE_FINGERPRINT_LEN];
	int has_keys;
	struct edge_dtls_keys keys;
	struct edge_dtls_stats stats;
	/* The one datagram edge_dtls_input lends the BIO. */
	const uint8_t *in;
	size_t in_len;
	struct edge_dtls_outq out;
};

/* edge_dtls_ctx.c: the session of an SSL (SSL_set_app_data). */
struct edge_dtls_session *edge_dtls_session_of(const SSL *ssl);

/* edge_dtls_bio.c: the BIO_METHOD of session BIOs (NULL on failure), and a
 * BIO of that method reading s->in and writing to s->out. */
BIO_METHOD *edge_dtls_bio_method_new(void);
BIO *edge_dtls_bio_new(struct edge_dtls_session *s);
/* Queue one datagram; 0, or -ENOBUFS when it does not fit (dropped). */
int edge_dtls_outq_push(struct edge_dtls_outq *q, const uint8_t *p, size_t len);
/* See edge_dtls_output(). */
int edge_dtls_outq_pop(struct edge_dtls_outq *q, uint8_t *buf, size_t cap);

#endif /* EDGE_DTLS_IMPL_H */
