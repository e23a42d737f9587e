#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Legitimate SRTP streams (relais-loadgen: 2 rooms, 2 publishers and 2
# subscribers each, from 10.77.2.2) run through the dataplane while xdp_flood
# hits the same port from other sources at >= 10x their packet rate:
#   garbage    first byte 80, from 10.77.2.3 (allowed) -> demux_unknown
#   spoof      RTP from 20 non-allowed 10.77.2.100+  -> xdp_not_allowed
#   oversized  1400-byte RTP from 10.77.2.3           -> oversized (max 1300)
#   rtp        RTP from 10.77.2.3 above 2000 pps      -> xdp_rate_pkts, the
#              rest reaches the dataplane as unknown_source from 10.77.2.3
# Pass: loadgen exit 0 (zero loss, zero verification failures), every
# flood frame is accounted for by its XDP counter (rate: dropped + passed),
# and relais-cli stats shows the same XDP counters as relais-xdp.
NAME=rlxd2 SUBNET=2
. "$(dirname "$0")/lib.sh"
prereqs
start_dataplane
rxdp -i "$NAME-d" allow 10.77.$SUBNET.2
rxdp -i "$NAME-d" allow 10.77.$SUBNET.3
rxdp -i "$NAME-d" allow fd00:77:$SUBNET::2
# The peer kernel's own IPv6 chatter (MLD reports from fe80::/10 or ::)
# must not land in the counter the spoofed flood is checked against.
rxdp -i "$NAME-d" allow fe80::/10
rxdp -i "$NAME-d" allow ::/128
rxdp -i "$NAME-d" allowlist on
rxdp -i "$NAME-d" max-frame 1300
rxdp -i "$NAME-d" rate --pps 2000 --burst 400

python3 "$TOP/scripts/make-conference.py" --cli "$work/conf.batch" --scenario "$work/conf.scn" \
	--rooms 2 --subscribers 2 --subnet "$SUBNET" --ipv6 --duration 5
cli batch "$work/conf.batch" >/dev/null
mac=$(dp_mac)
for r in demux_unknown xdp_not_allowed oversized xdp_rate_pkts; do
	eval "before_$r=$(xdp_drop $r)"
done

peer "$BUILD/tools/relais-loadgen" --scenario "$work/conf.scn" --json "$work/lg.json" \
	--quiet >"$work/lg.log" 2>&1 &
lg=$!
bg_pids+=("$lg")
sleep 1
pps=5000 secs=3
fl() { # kind src [extra...]
	local k=$1 s=$2
	shift 2
	peer "$BUILD/tests/xdp_e2e/xdp_flood" --ifname "$NAME-p" --dst-mac "$mac" --dst "$v4" \
		--src "$s" --kind "$k" --count $((pps * secs)) --pps "$pps" "$@" >"$work/fl_$k" &
	bg_pids+=("$!")
}
t0=$(date +%s.%N)
fl garbage 10.77.$SUBNET.3
fl spoof 10.77.$SUBNET.100 --nsrc 20
fl oversized 10.77.$SUBNET.3 --size 1400
fl rtp 10.77.$SUBNET.3
for p in "${bg_pids[@]:1}"; do wait "$p"; done
t1=$(date +%s.%N)
set +e
wait "$lg"
lg_rc=$?
set -e
bg_pids=()
sleep 0.3

sent() { awk '{print $2}' "$work/fl_$1"; }
total=0
for k in garbage spoof oversized rtp; do total=$((total + $(sent $k))); done
legit=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$work/lg.json" 2>/dev/null || echo '?')
flood_pps=$(python3 -c "print(round($total / ($t1 - $t0)))")
say "flood: $total frames in $(python3 -c "print(round($t1 - $t0, 2))") s = $flood_pps pps" \
	"(garbage $(sent garbage), spoof $(sent spoof), oversized $(sent oversized)," \
	"rtp $(sent rtp)); legitimate RTP sent: $legit in 5 s"
tail -n 2 "$work/lg.log"
d() { echo $(($(xdp_drop "$1") - $(eval echo "\$before_$1"))); }
check "loadgen exit status" "$lg_rc" 0
check "xdp demux_unknown (garbage)" "$(d demux_unknown)" "$(sent garbage)"
check "xdp xdp_not_allowed (spoofed)" "$(d xdp_not_allowed)" "$(sent spoof)"
check "xdp oversized" "$(d oversized)" "$(sent oversized)"
dropped=$(d xdp_rate_pkts)
passed=$(cli offenders | awk -v a="10.77.$SUBNET.3" '$1 == a {print $5; f=1} END {if (!f) print 0}')
say "rate-limited source: $dropped dropped in XDP, $passed passed (dataplane unknown_source)"
check "rate source dropped + passed" "$((dropped + passed))" "$(sent rtp)"
[ "$dropped" -gt 0 ] || { say "FAIL: the token bucket dropped nothing"; rc=1; }
# One view of every drop: the dataplane's STATS (relais-cli stats) carries
# the XDP filter's counters, read from its pins, equal to relais-xdp's.
cli stats --json >"$work/stats.json"
cli_xdp() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s.get("xdp_drops", {}).get(sys.argv[2], 0) if s["xdp_filter"] else "no filter")' "$work/stats.json" "$1"; }
for r in demux_unknown xdp_not_allowed oversized xdp_rate_pkts; do
	check "relais-cli stats xdp_drops.$r" "$(cli_xdp "$r")" "$(xdp_drop "$r")"
done
[ "$(cli_xdp passed)" -gt "$legit" ] 2>/dev/null ||
	{ say "FAIL: relais-cli stats xdp_drops.passed = $(cli_xdp passed), want > $legit"; rc=1; }
cli stats | grep -q '^xdp drops (in front of the port):$' ||
	{ say "FAIL: relais-cli stats prints no XDP drops"; rc=1; }
rxdp -i "$NAME-d" stats | grep -v ' 0 pkts'
exit $rc
