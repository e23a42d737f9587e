# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# tests/interop/relay_lib.sh: relais in the middle of ffmpeg and GStreamer.
# Builds on lib.sh (source that first). The topology is scripts/netns.sh's:
# relais-dataplane runs in NAME-dp on net_af_xdp bound to NAME-d
# (10.77.N.1, fd00:77:N::1, media port 5000), the tools run in NAME-peer
# (10.77.N.2, fd00:77:N::2) through IOP_NETNS.
#
#   . tests/interop/lib.sh; . tests/interop/relay_lib.sh
#   rly_init BUILD_DIR rlio1 201          # namespaces, dataplane, EXIT trap
#   rly_cli room add 1                    # relais-cli on the dataplane's socket
#   rly_pub_start p1 ffmpeg PROFILE HEX "$RLY_DP4" 21000 video 3
#   ...
#
# Everything started here is stopped by PID (dataplane, tools) and the
# namespaces are removed by their exact names, from one EXIT trap.

# shellcheck source=../common/netns_lock.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common/netns_lock.sh"
RLY_PORT=5000 # relais' media.port (docs/configuration.md default)
RLY_DP_PID=
RLY_NAME=
RLY_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# rly_cleanup: stop the tools (iop_cleanup), then the dataplane (TERM, KILL
# after 5 s), then delete the namespaces NAME-dp / NAME-peer. EXIT trap.
rly_cleanup() {
	iop_cleanup
	if [ -n "$RLY_DP_PID" ]; then
		kill -TERM "$RLY_DP_PID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$RLY_DP_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$RLY_DP_PID" 2>/dev/null
		wait "$RLY_DP_PID" 2>/dev/null
		RLY_DP_PID=
	fi
	if [ -n "$RLY_NAME" ]; then
		"$RLY_TOP/scripts/netns.sh" down "$RLY_NAME" >/dev/null 2>&1
		RLY_NAME=
	fi
}

# rly_init BUILD NAME SUBNET: create the namespaces NAME-dp/NAME-peer on
# 10.77.SUBNET.0/24 and fd00:77:SUBNET::/64, start relais-dataplane from
# BUILD in NAME-dp (one worker, control socket in $IOP_DIR) and wait for its
# socket. media.consent is off (the operator's override): an ffmpeg
# subscriber sends no RTCP in these runs and a GStreamer one none to relais,
# so neither could consent from its address (docs/interop.md).
# Sets RLY_DP4/RLY_DP6 (relais), RLY_PEER4/RLY_PEER6 (the tools),
# RLY_SOCK, RLY_BUILD and IOP_NETNS. Returns 1 (reason on stderr) on failure.
rly_init() {
	local build=$1 name=$2 n=$3
	iop_init || return 1
	trap rly_cleanup EXIT
	RLY_BUILD=$build
	RLY_SOCK=$IOP_DIR/dataplane.sock
	RLY_DP4=10.77.$n.1 RLY_DP6=fd00:77:$n::1
	# shellcheck disable=SC2034 # for the sourcing script
	RLY_PEER4=10.77.$n.2 RLY_PEER6=fd00:77:$n::2
	if ip netns list | awk '{print $1}' | grep -qx -- "$name-dp"; then
		iop_log "namespace $name-dp exists (a previous run?); removing it"
		"$RLY_TOP/scripts/netns.sh" down "$name" >/dev/null 2>&1
	fi
	RLY_NAME=$name
	"$RLY_TOP/scripts/netns.sh" up "$name" --subnet "$n" --queues 1 \
		>"$IOP_DIR/netns.log" 2>&1 || {
		iop_log "netns.sh up $name failed: $(tail -n 3 "$IOP_DIR/netns.log")"
		return 1
	}
	# shellcheck disable=SC2034 # read by lib.sh's iop_launch, iop_wait_bound
	IOP_NETNS=$name-peer
	ip netns exec "$name-dp" "$build/dataplane/relais-dataplane" \
		--lcores='(0-1)@(0-1)' --no-pci --in-memory --file-prefix="$name" \
		--log-level='*:warning' --vdev="net_af_xdp0,iface=$name-d" -- \
		-s "media.ipv4=$RLY_DP4/24" -s "media.ipv6=$RLY_DP6/64" \
		-s "control.socket=$RLY_SOCK" -s media.consent=off \
		>"$IOP_DIR/dataplane.log" 2>&1 &
	RLY_DP_PID=$!
	for _ in $(seq 100); do
		[ -S "$RLY_SOCK" ] && return 0
		kill -0 "$RLY_DP_PID" 2>/dev/null || break
		sleep 0.1
	done
	iop_log "relais-dataplane did not start: $(tail -n 5 "$IOP_DIR/dataplane.log")"
	return 1
}

