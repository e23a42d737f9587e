#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Keys never on argv (every local user reads /proc/PID/cmdline): relaisctl
# and relais-cli refuse --rx-key/--tx-key on their command line, naming the
# replacements; a key file readable by group or others (mode 644) or
# reached through a symbolic link is refused; keys from a mode-600 file and
# from --keys-stdin work end to end: the wrapped keys relaisctl writes to a
# real Redis unwrap (Python, docs/schema.md) to exactly the given bytes, the
# control plane programs the participants, and relais-cli programs and
# re-keys a participant on a real dataplane. Batch content keeps its key
# literals (the file is not argv).
B=$1 T=cp_keys_argv
. "$(dirname "$0")/lib.sh"
cp_init
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
start_dp rlcka "$W/a.sock"
start_dp rlckb "$W/b.sock" # relais-cli's own: no control plane reconciles it
start_cp n1 "$W/a.sock" --lease-ms 1500
cli() { "$B/cli/relais-cli" -S "$W/b.sock" "$@"; }
P=AES_CM_128_HMAC_SHA1_80
rx=$(openssl rand -hex 30) tx=$(openssl rand -hex 30)
(umask 077 && echo "$rx" >"$W/rx.key" && echo "$tx" >"$W/tx.key")
wait_for 10 rctl nodes || die "relaisctl cannot reach Redis"
rctl room create 1 >/dev/null || die "room create"
wait_for 10 grep -q . <(rctl rooms | awk '$1 == 1 && $2 == "n1"') || die "room 1 not on n1"

# refused MESSAGE CMD...: CMD fails with status 2 and says MESSAGE.
refused() {
	local want=$1 rc=0
	shift
	"$@" >"$W/out" 2>&1 || rc=$?
	[ "$rc" = 2 ] || die "'$*' exited $rc, want 2 (refused): $(cat "$W/out")"
	grep -qF -- "$want" "$W/out" || die "'$*' did not say '$want': $(cat "$W/out")"
	grep -q "$rx" "$W/out" && die "'$*' printed the key"
	say "refused: $(head -c 150 "$W/out")"
}
lit="readable by every local user (/proc/PID/cmdline): use --rx-key-file FILE"
refused "$lit" rctl part add --room 1 --id 7 --addr 10.99.0.2:4000 --profile $P \
	--rx-key "$rx" --tx-key "$tx"
refused "$lit" cli part add --room 1 --id 9 --addr 10.99.0.2:4004 --profile $P \
	--rx-key "$rx" --tx-key "$tx"
chmod 644 "$W/rx.key"
refused "mode 644 lets group or others read it" rctl part add --room 1 --id 7 \
	--addr 10.99.0.2:4000 --profile $P --rx-key-file "$W/rx.key" --tx-key-file "$W/tx.key"
refused "mode 644 lets group or others read it" cli part add --room 1 --id 9 \
	--addr 10.99.0.2:4004 --profile $P --rx-key-file "$W/rx.key" --tx-key-file "$W/tx.key"
chmod 600 "$W/rx.key"
ln -s "$W/rx.key" "$W/link.key"
refused "symbolic link" rctl part add --room 1 --id 7 --addr 10.99.0.2:4000 --profile $P \
	--rx-key-file "$W/link.key" --tx-key-file "$W/tx.key"
refused "expected the two lines 'rx KEY' and 'tx KEY'" \
	rctl part add --room 1 --id 7 --addr 10.99.0.2:4000 --profile $P --keys-stdin <<<"rx $rx"
[ "$(rcli exists 'relais:{room:1}:part:7')" = 0 ] || die "a refused command wrote part 7"

# The working forms: files (participant 7) and stdin (participant 8).
rctl part add --room 1 --id 7 --addr 10.99.0.2:4000 --profile $P \
	--rx-key-file "$W/rx.key" --tx-key-file "$W/tx.key" >"$W/out" ||
	die "relaisctl with key files: $(cat "$W/out")"
printf 'tx %s\nrx %s\n' "$tx" "$rx" |
	rctl part add --room 1 --id 8 --addr 10.99.0.2:4002 --profile $P --keys-stdin >"$W/out" ||
	die "relaisctl --keys-stdin: $(cat "$W/out")"
# unwrap ROOM PART DIR: the clear key+salt of a participant, from Redis
# (the AAD as docs/schema.md gives it: address and gen from the hash).
unwrap() {
	local k="relais:{room:$1}:part:$2"
	/usr/bin/python3 - "$W/keyring" "$1" "$2" "$3" "$(rcli hget "$k" "$3_key")" \
		"$(rcli hget "$k" addr)" "$(rcli hget "$k" gen)" <<'PY'
import sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
ring, room, part, d, w, addr, gen = sys.argv[1:]
dk = bytes.fromhex(open(ring).read().split()[1])
blob = bytes.fromhex(w)
aad = f"relais-key-v2|{room}|{part}|{d}|AES_CM_128_HMAC_SHA1_80|{addr}|{gen}".encode()
print(AESGCM(dk).decrypt(blob[:12], blob[12:], aad).hex())
PY
}
for p in 7 8; do
	[ "$(unwrap 1 $p rx)" = "$rx" ] || die "participant $p: rx key unwraps to other bytes"
	[ "$(unwrap 1 $p tx)" = "$tx" ] || die "participant $p: tx key unwraps to other bytes"
done
say "participants 7 (key files) and 8 (--keys-stdin): wrapped keys unwrap to the given bytes"
parts_are() { [ "$(dp_count parts "$W/a.sock")" = "$1" ]; }
wait_for 10 parts_are 2 || die "the control plane did not program participants 7 and 8"
grep -q "$rx\|$tx" "$W"/*.log && die "a key in a log"

# relais-cli on dataplane b: add from files, re-key from stdin, a batch
# from stdin with literals.
cli room add 2 >/dev/null || die "relais-cli room add"
cli part add --room 2 --id 9 --addr 10.99.0.2:4004 --profile $P --rx-key-file "$W/rx.key" \
	--tx-key-file "$W/tx.key" || die "relais-cli with key files"
rekeys() { cli stats | awk '$1 == "rekeys" {print $2}'; }
r0=$(rekeys)
printf 'rx %s\ntx %s\n' "$(openssl rand -hex 30)" "$(openssl rand -hex 30)" |
	cli part rekey --room 2 --id 9 --addr 10.99.0.2:4004 --profile $P --keys-stdin ||
	die "relais-cli --keys-stdin"
[ "$(rekeys)" = $((r0 + 1)) ] || die "re-key from stdin not applied (rekeys $(rekeys))"
echo "part add --room 2 --id 10 --addr 10.99.0.2:4006 --profile $P --rx-key $rx --tx-key $tx" |
	cli batch - || die "relais-cli batch from stdin with key literals"
[ "$(dp_count parts "$W/b.sock")" = 2 ] ||
	die "dataplane b has $(dp_count parts "$W/b.sock") participants, want 2"
say "relais-cli: participant 9 from key files, re-keyed from stdin; 10 from a batch on stdin"
say PASS
