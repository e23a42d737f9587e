#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The ban loop run by the control plane itself (relais-controlplane
# --xdp-pins: OFFENDERS every 200 ms, a ban of 3 s for more than 50
# offences in 1 s), its room in Redis (relaisctl): no attacker can aim it at
# a participant, and a participant's life cycle never trips it (issue 13).
# A video publisher P at 10.77.4.2:40000 (200 packets/s) and its
# subscriber S at 10.77.4.2:40002, played by relais-loadgen:
#  1. forged SRTP (wrong key, 2000/s for 1.5 s) from P's own address while
#     P streams: not banned ("not banning ... a participant's address"),
#     S decrypts >= 99% of P's packets (printed);
#  2. P re-keyed through Redis (PART_REKEY) while it keeps sending with its
#     old key for 1.5 s more: hundreds of srtp_auth, no ban;
#  3. the room deleted while P and S keep sending for 1.5 s: hundreds of
#     unknown_source from an address that was a participant's, no ban;
#  4. the forged flood from 10.77.4.3, nobody's address: banned in the next
#     polls (the delay is printed), its packets die in XDP, the ban expires.
# The status file's guard counters agree: 1 ban, 1 expiry, 3 declined.
NAME=rlxd4 SUBNET=4
. "$(dirname "$0")/lib.sh"
prereqs
command -v redis-server >/dev/null || { echo "SKIP: redis-server missing" >&2; exit 77; }
t_start=$SECONDS # after the netns lock (lib.sh)
start_dataplane
part=10.77.$SUBNET.2 src=10.77.$SUBNET.3
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$rport" --bind 127.0.0.1 --dir "$work" --save '' --logfile "$work/redis.log" &
bg_pids+=("$!")
for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
(umask 077; echo "k1 $(openssl rand -hex 32)" >"$work/keyring")
"$BUILD/controlplane/relais-controlplane" --node "$NAME" --keyring "$work/keyring" \
	--redis "127.0.0.1:$rport" --dp-socket "$sock" --addr4 "$v4" --lease-ms 1500 \
	--xdp-pins "$pins" --guard-threshold 50 --guard-window-ms 1000 \
	--guard-ban-ttl-ms 3000 --guard-interval-ms 200 --status-file "$work/status.json" \
	>"$work/cp.log" 2>&1 &
bg_pids+=("$!")
for _ in $(seq 50); do
	redis-cli -p "$rport" exists 'relais:{dir}:lease:'"$NAME" | grep -qx 1 && break
	sleep 0.1
done
ctl() { "$BUILD/controlplane/relaisctl" --redis "127.0.0.1:$rport" --keyring "$work/keyring" -q "$@"; }
prof=AES_CM_128_HMAC_SHA1_80
pkey=$(openssl rand -hex 30) skey=$(openssl rand -hex 30)
# part_add ID PORT KEY: participant ID at $part:PORT with KEY both ways.
part_add() {
	printf 'rx %s\ntx %s\n' "$3" "$3" |
		ctl part add --room 1 --id "$1" --addr "$part:$2" --profile "$prof" --keys-stdin >/dev/null
}
ctl room create 1 >/dev/null || fail "room create"
part_add 1 40000 "$pkey" || fail "part add P"
part_add 2 40002 "$skey" || fail "part add S"
ctl track add --room 1 --id 1 --part 1 --ssrc 0x5eed --kind video >/dev/null || fail "track add"
ctl sub add --room 1 --id 1 --part 2 --track 1 --ssrc 0x5eed0001 >/dev/null || fail "sub add"
for _ in $(seq 50); do cli dump subs | grep -q "^sub 1 " && break; sleep 0.1; done
cli dump subs | grep -q "^sub 1 " || { cat "$work/cp.log"; fail "room not programmed"; }

