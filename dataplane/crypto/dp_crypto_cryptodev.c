/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The rte_cryptodev engine behind the crypto seam (dp_crypto.h): setup,
 * sessions and contexts. The packet path is dp_crypto_cryptodev_burst.c.
 *
 * The engine creates its own software device, a crypto_aesni_mb vdev
 * (Intel ipsec-mb: multi-buffer AES, SHA-NI), with one queue pair per
 * lcore queue index, so it works without any EAL argument. Session keys
 * are derived here with OpenSSL (RFC 3711 §4.3, dp_srtp_kdf.h), once per
 * context, on the control thread; the master key is never kept.
 *
 * Sessions per context: AES_CM_128_HMAC_SHA1_80/32 use one chained
 * AES-CTR + HMAC-SHA1 session for SRTP and one for SRTCP (encrypt then
 * generate for outbound, verify then decrypt for inbound). The GCM
 * profiles use one AEAD session for SRTCP (its AAD is always 12 bytes,
 * RFC 7714 §9.2) and, for SRTP, one session per RTP header length seen,
 * because the AAD is the whole header (RFC 7714 §8.2) while a DPDK 22.11
 * AEAD session fixes aad_length: up to CDV_GCM_SLOTS of them are made
 * lazily by the owning lcore from the session mempool (no malloc) and
 * the least recently used one is replaced when a new length arrives.
 * ctx_destroy frees every session; the dataplane calls it after an RCU
 * grace period, and a burst never returns with an op in flight, so no
 * session is freed under the device.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dp_crypto_cryptodev.h"
#include "dp_srtp_kdf.h"

#define CDV_DRIVER "crypto_aesni_mb"

/* Find the largest AES-GCM AAD the device accepts; 0 when it has no
 * AES-GCM, HMAC-SHA1 or AES-CTR (then it cannot serve SRTP). */
static uint16_t device_aad_max(uint8_t dev_id)
{
	struct rte_cryptodev_sym_capability_idx idx = {.type = RTE_CRYPTO_SYM_XFORM_AEAD};
	const struct rte_cryptodev_symmetric_capability *cap;

	idx.algo.aead = RTE_CRYPTO_AEAD_AES_GCM;
	cap = rte_cryptodev_sym_capability_get(dev_id, &idx);
	if (cap == NULL)
		return 0;
	idx.type = RTE_CRYPTO_SYM_XFORM_AUTH;
	idx.algo.auth = RTE_CRYPTO_AUTH_SHA1_HMAC;
	if (rte_cryptodev_sym_capability_get(dev_id, &idx) == NULL)
		return 0;
	idx.type = RTE_CRYPTO_SYM_XFORM_CIPHER;
	idx.algo.cipher = RTE_CRYPTO_CIPHER_AES_CTR;
	if (rte_cryptodev_sym_capability_get(dev_id, &idx) == NULL)
		return 0;
	return cap->aead.aad_size.max;
}

static char use_device[RTE_CRYPTODEV_NAME_MAX_LEN];

/* See dp_crypto.h. */
void dp_crypto_cryptodev_use_device(const char *name)
{
	snprintf(use_device, sizeof(use_device), "%s", name ? name : "");
}

/* Use the operator's device: it must exist and have a queue pair per
 * worker. 0, -ENODEV (no such device), -EINVAL (too few queue pairs). */
static int open_named_device(struct dp_crypto_engine *e)
{
	struct rte_cryptodev_info info;
	int id = rte_cryptodev_get_dev_id(use_device);

	if (id < 0)
		return -ENODEV;
	rte_cryptodev_info_get((uint8_t)id, &info);
	if (info.max_nb_queue_pairs < e->n_queues)
		return -EINVAL;
	snprintf(e->vdev_name, sizeof(e->vdev_name), "%s", use_device);
	e->dev_id = (uint8_t)id;
	e->gcm_aad_max = device_aad_max(e->dev_id);
	return e->gcm_aad_max > 0 ? 0 : -ENOTSUP;
}

/* Create the vdev (a name unique in the process) and find its id, or use
 * the operator's device (dp_crypto_cryptodev_use_device). 0 or -errno. */
