/* SPDX-License-Identifier: BSD-3-Clause */
/* Output streams and their index reservation; see dp_ostream.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "dp_index_state.h"
#include "dp_ostream.h"
#include "dp_tables_priv.h"

static struct dp_ixs *ixs;        /* NULL: no state.dir */
static uint64_t block;            /* state.block */
static struct dp_ptrvec reserved; /* streams holding a record (struct dp_ostream *) */
static struct dp_ptrvec fb_held;  /* participants whose fb_ssrc holds one (struct dp_part *) */

/* See dp_ostream.h. */
int dp_ostream_state_open(const struct dp_config *cfg, char *err, size_t n)
{
	block = cfg->state_block;
	if (cfg->state_dir[0] == '\0') {
		fprintf(stderr,
			"relais-dataplane: warning: no state.dir: a restart re-programmed with "
			"unchanged SRTP keys may reuse output SRTP and SRTCP indexes "
			"(docs/crypto.md)\n");
		return 0;
	}
	return dp_ixs_open(&ixs, cfg->state_dir, cfg->state_uid,
			   cfg->max_subs + cfg->max_participants, err, n);
}

/* See dp_ostream.h. */
void dp_ostream_state_close(void)
{
	dp_ixs_close(ixs);
	ixs = NULL;
	free(reserved.v);
	reserved = (struct dp_ptrvec){0};
	free(fb_held.v);
	fb_held = (struct dp_ptrvec){0};
}

/* The SRTCP ceiling one block above index hi (2^31 at most). */
static uint32_t rtcp_above(uint32_t hi)
{
	uint64_t c = (uint64_t)hi + 1 + block;

	return c > DP_SRTCP_END ? DP_SRTCP_END : (uint32_t)c;
}

/* Allocate os for out_ssrc in pt->ostreams (no reservation). */
static struct dp_ostream *alloc_stream(struct dp_part *pt, uint32_t out_ssrc)
{
	struct dp_ostream *os = rte_zmalloc("rl_ostream", sizeof(*os), RTE_CACHE_LINE_SIZE);

	if (os == NULL || dp_ptrvec_push(&pt->ostreams, os) < 0) {
		rte_free(os);
		return NULL;
	}
	os->out_ssrc = out_ssrc;
	os->next_epoch = 1; /* rw_epoch 0: the first sub starts a segment */
	os->slot = -1;
	os->rtcp.ceiling = DP_SRTCP_END; /* without state.dir */
	return os;
}

/* Start os at index floor (>= 1) under a reserved ceiling: the first
 * packet gets floor's sequence number (a new source segment). */
static void start_at(struct dp_ostream *os, uint64_t floor, uint64_t ceiling)
{
	os->floor = floor;
	os->hi = floor - 1;
	os->ceiling = ceiling;
	os->rw.started = true;
	os->rw.new_src = true;
	os->rw.last_seq = (uint16_t)(floor - 1);
	os->rw.last_ts = (uint32_t)rte_rand();
	os->rw.last_tsc = rte_rdtsc();
}

/* The record of pt for ssrc under pt's key, or -1: when making a stream,
 * one left by an earlier fb_ssrc of pt (its SRTCP numbering continues). */
static int record_of(const struct dp_part *pt, uint32_t ssrc)
{
	for (int i = dp_ixs_next(ixs, pt->id, 0); i >= 0; i = dp_ixs_next(ixs, pt->id, i + 1))
		if (dp_ixs_ssrc(ixs, i) == ssrc && dp_ixs_fp_is(ixs, i, pt->tx_fp))
			return i;
	return -1;
}

/* See dp_ostream.h. */
struct dp_ostream *dp_ostream_make(struct dp_part *pt, uint32_t out_ssrc, char *err, size_t n)
{
	struct dp_ostream *os;
	uint64_t floor = 1 + rte_rand_max(32767);
	uint32_t rtcp_hi = 0;
	int slot, old;

