#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A third party who sends RTP to a call's anchored port, for e2e/hostile-media.

Sends --packets well-formed PCMU RTP packets (20 ms apart) from --bind to
--to, then keeps listening on the same socket until --listen-s seconds
after the start, and prints one line:

    intruder sent=N received=M first_from=ADDR:PORT

received counts every datagram that came back (the call's audio, if the
SBC latched on the intruder).  Exit status 0 whatever it received: the
test judges.  Bounded: at most --packets packets, --listen-s seconds.
"""
import argparse
import socket
import struct
import sys
import time


def hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bind", required=True, help="ADDR:PORT to send from")
    ap.add_argument("--to", required=True, help="the SBC's ADDR:PORT")
    ap.add_argument("--packets", type=int, default=50)
    ap.add_argument("--listen-s", type=float, default=5.0)
    ap.add_argument("--ssrc", type=lambda v: int(v, 0), default=0x0BADF00D)
    a = ap.parse_args()
    if not 0 < a.packets <= 10000 or not 0 < a.listen_s <= 60:
        sys.exit("rtp_intruder: --packets 1..10000, --listen-s up to 60")

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(hostport(a.bind))
    dst = hostport(a.to)
    start = time.monotonic()
    end = start + a.listen_s
    sent = received = 0
    first_from = "-"
    payload = bytes([0xFF]) * 160
    while time.monotonic() < end:
        if sent < a.packets:
            due = start + sent * 0.02
            now = time.monotonic()
            if now >= due:
                hdr = struct.pack("!BBHII", 0x80, 0, (1000 + sent) & 0xFFFF,
                                  (160 * sent) & 0xFFFFFFFF, a.ssrc)
                sock.sendto(hdr + payload, dst)
                sent += 1
                continue
            timeout = due - now
        else:
            timeout = end - time.monotonic()
        sock.settimeout(max(0.001, min(timeout, end - time.monotonic())))
        try:
            _, src = sock.recvfrom(2048)
        except socket.timeout:
            continue
        received += 1
        if first_from == "-":
            first_from = "%s:%d" % src
    print("intruder sent=%d received=%d first_from=%s" % (sent, received, first_from))


if __name__ == "__main__":
    main()
