#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# redis-server frozen (SIGSTOP) under media for less than the lease: the
# connections stay open but nothing answers. hiredis's async API has no
# timeout of its own, so this exercises the control plane's: it must notice
# the silence within the command timeout, reconnect once Redis thaws, keep
# its lease (same token) and never touch the dataplane; media flows with
# zero loss throughout.
B=$1 T=cp_redis_stall
. "$(dirname "$0")/lib.sh"
need_root
cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
media_node n1 rlcp6 48 --lease-ms 4000
conference c 48 2 3 0 6
rctl batch "$W/c.batch" >/dev/null
wait_for 10 programmed "$W/n1.sock" 2 3 || die "conference not programmed"
cp_self=$(cp_pid n1)
start_loadgen c rlcp6-peer
sleep 1.5
rp=$(redis_pid "$RPORT")
kill -STOP "$rp"
say "redis-server frozen during media"
wait_for 5 grep -q "no reply on the .* connection within" "$W/n1.cp.log" ||
	{ kill -CONT "$rp"; die "silence not detected: $(tail -n 5 "$W/n1.cp.log")"; }
say "detected: $(grep -m1 'no reply on the' "$W/n1.cp.log" | sed 's/^relais-controlplane: //')"
sleep 0.5
kill -CONT "$rp"
say "redis-server thawed after ~2 s"
wait_for 5 grep -q "registered" <(tail -n 5 "$W/n1.cp.log") ||
	die "did not register again: $(tail -n 5 "$W/n1.cp.log")"
rctl part add --room 2 --id 90001 --addr 10.77.48.2:45000 --profile AEAD_AES_128_GCM >/dev/null
wait_for 5 dp_has parts "$W/n1.sock" 11 || die "change after the thaw not applied"
say "a participant added after the thaw reached the dataplane"
loadgen_ok c
kill -0 "$cp_self" || die "control plane exited"
grep -q "lease lost" "$W/n1.cp.log" && die "lease lost during a stall shorter than the lease"
say PASS
