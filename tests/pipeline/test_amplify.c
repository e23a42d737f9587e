/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais never turns what it is given into more than it was given, and
 * nobody on the L2 segment re-points its media (issue 11, "Amplification
 * and L2"). The real dataplane on net_ring, 2 workers; `rtcp` or `neigh`:
 *  rtcp:  a subscriber's flood of NACKs yields at most its bucket's worth
 *         upstream (rtcp.nack_burst + rtcp.nack_rate per second), every
 *         other one counted nack_rate; a publisher's flood of SRs is fanned
 *         out at most rtcp.sr_burst + rtcp.sr_rate per second times, the
 *         rest counted sr_rate; once the flood stops, a NACK passes again.
 *  neigh: an unsolicited ARP reply, a gratuitous ARP request and reply for
 *         a subscriber's address (another MAC) change nothing: its media
 *         still goes to its MAC, each counted neigh_unsolicited; a reply to
 *         our own request is learned; a stale entry is still used and
 *         re-solicited; a flood of replies nobody asked for adds nothing;
 *         a full table evicts its oldest entry; an unconfirmed entry expires.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <relais/srtp_profile.h>

#include "dp_neigh.h"
#include "pl_harness.h"
#define CHECK_MAIN
#include "check.h"

#define ROOM 1
#define ID_P 1
#define ID_S 2
#define ID_S2 3
#define TRACK 10
#define SSRC 0x1000u
#define OUT_S 0x5002u
#define OUT_S2 0x5003u
#define WAIT_MS 3000
#define NACK_RATE 10
#define NACK_BURST 20
#define SR_RATE 2
#define SR_BURST 4
#define STALE_S 3
#define EXPIRE_S 5
#define TABLE 64

static struct pl_env env;
static struct pl_peer p = {.name = "P", .id = ID_P}, s = {.name = "S", .id = ID_S},
		      s2 = {.name = "S2", .id = ID_S2};
static uint16_t seq = 1;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Small budgets and a fast-ageing, small neighbour table. */
static void config(struct dp_config *c)
{
	c->nack_rate = NACK_RATE;
	c->nack_burst = NACK_BURST;
	c->sr_rate = SR_RATE;
	c->sr_burst = SR_BURST;
	c->neigh_stale_s = STALE_S;
	c->neigh_expire_s = EXPIRE_S;
	c->neigh_entries = TABLE;
}

static void peer(struct pl_peer *x, const char *ip, uint8_t mac_last, unsigned seed)
{
	x->ep = (struct pl_ep){.family = 4, .port = 40000, .mac = {2, 0, 0x5e, 0, 1, mac_last}};
	inet_pton(AF_INET, ip, x->ep.ip);
	x->fb_ssrc = 0xfb000000u + x->id;
	CHECK(pl_peer_init(&env, x, RELAIS_SRTP_AES128_CM_SHA1_80, RELAIS_SRTP_AES128_CM_SHA1_80,
			   seed) == 0);
}

/* Room, P publishing one audio track, S and S2 subscribed; the peers
 * answer the dataplane's requests for them, so every MAC is known. */
static void build(void)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_ROOM_ADD};

	peer(&p, "10.0.0.10", 0x10, 1);
	peer(&s, "10.0.0.11", 0x11, 2);
	peer(&s2, "10.0.0.12", 0x12, 3);
	m.u.room.room_id = ROOM;
	CHECK(pl_ctl(&m) == 0);
	pl_part_msg(&m, RELAIS_CTL_PART_ADD, ROOM, &p);
	CHECK(pl_ctl(&m) == 0);
	pl_part_msg(&m, RELAIS_CTL_PART_ADD, ROOM, &s);
	CHECK(pl_ctl(&m) == 0);
	pl_part_msg(&m, RELAIS_CTL_PART_ADD, ROOM, &s2);
	CHECK(pl_ctl(&m) == 0);
	m = (struct relais_ctl_msg){.type = RELAIS_CTL_TRACK_ADD};
	m.u.track = (struct relais_ctl_track){TRACK, ID_P,          SSRC, 48000, RELAIS_TRACK_AUDIO,
					      0,     RELAIS_PT_ANY, 0};
	CHECK(pl_ctl(&m) == 0);
	CHECK(pl_sub_add(1, ID_S, TRACK, OUT_S) == 0);
	CHECK(pl_sub_add(2, ID_S2, TRACK, OUT_S2) == 0);
	CHECK(pl_wait_neigh(&env, &p, WAIT_MS) && pl_wait_neigh(&env, &s, WAIT_MS) &&
	      pl_wait_neigh(&env, &s2, WAIT_MS));
}

