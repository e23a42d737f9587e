#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpora of tests/fuzz (corpus/<target>/*.bin).

Frames are built here byte by byte (independently of the C builders) with
their checksums. The control-channel seeds come from gen_ctl_corpus (built
by meson from gen_ctl_corpus.c with the real encoder): pass its path with
--ctl-gen to refresh them; the control plane's (Redis replies with keys
wrapped by the real cp_kw_wrap) from gen_cp_corpus, with --cp-gen. The bearer
tokens of fuzz_token are HS256 JWTs signed here with hmac under the secret
of fuzz_token.c. Run from anywhere; output is deterministic.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
MAC_A = bytes([2, 0, 0, 0, 0, 0x0A])
MAC_B = bytes([2, 0, 0, 0, 0, 0x0B])  # "us" in fuzz_neigh.c
IP4_A = bytes([192, 0, 2, 10])
IP4_B = bytes([192, 0, 2, 11])
IP6_A = bytes.fromhex("20010db8000000000000000000001234")
IP6_B = bytes.fromhex("20010db800000000000000000056789a")


def csum(data: bytes) -> int:
    """RFC 1071 Internet checksum, as an integer."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, ethertype, vlan=None):
    if vlan is None:
        return dst + src + struct.pack("!H", ethertype)
    return dst + src + struct.pack("!HHH", 0x8100, vlan, ethertype)


def ipv4(payload, proto=17, frag=0x4000, ttl=64, src=IP4_A, dst=IP4_B, good=True):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, frag, ttl, proto, 0,
                    src, dst)
    c = csum(h) if good else 0x1234
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def udp(payload, sport=5000, dport=6000):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def ipv6(payload, nh, hop=64, src=IP6_A, dst=IP6_B):
    return struct.pack("!IHBB", 0x60000000, len(payload), nh, hop) + src + dst + payload


def udp6(payload, sport=5000, dport=6000, src=IP6_A, dst=IP6_B):
    u = udp(payload, sport, dport)
    pseudo = src + dst + struct.pack("!IxxxB", len(u), 17)
    c = csum(pseudo + u) or 0xFFFF
    return ipv6(u[:6] + struct.pack("!H", c) + u[8:], 17, src=src, dst=dst)


def icmp6(body, src, dst, hop=255):
    pseudo = src + dst + struct.pack("!IxxxB", len(body), 58)
    c = csum(pseudo + body[:2] + b"\0\0" + body[4:])
    body = body[:2] + struct.pack("!H", c) + body[4:]
    return ipv6(body, 58, hop, src, dst)


def sn_mcast(ip):
    return bytes.fromhex("ff020000000000000000000001ff") + ip[13:]


def ns(target, src, dst, slla=None):
    body = struct.pack("!BBHI", 135, 0, 0, 0) + target
    if slla is not None:
        body += bytes([1, 1]) + slla
    return icmp6(body, src, dst)


def na(target, src, dst, tlla=None, flags=0x60):
    body = struct.pack("!BBHB3x", 136, 0, 0, flags) + target
    if tlla is not None:
        body += bytes([2, 1]) + tlla
    return icmp6(body, src, dst)


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa


def rtp(pt=96, seq=1, ts=1000, ssrc=0x11223344, csrcs=(), ext=None, payload=b"\x55" * 20,
        marker=0, padding=0):
    b0 = 0x80 | (0x20 if padding else 0) | (0x10 if ext is not None else 0) | len(csrcs)
    h = struct.pack("!BBHII", b0, (marker << 7) | pt, seq, ts, ssrc)
    h += b"".join(struct.pack("!I", c) for c in csrcs)
    if ext is not None:
        h += struct.pack("!HH", 0xBEDE, len(ext) // 4) + ext
    return h + payload


def rtcp(count, pt, body):
    return struct.pack("!BBH", 0x80 | count, pt, (len(body) + 4) // 4 - 1) + body


def sr_sdes():
    sr = rtcp(1, 200, struct.pack("!IIIIII", 0x11111111, 1, 2, 3, 4, 5) + bytes(24))
    chunk = struct.pack("!I", 0x11111111) + bytes([1, 5]) + b"abcde" + b"\0"
    return sr + rtcp(1, 202, chunk)


def fb(fmt, pt, sender, media, fci=b""):
    return rtcp(fmt, pt, struct.pack("!II", sender, media) + fci)


def corpora():
    stun = bytes.fromhex("000100002112a442") + bytes(12)
    dtls = bytes([22, 0xFE, 0xFD]) + bytes(20)
    nack = fb(1, 205, 1, 2, struct.pack("!HHHHHH", 100, 1, 200, 0x8000, 65535, 0xFFFF))
    fir = fb(4, 206, 1, 0, struct.pack("!IB3x", 0x33, 7))
    pli = fb(1, 206, 1, 2)
    rr = rtcp(0, 201, struct.pack("!I", 0xAAAA0001))
    arp_req = arp(1, MAC_A, IP4_A, bytes(6), IP4_B)
    arp_rep = arp(2, MAC_A, IP4_A, MAC_B, IP4_B)
    ns_sn = ns(IP6_B, IP6_A, sn_mcast(IP6_B), MAC_A)
    ns_dad = ns(IP6_B, bytes(16), sn_mcast(IP6_B))
    ns_uni = ns(IP6_B, IP6_A, IP6_B)
    na_t = na(IP6_A, IP6_A, IP6_B, MAC_A)
    sn_mac = bytes([0x33, 0x33, 0xFF]) + IP6_B[13:]
    frames = {
        "v4_rtp": eth(MAC_B, MAC_A, 0x0800) + ipv4(udp(rtp())),
        "v4_vlan_rtcp": eth(MAC_B, MAC_A, 0x0800, 100) + ipv4(udp(sr_sdes())),
        "v6_rtp": eth(MAC_B, MAC_A, 0x86DD) + udp6(rtp(csrcs=(1, 2), ext=bytes(8))),
        "v6_vlan_fb": eth(MAC_B, MAC_A, 0x86DD, 7) + udp6(rr + pli + nack),
        "v4_stun": eth(MAC_B, MAC_A, 0x0800) + ipv4(udp(stun)),
        "v4_dtls_padded": (eth(MAC_B, MAC_A, 0x0800) + ipv4(udp(dtls))).ljust(80, b"\0"),
        "v4_frag": eth(MAC_B, MAC_A, 0x0800) + ipv4(udp(rtp()), frag=0x2000),
        "v4_tcp": eth(MAC_B, MAC_A, 0x0800) + ipv4(bytes(20), proto=6),
        "v4_badsum": eth(MAC_B, MAC_A, 0x0800) + ipv4(udp(rtp()), good=False),
        "v6_frag": eth(MAC_B, MAC_A, 0x86DD) + ipv6(bytes(8) + udp(rtp()), 44),
        "arp_req": eth(b"\xff" * 6, MAC_A, 0x0806) + arp_req,
        "ns": eth(sn_mac, MAC_A, 0x86DD) + ns_sn,
        "truncated": (eth(MAC_B, MAC_A, 0x0800) + ipv4(udp(rtp())))[:30],
    }
    neigh = {
        "arp_req": eth(b"\xff" * 6, MAC_A, 0x0806) + arp_req,
        "arp_req_vlan": eth(b"\xff" * 6, MAC_A, 0x0806, 0x123) + arp_req,
        "arp_reply": eth(MAC_B, MAC_A, 0x0806) + arp_rep,
        "arp_probe": eth(b"\xff" * 6, MAC_A, 0x0806) + arp(1, MAC_A, bytes(4), bytes(6),
                                                            IP4_B),
        "ns_sn": eth(sn_mac, MAC_A, 0x86DD) + ns_sn,
        "ns_sn_vlan": eth(sn_mac, MAC_A, 0x86DD, 0x123) + ns_sn,
        "ns_dad": eth(sn_mac, MAC_A, 0x86DD) + ns_dad,
        "ns_unicast": eth(MAC_B, MAC_A, 0x86DD) + ns_uni,
        "na": eth(MAC_B, MAC_A, 0x86DD) + na_t,
    }
    rtps = {
        "plain": rtp(),
        "marker": rtp(marker=1, pt=111),
        "csrc": rtp(csrcs=(1, 2, 3)),
        "ext": rtp(ext=bytes(12)),
        "csrc_ext": rtp(csrcs=tuple(range(15)), ext=bytes(4)),
        "padding": rtp(padding=1, payload=b"\x55" * 7 + b"\x03"),
        "v1": b"\x40" + rtp()[1:],
        "short": rtp()[:11],
    }
    rtcps = {
        "sr_sdes": sr_sdes(),
        "rr": rr,
        "rr_pli_fir_nack": rr + pli + fir + nack,
        "bye": rtcp(1, 203, struct.pack("!I", 5)),
        "app": rtcp(0, 204, struct.pack("!I4s", 5, b"name")),
        "bad_len": rr[:2] + b"\x00\x09" + rr[4:],
        "v1": b"\x40" + rr[1:],
    }
    build = {
        "v4": bytes(range(56)) + b"payload",
        "v6_vlan": bytes([0x42] * 12) + b"\x03" + bytes(range(43)) + b"\x01\x02\x03",
        "v4_vlan_odd": bytes([7] * 12) + b"\x01" + bytes(range(100, 143)),
        "v6_empty": bytes(12) + b"\x02" + bytes(43),
    }
    return {"frame": frames, "neigh": neigh, "rtp": rtps, "rtcp": rtcps,
            "udp_build": build, "token": tokens(), "dtls": dtls_corpus(),
            "sdp": sdp_offers()}


# The secret and the clock of tests/fuzz/fuzz_token.c.
TOKEN_SECRET = b"relais-fuzz-token-secret-0123456789abcdef"
TOKEN_NOW = 1767225600  # 2026-01-01


def jwt(claims, alg="HS256", key=TOKEN_SECRET, header=None, sig=None):
    """An HS256 JWS made with hmac (independent of libjwt)."""
    def b64u(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    head = b64u(json.dumps(header or {"alg": alg, "typ": "JWT"}).encode())
    body = b64u(json.dumps(claims, separators=(",", ":")).encode())
    if sig is None:
        sig = b64u(hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}".encode()


def tokens():
    def grant(**kw):
        c = {"sub": "4201", "exp": TOKEN_NOW + 3600, "nbf": TOKEN_NOW - 60,
             "video": {"room": "42", "roomJoin": True, "canPublish": True,
                       "canSubscribe": True}}
        c.update(kw)
        return c
    return {
        "publish": jwt(grant()),
        "watch": jwt(grant(video={"room": "7", "roomJoin": True, "canSubscribe": True})),
        "expired": jwt(grant(exp=TOKEN_NOW - 3600)),
        "not_yet": jwt(grant(nbf=TOKEN_NOW + 3600)),
        "no_exp": jwt({"sub": "1", "video": {"room": "1"}}),
        "bad_sub": jwt(grant(sub="alice")),
        "no_room": jwt(grant(video={"roomJoin": True})),
        "alg_none": jwt(grant(), header={"alg": "none"}, sig=""),
        "alg_hs512": jwt(grant(), header={"alg": "HS512", "typ": "JWT"}),
        "bad_sig": jwt(grant(), key=b"another-secret-of-more-than-32-bytes"),
        "malformed": b"eyJhbGciOiJIUzI1NiJ9.e30",
    }


def dtls_record(ctype, seq, body, epoch=0):
    """A DTLS 1.2 record (RFC 6347 §4.1)."""
    return struct.pack("!BHH", ctype, 0xFEFD, epoch) + seq.to_bytes(6, "big") + \
        struct.pack("!H", len(body)) + body


def dtls_corpus():
    """Seeds of fuzz_dtls, built around the ClientHello `openssl s_client
    -dtls1_2 -use_srtp` sent (client_hello_sclient.bin, captured by
    tests/edge/dtls/test_dtls_sclient with EDGE_DTLS_CAPTURE, kept as is):
    the same in two handshake fragments (RFC 6347 §4.2.2), in reverse
    order, then a fatal alert, then close_notify, then garbage."""
    with open(os.path.join(HERE, "corpus", "dtls", "client_hello_sclient.bin"), "rb") as f:
        hello = f.read()
    hs = hello[13:]  # handshake header (12 bytes) + body
    body = hs[12:]
    half = len(body) // 2

    def frag(seq, off, chunk):
        return dtls_record(22, seq, hs[:6] + off.to_bytes(3, "big") +
                           len(chunk).to_bytes(3, "big") + chunk)
    first, second = frag(0, 0, body[:half]), frag(1, half, body[half:])
    return {
        "client_hello_sclient": hello,
        "client_hello_fragments": first + second,
        "client_hello_fragments_reversed": second + first,
        "client_hello_then_fatal_alert": hello + dtls_record(21, 1, bytes([2, 40])),
        "client_hello_then_close_notify": hello + dtls_record(21, 1, bytes([1, 0])),
        "client_hello_then_garbage": hello + dtls_record(22, 1, bytes(range(40))) +
        dtls_record(23, 2, b"\x55" * 30, epoch=1),
    }


SDP_SMALL = (b"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a v\r\n"
             b"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
             b"a=fingerprint:sha-256 " + b":".join([b"AB"] * 32) + b"\r\na=setup:actpass\r\n"
             b"m=audio 9 UDP/TLS/RTP/SAVPF 111 9\r\na=mid:a\r\na=sendonly\r\na=rtcp-mux\r\n"
             b"a=rtpmap:111 opus/48000/2\r\na=rtpmap:9 G722/8000\r\n"
             b"a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
             b"m=video 9 UDP/TLS/RTP/SAVPF 96 97 34\r\na=mid:v\r\na=sendrecv\r\na=rtcp-mux\r\n"
             b"a=rtpmap:96 VP8/90000\r\na=rtcp-fb:* nack\r\na=rtpmap:97 rtx/90000\r\n"
             b"a=fmtp:97 apt=96\r\na=rtpmap:34 H263/90000\r\na=rid:a send\r\n"
             b"a=simulcast:send a\r\na=ssrc-group:FID 1 2\r\na=ssrc:1 cname:x\r\n"
             b"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:d\r\n")


def sdp_offers():
    """The offers captured from Chromium and aiortc (tests/edge/sdp/offers)
    and a small hand-written one with every construct, also LF-only."""
    d = os.path.join(HERE, "..", "edge", "sdp", "offers")
    files = {"small": SDP_SMALL, "small_lf": SDP_SMALL.replace(b"\r\n", b"\n")}
    for name in sorted(os.listdir(d)):
        if name.endswith(".sdp"):
            with open(os.path.join(d, name), "rb") as f:
                files[name[:-4]] = f.read()
    return files


def write(target, files):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in sorted(files.items()):
        with open(os.path.join(d, name + ".bin"), "wb") as f:
            f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ctl-gen", help="path of the built gen_ctl_corpus executable")
    ap.add_argument("--cp-gen", help="path of the built gen_cp_corpus executable")
    args = ap.parse_args()
    for target, files in corpora().items():
        write(target, files)
    if args.ctl_gen:
        d = os.path.join(HERE, "corpus", "ctl")
        os.makedirs(d, exist_ok=True)
        subprocess.run([args.ctl_gen, d], check=True)
    if args.cp_gen:
        d = os.path.join(HERE, "corpus", "cp_desired")
        os.makedirs(d, exist_ok=True)
        subprocess.run([args.cp_gen, d], check=True)


if __name__ == "__main__":
    main()
