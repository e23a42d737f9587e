/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-cli: the operator's and the local deployment's client of the
 * dataplane control channel.
 *   relais-cli [-S SOCKET] COMMAND...       one command (see cli_args.c)
 *   relais-cli [-S SOCKET] batch FILE|-     one command per line ('#' comments)
 *   relais-cli [-S SOCKET] stats [--json]   counters and drops by reason
 *   relais-cli [-S SOCKET] watch [--interval S] [--duration S]
 *                                           live per-second rates
 * Exit status: 0 ok, 1 refused by the dataplane (reason printed), 2 usage
 * or connection error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <relais/json_out.h>
#include <relais/key_input.h>
#include <relais/no_dump.h>

#include "cli_args.h"

#define TIMEOUT_MS 5000

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fputs("usage: relais-cli [-S SOCKET] COMMAND\n"
	      "  room add|del ID\n"
	      "  part add --room R --id P --addr A:PORT --profile NAME KEYS [--fb-ssrc N]\n"
	      "  part rekey (as part add: same room, address and profile, new keys)\n"
	      "  part del ID\n"
	      "  track add --id T --part P (--ssrc N | --learn [--pt N]) --kind audio|video"
	      " [--clock HZ]\n"
	      "  track del ID\n"
	      "  sub add --id S --part P --track T --ssrc OUT [--pt-map IN:OUT,...]\n"
	      "          [--ext-map IN:OUT,...]   renumber RTP header extensions (0: drop)\n"
	      "  sub del ID | sub switch ID TRACK\n"
	      "  stats [--json] | track-stats ID | watch [--interval S] [--duration S]\n"
	      "  dump rooms|parts|tracks|subs\n"
	      "  offenders [--min N] [--top N]   sources of auth/replay/unknown drops\n"
	      "  batch FILE|-   commands from a file or stdin; there a key is given as\n"
	      "                 --rx-key K --tx-key K\n"
	      "  profiles   the SRTP profiles, one a line (no dataplane needed):\n"
	      "             id SDES-name DTLS-name|- short-name key salt rtp-tag rtcp-tag aead\n"
	      "KEYS: --rx-key-file F --tx-key-file F (secret files, mode 600: first line)\n"
	      "      or --keys-stdin (lines 'rx K' and 'tx K' on standard input); never\n"
	      "      on the command line, where every local user reads them\n"
	      "K: hex or base64 of master key || master salt\n",
	      stderr);
}

/* Print every SRTP profile of RELAIS_SRTP_PROFILES, one a line, fields
 * separated by one space: id (0x%04x), SDES name, DTLS-SRTP name or "-",
 * short name, key, salt, SRTP tag and SRTCP tag bytes, aead 0/1. Scripts
 * and tests read the list from here (tests/common/check_profiles.sh). */
static void print_profiles(void)
{
	const struct relais_srtp_profile_info *p;

	for (size_t i = 0; (p = relais_srtp_profile_at(i)) != NULL; i++)
		printf("0x%04x %s %s %s %u %u %u %u %u\n", (unsigned)p->id, p->name,
		       p->dtls_name ? p->dtls_name : "-", p->short_name, p->key_len, p->salt_len,
		       p->rtp_tag_len, p->rtcp_tag_len, p->aead);
}

/* STATS as one JSON object: every counter, then "drops" by reason, then
 * with an XDP filter "xdp_drops": "passed" and its non-zero reasons. */
static void print_stats_json(const struct relais_ctl_stats *s)
{
	struct json_out j;

	json_out_init_file(&j, stdout, JSON_COMPACT);
	json_obj_begin(&j);
	for (unsigned i = 0; i < RELAIS_STAT_MAX; i++)
		json_ku64(&j, relais_stat_name(i), s->v[i]);
	json_key(&j, "drops");
	json_obj_begin(&j);
	for (unsigned i = 1; i < RELAIS_DROP_MAX; i++)
		json_ku64(&j, relais_drop_name(i), s->drops[i]);
	json_obj_end(&j);
	if (s->v[RELAIS_STAT_xdp_filter]) {
		json_key(&j, "xdp_drops");
		json_obj_begin(&j);
		json_ku64(&j, "passed", s->xdp_drops[0]);
		for (unsigned i = 1; i < RELAIS_DROP_MAX; i++)
			if (s->xdp_drops[i])
				json_ku64(&j, relais_drop_name(i), s->xdp_drops[i]);
		json_obj_end(&j);
	}
	json_obj_end(&j);
	json_ws(&j, "\n");
	json_out_finish(&j);
}