/* P sends n RTP packets; S and S2 must each receive them. */
static void media(unsigned n, const char *phase)
{
	uint8_t pkt[PL_FRAME_MAX];
	unsigned bs = s.n_rcv, bs2 = s2.n_rcv;

	for (unsigned i = 0; i < n; i++, seq++)
		CHECK(pl_send(&env, &p, pkt, pl_rtp(pkt, 111, false, seq, 960u * seq, SSRC, 100),
			      false) == 0);
	pl_wait_rcv(&env, pl_total_rcv(&env) + 2 * n, WAIT_MS);
	CHECKF(s.n_rcv == bs + n && s2.n_rcv == bs2 + n && s.bad == 0 && s2.bad == 0,
	       "%s: S got %u, S2 %u of %u (bad %u, %u)", phase, s.n_rcv - bs, s2.n_rcv - bs2, n,
	       s.bad, s2.bad);
}

static uint64_t drops(unsigned reason)
{
	struct relais_ctl_stats st;

	pl_stats(&st);
	return st.drops[reason];
}

static uint64_t stat(unsigned which)
{
	struct relais_ctl_stats st;

	pl_stats(&st);
	return st.v[which];
}

/* S floods n NACKs about its stream: P gets at most the bucket's worth. */
static void nack_flood(unsigned n)
{
	uint8_t b[64];
	uint64_t d0 = drops(RELAIS_DROP_NACK_RATE), f0 = stat(RELAIS_STAT_fb_forwarded);
	double t0 = now_s(), secs;
	unsigned got, bound;

	pl_reset(&env);
	for (unsigned i = 0; i < n; i++)
		CHECK(pl_send(&env, &s, b, pl_rtcp_nack(b, 0x5100, OUT_S, seq - 1, 0), true) == 0);
	pl_wait_drop(&env, RELAIS_DROP_NACK_RATE, d0 + n - NACK_BURST, WAIT_MS);
	pl_pump(&env, 50);
	secs = now_s() - t0;
	got = p.n_rcv;
	bound = NACK_BURST + (unsigned)(NACK_RATE * secs) + 1;
	CHECKF(got >= NACK_BURST && got <= bound, "%u NACKs of %u reached P in %.2f s (<= %u)", got,
	       n, secs, bound);
	CHECKF(drops(RELAIS_DROP_NACK_RATE) - d0 == n - got, "nack_rate counted %llu of %u",
	       (unsigned long long)(drops(RELAIS_DROP_NACK_RATE) - d0), n - got);
	CHECK(stat(RELAIS_STAT_fb_forwarded) - f0 == got);
	CHECK(p.bad == 0);
}

/* P floods n SRs: each subscriber gets at most the bucket's worth. */
static void sr_flood(unsigned n)
{
	uint8_t b[64];
	uint64_t d0 = drops(RELAIS_DROP_SR_RATE), f0 = stat(RELAIS_STAT_sr_forwarded);
	double t0 = now_s(), secs;
	unsigned bound;

	pl_reset(&env);
	for (unsigned i = 0; i < n; i++)
		CHECK(pl_send(&env, &p, b,
			      pl_rtcp_sr(b, SSRC, 0xe8a1b2c500000000ull + i, 960u * seq, i, i,
					 false, 0),
			      true) == 0);
	pl_wait_drop(&env, RELAIS_DROP_SR_RATE, d0 + n - SR_BURST, WAIT_MS);
	pl_pump(&env, 50);
	secs = now_s() - t0;
	bound = SR_BURST + (unsigned)(SR_RATE * secs) + 1;
	CHECKF(s.n_rcv >= SR_BURST && s.n_rcv <= bound && s2.n_rcv == s.n_rcv,
	       "S got %u, S2 %u of %u SRs in %.2f s (<= %u)", s.n_rcv, s2.n_rcv, n, secs, bound);
	CHECK(drops(RELAIS_DROP_SR_RATE) - d0 == n - s.n_rcv);
	CHECK(stat(RELAIS_STAT_sr_forwarded) - f0 == 2ull * s.n_rcv);
}

