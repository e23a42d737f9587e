#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The closed loop run by the control plane itself (relais-controlplane
# --xdp-pins): a room is created through Redis with a participant at
# 10.77.4.3:40000; the source at that address then sends forged SRTP. The
# control plane polls the dataplane's OFFENDERS, bans 10.77.4.3/32 in the
# pinned XDP blocklist and logs the ban with its reason; the forged packets
# then die in XDP; the ban expires and is logged.
NAME=rlxd4 SUBNET=4
. "$(dirname "$0")/lib.sh"
prereqs
command -v redis-server >/dev/null || { echo "SKIP: redis-server missing" >&2; exit 77; }
start_dataplane
src=10.77.$SUBNET.3
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$rport" --bind 127.0.0.1 --dir "$work" --save '' --logfile "$work/redis.log" &
bg_pids+=("$!")
for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
(umask 077; echo "k1 $(openssl rand -hex 32)" >"$work/keyring")
"$BUILD/controlplane/relais-controlplane" --node "$NAME" --keyring "$work/keyring" \
	--redis "127.0.0.1:$rport" --dp-socket "$sock" --addr4 "$v4" --lease-ms 1500 \
	--xdp-pins "$pins" --guard-threshold 50 --guard-window-ms 1000 \
	--guard-ban-ttl-ms 5000 --guard-interval-ms 200 >"$work/cp.log" 2>&1 &
bg_pids+=("$!")
for _ in $(seq 50); do
	redis-cli -p "$rport" exists 'relais:{dir}:lease:'"$NAME" | grep -qx 1 && break
	sleep 0.1
done
ctl() { "$BUILD/controlplane/relaisctl" --redis "127.0.0.1:$rport" --keyring "$work/keyring" -q "$@"; }
ctl room create 1 >/dev/null || fail "room create"
ctl part add --room 1 --id 1 --addr "$src:40000" --profile AES_CM_128_HMAC_SHA1_80 >/dev/null ||
	fail "part add"
ctl track add --room 1 --id 1 --part 1 --ssrc 0x5eed --kind audio >/dev/null || fail "track add"
for _ in $(seq 50); do cli dump tracks | grep -q "^track 1 " && break; sleep 0.1; done
cli dump tracks | grep -q "^track 1 " || { cat "$work/cp.log"; fail "room not programmed"; }


# 300 forged at 300/s: the guard polls every 200 ms and judges the growth
# between two of its samples, so the burst must span several polls (a burst
# shorter than one poll could be seen whole in the first sample, whose
# count is the baseline, and never grow past the threshold after it).
forge 300 300
wait_log "$work/cp.log" "guard: banned $src/32" 4 || { cat "$work/cp.log"; fail "the control plane did not ban $src"; }
grep "guard: banned" "$work/cp.log"
sleep 0.3
check "first 300 forged: srtp_auth + xdp_blocklist" \
	$(($(dp_drop srtp_auth) + $(xdp_drop xdp_blocklist))) 300
a0=$(dp_drop srtp_auth) b0=$(xdp_drop xdp_blocklist)
forge 200 1000
sleep 0.2
check "xdp_blocklist growth while banned" $(($(xdp_drop xdp_blocklist) - b0)) 200
check "srtp_auth growth while banned" $(($(dp_drop srtp_auth) - a0)) 0
wait_log "$work/cp.log" "guard: ban of $src/32 expired" 9 || { cat "$work/cp.log"; fail "ban did not expire"; }
check "room still programmed" "$(cli dump tracks | grep -c '^track 1 ')" 1
exit $rc
