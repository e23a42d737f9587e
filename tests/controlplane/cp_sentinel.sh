#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Sentinel failover under media: a master, a replica and three sentinels on
# loopback. The control plane finds the master through the sentinels; the
# master is killed (-9); the sentinels promote the replica; the same control
# plane process follows the new master (no restart), media loses nothing,
# and a room created through the sentinels afterwards reaches the dataplane.
B=$1 T=cp_sentinel
. "$(dirname "$0")/lib.sh"
need_root
cp_init
MP=$(free_port) RP=$(free_port)
start_redis "$MP" "$W/m"
start_redis "$RP" "$W/r" --replicaof 127.0.0.1 "$MP"
SENT=''
for i in 1 2 3; do
	sp=$(free_port)
	mkdir -p "$W/s$i"
	cat >"$W/s$i/sentinel.conf" <<CONF
port $sp
bind 127.0.0.1
dir $W/s$i
sentinel monitor relais 127.0.0.1 $MP 2
sentinel down-after-milliseconds relais 800
sentinel failover-timeout relais 4000
sentinel parallel-syncs relais 1
CONF
	redis-server "$W/s$i/sentinel.conf" --sentinel --logfile "$W/s$i/log" &
	PIDS+=($!)
	SENT="$SENT${SENT:+,}127.0.0.1:$sp"
	S1=${S1:-$sp}
done
synced() { redis-cli -p "$RP" info replication | grep -q master_link_status:up; }
wait_for 10 synced || die "replica did not sync"
RPORT=$MP # rctl/rcli before the failover; the control plane uses the sentinels
sctl() { "$B/controlplane/relaisctl" --sentinels "$SENT" --masters "127.0.0.1:$MP,127.0.0.1:$RP" --keyring "$W/keyring" "$@"; }
netns_up rlcp3 43
start_dp rlcp3 "$W/n1.sock" rlcp3-dp rlcp3-d 10.77.43.1/24 fd00:77:43::1/64
"$B/controlplane/relais-controlplane" --node n1 --keyring "$W/keyring" --sentinels "$SENT" \
	--masters "127.0.0.1:$MP,127.0.0.1:$RP" \
	--dp-socket "$W/n1.sock" --addr4 10.77.43.1 --lease-ms 8000 >"$W/n1.cp.log" 2>&1 &
cp=$!
PIDS+=($cp)
conference c 43 2 3 0 8
wait_for 10 sctl nodes || die "no master through the sentinels"
sleep 0.5
sctl batch "$W/c.batch" >/dev/null
wait_for 10 programmed "$W/n1.sock" 2 3 || die "conference not programmed"
start_loadgen c rlcp3-peer
sleep 1
kill -9 "$(redis_pid "$MP")"
say "master killed during media"
promoted() { redis-cli -p "$S1" sentinel get-master-addr-by-name relais | grep -qx "$RP"; }
wait_for 20 promoted || die "sentinels did not promote the replica"
say "sentinels promoted 127.0.0.1:$RP"
wait_for 10 sctl room create 950 || die "cannot place through the sentinels after failover"
sctl part add --room 950 --id 95001 --addr 10.77.43.2:45000 --profile AEAD_AES_128_GCM >/dev/null
wait_for 10 dp_has parts "$W/n1.sock" 11 || die "control plane did not follow the new master"
kill -0 "$cp" || die "control plane exited"
say "same control plane (pid $cp) follows the promoted master"
loadgen_ok c
say PASS