/* The budgets refill: after a second, one NACK passes again. */
static void refill(void)
{
	uint8_t b[64];
	uint64_t d0 = drops(RELAIS_DROP_NACK_RATE);

	pl_pump(&env, 1000);
	pl_reset(&env);
	CHECK(pl_send(&env, &s, b, pl_rtcp_nack(b, 0x5100, OUT_S, seq - 1, 0), true) == 0);
	CHECKF(pl_wait_rcv(&env, 1, WAIT_MS) && p.n_rcv == 1, "P got %u NACKs after a pause",
	       p.n_rcv);
	CHECK(drops(RELAIS_DROP_NACK_RATE) == d0);
}

/* S's MAC is what the table says for its address. */
static bool maps_to(const struct pl_ep *ep, const uint8_t mac[6])
{
	uint8_t m[6];

	return dp_neigh_lookup(4, ep->ip, m) >= 0 && memcmp(m, mac, 6) == 0;
}

/* Somebody else claims S's address: nothing changes, media still to S. */
static void spoof(void)
{
	struct pl_ep evil = s.ep;
	uint8_t f[PL_FRAME_MAX];
	uint64_t d0 = drops(RELAIS_DROP_NEIGH_UNSOLICITED);

	evil.mac[5] = 0xee;
	env.peers_silent = true;
	pl_pump(&env, DP_NEIGH_PENDING_MS + 200); /* no request of ours pending */
	CHECK(pl_inject(&env, f, pl_arp_reply(f, &evil, &env.us4)) == 0);
	CHECK(pl_inject(&env, f, pl_arp_gratuitous(f, &evil, false)) == 0);
	CHECK(pl_inject(&env, f, pl_arp_gratuitous(f, &evil, true)) == 0);
	CHECKF(pl_wait_drop(&env, RELAIS_DROP_NEIGH_UNSOLICITED, d0 + 3, WAIT_MS),
	       "3 unsolicited ARP counted: %llu",
	       (unsigned long long)(drops(RELAIS_DROP_NEIGH_UNSOLICITED) - d0));
	pl_pump(&env, 50);
	CHECK(maps_to(&s.ep, s.ep.mac));
	pl_reset(&env);
	media(5, "after spoofed ARP");
}

/* Add a participant at x (the harness does not answer for it), wait for
 * the dataplane's request for x and answer it as x's host would; true once
 * the table maps x to its MAC. */
static bool add_and_answer(uint32_t id, const struct pl_ep *x)
{
	struct relais_ctl_msg m;
	struct pl_peer tmp = {.id = id, .ep = *x, .rx_key = p.rx_key, .tx_key = p.tx_key};
	uint8_t f[PL_FRAME_MAX], family, tgt[16];
	bool asked = false;

	pl_reset(&env);
	pl_part_msg(&m, RELAIS_CTL_PART_ADD, ROOM, &tmp);
	CHECK(pl_ctl(&m) == 0);
	for (unsigned t = 0; t < WAIT_MS && !asked; t++) {
		pl_pump(&env, 1);
		for (unsigned i = 0; i < env.n_other; i++)
			asked |= pl_neigh_request(env.other[i].b, env.other[i].len, &family, tgt) &&
				 memcmp(tgt, x->ip, 4) == 0;
	}
	CHECK(asked && pl_inject(&env, f, pl_arp_reply(f, x, &env.us4)) == 0);
	for (unsigned t = 0; t < WAIT_MS && !maps_to(x, x->mac); t++)
		pl_pump(&env, 1);
	return maps_to(x, x->mac);
}

/* A participant the harness does not answer for: the dataplane asks, its
 * reply is learned. */
static void solicited(struct pl_ep *x)
{
	uint64_t l0 = stat(RELAIS_STAT_neigh_learned);

	*x = (struct pl_ep){.family = 4, .port = 40000, .mac = {2, 0, 0x5e, 0, 2, 0x30}};
	inet_pton(AF_INET, "10.0.0.30", x->ip);
	CHECKF(add_and_answer(9, x), "the answer to our request is learned");
	CHECK(stat(RELAIS_STAT_neigh_learned) == l0 + 1);
}

