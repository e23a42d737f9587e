/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet path of the rte_cryptodev engine (dp_crypto_cryptodev.h).
 *
 * A burst is cut into chunks of up to CDV_BURST ops. For each packet of a
 * chunk the lcore checks the lengths, estimates the SRTP index and checks
 * the replay window (RFC 3711 §3.3, dp_srtp_index.h) before any crypto,
 * builds the IV in the op's private area and sets the regions; the chunk
 * is enqueued at once on the lcore's own queue pair and polled until every
 * op is back; then each verdict is applied in place: the window is
 * updated only after a successful authentication (checked again, so a
 * duplicate inside one chunk is still a replay), tags are placed and the
 * mbuf grows or shrinks. No op outlives the burst call.
 *
 * Layouts (all in place, packet = bytes [off, data_len) of the mbuf):
 * - SRTP AES-CM (RFC 3711 §3.1, §4.2): the tag covers header || payload ||
 *   ROC, so protect appends the 4-byte ROC, authenticates through it into
 *   the private area, then writes the tag over the ROC; unprotect saves the
 *   received tag, writes the ROC where the tag began and verifies.
 * - SRTCP AES-CM (§3.4): header || payload || E+index || tag.
 * - SRTP GCM (RFC 7714 §8): AAD = RTP header, tag 16 after the payload.
 * - SRTCP GCM (RFC 7714 §9): header || payload || tag || E+index, the AAD
 *   being the 8-byte header and the E+index word, copied together.
 * A dropped packet keeps its length; its payload bytes are unspecified
 * (the device may have deciphered them before the tag check failed).
 */
#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "dp_rtp.h"
#include "dp_crypto_cryptodev.h"

#define RTCP_HDR_LEN 8
#define SRTCP_WORD_LEN 4
#define SRTCP_E_BIT 0x80000000u
#define SRTCP_INDEX_MAX 0x7fffffffu
#define GCM_TAG_LEN 16
#define ROC_LEN 4
#define PREP_FLUSH (-1)                      /* run the chunk first, then prepare this op again */
#define INDEX_MASK ((UINT64_C(1) << 48) - 1) /* 48-bit SRTP index, RFC 3711 §3.3.1 */

/* Everything one op's preparation needs. */
struct prep {
	struct dp_crypto_engine *e;
	struct cdv_queue *q;
	uint16_t nb; /* ops already queued in this chunk */
	struct dp_crypto_op *op;
	struct dp_crypto_ctx *c;
	struct rte_crypto_op *cop;
	struct cdv_priv *priv;
	struct cdv_pending *pend;
	uint8_t *p;   /* packet */
	uint32_t len; /* packet length */
};

static const struct dp_srtp_rx_state fresh_rtp;
static const struct dp_srtcp_rx_state fresh_rtcp;

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline struct cdv_priv *priv_of(struct rte_crypto_op *cop)
{
	return rte_crypto_op_ctod_offset(cop, struct cdv_priv *, CDV_IV_OFF);
}

static inline rte_iova_t priv_iova(struct rte_crypto_op *cop, size_t field)
{
	return rte_crypto_op_ctophys_offset(cop, CDV_IV_OFF + field);
}

/* AES-CM IV, RFC 3711 §4.1.1: (k_s * 2^16) XOR (SSRC * 2^64) XOR
 * (i * 2^16), i the 48-bit SRTP index (or the SRTCP index, §3.4). Built
 * as two big-endian 64-bit words (bytes 0-7, 8-15). */
static inline void cm_iv(uint8_t *iv, const uint8_t *salt, uint32_t ssrc, uint64_t i)
{
	uint64_t hi, lo = 0;

	memcpy(&hi, salt, 8);
	memcpy(&lo, salt + 8, 6); /* bytes 14, 15 stay 0 */
	hi ^= rte_cpu_to_be_64((uint64_t)ssrc);
	lo ^= rte_cpu_to_be_64((i & INDEX_MASK) << 16);
	memcpy(iv, &hi, 8);
	memcpy(iv + 8, &lo, 8);
}

