/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Consent before media (issue 11, "no traffic cannon"; media.consent), on
 * a net_ring port with two workers: a subscriber programmed at an address
 * receives nothing, RTP or RTCP, until an SRTP/SRTCP packet from exactly
 * that address authenticates with its key. Not consent: a forged packet
 * from its address, an authenticated one from its port + 1. A move to a
 * new address (PART_REKEY) takes consent away until the new address sends.
 * The operator's override (media.consent = off) sends at once. Every
 * packet not sent is counted as no_consent. Consent asks the publisher of
 * a video subscription for a key frame (the first ones went nowhere).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <relais/srtp_profile.h>

#define CHECK_MAIN
#include "check.h"
#include "dp_config.h"
#include "pl_harness.h"
#include "pl_net.h"

#define ROOM 1
#define ID_P 10
#define ID_S 11
#define ID_T 12
#define TRACK 100
#define SSRC 0x0ddba11u
#define WAIT_MS 5000

static struct pl_env env;
static uint16_t seq = 1000;

/* Peer at IPv4 ip:port with an id and its keys. */
static int peer(struct pl_peer *p, const char *name, uint32_t id, const char *ip, uint16_t port)
{
	p->name = name;
	p->id = id;
	p->ep.family = 4;
	inet_pton(AF_INET, ip, p->ep.ip);
	p->ep.port = port;
	memcpy(p->ep.mac, (uint8_t[6]){0x02, 0x00, 0x5e, 0x00, 0x02, (uint8_t)id}, 6);
	p->fb_ssrc = 0xfb000000u + id;
	return pl_peer_init(&env, p, RELAIS_SRTP_AES128_CM_SHA1_80, RELAIS_SRTP_AES128_CM_SHA1_80,
			    id);
}

/* PART_ADD or PART_REKEY of p in ROOM. Its status. */
static int part(uint16_t type, const struct pl_peer *p)
{
	struct relais_ctl_msg m;

	pl_part_msg(&m, type, ROOM, p);
	return pl_ctl(&m);
}

/* The room, P publishing TRACK, S and T subscribed; their neighbours
 * known (ARP) so that nothing is lost to no_neighbor. */
static int build(struct pl_peer *p, struct pl_peer *s, struct pl_peer *t)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_ROOM_ADD};
	uint8_t f[PL_FRAME_MAX];
	int rc;

	m.u.room.room_id = ROOM;
	rc = pl_ctl(&m);
	rc |= part(RELAIS_CTL_PART_ADD, p) | part(RELAIS_CTL_PART_ADD, s) |
	      part(RELAIS_CTL_PART_ADD, t);
	m = (struct relais_ctl_msg){.type = RELAIS_CTL_TRACK_ADD};
	m.u.track = (struct relais_ctl_track){TRACK, ID_P,          SSRC, 90000, RELAIS_TRACK_VIDEO,
					      0,     RELAIS_PT_ANY, 0};
	rc |= pl_ctl(&m);
	rc |= pl_sub_add(1, ID_S, TRACK, 0x5001) | pl_sub_add(2, ID_T, TRACK, 0x5002);
	pl_inject(&env, f, pl_arp_request(f, &p->ep, env.us4.ip));
	pl_inject(&env, f, pl_arp_request(f, &s->ep, env.us4.ip));
	pl_inject(&env, f, pl_arp_request(f, &t->ep, env.us4.ip));
	pl_pump(&env, 50);
	return rc;
}

/* A counter summed over lcores: drop reason (is_drop) or stats value. */
static uint64_t counter(bool is_drop, unsigned idx)
{
	struct relais_ctl_stats st;

	pl_stats(&st);
	return is_drop ? st.drops[idx] : st.v[idx];
}

/* Pump until peer p holds n packets (then 30 ms more), or WAIT_MS. */
static bool wait_peer(const struct pl_peer *p, unsigned n)
{
	for (unsigned t = 0; t < WAIT_MS && p->n_rcv < n; t += 5)
		pl_pump(&env, 5);
	pl_pump(&env, 30);
	return p->n_rcv >= n;
}

/* P sends n RTP packets and an SR; returns when they were handled (the
 * dataplane counted n decryptions more). */
static void publish(struct pl_peer *p, unsigned n)
{
	uint64_t ok = counter(false, RELAIS_STAT_decrypt_ok);
	uint8_t pkt[PL_FRAME_MAX];
	size_t len;

	for (unsigned i = 0; i < n; i++) {
		len = pl_rtp(pkt, 111, false, seq, 960u * seq, SSRC, 100);
		CHECK(pl_send(&env, p, pkt, len, false) == 0);
		seq++;
	}
	len = pl_rtcp_sr(pkt, SSRC, 0x0102030405060708ull, 960u * seq, n, 100 * n, false, 0);
	CHECK(pl_send(&env, p, pkt, len, true) == 0);
	CHECK(pl_wait_stat(&env, RELAIS_STAT_decrypt_ok, ok + n + 1, WAIT_MS));
	pl_pump(&env, 30);
}

/* A receiver report of s, from its port + port_delta (0: its address). */
static void report(struct pl_peer *s, uint16_t port_delta)
{
	uint8_t pkt[PL_FRAME_MAX];
	size_t len = pl_rtcp_rr(pkt, s->fb_ssrc, SSRC);

	CHECK(pl_send_from(&env, s, (uint16_t)(s->ep.port + port_delta), pkt, len, true) == 0);
}

/* A report of s with its tag corrupted, from its address: what a forger
 * at that address without s's key can send. */
