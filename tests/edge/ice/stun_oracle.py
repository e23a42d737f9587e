#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""edge_ice against an independent STUN implementation (aioice's stun
module): requests are built by aioice (USERNAME, PRIORITY, ICE-CONTROLLING
or ICE-CONTROLLED, USE-CANDIDATE, MESSAGE-INTEGRITY and FINGERPRINT
computed by aioice) and sent over UDP from 127.0.0.1 and ::1 to
ice_test_server. Each answer must pass aioice's parser with the session's
password (integrity and fingerprint) and carry the sender's address in
XOR-MAPPED-ADDRESS; each bad request must get no answer at all, the verdict
that names its fault, and leave its source unauthenticated.

usage: stun_oracle.py ICE_TEST_SERVER"""
import asyncio
import socket
import struct
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ice_server import Checks, IceServer, fields  # noqa: E402
from aioice import stun  # noqa: E402

BROWSER_UFRAG = "Brw5"
NO_ANSWER_WAIT = 0.3
checks = Checks("stun_oracle")


def set_length(data):
    return data[:2] + struct.pack("!H", len(data) - 20) + data[4:]


def append_attr(data, attr_type, value):
    pad = (4 - len(value) % 4) % 4
    return set_length(data + struct.pack("!HH", attr_type, len(value)) + value + bytes(pad))


def build(pwd, username, klass=stun.Class.REQUEST, role="ICE-CONTROLLING",
          use_candidate=False, integrity=True, fingerprint=True, raw_extra=None, txid=None):
    """A Binding message made by aioice: (transaction id, bytes). Also
    used by tests/fuzz/make_stun_corpus.py (with a fixed txid)."""
    msg = stun.Message(stun.Method.BINDING, klass, transaction_id=txid)
    if username is not None:
        msg.attributes["USERNAME"] = username
    msg.attributes["PRIORITY"] = 1853817087
    if role:
        msg.attributes[role] = 0x1122334455667788
    if use_candidate:
        msg.attributes["USE-CANDIDATE"] = None
    data = bytes(msg)
    if raw_extra:  # an attribute aioice has no name for, e.g. Chrome's 0xC057
        data = append_attr(data, raw_extra[0], raw_extra[1])
    if integrity:
        data = append_attr(data, 0x0008, stun.message_integrity(data, pwd.encode()))
    if fingerprint:
        data = append_attr(data, 0x8028, struct.pack("!I", stun.message_fingerprint(data)))
    return msg.transaction_id, data


def udp_socket(family):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1" if family == socket.AF_INET else "::1", 0))
    s.settimeout(NO_ANSWER_WAIT)
    return s


def receive(sock):
    try:
        return sock.recv(2048)
    except socket.timeout:
        return None


def check_answer(what, answer, pwd, txid, sock, klass):
    """The answer passes aioice's parser with integrity and fingerprint."""
    if not checks.check(answer is not None, "%s: no answer" % what):
        return None
    try:
        msg = stun.parse_message(answer, integrity_key=pwd.encode())
    except ValueError as e:
        checks.check(False, "%s: aioice refuses the answer: %s" % (what, e))
        return None
    checks.check(msg.message_method == stun.Method.BINDING and msg.message_class == klass,
                 "%s: answer class %s" % (what, msg.message_class))
    checks.check(msg.transaction_id == txid, "%s: transaction id" % what)
    checks.check("MESSAGE-INTEGRITY" in msg.attributes and "FINGERPRINT" in msg.attributes,
                 "%s: integrity and fingerprint present" % what)
    if klass == stun.Class.RESPONSE:
        mapped = msg.attributes.get("XOR-MAPPED-ADDRESS")
        checks.check(mapped == sock.getsockname()[:2],
                     "%s: XOR-MAPPED-ADDRESS %s, sent from %s" % (what, mapped,
                                                                  sock.getsockname()))
    return msg


async def exchange(server, sock, data):
    """Send data to the server's port of the socket's family; return the
    answer (or None) and the server's report line as fields."""
    port = server.port4 if sock.family == socket.AF_INET else server.port6
    host = "127.0.0.1" if sock.family == socket.AF_INET else "::1"
    sock.sendto(data, (host, port))
    line = await server.expect("dgram ", 5)
    answer = receive(sock)
    return answer, fields(line) if line else {}


