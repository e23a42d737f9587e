/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Consents relais-edge gave ahead of the tables (control thread only).
 *
 * relais-edge sends CONSENT when it answers a participant's ICE check
 * (RFC 7675). A browser's first checks succeed before the control plane
 * has programmed the participant (PART_ADD), and a moved browser's checks
 * from its new address before the move (PART_REKEY) arrives: without a
 * memory of them, media waits for the next check, seconds later. So a
 * CONSENT for a participant the dataplane does not have at that address
 * is kept here, per participant id, for DP_CONSENT_PENDING_TTL_S seconds
 * (RFC 7675's consent lifetime), and taken when the participant appears at
 * exactly that address. The edge is the only writer (SO_PEERCRED-checked
 * link); a full table replaces its oldest entry.
 */
#ifndef RELAIS_DP_CONSENT_H
#define RELAIS_DP_CONSENT_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_tables.h"

#define DP_CONSENT_PENDING 1024     /* participants with a consent kept */
#define DP_CONSENT_PENDING_TTL_S 30 /* RFC 7675 §5.1: consent expires after 30 s */

/* Keep the edge's consent of participant part_id at address k. */
void dp_consent_pending_put(uint32_t part_id, const struct dp_addr_key *k);

/* Whether a live consent of participant part_id at exactly k was kept; it
 * is removed when taken. */
bool dp_consent_pending_take(uint32_t part_id, const struct dp_addr_key *k);

#endif /* RELAIS_DP_CONSENT_H */
