/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Output SRTP index uniqueness (issue 11, docs/crypto.md "Output index
 * uniqueness"), with the engine given in argv[1] and every profile of
 * RELAIS_SRTP_PROFILES as the subscriber's outbound key.
 *
 * Subscriber S receives one output SSRC X while its source changes:
 *   1. sub on publisher A's track, A's stream crossing seq 65535 -> 0;
 *   2. deleted and added again with out_ssrc X on B's track, whose
 *      numbers start 5 behind the last output (passed through, they would
 *      be encrypted under indexes already used); then a late packet of B
 *      behind its first (its output index is used: refused, counted as
 *      srtp_index_used) and a resend of B's last SRTP packet (refused at
 *      the input as srtp_replay);
 *   3. deleted and added again on the same track B, which skipped ahead;
 *   4. SUB_SWITCH back to A, whose own numbers are behind the output.
 * Every frame to S is decrypted by libsrtp2 (the harness's receiving
 * session, replay window 1024) and must decrypt; the whole capture is one
 * continuous sequence from the first packet (so each re-add continues at
 * last + 1), and no (SSRC, 48-bit index) appears twice. Finally the bound
 * on output streams per participant refuses the next out_ssrc.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <relais/srtp_profile.h>

#include "dp_ctl.h"
#include "dp_tables.h"
#include "pl_harness.h"
#define CHECK_MAIN
#include "check.h"

#define N 40       /* packets per phase */
#define SEQ0 65500 /* A's first sequence number: output crosses the wrap */
#define OUT_X 0x0c0ffee0u
#define WAIT_MS 5000

struct pub {
	struct pl_peer peer;
	uint32_t ssrc, track;
	uint16_t seq;               /* next sequence number */
	uint8_t last[PL_FRAME_MAX]; /* the last SRTP packet sent */
	size_t last_len;
};

/* One profile's world: room, publishers A and B, subscriber S. */
struct world {
	struct pl_env *e;
	const char *prof;
	uint32_t room;
	struct pub a, b;
	struct pl_peer s;
	unsigned out;    /* outputs S should have received so far */
	uint64_t drops0; /* drops before this profile */
};

static int part_add(uint32_t room, const struct pl_peer *p)
{
	struct relais_ctl_msg m;

	pl_part_msg(&m, RELAIS_CTL_PART_ADD, room, p);
	return pl_ctl(&m);
}

static int track_add(const struct pub *p)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_TRACK_ADD};

	m.u.track = (struct relais_ctl_track){p->track,           p->peer.id, p->ssrc,       48000,
					      RELAIS_TRACK_AUDIO, 0,          RELAIS_PT_ANY, 0};
	return pl_ctl(&m);
}

/* SUB_ADD (part, out_ssrc) on track; returns the status, err filled. */
static int sub_add(uint32_t sub, uint32_t part, uint32_t track, uint32_t out_ssrc,
		   struct relais_ctl_reply *r)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_SUB_ADD};

	m.u.sub.sub_id = sub;
	m.u.sub.part_id = part;
	m.u.sub.track_id = track;
	m.u.sub.out_ssrc = out_ssrc;
	dp_ctl_apply(&m, r);
	return r->status;
}

static int sub_del(uint32_t sub)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_SUB_DEL};

	m.u.id.id = sub;
	return pl_ctl(&m);
}

static int sub_switch(uint32_t sub, uint32_t track)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_SUB_SWITCH};

	m.u.sw.sub_id = sub;
	m.u.sw.track_id = track;
	return pl_ctl(&m);
}

/* Protect p's packet of sequence seq into p->last, frame and inject it. */
static void send_seq(struct world *w, struct pub *p, uint16_t seq)
{
	uint8_t pkt[PL_FRAME_MAX], f[PL_FRAME_MAX];
	size_t len = pl_rtp(pkt, 111, false, seq, 960u * seq, p->ssrc, 100);

	p->last_len = pl_protect(&p->peer, pkt, len, false, p->last);
	CHECK(p->last_len > 0);
	CHECK(pl_inject(w->e, f, pl_frame_from(w->e, &p->peer, p->last, p->last_len, f)) == 0);
}

