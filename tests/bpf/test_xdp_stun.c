/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The STUN/DTLS budgets of relais_xdp (XDP_CFG_STUN) under
 * BPF_PROG_TEST_RUN, on the real program: STUN and DTLS of a source within
 * its budget pass, above it they are dropped and counted as
 * xdp_stun_dtls_rate, while RTP/RTCP of the same source still pass; another
 * address or port has its own bucket; IPv6 alike; the node total; refill with
 * time, driven by ageing the bucket's timestamp in the map (deterministic);
 * the defaults. Every run checks the action and that exactly the expected
 * drop-reason slot moved.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <relais/ctl_proto.h>

#include "pkt.h"
#include "xdp_ctl.h"
#include "xdp_test.h"

#define CHECK_MAIN
#include "check.h"

#define NS 1000000000ull
#define STUN(n) .b0 = 0x00, .b1 = 0x01, .paylen = (n)
#define DTLS(n) .b0 = 22, .b1 = 0xfe, .paylen = (n)
#define RTP(n) .b0 = 0x80, .b1 = 96, .paylen = (n)
#define RTCP(n) .b0 = 0x80, .b1 = 200, .paylen = (n)
#define RATE RELAIS_DROP_XDP_STUN_DTLS_RATE
#define TOTAL RELAIS_DROP_XDP_STUN_DTLS_TOTAL
#define PASS RELAIS_DROP_NONE

/* A frame built from a spec. */
struct frame {
	uint8_t b[2048];
	int len;
};

/* Build spec into f. */
static void build(struct frame *f, struct pkt_spec s)
{
	f->len = pkt_build(&s, f->b, sizeof(f->b));
}

/* Zeroed config, no buckets, a never-used node total. */
static void reset(struct xdp_ctl *c)
{
	struct xdp_config zero = {0};
	struct xdp_tokens t = {0};
	__u32 k = 0;

	xdp_test_clear_map(xdp_ctl_map_fd(c, XDP_CTL_MAP_STUN));
	xdp_test_clear_map(xdp_ctl_map_fd(c, XDP_CTL_MAP_BUCKETS));
	xdp_test_clear_map(xdp_ctl_map_fd(c, XDP_CTL_MAP_PORTS));
	bpf_map_update_elem(xdp_ctl_map_fd(c, XDP_CTL_MAP_STUN_TOTAL), &k, &t, BPF_ANY);
	xdp_config_set(c, &zero);
}

/* Run f repeat times; *moved gets how many packets each drop slot gained.
 * Returns the action of the last run or -errno. */
static int run(struct xdp_ctl *c, const struct frame *f, int repeat, uint64_t *moved)
{
	struct xdp_counter d0[RELAIS_DROP_MAX], d1[RELAIS_DROP_MAX];
	int act;

	xdp_counters_read(c, d0, NULL);
	act = xdp_test_run(c, f->b, f->len, repeat);
	xdp_counters_read(c, d1, NULL);
	for (int i = 0; i < RELAIS_DROP_MAX; i++)
		moved[i] = d1[i].pkts - d0[i].pkts;
	return act;
}

/* Run f once: action and exactly one drop slot (reason) moved by one. */
static void expect(struct xdp_ctl *c, const struct frame *f, int reason, const char *what)
{
	uint64_t moved[RELAIS_DROP_MAX];
	int act = run(c, f, 1, moved), want = reason == PASS ? XDP_PASS : XDP_DROP;

	CHECKF(act == want, "%s: action %d, want %d", what, act, want);
	for (int i = 0; i < RELAIS_DROP_MAX; i++)
		CHECKF(moved[i] == (i == reason ? 1u : 0u), "%s: %s moved by %llu", what,
		       relais_drop_name((unsigned)i), (unsigned long long)moved[i]);
}

/* Run f repeat times: exactly pass passed and the rest dropped as reason. */
static void expect_n(struct xdp_ctl *c, const struct frame *f, int repeat, int reason,
		     uint64_t pass, const char *what)
{
	uint64_t moved[RELAIS_DROP_MAX];

	CHECKF(run(c, f, repeat, moved) >= 0, "%s: test run", what);
	CHECK_EQ(moved[PASS], pass, what);
	if (reason != PASS)
		CHECK_EQ(moved[reason], (uint64_t)repeat - pass, what);
}

