#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Hostile sizes in Redis: a Redis writer stores a room index of 1,000,000
# members and a participant hash of 100,000 fields. Every reply is bounded
# before it is buffered (cp_loader.c: SRANDMEMBER / HRANDFIELD with the
# limit + 1), so the control plane refuses that room and that object with a
# log line naming the key and the limit, its memory stays small, it keeps
# serving the other rooms (a participant added after is programmed) and it
# never loses its lease (registered once, the lease key alive throughout).
# A member holding a newline and a terminal escape is logged escaped.
# A single string over 8 KiB (a 8 MiB field, a 8 MiB event field) or an
# event entry of 1,000 fields never reaches hiredis's buffers (cp_rbound.c):
# the object or the event entry is refused by name, the event acknowledged.
# relaisctl's set reads are bounded the same way (rooms, room del), and
# what it prints from Redis is escaped. relaisctl and relais-edge take
# every reply through the same bounds (cp_rblock.h): a 32 MiB hash field
# or set member is refused naming the key, with their peak memory that of
# a run without it; relais-edge starts and serves anyway.
B=$1 T=cp_hostile_sizes
. "$(dirname "$0")/lib.sh"
cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
start_dp rlchs "$W/a.sock"
start_cp n1 "$W/a.sock" --lease-ms 3000 --reconcile-ms 2000 --status-file "$W/n1.status"
wait_for 5 rexists 'relais:{dir}:lease:n1' || die "node did not register"
for r in 1 2 3; do rctl room create $r >/dev/null || die "room create $r"; done
P=AES_CM_128_HMAC_SHA1_80
rctl part add --room 1 --id 11 --addr 10.99.0.2:4000 --profile $P >/dev/null
rctl part add --room 3 --id 31 --addr 10.99.0.2:4002 --profile $P >/dev/null
wait_for 10 dp_has parts "$W/a.sock" 2 || die "participants 11 and 31 not programmed"
hwm() { awk '$1 == "VmHWM:" {print $2}' "/proc/$(cp_pid n1)/status"; }
hwm0=$(hwm)

# Watch the lease key every 100 ms for the rest of the test.
(while :; do rcli exists 'relais:{dir}:lease:n1'; sleep 0.1; done) >"$W/lease.trace" 2>&1 &
PIDS+=($!)