/* Send n packets of p from its next sequence number; S must receive n. */
static void stream(struct world *w, struct pub *p, unsigned n, const char *phase)
{
	static struct relais_ctl_stats st0, st;

	pl_stats(&st0);
	for (unsigned i = 0; i < n; i++)
		send_seq(w, p, p->seq++);
	w->out += n;
	CHECKF(pl_wait_rcv(w->e, w->out, WAIT_MS) && w->s.n_rcv == w->out,
	       "%s %s: S holds %u packets, want %u", w->prof, phase, w->s.n_rcv, w->out);
	pl_stats(&st);
	for (unsigned r = 1; r < RELAIS_DROP_MAX; r++)
		if (st.drops[r] != st0.drops[r])
			fprintf(stderr, "%s %s: %llu %s drops\n", w->prof, phase,
				(unsigned long long)(st.drops[r] - st0.drops[r]),
				relais_drop_name(r));
}

/* Inject p's last SRTP packet again `times` times (a publisher's plain
 * retransmission when seq is p->seq - 1), or first send seq: no frame may
 * reach S and the drop counter `reason` must grow by `times`. */
static void refused(struct world *w, struct pub *p, bool resend, uint16_t seq, unsigned reason,
		    const char *what)
{
	uint8_t f[PL_FRAME_MAX];
	struct relais_ctl_stats st;
	unsigned times = resend ? 2 : 1;
	uint64_t d0;

	pl_stats(&st);
	d0 = st.drops[reason];
	if (!resend)
		send_seq(w, p, seq);
	else
		for (unsigned i = 0; i < times; i++)
			CHECK(pl_inject(w->e, f,
					pl_frame_from(w->e, &p->peer, p->last, p->last_len, f)) ==
			      0);
	CHECKF(pl_wait_drop(w->e, reason, d0 + times, WAIT_MS), "%s %s: not counted", w->prof,
	       what);
	pl_pump(w->e, 30);
	pl_stats(&st);
	CHECKF(st.drops[reason] == d0 + times, "%s %s: %llu drops, want %u", w->prof, what,
	       (unsigned long long)(st.drops[reason] - d0), times);
	CHECKF(w->s.n_rcv == w->out, "%s %s: reached S", w->prof, what);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The capture: every packet decrypted (no bad frame), SSRC X, one
 * continuous sequence from SEQ0, and no (SSRC, index) twice, the index
 * estimated as the receiver does (RFC 3711 App. A, in arrival order). */
static void check_capture(struct world *w)
{
	uint64_t idx[PL_MAX_RCV];
	uint32_t roc = 0;
	uint16_t s_l = 0;

	CHECKF(w->s.bad == 0, "%s: %u frames to S did not decrypt", w->prof, w->s.bad);
	for (unsigned i = 0; i < w->s.n_rcv; i++) {
		const uint8_t *b = w->s.rcv[i].b;
		uint16_t seq = pl_r16(b + 2);
		uint32_t v = roc;

		CHECKF(!w->s.rcv[i].rtcp && pl_r32(b + 8) == OUT_X, "%s: packet %u not X", w->prof,
		       i);
		CHECKF(seq == (uint16_t)(SEQ0 + i), "%s: packet %u: seq %u, want %u", w->prof, i,
		       seq, (uint16_t)(SEQ0 + i));
		if (i > 0) {
			if (s_l < 32768 && seq - s_l > 32768)
				v = roc - 1;
			else if (s_l >= 32768 && s_l - 32768 > seq)
				v = roc + 1;
		}
		idx[i] = (uint64_t)v << 16 | seq;
		if (i == 0 || idx[i] > ((uint64_t)roc << 16 | s_l)) {
			roc = v;
			s_l = seq;
		}
	}
	qsort(idx, w->s.n_rcv, sizeof(idx[0]), cmp_u64);
	for (unsigned i = 1; i < w->s.n_rcv; i++)
		CHECKF(idx[i] != idx[i - 1], "%s: index %llu used twice", w->prof,
		       (unsigned long long)idx[i]);
}

/* The scenario for one outbound profile in w (kept until teardown: the
 * harness keeps its peers registered); base makes ids and addresses
 * unique per profile. */
static void run_profile(struct world *w, struct pl_env *e, uint16_t profile, const char *name,
			unsigned base)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_ROOM_ADD};
	struct relais_ctl_reply r;
	struct relais_ctl_stats st;
	uint8_t f[PL_FRAME_MAX];
	uint16_t last, b0;

	memset(w, 0, sizeof(*w));
	pl_reset(e);
	w->e = e;
	w->prof = name;
	w->room = base;
	pl_peer_at(&w->a.peer, "A", base + 1, base + 1);
	pl_peer_at(&w->b.peer, "B", base + 2, base + 2);
	pl_peer_at(&w->s, "S", base + 3, base + 3);
	w->a.ssrc = 0xaaaa0000u + base;
	w->a.track = base * 10 + 1;
	w->a.seq = SEQ0;
	w->b.ssrc = 0xbbbb0000u + base;
	w->b.track = base * 10 + 2;
	CHECK(pl_peer_init(e, &w->a.peer, profile, profile, base * 3 + 1) == 0);
	CHECK(pl_peer_init(e, &w->b.peer, profile, profile, base * 3 + 2) == 0);
	CHECK(pl_peer_init(e, &w->s, profile, profile, base * 3 + 3) == 0);
	m.u.room.room_id = w->room;
	CHECK(pl_ctl(&m) == 0);
	CHECK(part_add(w->room, &w->a.peer) == 0 && part_add(w->room, &w->b.peer) == 0 &&
	      part_add(w->room, &w->s) == 0);
	CHECK(track_add(&w->a) == 0 && track_add(&w->b) == 0);
	pl_inject(e, f, pl_arp_request(f, &w->a.peer.ep, e->us4.ip));
	pl_inject(e, f, pl_arp_request(f, &w->b.peer.ep, e->us4.ip));
	pl_inject(e, f, pl_arp_request(f, &w->s.ep, e->us4.ip));
	/* S's MAC first: an output dropped as no_neighbor after protection
	 * would leave S's receiver behind the rollover counter. */
	CHECK(pl_wait_neigh(e, &w->s, WAIT_MS) && pl_wait_neigh(e, &w->a.peer, WAIT_MS) &&
	      pl_wait_neigh(e, &w->b.peer, WAIT_MS));
	pl_stats(&st);
	w->drops0 = pl_drops_total(&st);

	/* 1. A through X, across the wrap. */
	CHECK(sub_add(base * 10 + 1, w->s.id, w->a.track, OUT_X, &r) == 0);
	stream(w, &w->a, N, "A");
	last = (uint16_t)(SEQ0 + N - 1);
	/* 2. Deleted, added again with X on B, B's numbers 5 behind. */
	CHECK(sub_del(base * 10 + 1) == 0);
	CHECK(sub_add(base * 10 + 2, w->s.id, w->b.track, OUT_X, &r) == 0);
	b0 = (uint16_t)(last - 5);
	w->b.seq = b0;
	stream(w, &w->b, N, "re-add on B, behind");
	/* B's packet before b0, late: its output index (last) is used. */
	refused(w, &w->b, false, (uint16_t)(b0 - 1), RELAIS_DROP_SRTP_INDEX_USED,
		"late packet under a used index");
	/* B's last packet again, twice, byte for byte: the input refuses it. */
	send_seq(w, &w->b, w->b.seq++);
	w->out++;
	CHECK(pl_wait_rcv(e, w->out, WAIT_MS) && w->s.n_rcv == w->out);
	refused(w, &w->b, true, 0, RELAIS_DROP_SRTP_REPLAY, "resend of a forwarded packet");
	/* 3. Deleted, added again on the same track B, which skipped ahead. */
	CHECK(sub_del(base * 10 + 2) == 0);
	CHECK(sub_add(base * 10 + 3, w->s.id, w->b.track, OUT_X, &r) == 0);
	w->b.seq = (uint16_t)(w->b.seq + 3);
	stream(w, &w->b, N, "re-add on B, ahead");
	/* 4. SUB_SWITCH back to A, whose numbers are behind the output. */
	CHECK(sub_switch(base * 10 + 3, w->a.track) == 0);
	stream(w, &w->a, N, "switch to A");
	check_capture(w);
	pl_stats(&st);
	CHECKF(pl_drops_total(&st) - w->drops0 == 3, "%s: %llu drops, want 3", name,
	       (unsigned long long)(pl_drops_total(&st) - w->drops0));
}

