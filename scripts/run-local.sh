#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run-local.sh — the local deployment (README, first command).
#
#   scripts/run-local.sh [--duration S] [--rooms N] [--subscribers N]
#                        [--workers N] [--name NAME] [--no-build]
#                        [--build-dir DIR] [--quiet] [--xdp | --no-xdp]
#                        [--browser [--http-port N]]
#
# Builds relais, creates the namespaces NAME-dp / NAME-peer joined by the veth
# pair NAME-d / NAME-p (scripts/netns.sh), starts redis-server (loopback,
# appendonly, a free port), relais-dataplane on net_af_xdp bound to NAME-d
# and relais-controlplane as node NAME, creates a synthetic conference
# through Redis with relaisctl (scripts/make-conference.py: audio and video
# publishers and subscribers per room, all four SRTP profiles, some
# subscribers on IPv6; keys stored wrapped, docs/schema.md) and waits until
# the control plane has programmed it into the dataplane,
# runs relais-loadgen as the participants in NAME-peer (real SRTP that is
# sent, forwarded, received, decrypted and verified), and prints live
# per-second stats until Ctrl-C or --duration. Everything it created is
# removed on exit, by PID and by exact name. Exit 0 only when the load
# generator verified every packet (zero verification failures, zero loss).
#
# --xdp (default) puts the relais XDP filter in front of the dataplane: the
# PMD loads ebpf/relais_xdp.bpf.o (xdp_prog=), its maps are pinned under
# /sys/fs/bpf/relais/NAME-d (relais-xdp adopt) and set to the media
# addresses (their ARP/ND go to the dataplane), the media port and a
# per-source rate; --no-xdp keeps the PMD's default program.
#
# --browser also runs relais-edge (WebRTC: ICE-lite, DTLS-SRTP, WHIP/WHEP)
# serving the publish and watch pages of web/ on http://127.0.0.1:PORT
# (--http-port, default 8443; localhost, where browsers allow the camera
# without HTTPS), links this host to the participants' namespace (veth
# NAME-h, 10.78.0.1 <-> 10.78.0.2) so a browser on this machine reaches the
# media address 10.77.0.1, prints a publish URL and a watch URL with their
# tokens, and runs until Ctrl-C (or --duration, default 3600 s here).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
name=relais duration='' rooms=3 subs=3 workers=1 build=1 quiet=0 xdp=1 browser=0 http_port=8443
xdp_pps=20000 xdp_burst=4000
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
	--xdp) xdp=1 ;;
	--no-xdp) xdp=0 ;;
	--browser) browser=1 ;;
	--http-port) http_port=$2; shift ;;
	-h | --help) sed -n '3,38p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-local: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $workers =~ ^[1-8]$ ]] || { echo "run-local: --workers must be 1..8" >&2; exit 2; }
[[ $http_port =~ ^[0-9]{1,5}$ ]] && [ "$http_port" -ge 1 ] && [ "$http_port" -le 65535 ] ||
	{ echo "run-local: --http-port must be 1..65535" >&2; exit 2; }
if [ -z "$duration" ]; then duration=30; [ "$browser" = 1 ] && duration=3600; fi

[ "$(id -u)" = 0 ] || { echo "run-local: run as root (namespaces, XDP, hugepages)" >&2; exit 2; }
if [ "$build" = 1 ]; then
	"$top/scripts/bootstrap.sh"
	[ -d "$bdir" ] || meson setup "$bdir" "$top" --buildtype=release >/dev/null
	ninja -C "$bdir" >/dev/null
fi
work=$(mktemp -d /tmp/relais-local.XXXXXX)
sock=$work/dataplane.sock
pins=/sys/fs/bpf/relais/$name-d
vdev="net_af_xdp0,iface=$name-d"
[ "$xdp" = 1 ] && vdev="$vdev,xdp_prog=$bdir/ebpf/relais_xdp.bpf.o"
# relais-xdp in the dataplane's namespace; nsenter keeps the host's bpffs
# (ip netns exec would remount /sys and hide it).
rxdp() { nsenter --net="/run/netns/$name-dp" "$bdir/ebpf/relais-xdp" "$@"; }
dp_pid='' lg_pid='' cp_pid='' redis_pid='' edge_pid=''