/* AES-GCM IV, RFC 7714 §8.1 and §9.1: (0x0000 || SSRC || ROC || SEQ), or
 * (0x0000 || SSRC || 0x0000 || 0 || SRTCP index), XOR the 96-bit salt;
 * both are 0x0000 || SSRC || a 48-bit index: bytes 0-7 are
 * SSRC * 2^16 + (i >> 32), bytes 8-11 the low 32 bits of i. */
static inline void gcm_iv(uint8_t *iv, const uint8_t *salt, uint32_t ssrc, uint64_t i)
{
	uint64_t hi;
	uint32_t lo;

	memcpy(&hi, salt, 8);
	memcpy(&lo, salt + 8, 4);
	hi ^= rte_cpu_to_be_64((uint64_t)ssrc << 16 | ((i >> 32) & 0xffff));
	lo ^= rte_cpu_to_be_32((uint32_t)i);
	memcpy(iv, &hi, 8);
	memcpy(iv + 8, &lo, 4);
}

/*
 * Sender side of the RFC 3711 §3.3.2 window, as libsrtp's protect without
 * allow_repeat_tx keeps it: an index already used or more than
 * DP_REPLAY_WINDOW behind the highest one sent is refused (-1), any other
 * is recorded before the packet is encrypted (a device failure after that
 * leaves an unused index, never a reused one) and accepted (0).
 */
static inline int tx_index_take(struct dp_srtp_rx_state *st, uint64_t idx)
{
	if (dp_srtp_replay_check(st, idx) != 0)
		return -1;
	dp_srtp_replay_update(st, idx);
	return 0;
}

/* The SRTP-GCM session of c for a header of hl bytes (see the slot note in
 * dp_crypto_cryptodev.c): found, or made in a free slot, or in place of
 * the least recently used one not used by the current chunk. 0 (*sess
 * set), PREP_FLUSH (every slot busy in this chunk) or SRTP_ERROR. */
static int gcm_session(struct prep *x, uint16_t hl, void **sess)
{
	struct cdv_gcm_slot *victim = NULL;
	uint32_t gen = x->q->gen;

	for (unsigned i = 0; i < CDV_GCM_SLOTS; i++) {
		struct cdv_gcm_slot *s = &x->c->gcm[i];

		if (s->sess != NULL && s->aad_len == hl) {
			s->gen = gen;
			*sess = s->sess;
			return 0;
		}
		if (s->sess == NULL) {
			if (victim == NULL || victim->sess != NULL)
				victim = s;
		} else if ((s->gen != gen || x->nb == 0) &&
			   (victim == NULL ||
			    (victim->sess != NULL && (int32_t)(s->gen - victim->gen) < 0))) {
			victim = s;
		}
	}
	if (victim == NULL)
		return PREP_FLUSH;
	if (victim->sess != NULL)
		rte_cryptodev_sym_session_free(x->e->dev_id, victim->sess);
	victim->sess = cdv_session_gcm(x->e, x->c->pool, x->c->rtp_key, x->c->prof->key_len, hl,
				       x->c->dir == DP_CRYPTO_OUTBOUND);
	victim->aad_len = hl;
	victim->gen = gen;
	*sess = victim->sess;
	return victim->sess != NULL ? 0 : RELAIS_DROP_SRTP_ERROR;
}

/* Set the AEAD regions of an op: data [dofs, dofs + dlen) of the packet,
 * tag at packet offset tag, AAD at aad (in the packet or private area). */
static void set_aead(struct prep *x, uint32_t dofs, uint32_t dlen, uint32_t tag, uint8_t *aad,
		     rte_iova_t aad_iova)
{
	struct rte_crypto_sym_op *s = x->cop->sym;

	s->aead.data.offset = x->op->off + dofs;
	s->aead.data.length = dlen;
	s->aead.digest.data = x->p + tag;
	s->aead.digest.phys_addr = rte_pktmbuf_iova_offset(x->op->m, x->op->off + tag);
	s->aead.aad.data = aad;
	s->aead.aad.phys_addr = aad_iova;
}

/* Set the chain regions of an op: cipher [cofs, cofs + clen), auth
 * [0, alen) of the packet, tag at digest (packet or private area). */
