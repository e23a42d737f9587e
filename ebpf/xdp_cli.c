/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * relais-xdp: command line over xdp_ctl. See `relais-xdp help` and docs/xdp.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xdp_ctl.h"
#include "xdp_guard.h"

#define NS 1000000000ull

static const char *const drop_names[] = {
#define NAME_(sfx, name, help) name,
    RELAIS_DROP_REASONS(NAME_)
#undef NAME_
};

static const char *const verdict_names[XDP_VERDICT_MAX] = {
    "pass_kernel", "redirect", "redirect_miss_pass", "drop", "neigh_to_xsk"};

/* Print usage. */
static void usage(FILE *f)
{
	fputs(
	    "usage: relais-xdp [-i IFACE | --pin-dir DIR] COMMAND [ARGS]\n"
	    "  attach IFACE [--skb]       load, attach, pin maps under " XDP_PIN_ROOT "/IFACE\n"
	    "  adopt IFACE                pin the maps of the program DPDK (xdp_prog=) attached\n"
	    "  detach IFACE               detach and remove the pins\n"
	    "  check-obj FILE             load FILE (e.g. relais_xdp.bpf.o) through the verifier\n"
	    "  ban PREFIX [--ttl S]       add to the blocklist (S seconds, default forever)\n"
	    "  unban PREFIX               remove from the blocklist\n"
	    "  allow PREFIX [--ttl S]     add to the allowlist\n"
	    "  disallow PREFIX            remove from the allowlist\n"
	    "  allowlist on|off           enforce the allowlist or not\n"
	    "  list                       show block and allow entries\n"
	    "  stats                      counters summed over CPUs\n"
	    "  rate --pps N --bps N [--burst N] [--burst-bytes N]\n"
	    "                             per-source limits (bps in bits/s; 0 = off)\n"
	    "  ports P[,P...] | ports none  media UDP destination ports\n"
	    "  media IPV4|- [IPV6]        dataplane addresses: their ARP/ND go to the XSK\n"
	    "  max-frame N                drop frames longer than N bytes (0 = off)\n"
	    "  guard [--ctl SOCK] [--interval-ms N] [--threshold N] [--window-ms N]\n"
	    "        [--ban-ttl S] [--duration S]\n"
	    "                             poll the dataplane's OFFENDERS, ban sources whose\n"
	    "                             auth/replay/unknown drops grew > threshold in window;\n"
	    "                             never a participant's address (protected)\n",
	    f);
	fprintf(f,
		"  stun-rate [--pps N] [--burst N] [--total-pps N] [--total-burst N]\n"
		"                             STUN/DTLS budget per source address+port (default\n"
		"                             %u/s, burst %u) and for the node (default 0 = off)\n"
		"  stun-rate off              stop enforcing the STUN/DTLS budget\n",
		XDP_STUN_PPS_DEFAULT, XDP_STUN_BURST_DEFAULT);
}

