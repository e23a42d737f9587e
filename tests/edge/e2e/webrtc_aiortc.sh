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
say "PASS: viewer decoded $video video and $audio audio frames"
