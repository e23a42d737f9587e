/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-loadgen run loop: one thread, non-blocking UDP sockets, ppoll()
 * with nanosecond timeouts. Publishers are paced on CLOCK_MONOTONIC;
 * every received packet is decrypted and verified as it arrives.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <relais/srtp_policy.h>

#include "loadgen.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
#define LG_BURST 32      /* most packets one publisher sends per wakeup */
#define LG_RECV_BATCH 64 /* most packets read from one socket per wakeup */
#define LG_RCVBUF (4 << 20)
#define LG_FIRST_RTCP_MS 500 /* first SR / PLI this long after start */
#define LG_SR_MS 1000
/* Subscribers send an SRTCP receiver report at start and every LG_RR_MS
 * (RFC 3550 §6.2): relais sends media only to an address that sent it an
 * authenticated packet (media.consent, docs/operations.md), so publishers
 * start LG_CONSENT_LEAD_MS after the first reports. */
#define LG_RR_MS 2000
#define LG_CONSENT_LEAD_MS 100

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Create c->tx (any outbound SSRC) and c->rx (any inbound SSRC) from the
 * profile and key (RFC 3711 §3.2; RFC 7714 for GCM). 0 or -EINVAL. */
static int crypto_init(struct lg_crypto *c)
{
	if (relais_srtp_session(&c->tx, c->prof->id, c->key, 0, 128, 0) < 0)
		return -EINVAL;
	if (relais_srtp_session(&c->rx, c->prof->id, c->key, 1, 128, 0) < 0) {
		srtp_dealloc(c->tx);
		c->tx = NULL;
		return -EINVAL;
	}
	return 0;
}

static void crypto_free(struct lg_crypto *c)
{
	if (c->tx != NULL)
		srtp_dealloc(c->tx);
	if (c->rx != NULL)
		srtp_dealloc(c->rx);
	c->tx = c->rx = NULL;
	explicit_bzero(c->key, sizeof(c->key));
}

/* Open a non-blocking UDP socket bound to *a and write back the bound
 * address (port 0 becomes the real port). Returns the fd or -errno. */
