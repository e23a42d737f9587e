/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pipeline scenario's world: one room, publisher P (IPv4, audio with a
 * declared SSRC and video whose SSRC the dataplane learns), subscribers
 * S1 (IPv4), S2 (IPv6), S3 (IPv4) on both of P's tracks, and a second
 * publisher P2 (IPv4, audio) that S3's audio subscription is switched to.
 */
#ifndef PL_SCEN_H
#define PL_SCEN_H

#include "pl_harness.h"

enum {
	ROOM = 1,
	ID_P = 1,
	ID_S1,
	ID_S2,
	ID_S3,
	ID_P2,
	T_AUDIO = 10,
	T_VIDEO,
	T_AUDIO2,
	SUB_A = 100, /* + subscriber index 1..3 */
	SUB_V = 110,
	SUB_EXTRA = 199,
};

#define SSRC_AUDIO 0x11110001u
#define SSRC_VIDEO 0x22220002u
#define SSRC_AUDIO2 0x33330003u
#define PT_AUDIO 111
#define PT_VIDEO 96

/* One RTP stream a test peer sends: next sequence number and timestamp. */
struct pl_stream {
	struct pl_peer *pub;
	uint32_t ssrc;
	uint8_t pt;
	uint16_t seq;
	uint32_t ts;
	uint32_t ts_step;
	uint16_t payload;
};

struct pl_world {
	struct pl_env env;
	struct pl_peer p, p2, s[3];
	struct pl_stream audio, video, audio2;
	uint32_t out_a[3], out_v[3];
	uint8_t last_video_frame[PL_FRAME_MAX]; /* last good video frame sent */
	size_t last_video_len;
	/* S3's audio subscription after the switch to P2's track */
	uint16_t s3_last_seq; /* last output sequence S3 received */
	uint16_t s3_seq_off;  /* output - P2's sequence */
	uint32_t s3_ts_off;   /* output - P2's timestamp */
};

/* Plain RTP of the stream's next packet into b (advances it); length. */
size_t pl_stream_next(struct pl_stream *st, uint8_t *b);
/* Protect, frame and inject the stream's next packet; 0 or -1. The frame
 * is kept in w->last_video_frame when st is w->video. */
int pl_stream_send(struct pl_world *w, struct pl_stream *st);
/* The bad-input scenarios (pl_faults.c). */
void pl_phase_faults(struct pl_world *w);
/* Removal of a subscriber and of the publisher while traffic flows. */
void pl_phase_removal(struct pl_world *w);

#endif /* PL_SCEN_H */
