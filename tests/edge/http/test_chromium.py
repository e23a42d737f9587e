#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A real browser's CORS against edge/http: Chromium (headless) loads a page
from one http_server (the pages origin) and, from its script, POSTs a WHIP
offer with a bearer token to a second http_server (another port: another
origin), reads the exposed Location and ETag, and DELETEs the resource.
Chromium sends its own preflights (POST and DELETE). A third server whose
configured origin is another site must be refused by the browser itself,
before any POST.

Everything runs in a network namespace of this test with only lo (nothing
can leave the machine); servers and the browser are stopped by PID (the
browser by its own process group), the namespace by its exact name.

  test_chromium.py PATH/TO/http_server       (root: it makes a namespace)
"""
import base64
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_http as t  # noqa: E402  (the same server harness and tokens)

t.NAME = NAME = "edge_http_chromium"
CHROMIUM = "/usr/lib/chromium/chromium"
NS = f"rlhttp{os.getpid()}"

PAGE = """<!doctype html>
<meta charset="utf-8"><title>whip</title>
<script>
async function whip(api, token) {
  const out = {};
  try {
    const r = await fetch(api + "/whip/42", {method: "POST", body: OFFER,
      headers: {"Content-Type": "application/sdp", "Authorization": "Bearer " + token}});
    out.status = r.status;
    out.location = r.headers.get("Location");
    out.etag = r.headers.get("ETag");
    out.answer = await r.text();
    const d = await fetch(new URL(out.location, api), {method: "DELETE",
      headers: {"Authorization": "Bearer " + token}});
    out.deleted = d.status;
  } catch (e) {
    out.error = String(e);
  }
  return out;
}
(async () => {
  const p = new URLSearchParams(location.hash.slice(1));
  const good = await whip(p.get("api"), p.get("token"));
  const bad = await whip(p.get("api2"), p.get("token"));
  console.log("RESULT " + btoa(JSON.stringify({good, bad})));
})();
</script>
"""


def netns(*args):
    return subprocess.run(["ip", *args], capture_output=True, timeout=10, check=False)


def run_chromium(work, url):
    """Chromium in the namespace until its page logs RESULT (40 s at most);
    returns the result, or None."""
    cmd = ["ip", "netns", "exec", NS, CHROMIUM, "--headless=new", "--no-sandbox",
           "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--enable-logging=stderr", "--v=0", f"--user-data-dir={work}/chromium",
           "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", url]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    result, seen = None, []
    try:
        deadline = time.monotonic() + 40
        while result is None and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stderr], [], [], 1)
            if not ready:
                continue
            line = proc.stderr.readline().decode(errors="replace")
            if not line:
                break
            seen.append(line)
            m = re.search(r'"RESULT ([A-Za-z0-9+/=]+)"', line)
            if m:  # base64: the console log escapes quotes its own way
                result = json.loads(base64.b64decode(m.group(1)))
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the browser's own group
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
        proc.stderr.close()
    if result is None:
        print(f"{NAME}: no RESULT from the page; last browser lines:\n" + "".join(seen[-20:]),
              file=sys.stderr)
    return result


def main():
    if not os.path.exists(CHROMIUM):
        print(f"{NAME}: FAIL: {CHROMIUM} is required (Debian package chromium)",
              file=sys.stderr)
        return 1
    if os.geteuid() != 0:
        print(f"{NAME}: FAIL: needs root for its network namespace", file=sys.stderr)
        return 1
    work = tempfile.mkdtemp(prefix="relais-edge-chromium.")
    servers = []
    try:
        if netns("netns", "add", NS).returncode != 0:
            print(f"{NAME}: FAIL: cannot make namespace {NS}", file=sys.stderr)
            return 1
        netns("-n", NS, "link", "set", "lo", "up")
        with open(os.path.join(work, "secret"), "wb") as f:
            f.write(t.SECRET)
        www = os.path.join(work, "www")
        os.makedirs(www)
        with open(os.path.join(www, "whip.html"), "w", encoding="utf-8") as f:
            f.write(PAGE.replace("OFFER", json.dumps(t.OFFER.decode())))
        wrap = ["ip", "netns", "exec", NS]
        pages = t.Server(work, "pages", "--static", www, wrap=wrap)
        servers.append(pages)
        origin = f"http://127.0.0.1:{pages.port}"
        api = t.Server(work, "api", "--origin", origin, wrap=wrap)
        servers.append(api)
        other = t.Server(work, "other", "--origin", "https://app.example", wrap=wrap)
        servers.append(other)
        url = (f"{origin}/whip.html#api=http://127.0.0.1:{api.port}"
               f"&api2=http://127.0.0.1:{other.port}&token={t.publisher()}")
        res = run_chromium(work, url)
        t.check(res is not None, "the page reported its result")
        good, bad = (res or {}).get("good", {}), (res or {}).get("bad", {})
        t.check(good.get("status") == 201, "Chromium cross-origin WHIP POST: 201", good)
        t.check(re.fullmatch(r"/whip/42/" + t.ID_RE, good.get("location") or "") is not None,
                "Location readable by the page (exposed)", good.get("location"))
        t.check(re.fullmatch(r'"[0-9a-f]{16}"', good.get("etag") or "") is not None,
                "ETag readable by the page (exposed)", good.get("etag"))
        t.check(good.get("answer") == t.ANSWER.decode(), "answer SDP read by the page")
        t.check(good.get("deleted") == 200, "Chromium cross-origin DELETE: 200", good)
        t.check(len(api.lines("offer")) == 1 and len(api.lines("end")) == 1,
                "the API server saw one offer and one end")
        t.check("error" in bad and "status" not in bad,
                "another site's origin: the browser refuses the answer", bad)
        t.check(other.lines("offer") == [], "a refused preflight sends no POST")
    finally:
        for s in servers:
            s.stop()
        netns("netns", "del", NS)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{NAME}: {t.passed} passed, {t.failed} failed")
    return 0 if t.failed == 0 and t.passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