static void set_chain(struct prep *x, uint32_t cofs, uint32_t clen, uint32_t alen, uint8_t *digest,
		      rte_iova_t digest_iova)
{
	struct rte_crypto_sym_op *s = x->cop->sym;

	s->cipher.data.offset = x->op->off + cofs;
	s->cipher.data.length = clen;
	s->auth.data.offset = x->op->off;
	s->auth.data.length = alen;
	s->auth.digest.data = digest;
	s->auth.digest.phys_addr = digest_iova;
}

/* Prepare an SRTP protect op (RFC 3711 §3.3, RFC 7714 §8). Returns 0
 * (queued), PREP_FLUSH or a drop reason. */
static int prep_rtp_protect(struct prep *x)
{
	const struct relais_srtp_profile_info *prof = x->c->prof;
	uint32_t hl = dp_rtp_header_len(x->p, x->len), ssrc;
	uint8_t tag = prof->aead ? GCM_TAG_LEN : prof->rtp_tag_len;
	struct cdv_ssrc *s;
	void *sess = x->c->rtp_sess;
	uint64_t idx;
	int rc;

	if (hl == 0)
		return RELAIS_DROP_TRUNCATED;
	if (rte_pktmbuf_tailroom(x->op->m) < tag)
		return RELAIS_DROP_SRTP_ERROR;
	if (prof->aead && (rc = gcm_session(x, (uint16_t)hl, &sess)) != 0)
		return rc;
	ssrc = get32(x->p + 8);
	s = cdv_ssrc_get(x->c, ssrc, 1);
	if (s == NULL)
		return RELAIS_DROP_SRTP_ERROR;
	/* The sender's index the way libsrtp keeps it: never one used before. */
	idx = dp_srtp_estimate_index(&s->rtp, (uint16_t)(x->p[2] << 8 | x->p[3]));
	if (tx_index_take(&s->rtp, idx) < 0)
		return RELAIS_DROP_SRTP_INDEX_USED;
	if (prof->aead) {
		gcm_iv(x->priv->iv, x->c->rtp_salt, ssrc, idx);
		set_aead(x, hl, x->len - hl, x->len, x->p,
			 rte_pktmbuf_iova_offset(x->op->m, x->op->off));
		x->pend->grow = GCM_TAG_LEN;
	} else {
		cm_iv(x->priv->iv, x->c->rtp_salt, ssrc, idx);
		put32(x->p + x->len, (uint32_t)(idx >> 16)); /* ROC, RFC 3711 §4.2 */
		set_chain(x, hl, x->len - hl, x->len + ROC_LEN, x->priv->digest,
			  priv_iova(x->cop, offsetof(struct cdv_priv, digest)));
		x->pend->grow = ROC_LEN;
	}
	rte_pktmbuf_append(x->op->m, x->pend->grow);
	rte_crypto_op_attach_sym_session(x->cop, sess);
	return 0;
}

/* Highest SRTP index of the ops of SSRC ssrc of this context queued in the
 * chunk so far (not yet authenticated): from the slot when the SSRC has
 * one, else by a scan of the chunk (a new stream). 1 with *top set, or 0
 * when there is none. */
static int chunk_top(const struct prep *x, const struct cdv_ssrc *s, uint32_t ssrc, uint64_t *top)
{
	int have = 0;

	if (s != NULL) {
		*top = s->chunk_max;
		return s->chunk_gen == x->q->gen;
	}
	for (uint16_t i = 0; i < x->nb; i++) {
		const struct cdv_pending *pd = &x->q->pend[i];

		if (pd->op->ctx == x->c && !pd->op->is_rtcp && pd->ssrc == ssrc &&
		    (!have || pd->index > *top)) {
			*top = pd->index;
			have = 1;
		}
	}
	return have;
}

/* Index of an inbound SRTP packet with sequence seq, as a receiver taking
 * the packets one by one would estimate it (RFC 3711 §3.3.1): against the
 * window state, unless the earlier, not yet authenticated ops of the same
 * SSRC in this chunk move the estimate (a stream starting just before the
 * wrap, or crossing it, within one chunk): then PREP_FLUSH, and the op is
 * prepared again once they are recorded. 0 or PREP_FLUSH. */
