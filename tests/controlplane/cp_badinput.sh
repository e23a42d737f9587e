#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bad input in Redis, written by a backend that knows only docs/schema.md
# (tests/controlplane/backend.py, Python): missing field, unknown profile,
# bad key length, wrong type, key wrapped for another participant or
# address, a gen of 0, dangling
# references, non-numeric SSRC, missing out_ssrc, bad pt_map, an absurd
# count. Each is refused with a log line naming its key; every valid object
# (from the same backend) is still applied.
B=$1 T=cp_badinput
. "$(dirname "$0")/lib.sh"
cp_init
python3 -c 'import cryptography' 2>/dev/null || {
	echo "$T: SKIP: python3 'cryptography' missing (the test backend wraps keys with it)" >&2
	exit 77
}
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
start_dp rlcpb "$W/a.sock"
start_cp n1 "$W/a.sock" --lease-ms 1500 --max-objects 50
wait_for 5 rexists 'relais:{dir}:lease:n1' || die "node did not register"
for r in 1 2 3; do rctl room create $r >/dev/null; done
python3 "$(dirname "$0")/backend.py" "$W/keyring" | rcli >/dev/null
applied() { dp_has parts "$W/a.sock" 3 && dp_has tracks "$W/a.sock" 1 && dp_has subs "$W/a.sock" 1; }
wait_for 15 applied || die "valid objects not applied: $("$B/cli/relais-cli" -S "$W/a.sock" dump parts)"
"$B/cli/relais-cli" -S "$W/a.sock" dump parts | awk '{print $2}' | sort | xargs | grep -qx "11 12 31" ||
	die "wrong participants applied"
say "valid objects applied: participants 11 12 31, track 101, subscription 1001"
for k in 'part:13: addr' 'part:14: profile' 'part:15: rx_key: wrapped key does not fit' \
	'part:16: WRONGTYPE' 'part:17: rx_key: wrapped for another address or generation' \
	'part:18: rx_key: wrapped for another address or generation' 'part:19: gen: not a' 'track:102: part' \
	'track:103: ssrc' 'sub:1002: out_ssrc' 'sub:1003: pt_map' \
	'room relais:{room:2}: 51 or more objects, more than max_objects 50'; do
	grep -qF "$k" "$W/n1.cp.log" || die "no log line for '$k'"
	say "refused: $(grep -m1 -F "$k" "$W/n1.cp.log" | sed 's/^relais-controlplane: warning: //')"
done
say PASS
