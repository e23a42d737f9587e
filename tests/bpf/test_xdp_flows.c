/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-source rate limit of relais_xdp keyed by participant flow
 * (rlx_flows, issue 13) under BPF_PROG_TEST_RUN, on the real program: with
 * a burst of 3, a flood from a participant's address but another port
 * drains the address's bucket only, and the participant's own address+port
 * still gets its 3; a flood on the exact address+port is capped like any
 * source; without the flow (never added, or deleted) the participant shares
 * its address's bucket as before; re-adding a flow keeps its bucket; the
 * byte bucket alike; IPv6 alike; xdp_flow_prune removes what keep() refuses.
 * Every run checks the action and that exactly the expected drop-reason
 * slot moved.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <relais/ctl_proto.h>

#include "pkt.h"
#include "xdp_ctl.h"
#include "xdp_test.h"

#define CHECK_MAIN
#include "check.h"

#define PASS RELAIS_DROP_NONE
#define PKTS RELAIS_DROP_XDP_RATE_PKTS
#define BYTES RELAIS_DROP_XDP_RATE_BYTES
#define RTP(n) .b0 = 0x80, .b1 = 96, .paylen = (n)
#define VICTIM_PORT 40000
#define SPOOF_PORT 41234

/* A frame built from a spec. */
struct frame {
	uint8_t b[2048];
	int len;
};

/* An address of the family of l3, as xdp_flow_add takes it. */
struct addr {
	int family;
	uint8_t ip[16];
};

static struct addr addr_of(enum pkt_l3 l3, const char *s)
{
	struct addr a = {l3 == PKT_V4 ? AF_INET : AF_INET6, {0}};

	inet_pton(a.family, s, a.ip);
	return a;
}

/* No flows, no buckets, a zero config, then packet rate 10/s burst 3 (or,
 * bytes, 1000 B/s with a burst of bytes). */
static void reset(struct xdp_ctl *c, int bytes)
{
	struct xdp_config zero = {0};

	xdp_test_clear_map(xdp_ctl_map_fd(c, XDP_CTL_MAP_FLOWS));
	xdp_test_clear_map(xdp_ctl_map_fd(c, XDP_CTL_MAP_BUCKETS));
	xdp_config_set(c, &zero);
	if (bytes)
		CHECK_EQ(xdp_rate_set(c, 0, 1000, 0, bytes), 0, "rate_set bytes");
	else
		CHECK_EQ(xdp_rate_set(c, 10, 0, 3, 0), 0, "rate_set pkts");
}

/* Run f repeat times: exactly pass passed, the rest dropped as reason, no
 * other slot moved. */
static void expect_n(struct xdp_ctl *c, const struct frame *f, int repeat, int reason,
		     uint64_t pass, const char *what)
{
	struct xdp_counter d0[RELAIS_DROP_MAX], d1[RELAIS_DROP_MAX];

	xdp_counters_read(c, d0, NULL);
	CHECKF(xdp_test_run(c, f->b, f->len, repeat) >= 0, "%s: test run", what);
	xdp_counters_read(c, d1, NULL);
	for (int i = 0; i < RELAIS_DROP_MAX; i++) {
		uint64_t want = i == PASS ? pass : i == reason ? (uint64_t)repeat - pass : 0;

		CHECKF(d1[i].pkts - d0[i].pkts == want, "%s: %s moved by %llu, want %llu", what,
		       relais_drop_name((unsigned)i), (unsigned long long)(d1[i].pkts - d0[i].pkts),
		       (unsigned long long)want);
	}
}

