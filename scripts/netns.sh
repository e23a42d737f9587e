#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# netns.sh — a two-namespace test topology for the dataplane.
#
#   scripts/netns.sh up   NAME [--subnet N] [--queues Q]
#   scripts/netns.sh down NAME
#   scripts/netns.sh show NAME
#
# `up` creates exactly these objects (NAME: 1-13 chars of [A-Za-z0-9_], so
# that interface names stay within IFNAMSIZ-1 = 15):
#
#   namespace NAME-dp    the dataplane side   veth NAME-d  10.77.N.1/24  fd00:77:N::1/64
#   namespace NAME-peer  the participants     veth NAME-p  10.77.N.2/24  fd00:77:N::2/64
#
# N is --subnet (0-255, default 0). The veth pair has Q TX and Q RX queues
# (--queues, 1-16, default 4),
# MTU 1500, IPv6 addresses without DAD, and checksum/segmentation offloads and
# GRO switched off on both ends: packets must leave the peer with complete
# checksums and at most MTU size, since the dataplane (DPDK net_af_xdp bound to
# NAME-d) sees raw frames through XDP and forwards them as they are.
#
# The dataplane's address stays configured on NAME-d so the kernel in NAME-dp
# answers ARP and ND for it; net_af_xdp's XDP program only takes the packets
# the dataplane owns and passes the rest (ARP, ND) to that kernel.
#
# `down` deletes exactly those names and tolerates their absence.
set -euo pipefail

die() {
	printf 'netns: error: %s\n' "$*" >&2
	exit 1
}

say() {
	printf 'netns: %s\n' "$*"
}

# Run and echo one command.
run() {
	printf 'netns: + %s\n' "$*"
	"$@"
}

usage() {
	sed -n '3,27p' "$0" | sed 's/^# \{0,1\}//'
}

check_name() {
	local name=$1
	[[ "$name" =~ ^[A-Za-z0-9_]{1,13}$ ]] ||
		die "NAME '$name' must be 1-13 characters of [A-Za-z0-9_] (interface names <= 15)"
}

ns_exists() {
	ip netns list | awk '{print $1}' | grep -qx -- "$1"
}

# Switch off the offloads that would hand AF_XDP partial checksums or
# oversized segments; features a kernel does not let us change are reported.
offloads_off() {
	local ns=$1 dev=$2
	if ! command -v ethtool >/dev/null; then
		say "WARNING: ethtool missing, offloads left on (run scripts/bootstrap.sh)"
		return 0
	fi
	printf 'netns: + ip netns exec %s ethtool -K %s rx off tx off tso off gso off gro off\n' \
		"$ns" "$dev"
	ip netns exec "$ns" ethtool -K "$dev" rx off tx off tso off gso off gro off >/dev/null 2>&1 ||
		say "note: some offloads on $dev could not be changed"
}

cmd_up() {
	local name=$1 n=$2 q=$3
	local dp="$name-dp" peer="$name-peer" vd="$name-d" vp="$name-p"
	if ns_exists "$dp" || ns_exists "$peer"; then
		die "namespace $dp or $peer exists already; run: $0 down $name"
	fi
	run ip netns add "$dp"
	run ip netns add "$peer"
	run ip -n "$dp" link add "$vd" numtxqueues "$q" numrxqueues "$q" type veth \
		peer name "$vp" netns "$peer" numtxqueues "$q" numrxqueues "$q"
	local side ns dev host
	for side in dp peer; do
		if [ "$side" = dp ]; then
			ns=$dp dev=$vd host=1
		else
			ns=$peer dev=$vp host=2
		fi
		run ip -n "$ns" link set lo up
		run ip -n "$ns" link set "$dev" mtu 1500
		offloads_off "$ns" "$dev"
		run ip -n "$ns" addr add "10.77.$n.$host/24" dev "$dev"
		run ip -n "$ns" addr add "fd00:77:$n::$host/64" dev "$dev" nodad
		run ip -n "$ns" link set "$dev" up
	done
	cmd_show "$name" "$n"
}

cmd_show() {
	local name=$1 n=$2 ns dev
	for ns in "$name-dp" "$name-peer"; do
		ns_exists "$ns" || die "namespace $ns does not exist"
	done
	for dev in "$name-dp:$name-d" "$name-peer:$name-p"; do
		ns=${dev%%:*} dev=${dev#*:}
		local mac
		mac=$(ip -n "$ns" -br link show dev "$dev" | awk '{print $3}')
		say "$ns: $dev mac $mac $(ip -n "$ns" -br addr show dev "$dev" |
			awk '{$1=""; $2=""; print}')"
	done
	: "$n"
}

cmd_down() {
	local name=$1 ns
	for ns in "$name-dp" "$name-peer"; do
		if ns_exists "$ns"; then
			run ip netns del "$ns"
		else
			say "$ns: absent"
		fi
	done
	# A veth left in the root namespace by an interrupted `up`.
	local dev
	for dev in "$name-d" "$name-p"; do
		if ip link show dev "$dev" >/dev/null 2>&1; then
			run ip link del dev "$dev"
		fi
	done
}

main() {
	[ $# -ge 2 ] || {
		usage
		exit 2
	}
	local cmd=$1 name=$2 n=0 q=4
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--subnet)
			[ $# -ge 2 ] || die "--subnet needs a value"
			n=$2
			shift
			;;
		--queues)
			[ $# -ge 2 ] || die "--queues needs a value"
			q=$2
			shift
			;;
		*) die "unknown option '$1'" ;;
		esac
		shift
	done
	check_name "$name"
	if ! [[ "$n" =~ ^[0-9]{1,3}$ ]] || [ "$n" -gt 255 ]; then
		die "--subnet must be 0-255"
	fi
	if ! [[ "$q" =~ ^[0-9]{1,2}$ ]] || [ "$q" -lt 1 ] || [ "$q" -gt 16 ]; then
		die "--queues must be 1-16"
	fi
	[ "$(id -u)" -eq 0 ] || die "must run as root"
	case "$cmd" in
	up) cmd_up "$name" "$n" "$q" ;;
	down) cmd_down "$name" ;;
	show) cmd_show "$name" "$n" ;;
	*) die "unknown command '$cmd' (up, down, show)" ;;
	esac
}

main "$@"
