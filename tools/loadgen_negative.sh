#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# relais-loadgen must FAIL when the traffic is wrong: a subscriber with the
# wrong key (authentication), an unexpected SSRC, loss above --max-loss; and
# refuse a bad scenario with exit 2. Usage: loadgen_negative.sh LOADGEN
set -uo pipefail
LG=$1
K=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d
K2=ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d
P="name=p bind=127.0.0.1:0 to=@s ssrc=1 key=$K"
bad=0

# expect CODE PATTERN ARGS...: run loadgen, want exit CODE and PATTERN in output.
expect() {
	local want=$1 pat=$2 out rc
	shift 2
	out=$("$LG" --quiet --duration 0.3 --grace 200 "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ] || ! grep -q -- "$pat" <<<"$out"; then
		echo "FAIL: want exit $want and '$pat' for: $*"
		echo "$out"
		bad=1
	else
		echo "ok: exit $rc, '$pat'"
	fi
}

expect 1 'auth=[1-9]' --publisher "$P" --subscriber "name=s bind=127.0.0.1:0 key=$K2 expect=p"
expect 1 'ssrc=[1-9]' --publisher "$P" --subscriber "name=s bind=127.0.0.1:0 key=$K expect=p:2"
# q sends to p's socket, which ignores RTP: half the expected packets are lost.
expect 1 'FAIL: loss' --publisher "$P" \
	--publisher "name=q bind=127.0.0.1:0 to=@p ssrc=2 key=$K" \
	--subscriber "name=s bind=127.0.0.1:0 key=$K expect=p,q" --max-loss 10%
expect 0 'PASS' --publisher "$P" --subscriber "name=s bind=127.0.0.1:0 key=$K expect=p"
expect 2 'no to= and no global target' --publisher "name=p bind=127.0.0.1:0 ssrc=1 key=$K"
expect 2 'families differ' --target 127.0.0.1:9 --publisher "name=p bind=[::1]:0 ssrc=1 key=$K"
exit "$bad"
