/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-place re-keying (PART_REKEY) with the engine given in argv[1]: a
 * publisher's stream crosses the sequence wrap (ROC 1) under its first
 * keys, then the publisher and its subscriber get new keys while the
 * stream goes on. Every packet after the change decrypts at the
 * subscriber under the subscriber's new key with the rollover counter
 * carried over; the publisher's old key is no longer accepted; nothing
 * else is dropped. Refusals name what a re-key may not change. Then both
 * move (PART_REKEY with a new address, as a browser that changes network):
 * media follows the subscriber to its new address with the output
 * numbering continued, the publisher is accepted from its new address and
 * no longer from its old one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dp_ctl.h"
#include "pl_harness.h"
#define CHECK_MAIN
#include "check.h"

#define ROOM 1
#define ID_P 10
#define ID_S 11
#define TRACK 100
#define SSRC 0x0ddba11u
#define OUT_SSRC 0x5ca1ab1eu
#define WAIT_MS 5000

static uint16_t seq = 65500;

/* Peer at ip:port with an id. */
static void peer_at(struct pl_peer *p, const char *name, uint32_t id, const char *ip, uint16_t port,
		    uint8_t mac_last)
{
	p->name = name;
	p->id = id;
	p->ep.family = 4;
	inet_pton(AF_INET, ip, p->ep.ip);
	p->ep.port = port;
	memcpy(p->ep.mac, (uint8_t[6]){0x02, 0x00, 0x5e, 0x00, 0x01, mac_last}, 6);
	p->fb_ssrc = 0xfb000000u + id;
}

/* PART_ADD or PART_REKEY for p with its current keys. */
static int part_msg(uint16_t type, const struct pl_peer *p, struct relais_ctl_reply *r)
{
	struct relais_ctl_msg m;

	pl_part_msg(&m, type, ROOM, p);
	dp_ctl_apply(&m, r);
	return r->status;
}

/* The room, P publishing one track, S subscribed to it. */
static int build(struct pl_env *e, struct pl_peer *p, struct pl_peer *s)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_ROOM_ADD};
	struct relais_ctl_reply r;
	uint8_t f[PL_FRAME_MAX];
	int rc;

	m.u.room.room_id = ROOM;
	rc = pl_ctl(&m);
	rc |= part_msg(RELAIS_CTL_PART_ADD, p, &r) | part_msg(RELAIS_CTL_PART_ADD, s, &r);
	m = (struct relais_ctl_msg){.type = RELAIS_CTL_TRACK_ADD};
	m.u.track = (struct relais_ctl_track){TRACK, ID_P,          SSRC, 48000, RELAIS_TRACK_AUDIO,
					      0,     RELAIS_PT_ANY, 0};
	rc |= pl_ctl(&m);
	m = (struct relais_ctl_msg){.type = RELAIS_CTL_SUB_ADD};
	m.u.sub.sub_id = 1;
	m.u.sub.part_id = ID_S;
	m.u.sub.track_id = TRACK;
	m.u.sub.out_ssrc = OUT_SSRC;
	rc |= pl_ctl(&m);
	pl_inject(e, f, pl_arp_request(f, &p->ep, e->us4.ip));
	pl_inject(e, f, pl_arp_request(f, &s->ep, e->us4.ip));
	pl_pump(e, 50);
	return rc;
}

/* Send n packets from P; S must receive exactly n more, all decrypting
 * (under S's current key) to what P sent, with continuous output seq. */
static void stream(struct pl_env *e, struct pl_peer *p, struct pl_peer *s, unsigned n,
		   const char *phase)
{
	unsigned before = s->n_rcv, bad = s->bad;
	uint8_t pkt[PL_FRAME_MAX];

	for (unsigned i = 0; i < n; i++) {
		size_t len = pl_rtp(pkt, 111, false, seq, 960u * seq, SSRC, 100);

		CHECK(pl_send(e, p, pkt, len, false) == 0);
		seq++;
	}
	CHECKF(pl_wait_rcv(e, before + n, WAIT_MS) && s->n_rcv == before + n,
	       "%s: S received %u of %u", phase, s->n_rcv - before, n);
	CHECKF(s->bad == bad, "%s: %u frames to S failed", phase, s->bad - bad);
	for (unsigned i = before; i < s->n_rcv; i++) {
		uint16_t want = (uint16_t)(seq - n + (i - before));

		CHECKF(pl_r16(s->rcv[i].b + 2) == want && pl_r32(s->rcv[i].b + 8) == OUT_SSRC,
		       "%s: packet %u: seq %u (want %u)", phase, i, pl_r16(s->rcv[i].b + 2), want);
	}
}

/* What a re-key must refuse, and leave unchanged. */
static void refusals(struct pl_peer *p)
{
	struct pl_peer q = *p;
	struct relais_ctl_reply r;

	q.rx_key.profile = RELAIS_SRTP_AEAD_AES_256_GCM;
	CHECK(part_msg(RELAIS_CTL_PART_REKEY, &q, &r) == -EINVAL && strstr(r.error, "profile"));
	q = *p;
	q.id = 999;
	CHECK(part_msg(RELAIS_CTL_PART_REKEY, &q, &r) == -ENOENT);
}

/* A copy of k with every key and salt byte changed. */
static struct relais_srtp_key changed(const struct relais_srtp_key *k)
{
	struct relais_srtp_key n = *k;

	for (unsigned i = 0; i < sizeof(n.key); i++)
		n.key[i] ^= 0xa5;
	for (unsigned i = 0; i < sizeof(n.salt); i++)
		n.salt[i] ^= 0x3c;
	return n;
}

