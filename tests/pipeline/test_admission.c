/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the dataplane refuses to program, whoever asks (a Redis writer
 * through the control plane, or any control client), so that it cannot be
 * aimed at a victim (issue 11, "no traffic cannon"):
 *  - a participant whose address is outside media.allow_dst (IPv4, IPv6,
 *    prefix edges; none configured: any address);
 *  - a subscription, or a SUB_SWITCH, to a track of another room;
 *  - a subscriber beyond limits.subscriptions_per_track;
 *  - a subscription beyond limits.subscriptions_per_participant.
 * Each refusal carries its named reason in the reply, is counted as
 * admission_refused, and leaves the tables as they were (the objects
 * already there keep working).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <relais/srtp_profile.h>

#include "dp_ctl.h"
#include "dp_tables.h"
#include "pl_harness.h"
#define CHECK_MAIN
#include "check.h"

/* Apply m; its status, the reply's error text in r. */
static int ctl(const struct relais_ctl_msg *m, struct relais_ctl_reply *r)
{
	dp_ctl_apply(m, r);
	return r->status;
}

static int room_add(uint32_t room)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_ROOM_ADD};
	struct relais_ctl_reply r;

	m.u.room.room_id = room;
	return ctl(&m, &r);
}

/* PART_ADD of participant id in room at ip:port (either family). */
static int part_add(uint32_t room, uint32_t id, const char *ip, uint16_t port,
		    struct relais_ctl_reply *r)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_PART_ADD};
	struct relais_ctl_part *p = &m.u.part;

	p->room_id = room;
	p->part_id = id;
	p->addr.family = strchr(ip, ':') ? 6 : 4;
	p->addr.port = port;
	inet_pton(p->addr.family == 4 ? AF_INET : AF_INET6, ip, p->addr.ip);
	p->rx_key.profile = p->tx_key.profile = RELAIS_SRTP_AES128_CM_SHA1_80;
	memset(p->rx_key.key, (int)id, sizeof(p->rx_key.key));
	memset(p->tx_key.key, (int)id + 1, sizeof(p->tx_key.key));
	return ctl(&m, r);
}

static int track_add(uint32_t id, uint32_t part, uint32_t ssrc)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_TRACK_ADD};
	struct relais_ctl_reply r;

	m.u.track = (struct relais_ctl_track){id, part,          ssrc, 48000, RELAIS_TRACK_AUDIO,
					      0,  RELAIS_PT_ANY, 0};
	return ctl(&m, &r);
}

static int sub_add(uint32_t sub, uint32_t part, uint32_t track, struct relais_ctl_reply *r)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_SUB_ADD};

	m.u.sub.sub_id = sub;
	m.u.sub.part_id = part;
	m.u.sub.track_id = track;
	m.u.sub.out_ssrc = 0x5000u + sub;
	return ctl(&m, r);
}

static int sub_switch(uint32_t sub, uint32_t track, struct relais_ctl_reply *r)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_SUB_SWITCH};

	m.u.sw.sub_id = sub;
	m.u.sw.track_id = track;
	return ctl(&m, r);
}

/* Whether r refused with status st and an error containing words. */
static bool refused(const struct relais_ctl_reply *r, int st, const char *words)
{
	return r->status == st && strstr(r->error, words) != NULL;
}

/* media.allow_dst: inside a prefix is programmed, outside is refused. */
static void allow_dst(struct dp_config *c)
{
	struct relais_ctl_reply r;

	c->n_allow_dst = 2;
	c->allow_dst[0] = (struct dp_prefix){.family = 4, .len = 26};
	inet_pton(AF_INET, "10.0.0.0", c->allow_dst[0].ip);
	c->allow_dst[1] = (struct dp_prefix){.family = 6, .len = 60};
	inet_pton(AF_INET6, "fd00::", c->allow_dst[1].ip);
	CHECK(room_add(1) == 0);
	CHECK(part_add(1, 11, "10.0.0.63", 4000, &r) == 0); /* last of the /26 */
	CHECK(part_add(1, 12, "fd00::f:0:0:1", 4000, &r) == 0);
	CHECKF(part_add(1, 13, "10.0.0.64", 4000, &r) == -EACCES &&
		   refused(&r, -EACCES, "address 10.0.0.64:4000 is not in media.allow_dst"),
	       "10.0.0.64 outside 10.0.0.0/26: %d %s", r.status, r.error);
	CHECKF(part_add(1, 14, "192.0.2.7", 4000, &r) == -EACCES, "192.0.2.7: %d", r.status);
	CHECKF(part_add(1, 15, "fd00:0:0:10::1", 4000, &r) == -EACCES &&
		   strstr(r.error, "media.allow_dst"),
	       "fd00:0:0:10::1 outside fd00::/60: %d %s", r.status, r.error);
	CHECK(dp_part_by_id(13) == NULL && dp_part_by_id(15) == NULL);
	c->n_allow_dst = 0; /* none configured: any address */
	CHECK(part_add(1, 16, "192.0.2.7", 4000, &r) == 0);
}

