/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path to relais-edge (dataplane/core/dp_edge.c), on a
 * net_ring port with one worker: the test is the edge, a real client of
 * the edge socket (include/relais/edge_proto.h). STUN and DTLS datagrams
 * reach it byte for byte with their source; what it sends leaves the port
 * as a UDP frame from the media address; the per-source and total budgets
 * drop by name; a malformed edge is disconnected and a second edge refused.
 * The edge's CONSENT (an ICE check it answered, RFC 7675) lets media go to
 * that participant's address, and only to it (media.consent).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <relais/edge_proto.h>
#include <relais/srtp_profile.h>

#define CHECK_MAIN
#include "check.h"
#include "dp_neigh.h"
#include "dp_stats.h"
#include "pl_harness.h"
#include "pl_net.h"

static struct pl_env env;

/* A STUN Binding request header with a 4-byte attribute body (the
 * dataplane only demultiplexes on the first byte: RFC 7983). */
static const uint8_t stun_req[] = {0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42,
				   1,    2,    3,    4,    5,    6,    7,    8,
				   9,    10,   11,   12,   0x80, 0x22, 0x00, 0x00};
/* The start of a DTLS 1.2 handshake record. */
static const uint8_t dtls_rec[] = {0x16, 0xfe, 0xfd, 0, 0, 0,    0,    0,
				   0,    0,    0,    0, 0, 0x00, 0x01, 0x01};

/* Connect to the edge socket; the fd or -1. */
static int edge_connect(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", pl_edge_socket);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("edge socket");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Pump the dataplane until fd has a message (decoded into m from buf) or
 * ms elapsed. The message length, 0 on EOF, -1 on timeout. */
static int edge_recv(int fd, uint8_t *buf, struct relais_edge_msg *m, unsigned ms)
{
	for (unsigned t = 0; t < ms; t += 5) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		pl_pump(&env, 5);
		if (poll(&p, 1, 0) != 1)
			continue;
		n = recv(fd, buf, RELAIS_EDGE_MAX_MSG, 0);
		if (n <= 0)
			return 0;
		if (relais_edge_decode(buf, (size_t)n, m) < 0)
			return -1;
		return (int)n;
	}
	return -1;
}

/* Send message m on fd; whether it went. */
static bool edge_send(int fd, const struct relais_edge_msg *m)
{
	uint8_t buf[RELAIS_EDGE_MAX_MSG];
	int n = relais_edge_encode(m, buf, sizeof(buf));

	return n > 0 && send(fd, buf, (size_t)n, 0) == n;
}

/* A new edge that said HELLO and got HELLO back; the fd or -1. */
static int edge_hello(void)
{
	struct relais_edge_msg h = {.kind = RELAIS_EDGE_HELLO}, r;
	uint8_t buf[RELAIS_EDGE_MAX_MSG];
	int fd = edge_connect();

	if (fd < 0 || !edge_send(fd, &h) || edge_recv(fd, buf, &r, 2000) <= 0 ||
	    r.kind != RELAIS_EDGE_HELLO) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* An endpoint at ip:port (family from the text). */
static struct pl_ep ep(const char *ip, uint16_t port)
{
	struct pl_ep e = {.family = strchr(ip, ':') ? 6 : 4, .port = port};

	inet_pton(e.family == 4 ? AF_INET : AF_INET6, ip, e.ip);
	memset(e.mac, 0x02, 6);
	e.mac[5] = (uint8_t)port;
	return e;
}

/* Inject payload pl/n from src to our media port. */
static void inject_from(const struct pl_ep *src, const uint8_t *pl, size_t n)
{
	uint8_t f[PL_FRAME_MAX];
	size_t len = pl_udp_frame(f, src, src->family == 4 ? &env.us4 : &env.us6, pl, n);

	pl_inject(&env, f, len);
}

/* Drop counter `reason` summed over lcores. */
static uint64_t drops(unsigned reason)
{
	struct relais_ctl_stats s;

	pl_stats(&s);
	return s.drops[reason];
}

/* Without an edge, STUN and DTLS are dropped as edge_down. */
static void no_edge(void)
{
	struct pl_ep a = ep("10.0.0.2", 4000);

	inject_from(&a, stun_req, sizeof(stun_req));
	inject_from(&a, dtls_rec, sizeof(dtls_rec));
	CHECKF(pl_wait_drop(&env, RELAIS_DROP_EDGE_DOWN, 2, 2000), "edge_down %lu",
	       (unsigned long)drops(RELAIS_DROP_EDGE_DOWN));
}

/* Datagrams reach the edge with their source, byte for byte. */
static void rx_to_edge(int fd)
{
	const struct {
		const char *ip;
		uint16_t port;
		const uint8_t *pl;
		size_t n;
	} cases[] = {{"10.0.0.2", 4001, stun_req, sizeof(stun_req)},
		     {"10.0.0.2", 4001, dtls_rec, sizeof(dtls_rec)},
		     {"fd00::2", 4002, stun_req, sizeof(stun_req)}};
	uint8_t buf[RELAIS_EDGE_MAX_MSG];
	struct relais_edge_msg m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pl_ep a = ep(cases[i].ip, cases[i].port);

		inject_from(&a, cases[i].pl, cases[i].n);
		CHECKF(edge_recv(fd, buf, &m, 2000) > 0 && m.kind == RELAIS_EDGE_RX,
		       "case %zu: no RX", i);
		CHECKF(m.addr.family == a.family && m.addr.port == a.port &&
			   memcmp(m.addr.ip, a.ip, a.family == 4 ? 4 : 16) == 0 && m.part_id == 0,
		       "case %zu: source %u port %u part %u", i, m.addr.family, m.addr.port,
		       m.part_id);
		CHECKF(m.len == cases[i].n && memcmp(m.payload, cases[i].pl, m.len) == 0,
		       "case %zu: payload of %u bytes differs", i, m.len);
	}
}

