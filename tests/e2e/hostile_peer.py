#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hostile SIP peers over TCP and TLS for the e2e test `hostile`.

send:    connect from --bind to --to (TLS with --tls), send one message of
         --msg (below) as written, read what comes back for --wait-ms (or
         until the server closes), then close.  Prints one line:
           MSG from port N: got STATUS[,...] closed-by-server=yes|no
hold:    from each address of --bind in turn (comma-separated), open
         --per-source connections (TLS ones with --tls: the TCP connection
         only, no handshake), one after another; after a settling second,
         count how many the server closed.  Writes "opened=N refused=N
         closed=N held=N" to --ready, holds the rest until the file
         --release exists (at most --timeout seconds), then closes them.
keep:    a TLS (--tls) or TCP connection kept open: OPTIONS, its 200; then,
         once --go exists, OPTIONS again on the same connection, its 200.
         Prints "keep: 200 200" (exit 0) or why not (exit 1).
options: a new connection, one OPTIONS, its final status printed.
idle:    connect (with --tls: the handshake too; with --no-handshake: a TCP
         connection to a TLS port sending nothing), send nothing (or one
         OPTIONS with --options, its answer read; or the first 60 bytes of
         one with --partial), then wait until the
         server closes the connection: prints "closed after N ms" (exit 0)
         or "still open after N ms" (exit 1) at --timeout.
bigbody: an INVITE whose Content-Length is --size bytes, sent with the
         first 4 KiB of its body, the rest in 64 KiB pieces while the
         server reads; stops at the server's final response or close.  Prints "bigbody: got STATUS[,...]
         sent=N closed-by-server=yes|no".

Messages (--msg), written for this test after the descriptions of RFC 4475
(the torture tests) and the issue that named them:
  unknown   a well-formed request with a method nobody implements
  intmeth   3.1.1.2: a method made of every kind of token character, a
            Request-URI and header values full of unusual but legal
            characters
  dblreq    3.1.1.8: a REGISTER with Content-Length 0 and, in the same
            segment, an INVITE right after it
  lwsruri   3.1.2.7: whitespace inside the Request-URI (invalid)
  bigcode   3.1.2.18: a response whose status code overflows 32 bits
  oddcode   a response with a nine-digit status code

