/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test harness of edge/dtls against `openssl s_client -dtls1_2` as the
 * browser side: a UDP server on 127.0.0.1 that drives one edge_dtls session
 * with the datagrams s_client sends, optionally playing a lossy relay
 * (the ClientHello split into two handshake fragments, the server's first
 * flight dropped once), for a bounded time; then what s_client printed
 * (negotiated profile, exported keying material) beside what the server
 * got. Also the client certificates the tests present, made and
 * fingerprinted with the openssl command (an oracle independent of
 * edge_cert.c).
 */
#ifndef TESTS_EDGE_DTLS_SCLIENT_H
#define TESTS_EDGE_DTLS_SCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "edge_dtls.h"

#define SCLIENT_OUT_MAX 16384

/* A client certificate made by `openssl req`, with its fingerprint as
 * `openssl x509 -fingerprint -sha256` prints it. */
struct client_cert {
	char cert_path[256];
	char key_path[256];
	uint8_t fp[EDGE_FINGERPRINT_LEN];
};

struct sclient_run {
	/* inputs */
	struct edge_dtls_params params;   /* cert and profiles set by the test */
	const struct client_cert *client; /* -cert/-key; NULL: none */
	const uint8_t *expect_fp;         /* NULL: client->fp */
	const char *client_profiles;      /* s_client -use_srtp list */
	int keymat_len;                   /* -keymatexportlen; 0: none */
	int split_client_hello;           /* relay: ClientHello in 2 fragments */
	int drop_first_flight;            /* relay: lose our first flight once */
	int drop_last_flight;             /* relay: lose our last flight (CCS, Finished) once */
	int local_close;                  /* edge_dtls_close once connected */
	int client_verify;                /* s_client -verify_return_error */
	const char *capture_path;         /* write the first datagram here */
	unsigned max_ms;                  /* bound of the whole run */
	/* results */
	enum edge_dtls_state state; /* when the run ended */
	enum edge_dtls_reason reason;
	int connected;                /* reached EDGE_DTLS_CONNECTED */
	unsigned half_open_connected; /* edge_dtls_half_open() then */
	int have_keys;
	struct edge_dtls_keys keys;
	struct edge_dtls_stats stats;
	int last_alert;
	size_t max_out_len;           /* longest datagram the server sent */
	unsigned client_hello_pieces; /* datagrams the relay made of it */
	unsigned relay_dropped;       /* our datagrams the relay lost */
	int client_exited;            /* s_client exited by itself */
	char out[SCLIENT_OUT_MAX];    /* what s_client printed */
};

/* Run argv (a NULL-terminated list, argv[0] found on PATH), its stdout
 * into out[cap] (NUL-terminated), stderr dropped. Returns the exit status,
 * or -1. */
int run_cmd(const char *const argv[], char *out, size_t cap);

/* exec argv in this (child) process; never returns (exit 127 when exec
 * fails). The pointers are copied, not cast, into the char *[] execvp
 * wants (-Wcast-qual). */
void exec_args(const char *const *argv);

/* A UDP socket bound on 127.0.0.1, an ephemeral port (into *port); -1 on
 * failure. */
int udp_server_socket(unsigned *port);

/* Make a P-256 client certificate in dir with the openssl command; 0 or -1. */
int client_cert_make(const char *dir, const char *name, struct client_cert *cc);

/* Run one handshake as described by run; 0, or -1 when the harness itself
 * failed (socket, fork, context). The verdict is for the caller's checks. */
int sclient_run(struct sclient_run *run);

/* The profile name s_client printed ("SRTP_AEAD_AES_256_GCM"), into
 * name[cap]; 0 or -1 when it printed none. */
int sclient_profile(const struct sclient_run *run, char *name, size_t cap);

/* The keying material s_client printed, into out[cap]; its length or -1. */
int sclient_keymat(const struct sclient_run *run, uint8_t *out, size_t cap);

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t mono_ms(void);

#endif /* TESTS_EDGE_DTLS_SCLIENT_H */
