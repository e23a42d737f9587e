/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bad input among good traffic, and removal while traffic flows. Each bad
 * frame sits between two good video packets of P; the named drop counter
 * must grow by exactly the number injected, no other drop counter may
 * move, and the good packets must still reach S1, S2 and S3.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pl_scen.h"
#include "check.h"

#define WAIT_MS 5000
#define NO_DROP (-1)

/* What a bad frame must do: drop reason, or (NO_DROP) a stats counter. */
struct fault {
	const char *name;
	int reason;
	int stat;
	unsigned k; /* how many times the frame is injected */
};

/* Good video, the bad frame k times, good video; check the counters. */
static void inject_fault(struct pl_world *w, const struct fault *fl, const uint8_t *f, size_t len)
{
	struct pl_env *e = &w->env;
	struct relais_ctl_stats before, after;
	uint64_t dd;

	pl_reset(e);
	pl_stats(&before);
	CHECK(pl_stream_send(w, &w->video) == 0);
	for (unsigned i = 0; i < fl->k; i++)
		CHECK(pl_inject(e, f, len) == 0);
	CHECK(pl_stream_send(w, &w->video) == 0);
	CHECKF(pl_wait_rcv(e, 6, WAIT_MS), "%s: good traffic stopped", fl->name);
	if (fl->reason != NO_DROP)
		pl_wait_drop(e, (unsigned)fl->reason, before.drops[fl->reason] + fl->k, WAIT_MS);
	else
		pl_wait_stat(e, (unsigned)fl->stat, before.v[fl->stat] + fl->k, WAIT_MS);
	pl_pump(e, 20);
	pl_stats(&after);
	dd = pl_drops_total(&after) - pl_drops_total(&before);
	if (fl->reason != NO_DROP) {
		CHECKF(after.drops[fl->reason] - before.drops[fl->reason] == fl->k && dd == fl->k,
		       "%s: %s +%llu (want %u), all drops +%llu", fl->name,
		       relais_drop_name((unsigned)fl->reason),
		       (unsigned long long)(after.drops[fl->reason] - before.drops[fl->reason]),
		       fl->k, (unsigned long long)dd);
	} else {
		CHECKF(after.v[fl->stat] - before.v[fl->stat] == fl->k && dd == 0,
		       "%s: %s +%llu (want %u), drops +%llu", fl->name,
		       relais_stat_name((unsigned)fl->stat),
		       (unsigned long long)(after.v[fl->stat] - before.v[fl->stat]), fl->k,
		       (unsigned long long)dd);
	}
	for (unsigned i = 0; i < 3; i++)
		CHECKF(w->s[i].n_rcv == 2 && w->s[i].bad == 0, "%s: %s got %u good, %u bad",
		       fl->name, w->s[i].name, w->s[i].n_rcv, w->s[i].bad);
	CHECKF(pl_total_rcv(e) == 6 && e->stray == 0 && e->n_other == 0,
	       "%s: %u packets in all, %u stray, %u other frames", fl->name, pl_total_rcv(e),
	       e->stray, e->n_other);
}

/* A protected video packet of P framed to us (consumes a sequence). */
static size_t video_frame(struct pl_world *w, uint8_t *f)
{
	uint8_t pkt[PL_FRAME_MAX], s[PL_FRAME_MAX];
	size_t n = pl_stream_next(&w->video, pkt), sl = pl_protect(&w->p, pkt, n, false, s);

	return pl_frame_from(&w->env, &w->p, s, sl, f);
}

/* Frame pl/n from endpoint src to dst (IP and port of our choosing). */
static size_t frame_to(struct pl_world *w, const struct pl_ep *src, const uint8_t *ip,
		       uint16_t port, const uint8_t *pl, size_t n, uint8_t *f)
{
	struct pl_ep dst = src->family == 4 ? w->env.us4 : w->env.us6;

	memcpy(dst.ip, ip, src->family == 4 ? 4 : 16);
	dst.port = port;
	return pl_udp_frame(f, src, &dst, pl, n);
}