/* Parse an unsigned decimal; -EINVAL on junk. */
static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* Value of "--name V" in argv, or NULL. */
static const char *opt(int argc, char **argv, const char *name)
{
	for (int i = 0; i + 1 < argc && argv[i] != NULL; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return NULL;
}

/* True when the flag is present. */
static int flag(int argc, char **argv, const char *name)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

/* Give a filter never told its STUN/DTLS budget the default one, and say so. */
static int stun_default(struct xdp_ctl *c)
{
	int r = xdp_stun_rate_default(c);

	if (r == 1)
		printf("STUN/DTLS budget: %u/s, burst %u per source address+port (default)\n",
		       XDP_STUN_PPS_DEFAULT, XDP_STUN_BURST_DEFAULT);
	return r < 0 ? r : 0;
}

/* attach IFACE: load, attach, pin. */
static int cmd_attach(const char *ifname, const char *pin_dir, int skb)
{
	int ifindex = (int)if_nametoindex(ifname);
	struct xdp_ctl *c;
	int err;

	if (!ifindex) {
		fprintf(stderr, "relais-xdp: no interface %s\n", ifname);
		return -ENODEV;
	}
	c = xdp_ctl_load();
	if (!c)
		return -errno;
	err = stun_default(c);
	if (!err)
		err = xdp_ctl_pin(c, pin_dir);
	if (!err)
		err = xdp_ctl_attach(c, ifindex, skb);
	if (!err)
		printf("attached to %s, maps pinned under %s\n", ifname, pin_dir);
	xdp_ctl_close(c);
	return err;
}

/* adopt IFACE: pin maps of an already-attached program. */
static int cmd_adopt(const char *ifname, const char *pin_dir)
{
	int ifindex = (int)if_nametoindex(ifname);
	struct xdp_ctl *c = ifindex ? xdp_ctl_from_ifindex(ifindex) : NULL;
	int err;

	if (!c) {
		fprintf(stderr, "relais-xdp: no relais XDP program on %s\n", ifname);
		return -ENOENT;
	}
	err = xdp_ctl_pin(c, pin_dir);
	if (!err)
		printf("maps of the program on %s pinned under %s\n", ifname, pin_dir);
	if (!err)
		err = stun_default(c);
	xdp_ctl_close(c);
	return err;
}

/* detach IFACE. */
static int cmd_detach(const char *ifname, const char *pin_dir)
{
	int ifindex = (int)if_nametoindex(ifname);
	int err = ifindex ? xdp_ctl_detach(ifindex) : -ENODEV;

	if (err)
		fprintf(stderr, "relais-xdp: detach %s: %s\n", ifname, strerror(-err));
	xdp_ctl_unpin(pin_dir);
	return err;
}

/* Print one list entry. */
static int print_entry(const struct xdp_acl_entry *e, void *arg)
{
	uint64_t now = xdp_now_ns();
	char buf[INET6_ADDRSTRLEN + 8];

	xdp_prefix_format(&e->prefix, buf, sizeof(buf));
	if (!e->expires_ns)
		printf("%-6s %-44s never\n", (const char *)arg, buf);
	else if (e->expires_ns <= now)
		printf("%-6s %-44s expired\n", (const char *)arg, buf);
	else
		printf("%-6s %-44s %llus\n", (const char *)arg, buf,
		       (unsigned long long)((e->expires_ns - now + NS - 1) / NS));
	return 0;
}

/* stats: config and counters. */
static int cmd_stats(struct xdp_ctl *c)
{
	struct xdp_counter d[RELAIS_DROP_MAX], v[XDP_VERDICT_MAX];
	struct xdp_config cfg;
	int err = xdp_counters_read(c, d, v);

	if (err || (err = xdp_config_get(c, &cfg)))
		return err;
	printf("config: ports %s, allowlist %s, rate %s (pps %llu burst %llu, bytes/s %llu burst "
	       "%llu)\n",
	       cfg.flags & XDP_CFG_PORTS ? "on" : "off",
	       cfg.flags & XDP_CFG_ALLOWLIST ? "on" : "off",
	       cfg.flags & XDP_CFG_RATE ? "on" : "off", cfg.pkts_per_sec, cfg.burst_pkts,
	       cfg.bytes_per_sec, cfg.burst_bytes);
	printf("config: stun/dtls %s (per source address+port pps %llu burst %llu, node total pps "
	       "%llu burst %llu)\n",
	       cfg.flags & XDP_CFG_STUN ? "on" : "off", cfg.stun_pps, cfg.stun_burst,
	       cfg.stun_total_pps, cfg.stun_total_burst);
	for (int i = 0; i < XDP_VERDICT_MAX; i++)
		printf("verdict %-20s %12llu pkts %14llu bytes\n", verdict_names[i], v[i].pkts,
		       v[i].bytes);
	for (int i = 0; i < RELAIS_DROP_MAX; i++)
		if (d[i].pkts || i == RELAIS_DROP_NONE)
			printf("drop    %-20s %12llu pkts %14llu bytes%s\n", drop_names[i],
			       d[i].pkts, d[i].bytes,
			       i == RELAIS_DROP_NONE ? "  (media to dataplane)" : "");
	return 0;
}

/* ports P,P... | none */
static int cmd_ports(struct xdp_ctl *c, const char *list)
{
	uint16_t ports[XDP_PORTS_MAX];
	size_t n = 0;
	char buf[512], *save = NULL;

	if (strcmp(list, "none")) {
		snprintf(buf, sizeof(buf), "%s", list);
		for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			uint64_t p;

			if (n == XDP_PORTS_MAX || parse_u64(t, &p) || !p || p > 65535)
				return -EINVAL;
			ports[n++] = (uint16_t)p;
		}
	}
	return xdp_ports_set(c, ports, n);
}

