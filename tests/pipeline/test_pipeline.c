/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane end to end on a net_ring port, N worker lcores (argv[1]):
 * neighbour learning, SRTP fan-out across a sequence wrap with reordering,
 * PLI on subscription, subscription switch, RTCP mapping (also from the RTP
 * port + 1), bad input and removal while traffic flows. Every packet the
 * dataplane sends is checked at the Ethernet/IP/UDP level and decrypted
 * with the receiving peer's key by libsrtp2 in the test.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dp_ctl.h"
#include "dp_neigh.h"
#include "pl_scen.h"
#define CHECK_MAIN
#include "check.h"

#define A_N 80 /* audio packets of the media phase */
#define V_N 40
#define A_SEQ0 65500
#define V_SEQ0 65520
#define WAIT_MS 5000

/* A packet sent in the media phase: plaintext and its protected frame. */
struct sent {
	uint8_t plain[800];
	uint16_t plen;
	uint8_t frame[PL_FRAME_MAX];
	uint16_t flen;
};
static struct sent sent_a[A_N], sent_v[V_N];

/* Milliseconds of CLOCK_MONOTONIC. */
static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* See pl_scen.h. */
size_t pl_stream_next(struct pl_stream *st, uint8_t *b)
{
	size_t n = pl_rtp(b, st->pt, st->seq % 5 == 0, st->seq, st->ts, st->ssrc, st->payload);

	st->seq++;
	st->ts += st->ts_step;
	return n;
}

/* See pl_scen.h. */
int pl_stream_send(struct pl_world *w, struct pl_stream *st)
{
	uint8_t pkt[PL_FRAME_MAX], s[PL_FRAME_MAX], f[PL_FRAME_MAX];
	size_t n = pl_stream_next(st, pkt), sl = pl_protect(st->pub, pkt, n, false, s), fl;

	if (sl == 0)
		return -1;
	fl = pl_frame_from(&w->env, st->pub, s, sl, f);
	if (st == &w->video) {
		memcpy(w->last_video_frame, f, fl);
		w->last_video_len = fl;
	}
	return pl_inject(&w->env, f, fl);
}

/* Describe peer p: addresses from text, MAC ending in mac_last. */
static void peer_addr(struct pl_peer *p, const char *name, uint32_t id, const char *ip,
		      uint16_t port, uint8_t mac_last, uint32_t fb)
{
	p->name = name;
	p->id = id;
	p->ep.family = strchr(ip, ':') ? 6 : 4;
	inet_pton(p->ep.family == 4 ? AF_INET : AF_INET6, ip, p->ep.ip);
	p->ep.port = port;
	memcpy(p->ep.mac, (uint8_t[6]){0x02, 0x00, 0x5e, 0x00, 0x00, mac_last}, 6);
	p->fb_ssrc = fb;
}

/* PART_ADD for p. */
static int add_part(const struct pl_peer *p)
{
	struct relais_ctl_msg m;

	pl_part_msg(&m, RELAIS_CTL_PART_ADD, ROOM, p);
	return pl_ctl(&m);
}

/* TRACK_ADD. */
static int add_track(uint32_t id, uint32_t part, uint32_t ssrc, uint8_t kind, uint8_t flags,
		     uint8_t pt, uint32_t clock)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_TRACK_ADD};

	m.u.track = (struct relais_ctl_track){id, part, ssrc, clock, kind, flags, pt};
	return pl_ctl(&m);
}

/* SUB_ADD; with_map maps PT_AUDIO->109 and PT_VIDEO->98. */
static int add_sub(uint32_t id, uint32_t part, uint32_t track, uint32_t out, bool with_map)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_SUB_ADD};

	m.u.sub.sub_id = id;
	m.u.sub.part_id = part;
	m.u.sub.track_id = track;
	m.u.sub.out_ssrc = out;
	if (with_map) {
		m.u.sub.n_pt = 2;
		memcpy(m.u.sub.pt_map, (uint8_t[2][2]){{PT_AUDIO, 109}, {PT_VIDEO, 98}}, 4);
	}
	return pl_ctl(&m);
}

/* A request carrying one id (PART_DEL, SUB_DEL, TRACK_STATS...). */
static int ctl_id(uint16_t type, uint32_t id, struct relais_ctl_reply *r)
{
	struct relais_ctl_msg m = {.type = type};
	struct relais_ctl_reply tmp;

	m.u.id.id = id;
	dp_ctl_apply(&m, r ? r : &tmp);
	return r ? r->status : tmp.status;
}

/* 0 when the world's peers use every profile of RELAIS_SRTP_PROFILES (a
 * new profile must be given to a peer of build_world), else -1. */