/* Frames broken below RTP: Ethernet, IP and UDP. */
static void faults_l2_l4(struct pl_world *w)
{
	struct pl_env *e = &w->env;
	uint8_t f[PL_FRAME_MAX], pl[64] = {0x80, PT_VIDEO};
	const uint8_t other4[4] = {10, 0, 0, 2};
	uint8_t other6[16];
	size_t n;

	n = video_frame(w, f);
	inject_fault(w, &(struct fault){"truncated frame", RELAIS_DROP_TRUNCATED, 0, 1}, f,
		     14 + 10);
	n = video_frame(w, f);
	pl_w16(f + 14 + 20 + 4, (uint16_t)(pl_r16(f + 14 + 20 + 4) + 64));
	inject_fault(w, &(struct fault){"UDP length beyond frame", RELAIS_DROP_TRUNCATED, 0, 2}, f,
		     n);
	n = video_frame(w, f);
	pl_w16(f + 14 + 6, 0x2000); /* MF */
	pl_ip4_fix(f + 14);
	inject_fault(w, &(struct fault){"IPv4 fragment", RELAIS_DROP_IP_FRAGMENT, 0, 1}, f, n);
	n = pl_udp6_frag_frame(f, &w->s[1].ep, &e->us6, pl, sizeof(pl));
	inject_fault(w, &(struct fault){"IPv6 fragment", RELAIS_DROP_IP_FRAGMENT, 0, 2}, f, n);
	n = frame_to(w, &w->p.ep, e->us4.ip, 5002, pl, sizeof(pl), f);
	inject_fault(w, &(struct fault){"wrong UDP port", RELAIS_DROP_WRONG_PORT, 0, 1}, f, n);
	n = frame_to(w, &w->p.ep, other4, 5000, pl, sizeof(pl), f);
	inject_fault(w, &(struct fault){"not for us (IPv4)", RELAIS_DROP_NOT_FOR_US, 0, 1}, f, n);
	memcpy(other6, e->us6.ip, 16);
	other6[15] = 2;
	n = frame_to(w, &w->s[1].ep, other6, 5000, pl, sizeof(pl), f);
	inject_fault(w, &(struct fault){"not for us (IPv6)", RELAIS_DROP_NOT_FOR_US, 0, 1}, f, n);
}

/* Payloads the first byte already rules out (RFC 7983 §7), and STUN and
 * DTLS, which go to the exception path: with no relais-edge connected
 * (the harness has no edge.socket) they are dropped as edge_down. */
static void faults_demux(struct pl_world *w)
{
	struct pl_env *e = &w->env;
	uint8_t f[PL_FRAME_MAX], pl[40];
	size_t n;

	memset(pl, 0, sizeof(pl));
	pl[0] = 0x05;
	n = pl_frame_from(e, &w->p, pl, sizeof(pl), f);
	inject_fault(w, &(struct fault){"garbage first byte", RELAIS_DROP_DEMUX_UNKNOWN, 0, 2}, f,
		     n);
	/* RTP version 3 (0xc0) or 1 (0x40): outside 128..191, so RFC 7983
	 * demultiplexing rejects it before any RTP parsing; 192..255 is
	 * reported as rtp_version (as the XDP filter does), 64..127 as
	 * demux_unknown. */
	pl_rtp(pl, PT_VIDEO, false, 7, 7, 0x22220002u, 28);
	pl[0] = 0xc0;
	n = pl_frame_from(e, &w->p, pl, sizeof(pl), f);
	inject_fault(w, &(struct fault){"RTP version 3", RELAIS_DROP_RTP_VERSION, 0, 1}, f, n);
	pl[0] = 0x40;
	n = pl_frame_from(e, &w->p, pl, sizeof(pl), f);
	inject_fault(w, &(struct fault){"RTP version 1", RELAIS_DROP_DEMUX_UNKNOWN, 0, 1}, f, n);
	memcpy(pl, (uint8_t[8]){0x00, 0x01, 0x00, 0x14, 0x21, 0x12, 0xa4, 0x42}, 8);
	n = pl_frame_from(e, &w->p, pl, 20 + 8, f); /* binding request, RFC 8489 §5 */
	inject_fault(w, &(struct fault){"STUN", RELAIS_DROP_EDGE_DOWN, RELAIS_STAT_stun, 1}, f, n);
	memcpy(pl, (uint8_t[13]){22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 27}, 13);
	n = pl_frame_from(e, &w->p, pl, 40, f); /* DTLS 1.2 handshake record */
	inject_fault(w, &(struct fault){"DTLS", RELAIS_DROP_EDGE_DOWN, RELAIS_STAT_dtls, 1}, f, n);
}