static int rx_index(const struct prep *x, const struct cdv_ssrc *s, uint32_t ssrc, uint16_t seq,
		    uint64_t *idx)
{
	const struct dp_srtp_rx_state *st = s != NULL ? &s->rtp : &fresh_rtp;
	struct dp_srtp_rx_state ahead;
	uint64_t top = 0;

	*idx = dp_srtp_estimate_index(st, seq);
	if (!chunk_top(x, s, ssrc, &top))
		return 0;
	if (st->started && (((uint64_t)st->roc << 16) | st->s_l) >= top)
		return 0;
	ahead.started = true;
	ahead.roc = (uint32_t)(top >> 16);
	ahead.s_l = (uint16_t)top;
	return dp_srtp_estimate_index(&ahead, seq) == *idx ? 0 : PREP_FLUSH;
}

/* Prepare an SRTP unprotect op: replay check before crypto. Returns 0,
 * PREP_FLUSH or a drop reason. */
static int prep_rtp_unprotect(struct prep *x)
{
	const struct relais_srtp_profile_info *prof = x->c->prof;
	uint32_t hl = dp_rtp_header_len(x->p, x->len), ssrc;
	uint8_t tag = prof->aead ? GCM_TAG_LEN : prof->rtp_tag_len;
	struct cdv_ssrc *s;
	void *sess = x->c->rtp_sess;
	uint64_t idx;
	int rc;

	if (hl == 0 || x->len < hl + tag)
		return RELAIS_DROP_TRUNCATED;
	if (prof->aead && (rc = gcm_session(x, (uint16_t)hl, &sess)) != 0)
		return rc;
	ssrc = get32(x->p + 8);
	s = cdv_ssrc_get(x->c, ssrc, 0);
	if (rx_index(x, s, ssrc, (uint16_t)(x->p[2] << 8 | x->p[3]), &idx) != 0)
		return PREP_FLUSH;
	if (dp_srtp_replay_check(s != NULL ? &s->rtp : &fresh_rtp, idx) != 0)
		return RELAIS_DROP_SRTP_REPLAY;
	if (s != NULL && (s->chunk_gen != x->q->gen || idx > s->chunk_max)) {
		s->chunk_gen = x->q->gen;
		s->chunk_max = idx;
	}
	x->pend->index = idx;
	x->pend->ssrc = ssrc;
	if (prof->aead) {
		gcm_iv(x->priv->iv, x->c->rtp_salt, ssrc, idx);
		set_aead(x, hl, x->len - hl - tag, x->len - tag, x->p,
			 rte_pktmbuf_iova_offset(x->op->m, x->op->off));
	} else {
		cm_iv(x->priv->iv, x->c->rtp_salt, ssrc, idx);
		memcpy(x->priv->digest, x->p + x->len - tag, tag);
		put32(x->p + x->len - tag, (uint32_t)(idx >> 16));
		set_chain(x, hl, x->len - hl - tag, x->len - tag + ROC_LEN, x->priv->digest,
			  priv_iova(x->cop, offsetof(struct cdv_priv, digest)));
	}
	rte_crypto_op_attach_sym_session(x->cop, sess);
	return 0;
}

/* The SRTCP index of an RTCP protect op for ssrc: the op's own
 * (srtcp_index, chosen by the pipeline), else the next of the SSRC (the
 * first is 1, as libsrtp sends). 0 when there is none (index space used
 * up, SSRC table full). */
static uint32_t rtcp_tx_index(struct prep *x, uint32_t ssrc)
{
	struct cdv_ssrc *s;

	if (x->op->srtcp_index != 0)
		return x->op->srtcp_index <= SRTCP_INDEX_MAX ? x->op->srtcp_index : 0;
	s = cdv_ssrc_get(x->c, ssrc, 1);
	if (s == NULL || s->rtcp_tx >= SRTCP_INDEX_MAX)
		return 0;
	return ++s->rtcp_tx;
}

/* Prepare an SRTCP protect op (RFC 3711 §3.4, RFC 7714 §9): its SRTCP
 * index (rtcp_tx_index), E set. Returns 0 or a drop reason. */