	if (out_ssrc == pt->fb_ssrc) {
		snprintf(err, n,
			 "participant %u: out_ssrc %u is its fb_ssrc (the SSRC of the "
			 "feedback relais sends it); use another",
			 pt->id, out_ssrc);
		return NULL;
	}
	os = alloc_stream(pt, out_ssrc);
	if (os == NULL) {
		snprintf(err, n, "participant %u: out of memory", pt->id);
		return NULL;
	}
	if (ixs == NULL)
		return os;
	old = record_of(pt, out_ssrc);
	if (old >= 0)
		rtcp_hi = dp_ixs_rtcp_ceiling(ixs, old) - 1;
	slot = rtcp_hi < DP_SRTCP_END - 2 ? dp_ixs_put(ixs, old, pt->id, out_ssrc, pt->tx_fp,
						       floor + block, rtcp_above(rtcp_hi))
					  : -ERANGE;
	if (slot < 0 || dp_ixs_sync(ixs) < 0 || dp_ptrvec_push(&reserved, os) < 0) {
		if (slot >= 0 && old < 0)
			dp_ixs_erase(ixs, slot);
		else if (slot >= 0)
			dp_ixs_release(ixs, slot);
		dp_ptrvec_remove(&pt->ostreams, os);
		rte_free(os);
		snprintf(err, n, "participant %u, SSRC %u: %s", pt->id, out_ssrc,
			 slot == -ENOSPC   ? "state.dir: no free record (limits.subscriptions)"
			 : slot == -ERANGE ? "SRTCP index space used up: fresh keys needed"
					   : "state.dir: cannot write the index state");
		return NULL;
	}
	os->slot = slot;
	start_at(os, floor, floor + block);
	os->rtcp.hi = rtcp_hi;
	os->rtcp.ceiling = rtcp_above(rtcp_hi);
	return os;
}

/* See dp_ostream.h. */
void dp_ostream_unmake(struct dp_part *pt, struct dp_ostream *os)
{
	if (os->slot >= 0) {
		/* A record it took over from an earlier fb_ssrc (SRTCP above 0)
		 * still protects what that sent: kept, not live. */
		if (os->rtcp.hi == 0)
			dp_ixs_erase(ixs, os->slot);
		else
			dp_ixs_release(ixs, os->slot);
		dp_ptrvec_remove(&reserved, os);
	}
	dp_ptrvec_remove(&pt->ostreams, os);
	dp_tables_defer_free(os, DQ_MEM);
}

/* Resume pt's stream of slot at its ceilings: new reservations one block
 * above (written, not synced), tx_ctx positioned. 0 or -errno. */
static int resume(struct dp_part *pt, int slot)
{
	uint64_t floor = dp_ixs_ceiling(ixs, slot);
	uint32_t ssrc = dp_ixs_ssrc(ixs, slot), rtcp_floor = dp_ixs_rtcp_ceiling(ixs, slot);
	struct dp_ostream *os;

	if (floor + block >= 1ull << 48 || rtcp_floor >= DP_SRTCP_END - 1)
		return -ERANGE; /* the key is worn out: fresh keys needed */
	if (ssrc == pt->fb_ssrc)
		return -EEXIST;
	os = alloc_stream(pt, ssrc);
	if (os == NULL)
		return -ENOMEM;
	if (dp_ixs_put(ixs, slot, pt->id, ssrc, pt->tx_fp, floor + block,
		       rtcp_above(rtcp_floor - 1)) < 0 ||
	    dp_ptrvec_push(&reserved, os) < 0 ||
	    dp_tab.eng_ops->ctx_tx_resume(dp_tab.eng, pt->tx_ctx, ssrc, floor) < 0)
		return -EIO;
	os->slot = slot;
	start_at(os, floor, floor + block);
	os->rtcp.hi = rtcp_floor - 1;
	os->rtcp.ceiling = rtcp_above(rtcp_floor - 1);
	return 0;
}

/* Give pt's fb_ssrc its SRTCP record: slot's (resumed at its ceiling) or
 * a fresh one (slot < 0), written, not synced. 0 or -errno. */
static int fb_hold(struct dp_part *pt, int slot)
{
	uint32_t hi = slot >= 0 ? dp_ixs_rtcp_ceiling(ixs, slot) - 1 : 0;

	if (hi >= DP_SRTCP_END - 2)
		return -ERANGE;
	slot = dp_ixs_put(ixs, slot, pt->id, pt->fb_ssrc, pt->tx_fp, 0, rtcp_above(hi));
	if (slot < 0)
		return slot;
	if (dp_ptrvec_push(&fb_held, pt) < 0) {
		dp_ixs_release(ixs, slot);
		return -ENOMEM;
	}
	pt->fb_slot = slot;
	pt->fb_rtcp.hi = hi;
	pt->fb_rtcp.ceiling = rtcp_above(hi);
	return 0;
}

