# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# tests/interop/lib.sh: ffmpeg and GStreamer as SRTP publishers and
# subscribers, for relais' interop tests. Source it from bash:
#
#   . tests/interop/lib.sh
#   iop_init                                  # temp dir, EXIT trap
#   key=$(iop_key AES_CM_128_HMAC_SHA1_80)    # hex key||salt
#   iop_sub_start s1 gst AES_CM_128_HMAC_SHA1_80 "$key" 127.0.0.1 24200 video 20 305419896
#   iop_wait_bound 24200                      # subscriber listening
#   iop_pub_start p1 ffmpeg AES_CM_128_HMAC_SHA1_80 "$key" 127.0.0.1 24200 video 3 305419896
#   iop_pub_finish p1 3; sleep 1.5; iop_stop s1
#   n=$(iop_sub_count s1)                     # decoded frames, also in $IOP_DIR/s1.count
#   r=$(iop_sub_rtcp s1)                      # SRTCP packets decrypted (gst), -1 (ffmpeg)
# Listening ports belong below 32768 (the tools send from ephemeral ports).
# Set IOP_NETNS to run the tools in that network namespace (relay_lib.sh,
# which puts relais in the middle, does).
#
# Every process runs under timeout(1) (which forwards TERM/INT to the tool;
# for gst-launch it is also a process-group leader), is recorded by PID, and
# is killed by that PID (and its group) in iop_cleanup. Nothing is killed by
# name. Functions that start processes store results in files under
# $IOP_DIR; call them in the main shell, not inside $(...).
#
# Profiles are relais' RFC names, the list RELAIS_SRTP_PROFILES of
# include/relais/srtp_profile.h (`python3 scripts/srtp_profiles.py names`).
# Keys are hex strings of master key || master salt (the profile's lengths).
# Media kinds: video (H.264, 320x240, 25 fps) and audio (Opus, 48 kHz, 20 ms).
# See docs/interop.md for the command lines and what relais must do for each tool.

IOP_VIDEO_FPS=25
IOP_AUDIO_PPS=50 # Opus packets (= decoded frames) per second at 20 ms
IOP_PIDS=()
IOP_DIR=${IOP_DIR:-}
IOP_NETNS=${IOP_NETNS:-} # network namespace the tools run in (empty: this one)

# iop_init: create the work directory $IOP_DIR (unless already set) and
# install an EXIT trap that kills every process started through this file.
iop_init() {
	if [ -z "$IOP_DIR" ]; then
		IOP_DIR=$(mktemp -d /tmp/relais-interop.XXXXXX) || return 1
	fi
	mkdir -p "$IOP_DIR" || return 1
	trap iop_cleanup EXIT
}

# iop_log MSG...: a line on stderr, prefixed so test logs are greppable.
iop_log() {
	echo "interop: $*" >&2
}

# iop_have_tools: 0 if ffmpeg, gst-launch-1.0 and the GStreamer elements the
# harness uses are installed; otherwise names what is missing and returns 1.
iop_have_tools() {
	local missing="" e
	for e in ffmpeg gst-launch-1.0 gst-inspect-1.0 openssl base64 timeout stdbuf ss; do
		command -v "$e" >/dev/null 2>&1 || missing="$missing $e"
	done
	if command -v gst-inspect-1.0 >/dev/null 2>&1; then
		for e in srtpenc srtpdec udpsrc udpsink rtpbin funnel videotestsrc \
			openh264enc rtph264pay rtph264depay avdec_h264 audiotestsrc \
			opusenc rtpopuspay rtpopusdepay opusdec fakesink; do
			gst-inspect-1.0 "$e" >/dev/null 2>&1 || missing="$missing gst:$e"
		done
	fi
	if [ -n "$missing" ]; then
		iop_log "missing:$missing"
		return 1
	fi
}

