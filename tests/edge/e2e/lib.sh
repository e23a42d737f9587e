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
CLIENT_NS=()
# Extra relais-edge arguments of web_node/web_edge (e.g. --pages DIR,
# --max-half-open 2).
EDGE_EXTRA=()
# Extra dataplane settings of web_node (e.g. -s media.gateway4=ADDR when
# peers sit behind the peers' namespace).
WEB_DP_EXTRA=()
# The namespace chrome starts browsers in (empty: the peers' $WEB-peer).
CHROME_NS=''
# Chromium browsers started by chrome: name -> process group id (= PID).
declare -A CHROMES=()
CHROMIUM=/usr/lib/chromium/chromium

# Remove what web_node and client_ns made besides what cp_cleanup removes.
web_cleanup() {
	set +e
	for c in "${!CHROMES[@]}"; do chrome_stop "$c"; done
	for i in "${SIGNAL_IFS[@]}"; do ip link del "$i" >/dev/null 2>&1; done
	for ns in "${CLIENT_NS[@]}"; do ip netns del "$ns" >/dev/null 2>&1; done
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

# web_node NODE SUBNET [EDGE_ARGS...]: namespaces $WEB-dp/$WEB-peer, the
# dataplane (with edge.socket and WEB_DP_EXTRA), its control plane, the signalling veth and
# relais-edge (web_edge, with EDGE_ARGS) on 10.78.SUBNET.1:8443. Sets URL
# (base of WHIP/WHEP and of the pages) and EDGE_PID.
web_node() {
	local node=$1 n=$2 sig="${WEB}-s" sigp="${WEB}-sp"
	# shellcheck disable=SC2034 # read by start_dp (tests/controlplane/lib.sh)
	DP_EXTRA=(-s "edge.socket=$W/$node.edge.sock" "${WEB_DP_EXTRA[@]}")
	media_node "$node" "$WEB" "$n"
	ip link del "$sig" >/dev/null 2>&1 || true
	SIGNAL_IFS+=("$sig")
	ip link add "$sig" type veth peer name "$sigp"
	ip link set "$sigp" netns "$WEB-peer"
	ip addr add "10.78.$n.1/24" dev "$sig"
	ip link set "$sig" up
	ip -n "$WEB-peer" addr add "10.78.$n.2/24" dev "$sigp"
	ip -n "$WEB-peer" link set "$sigp" up
	shift 2
	web_edge "$node" "$n" "$@"
}

# web_edge NODE SUBNET [ARGS...]: start NODE's relais-edge (media address
# 10.77.SUBNET.1, WHIP/WHEP on 10.78.SUBNET.1:8443) with EDGE_EXTRA and
# ARGS; returns once it reached the dataplane. Log: $W/NODE.edge.log (each
# start appends), status file $W/NODE.edge.status (edge_stat reads it).
# Sets URL and EDGE_PID.
web_edge() {
	local node=$1 n=$2 log="$W/$1.edge.log" ups
	shift 2
	ups=$(grep -c "edge link to .* up" "$log" 2>/dev/null || true)
	"$B/edge/relais-edge" --node "$node" --keyring "$W/keyring" --link "$W/$node.edge.sock" \
		--media-ip "10.77.$n.1" --http "10.78.$n.1:8443" --token-secret "$W/token.secret" \
		--redis "127.0.0.1:$RPORT" --status-file "$W/$node.edge.status" "${EDGE_EXTRA[@]}" "$@" \
		>>"$log" 2>&1 &
	EDGE_PID=$!
	PIDS+=("$EDGE_PID")
	URL="http://10.78.$n.1:8443"
	wait_for 10 edge_ups_over "$log" "${ups:-0}" ||
		die "relais-edge did not reach the dataplane: $(tail -n 5 "$log")"
}

# edge_ups_over LOG N: relais-edge's LOG says its link came up more than N
# times (for wait_for).
edge_ups_over() { [ "$(grep -c "edge link to .* up" "$1")" -gt "$2" ]; }

# web_edge_stop: SIGTERM the relais-edge of EDGE_PID (it ends every
# session) and wait for it to exit.
web_edge_stop() {
	kill "$EDGE_PID"
	wait "$EDGE_PID" || die "relais-edge exited with $? on SIGTERM"
}

# chrome NAME URL: headless Chromium in the peers' namespace (or CHROME_NS;
# neither has a default route) opening URL, with the flags of the WebRTC testing guide,
# its own profile $W/NAME.chrome, no lookups but of the test's addresses
# (10.77.N.*, 10.78.N.*, CHROME_EXCLUDE), fake camera and microphone, the pages' origin
# ($URL) treated as secure (getUserMedia). Its own session and process
# group (setsid), so chrome_stop ends every process it forks. Console on
# $W/NAME.chrome.log. Sets CHROME_PID (= its process group).
chrome() {
	local name=$1 url=$2 net=${URL#http://}
	net=${net%%:*}
	net=${net%.*}
	setsid ip netns exec "${CHROME_NS:-$WEB-peer}" "$CHROMIUM" --headless=new --no-sandbox \
		--use-fake-device-for-media-stream --use-fake-ui-for-media-stream \
		--user-data-dir="$W/$name.chrome" \
		--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE $net.1, EXCLUDE $net.2, EXCLUDE ${net/10.78/10.77}.1, EXCLUDE ${net/10.78/10.77}.2${CHROME_EXCLUDE:+, EXCLUDE $CHROME_EXCLUDE}" \
		--unsafely-treat-insecure-origin-as-secure="$URL" \
		--autoplay-policy=no-user-gesture-required \
		--disable-gpu --disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --enable-logging=stderr --v=0 \
		"$url" >"$W/$name.chrome.log" 2>&1 &
	CHROME_PID=$!
	CHROMES[$name]=$CHROME_PID
	wait_for 2 own_group "$CHROME_PID" || die "Chromium $name is not its own process group"
}

# own_group PID: PID leads its own process group (setsid has run).
own_group() { [ "$(ps -o pgid= -p "$1" | tr -d ' ')" = "$1" ]; }

# chrome_stop NAME: end the browser NAME of chrome: its whole process
# group (TERM, then KILL after 3 s), then its profile directory.
chrome_stop() {
	local pid=${CHROMES[$1]:-}
	[ -n "$pid" ] || return 0
	unset "CHROMES[$1]"
	kill -TERM -- "-$pid" 2>/dev/null || true
	for _ in $(seq 30); do pgrep -g "$pid" >/dev/null || break; sleep 0.1; done
	kill -KILL -- "-$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	for _ in $(seq 30); do pgrep -g "$pid" >/dev/null || break; sleep 0.1; done
	pgrep -g "$pid" >/dev/null && echo "$T: Chromium $1 (group $pid) outlived KILL" >&2
	rm -rf "$W/$1.chrome"
	return 0
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
	PIDS+=("$PEER_PID")
}

# edge_stat NODE GROUP NAME: a counter of relais-edge's status file (e.g.
# edge_stat n1 stun bad_integrity); fails when the file or the name is
# missing.
edge_stat() {
	/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]])' \
		"$W/$1.edge.status" "$2" "$3"
}

