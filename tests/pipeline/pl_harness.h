/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pipeline test harness: the real dataplane (dp_app) running its
 * workers in-process on a net_ring port. The test thread is the control
 * thread: it fills the single RX ring, drains one TX ring per worker,
 * applies control requests with dp_ctl_apply and runs dp_app_control_step
 * while it waits. Fake peers hold libsrtp2 sessions of their own (the
 * oracle): one protecting what the peer sends, one unprotecting what the
 * dataplane sends it.
 */
#ifndef PL_HARNESS_H
#define PL_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <srtp2/srtp.h>

#include <relais/ctl_proto.h>

#include "dp_app.h"
#include "pl_net.h"

#define PL_MAX_TXQ 8
#define PL_MAX_PEERS 16
#define PL_MAX_RCV 512

/* A decrypted packet a peer received. */
struct pl_rcv {
	uint8_t b[PL_FRAME_MAX];
	uint16_t len;
	bool rtcp;
};

struct pl_peer {
	const char *name;
	uint32_t id;
	struct pl_ep ep;
	uint32_t fb_ssrc;
	struct relais_srtp_key rx_key; /* what the peer sends with */
	struct relais_srtp_key tx_key; /* what the dataplane sends it with */
	srtp_t send;                   /* protects with rx_key */
	srtp_t recv;                   /* unprotects with tx_key */
	struct pl_rcv *rcv;
	unsigned n_rcv;
	unsigned bad; /* frames to it with wrong headers or failing auth */
	/* When set, called with every SRTP/SRTCP packet to it as sent,
	 * instead of its own session (a test's own oracle in another
	 * process); such packets are not counted in rcv. */
	void (*raw)(const uint8_t *pkt, size_t n);
};

struct pl_env {
	struct dp_app app;
	struct rte_ring *rx, *tx[PL_MAX_TXQ];
	unsigned n_tx;
	int port;
	struct rte_mempool *mp;
	struct pl_ep us4, us6;
	struct pl_peer *peers[PL_MAX_PEERS];
	unsigned n_peers;
	struct pl_rcv *other; /* frames that are not UDP to a known peer */
	unsigned n_other;
	unsigned stray;        /* UDP frames to nobody we know */
	struct pl_rcv *strays; /* the first PL_MAX_RCV of them, whole frames */
	unsigned n_strays;
	/* Like hosts on a LAN, the peers answer the dataplane's ARP requests
	 * and NS for their addresses (the dataplane learns next hops only from
	 * answers to its requests and from authenticated packets) unless a
	 * test sets this. */
	bool peers_silent;
	unsigned neigh_answers; /* answers the peers gave */
};

/* Sizes pl_setup uses (TX/RX ring entries, dataplane mbufs, table
 * limits); a test may raise them before calling it. */
struct pl_sizes {
	unsigned ring, mbufs, participants, subs;
};
extern struct pl_sizes pl_sizes;
/* edge.socket of the dataplane pl_setup starts ("" = none, the default);
 * a test sets it before pl_setup. */
extern char pl_edge_socket[108];
/* state.dir and state.block of the dataplane pl_setup starts ("" = no
 * state directory, the default); a test sets them before pl_setup. */
extern char pl_state_dir[256];
extern unsigned pl_state_block;
/* media.consent of the dataplane pl_setup starts: off (the operator's
 * override), as the tests are about forwarding and their peers send no
 * report first; test_consent sets it before pl_setup. */
extern bool pl_consent_required;
/* When set, called with the dataplane's configuration just before
 * pl_setup validates it (a test's own settings). */
extern void (*pl_config_hook)(struct dp_config *c);

/* EAL with n_workers worker lcores on the 2 CPUs, a net_ring port, the
 * dataplane configured (10.0.0.1/24, fd00::1/64, port 5000, no control
 * socket), initialised and launched. 0 or -errno (message printed). */
int pl_setup(struct pl_env *e, const char *prog, unsigned n_workers);
/* The same with control.crypto_engine = engine ("libsrtp", "cryptodev",
 * "auto"). */
int pl_setup_engine(struct pl_env *e, const char *prog, unsigned n_workers, const char *engine);
/* dp_app_fini, free the peers' sessions, rings, pool; stop EAL. */
void pl_teardown(struct pl_env *e);

