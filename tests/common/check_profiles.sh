#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The SRTP profile list RELAIS_SRTP_PROFILES (include/relais/srtp_profile.h)
# and its users agree: relais-cli and scripts/srtp_profiles.py read the same
# list; every doc that lists profiles names each one; the interop harness
# knows each one; no file names a profile the list lacks; and libsrtp
# policies are chosen only in common/srtp_policy.c (plus the independent
# oracle of tests/crypto/test_crypto_cross.c).
# usage: check_profiles.sh SOURCE_ROOT RELAIS_CLI
set -euo pipefail
top=$1 cli=$2
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() {
	echo "$*"
	fail=$((fail + 1))
}

list=$("$cli" profiles)
if [ "$list" = "$(python3 "$top/scripts/srtp_profiles.py")" ]; then ok; else
	bad "scripts/srtp_profiles.py and relais-cli profiles disagree"; fi
# shellcheck source=../interop/lib.sh
. "$top/tests/interop/lib.sh"
while read -r id name _ short key salt _; do
	for doc in schema.md crypto.md loadgen.md interop.md; do
		if grep -q "$name" "$top/docs/$doc"; then ok; else
			bad "docs/$doc: profile $name ($id) is not listed"; fi
	done
	if grep -q "\`$short\`" "$top/docs/loadgen.md"; then ok; else
		bad "docs/loadgen.md: short name $short is not listed"; fi
	if [ "$(iop_key_len "$name")" = $((key + salt)) ] && iop_gst_policy "$name" >/dev/null; then ok; else
		bad "tests/interop/lib.sh: no key length or GStreamer policy for $name"; fi
done <<<"$list"

# Every profile-like name anywhere users or docs mention it is in the list.
known=$(awk '{print $2; print $3; print $4}' <<<"$list")
for n in $(cd "$top" && grep -ohE '\b(AES_CM_[0-9]+_HMAC_SHA1_[0-9]+|AEAD_AES_[0-9]+_GCM|SRTP_AE[A-Z0-9_]+)\b' \
	docs/*.md scripts/*.py scripts/*.sh tests/interop/*.sh tests/interop/meson.build \
	tests/controlplane/*.py tools/scenarios/*.conf | sort -u); do
	if grep -qx "$n" <<<"$known"; then ok; else bad "'$n' is mentioned but is no profile of the list"; fi
done

# One libsrtp policy mapping.
for f in $(cd "$top" && grep -rl 'srtp_crypto_policy_set_' --include='*.c' --include='*.h' \
	common dataplane tools perf tests cli controlplane); do
	case $f in common/srtp_policy.c | tests/crypto/test_crypto_cross.c) ok ;;
	*) bad "$f: sets libsrtp policies itself; use relais_srtp_policy_set()" ;; esac
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 10 ]
