#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""edge_sdp_parse() against aiortc's SDP parser, an independent reading.

  parser_oracle.py TOOL OFFERS_DIR
For every offer of OFFERS_DIR, `TOOL dump` prints what edge_sdp_parse() read
and aiortc.sdp.SessionDescription.parse() reads the same file; the two must
agree on the BUNDLE group and, per m-section, on kind, port, proto, mid,
direction, rtcp-mux, ICE ufrag, fingerprint, DTLS setup, every codec with
an rtpmap (PT, name, clock, channels, apt, the rtcp-fb relais keeps), the
extmaps, the SSRCs with their cname and the ssrc-groups. Prints one line
per disagreement and "parser_oracle: N passed, N failed"; exit 1 on any."""
import json
import os
import subprocess
import sys

try:
    from aiortc import sdp
except ImportError:
    sys.exit("FAIL: python3-aiortc is missing (the oracle of this test); not a pass")

TOOL, DIR = sys.argv[1], sys.argv[2]
KEPT_FB = {"nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"}
SETUP = {"auto": "actpass", "client": "active", "server": "passive"}
results = {"pass": 0, "fail": 0}


def check(got, want, what):
    ok = got == want
    results["pass" if ok else "fail"] += 1
    if not ok:
        print(f"FAIL {what}: relais read {got!r}, aiortc {want!r}", flush=True)


def aiortc_codecs(m):
    """aiortc's codecs in relais's dump shape."""
    out = []
    for c in m.rtp.codecs:
        fb = [f.type + (" " + f.parameter if f.parameter else "") for f in c.rtcpFeedback]
        out.append({"pt": c.payloadType, "name": c.mimeType.split("/", 1)[1].lower(),
                    "clock": c.clockRate, "channels": c.channels or 0,
                    "apt": int(c.parameters.get("apt", -1)),
                    "fb": sorted(f for f in fb if f in KEPT_FB)})
    return out


def compare_media(name, i, ours, theirs):
    where = f"{name} m-section {i}"
    check(ours["kind"], theirs.kind, where + " kind")
    check(ours["port"], theirs.port, where + " port")
    check(ours["proto"], theirs.profile, where + " proto")
    check(ours["mid"], theirs.rtp.muxId, where + " mid")
    check(ours["direction"], theirs.direction or "sendrecv", where + " direction")
    check(ours["rtcp_mux"], theirs.rtcp_mux, where + " rtcp-mux")
    check(ours["ufrag"], theirs.ice.usernameFragment, where + " ice-ufrag")
    fp = theirs.dtls.fingerprints[0] if theirs.dtls and theirs.dtls.fingerprints else None
    check(ours["fingerprint"], [fp.algorithm, fp.value] if fp else ["", ""],
          where + " fingerprint")
    check(ours["setup"], SETUP.get(theirs.dtls.role, "?") if theirs.dtls else "",
          where + " setup")
    # relais keeps "no channel count given" as 0; aiortc applies the audio
    # default of 1 (RFC 8866 §6.6).
    default_ch = 1 if theirs.kind == "audio" else 0
    mine = [dict(c, name=c["name"].lower(), fb=sorted(c["fb"]),
                 channels=c["channels"] or default_ch) for c in ours["codecs"]]
    check(mine, aiortc_codecs(theirs), where + " codecs")
    check([tuple(x) for x in ours["extmaps"]],
          [(h.id, h.uri) for h in theirs.rtp.headerExtensions], where + " extmaps")
    check([tuple(x) for x in ours["ssrcs"]], [(s.ssrc, s.cname) for s in theirs.ssrc],
          where + " ssrcs")
    check(ours["groups"], [[int(x) for x in g.items] for g in theirs.ssrc_group], where + " ssrc-groups")


def main():
    names = sorted(f for f in os.listdir(DIR) if f.endswith(".sdp"))
    check(len(names) >= 6, True, "the fixtures are there")
    for name in names:
        path = os.path.join(DIR, name)
        p = subprocess.run([TOOL, "dump", "--role", "publish", path], capture_output=True,
                           timeout=10)
        check(p.returncode, 0, name + " parsed by relais")
        if p.returncode != 0:
            continue
        ours = json.loads(p.stdout)
        with open(path) as f:
            theirs = sdp.SessionDescription.parse(f.read())
        bundle = [g.items for g in theirs.group if g.semantic == "BUNDLE"]
        check(ours["bundle"], bundle[0] if bundle else [], name + " BUNDLE")
        check(len(ours["media"]), len(theirs.media), name + " m-sections")
        for i, (o, t) in enumerate(zip(ours["media"], theirs.media)):
            compare_media(name, i, o, t)


main()
print(f"parser_oracle: {results['pass']} passed, {results['fail']} failed")
sys.exit(1 if results["fail"] or not results["pass"] else 0)
