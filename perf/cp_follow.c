/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp_follow: a relais-loadgen scenario whose participants follow their
 * room across nodes, timed up to the first packet the new owner forwards.
 *
 *   cp_follow --redis unix:PATH|HOST:PORT --scenario FILE [--room N]
 *             [--room-offset N] [--duration S] [--linger MS] [--first-seq N]
 *             [--rekey-on-move --keyring FILE] [--json FILE] [--quiet]
 *
 * The scenario is relais-loadgen's (docs/loadgen.md; make-conference.py
 * writes one). Each endpoint belongs to a room: --room N for all, else the
 * number in its name (make-conference.py's r<ROOM>audio, r<ROOM>s<SUB>)
 * plus --room-offset. Publishers send paced SRTP RTP (no RTCP) to their
 * room's current owner, read from Redis (the scenario's target/to= are
 * ignored; IPv4 only); the follower thread (cp_follow_redis.c) re-points
 * them when the room moves. Subscribers decrypt with their own keys
 * (libsrtp2, RFC 3711 §3.3 / RFC 7714), check SSRC and every payload byte,
 * and class every good packet by source address: first owner or new owner.
 *
 * Prints "cp_follow: media flowing" once every subscriber has a good
 * packet; stops at --duration (default: the scenario's), on SIGINT/SIGTERM,
 * or --linger ms (default 500, 0 = never) after every subscriber has a good
 * packet from its room's new owner. --first-seq (default 1) is every
 * publisher's first RTP sequence number; "cp_follow: every stream wrapped"
 * is printed once every publisher's sequence number has wrapped.
 *
 * --rekey-on-move (cp_follow_keys.c): when a room moves, its participants
 * get new random keys, written to Redis wrapped under the first key of
 * --keyring (the control planes' deployment keyring), and the clients
 * switch to fresh SRTP contexts with them (ROC 0, RFC 3711 §3.2.1) as the
 * publishers re-point; sequence numbers continue. Subscribers decrypt
 * packets from the first owner with the old context, any other with the
 * new one. Without it the clients keep their contexts, which fails once a
 * stream has wrapped (the new owner starts at ROC 0): --first-seq 65300.
 *
 * Exit 0 when
 * every room moved to another node with a higher epoch and every
 * subscriber decrypted packets from it; 1 otherwise; 2 on usage or setup
 * errors. --json writes every time (CLOCK_REALTIME ms) and counter.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <relais/srtp_policy.h>
#include <relais/json_out.h>

#include "cp_follow.h"

#define CF_EXIT_FAILED 1
#define CF_EXIT_USAGE 2
#define CF_MAX_DURATION_MS 300000u /* at most one wrap per stream per run */
#define CF_WAKE_NS 20000000ull     /* at most this long in ppoll */
#define CF_BURST 32

struct cf_opts {
	const char *redis, *scenario, *json;
	long room, offset;
	double duration_s;
	long first_seq;
	const char *keyring;
};

static struct cf *g_cf; /* for the signal handler only */

static void on_signal(int sig)
{
	(void)sig;
	if (g_cf != NULL)
		g_cf->stop = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cp_follow --redis unix:PATH|HOST:PORT --scenario FILE [--room N]\n"
		"                 [--room-offset N] [--duration S] [--linger MS] [--first-seq N]\n"
		"                 [--rekey-on-move --keyring FILE] [--json FILE] [--quiet]\n"
		"  endpoints follow their room's owner (Redis); see perf/cp_follow.c\n");
}

/* Parse argv; 0 or -EINVAL (usage printed). */
static int parse_opts(int argc, char **argv, struct cf_opts *o, struct cf *cf)
{
	static const struct option lo[] = {{"redis", required_argument, NULL, 'r'},
					   {"scenario", required_argument, NULL, 's'},
					   {"room", required_argument, NULL, 'R'},
					   {"room-offset", required_argument, NULL, 'o'},
					   {"duration", required_argument, NULL, 'd'},
					   {"linger", required_argument, NULL, 'l'},
					   {"json", required_argument, NULL, 'j'},
					   {"first-seq", required_argument, NULL, 'f'},
					   {"rekey-on-move", no_argument, NULL, 'K'},
					   {"keyring", required_argument, NULL, 'k'},
					   {"quiet", no_argument, NULL, 'q'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	int ch;

	while ((ch = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
		if (ch == 'r')
			o->redis = optarg;
		else if (ch == 's')
			o->scenario = optarg;
		else if (ch == 'R')
			o->room = strtol(optarg, NULL, 10);
		else if (ch == 'o')
			o->offset = strtol(optarg, NULL, 10);
		else if (ch == 'd')
			o->duration_s = strtod(optarg, NULL);
		else if (ch == 'l')
			cf->linger_ms = (uint32_t)strtoul(optarg, NULL, 10);
		else if (ch == 'f')
			o->first_seq = strtol(optarg, NULL, 0);
		else if (ch == 'j')
			o->json = optarg;
		else if (ch == 'q')
			cf->quiet = 1;
		else if (ch == 'K')
			cf->rekey = 1;
		else if (ch == 'k')
			o->keyring = optarg;
		else {
			usage(ch == 'h' ? stdout : stderr);
			return -EINVAL;
		}
	}
	if (o->redis == NULL || o->scenario == NULL || optind != argc || o->duration_s < 0 ||
	    o->duration_s * 1000 > CF_MAX_DURATION_MS || o->first_seq < 0 || o->first_seq > 65535 ||
	    (cf->rekey && o->keyring == NULL)) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* Room index for an endpoint: --room, or the digits after its name's
 * leading 'r', plus the offset; added to cf->rooms when new. -EINVAL. */
static int room_of(struct cf *cf, const struct cf_opts *o, const char *name)
{
	long id = o->room;
	char *end;

	if (id == 0 && name[0] == 'r') {
		id = strtol(name + 1, &end, 10);
		id = end == name + 1 ? 0 : id + o->offset;
	}
	if (id <= 0 || id > 0xffffffffL) {
		fprintf(stderr, "cp_follow: %s: no room (use --room or names r<ROOM>...)\n", name);
		return -EINVAL;
	}
	for (int i = 0; i < cf->nrooms; i++) {
		if (cf->rooms[i].id == (uint32_t)id)
			return i;
	}
	if (cf->nrooms == CF_MAX_ROOMS)
		return -E2BIG;
	cf->rooms[cf->nrooms].id = (uint32_t)id;
	return cf->nrooms++;
}

/* Read the scenario and give every endpoint its room. Sequence numbers
 * start at --first-seq (default 1, so that no stream wraps within
 * CF_MAX_DURATION_MS at up to 200 pps). 0 or -errno. */
static int load_scenario(struct cf *cf, const struct cf_opts *o)
{
	char err[256];
	int rc;

	lg_conf_init(&cf->conf);
	if ((rc = lg_parse_file(&cf->conf, o->scenario, err, sizeof(err))) != 0 ||
	    (rc = lg_conf_finish(&cf->conf, err, sizeof(err))) != 0) {
		fprintf(stderr, "cp_follow: %s\n", err);
		return rc;
	}
	if (o->duration_s > 0)
		cf->conf.duration_ms = (uint32_t)(o->duration_s * 1000);
	if (cf->conf.duration_ms > CF_MAX_DURATION_MS)
		return -EINVAL;
	for (int i = 0; i < cf->conf.npubs; i++) {
		cf->conf.pubs[i].seq0 = (uint16_t)o->first_seq;
		if ((rc = room_of(cf, o, cf->conf.pubs[i].name)) < 0)
			return rc;
		cf->pub_room[i] = rc;
	}
	for (int i = 0; i < cf->conf.nsubs; i++) {
		if ((rc = room_of(cf, o, cf->conf.subs[i].name)) < 0)
			return rc;
		cf->subs[i].room = rc;
	}
	return 0;
}

/* A fresh SRTP session (every stream at ROC 0, RFC 3711 §3.2.1) of
 * profile prof with key (master key || salt): for any outbound SSRC, or
 * any inbound one (RFC 3711 §3.2; RFC 7714 for GCM). 0 or -EINVAL. */
static int make_ctx(const struct relais_srtp_profile_info *prof, const uint8_t *key, int inbound,
		    srtp_t *out)
{
	return relais_srtp_session(out, prof->id, key, inbound, 128, 0) < 0 ? -EINVAL : 0;
}

/* SRTP sessions from the scenario's profile and key: tx and rx. 0 or
 * -EINVAL. */
static int crypto_init(struct lg_crypto *c)
{
	int rc = make_ctx(c->prof, c->key, 0, &c->tx);

	return rc == 0 ? make_ctx(c->prof, c->key, 1, &c->rx) : rc;
}

/* Under cf->mtx, take every publisher's destination and every new key
 * generation together (the follower installs a room's destination and
 * keys at once), then switch the endpoints with a new key to fresh
 * contexts: a publisher's send context, a subscriber's receive context
 * for the new owner (rx_new). Called by the media thread before sending. */
static void apply_rekeys(struct cf *cf)
{
	static uint8_t keys[CF_MAX_EPS][CF_KEY_LEN];
	int n = cf->conf.npubs + cf->conf.nsubs, any = 0;
	uint8_t fresh[CF_MAX_EPS] = {0};

	pthread_mutex_lock(&cf->mtx);
	for (int i = 0; i < cf->conf.npubs; i++)
		cf->pub_dest[i] = cf->rooms[cf->pub_room[i]].dest;
	for (int e = 0; e < n; e++) {
		if (cf->eps[e].gen == cf->gen_seen[e])
			continue;
		memcpy(keys[e], cf->eps[e].next_key, CF_KEY_LEN);
		cf->gen_seen[e] = cf->eps[e].gen;
		fresh[e] = any = 1;
	}
	pthread_mutex_unlock(&cf->mtx);
	for (int e = 0; any && e < n; e++) {
		if (!fresh[e])
			continue;
		if (e < cf->conf.npubs) {
			struct lg_crypto *c = &cf->conf.pubs[e].c;
			srtp_dealloc(c->tx);
			c->tx = NULL;
			if (make_ctx(c->prof, keys[e], 0, &c->tx) == 0)
				memcpy(c->key, keys[e], sizeof(c->key));
		} else {
			struct cf_sub_stat *st = &cf->subs[e - cf->conf.npubs];
			struct lg_crypto *c = &cf->conf.subs[e - cf->conf.npubs].c;
			for (int k = 0; k < 2; k++) {
				srtp_t *x = k ? &st->rx_new : &st->rx_prev;
				if (*x != NULL)
					srtp_dealloc(*x);
				*x = NULL;
				make_ctx(c->prof, k ? keys[e] : c->key, 1, x);
			}
			memcpy(c->key, keys[e], sizeof(c->key));
		}
	}
	if (any)
		OPENSSL_cleanse(keys, sizeof(keys));
}

/* A non-blocking UDP socket bound to *a (IPv4). The fd or -errno. */
static int open_bound(const struct lg_addr *a, const char *name)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int buf = 4 << 20;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (a->ss.ss_family != AF_INET || bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0) {
		int e = a->ss.ss_family != AF_INET ? EAFNOSUPPORT : errno;
		fprintf(stderr, "cp_follow: %s: bind: %s\n", name, strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

/* Sessions and sockets of every endpoint; fds[] gets the subscribers'
 * sockets. 0 or -errno. */
static int setup_media(struct cf *cf, struct pollfd *fds)
{
	struct lg_conf *c = &cf->conf;
	int rc = 0;

	for (int i = 0; rc == 0 && i < c->npubs; i++) {
		rc = crypto_init(&c->pubs[i].c);
		if (rc == 0 && (c->pubs[i].fd = open_bound(&c->pubs[i].bind, c->pubs[i].name)) < 0)
			rc = c->pubs[i].fd;
	}
	for (int i = 0; rc == 0 && i < c->nsubs; i++) {
		rc = crypto_init(&c->subs[i].c);
		if (rc == 0 && (c->subs[i].fd = open_bound(&c->subs[i].bind, c->subs[i].name)) < 0)
			rc = c->subs[i].fd;
		fds[i].fd = c->subs[i].fd;
		fds[i].events = POLLIN;
	}
	return rc;
}

/* Send what is due of every publisher at t, to its room's current owner
 * (as of the last apply_rekeys); returns the next due time. */
static uint64_t send_due(struct cf *cf, uint64_t t)
{
	uint64_t next = UINT64_MAX;

	for (int i = 0; i < cf->conf.npubs; i++) {
		struct lg_pub *p = &cf->conf.pubs[i];
		for (int b = 0; b < CF_BURST && p->next_ns <= t; b++) {
			uint8_t buf[LG_BUF_LEN];
			int len = (int)lg_build_rtp(p, i, p->sent, buf,
						    sizeof(buf) - SRTP_MAX_TRAILER_LEN);
			struct lg_addr to;

			p->next_ns += 1000000000ull / p->rate;
			if (len == 0 || p->c.tx == NULL ||
			    srtp_protect(p->c.tx, buf, &len) != srtp_err_status_ok) {
				cf->conf.send_errors++;
				continue;
			}
			to = cf->pub_dest[i];
			if (sendto(p->fd, buf, (size_t)len, 0, (const struct sockaddr *)&to.ss,
				   to.len) != len)
				cf->conf.send_errors++;
			p->sent++;
		}
		next = p->next_ns < next ? p->next_ns : next;
	}
	return next;
}

static int same_addr(const struct lg_addr *a, const struct sockaddr_in *b)
{
	const struct sockaddr_in *x = (const struct sockaddr_in *)&a->ss;

	return x->sin_family == AF_INET && x->sin_addr.s_addr == b->sin_addr.s_addr &&
	       x->sin_port == b->sin_port;
}

/* Class a verified packet of subscriber i by its source: the room's first
 * owner, or its current owner once that is another node; wrapped: its
 * sequence number is below its publisher's first one. */
static void count_source(struct cf *cf, int i, const struct sockaddr_in *src, int wrapped)
{
	struct cf_sub_stat *st = &cf->subs[i];
	const struct cf_room *rm = &cf->rooms[st->room];
	double t = cf_now_ms();
	int old, now;

	pthread_mutex_lock(&cf->mtx);
	old = same_addr(&rm->dest0, src);
	now = !old && same_addr(&rm->dest, src);
	pthread_mutex_unlock(&cf->mtx);
	if (st->first_any_ms == 0)
		st->first_any_ms = t;
	if (old) {
		st->good_old++;
		st->wrapped_old += (uint64_t)wrapped;
	} else if (now) {
		if (st->good_new++ == 0)
			st->first_new_ms = t;
	} else {
		st->bad++;
	}
}

/* Decrypt packet buf (*len bytes) of subscriber i in place: from the first
 * owner, or before any re-key, with the scenario's context; else with the
 * re-keyed one (rx_new) or, failing that, with the previous key afresh
 * (rx_prev: the new owner still protects with it until it applies this
 * subscriber's new key). 0, 1 (by rx_prev), or -EBADMSG (no context
 * authenticates it). */
static int unprotect(struct cf *cf, int i, uint8_t *buf, int *len, const struct sockaddr_in *src)
{
	struct cf_sub_stat *st = &cf->subs[i];
	uint8_t copy[LG_BUF_LEN];
	int n = *len;

	/* dest0 is read-only once media runs */
	if (st->rx_new == NULL || same_addr(&cf->rooms[st->room].dest0, src))
		return srtp_unprotect(cf->conf.subs[i].c.rx, buf, len) == srtp_err_status_ok
			   ? 0
			   : -EBADMSG;
	memcpy(copy, buf, (size_t)n);
	if (srtp_unprotect(st->rx_new, buf, len) == srtp_err_status_ok)
		return 0;
	memcpy(buf, copy, (size_t)n);
	*len = n;
	if (st->rx_prev == NULL || srtp_unprotect(st->rx_prev, buf, len) != srtp_err_status_ok)
		return -EBADMSG;
	return 1;
}

/* Decrypt (unprotect) and verify one datagram for subscriber i: SSRC
 * among its expected out SSRCs, every payload byte. RTCP is ignored. */
static void sub_input(struct cf *cf, int i, uint8_t *buf, int len, const struct sockaddr_in *src)
{
	struct lg_sub *s = &cf->conf.subs[i];
	size_t off, plen;
	uint32_t orig;

	if (lg_is_rtcp(buf, (size_t)len))
		return;
	int how = unprotect(cf, i, buf, &len, src);
	if (how < 0) {
		cf->subs[i].auth_fail++;
		return;
	}
	uint32_t ssrc =
	    (uint32_t)buf[8] << 24 | (uint32_t)buf[9] << 16 | (uint32_t)buf[10] << 8 | buf[11];
	for (int k = 0; k < s->nstreams; k++) {
		const struct lg_stream *str = &s->streams[k];
		if (str->out_ssrc != ssrc)
			continue;
		if (lg_rtp_payload(buf, (size_t)len, &off, &plen) == 0 &&
		    lg_check_payload(buf + off, plen, str->pub, cf->conf.pubs[str->pub].size,
				     &orig) == 0) {
			uint16_t seq = (uint16_t)(buf[2] << 8 | buf[3]);
			count_source(cf, i, src, seq < cf->conf.pubs[str->pub].seq0);
			cf->subs[i].good_new_prevkey += (uint64_t)how;
			return;
		}
		break;
	}
	cf->subs[i].bad++;
}

/* Drain every readable subscriber socket. */
static void receive_all(struct cf *cf, const struct pollfd *fds)
{
	uint8_t buf[LG_BUF_LEN];

	for (int i = 0; i < cf->conf.nsubs; i++) {
		for (int k = 0; k < 64 && (fds[i].revents & POLLIN); k++) {
			struct sockaddr_in src;
			socklen_t sl = sizeof(src);
			ssize_t n = recvfrom(fds[i].fd, buf, sizeof(buf), MSG_DONTWAIT,
					     (struct sockaddr *)&src, &sl);
			if (n < 0)
				break;
			sub_input(cf, i, buf, (int)n, &src);
		}
	}
}

/* 1 when every subscriber has a good packet (from_new: from a new owner);
 * *latest is the latest of those first packets. */
static int all_have(const struct cf *cf, int from_new, double *latest)
{
	*latest = 0;
	for (int i = 0; i < cf->conf.nsubs; i++) {
		double t = from_new ? cf->subs[i].first_new_ms : cf->subs[i].first_any_ms;
		if (t == 0)
			return 0;
		*latest = t > *latest ? t : *latest;
	}
	return 1;
}

/* 1 when every publisher's sequence number has wrapped (it sent seq 0). */
static int all_wrapped(const struct cf *cf)
{
	for (int i = 0; i < cf->conf.npubs; i++) {
		if (cf->conf.pubs[i].sent <= 65536u - cf->conf.pubs[i].seq0)
			return 0;
	}
	return 1;
}

/* Print msg once (*done set) when cond holds. */
static void say_once(int *done, int cond, const char *msg)
{
	if (*done || !cond)
		return;
	*done = 1;
	printf("cp_follow: %s\n", msg);
	fflush(stdout);
}

/* The paced loop: send, wait (ppoll, at most CF_WAKE_NS), receive; ends
 * at the duration, a signal, or linger ms after the last subscriber's
 * first packet from a new owner. */
static void media_loop(struct cf *cf, struct pollfd *fds)
{
	uint64_t t0 = mono_ns(), end = t0 + cf->conf.duration_ms * 1000000ull;
	int flowing = 0, wrapped = 0;
	double last;

	for (int i = 0; i < cf->conf.npubs; i++)
		cf->conf.pubs[i].next_ns = t0 + 1000000000ull / cf->conf.pubs[i].rate *
						    (uint64_t)i / (uint64_t)cf->conf.npubs;
	while (!cf->stop) {
		apply_rekeys(cf);
		uint64_t t = mono_ns(), next = send_due(cf, t);
		if (t >= end)
			break;
		say_once(&flowing, all_have(cf, 0, &last), "media flowing");
		say_once(&wrapped, all_wrapped(cf), "every stream wrapped");
		if (cf->linger_ms > 0 && all_have(cf, 1, &last) &&
		    cf_now_ms() >= last + cf->linger_ms)
			break;
		next = next < end ? next : end;
		next = next < t + CF_WAKE_NS ? next : t + CF_WAKE_NS;
		struct timespec ts = {.tv_sec = (time_t)((next - t) / 1000000000ull),
				      .tv_nsec = (long)((next - t) % 1000000000ull)};
		for (int i = 0; i < cf->conf.nsubs; i++)
			fds[i].revents = 0;
		ppoll(fds, (nfds_t)cf->conf.nsubs, next > t ? &ts : &(struct timespec){0}, NULL);
		receive_all(cf, fds);
	}
}

/* A time in ms to 3 decimals, null when it never happened (0). */
static void json_ktime(struct json_out *j, const char *key, double ms)
{
	json_key(j, key);
	if (ms == 0)
		json_null(j);
	else
		json_dbl(j, ms, 3);
}

/* One room's result. */
static void json_room(struct json_out *j, const struct cf_room *r)
{
	json_obj_begin(j);
	json_ku64(j, "room", r->id);
	json_kstr(j, "from", r->owner0);
	json_kstr(j, "to", r->owner);
	json_ku64(j, "epoch_before", r->epoch0);
	json_ku64(j, "epoch_after", r->epoch);
	json_ktime(j, "lease_expiry_ms", r->lease_gone ? r->lease_exp_ms : 0);
	json_ktime(j, "moved_ms", r->moved_ms);
	json_ktime(j, "seen_ms", r->seen_ms);
	json_ktime(j, "served_ms", r->served_ms);
	json_ktime(j, "repointed_ms", r->repointed_ms);
	json_ktime(j, "rekeyed_ms", r->rekeyed_ms);
	json_ku64(j, "rekeys", r->rekeys);
	json_obj_end(j);
}

/* One subscriber's result. */
static void json_sub(struct json_out *j, const struct cf *cf, int i)
{
	const struct cf_sub_stat *s = &cf->subs[i];

	json_obj_begin(j);
	json_kstr(j, "name", cf->conf.subs[i].name);
	json_ku64(j, "room", cf->rooms[s->room].id);
	json_ku64(j, "good_from_first_owner", s->good_old);
	json_ku64(j, "good_wrapped_from_first_owner", s->wrapped_old);
	json_ku64(j, "good_from_new_owner", s->good_new);
	json_ku64(j, "new_owner_previous_key", s->good_new_prevkey);
	json_ku64(j, "auth_failures", s->auth_fail);
	json_ku64(j, "bad", s->bad);
	json_ktime(j, "first_ms", s->first_any_ms);
	json_ktime(j, "first_from_new_owner_ms", s->first_new_ms);
	json_obj_end(j);
}

/* Write the per-room, per-subscriber and per-publisher results as JSON. */
static void write_json(const struct cf *cf, FILE *f, int ok)
{
	struct json_out j;

	json_out_init_file(&j, f, JSON_SPACED);
	json_obj_begin(&j);
	json_kbool(&j, "ok", ok);
	json_kbool(&j, "rekey_on_move", cf->rekey);
	json_key(&j, "rooms");
	json_arr_begin(&j);
	for (int i = 0; i < cf->nrooms; i++) {
		json_ws(&j, "\n  ");
		json_room(&j, &cf->rooms[i]);
	}
	json_arr_end(&j);
	json_ws(&j, "\n ");
	json_key(&j, "subscribers");
	json_arr_begin(&j);
	for (int i = 0; i < cf->conf.nsubs; i++) {
		json_ws(&j, "\n  ");
		json_sub(&j, cf, i);
	}
	json_arr_end(&j);
	json_ws(&j, "\n ");
	json_key(&j, "publishers");
	json_arr_begin(&j);
	for (int i = 0; i < cf->conf.npubs; i++) {
		json_ws(&j, "\n  ");
		json_obj_begin(&j);
		json_kstr(&j, "name", cf->conf.pubs[i].name);
		json_ku64(&j, "room", cf->rooms[cf->pub_room[i]].id);
		json_ku64(&j, "sent", cf->conf.pubs[i].sent);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_ws(&j, "\n ");
	json_ku64(&j, "send_errors", cf->conf.send_errors);
	json_obj_end(&j);
	json_ws(&j, "\n");
	json_out_finish(&j);
}

/* The verdict: every room on another node with a higher epoch, every
 * subscriber with good packets from it. Prints one line per failure. */
static int verdict(const struct cf *cf)
{
	int ok = 1;

	for (int i = 0; i < cf->nrooms; i++) {
		const struct cf_room *r = &cf->rooms[i];
		if (strcmp(r->owner, r->owner0) == 0 || r->epoch <= r->epoch0) {
			printf("cp_follow: room %u did not move (%s epoch %llu)\n", r->id, r->owner,
			       (unsigned long long)r->epoch);
			ok = 0;
		}
	}
	for (int i = 0; i < cf->conf.nsubs; i++) {
		if (cf->subs[i].good_new == 0) {
			printf("cp_follow: %s: nothing decrypted from room %u's new owner\n",
			       cf->conf.subs[i].name, cf->rooms[cf->subs[i].room].id);
			ok = 0;
		}
	}
	return ok;
}

/* Close sockets, free SRTP sessions, wipe keys. */
static void release(struct cf *cf)
{
	struct lg_conf *c = &cf->conf;

	for (int i = 0; i < c->npubs + c->nsubs; i++) {
		struct lg_crypto *k = i < c->npubs ? &c->pubs[i].c : &c->subs[i - c->npubs].c;
		int *fd = i < c->npubs ? &c->pubs[i].fd : &c->subs[i - c->npubs].fd;
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		if (k->tx != NULL)
			srtp_dealloc(k->tx);
		if (k->rx != NULL)
			srtp_dealloc(k->rx);
		k->tx = k->rx = NULL;
		explicit_bzero(k->key, sizeof(k->key));
		for (int j = 0; i >= c->npubs && j < 2; j++) {
			struct cf_sub_stat *st = &cf->subs[i - c->npubs];
			srtp_t *x = j ? &st->rx_new : &st->rx_prev;
			if (*x != NULL)
				srtp_dealloc(*x);
			*x = NULL;
		}
	}
	cp_keyring_clear(&cf->kr);
}

/* Run media with the follower thread beside it; write the results. */
static int run(struct cf *cf, const struct cf_opts *o)
{
	struct pollfd fds[LG_MAX_SUBS];
	struct sigaction sa = {.sa_handler = on_signal};
	pthread_t th;
	int ok;

	if (setup_media(cf, fds) != 0)
		return CF_EXIT_USAGE;
	g_cf = cf;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (pthread_create(&th, NULL, cf_follow_main, cf) != 0)
		return CF_EXIT_USAGE;
	media_loop(cf, fds);
	cf->stop = 1;
	pthread_join(th, NULL);
	ok = verdict(cf);
	if (o->json != NULL) {
		FILE *f = fopen(o->json, "w");
		if (f == NULL) {
			perror(o->json);
			return CF_EXIT_USAGE;
		}
		write_json(cf, f, ok);
		fclose(f);
	}
	printf("cp_follow: %s\n", ok ? "PASS: rooms followed" : "FAIL");
	return ok ? 0 : CF_EXIT_FAILED;
}

/* --rekey-on-move: the keyring and every endpoint's participant id. 0 or
 * -errno (message printed). */
static int load_keys(struct cf *cf, const struct cf_opts *o)
{
	char err[256];
	int rc = cp_keyring_load(&cf->kr, o->keyring, err, sizeof(err));

	if (rc != 0) {
		fprintf(stderr, "cp_follow: %s\n", err);
		return rc;
	}
	return cf_load_parts(cf);
}

int main(int argc, char **argv)
{
	static struct cf cf;
	struct cf_opts o = {.duration_s = 0, .first_seq = 1};
	int rc;

	cf.linger_ms = 500;
	pthread_mutex_init(&cf.mtx, NULL);
	if (parse_opts(argc, argv, &o, &cf) != 0 || load_scenario(&cf, &o) != 0)
		return CF_EXIT_USAGE;
	if ((cf.rc = cf_connect(o.redis)) == NULL || cf_load_rooms(&cf) != 0)
		return CF_EXIT_USAGE;
	if (cf.rekey && load_keys(&cf, &o) != 0)
		return CF_EXIT_USAGE;
	if (srtp_init() != srtp_err_status_ok) {
		fprintf(stderr, "cp_follow: srtp_init failed\n");
		return CF_EXIT_USAGE;
	}
	rc = run(&cf, &o);
	release(&cf);
	srtp_shutdown();
	redisFree(cf.rc);
	return rc;
}
