/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared between the XDP program (relais_xdp.bpf.c, compiled with clang
 * -target bpf against a generated vmlinux.h) and user space (xdp_ctl.c,
 * tests, bench): map names, keys, values, config and verdict indexes.
 *
 * No libc, no functions: this header must stay includable from BPF C.
 * Changing a struct here changes the map ABI; the pinned maps of a running
 * filter must be re-created (detach + attach) after such a change.
 */
#ifndef RELAIS_XDP_H
#define RELAIS_XDP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "relais/drop_reasons.h"

/* Map names, as seen by bpftool and used as pin file names (< 16 chars). */
#define XDP_MAP_XSKS "xsks_map" /* fixed by DPDK's net_af_xdp xdp_prog= */
#define XDP_MAP_CONFIG "rlx_config"
#define XDP_MAP_BLOCK4 "rlx_block4"
#define XDP_MAP_BLOCK6 "rlx_block6"
#define XDP_MAP_ALLOW4 "rlx_allow4"
#define XDP_MAP_ALLOW6 "rlx_allow6"
#define XDP_MAP_PORTS "rlx_ports"
#define XDP_MAP_BUCKETS "rlx_buckets"
#define XDP_MAP_DROPS "rlx_drops"
#define XDP_MAP_VERDICTS "rlx_verdicts"
#define XDP_MAP_STUN "rlx_stun"
#define XDP_MAP_STUN_TOTAL "rlx_stun_total"
#define XDP_MAP_FLOWS "rlx_flows"

/* Map sizes. */
#define XDP_XSKS_MAX 64       /* queues */
#define XDP_PREFIX_MAX 16384  /* entries per LPM trie */
#define XDP_PORTS_MAX 64      /* media UDP ports */
#define XDP_BUCKETS_MAX 65536 /* tracked sources (LRU) */
#define XDP_STUN_MAX 65536    /* tracked STUN/DTLS source address+ports (LRU) */
#define XDP_FLOWS_MAX 65536   /* participant flows (HASH, written by the dataplane) */

/* xdp_config.flags */
#define XDP_CFG_PORTS (1u << 0)     /* enforce rlx_ports on UDP destination */
#define XDP_CFG_ALLOWLIST (1u << 1) /* drop sources absent from rlx_allow* */
#define XDP_CFG_RATE (1u << 2)      /* enforce the per-source token buckets */
#define XDP_CFG_MEDIA4 (1u << 3)    /* media4 valid: ARP for it goes to the XSK */
#define XDP_CFG_MEDIA6 (1u << 4)    /* media6 valid: ND for it goes to the XSK */
#define XDP_CFG_STUN (1u << 5)      /* enforce the STUN/DTLS budgets */

/*
 * Default STUN/DTLS budget per source address+port, set by `relais-xdp
 * attach`, by `adopt` on a filter whose budget was never configured, and by
 * `relais-xdp stun-rate` without numbers. A browser's join (a few dozen ICE
 * checks and DTLS datagrams in its first seconds, then one consent check
 * every ~5 s) fits in it many times over; it is above the dataplane's own
 * per-source budget (edge.rate_per_source), which stays the finer one.
 * The node total is off by default (see docs/xdp.md, "STUN/DTLS budget").
 */
#define XDP_STUN_PPS_DEFAULT 100
#define XDP_STUN_BURST_DEFAULT 200

/* Largest accepted rate, so that refill arithmetic cannot overflow u64. */
#define XDP_RATE_MAX 10000000000ull

/*
 * Run-time configuration: element 0 of rlx_config (BPF_MAP_TYPE_ARRAY).
 * A zeroed config (as after load) enforces no ports, no allowlist, no rate,
 * no frame size limit, and gives every ARP/ND packet to the kernel.
 * A rate of 0 disables that bucket even when XDP_CFG_RATE is set.
 * XDP_CFG_STUN enforces the STUN/DTLS budgets (RFC 7983 first byte 0-3 or
 * 20-63): stun_pps per source address+port, stun_total_pps for the node;
 * again 0 disables that bucket and a burst of 0 is one second of its rate.
 * media4/media6 are the dataplane's own media addresses (network order):
 * ARP whose target protocol address is media4, and Neighbor Solicitations /
 * Advertisements whose target or destination is media6, go to the AF_XDP
 * socket (the dataplane answers and learns them); other ARP/ND to the kernel.
 */
