/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table-driven BPF_PROG_TEST_RUN tests of relais_xdp: each row is a frame
 * built here, the map state it runs against, the expected XDP action and the
 * expected counter deltas (exactly one drop-reason slot and one verdict slot
 * move by one). Media rows expect XDP_PASS with REDIRECT_MISS: in test runs
 * xsks_map is empty and bpf_redirect_map(..., XDP_PASS) returns the flag.
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

#include "pkt.h"
#include "xdp_ctl.h"
#include "xdp_test.h"

#define CHECK_MAIN
#include "check.h"

#define NS 1000000000ull
#define KERNEL (-1) /* row expects no drop-reason slot to move */

enum prep {
	P_NONE,
	P_BLOCK_V4,
	P_BLOCK_V4_EXPIRED,
	P_BLOCK_V6,
	P_ALLOW_ON_EMPTY,
	P_ALLOW_V4,
	P_ALLOW_V4_EXPIRED,
	P_ALLOW_V6,
	P_ALLOW_AND_BLOCK,
	P_PORTS,
	P_MEDIA,     /* media addresses 198.51.100.1 and 2001:db8:ffff::1 */
	P_MAX_FRAME, /* max_frame 200 */
};

struct row {
	const char *name;
	struct pkt_spec pkt;
	enum prep prep;
	int action; /* XDP_PASS / XDP_DROP */
	int reason; /* RELAIS_DROP_* (NONE = media) or KERNEL */
	enum xdp_verdict verdict;
};

#define RTP(n) .b0 = 0x80, .b1 = 96, .paylen = (n)
#define RTCP(n) .b0 = 0x80, .b1 = 200, .paylen = (n)
#define STUN(n) .b0 = 0x00, .b1 = 0x01, .paylen = (n)
#define DTLS(n) .b0 = 22, .b1 = 0xfe, .paylen = (n)
#define MEDIA XDP_PASS, RELAIS_DROP_NONE, XDP_VERDICT_REDIRECT_MISS
#define TOKERNEL XDP_PASS, KERNEL, XDP_VERDICT_PASS_KERNEL
#define DROP(r) XDP_DROP, RELAIS_DROP_##r, XDP_VERDICT_DROP
#define NEIGH XDP_PASS, KERNEL, XDP_VERDICT_NEIGH_XSK /* XSK; PASS in test runs */
#define M4 "198.51.100.1"
#define M6 "2001:db8:ffff::1"