/* RTP and SRTP level faults. */
static void faults_rtp(struct pl_world *w)
{
	struct pl_env *e = &w->env;
	const struct pl_ep stranger = {4, {0x02, 0, 0x5e, 0, 0, 0x99}, {10, 0, 0, 99}, 40000};
	struct pl_ep p_other_port = w->p.ep;
	uint8_t f[PL_FRAME_MAX], pkt[PL_FRAME_MAX], s[PL_FRAME_MAX];
	size_t n, sl;

	n = pl_rtp(pkt, PT_VIDEO, false, 9, 9, SSRC_VIDEO, 8);
	pkt[0] = 0x8f; /* 15 CSRCs in a 20-byte packet */
	n = pl_frame_from(e, &w->p, pkt, n, f);
	inject_fault(
	    w, &(struct fault){"CSRC count beyond packet", RELAIS_DROP_RTP_MALFORMED, 0, 1}, f, n);
	n = pl_rtp(pkt, PT_VIDEO, false, 9, 9, 0x99999999u, 100);
	sl = pl_protect(&w->p, pkt, n, false, s);
	n = pl_frame_from(e, &w->p, s, sl, f);
	inject_fault(w, &(struct fault){"unknown SSRC", RELAIS_DROP_UNKNOWN_SSRC, 0, 1}, f, n);
	sl = pl_rtp(pkt, PT_VIDEO, false, 9, 9, SSRC_VIDEO, 100);
	n = pl_udp_frame(f, &stranger, &e->us4, pkt, sl);
	inject_fault(w, &(struct fault){"unknown source address", RELAIS_DROP_UNKNOWN_SOURCE, 0, 1},
		     f, n);
	p_other_port.port = 40099;
	n = pl_udp_frame(f, &p_other_port, &e->us4, pkt, sl);
	inject_fault(w, &(struct fault){"unknown source port", RELAIS_DROP_UNKNOWN_SOURCE, 0, 1}, f,
		     n);
	n = video_frame(w, f);
	f[n - 1] ^= 0x10; /* last byte of the authentication tag */
	inject_fault(w, &(struct fault){"bad auth tag", RELAIS_DROP_SRTP_AUTH, 0, 1}, f, n);
	/* A packet already delivered: the last good one of the previous step. */
	memcpy(s, w->last_video_frame, w->last_video_len);
	inject_fault(w, &(struct fault){"replay", RELAIS_DROP_SRTP_REPLAY, 0, 2}, s,
		     w->last_video_len);
}

/* Protect pkt/n with peer k's session and frame it from P's IP address,
 * UDP source port sport. */
static size_t frame_from_p_port(struct pl_world *w, struct pl_peer *k, uint16_t sport,
				const uint8_t *pkt, size_t n, bool rtcp, uint8_t *f)
{
	uint8_t s[PL_FRAME_MAX];
	struct pl_ep src = w->p.ep;
	size_t sl = pl_protect(k, pkt, n, rtcp, s);

	src.port = sport;
	return sl ? pl_udp_frame(f, &src, &w->env.us4, s, sl) : 0;
}

/* Only RTCP, and only from the RTP port + 1 (RFC 3550 §11), is taken as
 * the participant's at port - 1 (test_pipeline.c shows it forwarded), and
 * it must still authenticate with that participant's key. */
static void faults_rtcp_port(struct pl_world *w)
{
	uint8_t f[PL_FRAME_MAX], pkt[PL_FRAME_MAX];
	uint16_t rtp_port = w->p.ep.port;
	size_t n;

	n = pl_rtcp_sr(pkt, SSRC_AUDIO, 0xe8a1b2c600000000ull, 7, 1, 100, false, 0);
	n = frame_from_p_port(w, &w->p, (uint16_t)(rtp_port + 2), pkt, n, true, f);
	inject_fault(
	    w, &(struct fault){"SRTCP from RTP port + 2", RELAIS_DROP_UNKNOWN_SOURCE, 0, 1}, f, n);
	n = pl_stream_next(&w->video, pkt);
	n = frame_from_p_port(w, &w->p, (uint16_t)(rtp_port + 1), pkt, n, false, f);
	inject_fault(w, &(struct fault){"SRTP from RTP port + 1", RELAIS_DROP_UNKNOWN_SOURCE, 0, 1},
		     f, n);
	/* A sender SSRC without SRTCP history, so that the replay check (before
	 * authentication) cannot be what drops it. */
	n = pl_rtcp_sr(pkt, 0x5eed0001u, 0xe8a1b2c600000001ull, 8, 1, 100, false, 0);
	n = frame_from_p_port(w, &w->p2, (uint16_t)(rtp_port + 1), pkt, n, true, f);
	inject_fault(
	    w, &(struct fault){"SRTCP from RTP port + 1, other key", RELAIS_DROP_SRTP_AUTH, 0, 1},
	    f, n);
}

