/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fan-out at scale: one audio track with N (argv[1], default and at most
 * 10,000) subscribers (each its own
 * participant, transport address and output SSRC) on 2 workers. Every
 * subscriber must receive every packet exactly once, addressed to it,
 * under its own SSRC, decrypting (libsrtp2 in the test) to the payload
 * the publisher sent.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <relais/srtp_policy.h>

#include "dp_ctl.h"
#include "dp_neigh.h"
#include "pl_harness.h"
#define CHECK_MAIN
#include "check.h"

#define MAX_SUBS 10000
#define N_PKTS 2
#define ROOM 1
#define ID_PUB 1
#define TRACK 1
#define SSRC_PUB 0x5eed0001u
#define OUT_SSRC(i) (0xc0000000u + (i))
#define PORT0 10000
#define WAIT_MS 60000

static uint16_t got[MAX_SUBS];
static unsigned N_SUBS = MAX_SUBS; /* argv[1] */

static uint64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A participant of the room at ip:port with both keys k. */
static int add_part(uint32_t id, const char *ip, uint16_t port, const struct relais_srtp_key *rx,
		    const struct relais_srtp_key *tx)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_PART_ADD};

	m.u.part.room_id = ROOM;
	m.u.part.part_id = id;
	m.u.part.addr.family = 4;
	m.u.part.addr.port = port;
	inet_pton(AF_INET, ip, m.u.part.addr.ip);
	m.u.part.rx_key = *rx;
	m.u.part.tx_key = *tx;
	m.u.part.fb_ssrc = 0xfb000000u + id;
	return pl_ctl(&m);
}

/* The room, the publisher with its track and N_SUBS subscribers. */
static int build(struct pl_env *e, struct pl_peer *pub, const struct relais_srtp_key *crowd)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_ROOM_ADD};
	int rc;

	m.u.room.room_id = ROOM;
	rc = pl_ctl(&m);
	rc |= add_part(ID_PUB, "10.0.0.10", 40000, &pub->rx_key, &pub->tx_key);
	m = (struct relais_ctl_msg){.type = RELAIS_CTL_TRACK_ADD};
	m.u.track = (struct relais_ctl_track){
	    TRACK, ID_PUB, SSRC_PUB, 48000, RELAIS_TRACK_AUDIO, 0, RELAIS_PT_ANY, 0};
	rc |= pl_ctl(&m);
	for (uint32_t i = 0; rc == 0 && i < N_SUBS; i++) {
		rc |= add_part(100 + i, "10.0.0.20", (uint16_t)(PORT0 + i), crowd, crowd);
		m = (struct relais_ctl_msg){.type = RELAIS_CTL_SUB_ADD};
		m.u.sub.sub_id = 100 + i;
		m.u.sub.part_id = 100 + i;
		m.u.sub.track_id = TRACK;
		m.u.sub.out_ssrc = OUT_SSRC(i);
		rc |= pl_ctl(&m);
		if (i % 256 == 0)
			pl_pump(e, 1); /* let workers take the solicitations */
	}
	return rc;
}

/* Check one frame the dataplane sent to the crowd; counts it in got[]. */
static void check_frame(srtp_t rcv, const uint8_t *f, size_t len, const uint8_t *want,
			size_t want_len)
{
	struct pl_udp_out o;
	uint8_t b[PL_FRAME_MAX];
	int n;
	unsigned i;

	if (pl_parse_udp_out(f, len, &o) < 0 || !o.csum_ok || o.n > sizeof(b)) {
		CHECKF(0, "frame of %zu bytes is not a valid UDP frame", len);
		return;
	}
	i = (unsigned)(o.dport - PORT0);
	memcpy(b, o.pl, o.n);
	n = (int)o.n;
	if (i >= N_SUBS || srtp_unprotect(rcv, b, &n) != srtp_err_status_ok) {
		CHECKF(0, "frame to port %u does not decrypt", o.dport);
		return;
	}
	CHECKF(pl_r32(b + 8) == OUT_SSRC(i), "port %u: ssrc %#x", o.dport, pl_r32(b + 8));
	CHECK((size_t)n == want_len && memcmp(b + 12, want + 12, want_len - 12) == 0);
	got[i]++;
}