# rly_cli ARGS...: relais-cli on this test's dataplane; its exit status.
rly_cli() {
	"$RLY_BUILD/cli/relais-cli" -S "$RLY_SOCK" "$@"
}

# rly_stat NAME: the value of counter or drop reason NAME in `relais-cli
# stats --json` (0 when absent).
rly_stat() {
	rly_cli stats --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(s.get(sys.argv[1], s["drops"].get(sys.argv[1], 0)))' "$1"
}

# rly_track_ssrc ID: the SSRC of track ID as `relais-cli track-stats` shows
# it (0 while a --learn track has not bound one yet).
rly_track_ssrc() {
	rly_cli track-stats "$1" | sed -n 's/.* ssrc \([0-9]*\) .*/\1/p'
}

# rly_pub_start NAME TOOL PROFILE HEXKEY DEST_ADDR KIND SECONDS SRC_ADDR
#               SRC_PORT [SSRC] [PT]
# iop_pub_start towards relais (DEST_ADDR, port RLY_PORT), sending from
# SRC_ADDR:SRC_PORT, the address relais knows the participant by. ffmpeg:
# localaddr=/localrtpport= in the srtp:// URL; its SRTCP leaves from
# SRC_PORT+1, which relais takes as the participant's (rtcp_port_plus_one).
# ffmpeg sends its first SR before its first RTP packet, when relais has not
# learned the SSRC yet, and the next only after 5 s: `-rtpflags send_bye`
# adds an SR (with BYE) at its end, which relais can forward. GStreamer:
# udpsink bind-address=/bind-port= (RTP and RTCP from one socket).
rly_pub_start() {
	local name=$1 tool=$2 prof=$3 hex=$4 dest=$5 kind=$6 secs=$7 saddr=$8 sport=$9
	local ssrc=${10:-} pt=${11:-} last
	[ -n "$pt" ] || pt=$(iop_default_pt "$kind")
	if ! iop_supports "$tool" "$prof"; then
		iop_log "$tool cannot publish $prof"
		return 2
	fi
	echo "$tool" >"$IOP_DIR/$name.tool"
	case "$tool" in
	ffmpeg)
		iop_ffmpeg_pub_cmd "$prof" "$hex" "$dest" "$RLY_PORT" "$kind" "$secs" \
			"$ssrc" "$pt" "$IOP_DIR/$name.sdp" || return 2
		last=$((${#IOP_CMD[@]} - 1))
		IOP_CMD=("${IOP_CMD[@]:0:last}" -rtpflags send_bye
			"${IOP_CMD[last]}&localaddr=$saddr&localrtpport=$sport")
		;;
	gst)
		iop_gst_pub_cmd "$prof" "$hex" "$dest" "$RLY_PORT" "$kind" "$secs" \
			"$ssrc" "$pt" || return 2
		IOP_CMD+=("bind-address=$saddr" "bind-port=$sport")
		;;
	*) iop_log "unknown tool $tool"; return 2 ;;
	esac
	iop_launch "$name" $((secs + 20)) "${IOP_CMD[@]}"
}
