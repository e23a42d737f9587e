#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The Redis interface as a backend's contract (docs/schema.md, "Errors and
# served"): docs/examples/backend.py, a Python backend written from the
# schema alone (python3-redis, not relaisctl), runs against a real Redis,
# relais-controlplane and relais-dataplane. It checks the scripts' version,
# gets BADARG for invalid place arguments, reads each refused object's
# error and the room's served state, fixes one object and sees its error
# clear. The control plane's own log names every refused object too.
B=$1 T=cp_backend
. "$(dirname "$0")/lib.sh"
cp_init
PY=/usr/bin/python3 # Debian's, with python3-redis and python3-cryptography
"$PY" -c 'import redis, cryptography' 2>/dev/null ||
	die "python3-redis or python3-cryptography missing (scripts/bootstrap.sh installs them)"
RPORT=$(free_port)
start_redis "$RPORT" "$W/redis"
start_dp rlcpk "$W/a.sock"
start_cp n1 "$W/a.sock" --lease-ms 1500
wait_for 5 rexists 'relais:{dir}:lease:n1' || die "node did not register"
"$PY" "$TOP/docs/examples/backend.py" "$RPORT" "$W/keyring" "$B/controlplane" 42 ||
	die "the example backend failed (control plane log: $(tail -5 "$W/n1.cp.log"))"
for k in 'part:13: rx_key' 'part:14: profile' 'part:16: dataplane refused' 'sub:1002: pt_map'; do
	grep -qF "$k" "$W/n1.cp.log" || die "no log line for '$k'"
done
say "every refusal the backend read is in the control plane's log with the same words"
say PASS
