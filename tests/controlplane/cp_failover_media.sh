#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Failover with media: participants on one segment reach node A
# (10.77.46.1) and node B (10.77.46.2), both on AF_XDP. A conference placed
# on A is forwarded and decrypted at every subscriber (cp_follow, libsrtp2);
# A's control plane and dataplane are killed (-9). Its rooms move to B with
# higher epochs; the publishers follow the `moved` event to B's address;
# every subscriber decrypts media forwarded by B (by source address), the
# first such packet within lease + 1 s of the kill, with no authentication
# failure. A's stale lease token can no longer ack its old rooms.
B=$1 T=cp_failover_media
. "$(dirname "$0")/lib.sh"
need_root
cp_init
LEASE=1500 N=46
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis" --unixsocket "$W/redis.sock" --unixsocketperm 700
rlfo_up t $N
rlfo_node nA t a $N --lease-ms $LEASE --capacity 10
wait_for 5 rexists 'relais:{dir}:lease:nA' || die 'A did not register'
rlfo_conference c $N 2 2 15 200
rctl batch "$W/c.batch" >/dev/null
wait_for 10 programmed "$W/nA.sock" 2 2 || die "conference not programmed on A"
rlfo_node nB t b $N --lease-ms $LEASE --capacity 10
wait_for 5 rexists 'relais:{dir}:lease:nB' || die 'B did not register'
e1=$(rcli hget 'relais:{dir}:room:1' epoch) e2=$(rcli hget 'relais:{dir}:room:2' epoch)
start_follow c t --linger 500 --duration 15
wait_for 5 follow_flowing c || die "no media through A: $(cat "$W/c.fo.log")"
sleep 0.5
token=$(rcli get 'relais:{dir}:lease:nA')
t_kill=$(date +%s%N)
rlfo_kill nA t a
say "node A killed (-9) during media"
rc=0
for _ in $(seq 150); do kill -0 "$FO_PID" 2>/dev/null || break; sleep 0.1; done
wait "$FO_PID" || rc=$?
cat "$W/c.fo.log"
[ "$rc" = 0 ] || die "participants did not get media from B (cp_follow exit $rc)"
for r in 1 2; do
	[ "$(rcli hget "relais:{dir}:room:$r" owner)" = nB ] || die "room $r not owned by B"
done
n1=$(rcli hget 'relais:{dir}:room:1' epoch) n2=$(rcli hget 'relais:{dir}:room:2' epoch)
[ "$n1" -gt "$e1" ] && [ "$n2" -gt "$e2" ] || die "epochs did not increase ($e1,$e2 -> $n1,$n2)"
programmed "$W/nB.sock" 2 2 || die "B's dataplane does not hold the conference"
python3 - "$W/c.fo.json" "$t_kill" "$LEASE" <<'PY' || die "media check failed (see above)"
import json, sys
j = json.load(open(sys.argv[1]))
kill = int(sys.argv[2]) / 1e6
lease = int(sys.argv[3])
bad = []
for s in j["subscribers"]:
    if s["good_from_first_owner"] == 0:
        bad.append(f"{s['name']}: nothing decrypted from A before the kill")
    if s["good_from_new_owner"] == 0:
        bad.append(f"{s['name']}: nothing decrypted from B")
    elif s["first_from_new_owner_ms"] - kill > lease + 1000:
        bad.append(f"{s['name']}: first packet from B {s['first_from_new_owner_ms'] - kill:.0f} ms after the kill")
    if s["auth_failures"] or s["bad"]:
        bad.append(f"{s['name']}: {s['auth_failures']} auth failures, {s['bad']} bad packets")
for r in j["rooms"]:
    if (r["from"], r["to"]) != ("nA", "nB"):
        bad.append(f"room {r['room']}: {r['from']} -> {r['to']}")
firsts = [s["first_from_new_owner_ms"] - kill for s in j["subscribers"] if s["first_from_new_owner_ms"]]
print(f"first packet from B at every subscriber {min(firsts):.0f}..{max(firsts):.0f} ms after the kill "
      f"(lease {lease} ms); packets from A/B per subscriber: "
      + ", ".join(f"{s['good_from_first_owner']}/{s['good_from_new_owner']}" for s in j["subscribers"]))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
say "rooms on B, epochs $e1,$e2 -> $n1,$n2; every subscriber decrypts media forwarded by B"
if out=$(rctl eval ack nA "$token" 1 "$e1" 2>&1); then die "late ack by dead A accepted: $out"; fi
echo "$out" | grep -q FENCED || die "late ack by A not fenced: $out"
say "A's late ack refused: $out"
say PASS
