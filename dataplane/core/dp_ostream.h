/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output streams (struct dp_ostream) and their SRTP index reservation:
 * with state.dir set, every output stream owns a record of the state file
 * (dp_index_state.h) holding a ceiling that the control thread keeps
 * state.block indexes ahead of what the owner lcore uses, writing and
 * syncing it before publishing it; the owner never protects an index at
 * or above the published ceiling (tx_index_reserve) nor below the floor
 * this process started the stream at (srtp_index_used). A stream found in
 * the file with the same key fingerprint when its participant is added
 * resumes at the ceiling: a forward jump of at most state.block indexes
 * (< 2^15: receivers take it as loss, rollover counter included).
 * SRTCP the same way: the pipeline, not the engine, numbers the RTCP
 * relais sends to a participant (dp_crypto_op.srtcp_index), per SSRC it
 * sends RTCP as: an output stream's relayed sender reports (its out_ssrc)
 * and the feedback relais sends a publisher (its fb_ssrc, which no output
 * stream of it may use); each has a ceiling in the same record, raised
 * and synced before the owner gives an index at or above it
 * (tx_index_reserve otherwise), resumed at the ceiling after a restart.
 * Without state.dir a new stream starts where its first source is, SRTCP
 * at 1, and nothing survives a restart (logged at start; docs/crypto.md).
 */
#ifndef DP_OSTREAM_H
#define DP_OSTREAM_H

#include <relais/drop_reasons.h>

#include "dp_tables.h"

#define DP_SRTCP_END (1u << 31) /* SRTCP indexes are 31 bits (RFC 3711 §3.4) */

/* Control thread: open state.dir's file (none when cfg->state_dir is "").
 * 0, or -errno with a sentence in err. */
int dp_ostream_state_open(const struct dp_config *cfg, char *err, size_t n);
/* Control thread: close it (writes nothing). */
void dp_ostream_state_close(void);

/* A new output stream of pt for out_ssrc, appended to pt->ostreams, with
 * a fresh reservation when state.dir is set (a random first sequence
 * number under rollover counter 0, SRTCP from 1, synced before return).
 * NULL with err set (out_ssrc is pt's fb_ssrc, out of memory, state file
 * full or failing). */
struct dp_ostream *dp_ostream_make(struct dp_part *pt, uint32_t out_ssrc, char *err, size_t n);
/* Undo dp_ostream_make before its stream was used: its record erased
 * (kept, not live, when it was an earlier fb_ssrc's), removed from pt,
 * freed after a grace period. */
void dp_ostream_unmake(struct dp_part *pt, struct dp_ostream *os);

/* PART_ADD, before pt is published, tx_key its outbound key: its streams
 * of the state file under this key resume at their ceilings (streams
 * made, tx_ctx positioned), so does the SRTCP numbering of its fb_ssrc
 * (or it gets a fresh record); records under another key are erased.
 * Without state.dir only fb_rtcp is set (from 1). 0 or -errno with err. */
int dp_ostream_part_add(struct dp_part *pt, const struct relais_srtp_key *tx_key, char *err,
			size_t n);
/* The keyed fingerprint of tx_key into fp (zeros without state.dir). */
void dp_ostream_fingerprint(const struct relais_srtp_key *tx_key, uint8_t fp[16]);
/* PART_REKEY: pt's records move to fingerprint fp, synced (before the
 * owner switches keys; again with the old one if the re-key fails). 0 or
 * -errno with err. */
int dp_ostream_part_rekey(struct dp_part *pt, const uint8_t fp[16], char *err, size_t n);
/* PART_DEL (or a failed PART_ADD): pt's records stay (DP_IXS_KEEP_S) but are no longer live. */
void dp_ostream_part_del(struct dp_part *pt);

/* Control thread, every step: raise the ceilings owners are nearing,
 * one sync for all, then publish them. */
void dp_ostream_step(void);

/* The 48-bit index of sequence seq after highest index hi (RFC 3711
 * App. A); 0 when it would fall before index 0. */
static inline uint64_t dp_ostream_index(uint64_t hi, uint16_t seq)
{
	uint32_t roc = (uint32_t)(hi >> 16), v = roc;
	uint16_t s_l = (uint16_t)hi;

	if (s_l < 32768) {
		if (seq > s_l && seq - s_l > 32768) {
			if (roc == 0)
				return 0;
			v = roc - 1;
		}
	} else if (s_l - 32768 > seq) {
		v = roc + 1;
	}
	return (uint64_t)v << 16 | seq;
}

/* Owner lcore, before protecting sequence seq on os: RELAIS_DROP_NONE
 * (the index is in [floor, ceiling): taken), or the drop reason. */
static inline uint8_t dp_ostream_take(struct dp_ostream *os, uint16_t seq)
{
	uint64_t hi = os->hi; /* the owner is its only writer */
	uint64_t idx = dp_ostream_index(hi, seq);

	if (idx < os->floor)
		return RELAIS_DROP_SRTP_INDEX_USED;
	/* Acquire: pairs with the control thread's release store, made after
	 * the file holding this ceiling was synced. */
	if (idx >= __atomic_load_n(&os->ceiling, __ATOMIC_ACQUIRE))
		return RELAIS_DROP_TX_INDEX_RESERVE;
	if (idx > hi)
		__atomic_store_n(&os->hi, idx, __ATOMIC_RELAXED);
	return RELAIS_DROP_NONE;
}

/* Owner lcore, before protecting an RTCP packet numbered by r: its SRTCP
 * index (below the published ceiling: taken), or 0 (drop it as
 * RELAIS_DROP_TX_INDEX_RESERVE). */
static inline uint32_t dp_srtcp_take(struct dp_srtcp_out *r)
{
	uint32_t next = r->hi + 1; /* the owner is its only writer */

	/* Acquire: pairs with the control thread's release store, made after
	 * the file holding this ceiling was synced. */
	if (next >= __atomic_load_n(&r->ceiling, __ATOMIC_ACQUIRE))
		return 0;
	__atomic_store_n(&r->hi, next, __ATOMIC_RELAXED);
	return next;
}

#endif /* DP_OSTREAM_H */
