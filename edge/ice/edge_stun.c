/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN codec: the cursor-style parser, the MESSAGE-INTEGRITY and
 * FINGERPRINT checks, XOR-MAPPED-ADDRESS, and the message writer. Contracts
 * in edge_stun.h. HMAC-SHA1 and the constant-time compare come from
 * OpenSSL, CRC-32 from zlib.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "edge_stun.h"

#define ATTR_HLEN 4
#define MI_ATTR_LEN (ATTR_HLEN + EDGE_STUN_HMAC_LEN)
#define FP_ATTR_LEN (ATTR_HLEN + 4)
#define FINGERPRINT_XOR 0x5354554eu
#define FAMILY_IPV4 0x01
#define FAMILY_IPV6 0x02
#define ERROR_REASON_MAX 128

#define NAME_(sfx, name, help) name,
#define HELP_(sfx, name, help) help,
static const char *const reason_names[EDGE_STUN_REASON_MAX] = {EDGE_STUN_REASONS(NAME_)};
static const char *const reason_helps[EDGE_STUN_REASON_MAX] = {EDGE_STUN_REASONS(HELP_)};
#undef NAME_
#undef HELP_

const char *edge_stun_reason_name(enum edge_stun_reason reason)
{
	return (unsigned)reason < EDGE_STUN_REASON_MAX ? reason_names[reason] : "unknown";
}

const char *edge_stun_reason_help(enum edge_stun_reason reason)
{
	return (unsigned)reason < EDGE_STUN_REASON_MAX ? reason_helps[reason] : "unknown";
}

/* Big-endian loads and stores. */
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void wr16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A value length rounded up to the 4-byte boundary (RFC 8489 §14). */
static inline size_t padded(size_t len)
{
	return (len + 3) & ~(size_t)3;
}

/*
 * Record the attribute whose header is at off, after the order and size
 * rules: nothing after FINGERPRINT, only FINGERPRINT after
 * MESSAGE-INTEGRITY, those two of their fixed sizes.
 */
static enum edge_stun_reason record_attr(struct edge_stun_msg *msg, size_t off, uint16_t type,
					 uint16_t alen)
{
	if (msg->fp_off)
		return EDGE_STUN_ATTR_AFTER_FINGERPRINT;
	if (msg->mi_off && type != EDGE_STUN_ATTR_FINGERPRINT)
		return EDGE_STUN_ATTR_AFTER_INTEGRITY;
	if (msg->n_attrs == EDGE_STUN_MAX_ATTRS)
		return EDGE_STUN_TOO_MANY_ATTRS;
	if (type == EDGE_STUN_ATTR_MESSAGE_INTEGRITY) {
		if (alen != EDGE_STUN_HMAC_LEN)
			return EDGE_STUN_BAD_ATTR_SIZE;
		msg->mi_off = off;
	} else if (type == EDGE_STUN_ATTR_FINGERPRINT) {
		if (alen != 4)
			return EDGE_STUN_BAD_ATTR_SIZE;
		msg->fp_off = off;
	}
	msg->attrs[msg->n_attrs++] =
	    (struct edge_stun_attr){.type = type, .len = alen, .off = (uint16_t)(off + ATTR_HLEN)};
	return EDGE_STUN_OK;
}

enum edge_stun_reason edge_stun_parse(const uint8_t *buf, size_t len, struct edge_stun_msg *msg)
{
	enum edge_stun_reason r;
	size_t off = EDGE_STUN_HEADER_LEN, body;

