#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A backend of relais in Python, written from docs/schema.md alone.

This is the worked example of docs/schema.md, and the test suite runs it
(tests/controlplane/cp_backend.sh) against a real Redis, control plane and
dataplane. It uses Debian's python3-redis and python3-cryptography only:

    backend.py REDIS_PORT KEYRING LUA_DIR ROOM

It loads the directory's scripts and checks their interface version, places
a room (and sees invalid arguments refused), writes participants, a track
and subscriptions, some of them deliberately wrong, then waits for the
owner's `served` event and reads each refused object's error; it fixes one
object and sees its error clear. It exits 0 when every step behaved as
docs/schema.md says, 1 with a line naming the step otherwise.
"""
import os
import sys
import time

import redis
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SCRIPTS_VERSION = 2  # the interface version this backend is written for
DIR = "relais:{dir}:"
NODES = DIR + "nodes"  # KEYS[1] of every script call


def stream_id(s):
    """A stream id "ms-seq" as a pair that compares in stream order."""
    ms, seq = s.split("-")
    return int(ms), int(seq)


def fail(step, why):
    print(f"backend.py: FAIL: {step}: {why}", file=sys.stderr)
    sys.exit(1)


class Backend:
    def __init__(self, port, keyring, lua_dir):
        self.r = redis.Redis(port=port, decode_responses=True)
        with open(keyring) as f:
            self.kid, hexkey = f.read().split()[:2]
        self.dk = bytes.fromhex(hexkey)
        self.sha = {}
        for name in ("place", "drop", "version"):
            with open(os.path.join(lua_dir, name + ".lua")) as f:
                self.sha[name] = self.r.script_load(f.read())

    def script(self, name, *args):
        return self.r.evalsha(self.sha[name], 1, NODES, *args)

    def wrap(self, room, part, direction, profile, addr, gen, key_salt):
        """A wrapped key (docs/schema.md, "Wrapped keys"): bound to the
        participant's address (as relais prints it) and key generation."""
        nonce = os.urandom(12)
        aad = f"relais-key-v2|{room}|{part}|{direction}|{profile}|{addr}|{gen}".encode()
        return (nonce + AESGCM(self.dk).encrypt(nonce, key_salt, aad)).hex()

    def put(self, room, kind, oid, fields):
        """Write one object and list it in its index, atomically."""
        key = f"relais:{{room:{room}}}:{kind}:{oid}"
        p = self.r.pipeline(transaction=True)
        p.delete(key)
        p.hset(key, mapping=fields)
        p.sadd(f"relais:{{room:{room}}}:{kind}s", oid)
        p.execute()

    def part(self, room, pid, addr, profile="AES_CM_128_HMAC_SHA1_80", key_len=30):
        # gen: one more than the hash holds, so every re-write goes up
        # (docs/schema.md); a real backend keeps it in its own database.
        gen = int(self.r.hget(f"relais:{{room:{room}}}:part:{pid}", "gen") or 0) + 1
        f = {"addr": addr, "profile": profile, "kid": self.kid, "gen": gen}
        for d in ("rx", "tx"):
            f[d + "_key"] = self.wrap(room, pid, d, profile, addr, gen, os.urandom(key_len))
        self.put(room, "part", pid, f)

    def announce(self, room):
        """The room event that wakes the owner; returns its stream id."""
        return self.r.xadd(DIR + "events", {"type": "room", "room": room})

    def wait_served(self, room, announced, timeout=20):
        """The first served event of the room that covers the event with
        stream id `announced` (its `seen` is that id or later)."""
        end = time.time() + timeout
        after = announced
        while time.time() < end:
            got = self.r.xread({DIR + "events": after}, block=1000, count=100)
            for _, entries in got:
                for eid, f in entries:
                    after = eid
                    if (f.get("type") == "served" and f.get("room") == str(room)
                            and stream_id(f.get("seen", "0-0")) >= stream_id(announced)):
                        return f
        fail("served", f"no served event for room {room} within {timeout} s")

    def errors(self, room):
        return self.r.hgetall(DIR + f"errors:{room}")