static int open_bound(struct lg_addr *a, const char *name)
{
	int fd = socket(a->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, buf = LG_RCVBUF;

	if (fd < 0)
		return -errno;
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* Bigger queues are best effort: FORCE needs CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	socklen_t len = a->len;
	if (bind(fd, (const struct sockaddr *)&a->ss, len) != 0 ||
	    (a->len = sizeof(a->ss), getsockname(fd, (struct sockaddr *)&a->ss, &a->len)) != 0) {
		int e = errno;
		fprintf(stderr, "loadgen: %s: bind: %s\n", name, strerror(e));
		close(fd);
		return -e;
	}
	return fd;
}

/* The bound address of the endpoint named name, or NULL. */
static const struct lg_addr *endpoint_addr(const struct lg_conf *conf, const char *name)
{
	for (int i = 0; i < conf->npubs; i++) {
		if (strcmp(conf->pubs[i].name, name) == 0)
			return &conf->pubs[i].bind;
	}
	for (int i = 0; i < conf->nsubs; i++) {
		if (strcmp(conf->subs[i].name, name) == 0)
			return &conf->subs[i].bind;
	}
	return NULL;
}

/* Final destination: to=, to=@name (after binding), or the target. */
static void resolve_to(const struct lg_conf *conf, struct lg_addr *to, const char *ref, int has_to)
{
	const struct lg_addr *a;

	if (!has_to)
		*to = conf->target;
	else if (ref[0] != '\0' && (a = endpoint_addr(conf, ref)) != NULL)
		*to = *a;
}

/* Create SRTP sessions, bind every socket, resolve destinations. */
static int setup(struct lg_conf *conf)
{
	int rc = 0;

	for (int i = 0; rc == 0 && i < conf->npubs; i++) {
		struct lg_pub *p = &conf->pubs[i];
		rc = crypto_init(&p->c);
		if (rc == 0 && (p->fd = open_bound(&p->bind, p->name)) < 0)
			rc = p->fd;
	}
	for (int i = 0; rc == 0 && i < conf->nsubs; i++) {
		struct lg_sub *s = &conf->subs[i];
		rc = crypto_init(&s->c);
		if (rc == 0 && (s->fd = open_bound(&s->bind, s->name)) < 0)
			rc = s->fd;
	}
	if (rc == -EINVAL)
		fprintf(stderr, "loadgen: SRTP session setup failed (profile unsupported?)\n");
	for (int i = 0; rc == 0 && i < conf->npubs; i++)
		resolve_to(conf, &conf->pubs[i].to, conf->pubs[i].to_ref, conf->pubs[i].has_to);
	for (int i = 0; rc == 0 && i < conf->nsubs; i++)
		resolve_to(conf, &conf->subs[i].to, conf->subs[i].to_ref, conf->subs[i].has_to);
	return rc;
}

/* Close sockets, free SRTP sessions, wipe keys. Safe to call twice. */
void lg_release(struct lg_conf *conf)
{
	for (int i = 0; i < conf->npubs; i++) {
		if (conf->pubs[i].fd >= 0)
			close(conf->pubs[i].fd);
		conf->pubs[i].fd = -1;
		crypto_free(&conf->pubs[i].c);
	}
	for (int i = 0; i < conf->nsubs; i++) {
		if (conf->subs[i].fd >= 0)
			close(conf->subs[i].fd);
		conf->subs[i].fd = -1;
		crypto_free(&conf->subs[i].c);
	}
}

/* Send one datagram; a local failure is counted, not fatal. */
static void send_pkt(struct lg_conf *conf, int fd, const struct lg_addr *to, const uint8_t *buf,
		     int len)
{
	if (sendto(fd, buf, (size_t)len, 0, (const struct sockaddr *)&to->ss, to->len) != len)
		conf->send_errors++;
}

/* Protect and send publisher p's next RTP packet. */
static void pub_send_rtp(struct lg_conf *conf, int idx)
{
	struct lg_pub *p = &conf->pubs[idx];
	uint8_t buf[LG_BUF_LEN];
	int len = (int)lg_build_rtp(p, idx, p->sent, buf, sizeof(buf) - SRTP_MAX_TRAILER_LEN);

	if (len == 0 || srtp_protect(p->c.tx, buf, &len) != srtp_err_status_ok) {
		conf->send_errors++;
		return;
	}
	send_pkt(conf, p->fd, &p->to, buf, len);
	p->sent++;
	p->bytes += p->size;
}

/* Protect and send publisher p's sender report (RFC 3550 §6.4.1). */
static void pub_send_sr(struct lg_conf *conf, struct lg_pub *p)
{
	uint8_t buf[64 + SRTP_MAX_TRAILER_LEN + 4];
	int len = (int)lg_build_sr(p, buf, 64);

	if (srtp_protect_rtcp(p->c.tx, buf, &len) != srtp_err_status_ok) {
		conf->send_errors++;
		return;
	}
	send_pkt(conf, p->fd, &p->to, buf, len);
	p->sr_sent++;
}

/* Send one PLI per expected stream of subscriber s (RFC 4585 §6.3.1; alone,
 * as reduced-size RTCP, RFC 5506 §3). */
static void sub_send_pli(struct lg_conf *conf, struct lg_sub *s)
{
	for (int i = 0; i < s->nstreams; i++) {
		uint8_t buf[12 + SRTP_MAX_TRAILER_LEN + 4];
		int len = (int)lg_build_pli(s->ssrc, s->streams[i].out_ssrc, buf, 12);

		if (srtp_protect_rtcp(s->c.tx, buf, &len) != srtp_err_status_ok) {
			conf->send_errors++;
			continue;
		}
		send_pkt(conf, s->fd, &s->to, buf, len);
		s->pli_sent++;
	}
}

/* Send subscriber s's receiver report (SRTCP, authenticated with its key). */
static void sub_send_rr(struct lg_conf *conf, struct lg_sub *s)
{
	uint8_t buf[8 + SRTP_MAX_TRAILER_LEN + 4];
	int len = (int)lg_build_rr(s->ssrc, buf, 8);

	if (srtp_protect_rtcp(s->c.tx, buf, &len) != srtp_err_status_ok) {
		conf->send_errors++;
		return;
	}
	send_pkt(conf, s->fd, &s->to, buf, len);
	s->rr_sent++;
}

/* Whether publisher p may still send. */
static int pub_active(const struct lg_conf *conf, const struct lg_pub *p)
{
	return conf->count == 0 || p->sent < conf->count;
}

/* Send what is due at time t; returns the earliest next due time. */
static uint64_t send_due(struct lg_conf *conf, uint64_t t)
{
	uint64_t next = UINT64_MAX;

	for (int i = 0; i < conf->npubs; i++) {
		struct lg_pub *p = &conf->pubs[i];
		uint64_t period = NS_PER_S / p->rate;
		for (int b = 0; b < LG_BURST && p->next_ns <= t && pub_active(conf, p); b++) {
			pub_send_rtp(conf, i);
			p->next_ns += period;
		}
		if (p->next_sr_ns <= t && p->sent > 0) {
			pub_send_sr(conf, p);
			p->next_sr_ns = t + LG_SR_MS * NS_PER_MS;
		}
		if (pub_active(conf, p) && p->next_ns < next)
			next = p->next_ns;
		if (p->next_sr_ns < next)
			next = p->next_sr_ns;
	}
	for (int i = 0; i < conf->nsubs; i++) {
		struct lg_sub *s = &conf->subs[i];
		if (s->next_rr_ns <= t) {
			sub_send_rr(conf, s);
			s->next_rr_ns = t + LG_RR_MS * NS_PER_MS;
		}
		if (s->next_rr_ns < next)
			next = s->next_rr_ns;
		if (s->pli_ms == 0)
			continue;
		if (s->next_pli_ns <= t) {
			sub_send_pli(conf, s);
			s->next_pli_ns = t + s->pli_ms * NS_PER_MS;
		}
		if (s->next_pli_ns < next)
			next = s->next_pli_ns;
	}
	return next;
}

/* The stream of s with this out SSRC, or NULL. */
static struct lg_stream *find_stream(struct lg_sub *s, uint32_t ssrc)
{
	for (int i = 0; i < s->nstreams; i++) {
		if (s->streams[i].out_ssrc == ssrc)
			return &s->streams[i];
	}
	return NULL;
}

/* Check sequence continuity: the out sequence must advance exactly as the
 * publisher's original index did (RFC 3550 §5.1; a gap is loss, a step
 * back is reordering or duplication). 0 or -EBADMSG. */
static int check_seq(struct lg_stream *st, uint16_t seq, uint32_t orig)
{
	if (!st->started) {
		st->started = 1;
		st->gaps += orig; /* everything before the first packet */
	} else {
		uint32_t d = orig - st->last_orig;
		if (orig <= st->last_orig)
			return -EBADMSG;
		if ((uint16_t)(seq - st->last_seq) != (uint16_t)d || d > 32768) {
			st->last_seq = seq;
			st->last_orig = orig;
			return -EBADMSG;
		}
		st->gaps += d - 1;
	}
	st->last_seq = seq;
	st->last_orig = orig;
	return 0;
}

/* Verify one decrypted RTP packet received by subscriber s. */
static void verify_rtp(struct lg_conf *conf, struct lg_sub *s, const uint8_t *pkt, size_t len)
{
	size_t off, plen;
	uint32_t orig;

	if (lg_rtp_payload(pkt, len, &off, &plen) != 0) {
		conf->fail.malformed++;
		return;
	}
	struct lg_stream *st = find_stream(s, get32(pkt + 8));
	if (st == NULL) {
		conf->fail.ssrc++;
		return;
	}
	st->received++;
	if (lg_check_payload(pkt + off, plen, st->pub, conf->pubs[st->pub].size, &orig) != 0) {
		conf->fail.payload++;
		return;
	}
	if (check_seq(st, (uint16_t)(pkt[2] << 8 | pkt[3]), orig) != 0) {
		conf->fail.seq++;
		return;
	}
	st->verified++;
}

/* Handle one datagram that arrived on subscriber s's socket. */
static void sub_input(struct lg_conf *conf, struct lg_sub *s, uint8_t *buf, int len)
{
	unsigned n;

	if (lg_is_rtcp(buf, (size_t)len)) {
		s->rtcp_rx++;
		if (srtp_unprotect_rtcp(s->c.rx, buf, &len) != srtp_err_status_ok)
			conf->fail.auth++;
		else if (lg_rtcp_count(buf, (size_t)len, 200, -1, 0, &n) != 0)
			conf->fail.malformed++;
		else
			s->sr_rx += n;
		return;
	}
	if (srtp_unprotect(s->c.rx, buf, &len) != srtp_err_status_ok) {
		conf->fail.auth++;
		return;
	}
	verify_rtp(conf, s, buf, (size_t)len);
}

/* Handle one datagram on publisher p's socket: PLIs for its SSRC count;
 * RTCP that fails authentication is a failure; anything else is ignored. */
static void pub_input(struct lg_conf *conf, struct lg_pub *p, uint8_t *buf, int len)
{
	unsigned n;

	if (!lg_is_rtcp(buf, (size_t)len))
		return;
	p->rtcp_rx++;
	if (srtp_unprotect_rtcp(p->c.rx, buf, &len) != srtp_err_status_ok) {
		p->rtcp_fail++;
		conf->fail.auth++;
	} else if (lg_rtcp_count(buf, (size_t)len, 206, 1, p->ssrc, &n) != 0) {
		conf->fail.malformed++;
	} else {
		p->pli_rx += n;
	}
}

/* Drain up to a batch from every readable socket. fds[] is pubs then subs. */
static void receive_all(struct lg_conf *conf, const struct pollfd *fds)
{
	uint8_t buf[LG_BUF_LEN];

	for (int i = 0; i < conf->npubs + conf->nsubs; i++) {
		if (!(fds[i].revents & POLLIN))
			continue;
		for (int k = 0; k < LG_RECV_BATCH; k++) {
			ssize_t n = recv(fds[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0)
				break;
			if (i < conf->npubs)
				pub_input(conf, &conf->pubs[i], buf, (int)n);
			else
				sub_input(conf, &conf->subs[i - conf->npubs], buf, (int)n);
		}
	}
}

/* Sum the counters. With final set, lost = sent - received per expected
 * stream; before that, the gaps seen so far. */
void lg_totals(const struct lg_conf *conf, int final, struct lg_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < conf->npubs; i++) {
		t->sent += conf->pubs[i].sent;
		t->sr_sent += conf->pubs[i].sr_sent;
		t->pli_received += conf->pubs[i].pli_rx;
	}
	for (int i = 0; i < conf->nsubs; i++) {
		const struct lg_sub *s = &conf->subs[i];
		t->sr_received += s->sr_rx;
		t->pli_sent += s->pli_sent;
		for (int j = 0; j < s->nstreams; j++) {
			const struct lg_stream *st = &s->streams[j];
			uint32_t sent = conf->pubs[st->pub].sent;
			t->received += st->received;
			t->verified += st->verified;
			t->expected += sent;
			if (final)
				t->lost += sent > st->received ? sent - st->received : 0;
			else
				t->lost += st->gaps;
		}
	}
	t->failures = conf->fail.auth + conf->fail.ssrc + conf->fail.seq + conf->fail.payload +
		      conf->fail.malformed;
}

/* Whether every expected stream has all its publisher's packets. */
static int all_received(const struct lg_conf *conf)
{
	for (int i = 0; i < conf->nsubs; i++) {
		for (int j = 0; j < conf->subs[i].nstreams; j++) {
			const struct lg_stream *st = &conf->subs[i].streams[j];
			if (st->received < conf->pubs[st->pub].sent)
				return 0;
		}
	}
	return 1;
}

static void live_line(const struct lg_conf *conf, uint64_t elapsed_ns)
{
	struct lg_totals t;

	lg_totals(conf, 0, &t);
	printf("loadgen: t=%5.1fs sent=%llu received=%llu verified=%llu failures=%llu lost=%llu\n",
	       (double)elapsed_ns / 1e9, (unsigned long long)t.sent, (unsigned long long)t.received,
	       (unsigned long long)t.verified, (unsigned long long)t.failures,
	       (unsigned long long)t.lost);
	fflush(stdout);
}

/* Stagger publishers across one period and set the first RTCP times. */
static void schedule_start(struct lg_conf *conf, uint64_t t0)
{
	for (int i = 0; i < conf->npubs; i++) {
		struct lg_pub *p = &conf->pubs[i];
		p->next_ns = t0 + LG_CONSENT_LEAD_MS * NS_PER_MS +
			     NS_PER_S / p->rate * (uint64_t)i / (uint64_t)conf->npubs;
		p->next_sr_ns = t0 + LG_FIRST_RTCP_MS * NS_PER_MS;
	}
	for (int i = 0; i < conf->nsubs; i++) {
		struct lg_sub *s = &conf->subs[i];
		uint32_t first = s->pli_ms < LG_FIRST_RTCP_MS ? s->pli_ms : LG_FIRST_RTCP_MS;
		s->next_pli_ns = t0 + first * NS_PER_MS;
		s->next_rr_ns = t0;
	}
}

static int any_active(const struct lg_conf *conf)
{
	for (int i = 0; i < conf->npubs; i++) {
		if (pub_active(conf, &conf->pubs[i]))
			return 1;
	}
	return 0;
}

/* Sleep in ppoll() until deadline (absolute, monotonic ns) or input. */
static void wait_until(struct pollfd *fds, int nfds, uint64_t t, uint64_t deadline)
{
	uint64_t d = deadline > t ? deadline - t : 0;
	struct timespec ts = {.tv_sec = (time_t)(d / NS_PER_S), .tv_nsec = (long)(d % NS_PER_S)};

	for (int i = 0; i < nfds; i++)
		fds[i].revents = 0;
	ppoll(fds, (nfds_t)nfds, &ts, NULL);
}

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;
	return m < c ? m : c;
}

