#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hostile input against a whole relais node (test webrtc_hostile.sh), from
the peers' namespace, while a real call runs through the node.

  hostile.py attack CONFIG.json OUT.json
  hostile.py check  OUT.json EDGE_STATUS.json DP_STATS.txt

attack sends, every part bounded in count and time:
  - HTTP: offers without fingerprint, with no SRTP profile, with unknown
    codecs only, an oversized body, a wrong content type, tokens missing,
    malformed, badly signed, expired, for another room, without the right;
  - STUN to the media address: a bad MESSAGE-INTEGRITY on the running
    publisher's ufrag (with USE-CANDIDATE, from a spoofed address), truncated
    attributes, an unknown ufrag, a wrong remote ufrag, no FINGERPRINT;
  - DTLS from addresses that never passed ICE: garbage and ClientHellos;
  - half-handshakes from addresses that did pass ICE (sessions of its own):
    a ClientHello with no SRTP profile relais takes, two left half-open (one
    then ended by a fatal alert), one over the half-open cap;
  - a flood of ClientHellos: from one source (over its budget) and from many
    spoofed sources.
OUT.json records what was sent, each HTTP answer, and the attack's start
and end (wall clock), so the test can read the call's frame rate meanwhile.

check compares OUT.json with relais-edge's status file and the dataplane's
`relais-cli stats`: every HTTP case got its status and reason, and every
attack was counted by its name. Exit status 1 on a mismatch."""
import hashlib
import hmac
import json
import os
import re
import socket
import struct
import sys
import time
import urllib.error
import urllib.request
import zlib

COOKIE = 0x2112A442
FLOOD_SECONDS = 3.0  # each flood stops at this bound, sent or not

# The HTTP cases: name -> (expected status, reason name in the body,
# status-file group and counter that must count it).
HTTP_CASES = {
    "no_fingerprint": (400, "no_fingerprint", "sdp", "no_fingerprint"),
    "no_srtp_profile": (400, "no_common_srtp_profile", "sdp", "no_common_srtp_profile"),
    "codecs_unknown": (400, "no_common_codec", "sdp", "no_common_codec"),
    "no_ice_credentials": (400, "no_ice_credentials", "sdp", "no_ice_credentials"),
    "oversized": (413, "body_too_large", "http", "body_too_large"),
    "content_type": (415, "bad_content_type", "http", "bad_content_type"),
    "token_missing": (401, "missing", "token", "missing"),
    "token_malformed": (401, "malformed", "token", "malformed"),
    "token_bad_signature": (401, "bad_signature", "token", "bad_signature"),
    "token_expired": (401, "expired", "token", "expired"),
    "token_wrong_room": (403, "wrong_room", "token", "wrong_room"),
    "token_no_publish": (403, "no_publish", "token", "no_publish"),
}


def offer(ufrag="hstl", pwd="hostilehostilehostile01", audio="111 opus/48000/2",
          video="96 VP8/90000", proto="UDP/TLS/RTP/SAVPF", fingerprint=True):
    """A WHIP offer (sendonly audio + video) in the shape browsers send."""
    fp = "a=fingerprint:sha-256 " + ":".join(["AB"] * 32) + "\r\n" if fingerprint else ""
    cred = f"a=ice-ufrag:{ufrag}\r\na=ice-pwd:{pwd}\r\n" if ufrag else ""
    sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
    for mid, (kind, codec) in enumerate((("audio", audio), ("video", video))):
        pt, name = codec.split(" ")
        sdp += (f"m={kind} 9 {proto} {pt}\r\nc=IN IP4 0.0.0.0\r\na=mid:{mid}\r\n"
                f"a=sendonly\r\na=rtcp-mux\r\n{cred}{fp}a=setup:actpass\r\n"
                f"a=rtpmap:{pt} {name}\r\n")
    return sdp


def post(url, body, token, ctype="application/sdp"):
    """POST body; (status, text body)."""
    headers = {"Content-Type": ctype}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    req = urllib.request.Request(url, data=body.encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def http_cases(cfg):
    """Every case of HTTP_CASES once: [{case, status, body}]."""
    tok, url = cfg["tokens"], cfg["url"] + "/whip/" + str(cfg["room"])
    good = tok["publish"]
    sent = {
        "no_fingerprint": (offer(fingerprint=False), good, "application/sdp"),
        "no_srtp_profile": (offer(proto="RTP/AVP"), good, "application/sdp"),
        "codecs_unknown": (offer(audio="0 PCMU/8000", video="34 H263/90000"), good,
                           "application/sdp"),
        "no_ice_credentials": (offer(ufrag=None), good, "application/sdp"),
        "oversized": (offer() + "a=x-pad:" + "x" * 70000 + "\r\n", good, "application/sdp"),
        "content_type": (offer(), good, "text/plain"),
        "token_missing": (offer(), None, "application/sdp"),
        "token_malformed": (offer(), "not.a-jwt", "application/sdp"),
        "token_bad_signature": (offer(), tok["bad_signature"], "application/sdp"),
        "token_expired": (offer(), tok["expired"], "application/sdp"),
        "token_wrong_room": (offer(), tok["wrong_room"], "application/sdp"),
        "token_no_publish": (offer(), tok["subscribe"], "application/sdp"),
    }
    out = []
    for case, (body, token, ctype) in sent.items():
        status, text = post(url, body, token, ctype)
        out.append({"case": case, "status": status, "body": text.strip()})
    return out


def stun(username, key, use_candidate=False, fingerprint=True, txid=None):
    """A Binding request; MESSAGE-INTEGRITY with key (bytes) unless None."""
    def attr(t, v):
        return struct.pack("!HH", t, len(v)) + v + b"\0" * (-len(v) % 4)
    txid = txid or os.urandom(12)
    body = attr(0x0006, username.encode()) + attr(0x802A, os.urandom(8))  # ICE-CONTROLLING
    body += attr(0x0024, struct.pack("!I", 0x6E7F1EFF))
    if use_candidate:
        body += attr(0x0025, b"")
    if key is not None:
        head = struct.pack("!HHI", 0x0001, len(body) + 24, COOKIE) + txid
        body += attr(0x0008, hmac.new(key, head + body, hashlib.sha1).digest())
    if fingerprint:
        head = struct.pack("!HHI", 0x0001, len(body) + 8, COOKIE) + txid
        crc = (zlib.crc32(head + body) ^ 0x5354554E) & 0xFFFFFFFF
        body += attr(0x8028, struct.pack("!I", crc))
    return struct.pack("!HHI", 0x0001, len(body), COOKIE) + txid + body


def truncated_stun():
    """A Binding request whose USERNAME claims 64 bytes and carries 8."""
    body = struct.pack("!HH", 0x0006, 64) + b"hstl:abc"
    return struct.pack("!HHI", 0x0001, len(body), COOKIE) + os.urandom(12) + body


def client_hello(profiles=(0x0007, 0x0001), seq=0):
    """A DTLS 1.2 ClientHello with use_srtp offering profiles (RFC 5764)."""
    def ext(t, v):
        return struct.pack("!HH", t, len(v)) + v
    srtp = struct.pack("!H", 2 * len(profiles)) + b"".join(
        struct.pack("!H", p) for p in profiles) + b"\0"
    exts = (ext(0x000A, bytes.fromhex("0004001700 1d".replace(" ", "")))  # groups
            + ext(0x000B, b"\x01\x00") + ext(0x000D, bytes.fromhex("0006040305030804"))
            + ext(0x000E, srtp) + ext(0x0017, b"") + ext(0xFF01, b"\x00"))
    suites = bytes.fromhex("c02bc02cc009c00a")
    body = (b"\xfe\xfd" + os.urandom(32) + b"\x00" + b"\x00"
            + struct.pack("!H", len(suites)) + suites + b"\x01\x00"
            + struct.pack("!H", len(exts)) + exts)
    hs = struct.pack("!B", 1) + len(body).to_bytes(3, "big") + struct.pack("!H", 0)
    hs += (0).to_bytes(3, "big") + len(body).to_bytes(3, "big") + body
    return (b"\x16\xfe\xfd" + struct.pack("!H", 0) + seq.to_bytes(6, "big")
            + struct.pack("!H", len(hs)) + hs)


def fatal_alert():
    """A fatal handshake_failure alert in epoch 0."""
    return b"\x15\xfe\xfd\x00\x00" + (5).to_bytes(6, "big") + b"\x00\x02\x02\x28"


def udp(src_ip):
    """A UDP socket on src_ip (an address of this namespace), any port."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src_ip, 0))
    s.settimeout(2.0)
    return s


