/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais XDP filter: the program DPDK's net_af_xdp PMD loads with
 * `xdp_prog=relais_xdp.bpf.o`, or that relais-xdp attaches on its own.
 *
 * Verdicts, in order of evaluation:
 *   ARP / NS / NA for a media address (rlx_config)   -> AF_XDP socket
 *   other ARP, IPv6 ND, non-IP ethertypes            -> XDP_PASS (kernel)
 *   bad L2/L3/L4 headers                             -> XDP_DROP (reason)
 *   source in blocklist / not in active allowlist    -> XDP_DROP
 *   frame longer than max_frame                      -> XDP_DROP oversized
 *   IP fragment, not UDP, wrong UDP port             -> XDP_DROP
 *   first byte outside RFC 7983 ranges, too short    -> XDP_DROP
 *   source over its packet or byte rate (a participant's
 *   exact address+port has buckets of its own)      -> XDP_DROP
 *   STUN/DTLS over its source address+port budget,
 *   or over the node's STUN/DTLS total               -> XDP_DROP
 *   media                                            -> redirect to the
 *       AF_XDP socket of this RX queue (xsks_map); XDP_PASS when none.
 *
 * Every access to packet memory is preceded by a bounds check against
 * data_end through the cursor; all state lives in maps so that the control
 * plane can change it at run time (see relais_xdp.h and docs/xdp.md).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "relais_xdp.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_DEST 60
#define NEXTHDR_ICMP 58
#define IP_MF_OFFSET 0x3fff
#define NS_PER_SEC 1000000000ull
#define IP6_EXT_MAX 4

/* Classification results beyond enum relais_drop_reason: give to the
 * kernel; give to the dataplane's socket (ARP/ND for its own address). */
#define CLASS_KERNEL (-1)
#define CLASS_NEIGH (-2)
#define ARP_LEN 28     /* RFC 826 packet for Ethernet + IPv4 */
#define ARP_TPA_OFF 24 /* target protocol address */
#define ND_LEN 24      /* ICMPv6 NS/NA header with target (RFC 4861 §4.3-4.4) */

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XDP_XSKS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdp_config);
} rlx_config SEC(".maps");

#define LPM_MAP(name, keytype)                        \
	struct {                                      \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);  \
		__uint(max_entries, XDP_PREFIX_MAX);  \
		__uint(map_flags, BPF_F_NO_PREALLOC); \
		__type(key, keytype);                 \
		__type(value, struct xdp_prefix_val); \
	} name SEC(".maps")

LPM_MAP(rlx_block4, struct xdp_lpm4_key);
LPM_MAP(rlx_block6, struct xdp_lpm6_key);
LPM_MAP(rlx_allow4, struct xdp_lpm4_key);
LPM_MAP(rlx_allow6, struct xdp_lpm6_key);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDP_PORTS_MAX);
	__type(key, __u16);
	__type(value, struct xdp_port_val);
} rlx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDP_BUCKETS_MAX);
	__type(key, struct xdp_src_key);
	__type(value, struct xdp_bucket);
} rlx_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDP_STUN_MAX);
	__type(key, struct xdp_stun_key);
	__type(value, struct xdp_tokens);
} rlx_stun SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdp_tokens);
} rlx_stun_total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDP_FLOWS_MAX);
	__type(key, struct xdp_stun_key);
	__type(value, struct xdp_bucket);
} rlx_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RELAIS_DROP_MAX);
	__type(key, __u32);
	__type(value, struct xdp_counter);
} rlx_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_VERDICT_MAX);
	__type(key, __u32);
	__type(value, struct xdp_counter);
} rlx_verdicts SEC(".maps");

/* Parse cursor: pos advances, end is data_end. */
struct cursor {
	void *pos;
	void *end;
};

/* What the L3/L4 parsers learn about a packet. */
struct pkt {
	struct xdp_src_key src; /* IPv6, or IPv4-mapped */
	__u8 saddr4[4];
	__u8 v6;
	__u8 l4proto;
	__u8 frag;
	__u8 stun_dtls; /* set by parse_udp: first payload byte 0-3 or 20-63 */
	__u16 sport;    /* UDP source port, network order (parse_udp) */
	__u32 l4room;   /* bytes the IP header says follow the L3 headers */
};

