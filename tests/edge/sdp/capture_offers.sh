#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# capture_offers.sh [OUTDIR]
#
# Regenerate the offer fixtures of tests/edge/sdp/offers (default OUTDIR):
# headless Chromium runs capture_offers.html (publish audio+video, publish
# with H264/VP9/AV1 preferred, publish with 3 simulcast rids, watch) and
# aiortc runs capture_offers.py (publish, watch). Both run in a network
# namespace of this script with only lo up (an offer needs no network),
# deleted by its exact name at the end; Chromium is killed by its PID.
# Run as root (ip netns). Not a test: the fixtures are committed.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/offers}
# shellcheck source-path=SCRIPTDIR source=chromium_lib.sh
. "$here/chromium_lib.sh"
ns=relais-sdpcap-$$
work=$(mktemp -d "/tmp/relais-sdpcap-$$.XXXXXX")
chrome_pid=

cleanup() {
	if [ -n "$chrome_pid" ]; then
		kill "$chrome_pid" 2>/dev/null
		wait "$chrome_pid" 2>/dev/null
	fi
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

for f in "$SDP_CHROMIUM" /usr/bin/python3; do
	[ -x "$f" ] || { echo "FAIL: $f missing" >&2; exit 1; }
done
ip netns add "$ns" || { echo "FAIL: cannot create netns $ns (root?)" >&2; exit 1; }
ip -n "$ns" link set lo up
mkdir -p "$out"

sdp_chromium_start "$ns" "$work/profile" "file://$here/capture_offers.html" "$work/chrome.log"

# Wait (at most 60 s) for the page's closing line.
for _ in $(seq 600); do
	grep -q 'SDPCAP-DONE\|SDPCAP-ERROR' "$work/chrome.log" && break
	sleep 0.1
done
if ! grep -q SDPCAP-DONE "$work/chrome.log"; then
	echo "FAIL: Chromium did not finish the capture; its log:" >&2
	tail -n 30 "$work/chrome.log" >&2
	exit 1
fi
# Lines: ...CONSOLE(N)] "SDPCAP name base64", source: ...
grep -o 'SDPCAP [a-z0-9_]* [A-Za-z0-9+/=]*' "$work/chrome.log" |
	while read -r _ name b64; do
		printf '%s' "$b64" | base64 -d >"$out/$name.sdp"
		echo "wrote $out/$name.sdp"
	done

if ! ip netns exec "$ns" timeout 60 /usr/bin/python3 "$here/capture_offers.py" "$out"; then
	echo "FAIL: aiortc capture" >&2
	exit 1
fi
echo "wrote $out/aiortc_publish.sdp $out/aiortc_watch.sdp"
