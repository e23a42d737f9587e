/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS-SRTP server sessions: the handshake driven by the caller's datagrams
 * and clock, its ending (alerts, close_notify, deadline), and the SRTP keys
 * exported when it completes (RFC 5764 §4.2). See edge_dtls.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "edge_dtls_impl.h"

#define SRTP_EXPORTER_LABEL "EXTRACTOR-dtls_srtp" /* RFC 5764 §4.2 */
/* Output queue: room for this many datagrams of the MTU, and at least
 * OUTQ_MIN_BYTES, so a flight resent one record per datagram fits at any
 * MTU (ours is about 640 bytes with a P-256 certificate). */
#define OUTQ_DATAGRAMS 4
#define OUTQ_MIN_BYTES 4096
/* Application records read (and dropped) per datagram at most. */
#define READ_LOOP_MAX 16
#define ALERT_LEVEL_FATAL 2
#define ALERT_CLOSE_NOTIFY 0
/* OpenSSL's retransmission timer never grows past this (RFC 6347 §4.2.4.1). */
#define RETRANSMIT_MAX_US (60u * 1000 * 1000)

/* Leave EDGE_DTLS_HANDSHAKING: the session no longer counts as half-open. */
static void leave_handshake(struct edge_dtls_session *s)
{
	if (s->state == EDGE_DTLS_HANDSHAKING)
		s->ctx->half_open--;
}

/* End the session with a reason; CLOSED for the clean ones, else FAILED. */
static void session_end(struct edge_dtls_session *s, enum edge_dtls_reason why)
{
	leave_handshake(s);
	s->reason = why;
	s->state = (why == EDGE_DTLS_CLOSE_NOTIFY || why == EDGE_DTLS_LOCAL_CLOSE)
		       ? EDGE_DTLS_CLOSED
		       : EDGE_DTLS_FAILED;
}

/* OpenSSL info callback: remember the alerts the peer sends. */
static void info_callback(const SSL *ssl, int where, int value)
{
	struct edge_dtls_session *s = edge_dtls_session_of(ssl);

	if ((where & SSL_CB_READ_ALERT) != SSL_CB_READ_ALERT || s == NULL)
		return;
	s->last_alert = value & 0xff;
	if ((value >> 8) == ALERT_LEVEL_FATAL && s->pending == EDGE_DTLS_NONE)
		s->pending = EDGE_DTLS_ALERT;
}

/* DTLS timer callback: retransmit_ms first, then doubling up to 60 s. */
static unsigned int timer_callback(SSL *ssl, unsigned int timer_us)
{
	const struct edge_dtls_session *s = edge_dtls_session_of(ssl);

	if (timer_us == 0)
		return s->ctx->retransmit_ms * 1000u;
	return timer_us >= RETRANSMIT_MAX_US / 2 ? RETRANSMIT_MAX_US : timer_us * 2;
}

/* Create the SSL object of a session on its datagram BIO; 0 or -ENOMEM. */
static int session_ssl_new(struct edge_dtls_session *s)
{
	BIO *bio;

	s->ssl = SSL_new(s->ctx->ssl_ctx);
	if (s->ssl == NULL)
		return -ENOMEM;
	bio = edge_dtls_bio_new(s);
	if (bio == NULL)
		return -ENOMEM;
	SSL_set_bio(s->ssl, bio, bio); /* one BIO for both: SSL takes its one reference */
	SSL_set_app_data(s->ssl, s);
	SSL_set_info_callback(s->ssl, info_callback);
	DTLS_set_timer_cb(s->ssl, timer_callback);
	if (SSL_set_mtu(s->ssl, (long)s->ctx->mtu) <= 0) /* returns the MTU */
		return -ENOMEM;
	SSL_set_accept_state(s->ssl);
	return 0;
}

/* See edge_dtls.h. */
struct edge_dtls_session *edge_dtls_session_new(struct edge_dtls_ctx *ctx,
						const uint8_t peer_fp[EDGE_FINGERPRINT_LEN],
						uint64_t now_ms, enum edge_dtls_reason *why)
{
	size_t out_cap = OUTQ_DATAGRAMS * ((size_t)ctx->mtu + 2);
	struct edge_dtls_session *s;

	if (out_cap < OUTQ_MIN_BYTES)
		out_cap = OUTQ_MIN_BYTES;
	if (ctx->half_open >= ctx->max_half_open) {
		ctx->refused_cap++;
		*why = EDGE_DTLS_HALF_OPEN_CAP;
		return NULL;
	}
	*why = EDGE_DTLS_NO_MEMORY;
	s = calloc(1, sizeof(*s) + out_cap);
	if (s == NULL)
		return NULL;
	s->ctx = ctx;
	s->out.buf = (uint8_t *)(s + 1);
	s->out.cap = out_cap;
	s->last_alert = -1;
	s->deadline_ms = now_ms + ctx->handshake_ms;
	memcpy(s->peer_fp, peer_fp, EDGE_FINGERPRINT_LEN);
	ctx->live++;
	ctx->half_open++; /* state EDGE_DTLS_HANDSHAKING (0) */
	if (session_ssl_new(s) != 0) {
		ERR_clear_error();
		edge_dtls_session_free(s);
		return NULL;
	}
	*why = EDGE_DTLS_NONE;
	return s;
}

