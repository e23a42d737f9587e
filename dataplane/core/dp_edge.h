/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path (docs/webrtc.md "Exception path"): STUN and DTLS
 * datagrams on the media port go to relais-edge, and what the edge sends
 * leaves from the media address and port.
 *
 * Worker side (dp_edge_admit): a datagram is admitted only within its
 * source's token bucket (edge.rate_per_source, edge.burst_per_source) and,
 * for a source no participant has, within the worker's budget for unknown
 * sources (edge.rate_total); admitted ones wait on the bounded exception
 * ring. Control thread side (dp_edge_step): the ring is drained into the
 * edge link (include/relais/edge_proto.h) and the edge's TX messages are
 * framed and handed to a worker for transmission. Nothing here runs
 * OpenSSL or blocks a worker.
 */
#ifndef DP_EDGE_H
#define DP_EDGE_H

#include <stdbool.h>

#include <rte_mbuf.h>

#include <relais/drop_reasons.h>

#include "dp_lcore.h"

/* Worker side. Admit the STUN/DTLS datagram m (parsed as pi; part_id: the
 * participant at its source address, 0 when none) to the exception ring:
 * NONE when it was queued (m is the ring's), else the drop reason (m is
 * still the caller's). */
enum relais_drop_reason dp_edge_admit(struct dp_lcore *lc, struct rte_mbuf *m,
				      const struct dp_pkt_info *pi, uint32_t part_id);

/* Worker side: transmit a frame the control thread built for the edge
 * (DP_META_EDGE_TX). */
void dp_edge_tx_in(struct dp_lcore *lc, struct rte_mbuf *m);

/* Control thread: listen on path (mode 0660, group gid unless < 0). 0 or
 * -errno. An empty path: no edge link (STUN/DTLS dropped as edge_down). */
int dp_edge_open(const char *path, long gid);
/* Control thread: close the link and the listening socket. */
void dp_edge_close(void);
/* Control thread: the fds to wait on (listener, connected edge), at most
 * 2 written to fds; their count. */
unsigned dp_edge_pollfds(int *fds);
/* Control thread: whether an edge is connected (the loop then waits at
 * most 1 ms, so that exception datagrams are not held back). */
bool dp_edge_connected(void);
/* Control thread: accept or refuse an edge, forward the exception ring to
 * it, send what it asks to send. Bounded work per call, never blocks. */
void dp_edge_step(void);

#endif /* DP_EDGE_H */