/* A datagram of the edge leaves from 10.0.0.1:5000 once the neighbour is
 * known (before: solicited and dropped as no_neighbor); outside
 * media.allow_dst it is dropped. */
static void tx_from_edge(int fd)
{
	struct pl_ep a = ep("10.0.0.3", 4003);
	struct relais_edge_msg m = {
	    .kind = RELAIS_EDGE_TX, .payload = stun_req, .len = sizeof(stun_req)};
	uint8_t f[PL_FRAME_MAX], mac[6];
	struct pl_udp_out o;
	uint64_t before = drops(RELAIS_DROP_NO_NEIGHBOR);

	m.addr.family = 4;
	m.addr.port = a.port;
	memcpy(m.addr.ip, a.ip, 4);
	CHECK(edge_send(fd, &m));
	CHECKF(pl_wait_drop(&env, RELAIS_DROP_NO_NEIGHBOR, before + 1, 2000),
	       "an unresolved destination is solicited and dropped");
	pl_inject(&env, f, pl_arp_reply(f, &a, &env.us4)); /* answers the solicitation */
	for (unsigned t = 0; t < 2000 && dp_neigh_lookup(4, a.ip, mac) < 0; t += 5)
		pl_pump(&env, 5);
	pl_reset(&env);
	CHECK(edge_send(fd, &m));
	for (unsigned t = 0; t < 2000 && env.n_strays == 0; t += 5)
		pl_pump(&env, 5);
	CHECKF(env.n_strays == 1, "%u frames sent", env.n_strays);
	if (env.n_strays == 1 && pl_parse_udp_out(env.strays[0].b, env.strays[0].len, &o) == 0) {
		CHECK(memcmp(o.src_ip, env.us4.ip, 4) == 0 && o.sport == 5000);
		CHECK(memcmp(o.dst_ip, a.ip, 4) == 0 && o.dport == a.port && o.csum_ok);
		CHECK(memcmp(o.dst_mac, a.mac, 6) == 0);
		CHECK(o.n == sizeof(stun_req) && memcmp(o.pl, stun_req, o.n) == 0);
	}
	env.app.cfg.n_allow_dst = 1;
	env.app.cfg.allow_dst[0] = (struct dp_prefix){.family = 4, .len = 32};
	inet_pton(AF_INET, "10.0.0.9", env.app.cfg.allow_dst[0].ip);
	before = drops(RELAIS_DROP_NOT_FOR_US);
	CHECK(edge_send(fd, &m));
	CHECK(pl_wait_drop(&env, RELAIS_DROP_NOT_FOR_US, before + 1, 2000));
	env.app.cfg.n_allow_dst = 0;
}

/* Read what the edge got within ms: the number of RX messages. */
static unsigned drain_edge(int fd, unsigned ms)
{
	uint8_t buf[RELAIS_EDGE_MAX_MSG];
	struct relais_edge_msg m;
	unsigned n = 0;

	while (edge_recv(fd, buf, &m, ms) > 0)
		n++;
	return n;
}

/* One source over its budget is cut to its burst, others pass; many
 * unknown sources are cut by the total budget. */
