/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared helpers of the relais_xdp BPF_PROG_TEST_RUN tests; see xdp_test.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_test.h"

/* See xdp_test.h. */
struct xdp_ctl *xdp_test_load(int *status)
{
	struct xdp_ctl *c;

	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: BPF_PROG_TEST_RUN needs root (CAP_BPF, CAP_NET_ADMIN)\n");
		*status = 77;
		return NULL;
	}
	c = xdp_ctl_load();
	if (!c) {
		fprintf(stderr, "FAIL: cannot load relais_xdp: %s\n", strerror(errno));
		*status = 1;
	}
	return c;
}

/* See xdp_test.h. */
void xdp_test_clear_map(int fd)
{
	uint8_t key[64];

	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			break;
}

/* See xdp_test.h. */
int xdp_test_run(struct xdp_ctl *c, const uint8_t *frame, int len, int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (__u32)len,
		    .repeat = (__u32)repeat);
	int err = bpf_prog_test_run_opts(xdp_ctl_prog_fd(c), &o);

	return err ? -errno : (int)o.retval;
}
