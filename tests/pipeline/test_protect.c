/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Protected sources (issue 13): the OFFENDERS reply marks a source whose
 * address is a participant's now ("participant") or was one within
 * offenders.grace_s ("former"), because the XDP guard must never ban those:
 * anyone can forge packets from a participant's address. With the real
 * dataplane, forged SRTP from participants' addresses and packets from an
 * unknown address make offenders, and the marks follow:
 *  - PART_ADD; PART_DEL of one of two participants behind one address (the
 *    address stays a participant's), then of the other (former);
 *  - ROOM_DEL (its participants' addresses become former);
 *  - PART_REKEY to a new address (the new one a participant's at once, the
 *    old one until the move is done, then former);
 *  - the end of the grace period (1 s here): not protected any more;
 *  - the bound offenders.former_max (16 here): the oldest former addresses
 *    lose their protection first, counted as protect_evicted; live
 *    addresses are never dropped. The gauge protected counts the set.
 */
#include <arpa/inet.h>
#include <string.h>

#include <relais/srtp_profile.h>

#define CHECK_MAIN
#include "check.h"
#include "dp_config.h"
#include "dp_ctl.h"
#include "dp_protect.h"
#include "pl_harness.h"
#include "pl_net.h"

#define GRACE_S 1
#define FORMER_MAX 16
#define N_FILL 20 /* participants deleted at once: FORMER_MAX + 4 */
#define SSRC_A 0xa11ce
#define WAIT_MS 5000
#define CM80 RELAIS_SRTP_AES128_CM_SHA1_80

static struct pl_env env;
static uint16_t seq = 1;

/* Settings of this test: a short grace, a small former list. */
static void config(struct dp_config *c)
{
	c->protect_grace_s = GRACE_S;
	c->protect_former_max = FORMER_MAX;
}

/* Peer at 10.0.0.<host>:port, keys from seed. */
static int peer(struct pl_peer *p, const char *name, uint32_t id, unsigned host, uint16_t port,
		unsigned seed)
{
	pl_peer_at(p, name, id, host);
	p->ep.port = port;
	return pl_peer_init(&env, p, CM80, CM80, seed);
}

static int room(uint16_t type, uint32_t id)
{
	struct relais_ctl_msg m = {.type = type};

	m.u.room.room_id = id;
	return pl_ctl(&m);
}

static int part(uint16_t type, uint32_t room_id, const struct pl_peer *p)
{
	struct relais_ctl_msg m;

	pl_part_msg(&m, type, room_id, p);
	return pl_ctl(&m);
}

static int part_del(uint32_t id)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_PART_DEL};

	m.u.id.id = id;
	return pl_ctl(&m);
}

/* The sum of the offence drops (what OFFENDERS counts). */
static uint64_t offences(void)
{
	struct relais_ctl_stats s;

	pl_stats(&s);
	return s.drops[RELAIS_DROP_SRTP_AUTH] + s.drops[RELAIS_DROP_UNKNOWN_SSRC] +
	       s.drops[RELAIS_DROP_UNKNOWN_SOURCE] + s.drops[RELAIS_DROP_SRTP_REPLAY];
}

/* p sends n RTP packets of SSRC_A protected with its own keys, from its
 * address; returns when the dataplane dropped them all as offences (they
 * are forged, or from nobody's address). */
static void send_bad(struct pl_peer *p, unsigned n)
{
	uint64_t before = offences();
	uint8_t pkt[PL_FRAME_MAX];

	for (unsigned i = 0; i < n; i++, seq++) {
		size_t len = pl_rtp(pkt, 111, false, seq, 960u * seq, SSRC_A, 100);

		CHECK(pl_send(&env, p, pkt, len, false) == 0);
	}
	for (unsigned t = 0; t < WAIT_MS && offences() < before + n; t += 5)
		pl_pump(&env, 5);
	CHECKF(offences() == before + n, "%s: %llu of %u dropped as offences", p->name,
	       (unsigned long long)(offences() - before), n);
}