IOP_TOP=${IOP_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# iop_key_len PROFILE: bytes of master key || master salt, from the profile
# list (RFC 3711 §8.2, RFC 7714 §12); returns 1 for an unknown profile.
iop_key_len() {
	python3 "$IOP_TOP/scripts/srtp_profiles.py" keylen "$1"
}

# iop_key PROFILE: a fresh random key||salt for PROFILE, as hex.
iop_key() {
	local n
	n=$(iop_key_len "$1") || return 1
	openssl rand -hex "$n"
}

# iop_hex2b64 HEX: the same bytes in base64 (ffmpeg's -srtp_out_params and
# SDP a=crypto inline: form, RFC 4568 §6.1).
iop_hex2b64() {
	# shellcheck disable=SC2001 # every byte pair, not one pattern
	printf '%b' "$(sed 's/../\\x&/g' <<<"$1")" | base64 -w0
}

# iop_supports TOOL PROFILE: 0 if TOOL (ffmpeg|gst) can speak PROFILE.
# ffmpeg 5.1 has its own SRTP code with AES-CM/HMAC-SHA1 only (no GCM).
iop_supports() {
	case "$1:$2" in
	ffmpeg:AES_CM_128_HMAC_SHA1_80 | ffmpeg:AES_CM_128_HMAC_SHA1_32) return 0 ;;
	gst:AES_CM_128_HMAC_SHA1_80 | gst:AES_CM_128_HMAC_SHA1_32) return 0 ;;
	gst:AEAD_AES_128_GCM | gst:AEAD_AES_256_GCM) return 0 ;;
	*) return 1 ;;
	esac
}

# iop_ffmpeg_suite PROFILE: ffmpeg's suite name. For the 32-bit profile this
# is SRTP_AES128_CM_HMAC_SHA1_32 (RTP tag 4 bytes, SRTCP tag 10 bytes as in
# RFC 4568 §6.2.2 and relais); ffmpeg's "AES_CM_128_HMAC_SHA1_32" would put a
# 4-byte tag on SRTCP too, which no RFC-following peer accepts.
iop_ffmpeg_suite() {
	case "$1" in
	AES_CM_128_HMAC_SHA1_80) echo AES_CM_128_HMAC_SHA1_80 ;;
	AES_CM_128_HMAC_SHA1_32) echo SRTP_AES128_CM_HMAC_SHA1_32 ;;
	*) return 1 ;;
	esac
}

# iop_gst_policy PROFILE: "rtp-cipher rtp-auth rtcp-cipher rtcp-auth" as
# srtpenc properties / srtpdec caps values.
iop_gst_policy() {
	case "$1" in
	AES_CM_128_HMAC_SHA1_80) echo "aes-128-icm hmac-sha1-80 aes-128-icm hmac-sha1-80" ;;
	AES_CM_128_HMAC_SHA1_32) echo "aes-128-icm hmac-sha1-32 aes-128-icm hmac-sha1-80" ;;
	AEAD_AES_128_GCM) echo "aes-128-gcm null aes-128-gcm null" ;;
	AEAD_AES_256_GCM) echo "aes-256-gcm null aes-256-gcm null" ;;
	*) return 1 ;;
	esac
}

# iop_default_pt KIND: the payload type used when none is given (ffmpeg's
# own choice: 96 for the first video, 97 for the first audio stream).
iop_default_pt() {
	if [ "$1" = audio ]; then echo 97; else echo 96; fi
}

# iop_expected_frames KIND SECONDS: frames a publisher sends in SECONDS.
iop_expected_frames() {
	if [ "$1" = audio ]; then
		echo $(($2 * IOP_AUDIO_PPS))
	else
		echo $(($2 * IOP_VIDEO_FPS))
	fi
}

# iop_ffmpeg_ssrc SSRC: ffmpeg's -ssrc is a signed 32-bit option, so values
# above 2^31-1 are passed as their two's-complement negative.
iop_ffmpeg_ssrc() {
	if [ "$1" -gt 2147483647 ]; then echo $(($1 - 4294967296)); else echo "$1"; fi
}

# iop_url_host ADDR: ADDR bracketed for a URL when it is IPv6.
iop_url_host() {
	case "$1" in *:*) echo "[$1]" ;; *) echo "$1" ;; esac
}

# iop_track NAME PID: remember PID (a timeout(1) wrapper, so a group leader)
# under NAME for iop_wait and iop_cleanup.
iop_track() {
	echo "$2" >"$IOP_DIR/$1.pid"
	IOP_PIDS+=("$2")
}

