#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# relay_test.sh [--wrongkey] BUILD NAME SUBNET FAMILY KIND PUB:PROFILE SUB:PROFILE
#               [SUB:PROFILE]
#
# ffmpeg and GStreamer talking SRTP THROUGH relais: relais-dataplane runs on
# net_af_xdp in the namespace NAME-dp (BUILD is the meson build root), the
# tools run in NAME-peer (scripts/netns.sh, subnet SUBNET). FAMILY is 4 or 6.
# The publisher PUB (ffmpeg|gst) sends KIND (video|audio) for 3 s with
# PROFILE and its own random key from a fixed source port; relais learns its
# SSRC (track add --learn), decrypts, rewrites SSRC and payload type, and
# re-encrypts for each subscriber SUB with that subscriber's own profile,
# key and output SSRC. Passes when, as a user would check:
#   - every subscriber decoded >= 80% of the frames sent (and no more than
#     were sent); an ffmpeg subscriber logged no HMAC mismatch; a GStreamer
#     subscriber authenticated relayed SRTCP (the publisher's SR rewritten);
#   - relais: decrypt_ok and encrypt_ok > 0, no srtp_auth/srtp_error drops,
#     the track shows the learned SSRC (the publisher's, where the test knows
#     it) and one subscriber per SUB, sr_forwarded >= one per SUB, and no
#     unknown_source: an ffmpeg publisher's SRTCP, which leaves from its RTP
#     port + 1, is taken as the publisher's (rtcp_port_plus_one >= 1; 0 for
#     GStreamer, which sends from one socket).
# With --wrongkey the publisher encrypts with another key than relais has
# for it: relais must count srtp_auth drops, decrypt and learn nothing, and
# the subscribers must decode nothing.
#
# Exit 0 pass, 1 fail, 77 only when not root or the tools are not installed.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
# shellcheck source=relay_lib.sh
. "$here/relay_lib.sh"

mode=
if [ "${1:-}" = --wrongkey ]; then
	mode=wrongkey
	shift