/* Cross-room SUB_ADD and SUB_SWITCH refused; the subscription stays. */
static void cross_room(void)
{
	struct relais_ctl_reply r;

	CHECK(room_add(2) == 0);
	CHECK(part_add(2, 21, "10.0.0.21", 4000, &r) == 0);
	CHECK(track_add(101, 11, 0x1111) == 0); /* room 1 */
	CHECK(track_add(201, 21, 0x2121) == 0); /* room 2 */
	CHECKF(sub_add(1, 12, 201, &r) == -EACCES &&
		   refused(&r, -EACCES, "track 201 is in room 2, participant 12 in room 1"),
	       "cross-room SUB_ADD: %d %s", r.status, r.error);
	CHECK(dp_sub_by_out(12, 0x5001) == NULL);
	CHECK(sub_add(2, 12, 101, &r) == 0);
	CHECKF(sub_switch(2, 201, &r) == -EACCES && refused(&r, -EACCES, "cross-room"),
	       "cross-room SUB_SWITCH: %d %s", r.status, r.error);
	CHECK(dp_sub_by_out(12, 0x5002) != NULL && dp_sub_by_out(12, 0x5002)->track_id == 101);
}

/* limits.subscriptions_per_track: one subscriber more is refused. */
static void per_track(struct dp_config *c)
{
	struct relais_ctl_reply r;

	c->max_subs_per_track = 2; /* track 101 has sub 2 already */
	CHECK(sub_add(3, 16, 101, &r) == 0);
	CHECKF(sub_add(4, 11, 101, &r) == -ENOSPC &&
		   refused(&r, -ENOSPC, "track 101 already has 2 subscriptions"),
	       "third subscriber: %d %s", r.status, r.error);
	CHECK(track_add(102, 11, 0x1112) == 0);
	CHECKF(sub_switch(3, 102, &r) == 0, "a switch to a track with room: %s", r.error);
	CHECK(sub_add(4, 11, 101, &r) == 0); /* sub 3 left: room for one */
}

/* limits.subscriptions_per_participant: one subscription more is refused,
 * whatever the track; a SUB_SWITCH keeps the count. */
static void per_participant(struct dp_config *c)
{
	struct relais_ctl_reply r;

	CHECK(c->max_subs_per_part == 128); /* the default */
	c->max_subs_per_part = 1;           /* participant 16 has sub 3 (track 102) */
	CHECKF(sub_add(5, 16, 102, &r) == -ENOSPC &&
		   refused(&r, -ENOSPC,
			   "participant 16 already has 1 subscriptions "
			   "(limits.subscriptions_per_participant)"),
	       "second subscription: %d %s", r.status, r.error);
	CHECK(dp_sub_by_out(16, 0x5005) == NULL);
	CHECKF(sub_switch(3, 101, &r) == -ENOSPC, "track 101 is full: %s", r.error);
	c->max_subs_per_part = 2;
	CHECKF(sub_add(5, 16, 102, &r) == 0, "under the raised cap: %s", r.error);
}

/* Admission refusals counted so far, summed over lcores. */
static uint64_t refusals(void)
{
	struct relais_ctl_stats st;

	pl_stats(&st);
	return st.v[RELAIS_STAT_admission_refused];
}

int main(int argc, char **argv)
{
	static struct pl_env e;
	uint64_t before;

	(void)argc;
	if (pl_setup_engine(&e, argv[0], 1, "libsrtp") < 0)
		return 1;
	before = refusals();
	allow_dst(&e.app.cfg);
	CHECKF(refusals() == before + 3, "allow_dst refusals counted: %llu",
	       (unsigned long long)(refusals() - before));
	cross_room();
	per_track(&e.app.cfg);
	per_participant(&e.app.cfg);
	/* 3 addresses, 2 cross-room, 1 per track, 1 per participant, 1 switch */
	CHECKF(refusals() == before + 8, "admission_refused: %llu",
	       (unsigned long long)(refusals() - before));
	pl_teardown(&e);
	return check_summary("admission");
}
