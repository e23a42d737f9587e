/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The libsrtp2 engine behind the crypto seam (dp_crypto.h).
 *
 * One srtp_t per context: inbound contexts are created with
 * ssrc_any_inbound (libsrtp clones a stream for every SSRC of the
 * participant once its first packet authenticated), outbound ones with
 * ssrc_any_outbound and without allow_repeat_tx: an outbound index
 * already used (or older than the window) is refused, never encrypted a
 * second time (docs/crypto.md, "Output index uniqueness").
 * Outbound RTCP whose SRTCP index the pipeline chose (srtcp_index) is
 * protected by dp_srtcp_tx.c with the context's SRTCP session keys, as
 * libsrtp cannot start a stream's SRTCP numbering above 1.
 * libsrtp keeps the ROC and the replay window itself (RFC 3711 §3.3,
 * window DP_REPLAY_WINDOW): it checks before decrypting and records the
 * index only after authentication, as the seam requires. Each srtp_t is
 * touched only by its owning lcore, so no lock is taken per packet.
 *
 * Packets are processed in place at m->buf_addr + data_off + off; the mbuf
 * grows (rte_pktmbuf_append) after protect and shrinks (rte_pktmbuf_trim)
 * after unprotect. Lengths and the RTP/RTCP header are checked here before
 * libsrtp sees the packet, so a short or lying packet is a TRUNCATED drop.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include <relais/srtp_policy.h>
#include <relais/srtp_profile.h>

#include "dp_rtp.h"
#include "dp_crypto.h"
#include "dp_srtcp_tx.h"
#include "dp_srtp_index.h"

#define RTCP_HDR_LEN 8
#define SRTCP_INDEX_LEN 4

struct dp_crypto_engine {
	unsigned n_queues;
};

struct dp_crypto_ctx {
	srtp_t session;
	const struct relais_srtp_profile_info *prof;
	enum dp_crypto_dir dir;
	/* Master key || salt, kept for ls_ctx_rekey (srtp_update needs the
	 * master key); wiped on destroy. */
	uint8_t material[RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN];
	/* Outbound: SRTCP session keys for dp_srtcp_tx_protect; wiped on
	 * destroy. */
	struct dp_srtp_session_keys rtcp_tx;
};

/* srtp_init/srtp_shutdown are process-wide: reference-counted across
 * engines, on the control thread only. */
static pthread_mutex_t lib_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned lib_users;

/* Create the engine; initialises libsrtp on first use. NULL + errno
 * (EINVAL for n_queues 0, EIO when srtp_init fails, ENOMEM). */
static struct dp_crypto_engine *ls_create(unsigned n_queues)
{
	struct dp_crypto_engine *e;

	if (n_queues == 0) {
		errno = EINVAL;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_lock(&lib_lock);
	if (lib_users == 0 && srtp_init() != srtp_err_status_ok) {
		pthread_mutex_unlock(&lib_lock);
		free(e);
		errno = EIO;
		return NULL;
	}
	lib_users++;
	pthread_mutex_unlock(&lib_lock);
	e->n_queues = n_queues;
	return e;
}

/* Destroy the engine (all its contexts must be gone); the last engine shuts
 * libsrtp down. NULL is ignored. */
static void ls_destroy(struct dp_crypto_engine *e)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&lib_lock);
	if (lib_users > 0 && --lib_users == 0)
		srtp_shutdown();
	pthread_mutex_unlock(&lib_lock);
	free(e);
}

/* Context for one direction of one participant. The master key and salt
 * are copied into a stack buffer for srtp_create and wiped right after;
 * libsrtp keeps only the derived session keys. NULL + errno: EINVAL
 * (unknown profile, bad arguments), ENOMEM, EIO (libsrtp refused). */
