/* SPDX-License-Identifier: BSD-3-Clause */
/* The pipeline test harness; see pl_harness.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include <relais/srtp_policy.h>

#include "dp_ctl.h"
#include "dp_lcore.h"
#include "dp_neigh.h"
#include "dp_stats.h"
#include "pl_harness.h"
#include "test_eal.h"

struct pl_sizes pl_sizes = {4096, 8191, 64, 256};
char pl_edge_socket[108];
char pl_state_dir[256];
unsigned pl_state_block;
bool pl_consent_required;
void (*pl_config_hook)(struct dp_config *c);

/* Milliseconds of CLOCK_MONOTONIC. */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The rings and the net_ring port over them; 0 or -1. */
static int make_port(struct pl_env *e, unsigned n_tx)
{
	char name[RTE_RING_NAMESIZE];

	e->rx = rte_ring_create("pl_rx", pl_sizes.ring, (int)rte_socket_id(), 0);
	for (unsigned i = 0; i < n_tx; i++) {
		snprintf(name, sizeof(name), "pl_tx%u", i);
		e->tx[i] = rte_ring_create(name, pl_sizes.ring, (int)rte_socket_id(), 0);
		if (e->tx[i] == NULL)
			return -1;
	}
	e->n_tx = n_tx;
	if (e->rx == NULL)
		return -1;
	e->port = rte_eth_from_rings("net_ring_pl", &e->rx, 1, e->tx, n_tx, rte_socket_id());
	/* net_ring's MAC is all zero and cannot be set (no mac_addr_set):
	 * frames are checked against whatever dp_app reports. */
	return e->port < 0 ? -1 : 0;
}

/* The dataplane's configuration for the test. */
static void fill_config(struct dp_config *c, unsigned n_workers, uint16_t port)
{
	dp_config_defaults(c);
	c->has_ip4 = 1;
	inet_pton(AF_INET, "10.0.0.1", c->ip4);
	c->prefix4 = 24;
	c->has_ip6 = 1;
	inet_pton(AF_INET6, "fd00::1", c->ip6);
	c->prefix6 = 64;
	c->media_port = 5000;
	c->n_workers = n_workers;
	for (unsigned i = 0; i < n_workers; i++)
		c->workers[i] = i + 1;
	c->ctl_socket[0] = '\0';
	snprintf(c->edge_socket, sizeof(c->edge_socket), "%s", pl_edge_socket);
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", pl_state_dir);
	if (pl_state_block != 0)
		c->state_block = pl_state_block;
	c->port_id = port;
	c->max_participants = pl_sizes.participants;
	c->max_tracks = 128;
	c->max_subs = pl_sizes.subs;
	c->mbufs = pl_sizes.mbufs;
	c->ring_size = 1024;
	c->consent_required = pl_consent_required;
	if (pl_config_hook != NULL)
		pl_config_hook(c);
}

/* See pl_harness.h. */
int pl_setup(struct pl_env *e, const char *prog, unsigned n_workers)
{
	return pl_setup_engine(e, prog, n_workers, "auto");
}

/* See pl_harness.h. */
int pl_setup_engine(struct pl_env *e, const char *prog, unsigned n_workers, const char *engine)
{
	char args[128], err[256];
	int rc, o;

	memset(e, 0, sizeof(*e));
	o = snprintf(args, sizeof(args), "--lcores=0@0");
	for (unsigned i = 1; i <= n_workers; i++)
		o += snprintf(args + o, sizeof(args) - (size_t)o, ",%u@%u", i, i % 2);
	if (test_eal_init(prog, args) < 0)
		return -EIO;
	e->mp = test_mbuf_pool(2047);
	e->other = calloc(PL_MAX_RCV, sizeof(*e->other));
	e->strays = calloc(PL_MAX_RCV, sizeof(*e->strays));
	if (e->mp == NULL || e->other == NULL || e->strays == NULL || make_port(e, n_workers) < 0) {
		fprintf(stderr, "pl_setup: cannot create pool, rings or net_ring port\n");
		return -ENOMEM;
	}
	fill_config(&e->app.cfg, n_workers, (uint16_t)e->port);
	snprintf(e->app.cfg.crypto_engine, sizeof(e->app.cfg.crypto_engine), "%s", engine);
	rc = dp_config_validate(&e->app.cfg, err, sizeof(err));
	if (rc == 0)
		rc = dp_app_init(&e->app, true, err, sizeof(err));
	if (rc == 0)
		rc = dp_app_launch(&e->app);
	/* The test's own libsrtp2 sessions need srtp_init whatever the engine;
	 * after the engine, which may have initialised libsrtp itself (a second
	 * call is harmless then). */
	srtp_init();
	if (rc < 0) {
		fprintf(stderr, "pl_setup: %s (%d)\n", err, rc);
		return rc;
	}
	e->us4 = (struct pl_ep){.family = 4, .port = 5000};
	memcpy(e->us4.mac, e->app.mac, 6);
	memcpy(e->us4.ip, e->app.cfg.ip4, 4);
	e->us6 = (struct pl_ep){.family = 6, .port = 5000};
	memcpy(e->us6.mac, e->app.mac, 6);
	memcpy(e->us6.ip, e->app.cfg.ip6, 16);
	return 0;
}