	memset(msg, 0, offsetof(struct edge_stun_msg, attrs));
	if (len < EDGE_STUN_HEADER_LEN)
		return EDGE_STUN_TOO_SHORT;
	if (len > EDGE_STUN_MAX_LEN)
		return EDGE_STUN_TOO_LONG;
	if ((buf[0] & 0xc0) != 0 || rd32(buf + 4) != EDGE_STUN_MAGIC_COOKIE)
		return EDGE_STUN_NOT_STUN;
	body = rd16(buf + 2);
	if (body % 4 != 0 || body != len - EDGE_STUN_HEADER_LEN)
		return EDGE_STUN_BAD_LENGTH;
	msg->data = buf;
	msg->len = len;
	msg->type = rd16(buf);
	memcpy(msg->txid, buf + 8, EDGE_STUN_TXID_LEN);
	while (off < len) {
		uint16_t type, alen;

		if (len - off < ATTR_HLEN)
			return EDGE_STUN_ATTR_TRUNCATED;
		type = rd16(buf + off);
		alen = rd16(buf + off + 2);
		if (padded(alen) > len - off - ATTR_HLEN)
			return EDGE_STUN_ATTR_TRUNCATED;
		r = record_attr(msg, off, type, alen);
		if (r != EDGE_STUN_OK)
			return r;
		off += ATTR_HLEN + padded(alen);
	}
	return EDGE_STUN_OK;
}

const struct edge_stun_attr *edge_stun_find(const struct edge_stun_msg *msg, uint16_t type)
{
	for (unsigned i = 0; i < msg->n_attrs; i++)
		if (msg->attrs[i].type == type)
			return &msg->attrs[i];
	return NULL;
}

/*
 * CRC-32 of data[0..end) with the header's length field replaced by
 * `length`, XORed with 0x5354554e: the FINGERPRINT value (RFC 8489 §14.7).
 */
static uint32_t fingerprint_of(const uint8_t *data, size_t end, size_t length)
{
	uint8_t len_field[2];
	uLong crc = crc32(0L, Z_NULL, 0);

	wr16(len_field, length);
	crc = crc32(crc, data, 2);
	crc = crc32(crc, len_field, 2);
	crc = crc32(crc, data + 4, (uInt)(end - 4));
	return (uint32_t)crc ^ FINGERPRINT_XOR;
}

enum edge_stun_reason edge_stun_check_fingerprint(const struct edge_stun_msg *msg)
{
	size_t off = msg->fp_off;

	if (off == 0)
		return EDGE_STUN_NO_FINGERPRINT;
	if (fingerprint_of(msg->data, off, off + FP_ATTR_LEN - EDGE_STUN_HEADER_LEN) !=
	    rd32(msg->data + off + ATTR_HLEN))
		return EDGE_STUN_BAD_FINGERPRINT;
	return EDGE_STUN_OK;
}

/*
 * HMAC-SHA1 with key of data[0..n), whose header length field must already
 * hold the length up to the end of MESSAGE-INTEGRITY. Returns 0, -1 when
 * OpenSSL fails or the key is too long for it.
 */
static int hmac_sha1(const void *key, size_t key_len, const uint8_t *data, size_t n,
		     uint8_t mac[EDGE_STUN_HMAC_LEN])
{
	static const uint8_t empty_key[1];
	unsigned mac_len = 0;

	if (key_len > INT_MAX)
		return -1;
	if (!HMAC(EVP_sha1(), key_len ? key : empty_key, (int)key_len, data, n, mac, &mac_len) ||
	    mac_len != EDGE_STUN_HMAC_LEN)
		return -1;
	return 0;
}

enum edge_stun_reason edge_stun_check_integrity(const struct edge_stun_msg *msg, const void *key,
						size_t key_len)
{
	uint8_t copy[EDGE_STUN_MAX_LEN], mac[EDGE_STUN_HMAC_LEN];
	size_t off = msg->mi_off;

	if (off == 0)
		return EDGE_STUN_NO_INTEGRITY;
	/* RFC 8489 §14.5: the MAC covers the message up to MESSAGE-INTEGRITY,
	 * its header length counting up to the end of MESSAGE-INTEGRITY. */
	memcpy(copy, msg->data, off);
	wr16(copy + 2, off + MI_ATTR_LEN - EDGE_STUN_HEADER_LEN);
	if (hmac_sha1(key, key_len, copy, off, mac) != 0)
		return EDGE_STUN_BAD_INTEGRITY;
	if (CRYPTO_memcmp(mac, msg->data + off + ATTR_HLEN, EDGE_STUN_HMAC_LEN) != 0)
		return EDGE_STUN_BAD_INTEGRITY;
	return EDGE_STUN_OK;
}