async def good_requests(server, cookie, ufrag, pwd):
    """Authenticated requests: answered, with the events they cause."""
    user = "%s:%s" % (ufrag, BROWSER_UFRAG)
    v4, v6 = udp_socket(socket.AF_INET), udp_socket(socket.AF_INET6)
    cases = [
        ("check", v4, {}, "consent", "0"),
        ("nominate", v4, {"use_candidate": True}, "nominated", "0"),
        ("chrome-like (0xC057)", v4,
         {"use_candidate": True, "raw_extra": (0xC057, b"\x00\x01\x00\x0a")}, "consent", "0"),
        ("nominate over IPv6", v6, {"use_candidate": True}, "nominated", "1"),
        ("consent over IPv6", v6, {}, "consent", "0"),
    ]
    for what, sock, kw, event, moved in cases:
        txid, data = build(pwd, user, **kw)
        answer, f = await exchange(server, sock, data)
        check_answer(what, answer, pwd, txid, sock, stun.Class.RESPONSE)
        checks.check(f.get("verdict") == "answered" and f.get("sent") == "1",
                     "%s: verdict %s" % (what, f))
        checks.check(f.get("event") == event and f.get("moved") == moved,
                     "%s: event %s moved %s, want %s %s" % (what, f.get("event"),
                                                             f.get("moved"), event, moved))
        checks.check(f.get("cookie") == cookie and f.get("lookup") == cookie,
                     "%s: session %s by address %s, want %s" % (what, f.get("cookie"),
                                                                 f.get("lookup"), cookie))
    # ICE-CONTROLLED: an authenticated 487, and the source stays unknown.
    sock = udp_socket(socket.AF_INET)
    txid, data = build(pwd, user, role="ICE-CONTROLLED", use_candidate=True)
    answer, f = await exchange(server, sock, data)
    msg = check_answer("role conflict", answer, pwd, txid, sock, stun.Class.ERROR)
    if msg:
        checks.check(msg.attributes.get("ERROR-CODE") == (487, "Role Conflict"),
                     "role conflict: %s" % (msg.attributes.get("ERROR-CODE"),))
    checks.check(f.get("verdict") == "role_conflict" and f.get("lookup") == "none",
                 "role conflict: %s" % f)
    for s in (v4, v6, sock):
        s.close()


async def bad_requests(server, ufrag, pwd):
    """Each refused with its verdict, unanswered, its source unknown."""
    user = "%s:%s" % (ufrag, BROWSER_UFRAG)
    good = build(pwd, user, use_candidate=True)[1]
    flipped_fp = good[:-1] + bytes([good[-1] ^ 1])
    cases = [
        ("bad password", build("x" * 22, user, use_candidate=True)[1], "bad_integrity"),
        ("wrong remote ufrag", build(pwd, ufrag + ":Othr", use_candidate=True)[1],
         "wrong_remote_ufrag"),
        ("unknown ufrag", build(pwd, "Nobody:" + BROWSER_UFRAG)[1], "unknown_ufrag"),
        ("no username", build(pwd, None)[1], "no_username"),
        ("username without colon", build(pwd, ufrag)[1], "bad_username"),
        ("no integrity", build(pwd, user, integrity=False)[1], "no_integrity"),
        ("no fingerprint", build(pwd, user, fingerprint=False)[1], "no_fingerprint"),
        ("bad fingerprint", flipped_fp, "bad_fingerprint"),
        ("truncated", good[:-3], "malformed"),
        ("length lies", good[:3] + bytes([good[3] + 4]) + good[4:], "malformed"),
        ("not STUN (DTLS)", bytes([22, 0xFE, 0xFD]) + bytes(30), "malformed"),
        ("indication", build(pwd, user, klass=stun.Class.INDICATION)[1], "indication"),
        ("a response", build(pwd, user, klass=stun.Class.RESPONSE)[1], "not_binding_request"),
    ]
    for what, data, verdict in cases:
        for family in (socket.AF_INET, socket.AF_INET6):
            sock = udp_socket(family)
            answer, f = await exchange(server, sock, data)
            checks.check(answer is None, "%s: answered %r" % (what, answer))
            checks.check(f.get("verdict") == verdict and f.get("sent") == "0",
                         "%s: verdict %s, want %s" % (what, f.get("verdict"), verdict))
            checks.check(f.get("event") == "none" and f.get("lookup") == "none",
                         "%s: state changed: %s" % (what, f))
            sock.close()


async def unknown_remote(server):
    """A session whose offer gave no ufrag accepts any remote ufrag."""
    cookie, ufrag, pwd = await server.add(None)
    sock = udp_socket(socket.AF_INET)
    txid, data = build(pwd, ufrag + ":anyone", use_candidate=True)
    answer, f = await exchange(server, sock, data)
    check_answer("unknown remote", answer, pwd, txid, sock, stun.Class.RESPONSE)
    checks.check(f.get("event") == "nominated" and f.get("cookie") == cookie,
                 "unknown remote: %s" % f)
    sock.close()


async def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    server = await IceServer.start(sys.argv[1], max_seconds=60)
    try:
        cookie, ufrag, pwd = await server.add(BROWSER_UFRAG)
        await good_requests(server, cookie, ufrag, pwd)
        await bad_requests(server, ufrag, pwd)
        await unknown_remote(server)
    finally:
        code = await server.finish(checks)
    return code


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
