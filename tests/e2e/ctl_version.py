#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The control channel refuses a peer of another protocol version, a
request before HELLO and a body of the wrong size, with a reply naming
the problem, and keeps serving well-behaved clients meanwhile. A client
that pipelines more requests than the socket can hold replies for gets
every reply, in order (the dataplane holds a reply back, never drops it).
Access: the sockets are born mode 0660; a peer that is not root, the
dataplane's user or a member of control.group is closed at once even when
the socket file is widened by hand; the read-only control.stats_socket
serves STATS and refuses a change with EPERM."""
import errno
import re
import select
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

MAGIC, HELLO, PART_DEL, STATS, REPLY = 0x534C4C52, 1, 5, 11, 0x8000
EPROTONOSUPPORT, EPROTO, EBADMSG, EPERM = 93, 71, 74, 1
NOBODY, NOGROUP, STRANGER = 65534, 65534, 54321
# RELAIS_CTL_VERSION of include/relais/ctl_proto.h (read from it).
VERSION = int(re.search(r"#define RELAIS_CTL_VERSION (\d+)", open(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "include", "relais",
    "ctl_proto.h")).read()).group(1))
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def msg(version, mtype, body, seq=1):
    return struct.pack("<IHHII", MAGIC, version, mtype, len(body), seq) + body


def hello(version=VERSION):
    return msg(version, HELLO, struct.pack("<I", version) + b"test".ljust(32, b"\0"))


def call(path, *datagrams):
    """Send datagrams on one connection; return (status, error) of the last
    reply and whether the server then closed the connection."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(3)
    s.connect(path)
    reply = b""
    for d in datagrams:
        s.send(d)
        reply = s.recv(4096)
    status, = struct.unpack_from("<i", reply, 16)
    err = reply[20:148].split(b"\0")[0].decode()
    try:
        closed = s.recv(4096) == b""
    except socket.timeout:
        closed = False
    s.close()
    return status, err, closed


def served_as(path, uid, gid):
    """Whether a client running as uid:gid is served a STATS on path (a
    child process drops to those ids; the parent is root)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        ok = b"0"
        try:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            st, _, closed = call(path, hello(), msg(VERSION, STATS, b""))
            ok = b"1" if st == 0 and not closed else b"0"
        except OSError:
            pass
        os.write(w, ok)
        os._exit(0)
    os.close(w)
    got = os.read(r, 1)
    os.close(r)
    os.waitpid(pid, 0)
    return got == b"1"


def check_access(path, stats_path):
    mode = os.stat(path).st_mode & 0o777
    check(mode == 0o660, "control socket born mode 0660: %o" % mode)
    check(os.stat(stats_path).st_mode & 0o777 == 0o660, "stats socket born mode 0660")
    os.chmod(path, 0o666)  # widened by hand: the credentials still decide
    os.chmod(os.path.dirname(path), 0o755)
    check(served_as(path, NOBODY, NOGROUP), "a member of control.group (nogroup) is served")
    check(not served_as(path, STRANGER, STRANGER), "uid %d, not in the group, is refused" % STRANGER)
    st, _, closed = call(stats_path, hello(), msg(VERSION, STATS, b""))
    check(st == 0 and not closed, "STATS on the read-only socket: %d" % st)
    st, err, closed = call(stats_path, hello(), msg(VERSION, PART_DEL, struct.pack("<I", 1)))
    check(st == -EPERM and "read-only" in err and not closed,
          "PART_DEL on the read-only socket refused: %d %r" % (st, err))


def pipelined(path, n):
    """HELLO, then n STATS requests sent without waiting, replies read only
    when the socket refuses more requests. Returns the reply seqs and
    statuses in arrival order."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(3)
    s.connect(path)
    s.send(hello())
    s.recv(4096)
    s.setblocking(False)
    got, sent = [], 0

    def read_some(wait):
        while select.select([s], [], [], wait)[0]:
            r = s.recv(4096)
            if not r:
                return False
            got.append(struct.unpack_from("<Ii", r, 12))
            wait = 0
        return True

    end = time.time() + 20
    while len(got) < n and time.time() < end:
        try:
            while sent < n:
                s.send(msg(VERSION, STATS, b"", seq=sent + 1))
                sent += 1
        except BlockingIOError:
            pass
        except OSError as e:
            if e.errno != errno.EAGAIN:
                break
        if not read_some(0.2):
            break
    s.close()
    return sent, got


def main():
    dp = sys.argv[1]
    work = tempfile.mkdtemp(prefix="relais-ctl.")
    path = os.path.join(work, "dp.sock")
    stats_path = os.path.join(work, "stats.sock")
    proc = subprocess.Popen([dp, "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
                             "--file-prefix=rlctl%d" % os.getpid(), "-l", "0,1",
                             "--vdev=net_null0", "--log-level=*:error", "--",
                             "-s", "media.ipv4=10.0.0.1/24", "-s", "control.socket=" + path,
                             "-s", "control.group=nogroup", "-s", "control.stats_socket=" + stats_path],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(path):
                break
            time.sleep(0.1)
        check(os.path.exists(path), "control socket appears")
        st, err, closed = call(path, hello(VERSION + 1))
        check(st == -EPROTONOSUPPORT and "version" in err and closed,
              "version %d refused: %d %r closed=%s" % (VERSION + 1, st, err, closed))
        st, err, closed = call(path, msg(VERSION, STATS, b""))
        check(st == -EPROTO and "HELLO" in err and closed,
              "request before HELLO refused: %d %r" % (st, err))
        st, err, closed = call(path, hello(), msg(VERSION, STATS, b"\0"))
        check(st == -EBADMSG and closed, "wrong body size refused: %d %r" % (st, err))
        st, err, closed = call(path, hello(), msg(VERSION, STATS, b"", seq=7))
        check(st == 0 and not closed, "a good client is served: %d %r" % (st, err))
        check_access(path, stats_path)
        n = 1500
        sent, got = pipelined(path, n)
        seqs = [q for q, _ in got]
        check(sent == n and seqs == list(range(1, n + 1)) and all(st == 0 for _, st in got),
              "%d pipelined requests: %d sent, %d replies, in order: %s"
              % (n, sent, len(got), seqs == list(range(1, len(seqs) + 1))))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for f in os.listdir(work):
            os.unlink(os.path.join(work, f))
        os.rmdir(work)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
