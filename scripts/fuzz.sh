#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bounded fuzz run: build the libFuzzer targets of tests/fuzz with clang
# (-Dfuzzing=true, ASan+UBSan) in build-fuzz/ and run each for SECONDS
# (default 30) from a copy of its seed corpus. Fails on any crash, leak,
# sanitizer report, timeout or broken invariant; the crashing input is left
# in build-fuzz/fuzz-artifacts/.
#   usage: scripts/fuzz.sh [SECONDS]      env: BUILD_DIR (default build-fuzz)
set -euo pipefail

secs=${1:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-fuzz}
targets=(frame rtp rtcp neigh udp_build ctl cp_desired token stun dtls sdp)

if [[ ! -f $build/build.ninja ]]; then
	CC=clang meson setup -Dfuzzing=true "$build" "$root"
else
	meson configure "$build" -Dfuzzing=true
fi
bins=()
for t in "${targets[@]}"; do
	bins+=("tests/fuzz/fuzz_$t" "tests/fuzz/fuzz_${t}_libfuzzer")
done
ninja -C "$build" "${bins[@]}"

work=$(mktemp -d /tmp/relais-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/fuzz-artifacts"
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

failed=0
passed=0
for t in "${targets[@]}"; do
	bin=$build/tests/fuzz/fuzz_${t}_libfuzzer
	mkdir -p "$work/$t"
	cp "$root/tests/fuzz/corpus/$t/"* "$work/$t/"
	# Packets fit in 4 KiB; SDP offers (seeds of 2-6 KiB) get 16 KiB.
	max_len=4096
	[ "$t" != sdp ] || max_len=16384
	echo "== fuzz_$t for ${secs}s"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
		-print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$t-" \
		"$work/$t" >"$work/$t.log" 2>&1; then
		passed=$((passed + 1))
		grep -E '^(stat::number_of_executed_units|Done)' "$work/$t.log" || true
	else
		failed=$((failed + 1))
		echo "fuzz_$t FAILED; last lines of its log:"
		tail -n 40 "$work/$t.log"
		for a in "$build/fuzz-artifacts/$t-"*; do
			if [[ -e $a ]]; then ls -l "$a"; fi
		done
	fi
done
echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
