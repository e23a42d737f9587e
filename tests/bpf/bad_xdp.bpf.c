// SPDX-License-Identifier: BSD-3-Clause
/* A deliberately invalid XDP program: it reads packet bytes without the
 * bounds check the verifier demands, so loading it must fail with the
 * verifier's log (tests/bpf/check_obj.sh). Never deployed. */
/* Self-contained (no kernel headers): the two definitions it needs. */
struct xdp_md {
	unsigned int data;
	unsigned int data_end;
	unsigned int data_meta;
	unsigned int ingress_ifindex;
	unsigned int rx_queue_index;
	unsigned int egress_ifindex;
};
enum {
	XDP_ABORTED,
	XDP_DROP,
	XDP_PASS
};

#define SEC(name) __attribute__((section(name), used))

SEC("xdp")
int bad_xdp(struct xdp_md *ctx)
{
	unsigned char *data = (unsigned char *)(long)ctx->data;

	return data[20] == 17 ? XDP_DROP : XDP_PASS; /* no check against data_end */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