static int prep_rtcp_protect(struct prep *x)
{
	const struct relais_srtp_profile_info *prof = x->c->prof;
	uint8_t tag = prof->aead ? GCM_TAG_LEN : prof->rtcp_tag_len;
	uint32_t ssrc, word, idx;

	if (x->len < RTCP_HDR_LEN)
		return RELAIS_DROP_TRUNCATED;
	if (rte_pktmbuf_tailroom(x->op->m) < SRTCP_WORD_LEN + tag)
		return RELAIS_DROP_SRTP_ERROR;
	ssrc = get32(x->p + 4);
	idx = rtcp_tx_index(x, ssrc);
	if (idx == 0)
		return RELAIS_DROP_SRTP_ERROR;
	word = SRTCP_E_BIT | idx;
	if (prof->aead) {
		gcm_iv(x->priv->iv, x->c->rtcp_salt, ssrc, idx);
		memcpy(x->priv->aad, x->p, RTCP_HDR_LEN);
		put32(x->priv->aad + RTCP_HDR_LEN, word);
		put32(x->p + x->len + tag, word);
		set_aead(x, RTCP_HDR_LEN, x->len - RTCP_HDR_LEN, x->len, x->priv->aad,
			 priv_iova(x->cop, offsetof(struct cdv_priv, aad)));
		x->pend->grow = (uint8_t)(tag + SRTCP_WORD_LEN);
	} else {
		cm_iv(x->priv->iv, x->c->rtcp_salt, ssrc, idx);
		put32(x->p + x->len, word);
		set_chain(x, RTCP_HDR_LEN, x->len - RTCP_HDR_LEN, x->len + SRTCP_WORD_LEN,
			  x->priv->digest, priv_iova(x->cop, offsetof(struct cdv_priv, digest)));
		x->pend->grow = SRTCP_WORD_LEN;
	}
	rte_pktmbuf_append(x->op->m, x->pend->grow);
	rte_crypto_op_attach_sym_session(x->cop, x->c->rtcp_sess);
	return 0;
}

/* Prepare an SRTCP unprotect op. As libsrtp: a clear E flag is refused
 * (the policy always encrypts: SRTP_AUTH), then the replay check, then
 * crypto. Returns 0 or a drop reason. */
static int prep_rtcp_unprotect(struct prep *x)
{
	const struct relais_srtp_profile_info *prof = x->c->prof;
	uint8_t tag = prof->aead ? GCM_TAG_LEN : prof->rtcp_tag_len;
	uint32_t ssrc, word, wpos, body;
	const struct cdv_ssrc *s;

	if (x->len < RTCP_HDR_LEN + SRTCP_WORD_LEN + (uint32_t)tag)
		return RELAIS_DROP_TRUNCATED;
	wpos = prof->aead ? x->len - SRTCP_WORD_LEN : x->len - tag - SRTCP_WORD_LEN;
	word = get32(x->p + wpos);
	if (!(word & SRTCP_E_BIT))
		return RELAIS_DROP_SRTP_AUTH;
	ssrc = get32(x->p + 4);
	s = cdv_ssrc_get(x->c, ssrc, 0);
	if (dp_srtcp_replay_check(s != NULL ? &s->rtcp : &fresh_rtcp, word & SRTCP_INDEX_MAX) != 0)
		return RELAIS_DROP_SRTP_REPLAY;
	x->pend->index = word & SRTCP_INDEX_MAX;
	x->pend->ssrc = ssrc;
	body = x->len - RTCP_HDR_LEN - SRTCP_WORD_LEN - tag;
	if (prof->aead) {
		gcm_iv(x->priv->iv, x->c->rtcp_salt, ssrc, x->pend->index);
		memcpy(x->priv->aad, x->p, RTCP_HDR_LEN);
		put32(x->priv->aad + RTCP_HDR_LEN, word);
		set_aead(x, RTCP_HDR_LEN, body, x->len - SRTCP_WORD_LEN - tag, x->priv->aad,
			 priv_iova(x->cop, offsetof(struct cdv_priv, aad)));
	} else {
		cm_iv(x->priv->iv, x->c->rtcp_salt, ssrc, x->pend->index);
		set_chain(x, RTCP_HDR_LEN, body, x->len - tag, x->p + x->len - tag,
			  rte_pktmbuf_iova_offset(x->op->m, x->op->off + x->len - tag));
	}
	rte_crypto_op_attach_sym_session(x->cop, x->c->rtcp_sess);
	return 0;
}

