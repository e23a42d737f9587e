/* SPDX-License-Identifier: BSD-3-Clause */
/* The node's lease in Redis (docs/schema.md "register", "heartbeat",
 * "sweep"; docs/controlplane.md "Fencing"): registration with a token,
 * a heartbeat every lease/3 on the session's lease link, the sweep of
 * expired nodes, and the local lease clock. Reply callbacks only record;
 * what the node does about them (a fresh registration, a refusal) it reads
 * from this state at top level. */
#ifndef CP_LEASE_H
#define CP_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_opts.h"
#include "cp_session.h"

struct cp_lease {
	const struct cp_node_cfg *cfg;
	struct cp_session *sess;
	char token[33];  /* "" until the next registration draws one */
	bool registered; /* holds a lease (as far as it knows) */
	bool fresh;      /* registered since cp_lease_take_fresh() last said so */
	bool refused;    /* a heartbeat was refused: the lease is lost */
	bool reg_inflight, sweep_inflight;
	uint64_t reg_sent; /* send time of the register in flight */
	uint64_t ok_ms;    /* send time of the last heartbeat Redis accepted */
	uint64_t next_hb, next_sweep;
};

/* A lease not yet registered. The previous incarnation's lease (<= lease_ms
 * left) is unknown: the clock starts one lease ahead of now, so the
 * dataplane's state is kept for two leases before Redis must confirm it. */
void cp_lease_init(struct cp_lease *l, const struct cp_node_cfg *cfg, struct cp_session *sess,
		   uint64_t now);
/* The session came up: register first (now), sweep now. */
void cp_lease_session_up(struct cp_lease *l);
/* The session ended: nothing is in flight any more. */
void cp_lease_session_down(struct cp_lease *l);
/* Send what is due (session up): register when not registered, else the
 * heartbeat with `load`; the sweep. true when a heartbeat was sent. */
bool cp_lease_duties(struct cp_lease *l, uint64_t now, uint32_t load);
/* Why the lease is lost now (a refused heartbeat, or none accepted within
 * lease_ms), or NULL while it holds. */
const char *cp_lease_lost_why(const struct cp_lease *l, uint64_t now);
/* Stop holding the lease: a fresh token at the next registration, no
 * local deadline until registered. */
void cp_lease_drop(struct cp_lease *l);
/* Register again at the next duties (the event group is gone: Redis lost
 * its data) without giving up the token. */
void cp_lease_reregister(struct cp_lease *l);
/* True once after each successful registration. */
bool cp_lease_take_fresh(struct cp_lease *l);
/* Milliseconds since the last accepted heartbeat was sent, -1 when not
 * registered (the status file's lease.accepted_ms_ago). */
long long cp_lease_age(const struct cp_lease *l, uint64_t now);

#endif /* CP_LEASE_H */
