#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Secret files (keyring, Redis password) are refused, with a message naming
# the file and the problem, when group or others may read them, when they
# are a symbolic link, or not a regular file; a chmod 600 file is taken.
# Needs no Redis: the files are read before anything connects.
B=$1 T=cp_secrets
. "$(dirname "$0")/lib.sh"
cp_init
CP=$B/controlplane/relais-controlplane CTL=$B/controlplane/relaisctl
# refused WHAT EXPECTED PROGRAM ARGS...: the program exits non-zero, saying EXPECTED.
refused() {
	local what=$1 want=$2 out
	shift 2
	if out=$(timeout 5 "$@" 2>&1); then die "$what: accepted"; fi
	grep -qF -- "$want" <<<"$out" || die "$what: no '$want' in: $(head -3 <<<"$out")"
	say "$what: refused: $(grep -F -- "$want" <<<"$out" | head -1)"
}
cp "$W/keyring" "$W/kr644" && chmod 644 "$W/kr644"
refused "keyring mode 644" "mode 644 lets group or others read it" \
	"$CP" --node n1 --keyring "$W/kr644" --redis 127.0.0.1:1
refused "keyring mode 644 (relaisctl)" "mode 644" "$CTL" --keyring "$W/kr644" nodes
ln -s "$W/keyring" "$W/krlink"
refused "keyring through a symlink" "is a symbolic link" \
	"$CP" --node n1 --keyring "$W/krlink" --redis 127.0.0.1:1
refused "keyring a directory" "not a regular file" "$CTL" --keyring "$W" nodes
(umask 077; echo pw >"$W/pw600")
cp "$W/pw600" "$W/pw640" && chmod 640 "$W/pw640"
refused "password file mode 640" "mode 640" \
	"$CP" --node n1 --keyring "$W/keyring" --password-file "$W/pw640" --redis 127.0.0.1:1
# The mode 600 files are taken: the control plane gets as far as Redis.
timeout 3 "$CP" --node n1 --keyring "$W/keyring" --password-file "$W/pw600" \
	--redis 127.0.0.1:1 --dp-socket "$W/none.sock" >"$W/ok.log" 2>&1 || true
grep -q "redis unavailable" "$W/ok.log" || die "mode 600 files not taken: $(head -3 "$W/ok.log")"
say "mode 600 keyring and password file taken"
say PASS