# iop_pub_finish NAME SECONDS: wait for publisher NAME, started for SECONDS
# of media, to end by itself; give it SECONDS + 4 s from now at most, then
# stop it with iop_stop (gst-launch sometimes waits forever for rtpbin's
# RTCP pad to reach EOS after the media ended). Returns the exit status;
# a publisher stopped that way counts as a clean end (0) when it exits 0 or
# by the SIGINT (130), as its media had all been sent.
iop_pub_finish() {
	local pid left=$((($2 + 4) * 10)) st rc=0
	pid=$(cat "$IOP_DIR/$1.pid") || return 1
	while [ "$left" -gt 0 ] && [ -r "/proc/$pid/stat" ]; do
		st=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) || break
		[ "$st" != Z ] || break
		sleep 0.1
		left=$((left - 1))
	done
	if [ "$left" -gt 0 ]; then
		iop_wait "$1"
		return
	fi
	iop_log "$1 still running 4 s after its media ended; stopping it"
	iop_stop "$1"
	iop_wait "$1" || rc=$?
	[ "$rc" -ne 130 ] || rc=0
	return $rc
}

# iop_stop NAME: ask process NAME to finish now; both tools then write what
# they have and exit 0. gst-launch stops on SIGINT. ffmpeg, once transcoding
# runs, aborts a blocking read only on a second signal (its interrupt
# callback wants more signals than "init done") and hard-exits, and can hang
# in exit(), after more than three; so ffmpeg runs under
# `timeout --foreground` (which forwards a signal once, to the tool only) and
# gets exactly two, 0.5 s apart.
iop_stop() {
	local pid
	pid=$(cat "$IOP_DIR/$1.pid") || return 1
	kill -INT "$pid" 2>/dev/null || return 0
	if [ "$(cat "$IOP_DIR/$1.tool" 2>/dev/null)" = ffmpeg ]; then
		sleep 0.5
		kill -INT "$pid" 2>/dev/null || true
	fi
}