/* The protect mark OFFENDERS gives 10.0.0.<host>; -1 when not listed. */
static int mark(unsigned host)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_OFFENDERS};
	struct relais_ctl_reply r;

	m.u.offenders.min_total = 1;
	dp_ctl_apply(&m, &r);
	CHECK(r.status == 0);
	for (unsigned i = 0; i < r.u.offenders.count; i++) {
		const struct relais_ctl_offender *o = &r.u.offenders.rec[i];

		if (o->addr.family == 4 && o->addr.ip[0] == 10 && o->addr.ip[1] == 0 &&
		    o->addr.ip[2] == 0 && o->addr.ip[3] == host)
			return o->protect;
	}
	return -1;
}

/* A STATS value, as relais-cli stats reads it. */
static uint64_t stat(unsigned k)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_STATS};
	struct relais_ctl_reply r;

	dp_ctl_apply(&m, &r);
	return r.u.stats.v[k];
}

#define CHECK_MARK(host, want)                                                           \
	CHECKF(mark(host) == (want), "10.0.0.%u: protect %d, want %s", host, mark(host), \
	       relais_protect_name(want))

/* Participants A and B behind one address (10.0.0.11), C at .12; forged
 * SRTP from the address, packets from nobody's X at .99. */
static void nat_and_delete(struct pl_peer *pa, struct pl_peer *pb, struct pl_peer *pc,
			   struct pl_peer *forger, struct pl_peer *x)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_TRACK_ADD};

	CHECK(room(RELAIS_CTL_ROOM_ADD, 1) == 0);
	CHECK(part(RELAIS_CTL_PART_ADD, 1, pa) == 0);
	CHECK(part(RELAIS_CTL_PART_ADD, 1, pb) == 0);
	CHECK(part(RELAIS_CTL_PART_ADD, 1, pc) == 0);
	m.u.track = (struct relais_ctl_track){1, pa->id,        SSRC_A, 48000, RELAIS_TRACK_AUDIO,
					      0, RELAIS_PT_ANY, 0};
	CHECK(pl_ctl(&m) == 0);
	send_bad(forger, 5);
	send_bad(x, 5);
	CHECK_MARK(11, RELAIS_PROTECT_PARTICIPANT);
	CHECK_MARK(99, RELAIS_PROTECT_NONE);
	CHECKF(stat(RELAIS_STAT_protected) == 2, "protected addresses: %llu, want 2",
	       (unsigned long long)stat(RELAIS_STAT_protected));
	CHECK(part_del(pa->id) == 0);
	CHECK_MARK(11, RELAIS_PROTECT_PARTICIPANT); /* B is still there */
	CHECK(part_del(pb->id) == 0);
	CHECK_MARK(11, RELAIS_PROTECT_FORMER);
}

/* Room 2's D at .13 goes with its room; E at .14 moves to .15. */
static void room_and_move(struct pl_peer *pd, struct pl_peer *fd, struct pl_peer *pe,
			  struct pl_peer *fe, struct pl_peer *f15)
{
	uint64_t rekeys = stat(RELAIS_STAT_rekeys);

	CHECK(room(RELAIS_CTL_ROOM_ADD, 2) == 0);
	CHECK(part(RELAIS_CTL_PART_ADD, 2, pd) == 0);
	CHECK(part(RELAIS_CTL_PART_ADD, 1, pe) == 0);
	send_bad(fd, 3);
	send_bad(fe, 3);
	CHECK_MARK(13, RELAIS_PROTECT_PARTICIPANT);
	CHECK(room(RELAIS_CTL_ROOM_DEL, 2) == 0);
	CHECK_MARK(13, RELAIS_PROTECT_FORMER);
	inet_pton(AF_INET, "10.0.0.15", pe->ep.ip);
	CHECK(part(RELAIS_CTL_PART_REKEY, 1, pe) == 0);
	CHECK_MARK(14, RELAIS_PROTECT_PARTICIPANT); /* until the owner has switched */
	CHECK(pl_wait_stat(&env, RELAIS_STAT_rekeys, rekeys + 1, WAIT_MS));
	pl_pump(&env, 50); /* the control thread retires the old address */
	CHECK_MARK(14, RELAIS_PROTECT_FORMER);
	send_bad(f15, 3);
	CHECK_MARK(15, RELAIS_PROTECT_PARTICIPANT);
}

