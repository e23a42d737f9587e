#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_stun (corpus/stun/*.bin): the RFC 5769
vectors and Binding messages made by aioice (Debian python3-aioice, so run
with /usr/bin/python3) for the session fuzz_stun.c sets up (local ufrag
"Fuzz", remote "Brws", password FUZZ_PWD; a second session "Free" with no
remote ufrag). Transaction ids are fixed, so the output is deterministic."""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "edge", "ice"))
from stun_oracle import build  # noqa: E402
from aioice import stun  # noqa: E402

FUZZ_PWD = "fuzzfuzzfuzzfuzzfuzzfuzz"  # as in fuzz_stun.c
TXID = bytes(range(1, 13))


def rfc5769(name):
    """A vector of tests/edge/ice/rfc5769.h, by its macro name."""
    text = open(os.path.join(HERE, "..", "edge", "ice", "rfc5769.h")).read()
    start = text.index("#define " + name)
    body = text[start:text.index("\n\n", start)]
    hexes = "".join(part for part in body.split('"')[1::2])
    return bytes.fromhex(hexes)


def response(address):
    msg = stun.Message(stun.Method.BINDING, stun.Class.RESPONSE, transaction_id=TXID)
    msg.attributes["XOR-MAPPED-ADDRESS"] = address
    msg.add_message_integrity(FUZZ_PWD.encode())
    return bytes(msg)


def corpus():
    user = "Fuzz:Brws"
    return {
        "rfc5769_request": rfc5769("RFC5769_REQUEST"),
        "rfc5769_response_v4": rfc5769("RFC5769_RESPONSE_V4"),
        "rfc5769_response_v6": rfc5769("RFC5769_RESPONSE_V6"),
        "check": build(FUZZ_PWD, user, txid=TXID)[1],
        "nominate": build(FUZZ_PWD, user, use_candidate=True, txid=TXID)[1],
        "controlled": build(FUZZ_PWD, user, role="ICE-CONTROLLED", txid=TXID)[1],
        "chrome_like": build(FUZZ_PWD, user, use_candidate=True, txid=TXID,
                             raw_extra=(0xC057, struct.pack("!HH", 1, 10)))[1],
        "free_remote": build(FUZZ_PWD, "Free:anyone", use_candidate=True, txid=TXID)[1],
        "bad_password": build("x" * 22, user, txid=TXID)[1],
        "indication": build(FUZZ_PWD, user, klass=stun.Class.INDICATION, integrity=False,
                            txid=TXID)[1],
        "response_v4": response(("192.0.2.1", 32853)),
        "response_v6": response(("2001:db8::1", 443)),
    }


def main():
    d = os.path.join(HERE, "corpus", "stun")
    os.makedirs(d, exist_ok=True)
    for name, data in sorted(corpus().items()):
        with open(os.path.join(d, name + ".bin"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
