/* SPDX-License-Identifier: BSD-3-Clause */
/* RTCP stage (dp_rtcp.c): SR fan-out, feedback to publishers, PLI requests. */
#ifndef DP_RTCP_H
#define DP_RTCP_H

#include <rte_mbuf.h>

#include "dp_lcore.h"

/* RTCP paths. */
void dp_rtcp_owned(struct dp_lcore *lc, struct rte_mbuf *m, struct dp_part *p);
void dp_rtcp_sr_in(struct dp_lcore *lc, struct rte_mbuf *m);
void dp_rtcp_feedback_in(struct dp_lcore *lc, struct rte_mbuf *m);
void dp_rtcp_pli_req_in(struct dp_lcore *lc, struct rte_mbuf *m);

#endif /* DP_RTCP_H */
