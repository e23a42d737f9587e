#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Real headless Chromium through a whole relais node: the publish and watch
# pages of web/ (served by relais-edge --pages), one browser publishing
# through WHIP and two watching through WHEP, ICE-lite and DTLS-SRTP in
# relais-edge, the media forwarded by the DPDK dataplane on net_af_xdp.
# The watchers' getStats (POSTed by the pages to a report server of the
# test) must show video frames decoded and audio samples received rising,
# for two SRTP profiles in turn (relais-edge restarted with
# --srtp-profiles), each page reporting the profile the node was given.
# Then aiortc against Chromium: a Chromium publisher with an aiortc viewer
# (in the first round) and an aiortc publisher with a Chromium viewer.
# Browsers run in the peers' namespace, which has no default route; each
# has its own profile and is stopped by its process group.
set -euo pipefail
B=${1:?usage: webrtc_chromium.sh BUILD_DIR}
# shellcheck disable=SC2034 # T: read by lib.sh
T=webrtc_chromium
WEB=rlwc
N=62
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
need_root
[ -x "$CHROMIUM" ] || die "$CHROMIUM is required (Debian package chromium)"
web_init

# A profile name that relais-edge does not know is refused at start.
if "$B/edge/relais-edge" --node n1 --keyring "$W/keyring" --link "$W/none.sock" \
	--media-ip 10.77.$N.1 --http "127.0.0.1:1" --token-secret "$W/token.secret" \
	--srtp-profiles AEAD_AES_256_GCM,NOT_A_PROFILE >"$W/refused.log" 2>&1; then
	die "relais-edge started with an unknown SRTP profile"
fi
grep -q "unknown SRTP profile 'NOT_A_PROFILE'" "$W/refused.log" ||
	die "no clear refusal of an unknown profile: $(cat "$W/refused.log")"

RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
# shellcheck disable=SC2034 # read by web_edge (lib.sh)
EDGE_EXTRA=(--pages "$TOP/web")
web_node n1 $N --srtp-profiles AEAD_AES_256_GCM
reports $N

# rising NAME CIPHER: two reports of watcher NAME 4 s apart show video
# frames decoded and audio samples received rising, and the SRTP profile
# CIPHER; says the figures.
rising() {
	local name=$1 cipher=$2 f0 a0 f1 a1 p0 p1
	wait_for 25 rep_true "$name" "$DECODING" || { page_dump "$name"; web_diag n1; die "$name decodes nothing"; }
	f0=$(rep "$name" 'j["inbound"]["video"]["framesDecoded"]')
	a0=$(rep "$name" 'j["inbound"]["audio"]["totalSamplesReceived"]')
	p0=$(rep "$name" 'j["inbound"]["audio"]["packetsReceived"]')
	sleep 4
	f1=$(rep "$name" 'j["inbound"]["video"]["framesDecoded"]')
	a1=$(rep "$name" 'j["inbound"]["audio"]["totalSamplesReceived"]')
	p1=$(rep "$name" 'j["inbound"]["audio"]["packetsReceived"]')
	say "$name: video frames decoded $f0 -> $f1, audio samples $a0 -> $a1, audio packets $p0 -> $p1, SRTP $(rep "$name" 'j["srtpCipher"]'), DTLS $(rep "$name" 'j["dtlsCipher"]') $(rep "$name" 'j["tlsVersion"]')"
	[ $((f1 - f0)) -ge 12 ] || { page_dump "$name"; die "$name: video frames decoded rose by $((f1 - f0)) in 4 s (want >= 12)"; }
	[ $((a1 - a0)) -ge 48000 ] || { page_dump "$name"; die "$name: audio samples rose by $((a1 - a0)) in 4 s (want >= 48000)"; }
	[ $((p1 - p0)) -ge 100 ] || die "$name: audio packets rose by $((p1 - p0)) in 4 s (want >= 100)"
	ciphers "$name" "$cipher"
}
# ciphers NAME PROFILE: NAME's transport used the relais SRTP profile
# PROFILE (Chromium names it as BoringSSL does: the DTLS-SRTP name of
# `relais-cli profiles` without "HMAC_") and reported no error.
ciphers() {
	local got dtls
	got=$(rep "$1" 'j["srtpCipher"]')
	dtls=$("$B/cli/relais-cli" profiles | awk -v p="$2" '$2 == p {print $3}')
	[ -n "$dtls" ] || die "no relais profile $2"
	case "$got" in
	"$2" | "$dtls" | "${dtls/HMAC_/}") ;;
	*) die "$1: SRTP profile $got, want $2 ($dtls)" ;;
	esac
	[ "$(rep "$1" 'len(j["errors"])')" = 0 ] || die "$1: page errors $(rep "$1" 'j["errors"]')"
}

# chromium_round PROFILE ROOM SUB [AIORTC_VIEWER]: relais-edge offers only
# PROFILE; a Chromium publisher and two Chromium watchers in ROOM
# (participants SUB, SUB+1, SUB+2), optionally an aiortc viewer (SUB+3).
chromium_round() {
	local prof=$1 room=$2 s=$3 aio=${4:-}
	page "pub$room" publish "$room" "$s" "&w=320&h=240&fps=15"
	wait_for 30 rep_true "pub$room" "$SENDING" || { page_dump "pub$room"; die "pub$room does not publish"; }
	page "wa$room" watch "$room" $((s + 1))
	page "wb$room" watch "$room" $((s + 2))
	[ -n "$aio" ] && peer "aview$room" watch "$room" $((s + 3)) 10
	rising "wa$room" "$prof"
	rising "wb$room" "$prof"
	ciphers "pub$room" "$prof"
	if [ -n "$aio" ]; then
		wait "$PEER_PID" || die "aiortc viewer failed: $(tail -n 5 "$W/aview$room.log")"
		local v a
		v=$(json "$W/aview$room.json" 'j["frames"]["video"]')
		a=$(json "$W/aview$room.json" 'j["frames"]["audio"]')
		say "aiortc viewer of Chromium: $v video and $a audio frames decoded in 10 s"
		# 20 frames: decoding works (56-90 on a quiet machine; a loaded 2-CPU
		# machine slows aiortc's software decoder, 25 seen at load 10).
		[ "$v" -ge 20 ] && [ "$a" -ge 100 ] || die "aiortc viewer of Chromium decoded $v video, $a audio frames"
	fi
	for c in "pub$room" "wa$room" "wb$room"; do chrome_stop "$c"; done
}

chromium_round AEAD_AES_256_GCM 21 201
web_edge_stop
# aiortc (python3-aiortc 1.4) offers AES_CM_128_HMAC_SHA1_80 only.
web_edge n1 $N --srtp-profiles AES_CM_128_HMAC_SHA1_80
chromium_round AES_CM_128_HMAC_SHA1_80 22 211 aiortc

# An aiortc publisher, a Chromium viewer.
peer apub publish 23 221 20
apub=$PEER_PID
page wc23 watch 23 222
rising wc23 AES_CM_128_HMAC_SHA1_80
chrome_stop wc23
kill "$apub" 2>/dev/null || true
wait "$apub" 2>/dev/null || true
web_diag n1
say "edge: $(grep status: "$W/n1.edge.log" | tail -n 1)"
say "PASS: Chromium published and watched through relais with AEAD_AES_256_GCM and AES_CM_128_HMAC_SHA1_80; aiortc and Chromium interoperate both ways"
