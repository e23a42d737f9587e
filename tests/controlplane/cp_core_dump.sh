#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A core dump root takes of a running relais process (`gcore PID`: gdb
# attaches with CAP_SYS_PTRACE, non-dumpable or not) holds no key bytes
# (include/relais/no_dump.h): each process sets its own coredump_filter to
# 0x10 (no anonymous, shared or hugetlb memory), the keyring lives in pages
# marked MADV_DONTDUMP and so does all of DPDK's memory in the dataplane.
# Each of these gets known keys and is dumped:
#   - relais-dataplane with the libsrtp engine, a participant programmed by
#     relais-cli from key files (the contexts are on the heap);
#   - relais-dataplane with the cryptodev engine, a participant programmed
#     by the control plane from Redis (the sessions are in DPDK's memory);
#   - relais-controlplane (the keyring, the unwrapped keys it programs);
#   - relais-edge (the keyring, its token secret);
#   - relaisctl holding the keyring, blocked reading keys on stdin.
# Searched (core_keys.py): the master keys and salts as given, the six
# session keys derived from each (what the engines hold), the keyring's
# deployment key, the token secret; raw, hex (both cases) and base64.
# For each process the test first reads its memory (/proc/PID/mem): the
# keys named for it are there, so their absence from the dump means
# something. The dump is a real core (ELF type CORE, gdb lists as many
# threads as the process has and reads their registers) with none of the
# bytes. Then the same gcore with the kernel's default filter (0x33, what
# a process gets without relais's) finds the keys on the heap, but still
# not the keyring's key (MADV_DONTDUMP, the second line); DPDK's hugepages
# all carry "dd" in /proc/PID/smaps. Every gcore runs with a 1 GiB file
# size limit. Root only (ptrace of a non-dumpable process). Under
# AddressSanitizer only the dump relais allows is taken: the controls would
# dump its shadow memory and allocator space (terabytes).
B=$1 T=cp_core_dump
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v gcore >/dev/null; then
	echo "$T: SKIP: needs root and gdb's gcore" >&2
	exit 77
fi
cp_init
KEYS="$(dirname "$0")/core_keys.py"
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
P=AES_CM_128_HMAC_SHA1_80
dk=$(awk '{print $2}' "$W/keyring")
for k in rx1 tx1 rx2 tx2 rx3 tx3; do (umask 077 && openssl rand -hex 30 >"$W/$k.key"); done
key() { cat "$W/$1.key"; }
(umask 077 && openssl rand -hex 32 | tr -d '\n' >"$W/token.secret")
tok=$(xxd -p "$W/token.secret" | tr -d '\n') # the secret is the file's text

# Dataplane L (libsrtp), participant 1 from relais-cli.
DP_EXTRA=(-s control.crypto_engine=libsrtp -s limits.mbufs=4095)
start_dp rlcdl "$W/l.sock"
"$B/cli/relais-cli" -S "$W/l.sock" room add 1 >/dev/null || die "relais-cli room add"
"$B/cli/relais-cli" -S "$W/l.sock" part add --room 1 --id 1 --addr 10.99.0.2:4000 --profile $P \
	--rx-key-file "$W/rx1.key" --tx-key-file "$W/tx1.key" || die "relais-cli part add"
# Dataplane C (cryptodev) with an edge socket, its control plane, and
# participant 2 written to Redis by relaisctl.
DP_EXTRA=(-s control.crypto_engine=cryptodev -s limits.mbufs=4095 -s "edge.socket=$W/edge.sock")
start_dp rlcdc "$W/c.sock"
start_cp n1 "$W/c.sock" --lease-ms 1500
wait_for 10 rexists 'relais:{dir}:lease:n1' || die "node n1 did not register"
rctl room create 1 >/dev/null || die "room create"
rctl part add --room 1 --id 2 --addr 10.99.0.2:4002 --profile $P --rx-key-file "$W/rx2.key" \
	--tx-key-file "$W/tx2.key" >/dev/null || die "relaisctl part add"