# iop_cleanup: TERM each tracked process group that is still alive, then KILL
# what survives 2 s. Called from the EXIT trap; safe to call twice.
iop_cleanup() {
	local p alive=()
	for p in "${IOP_PIDS[@]}"; do
		if kill -0 "$p" 2>/dev/null; then
			kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null
			alive+=("$p")
		fi
	done
	if [ ${#alive[@]} -gt 0 ]; then
		sleep 2
		for p in "${alive[@]}"; do
			kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null
		done
	fi
	IOP_PIDS=()
}

# iop_wait NAME: wait for the process started as NAME; its exit status. In a
# subshell (e.g. inside $(...)), which cannot wait for its parent's children,
# it polls until the process has exited and returns 0.
iop_wait() {
	local pid rc=0 st
	pid=$(cat "$IOP_DIR/$1.pid") || return 1
	if [ "$BASHPID" = "$$" ]; then
		wait "$pid" || rc=$?
		return $rc
	fi
	while [ -r "/proc/$pid/stat" ]; do
		st=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) || break
		[ "$st" != Z ] || break
		sleep 0.1
	done
	return 0
}

# iop_wait_bound PORT [SECONDS]: wait until some process has a UDP socket
# bound to PORT (the subscriber is listening), in $IOP_NETNS if set; 1 after
# SECONDS (default 5).
iop_wait_bound() {
	local port=$1 tries=$((${2:-5} * 10)) ns=()
	[ -z "$IOP_NETNS" ] || ns=(ip netns exec "$IOP_NETNS")
	while [ "$tries" -gt 0 ]; do
		if [ -n "$("${ns[@]}" ss -Hlun "sport = :$port" 2>/dev/null)" ]; then
			return 0
		fi
		sleep 0.1
		tries=$((tries - 1))
	done
	iop_log "nothing bound to udp port $port"
	return 1
}

# iop_launch NAME SECONDS CMD...: run CMD under timeout(1) (SIGINT after
# SECONDS, SIGKILL 3 s later), stdout and stderr line-buffered to
# $IOP_DIR/NAME.log, in the background; tracked as NAME. ffmpeg runs with
# --foreground (see iop_stop). With IOP_NETNS set, CMD runs in that network
# namespace (`ip netns exec` execs in place, so the PID stays the same).
iop_launch() {
	local name=$1 secs=$2
	shift 2
	printf '%q ' "$@" >"$IOP_DIR/$name.cmd"
	echo >>"$IOP_DIR/$name.cmd"
	local fg=() ns=()
	[ "$1" != ffmpeg ] || fg=(--foreground)
	[ -z "$IOP_NETNS" ] || ns=(ip netns exec "$IOP_NETNS")
	timeout "${fg[@]}" -k 3 -s INT "$secs" "${ns[@]}" stdbuf -oL -eL "$@" \
		>"$IOP_DIR/$name.log" 2>&1 </dev/null &
	iop_track "$name" $!
}

# iop_ffmpeg_pub_cmd PROFILE HEX ADDR PORT KIND SECONDS SSRC PT SDPOUT: set
# IOP_CMD to an ffmpeg SRTP publisher. RTCP goes to the same port
# (rtcpport=PORT, i.e. rtcp-mux) but from the local RTP port + 1.
iop_ffmpeg_pub_cmd() {
	local prof=$1 hex=$2 addr=$3 port=$4 kind=$5 secs=$6 ssrc=$7 pt=$8 sdp=$9
	local suite host
	suite=$(iop_ffmpeg_suite "$prof") || return 2
	host=$(iop_url_host "$addr")
	IOP_CMD=(ffmpeg -hide_banner -nostdin -loglevel warning -re)
	if [ "$kind" = audio ]; then
		IOP_CMD+=(-f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$secs"
			-c:a libopus -b:a 64k -frame_duration 20)
	else
		IOP_CMD+=(-f lavfi -i "testsrc=size=320x240:rate=$IOP_VIDEO_FPS" -t "$secs"
			-pix_fmt yuv420p -c:v libx264 -profile:v baseline -preset ultrafast
			-tune zerolatency -g "$IOP_VIDEO_FPS")
	fi
	IOP_CMD+=(-f rtp -payload_type "$pt")
	[ -z "$ssrc" ] || IOP_CMD+=(-ssrc "$(iop_ffmpeg_ssrc "$ssrc")")
	IOP_CMD+=(-srtp_out_suite "$suite" -srtp_out_params "$(iop_hex2b64 "$hex")"
		-sdp_file "$sdp" "srtp://$host:$port?rtcpport=$port&pkt_size=1200")
}

# iop_gst_pub_cmd PROFILE HEX ADDR PORT KIND SECONDS SSRC PT: set IOP_CMD to
# a gst-launch SRTP publisher. rtpbin adds RTCP SR/SDES; a funnel sends SRTP
# and SRTCP from one socket to ADDR:PORT (rtcp-mux, RFC 5761).
iop_gst_pub_cmd() {
	local prof=$1 hex=$2 addr=$3 port=$4 kind=$5 secs=$6 ssrc=$7 pt=$8
	local pol=() src pay
	read -r -a pol <<<"$(iop_gst_policy "$prof")"
	[ ${#pol[@]} -eq 4 ] || return 2
	if [ "$kind" = audio ]; then
		src="audiotestsrc is-live=true num-buffers=$((secs * IOP_AUDIO_PPS)) samplesperbuffer=960
			! audio/x-raw,rate=48000,channels=1 ! opusenc frame-size=20"
		pay="rtpopuspay pt=$pt"
	else
		src="videotestsrc is-live=true num-buffers=$((secs * IOP_VIDEO_FPS))
			! video/x-raw,width=320,height=240,framerate=$IOP_VIDEO_FPS/1 ! openh264enc"
		pay="rtph264pay pt=$pt config-interval=-1"
	fi
	[ -z "$ssrc" ] || pay="$pay ssrc=$ssrc"
	# shellcheck disable=SC2206 # the pipeline description is split on purpose
	IOP_CMD=(gst-launch-1.0 -q rtpbin name=rb $src ! $pay mtu=1200
		! rb.send_rtp_sink_0 rb.send_rtp_src_0 ! e.rtp_sink_0
		rb.send_rtcp_src_0 ! e.rtcp_sink_0
		srtpenc name=e "key=$hex" "rtp-cipher=${pol[0]}" "rtp-auth=${pol[1]}"
		"rtcp-cipher=${pol[2]}" "rtcp-auth=${pol[3]}"
		e.rtp_src_0 ! f. e.rtcp_src_0 ! f.
		funnel name=f ! udpsink "host=$addr" "port=$port" sync=false async=false)
}

# iop_pub_start NAME TOOL PROFILE HEXKEY DEST_ADDR DEST_PORT KIND SECONDS
#               [SSRC] [PT]
# Start TOOL (ffmpeg|gst) sending KIND (video|audio) for SECONDS as SRTP
# with PROFILE and HEXKEY to DEST_ADDR:DEST_PORT. SSRC (decimal) defaults to
# the tool's random choice, PT to iop_default_pt. Returns 2 if TOOL cannot do
# PROFILE. ffmpeg also writes the SDP it would offer to $IOP_DIR/NAME.sdp.
iop_pub_start() {
	local name=$1 tool=$2 prof=$3 hex=$4 addr=$5 port=$6 kind=$7 secs=$8
	local ssrc=${9:-} pt=${10:-}
	[ -n "$pt" ] || pt=$(iop_default_pt "$kind")
	if ! iop_supports "$tool" "$prof"; then
		iop_log "$tool cannot publish $prof"
		return 2
	fi
	echo "$tool" >"$IOP_DIR/$name.tool"
	case "$tool" in
	ffmpeg) iop_ffmpeg_pub_cmd "$prof" "$hex" "$addr" "$port" "$kind" "$secs" \
		"$ssrc" "$pt" "$IOP_DIR/$name.sdp" || return 2 ;;
	gst) iop_gst_pub_cmd "$prof" "$hex" "$addr" "$port" "$kind" "$secs" \
		"$ssrc" "$pt" || return 2 ;;
	*) iop_log "unknown tool $tool"; return 2 ;;
	esac
	iop_launch "$name" $((secs + 20)) "${IOP_CMD[@]}"
}

