#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A SIP caller over TLS for the e2e suite (this SIPp has no TLS).

call:  connect to --to over TLS (the server's certificate checked against
       --ca; the name is not, the example certificate names no address),
       send an INVITE with a G.711 offer whose media is --media ADDR:PORT,
       wait for the 200 (provisional responses skipped), ACK it, hold the
       call --hold-ms, send BYE and wait for its 200.  Every message sent and
       received is appended to --trace.
probe: only a TLS handshake limited to --tls-version (1.1, 1.2 or 1.3);
       prints "accepted VERSION" (exit 0) or "refused: REASON" (exit 1).

Every wait is bounded by --timeout seconds.  Exit status 0 on success.
"""

import argparse
import warnings
import random
import socket
import ssl
import sys
import time

# TLS 1.1 is asked for on purpose (the probe that must be refused).
warnings.filterwarnings("ignore", category=DeprecationWarning)

VERSIONS = {"1.1": ssl.TLSVersion.TLSv1_1, "1.2": ssl.TLSVersion.TLSv1_2,
            "1.3": ssl.TLSVersion.TLSv1_3}


def hostport(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def context(ca, version=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(ca)
    if version is not None:
        # Let the client offer old versions at all, so that a refusal is the server's.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = VERSIONS[version]
        ctx.maximum_version = VERSIONS[version]
    return ctx


class Conn:
    def __init__(self, sock, trace, deadline):
        self.sock = sock
        self.buf = b""
        self.trace = trace
        self.deadline = deadline

    def send(self, head, body=""):
        data = (head.replace("\n", "\r\n") + body).encode()
        self.trace.write("---- sent\n" + data.decode() + "\n")
        self.sock.sendall(data)

    def recv(self):
        """One SIP message: (first line, headers text, body)."""
        while True:
            head, sep, rest = self.buf.partition(b"\r\n\r\n")
            if sep:
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() in (b"content-length", b"l"):
                        length = int(value.strip())
                if len(rest) >= length:
                    self.buf = rest[length:]
                    text = head.decode(errors="replace")
                    self.trace.write("---- received\n" + text + "\n\n" +
                                     rest[:length].decode(errors="replace") + "\n")
                    return text.split("\r\n", 1)[0], text, rest[:length]
            left = self.deadline - time.time()
            if left <= 0:
                raise TimeoutError("no complete SIP message in time")
            self.sock.settimeout(left)
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("connection closed by the server")
            self.buf += data


def header(text, name):
    for line in text.split("\r\n")[1:]:
        n, _, v = line.partition(":")
        if n.strip().lower() == name.lower():
            return v.strip()
    return None


def call(a):
    host, port = hostport(a.to)
    mhost, mport = hostport(a.media)
    deadline = time.time() + a.timeout
    raw = socket.create_connection((host, port), timeout=a.timeout,
                                   source_address=(a.bind, 0))
    sock = context(a.ca).wrap_socket(raw)
    local_ip, local_port = sock.getsockname()[:2]
    ip6 = ":" in local_ip
    lhost = "[%s]" % local_ip if ip6 else local_ip
    trace = open(a.trace, "a")
    c = Conn(sock, trace, deadline)
    call_id = "%08x@%s" % (random.getrandbits(32), local_ip)
    tag = "%08x" % random.getrandbits(32)
    ruri = "sip:%s@%s:%d;transport=tls" % (a.user, "[%s]" % host if ":" in host else host, port)
    family = "IP6" if ":" in mhost else "IP4"
    sdp = ("v=0\no=pbx 4242 1 IN %s %s\ns=-\nc=IN %s %s\nt=0 0\n"
           "m=audio %d RTP/AVP 0 101\na=rtpmap:0 PCMU/8000\n"
           "a=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\na=ptime:20\na=sendrecv\n"
           % (family, mhost, family, mhost, mport)).replace("\n", "\r\n")

    def request(method, cseq, to, body=""):
        branch = "z9hG4bK%08x" % random.getrandbits(32)
        msg = ("%s %s SIP/2.0\nVia: SIP/2.0/TLS %s:%d;branch=%s\n"
               "From: \"PBX 2000\" <sip:2000@%s>;tag=%s\nTo: %s\nCall-ID: %s\n"
               "CSeq: %d %s\nContact: <sip:2000@%s:%d;transport=tls>\nMax-Forwards: 70\n"
               % (method, ruri, lhost, local_port, branch, lhost, tag, to, call_id,
                  cseq, method, lhost, local_port))
        if body:
            msg += "Content-Type: application/sdp\n"
        msg += "Content-Length: %d\n\n" % len(body.encode())
        c.send(msg, body)

    request("INVITE", 1, "<%s>" % ruri.split(";")[0], sdp)
    while True:
        first, text, _ = c.recv()
        code = int(first.split()[1])
        if code >= 200:
            break
    if code != 200:
        print("INVITE answered %d" % code, file=sys.stderr)
        return 1
    to = header(text, "To")
    request("ACK", 1, to)
    time.sleep(a.hold_ms / 1000.0)
    request("BYE", 2, to)
    while True:
        first, text, _ = c.recv()
        if header(text, "CSeq").endswith("BYE") and int(first.split()[1]) >= 200:
            break
    print("call over TLS (%s): 200, ACK, BYE answered %s" % (sock.version(), first.split()[1]))
    sock.close()
    return 0 if first.split()[1] == "200" else 1


def probe(a):
    host, port = hostport(a.to)
    try:
        raw = socket.create_connection((host, port), timeout=a.timeout,
                                       source_address=(a.bind, 0))
        sock = context(a.ca, a.tls_version).wrap_socket(raw)
    except (ssl.SSLError, OSError) as e:
        print("refused: %s" % e)
        return 1
    print("accepted %s" % sock.version())
    sock.close()
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["call", "probe"])
    p.add_argument("--to", required=True, metavar="ADDR:PORT")
    p.add_argument("--bind", required=True, metavar="ADDR")
    p.add_argument("--ca", required=True)
    p.add_argument("--media", default="0.0.0.0:0", metavar="ADDR:PORT")
    p.add_argument("--user", default="4000")
    p.add_argument("--hold-ms", type=float, default=3000.0)
    p.add_argument("--timeout", type=float, default=20.0)
    p.add_argument("--trace", default="/dev/null")
    p.add_argument("--tls-version", choices=sorted(VERSIONS), default="1.2")
    a = p.parse_args()
    if not 0 < a.timeout <= 120 or not 0 <= a.hold_ms <= 60000:
        p.error("--timeout must be in (0, 120] and --hold-ms in [0, 60000]")
    return call(a) if a.mode == "call" else probe(a)


if __name__ == "__main__":
    sys.exit(main())
