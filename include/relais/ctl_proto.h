/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane control channel: a versioned request/reply protocol carried
 * over a SOCK_SEQPACKET unix socket (one message per datagram).
 *
 * Wire format, all integers little-endian:
 *   header (16 bytes): u32 magic "RLIS", u16 version, u16 type, u32 body_len,
 *                      u32 seq
 *   body: fixed size per message type (see relais_ctl_body_size()); a body
 *         whose size differs from the one this build expects is refused, so
 *         mismatched builds never misread each other.
 * Replies carry type | RELAIS_CTL_REPLY, the request's seq, an i32 status
 * (0 or -errno), a 128-byte NUL-terminated error text and a type-specific
 * payload. A peer whose version differs is refused with -EPROTONOSUPPORT
 * before any other message is read.
 */
#ifndef RELAIS_CTL_PROTO_H
#define RELAIS_CTL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_messages.h"
#include "drop_reasons.h"
#include "srtp_profile.h"

#define RELAIS_CTL_MAGIC 0x534c4c52u /* "RLLS" as little-endian bytes */
#define RELAIS_CTL_VERSION 2
#define RELAIS_CTL_HDR_LEN 16
#define RELAIS_CTL_MAX_MSG 4096
#define RELAIS_CTL_REPLY 0x8000u
#define RELAIS_CTL_ERR_LEN 128
#define RELAIS_CTL_MAX_PT_MAP 8
#define RELAIS_CTL_DEFAULT_SOCK "/run/relais/dataplane.sock"

/* Message types, from the list in ctl_messages.h (the numbers are ABI). */
#define RELAIS_CTL_ENUM_(sfx, num, name, req, rep, acc) RELAIS_CTL_##sfx = num,
enum relais_ctl_type {
	RELAIS_CTL_MESSAGES(RELAIS_CTL_ENUM_) RELAIS_CTL_TYPE_MAX
};
#undef RELAIS_CTL_ENUM_

/* A transport address. family is 4 or 6; ip holds 4 or 16 bytes. */
struct relais_addr {
	uint8_t family;
	uint16_t port; /* host order */
	uint8_t ip[16];
};

/* SRTP master key material for one direction. */
struct relais_srtp_key {
	uint16_t profile; /* enum relais_srtp_profile */
	uint8_t key[RELAIS_SRTP_MAX_KEY_LEN];
	uint8_t salt[RELAIS_SRTP_MAX_SALT_LEN];
};

enum relais_track_kind {
	RELAIS_TRACK_AUDIO = 1,
	RELAIS_TRACK_VIDEO = 2
};
#define RELAIS_TRACK_F_LEARN_SSRC 0x01 /* ssrc unknown: learn it */
#define RELAIS_PT_ANY 0xff

struct relais_ctl_hello {
	uint32_t version;
	char peer_name[32];
};
struct relais_ctl_room {
	uint32_t room_id;
};
/* A participant: one remote transport address with its two SRTP keys.
 * rx_key protects what the participant sends (we unprotect); tx_key is what
 * we protect with towards it. fb_ssrc is the SSRC relais uses as RTCP sender
 * when it sends feedback (PLI/FIR/NACK) to this participant. */
struct relais_ctl_part {
	uint32_t room_id;
	uint32_t part_id;
	struct relais_addr addr;
	struct relais_srtp_key rx_key;
	struct relais_srtp_key tx_key;
	uint32_t fb_ssrc;
	uint64_t cookie; /* opaque to the dataplane, echoed by DUMP */
};
struct relais_ctl_id {
	uint32_t id;
};
/* A published track: the stream with SSRC `ssrc` from participant part_id
 * (or, with RELAIS_TRACK_F_LEARN_SSRC, the first authenticated unknown SSRC
 * from it whose payload type matches `pt`, RELAIS_PT_ANY for any). */
struct relais_ctl_track {
	uint32_t track_id;
	uint32_t part_id;
	uint32_t ssrc;
	uint32_t clock_rate;
	uint8_t kind;
	uint8_t flags;
	uint8_t pt;
	uint64_t cookie;
};
/* RTP header extension ids a subscription can map (RFC 8285: 1..14, the
 * ids of the one-byte form; index 0 unused). */