# play TAG SECONDS P_KEY SEQ: relais-loadgen as P and S in the background
# (P's first sequence number SEQ: each run continues after the last, never
# a replay of it); JSON in $work/TAG.json; sets lg.
play() {
	cat >"$work/$1.scn" <<-EOF
		target = $v4:5000
		grace = 1000
		max_loss = 100%
		publisher name=p bind=$part:40000 ssrc=0x5eed kind=video profile=$prof key=$3 seq=$4
		subscriber name=s bind=$part:40002 profile=$prof key=$skey expect=p:0x5eed0001
	EOF
	peer "$BUILD/tools/relais-loadgen" --scenario "$work/$1.scn" --json "$work/$1.json" \
		--duration "$2" --quiet >"$work/$1.log" 2>&1 &
	lg=$!
	bg_pids+=("$lg")
}
declines() { grep -c "guard: not banning $part/32" "$work/cp.log" || true; }
no_ban() { # WHAT: no ban of the participants' address, no blocklist entry
	if grep -q "guard: banned $part/" "$work/cp.log" || rxdp -i "$NAME-d" list | grep -q "$part/"; then
		say "FAIL: $1: $part banned"
		rc=1
	else
		say "ok: $1: $part not banned"
	fi
}

say "1. forged SRTP from P's own address while it streams"
a0=$(dp_drop srtp_auth)
play flood 3.5 "$pkey" 1000
sleep 0.7
flood forged "$part" 3000 2000 --ssrc 0x5eed --sport 40000 --seq 5000 >"$work/forged1"
wait "$lg" || true
frac=$(verified_fraction "$work/flood.json")
say "$(cat "$work/forged1"); S decrypted $frac of P's packets"
at_least "fraction of P's packets S decrypted under the flood" "$frac" 0.99
check "forged dropped as srtp_auth" $(($(dp_drop srtp_auth) - a0)) "$(awk '{print $2}' "$work/forged1")"
check "refusals logged" "$(declines)" 1
no_ban "forged flood"
sleep 1 # one decline report per source per ban period (3 s)

say "2. P re-keyed while it keeps sending with its old key for 1.5 s"
a0=$(dp_drop srtp_auth) pkey2=$(openssl rand -hex 30)
play rekey 3 "$pkey" 10000
sleep 1.5
part_add 1 40000 "$pkey2" || fail "re-key P"
wait "$lg" || true
wait_log "$work/cp.log" "participant 1 re-keyed in place" 2 || fail "no in-place re-key"
sleep 0.5
lag=$(($(dp_drop srtp_auth) - a0))
say "P's packets under its old key after the re-key: $lag srtp_auth"
[ "$lag" -gt 150 ] || { say "FAIL: only $lag srtp_auth after the re-key, want > 150"; rc=1; }
check "refusals logged" "$(declines)" 2
grep "guard: not banning $part/32" "$work/cp.log" | tail -n 1
no_ban "re-key lag"
sleep 1

say "3. the room deleted while P and S keep sending for 1.5 s"
u0=$(dp_drop unknown_source)
play delete 3 "$pkey2" 20000
sleep 1.5
ctl room del 1 >/dev/null || fail "room del"
wait "$lg" || true
sleep 0.5
lag=$(($(dp_drop unknown_source) - u0))
say "P and S after the deletion: $lag unknown_source"
[ "$lag" -gt 150 ] || { say "FAIL: only $lag unknown_source after the deletion, want > 150"; rc=1; }
check "room deleted" "$(cli dump parts | grep -c '^part ')" 0
check "refusals logged" "$(declines)" 3
grep "guard: not banning $part/32, a participant's address until recently" "$work/cp.log" ||
	{ say "FAIL: no refusal for a former participant's address"; rc=1; }
no_ban "room deletion"

say "4. the forged flood from nobody's address $src"
stranger_banned "$work/cp.log" "guard: banned $src/32"
wait_log "$work/cp.log" "guard: ban of $src/32 expired" 5 || { cat "$work/cp.log"; fail "ban did not expire"; }
sleep 1.2 # the status file is rewritten every second
guard=$(python3 -c 'import json,sys; g=json.load(open(sys.argv[1]))["guard"]; print(g["bans"], g["expiries"], g["declined"], g["lifted"])' "$work/status.json")
check "status file guard: bans expiries declined lifted" "$guard" "1 1 3 0"
say "ran for $((SECONDS - t_start)) s"
exit $rc
