#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""aiortc takes relais's answers (run by answer_accepted.sh).

  aiortc_answer.py TOOL
For a publisher (sendonly audio + video) and a viewer (recvonly audio +
video): aiortc makes the offer, `TOOL answer --role publish|subscribe -`
writes relais's answer, aiortc applies it with setRemoteDescription. Checks
what aiortc then holds: each transceiver's currentDirection and negotiated
codecs, and aiortc's own reading of the answer (ICE-lite, DTLS role server,
the host candidate, rtcp-mux, the SSRCs a viewer is told). Prints one
"ok"/"FAIL" line per check and "aiortc: N passed, N failed"; exit 1 on any
failure."""
import asyncio
import subprocess
import sys

try:
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, sdp
except ImportError:
    sys.exit("FAIL: python3-aiortc is missing (the oracle of this test); not a pass")

TOOL = sys.argv[1]
results = {"pass": 0, "fail": 0}


def check(cond, what):
    results["pass" if cond else "fail"] += 1
    print(("ok   " if cond else "FAIL ") + what, flush=True)


async def case(role, direction, want_current):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("audio", direction=direction)
    pc.addTransceiver("video", direction=direction)
    await pc.setLocalDescription(await pc.createOffer())
    p = subprocess.run([TOOL, "answer", "--role", role, "-"],
                       input=pc.localDescription.sdp.encode(), capture_output=True, timeout=10)
    check(p.returncode == 0, f"{role}: relais answers aiortc's offer ({p.stderr.decode().strip()})")
    if p.returncode != 0:
        await pc.close()
        return
    answer = p.stdout.decode()
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        check(True, f"{role}: setRemoteDescription accepted the answer")
    except Exception as e:  # noqa: BLE001 - any refusal is the failure reported
        check(False, f"{role}: setRemoteDescription accepted the answer: {e!r}")
        await pc.close()
        return
    check(pc.signalingState == "stable", f"{role}: signalingState stable")
    for t in pc.getTransceivers():
        check(t.currentDirection == want_current,
              f"{role}: {t.kind} currentDirection {t.currentDirection} == {want_current}")
        codecs = [c.mimeType.lower() for c in t._codecs]  # negotiated codecs
        want = "audio/opus" if t.kind == "audio" else "video/vp8"
        check(want in codecs, f"{role}: {t.kind} negotiated {want} (got {codecs})")
        # aiortc offers Opus as PT 96 and VP8 as 97: relais keeps the offerer's PTs.
        pts = [c.payloadType for c in t._codecs]
        want_pt = 96 if t.kind == "audio" else 97
        check(pts[:1] == [want_pt], f"{role}: {t.kind} first PT is the offer's {want_pt} ({pts})")
    parsed = sdp.SessionDescription.parse(answer)
    for m in parsed.media:
        check(m.ice.iceLite, f"{role}: {m.kind} ICE-lite read by aiortc")
        check(m.dtls.role == "server", f"{role}: {m.kind} DTLS role server (setup:passive)")
        check(m.rtcp_mux, f"{role}: {m.kind} rtcp-mux")
        hosts = [(c.ip, c.port, c.type) for c in m.ice_candidates]
        check(hosts == [("127.0.0.1", 40000, "host")], f"{role}: {m.kind} candidate {hosts}")
        if role == "subscribe":
            check(len(m.ssrc) >= 1 and m.ssrc[0].cname == "relais",
                  f"{role}: {m.kind} SSRC announced with cname relais")
    await pc.close()


def quiet_closed_ice(loop, context):
    """Closing a pc whose ICE never ran leaves aiortc's connect task failing
    with 'RTCIceTransport is closed': expected here, not a test result."""
    if "RTCIceTransport is closed" not in str(context.get("exception")):
        loop.default_exception_handler(context)


async def main():
    asyncio.get_running_loop().set_exception_handler(quiet_closed_ice)
    await case("publish", "sendonly", "sendonly")
    await case("subscribe", "recvonly", "recvonly")


asyncio.run(main())
print(f"aiortc: {results['pass']} passed, {results['fail']} failed")
sys.exit(1 if results["fail"] or not results["pass"] else 0)
