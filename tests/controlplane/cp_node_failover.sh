#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Two nodes share one Redis. Node A's processes are killed (-9): its rooms
# move to node B with a higher epoch and B's dataplane is programmed with
# them within the lease + 1 s.
B=$1 T=cp_node_failover
. "$(dirname "$0")/lib.sh"
cp_init
LEASE=1500
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
start_dp rlcpfa "$W/a.sock"
start_cp nA "$W/a.sock" --lease-ms $LEASE --capacity 10
wait_for 5 rexists 'relais:{dir}:lease:nA' || die 'A did not register'
conference c 0 2 2 0 5
rctl batch "$W/c.batch" >/dev/null
wait_for 10 programmed "$W/a.sock" 2 2 || die "conference not programmed on A"
e1=$(rcli hget 'relais:{dir}:room:1' epoch) e2=$(rcli hget 'relais:{dir}:room:2' epoch)
start_dp rlcpfb "$W/b.sock"
start_cp nB "$W/b.sock" --lease-ms $LEASE --capacity 10
wait_for 5 rexists 'relais:{dir}:lease:nB' || die 'B did not register'
sleep 0.5
kill -9 "$(cp_pid nA)" "$(eval echo "\$DP_PID_rlcpfa")"
t0=$(date +%s%N)
moved() {
	[ "$(rcli hget 'relais:{dir}:room:1' owner)" = nB ] &&
		[ "$(rcli hget 'relais:{dir}:room:2' owner)" = nB ] && programmed "$W/b.sock" 2 2 &&
		[ "$(rcli hget 'relais:{dir}:room:1' served_epoch)" = "$(rcli hget 'relais:{dir}:room:1' epoch)" ]
}
wait_for 10 moved || die "rooms of A not served by B"
ms=$((($(date +%s%N) - t0) / 1000000))
n1=$(rcli hget 'relais:{dir}:room:1' epoch) n2=$(rcli hget 'relais:{dir}:room:2' epoch)
[ "$n1" -gt "$e1" ] && [ "$n2" -gt "$e2" ] || die "epochs did not increase ($e1,$e2 -> $n1,$n2)"
say "A killed: rooms on B, epochs $e1,$e2 -> $n1,$n2, programmed on B after $ms ms (lease $LEASE ms)"
[ "$ms" -le $((LEASE + 1000)) ] || die "took $ms ms, more than lease + 1 s"
grep -q '"why"\|lease' <(rcli xrange 'relais:{dir}:events' - + | tr '\n' ' ') || die "no moved event"
say PASS