/* The XOR pad of an address (RFC 8489 §14.2): magic cookie then txid. */
static void xor_pad(const uint8_t txid[EDGE_STUN_TXID_LEN], uint8_t pad[16])
{
	wr32(pad, EDGE_STUN_MAGIC_COOKIE);
	memcpy(pad + 4, txid, EDGE_STUN_TXID_LEN);
}

enum edge_stun_reason edge_stun_xor_address(const struct edge_stun_msg *msg,
					    const struct edge_stun_attr *attr,
					    struct edge_stun_addr *out)
{
	const uint8_t *v = msg->data + attr->off;
	uint8_t pad[16];
	size_t ip_len;

	memset(out, 0, sizeof(*out));
	if (attr->len < 4)
		return EDGE_STUN_BAD_ADDRESS;
	if (v[1] == FAMILY_IPV4)
		ip_len = 4, out->family = 4;
	else if (v[1] == FAMILY_IPV6)
		ip_len = 16, out->family = 6;
	else
		return EDGE_STUN_BAD_ADDRESS;
	if (attr->len != 4 + ip_len) {
		out->family = 0;
		return EDGE_STUN_BAD_ADDRESS;
	}
	xor_pad(msg->txid, pad);
	out->port = (uint16_t)(rd16(v + 2) ^ (EDGE_STUN_MAGIC_COOKIE >> 16));
	for (size_t i = 0; i < ip_len; i++)
		out->ip[i] = v[4 + i] ^ pad[i];
	return EDGE_STUN_OK;
}

char *edge_stun_addr_format(const struct edge_stun_addr *addr, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (addr->family == 4)
		inet_ntop(AF_INET, addr->ip, ip, sizeof(ip));
	else if (addr->family == 6)
		inet_ntop(AF_INET6, addr->ip, ip, sizeof(ip));
	snprintf(buf, size, addr->family == 6 ? "[%s]:%u" : "%s:%u", ip, (unsigned)addr->port);
	return buf;
}

void edge_stun_writer_start(struct edge_stun_writer *w, uint8_t *buf, size_t cap, uint16_t type,
			    const uint8_t txid[EDGE_STUN_TXID_LEN])
{
	*w = (struct edge_stun_writer){.buf = buf, .cap = cap, .err = EDGE_STUN_OK};
	if (cap < EDGE_STUN_HEADER_LEN) {
		w->err = EDGE_STUN_NO_SPACE;
		return;
	}
	wr16(buf, type);
	wr16(buf + 2, 0);
	wr32(buf + 4, EDGE_STUN_MAGIC_COOKIE);
	memcpy(buf + 8, txid, EDGE_STUN_TXID_LEN);
	w->len = EDGE_STUN_HEADER_LEN;
}

/* Room for an attribute of len value bytes (padded), within a 16-bit
 * message length; sets NO_SPACE when there is none. */
static int writer_room(struct edge_stun_writer *w, size_t len)
{
	if (w->err != EDGE_STUN_OK)
		return 0;
	if (len > UINT16_MAX || w->cap - w->len < ATTR_HLEN + padded(len) ||
	    w->len + ATTR_HLEN + padded(len) - EDGE_STUN_HEADER_LEN > UINT16_MAX) {
		w->err = EDGE_STUN_NO_SPACE;
		return 0;
	}
	return 1;
}

void edge_stun_writer_attr(struct edge_stun_writer *w, uint16_t type, const void *value, size_t len)
{
	uint8_t *p;

	if (!writer_room(w, len))
		return;
	p = w->buf + w->len;
	wr16(p, type);
	wr16(p + 2, len);
	if (len)
		memcpy(p + ATTR_HLEN, value, len);
	memset(p + ATTR_HLEN + len, 0, padded(len) - len);
	w->len += ATTR_HLEN + padded(len);
	wr16(w->buf + 2, w->len - EDGE_STUN_HEADER_LEN);
}

