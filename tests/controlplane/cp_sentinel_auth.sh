#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Authenticated Sentinel, the master it names checked (docs/controlplane.md
# "Sentinel"): a real sentinel (redis-server --sentinel) with requirepass
# monitors a master. The control plane and relaisctl send AUTH from
# --sentinel-password-file (a secret file: a group-readable one is refused
# at start) before every query; without it the sentinel's NOAUTH refusal is
# logged and nothing connects. The master the sentinel names must be one of
# --masters: a control plane configured with another address refuses the
# answer by name (logged) and never registers; --sentinels without
# --masters is refused at start. The control plane configured right places
# and programs a room found through the sentinel.
B=$1 T=cp_sentinel_auth
. "$(dirname "$0")/lib.sh"
cp_init
MP=$(free_port) SP=$(free_port) OTHER=$(free_port)
RPORT=$MP
start_redis "$MP" "$W/m"
SPASS=$(openssl rand -hex 16)
mkdir -p "$W/s"
cat >"$W/s/sentinel.conf" <<CONF
port $SP
bind 127.0.0.1
dir $W/s
requirepass $SPASS
sentinel monitor relais 127.0.0.1 $MP 1
CONF
redis-server "$W/s/sentinel.conf" --sentinel --logfile "$W/s/log" &
PIDS+=($!)
sup() { REDISCLI_AUTH=$SPASS redis-cli -p "$SP" sentinel get-master-addr-by-name relais | grep -qx "$MP"; }
wait_for 10 sup || die "sentinel did not start"
redis-cli -p "$SP" sentinel get-master-addr-by-name relais 2>&1 | grep -q NOAUTH ||
	die "the sentinel answers without AUTH"
(umask 077 && echo "$SPASS" >"$W/sentinel.pass")
echo "$SPASS" >"$W/sentinel.open" && chmod 640 "$W/sentinel.open"
say "sentinel on $SP requires a password; it names master 127.0.0.1:$MP"

S=(--sentinels "127.0.0.1:$SP")
# Refused at start: a group-readable password file; --sentinels without --masters.
if "$B/controlplane/relais-controlplane" --node n0 --keyring "$W/keyring" "${S[@]}" \
	--masters "127.0.0.1:$MP" --sentinel-password-file "$W/sentinel.open" >"$W/open.out" 2>&1; then
	die "a group-readable sentinel password file was taken"
fi
grep -q 'lets group or others read it' "$W/open.out" || die "refusal: $(cat "$W/open.out")"
if "$B/controlplane/relais-controlplane" --node n0 --keyring "$W/keyring" "${S[@]}" \
	--sentinel-password-file "$W/sentinel.pass" >"$W/nomasters.out" 2>&1; then
	die "--sentinels without --masters was taken"
fi
grep -q 'needs --masters' "$W/nomasters.out" || die "refusal: $(cat "$W/nomasters.out")"
say "refused at start: $(head -1 "$W/open.out" | cut -c1-110)"
say "refused at start: $(head -1 "$W/nomasters.out")"

sctl() { "$B/controlplane/relaisctl" "${S[@]}" --masters "127.0.0.1:$MP" --keyring "$W/keyring" "$@"; }
# relaisctl (the blocking client): without the password, NOAUTH; with it, works.
sctl nodes >"$W/ctl-noauth.out" 2>&1 && die "relaisctl worked without the sentinel password"
grep -q 'NOAUTH' "$W/ctl-noauth.out" || die "relaisctl: $(cat "$W/ctl-noauth.out")"
sctl --sentinel-password-file "$W/sentinel.pass" nodes >/dev/null || die "relaisctl with the password"
say "relaisctl: $(grep -m1 NOAUTH "$W/ctl-noauth.out" | cut -c1-120); with the password file: works"

start_dp rlcpsa "$W/a.sock"
start_dp rlcpsb "$W/b.sock"
start_dp rlcpsc "$W/c.sock"
# n2: no sentinel password; n3: a master list without the real master.
"$B/controlplane/relais-controlplane" --node n2 --keyring "$W/keyring" "${S[@]}" \
	--masters "127.0.0.1:$MP" --dp-socket "$W/b.sock" >"$W/n2.cp.log" 2>&1 &
PIDS+=($!)
"$B/controlplane/relais-controlplane" --node n3 --keyring "$W/keyring" "${S[@]}" \
	--masters "127.0.0.1:$OTHER,localhost:$MP" --sentinel-password-file "$W/sentinel.pass" \
	--dp-socket "$W/c.sock" >"$W/n3.cp.log" 2>&1 &
PIDS+=($!)
"$B/controlplane/relais-controlplane" --node n1 --keyring "$W/keyring" "${S[@]}" \
	--masters "127.0.0.1:$OTHER,127.0.0.1:$MP" --sentinel-password-file "$W/sentinel.pass" \
	--dp-socket "$W/a.sock" --lease-ms 3000 >"$W/n1.cp.log" 2>&1 &
PIDS+=($!)
wait_for 10 rexists 'relais:{dir}:lease:n1' || die "n1 did not register through the sentinel"
P=AES_CM_128_HMAC_SHA1_80
sctl --sentinel-password-file "$W/sentinel.pass" room create 1 >/dev/null || die "room create"
[ "$(rcli hget 'relais:{dir}:room:1' owner)" = n1 ] || die "room 1 not on n1"
sctl --sentinel-password-file "$W/sentinel.pass" part add --room 1 --id 11 \
	--addr 10.99.0.2:4000 --profile $P >/dev/null
wait_for 10 dp_has parts "$W/a.sock" 1 || die "participant 11 not programmed"
say "n1 (password file, master listed) registered; room 1 placed and programmed"

k2="sentinel 127.0.0.1:$SP refused AUTH\|sentinel 127.0.0.1:$SP refused the query: NOAUTH"
wait_for 5 grep -q "$k2" "$W/n2.cp.log" || die "n2: $(tail -3 "$W/n2.cp.log")"
k3="sentinel 127.0.0.1:$SP named master 'relais' at 127.0.0.1:$MP, not one of the configured masters (--masters)"
wait_for 5 grep -qF "$k3" "$W/n3.cp.log" || die "n3: $(tail -3 "$W/n3.cp.log")"
sleep 2
for n in n2 n3; do
	[ "$(rcli exists "relais:{dir}:lease:$n")" = 0 ] || die "$n registered"
	grep -q 'redis connected\|registered' "$W/$n.cp.log" && die "$n connected: $(cat "$W/$n.cp.log")"
done
say "n2 (no password): $(grep -m1 "$k2" "$W/n2.cp.log" | cut -c1-140)"
say "n3 (master not listed): $(grep -m1 -F "$k3" "$W/n3.cp.log" | cut -c1-160)"
[ "$(dp_count parts "$W/b.sock")$(dp_count parts "$W/c.sock")" = 00 ] || die "n2/n3 programmed something"
say "n2 and n3 never registered and programmed nothing"
say PASS
