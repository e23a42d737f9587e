#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# cp_failover.sh — failover time up to the first packet forwarded by the new
# owner (a benchmark, not a test; needs root).
#
#   perf/cp_failover.sh BUILD [--runs N] [--rate PPS] [--lease MS]
#                       [--rooms R] [--subs S] [--first-seq N] [--no-rekey]
#                       [--json FILE]
#
# Two nodes (relais-dataplane on AF_XDP + relais-controlplane) share one
# Redis; the participants sit on one bridged segment that reaches both
# (topology rlfop-a/-b/-c on 10.77.47.0/24, tests/controlplane/lib.sh
# rlfo_up). A conference of R rooms (2 publishers at PPS each, S
# subscribers per room) runs through cp_follow (perf/cp_follow.c), whose
# publishers follow their room's owner through Redis. Each run kills (-9)
# the owning node's control plane and dataplane, waits until every
# subscriber has decrypted media forwarded by the other node, then restarts
# the killed node; the next run kills the other one.
#
# Publishers start at sequence number --first-seq (default 65300: every
# stream wraps, ROC 1, about 1.2 s into a run at 200 pps, before the kill).
# On the move cp_follow --rekey-on-move gives every participant of a moved
# room new keys through Redis and fresh client contexts (ROC 0), as the new
# owner's contexts start at ROC 0 (the application contract,
# docs/controlplane.md). --no-rekey keeps the clients' contexts: with
# wrapped streams the new owner then refuses every packet and the run fails
# (the problem re-keying solves). Before every run but the first the
# conference's participants are deleted and written again with the
# scenario's keys, so that each run starts with fresh SRTP state and keys.
#
# Per run (ms; "expiry" = the dead node's lease expiry in Redis, the last
# now + PTTL that cp_follow read before the key vanished; checked against
# the PTTL read right before the kill):
#   kill->expiry        the rest of the lease
#   expiry->moved       `sweep` moved the room (room hash moved_ms, epoch up)
#   expiry->rekeyed     the new keys of the moved rooms' participants in Redis
#   expiry->programmed  served_epoch = epoch (the new owner programmed + acked)
#   expiry->first       first packet from the new owner decrypted at a subscriber
#   expiry->all         ... at every subscriber
# then min/median/max. Defaults: 5 runs, 200 pps, lease 1500 ms, 2 rooms of
# 2 subscribers. Bounded: at most 20 runs, each at most 20 s of media.
set -euo pipefail
B=${1:?usage: perf/cp_failover.sh BUILD [--runs N] [--rate PPS] [--lease MS] [--rooms R] [--subs S] [--first-seq N] [--no-rekey] [--json FILE]}
shift
B=$(cd "$B" && pwd)
T=cp_failover
. "$(dirname "$0")/../tests/controlplane/lib.sh"
# cp_follow's subscribers send no RTCP, so they cannot consent from their
# address: the nodes run with the operator's override (docs/operations.md,
# "Consent before media"); this is about failover, not consent.
DP_EXTRA=(-s media.consent=off)
RUNS=5 RATE=200 LEASE=1500 ROOMS=2 SUBS=2 JSON='' N=47 SEQ=65300 REKEY=1
while [ $# -gt 0 ]; do
	case "$1" in
	--no-rekey) REKEY=0 && shift && continue ;;
	--first-seq) SEQ=$2 ;;
	--runs) RUNS=$2 ;;
	--rate) RATE=$2 ;;
	--lease) LEASE=$2 ;;
	--rooms) ROOMS=$2 ;;
	--subs) SUBS=$2 ;;
	--json) JSON=$2 ;;
	*) die "unknown option '$1'" ;;
	esac
	shift 2
