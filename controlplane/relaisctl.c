/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relaisctl: the application-side client of the Redis schema
 * (docs/schema.md). Creates rooms (atomic placement), writes participants
 * with wrapped keys, tracks and subscriptions, lists nodes and rooms,
 * drains nodes. Exit status: 0 ok, 1 refused by Redis, 2 usage/connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <relais/key_input.h>
#include <relais/no_dump.h>

#include "cp_opts.h"
#include "cp_redis.h"
#include "cp_util.h"
#include "relaisctl.h"

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage: relaisctl [options] COMMAND ...\n"
	    "  room create ROOM          place the room on a node (atomic; prints owner, epoch)\n"
	    "  room del ROOM             delete the room and its content\n"
	    "  part add --room R --id P --addr IP:PORT --profile NAME [KEYS] [--fb-ssrc N]\n"
	    "           [--origin TAG] [--gen N]\n"
	    "           (keys generated and printed if absent; gen: the hash's + 1, at least\n"
	    "           the Unix time)\n"
	    "  part del --room R --id P  (with its tracks and subscriptions)\n"
	    "  track add [--room R] --id T --part P (--ssrc N | --learn) --kind audio|video\n"
	    "           [--pt N] [--clock-rate N]\n"
	    "  track del --room R --id T\n"
	    "  sub add [--room R] --id S --part P --track T --ssrc OUT [--pt-map 96:100,...]\n"
	    "          [--ext-map 1:3,2:0,...]   renumber RTP header extensions (0: drop)\n"
	    "  sub del --room R --id S\n"
	    "  nodes | rooms             list with owner, epoch, lease, load\n"
	    "  drain NODE                move the node's rooms away (higher epochs)\n"
	    "  sweep                     move the rooms of nodes whose lease expired\n"
	    "  batch FILE|-              one command per line ('room add R' = room create);\n"
	    "                            there keys are given as --rx-key HEX --tx-key HEX\n"
	    "  script NAME               print a directory script's Lua source\n"
	    "  eval NAME ARG...          run a directory script, print its reply\n"
	    "KEYS: --rx-key-file F --tx-key-file F (secret files, mode 600: first line, hex)\n"
	    "  or --keys-stdin (lines 'rx HEX' and 'tx HEX' on standard input); never on\n"
	    "  the command line, where every local user reads them\n"
	    "options:\n"
	    "  --keyring FILE            deployment keys (needed by part add)\n"
	    "  --rate-limit N            placements per node per second (default 50)\n"
	    "  --wait-ms N               retry a rate-limited placement this long (default 5000)\n"
	    "  -q                        quieter\n" CP_OPTS_REDIS_HELP);
}

/* s escaped for a terminal (cp_escape) into buf of ESC_LEN bytes: every
 * string relaisctl prints that Redis holds goes through it or through
 * cp_fputs_escaped, so a Redis writer cannot drive the operator's
 * terminal or forge output lines. */
#define ESC_LEN 256
static const char *esc(const char *s, char *buf)
{
	cp_escape(s, buf, ESC_LEN);
	return buf;
}

/* Print a reply on one line (arrays flattened), strings escaped. */
static void print_reply(const redisReply *r)
{
	if (r->type == REDIS_REPLY_ARRAY) {
		for (size_t i = 0; i < r->elements; i++) {
			if (i)
				putchar(' ');
			print_reply(r->element[i]);
		}
	} else if (r->type == REDIS_REPLY_INTEGER) {
		printf("%lld", r->integer);
	} else if (r->type == REDIS_REPLY_NIL) {
		printf("nil");
	} else if (r->str) {
		cp_fputs_escaped(r->str, stdout);
	}
}

/* room create: place with retries while every node is rate limited. */
static int room_create(struct rctl *c, const char *room)
{
	struct rctl_placement pl;
	char err[256], e0[ESC_LEN];
	uint32_t id;
	int rc;

	if (cp_parse_u32(room, &id) < 0 || id == 0) {
		fprintf(stderr, "relaisctl: room id '%s' is not a non-zero 32-bit integer\n", room);
		return 2;
	}
	rc = rctl_room_place(c, id, &pl, err, sizeof(err));
	if (rc == -EIO) {
		fprintf(stderr, "relaisctl: %s\n", esc(err, e0));
		return 2;
	}
	if (rc < 0) {
		fprintf(stderr, "relaisctl: room %s: %s\n", room, esc(err, e0));
		return 1;
	}
	printf("room %s node %s epoch %llu %s\n", room, esc(pl.node, e0),
	       (unsigned long long)pl.epoch, pl.placed ? "placed" : "existing");
	return 0;
}

