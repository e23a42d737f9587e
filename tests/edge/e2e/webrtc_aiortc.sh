#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# aiortc publishes through WHIP and another aiortc watches through WHEP, all
# through relais: ICE-lite and DTLS-SRTP in relais-edge, the room written to
# Redis, programmed by the control plane, media forwarded by the DPDK
# dataplane on net_af_xdp. The viewer must decode video and audio frames.
set -euo pipefail
B=${1:?usage: webrtc_aiortc.sh BUILD_DIR}
T=webrtc_aiortc
WEB=rlwa
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
need_root
web_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
web_node n1 61

peer pub publish 7 101 14
pub=$PEER_PID
sleep 3
peer view watch 7 102 9
view=$PEER_PID
wait "$view" || die "viewer failed: $(tail -n 20 "$W/view.log")"
wait "$pub" || die "publisher failed: $(tail -n 20 "$W/pub.log")"
web_diag n1
say "publisher: $(cat "$W/pub.log")"
say "viewer: $(cat "$W/view.log")"
[ "$(json "$W/pub.json" 'j["status"]')" = 201 ] || die "WHIP POST not 201"
[ "$(json "$W/view.json" 'j["status"]')" = 201 ] || die "WHEP POST not 201"
[ "$(json "$W/pub.json" 'j["dtls"]')" = connected ] || die "publisher's DTLS not connected"
video=$(json "$W/view.json" 'j["frames"]["video"]')
audio=$(json "$W/view.json" 'j["frames"]["audio"]')
[ "$video" -ge 60 ] || die "viewer decoded $video video frames (want >= 60 in 9 s)"
[ "$audio" -ge 100 ] || die "viewer decoded $audio audio frames (want >= 100)"
[ "$(json "$W/view.json" 'j["deleted"]')" = 200 ] || die "viewer's DELETE not 200"
wait_for 10 dp_has parts "$W/n1.sock" 0 || die "participants stay in the dataplane after DELETE"
say "PASS: viewer decoded $video video and $audio audio frames; both left with DELETE"

# relais-edge killed during a call: the participant it wrote stays in
# Redis (its DTLS session died with the edge); the next relais-edge of
# the node removes it, and the control plane removes it from the dataplane.
peer pub2 publish 8 103 20
wait_for 15 grep -q "participant 103 joined" "$W/n1.edge.log" || die "publisher 103 did not join"
wait_for 10 dp_has parts "$W/n1.sock" 1 || die "publisher 103 not in the dataplane"
case "$(rcli hget 'relais:{room:8}:part:103' origin)" in
edge:n1:*) ;;
*) die "participant 103 has no origin of this node's edge" ;;
esac
kill -9 "$EDGE_PID"
wait "$EDGE_PID" 2>/dev/null || true
rexists 'relais:{room:8}:part:103' || die "participant 103 left Redis when its edge died"
web_edge n1 61
grep -q "removed 1 participants an earlier relais-edge of n1 left" "$W/n1.edge.log" ||
	die "the new relais-edge did not remove participant 103: $(tail -n 5 "$W/n1.edge.log")"
! rexists 'relais:{room:8}:part:103' || die "participant 103 still in Redis"
[ "$(rcli scard 'relais:{dir}:edge_parts:n1')" = 0 ] || die "the joined set is not empty"
wait_for 10 dp_has parts "$W/n1.sock" 0 || die "participant 103 still in the dataplane"
kill "$PEER_PID" 2>/dev/null || true
say "PASS: a participant left by a killed relais-edge is removed by the next one"
