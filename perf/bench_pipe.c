/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane under test: a real dp_app (tables, the chosen crypto engine,
 * workers, port) whose port is a net_ring device. The benchmark is the port's wire:
 * it enqueues prebuilt Ethernet/IPv4/UDP/SRTP frames into the RX ring and
 * dequeues and frees whatever the TX ring receives. The main lcore is the
 * only worker and runs the loop synchronously with dp_worker_poll_once().
 *
 * Addresses: relais is 192.0.2.1/24 with gateway 192.0.2.254 (RFC 5737);
 * participants live in 198.18.0.0/15 (RFC 2544 benchmarking range), off-link,
 * so every egress frame goes to the gateway's MAC learned up front.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>

#include "bench.h"
#include "dp_neigh.h"
#include "dp_pkt_build.h"
#include "dp_stats.h"
#include "dp_tables.h"
#include "dp_worker.h"

#define RX_RING 8192
#define TX_RING 65536
#define APP_MBUFS 65535
#define HDR_LEN (DP_ETH_HLEN + DP_IPV4_HLEN + DP_UDP_HLEN)
#define WARMUP_PKTS 64u

static const uint8_t our_ip[4] = {192, 0, 2, 1};
static const uint8_t gw_ip[4] = {192, 0, 2, 254};

/* See bench.h. */
void bench_addr(uint32_t addr_idx, struct relais_addr *a)
{
	uint32_t ip = (198u << 24 | 18u << 16) + addr_idx % 131072u;

	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->port = (uint16_t)(20000u + addr_idx / 131072u);
	for (int i = 0; i < 4; i++)
		a->ip[i] = (uint8_t)(ip >> (24 - 8 * i));
}

/* Dataplane configuration of the benchmark: one worker (the main lcore),
 * one RX queue, the given limits; no control socket; media.consent off
 * (the synthetic subscribers never send). */
static void bench_cfg(struct dp_config *c, const char *engine, uint16_t port, uint32_t parts,
		      uint32_t tracks, uint32_t subs)
{
	dp_config_defaults(c);
	snprintf(c->crypto_engine, sizeof(c->crypto_engine), "%s", engine);
	c->ctl_socket[0] = '\0';
	c->has_ip4 = 1;
	memcpy(c->ip4, our_ip, 4);
	c->prefix4 = 24;
	c->has_gw4 = 1;
	memcpy(c->gw4, gw_ip, 4);
	c->n_workers = 1;
	c->workers[0] = rte_get_main_lcore();
	c->n_rxq = 1;
	c->rxq_lcore[0] = rte_get_main_lcore();
	c->max_participants = parts;
	c->max_tracks = tracks;
	c->max_subs = subs;
	c->consent_required = false;
	c->mbufs = APP_MBUFS;
	c->port_id = port;
}

/* Create the rings, the ring port and the input pool. 0 or -ENOMEM. */
static int make_port(struct bench_dp *d, uint16_t *port)
{
	static unsigned instance;
	char name[RTE_RING_NAMESIZE];
	int socket = (int)rte_socket_id(), p;

	instance++;
	snprintf(name, sizeof(name), "bench_rx_%u", instance);
	d->rx = rte_ring_create(name, RX_RING, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "bench_tx_%u", instance);
	d->tx = rte_ring_create(name, TX_RING, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "bench_in_%u", instance);
	d->in_pool = rte_pktmbuf_pool_create(name, BENCH_CHUNK * 2 - 1, 256, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (d->rx == NULL || d->tx == NULL || d->in_pool == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "net_bench%u", instance);
	p = rte_eth_from_rings(name, &d->rx, 1, &d->tx, 1, (unsigned)socket);
	if (p < 0)
		return -ENODEV;
	*port = (uint16_t)p;
	return 0;
}

/* See bench.h. */
int bench_dp_start(struct bench_dp *d, const char *engine, uint32_t parts, uint32_t tracks,
		   uint32_t subs)
{
	static const uint8_t gw_mac[6] = {0x02, 0xbe, 0x4c, 0x00, 0x00, 0x01};
	struct dp_neigh nb = {.family = 4};
	char err[256] = "";
	uint16_t port = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = make_port(d, &port);
	if (rc < 0) {
		fprintf(stderr, "relais-bench: cannot create the net_ring port: %s\n",
			strerror(-rc));
		return rc;
	}
	bench_cfg(&d->app.cfg, engine, port, parts, tracks, subs);
	rc = dp_app_init(&d->app, true, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "relais-bench: dataplane init: %s (%s)\n", err, strerror(-rc));
		return rc;
	}
	d->up = true;
	memcpy(d->gw_mac, gw_mac, 6);
	memcpy(nb.ip, gw_ip, 4);
	memcpy(nb.mac, gw_mac, 6);
	/* The gateway, as if it had authenticated: the bench answers no ARP. */
	dp_neigh_learn_async(&nb, DP_NEIGH_AUTH);
	dp_neigh_apply();
	rc = dp_room_add(1, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "relais-bench: %s\n", err);
	return rc;
}

