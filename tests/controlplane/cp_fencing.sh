#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Fencing: node A's control plane is frozen (SIGSTOP) past its lease; its
# rooms move to B with higher epochs. A's late writes with its old lease
# token (heartbeat, ack) are refused; when A resumes it stops serving the
# rooms (its dataplane is emptied) and never overwrites B's ownership.
B=$1 T=cp_fencing
. "$(dirname "$0")/lib.sh"
cp_init
LEASE=1500
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
start_dp rlcpxa "$W/a.sock"
start_cp nA "$W/a.sock" --lease-ms $LEASE
conference c 0 2 2 0 5
sleep 0.5
rctl batch "$W/c.batch" >/dev/null
wait_for 10 programmed "$W/a.sock" 2 2 || die "conference not programmed on A"
start_dp rlcpxb "$W/b.sock"
start_cp nB "$W/b.sock" --lease-ms $LEASE
sleep 0.5
token=$(rcli get 'relais:{dir}:lease:nA')
old=$(rcli hget 'relais:{dir}:room:1' epoch)
kill -STOP "$(cp_pid nA)"
say "A's control plane frozen"
wait_for 10 programmed "$W/b.sock" 2 2 || die "rooms did not move to B"
new=$(rcli hget 'relais:{dir}:room:1' epoch)
[ "$(rcli hget 'relais:{dir}:room:1' owner)" = nB ] && [ "$new" -gt "$old" ] || die "room 1 not on B"
if out=$(rctl eval ack nA "$token" 1 "$old" 1 0 0-0 2>&1); then die "late ack by A accepted: $out"; fi
echo "$out" | grep -q FENCED || die "late ack not fenced: $out"
[ "$(rctl eval heartbeat nA "$token" $LEASE 0)" = 0 ] || die "late heartbeat by A accepted"
say "A's late writes refused: $out"
kill -CONT "$(cp_pid nA)"
wait_for 5 dp_has rooms "$W/a.sock" 0 || die "A still serves rooms after losing its lease"
sleep 1
[ "$(rcli hget 'relais:{dir}:room:1' owner)" = nB ] &&
	[ "$(rcli hget 'relais:{dir}:room:1' epoch)" = "$new" ] || die "A overwrote the new owner"
grep -q "lease lost" "$W/nA.cp.log" || die "A did not log the lost lease"
programmed "$W/b.sock" 2 2 || die "B lost the rooms"
say "A resumed: stopped serving (dataplane empty), B still owner at epoch $new"
say PASS
