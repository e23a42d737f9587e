/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * edge_dtls against a second, independent DTLS-SRTP client: aiortc's
 * RTCDtlsTransport (aiortc_dtls_client.py), the Python WebRTC stack, over
 * UDP on 127.0.0.1. aiortc checks our certificate against the fingerprint
 * text edge_cert writes for the SDP answer, splits the keys its own way,
 * and sends SRTP through libsrtp; we check what a user would: it connects,
 * both sides hold the same keys, its SRTP packet decrypts with our rx key,
 * our SRTP packet (tx key) decrypts on its side, and our close_notify
 * closes its transport.
 *
 *   test_dtls_aiortc CLIENT_SCRIPT
 */
#define CHECK_MAIN
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <relais/srtp_policy.h>

#include "check.h"
#include "dtls_sclient.h"

#define PAYLOAD "relais-edge-dtls" /* x4: aiortc_dtls_client.py's PAYLOAD */
#define RUN_MS 15000
#define RTP_HDR 12

struct peer {
	int sock;
	struct sockaddr_in addr;
	int out_fd; /* the client's stdout */
	char lines[8192];
	size_t len;
	struct edge_dtls_ctx *ctx;
	struct edge_dtls_session *s;
	uint8_t client_fp[EDGE_FINGERPRINT_LEN];
	int have_fp, rtp_ok, rtp_sent, closed_sent;
};

/* The text after "key " on a line the client printed, or NULL. */
static const char *client_said(const struct peer *p, const char *key)
{
	const char *at = p->lines;
	size_t n = strlen(key);

	while ((at = strstr(at, key)) != NULL) {
		if ((at == p->lines || at[-1] == '\n') && at[n] == ' ')
			return at + n + 1;
		at += n;
	}
	return NULL;
}

/* The hex the client printed after key, as bytes into out; length or -1. */
static int client_hex(const struct peer *p, const char *key, uint8_t *out, size_t cap)
{
	const char *v = client_said(p, key);
	char hex[512];
	size_t n = 0;

	if (v == NULL)
		return -1;
	while (v[n] != '\n' && v[n] != '\0' && n + 1 < sizeof(hex)) {
		hex[n] = v[n];
		n++;
	}
	hex[n] = '\0';
	return check_hex(hex, out, cap);
}

/* Send what the session queued to the client. */
static void drain(struct peer *p)
{
	uint8_t buf[EDGE_DTLS_MAX_MTU];
	int n;

	while ((n = edge_dtls_output(p->s, buf, sizeof(buf))) > 0)
		(void)sendto(p->sock, buf, (size_t)n, 0, (struct sockaddr *)&p->addr,
			     sizeof(p->addr));
}

/* Unprotect the client's SRTP packet with our rx key, then answer with
 * one of ours under the tx key. */
static void on_srtp(struct peer *p, uint8_t *pkt, int len)
{
	struct edge_dtls_keys k;
	srtp_t rx = NULL, tx = NULL;
	uint8_t out[RTP_HDR + 64 + SRTP_MAX_TRAILER_LEN] = {0x80, 96, 0,    7,    0,    0,
							    0,    9,  0x0b, 0xad, 0xca, 0xfe};
	int out_len = RTP_HDR + 64;

	if (edge_dtls_keys(p->s, &k) != 0 || relais_srtp_session_key(&rx, &k.rx, 1, 128, 0) != 0)
		return;
	p->rtp_ok = srtp_unprotect(rx, pkt, &len) == srtp_err_status_ok && len == RTP_HDR + 64 &&
		    memcmp(pkt + RTP_HDR, PAYLOAD PAYLOAD, 32) == 0;
	srtp_dealloc(rx);
	for (int i = 0; i < 64; i++)
		out[RTP_HDR + i] = (uint8_t)PAYLOAD[i % 16];
	if (relais_srtp_session_key(&tx, &k.tx, 0, 128, 0) == 0 &&
	    srtp_protect(tx, out, &out_len) == srtp_err_status_ok) {
		(void)sendto(p->sock, out, (size_t)out_len, 0, (struct sockaddr *)&p->addr,
			     sizeof(p->addr));
		p->rtp_sent = 1;
	}
	if (tx != NULL)
		srtp_dealloc(tx);
	OPENSSL_cleanse(&k, sizeof(k));
}

/* One datagram from the client: DTLS to the session, SRTP to on_srtp. */
static void on_datagram(struct peer *p)
{
	uint8_t d[4096];
	socklen_t alen = sizeof(p->addr);
	enum edge_dtls_reason why;
	ssize_t n = recvfrom(p->sock, d, sizeof(d), 0, (struct sockaddr *)&p->addr, &alen);

	if (n <= 0 || !p->have_fp)
		return;
	if (p->s == NULL)
		p->s = edge_dtls_session_new(p->ctx, p->client_fp, mono_ms(), &why);
	if (p->s == NULL)
		return;
	if (d[0] >= 128 && d[0] <= 191 && edge_dtls_state(p->s) == EDGE_DTLS_CONNECTED)
		on_srtp(p, d, (int)n);
	else
		(void)edge_dtls_input(p->s, d, (size_t)n, mono_ms());
	drain(p);
}

/* Read what the client printed; learn its fingerprint from the first line. */
static void on_lines(struct peer *p)
{
	ssize_t n = read(p->out_fd, p->lines + p->len, sizeof(p->lines) - 1 - p->len);
	const char *fp;

	if (n <= 0)
		return;
	p->len += (size_t)n;
	p->lines[p->len] = '\0';
	fp = client_said(p, "fingerprint");
	if (!p->have_fp && fp != NULL && strchr(fp, '\n') != NULL) {
		char text[EDGE_FINGERPRINT_TEXT_MAX + 8] = "";

		memcpy(text, fp,
		       (size_t)(strchr(fp, '\n') - fp) < sizeof(text) - 1
			   ? (size_t)(strchr(fp, '\n') - fp)
			   : sizeof(text) - 1);
		p->have_fp = edge_fingerprint_parse(text, p->client_fp) == EDGE_CERT_OK;
	}
}