static int open_device(struct dp_crypto_engine *e)
{
	static unsigned seq;
	char args[64];
	int id;

	if (use_device[0] != '\0')
		return open_named_device(e);
	snprintf(e->vdev_name, sizeof(e->vdev_name), "%s_relais%u", CDV_DRIVER, seq++);
	snprintf(args, sizeof(args), "max_nb_queue_pairs=%u,socket_id=%d", e->n_queues,
		 (int)rte_socket_id() < 0 ? 0 : (int)rte_socket_id());
	if (rte_vdev_init(e->vdev_name, args) != 0)
		return -ENODEV;
	e->own_vdev = 1;
	id = rte_cryptodev_get_dev_id(e->vdev_name);
	if (id < 0)
		return -ENODEV;
	e->dev_id = (uint8_t)id;
	e->gcm_aad_max = device_aad_max(e->dev_id);
	return e->gcm_aad_max > 0 ? 0 : -ENOTSUP;
}

/* Add a session pool of CDV_POOL_SESSIONS (control thread). The pool or
 * NULL (CDV_MAX_POOLS reached, no memory). */
static struct rte_mempool *add_pool(struct dp_crypto_engine *e)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *mp;

	if (e->n_pools >= CDV_MAX_POOLS)
		return NULL;
	snprintf(name, sizeof(name), "cdv_sess_%u_%u", e->dev_id, e->n_pools);
	mp = rte_cryptodev_sym_session_pool_create(
	    name, CDV_POOL_SESSIONS, rte_cryptodev_sym_get_private_session_size(e->dev_id), 32, 0,
	    e->socket);
	if (mp != NULL)
		e->sess_mp[e->n_pools++] = mp;
	return mp;
}

/* The pool new sessions come from: the newest, or a new one when fewer
 * than CDV_POOL_HEADROOM sessions are left in it. NULL when none. */
static struct rte_mempool *session_pool(struct dp_crypto_engine *e)
{
	struct rte_mempool *mp = e->n_pools > 0 ? e->sess_mp[e->n_pools - 1] : NULL;

	if (mp == NULL || rte_mempool_avail_count(mp) < CDV_POOL_HEADROOM) {
		struct rte_mempool *more = add_pool(e);

		if (more != NULL)
			mp = more;
	}
	return mp;
}

/* First session pool, op pool and the per-queue preallocated ops. 0 or
 * -errno. */
static int make_pools(struct dp_crypto_engine *e)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned n_ops = e->n_queues * CDV_BURST;

	add_pool(e);
	snprintf(name, sizeof(name), "cdv_ops_%u", e->dev_id);
	e->op_mp = rte_crypto_op_pool_create(name, RTE_CRYPTO_OP_TYPE_SYMMETRIC, n_ops, 0,
					     sizeof(struct cdv_priv), e->socket);
	e->q = rte_zmalloc_socket("cdv_queues", e->n_queues * sizeof(*e->q), RTE_CACHE_LINE_SIZE,
				  e->socket);
	if (e->n_pools == 0 || e->op_mp == NULL || e->q == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < e->n_queues; i++)
		if (rte_crypto_op_bulk_alloc(e->op_mp, RTE_CRYPTO_OP_TYPE_SYMMETRIC, e->q[i].ops,
					     CDV_BURST) != CDV_BURST)
			return -ENOMEM;
	return 0;
}

/* Configure one queue pair per queue index and start the device. */
static int start_device(struct dp_crypto_engine *e)
{
	int socket = e->socket;

	struct rte_cryptodev_config conf = {
	    .socket_id = socket,
	    .nb_queue_pairs = (uint16_t)e->n_queues,
	    .ff_disable = RTE_CRYPTODEV_FF_ASYMMETRIC_CRYPTO | RTE_CRYPTODEV_FF_SECURITY,
	};
	struct rte_cryptodev_qp_conf qp = {.nb_descriptors = CDV_QP_DESC,
					   .mp_session = e->sess_mp[0]};

	if (rte_cryptodev_configure(e->dev_id, &conf) != 0)
		return -EIO;
	for (unsigned i = 0; i < e->n_queues; i++)
		if (rte_cryptodev_queue_pair_setup(e->dev_id, (uint16_t)i, &qp, socket) != 0)
			return -EIO;
	return rte_cryptodev_start(e->dev_id) == 0 ? 0 : -EIO;
}

