/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN message codec (RFC 8489, the RFC 5389 wire format) for the ICE-lite
 * agent of relais-edge: a bounds-checked parser that records where each
 * attribute lies, verification of MESSAGE-INTEGRITY (HMAC-SHA1 with a
 * short-term password, §14.5) and FINGERPRINT (§14.7), and a writer that
 * builds messages attribute by attribute, ending with MESSAGE-INTEGRITY and
 * FINGERPRINT. No I/O, no allocation, no global state.
 *
 * Everything that refuses a message says why with an edge_stun_reason, one
 * X-macro list with a name and an explanation per entry.
 */
#ifndef EDGE_STUN_H
#define EDGE_STUN_H

#include <stddef.h>
#include <stdint.h>

#define EDGE_STUN_HEADER_LEN 20
#define EDGE_STUN_MAGIC_COOKIE 0x2112A442u
#define EDGE_STUN_TXID_LEN 12
/* Longest message accepted: STUN over UDP stays within the path MTU. */
#define EDGE_STUN_MAX_LEN 1500
/* Most attributes recorded per message; a message with more is refused. */
#define EDGE_STUN_MAX_ATTRS 32
#define EDGE_STUN_HMAC_LEN 20

/* Message types (method and class already combined, RFC 8489 §5). */
#define EDGE_STUN_BINDING_REQUEST 0x0001
#define EDGE_STUN_BINDING_INDICATION 0x0011
#define EDGE_STUN_BINDING_SUCCESS 0x0101
#define EDGE_STUN_BINDING_ERROR 0x0111

/* Attribute types used by ICE (RFC 8489 §18.3, RFC 8445 §16.1). */
#define EDGE_STUN_ATTR_USERNAME 0x0006
#define EDGE_STUN_ATTR_MESSAGE_INTEGRITY 0x0008
#define EDGE_STUN_ATTR_ERROR_CODE 0x0009
#define EDGE_STUN_ATTR_XOR_MAPPED_ADDRESS 0x0020
#define EDGE_STUN_ATTR_PRIORITY 0x0024
#define EDGE_STUN_ATTR_USE_CANDIDATE 0x0025
#define EDGE_STUN_ATTR_SOFTWARE 0x8022
#define EDGE_STUN_ATTR_FINGERPRINT 0x8028
#define EDGE_STUN_ATTR_ICE_CONTROLLED 0x8029
#define EDGE_STUN_ATTR_ICE_CONTROLLING 0x802A

/* X(ENUM_SUFFIX, "name", "explanation") */
#define EDGE_STUN_REASONS(X)                                                              \
	X(OK, "ok", "well-formed (and verified, for the checks)")                         \
	X(TOO_SHORT, "too_short", "shorter than the 20-byte STUN header")                 \
	X(TOO_LONG, "too_long", "longer than EDGE_STUN_MAX_LEN")                          \
	X(NOT_STUN, "not_stun", "first two bits not zero or no magic cookie")             \
	X(BAD_LENGTH, "bad_length", "length not a multiple of 4 or not the rest")         \
	X(ATTR_TRUNCATED, "attr_truncated", "an attribute runs past the message end")     \
	X(TOO_MANY_ATTRS, "too_many_attrs", "more than EDGE_STUN_MAX_ATTRS attributes")   \
	X(BAD_ATTR_SIZE, "bad_attr_size", "MESSAGE-INTEGRITY or FINGERPRINT misfit size") \
	X(ATTR_AFTER_INTEGRITY, "attr_after_integrity",                                   \
	  "an attribute other than FINGERPRINT after MESSAGE-INTEGRITY")                  \
	X(ATTR_AFTER_FINGERPRINT, "attr_after_fingerprint",                               \
	  "an attribute after "                                                           \
	  "FINGERPRINT")                                                                  \
	X(NO_FINGERPRINT, "no_fingerprint", "no FINGERPRINT attribute")                   \
	X(BAD_FINGERPRINT, "bad_fingerprint", "FINGERPRINT does not match the CRC-32")    \
	X(NO_INTEGRITY, "no_integrity", "no MESSAGE-INTEGRITY attribute")                 \
	X(BAD_INTEGRITY, "bad_integrity", "MESSAGE-INTEGRITY does not match the key")     \
	X(BAD_ADDRESS, "bad_address", "address attribute of unknown family or size")      \
	X(BAD_ARGUMENT, "bad_argument", "writer given an invalid value (error code)")     \
	X(NO_SPACE, "no_space", "output buffer too small")

#define EDGE_STUN_REASON_ENUM_(sfx, name, help) EDGE_STUN_##sfx,
enum edge_stun_reason {
	EDGE_STUN_REASONS(EDGE_STUN_REASON_ENUM_) EDGE_STUN_REASON_MAX
};
#undef EDGE_STUN_REASON_ENUM_

/* The name of a reason ("bad_integrity"), "unknown" when out of range. */
const char *edge_stun_reason_name(enum edge_stun_reason reason);
/* One-line explanation of a reason, for operators. */
const char *edge_stun_reason_help(enum edge_stun_reason reason);

/* A transport address: family 4 or 6, ip in network order (the first 4
 * bytes for IPv4), port in host order. */