/* Free every mbuf waiting in ring r. */
static void ring_drain(struct rte_ring *r)
{
	struct rte_mbuf *m[64];
	unsigned n;

	while (r && (n = rte_ring_dequeue_burst(r, (void **)m, RTE_DIM(m), NULL)) > 0)
		rte_pktmbuf_free_bulk(m, n);
}

/* See bench.h. */
void bench_dp_stop(struct bench_dp *d)
{
	ring_drain(d->rx);
	ring_drain(d->tx);
	if (d->up)
		dp_app_fini(&d->app);
	rte_ring_free(d->rx);
	rte_ring_free(d->tx);
	rte_mempool_free(d->in_pool);
	memset(d, 0, sizeof(*d));
}

/* See bench.h. */
int bench_part(uint32_t id, uint32_t addr_idx, const struct relais_srtp_key *rx,
	       const struct relais_srtp_key *tx)
{
	struct relais_ctl_part p = {.room_id = 1, .part_id = id, .fb_ssrc = 0x0fb00000u + id};
	char err[256];
	int rc;

	bench_addr(addr_idx, &p.addr);
	p.rx_key = *rx;
	p.tx_key = *tx;
	rc = dp_part_add(&p, err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "relais-bench: %s\n", err);
	return rc;
}

/* Build n input frames from the publisher into m[] (untimed). 0 or -errno. */
static int build_frames(struct bench_dp *d, srtp_t pub, struct bench_stream *st,
			const struct dp_udp_tmpl *t, unsigned payload, struct rte_mbuf **m,
			unsigned n)
{
	if (rte_pktmbuf_alloc_bulk(d->in_pool, m, n) != 0)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = rte_pktmbuf_mtod(m[i], uint8_t *);
		int len = bench_rtp_protect(pub, st, p + HDR_LEN,
					    rte_pktmbuf_tailroom(m[i]) - HDR_LEN, payload);

		if (len < 0 || dp_build_udp_headers(p, HDR_LEN, t, (uint16_t)len) != HDR_LEN) {
			rte_pktmbuf_free_bulk(m, n);
			return -EPROTO;
		}
		m[i]->data_len = (uint16_t)(HDR_LEN + len);
		m[i]->pkt_len = m[i]->data_len;
	}
	return 0;
}

/* Free what the TX ring received; returns how many. */
static uint64_t drain_tx(struct bench_dp *d)
{
	struct rte_mbuf *m[256];
	uint64_t total = 0;
	unsigned n;

	while ((n = rte_ring_dequeue_burst(d->tx, (void **)m, RTE_DIM(m), NULL)) > 0) {
		rte_pktmbuf_free_bulk(m, n);
		total += n;
	}
	return total;
}

/* Feed n frames and run the worker until the RX ring is empty; adds the
 * TSC cycles of that loop to *cycles and the outputs to *out. */
static int run_chunk(struct bench_dp *d, srtp_t pub, struct bench_stream *st,
		     const struct dp_udp_tmpl *t, unsigned payload, unsigned n, uint64_t *cycles,
		     uint64_t *out)
{
	struct rte_mbuf *m[BENCH_CHUNK];
	uint64_t t0;
	int rc = build_frames(d, pub, st, t, payload, m, n);

	if (rc < 0)
		return rc;
	if (rte_ring_enqueue_bulk(d->rx, (void **)m, n, NULL) != n) {
		rte_pktmbuf_free_bulk(m, n);
		return -ENOBUFS;
	}
	t0 = rte_rdtsc();
	do {
		dp_worker_poll_once();
		*out += drain_tx(d);
	} while (rte_ring_count(d->rx) > 0);
	*cycles += rte_rdtsc() - t0;
	return 0;
}

