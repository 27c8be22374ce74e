#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A SIP peer over UDP for the e2e suite: answers OPTIONS with 200 and
INVITE with --invite-status (ACKs are taken silently), and writes one line
per request it received ("OPTIONS", "INVITE") to --log.  It runs for
--seconds at most (every test loop is bounded).  Only for addresses in the
test's own namespaces.

usage: sip_responder.py --bind ADDR:PORT --log FILE [--invite-status N] [--seconds S]
"""
import argparse
import socket
import sys
import time

COPIED = ("via", "from", "to", "call-id", "cseq")


def answer(request: bytes, status: int, phrase: str) -> bytes:
    head = request.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    lines = [f"SIP/2.0 {status} {phrase}"]
    for h in head[1:]:
        name = h.split(":", 1)[0].strip().lower()
        if name in COPIED:
            if name == "to" and "tag=" not in h and status != 100:
                h += ";tag=responder"
            lines.append(h)
    lines += ["Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--invite-status", type=int, default=486)
    ap.add_argument("--seconds", type=float, default=30.0)
    a = ap.parse_args()
    host, port = a.bind.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, int(port)))
    s.settimeout(0.2)
    end = time.monotonic() + a.seconds
    with open(a.log, "a", buffering=1) as log:
        while time.monotonic() < end:
            try:
                data, peer = s.recvfrom(65535)
            except socket.timeout:
                continue
            method = data.split(b" ", 1)[0].decode("ascii", "replace")
            if method.startswith("SIP/"):
                continue
            log.write(method + "\n")
            if method == "OPTIONS":
                s.sendto(answer(data, 200, "OK"), peer)
            elif method == "INVITE":
                s.sendto(answer(data, a.invite_status, "Refused By Test"), peer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
