#!/usr/bin/env python3
"""Test HTTP server for the output tests: records every POST (path, headers,
body) as one JSON line, answers with a fixed status, optionally over TLS and
optionally slowly. Binds 127.0.0.1 on a free port and writes it to --port-file."""
import argparse
import http.server
import json
import ssl
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--status", type=int, default=200)
ap.add_argument("--fail-first", type=int, default=0, help="answer 503 to the first N posts")
ap.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering")
ap.add_argument("--cert")
ap.add_argument("--key")
args = ap.parse_args()

lock = threading.Lock()
seen = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8")
        with lock:
            seen[0] += 1
            n = seen[0]
            status = 503 if n <= args.fail_first else args.status
            with open(args.out, "a") as f:
                f.write(json.dumps({"path": self.path, "method": "POST", "status": status,
                                    "headers": {k.lower(): v for k, v in self.headers.items()},
                                    "body": body}) + "\n")
        if args.delay:
            time.sleep(args.delay)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *a):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if args.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(args.port_file + ".tmp", args.port_file)
srv.serve_forever()
