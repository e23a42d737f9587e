#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# control.crypto_device: the cryptodev engine runs on the operator's
# device (here a crypto_aesni_mb vdev given on the EAL command line, as a
# QAT device would be with -a) and programs participants on it; a device
# that does not exist or has too few queue pairs is refused naming the
# setting.
set -uo pipefail
dp=$1 cli=$2
work=$(mktemp -d /tmp/relais-cdev.XXXXXX)
pid=''
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
eal=(--no-huge -m 512 --no-pci --no-shconf --file-prefix="rlcdev$$" --lcores="(0-2)@(0-1)" --vdev=net_null0
	--log-level='*:error')

"$dp" "${eal[@]}" --vdev=crypto_aesni_mb0,max_nb_queue_pairs=2 -- -s media.ipv4=10.0.0.1/24 \
	-s control.crypto_engine=cryptodev -s control.crypto_device=crypto_aesni_mb0 \
	-s control.socket="$work/s" >"$work/dp.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -S "$work/s" ] && break; sleep 0.1; done
if [ -S "$work/s" ]; then ok; else bad "dataplane on crypto_aesni_mb0 did not start: $(cat "$work/dp.log")"; fi
(umask 077 && openssl rand -hex 30 >"$work/k")
if "$cli" -S "$work/s" room add 1 && "$cli" -S "$work/s" part add --room 1 --id 1 \
	--addr 10.0.0.2:4000 --profile AES_CM_128_HMAC_SHA1_80 --rx-key-file "$work/k" \
	--tx-key-file "$work/k" &&
	printf 'rx %s\ntx %s\n' "$(openssl rand -hex 30)" "$(openssl rand -hex 30)" |
	"$cli" -S "$work/s" part rekey --room 1 --id 1 --addr 10.0.0.2:4000 \
		--profile AES_CM_128_HMAC_SHA1_80 --keys-stdin; then
	ok
else
	bad "cannot program a participant on the operator's device"
fi
kill "$pid" && wait "$pid"
pid=''

expect() { # WANT DEVICE [EAL-ARG]: exit status 2 and WANT on stderr
	local want=$1 dev=$2 out rc
	shift 2
	out=$(timeout 20 "$dp" "${eal[@]}" "$@" -- -s media.ipv4=10.0.0.1/24 \
		-s control.crypto_engine=cryptodev -s control.crypto_device="$dev" \
		-s control.socket="$work/s2" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = 2 ] && grep -qF -- "$want" <<<"$out"; then ok; else bad "[$*]: $rc: $out"; fi
}
expect "control.crypto_device: cannot use cryptodev 'nosuch'" nosuch
expect "control.crypto_device: cannot use cryptodev 'crypto_aesni_mb0'" crypto_aesni_mb0 \
	--vdev=crypto_aesni_mb0,max_nb_queue_pairs=1
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
