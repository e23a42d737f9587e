#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# redis-server restarted under media, persisted as production runs it
# (appendonly yes, appendfsync always): forwarding continues with zero loss,
# the control plane reconnects by itself, the state survives the restart,
# and a change written after the restart reaches the dataplane.
B=$1 T=cp_redis_restart
. "$(dirname "$0")/lib.sh"
need_root
cp_init
RPORT=$(free_port)
RARGS=(--appendonly yes --appendfsync always)
start_redis "$RPORT" "$W/redis" "${RARGS[@]}"
media_node n1 rlcp2 42 --lease-ms 3000
conference c 42 2 3 0 6
rctl batch "$W/c.batch" >/dev/null
wait_for 10 programmed "$W/n1.sock" 2 3 || die "conference not programmed"
cp_self=$(cp_pid n1)
start_loadgen c rlcp2-peer
sleep 1.5
rp=$(redis_pid "$RPORT")
kill "$rp"
wait "$rp" 2>/dev/null || true
say "redis-server stopped during media"
sleep 0.8
start_redis "$RPORT" "$W/redis" "${RARGS[@]}"
say "redis-server restarted from its append-only file"
[ "$(rcli scard 'relais:{dir}:rooms')" = 2 ] || die "rooms lost across the restart"
rctl room create 900 >/dev/null
rctl part add --room 900 --id 90001 --addr 10.77.42.2:45000 --profile AEAD_AES_128_GCM >/dev/null
wait_for 5 dp_has parts "$W/n1.sock" 11 || die "change after the restart not applied"
say "a participant added after the restart reached the dataplane"
loadgen_ok c
kill -0 "$cp_self" || die "control plane exited"
grep -q "redis connected (after" <(tail -n 20 "$W/n1.cp.log") || die "no reconnect logged"
say PASS
