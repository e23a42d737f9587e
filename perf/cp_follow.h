/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp_follow: relais-loadgen participants that follow their room from node
 * to node the way an application does (docs/schema.md: the `moved` event on
 * relais:{dir}:events, the room hash's `owner`, the node hash's `addr4` and
 * `port`), and time a failover up to the first packet the new owner
 * forwards (perf/cp_failover.sh, tests/controlplane/cp_failover_media.sh).
 *
 * Files: cp_follow.c        options, sockets, SRTP, the paced media loop, JSON
 *        cp_follow_redis.c  the follower thread (hiredis, blocking, its own
 *                           connection): owner, epoch, lease and served_epoch
 *        cp_follow_keys.c   --rekey-on-move: new SRTP keys for every
 *                           participant of a moved room, written to Redis
 *                           wrapped (docs/schema.md "Wrapped keys")
 *
 * The media thread and the follower share struct cf_room under cf->mtx.
 * Every time is CLOCK_REALTIME in milliseconds, comparable with Redis TIME
 * on the same machine (moved_ms) and with `date +%s%N` in the scripts.
 */
#ifndef RELAIS_CP_FOLLOW_H
#define RELAIS_CP_FOLLOW_H

#include <pthread.h>
#include <signal.h>

#include <hiredis/hiredis.h>

#include "cp_keywrap.h"
#include "loadgen.h"

#define CF_MAX_ROOMS 64
#define CF_NODE_LEN 33
#define CF_KEY_LEN (RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN)
#define CF_MAX_EPS (LG_MAX_PUBS + LG_MAX_SUBS)

struct cf_room {
	uint32_t id;
	/* at start (set before the threads run, then read-only) */
	char owner0[CF_NODE_LEN];
	uint64_t epoch0;
	struct lg_addr dest0;
	/* current, under cf->mtx */
	char owner[CF_NODE_LEN];
	uint64_t epoch;
	struct lg_addr dest;
	double lease_exp_ms; /* owner0's lease expiry: last (now + PTTL) read */
	int lease_gone;      /* owner0's lease key seen absent */
	double moved_ms;     /* the room hash's moved_ms (Redis TIME) */
	double seen_ms;      /* when the follower saw the new owner */
	double served_ms;    /* when served_epoch == epoch was first read */
	double repointed_ms; /* when the publishers' destination changed */
	double rekeyed_ms;   /* when its participants' new keys were in Redis */
	uint32_t rekeys;     /* times its participants got new keys */
};

/* A scenario endpoint as a participant in Redis (--rekey-on-move): endpoint
 * e is publisher e (e < npubs) or subscriber e - npubs. */
struct cf_ep {
	uint32_t part; /* participant id, matched by address at start */
	char addr[64]; /* its hash's addr and fb_ssrc, rewritten unchanged */
	char fb_ssrc[16];
	/* under cf->mtx: the newest key (key || salt) and its generation */
	uint8_t next_key[CF_KEY_LEN];
	uint32_t gen;
};

struct cf_sub_stat {
	int room;             /* index into cf->rooms */
	uint64_t good_old;    /* decrypted + verified, from the first owner */
	uint64_t good_new;    /* decrypted + verified, from the current, new owner */
	uint64_t wrapped_old; /* good from the first owner, sequence number wrapped */
	uint64_t auth_fail;   /* srtp_unprotect refused */
	uint64_t bad;         /* wrong SSRC, payload or source */
	double first_new_ms;  /* first good packet from the new owner */
	double first_any_ms;  /* first good packet at all */
	struct lg_addr lastsrc;
	srtp_t rx_new; /* re-keyed receive context, for packets not from dest0 */
	/* the key before the re-key in a fresh context (ROC 0): what the new
	 * owner protects with until it applies this subscriber's new key (it
	 * re-keys participant by participant, controlplane/cp_reconcile.c) */
	srtp_t rx_prev;
	uint64_t good_new_prevkey; /* of good_new, decrypted by rx_prev */
};

struct cf {
	struct lg_conf conf;
	struct cf_room rooms[CF_MAX_ROOMS];
	int nrooms;
	int pub_room[LG_MAX_PUBS];
	struct cf_sub_stat subs[LG_MAX_SUBS];
	pthread_mutex_t mtx;
	volatile sig_atomic_t stop;
	redisContext *rc;
	char last_id[64]; /* event stream position of the follower */
	uint32_t linger_ms;
	int quiet;
	/* --rekey-on-move */
	int rekey;
	struct cp_keyring kr;
	struct cf_ep eps[CF_MAX_EPS];
	/* media thread only: each publisher's destination and each endpoint's
	 * key generation, taken together under cf->mtx (cp_follow.c) */
	struct lg_addr pub_dest[LG_MAX_PUBS];
	uint32_t gen_seen[CF_MAX_EPS];
};

/* cp_follow_redis.c */
double cf_now_ms(void);
redisContext *cf_connect(const char *where);
int cf_load_rooms(struct cf *cf);
void *cf_follow_main(void *arg);

/* cp_follow_keys.c */
int cf_load_parts(struct cf *cf);
int cf_rekey_room(struct cf *cf, int room, uint8_t (*keys)[CF_KEY_LEN]);
void cf_install_keys(struct cf *cf, int room, const uint8_t (*keys)[CF_KEY_LEN]);

#endif /* RELAIS_CP_FOLLOW_H */