/* Resume the record in slot (pt's, under pt's key): an output stream, or
 * the SRTCP numbering of its fb_ssrc; a feedback record of another
 * fb_ssrc is left as it is (not live). 0 or -errno. */
static int resume_slot(struct dp_part *pt, int slot)
{
	if (dp_ixs_ceiling(ixs, slot) != 0)
		return pt->ostreams.n < DP_MAX_OSTREAMS_PER_PART ? resume(pt, slot) : -ENOSPC;
	if (dp_ixs_ssrc(ixs, slot) != pt->fb_ssrc)
		return 0;
	return pt->fb_slot < 0 ? fb_hold(pt, slot) : -EIO;
}

/* See dp_ostream.h. */
int dp_ostream_part_add(struct dp_part *pt, const struct relais_srtp_key *tx_key, char *err,
			size_t n)
{
	int slot, rc = 0;

	pt->fb_slot = -1;
	pt->fb_rtcp = (struct dp_srtcp_out){.hi = 0, .ceiling = DP_SRTCP_END};
	if (ixs == NULL)
		return 0;
	dp_ixs_fingerprint(ixs, tx_key, pt->tx_fp);
	for (slot = dp_ixs_next(ixs, pt->id, 0); slot >= 0;
	     slot = dp_ixs_next(ixs, pt->id, slot + 1)) {
		if (!dp_ixs_fp_is(ixs, slot, pt->tx_fp)) {
			dp_ixs_erase(ixs, slot); /* another key: nothing to protect */
			continue;
		}
		rc = resume_slot(pt, slot);
		if (rc < 0) {
			snprintf(err, n,
				 "participant %u: cannot resume SSRC %u from state.dir (%s); add "
				 "it with fresh keys",
				 pt->id, dp_ixs_ssrc(ixs, slot),
				 rc == -ERANGE   ? "index space used up"
				 : rc == -ENOSPC ? "too many output SSRCs"
				 : rc == -EEXIST ? "an output SSRC of its old keys is its fb_ssrc"
						 : "write or memory failure");
			return -EIO;
		}
	}
	if (pt->fb_slot < 0 && (rc = fb_hold(pt, -1)) < 0) {
		snprintf(err, n, "participant %u: state.dir: %s", pt->id,
			 rc == -ENOSPC ? "no free record (limits.participants)"
				       : "cannot write the index state");
		return -EIO;
	}
	if (dp_ixs_sync(ixs) < 0) {
		snprintf(err, n, "participant %u: state.dir: cannot sync the index state", pt->id);
		return -EIO;
	}
	return 0;
}

/* See dp_ostream.h. */
void dp_ostream_fingerprint(const struct relais_srtp_key *tx_key, uint8_t fp[16])
{
	memset(fp, 0, DP_IXS_FP_LEN);
	if (ixs != NULL)
		dp_ixs_fingerprint(ixs, tx_key, fp);
}

/* See dp_ostream.h. */
int dp_ostream_part_rekey(struct dp_part *pt, const uint8_t fp[16], char *err, size_t n)
{
	if (ixs == NULL)
		return 0;
	for (uint32_t i = 0; i < pt->ostreams.n; i++) {
		struct dp_ostream *os = pt->ostreams.v[i];

		if (os->slot >= 0 && dp_ixs_put(ixs, os->slot, pt->id, os->out_ssrc, fp,
						dp_ixs_ceiling(ixs, os->slot),
						dp_ixs_rtcp_ceiling(ixs, os->slot)) < 0) {
			snprintf(err, n, "participant %u: state.dir: cannot write the index state",
				 pt->id);
			return -EIO;
		}
	}
	if (pt->fb_slot >= 0 && dp_ixs_put(ixs, pt->fb_slot, pt->id, pt->fb_ssrc, fp, 0,
					   dp_ixs_rtcp_ceiling(ixs, pt->fb_slot)) < 0) {
		snprintf(err, n, "participant %u: state.dir: cannot write the index state", pt->id);
		return -EIO;
	}
	if (dp_ixs_sync(ixs) < 0) {
		snprintf(err, n, "participant %u: state.dir: cannot sync the index state", pt->id);
		return -EIO;
	}
	memcpy(pt->tx_fp, fp, DP_IXS_FP_LEN);
	return 0;
}

