/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xdp_bench: ns/packet and Mpps of relais_xdp per verdict path, measured
 * in-kernel with BPF_PROG_TEST_RUN and `repeat` (the kernel reports the mean
 * duration of one run). Needs root. Usage: xdp_bench [--repeat N] [--json]
 * Default N = 1,000,000 per path; about a second in all on this machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <relais/json_out.h>

#include "pkt.h"
#include "xdp_ctl.h"

#define REPEAT_MAX 20000000u

enum setup {
	S_PLAIN,      /* zero config */
	S_FULL,       /* ports + allowlist + rate on, 1000 blocklist entries */
	S_RATE_EMPTY, /* bucket already empty */
	S_STUN,       /* STUN/DTLS budget on, never empty */
	S_STUN_EMPTY, /* STUN/DTLS budget of the source already spent */
};

struct bpath {
	const char *name;
	struct pkt_spec pkt;
	enum setup setup;
	int want; /* expected XDP action */
};

static const struct bpath paths[] = {
    {"media_v4", {PKT_V4, .b0 = 0x80, .b1 = 96, .paylen = 172}, S_PLAIN, XDP_PASS},
    {"media_v6", {PKT_V6, .b0 = 0x80, .b1 = 96, .paylen = 172}, S_PLAIN, XDP_PASS},
    {"media_v4_vlan", {PKT_V4, .vlan = 1, .b0 = 0x80, .paylen = 172}, S_PLAIN, XDP_PASS},
    {"media_v4_all_rules", {PKT_V4, .b0 = 0x80, .b1 = 96, .paylen = 172}, S_FULL, XDP_PASS},
    {"pass_kernel_arp", {PKT_ARP}, S_PLAIN, XDP_PASS},
    {"pass_kernel_nd", {PKT_V6, .proto = 58, .icmp6_type = 135}, S_PLAIN, XDP_PASS},
    {"drop_blocklist", {PKT_V4, .b0 = 0x80, .paylen = 172, .src = "203.0.113.9"}, S_FULL, XDP_DROP},
    {"drop_not_allowed",
     {PKT_V4, .b0 = 0x80, .paylen = 172, .src = "192.0.2.200"},
     S_FULL,
     XDP_DROP},
    {"drop_rate_pkts", {PKT_V4, .b0 = 0x80, .paylen = 172}, S_RATE_EMPTY, XDP_DROP},
    {"stun_v4_budget", {PKT_V4, .b0 = 0, .b1 = 1, .paylen = 100}, S_STUN, XDP_PASS},
    {"stun_v6_budget", {PKT_V6, .b0 = 0, .b1 = 1, .paylen = 100}, S_STUN, XDP_PASS},
    {"drop_stun_dtls_rate", {PKT_V4, .b0 = 22, .paylen = 100}, S_STUN_EMPTY, XDP_DROP},
    {"drop_not_udp", {PKT_V4, .proto = 6, .paylen = 40}, S_PLAIN, XDP_DROP},
    {"drop_fragment", {PKT_V4, .b0 = 0x80, .paylen = 172, .frag = FRAG_V4_MF}, S_PLAIN, XDP_DROP},
    {"drop_demux", {PKT_V4, .b0 = 100, .paylen = 172}, S_PLAIN, XDP_DROP},
    {"drop_truncated", {PKT_V4, .b0 = 0x80, .paylen = 172, .cut = 10}, S_PLAIN, XDP_DROP},
};

/* Remove every key of a map. */
static void clear_map(int fd)
{
	uint8_t key[64];

	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			break;
}