/* The bound: DP_MAX_OSTREAMS_PER_PART out_ssrc values per participant
 * over its lifetime, the next refused with ENOSPC and a sentence; an
 * out_ssrc it already had is still accepted. */
static void bound(struct pl_env *e)
{
	static struct pl_peer p, s;
	struct relais_ctl_msg m = {.type = RELAIS_CTL_ROOM_ADD};
	struct relais_ctl_reply r;
	static struct pub pb;
	unsigned ok = 0;

	pl_peer_at(&p, "P", 901, 201);
	pl_peer_at(&s, "T", 902, 202);
	CHECK(pl_peer_init(e, &p, RELAIS_SRTP_AES128_CM_SHA1_80, RELAIS_SRTP_AES128_CM_SHA1_80,
			   90) == 0);
	CHECK(pl_peer_init(e, &s, RELAIS_SRTP_AES128_CM_SHA1_80, RELAIS_SRTP_AES128_CM_SHA1_80,
			   91) == 0);
	m.u.room.room_id = 900;
	CHECK(pl_ctl(&m) == 0 && part_add(900, &p) == 0 && part_add(900, &s) == 0);
	pb.peer = p;
	pb.ssrc = 0x99990000u;
	pb.track = 9001;
	CHECK(track_add(&pb) == 0);
	for (uint32_t i = 0; i < DP_MAX_OSTREAMS_PER_PART; i++) {
		if (sub_add(100000 + i, s.id, pb.track, 0x70000000u + i, &r) != 0) {
			fprintf(stderr, "sub_add %u: %s\n", i, r.error);
			break;
		}
		ok++;
		CHECK(sub_del(100000 + i) == 0);
	}
	CHECK(ok == DP_MAX_OSTREAMS_PER_PART);
	CHECK(sub_add(200000, s.id, pb.track, 0x6fffffffu, &r) == -ENOSPC &&
	      strstr(r.error, "output SSRCs") != NULL);
	CHECK(sub_add(200001, s.id, pb.track, 0x70000000u, &r) == 0);
	/* Deleting the participant frees its streams (checked by ASan runs). */
	m = (struct relais_ctl_msg){.type = RELAIS_CTL_PART_DEL};
	m.u.id.id = s.id;
	CHECK(pl_ctl(&m) == 0);
}

#define PROFILE_ROW_(sfx, id, name, ...) {RELAIS_SRTP_##sfx, name},

int main(int argc, char **argv)
{
	static struct pl_env e;
	static struct world worlds[RELAIS_SRTP_PROFILE_COUNT];
	static const struct {
		uint16_t id;
		const char *name;
	} profiles[] = {RELAIS_SRTP_PROFILES(PROFILE_ROW_)};
	unsigned i;

	if (argc < 2)
		return 2;
	pl_sizes.subs = 2 * DP_MAX_OSTREAMS_PER_PART; /* bound(): deleted ids wait for RCU */
	if (pl_setup_engine(&e, argv[0], 2, argv[1]) < 0)
		return 1;
	for (i = 0; i < RELAIS_SRTP_PROFILE_COUNT; i++)
		run_profile(&worlds[i], &e, profiles[i].id, profiles[i].name, 10 * (i + 1));
	bound(&e);
	pl_teardown(&e);
	return check_summary(argv[1]);
}