#define RELAIS_CTL_EXT_IDS 15
/* A subscription: participant part_id receives track_id as SSRC out_ssrc,
 * payload types mapped through pt_map (empty map: unchanged). With
 * has_ext_map, the header extensions (RFC 8285, one- and two-byte forms)
 * are renumbered: the element of id i goes out as id ext_map[i], and is
 * blanked to padding when that is 0 (or i > 14): a WebRTC subscriber
 * negotiated its own ids. Without it they go out unchanged. */
struct relais_ctl_sub {
	uint32_t sub_id;
	uint32_t part_id;
	uint32_t track_id;
	uint32_t out_ssrc;
	uint8_t n_pt;
	uint8_t pt_map[RELAIS_CTL_MAX_PT_MAP][2]; /* {in, out} */
	uint8_t has_ext_map;
	uint8_t ext_map[RELAIS_CTL_EXT_IDS]; /* in id -> out id 1..14, 0: drop */
	uint64_t cookie;
};
struct relais_ctl_sub_switch {
	uint32_t sub_id;
	uint32_t track_id;
};

/* DUMP: the dataplane's actual state, one kind of object per request, in
 * pages of at most RELAIS_CTL_DUMP_MAX records. Start with cursor 0 and call
 * again with next_cursor until it is 0. A page is consistent; pages taken
 * while the state changes may miss or repeat an object (reconcilers dump
 * again). Keys are never dumped. */
enum relais_dump_kind {
	RELAIS_DUMP_ROOMS = 1,
	RELAIS_DUMP_PARTS,
	RELAIS_DUMP_TRACKS,
	RELAIS_DUMP_SUBS,
};
#define RELAIS_CTL_DUMP_MAX 32
struct relais_ctl_dump_req {
	uint8_t kind;
	uint32_t cursor;
};
/* One object. rooms: id, aux = participants. parts: id, parent = room,
 * addr, aux = owner lcore. tracks: id, parent = participant, aux = SSRC
 * (0 while unlearned), aux2 = kind | flags << 8. subs: id, parent =
 * participant, aux = track, aux2 = out SSRC. */
struct relais_ctl_dump_rec {
	uint32_t id;
	uint32_t parent;
	uint32_t aux;
	uint32_t aux2;
	uint64_t cookie;
	struct relais_addr addr;
};
struct relais_ctl_dump {
	uint8_t kind;
	uint8_t count;
	uint32_t next_cursor;
	struct relais_ctl_dump_rec rec[RELAIS_CTL_DUMP_MAX];
};

/* OFFENDERS: sources (IP address, port ignored: addr.port is 0) whose
 * packets the dataplane dropped for SRTP authentication failure, replay,
 * unknown SSRC or unknown source. Each lcore counts them in a fixed table
 * (a source not seen for a while may be replaced); the reply sums over
 * lcores and lists the sources whose total is >= min_total, highest first,
 * at most max (0 or above RELAIS_CTL_OFFENDERS_MAX: the maximum).
 * last_seen_ms is the age of the most recent such drop, in ms; protect
 * says whether the address is a participant's, now or recently (enum
 * relais_protect): the XDP guard never bans those. */
#define RELAIS_CTL_OFFENDERS_MAX 32
struct relais_ctl_offenders_req {
	uint64_t min_total;
	uint8_t max;
};
/* The offences a source is counted for: the drop reasons that point at its
 * sender. X(field of struct relais_ctl_offender, RELAIS_DROP_ suffix); the
 * offence is named after its drop reason (relais_offence_name()). The order
 * is the OFFENDERS reply's wire order: append only. */
#define RELAIS_OFFENCES(X)            \
	X(auth_fail, SRTP_AUTH)       \
	X(replay, SRTP_REPLAY)        \
	X(unknown_ssrc, UNKNOWN_SSRC) \
	X(unknown_source, UNKNOWN_SOURCE)
#define RELAIS_OFFENCE_ENUM_(field, reason) RELAIS_OFFENCE_##field,
enum relais_offence {
	RELAIS_OFFENCES(RELAIS_OFFENCE_ENUM_) RELAIS_OFFENCE_MAX
};
#undef RELAIS_OFFENCE_ENUM_

