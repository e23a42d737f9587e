#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run-local.sh — the local deployment (README, first command).
#
#   scripts/run-local.sh [--duration S] [--rooms N] [--subscribers N]
#                        [--workers N] [--name NAME] [--no-build]
#                        [--build-dir DIR] [--quiet]
#
# Builds relais, creates the namespaces NAME-dp / NAME-peer joined by the veth
# pair NAME-d / NAME-p (scripts/netns.sh), starts relais-dataplane on
# net_af_xdp bound to NAME-d, programs a synthetic conference through the
# control channel (scripts/make-conference.py: audio and video publishers and
# subscribers per room, all four SRTP profiles, some subscribers on IPv6),
# runs relais-loadgen as the participants in NAME-peer (real SRTP that is
# sent, forwarded, received, decrypted and verified), and prints live
# per-second stats until Ctrl-C or --duration. Everything it created is
# removed on exit, by PID and by exact name. Exit 0 only when the load
# generator verified every packet (zero verification failures, zero loss).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
name=relais duration=30 rooms=3 subs=3 workers=1 build=1 quiet=0
bdir=$top/build-local
while [ $# -gt 0 ]; do
	case $1 in
	--duration) duration=$2; shift ;;
	--rooms) rooms=$2; shift ;;
	--subscribers) subs=$2; shift ;;
	--workers) workers=$2; shift ;;
	--name) name=$2; shift ;;
	--no-build) build=0 ;;
	--build-dir) bdir=$2; build=0; shift ;;
	--quiet) quiet=1 ;;
	-h | --help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-local: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $workers =~ ^[1-8]$ ]] || { echo "run-local: --workers must be 1..8" >&2; exit 2; }

[ "$(id -u)" = 0 ] || { echo "run-local: run as root (namespaces, XDP, hugepages)" >&2; exit 2; }
if [ "$build" = 1 ]; then
	"$top/scripts/bootstrap.sh"
	[ -d "$bdir" ] || meson setup "$bdir" "$top" --buildtype=release >/dev/null
	ninja -C "$bdir" >/dev/null
fi
work=$(mktemp -d /tmp/relais-local.XXXXXX)
sock=$work/dataplane.sock
dp_pid='' lg_pid=''

cleanup() {
	set +e
	[ -n "$lg_pid" ] && kill "$lg_pid" 2>/dev/null && wait "$lg_pid" 2>/dev/null
	if [ -n "$dp_pid" ]; then
		kill "$dp_pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$dp_pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$dp_pid" 2>/dev/null
	fi
	"$top/scripts/netns.sh" down "$name" >/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$top/scripts/netns.sh" up "$name" --subnet 0 --queues 1 >/dev/null
# lcore 0 runs the control channel, lcores 1..N forward; they float over the
# machine's CPUs (on a 2-CPU machine several lcores share a CPU).
lcores="(0-$workers)@(0-$(($(nproc) - 1)))"
echo "run-local: dataplane on net_af_xdp:$name-d, $workers worker(s), control $sock"
ip netns exec "$name-dp" "$bdir/dataplane/relais-dataplane" \
	--lcores="$lcores" --no-pci --in-memory --file-prefix="$name" --log-level='*:warning' \
	--vdev="net_af_xdp0,iface=$name-d" -- \
	-s media.ipv4=10.77.0.1/24 -s media.ipv6=fd00:77:0::1/64 \
	-s control.socket="$sock" >"$work/dataplane.log" 2>&1 &
dp_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { cat "$work/dataplane.log" >&2; echo "run-local: dataplane did not start" >&2; exit 1; }

python3 "$top/scripts/make-conference.py" --cli "$work/conf.batch" --scenario "$work/conf.scn" \
	--rooms "$rooms" --subscribers "$subs" --ipv6 --duration "$duration" --learn
"$bdir/cli/relais-cli" -S "$sock" batch "$work/conf.batch"
echo "run-local: $rooms rooms, 2 publishers and $subs subscribers each, programmed"

ip netns exec "$name-peer" "$bdir/tools/relais-loadgen" --scenario "$work/conf.scn" \
	--json "$work/loadgen.json" --quiet >"$work/loadgen.log" 2>&1 &
lg_pid=$!
if [ "$quiet" = 1 ]; then
	sleep "$duration"
else
	"$bdir/cli/relais-cli" -S "$sock" watch --interval 1 --duration "$duration" || true
fi
set +e
wait "$lg_pid"
rc=$?
lg_pid=''
set -e
echo "--- dataplane totals"
"$bdir/cli/relais-cli" -S "$sock" stats | grep -v ' 0$'
echo "--- load generator"
tail -n 2 "$work/loadgen.log"
exit "$rc"