static __always_inline void count(void *map, __u32 idx, __u32 len)
{
	struct xdp_counter *c = bpf_map_lookup_elem(map, &idx);

	if (c) {
		c->pkts++;
		c->bytes += len;
	}
}

/* Ethernet with at most one 802.1Q/802.1ad tag; *proto gets the ethertype. */
static __always_inline int parse_l2(struct cursor *c, __u16 *proto)
{
	struct ethhdr *eth = c->pos;
	__be16 *inner;

	if ((void *)(eth + 1) > c->end)
		return RELAIS_DROP_TRUNCATED;
	c->pos = eth + 1;
	*proto = bpf_ntohs(eth->h_proto);
	if (*proto != ETH_P_8021Q && *proto != ETH_P_8021AD)
		return RELAIS_DROP_NONE;
	inner = c->pos; /* TCI, then the encapsulated ethertype */
	if ((void *)(inner + 2) > c->end)
		return RELAIS_DROP_TRUNCATED;
	c->pos = inner + 2;
	*proto = bpf_ntohs(inner[1]);
	if (*proto == ETH_P_8021Q || *proto == ETH_P_8021AD)
		return RELAIS_DROP_XDP_MALFORMED; /* only one tag supported */
	return RELAIS_DROP_NONE;
}

/* IPv4 header (RFC 791 §3.1): version, IHL, total length, fragment fields. */
static __always_inline int parse_ip4(struct cursor *c, struct pkt *p)
{
	struct iphdr *ip = c->pos;
	__u32 hlen, tot;

	if ((void *)(ip + 1) > c->end)
		return RELAIS_DROP_TRUNCATED;
	if (ip->version != 4 || ip->ihl < 5)
		return RELAIS_DROP_XDP_MALFORMED;
	hlen = ip->ihl * 4;
	if (c->pos + hlen > c->end)
		return RELAIS_DROP_TRUNCATED;
	tot = bpf_ntohs(ip->tot_len);
	if (tot < hlen)
		return RELAIS_DROP_XDP_MALFORMED;
	if (c->pos + tot > c->end)
		return RELAIS_DROP_TRUNCATED;
	__builtin_memcpy(p->saddr4, &ip->saddr, 4);
	p->src.addr[10] = 0xff;
	p->src.addr[11] = 0xff;
	__builtin_memcpy(&p->src.addr[12], &ip->saddr, 4);
	p->l4proto = ip->protocol;
	p->frag = (ip->frag_off & bpf_htons(IP_MF_OFFSET)) != 0;
	p->l4room = tot - hlen;
	c->pos += hlen;
	return RELAIS_DROP_NONE;
}

/*
 * IPv6 extension headers (RFC 8200 §4): skip up to IP6_EXT_MAX hop-by-hop,
 * routing and destination-options headers; note a fragment header.
 */
static __always_inline int skip_ip6_ext(struct cursor *c, struct pkt *p)
{
	__u8 *ext;
	__u32 elen;

#pragma unroll
	for (int i = 0; i < IP6_EXT_MAX; i++) {
		if (p->l4proto == NEXTHDR_FRAGMENT) {
			p->frag = 1;
			return RELAIS_DROP_NONE;
		}
		if (p->l4proto != NEXTHDR_HOP && p->l4proto != NEXTHDR_ROUTING &&
		    p->l4proto != NEXTHDR_DEST)
			return RELAIS_DROP_NONE;
		ext = c->pos;
		if ((void *)(ext + 2) > c->end)
			return RELAIS_DROP_TRUNCATED;
		elen = ((__u32)ext[1] + 1) * 8;
		if (elen > p->l4room)
			return RELAIS_DROP_XDP_MALFORMED;
		if (c->pos + elen > c->end)
			return RELAIS_DROP_TRUNCATED;
		p->l4proto = ext[0];
		p->l4room -= elen;
		c->pos += elen;
	}
	return RELAIS_DROP_XDP_MALFORMED; /* chain too long for media */
}

