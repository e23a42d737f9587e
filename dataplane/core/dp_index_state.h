/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The output index state file (state.dir): per SSRC relais sends to a
 * participant, keyed by (participant id, SSRC, a keyed fingerprint of its
 * outbound SRTP key), the reserved ceilings of the 48-bit SRTP index and
 * of the 31-bit SRTCP index: no index at or above them was ever used
 * under that key. An output stream (out_ssrc) has both; the participant's
 * feedback SSRC (fb_ssrc: PLI, FIR, NACK relais sends it) has an SRTCP
 * ceiling only (SRTP ceiling 0). The control thread writes a
 * raised ceiling and syncs it before any worker may use an index below
 * it, so after a crash (kill -9) and a re-programming with the same keys
 * the stream resumes at the ceiling and never encrypts under an index it
 * used before (docs/crypto.md, "Index uniqueness across restarts").
 *
 * File: a header (magic, version 2, slot count, a random 32-byte secret
 * for the fingerprints, a checksum) and a fixed array of 56-byte records,
 * each with its own checksum. A file that does not check is refused (never
 * a silent fresh start: with unchanged keys that is the unsafe case), and
 * so is a version 1 file (no SRTCP ceilings: what it covers is unknown).
 * The key itself is never written: the fingerprint is
 * HMAC-SHA256(secret, profile || key || salt) truncated to 16 bytes.
 * Control thread only; no DPDK dependency (unit-testable).
 */
#ifndef DP_INDEX_STATE_H
#define DP_INDEX_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <relais/ctl_proto.h>

#define DP_IXS_FILE "output-index.state"
#define DP_IXS_FP_LEN 16
/* A record not bound to a live stream is evicted, when its slot is needed,
 * only once this old (seconds): a participant deleted and added again
 * with the same keys within it resumes above its old indexes. */
#define DP_IXS_KEEP_S 86400

struct dp_ixs;

/* Open (or create, 0600, O_NOFOLLOW) DP_IXS_FILE in dir for n_slots
 * records. dir must be a real directory (not a symlink) owned by owner
 * (-1: this user; process.user's uid when the dataplane drops to it) and
 * not writable by group or others. An existing file must check
 * (magic, version, slot count, every checksum). 0 with *out set, or
 * -errno with a sentence naming the file in err. */
int dp_ixs_open(struct dp_ixs **out, const char *dir, long owner, uint32_t n_slots, char *err,
		size_t n);
/* The checksum of the header's and each record's bytes before their
 * check field (FNV-1a, 64 bits; tests write files with it). */
uint64_t dp_ixs_checksum(const void *p, size_t n);
/* Close (no write: the file is always current). NULL is ignored. */
void dp_ixs_close(struct dp_ixs *s);

/* The keyed fingerprint of key k (see above). */
void dp_ixs_fingerprint(const struct dp_ixs *s, const struct relais_srtp_key *k,
			uint8_t fp[DP_IXS_FP_LEN]);

/* The first record slot >= from of participant part (any out_ssrc, any
 * fingerprint), or -1. */
int dp_ixs_next(const struct dp_ixs *s, uint32_t part, int from);
/* Fields of the record in slot (valid slot). */
uint32_t dp_ixs_part(const struct dp_ixs *s, int slot);
uint32_t dp_ixs_ssrc(const struct dp_ixs *s, int slot);
const uint8_t *dp_ixs_fp(const struct dp_ixs *s, int slot);
uint64_t dp_ixs_ceiling(const struct dp_ixs *s, int slot);
uint32_t dp_ixs_rtcp_ceiling(const struct dp_ixs *s, int slot);
bool dp_ixs_fp_is(const struct dp_ixs *s, int slot, const uint8_t fp[DP_IXS_FP_LEN]);

/* Write the record (part, ssrc, fp, SRTP ceiling (0: none), SRTCP
 * ceiling (>= 1)) into slot, or into a free
 * slot (or an evictable one, see DP_IXS_KEEP_S) when slot < 0, and mark
 * it live. Not synced: call dp_ixs_sync before relying on it. The slot,
 * or -ENOSPC (no slot) / -EIO. */
int dp_ixs_put(struct dp_ixs *s, int slot, uint32_t part, uint32_t ssrc,
	       const uint8_t fp[DP_IXS_FP_LEN], uint64_t ceiling, uint32_t rtcp_ceiling);
/* Erase the record in slot (obsolete: its key is gone). Not synced. */
int dp_ixs_erase(struct dp_ixs *s, int slot);
/* Mark slot not live (its stream is freed): kept DP_IXS_KEEP_S. */
void dp_ixs_release(struct dp_ixs *s, int slot);
/* fdatasync the file: 0 or -errno. */
int dp_ixs_sync(struct dp_ixs *s);

#endif /* DP_INDEX_STATE_H */
