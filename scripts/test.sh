#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# test.sh — build and run every relais test, the way CI does.
#
#   scripts/test.sh [--quick] [--suite NAME]... [--no-apt]
#
# Phases:
#   1. scripts/bootstrap.sh (packages, hugepages, hugetlbfs, bpffs)
#   2. build-test/: meson setup -Dwerror=true, ninja, meson test
#   3. build-asan/: the same with -Db_sanitize=address,undefined, running
#      every suite not listed in ASAN_EXCLUDE_SUITES below   (not with --quick)
#   4. scripts/fuzz.sh 20, a bounded fuzz run, if that script exists
#                                                             (not with --quick)
#   5. scripts/lint.sh build-test: clang-format and clang-tidy, counted as
#      one test                                  (not with --quick or --suite)
# --suite NAME (repeatable) limits phases 2-3 to those meson test suites.
# --no-apt is passed to bootstrap.sh (no package installation).
#
# Counts come from each build's meson-logs/testlog.json; a skipped test
# (exit 77) is reported as skipped, never as passed. The last line is
# exactly "N passed, N failed"; the exit status is 0 only when nothing
# failed (a build failure counts as one failure).
set -euo pipefail

# Suites not run under ASan+UBSan, each with the reason next to it.
# browser_e2e: the webrtc end-to-end tests driven by Chromium or by the whole
#   local deployment (tests/edge/e2e/meson.build), about 3.5 minutes of
#   browser and network time per run; their relais code paths run under the
#   sanitizers in the same suite's webrtc_aiortc and webrtc_hostile (real
#   peers, hostile input) and in the edge's Chromium-driven unit tests.
ASAN_EXCLUDE_SUITES=(browser_e2e)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_TEST="$ROOT/build-test"
BUILD_ASAN="$ROOT/build-asan"

quick=0
no_apt=()
suites=()
total_pass=0
total_fail=0
total_skip=0

say() {
	printf '\n=== test.sh: %s\n' "$*"
}

usage() {
	sed -n '3,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# Print "pass fail skip" for the testlog.json of build dir $1.
count_results() {
	python3 - "$1/meson-logs/testlog.json" <<'EOF'
import json, sys
p = f = s = 0
try:
    with open(sys.argv[1]) as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line).get("result")
            if r in ("OK", "EXPECTEDFAIL"):
                p += 1
            elif r == "SKIP":
                s += 1
            else:
                f += 1  # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS
except FileNotFoundError:
    pass
print(p, f, s)
EOF
}

# Print the names of skipped tests in build dir $1, loudly.
report_skips() {
	python3 - "$1/meson-logs/testlog.json" <<'EOF'
import json, sys
try:
    with open(sys.argv[1]) as fh:
        for line in fh:
            if line.strip():
                t = json.loads(line)
                if t.get("result") == "SKIP":
                    print("test.sh: SKIPPED (not passed): " + t["name"])
except FileNotFoundError:
    pass
EOF
}

add_counts() {
	local p=$1 f=$2 s=$3
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
}

# Configure (or reconfigure) build dir $1 with the remaining meson options.
configure() {
	local dir=$1
	shift
	if [ -d "$dir/meson-private" ]; then
		meson setup --reconfigure "$dir" "$ROOT" "$@"
	else
		meson setup "$dir" "$ROOT" "$@"
	fi
}

# One build-and-test phase: $1 label, $2 build dir, then "--" and meson
# setup options, then "--" and meson test options.
phase() {
	local label=$1 dir=$2
	shift 2
	local setup_opts=() test_opts=()
	shift # --
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		setup_opts+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	test_opts=("$@")
	say "$label: configure and build in $dir"
	if ! configure "$dir" -Dwerror=true "${setup_opts[@]}" || ! ninja -C "$dir"; then
		echo "test.sh: $label: BUILD FAILED"
		add_counts 0 1 0
		return 0
	fi
	say "$label: meson test ${test_opts[*]}"
	rm -f "$dir/meson-logs/testlog.json"
	local rc=0
	meson test -C "$dir" --print-errorlogs "${test_opts[@]}" || rc=$?
	local counts p f s
	counts=$(count_results "$dir")
	read -r p f s <<<"$counts"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "test.sh: $label: meson test exited $rc without a failed test; counting 1 failure"
		f=1
	fi
	report_skips "$dir"
	echo "test.sh: $label: $p passed, $f failed, $s skipped"
	add_counts "$p" "$f" "$s"
}