/* 16-byte equality; packet bytes may be unaligned. */
static __always_inline int eq16(const __u8 *a, const __u8 *b)
{
	__u8 d = 0;

#pragma unroll
	for (int i = 0; i < 16; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

/*
 * Neighbor Discovery (RFC 4861 §4): a Neighbor Solicitation (135) or
 * Advertisement (136) whose target (§4.3, §4.4) or IPv6 destination is the
 * dataplane's media address goes to its socket; all other ND to the kernel.
 */
static __always_inline int nd_class(struct cursor *c, const struct ipv6hdr *ip6, __u8 type,
				    const struct xdp_config *cfg)
{
	__u8 *icmp = c->pos;

	if (type != 135 && type != 136)
		return CLASS_KERNEL;
	if (!(cfg->flags & XDP_CFG_MEDIA6))
		return CLASS_KERNEL;
	if ((void *)(icmp + ND_LEN) > c->end)
		return CLASS_KERNEL; /* too short for us; the kernel decides */
	if (eq16(icmp + 8, cfg->media6) || eq16((const __u8 *)&ip6->daddr, cfg->media6))
		return CLASS_NEIGH;
	return CLASS_KERNEL;
}

/* IPv6 header (RFC 8200 §3); Neighbor Discovery -> nd_class(). */
static __always_inline int parse_ip6(struct cursor *c, struct pkt *p, const struct xdp_config *cfg)
{
	struct ipv6hdr *ip6 = c->pos;
	__u32 plen;
	__u8 *icmp;
	int r;

	if ((void *)(ip6 + 1) > c->end)
		return RELAIS_DROP_TRUNCATED;
	if (ip6->version != 6)
		return RELAIS_DROP_XDP_MALFORMED;
	plen = bpf_ntohs(ip6->payload_len);
	c->pos = ip6 + 1;
	if (c->pos + plen > c->end)
		return RELAIS_DROP_TRUNCATED;
	__builtin_memcpy(p->src.addr, &ip6->saddr, 16);
	p->v6 = 1;
	p->l4proto = ip6->nexthdr;
	p->l4room = plen;
	r = skip_ip6_ext(c, p);
	if (r != RELAIS_DROP_NONE || p->l4proto != NEXTHDR_ICMP)
		return r;
	icmp = c->pos;
	if ((void *)(icmp + 1) > c->end || p->l4room < 1)
		return RELAIS_DROP_TRUNCATED;
	/* 133 RS, 134 RA, 135 NS, 136 NA, 137 Redirect */
	if (icmp[0] >= 133 && icmp[0] <= 137)
		return nd_class(c, ip6, icmp[0], cfg);
	return RELAIS_DROP_NONE; /* other ICMPv6: NOT_UDP later */
}

/* A prefix entry applies when present and not expired. */
static __always_inline int prefix_live(const struct xdp_prefix_val *v, __u64 now)
{
	return v && (v->expires_ns == 0 || now < v->expires_ns);
}

/* Blocklist, then allowlist when XDP_CFG_ALLOWLIST is set. */
static __always_inline int check_acl(const struct pkt *p, const struct xdp_config *cfg, __u64 now)
{
	struct xdp_lpm4_key k4 = {.prefixlen = 32};
	struct xdp_lpm6_key k6 = {.prefixlen = 128};
	void *block = &rlx_block4, *allow = &rlx_allow4, *key = &k4;

	if (p->v6) {
		__builtin_memcpy(k6.addr, p->src.addr, 16);
		block = &rlx_block6;
		allow = &rlx_allow6;
		key = &k6;
	} else {
		__builtin_memcpy(k4.addr, p->saddr4, 4);
	}
	if (prefix_live(bpf_map_lookup_elem(block, key), now))
		return RELAIS_DROP_XDP_BLOCKLIST;
	if ((cfg->flags & XDP_CFG_ALLOWLIST) && !prefix_live(bpf_map_lookup_elem(allow, key), now))
		return RELAIS_DROP_XDP_NOT_ALLOWED;
	return RELAIS_DROP_NONE;
}

/*
 * UDP (RFC 768) and the first-byte demultiplexing of RFC 7983 §7:
 * 0-3 STUN (>= 20 bytes, RFC 5389 §6), 20-63 DTLS (>= 13, RFC 6347 §4.1),
 * 128-191 RTP (>= 12, RFC 3550 §5.1) or RTCP (>= 8, RFC 3550 §6.4; second
 * byte 192-223 per RFC 5761 §4). 192-255 is RTP with version 3.
 * Notes the source port and whether the payload is STUN or DTLS in *p.
 */
static __always_inline int parse_udp(struct cursor *c, struct pkt *p, const struct xdp_config *cfg)
{
	struct udphdr *udp = c->pos;
	__u32 ulen, plen, need;
	__u16 dport;
	__u8 *b;

	if ((void *)(udp + 1) > c->end || p->l4room < sizeof(*udp))
		return RELAIS_DROP_TRUNCATED;
	ulen = bpf_ntohs(udp->len);
	if (ulen < sizeof(*udp))
		return RELAIS_DROP_XDP_MALFORMED;
	if (ulen > p->l4room)
		return RELAIS_DROP_TRUNCATED;
	dport = bpf_ntohs(udp->dest);
	if ((cfg->flags & XDP_CFG_PORTS) && !bpf_map_lookup_elem(&rlx_ports, &dport))
		return RELAIS_DROP_WRONG_PORT;
	plen = ulen - sizeof(*udp);
	b = (void *)(udp + 1);
	if (plen < 2 || (void *)(b + 2) > c->end)
		return RELAIS_DROP_TRUNCATED;
	p->sport = udp->source;
	if (b[0] <= 3)
		need = 20;
	else if (b[0] >= 20 && b[0] <= 63)
		need = 13;
	else if (b[0] >= 128 && b[0] <= 191)
		need = (b[1] >= 192 && b[1] <= 223) ? 8 : 12;
	else if (b[0] >= 192)
		return RELAIS_DROP_RTP_VERSION;
	else
		return RELAIS_DROP_DEMUX_UNKNOWN;
	p->stun_dtls = b[0] <= 63; /* 4-19 were refused above */
	return plen < need ? RELAIS_DROP_TRUNCATED : RELAIS_DROP_NONE;
}

/*
 * Token bucket refill by elapsed ktime. A refill smaller than one token leaves
 * *last untouched so that the fraction accumulates instead of being lost.
 */
static __always_inline __u64 refill(__u64 tokens, __u64 *last, __u64 now, __u64 rate, __u64 burst)
{
	__u64 el, add;

	if (now <= *last)
		return tokens;
	el = now - *last;
	if (el >= 1000 * NS_PER_SEC) {
		*last = now;
		return burst;
	}
	add = (el / NS_PER_SEC) * rate + ((el % NS_PER_SEC) * rate) / NS_PER_SEC;
	if (add == 0)
		return tokens;
	*last = now;
	tokens += add;
	return tokens > burst ? burst : tokens;
}

/* The buckets a packet is charged to: its exact address+port's in
 * rlx_flows when that is a participant's flow (a zeroed entry, never used,
 * is filled from *fresh first), else its address's in rlx_buckets; NULL when
 * the address has none yet. */
static __always_inline struct xdp_bucket *rate_bucket(const struct pkt *p,
						      const struct xdp_bucket *fresh)
{
	struct xdp_stun_key k = {.port = p->sport};
	struct xdp_bucket *b;

	__builtin_memcpy(k.addr, p->src.addr, 16);
	b = bpf_map_lookup_elem(&rlx_flows, &k);
	if (!b)
		return bpf_map_lookup_elem(&rlx_buckets, &p->src);
	if (!b->pkt_last_ns && !b->byte_last_ns)
		*b = *fresh;
	return b;
}

/*
 * Packet and byte buckets per participant flow, else per source address
 * (rate_bucket): a sender who forges a participant's address but not its
 * port spends the address's bucket, never the participant's. Racy across
 * CPUs by design (one source hashes to one RX queue), never by more than a
 * few packets.
 */
static __always_inline int check_rate(const struct pkt *p, const struct xdp_config *cfg, __u64 now,
				      __u32 len)
{
	__u64 pps = cfg->pkts_per_sec, bps = cfg->bytes_per_sec;
	__u64 bp = cfg->burst_pkts ? cfg->burst_pkts : pps;
	__u64 bb = cfg->burst_bytes ? cfg->burst_bytes : bps;
	struct xdp_bucket fresh = {bp, bb, now, now}, *b;
	int r = RELAIS_DROP_NONE;

	if (!(cfg->flags & XDP_CFG_RATE) || (!pps && !bps))
		return RELAIS_DROP_NONE;
	b = rate_bucket(p, &fresh);
	if (!b)
		b = &fresh;
	if (pps)
		b->pkt_tokens = refill(b->pkt_tokens, &b->pkt_last_ns, now, pps, bp);
	if (bps)
		b->byte_tokens = refill(b->byte_tokens, &b->byte_last_ns, now, bps, bb);
	if (pps && b->pkt_tokens < 1)
		r = RELAIS_DROP_XDP_RATE_PKTS;
	else if (bps && b->byte_tokens < len)
		r = RELAIS_DROP_XDP_RATE_BYTES;
	if (r == RELAIS_DROP_NONE) {
		if (pps)
			b->pkt_tokens -= 1;
		if (bps)
			b->byte_tokens -= len;
	}
	if (b == &fresh)
		bpf_map_update_elem(&rlx_buckets, &p->src, &fresh, BPF_NOEXIST);
	return r;
}

/* Refill bucket t at rate (burst 0 = one second of rate) and take one token:
 * 1 when there was one, 0 when the bucket is empty. A never-used bucket
 * (last_ns 0, as in the ARRAY after load) starts full. */
static __always_inline int take_token(struct xdp_tokens *t, __u64 now, __u64 rate, __u64 burst)
{
	if (!burst)
		burst = rate;
	if (!t->last_ns) {
		t->tokens = burst;
		t->last_ns = now;
	}
	t->tokens = refill(t->tokens, &t->last_ns, now, rate, burst);
	if (t->tokens < 1)
		return 0;
	t->tokens--;
	return 1;
}

/* The node's STUN/DTLS bucket: 1 when it has a token (or is off). */
static __always_inline int take_total(const struct xdp_config *cfg, __u64 now)
{
	struct xdp_tokens *t;
	__u32 zero = 0;

	if (!cfg->stun_total_pps)
		return 1;
	t = bpf_map_lookup_elem(&rlx_stun_total, &zero);
	return !t || take_token(t, now, cfg->stun_total_pps, cfg->stun_total_burst);
}

/*
 * STUN/DTLS budgets (XDP_CFG_STUN): a bucket per source address+port in
 * rlx_stun, then the node's bucket rlx_stun_total; a datagram the node's
 * bucket refuses gives its source's token back. RTP/RTCP never reach them.
 * A packet charges only the bucket of the address+port it carries (exact
 * keys, no sharing), so a forged source spends that source's STUN/DTLS
 * budget and nothing else; an LRU eviction hands back a full bucket. Plain
 * updates, racy across CPUs like check_rate (a few packets at most).
 */
static __always_inline int check_stun(const struct pkt *p, const struct xdp_config *cfg, __u64 now)
{
	struct xdp_stun_key k = {.port = p->sport};
	struct xdp_tokens fresh = {}, *t, *src;
	int r = RELAIS_DROP_NONE;

	if (!p->stun_dtls || !(cfg->flags & XDP_CFG_STUN))
		return RELAIS_DROP_NONE;
	if (!cfg->stun_pps)
		return take_total(cfg, now) ? RELAIS_DROP_NONE : RELAIS_DROP_XDP_STUN_DTLS_TOTAL;
	__builtin_memcpy(k.addr, p->src.addr, 16);
	t = bpf_map_lookup_elem(&rlx_stun, &k);
	src = t ? t : &fresh;
	if (!take_token(src, now, cfg->stun_pps, cfg->stun_burst)) {
		r = RELAIS_DROP_XDP_STUN_DTLS_RATE;
	} else if (!take_total(cfg, now)) {
		src->tokens++;
		r = RELAIS_DROP_XDP_STUN_DTLS_TOTAL;
	}
	if (!t)
		bpf_map_update_elem(&rlx_stun, &k, &fresh, BPF_NOEXIST);
	return r;
}

/* ARP (RFC 826) for Ethernet/IPv4 whose target protocol address is the
 * media address -> CLASS_NEIGH (requests to us and replies to our
 * requests both carry our address there); any other ARP -> kernel. */
static __always_inline int arp_class(const struct cursor *c, const struct xdp_config *cfg)
{
	__u8 *arp = c->pos;

	if (!(cfg->flags & XDP_CFG_MEDIA4) || (void *)(arp + ARP_LEN) > c->end)
		return CLASS_KERNEL;
	if (arp[2] != 0x08 || arp[3] != 0x00 || arp[5] != 4) /* ptype IPv4, plen 4 */
		return CLASS_KERNEL;
	if (arp[ARP_TPA_OFF] == cfg->media4[0] && arp[ARP_TPA_OFF + 1] == cfg->media4[1] &&
	    arp[ARP_TPA_OFF + 2] == cfg->media4[2] && arp[ARP_TPA_OFF + 3] == cfg->media4[3])
		return CLASS_NEIGH;
	return CLASS_KERNEL;
}

/* Classify one frame: CLASS_KERNEL, CLASS_NEIGH, RELAIS_DROP_NONE (media)
 * or a drop reason. */
static __always_inline int classify(struct xdp_md *ctx, __u32 len)
{
	struct cursor c = {(void *)(long)ctx->data, (void *)(long)ctx->data_end};
	const struct xdp_config *cfg;
	struct pkt p = {};
	__u32 zero = 0;
	__u16 proto;
	__u64 now;
	int r;

	cfg = bpf_map_lookup_elem(&rlx_config, &zero);
	if (!cfg)
		return RELAIS_DROP_XDP_MALFORMED; /* unreachable: array map */
	r = parse_l2(&c, &proto);
	if (r != RELAIS_DROP_NONE)
		return r;
	if (proto == ETH_P_IP)
		r = parse_ip4(&c, &p);
	else if (proto == ETH_P_IPV6)
		r = parse_ip6(&c, &p, cfg);
	else if (proto == ETH_P_ARP)
		return arp_class(&c, cfg);
	else
		return CLASS_KERNEL; /* other non-IP protocols */
	if (r != RELAIS_DROP_NONE)
		return r;
	now = bpf_ktime_get_ns();
	r = check_acl(&p, cfg, now);
	if (r != RELAIS_DROP_NONE)
		return r;
	if (cfg->max_frame && len > cfg->max_frame)
		return RELAIS_DROP_OVERSIZED;
	if (p.frag)
		return RELAIS_DROP_IP_FRAGMENT;
	if (p.l4proto != IPPROTO_UDP)
		return RELAIS_DROP_NOT_UDP;
	r = parse_udp(&c, &p, cfg);
	if (r != RELAIS_DROP_NONE)
		return r;
	r = check_rate(&p, cfg, now, len);
	if (r != RELAIS_DROP_NONE)
		return r;
	return check_stun(&p, cfg, now);
}

/* The one entry point. */
SEC("xdp")
int relais_xdp(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	int r = classify(ctx, len);
	int act;

	if (r == CLASS_KERNEL) {
		count(&rlx_verdicts, XDP_VERDICT_PASS_KERNEL, len);
		return XDP_PASS;
	}
	if (r == CLASS_NEIGH) {
		/* Counted as classified: XDP_PASS when the queue has no socket. */
		count(&rlx_verdicts, XDP_VERDICT_NEIGH_XSK, len);
		return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
	}
	if (r != RELAIS_DROP_NONE) {
		count(&rlx_drops, (__u32)r, len);
		count(&rlx_verdicts, XDP_VERDICT_DROP, len);
		return XDP_DROP;
	}
	count(&rlx_drops, RELAIS_DROP_NONE, len);
	/* Falls back to XDP_PASS when the queue has no AF_XDP socket. */
	act = bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
	count(&rlx_verdicts, act == XDP_REDIRECT ? XDP_VERDICT_REDIRECT : XDP_VERDICT_REDIRECT_MISS,
	      len);
	return act;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
