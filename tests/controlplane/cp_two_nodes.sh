#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Two nodes on one machine, each with its own namespace pair, dataplane and
# control plane, sharing one Redis: rooms are placed by capacity on both,
# and each node forwards its own conference with zero loss.
B=$1 T=cp_two_nodes
. "$(dirname "$0")/lib.sh"
need_root
cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
media_node nA rlcp4 44 --capacity 2
wait_for 5 rexists 'relais:{dir}:lease:nA' || die "A did not register"
conference a 44 2 2 0 5
rctl batch "$W/a.batch" >"$W/a.out"
media_node nB rlcp5 45 --capacity 10
wait_for 5 rexists 'relais:{dir}:lease:nB' || die "B did not register"
conference b 45 2 2 1000 5
rctl batch "$W/b.batch" >"$W/b.out"
grep -q "node nA" "$W/a.out" && ! grep -q "node nB" "$W/a.out" || die "A's rooms not on A: $(cat "$W/a.out")"
grep -q "node nB" "$W/b.out" && ! grep -q "node nA" "$W/b.out" || die "B's rooms not on B (A is full)"
wait_for 10 programmed "$W/nA.sock" 2 2 || die "A not programmed"
wait_for 10 programmed "$W/nB.sock" 2 2 || die "B not programmed"
say "rooms 1,2 on nA (capacity 2, full), rooms 1001,1002 on nB"
start_loadgen a rlcp4-peer
pa=$LG_PID
start_loadgen b rlcp5-peer
pb=$LG_PID
LG_PID=$pa loadgen_ok a
LG_PID=$pb loadgen_ok b
say PASS
