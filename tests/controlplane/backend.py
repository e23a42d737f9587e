#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A minimal application backend written from docs/schema.md alone (no C):
wraps SRTP keys as the schema says and emits the Redis commands that create
participants, tracks and subscriptions, one per line for `redis-cli`.
Also writes deliberately broken objects for the bad-input test.

usage: backend.py KEYRING > commands.txt
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import srtp_profiles  # noqa: E402  the profile list, from include/relais/srtp_profile.h

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

kid, hexkey = open(sys.argv[1]).read().split()[:2]
DK = bytes.fromhex(hexkey)


def wrap(room, part, d, profile, addr, gen, keysalt):
    """docs/schema.md "Wrapped keys": addr as relais prints it, gen as in the hash."""
    n = os.urandom(12)
    aad = f"relais-key-v2|{room}|{part}|{d}|{profile}|{addr}|{gen}".encode()
    return (n + AESGCM(DK).encrypt(n, keysalt, aad)).hex()


def klen_of(profile):
    """key || salt bytes of profile (docs/schema.md: the profile's lengths)."""
    p = srtp_profiles.by_name(profile)
    return p.key_len + p.salt_len


def part(room, pid, addr, profile, klen=None, fields=None, wrap_as=None, drop=(), gen=1):
    klen = klen_of(profile) if klen is None else klen
    f = {"addr": addr, "profile": profile, "kid": kid, "gen": gen}
    wr, wp, wa = wrap_as or (room, pid, addr)
    f["rx_key"] = wrap(wr, wp, "rx", profile, wa, gen, os.urandom(klen))
    f["tx_key"] = wrap(wr, wp, "tx", profile, wa, gen, os.urandom(klen))
    f.update(fields or {})
    for k in drop:
        f.pop(k)
    obj(room, "part", pid, f)


def obj(room, kind, oid, f):
    key = f"relais:{{room:{room}}}:{kind}:{oid}"
    print("MULTI")
    print(f"DEL {key}")
    print(f"HSET {key} " + " ".join(f"{k} {v}" for k, v in f.items()))
    print(f"SADD relais:{{room:{room}}}:{kind}s {oid}")
    print("EXEC")


A = "10.99.0.2"
part(1, 11, f"{A}:4000", "AES_CM_128_HMAC_SHA1_80")
part(1, 12, f"{A}:4002", "AEAD_AES_256_GCM", gen=3)
obj(1, "track", 101, {"part": 11, "kind": "audio", "ssrc": "0x1234"})
obj(1, "sub", 1001, {"part": 12, "track": 101, "out_ssrc": "0x99"})
# broken ones
part(1, 13, f"{A}:4004", "AES_CM_128_HMAC_SHA1_80", drop=("addr",))
part(1, 14, f"{A}:4006", "AES_999", 30)
part(1, 15, f"{A}:4008", "AES_CM_128_HMAC_SHA1_80", 16)
print("SET relais:{room:1}:part:16 not-a-hash")
print("SADD relais:{room:1}:parts 16")
part(1, 17, f"{A}:4010", "AES_CM_128_HMAC_SHA1_80", wrap_as=(1, 11, f"{A}:4000"))
part(1, 18, f"{A}:4012", "AES_CM_128_HMAC_SHA1_80", wrap_as=(1, 18, f"{A}:4099"))
part(1, 19, f"{A}:4014", "AES_CM_128_HMAC_SHA1_80", fields={"gen": 0})
obj(1, "track", 102, {"part": 999, "kind": "video", "ssrc": 5})
obj(1, "track", 103, {"part": 11, "kind": "video", "ssrc": "abc"})
obj(1, "sub", 1002, {"part": 12, "track": 101})
obj(1, "sub", 1003, {"part": 12, "track": 101, "out_ssrc": 7, "pt_map": "96:100,bad"})
print("SADD relais:{room:2}:parts " + " ".join(str(200 + i) for i in range(60)))
part(3, 31, f"{A}:4100", "AEAD_AES_128_GCM", 28)
for r in (1, 2, 3):
    print(f"XADD relais:{{dir}}:events * type room room {r}")