struct xdp_config {
	__u32 flags;
	__u32 max_frame;     /* frames longer than this: drop oversized (0 = off) */
	__u64 pkts_per_sec;  /* packet bucket refill rate */
	__u64 bytes_per_sec; /* byte bucket refill rate (frame bytes) */
	__u64 burst_pkts;    /* packet bucket depth */
	__u64 burst_bytes;   /* byte bucket depth */
	__u8 media4[4];      /* with XDP_CFG_MEDIA4 */
	__u8 media6[16];     /* with XDP_CFG_MEDIA6 */
	__u32 pad;
	__u64 stun_pps;         /* STUN/DTLS per source address+port: refill rate */
	__u64 stun_burst;       /* its depth */
	__u64 stun_total_pps;   /* STUN/DTLS of the whole node: refill rate */
	__u64 stun_total_burst; /* its depth */
};

/* LPM trie keys (BPF_MAP_TYPE_LPM_TRIE, BPF_F_NO_PREALLOC). */
struct xdp_lpm4_key {
	__u32 prefixlen; /* 0..32 */
	__u8 addr[4];    /* network byte order */
};

struct xdp_lpm6_key {
	__u32 prefixlen; /* 0..128 */
	__u8 addr[16];   /* network byte order */
};

/* Value of the block/allow tries. */
struct xdp_prefix_val {
	__u64 expires_ns; /* bpf_ktime_get_ns() (CLOCK_MONOTONIC); 0 = never */
};

/* Key of rlx_buckets: IPv6 address, or IPv4 as ::ffff:a.b.c.d. */
struct xdp_src_key {
	__u8 addr[16];
};

/*
 * Value of rlx_buckets (BPF_MAP_TYPE_LRU_HASH), and of rlx_flows
 * (BPF_MAP_TYPE_HASH, key struct xdp_stun_key): the buckets of a
 * participant's exact address+port, written by the dataplane's control
 * thread when a participant gets or loses that address. Such a flow's
 * packets are charged to its own bucket, every other packet to its source
 * address's in rlx_buckets, at the same rates (check_rate). A zeroed value
 * (pkt_last_ns and byte_last_ns 0, as the dataplane writes it) is a full
 * bucket at its first packet.
 */
struct xdp_bucket {
	__u64 pkt_tokens;
	__u64 byte_tokens;
	__u64 pkt_last_ns;  /* time the packet bucket was last refilled */
	__u64 byte_last_ns; /* time the byte bucket was last refilled */
};

/* Key of rlx_stun and rlx_flows: the source address (as in xdp_src_key) and
 * UDP port. */
struct xdp_stun_key {
	__u8 addr[16];
	__u16 port; /* network byte order */
	__u16 pad;  /* zero */
};

/* One token bucket: value of rlx_stun (LRU_HASH) and rlx_stun_total
 * (ARRAY[1]; last_ns 0 = never used, starts full). */
struct xdp_tokens {
	__u64 tokens;
	__u64 last_ns; /* time of the last refill */
};

/* Value of rlx_ports (BPF_MAP_TYPE_HASH), key __u16 port in host order. */
struct xdp_port_val {
	__u8 enabled;
};

/* Value of rlx_drops and rlx_verdicts (BPF_MAP_TYPE_PERCPU_ARRAY). */
struct xdp_counter {
	__u64 pkts;
	__u64 bytes;
};

/*
 * Index of rlx_verdicts. rlx_drops is indexed by enum relais_drop_reason:
 * index RELAIS_DROP_NONE counts packets classified as media for the dataplane.
 */
enum xdp_verdict {
	XDP_VERDICT_PASS_KERNEL,   /* ARP, ND, non-IP: XDP_PASS on purpose */
	XDP_VERDICT_REDIRECT,      /* media redirected to an AF_XDP socket */
	XDP_VERDICT_REDIRECT_MISS, /* media, no socket in xsks_map: XDP_PASS */
	XDP_VERDICT_DROP,          /* XDP_DROP, reason in rlx_drops */
	XDP_VERDICT_NEIGH_XSK,     /* ARP/ND for a media address: to the XSK
				    * (XDP_PASS when the queue has none) */
	XDP_VERDICT_MAX
};

#endif /* RELAIS_XDP_H */
