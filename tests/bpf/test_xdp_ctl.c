/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xdp_ctl against the kernel, two modes:
 *   test_xdp_ctl attach  in a private network namespace (unshare, dies with
 *       the process): attach in generic mode to its lo, find the maps again
 *       from the ifindex (the DPDK xdp_prog= path), send real UDP through
 *       lo, ban the sender, detach. Also checks the bpffs error message.
 *   test_xdp_ctl pin  pin the maps under /sys/fs/bpf and reopen them; exits
 *       77 (skip) and says so when /sys/fs/bpf is not a bpffs.
 *   test_xdp_ctl guard  the ban loop's decisions (xdp_guard) on OFFENDERS
 *       snapshots, against the blocklist of a loaded (unattached) filter.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_ctl.h"
#include "xdp_guard.h"

#define CHECK_MAIN
#include "check.h"

/* Bring lo up in the current namespace. */
static int lo_up(void)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			err = -errno;
	} else {
		err = -errno;
	}
	close(s);
	return err;
}

/* Send one RTP-looking datagram to 127.0.0.1:5000 and report whether the
 * receiving socket got it within 300 ms. */
static int send_and_recv(int rx)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(5000)};
	uint8_t pkt[172] = {0x80, 96}, buf[256];
	int tx = socket(AF_INET, SOCK_DGRAM, 0);
	ssize_t n;

	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	sendto(tx, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to));
	close(tx);
	n = recv(rx, buf, sizeof(buf), 0);
	return n == (ssize_t)sizeof(pkt);
}

/* Receiving socket on 127.0.0.1:5000 with a 300 ms timeout. */
static int open_rx(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(5000)};
	struct timeval tv = {.tv_usec = 300000};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(s, (struct sockaddr *)&a, sizeof(a))) {
		close(s);
		return -1;
	}
	return s;
}

/* Traffic checks through the adopted handle. */
static void check_traffic(struct xdp_ctl *found)
{
	struct xdp_counter d[RELAIS_DROP_MAX], v[XDP_VERDICT_MAX];
	struct xdp_prefix p;
	int rx = open_rx();

	CHECKF(rx >= 0, "bind 127.0.0.1:5000");
	CHECKF(send_and_recv(rx), "media datagram passes (no AF_XDP socket: XDP_PASS)");
	CHECKF(!xdp_counters_read(found, d, v), "read counters");
	CHECKF(d[RELAIS_DROP_NONE].pkts == 1, "one media packet counted, got %llu",
	       (unsigned long long)d[RELAIS_DROP_NONE].pkts);
	CHECKF(v[XDP_VERDICT_REDIRECT_MISS].pkts == 1, "one redirect miss");
	xdp_prefix_parse("127.0.0.0/8", &p);
	CHECKF(!xdp_acl_add(found, XDP_ACL_BLOCK, &p, 0), "ban 127/8");
	CHECKF(!send_and_recv(rx), "banned sender's datagram dropped");
	CHECKF(!xdp_counters_read(found, d, v), "read counters");
	CHECKF(d[RELAIS_DROP_XDP_BLOCKLIST].pkts == 1, "one blocklist drop, got %llu",
	       (unsigned long long)d[RELAIS_DROP_XDP_BLOCKLIST].pkts);
	CHECKF(!xdp_acl_del(found, XDP_ACL_BLOCK, &p), "unban");
	CHECKF(send_and_recv(rx), "unbanned sender passes again");
	close(rx);
}

/* attach / from_ifindex / traffic / detach in a private netns. */
static int test_attach(void)
{
	struct xdp_ctl *c, *found;
	__u32 id = 0;
	int ifindex;

	/* Private mounts too: libxdp mounts a bpffs when it finds none, and
	 * that mount must not outlive the test. */
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		fprintf(stderr, "SKIP: cannot make private net/mount namespaces: %s\n",
			strerror(errno));
		return 77;
	}
	CHECKF(!lo_up(), "lo up");
	ifindex = (int)if_nametoindex("lo");
	c = xdp_ctl_load();
	if (!c)
		return 1;
	CHECKF(xdp_ctl_pin(c, "/tmp/relais-xdp-not-bpffs") == -ENODEV,
	       "pin outside bpffs says -ENODEV (with mount hint on stderr)");
	CHECKF(!xdp_ctl_attach(c, ifindex, 1), "attach generic to lo");
	xdp_ctl_close(c); /* stays attached */
	found = xdp_ctl_from_ifindex(ifindex);
	CHECKF(found != NULL, "maps found from the ifindex: %s", strerror(errno));
	if (found) {
		for (int m = XDP_CTL_MAP_XSKS; m < XDP_CTL_MAP_COUNT; m++)
			CHECKF(xdp_ctl_map_fd(found, m) >= 0, "map %s found", xdp_ctl_map_name(m));
		check_traffic(found);
		xdp_ctl_close(found);
	}
	CHECKF(!xdp_ctl_detach(ifindex), "detach");
	bpf_xdp_query_id(ifindex, XDP_FLAGS_SKB_MODE, &id);
	CHECKF(id == 0, "no program left on lo (id %u)", id);
	CHECKF(xdp_ctl_from_ifindex(ifindex) == NULL && errno == ENOENT,
	       "from_ifindex after detach: ENOENT");
	return 0;
}

