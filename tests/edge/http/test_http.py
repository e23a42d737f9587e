#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""WHIP/WHEP over edge/http, as a client sees it.

Runs http_server (the real edge_http library, a recording backend) and
drives it with curl and urllib: tokens made here with hmac (independent of
libjwt), every refusal with its status and named reason, CORS preflight as
Chromium sends it, body limits, PATCH/DELETE of a resource, the 307 to a
room's owner, static pages and path traversal, connection limits and
timeouts (on ::1), and TLS with a certificate made by the openssl CLI.

  test_http.py PATH/TO/http_server

Every server is stopped by PID; the temp dir is removed. Prints
"edge_http: N passed, N failed"; exit 0 only when nothing failed.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

NAME = "edge_http"
SERVER = sys.argv[1]
SECRET = os.urandom(48)
LEEWAY = 10
OFFER = b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=relais-test-offer\r\nt=0 0\r\n"
ANSWER = b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=relais-test-answer\r\n"
RESTART = b"a=ice-ufrag:NEWU\r\na=ice-pwd:newpasswordnewpasswordnew\r\n"
ID_RE = r"[0-9a-f]{32}"
CHROMIUM_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
               "HeadlessChrome/131.0.0.0 Safari/537.36")

passed = 0
failed = 0


def check(cond, what, got=None):
    """One check: counted; a failure prints what and the value seen."""
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"{NAME}: FAILED: {what}" + ("" if got is None else f" (got {got!r})"),
              file=sys.stderr)


def need(tool):
    """A missing tool fails the test (never a silent skip)."""
    if shutil.which(tool) is None:
        print(f"{NAME}: FAIL: {tool} is required and not installed", file=sys.stderr)
        sys.exit(1)


# ---- tokens, made with the standard library only -------------------------

def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims, alg="HS256", key=None, header=None, sig=None):
    """A JWS compact token; signed with HMAC-SHA256 unless sig is given."""
    head = b64u(json.dumps(header or {"alg": alg, "typ": "JWT"}).encode())
    body = b64u(json.dumps(claims).encode())
    if sig is None:
        mac = hmac.new(key or SECRET, f"{head}.{body}".encode(), hashlib.sha256)
        sig = b64u(mac.digest())
    return f"{head}.{body}.{sig}"


def claims(sub="7", room="42", publish=True, subscribe=False, join=True, exp=600, nbf=None,
           drop=()):
    """LiveKit-shaped claims; exp and nbf are relative to now."""
    now = int(time.time())
    c = {"sub": sub, "iss": "test-backend", "exp": now + exp,
         "video": {"room": room, "roomJoin": join, "canPublish": publish,
                   "canSubscribe": subscribe}}
    if nbf is not None:
        c["nbf"] = now + nbf
    for k in drop:
        c.pop(k, None)
    return c


def publisher(sub="7", room="42"):
    return jwt(claims(sub=sub, room=room))


def watcher(sub="9", room="42"):
    return jwt(claims(sub=sub, room=room, publish=False, subscribe=True))


# ---- the server under test ----------------------------------------------