/* Prepare op as op number x->nb of the chunk. Returns 0 (queued: the
 * caller counts it), PREP_FLUSH, or 1 (done: op->drop holds the verdict). */
static int prepare(struct prep *x, int protect)
{
	int rc;

	x->op->drop = dp_crypto_op_packet(x->op, &x->p, &x->len);
	if (x->op->drop != RELAIS_DROP_NONE)
		return 1;
	x->c = x->op->ctx;
	x->cop = x->q->ops[x->nb];
	x->pend = &x->q->pend[x->nb];
	memset(x->pend, 0, sizeof(*x->pend));
	x->pend->op = x->op;
	x->pend->len = (uint16_t)x->len;
	__rte_crypto_op_reset(x->cop, RTE_CRYPTO_OP_TYPE_SYMMETRIC);
	x->cop->sym->m_src = x->op->m;
	x->priv = priv_of(x->cop);
	x->priv->gen = x->q->gen;
	x->priv->idx = x->nb;
	if (x->op->is_rtcp)
		rc = protect ? prep_rtcp_protect(x) : prep_rtcp_unprotect(x);
	else
		rc = protect ? prep_rtp_protect(x) : prep_rtp_unprotect(x);
	if (rc > 0) {
		x->op->drop = (uint8_t)rc;
		return 1;
	}
	return rc;
}

/* Apply a finished protect op: place the AES-CM tag over the appended
 * ROC or SRTCP word's successor, or undo the growth on failure. */
static uint8_t finish_protect(struct rte_crypto_op *cop, struct cdv_pending *pd)
{
	struct dp_crypto_op *op = pd->op;
	const struct relais_srtp_profile_info *prof = op->ctx->prof;
	uint8_t *p = rte_pktmbuf_mtod_offset(op->m, uint8_t *, op->off);
	uint8_t tag;

	if (cop->status != RTE_CRYPTO_OP_STATUS_SUCCESS) {
		rte_pktmbuf_trim(op->m, pd->grow);
		return RELAIS_DROP_SRTP_ERROR;
	}
	if (prof->aead)
		return RELAIS_DROP_NONE;
	if (op->is_rtcp) {
		tag = prof->rtcp_tag_len;
		memcpy(p + pd->len + SRTCP_WORD_LEN, priv_of(cop)->digest, tag);
		rte_pktmbuf_append(op->m, tag);
	} else {
		tag = prof->rtp_tag_len; /* >= ROC_LEN */
		memcpy(p + pd->len, priv_of(cop)->digest, tag);
		rte_pktmbuf_append(op->m, (uint16_t)(tag - ROC_LEN));
	}
	return RELAIS_DROP_NONE;
}

/* Apply a finished unprotect op: on success record the index in the SSRC's
 * window (after checking it again) and strip the trailer; on failure put
 * back a saved AES-CM tag so the packet keeps its length and tag. */
static uint8_t finish_unprotect(struct rte_crypto_op *cop, struct cdv_pending *pd)
{
	struct dp_crypto_op *op = pd->op;
	const struct relais_srtp_profile_info *prof = op->ctx->prof;
	uint8_t tag = prof->aead    ? GCM_TAG_LEN
		      : op->is_rtcp ? prof->rtcp_tag_len
				    : prof->rtp_tag_len;
	struct cdv_ssrc *s;

	if (cop->status != RTE_CRYPTO_OP_STATUS_SUCCESS) {
		if (!prof->aead && !op->is_rtcp)
			memcpy(rte_pktmbuf_mtod_offset(op->m, uint8_t *, op->off + pd->len - tag),
			       priv_of(cop)->digest, tag);
		return cop->status == RTE_CRYPTO_OP_STATUS_AUTH_FAILED ? RELAIS_DROP_SRTP_AUTH
								       : RELAIS_DROP_SRTP_ERROR;
	}
	s = cdv_ssrc_get(op->ctx, pd->ssrc, 1);
	if (s == NULL)
		return RELAIS_DROP_SRTP_ERROR; /* more SSRCs than CDV_SSRC_SLOTS */
	if (op->is_rtcp) {
		if (dp_srtcp_replay_check(&s->rtcp, (uint32_t)pd->index) != 0)
			return RELAIS_DROP_SRTP_REPLAY;
		dp_srtcp_replay_update(&s->rtcp, (uint32_t)pd->index);
		rte_pktmbuf_trim(op->m, (uint16_t)(tag + SRTCP_WORD_LEN));
	} else {
		if (dp_srtp_replay_check(&s->rtp, pd->index) != 0)
			return RELAIS_DROP_SRTP_REPLAY;
		dp_srtp_replay_update(&s->rtp, pd->index);
		rte_pktmbuf_trim(op->m, tag);
	}
	return RELAIS_DROP_NONE;
}