fi
if [ $# -lt 7 ]; then
	echo "usage: $0 [--wrongkey] BUILD NAME SUBNET 4|6 video|audio PUB:PROFILE SUB:PROFILE [SUB:PROFILE]" >&2
	exit 1
fi
build=$1 name=$2 subnet=$3 fam=$4 kind=$5 pubspec=$6
shift 6
subspecs=("$@")
secs=3

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (network namespaces, AF_XDP); NOT a pass" >&2
	exit 77
fi
if ! iop_have_tools; then
	echo "SKIP: ffmpeg/GStreamer SRTP tools missing (see above); NOT a pass" >&2
	exit 77
fi
for t in "$pubspec" "${subspecs[@]}"; do
	if ! iop_supports "${t%%:*}" "${t#*:}"; then
		echo "FAIL: ${t%%:*} does not support ${t#*:}; do not register this case" >&2
		exit 1
	fi
done

fail=0
# check COND MSG: record a failure with MSG unless COND (a `test` expression).
check() {
	if ! eval "[ $1 ]"; then
		echo "FAIL: $2" >&2
		fail=1
	fi
}

# rand32: a random non-zero 32-bit number (SSRCs).
rand32() {
	local v=0
	while [ "$v" -eq 0 ]; do
		v=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	done
	echo "$v"
}

rly_init "$build" "$name" "$subnet" || exit 1
if [ "$fam" = 6 ]; then dp=$RLY_DP6 peer=$RLY_PEER6; else dp=$RLY_DP4 peer=$RLY_PEER4; fi
pub=${pubspec%%:*} pprof=${pubspec#*:}
pkey=$(iop_key "$pprof")
ppt=$(iop_default_pt "$kind")
pport=21000
# A GStreamer publisher is given its SSRC, so that the SSRC relais learns can
# be compared; ffmpeg keeps its own random choice (what relais must learn).
pssrc=
[ "$pub" != gst ] || pssrc=$(rand32)
case=$(printf '%s:%s -> relais -> %s, %s, IPv%s %s' "$pub" "$pprof" "${subspecs[*]}" "$kind" \
	"$fam" "$mode")
iop_log "$case (work dir $IOP_DIR)"

# Program relais: room 1; the publisher, participant 10 at peer:pport, with
# one learned track 100 of payload type ppt; subscriber i, participant 11+i
# at peer:(21100 + 10 i) with its own profile and key, subscription 1000+i
# with output SSRC sssrc[i] and payload type ppt -> 100+i.
{
	echo "room add 1"
	echo "part add --room 1 --id 10 --addr $(iop_url_host "$peer"):$pport --profile $pprof" \
		"--rx-key $pkey --tx-key $pkey"
	echo "track add --id 100 --part 10 --learn --pt $ppt --kind $kind"
} >"$IOP_DIR/conf.batch"
skeys=() sports=() sssrcs=() spts=()
for i in "${!subspecs[@]}"; do
	sprof=${subspecs[i]#*:}
	skeys[i]=$(iop_key "$sprof")
	sports[i]=$((21100 + 10 * i))
	sssrcs[i]=$(rand32)
	spts[i]=$((100 + i))
	{
		echo "part add --room 1 --id $((11 + i))" \
			"--addr $(iop_url_host "$peer"):${sports[i]} --profile $sprof" \
			"--rx-key ${skeys[i]} --tx-key ${skeys[i]}"
		echo "sub add --id $((1000 + i)) --part $((11 + i)) --track 100" \
			"--ssrc ${sssrcs[i]} --pt-map $ppt:${spts[i]}"
	} >>"$IOP_DIR/conf.batch"
done
rly_cli batch "$IOP_DIR/conf.batch" >"$IOP_DIR/cli.log" 2>&1 || {
	echo "FAIL: relais refused the configuration: $(tail -n 3 "$IOP_DIR/cli.log")" >&2
	exit 1
}

# Subscribers listen on peer:port (an ffmpeg SDP names relais in c=, where
# it sends its RTCP RR; it binds the wildcard address itself).
for i in "${!subspecs[@]}"; do
	stool=${subspecs[i]%%:*}
	listen=$peer
	[ "$stool" != ffmpeg ] || listen=$dp
	iop_sub_start "sub$i" "$stool" "${subspecs[i]#*:}" "${skeys[i]}" "$listen" \
		"${sports[i]}" "$kind" $((secs + 15)) "${sssrcs[i]}" "${spts[i]}" || exit 1
done
for i in "${!subspecs[@]}"; do
	iop_wait_bound "${sports[i]}" 5 || exit 1
done
sendkey=$pkey
[ "$mode" != wrongkey ] || sendkey=$(iop_key "$pprof")
rly_pub_start pub "$pub" "$pprof" "$sendkey" "$dp" "$kind" "$secs" "$peer" "$pport" \
	"$pssrc" "$ppt" || exit 1
prc=0
iop_pub_finish pub "$secs" || prc=$?
sleep 1.5
for i in "${!subspecs[@]}"; do
	iop_stop "sub$i"
done

sent=$(iop_expected_frames "$kind" "$secs")
check "$prc -eq 0" "publisher exited with $prc (log: $IOP_DIR/pub.log)"
summary=""
for i in "${!subspecs[@]}"; do
	stool=${subspecs[i]%%:*}
	iop_sub_count "sub$i" >/dev/null
	frames=$(cat "$IOP_DIR/sub$i.count")
	rtcp=$(iop_sub_rtcp "sub$i")
	hmac=$(iop_count_in "$IOP_DIR/sub$i.log" 'HMAC mismatch')
	summary="$summary sub$i($stool)=$frames/$sent srtcp=$rtcp"
	if [ "$mode" = wrongkey ]; then
		check "$frames -eq 0" "sub$i ($stool) decoded $frames frames behind a forged publisher"
		continue
	fi
	check "$((frames * 10)) -ge $((sent * 8))" \
		"sub$i ($stool) decoded $frames of $sent frames (< 80%)"
	check "$frames -le $((sent + 2))" "sub$i decoded $frames frames, more than the $sent sent"
	if [ "$stool" = ffmpeg ]; then
		check "$hmac -eq 0" "sub$i (ffmpeg) reported $hmac HMAC mismatches"
	else
		check "$rtcp -ge 1" "sub$i (gst) authenticated no relayed SRTCP"
	fi
done

# What relais says about it.
rly_cli stats >"$IOP_DIR/stats.txt" 2>&1
rly_cli dump tracks >"$IOP_DIR/tracks.txt" 2>&1
rly_cli track-stats 100 >"$IOP_DIR/track.txt" 2>&1
dec=$(rly_stat decrypt_ok) enc=$(rly_stat encrypt_ok)
auth=$(rly_stat srtp_auth) serr=$(rly_stat srtp_error)
usrc=$(rly_stat unknown_source) pp1=$(rly_stat rtcp_port_plus_one) srf=$(rly_stat sr_forwarded)
lssrc=$(rly_track_ssrc 100)
nsubs=$(sed -n 's/.* subscribers \([0-9]*\) .*/\1/p' "$IOP_DIR/track.txt")
check "${serr:-1} -eq 0" "relais dropped ${serr:-?} packets as srtp_error"
check "${nsubs:-0} -eq ${#subspecs[@]}" "track 100 has ${nsubs:-?} subscribers"
check "${usrc:-1} -eq 0" "relais dropped ${usrc:-?} packets as unknown_source"
if [ "$pub" = ffmpeg ]; then
	check "${pp1:-0} -ge 1" "relais took no SRTCP from the ffmpeg publisher's RTP port + 1"
else
	check "${pp1:-1} -eq 0" "relais counted rtcp_port_plus_one ${pp1:-?} for $pub"
fi
if [ "$mode" = wrongkey ]; then
	check "${auth:-0} -gt 0" "relais counted no srtp_auth drop for a forged publisher"
	check "${dec:-1} -eq 0" "relais decrypted ${dec:-?} packets with the wrong key"
	check "${enc:-1} -eq 0" "relais encrypted ${enc:-?} packets for a forged publisher"
	check "${lssrc:-1} -eq 0" "relais learned SSRC ${lssrc:-?} from unauthenticated packets"
	check "${srf:-1} -eq 0" "relais forwarded ${srf:-?} SRs of a forged publisher"
else
	check "${dec:-0} -gt 0" "relais decrypt_ok is ${dec:-?}"
	check "${enc:-0} -gt 0" "relais encrypt_ok is ${enc:-?}"
	check "${auth:-1} -eq 0" "relais dropped ${auth:-?} packets as srtp_auth"
	check "${srf:-0} -ge ${#subspecs[@]}" \
		"relais forwarded ${srf:-?} SRs to ${#subspecs[@]} subscribers (want >= 1 each)"
	check "${lssrc:-0} -ne 0" "track 100 has no learned SSRC ($(cat "$IOP_DIR/track.txt"))"
	[ -z "$pssrc" ] || check "${lssrc:-0} -eq $pssrc" \
		"relais learned SSRC ${lssrc:-?}, the publisher sent $pssrc"
fi
if ! grep -q '^track 100 .* learned' "$IOP_DIR/tracks.txt"; then
	echo "FAIL: dump tracks does not show track 100 as a --learn track" >&2
	fail=1
fi
drops=$(sed -n '/^drops:/,$p' "$IOP_DIR/stats.txt" | awk 'NR > 1 { printf " %s=%s", $1, $2 }')
summary="$summary relais: decrypt_ok=$dec encrypt_ok=$enc learned_ssrc=$lssrc"
summary="$summary sr_forwarded=$srf rtcp_port_plus_one=$pp1 drops:${drops:- none}"

# redact: keys out of command lines and logs (style: never log keys).
redact() {
	sed -E 's/(srtp-key=\\?\(buffer\\?\)|key=|inline:|srtp_out_params |-key )[0-9A-Za-z+\/=]+/\1<key>/g'
}

if [ "$fail" -ne 0 ]; then
	for f in "$IOP_DIR"/*.cmd conf.batch; do
		f=${f##*/}
		echo "--- $f" >&2
		redact <"$IOP_DIR/$f" >&2
	done
	for f in "$IOP_DIR"/*.log; do
		echo "--- ${f##*/} (tail)" >&2
		tail -c 3000 "$f" | tr '\r' '\n' | tail -15 | redact >&2
	done
	echo "--- relais" >&2
	cat "$IOP_DIR/stats.txt" "$IOP_DIR/tracks.txt" "$IOP_DIR/track.txt" >&2
	echo "(work dir with keys kept for debugging: $IOP_DIR)" >&2
	echo "FAIL $case:$summary"
	exit 1
fi
echo "PASS $case:$summary"
rly_cleanup
rm -rf "$IOP_DIR"
exit 0