static struct dp_crypto_ctx *
ls_ctx_create(struct dp_crypto_engine *e, const struct relais_srtp_key *key, enum dp_crypto_dir dir)
{
	uint8_t material[RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN];
	const struct relais_srtp_profile_info *prof;
	struct dp_crypto_ctx *c;
	srtp_policy_t pol;
	srtp_err_status_t st;

	prof = key != NULL ? relais_srtp_profile_get(key->profile) : NULL;
	if (e == NULL || prof == NULL || (dir != DP_CRYPTO_INBOUND && dir != DP_CRYPTO_OUTBOUND)) {
		errno = EINVAL;
		return NULL;
	}
	memset(&pol, 0, sizeof(pol));
	if (relais_srtp_policy_set(key->profile, &pol.rtp, &pol.rtcp) != 0) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(material, key->key, prof->key_len);
	memcpy(material + prof->key_len, key->salt, prof->salt_len);
	pol.ssrc.type = dir == DP_CRYPTO_INBOUND ? ssrc_any_inbound : ssrc_any_outbound;
	pol.key = material;
	pol.window_size = DP_REPLAY_WINDOW;
	pol.allow_repeat_tx = 0; /* never a second packet under one index */
	st = srtp_create(&c->session, &pol);
	memcpy(c->material, material, sizeof(c->material));
	explicit_bzero(material, sizeof(material));
	if (st == srtp_err_status_ok && dir == DP_CRYPTO_OUTBOUND &&
	    dp_srtp_kdf(prof, key->key, key->salt, 1, &c->rtcp_tx) < 0) {
		srtp_dealloc(c->session);
		st = srtp_err_status_fail;
	}
	if (st != srtp_err_status_ok) {
		explicit_bzero(c, sizeof(*c));
		free(c);
		errno = st == srtp_err_status_alloc_fail ? ENOMEM : EIO;
		return NULL;
	}
	c->prof = prof;
	c->dir = dir;
	return c;
}

/* See dp_crypto.h: srtp_update() with fresh's master key re-keys every
 * stream of c in place and keeps its ROC (libsrtp allocates the new
 * streams: a re-key is a control event, not per packet). */
static int ls_ctx_rekey(struct dp_crypto_engine *e, struct dp_crypto_ctx *c,
			struct dp_crypto_ctx *fresh)
{
	srtp_policy_t pol;
	srtp_err_status_t st;

	(void)e;
	if (c == NULL || fresh == NULL || c->prof != fresh->prof || c->dir != fresh->dir)
		return -EINVAL;
	memset(&pol, 0, sizeof(pol));
	relais_srtp_policy_set(c->prof->id, &pol.rtp, &pol.rtcp);
	pol.ssrc.type = c->dir == DP_CRYPTO_INBOUND ? ssrc_any_inbound : ssrc_any_outbound;
	pol.key = fresh->material;
	pol.window_size = DP_REPLAY_WINDOW;
	pol.allow_repeat_tx = 0;
	st = srtp_update(c->session, &pol);
	if (st != srtp_err_status_ok)
		return st == srtp_err_status_alloc_fail ? -ENOMEM : -EINVAL;
	memcpy(c->material, fresh->material, sizeof(c->material));
	c->rtcp_tx = fresh->rtcp_tx;
	return 0;
}

/* Free a context: srtp_dealloc zeroes libsrtp's session keys; the wrapper
 * is wiped too. Call only after an RCU grace period. NULL is ignored. */