# iop_sdp FILE PROFILE HEX ADDR PORT KIND PT: write the SDP an ffmpeg
# subscriber reads: one m= line, RTP/SAVP, a=crypto (RFC 4568) with the
# base64 key, a=rtcp-mux. c= is where the media comes from (ffmpeg binds the
# wildcard address on PORT and PORT+1 and sends RTCP RR to c=:PORT+1).
iop_sdp() {
	local file=$1 prof=$2 hex=$3 addr=$4 port=$5 kind=$6 pt=$7
	local suite fam=IP4
	suite=$(iop_ffmpeg_suite "$prof") || return 2
	case "$addr" in *:*) fam=IP6 ;; esac
	{
		echo "v=0"
		echo "o=- 0 0 IN $fam $addr"
		echo "s=relais-interop"
		echo "c=IN $fam $addr"
		echo "t=0 0"
		if [ "$kind" = audio ]; then
			echo "m=audio $port RTP/SAVP $pt"
			echo "a=rtpmap:$pt opus/48000/2"
		else
			echo "m=video $port RTP/SAVP $pt"
			echo "a=rtpmap:$pt H264/90000"
			echo "a=fmtp:$pt packetization-mode=1"
		fi
		echo "a=rtcp-mux"
		echo "a=crypto:1 $suite inline:$(iop_hex2b64 "$hex")"
	} >"$file"
}