wait_for 10 dp_has parts "$W/c.sock" 1 || die "the control plane did not program participant 2"
hport=$(free_port)
"$B/edge/relais-edge" --node n1 --keyring "$W/keyring" --link "$W/edge.sock" --media-ip 10.99.0.1 \
	--http "127.0.0.1:$hport" --token-secret "$W/token.secret" --redis "127.0.0.1:$RPORT" \
	>"$W/edge.log" 2>&1 &
EDGE_PID=$!
PIDS+=("$EDGE_PID")
wait_for 10 grep -q "edge link to .* up" "$W/edge.log" || die "relais-edge: $(tail -3 "$W/edge.log")"
# relaisctl with the keyring loaded, blocked reading keys from a FIFO that
# stays open for writing (fd 7) and never gets a line.
mkfifo "$W/in"
exec 7<>"$W/in"
"$B/controlplane/relaisctl" --redis "127.0.0.1:$RPORT" --keyring "$W/keyring" part add --room 1 \
	--id 3 --addr 10.99.0.2:4004 --profile $P --keys-stdin <"$W/in" >"$W/ctl.log" 2>&1 &
CTL_PID=$!
PIDS+=("$CTL_PID")
reading_stdin() { awk '{exit !($1 == 0 && $2 == "0x0")}' "/proc/$CTL_PID/syscall"; }
wait_for 5 reading_stdin || die "relaisctl is not waiting on stdin: $(cat "$W/ctl.log")"

# gcore_to OUT PID [gcore args]: gcore with a 1 GiB file size limit.
gcore_to() {
	local out=$1 pid=$2
	shift 2
	(ulimit -f 1048576 && gcore "$@" -o "$out" "$pid") >"$out.log" 2>&1 ||
		die "gcore $pid: $(tail -3 "$out.log")"
	[ -s "$out.$pid" ] || die "gcore $pid wrote nothing: $(tail -3 "$out.log")"
	! grep -q 'File too large\|No space left' "$out.log" || die "gcore $pid: $(tail -3 "$out.log")"
}
# has LIST PATTERN...: every pattern NAME/FORM (rx1.rtp_enc/raw) is a
# finding of LIST (core_keys.py's output).
has() {
	local list=$1 p
	shift
	for p in "$@"; do grep -q "^${p%/*} ${p#*/} at" <<<"$list" || return 1; done
}

