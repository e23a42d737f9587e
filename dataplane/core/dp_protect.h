/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Protected sources: the IP addresses (port ignored, as a ban is per
 * address) that the XDP guard must never ban, because banning them would
 * cut a participant's media (issue 13). An attacker who forges wrong-key or
 * replayed SRTP from a participant's own address, or a client that lags a
 * re-key or keeps sending after its room is gone, makes offences from such
 * an address; the OFFENDERS reply marks these sources (struct
 * relais_ctl_offender.protect) and the guard declines to ban them.
 *
 * An address is protected while it is the address of at least one
 * participant (a reference count: participants behind one NAT share it; a
 * moving participant holds its old and its new address until the move is
 * done) and for offenders.grace_s seconds after its last participant left
 * it (deleted, room deleted, moved away): the "former" addresses.
 *
 * Control thread only: the packet path never reads it. Bounded: the live
 * addresses are at most the participant address table (limits.participants);
 * the former ones at most offenders.former_max, kept in release order. When
 * a release finds the former list full, the oldest former address loses its
 * protection before its grace period ends, counted in
 * STATS protect_evicted; a live address is never dropped.
 */
#ifndef DP_PROTECT_H
#define DP_PROTECT_H

#include <stdint.h>

#include <relais/ctl_proto.h>

/* Create the set for live_max live and former_max former addresses, with
 * a grace of grace_s seconds. 0, or -ENOMEM. Control thread, at start. */
int dp_protect_init(uint32_t live_max, uint32_t former_max, uint32_t grace_s);

/* Free the set. The functions below are no-ops (and report nothing
 * protected) without one, as in unit tests of the tables. */
void dp_protect_fini(void);

/* An address (family 4: ip[0..3]) became a participant's: one more
 * reference. */
void dp_protect_hold(uint8_t family, const uint8_t *ip);

/* A participant stopped using the address: one reference less; at zero
 * the address is a former one, protected for the grace period. */
void dp_protect_release(uint8_t family, const uint8_t *ip);

/* RELAIS_PROTECT_PARTICIPANT, RELAIS_PROTECT_FORMER or RELAIS_PROTECT_NONE
 * for the address now. */
enum relais_protect dp_protect_state(uint8_t family, const uint8_t *ip);

/* Fill the protect field of every record of an OFFENDERS reply. */
void dp_protect_mark(struct relais_ctl_offenders *o);

/* Former addresses forgotten before their grace ended (STATS
 * protect_evicted), and addresses in the set now (STATS protected). */
uint64_t dp_protect_evicted(void);
uint32_t dp_protect_count(void);

#endif /* DP_PROTECT_H */
