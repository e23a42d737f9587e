/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xdp_ctl: user-space control of the relais XDP filter (relais_xdp.bpf.c).
 *
 * Three ways to get a handle:
 *   xdp_ctl_load()        load the embedded skeleton (tests, relais-xdp attach);
 *   xdp_ctl_from_pins()   open maps pinned earlier under a bpffs directory;
 *   xdp_ctl_from_ifindex() find the maps of the program attached to a device,
 *                         e.g. the one DPDK's net_af_xdp loaded via xdp_prog=.
 * Int functions return 0 or -errno; constructors return NULL and set errno.
 * Errors are explained on stderr once, where they happen.
 */
#ifndef RELAIS_XDP_CTL_H
#define RELAIS_XDP_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "relais_xdp.h"

#define XDP_PIN_ROOT "/sys/fs/bpf/relais"

enum xdp_ctl_map {
	XDP_CTL_MAP_XSKS,
	XDP_CTL_MAP_CONFIG,
	XDP_CTL_MAP_BLOCK4,
	XDP_CTL_MAP_BLOCK6,
	XDP_CTL_MAP_ALLOW4,
	XDP_CTL_MAP_ALLOW6,
	XDP_CTL_MAP_PORTS,
	XDP_CTL_MAP_BUCKETS,
	XDP_CTL_MAP_DROPS,
	XDP_CTL_MAP_VERDICTS,
	XDP_CTL_MAP_STUN,
	XDP_CTL_MAP_STUN_TOTAL,
	XDP_CTL_MAP_FLOWS,
	XDP_CTL_MAP_COUNT
};

enum xdp_acl {
	XDP_ACL_BLOCK,
	XDP_ACL_ALLOW
};

/* An address prefix, IPv4 (family AF_INET, addr[0..3]) or IPv6. */
struct xdp_prefix {
	int family;
	uint32_t len;
	uint8_t addr[16];
};

/* One list entry as returned by xdp_acl_list(). */
struct xdp_acl_entry {
	struct xdp_prefix prefix;
	uint64_t expires_ns; /* CLOCK_MONOTONIC ns; 0 = never */
};

struct xdp_ctl;

typedef int (*xdp_acl_cb)(const struct xdp_acl_entry *e, void *arg);

/* Map name as created by the BPF object and used as pin file name. */
const char *xdp_ctl_map_name(enum xdp_ctl_map m);

/* Load the embedded program and its maps (not attached). NULL + errno;
 * on verifier rejection the tail of the verifier log goes to stderr. */
struct xdp_ctl *xdp_ctl_load(void);

/* Open a BPF object file (e.g. the relais_xdp.bpf.o handed to the AF_XDP
 * PMD's xdp_prog=) and load every program in it into the kernel, then
 * unload it: tells whether the object passes this kernel's verifier before
 * it is deployed. 0, or -errno after printing why (the verifier log tail
 * for a rejection, the missing privilege for EPERM). */
int xdp_ctl_check_obj(const char *path);

/* Open the maps pinned under dir (see xdp_ctl_pin). NULL + errno. */
struct xdp_ctl *xdp_ctl_from_pins(const char *dir);

/* Find the maps of the relais program attached (any mode, or inside a
 * libxdp dispatcher) to ifindex via its map ids. NULL + errno (ENOENT when
 * no relais program is attached). */
struct xdp_ctl *xdp_ctl_from_ifindex(int ifindex);

/* Release fds and the skeleton; attached programs stay attached. */
void xdp_ctl_close(struct xdp_ctl *c);

/* Program fd (-1 when the handle was opened from pins). */
int xdp_ctl_prog_fd(const struct xdp_ctl *c);

/* Map fd, or -1. */
int xdp_ctl_map_fd(const struct xdp_ctl *c, enum xdp_ctl_map m);

/* Attach the loaded program to ifindex: libxdp (coexists with other XDP
 * programs) when built with it, else bpf_xdp_attach; skb_mode forces generic
 * XDP. Stays attached after the process exits. */
int xdp_ctl_attach(struct xdp_ctl *c, int ifindex, int skb_mode);

/* Detach whatever relais program is attached to ifindex. */
int xdp_ctl_detach(int ifindex);

/* Default pin directory XDP_PIN_ROOT/<ifname> into buf. */
int xdp_ctl_pin_dir(const char *ifname, char *buf, size_t len);

/* Pin every map (except xsks_map) by name under dir, creating it; replaces
 * stale pins. -ENODEV with a "mount -t bpf" hint when bpffs is absent. */
int xdp_ctl_pin(struct xdp_ctl *c, const char *dir);

/* Remove the pins made by xdp_ctl_pin and the directory if empty. */
int xdp_ctl_unpin(const char *dir);

