#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""make-token.py — a WHIP/WHEP bearer token for relais-edge (docs/webrtc.md,
"Tokens"), as an application backend makes it: a JWT signed with HS256 with
the secret shared with relais-edge (--token-secret FILE), in LiveKit's
access-token layout.

  scripts/make-token.py --secret-file FILE --room ROOM --participant ID
                        [--publish] [--subscribe] [--ttl SECONDS]

Prints the token on stdout. The participant id (the token's `sub`) is
1..2^28-1 and names the participant in the room; the rights are
canPublish / canSubscribe; the token expires after --ttl (default 3600 s).
Standard library only (hmac, hashlib, base64, json)."""
import argparse
import base64
import hashlib
import hmac
import json
import sys
import time


def b64(raw):
    """base64url without padding (RFC 7515)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def make(secret, room, participant, publish, subscribe, ttl):
    """The token, as text."""
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({
        "sub": str(participant), "exp": int(time.time()) + ttl,
        "video": {"room": str(room), "roomJoin": True,
                  "canPublish": publish, "canSubscribe": subscribe}}).encode())
    sig = b64(hmac.new(secret, head + b"." + body, hashlib.sha256).digest())
    return (head + b"." + body + b"." + sig).decode()


def main():
    ap = argparse.ArgumentParser(description="a relais-edge WHIP/WHEP token")
    ap.add_argument("--secret-file", required=True)
    ap.add_argument("--room", type=int, required=True)
    ap.add_argument("--participant", type=int, required=True)
    ap.add_argument("--publish", action="store_true")
    ap.add_argument("--subscribe", action="store_true")
    ap.add_argument("--ttl", type=int, default=3600)
    a = ap.parse_args()
    if not 1 <= a.participant < 1 << 28 or a.room < 1 or a.ttl < 1:
        sys.exit("make-token: --participant 1..2^28-1, --room and --ttl positive")
    if not (a.publish or a.subscribe):
        sys.exit("make-token: give --publish and/or --subscribe")
    with open(a.secret_file, "rb") as f:
        secret = f.read().rstrip(b"\r\n")  # as relais-edge reads it
    print(make(secret, a.room, a.participant, a.publish, a.subscribe, a.ttl))


if __name__ == "__main__":
    main()