/* room del: drop from the directory, then purge the content. */
static int room_del(struct rctl *c, const char *room)
{
	const char *argv[1] = {room};
	char e0[ESC_LEN];
	redisReply *r;
	uint32_t id;

	if (cp_parse_u32(room, &id) < 0 || rctl_flush(c) < 0)
		return 2;
	r = cp_script_call(c->rc, CP_SC_DROP, 1, argv); /* NULL: logged */
	if (r == NULL || r->type == REDIS_REPLY_ERROR) {
		if (r)
			fprintf(stderr, "relaisctl: room del %s: %s\n", room, esc(r->str, e0));
		freeReplyObject(r);
		return 1;
	}
	freeReplyObject(r);
	return rctl_room_purge(c, id) < 0 ? 1 : 0;
}

/* nodes: one line per registered or known node; a row whose hash could
 * not be read (refused: logged by name) shows '-' and makes the status 1. */
static int list_nodes(struct rctl *c)
{
	redisReply *s = rctl_members(c, CP_DIR "nodes");
	int rc = 0;

	if (s == NULL)
		return 2;
	printf("%-16s %-9s %-8s %-16s %-24s %6s %8s %6s %8s\n", "node", "state", "lease_ms",
	       "addr4", "addr6", "port", "capacity", "rooms", "load");
	for (size_t i = 0; i < s->elements; i++) {
		const char *id = s->element[i]->str;
		char hk[RCTL_KEY_MAX], tk[RCTL_KEY_MAX];
		redisReply *h, *t;
		const char *f[7];
		char e[8][ESC_LEN];

		snprintf(hk, sizeof(hk), CP_DIR "node:%s", id);
		snprintf(tk, sizeof(tk), CP_DIR "lease:%s", id);
		h = cp_rblock_cmd(c->rc, hk, "HMGET %s state addr4 addr6 port capacity rooms load",
				  hk);
		t = cp_rblock_cmd(c->rc, tk, "PTTL %s", tk);
		rc |= h == NULL || t == NULL;
		for (int k = 0; k < 7; k++)
			f[k] = esc(h && h->type == REDIS_REPLY_ARRAY && h->elements == 7 &&
					   h->element[k]->str
				       ? h->element[k]->str
				       : "-",
				   e[k]);
		printf("%-16s %-9s %-8lld %-16s %-24s %6s %8s %6s %8s\n", esc(id, e[7]), f[0],
		       t && t->type == REDIS_REPLY_INTEGER ? t->integer : -2, f[1], f[2], f[3],
		       f[4], f[5], f[6]);
		freeReplyObject(h);
		freeReplyObject(t);
	}
	freeReplyObject(s);
	return rc;
}

/* rooms: one line per room with owner, epoch, served epoch and size; a
 * row that could not be read (refused: logged by name) shows '-' and makes
 * the status 1. */
static int list_rooms(struct rctl *c)
{
	redisReply *s = rctl_members(c, CP_DIR "rooms");
	int rc = 0;

	if (s == NULL)
		return 2;
	printf("%-10s %-16s %8s %8s %8s %6s\n", "room", "owner", "epoch", "served", "refused",
	       "parts");
	for (size_t i = 0; i < s->elements; i++) {
		const char *id = s->element[i]->str;
		char hk[RCTL_KEY_MAX], pk[RCTL_KEY_MAX];
		redisReply *h, *p;
		const char *f[4];
		char e[5][ESC_LEN];

		snprintf(hk, sizeof(hk), CP_DIR "room:%s", id);
		snprintf(pk, sizeof(pk), "relais:{room:%s}:parts", id);
		h = cp_rblock_cmd(c->rc, hk, "HMGET %s owner epoch served_epoch refused", hk);
		p = cp_rblock_cmd(c->rc, pk, "SCARD %s", pk);
		rc |= h == NULL || p == NULL;
		for (int k = 0; k < 4; k++)
			f[k] = esc(h && h->type == REDIS_REPLY_ARRAY && h->elements == 4 &&
					   h->element[k]->str
				       ? h->element[k]->str
				       : "-",
				   e[k]);
		printf("%-10s %-16s %8s %8s %8s %6lld\n", esc(id, e[4]), f[0], f[1], f[2], f[3],
		       p && p->type == REDIS_REPLY_INTEGER ? p->integer : 0);
		freeReplyObject(h);
		freeReplyObject(p);
	}
	freeReplyObject(s);
	return rc;
}

