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

/* See dp_ostream.h. */
int dp_ostream_state_open(const struct dp_config *cfg, char *err, size_t n)
{
	block = cfg->state_block;
	if (cfg->state_dir[0] == '\0') {
		fprintf(stderr,
			"relais-dataplane: warning: no state.dir: a restart re-programmed with "
			"unchanged SRTP keys may reuse output SRTP indexes (docs/crypto.md)\n");
		return 0;
	}
	return dp_ixs_open(&ixs, cfg->state_dir, cfg->state_uid, cfg->max_subs, err, n);
}

/* See dp_ostream.h. */
void dp_ostream_state_close(void)
{
	dp_ixs_close(ixs);
	ixs = NULL;
	free(reserved.v);
	reserved = (struct dp_ptrvec){0};
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

/* See dp_ostream.h. */
struct dp_ostream *dp_ostream_make(struct dp_part *pt, uint32_t out_ssrc, char *err, size_t n)
{
	struct dp_ostream *os = alloc_stream(pt, out_ssrc);
	uint64_t floor = 1 + rte_rand_max(32767);
	int slot;

	if (os == NULL) {
		snprintf(err, n, "participant %u: out of memory", pt->id);
		return NULL;
	}
	if (ixs == NULL)
		return os;
	slot = dp_ixs_put(ixs, -1, pt->id, out_ssrc, pt->tx_fp, floor + block);
	if (slot < 0 || dp_ixs_sync(ixs) < 0 || dp_ptrvec_push(&reserved, os) < 0) {
		if (slot >= 0)
			dp_ixs_erase(ixs, slot);
		dp_ptrvec_remove(&pt->ostreams, os);
		rte_free(os);
		snprintf(err, n, "participant %u, SSRC %u: %s", pt->id, out_ssrc,
			 slot == -ENOSPC ? "state.dir: no free record (limits.subscriptions)"
					 : "state.dir: cannot write the index state");
		return NULL;
	}
	os->slot = slot;
	start_at(os, floor, floor + block);
	return os;
}

/* See dp_ostream.h. */
void dp_ostream_unmake(struct dp_part *pt, struct dp_ostream *os)
{
	if (os->slot >= 0) {
		dp_ixs_erase(ixs, os->slot);
		dp_ptrvec_remove(&reserved, os);
	}
	dp_ptrvec_remove(&pt->ostreams, os);
	dp_tables_defer_free(os, DQ_MEM);
}

/* Resume pt's stream of slot at its ceiling: a new reservation one block
 * above (written, not synced), tx_ctx positioned. 0 or -errno. */
static int resume(struct dp_part *pt, int slot)
{
	uint64_t floor = dp_ixs_ceiling(ixs, slot);
	uint32_t ssrc = dp_ixs_ssrc(ixs, slot);
	struct dp_ostream *os;

	if (floor + block >= 1ull << 48)
		return -ERANGE; /* the key is worn out: fresh keys needed */
	os = alloc_stream(pt, ssrc);
	if (os == NULL)
		return -ENOMEM;
	if (dp_ixs_put(ixs, slot, pt->id, ssrc, pt->tx_fp, floor + block) < 0 ||
	    dp_ptrvec_push(&reserved, os) < 0 ||
	    dp_tab.eng_ops->ctx_tx_resume(dp_tab.eng, pt->tx_ctx, ssrc, floor) < 0)
		return -EIO;
	os->slot = slot;
	start_at(os, floor, floor + block);
	return 0;
}

/* See dp_ostream.h. */
int dp_ostream_part_add(struct dp_part *pt, const struct relais_srtp_key *tx_key, char *err,
			size_t n)
{
	int slot, rc;

	if (ixs == NULL)
		return 0;
	dp_ixs_fingerprint(ixs, tx_key, pt->tx_fp);
	for (slot = dp_ixs_next(ixs, pt->id, 0); slot >= 0;
	     slot = dp_ixs_next(ixs, pt->id, slot + 1)) {
		if (!dp_ixs_fp_is(ixs, slot, pt->tx_fp)) {
			dp_ixs_erase(ixs, slot); /* another key: nothing to protect */
			continue;
		}
		rc = pt->ostreams.n < DP_MAX_OSTREAMS_PER_PART ? resume(pt, slot) : -ENOSPC;
		if (rc < 0) {
			snprintf(err, n,
				 "participant %u: cannot resume output SSRC %u from state.dir "
				 "(%s); add it with fresh keys",
				 pt->id, dp_ixs_ssrc(ixs, slot),
				 rc == -ERANGE   ? "index space used up"
				 : rc == -ENOSPC ? "too many output SSRCs"
						 : "write or memory failure");
			return -EIO;
		}
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

		if (os->slot >= 0 &&
		    dp_ixs_put(ixs, os->slot, pt->id, os->out_ssrc, fp, os->ceiling) < 0) {
			snprintf(err, n, "participant %u: state.dir: cannot write the index state",
				 pt->id);
			return -EIO;
		}
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
}

/* See dp_ostream.h. A stream is raised when its owner is within half a
 * block of the ceiling, to one block above what it used. */
void dp_ostream_step(void)
{
	struct dp_ostream *raise[64];
	uint64_t to[64];
	unsigned k = 0;

	for (uint32_t i = 0; i < reserved.n && k < RTE_DIM(raise); i++) {
		struct dp_ostream *os = reserved.v[i];
		uint64_t hi = __atomic_load_n(&os->hi, __ATOMIC_RELAXED);

		if (hi + block / 2 < os->ceiling || hi + 1 + block >= 1ull << 48)
			continue;
		if (dp_ixs_put(ixs, os->slot, dp_ixs_part(ixs, os->slot), os->out_ssrc,
			       dp_ixs_fp(ixs, os->slot), hi + 1 + block) < 0)
			continue;
		raise[k] = os;
		to[k++] = hi + 1 + block;
	}
	if (k == 0 || dp_ixs_sync(ixs) < 0)
		return;
	/* Durable first, then published: a crash after this store finds the
	 * file at least as high as anything an owner used. */
	for (unsigned i = 0; i < k; i++)
		__atomic_store_n(&raise[i]->ceiling, to[i], __ATOMIC_RELEASE);
}
