#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A wrong configuration stops relais-dataplane with exit status 2 and one
# line naming the setting. Uses a net_null port, no namespaces.
set -uo pipefail
dp=$1
work=$(mktemp -d /tmp/relais-cfg.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

# expect_error SETTING-TEXT ARGS...: the run must fail with status 2 and
# print SETTING-TEXT on stderr (a dataplane that starts instead is stopped
# after 20 s and counts as a failure).
expect_error() {
	local want=$1 out rc
	shift
	out=$(timeout 20 "$dp" --no-huge -m 256 --no-pci --no-shconf --file-prefix="rlcfg$$" -l 0,1 \
		--vdev=net_null0 --log-level='*:error' -- "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = 2 ] && grep -qF -- "$want" <<<"$out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: args [$*]: want status 2 and '$want', got status $rc: $out"
	fi
}

expect_error "media.ipv4/media.ipv6" -s control.socket="$work/s"
expect_error "media.ipv4: invalid value" -s media.ipv4=10.0.0.300/24
expect_error "media.port: invalid value" -s media.port=70000
expect_error "lcores.workers: lcore 5 is not enabled" -s media.ipv4=10.0.0.1/24 -s lcores.workers=5
expect_error "lcores.workers: lcore 0 is the main lcore" -s media.ipv4=10.0.0.1/24 -s lcores.workers=0
expect_error "lcores.rx_queues: queue 0 is mapped to lcore 3" -s media.ipv4=10.0.0.1/24 \
	-s lcores.rx_queues=0@3
expect_error "lcores.rx_queues: invalid value" -s media.ipv4=10.0.0.1/24 -s lcores.rx_queues=1@1
expect_error "nosuch.key: unknown setting" -s nosuch.key=1
expect_error "control.crypto_engine: cannot open engine 'rot13'" -s media.ipv4=10.0.0.1/24 \
	-s control.crypto_engine=rot13 -s control.socket="$work/s"
printf '[media]\nport = 5000\nipv4 = 10.0.0.1/24\n[lcores]\nworkers = 1,x\n' >"$work/bad.ini"
expect_error "bad.ini:5: lcores.workers: invalid value '1,x'" -c "$work/bad.ini"
expect_error "$work/missing.ini: No such file" -c "$work/missing.ini"
printf '[media]\nport = 5000\ncolour = blue\n' >"$work/unknown.ini"
expect_error "unknown.ini:3: media.colour: unknown setting" -c "$work/unknown.ini"
printf '[media]\nipv4 = 10.0.0.1/24\n[lcores]\nworkers = 1\n[media]\nport = 6000\n' >"$work/dup.ini"
expect_error "dup.ini:5: [media]: duplicate section (first at line 1)" -c "$work/dup.ini"
printf '[media]\nipv4 = 10.0.0.1/24\n' >"$work/good.ini"
expect_error "media.port: invalid value '70000'" -c "$work/good.ini" -s media.port=70000
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
