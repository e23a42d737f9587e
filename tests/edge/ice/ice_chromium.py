#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Chromium's ICE agent against edge_ice: a headless Chromium (Debian's
/usr/lib/chromium/chromium) opens a page whose RTCPeerConnection (data
channel) takes an ICE-lite answer naming ice_test_server's host candidate
and credentials. Chromium must reach iceConnectionState "connected" (a real
browser accepts our answers), its nomination must select its address, and
its consent checks must keep being answered. Every STUN datagram it sends
must authenticate: the only other verdict allowed is "malformed", for its
DTLS ClientHello (relais-edge's main loop gives those to DTLS instead).

Runs in a network namespace of its own with only the loopback up (the
script re-executes itself under `unshare -n`, which needs root), with
--allow-loopback-in-peer-connection, so nothing can leave the machine.
The page sets its own ICE ufrag/pwd in the offer, so the session knows the
remote ufrag and USERNAME is checked as "local:remote".

usage: ice_chromium.py ICE_TEST_SERVER"""
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ice_server import Checks, IceServer, fields  # noqa: E402

CHROMIUM = "/usr/lib/chromium/chromium"
BROWSER_UFRAG, BROWSER_PWD = "ChrU", "chromiumchromiumchromium"
CONNECT_TIMEOUT = 30
CONSENT_WINDOW = 8
NETNS_MARK = "RELAIS_ICE_CHROMIUM_NETNS"
checks = Checks("ice_chromium")

PAGE = """<html><body><script>
(async () => {
  const log = (m) => console.log("RELAIS " + m);
  const pc = new RTCPeerConnection({iceServers: []});
  pc.createDataChannel("relais");
  pc.oniceconnectionstatechange = () => log("ice " + pc.iceConnectionState);
  const offer = await pc.createOffer();
  offer.sdp = offer.sdp.replace(/a=ice-ufrag:.*\\r\\n/g, "a=ice-ufrag:%(bufrag)s\\r\\n")
                       .replace(/a=ice-pwd:.*\\r\\n/g, "a=ice-pwd:%(bpwd)s\\r\\n");
  await pc.setLocalDescription(offer);
  const mid = offer.sdp.match(/a=mid:(\\S+)/)[1];
  const sdp = ["v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=ice-lite",
    "a=group:BUNDLE " + mid,
    "m=application %(port)d UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 127.0.0.1",
    "a=mid:" + mid, "a=ice-ufrag:%(ufrag)s", "a=ice-pwd:%(pwd)s",
    "a=fingerprint:sha-256 " + Array(32).fill("AB").join(":"), "a=setup:passive",
    "a=sctp-port:5000", "a=candidate:1 1 udp 2130706431 127.0.0.1 %(port)d typ host",
    ""].join("\\r\\n");
  await pc.setRemoteDescription({type: "answer", sdp});
  log("answer set");
})().catch((e) => console.log("RELAIS error " + e));
</script></body></html>
"""


def reexec_in_netns():
    """Run this script again in a new network namespace; its exit code."""
    if os.geteuid() != 0:
        print("FAIL: ice_chromium needs root (unshare -n for a private network namespace)")
        return 1
    if not os.access(CHROMIUM, os.X_OK):
        print("FAIL: %s missing: install Debian's chromium" % CHROMIUM)
        return 1
    env = dict(os.environ, **{NETNS_MARK: "1"})
    return subprocess.run(["unshare", "-n", sys.executable] + sys.argv, env=env,
                          timeout=120).returncode


def start_chromium(workdir, page):
    """Chromium on the page, in a process group of its own; its log path."""
    log_path = os.path.join(workdir, "chromium.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox",
             "--user-data-dir=" + os.path.join(workdir, "profile"),
             "--allow-loopback-in-peer-connection", "--use-fake-ui-for-media-stream",
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
             "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--enable-logging=stderr", "--v=0", "file://" + page],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    return proc, log_path


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def stop_chromium(proc):
    """SIGTERM to Chromium's own process group (by its id: the browser and
    its helpers), SIGKILL to what is left after 5 s; returns when the whole
    group is gone (or 5 s after the SIGKILL)."""
    if group_alive(proc.pid):
        os.killpg(proc.pid, signal.SIGTERM)
    for _ in range(50):
        if proc.poll() is not None and not group_alive(proc.pid):
            return
        time.sleep(0.1)
    if group_alive(proc.pid):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for _ in range(50):
        if not group_alive(proc.pid):
            return
        time.sleep(0.1)


def page_says(log_path):
    """The RELAIS lines the page logged so far."""
    with open(log_path, errors="replace") as f:
        return [ln.split("RELAIS ", 1)[1].split('"')[0] for ln in f if "RELAIS " in ln]


async def watch(server, log_path):
    """Until connected + CONSENT_WINDOW s: the server's datagram reports."""
    loop = asyncio.get_running_loop()
    end = loop.time() + CONNECT_TIMEOUT
    reports, connected_at = [], None
    while loop.time() < end:
        line = await server.line(0.2)
        if line and line.startswith("dgram "):
            reports.append(fields(line))
        if connected_at is None and "ice connected" in page_says(log_path):
            connected_at = loop.time()
            end = connected_at + CONSENT_WINDOW
    return reports, connected_at is not None


async def run(exe):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    workdir = tempfile.mkdtemp(prefix="relais-ice-chromium.")
    server = await IceServer.start(exe, max_seconds=CONNECT_TIMEOUT + CONSENT_WINDOW + 20)
    proc = None
    try:
        cookie, ufrag, pwd = await server.add(BROWSER_UFRAG)
        page = os.path.join(workdir, "page.html")
        with open(page, "w") as f:
            f.write(PAGE % {"bufrag": BROWSER_UFRAG, "bpwd": BROWSER_PWD,
                            "port": server.port4, "ufrag": ufrag, "pwd": pwd})
        proc, log_path = start_chromium(workdir, page)
        reports, connected = await watch(server, log_path)
        said = page_says(log_path)
        checks.check(connected, "Chromium reached ICE connected; page said %s" % said)
        nominated = [r for r in reports if r["event"] == "nominated"]
        checks.check(len(nominated) == 1 and nominated[0]["cookie"] == cookie and
                     nominated[0]["src"].startswith("127.0.0.1:"),
                     "one nomination of Chromium's address: %s" % nominated)
        answered = [r for r in reports if r["verdict"] == "answered"]
        after = answered[answered.index(nominated[0]) + 1:] if nominated else []
        checks.check(len(after) >= 2, "consent checks answered after the nomination: %d"
                     % len(after))
        others = {r["verdict"] for r in reports} - {"answered", "malformed"}
        checks.check(not others, "Chromium's STUN refused: %s" % others)
        checks.check(all(r["lookup"] == cookie for r in reports),
                     "every datagram's source passed a check of the session")
    finally:
        if proc:
            stop_chromium(proc)
        code = await server.finish(checks)
        shutil.rmtree(workdir, ignore_errors=True)
    return code


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    if os.environ.get(NETNS_MARK) != "1":
        return reexec_in_netns()
    return asyncio.run(run(sys.argv[1]))


if __name__ == "__main__":
    sys.exit(main())
