/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-source offender table: which source addresses send packets the
 * dataplane drops for SRTP authentication failure, replay, unknown SSRC or
 * unknown source (the inputs of the XDP guard, ebpf/xdp_guard.c).
 *
 * Each lcore owns one fixed table (DP_OFF_SLOTS slots in buckets of
 * DP_OFF_WAYS, indexed by a seeded hash of the IP address; the port is
 * ignored, since a ban is per address). Only that lcore writes it, with
 * plain stores inside a per-slot sequence counter; the control thread reads
 * every slot consistently and sums over lcores. No allocation and no lock
 * on the packet path. A source that finds its bucket full replaces the one
 * seen least recently (its counts are lost, counted in `evicted`).
 */
#ifndef DP_OFFENDER_H
#define DP_OFFENDER_H

#include <stdint.h>

#include <relais/ctl_proto.h>

#define DP_OFF_SLOTS 1024
#define DP_OFF_WAYS 4

/* Allocate a table for every enabled lcore. 0 or -ENOMEM. Control thread,
 * before the workers are launched. */
int dp_offender_init(void);

/* Free the tables. After the workers stopped. */
void dp_offender_fini(void);

/* Count one drop of `reason` from source ip (family 4: ip[0..3]) on the
 * calling lcore, as its offence (RELAIS_OFFENCES, ctl_proto.h). Reasons
 * that are no offence are ignored, so callers can pass any drop reason.
 * Packet path: no allocation, no lock, no system call. */
void dp_offender_note(enum relais_drop_reason reason, uint8_t family, const uint8_t *ip);

/*
 * Fill *out with the sources whose summed count is >= min_total, highest
 * first, at most max (clamped to RELAIS_CTL_OFFENDERS_MAX; 0 = the maximum).
 * out->n_tracked is the number of distinct sources in the tables. Control
 * thread. 0, or -ENOMEM when the scratch array cannot be allocated.
 */
int dp_offender_query(uint64_t min_total, unsigned max, struct relais_ctl_offenders *out);

/* Records lost to full buckets, summed over lcores (STATS offenders_evicted). */
uint64_t dp_offender_evicted(void);

#endif /* DP_OFFENDER_H */
