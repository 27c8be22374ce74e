#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A SIP peer for the e2e suite, over UDP or (--tls-cert) TLS: answers
OPTIONS with 200 and INVITE with --invite-status (ACKs are taken silently),
and writes one line per request it received ("OPTIONS", "INVITE") to --log.
Over TLS it serves with --tls-cert/--tls-key, at most TLS --tls-max, and
logs each handshake that failed as "HANDSHAKE-FAILED".  It runs for
--seconds at most (every test loop is bounded).  Only for addresses in the
test's own namespaces.

usage: sip_responder.py --bind ADDR:PORT --log FILE [--invite-status N] [--seconds S]
                        [--tls-cert PEM --tls-key PEM [--tls-max 1.1|1.2|1.3]]
"""
import argparse
import selectors
import socket
import ssl
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


def reply(data: bytes, status: int, log) -> bytes:
    """The answer to one request (b"" for ACK and responses), logged."""
    method = data.split(b" ", 1)[0].decode("ascii", "replace")
    if method.startswith("SIP/"):
        return b""
    log.write(method + "\n")
    if method == "OPTIONS":
        return answer(data, 200, "OK")
    if method == "INVITE":
        return answer(data, status, "Refused By Test")
    return b""


def one_message(buf: bytes):
    """(message, rest) from a stream buffer, or (None, buf) while incomplete."""
    while buf.startswith(b"\r\n"):
        buf = buf[2:]            # CRLF keepalives
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None, buf
    length = 0
    for h in buf[:end].split(b"\r\n")[1:]:
        name, _, value = h.partition(b":")
        if name.strip().lower() in (b"content-length", b"l"):
            length = int(value.strip() or b"0")
    total = end + 4 + length
    if len(buf) < total:
        return None, buf
    return buf[:total], buf[total:]


def serve_tls(a, host, port, end, log) -> None:
    versions = {"1.1": ssl.TLSVersion.TLSv1_1, "1.2": ssl.TLSVersion.TLSv1_2,
                "1.3": ssl.TLSVersion.TLSv1_3}
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.tls_cert, a.tls_key)
    if a.tls_max == "1.1":
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")   # let it speak 1.1 at all
        ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.maximum_version = versions[a.tls_max]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port))
    ls.listen(16)
    ls.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ, None)
    bufs = {}
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.2):
            if key.data is None:
                raw, _ = ls.accept()
                raw.settimeout(3.0)
                try:
                    conn = ctx.wrap_socket(raw, server_side=True)
                except (ssl.SSLError, OSError):
                    log.write("HANDSHAKE-FAILED\n")
                    raw.close()
                    continue
                conn.setblocking(False)
                bufs[conn] = b""
                sel.register(conn, selectors.EVENT_READ, "conn")
                continue
            conn = key.fileobj
            try:
                data = conn.recv(65535)
            except ssl.SSLWantReadError:
                continue
            except (ssl.SSLError, OSError):
                data = b""
            if not data:
                sel.unregister(conn)
                bufs.pop(conn, None)
                conn.close()
                continue
            bufs[conn] += data
            while True:
                msg, bufs[conn] = one_message(bufs[conn])
                if msg is None:
                    break
                out = reply(msg, a.invite_status, log)
                if out:
                    conn.setblocking(True)
                    conn.sendall(out)
                    conn.setblocking(False)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--invite-status", type=int, default=486)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--tls-max", choices=["1.1", "1.2", "1.3"], default="1.3")
    a = ap.parse_args()
    host, port = a.bind.rsplit(":", 1)
    if a.tls_cert:
        with open(a.log, "a", buffering=1) as log:
            serve_tls(a, host, int(port), time.monotonic() + a.seconds, log)
        return 0
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
            out = reply(data, a.invite_status, log)
            if out:
                s.sendto(out, peer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
