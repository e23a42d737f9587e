/* SPDX-License-Identifier: BSD-3-Clause */
/* The edge link's codec (include/relais/edge_proto.h): one fixed header,
 * big-endian, then the datagram. */
#include <errno.h>
#include <string.h>

#include <relais/edge_proto.h>

/* Big-endian stores and loads of the header's fields. */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* Whether kind, family, participant and length go together: HELLO has no
 * address, RX and TX an IPv4 or IPv6 one; HELLO and CONSENT no payload,
 * CONSENT a participant. */
static int shape_ok(const struct relais_edge_msg *m)
{
	if (m->len > RELAIS_EDGE_MAX_PAYLOAD)
		return 0;
	if (m->kind == RELAIS_EDGE_HELLO)
		return m->addr.family == 0 && m->len == 0;
	if (m->kind == RELAIS_EDGE_CONSENT && (m->len != 0 || m->part_id == 0))
		return 0;
	if (m->kind == RELAIS_EDGE_RX || m->kind == RELAIS_EDGE_TX ||
	    m->kind == RELAIS_EDGE_CONSENT)
		return m->addr.family == 4 || m->addr.family == 6;
	return 0;
}

/* See edge_proto.h. */
int relais_edge_encode(const struct relais_edge_msg *m, uint8_t *buf, size_t cap)
{
	size_t n = RELAIS_EDGE_HDR_LEN + m->len;

	if (!shape_ok(m))
		return -EINVAL;
	if (n > cap)
		return -ENOSPC;
	put32(buf, RELAIS_EDGE_MAGIC);
	put16(buf + 4, RELAIS_EDGE_VERSION);
	buf[6] = m->kind;
	buf[7] = m->addr.family;
	put16(buf + 8, m->addr.port);
	put16(buf + 10, m->len);
	put32(buf + 12, m->part_id);
	memcpy(buf + 16, m->addr.ip, 16);
	if (m->len)
		memcpy(buf + RELAIS_EDGE_HDR_LEN, m->payload, m->len);
	return (int)n;
}

/* See edge_proto.h. */
int relais_edge_decode(const uint8_t *buf, size_t n, struct relais_edge_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (n < RELAIS_EDGE_HDR_LEN)
		return -EINVAL;
	if (get32(buf) != RELAIS_EDGE_MAGIC || get16(buf + 4) != RELAIS_EDGE_VERSION)
		return -EPROTO;
	m->kind = buf[6];
	m->addr.family = buf[7];
	m->addr.port = get16(buf + 8);
	m->len = get16(buf + 10);
	m->part_id = get32(buf + 12);
	memcpy(m->addr.ip, buf + 16, 16);
	if (!shape_ok(m) || n != RELAIS_EDGE_HDR_LEN + (size_t)m->len)
		return -EINVAL;
	m->payload = buf + RELAIS_EDGE_HDR_LEN;
	return 0;
}
