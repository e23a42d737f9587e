/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding state: participants, tracks, subscriptions and rooms.
 *
 * Concurrency model:
 * - One writer: the control thread (main lcore). It inserts and removes
 *   entries in rte_hash tables created with lock-free read concurrency and
 *   publishes pointers with release stores.
 * - Many readers: worker lcores, each a registered rte_rcu_qsbr thread that
 *   reports a quiescent state once per loop iteration and keeps no object
 *   pointer across iterations. Packets handed between lcores carry ids,
 *   never pointers, and are re-resolved by the receiver.
 * - Removed objects (and replaced fan-out arrays) are freed by the control
 *   thread through an rte_rcu_qsbr defer queue, after every worker passed a
 *   quiescent state.
 * - Mutable per-packet state of an object (replay windows inside crypto
 *   contexts, rewrite offsets, counters) is written only by the object's
 *   owner lcore.
 */
#ifndef DP_TABLES_H
#define DP_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>

#include <relais/ctl_proto.h>

#include "dp_bucket.h"
#include "dp_config.h"
#include "dp_crypto.h"

#define DP_MAX_TRACKS_PER_PART 16
/* Output streams (distinct out_ssrc values) a participant may receive over
 * its lifetime: each keeps its numbering until the participant is deleted
 * (struct dp_ostream). Over the bound SUB_ADD with a new out_ssrc is
 * refused; reuse an out_ssrc (SUB_SWITCH, or delete and add with the same
 * out_ssrc) or delete and add the participant with fresh keys. */
#define DP_MAX_OSTREAMS_PER_PART 1024
/* RCU thread id used by non-lcore readers (telemetry thread). */
#define DP_RCU_TELEMETRY_ID RTE_MAX_LCORE

struct dp_addr_key {
	uint8_t family;
	uint8_t pad;
	uint16_t port;
	uint8_t ip[16];
};

struct dp_track;

/* SRTCP numbering of one SSRC relais sends RTCP as towards a participant
 * (dp_ostream.h): hi is the owner's (the last SRTCP index it gave, 0 at
 * first; relaxed store), read by the control thread (relaxed); ceiling is
 * stored by the control thread (release), with state.dir only after the
 * state file holding it was synced, loaded by the owner (acquire): no
 * index at or above it is given. */
struct dp_srtcp_out {
	uint32_t hi;
	uint32_t ceiling;
};

/* A growable array of pointers, used by the control thread only. */
struct dp_ptrvec {
	void **v;
	uint32_t n, cap;
};

struct dp_part {
	uint32_t id;
	uint32_t room_id;
	uint32_t fb_ssrc;
	uint64_t cookie; /* control plane's, echoed by DUMP */
	uint16_t rx_profile, tx_profile;
	/* Owner-only cache of the next hop's MAC, valid while nh_gen equals
	 * the neighbour table's generation (dp_neigh_gen()). */
	uint8_t nh_mac[6];
	uint32_t nh_gen;
	uint64_t nh_seen_tsc;     /* owner only: last source-MAC check (dp_media.c) */
	struct dp_bucket nack_tb; /* owner only: NACKs forwarded upstream (rtcp.nack_rate) */
	uint16_t owner;           /* lcore owning both contexts */
	/* Where we send it: the owner's copy (written by the control thread
	 * before publication, then only by the owner when it moves). */
	struct dp_addr_key addr;
	/* Whether addr consented to receive media (media.consent, issue 11):
	 * an SRTP/SRTCP packet from exactly addr authenticated with rx_ctx, or
	 * an ICE check from addr that relais-edge answered (its CONSENT).
	 * Written with relaxed atomics by the owner (set by a packet; cleared
	 * when a move switches addr) and by the control thread (the edge's
	 * CONSENT, only while no move is in flight: consent_on_move waits for
	 * the move's end instead). Read by the owner before protection. */
	uint8_t consent;
	/* control thread only: its address as part_by_addr knows it, and the
	 * old one while a move (PART_REKEY with a new address) is in flight */
	struct dp_addr_key key, moving_from;
	bool moving;
	bool consent_on_move;         /* control thread: the edge consented to key while moving */
	struct dp_crypto_ctx *rx_ctx; /* unprotects what it sends */
	struct dp_crypto_ctx *tx_ctx; /* protects what we send it */
	/* Published tracks; slots written by control (release), read by owner
	 * (acquire). */
	struct dp_track *tracks[DP_MAX_TRACKS_PER_PART];
	struct dp_ptrvec subs; /* control thread only: its subscriptions */
	/* control thread only: its output streams (struct dp_ostream *), by
	 * out_ssrc, at most DP_MAX_OSTREAMS_PER_PART; freed with it */
	struct dp_ptrvec ostreams;
	/* control thread: keyed fingerprint of tx_key (state.dir) */
	uint8_t tx_fp[16];
	/* SRTCP numbering of fb_ssrc (the PLI, FIR and NACK relais sends it)
	 * and its record of the state file (control thread; -1: none) */
	struct dp_srtcp_out fb_rtcp;
	int32_t fb_slot;
	/* owner-written counters */
	uint64_t rx_pkts, tx_pkts, drops;
} __rte_cache_aligned;

