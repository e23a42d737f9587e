# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Sourced by capture_offers.sh and answer_accepted.sh: headless Chromium in
# a network namespace of the caller, with the flags of the WebRTC testing
# guide (own profile, fake devices, no lookups of outside hosts).

SDP_CHROMIUM=/usr/lib/chromium/chromium

# shellcheck source=../../common/netns_lock.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../common/netns_lock.sh"

# sdp_chromium_start NS PROFILE_DIR URL LOG: start Chromium headless in
# netns NS with its own profile, fake camera and microphone, no outside
# lookups, page console on stderr (into LOG); sets chrome_pid.
sdp_chromium_start() {
	ip netns exec "$1" "$SDP_CHROMIUM" --headless=new --no-sandbox \
		--use-fake-device-for-media-stream --use-fake-ui-for-media-stream \
		--user-data-dir="$2" --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
		--disable-gpu --disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --enable-logging=stderr --v=0 \
		"$3" >"$4" 2>&1 &
	# shellcheck disable=SC2034 # read by the sourcing script
	chrome_pid=$!
}
