/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The edge link: how the dataplane and relais-edge (edge/) exchange the
 * datagrams of the exception path, STUN (RFC 8489) and DTLS (RFC 6347),
 * that arrive on and leave from the media address and port (RFC 7983
 * demultiplexing, docs/webrtc.md).
 *
 * Transport: a SOCK_SEQPACKET unix socket the dataplane listens on
 * (setting edge.socket), one message per datagram, at most one edge
 * connected at a time. Access is checked like the control socket's
 * (SO_PEERCRED: root, the dataplane's user or edge.group).
 *
 * Every message is a 32-byte header followed by `len` payload bytes, all
 * integers big-endian:
 *
 *   0  magic    u32  RELAIS_EDGE_MAGIC
 *   4  version  u16  RELAIS_EDGE_VERSION
 *   6  kind     u8   enum relais_edge_kind
 *   7  family   u8   4 or 6 (0 in HELLO)
 *   8  port     u16  the remote UDP port (source of RX, destination of TX)
 *  10  len      u16  payload bytes, <= RELAIS_EDGE_MAX_PAYLOAD
 *  12  part_id  u32  RX: the participant at that address, 0 when none;
 *                    CONSENT: the participant whose ICE check it was
 *  16  ip       16   the remote IP (IPv4 in the first 4 bytes)
 *
 * HELLO (edge -> dataplane, answered with a HELLO): no payload; a peer of
 * another version or magic is disconnected. RX (dataplane -> edge): a
 * datagram received from ip:port. TX (edge -> dataplane): send the payload
 * from the media address and port to ip:port. CONSENT (edge -> dataplane,
 * no payload): relais-edge answered an authenticated ICE connectivity
 * check of participant part_id from ip:port (RFC 7675 consent); when that
 * is the participant's address, the dataplane may now send it media
 * (setting media.consent, docs/operations.md). A message whose length is
 * not 32 + len, with a bad kind or family, or a CONSENT with a payload or
 * without a participant, is refused by the decoder (relais_edge_decode)
 * and the dataplane closes the link.
 */
#ifndef RELAIS_EDGE_PROTO_H
#define RELAIS_EDGE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <relais/ctl_proto.h>

#define RELAIS_EDGE_MAGIC 0x524c4547u /* "RLEG" */
#define RELAIS_EDGE_VERSION 1
#define RELAIS_EDGE_HDR_LEN 32
#define RELAIS_EDGE_MAX_PAYLOAD 1500
#define RELAIS_EDGE_MAX_MSG (RELAIS_EDGE_HDR_LEN + RELAIS_EDGE_MAX_PAYLOAD)

enum relais_edge_kind {
	RELAIS_EDGE_HELLO = 1,
	RELAIS_EDGE_RX = 2,
	RELAIS_EDGE_TX = 3,
	RELAIS_EDGE_CONSENT = 4,
};

/* A decoded message: the remote address, the participant (RX) and the
 * payload, which points into the buffer that was decoded. */
struct relais_edge_msg {
	uint8_t kind;
	struct relais_addr addr;
	uint32_t part_id;
	const uint8_t *payload;
	uint16_t len;
};

/* Write m (header, then its payload) into buf of cap bytes. The message
 * length, or -EINVAL (bad kind, family or length) / -ENOSPC. */
int relais_edge_encode(const struct relais_edge_msg *m, uint8_t *buf, size_t cap);

/* Decode the message of n bytes at buf into *m (its payload points into
 * buf). 0, or -EPROTO (magic or version), -EINVAL (kind, family, or a
 * length that disagrees with n). */
int relais_edge_decode(const uint8_t *buf, size_t n, struct relais_edge_msg *m);

#endif /* RELAIS_EDGE_PROTO_H */
