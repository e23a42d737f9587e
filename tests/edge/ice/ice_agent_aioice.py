#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A real ICE agent against edge_ice: aioice's Connection plays the browser
(controlling, given ice_test_server's host candidate and credentials as an
SDP answer would give them) and must complete connect(), which proves a
real agent accepts our answers. Then, on the wall clock:
  - its consent checks (RFC 7675, every 0.2 s here) keep the session alive
    past the consent timeout;
  - a second local address of the same client (127.0.0.2, the same ICE
    credentials: a browser that changed network) nominates again and moves
    the selected address;
  - an agent that starts controlled gets 487, switches to controlling and
    connects (RFC 8445 §7.3.1.1 with a lite peer);
  - once the clients close, consent lapses and the sessions expire, and a
    session nobody checks expires at the join deadline.

usage: ice_agent_aioice.py ICE_TEST_SERVER"""
import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ice_server import Checks, IceServer, fields  # noqa: E402
import aioice.ice  # noqa: E402
from aioice import Candidate, Connection  # noqa: E402

CONSENT_MS = 2000
JOIN_MS = 3000
aioice.ice.CONSENT_INTERVAL = 0.2  # aioice's consent period, 5 s by default
checks = Checks("ice_agent_aioice")
host_address = ["127.0.0.1"]
# Candidates on the address the test chooses (aioice skips loopback).
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: list(host_address)


async def agent(server, local_ip, controlling, remote_is_lite, credentials=None):
    """A connected aioice agent on local_ip and its session's cookie."""
    conn = Connection(ice_controlling=controlling, use_ipv6=False)
    if credentials:
        conn.local_username, conn.local_password = credentials[:2]
        cookie = credentials[2]
    host_address[0] = local_ip
    await conn.gather_candidates()
    if not credentials:
        cookie, ufrag, pwd = await server.add(conn.local_username)
        conn.remote_username, conn.remote_password = ufrag, pwd
    else:
        conn.remote_username, conn.remote_password = credentials[3], credentials[4]
    conn.remote_is_lite = remote_is_lite
    await conn.add_remote_candidate(Candidate(
        foundation="1", component=1, transport="udp", priority=2130706431,
        host="127.0.0.1", port=server.port4, type="host"))
    await conn.add_remote_candidate(None)
    try:
        await asyncio.wait_for(conn.connect(), 10)
        checks.check(True, "connected")
    except (ConnectionError, asyncio.TimeoutError) as e:
        checks.check(False, "aioice on %s did not connect: %r" % (local_ip, e))
    return conn, cookie


def src_of(conn):
    c = conn.local_candidates[0]
    return "%s:%d" % (c.host, c.port)


async def first_connection(server):
    """Regular nomination (remote_is_lite): a check, then USE-CANDIDATE."""
    conn, cookie = await agent(server, "127.0.0.1", True, True)
    src = src_of(conn)
    line = await server.expect("dgram ", 5, lambda f: f["event"] == "nominated")
    f = fields(line) if line else {}
    checks.check(f.get("src") == src and f.get("moved") == "0" and f.get("cookie") == cookie,
                 "first nomination of %s: %s" % (src, line))
    checks.check(f.get("lookup") == cookie, "the nominated address finds the session")
    checks.check(any(ln.startswith("dgram ") and fields(ln)["event"] == "consent"
                     for ln in server.lines), "a check without USE-CANDIDATE came first")
    return conn, cookie


async def consent_keeps_alive(server, conn, cookie):
    """For 1.5 x the consent timeout: checks answered, nothing expires."""
    loop = asyncio.get_running_loop()
    end = loop.time() + 1.5 * CONSENT_MS / 1000
    consents, expired = 0, []
    while loop.time() < end:
        line = await server.line(end - loop.time())
        if line and line.startswith("dgram "):
            f = fields(line)
            consents += f["verdict"] == "answered" and f["event"] == "consent"
        elif line and line.startswith("expired "):
            expired.append(line)
    checks.check(consents >= 5, "consent checks answered: %d" % consents)
    checks.check(not expired, "expired while consent was fresh: %s" % expired)


async def network_change(server, conn, cookie):
    """The same client from 127.0.0.2 nominates: the selection moves."""
    creds = (conn.local_username, conn.local_password, cookie, conn.remote_username,
             conn.remote_password)
    conn2, _ = await agent(server, "127.0.0.2", True, False, credentials=creds)
    src = src_of(conn2)
    line = await server.expect("dgram ", 5, lambda f: f["event"] == "nominated")
    f = fields(line) if line else {}
    checks.check(f.get("src") == src and f.get("moved") == "1" and f.get("cookie") == cookie,
                 "moved to %s: %s" % (src, line))
    return conn2


async def role_conflict(server):
    """A controlled agent gets 487, takes control and connects."""
    conn, cookie = await agent(server, "127.0.0.1", False, False)
    checks.check(conn.ice_controlling, "aioice switched to controlling")
    src = src_of(conn)
    line = await server.expect("dgram ", 5, lambda f: f["event"] == "nominated" and
                               f["cookie"] == cookie)
    checks.check(line is not None and fields(line).get("src") == src,
                 "nominated after the role switch: %s" % line)
    seen = [fields(ln) for ln in server.lines if ln.startswith("dgram ")]
    checks.check(any(f["verdict"] == "role_conflict" and f["src"] == src for f in seen),
                 "role_conflict answered to %s first" % src)
    return conn, cookie


async def expiry(server, conns, cookies):
    """Closed clients: consent lapses. An unchecked session: join deadline."""
    idle, _, _ = await server.add("Idle")
    for conn in conns:
        await conn.close()
    want = {c: "consent_lapsed" for c in cookies}
    want[idle] = "never_checked"
    got = {}
    loop = asyncio.get_running_loop()
    end = loop.time() + (JOIN_MS + CONSENT_MS) / 1000 + 3
    while set(got) != set(want) and loop.time() < end:
        line = await server.expect("expired ", end - loop.time())
        if line:
            got[line.split()[1]] = line.split()[3]
    checks.check(got == want, "expired %s, want %s" % (got, want))


async def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    server = await IceServer.start(sys.argv[1], consent_ms=CONSENT_MS, join_ms=JOIN_MS,
                                   max_seconds=60)
    conns = []
    try:
        conn1, c1 = await first_connection(server)
        conns.append(conn1)
        await consent_keeps_alive(server, conn1, c1)
        conns.append(await network_change(server, conn1, c1))
        conn3, c3 = await role_conflict(server)
        conns.append(conn3)
        await expiry(server, conns, [c1, c3])
        conns = []
    finally:
        for conn in conns:
            await conn.close()
        code = await server.finish(checks)
    return code


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