def paced(sock, dst, packets, per_second=25):
    """Send packets at per_second (under the dataplane's per-source budget)."""
    for p in packets:
        sock.sendto(p, dst)
        time.sleep(1.0 / per_second)
    return len(packets)


def own_session(cfg, tok, idx):
    """A WHIP session of our own (room cfg["room"]) that passes ICE from a
    socket of ours: (socket, relais ufrag, relais pwd, our ufrag)."""
    ours = f"hst{idx}"
    status, answer = post(cfg["url"] + "/whip/" + str(cfg["room"]), offer(ufrag=ours), tok)
    if status != 201:
        raise SystemExit(f"own session {idx}: POST answered {status} {answer}")
    ufrag = re.search(r"a=ice-ufrag:(\S+)", answer).group(1)
    pwd = re.search(r"a=ice-pwd:(\S+)", answer).group(1)
    s = udp(cfg["peer_ip"])
    s.sendto(stun(f"{ufrag}:{ours}", pwd.encode(), use_candidate=True), cfg["dst"])
    reply = s.recv(2048)
    if struct.unpack("!H", reply[:2])[0] != 0x0101:
        raise SystemExit(f"own session {idx}: ICE check answered {reply[:32].hex()}, not success")
    return s, ufrag, pwd, ours


def stun_attacks(cfg, sent):
    """Malformed and unauthenticated STUN, each kind from its own source."""
    pub = re.search(r"a=ice-ufrag:(\S+)", open(cfg["pub_answer"]).read()).group(1)
    spoof, dst, n = cfg["spoof"], cfg["dst"], cfg["stun_each"]
    sent["bad_integrity"] = paced(udp(spoof[0]), dst, [
        stun(f"{pub}:x", os.urandom(20), use_candidate=True) for _ in range(n)])
    sent["malformed"] = paced(udp(spoof[1]), dst, [truncated_stun() for _ in range(n)])
    sent["unknown_ufrag"] = paced(udp(spoof[2]), dst, [
        stun("nosuchufrag:x", os.urandom(20)) for _ in range(n)])
    sent["no_fingerprint"] = paced(udp(spoof[3]), dst, [
        stun(f"{pub}:x", os.urandom(20), fingerprint=False) for _ in range(n)])


