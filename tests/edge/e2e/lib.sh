#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers of the webrtc end-to-end tests, on top of tests/controlplane/lib.sh
# (redis-server, relais-dataplane on net_af_xdp in namespaces, the control
# plane; everything stopped by PID, namespaces by exact name):
#   - a node: its dataplane with edge.socket, its control plane and
#     relais-edge, which serves WHIP/WHEP on a veth pair between the root
#     namespace (10.78.N.1) and the peers' namespace (10.78.N.2), because
#     the peers' only other link leads to the dataplane's port;
#   - bearer tokens made here with hmac (independent of libjwt);
#   - WebRTC peers in the peers' namespace.
# Source it with B, T and WEB set (WEB: the namespace name, 1-8 chars).
# shellcheck source=../../controlplane/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../controlplane/lib.sh"

SIGNAL_IFS=()
# Extra relais-edge options for web_node (e.g. --max-half-open 2).
EDGE_EXTRA=()

# Remove what web_node made besides what cp_cleanup removes.
web_cleanup() {
	set +e
	for i in "${SIGNAL_IFS[@]}"; do ip link del "$i" >/dev/null 2>&1; done
	cp_cleanup
}

# web_init: cp_init with web_cleanup at exit, the token secret file.
web_init() {
	cp_init
	trap web_cleanup EXIT
	openssl rand -hex 32 | tr -d '\n' >"$W/token.secret"
	chmod 600 "$W/token.secret"
}

# token SUB ROOM RIGHTS [EXP_OFFSET]: an HS256 JWT in LiveKit's layout;
# RIGHTS a comma list of publish,subscribe.
token() {
	/usr/bin/python3 - "$W/token.secret" "$@" <<'PY'
import base64, hashlib, hmac, json, sys, time
secret = open(sys.argv[1], "rb").read()
sub, room, rights = sys.argv[2], sys.argv[3], sys.argv[4].split(",")
exp = int(time.time()) + (int(sys.argv[5]) if len(sys.argv) > 5 else 600)
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=")
head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
body = b64(json.dumps({"sub": sub, "exp": exp, "video": {"room": room, "roomJoin": True,
       "canPublish": "publish" in rights, "canSubscribe": "subscribe" in rights}}).encode())
sig = b64(hmac.new(secret, head + b"." + body, hashlib.sha256).digest())
print((head + b"." + body + b"." + sig).decode())
PY
}

# web_node NODE SUBNET: namespaces $WEB-dp/$WEB-peer, the dataplane (with
# edge.socket), its control plane, the signalling veth and relais-edge on
# 10.78.SUBNET.1:8443, its status file $W/NODE.edge.status (edge_stat
# reads it). Sets URL (base of WHIP/WHEP) and EDGE_PID.
web_node() {
	local node=$1 n=$2 sig="${WEB}-s" sigp="${WEB}-sp"
	# shellcheck disable=SC2034 # read by start_dp (tests/controlplane/lib.sh)
	DP_EXTRA=(-s "edge.socket=$W/$node.edge.sock")
	media_node "$node" "$WEB" "$n"
	ip link del "$sig" >/dev/null 2>&1 || true
	SIGNAL_IFS+=("$sig")
	ip link add "$sig" type veth peer name "$sigp"
	ip link set "$sigp" netns "$WEB-peer"
	ip addr add "10.78.$n.1/24" dev "$sig"
	ip link set "$sig" up
	ip -n "$WEB-peer" addr add "10.78.$n.2/24" dev "$sigp"
	ip -n "$WEB-peer" link set "$sigp" up
	"$B/edge/relais-edge" --node "$node" --keyring "$W/keyring" --link "$W/$node.edge.sock" \
		--media-ip "10.77.$n.1" --http "10.78.$n.1:8443" --token-secret "$W/token.secret" \
		--redis "127.0.0.1:$RPORT" --status-file "$W/$node.edge.status" "${EDGE_EXTRA[@]}" \
		>>"$W/$node.edge.log" 2>&1 &
	EDGE_PID=$!
	PIDS+=($!)
	URL="http://10.78.$n.1:8443"
	wait_for 10 grep -q "edge link to .* up" "$W/$node.edge.log" ||
		die "relais-edge did not reach the dataplane: $(tail -n 5 "$W/$node.edge.log")"
}

# peer NAME MODE ROOM SUB SECONDS [AUDIO VIDEO]: an aiortc peer in the
# peers' namespace, in the background; JSON in $W/NAME.json. Sets PEER_PID.
peer() {
	local name=$1 mode=$2 room=$3 sub=$4 secs=$5 rights=publish path=whip
	shift 5
	[ "$mode" = watch ] && rights=subscribe path=whep
	ip netns exec "$WEB-peer" env WHIP_PEER_DEBUG="${WHIP_PEER_DEBUG:-}" /usr/bin/python3 "$TOP/tests/edge/e2e/whip_peer.py" "$mode" \
		"$URL/$path/$room" "$(token "$sub" "$room" "$rights")" "$secs" "$W/$name.json" "$@" \
		>"$W/$name.log" 2>&1 &
	PEER_PID=$!
	PIDS+=($PEER_PID)
}

# edge_stat NODE GROUP NAME: a counter of relais-edge's status file (e.g.
# edge_stat n1 stun bad_integrity); fails when the file or the name is
# missing.
edge_stat() {
	/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]])' \
		"$W/$1.edge.status" "$2" "$3"
}

# json FILE EXPR: a value of a peer's JSON (python expression on j).
json() {
	/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# web_diag NODE: the dataplane's counters that moved and its participants,
# printed and kept in $W/NODE.stats and $W/NODE.parts.
web_diag() {
	"$B/cli/relais-cli" -S "$W/$1.sock" stats >"$W/$1.stats" 2>&1 || true
	"$B/cli/relais-cli" -S "$W/$1.sock" dump parts >"$W/$1.parts" 2>&1 || true
	say "dataplane: $(awk '$2 != 0 && $2 ~ /^[0-9]+$/ {printf "%s=%s ", $1, $2}' "$W/$1.stats")"
	say "participants: $(tr '\n' ';' <"$W/$1.parts")"
}