# Meson test selection arguments for the ASan phase, one per line.
asan_selection() {
	local s x excluded
	if [ "${#suites[@]}" -gt 0 ]; then
		for s in "${suites[@]}"; do
			excluded=0
			for x in "${ASAN_EXCLUDE_SUITES[@]}"; do
				[ "$s" = "$x" ] && excluded=1
			done
			[ "$excluded" -eq 1 ] || printf '%s\n%s\n' --suite "$s"
		done
	else
		for x in "${ASAN_EXCLUDE_SUITES[@]}"; do
			printf '%s\n%s\n' --no-suite "$x"
		done
	fi
}

run_lint() {
	say "lint: scripts/lint.sh (clang-format, clang-tidy)"
	if bash "$ROOT/scripts/lint.sh" "$BUILD_TEST"; then
		add_counts 1 0 0
	else
		echo "test.sh: lint: FAILED (findings above)"
		add_counts 0 1 0
	fi
}

run_fuzz() {
	local fuzz="$ROOT/scripts/fuzz.sh"
	if [ ! -f "$fuzz" ]; then
		say "fuzz: scripts/fuzz.sh not present, phase not run"
		return 0
	fi
	say "fuzz: scripts/fuzz.sh 20"
	if bash "$fuzz" 20; then
		add_counts 1 0 0
	else
		echo "test.sh: fuzz: FAILED"
		add_counts 0 1 0
	fi
}

parse_args() {
	while [ $# -gt 0 ]; do
		case "$1" in
		--quick) quick=1 ;;
		--no-apt) no_apt=(--no-apt) ;;
		--suite)
			[ $# -ge 2 ] || {
				echo "test.sh: --suite needs a name" >&2
				exit 2
			}
			suites+=("$2")
			shift
			;;
		-h | --help)
			usage
			exit 0
			;;
		*)
			echo "test.sh: unknown option '$1' (try --help)" >&2
			exit 2
			;;
		esac
		shift
	done
}

main() {
	parse_args "$@"
	cd "$ROOT"
	say "bootstrap"
	bash "$ROOT/scripts/bootstrap.sh" "${no_apt[@]}"
	# DPDK and AF_XDP pin memory; children inherit this limit. Without
	# CAP_SYS_RESOURCE only the soft limit can rise (to the hard one); root
	# still pins through CAP_IPC_LOCK, and BPF maps are charged to memcg.
	if ! ulimit -l unlimited 2>/dev/null; then
		ulimit -l "$(ulimit -Hl)" 2>/dev/null || true
		echo "test.sh: note: memlock limit stays at $(ulimit -l) KiB (no CAP_SYS_RESOURCE)"
	fi

	local sel=() s
	for s in "${suites[@]}"; do
		sel+=(--suite "$s")
	done
	phase "build-test" "$BUILD_TEST" -- -Db_sanitize=none -- "${sel[@]}"

	if [ "$quick" -eq 0 ]; then
		local asan_sel=()
		mapfile -t asan_sel < <(asan_selection)
		if [ "${#suites[@]}" -gt 0 ] && [ "${#asan_sel[@]}" -eq 0 ]; then
			say "build-asan: every requested suite is excluded under ASan; phase not run"
		else
			export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
			export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
			phase "build-asan" "$BUILD_ASAN" -- \
				-Db_sanitize=address,undefined -Db_lundef=false -- \
				--timeout-multiplier 3 "${asan_sel[@]}"
		fi
		run_fuzz
		[ "${#suites[@]}" -gt 0 ] || run_lint
	else
		say "--quick: ASan and fuzz phases not run"
	fi

	say "summary (skipped: $total_skip, not counted as passed)"
	echo "$total_pass passed, $total_fail failed"
	[ "$total_fail" -eq 0 ]
}

main "$@"
