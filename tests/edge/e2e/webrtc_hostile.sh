#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Hostile input against a whole node while a call runs through it. An
# aiortc publisher (WHIP) and an aiortc viewer (WHEP) talk through relais
# (ICE-lite and DTLS-SRTP in relais-edge, the DPDK dataplane on net_af_xdp);
# meanwhile hostile.py, in the peers' namespace, sends bad offers and bad
# tokens to WHIP, malformed and unauthenticated STUN, DTLS garbage and
# half-handshakes, and bounded floods of ClientHellos to the media address,
# some from spoofed addresses of its own namespace. A user would check:
#   - every bad request gets its HTTP status and names its reason;
#   - every bad datagram is counted by name: relais-edge's status file
#     (--status-file) and the dataplane's drop reasons (relais-cli stats);
#   - no process died;
#   - the call did not suffer: the viewer decodes as many frames per
#     second during the attack as before it, and loses no RTP packets.
set -euo pipefail
B=${1:?usage: webrtc_hostile.sh BUILD_DIR}
T=webrtc_hostile
WEB=rlwh
N=66
ROOM=7     # the call
OWN_ROOM=8 # the attacker's own sessions
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
need_root
web_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
# shellcheck disable=SC2034 # read by web_node (lib.sh)
EDGE_EXTRA=(--max-half-open 2) # the attacker's half-handshakes reach the cap
web_node n1 "$N"

# The call: 50 s of publishing, a viewer for 40 s of it.
peer pub publish "$ROOM" 101 50
pub=$PEER_PID
sleep 3
peer view watch "$ROOM" 102 40
view=$PEER_PID
wait_for 15 test -s "$W/pub.json.answer" || die "the publisher got no answer: $(cat "$W/pub.log")"
sleep 10 # the viewer's frame rate before the attack

# Spoofed sources: addresses of the peers' namespace (its own subnet).
spoof=()
for i in $(seq 50 59); do
	ip -n "$WEB-peer" addr add "10.77.$N.$i/24" dev "$WEB-p"
	spoof+=("\"10.77.$N.$i\"")
done
good=$(token 300 "$OWN_ROOM" publish)
cat >"$W/attack.json" <<EOF
{"media_ip": "10.77.$N.1", "media_port": 5000, "peer_ip": "10.77.$N.2",
 "url": "$URL", "room": $OWN_ROOM, "pub_answer": "$W/pub.json.answer",
 "spoof": [$(IFS=,; echo "${spoof[*]}")],
 "stun_each": 20, "flood_one": 3000, "flood_many": 300,
 "tokens": {"publish": "$good", "subscribe": "$(token 300 "$OWN_ROOM" subscribe)",
   "bad_signature": "${good%?????}AAAAA",
   "expired": "$(token 300 "$OWN_ROOM" publish -120)",
   "wrong_room": "$(token 300 9 publish)",
   "own": ["$(token 301 "$OWN_ROOM" publish)", "$(token 302 "$OWN_ROOM" publish)",
           "$(token 303 "$OWN_ROOM" publish)", "$(token 304 "$OWN_ROOM" publish)"]}}
EOF
say "attack starts"
timeout 60 ip netns exec "$WEB-peer" /usr/bin/python3 "$TOP/tests/edge/e2e/hostile.py" attack \
	"$W/attack.json" "$W/attack.out.json" >"$W/attack.log" 2>&1 ||
	die "the attack did not run through: $(tail -n 5 "$W/attack.log")"
say "attack sent: $(cat "$W/attack.log")"

wait "$view" || die "viewer failed: $(tail -n 20 "$W/view.log")"
wait "$pub" || die "publisher failed: $(tail -n 20 "$W/pub.log")"
web_diag n1
say "publisher: $(cat "$W/pub.log")"
say "viewer: $(cat "$W/view.log")"

# No process died.
for p in "DP_PID_$WEB" "CP_PID_n1" "REDIS_PID_$RPORT"; do
	kill -0 "${!p}" 2>/dev/null || die "process $p (${!p}) is gone"
done
kill -0 "$EDGE_PID" 2>/dev/null || die "relais-edge is gone: $(tail -n 5 "$W/n1.edge.log")"

# Every bad input answered and counted by its name (the status file is
# rewritten every second: read one written after the last timeout).
sleep 1.5
cp "$W/n1.edge.status" "$W/status.json"
say "edge status: $(cat "$W/status.json")"
/usr/bin/python3 "$TOP/tests/edge/e2e/hostile.py" check "$W/attack.out.json" "$W/status.json" \
	"$W/n1.stats" || die "a bad input was not refused or counted by its name (above)"

# The call did not suffer.
[ "$(json "$W/pub.json" 'j["dtls"]')" = connected ] || die "publisher's DTLS not connected"
/usr/bin/python3 - "$W/view.json" "$W/attack.out.json" <<'PY' || die "the call suffered during the attack"
import json, sys
view, att = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
secs = sorted((int(s), c) for s, c in view["per_second"].items())
first = secs[0][0] + 2  # decoding settles
base = [c for s, c in secs if first <= s and s + 1 <= att["start"]]
during = [c for s, c in secs if att["start"] <= s and s + 1 <= att["end"]]
if len(base) < 4 or len(during) < 4:
    sys.exit(f"too few whole seconds: {len(base)} before, {len(during)} during the attack")
ok = True
for kind, floor in (("video", 20), ("audio", 40)):
    b = sum(c[kind] for c in base) / len(base)
    d = sum(c[kind] for c in during) / len(during)
    low = min(c[kind] for c in during)
    print(f"{kind}: {b:.1f}/s before, {d:.1f}/s during the attack (lowest second {low})")
    if d < floor or d < 0.85 * b or low < floor / 2:
        ok = False
lost = sum(view["lost"].values())
print(f"RTP packets lost by the viewer: {lost}")
sys.exit(0 if ok and lost == 0 else 1)
PY
say "PASS: every bad input refused or counted by name, nothing crashed, the call kept its frame rate"
