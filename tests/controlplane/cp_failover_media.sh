#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Failover with media whose sequence numbers have wrapped (rollover counter
# 1): participants on one segment reach node A (10.77.46.1) and node B
# (10.77.46.2), both on AF_XDP; cp_follow (perf/cp_follow.c, libsrtp2)
# publishes from sequence number 65300, so every stream wraps within about
# 1.2 s, and decrypts at every subscriber. A node that takes over a room
# starts every SRTP context at ROC 0, so the application contract on a move
# is: new keys for every participant of the room (written through Redis as
# any key change) and fresh client contexts (ROC 0, RFC 3711 §3.2.1).
#
# 1. The problem, without re-keying: the conference on A, streams wrapped,
#    A killed (-9). The rooms move to B, the publishers follow with their old
#    contexts (ROC 1); B refuses them (its srtp_auth drop counter rises) and
#    no subscriber decrypts anything from B.
# 2. The contract: A back (empty), the conference now on B; new clients,
#    streams wrapped again, B killed (-9). The rooms move to A with higher
#    epochs; cp_follow --rekey-on-move writes new keys and switches the
#    clients; every subscriber decrypts media forwarded by A (by source
#    address) within lease + 1 s of the kill, with zero authentication
#    failures and zero bad packets. B's stale lease token can no longer ack.
B=$1 T=cp_failover_media
. "$(dirname "$0")/lib.sh"
# cp_follow's subscribers send no RTCP, so they cannot consent from their
# address: the nodes run with the operator's override (docs/operations.md,
# "Consent before media"); this is about failover, not consent.
DP_EXTRA=(-s media.consent=off)
need_root
cp_init
LEASE=1500 N=46 SEQ=65300
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
both_on() { rlfo_owned 1 "$1" && rlfo_owned 2 "$1"; }

# --- 1. without re-keying: wrapped streams fail on the new owner ---
cp "$W/c.scn" "$W/old.scn"
start_follow old t --first-seq $SEQ --linger 0 --duration 15
wait_for 5 follow_flowing old || die "no media through A: $(cat "$W/old.fo.log")"
wait_for 5 follow_wrapped old || die "streams did not wrap: $(cat "$W/old.fo.log")"
auth0=$(rlfo_drops "$W/nB.sock" srtp_auth)
rlfo_kill nA t a
wait_for 5 both_on nB || die "rooms did not move to B"
# the publishers follow to B: 100 refused packets = 0.25 s of 4 streams
wait_for 5 rlfo_drops_over "$W/nB.sock" srtp_auth $((auth0 + 100)) ||
	die "B counted no srtp_auth drops ($(rlfo_drops "$W/nB.sock" srtp_auth))"
sleep 0.5
kill -TERM "$FO_PID"
rc=0
wait "$FO_PID" || rc=$?
[ "$rc" = 1 ] || die "cp_follow without re-keying: exit $rc, want 1: $(cat "$W/old.fo.log")"
python3 - "$W/old.fo.json" <<'PY' || die "without re-keying: unexpected result (see above)"
import json, sys
j = json.load(open(sys.argv[1]))
bad = [f"{s['name']}: {s['good_from_new_owner']} decrypted from B" for s in j["subscribers"]
       if s["good_from_new_owner"]]
bad += [f"{s['name']}: no wrapped packet from A" for s in j["subscribers"]
        if not s["good_wrapped_from_first_owner"]]
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
say "without re-keying: wrapped streams refused by B (srtp_auth $auth0 ->" \
	"$(rlfo_drops "$W/nB.sock" srtp_auth)), nothing from B decrypted"

# --- 2. re-key on move: the new owner and the clients agree at ROC 0 ---
rlfo_node nA t a $N --lease-ms $LEASE --capacity 10
wait_for 5 rexists 'relais:{dir}:lease:nA' || die 'A did not come back'
e1=$(rcli hget 'relais:{dir}:room:1' epoch) e2=$(rcli hget 'relais:{dir}:room:2' epoch)
cp "$W/c.scn" "$W/new.scn"
start_follow new t --first-seq $SEQ --linger 500 --duration 15 \
	--rekey-on-move --keyring "$W/keyring"
wait_for 5 follow_flowing new || die "no media through B: $(cat "$W/new.fo.log")"
wait_for 5 follow_wrapped new || die "streams did not wrap: $(cat "$W/new.fo.log")"
sleep 0.2
token=$(rcli get 'relais:{dir}:lease:nB')
t_kill=$(date +%s%N)
rlfo_kill nB t b
say "node B killed (-9) during media, every stream wrapped"
rc=0
for _ in $(seq 150); do kill -0 "$FO_PID" 2>/dev/null || break; sleep 0.1; done
wait "$FO_PID" || rc=$?
cat "$W/new.fo.log"
[ "$rc" = 0 ] || die "participants did not get media from A (cp_follow exit $rc)"
both_on nA || die "rooms not owned by A"
n1=$(rcli hget 'relais:{dir}:room:1' epoch) n2=$(rcli hget 'relais:{dir}:room:2' epoch)
[ "$n1" -gt "$e1" ] && [ "$n2" -gt "$e2" ] || die "epochs did not increase ($e1,$e2 -> $n1,$n2)"
programmed "$W/nA.sock" 2 2 || die "A's dataplane does not hold the conference"
python3 - "$W/new.fo.json" "$t_kill" "$LEASE" <<'PY' || die "media check failed (see above)"
import json, sys
j = json.load(open(sys.argv[1]))
kill = int(sys.argv[2]) / 1e6
lease = int(sys.argv[3])
bad = []
for s in j["subscribers"]:
    if s["good_wrapped_from_first_owner"] == 0:
        bad.append(f"{s['name']}: no wrapped packet decrypted from B before the kill")
    if s["good_from_new_owner"] == 0:
        bad.append(f"{s['name']}: nothing decrypted from A")
    elif s["first_from_new_owner_ms"] - kill > lease + 1000:
        bad.append(f"{s['name']}: first packet from A {s['first_from_new_owner_ms'] - kill:.0f} ms after the kill")
    if s["auth_failures"] or s["bad"]:
        bad.append(f"{s['name']}: {s['auth_failures']} auth failures, {s['bad']} bad packets")
for r in j["rooms"]:
    if (r["from"], r["to"], r["rekeys"]) != ("nB", "nA", 1):
        bad.append(f"room {r['room']}: {r['from']} -> {r['to']}, {r['rekeys']} re-keys")
firsts = [s["first_from_new_owner_ms"] - kill for s in j["subscribers"] if s["first_from_new_owner_ms"]]
print(f"first packet from A at every subscriber {min(firsts, default=-1):.0f}..{max(firsts, default=-1):.0f} ms "
      f"after the kill (lease {lease} ms); packets from B (wrapped)/A per subscriber: "
      + ", ".join(f"{s['good_from_first_owner']} ({s['good_wrapped_from_first_owner']})/{s['good_from_new_owner']}"
                  for s in j["subscribers"])
      + "; of those from A under the previous key (A not yet re-keyed): "
      + ", ".join(str(s["new_owner_previous_key"]) for s in j["subscribers"]))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
say "rooms on A, epochs $e1,$e2 -> $n1,$n2, new keys; every subscriber decrypts media forwarded by A"
if out=$(rctl eval ack nB "$token" 1 "$e1" 1 0 0-0 2>&1); then die "late ack by dead B accepted: $out"; fi
echo "$out" | grep -q FENCED || die "late ack by B not fenced: $out"
say "B's late ack refused: $out"
say PASS
