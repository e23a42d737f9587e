/* SPDX-License-Identifier: BSD-3-Clause */
/* Consents relais-edge gave ahead of the tables; see dp_consent.h. */
#include <string.h>

#include <rte_cycles.h>

#include "dp_consent.h"

struct pending {
	uint32_t part_id;
	struct dp_addr_key key;
	uint64_t expires; /* rte_get_timer_cycles(); 0 = free */
};

static struct pending pending[DP_CONSENT_PENDING];

/* See dp_consent.h. */
void dp_consent_pending_put(uint32_t part_id, const struct dp_addr_key *k)
{
	uint64_t now = rte_get_timer_cycles();
	struct pending *slot = &pending[0];

	for (unsigned i = 0; i < DP_CONSENT_PENDING; i++) {
		struct pending *p = &pending[i];

		if (p->expires > now && p->part_id == part_id) {
			slot = p; /* one per participant: the latest address */
			break;
		}
		if (p->expires < slot->expires)
			slot = p; /* free, expired or oldest */
	}
	slot->part_id = part_id;
	slot->key = *k;
	slot->expires = now + DP_CONSENT_PENDING_TTL_S * rte_get_timer_hz();
}

/* See dp_consent.h. */
bool dp_consent_pending_take(uint32_t part_id, const struct dp_addr_key *k)
{
	uint64_t now = rte_get_timer_cycles();

	for (unsigned i = 0; i < DP_CONSENT_PENDING; i++) {
		struct pending *p = &pending[i];

		if (p->expires > now && p->part_id == part_id) {
			bool same = memcmp(&p->key, k, sizeof(*k)) == 0;

			if (same)
				p->expires = 0;
			return same;
		}
	}
	return false;
}