struct dp_sub;

/* Subscribers of a track, grouped by owner lcore. Immutable once published. */
struct dp_fanout_group {
	uint16_t lcore;
	uint32_t n;
	struct dp_sub **subs;
};
struct dp_fanout {
	uint32_t n_groups;
	uint32_t n_subs;
	struct dp_fanout_group g[];
};

struct dp_track {
	uint32_t id;
	uint32_t part_id;
	uint32_t clock_rate;
	uint64_t cookie;
	uint8_t kind;
	uint8_t learn; /* SSRC learned from first packet */
	uint8_t pt;    /* RELAIS_PT_ANY or the learnable PT */
	/* SSRC: declared, or learned by the publisher's owner lcore (written
	 * once with release, read with acquire). */
	uint32_t ssrc;
	uint8_t ssrc_known;
	uint8_t fir_seq;        /* owner lcore only */
	uint64_t last_pli_tsc;  /* owner lcore only */
	struct dp_bucket sr_tb; /* owner lcore only: SRs fanned out (rtcp.sr_rate) */
	struct dp_fanout *fan;  /* RCU-published by control */
	/* control thread only: the subscriptions currently on this track */
	struct dp_ptrvec subs;
	/* owner-written counters */
	uint64_t pkts, bytes, drops;
} __rte_cache_aligned;

/* Rewrite state of one output stream (RFC 3550 continuity across sources). */
struct dp_rewrite {
	bool started;
	bool new_src; /* the next packet starts a new source segment */
	uint32_t src_track_id;
	uint32_t src_ssrc;
	uint16_t seq_off;
	uint32_t ts_off;
	uint16_t last_seq; /* highest output sequence */
	uint32_t last_ts;  /* output timestamp of last_seq */
	uint64_t last_tsc; /* when last_seq was sent */
};

/*
 * One output stream: what a subscriber participant receives under one
 * out_ssrc, across every subscription that ever used that out_ssrc. Made
 * by the first SUB_ADD of (participant, out_ssrc) and kept until the
 * participant is freed (RCU, with it), so a subscription deleted and added
 * again with the same out_ssrc continues the numbering (last_seq + 1)
 * instead of passing the new source's sequence numbers through: the SRTP
 * index of what relais sends never goes back under the participant's
 * outbound key (docs/crypto.md, "Output index uniqueness").
 * Writers: out_ssrc by the control thread before the first subscription
 * using it is published (the release stores of that publication order it
 * before any reader); next_epoch is the control thread's alone; rw and
 * rw_epoch only by the subscriber's owner lcore, which is the owner of
 * every subscription using the stream.
 */
struct dp_ostream {
	uint32_t out_ssrc;
	uint32_t next_epoch; /* control thread: epoch of the next subscription */
	uint32_t rw_epoch;   /* owner: epoch of the subscription rw last served */
	struct dp_rewrite rw;
	/* Index reservation (state.dir, dp_ostream.h): slot is the control
	 * thread's (-1: none, no check); floor is written before the first
	 * publication and never after; ceiling is stored by the control
	 * thread (release) only after the state file holding it is synced,
	 * loaded by the owner (acquire); hi is the owner's (relaxed store),
	 * read by the control thread (relaxed) to raise the ceiling. */
	int32_t slot;
	uint64_t floor;           /* first index this process may use */
	uint64_t ceiling;         /* no index at or above it is used */
	uint64_t hi;              /* highest index passed to protection (floor - 1 at first) */
	struct dp_srtcp_out rtcp; /* its SRTCP numbering (relayed sender reports) */
} __rte_cache_aligned;

struct dp_sub {
	uint32_t id;
	uint32_t part_id;     /* subscriber */
	struct dp_part *part; /* subscriber (outlives the sub) */
	uint32_t out_ssrc;
	uint64_t cookie;
	uint32_t track_id; /* current source; control writes */
	uint16_t owner;    /* = subscriber's owner lcore */
	uint8_t n_pt;
	uint8_t pt_map[RELAIS_CTL_MAX_PT_MAP][2];
	uint8_t has_ext_map;
	uint8_t ext_map[RELAIS_CTL_EXT_IDS];
	/* Its output stream (outlives the sub) and the epoch it was given:
	 * immutable once published. The owner starts a new source segment in
	 * os->rw when it serves a sub of another epoch (dp_sub_rewrite). */
	struct dp_ostream *os;
	uint32_t epoch;
	uint64_t pkts, bytes, drops; /* owner-written */
} __rte_cache_aligned;

/* The objects the control thread counts in dp_tab.counts[], each with the
 * STATS gauge it is reported as: X(DP_COUNT_ suffix, relais_stat gauge). */
