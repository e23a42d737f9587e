#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""aiortc's DTLS-SRTP transport as the browser side of test_dtls_aiortc.

    aiortc_dtls_client.py PORT SERVER_FINGERPRINT

Runs aiortc's RTCDtlsTransport (its own handshake loop, fingerprint check
and RFC 5764 key split, libsrtp through pylibsrtp) as the DTLS client of
the server on 127.0.0.1:PORT, whose certificate must have
SERVER_FINGERPRINT ("sha-256 AB:CD:...", as relais writes it in the SDP
answer). ICE is not used: a UDP socket connected to the server stands in
for RTCIceTransport (its role and its datagram send/receive only).

Prints, one per line: "fingerprint sha-256 ..." (its own certificate's, for
the server), "state connected|failed", "client_write HEX" and
"server_write HEX" (key||salt from aiortc's split), then sends one SRTP
packet (payload PAYLOAD below), prints "rtp HEX" for each SRTP packet it
decrypts, and "closed" when the server's close_notify ends the transport.
Exits 0 after "closed", 1 on failure; bounded by TIMEOUT seconds.
"""
import asyncio
import socket
import sys

from aiortc.rtcdtlstransport import (RTCCertificate, RTCDtlsFingerprint,
                                     RTCDtlsParameters, RTCDtlsTransport,
                                     SRTP_KEY_LEN, SRTP_SALT_LEN,
                                     get_srtp_key_salt)
from aiortc.rtp import RtpPacket

PAYLOAD = b"relais-edge-dtls" * 4
TIMEOUT = 10


class UdpAsIce:
    """What RTCDtlsTransport uses of an RTCIceTransport, over one UDP socket."""
    role = "controlled"  # so aiortc takes the DTLS client role

    def __init__(self, sock):
        self.sock = sock
        self.loop = asyncio.get_running_loop()

    async def _send(self, data):
        await self.loop.sock_sendall(self.sock, data)

    async def _recv(self):
        return await self.loop.sock_recv(self.sock, 4096)


def say(*words):
    print(*words, flush=True)


async def run(port, server_fp):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    sock.connect(("127.0.0.1", port))
    cert = RTCCertificate.generateCertificate()
    fp = cert.getFingerprints()[0]
    say("fingerprint", fp.algorithm, fp.value)
    dtls = RTCDtlsTransport(UdpAsIce(sock), [cert])
    closed = asyncio.Event()
    dtls.on("statechange", lambda: dtls.state == "closed" and closed.set())

    async def got_rtp(data, arrival_time_ms):
        say("rtp", data.hex())
    dtls._handle_rtp_data = got_rtp

    algo, value = server_fp.split(" ", 1)
    await dtls.start(RTCDtlsParameters(
        fingerprints=[RTCDtlsFingerprint(algorithm=algo, value=value)], role="server"))
    say("state", dtls.state)
    if dtls.state != "connected":
        return 1
    view = dtls.ssl.export_keying_material(b"EXTRACTOR-dtls_srtp",
                                           2 * (SRTP_KEY_LEN + SRTP_SALT_LEN))
    say("client_write", get_srtp_key_salt(view, 0).hex())
    say("server_write", get_srtp_key_salt(view, 1).hex())
    pkt = RtpPacket(payload_type=96, sequence_number=1, timestamp=1234, ssrc=0x1234ABCD,
                    payload=PAYLOAD)
    await dtls._send_rtp(pkt.serialize())
    await closed.wait()
    say("closed")
    return 0


def main():
    port, server_fp = int(sys.argv[1]), sys.argv[2]
    try:
        return asyncio.run(asyncio.wait_for(run(port, server_fp), TIMEOUT))
    except asyncio.TimeoutError:
        say("timeout")
        return 1


if __name__ == "__main__":
    sys.exit(main())
