/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_bench, DTLS part: complete DTLS 1.2 handshakes of edge/dtls server
 * sessions (the node certificate as relais-edge makes it, the context with
 * relais-edge's defaults) against an OpenSSL DTLS client in the same
 * thread, datagram by datagram on memory BIOs, through the SRTP key export
 * (EXTRACTOR-dtls_srtp, RFC 5764 §4.2) on both sides.
 *
 * The client plays a browser: a P-256 certificate of its own, use_srtp in
 * Chromium's order (AEAD_AES_128_GCM, AEAD_AES_256_GCM, AES_CM_128_SHA1_80,
 * _32), X25519 then P-256, an MTU of 1200, and the server's certificate
 * checked against the node's fingerprint. Every call into edge_dtls is
 * timed apart from every call into the client (CLOCK_THREAD_CPUTIME_ID),
 * since only the server side runs on a node. A handshake counts when both
 * sides completed and the server's keys are the client's export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <relais/srtp_profile.h>

#include "edge_bench.h"
#include "edge_cert.h"
#include "edge_dtls.h"

#define MTU 1200
#define QUEUE_DGRAMS 16
/* Exchanges of flights per handshake at most (DTLS 1.2 needs 3). */
#define MAX_STEPS 16
#define CLIENT_PROFILES                                                                           \
	"SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_" \
	"32"
#define CLIENT_GROUPS "X25519:P-256"
#define EXPORTER_LABEL "EXTRACTOR-dtls_srtp"

/* Datagrams in flight one way, in order. */
struct dgram_queue {
	unsigned n;
	size_t len[QUEUE_DGRAMS];
	uint8_t data[QUEUE_DGRAMS][EDGE_DTLS_MAX_MTU];
};

/* The client's BIO: reads the one datagram lent to it, writes datagrams
 * into to_server. */
struct client_io {
	const uint8_t *lent;
	size_t lent_len;
	struct dgram_queue *to_server;
	uint64_t dropped;
};

struct eb_dtls {
	struct edge_cert *node_cert, *client_cert;
	struct edge_dtls_ctx *ctx;
	SSL_CTX *client_ctx;
	BIO_METHOD *client_bio;
	struct client_io io;
	struct dgram_queue to_server, to_client;
};

/* Client BIO write: one call, one datagram (dropped when the queue is full,
 * as a socket buffer would). */
static int client_bio_write(BIO *bio, const char *data, int len)
{
	struct client_io *io = BIO_get_data(bio);
	struct dgram_queue *q = io->to_server;

	if (len <= 0)
		return 0;
	if (q->n == QUEUE_DGRAMS || (size_t)len > sizeof(q->data[0])) {
		io->dropped++;
		return len;
	}
	memcpy(q->data[q->n], data, (size_t)len);
	q->len[q->n++] = (size_t)len;
	return len;
}

/* Client BIO read: the lent datagram once, then "retry". */
static int client_bio_read(BIO *bio, char *buf, int len)
{
	struct client_io *io = BIO_get_data(bio);
	size_t n = io->lent_len < (size_t)len ? io->lent_len : (size_t)len;

	BIO_clear_retry_flags(bio);
	if (io->lent == NULL || len < 0) {
		BIO_set_retry_read(bio);
		return -1;
	}
	memcpy(buf, io->lent, n);
	io->lent = NULL;
	return (int)n;
}

/* Client BIO control: the MTU, and "done" for a flush. */
static long client_bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
	(void)bio;
	(void)num;
	(void)ptr;
	if (cmd == BIO_CTRL_FLUSH)
		return 1;
	if (cmd == BIO_CTRL_DGRAM_QUERY_MTU || cmd == BIO_CTRL_DGRAM_GET_FALLBACK_MTU)
		return MTU;
	return 0;
}

static int client_bio_create(BIO *bio)
{
	BIO_set_init(bio, 1);
	return 1;
}

/* The client BIO's method, NULL on failure. */
static BIO_METHOD *client_bio_method(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "edge_bench");

	if (m != NULL && (BIO_meth_set_write(m, client_bio_write) != 1 ||
			  BIO_meth_set_read(m, client_bio_read) != 1 ||
			  BIO_meth_set_ctrl(m, client_bio_ctrl) != 1 ||
			  BIO_meth_set_create(m, client_bio_create) != 1)) {
		BIO_meth_free(m);
		m = NULL;
	}
	return m;
}