/* Drain every TX ring until `total` crowd frames were seen or timeout. */
static unsigned drain(struct pl_env *e, srtp_t rcv, unsigned total, const uint8_t *want,
		      size_t want_len)
{
	uint64_t end = ms_now() + WAIT_MS;
	unsigned seen = 0;

	while (seen < total && ms_now() < end) {
		for (unsigned q = 0; q < e->n_tx; q++) {
			struct rte_mbuf *m[64];
			unsigned k = rte_ring_dequeue_burst(e->tx[q], (void **)m, 64, NULL);

			for (unsigned j = 0; j < k; j++) {
				const uint8_t *f = rte_pktmbuf_mtod(m[j], const uint8_t *);

				if (rte_pktmbuf_data_len(m[j]) > 42 && f[12] == 0x08 &&
				    f[13] == 0) {
					check_frame(rcv, f, rte_pktmbuf_data_len(m[j]), want,
						    want_len);
					seen++;
				}
				rte_pktmbuf_free(m[j]);
			}
		}
		dp_app_control_step(&e->app, 0);
	}
	return seen;
}

/* libsrtp2 session that unprotects whatever the crowd key protects. */
static srtp_t crowd_session(const struct relais_srtp_key *k)
{
	srtp_t s = NULL;

	return relais_srtp_session_key(&s, k, 1, 1024, 0) == 0 ? s : NULL;
}

int main(int argc, char **argv)
{
	static struct pl_env e;
	struct pl_peer pub = {.name = "P", .id = ID_PUB};
	struct relais_srtp_key crowd = {.profile = RELAIS_SRTP_AES128_CM_SHA1_80};
	struct relais_ctl_stats st;
	uint8_t pkt[PL_FRAME_MAX], f[PL_FRAME_MAX];
	struct pl_ep crowd_ep = {.family = 4, .mac = {2, 0, 0, 0, 0, 0x20}, .port = PORT0};
	size_t n;
	srtp_t rcv;
	unsigned seen, exact = 0;

	if (argc > 1)
		N_SUBS = (unsigned)RTE_MIN(strtoul(argv[1], NULL, 0), (unsigned long)MAX_SUBS);
	pl_sizes = (struct pl_sizes){32768, 32767, MAX_SUBS + 16, MAX_SUBS + 16};
	if (pl_setup(&e, argv[0], 2) < 0)
		return 1;
	pub.ep = (struct pl_ep){.family = 4, .mac = {2, 0, 0, 0, 0, 0x10}, .port = 40000};
	inet_pton(AF_INET, "10.0.0.10", pub.ep.ip);
	inet_pton(AF_INET, "10.0.0.20", crowd_ep.ip);
	for (unsigned i = 0; i < 16; i++)
		crowd.key[i] = (uint8_t)(0x40 + i);
	for (unsigned i = 0; i < 14; i++)
		crowd.salt[i] = (uint8_t)(0x80 + i);
	CHECK(pl_peer_init(&e, &pub, RELAIS_SRTP_AES128_CM_SHA1_80, RELAIS_SRTP_AES128_CM_SHA1_80,
			   7) == 0);
	rcv = crowd_session(&crowd);
	CHECK(rcv != NULL);
	CHECK(build(&e, &pub, &crowd) == 0);
	/* The dataplane asked for both hosts when they were added: P (a peer
	 * of the harness) answered by itself, the crowd's host answers here,
	 * so every next hop is known. */
	CHECK(pl_inject(&e, f, pl_arp_reply(f, &crowd_ep, &e.us4)) == 0);
	for (unsigned t = 0; t < 5000 && dp_neigh_lookup(4, crowd_ep.ip, pkt) != 0; t += 10)
		pl_pump(&e, 10);
	CHECK(dp_neigh_lookup(4, crowd_ep.ip, pkt) == 0 && memcmp(pkt, crowd_ep.mac, 6) == 0);
	pl_pump(&e, 50);
	for (unsigned k = 0; k < N_PKTS; k++) {
		n = pl_rtp(pkt, 111, false, (uint16_t)(100 + k), 960 * k, SSRC_PUB, 160);
		CHECK(pl_send(&e, &pub, pkt, n, false) == 0);
		seen = drain(&e, rcv, N_SUBS, pkt, n);
		CHECKF(seen == N_SUBS, "packet %u: %u of %u subscribers served", k, seen, N_SUBS);
	}
	for (unsigned i = 0; i < N_SUBS; i++)
		exact += got[i] == N_PKTS;
	CHECKF(exact == N_SUBS, "%u of %u subscribers got each packet exactly once", exact, N_SUBS);
	pl_stats(&st);
	CHECKF(st.v[RELAIS_STAT_encrypt_ok] >= (uint64_t)N_SUBS * N_PKTS, "encrypt_ok %llu",
	       (unsigned long long)st.v[RELAIS_STAT_encrypt_ok]);
	CHECKF(pl_drops_total(&st) == 0, "%llu drops", (unsigned long long)pl_drops_total(&st));
	srtp_dealloc(rcv);
	pl_teardown(&e);
	return check_summary("fanout_10k");
}