def check_version(b):
    v = b.script("version")
    if v != SCRIPTS_VERSION:
        fail("version", f"scripts are version {v}, this backend speaks {SCRIPTS_VERSION}")


def check_bad_place(b):
    for bad in ("0", "abc", "-5", "007", "4294967296"):
        try:
            b.script("place", bad, 50)
        except redis.ResponseError as e:
            if not str(e).startswith("BADARG room"):
                fail("place " + bad, f"error '{e}' is not BADARG room")
            continue
        fail("place " + bad, "was placed")
    try:
        b.script("place", 77, "fast")
        fail("place rate_limit", "was placed")
    except redis.ResponseError as e:
        if not str(e).startswith("BADARG rate_limit"):
            fail("place rate_limit", str(e))


def write_room(b, room):
    a = "10.99.0.2"
    b.part(room, 11, f"{a}:4000")
    b.part(room, 12, f"{a}:4002", "AEAD_AES_256_GCM", 44)
    b.put(room, "track", 101, {"part": 11, "kind": "audio", "ssrc": 4660})
    b.put(room, "sub", 1001, {"part": 12, "track": 101, "out_ssrc": 153})
    # wrong: key length, profile, address, duplicate address, SSRC, pt_map
    b.part(room, 13, f"{a}:4004", key_len=16)
    b.part(room, 14, f"{a}:4006", profile="AES_999")
    b.part(room, 15, "10.99.0.2:notaport")
    b.part(room, 16, f"{a}:4000")
    b.put(room, "track", 102, {"part": 11, "kind": "video", "ssrc": "abc"})
    b.put(room, "sub", 1002, {"part": 12, "track": 101, "out_ssrc": 7, "pt_map": "96:1000"})


EXPECTED = {
    "part:13": "rx_key: wrapped key does not fit",
    "part:14": "profile: missing or unknown",
    "part:15": "addr: missing or not ip:port",
    "part:16": "dataplane refused: ",
    "track:102": "ssrc: not a 32-bit integer",
    "sub:1002": "pt_map: not in:out",
}


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    b = Backend(int(sys.argv[1]), sys.argv[2], sys.argv[3])
    room = int(sys.argv[4])
    check_version(b)
    check_bad_place(b)
    owner, epoch, _ = b.script("place", room, 50)
    write_room(b, room)
    served = b.wait_served(room, b.announce(room))
    if served.get("epoch") != str(epoch) or served.get("refused") != str(len(EXPECTED)):
        fail("served", f"{served}, expected epoch {epoch} and {len(EXPECTED)} refused")
    errs = b.errors(room)
    for obj, words in EXPECTED.items():
        if not errs.get(obj, "").startswith(words):
            fail("errors", f"{obj}: '{errs.get(obj)}', expected '{words}...'")
    if len(errs) != len(EXPECTED):
        fail("errors", f"unexpected entries: {sorted(set(errs) - set(EXPECTED))}")
    d = b.r.hgetall(DIR + f"room:{room}")
    if d.get("served_epoch") != str(epoch) or d.get("refused") != str(len(EXPECTED)):
        fail("room hash", str(d))
    print(f"backend.py: room {room} on {owner} epoch {epoch}: served, "
          f"{len(EXPECTED)} refused: " + "; ".join(f"{k}: {v}" for k, v in sorted(errs.items())))

    b.part(room, 15, "10.99.0.2:4010")  # fix the address
    served = b.wait_served(room, b.announce(room))
    errs = b.errors(room)
    if "part:15" in errs or served.get("refused") != str(len(EXPECTED) - 1):
        fail("fix", f"part:15 still refused after the fix: {served} {errs}")
    print(f"backend.py: part:15 fixed: its error cleared, {served['refused']} refused left")

    b.put(room, "track", 103, {"part": 12, "kind": "video", "ssrc": 5})  # a valid change
    served = b.wait_served(room, b.announce(room))
    if served.get("refused") != str(len(EXPECTED) - 1):
        fail("valid change", str(served))
    print("backend.py: a valid change is acknowledged by its own served event")
    print("backend.py: PASS")


if __name__ == "__main__":
    main()
