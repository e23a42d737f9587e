#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A WebRTC peer of the webrtc tests: aiortc (Debian python3-aiortc), an
independent WebRTC stack, publishing through WHIP or watching through WHEP.

  whip_peer.py publish URL TOKEN SECONDS OUT.json
  whip_peer.py watch   URL TOKEN SECONDS OUT.json [AUDIO VIDEO]

publish sends aiortc's synthetic video (VP8) and audio (Opus) for SECONDS.
watch offers AUDIO receive-only audio and VIDEO video m-sections (default 1
and 1) and counts what it decodes. OUT.json gets what a user would check:
the HTTP status, the ICE and DTLS states reached, the SRTP profile, frames
decoded per kind (in total, and per wall-clock second in "per_second":
{"<unix second>": {"audio": n, "video": n}}), RTP packets received and
lost per stream, and the answer's refusal reason if there was one. The
answer SDP is also written to OUT.json.answer as soon as it arrives (for a
test that needs the session's ICE credentials while the call runs). At the
end it DELETEs its resource (WHIP_PEER_NO_DELETE=1: it just goes away).
WHIP_PEER_TURN="URL USER PASSWORD" gives it a TURN server."""
import asyncio
import json
import logging
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack


def post_offer(url, token, sdp):
    """POST the offer; (status, answer or reason, Location)."""
    req = urllib.request.Request(url, data=sdp.encode(), method="POST", headers={
        "Content-Type": "application/sdp", "Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode(), r.headers.get("Location")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace"), e.headers.get("Location")


def ice_servers():
    """The ICE servers: none, or the TURN server of WHIP_PEER_TURN="URL USER PASSWORD"."""
    turn = os.environ.get("WHIP_PEER_TURN", "").split()
    if not turn:
        return []
    return [RTCIceServer(urls=turn[0], username=turn[1], credential=turn[2])]


def delete_resource(url, location, token):
    """DELETE the session's resource, as a WHIP/WHEP client leaves; the status."""
    req = urllib.request.Request(urllib.parse.urljoin(url, location), method="DELETE",
                                 headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


async def count_frames(track, out, kind, until):
    """Decode frames of track into out["frames"][kind] and the current
    second's out["per_second"] until the deadline."""
    while time.monotonic() < until:
        try:
            await asyncio.wait_for(track.recv(), timeout=max(0.1, until - time.monotonic()))
        except (asyncio.TimeoutError, MediaStreamError):
            return
        out["frames"][kind] += 1
        sec = out["per_second"].setdefault(str(int(time.time())), {"audio": 0, "video": 0})
        sec[kind] += 1


async def run(mode, url, token, seconds, n_audio, n_video, path):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=ice_servers()))
    out = {"mode": mode, "status": None, "ice": "new", "dtls": None,
           "frames": {"audio": 0, "video": 0}, "per_second": {}}
    tasks, until = [], time.monotonic() + seconds

    @pc.on("iceconnectionstatechange")
    def on_ice():
        if pc.iceConnectionState in ("completed", "connected", "failed"):
            out["ice"] = pc.iceConnectionState

    @pc.on("track")
    def on_track(track):
        tasks.append(asyncio.ensure_future(count_frames(track, out, track.kind, until)))

    if mode == "publish":
        pc.addTransceiver(AudioStreamTrack(), direction="sendonly")
        pc.addTransceiver(VideoStreamTrack(), direction="sendonly")
    else:
        for _ in range(n_audio):
            pc.addTransceiver("audio", direction="recvonly")
        for _ in range(n_video):
            pc.addTransceiver("video", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    status, body, location = post_offer(url, token, pc.localDescription.sdp)
    out["status"], out["location"] = status, location
    if status != 201:
        out["reason"] = body.strip()
        await pc.close()
        return out
    with open(path + ".answer", "w") as f:
        f.write(body)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=body, type="answer"))
    while time.monotonic() < until:
        await asyncio.sleep(0.2)
        dtls = pc.getTransceivers()[0].sender.transport
        out["dtls"] = dtls.state if dtls else None
    if tasks:
        await asyncio.gather(*tasks)
    out["rtp"], out["lost"] = {}, {}
    for st in (await pc.getStats()).values():
        if st.type in ("inbound-rtp", "outbound-rtp"):
            n = getattr(st, "packetsReceived", None) or getattr(st, "packetsSent", 0)
            out["rtp"][f"{st.type}:{st.kind}:{st.ssrc}"] = n
        if st.type == "inbound-rtp":
            out["lost"][f"{st.kind}:{st.ssrc}"] = st.packetsLost
    out["answer"] = body
    # DELETE before closing: closing sends DTLS close_notify, which ends the
    # session by itself, and a DELETE after that finds nothing (404).
    if location and not os.environ.get("WHIP_PEER_NO_DELETE"):
        out["deleted"] = delete_resource(url, location, token)
    await pc.close()
    return out


def main():
    if os.environ.get("WHIP_PEER_DEBUG"):
        logging.basicConfig(level=logging.DEBUG)
    mode, url, token, seconds, path = sys.argv[1:6]
    n_audio = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    n_video = int(sys.argv[7]) if len(sys.argv) > 7 else 1
    out = asyncio.run(run(mode, url, token, float(seconds), n_audio, n_video, path))
    with open(path, "w") as f:
        json.dump(out, f)
    print(json.dumps({k: v for k, v in out.items() if k not in ("answer", "per_second")}))


if __name__ == "__main__":
    main()
