#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# join_latency.sh: how long a browser waits for the first frame when it
# joins a call through relais (docs/performance.md, "Joining: from the WHEP
# POST to the first frame"). Run by hand, as root; it takes the namespaces
# lock the tests take (tests/common/netns_lock.sh), so it waits for a
# running test rather than colliding with it:
#
#   perf/join_latency.sh BUILD_DIR [--joins N]
#       [--json FILE] [--w W --h H --fps F]
#
# A whole node as tests/edge/e2e runs it (relais-dataplane on net_af_xdp in
# namespaces, Redis, the control plane, relais-edge serving web/), one
# headless Chromium publishing web/publish.html at WxH and F frames/s
# (default 640x480 at 30), then N (default 20) Chromium watchers of
# web/watch.html, one after the other, each a new browser and participant
# joining the room where the publisher already sends. Each watcher page
# records performance.now() at its WHEP POST, the answer, "connected", the
# first decoded video frame (getStats every 20 ms) and the first frame
# shown (requestVideoFrameCallback), and reports them (web/relais.js,
# "timing"). Printed: one line per join, then the median and worst of each
# step; --json FILE also gets one JSON object with every join and the
# summary. Exit status 0 when every join showed a frame within 30 s.
set -euo pipefail
B=${1:?usage: join_latency.sh BUILD_DIR [--joins N] [--json FILE] [--w W --h H --fps F]}
shift
JOINS=20 JSON='' VW=640 VH=480 FPS=30
while [ $# -gt 0 ]; do
	case "$1" in
	--joins) JOINS=$2 ;;
	--json) JSON=$2 ;;
	--w) VW=$2 ;;
	--h) VH=$2 ;;
	--fps) FPS=$2 ;;
	*) echo "join_latency: unknown option $1" >&2 && exit 2 ;;
	esac
	shift 2
done
if ! [[ "$JOINS" =~ ^[0-9]+$ ]] || [ "$JOINS" -lt 1 ] || [ "$JOINS" -gt 200 ]; then
	echo "join_latency: --joins 1..200" >&2
	exit 2
fi
B=$(cd "$B" && pwd)
# shellcheck disable=SC2034 # T: read by lib.sh
T=join_latency
# shellcheck disable=SC2034 # WEB: read by lib.sh
WEB=rljl
N=65
ROOM=41
PUB=401
# shellcheck source=../tests/edge/e2e/lib.sh
source "$(dirname "$0")/../tests/edge/e2e/lib.sh"
need_root
pages_node $N
page pub publish $ROOM $PUB "&w=$VW&h=$VH&fps=$FPS"
wait_for 30 rep_true pub "$SENDING" || { page_dump pub; die "the publisher does not publish"; }
say "publisher sending ${VW}x$VH at $FPS/s; $JOINS joins, one at a time"

SHOWN='j["timing"]["firstDecoded"] is not None and j["timing"]["firstFrame"] is not None'
: >"$W/joins.jsonl"
for i in $(seq "$JOINS"); do
	page "w$i" watch $ROOM $((PUB + i))
	wait_for 30 rep_true "w$i" "$SHOWN" || { page_dump "w$i"; die "join $i: no frame within 30 s"; }
	rep "w$i" 'json.dumps({"join": '"$i"', "timing": j["timing"], "srtp": j["srtpCipher"]})' >>"$W/joins.jsonl"
	chrome_stop "w$i"
done

/usr/bin/python3 - "$W/joins.jsonl" "${JSON:-/dev/null}" "$VW" "$VH" "$FPS" "$(nproc)" \
	"$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
steps = [("post_to_answer", "post", "answer"), ("answer_to_connected", "answer", "connected"),
         ("connected_to_decoded", "connected", "firstDecoded"),
         ("post_to_first_decoded", "post", "firstDecoded"),
         ("post_to_first_shown", "post", "firstFrame"), ("offer_to_post", "start", "post")]
print(f"{'join':>4} " + " ".join(f"{s[0]:>22}" for s in steps) + "   (ms)")
joins = []
for r in rows:
    t = r["timing"]
    d = {name: round(t[b] - t[a], 1) for name, a, b in steps}
    joins.append({"join": r["join"], "srtp": r["srtp"], **d})
    print(f"{r['join']:>4} " + " ".join(f"{d[s[0]]:>22.1f}" for s in steps))
summary = {}
for name, _, _ in steps:
    v = [j[name] for j in joins]
    summary[name] = {"median": round(statistics.median(v), 1), "worst": max(v), "best": min(v)}
print(f"{'':>4} " + " ".join(f"{'median ' + str(summary[s[0]]['median']):>22}" for s in steps))
print(f"{'':>4} " + " ".join(f"{'worst ' + str(summary[s[0]]['worst']):>22}" for s in steps))
out = {"kind": "join_latency", "joins": len(joins), "video": f"{sys.argv[3]}x{sys.argv[4]}",
       "fps": int(sys.argv[5]), "cpus": int(sys.argv[6]), "loadavg": sys.argv[7],
       "summary": summary, "per_join": joins}
f = summary["post_to_first_decoded"]
print(f"join_latency: {len(joins)} joins, WHEP POST -> first decoded frame: median {f['median']} ms, "
      f"worst {f['worst']} ms (load average {sys.argv[7]} on {sys.argv[6]} CPUs)")
with open(sys.argv[2], "w") as o:
    json.dump(out, o)
    o.write("\n")
PY
