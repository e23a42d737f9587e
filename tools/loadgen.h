/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-loadgen: a synthetic conference over kernel UDP sockets.
 * Publishers send paced SRTP (RFC 3711) carrying self-describing payloads;
 * subscribers decrypt and verify every byte. See docs/loadgen.md.
 *
 * Files: loadgen_conf.c  scenario text and spec strings -> struct lg_conf
 *        loadgen_pkt.c   RTP/RTCP/payload builders and checkers (no I/O)
 *        loadgen_run.c   sockets, SRTP sessions, the paced event loop
 *        loadgen_main.c  options, the loopback scenario, reports
 */
#ifndef RELAIS_LOADGEN_H
#define RELAIS_LOADGEN_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <srtp2/srtp.h>

#include "relais/srtp_profile.h"

#define LG_MAX_PUBS 64
#define LG_MAX_SUBS 64
#define LG_MAX_STREAMS 64
#define LG_NAME_LEN 32
#define LG_EXPECT_LEN 1024
#define LG_RTP_HDR_LEN 12
/* Payload header: magic, publisher index, kind, flags, original index, checksum. */
#define LG_PAYLOAD_HDR_LEN 16
#define LG_MIN_PAYLOAD LG_PAYLOAD_HDR_LEN
/* 1500 MTU - IPv6 40 - UDP 8 - RTP 12 - SRTP trailer 20 = 1420. */
#define LG_MAX_PAYLOAD 1400
#define LG_BUF_LEN 2048
#define LG_PAYLOAD_MAGIC 0x524c4731u /* "RLG1" */

enum lg_kind {
	LG_AUDIO = 0,
	LG_VIDEO = 1,
};

struct lg_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* One SRTP context pair: tx protects what this endpoint sends, rx checks
 * what it receives. Key is master key || master salt (RFC 3711 §8.2). */
struct lg_crypto {
	const struct relais_srtp_profile_info *prof;
	uint8_t key[RELAIS_SRTP_MAX_KEY_LEN + RELAIS_SRTP_MAX_SALT_LEN];
	srtp_t tx;
	srtp_t rx;
};

struct lg_pub {
	char name[LG_NAME_LEN];
	struct lg_addr bind;
	struct lg_addr to;
	char to_ref[LG_NAME_LEN]; /* "@name": resolve to that endpoint's bound address */
	int has_to;
	uint32_t ssrc;
	enum lg_kind kind;
	uint8_t pt;
	uint16_t seq0;
	uint32_t rate; /* packets per second */
	uint32_t size; /* RTP payload bytes */
	struct lg_crypto c;
	int fd;
	/* run state */
	uint64_t next_ns;
	uint64_t next_sr_ns;
	uint32_t sent;
	uint64_t bytes;
	uint32_t sr_sent;
	uint32_t pli_rx;
	uint32_t rtcp_rx;
	uint32_t rtcp_fail;
};

struct lg_stream {
	int pub; /* index into conf->pubs */
	uint32_t out_ssrc;
	int started;
	uint16_t last_seq;
	uint32_t last_orig;
	uint64_t received;
	uint64_t verified;
	uint64_t gaps; /* packets missing inside the received sequence */
};

struct lg_sub {
	char name[LG_NAME_LEN];
	struct lg_addr bind;
	struct lg_addr to; /* where PLIs go */
	char to_ref[LG_NAME_LEN];
	int has_to;
	uint32_t ssrc;              /* own SSRC, sender of PLIs */
	uint32_t pli_ms;            /* PLI interval, 0 = none */
	char expect[LG_EXPECT_LEN]; /* raw, resolved after all lines are read */
	struct lg_crypto c;
	int fd;
	struct lg_stream streams[LG_MAX_STREAMS];
	int nstreams;
	/* run state */
	uint64_t next_pli_ns;
	uint64_t next_rr_ns; /* receiver reports: at start, then every LG_RR_MS */
	uint32_t pli_sent;
	uint32_t rr_sent;
	uint32_t sr_rx;
	uint32_t rtcp_rx;
};

/* Failure classes; any nonzero one fails the run. */
struct lg_fail {
	uint64_t auth;      /* srtp(c)_unprotect rejected: bad tag or replay */
	uint64_t ssrc;      /* SSRC not among the subscriber's expected streams */
	uint64_t seq;       /* out sequence not continuous with the original index */
	uint64_t payload;   /* magic, index, size, filler or checksum wrong */
	uint64_t malformed; /* not parseable as RTP/RTCP after decryption */
};

struct lg_conf {
	struct lg_addr target;
	int has_target;
	struct lg_pub pubs[LG_MAX_PUBS];
	int npubs;
	struct lg_sub subs[LG_MAX_SUBS];
	int nsubs;
	uint32_t duration_ms;
	int duration_set;
	uint32_t count; /* per publisher, 0 = unbounded within duration */
	uint32_t grace_ms;
	double max_loss; /* fraction 0..1 */
	int require_rtcp;
	int quiet;
	/* results */
	struct lg_fail fail;
	uint64_t send_errors;
	uint64_t elapsed_ms;
};

/* Sums over all endpoints; lost counts packets sent by a publisher that an
 * expecting subscriber did not receive (at the end: sent - received). */
struct lg_totals {
	uint64_t sent;
	uint64_t received;
	uint64_t verified;
	uint64_t failures;
	uint64_t expected;
	uint64_t lost;
	uint64_t sr_sent;
	uint64_t sr_received;
	uint64_t pli_sent;
	uint64_t pli_received;
};

/* loadgen_conf.c */
int lg_parse_addr(const char *s, struct lg_addr *out);
int lg_parse_key(const char *s, struct lg_crypto *c);
int lg_parse_line(struct lg_conf *conf, const char *line, char *err, size_t errlen);
int lg_parse_text(struct lg_conf *conf, const char *text, char *err, size_t errlen);
int lg_parse_file(struct lg_conf *conf, const char *path, char *err, size_t errlen);
int lg_add_spec(struct lg_conf *conf, const char *kind, const char *spec, char *err, size_t errlen);
int lg_conf_finish(struct lg_conf *conf, char *err, size_t errlen);
void lg_conf_init(struct lg_conf *conf);
int lg_parse_double(const char *s, double *out);
int lg_parse_u32(const char *s, uint32_t *out);

/* loadgen_pkt.c */
size_t lg_build_rtp(const struct lg_pub *p, int pub_idx, uint32_t orig, uint8_t *buf, size_t cap);
size_t lg_build_sr(const struct lg_pub *p, uint8_t *buf, size_t cap);
size_t lg_build_pli(uint32_t sender, uint32_t media, uint8_t *buf, size_t cap);
size_t lg_build_rr(uint32_t sender, uint8_t *buf, size_t cap);
int lg_is_rtcp(const uint8_t *pkt, size_t len);
int lg_rtp_payload(const uint8_t *pkt, size_t len, size_t *off, size_t *plen);
int lg_check_payload(const uint8_t *pl, size_t len, int pub_idx, uint32_t size, uint32_t *orig);
int lg_rtcp_count(const uint8_t *pkt, size_t len, uint8_t pt, int fmt, uint32_t media,
		  unsigned *count);

/* loadgen_run.c */
int lg_run(struct lg_conf *conf);
void lg_totals(const struct lg_conf *conf, int final, struct lg_totals *t);
void lg_release(struct lg_conf *conf);

#endif /* RELAIS_LOADGEN_H */
