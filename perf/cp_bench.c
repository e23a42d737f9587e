/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp_bench: control-plane figures (docs/controlplane.md, "Measured").
 *
 *   cp_bench --redis H:P --keyring FILE [--dp-socket PATH] [--room-size R]
 *            [--pubs P] N [N...]
 *
 * For each N (participants), against a scratch Redis that it FLUSHALLs
 * (never point it at a deployment): registers a node, places N/R rooms
 * (pipelined `place`), writes N participants with wrapped keys, P tracks
 * per room and P subscriptions per other participant, all
 * pipelined in batches of CP_BENCH_BATCH objects; then, with a dataplane,
 * a full resync of the node from empty (read desired state + program), and
 * a second, no-change reconciliation. Prints time and Redis round trips
 * of each phase.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cp_node.h"
#include "cp_rblock.h"
#include "cp_util.h"

#define CP_BENCH_BATCH 1000

struct bench {
	redisContext *rc;
	struct cp_keyring kr;
	const char *dp_sock;
	uint32_t room_size, pubs;
	uint64_t queued, rtt;
};

/* Read every queued reply: one pipelined round trip. 0 or -EIO. */
static int flush(struct bench *b)
{
	int rc = 0;

	if (b->queued == 0)
		return 0;
	b->rtt++;
	for (; b->queued > 0; b->queued--) {
		redisReply *v = NULL;

		if (cp_rblock_reply(b->rc, &v) != REDIS_OK)
			return -EIO;
		if (v->type == REDIS_REPLY_ERROR && rc == 0) {
			fprintf(stderr, "cp_bench: %s\n", v->str);
			rc = -EIO;
		}
		freeReplyObject(v);
	}
	return rc;
}

/* Place rooms 1..n on the (only) node, pipelined. 0/-EIO. */
static int place_rooms(struct bench *b, uint32_t n)
{
	char room[16];
	const char *argv[2] = {room, "1000000000"};

	for (uint32_t r = 1; r <= n; r++) {
		snprintf(room, sizeof(room), "%u", r);
		if (cp_script_append(b->rc, CP_SC_PLACE, 2, argv) < 0)
			return -EIO;
		if (++b->queued >= CP_BENCH_BATCH && flush(b) < 0)
			return -EIO;
	}
	return flush(b);
}

/* Queue one participant i of room r (keys random, wrapped). 0/-errno. */
static int queue_part(struct bench *b, uint32_t r, uint32_t i)
{
	uint8_t ks[30];
	char aad[CP_KW_AAD_MAX], rx[CP_KW_MAX_WRAPPED], tx[CP_KW_MAX_WRAPPED];
	char kid[CP_KW_KID_LEN + 1], addr[32];
	struct relais_addr a;
	int rc;

	snprintf(addr, sizeof(addr), "10.%u.%u.%u:40000", 100 + (i >> 16), (i >> 8) & 255, i & 255);
	RAND_bytes(ks, sizeof(ks));
	/* no gen field: generation 1 */
	rc = relais_addr_parse(addr, &a);
	if (rc == 0)
		rc = cp_kw_aad(aad, sizeof(aad), r, i, "rx", "AES_CM_128_HMAC_SHA1_80", &a, 1);
	if (rc == 0)
		rc = cp_kw_wrap(&b->kr, aad, ks, sizeof(ks), rx, kid);
	if (rc == 0)
		rc = cp_kw_aad(aad, sizeof(aad), r, i, "tx", "AES_CM_128_HMAC_SHA1_80", &a, 1);
	if (rc == 0)
		rc = cp_kw_wrap(&b->kr, aad, ks, sizeof(ks), tx, kid);
	OPENSSL_cleanse(ks, sizeof(ks));
	if (rc < 0)
		return rc;
	redisAppendCommand(b->rc,
			   "HSET relais:{room:%u}:part:%u addr %s profile AES_CM_128_HMAC_SHA1_80 "
			   "kid %s rx_key %s tx_key %s",
			   r, i, addr, kid, rx, tx);
	redisAppendCommand(b->rc, "SADD relais:{room:%u}:parts %u", r, i);
	b->queued += 2;
	return 0;
}

/* Queue room r's content: participants first..first+size-1; the first
 * `pubs` publish one track each (track id = participant id), the others
 * subscribe to every track. 0/-errno. */