class Server:
    """http_server in a subprocess: started, its port read, stopped by PID.
    wrap: a command that execs it (ip netns exec NS), so the PID is its own."""

    def __init__(self, work, name, *args, wrap=()):
        self.log = os.path.join(work, name + ".log")
        self.proc = subprocess.Popen(
            [*wrap, SERVER, "--secret-file", os.path.join(work, "secret"), "--log", self.log,
             "--leeway", str(LEEWAY), "--lifetime", "80", *args],
            stdout=subprocess.PIPE, stderr=sys.stderr)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline().decode() if ready else ""
        m = re.match(r"port (\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError(f"{name}: server did not start (printed {line!r})")
        self.port = int(m.group(1))

    def lines(self, prefix):
        with open(self.log, encoding="utf-8") as f:
            return [ln.rstrip("\n") for ln in f if ln.startswith(prefix)]

    def stop(self):
        """SIGTERM, then SIGKILL after 5 s; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc.stdout.close()
        return self.proc.returncode


# ---- clients --------------------------------------------------------------

class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> last value
        self.body = body

    def h(self, name):
        return self.headers.get(name.lower())


def curl(work, method, url, headers=(), data=None, extra=()):
    """One request with curl; the last response's status, headers, body."""
    hdr, out = os.path.join(work, "h.txt"), os.path.join(work, "b.bin")
    cmd = ["curl", "-sS", "--max-time", "10", "--path-as-is", "-D", hdr, "-o", out,
           "-w", "%{http_code}", *extra]
    cmd += ["-I"] if method == "HEAD" else ["-X", method]
    for h in headers:
        cmd += ["-H", h]
    if data is not None:
        with open(os.path.join(work, "req.bin"), "wb") as f:
            f.write(data)
        cmd += ["--data-binary", "@" + os.path.join(work, "req.bin")]
    res = subprocess.run(cmd + [url], capture_output=True, timeout=20, check=False)
    status = int(res.stdout or b"0")
    headers_out = {}
    if os.path.exists(hdr):
        with open(hdr, "rb") as f:
            block = f.read().decode("latin-1").split("\r\n\r\n")
        blocks = [b for b in block if b.strip()]
        for line in (blocks[-1].split("\r\n")[1:] if blocks else []):
            k, _, v = line.partition(":")
            headers_out[k.strip().lower()] = v.strip()
        os.unlink(hdr)
    body = b""
    if os.path.exists(out):
        with open(out, "rb") as f:
            body = f.read()
        os.unlink(out)
    return Reply(status, headers_out, body)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def urlopen(method, url, headers=None, data=None, context=None):
    """One request with urllib, redirects not followed; a Reply."""
    handlers = [NoRedirect()]
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    opener = urllib.request.build_opener(*handlers)
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with opener.open(req, timeout=10) as r:
            return Reply(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())


def post_offer(work, base, path, token, ctype="application/sdp", data=OFFER, extra_headers=()):
    hdrs = [f"Content-Type: {ctype}", *extra_headers]
    if token is not None:
        hdrs.append(f"Authorization: Bearer {token}")
    return curl(work, "POST", base + path, hdrs, data)


# ---- the scenarios ---------------------------------------------------------

def token_refusals(work, srv, base):
    """Each bad token: 401 or 403, its reason, a Bearer challenge; backend untouched."""
    offers_before = len(srv.lines("offer"))
    now = int(time.time())
    hs512 = jwt(claims(), header={"alg": "HS512", "typ": "JWT"},
                sig=b64u(hmac.new(SECRET, b"x", hashlib.sha512).digest()))
    rs256 = jwt(claims(), header={"alg": "RS256", "typ": "JWT"})
    cases = [
        ("missing", None, 401, "missing"),
        ("malformed: two parts", "abc.def", 401, "malformed"),
        ("malformed: not base64url", "a b.c.d", 401, "malformed"),
        ("malformed: not JSON", b64u(b"{oops") + "." + b64u(b"{}") + ".x", 401, "malformed"),
        ("wrong signature", jwt(claims(), key=b"another secret of 32 bytes......"), 401,
         "bad_signature"),
        ("alg none", jwt(claims(), header={"alg": "none", "typ": "JWT"}, sig=""), 401,
         "alg_not_allowed"),
        ("alg HS512", hs512, 401, "alg_not_allowed"),
        ("alg RS256 (signed with the secret as HMAC)", rs256, 401, "alg_not_allowed"),
        ("alg hs256 (case)", jwt(claims(), header={"alg": "hs256"}), 401, "alg_not_allowed"),
        ("expired", jwt(claims(exp=-(LEEWAY + 50))), 401, "expired"),
        ("not yet valid", jwt(claims(nbf=LEEWAY + 100)), 401, "not_yet_valid"),
        ("no exp", jwt(claims(drop=("exp",))), 401, "no_expiry"),
        ("exp as a string", jwt({**claims(), "exp": str(now + 600)}), 401, "bad_claims"),
        ("sub not a number", jwt(claims(sub="alice")), 401, "bad_participant"),
        ("sub 0", jwt(claims(sub="0")), 401, "bad_participant"),
        ("no video grant", jwt(claims(drop=("video",))), 401, "no_room"),
        ("room not a number", jwt(claims(room="lobby")), 401, "no_room"),
        ("wrong room", publisher(room="43"), 403, "wrong_room"),
        ("no roomJoin", jwt(claims(join=False)), 403, "no_room_join"),
        ("no canPublish", watcher(), 403, "no_publish"),
    ]
    for what, tok, status, reason in cases:
        r = post_offer(work, base, "/whip/42", tok)
        check(r.status == status, f"token {what}: status {status}", r.status)
        check(r.body == (reason + "\n").encode(), f"token {what}: reason {reason}", r.body)
        www = r.h("WWW-Authenticate") or ""
        if reason == "missing":
            check(www == 'Bearer realm="relais"', f"token {what}: challenge", www)
        else:
            err = "insufficient_scope" if status == 403 else "invalid_token"
            check(f'error="{err}"' in www and f'error_description="{reason}"' in www,
                  f"token {what}: challenge names {err} and {reason}", www)
        check(r.h("Access-Control-Allow-Origin") == "*", f"token {what}: CORS on refusals")
    r = post_offer(work, base, "/whep/42", publisher())
    check(r.status == 403 and r.body == b"no_subscribe\n", "WHEP without canSubscribe: 403",
          (r.status, r.body))
    r = curl(work, "POST", base + "/whip/42",
             ["Content-Type: application/sdp", "Authorization: Basic dXNlcjpwYXNz"], OFFER)
    check(r.status == 401 and r.body == b"missing\n", "Basic auth is no bearer token: 401",
          (r.status, r.body))
    check(len(srv.lines("offer")) == offers_before, "no refused request reached the backend")
    # Within the leeway: a token expired LEEWAY/2 seconds ago is still taken.
    r = post_offer(work, base, "/whip/42", jwt(claims(exp=-(LEEWAY // 2))))
    check(r.status == 201, "exp within the leeway: 201", r.status)


def publish_and_watch(work, srv, base):
    """201 + Location + ETag + answer, to curl (WHIP) and urllib (WHEP)."""
    r = post_offer(work, base, "/whip/42", publisher())
    check(r.status == 201, "WHIP POST: 201", r.status)
    check(r.body == ANSWER, "WHIP POST: the backend's answer", r.body)
    check(r.h("Content-Type") == "application/sdp", "WHIP POST: application/sdp",
          r.h("Content-Type"))
    loc = r.h("Location") or ""
    check(re.fullmatch(r"/whip/42/" + ID_RE, loc) is not None, "WHIP POST: Location", loc)
    check(re.fullmatch(r'"[0-9a-f]{16}"', r.h("ETag") or "") is not None, "WHIP POST: ETag",
          r.h("ETag"))
    check(r.h("Accept-Patch") == "application/trickle-ice-sdpfrag", "WHIP POST: Accept-Patch")
    check(r.h("Access-Control-Allow-Origin") == "*", "WHIP POST: CORS origin")
    check("Location" in (r.h("Access-Control-Expose-Headers") or ""),
          "WHIP POST: Location exposed to pages")
    rid = loc.rsplit("/", 1)[-1]
    last = srv.lines("offer")[-1]
    check(f"kind=publish room=42 participant=7 id={rid} len={len(OFFER)} sdp=ok" in last,
          "backend offer: kind, room, participant, id, the offer", last)
    w = urlopen("POST", base + "/whep/42",
                {"Content-Type": "application/sdp", "Authorization": "Bearer " + watcher()},
                OFFER)
    check(w.status == 201 and w.body == ANSWER, "WHEP POST (urllib): 201 + answer", w.status)
    wloc = w.h("Location") or ""
    check(re.fullmatch(r"/whep/42/" + ID_RE, wloc) is not None, "WHEP POST: Location", wloc)
    check(wloc.rsplit("/", 1)[-1] != rid, "two sessions, two resource ids")
    check("kind=watch room=42 participant=9" in srv.lines("offer")[-1], "backend offer: watch")
    return loc, r.h("ETag"), wloc


def patch_and_delete(work, srv, base, loc, etag, wloc):
    """PATCH: trickle 204, ETag checks, ICE restart 200; DELETE by the owner only."""
    tok = publisher()
    frag = b"a=ice-ufrag:abcd\r\na=candidate:1 1 udp 2113937151 192.0.2.1 5000 typ host\r\n"
    trickle = frag.replace(b"a=ice-ufrag:abcd\r\n", b"")
    ct = "Content-Type: application/trickle-ice-sdpfrag"
    auth = f"Authorization: Bearer {tok}"
    r = curl(work, "PATCH", base + loc, [ct, auth, f"If-Match: {etag}"], trickle)
    check(r.status == 204 and r.body == b"", "PATCH trickle: 204", r.status)
    check("patch kind=publish room=42 participant=7" in srv.lines("patch")[-1],
          "backend patch called")
    r = curl(work, "PATCH", base + loc, [ct, auth, 'If-Match: "0000000000000000"'], trickle)
    check(r.status == 412 and r.body == b"etag_mismatch\n", "PATCH stale ETag: 412", r.status)
    r = curl(work, "PATCH", base + loc, ["Content-Type: application/sdp", auth], trickle)
    check(r.status == 415 and r.body == b"bad_content_type\n", "PATCH wrong type: 415", r.status)
    r = curl(work, "PATCH", base + loc, [ct, auth, "If-Match: *"], frag)
    check(r.status == 200 and r.body == RESTART, "PATCH ICE restart: 200 + new sdpfrag",
          (r.status, r.body))
    check(r.h("Content-Type") == "application/trickle-ice-sdpfrag", "ICE restart: its type")
    check(r.h("ETag") not in (None, etag), "ICE restart: a new ETag", r.h("ETag"))
    r = curl(work, "PATCH", base + loc, [ct, auth, f"If-Match: {etag}"], trickle)
    check(r.status == 412, "PATCH with the ETag before the restart: 412", r.status)
    bad = re.sub(ID_RE + "$", "0" * 32, loc)
    for method in ("PATCH", "DELETE"):
        r = curl(work, method, base + bad, [ct, auth], trickle)
        check(r.status == 404 and r.body == b"not_found\n", f"{method} wrong id: 404", r.status)
    r = curl(work, "DELETE", base + loc.replace("/whip/", "/whep/"), [auth])
    check(r.status == 404, "DELETE of a WHIP resource under /whep: 404", r.status)
    other = f"Authorization: Bearer {publisher(sub='8')}"
    r = curl(work, "DELETE", base + loc, [other])
    check(r.status == 403 and r.body == b"wrong_participant\n",
          "DELETE by another participant: 403", (r.status, r.body))
    r = curl(work, "DELETE", base + loc, [])
    check(r.status == 401, "DELETE without a token: 401", r.status)
    r = curl(work, "PUT", base + loc, [auth], b"x")
    check(r.status == 405 and r.h("Allow") == "PATCH, DELETE, OPTIONS",
          "PUT resource: 405 + its Allow", (r.status, r.h("Allow")))
    r = curl(work, "DELETE", base + loc, [auth])
    check(r.status == 200, "DELETE by its owner: 200", r.status)
    check(f"end kind=publish room=42 participant=7 id={loc.rsplit('/', 1)[-1]}"
          in srv.lines("end")[-1], "backend end called with the resource id")
    for method in ("DELETE", "PATCH"):
        r = curl(work, method, base + loc, [ct, auth], trickle)
        check(r.status == 404, f"{method} after DELETE: 404", r.status)
    w = urlopen("DELETE", base + wloc, {"Authorization": "Bearer " + watcher()})
    check(w.status == 200, "WHEP DELETE (urllib): 200", w.status)
    # A session the backend ends itself (edge_http_forget) is gone for HTTP.
    r = post_offer(work, base, "/whip/42", tok)
    loc2 = r.h("Location") or "/none"
    r = curl(work, "PATCH", base + loc2, [ct, auth], b"a=x-forget\r\n")
    check(r.status == 404 and srv.lines("forget")[-1:] == ["forget 0"],
          "session forgotten by the backend during a PATCH: 404", r.status)
    r = curl(work, "DELETE", base + loc2, [auth])
    check(r.status == 404, "DELETE of a forgotten session: 404", r.status)


def request_limits(work, srv, base):
    """415, 413 (announced and chunked), empty body, 404, 405, backend verdicts."""
    tok = publisher()
    r = post_offer(work, base, "/whip/42", tok, ctype="text/plain")
    check(r.status == 415 and r.body == b"bad_content_type\n", "POST text/plain: 415", r.status)
    r = post_offer(work, base, "/whip/42", tok, ctype="application/sdp; charset=utf-8")
    check(r.status == 201, "application/sdp with a parameter: 201", r.status)
    big = OFFER + b"a=x-pad:" + b"x" * (70 * 1024) + b"\r\n"
    r = post_offer(work, base, "/whip/42", tok, data=big, extra_headers=["Expect: 100-continue"])
    check(r.status == 413 and r.body == b"body_too_large\n", "POST 70 KiB: 413", r.status)
    r = post_offer(work, base, "/whip/42", tok, data=big,
                   extra_headers=["Transfer-Encoding: chunked"])
    check(r.status == 413 and r.body == b"body_too_large\n", "POST 70 KiB chunked: 413",
          r.status)
    ok = OFFER + b"a=x-pad:" + b"x" * (60 * 1024) + b"\r\n"
    r = post_offer(work, base, "/whip/42", tok, data=ok)
    check(r.status == 201, "POST 60 KiB: 201", r.status)
    r = post_offer(work, base, "/whip/42", tok, data=b"")
    check(r.status == 400 and r.body == b"empty_body\n", "POST no offer: 400", r.status)
    for path in ("/whip", "/whip/", "/whip/0", "/whip/042", "/whip/4294967296", "/whip/abc",
                 "/whip/42/xyz", "/whip/42/" + "a" * 31, "/whip/42/" + "A" * 32):
        r = post_offer(work, base, path, tok)
        check(r.status == 404 and r.body == b"not_found\n", f"POST {path}: 404", r.status)
    r = curl(work, "GET", base + "/whip/42", [f"Authorization: Bearer {tok}"])
    check(r.status == 405 and r.h("Allow") == "POST, OPTIONS", "GET /whip/42: 405 + its Allow",
          (r.status, r.h("Allow")))
    r = post_offer(work, base, "/whip/307", publisher(room="307"))
    check(r.status == 307, "room owned elsewhere: 307", r.status)
    check(r.h("Location") == "https://owner.example:8443/whip/307", "307 Location: the owner",
          r.h("Location"))
    u = urlopen("POST", base + "/whip/307", {"Content-Type": "application/sdp",
                                            "Authorization": "Bearer " + publisher(room="307")},
                OFFER)
    check(u.status == 307 and u.h("Location") == "https://owner.example:8443/whip/307",
          "307 seen by urllib", u.status)
    r = post_offer(work, base, "/whip/308", publisher(room="308"))
    check(r.status == 500 and r.body == b"backend_error\n" and r.h("Set-Cookie") is None,
          "redirect URL with CR LF: 500, no header injected", (r.status, r.body))
    r = post_offer(work, base, "/whip/409", publisher(room="409"))
    check(r.status == 409 and r.body == b"room_full\n", "backend refusal: its status, reason",
          (r.status, r.body))
    r = post_offer(work, base, "/whip/500", publisher(room="500"))
    check(r.status == 500 and r.body == b"backend_error\n", "invalid backend reply: 500",
          (r.status, r.body))


def preflight(work, base, origin):
    """OPTIONS exactly as Chromium sends it before a cross-origin WHIP POST."""
    r = curl(work, "OPTIONS", base + "/whip/42", [
        "Accept: */*", "Access-Control-Request-Method: POST",
        "Access-Control-Request-Headers: authorization,content-type",
        f"Origin: {origin}", f"User-Agent: {CHROMIUM_UA}", "Sec-Fetch-Mode: cors",
        "Sec-Fetch-Site: same-site", "Sec-Fetch-Dest: empty", f"Referer: {origin}/",
        "Accept-Encoding: gzip, deflate, br", "Accept-Language: en-US,en;q=0.9"])
    check(r.status == 204, "preflight: 204", r.status)
    allow_h = (r.h("Access-Control-Allow-Headers") or "").lower()
    check("authorization" in allow_h and "content-type" in allow_h and "if-match" in allow_h,
          "preflight: Authorization, Content-Type, If-Match allowed", allow_h)
    check("POST" in (r.h("Access-Control-Allow-Methods") or ""), "preflight: POST allowed")
    check(r.h("Accept-Post") == "application/sdp", "OPTIONS: Accept-Post", r.h("Accept-Post"))
    return r


def static_pages(work, base):
    """Pages from the directory; every escape attempt refused, nothing leaked."""
    r = curl(work, "GET", base + "/")
    check(r.status == 200 and r.body == b"<h1>publish</h1>\n", "GET /: index.html", r.status)
    check(r.h("Content-Type") == "text/html; charset=utf-8", "index.html type",
          r.h("Content-Type"))
    r = curl(work, "GET", base + "/app.js")
    check(r.status == 200 and r.h("Content-Type") == "text/javascript; charset=utf-8",
          "GET /app.js: its type", r.h("Content-Type"))
    r = curl(work, "HEAD", base + "/app.js")  # curl -I writes the headers as the body
    check(r.status == 200 and b"let x" not in r.body, "HEAD /app.js: 200, no body", r.status)
    refused = ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
               "/%2e%2e%2fsecret.txt", "/sub/x.html", "/.hidden", "/..", "/a..b.html",
               "/%2fetc%2fpasswd", "/\\..\\secret.txt", "/" + "a" * 65 + ".html", "/whop/42"]
    for path in refused:
        r = curl(work, "GET", base + path)
        check(r.status == 400 and r.body == b"bad_path\n", f"GET {path}: 400 bad_path",
              (r.status, r.body))
    for path in ("/link.html", "/missing.html", "/data.bin", "/subdir.html"):
        r = curl(work, "GET", base + path)
        check(r.status == 404, f"GET {path}: 404", r.status)
        check(b"TOPSECRET" not in r.body, f"GET {path}: nothing of the secret file")
    r = curl(work, "POST", base + "/app.js", ["Content-Type: text/plain"], b"x")
    check(r.status == 405 and r.h("Allow") == "GET, HEAD, OPTIONS", "POST a page: 405 + Allow",
          (r.status, r.h("Allow")))


def make_pages(work):
    www = os.path.join(work, "www")
    os.makedirs(os.path.join(www, "sub"))
    os.makedirs(os.path.join(www, "subdir.html"))
    for name, text in (("index.html", "<h1>publish</h1>\n"), ("app.js", "let x = 1;\n"),
                       (".hidden", "TOPSECRET\n"), ("sub/x.html", "TOPSECRET\n"),
                       ("a..b.html", "TOPSECRET\n"), ("data.bin", "TOPSECRET\n")):
        with open(os.path.join(www, name), "w", encoding="utf-8") as f:
            f.write(text)
    with open(os.path.join(work, "secret.txt"), "w", encoding="utf-8") as f:
        f.write("TOPSECRET\n")
    os.symlink(os.path.join(work, "secret.txt"), os.path.join(www, "link.html"))
    return www


def stats_after_stop(srv, expect):
    """The counters the server wrote when stopped by SIGTERM."""
    rc = srv.stop()
    check(rc == 0, "server exits 0 on SIGTERM", rc)
    stats = dict(ln[5:].split("=", 1) for ln in srv.lines("stat "))
    for key, want in expect.items():
        check(stats.get(key) == str(want), f"counter {key} = {want}", stats.get(key))


def closed_by_server(sock):
    """Wait (up to the socket's timeout) for the server to close sock:
    (whether it did, what recv gave)."""
    try:
        data = sock.recv(100)
    except (ConnectionResetError, socket.timeout) as e:
        data = e
    return data == b"" or isinstance(data, ConnectionResetError), data


def limits_v6(work):
    """On ::1: per-IP connection limit, idle timeout, max sessions."""
    srv = Server(work, "limits", "--listen", "::1", "--per-ip", "3", "--timeout", "2",
                 "--max-sessions", "2")
    try:
        base = f"http://[::1]:{srv.port}"
        r = curl(work, "GET", base + "/index.html", extra=["-g"])
        check(r.status == 404 and r.body == b"not_found\n", "no pages configured: 404",
              r.status)
        idle = [socket.create_connection(("::1", srv.port), timeout=5) for _ in range(3)]
        time.sleep(0.3)
        with socket.create_connection(("::1", srv.port), timeout=5) as extra:
            closed, data = closed_by_server(extra)
            check(closed, "4th connection from one address closed at once", data)
        t0 = time.monotonic()
        for s in idle:
            closed, data = closed_by_server(s)
            check(closed, "idle connection closed by the server", data)
            s.close()
        waited = time.monotonic() - t0
        check(1.0 < waited < 4.5, "idle timeout of 2 s honoured", round(waited, 2))
        locs = []
        for _ in range(3):
            r = curl(work, "POST", base + "/whip/42", ["Content-Type: application/sdp",
                     f"Authorization: Bearer {publisher()}"], OFFER, ["-g"])
            locs.append((r.status, r.h("Location"), r.body))
        check([s for s, _, _ in locs] == [201, 201, 503], "IPv6: 2 sessions, the 3rd 503",
              [s for s, _, _ in locs])
        check(locs[2][2] == b"too_many_sessions\n", "503 reason", locs[2][2])
        r = curl(work, "DELETE", base + locs[0][1], [f"Authorization: Bearer {publisher()}"],
                 extra=["-g"])
        r = curl(work, "POST", base + "/whip/42", ["Content-Type: application/sdp",
                 f"Authorization: Bearer {publisher()}"], OFFER, ["-g"])
        check(r.status == 201, "a session freed: 201 again", r.status)
    finally:
        stats_after_stop(srv, {"http.too_many_sessions": 1, "sessions": 2})


def dual_stack(work):
    """Listening on "::" takes IPv4 and IPv6 clients."""
    srv = Server(work, "dual", "--listen", "::")
    try:
        for host in ("127.0.0.1", "[::1]"):
            r = curl(work, "POST", f"http://{host}:{srv.port}/whip/42",
                     ["Content-Type: application/sdp", f"Authorization: Bearer {publisher()}"],
                     OFFER, ["-g"])
            check(r.status == 201, f"listening on '::', a client on {host}: 201", r.status)
    finally:
        srv.stop()


def tls(work):
    """HTTPS with a certificate from the openssl CLI, curl --cacert and urllib."""
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=relais-test",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=30)
    origin = "http://127.0.0.1:8000"
    srv = Server(work, "tls", "--tls", cert, key, "--origin", origin)
    try:
        base = f"https://127.0.0.1:{srv.port}"
        r = post_offer(work, base, "/whip/42", publisher())
        check(r.status == 0, "HTTPS without the CA: refused by curl", r.status)
        r = curl(work, "POST", base + "/whip/42", ["Content-Type: application/sdp",
                 f"Authorization: Bearer {publisher()}"], OFFER, ["--cacert", cert])
        check(r.status == 201 and r.body == ANSWER, "HTTPS POST (curl --cacert): 201",
              r.status)
        check(r.h("Access-Control-Allow-Origin") == origin, "configured origin sent",
              r.h("Access-Control-Allow-Origin"))
        check(r.h("Vary") == "Origin", "Vary: Origin with a configured origin", r.h("Vary"))
        ctx = ssl.create_default_context(cafile=cert)
        u = urlopen("POST", base + "/whep/42", {"Content-Type": "application/sdp",
                    "Authorization": "Bearer " + watcher()}, OFFER, context=ctx)
        check(u.status == 201 and u.body == ANSWER, "HTTPS POST (urllib): 201", u.status)
        r = curl(work, "POST", f"http://127.0.0.1:{srv.port}/whip/42",
                 ["Content-Type: application/sdp", f"Authorization: Bearer {publisher()}"],
                 OFFER)
        check(r.status != 201, "plain HTTP to the TLS port: no session", r.status)
    finally:
        srv.stop()


def config_errors(work):
    """What edge_http_new() refuses: each a clear error, exit 1."""
    def run(name, *args, secret=None):
        path = os.path.join(work, name + ".secret")
        with open(path, "wb") as f:
            f.write(secret or SECRET)
        return subprocess.run([SERVER, "--secret-file", path, "--log",
                               os.path.join(work, name + ".log"), "--lifetime", "1", *args],
                              capture_output=True, timeout=20, check=False)
    r = run("short", secret=b"x" * 31)
    check(r.returncode == 1 and b"Invalid argument" in r.stderr,
          "secret under 32 bytes refused", r.stderr)
    bad = os.path.join(work, "bad.pem")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    r = run("badcert", "--tls", bad, bad)
    check(r.returncode == 1 and b"Input/output error" in r.stderr, "bad certificate refused",
          r.stderr)
    r = run("nocert", "--tls", os.path.join(work, "absent.pem"), bad)
    check(r.returncode == 1 and b"No such file" in r.stderr, "absent certificate refused",
          r.stderr)
    r = run("badaddr", "--listen", "localhost")
    check(r.returncode == 1 and b"Invalid argument" in r.stderr, "a name, not an address",
          r.stderr)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        r = run("inuse", "--port", str(taken.getsockname()[1]))
    check(r.returncode == 1 and b"Address already in use" in r.stderr, "port in use refused",
          r.stderr)
    check(SECRET.hex().encode() not in r.stderr and SECRET not in r.stderr,
          "the secret is never printed")


def ice_links(reply_headers):
    """The Link header values of an http.client message, in order."""
    return reply_headers.get_all("Link") or []


def ice_servers(work):
    """RFC 9725 §4.6: TURN servers as Link headers with TURN REST credentials
    (username "<expiry>:<participant>", password base64 HMAC-SHA1 made here
    with Python's hmac), only for a request whose token is valid for the room;
    a CORS preflight without a token still gets its 204, without Link."""
    tsecret = "turn-rest-secret-0123456789"
    urls = ["turn:10.0.0.1:3478?transport=tcp", "turns:turn.test:5349?transport=tcp",
            "stun:10.0.0.1:3478"]
    srv = Server(work, "ice", *sum((["--turn", u] for u in urls), []), "--turn-secret", tsecret,
                 "--turn-ttl", "600")
    base = f"http://127.0.0.1:{srv.port}"

    def options(path, token=None):
        req = urllib.request.Request(base + path, method="OPTIONS",
                                     headers={"Authorization": "Bearer " + token} if token else {})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, ice_links(r.headers)

    try:
        status, links = options("/whip/42")
        check(status == 204 and links == [], "OPTIONS without a token: 204, no Link", links)
        status, links = options("/whip/42", "not.a.token")
        check(status == 204 and links == [], "OPTIONS with a bad token: 204, no Link", links)
        status, links = options("/whip/43", publisher())
        check(status == 204 and links == [], "OPTIONS with another room's token: no Link", links)
        now = int(time.time())
        status, links = options("/whip/42", publisher())
        check(status == 204 and len(links) == 3, "OPTIONS with a token: 3 Link headers", links)
        for url, link in zip(urls, links):
            check(link.startswith(f"<{url}>; rel=\"ice-server\""), "Link: URL and rel", link)
        for link in links[:2]:
            user = re.search(r'username="([^"]*)"', link)
            cred = re.search(r'credential="([^"]*)"', link)
            ok = user is not None and cred is not None
            if ok:
                exp, _, part = user.group(1).partition(":")
                want = base64.b64encode(hmac.new(tsecret.encode(), user.group(1).encode(),
                                                 hashlib.sha1).digest()).decode()
                ok = part == "7" and now + 590 <= int(exp) <= now + 610 and cred.group(1) == want
            check(ok and 'credential-type="password"' in link,
                  "Link: TURN REST username expiry:participant and its HMAC-SHA1", link)
        check("username" not in links[2], "a stun: Link carries no credential", links[2])
        req = urllib.request.Request(base + "/whep/42", data=OFFER, method="POST", headers={
            "Content-Type": "application/sdp", "Authorization": "Bearer " + watcher()})
        with urllib.request.urlopen(req, timeout=10) as r:
            links = ice_links(r.headers)
        check(len(links) == 3 and ':9"' in links[0], "201 of an offer: Link headers for its "
              "participant", links)
    finally:
        srv.stop()


def main():
    for tool in ("curl", "openssl"):
        need(tool)
    work = tempfile.mkdtemp(prefix="relais-edge-http.")
    srv = None
    try:
        with open(os.path.join(work, "secret"), "wb") as f:
            f.write(SECRET)
        www = make_pages(work)
        srv = Server(work, "main", "--static", www)
        base = f"http://127.0.0.1:{srv.port}"
        r = preflight(work, base, "http://127.0.0.1:8000")
        check(r.h("Access-Control-Allow-Origin") == "*", "preflight: origin *")
        token_refusals(work, srv, base)
        loc, etag, wloc = publish_and_watch(work, srv, base)
        patch_and_delete(work, srv, base, loc, etag, wloc)
        request_limits(work, srv, base)
        static_pages(work, base)
        stats_after_stop(srv, {"token.expired": 1, "token.alg_not_allowed": 4,
                               "http.body_too_large": 2, "token.wrong_participant": 1})
        srv = None
        ice_servers(work)
        limits_v6(work)
        dual_stack(work)
        tls(work)
        config_errors(work)
    finally:
        if srv is not None:
            srv.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{NAME}: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
