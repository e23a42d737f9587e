#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bootstrap.sh — make a Debian 12 machine ready to build and test relais.
#
# Idempotent; run as root. It:
#   1. installs the Debian packages the project needs (apt-get update only
#      when something is missing), unless --no-apt;
#   2. reserves 2 MiB hugepages (RELAIS_HUGEPAGES, default 1536 = 3 GiB; an
#      existing larger reservation is kept);
#   3. mounts hugetlbfs at /dev/hugepages and bpffs at /sys/fs/bpf if needed;
#   4. raises the memlock limit for later logins (limits.d) and tells callers
#      to run `ulimit -l unlimited` in their own shell (scripts/test.sh does).
# When everything is already in place it only checks, in well under 2 s.
#
# Usage: scripts/bootstrap.sh [--no-apt] [--help]
set -euo pipefail

# Every Debian 12 package the build, the tests and the tools use.
PACKAGES=(
	meson ninja-build pkg-config build-essential
	clang llvm lld libclang-rt-14-dev clang-format clang-tidy
	libdpdk-dev dpdk
	libsrtp2-dev libssl-dev
	libbpf-dev libxdp-dev xdp-tools bpftool libelf-dev zlib1g-dev
	libhiredis-dev redis-server redis-tools stunnel4
	libpcap-dev
	iproute2 iputils-ping ethtool tcpdump
	ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base
	gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav
	python3 python3-cryptography python3-redis openssl shellcheck lua-check
	libmicrohttpd-dev libjwt-dev libjansson-dev python3-aiortc python3-aioice python3-openssl chromium coturn
)

HUGEPAGES_WANT="${RELAIS_HUGEPAGES:-1536}"
HP_SYSFS=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
LIMITS_FILE=/etc/security/limits.d/90-relais-memlock.conf

do_apt=1

say() {
	printf 'bootstrap: %s\n' "$*"
}

die() {
	printf 'bootstrap: error: %s\n' "$*" >&2
	exit 1
}

usage() {
	sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'
}

# Print the packages of PACKAGES that are not installed, one per line.
missing_packages() {
	local status
	status=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null ||
		true)
	local p
	for p in "${PACKAGES[@]}"; do
		if ! grep -qx "$p installed" <<<"$status"; then
			echo "$p"
		fi
	done
}

install_packages() {
	local missing
	mapfile -t missing < <(missing_packages)
	if [ "${#missing[@]}" -eq 0 ]; then
		say "packages: all ${#PACKAGES[@]} present"
		return 0
	fi
	say "packages: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
	mapfile -t missing < <(missing_packages)
	[ "${#missing[@]}" -eq 0 ] || die "still missing after install: ${missing[*]}"
	say "packages: installed"
	quiet_coturn
}

# coturn is installed for the tests, which start their own turnserver in a
# namespace; its Debian service must not listen on this host's addresses.
quiet_coturn() {
	if [ -d /run/systemd/system ] && systemctl is-enabled coturn >/dev/null 2>&1; then
		systemctl disable --now coturn >/dev/null 2>&1 &&
			say "coturn: Debian's service disabled (the tests start their own)"
	fi
}

reserve_hugepages() {
	[ -w "$HP_SYSFS" ] || die "cannot write $HP_SYSFS (2 MiB hugepages unsupported?)"
	local have
	have=$(cat "$HP_SYSFS")
	if [ "$have" -ge "$HUGEPAGES_WANT" ]; then
		say "hugepages: $have x 2 MiB reserved (want >= $HUGEPAGES_WANT)"
		return 0
	fi
	echo "$HUGEPAGES_WANT" >"$HP_SYSFS"
	have=$(cat "$HP_SYSFS")
	if [ "$have" -lt "$HUGEPAGES_WANT" ]; then
		say "hugepages: WARNING only $have of $HUGEPAGES_WANT x 2 MiB could be reserved"
	else
		say "hugepages: reserved $have x 2 MiB"
	fi
}

mount_fs() {
	local type=$1 dir=$2 opts=$3
	if mountpoint -q "$dir"; then
		say "mount: $dir already mounted"
		return 0
	fi
	mkdir -p "$dir"
	mount -t "$type" -o "$opts" "$type" "$dir"
	say "mount: mounted $type at $dir"
}

memlock() {
	if [ ! -f "$LIMITS_FILE" ]; then
		printf '# relais: DPDK and AF_XDP pin memory\n*\t-\tmemlock\tunlimited\nroot\t-\tmemlock\tunlimited\n' \
			>"$LIMITS_FILE"
		say "memlock: wrote $LIMITS_FILE (new logins)"
	fi
	say "memlock: current shell limit $(ulimit -l); run 'ulimit -l unlimited' before" \
		"starting the dataplane by hand (scripts/test.sh does it)"
}

main() {
	while [ $# -gt 0 ]; do
		case "$1" in
		--no-apt) do_apt=0 ;;
		-h | --help)
			usage
			exit 0
			;;
		*) die "unknown option '$1' (try --help)" ;;
		esac
		shift
	done
	[ "$(id -u)" -eq 0 ] || die "must run as root"
	if [ "$do_apt" -eq 1 ]; then
		install_packages
	else
		say "packages: skipped (--no-apt)"
	fi
	reserve_hugepages
	mount_fs hugetlbfs /dev/hugepages pagesize=2M
	mount_fs bpf /sys/fs/bpf mode=0700
	memlock
	say "done"
}

main "$@"