/* Split the exported keying material (RFC 5764 §4.2: client key, server
 * key, client salt, server salt) into the session's rx (client write) and
 * tx (server write) keys. */
static void keys_split(struct edge_dtls_keys *k, const struct relais_srtp_profile_info *info,
		       const uint8_t *m)
{
	size_t kl = info->key_len, sl = info->salt_len;

	memset(k, 0, sizeof(*k));
	k->profile = k->rx.profile = k->tx.profile = (uint16_t)info->id;
	memcpy(k->rx.key, m, kl);
	memcpy(k->tx.key, m + kl, kl);
	memcpy(k->rx.salt, m + 2 * kl, sl);
	memcpy(k->tx.salt, m + 2 * kl + sl, sl);
}

/* The handshake completed: check the peer once more, map the negotiated
 * profile through relais' list and export the keys. Returns the reason the
 * session must fail, or EDGE_DTLS_NONE. */
static enum edge_dtls_reason handshake_done(struct edge_dtls_session *s)
{
	const SRTP_PROTECTION_PROFILE *srtp = SSL_get_selected_srtp_profile(s->ssl);
	const struct relais_srtp_profile_info *info =
	    srtp != NULL ? relais_srtp_profile_get((uint32_t)srtp->id) : NULL;
	uint8_t material[2 * (RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN)];
	size_t len;
	int ok;

	if (SSL_get0_peer_certificate(s->ssl) == NULL)
		return EDGE_DTLS_NO_CLIENT_CERT;
	if (info == NULL)
		return EDGE_DTLS_NO_SRTP_PROFILE;
	len = 2 * ((size_t)info->key_len + info->salt_len);
	ok = SSL_export_keying_material(s->ssl, material, len, SRTP_EXPORTER_LABEL,
					strlen(SRTP_EXPORTER_LABEL), NULL, 0, 0) == 1;
	if (ok) {
		keys_split(&s->keys, info, material);
		s->has_keys = 1;
	}
	OPENSSL_cleanse(material, sizeof(material));
	return ok ? EDGE_DTLS_NONE : EDGE_DTLS_KEY_EXPORT;
}

/* Why OpenSSL failed the handshake: what a callback recorded (fingerprint,
 * profile, a fatal alert), a missing client certificate, or a plain
 * protocol error. Clears OpenSSL's error queue. */
static enum edge_dtls_reason handshake_failure(struct edge_dtls_session *s)
{
	unsigned long err = ERR_peek_error();
	enum edge_dtls_reason why = s->pending;

	if (why == EDGE_DTLS_NONE && ERR_GET_LIB(err) == ERR_LIB_SSL &&
	    ERR_GET_REASON(err) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)
		why = EDGE_DTLS_NO_CLIENT_CERT;
	if (why == EDGE_DTLS_NONE)
		why = EDGE_DTLS_HANDSHAKE_ERROR;
	ERR_clear_error();
	return why;
}

/* The reason an SSL call's failure (ret <= 0) ends the session, or
 * EDGE_DTLS_NONE when it only waits for more input. */
static enum edge_dtls_reason ssl_call_failure(struct edge_dtls_session *s, int ret)
{
	int err = SSL_get_error(s->ssl, ret);

	switch (err) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		ERR_clear_error();
		return EDGE_DTLS_NONE;
	case SSL_ERROR_ZERO_RETURN:
		ERR_clear_error();
		return EDGE_DTLS_CLOSE_NOTIFY;
	default:
		return handshake_failure(s);
	}
}

/* Advance the handshake with what the BIO holds. */
static void drive_handshake(struct edge_dtls_session *s)
{
	int ret = SSL_do_handshake(s->ssl);
	enum edge_dtls_reason why;

	if (ret == 1) {
		why = handshake_done(s);
		if (why != EDGE_DTLS_NONE) {
			(void)SSL_shutdown(s->ssl); /* the peer thinks it done: tell it */
			ERR_clear_error();
			session_end(s, why);
			return;
		}
		leave_handshake(s);
		s->state = EDGE_DTLS_CONNECTED;
		return;
	}
	why = ssl_call_failure(s, ret);
	if (why != EDGE_DTLS_NONE)
		session_end(s, why);
}

/* Connected: read what the datagram carries. Application data (relais
 * carries no data channel) is dropped; close_notify closes the session and
 * is answered with ours; a fatal alert or error fails it. A retransmitted
 * client Finished makes OpenSSL resend our last flight here. */
static void drive_connected(struct edge_dtls_session *s)
{
	uint8_t scratch[2048];

	for (int i = 0; i < READ_LOOP_MAX; i++) {
		int ret = SSL_read(s->ssl, scratch, sizeof(scratch));
		enum edge_dtls_reason why;

		if (ret > 0)
			continue;
		why = ssl_call_failure(s, ret);
		if (why == EDGE_DTLS_CLOSE_NOTIFY)
			(void)SSL_shutdown(s->ssl);
		ERR_clear_error();
		if (why != EDGE_DTLS_NONE)
			session_end(s, why);
		break;
	}
	OPENSSL_cleanse(scratch, sizeof(scratch));
}