/* drain NODE / sweep / eval NAME ARGS: run a directory script, print. */
static int run_script(struct rctl *c, int id, int argc, char **argv)
{
	const char *v[16];
	char e0[ESC_LEN];
	redisReply *r;
	int rc;

	if (argc > 16 || rctl_flush(c) < 0)
		return 1;
	for (int i = 0; i < argc; i++)
		v[i] = argv[i];
	r = cp_script_call(c->rc, (enum cp_script)id, argc, v);
	if (r == NULL)
		return 2; /* logged */
	rc = r->type == REDIS_REPLY_ERROR;
	if (rc)
		fprintf(stderr, "relaisctl: %s: %s\n", cp_script_name((enum cp_script)id),
			esc(r->str, e0));
	else {
		print_reply(r);
		putchar('\n');
	}
	freeReplyObject(r);
	return rc;
}

/* Object commands: part/track/sub add/del. 0, 1 or 2 (usage). */
static int object_cmd(struct rctl *c, const char *what, const char *verb, int argc, char **argv)
{
	static const char *const flags[] = {"learn", NULL};
	struct rctl_kv kv;
	int rc;

	if (rctl_kv_parse(&kv, argc, argv, flags) < 0)
		return 2;
	if (!strcmp(verb, "add") && !strcmp(what, "part"))
		rc = rctl_part_add(c, &kv);
	else if (!strcmp(verb, "add") && !strcmp(what, "track"))
		rc = rctl_track_add(c, &kv);
	else if (!strcmp(verb, "add") && !strcmp(what, "sub"))
		rc = rctl_sub_add(c, &kv);
	else if (!strcmp(verb, "del") && !strcmp(what, "part"))
		rc = rctl_part_del(c, &kv);
	else if (!strcmp(verb, "del"))
		rc = rctl_obj_del(c, what, &kv);
	else
		rc = -EINVAL;
	return rc == -EINVAL ? 2 : rc < 0 ? 1 : 0;
}

static int batch(struct rctl *c, const char *path);

/* Run one command (argv[0] is the command). 0, 1 or 2. */
static int command(struct rctl *c, int argc, char **argv)
{
	const char *cmd = argv[0], *sub = argc > 1 ? argv[1] : "";
	int id;

	if (!strcmp(cmd, "room") && (!strcmp(sub, "create") || !strcmp(sub, "add")) && argc == 3)
		return room_create(c, argv[2]);
	if (!strcmp(cmd, "room") && !strcmp(sub, "del") && argc == 3)
		return room_del(c, argv[2]);
	if ((!strcmp(cmd, "part") || !strcmp(cmd, "track") || !strcmp(cmd, "sub")) && argc >= 2)
		return object_cmd(c, cmd, sub, argc - 2, argv + 2);
	if (!strcmp(cmd, "nodes"))
		return list_nodes(c);
	if (!strcmp(cmd, "rooms"))
		return list_rooms(c);
	if (!strcmp(cmd, "drain") && argc == 2)
		return run_script(c, CP_SC_DRAIN, 1, argv + 1);
	if (!strcmp(cmd, "sweep")) {
		char zero[] = "0", *rl[1] = {zero};

		return run_script(c, CP_SC_SWEEP, 1, rl);
	}
	if (!strcmp(cmd, "eval") && argc >= 2 && (id = cp_script_by_name(argv[1])) >= 0)
		return run_script(c, id, argc - 2, argv + 2);
	if (!strcmp(cmd, "batch") && argc == 2)
		return batch(c, argv[1]);
	usage();
	return 2;
}

/* batch FILE ("-": stdin): every line a command, key literals taken (the
 * file is not argv); writes are pipelined and flushed every 2000 lines and
 * at the end. The stream's buffer is ours, wiped after (lines carry keys),
 * so a batch line cannot start another batch. Returns the worst status. */
