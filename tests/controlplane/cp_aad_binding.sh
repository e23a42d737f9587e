#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A participant's wrapped keys are bound to its address and key generation
# (docs/schema.md "Wrapped keys"), so a Redis writer without the deployment
# key can neither re-point a participant nor roll its keys back:
#  - addr changed in Redis without re-wrapping: refused by name, the
#    dataplane keeps the participant at its old address (same cookie), no
#    participant at the new one;
#  - a legitimate relaisctl re-write (new address, next gen): applied;
#  - the older (addr, gen, keys) snapshot written back: refused by name
#    (gen lower than the one applied), the dataplane keeps the new state;
#  - relaisctl --gen N: written and applied; --gen 0 refused.
B=$1 T=cp_aad_binding
. "$(dirname "$0")/lib.sh"
cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
start_dp rlcpab "$W/a.sock"
start_cp n1 "$W/a.sock" --lease-ms 1500
wait_for 5 rexists 'relais:{dir}:lease:n1' || die "node did not register"
rctl room create 4 >/dev/null || die "room create"
K='relais:{room:4}:part:41' P=AES_CM_128_HMAC_SHA1_80
A1=10.99.0.41:4000 A2=10.99.0.42:4002 EVIL=10.99.0.66:6666
dump() { "$B/cli/relais-cli" -S "$W/a.sock" dump parts; }
addr_of() { dump | awk -v id="$1" '$2 == id {print $6}'; }
cookie_of() { dump | awk -v id="$1" '$2 == id {print $NF}'; }
addr_is() { [ "$(addr_of 41)" = "$1" ]; }
announce() { rcli xadd 'relais:{dir}:events' '*' type room room 4 >/dev/null; }
logged() { grep -qF "$1" "$W/n1.cp.log"; }
reported() { rcli hget 'relais:{dir}:errors:4' part:41 | grep -qF "$1"; }

rctl part add --room 4 --id 41 --addr "$A1" --profile "$P" >/dev/null || die "part add"
wait_for 10 addr_is "$A1" || die "participant 41 not programmed at $A1: $(dump)"
gen1=$(rcli hget "$K" gen)
[ "${gen1:-0}" -ge 1 ] || die "relaisctl wrote no gen (got '$gen1')"
mapfile -t snap < <(rcli hmget "$K" kid rx_key tx_key)
c1=$(cookie_of 41)
say "participant 41 programmed at $A1, gen $gen1"

# 1. Re-pointing: only addr changes.
rcli hset "$K" addr "$EVIL" >/dev/null
announce
why='part:41: rx_key: wrapped for another address or generation'
wait_for 10 logged "$why" || { tail -n 5 "$W/n1.cp.log" >&2; die "re-point not refused by name"; }
wait_for 5 reported 'rx_key: wrapped for another address or generation' ||
	die "re-point not in the errors hash: $(rcli hgetall 'relais:{dir}:errors:4' | xargs)"
sleep 0.5 # a wrong apply would follow the refusal within the same reconciliation
addr_is "$A1" || die "dataplane moved participant 41 to $(addr_of 41)"
[ "$(cookie_of 41)" = "$c1" ] || die "participant 41 was re-programmed"
dump | grep -qF "$EVIL" && die "a participant at $EVIL: $(dump)"
say "re-point refused: $(grep -m1 -F "$why" "$W/n1.cp.log" | sed 's/^relais-controlplane: warning: //')"
say "dataplane keeps participant 41 at $A1 (same cookie), nothing at $EVIL"

# 2. A legitimate re-write through relaisctl: new address, next gen.
rctl part add --room 4 --id 41 --addr "$A2" --profile "$P" >/dev/null || die "re-add"
gen2=$(rcli hget "$K" gen)
[ "$gen2" -gt "$gen1" ] || die "relaisctl did not raise gen ($gen1 -> $gen2)"
wait_for 10 addr_is "$A2" || die "re-add not applied: $(dump)"
wait_for 5 eval '! rcli hexists "relais:{dir}:errors:4" part:41 | grep -qx 1' ||
	die "part:41 still reported: $(rcli hget 'relais:{dir}:errors:4' part:41)"
logged "participant 41 re-keyed in place" || die "the move was not an in-place PART_REKEY"
say "relaisctl re-add applied in place (PART_REKEY): participant 41 at $A2, gen $gen1 -> $gen2, error cleared"

# 3. Roll-back: the old snapshot (address, gen, kid, keys) written back.
c2=$(cookie_of 41)
rcli hset "$K" addr "$A1" gen "$gen1" kid "${snap[0]}" rx_key "${snap[1]}" tx_key "${snap[2]}" >/dev/null
announce
why="part:41: gen: $gen1 lower than the generation already applied ($gen2)"
wait_for 10 logged "$why" || { tail -n 5 "$W/n1.cp.log" >&2; die "roll-back not refused by name"; }
wait_for 5 reported "gen: $gen1 lower" || die "roll-back not in the errors hash"
sleep 0.5
addr_is "$A2" || die "dataplane rolled participant 41 back to $(addr_of 41)"
[ "$(cookie_of 41)" = "$c2" ] || die "participant 41 was re-programmed"
say "roll-back refused: $(grep -m1 -F "$why" "$W/n1.cp.log" | sed 's/^relais-controlplane: warning: //')"
say "dataplane keeps participant 41 at $A2 (same cookie)"

# 4. relaisctl --gen N: written as given, bound, applied.
gen3=$((gen2 + 10))
rctl part add --room 4 --id 41 --addr "$A1" --profile "$P" --gen "$gen3" >/dev/null ||
	die "part add --gen"
[ "$(rcli hget "$K" gen)" = "$gen3" ] || die "--gen $gen3 not written"
wait_for 10 addr_is "$A1" || die "--gen re-add not applied: $(dump)"
rctl part add --room 4 --id 41 --addr "$A1" --profile "$P" --gen 0 >/dev/null 2>&1 &&
	die "relaisctl accepted --gen 0"
say "relaisctl --gen $gen3 applied (participant 41 back at $A1); --gen 0 refused"
say PASS
