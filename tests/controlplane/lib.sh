#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers of the controlplane suite: a real redis-server on a free
# 127.0.0.1 port in a temp dir, relais-dataplane (net_null, or net_af_xdp in
# namespaces from scripts/netns.sh), relais-controlplane, relaisctl, and the
# load generator. Everything started is recorded and stopped by PID; every
# namespace by its exact name. Source it with B (build dir) and T (test name)
# set; call cp_init first.
set -euo pipefail
# shellcheck source=../common/netns_lock.sh
. "$(dirname "${BASH_SOURCE[0]}")/../common/netns_lock.sh"

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PIDS=() NSNAMES=()
# Extra dataplane settings for every start_dp (e.g. -s edge.socket=...).
DP_EXTRA=()
# Extra net_af_xdp devargs for start_dp in a namespace (e.g. ",xdp_prog=...").
DP_VDEV_EXTRA=
W='' RPORT=''

die() { echo "$T: FAIL: $*" >&2; exit 1; }
say() { echo "$T: $*"; }

# Stop everything by PID (TERM, then KILL), remove namespaces, the temp dir.
cp_cleanup() {
	set +e
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	for n in "${NSNAMES[@]}"; do "$TOP/scripts/netns.sh" down "$n" >/dev/null 2>&1; done
	if [ "${KEEP:-0}" = 1 ]; then echo "$T: kept $W"; else rm -rf "$W"; fi
}