Every wait is bounded by --timeout seconds; every count by its option.
"""

import argparse
import os
import random
import resource
import select
import socket
import ssl
import sys
import time


def hostport(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def tls_context(ca):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(ca)
    return ctx


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode()


def branch():
    return "z9hG4bK-%08x" % random.getrandbits(32)


def common(a, local, method, cseq=1, ruri=None):
    """The usual headers of a request from @local to a.to."""
    host, port = hostport(a.to)
    proto = "TLS" if a.tls else "TCP"
    ruri = ruri or "sip:4000@%s:%d;transport=%s" % (host, port, proto.lower())
    return ("%s %s SIP/2.0\n"
            "Via: SIP/2.0/%s %s:%d;branch=%s\n"
            "From: <sip:2000@%s>;tag=%08x\n"
            "To: <sip:4000@%s>\n"
            "Call-ID: %08x@%s\n"
            "CSeq: %d %s\n"
            "Max-Forwards: 70\n"
            % (method, ruri, proto, local[0], local[1], branch(), local[0],
               random.getrandbits(32), host, random.getrandbits(32), local[0],
               cseq, method))


SDP = ("v=0\no=pbx 1 1 IN IP4 %s\ns=-\nc=IN IP4 %s\nt=0 0\n"
       "m=audio 50000 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n")


def message(a, local):
    host, port = hostport(a.to)
    proto = "TLS" if a.tls else "TCP"
    if a.msg == "unknown":
        return crlf(common(a, local, "FROBNICATE") + "Content-Length: 0\n\n")
    if a.msg == "intmeth":
        # Token characters of every class: alphanumerics and - . ! % * _ + ` ' ~
        meth = "Odd-Method.42!%*_+`'~x"
        ruri = "sip:u~n.u_s-u'a!l*(name)@%s:%d;ok+param=yes;~flag" % (host, port)
        head = ("%s %s SIP/2.0\n"
                "Via: SIP/2.0/%s %s:%d;branch=%s;+odd~=x\n"
                "To: \"sip:so-odd-it-is-quoted\" <sip:4000@%s>\n"
                "From: odd~token.name <sip:2000@%s>;tag=t.-!%%*_+`'~9\n"
                "Call-ID: odd.-!%%*_+`'~id%08x\n"
                "CSeq: 7 %s\n"
                "Max-Forwards: 70\n"
                "Content-Length: 0\n\n"
                % (meth, ruri, proto, local[0], local[1], branch(), host, local[0],
                   random.getrandbits(32), meth))
        return crlf(head)
    if a.msg == "dblreq":
        reg = (common(a, local, "REGISTER", ruri="sip:%s:%d" % (host, port)) +
               "Contact: <sip:2000@%s:%d;transport=%s>\nExpires: 60\nContent-Length: 0\n\n"
               % (local[0], local[1], proto.lower()))
        sdp = SDP % (local[0], local[0])
        inv = (common(a, local, "INVITE") +
               "Contact: <sip:2000@%s:%d;transport=%s>\n"
               "Content-Type: application/sdp\nContent-Length: %d\n\n"
               % (local[0], local[1], proto.lower(), len(crlf(sdp))))
        return crlf(reg) + crlf(inv) + crlf(sdp)
    if a.msg == "lwsruri":
        return crlf(common(a, local, "INVITE", ruri="sip:4000@%s; lr" % host) +
                    "Content-Length: 0\n\n")
    if a.msg in ("bigcode", "oddcode"):
        code = "4294967301" if a.msg == "bigcode" else "999999999"
        return crlf("SIP/2.0 %s no such status\n"
                    "Via: SIP/2.0/%s %s:%d;branch=%s\n"
                    "From: <sip:4000@%s>;tag=%08x\n"
                    "To: <sip:2000@%s>;tag=%08x\n"
                    "Call-ID: %08x@%s\n"
                    "CSeq: 1 INVITE\n"
                    "Content-Length: 0\n\n"
                    % (code, proto, host, port, branch(), host, random.getrandbits(32),
                       local[0], random.getrandbits(32), random.getrandbits(32), host))
    raise ValueError("no message " + a.msg)


def options(a, local, cseq=1):
    return crlf(common(a, local, "OPTIONS", cseq,
                       ruri="sip:%s:%d" % hostport(a.to)) + "Content-Length: 0\n\n")


def connect(a, bind, handshake=True, timeout=None):
    host, port = hostport(a.to)
    s = socket.create_connection((host, port), timeout=timeout or a.timeout,
                                 source_address=(bind, 0))
    if a.tls and handshake:
        s = tls_context(a.ca).wrap_socket(s)
    return s


class Reader:
    """Status lines of the responses on @sock, until @deadline or EOF."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.eof = False

    def statuses(self):
        out = []
        while True:
            head, sep, rest = self.buf.partition(b"\r\n\r\n")
            if not sep:
                return out
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() in (b"content-length", b"l"):
                    try:
                        length = int(value.strip())
                    except ValueError:
                        length = 0
            if len(rest) < length:
                return out
            self.buf = rest[length:]
            first = head.lstrip(b"\r\n").split(b"\r\n", 1)[0].decode(errors="replace")
            f = first.split()
            if len(f) >= 2 and f[0] == "SIP/2.0":
                out.append(f[1])

    def read(self, until):
        """Read until @until (absolute time) or EOF; False at EOF."""
        while not self.eof:
            left = until - time.time()
            if left <= 0:
                return True
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return True
            except (ConnectionError, ssl.SSLError, OSError):
                data = b""
            if not data:
                self.eof = True
            self.buf += data
        return False

    def final(self, until):
        """The first final status (>= 200) before @until, or None."""
        got = []
        while True:
            got += self.statuses()
            finals = [c for c in got if c.isdigit() and int(c) >= 200]
            if finals:
                return finals[0], got
            if not self.read(min(until, time.time() + 0.05)) or time.time() >= until:
                got += self.statuses()
                finals = [c for c in got if c.isdigit() and int(c) >= 200]
                return (finals[0] if finals else None), got