/* Pin, reopen from pins, config round trip, unpin. */
static int test_pin(void)
{
	struct statfs st;
	struct xdp_config cfg = {.flags = XDP_CFG_PORTS, .pkts_per_sec = 7}, back;
	struct xdp_ctl *c, *p;
	char dir[128];

	if (statfs("/sys/fs/bpf", &st) || st.f_type != BPF_FS_MAGIC) {
		fprintf(stderr, "SKIP (not a pass): /sys/fs/bpf is not a BPF filesystem; the "
				"pinning test needs it: mount -t bpf bpf /sys/fs/bpf\n");
		return 77;
	}
	snprintf(dir, sizeof(dir), "/sys/fs/bpf/relais-test-%d/lo", (int)getpid());
	c = xdp_ctl_load();
	if (!c)
		return 1;
	CHECKF(!xdp_ctl_pin(c, dir), "pin under %s", dir);
	CHECKF(!xdp_config_set(c, &cfg), "config set");
	p = xdp_ctl_from_pins(dir);
	CHECKF(p != NULL, "open pins");
	if (p) {
		CHECKF(!xdp_config_get(p, &back) && back.flags == cfg.flags &&
			   back.pkts_per_sec == 7,
		       "config seen through pins");
		xdp_ctl_close(p);
	}
	CHECKF(!xdp_ctl_unpin(dir), "unpin");
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	xdp_ctl_close(c);
	return 0;
}

/* An OFFENDERS snapshot: n sources 10.9.0.<last[i]> with auth_fail[i]
 * offences each, out of n_tracked sources the dataplane tracks. */
static void snap_fill(struct relais_ctl_offenders *s, unsigned n, const uint8_t *last,
		      const uint64_t *auth_fail, uint32_t n_tracked)
{
	memset(s, 0, sizeof(*s));
	s->count = (uint8_t)n;
	s->n_tracked = n_tracked;
	for (unsigned i = 0; i < n; i++) {
		s->rec[i].addr.family = 4;
		s->rec[i].addr.ip[0] = 10;
		s->rec[i].addr.ip[1] = 9;
		s->rec[i].addr.ip[3] = last[i];
		s->rec[i].auth_fail = auth_fail[i];
	}
}

/* xdp_acl_list callback: count entries. */
static int count_acl(const struct xdp_acl_entry *e, void *arg)
{
	(void)e;
	++*(unsigned *)arg;
	return 0;
}

static unsigned blocked(struct xdp_ctl *c)
{
	unsigned n = 0;

	xdp_acl_list(c, XDP_ACL_BLOCK, count_acl, &n);
	return n;
}

/* The guard counts a source absent from the previous complete snapshot
 * from zero (a burst between two polls is banned at once), and does not
 * when the previous snapshot was partial or at its first snapshot (the
 * totals may be old). Threshold 100 in 2 s. */
static int test_guard(void)
{
	struct xdp_guard_conf gc = {.threshold = 100, .window_ms = 2000, .ban_ttl_ms = 60000};
	static const uint8_t ab[] = {1, 2}, a[] = {1};
	static const uint64_t old[] = {500}, quiet[] = {5}, quiet_burst[] = {5, 300};
	struct relais_ctl_offenders s;
	struct xdp_ctl *c = xdp_ctl_load();
	struct xdp_guard *g = c ? xdp_guard_new(&gc) : NULL;
	uint64_t t = 1000000000ull;

	CHECKF(g != NULL, "guard over a loaded filter");
	if (!g)
		return 1;
	snap_fill(&s, 1, a, old, 1);
	CHECKF(xdp_guard_step(g, c, &s, t, NULL, NULL) == 0 && blocked(c) == 0,
	       "first snapshot: 500 old offences are no burst");
	snap_fill(&s, 2, ab, quiet_burst, 2);
	CHECKF(xdp_guard_step(g, c, &s, t + 500000000ull, NULL, NULL) == 1 && blocked(c) == 1,
	       "new source with 300 offences after a complete snapshot: banned");
	xdp_guard_free(g);
	xdp_ctl_close(c);

	c = xdp_ctl_load();
	g = c ? xdp_guard_new(&gc) : NULL;
	CHECKF(g != NULL, "second guard");
	if (!g)
		return 1;
	snap_fill(&s, 1, a, quiet, 40); /* 39 sources left out: partial */
	CHECKF(xdp_guard_step(g, c, &s, t, NULL, NULL) == 0, "partial snapshot");
	snap_fill(&s, 2, ab, quiet_burst, 40);
	CHECKF(xdp_guard_step(g, c, &s, t + 500000000ull, NULL, NULL) == 0 && blocked(c) == 0,
	       "new source after a partial snapshot: no baseline, not banned yet");
	xdp_guard_free(g);
	xdp_ctl_close(c);
	return 0;
}

/* xdp_guard log callback: count the events by kind. */
static void count_events(const struct xdp_guard_report *r, void *arg)
{
	((unsigned *)arg)[r->event]++;
}