/* Past neigh.stale_s S's entry is still used, and asked for again. */
static void stale(void)
{
	uint8_t family, tgt[16];
	unsigned asked = 0;

	for (unsigned t = 0;
	     t < (STALE_S + 2) * 1000 && dp_neigh_lookup(4, s.ep.ip, (uint8_t[6]){0}) == 0; t += 20)
		pl_pump(&env, 20);
	CHECK(dp_neigh_lookup(4, s.ep.ip, (uint8_t[6]){0}) == DP_NEIGH_STALE);
	pl_reset(&env);
	media(1, "stale entry");
	for (unsigned i = 0; i < env.n_other; i++)
		asked += pl_neigh_request(env.other[i].b, env.other[i].len, &family, tgt) &&
			 memcmp(tgt, s.ep.ip, 4) == 0;
	CHECKF(asked >= 1, "S's stale entry re-solicited (%u requests)", asked);
}

/* Replies nobody asked for, from TABLE * 3 addresses: none learned. */
static void junk(void)
{
	uint8_t f[PL_FRAME_MAX];
	uint64_t d0 = drops(RELAIS_DROP_NEIGH_UNSOLICITED), l0 = stat(RELAIS_STAT_neigh_learned);
	struct pl_ep j = {.family = 4, .mac = {2, 0, 0x5e, 0, 3, 0}};

	for (unsigned i = 0; i < TABLE * 3; i++) {
		j.ip[0] = 10;
		j.ip[3] = (uint8_t)(100 + i % 150);
		j.ip[2] = (uint8_t)(i / 150);
		j.mac[5] = (uint8_t)i;
		CHECK(pl_inject(&env, f, pl_arp_reply(f, &j, &env.us4)) == 0);
	}
	CHECK(pl_wait_drop(&env, RELAIS_DROP_NEIGH_UNSOLICITED, d0 + TABLE * 3, WAIT_MS));
	CHECK(stat(RELAIS_STAT_neigh_learned) == l0);
}

/* TABLE + 8 answered requests: the table keeps TABLE, evicting the oldest. */
static void evict(void)
{
	uint64_t e0 = stat(RELAIS_STAT_neigh_evicted);
	struct pl_ep a = {.family = 4, .port = 40000, .mac = {2, 0, 0x5e, 0, 4, 0}};
	unsigned kept = 0;

	inet_pton(AF_INET, "10.0.1.0", a.ip);
	for (unsigned i = 0; i < TABLE + 8; i++) {
		a.ip[3] = (uint8_t)(1 + i);
		a.mac[5] = (uint8_t)i;
		CHECKF(add_and_answer(100 + i, &a), "entry %u learned", i);
	}
	for (unsigned i = 0; i < TABLE + 8; i++) {
		a.ip[3] = (uint8_t)(1 + i);
		kept += dp_neigh_lookup(4, a.ip, (uint8_t[6]){0}) >= 0;
	}
	CHECKF(kept <= TABLE && stat(RELAIS_STAT_neigh_evicted) - e0 >= 8,
	       "%u of %u kept, %llu evicted", kept, TABLE + 8,
	       (unsigned long long)(stat(RELAIS_STAT_neigh_evicted) - e0));
	a.ip[3] = (uint8_t)(TABLE + 8);
	CHECK(dp_neigh_lookup(4, a.ip, (uint8_t[6]){0}) >= 0); /* the newest stays */
}

/* Nobody confirms x for neigh.expire_s: it is removed. */
static void expire(const struct pl_ep *x)
{
	uint64_t x0 = stat(RELAIS_STAT_neigh_expired);

	for (unsigned t = 0; t < (EXPIRE_S + 3) * 1000 && maps_to(x, x->mac); t += 50)
		pl_pump(&env, 50);
	CHECKF(!maps_to(x, x->mac), "an unconfirmed entry expires");
	CHECK(stat(RELAIS_STAT_neigh_expired) > x0);
}

int main(int argc, char **argv)
{
	bool rtcp = argc > 1 && strcmp(argv[1], "rtcp") == 0;
	struct pl_ep x;

	pl_config_hook = config;
	pl_sizes.participants = 256;
	if (pl_setup(&env, argv[0], 2) < 0)
		return 1;
	build();
	media(3, "first packets");
	if (rtcp) {
		nack_flood(300);
		sr_flood(60);
		refill();
	} else {
		spoof();
		solicited(&x);
		stale();
		junk();
		expire(&x);
		evict();
	}
	pl_teardown(&env);
	return check_summary(rtcp ? "amplify_rtcp" : "amplify_neigh");
}
