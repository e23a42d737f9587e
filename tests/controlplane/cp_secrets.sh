#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Secret files (keyring, Redis password) are refused, with a message naming
# the file and the problem, when group or others may read them, when they
# are a symbolic link, or not a regular file; a chmod 600 file is taken.
# The status file must be in a directory only its owner writes, and a link
# planted at its temporary name is never written through. The control
# plane is not dumpable (no core file, no ptrace by others): run as nobody,
# its /proc files belong to root, unless RELAIS_ALLOW_CORE_DUMP=1.
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
mkdir -m 777 "$W/open"
refused "status file in a mode 777 directory" "may be written by others" \
	"$CP" --node n1 --keyring "$W/keyring" --status-file "$W/open/st.json" --redis 127.0.0.1:1
echo precious >"$W/victim"
ln -s "$W/victim" "$W/st.json.tmp"
timeout 3 "$CP" --node n1 --keyring "$W/keyring" --status-file "$W/st.json" \
	--redis 127.0.0.1:1 --dp-socket "$W/none.sock" >"$W/st.log" 2>&1 || true
[ "$(cat "$W/victim")" = precious ] || die "the status writer wrote through a planted link"
grep -q '"node"' "$W/st.json" || die "no status file written: $(head -3 "$W/st.log")"
say "a link planted at the status file's temporary name is replaced, not followed"
# proc_owner [ENV...]: owner uid of /proc/PID/status of the control plane
# run as nobody (with ENV), once it has started.
proc_owner() {
	local pid uid
	env "$@" setpriv --reuid=65534 --regid=65534 --clear-groups "$CP" --node n1 \
		--keyring "$W/nb/keyring" --redis 127.0.0.1:1 --dp-socket "$W/nb/none.sock" \
		>"$W/nb.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait_for 5 grep -q "redis unavailable" "$W/nb.log" || die "as nobody: $(head -3 "$W/nb.log")"
	uid=$(stat -c %u "/proc/$pid/status")
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	echo "$uid"
}
chmod 711 "$W"
mkdir -m 700 "$W/nb" && cp "$W/keyring" "$W/nb/keyring" && chown -R 65534:65534 "$W/nb"
[ "$(proc_owner)" = 0 ] || die "the control plane stays dumpable"
[ "$(proc_owner RELAIS_ALLOW_CORE_DUMP=1)" = 65534 ] ||
	die "RELAIS_ALLOW_CORE_DUMP=1 did not keep it dumpable (the check above proves nothing)"
say "not dumpable: /proc/PID of the control plane run as nobody is root's (nobody's with RELAIS_ALLOW_CORE_DUMP=1)"
say PASS
