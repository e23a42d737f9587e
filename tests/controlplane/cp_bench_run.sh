#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs perf/cp_bench against a scratch redis-server and a net_null
# dataplane sized for 100k+ streams; the figures go to docs/controlplane.md.
#   tests/controlplane/cp_bench_run.sh BUILD_DIR [cp_bench options] [N...]
#   (default: 10000 participants; then 60000 in rooms of 12 with 2
#   publishers = 110000 streams)
B=$1 T=cp_bench
shift
. "$(dirname "$0")/lib.sh"
cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis" --appendonly no
args=("$@")
[ $# -gt 0 ] || args=(10000)
"$B/dataplane/relais-dataplane" --no-pci --in-memory --file-prefix=rlcpbench --log-level='*:warning' \
	-l 0-1 --vdev=net_null0 -- -s media.ipv4=10.99.0.1/24 -s control.socket="$W/dp.sock" \
	-s limits.participants=262144 -s limits.tracks=262144 -s limits.subscriptions=262144 \
	>"$W/dp.log" 2>&1 &
PIDS+=($!)
wait_for 20 test -S "$W/dp.sock" || die "dataplane did not start: $(cat "$W/dp.log")"
dp=(--dp-socket "$W/dp.sock")
[ "${CP_BENCH_NO_DP:-0}" = 1 ] && dp=()   # placement and writes only (1M)
"$B/perf/cp_bench" --redis "127.0.0.1:$RPORT" --keyring "$W/keyring" \
	"${dp[@]}" "${args[@]}"