/* Moves: S and then P get a new port with the same keys. Refused: a
 * move to an address in use, or outside media.allow_dst. */
static void moves(struct pl_env *e, struct pl_peer *p, struct pl_peer *s)
{
	struct pl_peer q = *s;
	struct relais_ctl_reply r;
	struct relais_ctl_stats st;
	uint8_t pkt[PL_FRAME_MAX];
	uint64_t rekeys, unknown;
	size_t len;

	q.ep = p->ep;
	CHECKF(part_msg(RELAIS_CTL_PART_REKEY, &q, &r) == -EADDRINUSE, "in use: %s", r.error);
	e->app.cfg.n_allow_dst = 1;
	e->app.cfg.allow_dst[0] = (struct dp_prefix){.family = 4, .len = 32};
	memcpy(e->app.cfg.allow_dst[0].ip, s->ep.ip, 4);
	q = *s;
	inet_pton(AF_INET, "10.0.0.99", q.ep.ip);
	CHECKF(part_msg(RELAIS_CTL_PART_REKEY, &q, &r) == -EACCES, "allow_dst: %s", r.error);
	e->app.cfg.n_allow_dst = 0;
	pl_stats(&st);
	rekeys = st.v[RELAIS_STAT_rekeys];
	s->ep.port = 41101;
	CHECK(part_msg(RELAIS_CTL_PART_REKEY, s, &r) == 0);
	CHECK(pl_wait_stat(e, RELAIS_STAT_rekeys, rekeys + 1, WAIT_MS));
	stream(e, p, s, 20, "after S moved");
	p->ep.port = 41100;
	CHECK(part_msg(RELAIS_CTL_PART_REKEY, p, &r) == 0);
	CHECK(pl_wait_stat(e, RELAIS_STAT_rekeys, rekeys + 2, WAIT_MS));
	pl_pump(e, 20); /* the control thread retires the old address */
	stream(e, p, s, 20, "after P moved");
	pl_stats(&st);
	unknown = st.drops[RELAIS_DROP_UNKNOWN_SOURCE];
	len = pl_rtp(pkt, 111, false, seq++, 0, SSRC, 100);
	CHECK(pl_send_from(e, p, 41000, pkt, len, false) == 0);
	CHECKF(pl_wait_drop(e, RELAIS_DROP_UNKNOWN_SOURCE, unknown + 1, WAIT_MS),
	       "P's old address is no longer P's");
}

int main(int argc, char **argv)
{
	static struct pl_env e;
	static struct pl_peer p, s, old;
	struct relais_ctl_reply r;
	struct relais_ctl_stats st;
	struct relais_srtp_key p_rx, s_tx;
	uint8_t pkt[PL_FRAME_MAX];
	size_t len;

	if (argc < 2)
		return 2;
	pl_sizes.participants = 64;
	if (pl_setup_engine(&e, argv[0], 2, argv[1]) < 0)
		return 1;
	peer_at(&p, "P", ID_P, "10.0.0.30", 41000, 0x30);
	peer_at(&s, "S", ID_S, "10.0.0.31", 41001, 0x31);
	CHECK(pl_peer_init(&e, &p, RELAIS_SRTP_AES128_CM_SHA1_80, RELAIS_SRTP_AES128_CM_SHA1_80,
			   21) == 0);
	CHECK(pl_peer_init(&e, &s, RELAIS_SRTP_AES128_CM_SHA1_80, RELAIS_SRTP_AEAD_AES_128_GCM,
			   22) == 0);
	CHECK(build(&e, &p, &s) == 0);
	stream(&e, &p, &s, 60, "before (across the wrap)");
	refusals(&p);
	/* New keys: P sends with p_rx, S receives with s_tx. */
	old = p;
	p_rx = changed(&p.rx_key);
	s_tx = changed(&s.tx_key);
	p.rx_key = p_rx;
	s.tx_key = s_tx;
	CHECK(part_msg(RELAIS_CTL_PART_REKEY, &p, &r) == 0);
	CHECK(part_msg(RELAIS_CTL_PART_REKEY, &s, &r) == 0);
	CHECK(pl_wait_stat(&e, RELAIS_STAT_rekeys, 2, WAIT_MS));
	CHECK(pl_peer_rekey(&p, &p_rx, NULL) == 0 && pl_peer_rekey(&s, NULL, &s_tx) == 0);
	stream(&e, &p, &s, 40, "after the re-key");
	/* The publisher's old key is refused now (its oracle session is the
	 * pre-rekey copy: a fresh libsrtp session with the old key). */
	pl_stats(&st);
	{
		uint64_t auth0 = st.drops[RELAIS_DROP_SRTP_AUTH];

		len = pl_rtp(pkt, 111, false, seq++, 0, SSRC, 100);
		CHECK(pl_peer_reopen(&e, &old) == 0 && pl_send(&e, &old, pkt, len, false) == 0);
		CHECK(pl_wait_drop(&e, RELAIS_DROP_SRTP_AUTH, auth0 + 1, WAIT_MS));
		srtp_dealloc(old.send);
		srtp_dealloc(old.recv);
	}
	pl_stats(&st);
	CHECKF(pl_drops_total(&st) == 1, "drops besides the old-key packet: %llu",
	       (unsigned long long)pl_drops_total(&st) - 1);
	CHECK(st.v[RELAIS_STAT_rekey_failed] == 0);
	moves(&e, &p, &s);
	pl_teardown(&e);
	return check_summary(argv[1]);
}
