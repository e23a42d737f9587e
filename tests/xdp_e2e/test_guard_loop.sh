#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The closed loop: participant 10.77.3.3:40000 is known to the dataplane,
# but the source at that address sends forged SRTP (xdp_flood --kind forged:
# right SSRC, wrong authentication tag). relais-xdp guard polls OFFENDERS
# every 200 ms and must ban 10.77.3.3/32 (threshold 50 in 1 s, TTL 5 s);
# then its packets die in XDP (xdp_blocklist grows by exactly what was
# sent, the dataplane's srtp_auth stays put); then the ban expires and the
# packets reach the dataplane again.
NAME=rlxd3 SUBNET=3
. "$(dirname "$0")/lib.sh"
prereqs
start_dataplane
src=10.77.$SUBNET.3
key=$(openssl rand -hex 30)
cli room add 1 >/dev/null
printf 'rx %s\ntx %s\n' "$key" "$key" |
	cli part add --room 1 --id 1 --addr "$src:40000" --profile AES_CM_128_HMAC_SHA1_80 \
		--keys-stdin >/dev/null
cli track add --id 1 --part 1 --ssrc 0x5eed --kind audio >/dev/null

rxdp -i "$NAME-d" guard --ctl "$sock" --interval-ms 200 --threshold 50 --window-ms 1000 \
	--ban-ttl 5 --duration 20 >"$work/guard.log" 2>&1 &
bg_pids+=("$!")

# 300 forged at 300/s: the guard polls every 200 ms and judges the growth
# between two of its samples, so the burst must span several polls (a burst
# shorter than one poll could be seen whole in the first sample, whose
# count is the baseline, and never grow past the threshold after it).
forge 300 300
wait_log "$work/guard.log" "guard: ban $src/32" 3 || { cat "$work/guard.log"; fail "no ban of $src"; }
grep "guard: ban" "$work/guard.log"
# The ban may land while the 300 frames are still coming: each one is
# either an srtp_auth drop in the dataplane or an xdp_blocklist drop.
sleep 0.3
check "first 300 forged: srtp_auth + xdp_blocklist" \
	$(($(dp_drop srtp_auth) + $(xdp_drop xdp_blocklist))) 300
rxdp -i "$NAME-d" list | grep -q "^block  *$src/32" || fail "ban not in the blocklist"

a0=$(dp_drop srtp_auth) b0=$(xdp_drop xdp_blocklist)
forge 200 1000
sleep 0.2
check "xdp_blocklist growth while banned" $(($(xdp_drop xdp_blocklist) - b0)) 200
check "srtp_auth growth while banned" $(($(dp_drop srtp_auth) - a0)) 0

wait_log "$work/guard.log" "guard: unban $src/32" 9 || { cat "$work/guard.log"; fail "ban did not expire"; }
grep "guard: unban" "$work/guard.log"
if rxdp -i "$NAME-d" list | grep -q "$src"; then say "FAIL: expired ban still listed"; rc=1; fi
a1=$(dp_drop srtp_auth)
forge 20 1000
sleep 0.3
check "srtp_auth growth after expiry" $(($(dp_drop srtp_auth) - a1)) 20
exit $rc