/* Enqueue the nb prepared ops of the chunk on queue pair qp and poll until
 * all are back, applying each verdict. A device that returns nothing for
 * CDV_MAX_POLLS polls fails the rest with SRTP_ERROR (their late
 * completions are ignored by generation). */
static void run_chunk(struct dp_crypto_engine *e, uint16_t qp, struct cdv_queue *q, uint16_t nb,
		      int protect)
{
	uint16_t sent = 0, done = 0;
	uint32_t polls = 0;

	while (done < nb) {
		uint16_t k;

		if (sent < nb)
			sent += rte_cryptodev_enqueue_burst(e->dev_id, qp, &q->ops[sent],
							    (uint16_t)(nb - sent));
		k = rte_cryptodev_dequeue_burst(e->dev_id, qp, q->deq, CDV_BURST);
		for (uint16_t i = 0; i < k; i++) {
			struct cdv_priv *pv = priv_of(q->deq[i]);
			struct cdv_pending *pd;

			if (pv->gen != q->gen || pv->idx >= nb || q->pend[pv->idx].done)
				continue;
			pd = &q->pend[pv->idx];
			pd->op->drop = protect ? finish_protect(q->deq[i], pd)
					       : finish_unprotect(q->deq[i], pd);
			pd->done = 1;
			done++;
		}
		if (k == 0 && ++polls > CDV_MAX_POLLS)
			break;
	}
	for (uint16_t i = 0; done < nb && i < nb; i++)
		if (!q->pend[i].done)
			q->pend[i].op->drop = RELAIS_DROP_SRTP_ERROR;
}

/* Both directions: chunk the burst, prepare, run. Returns n. */
static uint16_t run_burst(struct dp_crypto_engine *e, unsigned queue, struct dp_crypto_op *ops,
			  uint16_t n, int protect)
{
	struct prep x = {.e = e};
	uint16_t i = 0;

	if (e == NULL || queue >= e->n_queues) {
		for (uint16_t k = 0; k < n; k++)
			ops[k].drop = RELAIS_DROP_SRTP_ERROR;
		return n;
	}
	x.q = &e->q[queue];
	while (i < n) {
		x.q->gen++;
		x.nb = 0;
		while (i < n && x.nb < CDV_BURST) {
			int rc;

			x.op = &ops[i];
			rc = prepare(&x, protect);
			if (rc == PREP_FLUSH && x.nb > 0)
				break; /* run what is queued, then this op again */
			if (rc == PREP_FLUSH)
				ops[i].drop =
				    RELAIS_DROP_SRTP_ERROR; /* cannot happen: see gcm_session */
			if (rc == 0)
				x.nb++;
			i++;
		}
		if (x.nb > 0)
			run_chunk(e, (uint16_t)queue, x.q, x.nb, protect);
	}
	return n;
}

/* See dp_crypto.h: unprotect n ops on the caller's queue pair. */
uint16_t cdv_unprotect_burst(struct dp_crypto_engine *e, unsigned queue, struct dp_crypto_op *ops,
			     uint16_t n)
{
	return run_burst(e, queue, ops, n, 0);
}

/* See dp_crypto.h: protect n ops on the caller's queue pair. */
uint16_t cdv_protect_burst(struct dp_crypto_engine *e, unsigned queue, struct dp_crypto_op *ops,
			   uint16_t n)
{
	return run_burst(e, queue, ops, n, 1);
}