# cp_init: temp dir, keyring, cleanup trap, a time bound for the whole test.
cp_init() {
	W=$(mktemp -d "/tmp/relais-$T.XXXXXX")
	trap cp_cleanup EXIT
	trap 'exit 130' INT TERM
	echo "k1 $(openssl rand -hex 32)" >"$W/keyring"
	chmod 600 "$W/keyring"
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_redis PORT DIR [extra redis-server args...]: returns once it answers.
start_redis() {
	local port=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' \
		--daemonize no --logfile "$dir/redis.log" "$@" &
	PIDS+=($!)
	eval "REDIS_PID_$port=$!"
	for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
	die "redis-server on $port did not start"
}

# pid of the redis-server started on PORT
redis_pid() { eval "echo \${REDIS_PID_$1}"; }

# start_dp NAME SOCK [NETNS IFACE IPV4 IPV6]: net_null unless a namespace is
# given (then net_af_xdp on IFACE inside it).
start_dp() {
	local name=$1 sock=$2 ns=${3:-} dev=${4:-} v4=${5:-10.99.0.1/24} v6=${6:-}
	local args=(--no-pci --in-memory --file-prefix="$name" --log-level='*:warning' -l 0-1)
	local own=(-s media.ipv4="$v4" -s control.socket="$sock")
	[ -n "$v6" ] && own+=(-s media.ipv6="$v6")
	own+=("${DP_EXTRA[@]}")
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$B/dataplane/relais-dataplane" "${args[@]}" \
			--vdev="net_af_xdp0,iface=$dev$DP_VDEV_EXTRA" -- "${own[@]}" >"$W/$name.dp.log" 2>&1 &
	else
		"$B/dataplane/relais-dataplane" "${args[@]}" --vdev=net_null0 -- "${own[@]}" \
			>"$W/$name.dp.log" 2>&1 &
	fi
	PIDS+=($!)
	eval "DP_PID_$name=$!"
	for _ in $(seq 100); do [ -S "$sock" ] && return 0; sleep 0.1; done
	cat "$W/$name.dp.log" >&2
	die "dataplane $name did not start"
}

# start_cp NODE SOCK [extra relais-controlplane args...]; log in $W/NODE.cp.log
start_cp() {
	local node=$1 sock=$2
	shift 2
	"$B/controlplane/relais-controlplane" --node "$node" --keyring "$W/keyring" \
		--redis "127.0.0.1:$RPORT" --dp-socket "$sock" "$@" >>"$W/$node.cp.log" 2>&1 &
	PIDS+=($!)
	eval "CP_PID_$node=$!"
}
cp_pid() { eval "echo \${CP_PID_$1}"; }

# relaisctl with this test's Redis and keyring
rctl() { "$B/controlplane/relaisctl" --redis "127.0.0.1:$RPORT" --keyring "$W/keyring" "$@"; }
# redis-cli on this test's Redis
rcli() { redis-cli -p "$RPORT" "$@"; }

# count KIND SOCK: objects of a kind in the dataplane's DUMP. When
# relais-cli fails (a timeout on a loaded machine) it prints nothing and
# fails, rather than a count of the lines it got before failing, which
# read as objects lost.
dp_count() {
	local out
	out=$("$B/cli/relais-cli" -S "$2" dump "$1") || return 1
	if [ -z "$out" ]; then echo 0; else wc -l <<<"$out"; fi
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local t=$1
	shift
	local end=$(($(date +%s%N) / 1000000 + t * 1000))
	while [ $(($(date +%s%N) / 1000000)) -lt $end ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# conference NAME SUBNET ROOMS SUBS OFFSET DURATION: make-conference files
# $W/NAME.batch (ids shifted by OFFSET so conferences never collide) and
# $W/NAME.scn.
conference() {
	local name=$1 subnet=$2 rooms=$3 subs=$4 off=$5 dur=$6
	python3 "$TOP/scripts/make-conference.py" --cli "$W/$name.raw" --scenario "$W/$name.scn" \
		--rooms "$rooms" --subscribers "$subs" --subnet "$subnet" --ipv6 --duration "$dur" --learn
	perl -pe 's/((?:room add|--room|--id|--part|--track) )(\d+)/$1.($2+'"$off"')/ge' \
		"$W/$name.raw" >"$W/$name.batch"
}

# netns_up NAME SUBNET: the two-namespace topology, removed at exit.
netns_up() {
	NSNAMES+=("$1")
	"$TOP/scripts/netns.sh" down "$1" >/dev/null 2>&1 || true
	"$TOP/scripts/netns.sh" up "$1" --subnet "$2" --queues 1 >/dev/null
}

# start_loadgen NAME NETNS: relais-loadgen in the peer namespace, JSON in
# $W/NAME.json; sets LG_PID.
start_loadgen() {
	ip netns exec "$2" "$B/tools/relais-loadgen" --scenario "$W/$1.scn" --json "$W/$1.json" \
		--quiet >"$W/$1.lg.log" 2>&1 &
	LG_PID=$!
	PIDS+=($LG_PID)
}

# need_root: the netns tests need root (CI runs as root); 77 = skip, loudly.
need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "$T: SKIP: needs root for network namespaces and XDP" >&2
		exit 77
	fi
}

# media_node NODE NS SUBNET [cp args...]: namespaces NS-dp/NS-peer, a
# dataplane on net_af_xdp in NS-dp (socket $W/NODE.sock), its control plane.
media_node() {
	local node=$1 ns=$2 n=$3
	shift 3
	netns_up "$ns" "$n"
	start_dp "$ns" "$W/$node.sock" "$ns-dp" "$ns-d" "10.77.$n.1/24" "fd00:77:$n::1/64"
	start_cp "$node" "$W/$node.sock" --addr4 "10.77.$n.1" --addr6 "fd00:77:$n::1" "$@"
}

# programmed SOCK ROOMS SUBS: the dataplane holds a make-conference
# conference of that size (2 publishers per room).
programmed() {
	local s=$1 r=$2 n=$3
	[ "$(dp_count rooms "$s")" = "$r" ] && [ "$(dp_count parts "$s")" = $((r * (2 + n))) ] &&
		[ "$(dp_count tracks "$s")" = $((r * 2)) ] && [ "$(dp_count subs "$s")" = $((r * n * 2)) ]
}

# loadgen_ok NAME: the load generator passed with zero loss.
loadgen_ok() {
	local rc=0
	wait "$LG_PID" || rc=$?
	tail -n 3 "$W/$1.lg.log"
	[ "$rc" = 0 ] || die "load generator failed (exit $rc): $(tail -n 5 "$W/$1.lg.log")"
	python3 - "$W/$1.json" <<'PY' || die "loss or verification failures in $W/$1.json"
import json, sys
j = json.load(open(sys.argv[1]))
def walk(o, k):
    if isinstance(o, dict):
        for a, b in o.items():
            if a == k: yield b
            yield from walk(b, k)
    elif isinstance(o, list):
        for b in o: yield from walk(b, k)
lost = sum(v for v in walk(j, "lost") if isinstance(v, (int, float)))
recv = sum(v for v in walk(j, "received") if isinstance(v, (int, float)))
print(f"loadgen: received {recv}, lost {lost}")
sys.exit(0 if lost == 0 and recv > 0 else 1)
PY
}

# dp_has KIND SOCK N: the dataplane holds exactly N objects of KIND (for
# wait_for, which re-runs it).
dp_has() { [ "$(dp_count "$1" "$2")" = "$3" ]; }
# rexists KEY: the key exists in this test's Redis (for wait_for).
rexists() { [ "$(rcli exists "$1")" = 1 ]; }
# rcount SETKEY N: the set has N members (for wait_for).
rcount() { [ "$(rcli scard "$1")" = "$2" ]; }

# --- Failover with media (cp_failover_media.sh, perf/cp_failover.sh) ---
# Topology rlfo<TAG> on subnet N: namespaces rlfo<TAG>-a and rlfo<TAG>-b
# hold node A's and node B's dataplane veths rlfo<TAG>a-d (10.77.N.1/24)
# and rlfo<TAG>b-d (10.77.N.2/24); namespace rlfo<TAG>-c holds bridge
# rlfo<TAG>-br with both other ends (rlfo<TAG>a-p, rlfo<TAG>b-p) and the
# participants' address 10.77.N.3/24, so participants reach both nodes on
# one segment and each dataplane resolves them by ARP. Removed at exit by
# these exact names (rlfo_down); offloads off as in scripts/netns.sh.
RLFO_TAGS=()

# rlfo_down TAG: delete the three namespaces of the topology (and with
# them every interface in them); absent ones are fine.
rlfo_down() {
	local ns
	for ns in "rlfo$1-a" "rlfo$1-b" "rlfo$1-c"; do
		ip netns list | awk '{print $1}' | grep -qx -- "$ns" && ip netns del "$ns"
	done
	return 0
}

# rlfo_cleanup: cp_cleanup (processes first), then every rlfo topology.
rlfo_cleanup() {
	cp_cleanup
	for t in "${RLFO_TAGS[@]}"; do rlfo_down "$t"; done
}

# rlfo_up TAG N: create the topology (TAG: 1-4 of [a-z0-9]); the EXIT trap
# becomes rlfo_cleanup.
rlfo_up() {
	local tag=$1 n=$2 c="rlfo$1-c" br="rlfo$1-br" side ns d p host
	[[ "$tag" =~ ^[a-z0-9]{1,4}$ ]] || die "rlfo_up: bad tag '$tag'"
	rlfo_down "$tag"
	RLFO_TAGS+=("$tag")
	trap rlfo_cleanup EXIT
	ip netns add "$c"
	ip -n "$c" link set lo up
	ip -n "$c" link add "$br" type bridge forward_delay 0 stp_state 0
	for side in a b; do
		ns="rlfo$tag-$side" d="rlfo$tag$side-d" p="rlfo$tag$side-p"
		host=$([ $side = a ] && echo 1 || echo 2)
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		ip -n "$ns" link add "$d" numtxqueues 1 numrxqueues 1 type veth peer name "$p" \
			netns "$c" numtxqueues 1 numrxqueues 1
		ip netns exec "$ns" ethtool -K "$d" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
		ip netns exec "$c" ethtool -K "$p" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
		ip -n "$ns" addr add "10.77.$n.$host/24" dev "$d"
		ip -n "$ns" link set "$d" up
		ip -n "$c" link set "$p" master "$br"
		ip -n "$c" link set "$p" up
	done
	ip netns exec "$c" ethtool -K "$br" tx off tso off gso off >/dev/null 2>&1 || true
	ip -n "$c" addr add "10.77.$n.3/24" dev "$br"
	ip -n "$c" link set "$br" up
}

# rlfo_node NODE TAG SIDE N [cp args...]: SIDE a (10.77.N.1) or b
# (10.77.N.2): a dataplane on net_af_xdp on rlfo<TAG><SIDE>-d (socket
# $W/NODE.sock, DP_PID_rlfo<TAG><SIDE>) and NODE's control plane
# publishing that address. A dataplane killed before leaves its XDP
# program attached; it is detached first.
rlfo_node() {
	local node=$1 tag=$2 side=$3 n=$4 host
	shift 4
	host=$([ "$side" = a ] && echo 1 || echo 2)
	ip -n "rlfo$tag-$side" link set dev "rlfo$tag$side-d" xdp off 2>/dev/null || true
	rm -f "$W/$node.sock"
	start_dp "rlfo$tag$side" "$W/$node.sock" "rlfo$tag-$side" "rlfo$tag$side-d" "10.77.$n.$host/24"
	start_cp "$node" "$W/$node.sock" --addr4 "10.77.$n.$host" "$@"
}

# rlfo_kill NODE TAG SIDE: kill -9 NODE's control plane and dataplane.
rlfo_kill() {
	local pids=("$(cp_pid "$1")" "$(eval echo "\$DP_PID_rlfo$2$3")")
	kill -9 "${pids[@]}" 2>/dev/null || true
	wait "${pids[@]}" 2>/dev/null || true # reaped here: no "Killed" line
}

# rlfo_conference NAME N ROOMS SUBS DURATION RATE: make-conference files
# $W/NAME.batch and $W/NAME.scn (IPv4 only) with the participants on
# 10.77.N.3 and every publisher at RATE packets per second.
rlfo_conference() {
	local name=$1 n=$2
	python3 "$TOP/scripts/make-conference.py" --cli "$W/$name.batch" --scenario "$W/$name.raw" \
		--rooms "$3" --subscribers "$4" --subnet "$n" --duration "$5" --learn
	sed -i "s/10\.77\.$n\.2:/10.77.$n.3:/g" "$W/$name.batch"
	sed -e "s/10\.77\.$n\.2:/10.77.$n.3:/g" -e "/^publisher /s/\$/ rate=$6/" \
		"$W/$name.raw" >"$W/$name.scn"
}

# start_follow NAME TAG [cp_follow args...]: cp_follow (perf/cp_follow.c)
# in rlfo<TAG>-c on $W/NAME.scn, Redis through its unix socket
# $W/redis.sock (start_redis ... --unixsocket $W/redis.sock); output in
# $W/NAME.fo.log, JSON in $W/NAME.fo.json; sets FO_PID.
start_follow() {
	local name=$1 tag=$2
	shift 2
	ip netns exec "rlfo$tag-c" "$B/perf/cp_follow" --redis "unix:$W/redis.sock" \
		--scenario "$W/$name.scn" --json "$W/$name.fo.json" "$@" >"$W/$name.fo.log" 2>&1 &
	FO_PID=$!
	PIDS+=($FO_PID)
}

# follow_flowing NAME: cp_follow said every subscriber decrypts media.
follow_flowing() { grep -q 'media flowing' "$W/$1.fo.log"; }
# follow_wrapped NAME: cp_follow said every publisher's sequence number wrapped.
follow_wrapped() { grep -q 'every stream wrapped' "$W/$1.fo.log"; }

# rlfo_drops SOCK REASON: the dataplane's drop counter REASON (a name of
# include/relais/drop_reasons.h, e.g. srtp_auth) from `relais-cli stats`.
rlfo_drops() { "$B/cli/relais-cli" -S "$1" stats | awk -v r="$2" '$1 == r {v = $2} END {print v + 0}'; }
# rlfo_drops_over SOCK REASON N: that counter exceeds N (for wait_for).
rlfo_drops_over() { [ "$(rlfo_drops "$1" "$2")" -gt "$3" ]; }
# rlfo_owned ROOM NODE: the directory says NODE owns ROOM (for wait_for).
rlfo_owned() { [ "$(rcli hget "relais:{dir}:room:$1" owner)" = "$2" ]; }

# tls_ca DIR NAME: a test CA in DIR (ca.crt) and a Redis server certificate
# it signed for NAME and 127.0.0.1 (redis.crt, redis.key), made with openssl
# now (EC P-256, valid 2 days).
tls_ca() {
	local d=$1 name=$2
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-keyout "$d/ca.key" -out "$d/ca.crt" -subj "/CN=relais test CA $(basename "$d")" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/redis.key" -out "$d/redis.csr" -subj "/CN=$name" 2>/dev/null
	printf 'subjectAltName=DNS:%s,IP:127.0.0.1\n' "$name" >"$d/ext"
	openssl x509 -req -in "$d/redis.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/ext" -out "$d/redis.crt" 2>/dev/null
}

# start_redis_tls TLSPORT DIR CERTDIR [args]: redis-server with TLS only
# (--port 0) on TLSPORT, its certificate from CERTDIR (tls_ca).
start_redis_tls() {
	local port=$1 dir=$2 cd=$3
	shift 3
	mkdir -p "$dir"
	redis-server --port 0 --tls-port "$port" --bind 127.0.0.1 --dir "$dir" --save '' \
		--tls-cert-file "$cd/redis.crt" --tls-key-file "$cd/redis.key" \
		--tls-ca-cert-file "$cd/ca.crt" --tls-auth-clients no \
		--daemonize no --logfile "$dir/redis.log" "$@" &
	PIDS+=($!)
	eval "REDIS_PID_$port=$!"
	for _ in $(seq 50); do
		redis-cli --tls --cacert "$cd/ca.crt" -p "$port" ping 2>&1 | grep -q 'PONG\|NOAUTH' &&
			return 0
		sleep 0.1
	done
	die "redis-server (TLS) on $port did not start"
}

# start_stunnel NAME ACCEPT CONNECT CAFILE HOSTNAME: the documented client
# sidecar (docs/examples/stunnel-redis.conf) with this test's values.
start_stunnel() {
	local name=$1 accept=$2 connect=$3 ca=$4 host=$5
	sed -e "s|127.0.0.1:6380|127.0.0.1:$accept|" -e "s|redis.example.net:6379|$connect|" \
		-e "s|/etc/relais/redis-ca.crt|$ca|" -e "s|redis.example.net|$host|g" \
		"$TOP/docs/examples/stunnel-redis.conf" >"$W/$name.conf"
	stunnel4 "$W/$name.conf" >"$W/$name.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do
		(: >"/dev/tcp/127.0.0.1/$accept") 2>/dev/null && return 0
		sleep 0.1
	done
	die "stunnel $name did not listen on $accept: $(cat "$W/$name.log")"
}