/* Compare counters after a run: every input decrypted, every output
 * encrypted and sent, no drop. 0 or -EPROTO with the evidence on stderr. */
static int verify(const struct relais_ctl_stats *a, const struct relais_ctl_stats *b, uint64_t in,
		  uint64_t out, unsigned fanout)
{
	uint64_t dec = b->v[RELAIS_STAT_decrypt_ok] - a->v[RELAIS_STAT_decrypt_ok];
	uint64_t enc = b->v[RELAIS_STAT_encrypt_ok] - a->v[RELAIS_STAT_encrypt_ok];
	uint64_t txp = b->v[RELAIS_STAT_tx_pkts] - a->v[RELAIS_STAT_tx_pkts];
	int rc = 0;

	if (dec != in || enc != in * fanout || out != in * fanout || txp != out) {
		fprintf(
		    stderr,
		    "relais-bench: FAIL fan-out %u: %lu inputs, decrypt_ok %lu, encrypt_ok %lu, "
		    "tx_pkts %lu, frames on the wire %lu (expected %lu)\n",
		    fanout, (unsigned long)in, (unsigned long)dec, (unsigned long)enc,
		    (unsigned long)txp, (unsigned long)out, (unsigned long)(in * fanout));
		rc = -EPROTO;
	}
	for (unsigned i = 0; i < RELAIS_DROP_MAX; i++) {
		if (b->drops[i] == a->drops[i])
			continue;
		fprintf(stderr, "relais-bench: FAIL %lu drops: %s\n",
			(unsigned long)(b->drops[i] - a->drops[i]), relais_drop_name(i));
		rc = -EPROTO;
	}
	return rc;
}

/* See bench.h. */
int bench_pipe_run(struct bench_dp *d, const struct bench_opts *o, srtp_t pub,
		   struct bench_stream *st, uint32_t addr_idx, unsigned payload, unsigned fanout,
		   struct bench_result *r)
{
	struct dp_udp_tmpl t = {.family = 4, .ttl = 64, .dst_port = 5000};
	unsigned per = fanout >= BENCH_OUT_CHUNK ? 1 : BENCH_OUT_CHUNK / fanout;
	uint64_t hz = rte_get_tsc_hz(), in = 0, out = 0, cycles = 0, wc = 0, wo = 0;
	struct relais_ctl_stats s0, s1;
	struct relais_addr a;
	unsigned l = rte_lcore_id();
	int rc;

	bench_addr(addr_idx, &a);
	memcpy(t.src_mac, d->gw_mac, 6);
	memcpy(t.dst_mac, d->app.mac, 6);
	memcpy(t.src_ip, a.ip, 4);
	memcpy(t.dst_ip, our_ip, 4);
	t.src_port = a.port;
	per = RTE_MIN(per, BENCH_CHUNK);
	dp_stats_sum(&s0);
	rte_rcu_qsbr_thread_online(dp_tab.rcu, l);
	/* Warm-up (not timed): first packets clone libsrtp streams per SSRC. */
	rc = run_chunk(d, pub, st, &t, payload, RTE_MIN(per, WARMUP_PKTS), &wc, &wo);
	while (rc == 0 && in < o->max_pkts && (double)cycles < o->secs * (double)hz) {
		unsigned n = (unsigned)RTE_MIN((uint64_t)per, o->max_pkts - in);

		rc = run_chunk(d, pub, st, &t, payload, n, &cycles, &out);
		in += n;
	}
	rte_rcu_qsbr_thread_offline(dp_tab.rcu, l);
	dp_tables_reclaim();
	if (rc < 0) {
		fprintf(stderr, "relais-bench: cannot feed the pipeline: %s\n", strerror(-rc));
		return rc;
	}
	dp_stats_sum(&s1);
	rc = verify(&s0, &s1, in + RTE_MIN(per, WARMUP_PKTS), out + wo, fanout);
	r->pkts_in = in;
	r->pkts_out = out;
	r->cycles = cycles;
	r->secs = bench_tsc_secs(cycles);
	return rc;
}