static const struct row rows[] = {
    /* media, both families, with and without VLAN */
    {"v4 rtp 160", {PKT_V4, RTP(160)}, P_NONE, MEDIA},
    {"v6 rtp 160", {PKT_V6, RTP(160)}, P_NONE, MEDIA},
    {"v4 vlan rtp", {PKT_V4, .vlan = 1, RTP(100)}, P_NONE, MEDIA},
    {"v6 vlan rtp", {PKT_V6, .vlan = 1, RTP(100)}, P_NONE, MEDIA},
    {"double vlan", {PKT_V4, .bad = BAD_DOUBLE_VLAN, RTP(100)}, P_NONE, DROP(XDP_MALFORMED)},
    {"v4 min frame padded", {PKT_V4, RTP(12), .pad_to = 60}, P_NONE, MEDIA},
    {"v6 hop-by-hop then udp", {PKT_V6, .v6_hbh = 1, RTP(20)}, P_NONE, MEDIA},
    /* RFC 7983 demux and minimum lengths: exactly minimum, one short */
    {"rtp 12", {PKT_V4, RTP(12)}, P_NONE, MEDIA},
    {"rtp 11", {PKT_V4, RTP(11)}, P_NONE, DROP(TRUNCATED)},
    {"v6 rtp 11", {PKT_V6, RTP(11)}, P_NONE, DROP(TRUNCATED)},
    {"rtcp 8", {PKT_V4, RTCP(8)}, P_NONE, MEDIA},
    {"rtcp 7", {PKT_V4, RTCP(7)}, P_NONE, DROP(TRUNCATED)},
    {"stun 20", {PKT_V6, STUN(20)}, P_NONE, MEDIA},
    {"stun 19", {PKT_V6, STUN(19)}, P_NONE, DROP(TRUNCATED)},
    {"dtls 13", {PKT_V4, DTLS(13)}, P_NONE, MEDIA},
    {"dtls 12", {PKT_V4, DTLS(12)}, P_NONE, DROP(TRUNCATED)},
    {"udp payload 1", {PKT_V4, .b0 = 0x80, .paylen = 1}, P_NONE, DROP(TRUNCATED)},
    {"udp payload 0", {PKT_V4, .paylen = 0}, P_NONE, DROP(TRUNCATED)},
    {"first byte 4 (unassigned)", {PKT_V4, .b0 = 4, .paylen = 40}, P_NONE, DROP(DEMUX_UNKNOWN)},
    {"first byte 64 (TURN ch)", {PKT_V4, .b0 = 64, .paylen = 40}, P_NONE, DROP(DEMUX_UNKNOWN)},
    {"first byte 127", {PKT_V6, .b0 = 127, .paylen = 40}, P_NONE, DROP(DEMUX_UNKNOWN)},
    {"rtp version 3", {PKT_V4, .b0 = 0xc0, .paylen = 40}, P_NONE, DROP(RTP_VERSION)},
    {"first byte 191", {PKT_V4, .b0 = 191, .b1 = 0, .paylen = 12}, P_NONE, MEDIA},
    /* host traffic */
    {"arp", {PKT_ARP}, P_NONE, TOKERNEL},
    {"arp vlan", {PKT_ARP, .vlan = 1}, P_NONE, TOKERNEL},
    {"lldp", {PKT_LLDP}, P_NONE, TOKERNEL},
    {"nd neighbor solicit", {PKT_V6, .proto = 58, .icmp6_type = 135}, P_NONE, TOKERNEL},
    {"nd router advert", {PKT_V6, .proto = 58, .icmp6_type = 134}, P_NONE, TOKERNEL},
    {"nd from blocked src", {PKT_V6, .proto = 58, .icmp6_type = 136}, P_BLOCK_V6, TOKERNEL},
    {"icmpv6 echo", {PKT_V6, .proto = 58, .icmp6_type = 128}, P_NONE, DROP(NOT_UDP)},
    /* ARP/ND for the media addresses go to the dataplane's socket */
    {"arp for media v4", {PKT_ARP, .target = M4}, P_MEDIA, NEIGH},
    {"arp vlan for media v4", {PKT_ARP, .vlan = 1, .target = M4}, P_MEDIA, NEIGH},
    {"arp for other addr", {PKT_ARP, .target = "198.51.100.9"}, P_MEDIA, TOKERNEL},
    {"arp for media, not configured", {PKT_ARP, .target = M4}, P_NONE, TOKERNEL},
    {"arp truncated", {PKT_ARP, .target = M4, .cut = 1}, P_MEDIA, TOKERNEL},
    {"ns for media v6",
     {PKT_V6, .proto = 58, .icmp6_type = 135, .target = M6, .dst = "ff02::1:ff00:1"},
     P_MEDIA,
     NEIGH},
    {"na to media v6",
     {PKT_V6, .proto = 58, .icmp6_type = 136, .target = "2001:db8::1"},
     P_MEDIA,
     NEIGH},
    {"ns for other v6",
     {PKT_V6, .proto = 58, .icmp6_type = 135, .target = "2001:db8:ffff::9",
      .dst = "ff02::1:ff00:9"},
     P_MEDIA,
     TOKERNEL},
    {"ra to media v6", {PKT_V6, .proto = 58, .icmp6_type = 134}, P_MEDIA, TOKERNEL},
    {"ns for media, not configured",
     {PKT_V6, .proto = 58, .icmp6_type = 135, .target = M6},
     P_NONE,
     TOKERNEL},
    {"v4 media with media addrs set", {PKT_V4, RTP(160), .dst = M4}, P_MEDIA, MEDIA},
    /* frame size limit */
    {"frame 200 = max", {PKT_V4, RTP(158)}, P_MAX_FRAME, MEDIA},
    {"frame 201 > max", {PKT_V4, RTP(159)}, P_MAX_FRAME, DROP(OVERSIZED)},
    {"v6 frame > max", {PKT_V6, RTP(1000)}, P_MAX_FRAME, DROP(OVERSIZED)},
    {"no max: 1400 B payload", {PKT_V4, RTP(1400)}, P_NONE, MEDIA},
    /* non-UDP */
    {"v4 tcp", {PKT_V4, .proto = 6, .paylen = 20}, P_NONE, DROP(NOT_UDP)},
    {"v4 icmp", {PKT_V4, .proto = 1, .paylen = 20}, P_NONE, DROP(NOT_UDP)},
    {"v6 tcp", {PKT_V6, .proto = 6, .paylen = 20}, P_NONE, DROP(NOT_UDP)},
    /* fragments */
    {"v4 MF", {PKT_V4, RTP(100), .frag = FRAG_V4_MF}, P_NONE, DROP(IP_FRAGMENT)},
    {"v4 offset", {PKT_V4, RTP(100), .frag = FRAG_V4_OFFSET}, P_NONE, DROP(IP_FRAGMENT)},
    {"v6 frag hdr", {PKT_V6, RTP(100), .frag = FRAG_V6_HDR}, P_NONE, DROP(IP_FRAGMENT)},
    {"v6 hbh + frag hdr",
     {PKT_V6, .v6_hbh = 1, RTP(100), .frag = FRAG_V6_HDR},
     P_NONE,
     DROP(IP_FRAGMENT)},
    /* malformed and truncated headers */
    {"eth only", {PKT_V4, RTP(12), .cut = 40}, P_NONE, DROP(TRUNCATED)},
    {"v4 hdr 19", {PKT_V4, RTP(12), .cut = 21}, P_NONE, DROP(TRUNCATED)},
    {"v4 ihl 4", {PKT_V4, RTP(12), .bad = BAD_V4_IHL}, P_NONE, DROP(XDP_MALFORMED)},
    {"v4 version 5", {PKT_V4, RTP(12), .bad = BAD_V4_VERSION}, P_NONE, DROP(XDP_MALFORMED)},
    {"v4 totlen < ihl", {PKT_V4, RTP(12), .bad = BAD_V4_TOTLEN}, P_NONE, DROP(XDP_MALFORMED)},
    {"v4 frame short of totlen", {PKT_V4, RTP(12), .cut = 1}, P_NONE, DROP(TRUNCATED)},
    {"v6 hdr 39", {PKT_V6, RTP(12), .cut = 21}, P_NONE, DROP(TRUNCATED)},
    {"v6 version 4", {PKT_V6, RTP(12), .bad = BAD_V6_VERSION}, P_NONE, DROP(XDP_MALFORMED)},
    {"v6 frame short of plen", {PKT_V6, RTP(12), .cut = 1}, P_NONE, DROP(TRUNCATED)},
    {"vlan tag cut", {PKT_V4, .vlan = 1, RTP(12), .cut = 42}, P_NONE, DROP(TRUNCATED)},
    {"udp len 7", {PKT_V4, RTP(12), .bad = BAD_UDP_LEN_SHORT}, P_NONE, DROP(XDP_MALFORMED)},
    {"udp len > ip", {PKT_V6, RTP(12), .bad = BAD_UDP_LEN_LONG}, P_NONE, DROP(TRUNCATED)},
    /* blocklist / allowlist (prefix, expiry) */
    {"blocked v4 /24", {PKT_V4, RTP(100)}, P_BLOCK_V4, DROP(XDP_BLOCKLIST)},
    {"outside blocked /24", {PKT_V4, RTP(100), .src = "192.0.3.1"}, P_BLOCK_V4, MEDIA},
    {"blocked v4, tcp", {PKT_V4, .proto = 6, .paylen = 20}, P_BLOCK_V4, DROP(XDP_BLOCKLIST)},
    {"expired block", {PKT_V4, RTP(100)}, P_BLOCK_V4_EXPIRED, MEDIA},
    {"blocked v6 /48",
     {PKT_V6, RTP(100), .src = "2001:db8:0:1::9"},
     P_BLOCK_V6,
     DROP(XDP_BLOCKLIST)},
    {"outside blocked v6", {PKT_V6, RTP(100), .src = "2001:db9::1"}, P_BLOCK_V6, MEDIA},
    {"allowlist on, empty v4", {PKT_V4, RTP(100)}, P_ALLOW_ON_EMPTY, DROP(XDP_NOT_ALLOWED)},
    {"allowlist on, empty v6", {PKT_V6, RTP(100)}, P_ALLOW_ON_EMPTY, DROP(XDP_NOT_ALLOWED)},
    {"allowed v4", {PKT_V4, RTP(100)}, P_ALLOW_V4, MEDIA},
    {"not allowed v4", {PKT_V4, RTP(100), .src = "203.0.113.7"}, P_ALLOW_V4, DROP(XDP_NOT_ALLOWED)},
    {"allowed but expired", {PKT_V4, RTP(100)}, P_ALLOW_V4_EXPIRED, DROP(XDP_NOT_ALLOWED)},
    {"allowed v6", {PKT_V6, RTP(100)}, P_ALLOW_V6, MEDIA},
    {"allowed and blocked", {PKT_V4, RTP(100)}, P_ALLOW_AND_BLOCK, DROP(XDP_BLOCKLIST)},
    /* media ports */
    {"port 5000 listed", {PKT_V4, RTP(100), .dport = 5000}, P_PORTS, MEDIA},
    {"port 5002 listed v6", {PKT_V6, RTP(100), .dport = 5002}, P_PORTS, MEDIA},
    {"port 5001 not listed", {PKT_V4, RTP(100), .dport = 5001}, P_PORTS, DROP(WRONG_PORT)},
    {"port check off", {PKT_V4, RTP(100), .dport = 5001}, P_NONE, MEDIA},
};

