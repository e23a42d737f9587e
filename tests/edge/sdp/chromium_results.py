#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check what Chromium reported after applying relais's answers (answer_page.html,
one JSON line per case in RESULTS, then DONE). Prints one "ok"/"FAIL" line per
check and "chromium: N passed, N failed"; exit 1 on any failure."""
import json
import sys

results = {"pass": 0, "fail": 0}


def check(cond, what):
    results["pass" if cond else "fail"] += 1
    print(("ok   " if cond else "FAIL ") + what, flush=True)


def by_kind(case):
    """The audio and the video transceiver of a case (mid 0 and 1)."""
    ts = case.get("transceivers", [])
    return (ts[0], ts[1]) if len(ts) == 2 else ({}, {})


def main(path):
    lines = open(path).read().split("\n")
    check("DONE" in lines, "the page ran every case")
    cases = {c["name"]: c for c in (json.loads(l) for l in lines if l.startswith("{"))}
    for name in ("publish", "publish_h264_vp9_av1", "publish_simulcast", "publish_ipv6",
                 "watch"):
        c = cases.get(name, {"ok": False, "error": "no report"})
        check(c["ok"], f"{name}: setRemoteDescription accepted relais's answer "
              f"({c.get('error', '')})")
        if not c["ok"]:
            continue
        check(c["signalingState"] == "stable", f"{name}: signalingState stable")
        audio, video = by_kind(c)
        want = "recvonly" if name == "watch" else "sendonly"
        for t in (audio, video):
            check(t.get("currentDirection") == want,
                  f"{name}: mid {t.get('mid')} currentDirection {t.get('currentDirection')}"
                  f" == {want}")
        if name == "watch":
            # A receiver's getParameters().codecs lists its own offer, not
            # what was negotiated: a viewer checks the tracks it was given.
            tracks = sorted((t["kind"], tuple(t["streams"])) for t in c["tracks"])
            check(tracks == [("audio", ("relais",)), ("video", ("relais",))],
                  f"{name}: ontrack gave audio + video of stream relais {tracks}")
            continue
        check("audio/opus" in audio.get("sendCodecs", []),
              f"{name}: audio uses Opus {audio.get('sendCodecs')}")
        vc = video.get("sendCodecs", [])
        if name == "publish_h264_vp9_av1":
            for want_codec in ("video/H264", "video/VP9", "video/AV1"):
                check(want_codec in vc, f"{name}: video negotiated {want_codec} {vc}")
            check("video/VP8" not in vc, f"{name}: VP8 not negotiated (not offered)")
            check(vc and vc[0] == "video/H264", f"{name}: H264 first, as preferred")
        else:
            check(vc and vc[0] == "video/VP8", f"{name}: video uses VP8 first {vc}")
        if name == "publish_simulcast":
            check(video.get("rids") == ["q", "h", "f"],
                  f"{name}: 3 simulcast encodings kept {video.get('rids')}")
        exts = video.get("headerExtensions", [])
        check(any(u.endswith("sdes:mid") for u in exts), f"{name}: mid extension {exts}")
        check(not any("toffset" in u for u in exts), f"{name}: toffset dropped")


main(sys.argv[1])
print(f"chromium: {results['pass']} passed, {results['fail']} failed")
sys.exit(1 if results["fail"] or not results["pass"] else 0)