/* rate --pps N --bps N --burst N --burst-bytes N */
static int cmd_rate(struct xdp_ctl *c, int argc, char **argv)
{
	uint64_t pps = 0, bps = 0, burst = 0, bburst = 0;
	const char *s;

	if (((s = opt(argc, argv, "--pps")) && parse_u64(s, &pps)) ||
	    ((s = opt(argc, argv, "--bps")) && parse_u64(s, &bps)) ||
	    ((s = opt(argc, argv, "--burst")) && parse_u64(s, &burst)) ||
	    ((s = opt(argc, argv, "--burst-bytes")) && parse_u64(s, &bburst)))
		return -EINVAL;
	return xdp_rate_set(c, pps, bps / 8, burst, bburst);
}

/* stun-rate [--pps N] [--burst N] [--total-pps N] [--total-burst N] | off:
 * a number not given takes its default (per source XDP_STUN_*_DEFAULT,
 * node total 0 = off). */
static int cmd_stun_rate(struct xdp_ctl *c, int argc, char **argv)
{
	uint64_t pps = XDP_STUN_PPS_DEFAULT, burst = XDP_STUN_BURST_DEFAULT, tpps = 0, tburst = 0;
	const char *s;

	if (argc >= 1 && !strcmp(argv[0], "off"))
		return xdp_stun_rate_off(c);
	if (((s = opt(argc, argv, "--pps")) && parse_u64(s, &pps)) ||
	    ((s = opt(argc, argv, "--burst")) && parse_u64(s, &burst)) ||
	    ((s = opt(argc, argv, "--total-pps")) && parse_u64(s, &tpps)) ||
	    ((s = opt(argc, argv, "--total-burst")) && parse_u64(s, &tburst)))
		return -EINVAL;
	return xdp_stun_rate_set(c, pps, burst, tpps, tburst);
}

/* ban/unban/allow/disallow PREFIX [--ttl S] */
static int cmd_acl(struct xdp_ctl *c, const char *cmd, int argc, char **argv)
{
	enum xdp_acl which =
	    !strcmp(cmd, "ban") || !strcmp(cmd, "unban") ? XDP_ACL_BLOCK : XDP_ACL_ALLOW;
	struct xdp_prefix p;
	uint64_t ttl = 0;
	const char *s = opt(argc, argv, "--ttl");

	if (argc < 1 || xdp_prefix_parse(argv[0], &p) || (s && parse_u64(s, &ttl))) {
		fprintf(stderr, "relais-xdp: bad prefix or --ttl\n");
		return -EINVAL;
	}
	if (!strcmp(cmd, "unban") || !strcmp(cmd, "disallow"))
		return xdp_acl_del(c, which, &p);
	return xdp_acl_add(c, which, &p, ttl * NS);
}

/* media IPV4|- [IPV6|-]: the dataplane's own addresses. */
static int cmd_media(struct xdp_ctl *c, int argc, char **argv)
{
	uint8_t a4[4], a6[16];
	const uint8_t *p4 = NULL, *p6 = NULL;

	for (int i = 0; i < argc && i < 2; i++) {
		if (!strcmp(argv[i], "-"))
			continue;
		if (inet_pton(AF_INET, argv[i], a4) == 1)
			p4 = a4;
		else if (inet_pton(AF_INET6, argv[i], a6) == 1)
			p6 = a6;
		else
			return -EINVAL;
	}
	return xdp_media_set(c, p4, p6);
}

static volatile sig_atomic_t guard_stop;

/* SIGINT/SIGTERM: end the guard loop. */
static void on_guard_signal(int sig)
{
	(void)sig;
	guard_stop = 1;
}

