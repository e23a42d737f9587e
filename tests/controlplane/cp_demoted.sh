#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The Redis the control plane talks to is demoted to a replica under it
# (REPLICAOF, as Sentinel does to a returning old master): writes answer
# READONLY. The control plane must not take that for a lost lease of its
# own making nor keep serving on a replica: it drops the session, refuses
# the replica ("is not a master"), empties its dataplane once its lease
# clock runs out, and serves again when the server is a master again.
B=$1 T=cp_demoted
. "$(dirname "$0")/lib.sh"
cp_init
LEASE=1500
RPORT=$(free_port)
OTHER=$(free_port)
start_redis "$RPORT" "$W/redis"
start_redis "$OTHER" "$W/other"
start_dp rlcpdm "$W/a.sock"
start_cp n1 "$W/a.sock" --lease-ms $LEASE
wait_for 5 rexists 'relais:{dir}:lease:n1' || die "node did not register"
conference c 0 2 2 0 5
rctl batch "$W/c.batch" >/dev/null
wait_for 10 programmed "$W/a.sock" 2 2 || die "conference not programmed"
rcli replicaof 127.0.0.1 "$OTHER" >/dev/null
say "redis demoted to a replica of an empty master"
wait_for 10 grep -q "is not a master" "$W/n1.cp.log" ||
	die "replica not refused: $(tail -n 5 "$W/n1.cp.log")"
say "logged: $(grep -m1 'is not a master' "$W/n1.cp.log" | sed 's/^relais-controlplane: //')"
wait_for 10 dp_has rooms "$W/a.sock" 0 || die "still serving without a master"
grep -q "lease lost" "$W/n1.cp.log" || die "no lease-lost line"
kill -0 "$(cp_pid n1)" || die "control plane exited"
rcli replicaof no one >/dev/null
# The replica now holds the empty master's data: the conference is written
# again, as the application would after a data loss.
rctl batch "$W/c.batch" >/dev/null 2>&1 || true
wait_for 15 programmed "$W/a.sock" 2 2 || die "not serving again once the server is a master"
say "master again: re-registered and serving the conference, same process"
say PASS