/* Put the maps in the state a path needs. 0 or -errno. */
static int setup(struct xdp_ctl *c, enum setup s)
{
	static const enum xdp_ctl_map m[] = {XDP_CTL_MAP_BLOCK4, XDP_CTL_MAP_ALLOW4,
					     XDP_CTL_MAP_PORTS, XDP_CTL_MAP_BUCKETS,
					     XDP_CTL_MAP_STUN};
	struct xdp_config zero = {0};
	uint16_t port = 5000;
	struct xdp_prefix p;
	char a[32];
	int err = 0;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		clear_map(xdp_ctl_map_fd(c, m[i]));
	xdp_config_set(c, &zero);
	if (s == S_RATE_EMPTY)
		return xdp_rate_set(c, 1, 0, 1, 0);
	if (s == S_STUN)
		return xdp_stun_rate_set(c, 10000000000ull / 2, 0, 0, 0);
	if (s == S_STUN_EMPTY)
		return xdp_stun_rate_set(c, 1, 1, 0, 0);
	if (s != S_FULL)
		return 0;
	for (int i = 0; i < 1000 && !err; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.0/24", i / 250, i % 250);
		err = xdp_prefix_parse(a, &p) ? -EINVAL : xdp_acl_add(c, XDP_ACL_BLOCK, &p, 0);
	}
	xdp_prefix_parse("203.0.113.0/24", &p);
	err = err ? err : xdp_acl_add(c, XDP_ACL_BLOCK, &p, 0);
	xdp_prefix_parse("192.0.2.1", &p);
	err = err ? err : xdp_acl_add(c, XDP_ACL_ALLOW, &p, 0);
	err = err ? err : xdp_allowlist_enable(c, 1);
	err = err ? err : xdp_ports_set(c, &port, 1);
	return err ? err : xdp_rate_set(c, 10000000000ull / 2, 10000000000ull / 2, 0, 0);
}

/* Measure one path; mean ns per run into *ns. 0 or -errno. */
static int measure(struct xdp_ctl *c, const struct bpath *b, unsigned repeat, double *ns)
{
	uint8_t frame[2048];
	int len = pkt_build(&b->pkt, frame, sizeof(frame));
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (__u32)len,
		    .repeat = repeat);
	int err = setup(c, b->setup);

	if (err)
		return err;
	if (b->setup == S_RATE_EMPTY || b->setup == S_STUN_EMPTY) {
		LIBBPF_OPTS(bpf_test_run_opts, once, .data_in = frame, .data_size_in = (__u32)len);
		bpf_prog_test_run_opts(xdp_ctl_prog_fd(c), &once); /* takes the one token */
	}
	if (bpf_prog_test_run_opts(xdp_ctl_prog_fd(c), &o))
		return -errno;
	if ((int)o.retval != b->want) {
		fprintf(stderr, "xdp_bench: %s returned %u, expected %d\n", b->name, o.retval,
			b->want);
		return -EPROTO;
	}
	*ns = (double)o.duration;
	return 0;
}

/* The results as one JSON line: ns per packet and Mpps of each path. */
static void print_json(unsigned repeat, const double *ns)
{
	struct json_out j;

	json_out_init_file(&j, stdout, JSON_SPACED);
	json_obj_begin(&j);
	json_ku64(&j, "repeat", repeat);
	json_key(&j, "paths");
	json_arr_begin(&j);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		json_obj_begin(&j);
		json_kstr(&j, "path", paths[i].name);
		json_kdbl(&j, "ns_per_pkt", ns[i], 1);
		json_kdbl(&j, "mpps", ns[i] > 0 ? 1000.0 / ns[i] : 0, 2);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_ws(&j, "\n");
	json_out_finish(&j);
}

int main(int argc, char **argv)
{
	unsigned repeat = 1000000;
	int json = 0, err = 0;
	double ns[sizeof(paths) / sizeof(paths[0])];
	struct xdp_ctl *c;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = (unsigned)strtoul(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: xdp_bench [--repeat N] [--json]\n");
			return 2;
		}
	}
	if (!repeat || repeat > REPEAT_MAX) {
		fprintf(stderr, "xdp_bench: --repeat must be 1..%u\n", REPEAT_MAX);
		return 2;
	}
	c = xdp_ctl_load();
	if (!c)
		return 1;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]) && !err; i++)
		err = measure(c, &paths[i], repeat, &ns[i]);
	xdp_ctl_close(c);
	if (err) {
		fprintf(stderr, "xdp_bench: %s\n", strerror(-err));
		return 1;
	}
	if (json) {
		print_json(repeat, ns);
		return 0;
	}
	printf("%-22s %10s %10s   (repeat %u)\n", "path", "ns/pkt", "Mpps", repeat);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		printf("%-22s %10.1f %10.2f\n", paths[i].name, ns[i],
		       ns[i] > 0 ? 1000.0 / ns[i] : 0);
	return 0;
}
