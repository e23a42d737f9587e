#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# relais-xdp check-obj: the real filter passes this kernel's verifier; a
# program the verifier rejects gets a clear error with the log's tail.
set -uo pipefail
xdp=$1 good=$2 bad=$3
pass=0 fail=0
out=$("$xdp" check-obj "$good" 2>&1) && grep -q "passes the verifier" <<<"$out" &&
	pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: good object: $out"; }
out=$("$xdp" check-obj "$bad" 2>&1)
rc=$?
if [ "$rc" = 1 ] && grep -q "the kernel verifier rejected the program; log tail" <<<"$out" &&
	grep -qi "invalid access to packet\|R[0-9]* invalid mem access\|pkt" <<<"$out"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: bad object: status $rc: $out"
fi
out=$("$xdp" check-obj /nonexistent.bpf.o 2>&1)
[ $? = 1 ] && grep -q "cannot open BPF object /nonexistent.bpf.o" <<<"$out" &&
	pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: missing object: $out"; }
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
