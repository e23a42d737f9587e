#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# direct_test.sh PUB SUB PROFILE KIND PORT [wrongkey]
#
# One tool-to-tool SRTP check on loopback, no relais in between: start
# subscriber SUB (ffmpeg|gst) on $IOP_ADDR:PORT (default 127.0.0.1), then
# publisher PUB sending KIND (video|audio) for 3 s with PROFILE and the same
# fresh random key and SSRC, and check what a user would: the subscriber
# decoded at least 80% of the frames sent, and the SRTCP the publisher sent
# on the same port authenticated too. With "wrongkey" the subscriber gets a
# different key and must decode nothing (authentication is really checked).
#
# Exit 0 pass, 1 fail, 77 only when ffmpeg/GStreamer pieces are not installed.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

if [ $# -lt 5 ]; then
	echo "usage: $0 PUB SUB PROFILE KIND PORT [wrongkey]" >&2
	exit 1
fi
pub=$1 sub=$2 prof=$3 kind=$4 port=$5 mode=${6:-}
addr=${IOP_ADDR:-127.0.0.1}
secs=3

if ! iop_have_tools; then
	echo "SKIP: ffmpeg/GStreamer SRTP tools missing (see above); NOT a pass" >&2
	exit 77
fi
if [ "$addr" = ::1 ] && ! ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1'; then
	echo "SKIP: no ::1 on lo (IPv6 disabled); NOT a pass" >&2
	exit 77
fi
for t in "$pub" "$sub"; do
	if ! iop_supports "$t" "$prof"; then
		echo "FAIL: $t does not support $prof; do not register this case" >&2
		exit 1
	fi
done

iop_init
fail=0
# check COND MSG: record a failure with MSG unless COND (an expression for
# `test`) holds.
check() {
	if ! eval "[ $1 ]"; then
		echo "FAIL: $2" >&2
		fail=1
	fi
}

key=$(iop_key "$prof")
subkey=$key
[ "$mode" != wrongkey ] || subkey=$(iop_key "$prof")
ssrc=0
while [ "$ssrc" -eq 0 ]; do
	ssrc=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
done
case=$(printf '%s->%s %s %s ssrc=%s port=%s' "$pub" "$sub" "$prof" "$kind" "$ssrc" "$port")
iop_log "$case ${mode:-} (work dir $IOP_DIR)"

iop_sub_start sub "$sub" "$prof" "$subkey" "$addr" "$port" "$kind" $((secs + 15)) "$ssrc" ||
	exit 1
iop_wait_bound "$port" 5 || exit 1
iop_pub_start pub "$pub" "$prof" "$key" "$addr" "$port" "$kind" "$secs" "$ssrc" || exit 1
prc=0
iop_pub_finish pub "$secs" || prc=$?
sleep 1.5
iop_stop sub
iop_sub_count sub >/dev/null
frames=$(cat "$IOP_DIR/sub.count")
rtcp=$(iop_sub_rtcp sub)
hmac=$(iop_count_in "$IOP_DIR/sub.log" 'HMAC mismatch')
sent=$(iop_expected_frames "$kind" "$secs")

check "$prc -eq 0" "publisher exited with $prc (log: $IOP_DIR/pub.log)"
if [ "$mode" = wrongkey ]; then
	check "$frames -eq 0" "$frames frames decoded with the wrong key"
	if [ "$sub" = gst ]; then
		check "$rtcp -eq 0" "$rtcp SRTCP packets accepted with the wrong key"
	else
		check "$hmac -ge 1" "ffmpeg did not report an HMAC mismatch"
	fi
else
	check "$((frames * 10)) -ge $((sent * 8))" "decoded $frames of $sent frames (< 80%)"
	check "$frames -le $((sent + 2))" "decoded $frames frames, more than the $sent sent"
	if [ "$sub" = gst ]; then
		check "$rtcp -ge 1" "no SRTCP packet authenticated (rtcp-mux on port $port)"
	else
		check "$hmac -eq 0" "ffmpeg reported $hmac HMAC mismatches (SRTP or SRTCP)"
	fi
fi

# redact: keys out of command lines and logs (style: never log keys).
redact() {
	sed -E 's/(srtp-key=\\?\(buffer\\?\)|key=|inline:|srtp_out_params )[0-9A-Za-z+\/=]+/\1<key>/g'
}

if [ "$fail" -ne 0 ]; then
	for f in sub.cmd pub.cmd; do
		echo "--- $f" >&2
		redact <"$IOP_DIR/$f" >&2
	done
	for f in sub.log pub.log; do
		echo "--- $f (tail)" >&2
		tail -c 3000 "$IOP_DIR/$f" | tr '\r' '\n' | tail -15 | redact >&2
	done
	echo "(work dir with keys kept for debugging: $IOP_DIR)" >&2
	echo "FAIL $case ${mode:-}: $frames/$sent frames, srtcp=$rtcp, hmac_mismatch=$hmac"
	exit 1
fi
echo "PASS $case ${mode:-}: $frames/$sent frames, srtcp=$rtcp, hmac_mismatch=$hmac"
rm -rf "$IOP_DIR"
exit 0
