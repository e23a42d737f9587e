/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The datagram memory BIO under every session: OpenSSL reads the one
 * datagram edge_dtls_input() lends (s->in) and each of its writes becomes
 * one datagram of the session's output queue, which the caller drains. A
 * plain BIO_s_mem would merge datagrams; DTLS needs their boundaries
 * (RFC 6347 §4.1.1: records never span datagrams).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "edge_dtls_impl.h"

#define OUTQ_LEN_BYTES 2

/* See edge_dtls_impl.h. */
int edge_dtls_outq_push(struct edge_dtls_outq *q, const uint8_t *p, size_t len)
{
	if (len > UINT16_MAX || q->cap - q->tail < OUTQ_LEN_BYTES + len)
		return -ENOBUFS;
	q->buf[q->tail] = (uint8_t)(len >> 8);
	q->buf[q->tail + 1] = (uint8_t)len;
	memcpy(q->buf + q->tail + OUTQ_LEN_BYTES, p, len);
	q->tail += OUTQ_LEN_BYTES + len;
	return 0;
}

/* See edge_dtls_impl.h. */
int edge_dtls_outq_pop(struct edge_dtls_outq *q, uint8_t *buf, size_t cap)
{
	size_t len;

	if (q->head == q->tail)
		return 0;
	len = (size_t)q->buf[q->head] << 8 | q->buf[q->head + 1];
	if (len > cap)
		return -ENOSPC;
	memcpy(buf, q->buf + q->head + OUTQ_LEN_BYTES, len);
	q->head += OUTQ_LEN_BYTES + len;
	if (q->head == q->tail)
		q->head = q->tail = 0; /* empty: start again at the front */
	return (int)len;
}

/* BIO write: one call, one datagram. A datagram that does not fit the
 * queue is dropped like a full socket buffer would (the retransmission
 * timer recovers); OpenSSL is told it was sent. */
static int bio_write(BIO *bio, const char *data, int len)
{
	struct edge_dtls_session *s = BIO_get_data(bio);

	if (len <= 0)
		return 0;
	if ((size_t)len > s->ctx->mtu ||
	    edge_dtls_outq_push(&s->out, (const uint8_t *)data, (size_t)len) != 0)
		s->stats.out_dropped++;
	else
		s->stats.datagrams_out++;
	return len;
}

/* BIO read: the lent datagram once, then "retry later" (no more input). */
static int bio_read(BIO *bio, char *buf, int len)
{
	struct edge_dtls_session *s = BIO_get_data(bio);
	size_t n;

	BIO_clear_retry_flags(bio);
	if (s->in == NULL) {
		BIO_set_retry_read(bio);
		return -1;
	}
	n = len < 0 ? 0 : (size_t)len;
	if (n > s->in_len)
		n = s->in_len; /* a shorter buffer truncates, as recvfrom would */
	memcpy(buf, s->in, n);
	s->in = NULL;
	s->in_len = 0;
	return (int)n;
}

/* BIO control: the datagram queries OpenSSL's DTLS makes of its BIO. */
static long bio_ctrl(BIO *bio, int cmd, long num, void *ptr)
{
	struct edge_dtls_session *s = BIO_get_data(bio);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_PENDING:
		return s->in != NULL ? (long)s->in_len : 0;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
		return (long)s->ctx->mtu;
	case BIO_CTRL_WPENDING:
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
	case BIO_CTRL_DGRAM_MTU_EXCEEDED:
	default:
		return 0;
	}
}

/* BIO create: ready at once; the session is attached by edge_dtls_bio_new. */
static int bio_create(BIO *bio)
{
	BIO_set_init(bio, 1);
	return 1;
}

/* See edge_dtls_impl.h. */
BIO_METHOD *edge_dtls_bio_method_new(void)
{
	int type = BIO_get_new_index();
	BIO_METHOD *m;

	if (type == -1)
		return NULL;
	m = BIO_meth_new(type | BIO_TYPE_SOURCE_SINK, "relais edge_dtls datagram");
	if (m == NULL)
		return NULL;
	if (BIO_meth_set_write(m, bio_write) != 1 || BIO_meth_set_read(m, bio_read) != 1 ||
	    BIO_meth_set_ctrl(m, bio_ctrl) != 1 || BIO_meth_set_create(m, bio_create) != 1) {
		BIO_meth_free(m);
		return NULL;
	}
	return m;
}

/* See edge_dtls_impl.h. */
BIO *edge_dtls_bio_new(struct edge_dtls_session *s)
{
	BIO *bio = BIO_new(s->ctx->bio_method);

	if (bio != NULL)
		BIO_set_data(bio, s);
	return bio;
}