# reports SUBNET: the pages' report sink (report_server.py) in the peers'
# namespace on 10.78.SUBNET.2:8099; each page's latest report in
# $W/reports/NAME.json, all of them in NAME.jsonl. Sets REPORTS (the base
# URL of page's report=).
reports() {
	REPORTS="http://10.78.$1.2:8099"
	ip netns exec "$WEB-peer" /usr/bin/python3 "$TOP/tests/edge/e2e/report_server.py" \
		"$W/reports" "10.78.$1.2" 8099 >"$W/reports.log" 2>&1 &
	PIDS+=($!)
	wait_for 10 grep -q "reports on" "$W/reports.log" || die "report server did not start"
}

# pages_node SUBNET: what a browser test needs, after need_root: Chromium
# (or die), web_init, Redis, node n1 (web_node, with WEB_DP_EXTRA) serving
# the pages of web/, and the report server (reports).
pages_node() {
	[ -x "$CHROMIUM" ] || die "$CHROMIUM is required (Debian package chromium)"
	web_init
	RPORT=$(free_port)
	start_redis "$RPORT" "$W/redis"
	EDGE_EXTRA+=(--pages "$TOP/web")
	web_node n1 "$1"
	reports "$1"
}

# rep NAME EXPR: a value of page NAME's latest report (python on j).
rep() {
	/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$W/reports/$1.json" "$2"
}
# rep_true NAME EXPR: the expression holds on NAME's latest report (for wait_for).
rep_true() { [ "$(rep "$1" "$2" 2>/dev/null)" = True ]; }
# page NAME KIND ROOM SUB [QUERY]: Chromium (chrome) on KIND.html (publish
# or watch) of ROOM as participant SUB, reporting to REPORTS as NAME.
page() {
	local name=$1 kind=$2 room=$3 sub=$4 q=${5:-} rights=publish
	[ "$kind" = watch ] && rights=subscribe
	chrome "$name" "$URL/$kind.html?room=$room&token=$(token "$sub" "$room" "$rights")&report=$REPORTS/$name$q"
}
# page_dump NAME: what a person would look at when NAME failed.
page_dump() {
	echo "--- $1: report: $(cat "$W/reports/$1.json" 2>/dev/null)"
	grep -a "relais:" "$W/$1.chrome.log" | tail -n 8 || true
}
# Report expressions (rep_true): a watcher decodes video and audio; a
# publisher is connected and encodes video.
# shellcheck disable=SC2034 # read by the tests
DECODING='j["inbound"]["video"].get("framesDecoded", 0) > 0 and j["inbound"]["audio"].get("totalSamplesReceived", 0) > 0'
# shellcheck disable=SC2034 # read by the tests
SENDING='j["connection"] == "connected" and j["outbound"]["video"].get("framesEncoded", 0) > 0'

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