static int queue_room(struct bench *b, uint32_t r, uint32_t first, uint32_t size)
{
	uint32_t pubs = b->pubs;

	redisAppendCommand(b->rc, "MULTI");
	for (uint32_t k = 0; k < size; k++)
		if (queue_part(b, r, first + k) < 0)
			return -EIO;
	for (uint32_t p = 0; p < pubs; p++) {
		redisAppendCommand(b->rc,
				   "HSET relais:{room:%u}:track:%u part %u kind audio ssrc %u", r,
				   first + p, first + p, first + p);
		redisAppendCommand(b->rc, "SADD relais:{room:%u}:tracks %u", r, first + p);
	}
	for (uint32_t k = pubs; k < size; k++)
		for (uint32_t p = 0; p < pubs; p++) {
			uint32_t sid = (first + k) * 8 + p;

			redisAppendCommand(
			    b->rc, "HSET relais:{room:%u}:sub:%u part %u track %u out_ssrc %u", r,
			    sid, first + k, first + p, 0x20000000u + sid);
			redisAppendCommand(b->rc, "SADD relais:{room:%u}:subs %u", r, sid);
		}
	redisAppendCommand(b->rc, "EXEC");
	redisAppendCommand(b->rc, "XADD relais:{dir}:events MAXLEN ~ 100000 * type room room %u",
			   r);
	b->queued += 3 + 2 * pubs + 2 * (size - pubs) * pubs; /* parts: queue_part */
	return 0;
}

/* Write n participants in rooms of room_size, pipelined. 0/-EIO. */
static int write_rooms(struct bench *b, uint32_t n)
{
	uint32_t rooms = n / b->room_size, objs = 0;

	for (uint32_t r = 1; r <= rooms; r++) {
		if (queue_room(b, r, (r - 1) * b->room_size + 1, b->room_size) < 0)
			return -EIO;
		objs += b->room_size * (1 + b->pubs);
		if (objs >= CP_BENCH_BATCH) {
			objs = 0;
			if (flush(b) < 0)
				return -EIO;
		}
	}
	return flush(b);
}

/* Milliseconds since t0 as a double. */
static double since(uint64_t t0)
{
	return (double)(cp_now_ms() - t0);
}

/* Session hook: the benchmark registers node "bench" itself
 * (bench_register), so a session that comes up changes nothing. */
static void bench_session_up(void *arg)
{
	(void)arg;
}

/* Load every room of node "bench" the way relais-controlplane does (async,
 * pipelined on the command link), without programming the dataplane (a load only marks the apply due).
 * 0 or -EIO. */
static int load_all(struct cp_node *n)
{
	uint64_t t0 = cp_now_ms();

	if (cp_loader_start(&n->ld, true) < 0)
		return -EIO;
	while (n->ld.loading && cp_session_up(&n->sess) && cp_now_ms() - t0 < 600000) {
		cp_node_poll(n, 100);
		cp_session_step(&n->sess, cp_now_ms());
	}
	return n->ld.loading == NULL && cp_session_up(&n->sess) && n->ld.have_desired ? 0 : -EIO;
}

/* Bring the node's async session up (direct address). 0 or -EIO. */
static int session_up(struct cp_node *n, const struct cp_redis_cfg *rcfg)
{
	uint64_t t0 = cp_now_ms();

	n->cfg.redis = *rcfg;
	while (!cp_session_up(&n->sess) && cp_now_ms() - t0 < 5000) {
		cp_session_step(&n->sess, cp_now_ms());
		cp_node_poll(n, 50);
	}
	return cp_session_up(&n->sess) ? 0 : -EIO;
}

/* Full resync of node "bench" from an empty dataplane, then a no-change
 * reconciliation; prints both. 0/-errno. */
static int resync(struct bench *b, struct cp_node *n, uint32_t parts)
{
	uint64_t t0 = cp_now_ms(), calls0 = n->rec.calls;
	double t_read, t_apply, t_noop;
	int rc;

	n->ld.have_desired = false;
	if ((rc = load_all(n)) < 0)
		return rc;
	t_read = since(t0);
	t0 = cp_now_ms();
	if ((rc = cp_node_apply(n)) < 0)
		return rc;
	t_apply = since(t0);
	printf("  full resync      %8.0f ms  (read Redis %.0f ms, %u requests pipelined; program "
	       "%.0f ms, "
	       "%llu control calls, %llu objects applied, %llu refused)\n",
	       t_read + t_apply, t_read,
	       1 + (parts / b->room_size) *
		       (4 + b->room_size + b->pubs + (b->room_size - b->pubs) * b->pubs),
	       t_apply, (unsigned long long)(n->rec.calls - calls0),
	       (unsigned long long)n->rec.applied, (unsigned long long)n->rec.refused);
	t0 = cp_now_ms();
	calls0 = n->rec.calls;
	if ((rc = load_all(n)) < 0 || (rc = cp_node_apply(n)) < 0)
		return rc;
	t_noop = since(t0);
	printf("  no-change pass   %8.0f ms  (%llu control calls: DUMP only)\n", t_noop,
	       (unsigned long long)(n->rec.calls - calls0));
	t0 = cp_now_ms();
	cp_cache_clear(&n->cache);
	if (parts > 20000) {
		/* PART_DEL costs grow with the dataplane's tables (10k: ~0.5 ms
		 * each): a scratch dataplane is simply restarted instead. */
		printf("  remove all       skipped above 20000 participants\n");
		return 0;
	}
	rc = cp_node_apply(n);
	printf("  remove all       %8.0f ms  (one PART_DEL per participant, ROOM_DEL per room)\n",
	       since(t0));
	fflush(stdout);
	n->rec.applied = n->rec.refused = 0;
	return rc;
}

