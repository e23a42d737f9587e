#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Both processes run unprivileged after setup (docs/operations.md,
# "Privileges"): relais-dataplane on net_af_xdp with the relais XDP filter
# drops to process.user (a user and group this test creates, rlprivt-dp
# and rlprivt, removed at exit by these names), relais-controlplane with
# the filter's pinned maps (--xdp-pins) to --run-as nobody:rlprivt.
# /proc/PID/status (and every thread's) shows the ids, the capability sets
# (the dataplane's main thread CAP_NET_ADMIN only, its other threads none;
# the control plane none, or CAP_BPF where the kernel needs it for its
# maps) and NoNewPrivs; the state directory and file belong to the user; a
# conference created through Redis forwards media end to end with no loss
# and no verification failure; the dataplane exits 0 on SIGTERM and its
# XDP program is detached from the interface.
B=$1 T=cp_privs
. "$(dirname "$0")/lib.sh"
need_root
[ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] || die "/sys/fs/bpf is not a bpffs"
GRP=rlprivt DPU=rlprivt-dp CPU=nobody NS=rlcpv N=51
PINS=/sys/fs/bpf/relais/$NS-d
MAPS="rlx_config rlx_block4 rlx_block6 rlx_allow4 rlx_allow6 rlx_ports rlx_buckets rlx_drops
rlx_verdicts rlx_stun rlx_stun_total rlx_flows"

# The test's user and group and the filter's pins, removed by exact name.
privs_down() {
	if getent passwd "$DPU" >/dev/null; then userdel "$DPU"; fi
	if getent group "$GRP" >/dev/null; then groupdel "$GRP"; fi
	for m in $MAPS; do rm -f "$PINS/$m"; done
	rmdir "$PINS" 2>/dev/null || true
	return 0
}
cp_init
trap 'cp_cleanup; privs_down' EXIT
privs_down
groupadd --system "$GRP"
useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
	--gid "$GRP" "$DPU"
chmod 0711 "$W" # both users reach the sockets; the keyring is read before the drop
mkdir -m 0755 "$W/cpstatus" && chown "$CPU" "$W/cpstatus"

# status PID FIELD: one field of /proc/PID/status.
status() { awk -v f="$2:" '$1 == f {$1 = ""; sub(/^ /, ""); print}' "/proc/$1/status"; }
# want PID FIELD VALUE: that field is VALUE (tabs as spaces).
want() {
	local v
	v=$(status "$1" "$2" | tr '\t' ' ')
	[ "$v" = "$3" ] || die "pid $1 $2: '$v', expected '$3'"
}
# threads_dropped PID UID EFF: every thread runs as UID with no_new_privs,
# the main one with capability set EFF, the others with none.
threads_dropped() {
	local t n=0
	for t in /proc/"$1"/task/*; do
		t=${t##*/}
		want "$1/task/$t" Uid "$2 $2 $2 $2"
		want "$1/task/$t" NoNewPrivs 1
		want "$1/task/$t" CapInh 0000000000000000
		want "$1/task/$t" CapAmb 0000000000000000
		if [ "$t" = "$1" ]; then want "$1/task/$t" CapEff "$3"; else
			want "$1/task/$t" CapEff 0000000000000000
			want "$1/task/$t" CapPrm 0000000000000000
		fi
		n=$((n + 1))
	done
	echo "$n"
}

RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
netns_up "$NS" "$N"
DP_VDEV_EXTRA=",xdp_prog=$B/ebpf/relais_xdp.bpf.o"
DP_EXTRA=(-s process.user="$DPU" -s control.group="$GRP" -s state.dir="$W/state")
# Sanitizer builds: DPDK 22.11's net_af_xdp with xdp_prog= leaks libxdp's
# umem and libbpf's object at close, as root without process.user too
# (measured); only those libraries' leaks are suppressed, for this process.
printf 'leak:libxdp.so\nleak:libbpf.so\n' >"$W/lsan.supp"
lsan=${LSAN_OPTIONS-}
export LSAN_OPTIONS="${lsan:+$lsan:}suppressions=$W/lsan.supp"
start_dp "$NS" "$W/n1.sock" "$NS-dp" "$NS-d" "10.77.$N.1/24" "fd00:77:$N::1/64"
if [ -n "$lsan" ]; then LSAN_OPTIONS=$lsan; else unset LSAN_OPTIONS; fi
dp=$(eval echo "\$DP_PID_$NS")
# the socket listens before the drop: wait for the dataplane's word on it
wait_for 10 grep -q 'running as' "$W/$NS.dp.log" || die "dataplane: $(tail "$W/$NS.dp.log")"
rxdp() { nsenter --net="/run/netns/$NS-dp" "$B/ebpf/relais-xdp" "$@"; }
rxdp adopt "$NS-d" >/dev/null
rxdp -i "$NS-d" media "10.77.$N.1" "fd00:77:$N::1"
rxdp -i "$NS-d" ports 5000
rxdp -i "$NS-d" rate --pps 20000 --burst 4000
start_cp n1 "$W/n1.sock" --addr4 "10.77.$N.1" --addr6 "fd00:77:$N::1" --xdp-pins "$PINS" \
	--run-as "$CPU:$GRP" --status-file "$W/cpstatus/status.json"
cp=$(cp_pid n1)
wait_for 10 grep -q 'running as' "$W/n1.cp.log" || die "control plane: $(cat "$W/n1.cp.log")"
grep 'running as' "$W/$NS.dp.log" "$W/n1.cp.log"

# The dataplane: its user and group everywhere, CAP_NET_ADMIN (bit 12)
# left in the main thread's permitted, effective and bounding sets only.
uid=$(id -u "$DPU") gid=$(getent group "$GRP" | cut -d: -f3)
want "$dp" Gid "$gid $gid $gid $gid"
want "$dp" Groups "$gid"
want "$dp" CapPrm 0000000000001000
want "$dp" CapBnd 0000000000001000
n=$(threads_dropped "$dp" "$uid" 0000000000001000)
say "dataplane pid $dp: uid $uid gid $gid, $n threads, CapEff $(status "$dp" CapEff)" \
	"(main thread), NoNewPrivs 1"
[ "$(stat -c %U "$W/state" "$W/state/output-index.state" | sort -u)" = "$DPU" ] ||
	die "state.dir not given to $DPU: $(ls -la "$W/state")"

# The control plane: nobody, the group, nothing kept but (on kernels that
# need it for bpf() on its open map fds) CAP_BPF (bit 39).
cuid=$(id -u "$CPU")
want "$cp" Gid "$gid $gid $gid $gid"
ceff=$(status "$cp" CapEff)
case $ceff in
0000000000000000 | 0000008000000000) ;;
*) die "control plane CapEff $ceff" ;;
esac
want "$cp" CapPrm "$ceff"
threads_dropped "$cp" "$cuid" "$ceff" >/dev/null
say "control plane pid $cp: uid $cuid gid $gid, CapEff $ceff, NoNewPrivs 1"

# Media through Redis to the dropped processes; the status file is
# written by the dropped control plane.
conference c "$N" 2 3 0 6
rctl batch "$W/c.batch" >/dev/null
wait_for 10 programmed "$W/n1.sock" 2 3 || die "conference not programmed: $(tail "$W/n1.cp.log")"
start_loadgen c "$NS-peer"
loadgen_ok c
[ "$(stat -c %U "$W/cpstatus/status.json")" = "$CPU" ] || die "no status file written by $CPU"
threads_dropped "$dp" "$uid" 0000000000001000 >/dev/null # still dropped after media

# Orderly stop: exit 0, the XDP program detached by the kept CAP_NET_ADMIN.
kill -TERM "$dp"
rc=0
wait "$dp" || rc=$?
[ "$rc" = 0 ] || die "dataplane exited $rc: $(tail -n 5 "$W/$NS.dp.log")"
if ip -n "$NS-dp" link show dev "$NS-d" | grep -q 'xdp'; then
	die "XDP program still attached after the dataplane's exit"
fi
say "dataplane exited 0 after SIGTERM, XDP program detached"
say PASS
