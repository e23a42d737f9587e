#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Redis unreachable at start: the control plane says so clearly and keeps
# retrying; once Redis is up it registers by itself. With an ACL user, a
# wrong password is a clear error naming the user; the right one (from the
# environment) is accepted and the user's key pattern suffices.
B=$1 T=cp_unreachable
. "$(dirname "$0")/lib.sh"
cp_init
RPORT=$(free_port)
start_dp rlcpu "$W/a.sock"
start_cp n1 "$W/a.sock" --lease-ms 1500
wait_for 5 grep -q "redis unavailable: cannot connect to 127.0.0.1:$RPORT" "$W/n1.cp.log" ||
	die "no clear error while Redis is down: $(cat "$W/n1.cp.log")"
say "logged: $(grep -m1 'redis unavailable' "$W/n1.cp.log")"
sleep 1.5
kill -0 "$(cp_pid n1)" || die "control plane gave up"
start_redis "$RPORT" "$W/redis" --user cp on '>s3cret' '~relais:*' '&*' '+@all'
wait_for 5 rexists 'relais:{dir}:lease:n1' || die "did not register once Redis came up"
say "registered once Redis came up (retrying, no restart)"
kill "$(cp_pid n1)"
(umask 077; echo wrong >"$W/pw")
RELAIS_REDIS_USER=cp start_cp n2 "$W/a.sock" --password-file "$W/pw"
wait_for 5 grep -q "AUTH as 'cp' refused" "$W/n2.cp.log" || die "no clear AUTH error"
say "logged: $(grep -m1 'AUTH' "$W/n2.cp.log")"
kill "$(cp_pid n2)"
RELAIS_REDIS_USER=cp RELAIS_REDIS_PASSWORD=s3cret start_cp n3 "$W/a.sock"
wait_for 5 rexists 'relais:{dir}:lease:n3' || die "ACL user cp could not register"
RELAIS_REDIS_USER=cp RELAIS_REDIS_PASSWORD=s3cret rctl room create 5 | grep -q "^room 5 node " ||
	die "relaisctl as ACL user cp failed"
say "ACL user cp with its password: control plane and relaisctl work"
say PASS