done
[[ "$RUNS" =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] || die "--runs must be 1-20"
[[ "$RATE" =~ ^[0-9]+$ ]] && [ "$RATE" -ge 1 ] && [ "$RATE" -le 2000 ] || die "--rate must be 1-2000"
[[ "$LEASE" =~ ^[0-9]+$ ]] && [ "$LEASE" -ge 300 ] && [ "$LEASE" -le 10000 ] ||
	die "--lease must be 300-10000"
[[ "$SEQ" =~ ^[0-9]+$ ]] && [ "$SEQ" -le 65535 ] || die "--first-seq must be 0-65535"
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, XDP)"
for x in dataplane/relais-dataplane controlplane/relais-controlplane controlplane/relaisctl \
	cli/relais-cli perf/cp_follow; do
	[ -x "$B/$x" ] || die "$B/$x missing: ninja -C $B"
done

cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis" --unixsocket "$W/redis.sock" --unixsocketperm 700
rlfo_up p $N
CPARGS=(--lease-ms "$LEASE" --capacity 100)
rlfo_node nA p a $N "${CPARGS[@]}"
wait_for 5 rexists 'relais:{dir}:lease:nA' || die 'A did not register'
rlfo_conference c $N "$ROOMS" "$SUBS" 20 "$RATE"
rctl batch "$W/c.batch" >/dev/null
wait_for 10 programmed "$W/nA.sock" "$ROOMS" "$SUBS" || die "conference not programmed on A"
rlfo_node nB p b $N "${CPARGS[@]}"
wait_for 5 rexists 'relais:{dir}:lease:nB' || die 'B did not register'
say "nodes nA (10.77.$N.1) and nB (10.77.$N.2), $ROOMS rooms x (2 publishers at $RATE pps," \
	"$SUBS subscribers), lease $LEASE ms, $RUNS runs, first sequence number $SEQ," \
	"$([ $REKEY = 1 ] && echo "new keys on move" || echo "no re-keying")"
FOARGS=(--first-seq "$SEQ")
[ "$REKEY" = 1 ] && FOARGS+=(--rekey-on-move --keyring "$W/keyring")
sed -nE 's/^part add --room ([0-9]+) --id ([0-9]+) .*/part del --room \1 --id \2/p' \
	"$W/c.batch" >"$W/c.del"
# fresh NODE: the conference's participants deleted from NODE's dataplane,
# then written again with the scenario's keys (fresh SRTP state, ROC 0)
fresh() {
	rctl batch "$W/c.del" >/dev/null
	wait_for 10 dp_has parts "$W/$1.sock" 0 || die "participants not deleted on $1"
	rctl batch "$W/c.batch" >/dev/null
	wait_for 10 programmed "$W/$1.sock" "$ROOMS" "$SUBS" || die "conference not back on $1"
}

owner=nA oside=a other=nB
for i in $(seq "$RUNS"); do
	[ "$i" = 1 ] || fresh $owner
	cp "$W/c.scn" "$W/run$i.scn"
	start_follow "run$i" p --linger 300 --duration 20 --quiet "${FOARGS[@]}"
	wait_for 5 follow_flowing "run$i" || die "run $i: no media through $owner: $(cat "$W/run$i.fo.log")"
	if [ "$SEQ" -ge 65000 ]; then
		wait_for 10 follow_wrapped "run$i" || die "run $i: streams did not wrap"
	fi
	sleep 0.5
	pcp=$(cp_pid $owner) pdp=$(eval echo "\$DP_PID_rlfop$oside")
	t0=$(date +%s%N)
	pttl=$(rcli pttl "relais:{dir}:lease:$owner")
	t1=$(date +%s%N)
	kill -9 "$pcp" "$pdp"
	wait "$pcp" "$pdp" 2>/dev/null || true
	for _ in $(seq 200); do kill -0 "$FO_PID" 2>/dev/null || break; sleep 0.1; done
	wait "$FO_PID" || die "run $i: media not followed to $other: $(cat "$W/run$i.fo.log")"
	echo "{\"run\": $i, \"from\": \"$owner\", \"t_kill_ns\": $t1, \"pttl_at_kill\": $pttl," \
		"\"t_pttl_ns\": $(((t0 + t1) / 2)), \"follow\": \"$W/run$i.fo.json\"}" >>"$W/runs.jsonl"
	# restart the killed node empty; the next run kills the other one
	rlfo_node "$owner" p "$oside" $N "${CPARGS[@]}"
	wait_for 5 rexists "relais:{dir}:lease:$owner" || die "$owner did not come back"
	wait_for 5 dp_has rooms "$W/$other.sock" "$ROOMS" || die "$other does not hold the rooms"
	sleep 0.3
	if [ $owner = nA ]; then owner=nB oside=b other=nA; else owner=nA oside=a other=nB; fi