/* Age a bucket of rlx_stun by ns (as if that much time had passed). */
static void age_source(struct xdp_ctl *c, int family, const char *addr, uint16_t port, uint64_t ns)
{
	struct xdp_stun_key k = {.port = htons(port)};
	int fd = xdp_ctl_map_fd(c, XDP_CTL_MAP_STUN);
	struct xdp_tokens t;

	if (family == AF_INET) {
		k.addr[10] = k.addr[11] = 0xff;
		inet_pton(AF_INET, addr, &k.addr[12]);
	} else {
		inet_pton(AF_INET6, addr, k.addr);
	}
	CHECKF(!bpf_map_lookup_elem(fd, &k, &t), "bucket of %s port %u exists", addr, port);
	t.last_ns -= ns;
	CHECKF(!bpf_map_update_elem(fd, &k, &t, BPF_EXIST), "age bucket of %s", addr);
}

/* Age the node's bucket by ns. */
static void age_total(struct xdp_ctl *c, uint64_t ns)
{
	int fd = xdp_ctl_map_fd(c, XDP_CTL_MAP_STUN_TOTAL);
	struct xdp_tokens t;
	__u32 k = 0;

	CHECK(!bpf_map_lookup_elem(fd, &k, &t));
	t.last_ns -= ns;
	CHECK(!bpf_map_update_elem(fd, &k, &t, BPF_EXIST));
}

/* Per source address+port, burst 3 at 10/s, for one address family: src is
 * the frames' default source, other another address of that family. */
static void test_source(struct xdp_ctl *c, enum pkt_l3 l3, const char *src, const char *other)
{
	struct frame stun, dtls, rtp, rtcp, other_port, other_addr;
	int family = l3 == PKT_V4 ? AF_INET : AF_INET6;

	build(&stun, (struct pkt_spec){l3, STUN(20)});
	build(&dtls, (struct pkt_spec){l3, .v6_hbh = l3 == PKT_V6, DTLS(13)});
	build(&rtp, (struct pkt_spec){l3, RTP(160)});
	build(&rtcp, (struct pkt_spec){l3, RTCP(32)});
	build(&other_port, (struct pkt_spec){l3, STUN(20), .sport = 40002});
	build(&other_addr, (struct pkt_spec){l3, DTLS(100), .src = other});
	reset(c);
	CHECK_EQ(xdp_stun_rate_set(c, 10, 3, 0, 0), 0, "stun_rate_set");
	printf("%s source %s\n", family == AF_INET ? "IPv4" : "IPv6", src);
	expect(c, &stun, PASS, "stun 1 of burst 3");
	expect(c, &dtls, PASS, "dtls 2 of burst 3");
	expect(c, &stun, PASS, "stun 3 of burst 3");
	expect(c, &stun, RATE, "stun over budget");
	expect(c, &dtls, RATE, "dtls over budget (one bucket for both)");
	expect(c, &rtp, PASS, "rtp of the same source still passes");
	expect(c, &rtcp, PASS, "rtcp of the same source still passes");
	expect_n(c, &rtp, 500, PASS, 500, "500 rtp of the same source pass");
	expect(c, &other_port, PASS, "same address, other port: own bucket");
	expect(c, &other_addr, PASS, "other address: own bucket");
	expect_n(c, &other_addr, 10, RATE, 2, "other address: its own burst of 3");
	expect(c, &stun, RATE, "first source still empty");
	age_source(c, family, src, 40000, NS / 10); /* 100 ms at 10/s: one token */
	expect(c, &stun, PASS, "refilled one token");
	expect(c, &stun, RATE, "only one token refilled");
	age_source(c, family, src, 40000, 60 * NS); /* caps at the burst */
	expect_n(c, &dtls, 10, RATE, 3, "refill caps at the burst");
}

/* Earlier checks win and charge nothing: a STUN to a port that is not the
 * media port dies as wrong_port and leaves no bucket. Off: no limit. */