/* Run until the client exits or RUN_MS: serve the handshake, exchange
 * SRTP, close once the client reported our packet. */
static void serve(struct peer *p, pid_t pid, int *status)
{
	uint64_t end = mono_ms() + RUN_MS;
	int exited = 0;

	while (!exited && mono_ms() < end) {
		struct pollfd pfd[2] = {{.fd = p->sock, .events = POLLIN},
					{.fd = p->out_fd, .events = POLLIN}};

		if (poll(pfd, 2, 20) > 0) {
			if (pfd[0].revents & POLLIN)
				on_datagram(p);
			if (pfd[1].revents & (POLLIN | POLLHUP))
				on_lines(p);
		}
		if (p->s != NULL && mono_ms() >= edge_dtls_next_timeout(p->s, mono_ms())) {
			edge_dtls_handle_timeout(p->s, mono_ms());
			drain(p);
		}
		if (p->rtp_sent && !p->closed_sent && client_said(p, "rtp") != NULL) {
			edge_dtls_close(p->s);
			drain(p);
			p->closed_sent = 1;
		}
		exited = waitpid(pid, status, WNOHANG) == pid;
	}
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, status, 0);
	}
	on_lines(p);
}

/* Start the client on port, its stdout into *out_fd; pid or -1. */
static pid_t client_start(const char *script, unsigned port, const char *server_fp, int *out_fd)
{
	char port_text[16];
	int fds[2];
	pid_t pid;

	snprintf(port_text, sizeof(port_text), "%u", port);
	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		const char *argv[] = {"/usr/bin/python3", script, port_text, server_fp, NULL};

		dup2(fds[1], 1);
		close(fds[0]);
		exec_args(argv);
	}
	close(fds[1]);
	*out_fd = fds[0];
	return pid;
}

/* What the run must show. */
static void check_run(const struct peer *p, int status)
{
	const struct relais_srtp_profile_info *info =
	    relais_srtp_profile_get(RELAIS_SRTP_AES128_CM_SHA1_80);
	uint8_t cw[64], sw[64], ours[64];
	struct edge_dtls_keys k = {0};

	CHECKF(p->have_fp, "the client printed no fingerprint (is python3-aiortc installed?):\n%s",
	       p->lines);
	CHECKF(client_said(p, "state") && strncmp(client_said(p, "state"), "connected", 9) == 0,
	       "aiortc did not connect (our fingerprint text refused?):\n%s", p->lines);
	CHECKF(p->s != NULL && edge_dtls_keys(p->s, &k) == 0, "we never connected");
	CHECK_EQ(k.profile, RELAIS_SRTP_AES128_CM_SHA1_80, "profile (aiortc offers only this one)");
	CHECK_EQ(client_hex(p, "client_write", cw, sizeof(cw)), 30, "client_write bytes");
	CHECK_EQ(client_hex(p, "server_write", sw, sizeof(sw)), 30, "server_write bytes");
	memcpy(ours, k.rx.key, info->key_len);
	memcpy(ours + info->key_len, k.rx.salt, info->salt_len);
	CHECK_MEM(ours, cw, 30, "our rx key+salt = aiortc's client write");
	memcpy(ours, k.tx.key, info->key_len);
	memcpy(ours + info->key_len, k.tx.salt, info->salt_len);
	CHECK_MEM(ours, sw, 30, "our tx key+salt = aiortc's server write");
	CHECKF(p->rtp_ok, "aiortc's SRTP packet did not decrypt with our rx key");
	CHECKF(p->rtp_sent && client_said(p, "rtp") != NULL, "aiortc did not decrypt our packet");
	CHECKF(strstr(p->lines, "\nclosed\n") != NULL,
	       "aiortc's transport did not close on our close_notify:\n%s", p->lines);
	CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "client exit status %d", status);
	CHECK(p->s != NULL && edge_dtls_reason(p->s) == EDGE_DTLS_LOCAL_CLOSE);
	OPENSSL_cleanse(&k, sizeof(k));
}

int main(int argc, char **argv)
{
	struct peer p = {.out_fd = -1};
	enum edge_cert_error why;
	struct edge_cert *cert = edge_cert_generate(NULL, &why);
	struct edge_dtls_params params = {.cert = cert};
	unsigned port = 0;
	int status = -1;
	pid_t pid = -1;

	CHECK(argc > 1 && cert != NULL && srtp_init() == srtp_err_status_ok);
	p.sock = udp_server_socket(&port);
	p.ctx = cert ? edge_dtls_ctx_new(&params) : NULL;
	if (argc > 1 && p.sock >= 0 && p.ctx != NULL)
		pid = client_start(argv[1], port, edge_cert_fingerprint(cert), &p.out_fd);
	CHECKF(pid > 0, "cannot start the aiortc client");
	if (pid > 0) {
		serve(&p, pid, &status);
		check_run(&p, status);
	}
	edge_dtls_session_free(p.s);
	CHECK_EQ(edge_dtls_ctx_free(p.ctx), 0, "ctx_free");
	edge_cert_free(cert);
	if (p.sock >= 0)
		close(p.sock);
	if (p.out_fd >= 0)
		close(p.out_fd);
	srtp_shutdown();
	return check_summary("dtls_aiortc");
}
