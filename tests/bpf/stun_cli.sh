#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# relais-xdp and the STUN/DTLS budget, as an operator drives it: in a private
# network namespace (unshare -n, gone with this script) `attach lo --skb` sets
# the default budget and says so; `stun-rate` changes it and `stats` shows it;
# real STUN over lo from one socket is cut at the burst and counted as
# xdp_stun_dtls_rate while RTP from the same socket passes; `stun-rate off`
# stops it and a later `adopt` leaves it off. Maps are pinned under
# /sys/fs/bpf/relais-test-stun-PID (removed on exit). Needs root and bpffs
# (exit 77 and why, otherwise).
set -uo pipefail
xdp=$1
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (CAP_BPF, CAP_NET_ADMIN)"; exit 77; fi
if [ "${RELAIS_STUN_CLI_INNER:-}" != 1 ]; then
	if [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" != bpf_fs ]; then
		echo "SKIP (not a pass): /sys/fs/bpf is not a BPF filesystem: mount -t bpf bpf /sys/fs/bpf"
		exit 77
	fi
	RELAIS_STUN_CLI_INNER=1 exec timeout 60 unshare -n "$0" "$@"
fi
root=/sys/fs/bpf/relais-test-stun-$$
dir=$root/lo
trap 'rm -f "$dir"/rlx_* ; rmdir "$dir" "$root" 2>/dev/null' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
x() { "$xdp" --pin-dir "$dir" "$@"; }
# Packets of drop reason $1 in `stats` (0 when the line is absent).
drops() { x stats | awk -v r="$1" '$1 == "drop" && $2 == r { print $3; f = 1 } END { if (!f) print 0 }'; }
# Send $2 datagrams starting with byte $1 to 127.0.0.1:5000 from one socket.
send() {
	/usr/bin/python3 - "$1" "$2" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 40123))
for _ in range(int(sys.argv[2])):
    s.sendto(bytes([int(sys.argv[1]), 1]) + bytes(98), ("127.0.0.1", 5000))
EOF
}

ip link set lo up
mkdir -p "$root"
out=$("$xdp" --pin-dir "$dir" attach lo --skb 2>&1)
grep -q "STUN/DTLS budget: 100/s, burst 200 per source address+port (default)" <<<"$out" &&
	ok || ko "attach did not announce the default budget: $out"
x stats | grep -q "stun/dtls on (per source address+port pps 100 burst 200, node total pps 0" &&
	ok || ko "stats after attach: $(x stats | head -2)"
x stun-rate --pps 1 --burst 3 && ok || ko "stun-rate --pps 1 --burst 3"
x stats | grep -q "stun/dtls on (per source address+port pps 1 burst 3," && ok || ko "stats: budget 1/3"
none0=$(drops none)
send 0 10 # STUN binding requests
send 128 20 # RTP from the same address and port
sleep 0.2
n=$(drops xdp_stun_dtls_rate)
[ "$n" = 7 ] && ok || ko "10 STUN at burst 3: $n dropped as xdp_stun_dtls_rate, want 7"
n=$(($(drops none) - none0))
[ "$n" = 23 ] && ok || ko "3 STUN + 20 RTP should reach the socket side, got $n"
x stun-rate off && ok || ko "stun-rate off"
x stats | grep -q "stun/dtls off (per source address+port pps 1 burst 3," && ok || ko "stats: off"
out=$("$xdp" --pin-dir "$dir" adopt lo 2>&1)
grep -q "default" <<<"$out" && ko "adopt re-applied the defaults after stun-rate off: $out" || ok
send 22 10 # DTLS, budget off
sleep 0.2
n=$(drops xdp_stun_dtls_rate)
[ "$n" = 7 ] && ok || ko "budget off: drops moved to $n"
x stun-rate && x stats | grep -q "stun/dtls on (per source address+port pps 100 burst 200," &&
	ok || ko "stun-rate without numbers: defaults"
"$xdp" help | grep -q "stun-rate \[--pps N\]" && ok || ko "help lists stun-rate"
"$xdp" --pin-dir "$dir" detach lo >/dev/null 2>&1
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
