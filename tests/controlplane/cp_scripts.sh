#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The directory's scripts as a published interface (docs/schema.md,
# "Scripts"): the whole scripts the build installs run with plain redis-cli
# --eval, as a backend in another language would; version answers 2; every
# invalid argument is an error reply naming it (BADARG) and changes nothing;
# relaisctl script NAME prints exactly the installed text.
B=$1 T=cp_scripts
. "$(dirname "$0")/lib.sh"
cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
L=$B/controlplane
ev() { # ev SCRIPT ARGS...: run the built script as a backend would
	local s=$1
	shift
	redis-cli -p "$RPORT" --eval "$L/$s.lua" 'relais:{dir}:nodes' , "$@" 2>&1
}
for s in register heartbeat place ack sweep drain drop version; do
	[ -f "$L/$s.lua" ] || die "the build did not make $s.lua"
	cmp -s "$L/$s.lua" <("$B/controlplane/relaisctl" script "$s") ||
		die "relaisctl script $s differs from the installed $s.lua"
done
[ "$(ev version)" = 2 ] || die "version answered '$(ev version)', not 2"

out=$(ev register n1 tok0123456789 600000 10.0.0.1 '' 5000 10)
[ -z "$out" ] || die "register n1: '$out'"
for bad in 0 abc -5 007 0x10 4294967296 '' '1 2'; do
	out=$(ev place "$bad" 0)
	case $out in *"BADARG room"*) ;; *) die "place room '$bad' answered '$out'" ;; esac
done
for bad in -1 x 1.5 4294967296; do
	out=$(ev place 42 "$bad")
	case $out in *"BADARG rate_limit"*) ;; *) die "place rate_limit '$bad' answered '$out'" ;; esac
done
[ "$(redis-cli -p "$RPORT" xlen 'relais:{dir}:events')" = 1 ] ||
	die "a refused place appended an event"
[ "$(redis-cli -p "$RPORT" scard 'relais:{dir}:rooms')" = 0 ] || die "a refused place made a room"
for bad in '' 'a b' "$(printf 'x%.0s' $(seq 33))" 'n/1'; do
	out=$(ev register "$bad" tok0123456789 3000 '' '' 5000 10)
	case $out in *"BADARG node"*) ;; *) die "register node '$bad' answered '$out'" ;; esac
done
out=$(ev register n2 short 3000 '' '' 5000 10)
case $out in *'BADARG token "(hidden)"'*) ;; *) die "short token answered '$out'" ;; esac
out=$(ev register n2 tok0123456789 3000 '' '' 0 10)
case $out in *"BADARG port"*) ;; *) die "port 0 answered '$out'" ;; esac
out=$(ev drop 4294967296)
case $out in *"BADARG room"*) ;; *) die "drop 4294967296 answered '$out'" ;; esac
out=$(ev drain 'bad node')
case $out in *"BADARG node"*) ;; *) die "drain 'bad node' answered '$out'" ;; esac
say "invalid room ids, node ids, rate limits, ports and tokens: BADARG, nothing changed"

out=$(ev place 4294967295 0 | xargs)
[ "$out" = "n1 1 1" ] || die "place 4294967295 answered '$out'"
[ "$(ev drop 4294967295)" = 1 ] || die "drop 4294967295 failed"
say "the largest room id places and drops"
say PASS
