/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to the rte_cryptodev engine (dp_crypto_cryptodev*.c): the
 * engine, per-queue and per-context state shared by the setup file and
 * the packet path. Not for the pipeline, which sees only dp_crypto.h.
 */
#ifndef DP_CRYPTO_CRYPTODEV_H
#define DP_CRYPTO_CRYPTODEV_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_crypto.h>
#include <rte_cryptodev.h>

#include <relais/srtp_profile.h>

#include "dp_crypto.h"
#include "dp_srtp_index.h"

#define CDV_BURST 64             /* crypto ops per enqueue; longer bursts are chunked */
#define CDV_SSRC_SLOTS 16        /* SSRCs per context (power of two) */
#define CDV_GCM_SLOTS 8          /* SRTP-GCM sessions per context, one per AAD length */
#define CDV_POOL_SESSIONS 8192   /* sessions per pool (~1.5 KB each with ipsec_mb) */
#define CDV_MAX_POOLS 1024       /* pools are added on demand: up to 8M sessions, 2M participants */
#define CDV_POOL_HEADROOM 64     /* a new context starts a new pool below this */
#define CDV_QP_DESC 256          /* descriptors per queue pair (>= CDV_BURST) */
#define CDV_MAX_POLLS (1u << 26) /* dequeue polls before a device is declared stuck */

/* Per-op private area, right behind the symmetric op (rte_crypto_op
 * private data): the IV, the computed or saved tag, the SRTCP-GCM AAD. */
struct cdv_priv {
	uint8_t iv[16];
	uint8_t digest[20]; /* HMAC output (protect) or the received tag (unprotect) */
	uint8_t aad[12];    /* SRTCP-GCM: RTCP header (8) || E + SRTCP index (4) */
	uint32_t gen;       /* chunk generation, to spot a stale op */
	uint16_t idx;       /* index into cdv_queue.pend */
};

#define CDV_IV_OFF (sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_sym_op))

/* Replay/ROC state of one SSRC of a context (RFC 3711 §3.3.1). Inbound:
 * the receive window of SRTP and SRTCP. Outbound: `rtp` estimates the
 * index the way libsrtp's sender does and its window refuses an index
 * already used; rtcp_tx is the last SRTCP index. */
struct cdv_ssrc {
	uint32_t ssrc;
	uint8_t used;
	uint32_t rtcp_tx;
	uint32_t chunk_gen; /* inbound: chunk whose unverified ops chunk_max covers */
	uint64_t chunk_max; /* highest SRTP index queued in that chunk */
	struct dp_srtp_rx_state rtp;
	struct dp_srtcp_rx_state rtcp;
};

/* One SRTP-GCM session for RTP headers of aad_len bytes (RFC 7714 §8.2:
 * the AAD is the whole RTP header, and a 22.11 AEAD session fixes its
 * aad_length). gen: the chunk that last used it. */
struct cdv_gcm_slot {
	void *sess;
	uint16_t aad_len;
	uint32_t gen;
};

struct dp_crypto_ctx {
	const struct relais_srtp_profile_info *prof;
	enum dp_crypto_dir dir;
	void *rtp_sess;  /* AES-CM: CTR + HMAC-SHA1 chain for SRTP */
	void *rtcp_sess; /* SRTCP: CTR + HMAC chain, or GCM with a 12-byte AAD */
	struct cdv_gcm_slot gcm[CDV_GCM_SLOTS];
	uint8_t rtp_key[32]; /* GCM: SRTP session key, for lazily made sessions */
	uint8_t rtp_salt[14];
	uint8_t rtcp_salt[14];
	uint32_t n_ssrc;
	struct rte_mempool *pool; /* the pool its lazily made sessions come from */
	struct cdv_ssrc ssrc[CDV_SSRC_SLOTS];
};

/* What the packet path remembers of an op between enqueue and dequeue. */
struct cdv_pending {
	struct dp_crypto_op *op;
	uint64_t index; /* SRTP packet index or SRTCP index */
	uint32_t ssrc;
	uint16_t len; /* packet length before the op */
	uint8_t grow; /* bytes appended before enqueue (protect) */
	uint8_t done; /* dequeued and finished */
};

struct cdv_queue {
	struct rte_crypto_op *ops[CDV_BURST];
	struct rte_crypto_op *deq[CDV_BURST];
	struct cdv_pending pend[CDV_BURST];
	uint32_t gen;
} __rte_cache_aligned;

struct dp_crypto_engine {
	uint8_t dev_id;
	uint16_t gcm_aad_max; /* largest AAD the device takes */
	unsigned n_queues;
	int own_vdev; /* 1: we created the vdev and remove it on destroy */
	char vdev_name[RTE_CRYPTODEV_NAME_MAX_LEN];
	int socket;
	unsigned n_pools;
	struct rte_mempool *sess_mp[CDV_MAX_POOLS]; /* grown by ctx_create (control thread) */
	struct rte_mempool *op_mp;
	struct cdv_queue *q; /* n_queues entries */
};

/* Session for AES-GCM with an AAD of aad_len bytes, made from pool mp
 * (the packet path uses it for SRTP-GCM). NULL on failure. */
void *cdv_session_gcm(struct dp_crypto_engine *e, struct rte_mempool *mp, const uint8_t *key,
		      uint8_t key_len, uint16_t aad_len, int encrypt);

/* SSRC state of ctx for ssrc, or NULL when absent (create = 0) or when
 * the table is full (create = 1). */
struct cdv_ssrc *cdv_ssrc_get(struct dp_crypto_ctx *c, uint32_t ssrc, int create);

uint16_t cdv_unprotect_burst(struct dp_crypto_engine *e, unsigned queue, struct dp_crypto_op *ops,
			     uint16_t n);
uint16_t cdv_protect_burst(struct dp_crypto_engine *e, unsigned queue, struct dp_crypto_op *ops,
			   uint16_t n);

#endif /* DP_CRYPTO_CRYPTODEV_H */
