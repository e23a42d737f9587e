#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Media through Redis, and the control plane killed with -9 mid-stream:
# a conference created with relaisctl is forwarded by relais-dataplane on
# AF_XDP in namespaces and decrypted by relais-loadgen at every subscriber
# (libsrtp2); killing and restarting the control plane loses no packet and
# duplicates no stream (the dataplane's objects keep their cookies).
B=$1 T=cp_media_restart
. "$(dirname "$0")/lib.sh"
need_root
cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
media_node n1 rlcp1 41 --lease-ms 1500
conference c 41 2 3 0 6
rctl batch "$W/c.batch" >/dev/null
wait_for 10 programmed "$W/n1.sock" 2 3 || die "conference not programmed"
before=$(for k in parts tracks subs; do "$B/cli/relais-cli" -S "$W/n1.sock" dump $k; done)
start_loadgen c rlcp1-peer
sleep 2
kill -9 "$(cp_pid n1)"
say "control plane killed (-9) during media"
sleep 0.5
start_cp n1 "$W/n1.sock" --addr4 10.77.41.1 --addr6 fd00:77:41::1 --lease-ms 1500
loadgen_ok c
after=$(for k in parts tracks subs; do "$B/cli/relais-cli" -S "$W/n1.sock" dump $k | sed 's/ ssrc [0-9a-fx]* / /'; done)
before=$(echo "$before" | sed 's/ ssrc [0-9a-fx]* / /')
[ "$before" = "$after" ] || die "restart changed the dataplane objects: $(diff <(echo "$before") <(echo "$after") | head)"
grep -q "registered" "$W/n1.cp.log" || die "restarted control plane did not register"
say "no packet lost, dataplane objects unchanged across the control plane restart"
say PASS