/* Register node "bench" with a huge capacity; fills n's identity. */
static int bench_register(struct bench *b, struct cp_node *n)
{
	const char *argv[7] = {"bench", "benchtoken", "600000",   "10.0.0.1",
			       "",      "5000",       "100000000"};
	redisReply *r;

	freeReplyObject(cp_rblock_cmd(b->rc, "FLUSHALL", "FLUSHALL"));
	r = cp_script_call(b->rc, CP_SC_REGISTER, 7, argv);
	if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(r);
		return -EIO;
	}
	freeReplyObject(r);
	strcpy(n->cfg.node, "bench");
	strcpy(n->lease.token, "benchtoken");
	n->lease.registered = true;
	return 0;
}

/* One size: place, write, then resync if a dataplane is given. */
static int run(struct bench *b, struct cp_node *n, uint32_t parts)
{
	uint32_t rooms = parts / b->room_size;
	uint64_t t0;

	printf("%u participants, %u rooms of %u with %u publisher(s), %u streams (tracks + "
	       "subscriptions)\n",
	       parts, rooms, b->room_size, b->pubs,
	       rooms * (b->pubs + (b->room_size - b->pubs) * b->pubs));
	if (bench_register(b, n) < 0)
		return -EIO;
	b->rtt = 0;
	t0 = cp_now_ms();
	if (place_rooms(b, rooms) < 0)
		return -EIO;
	printf("  place rooms      %8.0f ms  (%llu round trips, pipelined)\n", since(t0),
	       (unsigned long long)b->rtt);
	b->rtt = 0;
	t0 = cp_now_ms();
	if (write_rooms(b, parts) < 0)
		return -EIO;
	printf("  write content    %8.0f ms  (%llu round trips, keys wrapped)\n", since(t0),
	       (unsigned long long)b->rtt);
	fflush(stdout);
	if (!cp_dplink_up(&n->dl))
		return 0;
	return resync(b, n, parts);
}

int main(int argc, char **argv)
{
	static struct cp_node n;                              /* points into b: both live */
	static struct bench b = {.room_size = 10, .pubs = 1}; /* as long as the program */
	struct cp_redis_cfg rcfg;
	char err[256];
	int i = 1, rc = 0;

	cp_log_prog = "cp_bench";
	cp_log_level = getenv("CP_BENCH_VERBOSE") ? CP_LOG_WARN : CP_LOG_ERR;
	cp_redis_cfg_init(&rcfg);
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--redis"))
			cp_redis_cfg_addr(&rcfg, argv[i + 1]);
		else if (!strcmp(argv[i], "--keyring") &&
			 cp_keyring_load(&b.kr, argv[i + 1], err, sizeof(err)) < 0)
			return fprintf(stderr, "cp_bench: %s\n", err), 2;
		else if (!strcmp(argv[i], "--dp-socket"))
			b.dp_sock = argv[i + 1];
		else if (!strcmp(argv[i], "--room-size"))
			b.room_size = (uint32_t)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--pubs"))
			b.pubs = (uint32_t)atoi(argv[i + 1]);
	}
	if (i >= argc || b.kr.n == 0 || b.room_size < 2 || b.pubs < 1 || b.pubs > 8 ||
	    b.pubs >= b.room_size) {
		fprintf(
		    stderr,
		    "usage: cp_bench --redis H:P --keyring FILE [--dp-socket PATH] "
		    "[--room-size R] [--pubs P] N...\n  (FLUSHALLs that Redis: scratch only)\n");
		return 2;
	}
	b.rc = cp_redis_connect(&rcfg, err, sizeof(err));
	if (b.rc == NULL)
		return fprintf(stderr, "cp_bench: %s\n", err), 2;
	if (cp_script_load(b.rc) < 0)
		return fprintf(stderr, "cp_bench: SCRIPT LOAD failed\n"), 2;
	n.cfg.max_objects = 1 << 24;
	snprintf(n.cfg.dp_sock, sizeof(n.cfg.dp_sock), "%s", b.dp_sock ? b.dp_sock : "");
	cp_node_init(&n);
	n.dcfg.kr = &b.kr;
	n.sess.hooks.up = bench_session_up;
	if (session_up(&n, &rcfg) < 0)
		return fprintf(stderr, "cp_bench: async session to Redis failed\n"), 2;
	if (b.dp_sock && !cp_dplink_connect(&n.dl, cp_now_ms()))
		return fprintf(stderr, "cp_bench: dataplane %s: cannot connect\n", b.dp_sock), 2;
	for (; i < argc && rc == 0; i++)
		rc = run(&b, &n, (uint32_t)atoi(argv[i]));
	cp_node_fini(&n);
	cp_rblock_free(b.rc);
	cp_keyring_clear(&b.kr);
	return rc < 0 ? 1 : 0;
}