cleanup() {
	set +e
	[ -n "$lg_pid" ] && kill "$lg_pid" 2>/dev/null && wait "$lg_pid" 2>/dev/null
	[ -n "$edge_pid" ] && kill "$edge_pid" 2>/dev/null && wait "$edge_pid" 2>/dev/null
	[ "$browser" = 1 ] && ip link del "$name-h" >/dev/null 2>&1
	[ -n "$cp_pid" ] && kill "$cp_pid" 2>/dev/null && wait "$cp_pid" 2>/dev/null
	[ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
	if [ -n "$dp_pid" ]; then
		kill "$dp_pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$dp_pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$dp_pid" 2>/dev/null
	fi
	"$top/scripts/netns.sh" down "$name" >/dev/null
	if [ "$xdp" = 1 ] && [ -d "$pins" ]; then
		rm -f "$pins"/rlx_config "$pins"/rlx_block4 "$pins"/rlx_block6 "$pins"/rlx_allow4 \
			"$pins"/rlx_allow6 "$pins"/rlx_ports "$pins"/rlx_buckets "$pins"/rlx_drops \
			"$pins"/rlx_verdicts "$pins"/rlx_stun "$pins"/rlx_stun_total "$pins"/rlx_flows
		rmdir "$pins" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$top/scripts/netns.sh" up "$name" --subnet 0 --queues 1 >/dev/null
browser_dst='' browser_dp=()
if [ "$browser" = 1 ]; then
	# This host <-> the participants' namespace, which forwards to the
	# dataplane's veth; the dataplane reaches 10.78.0.0/24 through it.
	ip link del "$name-h" >/dev/null 2>&1 || true
	ip link add "$name-h" type veth peer name "$name-hp" netns "$name-peer"
	ip addr add 10.78.0.1/24 dev "$name-h"
	ip link set "$name-h" up
	ip -n "$name-peer" addr add 10.78.0.2/24 dev "$name-hp"
	ip -n "$name-peer" link set "$name-hp" up
	ip netns exec "$name-peer" sysctl -qw net.ipv4.ip_forward=1
	ip route add 10.77.0.0/24 via 10.78.0.2 dev "$name-h"
	browser_dst=,10.78.0.0/24
	browser_dp=(-s media.gateway4=10.77.0.2 -s edge.socket="$work/edge.sock")
fi
# lcore 0 runs the control channel, lcores 1..N forward; they float over the
# machine's CPUs (on a 2-CPU machine several lcores share a CPU).
lcores="(0-$workers)@(0-$(($(nproc) - 1)))"
echo "run-local: dataplane on net_af_xdp:$name-d, $workers worker(s), control $sock," \
	"XDP filter $([ "$xdp" = 1 ] && echo on || echo off)"
# nsenter (not ip netns exec, which remounts /sys): the dataplane reads the
# XDP filter's counters from its pins on the host's bpffs (xdp.pins).
nsenter --net="/run/netns/$name-dp" "$bdir/dataplane/relais-dataplane" \
	--lcores="$lcores" --no-pci --in-memory --file-prefix="$name" --log-level='*:warning' \
	--vdev="$vdev" -- \
	-s media.ipv4=10.77.0.1/24 -s media.ipv6=fd00:77:0::1/64 \
	-s media.allow_dst="10.77.0.0/24,fd00:77:0::/64$browser_dst" "${browser_dp[@]}" \
	-s control.socket="$sock" >"$work/dataplane.log" 2>&1 &
dp_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { cat "$work/dataplane.log" >&2; echo "run-local: dataplane did not start" >&2; exit 1; }
if [ "$xdp" = 1 ]; then
	rxdp adopt "$name-d" >/dev/null
	rxdp -i "$name-d" media 10.77.0.1 fd00:77:0::1
	rxdp -i "$name-d" ports 5000
	rxdp -i "$name-d" rate --pps "$xdp_pps" --burst "$xdp_burst"
	echo "run-local: XDP filter maps under $pins: media 10.77.0.1 fd00:77:0::1, port 5000," \
		"$xdp_pps pps per source"
fi

# Redis (the deployment's shared state), the node's control plane, and the
# conference written through Redis; the control plane programs the dataplane.
command -v redis-server >/dev/null || { echo "run-local: redis-server missing (scripts/bootstrap.sh)" >&2; exit 1; }
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$rport" --bind 127.0.0.1 --dir "$work" --appendonly yes --save '' \
	--logfile "$work/redis.log" &
redis_pid=$!
for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
(umask 077; echo "local $(openssl rand -hex 32)" >"$work/keyring")
guard=()
# With the filter, the control plane also runs the ban loop on its maps.
[ "$xdp" = 1 ] && guard=(--xdp-pins "$pins")
"$bdir/controlplane/relais-controlplane" --node "$name" --keyring "$work/keyring" \
	--redis "127.0.0.1:$rport" --dp-socket "$sock" --addr4 10.77.0.1 --addr6 fd00:77:0::1 \
	--status-file "$work/controlplane.json" "${guard[@]}" >"$work/controlplane.log" 2>&1 &
cp_pid=$!
echo "run-local: redis-server on 127.0.0.1:$rport, relais-controlplane node $name"
python3 "$top/scripts/make-conference.py" --cli "$work/conf.batch" --scenario "$work/conf.scn" \
	--rooms "$rooms" --subscribers "$subs" --ipv6 --duration "$duration" --learn
for _ in $(seq 50); do
	redis-cli -p "$rport" exists 'relais:{dir}:lease:'"$name" | grep -qx 1 && break
	sleep 0.1
done
"$bdir/controlplane/relaisctl" --redis "127.0.0.1:$rport" --keyring "$work/keyring" \
	batch "$work/conf.batch" >"$work/relaisctl.out"
want=$((rooms * subs * 2)) have=0
for _ in $(seq 100); do
	have=$("$bdir/cli/relais-cli" -S "$sock" dump subs | wc -l)
	[ "$have" = "$want" ] && break
	sleep 0.1
done
[ "$have" = "$want" ] || { cat "$work/controlplane.log" >&2; echo "run-local: control plane programmed $have of $want subscriptions" >&2; exit 1; }
echo "run-local: $rooms rooms, 2 publishers and $subs subscribers each, created through Redis and programmed"

if [ "$browser" = 1 ]; then
	(umask 077; openssl rand -hex 32 | tr -d '\n' >"$work/token.secret")
	"$bdir/edge/relais-edge" --node "$name" --keyring "$work/keyring" \
		--link "$work/edge.sock" --media-ip 10.77.0.1 --http "127.0.0.1:$http_port" \
		--pages "$top/web" --token-secret "$work/token.secret" \
		--redis "127.0.0.1:$rport" >"$work/edge.log" 2>&1 &
	edge_pid=$!
	for _ in $(seq 50); do grep -q "edge link to .* up" "$work/edge.log" && break; sleep 0.1; done
	grep -q "edge link to .* up" "$work/edge.log" ||
		{ cat "$work/edge.log" >&2; echo "run-local: relais-edge did not start" >&2; exit 1; }
	tok() { /usr/bin/python3 "$top/scripts/make-token.py" --secret-file "$work/token.secret" \
		--room 900 --ttl "$((duration + 600))" "$@"; }
	base="http://127.0.0.1:$http_port"
	echo "run-local: relais-edge serves WHIP/WHEP and the pages on $base (log $work/edge.log)"
	echo "run-local: open in a browser on this machine (room 900):"
	echo "  publish: $base/publish.html?room=900&token=$(tok --participant 9001 --publish)"
	echo "  watch:   $base/watch.html?room=900&token=$(tok --participant 9002 --subscribe)"
	echo "run-local: (a second watcher needs its own participant: scripts/make-token.py" \
		"--secret-file $work/token.secret --room 900 --participant 9003 --subscribe)"
	echo "$base" >"$work/edge.url"
fi

ip netns exec "$name-peer" "$bdir/tools/relais-loadgen" --scenario "$work/conf.scn" \
	--json "$work/loadgen.json" --quiet >"$work/loadgen.log" 2>&1 &
lg_pid=$!
if [ "$quiet" = 1 ]; then
	# In the background, so that SIGINT/SIGTERM end the run at once (bash
	# runs a trap only after its foreground command returns).
	sleep "$duration" &
	wait $!
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
if [ "$xdp" = 1 ]; then
	echo "--- XDP filter"
	rxdp -i "$name-d" stats | grep -v ' 0 pkts'
fi
echo "--- control plane (docs/controlplane.md, Status)"
cat "$work/controlplane.json" 2>/dev/null || echo "(no status file)"
echo "--- load generator"
tail -n 2 "$work/loadgen.log"
exit "$rc"
