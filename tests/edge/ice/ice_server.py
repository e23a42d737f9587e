# SPDX-License-Identifier: BSD-3-Clause
"""Shared by the aioice tests of tests/edge/ice: the checks counter and
ice_test_server (a C program driving edge_ice on 127.0.0.1 / ::1) run as a
child process, its stdout read line by line with timeouts. The child is
always reaped: quit, then SIGKILL by PID if it lingers."""
import asyncio
import sys

try:
    import aioice  # noqa: F401  (Debian python3-aioice, the oracle)
except ImportError:
    print("FAIL: aioice not importable: install Debian's python3-aioice and run "
          "these tests with /usr/bin/python3", file=sys.stderr)
    sys.exit(1)


class Checks:
    """Counts passed and failed checks; summary() gives the exit code."""

    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL:", what, flush=True)
        return cond

    def summary(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        return 0 if self.failed == 0 and self.passed > 0 else 1


def fields(line):
    """'dgram verdict=x src=y ...' -> {'verdict': 'x', 'src': 'y', ...}"""
    return dict(tok.split("=", 1) for tok in line.split()[1:] if "=" in tok)


class IceServer:
    """ice_test_server as a child process."""

    def __init__(self, proc, port4, port6):
        self.proc, self.port4, self.port6 = proc, port4, port6
        self.lines = []  # every line read, for the report on failure
        self.counts = {}

    @classmethod
    async def start(cls, exe, consent_ms=30000, join_ms=30000, max_seconds=60):
        proc = await asyncio.create_subprocess_exec(
            exe, str(max_seconds), str(consent_ms), str(join_ms),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        first = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode().split()
        if len(first) != 3 or first[0] != "ready":
            proc.kill()
            await proc.wait()
            raise RuntimeError("ice_test_server did not start: %r" % first)
        return cls(proc, int(first[1]), int(first[2]))

    async def line(self, timeout=5.0):
        """The next stdout line, or None after timeout seconds."""
        try:
            raw = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        except asyncio.TimeoutError:
            return None
        text = raw.decode().strip()
        self.lines.append(text)
        return text or None

    async def expect(self, prefix, timeout=5.0, match=None):
        """The next line starting with prefix (and for which match(fields)
        is true), skipping others, or None when timeout seconds pass."""
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while loop.time() < end:
            text = await self.line(end - loop.time())
            if text is None:
                return None
            if text.startswith(prefix) and (match is None or match(fields(text))):
                return text
        return None

    async def add(self, remote):
        """A new session (remote ufrag or None): (cookie, ufrag, pwd)."""
        self.proc.stdin.write(("add %s\n" % (remote or "-")).encode())
        await self.proc.stdin.drain()
        text = await self.expect("session ", 5)
        if text is None:
            raise RuntimeError("no session from ice_test_server")
        _, cookie, ufrag, pwd = text.split()
        return cookie, ufrag, pwd

    async def stop(self):
        """quit; the exit status (SIGKILL by PID after 5 s). The verdict
        counts the server prints at exit go to self.counts."""
        try:
            self.proc.stdin.write(b"quit\n")
            await self.proc.stdin.drain()
            line = await self.expect("counts ", 5)
            self.counts = fields(line) if line else {}
            return await asyncio.wait_for(self.proc.wait(), 5)
        except (asyncio.TimeoutError, ConnectionError):
            self.proc.kill()
            return await self.proc.wait()

    async def finish(self, checks):
        """Stop the server, check it exited cleanly, print what it said when
        a check failed; the test's exit code."""
        rc = await self.stop()
        checks.check(rc == 0, "ice_test_server exit status %s" % rc)
        seen = {}
        for line in self.lines:
            if line.startswith("dgram "):
                verdict = fields(line)["verdict"]
                seen[verdict] = seen.get(verdict, 0) + 1
        counted = {k: int(v) for k, v in self.counts.items() if v != "0"}
        checks.check(counted == seen, "verdict counts %s, datagrams seen %s" % (counted, seen))
        if checks.failed:
            print("server said:\n  " + "\n  ".join(self.lines))
        return checks.summary()
