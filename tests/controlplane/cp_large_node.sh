#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A node whose full apply takes longer than its lease (40k participants,
# lease 1000 ms, the apply 4-11 s here) keeps the lease: heartbeats go out on
# their own connection during the apply, so no other node could take its
# rooms meanwhile; and the reload that follows the apply (its events name
# every room) is parsed in slices (cp_alink.c, READ_BUDGET_MS), so the loop
# reads heartbeat replies between them. Without the slices the lease was
# lost right after the apply on a loaded 2-CPU machine.
B=$1 T=cp_large_node
. "$(dirname "$0")/lib.sh"
cp_init
N=40000 LEASE=1000
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis" --appendonly no
# cp_bench writes N participants (rooms of 10) owned by node "bench"; its
# lease is then removed so the real control plane takes the node over.
"$B/perf/cp_bench" --redis "127.0.0.1:$RPORT" --keyring "$W/keyring" $N >/dev/null ||
	die "cp_bench could not write the rooms"
rcli del 'relais:{dir}:lease:bench' >/dev/null
"$B/dataplane/relais-dataplane" --no-pci --in-memory --file-prefix=rlcplarge --log-level='*:warning' \
	-l 0-1 --vdev=net_null0 -- -s media.ipv4=10.99.0.1/24 -s control.socket="$W/dp.sock" \
	-s limits.participants=65536 -s limits.tracks=65536 -s limits.subscriptions=65536 \
	>"$W/dp.log" 2>&1 &
PIDS+=($!)
wait_for 20 test -S "$W/dp.sock" || die "dataplane did not start: $(cat "$W/dp.log")"
t0=$(date +%s%N)
start_cp bench "$W/dp.sock" -v --lease-ms $LEASE --max-objects 100 --reconcile-ms 60000
all_parts() { [ "$(dp_count parts "$W/dp.sock")" = $N ]; }
wait_for 60 all_parts || die "not programmed: $(grep -v 'serving room' "$W/bench.cp.log" | tail -5)"
ms=$((($(date +%s%N) - t0) / 1000000))
sleep 1.5
hb=$(grep -c "heartbeat sent during a long apply" "$W/bench.cp.log" || true)
say "$N participants programmed in $ms ms (lease $LEASE ms); $hb heartbeat(s) sent during the apply"
grep -q "lease lost" "$W/bench.cp.log" && die "lease lost: $(grep 'lease lost' "$W/bench.cp.log")"
[ "$hb" -ge 1 ] || die "the apply was shorter than a heartbeat period: the test proves nothing"
# Nothing re-adds a participant here (reconcile every 60 s): a count that
# stays short for 5 s is a loss, one failed dump is not.
wait_for 5 all_parts || die "participants lost after the apply"
[ "$(rcli exists 'relais:{dir}:lease:bench')" = 1 ] || die "the lease is gone in Redis"
say PASS