# check NAME PID BIN IN_MEMORY ON_HEAP EVERYWHERE SPEC...: the patterns
# IN_MEMORY are in the process's memory; its gcore is a real core with none
# of the SPEC bytes; with the kernel's default filter restored, gcore finds
# the ON_HEAP patterns and never the keyring's key; `gcore -a` (no filter,
# MADV_DONTDUMP ignored) finds the EVERYWHERE ones (not tried when empty:
# the dataplane's address space reservations would make it 68 GB).
check() {
	local name=$1 pid=$2 bin=$3 inmem=$4 onheap=$5 all=$6 out=$W/$1 mem found threads n
	shift 6
	[ "$(cat "/proc/$pid/coredump_filter")" = 00000010 ] ||
		die "$name: coredump_filter $(cat "/proc/$pid/coredump_filter"), want 00000010"
	mem=$(python3 "$KEYS" "pid:$pid" "$@")
	# shellcheck disable=SC2086 # lists of patterns
	has "$mem" $inmem || die "$name: not all of '$inmem' in its memory: $mem"
	say "$name: its memory holds $(tail -1 <<<"$mem" | awk '{print $2}') of the key forms searched"
	gcore_to "$out" "$pid"
	readelf -h "$out.$pid" | grep -q 'Type: *CORE' || die "$name: not an ELF core file"
	gdb -batch -nx -ex 'info threads' -ex 'info registers rip' "$bin" "$out.$pid" \
		>"$out.gdb" 2>&1 || die "$name: gdb cannot read the core: $(tail -3 "$out.gdb")"
	threads=$(grep -cE '^[* ] +[0-9]+ +(Thread|LWP) ' "$out.gdb" || true)
	n=$(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 | wc -l)
	[ "$threads" = "$n" ] || die "$name: gdb sees $threads threads in the core, the process has $n"
	grep -qE '^rip +0x[0-9a-f]+' "$out.gdb" || die "$name: no registers: $(tail -3 "$out.gdb")"
	found=$(python3 "$KEYS" "$out.$pid" "$@")
	[ "$(tail -1 <<<"$found" | awk '{print $2}')" = 0 ] ||
		die "$name: key bytes in its core dump: $found"
	say "$name: gcore of $(stat -c %s "$out.$pid") bytes, $threads threads, registers read, no key bytes"
	rm -f "$out.$pid"
	if grep -q libasan "/proc/$pid/maps"; then
		say "$name: the controls (default filter, gcore -a) not tried under AddressSanitizer:" \
			"its shadow and allocator space make such a core terabytes"
		return 0
	fi
	echo 0x33 >"/proc/$pid/coredump_filter"
	gcore_to "$out.default" "$pid"
	echo 0x10 >"/proc/$pid/coredump_filter"
	found=$(python3 "$KEYS" "$out.default.$pid" "$@")
	rm -f "$out.default.$pid"
	# shellcheck disable=SC2086
	has "$found" $onheap || die "$name: default filter: not all of '$onheap' found: $found"
	! grep -q "^deploy\." <<<"$found" || die "$name: the keyring's key in a dump: $found"
	say "$name: with the default filter gcore finds $(tail -1 <<<"$found" | awk '{print $2}')" \
		"(${onheap:-none expected}), not the keyring's key"
	[ -n "$all" ] || return 0
	gcore_to "$out.all" "$pid" -a
	found=$(python3 "$KEYS" "$out.all.$pid" "$@")
	rm -f "$out.all.$pid"
	# shellcheck disable=SC2086
	has "$found" $all || die "$name: gcore -a: not all of '$all' found: $found"
	say "$name: gcore -a (everything, on purpose) finds $(tail -1 <<<"$found" | awk '{print $2}') ($all)"
}
# ht_dd PID: every hugetlb mapping of the process is marked MADV_DONTDUMP.
ht_dd() {
	local bad
	bad=$(awk '/^[0-9a-f]+-/ {m = $0} /^VmFlags:/ && / ht/ && !/ dd/ {print m}' "/proc/$1/smaps")
	[ -z "$bad" ] || die "hugetlb mappings without dd: $bad"
	say "dataplane $1: $(grep -c '^VmFlags:.* ht' "/proc/$1/smaps") hugetlb mappings, all dd"
}

S1=(srtp:rx1="$(key rx1)" srtp:tx1="$(key tx1)")
S2=(srtp:rx2="$(key rx2)" srtp:tx2="$(key tx2)")
# shellcheck disable=SC2154 # DP_PID_* are set by start_dp
ht_dd "$DP_PID_rlcdl"
ht_dd "$DP_PID_rlcdc"
check dataplane-libsrtp "$DP_PID_rlcdl" "$B/dataplane/relais-dataplane" \
	"rx1.rtp_enc/raw tx1.rtp_enc/raw rx1.rtp_salt/raw" "rx1.rtp_enc/raw tx1.rtp_enc/raw" "" \
	"${S1[@]}"
check dataplane-cryptodev "$DP_PID_rlcdc" "$B/dataplane/relais-dataplane" \
	"rx2.rtp_enc/raw tx2.rtp_enc/raw" "" "" "${S2[@]}"
check controlplane "$(cp_pid n1)" "$B/controlplane/relais-controlplane" \
	"deploy.key/raw" "" "deploy.key/raw" deploy.key="$dk" "${S2[@]}"
check edge "$EDGE_PID" "$B/edge/relais-edge" "deploy.key/raw token/raw" "token/raw" \
	"deploy.key/raw token/raw" deploy.key="$dk" token="$tok"
check relaisctl "$CTL_PID" "$B/controlplane/relaisctl" "deploy.key/raw" "" "deploy.key/raw" \
	deploy.key="$dk"
exec 7>&-
say PASS