def do_send(a):
    s = connect(a, a.bind)
    local = s.getsockname()[:2]
    s.sendall(message(a, local))
    r = Reader(s)
    r.read(time.time() + a.wait_ms / 1000.0)
    got = r.statuses()
    s.close()
    print("%s from port %d: got %s closed-by-server=%s" % (
        a.msg, local[1], ",".join(got) or "-", "yes" if r.eof else "no"))
    return 0


def server_closed(s):
    """True when the server closed or reset @s (nothing we wait for is readable)."""
    try:
        s.setblocking(False)
        data = s.recv(1, socket.MSG_PEEK)
        return data == b""
    except (BlockingIOError, ssl.SSLWantReadError):
        return False
    except OSError:
        return True


def do_hold(a):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    deadline = time.time() + a.timeout
    socks, refused = [], 0
    for bind in a.bind.split(","):
        for _ in range(a.per_source):
            if time.time() >= deadline:
                break
            try:
                socks.append(connect(a, bind, handshake=False,
                                     timeout=max(0.1, min(3.0, deadline - time.time()))))
            except OSError:
                refused += 1
    time.sleep(a.settle_ms / 1000.0)
    closed = [s for s in socks if server_closed(s)]
    held = [s for s in socks if s not in closed]
    for s in closed:
        s.close()
    line = "opened=%d refused=%d closed=%d held=%d" % (len(socks), refused, len(closed),
                                                        len(held))
    with open(a.ready + ".tmp", "w") as f:
        f.write(line + "\n")
    os.replace(a.ready + ".tmp", a.ready)
    print(line, flush=True)
    while time.time() < deadline and not os.path.exists(a.release):
        time.sleep(0.05)
    for s in held:
        s.close()
    return 0


def do_keep(a):
    deadline = time.time() + a.timeout
    s = connect(a, a.bind)
    local = s.getsockname()[:2]
    r = Reader(s)
    s.sendall(options(a, local, 1))
    c1, _ = r.final(deadline)
    while time.time() < deadline and not os.path.exists(a.go):
        time.sleep(0.05)
    s.sendall(options(a, local, 2))
    c2, _ = r.final(deadline)
    s.close()
    print("keep: %s %s" % (c1, c2))
    return 0 if c1 == "200" and c2 == "200" else 1


def do_options(a):
    deadline = time.time() + a.timeout
    try:
        s = connect(a, a.bind)
    except (OSError, ssl.SSLError) as e:
        print("options: no connection: %s" % e)
        return 1
    r = Reader(s)
    try:
        s.sendall(options(a, s.getsockname()[:2]))
    except (OSError, ssl.SSLError) as e:
        print("options: send failed: %s" % e)
        return 1
    code, _ = r.final(deadline)
    s.close()
    print("options: %s" % code)
    return 0 if code == "200" else 1


def do_idle(a):
    start = time.time()
    s = connect(a, a.bind, handshake=not a.no_handshake)
    r = Reader(s)
    if a.options:
        s.sendall(options(a, s.getsockname()[:2]))
        r.final(start + a.timeout)
    elif a.partial:
        s.sendall(options(a, s.getsockname()[:2])[:60])
    start = time.time()
    while r.read(start + a.timeout):
        if time.time() >= start + a.timeout:
            print("still open after %d ms" % ((time.time() - start) * 1000))
            s.close()
            return 1
    print("closed after %d ms" % ((time.time() - start) * 1000))
    s.close()
    return 0


