/* SPDX-License-Identifier: BSD-3-Clause */
/* Internals shared by dp_tables.c and dp_tables_ctl.c. */
#ifndef DP_TABLES_PRIV_H
#define DP_TABLES_PRIV_H

#include "dp_tables.h"

enum dq_kind {
	DQ_PART = 1,
	DQ_TRACK,
	DQ_SUB,
	DQ_MEM
};

struct sub_out_key {
	uint32_t part_id;
	uint32_t out_ssrc;
};

/* Rooms exist only on the control side: workers never look at them. */
struct dp_room {
	uint32_t id;
	struct dp_ptrvec parts; /* struct dp_part * */
};

/* Append p; 0 or -ENOMEM. */
int dp_ptrvec_push(struct dp_ptrvec *pv, void *p);
/* Remove p (order not kept); nothing if absent. */
void dp_ptrvec_remove(struct dp_ptrvec *pv, const void *p);

/* Free obj (of kind) once every RCU reader passed a quiescent state. */
void dp_tables_defer_free(void *obj, enum dq_kind kind);

#endif /* DP_TABLES_PRIV_H */