# 1,000,000 members in room 2's participant index, 100,000 fields in
# participant 32 of room 3 (in slices, so Redis never stalls long).
for ((i = 0; i < 20; i++)); do
	rcli eval "local t = {} for i = ARGV[1], ARGV[2] do t[#t + 1] = i end
		for j = 1, #t, 5000 do
			redis.call('SADD', KEYS[1], unpack(t, j, math.min(j + 4999, #t)))
		end" 1 'relais:{room:2}:parts' $((i * 50000 + 1)) $(((i + 1) * 50000)) >/dev/null
done
rcli eval "for i = 1, 100000 do redis.call('HSET', KEYS[1], 'f' .. i, 'v') end" 1 \
	'relais:{room:3}:part:32' >/dev/null
rcli sadd 'relais:{room:3}:parts' 32 >/dev/null
# A member with a newline and a terminal escape: logged escaped (\xNN).
rcli sadd 'relais:{room:1}:parts' "$(printf '4\n\033[31mFAKE')" >/dev/null
say "wrote $(rcli scard 'relais:{room:2}:parts') members, $(rcli hlen 'relais:{room:3}:part:32') fields"
# Single strings too large to buffer (cp_rbound.h: no string over 8 KiB,
# no nested array over 128 elements reaches hiredis): a 8 MiB field in
# participant 5 of room 1, an event entry with a 8 MiB room field and one
# with 1,000 fields. Each is refused by name; the bytes are dropped as they
# arrive (the memory check below), the link and the lease go on.
rcli sadd 'relais:{room:1}:parts' 5 >/dev/null
head -c $((8 * 1048576)) /dev/zero | tr '\0' A | rcli -x hset 'relais:{room:1}:part:5' addr >/dev/null
head -c $((8 * 1048576)) /dev/zero | tr '\0' 9 >"$W/big"
big_ev=$(rcli -x xadd 'relais:{dir}:events' '*' type part room <"$W/big")
rm -f "$W/big"
wide_ev=$(rcli eval "local a = {} for i = 1, 1000 do a[#a + 1] = 'f' .. i; a[#a + 1] = 'v' end
	return redis.call('XADD', KEYS[1], '*', unpack(a))" 1 'relais:{dir}:events')
say "wrote a 8 MiB field, event $big_ev (8 MiB field), event $wide_ev (1000 fields)"
# Events for rooms 2 and 3 (a relaisctl write each), then full loads.
rctl part add --room 2 --id 21 --addr 10.99.0.2:4004 --profile $P >/dev/null
rctl part add --room 3 --id 33 --addr 10.99.0.2:4006 --profile $P >/dev/null
for k in 'refusing room relais:{room:2}: 10001 or more objects, more than max_objects 10000' \
	'refusing relais:{room:3}:part:32: hash: more than 32 fields' \
	'refusing relais:{room:1}:part:4\x0a\x1b[31mFAKE: id: not a non-zero 32-bit integer' \
	'refusing relais:{room:1}:part:5: addr: string of 8388608 bytes, more than 8192' \
	"refusing event $big_ev of relais:{dir}:events: element 3: string of 8388608 bytes, more than 8192 (acknowledged, nothing reloaded)" \
	"refusing event $wide_ev of relais:{dir}:events: array of 2000 elements, more than 128 (acknowledged, nothing reloaded)"; do
	wait_for 10 grep -qF "$k" "$W/n1.cp.log" || die "no log line '$k'"
	say "logged: $(grep -m1 -F "$k" "$W/n1.cp.log")"
done

acked() { rcli xpending 'relais:{dir}:events' node:n1 | head -1 | grep -qx 0; }
wait_for 10 acked || die "events left pending: $(rcli xpending 'relais:{dir}:events' node:n1 | head -1)"
say "the refused events were acknowledged: none pending"
grep -q "$(printf '\033')" "$W/n1.cp.log" && die "a raw escape byte reached the log"
grep -q '^FAKE\|^.\[31mFAKE' "$W/n1.cp.log" && die "a forged log line"

# The other rooms are still served: a participant added now is programmed.
rctl part add --room 1 --id 12 --addr 10.99.0.2:4008 --profile $P >/dev/null
has_parts() {
	[ "$("$B/cli/relais-cli" -S "$W/a.sock" dump parts | awk '{print $2}' | sort -n | xargs)" = "$1" ]
}
wait_for 10 has_parts "11 12 31 33" ||
	die "dataplane participants: $("$B/cli/relais-cli" -S "$W/a.sock" dump parts | awk '{print $2}' | xargs), want 11 12 31 33"
say "rooms 1 and 3 served: participants 11 12 31 33 programmed; room 2 refused"
sleep 3 # a few more full loads of the hostile content

grow=$(($(hwm) - hwm0))
say "control plane peak memory grew by $grow kB"
[ "$grow" -lt 20000 ] || die "the control plane buffered the hostile replies (+$grow kB)"
grep -qvx 1 "$W/lease.trace" && die "the lease key disappeared during the test"
[ "$(grep -c 'node n1 registered' "$W/n1.cp.log")" = 1 ] || die "the node registered again"
/usr/bin/python3 - "$W/n1.status" <<'PY' || die "status: $(cat "$W/n1.status")"
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if s["lease"]["registered"] and s["lease"]["accepted_ms_ago"] < 3000 else 1)
PY
say "lease kept: registered once, lease key present in every sample"

# relaisctl reads sets bounded too (rctl_members): it lists the rooms and
# deletes room 3 with every key of its content.
rctl track add --room 3 --id 301 --part 31 --ssrc 0x31 --kind audio >/dev/null
[ "$(rctl rooms | awk 'NR > 1 {print $1}' | sort -n | xargs)" = "1 2 3" ] ||
	die "relaisctl rooms: $(rctl rooms)"
rctl room del 3 >"$W/del.out" 2>&1 || die "relaisctl room del 3: $(cat "$W/del.out")"
left=$(rcli --scan --pattern 'relais:{room:3}:*' | xargs)
[ -z "$left" ] || die "room del 3 left: $left"
say "relaisctl rooms listed 1 2 3; room del 3 removed every key of room 3"

# What relaisctl prints from Redis is escaped: a node id and a room owner
# holding a terminal escape and a newline never reach the terminal raw.
rcli sadd 'relais:{dir}:nodes' "$(printf 'n9\033[2J\nFAKE')" >/dev/null
rcli sadd 'relais:{dir}:rooms' 77 >/dev/null
rcli hset 'relais:{dir}:room:77' owner "$(printf 'o\033[31m\nFAKE')" epoch 1 >/dev/null
rctl nodes >"$W/nodes.out" 2>&1 || die "relaisctl nodes: $(cat "$W/nodes.out")"
rctl rooms >"$W/rooms.out" 2>&1 || die "relaisctl rooms: $(cat "$W/rooms.out")"
grep -qF 'n9\x1b[2J\x0aFAKE' "$W/nodes.out" || die "relaisctl nodes: $(cat -v "$W/nodes.out")"
grep -qF 'o\x1b[31m\x0aFAKE' "$W/rooms.out" || die "relaisctl rooms: $(cat -v "$W/rooms.out")"
! grep -q "$(printf '\033')" "$W/nodes.out" "$W/rooms.out" || die "a raw escape byte reached relaisctl's output"
! grep -q '^FAKE' "$W/nodes.out" "$W/rooms.out" || die "relaisctl printed a forged line"
say "relaisctl nodes/rooms print Redis strings escaped"

# relaisctl and relais-edge read through the same reply bounds
# (controlplane/cp_rblock.h): a 32 MiB value is refused by key name, its
# bytes dropped as they arrive (the peak memory stays far below it), and
# the program goes on or fails cleanly.
BIG=$((32 * 1048576))
head -c $BIG /dev/zero | tr '\0' B >"$W/big"
# peak OUT CMD...: run CMD (stdout OUT.out, stderr OUT.err); prints its
# exit status and its peak resident memory in kB.
peak() {
	/usr/bin/python3 - "$@" <<'PY'
import resource, subprocess, sys
out = sys.argv[1]
rc = subprocess.run(sys.argv[2:], stdout=open(out + ".out", "w"), stderr=open(out + ".err", "w")).returncode
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
CTL=("$B/controlplane/relaisctl" --redis "127.0.0.1:$RPORT" --keyring "$W/keyring")
read -r rc0 kb0 < <(peak "$W/n0" "${CTL[@]}" nodes)
[ "$rc0" = 0 ] || die "relaisctl nodes: $(cat "$W/n0.err")"
rcli sadd 'relais:{dir}:nodes' n7 >/dev/null
rcli -x hset 'relais:{dir}:node:n7' state <"$W/big" >/dev/null
read -r rc kb < <(peak "$W/n7" "${CTL[@]}" nodes)
want="relaisctl: error: refusing relais:{dir}:node:n7: string of $BIG bytes, more than 8192"
[ "$rc" = 1 ] || die "relaisctl nodes with a 32 MiB field exited $rc, want 1: $(cat "$W/n7.err")"
grep -qxF "$want" "$W/n7.err" || die "relaisctl nodes: $(head -c 300 "$W/n7.err")"
grep -q '^n7 *- ' "$W/n7.out" || die "relaisctl nodes: no row '-' for n7: $(cat "$W/n7.out")"
[ $((kb - kb0)) -lt 8192 ] || die "relaisctl buffered the 32 MiB field: peak $kb kB, $kb0 kB without it"
say "relaisctl nodes: $want (exit 1, the other rows printed, peak $kb kB, $kb0 kB without it)"
rcli -x sadd 'relais:{dir}:rooms' <"$W/big" >/dev/null
read -r rc kb < <(peak "$W/r7" "${CTL[@]}" rooms)
want="relaisctl: error: refusing relais:{dir}:rooms: string of $BIG bytes, more than 8192"
[ "$rc" = 2 ] || die "relaisctl rooms with a 32 MiB member exited $rc, want 2: $(cat "$W/r7.err")"
grep -qxF "$want" "$W/r7.err" || die "relaisctl rooms: $(head -c 300 "$W/r7.err")"
[ $((kb - kb0)) -lt 8192 ] || die "relaisctl buffered the 32 MiB member: peak $kb kB"
say "relaisctl rooms: $want (exit 2, peak $kb kB)"
rcli -x srem 'relais:{dir}:rooms' <"$W/big" >/dev/null

# relais-edge's start sweeps the participants an earlier edge of its node
# left (relais:{dir}:edge_parts:NODE, then each one's origin field): a
# 32 MiB origin, then a 32 MiB member of the set, each refused by name;
# the edge starts and keeps running (its link to a dataplane that is not
# there retried meanwhile), its peak memory that of a start without them.
head -c 32 /dev/urandom | xxd -p | tr -d '\n' >"$W/token.secret"
chmod 600 "$W/token.secret"
# edge_start NODE: start relais-edge as NODE until it serves; prints its
# VmHWM in kB and stops it (exit 0 on SIGTERM). Log $W/NODE.edge.log.
edge_start() {
	local pid hwm
	"$B/edge/relais-edge" --node "$1" --keyring "$W/keyring" --link "$W/none.sock" \
		--media-ip 10.99.0.1 --http "127.0.0.1:$(free_port)" --token-secret "$W/token.secret" \
		--redis "127.0.0.1:$RPORT" >"$W/$1.edge.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait_for 10 grep -q "serving WHIP/WHEP" "$W/$1.edge.log" ||
		die "relais-edge $1 did not start: $(tail -3 "$W/$1.edge.log")"
	sleep 0.5
	kill -0 "$pid" || die "relais-edge $1 exited: $(tail -3 "$W/$1.edge.log")"
	hwm=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$pid/status")
	kill "$pid"
	wait "$pid" || die "relais-edge $1 exited with $? on SIGTERM"
	echo "$hwm"
}
e0=$(edge_start e0)
rcli sadd 'relais:{dir}:edge_parts:e1' 1:5 >/dev/null
rcli -x hset 'relais:{room:1}:part:5' origin <"$W/big" >/dev/null
e1=$(edge_start e1)
want="relais-edge: error: refusing relais:{room:1}:part:5: string of $BIG bytes, more than 8192"
grep -qxF "$want" "$W/e1.edge.log" || die "relais-edge e1: $(head -c 300 "$W/e1.edge.log")"
[ "$(rcli sismember 'relais:{dir}:edge_parts:e1' 1:5)" = 0 ] ||
	die "relais-edge e1 did not finish its sweep (member 1:5 left)"
[ $((e1 - e0)) -lt 8192 ] || die "relais-edge buffered the 32 MiB origin: VmHWM $e1 kB, $e0 kB without it"
say "relais-edge: $want; swept on, served (VmHWM $e1 kB, $e0 kB without it)"
rcli -x sadd 'relais:{dir}:edge_parts:e2' <"$W/big" >/dev/null
e2=$(edge_start e2)
for want in "relais-edge: error: refusing relais:{dir}:edge_parts:e2: string of $BIG bytes, more than 8192" \
	"relais-edge: warning: cannot read the participants an earlier relais-edge left"; do
	grep -qxF "$want" "$W/e2.edge.log" || die "relais-edge e2: $(head -c 300 "$W/e2.edge.log")"
done
[ $((e2 - e0)) -lt 8192 ] || die "relais-edge buffered the 32 MiB member: VmHWM $e2 kB, $e0 kB without it"
say "relais-edge: refusing relais:{dir}:edge_parts:e2 (32 MiB member), started anyway (VmHWM $e2 kB)"
rm -f "$W/big"
say PASS