/* The keying for one family: victim is the participant at src:VICTIM_PORT. */
static void test_family(struct xdp_ctl *c, enum pkt_l3 l3, const char *src)
{
	struct addr a = addr_of(l3, src);
	struct frame victim, spoof;

	victim.len = pkt_build(&(struct pkt_spec){l3, RTP(160), .sport = VICTIM_PORT, .src = src},
			       victim.b, sizeof(victim.b));
	spoof.len = pkt_build(&(struct pkt_spec){l3, RTP(160), .sport = SPOOF_PORT, .src = src},
			      spoof.b, sizeof(spoof.b));
	printf("%s participant %s port %u\n", l3 == PKT_V4 ? "IPv4" : "IPv6", src, VICTIM_PORT);

	reset(c, 0);
	expect_n(c, &spoof, 50, PKTS, 3, "no flow: spoofer takes the address's 3");
	expect_n(c, &victim, 5, PKTS, 0, "no flow: the participant shares the drained bucket");

	reset(c, 0);
	CHECK_EQ(xdp_flow_add(c, a.family, a.ip, VICTIM_PORT), 0, "flow add");
	expect_n(c, &spoof, 50, PKTS, 3, "flow: spoofer from another port capped at 3");
	expect_n(c, &victim, 5, PKTS, 3, "flow: the participant gets its own 3");
	expect_n(c, &spoof, 5, PKTS, 0, "flow: spoofer still capped");
	CHECK_EQ(xdp_flow_add(c, a.family, a.ip, VICTIM_PORT), 0, "flow re-add");
	expect_n(c, &victim, 5, PKTS, 0, "flow re-added: its drained bucket kept");
	CHECK_EQ(xdp_flow_del(c, a.family, a.ip, VICTIM_PORT), 0, "flow del");
	CHECK_EQ(xdp_flow_del(c, a.family, a.ip, VICTIM_PORT), -ENOENT, "flow del again");
	expect_n(c, &victim, 5, PKTS, 0, "flow deleted: back to the address's empty bucket");

	reset(c, 0);
	CHECK_EQ(xdp_flow_add(c, a.family, a.ip, VICTIM_PORT), 0, "flow add (on-path)");
	expect_n(c, &victim, 50, PKTS, 3, "on-path flood on the exact flow: capped at 3");

	reset(c, 3 * victim.len);
	CHECK_EQ(xdp_flow_add(c, a.family, a.ip, VICTIM_PORT), 0, "flow add (bytes)");
	expect_n(c, &spoof, 50, BYTES, 3, "bytes: spoofer capped at 3 frames' bytes");
	expect_n(c, &victim, 5, BYTES, 3, "bytes: the participant's own byte bucket");
}

/* xdp_flow_prune's keep(): only 192.0.2.1 port VICTIM_PORT. */
static int keep_one(int family, const uint8_t *ip, uint16_t port, void *arg)
{
	struct addr *a = arg;

	return family == a->family && !memcmp(ip, a->ip, 4) && port == VICTIM_PORT;
}

/* Prune keeps what keep() accepts, deletes the rest, counts them. */
static void test_prune(struct xdp_ctl *c)
{
	struct addr keep = addr_of(PKT_V4, "192.0.2.1"), o4 = addr_of(PKT_V4, "192.0.2.2"),
		    o6 = addr_of(PKT_V6, "2001:db8::1");

	reset(c, 0);
	xdp_flow_add(c, keep.family, keep.ip, VICTIM_PORT);
	xdp_flow_add(c, keep.family, keep.ip, VICTIM_PORT + 2);
	xdp_flow_add(c, o4.family, o4.ip, VICTIM_PORT);
	xdp_flow_add(c, o6.family, o6.ip, VICTIM_PORT);
	CHECK_EQ(xdp_flow_prune(c, keep_one, &keep), 3, "prune deletes 3 of 4");
	CHECK_EQ(xdp_flow_del(c, keep.family, keep.ip, VICTIM_PORT), 0, "the kept one is there");
	CHECK_EQ(xdp_flow_prune(c, keep_one, &keep), 0, "prune of an empty map");
}

int main(void)
{
	int status;
	struct xdp_ctl *c = xdp_test_load(&status);

	if (!c)
		return status;
	test_family(c, PKT_V4, "192.0.2.1");
	test_family(c, PKT_V6, "2001:db8::1");
	test_prune(c);
	xdp_ctl_close(c);
	return check_summary("xdp_flows");
}