static void cdv_destroy(struct dp_crypto_engine *e);

/* Create the engine: a crypto_aesni_mb vdev with n_queues queue pairs
 * (1..RTE_MAX_LCORE). Needs EAL. NULL + errno: EINVAL, ENODEV (the PMD is
 * not available), ENOTSUP (it lacks an algorithm), ENOMEM, EIO. */
static struct dp_crypto_engine *cdv_create(unsigned n_queues)
{
	int socket = (int)rte_socket_id() < 0 ? 0 : (int)rte_socket_id();
	struct dp_crypto_engine *e;
	int rc;

	if (n_queues == 0 || n_queues > RTE_MAX_LCORE) {
		errno = EINVAL;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	e->n_queues = n_queues;
	e->socket = socket;
	rc = open_device(e);
	if (rc == 0)
		rc = make_pools(e);
	if (rc == 0)
		rc = start_device(e);
	if (rc != 0) {
		cdv_destroy(e);
		errno = -rc;
		return NULL;
	}
	return e;
}

/* Stop and remove the device and free the pools (every context must be
 * destroyed first). NULL is ignored. */
static void cdv_destroy(struct dp_crypto_engine *e)
{
	if (e == NULL)
		return;
	if (e->own_vdev) {
		rte_cryptodev_stop(e->dev_id);
		rte_cryptodev_close(e->dev_id);
		rte_vdev_uninit(e->vdev_name);
	} else if (e->vdev_name[0] != '\0') { /* the operator's device: stop only */
		rte_cryptodev_stop(e->dev_id);
	}
	if (e->q != NULL && e->op_mp != NULL)
		for (unsigned i = 0; i < e->n_queues; i++)
			for (unsigned j = 0; j < CDV_BURST; j++)
				if (e->q[i].ops[j] != NULL)
					rte_crypto_op_free(e->q[i].ops[j]);
	rte_free(e->q);
	rte_mempool_free(e->op_mp);
	for (unsigned i = 0; i < e->n_pools; i++)
		rte_mempool_free(e->sess_mp[i]);
	free(e);
}

/* See dp_crypto_cryptodev.h. The IV lives in the op's private area
 * (RFC 7714 §8.1: 12 bytes); the tag is 16 bytes (RFC 7714 §14.2). */
void *cdv_session_gcm(struct dp_crypto_engine *e, struct rte_mempool *mp, const uint8_t *key,
		      uint8_t key_len, uint16_t aad_len, int encrypt)
{
	struct rte_crypto_sym_xform x = {.type = RTE_CRYPTO_SYM_XFORM_AEAD};

	if (aad_len > e->gcm_aad_max)
		return NULL;
	x.aead.op = encrypt ? RTE_CRYPTO_AEAD_OP_ENCRYPT : RTE_CRYPTO_AEAD_OP_DECRYPT;
	x.aead.algo = RTE_CRYPTO_AEAD_AES_GCM;
	x.aead.key.data = key;
	x.aead.key.length = key_len;
	x.aead.iv.offset = CDV_IV_OFF;
	x.aead.iv.length = 12;
	x.aead.digest_length = 16;
	x.aead.aad_length = aad_len;
	return mp != NULL ? rte_cryptodev_sym_session_create(e->dev_id, &x, mp) : NULL;
}

/* AES-CM session: AES-CTR with a 16-byte IV (RFC 3711 §4.1.1) chained
 * with HMAC-SHA1 truncated to tag_len (§4.2): cipher then generate when
 * encrypting, verify then decipher when decrypting. NULL on failure. */
static void *session_cm(struct dp_crypto_engine *e, struct rte_mempool *mp,
			const struct dp_srtp_session_keys *k, uint8_t tag_len, int encrypt)
{
	struct rte_crypto_sym_xform c = {.type = RTE_CRYPTO_SYM_XFORM_CIPHER};
	struct rte_crypto_sym_xform a = {.type = RTE_CRYPTO_SYM_XFORM_AUTH};

	c.cipher.op = encrypt ? RTE_CRYPTO_CIPHER_OP_ENCRYPT : RTE_CRYPTO_CIPHER_OP_DECRYPT;
	c.cipher.algo = RTE_CRYPTO_CIPHER_AES_CTR;
	c.cipher.key.data = k->enc;
	c.cipher.key.length = k->enc_len;
	c.cipher.iv.offset = CDV_IV_OFF;
	c.cipher.iv.length = 16;
	a.auth.op = encrypt ? RTE_CRYPTO_AUTH_OP_GENERATE : RTE_CRYPTO_AUTH_OP_VERIFY;
	a.auth.algo = RTE_CRYPTO_AUTH_SHA1_HMAC;
	a.auth.key.data = k->auth;
	a.auth.key.length = k->auth_len;
	a.auth.digest_length = tag_len;
	if (encrypt) {
		c.next = &a;
		return rte_cryptodev_sym_session_create(e->dev_id, &c, mp);
	}
	a.next = &c;
	return rte_cryptodev_sym_session_create(e->dev_id, &a, mp);
}

/* Derive both key sets and make the fixed sessions of c. 0 or -errno. */
static int ctx_sessions(struct dp_crypto_engine *e, struct dp_crypto_ctx *c,
			const struct relais_srtp_key *key)
{
	struct dp_srtp_session_keys rtp, rtcp;
	int enc = c->dir == DP_CRYPTO_OUTBOUND;
	int rc;

	rc = dp_srtp_kdf(c->prof, key->key, key->salt, 0, &rtp);
	if (rc == 0)
		rc = dp_srtp_kdf(c->prof, key->key, key->salt, 1, &rtcp);
	c->pool = session_pool(e);
	if (rc == 0 && c->pool == NULL)
		rc = -ENOMEM;
	if (rc == 0) {
		memcpy(c->rtp_salt, rtp.salt, rtp.salt_len);
		memcpy(c->rtcp_salt, rtcp.salt, rtcp.salt_len);
		if (c->prof->aead) {
			memcpy(c->rtp_key, rtp.enc, rtp.enc_len);
			c->rtcp_sess = cdv_session_gcm(e, c->pool, rtcp.enc, rtcp.enc_len, 12, enc);
		} else {
			c->rtp_sess = session_cm(e, c->pool, &rtp, c->prof->rtp_tag_len, enc);
			c->rtcp_sess = session_cm(e, c->pool, &rtcp, c->prof->rtcp_tag_len, enc);
		}
		if (c->rtcp_sess == NULL || (!c->prof->aead && c->rtp_sess == NULL))
			rc = -ENOMEM;
	}
	explicit_bzero(&rtp, sizeof(rtp));
	explicit_bzero(&rtcp, sizeof(rtcp));
	return rc;
}

static void cdv_ctx_destroy(struct dp_crypto_engine *e, struct dp_crypto_ctx *c);

/* Context for one direction (dp_crypto.h). NULL + errno: EINVAL (unknown
 * profile, bad arguments), ENOMEM (no memory or session pool exhausted),
 * EIO (key derivation failed). */
static struct dp_crypto_ctx *cdv_ctx_create(struct dp_crypto_engine *e,
					    const struct relais_srtp_key *key,
					    enum dp_crypto_dir dir)
{
	const struct relais_srtp_profile_info *prof;
	struct dp_crypto_ctx *c;
	int rc;