# client_ns SUBNET: namespace $WEB-cl behind the peers' namespace, as a
# network that blocks UDP would leave a client: its only link is a veth to
# $WEB-peer (10.79.SUBNET.2 <-> .1), routed there only towards the
# signalling subnet (10.78.SUBNET.0/24) and never towards the media
# address; the peers' namespace forwards, the root namespace routes
# 10.79.SUBNET.0/24 back through the signalling veth.
client_ns() {
	local n=$1 ns="${WEB}-cl"
	ip netns del "$ns" >/dev/null 2>&1 || true
	CLIENT_NS+=("$ns")
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$WEB-peer" link add "${WEB}-c" type veth peer name "${WEB}-cc" netns "$ns"
	ip -n "$WEB-peer" addr add "10.79.$n.1/24" dev "${WEB}-c"
	ip -n "$WEB-peer" link set "${WEB}-c" up
	ip -n "$ns" addr add "10.79.$n.2/24" dev "${WEB}-cc"
	ip -n "$ns" link set "${WEB}-cc" up
	ip -n "$ns" route add "10.78.$n.0/24" via "10.79.$n.1"
	ip netns exec "$WEB-peer" sysctl -qw net.ipv4.ip_forward=1
	ip route add "10.79.$n.0/24" via "10.78.$n.2" dev "${WEB}-s"
}

# turn_secret: the TURN REST secret shared by coturn and relais-edge
# (--turn-secret $W/turn.secret), in TURN_SECRET.
turn_secret() {
	TURN_SECRET=$(openssl rand -hex 16)
	(umask 077 && printf '%s' "$TURN_SECRET" >"$W/turn.secret")
}

# coturn SUBNET: Debian's coturn in the peers' namespace, listening on TCP
# and TLS at 10.79.SUBNET.1 (3478, 5349) for clients, relaying from
# 10.77.SUBNET.2 only to the node's media address (docs/webrtc.md, "TURN").
# REST-API credentials: TURN_SECRET (turn_secret first). TLS certificate:
# $W/turn.crt.
coturn() {
	local n=$1
	[ -n "${TURN_SECRET:-}" ] || turn_secret
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
		-subj "/CN=turn.test" -addext "subjectAltName=IP:10.79.$n.1" \
		-keyout "$W/turn.key" -out "$W/turn.crt" >/dev/null 2>&1
	ip netns exec "$WEB-peer" turnserver -n --listening-ip="10.79.$n.1" \
		--relay-ip="10.77.$n.2" --listening-port=3478 --tls-listening-port=5349 \
		--cert="$W/turn.crt" --pkey="$W/turn.key" --no-udp --no-dtls --no-tcp-relay \
		--use-auth-secret --static-auth-secret="$TURN_SECRET" --realm=relais.test \
		--allowed-peer-ip="10.77.$n.1" --denied-peer-ip=0.0.0.0-255.255.255.255 \
		--no-multicast-peers --no-cli --no-rfc5780 --no-software-attribute \
		--min-port=49152 --max-port=49407 --pidfile="$W/turn.pid" --userdb="$W/turndb" --verbose \
		--log-file=stdout --simple-log >"$W/turn.log" 2>&1 &
	PIDS+=($!)
	wait_for 10 turn_listening || die "coturn did not start: $(tail -n 5 "$W/turn.log")"
}

# turn_listening: coturn listens on its TCP and its TLS port.
turn_listening() {
	[ "$(ip netns exec "$WEB-peer" ss -Hltn '( sport = :3478 or sport = :5349 )' | wc -l)" -ge 2 ]
}

# turn_cred USER: a coturn REST-API credential "USERNAME PASSWORD" valid for
# 10 minutes (username "expiry:USER", password base64 HMAC-SHA1 of it).
turn_cred() {
	local user
	user="$(($(date +%s) + 600)):$1"
	printf '%s %s' "$user" "$(printf '%s' "$user" |
		openssl dgst -sha1 -hmac "$TURN_SECRET" -binary | base64)"
}

# client_peer NAME MODE ROOM SUB SECONDS TURN_URL: peer, but in the client
# namespace, through the TURN server. Sets PEER_PID.
client_peer() {
	local name=$1 mode=$2 room=$3 sub=$4 secs=$5 turl=$6 rights=publish path=whip
	[ "$mode" = watch ] && rights=subscribe path=whep
	ip netns exec "$WEB-cl" env SSL_CERT_FILE="$W/turn.crt" \
		WHIP_PEER_TURN="$turl $(turn_cred "$sub")" /usr/bin/python3 \
		"$TOP/tests/edge/e2e/whip_peer.py" "$mode" "$URL/$path/$room" \
		"$(token "$sub" "$room" "$rights")" "$secs" "$W/$name.json" >"$W/$name.log" 2>&1 &
	PEER_PID=$!
	PIDS+=("$PEER_PID")
}
