#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Shared setup of the xdp_e2e tests (sourced): a dataplane on net_af_xdp
# with the relais XDP filter (xdp_prog=), in the namespaces NAME-dp /
# NAME-peer of scripts/netns.sh, subnet N. Everything is removed on exit by
# PID and by exact name. Callers set BUILD, TOP, NAME, SUBNET before sourcing.
set -euo pipefail
# shellcheck source=../common/netns_lock.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common/netns_lock.sh"

work=$(mktemp -d "/tmp/$NAME.XXXXXX")
sock=$work/dp.sock
pins=/sys/fs/bpf/relais/$NAME-d
dp_pid='' bg_pids=()
v4=10.77.$SUBNET.1 v6=fd00:77:$SUBNET::1 peer4=10.77.$SUBNET.2

say() { printf '%s: %s\n' "$NAME" "$*"; }
fail() { say "FAIL: $*"; [ -f "$work/dp.log" ] && tail -n 20 "$work/dp.log"; exit 1; }

# relais-xdp in the dataplane's namespace, with the host's bpffs.
rxdp() { nsenter --net="/run/netns/$NAME-dp" "$BUILD/ebpf/relais-xdp" "$@"; }
cli() { "$BUILD/cli/relais-cli" -S "$sock" "$@"; }
peer() { ip netns exec "$NAME-peer" "$@"; }

cleanup() {
	set +e
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	if [ -n "$dp_pid" ]; then
		kill "$dp_pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$dp_pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$dp_pid" 2>/dev/null
	fi
	"$TOP/scripts/netns.sh" down "$NAME" >/dev/null 2>&1
	for m in rlx_config rlx_block4 rlx_block6 rlx_allow4 rlx_allow6 rlx_ports rlx_buckets \
		rlx_drops rlx_verdicts rlx_stun rlx_stun_total; do
		rm -f "$pins/$m"
	done
	rmdir "$pins" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# Skip (77) only when a prerequisite is truly absent.
prereqs() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (namespaces, XDP, AF_PACKET)" >&2
		exit 77
	fi
	if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" != bpf_fs ]; then
		echo "SKIP: /sys/fs/bpf is not a bpffs (mount -t bpf bpf /sys/fs/bpf)" >&2
		exit 77
	fi
}

# Start the dataplane with the filter, pin its maps, set media addresses
# and port. Leaves dp_pid set.
start_dataplane() {
	"$TOP/scripts/netns.sh" down "$NAME" >/dev/null 2>&1 || true
	"$TOP/scripts/netns.sh" up "$NAME" --subnet "$SUBNET" --queues 1 >/dev/null
	# nsenter keeps the host's bpffs: the dataplane reads the filter's pins.
	nsenter --net="/run/netns/$NAME-dp" "$BUILD/dataplane/relais-dataplane" \
		--lcores="(0-1)@(0-$(($(nproc) - 1)))" --no-pci --in-memory --file-prefix="$NAME" \
		--log-level='*:warning' \
		--vdev="net_af_xdp0,iface=$NAME-d,xdp_prog=$BUILD/ebpf/relais_xdp.bpf.o" -- \
		-s media.ipv4="$v4/24" -s media.ipv6="$v6/64" \
		-s control.socket="$sock" >"$work/dp.log" 2>&1 &
	dp_pid=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
	[ -S "$sock" ] || fail "dataplane did not start"
	rxdp adopt "$NAME-d" >/dev/null
	rxdp -i "$NAME-d" media "$v4" "$v6"
	rxdp -i "$NAME-d" ports 5000
}

# MAC address of the dataplane's veth end.
dp_mac() { ip -n "$NAME-dp" -br link show dev "$NAME-d" | awk '{print $3}'; }

# XDP counter (pkts) of a drop reason, summed over CPUs.
xdp_drop() { rxdp -i "$NAME-d" stats | awk -v r="$1" '$1 == "drop" && $2 == r {print $3; f=1} END {if (!f) print 0}'; }

# Dataplane drop counter of a reason.
dp_drop() { cli stats | awk -v r="$1" '$1 == r":" || $1 == r {print $2; f=1} END {if (!f) print 0}'; }

# check WHAT GOT WANT: one assertion; failures set rc=1 (the script exits $rc).
rc=0
check() {
	if [ "$2" = "$3" ]; then say "ok: $1 = $2"; else say "FAIL: $1 = $2, want $3"; rc=1; fi
}

# forge COUNT PPS: forged SRTP (SSRC 0x5eed, wrong authentication tag) from
# $src to the dataplane's media address.
forge() {
	peer "$BUILD/tests/xdp_e2e/xdp_flood" --ifname "$NAME-p" --dst-mac "$(dp_mac)" --dst "$v4" \
		--src "$src" --kind forged --ssrc 0x5eed --count "$1" --pps "$2" >/dev/null
}

# wait_log FILE PATTERN SECONDS: until FILE has a line matching PATTERN.
wait_log() {
	for _ in $(seq $(($3 * 10))); do grep -q "$2" "$1" && return 0; sleep 0.1; done
	return 1
}
