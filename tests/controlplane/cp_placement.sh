#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Atomic placement: 24 relaisctl processes placing the same room at once
# agree on one owner and one epoch (exactly one of them placed it); 30
# rooms placed at once over 3 nodes spread by load; with a join-rate limit
# of 4 per node per second, no node takes more than 4 rooms in any second.
B=$1 T=cp_placement
. "$(dirname "$0")/lib.sh"
cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
for n in p1 p2 p3; do start_cp "$n" "$W/none-$n.sock" --lease-ms 2000; done
wait_for 5 rcount 'relais:{dir}:nodes' 3 || true
[ "$(rcli scard 'relais:{dir}:nodes')" = 3 ] || die "3 nodes did not register"

jobs_=()
for i in $(seq 24); do rctl room create 7 >"$W/same.$i" 2>&1 & jobs_+=($!); done
wait "${jobs_[@]}"
cat "$W"/same.* | awk '{print $4, $6}' | sort -u >"$W/owners"
[ "$(wc -l <"$W/owners")" = 1 ] || die "several owners/epochs for room 7: $(cat "$W/owners")"
[ "$(grep -c ' placed$' "$W"/same.* | awk -F: '{s += $2} END {print s}')" = 1 ] ||
	die "room 7 placed more than once"
say "24 concurrent placements of room 7: one owner ($(cat "$W/owners")), placed once"

jobs_=()
for r in $(seq 100 129); do rctl room create "$r" >/dev/null & jobs_+=($!); done
wait "${jobs_[@]}"
counts=$(for n in p1 p2 p3; do rcli scard "relais:{dir}:noderooms:$n"; done | sort -n | xargs)
say "31 rooms spread over 3 nodes: $counts"
set -- $counts
[ $(($3 - $1)) -le 2 ] || die "rooms piled onto one node: $counts"

jobs_=()
for r in $(seq 200 223); do
	rctl --rate-limit 4 --wait-ms 15000 room create "$r" >/dev/null & jobs_+=($!)
done
wait "${jobs_[@]}"
[ "$(rcli scard 'relais:{dir}:rooms')" = 55 ] || die "not all rate-limited rooms were placed"
# created_ms of rooms 200..223 per owner and second (the limit's window)
for r in $(seq 200 223); do rcli hmget "relais:{dir}:room:$r" owner created_ms | xargs; done |
	awk '{c[$1 " " int($2 / 1000)]++} END {for (k in c) if (c[k] > 4) bad = 1; exit bad}' ||
	die "a node took more than 4 placements within one second"
say "24 rooms at a join rate of 4/node/s: never more than 4 per node per second"
say PASS