/* Guard settings from the command line; -EINVAL on junk. */
static int guard_opts(int argc, char **argv, struct xdp_guard_conf *gc, uint64_t *iv_ms,
		      uint64_t *dur_s)
{
	uint64_t ttl_s = 300;
	const char *s;

	*gc = (struct xdp_guard_conf){100, 10000, 0};
	*iv_ms = 1000;
	*dur_s = 0;
	if (((s = opt(argc, argv, "--interval-ms")) && parse_u64(s, iv_ms)) ||
	    ((s = opt(argc, argv, "--threshold")) && parse_u64(s, &gc->threshold)) ||
	    ((s = opt(argc, argv, "--window-ms")) && parse_u64(s, &gc->window_ms)) ||
	    ((s = opt(argc, argv, "--ban-ttl")) && parse_u64(s, &ttl_s)) ||
	    ((s = opt(argc, argv, "--duration")) && parse_u64(s, dur_s)) || !*iv_ms)
		return -EINVAL;
	gc->ban_ttl_ms = ttl_s * 1000;
	return 0;
}

/* guard: poll OFFENDERS every interval and feed xdp_guard_step(). */
static int cmd_guard(struct xdp_ctl *c, int argc, char **argv)
{
	const char *sock = opt(argc, argv, "--ctl");
	struct relais_ctl_msg m = {.type = RELAIS_CTL_OFFENDERS};
	struct relais_ctl_reply r;
	struct xdp_guard_counters cnt;
	struct xdp_guard_conf gc;
	uint64_t iv, dur, end;
	struct xdp_guard *g;
	int fd, err = guard_opts(argc, argv, &gc, &iv, &dur);

	if (err || !(g = xdp_guard_new(&gc)))
		return err ? err : -errno;
	fd = relais_ctl_connect(sock ? sock : RELAIS_CTL_DEFAULT_SOCK, "relais-xdp-guard");
	if (fd < 0) {
		fprintf(stderr, "relais-xdp: guard: cannot reach the dataplane at %s: %s\n",
			sock ? sock : RELAIS_CTL_DEFAULT_SOCK, strerror(-fd));
		xdp_guard_free(g);
		return fd;
	}
	signal(SIGINT, on_guard_signal);
	signal(SIGTERM, on_guard_signal);
	printf("guard: every %llu ms, ban > %llu offences in %llu ms for %llu s\n",
	       (unsigned long long)iv, (unsigned long long)gc.threshold,
	       (unsigned long long)gc.window_ms, (unsigned long long)gc.ban_ttl_ms / 1000);
	fflush(stdout);
	end = dur ? xdp_now_ns() + dur * NS : 0;
	while (!guard_stop && (!end || xdp_now_ns() < end)) {
		m.seq++;
		m.u.offenders.min_total = 1;
		err = relais_ctl_call(fd, &m, &r, 2000);
		if (err || r.status) {
			fprintf(stderr, "relais-xdp: guard: OFFENDERS failed: %s\n",
				err ? strerror(-err) : r.error);
			err = err ? err : r.status;
			break;
		}
		err =
		    xdp_guard_step(g, c, &r.u.offenders, xdp_now_ns(), xdp_guard_log_line, stdout);
		if (err < 0)
			fprintf(stderr, "relais-xdp: guard: blocklist: %s\n", strerror(-err));
		err = 0;
		usleep((useconds_t)(iv * 1000));
	}
	xdp_guard_counters(g, &cnt);
	printf("guard: %llu bans, %llu expiries, %llu declined (protected), %llu lifted\n",
	       (unsigned long long)cnt.bans, (unsigned long long)cnt.expiries,
	       (unsigned long long)cnt.declined, (unsigned long long)cnt.lifted);
	close(fd);
	xdp_guard_free(g);
	return err;
}

static char block_label[] = "block", allow_label[] = "allow";