/* See pl_scen.h. */
void pl_phase_faults(struct pl_world *w)
{
	faults_l2_l4(w);
	faults_demux(w);
	faults_rtp(w);
	faults_rtcp_port(w);
}

/* Milliseconds of CLOCK_MONOTONIC. */
static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Send n video packets of P; returns the first sequence number. */
static uint16_t send_video(struct pl_world *w, unsigned n)
{
	uint16_t first = w->video.seq;

	for (unsigned i = 0; i < n; i++)
		CHECK(pl_stream_send(w, &w->video) == 0);
	return first;
}

/* S1 leaves while P's video flows: S1 stops, S2 and S3 get everything. */
static void remove_subscriber(struct pl_world *w)
{
	struct pl_env *e = &w->env;
	struct pl_peer *s1 = &w->s[0];
	uint16_t third;
	uint64_t end;
	unsigned late = 0;

	pl_reset(e);
	send_video(w, 20);
	CHECK(pl_wait_rcv(e, 60, WAIT_MS));
	send_video(w, 20); /* in flight while S1 is removed */
	CHECK(pl_ctl(&(struct relais_ctl_msg){.type = RELAIS_CTL_PART_DEL, .u.id.id = ID_S1}) == 0);
	third = send_video(w, 20);
	end = ms_now() + WAIT_MS;
	while ((w->s[1].n_rcv < 60 || w->s[2].n_rcv < 60) && ms_now() < end)
		pl_pump(e, 1);
	pl_pump(e, 30);
	CHECKF(w->s[1].n_rcv == 60 && w->s[2].n_rcv == 60, "S2 %u, S3 %u of 60", w->s[1].n_rcv,
	       w->s[2].n_rcv);
	for (unsigned i = 0; i < s1->n_rcv; i++)
		late += (uint16_t)(pl_r16(s1->rcv[i].b + 2) - third) < 20;
	CHECKF(s1->n_rcv >= 20 && s1->n_rcv <= 40 && late == 0,
	       "removed S1 got %u packets, %u sent after its removal", s1->n_rcv, late);
	for (unsigned i = 0; i < 3; i++)
		CHECK(w->s[i].bad == 0);
	CHECK(e->stray == 0);
}

/* P leaves: its packets become unknown_source, P2 -> S3 continues. */
static void remove_publisher(struct pl_world *w)
{
	struct pl_env *e = &w->env;
	struct relais_ctl_stats before, after;
	uint8_t pkt[PL_FRAME_MAX];

	pl_reset(e);
	pl_stats(&before);
	CHECK(pl_ctl(&(struct relais_ctl_msg){.type = RELAIS_CTL_PART_DEL, .u.id.id = ID_P}) == 0);
	send_video(w, 5);
	CHECK(pl_wait_drop(e, RELAIS_DROP_UNKNOWN_SOURCE,
			   before.drops[RELAIS_DROP_UNKNOWN_SOURCE] + 5, WAIT_MS));
	for (unsigned i = 0; i < 3; i++)
		CHECK(pl_send(e, &w->p2, pkt, pl_stream_next(&w->audio2, pkt), false) == 0);
	CHECK(pl_wait_rcv(e, 3, WAIT_MS));
	pl_stats(&after);
	CHECK(after.drops[RELAIS_DROP_UNKNOWN_SOURCE] - before.drops[RELAIS_DROP_UNKNOWN_SOURCE] ==
	      5);
	CHECK(pl_drops_total(&after) - pl_drops_total(&before) == 5);
	CHECKF(w->s[2].n_rcv == 3 && pl_total_rcv(e) == 3, "S3 got %u from P2, %u in all",
	       w->s[2].n_rcv, pl_total_rcv(e));
	for (unsigned i = 0; i < w->s[2].n_rcv; i++)
		CHECK(pl_r32(w->s[2].rcv[i].b + 8) == w->out_a[2]);
}

/* See pl_scen.h. */
void pl_phase_removal(struct pl_world *w)
{
	remove_subscriber(w);
	remove_publisher(w);
}
