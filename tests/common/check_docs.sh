#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The operator docs stay true: every drop reason of include/relais/drop_reasons.h
# and every dataplane setting of dataplane/dp_config.c is documented.
set -euo pipefail
top=$1
fail=0 pass=0
for r in $(grep -o 'X([A-Z0-9_]*, "[a-z0-9_]*"' "$top/include/relais/drop_reasons.h" | sed 's/.*"\(.*\)"/\1/'); do
	case $r in none | name) continue ;; esac # the "not dropped" slot; the macro's own text
	if grep -q "\`$r\`" "$top/docs/operations.md"; then pass=$((pass + 1)); else
		echo "docs/operations.md: drop reason '$r' is not documented"; fail=$((fail + 1)); fi
done
for k in $(grep -o 'UINT("[a-z]*", "[a-z_0-9]*"\|IS("[a-z]*", "[a-z_0-9]*")' "$top/dataplane/dp_config.c" |
	sed 's/.*("\([a-z]*\)", "\([a-z_0-9]*\)".*/\1.\2/'); do
	if grep -q "\`$k\`" "$top/docs/configuration.md"; then pass=$((pass + 1)); else
		echo "docs/configuration.md: setting '$k' is not documented"; fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 30 ]
