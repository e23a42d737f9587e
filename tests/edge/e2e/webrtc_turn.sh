#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A network that blocks UDP: the peers sit in a namespace with no route to
# the media address, only TCP to Debian's coturn, which relays to relais
# (docs/webrtc.md, "TURN"). An aiortc publisher reaches relais through TURN
# over TCP, an aiortc viewer through TURN over TLS; the viewer decodes the
# publisher's frames, and the dataplane's participants are coturn's relay
# addresses, never the clients' own. Then Chromium with iceTransportPolicy
# "relay" publishes through coturn, which it learns from relais-edge's Link
# header (RFC 9725 §4.6, --turn-url/--turn-secret).
set -euo pipefail
B=${1:?usage: webrtc_turn.sh BUILD_DIR}
T=webrtc_turn
WEB=rlwt
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
need_root
command -v turnserver >/dev/null || die "coturn (turnserver) is not installed: scripts/bootstrap.sh"
web_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
turn_secret
# shellcheck disable=SC2034 # read by web_edge (lib.sh)
EDGE_EXTRA=(--pages "$TOP/web" --turn-url "turn:10.79.63.1:3478?transport=tcp"
	--turn-secret "$W/turn.secret")
web_node n1 63
client_ns 63
coturn 63
ip netns exec "$WEB-cl" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(b"x", ("10.77.63.1", 5000))
except OSError:
    sys.exit(0)
sys.exit("the client namespace reaches the media address over UDP")' ||
	die "the client namespace is not cut off from the media address"

client_peer pub publish 7 301 14 "turn:10.79.63.1:3478?transport=tcp"
pub=$PEER_PID
wait_for 15 grep -q "participant 301 joined" "$W/n1.edge.log" || die "publisher did not join: $(tail -n 5 "$W/pub.log")"
client_peer view watch 7 302 9 "turns:10.79.63.1:5349?transport=tcp"
view=$PEER_PID
wait_for 15 grep -q "participant 302 joined" "$W/n1.edge.log" || die "viewer did not join: $(tail -n 5 "$W/view.log")"
wait_for 5 dp_has parts "$W/n1.sock" 2 || die "the dataplane does not hold both participants"
parts=$("$B/cli/relais-cli" -S "$W/n1.sock" dump parts)
wait "$view" || die "viewer failed: $(tail -n 20 "$W/view.log")"
wait "$pub" || die "publisher failed: $(tail -n 20 "$W/pub.log")"
web_diag n1
say "participants while both ran: $(tr '\n' ';' <<<"$parts")"
[ "$(json "$W/view.json" 'j["status"]')" = 201 ] || die "WHEP POST not 201"
video=$(json "$W/view.json" 'j["frames"]["video"]')
audio=$(json "$W/view.json" 'j["frames"]["audio"]')
[ "$video" -ge 60 ] || die "viewer decoded $video video frames through TURN (want >= 60)"
[ "$audio" -ge 100 ] || die "viewer decoded $audio audio frames through TURN (want >= 100)"
[ "$(grep -c '10\.77\.63\.2:49[0-9][0-9][0-9]' <<<"$parts")" = 2 ] ||
	die "the dataplane's participants are not coturn's relay addresses"
! grep -q '10\.79\.63\.' <<<"$parts" || die "a client's own address reached the dataplane"
grep -q 'username=<[0-9]*:302>.*method=TLS' "$W/turn.log" || die "coturn logged no TLS session of the viewer"
grep -q 'user <[0-9]*:301>: incoming packet ALLOCATE processed, success' "$W/turn.log" ||
	die "coturn logged no allocation of the publisher"
say "through TURN (TCP publisher, TLS viewer) the viewer decoded $video video and $audio audio frames"

# Chromium on the same network, iceTransportPolicy "relay": the publish
# page asks the node for its ICE servers (OPTIONS with its token: relais-edge
# answers with coturn's URL and a TURN REST credential as a Link header) and
# publishes through coturn over TCP; an aiortc viewer on an open network
# decodes its frames.
reports 63
CHROME_NS="$WEB-cl" CHROME_EXCLUDE=10.79.63.1 chrome cpub \
	"$URL/publish.html?room=9&token=$(token 303 9 publish)&relay=1&w=320&h=240&fps=15&report=$REPORTS/cpub"
wait_for 30 rep_true cpub 'j["connection"] == "connected" and j["outbound"]["video"].get("framesEncoded", 0) > 0' ||
	die "Chromium did not publish through TURN: $(cat "$W/reports/cpub.json" 2>/dev/null) $(grep -a 'relais:' "$W/cpub.chrome.log" | tail -n 5)"
[ "$(rep cpub 'j["localCandidateType"]')" = relay ] ||
	die "Chromium's path is not through TURN: $(cat "$W/reports/cpub.json")"
grep -aq "ICE servers: turn:10.79.63.1:3478?transport=tcp (relay only)" "$W/cpub.chrome.log" ||
	die "the page did not get coturn from the node's Link header"
peer cview watch 9 304 8
wait "$PEER_PID" || die "viewer of Chromium failed: $(tail -n 5 "$W/cview.log")"
parts=$("$B/cli/relais-cli" -S "$W/n1.sock" dump parts)
grep -q 'part 303 .*addr 10\.77\.63\.2:49[0-9][0-9][0-9]' <<<"$parts" ||
	die "Chromium's participant is not coturn's relay address: $parts"
cvideo=$(json "$W/cview.json" 'j["frames"]["video"]')
[ "$cvideo" -ge 20 ] || die "the viewer decoded $cvideo video frames of Chromium through TURN (want >= 20)"
grep -q 'user <[0-9]*:303>: incoming packet ALLOCATE processed, success' "$W/turn.log" ||
	die "coturn logged no allocation of Chromium's credential (participant 303)"
chrome_stop cpub
say "PASS: through TURN: aiortc (TCP, TLS) $video video / $audio audio frames; Chromium (relay only, TURN from the node's Link header) -> aiortc $cvideo video frames"