/* Print a title and the non-zero drops[1..] with their explanation. */
static void print_drops(const char *title, const uint64_t *drops)
{
	printf("%s\n", title);
	for (unsigned i = 1; i < RELAIS_DROP_MAX; i++)
		if (drops[i])
			printf("  %-16s %-10llu %s\n", relais_drop_name(i),
			       (unsigned long long)drops[i], relais_drop_help(i));
}

/* Print STATS: counters then non-zero drops with their explanation, the
 * dataplane's then the XDP filter's when it has one. */
static void print_stats(const struct relais_ctl_stats *s, int json)
{
	if (json) {
		print_stats_json(s);
		return;
	}
	for (unsigned i = 0; i < RELAIS_STAT_MAX; i++)
		printf("%-16s %llu\n", relais_stat_name(i), (unsigned long long)s->v[i]);
	print_drops("drops:", s->drops);
	if (s->v[RELAIS_STAT_xdp_filter]) {
		printf("xdp: %llu passed to the dataplane\n", (unsigned long long)s->xdp_drops[0]);
		print_drops("xdp drops (in front of the port):", s->xdp_drops);
	}
}

/* Send one message; print the outcome. 0, 1 (refused) or 2 (transport). */
static int call(int fd, struct relais_ctl_msg *m, int json)
{
	static uint32_t seq = 100;
	struct relais_ctl_reply r;
	int rc;

	m->seq = seq++;
	rc = relais_ctl_call(fd, m, &r, TIMEOUT_MS);
	if (rc < 0) {
		fprintf(stderr, "relais-cli: %s: %s\n", relais_ctl_type_name(m->type),
			strerror(-rc));
		return 2;
	}
	if (r.status != 0) {
		fprintf(stderr, "relais-cli: %s refused: %s (%s)\n", relais_ctl_type_name(m->type),
			r.error, strerror(-r.status));
		return 1;
	}
	if (m->type == RELAIS_CTL_STATS)
		print_stats(&r.u.stats, json);
	else if (m->type == RELAIS_CTL_TRACK_STATS)
		printf("track %u ssrc %u subscribers %u pkts %llu bytes %llu drops %llu\n",
		       r.u.track_stats.track_id, r.u.track_stats.ssrc, r.u.track_stats.n_subs,
		       (unsigned long long)r.u.track_stats.pkts,
		       (unsigned long long)r.u.track_stats.bytes,
		       (unsigned long long)r.u.track_stats.drops);
	return 0;
}

/* Print one DUMP record of kind. */
static void print_rec(unsigned kind, const struct relais_ctl_dump_rec *r)
{
	char a[64] = "";

	if (kind == RELAIS_DUMP_ROOMS) {
		printf("room %u participants %u\n", r->id, r->aux);
	} else if (kind == RELAIS_DUMP_PARTS) {
		relais_addr_format(&r->addr, a, sizeof(a));
		printf("part %u room %u addr %s lcore %u cookie %#llx\n", r->id, r->parent, a,
		       r->aux, (unsigned long long)r->cookie);
	} else if (kind == RELAIS_DUMP_TRACKS) {
		printf("track %u part %u ssrc %#x kind %s%s cookie %#llx\n", r->id, r->parent,
		       r->aux, (r->aux2 & 0xff) == RELAIS_TRACK_AUDIO ? "audio" : "video",
		       r->aux2 >> 8 ? " learned" : "", (unsigned long long)r->cookie);
	} else {
		printf("sub %u part %u track %u out_ssrc %#x cookie %#llx\n", r->id, r->parent,
		       r->aux, r->aux2, (unsigned long long)r->cookie);
	}
}

/* dump rooms|parts|tracks|subs: every page until the cursor is 0. */
static int dump(int fd, const char *what)
{
	static const char *const names[] = {"", "rooms", "parts", "tracks", "subs"};
	struct relais_ctl_msg m = {.type = RELAIS_CTL_DUMP};
	struct relais_ctl_reply r;

	for (unsigned k = 1; k < 5; k++)
		if (strcmp(what, names[k]) == 0)
			m.u.dump.kind = (uint8_t)k;
	if (m.u.dump.kind == 0) {
		fprintf(stderr, "relais-cli: dump rooms|parts|tracks|subs\n");
		return 2;
	}
	do {
		m.seq++;
		if (relais_ctl_call(fd, &m, &r, TIMEOUT_MS) < 0 || r.status != 0) {
			fprintf(stderr, "relais-cli: dump failed: %s\n", r.error);
			return 2;
		}
		for (unsigned i = 0; i < r.u.dump.count; i++)
			print_rec(m.u.dump.kind, &r.u.dump.rec[i]);
		m.u.dump.cursor = r.u.dump.next_cursor;
	} while (m.u.dump.cursor != 0);
	return 0;
}