/* Whether a source is protected from bans (docs/operations.md, "Offenders
 * and bans"): the XDP guard never bans the address of a participant, nor
 * one that was a participant's within offenders.grace_s, since a spoofer
 * can make offences from any address. X(suffix, name); the numbers are
 * the wire values: append only. */
#define RELAIS_PROTECTS(X)            \
	X(NONE, "no")                 \
	X(PARTICIPANT, "participant") \
	X(FORMER, "former")
#define RELAIS_PROTECT_ENUM_(sfx, name) RELAIS_PROTECT_##sfx,
enum relais_protect {
	RELAIS_PROTECTS(RELAIS_PROTECT_ENUM_) RELAIS_PROTECT_MAX
};
#undef RELAIS_PROTECT_ENUM_

/* One source's counts, by name (o->replay) or by enum relais_offence
 * (o->offences[RELAIS_OFFENCE_replay]): the same words. protect is an
 * enum relais_protect. */
#define RELAIS_OFFENCE_FIELD_(field, reason) uint64_t field;
struct relais_ctl_offender {
	struct relais_addr addr;
	union {
		struct {
			RELAIS_OFFENCES(RELAIS_OFFENCE_FIELD_)
		};
		uint64_t offences[RELAIS_OFFENCE_MAX];
	};
	uint64_t last_seen_ms;
	uint8_t protect;
};
#undef RELAIS_OFFENCE_FIELD_
struct relais_ctl_offenders {
	uint8_t count;
	uint32_t n_tracked; /* sources in the tables, before filtering */
	struct relais_ctl_offender rec[RELAIS_CTL_OFFENDERS_MAX];
};

/* PART_REKEY uses struct relais_ctl_part: same room, address and
 * profiles as the participant has; new rx/tx keys (and cookie). Applied
 * by the participant's owner lcore between bursts, keeping every stream's
 * rollover counter. */

/* The values of STATS, in wire order (append only). C(name) is a counter:
 * events since start, counted per lcore and summed over lcores. G(name) is
 * a gauge: a current number (objects in the tables, worker lcores), read
 * when STATS is answered; never summed over lcores nor turned into a rate. */
/* clang-format off */
#define RELAIS_STATS_FIELDS(C, G)                                               \
	C(rx_pkts) C(rx_bytes) C(tx_pkts) C(tx_bytes) C(rtp_in) C(rtcp_in)      \
	C(decrypt_ok) C(encrypt_ok) C(handoff_in) C(fanout_in) C(stun) C(dtls)  \
	C(arp_replies) C(nd_replies) C(neigh_requests) C(pli_sent)             \
	C(fb_forwarded) C(sr_forwarded) G(rooms) G(participants) G(tracks)      \
	G(subscriptions) G(lcores) C(rekeys) C(rekey_failed)                    \
	C(rtcp_port_plus_one) C(offenders_evicted) C(edge_rx) C(edge_tx)        \
	G(xdp_filter) C(consents) C(edge_consents) C(admission_refused)         \
	C(neigh_learned) C(neigh_expired) C(neigh_evicted) C(protect_evicted)  \
	G(protected) C(xdp_flow_errors)
/* clang-format on */
#define RELAIS_STATS_ENUM_(n) RELAIS_STAT_##n,
enum relais_stat {
	RELAIS_STATS_FIELDS(RELAIS_STATS_ENUM_, RELAIS_STATS_ENUM_) RELAIS_STAT_MAX
};
#undef RELAIS_STATS_ENUM_

/* STATS: counters and gauges, drops by reason in the dataplane, and the
 * XDP filter's in front of it (xdp_drops; index 0: frames it passed on;
 * all 0 unless v[RELAIS_STAT_xdp_filter] is 1: docs/xdp.md). */
struct relais_ctl_stats {
	uint64_t v[RELAIS_STAT_MAX];
	uint64_t drops[RELAIS_DROP_MAX];
	uint64_t xdp_drops[RELAIS_DROP_MAX];
};
struct relais_ctl_track_stats {
	uint32_t track_id;
	uint32_t ssrc; /* current (declared or learned) SSRC */
	uint32_t n_subs;
	uint64_t pkts;
	uint64_t bytes;
	uint64_t drops;
};