done

python3 - "$W/runs.jsonl" "$LEASE" "$JSON" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
lease, out = int(sys.argv[2]), sys.argv[3]
cols = ["kill->expiry", "expiry->moved", "expiry->rekeyed", "expiry->programmed",
        "expiry->first", "expiry->all", "kill->first"]
rows = []
for r in runs:
    f = json.load(open(r["follow"]))
    kill = r["t_kill_ns"] / 1e6
    exp = max(x["lease_expiry_ms"] for x in f["rooms"])
    exp_pttl = r["t_pttl_ns"] / 1e6 + r["pttl_at_kill"]
    firsts = [s["first_from_new_owner_ms"] for s in f["subscribers"]]
    row = {"run": r["run"], "from": r["from"], "to": f["rooms"][0]["to"],
           "kill->expiry": exp - kill,
           "expiry->moved": max(x["moved_ms"] for x in f["rooms"]) - exp,
           "expiry->rekeyed": (max(x["rekeyed_ms"] for x in f["rooms"]) - exp
                               if all(x["rekeyed_ms"] for x in f["rooms"]) else None),
           "expiry->programmed": max(x["served_ms"] for x in f["rooms"]) - exp,
           "expiry->first": min(firsts) - exp, "expiry->all": max(firsts) - exp,
           "kill->first": min(firsts) - kill,
           "auth_failures": sum(s["auth_failures"] + s["bad"] for s in f["subscribers"]),
           "wrapped": min(s["good_wrapped_from_first_owner"] for s in f["subscribers"]),
           "previous_key": sum(s["new_owner_previous_key"] for s in f["subscribers"]),
           "expiry_vs_pttl": exp - exp_pttl,
           "epochs": [[x["epoch_before"], x["epoch_after"]] for x in f["rooms"]],
           "lost_per_subscriber": [
               sum(p["sent"] for p in f["publishers"] if p["room"] == s["room"])
               - s["good_from_first_owner"] - s["good_from_new_owner"]
               for s in f["subscribers"]]}
    rows.append(row)
cols = [c for c in cols if all(r[c] is not None for r in rows)]
hdr = "run  from->to  " + "".join(f"{c:>19}" for c in cols) + "   lost/sub (pkts)"
print(hdr)
for r in rows:
    print(f"{r['run']:>3}  {r['from']}->{r['to']}  " + "".join(f"{r[c]:>19.1f}" for c in cols)
          + f"   {min(r['lost_per_subscriber'])}..{max(r['lost_per_subscriber'])}")
summ = {}
for k, fn in (("min", min), ("median", statistics.median), ("max", max)):
    summ[k] = {c: fn(r[c] for r in rows) for c in cols}
    print(f"{k:>6}          " + "".join(f"{summ[k][c]:>19.1f}" for c in cols))
skew = max(abs(r["expiry_vs_pttl"]) for r in rows)
print(f"new keys on move: {'yes' if 'expiry->rekeyed' in cols else 'no'}; wrapped packets from the "
      f"first owner per subscriber >= {min(r['wrapped'] for r in rows)}; auth failures + bad "
      f"packets at subscribers: {sum(r['auth_failures'] for r in rows)}; packets from the new "
      f"owner under a subscriber's previous key (before it applied the new one): "
      f"{sum(r['previous_key'] for r in rows)}")
print(f"lease {lease} ms; lease expiry from cp_follow's PTTL watch agrees with the PTTL read at "
      f"the kill within {skew:.1f} ms")
if out:
    json.dump({"lease_ms": lease, "runs": rows, "summary": summ}, open(out, "w"), indent=1)
    print(f"JSON: {out}")
PY
