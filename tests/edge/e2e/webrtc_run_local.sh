#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/run-local.sh --browser, as a person on this machine uses it: the
# local deployment also runs relais-edge, serves the publish and watch
# pages on 127.0.0.1 and prints their URLs with tokens. This test fetches
# the pages, then publishes and watches with aiortc from this host's
# namespace (where that person's browser would run), with the tokens of the
# printed URLs: the viewer must decode the publisher's frames, which went
# through the DPDK dataplane beside the synthetic conference.
set -euo pipefail
B=${1:?usage: webrtc_run_local.sh BUILD_DIR}
T=webrtc_run_local
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
W=$(mktemp -d "/tmp/relais-$T.XXXXXX")
rl_pid=''
die() { echo "$T: FAIL: $*" >&2; exit 1; }
say() { echo "$T: $*"; }
cleanup() {
	set +e
	[ -n "$rl_pid" ] && kill -TERM "$rl_pid" 2>/dev/null && wait "$rl_pid" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "$T: SKIP: needs root" >&2; exit 77; }
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$TOP/scripts/run-local.sh" --build-dir "$B" --name rlwr --browser --http-port "$port" \
	--duration 60 --rooms 1 --subscribers 2 --quiet >"$W/run-local.log" 2>&1 &
rl_pid=$!
for _ in $(seq 300); do grep -q "^  watch:" "$W/run-local.log" && break; sleep 0.1; done
grep -q "^  watch:" "$W/run-local.log" || die "run-local printed no URLs: $(tail -n 20 "$W/run-local.log")"
pub_url=$(awk '$1 == "publish:" {print $2}' "$W/run-local.log")
view_url=$(awk '$1 == "watch:" {print $2}' "$W/run-local.log")
base="http://127.0.0.1:$port"
for page in "${pub_url%%\?*}" "${view_url%%\?*}" "$base/relais.js"; do
	code=$(curl -s -o "$W/page" -w '%{http_code}' "$page")
	[ "$code" = 200 ] || die "$page: HTTP $code"
done
grep -q "whep" "$W/page" || die "relais.js does not speak WHEP"
tok() { sed 's/.*token=//' <<<"$1"; }
peer() {
	/usr/bin/python3 "$TOP/tests/edge/e2e/whip_peer.py" "$1" "$base/$2/900" "$3" "$4" \
		"$W/$5.json" >"$W/$5.log" 2>&1
}
peer publish whip "$(tok "$pub_url")" 14 pub &
pub=$!
sleep 3
peer watch whep "$(tok "$view_url")" 9 view || die "viewer failed: $(tail -n 5 "$W/view.log")"
wait "$pub" || die "publisher failed: $(tail -n 5 "$W/pub.log")"
frames=$(/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["frames"]["video"], j["frames"]["audio"])' "$W/view.json")
read -r video audio <<<"$frames"
say "viewer: $(cat "$W/view.log")"
[ "$video" -ge 60 ] || die "viewer decoded $video video frames (want >= 60 in 9 s)"
[ "$audio" -ge 100 ] || die "viewer decoded $audio audio frames (want >= 100)"
kill -TERM "$rl_pid"
set +e
wait "$rl_pid"
rc=$?
rl_pid=''
set -e
say "run-local: $(tail -n 3 "$W/run-local.log" | tr '\n' ' ')"
[ "$rc" = 0 ] || [ "$rc" = 130 ] || [ "$rc" = 143 ] || die "run-local exited $rc: $(tail -n 20 "$W/run-local.log")"
say "PASS: the pages load; through run-local --browser the viewer decoded $video video and $audio audio frames"