static void forged_report(struct pl_peer *s)
{
	uint8_t pkt[PL_FRAME_MAX], srtcp[PL_FRAME_MAX], f[PL_FRAME_MAX];
	size_t len = pl_rtcp_rr(pkt, s->fb_ssrc, SSRC);
	size_t n = pl_protect(s, pkt, len, true, srtcp);

	CHECK(n > 0);
	srtcp[n - 1] ^= 0x5a;
	CHECK(pl_inject(&env, f, pl_frame_from(&env, s, srtcp, n, f)) == 0);
}

/* Before consent: S and T get nothing, every copy counted no_consent. A
 * forged report from S's address and an authenticated one from its
 * port + 1 do not change that. */
static void before(struct pl_peer *p, struct pl_peer *s, struct pl_peer *t)
{
	uint64_t nc = counter(true, RELAIS_DROP_NO_CONSENT);
	uint64_t auth = counter(true, RELAIS_DROP_SRTP_AUTH);

	publish(p, 10);
	CHECKF(s->n_rcv == 0 && t->n_rcv == 0, "before consent: S got %u, T got %u", s->n_rcv,
	       t->n_rcv);
	CHECKF(counter(true, RELAIS_DROP_NO_CONSENT) >= nc + 20,
	       "no_consent counts every copy: %llu",
	       (unsigned long long)(counter(true, RELAIS_DROP_NO_CONSENT) - nc));
	forged_report(s);
	CHECKF(pl_wait_drop(&env, RELAIS_DROP_SRTP_AUTH, auth + 1, WAIT_MS),
	       "the forged report fails authentication");
	report(s, 1); /* authenticated, but from port + 1 */
	CHECK(pl_wait_stat(&env, RELAIS_STAT_rtcp_port_plus_one, 1, WAIT_MS));
	pl_pump(&env, 30);
	CHECKF(counter(false, RELAIS_STAT_consents) == 1, "only P consented (its own RTP): %llu",
	       (unsigned long long)counter(false, RELAIS_STAT_consents));
	publish(p, 10);
	CHECKF(s->n_rcv == 0 && t->n_rcv == 0, "after the forgery: S got %u, T got %u", s->n_rcv,
	       t->n_rcv);
}

/* S reports from its address: S receives from now on (RTP and the SR),
 * T still nothing. */
static void consented(struct pl_peer *p, struct pl_peer *s, struct pl_peer *t)
{
	uint64_t pli;

	pl_pump(&env, 120); /* past the track's PLI interval (100 ms) */
	pli = counter(false, RELAIS_STAT_pli_sent);
	report(s, 0);
	CHECK(pl_wait_stat(&env, RELAIS_STAT_consents, 2, WAIT_MS));
	CHECKF(pl_wait_stat(&env, RELAIS_STAT_pli_sent, pli + 1, WAIT_MS),
	       "S's consent asks P for a key frame");
	publish(p, 10);
	CHECKF(wait_peer(s, 11) && s->n_rcv == 11, "S received %u of 10 RTP + 1 SR", s->n_rcv);
	CHECKF(s->bad == 0, "%u frames to S failed", s->bad);
	CHECKF(t->n_rcv == 0, "T never reported: got %u", t->n_rcv);
}

/* S moves to a new port (PART_REKEY): nothing until the new address
 * reports; the old address reporting does not count. */
static void moved(struct pl_peer *p, struct pl_peer *s)
{
	uint64_t rekeys = counter(false, RELAIS_STAT_rekeys);
	unsigned got = s->n_rcv;

	s->ep.port = 4100;
	CHECK(part(RELAIS_CTL_PART_REKEY, s) == 0);
	CHECK(pl_wait_stat(&env, RELAIS_STAT_rekeys, rekeys + 1, WAIT_MS));
	pl_pump(&env, 20);
	publish(p, 10);
	CHECKF(s->n_rcv == got, "after the move, before consent: S got %u", s->n_rcv - got);
	report(s, 0);
	CHECK(pl_wait_stat(&env, RELAIS_STAT_consents, 3, WAIT_MS));
	publish(p, 10);
	CHECKF(wait_peer(s, got + 11) && s->n_rcv == got + 11,
	       "after the new address reported: S got %u of 11", s->n_rcv - got);
}

/* media.consent = off (the operator's override): T, which never sent a
 * packet, receives; the setting's values. */
static void override(struct pl_peer *p, struct pl_peer *t)
{
	struct dp_config c;
	char err[128];

	dp_config_defaults(&c);
	CHECK(c.consent_required);
	CHECK(dp_config_set(&c, "media.consent=off", err, sizeof(err)) == 0 && !c.consent_required);
	CHECK(dp_config_set(&c, "media.consent=required", err, sizeof(err)) == 0 &&
	      c.consent_required);
	CHECKF(dp_config_set(&c, "media.consent=maybe", err, sizeof(err)) == -EINVAL &&
		   strstr(err, "media.consent"),
	       "media.consent=maybe: %s", err);
	env.app.cfg.consent_required = false;
	publish(p, 10);
	CHECKF(wait_peer(t, 11) && t->n_rcv == 11, "override: T received %u of 11", t->n_rcv);
}

int main(int argc, char **argv)
{
	static struct pl_peer p, s, t;

	(void)argc;
	pl_consent_required = true;
	if (pl_setup(&env, argv[0], 2) < 0)
		return 1;
	CHECK(peer(&p, "P", ID_P, "10.0.0.10", 4000) == 0);
	CHECK(peer(&s, "S", ID_S, "10.0.0.11", 4000) == 0);
	CHECK(peer(&t, "T", ID_T, "10.0.0.12", 4000) == 0);
	CHECK(build(&p, &s, &t) == 0);
	before(&p, &s, &t);
	consented(&p, &s, &t);
	moved(&p, &s);
	override(&p, &t);
	pl_teardown(&env);
	return check_summary("consent");
}