static int covers_every_profile(const struct pl_world *w)
{
	const struct pl_peer *peers[] = {&w->p, &w->s[0], &w->s[1], &w->s[2], &w->p2};
	const struct relais_srtp_profile_info *pi;

	for (size_t i = 0; (pi = relais_srtp_profile_at(i)) != NULL; i++) {
		int used = 0;

		for (size_t k = 0; k < sizeof(peers) / sizeof(peers[0]); k++)
			used |= peers[k]->rx_key.profile == pi->id ||
				peers[k]->tx_key.profile == pi->id;
		if (!used) {
			fprintf(stderr, "test_pipeline: no peer uses profile %s\n", pi->name);
			return -1;
		}
	}
	return 0;
}

/* Peers, keys (every profile among them) and the room's objects. */
static int build_world(struct pl_world *w)
{
	struct pl_env *e = &w->env;
	struct relais_ctl_msg m = {.type = RELAIS_CTL_ROOM_ADD};
	int rc = 0;

	peer_addr(&w->p, "P", ID_P, "10.0.0.10", 40000, 0x10, 0xf0000001);
	peer_addr(&w->s[0], "S1", ID_S1, "10.0.0.11", 40001, 0x11, 0xf0000002);
	peer_addr(&w->s[1], "S2", ID_S2, "fd00::12", 40002, 0x12, 0xf0000003);
	peer_addr(&w->s[2], "S3", ID_S3, "10.0.0.13", 40003, 0x13, 0xf0000004);
	peer_addr(&w->p2, "P2", ID_P2, "10.0.0.14", 40004, 0x14, 0xf0000005);
	rc |=
	    pl_peer_init(e, &w->p, RELAIS_SRTP_AES128_CM_SHA1_80, RELAIS_SRTP_AES128_CM_SHA1_80, 1);
	rc |= pl_peer_init(e, &w->s[0], RELAIS_SRTP_AES128_CM_SHA1_80,
			   RELAIS_SRTP_AES128_CM_SHA1_32, 2);
	rc |= pl_peer_init(e, &w->s[1], RELAIS_SRTP_AEAD_AES_128_GCM, RELAIS_SRTP_AEAD_AES_128_GCM,
			   3);
	rc |= pl_peer_init(e, &w->s[2], RELAIS_SRTP_AEAD_AES_256_GCM, RELAIS_SRTP_AEAD_AES_256_GCM,
			   4);
	rc |=
	    pl_peer_init(e, &w->p2, RELAIS_SRTP_AES128_CM_SHA1_32, RELAIS_SRTP_AEAD_AES_128_GCM, 5);
	rc |= covers_every_profile(w);
	m.u.room.room_id = ROOM;
	rc |= pl_ctl(&m);
	rc |= add_part(&w->p) | add_part(&w->s[0]) | add_part(&w->s[1]) | add_part(&w->s[2]) |
	      add_part(&w->p2);
	rc |= add_track(T_AUDIO, ID_P, SSRC_AUDIO, RELAIS_TRACK_AUDIO, 0, PT_AUDIO, 48000);
	rc |= add_track(T_VIDEO, ID_P, 0, RELAIS_TRACK_VIDEO, RELAIS_TRACK_F_LEARN_SSRC, PT_VIDEO,
			90000);
	rc |= add_track(T_AUDIO2, ID_P2, SSRC_AUDIO2, RELAIS_TRACK_AUDIO, 0, PT_AUDIO, 48000);
	for (unsigned i = 0; i < 3; i++) {
		w->out_a[i] = 0xa0000001u + i;
		w->out_v[i] = 0xb0000001u + i;
		rc |= add_sub(SUB_A + i + 1, w->s[i].id, T_AUDIO, w->out_a[i], i == 0);
		rc |= add_sub(SUB_V + i + 1, w->s[i].id, T_VIDEO, w->out_v[i], i == 0);
	}
	w->audio = (struct pl_stream){&w->p, SSRC_AUDIO, PT_AUDIO, A_SEQ0, 0xfffff000u, 960, 100};
	w->video = (struct pl_stream){&w->p, SSRC_VIDEO, PT_VIDEO, V_SEQ0, 0x7ffff000u, 3000, 600};
	w->audio2 = (struct pl_stream){&w->p2, SSRC_AUDIO2, PT_AUDIO, 1000, 5000000, 960, 80};
	return rc;
}

/* Pump until at least n non-UDP frames arrived, or WAIT_MS. */
static bool wait_other(struct pl_env *e, unsigned n)
{
	uint64_t end = ms_now() + WAIT_MS;

	while (e->n_other < n && ms_now() < end)
		pl_pump(e, 1);
	return e->n_other >= n;
}