static void budgets(int fd)
{
	struct dp_config *c = &env.app.cfg;
	struct pl_ep flood = ep("10.0.0.4", 4004), other = ep("10.0.0.5", 4005);
	uint64_t src0 = drops(RELAIS_DROP_EXC_RATE_SOURCE), tot0;
	unsigned got;

	c->exc_rate_source = 1; /* a token a second: the burst is all */
	c->exc_burst_source = 5;
	for (int i = 0; i < 40; i++)
		inject_from(&flood, stun_req, sizeof(stun_req));
	inject_from(&other, stun_req, sizeof(stun_req));
	got = drain_edge(fd, 300);
	CHECKF(got == 6, "5 of the flood and the other source: %u", got);
	CHECKF(drops(RELAIS_DROP_EXC_RATE_SOURCE) - src0 == 35, "exception_rate_source %lu",
	       (unsigned long)(drops(RELAIS_DROP_EXC_RATE_SOURCE) - src0));
	c->exc_rate_total = 10; /* a burst of 1 for unknown sources */
	pl_pump(&env, 150);
	tot0 = drops(RELAIS_DROP_EXC_RATE_TOTAL);
	for (uint16_t i = 0; i < 20; i++) {
		struct pl_ep s = ep("10.0.0.6", (uint16_t)(5100 + i));

		inject_from(&s, stun_req, sizeof(stun_req));
	}
	got = drain_edge(fd, 300);
	CHECKF(got <= 3 && drops(RELAIS_DROP_EXC_RATE_TOTAL) - tot0 >= 17,
	       "20 unknown sources: %u passed, %lu exception_rate_total", got,
	       (unsigned long)(drops(RELAIS_DROP_EXC_RATE_TOTAL) - tot0));
	c->exc_rate_source = 50;
	c->exc_burst_source = 40;
	c->exc_rate_total = 20000;
}

/* A stats value summed over lcores. */
static uint64_t stat(unsigned idx)
{
	struct relais_ctl_stats s;

	pl_stats(&s);
	return s.v[idx];
}

/* Participant p (id, IPv4 ip:port, keys) added to room 1 and ARPed. */
static void consent_peer(struct pl_peer *p, uint32_t id, const char *ip, uint16_t port)
{
	struct relais_ctl_msg m;
	uint8_t f[PL_FRAME_MAX];

	p->name = id == 20 ? "P" : "W";
	p->id = id;
	p->ep = ep(ip, port);
	p->fb_ssrc = 0xfb000000u + id;
	CHECK(pl_peer_init(&env, p, RELAIS_SRTP_AES128_CM_SHA1_80, RELAIS_SRTP_AES128_CM_SHA1_80,
			   id) == 0);
	pl_part_msg(&m, RELAIS_CTL_PART_ADD, 1, p);
	CHECK(pl_ctl(&m) == 0);
	pl_inject(&env, f, pl_arp_request(f, &p->ep, env.us4.ip));
}

/* P sends n RTP packets of SSRC 0x2020 from sequence number *seq on. */
static void consent_publish(struct pl_peer *p, uint16_t *seq, unsigned n)
{
	uint8_t pkt[PL_FRAME_MAX];

	for (unsigned i = 0; i < n; i++, (*seq)++)
		CHECK(pl_send(&env, p, pkt, pl_rtp(pkt, 111, false, *seq, 960u * *seq, 0x2020, 80),
			      false) == 0);
	pl_pump(&env, 50);
}

/* A CONSENT that arrives before its participant (a browser's first ICE
 * checks beat the control plane's PART_ADD) is kept: participant E added
 * later at exactly that address receives at once; F, consented at another
 * port than it is added with, does not. */
static void early_consent(int fd, struct pl_peer *p, uint16_t *seq)
{
	static struct pl_peer e, f;
	struct relais_edge_msg c = {.kind = RELAIS_EDGE_CONSENT, .part_id = 22};
	struct relais_ctl_msg m = {.type = RELAIS_CTL_SUB_ADD};
	uint64_t before = stat(RELAIS_STAT_edge_consents);

	c.addr = (struct relais_addr){.family = 4, .port = 4022, .ip = {10, 0, 0, 22}};
	CHECK(edge_send(fd, &c));
	c.part_id = 23;
	c.addr = (struct relais_addr){.family = 4, .port = 4099, .ip = {10, 0, 0, 23}};
	CHECK(edge_send(fd, &c));
	pl_pump(&env, 50); /* the control thread reads the link */
	consent_peer(&e, 22, "10.0.0.22", 4022);
	consent_peer(&f, 23, "10.0.0.23", 4023);
	for (uint32_t id = 22; id <= 23; id++) {
		m.u.sub = (struct relais_ctl_sub){
		    .sub_id = id, .part_id = id, .track_id = 200, .out_ssrc = 0x2100 + id};
		CHECK(pl_ctl(&m) == 0);
	}
	CHECKF(stat(RELAIS_STAT_edge_consents) == before + 1,
	       "the kept CONSENT applied at PART_ADD, once");
	CHECK(pl_wait_neigh(&env, &e, 2000) && pl_wait_neigh(&env, &f, 2000));
	consent_publish(p, seq, 5);
	for (int i = 0; i < 40 && e.n_rcv < 5; i++)
		pl_pump(&env, 50);
	CHECKF(e.n_rcv == 5 && e.bad == 0, "consented before it existed: E got %u of 5", e.n_rcv);
	CHECKF(f.n_rcv == 0, "consented at another port: F got %u", f.n_rcv);
}

