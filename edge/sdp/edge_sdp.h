/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_sdp: the SDP of relais-edge (issue 12). Reads a browser's offer
 * (RFC 8866 syntax, JSEP/RFC 8829 content), decides what relais accepts
 * (BUNDLE + rtcp-mux on one DTLS-SRTP transport; Opus; VP8, H264
 * packetization-mode 1, VP9, AV1 with their RTX; a fixed set of RTP header
 * extensions) and writes the answer of an ICE-lite, DTLS-passive server
 * with one host candidate. No I/O, no allocation, libc only: the WHIP/WHEP
 * front end and any later signalling front end drive it.
 *
 * Three steps, each a pure function:
 *   edge_sdp_parse()      bytes -> struct edge_sdp_offer (syntax and limits)
 *   edge_sdp_negotiate()  offer + role -> struct edge_sdp_result (what is
 *                         accepted, with the offerer's PTs and extension ids)
 *   edge_sdp_write_answer() offer + result + local transport -> answer text
 * Every refusal is one enum edge_sdp_reason from EDGE_SDP_REASONS, with a
 * name, an HTTP status and an operator-facing message; a malformed line
 * also gives its line number. Secrets (ice-pwd) are never part of a message.
 */
#ifndef EDGE_SDP_H
#define EDGE_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits of an offer: anything beyond is refused by name, never cut. */
#define EDGE_SDP_MAX_SIZE 65536 /* bytes of one offer */
#define EDGE_SDP_MAX_MEDIA 8    /* m-sections */
#define EDGE_SDP_MAX_PTS 48     /* payload types of one m-line */
#define EDGE_SDP_MAX_EXTMAPS 24 /* a=extmap of one m-section */
#define EDGE_SDP_MAX_SSRCS 16   /* distinct a=ssrc of one m-section */
#define EDGE_SDP_MAX_GROUPS 8   /* a=ssrc-group of one m-section */
#define EDGE_SDP_MAX_GROUP_SSRCS 4
#define EDGE_SDP_MAX_RIDS 8          /* a=rid of one m-section */
#define EDGE_SDP_MAX_CHOSEN 16       /* codecs kept in one answered m-section */
#define EDGE_SDP_TOKEN_LEN 64        /* mid, rid, cname, codec name, proto (with NUL) */
#define EDGE_SDP_ICE_LEN 257         /* ice-ufrag / ice-pwd: 256 chars (RFC 8839) + NUL */
#define EDGE_SDP_FINGERPRINT_LEN 200 /* "XX:" * 64 (sha-512) + NUL */
#define EDGE_SDP_FMTP_LEN 160
#define EDGE_SDP_URI_LEN 128
#define EDGE_SDP_MSID_LEN 160
#define EDGE_SDP_BUNDLE_MAX EDGE_SDP_MAX_MEDIA

/*
 * The one list of reasons an offer is refused (and of a caller's mistakes
 * when writing the answer): X(SUFFIX, "name", http_status, "message").
 */
#define EDGE_SDP_REASONS(X)                                                                   \
	X(OK, "ok", 200, "offer accepted")                                                    \
	X(EMPTY, "empty", 400, "the offer is empty")                                          \
	X(TOO_LARGE, "too_large", 413, "the offer is larger than 64 KiB")                     \
	X(NOT_TEXT, "not_text", 400, "the offer contains binary bytes (NUL or control)")      \
	X(NO_VERSION, "no_version", 400, "the offer does not start with v=0")                 \
	X(MALFORMED_LINE, "malformed_line", 400, "malformed SDP line")                        \
	X(VALUE_TOO_LONG, "value_too_long", 400, "a value is longer than relais accepts")     \
	X(TOO_MANY_MEDIA, "too_many_media", 400, "more than 8 m-sections")                    \
	X(TOO_MANY_PTS, "too_many_pts", 400, "more than 48 payload types in an m-line")       \
	X(TOO_MANY_EXTMAPS, "too_many_extmaps", 400, "more than 24 a=extmap in an m-section") \
	X(TOO_MANY_SSRCS, "too_many_ssrcs", 400, "too many a=ssrc or a=ssrc-group lines")     \
	X(TOO_MANY_RIDS, "too_many_rids", 400, "more than 8 a=rid in an m-section")           \
	X(DUPLICATE_MID, "duplicate_mid", 400, "two m-sections have the same a=mid")          \
	X(NOT_MEDIA_OFFER, "not_media_offer", 400, "not a media offer: no audio or video")    \
	X(NO_MID, "no_mid", 400, "an audio or video m-section has no a=mid")                  \
	X(NO_BUNDLE, "no_bundle", 400, "audio/video not all in one a=group:BUNDLE")           \
	X(NO_RTCP_MUX, "no_rtcp_mux", 400, "an m-section lacks a=rtcp-mux")                   \
	X(NO_ICE_CREDENTIALS, "no_ice_credentials", 400, "no valid a=ice-ufrag/a=ice-pwd")    \
	X(NO_FINGERPRINT, "no_fingerprint", 400, "no a=fingerprint")                          \
	X(FINGERPRINT_ALGORITHM, "fingerprint_algorithm", 400,                                \
	  "no sha-256 a=fingerprint (the only algorithm relais checks)")                      \
	X(OFFER_ICE_LITE, "offer_ice_lite", 400,                                              \
	  "the offerer is ICE-lite too (relais is ICE-lite: one side must be full)")          \
	X(NO_SETUP, "no_setup", 400, "no a=setup (actpass or active expected)")               \
	X(DTLS_PASSIVE, "setup_passive", 400, "a=setup:passive: relais is DTLS passive too")  \
	X(NO_COMMON_SRTP_PROFILE, "no_common_srtp_profile", 400,                              \
	  "transport is not UDP/TLS/RTP/SAVPF (DTLS-SRTP)")                                   \
	X(NO_COMMON_CODEC, "no_common_codec", 400,                                            \
	  "no common codec (Opus; VP8, H264 packetization-mode=1, VP9, AV1)")                 \
	X(WRONG_DIRECTION, "wrong_direction", 400,                                            \
	  "direction does not fit (WHIP offers sendonly, WHEP recvonly)")                     \
	X(BAD_LOCAL, "bad_local", 500, "relais's own ICE/fingerprint/address is invalid")     \
	X(ANSWER_TOO_LARGE, "answer_too_large", 500, "the answer does not fit its buffer")

#define EDGE_SDP_ENUM_(sfx, name, status, msg) EDGE_SDP_##sfx,
enum edge_sdp_reason {
	EDGE_SDP_REASONS(EDGE_SDP_ENUM_) EDGE_SDP_REASON_MAX
};
#undef EDGE_SDP_ENUM_

/* The RTP header extensions relais negotiates: X(SUFFIX, "name", "uri"). */
#define EDGE_SDP_EXTENSIONS(X)                                                                    \
	X(MID, "mid", "urn:ietf:params:rtp-hdrext:sdes:mid")                                      \
	X(RID, "rid", "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id")                            \
	X(REPAIRED_RID, "repaired-rid", "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id") \
	X(ABS_SEND_TIME, "abs-send-time",                                                         \
	  "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time")                           \
	X(TRANSPORT_CC, "transport-wide-cc",                                                      \
	  "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01")            \
	X(AUDIO_LEVEL, "audio-level", "urn:ietf:params:rtp-hdrext:ssrc-audio-level")

#define EDGE_SDP_EXT_ENUM_(sfx, name, uri) EDGE_SDP_EXT_##sfx,
enum edge_sdp_ext {
	EDGE_SDP_EXTENSIONS(EDGE_SDP_EXT_ENUM_) EDGE_SDP_EXT_MAX,
	EDGE_SDP_EXT_OTHER = EDGE_SDP_EXT_MAX /* any other uri: dropped */
};
#undef EDGE_SDP_EXT_ENUM_

/* The codecs relais forwards: X(SUFFIX, "rtpmap name", kind, clock rate,
 * channels (0: none given)). H264 also needs packetization-mode=1. */
#define EDGE_SDP_CODECS(X)                             \
	X(OPUS, "opus", EDGE_SDP_KIND_AUDIO, 48000, 2) \
	X(VP8, "VP8", EDGE_SDP_KIND_VIDEO, 90000, 0)   \
	X(H264, "H264", EDGE_SDP_KIND_VIDEO, 90000, 0) \
	X(VP9, "VP9", EDGE_SDP_KIND_VIDEO, 90000, 0)   \
	X(AV1, "AV1", EDGE_SDP_KIND_VIDEO, 90000, 0)

#define EDGE_SDP_CODEC_ENUM_(sfx, name, kind, clock, ch) EDGE_SDP_CODEC_##sfx,
enum edge_sdp_codec_id {
	EDGE_SDP_CODECS(EDGE_SDP_CODEC_ENUM_) EDGE_SDP_CODEC_MAX,
	EDGE_SDP_CODEC_RTX = EDGE_SDP_CODEC_MAX, /* rtx (RFC 4588) */
	EDGE_SDP_CODEC_OTHER                     /* red, ulpfec, G722, ...: dropped */
};
#undef EDGE_SDP_CODEC_ENUM_

/* a=rtcp-fb values relais keeps (as offered), one bit each. */
enum edge_sdp_fb {
	EDGE_SDP_FB_NACK = 1u << 0,
	EDGE_SDP_FB_NACK_PLI = 1u << 1,
	EDGE_SDP_FB_CCM_FIR = 1u << 2,
	EDGE_SDP_FB_GOOG_REMB = 1u << 3,
	EDGE_SDP_FB_TRANSPORT_CC = 1u << 4,
};

enum edge_sdp_kind {
	EDGE_SDP_KIND_OTHER = 0, /* application, text, ...: rejected with port 0 */
	EDGE_SDP_KIND_AUDIO,
	EDGE_SDP_KIND_VIDEO,
};

enum edge_sdp_direction {
	EDGE_SDP_DIR_SENDRECV = 0, /* the default when no attribute is given */
	EDGE_SDP_DIR_SENDONLY,
	EDGE_SDP_DIR_RECVONLY,
	EDGE_SDP_DIR_INACTIVE,
};

enum edge_sdp_setup {
	EDGE_SDP_SETUP_NONE = 0,
	EDGE_SDP_SETUP_ACTPASS,
	EDGE_SDP_SETUP_ACTIVE,
	EDGE_SDP_SETUP_PASSIVE,
	EDGE_SDP_SETUP_HOLDCONN,
};

/* What the answer is for: WHIP publish (offer sendonly, answer recvonly) or
 * WHEP subscribe (offer recvonly, answer sendonly). */
enum edge_sdp_role {
	EDGE_SDP_ROLE_PUBLISH,
	EDGE_SDP_ROLE_SUBSCRIBE,
};

/* Transport attributes, at session or media level ("" when absent). */
struct edge_sdp_transport {
	char ice_ufrag[EDGE_SDP_ICE_LEN];
	char ice_pwd[EDGE_SDP_ICE_LEN];
	char fp_algorithm[16];                   /* of the sha-256 one if offered */
	char fp_value[EDGE_SDP_FINGERPRINT_LEN]; /* "AB:CD:..." as offered */
	enum edge_sdp_setup setup;
	bool ice_trickle; /* a=ice-options has "trickle" */
};

/* One payload type of an m-line with its rtpmap, fmtp and rtcp-fb. */
struct edge_sdp_codec {
	uint8_t pt;
	bool has_rtpmap;
	enum edge_sdp_codec_id id; /* from the rtpmap name */
	char name[EDGE_SDP_TOKEN_LEN];
	uint32_t clock;
	uint8_t channels; /* 0 when not given */
	char fmtp[EDGE_SDP_FMTP_LEN];
	int apt;     /* rtx: associated PT from fmtp apt=, else -1 */
	unsigned fb; /* enum edge_sdp_fb bits */
};

struct edge_sdp_extmap {
	uint8_t id;                        /* 1..255 */
	enum edge_sdp_direction direction; /* "/<direction>" after the id, default sendrecv */
	enum edge_sdp_ext ext;
	char uri[EDGE_SDP_URI_LEN];
};

struct edge_sdp_ssrc {
	uint32_t ssrc;
	char cname[EDGE_SDP_TOKEN_LEN];
};

enum edge_sdp_group_kind {
	EDGE_SDP_GROUP_OTHER = 0,
	EDGE_SDP_GROUP_FID, /* RFC 5576: primary, RTX */
	EDGE_SDP_GROUP_SIM, /* simulcast layers */
};

struct edge_sdp_ssrc_group {
	enum edge_sdp_group_kind kind;
	uint8_t n;
	uint32_t ssrcs[EDGE_SDP_MAX_GROUP_SSRCS];
};

struct edge_sdp_rid {
	char id[EDGE_SDP_TOKEN_LEN];
	bool send; /* a=rid:X send (else recv) */
};

/* One m-section of the offer. */
struct edge_sdp_media {
	enum edge_sdp_kind kind;
	char kind_text[16]; /* "audio", "application", ... */
	uint16_t port;
	char proto[EDGE_SDP_TOKEN_LEN];
	char first_fmt[EDGE_SDP_TOKEN_LEN]; /* first format token (for a rejection) */
	char mid[EDGE_SDP_TOKEN_LEN];
	enum edge_sdp_direction direction;
	bool rtcp_mux;
	bool rtcp_rsize;
	struct edge_sdp_transport transport; /* media level over session level */
	uint8_t n_codecs;
	struct edge_sdp_codec codecs[EDGE_SDP_MAX_PTS]; /* m-line order */
	uint8_t n_extmaps;
	struct edge_sdp_extmap extmaps[EDGE_SDP_MAX_EXTMAPS];
	uint8_t n_ssrcs;
	struct edge_sdp_ssrc ssrcs[EDGE_SDP_MAX_SSRCS];
	uint8_t n_groups;
	struct edge_sdp_ssrc_group groups[EDGE_SDP_MAX_GROUPS];
	char msid[EDGE_SDP_MSID_LEN];
	uint8_t n_rids;
	struct edge_sdp_rid rids[EDGE_SDP_MAX_RIDS];
	bool simulcast_send; /* a=simulcast:send ... */
	bool simulcast_recv;
};

/* A parsed offer. */
struct edge_sdp_offer {
	struct edge_sdp_transport session; /* session-level attributes */
	uint8_t n_bundle;
	char bundle[EDGE_SDP_BUNDLE_MAX][EDGE_SDP_TOKEN_LEN]; /* a=group:BUNDLE mids */
	bool has_bundle;
	bool extmap_allow_mixed;
	bool ice_lite; /* the offerer says a=ice-lite */
	uint8_t n_media;
	struct edge_sdp_media media[EDGE_SDP_MAX_MEDIA];
	unsigned error_line; /* 1-based line of the refusal, 0 if not a line's */
};

/* A codec relais accepted, with the offerer's PT and the PT of its RTX. */
struct edge_sdp_chosen {
	enum edge_sdp_codec_id id;
	uint8_t offer_index; /* into edge_sdp_media.codecs */
	uint8_t pt;
	int rtx_pt; /* -1 when the codec has no RTX offered */
	uint32_t clock;
};

/* A sending stream of a publisher: an SSRC and its RTX SSRC (0 if none). */
struct edge_sdp_stream {
	uint32_t ssrc;
	uint32_t rtx_ssrc;
};

/* The answer to one m-section. */
struct edge_sdp_answered {
	bool accepted;
	enum edge_sdp_reason rejected_why; /* OK when accepted */
	enum edge_sdp_kind kind;
	char mid[EDGE_SDP_TOKEN_LEN];
	enum edge_sdp_direction direction; /* of the answer */
	uint8_t n_chosen;
	struct edge_sdp_chosen chosen[EDGE_SDP_MAX_CHOSEN]; /* offerer's order */
	uint8_t ext_id[EDGE_SDP_EXT_MAX];                   /* 0: not negotiated */
	enum edge_sdp_direction
	    ext_dir[EDGE_SDP_EXT_MAX]; /* the answer's (mirror of the offer's) */
	uint8_t n_streams;             /* publish: offered SSRCs */
	struct edge_sdp_stream streams[EDGE_SDP_MAX_SSRCS];
	uint8_t n_rids; /* publish with simulcast: the rids relais receives */
	char rids[EDGE_SDP_MAX_RIDS][EDGE_SDP_TOKEN_LEN];
};

/* What relais agreed to: per m-section of the offer, and the remote
 * transport (the browser's ICE credentials and DTLS fingerprint, from the
 * first m-section of the BUNDLE group). */
struct edge_sdp_result {
	enum edge_sdp_role role;
	struct edge_sdp_transport remote;
	uint8_t n_media;
	struct edge_sdp_answered media[EDGE_SDP_MAX_MEDIA];
};

/* What relais sends on one m-section of a WHEP answer (chosen by the
 * caller): SSRC 0 means none is announced. */
struct edge_sdp_send {
	uint32_t ssrc;
	uint32_t rtx_ssrc; /* 0: no RTX */
	const char *cname;
	const char *stream_id; /* msid, NULL: "-" */
	const char *track_id;
};

/* relais's side of the transport. */
struct edge_sdp_local {
	const char *ice_ufrag;   /* 4..256 ice-chars */
	const char *ice_pwd;     /* 22..256 ice-chars */
	const char *fingerprint; /* "sha-256 AB:CD:..." (algorithm, space, value) */
	const char *address;     /* IPv4 or IPv6 literal of the host candidate */
	uint16_t port;           /* media port (UDP) */
	uint64_t session_id;     /* o= session id */
	struct edge_sdp_send send[EDGE_SDP_MAX_MEDIA]; /* subscribe, by offer m-section */
};

/* The reason's name ("no_fingerprint"), "?" out of range. */
const char *edge_sdp_reason_name(enum edge_sdp_reason r);

/* The reason's operator/HTTP-facing message (contains no offer data). */
const char *edge_sdp_reason_message(enum edge_sdp_reason r);

/* The HTTP status to answer with (200, 400, 413 or 500). */
int edge_sdp_reason_status(enum edge_sdp_reason r);

/* The name of an extension ("transport-wide-cc"), "?" out of range. */
const char *edge_sdp_ext_name(enum edge_sdp_ext e);

/* The uri of an extension, "?" out of range. */
const char *edge_sdp_ext_uri(enum edge_sdp_ext e);

/* The rtpmap name of a codec ("VP8", "rtx", "?" for others). */
const char *edge_sdp_codec_name(enum edge_sdp_codec_id c);

/*
 * Parse an offer of len bytes (not NUL-terminated; CRLF or LF lines) into
 * *offer, which is fully overwritten. Checks syntax and limits only; the
 * offer's acceptability is edge_sdp_negotiate()'s. Returns EDGE_SDP_OK or
 * the reason, with offer->error_line set for a line's fault.
 */
enum edge_sdp_reason edge_sdp_parse(const uint8_t *text, size_t len, struct edge_sdp_offer *offer);

/*
 * Decide the answer to a parsed offer for role: the transport checks
 * (BUNDLE, rtcp-mux, DTLS-SRTP profile, the offerer not ICE-lite, ICE
 * credentials, sha-256 fingerprint, setup actpass/active), then per
 * m-section the codecs, extensions, direction, SSRCs and rids. Sections relais cannot serve
 * (application, no common codec, wrong direction) are rejected alone;
 * when none is left the offer is refused with the first section's reason.
 * Fills *res (fully overwritten). Returns EDGE_SDP_OK or the reason.
 */
enum edge_sdp_reason edge_sdp_negotiate(const struct edge_sdp_offer *offer, enum edge_sdp_role role,
					struct edge_sdp_result *res);

/*
 * Write the answer for offer and its negotiation res, with relais's local
 * transport, into buf (cap bytes, NUL-terminated on success; CRLF lines).
 * *len receives the length without the NUL. Returns EDGE_SDP_OK,
 * EDGE_SDP_BAD_LOCAL (invalid local field) or EDGE_SDP_ANSWER_TOO_LARGE.
 */
enum edge_sdp_reason edge_sdp_write_answer(const struct edge_sdp_offer *offer,
					   const struct edge_sdp_result *res,
					   const struct edge_sdp_local *local, char *buf,
					   size_t cap, size_t *len);

/* Erase an offer or a result (they hold the browser's ice-pwd) with
 * explicit_bzero, before their memory is reused or freed. */
void edge_sdp_offer_wipe(struct edge_sdp_offer *offer);
void edge_sdp_result_wipe(struct edge_sdp_result *res);

/*
 * Format the refusal for an HTTP body or a log line: "name: message" plus
 * " (line N)" when a line is at fault. Always NUL-terminates (cap > 0).
 */
void edge_sdp_describe(enum edge_sdp_reason r, unsigned line, char *buf, size_t cap);

#endif /* EDGE_SDP_H */