/* The ARP reply (RFC 826) to peer p's request for our address. */
static void check_arp_reply(const struct pl_env *e, const struct pl_peer *p, const uint8_t *f,
			    size_t len)
{
	const uint8_t *a = f + 14;

	CHECK(len >= 42);
	CHECK_MEM(f, p->ep.mac, 6, "eth dst = peer");
	CHECK_MEM(f + 6, e->app.mac, 6, "eth src = us");
	CHECK(pl_r16(f + 12) == 0x0806);
	CHECK(pl_r16(a) == 1 && pl_r16(a + 2) == 0x0800 && a[4] == 6 && a[5] == 4);
	CHECK(pl_r16(a + 6) == 2); /* reply */
	CHECK_MEM(a + 8, e->app.mac, 6, "sha = our MAC");
	CHECK_MEM(a + 14, e->us4.ip, 4, "spa = our IP");
	CHECK_MEM(a + 18, p->ep.mac, 6, "tha = peer MAC");
	CHECK_MEM(a + 24, p->ep.ip, 4, "tpa = peer IP");
}

/* The Neighbour Advertisement (RFC 4861 §4.4, §7.2.4) to peer p. */
static void check_na(const struct pl_env *e, const struct pl_peer *p, const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14, *icmp = ip + 40;
	uint16_t plen = pl_r16(ip + 4);

	CHECK(len >= 14 + 40 + 32 && plen >= 32 && 54u + plen <= len);
	if (len < 14 + 40 + 32 || plen < 32 || 54u + plen > len)
		return;
	CHECK_MEM(f, p->ep.mac, 6, "eth dst = peer");
	CHECK_MEM(f + 6, e->app.mac, 6, "eth src = us");
	CHECK(pl_r16(f + 12) == 0x86dd);
	CHECK((ip[0] >> 4) == 6 && ip[6] == 58 && ip[7] == 255);
	CHECK_MEM(ip + 8, e->us6.ip, 16, "ip6 src = us");
	CHECK_MEM(ip + 24, p->ep.ip, 16, "ip6 dst = peer");
	CHECK(icmp[0] == 136 && icmp[1] == 0);
	CHECK(pl_csum6(ip, icmp, plen, 58) == 0);
	CHECK((icmp[4] & 0x60) == 0x60); /* Solicited, Override */
	CHECK_MEM(icmp + 8, e->us6.ip, 16, "NA target = our IP");
	CHECK(icmp[24] == 2 && icmp[25] == 1); /* target link-layer address */
	CHECK_MEM(icmp + 26, e->app.mac, 6, "icmp + 26");
}

/* f is the dataplane's ARP request (RFC 826) or NS (RFC 4861 §7.2.2)
 * for peer p's address. */
static bool is_solicit_for(const struct pl_env *e, const struct pl_peer *p, const uint8_t *f,
			   size_t len)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const uint8_t *a = f + 14, *ip = f + 14, *icmp = f + 54;
	const uint8_t mc[6] = {0x33, 0x33, 0xff, p->ep.ip[13], p->ep.ip[14], p->ep.ip[15]};
	const uint8_t sn[16] = {0xff,
				0x02,
				[11] = 0x01,
				[12] = 0xff,
				[13] = p->ep.ip[13],
				[14] = p->ep.ip[14],
				[15] = p->ep.ip[15]};

	if (memcmp(f + 6, e->app.mac, 6) != 0)
		return false;
	if (p->ep.family == 4)
		return len >= 42 && memcmp(f, bcast, 6) == 0 && pl_r16(f + 12) == 0x0806 &&
		       pl_r16(a + 6) == 1 && memcmp(a + 8, e->app.mac, 6) == 0 &&
		       memcmp(a + 14, e->us4.ip, 4) == 0 && memcmp(a + 24, p->ep.ip, 4) == 0;
	return len >= 86 && memcmp(f, mc, 6) == 0 && pl_r16(f + 12) == 0x86dd && ip[6] == 58 &&
	       ip[7] == 255 && memcmp(ip + 8, e->us6.ip, 16) == 0 && memcmp(ip + 24, sn, 16) == 0 &&
	       icmp[0] == 135 && pl_csum6(ip, icmp, pl_r16(ip + 4), 58) == 0 &&
	       memcmp(icmp + 8, p->ep.ip, 16) == 0 && icmp[24] == 1 &&
	       memcmp(icmp + 26, e->app.mac, 6) == 0;
}

/* Adding a participant makes the dataplane resolve its address: one ARP
 * request or NS per peer. */