/* The edge's CONSENT for W's address lets media go to W; one for another
 * address or participant changes nothing; CONSENT carries no payload. */
static void edge_consent(int fd)
{
	static struct pl_peer p, w;
	struct relais_ctl_msg m = {.type = RELAIS_CTL_ROOM_ADD};
	struct relais_edge_msg c = {.kind = RELAIS_EDGE_CONSENT, .part_id = 21};
	uint8_t buf[RELAIS_EDGE_MAX_MSG];
	uint16_t seq = 1;

	m.u.room.room_id = 1;
	CHECK(pl_ctl(&m) == 0);
	consent_peer(&p, 20, "10.0.0.20", 4020);
	consent_peer(&w, 21, "10.0.0.21", 4021);
	m = (struct relais_ctl_msg){.type = RELAIS_CTL_TRACK_ADD};
	m.u.track = (struct relais_ctl_track){
	    200, 20, 0x2020, 48000, RELAIS_TRACK_AUDIO, 0, RELAIS_PT_ANY, 0};
	CHECK(pl_ctl(&m) == 0);
	m = (struct relais_ctl_msg){.type = RELAIS_CTL_SUB_ADD};
	m.u.sub = (struct relais_ctl_sub){
	    .sub_id = 1, .part_id = 21, .track_id = 200, .out_ssrc = 0x2121};
	CHECK(pl_ctl(&m) == 0);
	consent_publish(&p, &seq, 5);
	CHECKF(w.n_rcv == 0 && drops(RELAIS_DROP_NO_CONSENT) >= 5, "before CONSENT: W got %u",
	       w.n_rcv);
	c.addr = (struct relais_addr){.family = 4, .port = 4099};
	memcpy(c.addr.ip, w.ep.ip, 4);
	CHECK(edge_send(fd, &c)); /* another port */
	c.addr.port = w.ep.port;
	c.part_id = 999;
	CHECK(edge_send(fd, &c)); /* another participant */
	consent_publish(&p, &seq, 5);
	CHECKF(w.n_rcv == 0 && stat(RELAIS_STAT_edge_consents) == 0,
	       "CONSENT for another address: W got %u", w.n_rcv);
	c.part_id = 21;
	CHECK(edge_send(fd, &c));
	CHECK(pl_wait_stat(&env, RELAIS_STAT_edge_consents, 1, 2000));
	consent_publish(&p, &seq, 5);
	CHECKF(pl_wait_rcv(&env, 5, 2000) && w.n_rcv == 5 && w.bad == 0,
	       "after CONSENT: W got %u of 5", w.n_rcv);
	early_consent(fd, &p, &seq);
	c.len = 4;
	c.payload = stun_req;
	CHECK(relais_edge_encode(&c, buf, sizeof(buf)) == -EINVAL);
	c.len = 0;
	c.part_id = 0;
	CHECK(relais_edge_encode(&c, buf, sizeof(buf)) == -EINVAL);
}

/* A second edge is refused while one is connected; a malformed message
 * closes the link; a new edge is then accepted. */
static void link_rules(int *fd)
{
	uint8_t junk[40] = {0}, buf[RELAIS_EDGE_MAX_MSG];
	struct relais_edge_msg m;
	int second = edge_connect();

	CHECK(second >= 0 && edge_recv(second, buf, &m, 500) == 0);
	if (second >= 0)
		close(second);
	CHECK(send(*fd, junk, sizeof(junk), 0) == (ssize_t)sizeof(junk));
	CHECKF(edge_recv(*fd, buf, &m, 2000) == 0, "a malformed message closes the link");
	close(*fd);
	*fd = edge_hello();
	CHECKF(*fd >= 0, "a new edge is accepted after the old one left");
}

int main(int argc, char **argv)
{
	int fd;

	(void)argc;
	snprintf(pl_edge_socket, sizeof(pl_edge_socket), "/tmp/relais-pl-edge-%d/edge.sock",
		 (int)getpid());
	pl_consent_required = true;
	if (pl_setup_engine(&env, argv[0], 1, "libsrtp") < 0)
		return 1;
	no_edge();
	fd = edge_hello();
	CHECKF(fd >= 0, "HELLO answered");
	if (fd >= 0) {
		rx_to_edge(fd);
		tx_from_edge(fd);
		budgets(fd);
		edge_consent(fd);
		link_rules(&fd);
	}
	if (fd >= 0)
		close(fd);
	pl_teardown(&env);
	{
		char dir[108];

		snprintf(dir, sizeof(dir), "/tmp/relais-pl-edge-%d", (int)getpid());
		rmdir(dir);
	}
	return check_summary("edge_link");
}
