#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""answer_accepted.sh's HTTP server on 127.0.0.1 (in the test's namespace).

  answer_server.py PORT TOOL PAGE RESULTS
GET / serves PAGE; POST /answer?role=R&address=A runs
`TOOL answer --role R --address A -` on the offer and returns the answer (200) or the refusal (400); POST /result
appends the JSON body as one line to RESULTS; POST /done appends "DONE"."""
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

PORT, TOOL, PAGE, RESULTS = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body, ctype="text/plain"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with open(PAGE, "rb") as f:
            self.reply(200, f.read(), "text/html")

    def do_POST(self):
        url = urlparse(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if url.path == "/answer":
            query = parse_qs(url.query)
            role = query.get("role", ["publish"])[0]
            address = query.get("address", ["127.0.0.1"])[0]
            p = subprocess.run([TOOL, "answer", "--role", role, "--address", address, "-"],
                               input=body,
                               capture_output=True, timeout=10)
            if p.returncode == 0:
                self.reply(200, p.stdout, "application/sdp")
            else:
                self.reply(400, p.stderr)
            return
        with open(RESULTS, "a") as f:
            f.write((body.decode() if url.path == "/result" else "DONE") + "\n")
        self.reply(204, b"")

    def log_message(self, fmt, *args):
        pass


HTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