static void phase_solicit(struct pl_world *w)
{
	struct pl_peer *all[5] = {&w->p, &w->s[0], &w->s[1], &w->s[2], &w->p2};
	struct pl_env *e = &w->env;

	CHECK(wait_other(e, 5));
	pl_pump(e, 60);
	CHECKF(e->n_other == 5 && pl_total_rcv(e) == 0, "%u solicitations", e->n_other);
	for (unsigned i = 0; i < 5; i++) {
		unsigned n = 0;

		for (unsigned j = 0; j < e->n_other; j++)
			n += is_solicit_for(e, all[i], e->other[j].b, e->other[j].len);
		CHECKF(n == 1, "%u ARP requests / NS for %s", n, all[i]->name);
	}
	pl_reset(e);
}

/* Each peer asks for our address; the dataplane answers. It knows the
 * peer's MAC from the peer's answer to its own request (phase_solicit; the
 * harness answers for its peers): a request teaches it nothing. */
static void phase_neigh(struct pl_world *w)
{
	struct pl_peer *all[5] = {&w->p, &w->s[0], &w->s[1], &w->s[2], &w->p2};
	struct pl_env *e = &w->env;
	struct relais_ctl_stats st;
	uint8_t f[PL_FRAME_MAX], mac[6];

	for (unsigned i = 0; i < 5; i++) {
		struct pl_peer *p = all[i];
		size_t n = p->ep.family == 4 ? pl_arp_request(f, &p->ep, e->us4.ip)
					     : pl_nd_solicit(f, &p->ep, e->us6.ip);
		uint64_t end;
		bool learned = false;

		pl_reset(e);
		CHECK(pl_inject(e, f, n) == 0);
		CHECKF(wait_other(e, 1), "no ARP reply / NA to %s", p->name);
		pl_pump(e, 10);
		CHECKF(e->n_other == 1 && pl_total_rcv(e) == 0, "%s: %u frames", p->name,
		       e->n_other);
		if (e->n_other >= 1 && p->ep.family == 4)
			check_arp_reply(e, p, e->other[0].b, e->other[0].len);
		else if (e->n_other >= 1)
			check_na(e, p, e->other[0].b, e->other[0].len);
		for (end = ms_now() + WAIT_MS; !learned && ms_now() < end; pl_pump(e, 1))
			learned = dp_neigh_lookup(p->ep.family, p->ep.ip, mac) == 0;
		CHECKF(learned, "%s's MAC not learned", p->name);
		if (learned)
			CHECK_MEM(mac, p->ep.mac, 6, "mac");
	}
	pl_stats(&st);
	CHECK(st.v[RELAIS_STAT_arp_replies] == 4);
	CHECK(st.v[RELAIS_STAT_nd_replies] == 1);
}

/* Subscriber s got every packet of the stream exactly once as out_ssrc,
 * with PT pt_out and everything else (timestamp, marker, payload) as
 * sent: a continuous sequence seq0.. (first source: numbers unchanged). */
static void verify_stream(const struct pl_peer *s, uint32_t out_ssrc, const struct sent *sent,
			  unsigned n, uint16_t seq0, uint8_t pt_out)
{
	bool seen[A_N] = {false};
	unsigned got = 0, dup = 0, wrong = 0;

	for (unsigned i = 0; i < s->n_rcv; i++) {
		const struct pl_rcv *r = &s->rcv[i];
		uint16_t idx;
		const struct sent *x;

		if (r->rtcp || r->len < 12 || pl_r32(r->b + 8) != out_ssrc)
			continue;
		idx = (uint16_t)(pl_r16(r->b + 2) - seq0);
		if (idx >= n) {
			wrong++;
			continue;
		}
		if (seen[idx]) {
			dup++;
			continue;
		}
		seen[idx] = true;
		got++;
		x = &sent[idx];
		if (r->len != x->plen || r->b[0] != x->plain[0] || (r->b[1] & 0x7f) != pt_out ||
		    (r->b[1] & 0x80) != (x->plain[1] & 0x80) || memcmp(r->b + 4, x->plain + 4, 4) ||
		    memcmp(r->b + 12, x->plain + 12, x->plen - 12u))
			wrong++;
	}
	CHECKF(got == n && dup == 0 && wrong == 0,
	       "%s SSRC %08x: %u of %u packets, %u duplicates, %u wrong", s->name, out_ssrc, got, n,
	       dup, wrong);
}

