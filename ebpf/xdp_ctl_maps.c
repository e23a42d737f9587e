/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xdp_ctl: map operations (block/allow lists, config, rates, ports,
 * counters). See xdp_ctl.h for each contract.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_ctl.h"

/* Clear the bits of addr beyond len. */
static void mask_prefix(uint8_t *addr, uint32_t len, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++) {
		uint32_t bit = (uint32_t)i * 8;

		if (bit >= len)
			addr[i] = 0;
		else if (len - bit < 8)
			addr[i] &= (uint8_t)(0xff << (8 - (len - bit)));
	}
}

/* Parse an address with optional /len. */
int xdp_prefix_parse(const char *s, struct xdp_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash, *end;
	unsigned long len;
	uint32_t max;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	p->len = max;
	if (slash) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || len > max)
			return -EINVAL;
		p->len = (uint32_t)len;
	}
	mask_prefix(p->addr, p->len, max / 8);
	return 0;
}

/* Format "addr/len". */
int xdp_prefix_format(const struct xdp_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
		return -errno;
	n = snprintf(buf, len, "%s/%u", a, p->len);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* CLOCK_MONOTONIC in ns, the clock of bpf_ktime_get_ns(). */
uint64_t xdp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Map fd and LPM key for a prefix; key must hold an xdp_lpm6_key. */
static int acl_key(const struct xdp_ctl *c, enum xdp_acl which, const struct xdp_prefix *p,
		   void *key)
{
	int v6 = p->family == AF_INET6;
	enum xdp_ctl_map m;

	if (p->family != AF_INET && !v6)
		return -EAFNOSUPPORT;
	if (which == XDP_ACL_BLOCK)
		m = v6 ? XDP_CTL_MAP_BLOCK6 : XDP_CTL_MAP_BLOCK4;
	else
		m = v6 ? XDP_CTL_MAP_ALLOW6 : XDP_CTL_MAP_ALLOW4;
	if (v6) {
		struct xdp_lpm6_key *k = key;

		k->prefixlen = p->len;
		memcpy(k->addr, p->addr, 16);
	} else {
		struct xdp_lpm4_key *k = key;

		k->prefixlen = p->len;
		memcpy(k->addr, p->addr, 4);
	}
	return xdp_ctl_map_fd(c, m);
}

/* Add or replace an entry with an expiry. */
int xdp_acl_add(struct xdp_ctl *c, enum xdp_acl which, const struct xdp_prefix *p, uint64_t ttl_ns)
{
	struct xdp_lpm6_key key = {0};
	struct xdp_prefix_val val = {.expires_ns = ttl_ns ? xdp_now_ns() + ttl_ns : 0};
	int fd = acl_key(c, which, p, &key);

	if (fd < 0)
		return fd == -1 ? -EBADF : fd;
	return bpf_map_update_elem(fd, &key, &val, BPF_ANY) ? -errno : 0;
}

/* Remove an entry. */
int xdp_acl_del(struct xdp_ctl *c, enum xdp_acl which, const struct xdp_prefix *p)
{
	struct xdp_lpm6_key key = {0};
	int fd = acl_key(c, which, p, &key);

	if (fd < 0)
		return fd == -1 ? -EBADF : fd;
	return bpf_map_delete_elem(fd, &key) ? -errno : 0;
}

/* Walk one LPM trie. */
static int acl_walk(int fd, int family, xdp_acl_cb cb, void *arg)
{
	struct xdp_lpm6_key key, next;
	struct xdp_acl_entry e;
	struct xdp_prefix_val val;
	void *prev = NULL;
	int r;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		memset(&e, 0, sizeof(e));
		e.prefix.family = family;
		e.prefix.len = next.prefixlen;
		memcpy(e.prefix.addr, next.addr, family == AF_INET ? 4 : 16);
		if (!bpf_map_lookup_elem(fd, &next, &val)) {
			e.expires_ns = val.expires_ns;
			r = cb(&e, arg);
			if (r)
				return r;
		}
		key = next;
		prev = &key;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* List entries, IPv4 then IPv6. */
int xdp_acl_list(struct xdp_ctl *c, enum xdp_acl which, xdp_acl_cb cb, void *arg)
{
	int v4 = which == XDP_ACL_BLOCK ? XDP_CTL_MAP_BLOCK4 : XDP_CTL_MAP_ALLOW4;
	int v6 = which == XDP_ACL_BLOCK ? XDP_CTL_MAP_BLOCK6 : XDP_CTL_MAP_ALLOW6;
	int r = acl_walk(xdp_ctl_map_fd(c, v4), AF_INET, cb, arg);

	return r ? r : acl_walk(xdp_ctl_map_fd(c, v6), AF_INET6, cb, arg);
}

/* Read the config. */
int xdp_config_get(struct xdp_ctl *c, struct xdp_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(xdp_ctl_map_fd(c, XDP_CTL_MAP_CONFIG), &zero, cfg) ? -errno : 0;
}

/* Write the config. */
int xdp_config_set(struct xdp_ctl *c, const struct xdp_config *cfg)
{
	__u32 zero = 0;

	if (cfg->pkts_per_sec > XDP_RATE_MAX || cfg->bytes_per_sec > XDP_RATE_MAX ||
	    cfg->stun_pps > XDP_RATE_MAX || cfg->stun_total_pps > XDP_RATE_MAX)
		return -ERANGE;
	return bpf_map_update_elem(xdp_ctl_map_fd(c, XDP_CTL_MAP_CONFIG), &zero, cfg, BPF_ANY)
		   ? -errno
		   : 0;
}

/* Set rates and the XDP_CFG_RATE flag. */
int xdp_rate_set(struct xdp_ctl *c, uint64_t pps, uint64_t bytes_ps, uint64_t burst_pkts,
		 uint64_t burst_bytes)
{
	struct xdp_config cfg;
	int err = xdp_config_get(c, &cfg);

	if (err)
		return err;
	cfg.pkts_per_sec = pps;
	cfg.bytes_per_sec = bytes_ps;
	cfg.burst_pkts = burst_pkts;
	cfg.burst_bytes = burst_bytes;
	if (pps || bytes_ps)
		cfg.flags |= XDP_CFG_RATE;
	else
		cfg.flags &= ~XDP_CFG_RATE;
	return xdp_config_set(c, &cfg);
}

/* Set the STUN/DTLS budgets and the XDP_CFG_STUN flag. */
int xdp_stun_rate_set(struct xdp_ctl *c, uint64_t pps, uint64_t burst, uint64_t total_pps,
		      uint64_t total_burst)
{
	struct xdp_config cfg;
	int err = xdp_config_get(c, &cfg);

	if (err)
		return err;
	cfg.stun_pps = pps;
	cfg.stun_burst = burst;
	cfg.stun_total_pps = total_pps;
	cfg.stun_total_burst = total_burst;
	if (pps || total_pps)
		cfg.flags |= XDP_CFG_STUN;
	else
		cfg.flags &= ~XDP_CFG_STUN;
	return xdp_config_set(c, &cfg);
}

/* Clear XDP_CFG_STUN, keep the numbers. */
int xdp_stun_rate_off(struct xdp_ctl *c)
{
	struct xdp_config cfg;
	int err = xdp_config_get(c, &cfg);

	if (err)
		return err;
	cfg.flags &= ~XDP_CFG_STUN;
	return xdp_config_set(c, &cfg);
}

/* Defaults on a never-configured STUN/DTLS budget. */
int xdp_stun_rate_default(struct xdp_ctl *c)
{
	struct xdp_config cfg;
	int err = xdp_config_get(c, &cfg);

	if (err)
		return err;
	if ((cfg.flags & XDP_CFG_STUN) || cfg.stun_pps || cfg.stun_burst || cfg.stun_total_pps ||
	    cfg.stun_total_burst)
		return 0;
	err = xdp_stun_rate_set(c, XDP_STUN_PPS_DEFAULT, XDP_STUN_BURST_DEFAULT, 0, 0);
	return err ? err : 1;
}

/* Set the media addresses and their flags. */
int xdp_media_set(struct xdp_ctl *c, const uint8_t *ip4, const uint8_t *ip6)
{
	struct xdp_config cfg;
	int err = xdp_config_get(c, &cfg);

	if (err)
		return err;
	cfg.flags &= ~(XDP_CFG_MEDIA4 | XDP_CFG_MEDIA6);
	memset(cfg.media4, 0, sizeof(cfg.media4));
	memset(cfg.media6, 0, sizeof(cfg.media6));
	if (ip4) {
		memcpy(cfg.media4, ip4, 4);
		cfg.flags |= XDP_CFG_MEDIA4;
	}
	if (ip6) {
		memcpy(cfg.media6, ip6, 16);
		cfg.flags |= XDP_CFG_MEDIA6;
	}
	return xdp_config_set(c, &cfg);
}

/* Set the frame size limit. */
int xdp_max_frame_set(struct xdp_ctl *c, uint32_t max_frame)
{
	struct xdp_config cfg;
	int err = xdp_config_get(c, &cfg);

	if (err)
		return err;
	cfg.max_frame = max_frame;
	return xdp_config_set(c, &cfg);
}

/* Turn the allowlist on or off. */
int xdp_allowlist_enable(struct xdp_ctl *c, int on)
{
	struct xdp_config cfg;
	int err = xdp_config_get(c, &cfg);

	if (err)
		return err;
	cfg.flags = on ? cfg.flags | XDP_CFG_ALLOWLIST : cfg.flags & ~XDP_CFG_ALLOWLIST;
	return xdp_config_set(c, &cfg);
}

/* The rlx_flows key of (family, ip, port in host order). */
static struct xdp_stun_key flow_key(int family, const uint8_t *ip, uint16_t port)
{
	struct xdp_stun_key k = {.port = htons(port)};

	if (family == AF_INET) {
		k.addr[10] = k.addr[11] = 0xff;
		memcpy(&k.addr[12], ip, 4);
	} else {
		memcpy(k.addr, ip, 16);
	}
	return k;
}

/* See xdp_ctl.h. A zeroed bucket is full at its flow's first packet. */
int xdp_flow_add(struct xdp_ctl *c, int family, const uint8_t *ip, uint16_t port)
{
	struct xdp_stun_key k = flow_key(family, ip, port);
	struct xdp_bucket fresh = {0};

	if (bpf_map_update_elem(xdp_ctl_map_fd(c, XDP_CTL_MAP_FLOWS), &k, &fresh, BPF_NOEXIST))
		return errno == EEXIST ? 0 : -errno;
	return 0;
}

/* See xdp_ctl.h. */
int xdp_flow_del(struct xdp_ctl *c, int family, const uint8_t *ip, uint16_t port)
{
	struct xdp_stun_key k = flow_key(family, ip, port);

	return bpf_map_delete_elem(xdp_ctl_map_fd(c, XDP_CTL_MAP_FLOWS), &k) ? -errno : 0;
}

/* See xdp_ctl.h. The next key is fetched before the current one goes, so
 * that a deletion never restarts the walk. */
int xdp_flow_prune(struct xdp_ctl *c, xdp_flow_keep_cb keep, void *arg)
{
	static const uint8_t v4mapped[12] = {[10] = 0xff, [11] = 0xff};
	int fd = xdp_ctl_map_fd(c, XDP_CTL_MAP_FLOWS), n = 0, more;
	struct xdp_stun_key cur, next;

	more = !bpf_map_get_next_key(fd, NULL, &cur);
	while (more) {
		int v4 = !memcmp(cur.addr, v4mapped, sizeof(v4mapped));

		more = !bpf_map_get_next_key(fd, &cur, &next);
		if (!keep(v4 ? AF_INET : AF_INET6, v4 ? &cur.addr[12] : cur.addr, ntohs(cur.port),
			  arg) &&
		    !bpf_map_delete_elem(fd, &cur))
			n++;
		cur = next;
	}
	return n;
}

/* Replace the port set. Ports are added before stale ones are removed so
 * that a port in both sets is never briefly missing. */
int xdp_ports_set(struct xdp_ctl *c, const uint16_t *ports, size_t n)
{
	int fd = xdp_ctl_map_fd(c, XDP_CTL_MAP_PORTS);
	struct xdp_port_val on = {.enabled = 1};
	struct xdp_config cfg;
	__u16 key, next, *prev = NULL, stale[XDP_PORTS_MAX];
	size_t nstale = 0;
	int err;

	if (n > XDP_PORTS_MAX)
		return -E2BIG;
	for (size_t i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, &ports[i], &on, BPF_ANY))
			return -errno;
	while (!bpf_map_get_next_key(fd, prev, &next) && nstale < XDP_PORTS_MAX) {
		int keep = 0;

		for (size_t i = 0; i < n; i++)
			keep |= ports[i] == next;
		if (!keep)
			stale[nstale++] = next;
		key = next;
		prev = &key;
	}
	for (size_t i = 0; i < nstale; i++)
		bpf_map_delete_elem(fd, &stale[i]);
	err = xdp_config_get(c, &cfg);
	if (err)
		return err;
	cfg.flags = n ? cfg.flags | XDP_CFG_PORTS : cfg.flags & ~XDP_CFG_PORTS;
	return xdp_config_set(c, &cfg);
}

/* Sum one per-CPU counter array. */
static int sum_percpu(int fd, __u32 n, struct xdp_counter *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xdp_counter *v;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (__u32 i = 0; i < n; i++) {
		out[i].pkts = out[i].bytes = 0;
		if (bpf_map_lookup_elem(fd, &i, v)) {
			int err = -errno;

			free(v);
			return err;
		}
		for (int cpu = 0; cpu < ncpu; cpu++) {
			out[i].pkts += v[cpu].pkts;
			out[i].bytes += v[cpu].bytes;
		}
	}
	free(v);
	return 0;
}

/* Read both counter maps. */
int xdp_counters_read(struct xdp_ctl *c, struct xdp_counter *drops, struct xdp_counter *verdicts)
{
	int err = 0;

	if (drops)
		err = sum_percpu(xdp_ctl_map_fd(c, XDP_CTL_MAP_DROPS), RELAIS_DROP_MAX, drops);
	if (!err && verdicts)
		err =
		    sum_percpu(xdp_ctl_map_fd(c, XDP_CTL_MAP_VERDICTS), XDP_VERDICT_MAX, verdicts);
	return err;
}