/* Drop whatever is left in ring r. */
static void ring_flush(struct rte_ring *r)
{
	struct rte_mbuf *m;

	while (r && rte_ring_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

/* See pl_harness.h. */
void pl_teardown(struct pl_env *e)
{
	for (unsigned i = 0; i < e->n_peers; i++) {
		struct pl_peer *p = e->peers[i];

		srtp_dealloc(p->send);
		srtp_dealloc(p->recv);
		free(p->rcv);
		p->rcv = NULL;
	}
	e->n_peers = 0;
	dp_app_fini(&e->app);
	ring_flush(e->rx);
	for (unsigned i = 0; i < e->n_tx; i++) {
		ring_flush(e->tx[i]);
		rte_ring_free(e->tx[i]);
	}
	rte_ring_free(e->rx);
	rte_mempool_free(e->mp);
	free(e->other);
	free(e->strays);
	test_eal_cleanup();
}

/* A libsrtp session for key k: sending (any outbound SSRC) or receiving. */
static srtp_t session(const struct relais_srtp_key *k, bool inbound)
{
	srtp_t s = NULL;

	return relais_srtp_session_key(&s, k, inbound, 1024, 0) == 0 ? s : NULL;
}

/* srtp_update() of s with key k (same profile), keeping every ROC. */
static int update(srtp_t s, const struct relais_srtp_key *k, bool inbound)
{
	return relais_srtp_session_key(&s, k, inbound, 1024, 1) == 0 ? 0 : -1;
}

/* See pl_harness.h. */
int pl_peer_reopen(struct pl_env *e, struct pl_peer *p)
{
	(void)e;
	p->send = session(&p->rx_key, false);
	p->recv = session(&p->tx_key, true);
	return p->send && p->recv ? 0 : -1;
}

/* See pl_harness.h. */
int pl_peer_rekey(struct pl_peer *p, const struct relais_srtp_key *rx,
		  const struct relais_srtp_key *tx)
{
	if (rx != NULL) {
		if (update(p->send, rx, false) < 0)
			return -1;
		p->rx_key = *rx;
	}
	if (tx != NULL) {
		if (update(p->recv, tx, true) < 0)
			return -1;
		p->tx_key = *tx;
	}
	return 0;
}

/* Deterministic key material for profile from seed. */
static void make_key(struct relais_srtp_key *k, uint16_t profile, unsigned seed)
{
	memset(k, 0, sizeof(*k));
	k->profile = profile;
	for (unsigned i = 0; i < sizeof(k->key); i++)
		k->key[i] = (uint8_t)(seed * 131 + i * 17 + 1);
	for (unsigned i = 0; i < sizeof(k->salt); i++)
		k->salt[i] = (uint8_t)(seed * 71 + i * 29 + 3);
}

/* See pl_harness.h. */
void pl_peer_at(struct pl_peer *p, const char *name, uint32_t id, unsigned host)
{
	char ip[32];

	snprintf(ip, sizeof(ip), "10.0.0.%u", host);
	p->name = name;
	p->id = id;
	p->ep.family = 4;
	inet_pton(AF_INET, ip, p->ep.ip);
	p->ep.port = (uint16_t)(42000 + host);
	memcpy(p->ep.mac, (uint8_t[6]){0x02, 0x00, 0x5e, 0x00, 0x02, (uint8_t)host}, 6);
	p->fb_ssrc = 0xfb000000u + id;
}

/* See pl_harness.h. */
int pl_peer_init(struct pl_env *e, struct pl_peer *p, uint16_t rx_profile, uint16_t tx_profile,
		 unsigned seed)
{
	make_key(&p->rx_key, rx_profile, seed * 2);
	make_key(&p->tx_key, tx_profile, seed * 2 + 1);
	p->send = session(&p->rx_key, false);
	p->recv = session(&p->tx_key, true);
	p->rcv = calloc(PL_MAX_RCV, sizeof(*p->rcv));
	if (p->send == NULL || p->recv == NULL || p->rcv == NULL || e->n_peers == PL_MAX_PEERS)
		return -1;
	e->peers[e->n_peers++] = p;
	return 0;
}

/* See pl_harness.h. */
void pl_part_msg(struct relais_ctl_msg *m, uint16_t type, uint32_t room, const struct pl_peer *p)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->u.part.room_id = room;
	m->u.part.part_id = p->id;
	m->u.part.addr.family = p->ep.family;
	m->u.part.addr.port = p->ep.port;
	memcpy(m->u.part.addr.ip, p->ep.ip, 16);
	m->u.part.rx_key = p->rx_key;
	m->u.part.tx_key = p->tx_key;
	m->u.part.fb_ssrc = p->fb_ssrc;
}

/* See pl_harness.h. */
int pl_ctl(const struct relais_ctl_msg *m)
{
	struct relais_ctl_reply r;

	dp_ctl_apply(m, &r);
	if (r.status != 0)
		fprintf(stderr, "pl_ctl %s: %d %s\n", relais_ctl_type_name(m->type), r.status,
			r.error);
	return r.status;
}

/* See pl_harness.h. */
int pl_sub_add(uint32_t sub_id, uint32_t part, uint32_t track, uint32_t out_ssrc)
{
	struct relais_ctl_msg m = {.type = RELAIS_CTL_SUB_ADD};

	m.u.sub.sub_id = sub_id;
	m.u.sub.part_id = part;
	m.u.sub.track_id = track;
	m.u.sub.out_ssrc = out_ssrc;
	return pl_ctl(&m);
}

/* See pl_harness.h. */
int pl_inject(struct pl_env *e, const uint8_t *f, size_t len)
{
	struct rte_mbuf *m = test_mbuf_from(e->mp, f, (uint16_t)len);

	if (m == NULL)
		return -1;
	if (rte_ring_enqueue(e->rx, m) != 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

/* See pl_harness.h. */
size_t pl_frame_from(struct pl_env *e, const struct pl_peer *p, const uint8_t *pl, size_t n,
		     uint8_t *f)
{
	return pl_udp_frame(f, &p->ep, p->ep.family == 4 ? &e->us4 : &e->us6, pl, n);
}

/* See pl_harness.h. */
size_t pl_protect(struct pl_peer *p, const uint8_t *pkt, size_t n, bool rtcp, uint8_t *out)
{
	int len = (int)n;
	srtp_err_status_t st;

	if (n + SRTP_MAX_TRAILER_LEN > PL_FRAME_MAX - 100)
		return 0;
	memcpy(out, pkt, n);
	st = rtcp ? srtp_protect_rtcp(p->send, out, &len) : srtp_protect(p->send, out, &len);
	return st == srtp_err_status_ok ? (size_t)len : 0;
}

/* See pl_harness.h. */
int pl_send(struct pl_env *e, struct pl_peer *p, const uint8_t *pkt, size_t n, bool rtcp)
{
	uint8_t s[PL_FRAME_MAX], f[PL_FRAME_MAX];
	size_t len = pl_protect(p, pkt, n, rtcp, s);

	if (len == 0)
		return -1;
	return pl_inject(e, f, pl_frame_from(e, p, s, len, f));
}

/* See pl_harness.h. */
int pl_send_from(struct pl_env *e, struct pl_peer *p, uint16_t sport, const uint8_t *pkt, size_t n,
		 bool rtcp)
{
	uint8_t s[PL_FRAME_MAX], f[PL_FRAME_MAX];
	size_t len = pl_protect(p, pkt, n, rtcp, s);
	struct pl_ep src = p->ep;

	if (len == 0)
		return -1;
	src.port = sport;
	return pl_inject(e, f,
			 pl_udp_frame(f, &src, p->ep.family == 4 ? &e->us4 : &e->us6, s, len));
}

/* The peer a UDP frame is addressed to (by IP and port), or NULL. */
static struct pl_peer *peer_of(struct pl_env *e, const struct pl_udp_out *o)
{
	for (unsigned i = 0; i < e->n_peers; i++) {
		struct pl_peer *p = e->peers[i];

		if (p->ep.family == o->family && p->ep.port == o->dport &&
		    memcmp(p->ep.ip, o->dst_ip, o->family == 4 ? 4 : 16) == 0)
			return p;
	}
	return NULL;
}

/* Check the headers of a frame for p; false (printed) if one is wrong. */
static bool headers_ok(struct pl_env *e, const struct pl_peer *p, const struct pl_udp_out *o)
{
	const struct pl_ep *us = o->family == 4 ? &e->us4 : &e->us6;
	const char *why = NULL;

	if (memcmp(o->dst_mac, p->ep.mac, 6) != 0)
		why = "destination MAC";
	else if (memcmp(o->src_mac, e->app.mac, 6) != 0)
		why = "source MAC";
	else if (memcmp(o->src_ip, us->ip, o->family == 4 ? 4 : 16) != 0)
		why = "source IP";
	else if (o->sport != 5000)
		why = "source port";
	else if (!o->csum_ok)
		why = "checksum";
	else if (o->ttl == 0)
		why = "TTL";
	if (why)
		fprintf(stderr, "frame to %s: wrong %s\n", p->name, why);
	return why == NULL;
}

/* f is a frame the dataplane sent that is not UDP: if it asks for a peer's
 * address (ARP request / NS), the peer answers, unless peers are silent. */
static void answer_request(struct pl_env *e, const uint8_t *f, size_t len)
{
	uint8_t family, tgt[16], out[PL_FRAME_MAX];

	if (e->peers_silent || !pl_neigh_request(f, len, &family, tgt))
		return;
	for (unsigned i = 0; i < e->n_peers; i++) {
		const struct pl_peer *p = e->peers[i];

		if (p->ep.family != family || memcmp(p->ep.ip, tgt, family == 4 ? 4 : 16) != 0)
			continue;
		if (pl_inject(e, out,
			      family == 4 ? pl_arp_reply(out, &p->ep, &e->us4)
					  : pl_nd_advert(out, &p->ep, &e->us6, true)) == 0)
			e->neigh_answers++;
		return;
	}
}

/* Take one frame the dataplane sent: verify, decrypt and file it. */
static void take_frame(struct pl_env *e, const uint8_t *f, size_t len)
{
	struct pl_udp_out o;
	struct pl_peer *p;
	struct pl_rcv *r;
	srtp_err_status_t st;
	int n;

	if (pl_parse_udp_out(f, len, &o) < 0) {
		answer_request(e, f, len);
		if (e->n_other < PL_MAX_RCV) {
			r = &e->other[e->n_other++];
			memcpy(r->b, f, len);
			r->len = (uint16_t)len;
		}
		return;
	}
	p = peer_of(e, &o);
	if (p == NULL) {
		e->stray++;
		if (e->n_strays < PL_MAX_RCV) {
			r = &e->strays[e->n_strays++];
			memcpy(r->b, f, len);
			r->len = (uint16_t)len;
		}
		return;
	}
	if (p->raw != NULL && headers_ok(e, p, &o)) {
		p->raw(o.pl, o.n);
		return;
	}
	if (!headers_ok(e, p, &o) || p->n_rcv == PL_MAX_RCV || o.n < 8) {
		p->bad++;
		return;
	}
	r = &p->rcv[p->n_rcv];
	memcpy(r->b, o.pl, o.n);
	n = (int)o.n;
	r->rtcp = r->b[1] >= 192 && r->b[1] <= 223;
	st = r->rtcp ? srtp_unprotect_rtcp(p->recv, r->b, &n) : srtp_unprotect(p->recv, r->b, &n);
	if (st != srtp_err_status_ok) {
		fprintf(stderr, "frame to %s: %s does not unprotect with its key: %d\n", p->name,
			r->rtcp ? "SRTCP" : "SRTP", st);
		p->bad++;
		return;
	}
	r->len = (uint16_t)n;
	p->n_rcv++;
}

/* Drain every TX ring once; returns how many frames were taken. */
static unsigned drain(struct pl_env *e)
{
	struct rte_mbuf *m[32];
	uint8_t buf[PL_FRAME_MAX];
	unsigned total = 0, k;

	for (unsigned q = 0; q < e->n_tx; q++) {
		while ((k = rte_ring_dequeue_burst(e->tx[q], (void **)m, 32, NULL)) > 0) {
			for (unsigned i = 0; i < k; i++) {
				uint32_t len = rte_pktmbuf_pkt_len(m[i]);
				const void *d =
				    len <= sizeof(buf) ? rte_pktmbuf_read(m[i], 0, len, buf) : NULL;

				if (d != NULL)
					take_frame(e, d, len);
				else
					e->stray++;
			}
			rte_pktmbuf_free_bulk(m, k);
			total += k;
		}
	}
	return total;
}

/* One round of the control thread: step, drain, short sleep. */
static void round_once(struct pl_env *e)
{
	dp_app_control_step(&e->app, 0);
	if (drain(e) == 0)
		usleep(200);
}

/* See pl_harness.h. */
void pl_pump(struct pl_env *e, unsigned ms)
{
	uint64_t end = now_ms() + ms;

	do
		round_once(e);
	while (now_ms() < end);
}

/* See pl_harness.h. */
unsigned pl_total_rcv(const struct pl_env *e)
{
	unsigned n = 0;

	for (unsigned i = 0; i < e->n_peers; i++)
		n += e->peers[i]->n_rcv;
	return n;
}

/* See pl_harness.h. */
bool pl_wait_rcv(struct pl_env *e, unsigned total, unsigned ms)
{
	uint64_t end = now_ms() + ms;

	while (pl_total_rcv(e) < total && now_ms() < end)
		round_once(e);
	pl_pump(e, 30);
	return pl_total_rcv(e) >= total;
}

/* See pl_harness.h. */
void pl_stats(struct relais_ctl_stats *s)
{
	memset(s, 0, sizeof(*s));
	dp_stats_sum(s);
}

/* See pl_harness.h. */
uint64_t pl_drops_total(const struct relais_ctl_stats *s)
{
	uint64_t n = 0;

	for (unsigned i = 1; i < RELAIS_DROP_MAX; i++)
		n += s->drops[i];
	return n;
}

/* Run rounds until drop counter idx (is_drop) or stat idx reaches target,
 * for at most ms. */
static bool wait_counter(struct pl_env *e, bool is_drop, unsigned idx, uint64_t target, unsigned ms)
{
	uint64_t end = now_ms() + ms;
	struct relais_ctl_stats s;

	for (;;) {
		pl_stats(&s);
		if ((is_drop ? s.drops[idx] : s.v[idx]) >= target)
			return true;
		if (now_ms() >= end)
			return false;
		round_once(e);
	}
}

/* See pl_harness.h. */
bool pl_wait_neigh(struct pl_env *e, const struct pl_peer *p, unsigned ms)
{
	uint64_t end = now_ms() + ms;
	uint8_t mac[6];

	while (dp_neigh_lookup(p->ep.family, p->ep.ip, mac) < 0 && now_ms() < end)
		round_once(e);
	return dp_neigh_lookup(p->ep.family, p->ep.ip, mac) == 0;
}

/* See pl_harness.h. */
bool pl_wait_drop(struct pl_env *e, unsigned reason, uint64_t target, unsigned ms)
{
	return wait_counter(e, true, reason, target, ms);
}

/* See pl_harness.h. */
bool pl_wait_stat(struct pl_env *e, unsigned stat, uint64_t target, unsigned ms)
{
	return wait_counter(e, false, stat, target, ms);
}

/* See pl_harness.h. */
void pl_reset(struct pl_env *e)
{
	for (unsigned i = 0; i < e->n_peers; i++) {
		e->peers[i]->n_rcv = 0;
		e->peers[i]->bad = 0;
	}
	e->n_other = 0;
	e->stray = 0;
	e->n_strays = 0;
}