def dtls_unchecked(cfg, sent):
    """Garbage and ClientHellos from addresses that never passed ICE."""
    dst, n = cfg["dst"], cfg["stun_each"]
    sent["dtls_garbage"] = paced(udp(cfg["spoof"][4]), dst, [
        b"\x17\xfe\xfd" + os.urandom(60) for _ in range(n)])
    sent["dtls_hello_unchecked"] = paced(udp(cfg["spoof"][5]), dst, [
        client_hello(seq=i) for i in range(n)])


def half_handshakes(cfg, sent):
    """Own sessions past ICE: one ClientHello relais refuses (SRTP), two
    left half-open (one then alerted), one over the half-open cap; and a
    wrong remote ufrag with the right password."""
    tok, dst = cfg["tokens"]["own"], cfg["dst"]
    sess = [own_session(cfg, tok[i], i) for i in range(4)]
    sent["own_sessions"] = len(sess)
    s, ufrag, pwd, _ = sess[0]
    sent["wrong_remote_ufrag"] = paced(s, dst, [
        stun(f"{ufrag}:wrong", pwd.encode()) for _ in range(cfg["stun_each"])])
    sess[0][0].sendto(client_hello(profiles=(0x0005,)), dst)  # NULL_HMAC_SHA1_80 only
    time.sleep(0.3)
    for s, *_ in sess[1:]:
        s.sendto(client_hello(), dst)
        time.sleep(0.3)
    sent["half_open"] = 2
    try:
        sent["server_hello"] = len(sess[1][0].recv(4096)) > 0
    except socket.timeout:
        sent["server_hello"] = False
    sess[1][0].sendto(fatal_alert(), dst)
    return sess


