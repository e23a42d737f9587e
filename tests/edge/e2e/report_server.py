#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The report sink of the browser tests: the pages of web/ POST their
getStats summary (JSON) once a second to http://HOST:PORT/NAME; the latest
is kept in DIR/NAME.json and every one appended to DIR/NAME.jsonl. OPTIONS
answers the browser's CORS preflight (the pages come from another origin,
relais-edge's --pages). Runs until killed.

  report_server.py DIR HOST PORT
"""
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 16


class Handler(BaseHTTPRequestHandler):
    """POST /NAME stores a report; OPTIONS is the preflight."""

    def cors(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")

    def do_OPTIONS(self):  # noqa: N802 (http.server's naming)
        self.send_response(204)
        self.cors()
        self.end_headers()

    def do_POST(self):  # noqa: N802
        name = self.path.lstrip("/")
        length = int(self.headers.get("Content-Length") or 0)
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", name) or not 0 < length <= MAX_BODY:
            self.send_response(400)
            self.cors()
            self.end_headers()
            return
        try:
            report = json.loads(self.rfile.read(length))
        except ValueError:
            self.send_response(400)
            self.cors()
            self.end_headers()
            return
        line = json.dumps(report)
        with open(os.path.join(self.server.dir, name + ".jsonl"), "a", encoding="utf-8") as f:
            f.write(line + "\n")
        tmp = os.path.join(self.server.dir, name + ".json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(line)
        os.replace(tmp, os.path.join(self.server.dir, name + ".json"))
        self.send_response(204)
        self.cors()
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    out, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    srv = ThreadingHTTPServer((host, port), Handler)
    srv.dir = out
    print(f"reports on http://{host}:{port}/NAME into {out}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