/* Name p, give it id, the address 10.0.0.<host> port 42000 + host (MAC
 * 02:00:5e:00:02:<host>) and the feedback SSRC 0xfb000000 + id. */
void pl_peer_at(struct pl_peer *p, const char *name, uint32_t id, unsigned host);

/* Fill peer p's keys (deterministic from seed, profiles given), create its
 * two libsrtp sessions and register it for reception. 0 or -1. */
int pl_peer_init(struct pl_env *e, struct pl_peer *p, uint16_t rx_profile, uint16_t tx_profile,
		 unsigned seed);

/* New keys for peer p, the way PART_REKEY gives them to the dataplane:
 * its sending session (new rx_key) and receiving session (new tx_key) are
 * updated in place with srtp_update(), keeping their rollover counters.
 * NULL leaves that side. 0 or -1. */
int pl_peer_rekey(struct pl_peer *p, const struct relais_srtp_key *rx,
		  const struct relais_srtp_key *tx);

/* Fresh libsrtp sessions for p from its current keys (p is not registered
 * for reception; the caller srtp_dealloc()s them). 0 or -1. */
int pl_peer_reopen(struct pl_env *e, struct pl_peer *p);

/* Fill m as a PART_ADD or PART_REKEY (type) of peer p in room: its id,
 * address, keys and feedback SSRC. */
void pl_part_msg(struct relais_ctl_msg *m, uint16_t type, uint32_t room, const struct pl_peer *p);

/* Apply one control request like the socket does; returns its status and
 * prints its error text when it is not 0. */
int pl_ctl(const struct relais_ctl_msg *m);

/* SUB_ADD sub_id: participant part on track under out_ssrc, no payload-type
 * map; pl_ctl's status. */
int pl_sub_add(uint32_t sub_id, uint32_t part, uint32_t track, uint32_t out_ssrc);

/* Put a copy of frame f/len into the port's RX ring. 0 or -1. */
int pl_inject(struct pl_env *e, const uint8_t *f, size_t len);
/* Frame the UDP payload from p to our address of its family (port 5000). */
size_t pl_frame_from(struct pl_env *e, const struct pl_peer *p, const uint8_t *pl, size_t n,
		     uint8_t *f);
/* Protect the RTP (rtcp false) or RTCP packet pkt/n with p's sending
 * session into out (PL_FRAME_MAX bytes); returns the SRTP length or 0. */
size_t pl_protect(struct pl_peer *p, const uint8_t *pkt, size_t n, bool rtcp, uint8_t *out);
/* Protect, frame from p and inject; returns 0 or -1. */
int pl_send(struct pl_env *e, struct pl_peer *p, const uint8_t *pkt, size_t n, bool rtcp);
/* The same from p's IP address but UDP source port sport (p's session
 * protects it). 0 or -1. */
int pl_send_from(struct pl_env *e, struct pl_peer *p, uint16_t sport, const uint8_t *pkt, size_t n,
		 bool rtcp);

/* Drain the TX rings and run the control step for about ms milliseconds. */
void pl_pump(struct pl_env *e, unsigned ms);
/* Pump until the peers together hold at least `total` packets (then
 * 30 ms more to catch extras) or ms elapsed; true if reached. */
bool pl_wait_rcv(struct pl_env *e, unsigned total, unsigned ms);
/* Pump until the dataplane's neighbour table holds peer p's address (it
 * learns it from a frame p sent, through the control thread), or ms
 * elapsed; true if it does. Sending to p before may be dropped as
 * no_neighbor after its SRTP index was used. */
bool pl_wait_neigh(struct pl_env *e, const struct pl_peer *p, unsigned ms);
/* Pump until the sum of drop counter `reason` reaches target, or ms. */
bool pl_wait_drop(struct pl_env *e, unsigned reason, uint64_t target, unsigned ms);
/* Pump until stats value `stat` reaches target, or ms. */
bool pl_wait_stat(struct pl_env *e, unsigned stat, uint64_t target, unsigned ms);
/* Forget everything received so far. */
void pl_reset(struct pl_env *e);
/* Sum of received packets over all peers. */
unsigned pl_total_rcv(const struct pl_env *e);
/* Counters summed over lcores. */
void pl_stats(struct relais_ctl_stats *s);
uint64_t pl_drops_total(const struct relais_ctl_stats *s);

#endif /* PL_HARNESS_H */
