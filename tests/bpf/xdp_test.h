/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the BPF_PROG_TEST_RUN tests of relais_xdp share: loading the real
 * program (or saying why not), emptying maps between cases, and running a
 * frame through the program.
 */
#ifndef RELAIS_TESTS_BPF_XDP_TEST_H
#define RELAIS_TESTS_BPF_XDP_TEST_H

#include <stdint.h>

#include "xdp_ctl.h"

/* Load relais_xdp (not attached). NULL when it cannot run here, after
 * printing why; *status is then the exit code: 77 (skip) without root,
 * 1 when loading failed. */
struct xdp_ctl *xdp_test_load(int *status);

/* Remove every key of a hash or LPM map (keys up to 64 bytes). */
void xdp_test_clear_map(int fd);

/* Run frame (len bytes) repeat times; the XDP action of the last run, or
 * -errno. */
int xdp_test_run(struct xdp_ctl *c, const uint8_t *frame, int len, int repeat);

#endif /* RELAIS_TESTS_BPF_XDP_TEST_H */
