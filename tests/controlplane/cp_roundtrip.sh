#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Schema round trip: a conference written through relaisctl (Redis) reaches
# the dataplane object for object; keys are stored wrapped (no clear key in
# Redis, none in any log); a participant deleted in Redis leaves the
# dataplane with its subscriptions; a control plane killed with -9 and
# restarted changes nothing on the dataplane (same cookies).
B=$1 T=cp_roundtrip
. "$(dirname "$0")/lib.sh"
cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
start_dp rlcpa "$W/a.sock"
start_cp n1 "$W/a.sock" --addr4 10.99.0.1 --lease-ms 1500 --status-file "$W/n1.status"
conference c1 0 3 3 0 5
rctl batch "$W/c1.batch" >"$W/batch.out"
counts() {
	[ "$(dp_count rooms "$W/a.sock")" = 3 ] && [ "$(dp_count parts "$W/a.sock")" = 15 ] &&
		[ "$(dp_count tracks "$W/a.sock")" = 6 ] && [ "$(dp_count subs "$W/a.sock")" = 18 ]
}
wait_for 10 counts || die "dataplane did not reach 3 rooms/15 parts/6 tracks/18 subs"
say "3 rooms, 15 participants, 6 tracks, 18 subscriptions programmed through Redis"
served() { rctl rooms | awk 'NR > 1 && ($2 != "n1" || $3 != $4) {bad = 1} END {exit bad}'; }
wait_for 5 served || die "rooms not all served (acked) by n1 at their epoch: $(rctl rooms)"
# The status file says the same as the dataplane (JSON, rewritten every second).
status_ok() {
	python3 - "$W/n1.status" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
ok = (s["redis"]["state"] == "up" and s["lease"]["registered"] and
      0 <= s["lease"]["accepted_ms_ago"] < 1500 and s["rooms"] == 3 and
      s["participants"] == 15 and s["dataplane"]["connected"] and
      s["dataplane"]["refused"] == 0 and s["loads"]["done"] >= 1)
sys.exit(0 if ok else 1)
PY
}
wait_for 3 status_ok || die "status file wrong: $(cat "$W/n1.status")"
say "status file: $(tr -d '\n ' <"$W/n1.status" | cut -c1-160)…"

# Keys at rest: no clear key+salt anywhere in Redis or in the logs.
keys=$(grep -o -- '--rx-key [0-9a-f]*' "$W/c1.batch" | awk '{print $2}' | sort -u)
[ -n "$keys" ] || die "no keys in the batch"
rcli --scan --pattern 'relais:*' | while read -r k; do
	if [ "$(rcli type "$k")" = hash ]; then rcli hgetall "$k"; fi
done >"$W/redis.txt"
grep -q rx_key "$W/redis.txt" || die "no wrapped keys found in Redis"
for k in $keys; do
	grep -qi "$k" "$W/redis.txt" && die "clear key found in Redis"
	grep -qi "$k" "$W"/*.log && die "key found in a log"
done
say "no clear SRTP key in Redis or in the logs"

# Delete participant 111 (subscriber of room 1): it and its 2 subs leave.
rctl part del --room 1 --id 111
wait_for 5 dp_has parts "$W/a.sock" 14 || die "participant 111 still on the dataplane"
[ "$(dp_count subs "$W/a.sock")" = 16 ] || die "subscriptions of 111 not removed"
say "participant deleted in Redis left the dataplane with its subscriptions"

# kill -9 the control plane and restart it: the dataplane is not touched.
before=$(for k in rooms parts tracks subs; do "$B/cli/relais-cli" -S "$W/a.sock" dump $k; done)
kill -9 "$(cp_pid n1)"
start_cp n1 "$W/a.sock" --addr4 10.99.0.1 --lease-ms 1500
sleep 3
after=$(for k in rooms parts tracks subs; do "$B/cli/relais-cli" -S "$W/a.sock" dump $k; done)
[ "$before" = "$after" ] || die "restart changed the dataplane: $(diff <(echo "$before") <(echo "$after"))"
grep -c "registered" "$W/n1.cp.log" | grep -q 2 || die "second incarnation did not register"
say "kill -9 + restart of the control plane: dataplane state identical (same cookies)"
say PASS
