#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The dataplane's layers (dataplane/meson.build) hold: a file of
# dataplane/pkt includes no header of core/ or crypto/; a file of crypto/
# includes no header of core/; and the TX/hand-off primitives
# (core/dp_tx.c, core/dp_tx.h) reach no stage header, directly or through
# the headers of core/ they include, so the stages call down into them and
# never back into one another through them. An include is resolved by the
# folder that holds the named header (bare "dp_x.h" or "core/dp_x.h").
# usage: check_layers.sh SOURCE_ROOT
set -euo pipefail
top=$1
dp=$top/dataplane
stages="dp_worker.h dp_media.h dp_rtcp.h dp_egress.h dp_neigh.h dp_app.h dp_ctl.h"
fail=0 pass=0
bad() {
	echo "$*"
	fail=$((fail + 1))
}

# The layer (pkt, crypto, core) of the header an include names, or nothing.
layer_of() {
	local f
	for f in "$dp"/pkt/"${1##*/}" "$dp"/crypto/"${1##*/}" "$dp"/core/"${1##*/}"; do
		if [ -f "$f" ]; then
			f=${f%/*}
			echo "${f##*/}"
			return
		fi
	done
}
includes() { sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$1"; }

for d in pkt crypto core; do
	[ -d "$dp/$d" ] || bad "dataplane/$d: no such folder"
done
for f in "$dp"/*.c "$dp"/*.h; do
	[ -e "$f" ] && bad "${f#"$top"/}: a source outside the layers pkt/, crypto/, core/"
done
for f in "$dp"/pkt/*.[ch] "$dp"/crypto/*.[ch]; do
	from=${f%/*}
	from=${from##*/}
	for h in $(includes "$f"); do
		to=$(layer_of "$h")
		case $from:$to in
		pkt:core | pkt:crypto | crypto:core) bad "dataplane/$from/${f##*/}: includes $h ($to/), above $from/" ;;
		*) pass=$((pass + 1)) ;;
		esac
	done
done

for s in $stages; do
	[ -f "$dp/core/$s" ] || bad "check_layers.sh: stage header core/$s is gone (update the list)"
done
# Every core header dp_tx reaches, breadth first.
seen=" "
todo=(dp_tx.c dp_tx.h)
while [ "${#todo[@]}" -gt 0 ]; do
	f=${todo[0]}
	todo=("${todo[@]:1}")
	case $seen in *" $f "*) continue ;; esac
	seen="$seen$f "
	[ -f "$dp/core/$f" ] || continue
	for h in $(includes "$dp/core/$f"); do
		[ "$(layer_of "$h")" = core ] && todo+=("${h##*/}")
	done
done
for s in $stages; do
	case $seen in
	*" $s "*) bad "dataplane/core/dp_tx.[ch]: reaches the stage header $s" ;;
	*) pass=$((pass + 1)) ;;
	esac
done

echo "check_layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