/* A source marked protected (a participant's address, now or within the
 * dataplane's grace) is never banned however fast its offences grow: the
 * guard declines, reports it once per ban period and counts it. The same
 * growth from an unprotected source is banned at the same step as before.
 * A ban of the guard's own on a source that becomes protected is lifted.
 * Threshold 100 in 2 s, bans of 60 s. */
static int test_guard_protect(void)
{
	struct xdp_guard_conf gc = {.threshold = 100, .window_ms = 2000, .ban_ttl_ms = 60000};
	static const uint8_t srcs[] = {1, 2, 3};
	uint64_t cnt[3] = {0, 0, 0}, t = 1000000000ull, step = 500000000ull;
	struct xdp_guard_counters gcnt;
	struct relais_ctl_offenders s;
	struct xdp_ctl *c = xdp_ctl_load();
	struct xdp_guard *g = c ? xdp_guard_new(&gc) : NULL;
	unsigned ev[4] = {0};
	int bans;

	CHECKF(g != NULL, "guard over a loaded filter");
	if (!g)
		return 1;
	/* 10.9.0.1 a participant's, .2 a former participant's, .3 nobody's;
	 * each grows by 300 offences per step. */
	for (unsigned i = 0; i < 6; i++, t += step) {
		snap_fill(&s, 3, srcs, cnt, 3);
		s.rec[0].protect = RELAIS_PROTECT_PARTICIPANT;
		s.rec[1].protect = RELAIS_PROTECT_FORMER;
		bans = xdp_guard_step(g, c, &s, t, count_events, ev);
		CHECKF(bans == (i == 1), "step %u: %d bans", i, bans);
		for (unsigned k = 0; k < 3; k++)
			cnt[k] += 300;
	}
	xdp_guard_counters(g, &gcnt);
	CHECKF(blocked(c) == 1, "only the unprotected source is in the blocklist (%u)", blocked(c));
	CHECKF(gcnt.bans == 1 && ev[XDP_GUARD_BAN] == 1, "one ban (%llu)",
	       (unsigned long long)gcnt.bans);
	CHECKF(gcnt.declined == 2 && ev[XDP_GUARD_DECLINE] == 2,
	       "two declines, one per protected source in the ban period (%llu, %u reported)",
	       (unsigned long long)gcnt.declined, ev[XDP_GUARD_DECLINE]);
	/* Past the ban period the next decline is reported again. */
	t += 60000000000ull;
	snap_fill(&s, 1, srcs, cnt, 1);
	s.rec[0].protect = RELAIS_PROTECT_PARTICIPANT;
	xdp_guard_step(g, c, &s, t, count_events, ev);
	cnt[0] += 300;
	snap_fill(&s, 1, srcs, cnt, 1);
	s.rec[0].protect = RELAIS_PROTECT_PARTICIPANT;
	xdp_guard_step(g, c, &s, t + step, count_events, ev);
	xdp_guard_counters(g, &gcnt);
	CHECKF(gcnt.declined == 3 && blocked(c) == 0,
	       "a new ban period: declined again (%llu), nothing banned",
	       (unsigned long long)gcnt.declined);
	xdp_guard_free(g);
	xdp_ctl_close(c);

	/* Banned while nobody's, then a participant joins from it: lifted. */
	c = xdp_ctl_load();
	g = c ? xdp_guard_new(&gc) : NULL;
	CHECKF(g != NULL, "third guard");
	if (!g)
		return 1;
	memset(ev, 0, sizeof(ev));
	cnt[2] = 0;
	snap_fill(&s, 1, &srcs[2], &cnt[2], 1);
	xdp_guard_step(g, c, &s, t, count_events, ev);
	cnt[2] = 500;
	snap_fill(&s, 1, &srcs[2], &cnt[2], 1);
	CHECKF(xdp_guard_step(g, c, &s, t + step, count_events, ev) == 1 && blocked(c) == 1,
	       "banned while nobody's");
	s.rec[0].protect = RELAIS_PROTECT_PARTICIPANT;
	CHECKF(xdp_guard_step(g, c, &s, t + 2 * step, count_events, ev) == 0 && blocked(c) == 0,
	       "a participant's now: the ban is lifted");
	xdp_guard_counters(g, &gcnt);
	CHECKF(gcnt.lifted == 1 && ev[XDP_GUARD_LIFT] == 1 && gcnt.declined == 1,
	       "one lift (%llu), then its growth declined (%llu)", (unsigned long long)gcnt.lifted,
	       (unsigned long long)gcnt.declined);
	xdp_guard_free(g);
	xdp_ctl_close(c);
	return 0;
}

int main(int argc, char **argv)
{
	int r;

	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: needs root\n");
		return 77;
	}
	if (argc < 2)
		return 2;
	r = !strcmp(argv[1], "pin")     ? test_pin()
	    : !strcmp(argv[1], "guard") ? test_guard() || test_guard_protect()
					: test_attach();
	if (r)
		return r;
	printf("xdp_ctl %s\n", argv[1]);
	return check_summary("xdp_ctl");
}
