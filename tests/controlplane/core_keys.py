#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Search a core file for known key bytes (tests/controlplane/cp_core_dump.sh).

usage: core_keys.py CORE|pid:PID SPEC...
  CORE            a core file
  pid:PID         the memory of a running process instead (root): every
                  readable mapping of at most 256 MiB, read through
                  /proc/PID/mem: where the keys really are, whatever a
                  core dump leaves out
  NAME=HEX        a secret (a keyring's deployment key, a token secret)
  srtp:NAME=HEX   an SRTP master key||salt of AES_CM_128_HMAC_SHA1_80 (60 hex
                  digits, as relais-cli and relaisctl take it): the key, the
                  salt and key||salt, and the six session keys RFC 3711 4.3
                  derives from them (key derivation rate 0), which is what
                  the crypto engines hold

Each secret is searched as raw bytes, lower- and upper-case hex and base64
(its padding stripped). Prints one line per form found ("NAME FORM at
OFFSET") and, last, "found N of M"; exit status 0 either way (the caller
decides what it expects), 2 on a usage error.
"""
import base64
import mmap
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def kdf(key, salt, label, n):
    """RFC 3711 4.3.1 with kdr 0: AES-CM keystream under the master key,
    IV = (master salt XOR label << 48) * 2^16."""
    x = bytearray(salt)
    x[7] ^= label
    enc = Cipher(algorithms.AES(key), modes.CTR(bytes(x) + b"\0\0")).encryptor()
    return enc.update(b"\0" * n)


def forms(name, s, text=True):
    """(name, form, bytes) of one secret."""
    out = [(name, "raw", s)]
    if text:
        out += [(name, "hex", s.hex().encode()), (name, "HEX", s.hex().upper().encode()),
                (name, "base64", base64.b64encode(s).rstrip(b"="))]
    return out


def patterns(spec):
    kind, _, rest = spec.rpartition(":")
    name, _, hexv = rest.partition("=")
    s = bytes.fromhex(hexv)
    if kind == "":
        return forms(name, s)
    if kind != "srtp" or len(s) != 30:
        raise ValueError(spec)
    key, salt = s[:16], s[16:]
    out = forms(name + ".master", s) + forms(name + ".key", key) + forms(name + ".salt", salt)
    sizes = [("rtp_enc", 16), ("rtp_auth", 20), ("rtp_salt", 14),
             ("rtcp_enc", 16), ("rtcp_auth", 20), ("rtcp_salt", 14)]
    for label, (what, n) in enumerate(sizes):
        out += forms(f"{name}.{what}", kdf(key, salt, label, n), text=False)
    return out


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        pats = [p for spec in sys.argv[2:] for p in patterns(spec)]
    except ValueError as e:
        print(f"core_keys.py: bad spec {e}", file=sys.stderr)
        return 2
    src = sys.argv[1]
    chunks = process_memory(int(src[4:])) if src.startswith("pid:") else core_file(src)
    found = {}
    for where, buf in chunks:
        for name, form, p in pats:
            at = buf.find(p)
            if (name, form) not in found and at >= 0:
                found[(name, form)] = where + at
    for (name, form), at in found.items():
        print(f"{name} {form} at {at:#x}")
    print(f"found {len(found)} of {len(pats)}")
    return 0


def core_file(path):
    """The whole core file, as one chunk at offset 0."""
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        yield 0, m


MAX_MAPPING = 256 << 20


def process_memory(pid):
    """(address, bytes) of each readable mapping of pid that is not too
    large (sanitizer shadows, address space reservations) nor special."""
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            f = line.split()
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            name = f[5] if len(f) > 5 else ""
            if "r" not in f[1] or hi - lo > MAX_MAPPING or name in ("[vvar]", "[vsyscall]"):
                continue
            try:
                mem.seek(lo)
                yield lo, mem.read(hi - lo)
            except OSError:
                continue


if __name__ == "__main__":
    sys.exit(main())
