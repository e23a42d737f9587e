#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Sourced by every test helper library that creates network namespaces,
# XDP pins or DPDK file prefixes by fixed name (tests/controlplane/lib.sh,
# tests/xdp_e2e/lib.sh, tests/interop/relay_lib.sh, tests/edge/sdp/
# chromium_lib.sh): it takes /tmp/relais-netns.lock for the life of the test
# process, so two such tests never run at once on one machine (a hand run
# beside `meson test`, or two checkouts testing at the same time), whatever
# started them. The lock is an flock(2) on an fd the test keeps open; it is
# released when the test and every child still holding the fd have exited.
# RELAIS_NETNS_LOCKED=1 (exported here) makes a nested test take no second
# lock. Waits up to RELAIS_NETNS_LOCK_WAIT seconds (default 1800), then fails
# naming the holders.

if [ -z "${RELAIS_NETNS_LOCKED:-}" ]; then
	relais_netns_lock=/tmp/relais-netns.lock
	exec {relais_netns_lock_fd}>>"$relais_netns_lock"
	if ! flock -w "${RELAIS_NETNS_LOCK_WAIT:-1800}" "$relais_netns_lock_fd"; then
		echo "FAIL: $relais_netns_lock still held after ${RELAIS_NETNS_LOCK_WAIT:-1800} s" \
			"(holders: $(fuser "$relais_netns_lock" 2>/dev/null || echo unknown))" >&2
		exit 1
	fi
	export RELAIS_NETNS_LOCKED=1
fi