/* Reset the filter state and apply one row's preparation. */
static void prepare(struct xdp_ctl *c, enum prep p)
{
	static const enum xdp_ctl_map lists[] = {XDP_CTL_MAP_BLOCK4, XDP_CTL_MAP_BLOCK6,
						 XDP_CTL_MAP_ALLOW4, XDP_CTL_MAP_ALLOW6,
						 XDP_CTL_MAP_PORTS,  XDP_CTL_MAP_BUCKETS};
	struct xdp_config zero = {0};
	struct xdp_prefix pf;
	uint16_t ports[] = {5000, 5002};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		xdp_test_clear_map(xdp_ctl_map_fd(c, lists[i]));
	xdp_config_set(c, &zero);
	switch (p) {
	case P_NONE:
		break;
	case P_BLOCK_V4:
	case P_BLOCK_V4_EXPIRED:
		xdp_prefix_parse("192.0.2.0/24", &pf);
		xdp_acl_add(c, XDP_ACL_BLOCK, &pf, p == P_BLOCK_V4 ? 0 : 1);
		if (p == P_BLOCK_V4_EXPIRED)
			usleep(1000); /* 1 ns ttl: long gone */
		break;
	case P_BLOCK_V6:
		xdp_prefix_parse("2001:db8::/48", &pf);
		xdp_acl_add(c, XDP_ACL_BLOCK, &pf, 3600 * NS);
		break;
	case P_ALLOW_ON_EMPTY:
		xdp_allowlist_enable(c, 1);
		break;
	case P_ALLOW_V4:
	case P_ALLOW_V4_EXPIRED:
	case P_ALLOW_AND_BLOCK:
		xdp_allowlist_enable(c, 1);
		xdp_prefix_parse("192.0.2.1", &pf);
		xdp_acl_add(c, XDP_ACL_ALLOW, &pf, p == P_ALLOW_V4_EXPIRED ? 1 : 0);
		if (p == P_ALLOW_V4_EXPIRED)
			usleep(1000);
		if (p == P_ALLOW_AND_BLOCK) {
			xdp_prefix_parse("192.0.0.0/16", &pf);
			xdp_acl_add(c, XDP_ACL_BLOCK, &pf, 0);
		}
		break;
	case P_ALLOW_V6:
		xdp_allowlist_enable(c, 1);
		xdp_prefix_parse("2001:db8::/32", &pf);
		xdp_acl_add(c, XDP_ACL_ALLOW, &pf, 0);
		break;
	case P_PORTS:
		xdp_ports_set(c, ports, 2);
		break;
	case P_MEDIA: {
		uint8_t a4[4], a6[16];

		inet_pton(AF_INET, M4, a4);
		inet_pton(AF_INET6, M6, a6);
		xdp_media_set(c, a4, a6);
		break;
	}
	case P_MAX_FRAME:
		xdp_max_frame_set(c, 200);
		break;
	}
}