/* offenders [--min N] [--top N]: per-source drop counts, highest first. */
static int offenders(int fd, int argc, char **argv)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_OFFENDERS, .seq = 1};
	struct relais_ctl_reply r;
	char a[64];

	for (int k = 0; k + 1 < argc; k++) {
		if (strcmp(argv[k], "--min") == 0)
			m.u.offenders.min_total = strtoull(argv[k + 1], NULL, 10);
		if (strcmp(argv[k], "--top") == 0)
			m.u.offenders.max = (uint8_t)atoi(argv[k + 1]);
	}
	if (relais_ctl_call(fd, &m, &r, TIMEOUT_MS) < 0 || r.status != 0) {
		fprintf(stderr, "relais-cli: offenders failed: %s\n", r.error);
		return 2;
	}
	printf("%-40s %10s %10s %12s %14s %10s %11s\n", "source", "srtp_auth", "replay",
	       "unknown_ssrc", "unknown_source", "age_ms", "protected");
	for (unsigned i = 0; i < r.u.offenders.count; i++) {
		const struct relais_ctl_offender *o = &r.u.offenders.rec[i];

		if (o->addr.family == 4 || o->addr.family == 6)
			inet_ntop(o->addr.family == 4 ? AF_INET : AF_INET6, o->addr.ip, a,
				  sizeof(a));
		else
			snprintf(a, sizeof(a), "?");
		printf("%-40s %10llu %10llu %12llu %14llu %10llu %11s\n", a,
		       (unsigned long long)o->auth_fail, (unsigned long long)o->replay,
		       (unsigned long long)o->unknown_ssrc, (unsigned long long)o->unknown_source,
		       (unsigned long long)o->last_seen_ms, relais_protect_name(o->protect));
	}
	printf("(%u sources tracked)\n", r.u.offenders.n_tracked);
	return 0;
}

/* Build and send one command line. */
static int run_command(int fd, int argc, char **argv)
{
	struct relais_ctl_msg m;
	char err[256];
	int json = argc > 1 && strcmp(argv[argc - 1], "--json") == 0;

	int rc;

	if (cli_build_msg(argc, argv, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "relais-cli: %s\n", err);
		explicit_bzero(&m, sizeof(m));
		return 2;
	}
	rc = call(fd, &m, json);
	explicit_bzero(&m, sizeof(m)); /* part add/rekey: keys */
	return rc;
}

/* Execute a file of commands ("-": stdin); stops at the first failure.
 * Key literals are taken here: the file is not argv. */
static int run_batch(int fd, const char *path)
{
	char line[1024];
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int lineno = 0, rc = 0;

	if (f == NULL) {
		fprintf(stderr, "relais-cli: %s: %s\n", path, strerror(errno));
		return 2;
	}
	setvbuf(f, NULL, _IONBF, 0); /* lines carry keys: no stdio copy */
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *argv[64], *save = NULL;
		int argc = 0;

		lineno++;
		for (char *t = strtok_r(line, " \t\r\n", &save); t && argc < 64;
		     t = strtok_r(NULL, " \t\r\n", &save))
			argv[argc++] = t;
		if (argc == 0 || argv[0][0] == '#')
			continue;
		rc = run_command(fd, argc, argv);
		if (rc)
			fprintf(stderr, "relais-cli: %s:%d: command failed\n", path, lineno);
	}
	explicit_bzero(line, sizeof(line));
	if (f != stdin)
		fclose(f);
	return rc;
}

/* Fetch STATS; 0 or non-zero. */
static int get_stats(int fd, struct relais_ctl_stats *s)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_STATS, .seq = 1};
	struct relais_ctl_reply r;

	if (relais_ctl_call(fd, &m, &r, TIMEOUT_MS) < 0 || r.status)
		return -1;
	*s = r.u.stats;
	return 0;
}

/* The drops of one interval (cur - prev, reasons 1..), summed; each
 * non-zero one appended to top at *o as "<label><reason>=<per second> ". */
