#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every relais program is built hardened (meson.build, docs/operations.md
# "Build hardening"), read off the binaries with readelf:
#   PIE (ELF type DYN, DF_1_PIE), full RELRO (GNU_RELRO and BIND_NOW),
#   a non-executable stack (GNU_STACK RW), the stack protector
#   (__stack_chk_fail imported) and, when FORTIFY is "yes", _FORTIFY_SOURCE
#   (at least one __*_chk function imported).
# usage: check_hardening.sh FORTIFY(yes|no) PROGRAM...
set -euo pipefail
fortify=$1
shift
pass=0 fail=0
check() { # check WHAT PROGRAM CONDITION...
	local what=$1 prog=$2
	shift 2
	if "$@"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $(basename "$prog"): $what"
		fail=$((fail + 1))
	fi
}
for p in "$@"; do
	hdr=$(readelf -h "$p") dyn=$(readelf -d "$p") seg=$(readelf -lW "$p")
	syms=$(readelf --dyn-syms -W "$p")
	check "PIE" "$p" grep -q "Type:.*DYN" <<<"$hdr"
	check "PIE flag" "$p" grep -q "Flags:.*PIE" <<<"$dyn"
	check "RELRO" "$p" grep -q "GNU_RELRO" <<<"$seg"
	check "BIND_NOW" "$p" grep -qE "BIND_NOW|Flags:.* NOW" <<<"$dyn"
	check "non-executable stack" "$p" grep -qE "GNU_STACK .* RW  " <<<"$seg"
	check "stack protector" "$p" grep -q "__stack_chk_fail" <<<"$syms"
	if [ "$fortify" = yes ]; then
		check "_FORTIFY_SOURCE" "$p" grep -qE "__[a-z_]+_chk(@| )" <<<"$syms"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