#define DP_OBJECT_COUNTS(X)    \
	X(ROOMS, rooms)        \
	X(PARTS, participants) \
	X(TRACKS, tracks)      \
	X(SUBS, subscriptions)
#define DP_COUNT_ENUM_(sfx, gauge) DP_COUNT_##sfx,
enum dp_count {
	DP_OBJECT_COUNTS(DP_COUNT_ENUM_) DP_COUNT_MAX
};
#undef DP_COUNT_ENUM_

struct dp_tables {
	struct rte_hash *part_by_addr; /* dp_addr_key -> dp_part */
	struct rte_hash *part_by_id;   /* u32 -> dp_part */
	struct rte_hash *track_by_id;  /* u32 -> dp_track */
	struct rte_hash *sub_by_id;    /* u32 -> dp_sub */
	struct rte_hash *sub_by_out;   /* {part_id, out_ssrc} -> dp_sub */
	struct rte_hash *room_by_id;   /* u32 -> participants count */
	struct rte_rcu_qsbr *rcu;
	struct rte_rcu_qsbr_dq *dq;
	const struct dp_crypto_engine_ops *eng_ops;
	struct dp_crypto_engine *eng;
	const struct dp_config *cfg;
	unsigned next_owner;           /* round-robin over workers */
	uint64_t counts[DP_COUNT_MAX]; /* control thread: objects, by enum dp_count */
	uint32_t rekeys_in_flight;     /* control thread: jobs not yet retired */
};

extern struct dp_tables dp_tab;

/* Hash function for every relais rte_hash: CRC32 over an aligned copy of
 * the key (keys are at most 64 bytes and may be only 2-byte aligned). */
uint32_t dp_key_hash(const void *key, uint32_t len, uint32_t init);

/* Create the tables, RCU variable and defer queue for cfg's limits.
 * 0 or -errno (rte_errno names the failing library). */
int dp_tables_init(const struct dp_config *cfg, const struct dp_crypto_engine_ops *ops,
		   struct dp_crypto_engine *eng);
/* Free everything (after workers stopped). */
void dp_tables_fini(void);

/* Control-thread mutations: 0 or -errno with a sentence in err. */
int dp_room_add(uint32_t room_id, char *err, size_t n);
int dp_room_del(uint32_t room_id, char *err, size_t n);
int dp_part_add(const struct relais_ctl_part *p, char *err, size_t n);
int dp_part_del(uint32_t id, char *err, size_t n);
/* New keys for an existing participant (same room, address, profiles):
 * fresh contexts are made here and handed to the owner lcore, which
 * re-keys the live ones between bursts (dp_worker.c) and returns what
 * they gave up for destruction (dp_tables_retire). */
int dp_part_rekey(const struct relais_ctl_part *p, char *err, size_t n);
/* Control thread: relais-edge answered an ICE check from a for participant
 * part_id (RFC 7675 consent): when a is its address, it may receive media
 * (struct dp_part's consent; during a move, once the owner switched).
 * 0, -ENOENT (no such participant) or -EADDRNOTAVAIL (another address). */
int dp_part_consent(uint32_t part_id, const struct relais_addr *a);
/* Control thread: for each participant whose address consented since the
 * last call (owner lcores queue them), ask the publishers of its video
 * subscriptions for a key frame: the ones the subscriptions' SUB_ADD
 * asked for went nowhere. */
void dp_tables_consented(void);
/* Control thread: destroy the contexts owner lcores handed back. */
void dp_tables_retire(void);
int dp_track_add(const struct relais_ctl_track *t, char *err, size_t n);
int dp_track_del(uint32_t id, char *err, size_t n);
int dp_sub_add(const struct relais_ctl_sub *s, char *err, size_t n);
int dp_sub_del(uint32_t id, char *err, size_t n);
int dp_sub_switch(uint32_t sub_id, uint32_t track_id, char *err, size_t n);
/* Reclaim what the defer queue allows; call regularly on the control thread. */
void dp_tables_reclaim(void);

/* Reader-side lookups (any registered RCU reader). NULL if absent. */
struct dp_part *dp_part_by_addr(const struct dp_addr_key *k);
struct dp_part *dp_part_by_id(uint32_t id);
struct dp_track *dp_track_by_id(uint32_t id);
struct dp_sub *dp_sub_by_out(uint32_t part_id, uint32_t out_ssrc);
/* Track of participant p carrying ssrc; binds an unbound learn-track whose
 * PT matches when `learn` (owner lcore only, after authentication). */
struct dp_track *dp_part_track_by_ssrc(struct dp_part *p, uint32_t ssrc, uint8_t pt, bool learn);

/* Whether media may be sent to participant p now: media.consent is off,
 * or p's address consented (struct dp_part's consent). Any lcore. */
static inline bool dp_part_consented(const struct dp_part *p)
{
	return !dp_tab.cfg->consent_required || __atomic_load_n(&p->consent, __ATOMIC_RELAXED);
}

#endif /* DP_TABLES_H */
