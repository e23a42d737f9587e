/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-edge's sessions and the engine that drives them (edge_node.c):
 * one session per WHIP/WHEP resource, that is per browser peer
 * connection. A session is created by an offer (edge_signal.c), checked
 * by ICE-lite, keyed by DTLS-SRTP, then joined to its room through Redis
 * (edge_rooms.h) so that the control plane programs the dataplane; it
 * ends by DELETE, consent lapse, a DTLS alert or close_notify.
 *
 * Ids in the control plane: the participant is the token's subject; a
 * published m-section's track and a watched m-section's subscription are
 * participant * 16 + the m-section's index (so participant ids stay below
 * 2^28; docs/webrtc.md).
 */
#ifndef EDGE_SESSION_H
#define EDGE_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include <relais/ctl_proto.h>

#include "edge_dtls.h"
#include "edge_http.h"
#include "edge_ice.h"
#include "edge_link.h"
#include "edge_opts.h"
#include "edge_rooms.h"
#include "edge_sdp.h"

#define EDGE_MAX_PART_ID ((1u << 28) - 1)

/* Why a session ended (one list; counted and logged by name). */
#define EDGE_SESSION_ENDS(X)                                                        \
	X(DELETED, "deleted", "the client sent DELETE")                             \
	X(CONSENT_LAPSED, "consent_lapsed", "no ICE consent check for too long")    \
	X(NEVER_CHECKED, "never_checked", "no ICE check arrived after the offer")   \
	X(DTLS_CLOSED, "dtls_closed", "the browser closed DTLS (close_notify)")     \
	X(DTLS_FAILED, "dtls_failed", "the DTLS handshake failed or an alert came") \
	X(JOIN_FAILED, "join_failed", "the room could not be written to Redis")     \
	X(REPLACED, "replaced", "the same participant made a new offer")            \
	X(SHUTDOWN, "shutdown", "relais-edge is stopping")
#define EDGE_SESSION_END_ENUM_(sfx, name, help) EDGE_END_##sfx,
enum edge_session_end {
	EDGE_SESSION_ENDS(EDGE_SESSION_END_ENUM_) EDGE_END_MAX
};
#undef EDGE_SESSION_END_ENUM_

/* The engine's counters (one list; printed by the status line). */
#define EDGE_NODE_STATS(X)                                                             \
	X(datagrams, "STUN and DTLS datagrams from the dataplane")                     \
	X(stun_answered, "ICE checks answered")                                        \
	X(stun_dropped, "STUN dropped (bad, unauthenticated or unknown: see ICE log)") \
	X(dtls_unchecked, "DTLS from an address that passed no ICE check: dropped")    \
	X(dtls_refused, "DTLS handshakes refused (half-open cap, memory)")             \
	X(joins, "sessions joined to their room")                                      \
	X(moves, "joined sessions whose browser moved to a new address")               \
	X(offers, "offers answered")                                                   \
	X(redirects, "offers redirected to the room's node")                           \
	X(link_lost, "times the edge link to the dataplane was lost")
#define EDGE_NODE_STAT_ENUM_(n, help) EDGE_STAT_##n,
enum edge_node_stat {
	EDGE_NODE_STATS(EDGE_NODE_STAT_ENUM_) EDGE_STAT_MAX
};
#undef EDGE_NODE_STAT_ENUM_

/* One m-section of a session. publish: the track it carries (SSRC 0:
 * learned). watch: the SSRC relais sends it under and the track that fills
 * it now (0: none). Codecs as negotiated, in the answer's order. */
struct edge_slot {
	enum edge_sdp_kind kind;
	bool accepted;
	uint32_t ssrc;                    /* publish: declared SSRC; watch: our output SSRC */
	uint32_t track;                   /* watch: the publisher track filling it, 0 none */
	uint8_t ext_id[EDGE_SDP_EXT_MAX]; /* negotiated header extension ids, 0: none */
	uint8_t n_codecs;
	struct {
		enum edge_sdp_codec_id id;
		uint8_t pt;
	} codecs[EDGE_SDP_MAX_CHOSEN];
};

struct edge_session {
	bool used;
	uint32_t gen; /* with the index, the ICE cookie: stale cookies miss */
	enum edge_sdp_role role;
	uint32_t room, part;
	char resource[EDGE_HTTP_RESOURCE_ID_LEN + 1];
	struct edge_ice_credentials cred;
	uint8_t peer_fp[EDGE_FINGERPRINT_LEN];
	struct edge_dtls_session *dtls;
	struct relais_addr addr; /* the ICE-selected address, when has_addr */
	bool has_addr;
	bool joined;
	struct relais_srtp_key rx, tx; /* while joined: to re-write it on a move */
	unsigned n_slots;
	struct edge_slot slots[EDGE_SDP_MAX_MEDIA];
};

struct edge_node {
	const struct edge_opts *o;
	struct edge_ice_agent *ice;
	struct edge_cert *cert;
	struct edge_dtls_ctx *dtls;
	struct edge_link link;
	struct edge_rooms rooms;
	struct edge_http *http;
	struct edge_session *s;
	unsigned cap;
	uint64_t stats[EDGE_STAT_MAX];
	uint64_t ends[EDGE_END_MAX];
	uint64_t ice_verdicts[EDGE_ICE_VERDICT_MAX];
};

/* Set up ICE, the certificate, DTLS and the session table from o (the
 * link, rooms and HTTP are the caller's). 0 or -errno with err. */
int edge_node_init(struct edge_node *n, const struct edge_opts *o, char *err, size_t en);
/* End every session (close_notify, leave rooms), free everything. */
void edge_node_fini(struct edge_node *n);

/* A datagram the dataplane received (edge link RX message). */
void edge_node_datagram(struct edge_node *n, const struct relais_edge_msg *m, uint64_t now_ms);
/* Timers: DTLS retransmissions and deadlines, ICE consent. Returns the
 * milliseconds until the next timer (at most 500). */
int edge_node_timers(struct edge_node *n, uint64_t now_ms);

/* A new session in slot order; NULL when the table is full. */
struct edge_session *edge_node_session_new(struct edge_node *n);
/* The session of an HTTP resource id, or NULL. */
struct edge_session *edge_node_by_resource(struct edge_node *n, const char *id);
/* The live session of participant part, or NULL. */
struct edge_session *edge_node_by_part(struct edge_node *n, uint32_t part);
/* The ICE cookie of session s. */
uint64_t edge_node_cookie(const struct edge_node *n, const struct edge_session *s);
/* End session s for why: close DTLS, leave the room, forget the resource
 * unless the HTTP layer ended it (by_http), refill watchers of its room. */
void edge_node_end(struct edge_node *n, struct edge_session *s, enum edge_session_end why,
		   bool by_http);

/* Watchers of room: give every free watched m-section a publisher track
 * of its kind not already shown to it, and write the subscriptions. */
void edge_node_fill_watchers(struct edge_node *n, uint32_t room);
/* Fill the free m-sections of watcher w into j's subscriptions (at join). */
void edge_node_fill_one(struct edge_node *n, struct edge_session *w, struct edge_join *j);

const char *edge_session_end_name(enum edge_session_end why);
const char *edge_node_stat_name(enum edge_node_stat s);

/* The HTTP backend of WHIP/WHEP over this node (edge_signal.c). */
void edge_signal_backend(struct edge_node *n, struct edge_http_backend *b);

#endif /* EDGE_SESSION_H */