/* The browser's check of the node: the server certificate's SHA-256 must
 * be the fingerprint of the answer (arg). */
static int client_verify(X509_STORE_CTX *store, void *arg)
{
	X509 *leaf = X509_STORE_CTX_get0_cert(store);
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;

	return leaf != NULL && X509_digest(leaf, EVP_sha256(), md, &md_len) == 1 &&
	       md_len == EDGE_FINGERPRINT_LEN && memcmp(md, arg, EDGE_FINGERPRINT_LEN) == 0;
}

/* The client's SSL_CTX; NULL on failure. */
static SSL_CTX *client_ctx_new(const struct edge_cert *client, const struct edge_cert *node)
{
	SSL_CTX *c = SSL_CTX_new(DTLS_client_method());
	char groups[] = CLIENT_GROUPS; /* the macro casts away const (-Wcast-qual) */

	if (c == NULL)
		return NULL;
	if (SSL_CTX_set_min_proto_version(c, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(c, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_set1_groups_list(c, groups) != 1 ||
	    SSL_CTX_use_certificate(c, edge_cert_x509(client)) != 1 ||
	    SSL_CTX_use_PrivateKey(c, edge_cert_pkey(client)) != 1 ||
	    SSL_CTX_set_tlsext_use_srtp(c, CLIENT_PROFILES) != 0) {
		SSL_CTX_free(c);
		return NULL;
	}
	SSL_CTX_set_options(c, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_cert_verify_callback(c, client_verify,
					 (void *)(uintptr_t)edge_cert_fingerprint_bytes(node));
	return c;
}

/* See edge_bench.h. */
struct eb_dtls *eb_dtls_new(void)
{
	struct eb_dtls *b = calloc(1, sizeof(*b));
	struct edge_dtls_params params = {0};
	enum edge_cert_error ce;

	if (b == NULL)
		goto fail;
	b->io.to_server = &b->to_server;
	b->node_cert = edge_cert_generate("relais-edge", &ce);
	b->client_cert = edge_cert_generate("edge_bench client", &ce);
	if (b->node_cert == NULL || b->client_cert == NULL)
		goto fail;
	params.cert = b->node_cert;
	b->ctx = edge_dtls_ctx_new(&params);
	b->client_ctx = client_ctx_new(b->client_cert, b->node_cert);
	b->client_bio = client_bio_method();
	if (b->ctx != NULL && b->client_ctx != NULL && b->client_bio != NULL)
		return b;
fail:
	fprintf(stderr, "edge_bench: DTLS setup failed\n");
	ERR_print_errors_fp(stderr);
	eb_dtls_free(b);
	return NULL;
}

/* A client SSL on the client BIO, its ClientHello queued; NULL on failure. */
static SSL *client_start(struct eb_dtls *b)
{
	SSL *c = SSL_new(b->client_ctx);
	BIO *bio = c != NULL ? BIO_new(b->client_bio) : NULL;

	if (bio == NULL) {
		SSL_free(c);
		return NULL;
	}
	BIO_set_data(bio, &b->io);
	SSL_set_bio(c, bio, bio);
	SSL_set_mtu(c, MTU);
	SSL_set_connect_state(c);
	(void)SSL_do_handshake(c);
	ERR_clear_error();
	return c;
}

/* Milliseconds of CLOCK_MONOTONIC, the server's clock. */
static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The server takes what the client sent and queues its answer (timed as
 * server time); datagrams counted. */
static void server_step(struct eb_dtls *b, struct edge_dtls_session *s, struct eb_dtls_round *r)
{
	struct dgram_queue *out = &b->to_client;
	struct eb_time t;
	int n = 1;

	eb_time_start(&t);
	for (unsigned i = 0; i < b->to_server.n; i++) {
		(void)edge_dtls_input(s, b->to_server.data[i], b->to_server.len[i], mono_ms());
		while (out->n < QUEUE_DGRAMS &&
		       (n = edge_dtls_output(s, out->data[out->n], sizeof(out->data[0]))) > 0)
			out->len[out->n++] = (size_t)n;
	}
	eb_time_add(&r->server, &t);
	r->datagrams += b->to_server.n;
	b->to_server.n = 0;
}

/* The client takes what the server sent, one datagram per call (timed as
 * client time). */
static void client_step(struct eb_dtls *b, SSL *c, struct eb_dtls_round *r)
{
	struct eb_time t;

	eb_time_start(&t);
	for (unsigned i = 0; i < b->to_client.n; i++) {
		b->io.lent = b->to_client.data[i];
		b->io.lent_len = b->to_client.len[i];
		(void)SSL_do_handshake(c);
		ERR_clear_error();
	}
	b->io.lent = NULL;
	eb_time_add(&r->client, &t);
	r->datagrams += b->to_client.n;
	b->to_client.n = 0;
}

/* 1 when the server is connected with keys equal to the client's export
 * (client write key, server write key, client salt, server salt) under the
 * profile the client saw chosen; the profile's name into r. Exports timed. */
static int keys_agree(const struct edge_dtls_session *s, SSL *c, struct eb_dtls_round *r)
{
	const SRTP_PROTECTION_PROFILE *seen;
	const struct relais_srtp_profile_info *info;
	uint8_t m[2 * (RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN)];
	struct edge_dtls_keys k;
	struct eb_time t;
	size_t kl, sl;
	int ok;

	eb_time_start(&t);
	ok = edge_dtls_state(s) == EDGE_DTLS_CONNECTED && edge_dtls_keys(s, &k) == 0;
	eb_time_add(&r->server, &t);
	info = ok ? relais_srtp_profile_get(k.profile) : NULL;
	seen = SSL_get_selected_srtp_profile(c);
	if (info == NULL || seen == NULL || seen->id != k.profile || !SSL_is_init_finished(c))
		return 0;
	kl = info->key_len;
	sl = info->salt_len;
	eb_time_start(&t);
	ok = SSL_export_keying_material(c, m, 2 * (kl + sl), EXPORTER_LABEL, strlen(EXPORTER_LABEL),
					NULL, 0, 0) == 1;
	eb_time_add(&r->client, &t);
	ok = ok && !memcmp(m, k.rx.key, kl) && !memcmp(m + kl, k.tx.key, kl) &&
	     !memcmp(m + 2 * kl, k.rx.salt, sl) && !memcmp(m + 2 * kl + sl, k.tx.salt, sl);
	snprintf(r->profile, sizeof(r->profile), "%s", seen->name);
	OPENSSL_cleanse(m, sizeof(m));
	OPENSSL_cleanse(&k, sizeof(k));
	return ok;
}

/* One handshake from the server's session_new to both frees; 1 when it
 * completed with agreeing keys. */
static int handshake_one(struct eb_dtls *b, struct eb_dtls_round *r)
{
	enum edge_dtls_reason why;
	struct edge_dtls_session *s;
	struct eb_time t;
	SSL *c;
	int ok = 0;

	eb_time_start(&t);
	s = edge_dtls_session_new(b->ctx, edge_cert_fingerprint_bytes(b->client_cert), mono_ms(),
				  &why);
	eb_time_add(&r->server, &t);
	eb_time_start(&t);
	c = s != NULL ? client_start(b) : NULL;
	eb_time_add(&r->client, &t);
	/* until the client has nothing more to say: done, failed or stalled */
	for (int step = 0; c != NULL && step < MAX_STEPS && b->to_server.n > 0; step++) {
		server_step(b, s, r);
		client_step(b, c, r);
	}
	if (c != NULL)
		ok = keys_agree(s, c, r);
	eb_time_start(&t);
	edge_dtls_session_free(s);
	eb_time_add(&r->server, &t);
	eb_time_start(&t);
	SSL_free(c);
	eb_time_add(&r->client, &t);
	b->to_server.n = b->to_client.n = 0;
	return ok;
}

/* See edge_bench.h. */
void eb_dtls_round(struct eb_dtls *b, double secs, uint64_t max_ops, struct eb_dtls_round *out)
{
	uint64_t limit_ns = (uint64_t)(secs * 1e9);
	struct eb_time t;

	memset(out, 0, sizeof(*out));
	while (out->handshakes + out->failed < max_ops && out->total.wall_ns < limit_ns) {
		eb_time_start(&t);
		if (handshake_one(b, out))
			out->handshakes++;
		else
			out->failed++;
		eb_time_add(&out->total, &t);
	}
}

/* See edge_bench.h. */
void eb_dtls_free(struct eb_dtls *b)
{
	if (b == NULL)
		return;
	SSL_CTX_free(b->client_ctx);
	BIO_meth_free(b->client_bio);
	(void)edge_dtls_ctx_free(b->ctx);
	edge_cert_free(b->client_cert);
	edge_cert_free(b->node_cert);
	free(b);
}
