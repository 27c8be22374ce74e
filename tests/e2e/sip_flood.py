#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hostile SIP over UDP for e2e/hostile-udp: bounded floods, replies counted.

Sends --count requests (--rate per second) to --to, spread round-robin
over the --from addresses (each bound on its own socket, port --port),
then listens until --listen-s seconds after the start, and prints:

    flood sent=N replies=M 100=a 403=b 400=c 503=d other=e \
        per_request_max=K sources_answered=S

per_request_max is the most replies one request (by Call-ID) drew:
1 means every refusal was sent once, not retransmitted.

--kind: invite (a new INVITE, no To tag), options, vias (an INVITE with
--vias Via header lines), trailing (a Request-Line with two trailing
spaces), cancel.  Every loop is bounded by --count and --listen-s.
"""
import argparse
import collections
import select
import socket
import sys
import time


def hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


def request(kind, src, sport, dst, n, vias):
    host, port = dst
    cid = "flood-%s-%d" % (src, n)
    method = {"options": "OPTIONS", "cancel": "CANCEL"}.get(kind, "INVITE")
    uri = "sip:+441632960%03d@%s:%d" % (n % 1000, host, port)
    line = "%s %s SIP/2.0%s\r\n" % (method, uri, "  " if kind == "trailing" else "")
    via = ["Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%d-%d\r\n" % (src, sport, n, i)
           for i in range(vias if kind == "vias" else 1)]
    hdrs = ("From: <sip:attacker@%s>;tag=f%d\r\n"
            "To: <%s>\r\n"
            "Call-ID: %s\r\n"
            "CSeq: 1 %s\r\n"
            "Max-Forwards: 70\r\n"
            "Contact: <sip:attacker@%s:%d>\r\n"
            "Content-Length: 0\r\n\r\n") % (src, n, uri, cid, method, src, sport)
    return cid, (line + "".join(via) + hdrs).encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="srcs", required=True,
                    help="ADDR[,ADDR...] or BASE.N-M (e.g. 198.18.1.100-249)")
    ap.add_argument("--port", type=int, default=5099)
    ap.add_argument("--to", required=True)
    ap.add_argument("--kind", default="invite",
                    choices=["invite", "options", "vias", "trailing", "cancel"])
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--rate", type=float, default=50.0)
    ap.add_argument("--vias", type=int, default=10000)
    ap.add_argument("--listen-s", type=float, default=5.0)
    a = ap.parse_args()
    if not 0 < a.count <= 100000 or not 0 < a.listen_s <= 120 or not 0 < a.rate <= 10000:
        sys.exit("sip_flood: --count 1..100000, --listen-s up to 120, --rate up to 10000")

    srcs = []
    for part in a.srcs.split(","):
        if "-" in part:
            base, _, hi = part.rpartition("-")
            prefix, _, lo = base.rpartition(".")
            srcs += ["%s.%d" % (prefix, i) for i in range(int(lo), int(hi) + 1)]
        else:
            srcs.append(part)
    dst = hostport(a.to)
    socks = []
    for s in srcs:
        so = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        so.bind((s, a.port))
        so.setblocking(False)
        socks.append((s, so))

    start = time.monotonic()
    end = start + a.listen_s
    sent = 0
    codes = collections.Counter()
    per_cid = collections.Counter()
    answered = set()
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if sent < a.count and now >= start + sent / a.rate:
            src, so = socks[sent % len(socks)]
            _, data = request(a.kind, src, a.port, dst, sent, a.vias)
            try:
                so.sendto(data, dst)
            except OSError:
                pass
            sent += 1
            continue
        due = start + sent / a.rate if sent < a.count else end
        ready, _, _ = select.select([so for _, so in socks], [], [],
                                    max(0.0, min(due, end) - time.monotonic()))
        for so in ready:
            while True:
                try:
                    data, _ = so.recvfrom(65535)
                except (BlockingIOError, OSError):
                    break
                text = data.decode("latin-1")
                first = text.split("\r\n", 1)[0].split(" ")
                code = first[1] if len(first) > 1 and first[0] == "SIP/2.0" else "other"
                codes[code] += 1
                for ln in text.split("\r\n"):
                    if ln.lower().startswith("call-id:"):
                        cid = ln.split(":", 1)[1].strip()
                        per_cid[cid] += 1
                        answered.add(cid.split("-")[1] if cid.count("-") >= 2 else "?")
    replies = sum(codes.values())
    other = replies - codes["100"] - codes["403"] - codes["400"] - codes["503"]
    print("flood sent=%d replies=%d 100=%d 403=%d 400=%d 503=%d other=%d "
          "per_request_max=%d sources_answered=%d"
          % (sent, replies, codes["100"], codes["403"], codes["400"], codes["503"], other,
             max(per_cid.values()) if per_cid else 0, len(answered)))


if __name__ == "__main__":
    main()