def do_bigbody(a):
    deadline = time.time() + a.timeout
    s = connect(a, a.bind)
    local = s.getsockname()[:2]
    head = crlf(common(a, local, "INVITE") +
                "Contact: <sip:2000@%s:%d;transport=%s>\n"
                "Content-Type: application/sdp\nContent-Length: %d\n\n"
                % (local[0], local[1], "tls" if a.tls else "tcp", a.size))
    r = Reader(s)
    chunk = b"a=x-filler:" + b"0" * (65536 - 13) + b"\r\n"
    # The head with the body's first bytes, as a sender of a big message
    # writes them: Sofia 1.12 sees the size when its first read holds some
    # body (a head read alone, the next read fails: closed without a 413).
    first = min(4096, a.size)
    s.sendall(head + chunk[:first])
    sent, got, final = first, [], None
    s.setblocking(False)
    while time.time() < deadline and not r.eof and final is None:
        want_w = [s] if sent < a.size else []
        rd, wr, _ = select.select([s], want_w, [], 0.1)
        if rd:
            try:
                data = s.recv(65536)
            except (BlockingIOError, ssl.SSLWantReadError):
                data = None
            except OSError:
                data = b""
            if data == b"":
                r.eof = True
            elif data:
                r.buf += data
            got += r.statuses()
            final = next((c for c in got if c.isdigit() and int(c) >= 200), None)
        if wr:
            piece = chunk[:min(len(chunk), a.size - sent)]
            try:
                sent += s.send(piece)
            except (BlockingIOError, ssl.SSLWantWriteError):
                pass
            except OSError:
                r.eof = True
    # After the final response, the server should close: wait for it (bounded).
    s.setblocking(True)
    if not r.eof:
        r.read(min(deadline, time.time() + a.wait_ms / 1000.0))
        got += r.statuses()
    s.close()
    print("bigbody: got %s sent=%d closed-by-server=%s" % (",".join(got) or "-", sent,
                                                           "yes" if r.eof else "no"))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["send", "hold", "keep", "options", "idle", "bigbody"])
    p.add_argument("--to", required=True, metavar="ADDR:PORT")
    p.add_argument("--bind", required=True, metavar="ADDR[,ADDR...]")
    p.add_argument("--tls", action="store_true")
    p.add_argument("--ca")
    p.add_argument("--msg", choices=["unknown", "intmeth", "dblreq", "lwsruri", "bigcode",
                                     "oddcode"])
    p.add_argument("--wait-ms", type=int, default=1000)
    p.add_argument("--per-source", type=int, default=1)
    p.add_argument("--settle-ms", type=int, default=1500)
    p.add_argument("--ready")
    p.add_argument("--release")
    p.add_argument("--go")
    p.add_argument("--no-handshake", action="store_true")
    p.add_argument("--options", action="store_true")
    p.add_argument("--partial", action="store_true")
    p.add_argument("--size", type=int, default=10 * 1024 * 1024)
    p.add_argument("--timeout", type=float, default=20.0)
    a = p.parse_args()
    if not 0 < a.timeout <= 300 or not 0 < a.per_source <= 5000 or a.wait_ms > 60000:
        p.error("--timeout in (0, 300], --per-source in (0, 5000], --wait-ms <= 60000")
    if a.tls and not a.ca:
        p.error("--tls needs --ca")
    if a.mode == "send" and not a.msg:
        p.error("send needs --msg")
    if a.mode == "hold" and not (a.ready and a.release):
        p.error("hold needs --ready and --release")
    if a.mode == "keep" and not a.go:
        p.error("keep needs --go")
    return {"send": do_send, "hold": do_hold, "keep": do_keep, "options": do_options,
            "idle": do_idle, "bigbody": do_bigbody}[a.mode](a)


if __name__ == "__main__":
    sys.exit(main())