/* 1 when a datagram can hold a DTLS record: a 13-byte header at least and
 * a first byte in 20..63 (RFC 7983 §7). */
static int looks_like_dtls(const uint8_t *p, size_t len)
{
	return len >= 13 && p[0] >= 20 && p[0] <= 63;
}

/* See edge_dtls.h. */
enum edge_dtls_reason edge_dtls_input(struct edge_dtls_session *s, const uint8_t *dgram, size_t len,
				      uint64_t now_ms)
{
	enum edge_dtls_reason refused = EDGE_DTLS_NONE;

	if (s->state != EDGE_DTLS_HANDSHAKING && s->state != EDGE_DTLS_CONNECTED)
		refused = EDGE_DTLS_ENDED;
	else if (dgram == NULL || !looks_like_dtls(dgram, len))
		refused = EDGE_DTLS_NOT_DTLS;
	else if (len > EDGE_DTLS_MAX_DATAGRAM)
		refused = EDGE_DTLS_OVERSIZED;
	if (refused != EDGE_DTLS_NONE) {
		s->stats.refused_in++;
		return refused;
	}
	s->stats.datagrams_in++;
	s->in = dgram;
	s->in_len = len;
	if (s->state == EDGE_DTLS_HANDSHAKING && now_ms >= s->deadline_ms)
		session_end(s, EDGE_DTLS_HANDSHAKE_TIMEOUT);
	else if (s->state == EDGE_DTLS_HANDSHAKING)
		drive_handshake(s);
	else
		drive_connected(s);
	s->in = NULL; /* a datagram OpenSSL did not read is dropped */
	s->in_len = 0;
	return EDGE_DTLS_NONE;
}

/* See edge_dtls.h. */
int edge_dtls_output(struct edge_dtls_session *s, uint8_t *buf, size_t cap)
{
	return edge_dtls_outq_pop(&s->out, buf, cap);
}

/* See edge_dtls.h. */
uint64_t edge_dtls_next_timeout(const struct edge_dtls_session *s, uint64_t now_ms)
{
	struct timeval tv;
	uint64_t due;

	if (s->state != EDGE_DTLS_HANDSHAKING)
		return EDGE_DTLS_NO_TIMEOUT;
	due = s->deadline_ms;
	if (DTLSv1_get_timeout(s->ssl, &tv) == 1) {
		/* rounded up, so the timer has expired when we are called */
		uint64_t in_ms = (uint64_t)tv.tv_sec * 1000 + ((uint64_t)tv.tv_usec + 999) / 1000;

		if (now_ms + in_ms < due)
			due = now_ms + in_ms;
	}
	return due;
}

/* See edge_dtls.h. */
void edge_dtls_handle_timeout(struct edge_dtls_session *s, uint64_t now_ms)
{
	int ret;

	if (s->state != EDGE_DTLS_HANDSHAKING)
		return;
	if (now_ms >= s->deadline_ms) {
		session_end(s, EDGE_DTLS_HANDSHAKE_TIMEOUT);
		return;
	}
	ret = DTLSv1_handle_timeout(s->ssl);
	if (ret > 0)
		s->stats.retransmits++;
	ERR_clear_error();
	if (ret < 0)
		session_end(s, EDGE_DTLS_HANDSHAKE_TIMEOUT);
}

/* See edge_dtls.h. */
void edge_dtls_close(struct edge_dtls_session *s)
{
	if (s->state == EDGE_DTLS_CONNECTED) {
		(void)SSL_shutdown(s->ssl); /* queues close_notify */
		ERR_clear_error();
	}
	if (s->state == EDGE_DTLS_HANDSHAKING || s->state == EDGE_DTLS_CONNECTED)
		session_end(s, EDGE_DTLS_LOCAL_CLOSE);
}

/* See edge_dtls.h. */
enum edge_dtls_state edge_dtls_state(const struct edge_dtls_session *s)
{
	return s->state;
}

/* See edge_dtls.h. */
enum edge_dtls_reason edge_dtls_reason(const struct edge_dtls_session *s)
{
	return s->reason;
}

/* See edge_dtls.h. */
int edge_dtls_last_alert(const struct edge_dtls_session *s)
{
	return s->last_alert;
}

/* See edge_dtls.h. */
void edge_dtls_get_stats(const struct edge_dtls_session *s, struct edge_dtls_stats *out)
{
	*out = s->stats;
}

/* See edge_dtls.h. */
int edge_dtls_keys(const struct edge_dtls_session *s, struct edge_dtls_keys *out)
{
	if (!s->has_keys)
		return -ENOTCONN;
	*out = s->keys;
	return 0;
}

/* See edge_dtls.h. */
void edge_dtls_session_free(struct edge_dtls_session *s)
{
	if (s == NULL)
		return;
	leave_handshake(s);
	s->ctx->live--;
	SSL_free(s->ssl); /* frees the BIO; OpenSSL wipes its secrets */
	OPENSSL_cleanse(s, sizeof(*s) + s->out.cap);
	free(s);
}
