/* SPDX-License-Identifier: BSD-3-Clause */
/* Media stage (dp_media.c): SRTP of owned participants, unprotect, fan-out. */
#ifndef DP_MEDIA_H
#define DP_MEDIA_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dp_lcore.h"

/* Media paths. parts[i] is the owner's participant of m[i]. */
void dp_media_owned(struct dp_lcore *lc, struct rte_mbuf **m, struct dp_part **parts, uint16_t n);
void dp_media_fanout_in(struct dp_lcore *lc, struct rte_mbuf *m);

#endif /* DP_MEDIA_H */
