#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Redis across hosts, encrypted and authenticated (docs/operations.md
# "Redis across hosts"): redis-server listens on TLS only (--port 0
# --tls-port, a certificate from a CA made now with openssl, requirepass);
# the control plane talks to the stunnel4 client sidecar of
# docs/examples/stunnel-redis.conf on 127.0.0.1, which checks the chain
# against that CA and the name, and places and programs a room through it.
# Then an impostor takes over the TLS port with a certificate from another
# CA and a copy of the data plus a participant the real Redis never had:
# stunnel refuses it, the control plane reports Redis down (status file,
# log) and programs nothing from it. Back with the real Redis, it serves
# again.
B=$1 T=cp_redis_tls
. "$(dirname "$0")/lib.sh"
command -v stunnel4 >/dev/null || die "stunnel4 missing (scripts/bootstrap.sh installs it)"
cp_init
tls_ca "$W/ca" redis.test
tls_ca "$W/evil" redis.test
TP=$(free_port) LP=$(free_port) EP=$(free_port)
PASS=$(openssl rand -hex 16)
(umask 077 && echo "$PASS" >"$W/redis.pass")
export REDISCLI_AUTH=$PASS
rctl() { RELAIS_REDIS_PASSWORD=$PASS "$B/controlplane/relaisctl" --redis "127.0.0.1:$RPORT" \
	--keyring "$W/keyring" "$@"; }
start_redis_tls "$TP" "$W/redis" "$W/ca" --requirepass "$PASS"
start_stunnel st1 "$LP" "127.0.0.1:$TP" "$W/ca/ca.crt" redis.test
RPORT=$LP # relaisctl and redis-cli go through the sidecar too
# No plaintext anywhere on the Redis side: a plain client gets nothing.
if timeout 3 redis-cli -p "$TP" ping 2>/dev/null | grep -q PONG; then
	die "redis answered plaintext on its TLS port"
fi
[ "$(rcli ping)" = PONG ] || die "no PONG through the sidecar"
say "redis on TLS only (port $TP); plaintext refused; the sidecar on 127.0.0.1:$LP verifies it"

start_dp rlcptls "$W/a.sock"
start_cp n1 "$W/a.sock" --password-file "$W/redis.pass" --lease-ms 3000 --reconcile-ms 1000 \
	--status-file "$W/n1.status"
wait_for 10 rexists 'relais:{dir}:lease:n1' || die "node did not register through TLS"
P=AES_CM_128_HMAC_SHA1_80
rctl room create 1 >/dev/null || die "room create"
rctl part add --room 1 --id 11 --addr 10.99.0.2:4000 --profile $P >/dev/null
wait_for 10 dp_has parts "$W/a.sock" 1 || die "participant 11 not programmed through TLS"
[ "$(rcli hget 'relais:{dir}:room:1' owner)" = n1 ] || die "room 1 not placed on n1"
redis_state() {
	/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["redis"]["state"])' \
		"$W/n1.status"
}
redis_is() { [ "$(redis_state)" = "$1" ]; }
wait_for 5 redis_is up || die "status: $(cat "$W/n1.status")"
say "room 1 placed on n1 and participant 11 programmed through stunnel + TLS"

# The impostor: the same data (and a participant 12 the real Redis never
# had) on the same TLS port, with a certificate from another CA.
rcli save >/dev/null
mkdir -p "$W/eredis"
cp "$W/redis/dump.rdb" "$W/eredis/dump.rdb"
kill "$(redis_pid "$TP")"
for _ in $(seq 50); do kill -0 "$(redis_pid "$TP")" 2>/dev/null || break; sleep 0.1; done
start_redis "$EP" "$W/eredis" --tls-port "$TP" --tls-cert-file "$W/evil/redis.crt" \
	--tls-key-file "$W/evil/redis.key" --tls-ca-cert-file "$W/evil/ca.crt" \
	--tls-auth-clients no --requirepass "$PASS"
RPORT=$EP rctl part add --room 1 --id 12 --addr 10.99.0.2:4002 --profile $P >/dev/null
say "impostor redis (another CA) on $TP holds participant 12"
refused() { grep -qi 'certificate verify failed\|verification error' "$W/st1.log"; }
wait_for 10 refused || die "stunnel did not refuse the impostor: $(tail -5 "$W/st1.log")"
say "stunnel: $(grep -i -m1 'verification error\|certificate verify failed' "$W/st1.log")"
wait_for 10 redis_is down || die "status still says redis up"
grep -q 'redis lost\|redis unavailable' "$W/n1.cp.log" || die "no 'redis lost' in the log"
# Participant 12 never reaches the dataplane (once the lease runs out the
# node stops serving room 1 too: docs/controlplane.md, fencing).
parts() { "$B/cli/relais-cli" -S "$W/a.sock" dump parts | awk '{print $2}' | sort -n | xargs; }
for _ in $(seq 25); do
	case " $(parts) " in *" 12 "*) die "participant 12 programmed from the impostor" ;; esac
	sleep 0.2
done
[ "$(redis_state)" != up ] || die "the control plane took the impostor"
say "control plane: redis $(redis_state), $(grep -m1 'redis lost\|redis unavailable' "$W/n1.cp.log" | cut -c1-120)"
say "dataplane participants: '$(parts)': nothing programmed from the impostor"
# The real Redis back on the TLS port: the same sidecar takes it again.
kill "$(redis_pid "$EP")"
for _ in $(seq 50); do kill -0 "$(redis_pid "$EP")" 2>/dev/null || break; sleep 0.1; done
start_redis_tls "$TP" "$W/redis" "$W/ca" --requirepass "$PASS"
wait_for 15 redis_is up || die "not back up with the real redis"
parts_are() { [ "$(parts)" = "$1" ]; }
wait_for 10 parts_are 11 || die "after the real redis came back: participants '$(parts)', want 11"
say "real redis back: redis up, participant 11 served, 12 never"
say PASS
