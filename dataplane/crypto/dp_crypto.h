/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The crypto engine seam. Every engine (libsrtp2 now, rte_cryptodev later)
 * implements SRTP/SRTCP protect and unprotect on bursts of packets, each
 * with its own context, so the pipeline never calls a crypto library
 * directly and a batched engine can replace the first one without any
 * change to the pipeline.
 *
 * Contexts: one per direction per participant. An inbound context
 * unprotects everything a participant sends (any SSRC, RTP and RTCP); an
 * outbound context protects everything we send to it (any SSRC). A context
 * is used by exactly one lcore at a time (its owner); creation and
 * destruction happen on the control thread, destruction only after an RCU
 * grace period. Destruction zeroes all key material.
 *
 * Replay protection and ROC (RFC 3711 §3.3, App. A) are the engine's job:
 * the replay check happens before any crypto and the window update only
 * after successful authentication. Outbound, the same window keeps every
 * index used and refuses it a second time.
 */
#ifndef DP_CRYPTO_H
#define DP_CRYPTO_H

#include <stdint.h>

#include <rte_mbuf.h>

#include <relais/ctl_proto.h>
#include <relais/drop_reasons.h>

enum dp_crypto_dir {
	DP_CRYPTO_INBOUND = 0,
	DP_CRYPTO_OUTBOUND = 1
};

struct dp_crypto_ctx;    /* opaque, engine-specific */
struct dp_crypto_engine; /* opaque, engine-specific */

/*
 * One operation of a burst. The (S)RTP/(S)RTCP packet is the bytes from
 * offset `off` to the end of the single-segment mbuf `m`.
 * Unprotect shrinks the mbuf by the auth tag (and SRTCP index); protect
 * grows it (the caller guarantees RELAIS_SRTP_MAX_TRAILER bytes tailroom).
 * On return `drop` is RELAIS_DROP_NONE, or SRTP_AUTH, SRTP_REPLAY,
 * TRUNCATED, SRTP_ERROR; protect gives SRTP_INDEX_USED for an SRTP index
 * already used (or older than the window) in the outbound context: an
 * index is never encrypted under twice (no keystream or nonce reuse).
 *
 * srtcp_index (protect of RTCP only): the SRTCP index to send it under
 * (1 .. 2^31 - 1, RFC 3711 §3.4), chosen by the pipeline, which keeps
 * each (context, SSRC)'s indexes unique across restarts (dp_ostream.h);
 * or 0: the engine numbers the SSRC's SRTCP packets itself from 1 (tests,
 * tools). An SSRC of a context is numbered one way only.
 */
struct dp_crypto_op {
	struct rte_mbuf *m;
	struct dp_crypto_ctx *ctx;
	uint16_t off;
	uint8_t is_rtcp;
	uint8_t drop; /* enum relais_drop_reason, output */
	uint32_t srtcp_index;
};

/* For engines: the packet bytes of an op (*p, *len), or the drop reason of
 * an op that cannot be processed at all (no mbuf or context, chained mbuf:
 * SRTP_ERROR; offset past the data: TRUNCATED). */
static inline uint8_t dp_crypto_op_packet(const struct dp_crypto_op *op, uint8_t **p, uint32_t *len)
{
	struct rte_mbuf *m = op->m;

	if (m == NULL || op->ctx == NULL || m->nb_segs != 1)
		return RELAIS_DROP_SRTP_ERROR;
	if (op->off > rte_pktmbuf_data_len(m))
		return RELAIS_DROP_TRUNCATED;
	*p = rte_pktmbuf_mtod_offset(m, uint8_t *, op->off);
	*len = rte_pktmbuf_data_len(m) - op->off;
	return RELAIS_DROP_NONE;
}

struct dp_crypto_engine_ops {
	const char *name;
	/* Engine-wide setup/teardown; n_queues = number of lcores that call
	 * the burst functions (each passes its own queue index). */
	struct dp_crypto_engine *(*create)(unsigned n_queues);
	void (*destroy)(struct dp_crypto_engine *e);
	/* Context for one direction; NULL + errno (EINVAL unknown profile). */
	struct dp_crypto_ctx *(*ctx_create)(struct dp_crypto_engine *e,
					    const struct relais_srtp_key *key,
					    enum dp_crypto_dir dir);
	void (*ctx_destroy)(struct dp_crypto_engine *e, struct dp_crypto_ctx *c);
	/* Re-key c in place with the keys of fresh, a context ctx_create made
	 * on the control thread for the same profile and direction. Runs on
	 * c's owner lcore between bursts. Every stream of c keeps its
	 * rollover counter and SRTCP index (RFC 3711 §3.3.1), so streams
	 * continue across the key change; what c gives up (old sessions) is
	 * left in fresh, which the control thread destroys afterwards. 0, or
	 * -EINVAL (profile/direction differ: c unchanged) / -ENOMEM. */
	int (*ctx_rekey)(struct dp_crypto_engine *e, struct dp_crypto_ctx *c,
			 struct dp_crypto_ctx *fresh);
	/* Outbound context c, not yet used for ssrc (control thread, before
	 * c is published): the next SRTP index c protects for ssrc is index
	 * (>= 1; its rollover counter index >> 16), every earlier one is
	 * refused (SRTP_INDEX_USED). A restart resumes a stream this way
	 * (dp_ostream.h). 0 or -errno. */
	int (*ctx_tx_resume)(struct dp_crypto_engine *e, struct dp_crypto_ctx *c, uint32_t ssrc,
			     uint64_t index);
	/* Process n ops; returns n (all ops have their verdict in .drop). */
	uint16_t (*unprotect_burst)(struct dp_crypto_engine *e, unsigned queue,
				    struct dp_crypto_op *ops, uint16_t n);
	uint16_t (*protect_burst)(struct dp_crypto_engine *e, unsigned queue,
				  struct dp_crypto_op *ops, uint16_t n);
};

/* The engines compiled in. */
extern const struct dp_crypto_engine_ops dp_crypto_libsrtp_ops;
extern const struct dp_crypto_engine_ops dp_crypto_cryptodev_ops; /* rte_cryptodev, ipsec_mb */

/* The cryptodev engine's device, before dp_crypto_engine_open: NULL or ""
 * (default) makes the engine create its own crypto_aesni_mb vdev with one
 * queue pair per worker (software, per-lcore); a name uses that existing
 * device instead (a hardware one such as QAT given with -a, or a --vdev),
 * one of its queue pairs per worker. */
void dp_crypto_cryptodev_use_device(const char *name);

/* Engine by name ("libsrtp", "cryptodev"), NULL if unknown. */
const struct dp_crypto_engine_ops *dp_crypto_engine_find(const char *name);

/* Find and create an engine: name is "libsrtp", "cryptodev" or "auto"
 * (the fastest that can be created: cryptodev, else libsrtp). On success
 * *ops is the chosen engine. NULL + errno (ENOENT unknown name, else the
 * engine's create error; *ops is then NULL). Needs EAL for cryptodev. */
struct dp_crypto_engine *dp_crypto_engine_open(const char *name, unsigned n_queues,
					       const struct dp_crypto_engine_ops **ops);

#endif /* DP_CRYPTO_H */