static uint64_t rate_top(const uint64_t *cur, const uint64_t *prev, const char *label,
			 double interval, char *top, size_t cap, size_t *o)
{
	uint64_t sum = 0;

	for (unsigned i = 1; i < RELAIS_DROP_MAX; i++) {
		uint64_t d = cur[i] - prev[i];

		sum += d;
		if (d && *o < cap - 40)
			*o += (size_t)snprintf(top + *o, cap - *o, "%s%s=%llu ", label,
					       relais_drop_name(i),
					       (unsigned long long)(d / interval));
	}
	return sum;
}

/* Live per-interval rates until SIGINT or duration; drops/s counts the
 * dataplane's and the XDP filter's ("xdp:" in the reasons). */
static int watch(int fd, double interval, double duration)
{
	struct relais_ctl_stats prev, cur;
	double t = 0;

	if (get_stats(fd, &prev) < 0)
		return 2;
	printf("%6s %10s %10s %10s %10s %8s  %s\n", "t(s)", "rx pps", "tx pps", "decrypt/s",
	       "encrypt/s", "drops/s", "top drop reasons");
	while (!stop && (duration <= 0 || t < duration)) {
		char top[256] = "";
		uint64_t drops;
		size_t o = 0;

		usleep((useconds_t)(interval * 1e6));
		t += interval;
		if (get_stats(fd, &cur) < 0)
			return 2;
		drops =
		    rate_top(cur.drops, prev.drops, "", interval, top, sizeof(top), &o) +
		    rate_top(cur.xdp_drops, prev.xdp_drops, "xdp:", interval, top, sizeof(top), &o);
#define RATE(f) ((cur.v[RELAIS_STAT_##f] - prev.v[RELAIS_STAT_##f]) / interval)
		printf("%6.0f %10.0f %10.0f %10.0f %10.0f %8.0f  %s\n", t, RATE(rx_pkts),
		       RATE(tx_pkts), RATE(decrypt_ok), RATE(encrypt_ok), drops / interval, top);
#undef RATE
		fflush(stdout);
		prev = cur;
	}
	return 0;
}

/* Connect to sock and run the command argv[0..argc) (its keys already
 * resolved). 0, 1 or 2 (see the top of this file). */
static int connect_and_run(const char *sock, int argc, char **argv)
{
	int fd = relais_ctl_connect(sock, "relais-cli"), rc;

	if (fd < 0) {
		fprintf(stderr, "relais-cli: cannot talk to the dataplane at %s: %s\n", sock,
			fd == -EPROTONOSUPPORT ? "protocol version mismatch"
			: fd == -EPERM
			    ? "the socket is served by another user's process (not root, "
			      "not ours): refused"
			    : strerror(-fd));
		return 2;
	}
	signal(SIGINT, on_signal);
	if (strcmp(argv[0], "offenders") == 0) {
		rc = offenders(fd, argc - 1, argv + 1);
	} else if (strcmp(argv[0], "dump") == 0 && argc > 1) {
		rc = dump(fd, argv[1]);
	} else if (strcmp(argv[0], "batch") == 0 && argc > 1) {
		rc = run_batch(fd, argv[1]);
	} else if (strcmp(argv[0], "watch") == 0) {
		double iv = 1, dur = 0;

		for (int k = 1; k + 1 < argc; k++) {
			if (strcmp(argv[k], "--interval") == 0)
				iv = atof(argv[k + 1]);
			if (strcmp(argv[k], "--duration") == 0)
				dur = atof(argv[k + 1]);
		}
		rc = watch(fd, iv > 0 ? iv : 1, dur);
	} else {
		rc = run_command(fd, argc, argv);
	}
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	const char *sock = getenv("RELAIS_CTL_SOCKET");
	struct relais_key_argv ka;
	char err[512];
	int rc, i = 1;

	if (relais_no_core_dump("relais-cli") < 0)
		return 2;
	if (sock == NULL)
		sock = RELAIS_CTL_DEFAULT_SOCK;
	if (argc > 2 && strcmp(argv[1], "-S") == 0) {
		sock = argv[2];
		i = 3;
	}
	if (i >= argc || strcmp(argv[i], "help") == 0 || strcmp(argv[i], "--help") == 0) {
		usage();
		return i >= argc ? 2 : 0;
	}
	if (strcmp(argv[i], "profiles") == 0) {
		print_profiles();
		return 0;
	}
	/* Keys from files or stdin, never argv (include/relais/key_input.h). */
	if (relais_key_argv(&ka, argc - i, argv + i, STDIN_FILENO, err, sizeof(err)) < 0) {
		fprintf(stderr, "relais-cli: %s\n", err);
		return 2;
	}
	rc = connect_and_run(sock, ka.argc, ka.argv);
	relais_key_argv_clear(&ka);
	return rc;
}