/* Protect every packet of the media phase in sequence order. */
static int prepare_media(struct pl_world *w)
{
	struct pl_env *e = &w->env;
	uint8_t s[PL_FRAME_MAX];
	size_t sl;

	for (unsigned i = 0; i < A_N + V_N; i++) {
		bool a = i < A_N;
		struct sent *x = a ? &sent_a[i] : &sent_v[i - A_N];
		struct pl_stream *st = a ? &w->audio : &w->video;

		x->plen = (uint16_t)pl_stream_next(st, x->plain);
		sl = pl_protect(st->pub, x->plain, x->plen, false, s);
		if (sl == 0)
			return -1;
		x->flen = (uint16_t)pl_frame_from(e, st->pub, s, sl, x->frame);
	}
	memcpy(w->last_video_frame, sent_v[V_N - 1].frame, sent_v[V_N - 1].flen);
	w->last_video_len = sent_v[V_N - 1].flen;
	return 0;
}

/* Swap a[i] and a[i + 1]. */
static void swap_next(unsigned *a, unsigned i)
{
	unsigned t = a[i];

	a[i] = a[i + 1];
	a[i + 1] = t;
}

/* Audio and video across the sequence wrap, some pairs reordered (the
 * wrap itself among them); every subscriber gets everything once. */
static void phase_media(struct pl_world *w)
{
	struct pl_env *e = &w->env;
	struct relais_ctl_stats before, after;
	struct relais_ctl_reply r;
	unsigned pa[A_N], pv[V_N];

	CHECK(prepare_media(w) == 0);
	for (unsigned i = 0; i < A_N; i++)
		pa[i] = i;
	for (unsigned i = 0; i < V_N; i++)
		pv[i] = i;
	swap_next(pa, 10);
	swap_next(pa, 65535 - A_SEQ0); /* 0 before 65535 */
	swap_next(pv, 65535 - V_SEQ0);
	swap_next(pv, 30);
	pl_reset(e);
	pl_stats(&before);
	for (unsigned i = 0; i < A_N; i++) {
		CHECK(pl_inject(e, sent_a[pa[i]].frame, sent_a[pa[i]].flen) == 0);
		if (i < V_N)
			CHECK(pl_inject(e, sent_v[pv[i]].frame, sent_v[pv[i]].flen) == 0);
	}
	CHECK(pl_wait_rcv(e, 3 * (A_N + V_N), WAIT_MS));
	for (unsigned i = 0; i < 3; i++) {
		const struct pl_peer *s = &w->s[i];

		CHECKF(s->n_rcv == A_N + V_N && s->bad == 0, "%s: %u packets, %u bad", s->name,
		       s->n_rcv, s->bad);
		verify_stream(s, w->out_a[i], sent_a, A_N, A_SEQ0, i == 0 ? 109 : PT_AUDIO);
		verify_stream(s, w->out_v[i], sent_v, V_N, V_SEQ0, i == 0 ? 98 : PT_VIDEO);
	}
	CHECKF(w->p.n_rcv == 0 && w->p2.n_rcv == 0, "no PLI before the video SSRC is known");
	CHECK(e->stray == 0 && e->n_other == 0);
	pl_stats(&after);
	CHECKF(pl_drops_total(&after) == pl_drops_total(&before), "%llu drops in the media phase",
	       (unsigned long long)(pl_drops_total(&after) - pl_drops_total(&before)));
	CHECK(ctl_id(RELAIS_CTL_TRACK_STATS, T_VIDEO, &r) == 0);
	CHECKF(r.u.track_stats.ssrc == SSRC_VIDEO, "learned video SSRC %08x", r.u.track_stats.ssrc);
}

/* r is a PLI (RFC 4585 §6.3.1) from sender about media. */
static bool is_pli(const struct pl_rcv *r, uint32_t sender, uint32_t media)
{
	return r->rtcp && r->len == 12 && r->b[0] == 0x81 && r->b[1] == 206 &&
	       pl_r16(r->b + 2) == 2 && pl_r32(r->b + 4) == sender && pl_r32(r->b + 8) == media;
}

/* r is a generic NACK (RFC 4585 §6.2.1) with one FCI (pid, blp). */
static bool is_nack(const struct pl_rcv *r, uint32_t sender, uint32_t media, uint16_t pid,
		    uint16_t blp)
{
	return r->rtcp && r->len == 16 && r->b[0] == 0x81 && r->b[1] == 205 &&
	       pl_r16(r->b + 2) == 3 && pl_r32(r->b + 4) == sender && pl_r32(r->b + 8) == media &&
	       pl_r16(r->b + 12) == pid && pl_r16(r->b + 14) == blp;
}