struct edge_stun_addr {
	uint8_t family;
	uint16_t port;
	uint8_t ip[16];
};

/* One attribute: its type, value length and value offset in the message. */
struct edge_stun_attr {
	uint16_t type;
	uint16_t len;
	uint16_t off;
};

/*
 * A parsed message. It points into the caller's buffer, which must outlive
 * it. mi_off / fp_off are the offsets of the MESSAGE-INTEGRITY and
 * FINGERPRINT attribute headers, 0 when absent.
 */
struct edge_stun_msg {
	const uint8_t *data;
	size_t len;
	uint16_t type;
	uint8_t txid[EDGE_STUN_TXID_LEN];
	unsigned n_attrs;
	size_t mi_off;
	size_t fp_off;
	struct edge_stun_attr attrs[EDGE_STUN_MAX_ATTRS];
};

/*
 * Parse the STUN message that fills buf[0..len) exactly (a UDP datagram).
 * Checks the header (leading zero bits, magic cookie, length a multiple of
 * 4 equal to the rest), walks the attributes with their padding (whatever
 * its bytes hold), requires MESSAGE-INTEGRITY to be 20 bytes and
 * FINGERPRINT 4, and refuses anything but FINGERPRINT after
 * MESSAGE-INTEGRITY and anything after FINGERPRINT. Unknown attributes are
 * recorded, not refused. Returns EDGE_STUN_OK or the reason; *msg is
 * meaningful only on OK. Verifies no MAC or CRC: see the checks below.
 */
enum edge_stun_reason edge_stun_parse(const uint8_t *buf, size_t len, struct edge_stun_msg *msg);

/* The first attribute of this type, or NULL. Its value is at
 * msg->data + attr->off, attr->len bytes. */
const struct edge_stun_attr *edge_stun_find(const struct edge_stun_msg *msg, uint16_t type);

/* FINGERPRINT (RFC 8489 §14.7): OK, NO_FINGERPRINT or BAD_FINGERPRINT. */
enum edge_stun_reason edge_stun_check_fingerprint(const struct edge_stun_msg *msg);

/*
 * MESSAGE-INTEGRITY (RFC 8489 §14.5) with the short-term key (the ICE
 * password's bytes): OK, NO_INTEGRITY or BAD_INTEGRITY. The MAC is
 * compared in constant time.
 */
enum edge_stun_reason edge_stun_check_integrity(const struct edge_stun_msg *msg, const void *key,
						size_t key_len);

/* Decode an XOR-MAPPED-ADDRESS value (RFC 8489 §14.2): OK or BAD_ADDRESS. */
enum edge_stun_reason edge_stun_xor_address(const struct edge_stun_msg *msg,
					    const struct edge_stun_attr *attr,
					    struct edge_stun_addr *out);

/* Format "192.0.2.1:32853" or "[2001:db8::1]:32853" into buf (at least
 * EDGE_STUN_ADDR_STRLEN bytes). Returns buf. */
#define EDGE_STUN_ADDR_STRLEN 56
char *edge_stun_addr_format(const struct edge_stun_addr *addr, char *buf, size_t size);

/*
 * A message under construction in the caller's buffer. Every call appends;
 * the first failure (no space, bad argument) sticks in `err` and later calls
 * do nothing, so a builder checks once, at edge_stun_writer_finish().
 */
struct edge_stun_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	enum edge_stun_reason err;
};

/* Start a message of this type and transaction id in buf[0..cap). */
void edge_stun_writer_start(struct edge_stun_writer *w, uint8_t *buf, size_t cap, uint16_t type,
			    const uint8_t txid[EDGE_STUN_TXID_LEN]);
/* Append an attribute with len value bytes, zero-padded to 4. */
void edge_stun_writer_attr(struct edge_stun_writer *w, uint16_t type, const void *value,
			   size_t len);
/* Append an XOR-MAPPED-ADDRESS of addr (BAD_ADDRESS if not 4 or 6). */
void edge_stun_writer_xor_address(struct edge_stun_writer *w, const struct edge_stun_addr *addr);
/* Append ERROR-CODE (RFC 8489 §14.8): code 300..699 and reason phrase. */
void edge_stun_writer_error_code(struct edge_stun_writer *w, unsigned code, const char *reason);
/* Append MESSAGE-INTEGRITY computed with key. */
void edge_stun_writer_integrity(struct edge_stun_writer *w, const void *key, size_t key_len);
/* Append FINGERPRINT; the last attribute of the message. */
void edge_stun_writer_fingerprint(struct edge_stun_writer *w);
/* The outcome: OK and *len = message length, or the first error. */
enum edge_stun_reason edge_stun_writer_finish(const struct edge_stun_writer *w, size_t *len);

/*
 * The Binding success response to a request of transaction txid from
 * `mapped`: XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY with key, FINGERPRINT.
 * Returns OK and *len, or NO_SPACE / BAD_ADDRESS.
 */
enum edge_stun_reason edge_stun_build_binding_success(uint8_t *buf, size_t cap, size_t *len,
						      const uint8_t txid[EDGE_STUN_TXID_LEN],
						      const struct edge_stun_addr *mapped,
						      const void *key, size_t key_len);

#endif /* EDGE_STUN_H */