static int batch(struct rctl *c, const char *path)
{
	static char iobuf[BUFSIZ];
	static bool running;
	FILE *f = running ? NULL : strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[1024];
	int worst = 0, lineno = 0;

	if (running) {
		fprintf(stderr, "relaisctl: batch: not inside a batch\n");
		return 2;
	}
	if (f == NULL) {
		fprintf(stderr, "relaisctl: %s: %s\n", path, strerror(errno));
		return 2;
	}
	setvbuf(f, iobuf, _IOFBF, sizeof(iobuf));
	running = true;
	while (fgets(line, sizeof(line), f)) {
		char *argv[40], *save = NULL, *t;
		int argc = 0, rc;

		lineno++;
		for (t = strtok_r(line, " \t\r\n", &save); t && argc < 40;
		     t = strtok_r(NULL, " \t\r\n", &save))
			argv[argc++] = t;
		if (argc == 0 || argv[0][0] == '#')
			continue;
		rc = command(c, argc, argv);
		if (rc)
			fprintf(stderr, "relaisctl: %s line %d failed\n", path, lineno);
		worst = rc > worst ? rc : worst;
		if (lineno % 2000 == 0 && rctl_flush(c) < 0)
			worst = worst > 1 ? worst : 1;
	}
	OPENSSL_cleanse(line, sizeof(line));
	if (f != stdin)
		fclose(f);
	OPENSSL_cleanse(iobuf, sizeof(iobuf));
	running = false;
	if (rctl_flush(c) < 0)
		worst = worst > 1 ? worst : 1;
	return worst;
}

/* Global options before the command. Returns the index of the command or
 * -1 (usage). */
static int global_opts(struct rctl *c, struct cp_redis_cfg *rcfg, int argc, char **argv)
{
	char err[256];
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i] + 2, *a = i + 1 < argc ? argv[i + 1] : NULL;
		uint32_t v;

		if (!strcmp(argv[i], "-q")) {
			cp_log_level = CP_LOG_WARN;
			continue;
		}
		if (a == NULL || strncmp(argv[i], "--", 2) != 0)
			return -1;
		i++;
		if (!strcmp(o, "keyring")) {
			if (c->kr == NULL && (c->kr = cp_keyring_new()) == NULL) {
				fprintf(stderr, "relaisctl: keyring: %s\n", strerror(errno));
				return -1;
			}
			if (cp_keyring_load(c->kr, a, err, sizeof(err)) < 0) {
				fprintf(stderr, "relaisctl: %s\n", err);
				return -1;
			}
			c->have_keyring = true;
		} else if (!strcmp(o, "rate-limit") || !strcmp(o, "wait-ms")) {
			if (cp_parse_u32(a, &v) < 0)
				return -1;
			*(o[0] == 'r' ? &c->rate_limit : &c->wait_ms) = (int)v;
		} else if (cp_opts_redis(rcfg, o, a) != 0) {
			fprintf(stderr, "relaisctl: bad option %s\n", argv[i - 1]);
			return -1;
		}
	}
	return i < argc ? i : -1;
}

int main(int argc, char **argv)
{
	struct rctl c = {.rate_limit = 50, .wait_ms = 5000};
	struct relais_key_argv ka;
	struct cp_redis_cfg rcfg;
	char err[512];
	int first, rc;

	cp_log_prog = "relaisctl";
	if (relais_no_core_dump(cp_log_prog) < 0)
		return 2;
	cp_redis_cfg_init(&rcfg);
	first = global_opts(&c, &rcfg, argc, argv);
	if (first < 0) {
		usage();
		return 2;
	}
	if (!strcmp(argv[first], "script") && first + 1 < argc) {
		int id = cp_script_by_name(argv[first + 1]);

		if (id < 0)
			return 2;
		fputs(cp_script_source((enum cp_script)id), stdout);
		return 0;
	}
	/* Keys from files or stdin, never argv (include/relais/key_input.h). */
	if (relais_key_argv(&ka, argc - first, argv + first, STDIN_FILENO, err, sizeof(err)) < 0) {
		fprintf(stderr, "relaisctl: %s\n", err);
		return 2;
	}
	c.rc = cp_redis_connect(&rcfg, err, sizeof(err));
	if (c.rc == NULL) {
		fprintf(stderr, "relaisctl: redis unavailable: %s\n", err);
		relais_key_argv_clear(&ka);
		return 2;
	}
	rc = command(&c, ka.argc, ka.argv);
	relais_key_argv_clear(&ka);
	if (rctl_flush(&c) < 0 && rc == 0)
		rc = 1;
	cp_rblock_free(c.rc);
	cp_keyring_free(c.kr);
	free(c.touched);
	free(c.pm_part);
	free(c.pm_room);
	return rc;
}
