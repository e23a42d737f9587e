#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The operator docs stay true: every drop reason of include/relais/drop_reasons.h,
# every counter, gauge and offence of include/relais/ctl_proto.h (gauges on the
# "Gauges" paragraph, offences in "Offenders and bans") and every dataplane
# setting of dataplane/core/dp_config.c is documented, and the
# table of control messages in docs/architecture.md is the list of
# include/relais/ctl_messages.h (same numbers, names, nothing more or less);
# every name of relais-edge's status file is in docs/operations.md.
# The table "XDP drop reasons" of docs/xdp.md is the list of reasons the XDP
# program ebpf/relais_xdp.bpf.c can count (nothing more or less).
set -euo pipefail
top=$1
fail=0 pass=0
for r in $(grep -o 'X([A-Z0-9_]*, "[a-z0-9_]*"' "$top/include/relais/drop_reasons.h" | sed 's/.*"\(.*\)"/\1/'); do
	case $r in none | name) continue ;; esac # the "not dropped" slot; the macro's own text
	if grep -q "\`$r\`" "$top/docs/operations.md"; then pass=$((pass + 1)); else
		echo "docs/operations.md: drop reason '$r' is not documented"; fail=$((fail + 1)); fi
done
for k in $(grep -o 'UINT("[a-z]*", "[a-z_0-9]*"\|IS("[a-z]*", "[a-z_0-9]*")' "$top/dataplane/core/dp_config.c" |
	sed 's/.*("\([a-z]*\)", "\([a-z_0-9]*\)".*/\1.\2/'); do
	if grep -q "\`$k\`" "$top/docs/configuration.md"; then pass=$((pass + 1)); else
		echo "docs/configuration.md: setting '$k' is not documented"; fail=$((fail + 1)); fi
done
proto=$top/include/relais/ctl_proto.h
ops=$top/docs/operations.md
stats=$(sed -n '/^#define RELAIS_STATS_FIELDS(C, G)/,/^\/\*/p' "$proto")
gauges_doc=$(sed -n '/^Gauges/,/^$/p' "$ops")
for c in $(grep -o 'C([a-z_0-9]*)' <<<"$stats" | sed 's/C(\(.*\))/\1/'); do
	if grep -q "\`$c\`" "$ops" && ! grep -q "\`$c\`" <<<"$gauges_doc"; then pass=$((pass + 1)); else
		echo "docs/operations.md: counter '$c' is not documented (or listed as a gauge)"; fail=$((fail + 1)); fi
done
for g in $(grep -o 'G([a-z_0-9]*)' <<<"$stats" | sed 's/G(\(.*\))/\1/'); do
	if grep -q "\`$g\`" <<<"$gauges_doc"; then pass=$((pass + 1)); else
		echo "docs/operations.md: gauge '$g' is not in the Gauges paragraph"; fail=$((fail + 1)); fi
done
offenders_doc=$(sed -n '/^## Offenders and bans/,/^## [^O]/p' "$ops")
for r in $(sed -n '/^#define RELAIS_OFFENCES(X)/,/^[^[:space:]#]/p' "$proto" | grep -o 'X([a-z_]*, [A-Z_]*)' |
	sed 's/.*, \(.*\))/\1/' | tr 'A-Z' 'a-z'); do
	if grep -q "\`$r\`" <<<"$offenders_doc"; then pass=$((pass + 1)); else
		echo "docs/operations.md: offence '$r' is not in 'Offenders and bans'"; fail=$((fail + 1)); fi
done
msgs=$(sed -n 's/^[[:space:]]*X(\([A-Z_]*\), *\([0-9]*\), *\([a-z_]*\),.*/\2 \1 \3/p' \
	"$top/include/relais/ctl_messages.h")
while read -r num sfx name; do
	if grep -q "^| $num | \`$sfx\` | \`$name\` |" "$top/docs/architecture.md"; then pass=$((pass + 1)); else
		echo "docs/architecture.md: control message $num $sfx ($name) missing from the table"
		fail=$((fail + 1))
	fi
done <<<"$msgs"
while read -r num sfx; do
	if ! grep -q "^$num $sfx " <<<"$msgs"; then
		echo "docs/architecture.md: control message $num $sfx is not in ctl_messages.h"
		fail=$((fail + 1))
	fi
done < <(sed -n 's/^| \([0-9]*\) | `\([A-Z_]*\)` |.*/\1 \2/p' "$top/docs/architecture.md")
# relais-edge's status file: every name of each of its lists is in docs/operations.md,
# "relais-edge status" (the first macro argument for EDGE_NODE_STATS, else the quoted name).
edge_doc=$(sed -n '/^## relais-edge status/,/^## [^r]/p' "$ops")
for list in core/edge_session.h:EDGE_NODE_STATS core/edge_session.h:EDGE_SESSION_ENDS \
	core/edge_session.h:EDGE_SIGNAL_REFUSALS ice/edge_ice.h:EDGE_ICE_VERDICTS \
	dtls/edge_dtls.h:EDGE_DTLS_REASONS http/edge_http.h:EDGE_HTTP_REASONS \
	http/edge_token.h:EDGE_TOKEN_REASONS sdp/edge_sdp.h:EDGE_SDP_REASONS; do
	block=$(sed -n "/^#define ${list#*:}(X)/,/[^\\]\$/p" "$top/edge/${list%:*}")
	names=$(grep -o 'X([A-Z_0-9]*, \([0-9]*, \)\?"[a-z_0-9]*"' <<<"$block" | sed 's/.*"\(.*\)"/\1/' || true)
	[ -n "$names" ] || names=$(grep -o 'X([a-z_0-9]*,' <<<"$block" | sed 's/X(\(.*\),/\1/' || true)
	[ -n "$names" ] || { echo "check_docs: no names read from ${list#*:}"; fail=$((fail + 1)); }
	for r in $names; do
		case $r in none | ok) [ "${list#*:}" = EDGE_TOKEN_REASONS ] || continue ;; esac
		if grep -q "\`$r\`" <<<"$edge_doc"; then pass=$((pass + 1)); else
			echo "docs/operations.md: relais-edge ${list#*:} name '$r' is not in 'relais-edge status'"
			fail=$((fail + 1))
		fi
	done
done
xdp_doc=$(sed -n '/^## XDP drop reasons/,/^## /p' "$top/docs/xdp.md")
xdp_names=""
for sfx in $(grep -o 'RELAIS_DROP_[A-Z0-9_]*' "$top/ebpf/relais_xdp.bpf.c" | sed 's/RELAIS_DROP_//' | sort -u); do
	[ "$sfx" = MAX ] && continue # the map size
	name=$(grep -o "X($sfx, \"[a-z0-9_]*\"" "$top/include/relais/drop_reasons.h" | sed 's/.*"\(.*\)"/\1/' || true)
	xdp_names="$xdp_names $name"
	if [ -n "$name" ] && grep -q "^| \`$name\` |" <<<"$xdp_doc"; then pass=$((pass + 1)); else
		echo "docs/xdp.md: XDP drop reason '${name:-$sfx}' missing from 'XDP drop reasons'"; fail=$((fail + 1)); fi
done
for name in $(sed -n 's/^| `\([a-z0-9_]*\)` |.*/\1/p' <<<"$xdp_doc"); do
	case " $xdp_names " in *" $name "*) ;; *)
		echo "docs/xdp.md: '$name' in 'XDP drop reasons' is not a reason ebpf/relais_xdp.bpf.c counts"
		fail=$((fail + 1)) ;;
	esac
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 30 ]