/* A new subscriber on the (learned) video track: P gets one PLI. */
static void phase_pli_on_subscribe(struct pl_world *w)
{
	struct pl_env *e = &w->env;
	struct relais_ctl_stats before, after;

	pl_reset(e);
	pl_stats(&before);
	CHECK(add_sub(SUB_EXTRA, ID_S1, T_VIDEO, 0xc0000001u, false) == 0);
	CHECK(pl_wait_rcv(e, 1, WAIT_MS));
	CHECKF(w->p.n_rcv == 1 && pl_total_rcv(e) == 1 && w->p.bad == 0,
	       "P got %u packets (%u bad), %u in all", w->p.n_rcv, w->p.bad, pl_total_rcv(e));
	if (w->p.n_rcv >= 1)
		CHECKF(is_pli(&w->p.rcv[0], w->p.fb_ssrc, SSRC_VIDEO),
		       "PLI to P: len %u, SSRCs %08x %08x", w->p.rcv[0].len,
		       pl_r32(w->p.rcv[0].b + 4), pl_r32(w->p.rcv[0].b + 8));
	pl_stats(&after);
	CHECK(after.v[RELAIS_STAT_pli_sent] == before.v[RELAIS_STAT_pli_sent] + 1);
	CHECK(ctl_id(RELAIS_CTL_SUB_DEL, SUB_EXTRA, NULL) == 0);
}

/* Audio packets from P that every audio subscriber got, then S3's audio
 * subscription switched to P2's track while both publishers send. */
static void phase_switch(struct pl_world *w)
{
	static uint8_t p2plain[10][PL_FRAME_MAX];
	struct pl_env *e = &w->env;
	struct pl_peer *s3 = &w->s[2];
	struct relais_ctl_msg m = {.type = RELAIS_CTL_SUB_SWITCH};
	uint16_t p2seq0 = w->audio2.seq, last = 0;
	uint32_t p2ts0 = w->audio2.ts, last_ts = 0, ts0 = 0, gap;
	uint64_t t0 = ms_now(), elapsed;
	unsigned ok = 0;

	pl_reset(e);
	for (unsigned i = 0; i < 5; i++)
		CHECK(pl_stream_send(w, &w->audio) == 0);
	CHECK(pl_wait_rcv(e, 15, WAIT_MS));
	CHECK(s3->n_rcv == 5 && pl_total_rcv(e) == 15);
	if (s3->n_rcv > 0) {
		last = pl_r16(s3->rcv[s3->n_rcv - 1].b + 2);
		last_ts = pl_r32(s3->rcv[s3->n_rcv - 1].b + 4);
	}
	m.u.sw.sub_id = SUB_A + 3;
	m.u.sw.track_id = T_AUDIO2;
	CHECK(pl_ctl(&m) == 0);
	pl_reset(e);
	usleep(20000);
	for (unsigned i = 0; i < 10; i++) {
		size_t n = pl_stream_next(&w->audio2, p2plain[i]);

		CHECK(pl_send(e, &w->p2, p2plain[i], n, false) == 0);
		CHECK(pl_stream_send(w, &w->audio) == 0);
	}
	CHECK(pl_wait_rcv(e, 30, WAIT_MS));
	elapsed = ms_now() - t0;
	CHECKF(w->s[0].n_rcv == 10 && w->s[1].n_rcv == 10 && s3->n_rcv == 10 &&
		   pl_total_rcv(e) == 30,
	       "after the switch: S1 %u, S2 %u, S3 %u packets", w->s[0].n_rcv, w->s[1].n_rcv,
	       s3->n_rcv);
	if (s3->n_rcv > 0)
		ts0 = pl_r32(s3->rcv[0].b + 4);
	for (unsigned i = 0; i < s3->n_rcv && i < 10; i++) {
		const struct pl_rcv *r = &s3->rcv[i];

		ok += !r->rtcp && r->len == 92 && pl_r32(r->b + 8) == w->out_a[2] &&
		      pl_r16(r->b + 2) == (uint16_t)(last + 1 + i) &&
		      pl_r32(r->b + 4) == ts0 + 960 * i && (r->b[1] & 0x7f) == PT_AUDIO &&
		      memcmp(r->b + 12, p2plain[i] + 12, 80) == 0;
	}
	CHECKF(ok == 10, "%u of 10 switched packets continue S3's stream", ok);
	gap = ts0 - last_ts; /* >= the 20 ms pause, <= the whole phase, 48 kHz */
	CHECKF(gap >= 19 * 48 && gap <= (elapsed + 5) * 48, "timestamp advanced by %u in %llu ms",
	       gap, (unsigned long long)elapsed);
	w->s3_last_seq = (uint16_t)(last + 10);
	w->s3_seq_off = (uint16_t)(last + 1 - p2seq0);
	w->s3_ts_off = ts0 - p2ts0;
}