/* See dp_ostream.h. */
void dp_ostream_part_del(struct dp_part *pt)
{
	for (uint32_t i = 0; i < pt->ostreams.n; i++) {
		struct dp_ostream *os = pt->ostreams.v[i];

		if (os->slot >= 0) {
			dp_ixs_release(ixs, os->slot);
			dp_ptrvec_remove(&reserved, os);
		}
	}
	if (pt->fb_slot >= 0) {
		dp_ixs_release(ixs, pt->fb_slot);
		dp_ptrvec_remove(&fb_held, pt);
		pt->fb_slot = -1;
	}
}

/* A raise the step publishes once the file is synced. */
struct raise {
	uint64_t *rtp;   /* NULL: no SRTP ceiling raised */
	uint32_t *rtcp;  /* NULL: no SRTCP ceiling raised */
	uint64_t rtp_to; /* new values */
	uint32_t rtcp_to;
};

/* The SRTCP ceiling r needs (its owner within half a block of it), or 0. */
static uint32_t rtcp_raise(const struct dp_srtcp_out *r)
{
	uint32_t hi = __atomic_load_n(&r->hi, __ATOMIC_RELAXED);

	if ((uint64_t)hi + block / 2 < r->ceiling || r->ceiling >= DP_SRTCP_END)
		return 0;
	return rtcp_above(hi);
}

/* The raise output stream os needs (file record written), or false. */
static bool ostream_raise(struct dp_ostream *os, struct raise *r)
{
	uint64_t hi = __atomic_load_n(&os->hi, __ATOMIC_RELAXED);
	uint32_t rc = rtcp_raise(&os->rtcp);
	bool rtp = hi + block / 2 >= os->ceiling && hi + 1 + block < 1ull << 48;

	if (!rtp && rc == 0)
		return false;
	*r = (struct raise){.rtp = rtp ? &os->ceiling : NULL,
			    .rtcp = rc ? &os->rtcp.ceiling : NULL,
			    .rtp_to = rtp ? hi + 1 + block : dp_ixs_ceiling(ixs, os->slot),
			    .rtcp_to = rc ? rc : dp_ixs_rtcp_ceiling(ixs, os->slot)};
	return dp_ixs_put(ixs, os->slot, dp_ixs_part(ixs, os->slot), os->out_ssrc,
			  dp_ixs_fp(ixs, os->slot), r->rtp_to, r->rtcp_to) >= 0;
}

/* The raise pt's fb_ssrc needs (file record written), or false. */
static bool fb_raise(struct dp_part *pt, struct raise *r)
{
	uint32_t rc = rtcp_raise(&pt->fb_rtcp);

	if (rc == 0)
		return false;
	*r = (struct raise){.rtcp = &pt->fb_rtcp.ceiling, .rtcp_to = rc};
	return dp_ixs_put(ixs, pt->fb_slot, pt->id, pt->fb_ssrc, dp_ixs_fp(ixs, pt->fb_slot), 0,
			  rc) >= 0;
}

/* See dp_ostream.h. A stream is raised when its owner is within half a
 * block of a ceiling, to one block above what it used. */
void dp_ostream_step(void)
{
	struct raise r[64];
	unsigned k = 0;

	for (uint32_t i = 0; i < reserved.n && k < RTE_DIM(r); i++)
		k += ostream_raise(reserved.v[i], &r[k]);
	for (uint32_t i = 0; i < fb_held.n && k < RTE_DIM(r); i++)
		k += fb_raise(fb_held.v[i], &r[k]);
	if (k == 0 || dp_ixs_sync(ixs) < 0)
		return;
	/* Durable first, then published: a crash after these stores finds
	 * the file at least as high as anything an owner used. */
	for (unsigned i = 0; i < k; i++) {
		if (r[i].rtp)
			__atomic_store_n(r[i].rtp, r[i].rtp_to, __ATOMIC_RELEASE);
		if (r[i].rtcp)
			__atomic_store_n(r[i].rtcp, r[i].rtcp_to, __ATOMIC_RELEASE);
	}
}