static void test_order_and_off(struct xdp_ctl *c)
{
	struct frame wrong, stun;
	struct xdp_stun_key k = {0};
	struct xdp_config cfg;
	uint16_t port = 5000;

	build(&wrong, (struct pkt_spec){PKT_V4, STUN(20), .dport = 5001});
	build(&stun, (struct pkt_spec){PKT_V4, STUN(20)});
	reset(c);
	xdp_ports_set(c, &port, 1);
	xdp_stun_rate_set(c, 1, 1, 0, 0);
	expect(c, &wrong, RELAIS_DROP_WRONG_PORT, "stun to another port: wrong_port");
	CHECKF(bpf_map_get_next_key(xdp_ctl_map_fd(c, XDP_CTL_MAP_STUN), NULL, &k) != 0,
	       "no bucket made for a packet an earlier check dropped");
	expect(c, &stun, PASS, "media port: budget of 1");
	expect(c, &stun, RATE, "media port: over");
	CHECK_EQ(xdp_stun_rate_off(c), 0, "stun_rate_off");
	expect_n(c, &stun, 1000, PASS, 1000, "budget off: 1000 stun pass");
	CHECK(!xdp_config_get(c, &cfg) && !(cfg.flags & XDP_CFG_STUN) && cfg.stun_pps == 1);
	CHECK_EQ(xdp_stun_rate_set(c, XDP_RATE_MAX + 1, 0, 0, 0), -ERANGE, "rate above max");
	CHECK_EQ(xdp_stun_rate_set(c, 0, 0, XDP_RATE_MAX + 1, 0), -ERANGE, "total above max");
}

/* The node total: shared by every source, refilled with time; a source
 * over its own budget does not spend it. */
static void test_total(struct xdp_ctl *c)
{
	struct frame a, b, rtp;
	char src[32];

	build(&a, (struct pkt_spec){PKT_V4, STUN(20)});
	build(&rtp, (struct pkt_spec){PKT_V4, RTP(100), .src = "192.0.2.200"});
	reset(c);
	xdp_stun_rate_set(c, 10, 2, 10, 5); /* per source 2, node 5 */
	expect_n(c, &a, 50, RATE, 2, "total: one source takes its own 2 only");
	for (int i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "192.0.2.%d", 10 + i);
		build(&b, (struct pkt_spec){PKT_V4, DTLS(40), .src = src});
		expect(c, &b, PASS, "total: new source within the node's 5");
	}
	build(&b, (struct pkt_spec){PKT_V4, STUN(20), .src = "192.0.2.99"});
	expect(c, &b, TOTAL, "total: sixth datagram of the node dropped as total");
	expect(c, &rtp, PASS, "total: rtp untouched");
	age_total(c, NS / 10); /* one token */
	expect(c, &b, PASS, "total: refilled one token");
	expect(c, &b, TOTAL, "total: only one");
	age_total(c, NS / 10);
	expect(c, &b, PASS, "total: its refusals gave the source's tokens back");
	expect(c, &b, RATE, "total: the source's burst of 2 is now spent");
	xdp_stun_rate_set(c, 0, 0, 10, 5); /* total alone */
	age_total(c, 60 * NS);
	expect_n(c, &a, 20, TOTAL, 5, "total alone: burst 5, even for one source");
}

/* Defaults: applied once to a never-configured filter, never over an
 * operator's choice; a browser's join fits many times over. */
static void test_defaults(struct xdp_ctl *c)
{
	struct xdp_config cfg;
	struct frame join;

	build(&join, (struct pkt_spec){PKT_V4, STUN(100)});
	reset(c);
	CHECK_EQ(xdp_stun_rate_default(c), 1, "defaults applied to a zero config");
	CHECK(!xdp_config_get(c, &cfg) && (cfg.flags & XDP_CFG_STUN) &&
	      cfg.stun_pps == XDP_STUN_PPS_DEFAULT && cfg.stun_burst == XDP_STUN_BURST_DEFAULT &&
	      cfg.stun_total_pps == 0);
	CHECK_EQ(xdp_stun_rate_default(c), 0, "defaults not reapplied");
	xdp_stun_rate_off(c);
	CHECK_EQ(xdp_stun_rate_default(c), 0, "defaults do not undo stun-rate off");
	xdp_stun_rate_set(c, XDP_STUN_PPS_DEFAULT, XDP_STUN_BURST_DEFAULT, 0, 0);
	/* A join's few dozen datagrams, five times over, back to back. */
	expect_n(c, &join, 5 * 40, PASS, 5 * 40, "defaults: 200 back-to-back datagrams pass");
	expect(c, &join, RATE, "defaults: the 201st does not");
}

int main(void)
{
	int status;
	struct xdp_ctl *c = xdp_test_load(&status);

	if (!c)
		return status;
	test_source(c, PKT_V4, "192.0.2.1", "192.0.2.77");
	test_source(c, PKT_V6, "2001:db8::1", "2001:db8::2");
	test_order_and_off(c);
	test_total(c);
	test_defaults(c);
	xdp_ctl_close(c);
	return check_summary("xdp_stun");
}