/* Subscribers' PLI and NACKs reach the publishers in their numbering. */
static void phase_feedback(struct pl_world *w)
{
	struct pl_env *e = &w->env;
	struct relais_ctl_stats before, after;
	uint16_t pid3 = (uint16_t)(w->s3_last_seq - 2);
	uint8_t b[64];
	unsigned pli = 0, nack = 0;

	pl_pump(e, 150); /* past the PLI rate limit of the subscribe PLI */
	pl_reset(e);
	pl_stats(&before);
	CHECK(pl_send(e, &w->s[1], b, pl_rtcp_pli(b, 0x5200, w->out_v[1]), true) == 0);
	CHECK(pl_send(e, &w->s[0], b, pl_rtcp_nack(b, 0x5100, w->out_a[0], A_SEQ0 + 30, 5), true) ==
	      0);
	CHECK(pl_send(e, &w->s[2], b, pl_rtcp_nack(b, 0x5300, w->out_a[2], pid3, 0x8001), true) ==
	      0);
	CHECK(pl_wait_rcv(e, 3, WAIT_MS));
	CHECK(w->p.n_rcv == 2 && w->p2.n_rcv == 1 && pl_total_rcv(e) == 3);
	for (unsigned i = 0; i < w->p.n_rcv; i++) {
		pli += is_pli(&w->p.rcv[i], w->p.fb_ssrc, SSRC_VIDEO);
		nack += is_nack(&w->p.rcv[i], w->p.fb_ssrc, SSRC_AUDIO, A_SEQ0 + 30, 5);
	}
	CHECKF(pli == 1 && nack == 1, "P: %u PLI, %u NACK as expected", pli, nack);
	CHECKF(w->p2.n_rcv == 1 && is_nack(&w->p2.rcv[0], w->p2.fb_ssrc, SSRC_AUDIO2,
					   (uint16_t)(pid3 - w->s3_seq_off), 0x8001),
	       "P2: NACK for its own sequence %u", (uint16_t)(pid3 - w->s3_seq_off));
	pl_stats(&after);
	CHECK(after.v[RELAIS_STAT_fb_forwarded] == before.v[RELAIS_STAT_fb_forwarded] + 3);
	CHECK(pl_drops_total(&after) == pl_drops_total(&before));
}

/* r is an SR without report blocks from ssrc with the given NTP and RTP
 * timestamps. */
static bool is_sr(const struct pl_rcv *r, uint32_t ssrc, uint64_t ntp, uint32_t ts)
{
	return r->rtcp && r->len == 28 && r->b[0] == 0x80 && r->b[1] == 200 &&
	       pl_r16(r->b + 2) == 6 && pl_r32(r->b + 4) == ssrc &&
	       pl_r32(r->b + 8) == (uint32_t)(ntp >> 32) && pl_r32(r->b + 12) == (uint32_t)ntp &&
	       pl_r32(r->b + 16) == ts;
}

/* Publisher SRs go to the subscribers of their track, rewritten; an RR
 * goes nowhere. */
static void phase_reports(struct pl_world *w)
{
	const uint64_t ntp = 0xe8a1b2c3d4e5f607ull, ntp2 = 0xe8a1b2c400000001ull;
	struct pl_env *e = &w->env;
	struct relais_ctl_stats before, after;
	uint8_t b[64];

	pl_reset(e);
	pl_stats(&before);
	CHECK(pl_send(e, &w->p, b,
		      pl_rtcp_sr(b, SSRC_AUDIO, ntp, 0x12345678, 1000, 96000, true, 0x5100),
		      true) == 0);
	CHECK(pl_send(e, &w->p2, b, pl_rtcp_sr(b, SSRC_AUDIO2, ntp2, 0x55555555, 10, 800, false, 0),
		      true) == 0);
	CHECK(pl_wait_rcv(e, 3, WAIT_MS));
	CHECK(pl_total_rcv(e) == 3);
	for (unsigned i = 0; i < 3; i++)
		CHECKF(w->s[i].n_rcv == 1, "%s got %u SRs", w->s[i].name, w->s[i].n_rcv);
	CHECK(w->s[0].n_rcv && is_sr(&w->s[0].rcv[0], w->out_a[0], ntp, 0x12345678));
	CHECK(w->s[1].n_rcv && is_sr(&w->s[1].rcv[0], w->out_a[1], ntp, 0x12345678));
	CHECK(w->s[2].n_rcv &&
	      is_sr(&w->s[2].rcv[0], w->out_a[2], ntp2, 0x55555555u + w->s3_ts_off));
	pl_stats(&after);
	CHECK(after.v[RELAIS_STAT_sr_forwarded] == before.v[RELAIS_STAT_sr_forwarded] + 3);

	pl_reset(e);
	pl_stats(&before);
	CHECK(pl_send(e, &w->p, b, pl_rtcp_rr(b, SSRC_AUDIO, 0x5100), true) == 0);
	CHECK(pl_wait_drop(e, RELAIS_DROP_RTCP_UNHANDLED,
			   before.drops[RELAIS_DROP_RTCP_UNHANDLED] + 1, WAIT_MS));
	pl_pump(e, 30);
	pl_stats(&after);
	CHECK(after.drops[RELAIS_DROP_RTCP_UNHANDLED] ==
	      before.drops[RELAIS_DROP_RTCP_UNHANDLED] + 1);
	CHECK(pl_drops_total(&after) == pl_drops_total(&before) + 1);
	CHECK(pl_total_rcv(e) == 0 && e->n_other == 0);
}

