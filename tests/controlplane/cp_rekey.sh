#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# New SRTP keys for a live participant reach the dataplane as an in-place
# re-key (PART_REKEY): the participant, its tracks and subscriptions stay
# (and with them every stream's rollover counter); nothing is deleted.
B=$1 T=cp_rekey
. "$(dirname "$0")/lib.sh"
cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
start_dp rlcpk "$W/a.sock"
start_cp n1 "$W/a.sock" --lease-ms 1500
conference c 0 2 3 0 5
rctl batch "$W/c.batch" >/dev/null
wait_for 10 programmed "$W/a.sock" 2 3 || die "conference not programmed"
rekeys() { "$B/cli/relais-cli" -S "$W/a.sock" stats | awk '$1 == "rekeys" {print $2}'; }
cookie() { "$B/cli/relais-cli" -S "$W/a.sock" dump parts | awk -v id="$1" '$2 == id {print $NF}'; }
# The first subscriber of room 1: same room, address and profile, new keys
# (relaisctl generates them when none are given).
line=$(grep -m1 -- '--id 111 ' "$W/c.batch")
[ -n "$line" ] || die "no participant 111 in the conference"
args=$(sed -e 's/ --rx-key [0-9a-f]*//' -e 's/ --tx-key [0-9a-f]*//' <<<"$line")
before=$(cookie 111) r0=$(rekeys)
# shellcheck disable=SC2086
rctl $args >/dev/null || die "relaisctl refused the new keys"
wait_for 10 grep -q "participant 111 re-keyed in place" "$W/n1.cp.log" ||
	{ tail -n 20 "$W/n1.cp.log" >&2; die "no in-place re-key logged"; }
rekeys_are() { [ "$(rekeys)" = "$1" ]; }
wait_for 5 rekeys_are $((r0 + 1)) || die "dataplane rekeys $(rekeys), want $((r0 + 1))"
[ "$(cookie 111)" != "$before" ] || die "participant 111 still has its old cookie"
programmed "$W/a.sock" 2 3 || die "objects lost during the re-key"
grep -q "part_del\|PART_DEL" "$W/n1.cp.log" && die "the control plane deleted something"
say "participant 111 re-keyed in place (rekeys $r0 -> $(rekeys)), all objects kept"
say PASS