/* The paced send / verify loop. Sending stops at the duration, the count
 * or SIGINT/SIGTERM; then the receivers get up to grace_ms to drain. */
static void event_loop(struct lg_conf *conf, struct pollfd *fds, int nfds)
{
	uint64_t t0 = now_ns(), send_end = t0 + conf->duration_ms * NS_PER_MS;
	uint64_t end = UINT64_MAX, next_report = t0 + NS_PER_S;

	schedule_start(conf, t0);
	for (;;) {
		uint64_t t = now_ns(), next = UINT64_MAX;
		if (end == UINT64_MAX) {
			if (t >= send_end || stop_requested || !any_active(conf))
				end = t + conf->grace_ms * NS_PER_MS;
			else
				next = send_due(conf, t);
		}
		if (end != UINT64_MAX && (t >= end || all_received(conf)))
			break;
		if (t >= next_report) {
			if (!conf->quiet)
				live_line(conf, t - t0);
			next_report += NS_PER_S;
		}
		uint64_t deadline = min3(next, next_report, end);
		if (end == UINT64_MAX && send_end < deadline)
			deadline = send_end;
		wait_until(fds, nfds, t, deadline);
		receive_all(conf, fds);
	}
	conf->elapsed_ms = (now_ns() - t0) / NS_PER_MS;
}

/* Run the scenario: set up, loop, tear down (sockets closed, keys wiped).
 * Counters stay in conf. 0, or -errno when setup failed. */
int lg_run(struct lg_conf *conf)
{
	struct pollfd fds[LG_MAX_PUBS + LG_MAX_SUBS];
	struct sigaction sa;
	int rc, nfds = conf->npubs + conf->nsubs;

	if (srtp_init() != srtp_err_status_ok) {
		fprintf(stderr, "loadgen: srtp_init failed\n");
		return -EIO;
	}
	rc = setup(conf);
	if (rc == 0) {
		for (int i = 0; i < nfds; i++) {
			fds[i].fd =
			    i < conf->npubs ? conf->pubs[i].fd : conf->subs[i - conf->npubs].fd;
			fds[i].events = POLLIN;
		}
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		event_loop(conf, fds, nfds);
	}
	lg_release(conf);
	srtp_shutdown();
	return rc;
}