/* Without rtcp-mux, RTCP comes from the RTP port + 1 (RFC 3550 §11; ffmpeg
 * sends its SRTCP so). P's SR from port 40001 reaches S1 and S2 rewritten,
 * S2's PLI from [fd00::12]:40003 reaches P; neither is unknown_source. */
static void phase_rtcp_next_port(struct pl_world *w)
{
	const uint64_t ntp = 0xe8a1b2c5a0000000ull;
	struct pl_env *e = &w->env;
	struct relais_ctl_stats before, after;
	uint8_t b[64];

	pl_pump(e, 150); /* past the PLI rate limit of phase_feedback's PLI */
	pl_reset(e);
	pl_stats(&before);
	CHECK(pl_send_from(e, &w->p, (uint16_t)(w->p.ep.port + 1), b,
			   pl_rtcp_sr(b, SSRC_AUDIO, ntp, 0x12350000, 1100, 105600, false, 0),
			   true) == 0);
	CHECK(pl_send_from(e, &w->s[1], (uint16_t)(w->s[1].ep.port + 1), b,
			   pl_rtcp_pli(b, 0x5200, w->out_v[1]), true) == 0);
	CHECK(pl_wait_rcv(e, 3, WAIT_MS));
	CHECKF(w->s[0].n_rcv == 1 && w->s[1].n_rcv == 1 && w->p.n_rcv == 1 && pl_total_rcv(e) == 3,
	       "S1 %u, S2 %u SRs, P %u PLIs, %u packets in all", w->s[0].n_rcv, w->s[1].n_rcv,
	       w->p.n_rcv, pl_total_rcv(e));
	CHECK(w->s[0].n_rcv && is_sr(&w->s[0].rcv[0], w->out_a[0], ntp, 0x12350000));
	CHECK(w->s[1].n_rcv && is_sr(&w->s[1].rcv[0], w->out_a[1], ntp, 0x12350000));
	CHECK(w->p.n_rcv && is_pli(&w->p.rcv[0], w->p.fb_ssrc, SSRC_VIDEO));
	pl_stats(&after);
	CHECK(after.v[RELAIS_STAT_rtcp_port_plus_one] ==
	      before.v[RELAIS_STAT_rtcp_port_plus_one] + 2);
	CHECK(after.v[RELAIS_STAT_sr_forwarded] == before.v[RELAIS_STAT_sr_forwarded] + 2);
	CHECK(after.v[RELAIS_STAT_fb_forwarded] == before.v[RELAIS_STAT_fb_forwarded] + 1);
	CHECK(after.drops[RELAIS_DROP_UNKNOWN_SOURCE] == before.drops[RELAIS_DROP_UNKNOWN_SOURCE]);
	CHECK(pl_drops_total(&after) == pl_drops_total(&before));
}

/* usage: test_pipeline N (worker lcores, 1..8). */
int main(int argc, char **argv)
{
	static struct pl_world w;
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 2;
	char name[32];

	if (n < 1 || n > PL_MAX_TXQ) {
		fprintf(stderr, "usage: %s N (worker lcores, 1..%d)\n", argv[0], PL_MAX_TXQ);
		return 2;
	}
	snprintf(name, sizeof(name), "pipeline_%uw", n);
	if (pl_setup(&w.env, argv[0], n) < 0) {
		fprintf(stderr, "%s: cannot start the dataplane on net_ring\n", name);
		return 1;
	}
	CHECK(build_world(&w) == 0);
	phase_solicit(&w);
	phase_neigh(&w);
	phase_media(&w);
	phase_pli_on_subscribe(&w);
	phase_switch(&w);
	phase_feedback(&w);
	phase_reports(&w);
	phase_rtcp_next_port(&w);
	pl_phase_faults(&w);
	pl_phase_removal(&w);
	pl_teardown(&w.env);
	return check_summary(name);
}
