#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Offer capture from aiortc for tests/edge/sdp (run by capture_offers.sh):
writes aiortc_publish.sdp (sendonly audio + video) and aiortc_watch.sdp
(recvonly audio + video) into the directory given as the only argument."""
import asyncio
import os
import sys

from aiortc import RTCConfiguration, RTCPeerConnection


async def offer(direction):
    """The local description of an audio + video offer in `direction`."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("audio", direction=direction)
    pc.addTransceiver("video", direction=direction)
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return sdp


async def main(out):
    for name, direction in (("aiortc_publish", "sendonly"), ("aiortc_watch", "recvonly")):
        with open(os.path.join(out, name + ".sdp"), "w", newline="") as f:
            f.write(await offer(direction))


asyncio.run(main(sys.argv[1]))
