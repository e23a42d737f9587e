#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""edge_bench_smoke: run edge_bench --quick with a small cap per round and
check what a reader of its figures relies on, never a timing: exit status 0,
one JSON object per line, a STUN row per case and session count in which
every answer verified (our own decoder: XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY
with the session's ice-pwd, FINGERPRINT) and every forged or unknown request
was refused with its verdict, a DTLS row in which every handshake completed
with the server's keys equal to the client's export under the server's
preferred profile, positive rates, and a summary saying all verified."""
import json
import os
import subprocess
import sys
import tempfile

CASES = ["answered", "bad_integrity", "unknown_ufrag"]
SESSIONS = [1, 1000]
STUN_RATES = ["ns_per_request", "per_s", "per_s_wall", "first_check_ns"]
DTLS_RATES = ["server_us_per_handshake", "client_us_per_handshake",
              "server_handshakes_per_s", "client_handshakes_per_s",
              "handshakes_per_s_both_sides", "datagrams_per_handshake"]


def fail(msg):
    print("edge_bench_smoke: FAIL: " + msg)
    sys.exit(1)


def positive(row, keys):
    for k in keys:
        if not isinstance(row.get(k), (int, float)) or row[k] <= 0:
            fail("%s must be a positive number in %s" % (k, row))


def check_stun(rows):
    got = sorted((r["case"], r["sessions"]) for r in rows)
    want = sorted((c, s) for c in CASES for s in SESSIONS)
    if got != want:
        fail("stun rows %s, expected %s" % (got, want))
    for r in rows:
        positive(r, STUN_RATES + ["requests"])
        if r["verified"] != r["requests"] or r["wrong"] != 0:
            fail("not every request verified: %s" % r)


def check_dtls(rows):
    if len(rows) != 1:
        fail("expected one dtls row, got %s" % rows)
    r = rows[0]
    positive(r, DTLS_RATES + ["handshakes"])
    if r["failed"] != 0:
        fail("handshakes failed: %s" % r)
    # relais' first choice, which Chromium offers second (docs/webrtc.md)
    if r["profile"] != "SRTP_AEAD_AES_256_GCM":
        fail("negotiated %s, expected SRTP_AEAD_AES_256_GCM" % r["profile"])
    if not 4 <= r["datagrams_per_handshake"] <= 16:
        fail("implausible datagrams per handshake: %s" % r)


def main():
    bench = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "edge_bench.json")
        cmd = [bench, "--quick", "--max", "3000", "--json", out]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=100)
        print(p.stdout)
        if p.returncode != 0:
            fail("edge_bench exited %d" % p.returncode)
        with open(out) as f:
            rows = [json.loads(l) for l in f.read().split("\n") if l]
    check_stun([r for r in rows if r.get("kind") == "stun"])
    check_dtls([r for r in rows if r.get("kind") == "dtls"])
    summary = [r for r in rows if r.get("kind") == "summary"]
    if len(summary) != 1 or summary[0].get("all_verified") is not True:
        fail("summary: %s" % summary)
    positive(summary[0], ["stun_answers_per_s", "stun_bad_integrity_per_s",
                          "dtls_server_handshakes_per_s"])
    print("edge_bench_smoke: %d JSON lines OK" % len(rows))


if __name__ == "__main__":
    main()
