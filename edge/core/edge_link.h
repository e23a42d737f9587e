/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-edge's end of the edge link (include/relais/edge_proto.h): the
 * SOCK_SEQPACKET socket of the dataplane's edge.socket. The dataplane
 * sends the STUN and DTLS datagrams that reach the media port (RX); the
 * edge sends its ICE answers and DTLS flights (TX), which leave from the
 * media address and port.
 */
#ifndef EDGE_LINK_H
#define EDGE_LINK_H

#include <stddef.h>
#include <stdint.h>

#include <relais/edge_proto.h>

struct edge_link {
	int fd; /* -1 while not connected */
	char path[108];
	uint64_t tx, tx_failed, rx; /* messages */
};

/* Connect to the dataplane's edge socket at path and exchange HELLO
 * (waiting at most timeout_ms for the answer). 0, or -errno with a reason
 * in why (no such socket, refused, wrong version...). */
int edge_link_open(struct edge_link *l, const char *path, int timeout_ms, char *why, size_t n);

/* Close the link (the dataplane then drops STUN/DTLS as edge_down). */
void edge_link_close(struct edge_link *l);

/* Read one message without waiting: 1 with *m decoded (its payload points
 * into buf, RELAIS_EDGE_MAX_MSG bytes), 0 when none is waiting, -errno
 * when the link is lost or the dataplane sent something malformed (the
 * caller closes and reconnects). Only RX messages are returned. */
int edge_link_recv(struct edge_link *l, uint8_t *buf, struct relais_edge_msg *m);

/* Ask the dataplane to send datagram p/n to `to`. 0, or -errno (counted in
 * tx_failed; -EAGAIN when the socket is full: the datagram is lost, as on
 * a network, and the ICE or DTLS retransmission recovers). */
int edge_link_send(struct edge_link *l, const struct relais_addr *to, const uint8_t *p, size_t n);

/* Tell the dataplane that an ICE check of participant part from `from` was
 * answered (RFC 7675 consent: the dataplane may send media there). 0, or
 * -errno (counted in tx_failed; a lost one is repeated by the next check). */
int edge_link_consent(struct edge_link *l, const struct relais_addr *from, uint32_t part);

#endif /* EDGE_LINK_H */
