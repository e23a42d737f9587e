/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xdp_guard: the closed loop between the dataplane's offender counts
 * (control message OFFENDERS) and the XDP blocklist.
 *
 * The caller owns the loop and the transport: every interval it fetches an
 * OFFENDERS snapshot (by any means: relais-xdp guard over the control
 * socket, or the control plane) and hands it to xdp_guard_step(). The guard
 * keeps a short history per source and bans (blocklist /32 or /128 with
 * expiry) every source whose offence total (srtp_auth + replay +
 * unknown_ssrc + unknown_source) grew by more than `threshold` within
 * `window_ms`. Each ban and each expiry is reported through the log
 * callback with its reason and counts. Nothing here allocates after
 * xdp_guard_new(), blocks or sleeps.
 *
 * A source the snapshot marks as protected (struct relais_ctl_offender
 * .protect: a participant's address, now or within the dataplane's grace
 * period) is never banned, whatever its offences: anyone can forge packets
 * from a participant's address, so its offences prove nothing about its
 * owner (issue 13). The guard declines instead, reports it at most once per
 * source per ban period and counts it; and a ban of its own on a source
 * that became protected (a participant joined from an address banned
 * before) is lifted at once. Unprotected sources are banned as before.
 */
#ifndef RELAIS_XDP_GUARD_H
#define RELAIS_XDP_GUARD_H

#include <stdint.h>

#include <relais/ctl_proto.h>

#include "xdp_ctl.h"

#define XDP_GUARD_MAX_SOURCES 4096 /* sources tracked at once */
#define XDP_GUARD_HISTORY 32       /* samples kept per source */

struct xdp_guard_conf {
	uint64_t threshold;  /* ban when the total grew by more than this... */
	uint64_t window_ms;  /* ...within this many ms */
	uint64_t ban_ttl_ms; /* ban duration; the XDP entry expires by itself */
};

enum xdp_guard_event {
	XDP_GUARD_BAN,     /* source added to the blocklist */
	XDP_GUARD_EXPIRE,  /* its ban ran out and the entry was removed */
	XDP_GUARD_DECLINE, /* over the threshold but protected: not banned */
	XDP_GUARD_LIFT     /* a ban of ours removed: the source became protected */
};

/* What the guard did since xdp_guard_new(). */
struct xdp_guard_counters {
	uint64_t bans;     /* XDP_GUARD_BAN events */
	uint64_t expiries; /* XDP_GUARD_EXPIRE */
	uint64_t declined; /* XDP_GUARD_DECLINE: bans refused, one per source per ban period */
	uint64_t lifted;   /* XDP_GUARD_LIFT */
};

/* What the log callback is told. growth[] are the increases over the
 * window by enum relais_offence (ctl_proto.h); reason is the name of the
 * offence that grew most (BAN, DECLINE); protect is the snapshot's mark
 * (DECLINE, LIFT). */
struct xdp_guard_report {
	enum xdp_guard_event event;
	struct xdp_prefix prefix;
	const char *reason;
	enum relais_protect protect;
	uint64_t growth[RELAIS_OFFENCE_MAX];
	uint64_t total;   /* offence total reported by the dataplane */
	uint64_t span_ms; /* time the growth was measured over */
	uint64_t ttl_ms;  /* ban duration (BAN) */
};

typedef void (*xdp_guard_log_fn)(const struct xdp_guard_report *r, void *arg);

struct xdp_guard;

/* New guard state. NULL + errno (EINVAL: threshold, window or ttl 0;
 * ENOMEM). */
struct xdp_guard *xdp_guard_new(const struct xdp_guard_conf *conf);

/* Free the state. Bans already in the blocklist stay (they expire). */
void xdp_guard_free(struct xdp_guard *g);

/*
 * One step of the loop at time now_ns (CLOCK_MONOTONIC, xdp_now_ns()):
 * record the snapshot, ban unprotected sources over the threshold through
 * c (skipping those the guard banned already and whose ban is live),
 * decline protected ones, lift the guard's bans of sources now protected,
 * and remove bans of this guard that expired. log (may be NULL) is called
 * once per ban, expiry and lift, and once per declined source per ban
 * period. Sources absent from the snapshot keep their history until it is
 * older than the window. Returns the number of new bans, or -errno when the
 * blocklist could not be written (the state stays consistent: the ban is
 * tried again at the next step).
 */
int xdp_guard_step(struct xdp_guard *g, struct xdp_ctl *c, const struct relais_ctl_offenders *snap,
		   uint64_t now_ns, xdp_guard_log_fn log, void *arg);

/* The guard's counters into *out. */
void xdp_guard_counters(const struct xdp_guard *g, struct xdp_guard_counters *out);

/* "a participant's address", "a participant's address until recently":
 * why a protected source is not banned, for log lines. */
const char *xdp_guard_protect_why(enum relais_protect p);

/* A log callback printing one line per event to the FILE * in arg. */
void xdp_guard_log_line(const struct xdp_guard_report *r, void *arg);

#endif /* RELAIS_XDP_GUARD_H */