def flood(cfg, sent):
    """ClientHellos: count-bounded from one source, then from many spoofed
    sources (a few each, within their budget); each within FLOOD_SECONDS."""
    dst, hello = cfg["dst"], client_hello()
    s, end, n = udp(cfg["spoof"][6]), time.monotonic() + FLOOD_SECONDS, 0
    while n < cfg["flood_one"] and time.monotonic() < end:
        s.sendto(hello, dst)
        n += 1
        if n % 200 == 0:
            time.sleep(0.01)
    sent["flood_one"] = n
    socks = [udp(ip) for ip in cfg["spoof"][7:] for _ in range(10)]
    end, n = time.monotonic() + FLOOD_SECONDS, 0
    while n < cfg["flood_many"] and time.monotonic() < end:
        socks[n % len(socks)].sendto(hello, dst)
        n += 1
        if n % len(socks) == 0:
            time.sleep(0.05)
    sent["flood_many"] = n


def attack(cfg_path, out_path):
    cfg = json.load(open(cfg_path))
    cfg["dst"] = (cfg["media_ip"], cfg["media_port"])
    sent, out = {}, {"start": time.time()}
    out["http"] = http_cases(cfg)
    stun_attacks(cfg, sent)
    dtls_unchecked(cfg, sent)
    sess = half_handshakes(cfg, sent)
    flood(cfg, sent)
    out["end"], out["sent"] = time.time(), sent
    for s, *_ in sess:
        s.close()
    json.dump(out, open(out_path, "w"))
    print(json.dumps(out["sent"]))


def check(out_path, status_path, stats_path):
    """Compare what was sent with what relais answered and counted."""
    out, st = json.load(open(out_path)), json.load(open(status_path))
    dp = {}
    for line in open(stats_path):
        f = line.split()
        if len(f) >= 2 and f[1].isdigit():
            dp[f[0]] = int(f[1])
    sent, bad = out["sent"], []

    def want(what, got, least):
        print(f"  {what:42} {got:>7}  (want >= {least})")
        if got < least:
            bad.append(what)
    for h in out["http"]:
        status, name, grp, ctr = HTTP_CASES[h["case"]]
        ok = h["status"] == status and h["body"].split(":")[0] == name
        print(f"  HTTP {h['case']:24} {h['status']} {h['body'][:60]!r}"
              f"{'' if ok else f'  (want {status} {name})'}")
        if not ok:
            bad.append(h["case"])
        want(f"{grp}.{ctr}", st[grp][ctr], 1)
    want("stun.bad_integrity", st["stun"]["bad_integrity"], sent["bad_integrity"])
    want("stun.malformed", st["stun"]["malformed"], sent["malformed"])
    want("stun.unknown_ufrag", st["stun"]["unknown_ufrag"], sent["unknown_ufrag"])
    want("stun.no_fingerprint", st["stun"]["no_fingerprint"], sent["no_fingerprint"])
    want("stun.wrong_remote_ufrag", st["stun"]["wrong_remote_ufrag"], sent["wrong_remote_ufrag"])
    want("counters.dtls_unchecked", st["counters"]["dtls_unchecked"],
         sent["dtls_garbage"] + sent["dtls_hello_unchecked"] + sent["flood_many"])
    want("dtls.no_srtp_profile", st["dtls"]["no_srtp_profile"], 1)
    want("dtls.alert", st["dtls"]["alert"], 1)
    want("dtls.half_open_cap", st["dtls"]["half_open_cap"], 1)
    want("counters.dtls_refused", st["counters"]["dtls_refused"], 1)
    want("dtls.handshake_timeout", st["dtls"]["handshake_timeout"], 1)
    want("ended.dtls_failed", st["ended"]["dtls_failed"], 3)
    want("dataplane exception_rate_source", dp.get("exception_rate_source", 0),
         sent["flood_one"] // 2)
    if not sent.get("server_hello"):
        print("  a half-open session got no ServerHello flight")
        bad.append("server_hello")
    if st["sessions"]["dtls_half_open"] != 0:
        print(f"  {st['sessions']['dtls_half_open']} handshakes still half-open")
        bad.append("half_open_left")
    if bad:
        print("mismatches: " + ", ".join(bad))
    return 1 if bad else 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "attack":
        attack(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "check":
        return check(sys.argv[2], sys.argv[3], sys.argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
