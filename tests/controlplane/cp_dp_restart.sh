#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A restarted dataplane starts empty; its control plane notices and
# re-programs the whole desired state within seconds.
B=$1 T=cp_dp_restart
. "$(dirname "$0")/lib.sh"
cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
start_dp rlcpd "$W/a.sock"
start_cp n1 "$W/a.sock" --lease-ms 1500
conference c 0 3 3 0 5
rctl batch "$W/c.batch" >/dev/null
wait_for 10 programmed "$W/a.sock" 3 3 || die "conference not programmed"
dp=$(eval echo "\$DP_PID_rlcpd")
kill -9 "$dp"
while kill -0 "$dp" 2>/dev/null; do sleep 0.05; done
rm -f "$W/a.sock"
t0=$(date +%s%N)
start_dp rlcpd "$W/a.sock"
wait_for 10 programmed "$W/a.sock" 3 3 || die "restarted dataplane not re-programmed"
say "restarted dataplane re-programmed in $((($(date +%s%N) - t0) / 1000000)) ms (incl. its start)"
say PASS