/* Run one row and check action and counter deltas. */
static void run_row(struct xdp_ctl *c, const struct row *r)
{
	struct xdp_counter d0[RELAIS_DROP_MAX], d1[RELAIS_DROP_MAX];
	struct xdp_counter v0[XDP_VERDICT_MAX], v1[XDP_VERDICT_MAX];
	uint8_t frame[2048];
	int len = pkt_build(&r->pkt, frame, sizeof(frame));
	int act;

	prepare(c, r->prep);
	xdp_counters_read(c, d0, v0);
	act = xdp_test_run(c, frame, len, 1);
	xdp_counters_read(c, d1, v1);
	CHECKF(act == r->action, "%s: action %d, want %d", r->name, act, r->action);
	for (int i = 0; i < RELAIS_DROP_MAX; i++) {
		uint64_t want = i == r->reason ? 1 : 0;

		CHECKF(d1[i].pkts - d0[i].pkts == want, "%s: drop[%d] moved by %llu, want %llu",
		       r->name, i, (unsigned long long)(d1[i].pkts - d0[i].pkts),
		       (unsigned long long)want);
		CHECKF(d1[i].bytes - d0[i].bytes == want * (uint64_t)len, "%s: drop[%d] bytes",
		       r->name, i);
	}
	for (int i = 0; i < XDP_VERDICT_MAX; i++) {
		uint64_t want = i == (int)r->verdict ? 1 : 0;

		CHECKF(v1[i].pkts - v0[i].pkts == want, "%s: verdict[%d] moved by %llu, want %llu",
		       r->name, i, (unsigned long long)(v1[i].pkts - v0[i].pkts),
		       (unsigned long long)want);
	}
}

