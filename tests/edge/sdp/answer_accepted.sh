#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# answer_accepted.sh TOOL
#
# The decisive test of edge/sdp: relais's answers (written by TOOL,
# edge_sdp_tool) are accepted by two independent WebRTC stacks.
#  - headless Chromium (answer_page.html, served by answer_server.py) makes
#    5 offers (publish; publish preferring H264/VP9/AV1; publish with 3
#    simulcast rids; publish answered with an IPv6 candidate; watch),
#    applies each answer and reports its transceivers and tracks;
#    chromium_results.py checks directions, codecs, rids, streams.
#  - aiortc (aiortc_answer.py) does the same for publish and watch.
# Everything runs in a network namespace of this script with only lo
# (nothing leaves the machine), deleted by its exact name at the end;
# Chromium and the server are killed by PID. Bounded: 90 s for Chromium.
# Exit 0 pass, 1 fail (a missing browser or aiortc is a failure).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -ne 1 ]; then
	echo "usage: $0 EDGE_SDP_TOOL" >&2
	exit 1
fi
tool=$1
# shellcheck source-path=SCRIPTDIR source=chromium_lib.sh
. "$here/chromium_lib.sh"
py=/usr/bin/python3
ns=relais-sdpans-$$
work=$(mktemp -d "/tmp/relais-sdpans-$$.XXXXXX")
port=$((20000 + $$ % 20000))
chrome_pid='' server_pid=''

cleanup() {
	for pid in $chrome_pid $server_pid; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

[ -x "$SDP_CHROMIUM" ] || { echo "FAIL: $SDP_CHROMIUM missing (Debian chromium)" >&2; exit 1; }
"$py" -c 'import aiortc' 2>/dev/null || { echo "FAIL: python3-aiortc missing" >&2; exit 1; }
[ -x "$tool" ] || { echo "FAIL: $tool not built" >&2; exit 1; }
ip netns add "$ns" || { echo "FAIL: cannot create netns $ns (root?)" >&2; exit 1; }
ip -n "$ns" link set lo up

fail=0
ip netns exec "$ns" "$py" "$here/aiortc_answer.py" "$tool" || fail=1

: >"$work/results"
ip netns exec "$ns" "$py" "$here/answer_server.py" "$port" "$tool" "$here/answer_page.html" \
	"$work/results" &
server_pid=$!
for _ in $(seq 50); do
	ip netns exec "$ns" "$py" -c "import socket; socket.create_connection(('127.0.0.1', $port))" \
		2>/dev/null && break
	sleep 0.1
done
sdp_chromium_start "$ns" "$work/profile" "http://127.0.0.1:$port/" "$work/chrome.log"
for _ in $(seq 900); do
	grep -q '^DONE' "$work/results" && break
	sleep 0.1
done
if ! grep -q '^DONE' "$work/results"; then
	echo "FAIL: the page did not finish within 90 s; Chromium's log:" >&2
	grep -i 'console\|error' "$work/chrome.log" | tail -n 20 >&2
fi
"$py" "$here/chromium_results.py" "$work/results" || fail=1
cleanup
trap - EXIT
if [ "$fail" = 0 ]; then
	echo "answer_accepted: pass"
else
	echo "answer_accepted: FAIL"
fi
exit "$fail"
