#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The SRTP profiles of relais for scripts and Python tests, read from the one
list, RELAIS_SRTP_PROFILES in include/relais/srtp_profile.h (no build needed).

    import srtp_profiles; srtp_profiles.load()  -> [Profile, ...] in list order
    srtp_profiles.py            print them as `relais-cli profiles` does
    srtp_profiles.py keylen N   key || salt bytes of profile N (any of its names)
    srtp_profiles.py names      the SDES names, one a line

tests/common/check_profiles.sh checks this reader against relais-cli.
"""
import os
import re
import sys
from collections import namedtuple

Profile = namedtuple("Profile", "id name dtls_name short_name key_len salt_len "
                                "rtp_tag_len rtcp_tag_len aead")
HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "include", "relais",
                      "srtp_profile.h")


def load(header=HEADER):
    """Every profile of RELAIS_SRTP_PROFILES, in list order."""
    with open(header, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    m = re.search(r"#define RELAIS_SRTP_PROFILES\(X\)((?:[^\n]*\\\n)*[^\n]*)", text)
    if m is None:
        raise ValueError(f"{header}: no RELAIS_SRTP_PROFILES")
    out = []
    for entry in re.findall(r"X\(([^)]*)\)", m.group(1).replace("\\\n", " ")):
        f = [x.strip() for x in entry.split(",")]
        s = [None if x == "NULL" else x.strip('"') for x in f[2:5]]
        out.append(Profile(int(f[1], 0), s[0], s[1], s[2], *(int(x, 0) for x in f[5:10])))
    if not out:
        raise ValueError(f"{header}: empty RELAIS_SRTP_PROFILES")
    return out


def by_name(name, profiles=None):
    """The profile one of whose names is `name` (case-insensitive), or None."""
    for p in profiles or load():
        if name.lower() in (n.lower() for n in (p.name, p.dtls_name, p.short_name) if n):
            return p
    return None


def line(p):
    """One line in the format of `relais-cli profiles`."""
    return (f"0x{p.id:04x} {p.name} {p.dtls_name or '-'} {p.short_name} {p.key_len} "
            f"{p.salt_len} {p.rtp_tag_len} {p.rtcp_tag_len} {p.aead}")


def main(argv):
    if argv[1:2] == ["keylen"] and len(argv) == 3:
        p = by_name(argv[2])
        if p is None:
            return 1
        print(p.key_len + p.salt_len)
    elif argv[1:] == ["names"]:
        print("\n".join(p.name for p in load()))
    elif len(argv) == 1:
        print("\n".join(line(p) for p in load()))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
