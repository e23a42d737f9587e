/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The s_client harness of tests/edge/dtls: see dtls_sclient.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "dtls_sclient.h"

#define REC_HDR 13         /* DTLS record header (RFC 6347 §4.1) */
#define HS_HDR 12          /* DTLS handshake header (RFC 6347 §4.2.2) */
#define POLL_MS 20         /* longest wait of the loop */
#define GRACE_MS 300       /* after the session ended: let s_client finish */
#define PRINT_WAIT_MS 2000 /* connected: wait this long for s_client's report */
#define EXIT_WAIT_MS 1500

/* See dtls_sclient.h. */
uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* See dtls_sclient.h. */
void exec_args(const char *const *argv)
{
	char *args[40];
	size_t n = 0;

	for (; argv[n] != NULL && n + 1 < sizeof(args) / sizeof(args[0]); n++)
		memcpy(&args[n], &argv[n], sizeof(args[n]));
	args[n] = NULL;
	execvp(args[0], args);
	_exit(127);
}

/* See dtls_sclient.h. */
int run_cmd(const char *const argv[], char *out, size_t cap)
{
	int fds[2], status = -1;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(fds[1], 1);
		dup2(devnull, 2);
		close(fds[0]);
		exec_args(argv);
	}
	close(fds[1]);
	while (pid > 0 && (n = read(fds[0], out + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* See dtls_sclient.h. */
int client_cert_make(const char *dir, const char *name, struct client_cert *cc)
{
	char subj[128], out[512], hex[128];
	const char *eq;
	size_t h = 0;

	snprintf(cc->cert_path, sizeof(cc->cert_path), "%s/%s.crt", dir, name);
	snprintf(cc->key_path, sizeof(cc->key_path), "%s/%s.key", dir, name);
	snprintf(subj, sizeof(subj), "/CN=%s", name);
	const char *req[] = {"openssl",
			     "req",
			     "-x509",
			     "-newkey",
			     "ec",
			     "-pkeyopt",
			     "ec_paramgen_curve:P-256",
			     "-nodes",
			     "-days",
			     "1",
			     "-subj",
			     subj,
			     "-keyout",
			     cc->key_path,
			     "-out",
			     cc->cert_path,
			     NULL};
	const char *fpr[] = {"openssl", "x509", "-noout",      "-fingerprint",
			     "-sha256", "-in",  cc->cert_path, NULL};

	if (run_cmd(req, out, sizeof(out)) != 0 || run_cmd(fpr, out, sizeof(out)) != 0)
		return -1;
	/* "sha256 Fingerprint=AB:CD:..." */
	eq = strchr(out, '=');
	for (const char *p = eq ? eq + 1 : ""; *p != '\0' && *p != '\n'; p++)
		if (*p != ':' && h + 1 < sizeof(hex))
			hex[h++] = *p;
	hex[h] = '\0';
	return check_hex(hex, cc->fp, sizeof(cc->fp)) == EDGE_FINGERPRINT_LEN ? 0 : -1;
}

/* Start s_client towards 127.0.0.1:port, stdin from *stdin_fd, stdout and
 * stderr into out_fd. Returns its pid or -1. */
static pid_t sclient_start(const struct sclient_run *run, unsigned port, int out_fd, int *stdin_fd)
{
	char connect[64], keylen[16];
	const char *argv[32];
	int n = 0, fds[2];
	pid_t pid;

	snprintf(connect, sizeof(connect), "127.0.0.1:%u", port);
	snprintf(keylen, sizeof(keylen), "%d", run->keymat_len);
	argv[n++] = "openssl";
	argv[n++] = "s_client";
	argv[n++] = "-dtls1_2";
	argv[n++] = "-connect";
	argv[n++] = connect;
	argv[n++] = "-use_srtp";
	argv[n++] = run->client_profiles;
	if (run->keymat_len > 0) {
		argv[n++] = "-keymatexport";
		argv[n++] = "EXTRACTOR-dtls_srtp";
		argv[n++] = "-keymatexportlen";
		argv[n++] = keylen;
	}
	if (run->client != NULL) {
		argv[n++] = "-cert";
		argv[n++] = run->client->cert_path;
		argv[n++] = "-key";
		argv[n++] = run->client->key_path;
	}
	if (run->client_verify) {
		argv[n++] = "-verify";
		argv[n++] = "1";
		argv[n++] = "-verify_return_error";
	}
	argv[n] = NULL;
	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[0], 0);
		dup2(out_fd, 1);
		dup2(out_fd, 2);
		close(fds[1]);
		exec_args(argv);
	}
	close(fds[0]);
	*stdin_fd = fds[1];
	return pid;
}

/* Split a datagram holding one whole ClientHello into two handshake
 * fragments in two records (RFC 6347 §4.2.2: fragment_offset and
 * fragment_length rewritten; the second record takes the next sequence
 * number). Returns 0, or -1 when d is not such a datagram. */
static int split_client_hello(const uint8_t *d, size_t n, uint8_t *a, size_t *alen, uint8_t *b,
			      size_t *blen)
{
	size_t rec_len, body, half;

	if (n < REC_HDR + HS_HDR || d[0] != 22 || d[REC_HDR] != 1)
		return -1;
	rec_len = (size_t)d[11] << 8 | d[12];
	body = rec_len - HS_HDR;
	if (REC_HDR + rec_len != n || d[19] != 0 || d[20] != 0 || d[21] != 0)
		return -1;
	half = body / 2;
	memcpy(a, d, REC_HDR + HS_HDR + half);
	a[11] = (uint8_t)((HS_HDR + half) >> 8);
	a[12] = (uint8_t)(HS_HDR + half);
	a[22] = (uint8_t)(half >> 16), a[23] = (uint8_t)(half >> 8), a[24] = (uint8_t)half;
	*alen = REC_HDR + HS_HDR + half;
	memcpy(b, d, REC_HDR + HS_HDR);
	memcpy(b + REC_HDR + HS_HDR, d + REC_HDR + HS_HDR + half, body - half);
	b[10] = (uint8_t)(b[10] + 1); /* sequence number + 1 (s_client starts at 0) */
	b[11] = (uint8_t)((HS_HDR + body - half) >> 8);
	b[12] = (uint8_t)(HS_HDR + body - half);
	b[19] = (uint8_t)(half >> 16), b[20] = (uint8_t)(half >> 8), b[21] = (uint8_t)half;
	b[22] = (uint8_t)((body - half) >> 16), b[23] = (uint8_t)((body - half) >> 8);
	b[24] = (uint8_t)(body - half);
	*blen = REC_HDR + HS_HDR + body - half;
	return 0;
}

/* After a split, the client's later epoch-0 records move one sequence
 * number up, so none repeats the second fragment's (replay detection). */
static void shift_epoch0_seq(uint8_t *d, size_t n)
{
	for (size_t pos = 0; pos + REC_HDR <= n;) {
		if (d[pos + 3] == 0 && d[pos + 4] == 0)
			for (int i = 10; i >= 5 && ++d[pos + i] == 0; i--)
				;
		pos += REC_HDR + ((size_t)d[pos + 11] << 8 | d[pos + 12]);
	}
}

struct loop {
	struct sclient_run *run;
	struct edge_dtls_ctx *ctx;
	struct edge_dtls_session *s;
	int sock;
	struct sockaddr_in peer;
	int split_done;
	int flight_dropped;
	int last_flight_dropped;
};

/* Send what the session queued (or lose the first flight when asked). */
static void drain(struct loop *l)
{
	uint8_t buf[EDGE_DTLS_MAX_MTU];
	int n, dropping = l->run->drop_first_flight && !l->flight_dropped;
	int dropping_last = l->run->drop_last_flight && !l->last_flight_dropped &&
			    edge_dtls_state(l->s) == EDGE_DTLS_CONNECTED;

	while ((n = edge_dtls_output(l->s, buf, sizeof(buf))) > 0) {
		if ((size_t)n > l->run->max_out_len)
			l->run->max_out_len = (size_t)n;
		if (dropping_last)
			l->last_flight_dropped = 1;
		if (dropping || dropping_last)
			l->run->relay_dropped++;
		else
			(void)sendto(l->sock, buf, (size_t)n, 0, (struct sockaddr *)&l->peer,
				     sizeof(l->peer));
	}
	if (dropping && l->run->max_out_len > 0)
		l->flight_dropped = 1;
}

/* Write the first datagram to the capture file when asked. */
static void capture(const struct sclient_run *run, const uint8_t *d, size_t n)
{
	FILE *fp = run->capture_path ? fopen(run->capture_path, "wb") : NULL;

	if (fp != NULL) {
		fwrite(d, 1, n, fp);
		fclose(fp);
	}
}

/* Feed one received datagram through the relay's changes to the session. */
static void feed(struct loop *l, uint8_t *d, size_t n)
{
	uint8_t a[4096], b[4096];
	size_t alen, blen;

	if (l->run->split_client_hello && !l->split_done && n <= sizeof(a) &&
	    split_client_hello(d, n, a, &alen, b, &blen) == 0) {
		l->split_done = 1;
		l->run->client_hello_pieces = 2;
		(void)edge_dtls_input(l->s, a, alen, mono_ms());
		drain(l);
		(void)edge_dtls_input(l->s, b, blen, mono_ms());
	} else {
		if (l->split_done)
			shift_epoch0_seq(d, n);
		(void)edge_dtls_input(l->s, d, n, mono_ms());
	}
	drain(l);
}

/* Receive one datagram if any within wait_ms; starts the session on the
 * first one. */
static void receive(struct loop *l, int wait_ms)
{
	struct pollfd pfd = {.fd = l->sock, .events = POLLIN};
	uint8_t d[EDGE_DTLS_MAX_DATAGRAM];
	socklen_t alen = sizeof(l->peer);
	enum edge_dtls_reason why;
	ssize_t n;

	if (poll(&pfd, 1, wait_ms) <= 0)
		return;
	n = recvfrom(l->sock, d, sizeof(d), 0, (struct sockaddr *)&l->peer, &alen);
	if (n <= 0)
		return;
	if (l->s == NULL) {
		capture(l->run, d, (size_t)n);
		l->s = edge_dtls_session_new(
		    l->ctx, l->run->expect_fp ? l->run->expect_fp : l->run->client->fp, mono_ms(),
		    &why);
		if (l->s == NULL)
			return;
	}
	feed(l, d, (size_t)n);
}

/* Read the output file into run->out. */
static void read_output(struct sclient_run *run, int fd)
{
	ssize_t n = pread(fd, run->out, sizeof(run->out) - 1, 0);

	run->out[n > 0 ? n : 0] = '\0';
}

/* The session is connected: take the keys, close locally if asked. */
static void on_connected(struct loop *l)
{
	l->run->connected = 1;
	l->run->half_open_connected = edge_dtls_half_open(l->ctx);
	l->run->have_keys = edge_dtls_keys(l->s, &l->run->keys) == 0;
	if (l->run->local_close) {
		edge_dtls_close(l->s);
		drain(l);
	}
}

/* Wait for s_client to exit (it should after close_notify or its stdin's
 * end), then kill it if it did not. Returns 1 when it exited by itself. */
static int sclient_reap(pid_t pid)
{
	uint64_t end = mono_ms() + EXIT_WAIT_MS;
	int status;

	while (mono_ms() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return 1;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 0;
}

/* One iteration: receive, run the timers, watch the state. Returns 1 when
 * the run is over. */
static int step(struct loop *l, int *stdin_fd, int out_fd, uint64_t *connected_at,
		uint64_t *ended_at)
{
	uint64_t now = mono_ms(), due;
	int wait = POLL_MS;

	if (l->s != NULL && (due = edge_dtls_next_timeout(l->s, now)) != EDGE_DTLS_NO_TIMEOUT)
		wait = due <= now ? 0 : (due - now < POLL_MS ? (int)(due - now) : POLL_MS);
	receive(l, wait);
	if (l->s == NULL)
		return 0;
	now = mono_ms();
	if (now >= edge_dtls_next_timeout(l->s, now)) {
		edge_dtls_handle_timeout(l->s, now);
		drain(l);
	}
	if (!l->run->connected && edge_dtls_state(l->s) == EDGE_DTLS_CONNECTED) {
		*connected_at = now;
		on_connected(l);
	}
	if (*stdin_fd >= 0 && l->run->connected) {
		read_output(l->run, out_fd);
		if (strstr(l->run->out,
			   l->run->keymat_len ? "Keying material:" : "SRTP Extension") ||
		    now > *connected_at + PRINT_WAIT_MS) {
			close(*stdin_fd); /* s_client then sends close_notify */
			*stdin_fd = -1;
		}
	}
	if (*ended_at == 0 && edge_dtls_state(l->s) >= EDGE_DTLS_CLOSED)
		*ended_at = now;
	return *ended_at != 0 && now > *ended_at + GRACE_MS;
}

/* See dtls_sclient.h. */
int udp_server_socket(unsigned *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* See dtls_sclient.h. */
int sclient_run(struct sclient_run *run)
{
	char out_path[] = "/tmp/edge-dtls-sclient.XXXXXX";
	struct loop l = {.run = run};
	uint64_t end, connected_at = 0, ended_at = 0;
	int out_fd = mkstemp(out_path), stdin_fd = -1;
	unsigned port = 0;
	pid_t pid = -1;

	l.sock = udp_server_socket(&port);
	l.ctx = edge_dtls_ctx_new(&run->params);
	if (out_fd >= 0)
		unlink(out_path);
	if (out_fd >= 0 && l.sock >= 0 && l.ctx != NULL)
		pid = sclient_start(run, port, out_fd, &stdin_fd);
	end = mono_ms() + (run->max_ms ? run->max_ms : 5000);
	while (pid > 0 && mono_ms() < end && !step(&l, &stdin_fd, out_fd, &connected_at, &ended_at))
		;
	if (stdin_fd >= 0)
		close(stdin_fd);
	if (pid > 0)
		run->client_exited = sclient_reap(pid);
	if (l.s != NULL) {
		run->state = edge_dtls_state(l.s);
		run->reason = edge_dtls_reason(l.s);
		run->last_alert = edge_dtls_last_alert(l.s);
		edge_dtls_get_stats(l.s, &run->stats);
		edge_dtls_session_free(l.s);
	}
	if (out_fd >= 0) {
		read_output(run, out_fd);
		close(out_fd);
	}
	if (l.sock >= 0)
		close(l.sock);
	if (edge_dtls_ctx_free(l.ctx) != 0 || pid <= 0 || l.s == NULL)
		return -1;
	return 0;
}

/* See dtls_sclient.h. */
int sclient_profile(const struct sclient_run *run, char *name, size_t cap)
{
	const char *p = strstr(run->out, "SRTP Extension negotiated, profile=");
	size_t n = 0;

	if (p == NULL)
		return -1;
	p += strlen("SRTP Extension negotiated, profile=");
	while (p[n] != '\0' && p[n] != '\n' && p[n] != '\r' && n + 1 < cap)
		n++;
	memcpy(name, p, n);
	name[n] = '\0';
	return 0;
}

/* See dtls_sclient.h. */
int sclient_keymat(const struct sclient_run *run, uint8_t *out, size_t cap)
{
	const char *p = strstr(run->out, "Keying material: ");
	char hex[512];
	size_t n = 0;

	if (p == NULL)
		return -1;
	p += strlen("Keying material: ");
	while (p[n] != '\0' && p[n] != '\n' && p[n] != '\r' && n + 1 < sizeof(hex)) {
		hex[n] = p[n];
		n++;
	}
	hex[n] = '\0';
	return check_hex(hex, out, cap);
}