static void ls_ctx_destroy(struct dp_crypto_engine *e, struct dp_crypto_ctx *c)
{
	(void)e;
	if (c == NULL)
		return;
	srtp_dealloc(c->session);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

/* Map a libsrtp status to a drop reason (RFC 3711 §3.3 step order:
 * replay before auth). cant_check is libsrtp's answer to an SRTCP packet
 * whose E flag says "not encrypted" while the policy encrypts (RFC 3711
 * §3.4): an unacceptable packet from the wire, counted with auth failures. */
static uint8_t drop_of(srtp_err_status_t st)
{
	switch (st) {
	case srtp_err_status_ok:
		return RELAIS_DROP_NONE;
	case srtp_err_status_auth_fail:
	case srtp_err_status_cant_check:
		return RELAIS_DROP_SRTP_AUTH;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return RELAIS_DROP_SRTP_REPLAY;
	default:
		return RELAIS_DROP_SRTP_ERROR;
	}
}

/* Unprotect one op in place; returns its drop reason. */
static uint8_t unprotect_one(struct dp_crypto_op *op)
{
	const struct relais_srtp_profile_info *prof;
	srtp_err_status_t st;
	uint8_t *p = NULL;
	uint32_t len = 0;
	uint8_t drop;
	int n;

	drop = dp_crypto_op_packet(op, &p, &len);
	if (drop != RELAIS_DROP_NONE)
		return drop;
	prof = op->ctx->prof;
	if (op->is_rtcp) {
		if (len < RTCP_HDR_LEN + SRTCP_INDEX_LEN + (uint32_t)prof->rtcp_tag_len)
			return RELAIS_DROP_TRUNCATED;
		n = (int)len;
		st = srtp_unprotect_rtcp(op->ctx->session, p, &n);
	} else {
		uint32_t hl = dp_rtp_header_len(p, len);

		if (hl == 0 || len < hl + prof->rtp_tag_len)
			return RELAIS_DROP_TRUNCATED;
		n = (int)len;
		st = srtp_unprotect(op->ctx->session, p, &n);
	}
	if (st != srtp_err_status_ok)
		return drop_of(st);
	if (n < 0 || (uint32_t)n > len || rte_pktmbuf_trim(op->m, (uint16_t)(len - (uint32_t)n)))
		return RELAIS_DROP_SRTP_ERROR;
	return RELAIS_DROP_NONE;
}

/* Protect one op in place; returns its drop reason. */
static uint8_t protect_one(struct dp_crypto_op *op)
{
	const struct relais_srtp_profile_info *prof;
	srtp_err_status_t st;
	uint8_t *p = NULL;
	uint32_t len = 0, grow;
	uint8_t drop;
	int n;

	drop = dp_crypto_op_packet(op, &p, &len);
	if (drop != RELAIS_DROP_NONE)
		return drop;
	prof = op->ctx->prof;
	if (op->is_rtcp) {
		if (len < RTCP_HDR_LEN)
			return RELAIS_DROP_TRUNCATED;
		grow = SRTCP_INDEX_LEN + prof->rtcp_tag_len;
	} else {
		if (dp_rtp_header_len(p, len) == 0)
			return RELAIS_DROP_TRUNCATED;
		grow = prof->rtp_tag_len;
	}
	if (rte_pktmbuf_tailroom(op->m) < grow)
		return RELAIS_DROP_SRTP_ERROR;
	n = (int)len;
	if (op->is_rtcp && op->srtcp_index != 0) {
		n = dp_srtcp_tx_protect(prof, &op->ctx->rtcp_tx, op->srtcp_index, p, len);
		st = n < 0 ? srtp_err_status_fail : srtp_err_status_ok;
	} else if (op->is_rtcp)
		st = srtp_protect_rtcp(op->ctx->session, p, &n);
	else
		st = srtp_protect(op->ctx->session, p, &n);
	if (st == srtp_err_status_replay_fail || st == srtp_err_status_replay_old)
		return RELAIS_DROP_SRTP_INDEX_USED; /* the sender's window refused it */
	if (st != srtp_err_status_ok)
		return drop_of(st);
	if (n < (int)len || (uint32_t)n - len > grow ||
	    rte_pktmbuf_append(op->m, (uint16_t)((uint32_t)n - len)) == NULL)
		return RELAIS_DROP_SRTP_ERROR;
	return RELAIS_DROP_NONE;
}

/* Unprotect a burst: every op gets its verdict in .drop; returns n. The
 * queue index is unused (contexts are owned by one lcore each). */
static uint16_t ls_unprotect_burst(struct dp_crypto_engine *e, unsigned queue,
				   struct dp_crypto_op *ops, uint16_t n)
{
	(void)e;
	(void)queue;
	for (uint16_t i = 0; i < n; i++)
		ops[i].drop = unprotect_one(&ops[i]);
	return n;
}

/* Protect a burst: every op gets its verdict in .drop; returns n. */
static uint16_t ls_protect_burst(struct dp_crypto_engine *e, unsigned queue,
				 struct dp_crypto_op *ops, uint16_t n)
{
	(void)e;
	(void)queue;
	for (uint16_t i = 0; i < n; i++)
		ops[i].drop = protect_one(&ops[i]);
	return n;
}

/* Protect a header-only RTP packet of ssrc with sequence seq in c and
 * throw it away: it moves libsrtp's sender state (no payload, so no
 * keystream is produced; the tag never leaves). 0 or -EIO. */
static int ls_position(struct dp_crypto_ctx *c, uint32_t ssrc, uint16_t seq)
{
	uint8_t pkt[12 + SRTP_MAX_TRAILER_LEN] = {0x80, 0};
	int n = 12;
	int rc;

	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	pkt[8] = (uint8_t)(ssrc >> 24);
	pkt[9] = (uint8_t)(ssrc >> 16);
	pkt[10] = (uint8_t)(ssrc >> 8);
	pkt[11] = (uint8_t)ssrc;
	rc = srtp_protect(c->session, pkt, &n) == srtp_err_status_ok ? 0 : -EIO;
	explicit_bzero(pkt, sizeof(pkt));
	return rc;
}

/* See dp_crypto.h. libsrtp has no call to set a stream's highest index:
 * a stream of its own for ssrc is added, its rollover counter set
 * (srtp_set_stream_roc) to that of index - 1, and header-only packets
 * protected and dropped bring its highest sequence number to index - 1
 * (through 0x7fff first when above it, so the estimate stays under that
 * rollover counter). Indexes below index - 1 within the window are not
 * marked used here: the owner never gives one (dp_ostream_take). */
static int ls_ctx_tx_resume(struct dp_crypto_engine *e, struct dp_crypto_ctx *c, uint32_t ssrc,
			    uint64_t index)
{
	uint64_t last = index - 1;
	srtp_policy_t pol;

	(void)e;
	if (c == NULL || c->dir != DP_CRYPTO_OUTBOUND || index == 0 || index >= 1ull << 48)
		return -EINVAL;
	memset(&pol, 0, sizeof(pol));
	relais_srtp_policy_set(c->prof->id, &pol.rtp, &pol.rtcp);
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = ssrc;
	pol.key = c->material;
	pol.window_size = DP_REPLAY_WINDOW;
	pol.allow_repeat_tx = 0;
	if (srtp_add_stream(c->session, &pol) != srtp_err_status_ok)
		return -EIO;
	if ((last >> 16) != 0 &&
	    srtp_set_stream_roc(c->session, ssrc, (uint32_t)(last >> 16)) != srtp_err_status_ok)
		return -EIO;
	if ((uint16_t)last > 0x7fff && ls_position(c, ssrc, 0x7fff) < 0)
		return -EIO;
	return ls_position(c, ssrc, (uint16_t)last);
}

const struct dp_crypto_engine_ops dp_crypto_libsrtp_ops = {
    .name = "libsrtp",
    .create = ls_create,
    .destroy = ls_destroy,
    .ctx_create = ls_ctx_create,
    .ctx_destroy = ls_ctx_destroy,
    .ctx_rekey = ls_ctx_rekey,
    .ctx_tx_resume = ls_ctx_tx_resume,
    .unprotect_burst = ls_unprotect_burst,
    .protect_burst = ls_protect_burst,
};