void edge_stun_writer_xor_address(struct edge_stun_writer *w, const struct edge_stun_addr *addr)
{
	uint8_t v[20], pad[16];
	size_t ip_len = addr->family == 4 ? 4 : 16;

	if (w->err != EDGE_STUN_OK)
		return;
	if (addr->family != 4 && addr->family != 6) {
		w->err = EDGE_STUN_BAD_ADDRESS;
		return;
	}
	xor_pad(w->buf + 8, pad);
	v[0] = 0;
	v[1] = addr->family == 4 ? FAMILY_IPV4 : FAMILY_IPV6;
	wr16(v + 2, addr->port ^ (EDGE_STUN_MAGIC_COOKIE >> 16));
	for (size_t i = 0; i < ip_len; i++)
		v[4 + i] = addr->ip[i] ^ pad[i];
	edge_stun_writer_attr(w, EDGE_STUN_ATTR_XOR_MAPPED_ADDRESS, v, 4 + ip_len);
}

void edge_stun_writer_error_code(struct edge_stun_writer *w, unsigned code, const char *reason)
{
	uint8_t v[4 + ERROR_REASON_MAX];
	size_t n = strlen(reason);

	if (w->err != EDGE_STUN_OK)
		return;
	if (code < 300 || code > 699 || n > ERROR_REASON_MAX) {
		w->err = EDGE_STUN_BAD_ARGUMENT;
		return;
	}
	v[0] = v[1] = 0;
	v[2] = (uint8_t)(code / 100);
	v[3] = (uint8_t)(code % 100);
	memcpy(v + 4, reason, n);
	edge_stun_writer_attr(w, EDGE_STUN_ATTR_ERROR_CODE, v, 4 + n);
}

void edge_stun_writer_integrity(struct edge_stun_writer *w, const void *key, size_t key_len)
{
	uint8_t mac[EDGE_STUN_HMAC_LEN];

	if (!writer_room(w, EDGE_STUN_HMAC_LEN))
		return;
	wr16(w->buf + 2, w->len + MI_ATTR_LEN - EDGE_STUN_HEADER_LEN);
	if (hmac_sha1(key, key_len, w->buf, w->len, mac) != 0) {
		w->err = EDGE_STUN_BAD_ARGUMENT;
		return;
	}
	edge_stun_writer_attr(w, EDGE_STUN_ATTR_MESSAGE_INTEGRITY, mac, sizeof(mac));
}

void edge_stun_writer_fingerprint(struct edge_stun_writer *w)
{
	uint8_t v[4];

	if (!writer_room(w, sizeof(v)))
		return;
	wr32(v, fingerprint_of(w->buf, w->len, w->len + FP_ATTR_LEN - EDGE_STUN_HEADER_LEN));
	edge_stun_writer_attr(w, EDGE_STUN_ATTR_FINGERPRINT, v, sizeof(v));
}

enum edge_stun_reason edge_stun_writer_finish(const struct edge_stun_writer *w, size_t *len)
{
	*len = w->err == EDGE_STUN_OK ? w->len : 0;
	return w->err;
}

enum edge_stun_reason edge_stun_build_binding_success(uint8_t *buf, size_t cap, size_t *len,
						      const uint8_t txid[EDGE_STUN_TXID_LEN],
						      const struct edge_stun_addr *mapped,
						      const void *key, size_t key_len)
{
	struct edge_stun_writer w;

	edge_stun_writer_start(&w, buf, cap, EDGE_STUN_BINDING_SUCCESS, txid);
	edge_stun_writer_xor_address(&w, mapped);
	edge_stun_writer_integrity(&w, key, key_len);
	edge_stun_writer_fingerprint(&w);
	return edge_stun_writer_finish(&w, len);
}