/* After the grace period: former addresses are not protected; live ones
 * still are. */
static void grace_ends(void)
{
	pl_pump(&env, GRACE_S * 1000 + 200);
	CHECK_MARK(11, RELAIS_PROTECT_NONE);
	CHECK_MARK(13, RELAIS_PROTECT_NONE);
	CHECK_MARK(14, RELAIS_PROTECT_NONE);
	CHECK_MARK(15, RELAIS_PROTECT_PARTICIPANT);
	CHECKF(stat(RELAIS_STAT_protected) == 2, "protected addresses: %llu (.12, .15)",
	       (unsigned long long)stat(RELAIS_STAT_protected));
	CHECK(stat(RELAIS_STAT_protect_evicted) == 0);
}

/* N_FILL participants at 10.1.0.<i> deleted in that order: the
 * FORMER_MAX latest stay protected, the oldest are dropped and counted. */
static void bounded(void)
{
	struct relais_ctl_msg m;
	uint8_t ip[4] = {10, 1, 0, 0};

	CHECK(room(RELAIS_CTL_ROOM_ADD, 3) == 0);
	for (unsigned i = 1; i <= N_FILL; i++) {
		struct pl_peer p = {.id = 100 + i, .ep = {.family = 4, .port = 4000}};

		p.ep.ip[0] = 10, p.ep.ip[1] = 1, p.ep.ip[3] = (uint8_t)i;
		pl_part_msg(&m, RELAIS_CTL_PART_ADD, 3, &p);
		m.u.part.rx_key.profile = m.u.part.tx_key.profile = CM80;
		CHECK(pl_ctl(&m) == 0);
	}
	for (unsigned i = 1; i <= N_FILL; i++)
		CHECK(part_del(100 + i) == 0);
	CHECK(room(RELAIS_CTL_ROOM_DEL, 3) == 0);
	for (unsigned i = 1; i <= N_FILL; i++) {
		ip[3] = (uint8_t)i;
		CHECKF(dp_protect_state(4, ip) ==
			   (i <= N_FILL - FORMER_MAX ? RELAIS_PROTECT_NONE : RELAIS_PROTECT_FORMER),
		       "10.1.0.%u: %s", i, relais_protect_name(dp_protect_state(4, ip)));
	}
	CHECKF(stat(RELAIS_STAT_protect_evicted) == N_FILL - FORMER_MAX,
	       "protect_evicted %llu, want %d",
	       (unsigned long long)stat(RELAIS_STAT_protect_evicted), N_FILL - FORMER_MAX);
	CHECK_MARK(15, RELAIS_PROTECT_PARTICIPANT); /* a live address is never dropped */
	CHECKF(stat(RELAIS_STAT_protected) == 2 + FORMER_MAX, "protected addresses: %llu",
	       (unsigned long long)stat(RELAIS_STAT_protected));
}

int main(int argc, char **argv)
{
	static struct pl_peer pa, pb, pc, fa, x, pd, fd, pe, fe, f15;

	(void)argc;
	pl_config_hook = config;
	if (pl_setup_engine(&env, argv[0], 1, "libsrtp") < 0)
		return 1;
	/* A forger holds other keys than the participant at its address. */
	if (peer(&pa, "A", 1, 11, 42011, 1) || peer(&pb, "B", 2, 11, 43011, 2) ||
	    peer(&pc, "C", 3, 12, 42012, 3) || peer(&fa, "forger@A", 90, 11, 42011, 90) ||
	    peer(&x, "X", 99, 99, 42099, 99) || peer(&pd, "D", 4, 13, 42013, 4) ||
	    peer(&fd, "forger@D", 91, 13, 42013, 91) || peer(&pe, "E", 5, 14, 42014, 5) ||
	    peer(&fe, "forger@E", 92, 14, 42014, 92) ||
	    peer(&f15, "forger@E'", 93, 15, 42014, 93)) {
		fprintf(stderr, "protect: cannot create the peers\n");
		return 1;
	}
	nat_and_delete(&pa, &pb, &pc, &fa, &x);
	room_and_move(&pd, &fd, &pe, &fe, &f15);
	grace_ends();
	bounded();
	pl_teardown(&env);
	return check_summary("protect");
}