/* Commands that work on an existing filter's maps. */
static int run_map_cmd(struct xdp_ctl *c, const char *cmd, int argc, char **argv)
{
	if (!strcmp(cmd, "ban") || !strcmp(cmd, "unban") || !strcmp(cmd, "allow") ||
	    !strcmp(cmd, "disallow"))
		return cmd_acl(c, cmd, argc, argv);
	if (!strcmp(cmd, "allowlist") && argc >= 1)
		return xdp_allowlist_enable(c, !strcmp(argv[0], "on"));
	if (!strcmp(cmd, "list")) {
		int err = xdp_acl_list(c, XDP_ACL_BLOCK, print_entry, block_label);

		return err ? err : xdp_acl_list(c, XDP_ACL_ALLOW, print_entry, allow_label);
	}
	if (!strcmp(cmd, "stats"))
		return cmd_stats(c);
	if (!strcmp(cmd, "rate"))
		return cmd_rate(c, argc, argv);
	if (!strcmp(cmd, "stun-rate"))
		return cmd_stun_rate(c, argc, argv);
	if (!strcmp(cmd, "ports") && argc >= 1)
		return cmd_ports(c, argv[0]);
	if (!strcmp(cmd, "media") && argc >= 1)
		return cmd_media(c, argc, argv);
	if (!strcmp(cmd, "max-frame") && argc >= 1) {
		uint64_t v;

		return parse_u64(argv[0], &v) || v > UINT32_MAX ? -EINVAL
								: xdp_max_frame_set(c, (uint32_t)v);
	}
	if (!strcmp(cmd, "guard"))
		return cmd_guard(c, argc, argv);
	usage(stderr);
	return -EINVAL;
}

/* Open the maps: pins of DIR, else the program attached to IFACE. */
static struct xdp_ctl *open_maps(const char *ifname, const char *pin_dir)
{
	struct xdp_ctl *c = xdp_ctl_from_pins(pin_dir);
	int ifindex;

	if (c || !ifname)
		return c;
	ifindex = (int)if_nametoindex(ifname);
	c = ifindex ? xdp_ctl_from_ifindex(ifindex) : NULL;
	if (c)
		fprintf(stderr, "relais-xdp: using the maps of the program attached to %s\n",
			ifname);
	return c;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *pin_dir = NULL, *cmd;
	char dir[256];
	int i = 1, err;
	struct xdp_ctl *c;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-i"))
			ifname = argv[i + 1];
		else if (!strcmp(argv[i], "--pin-dir"))
			pin_dir = argv[i + 1];
	}
	if (i >= argc || !strcmp(argv[i], "help") || !strcmp(argv[i], "--help")) {
		usage(i >= argc ? stderr : stdout);
		return i >= argc ? 2 : 0;
	}
	cmd = argv[i++];
	if (!strcmp(cmd, "check-obj")) {
		if (i >= argc) {
			usage(stderr);
			return 2;
		}
		err = xdp_ctl_check_obj(argv[i]);
		if (err == 0)
			printf("relais-xdp: %s loads and passes the verifier\n", argv[i]);
		return err ? 1 : 0;
	}
	if (!strcmp(cmd, "attach") || !strcmp(cmd, "detach") || !strcmp(cmd, "adopt")) {
		if (i >= argc) {
			usage(stderr);
			return 2;
		}
		ifname = argv[i++];
	}
	if (!pin_dir && ifname && !xdp_ctl_pin_dir(ifname, dir, sizeof(dir)))
		pin_dir = dir;
	if (!pin_dir) {
		fprintf(stderr, "relais-xdp: give -i IFACE or --pin-dir DIR\n");
		return 2;
	}
	if (!strcmp(cmd, "attach"))
		err = cmd_attach(ifname, pin_dir, flag(argc - i, argv + i, "--skb"));
	else if (!strcmp(cmd, "adopt"))
		err = cmd_adopt(ifname, pin_dir);
	else if (!strcmp(cmd, "detach"))
		err = cmd_detach(ifname, pin_dir);
	else if (!(c = open_maps(ifname, pin_dir)))
		err = -errno;
	else {
		err = run_map_cmd(c, cmd, argc - i, argv + i);
		xdp_ctl_close(c);
	}
	if (err)
		fprintf(stderr, "relais-xdp: %s: %s\n", cmd, strerror(-err));
	return err ? 1 : 0;
}