# iop_gst_caps PROFILE HEX KIND SSRC PT: the application/x-srtp caps that
# give srtpdec the key for SSRC (srtpdec reads a key from caps only together
# with an ssrc; for other SSRCs it emits request-key, which gst-launch cannot
# answer, and drops the packets).
iop_gst_caps() {
	local prof=$1 hex=$2 kind=$3 ssrc=$4 pt=$5 pol=() media
	read -r -a pol <<<"$(iop_gst_policy "$prof")"
	[ ${#pol[@]} -eq 4 ] || return 2
	if [ "$kind" = audio ]; then
		media="media=(string)audio,clock-rate=(int)48000,encoding-name=(string)OPUS"
	else
		media="media=(string)video,clock-rate=(int)90000,encoding-name=(string)H264"
	fi
	echo "application/x-srtp,$media,payload=(int)$pt,ssrc=(uint)$ssrc,srtp-key=(buffer)$hex,srtp-cipher=(string)${pol[0]},srtp-auth=(string)${pol[1]},srtcp-cipher=(string)${pol[2]},srtcp-auth=(string)${pol[3]}"
}

# iop_sub_start NAME TOOL PROFILE HEXKEY LISTEN_ADDR LISTEN_PORT KIND SECONDS
#               [SSRC] [PT]
# Start TOOL (ffmpeg|gst) receiving SRTP KIND on LISTEN_ADDR:LISTEN_PORT for
# SECONDS, decoding every frame. gst needs SSRC (returns 2 without it);
# ffmpeg takes the first SSRC it sees and ignores SSRC. PT defaults to
# iop_default_pt. Use iop_sub_count NAME for the result.
iop_sub_start() {
	local name=$1 tool=$2 prof=$3 hex=$4 addr=$5 port=$6 kind=$7 secs=$8
	local ssrc=${9:-} pt=${10:-} caps dec
	[ -n "$pt" ] || pt=$(iop_default_pt "$kind")
	if ! iop_supports "$tool" "$prof"; then
		iop_log "$tool cannot subscribe to $prof"
		return 2
	fi
	echo "$tool" >"$IOP_DIR/$name.tool"
	case "$tool" in
	ffmpeg)
		iop_sdp "$IOP_DIR/$name.sdp" "$prof" "$hex" "$addr" "$port" "$kind" "$pt" || return 2
		iop_launch "$name" "$secs" ffmpeg -y -hide_banner -nostdin -loglevel info \
			-protocol_whitelist file,udp,rtp,srtp -threads 1 -i "$IOP_DIR/$name.sdp" \
			-map 0 -flush_packets 1 -f framemd5 "$IOP_DIR/$name.out"
		;;
	gst)
		if [ -z "$ssrc" ]; then
			iop_log "gst subscriber $name needs the SSRC it will receive"
			return 2
		fi
		caps=$(iop_gst_caps "$prof" "$hex" "$kind" "$ssrc" "$pt") || return 2
		if [ "$kind" = audio ]; then
			dec="rtpopusdepay ! opusdec"
		else
			dec="rtph264depay ! avdec_h264"
		fi
		# shellcheck disable=SC2086 # $dec is a pipeline fragment
		iop_launch "$name" "$secs" gst-launch-1.0 -v udpsrc "address=$addr" "port=$port" \
			"caps=$caps" ! srtpdec name=d ! $dec \
			! fakesink name=mediasink silent=false sync=false \
			d.rtcp_src ! fakesink name=rtcpsink silent=false sync=false async=false
		;;
	*) iop_log "unknown tool $tool"; return 2 ;;
	esac
}

# iop_count_in FILE REGEX: lines of FILE matching REGEX (0 if none/absent).
iop_count_in() {
	local n
	n=$(grep -c -- "$2" "$1" 2>/dev/null) || true
	echo "${n:-0}"
}

# iop_sub_count NAME: wait for subscriber NAME to end, then print the number
# of decoded media frames and write it to $IOP_DIR/NAME.count.
iop_sub_count() {
	local name=$1 n
	iop_wait "$name" || true
	case "$(cat "$IOP_DIR/$name.tool")" in
	ffmpeg) n=$(iop_count_in "$IOP_DIR/$name.out" '^[0-9]') ;;
	gst) n=$(iop_count_in "$IOP_DIR/$name.log" 'GstFakeSink:mediasink: last-message = chain') ;;
	esac
	echo "$n" >"$IOP_DIR/$name.count"
	echo "$n"
}

# iop_sub_rtcp NAME: after iop_sub_count, the SRTCP packets subscriber NAME
# authenticated and decrypted (gst), or -1 where the tool does not show it.
iop_sub_rtcp() {
	case "$(cat "$IOP_DIR/$1.tool")" in
	gst) iop_count_in "$IOP_DIR/$1.log" 'GstFakeSink:rtcpsink: last-message = chain' ;;
	*) echo -1 ;;
	esac
}
