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
		rlx_drops rlx_verdicts rlx_stun rlx_stun_total rlx_flows; do
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

# flood KIND SRC COUNT PPS [ARGS...]: xdp_flood frames of KIND from SRC (any
# address: AF_PACKET in the peer namespace) to the dataplane's media address
# and port; prints xdp_flood's "sent N ..." line.
flood() {
	local kind=$1 s=$2 n=$3 pps=$4
	shift 4
	peer "$BUILD/tests/xdp_e2e/xdp_flood" --ifname "$NAME-p" --dst-mac "$(dp_mac)" --dst "$v4" \
		--src "$s" --kind "$kind" --count "$n" --pps "$pps" "$@"
}

# forge COUNT PPS: forged SRTP (SSRC 0x5eed, wrong authentication tag) from
# $src to the dataplane's media address.
forge() { flood forged "$src" "$1" "$2" --ssrc 0x5eed >/dev/null; }

# stranger_banned LOG BANNED: $src, nobody's address, sends 300 forged
# packets at 300/s; the guard logging to LOG must ban it (a line matching
# BANNED) within 3 s; the delay from the flood's start is printed; each of
# the 300 frames is an unknown_source drop in the dataplane or an
# xdp_blocklist drop, and 200 more while banned all die in XDP.
stranger_banned() {
	local u0 b0 t0 t1 f
	u0=$(dp_drop unknown_source) b0=$(xdp_drop xdp_blocklist) t0=$(date +%s%N)
	flood forged "$src" 300 300 >/dev/null &
	f=$!
	wait_log "$1" "$2" 3 || { cat "$1"; fail "no ban of $src"; }
	t1=$(date +%s%N)
	wait "$f"
	say "$src banned $(((t1 - t0) / 1000000)) ms after its flood of 300/s began"
	grep "$2" "$1"
	sleep 0.3
	check "first 300 forged: unknown_source + xdp_blocklist" \
		$(($(dp_drop unknown_source) - u0 + $(xdp_drop xdp_blocklist) - b0)) 300
	u0=$(dp_drop unknown_source) b0=$(xdp_drop xdp_blocklist)
	forge 200 1000
	sleep 0.2
	check "xdp_blocklist growth while banned" $(($(xdp_drop xdp_blocklist) - b0)) 200
	check "unknown_source growth while banned" $(($(dp_drop unknown_source) - u0)) 0
}

# verified_fraction JSON: what relais-loadgen's subscribers decrypted and
# verified, over what its publishers sent them (4 decimals).
verified_fraction() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print("%.4f" % (j["verified"] / max(j["expected"], 1)))' "$1"
}

# at_least WHAT GOT MIN: one assertion GOT >= MIN (decimals); rc=1 otherwise.
at_least() {
	if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$2" "$3"; then
		say "ok: $1 = $2 (>= $3)"
	else
		say "FAIL: $1 = $2, want >= $3"; rc=1
	fi
}

# wait_log FILE PATTERN SECONDS: until FILE has a line matching PATTERN.
wait_log() {
	for _ in $(seq $(($3 * 10))); do grep -q "$2" "$1" && return 0; sleep 0.1; done
	return 1
}