	prof = key != NULL ? relais_srtp_profile_get(key->profile) : NULL;
	if (e == NULL || prof == NULL || (dir != DP_CRYPTO_INBOUND && dir != DP_CRYPTO_OUTBOUND)) {
		errno = EINVAL;
		return NULL;
	}
	c = rte_zmalloc("cdv_ctx", sizeof(*c), RTE_CACHE_LINE_SIZE);
	if (c == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	c->prof = prof;
	c->dir = dir;
	rc = ctx_sessions(e, c, key);
	if (rc != 0) {
		cdv_ctx_destroy(e, c);
		errno = -rc;
		return NULL;
	}
	return c;
}

/* See dp_crypto.h: swap c's sessions, keys and salts with fresh's; c keeps
 * its per-SSRC ROC and replay state. No allocation, no device call. */
static int cdv_ctx_rekey(struct dp_crypto_engine *e, struct dp_crypto_ctx *c,
			 struct dp_crypto_ctx *fresh)
{
	struct dp_crypto_ctx tmp;

	(void)e;
	if (c == NULL || fresh == NULL || c->prof != fresh->prof || c->dir != fresh->dir)
		return -EINVAL;
	memcpy(&tmp, c, sizeof(tmp));
	c->rtp_sess = fresh->rtp_sess;
	c->rtcp_sess = fresh->rtcp_sess;
	memcpy(c->gcm, fresh->gcm, sizeof(c->gcm));
	memcpy(c->rtp_key, fresh->rtp_key, sizeof(c->rtp_key));
	memcpy(c->rtp_salt, fresh->rtp_salt, sizeof(c->rtp_salt));
	memcpy(c->rtcp_salt, fresh->rtcp_salt, sizeof(c->rtcp_salt));
	c->pool = fresh->pool;
	fresh->rtp_sess = tmp.rtp_sess;
	fresh->rtcp_sess = tmp.rtcp_sess;
	memcpy(fresh->gcm, tmp.gcm, sizeof(fresh->gcm));
	explicit_bzero(&tmp, sizeof(tmp));
	return 0;
}

/* Free every session of c and wipe it (keys, salts, state). Call only
 * after an RCU grace period. NULL is ignored. */
static void cdv_ctx_destroy(struct dp_crypto_engine *e, struct dp_crypto_ctx *c)
{
	if (c == NULL || e == NULL)
		return;
	if (c->rtp_sess != NULL)
		rte_cryptodev_sym_session_free(e->dev_id, c->rtp_sess);
	if (c->rtcp_sess != NULL)
		rte_cryptodev_sym_session_free(e->dev_id, c->rtcp_sess);
	for (unsigned i = 0; i < CDV_GCM_SLOTS; i++)
		if (c->gcm[i].sess != NULL)
			rte_cryptodev_sym_session_free(e->dev_id, c->gcm[i].sess);
	explicit_bzero(c, sizeof(*c));
	rte_free(c);
}

/* See dp_crypto_cryptodev.h: open addressing with linear probing over
 * CDV_SSRC_SLOTS entries (never deleted; a context lives as long as its
 * key). */
struct cdv_ssrc *cdv_ssrc_get(struct dp_crypto_ctx *c, uint32_t ssrc, int create)
{
	unsigned h = (unsigned)((ssrc * 2654435761u) >> 16) & (CDV_SSRC_SLOTS - 1);