struct relais_ctl_msg {
	uint16_t type;
	uint32_t seq;
	union {
		struct relais_ctl_hello hello;
		struct relais_ctl_room room;
		struct relais_ctl_part part;
		struct relais_ctl_id id;
		struct relais_ctl_track track;
		struct relais_ctl_sub sub;
		struct relais_ctl_sub_switch sw;
		struct relais_ctl_dump_req dump;
		struct relais_ctl_offenders_req offenders;
	} u;
};

struct relais_ctl_reply {
	uint16_t type; /* request type, without RELAIS_CTL_REPLY */
	uint32_t seq;
	int32_t status; /* 0 or -errno */
	char error[RELAIS_CTL_ERR_LEN];
	union {
		struct relais_ctl_hello hello;
		struct relais_ctl_stats stats;
		struct relais_ctl_track_stats track_stats;
		struct relais_ctl_dump dump;
		struct relais_ctl_offenders offenders;
	} u;
};

/* 1 if a read-only client (control.stats_socket) may send message `type`
 * (the `ro` access of ctl_messages.h), 0 if it changes the tables or is
 * unknown. */
int relais_ctl_type_read_only(unsigned type);
/* Name of a message type ("part_add"), "?" if unknown. */
const char *relais_ctl_type_name(unsigned type);
/* Size of the request body of `type` in this build's wire format (the
 * decoder refuses any other), -1 for an unknown type. */
int relais_ctl_body_size(unsigned type);
/* Name of a drop reason ("srtp_auth"), "?" if out of range. */
const char *relais_drop_name(unsigned reason);
/* One-line operator explanation of a drop reason. */
const char *relais_drop_help(unsigned reason);
/* Name of a stats field ("rx_pkts"). */
const char *relais_stat_name(unsigned stat);
/* 1 if stats field `stat` is a gauge, 0 if a counter or out of range. */
int relais_stat_is_gauge(unsigned stat);
/* Name of an offence: its drop reason's ("srtp_auth"), "?" if out of range. */
const char *relais_offence_name(unsigned offence);
/* The drop reason an offence counts; RELAIS_DROP_NONE if out of range. */
enum relais_drop_reason relais_offence_reason(unsigned offence);
/* Name of an enum relais_protect ("participant"), "?" if out of range. */
const char *relais_protect_name(unsigned protect);

/* Encode a request into buf. Returns bytes written or -EINVAL (bad type or
 * field), -EMSGSIZE (cap too small). */
int relais_ctl_encode_msg(const struct relais_ctl_msg *m, uint8_t *buf, size_t cap);
/* Decode one request datagram. Returns 0, or -EPROTO (bad magic/short),
 * -EPROTONOSUPPORT (version), -EBADMSG (unknown type or body size mismatch),
 * -EINVAL (field out of range, e.g. family not 4/6, unknown profile). */
int relais_ctl_decode_msg(const uint8_t *buf, size_t len, struct relais_ctl_msg *m);
/* Same pair for replies. */
int relais_ctl_encode_reply(const struct relais_ctl_reply *r, uint8_t *buf, size_t cap);
int relais_ctl_decode_reply(const uint8_t *buf, size_t len, struct relais_ctl_reply *r);

/* Address helpers: parse "1.2.3.4:5000" / "[::1]:5000" into a; format a into
 * buf ("1.2.3.4:5000", "[::1]:5000"). Return 0 / -EINVAL. */
int relais_addr_parse(const char *s, struct relais_addr *a);
int relais_addr_format(const struct relais_addr *a, char *buf, size_t cap);

/* Client side: connect to the dataplane socket and say HELLO. Returns an fd
 * or -errno (-EPROTONOSUPPORT when the dataplane speaks another version,
 * -EPERM when the process serving the socket is neither root nor our own
 * user: nothing is sent to it). */
int relais_ctl_connect(const char *path, const char *peer_name);
/* Send m and wait up to timeout_ms for its reply. 0 or -errno (transport);
 * the dataplane's verdict is in r->status. */
int relais_ctl_call(int fd, const struct relais_ctl_msg *m, struct relais_ctl_reply *r,
		    int timeout_ms);

#endif /* RELAIS_CTL_PROTO_H */