/* Age one bucket's timestamps by ns (as if that much time had passed). */
static void age_bucket(struct xdp_ctl *c, const char *v4src, uint64_t ns)
{
	struct xdp_src_key k = {0};
	struct xdp_bucket b;
	int fd = xdp_ctl_map_fd(c, XDP_CTL_MAP_BUCKETS);

	k.addr[10] = k.addr[11] = 0xff;
	inet_pton(AF_INET, v4src, &k.addr[12]);
	CHECKF(!bpf_map_lookup_elem(fd, &k, &b), "bucket for %s exists", v4src);
	b.pkt_last_ns -= ns;
	b.byte_last_ns -= ns;
	CHECKF(!bpf_map_update_elem(fd, &k, &b, BPF_EXIST), "bucket update");
}

/* Token buckets: burst, drop, refill after (simulated) elapsed time. */
static void test_rate(struct xdp_ctl *c)
{
	struct pkt_spec s = {PKT_V4, RTP(12)}, other = {PKT_V4, RTP(12), .src = "192.0.2.99"};
	struct xdp_counter d0[RELAIS_DROP_MAX], d1[RELAIS_DROP_MAX];
	uint8_t f[2048], g[2048];
	int len = pkt_build(&s, f, sizeof(f)), glen = pkt_build(&other, g, sizeof(g));

	/* packets: 10/s, burst 2 */
	prepare(c, P_NONE);
	xdp_rate_set(c, 10, 0, 2, 0);
	CHECKF(xdp_test_run(c, f, len, 1) == XDP_PASS, "rate: 1st within burst");
	CHECKF(xdp_test_run(c, f, len, 1) == XDP_PASS, "rate: 2nd within burst");
	xdp_counters_read(c, d0, NULL);
	CHECKF(xdp_test_run(c, f, len, 1) == XDP_DROP, "rate: 3rd over burst");
	CHECKF(xdp_test_run(c, g, glen, 1) == XDP_PASS, "rate: other source has its own bucket");
	xdp_counters_read(c, d1, NULL);
	CHECKF(d1[RELAIS_DROP_XDP_RATE_PKTS].pkts - d0[RELAIS_DROP_XDP_RATE_PKTS].pkts == 1,
	       "rate: one RATE_PKTS drop");
	age_bucket(c, "192.0.2.1", NS / 10); /* 100 ms at 10/s = 1 token */
	CHECKF(xdp_test_run(c, f, len, 1) == XDP_PASS, "rate: refilled one token");
	CHECKF(xdp_test_run(c, f, len, 1) == XDP_DROP, "rate: only one token refilled");
	age_bucket(c, "192.0.2.1", 10 * NS); /* refill caps at burst 2 */
	xdp_counters_read(c, d0, NULL);
	CHECKF(xdp_test_run(c, f, len, 5) == XDP_DROP, "rate: repeat 5, last over burst");
	xdp_counters_read(c, d1, NULL);
	CHECKF(d1[RELAIS_DROP_NONE].pkts - d0[RELAIS_DROP_NONE].pkts == 2,
	       "rate: repeat 5 passes exactly burst=2, got %llu",
	       (unsigned long long)(d1[RELAIS_DROP_NONE].pkts - d0[RELAIS_DROP_NONE].pkts));
	CHECKF(d1[RELAIS_DROP_XDP_RATE_PKTS].pkts - d0[RELAIS_DROP_XDP_RATE_PKTS].pkts == 3,
	       "rate: repeat 5 drops 3");

	/* bytes: 1000 B/s, burst 100 B; frame is 54 B */
	prepare(c, P_NONE);
	xdp_rate_set(c, 0, 1000, 0, 100);
	CHECKF(len == 54, "rate: frame length %d", len);
	CHECKF(xdp_test_run(c, f, len, 1) == XDP_PASS, "bytes: 1st fits (100 -> 46)");
	xdp_counters_read(c, d0, NULL);
	CHECKF(xdp_test_run(c, f, len, 1) == XDP_DROP, "bytes: 2nd over");
	xdp_counters_read(c, d1, NULL);
	CHECKF(d1[RELAIS_DROP_XDP_RATE_BYTES].pkts - d0[RELAIS_DROP_XDP_RATE_BYTES].pkts == 1,
	       "bytes: one RATE_BYTES drop");
	age_bucket(c, "192.0.2.1", NS / 100); /* +10 B: 56 >= 54 */
	CHECKF(xdp_test_run(c, f, len, 1) == XDP_PASS, "bytes: refilled");

	/* rate flag off: unlimited */
	prepare(c, P_NONE);
	CHECKF(xdp_test_run(c, f, len, 100) == XDP_PASS, "rate off: pass");
}

