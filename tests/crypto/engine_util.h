/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers for tests that drive a crypto engine through the seam
 * (dp_crypto.h) one packet at a time, on real mbufs.
 */
#ifndef ENGINE_UTIL_H
#define ENGINE_UTIL_H

#include <stdint.h>

#include "dp_crypto.h"

#define ENG_PKT_MAX 2048

struct eng {
	const struct dp_crypto_engine_ops *ops;
	struct dp_crypto_engine *e;
	struct rte_mempool *mp;
	int own_srtp; /* eng_setup ran srtp_init (engine is not libsrtp) */
};

/* Start EAL (once), find the engine named by the environment variable
 * RELAIS_CRYPTO_ENGINE (default "libsrtp"), create it with one queue and
 * a mbuf pool. Exits the process on failure. */
void eng_setup(struct eng *g, const char *prog);
/* Destroy the engine and pool, then stop EAL (test_eal_cleanup). */
void eng_teardown(struct eng *g);

/* Context for profile with master key/salt (salt length from the profile). */
struct dp_crypto_ctx *eng_ctx(struct eng *g, uint16_t profile, const uint8_t *key,
			      const uint8_t *salt, enum dp_crypto_dir dir);

/* Run one op (protect if `protect`, else unprotect) on the len bytes in,
 * placed at offset `off` of a fresh mbuf behind `off` filler bytes. On
 * return *out_len is the packet length after the op (mbuf data_len - off)
 * and out holds those bytes; the filler is checked untouched (else the
 * function returns 0xff). Returns the op's drop reason. */
uint8_t eng_run(struct eng *g, struct dp_crypto_ctx *c, int protect, int is_rtcp, uint16_t off,
		const uint8_t *in, uint16_t len, uint8_t *out, uint16_t *out_len);
/* The same with the op's srtcp_index set (an RTCP protect under that
 * SRTCP index; 0: the engine's own numbering). */
uint8_t eng_run_at(struct eng *g, struct dp_crypto_ctx *c, int protect, int is_rtcp,
		   uint32_t srtcp_index, uint16_t off, const uint8_t *in, uint16_t len,
		   uint8_t *out, uint16_t *out_len);

#endif /* ENGINE_UTIL_H */