	for (unsigned i = 0; i < CDV_SSRC_SLOTS; i++) {
		struct cdv_ssrc *s = &c->ssrc[(h + i) & (CDV_SSRC_SLOTS - 1)];

		if (s->used && s->ssrc == ssrc)
			return s;
		if (!s->used) {
			if (!create)
				return NULL;
			s->used = 1;
			s->ssrc = ssrc;
			c->n_ssrc++;
			return s;
		}
	}
	return NULL;
}

/* See dp_crypto.h: the sender's window of ssrc says index - 1 was the
 * highest sent and every index of the window below it was used too. */
static int cdv_ctx_tx_resume(struct dp_crypto_engine *e, struct dp_crypto_ctx *c, uint32_t ssrc,
			     uint64_t index)
{
	struct cdv_ssrc *s;

	(void)e;
	if (c == NULL || c->dir != DP_CRYPTO_OUTBOUND || index == 0 || index >= 1ull << 48)
		return -EINVAL;
	s = cdv_ssrc_get(c, ssrc, 1);
	if (s == NULL)
		return -ENOMEM;
	s->rtp.started = true;
	s->rtp.roc = (uint32_t)((index - 1) >> 16);
	s->rtp.s_l = (uint16_t)(index - 1);
	memset(s->rtp.bitmap, 0xff, sizeof(s->rtp.bitmap));
	return 0;
}

const struct dp_crypto_engine_ops dp_crypto_cryptodev_ops = {
    .name = "cryptodev",
    .create = cdv_create,
    .destroy = cdv_destroy,
    .ctx_create = cdv_ctx_create,
    .ctx_destroy = cdv_ctx_destroy,
    .ctx_rekey = cdv_ctx_rekey,
    .ctx_tx_resume = cdv_ctx_tx_resume,
    .unprotect_burst = cdv_unprotect_burst,
    .protect_burst = cdv_protect_burst,
};
