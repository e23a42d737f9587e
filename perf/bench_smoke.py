#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""bench_smoke: run relais-bench with a tiny packet count and check what a
user of its --json output relies on: exit status 0, one JSON object per
line, one pipeline row per engine x profile x fan-out x payload with every
required field, outputs = inputs x fan-out, cryptodev rows compared with
the libsrtp rows (ratio_to_libsrtp), the capacity rows, and per engine
three scale rows and one memory row."""
import json
import os
import subprocess
import sys
import tempfile

REQUIRED = ["engine", "fanout", "payload_bytes", "profile", "pkts_in_per_s",
            "pkts_out_per_s", "cycles_per_pkt_out", "bound_pkts_out_per_s",
            "ratio_to_bound"]
PROFILES = ["AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"]
FANOUTS = [1, 8]
ENGINES = ["libsrtp", "cryptodev"]


def fail(msg):
    print("bench_smoke: FAIL: " + msg)
    sys.exit(1)


def check_row(row):
    for k in REQUIRED:
        if k not in row:
            fail("missing field %s in %s" % (k, row))
    for k in REQUIRED[4:]:
        if not isinstance(row[k], (int, float)) or row[k] <= 0:
            fail("%s must be a positive number in %s" % (k, row))
    if row["pkts_out"] != row["pkts_in"] * row["fanout"]:
        fail("pkts_out != pkts_in x fanout in %s" % row)


def main():
    bench = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "bench.json")
        cmd = [bench, "--secs", "0.01", "--max-pkts", "300",
               "--fanouts", ",".join(map(str, FANOUTS)), "--payloads", "160",
               "--profiles", ",".join(PROFILES), "--scale", "100,2000",
               "--mem", "768", "--json", out]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=100)
        print(p.stdout)
        if p.returncode != 0:
            fail("relais-bench exited %d" % p.returncode)
        with open(out) as f:
            lines = [l for l in f.read().split("\n") if l]
    rows = [json.loads(l) for l in lines]
    pipe = [r for r in rows if r.get("kind") == "pipeline"]
    scale = [r for r in rows if r.get("kind") == "scale"]
    mem = [r for r in rows if r.get("kind") == "memory"]
    cap = [r for r in rows if r.get("kind") == "capacity"]
    want = {(e, p, f, 160) for e in ENGINES for p in PROFILES for f in FANOUTS}
    got = {(r["engine"], r["profile"], r["fanout"], r["payload_bytes"]) for r in pipe}
    if got != want or len(pipe) != len(want):
        fail("pipeline rows %s, expected %s" % (sorted(got), sorted(want)))
    for r in pipe + scale:
        check_row(r)
    for r in pipe:
        if r["engine"] == "cryptodev" and not r.get("ratio_to_libsrtp", 0) > 0:
            fail("cryptodev row without ratio_to_libsrtp: %s" % r)
    # 2 profiles x (6 egress + 6 subscriber) demands; fan-out 8 at 160 B
    # measured (1200 B and fan-out 64 not: null).
    if len(cap) != 24 or any(not (c["cores_fanout8"] or 0) > 0 for c in cap
                             if c["payload_bytes"] == 160):
        fail("capacity rows: %s" % cap)
    for e in ENGINES:
        es = [r for r in scale if r["engine"] == e]
        em = [r for r in mem if r["engine"] == e]
        if sorted(r["streams"] for r in es) != [100, 100, 2000]:
            fail("scale rows of %s: %s" % (e, es))
        if len(em) != 1 or em[0]["total_bytes_per_stream"] <= 0:
            fail("memory row of %s: %s" % (e, em))
    print("bench_smoke: %d JSON lines OK" % len(rows))


if __name__ == "__main__":
    main()