/* Helper behaviour check: the empty xsks_map redirect falls back to PASS. */
static void test_redirect_fallback(struct xdp_ctl *c)
{
	struct xdp_counter v0[XDP_VERDICT_MAX], v1[XDP_VERDICT_MAX];
	struct pkt_spec s = {PKT_V4, RTP(12)};
	uint8_t f[2048];
	int len = pkt_build(&s, f, sizeof(f));

	prepare(c, P_NONE);
	xdp_counters_read(c, NULL, v0);
	CHECKF(xdp_test_run(c, f, len, 1000) == XDP_PASS, "empty xsks_map: XDP_PASS fallback");
	xdp_counters_read(c, NULL, v1);
	CHECKF(v1[XDP_VERDICT_REDIRECT_MISS].pkts - v0[XDP_VERDICT_REDIRECT_MISS].pkts == 1000,
	       "1000 redirect misses counted");
	CHECKF(v1[XDP_VERDICT_REDIRECT].pkts == v0[XDP_VERDICT_REDIRECT].pkts, "no redirect");
}

int main(void)
{
	int status;
	struct xdp_ctl *c = xdp_test_load(&status);

	if (!c)
		return status;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(c, &rows[i]);
	test_rate(c);
	test_redirect_fallback(c);
	xdp_ctl_close(c);
	printf("%zu table rows + rate + redirect\n", sizeof(rows) / sizeof(rows[0]));
	return check_summary("xdp_table");
}
