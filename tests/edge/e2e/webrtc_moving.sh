#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A browser that moves: headless Chromium publishes (web/publish.html,
# WHIP) from a namespace of its own, $WEB-mv, joined to the peers'
# namespace by two veths (A: 10.80.N.0/24, B: 10.81.N.0/24); the peers'
# namespace routes between them and the dataplane's veth (the dataplane's
# next hop: media.gateway4). A Chromium in the peers' namespace watches
# (web/watch.html, WHEP). Mid-call the publisher's network changes as a
# laptop's does from one Wi-Fi to another: link A loses its address and
# goes down, link B gets an address and the routes. Chromium finds the new
# path itself (a new local candidate, checked and nominated; or, if its
# ICE fails, the page restarts ICE through PATCH). What a user would check:
# relais-edge counts a move, the dataplane holds the publisher at its new
# address (relais-cli dump parts), and the watcher's video frames decoded
# keep rising after the move.
set -euo pipefail
B=${1:?usage: webrtc_moving.sh BUILD_DIR}
# shellcheck disable=SC2034 # T: read by lib.sh
T=webrtc_moving
# shellcheck disable=SC2034 # WEB: read by lib.sh
WEB=rlwm
N=64
ROOM=31
PUB=301
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
need_root
MV="$WEB-mv"

# mover_ns: namespace $MV with links A ($WEB-a <-> $WEB-ma, 10.80.N.1/.2)
# and B ($WEB-b <-> $WEB-mb, 10.81.N.1/.2) to the peers' namespace, which
# forwards; only A is addressed and routed (towards the media and the
# signalling subnets, no default route); the root namespace routes both
# subnets back through the signalling veth. Deleting $MV deletes both
# veths (web_cleanup).
mover_ns() {
	ip netns del "$MV" >/dev/null 2>&1 || true
	CLIENT_NS+=("$MV")
	ip netns add "$MV"
	ip -n "$MV" link set lo up
	local l
	for l in a b; do
		ip -n "$WEB-peer" link add "$WEB-$l" type veth peer name "$WEB-m$l" netns "$MV"
		ip -n "$WEB-peer" link set "$WEB-$l" up
	done
	ip -n "$WEB-peer" addr add "10.80.$N.1/24" dev "$WEB-a"
	ip -n "$WEB-peer" addr add "10.81.$N.1/24" dev "$WEB-b"
	ip netns exec "$WEB-peer" sysctl -qw net.ipv4.ip_forward=1
	ip route add "10.80.$N.0/24" via "10.78.$N.2" dev "$WEB-s"
	ip route add "10.81.$N.0/24" via "10.78.$N.2" dev "$WEB-s"
	ip -n "$MV" addr add "10.80.$N.2/24" dev "$WEB-ma"
	ip -n "$MV" link set "$WEB-ma" up
	route_via 10.80
}

# route_via NET: the mover's routes to the media and signalling subnets go
# through NET.N.1.
route_via() {
	ip -n "$MV" route replace "10.77.$N.0/24" via "$1.$N.1"
	ip -n "$MV" route replace "10.78.$N.0/24" via "$1.$N.1"
}

# move: the mover leaves link A (address removed, link down) for link B
# (address, link up, routes).
move() {
	ip -n "$MV" addr del "10.80.$N.2/24" dev "$WEB-ma"
	ip -n "$MV" link set "$WEB-ma" down
	ip -n "$MV" addr add "10.81.$N.2/24" dev "$WEB-mb"
	ip -n "$MV" link set "$WEB-mb" up
	route_via 10.81
}

# pub_at PREFIX: the dataplane holds the publisher at an address in PREFIX.
pub_at() {
	"$B/cli/relais-cli" -S "$W/n1.sock" dump parts >"$W/n1.parts" 2>&1 &&
		grep "^part $PUB " "$W/n1.parts" | grep -q "addr $1"
}

# frames NAME: the watcher's latest video frames decoded.
frames() { rep "$1" 'j["inbound"]["video"].get("framesDecoded", 0)'; }

# frames_over NAME F: NAME's latest report shows more than F frames decoded.
frames_over() { [ "$(frames "$1")" -gt "$2" ]; }

# moves_over N: relais-edge counted more than N moves.
moves_over() { [ "$(edge_stat n1 counters moves)" -gt "$1" ]; }

# The dataplane reaches the mover's subnets through the peers' namespace.
# shellcheck disable=SC2034 # read by web_node (lib.sh)
WEB_DP_EXTRA=(-s "media.gateway4=10.77.$N.2")
pages_node $N
mover_ns

CHROME_NS=$MV page pub publish $ROOM $PUB "&w=320&h=240&fps=15"
wait_for 30 rep_true pub "$SENDING" || { page_dump pub; web_diag n1; die "the publisher does not publish"; }
page view watch $ROOM $((PUB + 1))
wait_for 25 rep_true view "$DECODING" || { page_dump view; web_diag n1; die "the watcher decodes nothing"; }
wait_for 5 pub_at "10.80.$N.2:" || die "publisher not at 10.80.$N.2: $(cat "$W/n1.parts")"
m0=$(edge_stat n1 counters moves)
f0=$(frames view)
sleep 3
f1=$(frames view)
say "before the move: publisher at $(grep "^part $PUB " "$W/n1.parts"), watcher's frames $f0 -> $f1 in 3 s, moves $m0"
[ $((f1 - f0)) -ge 9 ] || { page_dump view; die "watcher's frames rose by $((f1 - f0)) in 3 s before the move"; }

t0=$(date +%s%N)
move
wait_for 40 moves_over "$m0" || {
	page_dump pub
	web_diag n1
	die "relais-edge counted no move in 40 s: $(grep status: "$W/n1.edge.log" | tail -n 1)"
}
t1=$(date +%s%N)
wait_for 10 pub_at "10.81.$N.2:" || die "the dataplane does not hold the publisher at 10.81.$N.2: $(cat "$W/n1.parts")"
say "moved: relais-edge counted $(edge_stat n1 counters moves) move(s) $(((t1 - t0) / 1000000)) ms after the network change; dataplane: $(grep "^part $PUB " "$W/n1.parts")"
f2=$(frames view)
wait_for 20 frames_over view $((f2 + 30)) || {
	page_dump view
	page_dump pub
	web_diag n1
	die "watcher's frames stuck at $(frames view) after the move (was $f2)"
}
t2=$(date +%s%N)
f3=$(frames view)
sleep 4
f4=$(frames view)
say "after the move: watcher's frames $f2 -> $f3 (in $(((t2 - t1) / 1000000)) ms), then $f3 -> $f4 in 4 s; publisher sends from $(rep pub 'j["candidate"]'), ICE restarts $(rep pub 'j["restarts"]')"
[ $((f4 - f3)) -ge 12 ] || { page_dump view; die "watcher's frames rose by $((f4 - f3)) in 4 s after the move (want >= 12)"; }
cand=$(rep pub 'j["candidate"]')
[[ "$cand" == "10.81.$N.2:"* ]] || die "the publisher's selected candidate is $cand, not on link B"
[ "$(rep pub 'len(j["errors"])')" = 0 ] || die "publisher page errors: $(rep pub 'j["errors"]')"
[ "$(rep view 'len(j["errors"])')" = 0 ] || die "watcher page errors: $(rep view 'j["errors"]')"
[ "$(edge_stat n1 counters move_failed)" = 0 ] || die "relais-edge counted a failed move"
web_diag n1
say "PASS: Chromium moved from 10.80.$N.2 to 10.81.$N.2 mid-call; relais-edge moved it in place and the watcher kept decoding"
