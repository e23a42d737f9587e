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

/* The engine's counters (one list; in the status file's "counters" and
 * the status line; docs/operations.md, "relais-edge status"). */
#define EDGE_NODE_STATS(X)                                                                    \
	X(datagrams, "STUN and DTLS datagrams from the dataplane")                            \
	X(ignored, "datagrams neither STUN nor DTLS (empty, or first byte outside RFC 7983)") \
	X(stun_answered, "ICE checks answered")                                               \
	X(consents, "answered checks of a participant told to the dataplane (CONSENT)")       \
	X(stun_dropped, "STUN dropped (bad, unauthenticated or unknown: by verdict in stun)") \
	X(dtls_unchecked, "DTLS from an address that passed no ICE check: dropped")           \
	X(dtls_refused, "DTLS handshakes refused (half-open cap, memory)")                    \
	X(joins, "sessions joined to their room")                                             \
	X(moves, "joined sessions whose browser moved to a new address")                      \
	X(move_failed, "a move could not be written to Redis (the old address stays)")        \
	X(subscription_failed, "a watcher's subscription could not be written to Redis")      \
	X(offers, "offers answered")                                                          \
	X(redirects, "offers redirected to the room's node")                                  \
	X(link_lost, "times the edge link to the dataplane was lost")
#define EDGE_NODE_STAT_ENUM_(n, help) EDGE_STAT_##n,
enum edge_node_stat {
	EDGE_NODE_STATS(EDGE_NODE_STAT_ENUM_) EDGE_STAT_MAX
};
#undef EDGE_NODE_STAT_ENUM_

/* Why the engine refused an offer or a PATCH after the HTTP layer and the
 * SDP checks passed (one list; the client gets "status name: message",
 * the status file counts them in "signal"): X(SUFFIX, status, "name",
 * "message"). */
#define EDGE_SIGNAL_REFUSALS(X)                                                                    \
	X(BAD_PARTICIPANT_ID, 400, "bad_participant_id",                                           \
	  "participant id (token sub) must be 1..2^28-1")                                          \
	X(PLACEMENT_UNAVAILABLE, 503, "placement_unavailable",                                     \
	  "room placement unavailable (Redis); retry")                                             \
	X(NO_OWNER_URL, 503, "no_owner_url", "the room's node has no WHIP/WHEP URL yet; retry")    \
	X(SESSIONS_FULL, 503, "sessions_full", "this node holds its maximum of sessions")          \
	X(BAD_FINGERPRINT, 400, "bad_fingerprint", "a=fingerprint: not sha-256 with 32 hex bytes") \
	X(ICE_FULL, 503, "ice_full", "no room for another ICE session")                            \
	X(NO_SESSION, 404, "no_session", "no such session")                                        \
	X(RESTART_REFUSED, 400, "restart_refused", "ICE restart refused: bad ice-ufrag")
#define EDGE_SIGNAL_REFUSAL_ENUM_(sfx, st, name, msg) EDGE_SIGNAL_##sfx,
enum edge_signal_refusal {
	EDGE_SIGNAL_REFUSALS(EDGE_SIGNAL_REFUSAL_ENUM_) EDGE_SIGNAL_REFUSAL_MAX
};
#undef EDGE_SIGNAL_REFUSAL_ENUM_

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
	uint64_t dtls_reasons[EDGE_DTLS_REASON_MAX];       /* refusals and session ends */
	uint64_t sdp_refusals[EDGE_SDP_REASON_MAX];        /* offers refused by edge_sdp */
	uint64_t signal_refusals[EDGE_SIGNAL_REFUSAL_MAX]; /* by edge_signal.c */
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
/* Name of a signalling refusal; "?" out of range. */
const char *edge_signal_refusal_name(enum edge_signal_refusal r);

/* Write the status JSON of n (every counter by name; docs/operations.md,
 * "relais-edge status") to path, atomically (cp_statusfile.h). 0 or -errno. */
int edge_status_write(const struct edge_node *n, const char *path);

/* The HTTP backend of WHIP/WHEP over this node (edge_signal.c). */
void edge_signal_backend(struct edge_node *n, struct edge_http_backend *b);

#endif /* EDGE_SESSION_H */
