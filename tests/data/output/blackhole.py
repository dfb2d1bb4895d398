#!/usr/bin/env python3
"""A TCP server that accepts connections and never reads from them: a sink
that stalls as soon as the kernel's socket buffers are full. Writes its port
to --port-file and the number of accepted connections to --accepted."""
import argparse
import os
import socket

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
args = ap.parse_args()

s = socket.socket()
# Small buffers make the stall come sooner.
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename(args.port_file + ".tmp", args.port_file)
held = []
while True:
    c, _ = s.accept()
    held.append(c)  # keep it open, never read