/* Parse "a.b.c.d[/n]" or "v6addr[/n]"; host bits are cleared. */
int xdp_prefix_parse(const char *s, struct xdp_prefix *p);

/* Format a prefix as text into buf (INET6_ADDRSTRLEN + 4 suffices). */
int xdp_prefix_format(const struct xdp_prefix *p, char *buf, size_t len);

/* Current bpf_ktime_get_ns() clock (CLOCK_MONOTONIC) in ns. */
uint64_t xdp_now_ns(void);

/* Add or replace a block/allow entry; ttl_ns 0 = never expires. */
int xdp_acl_add(struct xdp_ctl *c, enum xdp_acl which, const struct xdp_prefix *p, uint64_t ttl_ns);

/* Remove an entry; -ENOENT when absent. */
int xdp_acl_del(struct xdp_ctl *c, enum xdp_acl which, const struct xdp_prefix *p);

/* Call cb for every entry (IPv4 then IPv6); stops at a non-zero cb result
 * and returns it. */
int xdp_acl_list(struct xdp_ctl *c, enum xdp_acl which, xdp_acl_cb cb, void *arg);

/* Read / write the run-time config (element 0 of rlx_config). */
int xdp_config_get(struct xdp_ctl *c, struct xdp_config *cfg);
int xdp_config_set(struct xdp_ctl *c, const struct xdp_config *cfg);

/* Set the per-source rates (0 disables that bucket; bursts 0 = one second
 * of rate) and turn XDP_CFG_RATE on when any rate is non-zero. */
int xdp_rate_set(struct xdp_ctl *c, uint64_t pps, uint64_t bytes_ps, uint64_t burst_pkts,
		 uint64_t burst_bytes);

/* The STUN/DTLS budgets (relais_xdp.h): per source address+port and for the
 * node, each 0 = off, bursts 0 = one second of rate. XDP_CFG_STUN is turned
 * on when either rate is non-zero, off otherwise. -ERANGE above
 * XDP_RATE_MAX. */
int xdp_stun_rate_set(struct xdp_ctl *c, uint64_t pps, uint64_t burst, uint64_t total_pps,
		      uint64_t total_burst);

/* Stop enforcing the STUN/DTLS budgets; their numbers stay in the config. */
int xdp_stun_rate_off(struct xdp_ctl *c);

/* Give a filter whose STUN/DTLS budget was never configured (flag off and
 * every number 0, as after load) the defaults XDP_STUN_PPS_DEFAULT and
 * XDP_STUN_BURST_DEFAULT. 1 when applied, 0 when left alone, or -errno. */
int xdp_stun_rate_default(struct xdp_ctl *c);

/* A participant's flow (relais_xdp.h, rlx_flows): the packets from exactly
 * ip (family AF_INET: ip[0..3]) and UDP port (host order) get packet and
 * byte buckets of their own. Adding a flow already there keeps its bucket
 * (0); -E2BIG when the map is full. Deleting an absent flow: -ENOENT. */
int xdp_flow_add(struct xdp_ctl *c, int family, const uint8_t *ip, uint16_t port);
int xdp_flow_del(struct xdp_ctl *c, int family, const uint8_t *ip, uint16_t port);

typedef int (*xdp_flow_keep_cb)(int family, const uint8_t *ip, uint16_t port, void *arg);

/* Delete every flow for which keep() returns 0 (a writer that starts anew
 * forgets the flows of its predecessor). The number deleted, or -errno. */
int xdp_flow_prune(struct xdp_ctl *c, xdp_flow_keep_cb keep, void *arg);

/* Replace the media port set; n == 0 clears it and turns XDP_CFG_PORTS off. */
int xdp_ports_set(struct xdp_ctl *c, const uint16_t *ports, size_t n);

/* Set the dataplane's media addresses (network order; NULL = none of that
 * family): ARP/NS/NA for them go to the AF_XDP socket, see relais_xdp.h. */
int xdp_media_set(struct xdp_ctl *c, const uint8_t *ip4, const uint8_t *ip6);

/* Drop frames longer than max_frame bytes as oversized (0 = no limit). */
int xdp_max_frame_set(struct xdp_ctl *c, uint32_t max_frame);

/* Turn the allowlist on or off. */
int xdp_allowlist_enable(struct xdp_ctl *c, int on);

/* Counters summed over CPUs: drops[RELAIS_DROP_MAX], verdicts[XDP_VERDICT_MAX]. */
int xdp_counters_read(struct xdp_ctl *c, struct xdp_counter *drops, struct xdp_counter *verdicts);

#endif /* RELAIS_XDP_CTL_H */
